import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { api } from "../api/client";
import type { Account, Preferences } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { CheckboxField, TextField } from "../components/Field";
import { FormAlert } from "../components/FormAlert";
import { TwoStepSignIn } from "../components/TwoStepSignIn";
import { days, formatDate } from "../lib/format";
import { useApiForm, useTitle } from "../lib/hooks";
import { useSuccessMessage } from "../lib/feedback";
import { limitOf } from "../lib/limits";

const PREFERENCES: { name: keyof Preferences; label: string; hint: string }[] = [
  { name: "passwordExpiry", label: "Password expiry reminders", hint: "A reminder before your portal password expires." },
  { name: "requestUpdates", label: "Updates on my requests", hint: "When a request you made (for example production access) changes status." },
  { name: "certificateExpiry", label: "Certificate expiry reminders", hint: "A reminder before a certificate registered for your organization expires." },
  { name: "productNews", label: "Product news", hint: "New APIs, changes to existing ones and planned maintenance." },
];

const STATUS_LABEL: Record<string, string> = { ACTIVE: "Active", PENDING_ACTIVATION: "Pending activation" };

export function AccountPage() {
  useTitle("My account");
  const { account, expiryWarning, dismissExpiryWarning } = useAuth();
  if (!account) return null; // RequireAuth guarantees an account
  return (
    <>
      <h1>My account</h1>
      {expiryWarning && (
        <div id="password-expiry-warning" className="panel panel--warning" role="status">
          <p>
            <strong>Your password expires in {days(account.passwordExpiresInDays)}.</strong>{" "}
            <Link to="/account/password">Change your password</Link> now to keep access to the portal.
          </p>
          <button type="button" className="button button--secondary button--small" onClick={dismissExpiryWarning}>
            Dismiss
          </button>
        </div>
      )}
      {account.mfaSetupRequired ? (
        // Nothing else answers until the app is set up.
        <TwoStepSignIn account={account} />
      ) : (
        <>
          <AccountDetails account={account} />
          <TwoStepSignIn account={account} />
          <EditNameForm account={account} />
          <PreferencesForm account={account} />
        </>
      )}
    </>
  );
}

function AccountDetails({ account }: { account: Account }) {
  return (
    <section aria-labelledby="details-heading" className="section">
      <h2 id="details-heading">Your details</h2>
      <dl className="details">
        <dt>Name</dt>
        <dd id="account-name">{account.fullName}</dd>
        <dt>Email</dt>
        <dd id="account-email">{account.email}</dd>
        {account.organizationCode && (
          <>
            <dt>Organization code</dt>
            <dd id="account-organizationCode">
              <code>{account.organizationCode}</code>
            </dd>
          </>
        )}
        <dt>Status</dt>
        <dd id="account-status">{STATUS_LABEL[account.status] ?? account.status}</dd>
        {account.operations && (
          <>
            <dt>Role</dt>
            <dd id="account-role">Bank operations</dd>
          </>
        )}
        <dt>Member since</dt>
        <dd id="account-createdAt">{formatDate(account.createdAt)}</dd>
        <dt>Password last changed</dt>
        <dd id="account-passwordChangedAt">{formatDate(account.passwordChangedAt)}</dd>
        <dt>Password expires</dt>
        <dd id="account-passwordExpires">
          in {days(account.passwordExpiresInDays)} ({formatDate(account.passwordExpiresAt)}) ·{" "}
          <Link to="/account/password">Change password</Link>
        </dd>
      </dl>
    </section>
  );
}

function EditNameForm({ account }: { account: Account }) {
  const { setAccount, signedOut } = useAuth();
  const { busy, error, fields, submit } = useApiForm("account");
  const [fullName, setFullName] = useState(account.fullName);
  const [saved, setSaved] = useSuccessMessage(false);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const r = await submit(() => api.PATCH("/api/account", { body: { fullName } }));
    if (!r) return;
    if (r.ok) {
      setAccount(r.data);
      setFullName(r.data.fullName);
      setSaved(true);
    } else if (r.status === 401) {
      signedOut();
    }
  };

  return (
    <section aria-labelledby="name-heading" className="section">
      <h2 id="name-heading">Edit name</h2>
      <form id="account-form" noValidate onSubmit={onSubmit}>
        <FormAlert form="account" error={error} shownFields={["fullName"]} />
        <TextField
          form="account"
          name="fullName"
          label="Full name"
          autoComplete="name"
          required
          limit={limitOf("PATCH /api/account", "fullName")}
          value={fullName}
          onValueChange={(v) => {
            setFullName(v);
            setSaved(false);
          }}
          errors={fields.fullName}
        />
        <div className="actions">
          <button type="submit" className="button button--primary" disabled={busy} aria-busy={busy || undefined}>
            Save name
          </button>
          {saved && (
            <p id="account-saved" className="saved" role="status">
              Your name has been saved.
            </p>
          )}
        </div>
      </form>
    </section>
  );
}

function PreferencesForm({ account }: { account: Account }) {
  const { setAccount, signedOut } = useAuth();
  const { busy, error, fields, submit } = useApiForm("prefs");
  const [prefs, setPrefs] = useState<Preferences>(account.preferences);
  const [saved, setSaved] = useSuccessMessage(false);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const r = await submit(() => api.PUT("/api/account/preferences", { body: prefs }));
    if (!r) return;
    if (r.ok) {
      setAccount(r.data);
      setPrefs(r.data.preferences);
      setSaved(true);
    } else if (r.status === 401) {
      signedOut();
    }
  };

  return (
    <section aria-labelledby="prefs-heading" className="section">
      <h2 id="prefs-heading">Communication preferences</h2>
      <form id="prefs-form" noValidate onSubmit={onSubmit}>
        <FormAlert form="prefs" error={error} shownFields={PREFERENCES.map((p) => p.name)} />
        <fieldset>
          <legend>Email me about</legend>
          <p className="hint" id="prefs-always">
            Activation, password-reset and security emails are always sent, whatever you choose here.
          </p>
          {PREFERENCES.map((p) => (
            <CheckboxField
              key={p.name}
              form="prefs"
              name={p.name}
              label={p.label}
              hint={p.hint}
              checked={prefs[p.name]}
              onCheckedChange={(checked) => {
                setPrefs((cur) => ({ ...cur, [p.name]: checked }));
                setSaved(false);
              }}
              errors={fields[p.name]}
            />
          ))}
        </fieldset>
        <div className="actions">
          <button type="submit" className="button button--primary" disabled={busy} aria-busy={busy || undefined}>
            Save preferences
          </button>
          {saved && (
            <p id="prefs-saved" className="saved" role="status">
              Your preferences have been saved.
            </p>
          )}
        </div>
      </form>
    </section>
  );
}
