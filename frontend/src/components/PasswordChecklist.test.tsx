import { render } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { evaluatePassword, longestRun } from "../lib/password";
import { POLICY } from "../test/fakeServer";
import { PasswordChecklist } from "./PasswordChecklist";

function statuses(container: HTMLElement) {
  return Object.fromEntries(
    Array.from(container.querySelectorAll("li[data-rule]")).map((li) => [li.getAttribute("data-rule"), li.getAttribute("data-met")]),
  );
}

describe("evaluatePassword", () => {
  it("marks each rule met or unmet", () => {
    expect(evaluatePassword(POLICY, "abc").map((r) => [r.id, r.met])).toEqual([
      ["minLength", false],
      ["minUpper", false],
      ["minLower", true],
      ["minDigits", false],
      ["minSpecial", false],
      ["maxRepeated", true],
      ["characters", true],
    ]);
    expect(evaluatePassword(POLICY, "Sup3r-Secret!", "Sup3r-Secret!").every((r) => r.met)).toBe(true);
  });

  it("counts characters the way the server does", () => {
    const rule = (pw: string, id: string) => evaluatePassword(POLICY, pw).find((r) => r.id === id)!.met;
    expect(rule("Passwort mit Leerzeichen1", "minSpecial")).toBe(true); // a space is special
    expect(rule("Ébcdefgh1234!", "minUpper")).toBe(false); // only A–Z count as upper case
    expect(rule("Abcdefgh1234€", "minSpecial")).toBe(false); // € is not in the special set
    expect(rule("Abcdefgh1234€!", "characters")).toBe(false); // and is refused
  });

  it("counts repeated characters in a row", () => {
    expect(longestRun("")).toBe(0);
    expect(longestRun("abcabc")).toBe(1);
    expect(longestRun("aabbbc")).toBe(3);
    expect(evaluatePassword(POLICY, "Paaassword1!xy").find((r) => r.id === "maxRepeated")!.met).toBe(false);
    expect(evaluatePassword(POLICY, "Paassword1!xyz").find((r) => r.id === "maxRepeated")!.met).toBe(true);
  });

  it("leaves out rules whose requirement is zero and honours larger minimums", () => {
    const policy = { ...POLICY, minLength: 4, minUpper: 0, minSpecial: 0, maxRepeated: 0, minDigits: 2 };
    expect(evaluatePassword(policy, "ab1c").map((r) => [r.id, r.met])).toEqual([
      ["minLength", true],
      ["minLower", true],
      ["minDigits", false],
      ["characters", true],
    ]);
    expect(evaluatePassword(policy, "ab12").find((r) => r.id === "minDigits")!.met).toBe(true);
  });
});

describe("PasswordChecklist", () => {
  it("shows met and unmet rules and updates as the password changes", () => {
    const { container, rerender } = render(<PasswordChecklist id="rules" policy={POLICY} password="" confirmation="" />);
    expect(statuses(container)).toEqual({
      minLength: "false",
      minUpper: "false",
      minLower: "false",
      minDigits: "false",
      minSpecial: "false",
      maxRepeated: "false",
      characters: "false",
      match: "false",
    });

    rerender(<PasswordChecklist id="rules" policy={POLICY} password="Abcdefghijk1" confirmation="Abcdefghijk" />);
    expect(statuses(container)).toEqual({
      minLength: "true",
      minUpper: "true",
      minLower: "true",
      minDigits: "true",
      minSpecial: "false",
      maxRepeated: "true",
      characters: "true",
      match: "false",
    });
    const special = container.querySelector('li[data-rule="minSpecial"]')!;
    expect(special.textContent).toBe("✗At least 1 special character (for example ! ? # @) (not met)");
    const length = container.querySelector('li[data-rule="minLength"]')!;
    expect(length.textContent).toBe("✓At least 12 characters (met)");

    rerender(<PasswordChecklist id="rules" policy={POLICY} password="Abcdefghij1!" confirmation="Abcdefghij1!" />);
    expect(Object.values(statuses(container)).every((v) => v === "true")).toBe(true);
    expect(container.querySelector(".checklist-note")!.textContent).toBe(
      "It must differ from your last 5 passwords. Passwords expire after 90 days.",
    );
  });

  it("renders nothing until the policy is known", () => {
    const { container } = render(<PasswordChecklist id="rules" policy={null} password="x" />);
    expect(container.innerHTML).toBe("");
  });
});
