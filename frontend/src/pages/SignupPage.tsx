import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { api } from "../api/client";
import { CheckboxField, TextField } from "../components/Field";
import { FormAlert } from "../components/FormAlert";
import { NewPasswordFields } from "../components/NewPasswordFields";
import { TermsDetails } from "../components/Terms";
import { safeNext } from "../lib/format";
import { useApiForm, usePasswordPolicy, useTitle } from "../lib/hooks";
import { limitOf } from "../lib/limits";

const FIELDS = ["fullName", "email", "password", "passwordConfirmation", "organizationCode", "acceptTerms"] as const;

export function SignupPage() {
  useTitle("Sign up");
  const policy = usePasswordPolicy();
  const { busy, error, fields, submit } = useApiForm("signup");
  const [fullName, setFullName] = useState("");
  const [password, setPassword] = useState("");
  const [passwordConfirmation, setPasswordConfirmation] = useState("");
  const [organizationCode, setOrganizationCode] = useState("");
  const [acceptTerms, setAcceptTerms] = useState(false);
  const [createdEmail, setCreatedEmail] = useState<string | null>(null);
  const [createdMessage, setCreatedMessage] = useState("");
  // Where to go after signing in (e.g. back to an invitation): internal paths only.
  const [params] = useSearchParams();
  // An invitation's link brings the address it was sent to: the account must have it to accept.
  const [email, setEmail] = useState(() => params.get("email")?.trim() ?? "");
  const rawNext = params.get("next");
  const next = rawNext ? safeNext(rawNext, "") : "";
  const loginLink = next ? `/login?next=${encodeURIComponent(next)}` : "/login";

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const code = organizationCode.trim();
    const r = await submit(() =>
      api.POST("/api/auth/signup", {
        body: {
          fullName,
          email,
          password,
          passwordConfirmation,
          ...(code ? { organizationCode: code } : {}),
          acceptTerms,
        },
      }),
    );
    if (r?.ok) {
      setCreatedMessage(r.data.message);
      setCreatedEmail(r.data.email || email);
    }
  };

  if (createdEmail !== null) {
    return (
      <section className="narrow">
        <div id="signup-success" className="panel panel--success" role="status">
          <h1>Check your email</h1>
          {/* The same words whether or not the address already had an account: the email tells its owner which. */}
          <p>
            We sent an email to <strong>{createdEmail}</strong>.
          </p>
          <p>{createdMessage}</p>
          <p>
            Didn't get the email? Check your spam folder, or{" "}
            <Link to="/activation/resend">send the activation email again</Link>.
          </p>
          {next && (
            <p id="signup-next">
              Once your account is active, <Link to={loginLink}>sign in to continue</Link> where you left off.
            </p>
          )}
        </div>
      </section>
    );
  }

  return (
    <section className="narrow">
      <h1>Create your developer account</h1>
      <p>
        Already have an account? <Link to={loginLink}>Sign in</Link>
      </p>
      <form id="signup-form" noValidate onSubmit={onSubmit}>
        <FormAlert form="signup" error={error} shownFields={FIELDS} />
        <TextField form="signup" name="fullName" label="Full name" autoComplete="name" required limit={limitOf("POST /api/auth/signup", "fullName")} value={fullName} onValueChange={setFullName} errors={fields.fullName} />
        <TextField form="signup" name="email" type="email" label="Email" autoComplete="email" required value={email} onValueChange={setEmail} errors={fields.email} />
        <NewPasswordFields
          form="signup"
          name="password"
          confirmationName="passwordConfirmation"
          label="Password"
          confirmationLabel="Confirm password"
          password={password}
          confirmation={passwordConfirmation}
          onPasswordChange={setPassword}
          onConfirmationChange={setPasswordConfirmation}
          fields={fields}
          policy={policy}
        />
        <TextField
          form="signup"
          name="organizationCode"
          label="Organization code"
          optional
          hint="Given by your organization's owner after onboarding; leave empty if you are the first"
          autoComplete="off"
          value={organizationCode}
          onValueChange={setOrganizationCode}
          errors={fields.organizationCode}
        />
        <TermsDetails />
        <CheckboxField
          form="signup"
          name="acceptTerms"
          label="I accept the Terms & Conditions"
          required
          checked={acceptTerms}
          onCheckedChange={setAcceptTerms}
          errors={fields.acceptTerms}
        />
        <div className="actions">
          <button type="submit" className="button button--primary" disabled={busy} aria-busy={busy || undefined}>
            Create account
          </button>
        </div>
      </form>
    </section>
  );
}
