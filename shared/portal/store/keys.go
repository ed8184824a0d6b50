// Package store is the DynamoDB implementation of the portal's storage interfaces.
//
// The portal table is a single table: every item has PK and SK, and the profile items are
// also listed under GSI1. keys.go is the only file that builds key strings.
package store

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/bank/devportal/shared/platform/validation"
	"github.com/bank/devportal/shared/portal/lookup"
)

// Attribute and index names of the portal table, shared with resources and CDK.
const (
	AttrPK     = "PK"
	AttrSK     = "SK"
	AttrGSI1PK = "GSI1PK"
	AttrGSI1SK = "GSI1SK"
	// AttrTTL holds an epoch-seconds expiry DynamoDB's TTL deletes after.
	AttrTTL    = "ttl"
	IndexGSI1  = "GSI1"
	AttrGSI2PK = "GSI2PK"
	AttrGSI2SK = "GSI2SK"
	IndexGSI2  = "GSI2"
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
func EmailKey(email string) Key { return Key{"EMAIL#" + validation.NormalizeEmail(email), skEmail} }

// LinkKey is the key of an emailed link, by the SHA-256 of its token.
func LinkKey(tokenHash string) Key { return Key{"LINK#" + tokenHash, skLink} }

// MailPauseKey is the key of the pause between two mails of kind to an address, by the
// SHA-256 of the address: it is kept for addresses that have no account too, whose owners
// never gave them to the portal.
func MailPauseKey(email, kind string) Key {
	sum := sha256.Sum256([]byte(validation.NormalizeEmail(email)))
	return Key{"MAILPAUSE#" + hex.EncodeToString(sum[:]), "KIND#" + kind}
}

// AttemptsKey is the key of the attempts of key (a rule and what it counts by, hashed so
// that no address or email sits in a key) in the window starting at start.
func AttemptsKey(key string, start time.Time) Key {
	sum := sha256.Sum256([]byte(key))
	return Key{"ATTEMPTS#" + hex.EncodeToString(sum[:]), "WINDOW#" + strconv.FormatInt(start.Unix(), 10)}
}

// SessionKey is the key of a session, by the SHA-256 of its cookie value.
func SessionKey(idHash string) Key { return Key{"SESSION#" + idHash, skSession} }

// sessionsOf is GSI1's partition of one user's sessions.
func sessionsOf(userID string) string { return "SESSIONS#" + userID }

// RequestKey is the key of an approval request.
func RequestKey(id string) Key { return Key{"REQUEST#" + id, "REQUEST"} }

// requestsByStatus is GSI1's partition of the requests in one status (the operations inbox).
func requestsByStatus(status string) string { return "REQUESTS#" + status }

// requestsOfOrg is GSI2's partition of one organization's requests.
func requestsOfOrg(orgID string) string { return "ORG#" + orgID + "#REQUESTS" }

// OrgKey is the key of an organization.
func OrgKey(id string) Key { return Key(lookup.OrgKey(id)) }

// MemberKey is the key of a membership, stored under its organization.
func MemberKey(orgID, userID string) Key { return Key{"ORG#" + orgID, "MEMBER#" + userID} }

// memberPrefix is the sort-key prefix of an organization's members.
const memberPrefix = "MEMBER#"

// membershipsOf is GSI1's partition of one user's memberships.
func membershipsOf(userID string) string { return "MEMBER#" + userID }

// PendingKey marks a request of one kind waiting for an organization (one at a time).
func PendingKey(orgID, kind string) Key { return Key{"ORG#" + orgID, "PENDING#" + kind} }

// OrgCodeKey is the key of the item reserving an organization code.
func OrgCodeKey(code string) Key { return Key{"ORGCODE#" + code, "ORGCODE"} }

// RemovedKey marks a user removed from an organization: the code no longer lets them in.
func RemovedKey(orgID, userID string) Key { return Key{"ORG#" + orgID, "REMOVED#" + userID} }

// OrgIdentifierKey reserves an eIDAS organizationIdentifier in one environment, so a TPP
// is onboarded there once.
func OrgIdentifierKey(env, identifier string) Key {
	return Key{"ORGIDENT#" + env + "#" + identifier, "ORGIDENT"}
}

// AppKey is the key of an app, stored under its organization.
func AppKey(orgID, appID string) Key { return Key(lookup.AppKey(orgID, appID)) }

// appPrefix is the sort-key prefix of an organization's apps.
const appPrefix = "APP#"

// CredentialKey is the key of a credential under its organization; credPrefix(appID)
// lists one app's credentials with a consistent query.
func CredentialKey(orgID, appID, clientID string) Key {
	return Key{"ORG#" + orgID, credPrefix(appID) + clientID}
}

func credPrefix(appID string) string { return "CRED#" + appID + "#" }

// SubscriptionKey is the key of an app's subscription to a product, under its organization.
func SubscriptionKey(orgID, appID, productID string) Key {
	return Key{"ORG#" + orgID, subPrefix(appID) + productID}
}

// subPrefix is the sort-key prefix of one app's subscriptions.
func subPrefix(appID string) string { return "SUB#" + appID + "#" }

// OrgCertificateKey is the key of a certificate uploaded to an organization.
func OrgCertificateKey(orgID, fingerprint string) Key {
	return Key(lookup.OrgCertificateKey(orgID, fingerprint))
}

// certPrefix is the sort-key prefix of an organization's certificates.
const certPrefix = "CERT#"

// ChallengeKey is the key of a certificate's current proof-of-possession challenge in an
// organization (one per certificate: a new one replaces it).
func ChallengeKey(orgID, fingerprint string) Key {
	return Key{"ORG#" + orgID, "CHALLENGE#" + fingerprint}
}

// IssuanceKey is the key of the record that the sandbox CA issued a certificate, with its
// private key, to a user.
func IssuanceKey(fingerprint string) Key { return Key{"ISSUED#" + fingerprint, "ISSUED"} }

// SandboxRevocationKey is the key of the sandbox CA's record of a certificate it revoked,
// by its serial number (lowercase hex): the entries of the CA's CRL.
func SandboxRevocationKey(serial string) Key { return Key{sandboxCA, revokedPrefix + serial} }

// CRLNumberKey is the key of the sandbox CA's CRL number, which each CRL moves on.
func CRLNumberKey() Key { return Key{sandboxCA, "CRL"} }

// sandboxCA is the partition of the sandbox CA's records; revokedPrefix the sort-key prefix
// of its revocations.
const (
	sandboxCA     = "CA#SANDBOX"
	revokedPrefix = "REVOKED#"
)

// FingerprintKey (built by the lookup package, which the TPP API reads it with) finds the app a presented certificate belongs to in one read (TPP API).
func FingerprintKey(fingerprint string) Key { return Key(lookup.FingerprintKey(fingerprint)) }

// ClientKey is the copy of a credential found by client ID in one read (the TPP API).
func ClientKey(clientID string) Key { return Key(lookup.ClientKey(clientID)) }

// InviteKey is the key of an invitation, stored under its organization.
func InviteKey(orgID, id string) Key { return Key{"ORG#" + orgID, "INVITE#" + id} }

// invitePrefix is the sort-key prefix of an organization's invitations.
const invitePrefix = "INVITE#"

// InviteTokenKey is the key of the item that finds an invitation by its token's hash.
func InviteTokenKey(hash string) Key { return Key{"INVTOKEN#" + hash, "INVTOKEN"} }

// AuditKey is the key of one audit entry of an organization.
func AuditKey(orgID, at, id string) Key { return Key{"ORG#" + orgID, "AUDIT#" + at + "#" + id} }

// auditPrefix is the sort-key prefix of an organization's audit trail.
const auditPrefix = "AUDIT#"

// allOrgs, allAudit and allCerts are GSI1 partitions listing every organization, audit
// entry and uploaded certificate (the latter by expiry, for the expiry warnings);
// allCleanups lists the offboarding cleanups the workflow could not finish.
const (
	allOrgs     = "ORGS"
	allAudit    = "AUDIT"
	allCerts    = "CERTS"
	allCleanups = "CLEANUPS"
)

// CleanupKey marks an organization's offboarding cleanup as unfinished.
func CleanupKey(orgID string) Key { return Key{"CLEANUP#" + orgID, "CLEANUP"} }

// profileGSI returns the GSI1 keys that list every profile, ordered by user ID.
func profileGSI(userID string) (string, string) { return gsiProfile, "USER#" + userID }

// HealthKey is a key no item has: the health check reads it to prove the table answers
// and the function may read it, with a data-plane call that costs one read.
func HealthKey() Key { return Key{"HEALTH#probe", "HEALTH"} }

// InstallationKey is the key of a registration API installation, by the SHA-256 of its
// token.
func InstallationKey(tokenHash string) Key { return Key{"INSTALLATION#" + tokenHash, "INSTALLATION"} }

// RegistrationKey is the key of a registration API registration.
func RegistrationKey(id string) Key { return Key{"REGISTRATION#" + id, "REGISTRATION"} }

// RegistrationAPIKeyKey finds a registration by the SHA-256 of its API key.
func RegistrationAPIKeyKey(hash string) Key { return Key{"REGAPIKEY#" + hash, "REGAPIKEY"} }

// RegisteredCertificateKey reserves a certificate for the one registration that proved
// it.
func RegisteredCertificateKey(fingerprint string) Key {
	return Key{"REGCERT#" + fingerprint, "REGCERT"}
}

// DeviceKey is the key of a registration's device.
func DeviceKey(registrationID, id string) Key {
	return Key{"REGISTRATION#" + registrationID, devicePrefix + id}
}

const devicePrefix = "DEVICE#"

// RegistrationSessionKey is the key of a registration API session, by the SHA-256 of its
// token.
func RegistrationSessionKey(tokenHash string) Key {
	return Key{"REGSESSION#" + tokenHash, "REGSESSION"}
}

// DynamicClientKey is the key of a client registered dynamically (RFC 7591), by its
// client ID.
func DynamicClientKey(clientID string) Key { return Key{"DCRCLIENT#" + clientID, "DCRCLIENT"} }
