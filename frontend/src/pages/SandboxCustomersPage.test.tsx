import { within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { fakeServer, json } from "../test/fakeServer";
import { renderApp } from "../test/renderApp";
import { el, found } from "../test/dom";
import { formatIBAN } from "../lib/format";

const INFO = {
  baseUrl: "https://api.bank.example",
  metadataUrl: "https://api.bank.example/.well-known/oauth-authorization-server",
  authorizationEndpoint: "https://login.bank.example/oauth2/authorize",
  tokenEndpoint: "https://api.bank.example/oauth2/token",
  parEndpoint: "https://api.bank.example/oauth2/par",
  apiKeyHeader: "apiKey",
  sandboxCustomersUrl: "https://login.bank.example/sandbox-bank/customers",
  accessTokenSeconds: 3600,
  refreshTokenSeconds: 7776000,
  authorizationCodeSeconds: 60,
};

const bal = (type: string, amount: string, currency = "EUR", creditLimitIncluded?: boolean) => ({
  balanceAmount: { currency, amount },
  balanceType: type,
  ...(creditLimitIncluded === undefined ? {} : { creditLimitIncluded }),
  referenceDate: "2026-11-30",
});

// As the route answers (the Go handler test pins this shape).
const CUSTOMERS = {
  bank: "Sandbox Bank",
  bic: "SNDXBEBB",
  date: "2026-11-30",
  customers: [
    {
      login: "bakkerij.janssens",
      name: "Bakkerij Janssens BV",
      kind: "business",
      representative: "Pieter Janssens",
      password: "sandbox",
      otp: "123456",
      accounts: [
        {
          resourceId: "acc-1",
          kind: "current",
          name: "Business account",
          product: "Business Account",
          currency: "EUR",
          iban: "BE35968109502837",
          balances: [
            bal("closingBooked", "1250.50"),
            bal("interimBooked", "11250.50"),
            bal("expected", "11225.50"),
            bal("interimAvailable", "11225.50", "EUR", false),
            bal("interimAvailable", "11725.50", "EUR", true),
          ],
        },
        {
          resourceId: "card-1",
          kind: "card",
          name: "Business Visa",
          product: "Credit Card",
          currency: "EUR",
          maskedPan: "428358******8152",
          balances: [bal("interimBooked", "-40.00"), bal("interimAvailable", "-40.00", "EUR", false)],
        },
        {
          resourceId: "multi-1",
          kind: "multicurrency",
          name: "Currency account",
          product: "Multi-Currency Account",
          currency: "XXX",
          iban: "BE26968111878529",
          balances: [bal("interimBooked", "100.00"), bal("interimBooked", "2500.00", "USD")],
        },
        {
          resourceId: "multi-1-usd",
          kind: "current",
          name: "Currency account USD",
          product: "Multi-Currency Account",
          currency: "USD",
          iban: "BE26968111878529",
          parentId: "multi-1",
          balances: [bal("interimBooked", "2500.00", "USD")],
        },
      ],
    },
    { login: "emma.devries", name: "Emma de Vries", kind: "private", password: "sandbox", otp: "123456", accounts: [] },
    {
      login: "atelier.claes",
      name: "Atelier Claes BV",
      kind: "business",
      representative: "Sarah Claes",
      password: "sandbox",
      otp: "123456",
      accounts: [
        {
          resourceId: "acc-2",
          kind: "current",
          name: "Operating account",
          product: "Business Account",
          currency: "EUR",
          iban: "BE71968108316669",
          balances: [bal("interimBooked", "5000.00"), bal("interimAvailable", "5000.00", "EUR", false)],
          signatories: ["atelier.claes", "tom.claes"],
          requiredSignatures: 2,
        },
      ],
    },
    {
      login: "tom.claes",
      name: "Tom Claes",
      kind: "private",
      password: "sandbox",
      otp: "123456",
      accounts: [],
      cosignerFor: ["atelier.claes"],
    },
  ],
};

const rows = (id: string) =>
  Array.from(el(id)!.querySelectorAll("tbody tr")).map((tr) => Array.from(tr.children).map((c) => c.textContent));

describe("Sandbox customers page", () => {
  it("formats IBANs in groups of four", () => {
    expect(formatIBAN("BE35968109502837")).toBe("BE35 9681 0950 2837");
    expect(formatIBAN("DE89 3704 0044 0532 0130 00")).toBe("DE89 3704 0044 0532 0130 00");
    expect(formatIBAN("GB29NWBK60161331926819")).toBe("GB29 NWBK 6016 1331 9268 19");
  });

  it("lists each customer's sign-in, kind and accounts from the address the TPP API description gives, without credentials", async () => {
    const { requests } = fakeServer({
      "GET /api/account": () => json(401, { code: "UNAUTHENTICATED", message: "Sign in.", requestId: "r" }),
      "GET /api/tpp-api": () => json(200, INFO),
      "GET /sandbox-bank/customers": () => json(200, CUSTOMERS),
    });
    renderApp("/sandbox/customers");

    const section = await found("customer-bakkerij-janssens");
    expect(within(section).getByRole("heading", { level: 2 }).textContent).toBe("Bakkerij Janssens BV Business");
    expect(section.textContent).toContain("Acts through Pieter Janssens.");
    expect(el("customer-bakkerij-janssens-login")!.textContent).toBe("bakkerij.janssens");
    expect(el("customer-bakkerij-janssens-password")!.textContent).toBe("sandbox");
    expect(el("customer-bakkerij-janssens-otp")!.textContent).toBe("123456");
    expect(rows("customer-bakkerij-janssens-accounts")).toEqual([
      ["Business accountBusiness Account", "Current account", "EUR", "BE35 9681 0950 2837", "11,250.50 EUR", "11,225.50 EURwith credit limit: 11,725.50 EUR"],
      ["Business VisaCredit Card", "Card account", "EUR", "428358******8152", "-40.00 EUR", "-40.00 EUR"],
      ["Currency accountMulti-Currency Account", "Multi-currency account", "Several", "BE26 9681 1187 8529", "100.00 EUR2,500.00 USD", "—"],
      ["↳ Currency account USD (sub-account)Multi-Currency Account", "Current account", "USD", "BE26 9681 1187 8529", "2,500.00 USD", "—"],
    ]);
    expect(el("customer-emma-devries-no-accounts")!.textContent).toBe("No accounts: signing in works, but there is nothing to share.");
    expect(el("sandbox-customers-date")!.textContent).toContain("Balances as the bank opened on 30 November 2026");

    const list = requests.find((r) => r.path === "/sandbox-bank/customers")!;
    expect(list).toBeDefined();
    const fetched = (globalThis.fetch as unknown as { mock: { calls: [Request][] } }).mock.calls.map((c) => c[0]).find((r) => r.url === INFO.sandboxCustomersUrl)!;
    expect(fetched.credentials).toBe("omit");
  });

  it("names the signatories of an account that needs two, and whom a co-signer signs for", async () => {
    fakeServer({
      "GET /api/account": () => json(401, { code: "UNAUTHENTICATED", message: "Sign in.", requestId: "r" }),
      "GET /api/tpp-api": () => json(200, INFO),
      "GET /sandbox-bank/customers": () => json(200, CUSTOMERS),
    });
    renderApp("/sandbox/customers");

    await found("customer-atelier-claes");
    expect(rows("customer-atelier-claes-accounts")[0][0]).toBe("Operating accountBusiness Account2 signatures: atelier.claes, tom.claes");
    expect(el("customer-atelier-claes-signatories")!.textContent).toBe(
      "Its accounts marked with signatures need two signatories (multi-level SCA): a payment from one is PATC after the first signature and goes on once the second, distinct signatory authorised it. Sign in as atelier.claes for one signature and as tom.claes for the other, each in an authorisation of its own (POST …/authorisations).",
    );
    expect(el("customer-tom-claes-cosigner")!.textContent).toBe("Co-signer of atelier.claes: signs in as tom.claes to give the second signature their payments need.");
    expect(el("customer-bakkerij-janssens-signatories")).toBeNull();
    expect(el("customer-bakkerij-janssens-cosigner")).toBeNull();
  });

  it("says so when the list cannot be loaded", async () => {
    fakeServer({
      "GET /api/account": () => json(401, { code: "UNAUTHENTICATED", message: "Sign in.", requestId: "r" }),
      "GET /api/tpp-api": () => json(200, INFO),
      "GET /sandbox-bank/customers": () => new Response("gateway", { status: 502 }),
    });
    renderApp("/sandbox/customers");
    expect((await found("sandbox-customers-error")).textContent).toBe("The sandbox bank's customers could not be loaded. Reload the page to try again.");
  });
});
