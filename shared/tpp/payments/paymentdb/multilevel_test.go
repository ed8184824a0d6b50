package paymentdb_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/bank/devportal/shared/local/motoserver"
	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/tpp/notify"
	"github.com/bank/devportal/shared/tpp/payments"
	"github.com/bank/devportal/shared/tpp/payments/paymentdb"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
	"github.com/bank/devportal/shared/tpp/sandboxbank/bankstore"
)

// newSignedWorld is the TPP table with a bank whose debtor account needs two signatures:
// psu-1 holds acc-debtor (1000.00), which psu-3 co-signs; psu-2 holds acc-creditor
// (50.00); psu-3 holds acc-cosigner and psu-4 acc-outsider, neither of them a signatory of
// the other's.
func newSignedWorld(t *testing.T, endpoint string) world {
	t.Helper()
	ctx := context.Background()
	c := testenv.Config(t, endpoint)
	c.TPPTable = "tpp-" + testenv.Suffix()
	db := dynamodb.NewFromConfig(testenv.AWS(t, c))
	if err := motoserver.CreateTables(ctx, db, c); err != nil {
		t.Fatal(err)
	}
	account := func(id, customer, iban string) sandboxbank.Account {
		return sandboxbank.Account{ResourceID: id, CustomerID: customer, Kind: sandboxbank.Current, IBAN: iban, Currency: "EUR",
			Product: "Business Account", Name: "Main", OwnerName: customer, Usage: "ORGA", Status: "enabled"}
	}
	debtor := account("acc-debtor", "psu-1", debtorIBAN)
	debtor.Signatories, debtor.RequiredSignatures = []string{"psu-1", "psu-3"}, 2
	bank := sandboxbank.Bank{Seed: 1, Date: "2026-12-01",
		Customers: []sandboxbank.Customer{{ID: "psu-1", Login: "one"}, {ID: "psu-2", Login: "two"}, {ID: "psu-3", Login: "three"}, {ID: "psu-4", Login: "four"}},
		Accounts: []sandboxbank.Account{debtor, account("acc-creditor", "psu-2", creditorIBAN),
			account("acc-cosigner", "psu-3", iban(3003)), account("acc-outsider", "psu-4", iban(4004))},
		Ledgers: []sandboxbank.Ledger{{AccountID: "acc-debtor", Currency: "EUR", Booked: 100000, LastBookingDate: "2026-12-01"},
			{AccountID: "acc-creditor", Currency: "EUR", Booked: 5000, LastBookingDate: "2026-12-01"},
			{AccountID: "acc-cosigner", Currency: "EUR", Booked: 100, LastBookingDate: "2026-12-01"},
			{AccountID: "acc-outsider", Currency: "EUR", Booked: 100, LastBookingDate: "2026-12-01"}}}
	bs := bankstore.New(db, c.TPPTable)
	if _, err := bs.Load(ctx, bank, false); err != nil {
		t.Fatal(err)
	}
	return world{svc: &payments.Service{Store: paymentdb.New(db, c.TPPTable), Now: func() time.Time { return now }}, bank: bs}
}

// signatures lists a payment's signatures as customer@authorisation.
func signatures(p payments.Payment) string {
	out := ""
	for _, s := range p.Signatures {
		out += fmt.Sprintf("%s@%s ", s.CustomerID, s.AuthorisationID)
	}
	return out
}

