// Package sca is the strong customer authentication of every resource that needs one
// (Berlin Group NextGenPSD2 1.3.12 authorisation sub-resources): a payment, a payment's
// cancellation, an account-information consent, a confirmation-of-funds consent and a
// signing basket (one authorisation for every payment and consent in it). An authorisation is an item of
// its own, whatever the resource, with its SCA approach, its scaStatus, the customer (PSU)
// it identified, the method chosen, the wrong credentials counted and an expiry; the
// resource is decided through its Target, the same code its OAuth2 approval runs.
//
// The approaches, chosen from the TPP's preferences (ApproachOf):
//
//   - OAuth2 (no preference): the customer approves the resource at the authorization
//     server (scope PIS:<paymentId>, AIS:<consentId>, PIIS:<consentId>,
//     SBS:<basketId>); the authorisation reports that approval.
//   - Redirect: the customer signs in at the sandbox bank's page of this authorisation
//     (the scaRedirect link) and approves or denies it there.
//   - Decoupled: the TPP names the customer (PSU-ID); they approve in the bank's app
//     (a page listing their waiting authorisations) while the TPP polls scaStatus.
//   - Embedded: the TPP sends the customer's password, the method they chose and the
//     one-time code, step by step; three wrong credentials fail the authorisation.
//
// An authorisation not finalised within Lifespan fails when it is next read, and with it
// the resource (the payment RJCT, the consent rejected).
package sca

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Kind is the kind of resource an authorisation authorises.
type Kind string

// The kinds of resource that need SCA.
const (
	Payment             Kind = "PIS"
	PaymentCancellation Kind = "PISCANC"
	AISConsent          Kind = "AIS"
	PIISConsent         Kind = "PIIS"
	SigningBasket       Kind = "SBS"
)

// Approach is how the customer authenticates (the Berlin Group SCA approach).
type Approach string

// The approaches this bank offers. OAuth is the redirect approach through the OAuth2
// authorization server (the scaOAuth link); Redirect is the bank's own page (scaRedirect).
const (
	OAuth     Approach = "OAUTH"
	Redirect  Approach = "REDIRECT"
	Decoupled Approach = "DECOUPLED"
	Embedded  Approach = "EMBEDDED"
)

// Header is the approach as the ASPSP-SCA-Approach header names it: the OAuth2 approach
// is a redirect approach.
func (a Approach) Header() string {
	if a == OAuth {
		return string(Redirect)
	}
	return string(a)
}

// Status is an authorisation's scaStatus.
type Status string

// The statuses of an authorisation. received: created; psuIdentified: the customer is
// named (PSU-ID); psuAuthenticated: their password checked; scaMethodSelected: the method
// chosen, its challenge sent; started: the customer was asked in the bank's app
// (decoupled); then finalised (the resource is authorised), failed, or exempted (no SCA
// was needed: this sandbox exempts nothing, but a signing basket may).
const (
	Received         Status = "received"
	PSUIdentified    Status = "psuIdentified"
	PSUAuthenticated Status = "psuAuthenticated"
	MethodSelected   Status = "scaMethodSelected"
	Started          Status = "started"
	Finalised        Status = "finalised"
	Failed           Status = "failed"
	Exempted         Status = "exempted"
)

// Final says whether nothing can change the status any more.
func (s Status) Final() bool { return s == Finalised || s == Failed || s == Exempted }

// Lifespan is how long a customer has to finish an authorisation: then it fails, as the
// OAuth2 flow's pending requests end.
const Lifespan = 15 * time.Minute

// MaxFailedAttempts is how many wrong credentials (PSU-ID, password or one-time code) an
// embedded authorisation takes: the last one fails it, and the resource with it.
const MaxFailedAttempts = 3

// Retention is how long an authorisation is kept after it was made, as its payment is.
const Retention = 90 * 24 * time.Hour

