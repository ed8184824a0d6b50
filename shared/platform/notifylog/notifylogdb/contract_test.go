package notifylogdb_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/bank/devportal/shared/local/motoserver"
	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/platform/notifylog"
	"github.com/bank/devportal/shared/platform/notifylog/notifylogdb"
	"github.com/bank/devportal/shared/platform/paging"
)

func TestMain(m *testing.M) { testenv.Main(m) }

var t0 = time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)

func newLog(t *testing.T, endpoint string) *notifylogdb.Store {
	t.Helper()
	c := testenv.Config(t, endpoint)
	c.TPPTable = "tpp-" + testenv.Suffix()
	db := dynamodb.NewFromConfig(testenv.AWS(t, c))
	if err := motoserver.CreateTables(context.Background(), db, c); err != nil {
		t.Fatal(err)
	}
	return notifylogdb.New(db, c.TPPTable)
}

func delivery(id, app string, at time.Time) notifylog.Delivery {
	return notifylog.Delivery{ID: id, AppID: app, OrgID: "org-1", ResourceType: "payment", ResourceID: "pay-" + id,
		Href: "/v1/payments/sepa-credit-transfers/pay-" + id, StatusAttribute: "transactionStatus", Status: "ACSC",
		URI: "https://tpp.example/notify", CreatedAt: at, Outcome: notifylog.Pending, Attempts: []notifylog.Attempt{}, NextAttemptAt: &at}
}

// ids lists the deliveries' IDs with their outcome and tries.
func ids(list []notifylog.Delivery) string {
	out := ""
	for _, d := range list {
		out += fmt.Sprintf("%s:%s:%d/%d ", d.ID, d.Outcome, d.Tries, len(d.Attempts))
	}
	return out
}

// TestLogContract holds the delivery log to its contract on moto and DynamoDB Local: a
// status change is enqueued once; the due list is the pending deliveries whose time came,
// earliest first; a claim counts a try and hides the delivery until its lease ends, and
// loses to a claim that came first; a recorded outcome leaves the due list; an app's list
// is its own deliveries, newest first.
func TestLogContract(t *testing.T) {
	ctx := context.Background()
	for _, b := range testenv.Backends {
		t.Run(b.Name, func(t *testing.T) {
			log := newLog(t, b.Endpoint(t))
			for _, d := range []notifylog.Delivery{delivery("a", "app-1", t0), delivery("b", "app-1", t0.Add(time.Minute)), delivery("c", "app-2", t0.Add(2*time.Minute))} {
				if err := log.Enqueue(ctx, d); err != nil {
					t.Fatalf("enqueue %s: %v", d.ID, err)
				}
			}
			// The same change again, even enqueued later, is a duplicate and adds nothing.
			if err := log.Enqueue(ctx, delivery("a", "app-1", t0.Add(time.Hour))); !errors.Is(err, notifylog.ErrDuplicate) {
				t.Fatalf("enqueue again: %v", err)
			}
			if list, err := log.List(ctx, "app-1", 10); err != nil || ids(list) != "b:pending:0/0 a:pending:0/0 " {
				t.Fatalf("list app-1: %s %v", ids(list), err)
			}
			if list, err := log.List(ctx, "app-2", 10); err != nil || ids(list) != "c:pending:0/0 " {
				t.Fatalf("list app-2: %s %v", ids(list), err)
			}
			if list, err := log.List(ctx, "app-3", 10); err != nil || len(list) != 0 {
				t.Fatalf("list app-3: %s %v", ids(list), err)
			}
			due, err := log.Due(ctx, t0.Add(time.Minute), 10)
			if err != nil || ids(due) != "a:pending:0/0 b:pending:0/0 " {
				t.Fatalf("due at t0+1m: %s %v", ids(due), err)
			}
			a := due[0]
			claimed, err := log.Claim(ctx, a, t0.Add(3*time.Minute))
			if err != nil || claimed.Tries != 1 {
				t.Fatalf("claim: %+v %v", claimed, err)
			}
			// A second run that read the delivery before the claim loses.
			if _, err := log.Claim(ctx, a, t0.Add(3*time.Minute)); !errors.Is(err, notifylog.ErrChanged) {
				t.Fatalf("second claim: %v", err)
			}
			if due, err := log.Due(ctx, t0.Add(2*time.Minute), 10); err != nil || ids(due) != "b:pending:0/0 c:pending:0/0 " {
				t.Fatalf("due while claimed: %s %v", ids(due), err)
			}
			// Once the lease ends, the claimed delivery is due again (its run stopped).
			if due, err := log.Due(ctx, t0.Add(3*time.Minute), 10); err != nil || ids(due) != "b:pending:0/0 c:pending:0/0 a:pending:1/0 " {
				t.Fatalf("due after the lease: %s %v", ids(due), err)
			}
			claimed.Outcome, claimed.NextAttemptAt = notifylog.Delivered, nil
			claimed.Attempts = append(claimed.Attempts, notifylog.Attempt{At: t0.Add(time.Minute), HTTPStatus: 204})
			if err := log.Record(ctx, claimed); err != nil {
				t.Fatalf("record: %v", err)
			}
			// A delivered record changes no more.
			if err := log.Record(ctx, claimed); !errors.Is(err, notifylog.ErrChanged) {
				t.Fatalf("record again: %v", err)
			}
			if due, err := log.Due(ctx, t0.Add(time.Hour), 10); err != nil || ids(due) != "b:pending:0/0 c:pending:0/0 " {
				t.Fatalf("due after delivery: %s %v", ids(due), err)
			}
			list, err := log.List(ctx, "app-1", 10)
			if err != nil || ids(list) != "b:pending:0/0 a:delivered:1/1 " || list[1].Attempts[0].HTTPStatus != 204 || list[1].NextAttemptAt != nil {
				t.Fatalf("list after delivery: %s %+v %v", ids(list), list, err)
			}
			if list, err := log.List(ctx, "app-1", 1); err != nil || ids(list) != "b:pending:0/0 " {
				t.Fatalf("list limit 1: %s %v", ids(list), err)
			}
			// Pages of one: b, then a with no cursor after it; a cursor of app-1 reads
			// nothing of app-2.
			first, next, err := log.Page(ctx, "app-1", paging.Page{Limit: 1})
			if err != nil || ids(first) != "b:pending:0/0 " || next == "" {
				t.Fatalf("first page: %s %q %v", ids(first), next, err)
			}
			second, last, err := log.Page(ctx, "app-1", paging.Page{Cursor: next, Limit: 1})
			if err != nil || ids(second) != "a:delivered:1/1 " || last != "" {
				t.Fatalf("second page: %s %q %v", ids(second), last, err)
			}
			if _, _, err := log.Page(ctx, "app-2", paging.Page{Cursor: next, Limit: 1}); !errors.Is(err, paging.ErrCursor) {
				t.Fatalf("app-1's cursor on app-2: %v", err)
			}
		})
	}
}
