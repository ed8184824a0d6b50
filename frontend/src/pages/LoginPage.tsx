import { useEffect, useState, type FormEvent } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { api } from "../api/client";
import type { LoginResponse, MFAChallenge } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { MFA_SETUP_PATH } from "../components/RequireAuth";
import { TextField } from "../components/Field";
import { FormAlert } from "../components/FormAlert";
import { safeNext } from "../lib/format";
import { useApiForm, useTitle } from "../lib/hooks";

export function LoginPage() {
  useTitle("Sign in");
  const auth = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const { busy, error, fields, submit } = useApiForm("login");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  // Keep the notice for as long as this page is shown, even after the flag is cleared.
  const [signedOutNotice] = useState(auth.signOutNotice);
  const { clearSignOutNotice } = auth;

  useEffect(() => {
    clearSignOutNotice();
  }, [clearSignOutNotice]);

  const codeForm = useApiForm("login-code");
  // Set once the password was right and the account has two-step sign-in.
  const [challenge, setChallenge] = useState<MFAChallenge | null>(null);
  const [code, setCode] = useState("");
  const [challengeEnded, setChallengeEnded] = useState<string | null>(null);

  const done = (r: LoginResponse) => {
    auth.signedIn(r);
    // Operations staff without an authenticator app set one up first; without a page to
    // return to, operations staff start at their inbox.
    const where = r.account.mfaSetupRequired ? MFA_SETUP_PATH : params.get("next") ? next : r.account.operations ? "/ops" : "/account";
    navigate(where, { replace: true });
  };

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setChallengeEnded(null);
    const r = await submit(() => api.POST("/api/auth/login", { body: { email, password } }));
    if (!r?.ok) return;
    if ("challenge" in r.data) {
      setChallenge(r.data);
      setCode("");
      return;
    }
    done(r.data);
  };

  const onCode = async (e: FormEvent) => {
    e.preventDefault();
    if (!challenge) return;
    const r = await codeForm.submit(() =>
      api.POST("/api/auth/login/mfa", { body: { email, challenge: challenge.challenge, code: code.replace(/\s/g, "") } }),
    );
    if (!r) return;
    if (r.ok) {
      done(r.data);
    } else if (r.error.code === "MFA_CHALLENGE_ENDED") {
      // Back to the password: this sign-in cannot be finished any more.
      setChallenge(null);
      setPassword("");
      setChallengeEnded(r.error.message);
    }
  };

  if (challenge) {
    return (
      <section className="narrow">
        <h1>Sign in</h1>
        <p id="login-code-intro">Open the authenticator app you set up for this portal and enter the 6-digit code it shows for {email}.</p>
        <form id="login-code-form" noValidate onSubmit={onCode}>
          <FormAlert form="login-code" error={codeForm.error} shownFields={["code"]} />
          <TextField
            form="login-code"
            name="code"
            label="Code from the app"
            inputMode="numeric"
            autoComplete="one-time-code"
            required
            autoFocus
            value={code}
            onValueChange={setCode}
            errors={codeForm.fields.code}
          />
          <div className="actions">
            <button type="submit" className="button button--primary" disabled={codeForm.busy} aria-busy={codeForm.busy || undefined}>
              Continue
            </button>
            <button
              id="login-code-cancel"
              type="button"
              className="button button--secondary"
              onClick={() => {
                setChallenge(null);
                setPassword("");
              }}
            >
              Start again
            </button>
          </div>
        </form>
      </section>
    );
  }

  return (
    <section className="narrow">
      <h1>Sign in</h1>
      {challengeEnded && (
        <div id="login-challenge-ended" className="panel panel--warning" role="status">
          {challengeEnded}
        </div>
      )}
      {signedOutNotice && (
        <div id="signed-out-notice" className="panel panel--info" role="status">
          You are signed out.
        </div>
      )}
      <form id="login-form" noValidate onSubmit={onSubmit}>
        <FormAlert form="login" error={error} shownFields={["email", "password"]}>
          {error?.code === "NOT_ACTIVATED" && (
            <p>
              <Link to="/activation/resend">Resend the activation email</Link>
            </p>
          )}
          {error?.code === "PASSWORD_EXPIRED" && (
            <p>
              <Link to="/forgot-password">Reset your password</Link>
            </p>
          )}
        </FormAlert>
        <TextField form="login" name="email" type="email" label="Email" autoComplete="username" required value={email} onValueChange={setEmail} errors={fields.email} />
        <TextField form="login" name="password" type="password" label="Password" autoComplete="current-password" required value={password} onValueChange={setPassword} errors={fields.password} />
        <div className="actions">
          <button type="submit" className="button button--primary" disabled={busy} aria-busy={busy || undefined}>
            Sign in
          </button>
          <Link to="/forgot-password">Forgot password?</Link>
        </div>
      </form>
      <p className="after-form">
        <Link to={params.get("next") ? `/signup?next=${encodeURIComponent(next)}` : "/signup"}>New here? Create an account</Link>
      </p>
    </section>
  );
}
