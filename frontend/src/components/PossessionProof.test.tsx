import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Challenge, MtlsCertificate } from "../api/types";
import { AuthProvider } from "../auth/AuthContext";
import { el, found } from "../test/dom";
import { fakeServer, json } from "../test/fakeServer";
import { ACCOUNT } from "../test/fixtures";
import { CertificateUploadForm } from "./Certificates";
import { PossessionProof, PossessionState } from "./PossessionProof";

const FP = "ab".repeat(32);
const challenge = (n: number): Challenge => ({
  sha256Fingerprint: FP,
  challenge: `devportal-possession org=org-1 sha256=${FP} expires=2099-01-01T10:15:00Z nonce=n${n}`,
  expiresAt: "2099-01-01T10:15:00Z",
  keyAlgorithm: "EC",
  commands: {
    rsa: `printf '%s' 'c${n}' | openssl dgst -sha256 -sign key.pem | base64 -w0`,
    rsaPss: `printf '%s' 'c${n}' | openssl dgst -sha256 -sign key.pem -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:-1 | base64 -w0`,
    ec: `printf '%s' 'c${n}' | openssl dgst -sha256 -sign key.pem | base64 -w0`,
  },
});
const CERT: MtlsCertificate = {
  sha256Fingerprint: FP,
  subject: "CN=real-tpp.example,O=Real TPP,C=BE",
  issuer: "CN=Some CA,C=BE",
  notBefore: "2025-01-01T00:00:00Z",
  notAfter: "2099-01-01T00:00:00Z",
  pem: "PEM",
  uploadedAt: "2025-03-02T10:00:00Z",
  uploadedBy: "ada@example.com",
};
const PROOF = { method: "signature" as const, at: "2025-03-02T10:05:00Z", by: "ada@example.com" };
const MISMATCH =
  "This signature was not made with this certificate's private key over this challenge. Sign the challenge exactly as shown, with the private key that belongs to the certificate.";
const EXPIRED = "This challenge expired at 10:15 on 1 January 2099 UTC: a challenge is valid for 15 minutes. Request a new one and sign it.";

function withApp(ui: React.ReactNode) {
  return render(
    <MemoryRouter>
      <AuthProvider>{ui}</AuthProvider>
    </MemoryRouter>,
  );
}

afterEach(() => vi.unstubAllGlobals());

