// Package callercheck is the TPP API's caller check: from what a call presents (the TLS
// client certificate and the apiKey header) and the product its path belongs to, to the
// app, organization and plan it speaks for, with one read of the portal's items. The
// Lambda authorizer runs it deployed; the local TPP listener runs the same code.
package callercheck

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/bank/devportal/shared/platform/prefetch"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/tpp/tppdata"
	"github.com/bank/devportal/shared/trust/eidas"
)

// EnvironmentVariable names the environment (sandbox or production) a deployed TPP API
// serves; CDK sets it on the authorizer function.
const EnvironmentVariable = "TPP_ENVIRONMENT"

// Lookups reads what the check needs of a call in one request: the presented
// certificate's fingerprint lookup and the organization, app and certificate items the
// API key names (lookupdb.Reader.Caller), with the items of other tables ahead names
// (lookup.CallerItems.Ahead). With no orgID it reads the lookup alone.
type Lookups interface {
	Caller(ctx context.Context, fingerprint, orgID, appID string, ahead ...prefetch.Key) (lookup.CallerItems, error)
}

// Meter enforces an app's plan for one product: it counts an allowed call, or answers
// how long to wait. Deployed, API Gateway's usage plans meter (the authorizer names the
// call's usage key), so the authorizer has none; the local TPP listener has its own.
type Meter interface {
	Take(ctx context.Context, usageKey string, plan lookup.Plan, now time.Time) (wait time.Duration, allowed bool, err error)
}

// Authorizer is the TPP API's caller check. API Gateway's mutual TLS (locally, the
// listener's TLS configuration) has already checked that the client certificate chains to
// the truststore, is within its validity, and that the caller holds its private key; the
// check ties it to an app.
type Authorizer struct {
	Lookups Lookups
	// Environment is the environment this TPP API serves: a sandbox app's certificate
	// opens no door of the production API, and the other way round.
	Environment lookup.Environment
	// Meter is nil where API Gateway's usage plans enforce the plans.
	Meter Meter
	Log   *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Tokens verifies bearer access tokens for the calls that require one; nil where no
	// call does.
	Tokens Tokens
	// ConsentKey names the item of the consent a call's Consent-ID header names, which the
	// check reads ahead, with the caller's items, for the handler (Caller.Ahead): an
	// account read then costs the check's one read and the handler's own query. Nil reads
	// nothing ahead.
	ConsentKey func(consentID string) prefetch.Key
}

// ConsentIDHeader names the consent an account-information call reads under.
const ConsentIDHeader = "Consent-ID"

// Call is what a TPP call presents to the check.
type Call struct {
	// CertDER is the TLS client certificate, nil when none was presented.
	CertDER []byte
	// APIKey is the apiKey header.
	APIKey string
	// Product is the catalog product the called path belongs to (routes.ProductOf).
	Product string
	// Authorization is the Authorization header. TakesToken says the call's route takes a
	// bearer access token (route.Route.Bearer): one presented must be valid and bound to
	// the certificate presented; a call without one passes only when it names a consent
	// (ConsentID), whose own rules then say whether its reads need the token (a consent
	// authorised at the bank's interface, not through OAuth2, is read without one).
	Authorization string
	TakesToken    bool
	// ConsentID is the Consent-ID header of a call that takes a bearer token.
	ConsentID string
}

// Caller is the app a call speaks for.
type Caller struct {
	AppID       string
	OrgID       string
	Environment lookup.Environment
	// Fingerprint is the client certificate's SHA-256 (lower-case hex of the DER).
	Fingerprint string
	// Product is the product called, and Plan the app's plan for it.
	Product string
	Plan    lookup.Plan
	// UsageKey meters the app's use of the product (lookup.UsageKey).
	UsageKey string
	// Token is the verified bearer token of a call that presented one, nil for none.
	Token *Token
	// RedirectURIs are the app's registered redirect URIs: their hosts are the domains a
	// status notification may go to (TPP-Notification-URI).
	RedirectURIs []string
	// Ahead are the items the check read for the handler (the consent of the Consent-ID
	// header), nil for none: the handler's stores take them from its context
	// (prefetch.With) instead of reading them.
	Ahead *prefetch.Items
}

