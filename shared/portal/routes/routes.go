// Package routes is the portal's route table: every endpoint of the portal API and every
// scheduled function, as data. The Lambda mains (generated from it), the local dev server
// and the CDK stacks all read it, so deployed and local routes cannot drift.
package routes

import (
	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/platform/route"
)

//go:generate go run ../../local/functionsgen -root ../../..

// CertificateCheckPath is where, on the TPP API's origin, a certificate's holder proves
// possession of its key by connecting with it.
const CertificateCheckPath = "/certificate-check"

// RegistrationPath is where, on the TPP API's origin, the TPP's software registers
// through the API alone (package registration).
const RegistrationPath = "/registration"

// DynamicClientPath is dynamic client registration's endpoint (RFC 7591) on the TPP
// API's origin, beside the authorization server's other endpoints; a client's
// configuration endpoint (RFC 7592) is under it, by client ID.
const DynamicClientPath = config.OAuthRegisterPath

// Portal is every portal API route.
var Portal = []route.Route{
	{Name: "healthz", Method: "GET", Path: "/api/healthz", Auth: route.Public, Needs: route.PortalTable, Tag: "platform", Summary: "State of each dependency; 200 only when all are up"},
	{Name: "openapi", Method: "GET", Path: "/api/openapi.json", Auth: route.Public, Tag: "platform", Summary: "This API's OpenAPI 3.1 description"},
	{Name: "support", Method: "GET", Path: "/api/support", Auth: route.Public, Tag: "platform", Summary: "How developers reach the bank's API support (address and hours, as configured)"},
	{Name: "password-policy", Method: "GET", Path: "/api/auth/password-policy", Auth: route.Public, Tag: "auth", Summary: "The password rules new passwords must meet"},
	{Name: "auth-signup", Method: "POST", Path: "/api/auth/signup", Auth: route.Public, Needs: route.PortalTable | route.UserPool | route.Mail | route.PasswordKey, Tag: "auth", Summary: "Create a portal account and email its activation link; an address that has an account gets an email about it instead, and the same answer"},
	{Name: "auth-activate", Method: "POST", Path: "/api/auth/activate", Auth: route.Public, Needs: route.PortalTable | route.UserPool | route.PasswordKey, Tag: "auth", Summary: "Activate an account with the emailed token and the password chosen at sign-up, or a new password that replaces it"},
	{Name: "auth-resend-activation", Method: "POST", Path: "/api/auth/activation/resend", Auth: route.Public, Needs: route.PortalTable | route.Mail, Tag: "auth", Summary: "Email a new activation link to an account waiting for activation; other addresses get an email saying what they have, and the same answer"},
	{Name: "auth-login", Method: "POST", Path: "/api/auth/login", Auth: route.Public, Needs: route.PortalTable | route.UserPool | route.SessionKey, Tag: "auth", Summary: "Sign in and start a session"},
	{Name: "auth-login-mfa", Method: "POST", Path: "/api/auth/login/mfa", Auth: route.Public, Needs: route.PortalTable | route.UserPool | route.SessionKey, Tag: "auth", Summary: "Finish a sign-in that needs a code from the authenticator app (two-step sign-in) and start the session"},
	{Name: "auth-mfa-setup", Method: "POST", Path: "/api/auth/mfa/setup", Auth: route.Session, Tag: "auth", Summary: "Start setting up an authenticator app for two-step sign-in: its secret and otpauth URI, shown once"},
	{Name: "auth-mfa-verify", Method: "POST", Path: "/api/auth/mfa/verify", Auth: route.Session, Tag: "auth", Summary: "Finish setting up the authenticator app with a code it shows: two-step sign-in is on from now"},
	{Name: "auth-mfa-disable", Method: "DELETE", Path: "/api/auth/mfa", Auth: route.Session, Needs: route.Mail, Fresh: true, Tag: "auth", Summary: "Turn two-step sign-in off (with the password confirmed in the last minutes; operations staff keep it)"},
	{Name: "auth-refresh", Method: "POST", Path: "/api/auth/refresh", Auth: route.Session, Tag: "auth", Summary: "Extend the session with Cognito's refresh token"},
	{Name: "auth-logout", Method: "POST", Path: "/api/auth/logout", Auth: route.Session, Tag: "auth", Summary: "End the session and revoke its tokens"},
	{Name: "auth-forgot-password", Method: "POST", Path: "/api/auth/password/forgot", Auth: route.Public, Needs: route.PortalTable | route.Mail, Tag: "auth", Summary: "Email a password reset link; an address without an account gets an email saying so, and the same answer"},
	{Name: "auth-reset-password", Method: "POST", Path: "/api/auth/password/reset", Auth: route.Public, Needs: route.PortalTable | route.UserPool | route.Mail | route.PasswordKey, Tag: "auth", Summary: "Set a new password with the emailed token"},
	{Name: "auth-confirm-password", Method: "POST", Path: "/api/auth/confirm-password", Auth: route.Session, Tag: "auth", Summary: "Confirm the signed-in user's password, for the actions that need it confirmed in the last minutes"},
	{Name: "account-get", Method: "GET", Path: "/api/account", Auth: route.Session, Tag: "account", Summary: "The signed-in user's account"},
	{Name: "account-update", Method: "PATCH", Path: "/api/account", Auth: route.Session, Tag: "account", Summary: "Change the signed-in user's name"},
	{Name: "account-preferences", Method: "PUT", Path: "/api/account/preferences", Auth: route.Session, Tag: "account", Summary: "Choose which emails the user receives"},
	{Name: "account-change-password", Method: "POST", Path: "/api/account/password", Auth: route.Session, Needs: route.Mail | route.PasswordKey, Tag: "account", Summary: "Change the password"},
	{Name: "org-list", Method: "GET", Path: "/api/organizations", Auth: route.Session, Tag: "organizations", Summary: "The signed-in user's organizations (for the switcher)"},
	{Name: "org-onboard", Method: "POST", Path: "/api/organizations", Auth: route.Session, Needs: route.StartApproval | route.SandboxCACert, Tag: "organizations", Summary: "Onboard an organization as a TPP with its eIDAS certificates (a draft until possession of both keys is proven, then submitted for approval)"},
	{Name: "org-certificates-preview", Method: "POST", Path: "/api/organizations/certificates/preview", Auth: route.Session, Needs: route.SandboxCACert, Tag: "organizations", Summary: "What a pair of eIDAS certificates says, and what onboarding would refuse"},
	{Name: "sandbox-certificates", Method: "POST", Path: "/api/sandbox/certificates", Auth: route.Session, Needs: route.SandboxCA, Tag: "organizations", Summary: "Issue a test QWAC or QSealC from the sandbox CA"},
	{Name: "org-join", Method: "POST", Path: "/api/organizations/join", Auth: route.Session, Tag: "organizations", Summary: "Join an organization with its code, as App Developer"},
	{Name: "org-get", Method: "GET", Path: "/api/organizations/{orgId}", Auth: route.Session, Tag: "organizations", Summary: "One organization as the member sees it"},
	{Name: "org-members", Method: "GET", Path: "/api/organizations/{orgId}/members", Auth: route.Session, Tag: "organizations", Summary: "The organization's members and their roles"},
	{Name: "org-code-regenerate", Method: "POST", Path: "/api/organizations/{orgId}/code", Auth: route.Session, Tag: "organizations", Summary: "Give the organization a new code (owner only)"},
	{Name: "org-requests", Method: "GET", Path: "/api/organizations/{orgId}/requests", Auth: route.Session, Tag: "organizations", Summary: "The organization's requests and their decisions"},
	{Name: "org-audit", Method: "GET", Path: "/api/organizations/{orgId}/audit", Auth: route.Session, Tag: "organizations", Summary: "The organization's audit trail (owner and administrators)"},
	{Name: "org-member-role", Method: "PATCH", Path: "/api/organizations/{orgId}/members/{userId}", Auth: route.Session, Tag: "organizations", Summary: "Change a member's role (owner and administrators)"},
	{Name: "org-member-remove", Method: "DELETE", Path: "/api/organizations/{orgId}/members/{userId}", Auth: route.Session, Tag: "organizations", Summary: "Remove a member (owner and administrators)"},
	{Name: "org-leave", Method: "POST", Path: "/api/organizations/{orgId}/leave", Auth: route.Session, Tag: "organizations", Summary: "Leave the organization"},
	{Name: "org-owner", Method: "POST", Path: "/api/organizations/{orgId}/owner", Auth: route.Session, Tag: "organizations", Summary: "Hand ownership to another member (owner only)"},
	{Name: "org-invitations", Method: "GET", Path: "/api/organizations/{orgId}/invitations", Auth: route.Session, Tag: "organizations", Summary: "Invitations and their status (owner and administrators)"},
	{Name: "org-invite", Method: "POST", Path: "/api/organizations/{orgId}/invitations", Auth: route.Session, Needs: route.Mail, Tag: "organizations", Summary: "Invite someone by email with a role"},
	{Name: "org-invitation-resend", Method: "POST", Path: "/api/organizations/{orgId}/invitations/{invitationId}/resend", Auth: route.Session, Needs: route.Mail, Tag: "organizations", Summary: "Send an invitation again with a new link"},
	{Name: "org-invitation-revoke", Method: "DELETE", Path: "/api/organizations/{orgId}/invitations/{invitationId}", Auth: route.Session, Tag: "organizations", Summary: "Withdraw a pending invitation"},
	{Name: "invitation-lookup", Method: "POST", Path: "/api/invitations/lookup", Auth: route.Public, Needs: route.PortalTable, Tag: "organizations", Summary: "What an invitation link offers"},
	{Name: "invitation-accept", Method: "POST", Path: "/api/invitations/accept", Auth: route.Session, Tag: "organizations", Summary: "Accept an invitation as the signed-in user"},
	{Name: "org-certificates-renew", Method: "POST", Path: "/api/organizations/{orgId}/eidas-certificates/renewal", Auth: route.Session, Needs: route.StartApproval | route.SandboxCACert, Tag: "organizations", Summary: "Renew the organization's QWAC, QSealC or both (owner and administrators): same organizationIdentifier and roles, possession of each new key proven; the sandbox applies it at once, production once operations approve"},
	{Name: "org-rename", Method: "POST", Path: "/api/organizations/{orgId}/rename", Auth: route.Session, Needs: route.StartApproval, Tag: "organizations", Summary: "Ask the bank to rename the organization (owner only)"},
	{Name: "org-offboard", Method: "POST", Path: "/api/organizations/{orgId}/offboarding", Auth: route.Session, Needs: route.StartApproval, Tag: "organizations", Summary: "Ask the bank to offboard the organization (owner only; cannot be undone)"},
	{Name: "app-list", Method: "GET", Path: "/api/organizations/{orgId}/apps", Auth: route.Session, Tag: "apps", Summary: "The organization's apps"},
	{Name: "app-create", Method: "POST", Path: "/api/organizations/{orgId}/apps", Auth: route.Session, Needs: route.UsagePlans, Tag: "apps", Summary: "Register an app with its first credential and its API key (the secret and the key are shown once)"},
	{Name: "app-get", Method: "GET", Path: "/api/organizations/{orgId}/apps/{appId}", Auth: route.Session, Needs: route.UsagePlans, Tag: "apps", Summary: "An app, its credentials (no client IDs for Viewers) and today's calls of each product against its plan"},
	{Name: "app-rename", Method: "PATCH", Path: "/api/organizations/{orgId}/apps/{appId}", Auth: route.Session, Needs: route.StartApproval, Tag: "apps", Summary: "Rename an app (the name customers see when they consent); a live app's new name waits for the bank's review (202)"},
	{Name: "app-delete", Method: "DELETE", Path: "/api/organizations/{orgId}/apps/{appId}", Auth: route.Session, Needs: route.UsagePlans, Tag: "apps", Summary: "Delete an app and revoke its credentials (owner and administrators)"},
	{Name: "app-api-key-rotate", Method: "POST", Path: "/api/organizations/{orgId}/apps/{appId}/api-key/rotate", Auth: route.Session, Needs: route.UsagePlans, Tag: "apps", Summary: "Give the app a new API key, shown once (its first one if it has none); the current key keeps working for the grace period"},
	{Name: "app-redirect-add", Method: "POST", Path: "/api/organizations/{orgId}/apps/{appId}/redirect-uris", Auth: route.Session, Needs: route.StartApproval, Tag: "apps", Summary: "Register an OAuth redirect URI (https; http://localhost in the sandbox); a live app's waits for the bank's review (202)"},
	{Name: "app-redirect-remove", Method: "DELETE", Path: "/api/organizations/{orgId}/apps/{appId}/redirect-uris", Auth: route.Session, Tag: "apps", Summary: "Remove the redirect URI given as ?uri="},
	{Name: "app-notifications", Method: "GET", Path: "/api/organizations/{orgId}/apps/{appId}/notifications", Auth: route.Session, Needs: route.TPPTable, Tag: "apps", Summary: "The app's status notifications to the TPP-Notification-URIs it gave the TPP API, newest first: resource, status, outcome and each delivery attempt"},
	{Name: "app-oauth-settings", Method: "PUT", Path: "/api/organizations/{orgId}/apps/{appId}/oauth-settings", Auth: route.Session, Tag: "apps", Summary: "Switch the app's FAPI 2.0 profile: with it on, the authorization server accepts only pushed authorization requests (PAR) of the app (owner and administrators)"},
	{Name: "org-certificates", Method: "GET", Path: "/api/organizations/{orgId}/certificates", Auth: route.Session, Tag: "apps", Summary: "mTLS certificates uploaded to the organization"},
	{Name: "org-certificate-upload", Method: "POST", Path: "/api/organizations/{orgId}/certificates", Auth: route.Session, Needs: route.SandboxCACert, Tag: "apps", Summary: "Upload an mTLS certificate (PEM or base64 DER); apps can use it once possession of its key is proven"},
	{Name: "certificate-possession", Method: "POST", Path: "/api/organizations/{orgId}/certificates/{fingerprint}/possession", Auth: route.Session, Needs: route.StartApproval, Tag: "apps", Summary: "Prove possession of a certificate's private key with its signed challenge: an uploaded mTLS certificate (apps can use it only then), or a draft onboarding's QWAC or QSealC (the second submits the onboarding for approval)"},
	{Name: "certificate-check", Method: "POST", Path: CertificateCheckPath, Auth: route.ClientCertificate, Needs: route.PortalTable, Tag: "apps", Summary: "Prove possession of an uploaded mTLS certificate's private key by connecting with it: on the TPP API's mutual-TLS origin, send the certificate's challenge over a connection made with the certificate"},
	{Name: "registration-installation", Method: "POST", Path: RegistrationPath + "/installation", Auth: route.ClientCertificate, Needs: route.PortalTable | route.RegistrationKey, Tag: "registration", Summary: "Register the TPP software's public key: answers the installation token and the bank's response-signing public key"},
	{Name: "registration-certificate", Method: "POST", Path: RegistrationPath + "/certificate-registration", Auth: route.ClientCertificate, Needs: route.PortalTable | route.RegistrationKey | route.SandboxCACert | route.Mail | route.StartApproval, Tag: "registration", Summary: "Register the TPP's certificate, signed over the installation key with its private key: answers the API key; the sandbox organization is active at once, a production one waits for operations"},
	{Name: "registration-device", Method: "POST", Path: RegistrationPath + "/devices", Auth: route.ClientCertificate, Needs: route.PortalTable | route.RegistrationKey, Tag: "registration", Summary: "Register a device with the addresses the software calls from"},
	{Name: "registration-session-start", Method: "POST", Path: RegistrationPath + "/sessions", Auth: route.ClientCertificate, Needs: route.PortalTable | route.RegistrationKey, Tag: "registration", Summary: "Start a session with the API key (the first lasts one hour)"},
	{Name: "registration-session-end", Method: "DELETE", Path: RegistrationPath + "/sessions", Auth: route.ClientCertificate, Needs: route.PortalTable | route.RegistrationKey, Tag: "registration", Summary: "End the session of the token sent"},
	{Name: "registration-client-create", Method: "POST", Path: RegistrationPath + "/oauth-clients", Auth: route.ClientCertificate, Needs: route.PortalTable | route.RegistrationKey | route.SandboxCACert | route.UsagePlans | route.StartApproval, Tag: "registration", Summary: "Create an OAuth client (a portal app) with the registered certificate and the products asked for: client ID, secret and API key, shown once"},
	{Name: "registration-client-list", Method: "GET", Path: RegistrationPath + "/oauth-clients", Auth: route.ClientCertificate, Needs: route.PortalTable | route.RegistrationKey | route.UsagePlans, Tag: "registration", Summary: "The organization's OAuth clients"},
	{Name: "registration-client-get", Method: "GET", Path: RegistrationPath + "/oauth-clients/{clientId}", Auth: route.ClientCertificate, Needs: route.PortalTable | route.RegistrationKey | route.UsagePlans, Tag: "registration", Summary: "An OAuth client: its client ID and callback URLs"},
	{Name: "registration-client-delete", Method: "DELETE", Path: RegistrationPath + "/oauth-clients/{clientId}", Auth: route.ClientCertificate, Needs: route.PortalTable | route.RegistrationKey | route.UsagePlans, Tag: "registration", Summary: "Delete an OAuth client and revoke its credentials"},
	{Name: "registration-callback-add", Method: "POST", Path: RegistrationPath + "/oauth-clients/{clientId}/callback-urls", Auth: route.ClientCertificate, Needs: route.PortalTable | route.RegistrationKey | route.StartApproval, Tag: "registration", Summary: "Register a callback URL (the portal's redirect-URI rules)"},
	{Name: "registration-callback-remove", Method: "DELETE", Path: RegistrationPath + "/oauth-clients/{clientId}/callback-urls", Auth: route.ClientCertificate, Needs: route.PortalTable | route.RegistrationKey, Tag: "registration", Summary: "Remove the callback URL given as ?uri="},
	{Name: "app-certificate-attach", Method: "POST", Path: "/api/organizations/{orgId}/apps/{appId}/certificates", Auth: route.Session, Tag: "apps", Summary: "Select an uploaded certificate for an app (at most two)"},
	{Name: "app-certificate-detach", Method: "DELETE", Path: "/api/organizations/{orgId}/apps/{appId}/certificates/{fingerprint}", Auth: route.Session, Tag: "apps", Summary: "Remove a certificate from an app"},
	{Name: "org-certificate-delete", Method: "DELETE", Path: "/api/organizations/{orgId}/certificates/{fingerprint}", Auth: route.Session, Tag: "apps", Summary: "Delete an uploaded certificate no app uses"},
	{Name: "org-certificate-revoke", Method: "POST", Path: "/api/organizations/{orgId}/certificates/{fingerprint}/revoke", Auth: route.Session, Needs: route.SandboxCA | route.PublishCRL, Tag: "apps", Summary: "Revoke a certificate the sandbox CA issued through the portal (owner and administrators): the TPP API refuses it from the next call and the CA's CRL lists it"},
	{Name: "app-certificate-issue", Method: "POST", Path: "/api/organizations/{orgId}/apps/{appId}/certificates/sandbox", Auth: route.Session, Needs: route.SandboxCA, Tag: "apps", Summary: "Issue an mTLS certificate from the sandbox CA and select it for the app (sandbox apps)"},
	{Name: "product-catalog", Method: "GET", Path: "/api/products", Auth: route.Public, Tag: "apps", Summary: "The API products, their plans, the PSD2 role each needs and who approves a subscription: public, so visitors see what the bank offers before signing up"},
	{Name: "tpp-api", Method: "GET", Path: "/api/tpp-api", Auth: route.Public, Tag: "apps", Summary: "Where apps call the TPP API and its authorization server (base URL, metadata, endpoints, API key header, the sandbox bank's customers) and how long codes and tokens live"},
	{Name: "subscription-list", Method: "GET", Path: "/api/organizations/{orgId}/apps/{appId}/subscriptions", Auth: route.Session, Tag: "apps", Summary: "An app's subscriptions with their status and history"},
	{Name: "subscription-create", Method: "POST", Path: "/api/organizations/{orgId}/apps/{appId}/subscriptions", Auth: route.Session, Needs: route.StartApproval | route.UsagePlans, Tag: "apps", Summary: "Subscribe an app to a product plan (PSD2: at once if the eIDAS roles allow; premium: after approval)"},
	{Name: "subscription-delete", Method: "DELETE", Path: "/api/organizations/{orgId}/apps/{appId}/subscriptions/{productId}", Auth: route.Session, Needs: route.UsagePlans, Tag: "apps", Summary: "End a subscription, or clear a rejected one"},
	{Name: "app-go-live", Method: "POST", Path: "/api/organizations/{orgId}/apps/{appId}/go-live", Auth: route.Session, Needs: route.StartApproval, Tag: "apps", Summary: "Ask for production access for a sandbox app (two operations decisions)"},
	{Name: "credential-add", Method: "POST", Path: "/api/organizations/{orgId}/apps/{appId}/credentials", Auth: route.Session, Tag: "apps", Summary: "Add a credential (the secret is shown once)"},
	{Name: "credential-verify", Method: "POST", Path: "/api/organizations/{orgId}/apps/{appId}/credentials/{clientId}/verify", Auth: route.Session, Tag: "apps", Summary: "Check whether a secret belongs to a credential"},
	{Name: "credential-reset", Method: "POST", Path: "/api/organizations/{orgId}/apps/{appId}/credentials/{clientId}/reset", Auth: route.Session, Tag: "apps", Summary: "Give a credential a new secret (shown once); the old one stops working"},
	{Name: "credential-rename", Method: "PATCH", Path: "/api/organizations/{orgId}/apps/{appId}/credentials/{clientId}", Auth: route.Session, Tag: "apps", Summary: "Rename a credential"},
	{Name: "credential-revoke", Method: "DELETE", Path: "/api/organizations/{orgId}/apps/{appId}/credentials/{clientId}", Auth: route.Session, Tag: "apps", Summary: "Revoke a credential (an app keeps at least one)"},
	{Name: "tpp-api-openapi", Method: "GET", Path: "/api/tpp-api/openapi.json", Auth: route.Public, Tag: "apps", Summary: "The TPP API's OpenAPI 3 description (the same document the TPP API serves), for the portal's API reference"},
	{Name: "ops-requests", Method: "GET", Path: "/api/ops/requests", Auth: route.Operations, Tag: "operations", Summary: "Requests waiting for a decision (or in another status)"},
	{Name: "ops-request-get", Method: "GET", Path: "/api/ops/requests/{requestId}", Auth: route.Operations, Needs: route.SandboxCACert, Tag: "operations", Summary: "A request in full: form, parsed certificates, history"},
	{Name: "ops-request-approve", Method: "POST", Path: "/api/ops/requests/{requestId}/approve", Auth: route.Operations, Needs: route.DecideApproval | route.UsagePlans, Fresh: true, Tag: "operations", Summary: "Approve a request (with the password confirmed in the last minutes)"},
	{Name: "ops-request-reject", Method: "POST", Path: "/api/ops/requests/{requestId}/reject", Auth: route.Operations, Needs: route.DecideApproval, Fresh: true, Tag: "operations", Summary: "Reject a request with the reason (with the password confirmed in the last minutes)"},
	{Name: "ops-organizations", Method: "GET", Path: "/api/ops/organizations", Auth: route.Operations, Tag: "operations", Summary: "Every organization with its status"},
	{Name: "ops-organization-get", Method: "GET", Path: "/api/ops/organizations/{orgId}", Auth: route.Operations, Needs: route.SandboxCACert, Tag: "operations", Summary: "One organization with its members, certificates and requests"},
	{Name: "ops-audit", Method: "GET", Path: "/api/ops/audit", Auth: route.Operations, Tag: "operations", Summary: "The audit trail of every organization, newest first"},
	{Name: "dev-tools", Method: "GET", Path: "/api/dev", Auth: route.LocalOnly, Tag: "local", Summary: "The local stack's own tools, for the portal's navigation (local stack only)"},
	{Name: "dev-mail", Method: "GET", Path: "/api/dev/mail", Auth: route.LocalOnly, Tag: "local", Summary: "Emails sent through SES (local stack only)"},
	{Name: "dev-run-job", Method: "POST", Path: "/api/dev/jobs/{job}", Auth: route.LocalOnly, Needs: route.PortalTable | route.Mail | route.StartApproval | route.SandboxCA | route.PublishCRL, Tag: "local", Summary: "Run a scheduled job now (local stack only)"},
	{Name: "dcr-register", Method: "POST", Path: DynamicClientPath, Auth: route.ClientCertificate, Needs: route.PortalTable | route.SandboxCACert | route.UsagePlans | route.StartApproval, Tag: "dcr", Summary: "Register an OAuth client dynamically (RFC 7591) with the registered certificate: client ID, secret and registration access token, shown once"},
	{Name: "dcr-client-read", Method: "GET", Path: DynamicClientPath + "/{clientId}", Auth: route.ClientCertificate, Needs: route.PortalTable | route.UsagePlans, Tag: "dcr", Summary: "Read a dynamically registered client (RFC 7592) with its registration access token, which a new one replaces"},
	{Name: "dcr-client-update", Method: "PUT", Path: DynamicClientPath + "/{clientId}", Auth: route.ClientCertificate, Needs: route.PortalTable | route.UsagePlans, Tag: "dcr", Summary: "Replace a dynamically registered client's metadata (RFC 7592), under the registration's rules"},
	{Name: "dcr-client-delete", Method: "DELETE", Path: DynamicClientPath + "/{clientId}", Auth: route.ClientCertificate, Needs: route.PortalTable | route.UsagePlans, Tag: "dcr", Summary: "Delete a dynamically registered client (RFC 7592) and revoke its credentials"},
}

// Jobs is every scheduled function.
var Jobs = []route.Job{
	{Name: "password-expiry-reminder", Schedule: "cron(0 6 * * ? *)", Needs: route.PortalTable | route.Mail, Summary: "Email users whose password expires in one of the warning days"},
	{Name: "approval-reconciler", Schedule: "rate(5 minutes)", Needs: route.PortalTable | route.StartApproval, Summary: "Start the approval workflow of requests whose first start failed, and finish offboarding cleanups whose deletes failed"},
	{Name: "certificate-expiry-reminder", Schedule: "cron(0 7 * * ? *)", Needs: route.PortalTable | route.Mail, Summary: "Warn organizations whose mTLS certificates expire in 30, 7 or 1 days"},
	{Name: "certificate-revocation-check", Schedule: "cron(0 5 * * ? *)", Needs: route.PortalTable | route.Mail | route.SandboxCA | route.PublishCRL, Summary: "Publish the sandbox CA's CRL again and disable every stored certificate its CA revoked, telling the organization's owner and administrators"},
}

// ByName returns the portal route with that name.
func ByName(name string) (route.Route, error) { return route.Find(Portal, name) }
