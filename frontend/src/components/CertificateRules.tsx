import type { Environment } from "../api/types";

/**
 * Which certificate rules apply in an environment, as the portal checks them: the
 * sandbox's easier rules, or production's (eIDAS qualified certificates, ETSI EN 319 412-5
 * and TS 119 495). The texts are exported for the tests.
 */
export const ONBOARDING_RULES: Record<Environment, { title: string; items: readonly string[] }> = {
  sandbox: {
    title: "Sandbox rules: easier, for testing.",
    items: [
      "Both certificates are valid today and issued by the sandbox CA (Issue test certificates above) or by a qualified trust service provider.",
      "Both name the same organizationIdentifier and carry a PSD2 statement with the roles of the services you request.",
      "They need not be qualified: QcCompliance and QcType are not required (a QcType, if present, must fit), and the authorisation number and competent authority are not checked.",
    ],
  },
  production: {
    title: "Production rules: eIDAS qualified certificates (ETSI EN 319 412-5, TS 119 495).",
    items: [
      "Both certificates are valid today and issued by a qualified trust service provider of the bank's eIDAS truststore: test certificates of the sandbox CA are refused.",
      "Both are qualified (QcCompliance): the QWAC of type web only, the QSealC of type eseal only. One certificate cannot be both, nor be pasted twice.",
      "Both name your PSD2 authorisation number as organizationIdentifier, for example PSDBE-NBB-0123456789, and carry a PSD2 statement with the roles of the services you request and your competent authority's name and identifier (for example BE-NBB).",
    ],
  },
};

/** The rules an mTLS certificate of an app follows; production names the organization's identifier. */
export function mtlsRules(environment: Environment, organizationIdentifier: string): { title: string; items: readonly string[] } {
  if (environment === "production") {
    return {
      title: "Production rules: the certificate is your organization's QWAC.",
      items: [
        "Issued by a qualified trust service provider of the bank's eIDAS truststore and valid today: certificates of the sandbox CA are refused.",
        `Its organizationIdentifier is ${organizationIdentifier}, your organization's.`,
        "Qualified (QcCompliance) of type web only, with a PSD2 statement naming your roles and your competent authority: a QSealC is refused.",
      ],
    };
  }
  return {
    title: "Sandbox rules: easier, for testing.",
    items: [
      "Any client certificate that is valid today: it need not be a QWAC nor name your organization.",
      "To call the sandbox API with it, use a certificate of the sandbox CA: a sandbox app's page issues one.",
    ],
  };
}

/** The rules as a short note; data-environment says which ones are shown. */
export function CertificateRules({ id, environment, rules }: { id: string; environment: Environment; rules: { title: string; items: readonly string[] } }) {
  return (
    <div id={id} className="hint certificate-rules" data-environment={environment} aria-live="polite">
      <p>
        <strong id={`${id}-title`}>{rules.title}</strong>
      </p>
      <ul id={`${id}-items`}>
        {rules.items.map((item) => (
          <li key={item}>{item}</li>
        ))}
      </ul>
    </div>
  );
}
