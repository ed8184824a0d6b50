import { useState, type FormEvent, type ReactNode } from "react";
import { api, call } from "../api/client";
import type { MtlsCertificate, Organization } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { expiryOf, readableDN } from "../lib/apps";
import { days, formatDate, formatDateTimeUTC } from "../lib/format";
import { useApiForm } from "../lib/hooks";
import { allCertificates } from "../lib/certificates";
import { proofText } from "../lib/possession";
import { CertificateRules, mtlsRules } from "./CertificateRules";
import { TextAreaField } from "./Field";
import { FormAlert } from "./FormAlert";
import { PossessionProof, PossessionState } from "./PossessionProof";
import { holdsPrivateKey, privateKeyWarning } from "../lib/privatekey";
import { CertificateFile } from "./CertificateFile";

/** A certificate's expiry date, with a visible warning within 30 days and once expired. */
export function CertificateExpiry({ notAfter, now = Date.now() }: { notAfter: string; now?: number }) {
  const e = expiryOf(notAfter, now);
  return (
    <span className="cert-expiry" data-expiry={e.state}>
      <time dateTime={notAfter} title={formatDateTimeUTC(notAfter)}>
        {formatDate(notAfter)}
      </time>
      {e.state === "soon" && <span className="badge badge--warning">Expires in {days(e.days)}</span>}
      {e.state === "expired" && <span className="badge badge--error">Expired</span>}
    </span>
  );
}

/** The RFC 5280 revocation reasons a member can give, with their labels. */
export const REVOCATION_REASONS = [
  { value: "keyCompromise", label: "The private key was exposed (key compromise)" },
  { value: "superseded", label: "Replaced by a new certificate (superseded)" },
  { value: "cessationOfOperation", label: "No longer used (cessation of operation)" },
  { value: "affiliationChanged", label: "The organization's details changed (affiliation changed)" },
  { value: "unspecified", label: "Another reason (unspecified)" },
] as const;

/** A revoked certificate's mark: when and why. */
export function RevokedBadge({ c }: { c: MtlsCertificate }) {
  if (!c.revokedAt) return null;
  return (
    <span id={`certificate-revoked-${c.sha256Fingerprint}`} className="cert-revoked">
      <span className="badge badge--error">Revoked</span>{" "}
      <span className="hint">
        on <time dateTime={c.revokedAt}>{formatDate(c.revokedAt)}</time>
        {c.revocationReason ? ` (${c.revocationReason})` : ""}: apps cannot use it
      </span>
    </span>
  );
}

/** A warning above a list when any of its certificates expires within 30 days (or has). */
export function ExpiryWarning({ id, certificates, now = Date.now(), children }: { id: string; certificates: readonly MtlsCertificate[]; now?: number; children: ReactNode }) {
  if (!certificates.some((c) => expiryOf(c.notAfter, now).state !== "valid")) return null;
  return (
    <div id={id} className="panel panel--warning" role="status">
      <p>{children}</p>
    </div>
  );
}

interface CertificateTableProps {
  id: string;
  caption: string;
  certificates: readonly MtlsCertificate[];
  /** The app each certificate is selected for, by app id → name; shown as "Used by". */
  appNames?: Record<string, string>;
  /** Buttons for a row (remove, select...). */
  actions?: (c: MtlsCertificate) => ReactNode;
  now?: number;
}

