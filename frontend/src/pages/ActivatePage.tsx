import { useState, type FormEvent } from "react";
import { Link, useLocation } from "react-router";
import { api } from "../api/client";
import { linkToken } from "../lib/linktoken";
import { CheckboxField, TextField } from "../components/Field";
import { ErrorReference, FormAlert } from "../components/FormAlert";
import { NewPasswordFields } from "../components/NewPasswordFields";
import { TermsDetails } from "../components/Terms";
import { useApiForm, usePasswordPolicy, useTitle } from "../lib/hooks";

const LINK_ERRORS = new Set(["LINK_INVALID", "LINK_USED", "LINK_EXPIRED"]);

type Activated = { email: string; message: string };

/**
 * The page an activation link opens. Opening it activates nothing (a mail scanner that
 * follows the link must not): the person activating enters the password chosen at sign-up,
 * or chooses a new one, which replaces it. So whoever owns the mailbox ends up holding the
 * account's only password, even if someone else signed up with their address.
 */
export function ActivatePage() {
  useTitle("Activate your account");
  const token = linkToken(useLocation());
  const policy = usePasswordPolicy();
  const { busy, error, fields, submit, reset } = useApiForm("activation");
  const [choosing, setChoosing] = useState(false);
  const [password, setPassword] = useState("");
  const [newPassword, setNewPassword] = useState("");
  const [newPasswordConfirmation, setNewPasswordConfirmation] = useState("");
  // With a new password the terms are accepted again: whoever accepted them at sign-up
  // chose the password being replaced, and may not be this person.
  const [acceptTerms, setAcceptTerms] = useState(false);
  const [done, setDone] = useState<Activated | null>(null);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const body = choosing ? { token, password: "", newPassword, newPasswordConfirmation, acceptTerms } : { token, password };
    const r = await submit(() => api.POST("/api/auth/activate", { body }));
    if (r?.ok) setDone(r.data);
  };

  const toggle = () => {
    reset();
    setChoosing((c) => !c);
  };

  if (done) {
    return (
      <section className="narrow">
        <h1>Activate your account</h1>
        <div id="activate-success" className="panel panel--success" role="status">
          <p>
            <strong>{done.message}</strong>
          </p>
          <p>
            Your account {done.email && <strong>{done.email}</strong>} is now active. <Link to="/login">Sign in</Link> to get started.
          </p>
        </div>
      </section>
    );
  }

  if (error && LINK_ERRORS.has(error.code)) {
    return (
      <section className="narrow">
        <h1>Activate your account</h1>
        <div id="activate-error" className="panel panel--error" role="alert">
          <p>
            <strong>{error.message}</strong>
          </p>
          {error.code === "LINK_USED" ? (
            <p>
              If you have already activated your account, <Link to="/login">sign in</Link>. Otherwise you can{" "}
              <Link to="/activation/resend">request a new activation link</Link>.
            </p>
          ) : (
            <p>
              <Link to="/activation/resend">Request a new activation link</Link>.
            </p>
          )}
          <ErrorReference error={error} />
        </div>
      </section>
    );
  }

  return (
    <section className="narrow">
      <h1>Activate your account</h1>
      <p id="activation-intro">
        {choosing
          ? "Choose a new password for this account. It replaces the password chosen at sign-up, which then no longer works."
          : "To activate your account, enter the password you chose when you signed up."}
      </p>
      <form id="activation-form" noValidate onSubmit={onSubmit}>
        <FormAlert form="activation" error={error} shownFields={choosing ? ["newPassword", "newPasswordConfirmation", "acceptTerms"] : ["password"]} />
        {choosing ? (
          <>
            <NewPasswordFields
              form="activation"
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
            <TermsDetails />
            <CheckboxField
              form="activation"
              name="acceptTerms"
              label="I accept the Terms & Conditions"
              required
              checked={acceptTerms}
              onCheckedChange={setAcceptTerms}
              errors={fields.acceptTerms}
            />
          </>
        ) : (
          <TextField
            form="activation"
            name="password"
            type="password"
            label="Password"
            autoComplete="current-password"
            required
            value={password}
            onValueChange={setPassword}
            errors={fields.password}
          />
        )}
        <div className="actions">
          <button type="submit" className="button button--primary" disabled={busy} aria-busy={busy || undefined}>
            {choosing ? "Set password and activate" : "Activate account"}
          </button>
        </div>
      </form>
      <p className="after-form">
        <button type="button" id="activation-toggle" className="button button--secondary" onClick={toggle}>
          {choosing ? "I know the password chosen at sign-up" : "Don't know that password? Choose a new one"}
        </button>
      </p>
      {!choosing && (
        <p className="hint">
          If someone else signed up with your email address, choose a new password: the account becomes yours and theirs
          no longer works.
        </p>
      )}
    </section>
  );
}
