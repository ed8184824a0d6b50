package consentscope_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/tpp/consents/consentscope"
	"github.com/bank/devportal/shared/tpp/oauth"
	"github.com/bank/devportal/shared/tpp/payments"
	"github.com/bank/devportal/shared/tpp/payments/paymentdb"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
	"github.com/bank/devportal/shared/tpp/sandboxbank/bankstore"
)

// TestPaymentScopes: the authorization server finds a received payment by its scope
// PIS:<paymentId>; the approval of the customer who holds its debtor account executes it,
// the approval of another customer rejects it; a decided payment names nothing.
func TestPaymentScopes(t *testing.T) {
	ctx := context.Background()
	c, db, bank := testenv.SandboxBank(t)
	today, _ := time.Parse(time.DateOnly, bank.Date)
	store := bankstore.New(db, c.TPPTable)
	svc := &payments.Service{Store: paymentdb.New(db, c.TPPTable), Now: func() time.Time { return today.Add(12 * time.Hour) }}
	r := consentscope.Resources{Payments: svc, Bank: store}
	current := func(customer string) sandboxbank.Account {
		for _, a := range bank.Accounts {
			if a.CustomerID == customer && a.Kind == sandboxbank.Current && a.Currency == "EUR" && a.ParentID == "" {
				return a
			}
		}
		t.Fatalf("customer %s has no current account in EUR", customer)
		return sandboxbank.Account{}
	}
	payer, payee := bank.Customers[0], bank.Customers[1]
	from, to := current(payer.ID), current(payee.ID)
	body := []byte(`{"debtorAccount":{"iban":"` + from.IBAN + `"},"instructedAmount":{"currency":"EUR","amount":"1.00"},` +
		`"creditorAccount":{"iban":"` + to.IBAN + `"},"creditorName":"Payee"}`)
	owner := payments.Owner{AppID: "bb-app", OrgID: "bb"}
	initiate := func(requestID string) payments.Payment {
		in, err := svc.Initiate(ctx, owner, requestID, payments.Single, payments.SEPA, body, "", "")
		if err != nil {
			t.Fatal(err)
		}
		return in.Payment
	}
	p := initiate("0b6f2c1e-1d7a-4c8e-9f3a-000000000001")
	res, err := r.Find(ctx, "PIS", p.ID)
	want := oauth.Resource{Kind: "PIS", ID: p.ID, AppID: "bb-app", Summary: "Pay 1.00 EUR to Payee (" + to.IBAN + ") from account " + from.IBAN + "."}
	if err != nil || res != want {
		t.Fatalf("find: %+v %v", res, err)
	}
	if _, err := r.Find(ctx, "PIS", "nothing"); !errors.Is(err, oauth.ErrUnknownResource) {
		t.Fatalf("find nothing: %v", err)
	}
	before, _ := store.Ledger(ctx, from.ResourceID)
	if err := r.Approved(ctx, res, payer.ID, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := svc.Find(ctx, p.ID); got.Status != payments.CreditorSettled {
		t.Fatalf("approved: %s", got.Status)
	}
	if after, _ := store.Ledger(ctx, from.ResourceID); after.Booked != before.Booked-100 {
		t.Fatalf("ledger: %d, was %d", after.Booked, before.Booked)
	}
	if _, err := r.Find(ctx, "PIS", p.ID); !errors.Is(err, oauth.ErrUnknownResource) {
		t.Fatalf("find an executed payment: %v", err)
	}
	// Another customer cannot approve it: the payment is rejected.
	q := initiate("0b6f2c1e-1d7a-4c8e-9f3a-000000000002")
	res, _ = r.Find(ctx, "PIS", q.ID)
	if err := r.Approved(ctx, res, payee.ID, nil); !errors.Is(err, oauth.ErrCannotGrant) {
		t.Fatalf("approved by another customer: %v", err)
	}
	if got, _ := svc.Find(ctx, q.ID); got.Status != payments.Rejected || got.Reason != payments.ReasonCustomer {
		t.Fatalf("after the refused approval: %s %s", got.Status, got.Reason)
	}
	// Refused at the bank, it is rejected.
	d := initiate("0b6f2c1e-1d7a-4c8e-9f3a-000000000003")
	res, _ = r.Find(ctx, "PIS", d.ID)
	if err := r.Refused(ctx, res); err != nil {
		t.Fatal(err)
	}
	if got, _ := svc.Find(ctx, d.ID); got.Status != payments.Rejected {
		t.Fatalf("refused: %s", got.Status)
	}
}
