import { useState, type FormEvent } from "react";
import { api } from "../../api/client";
import type { App, Organization } from "../../api/types";
import { useAuth } from "../../auth/AuthContext";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { TextField } from "../../components/Field";
import { FormAlert } from "../../components/FormAlert";
import { appPermissions } from "../../lib/apps";
import { useApiForm } from "../../lib/hooks";
import { useSuccessMessage } from "../../lib/feedback";
import { limitOf } from "../../lib/limits";
import { PendingChangeNotice, REVIEWED_CHANGES_TEXT } from "./PendingChangeNotice";

interface Props {
  org: Organization;
  app: App;
  onChanged: (app?: App) => void;
}

export function RedirectUrisSection({ org, app, onChanged }: Props) {
  const { signedOut } = useAuth();
  const perms = appPermissions(org);
  const remove = useApiForm("redirect-remove");
  const add = useApiForm("redirect");
  const [uri, setUri] = useState("");
  const [removing, setRemoving] = useState<string | null>(null);
  const [status, setStatus] = useSuccessMessage("");
  const sandbox = app.environment === "sandbox";

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setStatus("");
    const r = await add.submit(() =>
      api.POST("/api/organizations/{orgId}/apps/{appId}/redirect-uris", { params: { path: { orgId: org.id, appId: app.id } }, body: { uri: uri.trim() } }),
    );
    if (r?.ok) {
      setStatus(r.status === 202 ? `Sent ${uri.trim()} to the bank for review. It works once approved.` : `Added ${uri.trim()}.`);
      setUri("");
      onChanged(r.data);
    } else if (r?.status === 401) signedOut();
  };

  const confirmRemove = async () => {
    const target = removing;
    setRemoving(null);
    if (!target) return;
    setStatus("");
    // The route reads ?uri= itself; the route table does not describe query parameters.
    const r = await remove.submit(() =>
      api.DELETE("/api/organizations/{orgId}/apps/{appId}/redirect-uris", { params: { path: { orgId: org.id, appId: app.id }, query: { uri: target } } }),
    );
    if (r?.ok) {
      setStatus(`Removed ${target}.`);
      onChanged();
    } else if (r?.status === 401) signedOut();
  };

  return (
    <section id="redirect-uris" aria-labelledby="redirect-uris-heading" className="section">
      <h2 id="redirect-uris-heading">Redirect URIs</h2>
      <p>
        After customers consent, the bank sends them back to one of these addresses, which must match exactly what your app asks
        for.
      </p>
      {!sandbox && <p className="muted">{REVIEWED_CHANGES_TEXT}</p>}
      <PendingChangeNotice app={app} kind="redirectUri" />
      <FormAlert form="redirect-remove" error={remove.error} />
      <p id="redirect-uris-status" className="saved-plain" role="status">
        {status}
      </p>
      {app.redirectUris.length === 0 ? (
        <p id="redirect-uris-empty">No redirect URIs yet.</p>
      ) : (
        <ul id="redirect-uris-list" className="plain-list uri-list">
          {app.redirectUris.map((u, i) => (
            <li key={u} data-uri={u}>
              <code className="fingerprint">{u}</code>
              {perms.change && (
                <button id={`redirect-remove-${i}`} type="button" className="button button--danger-outline button--small" disabled={remove.busy} onClick={() => setRemoving(u)}>
                  Remove<span className="visually-hidden"> {u}</span>
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {perms.change && (
        <form id="redirect-form" noValidate onSubmit={onSubmit} aria-label="Add a redirect URI">
          <FormAlert form="redirect" error={add.error} shownFields={["uri"]} />
          <TextField
            form="redirect"
            name="uri"
            label="Redirect URI"
            hint={
              sandbox
                ? "An absolute https address without a fragment or wildcards, for example https://app.example.com/callback. In the sandbox, http://localhost is allowed too."
                : "An absolute https address without a fragment or wildcards, for example https://app.example.com/callback."
            }
            type="text"
            inputMode="url"
            autoComplete="off"
            spellCheck={false}
            limit={limitOf("POST /api/organizations/{orgId}/apps/{appId}/redirect-uris", "uri")}
            required
            value={uri}
            onValueChange={setUri}
            errors={add.fields.uri}
          />
          <div className="actions">
            <button type="submit" className="button button--primary" disabled={add.busy} aria-busy={add.busy || undefined}>
              Add redirect URI
            </button>
          </div>
        </form>
      )}
      <ConfirmDialog
        id="redirect-remove-dialog"
        open={removing !== null}
        title="Remove this redirect URI?"
        confirmLabel="Remove redirect URI"
        destructive
        busy={remove.busy}
        onConfirm={() => void confirmRemove()}
        onCancel={() => setRemoving(null)}
      >
        <p>
          <code className="fingerprint">{removing}</code>
        </p>
        <p>Customers who consent through your app can no longer be sent back to it.</p>
      </ConfirmDialog>
    </section>
  );
}
