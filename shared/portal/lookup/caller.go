package lookup

import (
	"slices"
	"time"

	"github.com/bank/devportal/shared/platform/prefetch"
)

// OrgKey is the key of an organization item.
func OrgKey(orgID string) Key { return Key{"ORG#" + orgID, "ORG"} }

// AppKey is the key of an app item, stored under its organization.
func AppKey(orgID, appID string) Key { return Key{"ORG#" + orgID, "APP#" + appID} }

// OrgCertificateKey is the key of a certificate uploaded to an organization.
func OrgCertificateKey(orgID, fingerprint string) Key {
	return Key{"ORG#" + orgID, "CERT#" + fingerprint}
}

// CallerItems is what the TPP API's caller check reads about a call, in one request:
// the presented certificate's fingerprint lookup, and the organization, app and
// certificate items themselves (not copies), so that an organization offboarded or a
// certificate removed or revoked is refused even if a cleanup of the copies failed. A nil
// field is an item that does not exist.
type CallerItems struct {
	Owner       *CertificateOwner
	Org         *OrgState
	App         *AppState
	Certificate *CertificateState
	// Ahead are the other items the read was asked for, read ahead for the call's handler.
	Ahead *prefetch.Items
}

// OrgStatusActive is the status of an organization whose apps may call.
const OrgStatusActive = "ACTIVE"

// OrgState is what the caller check needs of an organization item.
type OrgState struct {
	ID          string      `dynamodbav:"id"`
	Environment Environment `dynamodbav:"environment"`
	Status      string      `dynamodbav:"status"`
	// Services are the PSD2 services its QWAC's roles allow: AIS, PIS, PIIS.
	Services []string `dynamodbav:"services"`
}

// AppState is what the caller check needs of an app item.
type AppState struct {
	ID           string      `dynamodbav:"id"`
	OrgID        string      `dynamodbav:"orgId"`
	Environment  Environment `dynamodbav:"environment"`
	Fingerprints []string    `dynamodbav:"fingerprints,stringset,omitempty"`
	// Products maps each active subscription's product ID to its plan ID.
	Products map[string]string `dynamodbav:"products"`
	APIKeys  []APIKeyHash      `dynamodbav:"apiKeys"`
	// RedirectURIs are the app's registered OAuth redirect URIs, whose hosts are the
	// domains the TPP API sends the app's status notifications to.
	RedirectURIs []string `dynamodbav:"redirectUris,stringset,omitempty"`
}

// HasFingerprint says whether the app presents the certificate.
func (a AppState) HasFingerprint(fingerprint string) bool {
	return slices.Contains(a.Fingerprints, fingerprint)
}

// AcceptsKey says whether hash is the hash of one of the app's API keys valid at t.
func (a AppState) AcceptsKey(hash string, t time.Time) bool {
	return slices.ContainsFunc(a.APIKeys, func(k APIKeyHash) bool { return k.Hash == hash && k.ValidAt(t) })
}

// CertificateState is what the caller check needs of an organization's certificate item.
type CertificateState struct {
	Fingerprint string `dynamodbav:"fingerprint"`
	AppID       string `dynamodbav:"appId,omitempty"`
	// Possession is present once the organization proved it holds the private key.
	Possession *struct {
		Method string    `dynamodbav:"method"`
		At     time.Time `dynamodbav:"at"`
	} `dynamodbav:"possession,omitempty"`
	RevokedAt *time.Time `dynamodbav:"revokedAt,omitempty"`
}

// Proven says whether possession of the certificate's key is proven.
func (c CertificateState) Proven() bool { return c.Possession != nil }
