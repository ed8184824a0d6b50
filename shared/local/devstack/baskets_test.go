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

// TestSigningBasketSCA is a TPP's signing basket on the local stack over mutual TLS: two
// payments and an account-information consent in one basket, authorised with one SCA on
// the bank's redirect page, which sends the browser back to TPP-Redirect-URI. Both
// payments are then executed (the ledger moves once, by their sum), the consent is valid
// and the basket ACTC. A second basket, made without a preference, is authorised through
// the OAuth2 flow with the scope SBS:<basketId> (golang.org/x/oauth2 against the
// authorization server and the bank's consent page): its members are authorised as
// well. Every answer is checked against the official Berlin Group file.
func TestSigningBasketSCA(t *testing.T) {
	s, w := startTPPStack(t, devstack.Options{}, time.Now().UTC())
	w.Organization(t, "sb", org.Sandbox, org.StatusActive, "PIS", "AIS")
	w.Certificate(t, s.CA, "sb-cert", w.App(t, "sb", "sb-app", org.Sandbox, []string{"oauth2", "pis", "ais"}, "sb"), true)
	const secret = "the-secret-of-sb-app-0123456789abcdef"
	w.OAuthClient(t, "sb-app", secret, "https://tpp.example/cb")
	w.RedirectURIs(t, "sb", "sb-app", "https://tpp.example/cb")
	roots := x509.NewCertPool()
	roots.AddCert(s.CA.Cert)
	tpp := w.MTLSClient(roots, "sb-cert", "sb")
	n := 0
	call := func(method, path string, headers map[string]string, body string) (int, map[string]any, http.Header) {
		t.Helper()
		req, _ := http.NewRequest(method, s.TPPURL+path, bytes.NewReader([]byte(body)))
		n++
		req.Header.Set("X-Request-ID", fmt.Sprintf("3b7e9c1d-5a2f-4c8e-9d6b-%012d", n))
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
	var payments []string
	for _, amount := range []string{"2.50", "1.25"} {
		b, _ := json.Marshal(map[string]any{"debtorAccount": map[string]string{"iban": payer.IBAN},
			"instructedAmount": map[string]string{"currency": payer.Currency, "amount": amount},
			"creditorAccount":  map[string]string{"iban": payee.IBAN}, "creditorName": "Payee"})
		status, out, _ := call("POST", "/v1/payments/sepa-credit-transfers", nil, string(b))
		if status != 201 || out["transactionStatus"] != "RCVD" {
			t.Fatalf("initiate %s: %d %v", amount, status, out)
		}
		payments = append(payments, out["paymentId"].(string))
	}
	consentBody, _ := json.Marshal(map[string]any{"access": map[string]any{"accounts": []map[string]string{{"iban": payer.IBAN}}},
		"recurringIndicator": true, "validUntil": time.Now().UTC().AddDate(0, 1, 0).Format(time.DateOnly), "frequencyPerDay": 4, "combinedServiceIndicator": false})
	status, out, _ := call("POST", "/v1/consents", nil, string(consentBody))
	if status != 201 || out["consentStatus"] != "received" {
		t.Fatalf("create the consent: %d %v", status, out)
	}
	consent := out["consentId"].(string)

	basketBody, _ := json.Marshal(map[string][]string{"paymentIds": payments, "consentIds": {consent}})
	redirect := map[string]string{"TPP-Redirect-Preferred": "true", "TPP-Redirect-URI": "https://tpp.example/signed", "TPP-Nok-Redirect-URI": "https://tpp.example/refused"}
	status, out, h := call("POST", "/v1/signing-baskets", redirect, string(basketBody))
	path := "/v1/signing-baskets/" + fmt.Sprint(out["basketId"])
	if status != 201 || out["transactionStatus"] != "RCVD" || h.Get("ASPSP-SCA-Approach") != "REDIRECT" || link(out, "startAuthorisation") != path+"/authorisations" {
		t.Fatalf("create the basket: %d %v %v", status, out, h)
	}
	status, out, h = call("POST", path+"/authorisations", redirect, "")
	self := h.Get("Location")
	if status != 201 || out["scaStatus"] != "received" || h.Get("ASPSP-SCA-Approach") != "REDIRECT" || !strings.HasPrefix(link(out, "scaRedirect"), s.PortalURL+bankpages.SCAPath+"?") {
		t.Fatalf("start the basket's authorisation: %d %v %v", status, out, h)
	}
	before := booked()
	b := newBankBrowser(t, s.PortalURL)
	p := b.get(link(out, "scaRedirect"))
	if p.status != 200 || !strings.Contains(p.body, `id="page-sign-in"`) {
		t.Fatalf("the redirect page: %d %s", p.status, p.body)
	}
	p = b.post(bankpages.SignInPath, url.Values{"login": {customer.Login}, "password": {sandboxbank.SandboxPassword}, "otp": {sandboxbank.SandboxOTP}})
	if p.status != 200 || !strings.Contains(p.body, `id="page-sca"`) || !strings.Contains(p.body, "Sign 2 payment(s) and 1 consent(s) at once") ||
		!strings.Contains(p.body, "Pay 2.50 "+payer.Currency) || !strings.Contains(p.body, "Pay 1.25 "+payer.Currency) {
		t.Fatalf("the authorisation page: %d %s", p.status, p.body)
	}
	p = b.post(bankpages.SCAPath, url.Values{"decision": {"approve"}})
	if p.redirect == nil || p.redirect.String() != "https://tpp.example/signed" {
		t.Fatalf("not sent back to the TPP: %d %v %s", p.status, p.redirect, p.body)
	}

	for _, c := range []struct {
		path, element, want string
	}{
		{self, "scaStatus", "finalised"},
		{path + "/status", "transactionStatus", "ACTC"},
		{"/v1/payments/sepa-credit-transfers/" + payments[0] + "/status", "transactionStatus", "ACCC"},
		{"/v1/payments/sepa-credit-transfers/" + payments[1] + "/status", "transactionStatus", "ACCC"},
		{"/v1/consents/" + consent + "/status", "consentStatus", "valid"},
	} {
		if status, out, _ := call("GET", c.path, nil, ""); status != 200 || out[c.element] != c.want {
			t.Errorf("GET %s: %d %v, want %s %s", c.path, status, out, c.element, c.want)
		}
	}
	if after := booked(); after != before-375 {
		t.Errorf("payer %d, was %d: want 3.75 debited once", after, before)
	}
	// Authorised once: the basket takes no second authorisation, and the money moved once.
	if status, out, _ := call("POST", path+"/authorisations", nil, ""); status != 409 {
		t.Errorf("a second authorisation: %d %v", status, out)
	}
	if after := booked(); after != before-375 {
		t.Errorf("payer %d after the second attempt, was %d", after, before)
	}

	// Without a preference: the OAuth2 flow with the scope SBS:<basketId>.
	b2, _ := json.Marshal(map[string]any{"debtorAccount": map[string]string{"iban": payer.IBAN},
		"instructedAmount": map[string]string{"currency": payer.Currency, "amount": "0.75"},
		"creditorAccount":  map[string]string{"iban": payee.IBAN}, "creditorName": "Payee"})
	status, out, _ = call("POST", "/v1/payments/sepa-credit-transfers", nil, string(b2))
	if status != 201 {
		t.Fatalf("initiate: %d %v", status, out)
	}
	third := out["paymentId"].(string)
	status, out, _ = call("POST", "/v1/consents", nil, string(consentBody))
	if status != 201 {
		t.Fatalf("create the second consent: %d %v", status, out)
	}
	consent2 := out["consentId"].(string)
	basketBody, _ = json.Marshal(map[string][]string{"paymentIds": {third}, "consentIds": {consent2}})
	status, out, h = call("POST", "/v1/signing-baskets", nil, string(basketBody))
	basket2 := fmt.Sprint(out["basketId"])
	path = "/v1/signing-baskets/" + basket2
	if status != 201 || h.Get("ASPSP-SCA-Approach") != "REDIRECT" || link(out, "scaOAuth") != s.TPPURL+"/.well-known/oauth-authorization-server" ||
		link(out, "startAuthorisation") != "" {
		t.Fatalf("create the basket without a preference: %d %v %v", status, out, h)
	}
	conf := &oauth2.Config{ClientID: "client-sb-app", ClientSecret: secret, RedirectURL: "https://tpp.example/cb", Scopes: []string{"SBS:" + basket2},
		Endpoint: oauth2.Endpoint{AuthURL: s.Config.OAuthAuthorizeURL, TokenURL: s.TPPURL + "/oauth2/token", AuthStyle: oauth2.AuthStyleInHeader}}
	before = booked()
	b = newBankBrowser(t, s.PortalURL)
	verifier := oauth2.GenerateVerifier()
	b.get(conf.AuthCodeURL("state-0123456789", oauth2.S256ChallengeOption(verifier)))
	p = b.post(bankpages.SignInPath, url.Values{"login": {customer.Login}, "password": {sandboxbank.SandboxPassword}, "otp": {sandboxbank.SandboxOTP}})
	if p.status != 200 || !strings.Contains(p.body, "Sign 1 payment(s) and 1 consent(s) at once") || !strings.Contains(p.body, "Pay 0.75 "+payer.Currency) {
		t.Fatalf("the consent page: %d %s", p.status, p.body)
	}
	p = b.post(bankpages.ConsentPath, url.Values{"decision": {"approve"}})
	if p.redirect == nil || p.redirect.Query().Get("code") == "" {
		t.Fatalf("not redirected with a code: %d %v %s", p.status, p.redirect, p.body)
	}
	tok, err := conf.Exchange(context.WithValue(context.Background(), oauth2.HTTPClient, tpp), p.redirect.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil || tok.Extra("scope") != "SBS:"+basket2 {
		t.Fatalf("token %+v %v", tok, err)
	}
	for _, c := range []struct {
		path, element, want string
	}{
		{path + "/status", "transactionStatus", "ACTC"},
		{"/v1/payments/sepa-credit-transfers/" + third + "/status", "transactionStatus", "ACCC"},
		{"/v1/consents/" + consent2 + "/status", "consentStatus", "valid"},
	} {
		if status, out, _ := call("GET", c.path, nil, ""); status != 200 || out[c.element] != c.want {
			t.Errorf("GET %s: %d %v, want %s %s", c.path, status, out, c.element, c.want)
		}
	}
	if after := booked(); after != before-75 {
		t.Errorf("payer %d, was %d: want 0.75 debited once", after, before)
	}
	// The scope of a decided basket names nothing any more.
	p = b.get(conf.AuthCodeURL("state-9876543210", oauth2.S256ChallengeOption(verifier)))
	if p.redirect == nil || p.redirect.Query().Get("error") != "invalid_scope" {
		t.Fatalf("a second authorization of the basket: %d %v %s", p.status, p.redirect, p.body)
	}
}
