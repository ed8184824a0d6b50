package callercheck_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/bank/devportal/shared/platform/prefetch"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/tpp/callercheck"
)

// testCertificate is a self-signed certificate as PEM, with its fingerprint.
func testCertificate(t testing.TB, cn string) (string, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(42),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(der)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), hex.EncodeToString(sum[:])
}

// world is the portal's items as the caller check reads them; reads counts the reads.
type world struct {
	owners map[string]lookup.CertificateOwner
	orgs   map[string]lookup.OrgState
	apps   map[string]lookup.AppState         // orgID/appID
	certs  map[string]lookup.CertificateState // orgID/fingerprint
	err    error
	reads  int
	// tpp are the items of the TPP table; asked what each read asked of it.
	tpp   map[prefetch.Key]map[string]types.AttributeValue
	asked [][]prefetch.Key
}

func (w *world) Caller(_ context.Context, fingerprint, orgID, appID string, ahead ...prefetch.Key) (lookup.CallerItems, error) {
	w.reads++
	w.asked = append(w.asked, ahead)
	if w.err != nil {
		return lookup.CallerItems{}, w.err
	}
	var out lookup.CallerItems
	if len(ahead) > 0 {
		out.Ahead = prefetch.NewItems()
		for _, k := range ahead {
			out.Ahead.Put(k, w.tpp[k])
		}
	}
	if o, ok := w.owners[fingerprint]; ok {
		out.Owner = &o
	}
	if orgID == "" {
		return out, nil
	}
	if o, ok := w.orgs[orgID]; ok {
		out.Org = &o
	}
	if a, ok := w.apps[orgID+"/"+appID]; ok {
		out.App = &a
	}
	if c, ok := w.certs[orgID+"/"+fingerprint]; ok {
		out.Certificate = &c
	}
	return out, nil
}

var (
	now    = time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	proven = &struct {
		Method string    `dynamodbav:"method"`
		At     time.Time `dynamodbav:"at"`
	}{Method: "signature", At: now.Add(-time.Hour)}
	discard = slog.New(slog.NewJSONHandler(io.Discard, nil))
)

func at(d time.Duration) *time.Time { t := now.Add(d); return &t }

// fixture is one organization with one sandbox app presenting one proven certificate,
// subscribed to the authorization server and AIS, with a current API key, the previous
// one within its grace period and an older, expired one.
type fixture struct {
	certPEM, fp                    string
	key, graceKey, expiredKey, bad string
	otherAppKey                    string
}

func newFixture(t testing.TB) (fixture, func() *world) {
	certPEM, fp := testCertificate(t, "app-1")
	f := fixture{certPEM: certPEM, fp: fp,
		key:         lookup.NewAPIKey("org-1", "app-1", strings.Repeat("k", 43)),
		graceKey:    lookup.NewAPIKey("org-1", "app-1", strings.Repeat("g", 43)),
		expiredKey:  lookup.NewAPIKey("org-1", "app-1", strings.Repeat("e", 43)),
		bad:         lookup.NewAPIKey("org-1", "app-1", strings.Repeat("x", 43)),
		otherAppKey: lookup.NewAPIKey("org-1", "app-2", strings.Repeat("o", 43)),
	}
	return f, func() *world {
		return &world{
			owners: map[string]lookup.CertificateOwner{fp: {Fingerprint: fp, OrgID: "org-1", AppID: "app-1", Environment: lookup.Sandbox}},
			orgs:   map[string]lookup.OrgState{"org-1": {ID: "org-1", Environment: lookup.Sandbox, Status: "ACTIVE", Services: []string{"AIS", "PIIS"}}},
			apps: map[string]lookup.AppState{
				"org-1/app-1": {ID: "app-1", OrgID: "org-1", Environment: lookup.Sandbox, Fingerprints: []string{fp},
					RedirectURIs: []string{"https://tpp.example/callback"},
					Products:     map[string]string{"oauth2": "sandbox", "ais": "sandbox", "pis": "sandbox"},
					APIKeys: []lookup.APIKeyHash{
						{Hash: lookup.HashAPIKey(f.key), CreatedAt: now.Add(-time.Hour)},
						{Hash: lookup.HashAPIKey(f.graceKey), CreatedAt: now.Add(-48 * time.Hour), ExpiresAt: at(time.Minute)},
						{Hash: lookup.HashAPIKey(f.expiredKey), CreatedAt: now.Add(-96 * time.Hour), ExpiresAt: at(-time.Second)},
					}},
				"org-1/app-2": {ID: "app-2", OrgID: "org-1", Environment: lookup.Sandbox,
					Products: map[string]string{"oauth2": "sandbox"},
					APIKeys:  []lookup.APIKeyHash{{Hash: lookup.HashAPIKey(f.otherAppKey), CreatedAt: now}}},
			},
			certs: map[string]lookup.CertificateState{"org-1/" + fp: {Fingerprint: fp, AppID: "app-1", Possession: proven}},
		}
	}
}

