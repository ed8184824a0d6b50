package consentscope_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/tpp/baskets"
	"github.com/bank/devportal/shared/tpp/consents/consentscope"
	"github.com/bank/devportal/shared/tpp/oauth"
	"github.com/bank/devportal/shared/tpp/payments"
	"github.com/bank/devportal/shared/tpp/payments/paymentdb"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
	"github.com/bank/devportal/shared/tpp/sandboxbank/bankstore"
	"github.com/bank/devportal/shared/tpp/sca"
)

// basketTarget is signing baskets by ID, deciding as scatarget.Baskets does: a basket
// named in refuse is not the customer's to authorise (it is rejected).
type basketTarget struct {
	baskets map[string]sca.Resource
	refuse  map[string]bool
	failed  []string
}

func (b *basketTarget) Find(_ context.Context, id string) (sca.Resource, error) {
	r, ok := b.baskets[id]
	if !ok {
		return r, sca.ErrNotFound
	}
	return r, nil
}

func (b *basketTarget) Authorise(_ context.Context, id, customer string) error {
	r := b.baskets[id]
	switch {
	case !r.Waiting:
		return sca.ErrDecided
	case b.refuse[id]:
		r.Waiting, r.Status = false, "RJCT"
		b.baskets[id] = r
		return sca.ErrNotGrantable
	}
	r.Waiting, r.Approved, r.Subject, r.Status = false, true, customer, "ACTC"
	b.baskets[id] = r
	return nil
}

func (b *basketTarget) Fail(_ context.Context, id string) error {
	r := b.baskets[id]
	if !r.Waiting {
		return sca.ErrDecided
	}
	r.Waiting, r.Status = false, "RJCT"
	b.baskets[id] = r
	b.failed = append(b.failed, id)
	return nil
}

// TestBasketScopes: SBS:<basketId> names a signing basket while it waits for its
// customer; the approval authorises it through its target, one the customer cannot
// authorise as a whole (or decided meanwhile) is ErrCannotGrant, a refusal fails it, and
// without baskets the scope names nothing.
func TestBasketScopes(t *testing.T) {
	ctx := context.Background()
	waiting := func(id string) sca.Resource {
		return sca.Resource{ID: id, AppID: "app-1", Status: "RCVD", Waiting: true, Summary: "Sign 1 payment(s) and 0 consent(s) at once: Pay 1.00 EUR."}
	}
	target := &basketTarget{baskets: map[string]sca.Resource{"b-1": waiting("b-1"), "b-2": waiting("b-2"), "b-3": waiting("b-3"),
		"b-done": {ID: "b-done", AppID: "app-1", Status: "ACTC", Approved: true}}, refuse: map[string]bool{"b-2": true}}
	r := consentscope.Resources{Baskets: target}

	res, err := r.Find(ctx, "SBS", "b-1")
	if want := (oauth.Resource{Kind: "SBS", ID: "b-1", AppID: "app-1", Summary: "Sign 1 payment(s) and 0 consent(s) at once: Pay 1.00 EUR."}); err != nil || res != want {
		t.Fatalf("find: %+v %v", res, err)
	}
	for _, id := range []string{"nothing", "b-done"} {
		if _, err := r.Find(ctx, "SBS", id); !errors.Is(err, oauth.ErrUnknownResource) {
			t.Errorf("find %s: %v", id, err)
		}
	}
	if err := r.Approved(ctx, res, "psu-1", nil); err != nil || target.baskets["b-1"].Subject != "psu-1" {
		t.Fatalf("approved: %v %+v", err, target.baskets["b-1"])
	}
	for _, id := range []string{"b-2", "b-1"} {
		if err := r.Approved(ctx, oauth.Resource{Kind: "SBS", ID: id, AppID: "app-1"}, "psu-1", nil); !errors.Is(err, oauth.ErrCannotGrant) {
			t.Errorf("approved %s: %v, want ErrCannotGrant", id, err)
		}
	}
	if err := r.Refused(ctx, oauth.Resource{Kind: "SBS", ID: "b-3"}); err != nil || target.baskets["b-3"].Status != "RJCT" || len(target.failed) != 1 {
		t.Errorf("refused: %v %+v", err, target.baskets["b-3"])
	}
	if err := r.Refused(ctx, oauth.Resource{Kind: "SBS", ID: "b-3"}); err != nil {
		t.Errorf("refused twice: %v", err)
	}
	none := consentscope.Resources{}
	if _, err := none.Find(ctx, "SBS", "b-1"); !errors.Is(err, oauth.ErrUnknownResource) {
		t.Errorf("without baskets: %v", err)
	}
	if err := none.Approved(ctx, res, "psu-1", nil); !errors.Is(err, oauth.ErrUnknownResource) {
		t.Errorf("approved without baskets: %v", err)
	}
}

