package paymentdb_test

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
	"github.com/bank/devportal/shared/platform/notifylog"
	"github.com/bank/devportal/shared/platform/notifylog/notifylogdb"
	"github.com/bank/devportal/shared/tpp/bgerror"
	"github.com/bank/devportal/shared/tpp/payments"
	"github.com/bank/devportal/shared/tpp/payments/paymentdb"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
	"github.com/bank/devportal/shared/tpp/sandboxbank/bankstore"
)

func TestMain(m *testing.M) { testenv.Main(m) }

var now = time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)

// code is the status and Berlin Group code of a refusal, or the error itself.
func code(err error) string {
	var e *bgerror.Error
	if errors.As(err, &e) {
		return fmt.Sprintf("%d %s", e.Status, e.Code())
	}
	return fmt.Sprint(err)
}

func iban(account int) string {
	i, err := sandboxbank.NewIBAN("BE", sandboxbank.BelgianBBAN(sandboxbank.BankCode, account))
	if err != nil {
		panic(err)
	}
	return i
}

var (
	debtorIBAN   = iban(1001)
	creditorIBAN = iban(2002)
	// otherBankIBAN is an account of another bank.
	otherBankIBAN = "DE89370400440532013000"
)

// world is the TPP table on one backend with a small bank: customer psu-1 holds
// acc-debtor with 1000.00 and no overdraft, psu-2 holds acc-creditor with 50.00.
type world struct {
	svc  *payments.Service
	bank *bankstore.Store
	// log is the delivery log of status notifications on the world's table.
	log *notifylogdb.Store
}

func newWorld(t *testing.T, endpoint string) world {
	t.Helper()
	ctx := context.Background()
	c := testenv.Config(t, endpoint)
	// A table of its own: the bank and the X-Request-IDs of one test are not another's.
	c.TPPTable = "tpp-" + testenv.Suffix()
	db := dynamodb.NewFromConfig(testenv.AWS(t, c))
	if err := motoserver.CreateTables(ctx, db, c); err != nil {
		t.Fatal(err)
	}
	account := func(id, customer, iban string) sandboxbank.Account {
		return sandboxbank.Account{ResourceID: id, CustomerID: customer, Kind: sandboxbank.Current, IBAN: iban, Currency: "EUR",
			Product: "Current Account", Name: "Main", OwnerName: customer, Usage: "PRIV", Status: "enabled"}
	}
	bank := sandboxbank.Bank{Seed: 1, Date: "2026-12-01",
		Customers: []sandboxbank.Customer{{ID: "psu-1", Login: "one"}, {ID: "psu-2", Login: "two"}},
		Accounts:  []sandboxbank.Account{account("acc-debtor", "psu-1", debtorIBAN), account("acc-creditor", "psu-2", creditorIBAN)},
		Ledgers: []sandboxbank.Ledger{{AccountID: "acc-debtor", Currency: "EUR", Booked: 100000, LastBookingDate: "2026-12-01"},
			{AccountID: "acc-creditor", Currency: "EUR", Booked: 5000, LastBookingDate: "2026-12-01"}}}
	bs := bankstore.New(db, c.TPPTable)
	if _, err := bs.Load(ctx, bank, false); err != nil {
		t.Fatal(err)
	}
	return world{svc: &payments.Service{Store: paymentdb.New(db, c.TPPTable), Now: func() time.Time { return now }}, bank: bs,
		log: notifylogdb.New(db, c.TPPTable)}
}

// balance is an account's booked money and its number of booked entries.
func (w world) balance(t *testing.T, account string) string {
	t.Helper()
	l, err := w.bank.Ledger(context.Background(), account)
	if err != nil {
		t.Fatal(err)
	}
	page, err := w.bank.Transactions(context.Background(), sandboxbank.TransactionQuery{AccountID: account, Status: sandboxbank.Booked})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%d/%d entries/%d transactions", l.Booked, l.Entries, len(page.Transactions))
}

