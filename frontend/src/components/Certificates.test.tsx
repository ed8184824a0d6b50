import { render, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { MtlsCertificate } from "../api/types";
import { expiryOf } from "../lib/apps";
import { CertificateExpiry, CertificateTable, ExpiryWarning } from "./Certificates";

const NOW = Date.parse("2025-06-01T12:00:00Z");
const DAY = 24 * 60 * 60 * 1000;
const at = (ms: number) => new Date(ms).toISOString();

const cert = (fp: string, notAfter: string, appId?: string): MtlsCertificate => ({
  sha256Fingerprint: fp,
  subject: "CN=app.example.com,O=Example TPP,C=BE",
  issuer: "CN=Developer Portal Sandbox CA,O=Developer Portal Sandbox,C=BE",
  notBefore: "2025-01-01T00:00:00Z",
  notAfter,
  pem: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
  uploadedAt: "2025-01-02T00:00:00Z",
  uploadedBy: "ada@example.com",
  appId,
});

describe("certificate expiry", () => {
  it("counts whole days left, rounding up, and flags 30 days or fewer", () => {
    expect(expiryOf(at(NOW + 31 * DAY), NOW)).toEqual({ state: "valid", days: 31 });
    expect(expiryOf(at(NOW + 30 * DAY), NOW)).toEqual({ state: "soon", days: 30 });
    expect(expiryOf(at(NOW + 1), NOW)).toEqual({ state: "soon", days: 1 });
    expect(expiryOf(at(NOW), NOW)).toEqual({ state: "expired" });
    expect(expiryOf(at(NOW - DAY), NOW)).toEqual({ state: "expired" });
  });

  it("shows the date alone while far from expiry, a warning within 30 days, and Expired after", () => {
    const { container, rerender } = render(<CertificateExpiry notAfter="2026-06-01T12:00:00Z" now={NOW} />);
    expect(container.textContent).toBe("1 June 2026");
    expect(container.querySelector(".badge")).toBeNull();

    rerender(<CertificateExpiry notAfter={at(NOW + 12 * DAY - 1000)} now={NOW} />);
    const soon = container.querySelector(".badge")!;
    expect(soon.textContent).toBe("Expires in 12 days");
    expect(soon.className).toContain("badge--warning");

    rerender(<CertificateExpiry notAfter={at(NOW + 3600_000)} now={NOW} />);
    expect(container.querySelector(".badge")!.textContent).toBe("Expires in 1 day");

    rerender(<CertificateExpiry notAfter={at(NOW - 1000)} now={NOW} />);
    expect(container.querySelector(".badge")!.textContent).toBe("Expired");
  });

  it("warns above a list only when one of its certificates is close to expiry", () => {
    const far = cert("a".repeat(64), at(NOW + 200 * DAY));
    const { rerender } = render(
      <ExpiryWarning id="w" certificates={[far]} now={NOW}>
        Renew it.
      </ExpiryWarning>,
    );
    expect(document.getElementById("w")).toBeNull();
    rerender(
      <ExpiryWarning id="w" certificates={[far, cert("b".repeat(64), at(NOW + 5 * DAY))]} now={NOW}>
        Renew it.
      </ExpiryWarning>,
    );
    expect(document.getElementById("w")!.textContent).toBe("Renew it.");
  });

  it("lists subject, issuer, fingerprint, expiry, the app each certificate belongs to and whether its key is proven", () => {
    const fp = "0123456789abcdef".repeat(4);
    const proven = { ...cert(fp, at(NOW + 10 * DAY), "app-1"), possession: { method: "signature" as const, at: "2025-01-03T09:00:00Z", by: "ada@example.com" } };
    render(<CertificateTable id="t" caption="Certificates" certificates={[proven, cert("f".repeat(64), at(NOW + 400 * DAY))]} appNames={{ "app-1": "Budget Buddy" }} now={NOW} />);
    const rows = within(document.getElementById("t")!).getAllByRole("row").slice(1);
    const cells = (r: HTMLElement) => Array.from(r.querySelectorAll("th, td")).map((c) => c.textContent);
    expect(cells(rows[0])).toEqual([
      "CN=app.example.com, O=Example TPP, C=BE",
      "CN=Developer Portal Sandbox CA, O=Developer Portal Sandbox, C=BE",
      fp,
      `${new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric" }).format(NOW + 10 * DAY)}Expires in 10 days`,
      "Budget Buddy",
      "Proven",
    ]);
    expect(rows[0].querySelector("[data-proven]")!.getAttribute("data-proven")).toBe("signature");
    expect(cells(rows[1]).slice(4)).toEqual(["No app", "Not proven"]);
  });
});

describe("revoked certificates", () => {
  it("marks a revoked certificate in the table with when and why, and leaves the others unmarked", () => {
    const revoked: MtlsCertificate = {
      ...cert("c".repeat(64), at(NOW + 200 * DAY)),
      revokedAt: "2025-05-20T08:00:00Z",
      revocationReason: "keyCompromise",
      revokedBy: "ada@example.com",
    };
    const valid = cert("d".repeat(64), at(NOW + 100 * DAY));
    render(<CertificateTable id="t" caption="Certificates" certificates={[revoked, valid]} now={NOW} />);
    const mark = document.getElementById(`certificate-revoked-${"c".repeat(64)}`)!;
    expect(within(mark).getByText("Revoked").className).toContain("badge--error");
    expect(mark.textContent).toBe("Revoked on 20 May 2025 (keyCompromise): apps cannot use it");
    expect(mark.querySelector("time")!.getAttribute("datetime")).toBe("2025-05-20T08:00:00Z");
    expect(document.getElementById(`certificate-revoked-${"d".repeat(64)}`)).toBeNull();
  });
});
