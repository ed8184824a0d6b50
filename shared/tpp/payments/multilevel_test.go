package payments_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bank/devportal/shared/platform/notifylog"
	"github.com/bank/devportal/shared/tpp/notify"
	"github.com/bank/devportal/shared/tpp/payments"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
)

// memStore keeps payments in memory with the conditions of the Store contract (the
// paymentdb contract suite holds DynamoDB to the same); changed makes the next Sign lose
// to another change, overdraft refuses the next Sign that books.
type memStore struct {
	payments map[string]payments.Payment
	accounts map[string]sandboxbank.Account // by IBAN
	booked   []string
	// notified are the notifications stored with the changes, as "status/scaStatus".
	notified  []string
	changed   bool
	overdraft bool
}

func (m *memStore) Create(_ context.Context, p payments.Payment, _ payments.Replay) error {
	m.payments[p.ID] = p
	return nil
}

func (m *memStore) Replay(context.Context, string, string) (payments.Replay, error) {
	return payments.Replay{}, payments.ErrNotFound
}

func (m *memStore) Get(_ context.Context, id string) (payments.Payment, error) {
	p, ok := m.payments[id]
	if !ok {
		return p, payments.ErrNotFound
	}
	p.Signatures = slices.Clone(p.Signatures)
	return p, nil
}

func (m *memStore) Replace(_ context.Context, p payments.Payment, from payments.Status, notes ...notifylog.Delivery) error {
	if m.payments[p.ID].Status != from {
		return payments.ErrChanged
	}
	m.payments[p.ID] = p
	m.note(notes)
	return nil
}

func (m *memStore) note(notes []notifylog.Delivery) {
	for _, n := range notes {
		m.notified = append(m.notified, n.Status)
	}
}

func (m *memStore) Execute(ctx context.Context, p payments.Payment, from payments.Status, bookings []sandboxbank.Booking, notes ...notifylog.Delivery) error {
	if err := m.Replace(ctx, p, from, notes...); err != nil {
		return err
	}
	m.book(bookings)
	return nil
}

func (m *memStore) book(bookings []sandboxbank.Booking) {
	for _, b := range bookings {
		m.booked = append(m.booked, fmt.Sprintf("%s %d", b.AccountID, b.Amount.Minor))
	}
}

func (m *memStore) BankAccount(_ context.Context, iban, currency string) (string, error) {
	a, ok := m.accounts[iban]
	if !ok || a.Currency != currency {
		return "", payments.ErrNotFound
	}
	return a.ResourceID, nil
}

func (m *memStore) Account(_ context.Context, iban, currency string) (sandboxbank.Account, error) {
	a, ok := m.accounts[iban]
	if !ok || a.Currency != currency {
		return a, payments.ErrNotFound
	}
	return a, nil
}

func (m *memStore) Sign(_ context.Context, p payments.Payment, from payments.Status, bookings []sandboxbank.Booking, notes ...notifylog.Delivery) error {
	stored := m.payments[p.ID]
	if m.changed || stored.Status != from || len(stored.Signatures) != len(p.Signatures)-1 {
		m.changed = false
		return payments.ErrChanged
	}
	if len(bookings) > 0 && m.overdraft {
		return sandboxbank.ErrOverdraft
	}
	m.payments[p.ID] = p
	m.book(bookings)
	m.note(notes)
	return nil
}

func (m *memStore) Standing(context.Context) ([]payments.Payment, error) { return nil, nil }

func (m *memStore) ExecuteInstalment(context.Context, payments.Payment, payments.Status, string, []sandboxbank.Booking, ...notifylog.Delivery) error {
	return errors.New("not here")
}

// bankIBAN is the IBAN of the sandbox bank's account number n.
func bankIBAN(n int) string {
	iban, err := sandboxbank.NewIBAN("BE", sandboxbank.BelgianBBAN(sandboxbank.BankCode, n))
	if err != nil {
		panic(err)
	}
	return iban
}

// changes builds each status change's notification as one whose status reads
// "status/scaStatus"; the store keeps those of the changes it stored.
type changes struct{}

func (changes) Deliveries(_ context.Context, ch notify.Change) []notifylog.Delivery {
	return []notifylog.Delivery{{Status: ch.Status + "/" + ch.SCAStatus}}
}

