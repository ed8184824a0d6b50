package wiring_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/platform/httpapi"
	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/portal/portalapi"
	"github.com/bank/devportal/shared/portal/routes"
	"github.com/bank/devportal/shared/portal/wiring"
	"github.com/bank/devportal/shared/portal/wiring/allparts"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}

// TestSampleEventsThroughTheAdapter pushes each HTTP sample event through its function's
// real handler, built as its Lambda main builds it (only the route's needs), and the API
// Gateway adapter, against moto, and checks the response is one the OpenAPI document lists
// for that route.
// TestOriginCheckThroughTheAdapter: deployed with an origin secret, a function behind the
// HTTP API answers 403 to a request without CloudFront's header and serves one with it;
// the local stack's configuration has none, so nothing is refused there.
func TestOriginCheckThroughTheAdapter(t *testing.T) {
	cfg := testenv.Bootstrapped(t, testenv.Ops)
	cfg.Local = false
	rt, err := routes.ByName("healthz")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(repoRoot(), "events", rt.Name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	fn, err := wiring.ForRoute(context.Background(), cfg, slog.New(slog.NewJSONHandler(io.Discard, nil)), allparts.Parts(), rt)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, secret, header string
		want                 int
		code                 string
	}{
		{"no secret configured", "", "", 200, ""},
		{"without the header", "from-cloudfront", "", 403, "DIRECT_ACCESS"},
		{"with another value", "from-cloudfront", "guessed", 403, "DIRECT_ACCESS"},
		{"with the header", "from-cloudfront", "from-cloudfront", 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ev events.APIGatewayV2HTTPRequest
			if err := json.Unmarshal(raw, &ev); err != nil {
				t.Fatal(err)
			}
			if tc.header != "" {
				ev.Headers[strings.ToLower(httpapi.OriginVerifyHeader)] = tc.header
			}
			c := cfg
			c.OriginSecret = tc.secret
			resp, err := httpadapter.NewV2(wiring.HTTPHandler(c, fn.Handler(rt))).ProxyWithContext(context.Background(), ev)
			if err != nil {
				t.Fatal(err)
			}
			var body struct{ Code string }
			_ = json.Unmarshal([]byte(resp.Body), &body)
			if resp.StatusCode != tc.want || body.Code != tc.code {
				t.Fatalf("answer %d %s, want %d %s", resp.StatusCode, resp.Body, tc.want, tc.code)
			}
		})
	}
}

