import { useCallback, useEffect, useState } from "react";
import { Link, Navigate, useParams } from "react-router";
import { api } from "../api/client";
import type { App } from "../api/types";
import { EnvironmentBadge } from "../components/Badge";
import { appPermissions, forgetHandedOverSecret, peekHandedOverAPIKey, peekHandedOverSecret, type IssuedAPIKey, type IssuedSecret } from "../lib/apps";
import { formatDateTime } from "../lib/format";
import { useLoad, useTitle } from "../lib/hooks";
import { allCertificates } from "../lib/certificates";
import { useTPPAPI } from "../lib/tppapi";
import { APIKeySection, UsageSection } from "./app/APIKeySection";
import { AppCertificatesSection } from "./app/AppCertificatesSection";
import { AppSettingsSection } from "./app/AppSettingsSection";
import { CredentialsSection } from "./app/CredentialsSection";
import { GettingStartedSection } from "./app/GettingStartedSection";
import { GoLiveSection } from "./app/GoLiveSection";
import { NotificationsSection } from "./app/NotificationsSection";
import { OAuthSettingsSection } from "./app/OAuthSettingsSection";
import { RedirectUrisSection } from "./app/RedirectUrisSection";
import { SubscriptionsSection } from "./app/SubscriptionsSection";
import { ErrorReference } from "../components/FormAlert";
import { SectionTabs, tabOf, useHashScroll, type SectionTab } from "../components/SectionTabs";

export function AppPage() {
  const { orgId = "", appId = "", tab } = useParams();
  // A fresh page per app: no secret, message or dialog carries over to another. Its tabs
  // share the page, so a secret shown once stays while another tab is open.
  return <AppView key={`${orgId}/${appId}`} orgId={orgId} appId={appId} tab={tab} />;
}

