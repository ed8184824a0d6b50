import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { fakeServer, json } from "../test/fakeServer";
import { ACCOUNT, OPS_ACCOUNT } from "../test/fixtures";
import { location, renderApp } from "../test/renderApp";
import { el, found } from "../test/dom";

const org = (id: string, name: string, extra: object = {}) => ({
  id,
  name,
  environment: "sandbox",
  status: "ACTIVE",
  role: "DEVELOPER",
  contact: { firstName: "A", lastName: "B", email: "a@example.com", phone: "1" },
  services: ["AIS"],
  organizationIdentifier: "PSDBE-NBB-1",
  members: 2,
  maxMembers: 10,
  createdAt: "2025-03-01T10:00:00Z",
  ...extra,
});

describe("Organizations list, switcher and join", () => {
  it("lists my organizations, remembers the switcher's choice and joins with a code", async () => {
    window.localStorage.clear();
    document.cookie = "devportal_csrf=c; path=/";
    let orgs = [org("o-1", "Alpha Pay"), org("o-2", "Beta Data", { environment: "production", status: "PENDING_APPROVAL", role: "OWNER" })];
    const { requests } = fakeServer({
      "GET /api/account": () => json(200, OPS_ACCOUNT),
      "GET /api/organizations": () => json(200, { organizations: orgs }),
      "POST /api/organizations/join": (req) => {
        const code = (req.body as { code: string }).code;
        if (code !== "GOODCODE22") {
          return json(400, { code: "VALIDATION_FAILED", message: "Some fields need attention.", fields: [{ field: "code", rule: "unknown", message: "No organization has this code." }], requestId: "r" });
        }
        orgs = [...orgs, org("o-3", "Gamma")];
        return json(200, org("o-3", "Gamma"));
      },
      "GET /api/organizations/o-2": () => json(200, orgs[1]),
      "GET /api/organizations/o-2/members": () => json(200, { members: [] }),
      "GET /api/organizations/o-2/requests": () => json(200, { requests: [] }),
      "GET /api/organizations/o-2/audit": () => json(200, { entries: [] }),
      "GET /api/organizations/o-3": () => json(200, orgs[2]),
      "GET /api/organizations/o-3/members": () => json(200, { members: [] }),
      "GET /api/organizations/o-3/requests": () => json(200, { requests: [] }),
    });
    const user = userEvent.setup();
    renderApp("/organizations");

    const list = await found("orgs-list");
    expect(within(list).getAllByRole("heading", { level: 3 }).map((h) => h.textContent)).toEqual(["Alpha Pay", "Beta Data"]);
    expect(within(list).getByText("Pending approval")).toBeTruthy();
    expect(screen.getByRole("link", { name: "Onboard your organization" }).getAttribute("href")).toBe("/organizations/onboard");
    expect(screen.getByRole("link", { name: "Operations" }).getAttribute("href")).toBe("/ops");

    // The switcher: a button opening links; the status shows when not active.
    const button = el("org-switcher")!;
    expect(button.getAttribute("aria-expanded")).toBe("false");
    await user.click(button);
    expect(button.getAttribute("aria-expanded")).toBe("true");
    const menu = el("org-switcher-menu")!;
    const beta = within(menu).getByRole("link", { name: /Beta Data/ });
    expect(beta.textContent).toContain("production");
    expect(beta.textContent).toContain("Pending approval");
    await user.click(beta);
    await waitFor(() => expect(location.current).toBe("/organizations/o-2"));
    expect(window.localStorage.getItem("devportal.organization")).toBe("o-2");
    await waitFor(() => expect(el("org-switcher")!.textContent).toContain("Beta Data"));
    // A long name is cut in the header; the title keeps it whole.
    expect(el("org-switcher")!.getAttribute("title")).toBe("Beta Data");

    // Join with a code: a field error first, then the organization.
    await user.click(screen.getByRole("link", { name: "Organizations" }));
    await user.type(await found("join-code"), "nope");
    await user.click(screen.getByRole("button", { name: "Join organization" }));
    expect((await found("join-code-error")).textContent).toBe("No organization has this code.");
    expect(el("join-code")!.getAttribute("aria-invalid")).toBe("true");
    await user.clear(el("join-code")!);
    await user.type(el("join-code")!, "GOODCODE22");
    await user.click(screen.getByRole("button", { name: "Join organization" }));
    await waitFor(() => expect(location.current).toBe("/organizations/o-3"));
    expect((await found("org-notice")).textContent).toBe("You joined Gamma as App Developer.");
    expect(requests.filter((r) => r.path === "/api/organizations/join").map((r) => r.body)).toEqual([{ code: "nope" }, { code: "GOODCODE22" }]);
  });

  it("hides the Operations link and the switcher from users without them", async () => {
    fakeServer({
      "GET /api/account": () => json(200, ACCOUNT),
      "GET /api/organizations": () => json(200, { organizations: [] }),
    });
    renderApp("/organizations");
    await found("orgs-empty");
    expect(screen.queryByRole("link", { name: "Operations" })).toBeNull();
    expect(el("org-switcher")).toBeNull();
  });
});