func derOf(p string) []byte { b, _ := pem.Decode([]byte(p)); return b.Bytes }

// TestCheck runs the check's order over one organization's items, changed one thing at a
// time: each refusal is its own Berlin Group error; an accepted call costs one read.
func TestCheck(t *testing.T) {
	f, fresh := newFixture(t)
	strangerPEM, strangerFP := testCertificate(t, "nobody")
	accepted := callercheck.Caller{AppID: "app-1", OrgID: "org-1", Environment: lookup.Sandbox, Fingerprint: f.fp, Product: "ais",
		Plan:     lookup.Plan{ID: "sandbox", Name: "Sandbox", Environment: lookup.Sandbox, RateLimitPerSecond: 10, QuotaPerDay: 10000},
		UsageKey: "usage.org-1.app-1.ais", RedirectURIs: []string{"https://tpp.example/callback"}}
	refusedAs := func(c callercheck.Caller) callercheck.Caller {
		return callercheck.Caller{AppID: c.AppID, OrgID: c.OrgID, Environment: c.Environment, Fingerprint: c.Fingerprint, Product: c.Product}
	}
	type want struct {
		status int
		code   string
		text   string
	}
	notRegistered := want{401, "CERTIFICATE_INVALID", "The client certificate is not registered for an app of this environment: attach it to your app in the developer portal."}
	wrongKey := want{401, "TOKEN_INVALID", "The apiKey header does not hold a current API key of the app this certificate is attached to: copy it from the app's page in the developer portal."}
	cases := []struct {
		name    string
		der     []byte
		key     string
		product string
		change  func(w *world)
		want    *want // nil: accepted
		caller  callercheck.Caller
		reads   int
	}{
		{name: "accepted", der: derOf(f.certPEM), key: f.key, product: "ais", caller: accepted, reads: 1},
		{name: "previous key within its grace period", der: derOf(f.certPEM), key: f.graceKey, product: "ais", caller: accepted, reads: 1},
		{name: "no certificate", key: f.key, product: "ais", want: &want{401, "CERTIFICATE_MISSING", "Present your certificate as the TLS client certificate."}},
		{name: "not a certificate", der: []byte("garbage"), key: f.key, product: "ais", want: &want{401, "CERTIFICATE_INVALID", "The client certificate is not a valid X.509 certificate."}},
		{name: "certificate of no app", der: derOf(strangerPEM), key: f.key, product: "ais", want: &notRegistered,
			caller: callercheck.Caller{Fingerprint: strangerFP}, reads: 1},
		{name: "app of the other environment", der: derOf(f.certPEM), key: f.key, product: "ais", want: &notRegistered, reads: 1,
			change: func(w *world) { o := w.owners[f.fp]; o.Environment = lookup.Production; w.owners[f.fp] = o }},
		{name: "certificate removed, its lookup left behind", der: derOf(f.certPEM), key: f.key, product: "ais", want: &notRegistered, reads: 1,
			change: func(w *world) { delete(w.certs, "org-1/"+f.fp) }},
		{name: "certificate detached, its lookup left behind", der: derOf(f.certPEM), key: f.key, product: "ais", want: &notRegistered, reads: 1,
			change: func(w *world) { c := w.certs["org-1/"+f.fp]; c.AppID = ""; w.certs["org-1/"+f.fp] = c }},
		{name: "app deleted, its lookup left behind", der: derOf(f.certPEM), key: f.key, product: "ais", want: &notRegistered, reads: 1,
			change: func(w *world) { delete(w.apps, "org-1/app-1") }},
		{name: "app no longer presents the certificate", der: derOf(f.certPEM), key: f.key, product: "ais", want: &notRegistered, reads: 1,
			change: func(w *world) { a := w.apps["org-1/app-1"]; a.Fingerprints = nil; w.apps["org-1/app-1"] = a }},
		{name: "possession never proven", der: derOf(f.certPEM), key: f.key, product: "ais", want: &notRegistered, reads: 1,
			change: func(w *world) { c := w.certs["org-1/"+f.fp]; c.Possession = nil; w.certs["org-1/"+f.fp] = c }},
		{name: "certificate revoked", der: derOf(f.certPEM), key: f.key, product: "ais", reads: 1,
			want: &want{401, "CERTIFICATE_REVOKED", "The client certificate is revoked: upload and attach a new one in the developer portal."},
			change: func(w *world) {
				c := w.certs["org-1/"+f.fp]
				c.RevokedAt = at(-time.Second)
				w.certs["org-1/"+f.fp] = c
			}},
		{name: "revoked, and a wrong key: the certificate is said first", der: derOf(f.certPEM), key: f.otherAppKey, product: "ais", reads: 2,
			want: &want{401, "CERTIFICATE_REVOKED", "The client certificate is revoked: upload and attach a new one in the developer portal."},
			change: func(w *world) {
				c := w.certs["org-1/"+f.fp]
				c.RevokedAt = at(-time.Second)
				w.certs["org-1/"+f.fp] = c
			}},
		{name: "organization offboarded, its copies left behind", der: derOf(f.certPEM), key: f.key, product: "ais", reads: 1,
			want:   &want{401, "CERTIFICATE_BLOCKED", "Your organization may not call this API: it is not an active organization of this environment."},
			change: func(w *world) { o := w.orgs["org-1"]; o.Status = "OFFBOARDED"; w.orgs["org-1"] = o }},
		{name: "organization gone", der: derOf(f.certPEM), key: f.key, product: "ais", reads: 1,
			want:   &want{401, "CERTIFICATE_BLOCKED", "Your organization may not call this API: it is not an active organization of this environment."},
			change: func(w *world) { delete(w.orgs, "org-1") }},
		{name: "no PSD2 role for payments", der: derOf(f.certPEM), key: f.key, product: "pis", reads: 1,
			want: &want{401, "ROLE_INVALID", "Payment Initiation (PIS) needs the PSD2 role PSP_PI, which your organization's eIDAS certificate does not carry."}},
		{name: "no API key", der: derOf(f.certPEM), product: "ais", reads: 2,
			want: &want{400, "FORMAT_ERROR", "Send your app's API key in the apiKey header."}},
		{name: "API key of another shape", der: derOf(f.certPEM), key: "abc", product: "ais", reads: 2, want: &wrongKey},
		{name: "unknown API key of the app", der: derOf(f.certPEM), key: f.bad, product: "ais", reads: 1, want: &wrongKey},
		{name: "expired API key", der: derOf(f.certPEM), key: f.expiredKey, product: "ais", reads: 1, want: &wrongKey},
		{name: "API key of another app", der: derOf(f.certPEM), key: f.otherAppKey, product: "ais", reads: 2, want: &wrongKey},
		{name: "not subscribed", der: derOf(f.certPEM), key: f.key, product: "cof", reads: 1,
			want: &want{403, "SERVICE_BLOCKED", "Your app is not subscribed to Confirmation of Funds (CoF): subscribe it in the developer portal."}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := fresh()
			if tc.change != nil {
				tc.change(w)
			}
			check := &callercheck.Authorizer{Lookups: w, Environment: lookup.Sandbox, Now: func() time.Time { return now }}
			got, err := check.Check(context.Background(), callercheck.Call{CertDER: tc.der, APIKey: tc.key, Product: tc.product})
			if w.reads != tc.reads {
				t.Errorf("%d reads, want %d", w.reads, tc.reads)
			}
			if tc.want == nil {
				if err != nil || !reflect.DeepEqual(got, tc.caller) {
					t.Fatalf("Check = %+v, %v; want %+v", got, err, tc.caller)
				}
				return
			}
			var refusal *callercheck.Refusal
			if !errors.As(err, &refusal) {
				t.Fatalf("Check error = %v, want a refusal", err)
			}
			if refusal.Status != tc.want.status || refusal.Code != tc.want.code || refusal.Text != tc.want.text {
				t.Fatalf("refusal = %d %s %q\nwant      %d %s %q", refusal.Status, refusal.Code, refusal.Text, tc.want.status, tc.want.code, tc.want.text)
			}
			wantCaller := tc.caller
			if reflect.DeepEqual(wantCaller, callercheck.Caller{}) && tc.der != nil && tc.reads > 0 {
				wantCaller = refusedAs(accepted)
				wantCaller.Product = tc.product
				if tc.change != nil && w.owners[f.fp].Environment == lookup.Production {
					wantCaller.Environment = lookup.Production
				}
			}
			if !reflect.DeepEqual(got, wantCaller) {
				t.Errorf("caller = %+v, want %+v", got, wantCaller)
			}
		})
	}

	t.Run("a failed read is an outage, not a refusal", func(t *testing.T) {
		w := fresh()
		w.err = errors.New("throttled")
		check := &callercheck.Authorizer{Lookups: w, Environment: lookup.Sandbox}
		_, err := check.Check(context.Background(), callercheck.Call{CertDER: derOf(f.certPEM), APIKey: f.key, Product: "ais"})
		var refusal *callercheck.Refusal
		if err == nil || errors.As(err, &refusal) || err.Error() != "caller lookup: throttled" {
			t.Fatalf("Check = %v, want the read's error and no refusal", err)
		}
	})
}

