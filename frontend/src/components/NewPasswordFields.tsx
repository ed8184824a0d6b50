import type { PasswordPolicy } from "../api/types";
import type { FieldErrors } from "../api/client";
import { fieldId, TextField } from "./Field";
import { PasswordChecklist } from "./PasswordChecklist";

interface NewPasswordFieldsProps {
  /** Form name; input ids are `<form>-<name>`. */
  form: string;
  /** JSON names of the password and its confirmation, e.g. "newPassword" / "newPasswordConfirmation". */
  name: string;
  confirmationName: string;
  label: string;
  confirmationLabel: string;
  password: string;
  confirmation: string;
  onPasswordChange: (v: string) => void;
  onConfirmationChange: (v: string) => void;
  fields: FieldErrors;
  policy: PasswordPolicy | null;
}

/** A new password, its confirmation and the live policy checklist, as every password form shows them. */
export function NewPasswordFields(p: NewPasswordFieldsProps) {
  const rulesId = `${fieldId(p.form, p.name)}-rules`;
  return (
    <>
      <TextField
        form={p.form}
        name={p.name}
        type="password"
        label={p.label}
        autoComplete="new-password"
        required
        value={p.password}
        onValueChange={p.onPasswordChange}
        errors={p.fields[p.name]}
        describedBy={p.policy ? rulesId : undefined}
      />
      <TextField
        form={p.form}
        name={p.confirmationName}
        type="password"
        label={p.confirmationLabel}
        autoComplete="new-password"
        required
        value={p.confirmation}
        onValueChange={p.onConfirmationChange}
        errors={p.fields[p.confirmationName]}
      />
      <PasswordChecklist id={rulesId} policy={p.policy} password={p.password} confirmation={p.confirmation} />
    </>
  );
}
