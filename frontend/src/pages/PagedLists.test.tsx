import { waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { fakeServer, json, type RecordedRequest } from "../test/fakeServer";
import { ACCOUNT, ORGANIZATION } from "../test/fixtures";
import { renderApp } from "../test/renderApp";
import { el, found } from "../test/dom";

const ORG = { ...ORGANIZATION, role: "OWNER", status: "ACTIVE" };

const member = (n: number) => ({ userId: `u-${n}`, email: `m${n}@example.com`, fullName: `Member ${n}`, role: n === 1 ? "OWNER" : "DEVELOPER", joinedAt: "2025-03-01T10:00:00Z" });
const invitation = (n: number) => ({
  id: `inv-${n}`,
  email: `i${n}@example.com`,
  role: "DEVELOPER",
  status: n === 3 ? "ACCEPTED" : "PENDING",
  invitedBy: "ada@example.com",
  createdAt: "2025-03-04T10:00:00Z",
  expiresAt: "2099-03-11T10:00:00Z",
});
const app = (n: number) => ({
  id: `app-${n}`,
  organizationId: "org-1",
  name: `App ${n}`,
  environment: "sandbox",
  createdAt: "2025-03-02T10:00:00Z",
  createdBy: "ada@example.com",
  redirectUris: [],
  fapi: false,
});
const cert = (n: number, appId?: string) => ({
  sha256Fingerprint: String(n).repeat(64),
  subject: `CN=c${n}.example.com`,
  issuer: "CN=Developer Portal Sandbox CA,O=Developer Portal Sandbox,C=BE",
  notBefore: "2025-01-01T00:00:00Z",
  notAfter: "2099-01-01T00:00:00Z",
  pem: "PEM",
  uploadedAt: "2025-03-02T10:00:00Z",
  uploadedBy: "ada@example.com",
  possession: { method: "signature", at: "2025-03-02T10:00:00Z", by: "ada@example.com" },
  appId,
});
const subscription = (productId: string, productName: string) => ({
  orgId: "org-1",
  appId: "app-1",
  productId,
  productName,
  planId: "sandbox",
  status: "ACTIVE",
  createdAt: "2025-03-02T10:00:00Z",
  updatedAt: "2025-03-02T10:00:00Z",
  history: [],
});

/** A handler answering the page its cursor names ("" for the first). */
function pages(byCursor: Record<string, unknown>) {
  return (req: RecordedRequest) => {
    const cursor = new URL(req.path, "http://x").searchParams.get("cursor") ?? "";
    return byCursor[cursor] ? json(200, byCursor[cursor]) : json(400, { code: "VALIDATION_FAILED", message: "Bad cursor.", requestId: "r-400" });
  };
}

function server(more: Record<string, (req: RecordedRequest) => Response>) {
  document.cookie = "devportal_csrf=c; path=/";
  return fakeServer({
    "GET /api/account": () => json(200, ACCOUNT),
    "GET /api/organizations": () => json(200, { organizations: [ORG] }),
    "GET /api/organizations/org-1": () => json(200, ORG),
    "GET /api/organizations/org-1/requests": () => json(200, { requests: [] }),
    ...more,
  });
}

/** The first cell (th or td) of each body row of the table. */
function firstCells(tableId: string): string[] {
  return Array.from(el(tableId)!.querySelectorAll("tbody tr")).map((tr) => tr.querySelector("th, td")!.textContent ?? "");
}

/** The paths of the requests to path, with their query. */
function calls(requests: RecordedRequest[], path: string): string[] {
  return requests.filter((r) => r.method === "GET" && r.path.split("?")[0] === path).map((r) => r.path);
}

describe("Lists that page with a cursor", () => {
  it("shows an organization's members page by page", async () => {
    const { requests } = server({
      "GET /api/organizations/org-1/members": pages({
        "": { members: [member(1), member(2)], nextCursor: "after-u-2" },
        "after-u-2": { members: [member(3)] },
      }),
    });
    const user = userEvent.setup();
    renderApp("/organizations/org-1/members");
    await found("members-table");
    expect(firstCells("members-table")).toEqual(["Member 1 (you)", "Member 2"]);
    expect(el("members-count")!.textContent).toBe("Showing the first 2 members.");
    await user.click(el("members-more")!);
    await waitFor(() => expect(firstCells("members-table")).toEqual(["Member 1 (you)", "Member 2", "Member 3"]));
    expect(el("members-count")!.textContent).toBe("All 3 members shown.");
    expect(el("members-more")).toBeNull();
    expect(calls(requests, "/api/organizations/org-1/members")).toEqual(["/api/organizations/org-1/members", "/api/organizations/org-1/members?cursor=after-u-2"]);
    // A new owner can be chosen among every member loaded, the second page's too.
    const options = Array.from((el("owner-userId") as HTMLSelectElement).options).map((o) => o.value);
    expect(options).toEqual(["", "u-2", "u-3"]);
  });

  it("shows an organization's invitations, closed ones included, page by page", async () => {
    const { requests } = server({
      "GET /api/organizations/org-1/invitations": pages({
        "": { invitations: [invitation(1), invitation(2)], nextCursor: "after-inv-2" },
        "after-inv-2": { invitations: [invitation(3)] },
      }),
    });
    const user = userEvent.setup();
    renderApp("/organizations/org-1/invitations");
    await found("invitations-table");
    expect(firstCells("invitations-table")).toEqual(["i1@example.com", "i2@example.com"]);
    await user.click(el("invitations-more")!);
    await waitFor(() => expect(firstCells("invitations-table")).toEqual(["i1@example.com", "i2@example.com", "i3@example.com"]));
    expect(el("invitation-status-inv-3")!.textContent).toBe("Accepted");
    expect(el("invitations-count")!.textContent).toBe("All 3 invitations shown.");
    expect(calls(requests, "/api/organizations/org-1/invitations")).toEqual([
      "/api/organizations/org-1/invitations",
      "/api/organizations/org-1/invitations?cursor=after-inv-2",
    ]);
  });

  it("shows an organization's apps and certificates page by page, each list with its own cursor", async () => {
    const { requests } = server({
      "GET /api/organizations/org-1/apps": pages({
        "": { apps: [app(1), app(2)], nextCursor: "after-app-2" },
        "after-app-2": { apps: [app(3)] },
      }),
      "GET /api/organizations/org-1/certificates": pages({
        "": { certificates: [cert(1, "app-1")], nextCursor: "after-c1" },
        "after-c1": { certificates: [cert(2, "app-3"), cert(3)] },
      }),
    });
    const user = userEvent.setup();
    renderApp("/organizations/org-1/apps");
    await found("apps-table");
    expect(firstCells("apps-table")).toEqual(["App 1", "App 2"]);
    await user.click(el("apps-more")!);
    await waitFor(() => expect(firstCells("apps-table")).toEqual(["App 1", "App 2", "App 3"]));
    expect(el("apps-more")).toBeNull();

    await found("org-certificates-table");
    const usedBy = () => Array.from(el("org-certificates-table")!.querySelectorAll("tbody tr td.cert-app")).map((td) => td.textContent);
    expect(usedBy()).toEqual(["App 1"]);
    await user.click(el("org-certificates-more")!);
    await waitFor(() => expect(usedBy()).toEqual(["App 1", "App 3", "No app"]));
    expect(el("org-certificates-count")!.textContent).toBe("All 3 certificates shown.");
    expect(calls(requests, "/api/organizations/org-1/apps")).toEqual(["/api/organizations/org-1/apps", "/api/organizations/org-1/apps?cursor=after-app-2"]);
    expect(calls(requests, "/api/organizations/org-1/certificates")).toEqual([
      "/api/organizations/org-1/certificates",
      "/api/organizations/org-1/certificates?cursor=after-c1",
    ]);
  });

  it("shows an app's subscriptions page by page, and offers new ones once every page is loaded", async () => {
    const { requests } = server({
      "GET /api/organizations/org-1/apps/app-1": () => json(200, { app: app(1), credentials: [], usage: [] }),
      "GET /api/organizations/org-1/certificates": () => json(200, { certificates: [] }),
      "GET /api/products": () => json(200, { products: [] }),
      "GET /api/organizations/org-1/apps/app-1/subscriptions": pages({
        "": { subscriptions: [subscription("ais", "Account information")], nextCursor: "after-ais" },
        "after-ais": { subscriptions: [subscription("pis", "Payment initiation")] },
      }),
    });
    const user = userEvent.setup();
    renderApp("/organizations/org-1/apps/app-1/subscriptions");
    await found("subscriptions-table");
    expect(firstCells("subscriptions-table")).toEqual(["Account information"]);
    expect(el("subscribe-needs-all")!.textContent).toBe("Show every subscription to subscribe App 1 to another API.");
    await user.click(el("subscriptions-more")!);
    await waitFor(() => expect(firstCells("subscriptions-table")).toEqual(["Account information", "Payment initiation"]));
    expect(el("subscribe-needs-all")).toBeNull();
    expect(calls(requests, "/api/organizations/org-1/apps/app-1/subscriptions")).toEqual([
      "/api/organizations/org-1/apps/app-1/subscriptions",
      "/api/organizations/org-1/apps/app-1/subscriptions?cursor=after-ais",
    ]);
  });

  it("finds an app's own certificates and the free ones on every page of the organization's list", async () => {
    const { requests } = server({
      "GET /api/organizations/org-1/apps/app-1": () => json(200, { app: app(1), credentials: [], usage: [] }),
      "GET /api/products": () => json(200, { products: [] }),
      "GET /api/organizations/org-1/apps/app-1/subscriptions": () => json(200, { subscriptions: [] }),
      "GET /api/organizations/org-1/certificates": pages({
        "": { certificates: [cert(1, "app-2")], nextCursor: "after-c1" },
        "after-c1": { certificates: [cert(2, "app-1"), cert(3)] },
      }),
    });
    renderApp("/organizations/org-1/apps/app-1/certificates");
    await found("app-certificates-table");
    expect(Array.from(el("app-certificates-table")!.querySelectorAll("tbody tr")).map((tr) => tr.getAttribute("data-fingerprint"))).toEqual(["2".repeat(64)]);
    const options = Array.from((await found("attach-certificate-sha256Fingerprint") as HTMLSelectElement).options).map((o) => o.value);
    expect(options).toEqual(["", "3".repeat(64)]);
    expect(calls(requests, "/api/organizations/org-1/certificates")).toEqual([
      "/api/organizations/org-1/certificates?limit=100",
      "/api/organizations/org-1/certificates?cursor=after-c1&limit=100",
    ]);
  });
});
