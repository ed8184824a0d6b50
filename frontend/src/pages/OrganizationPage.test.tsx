import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { fakeServer, json, type RecordedRequest } from "../test/fakeServer";
import { ACCOUNT } from "../test/fixtures";
import { location, renderApp } from "../test/renderApp";
import { el, found } from "../test/dom";
import { addressesOf } from "./organization/InvitationsSection";

const ORG = {
  id: "org-1",
  name: "Example TPP",
  environment: "production",
  status: "ACTIVE",
  role: "OWNER",
  code: "ABCD234567",
  contact: { firstName: "Ada", lastName: "Lovelace", email: "ada@example.com", phone: "+32 2 123 45 67" },
  services: ["AIS"],
  organizationIdentifier: "PSDBE-NBB-0123456789",
  members: 3,
  maxMembers: 10,
  createdAt: "2025-03-01T10:00:00Z",
};

const MEMBERS = [
  { userId: "u-1", email: "ada@example.com", fullName: "Ada Lovelace", role: "OWNER", joinedAt: "2025-03-01T10:00:00Z" },
  { userId: "u-2", email: "bob@example.com", fullName: "Bob Babbage", role: "ADMIN", joinedAt: "2025-03-02T10:00:00Z" },
  { userId: "u-3", email: "cy@example.com", fullName: "Cy Viewer", role: "VIEWER", joinedAt: "2025-03-03T10:00:00Z" },
];

const INVITATION = {
  id: "inv-1",
  email: "dee@example.com",
  role: "DEVELOPER",
  status: "PENDING",
  invitedBy: "ada@example.com",
  createdAt: "2025-03-04T10:00:00Z",
  expiresAt: "2099-03-11T10:00:00Z",
};

function server(role: string, more: Record<string, (req: RecordedRequest) => Response> = {}) {
  document.cookie = "devportal_csrf=c; path=/";
  const org = { ...ORG, role, ...(role === "OWNER" || role === "ADMIN" ? {} : { code: undefined }) };
  return fakeServer({
    "GET /api/account": () => json(200, ACCOUNT),
    "GET /api/organizations": () => json(200, { organizations: [org] }),
    "GET /api/organizations/org-1": () => json(200, org),
    "GET /api/organizations/org-1/members": () => json(200, { members: MEMBERS }),
    "GET /api/organizations/org-1/requests": () => json(200, { requests: [] }),
    "GET /api/organizations/org-1/audit": () =>
      role === "OWNER" || role === "ADMIN"
        ? json(200, { entries: [{ orgId: "org-1", at: "2025-03-01T10:00:00Z", actorId: "u-1", actor: "ada@example.com", action: "onboarding.submitted" }] })
        : json(403, { code: "FORBIDDEN", message: "Only the owner and administrators see the audit trail.", requestId: "r" }),
    "GET /api/organizations/org-1/invitations": () => json(200, { invitations: [INVITATION] }),
    ...more,
  });
}

