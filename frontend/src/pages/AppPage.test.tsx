import { waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { fakeServer, json, type RecordedRequest } from "../test/fakeServer";
import { ACCOUNT, ORGANIZATION } from "../test/fixtures";
import { location, renderApp } from "../test/renderApp";
import { el, found } from "../test/dom";

const ORG = ORGANIZATION;

const APP = {
  id: "app-1",
  organizationId: "org-1",
  name: "Budget Buddy",
  environment: "sandbox",
  createdAt: "2025-03-02T10:00:00Z",
  createdBy: "ada@example.com",
  redirectUris: [] as string[],
  fapi: false,
};

const KEY_WARNING = "Copy the API key now and store it safely: it is shown only this once, and the bank keeps only its hash. If you lose it, rotate it.";
const WARNING = "Copy the secret now and keep it safe: it is shown only this once. If you lose it, reset it.";
const credential = (clientId: string, name: string) => ({ clientId, appId: "app-1", name, createdAt: "2025-03-02T10:00:00Z", secretResetAt: "2025-03-02T10:00:00Z" });
const FAR = "2099-01-01T00:00:00Z";
const CERT = {
  sha256Fingerprint: "ab".repeat(32),
  subject: "CN=budget.example.com,O=Example TPP,C=BE",
  issuer: "CN=Developer Portal Sandbox CA,O=Developer Portal Sandbox,C=BE",
  notBefore: "2025-01-01T00:00:00Z",
  notAfter: FAR,
  pem: "PEM",
  uploadedAt: "2025-03-02T10:00:00Z",
  uploadedBy: "ada@example.com",
  possession: { method: "signature", at: "2025-03-02T10:05:00Z", by: "ada@example.com" },
};

const plans = (rate: number) => [
  { id: "sandbox", name: "Sandbox", environment: "sandbox", rateLimitPerSecond: rate, quotaPerDay: 10000 },
  { id: "production", name: "Production", environment: "production", rateLimitPerSecond: rate * 5, quotaPerDay: 500000 },
];
const PRODUCTS = [
  { id: "oauth2", name: "OAuth2 authorization server", description: "Consent and tokens.", kind: "oauth", scopes: ["openid"], approval: "automatic", mandatory: true, plans: plans(20) },
  { id: "ais", name: "Account Information (AIS)", description: "Accounts.", kind: "psd2", requiredRole: "PSP_AI", scopes: ["AIS"], approval: "automatic", mandatory: false, plans: plans(10) },
  { id: "cof", name: "Confirmation of Funds (CoF)", description: "Funds.", kind: "psd2", requiredRole: "PSP_IC", scopes: ["PIIS"], approval: "automatic", mandatory: false, plans: plans(10) },
  { id: "pay-later", name: "Pay Later (premium)", description: "Instalments.", kind: "premium", scopes: ["PAY_LATER"], approval: "operations", mandatory: false, plans: plans(5) },
];
const OAUTH_SUBSCRIPTION = {
  appId: "app-1",
  productId: "oauth2",
  productName: "OAuth2 authorization server",
  planId: "sandbox",
  status: "ACTIVE",
  createdAt: "2025-03-02T10:00:00Z",
  updatedAt: "2025-03-02T10:00:00Z",
  history: [{ at: "2025-03-02T10:00:00Z", actor: "ada@example.com", action: "subscribed" }],
};

function server(role: string, more: Record<string, (req: RecordedRequest) => Response> = {}) {
  document.cookie = "devportal_csrf=c; path=/";
  const org = { ...ORG, role };
  return fakeServer({
    "GET /api/account": () => json(200, ACCOUNT),
    "GET /api/organizations": () => json(200, { organizations: [org] }),
    "GET /api/organizations/org-1": () => json(200, org),
    "GET /api/organizations/org-1/apps": () => json(200, { apps: [] }),
    "GET /api/organizations/org-1/certificates": () => json(200, { certificates: [] }),
    "GET /api/products": () => json(200, { products: PRODUCTS }),
    "GET /api/organizations/org-1/apps/app-1/subscriptions": () => json(200, { subscriptions: [OAUTH_SUBSCRIPTION] }),
    ...more,
  });
}

const mutations = (requests: RecordedRequest[]) => requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path}`);

describe("Apps pages", () => {
  it("registers an app, shows its secret once, verifies, resets after confirming and adds a credential", async () => {
    let creds = [credential("cid-1", "Default")];
    let secret = "first-secret";
    const { requests } = server("DEVELOPER", {
      "POST /api/organizations/org-1/apps": () =>
        json(201, { app: APP, credential: { ...creds[0], secret, warning: WARNING }, apiKey: { key: "org-1.app-1.first-api-key-0123456789", header: "apiKey", createdAt: "2025-03-02T10:00:00Z", warning: KEY_WARNING } }),
      "GET /api/organizations/org-1/apps/app-1": () => json(200, { app: APP, credentials: creds }),
      "POST /api/organizations/org-1/apps/app-1/credentials/cid-1/verify": (req) => {
        const ok = (req.body as { secret: string }).secret === secret;
        return json(200, { valid: ok, message: ok ? "This secret belongs to the credential." : "This secret does not belong to the credential. If you lost the secret, reset it." });
      },
      "POST /api/organizations/org-1/apps/app-1/credentials/cid-1/reset": () => {
        secret = "second-secret";
        return json(200, { ...creds[0], secretResetAt: "2025-03-03T10:00:00Z", secret, warning: WARNING });
      },
      "POST /api/organizations/org-1/apps/app-1/credentials": (req) => {
        const c = credential("cid-2", (req.body as { name: string }).name);
        creds = [...creds, c];
        return json(201, { ...c, secret: "third-secret", warning: WARNING });
      },
    });
    const user = userEvent.setup();
    renderApp("/organizations/org-1/apps");

    await found("apps-empty");
    expect(el("register-app-name-hint")!.textContent).toContain("The bank's customers see this name on the consent page");
    await user.type(el("register-app-name")!, "  Budget Buddy ");
    await user.click(within(el("register-app-form")!).getByRole("button", { name: "Register app" }));

    await waitFor(() => expect(location.current).toBe("/organizations/org-1/apps/app-1"));
    expect((await found("secret-value")).textContent).toBe("first-secret");
    expect(el("secret-clientId")!.textContent).toBe("cid-1");
    expect(el("secret-warning")!.textContent).toBe(WARNING);
    expect(requests.find((r) => r.method === "POST")!.body).toEqual({ name: "Budget Buddy" });
    // The API key too, once.
    expect(el("apikey-value")!.textContent).toBe("org-1.app-1.first-api-key-0123456789");
    expect(el("apikey-header")!.textContent).toBe("apiKey");
    expect(el("apikey-warning")!.textContent).toBe(KEY_WARNING);
    await user.click(el("apikey-done")!);
    expect(el("apikey-panel")).toBeNull();
    expect(document.body.textContent).not.toContain("first-api-key");

    // Hidden once stored, and never shown again.
    await user.click(el("secret-done")!);
    expect(el("secret-panel")).toBeNull();
    expect(document.body.textContent).not.toContain("first-secret");

    // Verify: a clear yes, then a clear no.
    await user.click(await found("credential-verify-cid-1"));
    await user.type(el("verify-cid-1-secret")!, "first-secret");
    await user.click(within(el("verify-cid-1-form")!).getByRole("button", { name: "Verify" }));
    await waitFor(() => expect(el("verify-cid-1-result")!.textContent).toBe("Yes, this is the secret. This secret belongs to the credential."));

    // Reset: confirmation first, then the new secret once.
    await user.click(el("credential-reset-cid-1")!);
    expect((await found("reset-dialog-title")).textContent).toBe("Reset the secret of Default?");
    expect(mutations(requests)).toEqual(["POST /api/organizations/org-1/apps", "POST /api/organizations/org-1/apps/app-1/credentials/cid-1/verify"]);
    await user.click(el("reset-dialog-confirm")!);
    await waitFor(() => expect(el("secret-value")?.textContent).toBe("second-secret"));
    expect(el("secret-panel-title")!.textContent).toBe("New secret");

    await user.clear(el("verify-cid-1-secret")!);
    await user.type(el("verify-cid-1-secret")!, "first-secret");
    await user.click(within(el("verify-cid-1-form")!).getByRole("button", { name: "Verify" }));
    await waitFor(() => expect(el("verify-cid-1-result")!.querySelector("strong")!.textContent).toBe("No, this is not the secret."));

    // A second credential, its secret shown once in place of the previous one.
    await user.type(el("add-credential-name")!, "Rotation");
    await user.click(within(el("add-credential-form")!).getByRole("button", { name: "Add credential" }));
    await waitFor(() => expect(el("secret-value")?.textContent).toBe("third-secret"));
    expect(el("secret-name")!.textContent).toBe("Rotation");
    await found("credential-cid-2");
    // Developers may not delete apps.
    // Renaming is in the settings tab, its own address; back returns to the credentials.
    await user.click(el("app-tab-settings")!);
    await waitFor(() => expect(location.current).toBe("/organizations/org-1/apps/app-1/settings"));
    expect(el("app-tab-settings")!.getAttribute("aria-current")).toBe("page");
    expect(el("delete-app")).toBeNull();
    expect(el("rename-app-form")).not.toBeNull();
    expect(el("credentials-list")).toBeNull();
  });

  it("shows the server's refusals next to their fields and in alerts", async () => {
    server("OWNER", {
      "GET /api/organizations/org-1/apps/app-1": () => json(200, { app: APP, credentials: [credential("cid-1", "Default")] }),
      "POST /api/organizations/org-1/apps/app-1/redirect-uris": () =>
        json(400, { code: "VALIDATION_FAILED", message: "Some fields need your attention.", fields: [{ field: "uri", rule: "https", message: "Use an https address." }], requestId: "r-1" }),
      "DELETE /api/organizations/org-1/apps/app-1/credentials/cid-1": () =>
        json(409, { code: "LAST_CREDENTIAL", message: "An app keeps at least one credential; add another before revoking this one.", requestId: "r-2" }),
    });
    const user = userEvent.setup();
    renderApp("/organizations/org-1/apps/app-1/settings");

    await user.type(await found("redirect-uri"), "http://app.example.com/cb");
    await user.click(within(el("redirect-form")!).getByRole("button", { name: "Add redirect URI" }));
    await waitFor(() => expect(el("redirect-uri-error")!.textContent).toBe("Use an https address."));
    await waitFor(() => expect(document.activeElement).toBe(el("redirect-uri")));

    await user.click(el("app-tab-credentials")!);
    await user.click(await found("credential-revoke-cid-1"));
    expect((await found("revoke-dialog-title")).textContent).toBe("Revoke Default?");
    await user.click(el("revoke-dialog-confirm")!);
    const alert = await found("credentials-error");
    expect(alert.querySelector(".alert-message")!.textContent).toBe("An app keeps at least one credential; add another before revoking this one.");
  });

  it("adds and removes redirect URIs, selects and removes certificates, renames and deletes the app", async () => {
    let app = { ...APP };
    let certs = [{ ...CERT }, { ...CERT, sha256Fingerprint: "cd".repeat(32), subject: "CN=soon.example.com", notAfter: new Date(Date.now() + 5 * 86400_000 + 3600_000).toISOString() }];
    const { requests } = server("OWNER", {
      "GET /api/organizations/org-1/apps/app-1": () => json(200, { app, credentials: [credential("cid-1", "Default")] }),
      "GET /api/organizations/org-1/certificates": () => json(200, { certificates: certs }),
      "POST /api/organizations/org-1/apps/app-1/redirect-uris": (req) => {
        app = { ...app, redirectUris: [...app.redirectUris, (req.body as { uri: string }).uri] };
        return json(201, app);
      },
      "DELETE /api/organizations/org-1/apps/app-1/redirect-uris": () => {
        app = { ...app, redirectUris: [] };
        return new Response(null, { status: 204 });
      },
      "POST /api/organizations/org-1/apps/app-1/certificates": (req) => {
        const fp = (req.body as { sha256Fingerprint: string }).sha256Fingerprint;
        certs = certs.map((c) => (c.sha256Fingerprint === fp ? { ...c, appId: "app-1" } : c));
        return json(200, certs.find((c) => c.sha256Fingerprint === fp));
      },
      [`DELETE /api/organizations/org-1/apps/app-1/certificates/${"cd".repeat(32)}`]: () => {
        certs = certs.map((c) => ({ ...c, appId: undefined }));
        return new Response(null, { status: 204 });
      },
      "PATCH /api/organizations/org-1/apps/app-1": (req) => {
        app = { ...app, name: (req.body as { name: string }).name };
        return json(200, app);
      },
      "DELETE /api/organizations/org-1/apps/app-1": () => new Response(null, { status: 204 }),
    });
    const user = userEvent.setup();
    renderApp("/organizations/org-1/apps/app-1/settings");

    await user.type(await found("redirect-uri"), "https://budget.example.com/cb");
    await user.click(within(el("redirect-form")!).getByRole("button", { name: "Add redirect URI" }));
    await waitFor(() => expect(el("redirect-uris-list")?.textContent).toContain("https://budget.example.com/cb"));
    await user.click(el("redirect-remove-0")!);
    await found("redirect-remove-dialog");
    await user.click(el("redirect-remove-dialog-confirm")!);
    await found("redirect-uris-empty");
    expect(requests.filter((r) => r.method === "DELETE")[0].path).toBe("/api/organizations/org-1/apps/app-1/redirect-uris?uri=https%3A%2F%2Fbudget.example.com%2Fcb");

    // Selecting the certificate that expires soon shows the warning.
    await user.click(el("app-tab-certificates")!);
    await user.selectOptions(await found("attach-certificate-sha256Fingerprint"), "cd".repeat(32));
    await user.click(within(el("attach-certificate-form")!).getByRole("button", { name: "Select for this app" }));
    await found("app-certificates-table");
    expect(el("app-certificates-expiry")!.textContent).toContain("expires within 30 days");
    expect(el("app-certificates-table")!.textContent).toContain("Expires in 6 days");
    await user.click(el(`certificate-remove-${"cd".repeat(32)}`)!);
    expect((await found("certificate-remove-dialog-title")).textContent).toBe("Remove this certificate from Budget Buddy?");
    await user.click(el("certificate-remove-dialog-confirm")!);
    await found("app-certificates-empty");

    await user.click(el("app-tab-settings")!);
    await user.clear(await found("rename-app-name"));
    await user.type(el("rename-app-name")!, "Budget Pal");
    await user.click(within(el("rename-app-form")!).getByRole("button", { name: "Rename app" }));
    await waitFor(() => expect(el("app-name")!.textContent).toBe("Budget Pal"));

    await user.click(el("delete-app")!);
    expect((await found("delete-app-dialog-title")).textContent).toBe("Delete Budget Pal?");
    await user.click(el("delete-app-dialog-confirm")!);
    await waitFor(() => expect(location.current).toBe("/organizations/org-1/apps"));
    expect((await found("apps-notice")).textContent).toBe("Budget Pal is deleted and its credentials are revoked.");
  });

  it("offers only certificates whose key is proven, and says where the others are proven", async () => {
    const unproven = { ...CERT, sha256Fingerprint: "cd".repeat(32), subject: "CN=pasted.example.com", possession: undefined };
    server("DEVELOPER", {
      "GET /api/organizations/org-1/apps/app-1": () => json(200, { app: APP, credentials: [credential("cid-1", "Default")] }),
      "GET /api/organizations/org-1/certificates": () => json(200, { certificates: [CERT, unproven] }),
    });
    renderApp("/organizations/org-1/apps/app-1/certificates");
    const select = (await found("attach-certificate-sha256Fingerprint")) as HTMLSelectElement;
    expect(Array.from(select.options).map((o) => o.value)).toEqual(["", "ab".repeat(32)]);
    const hint = el("attach-certificate-unproven")!;
    expect(hint.textContent).toBe("One uploaded certificate waits for proof that you hold its private key before an app can use it: prove it in the certificates of Example TPP.");
    expect(within(hint).getByRole("link").getAttribute("href")).toBe("/organizations/org-1/apps#org-certificates");
  });

  it.each([
    { count: 0, offered: true },
    { count: 1, offered: true },
    { count: 2, offered: false },
  ])("offers a test certificate to a sandbox app with $count certificates: $offered", async ({ count, offered }) => {
    const certs = Array.from({ length: count }, (_, i) => ({ ...CERT, sha256Fingerprint: String(i).repeat(64), appId: "app-1" }));
    server("DEVELOPER", {
      "GET /api/organizations/org-1/apps/app-1": () => json(200, { app: APP, credentials: [credential("cid-1", "Default")] }),
      "GET /api/organizations/org-1/certificates": () => json(200, { certificates: certs }),
    });
    renderApp("/organizations/org-1/apps/app-1/certificates");
    await found("issue-certificate-heading");
    if (offered) {
      expect(el("issue-certificate")!.textContent).toBe("Issue a test certificate");
      expect(el("issue-certificate-full")).toBeNull();
    } else {
      expect(el("issue-certificate")).toBeNull();
      expect(el("issue-certificate-full")!.textContent).toBe("This app has two certificates, the most it can have: remove one to issue a test certificate.");
    }
  });

  it("never uploads a pasted private key: the field warns to replace the key", async () => {
    const { requests } = server("DEVELOPER", {
      "GET /api/organizations/org-1/apps/app-1": () => json(200, { app: APP, credentials: [credential("cid-1", "Default")] }),
    });
    const user = userEvent.setup();
    renderApp("/organizations/org-1/apps/app-1/certificates");
    const field = await found("certificate-upload-certificate");
    await user.click(field);
    await user.paste("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----");
    expect(el("certificate-upload-certificate-error")!.textContent).toBe(
      "This is a private key, not a certificate, and it was not sent. Treat the key as exposed: make a new key pair and have a new certificate issued for it. Paste only the certificate.",
    );
    expect(field.getAttribute("aria-invalid")).toBe("true");
    await user.click(within(el("certificate-upload-form")!).getByRole("button", { name: "Upload certificate" }));
    await waitFor(() => expect(document.activeElement).toBe(field));
    expect(mutations(requests)).toEqual([]);
  });

  it.each([
    { offboarded: false, badge: "Live", link: true, form: false },
    { offboarded: true, badge: "Ended", link: false, form: true },
  ])("shows an approved go-live, offboarded production: $offboarded", async ({ offboarded, badge, link, form }) => {
    const goLive = {
      requestId: "rq-g",
      status: "APPROVED",
      productionOrganizationId: "org-p",
      productionAppId: "app-p",
      requestedAt: "2025-03-02T10:00:00Z",
      step: 1,
      ...(offboarded ? { productionOffboarded: true } : {}),
    };
    server("DEVELOPER", {
      "GET /api/organizations/org-1/apps/app-1": () => json(200, { app: { ...APP, goLive }, credentials: [credential("cid-1", "Default")] }),
    });
    renderApp("/organizations/org-1/apps/app-1/go-live");
    expect((await found("go-live-badge")).textContent).toBe(badge);
    expect(el("go-live-production-link") !== null).toBe(link);
    if (offboarded) {
      expect(el("go-live-explanation")!.textContent).toBe(
        "Production access ended: your production organization was offboarded, so its production app no longer exists. You can ask for production access again.",
      );
    }
    // Asking again is offered (here without a production organization to choose, so it says what is missing).
    await waitFor(() => expect(el("go-live-form") !== null || el("go-live-no-production") !== null).toBe(form));
  });

  it.each([
    ["sandbox", "/organizations/org-1/apps/app-1/credentials", null, "/organizations/org-1/apps/app-1"],
    ["sandbox", "/organizations/org-1/apps/app-1/keys", "This app has no such section: choose one of the tabs above.", "/organizations/org-1/apps/app-1/keys"],
    ["production", "/organizations/org-1/apps/app-1/go-live", "Only a sandbox app goes live: this app is already a production app.", "/organizations/org-1/apps/app-1/go-live"],
  ])("opens a %s app at %s as the tabs say", async (environment, path, missing, at) => {
    server("DEVELOPER", {
      "GET /api/organizations/org-1/apps/app-1": () => json(200, { app: { ...APP, environment }, credentials: [credential("cid-1", "Default")] }),
    });
    renderApp(path);
    await found("app-tabs");
    const tabs = within(el("app-tabs")!).getAllByRole("link").map((a) => a.textContent);
    expect(tabs).toEqual(["Credentials", "Getting started", "Certificates", "Subscriptions", "Notifications", "Settings", ...(environment === "sandbox" ? ["Go live"] : [])]);
    if (missing) {
      expect((await found("app-tab-missing")).textContent).toBe(missing);
      expect(el("app-tabs")!.querySelector('[aria-current="page"]')).toBeNull();
    } else {
      await found("credentials-list");
      expect(el("app-tab-credentials")!.getAttribute("aria-current")).toBe("page");
    }
    expect(location.current).toBe(at);
  });

  it("copies a client ID with its own button, and says so", async () => {
    server("DEVELOPER", {
      "GET /api/organizations/org-1/apps/app-1": () => json(200, { app: APP, credentials: [credential("cid-1", "Default")] }),
    });
    const user = userEvent.setup();
    const writeText = vi.fn(async () => undefined);
    renderApp("/organizations/org-1/apps/app-1");
    const button = await found("credential-copy-cid-1");
    expect(button.textContent).toBe("Copy Client ID");
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    await user.click(button);
    expect(writeText).toHaveBeenCalledWith("cid-1");
    await waitFor(() => expect(el("credential-copy-cid-1-status")!.textContent).toBe("Client ID copied to the clipboard."));
  });

  it("shows viewers the app without client IDs and without any control", async () => {
    server("VIEWER", {
      "GET /api/organizations/org-1/apps/app-1": () => json(200, { app: { ...APP, redirectUris: ["https://budget.example.com/cb"] }, credentials: [{ ...credential("", "Default"), clientId: undefined }] }),
      "GET /api/organizations/org-1/certificates": () => json(200, { certificates: [{ ...CERT, appId: "app-1" }] }),
    });
    renderApp("/organizations/org-1/apps/app-1");
    const list = await found("credentials-list");
    expect(list.textContent).toContain("Hidden from Viewers");
    expect(list.querySelector("button")).toBeNull();
    expect(el("credentials-viewer")).not.toBeNull();
    expect(el("add-credential-form")).toBeNull();
    expect(el("app-readonly")!.textContent).toBe("As a Viewer you can see this app but not change it.");
    const user = userEvent.setup();
    await user.click(el("app-tab-certificates")!);
    await found("app-certificates-table");
    expect(el("app-certificates-table")!.querySelector("button")).toBeNull();
    expect(el("certificate-upload-form")).toBeNull();
    // The settings tab shows the redirect URIs, with no control and no rename or delete.
    await user.click(el("app-tab-settings")!);
    expect((await found("redirect-uris-list")).textContent).toContain("https://budget.example.com/cb");
    expect(el("redirect-form")).toBeNull();
    expect(el("redirect-remove-0")).toBeNull();
    expect(el("settings")).toBeNull();
  });

  it("generates the first secret of a production credential that has none", async () => {
    const prod = { ...APP, environment: "production" };
    server("OWNER", {
      "GET /api/organizations/org-1/apps/app-1": () => json(200, { app: prod, credentials: [{ ...credential("cid-p", "Production"), secretIssued: false }] }),
      "POST /api/organizations/org-1/apps/app-1/credentials/cid-p/reset": () => json(200, { ...credential("cid-p", "Production"), secret: "prod-secret", warning: WARNING }),
    });
    const user = userEvent.setup();
    const writeText = vi.fn(async () => undefined);
    renderApp("/organizations/org-1/apps/app-1");
    expect((await found("credential-cid-p")).querySelector(".credential-secret")!.textContent).toBe("Not generated yet");
    expect(el("credential-verify-cid-p")).toBeNull();
    expect(el("credential-reset-cid-p")).toBeNull();
    await user.click(el("credential-generate-cid-p")!);
    expect((await found("secret-value")).textContent).toBe("prod-secret");
    expect(el("secret-panel-title")!.textContent).toBe("Your production secret");
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    await user.click(el("secret-copy")!);
    expect(writeText).toHaveBeenCalledWith("prod-secret");
  });

  it("subscribes: PSD2 at once, premium pending approval, a missing role next to the field; unsubscribes after confirming", async () => {
    let subs = [OAUTH_SUBSCRIPTION];
    const { requests } = server("DEVELOPER", {
      "GET /api/organizations/org-1/apps/app-1": () => json(200, { app: APP, credentials: [credential("cid-1", "Default")] }),
      "GET /api/organizations/org-1/apps/app-1/subscriptions": () => json(200, { subscriptions: subs }),
      "POST /api/organizations/org-1/apps/app-1/subscriptions": (req) => {
        const { productId, planId } = req.body as { productId: string; planId: string };
        if (productId === "cof")
          return json(400, {
            code: "VALIDATION_FAILED",
            message: "Some fields need your attention.",
            fields: [{ field: "productId", rule: "roleMissing", message: "Confirmation of Funds (CoF) needs the PSD2 role PSP_IC, and your organization's eIDAS certificate (QWAC) does not carry it." }],
            requestId: "r-3",
          });
        const p = PRODUCTS.find((x) => x.id === productId)!;
        const pending = p.approval === "operations";
        const s = { ...OAUTH_SUBSCRIPTION, productId, productName: p.name, planId, status: pending ? "PENDING" : "ACTIVE", requestId: pending ? "rq-9" : undefined };
        subs = [...subs, s];
        return json(201, s);
      },
      "DELETE /api/organizations/org-1/apps/app-1/subscriptions/ais": () => {
        subs = subs.filter((s) => s.productId !== "ais");
        return new Response(null, { status: 204 });
      },
    });
    const user = userEvent.setup();
    renderApp("/organizations/org-1/apps/app-1/subscriptions");

    // The authorization server: active, explained, no trash icon.
    expect((await found("subscription-oauth2-status")).textContent).toBe("Active");
    expect(el("subscription-oauth2-explanation")!.textContent).toBe("Included with every app; it cannot be removed.");
    expect(el("unsubscribe-oauth2")).toBeNull();
    // Only what the app does not have yet is offered.
    expect(el("subscribe-productId-oauth2")).toBeNull();
    expect(el("subscribe-productId-ais-hint")!.textContent).toBe("Accounts. Scopes: AIS. Active at once if your organization's QWAC carries the PSD2 role PSP_AI.");
    expect(el("subscribe-productId-pay-later-hint")!.textContent).toContain("The bank's operations team approves each subscription.");

    await user.click(el("subscribe-productId-cof")!);
    expect((el("subscribe-planId") as HTMLSelectElement).value).toBe("sandbox");
    // A sandbox app is offered the sandbox plan only: a production plan would be refused.
    expect(Array.from((el("subscribe-planId") as HTMLSelectElement).options).map((o) => o.value)).toEqual(["sandbox"]);
    await user.click(within(el("subscribe-form")!).getByRole("button", { name: "Subscribe" }));
    await waitFor(() => expect(el("subscribe-productId-error")!.textContent).toContain("needs the PSD2 role PSP_IC"));

    await user.click(el("subscribe-productId-ais")!);
    await user.click(within(el("subscribe-form")!).getByRole("button", { name: "Subscribe" }));
    expect((await found("subscription-ais-status")).textContent).toBe("Active");
    expect(el("subscriptions-status")!.textContent).toBe("Budget Buddy is subscribed to Account Information (AIS): it can call it now.");

    await user.click(el("subscribe-productId-pay-later")!);
    await user.click(within(el("subscribe-form")!).getByRole("button", { name: "Subscribe" }));
    expect((await found("subscription-pay-later-status")).textContent).toBe("Pending approval");
    expect(el("subscription-pay-later-explanation")!.textContent).toBe("Waiting for the bank's operations team; you will get an email when it is decided.");
    expect(el("unsubscribe-pay-later")).toBeNull();
    expect(requests.filter((r) => r.method === "POST").map((r) => r.body)).toEqual([
      { productId: "cof", planId: "sandbox" },
      { productId: "ais", planId: "sandbox" },
      { productId: "pay-later", planId: "sandbox" },
    ]);

    await user.click(el("unsubscribe-ais")!);
    expect((await found("unsubscribe-dialog-title")).textContent).toBe("Unsubscribe Budget Buddy from Account Information (AIS)?");
    await user.click(el("unsubscribe-dialog-confirm")!);
    await waitFor(() => expect(el("subscription-ais")).toBeNull());
    expect(el("subscriptions-status")!.textContent).toBe("Budget Buddy is no longer subscribed to Account Information (AIS).");
  });

  it("requests production access with the production organization's certificate and shows the steps and errors", async () => {
    const PROD = { ...ORG, id: "org-p", name: "Example TPP Live", environment: "production" };
    let app = { ...APP, redirectUris: ["http://localhost:3000/cb", "https://budget.example.com/cb"] } as Record<string, unknown>;
    let posts = 0;
    const { requests } = server("OWNER", {
      "GET /api/organizations": () => json(200, { organizations: [ORG, PROD, { ...PROD, id: "org-v", name: "Viewer Live", role: "VIEWER" }] }),
      "GET /api/organizations/org-1/apps/app-1": () => json(200, { app, credentials: [credential("cid-1", "Default")] }),
      "GET /api/organizations/org-p/certificates": () => json(200, { certificates: [{ ...CERT, sha256Fingerprint: "ef".repeat(32), subject: "CN=live.example.com" }, { ...CERT, appId: "other" }] }),
      "GET /api/organizations/org-p/requests": () =>
        json(200, {
          requests: [
            {
              id: "rq-g",
              kind: "GO_LIVE",
              organizationId: "org-p",
              organizationName: "Example TPP Live",
              requesterId: "u-1",
              requesterEmail: "ada@example.com",
              status: "PENDING",
              summary: "Take Budget Buddy live",
              form: {},
              createdAt: "2025-03-05T10:00:00Z",
              expiresAt: "2099-01-01T00:00:00Z",
              history: [
                { at: "2025-03-05T10:00:00Z", actor: "ada@example.com", action: "submitted" },
                { at: "2025-03-06T10:00:00Z", actor: "Bank operations", action: "approved: Review", comment: "Documents complete" },
              ],
              steps: ["Review", "Contract signed"],
              step: 1,
            },
          ],
        }),
      "POST /api/organizations/org-1/apps/app-1/go-live": (req) => {
        if (++posts === 1)
          return json(400, {
            code: "VALIDATION_FAILED",
            message: "Some fields need your attention.",
            fields: [{ field: "redirectUris[1]", rule: "https", message: "Use https (http://localhost is allowed in the sandbox)." }],
            requestId: "r-4",
          });
        app = { ...app, goLive: { requestId: "rq-g", status: "PENDING", productionOrganizationId: "org-p", requestedAt: "2025-03-05T10:00:00Z" } };
        return json(202, { id: "rq-g", body: req.body });
      },
    });
    const user = userEvent.setup();
    renderApp("/organizations/org-1/apps/app-1/go-live");

    // Only active production organizations where the user is not a Viewer; only https redirect URIs proposed.
    const select = (await found("go-live-productionOrganizationId")) as HTMLSelectElement;
    expect(Array.from(select.options).map((o) => o.text)).toEqual(["Choose an organization", "Example TPP Live"]);
    expect((el("go-live-redirectUris") as HTMLTextAreaElement).value).toBe("https://budget.example.com/cb");
    await user.selectOptions(select, "org-p");
    await waitFor(() => expect((el("go-live-certificate") as HTMLSelectElement).options.length).toBe(2));
    await user.selectOptions(el("go-live-certificate")!, "ef".repeat(32));
    await user.type(el("go-live-redirectUris")!, "{enter}http://budget.example.com/cb");
    await user.click(within(el("go-live-form")!).getByRole("button", { name: "Request production access" }));
    await waitFor(() => expect(el("go-live-redirectUris-error")!.textContent).toBe("http://budget.example.com/cb: Use https (http://localhost is allowed in the sandbox)."));
    expect(requests.filter((r) => r.method === "POST")[0].body).toEqual({
      productionOrganizationId: "org-p",
      redirectUris: ["https://budget.example.com/cb", "http://budget.example.com/cb"],
      certificate: "ef".repeat(32),
    });

    await user.clear(el("go-live-redirectUris")!);
    await user.type(el("go-live-redirectUris")!, "https://budget.example.com/cb");
    await user.click(within(el("go-live-form")!).getByRole("button", { name: "Request production access" }));
    expect((await found("go-live-badge")).textContent).toBe("Waiting for the bank");
    expect((await found("go-live-step")).textContent).toBe("Waiting for the bank: Step 2 of 2: Contract signed");
    expect(el("go-live-form")).toBeNull();
    expect(el("go-live-history")!.textContent).toContain("approved: Review");
  });

  it("rotates the API key after a confirmation that says what happens to the old one, shows the new key once and copies it", async () => {
    let keys: { createdAt: string; expiresAt?: string }[] = [{ createdAt: "2025-03-02T10:00:00Z" }];
    const { requests } = server("DEVELOPER", {
      "GET /api/organizations/org-1/apps/app-1": () =>
        json(200, {
          app: { ...APP, apiKeys: keys },
          credentials: [credential("cid-1", "Default")],
          usage: [{ productId: "oauth2", productName: "OAuth2 authorization server", planId: "sandbox", callsToday: 1234, available: true, quotaPerDay: 20000, rateLimitPerSecond: 20 },
            { productId: "ais", productName: "Account Information (AIS)", planId: "sandbox", available: false, quotaPerDay: 10000, rateLimitPerSecond: 10 }],
        }),
      "POST /api/organizations/org-1/apps/app-1/api-key/rotate": (req) => {
        const hours = (req.body as { gracePeriodHours: number }).gracePeriodHours;
        if (hours > 168) {
          return json(400, { code: "VALIDATION_FAILED", message: "Some fields need your attention.",
            fields: [{ field: "gracePeriodHours", rule: "range", message: "Choose a grace period from 0 to 168 hours (7 days)." }], requestId: "r-9" });
        }
        keys = [{ createdAt: "2025-03-03T10:00:00Z" }, { createdAt: "2025-03-02T10:00:00Z", expiresAt: FAR }];
        return json(200, { app: { ...APP, apiKeys: keys }, apiKey: { key: "org-1.app-1.second-api-key-0123456789", header: "apiKey", createdAt: "2025-03-03T10:00:00Z", warning: KEY_WARNING },
          previousExpiresAt: FAR });
      },
    });
    const writeText = vi.fn(async () => undefined);
    const user = userEvent.setup();
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    renderApp("/organizations/org-1/apps/app-1");

    expect((await found("apikey-list")).textContent).toContain("Current");
    expect(document.body.textContent).not.toContain("api-key-0123456789");
    // Usage: calls against the quota, or not available.
    expect(el("usage-table")!.querySelector('[data-product="oauth2"] .usage-calls')!.textContent).toBe("1,234 of 20,000");
    expect(el("usage-table")!.querySelector('[data-product="ais"] .usage-calls')!.textContent).toBe("Not available");
    expect(el("usage-table")!.querySelector('[data-product="ais"] .usage-rate')!.textContent).toBe("10 calls a second");

    // Out of range: the server's field error next to the field, nothing rotated.
    await user.clear(el("apikey-gracePeriodHours")!);
    await user.type(el("apikey-gracePeriodHours")!, "200");
    await user.click(el("apikey-rotate")!);
    expect((await found("apikey-rotate-dialog-title")).textContent).toBe("Rotate the API key?");
    await user.click(el("apikey-rotate-dialog-confirm")!);
    await waitFor(() => expect(document.body.textContent).toContain("Choose a grace period from 0 to 168 hours (7 days)."));

    // Cancel changes nothing; confirming with 12 hours says what happens to the old key.
    await user.clear(el("apikey-gracePeriodHours")!);
    await user.type(el("apikey-gracePeriodHours")!, "12");
    await user.click(el("apikey-rotate")!);
    await user.click(await found("apikey-rotate-dialog-cancel"));
    expect(mutations(requests)).toEqual(["POST /api/organizations/org-1/apps/app-1/api-key/rotate"]);
    await user.click(el("apikey-rotate")!);
    expect((await found("apikey-rotate-consequence")).textContent).toMatch(/^The current API key keeps working for 12 hours, until about .+, and then stops/);
    await user.click(el("apikey-rotate-dialog-confirm")!);
    await waitFor(() => expect(el("apikey-value")?.textContent).toBe("org-1.app-1.second-api-key-0123456789"));
    expect(requests.filter((r) => r.method === "POST").map((r) => r.body)).toEqual([{ gracePeriodHours: 200 }, { gracePeriodHours: 12 }]);
    expect(el("apikey-panel-title")!.textContent).toBe("Your new API key");
    expect(el("apikey-previous")!.textContent).toContain("The previous API key keeps working until");
    await user.click(el("apikey-copy")!);
    expect(writeText).toHaveBeenCalledWith("org-1.app-1.second-api-key-0123456789");
    expect(el("apikey-copy-status")!.textContent).toBe("API key copied to the clipboard.");
    await waitFor(() => expect(el("apikey-list")!.textContent).toContain("Replaced: works until"));
  });

  it("offers to create an API key for an app without one, and Viewers only see the keys", async () => {
    server("VIEWER", {
      "GET /api/organizations/org-1/apps/app-1": () => json(200, { app: { ...APP, apiKeys: [] }, credentials: [credential("", "Default")], usage: [] }),
    });
    renderApp("/organizations/org-1/apps/app-1");
    expect((await found("apikey-none")).textContent).toBe("This app has no API key yet: its calls to the TPP API are refused until it has one.");
    expect(el("apikey-create")).toBeNull();
    expect(el("apikey-rotate")).toBeNull();
    expect(el("usage-none")!.textContent).toBe("No active subscriptions.");
  });
});
