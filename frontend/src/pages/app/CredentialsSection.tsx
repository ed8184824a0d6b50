import { useState, type FormEvent } from "react";
import { api } from "../../api/client";
import type { App, Credential, Organization, VerifyResult } from "../../api/types";
import { useAuth } from "../../auth/AuthContext";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { TextField } from "../../components/Field";
import { FormAlert } from "../../components/FormAlert";
import { OneTimeSecret } from "../../components/OneTimeSecret";
import { appPermissions, type IssuedSecret } from "../../lib/apps";
import { formatDateTime } from "../../lib/format";
import { useApiForm } from "../../lib/hooks";
import { useSuccessMessage } from "../../lib/feedback";
import { limitOf } from "../../lib/limits";
import { CopyButton } from "../../components/CopyButton";

interface Props {
  org: Organization;
  app: App;
  credentials: readonly Credential[];
  issued: IssuedSecret | null;
  onIssued: (issued: IssuedSecret | null) => void;
  /** Loads the app again; messages wait for it, so the list and the message agree. */
  onChanged: () => Promise<void>;
}

type Pending = { kind: "reset" | "revoke"; credential: Credential } | null;

/** A production credential created by going live has no secret until someone generates it. */
export function secretIssued(c: Credential): boolean {
  return c.secretIssued !== false;
}

/** Oldest first, as they were created (the server lists them by client ID). */
function byAge(list: readonly Credential[]): Credential[] {
  return [...list].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.name.localeCompare(b.name));
}

