// Types derived from the generated OpenAPI schema, by path (never by component name),
// so they stay valid whatever names the Go generator gives its component schemas.
import type { paths } from "./schema";

type JsonOf<T> = T extends { content: { "application/json": infer B } } ? B : never;

export type Account = JsonOf<paths["/api/account"]["get"]["responses"][200]>;
export type Preferences = Account["preferences"];
export type PasswordPolicy = JsonOf<paths["/api/auth/password-policy"]["get"]["responses"][200]>;
export type LoginResponse = JsonOf<paths["/api/auth/login"]["post"]["responses"][200]>;
/** A right password of an account with two-step sign-in: the code is needed next. */
export type MFAChallenge = JsonOf<paths["/api/auth/login"]["post"]["responses"][202]>;
/** A new authenticator app's secret and otpauth URI, shown once. */
export type MFASetup = JsonOf<paths["/api/auth/mfa/setup"]["post"]["responses"][200]>;
export type SignupRequest = JsonOf<paths["/api/auth/signup"]["post"]["requestBody"]>;
export type DevMailList = JsonOf<paths["/api/dev/mail"]["get"]["responses"][200]>;
export type DevMail = DevMailList["messages"][number];

// Organizations
export type Organization = JsonOf<paths["/api/organizations/{orgId}"]["get"]["responses"][200]>;
export type OrganizationStatus = Organization["status"];
export type Environment = Organization["environment"];
export type MemberRole = NonNullable<Organization["role"]>;
export type Member = JsonOf<paths["/api/organizations/{orgId}/members"]["get"]["responses"][200]>["members"][number];
export type OnboardingRequest = JsonOf<paths["/api/organizations"]["post"]["requestBody"]>;
export type CertificatePreview = JsonOf<paths["/api/organizations/certificates/preview"]["post"]["responses"][200]>;
export type Certificate = NonNullable<CertificatePreview["qwac"]>;
export type SandboxCertificateRequest = JsonOf<paths["/api/sandbox/certificates"]["post"]["requestBody"]>;
export type SandboxCertificate = JsonOf<paths["/api/sandbox/certificates"]["post"]["responses"][201]>;
/** What onboarding answers: the organization (a draft until both keys are proven) and its request, once submitted. */
export type OnboardingResponse = JsonOf<paths["/api/organizations"]["post"]["responses"][202]>;
/** One of the organization's eIDAS certificates and the proof of possession of its key, if any. */
export type EIDASCertificate = Organization["certificates"][number];
/** How and when possession of a certificate's private key was proven. */
export type Proof = NonNullable<EIDASCertificate["possession"]>;
/** A challenge to sign with a certificate's private key, with the openssl commands that sign it. */
export type Challenge = NonNullable<EIDASCertificate["challenge"]>;
/** A recorded proof of possession, with the onboarding request it submitted (a draft's last certificate). */
export type ProofResult = JsonOf<paths["/api/organizations/{orgId}/certificates/{fingerprint}/possession"]["post"]["responses"][200]>;
/** A request waiting for (or given) the bank's decision: onboarding, rename, offboarding. */
export type ApprovalRequest = JsonOf<paths["/api/organizations/{orgId}/requests"]["get"]["responses"][200]>["requests"][number];
export type ApprovalStatus = ApprovalRequest["status"];
export type AuditEntry = JsonOf<paths["/api/organizations/{orgId}/audit"]["get"]["responses"][200]>["entries"][number];
/** The role an owner or administrator can give a member (never OWNER: that is a transfer). */
export type AssignableRole = JsonOf<paths["/api/organizations/{orgId}/members/{userId}"]["patch"]["requestBody"]>["role"];
export type Invitation = JsonOf<paths["/api/organizations/{orgId}/invitations"]["get"]["responses"][200]>["invitations"][number];
export type InvitationPreview = JsonOf<paths["/api/invitations/lookup"]["post"]["responses"][200]>;

