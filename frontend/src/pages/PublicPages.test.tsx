import { waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { fakeServer, json } from "../test/fakeServer";
import { location, renderApp } from "../test/renderApp";
import { el, found } from "../test/dom";
import { ACCOUNT } from "../test/fixtures";
import { checkLabel } from "./StatusPage";

const SIGNED_OUT = () => json(401, { code: "UNAUTHENTICATED", message: "Sign in.", requestId: "r" });

const plans = (rate: number, quota: number, liveRate: number, liveQuota: number) => [
  { id: "sandbox", name: "Sandbox", environment: "sandbox", rateLimitPerSecond: rate, quotaPerDay: quota },
  { id: "production", name: "Production", environment: "production", rateLimitPerSecond: liveRate, quotaPerDay: liveQuota },
];

const CATALOG = {
  products: [
    { id: "oauth2", name: "OAuth2 authorization server", description: "Consent and tokens.", kind: "oauth", approval: "automatic", mandatory: true, scopes: ["openid"], plans: plans(20, 20000, 100, 1000000) },
    { id: "ais", name: "Account Information (AIS)", description: "Accounts.", kind: "psd2", requiredRole: "PSP_AI", approval: "automatic", mandatory: false, scopes: ["AIS"], plans: plans(10, 10000, 50, 500000) },
    { id: "pay-later", name: "Pay Later (premium)", description: "Instalments.", kind: "premium", approval: "operations", mandatory: false, scopes: ["PAY_LATER"], plans: plans(5, 5000, 20, 100000) },
  ],
};

const rows = (id: string) => Array.from(el(id)!.querySelectorAll("tbody tr")).map((tr) => Array.from(tr.children).map((c) => c.textContent));
const mainNav = () => within(document.querySelector('nav[aria-label="Main"]')!);

describe("public pages", () => {
  it("shows a visitor the catalog: each product's role, approval and plans, without a session", async () => {
    const { requests } = fakeServer({ "GET /api/account": SIGNED_OUT, "GET /api/products": () => json(200, CATALOG) });
    renderApp("/apis");
    await found("catalog");
    expect(document.title).toBe("APIs and products · Open Banking Developer Portal");
    const cases: { id: string; name: string; role: string; approval: string; plans: string[][] }[] = [
      {
        id: "oauth2",
        name: "OAuth2 authorization server",
        role: "None",
        approval: "Included in every app, nothing to request.",
        plans: [["Sandbox", "20", "20,000"], ["Production", "100", "1,000,000"]],
      },
      {
        id: "ais",
        name: "Account Information (AIS)",
        role: "PSP_AI (account information)",
        approval: "Active as soon as you subscribe, when your organization holds the role.",
        plans: [["Sandbox", "10", "10,000"], ["Production", "50", "500,000"]],
      },
      {
        id: "pay-later",
        name: "Pay Later (premium)",
        role: "None",
        approval: "The bank reviews each subscription before it becomes active.",
        plans: [["Sandbox", "5", "5,000"], ["Production", "20", "100,000"]],
      },
    ];
    for (const c of cases) {
      expect(el(`product-${c.id}-name`)!.textContent).toBe(c.name);
      expect(el(`product-${c.id}-role`)!.textContent).toBe(c.role);
      expect(el(`product-${c.id}-approval`)!.textContent).toBe(c.approval);
      expect(rows(`product-${c.id}-plans`)).toEqual(c.plans);
    }
    expect(document.querySelectorAll("#catalog > li")).toHaveLength(3);
    expect(requests.find((r) => r.path === "/api/products")!.method).toBe("GET");
    await waitFor(() => expect(document.querySelector('a[href="/signup"].button')!.textContent).toBe("Sign up to subscribe"));
  });

  it("says so when the catalog cannot be loaded", async () => {
    fakeServer({ "GET /api/account": SIGNED_OUT, "GET /api/products": () => json(500, { code: "INTERNAL", message: "Oops.", requestId: "r5" }) });
    renderApp("/apis");
    expect((await found("catalog-error")).textContent).toBe("We could not load the catalog. Please try again in a moment.");
  });

  it("sends /products to the catalog", async () => {
    fakeServer({ "GET /api/account": SIGNED_OUT, "GET /api/products": () => json(200, CATALOG) });
    renderApp("/products");
    await found("catalog");
    expect(location.current).toBe("/apis");
  });

  it("indexes the documentation", async () => {
    fakeServer({ "GET /api/account": SIGNED_OUT });
    renderApp("/docs");
    const links = Array.from((await found("docs-index")).querySelectorAll("a")).map((a) => [a.textContent, a.getAttribute("href")]);
    expect(links).toEqual([
      ["Getting started", "/docs/getting-started"],
      ["Registration through the API", "/docs/registration-api"],
      ["APIs and products", "/apis"],
      ["TPP API reference", "/docs/tpp-api"],
      ["Sandbox customers", "/sandbox/customers"],
      ["Sandbox status", "/status"],
      ["Help and support", "/help"],
    ]);
    expect(document.title).toBe("Documentation · Open Banking Developer Portal");
  });

  it("answers common questions and gives the configured support contact", async () => {
    fakeServer({ "GET /api/account": SIGNED_OUT, "GET /api/support": () => json(200, { email: "developers@bank.example", hours: "Around the clock" }) });
    renderApp("/help");
    const email = await found("support-email");
    expect(email.textContent).toBe("developers@bank.example");
    expect(email.getAttribute("href")).toBe("mailto:developers@bank.example");
    expect(el("support-hours")!.textContent).toBe("Around the clock");
    const questions = Array.from(document.querySelectorAll(".faq summary")).map((s) => s.textContent);
    expect(questions).toEqual([
      "What do I need to try the sandbox?",
      "Which PSD2 role does each API need?",
      "My calls are refused as unauthorized. What should I check?",
      "I lost my client secret. Can I see it again?",
      "How do I go live?",
      "How do colleagues join my organization?",
    ]);
  });

  it("says so when the support contact cannot be loaded", async () => {
    fakeServer({ "GET /api/account": SIGNED_OUT, "GET /api/support": () => json(503, { code: "UNAVAILABLE", message: "Down.", requestId: "r" }) });
    renderApp("/help");
    expect((await found("support-error")).textContent).toBe("We could not load the support contact. Please try again in a moment.");
  });

  const health = (status: string, down: boolean) => ({
    status,
    checks: [
      { name: "table:devportal-portal", status: "up", latencyMs: 4 },
      { name: "userPool:eu-west-1_x", status: down ? "down" : "up", latencyMs: 12, ...(down ? { error: "unavailable" } : {}) },
    ],
  });
  it.each([
    { http: 200, body: health("ok", false), summary: "Everything is working.", tone: "ok", states: ["Working", "Working"] },
    { http: 503, body: health("degraded", true), summary: "Some services are unavailable.", tone: "degraded", states: ["Working", "Unavailable"] },
  ])("shows the sandbox status when the health check answers $http", async ({ http, body, summary, tone, states }) => {
    fakeServer({ "GET /api/account": SIGNED_OUT, "GET /api/healthz": () => json(http, body) });
    renderApp("/status");
    await found("status-checks");
    expect(el("status-summary")!.getAttribute("data-status")).toBe(tone);
    expect(el("status-summary")!.textContent).toContain(summary);
    expect(rows("status-checks")).toEqual([
      ["Portal data", states[0], "4 ms"],
      ["Sign-in", states[1], "12 ms"],
    ]);
  });

  it("says the portal is unreachable when the health check cannot be reached, and checks again on request", async () => {
    let up = false;
    const { requests } = fakeServer({
      "GET /api/account": SIGNED_OUT,
      "GET /api/healthz": () => (up ? json(200, health("ok", false)) : Promise.reject(new TypeError("network"))),
    });
    const user = userEvent.setup();
    renderApp("/status");
    await waitFor(() => expect(el("status-summary")?.getAttribute("data-status")).toBe("unreachable"));
    expect(el("status-summary")!.textContent).toBe("We could not reach the portal's servers. Check your connection, then check again.");
    up = true;
    await user.click(el("status-refresh")!);
    await waitFor(() => expect(el("status-summary")!.getAttribute("data-status")).toBe("ok"));
    expect(requests.filter((r) => r.path === "/api/healthz")).toHaveLength(2);
  });

  it.each([
    ["table:devportal-portal", "Portal data"],
    ["userPool:eu-west-1_abc", "Sign-in"],
    ["moto", "Local cloud emulator"],
    ["queue:other", "queue:other"],
  ])("names the check %s as %s", (name, label) => {
    expect(checkLabel(name)).toBe(label);
  });

  it("shows visitors the public pages in the navigation, and members their own", async () => {
    fakeServer({ "GET /api/account": SIGNED_OUT, "GET /api/products": () => json(200, CATALOG) });
    const first = renderApp("/apis");
    await waitFor(() => expect(mainNav().queryByRole("link", { name: "Sign in" })).not.toBeNull());
    const links = () => mainNav().getAllByRole("link").map((a) => [a.textContent, a.getAttribute("href")]);
    expect(links()).toEqual([
      ["APIs", "/apis"],
      ["Docs", "/docs"],
      ["Status", "/status"],
      ["Help", "/help"],
      ["Sign in", "/login"],
      ["Sign up", "/signup"],
    ]);
    first.unmount();

    fakeServer({ "GET /api/account": () => json(200, ACCOUNT), "GET /api/organizations": () => json(200, { organizations: [] }), "GET /api/products": () => json(200, CATALOG) });
    renderApp("/apis");
    await waitFor(() => expect(mainNav().queryByRole("link", { name: "My account" })).not.toBeNull());
    expect(links()).toEqual([
      ["APIs", "/apis"],
      ["Docs", "/docs"],
      ["Organizations", "/organizations"],
      ["My account", "/account"],
    ]);
    expect(el("signout")!.textContent).toBe("Sign out");
  });

  it("folds the navigation behind a menu button that says whether it is open, and closes it on navigation", async () => {
    fakeServer({ "GET /api/account": SIGNED_OUT, "GET /api/products": () => json(200, CATALOG) });
    const user = userEvent.setup();
    renderApp("/");
    const button = await found("menu-button");
    expect(button.getAttribute("aria-controls")).toBe("main-nav");
    expect(button.getAttribute("aria-expanded")).toBe("false");
    expect(el("main-nav")!.className).toBe("site-nav");
    await user.click(button);
    expect(button.getAttribute("aria-expanded")).toBe("true");
    expect(button.textContent).toBe("Close menu");
    expect(el("main-nav")!.className).toBe("site-nav site-nav--open");
    await user.click(mainNav().getByRole("link", { name: "APIs" }));
    await waitFor(() => expect(location.current).toBe("/apis"));
    expect(button.getAttribute("aria-expanded")).toBe("false");
    expect(el("main-nav")!.className).toBe("site-nav");
  });
});
