package devstack_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/bank/devportal/shared/local/devstack"
	"github.com/bank/devportal/shared/local/testenv/tppworld"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/tpp/bankpages"
	"github.com/bank/devportal/shared/tpp/bgspec"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
)

// aisClient is a TPP's software calling the local stack's TPP listener over mutual TLS
// with its certificate and API key; with check, every answer is checked against the
// official Berlin Group file.
type aisClient struct {
	tb    testing.TB
	s     *devstack.Stack
	w     *tppworld.World
	tpp   *http.Client
	check bool
}

// newAISClient starts a TPP stack with one sandbox organization whose app holds a
// certificate, an API key and an OAuth2 client, and is its client.
func newAISClient(tb testing.TB, check bool, o devstack.Options) (aisClient, *oauth2.Config) {
	s, w := startTPPStack(tb, o, time.Now().UTC())
	w.Organization(tb, "bb", org.Sandbox, org.StatusActive, "AIS")
	w.Certificate(tb, s.CA, "bb-cert", w.App(tb, "bb", "bb-app", org.Sandbox, []string{"oauth2", "ais"}, "bb"), true)
	const secret = "the-secret-of-bb-app-0123456789abcdef"
	w.OAuthClient(tb, "bb-app", secret, "https://tpp.example/cb")
	roots := x509.NewCertPool()
	roots.AddCert(s.CA.Cert)
	conf := &oauth2.Config{ClientID: "client-bb-app", ClientSecret: secret, RedirectURL: "https://tpp.example/cb",
		Endpoint: oauth2.Endpoint{AuthURL: s.Config.OAuthAuthorizeURL, TokenURL: s.TPPURL + "/oauth2/token", AuthStyle: oauth2.AuthStyleInHeader}}
	return aisClient{tb: tb, s: s, w: w, tpp: w.MTLSClient(roots, "bb-cert", "bb"), check: check}, conf
}

