import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Challenge } from "../../api/types";
import { el, found } from "../../test/dom";
import { fakeServer, json, type RecordedRequest } from "../../test/fakeServer";
import { ACCOUNT, PEM_QSEALC, PEM_QWAC, QSEALC, QWAC } from "../../test/fixtures";
import { renderApp } from "../../test/renderApp";
import { RENEWAL_PROOF_NOTICE, RENEWAL_SUBMITTED_NOTICE, RENEWED_NOTICE } from "./RenewCertificatesForm";

const OLD = "ab".repeat(32);
const SIGNED = { method: "signature" as const, at: "2025-03-01T10:05:00Z", by: "ada@example.com" };
const challenge: Challenge = {
  sha256Fingerprint: QWAC.sha256Fingerprint,
  challenge: `devportal-possession org=org-1 sha256=${QWAC.sha256Fingerprint} nonce=1`,
  expiresAt: "2099-01-01T10:15:00Z",
  keyAlgorithm: "EC",
  commands: { rsa: "rsa", rsaPss: "pss", ec: "ec" },
};

const org = (environment: string, role: string, renewal?: Record<string, unknown>, qwac = OLD) => ({
  id: "org-1",
  name: "Example TPP",
  environment,
  status: "ACTIVE",
  role,
  code: "ABCD234567",
  contact: { firstName: "Ada", lastName: "Lovelace", email: "ada@example.com", phone: "+32 2 123 45 67" },
  services: ["AIS", "PIS"],
  organizationIdentifier: "PSDBE-NBB-0123456789",
  members: 1,
  maxMembers: 10,
  createdAt: "2025-03-01T10:00:00Z",
  certificates: [
    { kind: "qwac", sha256Fingerprint: qwac, subject: "CN=old", possession: SIGNED },
    { kind: "qsealc", sha256Fingerprint: "cd".repeat(32), subject: "CN=old seal", possession: SIGNED },
  ],
  ...(renewal ? { renewal } : {}),
});

function server(routes: Record<string, (req: RecordedRequest) => Response>) {
  document.cookie = "devportal_csrf=c; path=/";
  return fakeServer({
    "GET /api/account": () => json(200, ACCOUNT),
    "GET /api/organizations": () => json(200, { organizations: [] }),
    ...routes,
  });
}

const RENEWAL_PATH = "POST /api/organizations/org-1/eidas-certificates/renewal";

