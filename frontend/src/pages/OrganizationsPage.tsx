import { useState, type FormEvent } from "react";
import { Link, useLocation, useNavigate } from "react-router";
import { api } from "../api/client";
import { useAuth } from "../auth/AuthContext";
import { EnvironmentBadge, StatusBadge } from "../components/Badge";
import { TextField } from "../components/Field";
import { FormAlert } from "../components/FormAlert";
import { formatDate } from "../lib/format";
import { useApiForm, useTitle } from "../lib/hooks";
import { ORG_STATUS_LABEL, ROLE_LABEL } from "../lib/orgs";
import { useOrganizations } from "../orgs/OrganizationsContext";

export function OrganizationsPage() {
  useTitle("Organizations");
  const { organizations, reload } = useOrganizations();
  const location = useLocation();
  const [notice] = useState<string | null>(() => (location.state as { notice?: string } | null)?.notice ?? null);

  return (
    <>
      <div className="page-heading">
        <h1>Organizations</h1>
        <Link id="onboard-link" className="button button--primary" to="/organizations/onboard">
          Onboard your organization
        </Link>
      </div>
      {notice && (
        <div id="orgs-notice" className="panel panel--success" role="status">
          <p>{notice}</p>
        </div>
      )}
      <p className="lead">
        Your organization is the third-party provider you build for. Onboard it with its eIDAS certificates, or join one
        that is already onboarded with the code its owner gives you.
      </p>

      <section aria-labelledby="my-orgs-heading" className="section">
        <h2 id="my-orgs-heading">My organizations</h2>
        {organizations === null ? (
          <p className="loading" role="status">
            Loading your organizations…
          </p>
        ) : organizations.length === 0 ? (
          <p id="orgs-empty">You are not a member of any organization yet.</p>
        ) : (
          <ul id="orgs-list" className="cards">
            {organizations.map((o) => (
              <li key={o.id} className="card org-card" data-org-id={o.id}>
                <h3>
                  <Link to={`/organizations/${encodeURIComponent(o.id)}`}>{o.name}</Link>
                </h3>
                <p className="badges">
                  <StatusBadge status={o.status} labels={ORG_STATUS_LABEL} /> <EnvironmentBadge environment={o.environment} />
                </p>
                <dl className="card-facts">
                  <dt>Your role</dt>
                  <dd>{o.role ? (ROLE_LABEL[o.role] ?? o.role) : "—"}</dd>
                  <dt>Members</dt>
                  <dd>
                    {o.members} of {o.maxMembers}
                  </dd>
                  <dt>Since</dt>
                  <dd>{formatDate(o.createdAt)}</dd>
                </dl>
              </li>
            ))}
          </ul>
        )}
      </section>

      <JoinForm onJoined={reload} />
    </>
  );
}

function JoinForm({ onJoined }: { onJoined: () => Promise<void> }) {
  const { signedOut } = useAuth();
  const navigate = useNavigate();
  const { busy, error, fields, submit } = useApiForm("join");
  const [code, setCode] = useState("");

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await submit(() => api.POST("/api/organizations/join", { body: { code: code.trim() } }));
    if (!r) return;
    if (r.ok) {
      await onJoined();
      navigate(`/organizations/${encodeURIComponent(r.data.id)}`, {
        state: { notice: `You joined ${r.data.name} as ${ROLE_LABEL[r.data.role ?? ""] ?? r.data.role ?? "a member"}.` },
      });
    } else if (r.status === 401) {
      signedOut();
    }
  };

  return (
    <section aria-labelledby="join-heading" className="section narrow">
      <h2 id="join-heading">Join with an organization code</h2>
      <form id="join-form" noValidate onSubmit={onSubmit}>
        <FormAlert form="join" error={error} shownFields={["code"]} />
        <TextField
          form="join"
          name="code"
          label="Organization code"
          hint="The owner or an administrator of your organization sees it on the organization's page."
          autoComplete="off"
          autoCapitalize="characters"
          spellCheck={false}
          required
          value={code}
          onValueChange={setCode}
          errors={fields.code}
        />
        <div className="actions">
          <button type="submit" className="button button--primary" disabled={busy} aria-busy={busy || undefined}>
            Join organization
          </button>
        </div>
      </form>
    </section>
  );
}
