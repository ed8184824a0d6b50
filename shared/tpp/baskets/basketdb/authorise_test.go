package basketdb_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/bank/devportal/shared/local/motoserver"
	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/platform/notifylog"
	"github.com/bank/devportal/shared/platform/notifylog/notifylogdb"
	"github.com/bank/devportal/shared/tpp/baskets"
	"github.com/bank/devportal/shared/tpp/baskets/basketdb"
	"github.com/bank/devportal/shared/tpp/consents"
	"github.com/bank/devportal/shared/tpp/consents/consentdb"
	"github.com/bank/devportal/shared/tpp/payments"
	"github.com/bank/devportal/shared/tpp/payments/paymentdb"
	"github.com/bank/devportal/shared/tpp/piis"
)

// table is a fresh TPP table of the backend at endpoint, with the stores of baskets and
// of their members on it.
type table struct {
	baskets  *basketdb.Store
	payments *paymentdb.Store
	consents *consentdb.Store
	funds    *consentdb.PIIS
	log      *notifylogdb.Store
}

func newTable(t *testing.T, endpoint string) table {
	t.Helper()
	c := testenv.Config(t, endpoint)
	c.TPPTable = "tpp-" + testenv.Suffix()
	db := dynamodb.NewFromConfig(testenv.AWS(t, c))
	if err := motoserver.CreateTables(context.Background(), db, c); err != nil {
		t.Fatal(err)
	}
	return table{baskets: basketdb.New(db, c.TPPTable), payments: paymentdb.New(db, c.TPPTable), consents: consentdb.New(db, c.TPPTable),
		funds: consentdb.NewPIIS(db, c.TPPTable), log: notifylogdb.New(db, c.TPPTable)}
}

// members stores a waiting payment p-<n>, consent c-<n> and funds consent f-<n>, and the
// received basket b-<n> of them: the basket, and its approvals by psu-1 with one
// notification of the payment's.
func (tb table) members(t *testing.T, n int) (baskets.Basket, baskets.Approvals) {
	t.Helper()
	ctx := context.Background()
	id := func(prefix string) string { return fmt.Sprintf("%s-%d", prefix, n) }
	p := payments.Payment{ID: id("p"), AppID: "app-1", OrgID: "org-1", Service: payments.Single, Product: payments.SEPA, Status: payments.Received,
		CreatedAt: at, ChangedAt: at, RequestID: id("req-p")}
	if err := tb.payments.Create(ctx, p, payments.Replay{PaymentID: p.ID, Hash: "h", Status: p.Status}); err != nil {
		t.Fatal(err)
	}
	c := consents.Consent{ID: id("c"), AppID: "app-1", OrgID: "org-1", Status: consents.Received, CreatedAt: at}
	if err := tb.consents.Create(ctx, c); err != nil {
		t.Fatal(err)
	}
	f := piis.Consent{ID: id("f"), AppID: "app-1", OrgID: "org-1", Status: consents.Received, CreatedAt: at}
	if err := tb.funds.Create(ctx, f); err != nil {
		t.Fatal(err)
	}
	b := basket(id("b"), []string{p.ID}, []string{c.ID, f.ID})
	b.FundsConsentIDs = []string{f.ID}
	if err := create(tb.baskets, b); err != nil {
		t.Fatal(err)
	}
	p.Status, p.Subject = payments.Accepted, "psu-1"
	c.Status, c.Grant = consents.Valid, &consents.Grant{Subject: "psu-1"}
	f.Status, f.Subject = consents.Valid, "psu-1"
	note := notifylog.Delivery{ID: "n-" + p.ID, AppID: "app-1", OrgID: "org-1", ResourceType: "payment", ResourceID: p.ID, Href: "/v1/payments/sepa-credit-transfers/" + p.ID,
		StatusAttribute: "transactionStatus", Status: "ACTC", URI: "https://tpp.example/notify", CreatedAt: at, Outcome: notifylog.Pending,
		Attempts: []notifylog.Attempt{}, NextAttemptAt: &at}
	b.Status, b.Subject = baskets.Accepted, "psu-1"
	return b, baskets.Approvals{Payments: []payments.Payment{p}, Consents: []consents.Consent{c}, Funds: []piis.Consent{f}, Notes: []notifylog.Delivery{note}}
}

// state is the stored statuses of basket b-<n> and its members, and the notifications
// queued for its payment.
func (tb table) state(t *testing.T, n int) string {
	t.Helper()
	ctx := context.Background()
	b, err := tb.baskets.Get(ctx, fmt.Sprintf("b-%d", n))
	if err != nil {
		t.Fatal(err)
	}
	p, err := tb.payments.Get(ctx, fmt.Sprintf("p-%d", n))
	if err != nil {
		t.Fatal(err)
	}
	c, err := tb.consents.Get(ctx, fmt.Sprintf("c-%d", n))
	if err != nil {
		t.Fatal(err)
	}
	f, err := tb.funds.Get(ctx, fmt.Sprintf("f-%d", n))
	if err != nil {
		t.Fatal(err)
	}
	list, err := tb.log.List(ctx, "app-1", 100)
	if err != nil {
		t.Fatal(err)
	}
	queued := 0
	for _, d := range list {
		if d.ResourceID == p.ID {
			queued++
		}
	}
	return fmt.Sprintf("%s %s %s %s %d", b.Status, p.Status, c.Status, f.Status, queued)
}

