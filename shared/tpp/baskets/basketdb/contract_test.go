package basketdb_test

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/bank/devportal/shared/local/motoserver"
	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/tpp/baskets"
	"github.com/bank/devportal/shared/tpp/baskets/basketdb"
	"github.com/bank/devportal/shared/tpp/sca"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// newStore is the store on a fresh TPP table of the backend at endpoint.
func newStore(t *testing.T, endpoint string) *basketdb.Store {
	t.Helper()
	c := testenv.Config(t, endpoint)
	c.TPPTable = "tpp-" + testenv.Suffix()
	db := dynamodb.NewFromConfig(testenv.AWS(t, c))
	if err := motoserver.CreateTables(context.Background(), db, c); err != nil {
		t.Fatal(err)
	}
	return basketdb.New(db, c.TPPTable)
}

var at = time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)

func basket(id string, payments, consents []string) baskets.Basket {
	return baskets.Basket{ID: id, AppID: "app-1", OrgID: "org-1", Environment: "sandbox", PaymentIDs: payments, ConsentIDs: consents,
		Status: baskets.Received, RequestID: "req-" + id, RedirectURI: "https://tpp.example/ok", CreatedAt: at, ChangedAt: at}
}

// create stores b with the replay record of its X-Request-ID.
func create(st *basketdb.Store, b baskets.Basket) error {
	return st.Create(context.Background(), b, baskets.Replay{BasketID: b.ID, Hash: "hash-" + b.ID, Status: b.Status})
}

