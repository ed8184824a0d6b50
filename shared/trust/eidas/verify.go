package eidas

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"time"
)

// Trust errors.
var (
	// ErrUntrusted is a certificate that does not chain to a trusted CA at the given time.
	ErrUntrusted = errors.New("eidas: certificate not issued by a trusted CA")
	// ErrNoTrustRoots is a Verify call without a pool: a configuration mistake, never a
	// reason to fall back to the system roots.
	ErrNoTrustRoots = errors.New("eidas: no trusted CAs configured")
)

// LoadTrust builds the pool of trusted CAs from a PEM truststore: in the sandbox the
// sandbox CA, live the configured QTSP CAs. It refuses a store without certificates or
// with a block that does not parse, so a broken truststore fails at start-up.
func LoadTrust(pemBytes []byte) (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	n := 0
	for rest := pemBytes; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("eidas: truststore certificate %d: %w", n+1, err)
		}
		pool.AddCert(cert)
		n++
	}
	if n == 0 {
		return nil, errors.New("eidas: the truststore holds no PEM certificate")
	}
	return pool, nil
}

// Verify checks that c chains to one of roots at time now, using the certificates pasted
// after it as intermediates. Any extended key usage is accepted: a QSealC need not say
// clientAuth. The error matches ErrUntrusted (or ErrNoTrustRoots) and wraps the reason.
func Verify(c *Certificate, roots *x509.CertPool, now time.Time) error {
	if roots == nil {
		return ErrNoTrustRoots
	}
	if c == nil || c.X509 == nil {
		return fmt.Errorf("%w: no certificate", ErrUntrusted)
	}
	intermediates := x509.NewCertPool()
	for _, ic := range c.Intermediates {
		intermediates.AddCert(ic)
	}
	_, err := c.X509.Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: intermediates,
		CurrentTime:   now,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		return fmt.Errorf("%w: %w", ErrUntrusted, err)
	}
	return nil
}

// IssuerOf is the certificate of the CA that issued c, if it can be found: the next
// certificate of a chain to roots (the certificate itself when roots hold it), else one
// of the certificates pasted after it whose key verifies its signature; nil otherwise.
// A revocation check needs it to verify a CRL's signature and to ask an OCSP responder.
func IssuerOf(c *Certificate, roots *x509.CertPool, now time.Time) *x509.Certificate {
	if c == nil || c.X509 == nil {
		return nil
	}
	if roots != nil {
		intermediates := x509.NewCertPool()
		for _, ic := range c.Intermediates {
			intermediates.AddCert(ic)
		}
		leaf := *c.X509
		leaf.NotBefore, leaf.NotAfter = now, now // its own dates are not what is asked
		if chains, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: intermediates, CurrentTime: now,
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err == nil {
			for _, chain := range chains {
				if len(chain) > 1 {
					return chain[1]
				}
			}
		}
	}
	for _, ic := range c.Intermediates {
		if c.X509.CheckSignatureFrom(ic) == nil {
			return ic
		}
	}
	return nil
}

// ChainsTo tells whether c chains to one of roots, judged apart from c's own validity
// dates: whoever looks at an expired certificate still wants to know who issued it, and
// sees its dates beside the answer. Without roots nothing chains.
func ChainsTo(c *Certificate, roots *x509.CertPool, now time.Time) bool {
	if roots == nil || c == nil || c.X509 == nil {
		return false
	}
	intermediates := x509.NewCertPool()
	for _, ic := range c.Intermediates {
		intermediates.AddCert(ic)
	}
	leaf := *c.X509
	leaf.NotBefore, leaf.NotAfter = now, now
	_, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: intermediates, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	return err == nil
}
