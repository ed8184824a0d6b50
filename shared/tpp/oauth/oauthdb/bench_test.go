package oauthdb_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/bank/devportal/shared/local/motoserver"
	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/tpp/callercheck"
	"github.com/bank/devportal/shared/tpp/oauth"
	"github.com/bank/devportal/shared/tpp/oauth/oauthdb"
)

// pendingID is the bank's pages as far as the benchmark needs them: it keeps the ID of
// the request the authorization endpoint hands over.
type pendingID struct{ id string }

func (p *pendingID) Begin(w http.ResponseWriter, _ *http.Request, pending oauth.Pending) {
	p.id = pending.ID
	w.WriteHeader(http.StatusOK)
}

// BenchmarkTokenEndpoint measures the token endpoint in-process, on each DynamoDB
// implementation, for its three grants: client credentials, the exchange of an
// authorization code (the authorization itself is not timed), and a refresh. It reports
// the DynamoDB calls per token request and the p50 and p99 latencies.
func BenchmarkTokenEndpoint(b *testing.B) {
	ctx := context.Background()
	const secret, fp = "s3cr3t-of-the-benchmark-client", "47c9a554cc63faecc4e1af6d33922a3fe5157c007da65b574d2f2574d307dabc"
	for _, backend := range backends {
		b.Run(backend.Name, func(b *testing.B) {
			c := testenv.Config(b, backend.Endpoint(b))
			awsCfg := testenv.AWS(b, c)
			counter := testenv.CountCalls(&awsCfg)
			db := dynamodb.NewFromConfig(awsCfg)
			if err := motoserver.CreateTables(ctx, db, c); err != nil {
				b.Fatal(err)
			}
			sum := sha256.Sum256([]byte(secret))
			cl := oauth.Client{ClientID: "client-1", AppID: "app-1", OrgID: "org-1", SecretHash: hex.EncodeToString(sum[:]),
				Access: oauth.Access{AppName: "Budget Buddy", Environment: lookup.Sandbox, RedirectURIs: []string{"https://tpp.example/cb"},
					Fingerprints: []string{fp}, Products: map[string]string{"oauth2": "sandbox", "ais": "sandbox"}}}
			item, _ := attributevalue.MarshalMap(struct {
				lookup.Key
				oauth.Client
			}{lookup.ClientKey(cl.ClientID), cl})
			if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &c.PortalTable, Item: item}); err != nil {
				b.Fatal(err)
			}
			consent := &pendingID{}
			srv, err := oauth.New(oauth.Options{Issuer: "https://api.bank.example", AuthorizeURL: "https://bank.example/oauth2/authorize",
				Environment: lookup.Sandbox, Secret: []byte(strings.Repeat("k", 32)), AccessTokenTTL: time.Hour, RefreshTokenTTL: 24 * time.Hour,
				Storage: oauthdb.New(db, c.TPPTable, c.PortalTable), Consent: consent})
			if err != nil {
				b.Fatal(err)
			}
			caller := callercheck.WithCaller(ctx, callercheck.Caller{AppID: "app-1", OrgID: "org-1", Environment: lookup.Sandbox, Fingerprint: fp, Product: "oauth2"})
			token := func(form url.Values) map[string]any {
				form.Set("client_id", cl.ClientID)
				form.Set("client_secret", secret)
				r := httptest.NewRequestWithContext(caller, "POST", oauth.TokenPath, strings.NewReader(form.Encode()))
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				w := httptest.NewRecorder()
				srv.Endpoints()["oauth2-token"].ServeHTTP(w, r)
				var out map[string]any
				if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil || w.Code != 200 {
					b.Fatalf("token: %d %s", w.Code, w.Body)
				}
				return out
			}
			// code runs an authorization the customer approves and returns its code and
			// verifier.
			code := func() (string, string) {
				verifier := base64.RawURLEncoding.EncodeToString([]byte(strings.Repeat("v", 40)))
				challenge := sha256.Sum256([]byte(verifier))
				q := url.Values{"response_type": {"code"}, "client_id": {cl.ClientID}, "redirect_uri": {"https://tpp.example/cb"},
					"scope": {"AIS"}, "state": {"state-of-the-benchmark"}, "code_challenge": {base64.RawURLEncoding.EncodeToString(challenge[:])},
					"code_challenge_method": {"S256"}}
				w := httptest.NewRecorder()
				srv.AuthorizeHandler().ServeHTTP(w, httptest.NewRequest("GET", "/oauth2/authorize?"+q.Encode(), nil))
				if w.Code != 200 {
					b.Fatalf("authorize: %d %s", w.Code, w.Body)
				}
				w = httptest.NewRecorder()
				if err := srv.Approve(ctx, w, consent.id, oauth.Decision{Subject: "psu-1", Scopes: []string{"AIS"}}); err != nil {
					b.Fatal(err)
				}
				loc, _ := url.Parse(w.Header().Get("Location"))
				if loc == nil || loc.Query().Get("code") == "" {
					b.Fatalf("approve: %d %v", w.Code, w.Header())
				}
				return loc.Query().Get("code"), verifier
			}
			// measure times token requests of the forms prepare makes; done sees each answer.
			measure := func(b *testing.B, prepare func() url.Values, done func(map[string]any)) {
				var took []time.Duration
				var calls int64
				for b.Loop() {
					b.StopTimer()
					form := prepare()
					before := counter.Load()
					b.StartTimer()
					start := time.Now()
					out := token(form)
					took = append(took, time.Since(start))
					calls += counter.Load() - before
					if out["access_token"] == "" {
						b.Fatalf("no access token: %v", out)
					}
					if done != nil {
						done(out)
					}
				}
				slices.Sort(took)
				b.ReportMetric(float64(calls)/float64(len(took)), "dynamodb-calls/op")
				b.ReportMetric(float64(took[len(took)/2].Microseconds()), "p50-µs")
				b.ReportMetric(float64(took[len(took)*99/100].Microseconds()), "p99-µs")
			}
			b.Run("client_credentials", func(b *testing.B) {
				measure(b, func() url.Values { return url.Values{"grant_type": {"client_credentials"}} }, nil)
			})
			b.Run("authorization_code", func(b *testing.B) {
				measure(b, func() url.Values {
					c, v := code()
					return url.Values{"grant_type": {"authorization_code"}, "code": {c}, "code_verifier": {v}, "redirect_uri": {"https://tpp.example/cb"}}
				}, nil)
			})
			b.Run("refresh_token", func(b *testing.B) {
				c, v := code()
				refresh, _ := token(url.Values{"grant_type": {"authorization_code"}, "code": {c}, "code_verifier": {v}, "redirect_uri": {"https://tpp.example/cb"}})["refresh_token"].(string)
				// Each refresh rotates the refresh token: the next one uses the new one.
				measure(b, func() url.Values { return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}} },
					func(out map[string]any) { refresh, _ = out["refresh_token"].(string) })
			})
		})
	}
}