// Authorisation is one authorisation sub-resource of a resource.
type Authorisation struct {
	ID         string `dynamodbav:"authorisationId"`
	Kind       Kind   `dynamodbav:"resourceKind"`
	ResourceID string `dynamodbav:"resourceId"`
	// AppID and OrgID are the app (and its organization) whose resource it is: only that
	// app reads or updates it.
	AppID    string   `dynamodbav:"appId"`
	OrgID    string   `dynamodbav:"orgId"`
	Approach Approach `dynamodbav:"approach"`
	Status   Status   `dynamodbav:"scaStatus"`
	// PSUID is the customer as the TPP named them (PSU-ID, their sign-in name), and
	// CustomerID the bank's customer it identified.
	PSUID      string `dynamodbav:"psuId,omitempty"`
	CustomerID string `dynamodbav:"customerId,omitempty"`
	// Method is the authenticationMethodId chosen (embedded).
	Method string `dynamodbav:"authenticationMethodId,omitempty"`
	// FailedAttempts counts the wrong credentials sent (embedded).
	FailedAttempts int `dynamodbav:"failedAttempts"`
	// RedirectURI and NokRedirectURI are where the bank's page sends the customer after
	// a redirect authorisation (TPP-Redirect-URI, TPP-Nok-Redirect-URI).
	RedirectURI    string    `dynamodbav:"redirectUri,omitempty"`
	NokRedirectURI string    `dynamodbav:"nokRedirectUri,omitempty"`
	CreatedAt      time.Time `dynamodbav:"createdAt"`
	ChangedAt      time.Time `dynamodbav:"changedAt"`
	// ExpiresAt is when an authorisation not yet final fails (Lifespan).
	ExpiresAt time.Time `dynamodbav:"expiresAt"`
	// Version counts the writes: every change is conditional on the version read.
	Version int `dynamodbav:"version"`
}

// Ref names an authorisation: its resource and its ID.
type Ref struct {
	Kind       Kind
	ResourceID string
	ID         string
}

// Ref is the authorisation's name.
func (a Authorisation) Ref() Ref { return Ref{Kind: a.Kind, ResourceID: a.ResourceID, ID: a.ID} }

// String is the reference as the bank's pages carry it: kind, resource and ID, joined by
// dots (the IDs are base64url, which has none).
func (r Ref) String() string { return string(r.Kind) + "." + r.ResourceID + "." + r.ID }

// ParseRef reads a reference written by String.
func ParseRef(s string) (Ref, bool) {
	parts := strings.Split(s, ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return Ref{}, false
	}
	return Ref{Kind: Kind(parts[0]), ResourceID: parts[1], ID: parts[2]}, true
}

// Waiting says whether the customer may still act on the authorisation at now.
func (a Authorisation) expired(now time.Time) bool {
	return !a.Status.Final() && a.Approach != OAuth && !now.Before(a.ExpiresAt)
}

// UnderWay says whether the customer is in the middle of the authorisation at now: it is
// neither final nor timed out, and of an approach whose steps the bank takes (an OAuth2
// one only reports the approval at the authorization server, which refuses on its own
// what the resource no longer allows).
func (a Authorisation) UnderWay(now time.Time) bool {
	return !a.Status.Final() && a.Approach != OAuth && now.Before(a.ExpiresAt)
}

// Store keeps authorisations. Every change is conditional on the version read.
type Store interface {
	// Create stores a new authorisation; an ID taken is an error.
	Create(ctx context.Context, a Authorisation) error
	// Get is the authorisation ref names, or ErrNotFound.
	Get(ctx context.Context, ref Ref) (Authorisation, error)
	// List is a resource's authorisations, oldest first (strongly consistent).
	List(ctx context.Context, kind Kind, resourceID string) ([]Authorisation, error)
	// Replace stores a in place of the stored authorisation on condition that the
	// stored one still has version from: ErrChanged when another change came first.
	Replace(ctx context.Context, a Authorisation, from int) error
	// Started lists the decoupled authorisations that wait for customer customerID in the
	// bank's app, newest first, limit at most, as an index has them: possibly a moment
	// behind the latest change.
	Started(ctx context.Context, customerID string, limit int) ([]Authorisation, error)
}

// Errors of the stores.
var (
	ErrNotFound = errors.New("sca: no such authorisation")
	ErrChanged  = errors.New("sca: the authorisation changed meanwhile")
)

