import type { Certificate, OpsOrganizationDetail } from "../api/types";
import { expiryOf } from "../lib/apps";
import { days, formatDateTimeUTC } from "../lib/format";
import { PSD2_ROLE_LABEL } from "../lib/orgs";

type Name = Certificate["subject"];
type OrgId = NonNullable<Certificate["organizationIdentifier"]>;

/** "CN=tpp.example.com, O=Example TPP, C=BE", leaving out empty parts. */
export function shortName(n: Name): string {
  const parts = [
    n.commonName && `CN=${n.commonName}`,
    n.organization && `O=${n.organization}`,
    n.country && `C=${n.country}`,
  ].filter(Boolean);
  return parts.length ? parts.join(", ") : n.dn || "—";
}

/** The parts of an organizationIdentifier (ETSI EN 319 412-1), as a list of labels and values. */
export function identifierParts(o: OrgId): [string, string][] {
  const parts: [string, string][] = [];
  if (o.scheme) parts.push(["Scheme", o.scheme]);
  if (o.country) parts.push(["Country", o.country]);
  if (o.ncaId) parts.push(["Authority", o.ncaId]);
  if (o.nationalId) parts.push([o.scheme === "PSD" ? "Authorisation number" : "Identifier", o.nationalId]);
  return parts;
}

const QC_TYPE_LABEL: Record<string, string> = {
  web: "website authentication (QWAC)",
  eseal: "electronic seal (QSealC)",
  esign: "electronic signature",
};

export function qualifiedText(c: Certificate): string {
  // Every type the certificate declares: one that declares two is neither a QWAC nor a QSealC in production.
  const types = c.qcTypes?.length ? c.qcTypes : c.qcType ? [c.qcType] : [];
  const type = types.length ? types.map((t) => QC_TYPE_LABEL[t] ?? t).join(" and ") : null;
  if (!c.qcCompliance) return type ? `Not declared qualified; type ${type}` : "Not declared qualified";
  return type ? `Qualified, ${type}` : "Qualified";
}

export function rolesText(c: Certificate): string {
  if (!c.psd2) return "None: no PSD2 statement";
  if (c.psd2.roles.length === 0) return "None";
  return c.psd2.roles.map((r) => (PSD2_ROLE_LABEL[r] ? `${r} (${PSD2_ROLE_LABEL[r]})` : r)).join(", ");
}

export function authorityText(c: Certificate): string {
  if (!c.psd2) return "—";
  const { ncaName, ncaId } = c.psd2;
  if (ncaName && ncaId) return `${ncaName} (${ncaId})`;
  return ncaName || ncaId || "—";
}

const list = (items: readonly string[]) => (items.length ? items.join(", ") : "—");

/** Whether a certificate chains to a CA the bank trusts, as the operations API judges it. */
export type CertificateTrust = NonNullable<OpsOrganizationDetail["qwacTrust"]>;

/** Where a certificate stands in its validity period today, in words: empty when it is valid for more than 30 days. */
export function validityState(c: Pick<Certificate, "notBefore" | "notAfter">, now: number = Date.now()): { tone: "error" | "warning"; text: string } | null {
  if (new Date(c.notBefore).getTime() > now) return { tone: "error", text: "Not valid yet" };
  const e = expiryOf(c.notAfter, now);
  if (e.state === "expired") return { tone: "error", text: "Expired" };
  if (e.state === "soon") return { tone: "warning", text: `Expires in ${days(e.days)}` };
  return null;
}

/** The trust answer in words: which truststore the certificate chains to, or that it chains to none. */
export function trustText(t: CertificateTrust): string {
  if (!t.trusted) return "Not trusted: it does not chain to a CA of the eIDAS truststore or to the sandbox CA";
  return t.store === "eidas"
    ? "Trusted: it chains to a qualified trust service provider of the bank's eIDAS truststore"
    : "Trusted in the sandbox only: it chains to the portal's sandbox CA, which production does not accept";
}

interface CertificateDetailsProps {
  /** Element id (e.g. "qwac-details"); each value is `<id>-<item>`. */
  id: string;
  title: string;
  certificate: Certificate;
  /** Whether it chains to a trusted CA, where the server said so (the operations views). */
  trust?: CertificateTrust;
  /** Now, for the validity marks; the clock when not given. */
  now?: number;
}

/** What an eIDAS certificate says, as parsed by the server; shown before onboarding and to operations. */
export function CertificateDetails({ id, title, certificate: c, trust, now }: CertificateDetailsProps) {
  const oid = c.organizationIdentifier;
  const validity = validityState(c, now);
  return (
    <section id={id} className="cert-details" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{title}</h3>
      <dl className="details details--compact">
        <dt>Subject</dt>
        <dd id={`${id}-subject`}>{shortName(c.subject)}</dd>
        <dt>Organization identifier</dt>
        <dd id={`${id}-organizationIdentifier`}>
          {oid ? (
            <>
              <code>{oid.value}</code>
              {identifierParts(oid).length > 0 && (
                <span className="cert-parts">
                  {" ("}
                  {identifierParts(oid)
                    .map(([k, v]) => `${k} ${v}`)
                    .join(" · ")}
                  {")"}
                </span>
              )}
            </>
          ) : (
            "None"
          )}
        </dd>
        <dt>Issuer</dt>
        <dd id={`${id}-issuer`}>{shortName(c.issuer)}</dd>
        {trust && (
          <>
            <dt>Trust</dt>
            <dd id={`${id}-trust`}>
              <span className={`badge badge--${trust.trusted ? (trust.store === "eidas" ? "success" : "neutral") : "error"}`}>
                {trust.trusted ? (trust.store === "eidas" ? "eIDAS truststore" : "Sandbox CA") : "Untrusted"}
              </span>{" "}
              {trustText(trust)}
            </dd>
          </>
        )}
        <dt>Serial number</dt>
        <dd id={`${id}-serial`}>
          <code>{c.serial}</code>
        </dd>
        <dt>Valid</dt>
        <dd id={`${id}-validity`}>
          from {formatDateTimeUTC(c.notBefore)} to {formatDateTimeUTC(c.notAfter)}
          {validity && (
            <>
              {" "}
              <span id={`${id}-validity-state`} className={`badge badge--${validity.tone}`}>
                {validity.text}
              </span>
            </>
          )}
        </dd>
        <dt>Key usage</dt>
        <dd id={`${id}-keyUsage`}>{list(c.keyUsage)}</dd>
        <dt>Extended key usage</dt>
        <dd id={`${id}-extKeyUsage`}>{list(c.extKeyUsage)}</dd>
        <dt>Qualified certificate</dt>
        <dd id={`${id}-qualified`}>{qualifiedText(c)}</dd>
        <dt>PSD2 roles</dt>
        <dd id={`${id}-roles`}>{rolesText(c)}</dd>
        <dt>Competent authority</dt>
        <dd id={`${id}-authority`}>{authorityText(c)}</dd>
        <dt>SHA-256 fingerprint</dt>
        <dd id={`${id}-fingerprint`}>
          <code className="fingerprint">{c.sha256Fingerprint}</code>
        </dd>
      </dl>
    </section>
  );
}
