package devstack_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/bank/devportal/shared/local/devstack"
	"github.com/bank/devportal/shared/tpp/bankpages"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
)

// signedInDirectly is a customer who came to the sandbox bank directly, to see their
// consents, and signed in: their browser, on the list.
func signedInDirectly(t *testing.T, s *devstack.Stack, login string) (*bankBrowser, bankPage) {
	t.Helper()
	b := newBankBrowser(t, s.PortalURL)
	if p := b.get(s.PortalURL + bankpages.ConsentsPath); p.status != 200 || !strings.Contains(p.body, `<p id="direct">`) {
		t.Fatalf("the consents before signing in: %d %s", p.status, p.body)
	}
	p := b.post(bankpages.SignInPath, url.Values{"login": {login}, "password": {sandboxbank.SandboxPassword}, "otp": {sandboxbank.SandboxOTP}})
	if p.status != 200 || !strings.Contains(p.body, `<main id="page-consents">`) {
		t.Fatalf("signing in: %d %s", p.status, p.body)
	}
	return b, p
}

// code is the first Berlin Group message code of an answer.
func code(body map[string]any) string {
	msgs, _ := body["tppMessages"].([]any)
	if len(msgs) == 0 {
		return ""
	}
	c, _ := msgs[0].(map[string]any)["code"].(string)
	return c
}

// TestCustomerRevokesAtTheBank: a customer approves a consent through the OAuth2 flow and
// the TPP reads their accounts with it; another customer cannot revoke it; the customer
// comes to the bank directly, finds it among their consents and revokes it after
// confirming; the TPP's next read is refused (401 CONSENT_INVALID) and the consent's
// status is revokedByPsu. Every Berlin Group answer is checked against the official file.
func TestCustomerRevokesAtTheBank(t *testing.T) {
	c, conf := newAISClient(t, true, devstack.Options{})
	account := currentAccount(t, c.s)
	consentID, token := c.approvedConsent(conf, account)
	if status, body := c.call("GET", "/v1/accounts", consentID, token, nil); status != 200 {
		t.Fatalf("accounts before the revocation: %d %v", status, body)
	}
	var owner, other sandboxbank.Customer
	for _, cu := range c.s.Bank.Customers {
		switch {
		case cu.ID == account.CustomerID:
			owner = cu
		case other.ID == "":
			other = cu
		}
	}
	revoke := url.Values{"kind": {"AIS"}, "id": {consentID}, "confirm": {"yes"}}

	// Another customer, with a consent of their own, sees only theirs and cannot revoke
	// the first customer's.
	var theirAccount sandboxbank.Account
	for _, a := range c.s.Bank.Accounts {
		if a.CustomerID == other.ID && a.Kind == sandboxbank.Current {
			theirAccount = a
			break
		}
	}
	theirs, _ := c.approvedConsent(conf, theirAccount)
	b, p := signedInDirectly(t, c.s, other.Login)
	if strings.Contains(p.body, consentID) || !strings.Contains(p.body, `id="revoke-`+theirs+`"`) {
		t.Fatalf("%s's consents:\n%s", other.Login, p.body)
	}
	if p := b.post(bankpages.RevokePath, revoke); p.status != 404 || !strings.Contains(p.body, "You hold no active consent with this ID") {
		t.Fatalf("%s revokes %s's consent: %d %s", other.Login, owner.Login, p.status, p.body)
	}
	if status, body := c.call("GET", "/v1/consents/"+consentID+"/status", "", "", nil); status != 200 || body["consentStatus"] != "valid" {
		t.Fatalf("status after the refusal: %d %v", status, body)
	}

	// Its customer sees it, with the app, its organization, what it gives and until when
	// (the bank shortened the validUntil asked to its longest).
	_, made := c.call("GET", "/v1/consents/"+consentID, "", "", nil)
	validUntil, _ := made["validUntil"].(string)
	b, p = signedInDirectly(t, c.s, owner.Login)
	for _, want := range []string{
		`<section class="consent" id="consent-` + consentID + `">
<h2><span class="app-name">App bb-app</span>, an app of <span class="org-name">TPP bb</span></h2>`,
		`<p>Status: <strong class="status">Active</strong> (<code>valid</code>) · valid until <span class="valid-until">` + validUntil + `</span>`,
		`<button type="submit" id="revoke-` + consentID + `">Revoke…</button>`,
	} {
		if !strings.Contains(p.body, want) {
			t.Fatalf("the list lacks\n%s\nin\n%s", want, p.body)
		}
	}
	if p := b.post(bankpages.RevokePath, url.Values{"kind": {"AIS"}, "id": {consentID}}); p.status != 200 ||
		!strings.Contains(p.body, `<p id="question">Do you want to revoke the access of <strong class="app-name">App bb-app</strong>, an app of <strong class="org-name">TPP bb</strong>?</p>`) {
		t.Fatalf("the confirmation: %d %s", p.status, p.body)
	}
	p = b.post(bankpages.RevokePath, revoke)
	if p.status != 200 || !strings.Contains(p.body, `<p class="notice" id="notice" role="status">You revoked the access of App bb-app. It can no longer use this consent.</p>`) ||
		!strings.Contains(p.body, `<strong class="status">Revoked by you</strong> (<code>revokedByPsu</code>)`) {
		t.Fatalf("after revoking: %d %s", p.status, p.body)
	}

	// The TPP's token no longer reads anything under it.
	if status, body := c.call("GET", "/v1/accounts", consentID, token, nil); status != 401 || code(body) != "CONSENT_INVALID" {
		t.Fatalf("accounts after the revocation: %d %v", status, body)
	}
	if status, body := c.call("GET", "/v1/consents/"+consentID+"/status", "", "", nil); status != 200 || body["consentStatus"] != "revokedByPsu" {
		t.Fatalf("status after the revocation: %d %v", status, body)
	}
	// Revoked once: a second confirmation is refused.
	if p := b.post(bankpages.RevokePath, revoke); p.status != 404 {
		t.Fatalf("revoke again: %d %s", p.status, p.body)
	}
}
