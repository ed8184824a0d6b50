import { render } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Certificate } from "../api/types";
import { QWAC } from "../test/fixtures";
import { CertificateDetails } from "./CertificateDetails";

const text = (id: string) => document.getElementById(id)?.textContent;

describe("CertificateDetails", () => {
  it("shows what the certificate says, item by item", () => {
    render(<CertificateDetails id="qwac-details" title="What your QWAC says" certificate={QWAC} />);

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
});
