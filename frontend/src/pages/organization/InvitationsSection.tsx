import { useEffect, useState, type FormEvent } from "react";
import { api } from "../../api/client";
import type { AssignableRole, Invitation } from "../../api/types";
import { useAuth } from "../../auth/AuthContext";
import { StatusBadge } from "../../components/Badge";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { SelectField, TextField } from "../../components/Field";
import { FormAlert } from "../../components/FormAlert";
import { formatDateTime, timeLeft } from "../../lib/format";
import { useApiForm } from "../../lib/hooks";
import { usePaged } from "../../lib/paging";
import { ShowMore } from "../../components/ShowMore";
import { ASSIGNABLE_ROLES, INVITATION_STATUS_LABEL, ROLE_HINT, ROLE_LABEL } from "../../lib/orgs";
import { useSuccessMessage } from "../../lib/feedback";

interface Props {
  orgId: string;
  tick: number;
  onChanged: () => void;
}

export function InvitationsSection({ orgId, tick, onChanged }: Props) {
  const { signedOut } = useAuth();
  const paged = usePaged(
    (cursor) => api.GET("/api/organizations/{orgId}/invitations", { params: { path: { orgId }, query: { cursor } } }),
    (page) => page.invitations,
    [orgId],
  );
  const invitations = paged.first;
  const { reload } = invitations;
  useEffect(() => {
    if (tick > 0) void reload();
  }, [tick, reload]);

  const { busy, error, submit } = useApiForm("invitations");
  const [revoking, setRevoking] = useState<Invitation | null>(null);
  const [status, setStatus] = useSuccessMessage("");

  const resend = async (inv: Invitation) => {
    setStatus("");
    const r = await submit(() =>
      api.POST("/api/organizations/{orgId}/invitations/{invitationId}/resend", { params: { path: { orgId, invitationId: inv.id } } }),
    );
    if (r?.ok) {
      setStatus(`Invitation sent again to ${inv.email}.`);
      onChanged();
    } else if (r?.status === 401) signedOut();
  };

  const revoke = async () => {
    const inv = revoking;
    setRevoking(null);
    if (!inv) return;
    setStatus("");
    const r = await submit(() =>
      api.DELETE("/api/organizations/{orgId}/invitations/{invitationId}", { params: { path: { orgId, invitationId: inv.id } } }),
    );
    if (r?.ok) {
      setStatus(`The invitation to ${inv.email} is revoked: its link no longer works.`);
      onChanged();
    } else if (r?.status === 401) signedOut();
  };

  const list = paged.items;

  return (
    <section id="invitations" aria-labelledby="invitations-heading" className="section">
      <h2 id="invitations-heading">Invitations</h2>
      <p>Invite a colleague by email: the invitation link lets them join with the role you choose.</p>
      <InviteForm orgId={orgId} onInvited={onChanged} />

      <h3 className="table-heading">Sent invitations</h3>
      <FormAlert form="invitations" error={error} />
      <p id="invitations-status" className="saved-plain" role="status">
        {status}
      </p>
      {invitations.error && !invitations.data && (
        <div id="invitations-load-error" className="alert alert--error" role="alert">
          <p className="alert-message">{invitations.error.message}</p>
        </div>
      )}
      {!invitations.data && !invitations.error && (
        <p className="loading" role="status">
          Loading the invitations…
        </p>
      )}
      {invitations.data && list.length === 0 && <p id="invitations-empty">No invitations yet.</p>}
      {list.length > 0 && (
        <div className="table-wrap">
          <table id="invitations-table" className="table">
            <caption className="visually-hidden">Invitations</caption>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">Invited by</th>
                <th scope="col">Sent</th>
                <th scope="col">Expires</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.map((inv) => (
                <tr key={inv.id} data-invitation-id={inv.id}>
                  <th scope="row">{inv.email}</th>
                  <td>{ROLE_LABEL[inv.role] ?? inv.role}</td>
                  <td>
                    <StatusBadge id={`invitation-status-${inv.id}`} status={inv.status} labels={INVITATION_STATUS_LABEL} />
                  </td>
                  <td>{inv.invitedBy}</td>
                  <td>{formatDateTime(inv.createdAt)}</td>
                  <td>
                    {formatDateTime(inv.expiresAt)}
                    {inv.status === "PENDING" && <span className="muted"> ({timeLeft(inv.expiresAt)})</span>}
                  </td>
                  <td className="row-actions">
                    {(inv.status === "PENDING" || inv.status === "EXPIRED") && (
                      <button
                        id={`invitation-resend-${inv.id}`}
                        type="button"
                        className="button button--secondary button--small"
                        disabled={busy}
                        onClick={() => void resend(inv)}
                      >
                        Resend<span className="visually-hidden"> the invitation to {inv.email}</span>
                      </button>
                    )}
                    {inv.status === "PENDING" && (
                      <button
                        id={`invitation-revoke-${inv.id}`}
                        type="button"
                        className="button button--danger-outline button--small"
                        disabled={busy}
                        onClick={() => setRevoking(inv)}
                      >
                        Revoke<span className="visually-hidden"> the invitation to {inv.email}</span>
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ShowMore id="invitations" list={paged} one="invitation" many="invitations" />
      <ConfirmDialog
        id="revoke-dialog"
        open={revoking !== null}
        title={revoking ? `Revoke the invitation to ${revoking.email}?` : ""}
        confirmLabel="Revoke invitation"
        destructive
        busy={busy}
        onConfirm={() => void revoke()}
        onCancel={() => setRevoking(null)}
      >
        <p>The invitation link stops working. You can invite the same address again later.</p>
      </ConfirmDialog>
    </section>
  );
}

/** The addresses typed into the invitation field: split at commas, semicolons and spaces, each once. */
export function addressesOf(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const a of text.split(/[\s,;]+/)) {
    if (a && !seen.has(a.toLowerCase())) {
      seen.add(a.toLowerCase());
      out.push(a);
    }
  }
  return out;
}

function InviteForm({ orgId, onInvited }: { orgId: string; onInvited: () => void }) {
  const { signedOut } = useAuth();
  const { busy, error, fields, submit, reset } = useApiForm("invite");
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<string>("DEVELOPER");
  const [sent, setSent] = useSuccessMessage("");
  // Addresses of a batch the server refused, each with its reason.
  const [failures, setFailures] = useState<string[]>([]);

  const invite = (address: string) =>
    submit(() => api.POST("/api/organizations/{orgId}/invitations", { params: { path: { orgId } }, body: { email: address, role: role as AssignableRole } }));

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setSent("");
    setFailures([]);
    const addresses = addressesOf(email);
    if (addresses.length <= 1) {
      const r = await invite(addresses[0] ?? "");
      if (!r) return;
      if (r.ok) {
        setSent(`Invitation sent to ${r.data.email}.`);
        setEmail("");
        onInvited();
      } else if (r.status === 401) {
        signedOut();
      }
      return;
    }
    // Several addresses: one invitation each; the refused ones stay in the field.
    const done: string[] = [];
    const refused: string[] = [];
    const kept: string[] = [];
    for (const address of addresses) {
      const r = await invite(address);
      if (!r) return;
      if (r.ok) {
        done.push(r.data.email);
        continue;
      }
      if (r.status === 401) {
        signedOut();
        return;
      }
      kept.push(address);
      refused.push(`${address}: ${r.error.fields?.[0]?.message ?? r.error.message}`);
    }
    reset();
    setEmail(kept.join(", "));
    setFailures(refused);
    setSent(done.length ? `${done.length === 1 ? "Invitation" : `${done.length} invitations`} sent to ${done.join(", ")}.` : "");
    if (done.length) onInvited();
  };

  return (
    <form id="invite-form" noValidate onSubmit={onSubmit} aria-label="Invite members">
      <FormAlert form="invite" error={error} shownFields={["email", "role"]} />
      {failures.length > 0 && (
        <div id="invite-failures" role="alert" className="alert alert--error" tabIndex={-1}>
          <p className="alert-message">{failures.length === 1 ? "One invitation was not sent:" : `${failures.length} invitations were not sent:`}</p>
          <ul className="alert-list">
            {failures.map((f) => (
              <li key={f}>{f}</li>
            ))}
          </ul>
        </div>
      )}
      <div className="field-row">
        <TextField
          form="invite"
          name="email"
          type="text"
          inputMode="email"
          label="Email addresses"
          hint="One or more, separated by commas or spaces: each gets its own invitation."
          autoComplete="off"
          spellCheck={false}
          required
          value={email}
          onValueChange={setEmail}
          errors={fields.email}
        />
        <SelectField
          form="invite"
          name="role"
          label="Role"
          options={ASSIGNABLE_ROLES.map((r) => ({ value: r, label: `${ROLE_LABEL[r]}: ${ROLE_HINT[r]}` }))}
          value={role}
          onValueChange={setRole}
          errors={fields.role}
        />
      </div>
      <div className="actions">
        <button type="submit" className="button button--primary" disabled={busy} aria-busy={busy || undefined}>
          Send invitations
        </button>
        {sent && (
          <p id="invite-sent" className="saved" role="status">
            {sent}
          </p>
        )}
      </div>
    </form>
  );
}