export function CredentialsSection({ org, app, credentials, issued, onIssued, onChanged }: Props) {
  const { signedOut } = useAuth();
  const perms = appPermissions(org);
  const { busy, error, submit } = useApiForm("credentials");
  const [open, setOpen] = useState<{ clientId: string; form: "verify" | "rename" } | null>(null);
  const [pending, setPending] = useState<Pending>(null);
  const [status, setStatus] = useSuccessMessage("");
  const path = (clientId: string) => ({ path: { orgId: org.id, appId: app.id, clientId } });

  const toggle = (clientId: string, form: "verify" | "rename") => setOpen((o) => (o?.clientId === clientId && o.form === form ? null : { clientId, form }));

  const newSecret = async (c: Credential, reason: "reset" | "generated") => {
    setStatus("");
    const r = await submit(() => api.POST("/api/organizations/{orgId}/apps/{appId}/credentials/{clientId}/reset", { params: path(c.clientId ?? "") }));
    if (r?.ok) {
      await onChanged();
      onIssued({ credential: r.data, reason });
    } else if (r?.status === 401) signedOut();
  };

  const confirm = async () => {
    const p = pending;
    setPending(null);
    if (!p) return;
    if (p.kind === "reset") return newSecret(p.credential, "reset");
    setStatus("");
    const r = await submit(() => api.DELETE("/api/organizations/{orgId}/apps/{appId}/credentials/{clientId}", { params: path(p.credential.clientId ?? "") }));
    if (r?.ok) {
      if (issued?.credential.clientId === p.credential.clientId) onIssued(null);
      await onChanged();
      setStatus(`The credential ${p.credential.name} is revoked.`);
    } else if (r?.status === 401) signedOut();
  };

  return (
    <section id="credentials" aria-labelledby="credentials-heading" className="section">
      <h2 id="credentials-heading">Credentials</h2>
      <p>
        Your app signs in to the bank's authorization server with a client ID and its secret. The bank keeps only a hash of each
        secret: it is shown once, when it is created or reset. Use a second credential to rotate a secret without downtime.
      </p>
      {issued && <OneTimeSecret issued={issued} onDone={() => onIssued(null)} />}
      <FormAlert form="credentials" error={error} />
      <p id="credentials-status" className="saved-plain" role="status">
        {status}
      </p>
      {!perms.seeClientIds && (
        <p id="credentials-viewer" className="muted">
          As a Viewer you see the app's credentials without their client IDs.
        </p>
      )}
      <ul id="credentials-list" className="credential-list">
        {byAge(credentials).map((c, i) => {
          const cid = c.clientId ?? "";
          const key = cid || `hidden-${i}`;
          // A secret just generated counts at once, so its button cannot be pressed twice.
          const hasSecret = secretIssued(c) || issued?.credential.clientId === cid;
          return (
            <li key={key} id={`credential-${key}`} className="card credential" data-client-id={cid || undefined}>
              <h3 className="credential-name">{c.name}</h3>
              <dl className="card-facts">
                <dt>Client ID</dt>
                <dd>
                  {cid ? (
                    <>
                      <code className="fingerprint client-id">{cid}</code> <CopyButton id={`credential-copy-${cid}`} what="Client ID" text={cid} />
                    </>
                  ) : (
                    <span className="muted">Hidden from Viewers</span>
                  )}
                </dd>
                <dt>Created</dt>
                <dd>{formatDateTime(c.createdAt)}</dd>
                <dt>Secret</dt>
                <dd className="credential-secret">{hasSecret ? `Set ${formatDateTime(c.secretResetAt)}` : "Not generated yet"}</dd>
              </dl>
              {perms.change && cid && (
                <div className="row-actions">
                  {hasSecret ? (
                    <>
                      <button
                        id={`credential-verify-${cid}`}
                        type="button"
                        className="button button--secondary button--small"
                        aria-expanded={open?.clientId === cid && open.form === "verify"}
                        onClick={() => toggle(cid, "verify")}
                      >
                        Verify a secret<span className="visually-hidden"> of {c.name}</span>
                      </button>
                      <button
                        id={`credential-reset-${cid}`}
                        type="button"
                        className="button button--secondary button--small"
                        disabled={busy}
                        onClick={() => setPending({ kind: "reset", credential: c })}
                      >
                        Reset secret<span className="visually-hidden"> of {c.name}</span>
                      </button>
                    </>
                  ) : (
                    <button id={`credential-generate-${cid}`} type="button" className="button button--primary button--small" disabled={busy} onClick={() => void newSecret(c, "generated")}>
                      Generate the production secret
                    </button>
                  )}
                  <button
                    id={`credential-rename-${cid}`}
                    type="button"
                    className="button button--secondary button--small"
                    aria-expanded={open?.clientId === cid && open.form === "rename"}
                    onClick={() => toggle(cid, "rename")}
                  >
                    Rename<span className="visually-hidden"> {c.name}</span>
                  </button>
                  <button
                    id={`credential-revoke-${cid}`}
                    type="button"
                    className="button button--danger-outline button--small"
                    disabled={busy}
                    onClick={() => setPending({ kind: "revoke", credential: c })}
                  >
                    Revoke<span className="visually-hidden"> {c.name}</span>
                  </button>
                </div>
              )}
              {open?.clientId === cid && open.form === "verify" && <VerifyForm org={org} app={app} credential={c} />}
              {open?.clientId === cid && open.form === "rename" && (
                <RenameCredentialForm
                  org={org}
                  app={app}
                  credential={c}
                  onRenamed={async (name) => {
                    await onChanged();
                    setOpen(null);
                    setStatus(`The credential is now called ${name}.`);
                  }}
                />
              )}
            </li>
          );
        })}
      </ul>
      {perms.change && (
        <AddCredentialForm
          org={org}
          app={app}
          onAdded={async (credential) => {
            setStatus("");
            await onChanged();
            onIssued({ credential, reason: "added" });
          }}
        />
      )}

      <ConfirmDialog
        id="reset-dialog"
        open={pending?.kind === "reset"}
        title={pending ? `Reset the secret of ${pending.credential.name}?` : ""}
        confirmLabel="Reset secret"
        destructive
        busy={busy}
        onConfirm={() => void confirm()}
        onCancel={() => setPending(null)}
      >
        <p>The current secret stops working at once: your app cannot sign in with it any more. The new secret is shown only once.</p>
      </ConfirmDialog>
      <ConfirmDialog
        id="revoke-dialog"
        open={pending?.kind === "revoke"}
        title={pending ? `Revoke ${pending.credential.name}?` : ""}
        confirmLabel="Revoke credential"
        destructive
        busy={busy}
        onConfirm={() => void confirm()}
        onCancel={() => setPending(null)}
      >
        <p>Its client ID and secret stop working at once and cannot be restored. An app keeps at least one credential.</p>
      </ConfirmDialog>
    </section>
  );
}