// TestAuthorise holds the store to its contract on moto and DynamoDB Local: a basket's
// authorisation stores the basket, every member and their notifications in one
// transaction, only while the basket is received and every member waits; a member
// changed meanwhile (ErrMemberChanged) or a basket changed meanwhile (ErrChanged) stores
// nothing.
func TestAuthorise(t *testing.T) {
	ctx := context.Background()
	for _, be := range testenv.Backends {
		t.Run(be.Name, func(t *testing.T) {
			tb := newTable(t, be.Endpoint(t))

			// A member cancelled between the reading and the write.
			b, a := tb.members(t, 1)
			cancelled := a.Payments[0]
			cancelled.Status, cancelled.Subject = payments.Cancelled, ""
			if err := tb.payments.Replace(ctx, cancelled, payments.Received); err != nil {
				t.Fatal(err)
			}
			if err := tb.baskets.Authorise(ctx, b, a); !errors.Is(err, baskets.ErrMemberChanged) {
				t.Errorf("a member cancelled: %v", err)
			}
			if got := tb.state(t, 1); got != "RCVD CANC received received 0" {
				t.Errorf("after a member was cancelled: %s", got)
			}

			// A consent authorised alone meanwhile.
			b, a = tb.members(t, 2)
			if err := tb.funds.Replace(ctx, a.Funds[0], consents.Received); err != nil {
				t.Fatal(err)
			}
			if err := tb.baskets.Authorise(ctx, b, a); !errors.Is(err, baskets.ErrMemberChanged) {
				t.Errorf("a member authorised alone: %v", err)
			}
			if got := tb.state(t, 2); got != "RCVD RCVD received valid 0" {
				t.Errorf("after a member was authorised alone: %s", got)
			}

			// Every member still waits: all at once, and once.
			b, a = tb.members(t, 3)
			if err := tb.baskets.Authorise(ctx, b, a); err != nil {
				t.Fatal(err)
			}
			if got := tb.state(t, 3); got != "ACTC ACTC valid valid 1" {
				t.Errorf("authorised: %s", got)
			}
			if err := tb.baskets.Authorise(ctx, b, a); !errors.Is(err, baskets.ErrChanged) {
				t.Errorf("authorised twice: %v", err)
			}
			if got := tb.state(t, 3); got != "ACTC ACTC valid valid 1" {
				t.Errorf("authorised twice: %s", got)
			}

			// A basket cancelled meanwhile.
			b, a = tb.members(t, 4)
			gone := b
			gone.Status = baskets.Cancelled
			if err := tb.baskets.Replace(ctx, gone, baskets.Received); err != nil {
				t.Fatal(err)
			}
			if err := tb.baskets.Authorise(ctx, b, a); !errors.Is(err, baskets.ErrChanged) {
				t.Errorf("a cancelled basket: %v", err)
			}
			if got := tb.state(t, 4); got != "CANC RCVD received received 0" {
				t.Errorf("after the basket was cancelled: %s", got)
			}
		})
	}
}

// TestAuthoriseRacesACancellation: a basket's authorisation and the cancellation of one
// of its payments, at once, on the real store: one of them wins, whole; never a basket
// authorised with a member cancelled, nor a member authorised with a basket that was not.
func TestAuthoriseRacesACancellation(t *testing.T) {
	ctx := context.Background()
	for _, be := range testenv.Backends {
		t.Run(be.Name, func(t *testing.T) {
			tb := newTable(t, be.Endpoint(t))
			wins := map[string]int{}
			for n := 10; n < 20; n++ {
				b, a := tb.members(t, n)
				cancelled := a.Payments[0]
				cancelled.Status, cancelled.Subject = payments.Cancelled, ""
				var wg sync.WaitGroup
				var authorised, cancel error
				wg.Go(func() { authorised = tb.baskets.Authorise(ctx, b, a) })
				wg.Go(func() { cancel = tb.payments.Replace(ctx, cancelled, payments.Received) })
				wg.Wait()
				got := tb.state(t, n)
				switch {
				case authorised == nil && errors.Is(cancel, payments.ErrChanged) && got == "ACTC ACTC valid valid 1":
					wins["authorisation"]++
				case cancel == nil && errors.Is(authorised, baskets.ErrMemberChanged) && got == "RCVD CANC received received 0":
					wins["cancellation"]++
				default:
					t.Errorf("round %d: authorise %v, cancel %v: %s", n, authorised, cancel, got)
				}
			}
			t.Logf("wins: %v", wins)
		})
	}
}
