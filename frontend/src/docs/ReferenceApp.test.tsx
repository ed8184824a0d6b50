import { render, waitFor } from "@testing-library/react";
import { useEffect } from "react";
import { describe, expect, it, vi } from "vitest";
import { fakeServer, json } from "../test/fakeServer";
import { el, found } from "../test/dom";
import { ReferenceApp } from "./ReferenceApp";

// Redoc itself is exercised in the browser tests (frontend/e2e); here a stand-in shows
// what the reference hands it.
vi.mock("./RedocReference", () => ({
  default: function FakeRedoc({ spec, onLoaded }: { spec: { paths: Record<string, unknown> }; onLoaded?: (e?: Error) => void }) {
    useEffect(() => onLoaded?.(), [onLoaded]);
    return (
      <ul id="fake-redoc">
        {Object.keys(spec.paths).map((p) => (
          <li key={p}>{p}</li>
        ))}
      </ul>
    );
  },
}));

const DOC = {
  openapi: "3.0.3",
  info: { title: "Sandbox Bank TPP API", version: "1.0" },
  servers: [{ url: "https://api.bank.example" }],
  paths: { "/v1/accounts": { get: { operationId: "ais-accounts" } }, "/v1/consents": { post: { operationId: "ais-consent-create" } } },
};

describe("TPP API reference document", () => {
  it("renders the description the portal serves", async () => {
    const { requests } = fakeServer({ "GET /api/tpp-api/openapi.json": () => json(200, DOC) });
    render(<ReferenceApp />);
    expect(el("tpp-api-loading")!.textContent).toBe("Loading the reference…");

    const reference = await found("fake-redoc");
    expect(Array.from(reference.querySelectorAll("li")).map((li) => li.textContent)).toEqual(["/v1/accounts", "/v1/consents"]);
    await waitFor(() => expect(el("tpp-api-reference")!.getAttribute("data-rendered")).toBe("yes"));
    expect(el("tpp-api-loading")).toBeNull();
    expect(el("tpp-api-error")).toBeNull();
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /api/tpp-api/openapi.json"]);
  });

  it("says so when the description cannot be loaded", async () => {
    fakeServer({ "GET /api/tpp-api/openapi.json": () => json(500, { code: "INTERNAL", message: "x", requestId: "r" }) });
    render(<ReferenceApp />);
    expect((await found("tpp-api-error")).textContent).toBe("The TPP API reference could not be loaded. Reload the page to try again.");
    expect(el("tpp-api-reference")).toBeNull();
  });
});
