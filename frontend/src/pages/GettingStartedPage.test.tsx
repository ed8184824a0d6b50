import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { walkthrough, WALKTHROUGH_DEFAULTS } from "../lib/gettingstarted";
import { fakeServer, json } from "../test/fakeServer";
import { renderApp } from "../test/renderApp";
import { el, found } from "../test/dom";

const INFO = {
  baseUrl: "https://api.bank.example",
  metadataUrl: "https://api.bank.example/.well-known/oauth-authorization-server",
  authorizationEndpoint: "https://login.bank.example/oauth2/authorize",
  tokenEndpoint: "https://api.bank.example/oauth2/token",
  parEndpoint: "https://api.bank.example/oauth2/par",
  apiKeyHeader: "apiKey",
  sandboxCustomersUrl: "https://login.bank.example/sandbox-bank/customers",
  accessTokenSeconds: 3600,
  refreshTokenSeconds: 7776000,
  authorizationCodeSeconds: 60,
};

const SIGNED_OUT = () => json(401, { code: "UNAUTHENTICATED", message: "Sign in.", requestId: "r" });

const MINE = { clientId: "cid-1", apiKey: "org.app.s3cr3t", certFile: "budget-buddy-mtls.pem", keyFile: "budget-buddy-mtls-key.pem", redirectUri: "https://budget.example/cb" };

