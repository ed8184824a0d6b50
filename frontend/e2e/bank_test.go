package e2e

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/chromedp/chromedp"
	"golang.org/x/oauth2"

	"github.com/bank/devportal/shared/local/testenv/tppworld"
	"github.com/bank/devportal/shared/platform/awsclient"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/tpp/callercheck"
	"github.com/bank/devportal/shared/tpp/oauth"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
)

// tppApp is the app's side of the journey: its redirect URI (a server that records
// what the bank sends back), its OAuth2 client and its certificate-bearing HTTP client.
type tppApp struct {
	callback *httptest.Server
	answers  chan url.Values
	conf     *oauth2.Config
	md       oauth.Metadata
	ctx      context.Context // carries the mTLS client for x/oauth2
	mtls     *http.Client
	secret   string
}

// next waits for the browser to come back to the app and returns the query it brought.
func (a *tppApp) next(t *testing.T) url.Values {
	t.Helper()
	select {
	case q := <-a.answers:
		return q
	case <-time.After(stepTimeout):
		t.Fatal("the browser never came back to the app's redirect URI")
		return nil
	}
}

// newTPPApp writes a sandbox organization with an app subscribed to AIS, a proven client
// certificate, an API key, a client secret and the redirect URI, and configures a
// standard OAuth2 client from the authorization server's metadata.
func newTPPApp(t *testing.T) *tppApp {
	return newTPPAppOf(t, tppAppSpec{org: "budget", roles: []string{"AIS"}, products: []string{"oauth2", "ais"}})
}

// tppAppSpec says which app newTPPAppOf writes: "<org>-app" of the organization org,
// with its PSD2 roles and product subscriptions.
type tppAppSpec struct {
	org      string
	roles    []string
	products []string
}

// newTPPAppOf is newTPPApp for the organization, roles and products of spec; each test
// that calls the TPP API writes an organization of its own, so parallel tests share no
// plan budget and no redirect URI.
func newTPPAppOf(t *testing.T, spec tppAppSpec) *tppApp {
	stack := env(t)
	ctx := context.Background()
	awsCfg, err := awsclient.Load(ctx, stack.Config)
	if err != nil {
		t.Fatal(err)
	}
	appID, cert, key := spec.org+"-app", spec.org+"-cert", spec.org+"-key"
	w := tppworld.New(dynamodb.NewFromConfig(awsCfg), stack.Config.PortalTable, time.Now().UTC())
	w.Organization(t, spec.org, org.Sandbox, org.StatusActive, spec.roles...)
	w.Certificate(t, stack.CA, cert, w.App(t, spec.org, appID, org.Sandbox, spec.products, key), true)

	a := &tppApp{answers: make(chan url.Values, 4), secret: "the-secret-of-" + appID + "-0123456789abcdef"}
	a.callback = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/cb" {
			http.NotFound(rw, r)
			return
		}
		a.answers <- r.URL.Query()
		rw.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = rw.Write([]byte(`<!doctype html><html lang="en"><title>Back at the app</title><main><h1>Back at the app</h1></main></html>`))
	}))
	t.Cleanup(a.callback.Close)
	w.OAuthClient(t, appID, a.secret, a.callback.URL+"/cb")
	w.RedirectURIs(t, spec.org, appID, a.callback.URL+"/cb")

	roots := x509.NewCertPool()
	roots.AddCert(stack.CA.Cert)
	// The metadata needs no certificate.
	plain := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	resp, err := plain.Get(stack.TPPURL + oauth.MetadataPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&a.md); err != nil {
		t.Fatal(err)
	}
	if a.md.AuthorizationEndpoint != stack.PortalURL+"/oauth2/authorize" || a.md.MTLSEndpointAliases["token_endpoint"] != stack.TPPURL+oauth.TokenPath {
		t.Fatalf("metadata %+v", a.md)
	}
	a.mtls = w.MTLSClient(roots, cert, key)
	a.ctx = context.WithValue(ctx, oauth2.HTTPClient, a.mtls)
	a.conf = &oauth2.Config{ClientID: "client-" + appID, ClientSecret: a.secret, RedirectURL: a.callback.URL + "/cb", Scopes: []string{"AIS"},
		Endpoint: oauth2.Endpoint{AuthURL: a.md.AuthorizationEndpoint, TokenURL: a.md.MTLSEndpointAliases["token_endpoint"], AuthStyle: oauth2.AuthStyleInHeader}}
	return a
}

