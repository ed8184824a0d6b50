import { useState, type FormEvent } from "react";
import { api } from "../../api/client";
import type { App, APIKeyInfo, Organization, ProductUsage } from "../../api/types";
import { useAuth } from "../../auth/AuthContext";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { TextField } from "../../components/Field";
import { FormAlert } from "../../components/FormAlert";
import { OneTimeAPIKey } from "../../components/OneTimeAPIKey";
import { appPermissions, DEFAULT_GRACE_HOURS, MAX_GRACE_HOURS, type IssuedAPIKey } from "../../lib/apps";
import { formatDateTime } from "../../lib/format";
import { useApiForm } from "../../lib/hooks";

interface Props {
  org: Organization;
  app: App;
  issued: IssuedAPIKey | null;
  onIssued: (issued: IssuedAPIKey | null) => void;
  /** Loads the app again; messages wait for it, so the list and the message agree. */
  onChanged: () => Promise<void>;
}

const HOUR = 60 * 60 * 1000;

/** What happens to the current key when the app's key is rotated with a grace period. */
export function rotationConsequence(hours: number, now: number = Date.now()): string {
  if (hours === 0) return "The current API key stops working at once: calls that still send it are refused.";
  const until = formatDateTime(new Date(now + hours * HOUR).toISOString());
  return `The current API key keeps working for ${hours} ${hours === 1 ? "hour" : "hours"}, until about ${until}, and then stops: switch your app to the new key before then.`;
}

/** One key as listed: current, or replaced and working until (or stopped at) its expiry. */
function keyState(k: APIKeyInfo, now: number): string {
  if (!k.expiresAt) return "Current";
  return new Date(k.expiresAt).getTime() > now ? `Replaced: works until ${formatDateTime(k.expiresAt)}` : `Replaced: stopped working ${formatDateTime(k.expiresAt)}`;
}

export function APIKeySection({ org, app, issued, onIssued, onChanged }: Props) {
  const { signedOut } = useAuth();
  const perms = appPermissions(org);
  const { busy, error, fields, submit } = useApiForm("apikey");
  const [grace, setGrace] = useState(String(DEFAULT_GRACE_HOURS));
  const [confirming, setConfirming] = useState(false);
  const keys = app.apiKeys ?? [];
  const now = Date.now();
  const graceHours = Number(grace);
  const graceValid = grace.trim() !== "" && Number.isInteger(graceHours) && graceHours >= 0 && graceHours <= MAX_GRACE_HOURS;

  const issue = async (body: { gracePeriodHours?: number }, reason: IssuedAPIKey["reason"]) => {
    const r = await submit(() =>
      api.POST("/api/organizations/{orgId}/apps/{appId}/api-key/rotate", { params: { path: { orgId: org.id, appId: app.id } }, body }),
    );
    if (r?.ok) {
      await onChanged();
      onIssued({ apiKey: r.data.apiKey, reason, previousExpiresAt: r.data.previousExpiresAt });
    } else if (r?.status === 401) signedOut();
  };

  const onRotate = (e: FormEvent) => {
    e.preventDefault();
    setConfirming(true);
  };

  return (
    <section id="api-key" aria-labelledby="api-key-heading" className="section">
      <h2 id="api-key-heading">API key</h2>
      <p>
        Every call to the TPP API carries this app's API key in the <code>apiKey</code> header, with the app's certificate. The bank keeps
        only a hash of the key: it is shown once, when it is created or rotated. Rotating it gives the current key a grace period, so your
        app can switch without downtime.
      </p>
      {issued && <OneTimeAPIKey issued={issued} onDone={() => onIssued(null)} />}
      <FormAlert form="apikey" error={error} shownFields={["gracePeriodHours"]} />
      {keys.length === 0 ? (
        <p id="apikey-none">This app has no API key yet: its calls to the TPP API are refused until it has one.</p>
      ) : (
        <ul id="apikey-list" className="plain-list">
          {keys.map((k) => (
            <li key={k.createdAt} className="apikey" data-current={k.expiresAt ? undefined : "true"}>
              <strong className="apikey-state">{keyState(k, now)}</strong> <span className="muted">created {formatDateTime(k.createdAt)}</span>
            </li>
          ))}
        </ul>
      )}
      {perms.change && keys.length === 0 && (
        <div className="actions">
          <button id="apikey-create" type="button" className="button button--primary" disabled={busy} aria-busy={busy || undefined} onClick={() => void issue({}, "created")}>
            Create API key
          </button>
        </div>
      )}
      {perms.change && keys.length > 0 && (
        <form id="apikey-form" noValidate onSubmit={onRotate} aria-label="Rotate the API key">
          <TextField
            form="apikey"
            name="gracePeriodHours"
            label="Grace period (hours)"
            hint={`How long the current key keeps working after the rotation: 0 to ${MAX_GRACE_HOURS} hours (7 days).`}
            type="text"
            inputMode="numeric"
            pattern="[0-9]*"
            autoComplete="off"
            required
            value={grace}
            onValueChange={setGrace}
            errors={fields.gracePeriodHours}
          />
          <div className="actions">
            <button id="apikey-rotate" type="submit" className="button button--secondary" disabled={busy} aria-busy={busy || undefined}>
              Rotate API key
            </button>
          </div>
        </form>
      )}
      <ConfirmDialog
        id="apikey-rotate-dialog"
        open={confirming}
        title="Rotate the API key?"
        confirmLabel="Rotate API key"
        destructive={graceValid && graceHours === 0}
        busy={busy}
        onConfirm={() => {
          setConfirming(false);
          // The server checks the grace period and names the field if it is out of range.
          void issue({ gracePeriodHours: graceValid ? graceHours : Number.isNaN(graceHours) ? -1 : graceHours }, "rotated");
        }}
        onCancel={() => setConfirming(false)}
      >
        <p>A new API key is made and shown once.</p>
        <p id="apikey-rotate-consequence">{graceValid ? rotationConsequence(graceHours, now) : "The grace period you entered is not valid; the bank will tell you why."}</p>
        {keys.length > 1 && <p>The key replaced before it stops working now, whatever its grace period.</p>}
      </ConfirmDialog>
    </section>
  );
}

const numberFormat = new Intl.NumberFormat("en-GB");

/** Calls today against the daily quota, or why they cannot be shown. */
export function callsText(u: ProductUsage): string {
  if (!u.available || u.callsToday === undefined) return "Not available";
  return `${numberFormat.format(u.callsToday)} of ${numberFormat.format(u.quotaPerDay)}`;
}

/** Each active product's calls today (UTC) against its plan's daily quota and its rate limit. */
export function UsageSection({ usage }: { usage: readonly ProductUsage[] }) {
  return (
    <section id="usage" aria-labelledby="usage-heading" className="section">
      <h2 id="usage-heading">Usage today</h2>
      <p>Calls to the TPP API since midnight UTC, by product, against your plan. The daily quota starts again at midnight UTC.</p>
      {usage.length === 0 ? (
        <p id="usage-none">No active subscriptions.</p>
      ) : (
        <table id="usage-table" className="table">
          <thead>
            <tr>
              <th scope="col">Product</th>
              <th scope="col">Calls today</th>
              <th scope="col">Rate limit</th>
            </tr>
          </thead>
          <tbody>
            {usage.map((u) => (
              <tr key={u.productId} data-product={u.productId}>
                <th scope="row">{u.productName}</th>
                <td className="usage-calls">{callsText(u)}</td>
                <td className="usage-rate">{numberFormat.format(u.rateLimitPerSecond)} calls a second</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
