import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { fakeServer, json, POLICY } from "../test/fakeServer";
import { ACCOUNT, OPS_ACCOUNT } from "../test/fixtures";
import { el, found } from "../test/dom";
import { location, renderApp } from "../test/renderApp";
import { groupSecret } from "./TwoStepSignIn";

const SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const SETUP = {
  secret: SECRET,
  otpauthUri: `otpauth://totp/Open%20Banking%20Developer%20Portal:ada@example.com?algorithm=SHA1&digits=6&issuer=Open+Banking+Developer+Portal&period=30&secret=${SECRET}`,
  issuer: "Open Banking Developer Portal",
  account: "ada@example.com",
};
const wrongCode = () =>
  json(400, {
    code: "VALIDATION_FAILED",
    message: "Some fields need your attention.",
    requestId: "r1",
    fields: [{ field: "code", rule: "incorrect", message: "This code is not correct. Enter the 6 digits your authenticator app shows now." }],
  });

beforeEach(() => {
  document.cookie = "devportal_csrf=c; path=/";
});

describe("Two-step sign-in on My account", () => {
  it("sets up an authenticator app: QR code and key, a wrong code named on the field, then on", async () => {
    let codes = 0;
    const { requests } = fakeServer({
      "GET /api/account": () => json(200, ACCOUNT),
      "POST /api/auth/mfa/setup": () => json(200, SETUP),
      "POST /api/auth/mfa/verify": () => (++codes === 1 ? wrongCode() : json(200, { ...ACCOUNT, mfaEnabled: true })),
    });
    const user = userEvent.setup();
    renderApp("/account");
    expect((await found("mfa-status")).textContent).toMatch(/^Off\./);
    await user.click(screen.getByRole("button", { name: "Set up two-step sign-in" }));

    const qr = await found("mfa-qr");
    expect(qr.getAttribute("aria-label")).toBe("QR code to add this account to an authenticator app");
    expect(qr.querySelector("path")!.getAttribute("d")).toMatch(/^M\d+ \d+h1v1h-1z/);
    expect(el("mfa-secret")!.textContent).toBe("JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP");

    await user.type(el("mfa-verify-code")!, "111111");
    await user.click(screen.getByRole("button", { name: "Turn on two-step sign-in" }));
    expect((await found("mfa-verify-code-error")).textContent).toBe("This code is not correct. Enter the 6 digits your authenticator app shows now.");

    await user.clear(el("mfa-verify-code")!);
    await user.type(el("mfa-verify-code")!, "287 082");
    await user.click(screen.getByRole("button", { name: "Turn on two-step sign-in" }));
    await waitFor(() => expect(el("mfa-status")!.textContent).toMatch(/^On\./));
    expect(el("mfa-secret")).toBeNull();
    expect(requests.filter((r) => r.method === "POST").map((r) => [r.path, r.body])).toEqual([
      ["/api/auth/mfa/setup", undefined],
      ["/api/auth/mfa/verify", { code: "111111" }],
      ["/api/auth/mfa/verify", { code: "287082" }],
    ]);
  });

  it("turns it off after the user confirms, and their password when it is not fresh", async () => {
    let confirmed = false;
    const { requests } = fakeServer({
      "GET /api/account": () => json(200, { ...ACCOUNT, mfaEnabled: true }),
      "DELETE /api/auth/mfa": () =>
        confirmed ? json(200, ACCOUNT) : json(403, { code: "REAUTHENTICATION_REQUIRED", message: "Confirm your password to do this.", requestId: "r1" }),
      "POST /api/auth/confirm-password": () => {
        confirmed = true;
        return json(200, { message: "Password confirmed." });
      },
    });
    const user = userEvent.setup();
    renderApp("/account");
    await user.click(await screen.findByRole("button", { name: "Turn off two-step sign-in" }));
    expect(screen.getByRole("dialog").textContent).toContain("Signing in will need only your password.");
    await user.click(el("mfa-disable-dialog-confirm")!);
    await screen.findByRole("dialog", { name: "Confirm your password" });
    await user.type(el("reauth-password")!, "Sup3r-Secret!");
    await user.keyboard("{Enter}");
    await waitFor(() => expect(el("mfa-status")!.textContent).toMatch(/^Off\./));
    expect(requests.filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path}`)).toEqual([
      "DELETE /api/auth/mfa",
      "POST /api/auth/confirm-password",
      "DELETE /api/auth/mfa",
    ]);
  });

  it("asks for the app's code when changing the password with two-step sign-in on", async () => {
    const { requests } = fakeServer({
      "GET /api/account": () => json(200, { ...ACCOUNT, mfaEnabled: true }),
      "GET /api/auth/password-policy": () => json(200, POLICY),
      "POST /api/account/password": () => json(200, { ...ACCOUNT, mfaEnabled: true, passwordExpiresInDays: 730 }),
    });
    const user = userEvent.setup();
    renderApp("/account/password");
    await user.type(await found("password-currentPassword"), "Old-Passw0rd!x");
    await user.type(el("password-newPassword")!, "N3w-Passw0rd!x");
    await user.type(el("password-newPasswordConfirmation")!, "N3w-Passw0rd!x");
    await user.type(el("password-code")!, "246 810");
    await user.click(screen.getByRole("button", { name: "Change password" }));
    await found("change-password-success");
    expect(requests.find((r) => r.method === "POST")!.body).toEqual({
      currentPassword: "Old-Passw0rd!x",
      newPassword: "N3w-Passw0rd!x",
      newPasswordConfirmation: "N3w-Passw0rd!x",
      code: "246810",
    });
  });

  it("offers operations staff no way to turn it off", async () => {
    fakeServer({ "GET /api/account": () => json(200, { ...OPS_ACCOUNT, mfaEnabled: true }) });
    renderApp("/account");
    expect((await found("mfa-kept")).textContent).toBe("Operations staff keep two-step sign-in on.");
    expect(screen.queryByRole("button", { name: "Turn off two-step sign-in" })).toBeNull();
  });

  it("sends operations staff without an app to its set-up, whatever page they open", async () => {
    fakeServer({ "GET /api/account": () => json(200, { ...OPS_ACCOUNT, mfaSetupRequired: true }) });
    renderApp("/ops");
    await waitFor(() => expect(location.current).toBe("/account"));
    expect((await found("mfa-required")).textContent).toContain("Set up two-step sign-in to continue.");
    expect(el("account-form")).toBeNull();
    expect(screen.getByRole("button", { name: "Set up two-step sign-in" })).toBeTruthy();
  });

  it("groups the key in fours", () => {
    expect(groupSecret("ABCDEFGHIJ")).toBe("ABCD EFGH IJ");
    expect(groupSecret("ABCD")).toBe("ABCD");
  });
});

describe("Signing in with a code", () => {
  const login = async (user: ReturnType<typeof userEvent.setup>) => {
    await user.type(await screen.findByLabelText("Email"), "ada@example.com");
    await user.type(el("login-password")!, "Sup3r-Secret!");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
  };

  it("asks for the code after the password, names a wrong one, and signs in with the right one", async () => {
    let signedIn = false;
    let tries = 0;
    const { requests } = fakeServer({
      "GET /api/account": () => (signedIn ? json(200, { ...ACCOUNT, mfaEnabled: true }) : json(401, { code: "UNAUTHENTICATED", message: "Sign in.", requestId: "r" })),
      "POST /api/auth/login": () => json(202, { challenge: "sealed-challenge", message: "Enter the code." }),
      "POST /api/auth/login/mfa": () => {
        if (++tries === 1) return wrongCode();
        signedIn = true;
        return json(200, { account: { ...ACCOUNT, mfaEnabled: true }, passwordExpiryWarning: false });
      },
    });
    const user = userEvent.setup();
    renderApp("/login");
    await login(user);
    expect((await found("login-code-intro")).textContent).toBe(
      "Open the authenticator app you set up for this portal and enter the 6-digit code it shows for ada@example.com.",
    );
    await user.type(el("login-code-code")!, "000000");
    await user.click(screen.getByRole("button", { name: "Continue" }));
    expect((await found("login-code-code-error")).textContent).toBe("This code is not correct. Enter the 6 digits your authenticator app shows now.");
    await user.clear(el("login-code-code")!);
    await user.type(el("login-code-code")!, "287082");
    await user.click(screen.getByRole("button", { name: "Continue" }));
    await waitFor(() => expect(location.current).toBe("/account"));
    expect(requests.filter((r) => r.path === "/api/auth/login/mfa").map((r) => r.body)).toEqual([
      { email: "ada@example.com", challenge: "sealed-challenge", code: "000000" },
      { email: "ada@example.com", challenge: "sealed-challenge", code: "287082" },
    ]);
  });

  it("goes back to the password when the sign-in has ended", async () => {
    fakeServer({
      "GET /api/account": () => json(401, { code: "UNAUTHENTICATED", message: "Sign in.", requestId: "r" }),
      "POST /api/auth/login": () => json(202, { challenge: "sealed-challenge", message: "Enter the code." }),
      "POST /api/auth/login/mfa": () =>
        json(401, { code: "MFA_CHALLENGE_ENDED", message: "This sign-in has ended. Sign in again with your password.", requestId: "r2" }),
    });
    const user = userEvent.setup();
    renderApp("/login");
    await login(user);
    await user.type(await found("login-code-code"), "287082");
    await user.click(screen.getByRole("button", { name: "Continue" }));
    expect((await found("login-challenge-ended")).textContent).toBe("This sign-in has ended. Sign in again with your password.");
    expect((el("login-password") as HTMLInputElement).value).toBe("");
  });

  it("leads operations staff without an app to its set-up after the password", async () => {
    let signedIn = false;
    const me = { ...OPS_ACCOUNT, mfaSetupRequired: true };
    fakeServer({
      "GET /api/account": () => (signedIn ? json(200, me) : json(401, { code: "UNAUTHENTICATED", message: "Sign in.", requestId: "r" })),
      "POST /api/auth/login": () => {
        signedIn = true;
        return json(200, { account: me, passwordExpiryWarning: false });
      },
    });
    const user = userEvent.setup();
    renderApp("/login?next=%2Fops");
    await login(user);
    await waitFor(() => expect(location.current).toBe("/account"));
    expect((await found("mfa-required")).textContent).toContain("The operations pages open once it is set up.");
  });
});
