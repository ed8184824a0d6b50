import userEvent from "@testing-library/user-event";
import { waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { fakeServer, json } from "../../test/fakeServer";
import { OPS_ACCOUNT } from "../../test/fixtures";
import { location, renderApp } from "../../test/renderApp";
import { el, found } from "../../test/dom";
import { matches } from "./OpsAuditPage";

// Noon UTC, so every event falls on its date in any time zone from UTC-11 to UTC+11.
const entry = (orgId: string, day: string, actor: string, action: string, more: Record<string, unknown> = {}) => ({
  orgId,
  at: `2026-03-${day}T12:00:00Z`,
  actorId: "u",
  actor,
  action,
  ...more,
});

const ENTRIES = [
  entry("org-2", "05", "ops@bank.example", "rename.approved", { requestId: "rq-7", details: { name: "Beta Pay" } }),
  entry("org-1", "04", "bob@example.com", "member.removed"),
  entry("org-2", "03", "ops@bank.example", "onboarding.approved"),
  entry("org-1", "02", "ada@example.com", "invitation.sent", { details: { email: "cy@example.com" } }),
  entry("org-1", "01", "ada@example.com", "onboarding.submitted"),
];

const ORGS = [
  { id: "org-1", name: "Alpha TPP", environment: "sandbox", status: "ACTIVE", members: 2, createdAt: "2026-03-01T10:00:00Z", organizationIdentifier: "PSDBE-NBB-1" },
  { id: "org-2", name: "Beta Pay", environment: "production", status: "ACTIVE", members: 1, createdAt: "2026-03-03T10:00:00Z", organizationIdentifier: "PSDBE-NBB-2" },
];

function server(entries: unknown[] = ENTRIES) {
  return fakeServer({
    "GET /api/account": () => json(200, OPS_ACCOUNT),
    "GET /api/organizations": () => json(200, { organizations: [] }),
    "GET /api/ops/audit": () => json(200, { entries }),
    "GET /api/ops/organizations": () => json(200, { organizations: ORGS }),
  });
}

const rows = () =>
  Array.from(document.querySelectorAll("#ops-audit-table tbody tr")).map((tr) => `${tr.children[1].textContent} ${tr.children[2].textContent} ${tr.children[3].textContent}`);

describe("OpsAuditPage", () => {
  it("lists every organization's events with the organization's name, and links each to its organization and request", async () => {
    server();
    renderApp("/ops/audit");
    await found("ops-audit-table");
    await waitFor(() => expect(rows()[0]).toBe("Beta Pay ops@bank.example rename.approved"));
    expect(rows()).toEqual([
      "Beta Pay ops@bank.example rename.approved",
      "Alpha TPP bob@example.com member.removed",
      "Beta Pay ops@bank.example onboarding.approved",
      "Alpha TPP ada@example.com invitation.sent",
      "Alpha TPP ada@example.com onboarding.submitted",
    ]);
    expect(el("ops-audit-count")!.textContent).toBe("5 events.");
    const first = document.querySelector("#ops-audit-table tbody tr")!;
    expect(Array.from(first.querySelectorAll("a")).map((a) => a.getAttribute("href"))).toEqual(["/ops/organizations/org-2", "/ops/requests/rq-7"]);
    expect(first.textContent).toContain("name: Beta Pay");
    expect(el("ops-tab-audit")!.getAttribute("aria-current")).toBe("page");
    // The actions and organizations to choose from are those of the events.
    expect(Array.from((el("ops-audit-action") as HTMLSelectElement).options).map((o) => o.value)).toEqual([
      "",
      "invitation.sent",
      "member.removed",
      "onboarding.approved",
      "onboarding.submitted",
      "rename.approved",
    ]);
    expect(Array.from((el("ops-audit-org") as HTMLSelectElement).options).map((o) => o.textContent)).toEqual(["Every organization", "Alpha TPP", "Beta Pay"]);
  });

  it("filters by organization, actor, action and dates, keeping the filters in the address", async () => {
    server();
    const user = userEvent.setup();
    renderApp("/ops/audit");
    await found("ops-audit-table");
    await waitFor(() => expect(el("ops-audit-org")!.textContent).toContain("Alpha TPP"));

    await user.selectOptions(el("ops-audit-org")!, "org-1");
    expect(rows()).toEqual(["Alpha TPP bob@example.com member.removed", "Alpha TPP ada@example.com invitation.sent", "Alpha TPP ada@example.com onboarding.submitted"]);
    expect(location.current).toBe("/ops/audit?org=org-1");
    expect(el("ops-audit-count")!.textContent).toBe("3 of 5 events match.");

    await user.type(el("ops-audit-actor")!, "ADA@");
    expect(rows()).toEqual(["Alpha TPP ada@example.com invitation.sent", "Alpha TPP ada@example.com onboarding.submitted"]);

    await user.selectOptions(el("ops-audit-action")!, "invitation.sent");
    expect(rows()).toEqual(["Alpha TPP ada@example.com invitation.sent"]);
    expect(location.current).toBe("/ops/audit?org=org-1&actor=ADA%40&action=invitation.sent");

    await user.click(el("ops-audit-clear")!);
    expect(location.current).toBe("/ops/audit");
    expect(rows()).toHaveLength(5);

    await user.type(el("ops-audit-from")!, "2026-03-02");
    await user.type(el("ops-audit-to")!, "2026-03-04");
    expect(rows()).toEqual(["Alpha TPP bob@example.com member.removed", "Beta Pay ops@bank.example onboarding.approved", "Alpha TPP ada@example.com invitation.sent"]);
  });

  it("opens with the filters of a shared address, and says when none matches", async () => {
    server();
    renderApp("/ops/audit?org=org-2&action=member.removed");
    expect((await found("ops-audit-empty")).textContent).toBe("No event matches these filters.");
    expect(el("ops-audit-count")!.textContent).toBe("0 of 5 events match.");
    expect((el("ops-audit-action") as HTMLSelectElement).value).toBe("member.removed");
  });

  it("refuses an end date before the start date next to the field", async () => {
    server();
    renderApp("/ops/audit?from=2026-03-04&to=2026-03-02");
    expect((await found("ops-audit-to-error")).textContent).toBe("Choose an end date on or after the start date.");
    expect(el("ops-audit-to")!.getAttribute("aria-invalid")).toBe("true");
    expect(el("ops-audit-table")).toBeNull();
  });

  it("loads older events a page at a time, and filters them with the rest", async () => {
    const { requests } = fakeServer({
      "GET /api/account": () => json(200, OPS_ACCOUNT),
      "GET /api/organizations": () => json(200, { organizations: [] }),
      "GET /api/ops/audit": (req) =>
        req.path.includes("cursor=c-2") ? json(200, { entries: ENTRIES.slice(3) }) : json(200, { entries: ENTRIES.slice(0, 3), nextCursor: "c-2" }),
      "GET /api/ops/organizations": () => json(200, { organizations: ORGS }),
    });
    const user = userEvent.setup();
    renderApp("/ops/audit?actor=ada");
    expect((await found("ops-audit-empty")).textContent).toBe("No event matches these filters.");
    expect(el("ops-audit-count")!.textContent).toBe("0 of 3 events match. Older events are not loaded yet: load them to look further back.");
    await user.click(el("ops-audit-more")!);
    await waitFor(() => expect(rows()).toEqual(["Alpha TPP ada@example.com invitation.sent", "Alpha TPP ada@example.com onboarding.submitted"]));
    expect(el("ops-audit-count")!.textContent).toBe("2 of 5 events match.");
    expect(el("ops-audit-more")).toBeNull();
    expect(requests.filter((r) => r.path.startsWith("/api/ops/audit")).map((r) => r.path)).toEqual(["/api/ops/audit", "/api/ops/audit?cursor=c-2"]);
  });

  it("says when nothing is recorded yet", async () => {
    server([]);
    renderApp("/ops/audit");
    expect((await found("ops-audit-empty")).textContent).toBe("Nothing recorded yet.");
  });

  it.each([
    [{ from: "2026-03-05", to: "" }, true],
    [{ from: "2026-03-06", to: "" }, false],
    [{ from: "", to: "2026-03-05" }, true],
    [{ from: "", to: "2026-03-04" }, false],
  ])("counts whole days, both ends included: %j → %s", (range, want) => {
    const e = { ...entry("org-1", "05", "ada@example.com", "x"), at: new Date(2026, 2, 5, 23, 59).toISOString() };
    expect(matches(e, { org: "", actor: "", action: "", ...range })).toBe(want);
  });
});
