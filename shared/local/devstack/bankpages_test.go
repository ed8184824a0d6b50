package devstack_test

import (
	"context"
	"crypto/x509"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/bank/devportal/shared/local/devstack"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/tpp/bankpages"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
)

// TestSandboxBankPages drives the sandbox bank's pages, which the local stack hands the
// authorization endpoint's customers to by default, with a plain HTTP client and a cookie
// jar, as a TPP's automated test would: each way of ending a request reaches the app's
// redirect URI with its exact answer from the real authorization server, and an approval
// gives a token for the customer and the accounts chosen.
func TestSandboxBankPages(t *testing.T) {
	resources := &consents{}
	s, w := startTPPStack(t, devstack.Options{Resources: resources}, time.Now().UTC())
	w.Organization(t, "bb", org.Sandbox, org.StatusActive, "AIS", "PIIS")
	w.Certificate(t, s.CA, "bb-cert", w.App(t, "bb", "bb-app", org.Sandbox, []string{"oauth2", "ais"}, "bb"), true)
	const secret = "the-secret-of-bb-app-0123456789abcdef"
	w.OAuthClient(t, "bb-app", secret, "https://tpp.example/cb")
	roots := x509.NewCertPool()
	roots.AddCert(s.CA.Cert)
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, w.MTLSClient(roots, "bb-cert", "bb"))
	conf := &oauth2.Config{ClientID: "client-bb-app", ClientSecret: secret, RedirectURL: "https://tpp.example/cb", Scopes: []string{"AIS:c-bb"},
		Endpoint: oauth2.Endpoint{AuthURL: s.Config.OAuthAuthorizeURL, TokenURL: s.TPPURL + "/oauth2/token", AuthStyle: oauth2.AuthStyleInHeader}}

	customer := s.Bank.Customers[0]
	var accounts []sandboxbank.Account
	for _, a := range s.Bank.Accounts {
		if a.CustomerID == customer.ID {
			accounts = append(accounts, a)
		}
	}
	if len(accounts) < 2 {
		t.Fatalf("%s has %d accounts; the test chooses one of several", customer.Login, len(accounts))
	}
	chosen := accounts[1].ResourceID
	signIn := url.Values{"login": {customer.Login}, "password": {sandboxbank.SandboxPassword}, "otp": {sandboxbank.SandboxOTP}}
	const state = "state-0123456789"
	cases := []struct {
		name string
		// steps are the forms posted after the sign-in page, in order.
		steps []step
		// want is the redirect's query back at the app, or the last page's status and a
		// text it shows when nothing is redirected.
		want   url.Values
		status int
		shows  string
	}{
		{"sign in and approve the account chosen", []step{{bankpages.SignInPath, signIn}, {bankpages.ConsentPath, url.Values{"decision": {"approve"}, "account": {chosen}}}},
			url.Values{"code": nil, "state": {state}, "iss": {s.TPPURL}, "scope": {"AIS:c-bb"}}, 0, ""},
		{"wrong password", []step{{bankpages.SignInPath, url.Values{"login": {customer.Login}, "password": {"Sandbox"}, "otp": {sandboxbank.SandboxOTP}}}},
			nil, 422, `<p class="error" id="password-error">The password is wrong.</p>`},
		{"wrong one-time code", []step{{bankpages.SignInPath, url.Values{"login": {customer.Login}, "password": {sandboxbank.SandboxPassword}, "otp": {"000000"}}}},
			nil, 422, `<p class="error" id="otp-error">The one-time code is wrong.</p>`},
		{"deny", []step{{bankpages.SignInPath, signIn}, {bankpages.ConsentPath, url.Values{"decision": {"deny"}}}},
			url.Values{"error": {"access_denied"}, "error_description": {"The resource owner or authorization server denied the request. The customer did not approve the request."},
				"state": {state}, "iss": {s.TPPURL}}, 0, ""},
		{"scenario: fail SCA", []step{{bankpages.ScenarioPath, url.Values{"scenario": {"fail-sca"}, "login": {customer.Login}}}},
			url.Values{"error": {"access_denied"}, "error_description": {"The resource owner or authorization server denied the request. The customer's strong authentication (SCA) failed."},
				"state": {state}, "iss": {s.TPPURL}}, 0, ""},
		{"scenario: decide slowly, then approve", []step{{bankpages.ScenarioPath, url.Values{"scenario": {"slow"}, "login": {customer.Login}}},
			{bankpages.ConsentPath, url.Values{"decision": {"approve"}, "account": {chosen}}}},
			nil, 410, `<h1>This request has expired</h1>`},
		{"approve without the CSRF token", []step{{bankpages.SignInPath, signIn}, {bankpages.ConsentPath, url.Values{"decision": {"approve"}, "account": {chosen}, "csrf": {""}}}},
			nil, 403, `<h1>This form was refused</h1>`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := newBankBrowser(t, s.PortalURL)
			verifier := oauth2.GenerateVerifier()
			p := b.get(conf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)))
			if p.status != 200 || !strings.Contains(p.body, `<strong id="app-name">App bb-app</strong>, an app of <strong id="org-name">TPP bb</strong>`) {
				t.Fatalf("the sign-in page: %d %s", p.status, p.body)
			}
			for _, st := range c.steps {
				p = b.post(st.path, st.form)
			}
			if c.want == nil {
				if p.status != c.status || p.redirect != nil || !strings.Contains(p.body, c.shows) {
					t.Fatalf("%d %v, want %d showing %s:\n%s", p.status, p.redirect, c.status, c.shows, p.body)
				}
				return
			}
			if c.want.Get("error") == "access_denied" {
				// The consent learns that its customer did not approve it.
				defer func() {
					if got, _ := resources.refused.Swap("").(string); got != "c-bb" {
						t.Errorf("the consent was told of the refusal as %q", got)
					}
				}()
			}
			if p.redirect == nil || p.redirect.Scheme+"://"+p.redirect.Host+p.redirect.Path != "https://tpp.example/cb" {
				t.Fatalf("not redirected to the app: %d %v %s", p.status, p.redirect, p.body)
			}
			q := p.redirect.Query()
			for k := range c.want {
				if c.want[k] != nil && q.Get(k) != c.want.Get(k) || c.want[k] == nil && q.Get(k) == "" {
					t.Errorf("%s = %q, want %q", k, q.Get(k), c.want.Get(k))
				}
			}
			if len(q) != len(c.want) {
				t.Errorf("the redirect carries %v, want the parameters of %v", q, c.want)
			}
			if q.Get("code") == "" {
				return
			}
			tok, err := conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.OAuth.AccessToken(context.Background(), tok.AccessToken)
			if err != nil || got.Subject != customer.ID || strings.Join(got.Resources, ",") != chosen || strings.Join(got.Scopes, ",") != "AIS:c-bb" {
				t.Fatalf("the token grants %+v, %v", got, err)
			}
			if r, _ := resources.approved.Load().(string); r != "c-bb by "+customer.ID+" for "+chosen {
				t.Errorf("the consent learned %q", r)
			}
		})
	}
}

