package eidas_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/trust/eidas"
	"github.com/bank/devportal/shared/trust/sandboxca"
)

const orgID = "PSDBE-NBB-0123456789"

// fixture is a sandbox CA, a second CA nobody trusts, and a valid QWAC/QSealC pair.
type fixture struct {
	ca, other   *sandboxca.CA
	qwac, qseal string
	qwacKey     string
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{ca: loadCA(t), other: loadCA(t)}
	f.qwac, f.qwacKey = issue(t, f.ca, request(sandboxca.KindQWAC))
	f.qseal, _ = issue(t, f.ca, request(sandboxca.KindQSealC))
	return f
}

func loadCA(t testing.TB) *sandboxca.CA {
	t.Helper()
	ca, err := sandboxca.LoadOrCreate(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

func request(kind string, edits ...func(*sandboxca.EIDASRequest)) sandboxca.EIDASRequest {
	r := sandboxca.EIDASRequest{
		Kind:                   kind,
		CommonName:             "tpp.example.com",
		Organization:           "Example TPP",
		Country:                "BE",
		OrganizationIdentifier: orgID,
		Roles:                  []string{eidas.RolePI, eidas.RoleAI},
		NCAName:                "National Bank of Belgium",
		NCAID:                  "BE-NBB",
	}
	for _, e := range edits {
		e(&r)
	}
	return r
}

func issue(t testing.TB, ca *sandboxca.CA, req sandboxca.EIDASRequest) (certPEM, keyPEM string) {
	t.Helper()
	certPEM, keyPEM, err := ca.IssueEIDAS(req)
	if err != nil {
		t.Fatal(err)
	}
	return certPEM, keyPEM
}

// build signs a certificate directly, for what IssueEIDAS will not make: no PSD2
// statement, no QcType, no organizationIdentifier. qcType "" and psd2 nil leave the
// statement out; orgID "" leaves the attribute out.
func build(t testing.TB, ca *sandboxca.CA, orgID, qcType string, psd2 *eidas.PSD2) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	qc, err := eidas.MarshalQCStatements(qcType, psd2)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:    big.NewInt(time.Now().UnixNano()),
		Subject:         pkix.Name{CommonName: "built.example.com", Organization: []string{"Example TPP"}, Country: []string{"BE"}},
		NotBefore:       time.Now().Add(-time.Hour),
		NotAfter:        time.Now().Add(time.Hour),
		KeyUsage:        x509.KeyUsageDigitalSignature,
		ExtraExtensions: []pkix.Extension{{Id: eidas.OIDQCStatements, Value: qc}},
	}
	if orgID != "" {
		tmpl.Subject.ExtraNames = []pkix.AttributeTypeAndValue{{Type: eidas.OIDOrganizationIdentifier, Value: orgID}}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

func derOf(t *testing.T, pemText string) []byte {
	t.Helper()
	b, _ := pem.Decode([]byte(pemText))
	if b == nil {
		t.Fatal("not PEM")
	}
	return b.Bytes
}

func fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}

// wrap breaks s into lines of n characters.
func wrap(s string, n int) string {
	var b strings.Builder
	for len(s) > n {
		b.WriteString(s[:n] + "\n")
		s = s[n:]
	}
	b.WriteString(s)
	return b.String()
}

func TestParseInputForms(t *testing.T) {
	f := newFixture(t)
	der := derOf(t, f.qwac)
	std := base64.StdEncoding.EncodeToString(der)
	url := base64.URLEncoding.EncodeToString(der)
	if !strings.ContainsAny(url, "-_") {
		t.Fatal("the URL-safe form does not differ from the standard one; the case would prove nothing")
	}
	body := strings.TrimSuffix(strings.TrimPrefix(f.qwac, "-----BEGIN CERTIFICATE-----\n"), "-----END CERTIFICATE-----\n")
	keyBlock, _ := pem.Decode([]byte(f.qwacKey))

	tests := []struct {
		name              string
		in                string
		wantIntermediates int
	}{
		{"PEM", f.qwac, 0},
		{"PEM with text around it", "Here is our QWAC:\n" + f.qwac + "\nThanks!", 0},
		{"PEM with CRLF and indentation", "  " + strings.ReplaceAll(f.qwac, "\n", "\r\n    "), 0},
		{"PEM on one line", strings.ReplaceAll(f.qwac, "\n", " "), 0},
		{"PEM with escaped line breaks", strings.ReplaceAll(f.qwac, "\n", `\n`), 0},
		{"PEM chain: leaf first, CA kept as intermediate", f.qwac + string(f.ca.PEM), 1},
		{"PEM body with BEGIN/END lines removed", body, 0},
		{"base64 on one line", std, 0},
		{"base64 with line breaks", wrap(std, 64), 0},
		{"base64 with spaces, tabs and blank lines", "\n\t " + wrap(std, 20) + " \n\n", 0},
		{"base64 without padding", strings.TrimRight(std, "="), 0},
		{"URL-safe base64", url, 0},
		{"URL-safe base64 without padding, wrapped", wrap(strings.TrimRight(url, "="), 76), 0},
		{"base64 of DER chain", base64.StdEncoding.EncodeToString(append(append([]byte{}, der...), f.ca.Cert.Raw...)), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := eidas.Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if c.SHA256Fingerprint != fingerprint(der) {
				t.Fatalf("fingerprint %s, want %s", c.SHA256Fingerprint, fingerprint(der))
			}
			if len(c.Intermediates) != tt.wantIntermediates {
				t.Fatalf("%d intermediates, want %d", len(c.Intermediates), tt.wantIntermediates)
			}
		})
	}

	t.Run("refusals", func(t *testing.T) {
		csrDER, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "tpp"}}, f.ca.Key)
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name string
			in   string
			want error
		}{
			{"empty", "", eidas.ErrEmpty},
			{"whitespace only", " \n\t\r\n", eidas.ErrEmpty},
			{"garbage", "this is not a certificate!", eidas.ErrNotACertificate},
			{"base64 that is not DER", base64.StdEncoding.EncodeToString([]byte("hello world")), eidas.ErrNotACertificate},
			{"truncated base64", std[:len(std)/2], eidas.ErrNotACertificate},
			{"PEM without END line", f.qwac[:len(f.qwac)-30], eidas.ErrNotACertificate},
			{"PEM with a damaged body", strings.Replace(f.qwac, "MII", "M!I", 1), eidas.ErrNotACertificate},
			{"PEM of another type", "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n", eidas.ErrNotACertificate},
			{"PEM private key", f.qwacKey, eidas.ErrPrivateKey},
			{"PEM certificate after its private key", f.qwacKey + f.qwac, eidas.ErrPrivateKey},
			{"base64 private key", base64.StdEncoding.EncodeToString(keyBlock.Bytes), eidas.ErrPrivateKey},
			{"PEM certificate request", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csrDER})), eidas.ErrCertificateRequest},
			{"base64 certificate request", base64.StdEncoding.EncodeToString(csrDER), eidas.ErrCertificateRequest},
			{"too large", strings.Repeat("A", 1<<20+1), eidas.ErrNotACertificate},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				c, err := eidas.Parse(tt.in)
				if c != nil || !errors.Is(err, tt.want) || !errors.Is(err, eidas.ErrNotACertificate) {
					t.Fatalf("Parse = %v, %v; want nil, %v (and ErrNotACertificate)", c, err, tt.want)
				}
			})
		}
	})
}

