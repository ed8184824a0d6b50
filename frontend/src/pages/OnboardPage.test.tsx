import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { fakeServer, json, type RecordedRequest } from "../test/fakeServer";
import { ACCOUNT, PEM_QSEALC, PEM_QWAC, QSEALC, QWAC } from "../test/fixtures";
import { location, renderApp } from "../test/renderApp";
import { el, found } from "../test/dom";

const ROLE_MISSING = "Your certificates do not carry the role PIIS (PSP_IC). Both your QWAC and your QSealC must carry each role you request.";

const PROD_UNTRUSTED =
  "Your QWAC was not issued by a qualified trust service provider of the eIDAS truststore. In production, use the QWAC your qualified trust service provider issued; test certificates of the sandbox CA work only in the sandbox.";
const SAME_CERTIFICATE = "This is the same certificate as your QWAC. A QWAC and a QSealC are two certificates, each with its own key: paste your QSealC here.";

const PENDING_ORG = {
  id: "org-1",
  name: "Example TPP",
  environment: "sandbox",
  status: "PENDING_APPROVAL",
  role: "OWNER",
  contact: { firstName: "Ada", lastName: "Lovelace", email: "ada@example.com", phone: "+32 2 123 45 67" },
  services: ["AIS", "PIIS"],
  organizationIdentifier: "PSDBE-NBB-0123456789",
  members: 1,
  maxMembers: 10,
  createdAt: "2025-03-01T10:00:00Z",
};

function server(preview: (req: RecordedRequest) => Response, onboard?: (req: RecordedRequest) => Response) {
  document.cookie = "devportal_csrf=c; path=/";
  return fakeServer({
    "GET /api/account": () => json(200, ACCOUNT),
    "GET /api/organizations": () => json(200, { organizations: [] }),
    "POST /api/organizations/certificates/preview": preview,
    ...(onboard ? { "POST /api/organizations": onboard } : {}),
    "GET /api/organizations/org-1": () => json(200, PENDING_ORG),
    "GET /api/organizations/org-1/members": () => json(200, { members: [] }),
    "GET /api/organizations/org-1/requests": () => json(200, { requests: [] }),
    "GET /api/organizations/org-1/audit": () => json(200, { entries: [] }),
  });
}

async function fillContact(user: ReturnType<typeof userEvent.setup>) {
  await user.type(el("onboard-firstName")!, "Ada");
  await user.type(el("onboard-lastName")!, "Lovelace");
  await user.type(el("onboard-email")!, "ada@example.com");
  await user.type(el("onboard-phone")!, "+32 2 123 45 67");
  await user.type(el("onboard-company")!, "Example TPP");
}

async function paste(user: ReturnType<typeof userEvent.setup>, id: string, text: string) {
  await user.click(el(id)!);
  await user.paste(text);
}

