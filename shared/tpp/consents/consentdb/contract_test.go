package consentdb_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/bank/devportal/shared/local/motoserver"
	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/platform/notifylog/notifylogdb"
	"github.com/bank/devportal/shared/tpp/bgerror"
	"github.com/bank/devportal/shared/tpp/consents"
	"github.com/bank/devportal/shared/tpp/consents/consentdb"
	"github.com/bank/devportal/shared/tpp/notify"
	"github.com/bank/devportal/shared/tpp/piis"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const (
	ibanA = "BE71096123456769"
	ibanB = "BE68539007547034"
)

func ptr[T any](v T) *T { return &v }

// code is the Berlin Group code of a refusal, or the error itself.
func code(err error) string {
	var e *bgerror.Error
	if errors.As(err, &e) {
		return fmt.Sprintf("%d %s", e.Status, e.Code())
	}
	return fmt.Sprint(err)
}

// TestConsentLifecycle runs the consent rules on the TPP table, on moto and on DynamoDB
// Local: a consent is made, approved by its customer for their accounts, used within its
// daily reads, and ends; another app never sees it; each refusal has its Berlin Group
// code and changes nothing.
func TestConsentLifecycle(t *testing.T) {
	ctx := context.Background()
	for _, b := range testenv.Backends {
		t.Run(b.Name, func(t *testing.T) {
			c := testenv.Config(t, b.Endpoint(t))
			db := dynamodb.NewFromConfig(testenv.AWS(t, c))
			if err := motoserver.CreateTables(ctx, db, c); err != nil {
				t.Fatal(err)
			}
			var clock atomic.Pointer[time.Time]
			now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
			clock.Store(&now)
			svc := &consents.Service{Store: consentdb.New(db, c.TPPTable), Now: func() time.Time { return *clock.Load() }}
			bb := consents.Owner{AppID: "bb-app", OrgID: "bb", Environment: "sandbox"}
			other := consents.Owner{AppID: "other-app", OrgID: "other", Environment: "sandbox"}
			theirs := []consents.Account{{ID: "acc-a", IBAN: ibanA, Currency: "EUR"}, {ID: "acc-b", IBAN: ibanB, Currency: "EUR"}}
			req := consents.Request{Access: &consents.Access{Accounts: []consents.AccountReference{{IBAN: ibanA}}, Transactions: []consents.AccountReference{{IBAN: ibanA}}},
				RecurringIndicator: ptr(true), ValidUntil: "2026-12-31", FrequencyPerDay: ptr(2), CombinedServiceIndicator: ptr(false)}

			made, err := svc.Create(ctx, bb, req, "https://tpp.example/ok", "https://tpp.example/nok")
			if err != nil || made.Status != consents.Received || made.Kind != consents.Detailed || made.LastActionDate != "2026-12-06" {
				t.Fatalf("create: %+v %v", made, err)
			}
			// Refused requests store nothing.
			if _, err := svc.Create(ctx, bb, consents.Request{}, "", ""); code(err) != "400 FORMAT_ERROR" {
				t.Fatalf("empty request: %v", err)
			}
			// Another app's consent is unknown, as a consent that does not exist.
			for _, id := range []string{made.ID, "no-such-consent"} {
				if _, err := svc.Get(ctx, other, id); code(err) != "403 CONSENT_UNKNOWN" {
					t.Fatalf("get %s as another app: %v", id, err)
				}
				if err := svc.Terminate(ctx, other, id); code(err) != "403 CONSENT_UNKNOWN" {
					t.Fatalf("terminate %s as another app: %v", id, err)
				}
			}
			// Not yet approved, it gives no access.
			if _, err := svc.Access(ctx, bb, made.ID, "acc-a", consents.UseTransactions, false, nil); code(err) != "401 CONSENT_INVALID" {
				t.Fatalf("access before approval: %v", err)
			}
			if err := svc.Approve(ctx, made.ID, "psu-1", consents.ByBank, theirs, nil); err != nil {
				t.Fatal(err)
			}
			got, err := svc.Get(ctx, bb, made.ID)
			if err != nil || got.Status != consents.Valid || got.Grant == nil || got.Grant.Subject != "psu-1" ||
				strings.Join(got.Grant.Accounts, ",") != "acc-a" || strings.Join(got.Grant.Transactions, ",") != "acc-a" || len(got.Grant.Balances) != 0 ||
				got.RedirectURI != "https://tpp.example/ok" || got.ValidUntil != "2026-12-31" || got.FrequencyPerDay != 2 || got.AuthorisedBy != consents.ByBank {
				t.Fatalf("approved: %+v %+v %v", got, got.Grant, err)
			}
			if err := svc.Approve(ctx, made.ID, "psu-1", consents.ByBank, theirs, nil); code(err) != "409 STATUS_INVALID" {
				t.Fatalf("second approval: %v", err)
			}

			// What the grant allows, and what it does not.
			for _, c := range []struct {
				account string
				use     consents.Use
				want    string
			}{
				{"acc-a", consents.UseTransactions, "<nil>"},
				{"acc-a", consents.UseDetails, "<nil>"},
				{"", consents.UseList, "<nil>"},
				{"acc-a", consents.UseBalances, "401 CONSENT_INVALID"},
				{"acc-b", consents.UseDetails, "401 CONSENT_INVALID"},
			} {
				if _, err := svc.Access(ctx, bb, made.ID, c.account, c.use, false, nil); code(err) != c.want {
					t.Errorf("%s of %q: %v, want %s", c.use, c.account, err, c.want)
				}
			}
			// Two reads a day of an account without the customer; the third waits for
			// tomorrow. Reads the customer asked for are not counted.
			for i, want := range []string{"<nil>", "<nil>", "429 ACCESS_EXCEEDED"} {
				if _, err := svc.Access(ctx, bb, made.ID, "acc-a", consents.UseTransactions, true, nil); code(err) != want {
					t.Fatalf("unattended read %d: %v, want %s", i+1, err, want)
				}
			}
			if _, err := svc.Access(ctx, bb, made.ID, "acc-a", consents.UseTransactions, false, nil); err != nil {
				t.Fatalf("a read the customer asked for: %v", err)
			}
			// Concurrent unattended reads of another account together stay within the limit.
			var wg sync.WaitGroup
			var passed atomic.Int32
			for range 6 {
				wg.Go(func() {
					if _, err := svc.Access(ctx, bb, made.ID, "", consents.UseList, true, nil); err == nil {
						passed.Add(1)
					}
				})
			}
			wg.Wait()
			if passed.Load() != 2 {
				t.Fatalf("%d concurrent unattended reads passed, want 2", passed.Load())
			}
			tomorrow := now.Add(24 * time.Hour)
			clock.Store(&tomorrow)
			if _, err := svc.Access(ctx, bb, made.ID, "acc-a", consents.UseTransactions, true, nil); err != nil {
				t.Fatalf("the next day's read: %v", err)
			}

			// After its last day it is expired, whatever is stored.
			later := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
			clock.Store(&later)
			if got, _ := svc.Get(ctx, bb, made.ID); got.Status != consents.Expired {
				t.Fatalf("after validUntil: %s", got.Status)
			}
			if _, err := svc.Access(ctx, bb, made.ID, "acc-a", consents.UseDetails, false, nil); code(err) != "401 CONSENT_EXPIRED" {
				t.Fatalf("access when expired: %v", err)
			}
			if err := svc.Terminate(ctx, bb, made.ID); code(err) != "409 STATUS_INVALID" {
				t.Fatalf("terminate an expired consent: %v", err)
			}
			clock.Store(&now)

			// The customer revokes it at the bank; the TPP ends another; a third is refused.
			if err := svc.Revoke(ctx, made.ID, "psu-2"); code(err) != "403 CONSENT_UNKNOWN" {
				t.Fatalf("revoke by another customer: %v", err)
			}
			if err := svc.Revoke(ctx, made.ID, "psu-1"); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Access(ctx, bb, made.ID, "acc-a", consents.UseDetails, false, nil); code(err) != "401 CONSENT_INVALID" {
				t.Fatalf("access when revoked: %v", err)
			}
			ended, _ := svc.Create(ctx, bb, req, "", "")
			if err := svc.Terminate(ctx, bb, ended.ID); err != nil {
				t.Fatal(err)
			}
			if got, _ := svc.Get(ctx, bb, ended.ID); got.Status != consents.TerminatedByTPP {
				t.Fatalf("terminated: %s", got.Status)
			}
			if err := svc.Approve(ctx, ended.ID, "psu-1", consents.ByBank, theirs, nil); code(err) != "409 STATUS_INVALID" {
				t.Fatalf("approve a terminated consent: %v", err)
			}
			refused, _ := svc.Create(ctx, bb, req, "", "")
			if err := svc.Reject(ctx, refused.ID); err != nil {
				t.Fatal(err)
			}
			if got, _ := svc.Get(ctx, bb, refused.ID); got.Status != consents.Rejected {
				t.Fatalf("rejected: %s", got.Status)
			}
			// A consent naming an account the customer does not hold cannot be approved.
			foreign := req
			foreign.Access = &consents.Access{Accounts: []consents.AccountReference{{IBAN: "BE43068999999501"}}}
			f, err := svc.Create(ctx, bb, foreign, "", "")
			if err != nil {
				t.Fatal(err)
			}
			if err := svc.Approve(ctx, f.ID, "psu-1", consents.ByBank, theirs, nil); err == nil {
				t.Fatal("approved a consent for an account the customer does not hold")
			}
			if got, _ := svc.Get(ctx, bb, f.ID); got.Status != consents.Received {
				t.Fatalf("after a failed approval: %s", got.Status)
			}
		})
	}
}

