import type { PasswordPolicy } from "../api/types";

export type RuleId = "minLength" | "minUpper" | "minLower" | "minDigits" | "minSpecial" | "maxRepeated" | "characters" | "match";

export interface RuleStatus {
  id: RuleId;
  label: string;
  met: boolean;
}

function count(value: string, re: RegExp): number {
  return Array.from(value).filter((ch) => re.test(ch)).length;
}

/** Length of the longest run of the same character. */
export function longestRun(value: string): number {
  const chars = Array.from(value);
  let best = 0;
  let run = 0;
  for (let i = 0; i < chars.length; i++) {
    run = i > 0 && chars[i] === chars[i - 1] ? run + 1 : 1;
    if (run > best) best = run;
  }
  return best;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

// The same classes as the server's check (shared/portal/account/password.go): ASCII letters and
// digits, and the special characters the policy lists; anything else is refused.
const UPPER = /[A-Z]/;
const LOWER = /[a-z]/;
const DIGIT = /[0-9]/;

/**
 * Evaluates a candidate password against the policy. Rules whose requirement is 0
 * are left out. The server remains the authority; this is guidance while typing.
 * When `confirmation` is given (even empty), a "match" rule is added.
 */
export function evaluatePassword(policy: PasswordPolicy, value: string, confirmation?: string): RuleStatus[] {
  const rules: RuleStatus[] = [];
  const isSpecial = (ch: string) => policy.specialCharacters.includes(ch);
  const specials = Array.from(value).filter(isSpecial).length;
  const others = Array.from(value).filter((ch) => !UPPER.test(ch) && !LOWER.test(ch) && !DIGIT.test(ch) && !isSpecial(ch)).length;
  const len = Array.from(value).length;
  if (policy.minLength > 0) {
    rules.push({ id: "minLength", label: `At least ${plural(policy.minLength, "character", "characters")}`, met: len >= policy.minLength });
  }
  if (policy.minUpper > 0) {
    rules.push({ id: "minUpper", label: `At least ${plural(policy.minUpper, "uppercase letter", "uppercase letters")}`, met: count(value, UPPER) >= policy.minUpper });
  }
  if (policy.minLower > 0) {
    rules.push({ id: "minLower", label: `At least ${plural(policy.minLower, "lowercase letter", "lowercase letters")}`, met: count(value, LOWER) >= policy.minLower });
  }
  if (policy.minDigits > 0) {
    rules.push({ id: "minDigits", label: `At least ${plural(policy.minDigits, "digit", "digits")}`, met: count(value, DIGIT) >= policy.minDigits });
  }
  if (policy.minSpecial > 0) {
    rules.push({ id: "minSpecial", label: `At least ${plural(policy.minSpecial, "special character", "special characters")} (for example ! ? # @)`, met: specials >= policy.minSpecial });
  }
  if (policy.maxRepeated > 0) {
    rules.push({ id: "maxRepeated", label: `No character repeated more than ${plural(policy.maxRepeated, "time", "times")} in a row`, met: len > 0 && longestRun(value) <= policy.maxRepeated });
  }
  rules.push({ id: "characters", label: "Only letters A–Z, digits and special characters", met: value.length > 0 && others === 0 });
  if (confirmation !== undefined) {
    rules.push({ id: "match", label: "Both passwords match", met: value.length > 0 && value === confirmation });
  }
  return rules;
}
