import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import { TextField } from "../components/Field";
import { useCopy } from "../lib/copy";
import { walkthrough, WALKTHROUGH_DEFAULTS, type Walkthrough } from "../lib/gettingstarted";
import { useTitle } from "../lib/hooks";
import { useTPPAPI } from "../lib/tppapi";

/** Is the TPP API this machine's (the local stack), whose server certificate the sandbox CA issued? */
function isLocal(baseUrl: string): boolean {
  try {
    const host = new URL(baseUrl).hostname;
    return host === "127.0.0.1" || host === "localhost" || host === "[::1]";
  } catch {
    return false;
  }
}

/** The sandbox CA's certificate in the local stack, for curl to trust the local TPP API. */
export const LOCAL_CA_FILE = ".local/sandbox-ca/ca.pem";

/**
 * From a certificate to a first account read, command by command, filled in with the
 * developer's own values: the client ID, certificate file names and redirect URI come from
 * the app's page (query parameters), the API key is typed here. Nothing typed leaves the
 * page: no request carries it, nothing stores it.
 */
export function GettingStartedPage() {
  useTitle("Getting started");
  const info = useTPPAPI();
  const [params] = useSearchParams();
  const [values, setValues] = useState<Walkthrough>(() => ({
    clientId: params.get("clientId") ?? "",
    apiKey: "",
    certFile: params.get("cert") ?? "",
    keyFile: params.get("key") ?? "",
    redirectUri: params.get("redirectUri") ?? "",
  }));
  const { copied, copy } = useCopy();
  const set = (name: keyof Walkthrough) => (v: string) => setValues((w) => ({ ...w, [name]: v }));
  // An empty field shows its placeholder in the commands.
  const filled: Walkthrough = {
    clientId: values.clientId.trim() || WALKTHROUGH_DEFAULTS.clientId,
    apiKey: values.apiKey.trim() || WALKTHROUGH_DEFAULTS.apiKey,
    certFile: values.certFile.trim() || WALKTHROUGH_DEFAULTS.certFile,
    keyFile: values.keyFile.trim() || WALKTHROUGH_DEFAULTS.keyFile,
    redirectUri: values.redirectUri.trim() || WALKTHROUGH_DEFAULTS.redirectUri,
  };
  const fields: { name: keyof Walkthrough; label: string; hint: string; type?: "password" }[] = [
    { name: "clientId", label: "Client ID", hint: "Your app's client ID (its page, Credentials)." },
    { name: "apiKey", label: "API key", hint: "Shown once when the portal made it. It stays in this page: nothing sends or stores it.", type: "password" },
    { name: "certFile", label: "Certificate file", hint: "The client certificate your app presents, as PEM." },
    { name: "keyFile", label: "Private key file", hint: "Its private key, as PEM." },
    { name: "redirectUri", label: "Redirect URI", hint: "One of your app's registered redirect URIs, exactly." },
  ];

  return (
    <div className="container">
      <h1>Getting started with the TPP API</h1>
      <p className="lead">
        Six steps from a new certificate to your first account read. Fill in your values and copy the commands; every one needs <code>curl</code>,{" "}
        <code>openssl</code> and <code>jq</code>. The <Link to="/docs/tpp-api">TPP API reference</Link> has every endpoint; sign in at the bank as one of
        the <Link to="/sandbox/customers">sandbox customers</Link>.
      </p>
      <form id="gs-form" className="panel" onSubmit={(e) => e.preventDefault()} aria-label="Your values">
        {fields.map((f) => (
          <TextField
            key={f.name}
            form="gs"
            name={f.name}
            label={f.label}
            hint={f.hint}
            optional
            type={f.type}
            autoComplete="off"
            spellCheck={false}
            value={values[f.name] ?? ""}
            onValueChange={set(f.name)}
          />
        ))}
      </form>
      {info === undefined ? (
        <p id="gs-loading" className="muted" role="status">
          Loading where the TPP API is…
        </p>
      ) : info === null ? (
        <p id="gs-error" className="panel panel--error" role="alert">
          The TPP API's addresses could not be loaded. Reload the page to try again.
        </p>
      ) : (
        <>
          {isLocal(info.baseUrl) && (
            <p id="gs-local-ca" className="panel panel--info">
              The local TPP API's server certificate comes from the sandbox CA: the commands trust <code>{LOCAL_CA_FILE}</code>.
            </p>
          )}
          <ol className="walkthrough">
            {walkthrough(info, { ...filled, caFile: isLocal(info.baseUrl) ? LOCAL_CA_FILE : undefined }).map((s) => (
              <li key={s.id} className="command">
                <h2 className="command-label">{s.title}</h2>
                <p className="hint">{s.note}</p>
                <pre className="code-block">
                  <code id={s.id}>{s.command}</code>
                </pre>
                <button id={`${s.id}-copy`} type="button" className="button button--secondary button--small" onClick={() => void copy("Command", s.command)}>
                  Copy<span className="visually-hidden"> the command: {s.title}</span>
                </button>
              </li>
            ))}
          </ol>
          <p id="gs-copied" className="saved-plain" role="status">
            {copied}
          </p>
        </>
      )}
    </div>
  );
}
