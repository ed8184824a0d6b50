package scadb_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/bank/devportal/shared/local/motoserver"
	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/tpp/bgerror"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
	"github.com/bank/devportal/shared/tpp/sca"
	"github.com/bank/devportal/shared/tpp/sca/scadb"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// newStore is the store on a fresh TPP table of the backend at endpoint.
func newStore(t *testing.T, endpoint string) *scadb.Store {
	t.Helper()
	c := testenv.Config(t, endpoint)
	c.TPPTable = "tpp-" + testenv.Suffix()
	db := dynamodb.NewFromConfig(testenv.AWS(t, c))
	if err := motoserver.CreateTables(context.Background(), db, c); err != nil {
		t.Fatal(err)
	}
	return scadb.New(db, c.TPPTable)
}

// target is a resource kind in memory: each resource waits until authorised (by whom) or
// failed; Authorise counts its calls, and refuses the customers in refuse.
type target struct {
	mu        sync.Mutex
	res       map[string]*sca.Resource
	authorise int
	refuse    string
}

func (t *target) Find(_ context.Context, id string) (sca.Resource, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	r, ok := t.res[id]
	if !ok {
		return sca.Resource{}, sca.ErrNotFound
	}
	return *r, nil
}

func (t *target) Authorise(_ context.Context, id, customer string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.authorise++
	r := t.res[id]
	switch {
	case !r.Waiting:
		return sca.ErrDecided
	case customer == t.refuse:
		r.Waiting, r.Status = false, "RJCT"
		return sca.ErrNotGrantable
	}
	r.Waiting, r.Approved, r.Subject, r.Status = false, true, customer, "ACCC"
	return nil
}

func (t *target) Fail(_ context.Context, id string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	r := t.res[id]
	if !r.Waiting {
		return sca.ErrDecided
	}
	r.Waiting, r.Status = false, "RJCT"
	return nil
}

func (t *target) add(id, app string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.res[id] = &sca.Resource{ID: id, AppID: app, OrgID: "org-" + app, Status: "RCVD", Waiting: true, Summary: "Pay 1.00 EUR."}
}

// customers are two sandbox customers, one and two.
type customers struct{}

func (customers) CustomerByLogin(_ context.Context, login string) (sandboxbank.Customer, error) {
	switch login {
	case "one", "two":
		return sandboxbank.Customer{ID: "psu-" + login, Login: login, Password: sandboxbank.SandboxPassword, OTP: sandboxbank.SandboxOTP}, nil
	}
	return sandboxbank.Customer{}, sandboxbank.ErrCustomerUnknown
}

func code(err error) string {
	var e *bgerror.Error
	if errors.As(err, &e) {
		return fmt.Sprintf("%d %s", e.Status, e.Code())
	}
	return fmt.Sprint(err)
}

var (
	app   = sca.Owner{AppID: "app-1", OrgID: "org-app-1"}
	other = sca.Owner{AppID: "app-2", OrgID: "org-app-2"}
	yes   = true
	no    = false
)

func str(s string) *string { return &s }