// Resource is what an authorisation's Target tells of the resource.
type Resource struct {
	ID, AppID, OrgID string
	// Status is the resource's own status (RCVD, received …), for the texts.
	Status string
	// Waiting says whether the resource waits for an authorisation of this kind.
	Waiting bool
	// Approved says a customer authorised it, and Subject who.
	Approved bool
	Subject  string
	// Summary says in plain words what the customer authorises.
	Summary string
	// RedirectURI and NokRedirectURI are the TPP's, as the resource was made with them.
	RedirectURI, NokRedirectURI string
	// OAuthApprovals counts the approvals of the OAuth2 flow a resource that needs several
	// customers' (multi-level SCA) took while it still waits for more: the resource's
	// oldest OAuth2 authorisations read finalised, one per approval.
	OAuthApprovals int
	// MultiLevel says the resource needs several customers' authorisations (a payment from
	// an account with several signatories): each signs it on its own, never in a basket.
	MultiLevel bool
	// Basket is the signing basket waiting for its authorisation that holds the resource
	// (a payment or consent), "" for none: the resource is then authorised with the
	// basket, never alone.
	Basket string
}

// Target decides one kind of resource: the payment, its cancellation or the consent an
// authorisation authorises. Authorise is the same code as the resource's OAuth2 approval.
type Target interface {
	// Find is the resource id, or ErrNotFound.
	Find(ctx context.Context, id string) (Resource, error)
	// Authorise records that customer customerID authorised the resource: a payment is
	// accepted and, when due, executed; a cancellation cancels; a consent becomes valid.
	// ErrNotGrantable when the customer cannot authorise it (the resource is then
	// refused as the OAuth2 approval refuses it), ErrDecided when it no longer waits.
	Authorise(ctx context.Context, id, customerID string) error
	// Fail records that the authorisation failed: a payment is rejected, a consent
	// rejected; a cancellation leaves its payment as it is. ErrDecided when the resource
	// no longer waits.
	Fail(ctx context.Context, id string) error
}

// Errors of the targets. A Target whose resources may need several customers'
// authorisations also answers ErrAlreadySigned and ErrNotSignatory (errors.go).
var (
	ErrNotGrantable = errors.New("sca: the customer cannot authorise this resource")
	ErrDecided      = errors.New("sca: the resource no longer waits for an authorisation")
)

// Signatories is a Target whose resources may need several customers' authorisations
// (multi-level SCA): CanSign refuses a customer who may not add theirs
// (ErrAlreadySigned, ErrNotSignatory) as soon as the TPP names them, before they
// authenticate; nil for anyone else.
type Signatories interface {
	CanSign(ctx context.Context, id, customerID string) error
}

// Method is an SCA method a customer may choose (the Berlin Group authenticationObject).
type Method struct {
	Type        string `json:"authenticationType"`
	ID          string `json:"authenticationMethodId"`
	Name        string `json:"name,omitempty"`
	Explanation string `json:"explanation,omitempty"`
}

// Methods are the methods every sandbox customer has: each sends the customer's one-time
// code (sandboxbank.SandboxOTP), which they type at the TPP.
var Methods = []Method{
	{Type: "SMS_OTP", ID: "sms", Name: "SMS to the phone ending in 42",
		Explanation: "The bank sends a one-time code by SMS. In the sandbox no SMS is sent: the code is the customer's one-time code."},
	{Type: "PUSH_OTP", ID: "app", Name: "Sandbox Bank app",
		Explanation: "The bank's app shows a one-time code. In the sandbox it is the customer's one-time code."},
}

// MethodByID is the method of id, if the customers have it.
func MethodByID(id string) (Method, bool) {
	for _, m := range Methods {
		if m.ID == id {
			return m, true
		}
	}
	return Method{}, false
}

// Challenge is what the TPP shows the customer to get the one-time code (the Berlin
// Group challengeData).
type Challenge struct {
	OTPMaxLength          int    `json:"otpMaxLength"`
	OTPFormat             string `json:"otpFormat"`
	AdditionalInformation string `json:"additionalInformation,omitempty"`
}

// challengeOf is the challenge of method m.
func challengeOf(m Method) Challenge {
	return Challenge{OTPMaxLength: 6, OTPFormat: "integer",
		AdditionalInformation: fmt.Sprintf("Type the 6-digit one-time code of %s.", m.Name)}
}

// The bank's pages of the redirect and decoupled approaches, on the browser-reachable
// origin (the sandbox bank's, package bankpages): the scaRedirect link is RedirectPagePath
// with the authorisation's reference in the query parameter RefParam; AppPagePath is the
// bank's "app", where a customer approves their decoupled authorisations.
const (
	RedirectPagePath = "/sandbox-bank/sca"
	AppPagePath      = "/sandbox-bank/app"
	RefParam         = "authorisation"
)