// form posts a form to one of the server's mTLS endpoints with the client's secret.
func (a *tppApp) form(t *testing.T, endpoint string, form url.Values) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", endpoint, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(a.conf.ClientID), url.QueryEscape(a.secret))
	resp, err := a.mtls.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// TestSandboxBankJourney: a TPP's standard OAuth2 client (golang.org/x/oauth2) with a
// real client certificate sends a customer to the sandbox bank's pages in Chromium; the
// customer signs in and decides; the app gets its answer at its redirect URI and, for an
// approval, exchanges, refreshes and revokes its tokens over mutual TLS.
func TestSandboxBankJourney(t *testing.T) {
	stack := env(t)
	app := newTPPApp(t)
	customer := stack.Bank.Customers[0]
	var accounts []string
	for _, acc := range stack.Bank.Accounts {
		if acc.CustomerID == customer.ID {
			accounts = append(accounts, acc.ResourceID)
		}
	}
	if len(accounts) < 2 {
		t.Fatalf("%s has %d accounts; the journey unticks one of several", customer.Login, len(accounts))
	}
	const state = "state-of-the-app-0123"

	t.Run("sign in, choose accounts, approve; token, refresh, revoke", func(t *testing.T) {
		p := newPage(t)
		verifier := oauth2.GenerateVerifier()
		p.openURL(app.conf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)))
		p.expectText("main h1", "Sign in")
		p.expectText("#app-name", "App budget-app")
		p.expectText("#org-name", "TPP budget")
		p.expectText("#sandbox-password", sandboxbank.SandboxPassword)
		p.expectText("#sandbox-otp", sandboxbank.SandboxOTP)
		// Chromium applied the inline style: the policy names it by its hash.
		var header string
		p.do("read the header's style", chromedp.Evaluate(`getComputedStyle(document.querySelector("header")).backgroundColor`, &header))
		if header != "rgb(11, 61, 96)" {
			p.fatalf("the header's background is %q: the policy blocked the page's style", header)
		}

		p.fill("login", customer.Login)
		p.fill("password", "not-the-password")
		p.fill("otp", sandboxbank.SandboxOTP)
		p.click("#sign-in")
		p.expectText("#password-error", "The password is wrong.")

		p.fill("password", sandboxbank.SandboxPassword)
		p.fill("otp", "000000")
		p.click("#sign-in")
		p.expectText("#otp-error", "The one-time code is wrong.")

		p.fill("password", sandboxbank.SandboxPassword)
		p.fill("otp", sandboxbank.SandboxOTP)
		p.click("#sign-in")
		p.waitText("main h1", "Approve access", stepTimeout)
		p.expectText("#customer", customer.DisplayName)
		p.expectText("#asks", "See the accounts you choose below: their details, balances and transactions.")
		// Every account is ticked at first; the customer keeps only the first.
		for _, id := range accounts[1:] {
			p.uncheck("account-" + id)
		}
		p.click("#approve")

		q := app.next(t)
		if q.Get("code") == "" || q.Get("state") != state || q.Get("iss") != app.md.Issuer {
			t.Fatalf("the app got %v", q)
		}
		p.waitText("main h1", "Back at the app", stepTimeout)
		tok, err := app.conf.Exchange(app.ctx, q.Get("code"), oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatal(err)
		}
		got, err := stack.OAuth.AccessToken(context.Background(), tok.AccessToken)
		if err != nil || got.Subject != customer.ID || strings.Join(got.Resources, ",") != accounts[0] || strings.Join(got.Scopes, ",") != "AIS" {
			t.Fatalf("the token grants %+v, %v", got, err)
		}

		fresh, err := app.conf.TokenSource(app.ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
		if err != nil || fresh.AccessToken == tok.AccessToken || fresh.RefreshToken == tok.RefreshToken {
			t.Fatalf("refresh: %+v, %v", fresh, err)
		}
		status, body := app.form(t, app.md.MTLSEndpointAliases["revocation_endpoint"], url.Values{"token": {fresh.RefreshToken}, "token_type_hint": {"refresh_token"}})
		if status != 200 {
			t.Fatalf("revocation: %d %v", status, body)
		}
		if _, err := stack.OAuth.AccessToken(context.Background(), fresh.AccessToken); !errors.Is(err, callercheck.ErrTokenInvalid) {
			t.Fatalf("the access token after revocation: %v", err)
		}
		_, err = app.conf.TokenSource(app.ctx, &oauth2.Token{RefreshToken: fresh.RefreshToken}).Token()
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
			t.Fatalf("refresh after revocation: %v", err)
		}
	})

	t.Run("pushed request, approved by the scenario", func(t *testing.T) {
		p := newPage(t)
		verifier := oauth2.GenerateVerifier()
		pushed, _ := url.Parse(app.conf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)))
		status, par := app.form(t, app.md.PushedAuthorizationRequestEndpoint, pushed.Query())
		requestURI, _ := par["request_uri"].(string)
		if status != 201 || !strings.HasPrefix(requestURI, oauth.RequestURIPrefix) {
			t.Fatalf("PAR: %d %v", status, par)
		}
		p.openURL(app.md.AuthorizationEndpoint + "?" + url.Values{"client_id": {app.conf.ClientID}, "request_uri": {requestURI}}.Encode())
		p.click("#scenario-approve")
		q := app.next(t)
		if q.Get("code") == "" || q.Get("state") != state || q.Get("iss") != app.md.Issuer {
			t.Fatalf("the app got %v", q)
		}
		tok, err := app.conf.Exchange(app.ctx, q.Get("code"), oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatal(err)
		}
		got, err := stack.OAuth.AccessToken(context.Background(), tok.AccessToken)
		if err != nil || got.Subject != customer.ID || strings.Join(got.Resources, ",") != strings.Join(accounts, ",") {
			t.Fatalf("the token grants %+v, %v", got, err)
		}
	})

	t.Run("the customer denies", func(t *testing.T) {
		p := newPage(t)
		p.openURL(app.conf.AuthCodeURL(state, oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
		p.fill("login", customer.Login)
		p.fill("password", sandboxbank.SandboxPassword)
		p.fill("otp", sandboxbank.SandboxOTP)
		p.click("#sign-in")
		p.click("#deny")
		q := app.next(t)
		if q.Get("error") != "access_denied" || q.Get("state") != state || q.Get("iss") != app.md.Issuer || q.Get("code") != "" {
			t.Fatalf("the app got %v", q)
		}
	})

	t.Run("SCA fails", func(t *testing.T) {
		p := newPage(t)
		p.openURL(app.conf.AuthCodeURL(state, oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
		p.click("#scenario-fail-sca")
		q := app.next(t)
		if q.Get("error") != "access_denied" || !strings.Contains(q.Get("error_description"), "strong authentication (SCA) failed") || q.Get("state") != state || q.Get("code") != "" {
			t.Fatalf("the app got %v", q)
		}
	})

	t.Run("the customer decides too slowly", func(t *testing.T) {
		p := newPage(t)
		p.openURL(app.conf.AuthCodeURL(state, oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
		p.click("#scenario-slow")
		p.waitText("main h1", "The request timed out", stepTimeout)
		p.click("#approve-late")
		p.waitText("main h1", "This request has expired", stepTimeout)
		select {
		case q := <-app.answers:
			t.Fatalf("the app was answered %v after the request timed out", q)
		default:
		}
	})
}
