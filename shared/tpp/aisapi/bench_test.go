package aisapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/platform/prefetch"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/portal/lookup/lookupdb"
	"github.com/bank/devportal/shared/tpp/aisapi"
	"github.com/bank/devportal/shared/tpp/callercheck"
	"github.com/bank/devportal/shared/tpp/consents"
	"github.com/bank/devportal/shared/tpp/consents/consentdb"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
	"github.com/bank/devportal/shared/tpp/sandboxbank/bankstore"
)

// BenchmarkTransactionsPage measures GET /v1/accounts/{account-id}/transactions in-process
// on moto, a page of 100 booked transactions, as the customer asks for it (attended) and
// unattended (counted against the consent's reads a day): the DynamoDB calls and p50/p99
// of the caller check's one read (the portal's items with the consent, read ahead) and
// the endpoint. The token's session comes in the same read; the check's verification of
// the items is CPU alone (callercheck's BenchmarkAuthorize).
func BenchmarkTransactionsPage(b *testing.B) {
	ctx := context.Background()
	c, _, bank := testenv.SandboxBank(b)
	awsCfg := testenv.AWS(b, c)
	counter := testenv.CountCalls(&awsCfg)
	db := dynamodb.NewFromConfig(awsCfg)
	today, _ := time.Parse(time.DateOnly, bank.Date)
	svc := &consents.Service{Store: consentdb.New(db, c.TPPTable), Now: func() time.Time { return today }}
	api := &aisapi.API{Consents: svc, Bank: bankstore.New(db, c.TPPTable), Now: func() time.Time { return today }}
	var acc sandboxbank.Account
	for _, a := range bank.Accounts {
		if a.Kind == sandboxbank.Current {
			acc = a
			break
		}
	}
	owner := consents.Owner{AppID: "bb-app", OrgID: "bb"}
	yes, four := true, 4
	made, err := svc.Create(ctx, owner, consents.Request{Access: &consents.Access{Transactions: []consents.AccountReference{{IBAN: acc.IBAN}}},
		RecurringIndicator: &yes, ValidUntil: consents.LongestValidUntil, FrequencyPerDay: &four, CombinedServiceIndicator: new(bool)}, "", "")
	if err != nil {
		b.Fatal(err)
	}
	if err := svc.Approve(ctx, made.ID, acc.CustomerID, consents.ByOAuth, []consents.Account{{ID: acc.ResourceID, IBAN: acc.IBAN, Currency: acc.Currency, Kind: string(acc.Kind)}}, nil); err != nil {
		b.Fatal(err)
	}
	h := api.Handlers()["ais-account-transactions"]
	mux := http.NewServeMux()
	mux.Handle("GET /v1/accounts/{accountId}/transactions", h)
	caller := callercheck.WithCaller(ctx, callercheck.Caller{AppID: owner.AppID, OrgID: owner.OrgID, Environment: lookup.Sandbox, Product: "ais",
		Token: &callercheck.Token{Scopes: []string{"AIS:" + made.ID}}})
	portal := lookupdb.NewReader(db, c.PortalTable)
	consentKey := consentdb.New(db, c.TPPTable).ReadAheadKey(made.ID)
	for _, attended := range []bool{true, false} {
		name := map[bool]string{true: "attended", false: "unattended"}[attended]
		b.Run(name, func(b *testing.B) {
			var took []time.Duration
			var calls int64
			for b.Loop() {
				before := counter.Load()
				start := time.Now()
				items, err := portal.Caller(ctx, "bench-fingerprint", owner.OrgID, owner.AppID, consentKey)
				if err != nil {
					b.Fatal(err)
				}
				r := httptest.NewRequestWithContext(prefetch.With(caller, items.Ahead), "GET", "/v1/accounts/"+acc.ResourceID+"/transactions?bookingStatus=booked&dateFrom=2000-01-01", nil)
				r.Header.Set("X-Request-ID", requestID)
				r.Header.Set("Consent-ID", made.ID)
				if attended {
					r.Header.Set("PSU-IP-Address", "192.0.2.44")
				}
				w := httptest.NewRecorder()
				mux.ServeHTTP(w, r)
				took = append(took, time.Since(start))
				calls += counter.Load() - before
				// Past the consent's four unattended reads a day the answer is 429; the
				// figures are of answered pages.
				if w.Code != 200 && !(w.Code == 429 && !attended) {
					b.Fatalf("%d %s", w.Code, w.Body)
				}
				if !attended {
					// A new day for every read, so each is counted and answered.
					today = today.Add(24 * time.Hour)
				}
			}
			slices.Sort(took)
			b.ReportMetric(float64(calls)/float64(len(took)), "dynamodb-calls/op")
			b.ReportMetric(float64(took[len(took)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(took[len(took)*99/100].Microseconds()), "p99-µs")
		})
	}
}
