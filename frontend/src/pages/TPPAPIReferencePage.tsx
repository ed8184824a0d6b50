import { lazy, Suspense, useCallback, useEffect, useState } from "react";
import { Link } from "react-router";
import { api, call } from "../api/client";
import { useTitle } from "../lib/hooks";

/** Redoc is large: it is a chunk of its own, fetched only when this page renders it. */
const RedocReference = lazy(() => import("../docs/RedocReference"));

/** Where the portal serves the TPP API's description (the same document the TPP API serves). */
export const TPP_API_DOCUMENT = "/api/tpp-api/openapi.json";

type State = { state: "loading" } | { state: "failed" } | { state: "loaded"; spec: Record<string, unknown> };

/**
 * The TPP API reference: the bank's own description of its TPP API (what it implements of
 * the Berlin Group framework and its OAuth2 server), rendered interactively. Public, like
 * the document.
 */
export function TPPAPIReferencePage() {
  useTitle("TPP API reference");
  const [doc, setDoc] = useState<State>({ state: "loading" });
  const [rendered, setRendered] = useState<"no" | "yes" | "failed">("no");
  // Stable, so that Redoc's renders do not call a new one each time.
  const onLoaded = useCallback((e?: Error) => setRendered(e ? "failed" : "yes"), []);
  useEffect(() => {
    let live = true;
    void call(api.GET("/api/tpp-api/openapi.json")).then((r) => {
      if (!live) return;
      setDoc(r.ok ? { state: "loaded", spec: r.data as Record<string, unknown> } : { state: "failed" });
    });
    return () => {
      live = false;
    };
  }, []);

  return (
    <div className="docs-page">
      <div className="container">
        <h1>TPP API reference</h1>
        <p className="lead">
          What this bank's TPP API serves: account information and confirmation of funds in the Berlin Group NextGenPSD2 style, and the OAuth2
          authorization server your customers approve consents through. Every call but the public ones needs your app's client certificate (mutual
          TLS) and its API key.
        </p>
        <p>
          New here? Start with <Link to="/docs/getting-started">Getting started</Link>: a certificate, a token and your first account read, command by
          command. The document itself:{" "}
          <a id="tpp-api-document" href={TPP_API_DOCUMENT} download="tpp-api.json">
            OpenAPI 3 (JSON)
          </a>
          .
        </p>
        {doc.state === "loading" && (
          <p id="tpp-api-loading" className="muted" role="status">
            Loading the reference…
          </p>
        )}
        {(doc.state === "failed" || rendered === "failed") && (
          <p id="tpp-api-error" className="panel panel--error" role="alert">
            The TPP API reference could not be loaded. Reload the page to try again.
          </p>
        )}
      </div>
      {doc.state === "loaded" && rendered !== "failed" && (
        <div id="tpp-api-reference" className="api-reference" data-rendered={rendered}>
          <Suspense
            fallback={
              <p className="container muted" role="status">
                Loading the reference viewer…
              </p>
            }
          >
            <RedocReference spec={doc.spec} onLoaded={onLoaded} />
          </Suspense>
        </div>
      )}
    </div>
  );
}
