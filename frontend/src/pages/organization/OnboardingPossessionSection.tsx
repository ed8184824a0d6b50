import type { Organization, ProofResult } from "../../api/types";
import { PossessionProof, PossessionState } from "../../components/PossessionProof";
import { readableDN } from "../../lib/apps";
import { proofText } from "../../lib/possession";
import { useSuccessMessage } from "../../lib/feedback";

/** What each onboarding certificate is called. */
export const ONBOARDING_CERTIFICATE_LABEL: Record<string, string> = { qwac: "QWAC", qsealc: "QSealC" };

/** Said once the last proof has submitted the onboarding. */
export const ONBOARDING_SUBMITTED =
  "Both private keys are proven: the onboarding is submitted, and the bank's operations team will review it. You will get an email when it is decided.";

/**
 * A draft onboarding's certificates and the proofs of possession of their keys: the owner
 * signs each certificate's challenge with its key; the second proof submits the onboarding
 * to the bank.
 */
export function OnboardingPossessionSection({ org, onChanged }: { org: Organization; onChanged: (notice: string) => void }) {
  const [status, setStatus] = useSuccessMessage("");
  const owner = org.role === "OWNER";
  const certificates = org.certificates ?? [];

  const proven = (kind: string, r: ProofResult) => {
    if (r.request) {
      onChanged(ONBOARDING_SUBMITTED);
      return;
    }
    setStatus(`Proved possession of the ${ONBOARDING_CERTIFICATE_LABEL[kind] ?? kind}'s private key. Now the other one.`);
    onChanged("");
  };

  return (
    <section id="onboarding-possession" aria-labelledby="onboarding-possession-heading" className="section">
      <h2 id="onboarding-possession-heading">Complete the onboarding</h2>
      <p>
        This onboarding is a draft: the bank sees it only once you have proven that you hold the private keys of both
        certificates. Until then it reserves nothing, so nobody can block a TPP by pasting its public certificates.
      </p>
      <p id="onboarding-possession-status" className="saved-plain" role="status">
        {status}
      </p>
      <ul className="plain-list">
        {certificates.map((c) => {
          const label = ONBOARDING_CERTIFICATE_LABEL[c.kind] ?? c.kind;
          return (
            <li key={c.kind} id={`onboarding-${c.kind}`} className="subsection">
              <h3>
                {label}: {readableDN(c.subject)} <PossessionState id={`onboarding-${c.kind}-state`} possession={c.possession} />
              </h3>
              <p className="muted">
                SHA-256 fingerprint <code className="fingerprint">{c.sha256Fingerprint}</code>
              </p>
              {c.possession ? (
                <p id={`onboarding-${c.kind}-proof`}>{proofText(c.possession)}</p>
              ) : !owner ? (
                <p>The organization's owner proves possession of this key.</p>
              ) : c.challenge ? (
                <PossessionProof
                  key={c.challenge.challenge}
                  form={`onboarding-possession-${c.kind}`}
                  subject={`the ${label}`}
                  orgId={org.id}
                  challenge={c.challenge}
                  onProven={(r) => proven(c.kind, r)}
                  onStale={() => onChanged("")}
                />
              ) : (
                <p>The portal can check possession only of RSA and EC keys: onboard with certificates that have one.</p>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
