import { Link } from "react-router";
import type { AuditEntry } from "../api/types";
import { formatDateTime } from "../lib/format";

interface AuditTableProps {
  id: string;
  entries: AuditEntry[];
  /** What the table lists, for screen readers. */
  caption: string;
  /** With it, a column names each entry's organization, linked to organizationHref. */
  organization?: { name: (orgId: string) => string; href: (orgId: string) => string };
  /** Where an entry's request links to; without it the request is named, not linked. */
  requestHref?: (requestId: string) => string;
}

/**
 * Audit entries, newest first as given: when, (organization,) who, what, and the details
 * and request of each. The operations console and an organization's own trail show the
 * same table; only operations see the organization column and open the requests.
 */
export function AuditTable({ id, entries, caption, organization, requestHref }: AuditTableProps) {
  return (
    <div className="table-wrap">
      <table id={id} className="table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            {organization && <th scope="col">Organization</th>}
            <th scope="col">Who</th>
            <th scope="col">What</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e, i) => (
            <tr key={`${e.at}-${e.orgId}-${i}`} data-org-id={e.orgId} data-action={e.action}>
              <td>
                <time dateTime={e.at}>{formatDateTime(e.at)}</time>
              </td>
              {organization && (
                <td>
                  <Link to={organization.href(e.orgId)}>{organization.name(e.orgId)}</Link>
                </td>
              )}
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
                {e.requestId &&
                  (requestHref ? (
                    <Link to={requestHref(e.requestId)} className="muted">
                      Request {e.requestId}
                    </Link>
                  ) : (
                    <span className="muted">Request {e.requestId}</span>
                  ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