// holdingTarget is basketTarget that also holds members, as scatarget.Baskets does.
type holdingTarget struct {
	basketTarget
	held map[baskets.Member]string
}

func (h *holdingTarget) Holding(_ context.Context, m baskets.Member) (string, error) {
	return h.held[m], nil
}

// TestMemberScopesInBasket: the scope of a payment that a waiting signing basket holds
// names it for the basket only (oauth.ErrInBasket); approved meanwhile, it grants
// nothing (ErrCannotGrant) and the payment waits with its basket; freed, it is found.
func TestMemberScopesInBasket(t *testing.T) {
	ctx := context.Background()
	c, db, bank := testenv.SandboxBank(t)
	today, _ := time.Parse(time.DateOnly, bank.Date)
	svc := &payments.Service{Store: paymentdb.New(db, c.TPPTable), Now: func() time.Time { return today.Add(12 * time.Hour) }}
	target := &holdingTarget{held: map[baskets.Member]string{}}
	r := consentscope.Resources{Payments: svc, Bank: bankstore.New(db, c.TPPTable), Baskets: target}
	var from, to sandboxbank.Account
	for _, a := range bank.Accounts {
		if a.Kind == sandboxbank.Current && a.Currency == "EUR" && a.ParentID == "" {
			switch a.CustomerID {
			case bank.Customers[0].ID:
				from = a
			case bank.Customers[1].ID:
				to = a
			}
		}
	}
	in, err := svc.Initiate(ctx, payments.Owner{AppID: "bb-app", OrgID: "bb"}, "0b6f2c1e-1d7a-4c8e-9f3a-000000000101", payments.Single, payments.SEPA,
		[]byte(`{"debtorAccount":{"iban":"`+from.IBAN+`"},"instructedAmount":{"currency":"EUR","amount":"1.00"},"creditorAccount":{"iban":"`+to.IBAN+`"},"creditorName":"Payee"}`), "", "")
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.Find(ctx, "PIS", in.Payment.ID)
	if err != nil {
		t.Fatal(err)
	}
	target.held[baskets.Member{Kind: baskets.PaymentMember, ID: in.Payment.ID}] = "b-1"
	if _, err := r.Find(ctx, "PIS", in.Payment.ID); !errors.Is(err, oauth.ErrInBasket) || err.Error() != "oauth: the resource waits in a signing basket: PIS "+in.Payment.ID+" is in the signing basket b-1" {
		t.Errorf("find in a basket: %v", err)
	}
	if err := r.Approved(ctx, res, bank.Customers[0].ID, nil); !errors.Is(err, oauth.ErrCannotGrant) || !errors.Is(err, oauth.ErrInBasket) {
		t.Errorf("approved in a basket: %v", err)
	}
	if p, err := svc.Find(ctx, in.Payment.ID); err != nil || p.Status != payments.Received || p.Subject != "" {
		t.Errorf("the payment after the refused approval: %s %q %v", p.Status, p.Subject, err)
	}
	delete(target.held, baskets.Member{Kind: baskets.PaymentMember, ID: in.Payment.ID})
	if got, err := r.Find(ctx, "PIS", in.Payment.ID); err != nil || got != res {
		t.Errorf("find once freed: %+v %v", got, err)
	}
}
