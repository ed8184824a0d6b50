import { describe, expect, it } from "vitest";
import { registrationSteps } from "./RegistrationGuidePage";

describe("the registration guide", () => {
  it("gives the whole sequence as commands against this deployment's TPP API, each signed", () => {
    const steps = registrationSteps("https://127.0.0.1:8443");
    expect(steps.map((s) => s.id)).toEqual([
      "reg-step-key",
      "reg-step-installation",
      "reg-step-certificate",
      "reg-step-device",
      "reg-step-session",
      "reg-step-client",
      "reg-step-callback",
    ]);
    expect(steps[1].command).toContain("https://127.0.0.1:8443/registration/installation");
    expect(steps[2].command).toContain("openssl dgst -sha256 -sign qwac-key.pem installation-pub.pem");
    for (const s of steps.slice(2)) {
      expect(s.command).toContain("X-Client-Signature: $SIG");
      expect(s.command).toContain("--cert qwac.pem --key qwac-key.pem");
    }
    expect(steps[5].command).toContain("printf '%s %s\\n%s' POST /registration/oauth-clients");
    expect(steps[5].command).toContain("X-Client-Authentication: $SESSION_TOKEN");
  });
});