func (w world) accounts(t *testing.T, customer string) []sandboxbank.Account {
	t.Helper()
	list, err := w.bank.Accounts(context.Background(), customer)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func body(amount, creditor string) []byte {
	return []byte(`{"debtorAccount":{"iban":"` + debtorIBAN + `"},"instructedAmount":{"currency":"EUR","amount":"` + amount +
		`"},"creditorAccount":{"iban":"` + creditor + `"},"creditorName":"Creditor","remittanceInformationUnstructured":"Invoice 7"}`)
}

var (
	tpp   = payments.Owner{AppID: "app-1", OrgID: "org-1", Environment: "sandbox"}
	other = payments.Owner{AppID: "app-2", OrgID: "org-2", Environment: "sandbox"}
)

const rid = "7c1d5e0a-0b6e-4a57-9d0c-1f6b7b2e3a41"

func requestID(i int) string { return fmt.Sprintf("7c1d5e0a-0b6e-4a57-9d0c-%012d", i) }

// TestPaymentLifecycle runs the payment rules on the TPP table, on moto and on DynamoDB
// Local: initiation exactly once per X-Request-ID, authorisation by the debtor's customer,
// execution that moves the money once, cancellation before execution only, and the
// documented outcomes; each refusal with its code and nothing changed.
func TestPaymentLifecycle(t *testing.T) {
	ctx := context.Background()
	for _, b := range testenv.Backends {
		t.Run(b.Name, func(t *testing.T) {
			w := newWorld(t, b.Endpoint(t))
			svc := w.svc

			in, err := svc.Initiate(ctx, tpp, rid, payments.Single, payments.SEPA, body("123.45", creditorIBAN), "https://tpp.example/ok", "")
			if err != nil || in.Replay || in.Status != payments.Received || in.Payment.Status != payments.Received || in.Payment.ID == "" {
				t.Fatalf("initiate: %+v %v", in, err)
			}
			id := in.Payment.ID
			// The same request again, written otherwise, is answered as the first time.
			again := []byte(strings.ReplaceAll(string(body("123.450", creditorIBAN)), ",", ", "))
			if _, err := svc.Initiate(ctx, tpp, rid, payments.Single, payments.SEPA, again, "", ""); code(err) != "400 FORMAT_ERROR" {
				t.Fatalf("an amount written otherwise is another request: %v", err)
			}
			re, err := svc.Initiate(ctx, tpp, rid, payments.Single, payments.SEPA, []byte(strings.ReplaceAll(string(body("123.45", creditorIBAN)), ",", " ,\n")), "", "")
			if err != nil || !re.Replay || re.Payment.ID != id || re.Status != payments.Received {
				t.Fatalf("replay: %+v %v", re, err)
			}
			// Another body, or another product, under the same X-Request-ID is refused.
			if _, err := svc.Initiate(ctx, tpp, rid, payments.Single, payments.SEPA, body("1.00", creditorIBAN), "", ""); code(err) != "400 FORMAT_ERROR" {
				t.Fatalf("reused X-Request-ID: %v", err)
			}
			if _, err := svc.Initiate(ctx, tpp, rid, payments.Single, payments.InstantSEPA, body("123.45", creditorIBAN), "", ""); code(err) != "400 FORMAT_ERROR" {
				t.Fatalf("reused X-Request-ID for another product: %v", err)
			}
			// Another app may use the same X-Request-ID for its own payment.
			if o, err := svc.Initiate(ctx, other, rid, payments.Single, payments.SEPA, body("123.45", creditorIBAN), "", ""); err != nil || o.Replay || o.Payment.ID == id {
				t.Fatalf("another app's request: %+v %v", o, err)
			}
			// Another app's payment, or the payment under another product, is unknown.
			for _, c := range []struct {
				o       payments.Owner
				product payments.Product
				id      string
			}{{other, payments.SEPA, id}, {tpp, payments.InstantSEPA, id}, {tpp, payments.SEPA, "no-such-payment"}} {
				if _, err := svc.Get(ctx, c.o, payments.Single, c.product, c.id); code(err) != "403 RESOURCE_UNKNOWN" {
					t.Fatalf("get %+v: %v", c, err)
				}
				if _, err := svc.Cancel(ctx, c.o, payments.Single, c.product, c.id); code(err) != "403 RESOURCE_UNKNOWN" {
					t.Fatalf("cancel %+v: %v", c, err)
				}
			}

			// A customer who does not hold the debtor account cannot authorise it.
			if _, err := svc.Authorise(ctx, id, "psu-2", w.accounts(t, "psu-2")); !errors.Is(err, payments.ErrNotGrantable) {
				t.Fatalf("authorise by another customer: %v", err)
			}
			if p, _ := svc.Get(ctx, tpp, payments.Single, payments.SEPA, id); p.Status != payments.Received {
				t.Fatalf("after the refused authorisation: %s", p.Status)
			}
			debtorBefore, creditorBefore := w.balance(t, "acc-debtor"), w.balance(t, "acc-creditor")
			if debtorBefore != "100000/0 entries/0 transactions" || creditorBefore != "5000/0 entries/0 transactions" {
				t.Fatalf("bank before: %s, %s", debtorBefore, creditorBefore)
			}
			// Authorised by its customer, it is executed at once: both accounts are this
			// bank's, so both sides are booked.
			p, err := svc.Authorise(ctx, id, "psu-1", w.accounts(t, "psu-1"))
			if err != nil || p.Status != payments.CreditorSettled || p.DebtorAccountID != "acc-debtor" || p.Subject != "psu-1" {
				t.Fatalf("authorise: %+v %v", p, err)
			}
			if d, c := w.balance(t, "acc-debtor"), w.balance(t, "acc-creditor"); d != "87655/1 entries/1 transactions" || c != "17345/1 entries/1 transactions" {
				t.Fatalf("bank after the execution: %s, %s", d, c)
			}
			// It is executed once; an executed payment cannot be cancelled.
			if _, err := svc.Execute(ctx, id); code(err) != "409 STATUS_INVALID" {
				t.Fatalf("second execution: %v", err)
			}
			if _, err := svc.Cancel(ctx, tpp, payments.Single, payments.SEPA, id); code(err) != "405 CANCELLATION_INVALID" {
				t.Fatalf("cancel executed: %v", err)
			}
			if _, err := svc.Authorise(ctx, id, "psu-1", w.accounts(t, "psu-1")); code(err) != "409 STATUS_INVALID" {
				t.Fatalf("second authorisation: %v", err)
			}
			if d, c := w.balance(t, "acc-debtor"), w.balance(t, "acc-creditor"); d != "87655/1 entries/1 transactions" || c != "17345/1 entries/1 transactions" {
				t.Fatalf("bank after the refusals: %s, %s", d, c)
			}
			if got, err := svc.Get(ctx, tpp, payments.Single, payments.SEPA, id); err != nil || got.Status != payments.CreditorSettled || got.Transfer.InstructedAmount.Amount != "123.45" {
				t.Fatalf("read back: %+v %v", got, err)
			}

			// Outcomes, each from a fresh payment: (amount, creditor) → status, reason,
			// and the debtor's and creditor's ledgers after.
			for i, c := range []struct {
				amount, creditor, status, reason, debtor, creditorAfter string
			}{
				{"10.00", otherBankIBAN, "ACSC", "", "86655/2 entries/2 transactions", "17345/1 entries/1 transactions"},
				{"13.13", creditorIBAN, "RJCT", "MS03", "86655/2 entries/2 transactions", "17345/1 entries/1 transactions"},
				{"14.14", creditorIBAN, "RJCT", "AM04", "86655/2 entries/2 transactions", "17345/1 entries/1 transactions"},
				{"15.15", creditorIBAN, "ACSP", "", "86655/2 entries/2 transactions", "17345/1 entries/1 transactions"},
				{"866.56", creditorIBAN, "RJCT", "AM04", "86655/2 entries/2 transactions", "17345/1 entries/1 transactions"},
				{"866.55", creditorIBAN, "ACCC", "", "0/3 entries/3 transactions", "104000/2 entries/2 transactions"},
			} {
				in, err := svc.Initiate(ctx, tpp, requestID(i), payments.Single, payments.SEPA, body(c.amount, c.creditor), "", "")
				if err != nil {
					t.Fatal(err)
				}
				p, err := svc.Authorise(ctx, in.Payment.ID, "psu-1", w.accounts(t, "psu-1"))
				if err != nil || string(p.Status) != c.status || p.Reason != c.reason {
					t.Fatalf("%s: %s %q %v, want %s %q", c.amount, p.Status, p.Reason, err, c.status, c.reason)
				}
				if d, cr := w.balance(t, "acc-debtor"), w.balance(t, "acc-creditor"); d != c.debtor || cr != c.creditorAfter {
					t.Fatalf("%s: bank after: %s, %s; want %s, %s", c.amount, d, cr, c.debtor, c.creditorAfter)
				}
			}
		})
	}
}

// TestCancellationAndBulk: a payment is cancelled before its execution, not after; a
// rejected one cannot be; a bulk with a documented rejection is partly executed.
func TestCancellationAndBulk(t *testing.T) {
	ctx := context.Background()
	for _, b := range testenv.Backends {
		t.Run(b.Name, func(t *testing.T) {
			w := newWorld(t, b.Endpoint(t))
			svc := w.svc
			received, err := svc.Initiate(ctx, tpp, requestID(1), payments.Single, payments.SEPA, body("1.00", creditorIBAN), "", "")
			if err != nil {
				t.Fatal(err)
			}
			if p, err := svc.Cancel(ctx, tpp, payments.Single, payments.SEPA, received.Payment.ID); err != nil || p.Status != payments.Cancelled {
				t.Fatalf("cancel received: %+v %v", p, err)
			}
			if _, err := svc.Cancel(ctx, tpp, payments.Single, payments.SEPA, received.Payment.ID); code(err) != "405 CANCELLATION_INVALID" {
				t.Fatalf("cancel twice: %v", err)
			}
			if _, err := svc.Authorise(ctx, received.Payment.ID, "psu-1", w.accounts(t, "psu-1")); code(err) != "409 STATUS_INVALID" {
				t.Fatalf("authorise cancelled: %v", err)
			}
			// Accepted for tomorrow, it waits and can still be cancelled.
			later := []byte(strings.Replace(string(body("2.00", creditorIBAN)), `{`, `{"requestedExecutionDate":"2026-12-07",`, 1))
			future, err := svc.Initiate(ctx, tpp, requestID(2), payments.Single, payments.SEPA, later, "", "")
			if err != nil {
				t.Fatal(err)
			}
			if p, err := svc.Authorise(ctx, future.Payment.ID, "psu-1", w.accounts(t, "psu-1")); err != nil || p.Status != payments.Accepted {
				t.Fatalf("authorise for tomorrow: %+v %v", p, err)
			}
			if p, err := svc.Cancel(ctx, tpp, payments.Single, payments.SEPA, future.Payment.ID); err != nil || p.Status != payments.Cancelled {
				t.Fatalf("cancel accepted: %+v %v", p, err)
			}
			if _, err := svc.Execute(ctx, future.Payment.ID); code(err) != "409 STATUS_INVALID" {
				t.Fatalf("execute cancelled: %v", err)
			}
			// Repeated the next day, when its execution date has passed, the request is
			// answered as the first time; another request of that date is refused.
			nextDay := &payments.Service{Store: svc.Store, Now: func() time.Time { return now.Add(24 * time.Hour) }}
			today := []byte(strings.Replace(string(body("2.50", creditorIBAN)), `{`, `{"requestedExecutionDate":"2026-12-06",`, 1))
			made, err := svc.Initiate(ctx, tpp, requestID(6), payments.Single, payments.SEPA, today, "", "")
			if err != nil {
				t.Fatal(err)
			}
			if re, err := nextDay.Initiate(ctx, tpp, requestID(6), payments.Single, payments.SEPA, today, "", ""); err != nil || !re.Replay || re.Payment.ID != made.Payment.ID {
				t.Fatalf("replay the next day: %+v %v", re, err)
			}
			if _, err := nextDay.Initiate(ctx, tpp, requestID(7), payments.Single, payments.SEPA, today, "", ""); code(err) != "400 EXECUTION_DATE_INVALID" {
				t.Fatalf("a new request of a past date: %v", err)
			}
			if _, err := svc.Cancel(ctx, tpp, payments.Single, payments.SEPA, made.Payment.ID); err != nil {
				t.Fatal(err)
			}
			// Refused by the customer, it is rejected and cannot be cancelled.
			refused, _ := svc.Initiate(ctx, tpp, requestID(3), payments.Single, payments.SEPA, body("3.00", creditorIBAN), "", "")
			if err := svc.Reject(ctx, refused.Payment.ID); err != nil {
				t.Fatal(err)
			}
			if p, _ := svc.Get(ctx, tpp, payments.Single, payments.SEPA, refused.Payment.ID); p.Status != payments.Rejected || p.Reason != payments.ReasonCustomer {
				t.Fatalf("refused: %+v", p)
			}
			if _, err := svc.Cancel(ctx, tpp, payments.Single, payments.SEPA, refused.Payment.ID); code(err) != "405 CANCELLATION_INVALID" {
				t.Fatalf("cancel rejected: %v", err)
			}
			if d := w.balance(t, "acc-debtor"); d != "100000/0 entries/0 transactions" {
				t.Fatalf("money moved: %s", d)
			}

			entry := func(amount, creditor string) string {
				return `{"instructedAmount":{"currency":"EUR","amount":"` + amount + `"},"creditorAccount":{"iban":"` + creditor + `"},"creditorName":"C"}`
			}
			bulk := []byte(`{"debtorAccount":{"iban":"` + debtorIBAN + `"},"payments":[` + entry("1.00", creditorIBAN) + "," + entry("14.14", creditorIBAN) + "," +
				entry("2.00", otherBankIBAN) + "," + entry("3.00", creditorIBAN) + `]}`)
			in, err := svc.Initiate(ctx, tpp, requestID(4), payments.Bulk, payments.SEPA, bulk, "", "")
			if err != nil {
				t.Fatal(err)
			}
			p, err := svc.Authorise(ctx, in.Payment.ID, "psu-1", w.accounts(t, "psu-1"))
			if err != nil || p.Status != payments.PartAccepted || p.Reason != "AM04" || fmt.Sprint(p.RejectedEntries) != "[1]" {
				t.Fatalf("bulk: %+v %v", p, err)
			}
			if d, c := w.balance(t, "acc-debtor"), w.balance(t, "acc-creditor"); d != "99400/3 entries/3 transactions" || c != "5400/2 entries/2 transactions" {
				t.Fatalf("bank after the bulk: %s, %s", d, c)
			}
			// The largest bulk, every payment within the bank, executes in one transaction.
			var entries []string
			for range payments.MaxBulk {
				entries = append(entries, entry("1.00", creditorIBAN))
			}
			largest := []byte(`{"debtorAccount":{"iban":"` + debtorIBAN + `"},"payments":[` + strings.Join(entries, ",") + `]}`)
			if in, err = svc.Initiate(ctx, tpp, requestID(5), payments.Bulk, payments.SEPA, largest, "", ""); err != nil {
				t.Fatal(err)
			}
			if p, err := svc.Authorise(ctx, in.Payment.ID, "psu-1", w.accounts(t, "psu-1")); err != nil || p.Status != payments.CreditorSettled {
				t.Fatalf("largest bulk: %+v %v", p, err)
			}
			if d, c := w.balance(t, "acc-debtor"), w.balance(t, "acc-creditor"); d != "97900/18 entries/18 transactions" || c != "6900/17 entries/17 transactions" {
				t.Fatalf("bank after the largest bulk: %s, %s", d, c)
			}
		})
	}
}

// TestExactlyOnce sends one initiation 50 times at once, then executes the payment 50
// times at once: one payment, one ledger change.
func TestExactlyOnce(t *testing.T) {
	ctx := context.Background()
	for _, b := range testenv.Backends {
		t.Run(b.Name, func(t *testing.T) {
			w := newWorld(t, b.Endpoint(t))
			svc := w.svc
			const n = 50
			later := []byte(strings.Replace(string(body("25.00", creditorIBAN)), `{`, `{"requestedExecutionDate":"2026-12-07",`, 1))
			var wg sync.WaitGroup
			ids := make([]string, n)
			errs := make([]error, n)
			var fresh atomic.Int32
			for i := range n {
				wg.Go(func() {
					in, err := svc.Initiate(ctx, tpp, rid, payments.Single, payments.SEPA, later, "", "")
					ids[i], errs[i] = in.Payment.ID, err
					if err == nil && !in.Replay {
						fresh.Add(1)
					}
				})
			}
			wg.Wait()
			for i := range n {
				if errs[i] != nil || ids[i] != ids[0] {
					t.Fatalf("initiation %d: %q %v (first %q)", i, ids[i], errs[i], ids[0])
				}
			}
			if fresh.Load() != 1 {
				t.Fatalf("%d initiations made a payment, want 1", fresh.Load())
			}
			if p, err := svc.Authorise(ctx, ids[0], "psu-1", w.accounts(t, "psu-1")); err != nil || p.Status != payments.Accepted {
				t.Fatalf("authorise: %+v %v", p, err)
			}
			var executed atomic.Int32
			codes := make([]string, n)
			for i := range n {
				wg.Go(func() {
					p, err := svc.Execute(ctx, ids[0])
					if err == nil && p.Status == payments.CreditorSettled {
						executed.Add(1)
						return
					}
					codes[i] = code(err)
				})
			}
			wg.Wait()
			if executed.Load() != 1 {
				t.Fatalf("%d executions, want 1", executed.Load())
			}
			for i, c := range codes {
				if c != "" && c != "409 STATUS_INVALID" {
					t.Fatalf("execution %d: %s", i, c)
				}
			}
			if d, c := w.balance(t, "acc-debtor"), w.balance(t, "acc-creditor"); d != "97500/1 entries/1 transactions" || c != "7500/1 entries/1 transactions" {
				t.Fatalf("bank after 50 executions: %s, %s", d, c)
			}
		})
	}
}

// TestNotificationsInTheChange holds the store to its contract on moto and DynamoDB
// Local: the notifications of a status change are queued in the change's transaction, so
// a change that fails its condition queues none and one that is stored queues each once;
// an execution's notifications go with its bookings.
func TestNotificationsInTheChange(t *testing.T) {
	ctx := context.Background()
	for _, b := range testenv.Backends {
		t.Run(b.Name, func(t *testing.T) {
			w := newWorld(t, b.Endpoint(t))
			st := w.svc.Store
			in, err := w.svc.Initiate(ctx, tpp, requestID(900), payments.Single, payments.SEPA, body("5.00", creditorIBAN), "", "")
			if err != nil {
				t.Fatal(err)
			}
			p := in.Payment
			note := func(status string) notifylog.Delivery {
				return notifylog.Delivery{ID: "n-" + p.ID + "-" + status, AppID: tpp.AppID, OrgID: tpp.OrgID, ResourceType: "payment", ResourceID: p.ID,
					Href: "/v1/payments/sepa-credit-transfers/" + p.ID, StatusAttribute: "transactionStatus", Status: status,
					URI: "https://tpp.example/notify", CreatedAt: now, Outcome: notifylog.Pending, Attempts: []notifylog.Attempt{}, NextAttemptAt: &now}
			}
			queued := func() string {
				t.Helper()
				list, err := w.log.List(ctx, tpp.AppID, 10)
				if err != nil {
					t.Fatal(err)
				}
				out := ""
				for _, d := range list {
					out += d.ID + " "
				}
				return out
			}
			accepted := p
			accepted.Status, accepted.Subject, accepted.DebtorAccountID, accepted.DebtorCurrency = payments.Accepted, "psu-1", "acc-debtor", "EUR"
			// The wrong status read: nothing changes, nothing is queued.
			if err := st.Replace(ctx, accepted, payments.Accepted, note("ACTC")); !errors.Is(err, payments.ErrChanged) {
				t.Fatalf("replace from the wrong status: %v", err)
			}
			if got := queued(); got != "" {
				t.Fatalf("queued by a failed change: %q", got)
			}
			if err := st.Replace(ctx, accepted, payments.Received, note("ACTC")); err != nil {
				t.Fatal(err)
			}
			if got := queued(); got != "n-"+p.ID+"-ACTC " {
				t.Fatalf("queued by the change: %q", got)
			}
			// The same change again fails its condition and queues nothing more.
			if err := st.Replace(ctx, accepted, payments.Received, note("ACTC")); !errors.Is(err, payments.ErrChanged) {
				t.Fatalf("the change again: %v", err)
			}
			done := accepted
			done.Status = payments.Settled
			bookings := []sandboxbank.Booking{
				{ID: p.ID + "-d", AccountID: "acc-debtor", Amount: sandboxbank.Money{Minor: -500, Currency: "EUR"}, BookingDate: "2026-12-06", ValueDate: "2026-12-06", At: now},
				{ID: p.ID + "-c", AccountID: "acc-creditor", Amount: sandboxbank.Money{Minor: 500, Currency: "EUR"}, BookingDate: "2026-12-06", ValueDate: "2026-12-06", At: now}}
			if err := st.Execute(ctx, done, payments.Received, bookings, note("ACSC")); !errors.Is(err, payments.ErrChanged) {
				t.Fatalf("execute from the wrong status: %v", err)
			}
			if got := queued(); got != "n-"+p.ID+"-ACTC " {
				t.Fatalf("queued by a failed execution: %q", got)
			}
			if err := st.Execute(ctx, done, payments.Accepted, bookings, note("ACSC")); err != nil {
				t.Fatal(err)
			}
			if got := queued(); got != "n-"+p.ID+"-ACSC n-"+p.ID+"-ACTC " && got != "n-"+p.ID+"-ACTC n-"+p.ID+"-ACSC " {
				t.Fatalf("queued by the execution: %q", got)
			}
			if got, _ := st.Get(ctx, p.ID); got.Status != payments.Settled {
				t.Errorf("executed: %s", got.Status)
			}
		})
	}
}
