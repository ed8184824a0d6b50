import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, useLocation } from "react-router";
import { describe, expect, it } from "vitest";
import { AppRoutes } from "./App";
import { AuthProvider } from "./auth/AuthContext";
import { fakeServer, json } from "./test/fakeServer";

const ACCOUNT = {
  userId: "u-1",
  email: "ada@example.com",
  fullName: "Ada Lovelace",
  organizationCode: "ORG-1",
  status: "ACTIVE",
  createdAt: "2024-01-02T10:00:00Z",
  activatedAt: "2024-01-02T11:00:00Z",
  passwordChangedAt: "2024-01-02T10:00:00Z",
  passwordExpiresAt: "2024-04-01T10:00:00Z",
  passwordExpiresInDays: 5,
  operations: false,
  preferences: { passwordExpiry: true, requestUpdates: true, certificateExpiry: false, productNews: false },
};

let currentLocation = "";
function LocationProbe() {
  const loc = useLocation();
  currentLocation = loc.pathname + loc.search;
  return null;
}

function renderApp(path: string) {
  return render(
    <MemoryRouter initialEntries={[path]}>
      <AuthProvider>
        <AppRoutes />
        <LocationProbe />
      </AuthProvider>
    </MemoryRouter>,
  );
}

const unauthenticated = () => json(401, { code: "UNAUTHENTICATED", message: "Please sign in.", requestId: "r" });

describe("App", () => {
  it("sends a signed-out visitor from /account to /login?next=, then back after signing in, and signs out", async () => {
    document.cookie = "devportal_csrf=c; path=/";
    let signedIn = false;
    const { requests } = fakeServer({
      "GET /api/account": () => (signedIn ? json(200, ACCOUNT) : unauthenticated()),
      "GET /api/dev": () => json(200, { mailbox: true }),
      "POST /api/auth/login": () => {
        signedIn = true;
        return json(200, { account: ACCOUNT, passwordExpiryWarning: true });
      },
      "POST /api/auth/logout": () => {
        signedIn = false;
        return new Response(null, { status: 204 });
      },
    });
    const user = userEvent.setup();
    renderApp("/account");

    await waitFor(() => expect(currentLocation).toBe("/login?next=%2Faccount"));
    expect(screen.getByRole("link", { name: "Sign up" })).toBeTruthy();
    await waitFor(() => expect(screen.getByRole("link", { name: "Dev mailbox" }).getAttribute("href")).toBe("/dev/mail"));

    await user.type(document.getElementById("login-email")!, "ada@example.com");
    await user.type(document.getElementById("login-password")!, "Sup3r-Secret!");
    await user.click(screen.getByRole("button", { name: "Sign in" }));

    await waitFor(() => expect(currentLocation).toBe("/account"));
    expect(document.getElementById("account-email")!.textContent).toBe("ada@example.com");
    expect(document.getElementById("account-name")!.textContent).toBe("Ada Lovelace");
    const warning = document.getElementById("password-expiry-warning")!;
    expect(warning.textContent).toContain("Your password expires in 5 days.");
    await user.click(screen.getByRole("button", { name: "Dismiss" }));
    expect(document.getElementById("password-expiry-warning")).toBeNull();

    await user.click(document.getElementById("signout")!);
    await waitFor(() => expect(currentLocation).toBe("/login"));
    expect(document.getElementById("signed-out-notice")!.textContent).toBe("You are signed out.");
    expect(document.getElementById("signout")).toBeNull();
    expect(requests.filter((r) => r.method === "POST").map((r) => r.path)).toEqual(["/api/auth/login", "/api/auth/logout"]);
  });

  it.each([
    { who: "a developer", operations: false, path: "/login", lands: "/account" },
    { who: "operations staff", operations: true, path: "/login", lands: "/ops" },
    { who: "operations staff with a page to return to", operations: true, path: "/login?next=%2Forganizations", lands: "/organizations" },
  ])("after signing in, $who land at $lands", async ({ operations, path, lands }) => {
    document.cookie = "devportal_csrf=c; path=/";
    let signedIn = false;
    const me = { ...ACCOUNT, operations };
    fakeServer({
      "GET /api/account": () => (signedIn ? json(200, me) : unauthenticated()),
      "GET /api/organizations": () => json(200, { organizations: [] }),
      "GET /api/ops/requests": () => json(200, { requests: [] }),
      "POST /api/auth/login": () => {
        signedIn = true;
        return json(200, { account: me, passwordExpiryWarning: false });
      },
    });
    const user = userEvent.setup();
    renderApp(path);
    await user.type(await screen.findByLabelText("Email"), "ada@example.com");
    await user.type(document.getElementById("login-password")!, "Sup3r-Secret!");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    await waitFor(() => expect(currentLocation).toBe(lands));
  });

  it("shows the login error with a resend link when the account is not activated", async () => {
    document.cookie = "devportal_csrf=c; path=/";
    fakeServer({
      "GET /api/account": unauthenticated,
      "POST /api/auth/login": () =>
        json(403, { code: "NOT_ACTIVATED", message: "Activate your account first.", requestId: "r9" }),
    });
    const user = userEvent.setup();
    renderApp("/login");
    await user.type(document.getElementById("login-email")!, "ada@example.com");
    await user.type(document.getElementById("login-password")!, "whatever");
    await user.click(screen.getByRole("button", { name: "Sign in" }));

    const alert = await screen.findByRole("alert");
    expect(alert.id).toBe("login-error");
    expect(alert.querySelector(".alert-message")!.textContent).toBe("Activate your account first.");
    expect(screen.getByRole("link", { name: "Resend the activation email" }).getAttribute("href")).toBe("/activation/resend");
    expect(screen.queryByRole("link", { name: "Dev mailbox" })).toBeNull();
  });

  it("opens the activation page without activating: nothing is posted until the form is sent", async () => {
    document.cookie = "devportal_csrf=c; path=/";
    const { requests } = fakeServer({
      "GET /api/account": unauthenticated,
      "GET /api/auth/password-policy": () => json(200, {}),
      "POST /api/auth/activate": () => json(200, { email: "ada@example.com", status: "ACTIVE", message: "Your account is active." }),
    });
    renderApp("/activate#token=tok-1");
    expect(await screen.findByRole("button", { name: "Activate account" })).toBeTruthy();
    await waitFor(() => expect(requests.some((r) => r.path === "/api/account")).toBe(true));
    expect(requests.filter((r) => r.method !== "GET")).toEqual([]);
    expect(document.getElementById("activate-success")).toBeNull();
  });

  it("renders the 404 page for unknown paths", async () => {
    fakeServer({ "GET /api/account": unauthenticated });
    renderApp("/no/such/page");
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Page not found");
  });
});
