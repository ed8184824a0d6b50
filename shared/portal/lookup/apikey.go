package lookup

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// An app's API key is "<organization ID>.<app ID>.<secret>". The IDs in front are not
// secret; they let the caller check fetch the organization, the app and the presented
// certificate in one read, before it knows anything else. Only the hash of the whole key
// is stored, on the app item (AttrAPIKeys).
const apiKeySeparator = "."

// APIKeyHeader is the request header a TPP call carries its app's API key in.
const APIKeyHeader = "apiKey"

// AttrAPIKeys is the app item's attribute holding its API keys' hashes ([]APIKeyHash).
const AttrAPIKeys = "apiKeys"

// APIKeyHash is one of an app's API keys as stored: its hash and its lifetime. After a
// rotation the previous key keeps working until its ExpiresAt (the grace period); the
// current key has no ExpiresAt.
type APIKeyHash struct {
	// Hash is HashAPIKey of the key.
	Hash      string     `json:"-" dynamodbav:"hash"`
	CreatedAt time.Time  `json:"createdAt" dynamodbav:"createdAt"`
	ExpiresAt *time.Time `json:"expiresAt,omitempty" dynamodbav:"expiresAt,omitempty"`
}

// ValidAt says whether the key may be used at t.
func (k APIKeyHash) ValidAt(t time.Time) bool { return k.ExpiresAt == nil || t.Before(*k.ExpiresAt) }

// NewAPIKey is the API key of app appID of organization orgID with the given secret (a
// random, URL-safe string without dots).
func NewAPIKey(orgID, appID, secret string) string {
	return orgID + apiKeySeparator + appID + apiKeySeparator + secret
}

// ParseAPIKey splits an API key into the organization and app it names; ok is false for
// anything not shaped like one.
func ParseAPIKey(key string) (orgID, appID string, ok bool) {
	parts := strings.Split(key, apiKeySeparator)
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || len(parts[2]) < 20 {
		return "", "", false
	}
	return parts[0], parts[1], true
}

// HashAPIKey is the stored form of an API key: lower-case hex SHA-256. The key carries
// 256 random bits, so a fast hash is enough: there is nothing to guess.
func HashAPIKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// UsageKey is the value of the API Gateway API key that meters one app's use of one
// product: the authorizer names it as the call's usageIdentifierKey, and the usage plan of
// the product's plan holds it. It is derived, not stored, and never sent by a TPP (the
// TPP API takes API keys from the authorizer only), so it need not be secret.
func UsageKey(orgID, appID, productID string) string {
	return "usage." + orgID + apiKeySeparator + appID + apiKeySeparator + productID
}

// AttrRevokedAt is the organization certificate item's attribute that marks a certificate
// revoked (RFC 3339): the TPP API refuses it with CERTIFICATE_REVOKED from the next call.
const AttrRevokedAt = "revokedAt"

// RefusalUsageKey is the API Gateway API key of the usage plan that lets refused calls
// through to the integration, which answers them with their Berlin Group error.
func RefusalUsageKey(env Environment) string { return "usage.refusals." + string(env) }