// fundsBank is the sandbox bank's accounts by customer, for the funds consents' approval.
type fundsBank map[string][]sandboxbank.Account

func (b fundsBank) Accounts(_ context.Context, customerID string) ([]sandboxbank.Account, error) {
	return b[customerID], nil
}

func (b fundsBank) Ledger(context.Context, string) (sandboxbank.Ledger, error) {
	return sandboxbank.Ledger{}, errors.New("no ledger in this test")
}

// TestConsentsOfCustomer lists a customer's consents through the customer's index, on
// moto and on DynamoDB Local: only those they approved (not those waiting, nor another
// customer's), newest first, each kind by its own store; revoking one is theirs alone,
// and the list then shows it revoked.
func TestConsentsOfCustomer(t *testing.T) {
	ctx := context.Background()
	for _, b := range testenv.Backends {
		t.Run(b.Name, func(t *testing.T) {
			c := testenv.Config(t, b.Endpoint(t))
			db := dynamodb.NewFromConfig(testenv.AWS(t, c))
			if err := motoserver.CreateTables(ctx, db, c); err != nil {
				t.Fatal(err)
			}
			// The customers are this run's own: the table may hold earlier runs' consents.
			run := fmt.Sprint(time.Now().UnixNano())
			anna, luc, emma := "anna-"+run, "luc-"+run, "emma-"+run
			var clock atomic.Int64
			clock.Store(time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC).Unix())
			tick := func() time.Time { return time.Unix(clock.Add(1), 0).UTC() }
			ais := &consents.Service{Store: consentdb.New(db, c.TPPTable), Now: tick}
			cof := &piis.Service{Store: consentdb.NewPIIS(db, c.TPPTable), Now: tick,
				Bank: fundsBank{anna: {{ResourceID: "acc-a", IBAN: ibanA, Currency: "EUR", Kind: sandboxbank.Current}},
					luc: {{ResourceID: "acc-b", IBAN: ibanB, Currency: "EUR", Kind: sandboxbank.Current}}}}
			bb := consents.Owner{AppID: "bb-app", OrgID: "bb", Environment: "sandbox"}
			req := consents.Request{Access: &consents.Access{Accounts: []consents.AccountReference{{IBAN: ibanA}}},
				RecurringIndicator: ptr(true), ValidUntil: "2026-12-31", FrequencyPerDay: ptr(4), CombinedServiceIndicator: ptr(false)}
			mine := []consents.Account{{ID: "acc-a", IBAN: ibanA, Currency: "EUR"}}
			aisOf := func(subject string) string {
				m, err := ais.Create(ctx, bb, req, "", "")
				if err != nil {
					t.Fatal(err)
				}
				if subject != "" {
					if err := ais.Approve(ctx, m.ID, subject, consents.ByOAuth, mine, nil); err != nil {
						t.Fatal(err)
					}
				}
				return m.ID
			}
			piisOf := func(subject, iban string) string {
				m, err := cof.Create(ctx, bb, piis.Request{Account: &consents.AccountReference{IBAN: iban}})
				if err != nil {
					t.Fatal(err)
				}
				if err := cof.Approve(ctx, m.ID, subject, consents.ByOAuth); err != nil {
					t.Fatal(err)
				}
				return m.ID
			}
			// A consent waiting for its customer (made between the two) is not theirs yet.
			older := aisOf(anna)
			aisOf("")
			newer, othersAIS := aisOf(anna), aisOf(luc)
			funds, othersFunds := piisOf(anna, ibanA), piisOf(luc, ibanB)

			aisIDs := func(subject string, limit int) string {
				list, err := ais.ConsentsOf(ctx, subject, limit)
				if err != nil {
					t.Fatal(err)
				}
				var out []string
				for _, c := range list {
					out = append(out, c.ID+" "+string(c.Status))
				}
				return strings.Join(out, ", ")
			}
			piisIDs := func(subject string) string {
				list, err := cof.ConsentsOf(ctx, subject, 10)
				if err != nil {
					t.Fatal(err)
				}
				var out []string
				for _, c := range list {
					out = append(out, c.ID+" "+string(c.Status))
				}
				return strings.Join(out, ", ")
			}
			if got, want := aisIDs(anna, 10), newer+" valid, "+older+" valid"; got != want {
				t.Fatalf("anna's consents = %s, want %s", got, want)
			}
			if got, want := aisIDs(anna, 1), newer+" valid"; got != want {
				t.Fatalf("anna's newest consent = %s, want %s", got, want)
			}
			if got, want := aisIDs(luc, 10), othersAIS+" valid"; got != want {
				t.Fatalf("luc's consents = %s, want %s", got, want)
			}
			if got := aisIDs(emma, 10); got != "" {
				t.Fatalf("emma's consents = %s, want none", got)
			}
			if got, want := piisIDs(anna), funds+" valid"; got != want {
				t.Fatalf("anna's funds consents = %s, want %s", got, want)
			}
			if _, err := ais.ConsentsOf(ctx, anna, 0); err == nil || !strings.Contains(err.Error(), "the limit 0 is not positive") {
				t.Fatalf("a limit of 0: %v", err)
			}

			// Another customer's consent is not theirs to revoke, and does not change.
			if err := ais.Revoke(ctx, othersAIS, anna); code(err) != "403 CONSENT_UNKNOWN" {
				t.Fatalf("anna revokes luc's consent: %v", err)
			}
			if err := cof.Revoke(ctx, othersFunds, anna); code(err) != "403 CONSENT_UNKNOWN" {
				t.Fatalf("anna revokes luc's funds consent: %v", err)
			}
			if err := cof.Revoke(ctx, "no-such-consent", anna); code(err) != "403 CONSENT_UNKNOWN" {
				t.Fatalf("anna revokes a consent that does not exist: %v", err)
			}
			if got, want := aisIDs(luc, 10), othersAIS+" valid"; got != want {
				t.Fatalf("luc's consents after the refusal = %s, want %s", got, want)
			}
			if got, want := piisIDs(luc), othersFunds+" valid"; got != want {
				t.Fatalf("luc's funds consents after the refusal = %s, want %s", got, want)
			}

			if err := ais.Revoke(ctx, older, anna); err != nil {
				t.Fatal(err)
			}
			if err := cof.Revoke(ctx, funds, anna); err != nil {
				t.Fatal(err)
			}
			if got, want := aisIDs(anna, 10), newer+" valid, "+older+" revokedByPsu"; got != want {
				t.Fatalf("anna's consents after revoking = %s, want %s", got, want)
			}
			if got, want := piisIDs(anna), funds+" revokedByPsu"; got != want {
				t.Fatalf("anna's funds consents after revoking = %s, want %s", got, want)
			}
			// A revoked consent is not revoked again.
			if err := cof.Revoke(ctx, funds, anna); code(err) != "403 CONSENT_UNKNOWN" {
				t.Fatalf("revoke again: %v", err)
			}
			if got, err := cof.Find(ctx, funds); err != nil || got.Status != consents.RevokedByPSU || got.Subject != anna {
				t.Fatalf("the revoked funds consent: %+v %v", got, err)
			}
		})
	}
}

