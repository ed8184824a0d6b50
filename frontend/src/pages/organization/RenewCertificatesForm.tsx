import { useState, type FormEvent } from "react";
import { api } from "../../api/client";
import type { Organization, ProofResult } from "../../api/types";
import { useAuth } from "../../auth/AuthContext";
import { CertificateFile } from "../../components/CertificateFile";
import { TextAreaField } from "../../components/Field";
import { FormAlert } from "../../components/FormAlert";
import { PossessionProof, PossessionState } from "../../components/PossessionProof";
import { readableDN } from "../../lib/apps";
import { useSuccessMessage } from "../../lib/feedback";
import { useApiForm } from "../../lib/hooks";
import { proofText } from "../../lib/possession";
import { holdsPrivateKey, privateKeyWarning } from "../../lib/privatekey";
import { ONBOARDING_CERTIFICATE_LABEL } from "./OnboardingPossessionSection";

/** Said when the new certificates are in force (the sandbox applies a proven renewal at once). */
export const RENEWED_NOTICE = "Renewed: the new certificates are in force from now.";
/** Said when a production renewal went to the bank. */
export const RENEWAL_SUBMITTED_NOTICE =
  "Submitted: the bank's operations team will review the new certificates; the current ones stay in force until then. You will get an email.";
/** Said when the renewal waits for the proofs of possession of the new keys. */
export const RENEWAL_PROOF_NOTICE = "Prove that you hold the private key of each new certificate below; nothing changes until you have.";

/**
 * Renewal of the organization's QWAC, QSealC or both (owner and administrators): the new
 * certificates, as onboarding takes them, then the proof of possession of each new key.
 * The sandbox puts them in force once proven; production once the bank approves.
 */
export function RenewCertificatesForm({ org, onChanged }: { org: Organization; onChanged: () => void }) {
  const { signedOut } = useAuth();
  const { busy, error, fields, submit } = useApiForm("renew");
  const [qwac, setQWAC] = useState("");
  const [qsealc, setQSealC] = useState("");
  const [status, setStatus] = useSuccessMessage("");
  const renewal = org.renewal;
  const waiting = !!renewal?.requestId;

  const keyIn = (name: "qwac" | "qsealc") => holdsPrivateKey(name === "qwac" ? qwac : qsealc);
  const errorsFor = (name: "qwac" | "qsealc") => (keyIn(name) ? [privateKeyWarning(name === "qwac" ? "your QWAC" : "your QSealC")] : fields[name]);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (keyIn("qwac") || keyIn("qsealc")) {
      document.getElementById(keyIn("qwac") ? "renew-qwac" : "renew-qsealc")?.focus();
      return;
    }
    const body = { ...(qwac.trim() ? { qwac } : {}), ...(qsealc.trim() ? { qsealc } : {}) };
    const r = await submit(() => api.POST("/api/organizations/{orgId}/eidas-certificates/renewal", { params: { path: { orgId: org.id } }, body }));
    if (!r) return;
    if (r.ok) {
      setQWAC("");
      setQSealC("");
      setStatus(r.data.applied ? RENEWED_NOTICE : r.data.request ? RENEWAL_SUBMITTED_NOTICE : RENEWAL_PROOF_NOTICE);
      onChanged();
    } else if (r.status === 401) {
      signedOut();
    }
  };

  const proven = (kind: string, r: ProofResult) => {
    const others = (renewal?.certificates ?? []).filter((c) => c.kind !== kind && !c.possession);
    const label = ONBOARDING_CERTIFICATE_LABEL[kind] ?? kind;
    setStatus(r.request ? RENEWAL_SUBMITTED_NOTICE : others.length === 0 ? RENEWED_NOTICE : `Proved possession of the new ${label}'s private key. Now the other one.`);
    onChanged();
  };

  return (
    <div className="subsection" id="renew">
      <h3 id="renew-heading">Renew certificates</h3>
      <p id="renew-explanation">
        Replace the organization's QWAC, its QSealC or both before they expire. A new certificate carries the same
        organizationIdentifier, <strong>{org.organizationIdentifier}</strong>, and the PSD2 role of each of the organization's
        services ({org.services.join(", ")}), and no role the current one lacks. You prove that you hold its private key, as at
        onboarding.
        {org.environment === "production"
          ? " The bank's operations team then reviews it; the current certificates stay in force until it is approved."
          : " In the sandbox the new certificates are in force as soon as their keys are proven."}
      </p>
      <p id="renew-status" className="saved-plain" role="status">
        {status}
      </p>
      {renewal && (
        <div id="renewal" className="panel panel--info">
          <p id="renewal-state">
            {waiting ? "This renewal waits for the bank's decision." : "This renewal waits for the proofs of possession of the new keys."}
          </p>
          <ul className="plain-list">
            {renewal.certificates.map((c) => {
              const label = ONBOARDING_CERTIFICATE_LABEL[c.kind] ?? c.kind;
              return (
                <li key={c.kind} id={`renewal-${c.kind}`} className="subsection">
                  <h4>
                    New {label}: {readableDN(c.subject)} <PossessionState id={`renewal-${c.kind}-state`} possession={c.possession} />
                  </h4>
                  <p className="muted">
                    SHA-256 fingerprint <code className="fingerprint">{c.sha256Fingerprint}</code>
                  </p>
                  {c.possession ? (
                    <p id={`renewal-${c.kind}-proof`}>{proofText(c.possession)}</p>
                  ) : c.challenge ? (
                    <PossessionProof
                      key={c.challenge.challenge}
                      form={`renewal-possession-${c.kind}`}
                      subject={`the new ${label}`}
                      orgId={org.id}
                      challenge={c.challenge}
                      onProven={(r) => proven(c.kind, r)}
                      onStale={onChanged}
                    />
                  ) : (
                    <p>The portal can check possession only of RSA and EC keys: renew with a certificate that has one.</p>
                  )}
                </li>
              );
            })}
          </ul>
        </div>
      )}
      {!waiting && (
        <form id="renew-form" noValidate onSubmit={onSubmit} aria-labelledby="renew-heading">
          <FormAlert form="renew" error={error} shownFields={["qwac", "qsealc"]} />
          <p className="hint">
            Paste each new certificate as PEM or as base64, or choose its file; leave empty the one you keep. Only the
            certificates: never paste a private key.{renewal ? " Starting again replaces the renewal above." : ""}
          </p>
          <TextAreaField
            form="renew"
            name="qwac"
            label="New QWAC (website authentication certificate)"
            mono
            rows={6}
            value={qwac}
            onValueChange={setQWAC}
            errors={errorsFor("qwac")}
            after={<CertificateFile id="renew-qwac-file" label="Or choose the new QWAC's file (PEM, CRT, CER or DER)" onLoaded={setQWAC} />}
          />
          <TextAreaField
            form="renew"
            name="qsealc"
            label="New QSealC (electronic seal certificate)"
            mono
            rows={6}
            value={qsealc}
            onValueChange={setQSealC}
            errors={errorsFor("qsealc")}
            after={<CertificateFile id="renew-qsealc-file" label="Or choose the new QSealC's file (PEM, CRT, CER or DER)" onLoaded={setQSealC} />}
          />
          <div className="actions">
            <button type="submit" className="button button--primary" disabled={busy} aria-busy={busy || undefined}>
              Renew certificates
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