// call sends a Berlin Group request as the customer asks for it (PSU-IP-Address).
func (c aisClient) call(method, path, consentID, token string, body any) (int, map[string]any) {
	c.tb.Helper()
	var raw []byte
	if body != nil {
		raw, _ = json.Marshal(body)
	}
	req, _ := http.NewRequest(method, c.s.TPPURL+path, bytes.NewReader(raw))
	req.Header.Set("X-Request-ID", "99391c7e-ad88-49ec-a2ad-99ddcb1f7721")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("PSU-IP-Address", "192.0.2.44")
	if consentID != "" {
		req.Header.Set("Consent-ID", consentID)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.tpp.Do(req)
	if err != nil {
		c.tb.Fatal(err)
	}
	var answer []byte
	if c.check {
		answer = bgspec.CheckResponse(c.tb, bgspec.NextGenPSD2, req, resp)
	} else {
		answer, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	var out map[string]any
	_ = json.Unmarshal(answer, &out)
	return resp.StatusCode, out
}

// approvedConsent creates a consent for the account's details and transactions, has
// its customer approve it at the sandbox bank, and exchanges the code with a standard
// OAuth2 client: the consent and the access token.
func (c aisClient) approvedConsent(conf *oauth2.Config, account sandboxbank.Account) (consentID, token string) {
	c.tb.Helper()
	status, created := c.call("POST", "/v1/consents", "", "", map[string]any{
		"access":             map[string]any{"accounts": []any{map[string]string{"iban": account.IBAN}}, "transactions": []any{map[string]string{"iban": account.IBAN}}},
		"recurringIndicator": true, "validUntil": "9999-12-31", "frequencyPerDay": 4, "combinedServiceIndicator": false})
	consentID, _ = created["consentId"].(string)
	if status != 201 || consentID == "" {
		c.tb.Fatalf("create the consent: %d %v", status, created)
	}
	conf.Scopes = []string{"AIS:" + consentID}
	var customer sandboxbank.Customer
	for _, cu := range c.s.Bank.Customers {
		if cu.ID == account.CustomerID {
			customer = cu
		}
	}
	b := newBankBrowser(c.tb, c.s.PortalURL)
	verifier := oauth2.GenerateVerifier()
	b.get(conf.AuthCodeURL("state-0123456789", oauth2.S256ChallengeOption(verifier)))
	b.post(bankpages.SignInPath, url.Values{"login": {customer.Login}, "password": {sandboxbank.SandboxPassword}, "otp": {sandboxbank.SandboxOTP}})
	p := b.post(bankpages.ConsentPath, url.Values{"decision": {"approve"}})
	if p.redirect == nil || p.redirect.Query().Get("code") == "" {
		c.tb.Fatalf("the bank did not send the customer back with a code: %d %v %s", p.status, p.redirect, p.body)
	}
	tok, err := conf.Exchange(context.WithValue(context.Background(), oauth2.HTTPClient, c.tpp), p.redirect.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		c.tb.Fatal(err)
	}
	return consentID, tok.AccessToken
}

// currentAccount is the first current account of the stack's first customer.
func currentAccount(tb testing.TB, s *devstack.Stack) sandboxbank.Account {
	tb.Helper()
	customer := s.Bank.Customers[0]
	for _, a := range s.Bank.Accounts {
		if a.CustomerID == customer.ID && a.Kind == sandboxbank.Current {
			return a
		}
	}
	tb.Fatalf("%s has no current account", customer.Login)
	return sandboxbank.Account{}
}

// TestAccountInformationOverMTLS is a TPP's account-information journey on the local
// stack, as its software would run it: over mutual TLS with its certificate and API key,
// a consent is created, the customer approves it at the sandbox bank, a standard OAuth2
// client exchanges the code, and the account list and a page of transactions are read
// with the token. Every answer is checked against the official Berlin Group file; a read
// without the token, or with a token of another consent, is refused.
func TestAccountInformationOverMTLS(t *testing.T) {
	c, conf := newAISClient(t, true, devstack.Options{})
	account := currentAccount(t, c.s)
	consentID, token := c.approvedConsent(conf, account)
	call := c.call

	if status, body := call("GET", "/v1/consents/"+consentID+"/status", "", "", nil); status != 200 || body["consentStatus"] != "valid" {
		t.Fatalf("status: %d %v", status, body)
	}
	status, list := call("GET", "/v1/accounts", consentID, token, nil)
	accounts, _ := list["accounts"].([]any)
	if status != 200 || len(accounts) != 1 || accounts[0].(map[string]any)["iban"] != account.IBAN {
		t.Fatalf("accounts: %d %v", status, list)
	}
	status, page := call("GET", "/v1/accounts/"+account.ResourceID+"/transactions?bookingStatus=booked&dateFrom=2000-01-01", consentID, token, nil)
	report, _ := page["transactions"].(map[string]any)
	if booked, _ := report["booked"].([]any); status != 200 || len(booked) == 0 {
		t.Fatalf("transactions: %d %v", status, page)
	}

	// Refused, and changing nothing in either table: no token; the token with another
	// certificate of the same app; a token of another consent.
	app, err := c.w.Orgs.GetApp(context.Background(), "bb", "bb-app")
	c.w.Must(t, err)
	c.w.Certificate(t, c.s.CA, "bb-cert-2", app, true)
	_, other := call("POST", "/v1/consents", "", "", map[string]any{
		"access": map[string]any{"allPsd2": "allAccounts"}, "recurringIndicator": true, "validUntil": "9999-12-31", "frequencyPerDay": 4, "combinedServiceIndicator": false})
	otherID, _ := other["consentId"].(string)
	tppTable := tppworld.New(c.w.DB, c.s.Config.TPPTable, time.Now())
	before := c.w.Snapshot(t) + " " + tppTable.Snapshot(t)
	roots := x509.NewCertPool()
	roots.AddCert(c.s.CA.Cert)
	second := c
	second.tpp = c.w.MTLSClient(roots, "bb-cert-2", "bb")
	for _, r := range []struct {
		name              string
		client            aisClient
		consentID, bearer string
	}{
		{"without a token", c, consentID, ""},
		{"the token with another certificate of the app", second, consentID, token},
		{"a token of another consent", c, otherID, token},
	} {
		status, body := r.client.call("GET", "/v1/accounts", r.consentID, r.bearer, nil)
		if msgs, _ := body["tppMessages"].([]any); status != 401 || len(msgs) != 1 || msgs[0].(map[string]any)["code"] != "TOKEN_INVALID" {
			t.Fatalf("%s: %d %v", r.name, status, body)
		}
	}
	if after := c.w.Snapshot(t) + " " + tppTable.Snapshot(t); after != before {
		t.Fatalf("the refusals changed the tables: %s, was %s", after, before)
	}
}

// BenchmarkTransactionsOverMTLS measures GET /v1/accounts/{account-id}/transactions on the
// local stack as a TPP's software sees it: over mutual TLS, through the caller check with
// the bearer token, a page of 100 booked transactions read on moto; p50 and p99, and the
// DynamoDB calls per page, counted from moto's request log (every call of the loop is a
// DynamoDB call).
func BenchmarkTransactionsOverMTLS(b *testing.B) {
	var motoLog lockedBuffer
	c, conf := newAISClient(b, false, devstack.Options{MotoLog: &motoLog})
	account := currentAccount(b, c.s)
	consentID, token := c.approvedConsent(conf, account)
	path := "/v1/accounts/" + account.ResourceID + "/transactions?bookingStatus=booked&dateFrom=2000-01-01"
	var took []time.Duration
	before := motoLog.count(motoCall)
	for b.Loop() {
		start := time.Now()
		if status, body := c.call("GET", path, consentID, token, nil); status != 200 {
			b.Fatalf("%d %v", status, body)
		}
		took = append(took, time.Since(start))
	}
	calls := motoLog.count(motoCall) - before
	slices.Sort(took)
	b.ReportMetric(float64(calls)/float64(len(took)), "dynamodb-calls/op")
	b.ReportMetric(float64(took[len(took)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds()), "p99-µs")
}

// motoCall is how moto's log shows an AWS call: every service's API is a POST to /.
const motoCall = `"POST / HTTP/1.1"`

// lockedBuffer is moto's log, written by the process's output copier while counted.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// count is how often s occurs in the log so far.
func (l *lockedBuffer) count(s string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Count(l.buf.String(), s)
}
