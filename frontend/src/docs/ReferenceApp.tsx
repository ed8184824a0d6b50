import { useCallback, useEffect, useState } from "react";
import { TPP_API_DOCUMENT } from "./paths";
import RedocReference from "./RedocReference";

type State = { state: "loading" } | { state: "failed" } | { state: "loaded"; spec: Record<string, unknown> };

/**
 * The reference document's whole application (docs/reference.html, framed by the portal's
 * /docs/tpp-api page): loads the description from the portal's own origin and renders it
 * with Redoc. It is a page of its own because Redoc's styles are inserted at run time,
 * which the portal's Content-Security-Policy refuses; this page alone is served with a
 * policy that allows inline styles (infra/stacks: ReferenceCSP), and nothing of the
 * portal's session runs in it.
 */
export function ReferenceApp() {
  const [doc, setDoc] = useState<State>({ state: "loading" });
  const [rendered, setRendered] = useState<"no" | "yes" | "failed">("no");
  // Stable, so that Redoc's renders do not call a new one each time.
  const onLoaded = useCallback((e?: Error) => setRendered(e ? "failed" : "yes"), []);
  useEffect(() => {
    let live = true;
    fetch(new Request(new URL(TPP_API_DOCUMENT, window.location.origin), { headers: { Accept: "application/json" } }))
      .then(async (res) => {
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        return (await res.json()) as Record<string, unknown>;
      })
      .then(
        (spec) => live && setDoc({ state: "loaded", spec }),
        () => live && setDoc({ state: "failed" }),
      );
    return () => {
      live = false;
    };
  }, []);

  if (doc.state === "loading") {
    return (
      <p id="tpp-api-loading" className="reference-status" role="status">
        Loading the reference…
      </p>
    );
  }
  if (doc.state === "failed" || rendered === "failed") {
    return (
      <p id="tpp-api-error" className="reference-status reference-status--error" role="alert">
        The TPP API reference could not be loaded. Reload the page to try again.
      </p>
    );
  }
  return (
    <div id="tpp-api-reference" data-rendered={rendered}>
      <RedocReference spec={doc.spec} onLoaded={onLoaded} />
    </div>
  );
}
