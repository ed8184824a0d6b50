import { render } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it } from "vitest";
import { CertificateFile, certificateText } from "./CertificateFile";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIBkTCB+wIJ\n-----END CERTIFICATE-----\n";
const DER = new Uint8Array([0x30, 0x82, 0x01, 0x91, 0x30, 0x81, 0xfb, 0xff, 0x00]);

describe("certificate files", () => {
  it.each([
    { name: "PEM as text", file: new Blob([PEM]), want: PEM },
    { name: "PEM with CRLF line ends", file: new Blob(["\r\n" + PEM.replaceAll("\n", "\r\n")]), want: "\r\n" + PEM.replaceAll("\n", "\r\n") },
    { name: "DER as base64", file: new Blob([DER]), want: "MIIBkTCB+/8A" },
  ])("reads $name", async ({ file, want }) => {
    expect(await certificateText(file)).toBe(want);
  });

  function Harness() {
    const [text, setText] = useState("");
    return (
      <>
        <CertificateFile id="f-file" label="Or choose a file" onLoaded={setText} />
        <output id="f-text">{text}</output>
      </>
    );
  }

  it("puts a chosen file into the field, and refuses a file too large to be a certificate", async () => {
    const user = userEvent.setup();
    render(<Harness />);
    const input = document.getElementById("f-file") as HTMLInputElement;
    expect(input.getAttribute("accept")).toBe(".pem,.crt,.cer,.der,application/x-x509-ca-cert,application/pkix-cert");
    expect(document.querySelector('label[for="f-file"]')!.textContent).toBe("Or choose a file");
    await user.upload(input, new File([DER], "app.der"));
    await expect.poll(() => document.getElementById("f-text")!.textContent).toBe("MIIBkTCB+/8A");

    await user.upload(input, new File(["x".repeat(20_000)], "bundle.pem"));
    await expect.poll(() => document.getElementById("f-file-error")?.textContent).toBe(
      "bundle.pem is 20,000 bytes: a certificate file is at most 15,000. Choose the certificate itself.",
    );
    expect(document.getElementById("f-text")!.textContent).toBe("MIIBkTCB+/8A");
  });
});
