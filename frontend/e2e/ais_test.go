package e2e

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/tpp/bgspec"
	"github.com/bank/devportal/shared/tpp/oauth"
	"github.com/bank/devportal/shared/tpp/routes"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
)

// exercisedTPP are the TPP API's operations (method and path pattern of the route table,
// shared/tpp/routes) that the browser tests called over mutual TLS and got an answer from.
// A coverage check reads it after the tests ran, in TestMain or in a test that runs last:
// exercisedTPP.List() or exercisedTPP.Has("GET /v1/accounts").
var exercisedTPP = &operationSet{seen: map[string]int{}}

// operationSet counts answered calls by route; tests run in parallel, hence the lock.
type operationSet struct {
	mu   sync.Mutex
	seen map[string]int
}

// record counts a call of method on path under its route, if the route table has one.
func (s *operationSet) record(method, path string) {
	rt, ok := route.Match(routes.TPP, method, path)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen[rt.Method+" "+rt.Path]++
}

// List is the operations called, "METHOD /path/{param}", sorted.
func (s *operationSet) List() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.seen))
	for op := range s.seen {
		out = append(out, op)
	}
	sort.Strings(out)
	return out
}

// Has says whether the operation "METHOD /path/{param}" was called.
func (s *operationSet) Has(op string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seen[op] > 0
}

// recording counts every answered call of the app's client in exercisedTPP, the standard
// OAuth2 client's token requests included.
type recording struct{ next http.RoundTripper }

func (r recording) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.next.RoundTrip(req)
	if err == nil {
		exercisedTPP.record(req.Method, req.URL.Path)
	}
	return resp, err
}

// newRecordedTPPApp is newTPPAppOf whose certificate-bearing client records its calls.
func newRecordedTPPApp(t *testing.T, spec tppAppSpec) *tppApp {
	a := newTPPAppOf(t, spec)
	a.mtls.Transport = recording{next: a.mtls.Transport}
	return a
}

// psuIPAddress is the customer's address the app sends: every read of these journeys is
// one the customer asked for, so none is counted against the consent's frequencyPerDay.
const psuIPAddress = "192.0.2.44"

// bgAnswer is an answer of the Berlin Group API, checked against the official file.
type bgAnswer struct {
	status int
	header http.Header
	body   map[string]any
	raw    []byte
}

// into decodes the answer's body into v, for the answers read field by field.
func (b bgAnswer) into(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(b.raw, v); err != nil {
		t.Fatalf("decode %s: %v", b.raw, err)
	}
}

// code is the first tppMessage's code of a refusal.
func (b bgAnswer) code() string {
	msgs, _ := b.body["tppMessages"].([]any)
	if len(msgs) == 0 {
		return ""
	}
	c, _ := msgs[0].(map[string]any)["code"].(string)
	return c
}

// bgCall is one call of the app's software to the Berlin Group API.
type bgCall struct {
	method, path string
	consentID    string
	token        string
	body         any
	// headers are more headers: TPP-Redirect-URI.
	headers map[string]string
}

// call sends c over mutual TLS with the app's certificate and API key and a fresh
// X-Request-ID, checks the answer against the official Berlin Group file of its path
// (any violation fails the test) and that it echoes the request ID. A 429 is waited out
// as its Retry-After says, as a TPP's software does: the sandbox plan allows 10 calls a
// second, which paging through a period can reach.
func (a *tppApp) call(t *testing.T, c bgCall) bgAnswer {
	t.Helper()
	for attempt := 0; ; attempt++ {
		var body []byte
		if c.body != nil {
			body, _ = json.Marshal(c.body)
		}
		req, err := http.NewRequest(c.method, suite.stack.TPPURL+c.path, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		requestID := newUUID()
		req.Header.Set("X-Request-ID", requestID)
		req.Header.Set("PSU-IP-Address", psuIPAddress)
		if c.body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if c.consentID != "" {
			req.Header.Set("Consent-ID", c.consentID)
		}
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		for k, v := range c.headers {
			req.Header.Set(k, v)
		}
		resp, err := a.mtls.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", c.method, c.path, err)
		}
		file := bgspec.NextGenPSD2
		if strings.HasPrefix(req.URL.Path, "/v2/consents/confirmation-of-funds") {
			file = bgspec.FundsConfirmation
		}
		raw := bgspec.CheckResponse(t, file, req, resp)
		if got := resp.Header.Get("X-Request-ID"); got != requestID {
			t.Errorf("%s %s answered X-Request-ID %q, want the request's %q", c.method, c.path, got, requestID)
		}
		out := bgAnswer{status: resp.StatusCode, header: resp.Header, raw: raw}
		if len(raw) > 0 {
			if err := json.Unmarshal(raw, &out.body); err != nil {
				t.Fatalf("%s %s answered %d with a body that is no JSON object: %v\n%s", c.method, c.path, resp.StatusCode, err, raw)
			}
		}
		if resp.StatusCode != http.StatusTooManyRequests || attempt == 5 {
			return out
		}
		wait, err := strconv.Atoi(resp.Header.Get("Retry-After"))
		if err != nil || wait < 0 || wait > 5 {
			t.Fatalf("%s %s answered 429 with Retry-After %q", c.method, c.path, resp.Header.Get("Retry-After"))
		}
		t.Logf("%s %s: the plan's rate is reached, retrying after %ds", c.method, c.path, wait)
		time.Sleep(time.Duration(wait)*time.Second + 50*time.Millisecond)
	}
}

// want fails the test unless the answer has the status.
func (b bgAnswer) want(t *testing.T, what string, status int) bgAnswer {
	t.Helper()
	if b.status != status {
		t.Fatalf("%s: answered %d %v, want %d", what, b.status, b.body, status)
	}
	return b
}

// newUUID is a random (version 4) UUID, the X-Request-ID the Berlin Group asks for.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// metadataOf follows a consent's scaOAuth link, as the Berlin Group's OAuth SCA approach
// has a TPP do: the authorization server's metadata, read with the app's client.
func (a *tppApp) metadataOf(t *testing.T, created bgAnswer) oauth.Metadata {
	t.Helper()
	links, _ := created.body["_links"].(map[string]any)
	sca, _ := links["scaOAuth"].(map[string]any)
	href, _ := sca["href"].(string)
	if want := suite.stack.TPPURL + oauth.MetadataPath; href != want {
		t.Fatalf("the consent's scaOAuth link is %q, want %q", href, want)
	}
	resp, err := a.mtls.Get(href)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var md oauth.Metadata
	if err := json.NewDecoder(resp.Body).Decode(&md); resp.StatusCode != 200 || err != nil {
		t.Fatalf("the scaOAuth link answered %d: %v", resp.StatusCode, err)
	}
	if md.Issuer != a.md.Issuer || md.AuthorizationEndpoint != a.md.AuthorizationEndpoint || !maps.Equal(md.MTLSEndpointAliases, a.md.MTLSEndpointAliases) {
		t.Fatalf("the scaOAuth metadata %+v is not the server's %+v", md, a.md)
	}
	return md
}

