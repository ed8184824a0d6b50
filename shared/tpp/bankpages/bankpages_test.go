package bankpages_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/tpp/bankpages"
	"github.com/bank/devportal/shared/tpp/consents"
	"github.com/bank/devportal/shared/tpp/consents/consentscope"
	"github.com/bank/devportal/shared/tpp/oauth"
	tpproutes "github.com/bank/devportal/shared/tpp/routes"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
)

// decider is the test double of the authorization server: it keeps the pending requests
// the pages began, and ends each once, redirecting as the server does.
type decider struct {
	mu      sync.Mutex
	waiting map[string]string // pending ID → redirect URI
	// ended records each ending: "approve psu-1 [AIS:c1] [acc-1]", "deny", "fail-sca",
	// "expire", or "refused <what>" for one on a request no longer waiting.
	ended []string
}

func (d *decider) end(id, what string) (string, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	redirect, ok := d.waiting[id]
	if !ok {
		d.ended = append(d.ended, "refused "+what)
		return "", false
	}
	delete(d.waiting, id)
	d.ended = append(d.ended, what)
	return redirect, true
}

func (d *decider) Approve(_ context.Context, w http.ResponseWriter, id string, dec oauth.Decision) error {
	redirect, ok := d.end(id, fmt.Sprintf("approve %s %v %v", dec.Subject, dec.Scopes, dec.Chosen))
	if !ok {
		return oauth.ErrUnknownPending
	}
	w.Header().Set("Location", redirect+"?code=the-code&state=s")
	w.WriteHeader(http.StatusSeeOther)
	return nil
}

func (d *decider) refuse(w http.ResponseWriter, id, what, description string) error {
	redirect, ok := d.end(id, what)
	if !ok {
		return oauth.ErrUnknownPending
	}
	w.Header().Set("Location", redirect+"?"+url.Values{"error": {"access_denied"}, "error_description": {description}}.Encode())
	w.WriteHeader(http.StatusSeeOther)
	return nil
}

func (d *decider) Deny(_ context.Context, w http.ResponseWriter, id string) error {
	return d.refuse(w, id, "deny", "denied")
}

func (d *decider) FailSCA(_ context.Context, w http.ResponseWriter, id string) error {
	return d.refuse(w, id, "fail-sca", "SCA failed")
}

func (d *decider) Expire(_ context.Context, id string) error {
	if _, ok := d.end(id, "expire"); !ok {
		return oauth.ErrUnknownPending
	}
	return nil
}

func (d *decider) endings() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return strings.Join(d.ended, "; ")
}

// bank is two customers: Anna with a current account and a card, Bart with one account.
type bank struct{}

func (bank) CustomerByLogin(_ context.Context, login string) (sandboxbank.Customer, error) {
	for _, c := range []sandboxbank.Customer{
		{ID: "psu-1", Login: "anna.peeters", DisplayName: "Anna Peeters", Password: sandboxbank.SandboxPassword, OTP: sandboxbank.SandboxOTP},
		{ID: "psu-2", Login: "bart.jacobs", DisplayName: "Bart Jacobs", Password: sandboxbank.SandboxPassword, OTP: sandboxbank.SandboxOTP},
	} {
		if c.Login == login {
			return c, nil
		}
	}
	return sandboxbank.Customer{}, sandboxbank.ErrCustomerUnknown
}

func (bank) Accounts(_ context.Context, customerID string) ([]sandboxbank.Account, error) {
	switch customerID {
	case "psu-1":
		return []sandboxbank.Account{
			{ResourceID: "acc-1", CustomerID: "psu-1", Name: "Current account", IBAN: "BE71968000000169", Currency: "EUR"},
			{ResourceID: "acc-2", CustomerID: "psu-1", Name: "Credit card", MaskedPAN: "5555 55** **** 4444", Currency: "EUR"},
			// The frame of multi-currency sub-accounts holds no money: no consent covers it.
			{ResourceID: "acc-mc", CustomerID: "psu-1", Name: "Travel money", Kind: sandboxbank.MultiCurrency, IBAN: "BE53968000000345", Currency: sandboxbank.MultiCurrencyCode},
		}, nil
	case "psu-2":
		return []sandboxbank.Account{{ResourceID: "acc-3", CustomerID: "psu-2", Name: "Savings", IBAN: "BE68968000000234", Currency: "EUR"}}, nil
	}
	return nil, nil
}

