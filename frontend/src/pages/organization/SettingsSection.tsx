import { useState, type FormEvent } from "react";
import { api } from "../../api/client";
import type { Organization } from "../../api/types";
import { useAuth } from "../../auth/AuthContext";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { CheckboxField, TextAreaField, TextField } from "../../components/Field";
import { FormAlert } from "../../components/FormAlert";
import { useApiForm } from "../../lib/hooks";
import { limitOf } from "../../lib/limits";
import { can } from "../../lib/orgs";
import { RenewCertificatesForm } from "./RenewCertificatesForm";

export const OFFBOARD_CONFIRM_LABEL =
  "I understand this cannot be undone: every member loses access and the organization's apps and credentials are disabled";

export function SettingsSection({ org, onChanged }: { org: Organization; onChanged: () => void }) {
  return (
    <section id="settings" aria-labelledby="settings-heading" className="section">
      <h2 id="settings-heading">Settings</h2>
      {can(org.role).renewCertificates && <RenewCertificatesForm org={org} onChanged={onChanged} />}
      {can(org.role).rename && <RenameForm org={org} onChanged={onChanged} />}
      {can(org.role).offboard && <OffboardForm org={org} onChanged={onChanged} />}
    </section>
  );
}

function RenameForm({ org, onChanged }: { org: Organization; onChanged: () => void }) {
  const { signedOut } = useAuth();
  const { busy, error, fields, submit } = useApiForm("rename");
  const [name, setName] = useState("");
  const [reason, setReason] = useState("");
  const [submitted, setSubmitted] = useState(false);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(false);
    const r = await submit(() => api.POST("/api/organizations/{orgId}/rename", { params: { path: { orgId: org.id } }, body: { name: name.trim(), reason } }));
    if (!r) return;
    if (r.ok) {
      setSubmitted(true);
      setName("");
      setReason("");
      onChanged();
    } else if (r.status === 401) {
      signedOut();
    }
  };

  return (
    <div className="subsection">
      <h3 id="rename-heading">Rename the organization</h3>
      <p id="rename-explanation">
        A new name needs the bank's approval: the operations team checks it against your certificates and authorisation. The
        organization keeps its current name, <strong>{org.name}</strong>, until the request is approved; you will get an email.
      </p>
      {submitted && (
        <div id="rename-submitted" className="panel panel--success" role="status">
          <p>Submitted: the bank's operations team will review the new name; you will get an email.</p>
        </div>
      )}
      <form id="rename-form" noValidate onSubmit={onSubmit} aria-labelledby="rename-heading">
        <FormAlert form="rename" error={error} shownFields={["name", "reason"]} />
        <TextField form="rename" name="name" label="New name" autoComplete="organization" required limit={limitOf("POST /api/organizations/{orgId}/rename", "name")} value={name} onValueChange={setName} errors={fields.name} />
        <TextAreaField
          form="rename"
          name="reason"
          label="Reason"
          hint="For example a change of legal name; the bank may ask for proof."
          rows={3}
          required
          limit={limitOf("POST /api/organizations/{orgId}/rename", "reason")}
          value={reason}
          onValueChange={setReason}
          errors={fields.reason}
        />
        <div className="actions">
          <button type="submit" className="button button--primary" disabled={busy} aria-busy={busy || undefined}>
            Request rename
          </button>
        </div>
      </form>
    </div>
  );
}

function OffboardForm({ org, onChanged }: { org: Organization; onChanged: () => void }) {
  const { signedOut } = useAuth();
  const { busy, error, fields, submit } = useApiForm("offboard");
  const [reason, setReason] = useState("");
  const [confirm, setConfirm] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [submitted, setSubmitted] = useState(false);

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setSubmitted(false);
    setConfirming(true);
  };

  const send = async () => {
    setConfirming(false);
    const r = await submit(() => api.POST("/api/organizations/{orgId}/offboarding", { params: { path: { orgId: org.id } }, body: { reason, confirm } }));
    if (!r) return;
    if (r.ok) {
      setSubmitted(true);
      setReason("");
      setConfirm(false);
      onChanged();
    } else if (r.status === 401) {
      signedOut();
    }
  };

  return (
    <div className="subsection subsection--danger">
      <h3 id="offboard-heading">Request offboarding</h3>
      <p>
        Offboarding ends the organization for good. The bank's operations team confirms it; from then on every member loses
        access and the organization's apps and credentials are disabled.
      </p>
      {submitted && (
        <div id="offboard-submitted" className="panel panel--success" role="status">
          <p>Submitted: the bank's operations team will review the offboarding request; you will get an email.</p>
        </div>
      )}
      <form id="offboard-form" noValidate onSubmit={onSubmit} aria-labelledby="offboard-heading">
        <FormAlert form="offboard" error={error} shownFields={["reason", "confirm"]} />
        <TextAreaField form="offboard" name="reason" label="Reason" rows={3} required limit={limitOf("POST /api/organizations/{orgId}/offboarding", "reason")} value={reason} onValueChange={setReason} errors={fields.reason} />
        <CheckboxField form="offboard" name="confirm" label={OFFBOARD_CONFIRM_LABEL} required checked={confirm} onCheckedChange={setConfirm} errors={fields.confirm} />
        <div className="actions">
          <button type="submit" className="button button--danger" disabled={busy} aria-busy={busy || undefined}>
            Request offboarding
          </button>
        </div>
      </form>
      <ConfirmDialog
        id="offboard-dialog"
        open={confirming}
        title={`Request offboarding of ${org.name}?`}
        confirmLabel="Request offboarding"
        destructive
        busy={busy}
        onConfirm={() => void send()}
        onCancel={() => setConfirming(false)}
      >
        <p>Once the bank approves it, this cannot be undone: every member loses access and the organization's apps and credentials are disabled.</p>
      </ConfirmDialog>
    </div>
  );
}
