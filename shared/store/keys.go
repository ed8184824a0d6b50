// Package store is the DynamoDB implementation of the portal's storage interfaces.
//
// The portal table is a single table: every item has PK and SK, and the profile items are
// also listed under GSI1. keys.go is the only file that builds key strings.
package store

import "strings"

// Attribute and index names of the portal table, shared with resources and CDK.
const (
	AttrPK     = "PK"
	AttrSK     = "SK"
	AttrGSI1PK = "GSI1PK"
	AttrGSI1SK = "GSI1SK"
	// AttrTTL holds an epoch-seconds expiry DynamoDB's TTL deletes after.
	AttrTTL   = "ttl"
	IndexGSI1 = "GSI1"
)

const (
	skProfile  = "PROFILE"
	skEmail    = "EMAIL"
	skLink     = "LINK"
	skSession  = "SESSION"
	skPwdHist  = "PASSWORD_HISTORY"
	gsiProfile = "PROFILES"
)

// Key is an item's primary key.
type Key struct {
	PK string `dynamodbav:"PK"`
	SK string `dynamodbav:"SK"`
}

// UserKey is the key of a user's profile.
func UserKey(userID string) Key { return Key{"USER#" + userID, skProfile} }

// PasswordHistoryKey is the key of a user's password history.
func PasswordHistoryKey(userID string) Key { return Key{"USER#" + userID, skPwdHist} }

// EmailKey is the key of the item that reserves an email address for one user.
func EmailKey(email string) Key { return Key{"EMAIL#" + NormalizeEmail(email), skEmail} }

// LinkKey is the key of an emailed link, by the SHA-256 of its token.
func LinkKey(tokenHash string) Key { return Key{"LINK#" + tokenHash, skLink} }

// SessionKey is the key of a session, by the SHA-256 of its cookie value.
func SessionKey(idHash string) Key { return Key{"SESSION#" + idHash, skSession} }

// profileGSI returns the GSI1 keys that list every profile, ordered by user ID.
func profileGSI(userID string) (string, string) { return gsiProfile, "USER#" + userID }

// NormalizeEmail is the form emails are compared and stored in.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }
