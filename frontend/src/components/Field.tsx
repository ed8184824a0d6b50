import type { InputHTMLAttributes, ReactNode } from "react";

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, "id" | "name" | "form" | "type" | "value" | "onChange" | "checked">;

interface BaseProps extends InputProps {
  /** Form name (e.g. "signup"); the input id is `<form>-<name>`. */
  form: string;
  /** JSON body field name. */
  name: string;
  label: ReactNode;
  hint?: ReactNode;
  /** Server (or client) messages for this field; the error element is rendered only when non-empty. */
  errors?: string[];
  /** Extra ids to add to aria-describedby (e.g. a password checklist). */
  describedBy?: string;
  optional?: boolean;
}

interface TextFieldProps extends BaseProps {
  type?: "text" | "email" | "password";
  value: string;
  onValueChange: (value: string) => void;
}

interface CheckboxFieldProps extends BaseProps {
  checked: boolean;
  onCheckedChange: (checked: boolean) => void;
}

export const fieldId = (form: string, name: string) => `${form}-${name}`;

function describedByIds(id: string, hasHint: boolean, hasError: boolean, extra?: string): string | undefined {
  const ids = [hasHint ? `${id}-hint` : null, extra ?? null, hasError ? `${id}-error` : null].filter(Boolean);
  return ids.length ? ids.join(" ") : undefined;
}

export function FieldError({ id, errors }: { id: string; errors?: string[] }) {
  if (!errors || errors.length === 0) return null;
  return (
    <p id={`${id}-error`} className="field-error">
      {errors.map((m, i) => (
        <span key={i} className="field-error-message">
          {m}
        </span>
      ))}
    </p>
  );
}

export function TextField({ form, name, label, hint, errors, describedBy, optional, type = "text", value, onValueChange, required, ...rest }: TextFieldProps) {
  const id = fieldId(form, name);
  const hasError = !!errors && errors.length > 0;
  return (
    <div className={`field${hasError ? " field--invalid" : ""}`}>
      <label htmlFor={id}>
        {label}
        {optional && <span className="optional"> (optional)</span>}
      </label>
      {hint && (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      )}
      <input
        {...rest}
        id={id}
        name={name}
        type={type}
        value={value}
        required={required}
        onChange={(e) => onValueChange(e.target.value)}
        aria-invalid={hasError ? true : undefined}
        aria-describedby={describedByIds(id, !!hint, hasError, describedBy)}
      />
      <FieldError id={id} errors={errors} />
    </div>
  );
}

export function CheckboxField({ form, name, label, hint, errors, describedBy, optional: _optional, checked, onCheckedChange, ...rest }: CheckboxFieldProps) {
  const id = fieldId(form, name);
  const hasError = !!errors && errors.length > 0;
  return (
    <div className={`field field--checkbox${hasError ? " field--invalid" : ""}`}>
      <div className="checkbox-row">
        <input
          {...rest}
          id={id}
          name={name}
          type="checkbox"
          checked={checked}
          onChange={(e) => onCheckedChange(e.target.checked)}
          aria-invalid={hasError ? true : undefined}
          aria-describedby={describedByIds(id, !!hint, hasError, describedBy)}
        />
        <label htmlFor={id}>{label}</label>
      </div>
      {hint && (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      )}
      <FieldError id={id} errors={errors} />
    </div>
  );
}
