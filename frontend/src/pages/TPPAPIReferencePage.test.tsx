import { waitFor, within } from "@testing-library/react";
import { useEffect } from "react";
import { describe, expect, it, vi } from "vitest";
import { fakeServer, json } from "../test/fakeServer";
import { renderApp } from "../test/renderApp";
import { el, found } from "../test/dom";

// Redoc itself is exercised in the browser tests (frontend/e2e); here a stand-in shows
// what the page hands it.
vi.mock("../docs/RedocReference", () => ({
  default: function FakeRedoc({ spec, onLoaded }: { spec: { paths: Record<string, unknown> }; onLoaded?: (e?: Error) => void }) {
    useEffect(() => onLoaded?.(), [onLoaded]);
    return <ul id="fake-redoc">{Object.keys(spec.paths).map((p) => <li key={p}>{p}</li>)}</ul>;
  },
}));

const DOC = {
  openapi: "3.0.3",
  info: { title: "Sandbox Bank TPP API", version: "1.0" },
  servers: [{ url: "https://api.bank.example" }],
  paths: { "/v1/accounts": { get: { operationId: "ais-accounts" } }, "/v1/consents": { post: { operationId: "ais-consent-create" } } },
};

const SIGNED_OUT = () => json(401, { code: "UNAUTHENTICATED", message: "Sign in.", requestId: "r" });

describe("TPP API reference page", () => {
  it("renders the document the portal serves, and everyone finds it in the navigation", async () => {
    const { requests } = fakeServer({ "GET /api/account": SIGNED_OUT, "GET /api/tpp-api/openapi.json": () => json(200, DOC) });
    renderApp("/docs/tpp-api");

    const reference = await found("fake-redoc");
    expect(Array.from(reference.querySelectorAll("li")).map((li) => li.textContent)).toEqual(["/v1/accounts", "/v1/consents"]);
    await waitFor(() => expect(el("tpp-api-reference")!.getAttribute("data-rendered")).toBe("yes"));
    expect(el("tpp-api-loading")).toBeNull();
    expect(el("tpp-api-error")).toBeNull();
    expect(document.title).toBe("TPP API reference · Open Banking Developer Portal");
    expect(el("tpp-api-document")!.getAttribute("href")).toBe("/api/tpp-api/openapi.json");
    expect(requests.filter((r) => r.path === "/api/tpp-api/openapi.json")).toHaveLength(1);
    const nav = within(document.querySelector('nav[aria-label="Main"]')!);
    expect(nav.getByRole("link", { name: "API reference" }).getAttribute("href")).toBe("/docs/tpp-api");
    expect(nav.getByRole("link", { name: "Getting started" }).getAttribute("href")).toBe("/docs/getting-started");
  });

  it("says so when the document cannot be loaded", async () => {
    fakeServer({ "GET /api/account": SIGNED_OUT, "GET /api/tpp-api/openapi.json": () => json(500, { code: "INTERNAL", message: "x", requestId: "r" }) });
    renderApp("/docs/tpp-api");
    expect((await found("tpp-api-error")).textContent).toBe("The TPP API reference could not be loaded. Reload the page to try again.");
    expect(el("tpp-api-reference")).toBeNull();
  });
});
