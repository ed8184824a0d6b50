package notify_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/bank/devportal/shared/platform/notifylog"
	"github.com/bank/devportal/shared/tpp/notify"
)

// memLog keeps enqueued deliveries in memory, once per ID as the log's contract says; the
// notifier calls nothing else.
type memLog struct {
	notifylog.Log
	ids        []string
	deliveries []notifylog.Delivery
}

func (l *memLog) Enqueue(_ context.Context, d notifylog.Delivery) error {
	if slices.Contains(l.ids, d.ID) {
		return notifylog.ErrDuplicate
	}
	l.ids = append(l.ids, d.ID)
	l.deliveries = append(l.deliveries, d)
	return nil
}

// TestSCAStatusPerAuthorisation: a resource's scaStatus notifications are told once per
// authorisation (its ID from the change or from the context), so a second authorisation
// that fails as the first did is told too, while the same change reported again is not;
// the resource's own status is told once whatever the authorisation.
func TestSCAStatusPerAuthorisation(t *testing.T) {
	log := &memLog{}
	n := &notify.Notifier{Log: log, Now: func() time.Time { return time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC) }}
	sub := &notify.Subscription{URI: "https://tpp.example/n", Content: []notify.Content{notify.SCA, notify.PROCESS}}
	change := notify.Change{Subscription: sub, AppID: "app-1", OrgID: "org-1", ResourceType: notify.PaymentResource, ResourceID: "pay-1",
		Href: "/v1/payments/sepa-credit-transfers/pay-1", Attribute: notify.TransactionStatus, Status: "ACTC", SCAStatus: "failed"}
	ctx := context.Background()
	for _, c := range []struct {
		name string
		ctx  context.Context
		auth string
		want int
	}{
		{"the first authorisation", notify.WithAuthorisation(ctx, "auth-1"), "", 2},
		{"the same again", notify.WithAuthorisation(ctx, "auth-1"), "", 2},
		{"the same, named in the change", ctx, "auth-1", 2},
		{"a second authorisation", notify.WithAuthorisation(ctx, "auth-2"), "", 3},
		{"no authorisation (OAuth2)", ctx, "", 4},
		{"no authorisation again", ctx, "", 4},
	} {
		ch := change
		ch.AuthorisationID = c.auth
		if err := n.Changed(c.ctx, ch); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if len(log.deliveries) != c.want {
			t.Fatalf("%s: %d deliveries, want %d", c.name, len(log.deliveries), c.want)
		}
	}
	var process, sca int
	for _, d := range log.deliveries {
		switch d.StatusAttribute {
		case notify.TransactionStatus:
			process++
		case notify.ScaStatus:
			sca++
		}
	}
	if process != 1 || sca != 3 {
		t.Errorf("%d transactionStatus and %d scaStatus notifications, want 1 and 3", process, sca)
	}
	if got := notify.AuthorisationOf(notify.WithAuthorisation(ctx, "auth-9")); got != "auth-9" || notify.AuthorisationOf(ctx) != "" {
		t.Errorf("authorisation of the context: %q", got)
	}
}
