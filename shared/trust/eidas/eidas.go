// Package eidas reads the eIDAS certificates a TPP uploads when it onboards: the QWAC
// (website authentication, used for mutual TLS) and the QSealC (electronic seal). It
// parses what a developer pastes, shows what the certificate says (organizationIdentifier,
// PSD2 roles, competent authority), and checks a pair (CheckOnboarding) and an app's mTLS
// certificate (CheckMTLS) against the sandbox's rules or production's (production.go).
package eidas

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
)

// Parse errors. Every error Parse returns matches ErrNotACertificate under errors.Is;
// the others say more precisely what was pasted instead.
var (
	// ErrNotACertificate is anything that does not parse as an X.509 certificate.
	ErrNotACertificate = errors.New("eidas: not an X.509 certificate")
	// ErrEmpty is an empty paste.
	ErrEmpty = errors.New("eidas: no certificate given")
	// ErrPrivateKey is a private key, pasted alone or next to the certificate.
	ErrPrivateKey = errors.New("eidas: a private key, not a certificate")
	// ErrCertificateRequest is a certificate signing request (CSR).
	ErrCertificateRequest = errors.New("eidas: a certificate signing request, not a certificate")
)

// maxInput bounds what Parse reads; a certificate chain is a few kilobytes.
const maxInput = 1 << 20

// Certificate is a parsed QWAC or QSealC, with what the portal shows about it.
type Certificate struct {
	// Subject is whom the certificate was issued to.
	Subject Name `json:"subject"`
	// Issuer is the certificate authority that issued it.
	Issuer Name `json:"issuer"`
	// Serial is the serial number in lowercase hex.
	Serial string `json:"serial"`
	// OrganizationIdentifier is the subject's organizationIdentifier; nil if it has none.
	OrganizationIdentifier *OrganizationIdentifier `json:"organizationIdentifier,omitempty"`
	// NotBefore is the start of the validity period.
	NotBefore time.Time `json:"notBefore"`
	// NotAfter is the end of the validity period.
	NotAfter time.Time `json:"notAfter"`
	// KeyUsage names the key usages as RFC 5280 does: digitalSignature, nonRepudiation, ...
	KeyUsage []string `json:"keyUsage"`
	// ExtKeyUsage names the extended key usages: serverAuth, clientAuth, ...; unknown ones
	// in dotted OID form.
	ExtKeyUsage []string `json:"extKeyUsage"`
	// SHA256Fingerprint is the SHA-256 of the DER certificate, lowercase hex without colons.
	SHA256Fingerprint string `json:"sha256Fingerprint"`
	// QCCompliance is true when a QcCompliance statement declares the certificate qualified.
	QCCompliance bool `json:"qcCompliance"`
	// QCType is the QcType statement: QCTypeWeb, QCTypeESeal or QCTypeESign; empty when
	// the certificate has none. Of several types, the first the certificate lists.
	QCType string `json:"qcType,omitempty"`
	// QCTypes are all the QcTypes the certificate declares, in its order: one for a
	// well-formed qualified certificate; a certificate that declares both web and eseal
	// is neither a QWAC nor a QSealC in production.
	QCTypes []string `json:"qcTypes,omitempty"`
	// PSD2 is the PSD2 QCStatement; nil when the certificate has none (or an unreadable one).
	PSD2 *PSD2 `json:"psd2,omitempty"`
	// Raw is the DER certificate.
	Raw []byte `json:"-"`
	// X509 is the certificate as crypto/x509 parsed it.
	X509 *x509.Certificate `json:"-"`
	// Intermediates are the further certificates pasted after this one, offered as
	// intermediates when verifying.
	Intermediates []*x509.Certificate `json:"-"`
}

// pemBlock matches a PEM block even when its line breaks were lost or it was indented.
var pemBlock = regexp.MustCompile(`(?s)-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END ([A-Z0-9 ]+)-----`)

