// Package routes is the TPP API's route table: its endpoints (Berlin Group, OAuth2,
// registration) and its Lambda authorizers, as data, read like the portal's by the
// local TPP listener (and, as the TPP functions arrive, the generated mains and the CDK
// stacks). A path of no route answers RESOURCE_UNKNOWN.
package routes

import (
	"slices"

	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/platform/tppkeys"
	"github.com/bank/devportal/shared/portal/lookup/keyspace"
)

// AuthorizerName is the TPP API's Lambda authorizer, the caller check:
// functions/<AuthorizerName> and events/<AuthorizerName>.json.
const AuthorizerName = "tpp-authorizer"

// BearerAuthorizerName is the caller check of the routes that take a bearer access token
// (route.Route.Bearer): it verifies the token too, so it links the authorization server's
// token strategy and reads the TPP table and the OAuth key, which the plain one does not.
const BearerAuthorizerName = "tpp-bearer-authorizer"

// AuthorizePath is the authorization endpoint's path on the browser-reachable origin:
// deployed, the portal's own domain (OAUTH_AUTHORIZE_URL is PORTAL_URL + AuthorizePath),
// locally the portal listener.
const AuthorizePath = "/oauth2/authorize"

// DescriptionPath is where the TPP API describes itself (OpenAPI 3, JSON), without a
// client certificate: outside every product's path, so no caller check applies.
const DescriptionPath = "/openapi.json"

// oauthNeeds are what the authorization server's routes and the bank's pages call: the
// TPP table (OAuth2 state, the sandbox bank), the portal table's one-read lookups (the
// client, the organization's name) and the managed key their codes, tokens and session
// cookies are signed with. The metadata signs and reads nothing.
const oauthNeeds = route.PortalTable | route.TPPTable | route.OAuthKey

// lookupKeys are the portal table's partitions the authorization server's routes and the
// bank's pages read through the one-read lookups: a client by its ID, and an
// organization or app by its key (for its name).
var lookupKeys = route.Keys{keyspace.Client, keyspace.Org}

// AuthorizerKeys are the portal table's partitions the caller check reads in its one
// BatchGetItem: the certificate's fingerprint lookup, and the organization, app and
// certificate items under the organization its API key names.
var AuthorizerKeys = route.Keys{keyspace.Fingerprint, keyspace.Org}

// BearerAuthorizerTPPKeys are the TPP table's partitions the bearer authorizer reads
// ahead in the same BatchGetItem: the access token's grant, and the consent its call's
// Consent-ID names, for the handler.
var BearerAuthorizerTPPKeys = route.Keys{tppkeys.OAuthGrant, tppkeys.Consent}

// AuthorizerScope is what the authorizer named name may reach of both tables
// (route.WithScope), and its needs: the caller check's read of the portal table, and for
// the bearer authorizer the token and consent it reads ahead from the TPP table.
func AuthorizerScope(name string) (route.Need, route.Scope) {
	s := route.Scope{Route: name, Keys: AuthorizerKeys.Union(nil)}
	if name == BearerAuthorizerName {
		s.TPPKeys = BearerAuthorizerTPPKeys.Union(nil)
		return route.PortalTable | route.TPPTable, s
	}
	return route.PortalTable, s
}

