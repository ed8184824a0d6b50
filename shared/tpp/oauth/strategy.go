package oauth

import (
	"context"
	"strings"

	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/oauth2"
)

// grantSeparator joins a token to the ID of the grant (fosite's request ID, kept across
// refreshes) it belongs to. A UUID holds no "~", nor does an HMAC token.
const grantSeparator = "~"

// grantTokens are fosite's opaque HMAC tokens with the grant's ID appended: the token
// "<hmac token>~<grant>" has the storage signature "<grant>~<hmac signature>", so the
// store keeps a grant's tokens together and revokes them all with one strongly
// consistent query. Changing the grant part of a token finds no token: the HMAC
// signature is stored under its own grant only.
type grantTokens struct {
	oauth2.CoreStrategy
}

// SplitSignature is the grant ID and HMAC signature of a token's storage signature.
func SplitSignature(signature string) (grant, hmacSignature string, ok bool) {
	grant, hmacSignature, ok = strings.Cut(signature, grantSeparator)
	return grant, hmacSignature, ok && grant != "" && hmacSignature != ""
}

func splitToken(token string) (hmacToken, grant string) {
	i := strings.LastIndex(token, grantSeparator)
	if i < 0 {
		return token, ""
	}
	return token[:i], token[i+1:]
}

func joinSignature(grant, hmacSignature string) string {
	if grant == "" || hmacSignature == "" {
		return ""
	}
	return grant + grantSeparator + hmacSignature
}

func (g grantTokens) GenerateAccessToken(ctx context.Context, r fosite.Requester) (string, string, error) {
	token, sig, err := g.CoreStrategy.GenerateAccessToken(ctx, r)
	return token + grantSeparator + r.GetID(), joinSignature(r.GetID(), sig), err
}

func (g grantTokens) AccessTokenSignature(ctx context.Context, token string) string {
	t, grant := splitToken(token)
	return joinSignature(grant, g.CoreStrategy.AccessTokenSignature(ctx, t))
}

func (g grantTokens) ValidateAccessToken(ctx context.Context, r fosite.Requester, token string) error {
	t, _ := splitToken(token)
	return g.CoreStrategy.ValidateAccessToken(ctx, r, t)
}

func (g grantTokens) GenerateRefreshToken(ctx context.Context, r fosite.Requester) (string, string, error) {
	token, sig, err := g.CoreStrategy.GenerateRefreshToken(ctx, r)
	return token + grantSeparator + r.GetID(), joinSignature(r.GetID(), sig), err
}

func (g grantTokens) RefreshTokenSignature(ctx context.Context, token string) string {
	t, grant := splitToken(token)
	return joinSignature(grant, g.CoreStrategy.RefreshTokenSignature(ctx, t))
}

func (g grantTokens) ValidateRefreshToken(ctx context.Context, r fosite.Requester, token string) error {
	t, _ := splitToken(token)
	return g.CoreStrategy.ValidateRefreshToken(ctx, r, t)
}

// ResourceKinds are the Berlin Group OAuth SCA scopes that name a resource:
// "AIS:<consentId>", "PIS:<paymentId>", "PIIS:<consentId>", "SBS:<basketId>".
var ResourceKinds = []string{"AIS", "PIS", "PIIS", "SBS"}

// kindScopes are the client scopes that allow a resource kind other than the kind itself:
// signing baskets are a service of the payment initiation product, whose scope is PIS.
var kindScopes = map[string]string{"SBS": "PIS"}

// ResourceScope splits a scope that names a resource into its kind and ID.
func ResourceScope(scope string) (kind, id string, ok bool) {
	kind, id, ok = strings.Cut(scope, ":")
	if !ok || id == "" {
		return "", "", false
	}
	for _, k := range ResourceKinds {
		if k == kind {
			return kind, id, true
		}
	}
	return "", "", false
}

// matchScope is the scope strategy: a scope is allowed when the client holds it, and a
// resource scope ("AIS:<id>") when the client holds its kind ("AIS"), or the product
// scope of its kind ("PIS" for "SBS:<id>").
func matchScope(haystack []string, needle string) bool {
	if kind, _, ok := ResourceScope(needle); ok {
		needle = kind
		if product, ok := kindScopes[kind]; ok {
			needle = product
		}
	}
	for _, s := range haystack {
		if s == needle {
			return true
		}
	}
	return false
}
