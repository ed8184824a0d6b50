// Package lookup is the portal's one-read answers for the TPP API: from a presented
// certificate's fingerprint to its app (and, as the TPP API grows, from a client ID to
// the app's access). It is the only portal package the TPP area imports, so it depends on
// nothing of the portal but the item shapes the portal's store writes. The reader on
// DynamoDB is lookupdb, so that the portal's domains, which name these types, do not link
// the DynamoDB client.
package lookup

import "github.com/bank/devportal/shared/platform/apperr"

// Environment is where an organization's apps run.
type Environment string

// Environments.
const (
	Sandbox    Environment = "sandbox"
	Production Environment = "production"
)

// CertificateOwner is the app a certificate fingerprint belongs to.
type CertificateOwner struct {
	Fingerprint string      `json:"sha256Fingerprint" dynamodbav:"fingerprint"`
	OrgID       string      `json:"organizationId" dynamodbav:"orgId"`
	AppID       string      `json:"appId" dynamodbav:"appId"`
	Environment Environment `json:"environment" dynamodbav:"environment"`
}

// Key is an item's primary key in the portal table.
type Key struct {
	PK string `dynamodbav:"PK"`
	SK string `dynamodbav:"SK"`
}

// FingerprintKey is the item that names the app a presented certificate belongs to.
func FingerprintKey(fingerprint string) Key { return Key{"FPR#" + fingerprint, "FPR"} }

// ClientKey is the copy of a credential, with its app's access, found by client ID.
func ClientKey(clientID string) Key { return Key{"CLIENT#" + clientID, "CLIENT"} }

// ErrUnknownCertificate is the answer for a certificate no app presents.
var ErrUnknownCertificate = apperr.New(apperr.NotFound, "NOT_FOUND", "There is no such certificate.")

// ErrUnknownOrganization is the answer for an organization ID no organization has.
var ErrUnknownOrganization = apperr.New(apperr.NotFound, "NOT_FOUND", "There is no such organization.")

// ErrUnknownApp is the answer for an app ID no app of the organization has (any more).
var ErrUnknownApp = apperr.New(apperr.NotFound, "NOT_FOUND", "There is no such app.")
