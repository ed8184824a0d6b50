package devstack_test

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/bank/devportal/shared/local/devstack"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
)

// BenchmarkPaymentOverMTLS measures a TPP's payment initiation and its status read on the
// local stack as the TPP's software sees them: over mutual TLS, through the caller check
// with the app's API key, on moto. It reports p50 and p99 of each and the DynamoDB calls
// per operation, counted from moto's request log (every call of the loop is a DynamoDB
// call). Each initiation has an X-Request-ID of its own, so each stores a new payment.
// The loop keeps within the sandbox plan's 10 calls a second, outside the figures.
func BenchmarkPaymentOverMTLS(b *testing.B) {
	var motoLog lockedBuffer
	s, w := startTPPStack(b, devstack.Options{MotoLog: &motoLog}, time.Now().UTC())
	w.Organization(b, "pb", org.Sandbox, org.StatusActive, "PIS")
	w.Certificate(b, s.CA, "pb-cert", w.App(b, "pb", "pb-app", org.Sandbox, []string{"oauth2", "pis"}, "pb"), true)
	roots := x509.NewCertPool()
	roots.AddCert(s.CA.Cert)
	tpp := w.MTLSClient(roots, "pb-cert", "pb")
	payer := currentAccount(b, s)
	var payee sandboxbank.Account
	for _, a := range s.Bank.Accounts {
		if a.CustomerID != payer.CustomerID && a.Kind == sandboxbank.Current && a.Currency == payer.Currency && a.ParentID == "" {
			payee = a
			break
		}
	}
	body, _ := json.Marshal(map[string]any{"debtorAccount": map[string]string{"iban": payer.IBAN},
		"instructedAmount": map[string]string{"currency": payer.Currency, "amount": "1.00"},
		"creditorAccount":  map[string]string{"iban": payee.IBAN}, "creditorName": "Payee"})
	n := 0
	send := func(method, path string, body []byte, want int) map[string]any {
		b.Helper()
		req, _ := http.NewRequest(method, s.TPPURL+path, bytes.NewReader(body))
		n++
		req.Header.Set("X-Request-ID", fmt.Sprintf("6c1e2f3a-4b5c-4d6e-8f70-%012d", n))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("PSU-IP-Address", "192.0.2.44")
		resp, err := tpp.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			b.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
		}
		var out map[string]any
		_ = json.Unmarshal(raw, &out)
		return out
	}
	var last string
	measure := func(b *testing.B, op func()) {
		var took []time.Duration
		before := motoLog.count(motoCall)
		for b.Loop() {
			start := time.Now()
			op()
			took = append(took, time.Since(start))
			// The sandbox plan allows 10 calls a second; the figures are of answered calls.
			time.Sleep(time.Until(start.Add(110 * time.Millisecond)))
		}
		calls := motoLog.count(motoCall) - before
		slices.Sort(took)
		b.ReportMetric(float64(calls)/float64(len(took)), "dynamodb-calls/op")
		b.ReportMetric(float64(took[len(took)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(took[len(took)*99/100].Microseconds()), "p99-µs")
	}
	b.Run("initiate", func(b *testing.B) {
		measure(b, func() {
			created := send("POST", "/v1/payments/sepa-credit-transfers", body, 201)
			last, _ = created["paymentId"].(string)
		})
	})
	if last == "" {
		last, _ = send("POST", "/v1/payments/sepa-credit-transfers", body, 201)["paymentId"].(string)
	}
	b.Run("status", func(b *testing.B) {
		measure(b, func() {
			if got := send("GET", "/v1/payments/sepa-credit-transfers/"+last+"/status", nil, 200); got["transactionStatus"] != "RCVD" {
				b.Fatalf("status %v", got)
			}
		})
	})
}
