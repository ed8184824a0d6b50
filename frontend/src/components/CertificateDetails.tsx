import type { Certificate } from "../api/types";
import { formatDateTimeUTC } from "../lib/format";
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

interface CertificateDetailsProps {
  /** Element id (e.g. "qwac-details"); each value is `<id>-<item>`. */
  id: string;
  title: string;
  certificate: Certificate;
}

/** What an eIDAS certificate says, as parsed by the server; shown before onboarding and to operations. */
export function CertificateDetails({ id, title, certificate: c }: CertificateDetailsProps) {
  const oid = c.organizationIdentifier;
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
        <dt>Serial number</dt>
        <dd id={`${id}-serial`}>
          <code>{c.serial}</code>
        </dd>
        <dt>Valid</dt>
        <dd id={`${id}-validity`}>
          from {formatDateTimeUTC(c.notBefore)} to {formatDateTimeUTC(c.notAfter)}
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