function VerifyForm({ org, app, credential }: { org: Organization; app: App; credential: Credential }) {
  const { signedOut } = useAuth();
  const cid = credential.clientId ?? "";
  const form = `verify-${cid}`;
  const { busy, error, fields, submit } = useApiForm(form);
  const [secret, setSecret] = useState("");
  const [result, setResult] = useState<VerifyResult | null>(null);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setResult(null);
    const r = await submit(() =>
      api.POST("/api/organizations/{orgId}/apps/{appId}/credentials/{clientId}/verify", {
        params: { path: { orgId: org.id, appId: app.id, clientId: cid } },
        body: { secret },
      }),
    );
    if (r?.ok) setResult(r.data);
    else if (r?.status === 401) signedOut();
  };

  return (
    <form id={`${form}-form`} className="inline-form" noValidate onSubmit={onSubmit} aria-label={`Verify a secret of ${credential.name}`}>
      <FormAlert form={form} error={error} shownFields={["secret"]} />
      <TextField
        form={form}
        name="secret"
        label="Secret to check"
        hint="Checked by the bank against the stored hash; nothing is saved."
        type="password"
        autoComplete="off"
        spellCheck={false}
        required
        value={secret}
        onValueChange={(v) => {
          setSecret(v);
          setResult(null);
        }}
        errors={fields.secret}
      />
      <div className="actions">
        <button type="submit" className="button button--primary button--small" disabled={busy} aria-busy={busy || undefined}>
          Verify
        </button>
      </div>
      <div id={`${form}-result`} role="status" className="verify-result-live">
        {result && (
          <p className={`verify-result ${result.valid ? "verify-result--valid" : "verify-result--invalid"}`} data-valid={result.valid}>
            <strong>{result.valid ? "Yes, this is the secret." : "No, this is not the secret."}</strong> {result.message}
          </p>
        )}
      </div>
    </form>
  );
}

function RenameCredentialForm({ org, app, credential, onRenamed }: { org: Organization; app: App; credential: Credential; onRenamed: (name: string) => Promise<void> }) {
  const { signedOut } = useAuth();
  const cid = credential.clientId ?? "";
  const form = `rename-${cid}`;
  const { busy, error, fields, submit } = useApiForm(form);
  const [name, setName] = useState(credential.name);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await submit(() =>
      api.PATCH("/api/organizations/{orgId}/apps/{appId}/credentials/{clientId}", {
        params: { path: { orgId: org.id, appId: app.id, clientId: cid } },
        body: { name: name.trim() },
      }),
    );
    if (r?.ok) await onRenamed(r.data.name);
    else if (r?.status === 401) signedOut();
  };

  return (
    <form id={`${form}-form`} className="inline-form" noValidate onSubmit={onSubmit} aria-label={`Rename ${credential.name}`}>
      <FormAlert form={form} error={error} shownFields={["name"]} />
      <TextField form={form} name="name" label="Credential name" autoComplete="off" limit={limitOf("PATCH /api/organizations/{orgId}/apps/{appId}/credentials/{clientId}", "name")} required value={name} onValueChange={setName} errors={fields.name} />
      <div className="actions">
        <button type="submit" className="button button--primary button--small" disabled={busy} aria-busy={busy || undefined}>
          Save name
        </button>
      </div>
    </form>
  );
}

function AddCredentialForm({ org, app, onAdded }: { org: Organization; app: App; onAdded: (c: IssuedSecret["credential"]) => Promise<void> }) {
  const { signedOut } = useAuth();
  const { busy, error, fields, submit } = useApiForm("add-credential");
  const [name, setName] = useState("");

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await submit(() =>
      api.POST("/api/organizations/{orgId}/apps/{appId}/credentials", { params: { path: { orgId: org.id, appId: app.id } }, body: { name: name.trim() } }),
    );
    if (r?.ok) {
      setName("");
      await onAdded(r.data);
    } else if (r?.status === 401) signedOut();
  };

  return (
    <div className="subsection">
      <h3 id="add-credential-heading">Add a credential</h3>
      <form id="add-credential-form" noValidate onSubmit={onSubmit} aria-labelledby="add-credential-heading">
        <FormAlert form="add-credential" error={error} shownFields={["name"]} />
        <TextField
          form="add-credential"
          name="name"
          label="Credential name"
          hint="For you and your team, for example the server or the person that uses it."
          autoComplete="off"
          limit={limitOf("POST /api/organizations/{orgId}/apps/{appId}/credentials", "name")}
          required
          value={name}
          onValueChange={setName}
          errors={fields.name}
        />
        <div className="actions">
          <button type="submit" className="button button--primary" disabled={busy} aria-busy={busy || undefined}>
            Add credential
          </button>
        </div>
      </form>
    </div>
  );
}
