import { waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { fakeServer, json, type RecordedRequest } from "../test/fakeServer";
import { ACCOUNT, ORGANIZATION } from "../test/fixtures";
import { renderApp } from "../test/renderApp";
import { el, found } from "../test/dom";

const ORG = ORGANIZATION;
const APP = {
  id: "app-1",
  organizationId: "org-1",
  name: "Budget Buddy",
  environment: "sandbox",
  createdAt: "2025-03-02T10:00:00Z",
  createdBy: "ada@example.com",
  redirectUris: ["https://budget.example.com/cb"],
  certificateFingerprints: [],
  activeProducts: {},
};
const cert = (fp: string, subject: string, appId?: string) => ({
  sha256Fingerprint: fp,
  subject,
  issuer: "CN=Developer Portal Sandbox CA,O=Developer Portal Sandbox,C=BE",
  notBefore: "2025-01-01T00:00:00Z",
  notAfter: "2099-01-01T00:00:00Z",
  pem: "PEM",
  uploadedAt: "2025-03-02T10:00:00Z",
  uploadedBy: "ada@example.com",
  appId,
});

function server(role: string, status = "ACTIVE", more: Record<string, (req: RecordedRequest) => Response> = {}) {
  document.cookie = "devportal_csrf=c; path=/";
  const org = { ...ORG, role, status };
  return fakeServer({
    "GET /api/account": () => json(200, ACCOUNT),
    "GET /api/organizations": () => json(200, { organizations: [org] }),
    "GET /api/organizations/org-1": () => json(200, org),
    "GET /api/organizations/org-1/apps": () => json(200, { apps: [APP] }),
    ...more,
  });
}

describe("AppsPage", () => {
  it("lists the apps and certificates, saying which app uses each, and deletes an unused one after confirming", async () => {
    let certs = [cert("a".repeat(64), "CN=used.example.com", "app-1"), cert("b".repeat(64), "CN=free.example.com")];
    const { requests } = server("ADMIN", "ACTIVE", {
      "GET /api/organizations/org-1/certificates": () => json(200, { certificates: certs }),
      [`DELETE /api/organizations/org-1/certificates/${"b".repeat(64)}`]: () => {
        certs = certs.slice(0, 1);
        return new Response(null, { status: 204 });
      },
    });
    const user = userEvent.setup();
    renderApp("/organizations/org-1/apps");

    const row = (await found("apps-table")).querySelector('tr[data-app-id="app-1"]')!;
    expect(within(row as HTMLElement).getByRole("link", { name: "Budget Buddy" }).getAttribute("href")).toBe("/organizations/org-1/apps/app-1");
    expect(row.querySelectorAll("td")[1].textContent).toBe("1");
    expect(el("register-app-form")).not.toBeNull();

    await found("org-certificates-table");
    expect(el(`certificate-delete-${"a".repeat(64)}`)).toBeNull();
    await user.click(el(`certificate-delete-${"b".repeat(64)}`)!);
    expect((await found("certificate-delete-dialog-title")).textContent).toBe("Delete this certificate?");
    expect(requests.filter((r) => r.method === "DELETE")).toHaveLength(0);
    await user.click(el("certificate-delete-dialog-confirm")!);
    await waitFor(() => expect(el("org-certificates-status")!.textContent).toBe("Deleted the certificate of CN=free.example.com."));
    expect(el("org-certificates-table")!.querySelectorAll("tbody tr")).toHaveLength(1);
  });

  it("lets viewers, and everyone while the organization waits for approval, only look", async () => {
    server("VIEWER", "ACTIVE", { "GET /api/organizations/org-1/certificates": () => json(200, { certificates: [cert("a".repeat(64), "CN=free.example.com")] }) });
    const { unmount } = renderApp("/organizations/org-1/apps");
    await found("org-certificates-table");
    expect(el("register-app-form")).toBeNull();
    expect(el("certificate-upload-form")).toBeNull();
    expect(el(`certificate-delete-${"a".repeat(64)}`)).toBeNull();
    unmount();

    server("OWNER", "PENDING_APPROVAL", { "GET /api/organizations/org-1/certificates": () => json(200, { certificates: [] }) });
    renderApp("/organizations/org-1/apps");
    expect((await found("apps-inactive")).textContent).toBe("Apps can be registered and changed once the organization is active.");
    expect(el("register-app-form")).toBeNull();
  });
});
