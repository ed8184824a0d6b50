import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { api } from "../api/client";
import { TextField } from "../components/Field";
import { FormAlert } from "../components/FormAlert";
import { PasswordChecklist } from "../components/PasswordChecklist";
import { useApiForm, usePasswordPolicy, useTitle } from "../lib/hooks";

const LINK_ERRORS = new Set(["LINK_INVALID", "LINK_USED", "LINK_EXPIRED"]);

export function ResetPasswordPage() {
  useTitle("Choose a new password");
  const [params] = useSearchParams();
  const token = params.get("token") ?? "";
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
          <TextField
            form="reset"
            name="password"
            type="password"
            label="New password"
            autoComplete="new-password"
            required
            value={password}
            onValueChange={setPassword}
            errors={fields.password}
            describedBy={policy ? "reset-password-rules" : undefined}
          />
          <TextField
            form="reset"
            name="passwordConfirmation"
            type="password"
            label="Confirm new password"
            autoComplete="new-password"
            required
            value={passwordConfirmation}
            onValueChange={setPasswordConfirmation}
            errors={fields.passwordConfirmation}
          />
          <PasswordChecklist id="reset-password-rules" policy={policy} password={password} confirmation={passwordConfirmation} />
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
