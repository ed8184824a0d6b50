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

// TestTwoSignatoryPaymentScope: the scope PIS:<paymentId> of a payment from a
// two-signatory account of the generated bank names it until both signed: the business's
// approval leaves it PATC, its second approval and a customer who signs nothing for the
// account cannot be granted and change nothing (the payment is not rejected), and the
// co-signer's approval executes it.
func TestTwoSignatoryPaymentScope(t *testing.T) {
	ctx := context.Background()
	c, db, bank := testenv.SandboxBank(t)
	today, _ := time.Parse(time.DateOnly, bank.Date)
	store := bankstore.New(db, c.TPPTable)
	svc := &payments.Service{Store: paymentdb.New(db, c.TPPTable), Now: func() time.Time { return today.Add(12 * time.Hour) }}
	r := consentscope.Resources{Payments: svc, Bank: store}
	ids := map[string]string{}
	for _, cu := range bank.Customers {
		ids[cu.Login] = cu.ID
	}
	var from, to sandboxbank.Account
	for _, a := range bank.Accounts {
		switch {
		case a.CustomerID == ids["vos.architecten"] && a.Kind == sandboxbank.Current:
			from = a
		case a.CustomerID == ids["ruben.vos"] && a.Kind == sandboxbank.Current:
			to = a
		}
	}
	body := []byte(`{"debtorAccount":{"iban":"` + from.IBAN + `"},"instructedAmount":{"currency":"EUR","amount":"250.75"},` +
		`"creditorAccount":{"iban":"` + to.IBAN + `"},"creditorName":"Ruben Vos"}`)
	in, err := svc.Initiate(ctx, payments.Owner{AppID: "ml-app", OrgID: "ml"}, "0b6f2c1e-1d7a-4c8e-9f3a-0000000000a1", payments.Single, payments.SEPA, body, "", "")
	if err != nil || in.Payment.RequiredSignatures != 2 {
		t.Fatalf("initiate: %+v %v", in, err)
	}
	id := in.Payment.ID
	before, _ := store.Ledger(ctx, from.ResourceID)
	step := func(name, login string, want error, status payments.Status) {
		t.Helper()
		res, err := r.Find(ctx, "PIS", id)
		if err != nil {
			t.Fatalf("%s: find: %v", name, err)
		}
		if err := r.Approved(ctx, res, ids[login], nil); !errors.Is(err, want) {
			t.Fatalf("%s: %v, want %v", name, err, want)
		}
		if got, _ := svc.Find(ctx, id); got.Status != status {
			t.Fatalf("%s: %s, want %s", name, got.Status, status)
		}
	}
	step("the business", "vos.architecten", nil, payments.PartiallyAuthed)
	step("the business again", "vos.architecten", oauth.ErrCannotGrant, payments.PartiallyAuthed)
	step("a customer who is no signatory", "anna.schmidt", oauth.ErrCannotGrant, payments.PartiallyAuthed)
	if after, _ := store.Ledger(ctx, from.ResourceID); after.Booked != before.Booked {
		t.Fatalf("booked before the last signature: %d, was %d", after.Booked, before.Booked)
	}
	step("the co-signer", "ruben.vos", nil, payments.CreditorSettled)
	if after, _ := store.Ledger(ctx, from.ResourceID); after.Booked != before.Booked-25075 {
		t.Fatalf("ledger: %d, want %d", after.Booked, before.Booked-25075)
	}
	if _, err := r.Find(ctx, "PIS", id); !errors.Is(err, oauth.ErrUnknownResource) {
		t.Fatalf("find an executed payment: %v", err)
	}
}