// The TPP table's families the routes reach (route.Route.TPPKeys), by what reaches them.
var (
	// notifyKeys are a status change's notification record and its once-marker: every
	// change of a consent's, payment's or basket's status enqueues its notification.
	notifyKeys = route.Keys{tppkeys.NotifyLog, tppkeys.Notify}
	// resourceKeys are what a resource scope (AIS:, PIIS:, PIS:, SBS:) or a basket's
	// member names: a consent of either kind, a payment, a basket, and the place of a
	// payment or consent in a basket, which then authorises it, never its own scope.
	resourceKeys = route.Keys{tppkeys.Consent, tppkeys.PIIS, tppkeys.Payment, tppkeys.Basket, tppkeys.BasketMember}
	// holderKeys are the basket that holds a waiting payment or consent, which finding
	// the resource for its own authorisation reads: such a member is authorised with its
	// basket only.
	holderKeys = route.Keys{tppkeys.BasketMember, tppkeys.Basket}
	// holder is holderKeys for the authorisations (a family) of a resource a basket may
	// hold: a payment or consent, not a cancellation or a basket.
	holder = func(authorisations string) route.Keys {
		if authorisations == tppkeys.SCACancellation || authorisations == tppkeys.SCABasket {
			return nil
		}
		return holderKeys
	}
	// ledgerKeys are a payment's execution in the sandbox bank: the creditor's account by
	// IBAN, the ledgers it books with their transactions, and each booking's once-record.
	ledgerKeys = route.Keys{tppkeys.BankIBAN, tppkeys.BankAccount, tppkeys.BankBooking}
	// initiateKeys are what a payment's initiation reaches: the payment with the record of
	// its X-Request-ID, and the debtor account (by IBAN through GSI1), whose signatories
	// decide how many authorisations the payment needs.
	initiateKeys = route.Keys{tppkeys.Payment, tppkeys.PayRequest, tppkeys.BankIBAN, tppkeys.BankAccount}
	// accountKeys are what the account-information endpoints read: the consent (and its
	// reads of the day, which they count) and the sandbox accounts with their ledgers and
	// transactions.
	accountKeys = route.Keys{tppkeys.Consent, tppkeys.BankAccount}
	// scaStart is the start of an authorisation (of family authorisations) of a resource
	// found by resource: the authorisation, and the customer its PSU-ID names (GSI1 by
	// sign-in name).
	scaStart = func(authorisations string, resource ...string) route.Keys {
		return route.Keys{authorisations, tppkeys.BankLogin}.Union(resource).Union(holder(authorisations))
	}
	// scaRead is a read of a resource's authorisations, which fails one that timed out and
	// with it the resource (notified).
	scaRead = func(authorisations string, resource ...string) route.Keys {
		return route.Keys{authorisations}.Union(resource).Union(holder(authorisations)).Union(notifyKeys)
	}
	// scaUpdate is the next step of an authorisation: the customer by sign-in name, and
	// deciding the resource (what resource names), notified.
	scaUpdate = func(authorisations string, resource ...string) route.Keys {
		return route.Keys{authorisations, tppkeys.BankLogin}.Union(resource).Union(holder(authorisations)).Union(notifyKeys)
	}
	// anySCA are the authorisations of every kind, which the bank's pages open and decide.
	anySCA = route.Keys{tppkeys.SCAConsent, tppkeys.SCAFunds, tppkeys.SCAPayment, tppkeys.SCACancellation, tppkeys.SCABasket}
	// customerKeys are the customer's accounts (GSI1 under the customer), which
	// authorising a consent or a payment for the customer reads.
	customerKeys = route.Keys{tppkeys.BankCustomer}
	// paymentDecision is what deciding a payment reaches: the customer's accounts, and
	// executing it when due.
	paymentDecision = route.Keys{tppkeys.Payment}.Union(customerKeys).Union(ledgerKeys)
	// basketDecision is what deciding a signing basket reaches: the basket, its members'
	// locks, and deciding each member.
	basketDecision = route.Keys{tppkeys.Basket, tppkeys.BasketMember, tppkeys.Consent, tppkeys.PIIS}.Union(paymentDecision)
	// anyDecision is deciding whatever resource waits for the customer, notified.
	anyDecision = basketDecision.Union(notifyKeys)
	// oauthDecision is the bank's pages ending an OAuth2 request: the pending request,
	// the code and PKCE challenge an approval issues, and deciding its resources.
	oauthDecision = route.Keys{tppkeys.OAuthPending, tppkeys.OAuthCode, tppkeys.OAuthPKCE}.Union(anyDecision)
	// scaOpen is the bank's pages opening an authorisation: it, its resource (a basket
	// with its members), failing both when it timed out.
	scaOpen = anySCA.Union(resourceKeys).Union(route.Keys{tppkeys.BasketMember}).Union(notifyKeys)
	// scaDecision is the bank's pages deciding an authorisation for the signed-in
	// customer.
	scaDecision = anySCA.Union(anyDecision)
)