// Owner is the app the call speaks for, as the owner of the consents and payments it
// makes and reads.
func (c Caller) Owner() tppdata.Owner {
	return tppdata.Owner{AppID: c.AppID, OrgID: c.OrgID, Environment: string(c.Environment)}
}

// Refusal is a call the caller check refuses, with the Berlin Group code and status the
// specification gives it. The TPP listener and the REST API adapter answer it as a
// tppMessages error; it changes nothing.
type Refusal struct {
	Status int
	Code   string
	Text   string
	// RetryAfter is when a call over the plan may be tried again.
	RetryAfter time.Duration
	// reason is what the log says, which may name more than the caller is told.
	reason string
}

func (r *Refusal) Error() string { return r.Code + ": " + r.reason }

const (
	notRegistered = "The client certificate is not registered for an app of this environment: attach it to your app in the developer portal."
	keyInvalid    = "The apiKey header does not hold a current API key of the app this certificate is attached to: copy it from the app's page in the developer portal."
)

// The caller check's refusals. Several tell the caller the same as ErrCertificateUnknown,
// on purpose: which organization or environment holds a certificate is the log's to say.
var (
	ErrCertificateMissing = &Refusal{Status: 401, Code: "CERTIFICATE_MISSING",
		Text: "Present your certificate as the TLS client certificate.", reason: "no client certificate"}
	ErrCertificateInvalid = &Refusal{Status: 401, Code: "CERTIFICATE_INVALID",
		Text: "The client certificate is not a valid X.509 certificate.", reason: "the client certificate does not parse"}
	ErrCertificateUnknown = &Refusal{Status: 401, Code: "CERTIFICATE_INVALID", Text: notRegistered,
		reason: "the certificate is attached to no app"}
	ErrOtherEnvironment = &Refusal{Status: 401, Code: "CERTIFICATE_INVALID", Text: notRegistered,
		reason: "the certificate's app belongs to another environment"}
	// ErrCertificateDetached is a fingerprint lookup whose certificate or app no longer
	// holds it: a removal whose cleanup did not finish still closes the door.
	ErrCertificateDetached = &Refusal{Status: 401, Code: "CERTIFICATE_INVALID", Text: notRegistered,
		reason: "the fingerprint lookup outlived the certificate's attachment"}
	ErrCertificateUnproven = &Refusal{Status: 401, Code: "CERTIFICATE_INVALID", Text: notRegistered,
		reason: "possession of the certificate's key was never proven to the portal"}
	ErrCertificateRevoked = &Refusal{Status: 401, Code: "CERTIFICATE_REVOKED",
		Text: "The client certificate is revoked: upload and attach a new one in the developer portal.", reason: "the certificate is revoked"}
	ErrOrganizationBlocked = &Refusal{Status: 401, Code: "CERTIFICATE_BLOCKED",
		Text: "Your organization may not call this API: it is not an active organization of this environment.", reason: "the organization is not active"}
	ErrAPIKeyMissing = &Refusal{Status: 400, Code: "FORMAT_ERROR",
		Text: "Send your app's API key in the apiKey header.", reason: "no apiKey header"}
	ErrAPIKeyInvalid = &Refusal{Status: 401, Code: "TOKEN_INVALID", Text: keyInvalid,
		reason: "the API key is not a current key of the certificate's app"}
)

var errTokensUnavailable = errors.New("caller check: a call requires a bearer token, but no token verifier is configured")

// roleInvalid refuses a call to a product whose PSD2 role the organization lacks.
func roleInvalid(p lookup.Product) *Refusal {
	return &Refusal{Status: 401, Code: "ROLE_INVALID",
		Text:   fmt.Sprintf("%s needs the PSD2 role %s, which your organization's eIDAS certificate does not carry.", p.Name, p.RequiredRole),
		reason: "the organization lacks " + p.RequiredRole}
}

// notSubscribed refuses a call to a product the app is not subscribed to.
func notSubscribed(p lookup.Product) *Refusal {
	return &Refusal{Status: 403, Code: "SERVICE_BLOCKED",
		Text:   fmt.Sprintf("Your app is not subscribed to %s: subscribe it in the developer portal.", p.Name),
		reason: "no subscription to " + p.ID}
}

