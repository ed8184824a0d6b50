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
			if err := st.Create(ctx, b1); err != nil {
				t.Fatal(err)
			}
			if got, err := st.Get(ctx, "b-1"); err != nil || !reflect.DeepEqual(got, b1) {
				t.Fatalf("get: %+v %v, want %+v", got, err, b1)
			}
			if err := st.Create(ctx, b1); err == nil || errors.Is(err, baskets.ErrMemberTaken) {
				t.Errorf("the same ID created twice: %v", err)
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
				if err := st.Create(ctx, c.b); !errors.Is(err, c.want) {
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
			if err := st.Create(ctx, basket("b-3", []string{"p-1"}, nil)); !errors.Is(err, baskets.ErrMemberTaken) {
				t.Errorf("a member of an authorised basket taken again: %v", err)
			}

			// Cancelled and rejected baskets release their members.
			for i, to := range []baskets.Status{baskets.Cancelled, baskets.Rejected} {
				id := []string{"b-4", "b-5"}[i]
				b := basket(id, []string{"p-9"}, []string{"c-9"})
				if err := st.Create(ctx, b); err != nil {
					t.Fatalf("%s: %v", to, err)
				}
				ended := b
				ended.Status = to
				if err := st.Replace(ctx, ended, baskets.Accepted); !errors.Is(err, baskets.ErrChanged) {
					t.Errorf("%s from the wrong status: %v", to, err)
				}
				if err := st.Create(ctx, basket("b-x", []string{"p-9"}, nil)); !errors.Is(err, baskets.ErrMemberTaken) {
					t.Errorf("%s: a member taken before the basket ended: %v", to, err)
				}
				if err := st.Replace(ctx, ended, baskets.Received); err != nil {
					t.Fatalf("%s: %v", to, err)
				}
				if got, _ := st.Get(ctx, id); got.Status != to {
					t.Errorf("%s: stored %s", to, got.Status)
				}
			}
			if err := st.Create(ctx, basket("b-6", []string{"p-9"}, []string{"c-9"})); err != nil {
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
					errs[i] = st.Create(ctx, basket("b-"+string(rune('a'+i)), []string{"p-" + string(rune('a'+i)), "p-shared"}, nil))
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
