import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes, TextareaHTMLAttributes } from "react";
import { charCount, remainingText, tooLongMessage } from "../lib/limits";

// maxLength is left out on purpose: a browser cuts pasted text to it without a word; a
// field states its limit with `limit` instead, and says when the text is over it.
type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, "id" | "name" | "form" | "type" | "value" | "onChange" | "checked" | "maxLength">;

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
  /** The server's length limit (see limitOf): a counter shows what is left, and an error what is over. */
  limit?: number;
}

/**
 * A counter of the characters left under `limit`, and the errors with the too-long
 * message added when the text is over it (once: the server sends the same words).
 */
function useLimit(id: string, value: string, errors: string[] | undefined, limit: number | undefined) {
  if (limit === undefined) return { errors, counter: null, counterId: undefined };
  const n = charCount(value);
  const all = n > limit ? [...new Set([tooLongMessage(limit, n), ...(errors ?? [])])] : errors;
  const counterId = `${id}-count`;
  const counter = (
    <p id={counterId} className={`char-count${n > limit ? " char-count--over" : ""}`}>
      {remainingText(limit, n)}
    </p>
  );
  return { errors: all, counter, counterId };
}

const joinIds = (...ids: (string | undefined)[]) => ids.filter(Boolean).join(" ") || undefined;

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

/** The ARIA attributes that tie a control to its hint, extra descriptions and errors. */
type ControlAria = { "aria-invalid"?: true; "aria-describedby"?: string };

/**
 * The frame every labelled control shares: label (with "optional"), hint, the control,
 * what comes after it and its errors. The control receives its ARIA attributes.
 */
function LabelledField(props: {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  optional?: boolean;
  errors?: string[];
  describedBy?: string;
  after?: ReactNode;
  control: (aria: ControlAria) => ReactNode;
}) {
  const { id, label, hint, optional, errors, describedBy, after, control } = props;
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
      {control({ "aria-invalid": hasError ? true : undefined, "aria-describedby": describedByIds(id, !!hint, hasError, describedBy) })}
      <FieldError id={id} errors={errors} />
      {after}
    </div>
  );
}

