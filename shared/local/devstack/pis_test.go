package devstack_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
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

// TestPaymentThroughTheBank is a TPP's payment journey on the local stack: over mutual
// TLS with its certificate and API key a payment is initiated between two customers of
// the bank, its customer approves it at the sandbox bank through the OAuth2 flow with the
// scope PIS:<paymentId>, and the payment is executed: both ledgers change once, the
// status is ACCC and the payment can no longer be cancelled. Every answer is checked
// against the official Berlin Group file.
func TestPaymentThroughTheBank(t *testing.T) {
	s, w := startTPPStack(t, devstack.Options{}, time.Now().UTC())
	w.Organization(t, "pp", org.Sandbox, org.StatusActive, "PIS")
	w.Certificate(t, s.CA, "pp-cert", w.App(t, "pp", "pp-app", org.Sandbox, []string{"oauth2", "pis"}, "pp"), true)
	const secret = "the-secret-of-pp-app-0123456789abcdef"
	w.OAuthClient(t, "pp-app", secret, "https://tpp.example/cb")
	roots := x509.NewCertPool()
	roots.AddCert(s.CA.Cert)
	tpp := w.MTLSClient(roots, "pp-cert", "pp")
	n := 0
	call := func(method, path string, body any) (int, map[string]any) {
		t.Helper()
		var raw []byte
		if body != nil {
			raw, _ = json.Marshal(body)
		}
		req, _ := http.NewRequest(method, s.TPPURL+path, bytes.NewReader(raw))
		n++
		req.Header.Set("X-Request-ID", fmt.Sprintf("3b0f5a4c-2d1e-4f6a-8b9c-%012d", n))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("PSU-IP-Address", "192.0.2.44")
		resp, err := tpp.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]any
		_ = json.Unmarshal(bgspec.CheckResponse(t, bgspec.NextGenPSD2, req, resp), &out)
		return resp.StatusCode, out
	}

	payer := currentAccount(t, s)
	var payee sandboxbank.Account
	for _, a := range s.Bank.Accounts {
		if a.CustomerID != payer.CustomerID && a.Kind == sandboxbank.Current && a.Currency == payer.Currency && a.ParentID == "" {
			payee = a
			break
		}
	}
	awsCfg := testenv.AWS(t, s.Config)
	bank := bankstore.New(dynamodb.NewFromConfig(awsCfg), s.Config.TPPTable)
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

	status, created := call("POST", "/v1/payments/sepa-credit-transfers", map[string]any{
		"debtorAccount":    map[string]string{"iban": payer.IBAN},
		"instructedAmount": map[string]string{"currency": payer.Currency, "amount": "12.34"},
		"creditorAccount":  map[string]string{"iban": payee.IBAN}, "creditorName": "Payee",
		"remittanceInformationUnstructured": "Dinner"})
	id, _ := created["paymentId"].(string)
	if status != 201 || id == "" || created["transactionStatus"] != "RCVD" {
		t.Fatalf("initiate: %d %v", status, created)
	}
	path := "/v1/payments/sepa-credit-transfers/" + id

	var customer sandboxbank.Customer
	for _, c := range s.Bank.Customers {
		if c.ID == payer.CustomerID {
			customer = c
		}
	}
	conf := &oauth2.Config{ClientID: "client-pp-app", ClientSecret: secret, RedirectURL: "https://tpp.example/cb", Scopes: []string{"PIS:" + id},
		Endpoint: oauth2.Endpoint{AuthURL: s.Config.OAuthAuthorizeURL, TokenURL: s.TPPURL + "/oauth2/token", AuthStyle: oauth2.AuthStyleInHeader}}
	b := newBankBrowser(t, s.PortalURL)
	verifier := oauth2.GenerateVerifier()
	b.get(conf.AuthCodeURL("state-0123456789", oauth2.S256ChallengeOption(verifier)))
	p := b.post(bankpages.SignInPath, url.Values{"login": {customer.Login}, "password": {sandboxbank.SandboxPassword}, "otp": {sandboxbank.SandboxOTP}})
	if want := "Pay 12.34 " + payer.Currency + " to Payee (" + payee.IBAN + ") from account " + payer.IBAN + "."; !bytes.Contains([]byte(p.body), []byte(want)) {
		t.Fatalf("the consent page does not say %q:\n%s", want, p.body)
	}
	p = b.post(bankpages.ConsentPath, url.Values{"decision": {"approve"}})
	if p.redirect == nil || p.redirect.Query().Get("code") == "" {
		t.Fatalf("not redirected with a code: %d %v %s", p.status, p.redirect, p.body)
	}
	tok, err := conf.Exchange(context.WithValue(context.Background(), oauth2.HTTPClient, tpp), p.redirect.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil || tok.Extra("scope") != "PIS:"+id {
		t.Fatalf("token %+v %v", tok, err)
	}

	if status, body := call("GET", path+"/status", nil); status != 200 || body["transactionStatus"] != "ACCC" {
		t.Fatalf("status: %d %v", status, body)
	}
	if payerAfter, payeeAfter := ledgers(); payerAfter != payerBefore-1234 || payeeAfter != payeeBefore+1234 {
		t.Fatalf("ledgers %d %d, were %d %d", payerAfter, payeeAfter, payerBefore, payeeBefore)
	}
	if status, body := call("DELETE", path, nil); status != 405 || body["tppMessages"].([]any)[0].(map[string]any)["code"] != "CANCELLATION_INVALID" {
		t.Fatalf("cancel: %d %v", status, body)
	}
	// The scope of a decided payment names nothing any more.
	p = b.get(conf.AuthCodeURL("state-9876543210", oauth2.S256ChallengeOption(verifier)))
	if p.redirect == nil || p.redirect.Query().Get("error") != "invalid_scope" {
		t.Fatalf("a second authorization of the payment: %d %v %s", p.status, p.redirect, p.body)
	}
}
