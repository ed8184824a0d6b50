import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fakeServer, json } from "../../test/fakeServer";
import { OPS_ACCOUNT, QSEALC, QWAC, ACCOUNT } from "../../test/fixtures";
import { renderApp } from "../../test/renderApp";
import { DECISION_POLL, listItems } from "./OpsRequestPage";
import { el, found } from "../../test/dom";

const REQUEST = {
  id: "rq-1",
  kind: "ONBOARDING",
  organizationId: "org-1",
  organizationName: "Example TPP",
  requesterId: "u-1",
  requesterEmail: "ada@example.com",
  status: "PENDING",
  summary: "Onboard Example TPP (PSDBE-NBB-0123456789) for AIS, PIS",
  form: {
    company: "Example TPP",
    roles: "AIS,PIS",
    environment: "sandbox",
    organizationIdentifier: "PSDBE-NBB-0123456789",
    qwacFingerprint: QWAC.sha256Fingerprint,
    qwacPossession: "signature",
    qwacPossessionAt: "2025-03-01T09:55:00Z",
    qsealcPossession: "issuance",
    qsealcPossessionAt: "2025-03-01T09:00:00Z",
  },
  createdAt: "2025-03-01T10:00:00Z",
  expiresAt: "2099-03-15T10:00:00Z",
  history: [{ at: "2025-03-01T10:00:00Z", actor: "ada@example.com", action: "submitted" }],
};

const ORG = {
  id: "org-1",
  name: "Example TPP",
  environment: "sandbox",
  status: "PENDING_APPROVAL",
  contact: { firstName: "Ada", lastName: "Lovelace", email: "ada@example.com", phone: "+32 2 123 45 67" },
  services: ["AIS", "PIS"],
  organizationIdentifier: "PSDBE-NBB-0123456789",
  members: 1,
  maxMembers: 10,
  createdAt: "2025-03-01T10:00:00Z",
  certificates: [
    { kind: "qwac", sha256Fingerprint: QWAC.sha256Fingerprint, subject: QWAC.subject.dn, possession: { method: "signature", at: "2025-03-01T09:55:00Z", by: "ada@example.com" } },
    { kind: "qsealc", sha256Fingerprint: QSEALC.sha256Fingerprint, subject: QSEALC.subject.dn },
  ],
};

const MEMBER = { userId: "u-1", email: "ada@example.com", fullName: "Ada Lovelace", role: "OWNER", joinedAt: "2025-03-01T10:00:00Z" };

function detail(status: string, extra: object[] = []) {
  return {
    request: { ...REQUEST, status, history: [...REQUEST.history, ...extra] },
    organization: { organization: ORG, qwac: QWAC, qsealc: QSEALC, members: [MEMBER], requests: [], apps: [] as object[] },
  };
}

const saved = { ...DECISION_POLL };
beforeEach(() => {
  DECISION_POLL.intervalMs = 20;
  DECISION_POLL.maxMs = 2000;
});
afterEach(() => Object.assign(DECISION_POLL, saved));