describe("OnboardPage", () => {
  it("never sends a pasted private key: the field warns to replace the key, and neither the check nor the submit goes out", async () => {
    const { requests } = server(() => json(200, { errors: [] }), () => json(500, {}));
    const user = userEvent.setup();
    renderApp("/organizations/onboard");
    await found("onboard-form");
    await fillContact(user);
    await user.click(el("onboard-roles-AIS")!);
    await paste(user, "onboard-qwac", "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIA==\n-----END EC PRIVATE KEY-----");
    await paste(user, "onboard-qsealc", PEM_QSEALC);
    expect(el("onboard-qwac-error")!.textContent).toBe(
      "This is a private key, not a certificate, and it was not sent. Treat the key as exposed: make a new key pair and have a new certificate issued for it. Paste only your QWAC.",
    );
    await new Promise((r) => setTimeout(r, 900));
    await user.click(screen.getByRole("button", { name: /Submit|Onboard/ }));
    await waitFor(() => expect(document.activeElement).toBe(el("onboard-qwac")));
    expect(requests.filter((r) => r.method === "POST").map((r) => r.path)).toEqual([]);
  });

  it("says which certificate rules apply in the chosen environment, and checks the certificates against them", async () => {
    const { requests } = server((req) => {
      const body = req.body as { environment: string };
      const errors =
        body.environment === "production"
          ? [
              { field: "qwac", rule: "untrusted", message: PROD_UNTRUSTED },
              { field: "qsealc", rule: "sameCertificate", message: SAME_CERTIFICATE },
            ]
          : [];
      return json(200, { qwac: QWAC, qsealc: QSEALC, errors });
    });
    const user = userEvent.setup();
    renderApp("/organizations/onboard");
    const rules = await found("onboard-rules");
    // The sandbox is the default: its easier rules, which the text lists.
    expect(rules.getAttribute("data-environment")).toBe("sandbox");
    expect(el("onboard-rules-title")!.textContent).toBe("Sandbox rules: easier, for testing.");
    expect(rules.textContent).toContain("issued by the sandbox CA");
    expect(rules.textContent).toContain("They need not be qualified");

    await paste(user, "onboard-qwac", PEM_QWAC);
    await paste(user, "onboard-qsealc", PEM_QWAC);
    await user.click(el("onboard-environment-production")!);
    expect(el("onboard-rules")!.getAttribute("data-environment")).toBe("production");
    expect(el("onboard-rules-title")!.textContent).toBe("Production rules: eIDAS qualified certificates (ETSI EN 319 412-5, TS 119 495).");
    const items = Array.from(el("onboard-rules-items")!.querySelectorAll("li")).map((li) => li.textContent);
    expect(items).toEqual([
      "Both certificates are valid today and issued by a qualified trust service provider of the bank's eIDAS truststore: test certificates of the sandbox CA are refused.",
      "Both are qualified (QcCompliance): the QWAC of type web only, the QSealC of type eseal only. One certificate cannot be both, nor be pasted twice.",
      "Both name your PSD2 authorisation number as organizationIdentifier, for example PSDBE-NBB-0123456789, and carry a PSD2 statement with the roles of the services you request and your competent authority's name and identifier (for example BE-NBB).",
    ]);
    // The same certificates are checked again, against the production rules, and each refusal is shown next to its field.
    expect((await found("onboard-qwac-error")).textContent).toBe(PROD_UNTRUSTED);
    expect(el("onboard-qsealc-error")!.textContent).toBe(SAME_CERTIFICATE);
    expect(el("onboard-preview-status")!.textContent).toBe("Checked your certificates: 2 problems to fix.");
    expect((requests.filter((r) => r.path === "/api/organizations/certificates/preview").at(-1)!.body as { environment: string }).environment).toBe("production");

    await user.click(el("onboard-environment-sandbox")!);
    expect(el("onboard-rules")!.getAttribute("data-environment")).toBe("sandbox");
  });

  it("checks pasted certificates after a pause and shows what they say and what is wrong, next to the right field", async () => {
    const { requests } = server((req) => {
      const body = req.body as { roles: string[]; qwac: string; qsealc: string };
      const errors = [];
      if (!body.qsealc) errors.push({ field: "qsealc", rule: "required", message: "Paste your QSealC, as PEM or as base64." });
      if (body.roles.length === 0) errors.push({ field: "roles", rule: "required", message: "Choose at least one service: AIS, PIS or PIIS." });
      if (body.roles.includes("PIIS")) errors.push({ field: "roles", rule: "roleMissing", message: ROLE_MISSING });
      return json(200, { qwac: QWAC, ...(body.qsealc ? { qsealc: QSEALC } : {}), errors });
    });
    const user = userEvent.setup();
    renderApp("/organizations/onboard");
    await found("onboard-form");
    expect(el("qwac-details")).toBeNull();

    await paste(user, "onboard-qwac", PEM_QWAC);
    // The QWAC's details appear next to it; "required" for fields not filled yet is not shown.
    const details = await found("qwac-details");
    expect(el("onboard-qwac")!.nextElementSibling).toBe(details);
    expect(el("qwac-details-subject")!.textContent).toBe("CN=tpp.example.com, O=Example TPP, C=BE");
    expect(el("qwac-details-organizationIdentifier")!.textContent).toContain("PSDBE-NBB-0123456789");
    expect(el("qwac-details-fingerprint")!.textContent).toBe(QWAC.sha256Fingerprint);
    expect(el("qsealc-details")).toBeNull();
    expect(el("onboard-qsealc-error")).toBeNull();
    expect(el("onboard-roles-error")).toBeNull();

    await paste(user, "onboard-qsealc", PEM_QSEALC);
    await found("qsealc-details");
    expect(el("qsealc-details-qualified")!.textContent).toBe("Qualified, electronic seal (QSealC)");

    // Asking for a role the certificates lack is reported at the services, before submitting.
    await user.click(el("onboard-roles-PIIS")!);
    const rolesError = await found("onboard-roles-error");
    expect(rolesError.textContent).toBe(ROLE_MISSING);
    expect(el("onboard-roles")!.getAttribute("aria-describedby")).toContain("onboard-roles-error");
    expect(el("onboard-roles-PIIS")!.getAttribute("aria-invalid")).toBe("true");

    // One check per pause, not one per keystroke; the last one carries everything.
    const previews = requests.filter((r) => r.path === "/api/organizations/certificates/preview");
    expect(previews.length).toBeLessThanOrEqual(3);
    expect(previews.at(-1)!.body).toEqual({ environment: "sandbox", roles: ["PIIS"], qwac: PEM_QWAC, qsealc: PEM_QSEALC });
    expect(previews.at(-1)!.headers.get("X-CSRF-Token")).toBe("c");
    // Nothing was submitted.
    expect(requests.some((r) => r.method === "POST" && r.path === "/api/organizations")).toBe(false);
  });

  it("shows the server's roleMissing error in onboard-roles-error on submit, then goes to the organization on 202", async () => {
    let attempt = 0;
    const { requests } = server(
      () => json(200, { qwac: QWAC, qsealc: QSEALC, errors: [] }),
      () => {
        attempt++;
        if (attempt === 1) {
          return json(400, {
            code: "VALIDATION_FAILED",
            message: "Some fields need attention.",
            fields: [{ field: "roles", rule: "roleMissing", message: ROLE_MISSING }],
            requestId: "req-1",
          });
        }
        return json(202, { organization: PENDING_ORG, request: { id: "rq-1" } });
      },
    );
    const user = userEvent.setup();
    renderApp("/organizations/onboard");
    await found("onboard-form");
    await fillContact(user);
    await user.click(el("onboard-roles-AIS")!);
    await user.click(el("onboard-roles-PIIS")!);
    await user.click(el("onboard-environment-sandbox")!);
    await paste(user, "onboard-qwac", PEM_QWAC);
    await paste(user, "onboard-qsealc", PEM_QSEALC);
    await user.click(screen.getByRole("button", { name: "Submit for approval" }));

    const rolesError = await found("onboard-roles-error");
    expect(rolesError.textContent).toBe(ROLE_MISSING);
    const first = el("onboard-roles-AIS")!;
    expect(first.getAttribute("aria-invalid")).toBe("true");
    expect(el("onboard-roles")!.getAttribute("aria-describedby")).toBe("onboard-roles-hint onboard-roles-error");
    await waitFor(() => expect(document.activeElement).toBe(first));
    const alert = el("onboard-error")!;
    expect(alert.getAttribute("role")).toBe("alert");
    expect(alert.querySelector(".alert-message")!.textContent).toBe("Some fields need attention.");
    // The message is shown once, next to the services, not repeated in the alert.
    expect(alert.querySelector(".alert-list")).toBeNull();

    const post = requests.find((r) => r.method === "POST" && r.path === "/api/organizations")!;
    expect(post.body).toEqual({
      firstName: "Ada",
      lastName: "Lovelace",
      company: "Example TPP",
      email: "ada@example.com",
      phone: "+32 2 123 45 67",
      roles: ["AIS", "PIIS"],
      environment: "sandbox",
      qwac: PEM_QWAC,
      qsealc: PEM_QSEALC,
    });

    await user.click(el("onboard-roles-PIIS")!);
    await user.click(screen.getByRole("button", { name: "Submit for approval" }));
    await waitFor(() => expect(location.current).toBe("/organizations/org-1"));
    const notice = await found("org-notice");
    expect(notice.textContent).toBe("Submitted: the bank's operations team will review it; you will get an email");
    expect(el("org-status")!.textContent).toBe("Pending approval");
  });
});
