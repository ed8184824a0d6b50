import { useEffect, useState, type FormEvent } from "react";
import { Link } from "react-router";
import { api, type FieldErrors } from "../../api/client";
import type { App, GoLive, Organization } from "../../api/types";
import { useAuth } from "../../auth/AuthContext";
import { StatusBadge } from "../../components/Badge";
import { SelectField, TextAreaField } from "../../components/Field";
import { FormAlert } from "../../components/FormAlert";
import { RequestHistory } from "../../components/RequestList";
import { appPermissions, GO_LIVE_STATUS_LABEL, GO_LIVE_STEPS, readableDN, shortFingerprint, stepText } from "../../lib/apps";
import { formatDate, formatDateTime } from "../../lib/format";
import { useApiForm, useLoad } from "../../lib/hooks";
import { allCertificates } from "../../lib/certificates";
import { useOrganizations } from "../../orgs/OrganizationsContext";

interface Props {
  org: Organization;
  app: App;
  onChanged: () => void;
}

/** The go-live request's decisions, as the bank's operations team takes them. */
export const GO_LIVE_STEPS_TEXT =
  "The bank's operations team decides in two steps: first they review the request, then they confirm once the contract is signed. On approval a production app is created in your production organization, with the redirect URIs and certificate you give here and a credential whose secret you generate there.";

/** Field errors of the redirect URIs, one list, each naming the address it is about. */
function redirectErrors(fields: FieldErrors, sent: readonly string[]): string[] {
  const out = [...(fields.redirectUris ?? [])];
  for (const [name, messages] of Object.entries(fields)) {
    const m = /^redirectUris\[(\d+)\]$/.exec(name);
    if (!m) continue;
    const i = Number(m[1]);
    for (const msg of messages) out.push(`${sent[i] ?? `Address ${i + 1}`}: ${msg}`);
  }
  return out;
}

export function GoLiveSection({ org, app, onChanged }: Props) {
  const perms = appPermissions(org);
  const g = app.goLive;
  // An approved go-live whose production organization was offboarded has ended: the app may ask again.
  const retry = !g || g.status === "REJECTED" || g.status === "EXPIRED" || g.status === "FAILED" || !!g.productionOffboarded;
  return (
    <section id="go-live" aria-labelledby="go-live-heading" className="section">
      <h2 id="go-live-heading">Go live</h2>
      <p>When the app works in the sandbox, ask for production access for it.</p>
      <p className="hint">{GO_LIVE_STEPS_TEXT}</p>
      {g && <GoLiveStatus goLive={g} />}
      {perms.change && retry && <GoLiveForm org={org} app={app} again={!!g} onRequested={onChanged} />}
    </section>
  );
}

function GoLiveStatus({ goLive: g }: { goLive: GoLive }) {
  // The request lives in the production organization, whose members see its progress.
  const requests = useLoad(() => api.GET("/api/organizations/{orgId}/requests", { params: { path: { orgId: g.productionOrganizationId } } }), [g.productionOrganizationId, g.requestId, g.status]);
  const r = requests.data?.requests.find((x) => x.id === g.requestId);
  const { organizations } = useOrganizations();
  const prodName = organizations?.find((o) => o.id === g.productionOrganizationId)?.name ?? r?.organizationName ?? "your production organization";
  // Members of the production organization see the request itself; everyone sees the step
  // recorded on the app.
  const ended = !!g.productionOffboarded;
  const pendingStep = g.status === "PENDING" ? stepText(r ?? { steps: GO_LIVE_STEPS, step: g.step }) : "";

  return (
    <div id="go-live-status" className={`panel ${ended ? "panel--warning" : g.status === "APPROVED" ? "panel--success" : g.status === "PENDING" || g.status === "DECIDING" ? "panel--info" : "panel--warning"} panel--stack`}>
      <p>
        <strong>Production access: </strong>
        <StatusBadge id="go-live-badge" status={ended ? "ENDED" : g.status} labels={GO_LIVE_STATUS_LABEL} />
      </p>
      <p id="go-live-explanation">
        {ended ? (
          <>Production access ended: {prodName} was offboarded, so its production app no longer exists. You can ask for production access again.</>
        ) : g.status === "APPROVED" ? (
          <>The bank approved production access: the production app is in {prodName}. Generate its secret there.</>
        ) : g.status === "PENDING" || g.status === "DECIDING" ? (
          <>Requested {formatDateTime(g.requestedAt)} for {prodName}.</>
        ) : g.status === "REJECTED" ? (
          <>The bank did not approve production access{g.reason ? `: ${g.reason}` : "."}</>
        ) : g.status === "EXPIRED" ? (
          <>The request expired before the bank decided it{g.reason ? `: ${g.reason}` : "."} You can ask again.</>
        ) : (
          <>The request could not be completed{g.reason ? `: ${g.reason}` : "."} You can ask again.</>
        )}
      </p>
      {pendingStep && (
        <p id="go-live-step">
          Waiting for the bank: <strong>{pendingStep}</strong>
        </p>
      )}
      {g.status === "APPROVED" && !ended && g.productionAppId && (
        <p>
          <Link id="go-live-production-link" className="button button--primary" to={`/organizations/${encodeURIComponent(g.productionOrganizationId)}/apps/${encodeURIComponent(g.productionAppId)}`}>
            Open the production app
          </Link>
        </p>
      )}
      {r && r.history.length > 0 && (
        <details>
          <summary>History of the request</summary>
          <RequestHistory id="go-live-history" history={r.history} />
        </details>
      )}
    </div>
  );
}

