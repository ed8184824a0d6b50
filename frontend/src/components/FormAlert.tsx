import type { ReactNode } from "react";
import { supportReference } from "../api/client";
import type { ApiError } from "../api/types";

interface FormAlertProps {
  /** Form name; the alert id is `<form>-error`. */
  form: string;
  error: ApiError | null;
  /** Fields shown next to their inputs; messages for any other field are listed here. */
  shownFields?: readonly string[];
  /** Extra help (e.g. a link to resend the activation email). */
  children?: ReactNode;
}

export function FormAlert({ form, error, shownFields = [], children }: FormAlertProps) {
  if (!error) return null;
  const other = (error.fields ?? []).filter((f) => !shownFields.includes(f.field));
  return (
    <div id={`${form}-error`} role="alert" className="alert alert--error" tabIndex={-1}>
      <p className="alert-message">{error.message}</p>
      {other.length > 0 && (
        <ul className="alert-list">
          {other.map((f, i) => (
            <li key={i}>{f.message}</li>
          ))}
        </ul>
      )}
      {children}
      <ErrorReference error={error} />
    </div>
  );
}

/** "Reference: <id>" for a server failure, to quote to support; nothing otherwise. */
export function ErrorReference({ error }: { error: ApiError }) {
  const ref = supportReference(error);
  return ref ? <p className="alert-ref">Reference: {ref}</p> : null;
}
