import { describe, expect, it } from "vitest";
import { fakeServer, json } from "../test/fakeServer";
import { renderApp } from "../test/renderApp";
import { el, found } from "../test/dom";
import { dcrSteps, registrationSteps } from "./RegistrationGuidePage";

const SIGNED_OUT = () => json(401, { code: "UNAUTHENTICATED", message: "Sign in.", requestId: "r" });

describe("the registration guide", () => {
  it("gives the whole sequence as commands against this deployment's TPP API, each signed", () => {
    const steps = registrationSteps("https://127.0.0.1:8443");
    expect(steps.map((s) => s.id)).toEqual([
      "reg-step-key",
      "reg-step-installation",
      "reg-step-certificate",
      "reg-step-device",
      "reg-step-session",
      "reg-step-client",
      "reg-step-callback",
    ]);
    expect(steps[1].command).toContain("https://127.0.0.1:8443/registration/installation");
    expect(steps[2].command).toContain("openssl dgst -sha256 -sign qwac-key.pem installation-pub.pem");
    for (const s of steps.slice(2)) {
      expect(s.command).toContain("X-Client-Signature: $SIG");
      expect(s.command).toContain("--cert qwac.pem --key qwac-key.pem");
    }
    expect(steps[5].command).toContain("printf '%s %s\\n%s' POST /registration/oauth-clients");
    expect(steps[5].command).toContain("X-Client-Authentication: $SESSION_TOKEN");
  });

  it("gives dynamic client registration's commands: a statement signed with the QSealC, then register, read, update and delete with the latest token", () => {
    const steps = dcrSteps("https://127.0.0.1:8443");
    expect(steps.map((s) => s.id)).toEqual(["dcr-step-statement", "dcr-step-register", "dcr-step-read", "dcr-step-update", "dcr-step-delete"]);
    const cmd = Object.fromEntries(steps.map((s) => [s.id, s.command]));
    expect(cmd["dcr-step-statement"]).toBe(
      "b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }\n" +
        `HEADER=$(printf '{"alg":"ES256","typ":"JWT"}' | b64url)\n` +
        `CLAIMS=$(jq -cjn --argjson exp $(($(date +%s) + 3600)) '{client_name: "Budget Buddy", redirect_uris: ["https://tpp.example/callback"], exp: $exp}' | b64url)\n` +
        `SIG=$(printf '%s.%s' "$HEADER" "$CLAIMS" | openssl dgst -sha256 -sign qsealc-key.pem | openssl asn1parse -inform DER |\n` +
        `  awk '/INTEGER/ {h = substr($NF, 2); while (length(h) < 64) h = "0" h; printf "%s", substr(h, length(h) - 63)}' | xxd -r -p | b64url)\n` +
        `STATEMENT="$HEADER.$CLAIMS.$SIG"`,
    );
    const keep = `echo "$ANSWER"; RAT=$(jq -r .registration_access_token <<<"$ANSWER")`;
    expect(cmd["dcr-step-register"]).toBe(
      `jq -n --arg s "$STATEMENT" '{software_statement: $s, grant_types: ["authorization_code", "refresh_token"], token_endpoint_auth_method: "client_secret_basic"}' > client.json\n` +
        "ANSWER=$(curl -s --cert qwac.pem --key qwac-key.pem https://127.0.0.1:8443/oauth2/register -H 'Content-Type: application/json' -d @client.json)\n" +
        `${keep}; CLIENT_ID=$(jq -r .client_id <<<"$ANSWER")`,
    );
    expect(cmd["dcr-step-read"]).toBe(
      `ANSWER=$(curl -s --cert qwac.pem --key qwac-key.pem https://127.0.0.1:8443/oauth2/register/$CLIENT_ID -H "Authorization: Bearer $RAT")\n${keep}`,
    );
    expect(cmd["dcr-step-update"]).toBe(
      `jq -n --arg id "$CLIENT_ID" '{client_id: $id, client_name: "Budget Buddy 2", redirect_uris: ["https://tpp.example/callback", "https://tpp.example/v2/callback"], grant_types: ["authorization_code"], token_endpoint_auth_method: "client_secret_basic"}' > update.json\n` +
        `ANSWER=$(curl -s --cert qwac.pem --key qwac-key.pem -X PUT https://127.0.0.1:8443/oauth2/register/$CLIENT_ID -H "Authorization: Bearer $RAT" \\\n` +
        `  -H 'Content-Type: application/json' -d @update.json)\n${keep}`,
    );
    expect(cmd["dcr-step-delete"]).toBe(
      `curl -s --cert qwac.pem --key qwac-key.pem -o /dev/null -w '%{http_code}\\n' -X DELETE https://127.0.0.1:8443/oauth2/register/$CLIENT_ID -H "Authorization: Bearer $RAT"`,
    );
    expect(steps.map((s) => s.answer)).toEqual([
      undefined,
      "201 Created: client_id, client_secret, api_key (for the apiKey header of every TPP API call) and registration_access_token, all but the client ID shown only this once; registration_client_uri, where the client is managed; and the metadata as registered, the statement's claims applied. The client is an app of your organization, which the portal shows.",
      "200 OK: the client's metadata (never its secret) with a new registration_access_token, which replaces the one sent: that one now answers 401 invalid_token.",
      "200 OK: the metadata as replaced and a new registration_access_token. The name, the redirect URIs and the token change together or not at all; a refusal (400 invalid_client_metadata or invalid_redirect_uri, naming the member) changes nothing.",
      "204 No Content: the app and its credentials are gone. The client's address then answers 401 invalid_token.",
    ]);
  });

  it("shows both sequences with this deployment's address, each step's answer under its command", async () => {
    fakeServer({ "GET /api/account": SIGNED_OUT, "GET /api/tpp-api": () => json(200, { baseUrl: "https://api.bank.example", apiKeyHeader: "apiKey" }) });
    renderApp("/docs/registration-api");
    const dcr = await found("dcr-steps");
    expect(Array.from(document.querySelectorAll("h2")).map((h) => h.textContent)).toEqual(["Registering the software", "Dynamic client registration"]);
    expect(Array.from(dcr.querySelectorAll("h3")).map((h) => h.textContent)).toEqual([
      "1. Sign a software statement with your QSealC",
      "2. Register the client",
      "3. Read the client",
      "4. Update the client",
      "5. Delete the client",
    ]);
    expect(el("dcr-step-delete")!.querySelector(".step-answer")!.textContent).toBe(
      "Answer: 204 No Content: the app and its credentials are gone. The client's address then answers 401 invalid_token.",
    );
    expect(el("dcr-step-statement")!.querySelector(".step-answer")).toBeNull();
    expect(el("dcr-step-read")!.querySelector("pre")!.textContent).toContain("https://api.bank.example/oauth2/register/$CLIENT_ID");
  });
});
