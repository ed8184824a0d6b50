package baskets_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/bank/devportal/shared/tpp/baskets"
	"github.com/bank/devportal/shared/tpp/bgerror"
	"github.com/bank/devportal/shared/tpp/sca"
)

// store keeps baskets, locks and replay records in memory, as the contract (basketdb)
// does.
type store struct {
	baskets map[string]baskets.Basket
	locks   map[baskets.Member]string
	replays map[string]baskets.Replay
}

func (s *store) Create(_ context.Context, b baskets.Basket, r baskets.Replay) error {
	if _, ok := s.replays[b.AppID+"#"+b.RequestID]; ok {
		return baskets.ErrRequestIDTaken
	}
	for _, m := range b.Members() {
		if _, ok := s.locks[m]; ok {
			return baskets.ErrMemberTaken
		}
	}
	for _, m := range b.Members() {
		s.locks[m] = b.ID
	}
	s.baskets[b.ID] = b
	s.replays[b.AppID+"#"+b.RequestID] = r
	return nil
}

func (s *store) Replay(_ context.Context, appID, requestID string) (baskets.Replay, error) {
	r, ok := s.replays[appID+"#"+requestID]
	if !ok {
		return r, baskets.ErrNotFound
	}
	return r, nil
}

func (s *store) Get(_ context.Context, id string) (baskets.Basket, error) {
	b, ok := s.baskets[id]
	if !ok {
		return b, baskets.ErrNotFound
	}
	return b, nil
}

func (s *store) Holder(_ context.Context, m baskets.Member) (string, error) {
	id, ok := s.locks[m]
	if !ok {
		return "", baskets.ErrNotFound
	}
	return id, nil
}

func (s *store) Authorise(ctx context.Context, b baskets.Basket, _ baskets.Approvals) error {
	return s.Replace(ctx, b, baskets.Received)
}

// authorisations are the members' own authorisations by resource ID.
type authorisations map[string][]sca.Authorisation

func (a authorisations) List(_ context.Context, _ sca.Kind, id string) ([]sca.Authorisation, error) {
	return a[id], nil
}

func (s *store) Replace(_ context.Context, b baskets.Basket, from baskets.Status) error {
	if s.baskets[b.ID].Status != from {
		return baskets.ErrChanged
	}
	if !b.Status.Open() {
		for _, m := range b.Members() {
			delete(s.locks, m)
		}
	}
	s.baskets[b.ID] = b
	return nil
}

// finder is resources of one kind by ID.
type finder map[string]sca.Resource

func (f finder) Find(_ context.Context, id string) (sca.Resource, error) {
	r, ok := f[id]
	if !ok {
		return r, sca.ErrNotFound
	}
	return r, nil
}

func code(err error) string {
	var e *bgerror.Error
	if errors.As(err, &e) {
		return fmt.Sprintf("%d %s", e.Status, e.Error())
	}
	return fmt.Sprint(err)
}

var (
	app   = baskets.Owner{AppID: "app-1", OrgID: "org-1", Environment: "sandbox"}
	other = baskets.Owner{AppID: "app-2", OrgID: "org-2", Environment: "sandbox"}
)

func newService() (*baskets.Service, *store) {
	st := &store{baskets: map[string]baskets.Basket{}, locks: map[baskets.Member]string{}, replays: map[string]baskets.Replay{}}
	waiting := func(id, app, status string, waits bool) sca.Resource {
		return sca.Resource{ID: id, AppID: app, Status: status, Waiting: waits}
	}
	return &baskets.Service{Store: st, Now: func() time.Time { return time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC) },
		Payments: finder{"p-1": waiting("p-1", "app-1", "RCVD", true), "p-2": waiting("p-2", "app-1", "RCVD", true),
			"p-acc": waiting("p-acc", "app-1", "ACCC", false), "p-other": waiting("p-other", "app-2", "RCVD", true)},
		Consents: finder{"c-1": waiting("c-1", "app-1", "received", true), "c-valid": waiting("c-valid", "app-1", "valid", false)},
		Funds: finder{"f-1": waiting("f-1", "app-1", "received", true), "f-valid": waiting("f-valid", "app-1", "valid", false),
			"f-other": waiting("f-other", "app-2", "received", true)},
	}, st
}

