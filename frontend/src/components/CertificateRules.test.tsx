import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router";
import { describe, expect, it } from "vitest";
import { AuthProvider } from "../auth/AuthContext";
import { el, found } from "../test/dom";
import { fakeServer, json } from "../test/fakeServer";
import { ACCOUNT } from "../test/fixtures";
import { CertificateUploadForm } from "./Certificates";

const IDENT = "PSDBE-NBB-0123456789";
const MISMATCH = `This certificate belongs to the organization PSDBE-NBB-9999999999, not to yours (${IDENT}). In production an app presents a QWAC of its own organization: upload one issued to ${IDENT}.`;
const NO_QC_TYPE =
  "This certificate does not say which kind of qualified certificate it is: it has no QcType statement. A QWAC declares the type web (0.4.0.1862.1.6.3); ask your trust service provider for one that does.";

function upload(environment: "sandbox" | "production") {
  return render(
    <MemoryRouter>
      <AuthProvider>
        <CertificateUploadForm org={{ id: "org-1", environment, organizationIdentifier: IDENT }} onUploaded={() => undefined} />
      </AuthProvider>
    </MemoryRouter>,
  );
}

const items = () => Array.from(el("certificate-upload-rules-items")!.querySelectorAll("li")).map((li) => li.textContent);

describe("CertificateUploadForm rules", () => {
  it("tells a sandbox organization its easier rules", () => {
    upload("sandbox");
    expect(el("certificate-upload-rules")!.getAttribute("data-environment")).toBe("sandbox");
    expect(el("certificate-upload-rules-title")!.textContent).toBe("Sandbox rules: easier, for testing.");
    expect(items()).toEqual([
      "Any client certificate that is valid today: it need not be a QWAC nor name your organization.",
      "To call the sandbox API with it, use a certificate of the sandbox CA: a sandbox app's page issues one.",
    ]);
  });

  it("tells a production organization that the certificate is its QWAC, naming its organizationIdentifier, and shows each refused rule next to the field", async () => {
    document.cookie = "devportal_csrf=c; path=/";
    fakeServer({
      "GET /api/account": () => json(200, ACCOUNT),
      "POST /api/organizations/org-1/certificates": () =>
        json(400, {
          code: "VALIDATION_FAILED",
          message: "Some fields need your attention.",
          fields: [
            { field: "certificate", rule: "organizationMismatch", message: MISMATCH },
            { field: "certificate", rule: "noQcType", message: NO_QC_TYPE },
          ],
          requestId: "r1",
        }),
    });
    const user = userEvent.setup();
    upload("production");
    expect(el("certificate-upload-rules")!.getAttribute("data-environment")).toBe("production");
    expect(el("certificate-upload-rules-title")!.textContent).toBe("Production rules: the certificate is your organization's QWAC.");
    expect(items()).toEqual([
      "Issued by a qualified trust service provider of the bank's eIDAS truststore and valid today: certificates of the sandbox CA are refused.",
      `Its organizationIdentifier is ${IDENT}, your organization's.`,
      "Qualified (QcCompliance) of type web only, with a PSD2 statement naming your roles and your competent authority: a QSealC is refused.",
    ]);

    await user.type(el("certificate-upload-certificate")!, "PEM");
    await user.click(screen.getByRole("button", { name: "Upload certificate" }));
    const error = await found("certificate-upload-certificate-error");
    await waitFor(() => expect(error.textContent).toContain(MISMATCH));
    expect(error.textContent).toContain(NO_QC_TYPE);
    expect(el("certificate-upload-status")!.textContent).toBe("");
  });
});
