package notify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/bank/devportal/shared/local/motoserver"
	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/platform/notifylog"
	"github.com/bank/devportal/shared/platform/notifylog/notifylogdb"
	"github.com/bank/devportal/shared/tpp/notify"
	"github.com/bank/devportal/shared/tpp/tppdata"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// TestTableLayout holds the log's key names to the TPP table's, which the platform
// cannot import.
func TestTableLayout(t *testing.T) {
	got := []string{notifylogdb.AttrPK, notifylogdb.AttrSK, notifylogdb.AttrGSI1PK, notifylogdb.AttrGSI1SK, notifylogdb.IndexGSI1, notifylogdb.AttrTTL}
	want := []string{tppdata.AttrPK, tppdata.AttrSK, tppdata.AttrGSI1PK, tppdata.AttrGSI1SK, tppdata.IndexGSI1, tppdata.AttrTTL}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("log layout %v, TPP table %v", got, want)
	}
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time)     { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func (c *clock) Add(d time.Duration) { c.Set(c.Now().Add(d)) }

var t0 = time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)

func newLog(t *testing.T) *notifylogdb.Store {
	t.Helper()
	c := testenv.Config(t, testenv.MotoEndpoint(t))
	c.TPPTable = "tpp-" + testenv.Suffix()
	db := dynamodb.NewFromConfig(testenv.AWS(t, c))
	if err := motoserver.CreateTables(context.Background(), db, c); err != nil {
		t.Fatal(err)
	}
	return notifylogdb.New(db, c.TPPTable)
}

// tpp is a TPP's notification endpoint over TLS that answers the statuses of answers in
// turn (then 204) and keeps the bodies it was sent.
type tpp struct {
	*httptest.Server
	mu      sync.Mutex
	answers []int
	bodies  []string
}

func newTPP(t *testing.T, answers ...int) *tpp {
	p := &tpp{answers: answers}
	p.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		p.mu.Lock()
		defer p.mu.Unlock()
		if r.Method != http.MethodPost || r.URL.Path != "/notify" || r.Header.Get("Content-Type") != "application/json" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		p.bodies = append(p.bodies, string(b))
		status := http.StatusNoContent
		if len(p.answers) > 0 {
			status, p.answers = p.answers[0], p.answers[1:]
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(p.Close)
	return p
}

func (p *tpp) received() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.bodies...)
}

// attempts describes a delivery's outcome and attempts.
func attempts(d notifylog.Delivery) string {
	var parts []string
	for _, a := range d.Attempts {
		s := fmt.Sprintf("%s %d", a.At.Format("15:04:05"), a.HTTPStatus)
		if a.Error != "" {
			s += " " + a.Error
		}
		if a.NextRetryAt != nil {
			s += " next " + a.NextRetryAt.Format("15:04:05")
		}
		parts = append(parts, s)
	}
	return string(d.Outcome) + ": " + strings.Join(parts, "; ")
}