// TestCreate: the body and members a basket takes, and the exact refusal of every other,
// which stores nothing.
func TestCreate(t *testing.T) {
	for _, c := range []struct {
		name, contentType, body string
		want                    string
	}{
		{"payments and a consent", "application/json", `{"paymentIds":["p-1","p-2"],"consentIds":["c-1"]}`, ""},
		{"a consent", "application/json", `{"consentIds":["c-1"]}`, ""},
		{"a funds consent", "application/json", `{"paymentIds":["p-1"],"consentIds":["f-1","c-1"]}`, ""},
		{"another app's funds consent", "application/json", `{"consentIds":["c-1","f-other"]}`, "400 RESOURCE_UNKNOWN: consentIds[1]: the app has no consent with this ID."},
		{"valid funds consent", "application/json", `{"consentIds":["f-valid"]}`, "409 REFERENCE_STATUS_INVALID: consentIds[0]: the consent is valid; a signing basket takes only those that wait for their customer's authorisation."},
		{"not JSON", "text/plain", `{"paymentIds":["p-1"]}`, "415 FORMAT_ERROR: Send the basket as application/json."},
		{"empty", "application/json", `{}`, "400 FORMAT_ERROR body: Name at least one payment (paymentIds) or consent (consentIds)."},
		{"two objects", "application/json", `{"paymentIds":["p-1"]}{}`, "400 FORMAT_ERROR body: Send one JSON object with paymentIds and consentIds, each a list of IDs."},
		{"empty list", "application/json", `{"paymentIds":["p-1"],"consentIds":[]}`, "400 FORMAT_ERROR consentIds: Name at least one ID, or leave the list out."},
		{"twice", "application/json", `{"paymentIds":["p-1","p-1"]}`, "400 FORMAT_ERROR paymentIds[1]: The ID is named twice."},
		{"empty ID", "application/json", `{"paymentIds":[""]}`, "400 FORMAT_ERROR paymentIds[0]: Send an ID."},
		{"unknown", "application/json", `{"paymentIds":["p-1","nothing"]}`, "400 RESOURCE_UNKNOWN: paymentIds[1]: the app has no payment with this ID."},
		{"another app's", "application/json", `{"paymentIds":["p-other"]}`, "400 RESOURCE_UNKNOWN: paymentIds[0]: the app has no payment with this ID."},
		{"executed", "application/json", `{"paymentIds":["p-acc"]}`, "409 REFERENCE_STATUS_INVALID: paymentIds[0]: the payment is ACCC; a signing basket takes only those that wait for their customer's authorisation."},
		{"valid consent", "application/json", `{"consentIds":["c-valid"]}`, "409 REFERENCE_STATUS_INVALID: consentIds[0]: the consent is valid; a signing basket takes only those that wait for their customer's authorisation."},
	} {
		t.Run(c.name, func(t *testing.T) {
			svc, st := newService()
			created, err := svc.Create(context.Background(), app, "req-1", c.contentType, []byte(c.body), "https://tpp.example/ok", "")
			b := created.Basket
			if c.want != "" {
				if code(err) != c.want || len(st.baskets) != 0 || len(st.locks) != 0 || len(st.replays) != 0 {
					t.Errorf("%s, %d baskets stored; want %s", code(err), len(st.baskets), c.want)
				}
				return
			}
			if err != nil || created.Replay || created.Status != baskets.Received || b.Status != baskets.Received || b.AppID != "app-1" || b.RequestID != "req-1" || b.RedirectURI != "https://tpp.example/ok" || st.baskets[b.ID].ID != b.ID {
				t.Errorf("%+v %v", b, err)
			}
		})
	}
}

