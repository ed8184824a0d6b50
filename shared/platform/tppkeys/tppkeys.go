// Package tppkeys names the TPP table's partition-key families: the prefixes its stores
// (oauthdb, consentdb, scadb, paymentdb, basketdb, bankstore, notifylogdb) build partition
// keys with, on the table and on its index. It is the TPP table's sibling of the portal
// table's keyspace, and sits in the platform because both areas' routes name its
// families: the portal reads an app's notification log there. Routes declare the families
// they reach (route.Route.TPPKeys); the tests' AWS guard and the functions' IAM conditions
// (dynamodb:LeadingKeys) hold them to it. A family ending in "#" is every partition
// starting with it; any other is one partition.
package tppkeys

import "github.com/bank/devportal/shared/platform/route"

// The table's partitions.
const (
	OAuthCode    = "OAUTH#CODE#"    // an authorization code
	OAuthPKCE    = "OAUTH#PKCE#"    // a code's PKCE challenge
	OAuthPAR     = "OAUTH#PAR#"     // a pushed authorization request
	OAuthPending = "OAUTH#PENDING#" // an authorization request waiting for the customer
	OAuthGrant   = "OAUTH#GRANT#"   // a grant's access and refresh tokens
	Consent      = "CONSENT#"       // an account-information consent and its reads of a day
	PIIS         = "PIIS#"          // a confirmation-of-funds consent
	// A resource's authorisations, by its kind (package sca's kinds).
	SCAConsent      = "SCA#AIS#"      // an account-information consent's
	SCAFunds        = "SCA#PIIS#"     // a confirmation-of-funds consent's
	SCAPayment      = "SCA#PIS#"      // a payment's
	SCACancellation = "SCA#PISCANC#"  // a payment's cancellation's
	SCABasket       = "SCA#SBS#"      // a signing basket's
	Payment         = "PAYMENT#"      // a payment initiation
	PayRequest      = "PAYREQ#"       // the payment an app's X-Request-ID made
	Instalment      = "INSTALMENT#"   // a standing order's booked instalment
	Basket          = "BASKET#"       // a signing basket
	BasketMember    = "BASKETMEMBER#" // a payment's or consent's place in a basket
	BasketReq       = "BASKETREQ#"    // the basket an app's X-Request-ID made
	BankCustomer    = "BANKCUSTOMER#" // a sandbox customer; GSI1: the customer's accounts
	BankAccount     = "BANKACCOUNT#"  // a sandbox account, its ledger and its transactions
	BankBooking     = "BANKBOOKING#"  // the record of a booking by its ID
	BankData        = "BANKDATA"      // the record of the loaded sandbox bank
	NotifyLog       = "NOTIFYLOG#"    // an app's notification deliveries
	Notify          = "NOTIFY#"       // a notification's once-marker
)

// GSI1's partitions.
const (
	PSU       = "PSU#"       // a customer's approved consents and waiting decoupled authorisations
	BankLogin = "BANKLOGIN#" // a sandbox customer by sign-in name
	BankIBAN  = "BANKIBAN#"  // a sandbox account's ledger by IBAN and currency
	BankTx    = "BANKTX#"    // a sandbox transaction by its ID
	Standing  = "STANDING"   // every running standing order
	NotifyDue = "NOTIFYDUE"  // every pending notification delivery, by its next attempt
)

// All is every family of the table and its index.
var All = route.Keys{
	OAuthCode, OAuthPKCE, OAuthPAR, OAuthPending, OAuthGrant, Consent, PIIS,
	SCAConsent, SCAFunds, SCAPayment, SCACancellation, SCABasket, Payment,
	PayRequest, Instalment, Basket, BasketMember, BasketReq, BankCustomer, BankAccount,
	BankBooking, BankData, NotifyLog, Notify,
	PSU, BankLogin, BankIBAN, BankTx, Standing, NotifyDue,
}.Union(nil)