// TestStore: an authorisation is stored once under its resource, read back as written,
// listed oldest first, replaced only from the version read, and listed under its customer
// while a decoupled one waits.
func TestStore(t *testing.T) {
	ctx := context.Background()
	for _, b := range testenv.Backends {
		t.Run(b.Name, func(t *testing.T) {
			st := newStore(t, b.Endpoint(t))
			at := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
			a := sca.Authorisation{ID: "auth-1", Kind: sca.Payment, ResourceID: "pay-1", AppID: "app-1", OrgID: "org-1", Approach: sca.Decoupled,
				Status: sca.Started, PSUID: "one", CustomerID: "psu-one", CreatedAt: at, ChangedAt: at, ExpiresAt: at.Add(sca.Lifespan)}
			if err := st.Create(ctx, a); err != nil {
				t.Fatal(err)
			}
			if err := st.Create(ctx, a); err == nil {
				t.Fatal("the same ID created twice")
			}
			later := a
			later.ID, later.CreatedAt, later.Approach, later.Status = "auth-0", at.Add(time.Second), sca.Embedded, sca.Received
			if err := st.Create(ctx, later); err != nil {
				t.Fatal(err)
			}
			got, err := st.Get(ctx, a.Ref())
			if err != nil || got != a {
				t.Fatalf("get: %+v %v", got, err)
			}
			if _, err := st.Get(ctx, sca.Ref{Kind: sca.AISConsent, ResourceID: "pay-1", ID: "auth-1"}); !errors.Is(err, sca.ErrNotFound) {
				t.Fatalf("another kind's: %v", err)
			}
			list, err := st.List(ctx, sca.Payment, "pay-1")
			if err != nil || len(list) != 2 || list[0].ID != "auth-1" || list[1].ID != "auth-0" {
				t.Fatalf("list: %+v %v", list, err)
			}
			if list, err := st.List(ctx, sca.Payment, "pay-2"); err != nil || len(list) != 0 {
				t.Fatalf("list of another resource: %+v %v", list, err)
			}
			waiting, err := st.Started(ctx, "psu-one", 10)
			if err != nil || len(waiting) != 1 || waiting[0].ID != "auth-1" {
				t.Fatalf("started: %+v %v", waiting, err)
			}
			done := a
			done.Status, done.Version = sca.Finalised, 1
			if err := st.Replace(ctx, done, 0); err != nil {
				t.Fatal(err)
			}
			if err := st.Replace(ctx, done, 0); !errors.Is(err, sca.ErrChanged) {
				t.Fatalf("a replace from a stale version: %v", err)
			}
			if waiting, err := st.Started(ctx, "psu-one", 10); err != nil || len(waiting) != 0 {
				t.Fatalf("started after it ended: %+v %v", waiting, err)
			}
			if err := st.Replace(ctx, sca.Authorisation{ID: "none", Kind: sca.Payment, ResourceID: "pay-1"}, 0); !errors.Is(err, sca.ErrChanged) {
				t.Fatalf("replace of nothing: %v", err)
			}
		})
	}
}

