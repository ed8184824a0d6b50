package sandboxca

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"time"

	"github.com/bank/devportal/shared/trust/eidas"
)

// The kinds of eIDAS certificate the sandbox CA issues.
const (
	// KindQWAC is a qualified website authentication certificate, used for mutual TLS.
	KindQWAC = "QWAC"
	// KindQSealC is a qualified electronic seal certificate, used to sign requests.
	KindQSealC = "QSealC"
)

// ErrInvalidEIDASRequest is an EIDASRequest the CA refuses; the wrapped errors say why.
var ErrInvalidEIDASRequest = errors.New("sandboxca: invalid eIDAS certificate request")

// EIDASRequest describes a test QWAC or QSealC for IssueEIDAS.
type EIDASRequest struct {
	// Kind is KindQWAC or KindQSealC.
	Kind string
	// CommonName, Organization and Country make the subject, with OrganizationIdentifier.
	CommonName, Organization, Country string
	// OrganizationIdentifier is the subject's organizationIdentifier, for example
	// PSDBE-NBB-0123456789. Required.
	OrganizationIdentifier string
	// Roles are the PSD2 roles: eidas.RoleAI, RolePI, RoleIC, RoleAS (PSP_AI, ...).
	Roles []string
	// NCAName and NCAID name the competent authority, for example "National Bank of
	// Belgium" and "BE-NBB". Required.
	NCAName, NCAID string
	// NotBefore and NotAfter bound the validity; zero means a minute ago and a year ahead.
	NotBefore, NotAfter time.Time
}

// IssueEIDAS issues a test QWAC or QSealC with an ECDSA P-256 key: the subject carries
// the organizationIdentifier, and the qcStatements extension QcCompliance, the QcType
// (web for a QWAC, eseal for a QSealC) and the PSD2 statement. A QWAC has key usage
// digitalSignature and extended key usages serverAuth and clientAuth, so it also works
// as a TLS client certificate; a QSealC has digitalSignature and nonRepudiation. It
// returns the certificate and its PKCS #8 key, both PEM.
func (ca *CA) IssueEIDAS(req EIDASRequest) (certPEM, keyPEM string, err error) {
	var problems []error
	tmpl := &x509.Certificate{KeyUsage: x509.KeyUsageDigitalSignature}
	qcType := ""
	switch req.Kind {
	case KindQWAC:
		qcType = eidas.QCTypeWeb
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
	case KindQSealC:
		qcType = eidas.QCTypeESeal
		tmpl.KeyUsage |= x509.KeyUsageContentCommitment
	default:
		problems = append(problems, fmt.Errorf("kind is %q, want %q or %q", req.Kind, KindQWAC, KindQSealC))
	}
	if req.OrganizationIdentifier == "" {
		problems = append(problems, errors.New("the organization identifier is required, for example PSDBE-NBB-0123456789"))
	}
	if req.NCAName == "" || req.NCAID == "" {
		problems = append(problems, errors.New("the NCA name and NCA ID are required, for example \"National Bank of Belgium\" and \"BE-NBB\""))
	}
	now := time.Now()
	tmpl.NotBefore, tmpl.NotAfter = req.NotBefore, req.NotAfter
	if tmpl.NotBefore.IsZero() {
		tmpl.NotBefore = now.Add(-time.Minute)
	}
	if tmpl.NotAfter.IsZero() {
		tmpl.NotAfter = now.AddDate(1, 0, 0)
	}
	if !tmpl.NotAfter.After(tmpl.NotBefore) {
		problems = append(problems, fmt.Errorf("NotAfter %s is not after NotBefore %s", tmpl.NotAfter.Format(time.RFC3339), tmpl.NotBefore.Format(time.RFC3339)))
	}
	qc, err := eidas.MarshalQCStatements(qcType, &eidas.PSD2{Roles: req.Roles, NCAName: req.NCAName, NCAID: req.NCAID})
	if err != nil {
		problems = append(problems, err)
	}
	if len(problems) > 0 {
		return "", "", fmt.Errorf("%w: %w", ErrInvalidEIDASRequest, errors.Join(problems...))
	}

	tmpl.SerialNumber = serial()
	tmpl.Subject = pkix.Name{
		CommonName: req.CommonName,
		ExtraNames: []pkix.AttributeTypeAndValue{{Type: eidas.OIDOrganizationIdentifier, Value: req.OrganizationIdentifier}},
	}
	if req.Organization != "" {
		tmpl.Subject.Organization = []string{req.Organization}
	}
	if req.Country != "" {
		tmpl.Subject.Country = []string{req.Country}
	}
	tmpl.ExtraExtensions = []pkix.Extension{{Id: eidas.OIDQCStatements, Value: qc}}
	ca.distributionPoint(tmpl)

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", "", err
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.Key)
	if err != nil {
		return "", "", fmt.Errorf("sandboxca: sign %s: %w", req.Kind, err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", "", err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})), nil
}
