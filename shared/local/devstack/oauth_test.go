package devstack_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/bank/devportal/shared/local/devstack"
	"github.com/bank/devportal/shared/local/testenv/tppworld"
	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/portal/apps"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/tpp/callercheck"
	"github.com/bank/devportal/shared/tpp/oauth"
	tpproutes "github.com/bank/devportal/shared/tpp/routes"
	tppwiring "github.com/bank/devportal/shared/tpp/wiring"
)

// approver is the test double of the bank's sign-in and consent pages: the customer
// psu-1 approves every scope requested and chooses account acc-1, or denies. It stands
// in for the bank's pages, so it decides as their decision route does, held to what that
// route may reach (the authorization endpoint only hands the customer over).
type approver struct {
	server atomic.Pointer[oauth.Server]
	deny   atomic.Bool
}

func (a *approver) Begin(w http.ResponseWriter, r *http.Request, p oauth.Pending) {
	decide, err := route.Find(tpproutes.Browser, "sandbox-bank-decide")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	r = r.WithContext(route.WithScope(route.WithNeeds(r.Context(), decide.AllNeeds()), decide.Scope()))
	if a.deny.Load() {
		err = a.server.Load().Deny(r.Context(), w, p.ID)
	} else {
		err = a.server.Load().Approve(r.Context(), w, p.ID, oauth.Decision{Subject: "psu-1", Scopes: p.Scopes, Chosen: []string{"acc-1"}})
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
	}
}

// consents is the test resource behind AIS scopes: consent c-bb belongs to bb-app, and
// c-basket waits in a signing basket.
type consents struct{ approved, refused atomic.Value }

func (c *consents) Find(_ context.Context, kind, id string) (oauth.Resource, error) {
	switch {
	case kind == "AIS" && id == "c-bb":
		return oauth.Resource{Kind: kind, ID: id, AppID: "bb-app"}, nil
	case kind == "AIS" && id == "c-basket":
		return oauth.Resource{}, oauth.ErrInBasket
	}
	return oauth.Resource{}, oauth.ErrUnknownResource
}

func (c *consents) Approved(_ context.Context, r oauth.Resource, subject string, chosen []string) error {
	c.approved.Store(r.ID + " by " + subject + " for " + strings.Join(chosen, ","))
	return nil
}

func (c *consents) Refused(_ context.Context, r oauth.Resource) error {
	c.refused.Store(r.ID)
	return nil
}

