package oauth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net/url"
	"slices"
	"strings"

	"github.com/ory/fosite"

	"github.com/bank/devportal/shared/portal/lookup"
)

// Client is an app's credential as the authorization server reads it: the portal's copy
// of the credential found by client ID (lookup.ClientKey), with the app's access. The
// dynamodbav names are the portal store's; the JSON form is the snapshot kept with codes
// and tokens, so that a token request reads no more than the client once.
type Client struct {
	ClientID string `json:"clientId" dynamodbav:"clientId"`
	AppID    string `json:"appId" dynamodbav:"appId"`
	OrgID    string `json:"orgId" dynamodbav:"orgId"`
	// SecretHash is lower-case hex SHA-256 of the secret, as the portal stores it; empty
	// for a credential whose secret was never issued.
	SecretHash string `json:"-" dynamodbav:"secretHash"`
	Access     Access `json:"access" dynamodbav:"access"`
	// loopback is a redirect URI of this authorization request that a sandbox app may use
	// because it differs from a registered http://localhost one only by its port.
	loopback string
}

// Access is the app's access as the credential's copy holds it.
type Access struct {
	AppName      string             `json:"appName" dynamodbav:"appName"`
	Environment  lookup.Environment `json:"environment" dynamodbav:"environment"`
	RedirectURIs []string           `json:"redirectUris" dynamodbav:"redirectUris"`
	Fingerprints []string           `json:"fingerprints" dynamodbav:"fingerprints"`
	// Products maps each active subscription's product ID to its plan.
	Products map[string]string `json:"products" dynamodbav:"products"`
	// FAPI apps must push their authorization requests (PAR) first: the app's team
	// switches it in the portal (apps.Service.SetOAuthSettings).
	FAPI bool `json:"fapi,omitempty" dynamodbav:"fapi,omitempty"`
}

var _ fosite.Client = (*Client)(nil)

// GetID is the client ID.
func (c *Client) GetID() string { return c.ClientID }

// GetHashedSecret is the stored hash of the secret (see SecretHasher).
func (c *Client) GetHashedSecret() []byte { return []byte(c.SecretHash) }

// GetRedirectURIs are the app's registered redirect URIs; fosite matches a requested one
// exactly, or a loopback IP literal with any port (RFC 8252).
func (c *Client) GetRedirectURIs() []string {
	if c.loopback != "" {
		return append(slices.Clone(c.Access.RedirectURIs), c.loopback)
	}
	return c.Access.RedirectURIs
}

// GetGrantTypes are the grants every app may use.
func (c *Client) GetGrantTypes() fosite.Arguments {
	return fosite.Arguments{"authorization_code", "refresh_token", "client_credentials"}
}

// GetResponseTypes: the authorization code flow only.
func (c *Client) GetResponseTypes() fosite.Arguments { return fosite.Arguments{"code"} }

// GetScopes are the catalog scopes of the app's active subscriptions.
func (c *Client) GetScopes() fosite.Arguments {
	var scopes fosite.Arguments
	for _, p := range lookup.Catalog {
		if _, ok := c.Access.Products[p.ID]; ok {
			scopes = append(scopes, p.Scopes...)
		}
	}
	return scopes
}

// IsPublic: every app is a confidential client.
func (c *Client) IsPublic() bool { return false }

// GetAudience: tokens name no audience.
func (c *Client) GetAudience() fosite.Arguments { return nil }

// HasFingerprint says whether the certificate (lower-case hex SHA-256 of the DER) is
// attached to the client's app.
func (c *Client) HasFingerprint(fingerprint string) bool {
	return slices.Contains(c.Access.Fingerprints, fingerprint)
}

// sandboxLoopback is requested when it is a port variant of a registered
// http://localhost redirect URI of a sandbox app, else "". (fosite itself lets 127.0.0.1
// and [::1] take any port, RFC 8252 section 7.3.)
func (c *Client) sandboxLoopback(requested string) string {
	if c.Access.Environment != lookup.Sandbox || requested == "" {
		return ""
	}
	req, err := url.Parse(requested)
	if err != nil || req.Scheme != "http" || req.Hostname() != "localhost" {
		return ""
	}
	for _, registered := range c.Access.RedirectURIs {
		reg, err := url.Parse(registered)
		if err == nil && reg.Scheme == "http" && reg.Hostname() == "localhost" && reg.Path == req.Path && reg.RawQuery == req.RawQuery {
			return requested
		}
	}
	return ""
}

// SecretHasher verifies client secrets the way the portal stores them: lower-case hex
// SHA-256 of the trimmed secret (a secret carries enough random bits that a fast hash
// leaves nothing to guess), compared in constant time.
type SecretHasher struct{}

var _ fosite.Hasher = SecretHasher{}

// ErrWrongSecret is a secret that does not match the stored hash.
var ErrWrongSecret = errors.New("the client secret does not match")

// Compare says whether data is the secret whose hash is hash.
func (SecretHasher) Compare(_ context.Context, hash, data []byte) error {
	got, _ := SecretHasher{}.Hash(context.Background(), data)
	if len(hash) == 0 || subtle.ConstantTimeCompare(got, hash) != 1 {
		return ErrWrongSecret
	}
	return nil
}

// Hash is the stored form of a secret.
func (SecretHasher) Hash(_ context.Context, data []byte) ([]byte, error) {
	sum := sha256.Sum256([]byte(strings.TrimSpace(string(data))))
	return []byte(hex.EncodeToString(sum[:])), nil
}
