import { useEffect, useState, type FormEvent } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { api } from "../api/client";
import { useAuth } from "../auth/AuthContext";
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

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await submit(() => api.POST("/api/auth/login", { body: { email, password } }));
    if (r?.ok) {
      auth.signedIn(r.data);
      // Without a page to return to, operations staff start at their inbox.
      navigate(params.get("next") ? next : r.data.account.operations ? "/ops" : "/account", { replace: true });
    }
  };

  return (
    <section className="narrow">
      <h1>Sign in</h1>
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