// TestEmbeddedOnStore runs the embedded approach's rules on the store: the steps in their
// order, wrong credentials counted and the third failing the authorisation and its
// resource, concurrent right codes authorising the resource once, and a time-out failing
// both when the authorisation is next read.
func TestEmbeddedOnStore(t *testing.T) {
	ctx := context.Background()
	for _, b := range testenv.Backends {
		t.Run(b.Name, func(t *testing.T) {
			now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
			tg := &target{res: map[string]*sca.Resource{}, refuse: "psu-two"}
			svc := &sca.Service{Store: newStore(t, b.Endpoint(t)), Targets: map[sca.Kind]sca.Target{sca.Payment: tg}, Customers: customers{},
				Now: func() time.Time { return now }}
			embedded := sca.Preferences{Redirect: &no}
			start := func(id string) sca.Ref {
				t.Helper()
				tg.add(id, "app-1")
				st, err := svc.Start(ctx, sca.Start{Kind: sca.Payment, ResourceID: id, Owner: app, Preferences: embedded})
				if err != nil || st.Status != sca.Received || st.Approach != sca.Embedded {
					t.Fatalf("start: %+v %v", st, err)
				}
				return st.Ref()
			}

			// The steps, with a wrong password and a wrong code on the way.
			ref := start("pay-1")
			for i, c := range []struct {
				up   sca.Update
				want string
			}{
				{sca.Update{PSUID: "one", MethodID: str("sms")}, "409 STATUS_INVALID"},
				{sca.Update{PSUID: "one", Password: str("wrong")}, "401 PSU_CREDENTIALS_INVALID"},
				{sca.Update{PSUID: "one", Password: str(sandboxbank.SandboxPassword)}, string(sca.PSUAuthenticated)},
				{sca.Update{MethodID: str("carrier-pigeon")}, "400 SCA_METHOD_UNKNOWN"},
				{sca.Update{MethodID: str("sms")}, string(sca.MethodSelected)},
				{sca.Update{OTP: str("000000")}, "401 PSU_CREDENTIALS_INVALID"},
				{sca.Update{OTP: str(sandboxbank.SandboxOTP)}, string(sca.Finalised)},
				{sca.Update{OTP: str(sandboxbank.SandboxOTP)}, "409 STATUS_INVALID"},
			} {
				step, err := svc.Update(ctx, app, ref, c.up)
				got := string(step.Status)
				if err != nil {
					got = code(err)
				}
				if got != c.want {
					t.Fatalf("step %d: %s, want %s", i, got, c.want)
				}
			}
			if a, _ := svc.Status(ctx, app, ref); a.FailedAttempts != 2 || a.CustomerID != "psu-one" || a.Method != "sms" || tg.authorise != 1 {
				t.Fatalf("after the steps: %+v, %d authorisations", a, tg.authorise)
			}
			if _, err := svc.Status(ctx, other, ref); code(err) != "404 RESOURCE_UNKNOWN" {
				t.Fatalf("another app's: %v", err)
			}

			// Three wrong codes fail the authorisation and the resource, which nothing authorises.
			ref = start("pay-2")
			for _, up := range []sca.Update{{PSUID: "one", Password: str(sandboxbank.SandboxPassword)}, {MethodID: str("app")}} {
				if _, err := svc.Update(ctx, app, ref, up); err != nil {
					t.Fatal(err)
				}
			}
			for i := 1; i <= sca.MaxFailedAttempts; i++ {
				if _, err := svc.Update(ctx, app, ref, sca.Update{OTP: str("999999")}); code(err) != "401 PSU_CREDENTIALS_INVALID" {
					t.Fatalf("wrong code %d: %v", i, err)
				}
			}
			if a, _ := svc.Status(ctx, app, ref); a.Status != sca.Failed || a.FailedAttempts != sca.MaxFailedAttempts {
				t.Fatalf("after three wrong codes: %+v", a)
			}
			if r, _ := tg.Find(ctx, "pay-2"); r.Status != "RJCT" || r.Approved || tg.authorise != 1 {
				t.Fatalf("the resource after three wrong codes: %+v, %d authorisations", r, tg.authorise)
			}
			if _, err := svc.Update(ctx, app, ref, sca.Update{OTP: str(sandboxbank.SandboxOTP)}); code(err) != "409 STATUS_INVALID" {
				t.Fatalf("the right code after: %v", err)
			}

			// Concurrent right codes authorise once.
			ref = start("pay-3")
			for _, up := range []sca.Update{{PSUID: "one", Password: str(sandboxbank.SandboxPassword)}, {MethodID: str("sms")}} {
				if _, err := svc.Update(ctx, app, ref, up); err != nil {
					t.Fatal(err)
				}
			}
			var wg sync.WaitGroup
			results := make([]string, 4)
			for i := range results {
				wg.Add(1)
				go func() {
					defer wg.Done()
					step, err := svc.Update(ctx, app, ref, sca.Update{OTP: str(sandboxbank.SandboxOTP)})
					results[i] = string(step.Status)
					if err != nil {
						results[i] = code(err)
					}
				}()
			}
			wg.Wait()
			finalised := 0
			for _, r := range results {
				if r == string(sca.Finalised) {
					finalised++
				}
			}
			if a, _ := svc.Status(ctx, app, ref); finalised < 1 || a.Status != sca.Finalised || tg.authorise > 1+1+len(results) {
				t.Fatalf("concurrent codes: %v, %+v", results, a)
			}
			if r, _ := tg.Find(ctx, "pay-3"); !r.Approved || r.Subject != "psu-one" {
				t.Fatalf("the resource: %+v", r)
			}

			// A time-out fails the authorisation and its resource when it is next read.
			ref = start("pay-4")
			now = now.Add(sca.Lifespan)
			if a, err := svc.Status(ctx, app, ref); err != nil || a.Status != sca.Failed {
				t.Fatalf("timed out: %+v %v", a, err)
			}
			if r, _ := tg.Find(ctx, "pay-4"); r.Status != "RJCT" {
				t.Fatalf("the resource of a timed-out authorisation: %+v", r)
			}
			if _, err := svc.Update(ctx, app, ref, sca.Update{PSUID: "one", Password: str(sandboxbank.SandboxPassword)}); code(err) != "403 RESOURCE_EXPIRED" {
				t.Fatalf("a step after the time-out: %v", err)
			}
		})
	}
}

