package paymentdb_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/platform/notifylog"
	"github.com/bank/devportal/shared/platform/notifylog/notifylogdb"
	"github.com/bank/devportal/shared/tpp/notify"
	"github.com/bank/devportal/shared/tpp/payments"
)

// recorder builds the notifications of status changes as notify.Notifier does, and keeps
// the changes it built them for, in order: those whose change was stored are in the log.
type recorder struct {
	mu      sync.Mutex
	n       notify.Notifier
	log     *notifylogdb.Store
	changes []notify.Change
}

func (r *recorder) Deliveries(ctx context.Context, c notify.Change) []notifylog.Delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.changes = append(r.changes, c)
	return r.n.Deliveries(ctx, c)
}

// of lists the statuses told for the resource id, with the scaStatus a change ended: the
// changes whose notification was queued (their status change was stored), each once.
func (r *recorder) of(t *testing.T, appID, id string) string {
	t.Helper()
	stored, err := r.log.List(context.Background(), appID, 1000)
	if err != nil {
		t.Fatal(err)
	}
	queued := map[string]bool{}
	for _, d := range stored {
		queued[d.ResourceID+" "+d.StatusAttribute+" "+d.Status] = true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	seen := map[string]bool{}
	for _, c := range r.changes {
		key := c.ResourceID + " " + c.Attribute + " " + c.Status
		if c.ResourceID != id || !queued[key] || seen[key] {
			continue
		}
		seen[key] = true
		s := c.Status
		if c.SCAStatus != "" {
			s += "(sca " + c.SCAStatus + ")"
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

func standingBody(amount, start, frequency, end string) []byte {
	b := strings.TrimSuffix(string(body(amount, creditorIBAN)), "}")
	b += `,"startDate":"` + start + `","frequency":"` + frequency + `"`
	if end != "" {
		b += `,"endDate":"` + end + `"`
	}
	return []byte(b + `}`)
}

// TestStandingOrders runs the standing-order job with a fixed clock over several weeks,
// on moto and on DynamoDB Local: each instalment due is booked once, however often and
// concurrently the job runs that day; the order is ACSP while it runs and ACSC after its
// last instalment; an instalment the account cannot cover rejects the order (RJCT, AM04)
// and moves no money; a standing order not authorised is left alone.
func TestStandingOrders(t *testing.T) {
	ctx := context.Background()
	for _, b := range testenv.Backends {
		t.Run(b.Name, func(t *testing.T) {
			w := newWorld(t, b.Endpoint(t))
			var mu sync.Mutex
			clock := now // 2026-12-06, a Sunday
			told := &recorder{log: w.log}
			svc := &payments.Service{Store: w.svc.Store, Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }, Notify: told}
			setDay := func(day string) {
				d, _ := time.Parse(time.DateOnly, day)
				mu.Lock()
				clock = d.Add(9 * time.Hour)
				mu.Unlock()
			}
			sub := &notify.Subscription{URI: "https://tpp.example/notify", Content: []notify.Content{notify.SCA, notify.PROCESS}}
			initiate := func(i int, body []byte, authorise bool) string {
				in, err := svc.InitiateNotified(ctx, tpp, requestID(700+i), payments.Periodic, payments.SEPA, body, "", "", sub)
				if err != nil {
					t.Fatalf("initiate %d: %v", i, err)
				}
				if authorise {
					if p, err := svc.Authorise(ctx, in.Payment.ID, "psu-1", w.accounts(t, "psu-1")); err != nil || p.Status != payments.Accepted {
						t.Fatalf("authorise %d: %+v %v", i, p, err)
					}
				}
				return in.Payment.ID
			}
			weekly := initiate(1, standingBody("100.00", "2026-12-07", "Weekly", "2026-12-28"), true)
			waiting := initiate(2, standingBody("1.00", "2026-12-07", "Daily", ""), false)
			status := func(id string) string {
				p, err := svc.Find(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				return string(p.Status) + p.Reason
			}
			run := func(day string) payments.StandingRun {
				setDay(day)
				r, err := svc.RunStandingOrders(ctx)
				if err != nil {
					t.Fatalf("run on %s: %v", day, err)
				}
				return r
			}
			if r := run("2026-12-06"); r != (payments.StandingRun{}) {
				t.Fatalf("before the start: %+v", r)
			}
			if r := run("2026-12-07"); r != (payments.StandingRun{Booked: 1}) || status(weekly) != "ACSP" {
				t.Fatalf("first instalment: %+v %s", r, status(weekly))
			}
			// The same day again, twice at once: nothing more is booked.
			var wg sync.WaitGroup
			runs := make([]payments.StandingRun, 2)
			for i := range runs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r, err := svc.RunStandingOrders(ctx)
					if err != nil {
						t.Errorf("concurrent run: %v", err)
					}
					runs[i] = r
				}()
			}
			wg.Wait()
			if runs[0] != (payments.StandingRun{Skipped: 1}) || runs[1] != (payments.StandingRun{Skipped: 1}) {
				t.Fatalf("runs again the same day: %+v", runs)
			}
			if got := w.balance(t, "acc-debtor"); got != "90000/1 entries/1 transactions" {
				t.Fatalf("debtor after the first instalment: %s", got)
			}
			for _, day := range []string{"2026-12-08", "2026-12-13"} {
				if r := run(day); r != (payments.StandingRun{}) {
					t.Fatalf("%s, no instalment due: %+v", day, r)
				}
			}
			for _, day := range []string{"2026-12-14", "2026-12-21"} {
				if r := run(day); r != (payments.StandingRun{Booked: 1}) || status(weekly) != "ACSP" {
					t.Fatalf("%s: %+v %s", day, r, status(weekly))
				}
			}
			if r := run("2026-12-28"); r != (payments.StandingRun{Booked: 1, Finished: 1}) || status(weekly) != "ACSC" {
				t.Fatalf("the last instalment: %+v %s", r, status(weekly))
			}
			if r := run("2027-01-04"); r != (payments.StandingRun{}) {
				t.Fatalf("after the end: %+v", r)
			}
			if got := fmt.Sprint(w.balance(t, "acc-debtor"), " ", w.balance(t, "acc-creditor")); got != "60000/4 entries/4 transactions 45000/4 entries/4 transactions" {
				t.Fatalf("ledgers after four instalments: %s", got)
			}
			if status(waiting) != "RCVD" {
				t.Fatalf("the unauthorised order: %s", status(waiting))
			}
			// The TPP is told of each change of the order's status once: not of every
			// instalment of a running order.
			if got := told.of(t, tpp.AppID, weekly); got != "ACTC(sca finalised) ACSP ACSC" {
				t.Fatalf("status changes reported: %s", got)
			}

			// 400.00 a day from 600.00: the second instalment does not fit.
			setDay("2027-01-04")
			daily := initiate(3, standingBody("400.00", "2027-01-05", "Daily", ""), true)
			if r := run("2027-01-05"); r != (payments.StandingRun{Booked: 1}) || status(daily) != "ACSP" {
				t.Fatalf("daily, first: %+v %s", r, status(daily))
			}
			if r := run("2027-01-06"); r != (payments.StandingRun{Rejected: 1}) || status(daily) != "RJCTAM04" {
				t.Fatalf("daily, second: %+v %s", r, status(daily))
			}
			if r := run("2027-01-07"); r != (payments.StandingRun{}) {
				t.Fatalf("after the rejection: %+v", r)
			}
			if got := w.balance(t, "acc-debtor"); got != "20000/5 entries/5 transactions" {
				t.Fatalf("debtor after the rejection: %s", got)
			}
			if got := told.of(t, tpp.AppID, daily); got != "ACTC(sca finalised) ACSP RJCT" {
				t.Fatalf("status changes reported: %s", got)
			}
		})
	}
}
