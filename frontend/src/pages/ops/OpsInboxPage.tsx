import { Link, useSearchParams } from "react-router";
import { api } from "../../api/client";
import { EnvironmentBadge, StatusBadge } from "../../components/Badge";
import { stepText } from "../../lib/apps";
import { formatDateTime, timeAgo, timeLeft } from "../../lib/format";
import { useNow, useTitle } from "../../lib/hooks";
import { usePaged } from "../../lib/paging";
import { ShowMore } from "../../components/ShowMore";
import { REQUEST_KIND_LABEL, REQUEST_STATUS_LABEL } from "../../lib/orgs";

const STATUSES = ["PENDING", "APPROVED", "REJECTED", "EXPIRED"] as const;
const ENVIRONMENTS = ["sandbox", "production"] as const;
const KINDS = Object.keys(REQUEST_KIND_LABEL);

export function OpsInboxPage() {
  useTitle("Operations inbox");
  const [params, setParams] = useSearchParams();
  const raw = params.get("status") ?? "PENDING";
  const status = (STATUSES as readonly string[]).includes(raw) ? (raw as (typeof STATUSES)[number]) : "PENDING";
  const now = useNow();
  const paged = usePaged(
    (cursor) => api.GET("/api/ops/requests", { params: { query: { status, cursor } } }),
    (page) => page.requests,
    [status],
  );
  const requests = paged.first;
  // The environment and kind filters narrow the loaded list; all three live in the URL,
  // so a filtered inbox can be linked to and comes back on reload.
  const environment = (ENVIRONMENTS as readonly string[]).includes(params.get("environment") ?? "") ? params.get("environment")! : "";
  const kind = KINDS.includes(params.get("kind") ?? "") ? params.get("kind")! : "";
  const all = paged.items;
  const list = all.filter((r) => (!environment || r.environment === environment) && (!kind || r.kind === kind));
  const setFilter = (name: string, value: string, none: string) => {
    const next = new URLSearchParams(params);
    if (value === none) next.delete(name);
    else next.set(name, value);
    setParams(next, { replace: true });
  };

  return (
    <>
      <div className="page-heading">
        <h1>Requests</h1>
        <button id="ops-refresh" type="button" className="button button--secondary" onClick={() => void requests.reload()} disabled={requests.loading}>
          Refresh
        </button>
      </div>
      <div className="filter filters">
        <label htmlFor="ops-status">Show</label>
        <select id="ops-status" value={status} onChange={(e) => setFilter("status", e.target.value, "PENDING")}>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s === "PENDING" ? "Waiting for a decision" : REQUEST_STATUS_LABEL[s]}
            </option>
          ))}
        </select>
        <label htmlFor="ops-environment">Environment</label>
        <select id="ops-environment" value={environment} onChange={(e) => setFilter("environment", e.target.value, "")}>
          <option value="">Both</option>
          <option value="sandbox">Sandbox</option>
          <option value="production">Production</option>
        </select>
        <label htmlFor="ops-kind">Type</label>
        <select id="ops-kind" value={kind} onChange={(e) => setFilter("kind", e.target.value, "")}>
          <option value="">All types</option>
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {REQUEST_KIND_LABEL[k]}
            </option>
          ))}
        </select>
      </div>
      <p className="visually-hidden" aria-live="polite">
        {requests.loading ? "Loading requests…" : requests.data ? `${list.length} ${list.length === 1 ? "request" : "requests"}` : ""}
      </p>
      {requests.error && (
        <div id="ops-requests-error" className="alert alert--error" role="alert">
          <p className="alert-message">{requests.error.message}</p>
        </div>
      )}
      {requests.loading && !requests.data && (
        <p className="loading" role="status">
          Loading requests…
        </p>
      )}
      {requests.data && all.length === 0 && (
        <p id="ops-requests-empty">{status === "PENDING" ? "Nothing is waiting for a decision." : `No ${REQUEST_STATUS_LABEL[status].toLowerCase()} requests.`}</p>
      )}
      {all.length > 0 && list.length === 0 && (
        <p id="ops-requests-filtered-empty">
          No request matches these filters; {all.length === 1 ? "1 request is" : `${all.length} requests are`} hidden by them.
        </p>
      )}
      {list.length > 0 && (
        <div className="table-wrap">
          <table id="ops-requests-table" className="table">
            <caption className="visually-hidden">Requests: {REQUEST_STATUS_LABEL[status]}</caption>
            <thead>
              <tr>
                <th scope="col">Type</th>
                <th scope="col">Organization</th>
                <th scope="col">Environment</th>
                <th scope="col">Requester</th>
                <th scope="col">Submitted</th>
                <th scope="col">{status === "PENDING" ? "Time left" : "Expiry"}</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {list.map((r) => (
                <tr key={r.id} data-request-id={r.id}>
                  <th scope="row">
                    <Link id={`ops-request-${r.id}`} to={`/ops/requests/${encodeURIComponent(r.id)}`}>
                      {REQUEST_KIND_LABEL[r.kind] ?? r.kind}
                      <span className="visually-hidden">: {r.organizationName}</span>
                    </Link>
                    {r.status === "PENDING" && stepText(r) && <span className="muted request-step"> · {stepText(r)}</span>}
                  </th>
                  <td>{r.organizationName}</td>
                  <td data-environment={r.environment ?? ""}>{r.environment ? <EnvironmentBadge environment={r.environment} /> : <span className="muted">Not recorded</span>}</td>
                  <td>{r.requesterEmail}</td>
                  <td>
                    <time dateTime={r.createdAt} title={formatDateTime(r.createdAt)}>
                      {timeAgo(r.createdAt, now)}
                    </time>
                  </td>
                  <td>
                    <time dateTime={r.expiresAt} title={formatDateTime(r.expiresAt)}>
                      {r.status === "PENDING" ? timeLeft(r.expiresAt, now) : formatDateTime(r.expiresAt)}
                    </time>
                  </td>
                  <td>
                    <StatusBadge status={r.status} labels={REQUEST_STATUS_LABEL} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ShowMore id="ops-requests" list={paged} one="request" many="requests" />
    </>
  );
}
