package payments_test

import (
	"errors"
	"testing"

	"github.com/bank/devportal/shared/tpp/bgerror"
	"github.com/bank/devportal/shared/tpp/payments"
)

// FuzzDecode feeds the initiation decoder any body under each service: it answers a
// Berlin Group error or a request whose every transfer the sandbox can plan, never panics,
// and never an error of another kind.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		single("", ""),
		`{"debtorAccount":{"iban":"BE68539007547034"},"payments":[{"instructedAmount":{"currency":"EUR","amount":"1"},"creditorAccount":{"iban":"BE68539007547034"},"creditorName":"a"}]}`,
		`{"instructedAmount":{"currency":"KWD","amount":"0.001"},"startDate":"2027-01-01","frequency":"Daily","dayOfExecution":"31"}`,
		`{"instructedAmount":`, `[]`, `{"payments":{}}`, `{"a":1}{}`, ``, `{"instructedAmount":{"amount":"99999999999999.999"}}`,
	} {
		f.Add(seed)
	}
	services := []payments.PaymentService{payments.Single, payments.Periodic, payments.Bulk}
	f.Fuzz(func(t *testing.T, body string) {
		for _, s := range services {
			req, err := payments.Decode(s, payments.SEPA, []byte(body), today)
			var e *bgerror.Error
			if err != nil {
				if !errors.As(err, &e) || e.Status != 400 || len(e.Messages) == 0 {
					t.Fatalf("%s: decode answered %T %v", s, err, err)
				}
				continue
			}
			p := payments.Payment{ID: "p", Service: s, Product: payments.SEPA, Transfer: req.Transfer, Standing: req.Standing, Batch: req.Batch,
				Status: payments.Accepted, DebtorAccountID: "acc", DebtorCurrency: "EUR"}
			ex, err := payments.Plan(p, today, func(string, string) (string, error) { return "acc-2", nil })
			if err != nil {
				t.Fatalf("%s: plan: %v", s, err)
			}
			for _, b := range ex.Bookings {
				if b.Amount.Minor == 0 || len(b.ID) > 35 {
					t.Fatalf("%s: booking %+v", s, b)
				}
			}
		}
	})
}