// TestMultiLevelSignatures runs multi-level SCA on the TPP table, on moto and on DynamoDB
// Local: a payment from an account with two signatories is PATC after the first
// signature and executed after the second, distinct one, once; the same signatory twice
// and a customer who signs nothing for the account are refused and change nothing.
func TestMultiLevelSignatures(t *testing.T) {
	ctx := context.Background()
	for _, b := range testenv.Backends {
		t.Run(b.Name, func(t *testing.T) {
			w := newSignedWorld(t, b.Endpoint(t))
			svc := w.svc
			in, err := svc.Initiate(ctx, tpp, requestID(1), payments.Single, payments.SEPA, body("123.45", creditorIBAN), "", "")
			if err != nil || in.Payment.RequiredSignatures != 2 || !in.Payment.MultiLevel() || in.Status != payments.Received {
				t.Fatalf("initiate: %+v %v", in, err)
			}
			id := in.Payment.ID
			// A payment from an account with one signatory needs one signature.
			single, err := svc.Initiate(ctx, tpp, requestID(2), payments.Single, payments.SEPA,
				[]byte(`{"debtorAccount":{"iban":"`+creditorIBAN+`"},"instructedAmount":{"currency":"EUR","amount":"1.00"},"creditorAccount":{"iban":"`+debtorIBAN+`"},"creditorName":"Debtor"}`), "", "")
			if err != nil || single.Payment.RequiredSignatures != 0 || single.Payment.MultiLevel() {
				t.Fatalf("initiate single: %+v %v", single, err)
			}
			unchanged := func(step string, want payments.Status, wantSignatures string) {
				t.Helper()
				p, err := svc.Get(ctx, tpp, payments.Single, payments.SEPA, id)
				if err != nil || p.Status != want || signatures(p) != wantSignatures {
					t.Fatalf("%s: %s %q %v, want %s %q", step, p.Status, signatures(p), err, want, wantSignatures)
				}
				if d := w.balance(t, "acc-debtor"); d != "100000/0 entries/0 transactions" {
					t.Fatalf("%s: debtor %s", step, d)
				}
			}

			for _, c := range []struct {
				name, customer string
				want           error
			}{
				{"a customer who is no signatory", "psu-4", payments.ErrNotSignatory},
				{"the creditor", "psu-2", payments.ErrNotSignatory},
			} {
				if err := svc.CanSign(ctx, in.Payment, c.customer, w.accounts(t, c.customer)); !errors.Is(err, c.want) {
					t.Fatalf("can sign, %s: %v", c.name, err)
				}
				if _, err := svc.Authorise(ctx, id, c.customer, w.accounts(t, c.customer)); !errors.Is(err, c.want) {
					t.Fatalf("%s: %v, want %v", c.name, err, c.want)
				}
				unchanged(c.name, payments.Received, "")
			}

			// The owner's signature: PATC, nothing booked.
			p, err := svc.Authorise(notify.WithAuthorisation(ctx, "auth-1"), id, "psu-1", w.accounts(t, "psu-1"))
			if err != nil || p.Status != payments.PartiallyAuthed || p.Subject != "" || p.DebtorAccountID != "acc-debtor" {
				t.Fatalf("first signature: %+v %v", p, err)
			}
			unchanged("after the first signature", payments.PartiallyAuthed, "psu-1@auth-1 ")
			// The same step again is answered as the first time; the same signatory in
			// another authorisation, or through OAuth2, is refused.
			if again, err := svc.Authorise(notify.WithAuthorisation(ctx, "auth-1"), id, "psu-1", w.accounts(t, "psu-1")); err != nil || again.Status != payments.PartiallyAuthed {
				t.Fatalf("the same step again: %+v %v", again, err)
			}
			for _, actx := range []context.Context{notify.WithAuthorisation(ctx, "auth-2"), ctx} {
				if _, err := svc.Authorise(actx, id, "psu-1", w.accounts(t, "psu-1")); !errors.Is(err, payments.ErrAlreadySigned) {
					t.Fatalf("the same signatory twice: %v", err)
				}
			}
			if err := svc.CanSign(ctx, p, "psu-1", w.accounts(t, "psu-1")); !errors.Is(err, payments.ErrAlreadySigned) {
				t.Fatalf("can sign twice: %v", err)
			}
			if err := svc.CanSign(ctx, p, "psu-3", w.accounts(t, "psu-3")); err != nil {
				t.Fatalf("the co-signer can sign: %v", err)
			}
			unchanged("after the refusals", payments.PartiallyAuthed, "psu-1@auth-1 ")

			// A stale signature (read before the first one) is not stored.
			stale := in.Payment
			stale.Status, stale.Signatures = payments.PartiallyAuthed, []payments.Signature{{CustomerID: "psu-3", At: now}}
			if err := paymentdb.New(nil, "").Sign(ctx, payments.Payment{ID: id}, payments.Received, nil); err == nil {
				t.Fatal("a signature-less Sign was stored")
			}
			store := svc.Store
			if err := store.Sign(ctx, stale, payments.Received, nil); !errors.Is(err, payments.ErrChanged) {
				t.Fatalf("stale status: %v", err)
			}
			if err := store.Sign(ctx, stale, payments.PartiallyAuthed, nil); !errors.Is(err, payments.ErrChanged) {
				t.Fatalf("stale signatures: %v", err)
			}
			unchanged("after the stale writes", payments.PartiallyAuthed, "psu-1@auth-1 ")

			// The co-signer signs in five authorisations at once: one executes it, once.
			var wg sync.WaitGroup
			results := make([]error, 5)
			for i := range results {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, results[i] = svc.Authorise(notify.WithAuthorisation(ctx, fmt.Sprintf("auth-co-%d", i)), id, "psu-3", w.accounts(t, "psu-3"))
				}()
			}
			wg.Wait()
			ok := 0
			for _, err := range results {
				switch {
				case err == nil:
					ok++
				case errors.Is(err, payments.ErrAlreadySigned), code(err) == "409 STATUS_INVALID":
				default:
					t.Fatalf("concurrent signature: %v", err)
				}
			}
			p, err = svc.Get(ctx, tpp, payments.Single, payments.SEPA, id)
			if ok != 1 || err != nil || p.Status != payments.CreditorSettled || p.Subject != "psu-3" || len(p.Signatures) != 2 || p.Signatures[1].CustomerID != "psu-3" {
				t.Fatalf("after the last signature: %d succeeded, %+v %v", ok, p, err)
			}
			if d, c := w.balance(t, "acc-debtor"), w.balance(t, "acc-creditor"); d != "87655/1 entries/1 transactions" || c != "17345/1 entries/1 transactions" {
				t.Fatalf("bank after the execution: %s, %s", d, c)
			}
			if _, err := svc.Authorise(ctx, id, "psu-1", w.accounts(t, "psu-1")); code(err) != "409 STATUS_INVALID" {
				t.Fatalf("a signature after the execution: %v", err)
			}

			// Both signatories at the same moment, the co-signer as likely first as the
			// owner: both signatures count, and the payment is executed once.
			in2, err := svc.Initiate(ctx, tpp, requestID(3), payments.Single, payments.SEPA, body("100.00", creditorIBAN), "", "")
			if err != nil {
				t.Fatal(err)
			}
			errs := make([]error, 2)
			for i, customer := range []string{"psu-1", "psu-3"} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[i] = svc.Authorise(ctx, in2.Payment.ID, customer, w.accounts(t, customer))
				}()
			}
			wg.Wait()
			p, err = svc.Get(ctx, tpp, payments.Single, payments.SEPA, in2.Payment.ID)
			if errs[0] != nil || errs[1] != nil || err != nil || p.Status != payments.CreditorSettled || len(p.Signatures) != 2 {
				t.Fatalf("two signatories at once: %v %v, %+v %v", errs[0], errs[1], p, err)
			}
			if d := w.balance(t, "acc-debtor"); d != "77655/2 entries/2 transactions" {
				t.Fatalf("debtor after the second payment: %s", d)
			}

			// A payment still lacking a signature can be cancelled by its signatory, and is
			// rejected when its authorisation fails.
			for i, end := range []string{"cancel", "reject"} {
				in, err := svc.Initiate(ctx, tpp, requestID(10+i), payments.Single, payments.SEPA, body("5.00", creditorIBAN), "", "")
				if err != nil {
					t.Fatal(err)
				}
				if _, err := svc.Authorise(ctx, in.Payment.ID, "psu-3", w.accounts(t, "psu-3")); err != nil {
					t.Fatal(err)
				}
				var p payments.Payment
				if end == "cancel" {
					if _, err := svc.CancelAuthorised(ctx, in.Payment.ID, "psu-4"); !errors.Is(err, payments.ErrNotTheirs) {
						t.Fatalf("cancellation by an outsider: %v", err)
					}
					p, err = svc.CancelAuthorised(ctx, in.Payment.ID, "psu-3")
				} else {
					err = svc.Reject(ctx, in.Payment.ID)
					p, _ = svc.Find(ctx, in.Payment.ID)
				}
				want := map[string]payments.Status{"cancel": payments.Cancelled, "reject": payments.Rejected}[end]
				if err != nil || p.Status != want {
					t.Fatalf("%s a PATC payment: %s %v", end, p.Status, err)
				}
			}
			if d := w.balance(t, "acc-debtor"); d != "77655/2 entries/2 transactions" {
				t.Fatalf("debtor at the end: %s", d)
			}
		})
	}
}