// TPP is every route of the TPP API's mTLS origin. Those with Auth route.TPP run behind
// the caller check (the product of their path, ProductOf); route.Public ones need no
// client certificate.
var TPP = []route.Route{
	{Name: "oauth2-metadata", Method: "GET", Path: "/.well-known/oauth-authorization-server", Auth: route.Public, Tag: "OAuth2",
		Summary: "Authorization server metadata (RFC 8414) with the mTLS endpoint aliases (RFC 8705)"},
	{Name: "oauth2-token", Method: "POST", Path: "/oauth2/token", Auth: route.TPP, Needs: oauthNeeds, Keys: lookupKeys, TPPKeys: route.Keys{tppkeys.OAuthCode, tppkeys.OAuthPKCE, tppkeys.OAuthGrant}, Tag: "OAuth2",
		Summary: "Token endpoint: authorization code, refresh token, client credentials; tokens bound to the client certificate"},
	{Name: "oauth2-par", Method: "POST", Path: "/oauth2/par", Auth: route.TPP, Needs: oauthNeeds, Keys: lookupKeys, TPPKeys: route.Keys{tppkeys.OAuthPAR}.Union(resourceKeys), Tag: "OAuth2",
		Summary: "Pushed authorization request (RFC 9126)"},
	{Name: "oauth2-revoke", Method: "POST", Path: "/oauth2/revoke", Auth: route.TPP, Needs: oauthNeeds, Keys: lookupKeys, TPPKeys: route.Keys{tppkeys.OAuthGrant}, Tag: "OAuth2",
		Summary: "Token revocation (RFC 7009)"},
	{Name: "oauth2-introspect", Method: "POST", Path: "/oauth2/introspect", Auth: route.TPP, Needs: oauthNeeds, Keys: lookupKeys, TPPKeys: route.Keys{tppkeys.OAuthGrant}, Tag: "OAuth2",
		Summary: "Token introspection (RFC 7662)"},
	{Name: "tpp-api-description", Method: "GET", Path: DescriptionPath, Auth: route.Public, Tag: "Docs",
		Summary: "This API's OpenAPI 3 description (package apidoc), public like the metadata"},

	{Name: "ais-consent-create", Method: "POST", Path: "/v1/consents", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: route.Keys{tppkeys.Consent}, Tag: "AIS",
		Summary: "Create an account-information consent; the customer authorises it through the OAuth2 flow with scope AIS:<consentId>"},
	{Name: "ais-consent-get", Method: "GET", Path: "/v1/consents/{consentId}", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: route.Keys{tppkeys.Consent}, Tag: "AIS",
		Summary: "Read a consent: what it asks and its status"},
	{Name: "ais-consent-status", Method: "GET", Path: "/v1/consents/{consentId}/status", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: route.Keys{tppkeys.Consent}, Tag: "AIS",
		Summary: "A consent's status"},
	{Name: "ais-consent-delete", Method: "DELETE", Path: "/v1/consents/{consentId}", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: route.Keys{tppkeys.Consent}.Union(notifyKeys), Tag: "AIS",
		Summary: "End a consent (terminatedByTpp)"},
	{Name: "ais-consent-authorisation-start", Method: "POST", Path: "/v1/consents/{consentId}/authorisations", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: scaStart(tppkeys.SCAConsent, tppkeys.Consent), Tag: "AIS",
		Summary: "Start an authorisation of a consent that waits for its customer (OAuth2 approach: the scaOAuth link)"},
	{Name: "ais-consent-authorisations", Method: "GET", Path: "/v1/consents/{consentId}/authorisations", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: route.Keys{tppkeys.Consent, tppkeys.SCAConsent}, Tag: "AIS",
		Summary: "The IDs of a consent's authorisations"},
	{Name: "ais-consent-sca-status", Method: "GET", Path: "/v1/consents/{consentId}/authorisations/{authorisationId}", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: scaRead(tppkeys.SCAConsent, tppkeys.Consent), Tag: "AIS",
		Summary: "An authorisation's status: received, then finalised or failed with the customer's decision"},
	{Name: "ais-accounts", Method: "GET", Path: "/v1/accounts", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: accountKeys, Tag: "AIS", Bearer: true,
		Summary: "The consent's accounts, with their balances when asked and allowed"},
	{Name: "ais-account", Method: "GET", Path: "/v1/accounts/{accountId}", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: accountKeys, Tag: "AIS", Bearer: true,
		Summary: "An account's details"},
	{Name: "ais-account-balances", Method: "GET", Path: "/v1/accounts/{accountId}/balances", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: accountKeys, Tag: "AIS", Bearer: true,
		Summary: "An account's balances"},
	{Name: "ais-account-transactions", Method: "GET", Path: "/v1/accounts/{accountId}/transactions", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: accountKeys, Tag: "AIS", Bearer: true,
		Summary: "An account's transactions of a period, page by page"},
	{Name: "ais-transaction", Method: "GET", Path: "/v1/accounts/{accountId}/transactions/{transactionId}", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: accountKeys.Union(route.Keys{tppkeys.BankTx}), Tag: "AIS", Bearer: true,
		Summary: "One transaction of an account, booked or pending"},
	{Name: "ais-card-accounts", Method: "GET", Path: "/v1/card-accounts", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: accountKeys, Tag: "AIS", Bearer: true,
		Summary: "The consent's card accounts"},
	{Name: "ais-card-account", Method: "GET", Path: "/v1/card-accounts/{accountId}", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: accountKeys, Tag: "AIS", Bearer: true,
		Summary: "A card account's details"},
	{Name: "ais-card-account-balances", Method: "GET", Path: "/v1/card-accounts/{accountId}/balances", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: accountKeys, Tag: "AIS", Bearer: true,
		Summary: "A card account's balances"},
	{Name: "ais-card-account-transactions", Method: "GET", Path: "/v1/card-accounts/{accountId}/transactions", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: accountKeys, Tag: "AIS", Bearer: true,
		Summary: "A card account's transactions of a period, page by page"},
	{Name: "cof-consent-create", Method: "POST", Path: "/v2/consents/confirmation-of-funds", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: route.Keys{tppkeys.PIIS}, Tag: "CoF",
		Summary: "Create a confirmation-of-funds consent for one account; the customer authorises it with scope PIIS:<consentId>"},
	{Name: "cof-consent-get", Method: "GET", Path: "/v2/consents/confirmation-of-funds/{consentId}", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: route.Keys{tppkeys.PIIS}, Tag: "CoF",
		Summary: "Read a confirmation-of-funds consent"},
	{Name: "cof-consent-status", Method: "GET", Path: "/v2/consents/confirmation-of-funds/{consentId}/status", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: route.Keys{tppkeys.PIIS}, Tag: "CoF",
		Summary: "A confirmation-of-funds consent's status"},
	{Name: "cof-consent-delete", Method: "DELETE", Path: "/v2/consents/confirmation-of-funds/{consentId}", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: route.Keys{tppkeys.PIIS}.Union(notifyKeys), Tag: "CoF",
		Summary: "End a confirmation-of-funds consent"},
	{Name: "cof-consent-authorisation-start", Method: "POST", Path: "/v2/consents/confirmation-of-funds/{consentId}/authorisations", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: scaStart(tppkeys.SCAFunds, tppkeys.PIIS), Tag: "CoF",
		Summary: "Start an authorisation of a confirmation-of-funds consent that waits for its customer"},
	{Name: "cof-consent-authorisations", Method: "GET", Path: "/v2/consents/confirmation-of-funds/{consentId}/authorisations", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: route.Keys{tppkeys.PIIS, tppkeys.SCAFunds}, Tag: "CoF",
		Summary: "The IDs of a confirmation-of-funds consent's authorisations"},
	{Name: "cof-consent-sca-status", Method: "GET", Path: "/v2/consents/confirmation-of-funds/{consentId}/authorisations/{authorisationId}", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: scaRead(tppkeys.SCAFunds, tppkeys.PIIS), Tag: "CoF",
		Summary: "A confirmation-of-funds authorisation's status"},
	{Name: "cof-confirm", Method: "POST", Path: "/v1/funds-confirmations", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: route.Keys{tppkeys.PIIS, tppkeys.BankAccount}, Tag: "CoF", Bearer: true,
		Summary: "Whether an amount is available on the consent's account: yes or no"},

	// Payment initiation: one route per payment service, since the service is the path's
	// first segment after /v1/, where the other products' paths have theirs.
	{Name: "pis-payments-initiate", Method: "POST", Path: "/v1/payments/{paymentProduct}", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: initiateKeys, Tag: "PIS",
		Summary: "Initiate a payment; the customer authorises it through the OAuth2 flow with scope PIS:<paymentId>"},
	{Name: "pis-payments-get", Method: "GET", Path: "/v1/payments/{paymentProduct}/{paymentId}", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: route.Keys{tppkeys.Payment}, Tag: "PIS",
		Summary: "A payment as initiated, with its status"},
	{Name: "pis-payments-status", Method: "GET", Path: "/v1/payments/{paymentProduct}/{paymentId}/status", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: route.Keys{tppkeys.Payment}, Tag: "PIS",
		Summary: "A payment's transaction status"},
	{Name: "pis-payments-cancel", Method: "DELETE", Path: "/v1/payments/{paymentProduct}/{paymentId}", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: route.Keys{tppkeys.Payment}.Union(notifyKeys), Tag: "PIS",
		Summary: "Cancel a payment that is not executed yet"},
	{Name: "pis-bulk-payments-initiate", Method: "POST", Path: "/v1/bulk-payments/{paymentProduct}", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: initiateKeys, Tag: "PIS",
		Summary: "Initiate a bulk of payments from one account; the customer authorises it through the OAuth2 flow with scope PIS:<paymentId>"},
	{Name: "pis-bulk-payments-get", Method: "GET", Path: "/v1/bulk-payments/{paymentProduct}/{paymentId}", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: route.Keys{tppkeys.Payment}, Tag: "PIS",
		Summary: "A bulk payment as initiated, with its status"},
	{Name: "pis-bulk-payments-status", Method: "GET", Path: "/v1/bulk-payments/{paymentProduct}/{paymentId}/status", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: route.Keys{tppkeys.Payment}, Tag: "PIS",
		Summary: "A bulk payment's transaction status"},
	{Name: "pis-bulk-payments-cancel", Method: "DELETE", Path: "/v1/bulk-payments/{paymentProduct}/{paymentId}", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: route.Keys{tppkeys.Payment}.Union(notifyKeys), Tag: "PIS",
		Summary: "Cancel a bulk payment that is not executed yet"},
	{Name: "pis-periodic-payments-initiate", Method: "POST", Path: "/v1/periodic-payments/{paymentProduct}", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: initiateKeys, Tag: "PIS",
		Summary: "Initiate a standing order; the customer authorises it through the OAuth2 flow with scope PIS:<paymentId>"},
	{Name: "pis-periodic-payments-get", Method: "GET", Path: "/v1/periodic-payments/{paymentProduct}/{paymentId}", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: route.Keys{tppkeys.Payment}, Tag: "PIS",
		Summary: "A standing order as initiated, with its status"},
	{Name: "pis-periodic-payments-status", Method: "GET", Path: "/v1/periodic-payments/{paymentProduct}/{paymentId}/status", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: route.Keys{tppkeys.Payment}, Tag: "PIS",
		Summary: "A standing order's transaction status"},
	{Name: "pis-periodic-payments-cancel", Method: "DELETE", Path: "/v1/periodic-payments/{paymentProduct}/{paymentId}", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: route.Keys{tppkeys.Payment}.Union(notifyKeys), Tag: "PIS",
		Summary: "Cancel a standing order"},

	// The authorisation sub-resources of payments and of their cancellations, in every SCA
	// approach (package sca): one route each per payment service, as above.
	{Name: "pis-payments-authorisation-start", Method: "POST", Path: "/v1/payments/{paymentProduct}/{paymentId}/authorisations", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: scaStart(tppkeys.SCAPayment, tppkeys.Payment, tppkeys.BankIBAN, tppkeys.BankAccount, tppkeys.BankCustomer), Tag: "PIS",
		Summary: "Start an authorisation of a payment: OAuth2, the bank's redirect page, decoupled in the bank's app or embedded, as the TPP prefers"},
	{Name: "pis-payments-authorisations", Method: "GET", Path: "/v1/payments/{paymentProduct}/{paymentId}/authorisations", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: route.Keys{tppkeys.Payment, tppkeys.SCAPayment}, Tag: "PIS",
		Summary: "The IDs of a payment's authorisations"},
	{Name: "pis-payments-sca-status", Method: "GET", Path: "/v1/payments/{paymentProduct}/{paymentId}/authorisations/{authorisationId}", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: scaRead(tppkeys.SCAPayment, tppkeys.Payment), Tag: "PIS",
		Summary: "The scaStatus of a payment's authorisation"},
	{Name: "pis-payments-authorisation-update", Method: "PUT", Path: "/v1/payments/{paymentProduct}/{paymentId}/authorisations/{authorisationId}", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: scaUpdate(tppkeys.SCAPayment, paymentDecision...), Tag: "PIS",
		Summary: "The next step of a payment's authorisation: PSU-ID and password, SCA method, one-time code (embedded), or PSU-ID (decoupled)"},
	{Name: "pis-payments-cancellation-start", Method: "POST", Path: "/v1/payments/{paymentProduct}/{paymentId}/cancellation-authorisations", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: scaStart(tppkeys.SCACancellation, tppkeys.Payment), Tag: "PIS",
		Summary: "Start the authorisation of the cancellation of an authorised payment"},
	{Name: "pis-payments-cancellation-authorisations", Method: "GET", Path: "/v1/payments/{paymentProduct}/{paymentId}/cancellation-authorisations", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: route.Keys{tppkeys.Payment, tppkeys.SCACancellation}, Tag: "PIS",
		Summary: "The IDs of the authorisations of a payment's cancellation"},
	{Name: "pis-payments-cancellation-sca-status", Method: "GET", Path: "/v1/payments/{paymentProduct}/{paymentId}/cancellation-authorisations/{authorisationId}", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: scaRead(tppkeys.SCACancellation, tppkeys.Payment), Tag: "PIS",
		Summary: "The scaStatus of the authorisation of a payment's cancellation"},
	{Name: "pis-payments-cancellation-update", Method: "PUT", Path: "/v1/payments/{paymentProduct}/{paymentId}/cancellation-authorisations/{authorisationId}", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: scaUpdate(tppkeys.SCACancellation, tppkeys.Payment), Tag: "PIS",
		Summary: "The next step of the authorisation of a payment's cancellation"},
	{Name: "pis-bulk-payments-authorisation-start", Method: "POST", Path: "/v1/bulk-payments/{paymentProduct}/{paymentId}/authorisations", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: scaStart(tppkeys.SCAPayment, tppkeys.Payment, tppkeys.BankIBAN, tppkeys.BankAccount, tppkeys.BankCustomer), Tag: "PIS",
		Summary: "Start an authorisation of a bulk payment: OAuth2, the bank's redirect page, decoupled in the bank's app or embedded, as the TPP prefers"},
	{Name: "pis-bulk-payments-authorisations", Method: "GET", Path: "/v1/bulk-payments/{paymentProduct}/{paymentId}/authorisations", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: route.Keys{tppkeys.Payment, tppkeys.SCAPayment}, Tag: "PIS",
		Summary: "The IDs of a bulk payment's authorisations"},
	{Name: "pis-bulk-payments-sca-status", Method: "GET", Path: "/v1/bulk-payments/{paymentProduct}/{paymentId}/authorisations/{authorisationId}", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: scaRead(tppkeys.SCAPayment, tppkeys.Payment), Tag: "PIS",
		Summary: "The scaStatus of a bulk payment's authorisation"},
	{Name: "pis-bulk-payments-authorisation-update", Method: "PUT", Path: "/v1/bulk-payments/{paymentProduct}/{paymentId}/authorisations/{authorisationId}", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: scaUpdate(tppkeys.SCAPayment, paymentDecision...), Tag: "PIS",
		Summary: "The next step of a bulk payment's authorisation: PSU-ID and password, SCA method, one-time code (embedded), or PSU-ID (decoupled)"},
	{Name: "pis-bulk-payments-cancellation-start", Method: "POST", Path: "/v1/bulk-payments/{paymentProduct}/{paymentId}/cancellation-authorisations", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: scaStart(tppkeys.SCACancellation, tppkeys.Payment), Tag: "PIS",
		Summary: "Start the authorisation of the cancellation of an authorised bulk payment"},
	{Name: "pis-bulk-payments-cancellation-authorisations", Method: "GET", Path: "/v1/bulk-payments/{paymentProduct}/{paymentId}/cancellation-authorisations", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: route.Keys{tppkeys.Payment, tppkeys.SCACancellation}, Tag: "PIS",
		Summary: "The IDs of the authorisations of a bulk payment's cancellation"},
	{Name: "pis-bulk-payments-cancellation-sca-status", Method: "GET", Path: "/v1/bulk-payments/{paymentProduct}/{paymentId}/cancellation-authorisations/{authorisationId}", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: scaRead(tppkeys.SCACancellation, tppkeys.Payment), Tag: "PIS",
		Summary: "The scaStatus of the authorisation of a bulk payment's cancellation"},
	{Name: "pis-bulk-payments-cancellation-update", Method: "PUT", Path: "/v1/bulk-payments/{paymentProduct}/{paymentId}/cancellation-authorisations/{authorisationId}", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: scaUpdate(tppkeys.SCACancellation, tppkeys.Payment), Tag: "PIS",
		Summary: "The next step of the authorisation of a bulk payment's cancellation"},
	{Name: "pis-periodic-payments-authorisation-start", Method: "POST", Path: "/v1/periodic-payments/{paymentProduct}/{paymentId}/authorisations", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: scaStart(tppkeys.SCAPayment, tppkeys.Payment, tppkeys.BankIBAN, tppkeys.BankAccount, tppkeys.BankCustomer), Tag: "PIS",
		Summary: "Start an authorisation of a standing order: OAuth2, the bank's redirect page, decoupled in the bank's app or embedded, as the TPP prefers"},
	{Name: "pis-periodic-payments-authorisations", Method: "GET", Path: "/v1/periodic-payments/{paymentProduct}/{paymentId}/authorisations", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: route.Keys{tppkeys.Payment, tppkeys.SCAPayment}, Tag: "PIS",
		Summary: "The IDs of a standing order's authorisations"},
	{Name: "pis-periodic-payments-sca-status", Method: "GET", Path: "/v1/periodic-payments/{paymentProduct}/{paymentId}/authorisations/{authorisationId}", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: scaRead(tppkeys.SCAPayment, tppkeys.Payment), Tag: "PIS",
		Summary: "The scaStatus of a standing order's authorisation"},
	{Name: "pis-periodic-payments-authorisation-update", Method: "PUT", Path: "/v1/periodic-payments/{paymentProduct}/{paymentId}/authorisations/{authorisationId}", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: scaUpdate(tppkeys.SCAPayment, tppkeys.Payment, tppkeys.BankCustomer), Tag: "PIS",
		Summary: "The next step of a standing order's authorisation: PSU-ID and password, SCA method, one-time code (embedded), or PSU-ID (decoupled)"},
	{Name: "pis-periodic-payments-cancellation-start", Method: "POST", Path: "/v1/periodic-payments/{paymentProduct}/{paymentId}/cancellation-authorisations", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: scaStart(tppkeys.SCACancellation, tppkeys.Payment), Tag: "PIS",
		Summary: "Start the authorisation of the cancellation of an authorised standing order"},
	{Name: "pis-periodic-payments-cancellation-authorisations", Method: "GET", Path: "/v1/periodic-payments/{paymentProduct}/{paymentId}/cancellation-authorisations", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: route.Keys{tppkeys.Payment, tppkeys.SCACancellation}, Tag: "PIS",
		Summary: "The IDs of the authorisations of a standing order's cancellation"},
	{Name: "pis-periodic-payments-cancellation-sca-status", Method: "GET", Path: "/v1/periodic-payments/{paymentProduct}/{paymentId}/cancellation-authorisations/{authorisationId}", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: scaRead(tppkeys.SCACancellation, tppkeys.Payment), Tag: "PIS",
		Summary: "The scaStatus of the authorisation of a standing order's cancellation"},
	{Name: "pis-periodic-payments-cancellation-update", Method: "PUT", Path: "/v1/periodic-payments/{paymentProduct}/{paymentId}/cancellation-authorisations/{authorisationId}", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: scaUpdate(tppkeys.SCACancellation, tppkeys.Payment), Tag: "PIS",
		Summary: "The next step of the authorisation of a standing order's cancellation"},

	// The next step of a consent's authorisation in the embedded and decoupled approaches
	// (package sca), after the routes of the payments: a route is added after its
	// domain's last.
	{Name: "ais-consent-authorisation-update", Method: "PUT", Path: "/v1/consents/{consentId}/authorisations/{authorisationId}", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: scaUpdate(tppkeys.SCAConsent, tppkeys.Consent, tppkeys.BankCustomer), Tag: "AIS",
		Summary: "The next step of a consent's authorisation: PSU-ID and password, SCA method, one-time code (embedded), or PSU-ID (decoupled)"},
	{Name: "cof-consent-authorisation-update", Method: "PUT", Path: "/v2/consents/confirmation-of-funds/{consentId}/authorisations/{authorisationId}", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: scaUpdate(tppkeys.SCAFunds, tppkeys.PIIS, tppkeys.BankCustomer), Tag: "CoF",
		Summary: "The next step of a confirmation-of-funds consent's authorisation"},

	// Signing baskets: one authorisation for several payments and consents of an app
	// (package baskets), built with the payment endpoints.
	{Name: "sbs-basket-create", Method: "POST", Path: "/v1/signing-baskets", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: route.Keys{tppkeys.BasketReq, tppkeys.Basket, tppkeys.BasketMember, tppkeys.SCAPayment, tppkeys.SCAConsent, tppkeys.SCAFunds}.Union(resourceKeys), Tag: "SBS",
		Summary: "Create a signing basket of payments and consents that wait for their customer, to authorise them with one SCA"},
	{Name: "sbs-basket-get", Method: "GET", Path: "/v1/signing-baskets/{basketId}", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: route.Keys{tppkeys.Basket}, Tag: "SBS",
		Summary: "A signing basket: its payments and consents and its status"},
	{Name: "sbs-basket-status", Method: "GET", Path: "/v1/signing-baskets/{basketId}/status", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: route.Keys{tppkeys.Basket}, Tag: "SBS",
		Summary: "A signing basket's transaction status"},
	{Name: "sbs-basket-delete", Method: "DELETE", Path: "/v1/signing-baskets/{basketId}", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: route.Keys{tppkeys.Basket, tppkeys.BasketMember}.Union(notifyKeys), Tag: "SBS",
		Summary: "Delete a signing basket not yet authorised; its payments and consents wait as before"},
	{Name: "sbs-basket-authorisation-start", Method: "POST", Path: "/v1/signing-baskets/{basketId}/authorisations", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: scaStart(tppkeys.SCABasket, resourceKeys...), Tag: "SBS",
		Summary: "Start the authorisation of a signing basket: the bank's redirect page, decoupled in the bank's app or embedded, as the TPP prefers"},
	{Name: "sbs-basket-authorisations", Method: "GET", Path: "/v1/signing-baskets/{basketId}/authorisations", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: route.Keys{tppkeys.Basket, tppkeys.SCABasket}, Tag: "SBS",
		Summary: "The IDs of a signing basket's authorisations"},
	{Name: "sbs-basket-sca-status", Method: "GET", Path: "/v1/signing-baskets/{basketId}/authorisations/{authorisationId}", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: scaRead(tppkeys.SCABasket, tppkeys.BasketMember).Union(resourceKeys), Tag: "SBS",
		Summary: "The scaStatus of a signing basket's authorisation"},
	{Name: "sbs-basket-authorisation-update", Method: "PUT", Path: "/v1/signing-baskets/{basketId}/authorisations/{authorisationId}", Auth: route.TPP, Needs: route.TPPTable, TPPKeys: scaUpdate(tppkeys.SCABasket, basketDecision...), Tag: "SBS",
		Summary: "The next step of a signing basket's authorisation: PSU-ID and password, SCA method, one-time code (embedded), or PSU-ID (decoupled)"},
}

