package wiring_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/tpp/restapi"
	"github.com/bank/devportal/shared/tpp/routes"
	"github.com/bank/devportal/shared/tpp/wiring"
	"github.com/bank/devportal/shared/tpp/wiring/onais"
	"github.com/bank/devportal/shared/tpp/wiring/onapidoc"
	"github.com/bank/devportal/shared/tpp/wiring/onbankpages"
	"github.com/bank/devportal/shared/tpp/wiring/onoauth"
	"github.com/bank/devportal/shared/tpp/wiring/onpis"
)

// TestTPPSampleEventsThroughTheAdapters pushes the sample event of each function of the
// TPP area through the handler its main builds (onoauth.ForRoute, onais.ForRoute, onpis.ForRoute or onbankpages.ForRoute, with the key read from
// a Secrets Manager secret on moto, as deployed) and the adapter its main starts: the
// REST API's for the TPP API's routes, where the caller is the authorizer's context, the
// HTTP API's for the browser's. The token endpoint's sample carries the authorizer's
// refusal of a certificate of no app, which the adapter answers without the handler.
func TestTPPSampleEventsThroughTheAdapters(t *testing.T) {
	cfg := testenv.Bootstrapped(t, testenv.Ops)
	cfg.Local = false // as deployed
	cfg.OAuthAuthorizeURL = "https://portal.bank.example" + routes.AuthorizePath
	cfg.TPPURL = "https://api.bank.example"
	sm := secretsmanager.NewFromConfig(testenv.AWS(t, cfg))
	out, err := sm.CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{Name: aws.String("oauth-key-" + testenv.Suffix()),
		SecretString: aws.String(strings.Repeat("k3Y", 22))})
	if err != nil {
		t.Fatal(err)
	}
	cfg.OAuthKeySecretARN = aws.ToString(out.ARN)

	want := map[string]struct {
		status int
		has    string
	}{
		"oauth2-metadata":   {200, `"authorization_endpoint":"https://portal.bank.example/oauth2/authorize"`},
		"oauth2-token":      {401, `"code":"CERTIFICATE_INVALID"`},
		"oauth2-par":        {401, `"code":"CERTIFICATE_INVALID"`},
		"oauth2-revoke":     {401, `"code":"CERTIFICATE_INVALID"`},
		"oauth2-introspect": {401, `"code":"CERTIFICATE_INVALID"`},
		// Public: the document, with the deployment's addresses.
		"tpp-api-description": {200, `"servers":[{"description":"The TPP API (mutual TLS)","url":"https://api.bank.example"}]`},
		// The client lookup in the portal table found no such client.
		"oauth2-authorize": {401, "The requested OAuth 2.0 Client does not exist."},
		// The browser brings no bank session cookie (signed with the key from the secret).
		// A form posted without it is refused; a page asked for without it is a customer
		// who came to the bank directly, asked to sign in.
		"sandbox-bank-sign-in":        {200, `<p id="direct">Sign in to see the consents you gave apps`},
		"sandbox-bank-sign-in-submit": {400, "<title>No sign-in in progress"},
		"sandbox-bank-consent":        {400, "<title>No sign-in in progress"},
		"sandbox-bank-decide":         {400, "<title>No sign-in in progress"},
		"sandbox-bank-scenario":       {400, "<title>No sign-in in progress"},
		"sandbox-bank-consents":       {200, `<p id="direct">Sign in to see the consents you gave apps`},
		"sandbox-bank-revoke":         {400, "<title>No sign-in in progress"},
		"sandbox-bank-sca":            {400, "<title>No sign-in in progress"},
		"sandbox-bank-sca-decide":     {400, "<title>No sign-in in progress"},
		"sandbox-bank-app":            {200, `<p id="direct">Sign in to the Sandbox Bank app`},
		"sandbox-bank-app-decide":     {400, "<title>No sign-in in progress"},
		// The customers of the bank of the configured seed.
		"sandbox-customers": {200, `"login":"`},
	}
	// The Berlin Group samples, like the token endpoint's, carry the authorizer's refusal.
	for _, rt := range routes.Deployed() {
		if part := routes.PartOf(rt); part == routes.PartAIS || part == routes.PartPIS {
			want[rt.Name] = struct {
				status int
				has    string
			}{401, `"code":"CERTIFICATE_INVALID"`}
		}
	}
	if len(want) != len(routes.Deployed())+len(routes.Browser) {
		t.Errorf("want has %d routes, the tables %d: keep it complete", len(want), len(routes.Deployed())+len(routes.Browser))
	}
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	for _, rt := range append(routes.Deployed(), routes.Browser...) {
		t.Run(rt.Name, func(t *testing.T) {
			got, browser, err := wiring.Route(rt.Name)
			if err != nil || got.Pattern() != rt.Pattern() {
				t.Fatalf("Route(%s) = %v, %v", rt.Name, got, err)
			}
			build := map[string]wiring.Build{routes.PartOAuth: onoauth.ForRoute, routes.PartAIS: onais.ForRoute, routes.PartPIS: onpis.ForRoute, routes.PartDoc: onapidoc.ForRoute}[routes.PartOf(rt)]
			if browser {
				build = onbankpages.ForRoute
			}
			handlers, err := build(context.Background(), cfg, lookup.Sandbox, rt, log)
			if err != nil {
				t.Fatal(err)
			}
			h, err := wiring.Handler(rt, handlers, log)
			if err != nil {
				t.Fatal(err)
			}
			raw, err := os.ReadFile(filepath.Join("..", "..", "..", "events", rt.Name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			var status int
			var body string
			var header http.Header
			if browser {
				var ev events.APIGatewayV2HTTPRequest
				if err := json.Unmarshal(raw, &ev); err != nil || ev.RouteKey != rt.Pattern() || ev.RequestContext.HTTP.Method != rt.Method {
					t.Fatalf("not an HTTP API event of %s (%v)", rt.Pattern(), err)
				}
				resp, err := httpadapter.NewV2(h).ProxyWithContext(context.Background(), ev)
				if err != nil {
					t.Fatal(err)
				}
				status, body, header = resp.StatusCode, resp.Body, http.Header{}
				for k, v := range resp.Headers {
					header.Set(k, v)
				}
			} else {
				var ev events.APIGatewayProxyRequest
				if err := json.Unmarshal(raw, &ev); err != nil || ev.Resource != rt.Path || ev.HTTPMethod != rt.Method || ev.RequestContext.Identity.ClientCert == nil {
					t.Fatalf("not a REST API event of %s with a client certificate (%v)", rt.Pattern(), err)
				}
				serve := restapi.Handler(h)
				if rt.Auth == route.Public {
					serve = restapi.Public(h)
				}
				resp, err := serve(context.Background(), ev)
				if err != nil {
					t.Fatal(err)
				}
				status, body, header = resp.StatusCode, resp.Body, http.Header(resp.MultiValueHeaders)
				if got := header.Get("X-Request-ID"); got != ev.Headers["x-request-id"] {
					t.Errorf("X-Request-ID %q, want the request's %q", got, ev.Headers["x-request-id"])
				}
			}
			w, ok := want[rt.Name]
			if !ok {
				t.Fatalf("want has no %s", rt.Name)
			}
			// The bank's pages set their own policy, which lets a decision's form go to the
			// app's redirect URI; the distribution must pass it on (frontend stack).
			if rt.Tag == "Sandbox bank" && !strings.Contains(header.Get("Content-Security-Policy"), "default-src 'none'") {
				t.Errorf("Content-Security-Policy %q", header.Get("Content-Security-Policy"))
			}
			if status != w.status || !strings.Contains(body, w.has) {
				t.Errorf("status %d, body %.400s; want %d with %s", status, body, w.status, w.has)
			}
		})
	}
}
