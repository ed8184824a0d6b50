import type { Subscription } from "../api/types";
import { SUBSCRIPTION_STATUS_LABEL } from "../lib/apps";
import { StatusBadge } from "./Badge";

/** A subscription's status in words: Active, Pending approval or Rejected. */
export function SubscriptionBadge({ id, status }: { id?: string; status: Subscription["status"] }) {
  return <StatusBadge id={id} status={status} labels={SUBSCRIPTION_STATUS_LABEL} />;
}

/** What a subscription's status means for the app, in one sentence. */
export function subscriptionExplanation(s: Pick<Subscription, "status" | "reason">, mandatory: boolean): string {
  switch (s.status) {
    case "PENDING":
      return "Waiting for the bank's operations team; you will get an email when it is decided.";
    case "REJECTED":
      return s.reason ? `The bank did not approve it: ${s.reason}` : "The bank did not approve it.";
    default:
      return mandatory ? "Included with every app; it cannot be removed." : "The app can call this API.";
  }
}
