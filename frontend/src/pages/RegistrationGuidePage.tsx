import { useTitle } from "../lib/hooks";
import { useTPPAPI } from "../lib/tppapi";

/** The registration API's path on the TPP API (package registration). */
const PREFIX = "/registration";

/** The steps of registering through the API alone, each a shell command. */
export function registrationSteps(base: string): GuideStep[] {
  const url = base + PREFIX;
  // sign signs "METHOD PATH\nBODY" with the installation key, as the X-Client-Signature header wants.
  const sign = (method: string, path: string, body: string) =>
    `SIG=$(printf '%s %s\\n%s' ${method} ${PREFIX}${path} '${body}' | openssl dgst -sha256 -sign installation-key.pem | base64 -w0)`;
  const curl = (method: string, path: string, token: string, body?: string) =>
    `curl -s --cert qwac.pem --key qwac-key.pem -X ${method} ${url}${path} \\\n  -H "X-Client-Authentication: ${token}" -H "X-Client-Signature: $SIG"` +
    (body ? ` \\\n  -H 'Content-Type: application/json' -d '${body}'` : "");
  return [
    {
      id: "reg-step-key",
      title: "1. Make the installation key pair",
      text: "Your software's own key: it signs every request. EC P-256 here; RSA of 2048 bits or more also works.",
      command: "openssl ecparam -name prime256v1 -genkey -noout -out installation-key.pem\nopenssl ec -in installation-key.pem -pubout -out installation-pub.pem",
    },
    {
      id: "reg-step-installation",
      title: "2. Register the installation",
      text: "Over mutual TLS with your QWAC. Keep the token (shown once) and the bank's server public key, which verifies the X-Server-Signature of every answer.",
      command: `jq -n --rawfile k installation-pub.pem '{clientPublicKey: $k}' > installation.json\ncurl -s --cert qwac.pem --key qwac-key.pem ${url}/installation -H 'Content-Type: application/json' -d @installation.json`,
    },
    {
      id: "reg-step-certificate",
      title: "3. Register your certificate",
      text: "Sign the installation public key (the PEM exactly as you sent it) with the certificate's private key: that proves you hold it. In the sandbox a test QWAC of the sandbox CA or a pseudo certificate (a name of at most 64 characters ending with AISP and/or PISP) will do; production takes eIDAS QWAC and QSealC and waits for the bank's review. The answer's API key is shown once; the administrator you name is invited to the portal.",
      command:
        `PROOF=$(openssl dgst -sha256 -sign qwac-key.pem installation-pub.pem | base64 -w0)\n` +
        `jq -n --rawfile c qwac.pem --arg s "$PROOF" '{qwac: $c, signature: $s, administratorEmail: "admin@example.com"}' > registration.json\n` +
        `SIG=$( (printf 'POST ${PREFIX}/certificate-registration\\n'; cat registration.json) | openssl dgst -sha256 -sign installation-key.pem | base64 -w0)\n` +
        `curl -s --cert qwac.pem --key qwac-key.pem ${url}/certificate-registration -H "X-Client-Authentication: $INSTALLATION_TOKEN" \\\n  -H "X-Client-Signature: $SIG" -H 'Content-Type: application/json' --data-binary @registration.json`,
    },
    {
      id: "reg-step-device",
      title: "4. Register a device",
      text: "The addresses (or CIDR ranges) your software calls from; sessions open and work only from them.",
      command: `${sign("POST", "/devices", '{"apiKey":"\'"$API_KEY"\'","description":"Backend","permittedIps":["203.0.113.7"]}')}\n${curl("POST", "/devices", "$INSTALLATION_TOKEN", '{"apiKey":"\'"$API_KEY"\'","description":"Backend","permittedIps":["203.0.113.7"]}')}`,
    },
    {
      id: "reg-step-session",
      title: "5. Start a session",
      text: "The first session lasts one hour: start the next within it. Later sessions last 90 days. End one with DELETE /sessions.",
      command: `${sign("POST", "/sessions", '{"apiKey":"\'"$API_KEY"\'"}')}\n${curl("POST", "/sessions", "$INSTALLATION_TOKEN", '{"apiKey":"\'"$API_KEY"\'"}')}`,
    },
    {
      id: "reg-step-client",
      title: "6. Create an OAuth client",
      text: "An app of your organization, which the portal shows too. The client secret and the app's API key are shown only this once; reading the client later gives its client ID.",
      command: `${sign("POST", "/oauth-clients", '{"name":"Budget Buddy"}')}\n${curl("POST", "/oauth-clients", "$SESSION_TOKEN", '{"name":"Budget Buddy"}')}`,
    },
    {
      id: "reg-step-callback",
      title: "7. Add a callback URL",
      text: "The redirect URI of your authorization requests: https (http://localhost only in the sandbox), no fragment, no wildcard. Then start the authorization code flow with the client ID.",
      command: `${sign("POST", "/oauth-clients/$CLIENT/callback-urls", '{"uri":"https://tpp.example/callback"}')}\n${curl("POST", "/oauth-clients/$CLIENT/callback-urls", "$SESSION_TOKEN", '{"uri":"https://tpp.example/callback"}')}`,
    },
  ];
}