// customer is a sandbox customer and their accounts in the bank's order.
type customer struct {
	sandboxbank.Customer
	accounts []sandboxbank.Account
}

// customerOf is the stack's sandbox customer with the sign-in name login.
func customerOf(t *testing.T, login string) customer {
	t.Helper()
	bank := suite.stack.Bank
	i := slices.IndexFunc(bank.Customers, func(c sandboxbank.Customer) bool { return c.Login == login })
	if i < 0 {
		t.Fatalf("the sandbox bank has no customer %s", login)
	}
	c := customer{Customer: bank.Customers[i]}
	for _, a := range bank.Accounts {
		if a.CustomerID == c.ID {
			c.accounts = append(c.accounts, a)
		}
	}
	slices.SortFunc(c.accounts, func(x, y sandboxbank.Account) int { return x.Position - y.Position })
	return c
}

// of is the customer's first account of the kind.
func (c customer) of(t *testing.T, kind sandboxbank.AccountKind) sandboxbank.Account {
	t.Helper()
	i := slices.IndexFunc(c.accounts, func(a sandboxbank.Account) bool { return a.Kind == kind })
	if i < 0 {
		t.Fatalf("%s has no %s account", c.Login, kind)
	}
	return c.accounts[i]
}

// authorization is one OAuth2 authorization of a consent in the customer's browser.
type authorization struct {
	scope string
	// asks is what the bank's consent page says the app asks.
	asks string
	// choose, when set, picks the accounts on the consent page (bank-offered consents);
	// the page must then offer the choice, and must not otherwise.
	choose func(p *page)
	// pushed sends the request by PAR first, as a TPP that keeps it off the browser does.
	pushed bool
}

// authorize sends the customer to the bank with the authorization request of scope,
// signs them in and approves in Chromium, and exchanges the code that comes back at the
// app's redirect URI with the standard OAuth2 client over mutual TLS.
func (a *tppApp) authorize(t *testing.T, p *page, md oauth.Metadata, who customer, z authorization) *oauth2.Token {
	t.Helper()
	conf := *a.conf
	conf.Scopes = []string{z.scope}
	conf.Endpoint.AuthURL = md.AuthorizationEndpoint
	conf.Endpoint.TokenURL = md.MTLSEndpointAliases["token_endpoint"]
	state := "state-" + newUUID()
	verifier := oauth2.GenerateVerifier()
	authURL := conf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier))
	if z.pushed {
		pushed, _ := url.Parse(authURL)
		status, par := a.form(t, md.MTLSEndpointAliases["pushed_authorization_request_endpoint"], pushed.Query())
		requestURI, _ := par["request_uri"].(string)
		if status != 201 || !strings.HasPrefix(requestURI, oauth.RequestURIPrefix) {
			t.Fatalf("PAR: %d %v", status, par)
		}
		authURL = md.AuthorizationEndpoint + "?" + url.Values{"client_id": {conf.ClientID}, "request_uri": {requestURI}}.Encode()
	}
	p.openURL(authURL)
	p.expectText("main h1", "Sign in")
	p.fill("login", who.Login)
	p.fill("password", sandboxbank.SandboxPassword)
	p.fill("otp", sandboxbank.SandboxOTP)
	p.click("#sign-in")
	p.waitText("main h1", "Approve access", stepTimeout)
	p.expectText("#customer", who.DisplayName)
	p.expectText("#asks", z.asks)
	p.expectText("code.scope", z.scope)
	if z.choose != nil {
		z.choose(p)
	} else {
		p.expectAbsent("#accounts")
	}
	p.click("#approve")
	q := a.next(t)
	if q.Get("code") == "" || q.Get("state") != state || q.Get("iss") != md.Issuer || q.Get("error") != "" {
		t.Fatalf("the bank sent the customer back to the app with %v", q)
	}
	p.waitText("main h1", "Back at the app", stepTimeout)
	tok, err := conf.Exchange(a.ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange the code: %v", err)
	}
	if tok.Extra("scope") != z.scope || tok.Type() != "Bearer" || tok.RefreshToken == "" {
		t.Fatalf("the token is %+v with scope %v, want scope %s", tok, tok.Extra("scope"), z.scope)
	}
	return tok
}

// bookedIn are the account's booked transactions of the sandbox ledger from one day to
// another, both included, oldest first as the bank pages them (booking date, then entry).
func bookedIn(accountID, from, to string) []sandboxbank.Transaction {
	var out []sandboxbank.Transaction
	for _, tx := range suite.stack.Bank.Transactions {
		if tx.AccountID == accountID && tx.Status == sandboxbank.Booked && tx.BookingDate >= from && tx.BookingDate <= to {
			out = append(out, tx)
		}
	}
	slices.SortFunc(out, func(x, y sandboxbank.Transaction) int {
		return strings.Compare(x.BookingDate+"#"+x.EntryReference, y.BookingDate+"#"+y.EntryReference)
	})
	return out
}

// pendingOf are the account's pending transactions of the sandbox ledger.
func pendingOf(accountID string) []sandboxbank.Transaction {
	var out []sandboxbank.Transaction
	for _, tx := range suite.stack.Bank.Transactions {
		if tx.AccountID == accountID && tx.Status == sandboxbank.Pending {
			out = append(out, tx)
		}
	}
	return out
}

// sums are an account's money as its transactions add up, in minor units.
type sums struct {
	booked, bookedBeforeToday, pendingDebits, pendingCredits int64
}

func sumsOf(accountID string, today string) sums {
	var s sums
	for _, tx := range suite.stack.Bank.Transactions {
		switch {
		case tx.AccountID != accountID:
		case tx.Status == sandboxbank.Booked:
			s.booked += tx.Amount.Minor
			if tx.BookingDate < today {
				s.bookedBeforeToday += tx.Amount.Minor
			}
		case tx.Amount.Minor < 0:
			s.pendingDebits += tx.Amount.Minor
		default:
			s.pendingCredits += tx.Amount.Minor
		}
	}
	return s
}

// available is what can be spent from the account: booked, less pending debits, with
// its credit limit: the funds a confirmation of funds weighs an amount against.
func available(acc sandboxbank.Account, today string) sandboxbank.Money {
	s := sumsOf(acc.ResourceID, today)
	return sandboxbank.Money{Minor: s.booked + s.pendingDebits + acc.CreditLimit, Currency: acc.Currency}
}

