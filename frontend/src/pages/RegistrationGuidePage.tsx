import { useTitle } from "../lib/hooks";
import { useTPPAPI } from "../lib/tppapi";

/** The registration API's path on the TPP API (package registration). */
const PREFIX = "/registration";

/** The steps of registering through the API alone, each a shell command. */
export function registrationSteps(base: string): { id: string; title: string; text: string; command: string }[] {
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
      <ol className="steps" id="registration-steps">
        {registrationSteps(base).map((s) => (
          <li key={s.id} id={s.id}>
            <h2>{s.title}</h2>
            <p>{s.text}</p>
            <pre className="code-block">{s.command}</pre>
          </li>
        ))}
      </ol>
    </div>
  );
}