describe("renewing the organization's certificates", () => {
  it("sends the new QWAC, shows its challenge, and is in force once its key is proven (sandbox)", async () => {
    let state: "none" | "draft" | "done" = "none";
    const draft = { certificates: [{ kind: "qwac", sha256Fingerprint: QWAC.sha256Fingerprint, subject: QWAC.subject.dn, challenge }], at: "2025-03-01T10:00:00Z", by: "ada@example.com" };
    const { requests } = server({
      "GET /api/organizations/org-1": () =>
        json(200, state === "none" ? org("sandbox", "ADMIN") : state === "draft" ? org("sandbox", "ADMIN", draft) : org("sandbox", "ADMIN", undefined, QWAC.sha256Fingerprint)),
      [RENEWAL_PATH]: () => {
        state = "draft";
        return json(200, { organization: org("sandbox", "ADMIN", draft), applied: false });
      },
      [`POST /api/organizations/org-1/certificates/${QWAC.sha256Fingerprint}/possession`]: () => {
        state = "done";
        return json(200, { sha256Fingerprint: QWAC.sha256Fingerprint, possession: SIGNED });
      },
    });
    const user = userEvent.setup();
    renderApp("/organizations/org-1/settings");
    await found("renew-form");
    // An administrator renews; renaming and offboarding are the owner's.
    expect(el("rename-form")).toBeNull();
    expect(el("offboard-form")).toBeNull();
    expect(el("renew-explanation")!.textContent).toContain("PSDBE-NBB-0123456789");
    expect(el("renew-explanation")!.textContent).toContain("(AIS, PIS)");
    await user.click(el("renew-qwac")!);
    await user.paste(PEM_QWAC);
    await user.click(screen.getByRole("button", { name: "Renew certificates" }));
    expect((await found("renew-status")).textContent).toBe(RENEWAL_PROOF_NOTICE);
    const post = requests.find((r) => r.method === "POST")!;
    expect(post.path).toBe("/api/organizations/org-1/eidas-certificates/renewal");
    expect(post.body).toEqual({ qwac: PEM_QWAC });

    await found("renewal-possession-qwac-form");
    expect(el("renewal-qwac-state")!.textContent).toBe("Not proven");
    expect(el("renewal-possession-qwac-text")!.textContent).toBe(challenge.challenge);
    await user.type(el("renewal-possession-qwac-signature")!, "MEUCIQ==");
    await user.click(screen.getByRole("button", { name: "Prove possession" }));
    await waitFor(() => expect(el("renew-status")!.textContent).toBe(RENEWED_NOTICE));
    await waitFor(() => expect(el("renewal")).toBeNull());
    const proof = requests.filter((r) => r.method === "POST")[1];
    expect(proof.path).toBe(`/api/organizations/org-1/certificates/${QWAC.sha256Fingerprint}/possession`);
    expect(proof.body).toEqual({ challenge: challenge.challenge, signature: "MEUCIQ==" });
  });

  it("says a production renewal waits for the bank, and offers no second one meanwhile", async () => {
    let submitted = false;
    const waiting = { certificates: [{ kind: "qsealc", sha256Fingerprint: QSEALC.sha256Fingerprint, subject: QSEALC.subject.dn, possession: SIGNED }], requestId: "rq-1", at: "2025-03-01T10:00:00Z", by: "ada@example.com" };
    server({
      "GET /api/organizations/org-1": () => json(200, submitted ? org("production", "OWNER", waiting) : org("production", "OWNER")),
      [RENEWAL_PATH]: () => {
        submitted = true;
        return json(200, { organization: org("production", "OWNER", waiting), request: { id: "rq-1", status: "PENDING" }, applied: false });
      },
    });
    const user = userEvent.setup();
    renderApp("/organizations/org-1/settings");
    await found("renew-form");
    expect(el("renew-explanation")!.textContent).toContain("the current certificates stay in force until it is approved");
    await user.click(el("renew-qsealc")!);
    await user.paste(PEM_QSEALC);
    await user.click(screen.getByRole("button", { name: "Renew certificates" }));
    expect((await found("renew-status")).textContent).toBe(RENEWAL_SUBMITTED_NOTICE);
    await waitFor(() => expect(el("renewal-state")!.textContent).toBe("This renewal waits for the bank's decision."));
    expect(el("renew-form")).toBeNull();
    expect(el("renewal-qsealc-proof")!.textContent).toMatch(/^Proven by signing a challenge on .* by ada@example\.com\.$/);
  });

  it("shows the server's refusal at its field, and never sends a pasted private key", async () => {
    const message = "Your new QWAC belongs to the organization PSDBE-NBB-9999999999, but this organization is PSDBE-NBB-0123456789.";
    const { requests } = server({
      "GET /api/organizations/org-1": () => json(200, org("sandbox", "OWNER")),
      [RENEWAL_PATH]: () =>
        json(400, { code: "VALIDATION_FAILED", message: "Some fields need your attention.", requestId: "r", fields: [{ field: "qwac", rule: "organizationIdentifierChanged", message }] }),
    });
    const user = userEvent.setup();
    renderApp("/organizations/org-1/settings");
    await found("renew-form");
    await user.click(el("renew-qwac")!);
    await user.paste("-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----");
    await user.click(screen.getByRole("button", { name: "Renew certificates" }));
    expect(requests.some((r) => r.method === "POST")).toBe(false);
    await user.clear(el("renew-qwac")!);
    await user.click(el("renew-qwac")!);
    await user.paste(PEM_QWAC);
    await user.click(screen.getByRole("button", { name: "Renew certificates" }));
    await waitFor(() => expect(el("renew-qwac-error")?.textContent).toContain(message));
    expect(el("renewal")).toBeNull();
  });
});
