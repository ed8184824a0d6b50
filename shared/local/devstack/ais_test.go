package devstack_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/bank/devportal/shared/local/devstack"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/tpp/bankpages"
	"github.com/bank/devportal/shared/tpp/bgspec"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
)

// TestAccountInformationOverMTLS is a TPP's account-information journey on the local
// stack, as its software would run it: over mutual TLS with its certificate and API key,
// a consent is created, the customer approves it at the sandbox bank, a standard OAuth2
// client exchanges the code, and the account list and a page of transactions are read
// with the token. Every answer is checked against the official Berlin Group file; a read
// without the token, or with a token of another consent, is refused.
func TestAccountInformationOverMTLS(t *testing.T) {
	s, w := startTPPStack(t, devstack.Options{}, time.Now().UTC())
	w.Organization(t, "bb", org.Sandbox, org.StatusActive, "AIS")
	w.Certificate(t, s.CA, "bb-cert", w.App(t, "bb", "bb-app", org.Sandbox, []string{"oauth2", "ais"}, "bb"), true)
	const secret = "the-secret-of-bb-app-0123456789abcdef"
	w.OAuthClient(t, "bb-app", secret, "https://tpp.example/cb")
	roots := x509.NewCertPool()
	roots.AddCert(s.CA.Cert)
	tpp := w.MTLSClient(roots, "bb-cert", "bb")

	customer := s.Bank.Customers[0]
	var account sandboxbank.Account
	for _, a := range s.Bank.Accounts {
		if a.CustomerID == customer.ID && a.Kind == sandboxbank.Current {
			account = a
			break
		}
	}
	call := func(method, path, consentID, token string, body any) (int, map[string]any) {
		t.Helper()
		var rd *bytes.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		} else {
			rd = bytes.NewReader(nil)
		}
		req, _ := http.NewRequest(method, s.TPPURL+path, rd)
		req.Header.Set("X-Request-ID", "99391c7e-ad88-49ec-a2ad-99ddcb1f7721")
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("PSU-IP-Address", "192.0.2.44")
		if consentID != "" {
			req.Header.Set("Consent-ID", consentID)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := tpp.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw := bgspec.CheckResponse(t, bgspec.NextGenPSD2, req, resp)
		var out map[string]any
		_ = json.Unmarshal(raw, &out)
		return resp.StatusCode, out
	}

	status, created := call("POST", "/v1/consents", "", "", map[string]any{
		"access":             map[string]any{"accounts": []any{map[string]string{"iban": account.IBAN}}, "transactions": []any{map[string]string{"iban": account.IBAN}}},
		"recurringIndicator": true, "validUntil": "9999-12-31", "frequencyPerDay": 4, "combinedServiceIndicator": false})
	consentID, _ := created["consentId"].(string)
	if status != 201 || consentID == "" {
		t.Fatalf("create the consent: %d %v", status, created)
	}

	conf := &oauth2.Config{ClientID: "client-bb-app", ClientSecret: secret, RedirectURL: "https://tpp.example/cb", Scopes: []string{"AIS:" + consentID},
		Endpoint: oauth2.Endpoint{AuthURL: s.Config.OAuthAuthorizeURL, TokenURL: s.TPPURL + "/oauth2/token", AuthStyle: oauth2.AuthStyleInHeader}}
	b := newBankBrowser(t, s.PortalURL)
	verifier := oauth2.GenerateVerifier()
	b.get(conf.AuthCodeURL("state-0123456789", oauth2.S256ChallengeOption(verifier)))
	b.post(bankpages.SignInPath, url.Values{"login": {customer.Login}, "password": {sandboxbank.SandboxPassword}, "otp": {sandboxbank.SandboxOTP}})
	p := b.post(bankpages.ConsentPath, url.Values{"decision": {"approve"}})
	if p.redirect == nil || p.redirect.Query().Get("code") == "" {
		t.Fatalf("the bank did not send the customer back with a code: %d %v %s", p.status, p.redirect, p.body)
	}
	tok, err := conf.Exchange(context.WithValue(context.Background(), oauth2.HTTPClient, tpp), p.redirect.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}

	if status, body := call("GET", "/v1/consents/"+consentID+"/status", "", "", nil); status != 200 || body["consentStatus"] != "valid" {
		t.Fatalf("status: %d %v", status, body)
	}
	status, list := call("GET", "/v1/accounts", consentID, tok.AccessToken, nil)
	accounts, _ := list["accounts"].([]any)
	if status != 200 || len(accounts) != 1 || accounts[0].(map[string]any)["iban"] != account.IBAN {
		t.Fatalf("accounts: %d %v", status, list)
	}
	status, page := call("GET", "/v1/accounts/"+account.ResourceID+"/transactions?bookingStatus=booked&dateFrom=2000-01-01", consentID, tok.AccessToken, nil)
	report, _ := page["transactions"].(map[string]any)
	if booked, _ := report["booked"].([]any); status != 200 || len(booked) == 0 {
		t.Fatalf("transactions: %d %v", status, page)
	}

	// Refused: no token; a token of another consent; an account outside the consent.
	if status, body := call("GET", "/v1/accounts", consentID, "", nil); status != 401 || !strings.Contains(body["tppMessages"].([]any)[0].(map[string]any)["code"].(string), "TOKEN_INVALID") {
		t.Fatalf("without a token: %d %v", status, body)
	}
	_, other := call("POST", "/v1/consents", "", "", map[string]any{
		"access": map[string]any{"allPsd2": "allAccounts"}, "recurringIndicator": true, "validUntil": "9999-12-31", "frequencyPerDay": 4, "combinedServiceIndicator": false})
	if status, body := call("GET", "/v1/accounts", other["consentId"].(string), tok.AccessToken, nil); status != 401 || body["tppMessages"].([]any)[0].(map[string]any)["code"] != "TOKEN_INVALID" {
		t.Fatalf("a token of another consent: %d %v", status, body)
	}
}
