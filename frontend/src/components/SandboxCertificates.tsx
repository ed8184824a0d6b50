import { useState, type FormEvent } from "react";
import { api } from "../api/client";
import type { SandboxCertificate } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { downloadText } from "../lib/download";
import { slug } from "../lib/format";
import { useApiForm } from "../lib/hooks";
import { SERVICES } from "../lib/orgs";
import { ChoiceGroup, TextField } from "./Field";
import { FormAlert } from "./FormAlert";
import { limitOf } from "../lib/limits";

const FIELDS = ["organizationName", "country", "roles"] as const;
const ALL_ROLES = SERVICES.map((s) => s.value);

export interface IssuedCertificates {
  organizationName: string;
  roles: string[];
  qwac: SandboxCertificate;
  qsealc?: SandboxCertificate;
}

interface SandboxCertificatesProps {
  /** The onboarding form's company: the default organization name. */
  company: string;
  /** The onboarding form's services: the default roles (all three when none is chosen). */
  services: readonly string[];
  /** Called with each certificate as it is issued, to fill the onboarding form. */
  onIssued: (issued: IssuedCertificates) => void;
}

/**
 * Issues a test QWAC and QSealC from the sandbox CA, both for the same organizationIdentifier
 * (the QWAC's, reused for the QSealC), and offers the certificates and private keys as
 * downloads. The portal stores neither key.
 */
export function SandboxCertificates({ company, services, onIssued }: SandboxCertificatesProps) {
  const { signedOut } = useAuth();
  const { busy, error, fields, submit } = useApiForm("sandboxcert");
  const [organizationName, setOrganizationName] = useState<string | null>(null);
  const [country, setCountry] = useState("");
  const [roles, setRoles] = useState<string[] | null>(null);
  const [issuing, setIssuing] = useState(false);
  const [issued, setIssued] = useState<IssuedCertificates | null>(null);

  const name = organizationName ?? company;
  const chosenRoles = roles ?? (services.length > 0 ? [...services] : ALL_ROLES);

  const issue = (kind: "QWAC" | "QSealC", organizationIdentifier?: string) =>
    submit(() =>
      api.POST("/api/sandbox/certificates", {
        body: {
          kind,
          organizationName: name.trim(),
          country: country.trim().toUpperCase(),
          roles: chosenRoles,
          ...(organizationIdentifier ? { organizationIdentifier } : {}),
        },
      }),
    );

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (issuing) return;
    setIssuing(true);
    setIssued(null);
    try {
      const q = await issue("QWAC");
      if (!q) return;
      if (!q.ok) {
        if (q.status === 401) signedOut();
        return;
      }
      const base: IssuedCertificates = { organizationName: name.trim(), roles: chosenRoles, qwac: q.data };
      setIssued(base);
      onIssued(base);
      const s = await issue("QSealC", q.data.certificate.organizationIdentifier?.value);
      if (!s) return;
      if (!s.ok) {
        if (s.status === 401) signedOut();
        return;
      }
      const both = { ...base, qsealc: s.data };
      setIssued(both);
      onIssued(both);
    } finally {
      setIssuing(false);
    }
  };

  const file = slug(issued?.organizationName ?? name);
  const working = busy || issuing;

  return (
    <section id="sandboxcert" aria-labelledby="sandboxcert-heading" className="section">
      <h2 id="sandboxcert-heading">No certificates yet? Issue test certificates from the sandbox CA</h2>
      <p>
        For the sandbox, the portal can issue a test QWAC and QSealC for your organization, with the PSD2 roles you choose.
        They fill the certificate fields of the onboarding form below. They are trusted only in the sandbox.
      </p>
      <form id="sandboxcert-form" noValidate onSubmit={onSubmit}>
        <FormAlert form="sandboxcert" error={error} shownFields={FIELDS} />
        <TextField
          form="sandboxcert"
          name="organizationName"
          label="Organization name"
          hint="Written into the certificates' subject; your company name unless you change it."
          required
          limit={limitOf("POST /api/sandbox/certificates", "organizationName")}
          value={name}
          onValueChange={setOrganizationName}
          errors={fields.organizationName}
        />
        <TextField
          form="sandboxcert"
          name="country"
          label="Country"
          hint="Two letters, for example BE or DE."
          required
          autoComplete="country"
          className="input--short"
          value={country}
          onValueChange={setCountry}
          errors={fields.country}
        />
        <ChoiceGroup
          form="sandboxcert"
          name="roles"
          type="checkbox"
          legend="PSD2 roles in the certificates"
          options={SERVICES.map((s) => ({ value: s.value, label: `${s.label}: ${s.role}` }))}
          values={chosenRoles}
          onValuesChange={setRoles}
          errors={fields.roles}
        />
        <div className="actions">
          <button id="issue-test-certificates" type="submit" className="button button--secondary" disabled={working} aria-busy={working || undefined}>
            Issue test certificates
          </button>
          {working && (
            <p className="muted" role="status">
              Issuing…
            </p>
          )}
        </div>
      </form>

      {issued && (
        <div id="sandboxcert-result" className="panel panel--warning panel--stack">
          <p role="status">
            <strong>
              {issued.qsealc
                ? "Your test QWAC and QSealC are issued and filled in below."
                : "Your test QWAC is issued and filled in below."}
            </strong>
          </p>
          <p id="sandboxcert-key-warning">
            <strong>Download the private keys now.</strong> Each private key is shown only this once and is never stored
            by the portal: if you lose it, issue new certificates.
          </p>
          <div className="download-grid">
            <DownloadRow
              label="QWAC"
              idPrefix="download-qwac"
              certificate={issued.qwac}
              certFile={`${file}-qwac.pem`}
              keyFile={`${file}-qwac-key.pem`}
            />
            {issued.qsealc && (
              <DownloadRow
                label="QSealC"
                idPrefix="download-qsealc"
                certificate={issued.qsealc}
                certFile={`${file}-qsealc.pem`}
                keyFile={`${file}-qsealc-key.pem`}
              />
            )}
          </div>
        </div>
      )}
    </section>
  );
}

function DownloadRow({ label, idPrefix, certificate, certFile, keyFile }: { label: string; idPrefix: string; certificate: SandboxCertificate; certFile: string; keyFile: string }) {
  return (
    <div className="download-row">
      <p>
        <strong>{label}</strong> <code>{certificate.certificate.organizationIdentifier?.value ?? ""}</code>
      </p>
      <div className="actions">
        <button id={idPrefix} type="button" className="button button--secondary button--small" onClick={() => downloadText(certFile, certificate.certificatePem)}>
          Download {label} ({certFile})
        </button>
        <button id={`${idPrefix}-key`} type="button" className="button button--secondary button--small" onClick={() => downloadText(keyFile, certificate.privateKeyPem)}>
          Download {label} private key ({keyFile})
        </button>
      </div>
      <details className="key-details">
        <summary>Show the {label} private key</summary>
        <textarea className="mono" readOnly rows={6} aria-label={`${label} private key`} value={certificate.privateKeyPem} spellCheck={false} />
      </details>
    </div>
  );
}
