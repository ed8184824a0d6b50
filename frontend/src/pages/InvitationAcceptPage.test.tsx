import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { fakeServer, json, type RecordedRequest } from "../test/fakeServer";
import { ACCOUNT } from "../test/fixtures";
import { location, renderApp } from "../test/renderApp";
import { el, found } from "../test/dom";

const PREVIEW = { organizationName: "Example TPP", role: "DEVELOPER", email: "ada@example.com", status: "PENDING", expiresAt: "2099-03-11T10:00:00Z" };
const ORG = {
  id: "org-1",
  name: "Example TPP",
  environment: "sandbox",
  status: "ACTIVE",
  role: "DEVELOPER",
  contact: { firstName: "Ada", lastName: "Lovelace", email: "ada@example.com", phone: "1" },
  services: ["AIS"],
  organizationIdentifier: "PSDBE-NBB-0123456789",
  members: 2,
  maxMembers: 10,
  createdAt: "2025-03-01T10:00:00Z",
};

// The lookup answers by the token in the body (a Response can be read once: one per call).
const lookup = (answers: Record<string, () => Response>) => (req: RecordedRequest) =>
  answers[(req.body as { token: string }).token]?.() ?? json(404, { code: "INVITATION_INVALID", message: "This invitation link is not valid.", requestId: "r-404" });

describe("InvitationAcceptPage", () => {
  beforeEach(() => window.sessionStorage.clear());

  it("sends a signed-out visitor to sign in or sign up and back here", async () => {
    fakeServer({
      "GET /api/account": () => json(401, { code: "UNAUTHENTICATED", message: "Please sign in.", requestId: "r" }),
      "POST /api/invitations/lookup": lookup({ "tok-1": () => json(200, PREVIEW) }),
    });
    renderApp("/invitations/accept#token=tok-1");
    await found("invitation-signin");
    expect(el("invitation-organization")!.textContent).toBe("Example TPP");
    expect(el("invitation-role")!.textContent).toContain("Developer");
    expect(el("invitation-status")!.textContent).toBe("Pending");
    expect(el("accept-invitation")).toBeNull();
    // The way back names the page only: the token stays out of every URL.
    const next = encodeURIComponent("/invitations/accept");
    expect(el("invitation-login")!.getAttribute("href")).toBe(`/login?next=${next}`);
    expect(el("invitation-signup")!.getAttribute("href")).toBe(`/signup?next=${next}&email=ada%40example.com`);
  });

  it("prefills the sign-up form with the invited address", async () => {
    fakeServer({
      "GET /api/account": () => json(401, { code: "UNAUTHENTICATED", message: "Please sign in.", requestId: "r" }),
      "GET /api/auth/password-policy": () => json(200, {}),
    });
    renderApp(`/signup?next=${encodeURIComponent("/invitations/accept")}&email=ada%40example.com`);
    expect(((await found("signup-email")) as HTMLInputElement).value).toBe("ada@example.com");
    expect((el("signup-fullName") as HTMLInputElement).value).toBe("");
  });

  it("accepts the invitation when signed in and opens the organization", async () => {
    document.cookie = "devportal_csrf=c; path=/";
    const { requests } = fakeServer({
      "GET /api/account": () => json(200, ACCOUNT),
      "GET /api/organizations": () => json(200, { organizations: [] }),
      "POST /api/invitations/lookup": lookup({ "tok-1": () => json(200, PREVIEW) }),
      "POST /api/invitations/accept": () => json(200, ORG),
      "GET /api/organizations/org-1": () => json(200, ORG),
      "GET /api/organizations/org-1/members": () => json(200, { members: [] }),
      "GET /api/organizations/org-1/requests": () => json(200, { requests: [] }),
    });
    const user = userEvent.setup();
    renderApp("/invitations/accept#token=tok-1");
    await user.click(await found("accept-invitation"));
    await waitFor(() => expect(location.current).toBe("/organizations/org-1"));
    expect((await found("org-notice")).textContent).toBe("You joined Example TPP as App Developer.");
    expect(requests.filter((r) => r.path === "/api/invitations/accept").map((r) => r.body)).toEqual([{ token: "tok-1" }]);
    expect(requests.every((r) => !r.path.includes("tok-1"))).toBe(true);
    expect(window.sessionStorage.length).toBe(0);
  });

  it("shows an unknown or expired invitation's error verbatim", async () => {
    fakeServer({
      "GET /api/account": () => json(401, { code: "UNAUTHENTICATED", message: "Please sign in.", requestId: "r" }),
      "POST /api/invitations/lookup": lookup({ "tok-x": () => json(410, { code: "INVITATION_EXPIRED", message: "This invitation has expired.", requestId: "r-2" }) }),
    });
    renderApp("/invitations/accept#token=tok-x");
    const panel = await found("invitation-error");
    expect(panel.textContent).toContain("This invitation has expired.");
    expect(screen.queryByRole("button", { name: "Accept invitation" })).toBeNull();
  });

  it("comes back to the invitation after signing in, with the token kept out of the URL", async () => {
    fakeServer({
      "GET /api/account": () => json(401, { code: "UNAUTHENTICATED", message: "Please sign in.", requestId: "r" }),
      "POST /api/invitations/lookup": lookup({ "tok-1": () => json(200, PREVIEW) }),
    });
    const first = renderApp("/invitations/accept#token=tok-1");
    await found("invitation-signin");
    first.unmount();
    // Signing in returns to the bare path; the tab still knows the invitation.
    renderApp("/invitations/accept");
    expect((await found("invitation-organization")).textContent).toBe("Example TPP");
  });

  it("still opens a link that carries its token in the query string", async () => {
    fakeServer({
      "GET /api/account": () => json(401, { code: "UNAUTHENTICATED", message: "Please sign in.", requestId: "r" }),
      "POST /api/invitations/lookup": lookup({ "tok-1": () => json(200, PREVIEW) }),
    });
    renderApp("/invitations/accept?token=tok-1");
    expect((await found("invitation-organization")).textContent).toBe("Example TPP");
  });

  it("says so when the link has no invitation in it", async () => {
    fakeServer({ "GET /api/account": () => json(401, { code: "UNAUTHENTICATED", message: "Please sign in.", requestId: "r" }) });
    renderApp("/invitations/accept");
    expect((await found("invitation-error")).textContent).toContain("This link has no invitation in it.");
  });
});
