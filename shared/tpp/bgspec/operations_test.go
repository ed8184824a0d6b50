package bgspec_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/tpp/bgspec"
)

// TestUnexercised: a route's operation is unexercised until an answer of it was checked,
// for the payment service its path writes out; a route of no operation never is.
func TestUnexercised(t *testing.T) {
	bgspec.Load(t, bgspec.NextGenPSD2)
	routes := []route.Route{
		{Name: "status", Method: "GET", Path: "/v1/signing-baskets/{basketId}/status"},
		{Name: "bulk-status", Method: "GET", Path: "/v1/bulk-payments/{paymentProduct}/{paymentId}/status"},
		{Name: "single-status", Method: "GET", Path: "/v1/payments/{paymentProduct}/{paymentId}/status"},
		{Name: "metadata", Method: "GET", Path: "/.well-known/oauth-authorization-server"},
	}
	missing := func() string {
		t.Helper()
		m, err := bgspec.Unexercised(routes)
		if err != nil {
			t.Fatal(err)
		}
		out := ""
		for _, s := range m {
			out += s + "\n"
		}
		return out
	}
	const all = "status: GET /v1/signing-baskets/{basketId}/status (psd2-api_v1.3.12-2022-07-06.yaml getSigningBasketStatus)\n" +
		"bulk-status: GET /v1/bulk-payments/{paymentProduct}/{paymentId}/status (psd2-api_v1.3.12-2022-07-06.yaml getPaymentInitiationStatus)\n" +
		"single-status: GET /v1/payments/{paymentProduct}/{paymentId}/status (psd2-api_v1.3.12-2022-07-06.yaml getPaymentInitiationStatus)\n"
	if got := missing(); got != all {
		t.Fatalf("before any check:\n%s", got)
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-ID", r.Header.Get("X-Request-ID"))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"transactionStatus":"RCVD"}`))
	})
	for _, path := range []string{"/v1/signing-baskets/b-1/status", "/v1/payments/sepa-credit-transfers/p-1/status"} {
		r := httptest.NewRequest("GET", path, nil)
		r.Header.Set("X-Request-ID", "5f0c8b8e-6a1f-4b7e-9a55-3d2f1c0e7b10")
		bgspec.Check(t, bgspec.NextGenPSD2, h, r)
	}
	want := "bulk-status: GET /v1/bulk-payments/{paymentProduct}/{paymentId}/status (psd2-api_v1.3.12-2022-07-06.yaml getPaymentInitiationStatus)\n"
	if got := missing(); got != want {
		t.Errorf("after checking the basket's and the single payment's status:\n%s", got)
	}
	if code := bgspec.Gate(routes)(); code != 1 {
		t.Errorf("the gate with an unexercised operation: %d", code)
	}
	if code := bgspec.Gate(routes[:1])(); code != 0 {
		t.Errorf("the gate with every operation exercised: %d", code)
	}
}

// TestOperations: the two files have 46 operations; a payment operation's path is written
// out for each payment service.
func TestOperations(t *testing.T) {
	bgspec.Load(t, bgspec.NextGenPSD2)
	ops, err := bgspec.Operations()
	if err != nil {
		t.Fatal(err)
	}
	files, payments := map[string]int{}, 0
	for _, o := range ops {
		files[o.File]++
		if len(o.Paths) == 3 {
			payments++
			if o.Paths[1] != "/v1/bulk-payments"+o.Path[len("/v1/{payment-service}"):] {
				t.Errorf("%s: %v", o.ID, o.Paths)
			}
		}
	}
	if len(ops) != 46 || files[bgspec.NextGenPSD2] != 38 || files[bgspec.FundsConfirmation] != 8 || payments != 12 {
		t.Errorf("%d operations, %v, %d of payments", len(ops), files, payments)
	}
}
