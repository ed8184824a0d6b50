import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";
import { Link, useParams } from "react-router";
import { api, call } from "../../api/client";
import type { ApprovalRequest, OpsRequestDetail } from "../../api/types";
import { useAuth } from "../../auth/AuthContext";
import { StatusBadge } from "../../components/Badge";
import { CertificateDetails } from "../../components/CertificateDetails";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { TextAreaField } from "../../components/Field";
import { FormAlert } from "../../components/FormAlert";
import { MembersTable, OpsCertificates, OpsOrganizationFacts } from "../../components/OpsOrganization";
import { RequestHistory } from "../../components/RequestList";
import { formatDateTime, timeLeft } from "../../lib/format";
import { useApiForm, useLoad, useTitle } from "../../lib/hooks";
import { stepText } from "../../lib/apps";
import { REQUEST_KIND_LABEL, REQUEST_STATUS_LABEL } from "../../lib/orgs";
import { PROOF_METHOD_LABEL } from "../../lib/possession";
import { limitOf } from "../../lib/limits";

/** After a decision, the request is polled until the workflow has applied it. */
export const DECISION_POLL = { intervalMs: 1000, maxMs: 20_000 };

const FORM_LABEL: Record<string, string> = {
  firstName: "First name",
  lastName: "Last name",
  company: "Company",
  email: "Email",
  phone: "Phone",
  roles: "Services",
  environment: "Environment",
  organizationIdentifier: "Organization identifier",
  qwacFingerprint: "QWAC SHA-256 fingerprint",
  qwacPossession: "QWAC private key",
  qwacPossessionAt: "QWAC key proven",
  qsealcFingerprint: "QSealC SHA-256 fingerprint",
  qsealcPossession: "QSealC private key",
  qsealcPossessionAt: "QSealC key proven",
  name: "New name",
  reason: "Reason",
  appName: "App",
  appId: "App ID",
  productName: "API product",
  productId: "Product ID",
  planId: "Plan",
  scopes: "Scopes",
  sandboxOrganizationId: "Sandbox organization ID",
  sandboxProducts: "Sandbox subscriptions",
  redirectUris: "Production redirect URIs",
  certificateSubject: "mTLS certificate",
  certificate: "mTLS certificate SHA-256 fingerprint",
  certificatePossession: "mTLS certificate private key",
  certificatePossessionAt: "mTLS certificate key proven",
  currentQWACFingerprint: "Current QWAC SHA-256 fingerprint",
  currentQSealCFingerprint: "Current QSealC SHA-256 fingerprint",
  renewalId: "Renewal ID",
};

/** Form fields holding identifiers or fingerprints, shown in monospace. */
const MONO = new Set(["organizationIdentifier", "certificate", "appId", "sandboxOrganizationId"]);
/** Form fields holding a space-separated list, shown one item a line. */
const LISTS = new Set(["redirectUris", "sandboxProducts", "scopes"]);
/** Form fields holding product IDs, shown by the product's name. */
const PRODUCT_LISTS = new Set(["sandboxProducts"]);

/** A list field's items; older requests wrote scopes as Go prints a list ("[AIS PIS]"). */
export function listItems(value: string): string[] {
  return value
    .replace(/^\[(.*)\]$/, "$1")
    .split(/[\s,]+/)
    .filter(Boolean);
}

export function OpsRequestPage() {
  const { requestId = "" } = useParams();
  return <RequestView key={requestId} requestId={requestId} />;
}

