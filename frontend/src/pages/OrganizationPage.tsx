import { useCallback, useEffect, useState } from "react";
import { Link, useLocation, useParams } from "react-router";
import { api } from "../api/client";
import type { Organization } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { EnvironmentBadge, StatusBadge } from "../components/Badge";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ErrorReference, FormAlert } from "../components/FormAlert";
import { formatDate } from "../lib/format";
import { useApiForm, useLoad, useTitle } from "../lib/hooks";
import { can, ORG_STATUS_LABEL, ROLE_LABEL, SERVICES } from "../lib/orgs";
import { useOrganizations } from "../orgs/OrganizationsContext";
import { AuditSection } from "./organization/AuditSection";
import { InvitationsSection } from "./organization/InvitationsSection";
import { MembersSection } from "./organization/MembersSection";
import { OnboardingPossessionSection } from "./organization/OnboardingPossessionSection";
import { RequestsSection } from "./organization/RequestsSection";
import { SettingsSection } from "./organization/SettingsSection";
import { useSuccessMessage } from "../lib/feedback";

export function OrganizationPage() {
  const { orgId = "" } = useParams();
  // A fresh page per organization: no notice, message or dialog carries over to another.
  return <OrganizationView key={orgId} orgId={orgId} />;
}

function OrganizationView({ orgId }: { orgId: string }) {
  const location = useLocation();
  const [notice, setNotice] = useSuccessMessage<string | null>(null, (location.state as { notice?: string } | null)?.notice ?? null);
  const org = useLoad(() => api.GET("/api/organizations/{orgId}", { params: { path: { orgId } } }), [orgId]);
  useTitle(org.data?.name ?? "Organization");
  // Bumped after any change, so every section reloads what it shows (counts, audit, requests).
  const [tick, setTick] = useState(0);
  const { reload: reloadOrganizations } = useOrganizations();
  const { reload: reloadOrg, setData } = org;
  const changed = useCallback(() => {
    setTick((t) => t + 1);
    void reloadOrg();
    void reloadOrganizations();
  }, [reloadOrg, reloadOrganizations]);

  // A link to a section (/organizations/:id#members) scrolls there once the page is there.
  const loaded = org.data !== null;
  const hash = location.hash;
  useEffect(() => {
    if (loaded && hash.length > 1) document.getElementById(decodeURIComponent(hash.slice(1)))?.scrollIntoView?.();
  }, [loaded, hash]);

  if (!org.data) {
    if (org.error) {
      return (
        <section className="narrow">
          <h1>{org.status === 404 ? "Organization not found" : "Organization"}</h1>
          <div id="org-error" className="panel panel--error" role="alert">
            <p>
              <strong>{org.error.message}</strong>
            </p>
            <ErrorReference error={org.error} />
          </div>
          <p>
            <Link to="/organizations">Back to my organizations</Link>
          </p>
        </section>
      );
    }
    return (
      <p className="loading" role="status">
        Loading the organization…
      </p>
    );
  }

  const o = org.data;
  const perms = can(o.role);
  const active = o.status === "ACTIVE";
  const sections = [
    { id: "overview", label: "Overview", show: true },
    { id: "onboarding-possession", label: "Complete the onboarding", show: o.status === "DRAFT" },
    { id: "apps", label: "Apps", show: true },
    { id: "members", label: "Members", show: true },
    { id: "invitations", label: "Invitations", show: perms.invite && active },
    { id: "requests", label: "Requests", show: true },
    { id: "audit", label: "Audit trail", show: perms.seeAudit },
    { id: "settings", label: "Settings", show: (perms.rename || perms.offboard) && active },
  ].filter((s) => s.show);

  return (
    <>
      <div className="page-heading">
        <h1 id="org-name">{o.name}</h1>
        <p className="badges">
          <StatusBadge status={o.status} labels={ORG_STATUS_LABEL} /> <EnvironmentBadge environment={o.environment} />
        </p>
      </div>
      {notice && (
        <div id="org-notice" className="panel panel--success" role="status">
          <p>{notice}</p>
        </div>
      )}
      <nav aria-label="Sections of this organization" className="subnav">
        <ul>
          {sections.map((s) => (
            <li key={s.id}>
              <a href={`#${s.id}`}>{s.label}</a>
            </li>
          ))}
        </ul>
      </nav>
      <Overview org={o} onChange={setData} />
      {o.status === "DRAFT" && (
        <OnboardingPossessionSection
          org={o}
          onChanged={(n) => {
            if (n) setNotice(n);
            changed();
          }}
        />
      )}
      <AppsLink org={o} />
      <MembersSection org={o} tick={tick} onChanged={changed} />
      {perms.invite && active && <InvitationsSection orgId={o.id} tick={tick} onChanged={changed} />}
      <RequestsSection orgId={o.id} tick={tick} />
      {perms.seeAudit && <AuditSection orgId={o.id} tick={tick} />}
      {(perms.rename || perms.offboard) && active && <SettingsSection org={o} onChanged={changed} />}
    </>
  );
}

function AppsLink({ org }: { org: Organization }) {
  return (
    <section id="apps" aria-labelledby="apps-heading" className="section">
      <h2 id="apps-heading">Apps</h2>
      <p>
        Register the organization's apps, manage their credentials, redirect URIs and mTLS certificates, subscribe them to the
        bank's APIs and take them live.
      </p>
      <p>
        <Link id="org-apps-link" className="button button--secondary" to={`/organizations/${encodeURIComponent(org.id)}/apps`}>
          Go to the apps
        </Link>
      </p>
    </section>
  );
}

