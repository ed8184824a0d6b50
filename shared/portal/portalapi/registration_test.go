package portalapi_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/platform/paging"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/portal/registration"
	"github.com/bank/devportal/shared/portal/routes"
	"github.com/bank/devportal/shared/trust/sandboxca"
)

// software is a TPP's software calling the registration API: its installation key and
// the certificate it connects with.
type software struct {
	h     *harness
	key   *ecdsa.PrivateKey
	pub   string
	cert  tls.Certificate
	token string
	// server is the bank's response-signing key, from the installation's answer.
	server *ecdsa.PublicKey
	// badSignature makes the next call carry a signature of other text.
	badSignature bool
}

func (h *harness) software(connect tls.Certificate) *software {
	h.t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	return &software{h: h, key: key, pub: string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})), cert: connect}
}

// call sends a registration API request over mutual TLS with the software's certificate
// and token.
func (s *software) call(method, path, token string, body any) response {
	s.h.t.Helper()
	h := s.h
	if h.tlsSrv == nil {
		h.tlsSrv = httptest.NewUnstartedServer(h.mux)
		h.tlsSrv.TLS = &tls.Config{ClientAuth: tls.RequestClientCert}
		h.tlsSrv.StartTLS()
		h.t.Cleanup(h.tlsSrv.Close)
	}
	tr := h.tlsSrv.Client().Transport.(*http.Transport).Clone()
	tr.TLSClientConfig.Certificates = []tls.Certificate{s.cert}
	c := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, _ := http.NewRequest(method, h.tlsSrv.URL+routes.RegistrationPath+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set(registration.AuthHeader, token)
	}
	var raw []byte
	if body != nil {
		raw, _ = json.Marshal(body)
	}
	signed := registration.SignedText(method, req.URL.RequestURI(), raw)
	if s.badSignature {
		signed, s.badSignature = append(signed, '!'), false
	}
	d := sha256.Sum256(signed)
	sig, _ := ecdsa.SignASN1(rand.Reader, s.key, d[:])
	req.Header.Set(registration.SignatureHeader, base64.StdEncoding.EncodeToString(sig))
	resp, err := c.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	out := readResponse(resp)
	// Every answer is signed by the bank, checked with the key the installation gave.
	if s.server != nil {
		sig, _ := base64.StdEncoding.DecodeString(out.header.Get(registration.ServerSignatureHeader))
		d := sha256.Sum256([]byte(out.raw))
		if !ecdsa.VerifyASN1(s.server, d[:], sig) {
			h.t.Fatalf("%s %s: the response's signature does not verify: %q", method, path, out.header.Get(registration.ServerSignatureHeader))
		}
	}
	return out
}

// install registers the software's key and keeps its token.
func (s *software) install() response {
	s.h.t.Helper()
	r := s.call("POST", "/installation", "", map[string]any{"clientPublicKey": s.pub}).expect(s.h.t, 201, "")
	s.token = r.body["token"].(string)
	b, _ := pem.Decode([]byte(r.body["serverPublicKey"].(string)))
	pub, err := x509.ParsePKIXPublicKey(b.Bytes)
	if err != nil {
		s.h.t.Fatal(err)
	}
	s.server = pub.(*ecdsa.PublicKey)
	return r
}

// sign signs the installation's public key with a certificate's key.
func (s *software) sign(key crypto.Signer) string {
	d := sha256.Sum256([]byte(s.pub))
	sig, err := key.Sign(rand.Reader, d[:], crypto.SHA256)
	if err != nil {
		s.h.t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(sig)
}

func tlsPair(t *testing.T, certPEM string, key crypto.Signer) tls.Certificate {
	t.Helper()
	b, _ := pem.Decode([]byte(certPEM))
	return tls.Certificate{Certificate: [][]byte{b.Bytes}, PrivateKey: key}
}

// pseudoCertificate is a self-made certificate named as the sandbox's pseudo
// certificates are: the name, then the roles.
func pseudoCertificate(t *testing.T, cn string) (string, crypto.Signer) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(24 * time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), key
}

