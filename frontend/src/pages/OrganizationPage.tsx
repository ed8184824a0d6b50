import { useCallback, useState } from "react";
import { Link, Navigate, useLocation, useParams } from "react-router";
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
import { SectionTabs, tabOf, useHashScroll } from "../components/SectionTabs";

export function OrganizationPage() {
  const { orgId = "", tab } = useParams();
  // A fresh page per organization: no notice, message or dialog carries over to another.
  return <OrganizationView key={orgId} orgId={orgId} tab={tab} />;
}

/** The organization page's tabs, the default first; each shown only to whom it has something for. */
const ORG_TABS = [
  { id: "overview", label: "Overview" },
  { id: "members", label: "Members" },
  { id: "invitations", label: "Invitations" },
  { id: "requests", label: "Requests" },
  { id: "audit", label: "Audit trail" },
  { id: "settings", label: "Settings" },
];

function OrganizationView({ orgId, tab }: { orgId: string; tab?: string }) {
  const location = useLocation();
  const [notice, setNotice] = useSuccessMessage<string | null>(null, (location.state as { notice?: string } | null)?.notice ?? null);
  const org = useLoad(() => api.GET("/api/organizations/{orgId}", { params: { path: { orgId } } }), [orgId]);
  const tabLabel = tab ? ORG_TABS.find((t) => t.id === tab)?.label : undefined;
  const orgName = org.data?.name ?? "Organization";
  useTitle(tabLabel ? `${tabLabel} · ${orgName}` : orgName);
  // Bumped after any change, so every section reloads what it shows (counts, audit, requests).
  const [tick, setTick] = useState(0);
  const { reload: reloadOrganizations } = useOrganizations();
  const { reload: reloadOrg, setData } = org;
  const changed = useCallback(() => {
    setTick((t) => t + 1);
    void reloadOrg();
    void reloadOrganizations();
  }, [reloadOrg, reloadOrganizations]);

  // A link to a part of a tab (/organizations/:id#onboarding-possession) scrolls there once the page is there.
  useHashScroll(org.data !== null);

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
  const shown: Record<string, boolean> = {
    overview: true,
    members: true,
    invitations: perms.invite && active,
    requests: true,
    audit: perms.seeAudit,
    settings: (perms.rename || perms.offboard || perms.renewCertificates) && active,
  };
  const tabs = ORG_TABS.filter((t) => shown[t.id]);
  const base = `/organizations/${encodeURIComponent(o.id)}`;
  // Links from before the tabs named a section by its fragment (/organizations/:id#members): its tab now.
  const hashTab = location.hash.slice(1);
  if (!tab && hashTab !== "overview" && tabs.some((t) => t.id === hashTab)) return <Navigate to={`${base}/${hashTab}`} replace />;
  // The default tab lives at the organization's own URL: its name in the URL leads there.
  if (tab === tabs[0].id) return <Navigate to={base} replace />;
  const current = tabOf(tabs, tab);

  return (
    <>
      <div className="page-heading">
        <h1 id="org-name">{o.name}</h1>
        <p className="badges">
          <StatusBadge status={o.status} labels={ORG_STATUS_LABEL} /> <EnvironmentBadge environment={o.environment} />
        </p>
      </div>
      <SectionTabs label="Sections of this organization" base={base} tabs={tabs} idPrefix="org" />
      {current === null && (
        <div id="org-tab-missing" className="panel panel--info" role="status">
          <p>{ORG_TABS.some((t) => t.id === tab) ? unavailable(tab!, o) : "This organization has no such section: choose one of the tabs above."}</p>
        </div>
      )}
      {current?.id === "overview" && (
        <>
          {notice && (
            <div id="org-notice" className="panel panel--success" role="status">
              <p>{notice}</p>
            </div>
          )}
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
        </>
      )}
      {current?.id === "members" && <MembersSection org={o} tick={tick} onChanged={changed} />}
      {current?.id === "invitations" && <InvitationsSection orgId={o.id} tick={tick} onChanged={changed} />}
      {current?.id === "requests" && <RequestsSection orgId={o.id} tick={tick} />}
      {current?.id === "audit" && <AuditSection orgId={o.id} tick={tick} />}
      {current?.id === "settings" && <SettingsSection org={o} onChanged={changed} />}
    </>
  );
}

/** Why a tab of the organization is not offered to this member. */
function unavailable(tab: string, org: Organization): string {
  if (org.status !== "ACTIVE" && (tab === "invitations" || tab === "settings")) return "The organization is not active: nothing of it can be changed.";
  switch (tab) {
    case "invitations":
      return "Only the owner and administrators invite people to the organization.";
    case "audit":
      return "Only the owner and administrators see the audit trail.";
    default:
      return "Only the owner and administrators renew the organization's certificates; only the owner renames it or asks to offboard it.";
  }
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