function StatusExplanation({ org }: { org: Organization }) {
  switch (org.status) {
    case "DRAFT":
      return (
        <p id="org-status-explanation">
          Not submitted yet: prove that you hold the private keys of the QWAC and the QSealC below, and the onboarding goes to
          the bank.
        </p>
      );
    case "PENDING_APPROVAL":
      return (
        <p id="org-status-explanation">
          Waiting for the bank: its operations team is reviewing the onboarding request. You will get an email when it is
          decided.
        </p>
      );
    case "REJECTED":
      return (
        <div id="org-status-explanation">
          <p>The bank did not approve this organization.</p>
          {org.reason && (
            <p>
              Reason: <span id="org-reason">{org.reason}</span>
            </p>
          )}
          <p>
            <Link to="/organizations/onboard">Submit a new onboarding request</Link>
          </p>
        </div>
      );
    case "OFFBOARDED":
      return (
        <div id="org-status-explanation">
          <p>This organization has been offboarded: its members have lost access, its apps and credentials are disabled, and nothing can be changed.</p>
          {org.reason && (
            <p>
              Reason: <span id="org-reason">{org.reason}</span>
            </p>
          )}
        </div>
      );
    default:
      return <p id="org-status-explanation">Active: members can build and run apps against the bank's APIs.</p>;
  }
}

function Overview({ org, onChange }: { org: Organization; onChange: (o: Organization) => void }) {
  const perms = can(org.role);
  const serviceLabel = (s: string) => SERVICES.find((x) => x.value === s)?.label ?? s;
  return (
    <section id="overview" aria-labelledby="overview-heading" className="section">
      <h2 id="overview-heading">Overview</h2>
      <div className="panel panel--info panel--stack">
        <p>
          <strong>Status: </strong>
          <span id="org-status">{ORG_STATUS_LABEL[org.status] ?? org.status}</span>
        </p>
        <StatusExplanation org={org} />
      </div>
      {perms.seeCode && <CodePanel org={org} onChange={onChange} />}
      <dl className="details">
        <dt>Your role</dt>
        <dd id="org-role">{org.role ? (ROLE_LABEL[org.role] ?? org.role) : "—"}</dd>
        <dt>Environment</dt>
        <dd id="org-environment">{org.environment === "production" ? "Production" : "Sandbox"}</dd>
        <dt>Services</dt>
        <dd id="org-services">{org.services.length ? org.services.map(serviceLabel).join(", ") : "—"}</dd>
        <dt>Organization identifier</dt>
        <dd id="org-organizationIdentifier">
          <code>{org.organizationIdentifier || "—"}</code>
        </dd>
        <dt>Contact</dt>
        <dd id="org-contact">
          {org.contact.firstName} {org.contact.lastName}
          <br />
          <a href={`mailto:${org.contact.email}`}>{org.contact.email}</a>
          <br />
          {org.contact.phone}
        </dd>
        <dt>Members</dt>
        <dd id="org-members">
          {org.members} of at most {org.maxMembers}
        </dd>
        <dt>Onboarded</dt>
        <dd id="org-createdAt">{formatDate(org.createdAt)}</dd>
      </dl>
    </section>
  );
}

function CodePanel({ org, onChange }: { org: Organization; onChange: (o: Organization) => void }) {
  const { signedOut } = useAuth();
  const perms = can(org.role);
  const { busy, error, submit } = useApiForm("code");
  const [confirming, setConfirming] = useState(false);
  const [message, setMessage] = useSuccessMessage("");

  const copy = async () => {
    if (!org.code) return;
    try {
      await navigator.clipboard.writeText(org.code);
      setMessage("Code copied to the clipboard.");
    } catch {
      setMessage("Your browser did not allow copying: select the code and copy it.");
    }
  };

  const regenerate = async () => {
    setConfirming(false);
    setMessage("");
    const r = await submit(() => api.POST("/api/organizations/{orgId}/code", { params: { path: { orgId: org.id } } }));
    if (!r) return;
    if (r.ok) {
      onChange(r.data);
      setMessage("New code created. The old code no longer works.");
    } else if (r.status === 401) {
      signedOut();
    }
  };

  return (
    <div className="code-panel" aria-labelledby="code-heading" role="group">
      <h3 id="code-heading">Organization code</h3>
      {org.code ? (
        <>
          <p className="hint">Developers who sign up or join with this code become members of the organization.</p>
          <div className="code-row">
            <code id="org-code" className="org-code">
              {org.code}
            </code>
            <button id="org-code-copy" type="button" className="button button--secondary button--small" onClick={() => void copy()}>
              Copy code
            </button>
            {perms.regenerateCode && (
              <button
                id="regenerate-code"
                type="button"
                className="button button--secondary button--small"
                onClick={() => setConfirming(true)}
                disabled={busy}
                aria-busy={busy || undefined}
              >
                Regenerate code
              </button>
            )}
          </div>
        </>
      ) : (
        <p className="muted" id="org-code-none">
          {org.status === "PENDING_APPROVAL" ? "The organization gets its code once the bank approves it." : "This organization has no code."}
        </p>
      )}
      <p id="code-status" className="saved-plain" role="status">
        {message}
      </p>
      <FormAlert form="code" error={error} />
      <ConfirmDialog
        id="regenerate-dialog"
        open={confirming}
        title="Regenerate the organization code?"
        confirmLabel="Regenerate code"
        destructive
        busy={busy}
        onConfirm={() => void regenerate()}
        onCancel={() => setConfirming(false)}
      >
        <p>The old code stops working at once: anyone you gave it to needs the new one to join. Existing members are not affected.</p>
      </ConfirmDialog>
    </div>
  );
}