// Tagged are the TPP routes of the tags.
func Tagged(tags ...string) []route.Route {
	var out []route.Route
	for _, rt := range TPP {
		if slices.Contains(tags, rt.Tag) {
			out = append(out, rt)
		}
	}
	return out
}

// Deployed are the TPP routes the CDK stacks deploy as functions of their own: all of
// them (a route of the local listener only would be filtered out here).
func Deployed() []route.Route {
	return slices.Clone(TPP)
}

// The wiring parts that build a TPP route's handlers (shared/tpp/wiring/<part>): the
// authorization server's, which link fosite, and the account-information and
// funds-confirmation endpoints' and the payment (and signing basket) endpoints', which do
// not.
const (
	PartOAuth = "onoauth"
	PartAIS   = "onais"
	// PartPIS builds the payment initiation endpoints, linking neither fosite nor the
	// Secrets Manager client.
	PartPIS = "onpis"
	// PartDoc builds the API description, linking neither the authorization server nor
	// the AWS SDK.
	PartDoc = "onapidoc"
)

// PartOf is the wiring part that builds the route rt of TPP.
func PartOf(rt route.Route) string {
	switch rt.Tag {
	case "AIS", "CoF":
		return PartAIS
	case "PIS", "SBS":
		return PartPIS
	case "Docs":
		return PartDoc
	}
	return PartOAuth
}

