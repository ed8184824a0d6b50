package devstack_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
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

// TestReadsWithoutTokenOverMTLS is a TPP that uses the bank's own SCA approaches on the
// local stack, over mutual TLS with its certificate and API key: a consent authorised on
// the bank's redirect page (scaRedirect, driven by form posts), one authorised in a
// signing basket on that page, and one in a basket authorised through OAuth2 (scope
// SBS:<basketId>) are each read (the account list and the balances) with the Consent-ID
// and no Authorization header, as the Berlin Group sends none after an SCA that was not
// OAuth2's for the consent. A token presented must still be one of the consent: the
// basket's is refused. Every answer is checked against the official Berlin Group file.
func TestReadsWithoutTokenOverMTLS(t *testing.T) {
	s, w := startTPPStack(t, devstack.Options{}, time.Now().UTC())
	w.Organization(t, "tl", org.Sandbox, org.StatusActive, "PIS", "AIS")
	w.Certificate(t, s.CA, "tl-cert", w.App(t, "tl", "tl-app", org.Sandbox, []string{"oauth2", "pis", "ais"}, "tl"), true)
	const secret = "the-secret-of-tl-app-0123456789abcdef"
	w.OAuthClient(t, "tl-app", secret, "https://tpp.example/cb")
	w.RedirectURIs(t, "tl", "tl-app", "https://tpp.example/cb")
	roots := x509.NewCertPool()
	roots.AddCert(s.CA.Cert)
	tpp := w.MTLSClient(roots, "tl-cert", "tl")
	n := 0
	call := func(method, path string, headers map[string]string, body string) (int, map[string]any, http.Header) {
		t.Helper()
		req, _ := http.NewRequest(method, s.TPPURL+path, bytes.NewReader([]byte(body)))
		n++
		req.Header.Set("X-Request-ID", fmt.Sprintf("7c1e2d3f-4a5b-4c6d-8e9f-%012d", n))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("PSU-IP-Address", "192.0.2.10")
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		resp, err := tpp.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]any
		_ = json.Unmarshal(bgspec.CheckResponse(t, bgspec.NextGenPSD2, req, resp), &out)
		return resp.StatusCode, out, resp.Header
	}
	link := func(out map[string]any, name string) string {
		l, _ := out["_links"].(map[string]any)[name].(map[string]any)
		h, _ := l["href"].(string)
		return h
	}

	account := currentAccount(t, s)
	var customer sandboxbank.Customer
	for _, c := range s.Bank.Customers {
		if c.ID == account.CustomerID {
			customer = c
		}
	}
	var ledger sandboxbank.Ledger
	for _, l := range s.Bank.Ledgers {
		if l.AccountID == account.ResourceID {
			ledger = l
		}
	}
	redirect := map[string]string{"TPP-Redirect-Preferred": "true", "TPP-Redirect-URI": "https://tpp.example/signed", "TPP-Nok-Redirect-URI": "https://tpp.example/refused"}
	ref := []map[string]string{{"iban": account.IBAN}}
	consentBody, _ := json.Marshal(map[string]any{"access": map[string]any{"accounts": ref, "balances": ref},
		"recurringIndicator": true, "validUntil": "9999-12-31", "frequencyPerDay": 4, "combinedServiceIndicator": false})
	newConsent := func(headers map[string]string) string {
		t.Helper()
		status, out, _ := call("POST", "/v1/consents", headers, string(consentBody))
		if status != 201 || out["consentStatus"] != "received" {
			t.Fatalf("create the consent: %d %v", status, out)
		}
		return out["consentId"].(string)
	}
	// authoriseOnRedirectPage starts the authorisation of the resource at path on the
	// bank's redirect page, where the customer signs in and approves: the browser goes back
	// to TPP-Redirect-URI.
	authoriseOnRedirectPage := func(path string) {
		t.Helper()
		status, out, h := call("POST", path+"/authorisations", redirect, "")
		if status != 201 || out["scaStatus"] != "received" || h.Get("ASPSP-SCA-Approach") != "REDIRECT" || !strings.HasPrefix(link(out, "scaRedirect"), s.PortalURL+bankpages.SCAPath+"?") {
			t.Fatalf("start the authorisation of %s: %d %v %v", path, status, out, h)
		}
		b := newBankBrowser(t, s.PortalURL)
		if p := b.get(link(out, "scaRedirect")); p.status != 200 || !strings.Contains(p.body, `id="page-sign-in"`) {
			t.Fatalf("the redirect page: %d %s", p.status, p.body)
		}
		if p := b.post(bankpages.SignInPath, url.Values{"login": {customer.Login}, "password": {sandboxbank.SandboxPassword}, "otp": {sandboxbank.SandboxOTP}}); p.status != 200 || !strings.Contains(p.body, `id="page-sca"`) {
			t.Fatalf("the authorisation page: %d %s", p.status, p.body)
		}
		if p := b.post(bankpages.SCAPath, url.Values{"decision": {"approve"}}); p.redirect == nil || p.redirect.String() != "https://tpp.example/signed" {
			t.Fatalf("not sent back to the TPP: %d %v %s", p.status, p.redirect, p.body)
		}
		if status, out, _ := call("GET", h.Get("Location"), nil, ""); status != 200 || out["scaStatus"] != "finalised" {
			t.Fatalf("the authorisation: %d %v", status, out)
		}
	}
	newBasket := func(consentID string, headers map[string]string) string {
		t.Helper()
		body, _ := json.Marshal(map[string][]string{"consentIds": {consentID}})
		status, out, _ := call("POST", "/v1/signing-baskets", headers, string(body))
		if status != 201 || out["transactionStatus"] != "RCVD" {
			t.Fatalf("create the basket: %d %v", status, out)
		}
		return fmt.Sprint(out["basketId"])
	}

	// The balances as the bank keeps them, as JSON with its keys in order as a decoded
	// answer writes them; nothing in the test moves money.
	var balances any
	raw, _ := json.Marshal(ledger.Balances(time.Now().UTC()))
	_ = json.Unmarshal(raw, &balances)
	wantBalances, _ := json.Marshal(balances)
	booked := sandboxbank.AmountOf(sandboxbank.Money{Minor: ledger.Booked, Currency: ledger.Currency}).Amount
	read := func(t *testing.T, consentID string) {
		t.Helper()
		status, out, _ := call("GET", "/v1/consents/"+consentID+"/status", nil, "")
		if status != 200 || out["consentStatus"] != "valid" {
			t.Fatalf("the consent: %d %v", status, out)
		}
		status, out, _ = call("GET", "/v1/accounts", map[string]string{"Consent-ID": consentID}, "")
		list, _ := out["accounts"].([]any)
		if status != 200 || len(list) != 1 || list[0].(map[string]any)["iban"] != account.IBAN || list[0].(map[string]any)["resourceId"] != account.ResourceID {
			t.Fatalf("accounts without a token: %d %v, want %s", status, out, account.IBAN)
		}
		status, out, _ = call("GET", "/v1/accounts/"+account.ResourceID+"/balances", map[string]string{"Consent-ID": consentID}, "")
		got, _ := json.Marshal(out["balances"])
		if status != 200 || string(got) != string(wantBalances) || out["account"].(map[string]any)["iban"] != account.IBAN {
			t.Fatalf("balances without a token: %d %v, want %s", status, out, wantBalances)
		}
		interim := out["balances"].([]any)[1].(map[string]any)
		if interim["balanceType"] != "interimBooked" || interim["balanceAmount"].(map[string]any)["amount"] != booked {
			t.Fatalf("interimBooked %v, want %s %s", interim, booked, ledger.Currency)
		}
	}

	t.Run("a consent authorised on the redirect page", func(t *testing.T) {
		id := newConsent(redirect)
		authoriseOnRedirectPage("/v1/consents/" + id)
		read(t, id)
	})
	t.Run("a consent authorised in a basket on the redirect page", func(t *testing.T) {
		id := newConsent(nil)
		authoriseOnRedirectPage("/v1/signing-baskets/" + newBasket(id, redirect))
		read(t, id)
	})
	t.Run("a consent authorised in a basket through OAuth2", func(t *testing.T) {
		id := newConsent(nil)
		basket := newBasket(id, nil)
		conf := &oauth2.Config{ClientID: "client-tl-app", ClientSecret: secret, RedirectURL: "https://tpp.example/cb", Scopes: []string{"SBS:" + basket},
			Endpoint: oauth2.Endpoint{AuthURL: s.Config.OAuthAuthorizeURL, TokenURL: s.TPPURL + "/oauth2/token", AuthStyle: oauth2.AuthStyleInHeader}}
		b := newBankBrowser(t, s.PortalURL)
		verifier := oauth2.GenerateVerifier()
		b.get(conf.AuthCodeURL("state-0123456789", oauth2.S256ChallengeOption(verifier)))
		b.post(bankpages.SignInPath, url.Values{"login": {customer.Login}, "password": {sandboxbank.SandboxPassword}, "otp": {sandboxbank.SandboxOTP}})
		p := b.post(bankpages.ConsentPath, url.Values{"decision": {"approve"}})
		if p.redirect == nil || p.redirect.Query().Get("code") == "" {
			t.Fatalf("not redirected with a code: %d %v %s", p.status, p.redirect, p.body)
		}
		tok, err := conf.Exchange(context.WithValue(context.Background(), oauth2.HTTPClient, tpp), p.redirect.Query().Get("code"), oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatal(err)
		}
		read(t, id)
		// The basket's token names the basket, not its consent: presented, it is refused.
		status, out, _ := call("GET", "/v1/accounts", map[string]string{"Consent-ID": id, "Authorization": "Bearer " + tok.AccessToken}, "")
		if msgs, _ := out["tppMessages"].([]any); status != 401 || len(msgs) != 1 || msgs[0].(map[string]any)["code"] != "TOKEN_INVALID" {
			t.Fatalf("the basket's token: %d %v", status, out)
		}
	})
	t.Run("no Consent-ID and no token", func(t *testing.T) {
		status, out, _ := call("GET", "/v1/accounts", nil, "")
		if msgs, _ := out["tppMessages"].([]any); status != 401 || len(msgs) != 1 || msgs[0].(map[string]any)["code"] != "TOKEN_INVALID" {
			t.Fatalf("%d %v", status, out)
		}
	})
}
