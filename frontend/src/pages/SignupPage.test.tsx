import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router";
import { describe, expect, it } from "vitest";
import { fakeServer, json, POLICY } from "../test/fakeServer";
import { SignupPage } from "./SignupPage";

function renderSignup() {
  return render(
    <MemoryRouter initialEntries={["/signup"]}>
      <SignupPage />
    </MemoryRouter>,
  );
}

async function fillForm(user: ReturnType<typeof userEvent.setup>) {
  await user.type(document.getElementById("signup-fullName")!, "Ada Lovelace");
  await user.type(document.getElementById("signup-email")!, "ada@example.com");
  await user.type(document.getElementById("signup-password")!, "Sup3r-Secret!");
  await user.type(document.getElementById("signup-passwordConfirmation")!, "Sup3r-Secret!");
  await user.click(document.getElementById("signup-acceptTerms")!);
}

describe("SignupPage", () => {
  it("shows a server field error next to its field with aria-invalid and aria-describedby", async () => {
    document.cookie = "devportal_csrf=csrf-1; path=/";
    const { requests } = fakeServer({
      "GET /api/auth/password-policy": () => json(200, POLICY),
      "POST /api/auth/signup": () =>
        json(400, {
          code: "VALIDATION_FAILED",
          message: "Some fields need your attention.",
          fields: [{ field: "email", rule: "email", message: "Enter a valid email address." }],
          requestId: "req-7",
        }),
    });
    const user = userEvent.setup();
    renderSignup();
    await fillForm(user);
    await user.click(screen.getByRole("button", { name: "Create account" }));

    const emailError = await waitFor(() => {
      const el = document.getElementById("signup-email-error");
      expect(el).not.toBeNull();
      return el!;
    });
    expect(emailError.textContent).toBe("Enter a valid email address.");

    const email = document.getElementById("signup-email")!;
    expect(email.getAttribute("aria-invalid")).toBe("true");
    expect(email.getAttribute("aria-describedby")).toBe("signup-email-error");
    await waitFor(() => expect(document.activeElement).toBe(email));

    // Other fields are untouched.
    const fullName = document.getElementById("signup-fullName")!;
    expect(fullName.hasAttribute("aria-invalid")).toBe(false);
    // Only its counter of characters left describes it: no error.
    expect(fullName.getAttribute("aria-describedby")).toBe("signup-fullName-count");
    expect(document.getElementById("signup-fullName-error")).toBeNull();
    expect(document.getElementById("signup-password-error")).toBeNull();

    // The top-level message is in the form-level alert.
    const alert = screen.getByRole("alert");
    expect(alert.id).toBe("signup-error");
    expect(alert.querySelector(".alert-message")!.textContent).toBe("Some fields need your attention.");

    // The request carried the CSRF token and the exact body (empty organization code left out).
    const post = requests.find((r) => r.method === "POST")!;
    expect(post.path).toBe("/api/auth/signup");
    expect(post.headers.get("X-CSRF-Token")).toBe("csrf-1");
    expect(post.body).toEqual({
      fullName: "Ada Lovelace",
      email: "ada@example.com",
      password: "Sup3r-Secret!",
      passwordConfirmation: "Sup3r-Secret!",
      acceptTerms: true,
    });
    expect(screen.getByRole("button", { name: "Create account" }).hasAttribute("disabled")).toBe(false);
  });

  it("shows several field errors, keeping the organization code hint in aria-describedby", async () => {
    document.cookie = "devportal_csrf=csrf-2; path=/";
    fakeServer({
      "GET /api/auth/password-policy": () => json(200, POLICY),
      "POST /api/auth/signup": () =>
        json(400, {
          code: "VALIDATION_FAILED",
          message: "Please correct the highlighted fields.",
          fields: [
            { field: "organizationCode", rule: "unknown", message: "No organization has this code." },
            { field: "acceptTerms", rule: "accepted", message: "You must accept the Terms & Conditions." },
          ],
          requestId: "req-8",
        }),
    });
    const user = userEvent.setup();
    renderSignup();
    await user.type(document.getElementById("signup-organizationCode")!, "ORG-XYZ");
    await user.click(screen.getByRole("button", { name: "Create account" }));

    await waitFor(() => expect(document.getElementById("signup-organizationCode-error")).not.toBeNull());
    const org = document.getElementById("signup-organizationCode")!;
    expect(org.getAttribute("aria-invalid")).toBe("true");
    expect(org.getAttribute("aria-describedby")).toBe("signup-organizationCode-hint signup-organizationCode-error");
    expect(document.getElementById("signup-organizationCode-error")!.textContent).toBe("No organization has this code.");

    const terms = document.getElementById("signup-acceptTerms")!;
    expect(terms.getAttribute("aria-invalid")).toBe("true");
    expect(terms.getAttribute("aria-describedby")).toBe("signup-acceptTerms-error");
    expect(document.getElementById("signup-acceptTerms-error")!.textContent).toBe("You must accept the Terms & Conditions.");
    // Focus goes to the first invalid field in form order.
    await waitFor(() => expect(document.activeElement).toBe(org));
  });

  it("replaces the form with the success panel on 201", async () => {
    document.cookie = "devportal_csrf=csrf-3; path=/";
    fakeServer({
      "GET /api/auth/password-policy": () => json(200, POLICY),
      "POST /api/auth/signup": () =>
        json(201, { email: "ada@example.com", status: "PENDING_ACTIVATION", message: "Check your email: the link is valid for 24 hours." }),
    });
    const user = userEvent.setup();
    renderSignup();
    await fillForm(user);
    await user.click(screen.getByRole("button", { name: "Create account" }));

    const panel = await waitFor(() => {
      const el = document.getElementById("signup-success");
      expect(el).not.toBeNull();
      return el!;
    });
    expect(document.getElementById("signup-form")).toBeNull();
    expect(panel.querySelector("p")!.textContent).toBe("We sent an email to ada@example.com.");
    expect(panel.textContent).toContain("Check your email: the link is valid for 24 hours.");
    // The page cannot tell a new account from an address that had one, and does not claim either.
    expect(panel.textContent).not.toMatch(/created|already/i);
    expect(screen.getByRole("link", { name: "send the activation email again" }).getAttribute("href")).toBe("/activation/resend");
  });
});
