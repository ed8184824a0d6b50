package portalapi_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/portal/apps"
	"github.com/bank/devportal/shared/portal/routes"
	"github.com/bank/devportal/shared/portal/store"
	"github.com/bank/devportal/shared/trust/sandboxca"
)

// dcrCall sends a dynamic client registration request over mutual TLS with cert, and the
// registration access token as a bearer token when given.
func (h *harness) dcrCall(cert tls.Certificate, method, path, token string, body []byte) response {
	h.t.Helper()
	if h.tlsSrv == nil {
		h.tlsSrv = httptest.NewUnstartedServer(h.mux)
		h.tlsSrv.TLS = &tls.Config{ClientAuth: tls.RequestClientCert}
		h.tlsSrv.StartTLS()
		h.t.Cleanup(h.tlsSrv.Close)
	}
	tr := h.tlsSrv.Client().Transport.(*http.Transport).Clone()
	tr.TLSClientConfig.Certificates = []tls.Certificate{cert}
	c := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	req, _ := http.NewRequest(method, h.tlsSrv.URL+routes.DynamicClientPath+path, bytes.NewReader(body))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	return readResponse(resp)
}

// dcrError fails unless r is the RFC 7591 error status/code (401s with WWW-Authenticate).
func dcrError(t *testing.T, r response, status int, code string) {
	t.Helper()
	if r.status != status || r.body["error"] != code || r.body["error_description"] == "" {
		t.Fatalf("got %d %s, want %d %s", r.status, r.raw, status, code)
	}
	if www := r.header.Get("WWW-Authenticate"); status == 401 && !strings.HasPrefix(www, `Bearer error="`+code+`"`) {
		t.Fatalf("WWW-Authenticate %q", www)
	}
}