describe("OrganizationPage", () => {
  it.each([
    ["ada@example.com", ["ada@example.com"]],
    ["ada@example.com, bob@example.com;carl@example.com\n dora@example.com", ["ada@example.com", "bob@example.com", "carl@example.com", "dora@example.com"]],
    ["Ada@Example.com ada@example.com", ["Ada@Example.com"]],
    ["  ", []],
  ])("reads the addresses in %j", (text, want) => {
    expect(addressesOf(text)).toEqual(want);
  });

  it("invites several addresses at once, says which were sent, and keeps the refused ones in the field", async () => {
    const { requests } = server("OWNER", {
      "POST /api/organizations/org-1/invitations": (req) => {
        const { email, role } = req.body as { email: string; role: string };
        if (email === "taken@example.com") {
          return json(409, { code: "ALREADY_MEMBER", message: "This address already belongs to a member.", requestId: "r-1" });
        }
        return json(201, { ...INVITATION, id: `inv-${email}`, email, role });
      },
    });
    const user = userEvent.setup();
    renderApp("/organizations/org-1/invitations");
    await found("invite-form");
    await user.type(el("invite-email")!, "bob@example.com, taken@example.com carl@example.com");
    await user.click(within(el("invite-form")!).getByRole("button", { name: "Send invitations" }));
    await waitFor(() => expect(el("invite-sent")!.textContent).toBe("2 invitations sent to bob@example.com, carl@example.com."));
    expect(el("invite-failures")!.textContent).toBe("One invitation was not sent:taken@example.com: This address already belongs to a member.");
    expect((el("invite-email") as HTMLInputElement).value).toBe("taken@example.com");
    // The batch's own list says what failed: no second alert for the last refusal.
    expect(el("invite-error")).toBeNull();
    expect(requests.filter((r) => r.method === "POST").map((r) => (r.body as { email: string }).email)).toEqual([
      "bob@example.com",
      "taken@example.com",
      "carl@example.com",
    ]);
  });
  it("gives the owner the code, member management, invitations, audit and settings, each change confirmed first", async () => {
    let code = "ABCD234567";
    const { requests } = server("OWNER", {
      "GET /api/organizations/org-1": () => json(200, { ...ORG, code }),
      "POST /api/organizations/org-1/code": () => {
        code = "NEWC0DE789";
        return json(200, { ...ORG, code });
      },
      "DELETE /api/organizations/org-1/members/u-3": () => new Response(null, { status: 204 }),
    });
    const user = userEvent.setup();
    renderApp("/organizations/org-1");

    expect((await found("org-code")).textContent).toBe("ABCD234567");
    expect(el("org-organizationIdentifier")!.textContent).toBe("PSDBE-NBB-0123456789");
    expect(el("org-role")!.textContent).toBe("Owner");
    // The owner has every tab; the overview is the open one, at the organization's own address.
    const tabs = within(el("org-tabs")!).getAllByRole("link");
    expect(tabs.map((a) => [a.textContent, a.getAttribute("href")])).toEqual([
      ["Overview", "/organizations/org-1"],
      ["Members", "/organizations/org-1/members"],
      ["Invitations", "/organizations/org-1/invitations"],
      ["Requests", "/organizations/org-1/requests"],
      ["Audit trail", "/organizations/org-1/audit"],
      ["Settings", "/organizations/org-1/settings"],
    ]);
    expect(tabs.map((a) => a.getAttribute("aria-current"))).toEqual(["page", null, null, null, null, null]);
    // The header switcher lists the organization.
    expect(el("org-switcher")!.textContent).toContain("Example TPP");

    // Regenerating the code: confirmation first, saying the old code stops working.
    await user.click(el("regenerate-code")!);
    const dialog = await found("regenerate-dialog");
    expect(dialog.textContent).toContain("The old code stops working");
    const posts = () => requests.filter((r) => r.method !== "GET");
    expect(posts()).toHaveLength(0);
    await user.click(el("regenerate-dialog-confirm")!);
    await waitFor(() => expect(el("org-code")!.textContent).toBe("NEWC0DE789"));
    expect(posts().map((r) => `${r.method} ${r.path}`)).toEqual(["POST /api/organizations/org-1/code"]);

    // Each tab has its address, and the page's title says which one is open.
    await user.click(el("org-tab-settings")!);
    await waitFor(() => expect(location.current).toBe("/organizations/org-1/settings"));
    expect(el("org-tab-settings")!.getAttribute("aria-current")).toBe("page");
    expect(el("org-tab-overview")!.getAttribute("aria-current")).toBeNull();
    expect(document.title).toBe("Settings · Example TPP · Open Banking Developer Portal");
    expect(el("rename-form")).not.toBeNull();
    expect(el("offboard-form")).not.toBeNull();
    expect(el("org-code")).toBeNull();
    await user.click(el("org-tab-audit")!);
    await found("audit-table");
    expect(el("rename-form")).toBeNull();

    // The owner's own row and role cannot be changed; the others can.
    await user.click(el("org-tab-members")!);
    await found("members-table");
    expect(el("owner-form")).not.toBeNull();
    expect(el("leave-organization")).toBeNull();
    expect(el("member-role-u-1")).toBeNull();
    expect(el("member-remove-u-1")).toBeNull();
    expect((el("member-role-u-2") as HTMLSelectElement).value).toBe("ADMIN");

    await user.click(el("member-remove-u-3")!);
    await found("remove-dialog");
    expect(el("remove-dialog-title")!.textContent).toBe("Remove Cy Viewer?");
    await user.click(el("remove-dialog-confirm")!);
    await waitFor(() => expect(el("members-status")!.textContent).toBe("Cy Viewer was removed from Example TPP."));
    expect(posts().at(-1)!.method).toBe("DELETE");
    expect(posts().at(-1)!.path).toBe("/api/organizations/org-1/members/u-3");

    // Invitations: a table with resend and revoke.
    await user.click(el("org-tab-invitations")!);
    const row = within(await found("invitations-table")).getByText("dee@example.com").closest("tr")!;
    expect(within(row).getByText("Pending")).toBeTruthy();
    expect(el("invitation-resend-inv-1")).not.toBeNull();
    expect(el("invitation-revoke-inv-1")).not.toBeNull();
  });

  it("changes a role with PATCH and shows the server's error verbatim", async () => {
    const { requests } = server("ADMIN", {
      "PATCH /api/organizations/org-1/members/u-3": () =>
        json(409, { code: "ORGANIZATION_FULL", message: "Something the server says.", requestId: "r-1" }),
    });
    const user = userEvent.setup();
    renderApp("/organizations/org-1/members");
    await found("members-table");
    // An administrator does not manage the owner; their settings are the certificates' renewal.
    expect(el("member-role-u-1")).toBeNull();
    expect(el("owner-form")).toBeNull();
    expect(el("org-tab-settings")).not.toBeNull();
    expect(el("leave-organization")).not.toBeNull();

    await user.selectOptions(el("member-role-u-3")!, "DEVELOPER");
    await user.click(el("member-role-save-u-3")!);
    const alert = await found("members-error");
    expect(alert.querySelector(".alert-message")!.textContent).toBe("Something the server says.");
    await waitFor(() => expect(document.activeElement).toBe(alert));
    const patch = requests.find((r) => r.method === "PATCH")!;
    expect(patch.body).toEqual({ role: "DEVELOPER" });
  });

  it("shows viewers a read-only organization and lets them leave after confirming", async () => {
    const { requests } = server("VIEWER", {
      "POST /api/organizations/org-1/leave": () => new Response(null, { status: 204 }),
    });
    const user = userEvent.setup();
    renderApp("/organizations/org-1");
    await found("org-tabs");
    expect(el("org-code")).toBeNull();
    expect(within(el("org-tabs")!).getAllByRole("link").map((a) => a.textContent)).toEqual(["Overview", "Members", "Requests"]);
    await user.click(el("org-tab-members")!);
    await found("members-table");
    expect(el("member-role-u-2")).toBeNull();
    expect(el("member-remove-u-2")).toBeNull();
    expect(requests.some((r) => r.path.endsWith("/audit") || r.path.endsWith("/invitations"))).toBe(false);

    await user.click(el("leave-organization")!);
    await found("leave-dialog");
    expect(requests.some((r) => r.method === "POST")).toBe(false);
    await user.click(el("leave-dialog-confirm")!);
    await waitFor(() => expect(location.current).toBe("/organizations"));
    expect((await found("orgs-notice")).textContent).toBe("You left Example TPP.");
  });

  it("asks for offboarding with the confirmation box and a dialog", async () => {
    const { requests } = server("OWNER", {
      "POST /api/organizations/org-1/offboarding": () => json(202, { id: "rq-9", status: "PENDING" }),
    });
    const user = userEvent.setup();
    renderApp("/organizations/org-1/settings");
    await found("offboard-form");
    expect(screen.getByLabelText(/I understand this cannot be undone/)).toBe(el("offboard-confirm"));
    await user.type(el("offboard-reason")!, "We are closing down.");
    await user.click(el("offboard-confirm")!);
    await user.click(screen.getByRole("button", { name: "Request offboarding" }));
    await found("offboard-dialog");
    expect(requests.some((r) => r.method === "POST")).toBe(false);
    await user.click(el("offboard-dialog-confirm")!);
    await found("offboard-submitted");
    const post = requests.find((r) => r.method === "POST")!;
    expect(post.path).toBe("/api/organizations/org-1/offboarding");
    expect(post.body).toEqual({ reason: "We are closing down.", confirm: true });
  });

  it.each([
    ["/organizations/org-1#members", "/organizations/org-1/members", "members-table"],
    ["/organizations/org-1/overview", "/organizations/org-1", "org-code"],
  ])("leads %s, a section's older address, to %s", async (from, to, shown) => {
    server("OWNER");
    renderApp(from);
    await found(shown);
    expect(location.current).toBe(to);
  });

  it.each([
    ["VIEWER", "audit", "Only the owner and administrators see the audit trail."],
    ["DEVELOPER", "invitations", "Only the owner and administrators invite people to the organization."],
    ["DEVELOPER", "settings", "Only the owner and administrators renew the organization's certificates; only the owner renames it or asks to offboard it."],
    ["OWNER", "billing", "This organization has no such section: choose one of the tabs above."],
  ])("tells a %s why the tab %s is not there", async (role, tab, message) => {
    const { requests } = server(role);
    renderApp(`/organizations/org-1/${tab}`);
    expect((await found("org-tab-missing")).textContent).toBe(message);
    expect(el("org-tabs")!.querySelector('[aria-current="page"]')).toBeNull();
    expect(requests.some((r) => r.path.endsWith(`/${tab}`))).toBe(false);
  });

  it("says an organization the user is not a member of does not exist", async () => {
    server("OWNER", {
      "GET /api/organizations/org-1": () =>
        json(404, { code: "NOT_FOUND", message: "There is no such organization, or you are not a member of it.", requestId: "r" }),
    });
    renderApp("/organizations/org-1");
    const panel = await found("org-error");
    expect(panel.textContent).toContain("There is no such organization, or you are not a member of it.");
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Organization not found");
  });
});
