package consentscope_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/tpp/consents"
	"github.com/bank/devportal/shared/tpp/consents/consentdb"
	"github.com/bank/devportal/shared/tpp/consents/consentscope"
	"github.com/bank/devportal/shared/tpp/oauth"
	"github.com/bank/devportal/shared/tpp/piis"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
	"github.com/bank/devportal/shared/tpp/sandboxbank/bankstore"
)

// TestCustomerConsents: a customer's consents of both kinds, newest first, with what
// each gives; only they revoke one, once, and a refusal changes nothing.
func TestCustomerConsents(t *testing.T) {
	ctx := context.Background()
	c, db, bank := testenv.SandboxBank(t)
	day, _ := time.Parse(time.DateOnly, bank.Date)
	// Each reading of the clock is a minute later, so the consents are made in order.
	clock := day
	tick := func() time.Time { clock = clock.Add(time.Minute); return clock }
	svc := &consents.Service{Store: consentdb.New(db, c.TPPTable), Now: tick}
	store := bankstore.New(db, c.TPPTable)
	funds := &piis.Service{Store: consentdb.NewPIIS(db, c.TPPTable), Bank: store, Now: tick}
	r := consentscope.Resources{Consents: svc, Funds: funds, Bank: store}
	cust := consentscope.Customer{Consents: svc, Funds: funds}
	current := func(customer sandboxbank.Customer) sandboxbank.Account {
		for _, a := range bank.Accounts {
			if a.CustomerID == customer.ID && a.Kind == sandboxbank.Current {
				return a
			}
		}
		t.Fatalf("%s has no current account", customer.Login)
		return sandboxbank.Account{}
	}
	// The customers are the ones of this test alone: the consent scopes test approves
	// as the first.
	psu, other := bank.Customers[2], bank.Customers[3]
	yes, one := true, 1
	ais := func(customer sandboxbank.Customer) consents.Consent {
		a := current(customer)
		made, err := svc.Create(ctx, consents.Owner{AppID: "bb-app", OrgID: "bb"}, consents.Request{
			Access:             &consents.Access{Accounts: []consents.AccountReference{{IBAN: a.IBAN}}},
			RecurringIndicator: &yes, ValidUntil: consents.LongestValidUntil, FrequencyPerDay: &one, CombinedServiceIndicator: new(bool)}, "", "")
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Approved(ctx, oauth.Resource{Kind: "AIS", ID: made.ID}, customer.ID, nil); err != nil {
			t.Fatal(err)
		}
		return made
	}
	older := ais(psu)
	fc, err := funds.Create(ctx, consents.Owner{AppID: "card-app", OrgID: "card"}, piis.Request{Account: &consents.AccountReference{IBAN: current(psu).IBAN}})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Approved(ctx, oauth.Resource{Kind: "PIIS", ID: fc.ID}, psu.ID, nil); err != nil {
		t.Fatal(err)
	}
	theirs := ais(other)

	list := func(customer sandboxbank.Customer) string {
		held, err := cust.Of(ctx, customer.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, h := range held {
			out = append(out, fmt.Sprintf("%s %s %s/%s %s %q", h.Kind, h.ID, h.OrgID, h.AppID, h.Status, h.ValidUntil))
		}
		return strings.Join(out, "\n")
	}
	want := fmt.Sprintf("PIIS %s card/card-app valid \"\"\nAIS %s bb/bb-app valid %q", fc.ID, older.ID, older.ValidUntil)
	if got := list(psu); got != want {
		t.Fatalf("%s's consents:\n%s\nwant\n%s", psu.Login, got, want)
	}
	if held, _ := cust.Of(ctx, psu.ID, 1); len(held) != 1 || held[0].ID != fc.ID ||
		held[0].Summary != "Let the card issuer check whether account "+current(psu).IBAN+" holds enough money for a payment (yes or no, nothing more)." {
		t.Fatalf("the newest: %+v", held)
	}

	for _, refused := range []struct{ kind, id, by string }{
		{"AIS", theirs.ID, psu.ID}, {"PIIS", fc.ID, other.ID}, {"PIS", older.ID, psu.ID}, {"PIIS", older.ID, psu.ID}, {"AIS", "nothing", psu.ID},
	} {
		if err := cust.Revoke(ctx, refused.kind, refused.id, refused.by); !errors.Is(err, consentscope.ErrNotTheirs) {
			t.Errorf("revoke %s:%s by %s: %v", refused.kind, refused.id, refused.by, err)
		}
	}
	if got := list(psu); got != want {
		t.Fatalf("%s's consents after the refusals:\n%s\nwant\n%s", psu.Login, got, want)
	}
	if got, want := list(other), fmt.Sprintf("AIS %s bb/bb-app valid %q", theirs.ID, theirs.ValidUntil); got != want {
		t.Fatalf("%s's consents after the refusals:\n%s\nwant\n%s", other.Login, got, want)
	}

	if err := cust.Revoke(ctx, "AIS", older.ID, psu.ID); err != nil {
		t.Fatal(err)
	}
	if err := cust.Revoke(ctx, "PIIS", fc.ID, psu.ID); err != nil {
		t.Fatal(err)
	}
	want = fmt.Sprintf("PIIS %s card/card-app revokedByPsu \"\"\nAIS %s bb/bb-app revokedByPsu %q", fc.ID, older.ID, older.ValidUntil)
	if got := list(psu); got != want {
		t.Fatalf("%s's consents after revoking:\n%s\nwant\n%s", psu.Login, got, want)
	}
	if err := cust.Revoke(ctx, "AIS", older.ID, psu.ID); !errors.Is(err, consentscope.ErrNotTheirs) {
		t.Fatalf("revoke again: %v", err)
	}
}