// meter is a plan meter that allows a fixed number of calls.
type meter struct {
	left int
	keys []string
}

func (m *meter) Take(_ context.Context, usageKey string, _ lookup.Plan, _ time.Time) (time.Duration, bool, error) {
	m.keys = append(m.keys, usageKey)
	if m.left == 0 {
		return 1500 * time.Millisecond, false, nil
	}
	m.left--
	return 0, true, nil
}

// TestCheckMetersOnlyAcceptedCalls: the meter is asked last, once the call is otherwise
// accepted, with the app's usage key for the product; over the plan is ACCESS_EXCEEDED.
func TestCheckMetersOnlyAcceptedCalls(t *testing.T) {
	f, fresh := newFixture(t)
	m := &meter{left: 1}
	check := &callercheck.Authorizer{Lookups: fresh(), Environment: lookup.Sandbox, Meter: m, Now: func() time.Time { return now }}
	call := callercheck.Call{CertDER: derOf(f.certPEM), APIKey: f.key, Product: "ais"}
	if _, err := check.Check(context.Background(), callercheck.Call{CertDER: derOf(f.certPEM), APIKey: f.bad, Product: "ais"}); err == nil {
		t.Fatal("a wrong key was accepted")
	}
	if _, err := check.Check(context.Background(), call); err != nil {
		t.Fatalf("first call: %v", err)
	}
	_, err := check.Check(context.Background(), call)
	var refusal *callercheck.Refusal
	if !errors.As(err, &refusal) || refusal.Status != 429 || refusal.Code != "ACCESS_EXCEEDED" || refusal.RetryAfter != 1500*time.Millisecond ||
		refusal.Text != "Your app is over its Sandbox plan for Account Information (AIS) (10 calls a second, 10000 a day): try again in 2 seconds." {
		t.Fatalf("second call = %#v", err)
	}
	if want := []string{"usage.org-1.app-1.ais", "usage.org-1.app-1.ais"}; !reflect.DeepEqual(m.keys, want) {
		t.Fatalf("metered %v, want %v", m.keys, want)
	}
}

