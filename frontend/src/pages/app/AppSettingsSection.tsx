import { useState, type FormEvent } from "react";
import { useNavigate } from "react-router";
import { api } from "../../api/client";
import type { App, Organization } from "../../api/types";
import { useAuth } from "../../auth/AuthContext";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { TextField } from "../../components/Field";
import { FormAlert } from "../../components/FormAlert";
import { appPermissions } from "../../lib/apps";
import { useApiForm } from "../../lib/hooks";
import { APP_NAME_HINT } from "../AppsPage";
import { useSuccessMessage } from "../../lib/feedback";
import { limitOf } from "../../lib/limits";
import { PendingChangeNotice, REVIEWED_CHANGES_TEXT } from "./PendingChangeNotice";

export function AppSettingsSection({ org, app, onRenamed }: { org: Organization; app: App; onRenamed: (app: App) => void }) {
  const perms = appPermissions(org);
  return (
    <section id="settings" aria-labelledby="settings-heading" className="section">
      <h2 id="settings-heading">Settings</h2>
      <RenameAppForm org={org} app={app} onRenamed={onRenamed} />
      {perms.delete && <DeleteApp org={org} app={app} />}
    </section>
  );
}

function RenameAppForm({ org, app, onRenamed }: { org: Organization; app: App; onRenamed: (app: App) => void }) {
  const { signedOut } = useAuth();
  const { busy, error, fields, submit } = useApiForm("rename-app");
  const [name, setName] = useState(app.name);
  const [done, setDone] = useSuccessMessage("");

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setDone("");
    const r = await submit(() => api.PATCH("/api/organizations/{orgId}/apps/{appId}", { params: { path: { orgId: org.id, appId: app.id } }, body: { name: name.trim() } }));
    if (r?.ok) {
      setDone(
        r.status === 202
          ? `Sent to the bank for review. The app keeps its name until the change is approved.`
          : `The app is now called ${r.data.name}.`,
      );
      onRenamed(r.data);
    } else if (r?.status === 401) signedOut();
  };

  return (
    <div className="subsection">
      <h3 id="rename-app-heading">Rename the app</h3>
      {app.environment === "production" && <p className="muted">{REVIEWED_CHANGES_TEXT}</p>}
      <PendingChangeNotice app={app} kind="name" />
      <form id="rename-app-form" noValidate onSubmit={onSubmit} aria-labelledby="rename-app-heading">
        <FormAlert form="rename-app" error={error} shownFields={["name"]} />
        <TextField form="rename-app" name="name" label="App name" hint={APP_NAME_HINT} autoComplete="off" limit={limitOf("PATCH /api/organizations/{orgId}/apps/{appId}", "name")} required value={name} onValueChange={setName} errors={fields.name} />
        <div className="actions">
          <button type="submit" className="button button--primary" disabled={busy} aria-busy={busy || undefined}>
            Rename app
          </button>
        </div>
      </form>
      <p id="rename-app-status" className="saved-plain" role="status">
        {done}
      </p>
    </div>
  );
}

function DeleteApp({ org, app }: { org: Organization; app: App }) {
  const { signedOut } = useAuth();
  const navigate = useNavigate();
  const { busy, error, submit } = useApiForm("delete-app");
  const [confirming, setConfirming] = useState(false);

  const remove = async () => {
    setConfirming(false);
    const r = await submit(() => api.DELETE("/api/organizations/{orgId}/apps/{appId}", { params: { path: { orgId: org.id, appId: app.id } } }));
    if (r?.ok) navigate(`/organizations/${encodeURIComponent(org.id)}/apps`, { state: { notice: `${app.name} is deleted and its credentials are revoked.` } });
    else if (r?.status === 401) signedOut();
  };

  return (
    <div className="subsection subsection--danger">
      <h3 id="delete-app-heading">Delete the app</h3>
      <p>Deleting the app revokes all its credentials at once and frees its certificates. It cannot be undone.</p>
      <FormAlert form="delete-app" error={error} />
      <div className="actions">
        <button id="delete-app" type="button" className="button button--danger" disabled={busy} aria-busy={busy || undefined} onClick={() => setConfirming(true)}>
          Delete app
        </button>
      </div>
      <ConfirmDialog
        id="delete-app-dialog"
        open={confirming}
        title={`Delete ${app.name}?`}
        confirmLabel="Delete app"
        destructive
        busy={busy}
        onConfirm={() => void remove()}
        onCancel={() => setConfirming(false)}
      >
        <p>Every credential of the app stops working at once and its certificates are freed. This cannot be undone.</p>
      </ConfirmDialog>
    </div>
  );
}