// AuthorizerOf is the authorizer of the route rt of TPP: the one that verifies bearer
// tokens for the routes that take one, the caller check alone for the others.
func AuthorizerOf(rt route.Route) string {
	if rt.Bearer {
		return BearerAuthorizerName
	}
	return AuthorizerName
}

// Browser are the TPP area's routes on the browser-reachable origin, where a customer's
// browser, which presents no client certificate, is sent: the authorization endpoint and
// the sandbox bank's sign-in and consent pages (package bankpages). Locally the portal
// listener serves them.
var Browser = []route.Route{
	{Name: "oauth2-authorize", Method: "GET", Path: AuthorizePath, Auth: route.Public, Needs: oauthNeeds, Keys: lookupKeys, TPPKeys: route.Keys{tppkeys.OAuthPAR, tppkeys.OAuthPending}.Union(resourceKeys), Tag: "OAuth2",
		Summary: "Authorization endpoint: validates the request and hands the customer to the bank's sign-in and consent pages"},
	// The sign-in form reads nothing but its session cookie, sealed with the OAuth key.
	{Name: "sandbox-bank-sign-in", Method: "GET", Path: "/sandbox-bank/sign-in", Auth: route.Public, Needs: route.OAuthKey, Tag: "Sandbox bank",
		Summary: "The sandbox bank's sign-in page: sign-in name, password and one-time code, and the developers' scenarios"},
	{Name: "sandbox-bank-sign-in-submit", Method: "POST", Path: "/sandbox-bank/sign-in", Auth: route.Public, Needs: oauthNeeds, Keys: lookupKeys, TPPKeys: route.Keys{tppkeys.BankLogin}, Tag: "Sandbox bank",
		Summary: "Signs a sandbox customer in, or shows the sign-in page again naming the wrong field"},
	{Name: "sandbox-bank-consent", Method: "GET", Path: "/sandbox-bank/consent", Auth: route.Public, Needs: oauthNeeds, Keys: lookupKeys, TPPKeys: route.Keys{tppkeys.BankCustomer}, Tag: "Sandbox bank",
		Summary: "The consent page: the app, its organization, what it asks, the accounts to choose"},
	{Name: "sandbox-bank-decide", Method: "POST", Path: "/sandbox-bank/consent", Auth: route.Public, Needs: oauthNeeds, Keys: lookupKeys, TPPKeys: oauthDecision, Tag: "Sandbox bank",
		Summary: "Approves or denies the authorization request; the browser goes back to the app"},
	{Name: "sandbox-bank-scenario", Method: "POST", Path: "/sandbox-bank/scenario", Auth: route.Public, Needs: oauthNeeds, Keys: lookupKeys, TPPKeys: oauthDecision.Union(route.Keys{tppkeys.BankLogin}), Tag: "Sandbox bank",
		Summary: "Plays a developer's scenario: approve at once, fail SCA, or decide slowly (the request times out)"},
	{Name: "sandbox-bank-consents", Method: "GET", Path: "/sandbox-bank/consents", Auth: route.Public, Needs: oauthNeeds, Keys: lookupKeys, TPPKeys: route.Keys{tppkeys.PSU, tppkeys.Consent, tppkeys.PIIS}, Tag: "Sandbox bank",
		Summary: "The customer's consents: each app, what it may do, its status and until when, with a Revoke button for each valid one (sign-in first)"},
	{Name: "sandbox-bank-revoke", Method: "POST", Path: "/sandbox-bank/consents/revoke", Auth: route.Public, Needs: oauthNeeds, Keys: lookupKeys, TPPKeys: route.Keys{tppkeys.PSU, tppkeys.Consent, tppkeys.PIIS}.Union(notifyKeys), Tag: "Sandbox bank",
		Summary: "Asks the customer to confirm, then revokes one of their valid consents (revokedByPsu); another's is refused"},
	{Name: "sandbox-bank-sca", Method: "GET", Path: "/sandbox-bank/sca", Auth: route.Public, Needs: oauthNeeds, Keys: lookupKeys, TPPKeys: scaOpen, Tag: "Sandbox bank",
		Summary: "An authorisation's redirect page (the scaRedirect link): the customer signs in and sees what the app asks them to authorise"},
	{Name: "sandbox-bank-sca-decide", Method: "POST", Path: "/sandbox-bank/sca", Auth: route.Public, Needs: oauthNeeds, Keys: lookupKeys, TPPKeys: scaDecision, Tag: "Sandbox bank",
		Summary: "Approves or denies the authorisation of the redirect page; the browser goes back to TPP-Redirect-URI or TPP-Nok-Redirect-URI"},
	{Name: "sandbox-bank-app", Method: "GET", Path: "/sandbox-bank/app", Auth: route.Public, Needs: oauthNeeds, Keys: lookupKeys, TPPKeys: scaOpen.Union(route.Keys{tppkeys.PSU}), Tag: "Sandbox bank",
		Summary: "The bank's app: the decoupled authorisations waiting for the signed-in customer, each to approve or deny"},
	{Name: "sandbox-bank-app-decide", Method: "POST", Path: "/sandbox-bank/app", Auth: route.Public, Needs: oauthNeeds, Keys: lookupKeys, TPPKeys: scaDecision, Tag: "Sandbox bank",
		Summary: "Approves or denies one of the customer's decoupled authorisations; another's is refused"},
	{Name: "sandbox-customers", Method: "GET", Path: "/sandbox-bank/customers", Auth: route.Public, Tag: "Sandbox",
		Summary: "The sandbox bank's customers: sign-in name, password and one-time code, accounts with their balances on the bank's date (public, cacheable)"},
}

