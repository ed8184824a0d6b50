import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { api } from "../api/client";
import { TextField } from "../components/Field";
import { FormAlert } from "../components/FormAlert";
import { useApiForm, useTitle } from "../lib/hooks";

export function ResendActivationPage() {
  useTitle("Resend activation email");
  const { busy, error, fields, submit } = useApiForm("resend");
  const [email, setEmail] = useState("");
  const [message, setMessage] = useState<string | null>(null);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await submit(() => api.POST("/api/auth/activation/resend", { body: { email } }));
    if (r?.ok) setMessage(r.data.message);
  };

  return (
    <section className="narrow">
      <h1>Resend activation email</h1>
      {message !== null ? (
        <div id="resend-success" className="panel panel--success" role="status">
          <p>{message}</p>
          <p>
            Once activated, <Link to="/login">sign in</Link>.
          </p>
        </div>
      ) : (
        <>
          <p>Enter the email you signed up with and we will send you a new activation link.</p>
          <form id="resend-form" noValidate onSubmit={onSubmit}>
            <FormAlert form="resend" error={error} shownFields={["email"]} />
            <TextField form="resend" name="email" type="email" label="Email" autoComplete="email" required value={email} onValueChange={setEmail} errors={fields.email} />
            <div className="actions">
              <button type="submit" className="button button--primary" disabled={busy} aria-busy={busy || undefined}>
                Send activation email
              </button>
            </div>
          </form>
        </>
      )}
    </section>
  );
}