// TestLifecycle: a member is in one open basket; a basket is deleted (cancelled, and
// read as CANC after) or authorised only while received, by its app; deletion and rejection free the
// members.
func TestLifecycle(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService()
	body := []byte(`{"paymentIds":["p-1"],"consentIds":["c-1"]}`)
	c1, err := svc.Create(ctx, app, "r-1", "application/json", body, "", "")
	b1 := c1.Basket
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Create(ctx, app, "r-2", "application/json", []byte(`{"paymentIds":["p-2","p-1"]}`), "", ""); code(err) != "409 REFERENCE_STATUS_INVALID: A payment or consent of the basket is already in another signing basket: delete that one first." {
		t.Errorf("a member twice: %s", code(err))
	}
	for _, c := range []struct {
		name string
		do   func() error
		want string
	}{
		{"get of another app", func() error { _, err := svc.Get(ctx, other, b1.ID); return err }, "404 RESOURCE_UNKNOWN: The app has no signing basket with this ID."},
		{"delete of another app", func() error { return svc.Delete(ctx, other, b1.ID) }, "404 RESOURCE_UNKNOWN: The app has no signing basket with this ID."},
		{"delete", func() error { return svc.Delete(ctx, app, b1.ID) }, "<nil>"},
		{"get deleted", func() error {
			b, err := svc.Get(ctx, app, b1.ID)
			if err == nil && b.Status != baskets.Cancelled {
				return fmt.Errorf("status %s", b.Status)
			}
			return err
		}, "<nil>"},
		{"get deleted of another app", func() error { _, err := svc.Get(ctx, other, b1.ID); return err }, "404 RESOURCE_UNKNOWN: The app has no signing basket with this ID."},
		{"delete deleted", func() error { return svc.Delete(ctx, app, b1.ID) }, "409 STATUS_INVALID: The signing basket is CANC: it can no longer be changed."},
		{"accept deleted", func() error { return svc.Accept(ctx, b1.ID, "psu-1", baskets.Approvals{}) }, "409 STATUS_INVALID: The signing basket is CANC: it can no longer be changed."},
	} {
		if got := code(c.do()); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
	c2, err := svc.Create(ctx, app, "r-3", "application/json", body, "", "")
	b2 := c2.Basket
	if err != nil {
		t.Fatalf("the deleted basket's members: %v", err)
	}
	if err := svc.Accept(ctx, b2.ID, "psu-1", baskets.Approvals{}); err != nil {
		t.Fatal(err)
	}
	got, _ := svc.Get(ctx, app, b2.ID)
	if got.Status != baskets.Accepted || got.Subject != "psu-1" || !slices.Equal(got.PaymentIDs, []string{"p-1"}) {
		t.Errorf("accepted: %+v", got)
	}
	for name, err := range map[string]error{"delete": svc.Delete(ctx, app, b2.ID), "reject": svc.Reject(ctx, b2.ID)} {
		if code(err) != "409 STATUS_INVALID: The signing basket is ACTC: it can no longer be changed." {
			t.Errorf("%s of an authorised basket: %s", name, code(err))
		}
	}
	c3, err := svc.Create(ctx, app, "r-4", "application/json", []byte(`{"paymentIds":["p-2"]}`), "", "")
	b3 := c3.Basket
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Reject(ctx, b3.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Create(ctx, app, "r-5", "application/json", []byte(`{"paymentIds":["p-2"]}`), "", ""); err != nil {
		t.Errorf("the rejected basket's member: %v", err)
	}
}

// TestReplay: the same X-Request-ID with the same members is answered with the first
// basket and status, even once a member no longer waits; with other members, or a body
// that only differs in spacing and key order, as the rule says; another app's
// X-Request-ID is its own.
func TestReplay(t *testing.T) {
	ctx := context.Background()
	svc, st := newService()
	first, err := svc.Create(ctx, app, "req-1", "application/json", []byte(`{"paymentIds":["p-1"],"consentIds":["c-1"]}`), "https://tpp.example/ok", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, requestID, body string
		owner                 baskets.Owner
		want                  string
	}{
		{"the same request", "req-1", `{"paymentIds":["p-1"],"consentIds":["c-1"]}`, app, "replay"},
		{"other spacing and key order", "req-1", ` { "consentIds" : ["c-1"], "paymentIds": ["p-1"] }`, app, "replay"},
		{"other members", "req-1", `{"paymentIds":["p-2"]}`, app,
			"400 FORMAT_ERROR X-Request-ID: Your app already sent this X-Request-ID with another request: send a new X-Request-ID for a new signing basket."},
		{"one member more", "req-1", `{"consentIds":["c-1"],"paymentIds":["p-1","p-2"]}`, app,
			"400 FORMAT_ERROR X-Request-ID: Your app already sent this X-Request-ID with another request: send a new X-Request-ID for a new signing basket."},
		{"another app's X-Request-ID", "req-1", `{"paymentIds":["p-other"]}`, other, "new"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := svc.Create(ctx, c.owner, c.requestID, "application/json", []byte(c.body), "", "")
			switch c.want {
			case "replay":
				if err != nil || !got.Replay || got.Basket.ID != first.Basket.ID || got.Status != baskets.Received || got.Basket.RedirectURI != "https://tpp.example/ok" {
					t.Errorf("%+v %v, want the first basket %s", got, err, first.Basket.ID)
				}
			case "new":
				if err != nil || got.Replay || got.Basket.ID == first.Basket.ID {
					t.Errorf("%+v %v, want a new basket", got, err)
				}
			default:
				if code(err) != c.want {
					t.Errorf("%s, want %s", code(err), c.want)
				}
			}
		})
	}
	if len(st.baskets) != 2 {
		t.Errorf("%d baskets stored, want 2", len(st.baskets))
	}
	// Authorised, its members wait no more: the repeated request still gets the first
	// answer, with the status it gave then.
	if err := svc.Accept(ctx, first.Basket.ID, "psu-1", baskets.Approvals{}); err != nil {
		t.Fatal(err)
	}
	svc.Payments.(finder)["p-1"] = sca.Resource{ID: "p-1", AppID: "app-1", Status: "ACSC"}
	got, err := svc.Create(ctx, app, "req-1", "application/json", []byte(`{"paymentIds":["p-1"],"consentIds":["c-1"]}`), "", "")
	if err != nil || !got.Replay || got.Basket.ID != first.Basket.ID || got.Status != baskets.Received || got.Basket.Status != baskets.Accepted {
		t.Errorf("after authorisation: %+v %v", got, err)
	}
	if _, err := svc.Create(ctx, app, "req-2", "application/json", []byte(`{"paymentIds":["p-1"]}`), "", ""); code(err) !=
		"409 REFERENCE_STATUS_INVALID: paymentIds[0]: the payment is ACSC; a signing basket takes only those that wait for their customer's authorisation." {
		t.Errorf("a new X-Request-ID: %s", code(err))
	}
}

// TestFundsMembers: a confirmation-of-funds consent among the consentIds is kept as one,
// listed in the TPP's order with the others, and locked as a member of its own kind; a
// service without funds consents takes none.
func TestFundsMembers(t *testing.T) {
	ctx := context.Background()
	svc, st := newService()
	created, err := svc.Create(ctx, app, "req-f", "application/json", []byte(`{"paymentIds":["p-1"],"consentIds":["f-1","c-1"]}`), "", "")
	if err != nil {
		t.Fatal(err)
	}
	b := created.Basket
	want := []baskets.Member{{baskets.PaymentMember, "p-1"}, {baskets.FundsMember, "f-1"}, {baskets.ConsentMember, "c-1"}}
	if !slices.Equal(b.ConsentIDs, []string{"f-1", "c-1"}) || !slices.Equal(b.FundsConsentIDs, []string{"f-1"}) || !slices.Equal(b.Members(), want) {
		t.Errorf("basket %+v, members %v", b, b.Members())
	}
	if st.locks[baskets.Member{Kind: baskets.FundsMember, ID: "f-1"}] != b.ID {
		t.Errorf("locks: %v", st.locks)
	}
	svc.Funds = nil
	if _, err := svc.Create(ctx, app, "req-g", "application/json", []byte(`{"consentIds":["f-1"]}`), "", ""); code(err) != "400 RESOURCE_UNKNOWN: consentIds[0]: the app has no consent with this ID." {
		t.Errorf("without funds consents: %s", code(err))
	}
}

// TestMembersAlone: a member's own authorisation under way keeps it out of a basket (an
// OAuth2 one, a final one or one timed out does not), and Holding names the basket that
// waits for its authorisation and holds a member, and no other.
func TestMembersAlone(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService()
	now := svc.Now()
	auth := func(id string, approach sca.Approach, status sca.Status, expires time.Time) sca.Authorisation {
		return sca.Authorisation{ID: id, Approach: approach, Status: status, ExpiresAt: expires}
	}
	svc.Authorisations = authorisations{
		"p-1": {auth("a-failed", sca.Embedded, sca.Failed, now.Add(time.Minute)), auth("a-embedded", sca.Embedded, sca.PSUAuthenticated, now.Add(time.Minute))},
		"p-2": {auth("a-oauth", sca.OAuth, sca.Received, now.Add(-time.Hour)), auth("a-late", sca.Redirect, sca.Received, now)},
		"f-1": {auth("a-decoupled", sca.Decoupled, sca.Started, now.Add(time.Minute))},
	}
	for _, c := range []struct{ name, body, want string }{
		{"a payment under way", `{"paymentIds":["p-2","p-1"]}`, "409 REFERENCE_STATUS_INVALID: paymentIds[1]: the payment's own authorisation a-embedded is under way; let it finish or fail before putting the payment in a signing basket."},
		{"a funds consent under way", `{"consentIds":["c-1","f-1"]}`, "409 REFERENCE_STATUS_INVALID: consentIds[1]: the consent's own authorisation a-decoupled is under way; let it finish or fail before putting the consent in a signing basket."},
	} {
		if _, err := svc.Create(ctx, app, "r-"+c.name, "application/json", []byte(c.body), "", ""); code(err) != c.want {
			t.Errorf("%s: %s, want %s", c.name, code(err), c.want)
		}
	}
	created, err := svc.Create(ctx, app, "r-1", "application/json", []byte(`{"paymentIds":["p-2"],"consentIds":["c-1"]}`), "", "")
	if err != nil {
		t.Fatalf("an OAuth2 authorisation and one timed out: %v", err)
	}
	b := created.Basket
	holding := func(m baskets.Member) string {
		id, err := svc.Holding(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	for m, want := range map[baskets.Member]string{{Kind: baskets.PaymentMember, ID: "p-2"}: b.ID, {Kind: baskets.ConsentMember, ID: "c-1"}: b.ID,
		{Kind: baskets.PaymentMember, ID: "c-1"}: "", {Kind: baskets.PaymentMember, ID: "p-1"}: ""} {
		if got := holding(m); got != want {
			t.Errorf("holding %v: %q, want %q", m, got, want)
		}
	}
	if err := svc.Accept(ctx, b.ID, "psu-1", baskets.Approvals{}); err != nil {
		t.Fatal(err)
	}
	if got := holding(baskets.Member{Kind: baskets.PaymentMember, ID: "p-2"}); got != "" {
		t.Errorf("holding by an authorised basket: %q", got)
	}
}
