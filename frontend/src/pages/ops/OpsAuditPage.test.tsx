import userEvent from "@testing-library/user-event";
import { waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { fakeServer, json } from "../../test/fakeServer";
import { OPS_ACCOUNT } from "../../test/fixtures";
import { location, renderApp } from "../../test/renderApp";
import { el, found } from "../../test/dom";
import { auditQuery } from "./OpsAuditPage";

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

type Entry = (typeof ENTRIES)[number];

/** The server's filters, as the API applies them (the dates as instants). */
function serverFilter(path: string, entries: Entry[]): Entry[] {
  const q = new URL(path, "http://x").searchParams;
  return entries.filter(
    (e) =>
      (!q.get("organizationId") || e.orgId === q.get("organizationId")) &&
      (!q.get("actor") || e.actor.includes(q.get("actor")!.toLowerCase())) &&
      (!q.get("action") || e.action === q.get("action")) &&
      (!q.get("from") || e.at >= q.get("from")!) &&
      (!q.get("to") || e.at < q.get("to")!),
  );
}

function server(entries: Entry[] = ENTRIES) {
  return fakeServer({
    "GET /api/account": () => json(200, OPS_ACCOUNT),
    "GET /api/organizations": () => json(200, { organizations: [] }),
    "GET /api/ops/audit": (req) => json(200, { entries: serverFilter(req.path, entries) }),
    "GET /api/ops/organizations": () => json(200, { organizations: ORGS }),
  });
}

/** The audit trail's requests, by their query. */
const auditRequests = (requests: { path: string }[]) => requests.filter((r) => r.path.startsWith("/api/ops/audit")).map((r) => r.path);

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

  it("asks the server for the events of the organization, actor, action and dates chosen, keeping the filters in the address", async () => {
    const { requests } = server();
    const user = userEvent.setup();
    renderApp("/ops/audit");
    await found("ops-audit-table");
    await waitFor(() => expect(el("ops-audit-org")!.textContent).toContain("Alpha TPP"));

    await user.selectOptions(el("ops-audit-org")!, "org-1");
    await waitFor(() =>
      expect(rows()).toEqual(["Alpha TPP bob@example.com member.removed", "Alpha TPP ada@example.com invitation.sent", "Alpha TPP ada@example.com onboarding.submitted"]),
    );
    expect(location.current).toBe("/ops/audit?org=org-1");
    expect(el("ops-audit-count")!.textContent).toBe("3 events match the filters.");

    await user.type(el("ops-audit-actor")!, "ADA@");
    await waitFor(() => expect(rows()).toEqual(["Alpha TPP ada@example.com invitation.sent", "Alpha TPP ada@example.com onboarding.submitted"]));

    await user.selectOptions(el("ops-audit-action")!, "invitation.sent");
    await waitFor(() => expect(rows()).toEqual(["Alpha TPP ada@example.com invitation.sent"]));
    expect(location.current).toBe("/ops/audit?org=org-1&actor=ADA%40&action=invitation.sent");
    expect(auditRequests(requests).at(-1)).toBe("/api/ops/audit?organizationId=org-1&actor=ADA%40&action=invitation.sent");

    await user.click(el("ops-audit-clear")!);
    expect(location.current).toBe("/ops/audit");
    await waitFor(() => expect(rows()).toHaveLength(5));

    await user.type(el("ops-audit-from")!, "2026-03-02");
    await user.type(el("ops-audit-to")!, "2026-03-04");
    await waitFor(() =>
      expect(rows()).toEqual(["Alpha TPP bob@example.com member.removed", "Beta Pay ops@bank.example onboarding.approved", "Alpha TPP ada@example.com invitation.sent"]),
    );
    const q = new URLSearchParams({ from: new Date(2026, 2, 2).toISOString(), to: new Date(2026, 2, 5).toISOString() });
    expect(auditRequests(requests).at(-1)).toBe(`/api/ops/audit?${q}`);
  });

  it("opens with the filters of a shared address, and says when none matches", async () => {
    const { requests } = server();
    renderApp("/ops/audit?org=org-2&action=member.removed");
    expect((await found("ops-audit-empty")).textContent).toBe("No event matches these filters.");
    expect(el("ops-audit-count")!.textContent).toBe("0 events match the filters.");
    expect((el("ops-audit-action") as HTMLSelectElement).value).toBe("member.removed");
    expect(auditRequests(requests)).toEqual(["/api/ops/audit?organizationId=org-2&action=member.removed"]);
  });

  it("refuses an end date before the start date next to the field, and asks the server nothing", async () => {
    const { requests } = server();
    renderApp("/ops/audit?from=2026-03-04&to=2026-03-02");
    expect((await found("ops-audit-to-error")).textContent).toBe("Choose an end date on or after the start date.");
    expect(el("ops-audit-to")!.getAttribute("aria-invalid")).toBe("true");
    expect(el("ops-audit-table")).toBeNull();
    expect(auditRequests(requests)).toEqual([]);
  });

  it("loads older matching events a page at a time, with the same filters", async () => {
    const { requests } = fakeServer({
      "GET /api/account": () => json(200, OPS_ACCOUNT),
      "GET /api/organizations": () => json(200, { organizations: [] }),
      "GET /api/ops/audit": (req) =>
        req.path.includes("cursor=c-2") ? json(200, { entries: ENTRIES.slice(4) }) : json(200, { entries: ENTRIES.slice(3, 4), nextCursor: "c-2" }),
      "GET /api/ops/organizations": () => json(200, { organizations: ORGS }),
    });
    const user = userEvent.setup();
    renderApp("/ops/audit?actor=ada");
    await waitFor(() => expect(rows()).toEqual(["Alpha TPP ada@example.com invitation.sent"]));
    expect(el("ops-audit-count")!.textContent).toBe("1 event matches the filters. Older events are not loaded yet: load them to look further back.");
    await user.click(el("ops-audit-more")!);
    await waitFor(() => expect(rows()).toEqual(["Alpha TPP ada@example.com invitation.sent", "Alpha TPP ada@example.com onboarding.submitted"]));
    expect(el("ops-audit-count")!.textContent).toBe("2 events match the filters.");
    expect(el("ops-audit-more")).toBeNull();
    expect(auditRequests(requests)).toEqual(["/api/ops/audit?actor=ada", "/api/ops/audit?actor=ada&cursor=c-2"]);
  });

  it("says when nothing is recorded yet", async () => {
    server([]);
    renderApp("/ops/audit");
    expect((await found("ops-audit-empty")).textContent).toBe("Nothing recorded yet.");
  });

  it("asks for whole days in the viewer's time zone, both ends included", () => {
    expect(auditQuery({ org: "", actor: " ada ", action: "", from: "2026-03-05", to: "2026-03-06" })).toEqual({
      actor: "ada",
      from: new Date(2026, 2, 5).toISOString(),
      to: new Date(2026, 2, 7).toISOString(),
    });
    expect(auditQuery({ org: "org-1", actor: "", action: "x", from: "", to: "" }, "c-1")).toEqual({ organizationId: "org-1", action: "x", cursor: "c-1" });
  });
});
