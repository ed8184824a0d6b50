import { useState, type FormEvent, type ReactNode } from "react";
import { api } from "../api/client";
import type { MtlsCertificate } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { expiryOf, readableDN } from "../lib/apps";
import { days, formatDate, formatDateTimeUTC } from "../lib/format";
import { useApiForm } from "../lib/hooks";
import { TextAreaField } from "./Field";
import { FormAlert } from "./FormAlert";

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
              </td>
              {appNames && <td className="cert-app">{c.appId ? (appNames[c.appId] ?? "Another app") : <span className="muted">No app</span>}</td>}
              {actions && <td className="row-actions">{actions(c)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Uploads an mTLS certificate (PEM, or base64 DER) to an organization. */
export function CertificateUploadForm({ orgId, onUploaded }: { orgId: string; onUploaded: (c: MtlsCertificate) => void }) {
  const { signedOut } = useAuth();
  const { busy, error, fields, submit } = useApiForm("certificate-upload");
  const [certificate, setCertificate] = useState("");
  const [uploaded, setUploaded] = useState("");

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setUploaded("");
    const r = await submit(() => api.POST("/api/organizations/{orgId}/certificates", { params: { path: { orgId } }, body: { certificate } }));
    if (!r) return;
    if (r.ok) {
      setCertificate("");
      setUploaded(`Uploaded the certificate of ${readableDN(r.data.subject)}.`);
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
          errors={fields.certificate}
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
    </div>
  );
}
