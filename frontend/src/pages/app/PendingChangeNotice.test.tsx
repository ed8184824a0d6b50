import userEvent from "@testing-library/user-event";
import { waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { fakeServer, json } from "../../test/fakeServer";
import { ACCOUNT, ORGANIZATION } from "../../test/fixtures";
import { renderApp } from "../../test/renderApp";
import { el, found } from "../../test/dom";

const PROD_ORG = { ...ORGANIZATION, environment: "production" };
const LIVE_APP = {
  id: "app-1",
  organizationId: "org-1",
  name: "Budget Buddy",
  environment: "production",
  createdAt: "2025-03-02T10:00:00Z",
  createdBy: "ada@example.com",
  redirectUris: ["https://budget.example/cb"],
  certificateFingerprints: [],
  activeProducts: {},
  fapi: false,
  apiKeys: [],
};
const PENDING = { requestId: "req-9", redirectUri: "https://budget.example/new", requestedAt: "2025-03-05T09:00:00Z", requestedBy: "ada@example.com" };

function server(app: () => Record<string, unknown>, answers: Record<string, () => Response> = {}) {
  document.cookie = "devportal_csrf=c; path=/";
  return fakeServer({
    "GET /api/account": () => json(200, ACCOUNT),
    "GET /api/organizations": () => json(200, { organizations: [PROD_ORG] }),
    "GET /api/organizations/org-1": () => json(200, PROD_ORG),
    "GET /api/organizations/org-1/certificates": () => json(200, { certificates: [] }),
    "GET /api/products": () => json(200, { products: [] }),
    "GET /api/organizations/org-1/apps/app-1/subscriptions": () => json(200, { subscriptions: [] }),
    "GET /api/organizations/org-1/apps/app-1/notifications": () => json(200, { deliveries: [] }),
    "GET /api/organizations/org-1/apps/app-1": () => json(200, { app: app(), credentials: [], usage: [] }),
    ...answers,
  });
}

describe("changes of a live app", () => {
  it("sends a new redirect URI to the bank for review and shows it waiting", async () => {
    // The bank keeps the change beside the app: every read after the request shows it.
    let app: Record<string, unknown> = LIVE_APP;
    server(() => app, {
      "POST /api/organizations/org-1/apps/app-1/redirect-uris": () => {
        app = { ...LIVE_APP, pendingChange: PENDING };
        return json(202, app);
      },
    });
    const user = userEvent.setup();
    renderApp("/organizations/org-1/apps/app-1/settings");
    await user.type(await found("redirect-uri"), "https://budget.example/new");
    await user.click(el("redirect-form")!.querySelector("button[type=submit]")!);
    await waitFor(() =>
      expect(el("redirect-uris-status")!.textContent).toBe("Sent https://budget.example/new to the bank for review. It works once approved."),
    );
    expect((await found("pending-redirectUri")).textContent).toContain("https://budget.example/new will be added once approved.");
    expect(el("pending-name")).toBeNull();
  });

  it("says the name waits for review, and keeps the old name meanwhile", async () => {
    const renamed = { ...LIVE_APP, pendingChange: { ...PENDING, redirectUri: undefined, name: "Budget Buddy Pro" } };
    server(() => renamed);
    renderApp("/organizations/org-1/apps/app-1/settings");
    expect((await found("pending-name")).textContent).toContain("the app will be called Budget Buddy Pro once approved.");
    expect(el("pending-redirectUri")).toBeNull();
  });
});