// orgs names organizations by ID and apps by "<org>/<app>".
type orgs map[string]string

func (o orgs) OrganizationName(_ context.Context, id string) (string, error) {
	if n, ok := o[id]; ok {
		return n, nil
	}
	return "", lookup.ErrUnknownOrganization
}

func (o orgs) AppName(_ context.Context, orgID, appID string) (string, error) {
	if n, ok := o[orgID+"/"+appID]; ok {
		return n, nil
	}
	return "", lookup.ErrUnknownApp
}

// held is the customers' consents by customer, as consentscope.Customer has them, and
// the revocations it made: "<kind> <id> <customer>".
type held struct {
	mu      sync.Mutex
	of      map[string][]consentscope.Held
	revoked []string
}

func newHeld() *held {
	day := func(d int) time.Time { return time.Date(2026, 12, d, 9, 0, 0, 0, time.UTC) }
	return &held{of: map[string][]consentscope.Held{
		"psu-1": {
			{Kind: "AIS", ID: "c-new", AppID: "app-1", OrgID: "org-1", Summary: "See the transactions of BE71 9680 0000 0169, until 2027-06-04, up to 4 times a day without you.",
				Status: consents.Valid, ValidUntil: "2027-06-04", CreatedAt: day(5)},
			{Kind: "PIIS", ID: "f-1", AppID: "app-2", OrgID: "org-1", Summary: "Let the card issuer check whether account BE71968000000169 holds enough money for a payment (yes or no, nothing more).",
				Status: consents.Valid, CreatedAt: day(4)},
			{Kind: "AIS", ID: "c-old", AppID: "app-gone", OrgID: "org-1", Summary: "See the list of your accounts, once, until 2026-12-31.",
				Status: consents.RevokedByPSU, ValidUntil: "2026-12-31", CreatedAt: day(1)},
		},
		"psu-2": {
			{Kind: "AIS", ID: "c-bart", AppID: "app-1", OrgID: "org-1", Summary: "See the list of your accounts, once, until 2026-12-31.",
				Status: consents.Valid, ValidUntil: "2026-12-31", CreatedAt: day(3)},
		},
	}}
}

func (h *held) Of(_ context.Context, subject string, limit int) ([]consentscope.Held, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	list := slices.Clone(h.of[subject])
	return list[:min(len(list), limit)], nil
}

func (h *held) Revoke(_ context.Context, kind, id, subject string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i, c := range h.of[subject] {
		if c.Kind == kind && c.ID == id && c.Status == consents.Valid {
			h.of[subject][i].Status = consents.RevokedByPSU
			h.revoked = append(h.revoked, kind+" "+id+" "+subject)
			return nil
		}
	}
	return consentscope.ErrNotTheirs
}

// statuses are each customer's consents' statuses, and the revocations made.
func (h *held) statuses() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, subject := range []string{"psu-1", "psu-2"} {
		for _, c := range h.of[subject] {
			out = append(out, fmt.Sprintf("%s:%s=%s", subject, c.ID, c.Status))
		}
	}
	return strings.Join(out, " ") + "; revoked " + strings.Join(h.revoked, ", ")
}

// world is the pages behind a test server whose /oauth2/authorize begins the pending
// request the test names, as the authorization endpoint would.
type world struct {
	srv     *httptest.Server
	decider *decider
	held    *held
	clock   atomic.Pointer[time.Time]
	n       atomic.Int64
}

const redirectURI = "https://tpp.example/cb"

