import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { fakeServer, json } from "../../test/fakeServer";
import { ACCOUNT, ORGANIZATION } from "../../test/fixtures";
import { renderApp } from "../../test/renderApp";
import { el, found } from "../../test/dom";
import { waitFor } from "@testing-library/react";

const APP = {
  id: "app-1",
  organizationId: "org-1",
  name: "Budget Buddy",
  environment: "sandbox",
  createdAt: "2025-03-02T10:00:00Z",
  createdBy: "ada@example.com",
  redirectUris: ["https://budget.example/cb"],
  fapi: false,
};

const delivery = (id: string, more: Record<string, unknown>) => ({
  id,
  appId: "app-1",
  orgId: "org-1",
  resourceType: "payment",
  resourceId: "pay-" + id,
  href: "/v1/payments/sepa-credit-transfers/pay-" + id,
  statusAttribute: "transactionStatus",
  status: "ACSC",
  uri: "https://budget.example/notify",
  createdAt: "2025-03-02T10:00:00Z",
  outcome: "delivered",
  attempts: [],
  ...more,
});

function server(deliveries: unknown[] | null, pages: Record<string, { deliveries: unknown[]; nextCursor?: string }> = {}) {
  document.cookie = "devportal_csrf=c; path=/";
  const org = { ...ORGANIZATION, role: "VIEWER" };
  return fakeServer({
    "GET /api/account": () => json(200, ACCOUNT),
    "GET /api/organizations": () => json(200, { organizations: [org] }),
    "GET /api/organizations/org-1": () => json(200, org),
    "GET /api/organizations/org-1/certificates": () => json(200, { certificates: [] }),
    "GET /api/products": () => json(200, { products: [] }),
    "GET /api/organizations/org-1/apps/app-1/subscriptions": () => json(200, { subscriptions: [] }),
    "GET /api/organizations/org-1/apps/app-1": () => json(200, { app: APP, credentials: [], usage: [] }),
    "GET /api/organizations/org-1/apps/app-1/notifications": (req) => {
      const cursor = new URL(req.path, "http://x").searchParams.get("cursor") ?? "";
      if (pages[cursor]) return json(200, pages[cursor]);
      return deliveries ? json(200, { deliveries }) : json(500, { code: "INTERNAL", message: "The log could not be read.", requestId: "r-500" });
    },
  });
}

/** The table's rows, cell texts joined by " | ". */
function rows(): string[] {
  return Array.from(el("notifications-table")!.querySelectorAll("tbody tr")).map((tr) =>
    Array.from(tr.querySelectorAll("td"))
      .map((td) => td.textContent)
      .join(" | "),
  );
}

describe("The app's status notifications", () => {
  it("lists each delivery with its time, resource, status, outcome and attempts, for a viewer too", async () => {
    const { requests } = server([
      delivery("3", {
        createdAt: "2025-03-02T10:02:00Z",
        resourceType: "consent",
        statusAttribute: "consentStatus",
        status: "valid",
        outcome: "pending",
        attempts: [{ at: "2025-03-02T10:02:00Z", error: "no answer: connection refused", nextRetryAt: "2025-03-02T10:03:00Z" }],
        nextAttemptAt: "2025-03-02T10:03:00Z",
      }),
      delivery("2", {
        createdAt: "2025-03-02T10:01:00Z",
        statusAttribute: "scaStatus",
        status: "finalised",
        attempts: [
          { at: "2025-03-02T10:01:00Z", httpStatus: 500, error: "answered 500", nextRetryAt: "2025-03-02T10:02:00Z" },
          { at: "2025-03-02T10:02:00Z", httpStatus: 204 },
        ],
      }),
      delivery("1", {
        resourceType: "funds-confirmation-consent",
        status: "RJCT",
        outcome: "failed",
        attempts: [1, 2, 3, 4, 5].map(() => ({ at: "2025-03-02T10:00:00Z", httpStatus: 503, error: "answered 503" })),
      }),
    ]);
    renderApp("/organizations/org-1/apps/app-1/notifications");
    await found("notifications-table");
    expect(rows()).toEqual([
      "2 Mar 2025, 10:02 UTC | Consent pay-3 | consentStatus valid | Retrying | 1 attempt, last: no answer: connection refused; next 2 Mar 2025, 10:03 UTC",
      "2 Mar 2025, 10:01 UTC | Payment pay-2 | scaStatus finalised | Delivered | 2 attempts, last: HTTP 204",
      "2 Mar 2025, 10:00 UTC | Funds confirmation consent pay-1 | transactionStatus RJCT | Failed | 5 attempts, last: HTTP 503",
    ]);
    expect(requests.filter((r) => r.path.endsWith("/notifications")).map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /api/organizations/org-1/apps/app-1/notifications",
    ]);
  });

  it("says when there are none, and shows a failed read as an alert", async () => {
    server([]);
    const first = renderApp("/organizations/org-1/apps/app-1/notifications");
    expect((await found("notifications-none")).textContent).toBe("No notifications yet.");
    first.unmount();
    server(null);
    renderApp("/organizations/org-1/apps/app-1/notifications");
    expect((await found("notifications-error")).textContent).toContain("The log could not be read.");
    expect(el("notifications-table")).toBeNull();
  });

  it("pages through a long log: the next page is added below on request, until the last", async () => {
    const { requests } = server(null, {
      "": { deliveries: [delivery("3", {}), delivery("2", {})], nextCursor: "after-2" },
      "after-2": { deliveries: [delivery("1", {})] },
    });
    const user = userEvent.setup();
    renderApp("/organizations/org-1/apps/app-1/notifications");
    await found("notifications-table");
    expect(rows().length).toBe(2);
    expect(el("notifications-count")!.textContent).toBe("Showing the first 2 notifications.");
    await user.click(el("notifications-more")!);
    await found("notifications-count");
    await waitFor(() => expect(rows().length).toBe(3));
    expect(rows()[2]).toContain("Payment pay-1");
    expect(el("notifications-count")!.textContent).toBe("All 3 notifications shown.");
    expect(el("notifications-more")).toBeNull();
    expect(requests.filter((r) => r.path.includes("/notifications")).map((r) => r.path)).toEqual([
      "/api/organizations/org-1/apps/app-1/notifications",
      "/api/organizations/org-1/apps/app-1/notifications?cursor=after-2",
    ]);
  });
});