function GoLiveForm({ org, app, again, onRequested }: { org: Organization; app: App; again: boolean; onRequested: () => void }) {
  const { signedOut } = useAuth();
  const { organizations, reload: reloadOrganizations } = useOrganizations();
  // A production organization approved since the list was loaded should be offered too.
  useEffect(() => {
    void reloadOrganizations();
  }, [reloadOrganizations]);
  const { busy, error, fields, submit } = useApiForm("go-live");
  const production = (organizations ?? []).filter((o) => o.environment === "production" && o.status === "ACTIVE" && o.role && o.role !== "VIEWER");
  const [prodId, setProdId] = useState("");
  const [uris, setUris] = useState(() => app.redirectUris.filter((u) => u.startsWith("https://")).join("\n"));
  const [certificate, setCertificate] = useState("");
  const [sent, setSent] = useState<string[]>([]);
  const certs = useLoad(() => allCertificates(prodId), [prodId], prodId !== "");
  // Only a proven, unrevoked certificate can go live.
  const free = (certs.data?.certificates ?? []).filter((c) => !c.appId && c.possession && !c.revokedAt);
  const prodOrg = production.find((o) => o.id === prodId);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const redirectUris = uris
      .split(/\s+/)
      .map((u) => u.trim())
      .filter(Boolean);
    setSent(redirectUris);
    const r = await submit(() =>
      api.POST("/api/organizations/{orgId}/apps/{appId}/go-live", {
        params: { path: { orgId: org.id, appId: app.id } },
        body: { productionOrganizationId: prodId, redirectUris, certificate },
      }),
    );
    if (r?.ok) onRequested();
    else if (r?.status === 401) signedOut();
  };

  if (organizations !== null && production.length === 0) {
    return (
      <p id="go-live-no-production">
        To go live you need to be a member (not a Viewer) of an active production organization.{" "}
        <Link to="/organizations/onboard">Onboard your organization for production</Link> with its eIDAS certificates first.
      </p>
    );
  }

  return (
    <div className="subsection">
      <h3 id="go-live-form-heading">{again ? "Ask for production access again" : "Request production access"}</h3>
      <form id="go-live-form" noValidate onSubmit={onSubmit} aria-labelledby="go-live-form-heading">
        <FormAlert form="go-live" error={error} shownFields={["productionOrganizationId", "redirectUris", "certificate", ...sent.map((_, i) => `redirectUris[${i}]`)]} />
        <SelectField
          form="go-live"
          name="productionOrganizationId"
          label="Production organization"
          hint="The production app is created in this organization."
          placeholder="Choose an organization"
          options={production.map((o) => ({ value: o.id, label: o.name }))}
          value={prodId}
          onValueChange={(v) => {
            setProdId(v);
            setCertificate("");
          }}
          errors={fields.productionOrganizationId}
        />
        <TextAreaField
          form="go-live"
          name="redirectUris"
          label="Production redirect URIs"
          hint="One per line, https only: http://localhost is for the sandbox."
          rows={3}
          mono
          value={uris}
          onValueChange={setUris}
          errors={redirectErrors(fields, sent)}
        />
        <SelectField
          form="go-live"
          name="certificate"
          label="mTLS certificate"
          hint={
            prodOrg ? (
              <>
                A certificate uploaded to {prodOrg.name} that no app uses yet, whose private key you have proven you hold.{" "}
                <Link to={`/organizations/${encodeURIComponent(prodOrg.id)}/apps#org-certificates`}>Upload or prove one in {prodOrg.name}</Link>.
              </>
            ) : (
              "Choose the production organization first: the certificate must be uploaded to it."
            )
          }
          placeholder={!prodId ? "Choose the organization first" : certs.loading ? "Loading the certificates…" : free.length === 0 ? "No certificate uploaded yet" : "Choose a certificate"}
          options={free.map((c) => ({ value: c.sha256Fingerprint, label: `${readableDN(c.subject)} · expires ${formatDate(c.notAfter)} · ${shortFingerprint(c.sha256Fingerprint)}` }))}
          value={certificate}
          onValueChange={setCertificate}
          errors={fields.certificate}
        />
        <div className="actions">
          <button type="submit" className="button button--primary" disabled={busy} aria-busy={busy || undefined}>
            Request production access
          </button>
        </div>
      </form>
    </div>
  );
}