// TestDecoupledOnStore: a decoupled authorisation names its customer, waits in their
// list (not another's), and is decided there by them only.
func TestDecoupledOnStore(t *testing.T) {
	ctx := context.Background()
	for _, b := range testenv.Backends {
		t.Run(b.Name, func(t *testing.T) {
			tg := &target{res: map[string]*sca.Resource{}}
			svc := &sca.Service{Store: newStore(t, b.Endpoint(t)), Targets: map[sca.Kind]sca.Target{sca.AISConsent: tg}, Customers: customers{}}
			tg.add("consent-1", "app-1")
			decoupled := sca.Preferences{Decoupled: &yes}
			if _, err := svc.Start(ctx, sca.Start{Kind: sca.AISConsent, ResourceID: "consent-1", Owner: app, Preferences: decoupled, PSUID: "nobody"}); code(err) != "401 PSU_CREDENTIALS_INVALID" {
				t.Fatalf("an unknown PSU-ID: %v", err)
			}
			st, err := svc.Start(ctx, sca.Start{Kind: sca.AISConsent, ResourceID: "consent-1", Owner: app, Preferences: decoupled})
			if err != nil || st.Status != sca.Received {
				t.Fatalf("start: %+v %v", st, err)
			}
			step, err := svc.Update(ctx, app, st.Ref(), sca.Update{PSUID: "one"})
			if err != nil || step.Status != sca.Started || step.Message == "" {
				t.Fatalf("identify: %+v %v", step, err)
			}
			if list, err := svc.WaitingFor(ctx, "psu-two"); err != nil || len(list) != 0 {
				t.Fatalf("another customer's list: %+v %v", list, err)
			}
			list, err := svc.WaitingFor(ctx, "psu-one")
			if err != nil || len(list) != 1 || list[0].ID != st.ID || list[0].Resource.Summary != "Pay 1.00 EUR." {
				t.Fatalf("the customer's list: %+v %v", list, err)
			}
			if _, err := svc.Decide(ctx, st.Ref(), "psu-two", true); !errors.Is(err, sca.ErrNotTheirs) {
				t.Fatalf("decided by another customer: %v", err)
			}
			a, err := svc.Decide(ctx, st.Ref(), "psu-one", true)
			if err != nil || a.Status != sca.Finalised {
				t.Fatalf("approved: %+v %v", a, err)
			}
			if _, err := svc.Decide(ctx, st.Ref(), "psu-one", true); !errors.Is(err, sca.ErrNotOpen) {
				t.Fatalf("approved twice: %v", err)
			}
			if list, _ := svc.WaitingFor(ctx, "psu-one"); len(list) != 0 {
				t.Fatalf("the list after the decision: %+v", list)
			}
			if _, err := svc.Start(ctx, sca.Start{Kind: sca.AISConsent, ResourceID: "consent-1", Owner: app, Preferences: decoupled}); code(err) != "409 STATUS_INVALID" {
				t.Fatalf("start on a decided resource: %v", err)
			}
		})
	}
}