describe("PossessionProof", () => {
  it("shows the challenge with the openssl commands for RSA and EC keys, copies them, and sends the pasted signature", async () => {
    document.cookie = "devportal_csrf=c; path=/";
    const { requests } = fakeServer({
      "GET /api/account": () => json(200, ACCOUNT),
      [`POST /api/organizations/org-1/certificates/${FP}/possession`]: (req) => {
        const body = req.body as { signature: string };
        if (body.signature === "wrong") return json(400, { code: "VALIDATION_FAILED", message: "Some fields need your attention.", fields: [{ field: "signature", rule: "mismatch", message: MISMATCH }], requestId: "r1" });
        if (body.signature === "late") return json(400, { code: "VALIDATION_FAILED", message: "Some fields need your attention.", fields: [{ field: "challenge", rule: "expired", message: EXPIRED }], requestId: "r2" });
        return json(200, { sha256Fingerprint: FP, possession: PROOF });
      },
    });
    const writeText = vi.fn(async () => undefined);
    const user = userEvent.setup();
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    const proven = vi.fn();
    const stale = vi.fn();
    withApp(<PossessionProof form="proof" subject="this certificate" orgId="org-1" challenge={challenge(1)} onProven={proven} onStale={stale} />);
    expect(el("proof-form")!.textContent).toContain("A certificate is public: anyone can paste it.");
    expect(el("proof-text")!.textContent).toBe(challenge(1).challenge);
    expect(el("proof-algorithm")!.textContent).toBe("EC");
    expect(el("proof-command-rsa")!.textContent).toBe(challenge(1).commands.rsa);
    expect(el("proof-command-rsaPss")!.textContent).toBe(challenge(1).commands.rsaPss);
    expect(el("proof-command-ec")!.textContent).toBe(challenge(1).commands.ec);
    // The EC command is marked as the one for this certificate's key.
    const marked = Array.from(document.querySelectorAll(".command[data-yours]")).map((c) => c.querySelector("code")!.id);
    expect(marked).toEqual(["proof-command-ec"]);

    await user.click(el("proof-copy-ec")!);
    expect(writeText).toHaveBeenCalledWith(challenge(1).commands.ec);
    expect(el("proof-copied")!.textContent).toBe("Copied the EC command.");

    // A signature of another key: the message stands next to the field.
    await user.type(el("proof-signature")!, "wrong");
    await user.click(screen.getByRole("button", { name: "Prove possession" }));
    expect((await found("proof-signature-error")).textContent).toBe(MISMATCH);
    expect(el("proof-signature")!.getAttribute("aria-invalid")).toBe("true");
    expect(el("proof-new-challenge")).toBeNull();
    // Too late: the form says so and offers the new challenge.
    await user.clear(el("proof-signature")!);
    await user.type(el("proof-signature")!, "late");
    await user.click(screen.getByRole("button", { name: "Prove possession" }));
    expect((await found("proof-error")).textContent).toContain(EXPIRED);
    await user.click(el("proof-new-challenge")!);
    expect(stale).toHaveBeenCalledTimes(1);

    await user.clear(el("proof-signature")!);
    await user.type(el("proof-signature")!, "MEUCIQ==");
    await user.click(screen.getByRole("button", { name: "Prove possession" }));
    await waitFor(() => expect(proven).toHaveBeenCalledWith({ sha256Fingerprint: FP, possession: PROOF }));
    const sent = requests.filter((r) => r.path.endsWith("/possession")).map((r) => r.body);
    expect(sent).toEqual([
      { challenge: challenge(1).challenge, signature: "wrong" },
      { challenge: challenge(1).challenge, signature: "late" },
      { challenge: challenge(1).challenge, signature: "MEUCIQ==" },
    ]);
  });

  it("offers an mTLS certificate's proof by connecting with it, and checks again when asked", async () => {
    fakeServer({ "GET /api/account": () => json(200, ACCOUNT) });
    const writeText = vi.fn(async () => undefined);
    const user = userEvent.setup();
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    const stale = vi.fn();
    const command = `curl --cert cert.pem --key key.pem -H 'Content-Type: application/json' -d '{"challenge":"c"}' https://api.bank.example/certificate-check`;
    const withHandshake = { ...challenge(1), handshake: { url: "https://api.bank.example/certificate-check", command } };
    withApp(<PossessionProof form="proof" subject="this certificate" orgId="org-1" challenge={withHandshake} onProven={vi.fn()} onStale={stale} />);
    expect(el("proof-handshake-heading")!.textContent).toBe("Or connect once with the certificate");
    expect(el("proof-command-handshake")!.textContent).toBe(command);
    await user.click(el("proof-copy-handshake")!);
    expect(writeText).toHaveBeenCalledWith(command);
    expect(el("proof-copied")!.textContent).toBe("Copied the connection command.");
    await user.click(el("proof-check")!);
    expect(stale).toHaveBeenCalledTimes(1);
  });

  it("shows no connection command for a certificate proven only by signature", () => {
    withApp(<PossessionProof form="proof" subject="the QWAC" orgId="org-1" challenge={challenge(1)} onProven={vi.fn()} onStale={vi.fn()} />);
    expect(el("proof-handshake")).toBeNull();
  });

  it("says whether a key is proven, and how and when in its title", () => {
    render(
      <>
        <PossessionState id="a" possession={PROOF} />
        <PossessionState id="b" possession={{ ...PROOF, method: "issuance" }} />
        <PossessionState id="c" />
        <PossessionState id="d" possession={{ ...PROOF, method: "handshake" }} />
      </>,
    );
    expect(el("d")!.title).toMatch(/^By connecting with it, /);
    expect(el("a")!.textContent).toBe("Proven");
    expect(el("a")!.title).toMatch(/^By signature, .*, ada@example.com$/);
    expect(el("b")!.title).toMatch(/^By issuance, /);
    expect(el("c")!.textContent).toBe("Not proven");
    expect(el("c")!.className).toContain("badge--warning");
  });
});

