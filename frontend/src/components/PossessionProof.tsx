import { useState, type FormEvent } from "react";
import { api } from "../api/client";
import type { Challenge, ProofResult } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { formatDateTime } from "../lib/format";
import { useApiForm } from "../lib/hooks";
import { COMMANDS, WHY_PROOF } from "../lib/possession";
import { TextAreaField } from "./Field";
import { FormAlert } from "./FormAlert";

/** How a proof was made, as a tooltip starts. */
const PROOF_TITLE: Record<string, string> = { issuance: "By issuance", signature: "By signature", handshake: "By connecting with it" };

/** Rules of a refused proof that only a new challenge can get past. */
const STALE_RULES = new Set(["expired", "replaced", "used", "unknown"]);

interface PossessionProofProps {
  /** Form name: the form is `<form>-form`, the signature field `<form>-signature`. */
  form: string;
  /** What is proven, in the sentences: "the QWAC", "this certificate". */
  subject: string;
  orgId: string;
  /** The certificate's current challenge, as the server shows it with the certificate. */
  challenge: Challenge;
  /** The server accepted the proof. */
  onProven: (result: ProofResult) => void;
  /** The challenge expired or was used, or was proven by connecting: load the certificate again. */
  onStale: () => void;
}

/**
 * Proof of possession of a certificate's private key: its challenge, the openssl commands
 * that sign it (RSA, RSA-PSS, EC; each with a copy button), and a field for the signature
 * they print. The key never reaches the portal.
 */
export function PossessionProof({ form, subject, orgId, challenge, onProven, onStale }: PossessionProofProps) {
  const { signedOut } = useAuth();
  const proving = useApiForm(form);
  const [signature, setSignature] = useState("");
  const [copied, setCopied] = useState("");
  const stale = (proving.error?.fields ?? []).some((f) => f.field === "challenge" && STALE_RULES.has(f.rule));

  const prove = async (e: FormEvent) => {
    e.preventDefault();
    const r = await proving.submit(() =>
      api.POST("/api/organizations/{orgId}/certificates/{fingerprint}/possession", {
        params: { path: { orgId, fingerprint: challenge.sha256Fingerprint } },
        body: { challenge: challenge.challenge, signature },
      }),
    );
    if (r?.ok) {
      setSignature("");
      onProven(r.data);
    } else if (r?.status === 401) signedOut();
  };

  const copy = async (short: string, text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(`Copied the ${short} command.`);
    } catch {
      setCopied("Your browser did not allow copying: select the command and copy it.");
    }
  };

  return (
    <form id={`${form}-form`} className="possession" noValidate onSubmit={prove} aria-label={`Prove possession of the private key of ${subject}`}>
      <p className="hint">{WHY_PROOF}</p>
      <FormAlert form={form} error={proving.error} shownFields={["signature"]}>
        {stale && (
          <button id={`${form}-new-challenge`} type="button" className="button button--secondary button--small" onClick={onStale}>
            Show the new challenge
          </button>
        )}
      </FormAlert>
      <ol className="possession-steps">
        <li>
          <p>
            Sign this challenge with the private key of {subject}. It works once, until{" "}
            <time id={`${form}-expires`} dateTime={challenge.expiresAt}>
              {formatDateTime(challenge.expiresAt)}
            </time>{" "}
            (15 minutes).
          </p>
          <pre className="code-block">
            <code id={`${form}-text`}>{challenge.challenge}</code>
          </pre>
        </li>
        <li>
          <p>
            Run the command for your key where the private key is, saved as <code>key.pem</code>. This certificate has an{" "}
            <strong id={`${form}-algorithm`}>{challenge.keyAlgorithm}</strong> key.
          </p>
          {COMMANDS.map((c) => {
            const yours = c.algorithm === challenge.keyAlgorithm;
            return (
              <div key={c.key} className="command" data-yours={yours || undefined}>
                <p className="command-label">
                  {c.label}
                  {yours && <span className="badge badge--success">Your key</span>}
                </p>
                <pre className="code-block">
                  <code id={`${form}-command-${c.key}`}>{challenge.commands[c.key]}</code>
                </pre>
                <button id={`${form}-copy-${c.key}`} type="button" className="button button--secondary button--small" onClick={() => void copy(c.short, challenge.commands[c.key])}>
                  Copy<span className="visually-hidden"> the {c.short} command</span>
                </button>
              </div>
            );
          })}
          <p id={`${form}-copied`} className="saved-plain" role="status">
            {copied}
          </p>
        </li>
        <li>
          <TextAreaField
            form={form}
            name="signature"
            label="Signature"
            hint="Paste what the command printed: one line of base64."
            rows={3}
            mono
            required
            value={signature}
            onValueChange={setSignature}
            errors={proving.fields.signature}
          />
        </li>
      </ol>
      <div className="actions">
        <button type="submit" className="button button--primary" disabled={proving.busy} aria-busy={proving.busy || undefined}>
          Prove possession
        </button>
      </div>
      {challenge.handshake && (
        <section id={`${form}-handshake`} className="possession-handshake" aria-labelledby={`${form}-handshake-heading`}>
          <h5 id={`${form}-handshake-heading`}>Or connect once with the certificate</h5>
          <p>
            Where the certificate and its key are, saved as <code>cert.pem</code> and <code>key.pem</code>, run this command. It sends the
            same challenge to the TPP API over a TLS connection made with the certificate: the handshake proves that you hold the key. The
            TPP API accepts only certificates of the CAs it trusts.
          </p>
          <pre className="code-block">
            <code id={`${form}-command-handshake`}>{challenge.handshake.command}</code>
          </pre>
          <div className="actions">
            <button id={`${form}-copy-handshake`} type="button" className="button button--secondary button--small" onClick={() => void copy("connection", challenge.handshake!.command)}>
              Copy<span className="visually-hidden"> the connection command</span>
            </button>
            <button id={`${form}-check`} type="button" className="button button--secondary button--small" onClick={onStale}>
              I ran it: check again
            </button>
          </div>
        </section>
      )}
    </form>
  );
}

/** Whether a certificate's key is proven, in words, for a table cell or a list. */
export function PossessionState({ id, possession }: { id?: string; possession?: { method: string; at: string; by: string } | null }) {
  if (!possession) {
    return (
      <span id={id} className="badge badge--warning" data-proven="no">
        Not proven
      </span>
    );
  }
  return (
    <span id={id} className="badge badge--success" data-proven={possession.method} title={`${PROOF_TITLE[possession.method] ?? possession.method}, ${formatDateTime(possession.at)}, ${possession.by}`}>
      Proven
    </span>
  );
}