// TestRegistrationThroughTheAPI: a TPP's software registers through the API alone over
// mutual TLS: installation, certificate with proof of possession (the sandbox
// organization active at once, its administrator invited), device, sessions, OAuth
// clients and callback URLs, the same apps the portal shows; each refusal answers its
// code and writes nothing.
func TestRegistrationThroughTheAPI(t *testing.T) {
	h := newHarness(t)
	ident := "PSDBE-NBB-" + strings.ToUpper(testenv.Suffix())
	qwac, qwacKey := h.issueQWAC(ident, 90*24*time.Hour)
	sw := h.software(tlsPair(t, qwac, qwacKey))
	admin := "admin-" + testenv.Suffix() + "@example.com"

	// Without a client certificate nothing is served.
	h.call(nil, "POST", routes.RegistrationPath+"/installation", map[string]any{"clientPublicKey": sw.pub}).expect(t, 401, "CERTIFICATE_MISSING")

	// Installation: a weak or missing key is refused, naming the field.
	r := sw.call("POST", "/installation", "", map[string]any{"clientPublicKey": "not a key"}).expect(t, 400, "VALIDATION_FAILED")
	if got := fmt.Sprint(r.fields()); got != "[clientPublicKey:publicKey]" {
		t.Fatalf("fields %s", got)
	}
	r = sw.install()
	if !strings.Contains(r.body["serverPublicKey"].(string), "BEGIN PUBLIC KEY") || r.body["id"] == "" {
		t.Fatalf("installation %s", r.raw)
	}

	form := map[string]any{"qwac": qwac, "signature": sw.sign(qwacKey), "administratorEmail": admin}
	// Refusals: each with its code, and nothing written.
	wrongKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	for _, c := range []struct {
		name   string
		token  string
		body   map[string]any
		status int
		code   string
		fields string
	}{
		{"no token", "", form, 401, "INSTALLATION_TOKEN_INVALID", ""},
		{"wrong token", "nope", form, 401, "INSTALLATION_TOKEN_INVALID", ""},
		{"no proof", sw.token, map[string]any{"qwac": qwac, "administratorEmail": admin}, 400, "VALIDATION_FAILED", "[signature:required]"},
		{"wrong proof", sw.token, map[string]any{"qwac": qwac, "signature": sw.sign(wrongKey), "administratorEmail": admin}, 400, "VALIDATION_FAILED", "[signature:possession]"},
		{"no administrator", sw.token, map[string]any{"qwac": qwac, "signature": sw.sign(qwacKey)}, 400, "VALIDATION_FAILED", "[administratorEmail:required]"},
		{"pseudo in production", sw.token, map[string]any{"qwac": mustPseudo(t, "Example TPP AISP"), "signature": "x", "administratorEmail": admin, "environment": "production"}, 400, "VALIDATION_FAILED", "[qwac:untrusted]"},
		{"pseudo without roles", sw.token, map[string]any{"qwac": mustPseudo(t, "Example TPP"), "signature": "x", "administratorEmail": admin}, 400, "VALIDATION_FAILED", "[qwac:pseudoRoles]"},
		{"pseudo name too long", sw.token, map[string]any{"qwac": mustPseudo(t, strings.Repeat("x", 60)+" AISP"), "signature": "x", "administratorEmail": admin}, 400, "VALIDATION_FAILED", "[qwac:pseudoName]"},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := h.tableItems()
			r := sw.call("POST", "/certificate-registration", c.token, c.body).expect(t, c.status, c.code)
			if c.fields != "" && fmt.Sprint(r.fields()) != c.fields {
				t.Fatalf("fields %s, want %s", fmt.Sprint(r.fields()), c.fields)
			}
			if after := h.tableItems(); !reflect.DeepEqual(before, after) {
				t.Fatalf("refused, but the table changed: %d items, then %d", len(before), len(after))
			}
		})
	}

	r = sw.call("POST", "/certificate-registration", sw.token, form).expect(t, 201, "")
	apiKey := r.body["apiKey"].(string)
	g := r.body["organization"].(map[string]any)
	if g["status"] != "ACTIVE" || g["environment"] != "sandbox" || g["organizationIdentifier"] != ident || fmt.Sprint(g["services"]) != "[AIS PIS]" || g["name"] != "Acme Payments" {
		t.Fatalf("registered %s", r.raw)
	}
	orgID := g["id"].(string)
	if mail := h.lastMail(admin, "invited"); !strings.Contains(mail, "/invitations/accept#token=") || !strings.Contains(mail, "as Administrator") {
		t.Fatalf("the administrator's invitation: %q", mail)
	}
	// The installation registered once; the certificate belongs to its organization.
	sw.call("POST", "/certificate-registration", sw.token, form).expect(t, 409, "INSTALLATION_REGISTERED")
	other := h.software(tlsPair(t, qwac, qwacKey))
	other.install()
	before := h.tableItems()
	other.call("POST", "/certificate-registration", other.token, map[string]any{"qwac": qwac, "signature": other.sign(qwacKey), "administratorEmail": admin}).expect(t, 409, "CERTIFICATE_REGISTERED")
	if !reflect.DeepEqual(before, h.tableItems()) {
		t.Fatal("a refused registration changed the table")
	}

	// Device and sessions: only permitted addresses.
	sw.call("POST", "/sessions", sw.token, map[string]any{"apiKey": apiKey}).expect(t, 403, "ADDRESS_NOT_PERMITTED")
	sw.call("POST", "/devices", sw.token, map[string]any{"apiKey": "wrong", "description": "backend"}).expect(t, 401, "API_KEY_INVALID")
	r = sw.call("POST", "/devices", sw.token, map[string]any{"apiKey": apiKey, "description": "backend", "permittedIps": []string{"300.1.1.1"}}).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[permittedIps[0]:ip]" {
		t.Fatalf("fields %s", r.raw)
	}
	sw.call("POST", "/devices", sw.token, map[string]any{"apiKey": apiKey, "description": "elsewhere", "permittedIps": []string{"198.51.100.0/24"}}).expect(t, 201, "")
	sw.call("POST", "/sessions", sw.token, map[string]any{"apiKey": apiKey}).expect(t, 403, "ADDRESS_NOT_PERMITTED")
	r = sw.call("POST", "/devices", sw.token, map[string]any{"apiKey": apiKey, "description": "backend", "permittedIps": []string{"127.0.0.1"}}).expect(t, 201, "")
	if fmt.Sprint(r.body["permittedIps"]) != "[127.0.0.1]" {
		t.Fatalf("device %s", r.raw)
	}
	r = sw.call("POST", "/sessions", sw.token, map[string]any{"apiKey": apiKey}).expect(t, 201, "")
	first, _ := time.Parse(time.RFC3339, r.body["expiresAt"].(string))
	if d := time.Until(first); d < 59*time.Minute || d > time.Hour {
		t.Fatalf("the first session lasts %s, want one hour", d)
	}
	sess := r.body["token"].(string)
	r = sw.call("POST", "/sessions", sw.token, map[string]any{"apiKey": apiKey}).expect(t, 201, "")
	if later, _ := time.Parse(time.RFC3339, r.body["expiresAt"].(string)); time.Until(later) < 89*24*time.Hour {
		t.Fatalf("a later session ends %s", later)
	}
	ended := r.body["token"].(string)

	// OAuth clients and callback URLs, with the session token.
	sw.call("GET", "/oauth-clients", sw.token, nil).expect(t, 401, "SESSION_TOKEN_INVALID")
	sw.badSignature = true
	sw.call("POST", "/oauth-clients", sess, map[string]any{"name": "Budget Buddy"}).expect(t, 401, "SIGNATURE_INVALID")
	sw.badSignature = true
	sw.call("POST", "/devices", sw.token, map[string]any{"apiKey": apiKey, "description": "x"}).expect(t, 401, "SIGNATURE_INVALID")
	r = sw.call("POST", "/oauth-clients", sess, map[string]any{"name": "Budget Buddy", "products": []string{"ais"}}).expect(t, 201, "")
	clientID, secret, appID := r.body["clientId"].(string), r.body["clientSecret"].(string), r.body["id"].(string)
	fp := sha256.Sum256(sw.cert.Certificate[0])
	if clientID == "" || len(secret) < 32 || r.body["apiKey"] == "" || r.body["registeredThroughApi"] != true ||
		fmt.Sprint(r.body["certificateFingerprints"]) != fmt.Sprintf("[%x]", fp) || fmt.Sprint(r.body["products"]) != "[ais oauth2]" {
		t.Fatalf("client %s", r.raw)
	}
	r = sw.call("GET", "/oauth-clients/"+appID, sess, nil).expect(t, 200, "")
	if r.body["clientId"] != clientID || strings.Contains(r.raw, secret) {
		t.Fatalf("read %s", r.raw)
	}
	r = sw.call("POST", "/oauth-clients/"+appID+"/callback-urls", sess, map[string]any{"uri": "http://tpp.example/cb"}).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[uri:https]" {
		t.Fatalf("fields %s", r.raw)
	}
	sw.call("POST", "/oauth-clients/"+appID+"/callback-urls", sess, map[string]any{"uri": "https://tpp.example/cb"}).expect(t, 201, "")
	sw.call("POST", "/oauth-clients/"+appID+"/callback-urls", sess, map[string]any{"uri": "https://tpp.example/other"}).expect(t, 201, "")
	sw.call("DELETE", "/oauth-clients/"+appID+"/callback-urls?uri=https://tpp.example/other", sess, nil).expect(t, 204, "")
	r = sw.call("GET", "/oauth-clients/"+appID, sess, nil).expect(t, 200, "")
	if fmt.Sprint(r.body["callbackUrls"]) != "[https://tpp.example/cb]" {
		t.Fatalf("callbacks %s", r.raw)
	}
	// A second client: the registered certificate identifies the first, so it has none.
	r = sw.call("POST", "/oauth-clients", sess, map[string]any{"name": "Second"}).expect(t, 201, "")
	if fmt.Sprint(r.body["certificateFingerprints"]) != "[]" || fmt.Sprint(r.body["products"]) != "[oauth2]" {
		t.Fatalf("second client %s", r.raw)
	}
	before = h.tableItems()
	r = sw.call("POST", "/oauth-clients", sess, map[string]any{"name": "Third", "products": []string{"nope", "oauth2"}}).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[products[0]:unknown products[1]:mandatory]" || !reflect.DeepEqual(before, h.tableItems()) {
		t.Fatalf("refused products: %s", r.raw)
	}
	r = sw.call("GET", "/oauth-clients", sess, nil).expect(t, 200, "")
	if list := r.body["clients"].([]any); len(list) < 2 || list[0].(map[string]any)["clientId"] != clientID && list[1].(map[string]any)["clientId"] != clientID {
		t.Fatalf("list %s", r.raw)
	}
	// The same app the portal keeps, marked as registered through the API, with the audit
	// trail naming the software.
	app, err := h.orgStore.GetApp(t.Context(), orgID, appID)
	if err != nil || !app.RegisteredThroughAPI || fmt.Sprint(app.RedirectURIs) != "[https://tpp.example/cb]" {
		t.Fatalf("portal app %+v %v", app, err)
	}
	audit, _, err := h.orgStore.Audit(t.Context(), org.AuditFilter{OrgID: orgID}, paging.Page{Limit: 50})
	actions := map[string]string{}
	for _, e := range audit {
		actions[e.Action] = e.Actor
	}
	if err != nil || actions["onboarding.registered"] != "TPP software (registration API)" || actions["invitation.sent"] == "" || actions["app.created"] == "" || actions["app.redirect_added"] == "" {
		t.Fatalf("audit %+v %v", audit, err)
	}

	// Ending a session ends it at once.
	sw.call("DELETE", "/sessions", ended, nil).expect(t, 204, "")
	sw.call("GET", "/oauth-clients", ended, nil).expect(t, 401, "SESSION_TOKEN_INVALID")
	sw.call("DELETE", "/oauth-clients/"+appID, sess, nil).expect(t, 204, "")
	sw.call("GET", "/oauth-clients/"+appID, sess, nil).expect(t, 404, "NOT_FOUND")

	// A pseudo certificate registers in the sandbox, its roles read from its name.
	cert, key := pseudoCertificate(t, "Pseudo TPP "+testenv.Suffix()+" AISP PISP")
	ps := h.software(tlsPair(t, qwac, qwacKey))
	ps.install()
	r = ps.call("POST", "/certificate-registration", ps.token, map[string]any{"qwac": cert, "signature": ps.sign(key), "administratorEmail": admin}).expect(t, 201, "")
	if g := r.body["organization"].(map[string]any); fmt.Sprint(g["services"]) != "[AIS PIS]" || !strings.HasPrefix(g["organizationIdentifier"].(string), "PSEUDO-") {
		t.Fatalf("pseudo %s", r.raw)
	}
}