/** A step of a guide: what to do, the shell command, and what the bank answers. */
export type GuideStep = { id: string; title: string; text: string; command: string; answer?: string };

/** Dynamic client registration's path on the TPP API (RFC 7591 and 7592). */
const DCR = "/oauth2/register";

/**
 * The steps of managing an OAuth client with dynamic client registration (RFC 7591, RFC 7592), each a
 * shell command: after step 3 of the registration, with the QSealC registered beside the QWAC.
 */
export function dcrSteps(base: string): GuideStep[] {
  const url = base + DCR;
  const mtls = "curl -s --cert qwac.pem --key qwac-key.pem";
  // Every answer but the deletion's carries the next registration access token: keep it.
  const keep = `echo "$ANSWER"; RAT=$(jq -r .registration_access_token <<<"$ANSWER")`;
  return [
    {
      id: "dcr-step-statement",
      title: "1. Sign a software statement with your QSealC",
      text:
        "A JWS (ES256 here, for the sandbox CA's EC keys; RS256 and PS256 for RSA keys) signed with the key of the QSealC you registered with your certificate (qsealc and qsealcSignature in step 3). Its claims take precedence over the same members sent beside it; exp is optional.",
      command:
        "b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }\n" +
        `HEADER=$(printf '{"alg":"ES256","typ":"JWT"}' | b64url)\n` +
        `CLAIMS=$(jq -cjn --argjson exp $(($(date +%s) + 3600)) '{client_name: "Budget Buddy", redirect_uris: ["https://tpp.example/callback"], exp: $exp}' | b64url)\n` +
        // ES256 wants the raw r||s signature, 32 bytes each; openssl signs in DER.
        `SIG=$(printf '%s.%s' "$HEADER" "$CLAIMS" | openssl dgst -sha256 -sign qsealc-key.pem | openssl asn1parse -inform DER |\n` +
        `  awk '/INTEGER/ {h = substr($NF, 2); while (length(h) < 64) h = "0" h; printf "%s", substr(h, length(h) - 63)}' | xxd -r -p | b64url)\n` +
        `STATEMENT="$HEADER.$CLAIMS.$SIG"`,
    },
    {
      id: "dcr-step-register",
      title: "2. Register the client",
      text: "Over mutual TLS with the QWAC you registered: the certificate is the credential, no other header is needed.",
      command:
        `jq -n --arg s "$STATEMENT" '{software_statement: $s, grant_types: ["authorization_code", "refresh_token"], token_endpoint_auth_method: "client_secret_basic"}' > client.json\n` +
        `ANSWER=$(${mtls} ${url} -H 'Content-Type: application/json' -d @client.json)\n` +
        `${keep}; CLIENT_ID=$(jq -r .client_id <<<"$ANSWER")`,
      answer:
        "201 Created: client_id, client_secret, api_key (for the apiKey header of every TPP API call) and registration_access_token, all but the client ID shown only this once; registration_client_uri, where the client is managed; and the metadata as registered, the statement's claims applied. The client is an app of your organization, which the portal shows.",
    },
    {
      id: "dcr-step-read",
      title: "3. Read the client",
      text: "With the registration access token as a bearer token.",
      command: `ANSWER=$(${mtls} ${url}/$CLIENT_ID -H "Authorization: Bearer $RAT")\n${keep}`,
      answer:
        "200 OK: the client's metadata (never its secret) with a new registration_access_token, which replaces the one sent: that one now answers 401 invalid_token.",
    },
    {
      id: "dcr-step-update",
      title: "4. Update the client",
      text:
        "Send the whole metadata with the client_id: what you leave out is dropped or takes its default. Leave out the members the bank issues (registration_access_token, registration_client_uri, client_id_issued_at, client_secret_expires_at); a client_secret sent must be the current one.",
      command:
        `jq -n --arg id "$CLIENT_ID" '{client_id: $id, client_name: "Budget Buddy 2", redirect_uris: ["https://tpp.example/callback", "https://tpp.example/v2/callback"], grant_types: ["authorization_code"], token_endpoint_auth_method: "client_secret_basic"}' > update.json\n` +
        `ANSWER=$(${mtls} -X PUT ${url}/$CLIENT_ID -H "Authorization: Bearer $RAT" \\\n  -H 'Content-Type: application/json' -d @update.json)\n${keep}`,
      answer:
        "200 OK: the metadata as replaced and a new registration_access_token. The name, the redirect URIs and the token change together or not at all; a refusal (400 invalid_client_metadata or invalid_redirect_uri, naming the member) changes nothing.",
    },
    {
      id: "dcr-step-delete",
      title: "5. Delete the client",
      text: "With the latest registration access token.",
      command: `${mtls} -o /dev/null -w '%{http_code}\\n' -X DELETE ${url}/$CLIENT_ID -H "Authorization: Bearer $RAT"`,
      answer: "204 No Content: the app and its credentials are gone. The client's address then answers 401 invalid_token.",
    },
  ];
}

