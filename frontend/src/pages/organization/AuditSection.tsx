import { useEffect } from "react";
import { api } from "../../api/client";
import { formatDateTime } from "../../lib/format";
import { usePaged } from "../../lib/paging";
import { ShowMore } from "../../components/ShowMore";

export function AuditSection({ orgId, tick }: { orgId: string; tick: number }) {
  const paged = usePaged(
    (cursor) => api.GET("/api/organizations/{orgId}/audit", { params: { path: { orgId }, query: { cursor } } }),
    (page) => page.entries,
    [orgId],
  );
  const audit = paged.first;
  const { reload } = audit;
  useEffect(() => {
    if (tick > 0) void reload();
  }, [tick, reload]);
  const entries = paged.items;

  return (
    <section id="audit" aria-labelledby="audit-heading" className="section">
      <h2 id="audit-heading">Audit trail</h2>
      <p>Every change to the organization, newest first. Only the owner and administrators see it.</p>
      {audit.error && !audit.data && (
        <div id="audit-error" className="alert alert--error" role="alert">
          <p className="alert-message">{audit.error.message}</p>
        </div>
      )}
      {!audit.data && !audit.error && (
        <p className="loading" role="status">
          Loading the audit trail…
        </p>
      )}
      {audit.data && entries.length === 0 && <p id="audit-empty">Nothing recorded yet.</p>}
      {entries.length > 0 && (
        <div className="table-wrap">
          <table id="audit-table" className="table">
            <caption className="visually-hidden">Audit trail</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e, i) => (
                <tr key={`${e.at}-${i}`}>
                  <td>
                    <time dateTime={e.at}>{formatDateTime(e.at)}</time>
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
                    {e.requestId && <span className="muted">Request {e.requestId}</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ShowMore id="audit" list={paged} one="entry" many="entries" />
    </section>
  );
}