func mustPseudo(t *testing.T, cn string) string {
	c, _ := pseudoCertificate(t, cn)
	return c
}

// TestRegistrationInProduction: a production registration is an onboarding request
// operations decide, as a portal onboarding is; on approval the named administrator is
// invited, on rejection nobody, and no session opens before approval.
func TestRegistrationInProduction(t *testing.T) {
	h := newHarness(t, withLiveTruststore)
	for _, approve := range []bool{true, false} {
		ident := "PSDBE-NBB-" + strings.ToUpper(testenv.Suffix())
		qwac, qwacKey := h.issueQWAC(ident, 90*24*time.Hour)
		qseal, qsealKey := h.issueEIDAS(sandboxca.EIDASRequest{Kind: sandboxca.KindQSealC, CommonName: "seal", Organization: "Acme Payments", Country: "BE",
			OrganizationIdentifier: ident, Roles: []string{"PSP_AI", "PSP_PI"}, NCAName: "National Bank of Belgium", NCAID: "BE-NBB"})
		sw := h.software(tlsPair(t, qwac, qwacKey))
		sw.install()
		admin := "prod-admin-" + testenv.Suffix() + "@example.com"
		form := map[string]any{"qwac": qwac, "signature": sw.sign(qwacKey), "administratorEmail": admin, "environment": "production", "roles": []string{"AIS"}}
		r := sw.call("POST", "/certificate-registration", sw.token, form).expect(t, 400, "VALIDATION_FAILED")
		if got := fmt.Sprint(r.fields()); !strings.HasPrefix(got, "[qsealc:required") {
			t.Fatalf("production without a QSealC: %s", got)
		}
		form["qsealc"], form["qsealcSignature"] = qseal, sw.sign(qsealKey)
		r = sw.call("POST", "/certificate-registration", sw.token, form).expect(t, 201, "")
		apiKey, requestID := r.body["apiKey"].(string), r.body["requestId"].(string)
		if r.body["organization"].(map[string]any)["status"] != "PENDING_APPROVAL" || requestID == "" {
			t.Fatalf("production registration %s", r.raw)
		}
		sw.call("POST", "/devices", sw.token, map[string]any{"apiKey": apiKey, "description": "backend", "permittedIps": []string{"127.0.0.1"}}).expect(t, 201, "")
		sw.call("POST", "/sessions", sw.token, map[string]any{"apiKey": apiKey}).expect(t, 409, "ORGANIZATION_NOT_ACTIVE")
		ops := h.ops()
		req := h.call(ops, "GET", "/api/ops/requests/"+requestID, nil).expect(t, 200, "").body["request"].(map[string]any)
		if form := req["form"].(map[string]any); form["registeredThrough"] != "api" || form["administratorEmail"] != admin || req["kind"] != "ONBOARDING" {
			t.Fatalf("request %v", req)
		}
		if !approve {
			h.decide(ops, requestID, "reject", "Licence not found.").expect(t, 202, "")
			h.eventually(ops, "GET", "/api/ops/requests/"+requestID, nil, func(r response) bool { return h.mailCount(admin, "was not approved") > 0 })
			if h.mailCount(admin, "invited") != 0 || !strings.Contains(h.lastMail(admin, "was not approved"), "Licence not found.") {
				t.Fatalf("rejection mails: %v", h.mails())
			}
			sw.call("POST", "/sessions", sw.token, map[string]any{"apiKey": apiKey}).expect(t, 409, "ORGANIZATION_NOT_ACTIVE")
			continue
		}
		h.approveTwice(requestID, "Licence checked.", "Checked again.")
		h.eventually(ops, "GET", "/api/ops/requests/"+requestID, nil, func(r response) bool { return h.mailCount(admin, "is approved") > 0 })
		mail := h.lastMail(admin, "is approved")
		if !strings.Contains(mail, "/invitations/accept#token=") || !strings.Contains(mail, "as Administrator") {
			t.Fatalf("approval mail %q", mail)
		}
		sw.call("POST", "/sessions", sw.token, map[string]any{"apiKey": apiKey}).expect(t, 201, "")
	}
}

