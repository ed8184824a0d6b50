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

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"golang.org/x/oauth2"

	"github.com/bank/devportal/shared/local/devstack"
	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/tpp/bankpages"
	"github.com/bank/devportal/shared/tpp/bgspec"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
	"github.com/bank/devportal/shared/tpp/sandboxbank/bankstore"
)

// TestTwoSignatoryPayment is a payment from a business account that needs two signatories
// on the local stack over mutual TLS: the initiation links the explicit start of an
// authorisation; the business (atelier.claes) signs first through the OAuth2 flow at the
// bank's pages, and the payment is PATC with nothing booked; the same signatory again and
// a customer who signs nothing for the account are refused; the co-signer (tom.claes) signs
// in the embedded approach, and the payment is ACCC with both ledgers moved once, to the
// cent. Every answer is checked against the official Berlin Group file.
func TestTwoSignatoryPayment(t *testing.T) {
	s, w := startTPPStack(t, devstack.Options{}, time.Now().UTC())
	w.Organization(t, "ml", org.Sandbox, org.StatusActive, "PIS")
	w.Certificate(t, s.CA, "ml-cert", w.App(t, "ml", "ml-app", org.Sandbox, []string{"oauth2", "pis"}, "ml"), true)
	const secret = "the-secret-of-ml-app-0123456789abcdef"
	w.OAuthClient(t, "ml-app", secret, "https://tpp.example/cb")
	roots := x509.NewCertPool()
	roots.AddCert(s.CA.Cert)
	tpp := w.MTLSClient(roots, "ml-cert", "ml")
	n := 0
	call := func(method, path string, headers map[string]string, body string) (int, map[string]any, http.Header) {
		t.Helper()
		req, _ := http.NewRequest(method, s.TPPURL+path, bytes.NewReader([]byte(body)))
		n++
		req.Header.Set("X-Request-ID", fmt.Sprintf("4e7a2c1b-5d3f-4b6a-9c8d-%012d", n))
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
		links, _ := out["_links"].(map[string]any)
		l, _ := links[name].(map[string]any)
		h, _ := l["href"].(string)
		return h
	}
	code := func(out map[string]any) string {
		msgs, _ := out["tppMessages"].([]any)
		if len(msgs) != 1 {
			return fmt.Sprint(out)
		}
		return fmt.Sprint(msgs[0].(map[string]any)["code"])
	}

	logins := map[string]string{}
	for _, c := range s.Bank.Customers {
		logins[c.ID] = c.Login
	}
	var payer, payee sandboxbank.Account
	for _, a := range s.Bank.Accounts {
		switch {
		case logins[a.CustomerID] == "atelier.claes" && a.Kind == sandboxbank.Current:
			payer = a
		case logins[a.CustomerID] == "tom.claes" && a.Kind == sandboxbank.Current:
			payee = a
		}
	}
	if payer.RequiredSignatures != 2 || len(payer.Signatories) != 2 || logins[payer.Signatories[1]] != "tom.claes" || payee.IBAN == "" {
		t.Fatalf("the sandbox bank has no two-signatory account of atelier.claes co-signed by tom.claes: %+v, payee %+v", payer, payee)
	}
	bank := bankstore.New(dynamodb.NewFromConfig(testenv.AWS(t, s.Config)), s.Config.TPPTable)
	ledgers := func() (int64, int64) {
		t.Helper()
		a, err := bank.Ledger(context.Background(), payer.ResourceID)
		if err != nil {
			t.Fatal(err)
		}
		b, err := bank.Ledger(context.Background(), payee.ResourceID)
		if err != nil {
			t.Fatal(err)
		}
		return a.Booked, b.Booked
	}
	payerBefore, payeeBefore := ledgers()

	body, _ := json.Marshal(map[string]any{"debtorAccount": map[string]string{"iban": payer.IBAN},
		"instructedAmount": map[string]string{"currency": "EUR", "amount": "1234.56"},
		"creditorAccount":  map[string]string{"iban": payee.IBAN}, "creditorName": "Tom Claes",
		"remittanceInformationUnstructured": "Invoice 2026-118"})
	status, out, h := call("POST", "/v1/payments/sepa-credit-transfers", nil, string(body))
	id, _ := out["paymentId"].(string)
	path := "/v1/payments/sepa-credit-transfers/" + id
	if status != 201 || out["transactionStatus"] != "RCVD" || link(out, "startAuthorisation") != path+"/authorisations" || link(out, "scaOAuth") != "" || h.Get("ASPSP-SCA-Approach") != "REDIRECT" {
		t.Fatalf("initiate: %d %v %v", status, out, h)
	}

	// The business signs first, through the OAuth2 flow its authorisation links.
	status, out, h = call("POST", path+"/authorisations", nil, "")
	first := h.Get("Location")
	if status != 201 || out["scaStatus"] != "received" || link(out, "scaOAuth") == "" {
		t.Fatalf("start the first authorisation: %d %v", status, out)
	}
	conf := &oauth2.Config{ClientID: "client-ml-app", ClientSecret: secret, RedirectURL: "https://tpp.example/cb", Scopes: []string{"PIS:" + id},
		Endpoint: oauth2.Endpoint{AuthURL: s.Config.OAuthAuthorizeURL, TokenURL: s.TPPURL + "/oauth2/token", AuthStyle: oauth2.AuthStyleInHeader}}
	b := newBankBrowser(t, s.PortalURL)
	verifier := oauth2.GenerateVerifier()
	b.get(conf.AuthCodeURL("state-0123456789", oauth2.S256ChallengeOption(verifier)))
	p := b.post(bankpages.SignInPath, url.Values{"login": {"atelier.claes"}, "password": {sandboxbank.SandboxPassword}, "otp": {sandboxbank.SandboxOTP}})
	if want := "Pay 1234.56 EUR to Tom Claes (" + payee.IBAN + ") from account " + payer.IBAN + "."; !strings.Contains(p.body, want) {
		t.Fatalf("the consent page does not say %q:\n%s", want, p.body)
	}
	p = b.post(bankpages.ConsentPath, url.Values{"decision": {"approve"}})
	if p.redirect == nil || p.redirect.Query().Get("code") == "" {
		t.Fatalf("not redirected with a code: %d %v %s", p.status, p.redirect, p.body)
	}
	if tok, err := conf.Exchange(context.WithValue(context.Background(), oauth2.HTTPClient, tpp), p.redirect.Query().Get("code"), oauth2.VerifierOption(verifier)); err != nil || tok.Extra("scope") != "PIS:"+id {
		t.Fatalf("token %+v %v", tok, err)
	}
	status, out, _ = call("GET", path+"/status", nil, "")
	if status != 200 || out["transactionStatus"] != "PATC" || link(out, "startAuthorisation") != path+"/authorisations" ||
		out["psuMessage"] != "Authorised by 1 of the 2 signatories the debtor account needs: the next signatory authorises it in an authorisation of their own (startAuthorisation)." {
		t.Fatalf("status after the first signature: %d %v", status, out)
	}
	if status, out, _ := call("GET", first, nil, ""); status != 200 || out["scaStatus"] != "finalised" {
		t.Fatalf("the first authorisation: %d %v", status, out)
	}
	if a, b := ledgers(); a != payerBefore || b != payeeBefore {
		t.Fatalf("ledgers moved after one signature: %d %d, were %d %d", a, b, payerBefore, payeeBefore)
	}

	// The same signatory again, and a customer who signs nothing for the account, are
	// refused as soon as the TPP names them.
	password := `{"psuData":{"password":"` + sandboxbank.SandboxPassword + `"}}`
	for _, c := range []struct {
		login  string
		status int
		code   string
	}{{"atelier.claes", 409, "STATUS_INVALID"}, {"anna.schmidt", 401, "PSU_CREDENTIALS_INVALID"}} {
		if status, out, _ := call("POST", path+"/authorisations", map[string]string{"TPP-Redirect-Preferred": "false", "PSU-ID": c.login}, password); status != c.status || code(out) != c.code {
			t.Fatalf("%s: %d %v", c.login, status, out)
		}
	}

	// The co-signer signs in the embedded approach: the payment is executed.
	status, out, h = call("POST", path+"/authorisations", map[string]string{"TPP-Redirect-Preferred": "false", "PSU-ID": "tom.claes"}, password)
	second := h.Get("Location")
	if status != 201 || out["scaStatus"] != "psuAuthenticated" || h.Get("ASPSP-SCA-Approach") != "EMBEDDED" {
		t.Fatalf("start the second authorisation: %d %v", status, out)
	}
	if status, out, _ := call("PUT", second, nil, `{"authenticationMethodId":"sms"}`); status != 200 || out["scaStatus"] != "scaMethodSelected" {
		t.Fatalf("method: %d %v", status, out)
	}
	if status, out, _ := call("PUT", second, nil, `{"scaAuthenticationData":"`+sandboxbank.SandboxOTP+`"}`); status != 200 || out["scaStatus"] != "finalised" {
		t.Fatalf("code: %d %v", status, out)
	}
	if status, out, _ := call("GET", path+"/status", nil, ""); status != 200 || out["transactionStatus"] != "ACCC" || out["_links"] != nil {
		t.Fatalf("status after the second signature: %d %v", status, out)
	}
	if a, b := ledgers(); a != payerBefore-123456 || b != payeeBefore+123456 {
		t.Fatalf("ledgers %d %d, want %d %d", a, b, payerBefore-123456, payeeBefore+123456)
	}
	status, out, _ = call("GET", path+"/authorisations", nil, "")
	if ids, _ := out["authorisationIds"].([]any); status != 200 || len(ids) != 2 || !strings.HasSuffix(first, fmt.Sprint("/", ids[0])) || !strings.HasSuffix(second, fmt.Sprint("/", ids[1])) {
		t.Fatalf("authorisations: %d %v", status, out)
	}
	for _, self := range []string{first, second} {
		if status, out, _ := call("GET", self, nil, ""); status != 200 || out["scaStatus"] != "finalised" {
			t.Fatalf("%s: %d %v", self, status, out)
		}
	}
}