function RequestView({ requestId }: { requestId: string }) {
  const detail = useLoad(() => api.GET("/api/ops/requests/{requestId}", { params: { path: { requestId } } }), [requestId]);
  const d = detail.data;
  useTitle(d ? `${REQUEST_KIND_LABEL[d.request.kind] ?? d.request.kind} request: ${d.request.organizationName}` : "Request");
  const { setData } = detail;
  // Product IDs in a form are shown by name, from the (public) catalog.
  const catalog = useLoad(() => api.GET("/api/products"), []);
  const productName = (id: string) => catalog.data?.products.find((p) => p.id === id)?.name;

  // Polling after a decision: until the status is no longer DECIDING, or the time is up.
  const [polling, setPolling] = useState<"off" | "on" | "done" | "timeout">("off");
  const [decided, setDecided] = useState<"approve" | "reject" | null>(null);
  useEffect(() => {
    if (polling !== "on") return;
    let stopped = false;
    let timer = 0;
    const started = Date.now();
    const poll = async () => {
      const r = await call(api.GET("/api/ops/requests/{requestId}", { params: { path: { requestId } } }));
      if (stopped) return;
      if (r.ok) {
        setData(r.data);
        if (r.data.request.status !== "DECIDING") {
          setPolling("done");
          return;
        }
      }
      if (Date.now() - started + DECISION_POLL.intervalMs > DECISION_POLL.maxMs) {
        setPolling("timeout");
        return;
      }
      timer = window.setTimeout(() => void poll(), DECISION_POLL.intervalMs);
    };
    timer = window.setTimeout(() => void poll(), DECISION_POLL.intervalMs);
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [polling, requestId, setData]);

  // A request decided in steps comes back PENDING at its next step: the form stays for it.
  const [advanced, setAdvanced] = useState<{ done: string; next: string } | null>(null);
  const onDecided = useCallback(
    (action: "approve" | "reject", updated: ApprovalRequest) => {
      if (d) setData({ ...d, request: updated });
      const steps = updated.steps ?? [];
      if (action === "approve" && updated.status === "PENDING" && steps.length > 1) {
        setAdvanced({ done: stepText({ steps, step: updated.step - 1 }), next: steps[updated.step] ?? "" });
        return;
      }
      setAdvanced(null);
      setDecided(action);
      setPolling(updated.status === "DECIDING" ? "on" : "done");
    },
    [d, setData],
  );

  if (!d) {
    return detail.error ? (
      <section className="narrow">
        <h1>{detail.status === 404 ? "Request not found" : "Request"}</h1>
        <div id="ops-request-error" className="panel panel--error" role="alert">
          <p>
            <strong>{detail.error.message}</strong>
          </p>
        </div>
        <p>
          <Link to="/ops">Back to the inbox</Link>
        </p>
      </section>
    ) : (
      <p className="loading" role="status">
        Loading the request…
      </p>
    );
  }

  const r = d.request;
  return (
    <>
      <p className="breadcrumb">
        <Link to="/ops">Inbox</Link>
      </p>
      <div className="page-heading">
        <h1>
          {REQUEST_KIND_LABEL[r.kind] ?? r.kind} request: {r.organizationName}
        </h1>
        <StatusBadge id="request-status" status={r.status} labels={REQUEST_STATUS_LABEL} />
      </div>
      <p id="request-summary" className="lead">
        {r.summary}
      </p>
      <p className="muted">
        Submitted {formatDateTime(r.createdAt)} by {r.requesterEmail} · {r.status === "PENDING" ? `expires ${formatDateTime(r.expiresAt)} (${timeLeft(r.expiresAt)})` : `expiry ${formatDateTime(r.expiresAt)}`}
      </p>

      {r.steps && r.steps.length > 1 && r.status === "PENDING" && (
        <p id="request-step" className="request-step">
          <strong>{stepText(r)}</strong>
        </p>
      )}
      {advanced && !decided && (
        <div id="step-result" className="panel panel--success" role="status">
          <p>
            <strong>Approved: {advanced.done}.</strong> The request now waits for the next decision: {advanced.next}.
          </p>
        </div>
      )}
      {decided && <DecisionResult action={decided} request={r} polling={polling} />}
      {r.kind === "OFFBOARDING" && r.status === "PENDING" && !decided && <OffboardingImpact apps={d.organization.apps} organizationName={r.organizationName} productName={productName} />}
      {r.status === "PENDING" && !decided && <DecisionForm key={r.step} request={r} detail={d} onDecided={onDecided} onStale={() => void detail.reload()} />}

      <section aria-labelledby="form-heading" className="section">
        <h2 id="form-heading">What was submitted</h2>
        <dl id="request-form" className="details">
          {formEntries(r.form ?? {}).map(([k, v]) => (
            <FormRow key={k} name={k} value={v} productName={productName} />
          ))}
        </dl>
      </section>
      {r.kind === "GO_LIVE" && r.form?.certificate && (
        <section aria-labelledby="golive-certificate-heading" className="section">
          <h2 id="golive-certificate-heading">The production app's mTLS certificate</h2>
          {d.certificate ? (
            <CertificateDetails id="golive-certificate" title={`As uploaded to ${r.organizationName}`} certificate={d.certificate.certificate} trust={d.certificate.trust} />
          ) : (
            <p id="golive-certificate-missing" className="panel panel--info">
              This certificate is no longer uploaded to {r.organizationName}: the organization deleted it after asking.
            </p>
          )}
        </section>
      )}
      {r.kind === "CERTIFICATE_RENEWAL" && (
        <section aria-labelledby="renewal-heading" className="section">
          <h2 id="renewal-heading">The renewal</h2>
          {d.renewal?.length ? (
            d.renewal.map((c) => {
              const label = c.kind === "qwac" ? "QWAC" : "QSealC";
              return (
                <div key={c.kind} id={`renewal-${c.kind}`} className="compare">
                  {c.current ? (
                    <CertificateDetails id={`renewal-${c.kind}-current`} title={`Current ${label}, in force until the renewal is approved`} certificate={c.current.certificate} trust={c.current.trust} />
                  ) : (
                    <p id={`renewal-${c.kind}-current-missing`}>The organization has no {label} in force.</p>
                  )}
                  <CertificateDetails id={`renewal-${c.kind}-new`} title={`New ${label}`} certificate={c.renewal.certificate} trust={c.renewal.trust} />
                </div>
              );
            })
          ) : (
            <p id="renewal-decided" className="panel panel--info">
              This renewal is no longer waiting: the organization's certificates in force are below.
            </p>
          )}
        </section>
      )}
      <section aria-labelledby="certs-heading" className="section">
        <h2 id="certs-heading">Certificates</h2>
        <OpsCertificates detail={d.organization} />
      </section>
      <section aria-labelledby="org-heading" className="section">
        <h2 id="org-heading">Organization</h2>
        <OpsOrganizationFacts detail={d.organization} link />
        <h3 className="table-heading">Apps</h3>
        <OpsAppsTable apps={d.organization.apps} productName={productName} />
        <h3 className="table-heading">Members</h3>
        <MembersTable id="ops-members-table" members={d.organization.members} />
      </section>
      <section aria-labelledby="history-heading" className="section">
        <h2 id="history-heading">History</h2>
        <RequestHistory id="request-history" history={r.history} />
      </section>
    </>
  );
}

type OpsApp = OpsRequestDetail["organization"]["apps"][number];

/** What approving an offboarding ends, said before the decision. */
export function OffboardingImpact({ apps, organizationName, productName }: { apps: readonly OpsApp[]; organizationName: string; productName: (id: string) => string | undefined }) {
  if (apps.length === 0) {
    return (
      <div id="offboarding-impact" className="panel panel--info">
        <p>
          <strong>{organizationName} has no apps.</strong> Approving removes its members' access to it; no TPP API calls stop.
        </p>
      </div>
    );
  }
  const live = apps.filter((a) => a.environment === "production").length;
  return (
    <div id="offboarding-impact" className="panel panel--warning">
      <p>
        <strong>
          Approving stops {apps.length === 1 ? "the 1 app" : `all ${apps.length} apps`} of {organizationName}
          {live > 0 && ` (${live} in production)`}: their credentials, API keys and certificates stop working at once.
        </strong>
      </p>
      <ul>
        {apps.map((a) => (
          <li key={a.id}>
            {a.name} ({a.environment}){a.products.length > 0 && `: ${a.products.map((p) => productName(p) ?? p).join(", ")}`}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The organization's apps as operations see them: no client IDs, no secrets. */
function OpsAppsTable({ apps, productName }: { apps: readonly OpsApp[]; productName: (id: string) => string | undefined }) {
  if (apps.length === 0) return <p id="ops-apps-empty">No apps.</p>;
  return (
    <div className="table-wrap">
      <table id="ops-apps-table" className="table">
        <thead>
          <tr>
            <th scope="col">App</th>
            <th scope="col">Environment</th>
            <th scope="col">Products</th>
            <th scope="col">Certificates</th>
            <th scope="col">Redirect URIs</th>
          </tr>
        </thead>
        <tbody>
          {apps.map((a) => (
            <tr key={a.id} data-app-id={a.id}>
              <th scope="row">{a.name}</th>
              <td>{a.environment}</td>
              <td>{a.products.map((p) => productName(p) ?? p).join(", ") || "—"}</td>
              <td>{a.certificates}</td>
              <td>{a.redirectUris}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The form's fields in a reading order (the server sends them sorted by name); unknown ones last. */
function formEntries(form: Record<string, string>): [string, string][] {
  const order = Object.keys(FORM_LABEL);
  const rank = (k: string) => (order.includes(k) ? order.indexOf(k) : order.length);
  return Object.entries(form).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
}

function FormRow({ name, value, productName }: { name: string; value: string; productName: (id: string) => string | undefined }) {
  const mono = name.endsWith("Fingerprint") || MONO.has(name);
  const items = LISTS.has(name) ? listItems(value) : null;
  const named = PRODUCT_LISTS.has(name);
  return (
    <>
      <dt>{FORM_LABEL[name] ?? name}</dt>
      <dd id={`request-form-${name}`}>
        {items ? (
          items.length ? (
            <ul className="plain-list">
              {items.map((v) => (
                <li key={v}>{named && productName(v) ? productName(v) : <code className="fingerprint">{v}</code>}</li>
              ))}
            </ul>
          ) : (
            "—"
          )
        ) : mono ? (
          <code className="fingerprint">{value}</code>
        ) : name === "roles" ? (
          value.split(",").join(", ")
        ) : name.endsWith("Possession") ? (
          `Possession proven ${PROOF_METHOD_LABEL[value] ?? value}`
        ) : name.endsWith("PossessionAt") ? (
          <time dateTime={value}>{formatDateTime(value)}</time>
        ) : (
          value
        )}
      </dd>
    </>
  );
}

function DecisionResult({ action, request, polling }: { action: "approve" | "reject"; request: ApprovalRequest; polling: string }) {
  const label = REQUEST_STATUS_LABEL[request.status] ?? request.status;
  return (
    <div id="decision-result" className={`panel ${request.status === "DECIDING" ? "panel--info" : "panel--success"}`} role="status">
      {request.status === "DECIDING" ? (
        polling === "timeout" ? (
          <p>
            Your decision to {action} is recorded and still being applied. <strong>Status: {label}.</strong> Refresh the page in a
            moment to see the outcome.
          </p>
        ) : (
          <p>
            Your decision to {action} is recorded. <strong>Status: {label}</strong>: the portal is applying it…
          </p>
        )
      ) : (
        <p>
          <strong>Status: {label}.</strong>{" "}
          {request.status === "APPROVED"
            ? "The decision has been applied and the requester has been emailed."
            : request.status === "REJECTED"
              ? "The rejection has been applied and the requester has been emailed with your comment."
              : ""}
        </p>
      )}
    </div>
  );
}

interface DecisionFormProps {
  request: ApprovalRequest;
  detail: OpsRequestDetail;
  onDecided: (action: "approve" | "reject", updated: ApprovalRequest) => void;
  /** The request changed elsewhere (decided, expired): load it again. */
  onStale: () => void;
}

function DecisionForm({ request, detail, onDecided, onStale }: DecisionFormProps) {
  const { signedOut } = useAuth();
  const { busy, error, fields, submit } = useApiForm("decision");
  const [comment, setComment] = useState("");
  const [confirming, setConfirming] = useState<"approve" | "reject" | null>(null);
  const sending = useRef(false);

  const decide = async () => {
    const action = confirming;
    setConfirming(null);
    if (!action || sending.current) return;
    sending.current = true;
    try {
      const path = action === "approve" ? "/api/ops/requests/{requestId}/approve" : "/api/ops/requests/{requestId}/reject";
      const r = await submit(() => api.POST(path, { params: { path: { requestId: request.id } }, body: { comment } }));
      if (!r) return;
      if (r.ok) onDecided(action, r.data);
      else if (r.status === 401) signedOut();
      else if (r.error.code === "REQUEST_DECIDED" || r.error.code === "REQUEST_EXPIRED") onStale();
    } finally {
      sending.current = false;
    }
  };

  const kind = REQUEST_KIND_LABEL[request.kind]?.toLowerCase() ?? request.kind;
  const org = detail.organization.organization.name || request.organizationName;
  const steps = request.steps ?? [];
  const stepped = steps.length > 1;
  const stepName = stepped ? (steps[request.step] ?? "") : "";
  const last = !stepped || request.step >= steps.length - 1;
  return (
    <section aria-labelledby="decision-heading" className="section">
      <h2 id="decision-heading">Decision</h2>
      <form id="decision-form" noValidate onSubmit={(e: FormEvent) => e.preventDefault()}>
        <FormAlert form="decision" error={error} shownFields={["comment"]} />
        <TextAreaField
          form="decision"
          name="comment"
          label="Comment"
          hint="The requester reads it. Required when you reject: give the reason."
          rows={4}
          limit={limitOf("POST /api/ops/requests/{requestId}/approve", "comment")}
          value={comment}
          onValueChange={setComment}
          errors={fields.comment}
        />
        <div className="actions">
          <button id="approve-request" type="button" className="button button--primary" disabled={busy} aria-busy={busy || undefined} onClick={() => setConfirming("approve")}>
            {stepped ? `Approve step ${request.step + 1}: ${stepName}` : "Approve"}
          </button>
          <button id="reject-request" type="button" className="button button--danger" disabled={busy} aria-busy={busy || undefined} onClick={() => setConfirming("reject")}>
            Reject
          </button>
        </div>
      </form>
      <ConfirmDialog
        id="decision-dialog"
        open={confirming !== null}
        title={confirming === "approve" ? `Approve the ${kind} of ${org}?` : `Reject the ${kind} of ${org}?`}
        confirmLabel={confirming === "approve" ? (stepped ? `Approve: ${stepName}` : "Approve request") : "Reject request"}
        destructive={confirming === "reject"}
        busy={busy}
        onConfirm={() => void decide()}
        onCancel={() => setConfirming(null)}
      >
        {confirming === "approve" ? (
          last ? (
            <p>
              {stepped && `This is the last step (${stepText(request)}). `}The change takes effect and the requester is emailed. A decision cannot be
              taken back.
            </p>
          ) : (
            <p>
              This approves {stepText(request)}. The request then waits for the next decision: {steps[request.step + 1]}. A decision cannot be taken
              back.
            </p>
          )
        ) : (
          <p>
            The requester is emailed your comment as the reason. A decision cannot be taken back.
            {!comment.trim() && " You have not written a comment yet: a rejection needs one."}
          </p>
        )}
      </ConfirmDialog>
    </section>
  );
}