func TestSampleEventsThroughTheAdapter(t *testing.T) {
	cfg := testenv.Bootstrapped(t, testenv.Ops)
	cfg.Local = false // as deployed
	api, err := wiring.Portal(context.Background(), cfg, slog.New(slog.NewJSONHandler(io.Discard, nil)), allparts.Parts(), route.Everything)
	if err != nil {
		t.Fatal(err)
	}
	// What each sample answers, in route-table order (the sign-up event creates the
	// account the login event then finds not activated).
	want := map[string]int{
		"healthz": 200, "openapi": 200, "password-policy": 200, "auth-signup": 201, "auth-activate": 404,
		"auth-resend-activation": 202, "auth-login": 403, "auth-login-mfa": 401, "auth-refresh": 401, "auth-logout": 401,
		"auth-forgot-password": 202, "auth-reset-password": 404, "account-get": 401, "account-update": 401,
		"account-preferences": 401, "account-change-password": 401, "invitation-lookup": 404, "tpp-api": 200, "tpp-api-openapi": 200,
		"support": 200, "product-catalog": 200,
		// The sample challenge is not of the sample certificate: the certificate was read
		// from API Gateway's context, or the answer would be 401.
		"certificate-check": 400,
		// The registration API's samples hold no real key and no token an installation or
		// session was given: the key is refused by its rule, the tokens as unknown.
		"registration-installation": 400,
	}
	for _, rt := range routes.Portal {
		if _, ok := want[rt.Name]; !ok && strings.HasPrefix(rt.Name, "registration-") {
			want[rt.Name] = 401
		}
		// Dynamic client registration's samples connect with a certificate no
		// registration registered.
		if strings.HasPrefix(rt.Name, "dcr-") {
			want[rt.Name] = 401
		}
	}
	for _, rt := range routes.Portal {
		if _, ok := want[rt.Name]; !ok && (rt.Auth == route.Session || rt.Auth == route.Operations) {
			want[rt.Name] = 401 // the samples carry no session cookie
		}
	}
	paths := portalapi.Document()["paths"].(map[string]any)
	for _, rt := range routes.Portal {
		if rt.Auth == route.LocalOnly {
			continue
		}
		t.Run(rt.Name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(repoRoot(), "events", rt.Name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			fn, err := wiring.ForRoute(context.Background(), cfg, slog.New(slog.NewJSONHandler(io.Discard, nil)), allparts.Parts(), rt)
			if err != nil {
				t.Fatal(err)
			}
			var resp events.APIGatewayV2HTTPResponse
			if rt.Auth == route.ClientCertificate {
				// A route of the TPP API's origin gets its REST API's payload 1.0.
				var ev events.APIGatewayProxyRequest
				if err := json.Unmarshal(raw, &ev); err != nil || ev.Resource != rt.Path || ev.HTTPMethod != rt.Method || ev.RequestContext.Identity.ClientCert == nil {
					t.Fatalf("not a REST API event of %s with a client certificate (%v)", rt.Pattern(), err)
				}
				v1, err := wiring.RESTHandler(fn.Handler(rt))(context.Background(), ev)
				if err != nil {
					t.Fatal(err)
				}
				resp = events.APIGatewayV2HTTPResponse{StatusCode: v1.StatusCode, Headers: map[string]string{}, Body: v1.Body}
				for k, v := range v1.MultiValueHeaders {
					resp.Headers[k] = v[0]
				}
			} else {
				var ev events.APIGatewayV2HTTPRequest
				if err := json.Unmarshal(raw, &ev); err != nil {
					t.Fatalf("event does not parse: %v", err)
				}
				if ev.RouteKey != rt.Pattern() || ev.RequestContext.HTTP.Method != rt.Method {
					t.Fatalf("event route %q does not match %q", ev.RouteKey, rt.Pattern())
				}
				if resp, err = httpadapter.NewV2(fn.Handler(rt)).ProxyWithContext(context.Background(), ev); err != nil {
					t.Fatal(err)
				}
			}
			documented := paths[rt.Path].(map[string]any)[strings.ToLower(rt.Method)].(map[string]any)["responses"].(map[string]any)
			if _, ok := documented[strconv.Itoa(resp.StatusCode)]; !ok || resp.StatusCode != want[rt.Name] {
				t.Fatalf("status %d (documented: %v), want %d: %s", resp.StatusCode, ok, want[rt.Name], resp.Body)
			}
			if resp.StatusCode != 204 && !json.Valid([]byte(resp.Body)) {
				t.Fatalf("body is not JSON: %q", resp.Body)
			}
			if resp.Headers["X-Request-Id"] != "sample-request-0001" {
				t.Fatalf("request ID not carried: %v", resp.Headers)
			}
		})
	}
	t.Run("password-expiry-reminder", func(t *testing.T) {
		raw, _ := os.ReadFile(filepath.Join(repoRoot(), "events", "password-expiry-reminder.json"))
		var ev events.CloudWatchEvent
		if err := json.Unmarshal(raw, &ev); err != nil || ev.DetailType != "Scheduled Event" {
			t.Fatalf("event = %+v, %v", ev, err)
		}
		res, err := api.Jobs["password-expiry-reminder"](context.Background())
		if err != nil {
			t.Fatal(err)
		}
		// Three profiles: the two operations users and the sample sign-up above.
		if b, _ := json.Marshal(res); string(b) != `{"checked":3,"emailed":0,"failed":0}` {
			t.Fatalf("result = %s", b)
		}
	})
}