// accessExceeded refuses a call over the plan.
func accessExceeded(p lookup.Product, plan lookup.Plan, wait time.Duration) *Refusal {
	return &Refusal{Status: 429, Code: "ACCESS_EXCEEDED", RetryAfter: wait,
		Text: fmt.Sprintf("Your app is over its %s plan for %s (%d calls a second, %d a day): try again in %s.",
			plan.Name, p.Name, plan.RateLimitPerSecond, plan.QuotaPerDay, retryText(wait)),
		reason: "over the plan of " + p.ID}
}

// RetryAfterSeconds is the Retry-After header's value for a wait: whole seconds, at least 1.
func RetryAfterSeconds(wait time.Duration) string {
	s := int64((wait + time.Second - 1) / time.Second)
	return strconv.FormatInt(max(s, 1), 10)
}

func retryText(wait time.Duration) string {
	s, _ := strconv.Atoi(RetryAfterSeconds(wait))
	if s == 1 {
		return "1 second"
	}
	return strconv.Itoa(s) + " seconds"
}

type callerKey struct{}

// WithCaller is ctx carrying the caller the check found (the local TPP listener's way of
// passing what API Gateway passes as the authorizer's context).
func WithCaller(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// From is the caller WithCaller put in ctx.
func From(ctx context.Context) (Caller, bool) {
	c, ok := ctx.Value(callerKey{}).(Caller)
	return c, ok
}

// Check names the app a call speaks for, or refuses it with a *Refusal. Any other error
// is a failed read, which must not read as a refusal: it is an outage. An accepted call
// costs one read; only a refused one may cost a second, to say what is wrong in the order
// the checks run: certificate, organization, role, API key, subscription, plan.
func (a *Authorizer) Check(ctx context.Context, call Call) (Caller, error) {
	if len(call.CertDER) == 0 {
		return Caller{}, ErrCertificateMissing
	}
	fingerprint, err := fingerprintOf(call.CertDER)
	if err != nil {
		return Caller{}, err
	}
	product, ok := lookup.ProductByID(call.Product)
	if !ok {
		return Caller{}, fmt.Errorf("caller check: no product %q", call.Product)
	}
	orgID, appID, keyShaped := lookup.ParseAPIKey(call.APIKey)
	ahead, forHandler := a.readAhead(call)
	items, err := a.Lookups.Caller(ctx, fingerprint, orgID, appID, ahead...)
	if err != nil {
		return Caller{}, fmt.Errorf("caller lookup: %w", err)
	}
	owner := items.Owner
	if owner == nil {
		return Caller{Fingerprint: fingerprint}, ErrCertificateUnknown
	}
	keyNamesOwner := keyShaped && owner.OrgID == orgID && owner.AppID == appID
	if !keyNamesOwner {
		// The key names no app, or another one: read the certificate's own app, so that
		// what is wrong with the certificate or its organization is said first.
		if items, err = a.Lookups.Caller(ctx, fingerprint, owner.OrgID, owner.AppID); err != nil {
			return Caller{}, fmt.Errorf("caller lookup: %w", err)
		}
		if items.Owner == nil {
			return Caller{Fingerprint: fingerprint}, ErrCertificateUnknown
		}
		owner = items.Owner
	}
	caller := Caller{AppID: owner.AppID, OrgID: owner.OrgID, Environment: owner.Environment, Fingerprint: fingerprint, Product: product.ID}
	now := a.now()
	cert, app, org := items.Certificate, items.App, items.Org
	switch {
	case owner.Environment != a.Environment:
		return caller, ErrOtherEnvironment
	case cert == nil || cert.AppID != owner.AppID || app == nil || app.ID != owner.AppID || !app.HasFingerprint(fingerprint):
		return caller, ErrCertificateDetached
	case !cert.Proven():
		return caller, ErrCertificateUnproven
	case cert.RevokedAt != nil && !now.Before(*cert.RevokedAt):
		return caller, ErrCertificateRevoked
	case app.Environment != a.Environment:
		return caller, ErrOtherEnvironment
	case org == nil || org.Status != lookup.OrgStatusActive || org.Environment != a.Environment:
		return caller, ErrOrganizationBlocked
	case product.RequiredRole != "" && !hasRole(org.Services, product.RequiredRole):
		return caller, roleInvalid(product)
	case call.APIKey == "":
		return caller, ErrAPIKeyMissing
	case !keyNamesOwner || !app.AcceptsKey(lookup.HashAPIKey(call.APIKey), now):
		return caller, ErrAPIKeyInvalid
	}
	planID, subscribed := app.Products[product.ID]
	if !subscribed {
		return caller, notSubscribed(product)
	}
	plan, ok := product.PlanByID(planID)
	if !ok {
		return Caller{}, fmt.Errorf("caller check: app %s has plan %q of %s, which the catalog lacks", app.ID, planID, product.ID)
	}
	caller.Plan, caller.UsageKey = plan, lookup.UsageKey(owner.OrgID, owner.AppID, product.ID)
	caller.RedirectURIs = app.RedirectURIs
	if call.TakesToken {
		// A call naming a consent may come without a token: the handler's consent rules
		// require it of a consent authorised through OAuth2 (consents.CheckToken).
		if call.Authorization != "" || call.ConsentID == "" {
			token, err := a.checkToken(prefetch.With(ctx, items.Ahead), call, caller)
			if err != nil {
				return caller, err
			}
			caller.Token = token
		}
		if forHandler != nil {
			caller.Ahead = items.Ahead.Only(*forHandler)
		}
	}
	if a.Meter != nil {
		wait, allowed, err := a.Meter.Take(ctx, caller.UsageKey, plan, now)
		if err != nil {
			return Caller{}, fmt.Errorf("plan meter: %w", err)
		}
		if !allowed {
			return caller, accessExceeded(product, plan, wait)
		}
	}
	return caller, nil
}

// readAhead names the items of other tables the caller's read takes along for a call
// that takes a bearer token: the token's session, if it presents one, which the check
// verifies, and the consent the call names, which the handler reads (forHandler), token
// or not.
func (a *Authorizer) readAhead(call Call) (ahead []prefetch.Key, forHandler *prefetch.Key) {
	if !call.TakesToken || a.Tokens == nil {
		return nil, nil
	}
	if k, ok := a.Tokens.AccessTokenKey(BearerToken(call.Authorization)); ok {
		ahead = append(ahead, k)
	}
	if a.ConsentKey != nil && call.ConsentID != "" {
		k := a.ConsentKey(call.ConsentID)
		ahead, forHandler = append(ahead, k), &k
	}
	return ahead, forHandler
}

// hasRole says whether an organization's services (AIS, PIS, PIIS) include the PSD2 role.
func hasRole(services []string, role string) bool {
	return slices.ContainsFunc(services, func(s string) bool { r, ok := eidas.RoleForService(s); return ok && r == role })
}

func (a *Authorizer) now() time.Time {
	if a.Now == nil {
		return time.Now()
	}
	return a.Now()
}

func (a *Authorizer) logger() *slog.Logger {
	if a.Log == nil {
		return slog.Default()
	}
	return a.Log
}

// certificateDER is the DER of the PEM certificate API Gateway's mutual TLS passes on.
func certificateDER(certPEM string) ([]byte, error) {
	if certPEM == "" {
		return nil, ErrCertificateMissing
	}
	block, _ := pem.Decode([]byte(certPEM))
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, ErrCertificateInvalid
	}
	return block.Bytes, nil
}

// Fingerprint is the lower-case hex SHA-256 of the DER certificate in certPEM, the form
// the portal stores attached certificates under.
func Fingerprint(certPEM string) (string, error) {
	der, err := certificateDER(certPEM)
	if err != nil {
		return "", err
	}
	return fingerprintOf(der)
}

// fingerprintOf is the fingerprint of a DER certificate, or ErrCertificateInvalid.
func fingerprintOf(der []byte) (string, error) {
	if _, err := x509.ParseCertificate(der); err != nil {
		return "", ErrCertificateInvalid
	}
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:]), nil
}

// ParseEnvironment checks the value of EnvironmentVariable.
func ParseEnvironment(v string) (lookup.Environment, error) {
	switch env := lookup.Environment(v); env {
	case lookup.Sandbox, lookup.Production:
		return env, nil
	}
	return "", fmt.Errorf("%s=%q: must be %s or %s", EnvironmentVariable, v, lookup.Sandbox, lookup.Production)
}

func secondsDuration(s int) time.Duration { return time.Duration(s) * time.Second }