// Parse reads a certificate pasted as PEM or as base64 DER without BEGIN/END lines
// (standard or URL alphabet, padded or not). Whitespace anywhere and escaped line breaks
// (a literal \n) are ignored. Of several PEM certificates it takes the first as the leaf
// and keeps the rest as Intermediates; so it does with concatenated DER.
func Parse(text string) (*Certificate, error) {
	if len(text) > maxInput {
		return nil, fmt.Errorf("%w: the input is larger than %d bytes", ErrNotACertificate, maxInput)
	}
	text = strings.NewReplacer(`\n`, "\n", `\r`, "\n").Replace(text)
	if strings.TrimSpace(text) == "" {
		return nil, notACertificate(ErrEmpty)
	}
	if strings.Contains(text, "-----BEGIN") {
		return parsePEM(text)
	}
	der, err := decodeBase64(text)
	if err != nil {
		return nil, fmt.Errorf("%w: neither PEM nor base64: %v", ErrNotACertificate, err)
	}
	return parseDER(der)
}

func notACertificate(err error) error {
	return fmt.Errorf("%w: %w", ErrNotACertificate, err)
}

func parsePEM(text string) (*Certificate, error) {
	blocks := pemBlock.FindAllStringSubmatch(text, -1)
	var certs [][]byte
	sawRequest := false
	for _, b := range blocks {
		label := strings.TrimSpace(b[1])
		switch {
		case strings.Contains(label, "PRIVATE KEY"):
			return nil, notACertificate(ErrPrivateKey)
		case strings.Contains(label, "CERTIFICATE REQUEST"):
			sawRequest = true
		case label == "CERTIFICATE" || label == "X509 CERTIFICATE" || label == "TRUSTED CERTIFICATE":
			der, err := decodeBase64(b[2])
			if err != nil && len(certs) == 0 {
				return nil, fmt.Errorf("%w: the PEM body is not base64: %v", ErrNotACertificate, err)
			}
			if err == nil {
				certs = append(certs, der)
			}
		}
	}
	if len(certs) == 0 {
		if sawRequest {
			return nil, notACertificate(ErrCertificateRequest)
		}
		return nil, fmt.Errorf("%w: no complete CERTIFICATE PEM block", ErrNotACertificate)
	}
	c, err := parseDER(certs[0])
	if err != nil {
		return nil, err
	}
	for _, der := range certs[1:] {
		if more, err := x509.ParseCertificates(der); err == nil {
			c.Intermediates = append(c.Intermediates, more...)
		}
	}
	return c, nil
}

// decodeBase64 decodes s in either alphabet, with or without padding, ignoring whitespace.
func decodeBase64(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return -1
		case r == '-':
			return '+'
		case r == '_':
			return '/'
		}
		return r
	}, s)
	return base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
}

// parseDER reads the first DER element of der as the certificate and any that follow as
// intermediates.
func parseDER(der []byte) (*Certificate, error) {
	var first asn1.RawValue
	rest, err := asn1.Unmarshal(der, &first)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotACertificate, err)
	}
	cert, err := x509.ParseCertificate(first.FullBytes)
	if err != nil {
		if isPrivateKey(der) {
			return nil, notACertificate(ErrPrivateKey)
		}
		if _, reqErr := x509.ParseCertificateRequest(der); reqErr == nil {
			return nil, notACertificate(ErrCertificateRequest)
		}
		return nil, fmt.Errorf("%w: %v", ErrNotACertificate, err)
	}
	c := newCertificate(cert)
	if len(rest) > 0 {
		if more, err := x509.ParseCertificates(rest); err == nil {
			c.Intermediates = more
		}
	}
	return c, nil
}

func isPrivateKey(der []byte) bool {
	if _, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		return true
	}
	if _, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return true
	}
	_, err := x509.ParseECPrivateKey(der)
	return err == nil
}

