package devstack_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/bank/devportal/shared/local/devstack"
	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/tpp/bankpages"
	"github.com/bank/devportal/shared/tpp/bgspec"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
	"github.com/bank/devportal/shared/tpp/sandboxbank/bankstore"
)

var authorisationInput = regexp.MustCompile(`name="authorisation" value="([^"]+)"`)

// TestPaymentSCAApproaches is a TPP's payments on the local stack over mutual TLS in the
// approaches other than OAuth2: one authorised embedded (PSU-ID and password, method,
// one-time code sent through the TPP), one decoupled (the customer approves in the bank's
// app, signed in with a plain HTTP client, while the TPP reads scaStatus), and the
// cancellation of an authorised standing order, authorised on the bank's redirect page
// that sends the browser back to TPP-Redirect-URI. Each payment moves the money once;
// every answer is checked against the official Berlin Group file.
func TestPaymentSCAApproaches(t *testing.T) {
	s, w := startTPPStack(t, devstack.Options{}, time.Now().UTC())
	w.Organization(t, "sc", org.Sandbox, org.StatusActive, "PIS")
	w.Certificate(t, s.CA, "sc-cert", w.App(t, "sc", "sc-app", org.Sandbox, []string{"oauth2", "pis"}, "sc"), true)
	// The redirect approach sends the customer back only to the app's registered domains.
	w.OAuthClient(t, "sc-app", "the-secret-of-sc-app-0123456789abcdef", "https://tpp.example/cb")
	w.RedirectURIs(t, "sc", "sc-app", "https://tpp.example/cb")
	roots := x509.NewCertPool()
	roots.AddCert(s.CA.Cert)
	tpp := w.MTLSClient(roots, "sc-cert", "sc")
	n := 0
	call := func(method, path string, headers map[string]string, body string) (int, map[string]any, http.Header) {
		t.Helper()
		req, _ := http.NewRequest(method, s.TPPURL+path, bytes.NewReader([]byte(body)))
		n++
		req.Header.Set("X-Request-ID", fmt.Sprintf("9d2c4b1a-3e5f-4a6b-8c7d-%012d", n))
		req.Header.Set("Content-Type", "application/json")
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

	payer := currentAccount(t, s)
	var payee sandboxbank.Account
	var customer sandboxbank.Customer
	for _, a := range s.Bank.Accounts {
		if a.CustomerID != payer.CustomerID && a.Kind == sandboxbank.Current && a.Currency == payer.Currency && a.ParentID == "" {
			payee = a
			break
		}
	}
	for _, c := range s.Bank.Customers {
		if c.ID == payer.CustomerID {
			customer = c
		}
	}
	bank := bankstore.New(dynamodb.NewFromConfig(testenv.AWS(t, s.Config)), s.Config.TPPTable)
	booked := func() int64 {
		t.Helper()
		l, err := bank.Ledger(context.Background(), payer.ResourceID)
		if err != nil {
			t.Fatal(err)
		}
		return l.Booked
	}
	transfer := func(amount string) string {
		b, _ := json.Marshal(map[string]any{"debtorAccount": map[string]string{"iban": payer.IBAN},
			"instructedAmount": map[string]string{"currency": payer.Currency, "amount": amount},
			"creditorAccount":  map[string]string{"iban": payee.IBAN}, "creditorName": "Payee"})
		return string(b)
	}
	embedded := map[string]string{"TPP-Redirect-Preferred": "false", "PSU-ID": customer.Login}
	password := `{"psuData":{"password":"` + sandboxbank.SandboxPassword + `"}}`
	authoriseEmbedded := func(path, sub string) {
		t.Helper()
		status, out, h := call("POST", path+"/"+sub, embedded, password)
		self := h.Get("Location")
		if status != 201 || out["scaStatus"] != "psuAuthenticated" || h.Get("ASPSP-SCA-Approach") != "EMBEDDED" || link(out, "selectAuthenticationMethod") != self {
			t.Fatalf("start: %d %v", status, out)
		}
		if status, out, _ := call("PUT", self, nil, `{"authenticationMethodId":"sms"}`); status != 200 || out["scaStatus"] != "scaMethodSelected" || link(out, "authoriseTransaction") != self {
			t.Fatalf("method: %d %v", status, out)
		}
		if status, out, _ := call("PUT", self, nil, `{"scaAuthenticationData":"`+sandboxbank.SandboxOTP+`"}`); status != 200 || out["scaStatus"] != "finalised" {
			t.Fatalf("code: %d %v", status, out)
		}
	}

	// Embedded.
	before := booked()
	status, out, h := call("POST", "/v1/payments/sepa-credit-transfers", map[string]string{"TPP-Redirect-Preferred": "false"}, transfer("2.50"))
	path := "/v1/payments/sepa-credit-transfers/" + fmt.Sprint(out["paymentId"])
	if status != 201 || h.Get("ASPSP-SCA-Approach") != "EMBEDDED" || link(out, "startAuthorisationWithPsuAuthentication") != path+"/authorisations" {
		t.Fatalf("initiate embedded: %d %v", status, out)
	}
	authoriseEmbedded(path, "authorisations")
	if status, out, _ := call("GET", path+"/status", nil, ""); status != 200 || out["transactionStatus"] != "ACCC" {
		t.Fatalf("status after the embedded approach: %d %v", status, out)
	}
	if after := booked(); after != before-250 {
		t.Fatalf("payer %d, was %d", after, before)
	}

	// Decoupled: the customer approves in the bank's app.
	status, out, h = call("POST", "/v1/payments/sepa-credit-transfers", map[string]string{"TPP-Decoupled-Preferred": "true"}, transfer("3.25"))
	path = "/v1/payments/sepa-credit-transfers/" + fmt.Sprint(out["paymentId"])
	if status != 201 || h.Get("ASPSP-SCA-Approach") != "DECOUPLED" || link(out, "startAuthorisationWithPsuIdentification") != path+"/authorisations" {
		t.Fatalf("initiate decoupled: %d %v", status, out)
	}
	status, out, h = call("POST", path+"/authorisations", map[string]string{"TPP-Decoupled-Preferred": "true", "PSU-ID": customer.Login}, "")
	self := h.Get("Location")
	if status != 201 || out["scaStatus"] != "started" || h.Get("ASPSP-SCA-Approach") != "DECOUPLED" {
		t.Fatalf("start decoupled: %d %v", status, out)
	}
	if status, out, _ := call("GET", self, nil, ""); status != 200 || out["scaStatus"] != "started" {
		t.Fatalf("polled: %d %v", status, out)
	}
	b := newBankBrowser(t, s.PortalURL)
	p := b.get(s.PortalURL + bankpages.AppPath)
	if p.status != 200 || !strings.Contains(p.body, `id="page-sign-in"`) {
		t.Fatalf("the app before signing in: %d %s", p.status, p.body)
	}
	p = b.post(bankpages.SignInPath, url.Values{"login": {customer.Login}, "password": {sandboxbank.SandboxPassword}, "otp": {sandboxbank.SandboxOTP}})
	want := "Pay 3.25 " + payer.Currency + " to Payee (" + payee.IBAN + ") from account " + payer.IBAN + "."
	m := authorisationInput.FindStringSubmatch(p.body)
	if p.status != 200 || !strings.Contains(p.body, `id="page-app"`) || !strings.Contains(p.body, want) || m == nil {
		t.Fatalf("the app does not list the payment: %d %s", p.status, p.body)
	}
	before = booked()
	p = b.post(bankpages.AppPath, url.Values{"authorisation": {m[1]}, "decision": {"approve"}})
	if p.status != 200 || !strings.Contains(p.body, `id="notice"`) || strings.Contains(p.body, want) {
		t.Fatalf("after the approval: %d %s", p.status, p.body)
	}
	if status, out, _ := call("GET", self, nil, ""); status != 200 || out["scaStatus"] != "finalised" {
		t.Fatalf("polled after the approval: %d %v", status, out)
	}
	if status, out, _ := call("GET", path+"/status", nil, ""); status != 200 || out["transactionStatus"] != "ACCC" {
		t.Fatalf("status after the decoupled approach: %d %v", status, out)
	}
	if after := booked(); after != before-325 {
		t.Fatalf("payer %d, was %d", after, before)
	}

	// The cancellation of an authorised standing order, on the bank's redirect page.
	order := strings.TrimSuffix(transfer("9.99"), "}") + `,"startDate":"2099-01-01","frequency":"Monthly","dayOfExecution":"1"}`
	status, out, _ = call("POST", "/v1/periodic-payments/sepa-credit-transfers", map[string]string{"TPP-Redirect-Preferred": "false"}, order)
	path = "/v1/periodic-payments/sepa-credit-transfers/" + fmt.Sprint(out["paymentId"])
	if status != 201 {
		t.Fatalf("initiate a standing order: %d %v", status, out)
	}
	authoriseEmbedded(path, "authorisations")
	redirect := map[string]string{"TPP-Redirect-Preferred": "true", "TPP-Redirect-URI": "https://tpp.example/cancelled", "TPP-Nok-Redirect-URI": "https://tpp.example/kept"}
	if status, out, _ := call("DELETE", path, redirect, ""); status != 202 || out["transactionStatus"] != "ACTC" || link(out, "startAuthorisation") != path+"/cancellation-authorisations" {
		t.Fatalf("delete: %d %v", status, out)
	}
	status, out, h = call("POST", path+"/cancellation-authorisations", redirect, "")
	self = h.Get("Location")
	if status != 201 || out["scaStatus"] != "received" || h.Get("ASPSP-SCA-Approach") != "REDIRECT" || !strings.HasPrefix(link(out, "scaRedirect"), s.PortalURL+bankpages.SCAPath+"?") {
		t.Fatalf("start the cancellation: %d %v", status, out)
	}
	b = newBankBrowser(t, s.PortalURL)
	p = b.get(link(out, "scaRedirect"))
	if p.status != 200 || !strings.Contains(p.body, `id="page-sign-in"`) || !strings.Contains(p.body, "sent you here to authorise") {
		t.Fatalf("the redirect page: %d %s", p.status, p.body)
	}
	p = b.post(bankpages.SignInPath, url.Values{"login": {customer.Login}, "password": {sandboxbank.SandboxPassword}, "otp": {sandboxbank.SandboxOTP}})
	if p.status != 200 || !strings.Contains(p.body, `id="page-sca"`) || !strings.Contains(p.body, "Cancel this payment: Pay 9.99") {
		t.Fatalf("the authorisation page: %d %s", p.status, p.body)
	}
	p = b.post(bankpages.SCAPath, url.Values{"decision": {"approve"}})
	if p.redirect == nil || p.redirect.String() != "https://tpp.example/cancelled" {
		t.Fatalf("not sent back to the TPP: %d %v %s", p.status, p.redirect, p.body)
	}
	if status, out, _ := call("GET", self, nil, ""); status != 200 || out["scaStatus"] != "finalised" {
		t.Fatalf("the cancellation's scaStatus: %d %v", status, out)
	}
	if status, out, _ := call("GET", path+"/status", nil, ""); status != 200 || out["transactionStatus"] != "CANC" {
		t.Fatalf("the standing order after its cancellation: %d %v", status, out)
	}
}