// bgBalance is the schema balance, as read.
type bgBalance struct {
	BalanceAmount       sandboxbank.Amount `json:"balanceAmount"`
	BalanceType         string             `json:"balanceType"`
	CreditLimitIncluded *bool              `json:"creditLimitIncluded"`
	ReferenceDate       string             `json:"referenceDate"`
}

func (b bgBalance) String() string {
	s := fmt.Sprintf("%s %s %s on %s", b.BalanceType, b.BalanceAmount.Amount, b.BalanceAmount.Currency, b.ReferenceDate)
	if b.CreditLimitIncluded != nil {
		s += fmt.Sprintf(" (credit limit included: %v)", *b.CreditLimitIncluded)
	}
	return s
}

// balancesOf are the account's balances on the day today as the Berlin Group types them,
// added up from the sandbox ledger's transactions: closingBooked at the end of yesterday,
// interimBooked now, expected with the pending ones, interimAvailable without and (for an
// account with a credit limit) with the limit.
func balancesOf(acc sandboxbank.Account, now time.Time) []string {
	today, yesterday := now.Format(time.DateOnly), now.AddDate(0, 0, -1).Format(time.DateOnly)
	s := sumsOf(acc.ResourceID, today)
	amount := func(minor int64) sandboxbank.Amount {
		return sandboxbank.AmountOf(sandboxbank.Money{Minor: minor, Currency: acc.Currency})
	}
	no, yes := false, true
	out := []bgBalance{
		{BalanceAmount: amount(s.bookedBeforeToday), BalanceType: "closingBooked", ReferenceDate: yesterday},
		{BalanceAmount: amount(s.booked), BalanceType: "interimBooked", ReferenceDate: today},
		{BalanceAmount: amount(s.booked + s.pendingDebits + s.pendingCredits), BalanceType: "expected", ReferenceDate: today},
		{BalanceAmount: amount(s.booked + s.pendingDebits), BalanceType: "interimAvailable", CreditLimitIncluded: &no, ReferenceDate: today},
	}
	if acc.CreditLimit > 0 {
		out = append(out, bgBalance{BalanceAmount: amount(s.booked + s.pendingDebits + acc.CreditLimit), BalanceType: "interimAvailable", CreditLimitIncluded: &yes, ReferenceDate: today})
	}
	return balanceTexts(out)
}

func balanceTexts(list []bgBalance) []string {
	out := make([]string, len(list))
	for i, b := range list {
		out[i] = b.String()
	}
	return out
}

// expectBalances asserts the balances an answer gives of the account.
func expectBalances(t *testing.T, what string, got []bgBalance, acc sandboxbank.Account, now time.Time) {
	t.Helper()
	if want := balancesOf(acc, now); !slices.Equal(balanceTexts(got), want) {
		t.Fatalf("%s: balances\n%s\nwant\n%s", what, strings.Join(balanceTexts(got), "\n"), strings.Join(want, "\n"))
	}
}

// bgAccount is the schema accountDetails or cardAccountDetails, as read.
type bgAccount struct {
	ResourceID      string              `json:"resourceId"`
	IBAN            string              `json:"iban"`
	BBAN            string              `json:"bban"`
	MaskedPAN       string              `json:"maskedPan"`
	Currency        string              `json:"currency"`
	OwnerName       string              `json:"ownerName"`
	Name            string              `json:"name"`
	Product         string              `json:"product"`
	CashAccountType string              `json:"cashAccountType"`
	Status          string              `json:"status"`
	BIC             string              `json:"bic"`
	Usage           string              `json:"usage"`
	CreditLimit     *sandboxbank.Amount `json:"creditLimit"`
	Balances        []bgBalance         `json:"balances"`
	Links           map[string]bgHref   `json:"_links"`
}

type bgHref struct {
	Href string `json:"href"`
}

// expectAccount asserts that an answer describes the bank's account: its identifiers,
// currency, name, product and status as the sandbox bank holds them, and the links to its
// balances and transactions. The owner's name is not shown: no consent here asks for it.
func expectAccount(t *testing.T, what string, got bgAccount, acc sandboxbank.Account) {
	t.Helper()
	want := bgAccount{ResourceID: acc.ResourceID, IBAN: acc.IBAN, BBAN: acc.BBAN, MaskedPAN: acc.MaskedPAN, Currency: acc.Currency,
		Name: acc.Name, Product: acc.Product, CashAccountType: acc.CashAccountType, Status: acc.Status, Usage: acc.Usage,
		Links: map[string]bgHref{"balances": {sandboxbank.AccountPath(acc) + "/balances"}, "transactions": {sandboxbank.AccountPath(acc) + "/transactions"}}}
	if acc.Kind == sandboxbank.Card {
		limit := sandboxbank.AmountOf(sandboxbank.Money{Minor: acc.CreditLimit, Currency: acc.Currency})
		want.CreditLimit = &limit
	} else {
		want.BIC = sandboxbank.BankBIC
	}
	got.Balances = nil
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if !bytes.Equal(g, w) {
		t.Fatalf("%s: the account is\n%s\nwant\n%s", what, g, w)
	}
}

// idsOf are the resource IDs of the accounts of an answer, in its order.
func idsOf(list []bgAccount) []string {
	out := make([]string, len(list))
	for i, a := range list {
		out[i] = a.ResourceID
	}
	return out
}

// resourceIDs are the accounts' resource IDs, in the order given.
func resourceIDs(list ...sandboxbank.Account) []string {
	out := make([]string, len(list))
	for i, a := range list {
		out[i] = a.ResourceID
	}
	return out
}

// bgTransaction is the schema transactions or cardTransaction, as read.
type bgTransaction struct {
	TransactionID     string             `json:"transactionId"`
	CardTransactionID string             `json:"cardTransactionId"`
	EntryReference    string             `json:"entryReference"`
	BookingDate       string             `json:"bookingDate"`
	ValueDate         string             `json:"valueDate"`
	TransactionAmount sandboxbank.Amount `json:"transactionAmount"`
	Links             map[string]bgHref  `json:"_links"`
}

// id is the transaction's ID, whichever schema it came in.
func (x bgTransaction) id() string { return x.TransactionID + x.CardTransactionID }

// bgReport is an answer of GET .../transactions: the account's or card account's report.
type bgReport struct {
	Account      map[string]string `json:"account"`
	CardAccount  map[string]string `json:"cardAccount"`
	Transactions *struct {
		Booked  []bgTransaction   `json:"booked"`
		Pending []bgTransaction   `json:"pending"`
		Links   map[string]bgHref `json:"_links"`
	} `json:"transactions"`
	CardTransactions *struct {
		Booked  []bgTransaction   `json:"booked"`
		Pending []bgTransaction   `json:"pending"`
		Links   map[string]bgHref `json:"_links"`
	} `json:"cardTransactions"`
}