// Jobs are the TPP area's scheduled functions: each is a functions/<name> with an
// events/<name>.json, built by its part (PartOfJob). The local stack runs them in-process.
var Jobs = []route.Job{
	{Name: NotificationJob, Schedule: "rate(1 minute)", Needs: route.TPPTable, TPPKeys: route.Keys{tppkeys.NotifyDue, tppkeys.NotifyLog},
		Summary: "Post the status notifications due to the TPPs' TPP-Notification-URIs, retrying failed ones (at most five attempts) and recording each attempt"},
	{Name: StandingOrderJob, Schedule: "cron(0 5 * * ? *)", Needs: route.TPPTable,
		TPPKeys: route.Keys{tppkeys.Standing, tppkeys.Instalment, tppkeys.Payment}.Union(ledgerKeys).Union(notifyKeys),
		Summary: "Book the instalment due today of every authorised standing order (periodic payment), once each"},
}

// The TPP area's jobs.
const (
	NotificationJob  = "notification-delivery"
	StandingOrderJob = "standing-orders"
	// PartNotify builds the notification delivery job, linking nothing but DynamoDB.
	PartNotify = "onnotify"
)

// PartOfJob is the wiring part that builds the job named name.
func PartOfJob(name string) string {
	if name == StandingOrderJob {
		return PartPIS
	}
	return PartNotify
}

// Authorizers are the TPP API's Lambda authorizers: each is a functions/<name> with an
// events/<name>.json, like the routes and jobs.
var Authorizers = []string{AuthorizerName, BearerAuthorizerName}