describe("getting-started walkthrough", () => {
  it("gives every step's command for the bank's API, with the developer's values", () => {
    const steps = walkthrough(INFO, MINE);
    expect(steps.map((s) => s.id)).toEqual(["gs-key", "gs-check", "gs-consent", "gs-authorize", "gs-token", "gs-accounts"]);
    const cmd = Object.fromEntries(steps.map((s) => [s.id, s.command]));
    expect(cmd["gs-key"]).toBe(
      "openssl req -new -newkey rsa:3072 -nodes \\\n  -keyout 'budget-buddy-mtls-key.pem' \\\n  -subj '/CN=cid-1/O=Your organization' \\\n  -out 'budget-buddy-mtls.csr'",
    );
    expect(cmd["gs-check"]).toBe(
      "openssl x509 -in 'budget-buddy-mtls.pem' -noout -subject -enddate -fingerprint -sha256\n" +
        "openssl x509 -in 'budget-buddy-mtls.pem' -noout -pubkey | openssl sha256\n" +
        "openssl pkey -in 'budget-buddy-mtls-key.pem' -pubout | openssl sha256",
    );
    const call = "curl --cert 'budget-buddy-mtls.pem' --key 'budget-buddy-mtls-key.pem' \\\n  -H 'apiKey: org.app.s3cr3t' \\\n";
    expect(cmd["gs-consent"]).toBe(
      "CONSENT_ID=$(" +
        call +
        '  -H "X-Request-ID: $(uuidgen)" \\\n' +
        "  -H 'Content-Type: application/json' \\\n" +
        "  -H 'TPP-Redirect-URI: https://budget.example/cb' \\\n" +
        `  -d '{"access":{"accounts":[],"balances":[],"transactions":[]},"recurringIndicator":true,"validUntil":"9999-12-31","frequencyPerDay":4,"combinedServiceIndicator":false}' \\\n` +
        "  https://api.bank.example/v1/consents | jq -r .consentId)\n" +
        'echo "$CONSENT_ID"',
    );
    expect(cmd["gs-authorize"]).toContain(
      "REQUEST_URI=$(" +
        call +
        "  -d client_id='cid-1' -d response_type=code \\\n" +
        "  --data-urlencode 'redirect_uri=https://budget.example/cb' \\\n" +
        '  --data-urlencode "scope=AIS:$CONSENT_ID" -d "state=$STATE" \\\n' +
        '  -d "code_challenge=$CODE_CHALLENGE" -d code_challenge_method=S256 \\\n' +
        "  https://api.bank.example/oauth2/par | jq -r .request_uri)\n" +
        'echo "https://login.bank.example/oauth2/authorize?client_id=cid-1&request_uri=$(printf \'%s\' "$REQUEST_URI" | jq -sRr @uri)"',
    );
    expect(cmd["gs-token"]).toBe(
      "CODE=PASTE_THE_CODE\nACCESS_TOKEN=$(" +
        call +
        "  -d grant_type=authorization_code -d client_id='cid-1' \\\n" +
        "  -d \"code=$CODE\" --data-urlencode 'redirect_uri=https://budget.example/cb' \\\n" +
        '  -d "code_verifier=$CODE_VERIFIER" \\\n' +
        "  https://api.bank.example/oauth2/token | jq -r .access_token)",
    );
    expect(cmd["gs-accounts"]).toBe(
      call +
        '  -H "X-Request-ID: $(uuidgen)" \\\n' +
        '  -H "Consent-ID: $CONSENT_ID" \\\n' +
        '  -H "Authorization: Bearer $ACCESS_TOKEN" \\\n' +
        "  'https://api.bank.example/v1/accounts?withBalance=true'",
    );
    // Both ways a consent is read: with the token of its OAuth2 authorisation, or without
    // one after the bank's own SCA approaches.
    const note = steps[5].note;
    expect(note).toContain("A consent authorised through OAuth2, as here, is read only with its token");
    expect(note).toContain("is read without the Authorization header: the Consent-ID, your certificate and API key are enough");
  });

  it("quotes values for the shell and trusts the local sandbox CA when asked", () => {
    const [, check] = walkthrough(INFO, { ...WALKTHROUGH_DEFAULTS, certFile: "it's.pem", caFile: ".local/sandbox-ca/ca.pem" });
    expect(check.command.split("\n")[0]).toBe("openssl x509 -in 'it'\\''s.pem' -noout -subject -enddate -fingerprint -sha256");
    const accounts = walkthrough(INFO, { ...WALKTHROUGH_DEFAULTS, caFile: ".local/sandbox-ca/ca.pem" })[5];
    expect(accounts.command.split("\n")[0]).toBe("curl --cert 'client-cert.pem' --key 'client-key.pem' --cacert '.local/sandbox-ca/ca.pem' \\");
  });

  it("fills the commands in from the app's link and the API key the developer types, which no request carries", async () => {
    const { requests } = fakeServer({ "GET /api/account": SIGNED_OUT, "GET /api/tpp-api": () => json(200, INFO) });
    renderApp("/docs/getting-started?clientId=cid-1&cert=budget-buddy-mtls.pem&key=budget-buddy-mtls-key.pem&redirectUri=https%3A%2F%2Fbudget.example%2Fcb");

    const accounts = await found("gs-accounts");
    expect(accounts.textContent).toContain("-H 'apiKey: YOUR_API_KEY'");
    expect(el("gs-clientId")).toHaveProperty("value", "cid-1");
    expect(el("gs-apiKey")!.getAttribute("type")).toBe("password");
    await userEvent.type(el("gs-apiKey")!, "org.app.s3cr3t");
    expect(el("gs-accounts")!.textContent).toBe(walkthrough(INFO, MINE)[5].command);
    expect(el("gs-consent")!.textContent).toBe(walkthrough(INFO, MINE)[2].command);
    expect(el("gs-local-ca")).toBeNull();
    expect(requests.some((r) => r.path.includes("s3cr3t") || JSON.stringify(r.body ?? "").includes("s3cr3t"))).toBe(false);
  });

  it("tells local developers the commands trust the sandbox CA", async () => {
    fakeServer({ "GET /api/account": SIGNED_OUT, "GET /api/tpp-api": () => json(200, { ...INFO, baseUrl: "https://127.0.0.1:8443" }) });
    renderApp("/docs/getting-started");
    expect((await found("gs-local-ca")).textContent).toContain(".local/sandbox-ca/ca.pem");
    expect(el("gs-accounts")!.textContent).toContain("--cacert '.local/sandbox-ca/ca.pem'");
    expect(el("gs-accounts")!.textContent).toContain("-H 'apiKey: YOUR_API_KEY'");
  });
});