// TestOAuthEndToEnd drives the authorization server over real mutual TLS with
// golang.org/x/oauth2: metadata, PAR, authorization through the consent double, code,
// token, refresh, revocation, client credentials, and each refusal with its RFC error
// and nothing issued.
func TestOAuthEndToEnd(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	var clock atomic.Pointer[time.Time]
	clock.Store(&now)
	consent, resources := &approver{}, &consents{}
	s, w := startTPPStack(t, devstack.Options{Now: func() time.Time { return *clock.Load() }, Consent: consent, Resources: resources}, now)
	consent.server.Store(s.OAuth)
	w.Organization(t, "bb", org.Sandbox, org.StatusActive, "AIS", "PIIS")
	bb := w.App(t, "bb", "bb-app", org.Sandbox, []string{"oauth2", "ais"}, "bb")
	w.Certificate(t, s.CA, "bb-cert", bb, true)
	bb, _ = w.Orgs.GetApp(context.Background(), "bb", "bb-app")
	w.Certificate(t, s.CA, "bb-cert-2", bb, true)
	premium := w.App(t, "bb", "bb-premium", org.Sandbox, []string{"oauth2", "pay-later"}, "premium")
	w.Certificate(t, s.CA, "premium-cert", premium, true)
	const secret = "the-secret-of-bb-app-0123456789abcdef"
	for _, app := range []string{"bb-app", "bb-premium"} {
		w.OAuthClient(t, app, secret, "https://tpp.example/cb", "http://localhost/cb")
	}

	roots := x509.NewCertPool()
	roots.AddCert(s.CA.Cert)
	mtls := func(cert, key string) *http.Client { return w.MTLSClient(roots, cert, key) }
	bbClient := mtls("bb-cert", "bb")
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, bbClient)

	// The metadata needs no certificate.
	plain := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	resp, err := plain.Get(s.TPPURL + "/.well-known/oauth-authorization-server")
	w.Must(t, err)
	var md oauth.Metadata
	w.Must(t, json.NewDecoder(resp.Body).Decode(&md))
	resp.Body.Close()
	if md.Issuer != s.TPPURL || md.AuthorizationEndpoint != s.PortalURL+"/oauth2/authorize" || md.MTLSEndpointAliases["token_endpoint"] != s.TPPURL+"/oauth2/token" ||
		md.MTLSEndpointAliases["pushed_authorization_request_endpoint"] != s.TPPURL+"/oauth2/par" || md.MTLSEndpointAliases["revocation_endpoint"] != s.TPPURL+"/oauth2/revoke" ||
		md.MTLSEndpointAliases["introspection_endpoint"] != s.TPPURL+"/oauth2/introspect" || !md.TLSClientCertificateBoundTokens ||
		strings.Join(md.CodeChallengeMethodsSupported, ",") != "S256" || !md.AuthorizationResponseIssParameter {
		t.Fatalf("metadata %+v", md)
	}

	conf := func(clientID string) *oauth2.Config {
		return &oauth2.Config{ClientID: clientID, ClientSecret: secret, RedirectURL: "https://tpp.example/cb", Scopes: []string{"AIS:c-bb"},
			Endpoint: oauth2.Endpoint{AuthURL: md.AuthorizationEndpoint, TokenURL: md.MTLSEndpointAliases["token_endpoint"], AuthStyle: oauth2.AuthStyleInHeader}}
	}
	bbConf := conf("client-bb-app")
	browser := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	// authorize follows an authorization URL as the customer's browser would, to the
	// redirect back to the client; it returns the redirect's query, or the status and body
	// of a page the server answered itself.
	authorize := func(t *testing.T, u string) (url.Values, int, string) {
		t.Helper()
		resp, err := browser.Get(u)
		w.Must(t, err)
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusFound || loc == "" {
			return nil, resp.StatusCode, string(body)
		}
		back, err := url.Parse(loc)
		w.Must(t, err)
		return back.Query(), resp.StatusCode, ""
	}
	push := func(t *testing.T, c *http.Client, authURL string) (int, map[string]any) {
		t.Helper()
		u, _ := url.Parse(authURL)
		req, _ := http.NewRequest("POST", md.MTLSEndpointAliases["pushed_authorization_request_endpoint"], strings.NewReader(u.Query().Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(url.QueryEscape(bbConf.ClientID), url.QueryEscape(secret))
		resp, err := c.Do(req)
		w.Must(t, err)
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	wantRFC := func(t *testing.T, err error, code string) {
		t.Helper()
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) || re.ErrorCode != code {
			t.Fatalf("err = %v, want %s", err, code)
		}
	}
	tokenState := func(t *testing.T, token string) error {
		_, err := s.OAuth.AccessToken(context.Background(), token)
		return err
	}
	state := "state-0123456789"

	var tok *oauth2.Token
	t.Run("PAR, authorization, code, token", func(t *testing.T) {
		verifier := oauth2.GenerateVerifier()
		status, par := push(t, bbClient, bbConf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)))
		requestURI, _ := par["request_uri"].(string)
		if status != 201 || !strings.HasPrefix(requestURI, oauth.RequestURIPrefix) || par["expires_in"] != float64(60) {
			t.Fatalf("PAR: %d %v", status, par)
		}
		q, _, body := authorize(t, md.AuthorizationEndpoint+"?"+url.Values{"client_id": {bbConf.ClientID}, "request_uri": {requestURI}}.Encode())
		if q == nil || q.Get("code") == "" || q.Get("state") != state || q.Get("iss") != s.TPPURL {
			t.Fatalf("authorization response %v %s", q, body)
		}
		if got, _ := resources.approved.Load().(string); got != "c-bb by psu-1 for acc-1" {
			t.Fatalf("the resource learned %q", got)
		}
		tok, err = bbConf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
		w.Must(t, err)
		if tok.AccessToken == "" || tok.RefreshToken == "" || tok.Extra("scope") != "AIS:c-bb" {
			t.Fatalf("token %+v scope %v", tok, tok.Extra("scope"))
		}
		got, err := s.OAuth.AccessToken(context.Background(), tok.AccessToken)
		w.Must(t, err)
		if got.Thumbprint != callercheck.Thumbprint(tppworld.Fingerprint(w.Certs["bb-cert"])) || got.Subject != "psu-1" || got.AppID != "bb-app" || strings.Join(got.Resources, ",") != "acc-1" {
			t.Fatalf("token grants %+v", got)
		}
		t.Run("the request_uri works once", func(t *testing.T) {
			_, status, body := authorize(t, md.AuthorizationEndpoint+"?"+url.Values{"client_id": {bbConf.ClientID}, "request_uri": {requestURI}}.Encode())
			if status != 400 || !strings.Contains(body, "invalid_request_uri") {
				t.Fatalf("%d %s", status, body)
			}
		})
	})

	// The steps below use the first one's token.
	if tok == nil {
		t.Fatal("no token: the authorization failed, so the steps that use its token cannot run")
	}
	t.Run("bearer token at the caller check", func(t *testing.T) {
		check, err := tppwiring.Authorizer(context.Background(), s.Config, "sandbox", nil)
		w.Must(t, err)
		check.Tokens = s.OAuth
		call := func(cert string) error {
			_, err := check.Check(context.Background(), callercheck.Call{CertDER: w.Certs[cert].Certificate[0], APIKey: w.Keys["bb"], Product: "ais",
				Authorization: "Bearer " + tok.AccessToken, TakesToken: true})
			return err
		}
		if err := call("bb-cert"); err != nil {
			t.Fatalf("with its certificate: %v", err)
		}
		if err := call("bb-cert-2"); !errors.Is(err, callercheck.ErrTokenOtherCertificate) {
			t.Fatalf("with another certificate of the same app: %v", err)
		}
	})

	t.Run("refresh rotates; the old refresh token revokes the family", func(t *testing.T) {
		fresh, err := bbConf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
		w.Must(t, err)
		if fresh.RefreshToken == tok.RefreshToken || fresh.AccessToken == tok.AccessToken {
			t.Fatal("refresh did not rotate")
		}
		if err := tokenState(t, tok.AccessToken); !errors.Is(err, callercheck.ErrTokenInvalid) {
			t.Fatalf("the previous access token: %v", err)
		}
		_, err = bbConf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
		wantRFC(t, err, "invalid_grant")
		if err := tokenState(t, fresh.AccessToken); !errors.Is(err, callercheck.ErrTokenInvalid) {
			t.Fatalf("the family's access token after reuse: %v", err)
		}
		_, err = bbConf.TokenSource(ctx, &oauth2.Token{RefreshToken: fresh.RefreshToken}).Token()
		wantRFC(t, err, "invalid_grant")
	})

	// code runs the authorization without PAR and returns the code and the verifier.
	code := func(t *testing.T) (string, string) {
		verifier := oauth2.GenerateVerifier()
		q, _, body := authorize(t, bbConf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)))
		if q.Get("code") == "" {
			t.Fatalf("no code: %v %s", q, body)
		}
		return q.Get("code"), verifier
	}

	t.Run("revocation", func(t *testing.T) {
		c, v := code(t)
		tk, err := bbConf.Exchange(ctx, c, oauth2.VerifierOption(v))
		w.Must(t, err)
		form := url.Values{"token": {tk.RefreshToken}, "token_type_hint": {"refresh_token"}}
		req, _ := http.NewRequest("POST", md.MTLSEndpointAliases["revocation_endpoint"], strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(bbConf.ClientID, secret)
		resp, err := bbClient.Do(req)
		w.Must(t, err)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("revocation: %d", resp.StatusCode)
		}
		if err := tokenState(t, tk.AccessToken); !errors.Is(err, callercheck.ErrTokenInvalid) {
			t.Fatalf("the grant's access token after revocation: %v", err)
		}
		_, err = bbConf.TokenSource(ctx, &oauth2.Token{RefreshToken: tk.RefreshToken}).Token()
		wantRFC(t, err, "invalid_grant")
	})

	t.Run("a reused code is refused and revokes what it issued", func(t *testing.T) {
		c, v := code(t)
		tk, err := bbConf.Exchange(ctx, c, oauth2.VerifierOption(v))
		w.Must(t, err)
		_, err = bbConf.Exchange(ctx, c, oauth2.VerifierOption(v))
		wantRFC(t, err, "invalid_grant")
		if err := tokenState(t, tk.AccessToken); !errors.Is(err, callercheck.ErrTokenInvalid) {
			t.Fatalf("the code's access token: %v", err)
		}
		_, err = bbConf.TokenSource(ctx, &oauth2.Token{RefreshToken: tk.RefreshToken}).Token()
		wantRFC(t, err, "invalid_grant")
	})

	t.Run("token refusals", func(t *testing.T) {
		t.Run("wrong verifier", func(t *testing.T) {
			c, _ := code(t)
			_, err := bbConf.Exchange(ctx, c, oauth2.VerifierOption(oauth2.GenerateVerifier()))
			wantRFC(t, err, "invalid_grant")
		})
		t.Run("wrong secret", func(t *testing.T) {
			c, v := code(t)
			wrong := *bbConf
			wrong.ClientSecret = "not-the-secret"
			_, err := wrong.Exchange(ctx, c, oauth2.VerifierOption(v))
			wantRFC(t, err, "invalid_client")
		})
		t.Run("certificate of another app", func(t *testing.T) {
			c, v := code(t)
			other := context.WithValue(context.Background(), oauth2.HTTPClient, mtls("premium-cert", "premium"))
			_, err := bbConf.Exchange(other, c, oauth2.VerifierOption(v))
			wantRFC(t, err, "invalid_client")
		})
	})

	t.Run("authorization refusals", func(t *testing.T) {
		verifier := oauth2.GenerateVerifier()
		cases := []struct {
			name, url, err string
			redirected     bool
		}{
			{"no PKCE", bbConf.AuthCodeURL(state), "invalid_request", true},
			{"plain PKCE", bbConf.AuthCodeURL(state, oauth2.SetAuthURLParam("code_challenge", verifier), oauth2.SetAuthURLParam("code_challenge_method", "plain")), "invalid_request", true},
			{"consent of another app", (&oauth2.Config{ClientID: "client-bb-premium", RedirectURL: "https://tpp.example/cb", Scopes: []string{"AIS:c-bb"},
				Endpoint: bbConf.Endpoint}).AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)), "invalid_scope", true},
			{"wrong redirect URI", strings.Replace(bbConf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)), url.QueryEscape("https://tpp.example/cb"), url.QueryEscape("https://evil.example/cb"), 1), "invalid_request", false},
			{"unknown client", strings.Replace(bbConf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)), "client-bb-app", "client-nobody", 1), "invalid_client", false},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				q, status, body := authorize(t, c.url)
				if c.redirected {
					if q.Get("error") != c.err || q.Get("iss") != s.TPPURL || q.Get("state") != state || q.Get("code") != "" {
						t.Fatalf("redirected with %v, want %s", q, c.err)
					}
					return
				}
				if q != nil || status != 400 && status != 401 || !strings.Contains(body, c.err) {
					t.Fatalf("%d %v %s, want %s shown, not redirected", status, q, body, c.err)
				}
			})
		}
		t.Run("consent in a signing basket", func(t *testing.T) {
			in := (&oauth2.Config{ClientID: "client-bb-app", RedirectURL: "https://tpp.example/cb", Scopes: []string{"AIS:c-basket"},
				Endpoint: bbConf.Endpoint}).AuthCodeURL(state, oauth2.S256ChallengeOption(verifier))
			q, _, body := authorize(t, in)
			if q.Get("error") != "invalid_scope" || q.Get("code") != "" || !strings.Contains(q.Get("error_description"),
				"A scope names a payment or consent that waits in a signing basket: authorise the basket (scope SBS:<basketId>), or delete the basket first.") {
				t.Fatalf("redirected with %v %s", q, body)
			}
		})
		t.Run("a sandbox app's localhost redirect URI with any port", func(t *testing.T) {
			lc := *bbConf
			lc.RedirectURL = "http://localhost:53124/cb"
			q, _, body := authorize(t, lc.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)))
			if q.Get("code") == "" {
				t.Fatalf("%v %s", q, body)
			}
		})
		t.Run("the customer denies", func(t *testing.T) {
			consent.deny.Store(true)
			defer consent.deny.Store(false)
			q, _, _ := authorize(t, bbConf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)))
			if q.Get("error") != "access_denied" || q.Get("iss") != s.TPPURL || q.Get("code") != "" {
				t.Fatalf("%v", q)
			}
		})
		t.Run("expired request_uri", func(t *testing.T) {
			_, par := push(t, bbClient, bbConf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)))
			later := now.Add(2 * time.Minute)
			clock.Store(&later)
			defer clock.Store(&now)
			_, status, body := authorize(t, md.AuthorizationEndpoint+"?"+url.Values{"client_id": {bbConf.ClientID}, "request_uri": {par["request_uri"].(string)}}.Encode())
			if status != 400 || !strings.Contains(body, "invalid_request_uri") {
				t.Fatalf("%d %s", status, body)
			}
		})
	})

	t.Run("client credentials", func(t *testing.T) {
		cc := func(clientID, cert, key string, scopes ...string) (*oauth2.Token, error) {
			c := &clientcredentials.Config{ClientID: clientID, ClientSecret: secret, TokenURL: md.MTLSEndpointAliases["token_endpoint"],
				Scopes: scopes, AuthStyle: oauth2.AuthStyleInParams}
			return c.Token(context.WithValue(context.Background(), oauth2.HTTPClient, mtls(cert, key)))
		}
		tk, err := cc("client-bb-premium", "premium-cert", "premium", "PAY_LATER")
		w.Must(t, err)
		if tk.Extra("scope") != "PAY_LATER" {
			t.Fatalf("scope %v", tk.Extra("scope"))
		}
		_, err = cc("client-bb-app", "bb-cert", "bb", "PAY_LATER")
		wantRFC(t, err, "invalid_scope")
		_, err = cc("client-bb-app", "bb-cert", "bb", "AIS:c-bb")
		wantRFC(t, err, "invalid_scope")
	})

	// Last, as it rewrites bb-app's access copy from the app: the redirect URIs this test
	// wrote straight into the copy are registered through the portal first.
	t.Run("an app switched to FAPI 2.0 in the portal must push its authorization requests", func(t *testing.T) {
		owner := org.Actor{UserID: "u1", Email: "dev@example.com"}
		for _, uri := range []string{"https://tpp.example/cb", "http://localhost/cb"} {
			_, _, err := s.API.Apps.AddRedirectURI(context.Background(), owner, "bb", "bb-app", apps.RedirectRequest{URI: uri})
			w.Must(t, err)
		}
		on := true
		app, err := s.API.Apps.SetOAuthSettings(context.Background(), owner, "bb", "bb-app", apps.OAuthSettingsRequest{FAPI: &on})
		w.Must(t, err)
		if !app.FAPI {
			t.Fatalf("the app after switching: %+v", app)
		}
		resources.approved.Store("")

		verifier := oauth2.GenerateVerifier()
		q, _, body := authorize(t, bbConf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)))
		if q == nil || q.Get("error") != "invalid_request" || q.Get("code") != "" || q.Get("state") != state || q.Get("iss") != s.TPPURL ||
			!strings.Contains(q.Get("error_description"), "This app must push its authorization request first (PAR) and send its request_uri.") {
			t.Fatalf("without PAR: %v %s, want invalid_request (PAR required) and no code", q, body)
		}
		if got, _ := resources.approved.Load().(string); got != "" {
			t.Fatalf("the customer was asked without PAR: %q", got)
		}

		status, par := push(t, bbClient, bbConf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)))
		requestURI, _ := par["request_uri"].(string)
		if status != 201 || !strings.HasPrefix(requestURI, oauth.RequestURIPrefix) {
			t.Fatalf("PAR: %d %v", status, par)
		}
		q, _, body = authorize(t, md.AuthorizationEndpoint+"?"+url.Values{"client_id": {bbConf.ClientID}, "request_uri": {requestURI}}.Encode())
		if q == nil || q.Get("code") == "" || q.Get("state") != state {
			t.Fatalf("with PAR: %v %s", q, body)
		}
		tk, err := bbConf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
		w.Must(t, err)
		if tk.AccessToken == "" || tk.Extra("scope") != "AIS:c-bb" {
			t.Fatalf("token %+v", tk)
		}
	})
}