// TestNotifierAndDelivery runs a payment's status changes through the notifier and the
// delivery job against a TPP's TLS endpoint that fails once (500) and then accepts: the
// changes the subscription asks for are enqueued once each, the failed attempt is
// recorded and retried a minute later, not before, and each notification arrives with
// the documented body.
func TestNotifierAndDelivery(t *testing.T) {
	ctx := context.Background()
	log := newLog(t)
	c := &clock{t: t0}
	p := newTPP(t, http.StatusInternalServerError)
	n := &notify.Notifier{Log: log, Now: c.Now}
	j := &notify.Deliverer{Log: log, Client: p.Client(), Now: c.Now}
	sub := &notify.Subscription{URI: p.URL + "/notify", Content: []notify.Content{notify.SCA, notify.PROCESS}}
	change := func(status, sca string) notify.Change {
		return notify.Change{Subscription: sub, AppID: "app-1", OrgID: "org-1", ResourceType: notify.PaymentResource, ResourceID: "pay-1",
			Href: "/v1/payments/sepa-credit-transfers/pay-1", Attribute: notify.TransactionStatus, Status: status, SCAStatus: sca}
	}
	if err := n.Changed(ctx, change("ACTC", "finalised")); err != nil {
		t.Fatal(err)
	}
	// The same change reported again enqueues nothing more.
	if err := n.Changed(ctx, change("ACTC", "finalised")); err != nil {
		t.Fatal(err)
	}
	run, err := j.Run(ctx)
	if err != nil || run != (notify.Run{Delivered: 1, Retrying: 1}) {
		t.Fatalf("first run: %+v %v", run, err)
	}
	list, err := log.List(ctx, "app-1", 10)
	if err != nil || len(list) != 2 {
		t.Fatalf("log: %+v %v", list, err)
	}
	// Both were due at once: the first posted met the 500 and waits a minute.
	got := []string{list[0].Status + " " + attempts(list[0]), list[1].Status + " " + attempts(list[1])}
	sort.Strings(got)
	want := []string{"ACTC delivered: 09:00:00 204", "finalised pending: 09:00:00 500 answered 500 next 09:01:00"}
	if strings.Contains(got[0], "500") {
		want = []string{"ACTC pending: 09:00:00 500 answered 500 next 09:01:00", "finalised delivered: 09:00:00 204"}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("log after the first run:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	c.Add(59 * time.Second)
	if run, err := j.Run(ctx); err != nil || run != (notify.Run{}) {
		t.Fatalf("run before the retry: %+v %v", run, err)
	}
	c.Add(time.Second)
	if run, err := j.Run(ctx); err != nil || run != (notify.Run{Delivered: 1}) {
		t.Fatalf("retry run: %+v %v", run, err)
	}
	// A later change the subscription asks for is delivered in turn; a second run the same
	// moment finds nothing to do.
	c.Add(time.Minute)
	if err := n.Changed(ctx, change("ACSC", "")); err != nil {
		t.Fatal(err)
	}
	if run, err := j.Run(ctx); err != nil || run != (notify.Run{Delivered: 1}) {
		t.Fatalf("third run: %+v %v", run, err)
	}
	if run, err := j.Run(ctx); err != nil || run != (notify.Run{}) {
		t.Fatalf("run again: %+v %v", run, err)
	}
	list, _ = log.List(ctx, "app-1", 10)
	got = nil
	for _, d := range list {
		got = append(got, d.Status+" "+attempts(d))
	}
	sort.Strings(got[1:])
	if strings.Contains(want[0], "500") {
		want = []string{"ACSC delivered: 09:02:00 204", "ACTC delivered: 09:00:00 500 answered 500 next 09:01:00; 09:01:00 204", "finalised delivered: 09:00:00 204"}
	} else {
		want = []string{"ACSC delivered: 09:02:00 204", "ACTC delivered: 09:00:00 204", "finalised delivered: 09:00:00 500 answered 500 next 09:01:00; 09:01:00 204"}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("log:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	bodies := p.received()
	if len(bodies) != 4 {
		t.Fatalf("received %d notifications: %v", len(bodies), bodies)
	}
	var last map[string]any
	if err := json.Unmarshal([]byte(bodies[3]), &last); err != nil {
		t.Fatal(err)
	}
	wantBody := fmt.Sprintf(`{"changedAt":"2026-12-06T09:02:00Z","notificationId":"%s","resource":{"href":"/v1/payments/sepa-credit-transfers/pay-1","id":"pay-1","type":"payment"},"transactionStatus":"ACSC"}`, list[0].ID)
	if b, _ := json.Marshal(last); string(b) != wantBody {
		t.Errorf("body:\n got %s\nwant %s", b, wantBody)
	}
	// The retried notification is the failed one again, byte for byte.
	if bodies[0] != bodies[2] || bodies[0] == bodies[1] {
		t.Errorf("retried body %s, first %s", bodies[2], bodies[0])
	}
}

// TestContentChoice enqueues what each subscription asks: PROCESS every status, LAST the
// final one only, SCA the authorisation's status only; no subscription nothing.
func TestContentChoice(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		content []notify.Content
		want    string
	}{
		{[]notify.Content{notify.PROCESS}, "[transactionStatus=ACSC transactionStatus=ACTC]"},
		{[]notify.Content{notify.LAST}, "[transactionStatus=ACSC]"},
		{[]notify.Content{notify.SCA}, "[scaStatus=finalised]"},
		{[]notify.Content{notify.SCA, notify.LAST}, "[scaStatus=finalised transactionStatus=ACSC]"},
		{nil, "[]"},
	} {
		log := newLog(t)
		n := &notify.Notifier{Log: log, Now: func() time.Time { return t0 }}
		var sub *notify.Subscription
		if tc.content != nil {
			sub = &notify.Subscription{URI: "https://app.example/n", Content: tc.content}
		}
		for _, ch := range []notify.Change{
			{Attribute: notify.TransactionStatus, Status: "ACTC", SCAStatus: "finalised"},
			{Attribute: notify.TransactionStatus, Status: "ACSC", Final: true},
		} {
			ch.Subscription, ch.AppID, ch.ResourceType, ch.ResourceID = sub, "app-1", notify.PaymentResource, "pay-1"
			if err := n.Changed(ctx, ch); err != nil {
				t.Fatal(err)
			}
		}
		list, err := log.List(ctx, "app-1", 10)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, d := range list {
			got = append(got, d.StatusAttribute+"="+d.Status)
		}
		sort.Strings(got)
		if fmt.Sprint(got) != tc.want && !(len(got) == 0 && tc.want == "[]") {
			t.Errorf("%v: %v, want %s", tc.content, got, tc.want)
		}
	}
}

// TestGivesUp stops after the fifth failed attempt, the retries 1, 2, 4 and 8 minutes
// apart, an unreachable endpoint recorded with the error.
func TestGivesUp(t *testing.T) {
	ctx := context.Background()
	log := newLog(t)
	c := &clock{t: t0}
	p := newTPP(t, 503, 503, 503, 503, 503, 200)
	j := &notify.Deliverer{Log: log, Client: p.Client(), Now: c.Now}
	n := &notify.Notifier{Log: log, Now: c.Now}
	sub := &notify.Subscription{URI: p.URL + "/notify", Content: []notify.Content{notify.PROCESS}}
	if err := n.Changed(ctx, notify.Change{Subscription: sub, AppID: "app-1", ResourceType: notify.ConsentResource, ResourceID: "c-1",
		Attribute: notify.ConsentStatus, Status: "valid"}); err != nil {
		t.Fatal(err)
	}
	for i, wait := range []time.Duration{0, time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute} {
		c.Add(wait)
		run, err := j.Run(ctx)
		want := notify.Run{Retrying: 1}
		if i == 4 {
			want = notify.Run{Failed: 1}
		}
		if err != nil || run != want {
			t.Fatalf("run %d: %+v %v", i+1, run, err)
		}
	}
	c.Add(time.Hour)
	if run, err := j.Run(ctx); err != nil || run != (notify.Run{}) {
		t.Fatalf("run after giving up: %+v %v", run, err)
	}
	list, _ := log.List(ctx, "app-1", 1)
	want := "failed: 09:00:00 503 answered 503 next 09:01:00; 09:01:00 503 answered 503 next 09:03:00; 09:03:00 503 answered 503 next 09:07:00; " +
		"09:07:00 503 answered 503 next 09:15:00; 09:15:00 503 answered 503"
	if len(list) != 1 || attempts(list[0]) != want {
		t.Errorf("log: %+v\nwant %s", list, want)
	}
	// An endpoint that does not answer is an attempt with the error and no status.
	p.Close()
	if err := n.Changed(ctx, notify.Change{Subscription: sub, AppID: "app-2", ResourceType: notify.ConsentResource, ResourceID: "c-2",
		Attribute: notify.ConsentStatus, Status: "valid"}); err != nil {
		t.Fatal(err)
	}
	if run, err := j.Run(ctx); err != nil || run != (notify.Run{Retrying: 1}) {
		t.Fatalf("run against a closed endpoint: %+v %v", run, err)
	}
	list, _ = log.List(ctx, "app-2", 1)
	if len(list) != 1 || len(list[0].Attempts) != 1 || list[0].Attempts[0].HTTPStatus != 0 || !strings.HasPrefix(list[0].Attempts[0].Error, "no answer: ") {
		t.Errorf("closed endpoint: %+v", list)
	}
}