// statement is a software statement: claims signed with key as a compact JWS.
func statement(t *testing.T, key crypto.Signer, claims map[string]any) string {
	t.Helper()
	alg := "PS256"
	if _, ok := key.(*ecdsa.PrivateKey); ok {
		alg = "ES256"
	}
	h, _ := json.Marshal(map[string]string{"alg": alg, "typ": "JWT"})
	p, _ := json.Marshal(claims)
	input := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(p)
	d := sha256.Sum256([]byte(input))
	var sig []byte
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		r, s, err := ecdsa.Sign(rand.Reader, k, d[:])
		if err != nil {
			t.Fatal(err)
		}
		sig = make([]byte, 64)
		r.FillBytes(sig[:32])
		s.FillBytes(sig[32:])
	case *rsa.PrivateKey:
		var err error
		if sig, err = rsa.SignPSS(rand.Reader, k, crypto.SHA256, d[:], nil); err != nil {
			t.Fatal(err)
		}
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// TestDynamicClientRegistration: software whose certificate the registration API
// registered registers an OAuth client with RFC 7591 (a software statement signed with
// its QSealC's key taking precedence), reads, replaces and deletes it with RFC 7592 and
// the registration access token (a new one at every read and update); the client is an
// app the portal shows. Each refusal answers RFC 7591's error and leaves the table as it
// was.
func TestDynamicClientRegistration(t *testing.T) {
	h := newHarness(t)
	ident := "PSDBE-NBB-" + strings.ToUpper(testenv.Suffix())
	qwac, qwacKey := h.issueQWAC(ident, 90*24*time.Hour)
	seal, sealKey := h.issueEIDAS(sandboxca.EIDASRequest{Kind: sandboxca.KindQSealC, CommonName: "seal-" + testenv.Suffix(), Organization: "Acme Payments", Country: "BE",
		OrganizationIdentifier: ident, Roles: []string{"PSP_AI", "PSP_PI"}, NCAName: "National Bank of Belgium", NCAID: "BE-NBB", NotAfter: time.Now().Add(90 * 24 * time.Hour)})
	cert := tlsPair(t, qwac, qwacKey)
	sw := h.software(cert)
	sw.install()
	sw.call("POST", "/certificate-registration", sw.token, map[string]any{"qwac": qwac, "signature": sw.sign(qwacKey), "qsealc": seal,
		"qsealcSignature": sw.sign(sealKey), "administratorEmail": "admin-" + testenv.Suffix() + "@example.com"}).expect(t, 201, "")

	stranger, strangerKey := pseudoCertificate(t, "Stranger TPP AISP")
	otherKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	good := map[string]any{"redirect_uris": []string{"https://budgetbuddy.example/callback"}, "client_name": "Budget Buddy",
		"grant_types": []string{"authorization_code", "refresh_token"}, "token_endpoint_auth_method": "tls_client_auth", "scope": "AIS PIS", "logo_uri": "https://budgetbuddy.example/logo.png"}
	with := func(k string, v any) []byte {
		m := map[string]any{}
		for k, v := range good {
			m[k] = v
		}
		m[k] = v
		return mustJSON(m)
	}
	for _, c := range []struct {
		name   string
		cert   tls.Certificate
		body   []byte
		status int
		code   string
	}{
		{"certificate not registered", tlsPair(t, stranger, strangerKey), mustJSON(good), 401, "invalid_client"},
		{"not JSON", cert, []byte("{"), 400, "invalid_client_metadata"},
		{"redirect URI not https", cert, with("redirect_uris", []string{"http://budgetbuddy.example/callback"}), 400, "invalid_redirect_uri"},
		{"redirect URI with a fragment", cert, with("redirect_uris", []string{"https://budgetbuddy.example/cb#x"}), 400, "invalid_redirect_uri"},
		{"no redirect URI for the code grant", cert, with("redirect_uris", []string{}), 400, "invalid_redirect_uri"},
		{"unsupported grant", cert, with("grant_types", []string{"password"}), 400, "invalid_client_metadata"},
		{"grant and response types disagree", cert, mustJSON(map[string]any{"grant_types": []string{"client_credentials"}, "response_types": []string{"code"}}), 400, "invalid_client_metadata"},
		{"unsupported authentication", cert, with("token_endpoint_auth_method", "private_key_jwt"), 400, "invalid_client_metadata"},
		{"unknown scope", cert, with("scope", "AIS openid"), 400, "invalid_client_metadata"},
		{"statement not a JWS", cert, with("software_statement", "abc"), 400, "invalid_software_statement"},
		{"statement signed with another key", cert, with("software_statement", statement(t, otherKey, map[string]any{"client_name": "X"})), 400, "invalid_software_statement"},
		{"statement expired", cert, with("software_statement", statement(t, sealKey, map[string]any{"exp": time.Now().Add(-time.Minute).Unix()})), 400, "invalid_software_statement"},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := h.tableItems()
			dcrError(t, h.dcrCall(c.cert, "POST", "", "", c.body), c.status, c.code)
			if after := h.tableItems(); !reflect.DeepEqual(before, after) {
				t.Fatalf("refused, but the table changed: %d items, then %d", len(before), len(after))
			}
		})
	}

	// The statement's claims take precedence over the members beside it.
	ss := statement(t, sealKey, map[string]any{"client_name": "Budget Buddy Pro", "exp": time.Now().Add(time.Hour).Unix()})
	r := h.dcrCall(cert, "POST", "", "", with("software_statement", ss))
	if r.status != 201 {
		t.Fatalf("register: %d %s", r.status, r.raw)
	}
	clientID, _ := r.body["client_id"].(string)
	token, _ := r.body["registration_access_token"].(string)
	secret, _ := r.body["client_secret"].(string)
	// The app's API key, which every TPP API call carries, is shown with the secret.
	if clientID == "" || len(secret) < 20 || len(token) < 20 || strings.Count(fmt.Sprint(r.body["api_key"]), ".") != 2 {
		t.Fatalf("registered %s", r.raw)
	}
	want := map[string]any{"client_name": "Budget Buddy Pro", "redirect_uris": []any{"https://budgetbuddy.example/callback"},
		"grant_types": []any{"authorization_code", "refresh_token"}, "response_types": []any{"code"}, "token_endpoint_auth_method": "tls_client_auth",
		"scope": "AIS PIS", "software_statement": ss, "client_secret_expires_at": 0.0, "registration_client_uri": h.cfg.TPPURL + routes.DynamicClientPath + "/" + clientID}
	for k, v := range want {
		if !reflect.DeepEqual(r.body[k], v) {
			t.Errorf("%s = %v, want %v", k, r.body[k], v)
		}
	}
	if r.header.Get("Cache-Control") != "no-store" || r.header.Get("Pragma") != "no-cache" {
		t.Errorf("cached: %v", r.header)
	}
	// The client is an app of the organization, marked as registered through the API,
	// with its redirect URI; only the token's hash is kept.
	items := strings.Join(h.tableItems(), "\n")
	if !strings.Contains(items, `"name":"Budget Buddy Pro"`) || !strings.Contains(items, `"registeredThroughApi":true`) || strings.Contains(items, token) {
		t.Fatalf("the table after registration:\n%s", items)
	}

	// Read: the token is required, and each read replaces it.
	for _, c := range []struct{ name, path, token string }{
		{"no token", "/" + clientID, ""}, {"wrong token", "/" + clientID, "nope"}, {"no such client", "/nope", token},
	} {
		t.Run("read "+c.name, func(t *testing.T) {
			dcrError(t, h.dcrCall(cert, "GET", c.path, c.token, nil), 401, "invalid_token")
		})
	}
	dcrError(t, h.dcrCall(tlsPair(t, stranger, strangerKey), "GET", "/"+clientID, token, nil), 401, "invalid_client")
	r = h.dcrCall(cert, "GET", "/"+clientID, token, nil)
	next, _ := r.body["registration_access_token"].(string)
	if r.status != 200 || r.body["client_id"] != clientID || r.body["client_name"] != "Budget Buddy Pro" || r.body["client_secret"] != nil || r.body["api_key"] != nil || next == "" || next == token {
		t.Fatalf("read: %d %s", r.status, r.raw)
	}
	dcrError(t, h.dcrCall(cert, "GET", "/"+clientID, token, nil), 401, "invalid_token")
	token = next

	// Update: a full replacement under the registration's rules.
	update := map[string]any{"client_id": clientID, "client_name": "Budget Buddy 2", "redirect_uris": []string{"https://budgetbuddy.example/v2/callback", "https://budgetbuddy.example/alt"},
		"grant_types": []string{"authorization_code"}, "token_endpoint_auth_method": "client_secret_basic"}
	upd := func(k string, v any) []byte {
		m := map[string]any{}
		for k, v := range update {
			m[k] = v
		}
		m[k] = v
		return mustJSON(m)
	}
	for _, c := range []struct {
		name   string
		token  string
		body   []byte
		status int
		code   string
	}{
		{"wrong token", "nope", mustJSON(update), 401, "invalid_token"},
		{"other client ID", token, upd("client_id", "other"), 400, "invalid_client_metadata"},
		{"server-issued member", token, upd("registration_access_token", token), 400, "invalid_client_metadata"},
		{"bad redirect URI", token, upd("redirect_uris", []string{"https://budgetbuddy.example/*"}), 400, "invalid_redirect_uri"},
		{"unsupported grant", token, upd("grant_types", []string{"implicit"}), 400, "invalid_client_metadata"},
		{"a secret that is not the client's", token, upd("client_secret", "chosen-by-the-client"), 400, "invalid_client_metadata"},
	} {
		t.Run("update "+c.name, func(t *testing.T) {
			before := h.tableItems()
			dcrError(t, h.dcrCall(cert, "PUT", "/"+clientID, c.token, c.body), c.status, c.code)
			if after := h.tableItems(); !reflect.DeepEqual(before, after) {
				t.Fatalf("refused, but the table changed")
			}
		})
	}
	// The current secret may be sent (RFC 7592 section 2.2); it stays the secret.
	r = h.dcrCall(cert, "PUT", "/"+clientID, token, upd("client_secret", secret))
	next, _ = r.body["registration_access_token"].(string)
	if r.status != 200 || r.body["client_name"] != "Budget Buddy 2" || fmt.Sprint(r.body["redirect_uris"]) != "[https://budgetbuddy.example/v2/callback https://budgetbuddy.example/alt]" ||
		r.body["scope"] != nil || r.body["software_statement"] != nil || r.body["token_endpoint_auth_method"] != "client_secret_basic" || next == token {
		t.Fatalf("update: %d %s", r.status, r.raw)
	}
	token = next
	items = strings.Join(h.tableItems(), "\n")
	if !strings.Contains(items, `"name":"Budget Buddy 2"`) || !strings.Contains(items, "https://budgetbuddy.example/v2/callback") {
		t.Fatalf("the app after the update:\n%s", items)
	}

	// Delete: the app and its registration go.
	dcrError(t, h.dcrCall(cert, "DELETE", "/"+clientID, "nope", nil), 401, "invalid_token")
	if r = h.dcrCall(cert, "DELETE", "/"+clientID, token, nil); r.status != 204 {
		t.Fatalf("delete: %d %s", r.status, r.raw)
	}
	dcrError(t, h.dcrCall(cert, "GET", "/"+clientID, token, nil), 401, "invalid_token")
	if items := h.tableItems(); slices.ContainsFunc(items, func(s string) bool { return strings.Contains(s, "DCRCLIENT#") }) {
		t.Fatalf("the client is still there:\n%s", strings.Join(items, "\n"))
	}
}

