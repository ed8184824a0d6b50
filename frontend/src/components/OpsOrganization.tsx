import type { ReactNode } from "react";
import { Link } from "react-router";
import type { Member, OpsOrganizationDetail } from "../api/types";
import { formatDate } from "../lib/format";
import { ORG_STATUS_LABEL, ROLE_LABEL, SERVICES } from "../lib/orgs";
import { proofText } from "../lib/possession";
import { EnvironmentBadge, StatusBadge } from "./Badge";
import { CertificateDetails } from "./CertificateDetails";
import { RequestList } from "./RequestList";
import { ShowMore } from "./ShowMore";
import { api } from "../api/client";
import { usePaged } from "../lib/paging";

/** An organization's facts as operations sees them (including its code). */
export function OpsOrganizationFacts({ detail, link }: { detail: OpsOrganizationDetail; link?: boolean }) {
  const o = detail.organization;
  const serviceLabel = (s: string) => SERVICES.find((x) => x.value === s)?.label ?? s;
  return (
    <dl id="ops-org-facts" className="details">
      <dt>Name</dt>
      <dd id="ops-org-name">{link ? <Link to={`/ops/organizations/${encodeURIComponent(o.id)}`}>{o.name}</Link> : o.name}</dd>
      <dt>Status</dt>
      <dd id="ops-org-status">
        <StatusBadge status={o.status} labels={ORG_STATUS_LABEL} />
        {o.reason && <span> Reason: {o.reason}</span>}
      </dd>
      <dt>Environment</dt>
      <dd>
        <EnvironmentBadge environment={o.environment} />
      </dd>
      <dt>Organization identifier</dt>
      <dd id="ops-org-organizationIdentifier">
        <code>{o.organizationIdentifier || "—"}</code>
      </dd>
      <dt>Services</dt>
      <dd>{o.services.length ? o.services.map(serviceLabel).join(", ") : "—"}</dd>
      <dt>Contact</dt>
      <dd>
        {o.contact.firstName} {o.contact.lastName} · <a href={`mailto:${o.contact.email}`}>{o.contact.email}</a> · {o.contact.phone}
      </dd>
      <dt>Code</dt>
      <dd id="ops-org-code">{o.code ? <code>{o.code}</code> : "—"}</dd>
      <dt>Members</dt>
      <dd>
        {o.members} of at most {o.maxMembers}
      </dd>
      <dt>Created</dt>
      <dd>{formatDate(o.createdAt)}</dd>
    </dl>
  );
}

export function OpsCertificates({ detail }: { detail: OpsOrganizationDetail }) {
  if (!detail.qwac && !detail.qsealc) return <p className="muted">No certificates on record.</p>;
  return (
    <div className="cert-grid">
      {detail.qwac && (
        <div>
          <CertificateDetails id="qwac-details" title="QWAC" certificate={detail.qwac} trust={detail.qwacTrust} />
          <OpsPossession kind="qwac" detail={detail} />
        </div>
      )}
      {detail.qsealc && (
        <div>
          <CertificateDetails id="qsealc-details" title="QSealC" certificate={detail.qsealc} trust={detail.qsealcTrust} />
          <OpsPossession kind="qsealc" detail={detail} />
        </div>
      )}
    </div>
  );
}

/** Whether, how and when the holder of an onboarding certificate proved possession of its key. */
function OpsPossession({ kind, detail }: { kind: string; detail: OpsOrganizationDetail }) {
  const proof = (detail.organization.certificates ?? []).find((c) => c.kind === kind)?.possession;
  return (
    <p id={`${kind}-possession`} className={proof ? "possession-proven" : "possession-unproven"}>
      <strong>Private key: </strong>
      {proof ? proofText(proof) : "Possession not proven: the holder never signed a challenge with this key."}
    </p>
  );
}

/** The members of an organization; actions, when given, renders each member's buttons. */
export function MembersTable({ id, members, actions }: { id: string; members: readonly Member[]; actions?: (m: Member) => ReactNode }) {
  if (members.length === 0) return <p className="muted">No members.</p>;
  return (
    <div className="table-wrap">
      <table id={id} className="table">
        <caption className="visually-hidden">Members</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col">Joined</th>
            {actions && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {members.map((m) => (
            <tr key={m.userId}>
              <th scope="row">{m.fullName || "—"}</th>
              <td>{m.email}</td>
              <td>{ROLE_LABEL[m.role] ?? m.role}</td>
              <td>{formatDate(m.joinedAt)}</td>
              {actions && <td className="row-actions">{actions(m)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** An organization's requests, page by page, each linking to its decision. */
export function OpsRequests({ orgId }: { orgId: string }) {
  const paged = usePaged(
    (cursor) => api.GET("/api/ops/organizations/{orgId}/requests", { params: { path: { orgId }, query: { cursor } } }),
    (page) => page.requests,
    [orgId],
  );
  const requests = paged.first;
  return (
    <>
      {requests.error && !requests.data && (
        <div id="ops-org-requests-error" className="alert alert--error" role="alert">
          <p className="alert-message">{requests.error.message}</p>
        </div>
      )}
      {requests.data && <RequestList id="ops-org-requests" requests={paged.items} linkTo={(r) => `/ops/requests/${encodeURIComponent(r.id)}`} />}
      <ShowMore id="ops-org-requests" list={paged} one="request" many="requests" />
    </>
  );
}
