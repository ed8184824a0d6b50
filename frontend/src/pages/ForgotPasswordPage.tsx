import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { api } from "../api/client";
import { TextField } from "../components/Field";
import { FormAlert } from "../components/FormAlert";
import { useApiForm, useTitle } from "../lib/hooks";

export function ForgotPasswordPage() {
  useTitle("Forgot password");
  const { busy, error, fields, submit } = useApiForm("forgot");
  const [email, setEmail] = useState("");
  const [message, setMessage] = useState<string | null>(null);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await submit(() => api.POST("/api/auth/password/forgot", { body: { email } }));
    if (r?.ok) setMessage(r.data.message);
  };

  return (
    <section className="narrow">
      <h1>Forgot your password?</h1>
      {message !== null ? (
        <div id="forgot-success" className="panel panel--success" role="status">
          <p>{message}</p>
          <p>
            <Link to="/login">Back to sign in</Link>
          </p>
        </div>
      ) : (
        <>
          <p>Enter the email of your account and we will send you a link to choose a new password.</p>
          <form id="forgot-form" noValidate onSubmit={onSubmit}>
            <FormAlert form="forgot" error={error} shownFields={["email"]} />
            <TextField form="forgot" name="email" type="email" label="Email" autoComplete="email" required value={email} onValueChange={setEmail} errors={fields.email} />
            <div className="actions">
              <button type="submit" className="button button--primary" disabled={busy} aria-busy={busy || undefined}>
                Send reset link
              </button>
            </div>
          </form>
          <p>
            Remembered it? <Link to="/login">Sign in</Link>
          </p>
        </>
      )}
    </section>
  );
}
