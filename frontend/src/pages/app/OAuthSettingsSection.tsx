import { useState, type FormEvent } from "react";
import { api } from "../../api/client";
import type { App, Organization, TPPAPIInfo } from "../../api/types";
import { useAuth } from "../../auth/AuthContext";
import { CheckboxField } from "../../components/Field";
import { FormAlert } from "../../components/FormAlert";
import { appPermissions } from "../../lib/apps";
import { useApiForm } from "../../lib/hooks";
import { lifetime } from "../../lib/tppapi";
import { useSuccessMessage } from "../../lib/feedback";

interface Props {
  org: Organization;
  app: App;
  info: TPPAPIInfo | null | undefined;
  onChanged: (app: App) => void;
}

/** What the FAPI 2.0 switch means, in a sentence next to it. */
export const FAPI_HINT =
  "When on, the bank accepts this app's authorization requests only if the app first pushed them to the PAR endpoint over mutual TLS " +
  "and then sends the customer to the authorization endpoint with just its client_id and the request_uri it got back (FAPI 2.0). " +
  "A request sent straight to the authorization endpoint is refused with invalid_request.";

/**
 * How the authorization server treats the app: its redirect URIs (managed in their own
 * section), the FAPI 2.0 switch (owner and administrators change it) and the bank's
 * lifetimes of codes and tokens.
 */
export function OAuthSettingsSection({ org, app, info, onChanged }: Props) {
  const { signedOut } = useAuth();
  // The switch decides how every customer's authorization through the app is protected:
  // the server lets only the owner and administrators change it, as it does deleting.
  const canChange = appPermissions(org).delete;
  const { busy, error, fields, submit } = useApiForm("oauth-settings");
  const [fapi, setFapi] = useState(app.fapi);
  const [status, setStatus] = useSuccessMessage("");

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setStatus("");
    const r = await submit(() =>
      api.PUT("/api/organizations/{orgId}/apps/{appId}/oauth-settings", { params: { path: { orgId: org.id, appId: app.id } }, body: { fapi } }),
    );
    if (r?.ok) {
      setStatus(r.data.fapi ? "FAPI 2.0 is on: push every authorization request first." : "FAPI 2.0 is off: authorization requests may also be sent straight to the authorization endpoint.");
      onChanged(r.data);
    } else if (r?.status === 401) signedOut();
  };

  return (
    <section id="oauth-settings" aria-labelledby="oauth-settings-heading" className="section">
      <h2 id="oauth-settings-heading">OAuth settings</h2>
      <div className="subsection">
        <h3 id="oauth-redirects-heading">Redirect URIs</h3>
        {app.redirectUris.length === 0 ? (
          <p id="oauth-redirects">
            None yet: <a href="#redirect-uris">register the address</a> the bank sends customers back to.
          </p>
        ) : (
          <>
            <ul id="oauth-redirects" className="plain-list uri-list">
              {app.redirectUris.map((u) => (
                <li key={u}>
                  <code className="fingerprint">{u}</code>
                </li>
              ))}
            </ul>
            <p>
              <a href="#redirect-uris">Manage the redirect URIs</a>
            </p>
          </>
        )}
      </div>
      <div className="subsection">
        <h3 id="oauth-fapi-heading">Security profile</h3>
        {canChange ? (
          <form id="oauth-settings-form" noValidate onSubmit={onSubmit} aria-labelledby="oauth-fapi-heading">
            <FormAlert form="oauth-settings" error={error} shownFields={["fapi"]} />
            <CheckboxField
              form="oauth-settings"
              name="fapi"
              label="Require FAPI 2.0 (pushed authorization requests)"
              hint={FAPI_HINT}
              checked={fapi}
              onCheckedChange={setFapi}
              errors={fields.fapi}
            />
            <div className="actions">
              <button type="submit" className="button button--primary" disabled={busy || fapi === app.fapi} aria-busy={busy || undefined}>
                Save OAuth settings
              </button>
            </div>
            <p id="oauth-settings-status" className="saved-plain" role="status">
              {status}
            </p>
          </form>
        ) : (
          <>
            <p id="oauth-fapi-state">
              <strong>{app.fapi ? "FAPI 2.0 required (pushed authorization requests)" : "FAPI 2.0 not required"}</strong>
            </p>
            <p className="hint">{FAPI_HINT}</p>
            <p className="muted">The organization's owner and administrators change this.</p>
          </>
        )}
      </div>
      <div className="subsection">
        <h3 id="oauth-lifetimes-heading">Lifetimes</h3>
        {info ? (
          <dl id="oauth-lifetimes" className="details details--compact">
            <dt>Authorization code</dt>
            <dd id="oauth-lifetime-code">{lifetime(info.authorizationCodeSeconds)}</dd>
            <dt>Access token</dt>
            <dd id="oauth-lifetime-access">{lifetime(info.accessTokenSeconds)}</dd>
            <dt>Refresh token</dt>
            <dd id="oauth-lifetime-refresh">{lifetime(info.refreshTokenSeconds)}</dd>
          </dl>
        ) : (
          <p className="muted">{info === null ? "The lifetimes could not be loaded." : "Loading…"}</p>
        )}
        <p className="hint">The bank sets these for every app. A refresh token is replaced at each use; using an old one again revokes its grant.</p>
      </div>
    </section>
  );
}
