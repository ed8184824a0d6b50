package sandboxca

import (
	"crypto/rand"
	"crypto/x509"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"time"

	"github.com/bank/devportal/shared/trust/revocation"
)

// CRLValidity is how long a published CRL stays current: its nextUpdate is this long
// after its thisUpdate. The daily revocation job republishes it, so a CRL never goes
// stale while the job runs; every revocation publishes a new one at once.
const CRLValidity = 7 * 24 * time.Hour

// Revocation reasons (RFC 5280 CRLReason) a revocation through the portal may give.
const (
	ReasonUnspecified          = 0
	ReasonKeyCompromise        = 1
	ReasonAffiliationChanged   = 3
	ReasonSuperseded           = 4
	ReasonCessationOfOperation = 5
)

// ReasonName is the RFC 5280 name of a CRLReason code ("keyCompromise"), or "reason N".
func ReasonName(code int) string { return revocation.ReasonName(code) }

// ReasonCode is the CRLReason code of an RFC 5280 name, and whether the name is one.
func ReasonCode(name string) (int, bool) { return revocation.ReasonCode(name) }

// Revoked is one certificate the CA revoked: an entry of its CRL.
type Revoked struct {
	// Serial is the certificate's serial number.
	Serial *big.Int
	// At is when it was revoked.
	At time.Time
	// Reason is its RFC 5280 CRLReason code (ReasonKeyCompromise, ...).
	Reason int
}

// CRLRequest is what a CRL says besides the CA that signs it.
type CRLRequest struct {
	// Number is the CRL number: it must grow with every CRL the CA publishes.
	Number *big.Int
	// ThisUpdate is when the CRL was made; NextUpdate when the next one is due (zero:
	// ThisUpdate plus CRLValidity).
	ThisUpdate, NextUpdate time.Time
	// Revoked are the revoked certificates, in any order.
	Revoked []Revoked
}

// CRL makes the CA's X.509 v2 certificate revocation list, DER-encoded and signed by the
// CA, listing every revoked certificate (by serial number, ascending) with its revocation
// time and reason.
func (ca *CA) CRL(req CRLRequest) ([]byte, error) {
	if req.Number == nil || req.Number.Sign() <= 0 {
		return nil, errors.New("sandboxca: a CRL needs a positive CRL number")
	}
	if req.ThisUpdate.IsZero() {
		return nil, errors.New("sandboxca: a CRL needs its thisUpdate time")
	}
	next := req.NextUpdate
	if next.IsZero() {
		next = req.ThisUpdate.Add(CRLValidity)
	}
	entries := make([]x509.RevocationListEntry, 0, len(req.Revoked))
	for _, r := range req.Revoked {
		if r.Serial == nil {
			return nil, errors.New("sandboxca: a revoked certificate without a serial number")
		}
		entries = append(entries, x509.RevocationListEntry{SerialNumber: r.Serial, RevocationTime: r.At.UTC(), ReasonCode: r.Reason})
	}
	slices.SortFunc(entries, func(a, b x509.RevocationListEntry) int { return a.SerialNumber.Cmp(b.SerialNumber) })
	der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number:                    req.Number,
		ThisUpdate:                req.ThisUpdate.UTC(),
		NextUpdate:                next.UTC(),
		RevokedCertificateEntries: entries,
	}, ca.Cert, ca.Key)
	if err != nil {
		return nil, fmt.Errorf("sandboxca: sign the CRL: %w", err)
	}
	return der, nil
}

// IssuedBy says whether the CA signed cert.
func (ca *CA) IssuedBy(cert *x509.Certificate) bool {
	return cert != nil && cert.CheckSignatureFrom(ca.Cert) == nil
}