func newWorld(t *testing.T) *world {
	w := &world{decider: &decider{waiting: map[string]string{}}, held: newHeld()}
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	w.clock.Store(&now)
	pages, err := bankpages.New(bankpages.Options{Secret: []byte(strings.Repeat("k", 32)), Customers: bank{}, Organizations: orgs{"org-1": "Budget Buddy Ltd", "org-1/app-1": "Budget Buddy", "org-1/app-2": "Buddy Card"},
		Consents: w.held,
		Logins:   []string{"anna.peeters", "bart.jacobs"}, Now: func() time.Time { return *w.clock.Load() }, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	pages.Attach(w.decider)
	mux := http.NewServeMux()
	handlers := pages.Handlers()
	for _, rt := range tpproutes.Browser {
		if h, ok := handlers[rt.Name]; ok {
			mux.Handle(rt.Pattern(), h)
			delete(handlers, rt.Name)
		}
	}
	if len(handlers) > 0 {
		t.Fatalf("pages without a route: %v", handlers)
	}
	mux.HandleFunc("GET /oauth2/authorize", func(rw http.ResponseWriter, r *http.Request) {
		id := fmt.Sprintf("pending-%d", w.n.Add(1))
		w.decider.mu.Lock()
		w.decider.waiting[id] = redirectURI
		w.decider.mu.Unlock()
		// Consents "named" and "offered" describe themselves, as the consents do.
		var resources []oauth.Resource
		for _, sc := range strings.Fields(r.URL.Query().Get("scope")) {
			switch sc {
			case "AIS:named":
				resources = append(resources, oauth.Resource{Kind: "AIS", ID: "named", AppID: "app-1", Summary: "See the transactions of BE71 9680 0000 0169, until 2027-06-04, up to 4 times a day without you."})
			case "AIS:offered":
				resources = append(resources, oauth.Resource{Kind: "AIS", ID: "offered", AppID: "app-1", ChoosesAccounts: true, Summary: "See the details of the accounts you choose below, once, until 2026-12-31."})
			}
		}
		pages.Begin(rw, r, oauth.Pending{ID: id, ClientID: "client-1", AppID: "app-1", AppName: "Budget Buddy", OrgID: r.URL.Query().Get("org"),
			RedirectURI: redirectURI, Scopes: strings.Fields(r.URL.Query().Get("scope")), Resources: resources})
	})
	w.srv = httptest.NewServer(mux)
	t.Cleanup(w.srv.Close)
	return w
}

// browser is a customer's browser: a cookie jar, redirects followed on the bank's origin
// only (a redirect to the app is the answer).
type browser struct {
	t    *testing.T
	w    *world
	c    *http.Client
	csrf string
}

type page struct {
	status   int
	location string
	body     string
	header   http.Header
}

func (w *world) browser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(r *http.Request, _ []*http.Request) error {
		if !strings.HasPrefix(r.URL.String(), w.srv.URL) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	return &browser{t: t, w: w, c: c}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if m := csrfField.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	return page{status: resp.StatusCode, location: resp.Header.Get("Location"), body: string(body), header: resp.Header}
}

func (b *browser) get(path string) page {
	req, _ := http.NewRequest("GET", b.w.srv.URL+path, nil)
	return b.do(req)
}

// post sends a form with the CSRF token of the last page, unless the form sets csrf.
func (b *browser) post(path string, form url.Values) page {
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", b.csrf)
	}
	req, _ := http.NewRequest("POST", b.w.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// begin starts an authorization asking scope and lands on the sign-in page.
func (b *browser) begin(scope string) page {
	b.t.Helper()
	p := b.get("/oauth2/authorize?" + url.Values{"org": {"org-1"}, "scope": {scope}}.Encode())
	if p.status != 200 || !strings.Contains(p.body, `<main id="page-sign-in">`) {
		b.t.Fatalf("begin: %d %s", p.status, p.body)
	}
	return p
}

func (b *browser) signIn(login string) page {
	return b.post(bankpages.SignInPath, url.Values{"login": {login}, "password": {sandboxbank.SandboxPassword}, "otp": {sandboxbank.SandboxOTP}})
}

func TestSignIn(t *testing.T) {
	w := newWorld(t)
	cases := []struct {
		name     string
		form     url.Values
		status   int
		want     string // in the answer's body
		signedIn bool
	}{
		{"right sign-in name, password and code", url.Values{"login": {"anna.peeters"}, "password": {"sandbox"}, "otp": {"123456"}}, 200,
			`You are signed in as <strong id="customer">Anna Peeters</strong> (anna.peeters).`, true},
		{"wrong password", url.Values{"login": {"anna.peeters"}, "password": {"Sandbox"}, "otp": {"123456"}}, 422,
			`<p class="error" id="password-error">The password is wrong.</p>`, false},
		{"wrong one-time code", url.Values{"login": {"anna.peeters"}, "password": {"sandbox"}, "otp": {"654321"}}, 422,
			`<p class="error" id="otp-error">The one-time code is wrong.</p>`, false},
		{"unknown sign-in name", url.Values{"login": {"nobody"}, "password": {"sandbox"}, "otp": {"123456"}}, 422,
			`<p class="error" id="login-error">No sandbox customer has this sign-in name.</p>`, false},
		{"no code", url.Values{"login": {"anna.peeters"}, "password": {"sandbox"}, "otp": {""}}, 422,
			`<p class="error" id="otp-error">Fill this in.</p>`, false},
		{"no CSRF token", url.Values{"login": {"anna.peeters"}, "password": {"sandbox"}, "otp": {"123456"}, "csrf": {""}}, 403,
			`<p id="message">The form did not come from this bank page, or the page is out of date.`, false},
		{"a CSRF token of another session", url.Values{"login": {"anna.peeters"}, "password": {"sandbox"}, "otp": {"123456"}, "csrf": {"other"}}, 403,
			`<p id="message">The form did not come from this bank page, or the page is out of date.`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := w.browser(t)
			b.begin("AIS:c1")
			if c.name == "a CSRF token of another session" {
				other := w.browser(t)
				other.begin("AIS:c1")
				c.form.Set("csrf", other.csrf)
			}
			p := b.post(bankpages.SignInPath, c.form)
			if p.status != c.status || !strings.Contains(p.body, c.want) {
				t.Fatalf("%d, want %d with %s:\n%s", p.status, c.status, c.want, p.body)
			}
			if c.status == 422 && !strings.Contains(p.body, `value="`+c.form.Get("login")+`"`) {
				t.Errorf("the form lost the sign-in name typed")
			}
			// Signed in or not, the consent page says so.
			consent := b.get(bankpages.ConsentPath)
			if got := strings.Contains(consent.body, `<main id="page-consent">`); got != c.signedIn {
				t.Fatalf("signed in = %v, want %v:\n%s", got, c.signedIn, consent.body)
			}
		})
	}
	if got := w.decider.endings(); got != "" {
		t.Errorf("signing in decided %q", got)
	}
}

func TestSignInPage(t *testing.T) {
	w := newWorld(t)
	b := w.browser(t)
	p := b.begin("AIS:c1")
	for _, want := range []string{
		`<strong id="app-name">Budget Buddy</strong>, an app of <strong id="org-name">Budget Buddy Ltd</strong>, sent you here`,
		`password is <code id="sandbox-password">sandbox</code> and their one-time code is <code id="sandbox-otp">123456</code>`,
		`<ul id="sandbox-logins"><li><code>anna.peeters</code></li><li><code>bart.jacobs</code></li></ul>`,
		`<button type="submit" name="scenario" value="fail-sca" id="scenario-fail-sca">Fail SCA</button>`,
	} {
		if !strings.Contains(p.body, want) {
			t.Errorf("the sign-in page lacks %s", want)
		}
	}
	if strings.Contains(strings.ToLower(p.body), "<script") {
		t.Error("the page has a script")
	}
}

func TestSecurityHeaders(t *testing.T) {
	w := newWorld(t)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(w.srv.URL + "/oauth2/authorize?org=org-1&scope=AIS:c1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 303 || resp.Header.Get("Location") != bankpages.SignInPath {
		t.Fatalf("begin: %d to %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	cookie := resp.Header.Get("Set-Cookie")
	for _, want := range []string{"sandbox_bank_session=", "; Path=/sandbox-bank;", "; Max-Age=4500;", "; HttpOnly", "; SameSite=Lax"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("Set-Cookie %q lacks %q", cookie, want)
		}
	}
	resp, err = c.Get(w.srv.URL + bankpages.SignInPath)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	// The style the page carries is the one the policy names by its hash.
	style := regexp.MustCompile(`<style>(.*)</style>`).FindSubmatch(body)
	if style == nil {
		t.Fatal("no style")
	}
	sum := sha256.Sum256(style[1])
	want := "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; form-action 'self' https://tpp.example; frame-ancestors 'none'; base-uri 'none'"
	headers := map[string]string{"Content-Security-Policy": want, "X-Frame-Options": "DENY", "Cache-Control": "no-store",
		"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Content-Type": "text/html; charset=utf-8"}
	for h, v := range headers {
		if got := resp.Header.Get(h); got != v {
			t.Errorf("%s = %q, want %q", h, got, v)
		}
	}
}

func TestDecisions(t *testing.T) {
	w := newWorld(t)
	cases := []struct {
		name  string
		scope string
		// play drives the pages once signed in as anna.peeters (or not, for scenarios)
		// and returns the last answer.
		play     func(b *browser) page
		status   int
		location string
		want     string // in the body when not redirected
		ended    string
	}{
		{"approve the accounts chosen", "AIS:c1", func(b *browser) page {
			b.signIn("anna.peeters")
			return b.post(bankpages.ConsentPath, url.Values{"decision": {"approve"}, "account": {"acc-2"}})
		}, 303, redirectURI + "?code=the-code&state=s", "", "approve psu-1 [AIS:c1] [acc-2]"},
		{"approve a payment: no account to choose", "PIS:p1", func(b *browser) page {
			b.signIn("anna.peeters")
			return b.post(bankpages.ConsentPath, url.Values{"decision": {"approve"}, "account": {"acc-1"}})
		}, 303, redirectURI + "?code=the-code&state=s", "", "approve psu-1 [PIS:p1] []"},
		{"deny", "AIS:c1", func(b *browser) page {
			b.signIn("anna.peeters")
			return b.post(bankpages.ConsentPath, url.Values{"decision": {"deny"}})
		}, 303, redirectURI + "?error=access_denied&error_description=denied", "", "deny"},
		{"cancel before signing in", "AIS:c1", func(b *browser) page {
			return b.post(bankpages.ConsentPath, url.Values{"decision": {"deny"}})
		}, 303, redirectURI + "?error=access_denied&error_description=denied", "", "deny"},
		{"approve no account", "AIS:c1", func(b *browser) page {
			b.signIn("anna.peeters")
			return b.post(bankpages.ConsentPath, url.Values{"decision": {"approve"}})
		}, 422, "", `<p class="error" id="account-error" role="alert">Choose at least one account.</p>`, ""},
		{"approve another customer's account", "AIS:c1", func(b *browser) page {
			b.signIn("anna.peeters")
			return b.post(bankpages.ConsentPath, url.Values{"decision": {"approve"}, "account": {"acc-1", "acc-3"}})
		}, 422, "", `<p class="error" id="account-error" role="alert">Choose among your own accounts.</p>`, ""},
		{"approve a multi-currency account's frame", "AIS:c1", func(b *browser) page {
			b.signIn("anna.peeters")
			return b.post(bankpages.ConsentPath, url.Values{"decision": {"approve"}, "account": {"acc-1", "acc-mc"}})
		}, 422, "", `<p class="error" id="account-error" role="alert">Choose among your own accounts.</p>`, ""},
		{"approve without a CSRF token", "AIS:c1", func(b *browser) page {
			b.signIn("anna.peeters")
			return b.post(bankpages.ConsentPath, url.Values{"decision": {"approve"}, "account": {"acc-1"}, "csrf": {""}})
		}, 403, "", `<h1>This form was refused</h1>`, ""},
		{"approve with the token of the page before signing in", "AIS:c1", func(b *browser) page {
			before := b.csrf
			b.signIn("anna.peeters")
			return b.post(bankpages.ConsentPath, url.Values{"decision": {"approve"}, "account": {"acc-1"}, "csrf": {before}})
		}, 403, "", `<h1>This form was refused</h1>`, ""},
		{"scenario: approve everything", "AIS:c1 PIIS:f1", func(b *browser) page {
			return b.post(bankpages.ScenarioPath, url.Values{"scenario": {"approve"}, "login": {"anna.peeters"}})
		}, 303, redirectURI + "?code=the-code&state=s", "", "approve psu-1 [AIS:c1 PIIS:f1] [acc-1 acc-2]"},
		{"scenario: fail SCA", "AIS:c1", func(b *browser) page {
			return b.post(bankpages.ScenarioPath, url.Values{"scenario": {"fail-sca"}, "login": {"bart.jacobs"}})
		}, 303, redirectURI + "?error=access_denied&error_description=SCA+failed", "", "fail-sca"},
		{"scenario: decide slowly", "AIS:c1", func(b *browser) page {
			return b.post(bankpages.ScenarioPath, url.Values{"scenario": {"slow"}, "login": {"anna.peeters"}})
		}, 200, "", `<h1>The request timed out</h1>`, "expire"},
		{"scenario: decide slowly, then approve", "AIS:c1", func(b *browser) page {
			b.post(bankpages.ScenarioPath, url.Values{"scenario": {"slow"}, "login": {"anna.peeters"}})
			return b.post(bankpages.ConsentPath, url.Values{"decision": {"approve"}, "account": {"acc-1"}})
		}, 410, "", `<h1>This request has expired</h1>`, "expire"},
		{"scenario: decide slowly, then the consent page", "AIS:c1", func(b *browser) page {
			b.post(bankpages.ScenarioPath, url.Values{"scenario": {"slow"}, "login": {"anna.peeters"}})
			return b.get(bankpages.ConsentPath)
		}, 410, "", `<h1>This request has expired</h1>`, "expire"},
		{"decided twice", "AIS:c1", func(b *browser) page {
			b.signIn("anna.peeters")
			csrf := b.csrf
			b.post(bankpages.ConsentPath, url.Values{"decision": {"deny"}})
			// The cookie is gone with the decision; a copy kept by an attacker or a
			// second tab only gets the page saying there is nothing to decide.
			return b.post(bankpages.ConsentPath, url.Values{"decision": {"approve"}, "account": {"acc-1"}, "csrf": {csrf}})
		}, 400, "", `<h1>No sign-in in progress</h1>`, "deny"},
		{"scenario: unknown customer", "AIS:c1", func(b *browser) page {
			return b.post(bankpages.ScenarioPath, url.Values{"scenario": {"approve"}, "login": {"nobody"}})
		}, 422, "", `<p class="error" id="scenario-login-error">No sandbox customer has this sign-in name.</p>`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w.decider.mu.Lock()
			w.decider.ended = nil
			w.decider.mu.Unlock()
			b := w.browser(t)
			b.begin(c.scope)
			p := c.play(b)
			if p.status != c.status || p.location != c.location || c.want != "" && !strings.Contains(p.body, c.want) {
				t.Fatalf("%d to %q, want %d to %q with %s:\n%s", p.status, p.location, c.status, c.location, c.want, p.body)
			}
			if got := w.decider.endings(); got != c.ended {
				t.Errorf("the server saw %q, want %q", got, c.ended)
			}
		})
	}
}

func TestConsentPage(t *testing.T) {
	w := newWorld(t)
	b := w.browser(t)
	b.begin("AIS:c1 PIS:p9")
	p := b.signIn("anna.peeters")
	for _, want := range []string{
		`<strong id="app-name">Budget Buddy</strong>, an app of <strong id="org-name">Budget Buddy Ltd</strong>, asks you to let it:`,
		`<ul id="asks"><li>See the accounts you choose below: their details, balances and transactions (consent c1).</li><li>Make a payment from your account (payment p9).</li></ul>`,
		`<code class="scope">AIS:c1</code> <code class="scope">PIS:p9</code>`,
		`<label for="account-acc-1"><input type="checkbox" id="account-acc-1" name="account" value="acc-1" checked> Current account · BE71968000000169 · EUR</label>`,
		`<label for="account-acc-2"><input type="checkbox" id="account-acc-2" name="account" value="acc-2" checked> Credit card · 5555 55** **** 4444 · EUR</label>`,
	} {
		if !strings.Contains(p.body, want) {
			t.Errorf("the consent page lacks %s\n%s", want, p.body)
		}
	}
	if strings.Contains(p.body, "acc-mc") {
		t.Errorf("the consent page offers the multi-currency account's frame:\n%s", p.body)
	}
}

// TestConsentPageOfADescribedConsent: a consent that names its accounts says what it
// covers and offers no choice; a bank-offered one says what it covers and lets the
// customer choose.
func TestConsentPageOfADescribedConsent(t *testing.T) {
	w := newWorld(t)
	b := w.browser(t)
	b.begin("AIS:named")
	p := b.signIn("anna.peeters")
	if want := `<ul id="asks"><li>See the transactions of BE71 9680 0000 0169, until 2027-06-04, up to 4 times a day without you.</li></ul>`; !strings.Contains(p.body, want) {
		t.Errorf("the consent page lacks %s\n%s", want, p.body)
	}
	if strings.Contains(p.body, `name="account"`) {
		t.Errorf("a consent that names its accounts offers a choice:\n%s", p.body)
	}
	b = w.browser(t)
	b.begin("AIS:offered")
	p = b.signIn("anna.peeters")
	if want := `<ul id="asks"><li>See the details of the accounts you choose below, once, until 2026-12-31.</li></ul>`; !strings.Contains(p.body, want) || !strings.Contains(p.body, `name="account" value="acc-1"`) {
		t.Errorf("the bank-offered consent's page:\n%s", p.body)
	}
}

func TestSessions(t *testing.T) {
	w := newWorld(t)
	t.Run("no session", func(t *testing.T) {
		// A customer who comes to the bank directly signs in to see their consents: no
		// app to name, nothing to cancel, no scenario to play.
		p := w.browser(t).get(bankpages.SignInPath)
		if p.status != 200 || !strings.Contains(p.body, `<p id="direct">Sign in to see the consents you gave apps, and revoke those you no longer want.</p>`) {
			t.Fatalf("%d %s", p.status, p.body)
		}
		for _, absent := range []string{`id="app-name"`, `id="cancel"`, `id="scenario-approve"`} {
			if strings.Contains(p.body, absent) {
				t.Errorf("the direct sign-in page has %s", absent)
			}
		}
	})
	t.Run("no session, a form posted", func(t *testing.T) {
		p := w.browser(t).post(bankpages.SignInPath, url.Values{"login": {"anna.peeters"}, "password": {"sandbox"}, "otp": {"123456"}})
		if p.status != 400 || !strings.Contains(p.body, "<h1>No sign-in in progress</h1>") {
			t.Fatalf("%d %s", p.status, p.body)
		}
	})
	t.Run("a session past its request's lifetime", func(t *testing.T) {
		b := w.browser(t)
		b.begin("AIS:c1")
		start := *w.clock.Load()
		later := start.Add(oauth.PendingLifespan)
		w.clock.Store(&later)
		defer w.clock.Store(&start)
		p := b.signIn("anna.peeters")
		if p.status != 410 || !strings.Contains(p.body, "<h1>This request has expired</h1>") {
			t.Fatalf("%d %s", p.status, p.body)
		}
	})
	t.Run("an organization the bank cannot name", func(t *testing.T) {
		p := w.browser(t).get("/oauth2/authorize?org=org-unknown&scope=AIS:c1")
		if p.status != 503 || !strings.Contains(p.body, "The bank cannot show who is asking right now.") {
			t.Fatalf("%d %s", p.status, p.body)
		}
	})
}

func TestCSP(t *testing.T) {
	cases := []struct{ redirect, want string }{
		{"https://tpp.example/cb?x=1", "form-action 'self' https://tpp.example;"},
		{"http://127.0.0.1:53124/cb", "form-action 'self' http://127.0.0.1:53124;"},
		{"com.example.app:/oauth/cb", "form-action 'self' com.example.app:;"},
		{"", "form-action 'self';"},
		{"https://tpp.example;script-src/cb", "form-action 'self';"},
	}
	for _, c := range cases {
		t.Run(c.redirect, func(t *testing.T) {
			got := bankpages.CSP(bankpages.RedirectSource(c.redirect))
			if !strings.Contains(got, c.want) || !strings.HasPrefix(got, "default-src 'none'; style-src 'sha256-") ||
				!strings.HasSuffix(got, "; frame-ancestors 'none'; base-uri 'none'") {
				t.Fatalf("%q, want %q", got, c.want)
			}
		})
	}
}
