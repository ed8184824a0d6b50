import type { TPPAPIInfo } from "../api/types";
// The consent the walkthrough asks for: a file, so that the Go test that runs the
// walkthrough on the local stack sends the very same body (devstack/walkthrough_test.go).
import consent from "./walkthrough-consent.json";

/** What the walkthrough's commands are filled in with: the developer's own values, or placeholders. */
export interface Walkthrough {
  clientId: string;
  /** The app's API key; the portal shows it once, so the developer types it (it stays in the page). */
  apiKey: string;
  /** The client certificate and its private key, as files (the names the portal's downloads use). */
  certFile: string;
  keyFile: string;
  redirectUri: string;
  /** The local stack's TPP API has a server certificate of the sandbox CA: curl must trust it. */
  caFile?: string;
}

/** The placeholders shown until the developer gives a value. */
export const WALKTHROUGH_DEFAULTS: Walkthrough = {
  clientId: "YOUR_CLIENT_ID",
  apiKey: "YOUR_API_KEY",
  certFile: "client-cert.pem",
  keyFile: "client-key.pem",
  redirectUri: "https://localhost/callback",
};

/** One step of the walkthrough. */
export interface Step {
  id: string;
  title: string;
  /** What the step does and why, in a sentence or two. */
  note: string;
  command: string;
}

/** Shell-quotes a value in single quotes. */
function q(v: string): string {
  return `'${v.replace(/'/g, `'\\''`)}'`;
}

/**
 * The walkthrough from a certificate to a first account read, for the bank's TPP API as
 * its handlers answer: every call over mutual TLS with the app's certificate and its API
 * key; the consent created with an X-Request-ID (a UUID) and approved through the OAuth2
 * redirect flow with the scope AIS:<consentId>, PKCE S256 and a pushed request; the code
 * exchanged with the same certificate, which binds the token; the accounts read with the
 * token and the Consent-ID it was issued for (a consent authorised at the bank's own pages
 * instead is read without a token, as the last step's note says).
 */
export function walkthrough(info: TPPAPIInfo, w: Walkthrough): Step[] {
  const tls = `curl --cert ${q(w.certFile)} --key ${q(w.keyFile)}${w.caFile ? ` --cacert ${q(w.caFile)}` : ""}`;
  const call = `${tls} \\\n  -H ${q(`${info.apiKeyHeader}: ${w.apiKey}`)} \\\n`;
  const requestId = `  -H "X-Request-ID: $(uuidgen)" \\\n`;
  const subject = `/CN=${w.clientId}/O=Your organization`;
  return [
    {
      id: "gs-key",
      title: "1. A key and a certificate signing request",
      note:
        "For production, send the request to your qualified trust service provider: the certificate is your QWAC. In the sandbox, the app's page can instead issue a test certificate from the sandbox CA, with its key, under these file names; only a certificate of the sandbox CA gets through the sandbox's mutual TLS.",
      command: `openssl req -new -newkey rsa:3072 -nodes \\\n  -keyout ${q(w.keyFile)} \\\n  -subj ${q(subject)} \\\n  -out ${q(w.certFile.replace(/\.pem$/, "") + ".csr")}`,
    },
    {
      id: "gs-check",
      title: "2. Check the certificate, then attach it to your app",
      note:
        "Upload the certificate under mTLS certificates (never the key), prove you hold its key, and select it for the app: the SHA-256 fingerprint below is the one the portal lists. The two public keys must be the same.",
      command:
        `openssl x509 -in ${q(w.certFile)} -noout -subject -enddate -fingerprint -sha256\n` +
        `openssl x509 -in ${q(w.certFile)} -noout -pubkey | openssl sha256\n` +
        `openssl pkey -in ${q(w.keyFile)} -pubout | openssl sha256`,
    },
    {
      id: "gs-consent",
      title: "3. Ask for a consent",
      note:
        "Your app needs a subscription to account information and your organization the PSP_AI role. Empty lists let the customer choose the accounts at the bank; 9999-12-31 asks for the longest consent (180 days), frequencyPerDay at most 4. The answer's consentId is kept in CONSENT_ID (jq reads it).",
      command:
        `CONSENT_ID=$(${call}${requestId}  -H 'Content-Type: application/json' \\\n  -H ${q(`TPP-Redirect-URI: ${w.redirectUri}`)} \\\n` +
        `  -d ${q(JSON.stringify(consent))} \\\n  ${info.baseUrl}/v1/consents | jq -r .consentId)\necho "$CONSENT_ID"`,
    },
    {
      id: "gs-authorize",
      title: "4. Push the authorization request, then send the customer to the bank",
      note:
        "The scope names the consent. Open the printed address in a browser and sign in as a sandbox customer; the bank redirects to your redirect URI with code, state and iss. The request_uri works once, within 60 seconds.",
      command:
        "CODE_VERIFIER=$(openssl rand -base64 48 | tr -d '=+/\\n' | cut -c1-64)\n" +
        "CODE_CHALLENGE=$(printf '%s' \"$CODE_VERIFIER\" | openssl dgst -sha256 -binary | openssl base64 -A | tr '+/' '-_' | tr -d '=')\n" +
        "STATE=$(openssl rand -hex 16)\n" +
        `REQUEST_URI=$(${call}  -d client_id=${q(w.clientId)} -d response_type=code \\\n  --data-urlencode ${q(`redirect_uri=${w.redirectUri}`)} \\\n` +
        `  --data-urlencode "scope=AIS:$CONSENT_ID" -d "state=$STATE" \\\n  -d "code_challenge=$CODE_CHALLENGE" -d code_challenge_method=S256 \\\n` +
        `  ${info.parEndpoint} | jq -r .request_uri)\n` +
        `echo "${info.authorizationEndpoint}?client_id=${encodeURIComponent(w.clientId)}&request_uri=$(printf '%s' "$REQUEST_URI" | jq -sRr @uri)"`,
    },
    {
      id: "gs-token",
      title: "5. Exchange the code for tokens",
      note:
        "Paste the code from the redirect into CODE within 60 seconds. The certificate authenticates your app (tls_client_auth) and the access token is bound to it: use the same certificate for the API.",
      command:
        `CODE=PASTE_THE_CODE\n` +
        `ACCESS_TOKEN=$(${call}  -d grant_type=authorization_code -d client_id=${q(w.clientId)} \\\n  -d "code=$CODE" --data-urlencode ${q(`redirect_uri=${w.redirectUri}`)} \\\n` +
        `  -d "code_verifier=$CODE_VERIFIER" \\\n  ${info.tokenEndpoint} | jq -r .access_token)`,
    },
    {
      id: "gs-accounts",
      title: "6. Read the accounts",
      note:
        "A consent authorised through OAuth2, as here, is read only with its token: the token and the Consent-ID go together. A consent your customer authorised on the bank's own pages instead (its authorisation's scaRedirect, decoupled or embedded approach, or a signing basket) is read without the Authorization header: the Consent-ID, your certificate and API key are enough, and a token you do send must be that consent's. Without PSU-IP-Address the read counts as one of the consent's four a day per account; withBalance adds the balances the consent gives.",
      command: `${call}${requestId}  -H "Consent-ID: $CONSENT_ID" \\\n  -H "Authorization: Bearer $ACCESS_TOKEN" \\\n  '${info.baseUrl}/v1/accounts?withBalance=true'`,
    },
  ];
}
