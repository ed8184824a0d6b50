package consents

import (
	"net/http"
	"slices"

	"github.com/bank/devportal/shared/tpp/bgerror"
)

// Authorisation is how the customer authorised a consent (of account information or of
// confirmation of funds), which decides what the TPP's reads under it present.
type Authorisation string

// The ways a consent is authorised. A consent stored before its authorisation was
// recorded has none, and is read as ByOAuth was: with its token.
const (
	// ByOAuth is the authorization server's code flow with the consent's scope
	// (AIS:<consentId>, PIIS:<consentId>): the access token it gave names the consent, and
	// every read presents it.
	ByOAuth Authorisation = "oauth"
	// ByBank is an authorisation at the bank's own interface: one of the consent's
	// authorisations in the redirect (scaRedirect), decoupled or embedded approach, or a
	// signing basket the consent is in, however the basket was authorised. No token names
	// the consent, so its reads present the Consent-ID and the certificate alone, as the
	// Berlin Group has it: Authorization is sent "only if an OAuth2 based authentication
	// was performed in a pre-step or an OAuth2 based SCA was performed in a preceding AIS
	// service". A basket's token (scope SBS:<basketId>) is not that: it comes from a
	// signing-basket service and names the basket, not the consents in it.
	ByBank Authorisation = "bank"
)

// Token is the access token a read presents, as the caller check verified it (bound to the
// certificate, issued to the app): the scopes it was issued for.
type Token struct {
	Scopes []string
}

// The refusals of a read's token.
var (
	// ErrTokenRequired answers a read without a token under a consent whose customer
	// authorised it through OAuth2: its token is the customer's authorisation.
	ErrTokenRequired = bgerror.New(http.StatusUnauthorized, "TOKEN_INVALID",
		"This consent was authorised through OAuth2: send the access token of that authorisation in the Authorization header (Bearer) with the Consent-ID.")
	// ErrTokenScope answers a read whose token was issued for something else.
	ErrTokenScope = bgerror.New(http.StatusUnauthorized, "TOKEN_INVALID",
		"The access token was not issued for this consent: use the token the customer's OAuth2 authorisation of the Consent-ID gave, or none for a consent authorised at the bank.")
)

// CheckToken holds a read under a consent to the rule of its authorisation: a token
// presented (nil: none) must have been issued for scope, the consent's, however the
// consent was authorised; a read without one is allowed only under a consent authorised
// at the bank (ByBank). Of a consent nobody approved (approved false) a read without a
// token passes, for the consent's status to refuse it: it is not known yet how it will be
// authorised.
func CheckToken(by Authorisation, approved bool, scope string, token *Token) error {
	switch {
	case token != nil:
		if !slices.Contains(token.Scopes, scope) {
			return ErrTokenScope
		}
	case approved && by != ByBank:
		return ErrTokenRequired
	}
	return nil
}