const methodARN = "arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/tpp/GET/v1/accounts"

func request(certPEM, path, apiKey string) events.APIGatewayCustomAuthorizerRequestTypeRequest {
	var req events.APIGatewayCustomAuthorizerRequestTypeRequest
	req.Type = "REQUEST"
	req.MethodArn = methodARN
	req.Path = path
	req.Headers = map[string]string{"X-Request-ID": "99391c7e-ad88-49ec-a2ad-99ddcb1f7721"}
	if apiKey != "" {
		req.Headers["apikey"] = apiKey // API Gateway passes header names as the client sent them
	}
	req.RequestContext.RequestID = "req-1"
	req.RequestContext.Identity.ClientCert.ClientCertPem = certPEM
	return req
}

func policy(effect string) events.APIGatewayCustomAuthorizerPolicy {
	return events.APIGatewayCustomAuthorizerPolicy{
		Version:   "2012-10-17",
		Statement: []events.IAMPolicyStatement{{Action: []string{"execute-api:Invoke"}, Effect: effect, Resource: []string{methodARN}}},
	}
}

// TestAuthorize: an accepted call is allowed with its app and the usage key its product's
// usage plan meters; a refused one is allowed with its refusal, which the integration
// answers, under the refusal usage key; a path of no product is denied; a failed read
// is an error.
func TestAuthorize(t *testing.T) {
	f, fresh := newFixture(t)
	keyPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2, 3}}))
	refused := func(status int, code, text string) events.APIGatewayCustomAuthorizerResponse {
		return events.APIGatewayCustomAuthorizerResponse{PrincipalID: "refused", PolicyDocument: policy("Allow"), UsageIdentifierKey: "usage.refusals.sandbox",
			Context: map[string]interface{}{"refusalStatus": status, "refusalCode": code, "refusalText": text, "refusalRetryAfter": 0}}
	}
	cases := []struct {
		name    string
		certPEM string
		path    string
		key     string
		readErr error
		want    events.APIGatewayCustomAuthorizerResponse
	}{
		{name: "accepted", certPEM: f.certPEM, path: "/v1/accounts", key: f.key,
			want: events.APIGatewayCustomAuthorizerResponse{PrincipalID: "app-1", PolicyDocument: policy("Allow"), UsageIdentifierKey: "usage.org-1.app-1.ais",
				Context: map[string]interface{}{"appId": "app-1", "orgId": "org-1", "environment": "sandbox", "product": "ais", "redirectUris": "https://tpp.example/callback"}}},
		{name: "no certificate", path: "/v1/accounts", key: f.key,
			want: refused(401, "CERTIFICATE_MISSING", "Present your certificate as the TLS client certificate.")},
		{name: "PEM of a key", certPEM: keyPEM, path: "/v1/accounts", key: f.key,
			want: refused(401, "CERTIFICATE_INVALID", "The client certificate is not a valid X.509 certificate.")},
		{name: "wrong key", certPEM: f.certPEM, path: "/v1/accounts", key: f.bad,
			want: refused(401, "TOKEN_INVALID", "The apiKey header does not hold a current API key of the app this certificate is attached to: copy it from the app's page in the developer portal.")},
		{name: "path of no product", certPEM: f.certPEM, path: "/v1/nothing", key: f.key,
			want: events.APIGatewayCustomAuthorizerResponse{PrincipalID: "unknown", PolicyDocument: policy("Deny")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := &callercheck.Authorizer{Lookups: fresh(), Environment: lookup.Sandbox, Log: discard, Now: func() time.Time { return now }}
			got, err := a.Authorize(context.Background(), request(tc.certPEM, tc.path, tc.key))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("response =\n%+v\nwant\n%+v", got, tc.want)
			}
		})
	}
	t.Run("a failed read is an error", func(t *testing.T) {
		w := fresh()
		w.err = errors.New("throttled")
		a := &callercheck.Authorizer{Lookups: w, Environment: lookup.Sandbox, Log: discard}
		got, err := a.Authorize(context.Background(), request(f.certPEM, "/v1/accounts", f.key))
		if err == nil || !reflect.DeepEqual(got, events.APIGatewayCustomAuthorizerResponse{}) {
			t.Fatalf("Authorize = %+v, %v; want an error and no response API Gateway could use", got, err)
		}
	})
}

