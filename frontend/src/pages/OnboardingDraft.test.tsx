import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Challenge } from "../api/types";
import { el, found } from "../test/dom";
import { fakeServer, json, type RecordedRequest } from "../test/fakeServer";
import { ACCOUNT, PEM_QSEALC, PEM_QWAC, QSEALC, QWAC } from "../test/fixtures";
import { location, renderApp } from "../test/renderApp";
import { DRAFT_NOTICE } from "./OnboardPage";
import { ONBOARDING_SUBMITTED } from "./organization/OnboardingPossessionSection";

const challenge = (kind: string, n: number): Challenge => ({
  sha256Fingerprint: kind === "qwac" ? QWAC.sha256Fingerprint : QSEALC.sha256Fingerprint,
  challenge: `devportal-possession org=org-1 sha256=${kind} nonce=${n}`,
  expiresAt: "2099-01-01T10:15:00Z",
  keyAlgorithm: "EC",
  commands: { rsa: `rsa ${kind} ${n}`, rsaPss: `pss ${kind} ${n}`, ec: `ec ${kind} ${n}` },
});
const ISSUED = { method: "issuance" as const, at: "2025-03-01T09:00:00Z", by: "ada@example.com" };
const SIGNED = { method: "signature" as const, at: "2025-03-01T10:05:00Z", by: "ada@example.com" };

/** A draft onboarding: its QWAC the portal issued to the owner, its QSealC unproven. */
const draft = (qsealc: Record<string, unknown>) => ({
  id: "org-1",
  name: "Example TPP",
  environment: "sandbox",
  status: "DRAFT",
  role: "OWNER",
  contact: { firstName: "Ada", lastName: "Lovelace", email: "ada@example.com", phone: "+32 2 123 45 67" },
  services: ["AIS"],
  organizationIdentifier: "PSDBE-NBB-0123456789",
  members: 1,
  maxMembers: 10,
  createdAt: "2025-03-01T10:00:00Z",
  certificates: [
    { kind: "qwac", sha256Fingerprint: QWAC.sha256Fingerprint, subject: QWAC.subject.dn, possession: ISSUED },
    { kind: "qsealc", sha256Fingerprint: QSEALC.sha256Fingerprint, subject: QSEALC.subject.dn, ...qsealc },
  ],
});

function server(routes: Record<string, (req: RecordedRequest) => Response>) {
  document.cookie = "devportal_csrf=c; path=/";
  return fakeServer({
    "GET /api/account": () => json(200, ACCOUNT),
    "GET /api/organizations": () => json(200, { organizations: [] }),
    "GET /api/organizations/org-1/members": () => json(200, { members: [] }),
    "GET /api/organizations/org-1/requests": () => json(200, { requests: [] }),
    "GET /api/organizations/org-1/audit": () => json(200, { entries: [] }),
    ...routes,
  });
}

describe("a draft onboarding", () => {
  it("is where onboarding lands when a key is unproven, with each certificate's state and challenge", async () => {
    server({
      "POST /api/organizations/certificates/preview": () => json(200, { qwac: QWAC, qsealc: QSEALC, errors: [] }),
      "POST /api/organizations": () => json(202, { organization: draft({ challenge: challenge("qsealc", 1) }) }),
      "GET /api/organizations/org-1": () => json(200, draft({ challenge: challenge("qsealc", 1) })),
    });
    const user = userEvent.setup();
    renderApp("/organizations/onboard");
    await found("onboard-form");
    expect(el("onboard-possession-hint")!.textContent).toContain("you sign a challenge with each key");
    await user.type(el("onboard-firstName")!, "Ada");
    await user.type(el("onboard-lastName")!, "Lovelace");
    await user.type(el("onboard-email")!, "ada@example.com");
    await user.type(el("onboard-phone")!, "+32 2 123 45 67");
    await user.type(el("onboard-company")!, "Example TPP");
    await user.click(el("onboard-roles-AIS")!);
    await user.click(el("onboard-qwac")!);
    await user.paste(PEM_QWAC);
    await user.click(el("onboard-qsealc")!);
    await user.paste(PEM_QSEALC);
    await user.click(screen.getByRole("button", { name: "Submit for approval" }));

    await waitFor(() => expect(location.current).toBe("/organizations/org-1"));
    expect((await found("org-notice")).textContent).toBe(DRAFT_NOTICE);
    expect(el("org-status")!.textContent).toBe("Draft");
    expect(el("org-status-explanation")!.textContent).toContain("Not submitted yet");
    const section = await found("onboarding-possession");
    expect(within(section).getByRole("heading", { level: 2 }).textContent).toBe("Complete the onboarding");
    expect(el("onboarding-qwac-state")!.textContent).toBe("Proven");
    expect(el("onboarding-qwac-proof")!.textContent).toMatch(/^Proven by issuance \(the sandbox CA issued it with its key\) on .* by ada@example.com\.$/);
    expect(el("onboarding-possession-qwac-form")).toBeNull();
    expect(el("onboarding-qsealc-state")!.textContent).toBe("Not proven");
    expect(el("onboarding-possession-qsealc-text")!.textContent).toBe(challenge("qsealc", 1).challenge);
    expect(el("onboarding-possession-qsealc-command-ec")!.textContent).toBe("ec qsealc 1");
  });

  it("submits itself with the proof of the last key, and says so", async () => {
    let submitted = false;
    const { requests } = server({
      "GET /api/organizations/org-1": () =>
        json(200, submitted ? { ...draft({ possession: SIGNED }), status: "PENDING_APPROVAL" } : draft({ challenge: challenge("qsealc", 1) })),
      [`POST /api/organizations/org-1/certificates/${QSEALC.sha256Fingerprint}/possession`]: () => {
        submitted = true;
        return json(200, { sha256Fingerprint: QSEALC.sha256Fingerprint, possession: SIGNED, request: { id: "rq-1", status: "PENDING" } });
      },
    });
    const user = userEvent.setup();
    renderApp("/organizations/org-1");
    await found("onboarding-possession-qsealc-form");
    await user.type(el("onboarding-possession-qsealc-signature")!, "MEUCIQ==");
    await user.click(screen.getByRole("button", { name: "Prove possession" }));
    expect((await found("org-notice")).textContent).toBe(ONBOARDING_SUBMITTED);
    await waitFor(() => expect(el("org-status")!.textContent).toBe("Pending approval"));
    expect(el("onboarding-possession")).toBeNull();
    const post = requests.find((r) => r.method === "POST")!;
    expect(post.body).toEqual({ challenge: challenge("qsealc", 1).challenge, signature: "MEUCIQ==" });
  });

  it("shows a member who is not the owner the state only", async () => {
    server({ "GET /api/organizations/org-1": () => json(200, { ...draft({}), role: "ADMIN" }) });
    renderApp("/organizations/org-1");
    const qseal = await found("onboarding-qsealc");
    expect(qseal.textContent).toContain("The organization's owner proves possession of this key.");
    expect(document.querySelector("form.possession")).toBeNull();
  });
});
