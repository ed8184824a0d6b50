import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { api } from "../api/client";
import { useAuth } from "../auth/AuthContext";
import { TextField } from "../components/Field";
import { FormAlert } from "../components/FormAlert";
import { NewPasswordFields } from "../components/NewPasswordFields";
import { days } from "../lib/format";
import { useApiForm, usePasswordPolicy, useTitle } from "../lib/hooks";

export function ChangePasswordPage() {
  useTitle("Change password");
  const { account, setAccount, signedOut, dismissExpiryWarning } = useAuth();
  // With two-step sign-in this browser's session stays signed in with a code of the app.
  const withCode = !!account?.mfaEnabled;
  const [code, setCode] = useState("");
  const policy = usePasswordPolicy();
  const { busy, error, fields, submit } = useApiForm("password");
  const [currentPassword, setCurrentPassword] = useState("");
  const [newPassword, setNewPassword] = useState("");
  const [newPasswordConfirmation, setNewPasswordConfirmation] = useState("");
  const [doneInDays, setDoneInDays] = useState<number | null>(null);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await submit(() =>
      api.POST("/api/account/password", {
        body: { currentPassword, newPassword, newPasswordConfirmation, ...(withCode ? { code: code.replace(/\s/g, "") } : {}) },
      }),
    );
    if (!r) return;
    if (r.ok) {
      setAccount(r.data);
      dismissExpiryWarning();
      setCurrentPassword("");
      setNewPassword("");
      setNewPasswordConfirmation("");
      setCode("");
      setDoneInDays(r.data.passwordExpiresInDays);
    } else if (r.status === 401 && (r.error.code === "UNAUTHENTICATED" || r.error.code === "SIGN_IN_AGAIN")) {
      signedOut();
    }
  };

  return (
    <section className="narrow">
      <h1>Change password</h1>
      {doneInDays !== null ? (
        <div id="change-password-success" className="panel panel--success" role="status">
          <p>
            <strong>Your password has been changed.</strong> It is valid for {days(doneInDays)}.
          </p>
          <p>
            <Link to="/account">Back to my account</Link>
          </p>
        </div>
      ) : (
        <form id="password-form" noValidate onSubmit={onSubmit}>
          <FormAlert form="password" error={error} shownFields={["currentPassword", "newPassword", "newPasswordConfirmation", "code"]} />
          <TextField
            form="password"
            name="currentPassword"
            type="password"
            label="Current password"
            autoComplete="current-password"
            required
            value={currentPassword}
            onValueChange={setCurrentPassword}
            errors={fields.currentPassword}
          />
          <NewPasswordFields
            form="password"
            name="newPassword"
            confirmationName="newPasswordConfirmation"
            label="New password"
            confirmationLabel="Confirm new password"
            password={newPassword}
            confirmation={newPasswordConfirmation}
            onPasswordChange={setNewPassword}
            onConfirmationChange={setNewPasswordConfirmation}
            fields={fields}
            policy={policy}
          />
          {withCode && (
            <TextField
              form="password"
              name="code"
              label="Code from your authenticator app"
              hint="Two-step sign-in is on: enter the 6-digit code the app shows now."
              inputMode="numeric"
              autoComplete="one-time-code"
              required
              value={code}
              onValueChange={setCode}
              errors={fields.code}
            />
          )}
          <div className="actions">
            <button type="submit" className="button button--primary" disabled={busy} aria-busy={busy || undefined}>
              Change password
            </button>
            <Link to="/account">Cancel</Link>
          </div>
        </form>
      )}
    </section>
  );
}
