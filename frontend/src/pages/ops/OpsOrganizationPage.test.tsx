import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { fakeServer, json } from "../../test/fakeServer";
import { OPS_ACCOUNT } from "../../test/fixtures";
import { renderApp } from "../../test/renderApp";
import { el, found } from "../../test/dom";

const ORG = {
  id: "org-1",
  name: "Example TPP",
  environment: "sandbox",
  status: "ACTIVE",
  contact: { firstName: "Ada", lastName: "Lovelace", email: "ada@example.com", phone: "+32 2 123 45 67" },
  services: ["AIS"],
  organizationIdentifier: "PSDBE-NBB-0123456789",
  members: 2,
  maxMembers: 10,
  createdAt: "2025-03-01T10:00:00Z",
};
const ADA = { userId: "u-1", email: "ada@example.com", fullName: "Ada Lovelace", role: "OWNER", joinedAt: "2025-03-01T10:00:00Z" };
// An operations user who is also a member of the organization cannot reset their own.
const SELF = { userId: OPS_ACCOUNT.userId, email: OPS_ACCOUNT.email, fullName: OPS_ACCOUNT.fullName, role: "VIEWER", joinedAt: "2025-03-02T10:00:00Z" };
const request = (n: number) => ({
  id: `rq-${n}`,
  kind: "RENAME",
  organizationId: "org-1",
  organizationName: "Example TPP",
  requesterId: "u-1",
  requesterEmail: "ada@example.com",
  status: "APPROVED",
  summary: `Rename ${n}`,
  form: {},
  createdAt: `2025-03-0${n}T10:00:00Z`,
  history: [],
});
const stale = { code: "REAUTHENTICATION_REQUIRED", message: "Confirm your password to do this.", requestId: "r1" };

function server() {
  document.cookie = "devportal_csrf=c; path=/";
  let confirmed = false;
  return fakeServer({
    "GET /api/account": () => json(200, OPS_ACCOUNT),
    "GET /api/organizations": () => json(200, { organizations: [] }),
    "GET /api/ops/organizations/org-1": () => json(200, { organization: ORG, members: [ADA, SELF], requests: [request(2)], requestsNextCursor: "after-2", apps: [] }),
    "GET /api/ops/organizations/org-1/requests": (req) => {
      const cursor = new URL(req.path, "http://x").searchParams.get("cursor");
      return json(200, cursor === "after-2" ? { requests: [request(1)] } : { requests: [request(2)], nextCursor: "after-2" });
    },
    "POST /api/ops/organizations/org-1/members/u-1/mfa-reset": () =>
      confirmed ? json(200, { userId: "u-1", email: "ada@example.com", at: "2025-03-05T10:00:00Z" }) : json(403, stale),
    "POST /api/auth/confirm-password": () => {
      confirmed = true;
      return json(200, { message: "Password confirmed." });
    },
  });
}

describe("OpsOrganizationPage", () => {
  it("resets a member's two-step sign-in after a confirmation and the password, never the operations user's own", async () => {
    const { requests } = server();
    const user = userEvent.setup();
    renderApp("/ops/organizations/org-1");
    await found("ops-members-table");
    expect(el(`mfa-reset-${OPS_ACCOUNT.userId}`)).toBeNull();

    await user.click(el("mfa-reset-u-1")!);
    expect((await found("mfa-reset-dialog-title")).textContent).toBe("Reset the two-step sign-in of Ada Lovelace?");
    expect(requests.filter((r) => r.method === "POST")).toHaveLength(0);
    await user.click(el("mfa-reset-dialog-confirm")!);

    await screen.findByRole("dialog", { name: "Confirm your password" });
    await user.type(document.getElementById("reauth-password") as HTMLInputElement, "Operations#2026");
    await user.click(screen.getByRole("button", { name: "Confirm and continue" }));

    await waitFor(() =>
      expect(el("mfa-reset-status")!.textContent).toBe("Two-step sign-in of Ada Lovelace is off: they were signed out everywhere and told by email."),
    );
    expect(requests.filter((r) => r.method === "POST").map((r) => r.path)).toEqual([
      "/api/ops/organizations/org-1/members/u-1/mfa-reset",
      "/api/auth/confirm-password",
      "/api/ops/organizations/org-1/members/u-1/mfa-reset",
    ]);
  });

  it("pages through the organization's requests, the second request carrying the cursor", async () => {
    const { requests } = server();
    const user = userEvent.setup();
    renderApp("/ops/organizations/org-1");
    await found("ops-org-requests-more");
    const ids = () => Array.from(document.querySelectorAll("#ops-org-requests a")).map((a) => a.getAttribute("href"));
    expect(ids()).toEqual(["/ops/requests/rq-2"]);
    await user.click(el("ops-org-requests-more")!);
    await waitFor(() => expect(ids()).toEqual(["/ops/requests/rq-2", "/ops/requests/rq-1"]));
    expect(el("ops-org-requests-count")!.textContent).toBe("All 2 requests shown.");
    expect(requests.filter((r) => r.path.startsWith("/api/ops/organizations/org-1/requests")).map((r) => r.path)).toEqual([
      "/api/ops/organizations/org-1/requests",
      "/api/ops/organizations/org-1/requests?cursor=after-2",
    ]);
  });
});
