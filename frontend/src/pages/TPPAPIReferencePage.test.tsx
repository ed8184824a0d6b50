import { within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { fakeServer, json } from "../test/fakeServer";
import { renderApp } from "../test/renderApp";
import { el, found } from "../test/dom";

const SIGNED_OUT = () => json(401, { code: "UNAUTHENTICATED", message: "Sign in.", requestId: "r" });

describe("TPP API reference page", () => {
  it("frames the reference document, links the description, and everyone finds the docs in the navigation", async () => {
    fakeServer({ "GET /api/account": SIGNED_OUT });
    renderApp("/docs/tpp-api");

    const frame = await found("tpp-api-frame");
    expect(frame.tagName).toBe("IFRAME");
    expect(frame.getAttribute("src")).toBe("/docs/reference.html");
    expect(frame.getAttribute("title")).toBe("TPP API reference (interactive)");
    expect(el("tpp-api-document")!.getAttribute("href")).toBe("/api/tpp-api/openapi.json");
    expect(document.title).toBe("TPP API reference · Open Banking Developer Portal");
    const nav = within(document.querySelector('nav[aria-label="Main"]')!);
    // The navigation's "Docs" is the index that links the reference.
    expect(nav.getByRole("link", { name: "Docs" }).getAttribute("href")).toBe("/docs");
  });
});
