import { render } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { describe, expect, it } from "vitest";
import { AuditTable } from "./AuditTable";

const ENTRY = { orgId: "org-1", at: "2026-03-05T12:00:00Z", actorId: "u", actor: "ada@example.com", action: "rename.submitted", requestId: "rq-7", details: { name: "Beta Pay" } };

const cells = (container: HTMLElement) =>
  Array.from(container.querySelectorAll("tbody tr td")).slice(1).map((td) => td.textContent);

describe("AuditTable", () => {
  it("shows an organization's own trail without the organization, and names requests without linking them", () => {
    const { container } = render(
      <MemoryRouter>
        <AuditTable id="audit-table" entries={[ENTRY]} caption="Audit trail" />
      </MemoryRouter>,
    );
    expect(Array.from(container.querySelectorAll("th")).map((th) => th.textContent)).toEqual(["When", "Who", "What", "Details"]);
    expect(cells(container)).toEqual(["ada@example.com", "rename.submitted", "name: Beta PayRequest rq-7"]);
    expect(container.querySelector("a")).toBeNull();
  });

  it("shows operations the organization and links it and the request", () => {
    const { container } = render(
      <MemoryRouter>
        <AuditTable
          id="ops-audit-table"
          entries={[ENTRY]}
          caption="Audit events"
          organization={{ name: () => "Alpha TPP", href: (id) => `/ops/organizations/${id}` }}
          requestHref={(id) => `/ops/requests/${id}`}
        />
      </MemoryRouter>,
    );
    expect(Array.from(container.querySelectorAll("th")).map((th) => th.textContent)).toEqual(["When", "Organization", "Who", "What", "Details"]);
    expect(cells(container)).toEqual(["Alpha TPP", "ada@example.com", "rename.submitted", "name: Beta PayRequest rq-7"]);
    expect(Array.from(container.querySelectorAll("a")).map((a) => a.getAttribute("href"))).toEqual(["/ops/organizations/org-1", "/ops/requests/rq-7"]);
  });
});