/** One guide's steps as a numbered list. */
function Steps({ id, steps }: { id: string; steps: GuideStep[] }) {
  return (
    <ol className="steps" id={id}>
      {steps.map((s) => (
        <li key={s.id} id={s.id}>
          <h3>{s.title}</h3>
          <p>{s.text}</p>
          <pre className="code-block">{s.command}</pre>
          {s.answer && (
            <p className="step-answer">
              <strong>Answer:</strong> {s.answer}
            </p>
          )}
        </li>
      ))}
    </ol>
  );
}

/** Registering through the API alone: the sequence as shell commands. Open to everyone. */
export function RegistrationGuidePage() {
  useTitle("Registration through the API");
  const info = useTPPAPI();
  const base = info?.baseUrl ?? "https://api.bank.example";
  return (
    <div className="container">
      <h1>Registration through the API</h1>
      <p className="lead">
        Your software can onboard your organization and manage its OAuth clients without the portal: every call goes to the TPP API over mutual
        TLS, carries a token in X-Client-Authentication and a signature in X-Client-Signature (SHA-256 of the method, a space, the path, a line
        break and the body, signed with the installation key).
      </p>
      <h2 id="registration">Registering the software</h2>
      <Steps id="registration-steps" steps={registrationSteps(base)} />
      <h2 id="dcr">Dynamic client registration</h2>
      <p>
        Once your certificates are registered, standard OAuth tooling can manage your clients: <code>{base + DCR}</code> speaks dynamic client registration (RFC 7591) and its management protocol (RFC 7592), on the same mutual-TLS connection and
        without the X-Client headers.
      </p>
      <Steps id="dcr-steps" steps={dcrSteps(base)} />
    </div>
  );
}