/** Certificates with subject, issuer, SHA-256 fingerprint and expiry; the first to expire first. */
export function CertificateTable({ id, caption, certificates, appNames, actions, now }: CertificateTableProps) {
  const sorted = [...certificates].sort((a, b) => a.notAfter.localeCompare(b.notAfter) || a.sha256Fingerprint.localeCompare(b.sha256Fingerprint));
  return (
    <div className="table-wrap">
      <table id={id} className="table cert-table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Subject</th>
            <th scope="col">Issuer</th>
            <th scope="col">SHA-256 fingerprint</th>
            <th scope="col">Expires</th>
            {appNames && <th scope="col">Used by</th>}
            <th scope="col">Private key</th>
            {actions && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {sorted.map((c) => (
            <tr key={c.sha256Fingerprint} data-fingerprint={c.sha256Fingerprint}>
              <th scope="row" className="cert-subject">
                {readableDN(c.subject)}
              </th>
              <td className="cert-issuer">{readableDN(c.issuer)}</td>
              <td>
                <code className="fingerprint">{c.sha256Fingerprint}</code>
              </td>
              <td>
                <CertificateExpiry notAfter={c.notAfter} now={now} />
                <RevokedBadge c={c} />
              </td>
              {appNames && <td className="cert-app">{c.appId ? (appNames[c.appId] ?? "Another app") : <span className="muted">No app</span>}</td>}
              <td className="cert-possession">
                <PossessionState possession={c.possession} />
              </td>
              {actions && <td className="row-actions">{actions(c)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * Uploads an mTLS certificate (PEM, or base64 DER) to an organization, saying which rules
 * its environment applies. One the portal did not issue to the user comes unproven: the
 * proof of possession of its key follows at once.
 */
export function CertificateUploadForm({
  org,
  onUploaded,
}: {
  org: Pick<Organization, "id" | "environment" | "organizationIdentifier">;
  onUploaded: (c: MtlsCertificate) => void;
}) {
  const orgId = org.id;
  const { signedOut } = useAuth();
  const { busy, error, fields, submit } = useApiForm("certificate-upload");
  const [certificate, setCertificate] = useState("");
  const [uploaded, setUploaded] = useState("");
  const [unproven, setUnproven] = useState<MtlsCertificate | null>(null);

  const keyPasted = holdsPrivateKey(certificate);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setUploaded("");
    setUnproven(null);
    if (keyPasted) {
      // The key stays in the page: the field already says why and what to do.
      document.getElementById("certificate-upload-certificate")?.focus();
      return;
    }
    const r = await submit(() => api.POST("/api/organizations/{orgId}/certificates", { params: { path: { orgId } }, body: { certificate } }));
    if (!r) return;
    if (r.ok) {
      setCertificate("");
      setUploaded(
        r.data.possession
          ? `Uploaded the certificate of ${readableDN(r.data.subject)}. ${proofText(r.data.possession)}`
          : `Uploaded the certificate of ${readableDN(r.data.subject)}.`,
      );
      if (!r.data.possession) setUnproven(r.data);
      onUploaded(r.data);
    } else if (r.status === 401) {
      signedOut();
    }
  };

  return (
    <div className="subsection">
      <h3 id="certificate-upload-heading">Upload a certificate</h3>
      <form id="certificate-upload-form" noValidate onSubmit={onSubmit} aria-labelledby="certificate-upload-heading">
        <FormAlert form="certificate-upload" error={error} shownFields={["certificate"]} />
        <CertificateRules id="certificate-upload-rules" environment={org.environment} rules={mtlsRules(org.environment, org.organizationIdentifier)} />
        <TextAreaField
          form="certificate-upload"
          name="certificate"
          label="Certificate"
          hint="The client certificate your app presents to the TPP API, as PEM (with its BEGIN and END lines) or as base64. Only the certificate: never paste a private key."
          rows={6}
          mono
          required
          value={certificate}
          onValueChange={setCertificate}
          errors={keyPasted ? [privateKeyWarning("the certificate")] : fields.certificate}
          after={<CertificateFile id="certificate-upload-file" label="Or choose a certificate file (PEM, CRT, CER or DER)" onLoaded={setCertificate} />}
        />
        <div className="actions">
          <button type="submit" className="button button--primary" disabled={busy} aria-busy={busy || undefined}>
            Upload certificate
          </button>
        </div>
      </form>
      <p id="certificate-upload-status" className="saved-plain" role="status">
        {uploaded}
      </p>
      {unproven && (
        <CertificatePossession
          key={unproven.sha256Fingerprint}
          orgId={orgId}
          certificate={unproven}
          onProven={(c) => {
            setUnproven(null);
            setUploaded(`Proved possession of the private key of ${readableDN(c.subject)}: apps can use the certificate now.`);
            onUploaded(c);
          }}
        />
      )}
    </div>
  );
}

/**
 * Proof of possession of an uploaded certificate's private key: until then no app can
 * select it. A challenge that expired is replaced by the one the certificate list shows now.
 */
export function CertificatePossession({
  form = "certificate-possession",
  orgId,
  certificate,
  onProven,
}: {
  /** Form name, when the page shows two of these. */
  form?: string;
  orgId: string;
  certificate: MtlsCertificate;
  onProven: (c: MtlsCertificate) => void;
}) {
  const { signedOut } = useAuth();
  const [current, setCurrent] = useState(certificate);
  const [problem, setProblem] = useState("");

  const refresh = async () => {
    setProblem("");
    const r = await call(allCertificates(orgId));
    if (!r.ok) {
      if (r.status === 401) signedOut();
      setProblem(r.error.message);
      return;
    }
    const found = r.data.certificates.find((c) => c.sha256Fingerprint === certificate.sha256Fingerprint);
    if (!found) setProblem("This certificate is no longer uploaded to the organization.");
    else if (found.possession) onProven(found);
    else setCurrent(found);
  };

  return (
    <div id={`${form}-panel`} className="panel panel--info panel--stack" data-fingerprint={certificate.sha256Fingerprint}>
      <h4 id={`${form}-heading`}>Prove that you hold the private key of {readableDN(certificate.subject)}</h4>
      <p>No app can use this certificate until you do.</p>
      {problem && (
        <p id={`${form}-problem`} role="alert">
          {problem}
        </p>
      )}
      {current.challenge ? (
        <PossessionProof
          key={current.challenge.challenge}
          form={form}
          subject="this certificate"
          orgId={orgId}
          challenge={current.challenge}
          onProven={(r) => onProven({ ...current, possession: r.possession, challenge: undefined })}
          onStale={() => void refresh()}
        />
      ) : (
        <p>The portal can check possession only of RSA and EC keys: this certificate cannot be proven.</p>
      )}
    </div>
  );
}