// TestRegistrationInProductionExpires: a production registration nobody decides in time
// expires; its organization stays unusable and nobody is invited.
func TestRegistrationInProductionExpires(t *testing.T) {
	h := newHarness(t, withLiveTruststore, func(c *config.Config) { c.DecisionTimeout = 2 * time.Second })
	ident := "PSDBE-NBB-" + strings.ToUpper(testenv.Suffix())
	qwac, qwacKey := h.issueQWAC(ident, 90*24*time.Hour)
	qseal, qsealKey := h.issueEIDAS(sandboxca.EIDASRequest{Kind: sandboxca.KindQSealC, CommonName: "seal", Organization: "Acme Payments", Country: "BE",
		OrganizationIdentifier: ident, Roles: []string{"PSP_AI", "PSP_PI"}, NCAName: "National Bank of Belgium", NCAID: "BE-NBB"})
	sw := h.software(tlsPair(t, qwac, qwacKey))
	sw.install()
	admin := "late-admin-" + testenv.Suffix() + "@example.com"
	r := sw.call("POST", "/certificate-registration", sw.token, map[string]any{"qwac": qwac, "signature": sw.sign(qwacKey),
		"qsealc": qseal, "qsealcSignature": sw.sign(qsealKey), "administratorEmail": admin, "environment": "production", "roles": []string{"AIS"}}).expect(t, 201, "")
	apiKey, requestID := r.body["apiKey"].(string), r.body["requestId"].(string)
	sw.call("POST", "/devices", sw.token, map[string]any{"apiKey": apiKey, "description": "backend", "permittedIps": []string{"127.0.0.1"}}).expect(t, 201, "")
	ops := h.ops()
	h.eventually(ops, "GET", "/api/ops/requests/"+requestID, nil, func(r response) bool {
		req, _ := r.body["request"].(map[string]any)
		return req["status"] == "EXPIRED"
	})
	if n := h.mailCount(admin, "invited") + h.mailCount(admin, "is approved"); n != 0 {
		t.Fatalf("an expired registration sent %d invitation mails: %v", n, h.mails())
	}
	sw.call("POST", "/sessions", sw.token, map[string]any{"apiKey": apiKey}).expect(t, 409, "ORGANIZATION_NOT_ACTIVE")
}
