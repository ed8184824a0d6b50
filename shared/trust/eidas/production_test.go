package eidas_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/trust/eidas"
	"github.com/bank/devportal/shared/trust/sandboxca"
)

// The OIDs of ETSI EN 319 412-5 and TS 119 495, written out here rather than taken from
// the package, so that the certificates follow the standards and not the parser.
var (
	oidQcCompliance = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 1}
	oidQcType       = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 6}
	qcWeb           = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 6, 3}
	qcESeal         = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 6, 2}
	qcESign         = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 6, 1}
	oidPSD2         = asn1.ObjectIdentifier{0, 4, 0, 19495, 2}
	rolePI          = role{asn1.ObjectIdentifier{0, 4, 0, 19495, 1, 2}, "PSP_PI"}
	roleAI          = role{asn1.ObjectIdentifier{0, 4, 0, 19495, 1, 3}, "PSP_AI"}
)

// role is a RoleOfPSP: its OID and the name written beside it.
type role struct {
	OID  asn1.ObjectIdentifier
	Name string `asn1:"utf8"`
}

// psd2Statement is the PSD2QcType statement as TS 119 495 defines it.
type psd2Statement struct {
	Roles   []role
	NCAName string `asn1:"utf8"`
	NCAID   string `asn1:"utf8"`
}

type statement struct {
	ID   asn1.ObjectIdentifier
	Info asn1.RawValue `asn1:"optional"`
}

// spec is a certificate to mint: what its subject and qcStatements say, and who signs it.
type spec struct {
	ca         *sandboxca.CA
	orgID      string // "" leaves the organizationIdentifier out
	compliance bool
	qcTypes    []asn1.ObjectIdentifier // nil leaves the QcType statement out
	psd2       *psd2Statement          // nil leaves the PSD2 statement out
	notBefore  time.Time
	notAfter   time.Time
}

// qualifiedSpec is a well-formed production QWAC (web) or QSealC (eseal) of orgID,
// issued by ca, with roles PSP_AI and PSP_PI.
func qualifiedSpec(ca *sandboxca.CA, qcType asn1.ObjectIdentifier) spec {
	return spec{ca: ca, orgID: orgID, compliance: true, qcTypes: []asn1.ObjectIdentifier{qcType},
		psd2: &psd2Statement{Roles: []role{roleAI, rolePI}, NCAName: "National Bank of Belgium", NCAID: "BE-NBB"}}
}