// TestMultiLevelRules: the signatures a payment from a two-signatory account takes, step by
// step (customer → outcome), with the payment's status, its signatures, what was booked and
// what was notified after the last step.
func TestMultiLevelRules(t *testing.T) {
	now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	debtor := sandboxbank.Account{ResourceID: "acc-debtor", CustomerID: "psu-1", Kind: sandboxbank.Current, IBAN: bankIBAN(1), Currency: "EUR",
		Signatories: []string{"psu-1", "psu-3"}, RequiredSignatures: 2}
	creditor := sandboxbank.Account{ResourceID: "acc-creditor", CustomerID: "psu-2", Kind: sandboxbank.Current, IBAN: bankIBAN(2), Currency: "EUR"}
	cosigner := sandboxbank.Account{ResourceID: "acc-cosigner", CustomerID: "psu-3", Kind: sandboxbank.Current, IBAN: bankIBAN(3), Currency: "EUR"}
	theirs := map[string][]sandboxbank.Account{"psu-1": {debtor}, "psu-2": {creditor}, "psu-3": {cosigner}, "psu-4": nil}
	type step struct {
		customer, authorisation string
		want                    error
	}
	for _, c := range []struct {
		name, amount, date  string
		overdraft, conflict bool
		steps               []step
		status              payments.Status
		signatures, booked  string
		notified            string
	}{
		{name: "the owner, then the co-signer", steps: []step{{"psu-1", "a1", nil}, {"psu-3", "a2", nil}},
			status: payments.CreditorSettled, signatures: "psu-1@a1 psu-3@a2", booked: "acc-debtor -1200 acc-creditor 1200", notified: "PATC/finalised ACCC/finalised"},
		{name: "the co-signer first, through OAuth2", steps: []step{{"psu-3", "", nil}, {"psu-1", "a2", nil}},
			status: payments.CreditorSettled, signatures: "psu-3@ psu-1@a2", booked: "acc-debtor -1200 acc-creditor 1200", notified: "PATC/finalised ACCC/finalised"},
		{name: "the same signatory twice", steps: []step{{"psu-1", "a1", nil}, {"psu-1", "a2", payments.ErrAlreadySigned}, {"psu-1", "", payments.ErrAlreadySigned}},
			status: payments.PartiallyAuthed, signatures: "psu-1@a1", notified: "PATC/finalised"},
		{name: "the same step again", steps: []step{{"psu-1", "a1", nil}, {"psu-1", "a1", nil}},
			status: payments.PartiallyAuthed, signatures: "psu-1@a1", notified: "PATC/finalised"},
		{name: "the creditor and a customer without accounts", steps: []step{{"psu-2", "a1", payments.ErrNotSignatory}, {"psu-4", "", payments.ErrNotSignatory}},
			status: payments.Received},
		{name: "a later day: accepted, nothing booked", date: "2026-12-24", steps: []step{{"psu-1", "a1", nil}, {"psu-3", "a2", nil}},
			status: payments.Accepted, signatures: "psu-1@a1 psu-3@a2", notified: "PATC/finalised ACTC/finalised"},
		{name: "a debit beyond the limit: rejected, nothing booked", overdraft: true, steps: []step{{"psu-3", "a1", nil}, {"psu-1", "a2", nil}},
			status: payments.Rejected, signatures: "psu-3@a1 psu-1@a2", notified: "PATC/finalised RJCT/finalised"},
		{name: "another change first: signed on the payment read again", conflict: true, steps: []step{{"psu-1", "a1", nil}},
			status: payments.PartiallyAuthed, signatures: "psu-1@a1", notified: "PATC/finalised"},
		{name: "a documented rejection (13.13)", amount: "13.13", steps: []step{{"psu-1", "a1", nil}, {"psu-3", "a2", nil}},
			status: payments.Rejected, signatures: "psu-1@a1 psu-3@a2", notified: "PATC/finalised RJCT/finalised"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			store := &memStore{payments: map[string]payments.Payment{}, accounts: map[string]sandboxbank.Account{debtor.IBAN: debtor, creditor.IBAN: creditor, cosigner.IBAN: cosigner},
				overdraft: c.overdraft, changed: c.conflict}
			svc := &payments.Service{Store: store, Now: func() time.Time { return now }, Notify: changes{}}
			amount := c.amount
			if amount == "" {
				amount = "12.00"
			}
			date := ""
			if c.date != "" {
				date = `,"requestedExecutionDate":"` + c.date + `"`
			}
			body := `{"debtorAccount":{"iban":"` + debtor.IBAN + `"},"instructedAmount":{"currency":"EUR","amount":"` + amount + `"},"creditorAccount":{"iban":"` +
				creditor.IBAN + `"},"creditorName":"Creditor"` + date + `}`
			in, err := svc.InitiateNotified(ctx, payments.Owner{AppID: "app"}, "req-1", payments.Single, payments.SEPA, []byte(body), "", "",
				&notify.Subscription{URI: "https://tpp.example/n"})
			if err != nil || in.Payment.RequiredSignatures != 2 {
				t.Fatalf("initiate: %+v %v", in, err)
			}
			for i, s := range c.steps {
				sctx := ctx
				if s.authorisation != "" {
					sctx = notify.WithAuthorisation(ctx, s.authorisation)
				}
				if _, err := svc.Authorise(sctx, in.Payment.ID, s.customer, theirs[s.customer]); !errors.Is(err, s.want) {
					t.Fatalf("step %d, %s: %v, want %v", i, s.customer, err, s.want)
				}
			}
			p, _ := svc.Find(ctx, in.Payment.ID)
			var sigs []string
			for _, s := range p.Signatures {
				sigs = append(sigs, s.CustomerID+"@"+s.AuthorisationID)
			}
			got := fmt.Sprintf("%s [%s] [%s] [%s]", p.Status, strings.Join(sigs, " "), strings.Join(store.booked, " "), strings.Join(store.notified, " "))
			want := fmt.Sprintf("%s [%s] [%s] [%s]", c.status, c.signatures, c.booked, c.notified)
			if got != want {
				t.Fatalf("got  %s\nwant %s", got, want)
			}
		})
	}
}