// report is the page's booked and pending transactions and its links.
func (r bgReport) report() (booked, pending []bgTransaction, links map[string]bgHref) {
	if r.CardTransactions != nil {
		return r.CardTransactions.Booked, r.CardTransactions.Pending, r.CardTransactions.Links
	}
	if r.Transactions != nil {
		return r.Transactions.Booked, r.Transactions.Pending, r.Transactions.Links
	}
	return nil, nil, nil
}

// expectTransaction asserts that a transaction of a report is the ledger's: its ID,
// entry reference, dates and amount.
func expectTransaction(t *testing.T, what string, got bgTransaction, want sandboxbank.Transaction, acc sandboxbank.Account) {
	t.Helper()
	w := bgTransaction{TransactionID: want.ID, EntryReference: want.EntryReference, BookingDate: want.BookingDate, ValueDate: want.ValueDate,
		TransactionAmount: sandboxbank.AmountOf(want.Amount)}
	if acc.Kind == sandboxbank.Card {
		// A card transaction (cardTransaction) carries no entry reference and no links.
		w.TransactionID, w.CardTransactionID, w.EntryReference = "", want.ID, ""
	} else {
		// The transaction's details link: GET /v1/accounts/{id}/transactions/{transactionId}
		// is not a route of this table; its journey is covered with the route itself.
		w.Links = map[string]bgHref{"transactionDetails": {sandboxbank.AccountPath(acc) + "/transactions/" + want.ID}}
	}
	g, _ := json.Marshal(got)
	wj, _ := json.Marshal(w)
	if !bytes.Equal(g, wj) {
		t.Fatalf("%s: transaction\n%s\nwant\n%s", what, g, wj)
	}
}

// readPeriod reads the account's transactions of a period as a TPP's software does: the
// first page, then each next link until there is none, and back to the first page by
// its first link. It checks every page's size, every booked transaction against the
// ledger in the bank's order, the pending ones (with bookingStatus both, on the first page
// only) and the links, and returns how many pages there were.
func (a *tppApp) readPeriod(t *testing.T, consentID, token string, acc sandboxbank.Account, bookingStatus, from, to string) int {
	t.Helper()
	q := url.Values{"bookingStatus": {bookingStatus}, "dateFrom": {from}}
	if to != "" {
		q.Set("dateTo", to)
	}
	if to == "" {
		to = "9999-12-31"
	}
	first := sandboxbank.AccountPath(acc) + "/transactions?" + q.Encode()
	want := bookedIn(acc.ResourceID, from, to)
	var wantPending []sandboxbank.Transaction
	if bookingStatus == "both" {
		wantPending = pendingOf(acc.ResourceID)
	}
	size := sandboxbank.DefaultPageSize
	pages := max(1, (len(want)+size-1)/size)
	var seen []bgTransaction
	var firstPage []string
	var lastHref string
	next := first
	for page := 1; next != ""; page++ {
		if page > pages {
			t.Fatalf("%s: more than the %d pages the ledger's %d transactions of %s to %s fill", acc.ResourceID, pages, len(want), from, to)
		}
		var r bgReport
		a.call(t, bgCall{method: "GET", path: next, consentID: consentID, token: token}).want(t, fmt.Sprintf("transactions page %d", page), 200).into(t, &r)
		booked, pending, links := r.report()
		if got := r.Account; acc.Kind == sandboxbank.Card {
			got = r.CardAccount
			if len(got) != 1 || got["maskedPan"] != acc.MaskedPAN {
				t.Fatalf("page %d is a report of %v, want card %s", page, got, acc.MaskedPAN)
			}
		} else if len(got) != 2 || got["iban"] != acc.IBAN || got["currency"] != acc.Currency {
			t.Fatalf("page %d is a report of %v, want %s %s", page, got, acc.IBAN, acc.Currency)
		}
		wantSize := size
		if page == pages {
			wantSize = len(want) - size*(pages-1)
		}
		if len(booked) != wantSize {
			t.Fatalf("page %d of %d holds %d booked transactions, want %d", page, pages, len(booked), wantSize)
		}
		if page == 1 {
			for _, x := range booked {
				firstPage = append(firstPage, x.id())
			}
			if len(pending) != len(wantPending) {
				t.Fatalf("the first page holds %d pending transactions, want the ledger's %d", len(pending), len(wantPending))
			}
			for i, x := range pending {
				w := wantPending[i]
				got, _ := json.Marshal(x)
				if x.id() != w.ID || x.BookingDate != "" || x.ValueDate != w.ValueDate || x.TransactionAmount != sandboxbank.AmountOf(w.Amount) {
					t.Fatalf("pending transaction %d is %s, want %+v", i, got, w)
				}
			}
		} else if len(pending) != 0 {
			t.Fatalf("page %d repeats %d pending transactions", page, len(pending))
		}
		seen = append(seen, booked...)
		if links["first"].Href != first || links["account"].Href != sandboxbank.AccountPath(acc) {
			t.Fatalf("page %d links %v, want first %s and account %s", page, links, first, sandboxbank.AccountPath(acc))
		}
		// The bank links the page after, the page before and the last page, where there
		// are such pages.
		next = links["next"].Href
		previous, last := links["previous"].Href, links["last"].Href
		if (next == "") != (page == pages) || (previous == "") != (page == 1) || (last == "") != (page == pages) {
			t.Fatalf("page %d of %d: next %q, previous %q, last %q", page, pages, next, previous, last)
		}
		for rel, href := range map[string]string{"next": next, "previous": previous, "last": last} {
			if href == "" {
				continue
			}
			u, err := url.Parse(href)
			nq := u.Query()
			cursor := nq.Get("cursor")
			nq.Del("cursor")
			if err != nil || u.Path != sandboxbank.AccountPath(acc)+"/transactions" || nq.Encode() != q.Encode() || cursor == "" {
				t.Fatalf("page %d: the %s link %q is not the query's with a cursor", page, rel, href)
			}
		}
		if page == 1 {
			lastHref = last
		}
		if want := 2 + 2*min(1, len(next)) + min(1, len(previous)); len(links) != want {
			t.Fatalf("page %d has links %v, want account, first, and next, previous and last where there are such pages", page, links)
		}
	}
	if len(seen) != len(want) {
		t.Fatalf("%d booked transactions read over %d pages, the ledger holds %d from %s to %s", len(seen), pages, len(want), from, to)
	}
	for i := range want {
		expectTransaction(t, fmt.Sprintf("booked transaction %d", i), seen[i], want[i], acc)
	}
	// Back to the start: the first link gives the first page again.
	var again bgReport
	a.call(t, bgCall{method: "GET", path: first, consentID: consentID, token: token}).want(t, "the first page again", 200).into(t, &again)
	booked, _, _ := again.report()
	var ids []string
	for _, x := range booked {
		ids = append(ids, x.id())
	}
	if !slices.Equal(ids, firstPage) {
		t.Fatalf("the first link gives %d transactions %v, the first page had %v", len(ids), ids, firstPage)
	}
	// From the last page back through the previous links: the same transactions, in as
	// many pages.
	var backwards []string
	backPages := 0
	for href := lastHref; href != ""; backPages++ {
		var r bgReport
		a.call(t, bgCall{method: "GET", path: href, consentID: consentID, token: token}).want(t, fmt.Sprintf("transactions page %d from the end", backPages+1), 200).into(t, &r)
		booked, _, links := r.report()
		var ids []string
		for _, x := range booked {
			ids = append(ids, x.id())
		}
		backwards = append(ids, backwards...)
		href = links["previous"].Href
	}
	var forwards []string
	for _, x := range seen {
		forwards = append(forwards, x.id())
	}
	if pages > 1 && (!slices.Equal(backwards, forwards) || backPages != pages) {
		t.Fatalf("backwards: %d transactions in %d pages, forwards %d in %d", len(backwards), backPages, len(forwards), pages)
	}
	// The details of the period's first and last transaction, by their links.
	if acc.Kind != sandboxbank.Card && len(want) > 0 {
		for _, w := range []sandboxbank.Transaction{want[0], want[len(want)-1]} {
			var d struct {
				Details bgTransaction `json:"transactionsDetails"`
			}
			a.call(t, bgCall{method: "GET", path: sandboxbank.AccountPath(acc) + "/transactions/" + w.ID, consentID: consentID, token: token}).
				want(t, "transaction details", 200).into(t, &d)
			expectTransaction(t, "the details of "+w.ID, d.Details, w, acc)
		}
	}
	return pages
}

