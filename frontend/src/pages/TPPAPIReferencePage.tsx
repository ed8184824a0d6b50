import { Link } from "react-router";
import { REFERENCE_FRAME, TPP_API_DOCUMENT } from "../docs/paths";
import { useTitle } from "../lib/hooks";

/**
 * The TPP API reference: the bank's own description of its TPP API (what it implements of
 * the Berlin Group framework and its OAuth2 server), rendered interactively by Redoc in a
 * frame. The frame is a document of its own, served under a Content-Security-Policy that
 * allows the styles Redoc inserts at run time, which the portal's policy refuses; the
 * portal's pages keep theirs. Public, like the document.
 */
export function TPPAPIReferencePage() {
  useTitle("TPP API reference");
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
      </div>
      <iframe id="tpp-api-frame" className="api-reference-frame" src={REFERENCE_FRAME} title="TPP API reference (interactive)" />
    </div>
  );
}