func TestParseFields(t *testing.T) {
	ca := loadCA(t)
	notBefore := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	notAfter := time.Now().AddDate(1, 0, 0).UTC().Truncate(time.Second)
	at := func(r *sandboxca.EIDASRequest) { r.NotBefore, r.NotAfter = notBefore, notAfter }
	qwacPEM, _ := issue(t, ca, request(sandboxca.KindQWAC, at))
	qsealPEM, _ := issue(t, ca, request(sandboxca.KindQSealC, at))
	issuer := eidas.Name{CommonName: "Developer Portal Sandbox CA", Organization: "Developer Portal Sandbox", Country: "BE", DN: "CN=Developer Portal Sandbox CA,O=Developer Portal Sandbox,C=BE"}
	subject := eidas.Name{CommonName: "tpp.example.com", Organization: "Example TPP", Country: "BE", DN: "organizationIdentifier=PSDBE-NBB-0123456789,CN=tpp.example.com,O=Example TPP,C=BE"}
	psd2 := &eidas.PSD2{Roles: []string{"PSP_AI", "PSP_PI"}, NCAName: "National Bank of Belgium", NCAID: "BE-NBB"}
	org := &eidas.OrganizationIdentifier{Value: orgID, Scheme: "PSD", Country: "BE", NCAID: "NBB", NationalID: "0123456789"}

	tests := []struct {
		name string
		pem  string
		want eidas.Certificate
	}{
		{"QWAC", qwacPEM, eidas.Certificate{
			Subject: subject, Issuer: issuer, OrganizationIdentifier: org, NotBefore: notBefore, NotAfter: notAfter,
			KeyUsage: []string{"digitalSignature"}, ExtKeyUsage: []string{"serverAuth", "clientAuth"},
			QCCompliance: true, QCType: "web", QCTypes: []string{"web"}, PSD2: psd2,
		}},
		{"QSealC", qsealPEM, eidas.Certificate{
			Subject: subject, Issuer: issuer, OrganizationIdentifier: org, NotBefore: notBefore, NotAfter: notAfter,
			KeyUsage: []string{"digitalSignature", "nonRepudiation"}, ExtKeyUsage: []string{},
			QCCompliance: true, QCType: "eseal", QCTypes: []string{"eseal"}, PSD2: psd2,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := eidas.Parse(tt.pem)
			if err != nil {
				t.Fatal(err)
			}
			der := derOf(t, tt.pem)
			if !reflect.DeepEqual(c.Raw, der) || c.X509 == nil || !reflect.DeepEqual(c.X509.Raw, der) {
				t.Fatal("Raw or X509 is not the certificate given")
			}
			if c.SHA256Fingerprint != fingerprint(der) || len(c.SHA256Fingerprint) != 64 {
				t.Fatalf("fingerprint %q, want %q", c.SHA256Fingerprint, fingerprint(der))
			}
			if c.Serial != c.X509.SerialNumber.Text(16) || c.Serial == "" {
				t.Fatalf("serial %q, want %q", c.Serial, c.X509.SerialNumber.Text(16))
			}
			if c.PEM() != tt.pem {
				t.Fatalf("PEM() = %q, want %q", c.PEM(), tt.pem)
			}
			got := *c
			got.Raw, got.X509, got.Serial, got.SHA256Fingerprint = nil, nil, "", ""
			got.NotBefore, got.NotAfter = got.NotBefore.UTC(), got.NotAfter.UTC()
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}

	t.Run("JSON", func(t *testing.T) {
		c, err := eidas.Parse(qwacPEM)
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{
			"organizationIdentifier": `{"value":"PSDBE-NBB-0123456789","scheme":"PSD","country":"BE","ncaId":"NBB","nationalId":"0123456789"}`,
			"psd2":                   `{"roles":["PSP_AI","PSP_PI"],"ncaName":"National Bank of Belgium","ncaId":"BE-NBB"}`,
			"subject":                `{"commonName":"tpp.example.com","organization":"Example TPP","country":"BE","dn":"organizationIdentifier=PSDBE-NBB-0123456789,CN=tpp.example.com,O=Example TPP,C=BE"}`,
			"keyUsage":               `["digitalSignature"]`,
			"extKeyUsage":            `["serverAuth","clientAuth"]`,
			"qcType":                 `"web"`,
			"qcTypes":                `["web"]`,
			"qcCompliance":           `true`,
			"notBefore":              `"2025-01-02T03:04:05Z"`,
			"sha256Fingerprint":      `"` + c.SHA256Fingerprint + `"`,
			"serial":                 `"` + c.Serial + `"`,
		}
		for k, v := range want {
			if string(m[k]) != v {
				t.Errorf("%s = %s, want %s", k, m[k], v)
			}
		}
		for _, k := range []string{"Raw", "X509", "Intermediates", "raw"} {
			if _, ok := m[k]; ok {
				t.Errorf("%s must not be in the JSON", k)
			}
		}
	})

	t.Run("QcCompliance only, no organizationIdentifier", func(t *testing.T) {
		c, err := eidas.Parse(build(t, ca, "", "", nil))
		if err != nil {
			t.Fatal(err)
		}
		if c.OrganizationIdentifier != nil || c.PSD2 != nil || c.QCType != "" || !c.QCCompliance {
			t.Fatalf("got org %v, psd2 %v, qcType %q, compliance %v", c.OrganizationIdentifier, c.PSD2, c.QCType, c.QCCompliance)
		}
		if b := string(mustJSON(t, c)); strings.Contains(b, `"psd2"`) || strings.Contains(b, `"organizationIdentifier"`) || strings.Contains(b, `"qcType"`) {
			t.Fatalf("absent psd2 must be left out of the JSON: %s", mustJSON(t, c))
		}
	})
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestVerify(t *testing.T) {
	f := newFixture(t)
	now := time.Now()

	// A chain root → intermediate → leaf: the intermediate is only known if pasted.
	interKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	interDER, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{
		SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "Issuing CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}, f.ca.Cert, &interKey.PublicKey, f.ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	inter, err := x509.ParseCertificate(interDER)
	if err != nil {
		t.Fatal(err)
	}
	leaf := build(t, &sandboxca.CA{Cert: inter, Key: interKey}, orgID, "web", nil)
	interPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: interDER}))

	tests := []struct {
		name  string
		pem   string
		roots *x509.CertPool
		now   time.Time
		want  error
	}{
		{"issued by the trusted CA", f.qwac, f.ca.Pool(), now, nil},
		{"QSealC without clientAuth", f.qseal, f.ca.Pool(), now, nil},
		{"issued by another CA", f.qwac, f.other.Pool(), now, eidas.ErrUntrusted},
		{"checked after it expired", f.qwac, f.ca.Pool(), now.AddDate(2, 0, 0), eidas.ErrUntrusted},
		{"no roots", f.qwac, nil, now, eidas.ErrNoTrustRoots},
		{"leaf pasted with its intermediate", leaf + interPEM, f.ca.Pool(), now, nil},
		{"leaf without its intermediate", leaf, f.ca.Pool(), now, eidas.ErrUntrusted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := eidas.Parse(tt.pem)
			if err != nil {
				t.Fatal(err)
			}
			err = eidas.Verify(c, tt.roots, tt.now)
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestChainsTo(t *testing.T) {
	f := newFixture(t)
	now := time.Now()
	tests := []struct {
		name  string
		roots *x509.CertPool
		now   time.Time
		want  bool
	}{
		{"issued by the trusted CA", f.ca.Pool(), now, true},
		{"issued by the trusted CA, looked at after it expired", f.ca.Pool(), now.AddDate(2, 0, 0), true},
		{"issued by another CA", f.other.Pool(), now, false},
		{"no roots", nil, now, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := eidas.Parse(f.qwac)
			if err != nil {
				t.Fatal(err)
			}
			if got := eidas.ChainsTo(c, tt.roots, tt.now); got != tt.want {
				t.Fatalf("ChainsTo = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestLoadTrust(t *testing.T) {
	f := newFixture(t)
	pool, err := eidas.LoadTrust(append(append([]byte{}, f.other.PEM...), f.ca.PEM...))
	if err != nil {
		t.Fatal(err)
	}
	c, err := eidas.Parse(f.qwac)
	if err != nil {
		t.Fatal(err)
	}
	if err := eidas.Verify(c, pool, time.Now()); err != nil {
		t.Fatalf("a QWAC of the second CA in the truststore: %v", err)
	}
	for name, in := range map[string]string{
		"empty":                             "",
		"no certificate":                    f.qwacKey,
		"a damaged block":                   "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
		"text, not PEM":                     "CN=Sandbox CA",
		"a key, then a damaged certificate": f.qwacKey + "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
	} {
		if _, err := eidas.LoadTrust([]byte(in)); err == nil {
			t.Errorf("%s: LoadTrust accepted it", name)
		}
	}
}

func TestRoleForService(t *testing.T) {
	tests := []struct {
		service, role string
		ok            bool
	}{
		{"AIS", "PSP_AI", true},
		{"PIS", "PSP_PI", true},
		{"PIIS", "PSP_IC", true},
		{"CBPII", "PSP_IC", true},
		{"AS", "", false},
		{"PSP_AS", "", false},
		{"PSP_AI", "", false},
		{"ais", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		if role, ok := eidas.RoleForService(tt.service); role != tt.role || ok != tt.ok {
			t.Errorf("RoleForService(%q) = %q, %v; want %q, %v", tt.service, role, ok, tt.role, tt.ok)
		}
	}
}

func rules(fes []apperr.FieldError) []string {
	out := []string{}
	for _, fe := range fes {
		out = append(out, fe.Field+"/"+fe.Rule)
	}
	return out
}

func TestCheckOnboarding(t *testing.T) {
	f := newFixture(t)
	now := time.Now()
	expiredAt := now.AddDate(0, 0, -10).UTC().Truncate(time.Second)
	validFrom := now.AddDate(0, 0, 10).UTC().Truncate(time.Second)
	withRoles := func(roles ...string) func(*sandboxca.EIDASRequest) {
		return func(r *sandboxca.EIDASRequest) { r.Roles = roles }
	}
	expired := func(r *sandboxca.EIDASRequest) { r.NotBefore, r.NotAfter = expiredAt.AddDate(-1, 0, 0), expiredAt }
	notYetValid := func(r *sandboxca.EIDASRequest) { r.NotBefore, r.NotAfter = validFrom, validFrom.AddDate(1, 0, 0) }
	otherOrg := func(r *sandboxca.EIDASRequest) { r.OrganizationIdentifier = "PSDBE-NBB-9999999999" }
	cert := func(ca *sandboxca.CA, kind string, edits ...func(*sandboxca.EIDASRequest)) string {
		c, _ := issue(t, ca, request(kind, edits...))
		return c
	}
	psd2 := &eidas.PSD2{Roles: []string{eidas.RoleAI, eidas.RolePI}, NCAName: "National Bank of Belgium", NCAID: "BE-NBB"}

	type fieldErr = apperr.FieldError
	tests := []struct {
		name        string
		qwac, qseal string
		roles       []string
		noRoots     bool
		want        []string
		// wantMessages, when set, are the exact messages of the errors, in order.
		wantMessages []string
	}{
		{name: "valid pair, AIS and PIS", qwac: f.qwac, qseal: f.qseal, roles: []string{"AIS", "PIS"}, want: []string{}},
		{name: "valid pair, AIS only, asked twice", qwac: f.qwac, qseal: f.qseal, roles: []string{"AIS", "AIS"}, want: []string{}},
		{name: "CBPII is PIIS", qwac: cert(f.ca, "QWAC", withRoles("PSP_IC")), qseal: cert(f.ca, "QSealC", withRoles("PSP_IC")), roles: []string{"CBPII"}, want: []string{}},
		{name: "no QcType statement is not a wrong type", qwac: build(t, f.ca, orgID, "", psd2), qseal: build(t, f.ca, orgID, "", psd2), roles: []string{"AIS"}, want: []string{}},
		{
			name: "role neither certificate carries", qwac: f.qwac, qseal: f.qseal, roles: []string{"AIS", "PIIS"},
			want:         []string{"roles/roleMissing"},
			wantMessages: []string{"Your certificates do not carry the role PIIS (PSP_IC). Both your QWAC and your QSealC must carry each role you request."},
		},
		{
			name: "role only the QWAC carries", qwac: f.qwac, qseal: cert(f.ca, "QSealC", withRoles("PSP_AI")), roles: []string{"AIS", "PIS"},
			want:         []string{"roles/roleMissing"},
			wantMessages: []string{"Your certificates do not carry the role PIS (PSP_PI). Both your QWAC and your QSealC must carry each role you request."},
		},
		{
			name: "several roles missing", qwac: cert(f.ca, "QWAC", withRoles("PSP_AI")), qseal: cert(f.ca, "QSealC", withRoles("PSP_AI", "PSP_AS")), roles: []string{"PIS", "AIS", "CBPII"},
			want:         []string{"roles/roleMissing"},
			wantMessages: []string{"Your certificates do not carry the roles PIS (PSP_PI) and CBPII (PSP_IC). Both your QWAC and your QSealC must carry each role you request."},
		},
		{
			name: "expired QWAC", qwac: cert(f.ca, "QWAC", expired), qseal: f.qseal, roles: []string{"AIS"},
			want:         []string{"qwac/expired"},
			wantMessages: []string{"Your QWAC expired on " + expiredAt.Format("2006-01-02") + " (UTC). Upload a certificate that is valid today."},
		},
		{
			name: "QSealC not yet valid", qwac: f.qwac, qseal: cert(f.ca, "QSealC", notYetValid), roles: []string{"AIS"},
			want:         []string{"qsealc/notYetValid"},
			wantMessages: []string{"Your QSealC is valid only from " + validFrom.Format("2006-01-02") + " (UTC). Upload a certificate that is valid today."},
		},
		{name: "QWAC from an untrusted CA", qwac: cert(f.other, "QWAC"), qseal: f.qseal, roles: []string{"AIS"}, want: []string{"qwac/untrusted"}},
		{name: "expired and untrusted", qwac: cert(f.other, "QWAC", expired), qseal: f.qseal, roles: []string{"AIS"}, want: []string{"qwac/expired", "qwac/untrusted"}},
		{name: "no trust roots configured", qwac: f.qwac, qseal: f.qseal, roles: []string{"AIS"}, noRoots: true, want: []string{"qwac/untrusted", "qsealc/untrusted"}},
		{name: "QWAC without PSD2 statement: roles not compared", qwac: build(t, f.ca, orgID, "web", nil), qseal: f.qseal, roles: []string{"AIS"}, want: []string{"qwac/noPsd2"}},
		{name: "QSealC without organizationIdentifier: organizations not compared", qwac: f.qwac, qseal: build(t, f.ca, "", "eseal", psd2), roles: []string{"AIS"}, want: []string{"qsealc/noOrganizationIdentifier"}},
		{
			name: "different organizations", qwac: f.qwac, qseal: cert(f.ca, "QSealC", otherOrg), roles: []string{"AIS"},
			want:         []string{"qsealc/organizationMismatch"},
			wantMessages: []string{"Your QSealC belongs to the organization PSDBE-NBB-9999999999 but your QWAC to PSDBE-NBB-0123456789. Upload two certificates of the same organization."},
		},
		{
			name: "swapped certificates", qwac: f.qseal, qseal: f.qwac, roles: []string{"AIS"},
			want: []string{"qwac/wrongType", "qsealc/wrongType"},
			wantMessages: []string{
				"This is a QSealC (an electronic seal certificate), not a QWAC. Did you swap them? Upload it as your QSealC and your QWAC here.",
				"This is a QWAC (a website authentication certificate), not a QSealC. Did you swap them? Upload it as your QWAC and your QSealC here.",
			},
		},
		{name: "esign certificate as QWAC", qwac: build(t, f.ca, orgID, "esign", psd2), qseal: f.qseal, roles: []string{"AIS"}, want: []string{"qwac/wrongType"},
			wantMessages: []string{"This is an electronic signature certificate, not a QWAC."}},
		{
			name: "garbage QWAC, empty QSealC: roles not compared", qwac: "hello", qseal: " \n", roles: []string{"AIS"},
			want: []string{"qwac/parse", "qsealc/required"},
			wantMessages: []string{
				"This is not a certificate. Paste your QWAC as PEM (with its BEGIN CERTIFICATE and END CERTIFICATE lines) or as base64.",
				"Paste your QSealC, as PEM or as base64.",
			},
		},
		{
			name: "private key instead of the QWAC", qwac: f.qwacKey, qseal: f.qseal, roles: []string{"AIS"},
			want: []string{"qwac/privateKey"},
			wantMessages: []string{"This is a private key, not a certificate: it was refused and not kept. Treat the key as exposed: " +
				"make a new key pair and have a new certificate issued for it. Paste only your QWAC."},
		},
		{
			name: "unknown services", qwac: f.qwac, qseal: f.qseal, roles: []string{"AIS", "XS2A", "PSP_AS"},
			want: []string{"roles[1]/oneof", "roles[2]/oneof"},
			wantMessages: []string{
				`"XS2A" is not a service you can request. Choose AIS, PIS or PIIS.`,
				`"PSP_AS" is not a service you can request. Choose AIS, PIS or PIIS.`,
			},
		},
		{name: "no services", qwac: f.qwac, qseal: f.qseal, roles: nil, want: []string{"roles/required"},
			wantMessages: []string{"Choose at least one service: AIS, PIS or PIIS."}},
		{
			name:  "several errors at once",
			qwac:  cert(f.other, "QWAC", expired, otherOrg, withRoles("PSP_AI")),
			qseal: cert(f.ca, "QWAC", notYetValid, withRoles("PSP_AI")),
			roles: []string{"AIS", "PIS", "SEPA"},
			want: []string{
				"qwac/expired", "qwac/untrusted",
				"qsealc/notYetValid", "qsealc/wrongType", "qsealc/organizationMismatch",
				"roles[2]/oneof", "roles/roleMissing",
			},
		},
		{
			name:  "everything missing from both",
			qwac:  build(t, f.other, "", "eseal", nil),
			qseal: build(t, f.other, "", "web", nil),
			roles: []string{"AIS"},
			want: []string{
				"qwac/untrusted", "qwac/noOrganizationIdentifier", "qwac/noPsd2", "qwac/wrongType",
				"qsealc/untrusted", "qsealc/noOrganizationIdentifier", "qsealc/noPsd2", "qsealc/wrongType",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			roots := f.ca.Pool()
			if tt.noRoots {
				roots = nil
			}
			qwac, qseal, errs := eidas.CheckOnboarding(eidas.OnboardingCerts{QWAC: tt.qwac, QSealC: tt.qseal, Roles: tt.roles, Roots: roots, Now: now})
			if got := rules(errs); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("errors %v, want %v\n%+v", got, tt.want, errs)
			}
			if tt.wantMessages != nil {
				var got []string
				for _, fe := range errs {
					got = append(got, fe.Message)
				}
				if !reflect.DeepEqual(got, tt.wantMessages) {
					t.Fatalf("messages\n%q\nwant\n%q", got, tt.wantMessages)
				}
			}
			for _, fe := range errs {
				if !strings.HasSuffix(fe.Message, ".") || strings.Contains(fe.Message, "x509") || strings.Contains(fe.Message, "eidas:") {
					t.Errorf("%s/%s: not a sentence for people: %q", fe.Field, fe.Rule, fe.Message)
				}
			}
			// Whatever parsed is returned, so the portal can show it.
			if _, err := eidas.Parse(tt.qwac); (err == nil) != (qwac != nil) {
				t.Errorf("qwac returned: %v, parses: %v", qwac != nil, err == nil)
			}
			if _, err := eidas.Parse(tt.qseal); (err == nil) != (qseal != nil) {
				t.Errorf("qsealc returned: %v, parses: %v", qseal != nil, err == nil)
			}
		})
	}

	t.Run("the field errors make one validation error", func(t *testing.T) {
		_, _, errs := eidas.CheckOnboarding(eidas.OnboardingCerts{QWAC: "x", QSealC: f.qseal, Roles: []string{"AIS"}, Roots: f.ca.Pool(), Now: now})
		err := apperr.Fields(errs...)
		if !errors.Is(err, apperr.ErrInvalid) || !reflect.DeepEqual(err.Fields, []fieldErr{{Field: "qwac", Rule: "parse", Message: "This is not a certificate. Paste your QWAC as PEM (with its BEGIN CERTIFICATE and END CERTIFICATE lines) or as base64."}}) {
			t.Fatalf("%+v", err)
		}
	})
}

func FuzzParse(f *testing.F) {
	ca, err := sandboxca.LoadOrCreate(f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	qwac, key, err := ca.IssueEIDAS(request(sandboxca.KindQWAC))
	if err != nil {
		f.Fatal(err)
	}
	b, _ := pem.Decode([]byte(qwac))
	f.Add(qwac)
	f.Add(base64.StdEncoding.EncodeToString(b.Bytes))
	f.Add(base64.RawURLEncoding.EncodeToString(b.Bytes))
	f.Add(qwac + string(ca.PEM))
	f.Add(key)
	f.Add("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----")
	f.Add("garbage \x00\xff")
	f.Add("")
	f.Fuzz(func(t *testing.T, in string) {
		c, err := eidas.Parse(in)
		if err != nil {
			if c != nil || !errors.Is(err, eidas.ErrNotACertificate) {
				t.Fatalf("Parse = %v, %v: an error must come alone and match ErrNotACertificate", c, err)
			}
			return
		}
		sum := sha256.Sum256(c.Raw)
		if c.SHA256Fingerprint == "" || c.SHA256Fingerprint != hex.EncodeToString(sum[:]) {
			t.Fatalf("fingerprint %q does not match sha256(Raw) %x", c.SHA256Fingerprint, sum)
		}
		if c.X509 == nil || string(c.X509.Raw) != string(c.Raw) {
			t.Fatal("X509 is not the parsed Raw")
		}
		if _, err := json.Marshal(c); err != nil {
			t.Fatalf("JSON: %v", err)
		}
		_ = c.PEM()
		_ = fmt.Sprint(c.Subject.DN, c.Issuer.DN)
	})
}
