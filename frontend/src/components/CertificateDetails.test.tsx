import { render } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Certificate } from "../api/types";
import { QWAC } from "../test/fixtures";
import { CertificateDetails } from "./CertificateDetails";

const text = (id: string) => document.getElementById(id)?.textContent;

// Halfway through the fixture QWAC's validity (2 January 2025 to 2 January 2027).
const MID = Date.parse("2026-01-01T00:00:00Z");

describe("CertificateDetails", () => {
  it("shows what the certificate says, item by item", () => {
    render(<CertificateDetails id="qwac-details" title="What your QWAC says" certificate={QWAC} now={MID} />);

    const section = document.getElementById("qwac-details")!;
    expect(section.tagName).toBe("SECTION");
    expect(section.getAttribute("aria-labelledby")).toBe("qwac-details-title");
    expect(text("qwac-details-title")).toBe("What your QWAC says");
    expect(text("qwac-details-subject")).toBe("CN=tpp.example.com, O=Example TPP, C=BE");
    expect(text("qwac-details-organizationIdentifier")).toBe(
      "PSDBE-NBB-0123456789 (Scheme PSD · Country BE · Authority NBB · Authorisation number 0123456789)",
    );
    expect(document.querySelector("#qwac-details-organizationIdentifier code")!.textContent).toBe("PSDBE-NBB-0123456789");
    expect(text("qwac-details-issuer")).toBe("CN=Sandbox eIDAS CA, O=Open Bank Sandbox, C=DE");
    expect(text("qwac-details-serial")).toBe("1a2b3c");
    expect(text("qwac-details-validity")).toBe("from 2 Jan 2025, 10:00 UTC to 2 Jan 2027, 09:30 UTC");
    expect(text("qwac-details-keyUsage")).toBe("digitalSignature, keyEncipherment");
    expect(text("qwac-details-extKeyUsage")).toBe("serverAuth, clientAuth");
    expect(text("qwac-details-qualified")).toBe("Qualified, website authentication (QWAC)");
    expect(text("qwac-details-roles")).toBe("PSP_AI (account information), PSP_PI (payment initiation)");
    expect(text("qwac-details-authority")).toBe("National Bank of Belgium (BE-NBB)");
    expect(text("qwac-details-fingerprint")).toBe("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");

    // Every value has its label, in order.
    const labels = Array.from(section.querySelectorAll("dt")).map((dt) => dt.textContent);
    expect(labels).toEqual([
      "Subject",
      "Organization identifier",
      "Issuer",
      "Serial number",
      "Valid",
      "Key usage",
      "Extended key usage",
      "Qualified certificate",
      "PSD2 roles",
      "Competent authority",
      "SHA-256 fingerprint",
    ]);
  });

  it("says plainly what a certificate lacks", () => {
    const bare: Certificate = {
      ...QWAC,
      subject: { commonName: "", organization: "Bare Ltd", country: "", dn: "O=Bare Ltd" },
      organizationIdentifier: undefined,
      extKeyUsage: [],
      qcCompliance: false,
      qcType: undefined,
      psd2: undefined,
    };
    render(<CertificateDetails id="c" title="Certificate" certificate={bare} />);
    expect(text("c-subject")).toBe("O=Bare Ltd");
    expect(text("c-organizationIdentifier")).toBe("None");
    expect(text("c-extKeyUsage")).toBe("—");
    expect(text("c-qualified")).toBe("Not declared qualified");
    expect(text("c-roles")).toBe("None: no PSD2 statement");
    expect(text("c-authority")).toBe("—");
  });

  it("names every type a certificate declares", () => {
    render(<CertificateDetails id="c" title="Certificate" certificate={{ ...QWAC, qcType: "web", qcTypes: ["web", "eseal"] }} />);
    expect(text("c-qualified")).toBe("Qualified, website authentication (QWAC) and electronic seal (QSealC)");
  });

  it.each([
    ["long before it ends", "2026-01-01T00:00:00Z", null],
    ["before it starts", "2025-01-01T00:00:00Z", "Not valid yet"],
    ["within 30 days of its end", "2026-12-10T12:00:00Z", "Expires in 23 days"],
    ["after its end", "2027-01-02T09:30:01Z", "Expired"],
  ])("marks its validity %s", (_, at, mark) => {
    render(<CertificateDetails id="c" title="Certificate" certificate={QWAC} now={Date.parse(at)} />);
    expect(text("c-validity-state") ?? null).toBe(mark);
    expect(text("c-validity")).toBe(`from 2 Jan 2025, 10:00 UTC to 2 Jan 2027, 09:30 UTC${mark ? ` ${mark}` : ""}`);
  });

  it.each([
    [{ trusted: true, store: "eidas" as const }, "eIDAS truststore Trusted: it chains to a qualified trust service provider of the bank's eIDAS truststore"],
    [{ trusted: true, store: "sandbox" as const }, "Sandbox CA Trusted in the sandbox only: it chains to the portal's sandbox CA, which production does not accept"],
    [{ trusted: false }, "Untrusted Not trusted: it does not chain to a CA of the eIDAS truststore or to the sandbox CA"],
  ])("says whether it chains to a trusted CA: %j", (trust, want) => {
    render(<CertificateDetails id="c" title="Certificate" certificate={QWAC} trust={trust} now={MID} />);
    expect(text("c-trust")).toBe(want);
    const labels = Array.from(document.querySelectorAll("#c dt")).map((dt) => dt.textContent);
    expect(labels.slice(2, 4)).toEqual(["Issuer", "Trust"]);
  });

  it("has no trust row where the server gave no answer", () => {
    render(<CertificateDetails id="c" title="Certificate" certificate={QWAC} now={MID} />);
    expect(document.getElementById("c-trust")).toBeNull();
  });
});