// mint signs the certificate s describes, with the qcStatements extension encoded here.
func mint(t testing.TB, s spec) string {
	t.Helper()
	var stmts []statement
	if s.compliance {
		stmts = append(stmts, statement{ID: oidQcCompliance})
	}
	if s.qcTypes != nil {
		stmts = append(stmts, statement{ID: oidQcType, Info: asn1.RawValue{FullBytes: mustMarshal(t, s.qcTypes)}})
	}
	if s.psd2 != nil {
		p := *s.psd2
		if p.Roles == nil {
			p.Roles = []role{}
		}
		stmts = append(stmts, statement{ID: oidPSD2, Info: asn1.RawValue{FullBytes: mustMarshal(t, p)}})
	}
	if s.notBefore.IsZero() {
		s.notBefore, s.notAfter = time.Now().Add(-time.Hour), time.Now().AddDate(1, 0, 0)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "tpp.example.com", Organization: []string{"Example TPP"}, Country: []string{"BE"}},
		NotBefore:    s.notBefore, NotAfter: s.notAfter,
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	if len(stmts) > 0 {
		tmpl.ExtraExtensions = []pkix.Extension{{Id: eidas.OIDQCStatements, Value: mustMarshal(t, stmts)}}
	}
	if s.orgID != "" {
		tmpl.Subject.ExtraNames = []pkix.AttributeTypeAndValue{{Type: eidas.OIDOrganizationIdentifier, Value: s.orgID}}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, s.ca.Cert, &key.PublicKey, s.ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

func mustMarshal(t testing.TB, v any) []byte {
	t.Helper()
	b, err := asn1.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// newCA makes a CA named name.
func newCA(t testing.TB, name string) *sandboxca.CA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(5, 0, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}, &x509.Certificate{Subject: pkix.Name{CommonName: name}}, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &sandboxca.CA{Cert: cert, Key: key}
}

// trust is the portal's two truststores: the eIDAS truststore holds the QTSP; the sandbox
// trusts it and the sandbox CA.
type trust struct {
	qtsp, sandbox, stranger *sandboxca.CA
	live, sandboxRoots      *x509.CertPool
}

func newTrust(t testing.TB) trust {
	tr := trust{qtsp: newCA(t, "Example QTSP QWAC CA"), sandbox: loadCA(t), stranger: newCA(t, "Nobody's CA")}
	tr.live = x509.NewCertPool()
	tr.live.AddCert(tr.qtsp.Cert)
	tr.sandboxRoots = tr.sandbox.Pool()
	tr.sandboxRoots.AddCert(tr.qtsp.Cert)
	return tr
}

func with(s spec, edit func(*spec)) spec { edit(&s); return s }

// checkSentences fails on a message that is not a sentence a person can act on.
func checkSentences(t *testing.T, errs []apperr.FieldError) {
	t.Helper()
	for _, fe := range errs {
		if !strings.HasSuffix(fe.Message, ".") || strings.Contains(fe.Message, "x509") || strings.Contains(fe.Message, "eidas:") || strings.Contains(fe.Message, "%!") {
			t.Errorf("%s/%s: not a sentence for people: %q", fe.Field, fe.Rule, fe.Message)
		}
	}
}

// TestProductionOnboardingRules has a row per production rule of onboarding, each refused
// with its field and rule, and what the sandbox says of the same pair: most are rows the
// sandbox accepts and production refuses.
func TestProductionOnboardingRules(t *testing.T) {
	tr := newTrust(t)
	qwac, qseal := qualifiedSpec(tr.qtsp, qcWeb), qualifiedSpec(tr.qtsp, qcESeal)
	bothTypes := mint(t, with(qwac, func(s *spec) { s.qcTypes = []asn1.ObjectIdentifier{qcWeb, qcESeal} }))
	noType := mint(t, with(qwac, func(s *spec) { s.qcTypes = nil }))
	orgs := func(id string) func(*spec) { return func(s *spec) { s.orgID = id } }

	tests := []struct {
		name         string
		qwac, qseal  string
		wantSandbox  []string
		want         []string
		wantMessages map[string]string // rule → the exact production message
	}{
		{name: "qualified pair of a QTSP of the eIDAS truststore", qwac: mint(t, qwac), qseal: mint(t, qseal), wantSandbox: []string{}, want: []string{}},
		{
			name: "test certificates of the sandbox CA", qwac: mint(t, with(qwac, func(s *spec) { s.ca = tr.sandbox })), qseal: mint(t, with(qseal, func(s *spec) { s.ca = tr.sandbox })),
			wantSandbox: []string{}, want: []string{"qwac/untrusted", "qsealc/untrusted"},
			wantMessages: map[string]string{"untrusted": "Your QWAC was not issued by a qualified trust service provider of the eIDAS truststore. In production, use the QWAC your qualified trust service provider issued; test certificates of the sandbox CA work only in the sandbox."},
		},
		{name: "CA nobody trusts", qwac: mint(t, with(qwac, func(s *spec) { s.ca = tr.stranger })), qseal: mint(t, qseal), wantSandbox: []string{"qwac/untrusted"}, want: []string{"qwac/untrusted"}},
		{
			name: "QWAC without QcCompliance", qwac: mint(t, with(qwac, func(s *spec) { s.compliance = false })), qseal: mint(t, qseal),
			wantSandbox: []string{}, want: []string{"qwac/noQcCompliance"},
			wantMessages: map[string]string{"noQcCompliance": "Your QWAC is not a qualified certificate: it has no QcCompliance statement (0.4.0.1862.1.1). In production, use a qualified QWAC from a qualified trust service provider."},
		},
		{name: "QSealC without QcCompliance", qwac: mint(t, qwac), qseal: mint(t, with(qseal, func(s *spec) { s.compliance = false })), wantSandbox: []string{}, want: []string{"qsealc/noQcCompliance"}},
		{
			name: "QWAC without QcType", qwac: noType, qseal: mint(t, qseal),
			wantSandbox: []string{}, want: []string{"qwac/noQcType"},
			wantMessages: map[string]string{"noQcType": "Your QWAC does not say which kind of qualified certificate it is: it has no QcType statement. A QWAC declares the type web (0.4.0.1862.1.6.3); ask your trust service provider for one that does."},
		},
		{name: "QSealC without QcType", qwac: mint(t, qwac), qseal: mint(t, with(qseal, func(s *spec) { s.qcTypes = nil })), wantSandbox: []string{}, want: []string{"qsealc/noQcType"}},
		{
			name: "QWAC that also declares eseal", qwac: bothTypes, qseal: mint(t, qseal),
			wantSandbox: []string{}, want: []string{"qwac/bothQcTypes"},
			wantMessages: map[string]string{"bothQcTypes": "Your QWAC declares a QWAC and a QSealC at once (QcType web and eseal). A certificate is one or the other, never both: use a QWAC that declares only the type web (0.4.0.1862.1.6.3)."},
		},
		{
			name: "QSealC that also declares web", qwac: mint(t, qwac), qseal: mint(t, with(qseal, func(s *spec) { s.qcTypes = []asn1.ObjectIdentifier{qcESeal, qcWeb} })),
			wantSandbox: []string{}, want: []string{"qsealc/bothQcTypes"},
		},
		{
			name: "one certificate of both types as QWAC and QSealC", qwac: bothTypes, qseal: bothTypes,
			wantSandbox: []string{"qsealc/wrongType"}, want: []string{"qwac/bothQcTypes", "qsealc/bothQcTypes", "qsealc/sameCertificate"},
		},
		{
			name: "one certificate without QcType as QWAC and QSealC", qwac: noType, qseal: noType,
			wantSandbox: []string{}, want: []string{"qwac/noQcType", "qsealc/noQcType", "qsealc/sameCertificate"},
			wantMessages: map[string]string{"sameCertificate": "This is the same certificate as your QWAC. A QWAC and a QSealC are two certificates, each with its own key: paste your QSealC here."},
		},
		{
			name: "QWAC that is an electronic signature certificate", qwac: mint(t, with(qwac, func(s *spec) { s.qcTypes = []asn1.ObjectIdentifier{qcESign} })), qseal: mint(t, qseal),
			wantSandbox: []string{"qwac/wrongType"}, want: []string{"qwac/wrongType"},
		},
		{
			name: "organizationIdentifier not of the PSD form", qwac: mint(t, with(qwac, orgs("VATBE-0123456789"))), qseal: mint(t, with(qseal, orgs("VATBE-0123456789"))),
			wantSandbox: []string{}, want: []string{"qwac/organizationIdentifierFormat", "qsealc/organizationIdentifierFormat"},
			wantMessages: map[string]string{"organizationIdentifierFormat": `Your QWAC's organizationIdentifier "VATBE-0123456789" is not a PSD2 authorisation number. In production it has the form PSD, the country of your competent authority, a hyphen, the authority's identifier, a hyphen and your authorisation number, for example PSDBE-NBB-0123456789.`},
		},
		{name: "no organizationIdentifier", qwac: mint(t, with(qwac, orgs(""))), qseal: mint(t, qseal), wantSandbox: []string{"qwac/noOrganizationIdentifier"}, want: []string{"qwac/noOrganizationIdentifier"}},
		{name: "organizations differ", qwac: mint(t, qwac), qseal: mint(t, with(qseal, orgs("PSDBE-NBB-9999999999"))), wantSandbox: []string{"qsealc/organizationMismatch"}, want: []string{"qsealc/organizationMismatch"}},
		{name: "no PSD2 statement", qwac: mint(t, with(qwac, func(s *spec) { s.psd2 = nil })), qseal: mint(t, qseal), wantSandbox: []string{"qwac/noPsd2"}, want: []string{"qwac/noPsd2"}},
		{
			name: "PSD2 statement without roles", qwac: mint(t, with(qwac, func(s *spec) { s.psd2 = &psd2Statement{NCAName: "National Bank of Belgium", NCAID: "BE-NBB"} })), qseal: mint(t, qseal),
			wantSandbox: []string{"roles/roleMissing"}, want: []string{"qwac/psd2NoRoles", "roles/roleMissing"},
		},
		{
			name: "role named after another role", qwac: mint(t, with(qwac, func(s *spec) {
				s.psd2 = &psd2Statement{Roles: []role{{roleAI.OID, "PSP_PI"}, rolePI}, NCAName: "National Bank of Belgium", NCAID: "BE-NBB"}
			})), qseal: mint(t, qseal),
			wantSandbox: []string{}, want: []string{"qwac/psd2RoleName"},
			wantMessages: map[string]string{"psd2RoleName": `Your QWAC's PSD2 statement gives a role a name that is not its own: PSP_AI (0.4.0.19495.1.3) named "PSP_PI". Each role must be named as ETSI TS 119 495 names its identifier. Ask your trust service provider for a corrected certificate.`},
		},
		{
			name: "no NCA name", qwac: mint(t, qwac), qseal: mint(t, with(qseal, func(s *spec) { s.psd2 = &psd2Statement{Roles: []role{roleAI, rolePI}, NCAName: " ", NCAID: "BE-NBB"} })),
			wantSandbox: []string{}, want: []string{"qsealc/psd2NcaName"},
			wantMessages: map[string]string{"psd2NcaName": "Your QSealC's PSD2 statement has no competent authority name (NCAName); it must be the name of your competent authority in Latin letters, for example National Bank of Belgium. Ask your trust service provider for a corrected certificate."},
		},
		{
			name: "NCA name not in Latin letters", qwac: mint(t, with(qwac, func(s *spec) {
				s.psd2 = &psd2Statement{Roles: []role{roleAI, rolePI}, NCAName: "Национальный банк", NCAID: "BE-NBB"}
			})), qseal: mint(t, qseal),
			wantSandbox: []string{}, want: []string{"qwac/psd2NcaName"},
		},
		{
			name: "NCA name in Latin letters with accents", qwac: mint(t, with(qwac, func(s *spec) {
				s.psd2 = &psd2Statement{Roles: []role{roleAI, rolePI}, NCAName: "Autorité de contrôle prudentiel et de résolution", NCAID: "FR-ACPR"}
			})), qseal: mint(t, qseal),
			wantSandbox: []string{}, want: []string{},
		},
		{
			name: "NCA id not of the form CC-XXXX", qwac: mint(t, with(qwac, func(s *spec) {
				s.psd2 = &psd2Statement{Roles: []role{roleAI, rolePI}, NCAName: "National Bank of Belgium", NCAID: "NBB"}
			})), qseal: mint(t, qseal),
			wantSandbox: []string{}, want: []string{"qwac/psd2NcaId"},
			wantMessages: map[string]string{"psd2NcaId": `Your QWAC's PSD2 statement identifies the competent authority as "NBB"; it must be the authority's country code, a hyphen and its identifier of 2 to 8 capital letters, for example BE-NBB. Ask your trust service provider for a corrected certificate.`},
		},
		{
			name: "a certificate the sandbox CA could issue, wrong in every production way", qwac: mint(t, spec{ca: tr.sandbox, orgID: "Example TPP", psd2: &psd2Statement{NCAName: "", NCAID: "be-nbb"}}), qseal: mint(t, qseal),
			wantSandbox: []string{"qsealc/organizationMismatch", "roles/roleMissing"},
			want: []string{
				"qwac/untrusted", "qwac/organizationIdentifierFormat", "qwac/psd2NoRoles", "qwac/psd2NcaName", "qwac/psd2NcaId", "qwac/noQcCompliance", "qwac/noQcType",
				"qsealc/organizationMismatch", "roles/roleMissing",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := time.Now()
			_, _, sandboxErrs := eidas.CheckOnboarding(eidas.OnboardingCerts{QWAC: tt.qwac, QSealC: tt.qseal, Roles: []string{"AIS", "PIS"}, Roots: tr.sandboxRoots, Now: now})
			if got := rules(sandboxErrs); !reflect.DeepEqual(got, tt.wantSandbox) {
				t.Errorf("sandbox: errors %v, want %v\n%+v", got, tt.wantSandbox, sandboxErrs)
			}
			qwac, qseal, errs := eidas.CheckOnboarding(eidas.OnboardingCerts{QWAC: tt.qwac, QSealC: tt.qseal, Roles: []string{"AIS", "PIS"}, Roots: tr.live, Production: true, Now: now})
			if got := rules(errs); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("production: errors %v, want %v\n%+v", got, tt.want, errs)
			}
			if qwac == nil || qseal == nil {
				t.Fatal("the parsed certificates are not returned")
			}
			for rule, want := range tt.wantMessages {
				i := slicesIndexRule(errs, rule)
				if i < 0 || errs[i].Message != want {
					t.Errorf("%s: message\n%q\nwant\n%q", rule, messageAt(errs, i), want)
				}
			}
			checkSentences(t, errs)
		})
	}
}

// TestCheckMTLS has a row per rule of an app's mTLS certificate: the sandbox accepts any
// certificate valid now; production wants a QWAC of the organization from the eIDAS
// truststore.
func TestCheckMTLS(t *testing.T) {
	tr := newTrust(t)
	qwac := qualifiedSpec(tr.qtsp, qcWeb)
	client, err := tr.sandbox.ClientCertificate(pkix.Name{CommonName: "app.example.com"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	sandboxClient := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: client.Leaf.Raw}))
	now := time.Now()
	expiredAt := now.AddDate(0, 0, -3)
	psd2 := func(edit func(*psd2Statement)) func(*spec) {
		return func(s *spec) { p := *s.psd2; edit(&p); s.psd2 = &p }
	}

	tests := []struct {
		name        string
		cert        string
		field       string // "certificate" when empty
		noRoots     bool
		wantSandbox []string
		want        []string
		wantMessage string // of the first production error, when set
	}{
		{name: "QWAC of the organization from the eIDAS truststore", cert: mint(t, qwac), wantSandbox: []string{}, want: []string{}},
		{name: "QWAC chained through its intermediate", cert: chained(t, tr.qtsp, qwac), wantSandbox: []string{}, want: []string{}},
		{
			name: "client certificate of the sandbox CA", cert: sandboxClient, wantSandbox: []string{},
			want:        []string{"certificate/untrusted", "certificate/noOrganizationIdentifier", "certificate/noPsd2", "certificate/noQcCompliance", "certificate/noQcType"},
			wantMessage: "This certificate was not issued by a qualified trust service provider of the eIDAS truststore. In production an app presents its QWAC from a qualified trust service provider; certificates of the sandbox CA work only in the sandbox.",
		},
		{name: "test QWAC of the sandbox CA", cert: mint(t, with(qwac, func(s *spec) { s.ca = tr.sandbox })), wantSandbox: []string{}, want: []string{"certificate/untrusted"}},
		{name: "no truststore configured", cert: mint(t, qwac), noRoots: true, wantSandbox: []string{}, want: []string{"certificate/untrusted"}},
		{
			name: "QWAC of another organization", cert: mint(t, with(qwac, func(s *spec) { s.orgID = "PSDBE-NBB-9999999999" })), wantSandbox: []string{}, want: []string{"certificate/organizationMismatch"},
			wantMessage: "This certificate belongs to the organization PSDBE-NBB-9999999999, not to yours (PSDBE-NBB-0123456789). In production an app presents a QWAC of its own organization: upload one issued to PSDBE-NBB-0123456789.",
		},
		{
			name: "no organizationIdentifier", cert: mint(t, with(qwac, func(s *spec) { s.orgID = "" })), wantSandbox: []string{}, want: []string{"certificate/noOrganizationIdentifier"},
			wantMessage: "This certificate has no organizationIdentifier (OID 2.5.4.97) in its subject. In production an app presents a QWAC that names your organization there: PSDBE-NBB-0123456789.",
		},
		{name: "organizationIdentifier not of the PSD form", cert: mint(t, with(qwac, func(s *spec) { s.orgID = "NTRBE-0123456789" })), wantSandbox: []string{}, want: []string{"certificate/organizationIdentifierFormat"}},
		{
			name: "QSealC", cert: mint(t, qualifiedSpec(tr.qtsp, qcESeal)), wantSandbox: []string{}, want: []string{"certificate/wrongType"},
			wantMessage: "This is a QSealC (an electronic seal certificate), not a QWAC. In production an app presents its QWAC.",
		},
		{name: "QWAC that also declares eseal", cert: mint(t, with(qwac, func(s *spec) { s.qcTypes = []asn1.ObjectIdentifier{qcWeb, qcESeal} })), wantSandbox: []string{}, want: []string{"certificate/bothQcTypes"}},
		{name: "no QcCompliance", cert: mint(t, with(qwac, func(s *spec) { s.compliance = false })), wantSandbox: []string{}, want: []string{"certificate/noQcCompliance"}},
		{name: "no QcType", cert: mint(t, with(qwac, func(s *spec) { s.qcTypes = nil })), wantSandbox: []string{}, want: []string{"certificate/noQcType"}},
		{name: "no PSD2 statement", cert: mint(t, with(qwac, func(s *spec) { s.psd2 = nil })), wantSandbox: []string{}, want: []string{"certificate/noPsd2"}},
		{name: "PSD2 statement without roles", cert: mint(t, with(qwac, psd2(func(p *psd2Statement) { p.Roles = nil }))), wantSandbox: []string{}, want: []string{"certificate/psd2NoRoles"}},
		{name: "misnamed role", cert: mint(t, with(qwac, psd2(func(p *psd2Statement) { p.Roles = []role{{rolePI.OID, "PIS"}} }))), wantSandbox: []string{}, want: []string{"certificate/psd2RoleName"}},
		{name: "NCA name longer than 256 characters", cert: mint(t, with(qwac, psd2(func(p *psd2Statement) { p.NCAName = strings.Repeat("N", 257) }))), wantSandbox: []string{}, want: []string{"certificate/psd2NcaName"}},
		{name: "NCA id with digits", cert: mint(t, with(qwac, psd2(func(p *psd2Statement) { p.NCAID = "BE-NBB1" }))), wantSandbox: []string{}, want: []string{"certificate/psd2NcaId"}},
		{
			name: "expired", cert: mint(t, with(qwac, func(s *spec) { s.notBefore, s.notAfter = expiredAt.AddDate(-1, 0, 0), expiredAt })),
			wantSandbox: []string{"certificate/expired"}, want: []string{"certificate/expired"},
		},
		{
			name: "not yet valid", cert: mint(t, with(qwac, func(s *spec) { s.notBefore, s.notAfter = now.AddDate(0, 0, 2), now.AddDate(1, 0, 0) })),
			wantSandbox: []string{"certificate/notYetValid"}, want: []string{"certificate/notYetValid"},
		},
		{name: "not a certificate", cert: "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----", wantSandbox: []string{"certificate/parse"}, want: []string{"certificate/parse"}},
		{
			name: "a private key", cert: "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----", wantSandbox: []string{"certificate/privateKey"}, want: []string{"certificate/privateKey"},
			wantMessage: "This is a private key, not a certificate: it was refused and not kept. Treat the key as exposed: make a new key pair and have a new certificate issued for it. Paste only the certificate.",
		},
		{name: "the field is the caller's", cert: sandboxClient, field: "sha256Fingerprint", wantSandbox: []string{},
			want: []string{"sha256Fingerprint/untrusted", "sha256Fingerprint/noOrganizationIdentifier", "sha256Fingerprint/noPsd2", "sha256Fingerprint/noQcCompliance", "sha256Fingerprint/noQcType"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			field := tt.field
			if field == "" {
				field = eidas.FieldCertificate
			}
			in := eidas.MTLSCert{Field: field, Certificate: tt.cert, Roots: tr.live, OrganizationIdentifier: orgID, Now: now}
			if tt.noRoots {
				in.Roots = nil
			}
			if _, errs := eidas.CheckMTLS(in); !reflect.DeepEqual(rules(errs), tt.wantSandbox) {
				t.Errorf("sandbox: errors %v, want %v\n%+v", rules(errs), tt.wantSandbox, errs)
			}
			in.Production = true
			c, errs := eidas.CheckMTLS(in)
			if got := rules(errs); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("production: errors %v, want %v\n%+v", got, tt.want, errs)
			}
			unread := reflect.DeepEqual(tt.want, []string{field + "/parse"}) || reflect.DeepEqual(tt.want, []string{field + "/privateKey"})
			if (c == nil) != unread {
				t.Errorf("certificate returned: %v", c != nil)
			}
			if tt.wantMessage != "" && errs[0].Message != tt.wantMessage {
				t.Errorf("message\n%q\nwant\n%q", errs[0].Message, tt.wantMessage)
			}
			checkSentences(t, errs)
		})
	}
}

// chained is a certificate of s issued by an intermediate of root, pasted with it.
func chained(t *testing.T, root *sandboxca.CA, s spec) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "Example QTSP issuing CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(2, 0, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}, root.Cert, &key.PublicKey, root.Key)
	if err != nil {
		t.Fatal(err)
	}
	inter, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	s.ca = &sandboxca.CA{Cert: inter, Key: key}
	return mint(t, s) + string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

func slicesIndexRule(errs []apperr.FieldError, rule string) int {
	for i, fe := range errs {
		if fe.Rule == rule {
			return i
		}
	}
	return -1
}

func messageAt(errs []apperr.FieldError, i int) string {
	if i < 0 {
		return "(no such error)"
	}
	return errs[i].Message
}
