import { Link, useParams } from "react-router";
import { api } from "../../api/client";
import { MembersTable, OpsCertificates, OpsOrganizationFacts, OpsRequests } from "../../components/OpsOrganization";
import { useLoad, useTitle } from "../../lib/hooks";

export function OpsOrganizationPage() {
  const { orgId = "" } = useParams();
  const detail = useLoad(() => api.GET("/api/ops/organizations/{orgId}", { params: { path: { orgId } } }), [orgId]);
  const d = detail.data;
  useTitle(d ? `${d.organization.name} (operations)` : "Organization");

  if (!d) {
    return detail.error ? (
      <section className="narrow">
        <h1>{detail.status === 404 ? "Organization not found" : "Organization"}</h1>
        <div id="ops-organization-error" className="panel panel--error" role="alert">
          <p>
            <strong>{detail.error.message}</strong>
          </p>
        </div>
        <p>
          <Link to="/ops/organizations">Back to the organizations</Link>
        </p>
      </section>
    ) : (
      <p className="loading" role="status">
        Loading the organization…
      </p>
    );
  }

  return (
    <>
      <p className="breadcrumb">
        <Link to="/ops/organizations">Organizations</Link>
      </p>
      <h1>{d.organization.name}</h1>
      <section aria-labelledby="facts-heading" className="section">
        <h2 id="facts-heading">Overview</h2>
        <OpsOrganizationFacts detail={d} />
      </section>
      <section aria-labelledby="certs-heading" className="section">
        <h2 id="certs-heading">Certificates</h2>
        <OpsCertificates detail={d} />
      </section>
      <section aria-labelledby="members-heading" className="section">
        <h2 id="members-heading">Members</h2>
        <MembersTable id="ops-members-table" members={d.members} />
      </section>
      <section aria-labelledby="requests-heading" className="section">
        <h2 id="requests-heading">Requests</h2>
        <OpsRequests detail={d} />
      </section>
    </>
  );
}