const SANDBOX_ORG = { id: "org-1", environment: "sandbox", organizationIdentifier: "PSDBE-NBB-0123456789" } as const;

describe("CertificateUploadForm", () => {
  it("asks for the proof of an uploaded certificate the portal did not issue, and says when it is proven", async () => {
    document.cookie = "devportal_csrf=c; path=/";
    fakeServer({
      "GET /api/account": () => json(200, ACCOUNT),
      "POST /api/organizations/org-1/certificates": () => json(201, { ...CERT, challenge: challenge(1) }),
      "GET /api/organizations/org-1/certificates": () => json(200, { certificates: [{ ...CERT, challenge: challenge(2) }] }),
      [`POST /api/organizations/org-1/certificates/${FP}/possession`]: (req) =>
        (req.body as { challenge: string }).challenge === challenge(1).challenge
          ? json(400, { code: "VALIDATION_FAILED", message: "Some fields need your attention.", fields: [{ field: "challenge", rule: "expired", message: EXPIRED }], requestId: "r" })
          : json(200, { sha256Fingerprint: FP, possession: PROOF }),
    });
    const uploaded = vi.fn();
    const user = userEvent.setup();
    withApp(<CertificateUploadForm org={SANDBOX_ORG} onUploaded={uploaded} />);
    await user.type(el("certificate-upload-certificate")!, "PEM");
    await user.click(screen.getByRole("button", { name: "Upload certificate" }));
    await waitFor(() => expect(el("certificate-upload-status")!.textContent).toBe("Uploaded the certificate of CN=real-tpp.example, O=Real TPP, C=BE."));
    const panel = await found("certificate-possession-panel");
    expect(within(panel).getByRole("heading").textContent).toBe("Prove that you hold the private key of CN=real-tpp.example, O=Real TPP, C=BE");
    expect(panel.textContent).toContain("No app can use this certificate until you do.");
    expect(el("certificate-possession-text")!.textContent).toBe(challenge(1).challenge);
    // Signed too late: the new challenge the certificate list shows replaces it.
    await user.type(el("certificate-possession-signature")!, "MEUCIQ==");
    await user.click(screen.getByRole("button", { name: "Prove possession" }));
    await user.click(await found("certificate-possession-new-challenge"));
    await waitFor(() => expect(el("certificate-possession-text")!.textContent).toBe(challenge(2).challenge));
    expect((el("certificate-possession-signature") as HTMLTextAreaElement).value).toBe("");
    await user.type(el("certificate-possession-signature")!, "MEUCIQ==");
    await user.click(screen.getByRole("button", { name: "Prove possession" }));
    await waitFor(() =>
      expect(el("certificate-upload-status")!.textContent).toBe("Proved possession of the private key of CN=real-tpp.example, O=Real TPP, C=BE: apps can use the certificate now."),
    );
    expect(el("certificate-possession-panel")).toBeNull();
    expect(uploaded.mock.calls.map((c) => c[0].possession ?? null)).toEqual([null, PROOF]);
  });

  it("needs no proof for a certificate the portal issued to the user", async () => {
    document.cookie = "devportal_csrf=c; path=/";
    fakeServer({
      "GET /api/account": () => json(200, ACCOUNT),
      "POST /api/organizations/org-1/certificates": () => json(201, { ...CERT, possession: { ...PROOF, method: "issuance" } }),
    });
    const user = userEvent.setup();
    withApp(<CertificateUploadForm org={SANDBOX_ORG} onUploaded={() => undefined} />);
    await user.type(el("certificate-upload-certificate")!, "PEM");
    await user.click(screen.getByRole("button", { name: "Upload certificate" }));
    await waitFor(() => expect(el("certificate-upload-status")!.textContent).toMatch(/^Uploaded the certificate of CN=real-tpp.example, O=Real TPP, C=BE\. Proven by issuance/));
    expect(el("certificate-possession-panel")).toBeNull();
  });
});
