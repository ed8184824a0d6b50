import userEvent from "@testing-library/user-event";
import { waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { fakeServer, json } from "../../test/fakeServer";
import { OPS_ACCOUNT } from "../../test/fixtures";
import { location, renderApp } from "../../test/renderApp";
import { el, found } from "../../test/dom";

const request = (id: string, kind: string, organizationName: string, environment?: string) => ({
  id,
  kind,
  organizationId: `org-${id}`,
  organizationName,
  ...(environment ? { environment } : {}),
  requesterId: "u-1",
  requesterEmail: "ada@example.com",
  status: "PENDING",
  summary: `${kind} of ${organizationName}`,
  form: {},
  createdAt: "2099-01-01T10:00:00Z",
  expiresAt: "2099-01-15T10:00:00Z",
  history: [],
  step: 0,
});

const REQUESTS = [
  request("rq-1", "ONBOARDING", "Example TPP", "sandbox"),
  request("rq-2", "ONBOARDING", "Example TPP", "production"),
  request("rq-3", "GO_LIVE", "Example TPP", "production"),
  request("rq-4", "RENAME", "Old Corp"),
];

const rows = () =>
  Array.from(document.querySelectorAll("#ops-requests-table tbody tr")).map((tr) => `${tr.getAttribute("data-request-id")} ${tr.children[2].textContent}`);

function server() {
  return fakeServer({
    "GET /api/account": () => json(200, OPS_ACCOUNT),
    "GET /api/organizations": () => json(200, { organizations: [] }),
    "GET /api/ops/requests": () => json(200, { requests: REQUESTS }),
  });
}

describe("operations inbox", () => {
  it.each([
    { query: "", want: ["rq-1 sandbox", "rq-2 production", "rq-3 production", "rq-4 Not recorded"] },
    { query: "?environment=sandbox", want: ["rq-1 sandbox"] },
    { query: "?environment=production", want: ["rq-2 production", "rq-3 production"] },
    { query: "?kind=ONBOARDING", want: ["rq-1 sandbox", "rq-2 production"] },
    { query: "?environment=production&kind=GO_LIVE", want: ["rq-3 production"] },
    { query: "?environment=moon", want: ["rq-1 sandbox", "rq-2 production", "rq-3 production", "rq-4 Not recorded"] },
  ])("shows each request's environment, filtered by $query", async ({ query, want }) => {
    server();
    renderApp(`/ops${query}`);
    await found("ops-requests-table");
    expect(rows()).toEqual(want);
  });

  it("keeps the filters in the address, and says when they hide everything", async () => {
    server();
    const user = userEvent.setup();
    renderApp("/ops");
    await found("ops-requests-table");
    await user.selectOptions(el("ops-environment")!, "sandbox");
    await waitFor(() => expect(location.current).toBe("/ops?environment=sandbox"));
    await user.selectOptions(el("ops-kind")!, "GO_LIVE");
    await waitFor(() => expect(location.current).toBe("/ops?environment=sandbox&kind=GO_LIVE"));
    expect(el("ops-requests-table")).toBeNull();
    expect(el("ops-requests-filtered-empty")!.textContent).toBe("No request matches these filters; 4 requests are hidden by them.");
    await user.selectOptions(el("ops-environment")!, "");
    await waitFor(() => expect(rows()).toEqual(["rq-3 production"]));
  });

  it("loads the next page of the inbox on request and keeps the filters on every page", async () => {
    const { requests } = fakeServer({
      "GET /api/account": () => json(200, OPS_ACCOUNT),
      "GET /api/organizations": () => json(200, { organizations: [] }),
      "GET /api/ops/requests": (req) =>
        req.path.includes("cursor=next-1")
          ? json(200, { requests: REQUESTS.slice(2) })
          : json(200, { requests: REQUESTS.slice(0, 2), nextCursor: "next-1" }),
    });
    const user = userEvent.setup();
    renderApp("/ops?environment=production");
    await found("ops-requests-table");
    expect(rows()).toEqual(["rq-2 production"]);
    expect(el("ops-requests-count")!.textContent).toBe("Showing the first 2 requests.");
    await user.click(el("ops-requests-more")!);
    await waitFor(() => expect(rows()).toEqual(["rq-2 production", "rq-3 production"]));
    expect(el("ops-requests-count")!.textContent).toBe("All 4 requests shown.");
    expect(requests.filter((r) => r.path.startsWith("/api/ops/requests")).map((r) => r.path)).toEqual([
      "/api/ops/requests?status=PENDING",
      "/api/ops/requests?status=PENDING&cursor=next-1",
    ]);
  });
});
