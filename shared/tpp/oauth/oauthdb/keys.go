package oauthdb

import (
	"github.com/ory/fosite"

	"github.com/bank/devportal/shared/tpp/oauth"
)

// The only place that builds the keys of the authorization server's items.

// Sort-key prefixes of a grant's tokens.
const (
	accessPrefix  = "AT#"
	refreshPrefix = "RT#"
)

func codeKey(signature string) (string, string) { return "OAUTH#CODE#" + signature, "CODE" }

func pkceKey(signature string) (string, string) { return "OAUTH#PKCE#" + signature, "PKCE" }

func parKey(requestURI string) (string, string) { return "OAUTH#PAR#" + requestURI, "PAR" }

func pendingKey(id string) (string, string) { return "OAUTH#PENDING#" + id, "PENDING" }

func grantPK(requestID string) string { return "OAUTH#GRANT#" + requestID }

// tokenKey is a token's key from its storage signature ("<grant>~<hmac signature>").
func tokenKey(signature, prefix string) (string, string, error) {
	grant, sig, ok := oauth.SplitSignature(signature)
	if !ok {
		return "", "", fosite.ErrNotFound
	}
	return grantPK(grant), prefix + sig, nil
}