export function TextField({ form, name, label, hint, errors, describedBy, optional, type = "text", value, onValueChange, required, limit, ...rest }: TextFieldProps) {
  const id = fieldId(form, name);
  const limited = useLimit(id, value, errors, limit);
  return (
    <LabelledField
      id={id}
      label={label}
      hint={hint}
      optional={optional}
      errors={limited.errors}
      describedBy={joinIds(describedBy, limited.counterId)}
      after={limited.counter}
      control={(aria) => (
        <input {...rest} {...aria} id={id} name={name} type={type} value={value} required={required} onChange={(e) => onValueChange(e.target.value)} />
      )}
    />
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

type TextAreaProps = Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, "id" | "name" | "form" | "value" | "onChange">;

interface TextAreaFieldProps extends Omit<BaseProps, keyof InputProps>, Omit<TextAreaProps, "maxLength"> {
  value: string;
  /** The server's length limit, as for TextField. */
  limit?: number;
  onValueChange: (value: string) => void;
  /** Monospace, no spell checking: for certificates and keys. */
  mono?: boolean;
  /** Rendered between the textarea and its errors (e.g. what a pasted certificate says). */
  after?: ReactNode;
}

export function TextAreaField({ form, name, label, hint, errors, describedBy, optional, value, onValueChange, mono, after, required, className, limit, ...rest }: TextAreaFieldProps) {
  const id = fieldId(form, name);
  const limited = useLimit(id, value, errors, limit);
  return (
    <LabelledField
      id={id}
      label={label}
      hint={hint}
      optional={optional}
      errors={limited.errors}
      describedBy={joinIds(describedBy, limited.counterId)}
      after={
        limited.counter || after ? (
          <>
            {limited.counter}
            {after}
          </>
        ) : undefined
      }
      control={(aria) => (
        <textarea
          {...rest}
          {...aria}
          id={id}
          name={name}
          value={value}
          required={required}
          className={[mono ? "mono" : "", className ?? ""].filter(Boolean).join(" ") || undefined}
          spellCheck={mono ? false : rest.spellCheck}
          autoCapitalize={mono ? "off" : rest.autoCapitalize}
          onChange={(e) => onValueChange(e.target.value)}
        />
      )}
    />
  );
}

type SelectProps = Omit<SelectHTMLAttributes<HTMLSelectElement>, "id" | "name" | "form" | "value" | "onChange">;

interface SelectFieldProps extends Omit<BaseProps, keyof InputProps>, SelectProps {
  value: string;
  onValueChange: (value: string) => void;
  options: readonly { value: string; label: string }[];
  /** An empty first option, e.g. "Choose a member". */
  placeholder?: string;
}

export function SelectField({ form, name, label, hint, errors, describedBy, optional, value, onValueChange, options, placeholder, ...rest }: SelectFieldProps) {
  const id = fieldId(form, name);
  return (
    <LabelledField
      id={id}
      label={label}
      hint={hint}
      optional={optional}
      errors={errors}
      describedBy={describedBy}
      control={(aria) => (
        <select {...rest} {...aria} id={id} name={name} value={value} onChange={(e) => onValueChange(e.target.value)}>
          {placeholder !== undefined && <option value="">{placeholder}</option>}
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    />
  );
}

interface ChoiceOption {
  value: string;
  label: ReactNode;
  hint?: ReactNode;
}

interface ChoiceGroupBase {
  form: string;
  /** JSON body field; inputs are `<form>-<name>-<value>`, the error `<form>-<name>-error`. */
  name: string;
  legend: ReactNode;
  hint?: ReactNode;
  options: readonly ChoiceOption[];
  errors?: string[];
  disabled?: boolean;
}

interface CheckboxGroupProps extends ChoiceGroupBase {
  type: "checkbox";
  values: readonly string[];
  onValuesChange: (values: string[]) => void;
}

interface RadioGroupProps extends ChoiceGroupBase {
  type: "radio";
  value: string;
  onValueChange: (value: string) => void;
}

/** A fieldset of checkboxes (several values) or radio buttons (one value) for one JSON field. */
export function ChoiceGroup(props: CheckboxGroupProps | RadioGroupProps) {
  const { form, name, legend, hint, options, errors, disabled } = props;
  const id = fieldId(form, name);
  const hasError = !!errors && errors.length > 0;
  const isChecked = (v: string) => (props.type === "checkbox" ? props.values.includes(v) : props.value === v);
  const toggle = (v: string, checked: boolean) => {
    if (props.type === "checkbox") {
      const next = checked ? [...props.values.filter((x) => x !== v), v] : props.values.filter((x) => x !== v);
      // Keep the options' order, whatever order they were ticked in.
      props.onValuesChange(options.map((o) => o.value).filter((x) => next.includes(x)));
    } else if (checked) {
      props.onValueChange(v);
    }
  };
  return (
    <fieldset
      id={id}
      className={`field choice-group${hasError ? " field--invalid" : ""}`}
      aria-describedby={describedByIds(id, !!hint, hasError)}
      disabled={disabled}
    >
      <legend>{legend}</legend>
      {hint && (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      )}
      {options.map((o) => {
        const optionId = `${id}-${o.value}`;
        return (
          <div key={o.value} className="checkbox-row choice">
            <input
              id={optionId}
              name={name}
              type={props.type}
              value={o.value}
              checked={isChecked(o.value)}
              onChange={(e) => toggle(o.value, e.target.checked)}
              aria-invalid={hasError ? true : undefined}
              aria-describedby={o.hint ? `${optionId}-hint` : undefined}
            />
            <label htmlFor={optionId}>
              {o.label}
              {o.hint && (
                <span id={`${optionId}-hint`} className="choice-hint">
                  {o.hint}
                </span>
              )}
            </label>
          </div>
        );
      })}
      <FieldError id={id} errors={errors} />
    </fieldset>
  );
}
