import { useEffect, useMemo, useRef, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { api } from "../../api/client";
import type { AuditEntry } from "../../api/types";
import { ErrorReference } from "../../components/FormAlert";
import { formatDateTime } from "../../lib/format";
import { useLoad, useTitle } from "../../lib/hooks";
import { usePaged } from "../../lib/paging";

/** The filters, as the page's query string holds them, so a filtered view can be shared. */
interface Filters {
  org: string;
  actor: string;
  action: string;
  from: string;
  to: string;
}

const KEYS: (keyof Filters)[] = ["org", "actor", "action", "from", "to"];

const filtersOf = (params: URLSearchParams) => Object.fromEntries(KEYS.map((k) => [k, params.get(k) ?? ""])) as unknown as Filters;

/** The query string of the filters that are set, in a fixed order. */
const queryOf = (f: Filters) => new URLSearchParams(KEYS.filter((k) => f[k] !== "").map((k) => [k, f[k]])).toString();

/**
 * Whether an event passes the filters: the organization and the action exactly, the actor
 * by any part of its name or address (any case), the dates as whole days in the viewer's
 * time zone, both ends included.
 */
export function matches(e: AuditEntry, f: Filters): boolean {
  if (f.org && e.orgId !== f.org) return false;
  if (f.action && e.action !== f.action) return false;
  if (f.actor && !e.actor.toLowerCase().includes(f.actor.trim().toLowerCase())) return false;
  const at = new Date(e.at).getTime();
  if (f.from && at < new Date(`${f.from}T00:00:00`).getTime()) return false;
  if (f.to && at >= new Date(`${f.to}T00:00:00`).getTime() + 86_400_000) return false;
  return true;
}

export function OpsAuditPage() {
  useTitle("Audit trail (operations)");
  const [params, setParams] = useSearchParams();
  // The controls follow their own state at once; the address follows it (a router update is
  // a transition, which would briefly put a chosen option back), and a new address, shared
  // or from the tabs, resets them.
  const [filters, setFilters] = useState<Filters>(() => filtersOf(params));
  // The addresses this page wrote itself: the router applies them a moment later, one by
  // one, and an echo of an older one must not put back what was typed since.
  const written = useRef(new Set<string>());
  useEffect(() => {
    if (written.current.has(params.toString())) return;
    written.current.clear();
    setFilters((f) => (queryOf(f) === queryOf(filtersOf(params)) ? f : filtersOf(params)));
  }, [params]);
  useEffect(() => {
    const q = queryOf(filters);
    if (q !== params.toString()) {
      written.current.add(q);
      setParams(q, { replace: true });
    }
    // Only a change of the filters moves the address; params is read, not followed.
  }, [filters]);
  // The trail comes a page at a time, newest first; the filters apply to what is loaded.
  const paged = usePaged((cursor) => api.GET("/api/ops/audit", { params: { query: { cursor } } }), (page) => page.entries, []);
  const audit = paged.first;
  const orgs = useLoad(() => api.GET("/api/ops/organizations"), []);

  const entries = paged.items;
  const names = useMemo(() => new Map((orgs.data?.organizations ?? []).map((o) => [o.id, o.name])), [orgs.data]);
  const actions = useMemo(() => [...new Set(entries.map((e) => e.action))].sort(), [entries]);
  const orgOptions = useMemo(
    () => [...new Set(entries.map((e) => e.orgId))].map((id) => ({ id, name: names.get(id) ?? id })).sort((a, b) => a.name.localeCompare(b.name)),
    [entries, names],
  );
  const badRange = filters.from !== "" && filters.to !== "" && filters.from > filters.to;
  const shown = badRange ? [] : entries.filter((e) => matches(e, filters));
  const filtered = KEYS.some((k) => filters[k] !== "");

  // Each change replaces the address rather than adding to the history: back leaves the page.
  const set = (key: keyof Filters, value: string) => setFilters((f) => ({ ...f, [key]: value }));

  return (
    <>
      <div className="page-heading">
        <h1>Audit trail</h1>
        <button id="ops-audit-refresh" type="button" className="button button--secondary" onClick={() => void audit.reload()} disabled={audit.loading}>
          Refresh
        </button>
      </div>
      <p>What every organization's members and the bank's operations team did, newest first.</p>
      <form id="ops-audit-filters" role="search" aria-label="Filter the audit trail" onSubmit={(e) => e.preventDefault()}>
        <div className="field-row">
          <div className="field">
            <label htmlFor="ops-audit-org">Organization</label>
            <select id="ops-audit-org" value={filters.org} onChange={(e) => set("org", e.target.value)}>
              <option value="">Every organization</option>
              {orgOptions.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
              {filters.org && !orgOptions.some((o) => o.id === filters.org) && <option value={filters.org}>{names.get(filters.org) ?? filters.org}</option>}
            </select>
          </div>
          <div className="field">
            <label htmlFor="ops-audit-actor">Who</label>
            <input id="ops-audit-actor" type="search" value={filters.actor} onChange={(e) => set("actor", e.target.value)} aria-describedby="ops-audit-actor-hint" />
            <p id="ops-audit-actor-hint" className="hint">
              Part of a name or an email address.
            </p>
          </div>
          <div className="field">
            <label htmlFor="ops-audit-action">What</label>
            <select id="ops-audit-action" value={filters.action} onChange={(e) => set("action", e.target.value)}>
              <option value="">Every action</option>
              {actions.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
              {filters.action && !actions.includes(filters.action) && <option value={filters.action}>{filters.action}</option>}
            </select>
          </div>
        </div>
        <div className="field-row">
          <div className="field">
            <label htmlFor="ops-audit-from">From</label>
            <input id="ops-audit-from" type="date" value={filters.from} max={filters.to || undefined} onChange={(e) => set("from", e.target.value)} />
          </div>
          <div className={`field${badRange ? " field--invalid" : ""}`}>
            <label htmlFor="ops-audit-to">To</label>
            <input
              id="ops-audit-to"
              type="date"
              value={filters.to}
              min={filters.from || undefined}
              onChange={(e) => set("to", e.target.value)}
              aria-invalid={badRange || undefined}
              aria-describedby={badRange ? "ops-audit-to-error" : undefined}
            />
            {badRange && (
              <p id="ops-audit-to-error" className="field-error">
                <span className="field-error-message">Choose an end date on or after the start date.</span>
              </p>
            )}
          </div>
        </div>
        {filtered && (
          <p>
            <button id="ops-audit-clear" type="button" className="button button--secondary button--small" onClick={() => setFilters(filtersOf(new URLSearchParams()))}>
              Clear the filters
            </button>
          </p>
        )}
      </form>
      {audit.error && (
        <div id="ops-audit-error" className="alert alert--error" role="alert">
          <p className="alert-message">{audit.error.message}</p>
        </div>
      )}
      {!audit.data && !audit.error && (
        <p className="loading" role="status">
          Loading the audit trail…
        </p>
      )}
      {audit.data && (
        <p id="ops-audit-count" role="status">
          {filtered ? `${shown.length} of ${entries.length} events match.` : `${entries.length} ${entries.length === 1 ? "event" : "events"}.`}
          {paged.hasMore && " Older events are not loaded yet: load them to look further back."}
        </p>
      )}
      {audit.data && shown.length === 0 && <p id="ops-audit-empty">{entries.length === 0 ? "Nothing recorded yet." : "No event matches these filters."}</p>}
      {shown.length > 0 && (
        <div className="table-wrap">
          <table id="ops-audit-table" className="table">
            <caption className="visually-hidden">Audit events{filtered ? " matching the filters" : ""}</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Organization</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((e, i) => (
                <tr key={`${e.at}-${e.orgId}-${i}`} data-org-id={e.orgId} data-action={e.action}>
                  <td>
                    <time dateTime={e.at}>{formatDateTime(e.at)}</time>
                  </td>
                  <td>
                    <Link to={`/ops/organizations/${encodeURIComponent(e.orgId)}`}>{names.get(e.orgId) ?? e.orgId}</Link>
                  </td>
                  <td>{e.actor}</td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td>
                    {e.details && Object.keys(e.details).length > 0 && (
                      <ul className="plain-list">
                        {Object.entries(e.details).map(([k, v]) => (
                          <li key={k}>
                            {k}: {v}
                          </li>
                        ))}
                      </ul>
                    )}
                    {e.requestId && (
                      <Link to={`/ops/requests/${encodeURIComponent(e.requestId)}`} className="muted">
                        Request {e.requestId}
                      </Link>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {paged.moreError && (
        <div id="ops-audit-more-error" className="panel panel--error" role="alert">
          <p>
            <strong>{paged.moreError.message}</strong>
          </p>
          <ErrorReference error={paged.moreError} />
        </div>
      )}
      {paged.hasMore && (
        <p>
          <button
            id="ops-audit-more"
            type="button"
            className="button button--secondary"
            onClick={() => void paged.loadMore()}
            disabled={paged.loadingMore}
            aria-busy={paged.loadingMore || undefined}
          >
            {paged.loadingMore ? "Loading…" : "Load older events"}
          </button>
        </p>
      )}
    </>
  );
}