type step struct {
	path string
	form url.Values
}

// bankBrowser is a customer's browser on the bank's pages: a cookie jar, redirects
// followed on the portal's origin only, the CSRF token of the last page sent with every
// form that does not set its own.
type bankBrowser struct {
	t      testing.TB
	origin string
	c      *http.Client
	csrf   string
}

type bankPage struct {
	status   int
	body     string
	redirect *url.URL // where the bank sent the browser off its origin
}

func newBankBrowser(t testing.TB, origin string) *bankBrowser {
	jar, _ := cookiejar.New(nil)
	// A decision executes the payment and queues its notifications on moto, which on two
	// busy cores (every package's tests at once) can take more than ten seconds.
	return &bankBrowser{t: t, origin: origin, c: &http.Client{Jar: jar, Timeout: 45 * time.Second,
		CheckRedirect: func(r *http.Request, _ []*http.Request) error {
			if !strings.HasPrefix(r.URL.String(), origin+"/") {
				return http.ErrUseLastResponse
			}
			return nil
		}}}
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *bankBrowser) do(req *http.Request) bankPage {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if m := csrfInput.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	p := bankPage{status: resp.StatusCode, body: string(body)}
	if loc := resp.Header.Get("Location"); loc != "" && resp.StatusCode/100 == 3 {
		p.redirect, _ = url.Parse(loc)
	}
	return p
}

func (b *bankBrowser) get(u string) bankPage {
	req, _ := http.NewRequest("GET", u, nil)
	return b.do(req)
}

func (b *bankBrowser) post(path string, form url.Values) bankPage {
	f := url.Values{"csrf": {b.csrf}}
	for k, v := range form {
		f[k] = v
	}
	req, _ := http.NewRequest("POST", b.origin+path, strings.NewReader(f.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}
