import { api } from "../../api/client";
import type { App, NotificationDelivery, Organization } from "../../api/types";
import { ErrorReference } from "../../components/FormAlert";
import { formatDateTimeUTC } from "../../lib/format";
import { usePaged } from "../../lib/paging";
import { ShowMore } from "../../components/ShowMore";

interface Props {
  org: Organization;
  app: App;
}

const RESOURCES: Record<string, string> = {
  payment: "Payment",
  consent: "Consent",
  "funds-confirmation-consent": "Funds confirmation consent",
};

const OUTCOMES: Record<NotificationDelivery["outcome"], string> = {
  pending: "Retrying",
  delivered: "Delivered",
  failed: "Failed",
};

/** What the last attempt of a delivery got, and when the next one is due. */
export function attemptsText(d: NotificationDelivery): string {
  const n = d.attempts.length;
  if (n === 0) return d.outcome === "pending" ? "Not tried yet" : "None";
  const last = d.attempts[n - 1];
  const got = last.httpStatus ? `HTTP ${last.httpStatus}` : (last.error ?? "no answer");
  const count = n === 1 ? "1 attempt" : `${n} attempts`;
  const next = d.outcome === "pending" && d.nextAttemptAt ? `; next ${formatDateTimeUTC(d.nextAttemptAt)}` : "";
  return `${count}, last: ${got}${next}`;
}

/**
 * The status notifications the TPP API sent the app's TPP-Notification-URIs, newest first:
 * when the status changed, the resource, its new status, whether the TPP took it, and the
 * attempts (at most five, retried after 1, 2, 4 and 8 minutes).
 */
export function NotificationsSection({ org, app }: Props) {
  const paged = usePaged(
    (cursor) =>
      api.GET("/api/organizations/{orgId}/apps/{appId}/notifications", { params: { path: { orgId: org.id, appId: app.id }, query: { cursor } } }),
    (page) => page.deliveries,
    [org.id, app.id],
  );
  const log = paged.first;
  const list = paged.items;
  return (
    <section id="notifications" aria-labelledby="notifications-heading" className="section">
      <h2 id="notifications-heading">Status notifications</h2>
      <p>
        When a payment or consent is created with the <code>TPP-Notification-URI</code> header, the bank posts each change of its status to
        that URI. Its host must be the host of one of this app's redirect URIs. A notification that is not answered with a 2xx status is
        tried again after 1, 2, 4 and 8 minutes.
      </p>
      {log.error ? (
        <div id="notifications-error" className="panel panel--error" role="alert">
          <p>
            <strong>{log.error.message}</strong>
          </p>
          <ErrorReference error={log.error} />
        </div>
      ) : !log.data ? (
        <p className="loading" role="status">
          Loading the notifications…
        </p>
      ) : list.length === 0 ? (
        <p id="notifications-none">No notifications yet.</p>
      ) : (
        <table id="notifications-table" className="table">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Resource</th>
              <th scope="col">Status</th>
              <th scope="col">Outcome</th>
              <th scope="col">Attempts</th>
            </tr>
          </thead>
          <tbody>
            {list.map((d) => (
              <tr key={d.id} data-notification={d.id}>
                <td className="notification-time">{formatDateTimeUTC(d.createdAt)}</td>
                <td className="notification-resource">
                  {RESOURCES[d.resourceType] ?? d.resourceType} <code className="fingerprint">{d.resourceId}</code>
                </td>
                <td className="notification-status">
                  {d.statusAttribute} <code>{d.status}</code>
                </td>
                <td className="notification-outcome">{OUTCOMES[d.outcome]}</td>
                <td className="notification-attempts">{attemptsText(d)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ShowMore id="notifications" list={paged} one="notification" many="notifications" />
    </section>
  );
}