// startAuthorisation starts an authorisation of the consent at path, as a TPP that
// prefers to start it explicitly: received, with the scaOAuth link and its own status
// link, and listed among the consent's authorisations, taking no PSU data. It returns the
// answer and the authorisation's path.
func (a *tppApp) startAuthorisation(t *testing.T, path string) (bgAnswer, string) {
	t.Helper()
	started := a.call(t, bgCall{method: "POST", path: path + "/authorisations"}).want(t, "start an authorisation", 201)
	id, _ := started.body["authorisationId"].(string)
	authPath := path + "/authorisations/" + id
	links, _ := started.body["_links"].(map[string]any)
	status, _ := links["scaStatus"].(map[string]any)
	if id == "" || started.body["scaStatus"] != "received" || started.header.Get("Location") != authPath || status["href"] != authPath {
		t.Fatalf("the authorisation started as %v, %v", started.header, started.body)
	}
	var list struct {
		IDs []string `json:"authorisationIds"`
	}
	a.call(t, bgCall{method: "GET", path: path + "/authorisations"}).want(t, "list the authorisations", 200).into(t, &list)
	if !slices.Equal(list.IDs, []string{id}) {
		t.Fatalf("the consent's authorisations are %v, want %s", list.IDs, id)
	}
	// The customer of an OAuth2 authorisation authenticates at the bank: a password sent
	// through the TPP (the embedded approach's step) is refused.
	a.expectRefused(t, bgCall{method: "PUT", path: authPath, headers: map[string]string{"PSU-ID": "anna.schmidt"},
		body: map[string]any{"psuData": map[string]string{"password": sandboxbank.SandboxPassword}}}, 409, "STATUS_INVALID")
	return started, authPath
}

// expectScaStatus checks the status of the authorisation at path.
func (a *tppApp) expectScaStatus(t *testing.T, path, want string) {
	t.Helper()
	got := a.call(t, bgCall{method: "GET", path: path}).want(t, "read the authorisation's status", 200)
	if got.body["scaStatus"] != want {
		t.Fatalf("the authorisation %s is %v, want %s", path, got.body["scaStatus"], want)
	}
}

// consentBody is a POST /v1/consents body asking for access.
func consentBody(access map[string]any, recurring bool, frequency int) map[string]any {
	return map[string]any{"access": access, "recurringIndicator": recurring, "validUntil": "9999-12-31",
		"frequencyPerDay": frequency, "combinedServiceIndicator": false}
}

// createConsent creates an account-information consent and checks the answer: received,
// its location and links, the redirect approach. It returns the answer and the consent
// as the bank describes it before the customer decides.
func (a *tppApp) createConsent(t *testing.T, body map[string]any) (created bgAnswer, id string, info bgConsent) {
	t.Helper()
	created = a.call(t, bgCall{method: "POST", path: "/v1/consents", body: body,
		headers: map[string]string{"TPP-Redirect-URI": a.conf.RedirectURL}}).want(t, "create the consent", 201)
	id, _ = created.body["consentId"].(string)
	if id == "" || created.body["consentStatus"] != "received" || created.header.Get("Location") != "/v1/consents/"+id ||
		created.header.Get("ASPSP-SCA-Approach") != "REDIRECT" {
		t.Fatalf("the consent was created as %v, %v", created.header, created.body)
	}
	a.expectConsentStatus(t, "/v1/consents/"+id, "received")
	a.call(t, bgCall{method: "GET", path: "/v1/consents/" + id}).want(t, "read the consent", 200).into(t, &info)
	if info.ConsentStatus != "received" || info.LastActionDate != time.Now().UTC().Format(time.DateOnly) {
		t.Fatalf("the new consent reads %+v", info)
	}
	return created, id, info
}

// bgConsent is the schema consentInformationResponse-200_json, as read.
type bgConsent struct {
	Access             json.RawMessage   `json:"access"`
	RecurringIndicator bool              `json:"recurringIndicator"`
	ValidUntil         string            `json:"validUntil"`
	FrequencyPerDay    int               `json:"frequencyPerDay"`
	LastActionDate     string            `json:"lastActionDate"`
	ConsentStatus      string            `json:"consentStatus"`
	Links              map[string]bgHref `json:"_links"`
}

// expectConsentStatus asserts the status a consent's status resource gives.
func (a *tppApp) expectConsentStatus(t *testing.T, path, want string) {
	t.Helper()
	got := a.call(t, bgCall{method: "GET", path: path + "/status"}).want(t, "the consent's status", 200)
	if got.body["consentStatus"] != want || len(got.body) != 1 {
		t.Fatalf("%s/status is %v, want consentStatus %s", path, got.body, want)
	}
}

// endConsent ends the consent as its TPP, and checks it reads terminatedByTpp.
func (a *tppApp) endConsent(t *testing.T, path string) {
	t.Helper()
	if got := a.call(t, bgCall{method: "DELETE", path: path}); got.status != 204 || len(got.raw) != 0 {
		t.Fatalf("DELETE %s: %d %s", path, got.status, got.raw)
	}
	a.expectConsentStatus(t, path, "terminatedByTpp")
}

