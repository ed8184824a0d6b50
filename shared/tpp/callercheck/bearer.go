package callercheck

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"

	"github.com/bank/devportal/shared/platform/prefetch"
)

// Token is what a bearer access token grants, as the authorization server issued it.
type Token struct {
	ClientID string
	AppID    string
	// Subject is the customer who approved the grant, or the client for client
	// credentials.
	Subject   string
	Scopes    []string
	Resources []string
	// Thumbprint is the x5t#S256 of the certificate the token is bound to (RFC 8705).
	Thumbprint string
	ExpiresAt  time.Time
}

// Tokens verifies bearer access tokens: it answers ErrTokenInvalid for a token it did not
// issue or that was revoked, ErrTokenExpired for one past its lifetime, and any other
// error for a failed read.
type Tokens interface {
	AccessToken(ctx context.Context, token string) (Token, error)
	// AccessTokenKey is the item AccessToken reads for token, which the check reads
	// ahead with the caller's items; ok is false for a token no item can hold.
	AccessTokenKey(token string) (key prefetch.Key, ok bool)
}

// Bearer is what the check of the calls that take a bearer token adds to the caller
// lookups: the token verifier, and where the consent a call names is kept, so that the
// check reads it ahead for the handler (Authorizer.ConsentKey).
type Bearer struct {
	Tokens     Tokens
	ConsentKey func(consentID string) prefetch.Key
}

// The refusals of the bearer token step.
var (
	ErrTokenMissing = &Refusal{Status: 401, Code: "TOKEN_INVALID",
		Text: "Send the access token of this resource in the Authorization header (Bearer).", reason: "no bearer token"}
	ErrTokenInvalid = &Refusal{Status: 401, Code: "TOKEN_INVALID",
		Text: "The access token is not valid: it was revoked, or never issued.", reason: "the bearer token is unknown or revoked"}
	ErrTokenExpired = &Refusal{Status: 401, Code: "TOKEN_EXPIRED",
		Text: "The access token has expired: refresh it.", reason: "the bearer token expired"}
	// ErrTokenOtherCertificate is a token presented with a certificate other than the one
	// it was issued to: a stolen token opens nothing.
	ErrTokenOtherCertificate = &Refusal{Status: 401, Code: "TOKEN_INVALID",
		Text: "The access token is not valid with this client certificate.", reason: "the bearer token is bound to another certificate"}
	ErrTokenOtherApp = &Refusal{Status: 401, Code: "TOKEN_INVALID",
		Text: "The access token was issued to another app.", reason: "the bearer token is another app's"}
)

// BearerToken is the token of an Authorization header "Bearer <token>", "" for none.
func BearerToken(authorization string) string {
	scheme, token, ok := strings.Cut(strings.TrimSpace(authorization), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// Thumbprint is the x5t#S256 of a certificate (base64url SHA-256 of the DER) from its
// fingerprint (lower-case hex of the same hash), "" for anything else.
func Thumbprint(fingerprint string) string {
	sum, err := hex.DecodeString(fingerprint)
	if err != nil || len(sum) != sha256.Size {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString(sum)
}

// checkToken verifies the call's bearer token for the caller: issued to its app, bound to
// the certificate it presents, neither expired nor revoked.
func (a *Authorizer) checkToken(ctx context.Context, call Call, caller Caller) (*Token, error) {
	bearer := BearerToken(call.Authorization)
	if bearer == "" {
		return nil, ErrTokenMissing
	}
	if a.Tokens == nil {
		return nil, errTokensUnavailable
	}
	t, err := a.Tokens.AccessToken(ctx, bearer)
	if err != nil {
		return nil, err
	}
	switch {
	case t.Thumbprint == "" || t.Thumbprint != Thumbprint(caller.Fingerprint):
		return nil, ErrTokenOtherCertificate
	case t.AppID != caller.AppID:
		return nil, ErrTokenOtherApp
	}
	return &t, nil
}
