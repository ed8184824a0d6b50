package devstack_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/bank/devportal/shared/local/devstack"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/tpp/apidoc"
	"github.com/bank/devportal/shared/tpp/bankpages"
	"github.com/bank/devportal/shared/tpp/bgspec"
	"github.com/bank/devportal/shared/tpp/routes"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
)

// walkthroughConsent is the getting-started walkthrough's consent, the file its commands
// send (compacted, as JSON.stringify writes it): the bank-offered form, the longest
// consent.
func walkthroughConsent(t *testing.T) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	raw, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", "..", "frontend", "src", "lib", "walkthrough-consent.json"))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestGettingStartedWalkthrough runs the portal's getting-started commands as a TPP's
// shell would, on the local stack: the description without a certificate; then, with
// the app's certificate and API key only (tls_client_auth: no secret anywhere), the
// consent, the pushed authorization request with PKCE and the scope AIS:<consentId>, the
// customer's choice at the bank, the code exchange and the account list with balances
// and no PSU-IP-Address. Each answer fits the bank's own description (package apidoc),
// and the Berlin Group ones the official file.
func TestGettingStartedWalkthrough(t *testing.T) {
	s, w := startTPPStack(t, devstack.Options{}, time.Now().UTC())
	w.Organization(t, "gs", org.Sandbox, org.StatusActive, "AIS")
	w.Certificate(t, s.CA, "gs-cert", w.App(t, "gs", "gs-app", org.Sandbox, []string{"oauth2", "ais"}, "gs"), true)
	const redirect = "https://budget.example/cb"
	w.OAuthClient(t, "gs-app", "a-secret-the-walkthrough-never-sends-0123", redirect)
	w.RedirectURIs(t, "gs", "gs-app", redirect)
	const clientID = "client-gs-app"
	roots := x509.NewCertPool()
	roots.AddCert(s.CA.Cert)
	tpp := w.MTLSClient(roots, "gs-cert", "gs")
	check := ownDocument(t)

	// The description needs no certificate, and names this stack.
	anon := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	resp, err := anon.Get(s.TPPURL + routes.DescriptionPath)
	if err != nil {
		t.Fatal(err)
	}
	var described struct {
		Servers []struct{ URL string } `json:"servers"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&described)
	resp.Body.Close()
	if resp.StatusCode != 200 || len(described.Servers) != 1 || described.Servers[0].URL != s.TPPURL {
		t.Fatalf("GET %s: %d %+v", routes.DescriptionPath, resp.StatusCode, described)
	}

	// The metadata is as described: no property the description does not name.
	req, _ := http.NewRequest("GET", s.TPPURL+"/.well-known/oauth-authorization-server", nil)
	resp, err = anon.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	check(req, resp, raw)

	send := func(req *http.Request, official string) (int, map[string]any) {
		t.Helper()
		resp, err := tpp.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var raw []byte
		if official != "" {
			raw = bgspec.CheckResponse(t, official, req, resp)
		} else {
			raw, _ = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		check(req, resp, raw)
		var out map[string]any
		_ = json.Unmarshal(raw, &out)
		return resp.StatusCode, out
	}
	form := func(path string, f url.Values) *http.Request {
		req, _ := http.NewRequest("POST", s.TPPURL+path, strings.NewReader(f.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return req
	}

	// 3. The consent.
	req, _ = http.NewRequest("POST", s.TPPURL+"/v1/consents", strings.NewReader(walkthroughConsent(t)))
	req.Header.Set("X-Request-ID", "6f1c0e3a-8b1d-4c7e-9a55-0d2f3b4c5d6e")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("TPP-Redirect-URI", redirect)
	status, created := send(req, bgspec.NextGenPSD2)
	consentID, _ := created["consentId"].(string)
	if status != 201 || consentID == "" {
		t.Fatalf("the consent: %d %v", status, created)
	}

	// 4. The pushed request, then the customer at the bank.
	verifier := strings.Repeat("v3rifier", 8)
	sum := sha256.Sum256([]byte(verifier))
	status, par := send(form("/oauth2/par", url.Values{"client_id": {clientID}, "response_type": {"code"}, "redirect_uri": {redirect},
		"scope": {"AIS:" + consentID}, "state": {"0123456789abcdef0123456789abcdef"},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}}), "")
	requestURI, _ := par["request_uri"].(string)
	if status != 201 || requestURI == "" {
		t.Fatalf("PAR: %d %v", status, par)
	}
	customer := s.Bank.Customers[0]
	var account sandboxbank.Account
	for _, a := range s.Bank.Accounts {
		if a.CustomerID == customer.ID && a.Kind == sandboxbank.Current {
			account = a
			break
		}
	}
	b := newBankBrowser(t, s.PortalURL)
	b.get(s.Config.OAuthAuthorizeURL + "?" + url.Values{"client_id": {clientID}, "request_uri": {requestURI}}.Encode())
	b.post(bankpages.SignInPath, url.Values{"login": {customer.Login}, "password": {sandboxbank.SandboxPassword}, "otp": {sandboxbank.SandboxOTP}})
	p := b.post(bankpages.ConsentPath, url.Values{"decision": {"approve"}, "account": {account.ResourceID}})
	if p.redirect == nil || p.redirect.Query().Get("code") == "" {
		t.Fatalf("the bank did not send the customer back with a code: %d %v %.300s", p.status, p.redirect, p.body)
	}

	// 5. The code for tokens, with the certificate only.
	status, tok := send(form("/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "client_id": {clientID},
		"code": {p.redirect.Query().Get("code")}, "redirect_uri": {redirect}, "code_verifier": {verifier}}), "")
	accessToken, _ := tok["access_token"].(string)
	if status != 200 || accessToken == "" {
		t.Fatalf("token: %d %v", status, tok)
	}

	// 6. The accounts, as the customer chose them, with their balances.
	req, _ = http.NewRequest("GET", s.TPPURL+"/v1/accounts?withBalance=true", nil)
	req.Header.Set("X-Request-ID", "7a2d1f4b-9c3e-4d8f-8b66-1e3a4c5d6f70")
	req.Header.Set("Consent-ID", consentID)
	req.Header.Set("Authorization", "Bearer "+accessToken)
	status, list := send(req, bgspec.NextGenPSD2)
	accounts, _ := list["accounts"].([]any)
	if status != 200 || len(accounts) != 1 {
		t.Fatalf("accounts: %d %v", status, list)
	}
	got := accounts[0].(map[string]any)
	if balances, _ := got["balances"].([]any); got["iban"] != account.IBAN || len(balances) == 0 {
		t.Fatalf("the account %v, want %s with its balances", got, account.IBAN)
	}
}

// ownDocument checks answers against the bank's own description, as the official file
// checks the Berlin Group ones: the operation of the request, its status, its headers
// and its body's schema.
func ownDocument(t *testing.T) func(req *http.Request, resp *http.Response, body []byte) {
	t.Helper()
	raw, err := apidoc.JSON(apidoc.Origins{TPP: bgspec.Server, AuthorizeURL: "https://portal.bank.example/oauth2/authorize"})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatal(err)
	}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return func(req *http.Request, resp *http.Response, body []byte) {
		t.Helper()
		match := req.Clone(context.Background())
		match.URL.Scheme, match.URL.Host, match.Host = "https", "api.bank.example", "api.bank.example"
		match.Body = http.NoBody
		route, params, err := router.FindRoute(match)
		if err != nil {
			t.Fatalf("%s %s is no operation of the bank's description: %v", req.Method, req.URL.Path, err)
		}
		in := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{Request: match, PathParams: params, Route: route,
				Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}},
			Status: resp.StatusCode, Header: resp.Header, Body: io.NopCloser(bytes.NewReader(body)),
			Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
		}
		if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
			t.Errorf("%s %s answered %d %s, which the bank's description does not allow: %v", req.Method, req.URL.Path, resp.StatusCode, body, err)
		}
	}
}