// TestNotificationsInTheChange holds the stores to their contract on moto and DynamoDB
// Local: a consent's status change queues its notifications in its own transaction, so
// one that fails its condition queues none and one that is stored queues each once, for
// both kinds of consent.
func TestNotificationsInTheChange(t *testing.T) {
	ctx := context.Background()
	for _, b := range testenv.Backends {
		t.Run(b.Name, func(t *testing.T) {
			c := testenv.Config(t, b.Endpoint(t))
			c.TPPTable = "tpp-" + testenv.Suffix()
			db := dynamodb.NewFromConfig(testenv.AWS(t, c))
			if err := motoserver.CreateTables(ctx, db, c); err != nil {
				t.Fatal(err)
			}
			now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
			clock := func() time.Time { return now }
			log := notifylogdb.New(db, c.TPPTable)
			notifier := &notify.Notifier{Log: log, Now: clock}
			sub := &notify.Subscription{URI: "https://tpp.example/notify", Content: []notify.Content{notify.PROCESS}}
			svc := &consents.Service{Store: consentdb.New(db, c.TPPTable), Now: clock, Notify: notifier}
			bb := consents.Owner{AppID: "bb-app", OrgID: "bb", Environment: "sandbox"}
			made, err := svc.Create(ctx, bb, consents.Request{Access: &consents.Access{Accounts: []consents.AccountReference{{IBAN: ibanA}}},
				RecurringIndicator: ptr(true), ValidUntil: "2026-12-31", FrequencyPerDay: ptr(2), CombinedServiceIndicator: ptr(false), Notification: sub}, "", "")
			if err != nil {
				t.Fatal(err)
			}
			queued := func() string {
				t.Helper()
				list, err := log.List(ctx, "bb-app", 10)
				if err != nil {
					t.Fatal(err)
				}
				var out []string
				for _, d := range list {
					out = append(out, d.ResourceID+":"+d.Status)
				}
				return strings.Join(out, " ")
			}
			// A change from a status the consent no longer has queues nothing.
			stale := made
			stale.Status = consents.Rejected
			note := notifier.Deliveries(ctx, consents.StatusChange(sub, "bb-app", "bb", notify.ConsentResource, made.ID, "/v1/consents/"+made.ID, consents.Valid, consents.Rejected))
			if err := consentdb.New(db, c.TPPTable).Replace(ctx, stale, consents.Valid, note...); !errors.Is(err, consents.ErrChanged) {
				t.Fatalf("replace from the wrong status: %v", err)
			}
			if got := queued(); got != "" {
				t.Fatalf("queued by a failed change: %q", got)
			}
			if err := svc.Terminate(ctx, bb, made.ID); err != nil {
				t.Fatal(err)
			}
			if got := queued(); got != made.ID+":terminatedByTpp" {
				t.Fatalf("queued by the change: %q", got)
			}
			if err := svc.Terminate(ctx, bb, made.ID); code(err) != "409 STATUS_INVALID" {
				t.Fatalf("terminated again: %v", err)
			}
			if got := queued(); got != made.ID+":terminatedByTpp" {
				t.Fatalf("queued by the refused change: %q", got)
			}

			funds := &piis.Service{Store: consentdb.NewPIIS(db, c.TPPTable), Now: clock, Notify: notifier}
			fc, err := funds.Create(ctx, bb, piis.Request{Account: &consents.AccountReference{IBAN: ibanA}, CardNumber: "1234", Notification: sub})
			if err != nil {
				t.Fatal(err)
			}
			if err := funds.Terminate(ctx, bb, fc.ID); err != nil {
				t.Fatal(err)
			}
			if got := queued(); got != made.ID+":terminatedByTpp "+fc.ID+":terminatedByTpp" && got != fc.ID+":terminatedByTpp "+made.ID+":terminatedByTpp" {
				t.Fatalf("queued by the funds consent's change: %q", got)
			}
		})
	}
}