function AppView({ orgId, appId, tab }: { orgId: string; appId: string; tab?: string }) {
  const org = useLoad(() => api.GET("/api/organizations/{orgId}", { params: { path: { orgId } } }), [orgId]);
  const detail = useLoad(() => api.GET("/api/organizations/{orgId}/apps/{appId}", { params: { path: { orgId, appId } } }), [orgId, appId]);
  // The app's own certificates and the ones it may select: every page of the list.
  const certs = useLoad(() => allCertificates(orgId), [orgId]);
  const tppAPI = useTPPAPI();
  const tabLabel = appTabs(true).find((t) => t.id === tab)?.label;
  const appName = detail.data?.app.name ?? "App";
  useTitle(tabLabel ? `${tabLabel} · ${appName}` : appName);

  // The secret of an app registered a moment ago, handed over in memory by the apps page.
  const [issued, setIssued] = useState<IssuedSecret | null>(() => peekHandedOverSecret(appId));
  const [issuedKey, setIssuedKey] = useState<IssuedAPIKey | null>(() => peekHandedOverAPIKey(appId));
  useEffect(() => {
    forgetHandedOverSecret();
  }, []);

  const { reload: reloadDetail, setData: setDetail } = detail;
  const { reload: reloadCerts } = certs;
  const changed = reloadDetail;
  const appChanged = useCallback(
    (app?: App) => {
      if (app && detail.data) setDetail({ ...detail.data, app });
      void reloadDetail();
    },
    [detail.data, setDetail, reloadDetail],
  );

  useHashScroll(org.data !== null && detail.data !== null);

  const failed = org.error ?? detail.error;
  if (!org.data || !detail.data) {
    if (failed) {
      const status = org.error ? org.status : detail.status;
      return (
        <section className="narrow">
          <h1>{status === 404 ? "App not found" : "App"}</h1>
          <div id="app-error" className="panel panel--error" role="alert">
            <p>
              <strong>{failed.message}</strong>
            </p>
            <ErrorReference error={failed} />
          </div>
          <p>
            <Link to={`/organizations/${encodeURIComponent(orgId)}/apps`}>Back to the apps</Link>
          </p>
        </section>
      );
    }
    return (
      <p className="loading" role="status">
        Loading the app…
      </p>
    );
  }

  const o = org.data;
  const { app, credentials, usage } = detail.data;
  const perms = appPermissions(o);
  const sandbox = app.environment === "sandbox";
  const base = `/organizations/${encodeURIComponent(o.id)}/apps/${encodeURIComponent(app.id)}`;
  const tabs = appTabs(sandbox);
  const current = tabOf(tabs, tab);
  // The default tab lives at the app's own URL: its name in the URL leads there.
  if (tab === tabs[0].id) return <Navigate to={base} replace />;

  return (
    <>
      <p className="breadcrumb">
        <Link id="app-apps-link" to={`/organizations/${encodeURIComponent(o.id)}/apps`}>
          Apps of {o.name}
        </Link>
      </p>
      <div className="page-heading">
        <h1 id="app-name">{app.name}</h1>
        <p className="badges">
          <EnvironmentBadge environment={app.environment} />
        </p>
      </div>
      <SectionTabs label="Sections of this app" base={base} tabs={tabs} idPrefix="app" />
      {current === null && (
        <div id="app-tab-missing" className="panel panel--info" role="status">
          <p>{tab === "go-live" ? "Only a sandbox app goes live: this app is already a production app." : "This app has no such section: choose one of the tabs above."}</p>
        </div>
      )}
      {current?.id === "credentials" && (
        <>
          <section id="overview" aria-labelledby="app-overview-heading" className="section">
            <h2 id="app-overview-heading">Overview</h2>
            <dl className="details">
              <dt>Environment</dt>
              <dd id="app-environment">{app.environment === "production" ? "Production" : "Sandbox"}</dd>
              <dt>Organization</dt>
              <dd id="app-organization">{o.name}</dd>
              <dt>Registered</dt>
              <dd id="app-createdAt">
                {formatDateTime(app.createdAt)} by {app.createdBy}
                {app.registeredThroughApi && <span id="app-registered-through-api"> (registered through the API)</span>}
              </dd>
            </dl>
            {app.sandboxAppId && (
              <p id="app-production-origin" className="panel panel--info">
                The production app of a sandbox app, created when the bank approved its production access. Its credential has no secret
                until you generate it below.
              </p>
            )}
            {!perms.change && (
              <p id="app-readonly" className="muted">
                {o.status === "ACTIVE" ? "As a Viewer you can see this app but not change it." : "The organization is not active: the app cannot be changed."}
              </p>
            )}
          </section>
          <CredentialsSection org={o} app={app} credentials={credentials} issued={issued} onIssued={setIssued} onChanged={changed} />
          <APIKeySection org={o} app={app} issued={issuedKey} onIssued={setIssuedKey} onChanged={changed} />
          <UsageSection usage={usage ?? []} />
        </>
      )}
      {current?.id === "getting-started" && (
        <GettingStartedSection app={app} clientId={credentials.find((c) => c.clientId)?.clientId} info={tppAPI} base={base} />
      )}
      {current?.id === "certificates" && (
        <AppCertificatesSection org={o} app={app} certificates={certs.data?.certificates ?? null} onChanged={reloadCerts} />
      )}
      {current?.id === "subscriptions" && (
<SubscriptionsSection org={o} app={app} />
      )}
      {current?.id === "notifications" && <NotificationsSection org={o} app={app} />}
      {current?.id === "settings" && (
        <>
          <RedirectUrisSection org={o} app={app} onChanged={appChanged} />
          <OAuthSettingsSection org={o} app={app} info={tppAPI} onChanged={appChanged} />
          {perms.change && <AppSettingsSection org={o} app={app} onRenamed={appChanged} />}
        </>
      )}
      {current?.id === "go-live" && <GoLiveSection org={o} app={app} onChanged={changed} />}
    </>
  );
}

/**
 * The app page's tabs, the default first: credentials (with the API key and its usage), since a
 * new app's secret and API key are shown there once. Go live only for a sandbox app.
 */
function appTabs(sandbox: boolean): SectionTab[] {
  return [
    { id: "credentials", label: "Credentials" },
    { id: "getting-started", label: "Getting started" },
    { id: "certificates", label: "Certificates" },
    { id: "subscriptions", label: "Subscriptions" },
    { id: "notifications", label: "Notifications" },
    { id: "settings", label: "Settings" },
    ...(sandbox ? [{ id: "go-live", label: "Go live" }] : []),
  ];
}
