import { useEffect } from "react";
import { api } from "../../api/client";
import { AuditTable } from "../../components/AuditTable";
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
      {entries.length > 0 && <AuditTable id="audit-table" entries={entries} caption="Audit trail" />}
      <ShowMore id="audit" list={paged} one="entry" many="entries" />
    </section>
  );
}