// TestAuthorizeBearerRoute: the authorizer of a route that takes a bearer token passes
// the verified token, if the call presented one, and the consent it read ahead to the
// integration, and nothing else it read (the token's session stays with it). A call
// without a token that names a consent passes with the consent alone, for the handler's
// consent rules to decide; one naming none is refused.
func TestAuthorizeBearerRoute(t *testing.T) {
	f, fresh := newFixture(t)
	consentKey := func(id string) prefetch.Key { return prefetch.Key{Table: "tpp", PK: "CONSENT#" + id, SK: "CONSENT"} }
	consent := map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "CONSENT#c1"}, "SK": &types.AttributeValueMemberS{Value: "CONSENT"},
		"validUntil": &types.AttributeValueMemberN{Value: "20261231"}}
	app := map[string]interface{}{"appId": "app-1", "orgId": "org-1", "environment": "sandbox", "product": "ais", "redirectUris": "https://tpp.example/callback"}
	withToken := map[string]interface{}{"tokenClientId": "client-1", "tokenSubject": "psu-1", "tokenScopes": "AIS:c1"}
	for k, v := range app {
		withToken[k] = v
	}
	for _, tc := range []struct {
		name, authorization, consentID string
		want                           map[string]interface{}
		wantAsked                      int
		refusal                        string
	}{
		{name: "a token and a consent", authorization: "Bearer good", consentID: "c1", want: withToken, wantAsked: 2},
		{name: "a consent without a token", consentID: "c1", want: app, wantAsked: 1},
		{name: "neither token nor consent", refusal: "TOKEN_INVALID"},
		{name: "a consent and an unknown token", authorization: "Bearer forged", consentID: "c1", refusal: "TOKEN_INVALID"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := fresh()
			w.tpp = map[prefetch.Key]map[string]types.AttributeValue{consentKey("c1"): consent, tokenKey("good"): {"request": &types.AttributeValueMemberS{Value: "secret"}}}
			a := &callercheck.Authorizer{Lookups: w, Environment: lookup.Sandbox, Log: discard, Now: func() time.Time { return now }, ConsentKey: consentKey,
				Tokens: tokens{"good": {ClientID: "client-1", AppID: "app-1", Subject: "psu-1", Scopes: []string{"AIS:c1"}, Thumbprint: callercheck.Thumbprint(f.fp)}}}
			req := request(f.certPEM, "/v1/accounts/acc-1/transactions", f.key)
			req.HTTPMethod = "GET"
			if tc.authorization != "" {
				req.Headers["authorization"] = tc.authorization
			}
			if tc.consentID != "" {
				req.Headers["consent-id"] = tc.consentID
			}
			got, err := a.Authorize(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if tc.refusal != "" {
				if got.PrincipalID != "refused" || got.Context[callercheck.ContextRefusalCode] != tc.refusal || got.Context[callercheck.ContextRefusalStatus] != 401 {
					t.Fatalf("response %+v, want the refusal 401 %s", got, tc.refusal)
				}
				return
			}
			ahead, err := callercheck.AheadFromContext(got.Context)
			if err != nil {
				t.Fatal(err)
			}
			if item, ok := ahead.Take(consentKey("c1")); !ok || !reflect.DeepEqual(item, consent) || ahead.Len() != 0 {
				t.Fatalf("read ahead for the integration: %v %v and %d more, want the consent alone", item, ok, ahead.Len())
			}
			delete(got.Context, callercheck.ContextAhead)
			if got.PrincipalID != "app-1" || !reflect.DeepEqual(got.Context, tc.want) {
				t.Fatalf("response %+v, want app-1 with context %v", got, tc.want)
			}
			if len(w.asked) != 1 || len(w.asked[0]) != tc.wantAsked {
				t.Fatalf("reads asked %v, want one read of %d items of the TPP table", w.asked, tc.wantAsked)
			}
		})
	}
}

