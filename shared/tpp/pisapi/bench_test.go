package pisapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/bank/devportal/shared/local/motoserver"
	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/platform/prefetch"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/portal/lookup/lookupdb"
	"github.com/bank/devportal/shared/tpp/callercheck"
	"github.com/bank/devportal/shared/tpp/payments"
	"github.com/bank/devportal/shared/tpp/payments/paymentdb"
	"github.com/bank/devportal/shared/tpp/pisapi"
)

// BenchmarkPayment measures a payment's initiation (POST /v1/payments/{payment-product})
// and its status read in-process on moto: the caller check's one read of the portal's
// items, then the endpoint, with the DynamoDB calls of both per operation and their p50
// and p99. Each initiation has an X-Request-ID of its own, so each stores a new payment
// and its X-Request-ID record in one transaction.
func BenchmarkPayment(b *testing.B) {
	ctx := context.Background()
	c := testenv.Config(b, testenv.MotoEndpoint(b))
	c.TPPTable = "tpp-" + testenv.Suffix()
	awsCfg := testenv.AWS(b, c)
	calls := testenv.CountCalls(&awsCfg)
	db := dynamodb.NewFromConfig(awsCfg)
	if err := motoserver.CreateTables(ctx, db, c); err != nil {
		b.Fatal(err)
	}
	api := &pisapi.API{Payments: &payments.Service{Store: paymentdb.New(db, c.TPPTable), Now: time.Now}, MetadataURL: metadataURL}
	h := api.Handlers()
	mux := http.NewServeMux()
	mux.Handle("POST /v1/payments/{paymentProduct}", h["pis-payments-initiate"])
	mux.Handle("GET /v1/payments/{paymentProduct}/{paymentId}/status", h["pis-payments-status"])
	portal := lookupdb.NewReader(db, c.PortalTable)
	caller := callercheck.WithCaller(ctx, callercheck.Caller{AppID: "bench-app", OrgID: "org-bench-app", Environment: lookup.Sandbox, Product: "pis"})
	n := 0
	serve := func(b *testing.B, method, path, body string, want int) *httptest.ResponseRecorder {
		items, err := portal.Caller(ctx, "bench-fingerprint", "org-bench-app", "bench-app")
		if err != nil {
			b.Fatal(err)
		}
		var r *http.Request
		if body == "" {
			r = httptest.NewRequestWithContext(prefetch.With(caller, items.Ahead), method, path, nil)
		} else {
			r = httptest.NewRequestWithContext(prefetch.With(caller, items.Ahead), method, path, strings.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
		}
		n++
		r.Header.Set("X-Request-ID", fmt.Sprintf("0a7d5c3e-1b2f-4c6d-8e9f-%012d", n))
		r.Header.Set("PSU-IP-Address", "192.0.2.10")
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		if w.Code != want {
			b.Fatalf("%s %s: %d %s", method, path, w.Code, w.Body)
		}
		return w
	}
	measure := func(b *testing.B, op func(b *testing.B)) {
		var took []time.Duration
		before := calls.Load()
		for b.Loop() {
			start := time.Now()
			op(b)
			took = append(took, time.Since(start))
		}
		slices.Sort(took)
		b.ReportMetric(float64(calls.Load()-before)/float64(len(took)), "dynamodb-calls/op")
		b.ReportMetric(float64(took[len(took)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(took[len(took)*99/100].Microseconds()), "p99-µs")
	}
	body := single("12.00", creditorIBAN)
	first := serve(b, "POST", "/v1/payments/sepa-credit-transfers", body, 201).Header().Get("Location")
	b.Run("initiate", func(b *testing.B) {
		measure(b, func(b *testing.B) { serve(b, "POST", "/v1/payments/sepa-credit-transfers", body, 201) })
	})
	b.Run("status", func(b *testing.B) {
		measure(b, func(b *testing.B) { serve(b, "GET", first+"/status", "", 200) })
	})
}
