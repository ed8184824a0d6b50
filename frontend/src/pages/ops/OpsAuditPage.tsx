import { useEffect, useMemo, useRef, useState } from "react";
import { useSearchParams } from "react-router";
import { api } from "../../api/client";
import { AuditTable } from "../../components/AuditTable";
import { ErrorReference } from "../../components/FormAlert";
import { useDebounced, useLoad, useTitle } from "../../lib/hooks";
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

/** How long typing must pause before the trail is asked for with the new filters. */
export const FILTER_DELAY_MS = 300;

/** The start of a day (YYYY-MM-DD) in the viewer's time zone, as an RFC 3339 time; "" for none. */
function dayStart(day: string, plusDays = 0): string {
  if (!day) return "";
  const d = new Date(`${day}T00:00:00`);
  d.setDate(d.getDate() + plusDays);
  return d.toISOString();
}

/**
 * The audit list's query for the filters, which the server applies to the whole trail: the
 * organization and the action exactly, the actor by any part of its address (any case), the
 * dates as whole days in the viewer's time zone, both ends included.
 */
export function auditQuery(f: Filters, cursor?: string) {
  const q: Record<string, string> = {};
  if (f.org) q.organizationId = f.org;
  if (f.actor.trim()) q.actor = f.actor.trim();
  if (f.action) q.action = f.action;
  if (f.from) q.from = dayStart(f.from);
  if (f.to) q.to = dayStart(f.to, 1);
  if (cursor) q.cursor = cursor;
  return q;
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
  // The trail comes a page at a time, newest first, filtered by the server: each page holds
  // the events that match, however far back they are.
  const badRange = filters.from !== "" && filters.to !== "" && filters.from > filters.to;
  const settled = useDebounced(JSON.stringify(auditQuery(filters)), FILTER_DELAY_MS);
  const paged = usePaged(
    (cursor) => api.GET("/api/ops/audit", { params: { query: { ...(JSON.parse(settled) as Record<string, string>), ...(cursor ? { cursor } : {}) } } }),
    (page) => page.entries,
    [settled],
    !badRange,
  );
  const audit = paged.first;
  const orgs = useLoad(() => api.GET("/api/ops/organizations"), []);

  const entries = badRange ? [] : paged.items;
  const names = useMemo(() => new Map((orgs.data?.organizations ?? []).map((o) => [o.id, o.name])), [orgs.data]);
  const actions = useMemo(() => [...new Set(entries.map((e) => e.action))].sort(), [entries]);
  // Every organization of the list's first page, and those of the events shown (the list
  // pages too: a newer organization may be past its first page).
  const orgOptions = useMemo(
    () =>
      [...new Set([...(orgs.data?.organizations ?? []).map((o) => o.id), ...entries.map((e) => e.orgId)])]
        .map((id) => ({ id, name: names.get(id) ?? id }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    [orgs.data, entries, names],
  );
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
      {!badRange && !audit.data && !audit.error && (
        <p className="loading" role="status">
          Loading the audit trail…
        </p>
      )}
      {audit.data && !badRange && (
        <p id="ops-audit-count" role="status">
          {`${entries.length} ${entries.length === 1 ? "event" : "events"}${filtered ? (entries.length === 1 ? " matches" : " match") + " the filters" : ""}.`}
          {paged.hasMore && " Older events are not loaded yet: load them to look further back."}
        </p>
      )}
      {audit.data && !badRange && entries.length === 0 && <p id="ops-audit-empty">{filtered ? "No event matches these filters." : "Nothing recorded yet."}</p>}
      {entries.length > 0 && (
        <AuditTable
          id="ops-audit-table"
          entries={entries}
          caption={`Audit events${filtered ? " matching the filters" : ""}`}
          organization={{ name: (id) => names.get(id) ?? id, href: (id) => `/ops/organizations/${encodeURIComponent(id)}` }}
          requestHref={(id) => `/ops/requests/${encodeURIComponent(id)}`}
        />
      )}
      {paged.moreError && (
        <div id="ops-audit-more-error" className="panel panel--error" role="alert">
          <p>
            <strong>{paged.moreError.message}</strong>
          </p>
          <ErrorReference error={paged.moreError} />
        </div>
      )}
      {paged.hasMore && !badRange && (
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
