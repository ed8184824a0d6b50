import { useState, type FormEvent } from "react";
import { api } from "../../api/client";
import type { App, Organization, Product, Subscription } from "../../api/types";
import { useAuth } from "../../auth/AuthContext";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { ChoiceGroup, SelectField } from "../../components/Field";
import { FormAlert } from "../../components/FormAlert";
import { RequestHistory } from "../../components/RequestList";
import { SubscriptionBadge, subscriptionExplanation } from "../../components/SubscriptionStatus";
import { appPermissions, planText } from "../../lib/apps";
import { formatDateTime } from "../../lib/format";
import { useApiForm, useLoad } from "../../lib/hooks";
import { usePaged } from "../../lib/paging";
import { ShowMore } from "../../components/ShowMore";
import { useSuccessMessage } from "../../lib/feedback";

interface Props {
  org: Organization;
  app: App;
}

function TrashIcon() {
  return (
    <svg aria-hidden="true" focusable="false" width="16" height="16" viewBox="0 0 16 16" className="icon">
      <path
        fill="currentColor"
        d="M6 1h4a1 1 0 0 1 1 1v1h3v1.5H2V3h3V2a1 1 0 0 1 1-1Zm1 2h2V2.5H7V3ZM3.5 6h9l-.7 8.1A1 1 0 0 1 10.8 15H5.2a1 1 0 0 1-1-.9L3.5 6Zm3 1.5v6h1v-6h-1Zm2 0v6h1v-6h-1Z"
      />
    </svg>
  );
}

/** The product's requirement, in words: the PSD2 role, or the bank's approval. */
export function productRequirement(p: Product): string {
  if (p.mandatory) return "Every app is subscribed automatically.";
  if (p.approval === "operations") return "The bank's operations team approves each subscription.";
  if (p.requiredRole) return `Active at once if your organization's QWAC carries the PSD2 role ${p.requiredRole}.`;
  return "Active at once.";
}