// TestStore: a basket is stored once, read back as written, locks each member to it so
// that no other basket takes one (and a refused basket stores nothing), changes only from
// the status read, and releases its members once cancelled or rejected, not once
// authorised.
func TestStore(t *testing.T) {
	ctx := context.Background()
	for _, b := range testenv.Backends {
		t.Run(b.Name, func(t *testing.T) {
			st := newStore(t, b.Endpoint(t))
			b1 := basket("b-1", []string{"p-1", "p-2"}, []string{"c-1"})
			if err := create(st, b1); err != nil {
				t.Fatal(err)
			}
			if got, err := st.Get(ctx, "b-1"); err != nil || !reflect.DeepEqual(got, b1) {
				t.Fatalf("get: %+v %v, want %+v", got, err, b1)
			}
			if err := create(st, b1); !errors.Is(err, baskets.ErrRequestIDTaken) {
				t.Errorf("the same X-Request-ID twice: %v", err)
			}
			if r, err := st.Replay(ctx, "app-1", "req-b-1"); err != nil || r != (baskets.Replay{BasketID: "b-1", Hash: "hash-b-1", Status: baskets.Received}) {
				t.Errorf("replay: %+v %v", r, err)
			}
			for _, c := range []struct{ app, requestID string }{{"app-1", "req-other"}, {"app-2", "req-b-1"}} {
				if _, err := st.Replay(ctx, c.app, c.requestID); !errors.Is(err, baskets.ErrNotFound) {
					t.Errorf("replay of %s %s: %v", c.app, c.requestID, err)
				}
			}
			again := b1
			again.RequestID = "req-again"
			if err := create(st, again); err == nil || errors.Is(err, baskets.ErrMemberTaken) || errors.Is(err, baskets.ErrRequestIDTaken) {
				t.Errorf("the same ID created twice: %v", err)
			}
			// Another basket under a used X-Request-ID stores nothing, not even its locks.
			reused := basket("b-reused", []string{"p-reused"}, nil)
			reused.RequestID = "req-b-1"
			if err := create(st, reused); !errors.Is(err, baskets.ErrRequestIDTaken) {
				t.Errorf("a used X-Request-ID: %v", err)
			}
			if _, err := st.Get(ctx, "b-reused"); !errors.Is(err, baskets.ErrNotFound) {
				t.Errorf("the basket of a used X-Request-ID was stored: %v", err)
			}
			if err := create(st, basket("b-free", []string{"p-reused"}, nil)); err != nil {
				t.Errorf("the member of a refused basket was locked: %v", err)
			}
			otherApp := basket("b-other-app", []string{"p-other-app"}, nil)
			otherApp.AppID, otherApp.RequestID = "app-2", "req-b-1"
			if err := create(st, otherApp); err != nil {
				t.Errorf("another app's X-Request-ID: %v", err)
			}
			// A payment and a consent share no lock, even with the same ID.
			for _, c := range []struct {
				b    baskets.Basket
				want error
			}{
				{basket("b-2", []string{"p-3", "p-2"}, nil), baskets.ErrMemberTaken},
				{basket("b-2", []string{"p-3"}, []string{"c-1"}), baskets.ErrMemberTaken},
				{basket("b-2", []string{"p-3"}, []string{"p-1"}), nil},
			} {
				if err := create(st, c.b); !errors.Is(err, c.want) {
					t.Errorf("create %v %v: %v, want %v", c.b.PaymentIDs, c.b.ConsentIDs, err, c.want)
				}
				if c.want != nil {
					if _, err := st.Get(ctx, c.b.ID); !errors.Is(err, baskets.ErrNotFound) {
						t.Errorf("the refused basket %v was stored: %v", c.b.PaymentIDs, err)
					}
				}
			}
			if _, err := st.Get(ctx, "nothing"); !errors.Is(err, baskets.ErrNotFound) {
				t.Errorf("unknown: %v", err)
			}

			// Authorised (ACTC) from RCVD once: the members stay locked.
			accepted := b1
			accepted.Status, accepted.Subject, accepted.ChangedAt = baskets.Accepted, "psu-1", at.Add(time.Minute)
			if err := st.Replace(ctx, accepted, baskets.Received); err != nil {
				t.Fatal(err)
			}
			if err := st.Replace(ctx, accepted, baskets.Received); !errors.Is(err, baskets.ErrChanged) {
				t.Errorf("replaced twice from RCVD: %v", err)
			}
			if got, _ := st.Get(ctx, "b-1"); !reflect.DeepEqual(got, accepted) {
				t.Errorf("accepted: %+v", got)
			}
			if err := create(st, basket("b-3", []string{"p-1"}, nil)); !errors.Is(err, baskets.ErrMemberTaken) {
				t.Errorf("a member of an authorised basket taken again: %v", err)
			}
			// A payment and a consent with the same ID have their own holders.
			if holder, err := st.Holder(ctx, baskets.Member{Kind: baskets.PaymentMember, ID: "p-1"}); err != nil || holder != "b-1" {
				t.Errorf("the holder of p-1: %q %v", holder, err)
			}
			if holder, err := st.Holder(ctx, baskets.Member{Kind: baskets.ConsentMember, ID: "p-1"}); err != nil || holder != "b-2" {
				t.Errorf("the holder of the consent p-1: %q %v", holder, err)
			}

			// Cancelled and rejected baskets release their members.
			for i, to := range []baskets.Status{baskets.Cancelled, baskets.Rejected} {
				id := []string{"b-4", "b-5"}[i]
				b := basket(id, []string{"p-9"}, []string{"c-9"})
				if err := create(st, b); err != nil {
					t.Fatalf("%s: %v", to, err)
				}
				ended := b
				ended.Status = to
				if err := st.Replace(ctx, ended, baskets.Accepted); !errors.Is(err, baskets.ErrChanged) {
					t.Errorf("%s from the wrong status: %v", to, err)
				}
				if err := create(st, basket("b-x", []string{"p-9"}, nil)); !errors.Is(err, baskets.ErrMemberTaken) {
					t.Errorf("%s: a member taken before the basket ended: %v", to, err)
				}
				if holder, err := st.Holder(ctx, baskets.Member{Kind: baskets.ConsentMember, ID: "c-9"}); err != nil || holder != id {
					t.Errorf("%s: the holder before the basket ended: %q %v", to, holder, err)
				}
				if err := st.Replace(ctx, ended, baskets.Received); err != nil {
					t.Fatalf("%s: %v", to, err)
				}
				if holder, err := st.Holder(ctx, baskets.Member{Kind: baskets.ConsentMember, ID: "c-9"}); !errors.Is(err, baskets.ErrNotFound) {
					t.Errorf("%s: the holder after the basket ended: %q %v", to, holder, err)
				}
				if got, _ := st.Get(ctx, id); got.Status != to {
					t.Errorf("%s: stored %s", to, got.Status)
				}
			}
			if err := create(st, basket("b-6", []string{"p-9"}, []string{"c-9"})); err != nil {
				t.Errorf("the released members: %v", err)
			}
		})
	}
}