// TestRefusalFromContext reads the refusal back as the integration gets it: API Gateway
// passes the authorizer's context values as strings.
func TestRefusalFromContext(t *testing.T) {
	got, ok := callercheck.RefusalFromContext(map[string]interface{}{"refusalStatus": "429", "refusalCode": "ACCESS_EXCEEDED", "refusalText": "slow down", "refusalRetryAfter": "3"})
	if !ok || got.Status != 429 || got.Code != "ACCESS_EXCEEDED" || got.Text != "slow down" || got.RetryAfter != 3*time.Second {
		t.Fatalf("RefusalFromContext = %+v, %v", got, ok)
	}
	if _, ok := callercheck.RefusalFromContext(map[string]interface{}{"appId": "app-1"}); ok {
		t.Fatal("an accepted call's context read as a refusal")
	}
}

func TestFingerprint(t *testing.T) {
	certPEM, want := testCertificate(t, "x")
	got, err := callercheck.Fingerprint(certPEM)
	if err != nil || got != want {
		t.Errorf("Fingerprint = %q, %v; want %q", got, err, want)
	}
	// API Gateway passes the PEM as the client sent it: surrounding text is ignored.
	if got, err := callercheck.Fingerprint("\n" + certPEM + "\n"); err != nil || got != want {
		t.Errorf("Fingerprint with blank lines = %q, %v", got, err)
	}
}

