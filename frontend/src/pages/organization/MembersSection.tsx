import { useEffect, useState, type FormEvent } from "react";
import { useNavigate } from "react-router";
import { api } from "../../api/client";
import type { AssignableRole, Member, Organization } from "../../api/types";
import { useAuth } from "../../auth/AuthContext";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { SelectField } from "../../components/Field";
import { FormAlert } from "../../components/FormAlert";
import { formatDate } from "../../lib/format";
import { useApiForm } from "../../lib/hooks";
import { usePaged } from "../../lib/paging";
import { ShowMore } from "../../components/ShowMore";
import { ASSIGNABLE_ROLES, can, ROLE_LABEL } from "../../lib/orgs";
import { useOrganizations } from "../../orgs/OrganizationsContext";
import { useSuccessMessage } from "../../lib/feedback";

interface Props {
  org: Organization;
  tick: number;
  onChanged: () => void;
}

type Pending = { kind: "remove"; member: Member } | { kind: "leave" } | { kind: "owner"; member: Member } | null;

export function MembersSection({ org, tick, onChanged }: Props) {
  const { account, signedOut } = useAuth();
  const navigate = useNavigate();
  const { reload: reloadOrganizations } = useOrganizations();
  const paged = usePaged(
    (cursor) => api.GET("/api/organizations/{orgId}/members", { params: { path: { orgId: org.id }, query: { cursor } } }),
    (page) => page.members,
    [org.id],
  );
  const members = paged.first;
  const { reload } = members;
  useEffect(() => {
    if (tick > 0) void reload();
  }, [tick, reload]);

  const perms = can(org.role);
  const writable = org.status !== "OFFBOARDED";
  const { busy, error, submit } = useApiForm("members");
  const [roles, setRoles] = useState<Record<string, string>>({});
  const [pending, setPending] = useState<Pending>(null);
  const [status, setStatus] = useSuccessMessage("");

  const me = account?.userId;
  const editable = (m: Member) => perms.manageMembers && writable && m.role !== "OWNER" && m.userId !== me;
  const list = paged.items;

  const changeRole = async (m: Member) => {
    const role = (roles[m.userId] ?? m.role) as AssignableRole;
    setStatus("");
    const r = await submit(() =>
      api.PATCH("/api/organizations/{orgId}/members/{userId}", { params: { path: { orgId: org.id, userId: m.userId } }, body: { role } }),
    );
    if (!r) return;
    if (r.ok) {
      setRoles(({ [m.userId]: _, ...rest }) => rest);
      setStatus(`${m.fullName || m.email} is now ${ROLE_LABEL[r.data.role] ?? r.data.role}.`);
      onChanged();
    } else if (r.status === 401) {
      signedOut();
    }
  };

  const confirm = async () => {
    const p = pending;
    setPending(null);
    if (!p) return;
    setStatus("");
    if (p.kind === "remove") {
      const r = await submit(() =>
        api.DELETE("/api/organizations/{orgId}/members/{userId}", { params: { path: { orgId: org.id, userId: p.member.userId } } }),
      );
      if (r?.ok) {
        setStatus(`${p.member.fullName || p.member.email} was removed from ${org.name}.`);
        onChanged();
      } else if (r?.status === 401) signedOut();
    } else if (p.kind === "leave") {
      const r = await submit(() => api.POST("/api/organizations/{orgId}/leave", { params: { path: { orgId: org.id } } }));
      if (r?.ok) {
        await reloadOrganizations();
        navigate("/organizations", { state: { notice: `You left ${org.name}.` } });
      } else if (r?.status === 401) signedOut();
    }
  };

  return (
    <section id="members" aria-labelledby="members-heading" className="section">
      <h2 id="members-heading">Members</h2>
      {members.error && !members.data && (
        <div id="members-load-error" className="alert alert--error" role="alert">
          <p className="alert-message">{members.error.message}</p>
        </div>
      )}
      {!members.data && !members.error && (
        <p className="loading" role="status">
          Loading the members…
        </p>
      )}
      <FormAlert form="members" error={error} />
      <p id="members-status" className="saved-plain" role="status">
        {status}
      </p>
      {members.data && (
        <div className="table-wrap">
          <table id="members-table" className="table">
            <caption className="visually-hidden">Members of {org.name}</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Joined</th>
                {perms.manageMembers && writable && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {list.map((m) => {
                const chosen = roles[m.userId] ?? m.role;
                return (
                  <tr key={m.userId} data-user-id={m.userId}>
                    <th scope="row">
                      {m.fullName || "—"}
                      {m.userId === me && <span className="muted"> (you)</span>}
                    </th>
                    <td>{m.email}</td>
                    <td>
                      {editable(m) ? (
                        <div className="inline-control">
                          <label className="visually-hidden" htmlFor={`member-role-${m.userId}`}>
                            Role of {m.fullName || m.email}
                          </label>
                          <select
                            id={`member-role-${m.userId}`}
                            value={chosen}
                            onChange={(e) => setRoles((r) => ({ ...r, [m.userId]: e.target.value }))}
                            disabled={busy}
                          >
                            {ASSIGNABLE_ROLES.map((r) => (
                              <option key={r} value={r}>
                                {ROLE_LABEL[r]}
                              </option>
                            ))}
                          </select>
                          <button
                            id={`member-role-save-${m.userId}`}
                            type="button"
                            className="button button--secondary button--small"
                            disabled={busy || chosen === m.role}
                            onClick={() => void changeRole(m)}
                          >
                            Change role<span className="visually-hidden"> of {m.fullName || m.email}</span>
                          </button>
                        </div>
                      ) : (
                        <span data-role={m.role}>{ROLE_LABEL[m.role] ?? m.role}</span>
                      )}
                    </td>
                    <td>{formatDate(m.joinedAt)}</td>
                    {perms.manageMembers && writable && (
                      <td>
                        {editable(m) && (
                          <button
                            id={`member-remove-${m.userId}`}
                            type="button"
                            className="button button--danger-outline button--small"
                            disabled={busy}
                            onClick={() => setPending({ kind: "remove", member: m })}
                          >
                            Remove<span className="visually-hidden"> {m.fullName || m.email}</span>
                          </button>
                        )}
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <ShowMore id="members" list={paged} one="member" many="members" />
      {perms.leave && writable && (
        <div className="actions">
          <button id="leave-organization" type="button" className="button button--danger-outline" disabled={busy} onClick={() => setPending({ kind: "leave" })}>
            Leave organization
          </button>
        </div>
      )}
      {perms.changeOwner && writable && members.data && (
        <ChangeOwnerForm org={org} members={list.filter((m) => m.userId !== me)} onChanged={onChanged} />
      )}

      <ConfirmDialog
        id="remove-dialog"
        open={pending?.kind === "remove"}
        title={pending?.kind === "remove" ? `Remove ${pending.member.fullName || pending.member.email}?` : ""}
        confirmLabel="Remove member"
        destructive
        busy={busy}
        onConfirm={() => void confirm()}
        onCancel={() => setPending(null)}
      >
        <p>They lose access to {org.name} and its apps at once. To come back they need the organization code or a new invitation.</p>
      </ConfirmDialog>
      <ConfirmDialog
        id="leave-dialog"
        open={pending?.kind === "leave"}
        title={`Leave ${org.name}?`}
        confirmLabel="Leave organization"
        destructive
        busy={busy}
        onConfirm={() => void confirm()}
        onCancel={() => setPending(null)}
      >
        <p>You lose access to the organization and its apps at once. To come back you need its code or a new invitation.</p>
      </ConfirmDialog>
    </section>
  );
}

function ChangeOwnerForm({ org, members, onChanged }: { org: Organization; members: Member[]; onChanged: () => void }) {
  const { signedOut } = useAuth();
  const { busy, error, fields, submit } = useApiForm("owner");
  const [userId, setUserId] = useState("");
  const [confirming, setConfirming] = useState(false);
  const [done, setDone] = useSuccessMessage("");
  const chosen = members.find((m) => m.userId === userId);

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    setDone("");
    setConfirming(true);
  };

  const transfer = async () => {
    setConfirming(false);
    const r = await submit(() => api.POST("/api/organizations/{orgId}/owner", { params: { path: { orgId: org.id } }, body: { userId } }));
    if (!r) return;
    if (r.ok) {
      setDone(`${chosen?.fullName || chosen?.email || "The member"} is now the owner; you are an administrator.`);
      setUserId("");
      onChanged();
    } else if (r.status === 401) {
      signedOut();
    }
  };

  return (
    <div className="subsection">
      <h3 id="owner-heading">Change owner</h3>
      <p>
        The owner is the only one who can rename or offboard the organization, regenerate its code and change its owner. After the
        change you stay as an administrator.
      </p>
      {done && (
        <p id="owner-done" className="saved" role="status">
          {done}
        </p>
      )}
      {members.length === 0 ? (
        <p className="muted">There is nobody else in the organization yet to make owner.</p>
      ) : (
        <form id="owner-form" noValidate onSubmit={onSubmit} aria-labelledby="owner-heading">
          <FormAlert form="owner" error={error} shownFields={["userId"]} />
          <SelectField
            form="owner"
            name="userId"
            label="New owner"
            placeholder="Choose a member"
            options={members.map((m) => ({ value: m.userId, label: `${m.fullName || m.email} (${m.email}) · ${ROLE_LABEL[m.role] ?? m.role}` }))}
            value={userId}
            onValueChange={setUserId}
            errors={fields.userId}
          />
          <div className="actions">
            <button type="submit" className="button button--primary" disabled={busy} aria-busy={busy || undefined}>
              Change owner
            </button>
          </div>
        </form>
      )}
      <ConfirmDialog
        id="owner-dialog"
        open={confirming}
        title={chosen ? `Make ${chosen.fullName || chosen.email} the owner?` : "Change the owner?"}
        confirmLabel="Change owner"
        destructive
        busy={busy}
        onConfirm={() => void transfer()}
        onCancel={() => setConfirming(false)}
      >
        <p>
          {chosen ? `${chosen.fullName || chosen.email} becomes the owner of ${org.name}` : `The member you chose becomes the owner of ${org.name}`} and you become an
          administrator. Only the new owner can give the role back.
        </p>
      </ConfirmDialog>
    </div>
  );
}
