import { useState, type FormEvent } from "react";
import { Link, useLocation } from "react-router";
import { api } from "../api/client";
import { linkToken } from "../lib/linktoken";
import { FormAlert } from "../components/FormAlert";
import { NewPasswordFields } from "../components/NewPasswordFields";
import { useApiForm, usePasswordPolicy, useTitle } from "../lib/hooks";

const LINK_ERRORS = new Set(["LINK_INVALID", "LINK_USED", "LINK_EXPIRED"]);

export function ResetPasswordPage() {
  useTitle("Choose a new password");
  const token = linkToken(useLocation());
  const policy = usePasswordPolicy();
  const { busy, error, fields, submit } = useApiForm("reset");
  const [password, setPassword] = useState("");
  const [passwordConfirmation, setPasswordConfirmation] = useState("");
  const [message, setMessage] = useState<string | null>(null);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await submit(() => api.POST("/api/auth/password/reset", { body: { token, password, passwordConfirmation } }));
    if (r?.ok) setMessage(r.data.message);
  };

  return (
    <section className="narrow">
      <h1>Choose a new password</h1>
      {message !== null ? (
        <div id="reset-success" className="panel panel--success" role="status">
          <p>{message}</p>
          <p>
            <Link to="/login">Sign in with your new password</Link>
          </p>
        </div>
      ) : (
        <form id="reset-form" noValidate onSubmit={onSubmit}>
          <FormAlert form="reset" error={error} shownFields={["password", "passwordConfirmation"]}>
            {error && (LINK_ERRORS.has(error.code) || (error.fields ?? []).some((f) => f.field === "token")) && (
              <p>
                <Link to="/forgot-password">Request a new reset link</Link>
              </p>
            )}
          </FormAlert>
          <NewPasswordFields
            form="reset"
            name="password"
            confirmationName="passwordConfirmation"
            label="New password"
            confirmationLabel="Confirm new password"
            password={password}
            confirmation={passwordConfirmation}
            onPasswordChange={setPassword}
            onConfirmationChange={setPasswordConfirmation}
            fields={fields}
            policy={policy}
          />
          <div className="actions">
            <button type="submit" className="button button--primary" disabled={busy} aria-busy={busy || undefined}>
              Set new password
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
