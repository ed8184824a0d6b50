package consentscope_test

import (
	"context"
	"errors"
	"testing"

	"github.com/bank/devportal/shared/tpp/consents/consentscope"
	"github.com/bank/devportal/shared/tpp/oauth"
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
