package devstack_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/bank/devportal/shared/local/devstack"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/portal/store"
	"github.com/bank/devportal/shared/tpp/restapi"
	"github.com/bank/devportal/shared/tpp/tppapi"
	tppwiring "github.com/bank/devportal/shared/tpp/wiring"
	"github.com/bank/devportal/shared/trust/sandboxca"
)

type tppCase struct {
	name   string
	cert   string // "" for none
	key    string // a name in keys, or a literal when it has a dot
	path   string
	status int
	code   string
}

// TestTPPCallerMatrix calls the local TPP listener over real TLS with client
// certificates, and the authorizer function with API Gateway's REQUEST events followed by
// the REST API adapter, with the same table: each call gets its exact Berlin Group answer
// on both, so local and deployed behaviour cannot drift; no refusal changes anything.
func TestTPPCallerMatrix(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	// The check's clock stands still unless the test moves it.
	var clock atomic.Pointer[time.Time]
	clock.Store(&now)
	s, w := startTPPStack(t, devstack.Options{Now: func() time.Time { return *clock.Load() }}, now)
	db := w.DB

	// Budget Buddy: a sandbox organization with the AIS and PIIS roles; its app is
	// subscribed to the authorization server, AIS and PIS (but not CoF).
	w.Organization(t, "bb", org.Sandbox, org.StatusActive, "AIS", "PIIS")
	bb := w.App(t, "bb", "bb-app", org.Sandbox, []string{"oauth2", "ais", "pis"}, "current", "rotated", "expired")
	w.Certificate(t, s.CA, "bb-cert", bb, true)
	bb, _ = w.Orgs.GetApp(context.Background(), "bb", "bb-app")
	revoked := w.Certificate(t, s.CA, "bb-revoked", bb, true)
	w.SetAttribute(t, store.OrgCertificateKey("bb", revoked.Fingerprint), lookup.AttrRevokedAt, &types.AttributeValueMemberS{Value: now.Add(-time.Minute).Format(time.RFC3339)})
	w.App(t, "bb", "bb-other", org.Sandbox, []string{"oauth2", "ais"}, "other-app")
	// An unproven certificate attached before possession had to be proven: its lookups
	// exist, its proof does not.
	legacy := w.Certificate(t, s.CA, "legacy", bb, false)
	legacyFP := legacy.Fingerprint
	bb, _ = w.Orgs.GetApp(context.Background(), "bb", "bb-app")
	w.SetAttribute(t, store.OrgCertificateKey("bb", legacyFP), "appId", &types.AttributeValueMemberS{Value: "bb-app"})
	w.SetAttribute(t, store.AppKey("bb", "bb-app"), "fingerprints", &types.AttributeValueMemberSS{Value: append(bb.Fingerprints, legacyFP)})
	item, _ := attributevalue.MarshalMap(struct {
		lookup.Key
		lookup.CertificateOwner
	}{lookup.FingerprintKey(legacyFP), lookup.CertificateOwner{Fingerprint: legacyFP, OrgID: "bb", AppID: "bb-app", Environment: lookup.Sandbox}})
	_, err := db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: &s.Config.PortalTable, Item: item})
	w.Must(t, err)

	// Live Ltd: a production organization; its certificate opens no door of the sandbox.
	w.Organization(t, "live", org.Production, org.StatusActive, "AIS")
	w.Certificate(t, s.CA, "live-cert", w.App(t, "live", "live-app", org.Production, []string{"oauth2", "ais"}, "live"), true)
	// Gone Ltd: offboarded, but the cleanup of its lookups never ran.
	w.Organization(t, "gone", org.Sandbox, org.StatusActive, "AIS")
	w.Certificate(t, s.CA, "gone-cert", w.App(t, "gone", "gone-app", org.Sandbox, []string{"oauth2", "ais"}, "gone"), true)
	w.SetAttribute(t, store.OrgKey("gone"), "status", &types.AttributeValueMemberS{Value: string(org.StatusOffboarded)})

	stranger, err := s.CA.ClientCertificate(pkix.Name{CommonName: "stranger.example"}, time.Hour)
	w.Must(t, err)
	w.Certs["stranger"] = stranger
	otherCA, err := sandboxca.LoadOrCreate(t.TempDir())
	w.Must(t, err)
	foreign, _ := otherCA.ClientCertificate(pkix.Name{CommonName: "intruder.example"}, time.Hour)

	notRegistered := "CERTIFICATE_INVALID"
	// probe is a path of the AIS product that no route serves: a call the check accepts
	// reaches the listener's RESOURCE_UNKNOWN, so the matrix sees the check alone.
	const probe = "/v1/accounts/acc-probe/statements"
	cases := []tppCase{
		{"no certificate", "", "current", probe, 401, "CERTIFICATE_MISSING"},
		{"certificate of no app", "stranger", "current", probe, 401, notRegistered},
		{"possession never proven", "legacy", "current", probe, 401, notRegistered},
		{"revoked certificate", "bb-revoked", "current", probe, 401, "CERTIFICATE_REVOKED"},
		{"production app on the sandbox", "live-cert", "live", probe, 401, notRegistered},
		{"offboarded organization whose cleanup failed", "gone-cert", "gone", probe, 401, "CERTIFICATE_BLOCKED"},
		{"missing PSD2 role", "bb-cert", "current", "/v1/payments/sepa-credit-transfers", 401, "ROLE_INVALID"},
		{"no API key", "bb-cert", "", probe, 400, "FORMAT_ERROR"},
		{"API key of another shape", "bb-cert", "not.a-key", probe, 401, "TOKEN_INVALID"},
		{"API key of another app", "bb-cert", "other-app", probe, 401, "TOKEN_INVALID"},
		{"rotated key after its grace period", "bb-cert", "expired", probe, 401, "TOKEN_INVALID"},
		{"not subscribed", "bb-cert", "current", "/v1/funds-confirmations", 403, "SERVICE_BLOCKED"},
		{"account endpoint without a bearer token", "bb-cert", "current", "/v1/accounts", 401, "TOKEN_INVALID"},
		{"path of no product", "bb-cert", "current", "/v1/nothing", 404, "RESOURCE_UNKNOWN"},
		// Accepted calls pass the check and reach the endpoints, of which there are none yet.
		{"accepted", "bb-cert", "current", probe, 404, "RESOURCE_UNKNOWN"},
		{"rotated key within its grace period", "bb-cert", "rotated", probe + "?withBalance=true", 404, "RESOURCE_UNKNOWN"},
		{"authorization server", "bb-cert", "current", "/oauth2/token", 404, "RESOURCE_UNKNOWN"},
	}
	roots := x509.NewCertPool()
	roots.AddCert(s.CA.Cert)
	client := func(certs ...tls.Certificate) *http.Client {
		return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, Certificates: certs}}}
	}
	keyOf := func(name string) string {
		if strings.Contains(name, ".") {
			return name
		}
		return w.Keys[name]
	}
	const requestID = "3f2c7a1e-8b4d-4e6f-9a0b-1c2d3e4f5a6b"
	decode := func(t *testing.T, body []byte) string {
		var b struct {
			TPPMessages []struct{ Category, Code string } `json:"tppMessages"`
		}
		if err := json.Unmarshal(body, &b); err != nil || len(b.TPPMessages) != 1 || b.TPPMessages[0].Category != "ERROR" {
			t.Fatalf("body %s is not one Berlin Group error", body)
		}
		return b.TPPMessages[0].Code
	}

	before := w.Snapshot(t)
	t.Run("listener", func(t *testing.T) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				var certs []tls.Certificate
				if c.cert != "" {
					certs = append(certs, w.Certs[c.cert])
				}
				req, _ := http.NewRequest("GET", s.TPPURL+c.path, nil)
				req.Header.Set("X-Request-ID", requestID)
				if k := keyOf(c.key); k != "" {
					req.Header.Set("apiKey", k)
				}
				resp, err := client(certs...).Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				body, _ := io.ReadAll(resp.Body)
				if code := decode(t, body); resp.StatusCode != c.status || code != c.code {
					t.Fatalf("got %d %s, want %d %s", resp.StatusCode, code, c.status, c.code)
				}
				if got := resp.Header.Get("X-Request-ID"); got != requestID {
					t.Fatalf("X-Request-ID = %q", got)
				}
			})
		}
		t.Run("certificate of another CA: the handshake fails", func(t *testing.T) {
			req, _ := http.NewRequest("GET", s.TPPURL+"/v1/accounts", nil)
			req.Header.Set("apiKey", w.Keys["current"])
			if resp, err := client(foreign).Do(req); err == nil {
				resp.Body.Close()
				t.Fatalf("a foreign certificate got %d", resp.StatusCode)
			}
		})
	})

	t.Run("authorizer and adapter", func(t *testing.T) {
		a, err := tppwiring.Authorizer(context.Background(), s.Config, lookup.Sandbox, slog.New(slog.NewJSONHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		a.Now, a.Tokens = func() time.Time { return now }, s.OAuth
		endpoint := restapi.Handler(tppapi.NotFound())
		for _, c := range cases {
			if c.path == "/v1/nothing" {
				continue // API Gateway has no resource there: it never asks the authorizer
			}
			t.Run(c.name, func(t *testing.T) {
				path, _, _ := strings.Cut(c.path, "?")
				var auth events.APIGatewayCustomAuthorizerRequestTypeRequest
				auth.Type, auth.Path, auth.HTTPMethod = "REQUEST", path, "GET"
				auth.MethodArn = "arn:aws:execute-api:eu-west-1:123456789012:tppapi0001/tpp/GET" + path
				auth.Headers = map[string]string{"x-request-id": requestID}
				if k := keyOf(c.key); k != "" {
					auth.Headers["apikey"] = k
				}
				if c.cert != "" {
					auth.RequestContext.Identity.ClientCert.ClientCertPem = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: w.Certs[c.cert].Certificate[0]}))
				}
				resp, err := a.Authorize(context.Background(), auth)
				if err != nil {
					t.Fatal(err)
				}
				if st := resp.PolicyDocument.Statement; len(st) != 1 || st[0].Effect != "Allow" {
					t.Fatalf("policy %+v", resp.PolicyDocument)
				}
				wantKey := lookup.RefusalUsageKey(lookup.Sandbox)
				if c.status == 404 {
					product := map[string]string{probe: "ais", "/oauth2/token": "oauth2"}[path]
					wantKey = lookup.UsageKey("bb", "bb-app", product)
				}
				if resp.UsageIdentifierKey != wantKey {
					t.Fatalf("usage key %q, want %q", resp.UsageIdentifierKey, wantKey)
				}
				// API Gateway hands the authorizer's context to the integration as strings.
				ctxValues := map[string]interface{}{}
				for k, v := range resp.Context {
					ctxValues[k] = fmt.Sprint(v)
				}
				out, err := endpoint(context.Background(), events.APIGatewayProxyRequest{HTTPMethod: "GET", Path: path, Resource: "/{proxy+}",
					Headers:        map[string]string{"X-Request-ID": requestID},
					RequestContext: events.APIGatewayProxyRequestContext{Authorizer: ctxValues, Stage: "tpp"}})
				if err != nil {
					t.Fatal(err)
				}
				if code := decode(t, []byte(out.Body)); out.StatusCode != c.status || code != c.code {
					t.Fatalf("got %d %s, want %d %s", out.StatusCode, code, c.status, c.code)
				}
				if got := http.Header(out.MultiValueHeaders).Get("X-Request-ID"); got != requestID {
					t.Fatalf("X-Request-ID = %q", got)
				}
			})
		}
	})
	if after := w.Snapshot(t); after != before {
		t.Fatalf("the calls changed the portal table: %s, was %s", after, before)
	}

	// The plan: AIS in the sandbox allows 10 calls a second. The clock stands still, so
	// the bucket does not refill: ten calls pass, the eleventh waits a tenth of a second.
	// callAs calls path as Budget Buddy's app, with its certificate and current key.
	callAs := func(t *testing.T, path string) (int, string, http.Header) {
		req, _ := http.NewRequest("GET", s.TPPURL+path, nil)
		req.Header.Set("apiKey", w.Keys["current"])
		resp, err := client(w.Certs["bb-cert"]).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, decode(t, body), resp.Header
	}
	t.Run("rate limit", func(t *testing.T) {
		call := func() (int, string, http.Header) { return callAs(t, "/v1/consents") }
		usage := lookup.UsageKey("bb", "bb-app", "ais")
		spent := s.Meter.CallsToday(usage, now) // the accepted AIS calls above
		for i := spent; i < 10; i++ {
			if status, code, _ := call(); status != 404 || code != "RESOURCE_UNKNOWN" {
				t.Fatalf("call %d: %d %s", i+1, status, code)
			}
		}
		status, code, h := call()
		if status != 429 || code != "ACCESS_EXCEEDED" || h.Get("Retry-After") != "1" {
			t.Fatalf("eleventh call: %d %s Retry-After %q", status, code, h.Get("Retry-After"))
		}
		if got := s.Meter.CallsToday(usage, now); got != 10 {
			t.Fatalf("%d calls counted, want 10: a refused call does not count", got)
		}
		// Another product has its own bucket.
		if status, code, _ := callAs(t, "/oauth2/authorize"); status != 404 {
			t.Fatalf("the authorization server got %d %s", status, code)
		}
	})
	// The quota: 10,000 AIS calls a sandbox day. The day's earlier calls are metered as
	// the listener meters them, then the last ones go over the wire; the next waits for
	// the next UTC day.
	t.Run("daily quota", func(t *testing.T) {
		usage := lookup.UsageKey("bb", "bb-app", "ais")
		plan, _ := lookup.Catalog[1].PlanByID("sandbox")
		if lookup.Catalog[1].ID != "ais" || plan.QuotaPerDay != 10000 || plan.RateLimitPerSecond != 10 {
			t.Fatalf("catalog changed: %+v", lookup.Catalog[1])
		}
		at := now.Add(time.Second)
		for s.Meter.CallsToday(usage, at) < plan.QuotaPerDay-3 {
			if _, ok, _ := s.Meter.Take(context.Background(), usage, plan, at); !ok {
				at = at.Add(time.Second)
			}
		}
		later := at.Add(time.Second)
		clock.Store(&later)
		call := func() (int, string, http.Header) { return callAs(t, probe) }
		for i := 0; i < 3; i++ {
			if status, code, _ := call(); status != 404 {
				t.Fatalf("call %d of the last three: %d %s", i+1, status, code)
			}
		}
		status, code, h := call()
		midnight := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
		if want := fmt.Sprint(int(midnight.Sub(later).Seconds())); status != 429 || code != "ACCESS_EXCEEDED" || h.Get("Retry-After") != want {
			t.Fatalf("over the quota: %d %s Retry-After %q, want 429 ACCESS_EXCEEDED %s", status, code, h.Get("Retry-After"), want)
		}
		tomorrow := midnight.Add(time.Second)
		clock.Store(&tomorrow)
		if status, code, _ := call(); status != 404 {
			t.Fatalf("the next day: %d %s", status, code)
		}
	})
}