// accountList is a GET /v1/accounts or /v1/card-accounts answer.
type accountList struct {
	Accounts     []bgAccount `json:"accounts"`
	CardAccounts []bgAccount `json:"cardAccounts"`
}

// readAccounts reads the consent's account list (or card account list), withBalance or
// not, and returns it.
func (a *tppApp) readAccounts(t *testing.T, path, consentID, token string) []bgAccount {
	t.Helper()
	var l accountList
	a.call(t, bgCall{method: "GET", path: path, consentID: consentID, token: token}).want(t, "GET "+path, 200).into(t, &l)
	if strings.HasPrefix(path, "/v1/card-accounts") {
		return l.CardAccounts
	}
	return l.Accounts
}

// expectRefused asserts a read refused with the status and code.
func (a *tppApp) expectRefused(t *testing.T, c bgCall, status int, code string) {
	t.Helper()
	got := a.call(t, c)
	if got.status != status || got.code() != code {
		t.Fatalf("%s %s: %d %s, want %d %s", c.method, c.path, got.status, got.raw, status, code)
	}
}

// TestAccountInformationJourney is a TPP's account-information and confirmation-of-funds
// software against the local stack: over mutual TLS with its app's certificate and API
// key it creates consents, follows their scaOAuth link to the authorization server, sends
// the customer (anna.schmidt) to the sandbox bank in Chromium to sign in and approve,
// exchanges the code with golang.org/x/oauth2 and reads with the token what the consent
// gives, each answer checked against the official Berlin Group file and against the
// sandbox bank's data: the IBANs, balances and every transaction of a period, page by page.
func TestAccountInformationJourney(t *testing.T) {
	t.Parallel()
	stack := env(t)
	bgspec.Load(t, bgspec.NextGenPSD2) // without the official files there is nothing to check against
	app := newRecordedTPPApp(t, tppAppSpec{org: "aisjourney", roles: []string{"AIS", "PIIS"}, products: []string{"oauth2", "ais", "cof"}})
	anna := customerOf(t, "anna.schmidt")
	current, savings, card := anna.of(t, sandboxbank.Current), anna.of(t, sandboxbank.Savings), anna.of(t, sandboxbank.Card)
	if len(anna.accounts) != 3 {
		t.Fatalf("%s has %d accounts; the journeys choose among a current, a savings and a card account", anna.Login, len(anna.accounts))
	}
	bankDay, err := time.Parse(time.DateOnly, stack.Bank.Date)
	if err != nil {
		t.Fatal(err)
	}
	// The period read: the bank's last twelve months, which the ledger's current account
	// fills with more than two pages.
	from, to := bankDay.AddDate(-1, 0, 1).Format(time.DateOnly), bankDay.Format(time.DateOnly)
	if n := len(bookedIn(current.ResourceID, from, to)); n <= 2*sandboxbank.DefaultPageSize {
		t.Fatalf("the ledger holds %d transactions of %s from %s to %s: too few to page through", n, current.IBAN, from, to)
	}
	ref := func(a sandboxbank.Account) map[string]string { return map[string]string{"iban": a.IBAN} }

	t.Run("dedicated consent: account, balances, transactions page by page", func(t *testing.T) {
		p := newPage(t)
		created, id, info := app.createConsent(t, consentBody(map[string]any{
			"accounts": []any{ref(current)}, "balances": []any{ref(current)}, "transactions": []any{ref(current)}}, true, 4))
		md := app.metadataOf(t, created)
		// Before the customer approves, the consent gives nothing: not yet approved, it
		// is refused as such, with or without a token.
		app.expectRefused(t, bgCall{method: "GET", path: "/v1/accounts", consentID: id}, 401, "CONSENT_INVALID")
		g := formatIBAN(current.IBAN) // the consent page groups IBANs in fours, as the portal does
		tok := app.authorize(t, p, md, anna, authorization{scope: "AIS:" + id, pushed: true,
			asks: "See the details of " + g + "; the balances of " + g + "; the transactions of " + g + ", until " + info.ValidUntil + ", up to 4 times a day without you."})

		app.expectConsentStatus(t, "/v1/consents/"+id, "valid")
		var after bgConsent
		app.call(t, bgCall{method: "GET", path: "/v1/consents/" + id}).want(t, "read the consent", 200).into(t, &after)
		wantAccess := `{"accounts":[{"iban":"` + current.IBAN + `"}],"balances":[{"iban":"` + current.IBAN + `"}],"transactions":[{"iban":"` + current.IBAN + `"}]}`
		if after.ConsentStatus != "valid" || string(after.Access) != wantAccess || !after.RecurringIndicator || after.FrequencyPerDay != 4 ||
			after.ValidUntil != time.Now().UTC().AddDate(0, 0, 180).Format(time.DateOnly) || after.Links["account"].Href != "/v1/accounts" {
			t.Fatalf("the approved consent reads %+v (access %s)", after, after.Access)
		}

		now := time.Now().UTC()
		list := app.readAccounts(t, "/v1/accounts", id, tok.AccessToken)
		if !slices.Equal(idsOf(list), resourceIDs(current)) || list[0].Balances != nil {
			t.Fatalf("the accounts are %+v, want %s without balances", list, current.IBAN)
		}
		expectAccount(t, "the account list", list[0], current)
		list = app.readAccounts(t, "/v1/accounts?withBalance=true", id, tok.AccessToken)
		if !slices.Equal(idsOf(list), resourceIDs(current)) {
			t.Fatalf("the accounts with balances are %+v", list)
		}
		expectAccount(t, "the account list with balances", list[0], current)
		expectBalances(t, "the account list with balances", list[0].Balances, current, now)

		var details struct {
			Account bgAccount `json:"account"`
		}
		app.call(t, bgCall{method: "GET", path: "/v1/accounts/" + current.ResourceID, consentID: id, token: tok.AccessToken}).want(t, "the account", 200).into(t, &details)
		expectAccount(t, "the account's details", details.Account, current)
		var balances struct {
			Account  map[string]string `json:"account"`
			Balances []bgBalance       `json:"balances"`
		}
		app.call(t, bgCall{method: "GET", path: "/v1/accounts/" + current.ResourceID + "/balances", consentID: id, token: tok.AccessToken}).
			want(t, "the balances", 200).into(t, &balances)
		if balances.Account["iban"] != current.IBAN || balances.Account["currency"] != current.Currency || len(balances.Account) != 2 {
			t.Fatalf("the balances are of %v, want %s", balances.Account, current.IBAN)
		}
		expectBalances(t, "the balances", balances.Balances, current, now)

		if pages := app.readPeriod(t, id, tok.AccessToken, current, "both", from, to); pages != 3 {
			t.Fatalf("the period took %d pages, want 3", pages)
		}

		// What the consent does not name is refused: another account of the customer's.
		app.expectRefused(t, bgCall{method: "GET", path: "/v1/accounts/" + savings.ResourceID, consentID: id, token: tok.AccessToken}, 401, "CONSENT_INVALID")
		app.endConsent(t, "/v1/consents/"+id)
		app.expectRefused(t, bgCall{method: "GET", path: "/v1/accounts", consentID: id, token: tok.AccessToken}, 401, "CONSENT_INVALID")
	})

	t.Run("bank-offered consent: the customer chooses the accounts at the bank", func(t *testing.T) {
		p := newPage(t)
		created, id, info := app.createConsent(t, consentBody(map[string]any{"accounts": []any{}, "balances": []any{}, "transactions": []any{}}, true, 4))
		md := app.metadataOf(t, created)
		tok := app.authorize(t, p, md, anna, authorization{scope: "AIS:" + id,
			asks: "See the details, balances, transactions of the accounts you choose below, until " + info.ValidUntil + ", up to 4 times a day without you.",
			choose: func(p *page) {
				var labels []string
				for _, a := range anna.accounts {
					shown := a.IBAN
					if shown == "" {
						shown = a.MaskedPAN
					}
					labels = append(labels, a.Name+" · "+shown+" · "+a.Currency)
				}
				p.expectTexts("#accounts label", labels...)
				// Every account is offered ticked; the customer keeps the current account and the card.
				p.uncheck("account-" + savings.ResourceID)
				p.expectChecked("account-"+current.ResourceID, true)
				p.expectChecked("account-"+card.ResourceID, true)
			}})
		app.expectConsentStatus(t, "/v1/consents/"+id, "valid")
		// Before the choice the consent showed the empty lists it was asked with; now it
		// names the accounts chosen, list by list.
		if string(info.Access) != `{"accounts":[],"balances":[],"transactions":[]}` {
			t.Fatalf("the bank-offered consent read %s before the choice", info.Access)
		}
		var chosen bgConsent
		app.call(t, bgCall{method: "GET", path: "/v1/consents/" + id}).want(t, "read the approved consent", 200).into(t, &chosen)
		refs := fmt.Sprintf(`[{"iban":%q,"currency":%q},{"maskedPan":%q,"currency":%q}]`, current.IBAN, current.Currency, card.MaskedPAN, card.Currency)
		if want := `{"accounts":` + refs + `,"balances":` + refs + `,"transactions":` + refs + `}`; string(chosen.Access) != want {
			t.Fatalf("the approved bank-offered consent reads %s, want %s", chosen.Access, want)
		}

		// What the customer chose: the current account among the accounts, the card among
		// the card accounts, each with its balances and transactions; not the savings.
		now := time.Now().UTC()
		list := app.readAccounts(t, "/v1/accounts?withBalance=true", id, tok.AccessToken)
		if !slices.Equal(idsOf(list), resourceIDs(current)) {
			t.Fatalf("the accounts are %v, want the chosen %s", idsOf(list), current.IBAN)
		}
		expectAccount(t, "the chosen account", list[0], current)
		expectBalances(t, "the chosen account", list[0].Balances, current, now)
		cards := app.readAccounts(t, "/v1/card-accounts", id, tok.AccessToken)
		if !slices.Equal(idsOf(cards), resourceIDs(card)) {
			t.Fatalf("the card accounts are %v, want the chosen %s", idsOf(cards), card.MaskedPAN)
		}
		expectAccount(t, "the chosen card account", cards[0], card)
		var cardDetails struct {
			CardAccount bgAccount `json:"cardAccount"`
		}
		app.call(t, bgCall{method: "GET", path: "/v1/card-accounts/" + card.ResourceID, consentID: id, token: tok.AccessToken}).
			want(t, "the card account", 200).into(t, &cardDetails)
		expectAccount(t, "the card account's details", cardDetails.CardAccount, card)
		var cardBalances struct {
			CardAccount map[string]string `json:"cardAccount"`
			Balances    []bgBalance       `json:"balances"`
		}
		app.call(t, bgCall{method: "GET", path: "/v1/card-accounts/" + card.ResourceID + "/balances", consentID: id, token: tok.AccessToken}).
			want(t, "the card's balances", 200).into(t, &cardBalances)
		if cardBalances.CardAccount["maskedPan"] != card.MaskedPAN || len(cardBalances.CardAccount) != 1 {
			t.Fatalf("the card balances are of %v, want %s", cardBalances.CardAccount, card.MaskedPAN)
		}
		expectBalances(t, "the card's balances", cardBalances.Balances, card, now)
		if pages := app.readPeriod(t, id, tok.AccessToken, card, "booked", from, ""); pages != 2 {
			t.Fatalf("the card's period took %d pages, want 2", pages)
		}
		app.expectRefused(t, bgCall{method: "GET", path: "/v1/accounts/" + savings.ResourceID + "/balances", consentID: id, token: tok.AccessToken}, 401, "CONSENT_INVALID")
		app.endConsent(t, "/v1/consents/"+id)
	})

	t.Run("availableAccounts: the list of every account, once", func(t *testing.T) {
		p := newPage(t)
		_, id, info := app.createConsent(t, consentBody(map[string]any{"availableAccounts": "allAccounts"}, false, 1))
		// This TPP starts the authorisation itself: its answer carries the scaOAuth link.
		started, authPath := app.startAuthorisation(t, "/v1/consents/"+id)
		tok := app.authorize(t, p, app.metadataOf(t, started), anna, authorization{scope: "AIS:" + id,
			asks: "See the list of your accounts, once, until " + info.ValidUntil + "."})
		app.expectConsentStatus(t, "/v1/consents/"+id, "valid")
		app.expectScaStatus(t, authPath, "finalised")
		list := app.readAccounts(t, "/v1/accounts", id, tok.AccessToken)
		if !slices.Equal(idsOf(list), resourceIDs(current, savings)) {
			t.Fatalf("the available accounts are %v, want %s and %s", idsOf(list), current.IBAN, savings.IBAN)
		}
		for i, a := range []sandboxbank.Account{current, savings} {
			expectAccount(t, "available account", list[i], a)
			if list[i].Balances != nil {
				t.Fatalf("the list of available accounts shows balances: %+v", list[i].Balances)
			}
		}
		// The list is all it gives: an account's details are refused.
		app.expectRefused(t, bgCall{method: "GET", path: "/v1/accounts/" + current.ResourceID, consentID: id, token: tok.AccessToken}, 401, "CONSENT_INVALID")
	})

	t.Run("availableAccountsWithBalance: the list with balances", func(t *testing.T) {
		p := newPage(t)
		created, id, info := app.createConsent(t, consentBody(map[string]any{"availableAccountsWithBalance": "allAccounts"}, false, 1))
		tok := app.authorize(t, p, app.metadataOf(t, created), anna, authorization{scope: "AIS:" + id,
			asks: "See the list of your accounts with their balances, once, until " + info.ValidUntil + "."})
		now := time.Now().UTC()
		list := app.readAccounts(t, "/v1/accounts?withBalance=true", id, tok.AccessToken)
		if !slices.Equal(idsOf(list), resourceIDs(current, savings)) {
			t.Fatalf("the available accounts are %v, want %s and %s", idsOf(list), current.IBAN, savings.IBAN)
		}
		for i, a := range []sandboxbank.Account{current, savings} {
			expectAccount(t, "available account", list[i], a)
			expectBalances(t, "available account "+a.IBAN, list[i].Balances, a, now)
		}
	})

	t.Run("allPsd2: every access to every payment account", func(t *testing.T) {
		p := newPage(t)
		created, id, info := app.createConsent(t, consentBody(map[string]any{"allPsd2": "allAccounts"}, true, 4))
		tok := app.authorize(t, p, app.metadataOf(t, created), anna, authorization{scope: "AIS:" + id,
			asks: "See the details, balances and transactions of all your payment accounts, until " + info.ValidUntil + ", up to 4 times a day without you."})
		now := time.Now().UTC()
		list := app.readAccounts(t, "/v1/accounts?withBalance=true", id, tok.AccessToken)
		if !slices.Equal(idsOf(list), resourceIDs(current, savings)) {
			t.Fatalf("the accounts are %v, want %s and %s", idsOf(list), current.IBAN, savings.IBAN)
		}
		for i, a := range []sandboxbank.Account{current, savings} {
			expectAccount(t, "account", list[i], a)
			expectBalances(t, "account "+a.IBAN, list[i].Balances, a, now)
		}
		if cards := app.readAccounts(t, "/v1/card-accounts", id, tok.AccessToken); !slices.Equal(idsOf(cards), resourceIDs(card)) {
			t.Fatalf("the card accounts are %v, want %s", idsOf(cards), card.MaskedPAN)
		}
		// The savings account's year fits one page: no next link.
		if pages := app.readPeriod(t, id, tok.AccessToken, savings, "both", from, to); pages != 1 {
			t.Fatalf("the savings account's period took %d pages, want 1", pages)
		}
		app.endConsent(t, "/v1/consents/"+id)
	})

	t.Run("confirmation of funds: yes up to what can be spent, no above", func(t *testing.T) {
		p := newPage(t)
		const cardNumber = "1234567891234"
		created := app.call(t, bgCall{method: "POST", path: "/v2/consents/confirmation-of-funds", body: map[string]any{
			"account": ref(current), "cardNumber": cardNumber, "cardExpiryDate": "2029-12-31", "cardInformation": "Budget card",
			"registrationInformation": "Card contract 1234 with TPP aisjourney"}}).want(t, "create the funds consent", 201)
		id, _ := created.body["consentId"].(string)
		path := "/v2/consents/confirmation-of-funds/" + id
		if id == "" || created.body["consentStatus"] != "received" || created.header.Get("Location") != path {
			t.Fatalf("the funds consent was created as %v, %v", created.header, created.body)
		}
		app.expectConsentStatus(t, path, "received")
		started, authPath := app.startAuthorisation(t, path)
		app.expectScaStatus(t, authPath, "received")
		if app.metadataOf(t, started).Issuer != app.metadataOf(t, created).Issuer {
			t.Fatal("the authorisation's scaOAuth link is not the consent's")
		}
		tok := app.authorize(t, p, app.metadataOf(t, created), anna, authorization{scope: "PIIS:" + id,
			asks: "Let the card issuer check whether account " + current.IBAN + " holds enough money for a payment (yes or no, nothing more), for card " + cardNumber + "."})
		app.expectConsentStatus(t, path, "valid")
		app.expectScaStatus(t, authPath, "finalised")
		var info map[string]any
		app.call(t, bgCall{method: "GET", path: path}).want(t, "read the funds consent", 200).into(t, &info)
		if info["consentStatus"] != "valid" || info["cardNumber"] != cardNumber || info["account"].(map[string]any)["iban"] != current.IBAN {
			t.Fatalf("the funds consent reads %v", info)
		}

		// What can be spent: booked, less pending debits, with the overdraft.
		limit := available(current, time.Now().UTC().Format(time.DateOnly))
		if limit.Minor <= 100 {
			t.Fatalf("%s has %s to spend: too little to ask below it", current.IBAN, limit.Decimal())
		}
		confirm := func(minor int64) bool {
			t.Helper()
			amount := sandboxbank.AmountOf(sandboxbank.Money{Minor: minor, Currency: current.Currency})
			got := app.call(t, bgCall{method: "POST", path: "/v1/funds-confirmations", consentID: id, token: tok.AccessToken, body: map[string]any{
				"cardNumber": cardNumber, "account": ref(current), "payee": "Corner Shop", "instructedAmount": amount}}).want(t, "confirm "+amount.Amount, 200)
			yes, ok := got.body["fundsAvailable"].(bool)
			if !ok || len(got.body) != 1 {
				t.Fatalf("the funds confirmation of %s answered %v", amount.Amount, got.body)
			}
			return yes
		}
		for _, c := range []struct {
			minor int64
			want  bool
		}{{limit.Minor / 2, true}, {limit.Minor, true}, {limit.Minor + 1, false}, {2 * limit.Minor, false}} {
			if got := confirm(c.minor); got != c.want {
				t.Errorf("fundsAvailable for %s of %s to spend: %v, want %v", sandboxbank.Money{Minor: c.minor}.Decimal(), limit.Decimal(), got, c.want)
			}
		}
		app.endConsent(t, path)
		app.expectRefused(t, bgCall{method: "POST", path: "/v1/funds-confirmations", consentID: id, token: tok.AccessToken, body: map[string]any{
			"account": ref(current), "instructedAmount": sandboxbank.AmountOf(sandboxbank.Money{Minor: 100, Currency: current.Currency})}}, 401, "CONSENT_INVALID")
	})

	// Every account-information and funds-confirmation operation of the route table, and
	// the authorization server's endpoints a TPP calls, were called and answered (and
	// each answer checked against the official file): a new route without a journey
	// fails here.
	ops := []string{"GET /.well-known/oauth-authorization-server", "POST /oauth2/par", "POST /oauth2/token"}
	for _, rt := range routes.TPP {
		if rt.Tag == "AIS" || rt.Tag == "CoF" {
			ops = append(ops, rt.Method+" "+rt.Path)
		}
	}
	for _, op := range ops {
		if !exercisedTPP.Has(op) {
			t.Errorf("%s was not exercised (exercised: %v)", op, exercisedTPP.List())
		}
	}
	t.Logf("TPP API operations exercised: %v", exercisedTPP.List())
}