// Apps, credentials, redirect URIs and mTLS certificates
export type App = JsonOf<paths["/api/organizations/{orgId}/apps/{appId}"]["patch"]["responses"][200]>;
export type AppDetail = JsonOf<paths["/api/organizations/{orgId}/apps/{appId}"]["get"]["responses"][200]>;
export type AppCreated = JsonOf<paths["/api/organizations/{orgId}/apps"]["post"]["responses"][201]>;
/** A credential as listed: Viewers get it without its client ID. */
export type Credential = AppDetail["credentials"][number];
/** A credential with its secret, shown once (after registering, adding or resetting). */
export type NewCredential = JsonOf<paths["/api/organizations/{orgId}/apps/{appId}/credentials"]["post"]["responses"][201]>;
export type VerifyResult = JsonOf<paths["/api/organizations/{orgId}/apps/{appId}/credentials/{clientId}/verify"]["post"]["responses"][200]>;
/** An mTLS certificate uploaded to an organization; appId names the app it is selected for. */
export type MtlsCertificate = JsonOf<paths["/api/organizations/{orgId}/certificates"]["post"]["responses"][201]>;
/** A certificate the sandbox CA issued for an app, with its private key (shown once). */
export type IssuedCertificate = JsonOf<paths["/api/organizations/{orgId}/apps/{appId}/certificates/sandbox"]["post"]["responses"][201]>;
/** An app's API key as listed: when it was made and, once replaced, until when it works (never the key). */
export type APIKeyInfo = App["apiKeys"][number];
/** An API key shown once, with the header TPP calls carry it in. */
export type NewAPIKey = AppCreated["apiKey"];
/** A rotation's answer: the new key (shown once), the app, and when the replaced key stops. */
export type APIKeyRotation = JsonOf<paths["/api/organizations/{orgId}/apps/{appId}/api-key/rotate"]["post"]["responses"][200]>;
/** One subscribed product's calls today against its plan. */
export type ProductUsage = AppDetail["usage"][number];
/** Where a sandbox app's request for production access is. */
export type GoLive = NonNullable<App["goLive"]>;
/** How the authorization server treats the app's authorization requests (FAPI 2.0: pushed first). */
export type OAuthSettingsRequest = JsonOf<paths["/api/organizations/{orgId}/apps/{appId}/oauth-settings"]["put"]["requestBody"]>;
/** Where apps call the TPP API and its authorization server, and how long codes and tokens live. */
export type TPPAPIInfo = JsonOf<paths["/api/tpp-api"]["get"]["responses"][200]>;

// API products and subscriptions
export type Product = JsonOf<paths["/api/products"]["get"]["responses"][200]>["products"][number];
export type Plan = Product["plans"][number];
/** How developers reach the bank's API support. */
export type SupportInfo = JsonOf<paths["/api/support"]["get"]["responses"][200]>;
/** The state of each of the portal's dependencies (the same body with 200 and 503). */
export type Health = JsonOf<paths["/api/healthz"]["get"]["responses"][200]>;
export type Subscription = JsonOf<paths["/api/organizations/{orgId}/apps/{appId}/subscriptions"]["get"]["responses"][200]>["subscriptions"][number];
export type SubscriptionStatus = Subscription["status"];
export type GoLiveRequest = JsonOf<paths["/api/organizations/{orgId}/apps/{appId}/go-live"]["post"]["requestBody"]>;

// Operations console
export type OpsOrganizationDetail = JsonOf<paths["/api/ops/organizations/{orgId}"]["get"]["responses"][200]>;
export type OpsOrganizationSummary = JsonOf<paths["/api/ops/organizations"]["get"]["responses"][200]>["organizations"][number];
export type OpsRequestDetail = JsonOf<paths["/api/ops/requests/{requestId}"]["get"]["responses"][200]>;

/** Shape of every error body the API returns (see the API contract). */
export interface ApiFieldError {
  field: string;
  rule: string;
  message: string;
}

export interface ApiError {
  code: string;
  message: string;
  fields?: ApiFieldError[];
  requestId: string;
  /** The HTTP status it came with (0: no answer); a reference is worth quoting only for 5xx. */
  status?: number;
}

/** One status notification the TPP API sent (or is sending) to a TPP-Notification-URI of the app, with its attempts. */
export type NotificationDelivery = JsonOf<paths["/api/organizations/{orgId}/apps/{appId}/notifications"]["get"]["responses"][200]>["deliveries"][number];