func TestParseEnvironment(t *testing.T) {
	cases := []struct {
		in   string
		want lookup.Environment
		ok   bool
	}{
		{"sandbox", lookup.Sandbox, true},
		{"production", lookup.Production, true},
		{"", "", false},
		{"Production", "", false},
		{"live", "", false},
	}
	for _, tc := range cases {
		got, err := callercheck.ParseEnvironment(tc.in)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("ParseEnvironment(%q) = %q, %v; want %q, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

// BenchmarkAuthorize is the authorizer's own cost per accepted call, its read answered in
// memory: parsing the PEM and the certificate, hashing the key, the checks, the response.
func BenchmarkAuthorize(b *testing.B) {
	f, fresh := newFixture(b)
	a := &callercheck.Authorizer{Lookups: fresh(), Environment: lookup.Sandbox, Log: discard, Now: func() time.Time { return now }}
	req := request(f.certPEM, "/v1/accounts", f.key)
	var took []time.Duration
	for b.Loop() {
		start := time.Now()
		if resp, err := a.Authorize(context.Background(), req); err != nil || resp.PrincipalID != "app-1" {
			b.Fatalf("Authorize = %+v, %v", resp, err)
		}
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Nanoseconds())/1000, "p50-µs")
	b.ReportMetric(float64(took[len(took)*99/100].Nanoseconds())/1000, "p99-µs")
}