func newCertificate(cert *x509.Certificate) *Certificate {
	sum := sha256.Sum256(cert.Raw)
	c := &Certificate{
		Subject:           newName(cert.Subject, cert.RawSubject),
		Issuer:            newName(cert.Issuer, cert.RawIssuer),
		Serial:            cert.SerialNumber.Text(16),
		NotBefore:         cert.NotBefore,
		NotAfter:          cert.NotAfter,
		KeyUsage:          keyUsageNames(cert.KeyUsage),
		ExtKeyUsage:       extKeyUsageNames(cert),
		SHA256Fingerprint: hex.EncodeToString(sum[:]),
		Raw:               cert.Raw,
		X509:              cert,
	}
	for _, atv := range cert.Subject.Names {
		if s, ok := atv.Value.(string); ok && atv.Type.Equal(OIDOrganizationIdentifier) {
			o := ParseOrganizationIdentifier(s)
			c.OrganizationIdentifier = &o
			break
		}
	}
	for _, ext := range cert.Extensions {
		if ext.Id.Equal(OIDQCStatements) {
			qc := parseQCStatements(ext.Value)
			c.QCCompliance, c.QCTypes, c.PSD2 = qc.compliance, qc.qcTypes, qc.psd2
			if len(qc.qcTypes) > 0 {
				c.QCType = qc.qcTypes[0]
			}
			break
		}
	}
	return c
}

// PEM returns the certificate PEM-encoded.
func (c *Certificate) PEM() string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}))
}

var keyUsages = []struct {
	bit  x509.KeyUsage
	name string
}{
	{x509.KeyUsageDigitalSignature, "digitalSignature"},
	{x509.KeyUsageContentCommitment, "nonRepudiation"},
	{x509.KeyUsageKeyEncipherment, "keyEncipherment"},
	{x509.KeyUsageDataEncipherment, "dataEncipherment"},
	{x509.KeyUsageKeyAgreement, "keyAgreement"},
	{x509.KeyUsageCertSign, "keyCertSign"},
	{x509.KeyUsageCRLSign, "cRLSign"},
	{x509.KeyUsageEncipherOnly, "encipherOnly"},
	{x509.KeyUsageDecipherOnly, "decipherOnly"},
}

func keyUsageNames(ku x509.KeyUsage) []string {
	names := []string{}
	for _, k := range keyUsages {
		if ku&k.bit != 0 {
			names = append(names, k.name)
		}
	}
	return names
}

var extKeyUsages = map[x509.ExtKeyUsage]string{
	x509.ExtKeyUsageAny:                            "any",
	x509.ExtKeyUsageServerAuth:                     "serverAuth",
	x509.ExtKeyUsageClientAuth:                     "clientAuth",
	x509.ExtKeyUsageCodeSigning:                    "codeSigning",
	x509.ExtKeyUsageEmailProtection:                "emailProtection",
	x509.ExtKeyUsageIPSECEndSystem:                 "ipsecEndSystem",
	x509.ExtKeyUsageIPSECTunnel:                    "ipsecTunnel",
	x509.ExtKeyUsageIPSECUser:                      "ipsecUser",
	x509.ExtKeyUsageTimeStamping:                   "timeStamping",
	x509.ExtKeyUsageOCSPSigning:                    "OCSPSigning",
	x509.ExtKeyUsageMicrosoftServerGatedCrypto:     "msSGC",
	x509.ExtKeyUsageNetscapeServerGatedCrypto:      "nsSGC",
	x509.ExtKeyUsageMicrosoftCommercialCodeSigning: "msCodeCom",
	x509.ExtKeyUsageMicrosoftKernelCodeSigning:     "msKernelCodeSigning",
}

func extKeyUsageNames(cert *x509.Certificate) []string {
	names := []string{}
	for _, u := range cert.ExtKeyUsage {
		if name, ok := extKeyUsages[u]; ok {
			names = append(names, name)
		}
	}
	for _, oid := range cert.UnknownExtKeyUsage {
		names = append(names, oid.String())
	}
	return names
}
