import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { api } from "../../api/client";
import type { App, IssuedCertificate, MtlsCertificate, Organization } from "../../api/types";
import { useAuth } from "../../auth/AuthContext";
import { CertificateTable, CertificateUploadForm, ExpiryWarning, REVOCATION_REASONS } from "../../components/Certificates";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { SelectField } from "../../components/Field";
import { FormAlert } from "../../components/FormAlert";
import { appPermissions, MAX_APP_CERTIFICATES, readableDN, shortFingerprint } from "../../lib/apps";
import { downloadText } from "../../lib/download";
import { formatDate, slug } from "../../lib/format";
import { useApiForm } from "../../lib/hooks";
import { useSuccessMessage } from "../../lib/feedback";

interface Props {
  org: Organization;
  app: App;
  /** Every certificate uploaded to the organization (null while loading). */
  certificates: readonly MtlsCertificate[] | null;
  /** Loads the certificates again; the status message waits for it. */
  onChanged: () => Promise<void>;
}

export function AppCertificatesSection({ org, app, certificates, onChanged }: Props) {
  const { signedOut } = useAuth();
  const perms = appPermissions(org);
  const attach = useApiForm("attach-certificate");
  const issue = useApiForm("issue-certificate");
  const [issued, setIssued] = useState<IssuedCertificate | null>(null);
  const detach = useApiForm("detach-certificate");
  const [fingerprint, setFingerprint] = useState("");
  const [removing, setRemoving] = useState<MtlsCertificate | null>(null);
  const revoke = useApiForm("revoke-certificate");
  const [revoking, setRevoking] = useState<MtlsCertificate | null>(null);
  const [reason, setReason] = useState("");
  const [status, setStatus] = useSuccessMessage("");

  const all = certificates ?? [];
  const mine = all.filter((c) => c.appId === app.id);
  // Only a certificate whose key's possession is proven, and that is not revoked, can be selected.
  const free = all.filter((c) => !c.appId && c.possession && !c.revokedAt);
  const unproven = all.filter((c) => !c.appId && !c.possession);
  const full = mine.length >= MAX_APP_CERTIFICATES;

  const onSelect = async (e: FormEvent) => {
    e.preventDefault();
    setStatus("");
    const r = await attach.submit(() =>
      api.POST("/api/organizations/{orgId}/apps/{appId}/certificates", {
        params: { path: { orgId: org.id, appId: app.id } },
        body: { sha256Fingerprint: fingerprint },
      }),
    );
    if (r?.ok) {
      setFingerprint("");
      await onChanged();
      setStatus(`Selected the certificate of ${readableDN(r.data.subject)} for ${app.name}.`);
    } else if (r?.status === 401) signedOut();
  };

  const issueTest = async () => {
    setStatus("");
    setIssued(null);
    const r = await issue.submit(() =>
      api.POST("/api/organizations/{orgId}/apps/{appId}/certificates/sandbox", { params: { path: { orgId: org.id, appId: app.id } } }),
    );
    if (r?.ok) {
      await onChanged();
      setIssued(r.data);
    } else if (r?.status === 401) signedOut();
  };

  const confirmRemove = async () => {
    const c = removing;
    setRemoving(null);
    if (!c) return;
    setStatus("");
    const r = await detach.submit(() =>
      api.DELETE("/api/organizations/{orgId}/apps/{appId}/certificates/{fingerprint}", {
        params: { path: { orgId: org.id, appId: app.id, fingerprint: c.sha256Fingerprint } },
      }),
    );
    if (r?.ok) {
      await onChanged();
      setStatus(`Removed the certificate of ${readableDN(c.subject)} from ${app.name}; it stays uploaded.`);
    } else if (r?.status === 401) signedOut();
  };

  // The owner and administrators revoke what the sandbox CA issued through the portal.
  const revocable = (c: MtlsCertificate) => perms.delete && !c.revokedAt && c.possession?.method === "issuance";

  const confirmRevoke = async () => {
    const c = revoking;
    if (!c) return;
    setStatus("");
    const r = await revoke.submit(() =>
      api.POST("/api/organizations/{orgId}/certificates/{fingerprint}/revoke", {
        params: { path: { orgId: org.id, fingerprint: c.sha256Fingerprint } },
        body: { reason: reason as (typeof REVOCATION_REASONS)[number]["value"] },
      }),
    );
    if (r?.ok) {
      setRevoking(null);
      setReason("");
      await onChanged();
      setStatus(`Revoked the certificate of ${readableDN(c.subject)}: the TPP API refuses it from now on, and the sandbox CA's revocation list names it.`);
    } else if (r?.status === 401) signedOut();
  };

  return (
    <section id="certificates" aria-labelledby="certificates-heading" className="section">
      <h2 id="certificates-heading">mTLS certificates</h2>
      <p>
        Your app connects to the TPP API with mutual TLS: the client certificate identifies the app. An app has at most two, so you
        can select the next one before the current one expires.
      </p>
      <FormAlert form="detach-certificate" error={detach.error} />
      <p id="certificates-status" className="saved-plain" role="status">
        {status}
      </p>
      {certificates === null ? (
        <p className="loading" role="status">
          Loading the certificates…
        </p>
      ) : mine.length === 0 ? (
        <p id="app-certificates-empty">No certificate selected for this app yet.</p>
      ) : (
        <>
          <ExpiryWarning id="app-certificates-expiry" certificates={mine}>
            A certificate of this app expires within 30 days or has expired: upload its replacement and select it, then remove the
            old one.
          </ExpiryWarning>
          <CertificateTable
            id="app-certificates-table"
            caption={`mTLS certificates of ${app.name}`}
            certificates={mine}
            actions={
              perms.change
                ? (c) => (
                    <>
                      <button
                        id={`certificate-remove-${c.sha256Fingerprint}`}
                        type="button"
                        className="button button--danger-outline button--small"
                        disabled={detach.busy}
                        onClick={() => setRemoving(c)}
                      >
                        Remove<span className="visually-hidden"> the certificate of {readableDN(c.subject)}</span>
                      </button>
                      {revocable(c) && (
                        <button
                          id={`certificate-revoke-${c.sha256Fingerprint}`}
                          type="button"
                          className="button button--danger-outline button--small"
                          disabled={revoke.busy}
                          onClick={() => setRevoking(c)}
                        >
                          Revoke<span className="visually-hidden"> the certificate of {readableDN(c.subject)}</span>
                        </button>
                      )}
                    </>
                  )
                : undefined
            }
          />
        </>
      )}
      {perms.change && certificates !== null && (
        <div className="subsection">
          <h3 id="attach-certificate-heading">Select a certificate</h3>
          {full ? (
            <p id="attach-certificate-full">This app has two certificates: remove one to select another.</p>
          ) : free.length === 0 ? (
            unproven.length === 0 && <p id="attach-certificate-none">Every certificate uploaded to {org.name} belongs to an app. Upload a new one below.</p>
          ) : (
            <form id="attach-certificate-form" noValidate onSubmit={onSelect} aria-labelledby="attach-certificate-heading">
              <FormAlert form="attach-certificate" error={attach.error} shownFields={["sha256Fingerprint"]} />
              <SelectField
                form="attach-certificate"
                name="sha256Fingerprint"
                label="Uploaded certificate"
                hint="Certificates of the organization that no app uses yet."
                placeholder="Choose a certificate"
                options={free.map((c) => ({
                  value: c.sha256Fingerprint,
                  label: `${readableDN(c.subject)} · expires ${formatDate(c.notAfter)} · ${shortFingerprint(c.sha256Fingerprint)}`,
                }))}
                value={fingerprint}
                onValueChange={setFingerprint}
                errors={attach.fields.sha256Fingerprint}
              />
              <div className="actions">
                <button type="submit" className="button button--primary" disabled={attach.busy} aria-busy={attach.busy || undefined}>
                  Select for this app
                </button>
              </div>
            </form>
          )}
          {!full && unproven.length > 0 && (
            <p id="attach-certificate-unproven" className="hint">
              {unproven.length === 1 ? "One uploaded certificate waits" : `${unproven.length} uploaded certificates wait`} for proof that you
              hold its private key before an app can use it:{" "}
              <Link to={`/organizations/${encodeURIComponent(org.id)}/apps#org-certificates`}>prove it in the certificates of {org.name}</Link>.
            </p>
          )}
        </div>
      )}
      {perms.change && app.environment === "sandbox" && certificates !== null && (
        <div className="subsection">
          <h3 id="issue-certificate-heading">Test certificate from the sandbox CA</h3>
          <p>
            The portal can issue a client certificate for this app from the sandbox CA and select it at once. You get its private key
            this once: the portal does not keep it.
          </p>
          <FormAlert form="issue-certificate" error={issue.error} />
          {issued && <IssuedPanel app={app} issued={issued} onDone={() => setIssued(null)} />}
          {full ? (
            // Issuing would be refused: the app has as many certificates as it may.
            <p id="issue-certificate-full">This app has two certificates, the most it can have: remove one to issue a test certificate.</p>
          ) : (
            <div className="actions">
              <button
                id="issue-certificate"
                type="button"
                className="button button--secondary"
                disabled={issue.busy}
                aria-busy={issue.busy || undefined}
                onClick={() => void issueTest()}
              >
                Issue a test certificate
              </button>
            </div>
          )}
        </div>
      )}
      {perms.change && <CertificateUploadForm org={org} onUploaded={() => void onChanged()} />}
      <ConfirmDialog
        id="certificate-remove-dialog"
        open={removing !== null}
        title={`Remove this certificate from ${app.name}?`}
        confirmLabel="Remove certificate"
        destructive
        busy={detach.busy}
        onConfirm={() => void confirmRemove()}
        onCancel={() => setRemoving(null)}
      >
        <p>{removing && readableDN(removing.subject)}</p>
        <p>Connections with this certificate no longer identify the app. The certificate stays uploaded to the organization.</p>
      </ConfirmDialog>
      <ConfirmDialog
        id="certificate-revoke-dialog"
        open={revoking !== null}
        title="Revoke this certificate?"
        confirmLabel="Revoke certificate"
        destructive
        busy={revoke.busy}
        onConfirm={() => void confirmRevoke()}
        onCancel={() => {
          setRevoking(null);
          setReason("");
        }}
      >
        <p>{revoking && readableDN(revoking.subject)}</p>
        <p>
          This cannot be undone. The TPP API refuses the certificate from its next call, and the sandbox CA adds it to its certificate
          revocation list. Issue or upload a new certificate for {app.name} first if it must keep working.
        </p>
        <FormAlert form="revoke-certificate" error={revoke.error} shownFields={["reason"]} />
        <SelectField
          form="revoke-certificate"
          name="reason"
          label="Reason"
          hint="Recorded in the revocation list and the organization's audit trail."
          placeholder="Choose a reason"
          options={REVOCATION_REASONS.map((r) => ({ value: r.value, label: r.label }))}
          value={reason}
          onValueChange={setReason}
          errors={revoke.fields.reason}
        />
      </ConfirmDialog>
    </section>
  );
}

/** A certificate the sandbox CA just issued, with its private key to download once. */
function IssuedPanel({ app, issued, onDone }: { app: App; issued: IssuedCertificate; onDone: () => void }) {
  const base = slug(app.name, "app");
  return (
    <div id="issued-certificate" className="panel panel--warning panel--stack" role="status">
      <p>
        <strong>Issued and selected for {app.name}: {readableDN(issued.certificate.subject)}.</strong>
      </p>
      <p>Download the private key now: it is not shown again. Keep it secret; your app presents the certificate with it.</p>
      <div className="actions">
        <button id="issued-certificate-download" type="button" className="button button--secondary button--small" onClick={() => downloadText(`${base}-mtls.pem`, issued.certificatePem)}>
          Download the certificate
        </button>
        <button id="issued-key-download" type="button" className="button button--primary button--small" onClick={() => downloadText(`${base}-mtls-key.pem`, issued.privateKeyPem)}>
          Download the private key
        </button>
        <button id="issued-certificate-done" type="button" className="button button--secondary button--small" onClick={onDone}>
          I have stored the key
        </button>
      </div>
    </div>
  );
}