// TestConcurrentBaskets: of baskets created at once that share a member, one is stored.
func TestConcurrentBaskets(t *testing.T) {
	ctx := context.Background()
	for _, b := range testenv.Backends {
		t.Run(b.Name, func(t *testing.T) {
			st := newStore(t, b.Endpoint(t))
			const n = 8
			var wg sync.WaitGroup
			errs := make([]error, n)
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[i] = create(st, basket("b-"+string(rune('a'+i)), []string{"p-" + string(rune('a'+i)), "p-shared"}, nil))
				}()
			}
			wg.Wait()
			stored := 0
			for i, err := range errs {
				if err == nil {
					stored++
				} else if _, gerr := st.Get(ctx, "b-"+string(rune('a'+i))); !errors.Is(gerr, baskets.ErrNotFound) {
					t.Errorf("refused basket %d stored: %v", i, gerr)
				}
			}
			if stored != 1 {
				t.Errorf("%d baskets stored, want 1: %v", stored, errs)
			}
		})
	}
}

// waiting finds every ID as a waiting resource of app-1.
type waiting struct{}

func (waiting) Find(_ context.Context, id string) (sca.Resource, error) {
	return sca.Resource{ID: id, AppID: "app-1", Status: "RCVD", Waiting: true}, nil
}

// TestConcurrentDuplicates: one creation sent many times at once, under one X-Request-ID,
// makes one basket, and every answer is that basket.
func TestConcurrentDuplicates(t *testing.T) {
	ctx := context.Background()
	for _, b := range testenv.Backends {
		t.Run(b.Name, func(t *testing.T) {
			svc := &baskets.Service{Store: newStore(t, b.Endpoint(t)), Payments: waiting{}, Consents: waiting{}}
			o := baskets.Owner{AppID: "app-1", OrgID: "org-1", Environment: "sandbox"}
			body := []byte(`{"paymentIds":["p-1","p-2"],"consentIds":["c-1"]}`)
			const n = 20
			var wg sync.WaitGroup
			answers := make([]baskets.Created, n)
			errs := make([]error, n)
			for i := range n {
				wg.Go(func() {
					answers[i], errs[i] = svc.Create(ctx, o, "req-dup", "application/json", body, "", "")
				})
			}
			wg.Wait()
			fresh := 0
			for i := range n {
				if errs[i] != nil || answers[i].Basket.ID != answers[0].Basket.ID || answers[i].Status != baskets.Received {
					t.Fatalf("creation %d: %+v %v (first %q)", i, answers[i], errs[i], answers[0].Basket.ID)
				}
				if !answers[i].Replay {
					fresh++
				}
			}
			if fresh != 1 {
				t.Errorf("%d creations made a basket, want 1", fresh)
			}
			if _, err := svc.Create(ctx, o, "req-dup", "application/json", []byte(`{"paymentIds":["p-3"]}`), "", ""); err != baskets.ErrRequestIDReused {
				t.Errorf("another body: %v", err)
			}
			if _, err := svc.Create(ctx, o, "req-new", "application/json", []byte(`{"paymentIds":["p-3","p-2"]}`), "", ""); err == nil {
				t.Error("a member of the basket was taken again")
			}
		})
	}
}
