import type { ApprovalRequest, MemberRole, NewAPIKey, NewCredential, Organization, Plan } from "../api/types";

/** An app has at most this many mTLS certificates: the current one and its replacement. */
export const MAX_APP_CERTIFICATES = 2;

/** A certificate that expires within this many days is flagged. */
export const EXPIRY_WARNING_DAYS = 30;

const DAY = 24 * 60 * 60 * 1000;

export type Expiry = { state: "expired" } | { state: "soon"; days: number } | { state: "valid"; days: number };

/**
 * Where a certificate stands against its expiry: expired, expiring within
 * EXPIRY_WARNING_DAYS (days left rounded up, so "1 day" until the last moment), or valid.
 */
export function expiryOf(notAfter: string, now: number = Date.now()): Expiry {
  const ms = new Date(notAfter).getTime() - now;
  if (Number.isNaN(ms) || ms <= 0) return { state: "expired" };
  const days = Math.ceil(ms / DAY);
  return days <= EXPIRY_WARNING_DAYS ? { state: "soon", days } : { state: "valid", days };
}

/** What the apps pages let a member do; the server enforces the same rules. */
export function appPermissions(org: Pick<Organization, "role" | "status"> | null | undefined) {
  const role: MemberRole | undefined = org?.role;
  const active = org?.status === "ACTIVE";
  const member = role !== undefined;
  return {
    /** Register apps, manage credentials, redirect URIs, certificates and subscriptions. */
    change: member && role !== "VIEWER" && active,
    /** Delete an app: the owner and administrators. */
    delete: (role === "OWNER" || role === "ADMIN") && active,
    /** Viewers never see client IDs. */
    seeClientIds: member && role !== "VIEWER",
  };
}

/** Short form of a SHA-256 fingerprint for option labels: the first and last 8 hex digits. */
export function shortFingerprint(fp: string): string {
  return fp.length > 20 ? `${fp.slice(0, 8)}…${fp.slice(-8)}` : fp;
}

/** "CN=tpp.example.com,O=Example TPP,C=BE" → "CN=tpp.example.com, O=Example TPP, C=BE". */
export function readableDN(dn: string): string {
  return dn ? dn.replace(/,(?=[A-Za-z.0-9]+=)/g, ", ") : "—";
}

/** Why a secret is being shown. */
export type SecretReason = "registered" | "added" | "reset" | "generated";

/** A secret just issued, waiting to be shown once. */
export interface IssuedSecret {
  credential: NewCredential;
  reason: SecretReason;
}

// The app page shows the secret of an app registered on the apps page. It is handed over
// in memory only: never in the URL, history state or storage.
let handedOver: { appId: string; issued: IssuedSecret } | null = null;

/** Keeps a just-issued secret for the app's page to show once. */
export function handOverSecret(appId: string, issued: IssuedSecret) {
  handedOver = { appId, issued };
}

/** The secret handed over for this app, if any; it stays until forgotten. */
export function peekHandedOverSecret(appId: string): IssuedSecret | null {
  return handedOver?.appId === appId ? handedOver.issued : null;
}

/** Forgets a handed-over secret (and API key) once its page shows it. */
export function forgetHandedOverSecret() {
  handedOver = null;
  handedOverKey = null;
}

/** Why an API key is being shown. */
export type APIKeyReason = "registered" | "created" | "rotated";

/** An API key just issued, waiting to be shown once. */
export interface IssuedAPIKey {
  apiKey: NewAPIKey;
  reason: APIKeyReason;
  /** When the replaced key stops working (a rotation). */
  previousExpiresAt?: string;
}

// The API key of an app registered on the apps page, handed over in memory like its secret.
let handedOverKey: { appId: string; issued: IssuedAPIKey } | null = null;

/** Keeps a just-issued API key for the app's page to show once. */
export function handOverAPIKey(appId: string, issued: IssuedAPIKey) {
  handedOverKey = { appId, issued };
}

/** The API key handed over for this app, if any; it stays until forgotten. */
export function peekHandedOverAPIKey(appId: string): IssuedAPIKey | null {
  return handedOverKey?.appId === appId ? handedOverKey.issued : null;
}

/** Grace periods a rotation allows, in hours (the server refuses others). */
export const DEFAULT_GRACE_HOURS = 24;
export const MAX_GRACE_HOURS = 168;

export const SUBSCRIPTION_STATUS_LABEL: Record<string, string> = {
  ACTIVE: "Active",
  PENDING: "Pending approval",
  REJECTED: "Rejected",
};

export const GO_LIVE_STATUS_LABEL: Record<string, string> = {
  PENDING: "Waiting for the bank",
  DECIDING: "Being applied",
  APPROVED: "Live",
  REJECTED: "Rejected",
  EXPIRED: "Expired",
  FAILED: "Failed",
  ENDED: "Ended",
};

/** "Step 1 of 2: Review" for a request decided in steps; "" for a one-decision request. */
/** The operations decisions a go-live request needs, in order (shared/portal/apps GoLiveSteps). */
export const GO_LIVE_STEPS = ["Review", "Contract signed"];

export function stepText(r: Pick<ApprovalRequest, "steps" | "step">): string {
  const steps = r.steps ?? [];
  if (steps.length < 2) return "";
  const i = Math.min(Math.max(r.step ?? 0, 0), steps.length - 1);
  return `Step ${i + 1} of ${steps.length}: ${steps[i]}`;
}

const numberFormat = new Intl.NumberFormat("en-GB");

/** "Sandbox: 10 requests a second, 10,000 a day". */
export function planText(p: Plan): string {
  return `${p.name}: ${numberFormat.format(p.rateLimitPerSecond)} requests a second, ${numberFormat.format(p.quotaPerDay)} a day`;
}
