import { Link } from "react-router";
import type { App, TPPAPIInfo } from "../../api/types";
import { useCopy } from "../../lib/copy";
import { slug } from "../../lib/format";
import { PLACEHOLDER, startCommands } from "../../lib/tppapi";

interface Props {
  app: App;
  /** The client ID of the app's first credential; undefined for Viewers, who see none. */
  clientId: string | undefined;
  /** Where the TPP API is; undefined while loading, null when it could not be read. */
  info: TPPAPIInfo | null | undefined;
  /** The app page's URL, which the links to its other tabs start with. */
  base: string;
}

/** Is the TPP API this machine's (the local stack), whose server certificate the sandbox CA issued? */
function local(baseUrl: string): boolean {
  try {
    const host = new URL(baseUrl).hostname;
    return host === "127.0.0.1" || host === "localhost" || host === "[::1]";
  } catch {
    return false;
  }
}

/**
 * The walkthrough's address with this app's values: its client ID, the file names the
 * portal's test-certificate downloads use, its first redirect URI. Never the API key.
 */
export function walkthroughLink(app: Pick<App, "name" | "redirectUris">, clientId: string | undefined): string {
  const base = slug(app.name, "app");
  const q = new URLSearchParams({ cert: `${base}-mtls.pem`, key: `${base}-mtls-key.pem` });
  if (clientId) q.set("clientId", clientId);
  if (app.redirectUris[0]) q.set("redirectUri", app.redirectUris[0]);
  return `/docs/getting-started?${q.toString()}`;
}

/**
 * The addresses an app needs and its first calls, filled in with its client ID: the
 * authorization server's metadata, a client-credentials token and an authorization with
 * PKCE. The files and the API key stay placeholders: the portal never holds the private
 * key and shows the API key only once.
 */
export function GettingStartedSection({ app, clientId, info, base }: Props) {
  const { copied, copy } = useCopy();
  return (
    <section id="getting-started" aria-labelledby="getting-started-heading" className="section">
      <h2 id="getting-started-heading">Getting started</h2>
      {info === undefined ? (
        <p id="getting-started-loading" className="muted">
          Loading where the TPP API is…
        </p>
      ) : info === null ? (
        <p id="getting-started-error" className="panel panel--error" role="alert">
          The TPP API's addresses could not be loaded. Reload the page to try again.
        </p>
      ) : (
        <>
          <dl className="details">
            <dt>Authorization server metadata</dt>
            <dd>
              <code id="start-metadata-url" className="fingerprint">
                {info.metadataUrl}
              </code>{" "}
              <button id="start-copy-metadata-url" type="button" className="button button--secondary button--small" onClick={() => void copy("Metadata URL", info.metadataUrl)}>
                Copy<span className="visually-hidden"> the metadata URL</span>
              </button>
            </dd>
            <dt>TPP API base URL</dt>
            <dd>
              <code id="start-base-url" className="fingerprint">
                {info.baseUrl}
              </code>{" "}
              <button id="start-copy-base-url" type="button" className="button button--secondary button--small" onClick={() => void copy("Base URL", info.baseUrl)}>
                Copy<span className="visually-hidden"> the TPP API base URL</span>
              </button>
            </dd>
          </dl>
          <p>
            Every call to the TPP API presents one of this app's <Link to={`${base}/certificates`}>mTLS certificates</Link> (
            <code>{PLACEHOLDER.cert}</code> and its key <code>{PLACEHOLDER.key}</code>) and the app's <Link to={`${base}#api-key`}>API key</Link> in the{" "}
            <code>{info.apiKeyHeader}</code> header (<code>{PLACEHOLDER.apiKey}</code> below). Sign in at the bank as one of the{" "}
            <Link to="/sandbox/customers">sandbox customers</Link>.
          </p>
          {local(info.baseUrl) && (
            <p id="start-local-ca" className="panel panel--info">
              The local TPP API's server certificate comes from the sandbox CA: add <code>--cacert .local/sandbox-ca/ca.pem</code> to these commands.
            </p>
          )}
          {startCommands(info, app, clientId).map((c) => (
            <div key={c.id} className="command">
              <p className="command-label">{c.title}</p>
              <pre className="code-block">
                <code id={c.id}>{c.command}</code>
              </pre>
              <p className="hint">{c.note}</p>
              <button id={`${c.id}-copy`} type="button" className="button button--secondary button--small" onClick={() => void copy("Command", c.command)}>
                Copy<span className="visually-hidden"> the command: {c.title}</span>
              </button>
            </div>
          ))}
          <p id="start-walkthrough" className="hint">
            Next: a consent and your first account read, step by step with this app's values, in the{" "}
            <Link to={walkthroughLink(app, clientId)}>getting-started walkthrough</Link>; every endpoint is in the{" "}
            <Link to="/docs/tpp-api">TPP API reference</Link>.
          </p>
          <p id="start-copied" className="saved-plain" role="status">
            {copied}
          </p>
        </>
      )}
    </section>
  );
}
