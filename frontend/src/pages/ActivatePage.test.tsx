import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router";
import { describe, expect, it } from "vitest";
import { fakeServer, json, POLICY } from "../test/fakeServer";
import { ActivatePage } from "./ActivatePage";

function renderActivate(token = "tok-1") {
  return render(
    <MemoryRouter initialEntries={[`/activate#token=${token}`]}>
      <ActivatePage />
    </MemoryRouter>,
  );
}

const ACTIVATED = { email: "ada@example.com", status: "ACTIVE", message: "Your account is active. You can sign in now." };

describe("ActivatePage", () => {
  it("activates nothing on load: it asks for the password and posts it with the token", async () => {
    document.cookie = "devportal_csrf=c; path=/";
    const { requests } = fakeServer({
      "GET /api/auth/password-policy": () => json(200, POLICY),
      "POST /api/auth/activate": () => json(200, ACTIVATED),
    });
    const user = userEvent.setup();
    renderActivate();
    const password = await screen.findByLabelText(/^Password/);
    expect(requests.filter((r) => r.method === "POST")).toEqual([]);
    expect(document.getElementById("activate-success")).toBeNull();

    await user.type(password, "Sup3r-Secret!");
    await user.click(screen.getByRole("button", { name: "Activate account" }));
    const success = await waitFor(() => {
      const el = document.getElementById("activate-success");
      expect(el).not.toBeNull();
      return el!;
    });
    expect(success.querySelector("strong")!.textContent).toBe("Your account is active. You can sign in now.");
    expect(screen.getByRole("link", { name: "Sign in" }).getAttribute("href")).toBe("/login");
    expect(requests.filter((r) => r.method === "POST").map((r) => r.body)).toEqual([{ token: "tok-1", password: "Sup3r-Secret!" }]);
  });

  it("shows a wrong password next to its field and keeps the form", async () => {
    document.cookie = "devportal_csrf=c; path=/";
    fakeServer({
      "GET /api/auth/password-policy": () => json(200, POLICY),
      "POST /api/auth/activate": () =>
        json(400, {
          code: "VALIDATION_FAILED",
          message: "Some fields need your attention.",
          fields: [{ field: "password", rule: "incorrect", message: "This is not the password chosen when the account was signed up. Enter it exactly, or choose a new password." }],
          requestId: "req-1",
        }),
    });
    const user = userEvent.setup();
    renderActivate();
    await user.type(await screen.findByLabelText(/^Password/), "Wr0ng-Secret!");
    await user.click(screen.getByRole("button", { name: "Activate account" }));
    const err = await waitFor(() => {
      const el = document.getElementById("activation-password-error");
      expect(el).not.toBeNull();
      return el!;
    });
    expect(err.textContent).toBe("This is not the password chosen when the account was signed up. Enter it exactly, or choose a new password.");
    expect(document.getElementById("activation-password")!.getAttribute("aria-invalid")).toBe("true");
    expect(document.getElementById("activation-error")!.querySelector(".alert-message")!.textContent).toBe("Some fields need your attention.");
    expect(document.getElementById("activate-success")).toBeNull();
  });

  it("lets the mailbox's owner choose a new password instead, accepting the terms, and posts it without the old one", async () => {
    document.cookie = "devportal_csrf=c; path=/";
    const message = "Your account is active with the password you just chose. You can sign in now.";
    const { requests } = fakeServer({
      "GET /api/auth/password-policy": () => json(200, POLICY),
      "POST /api/auth/activate": () => json(200, { ...ACTIVATED, message }),
    });
    const user = userEvent.setup();
    renderActivate("tok-2");
    await user.click(await screen.findByRole("button", { name: "Don't know that password? Choose a new one" }));
    expect(document.getElementById("activation-password")).toBeNull();
    await user.type(document.getElementById("activation-newPassword")!, "N3w-Secret!x");
    await user.type(document.getElementById("activation-newPasswordConfirmation")!, "N3w-Secret!x");
    await user.click(document.getElementById("activation-acceptTerms")!);
    await user.click(screen.getByRole("button", { name: "Set password and activate" }));
    await waitFor(() => expect(document.getElementById("activate-success")?.querySelector("strong")?.textContent).toBe(message));
    expect(requests.filter((r) => r.method === "POST").map((r) => r.body)).toEqual([
      { token: "tok-2", password: "", newPassword: "N3w-Secret!x", newPasswordConfirmation: "N3w-Secret!x", acceptTerms: true },
    ]);
  });

  it("shows a dead link's error with a resend link instead of the form", async () => {
    document.cookie = "devportal_csrf=c; path=/";
    fakeServer({
      "GET /api/auth/password-policy": () => json(200, POLICY),
      "POST /api/auth/activate": () => json(410, { code: "LINK_EXPIRED", message: "This link has expired. Request a new one.", requestId: "r" }),
    });
    const user = userEvent.setup();
    renderActivate();
    await user.type(await screen.findByLabelText(/^Password/), "Sup3r-Secret!");
    await user.click(screen.getByRole("button", { name: "Activate account" }));
    const panel = await waitFor(() => {
      const el = document.getElementById("activate-error");
      expect(el).not.toBeNull();
      return el!;
    });
    expect(panel.querySelector("strong")!.textContent).toBe("This link has expired. Request a new one.");
    expect(screen.getByRole("link", { name: "Request a new activation link" }).getAttribute("href")).toBe("/activation/resend");
    expect(document.getElementById("activation-form")).toBeNull();
  });
});
