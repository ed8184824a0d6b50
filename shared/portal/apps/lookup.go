package apps

import (
	"context"
	"crypto/subtle"
	"errors"
	"strings"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/portal/org"
)

// Client is a credential found by client ID together with its app's access: who is
// calling, in which environment, with which products, certificates and redirect URIs.
type Client struct {
	Credential
	Access Access `json:"access" dynamodbav:"access"`
}

// ErrUnknownClient is what the TPP API answers for a wrong client ID or secret: the two
// are not told apart.
var ErrUnknownClient = apperr.New(apperr.Unauthorized, "UNKNOWN_CLIENT", "The client ID or the client secret is wrong.")

// LookupClient finds a client ID's credential and access in one read (TPP API).
func (s *Service) LookupClient(ctx context.Context, clientID string) (Client, error) {
	c, err := s.store.Client(ctx, clientID)
	if errors.Is(err, apperr.ErrNotFound) {
		return Client{}, ErrUnknownClient
	}
	return c, err
}

// Authenticate checks a client ID and secret (client credentials, token endpoint) in one
// read and a constant-time comparison. A credential whose secret was never generated
// cannot authenticate.
func (s *Service) Authenticate(ctx context.Context, clientID, secret string) (Client, error) {
	c, err := s.LookupClient(ctx, clientID)
	if err != nil {
		return Client{}, err
	}
	if c.SecretHash == "" || subtle.ConstantTimeCompare([]byte(hashSecret(strings.TrimSpace(secret))), []byte(c.SecretHash)) != 1 {
		return Client{}, ErrUnknownClient
	}
	return c, nil
}

// CertificateOwner finds the app a presented mTLS certificate belongs to in one read.
func (s *Service) CertificateOwner(ctx context.Context, fingerprint string) (FingerprintOwner, error) {
	return s.certs.Fingerprint(ctx, strings.ToLower(fingerprint))
}

// ErrNotReady is returned for a production app that lacks what production requires.
var ErrNotReady = apperr.New(apperr.Forbidden, "APP_NOT_READY", "This production app cannot be used yet: register a redirect URI and an mTLS certificate for it in the portal.")

// Ready says whether an app may be used: a production app needs at least one redirect URI
// and one certificate (seed 001); the sandbox does not check.
func (a Access) Ready() error {
	if a.Environment == org.Production && (len(a.RedirectURIs) == 0 || len(a.Fingerprints) == 0) {
		return ErrNotReady
	}
	return nil
}