export function SubscriptionsSection({ org, app }: Props) {
  const { signedOut } = useAuth();
  const perms = appPermissions(org);
  const products = useLoad(() => api.GET("/api/products"), []);
  const paged = usePaged(
    (cursor) => api.GET("/api/organizations/{orgId}/apps/{appId}/subscriptions", { params: { path: { orgId: org.id, appId: app.id }, query: { cursor } } }),
    (page) => page.subscriptions,
    [org.id, app.id],
  );
  const subs = paged.first;
  const remove = useApiForm("unsubscribe");
  const [removing, setRemoving] = useState<Subscription | null>(null);
  const [status, setStatus] = useSuccessMessage("");

  const catalog = products.data?.products ?? [];
  const product = (id: string) => catalog.find((p) => p.id === id);
  // In the catalog's order (the authorization server first); the server sorts by product ID.
  const rank = (id: string) => {
    const i = catalog.findIndex((p) => p.id === id);
    return i < 0 ? catalog.length : i;
  };
  const list = [...paged.items].sort((a, b) => rank(a.productId) - rank(b.productId));
  // Products the app can still ask for: not mandatory, and not active or waiting (known
  // once every page is loaded).
  const available = catalog.filter((p) => !p.mandatory && !list.some((s) => s.productId === p.id && s.status !== "REJECTED"));

  const confirmRemove = async () => {
    const s = removing;
    setRemoving(null);
    if (!s) return;
    setStatus("");
    const r = await remove.submit(() =>
      api.DELETE("/api/organizations/{orgId}/apps/{appId}/subscriptions/{productId}", { params: { path: { orgId: org.id, appId: app.id, productId: s.productId } } }),
    );
    if (r?.ok) {
      setStatus(s.status === "REJECTED" ? `The rejected request for ${s.productName} is cleared.` : `${app.name} is no longer subscribed to ${s.productName}.`);
      void subs.reload();
    } else if (r?.status === 401) signedOut();
  };

  return (
    <section id="subscriptions" aria-labelledby="subscriptions-heading" className="section">
      <h2 id="subscriptions-heading">API subscriptions</h2>
      <p>
        An app calls only the APIs it is subscribed to. Every app is subscribed to the OAuth2 authorization server when it is
        registered. PSD2 APIs are active at once when your organization's eIDAS certificate carries the role they need; premium
        APIs wait for the bank's approval.
      </p>
      {(subs.error ?? products.error) && !subs.data && (
        <div id="subscriptions-error" className="alert alert--error" role="alert">
          <p className="alert-message">{(subs.error ?? products.error)!.message}</p>
        </div>
      )}
      <FormAlert form="unsubscribe" error={remove.error} />
      <p id="subscriptions-status" className="saved-plain" role="status">
        {status}
      </p>
      {!subs.data && !subs.error && (
        <p className="loading" role="status">
          Loading the subscriptions…
        </p>
      )}
      {subs.data && list.length === 0 && <p id="subscriptions-empty">No subscriptions.</p>}
      {list.length > 0 && (
        <div className="table-wrap">
          <table id="subscriptions-table" className="table">
            <caption className="visually-hidden">API subscriptions of {app.name}</caption>
            <thead>
              <tr>
                <th scope="col">API</th>
                <th scope="col">Plan</th>
                <th scope="col">Status</th>
                <th scope="col">Updated</th>
                {perms.change && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {list.map((s) => {
                const p = product(s.productId);
                const mandatory = p?.mandatory ?? false;
                const plan = p?.plans.find((x) => x.id === s.planId);
                return (
                  <tr key={s.productId} id={`subscription-${s.productId}`} data-product-id={s.productId}>
                    <th scope="row">
                      {s.productName}
                      {p && p.scopes.length > 0 && <span className="muted subscription-scopes"> · scopes {p.scopes.join(", ")}</span>}
                    </th>
                    <td>{plan ? planText(plan) : s.planId}</td>
                    <td>
                      <SubscriptionBadge id={`subscription-${s.productId}-status`} status={s.status} />
                      <p id={`subscription-${s.productId}-explanation`} className="hint subscription-explanation">
                        {subscriptionExplanation(s, mandatory)}
                      </p>
                      {s.history.length > 0 && (
                        <details>
                          <summary>History</summary>
                          <RequestHistory id={`subscription-${s.productId}-history`} history={s.history} />
                        </details>
                      )}
                    </td>
                    <td>{formatDateTime(s.updatedAt)}</td>
                    {perms.change && (
                      <td>
                        {!mandatory && s.status !== "PENDING" && (
                          <button
                            id={`unsubscribe-${s.productId}`}
                            type="button"
                            className="button button--danger-outline button--small button--icon"
                            disabled={remove.busy}
                            onClick={() => setRemoving(s)}
                          >
                            <TrashIcon />
                            <span className="visually-hidden">{s.status === "REJECTED" ? `Clear the rejected request for ${s.productName}` : `Unsubscribe from ${s.productName}`}</span>
                          </button>
                        )}
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <ShowMore id="subscriptions" list={paged} one="subscription" many="subscriptions" />
      {perms.change && products.data && subs.data && paged.hasMore && (
        <p id="subscribe-needs-all" className="hint">
          Show every subscription to subscribe {app.name} to another API.
        </p>
      )}
      {perms.change && products.data && subs.data && !paged.hasMore && (
        <SubscribeForm
          org={org}
          app={app}
          products={available}
          onSubscribed={(s) => {
            setStatus(
              s.status === "PENDING"
                ? `${s.productName} is requested and pending the bank's approval; you will get an email.`
                : `${app.name} is subscribed to ${s.productName}: it can call it now.`,
            );
            void subs.reload();
          }}
        />
      )}
      <ConfirmDialog
        id="unsubscribe-dialog"
        open={removing !== null}
        title={removing?.status === "REJECTED" ? `Clear the rejected request for ${removing.productName}?` : `Unsubscribe ${app.name} from ${removing?.productName ?? ""}?`}
        confirmLabel={removing?.status === "REJECTED" ? "Clear request" : "Unsubscribe"}
        destructive
        busy={remove.busy}
        onConfirm={() => void confirmRemove()}
        onCancel={() => setRemoving(null)}
      >
        {removing?.status === "REJECTED" ? (
          <p>The rejected request and its reason disappear from the list. You can ask for the API again.</p>
        ) : (
          <p>Calls from the app to this API are refused at once. You can subscribe again later.</p>
        )}
      </ConfirmDialog>
    </section>
  );
}

function SubscribeForm({ org, app, products, onSubscribed }: { org: Organization; app: App; products: readonly Product[]; onSubscribed: (s: Subscription) => void }) {
  const { signedOut } = useAuth();
  const { busy, error, fields, submit } = useApiForm("subscribe");
  const [productId, setProductId] = useState("");
  const [planId, setPlanId] = useState("");
  const chosen = products.find((p) => p.id === productId);

  const choose = (id: string) => {
    setProductId(id);
    // The plan of the app's environment, which is the one the server accepts.
    const p = products.find((x) => x.id === id);
    setPlanId(p?.plans.find((pl) => pl.environment === app.environment)?.id ?? "");
  };

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await submit(() =>
      api.POST("/api/organizations/{orgId}/apps/{appId}/subscriptions", { params: { path: { orgId: org.id, appId: app.id } }, body: { productId, planId } }),
    );
    if (r?.ok) {
      setProductId("");
      setPlanId("");
      onSubscribed(r.data);
    } else if (r?.status === 401) signedOut();
  };

  return (
    <div className="subsection">
      <h3 id="subscribe-heading">Subscribe to an API</h3>
      {products.length === 0 ? (
        <p id="subscribe-none">The app is subscribed to every API the bank offers.</p>
      ) : (
        <form id="subscribe-form" noValidate onSubmit={onSubmit} aria-labelledby="subscribe-heading">
          <FormAlert form="subscribe" error={error} shownFields={["productId", "planId"]} />
          <ChoiceGroup
            type="radio"
            form="subscribe"
            name="productId"
            legend="API"
            options={products.map((p) => ({
              value: p.id,
              label: p.name,
              hint: `${p.description} Scopes: ${p.scopes.join(", ")}. ${productRequirement(p)}`,
            }))}
            value={productId}
            onValueChange={choose}
            errors={fields.productId}
          />
          <SelectField
            form="subscribe"
            name="planId"
            label="Plan"
            hint={`Each plan is for one environment; only the ${app.environment} plan is offered to this ${app.environment} app.`}
            placeholder={chosen ? undefined : "Choose an API first"}
            // Another environment's plan would be refused, so it is not offered.
            options={(chosen?.plans ?? []).filter((p) => p.environment === app.environment).map((p) => ({ value: p.id, label: `${planText(p)} (${p.environment} apps)` }))}
            value={planId}
            onValueChange={setPlanId}
            errors={fields.planId}
          />
          <div className="actions">
            <button type="submit" className="button button--primary" disabled={busy} aria-busy={busy || undefined}>
              Subscribe
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
