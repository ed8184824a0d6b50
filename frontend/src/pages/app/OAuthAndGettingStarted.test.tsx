import { waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { fakeServer, json, type RecordedRequest } from "../../test/fakeServer";
import { ACCOUNT, ORGANIZATION } from "../../test/fixtures";
import { renderApp } from "../../test/renderApp";
import { el, found } from "../../test/dom";
import { FAPI_HINT } from "./OAuthSettingsSection";

const APP = {
  id: "app-1",
  organizationId: "org-1",
  name: "Budget Buddy",
  environment: "sandbox",
  createdAt: "2025-03-02T10:00:00Z",
  createdBy: "ada@example.com",
  redirectUris: ["https://budget.example/cb", "http://localhost:3000/cb"],
  certificateFingerprints: [],
  activeProducts: { oauth2: "sandbox" },
  apiKeys: [],
  fapi: false,
};

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

const WALKTHROUGH_HREF =
  "/docs/getting-started?cert=budget-buddy-mtls.pem&key=budget-buddy-mtls-key.pem&clientId=cid-1&redirectUri=https%3A%2F%2Fbudget.example%2Fcb";

const PKCE =
  "CODE_VERIFIER=$(openssl rand -base64 48 | tr -d '=+/\\n' | cut -c1-64)\n" +
  "CODE_CHALLENGE=$(printf '%s' \"$CODE_VERIFIER\" | openssl dgst -sha256 -binary | openssl base64 -A | tr '+/' '-_' | tr -d '=')\n" +
  "STATE=$(openssl rand -hex 16)\n";

function server(role: string, clientId: string, more: Record<string, (req: RecordedRequest) => Response> = {}) {
  document.cookie = "devportal_csrf=c; path=/";
  const org = { ...ORGANIZATION, role };
  // The app as stored: a successful switch changes what the page reads back.
  let app = APP;
  return fakeServer({
    "GET /api/account": () => json(200, ACCOUNT),
    "GET /api/organizations": () => json(200, { organizations: [org] }),
    "GET /api/organizations/org-1": () => json(200, org),
    "GET /api/organizations/org-1/certificates": () => json(200, { certificates: [] }),
    "GET /api/products": () => json(200, { products: [] }),
    "GET /api/organizations/org-1/apps/app-1/subscriptions": () => json(200, { subscriptions: [] }),
    "GET /api/organizations/org-1/apps/app-1": () =>
      json(200, { app, credentials: [{ clientId, appId: "app-1", name: "Default", createdAt: APP.createdAt, secretResetAt: APP.createdAt, secretIssued: true }], usage: [] }),
    "GET /api/tpp-api": () => json(200, INFO),
    "PUT /api/organizations/org-1/apps/app-1/oauth-settings": (req) => {
      app = { ...app, fapi: (req.body as { fapi: boolean }).fapi };
      return json(200, app);
    },
    ...more,
  });
}

describe("App page: getting started and OAuth settings", () => {
  it("fills the first commands in with the app's client ID and first redirect URI", async () => {
    server("DEVELOPER", "cid-1");
    const user = userEvent.setup();
    renderApp("/organizations/org-1/apps/app-1/getting-started");

    expect((await found("start-metadata-url")).textContent).toBe(INFO.metadataUrl);
    expect(el("start-base-url")!.textContent).toBe("https://api.bank.example");
    expect(el("start-metadata")!.textContent).toBe("curl https://api.bank.example/.well-known/oauth-authorization-server");
    expect(el("start-client-credentials")!.textContent).toBe(
      "curl --cert client-cert.pem --key client-key.pem \\\n" +
        "  -H 'apiKey: YOUR_API_KEY' \\\n" +
        "  -d grant_type=client_credentials \\\n" +
        "  -d client_id=cid-1 \\\n" +
        "  https://api.bank.example/oauth2/token",
    );
    expect(el("start-authorization")!.textContent).toBe(
      PKCE +
        'echo "https://login.bank.example/oauth2/authorize?response_type=code&client_id=cid-1&redirect_uri=https%3A%2F%2Fbudget.example%2Fcb&scope=AIS%3ACONSENT_ID' +
        '&state=$STATE&code_challenge=$CODE_CHALLENGE&code_challenge_method=S256"',
    );
    // Not the local stack: no word of the sandbox CA.
    expect(el("start-local-ca")).toBeNull();
    // The walkthrough continues with the app's client ID, the test certificate's file names and the redirect URI; never the API key.
    expect(el("start-walkthrough")!.querySelector("a")!.getAttribute("href")).toBe(WALKTHROUGH_HREF);
    // What the commands need links to the tabs that have it.
    expect(within(el("getting-started")!).getByRole("link", { name: "mTLS certificates" }).getAttribute("href")).toBe("/organizations/org-1/apps/app-1/certificates");
    expect(within(el("getting-started")!).getByRole("link", { name: "API key" }).getAttribute("href")).toBe("/organizations/org-1/apps/app-1#api-key");

    // A developer sees the switch's state and meaning, and the lifetimes, but cannot change it.
    await user.click(el("app-tab-settings")!);
    await found("oauth-settings");
    expect(el("oauth-settings-form")).toBeNull();
    expect(el("oauth-fapi-state")!.textContent).toBe("FAPI 2.0 not required");
    expect(el("oauth-settings")!.textContent).toContain(FAPI_HINT);
    expect(el("oauth-redirects")!.textContent).toBe("https://budget.example/cbhttp://localhost:3000/cb");
    expect(el("oauth-lifetime-code")!.textContent).toBe("60 seconds");
    expect(el("oauth-lifetime-access")!.textContent).toBe("1 hour");
    expect(el("oauth-lifetime-refresh")!.textContent).toBe("90 days");
  });

  it("uses placeholders for a Viewer, who sees no client ID, and names the sandbox CA locally", async () => {
    server("VIEWER", "", {
      "GET /api/tpp-api": () => json(200, { ...INFO, baseUrl: "https://127.0.0.1:8443", tokenEndpoint: "https://127.0.0.1:8443/oauth2/token" }),
    });
    renderApp("/organizations/org-1/apps/app-1/getting-started");

    expect((await found("start-client-credentials")).textContent).toBe(
      "curl --cert client-cert.pem --key client-key.pem \\\n" +
        "  -H 'apiKey: YOUR_API_KEY' \\\n" +
        "  -d grant_type=client_credentials \\\n" +
        "  -d client_id=YOUR_CLIENT_ID \\\n" +
        "  https://127.0.0.1:8443/oauth2/token",
    );
    expect(el("start-local-ca")!.textContent).toBe(
      "The local TPP API's server certificate comes from the sandbox CA: add --cacert .local/sandbox-ca/ca.pem to these commands.",
    );
  });

  it("lets an administrator require FAPI 2.0; the authorization command then pushes the request first", async () => {
    const { requests } = server("ADMIN", "cid-1");
    const user = userEvent.setup();
    renderApp("/organizations/org-1/apps/app-1/settings");

    const box = (await found("oauth-settings-fapi")) as HTMLInputElement;
    expect(box.checked).toBe(false);
    expect(document.querySelector<HTMLLabelElement>('label[for="oauth-settings-fapi"]')!.textContent).toBe("Require FAPI 2.0 (pushed authorization requests)");
    expect(el("oauth-settings-fapi-hint")!.textContent).toBe(FAPI_HINT);
    const save = el("oauth-settings-form")!.querySelector<HTMLButtonElement>('button[type="submit"]')!;
    expect(save.disabled).toBe(true);

    await user.click(box);
    await user.click(save);
    await waitFor(() => expect(el("oauth-settings-status")!.textContent).toBe("FAPI 2.0 is on: push every authorization request first."));
    expect(requests.filter((r) => r.method !== "GET").map((r) => [`${r.method} ${r.path}`, r.body])).toEqual([
      ["PUT /api/organizations/org-1/apps/app-1/oauth-settings", { fapi: true }],
    ]);
    expect(save.disabled).toBe(true);
    await user.click(el("app-tab-getting-started")!);
    await waitFor(() =>
      expect(el("start-authorization")!.textContent).toBe(
        PKCE +
          "curl --cert client-cert.pem --key client-key.pem \\\n" +
          "  -H 'apiKey: YOUR_API_KEY' \\\n" +
          "  -d response_type=code \\\n" +
          "  -d client_id=cid-1 \\\n" +
          "  -d redirect_uri=https%3A%2F%2Fbudget.example%2Fcb \\\n" +
          "  -d scope=AIS%3ACONSENT_ID \\\n" +
          '  -d "state=$STATE" -d "code_challenge=$CODE_CHALLENGE" -d code_challenge_method=S256 \\\n' +
          "  https://api.bank.example/oauth2/par\n" +
          "# then open, with the request_uri it answered:\n" +
          'echo "https://login.bank.example/oauth2/authorize?client_id=cid-1&request_uri=REQUEST_URI"',
      ),
    );
  });

  it("shows the server's refusal of the switch in the form's alert", async () => {
    server("OWNER", "cid-1", {
      "PUT /api/organizations/org-1/apps/app-1/oauth-settings": () =>
        json(403, { code: "FORBIDDEN", message: "Only the owner and administrators change an app's OAuth security profile.", requestId: "r-1" }),
    });
    const user = userEvent.setup();
    renderApp("/organizations/org-1/apps/app-1/settings");

    await user.click(await found("oauth-settings-fapi"));
    await user.click(el("oauth-settings-form")!.querySelector<HTMLButtonElement>('button[type="submit"]')!);
    await waitFor(() => expect(el("oauth-settings-error")!.textContent).toContain("Only the owner and administrators change an app's OAuth security profile."));
    expect(el("oauth-settings-status")!.textContent).toBe("");
  });

  it("says so when the TPP API's addresses cannot be loaded", async () => {
    server("DEVELOPER", "cid-1", { "GET /api/tpp-api": () => json(500, { code: "INTERNAL", message: "x", requestId: "r" }) });
    renderApp("/organizations/org-1/apps/app-1/getting-started");
    expect((await found("getting-started-error")).textContent).toBe("The TPP API's addresses could not be loaded. Reload the page to try again.");
  });
});
