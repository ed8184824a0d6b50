import { useState, type FormEvent } from "react";
import { Link, useLocation, useNavigate, useParams } from "react-router";
import { api } from "../api/client";
import type { MtlsCertificate, Organization } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { EnvironmentBadge } from "../components/Badge";
import { CertificatePossession, CertificateTable, CertificateUploadForm, ExpiryWarning } from "../components/Certificates";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { TextField } from "../components/Field";
import { FormAlert } from "../components/FormAlert";
import { appPermissions, handOverAPIKey, handOverSecret, readableDN } from "../lib/apps";
import { formatDate } from "../lib/format";
import { useApiForm, useLoad, useTitle } from "../lib/hooks";
import { usePaged } from "../lib/paging";
import { ShowMore } from "../components/ShowMore";
import { useSuccessMessage } from "../lib/feedback";
import { limitOf } from "../lib/limits";

/** The hint under an app's name: who reads it. */
export const APP_NAME_HINT =
  "The bank's customers see this name on the consent page when they allow your app to access their accounts or make payments. Use the name they know your product by.";

export function AppsPage() {
  const { orgId = "" } = useParams();
  return <AppsView key={orgId} orgId={orgId} />;
}

function AppsView({ orgId }: { orgId: string }) {
  const location = useLocation();
  const [notice] = useSuccessMessage<string | null>(null, (location.state as { notice?: string } | null)?.notice ?? null);
  const org = useLoad(() => api.GET("/api/organizations/{orgId}", { params: { path: { orgId } } }), [orgId]);
  const pagedApps = usePaged(
    (cursor) => api.GET("/api/organizations/{orgId}/apps", { params: { path: { orgId }, query: { cursor } } }),
    (page) => page.apps,
    [orgId],
  );
  const apps = pagedApps.first;
  const pagedCerts = usePaged(
    (cursor) => api.GET("/api/organizations/{orgId}/certificates", { params: { path: { orgId }, query: { cursor } } }),
    (page) => page.certificates,
    [orgId],
  );
  const certs = pagedCerts.first;
  useTitle(org.data ? `Apps of ${org.data.name}` : "Apps");
  const { signedOut } = useAuth();
  const remove = useApiForm("certificate-delete");
  const [deleting, setDeleting] = useState<MtlsCertificate | null>(null);
  const [proving, setProving] = useState<MtlsCertificate | null>(null);
  const [certStatus, setCertStatus] = useSuccessMessage("");

  const confirmDelete = async () => {
    const c = deleting;
    setDeleting(null);
    if (!c) return;
    setCertStatus("");
    const r = await remove.submit(() => api.DELETE("/api/organizations/{orgId}/certificates/{fingerprint}", { params: { path: { orgId, fingerprint: c.sha256Fingerprint } } }));
    if (r?.ok) {
      await certs.reload();
      setCertStatus(`Deleted the certificate of ${readableDN(c.subject)}.`);
    } else if (r?.status === 401) signedOut();
  };

  if (!org.data) {
    return org.error ? (
      <section className="narrow">
        <h1>{org.status === 404 ? "Organization not found" : "Apps"}</h1>
        <div id="apps-org-error" className="panel panel--error" role="alert">
          <p>
            <strong>{org.error.message}</strong>
          </p>
        </div>
        <p>
          <Link to="/organizations">Back to my organizations</Link>
        </p>
      </section>
    ) : (
      <p className="loading" role="status">
        Loading the apps…
      </p>
    );
  }

  const o = org.data;
  const perms = appPermissions(o);
  const list = pagedApps.items;
  const appNames = Object.fromEntries(list.map((a) => [a.id, a.name]));
  const certificates = pagedCerts.items;

  return (
    <>
      <p className="breadcrumb">
        <Link id="apps-org-link" to={`/organizations/${encodeURIComponent(o.id)}`}>
          {o.name}
        </Link>
      </p>
      <div className="page-heading">
        <h1>Apps</h1>
        <p className="badges">
          <EnvironmentBadge environment={o.environment} />
        </p>
      </div>
      {notice && (
        <div id="apps-notice" className="panel panel--success" role="status">
          <p>{notice}</p>
        </div>
      )}
      <p className="lead">
        An app is how your software calls the bank's APIs: it has credentials (a client ID and a secret), the redirect URIs
        customers come back to, and the mTLS certificates it connects with.
      </p>
      {o.status !== "ACTIVE" && (
        <div id="apps-inactive" className="panel panel--info" role="status">
          <p>Apps can be registered and changed once the organization is active.</p>
        </div>
      )}

      <section id="apps" aria-labelledby="apps-heading" className="section">
        <h2 id="apps-heading">Apps of {o.name}</h2>
        {apps.error && !apps.data && (
          <div id="apps-error" className="alert alert--error" role="alert">
            <p className="alert-message">{apps.error.message}</p>
          </div>
        )}
        {!apps.data && !apps.error && (
          <p className="loading" role="status">
            Loading the apps…
          </p>
        )}
        {apps.data && list.length === 0 && <p id="apps-empty">No apps yet.</p>}
        {list.length > 0 && (
          <div className="table-wrap">
            <table id="apps-table" className="table">
              <caption className="visually-hidden">Apps of {o.name}</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Environment</th>
                  <th scope="col">Redirect URIs</th>
                  <th scope="col">Registered</th>
                  <th scope="col">By</th>
                </tr>
              </thead>
              <tbody>
                {list.map((a) => (
                  <tr key={a.id} data-app-id={a.id}>
                    <th scope="row">
                      <Link id={`app-link-${a.id}`} to={`/organizations/${encodeURIComponent(o.id)}/apps/${encodeURIComponent(a.id)}`}>
                        {a.name}
                      </Link>
                    </th>
                    <td>
                      <EnvironmentBadge environment={a.environment} />
                    </td>
                    <td>{a.redirectUris.length}</td>
                    <td>{formatDate(a.createdAt)}</td>
                    <td>
                      {a.createdBy}
                      {a.registeredThroughApi && " (registered through the API)"}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <ShowMore id="apps" list={pagedApps} one="app" many="apps" />
      </section>

      {perms.change && o.environment === "production" && (
        <p id="production-apps-note" className="hint">
          Production apps are created by going live: register and test the app in your sandbox organization, then ask for
          production access from its page. The bank reviews the request and, once the contract is signed, creates the
          production app here.
        </p>
      )}
      {perms.change && o.environment !== "production" && <RegisterAppForm org={o} />}

      <section id="org-certificates" aria-labelledby="org-certificates-heading" className="section">
        <h2 id="org-certificates-heading">mTLS certificates</h2>
        <p>
          Certificates uploaded to {o.name}. Select one for an app on the app's page: each certificate belongs to one app, and
          an app has at most two, so you can add the next before the current one expires. An app can use a certificate only
          once you have proven that you hold its private key.
        </p>
        {certs.error && !certs.data && (
          <div id="org-certificates-error" className="alert alert--error" role="alert">
            <p className="alert-message">{certs.error.message}</p>
          </div>
        )}
        <ExpiryWarning id="org-certificates-expiry" certificates={certificates}>
          A certificate expires within 30 days or has expired: upload its replacement and select it for the app.
        </ExpiryWarning>
        {certs.data && certificates.length === 0 && <p id="org-certificates-empty">No certificates uploaded yet.</p>}
        <FormAlert form="certificate-delete" error={remove.error} />
        <p id="org-certificates-status" className="saved-plain" role="status">
          {certStatus}
        </p>
        {/* Which app uses each certificate is known once the apps are: until then the table waits. */}
        {certificates.length > 0 && apps.data && (
          <CertificateTable
            id="org-certificates-table"
            caption={`mTLS certificates of ${o.name}`}
            certificates={certificates}
            appNames={appNames}
            actions={
              perms.change
                ? (c) => (
                    <>
                      {!c.possession && (
                        <button
                          id={`certificate-prove-${c.sha256Fingerprint}`}
                          type="button"
                          className="button button--secondary button--small"
                          onClick={() => {
                            setCertStatus("");
                            setProving(c);
                          }}
                        >
                          Prove possession<span className="visually-hidden"> of the key of {readableDN(c.subject)}</span>
                        </button>
                      )}
                      {!c.appId && (
                        <button
                          id={`certificate-delete-${c.sha256Fingerprint}`}
                          type="button"
                          className="button button--danger-outline button--small"
                          disabled={remove.busy}
                          onClick={() => setDeleting(c)}
                        >
                          Delete<span className="visually-hidden"> the certificate of {readableDN(c.subject)}</span>
                        </button>
                      )}
                    </>
                  )
                : undefined
            }
          />
        )}
        <ShowMore id="org-certificates" list={pagedCerts} one="certificate" many="certificates" />
        {perms.change && proving && (
          <CertificatePossession
            key={proving.sha256Fingerprint}
            form="org-certificate-possession"
            orgId={o.id}
            certificate={proving}
            onProven={(c) => {
              setProving(null);
              void certs.reload().then(() => setCertStatus(`Proved possession of the private key of ${readableDN(c.subject)}: apps can use the certificate now.`));
            }}
          />
        )}
        {perms.change && <CertificateUploadForm org={o} onUploaded={() => void certs.reload()} />}
        <ConfirmDialog
          id="certificate-delete-dialog"
          open={deleting !== null}
          title="Delete this certificate?"
          confirmLabel="Delete certificate"
          destructive
          busy={remove.busy}
          onConfirm={() => void confirmDelete()}
          onCancel={() => setDeleting(null)}
        >
          <p>{deleting && readableDN(deleting.subject)}</p>
          <p>It disappears from {o.name}. No app uses it; to use it again, upload it again.</p>
        </ConfirmDialog>
      </section>
    </>
  );
}

function RegisterAppForm({ org }: { org: Organization }) {
  const { signedOut } = useAuth();
  const navigate = useNavigate();
  const { busy, error, fields, submit } = useApiForm("register-app");
  const [name, setName] = useState("");

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await submit(() => api.POST("/api/organizations/{orgId}/apps", { params: { path: { orgId: org.id } }, body: { name: name.trim() } }));
    if (!r) return;
    if (r.ok) {
      handOverSecret(r.data.app.id, { credential: r.data.credential, reason: "registered" });
      handOverAPIKey(r.data.app.id, { apiKey: r.data.apiKey, reason: "registered" });
      navigate(`/organizations/${encodeURIComponent(org.id)}/apps/${encodeURIComponent(r.data.app.id)}`);
    } else if (r.status === 401) {
      signedOut();
    }
  };

  return (
    <section id="register" aria-labelledby="register-app-heading" className="section narrow">
      <h2 id="register-app-heading">Register an app</h2>
      <p>
        The app gets a first credential at once. Its secret is shown only once, on the next page: have a safe place ready to
        store it.
      </p>
      <form id="register-app-form" noValidate onSubmit={onSubmit} aria-labelledby="register-app-heading">
        <FormAlert form="register-app" error={error} shownFields={["name"]} />
        <TextField form="register-app" name="name" label="App name" hint={APP_NAME_HINT} autoComplete="off" limit={limitOf("POST /api/organizations/{orgId}/apps", "name")} required value={name} onValueChange={setName} errors={fields.name} />
        <div className="actions">
          <button type="submit" className="button button--primary" disabled={busy} aria-busy={busy || undefined}>
            Register app
          </button>
        </div>
      </form>
    </section>
  );
}
