import { Link } from "react-router";
import { api } from "../../api/client";
import { EnvironmentBadge, StatusBadge } from "../../components/Badge";
import { formatDate } from "../../lib/format";
import { useTitle } from "../../lib/hooks";
import { usePaged } from "../../lib/paging";
import { ShowMore } from "../../components/ShowMore";
import { ORG_STATUS_LABEL } from "../../lib/orgs";

export function OpsOrganizationsPage() {
  useTitle("Organizations (operations)");
  const paged = usePaged(
    (cursor) => api.GET("/api/ops/organizations", { params: { query: { cursor } } }),
    (page) => page.organizations,
    [],
  );
  const orgs = paged.first;
  const list = paged.items;
  return (
    <>
      <div className="page-heading">
        <h1>Organizations</h1>
        <button id="ops-orgs-refresh" type="button" className="button button--secondary" onClick={() => void orgs.reload()} disabled={orgs.loading}>
          Refresh
        </button>
      </div>
      {orgs.error && (
        <div id="ops-organizations-error" className="alert alert--error" role="alert">
          <p className="alert-message">{orgs.error.message}</p>
        </div>
      )}
      {orgs.loading && !orgs.data && (
        <p className="loading" role="status">
          Loading organizations…
        </p>
      )}
      {orgs.data && list.length === 0 && <p id="ops-organizations-empty">No organizations yet.</p>}
      {list.length > 0 && (
        <div className="table-wrap">
          <table id="ops-organizations-table" className="table">
            <caption className="visually-hidden">Every organization</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Organization identifier</th>
                <th scope="col">Environment</th>
                <th scope="col">Status</th>
                <th scope="col">Members</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {list.map((o) => (
                <tr key={o.id} data-org-id={o.id}>
                  <th scope="row">
                    <Link to={`/ops/organizations/${encodeURIComponent(o.id)}`}>{o.name}</Link>
                  </th>
                  <td>
                    <code>{o.organizationIdentifier || "—"}</code>
                  </td>
                  <td>
                    <EnvironmentBadge environment={o.environment} />
                  </td>
                  <td>
                    <StatusBadge status={o.status} labels={ORG_STATUS_LABEL} />
                  </td>
                  <td>{o.members}</td>
                  <td>{formatDate(o.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ShowMore id="ops-organizations" list={paged} one="organization" many="organizations" />
    </>
  );
}