// revokeAtSandboxCA records certPEM's revocation by the sandbox CA, as the portal's
// revocation writes it (the record the CA's CRL and its revocation check are made from).
func (h *harness) revokeAtSandboxCA(certPEM string, reason int) {
	h.t.Helper()
	b, _ := pem.Decode([]byte(certPEM))
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		h.t.Fatal(err)
	}
	serial := c.SerialNumber.Text(16)
	item, err := attributevalue.MarshalMap(struct {
		store.Key
		apps.CARevocation
	}{store.SandboxRevocationKey(serial), apps.CARevocation{Serial: serial, RevokedAt: time.Now().Add(-time.Hour).UTC().Truncate(time.Second), Reason: reason}})
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := dynamodb.NewFromConfig(h.awsConfig()).PutItem(context.Background(), &dynamodb.PutItemInput{TableName: &h.cfg.PortalTable, Item: item}); err != nil {
		h.t.Fatal(err)
	}
}

// TestRegistrationRefusesRevokedCertificates: a certificate the sandbox CA revoked is
// refused by the registration API's certificate registration (the field and the CA's
// date and reason named), and, revoked after its registration, by dynamic client
// registration: as the connection's credential (401 invalid_client) and as the key of a
// software statement (400 invalid_software_statement). Nothing is created.
func TestRegistrationRefusesRevokedCertificates(t *testing.T) {
	h := newHarness(t)
	t.Run("certificate registration", func(t *testing.T) {
		ident := "PSDBE-NBB-" + strings.ToUpper(testenv.Suffix())
		qwac, qwacKey := h.issueQWAC(ident, 90*24*time.Hour)
		seal, sealKey := h.issueEIDAS(sandboxca.EIDASRequest{Kind: sandboxca.KindQSealC, CommonName: "seal-" + testenv.Suffix(), Organization: "Acme Payments", Country: "BE",
			OrganizationIdentifier: ident, Roles: []string{"PSP_AI", "PSP_PI"}, NCAName: "National Bank of Belgium", NCAID: "BE-NBB", NotAfter: time.Now().Add(90 * 24 * time.Hour)})
		sw := h.software(tlsPair(t, qwac, qwacKey))
		sw.install()
		h.revokeAtSandboxCA(qwac, sandboxca.ReasonKeyCompromise)
		h.revokeAtSandboxCA(seal, sandboxca.ReasonSuperseded)
		before := h.tableItems()
		r := sw.call("POST", "/certificate-registration", sw.token, map[string]any{"qwac": qwac, "signature": sw.sign(qwacKey), "qsealc": seal,
			"qsealcSignature": sw.sign(sealKey), "administratorEmail": "admin-" + testenv.Suffix() + "@example.com"}).expect(t, 400, "VALIDATION_FAILED")
		day := time.Now().Add(-time.Hour).UTC().Format(time.DateOnly)
		if fmt.Sprint(r.fields()) != "[qwac:revoked qsealc:revoked]" ||
			fieldMessage(r, "qwac") != "Your QWAC was revoked by its certificate authority on "+day+" (UTC), reason: keyCompromise. Use a certificate that is not revoked." ||
			fieldMessage(r, "qsealc") != "Your QSealC was revoked by its certificate authority on "+day+" (UTC), reason: superseded. Use a certificate that is not revoked." {
			t.Fatalf("registration = %s", r.raw)
		}
		if after := h.tableItems(); !reflect.DeepEqual(before, after) {
			t.Fatalf("refused, but the table changed: %d items, then %d", len(before), len(after))
		}
	})

	t.Run("dynamic client registration", func(t *testing.T) {
		ident := "PSDBE-NBB-" + strings.ToUpper(testenv.Suffix())
		qwac, qwacKey := h.issueQWAC(ident, 90*24*time.Hour)
		seal, sealKey := h.issueEIDAS(sandboxca.EIDASRequest{Kind: sandboxca.KindQSealC, CommonName: "seal-" + testenv.Suffix(), Organization: "Acme Payments", Country: "BE",
			OrganizationIdentifier: ident, Roles: []string{"PSP_AI", "PSP_PI"}, NCAName: "National Bank of Belgium", NCAID: "BE-NBB", NotAfter: time.Now().Add(90 * 24 * time.Hour)})
		cert := tlsPair(t, qwac, qwacKey)
		sw := h.software(cert)
		sw.install()
		sw.call("POST", "/certificate-registration", sw.token, map[string]any{"qwac": qwac, "signature": sw.sign(qwacKey), "qsealc": seal,
			"qsealcSignature": sw.sign(sealKey), "administratorEmail": "admin-" + testenv.Suffix() + "@example.com"}).expect(t, 201, "")
		metadata := map[string]any{"redirect_uris": []string{"https://budgetbuddy.example/callback"}, "client_name": "Budget Buddy",
			"software_statement": statement(t, sealKey, map[string]any{"client_name": "Budget Buddy", "exp": time.Now().Add(time.Hour).Unix()})}
		day := time.Now().Add(-time.Hour).UTC().Format(time.DateOnly)
		for _, c := range []struct {
			name, revoke string
			reason       int
			status       int
			code, desc   string
		}{
			{"the statement's QSealC revoked", seal, sandboxca.ReasonCessationOfOperation, 400, "invalid_software_statement",
				"The software statement's key: Your QSealC was revoked by its certificate authority on " + day + " (UTC), reason: cessationOfOperation. Use a certificate that is not revoked."},
			{"the connection's QWAC revoked", qwac, sandboxca.ReasonKeyCompromise, 401, "invalid_client",
				"Your QWAC was revoked by its certificate authority on " + day + " (UTC), reason: keyCompromise. Use a certificate that is not revoked."},
		} {
			t.Run(c.name, func(t *testing.T) {
				h.revokeAtSandboxCA(c.revoke, c.reason)
				before := h.tableItems()
				r := h.dcrCall(cert, "POST", "", "", mustJSON(metadata))
				dcrError(t, r, c.status, c.code)
				if r.body["error_description"] != c.desc {
					t.Fatalf("error_description %q, want %q", r.body["error_description"], c.desc)
				}
				if after := h.tableItems(); !reflect.DeepEqual(before, after) {
					t.Fatalf("refused, but the table changed: %d items, then %d", len(before), len(after))
				}
			})
		}
	})
}
