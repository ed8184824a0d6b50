import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { fakeServer, json } from "../test/fakeServer";
import { ACCOUNT, PEM_QSEALC, PEM_QWAC, QSEALC, QWAC } from "../test/fixtures";
import { renderApp } from "../test/renderApp";
import { el, found } from "../test/dom";

describe("Sandbox test certificates on the onboarding page", () => {
  it("issues the QWAC first, the QSealC for the same organizationIdentifier, fills both fields and offers the downloads", async () => {
    document.cookie = "devportal_csrf=c; path=/";
    const { requests } = fakeServer({
      "GET /api/account": () => json(200, ACCOUNT),
      "GET /api/organizations": () => json(200, { organizations: [] }),
      "POST /api/organizations/certificates/preview": () => json(200, { qwac: QWAC, qsealc: QSEALC, errors: [] }),
      "POST /api/sandbox/certificates": (req) => {
        const kind = (req.body as { kind: string }).kind;
        return kind === "QWAC"
          ? json(201, { certificatePem: PEM_QWAC, privateKeyPem: "QWAC-KEY", certificate: QWAC })
          : json(201, { certificatePem: PEM_QSEALC, privateKeyPem: "QSEALC-KEY", certificate: QSEALC });
      },
    });
    const blobs: Blob[] = [];
    const createObjectURL = vi.fn((b: Blob) => {
      blobs.push(b);
      return `blob:test/${blobs.length}`;
    });
    vi.stubGlobal("URL", Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() }));
    const downloads: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      downloads.push(this.download);
    });

    const user = userEvent.setup();
    renderApp("/organizations/onboard");
    await user.type(await found("onboard-company"), "Acme Payments Ltd");
    // The organization name follows the company field until edited.
    expect((el("sandboxcert-organizationName") as HTMLInputElement).value).toBe("Acme Payments Ltd");
    await user.type(el("sandboxcert-country")!, "be");
    await user.click(el("sandboxcert-roles-PIIS")!); // all three are ticked by default: untick PIIS
    await user.click(el("issue-test-certificates")!);

    await found("sandboxcert-result");
    const posts = requests.filter((r) => r.path === "/api/sandbox/certificates").map((r) => r.body);
    expect(posts).toEqual([
      { kind: "QWAC", organizationName: "Acme Payments Ltd", country: "BE", roles: ["AIS", "PIS"] },
      { kind: "QSealC", organizationName: "Acme Payments Ltd", country: "BE", roles: ["AIS", "PIS"], organizationIdentifier: "PSDBE-NBB-0123456789" },
    ]);
    await waitFor(() => expect((el("onboard-qsealc") as HTMLTextAreaElement).value).toBe(PEM_QSEALC));
    expect((el("onboard-qwac") as HTMLTextAreaElement).value).toBe(PEM_QWAC);
    // The onboarding services follow the certificates when none was chosen.
    expect((el("onboard-roles-AIS") as HTMLInputElement).checked).toBe(true);
    expect((el("onboard-roles-PIIS") as HTMLInputElement).checked).toBe(false);
    expect(el("sandboxcert-key-warning")!.textContent).toContain("never stored by the portal");

    await user.click(el("download-qwac")!);
    await user.click(el("download-qwac-key")!);
    await user.click(el("download-qsealc")!);
    await user.click(el("download-qsealc-key")!);
    expect(downloads).toEqual(["acme-payments-ltd-qwac.pem", "acme-payments-ltd-qwac-key.pem", "acme-payments-ltd-qsealc.pem", "acme-payments-ltd-qsealc-key.pem"]);
    expect(await Promise.all(blobs.map((b) => b.text()))).toEqual([PEM_QWAC, "QWAC-KEY", PEM_QSEALC, "QSEALC-KEY"]);
    // The preview of the filled-in certificates follows.
    await found("qwac-details");
    await found("qsealc-details");
  });

  it("shows the server's message when the sandbox CA is not offered", async () => {
    document.cookie = "devportal_csrf=c; path=/";
    fakeServer({
      "GET /api/account": () => json(200, ACCOUNT),
      "GET /api/organizations": () => json(200, { organizations: [] }),
      "POST /api/sandbox/certificates": () =>
        json(404, { code: "SANDBOX_CA_UNAVAILABLE", message: "Test certificates are issued only in the sandbox.", requestId: "r-5" }),
    });
    const user = userEvent.setup();
    renderApp("/organizations/onboard");
    await user.type(await found("sandboxcert-organizationName"), "Acme");
    await user.type(el("sandboxcert-country")!, "DE");
    await user.click(screen.getByRole("button", { name: "Issue test certificates" }));
    const alert = await found("sandboxcert-error");
    expect(alert.querySelector(".alert-message")!.textContent).toBe("Test certificates are issued only in the sandbox.");
    expect(el("sandboxcert-result")).toBeNull();
    expect((el("onboard-qwac") as HTMLTextAreaElement).value).toBe("");
  });
});