describe("OpsRequestPage", () => {
  it.each([
    ["PAY_LATER", ["PAY_LATER"]],
    ["[PAY_LATER]", ["PAY_LATER"]],
    ["[AIS PIS]", ["AIS", "PIS"]],
    ["ais pis", ["ais", "pis"]],
    ["", []],
  ])("reads the list %j", (value, want) => {
    expect(listItems(value)).toEqual(want);
  });

  const APPS = [
    { id: "a-1", name: "Budget Buddy", environment: "sandbox", certificates: 1, redirectUris: 2, products: ["ais", "oauth2"] },
    { id: "a-2", name: "Budget Buddy", environment: "production", certificates: 2, redirectUris: 1, products: ["ais"] },
  ];
  it.each([
    { apps: [] as typeof APPS, impact: "Example TPP has no apps. Approving removes its members' access to it; no TPP API calls stop.", rows: [] as string[] },
    {
      apps: APPS,
      impact:
        "Approving stops all 2 apps of Example TPP (1 in production): their credentials, API keys and certificates stop working at once." +
        "Budget Buddy (sandbox): Account Information (AIS), oauth2Budget Buddy (production): Account Information (AIS)",
      rows: ["Budget Buddy sandbox Account Information (AIS), oauth2 1 2", "Budget Buddy production Account Information (AIS) 2 1"],
    },
  ])("says what approving an offboarding stops, before the decision ($apps.length apps)", async ({ apps, impact, rows }) => {
    document.cookie = "devportal_csrf=c; path=/";
    const d = detail("PENDING");
    d.request = { ...d.request, kind: "OFFBOARDING", form: {} as never };
    d.organization.apps = apps;
    fakeServer({
      "GET /api/account": () => json(200, OPS_ACCOUNT),
      "GET /api/organizations": () => json(200, { organizations: [] }),
      "GET /api/ops/requests/rq-1": () => json(200, d),
      "GET /api/products": () =>
        json(200, { products: [{ id: "ais", name: "Account Information (AIS)", description: "", kind: "psd2", scopes: ["AIS"], approval: "automatic", mandatory: false, plans: [] }] }),
    });
    renderApp("/ops/requests/rq-1");
    await found("offboarding-impact");
    await waitFor(() => expect(el("offboarding-impact")!.textContent).toBe(impact));
    const got = Array.from(document.querySelectorAll("#ops-apps-table tbody tr")).map((tr) => Array.from(tr.children).map((c) => c.textContent).join(" "));
    expect(got).toEqual(rows);
    if (apps.length === 0) expect(el("ops-apps-empty")!.textContent).toBe("No apps.");
  });

  it("shows products by name and scopes without brackets", async () => {
    document.cookie = "devportal_csrf=c; path=/";
    const d = detail("PENDING");
    d.request = { ...d.request, kind: "SUBSCRIPTION", form: { productName: "Pay Later (premium)", scopes: "[PAY_LATER]", sandboxProducts: "ais pay-later unknown" } as never };
    fakeServer({
      "GET /api/account": () => json(200, OPS_ACCOUNT),
      "GET /api/organizations": () => json(200, { organizations: [] }),
      "GET /api/ops/requests/rq-1": () => json(200, d),
      "GET /api/products": () =>
        json(200, {
          products: [
            { id: "ais", name: "Account Information (AIS)", description: "", kind: "psd2", scopes: ["AIS"], approval: "automatic", mandatory: false, plans: [] },
            { id: "pay-later", name: "Pay Later (premium)", description: "", kind: "premium", scopes: ["PAY_LATER"], approval: "operations", mandatory: false, plans: [] },
          ],
        }),
    });
    renderApp("/ops/requests/rq-1");
    const scopes = await found("request-form-scopes");
    expect(Array.from(scopes.querySelectorAll("li")).map((li) => li.textContent)).toEqual(["PAY_LATER"]);
    await waitFor(() =>
      expect(Array.from(el("request-form-sandboxProducts")!.querySelectorAll("li")).map((li) => li.textContent)).toEqual([
        "Account Information (AIS)",
        "Pay Later (premium)",
        "unknown",
      ]),
    );
  });

  it("asks for confirmation before approving, then polls until the decision is applied", async () => {
    document.cookie = "devportal_csrf=c; path=/";
    let state = "PENDING";
    let polls = 0;
    const { requests } = fakeServer({
      "GET /api/account": () => json(200, OPS_ACCOUNT),
      "GET /api/organizations": () => json(200, { organizations: [] }),
      "GET /api/ops/requests/rq-1": () => {
        if (state === "DECIDING" && ++polls >= 2) state = "APPROVED";
        return json(200, detail(state, state === "PENDING" ? [] : [{ at: "2025-03-02T09:00:00Z", actor: "ops@bank.example", action: "approved", comment: "Looks good" }]));
      },
      "POST /api/ops/requests/rq-1/approve": () => {
        state = "DECIDING";
        return json(202, { ...REQUEST, status: "DECIDING" });
      },
    });
    const user = userEvent.setup();
    renderApp("/ops/requests/rq-1");

    await found("decision-form");
    expect(el("request-status")!.textContent).toBe("Pending");
    expect(el("qwac-details-subject")!.textContent).toBe("CN=tpp.example.com, O=Example TPP, C=BE");
    expect(el("qsealc-details")).not.toBeNull();
    expect(el("request-form-qwacFingerprint")!.textContent).toBe(QWAC.sha256Fingerprint);
    // How and when the holder proved possession of each key, on the request and the certificates.
    expect(el("request-form-qwacPossession")!.textContent).toBe("Possession proven by signing a challenge");
    expect(el("request-form-qsealcPossession")!.textContent).toBe("Possession proven by issuance (the sandbox CA issued it with its key)");
    expect(el("request-form-qwacPossessionAt")!.querySelector("time")!.getAttribute("dateTime")).toBe("2025-03-01T09:55:00Z");
    const labels = Array.from(el("request-form")!.querySelectorAll("dt")).map((d) => d.textContent);
    expect(labels.slice(labels.indexOf("QWAC SHA-256 fingerprint"), labels.indexOf("QWAC SHA-256 fingerprint") + 3)).toEqual(["QWAC SHA-256 fingerprint", "QWAC private key", "QWAC key proven"]);
    expect(el("qwac-possession")!.textContent).toMatch(/^Private key: Proven by signing a challenge on .* by ada@example\.com\.$/);
    expect(el("qsealc-possession")!.textContent).toBe("Private key: Possession not proven: the holder never signed a challenge with this key.");
    expect(within(el("ops-members-table")!).getByText("ada@example.com")).toBeTruthy();
    expect(el("request-history")!.textContent).toContain("submitted");

    await user.type(el("decision-comment")!, "Looks good");
    await user.click(el("approve-request")!);

    // A dialog, and nothing sent yet.
    const dialog = await found("decision-dialog");
    expect(dialog.getAttribute("role")).toBe("dialog");
    expect(dialog.getAttribute("aria-modal")).toBe("true");
    expect(el("decision-dialog-title")!.textContent).toBe("Approve the onboarding of Example TPP?");
    await waitFor(() => expect(document.activeElement).toBe(el("decision-dialog-cancel")));
    const posts = () => requests.filter((r) => r.method === "POST");
    expect(posts()).toHaveLength(0);

    // Cancel: still nothing sent, focus back on the button.
    await user.click(el("decision-dialog-cancel")!);
    expect(el("decision-dialog")).toBeNull();
    await waitFor(() => expect(document.activeElement).toBe(el("approve-request")));
    expect(posts()).toHaveLength(0);

    // Escape cancels too.
    await user.click(el("approve-request")!);
    await found("decision-dialog");
    await user.keyboard("{Escape}");
    expect(el("decision-dialog")).toBeNull();
    expect(posts()).toHaveLength(0);

    await user.click(el("approve-request")!);
    await user.click(await found("decision-dialog-confirm"));
    await waitFor(() => expect(posts()).toHaveLength(1));
    expect(posts()[0].path).toBe("/api/ops/requests/rq-1/approve");
    expect(posts()[0].body).toEqual({ comment: "Looks good" });
    expect(posts()[0].headers.get("X-CSRF-Token")).toBe("c");

    // The new status at once, then the applied one once a poll sees it.
    const result = await found("decision-result");
    await waitFor(() => expect(el("request-status")!.textContent).toBe("Approved"));
    expect(result.textContent).toContain("Status: Approved.");
    expect(el("decision-form")).toBeNull();
    const gets = requests.filter((r) => r.method === "GET" && r.path === "/api/ops/requests/rq-1");
    expect(gets.length).toBeGreaterThanOrEqual(3);
    // Polling stopped once the request was no longer DECIDING.
    const count = gets.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(requests.filter((r) => r.method === "GET" && r.path === "/api/ops/requests/rq-1")).toHaveLength(count);
  });

  it("asks for confirmation before rejecting and shows the server's comment error next to the comment", async () => {
    document.cookie = "devportal_csrf=c; path=/";
    const { requests } = fakeServer({
      "GET /api/account": () => json(200, OPS_ACCOUNT),
      "GET /api/organizations": () => json(200, { organizations: [] }),
      "GET /api/ops/requests/rq-1": () => json(200, detail("PENDING")),
      "POST /api/ops/requests/rq-1/reject": () =>
        json(400, {
          code: "VALIDATION_FAILED",
          message: "Some fields need attention.",
          fields: [{ field: "comment", rule: "required", message: "Give the reason for the rejection: the requester will read it." }],
          requestId: "req-9",
        }),
    });
    const user = userEvent.setup();
    renderApp("/ops/requests/rq-1");
    await found("decision-form");

    await user.click(el("reject-request")!);
    await found("decision-dialog");
    expect(el("decision-dialog-title")!.textContent).toBe("Reject the onboarding of Example TPP?");
    expect(requests.filter((r) => r.method === "POST")).toHaveLength(0);
    await user.click(el("decision-dialog-confirm")!);

    const err = await found("decision-comment-error");
    expect(err.textContent).toBe("Give the reason for the rejection: the requester will read it.");
    const comment = el("decision-comment")!;
    expect(comment.getAttribute("aria-invalid")).toBe("true");
    expect(comment.getAttribute("aria-describedby")).toBe("decision-comment-hint decision-comment-count decision-comment-error");
    await waitFor(() => expect(document.activeElement).toBe(comment));
    expect(requests.filter((r) => r.method === "POST").map((r) => r.body)).toEqual([{ comment: "" }]);
  });

  it("tells other users the console is for operations staff", async () => {
    fakeServer({
      "GET /api/account": () => json(200, ACCOUNT),
      "GET /api/organizations": () => json(200, { organizations: [] }),
    });
    renderApp("/ops");
    const panel = await found("ops-forbidden");
    expect(panel.textContent).toContain("for the bank's operations staff");
    expect(screen.queryByRole("link", { name: "Operations" })).toBeNull();
  });

  it("decides a go-live in two named steps: the form stays for the second one", async () => {
    document.cookie = "devportal_csrf=c; path=/";
    const goLive = {
      ...REQUEST,
      id: "rq-g",
      kind: "GO_LIVE",
      summary: "Take Budget Buddy live",
      form: { appName: "Budget Buddy", redirectUris: "https://a.example/cb https://b.example/cb", certificate: "ab".repeat(32), certificateSubject: "CN=live.example.com" },
      steps: ["Review", "Contract signed"],
      step: 0,
    };
    let current = { ...goLive };
    const { requests } = fakeServer({
      "GET /api/account": () => json(200, OPS_ACCOUNT),
      "GET /api/organizations": () => json(200, { organizations: [] }),
      "GET /api/ops/requests/rq-g": () => json(200, { ...detail("PENDING"), request: current }),
      "POST /api/ops/requests/rq-g/approve": (req) => {
        const comment = (req.body as { comment: string }).comment;
        const event = { at: "2025-03-02T09:00:00Z", actor: "ops@bank.example", comment };
        current =
          current.step === 0
            ? { ...current, step: 1, history: [...current.history, { ...event, action: "approved: Review" }] }
            : { ...current, status: "APPROVED", history: [...current.history, { ...event, action: "approved" }] };
        return json(202, current);
      },
    });
    const user = userEvent.setup();
    renderApp("/ops/requests/rq-g");

    expect((await found("request-step")).textContent).toBe("Step 1 of 2: Review");
    expect(el("approve-request")!.textContent).toBe("Approve step 1: Review");
    expect(el("request-form-redirectUris")!.querySelectorAll("li")).toHaveLength(2);
    expect(el("request-form-certificate")!.textContent).toBe("ab".repeat(32));
    await user.type(el("decision-comment")!, "Documents complete");
    await user.click(el("approve-request")!);
    expect((await found("decision-dialog-title")).textContent).toBe("Approve the go-live of Example TPP?");
    expect(el("decision-dialog-body")!.textContent).toContain("This approves Step 1 of 2: Review. The request then waits for the next decision: Contract signed.");
    expect(el("decision-dialog-confirm")!.textContent).toBe("Approve: Review");
    await user.click(el("decision-dialog-confirm")!);

    expect((await found("step-result")).textContent).toBe("Approved: Step 1 of 2: Review. The request now waits for the next decision: Contract signed.");
    await waitFor(() => expect(el("approve-request")!.textContent).toBe("Approve step 2: Contract signed"));
    expect(el("request-step")!.textContent).toBe("Step 2 of 2: Contract signed");
    expect((el("decision-comment") as HTMLTextAreaElement).value).toBe("");
    expect(el("decision-result")).toBeNull();

    await user.type(el("decision-comment")!, "Contract signed");
    await user.click(el("approve-request")!);
    expect((await found("decision-dialog-body")).textContent).toContain("This is the last step (Step 2 of 2: Contract signed).");
    await user.click(el("decision-dialog-confirm")!);
    await waitFor(() => expect(el("request-status")!.textContent).toBe("Approved"));
    expect(el("decision-result")!.textContent).toContain("Status: Approved.");
    expect(el("decision-form")).toBeNull();
    expect(el("request-step")).toBeNull();
    expect(requests.filter((r) => r.method === "POST").map((r) => r.body)).toEqual([{ comment: "Documents complete" }, { comment: "Contract signed" }]);
  });

  it.each([
    ["an expired certificate the eIDAS truststore does not know", { certificate: { ...QWAC, notAfter: "2020-01-01T00:00:00Z" }, trust: { trusted: false } }, "Expired",
      "Untrusted Not trusted: it does not chain to a CA of the eIDAS truststore or to the sandbox CA"],
    ["a valid certificate of the eIDAS truststore", { certificate: { ...QWAC, notAfter: "2099-01-01T00:00:00Z" }, trust: { trusted: true, store: "eidas" } }, null,
      "eIDAS truststore Trusted: it chains to a qualified trust service provider of the bank's eIDAS truststore"],
  ])("shows the go-live's mTLS certificate to judge: %s", async (_, certificate, mark, trust) => {
    const goLive = { ...REQUEST, id: "rq-g", kind: "GO_LIVE", summary: "Take Budget Buddy live", form: { appName: "Budget Buddy", certificate: QWAC.sha256Fingerprint }, steps: ["Review", "Contract signed"], step: 0 };
    fakeServer({
      "GET /api/account": () => json(200, OPS_ACCOUNT),
      "GET /api/organizations": () => json(200, { organizations: [] }),
      "GET /api/ops/requests/rq-g": () => json(200, { ...detail("PENDING"), request: goLive, certificate }),
    });
    renderApp("/ops/requests/rq-g");
    expect((await found("golive-certificate-title")).textContent).toBe("As uploaded to Example TPP");
    expect(el("golive-certificate-issuer")!.textContent).toBe("CN=Sandbox eIDAS CA, O=Open Bank Sandbox, C=DE");
    expect(el("golive-certificate-subject")!.textContent).toBe("CN=tpp.example.com, O=Example TPP, C=BE");
    expect(el("golive-certificate-validity-state")?.textContent ?? null).toBe(mark);
    expect(el("golive-certificate-trust")!.textContent).toBe(trust);
  });

  it("says when the go-live's certificate is no longer uploaded", async () => {
    const goLive = { ...REQUEST, id: "rq-g", kind: "GO_LIVE", summary: "Take Budget Buddy live", form: { appName: "Budget Buddy", certificate: "ab".repeat(32) }, steps: ["Review"], step: 0 };
    fakeServer({
      "GET /api/account": () => json(200, OPS_ACCOUNT),
      "GET /api/organizations": () => json(200, { organizations: [] }),
      "GET /api/ops/requests/rq-g": () => json(200, { ...detail("PENDING"), request: goLive }),
    });
    renderApp("/ops/requests/rq-g");
    expect((await found("golive-certificate-missing")).textContent).toBe("This certificate is no longer uploaded to Example TPP: the organization deleted it after asking.");
  });

  it("shows a certificate renewal's current and new certificate side by side, each with its issuer, validity and trust", async () => {
    const renewal = { ...REQUEST, id: "rq-r", kind: "CERTIFICATE_RENEWAL", summary: "Renew the QWAC of Example TPP (PSDBE-NBB-0123456789)",
      form: { environment: "production", organizationIdentifier: "PSDBE-NBB-0123456789", currentQWACFingerprint: "ab".repeat(32), qwacFingerprint: QWAC.sha256Fingerprint } };
    fakeServer({
      "GET /api/account": () => json(200, OPS_ACCOUNT),
      "GET /api/organizations": () => json(200, { organizations: [] }),
      "GET /api/ops/requests/rq-r": () =>
        json(200, {
          ...detail("PENDING"),
          request: renewal,
          renewal: [
            {
              kind: "qwac",
              current: { certificate: { ...QWAC, notAfter: "2020-01-01T00:00:00Z" }, trust: { trusted: true, store: "eidas" } },
              renewal: { certificate: { ...QWAC, notAfter: "2099-01-01T00:00:00Z" }, trust: { trusted: true, store: "eidas" } },
            },
          ],
        }),
    });
    renderApp("/ops/requests/rq-r");
    expect((await found("renewal-qwac-current-title")).textContent).toBe("Current QWAC, in force until the renewal is approved");
    expect(el("renewal-qwac-new-title")!.textContent).toBe("New QWAC");
    for (const id of ["renewal-qwac-current", "renewal-qwac-new"]) {
      expect(el(`${id}-issuer`)!.textContent).toBe("CN=Sandbox eIDAS CA, O=Open Bank Sandbox, C=DE");
      expect(el(`${id}-trust`)!.textContent).toBe("eIDAS truststore Trusted: it chains to a qualified trust service provider of the bank's eIDAS truststore");
    }
    expect(el("renewal-qwac-current-validity-state")!.textContent).toBe("Expired");
    expect(el("renewal-qwac-new-validity-state")).toBeNull();
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Certificate renewal request: Example TPP");
  });

  it("says when a certificate renewal no longer waits", async () => {
    const renewal = { ...REQUEST, id: "rq-r", kind: "CERTIFICATE_RENEWAL", status: "APPROVED", form: {} };
    fakeServer({
      "GET /api/account": () => json(200, OPS_ACCOUNT),
      "GET /api/organizations": () => json(200, { organizations: [] }),
      "GET /api/ops/requests/rq-r": () => json(200, { ...detail("APPROVED"), request: renewal }),
    });
    renderApp("/ops/requests/rq-r");
    expect((await found("renewal-decided")).textContent).toBe("This renewal is no longer waiting: the organization's certificates in force are below.");
  });
});
