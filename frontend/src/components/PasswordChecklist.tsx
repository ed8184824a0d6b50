import type { PasswordPolicy } from "../api/types";
import { evaluatePassword } from "../lib/password";
import { days } from "../lib/format";

interface Props {
  id: string;
  policy: PasswordPolicy | null;
  password: string;
  /** When given, a "passwords match" line is added. */
  confirmation?: string;
}

/** The password policy as a checklist that ticks rules off while the user types. */
export function PasswordChecklist({ id, policy, password, confirmation }: Props) {
  if (!policy) return null;
  const rules = evaluatePassword(policy, password, confirmation);
  return (
    <div id={id} className="checklist">
      <p className="checklist-title">Your new password needs:</p>
      <ul>
        {rules.map((r) => (
          <li key={r.id} data-rule={r.id} data-met={r.met ? "true" : "false"} className={r.met ? "met" : "unmet"}>
            <span className="checklist-icon" aria-hidden="true">
              {r.met ? "✓" : "✗"}
            </span>
            <span className="checklist-label">{r.label}</span>
            <span className="visually-hidden">{r.met ? " (met)" : " (not met)"}</span>
          </li>
        ))}
      </ul>
      {(policy.historySize > 0 || policy.maxAgeDays > 0) && (
        <p className="checklist-note">
          {policy.historySize > 0 && <>It must differ from your last {policy.historySize === 1 ? "password" : `${policy.historySize} passwords`}. </>}
          {policy.maxAgeDays > 0 && <>Passwords expire after {days(policy.maxAgeDays)}.</>}
        </p>
      )}
    </div>
  );
}
