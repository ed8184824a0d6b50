package devstack_test

import (
	"context"
	"crypto/x509"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/bank/devportal/shared/local/devstack"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/tpp/bankpages"
	tppconsents "github.com/bank/devportal/shared/tpp/consents"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
)

// TestConsentThroughTheBank: an account-information consent of the local stack's own
// consents goes through the authorization server and the sandbox bank's pages as its
// customer approves it: the page says what the consent covers and offers no choice of
// accounts it names; the approval makes the consent valid for the customer's account,
// and the token carries its scope.
func TestConsentThroughTheBank(t *testing.T) {
	s, w := startTPPStack(t, devstack.Options{}, time.Now().UTC())
	w.Organization(t, "bb", org.Sandbox, org.StatusActive, "AIS")
	w.Certificate(t, s.CA, "bb-cert", w.App(t, "bb", "bb-app", org.Sandbox, []string{"oauth2", "ais"}, "bb"), true)
	const secret = "the-secret-of-bb-app-0123456789abcdef"
	w.OAuthClient(t, "bb-app", secret, "https://tpp.example/cb")

	customer := s.Bank.Customers[0]
	var account sandboxbank.Account
	for _, a := range s.Bank.Accounts {
		if a.CustomerID == customer.ID && a.Kind == sandboxbank.Current {
			account = a
			break
		}
	}
	yes, four := true, 4
	c, err := s.Consents.Create(context.Background(), tppconsents.Owner{AppID: "bb-app", OrgID: "bb", Environment: "sandbox"}, tppconsents.Request{
		Access:             &tppconsents.Access{Transactions: []tppconsents.AccountReference{{IBAN: account.IBAN}}},
		RecurringIndicator: &yes, ValidUntil: tppconsents.LongestValidUntil, FrequencyPerDay: &four, CombinedServiceIndicator: new(bool)}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	scope := "AIS:" + c.ID
	roots := x509.NewCertPool()
	roots.AddCert(s.CA.Cert)
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, w.MTLSClient(roots, "bb-cert", "bb"))
	conf := &oauth2.Config{ClientID: "client-bb-app", ClientSecret: secret, RedirectURL: "https://tpp.example/cb", Scopes: []string{scope},
		Endpoint: oauth2.Endpoint{AuthURL: s.Config.OAuthAuthorizeURL, TokenURL: s.TPPURL + "/oauth2/token", AuthStyle: oauth2.AuthStyleInHeader}}

	b := newBankBrowser(t, s.PortalURL)
	verifier := oauth2.GenerateVerifier()
	if p := b.get(conf.AuthCodeURL("state-0123456789", oauth2.S256ChallengeOption(verifier))); p.status != 200 || !strings.Contains(p.body, `id="page-sign-in"`) {
		t.Fatalf("the authorization request: %d %v %s", p.status, p.redirect, p.body)
	}
	p := b.post(bankpages.SignInPath, url.Values{"login": {customer.Login}, "password": {sandboxbank.SandboxPassword}, "otp": {sandboxbank.SandboxOTP}})
	var grouped strings.Builder
	for i, r := range account.IBAN {
		if i > 0 && i%4 == 0 {
			grouped.WriteByte(' ')
		}
		grouped.WriteRune(r)
	}
	want := "See the transactions of " + grouped.String() + ", until " + c.ValidUntil + ", up to 4 times a day without you."
	if !strings.Contains(p.body, want) || strings.Contains(p.body, `name="account"`) {
		t.Fatalf("the consent page does not say %q, or offers a choice:\n%s", want, p.body)
	}
	p = b.post(bankpages.ConsentPath, url.Values{"decision": {"approve"}})
	if p.redirect == nil || p.redirect.Query().Get("code") == "" {
		t.Fatalf("not redirected with a code: %d %v %s", p.status, p.redirect, p.body)
	}
	tok, err := conf.Exchange(ctx, p.redirect.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil || tok.Extra("scope") != scope {
		t.Fatalf("token %+v %v", tok, err)
	}
	got, err := s.Consents.Find(context.Background(), c.ID)
	if err != nil || got.Status != tppconsents.Valid || got.Grant.Subject != customer.ID || strings.Join(got.Grant.Transactions, ",") != account.ResourceID {
		t.Fatalf("the consent after approval: %+v %+v %v", got, got.Grant, err)
	}
	// A consent naming an account the customer does not hold: the bank answers
	// access_denied, issues no code, and the consent is rejected.
	var foreign sandboxbank.Account
	for _, a := range s.Bank.Accounts {
		if a.CustomerID != customer.ID && a.Kind == sandboxbank.Current {
			foreign = a
			break
		}
	}
	other, err := s.Consents.Create(context.Background(), tppconsents.Owner{AppID: "bb-app", OrgID: "bb", Environment: "sandbox"}, tppconsents.Request{
		Access:             &tppconsents.Access{Accounts: []tppconsents.AccountReference{{IBAN: foreign.IBAN}}},
		RecurringIndicator: &yes, ValidUntil: tppconsents.LongestValidUntil, FrequencyPerDay: &four, CombinedServiceIndicator: new(bool)}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	otherConf := *conf
	otherConf.Scopes = []string{"AIS:" + other.ID}
	b = newBankBrowser(t, s.PortalURL)
	b.get(otherConf.AuthCodeURL("state-5555555555", oauth2.S256ChallengeOption(verifier)))
	b.post(bankpages.SignInPath, url.Values{"login": {customer.Login}, "password": {sandboxbank.SandboxPassword}, "otp": {sandboxbank.SandboxOTP}})
	p = b.post(bankpages.ConsentPath, url.Values{"decision": {"approve"}})
	if p.redirect == nil || p.redirect.Query().Get("error") != "access_denied" || p.redirect.Query().Get("code") != "" ||
		p.redirect.Query().Get("error_description") != "The resource owner or authorization server denied the request. The customer cannot grant what the request asks, such as an account they do not hold." {
		t.Fatalf("approving a consent for another customer's account: %d %v %s", p.status, p.redirect, p.body)
	}
	if got, _ := s.Consents.Find(context.Background(), other.ID); got.Status != tppconsents.Rejected {
		t.Fatalf("the ungrantable consent is %s", got.Status)
	}

	// A decided consent cannot be authorised again: the scope names nothing now.
	p = b.get(conf.AuthCodeURL("state-9876543210", oauth2.S256ChallengeOption(verifier)))
	if p.redirect == nil || p.redirect.Query().Get("error") != "invalid_scope" {
		t.Fatalf("a second authorization of the consent: %d %v %s", p.status, p.redirect, p.body)
	}
}
