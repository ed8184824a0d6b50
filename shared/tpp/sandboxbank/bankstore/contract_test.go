package bankstore_test

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/bank/devportal/shared/local/motoserver"
	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
	"github.com/bank/devportal/shared/tpp/sandboxbank/bankstore"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// backends are the DynamoDB implementations the contract runs against.
var backends = testenv.Backends

// newStore returns a store over a fresh TPP table on endpoint.
func newStore(t *testing.T, endpoint string) *bankstore.Store {
	t.Helper()
	c := testenv.Config(t, endpoint)
	c.TPPTable = "tpp-" + testenv.Suffix()
	db := dynamodb.NewFromConfig(testenv.AWS(t, c))
	if err := motoserver.CreateTables(context.Background(), db, c); err != nil {
		t.Fatalf("create tables: %v", err)
	}
	return bankstore.New(db, c.TPPTable)
}

func TestBankStoreContract(t *testing.T) {
	for _, b := range backends {
		t.Run(b.Name, func(t *testing.T) {
			endpoint := b.Endpoint(t)
			for _, c := range contract {
				t.Run(c.name, func(t *testing.T) { c.run(t, newStore(t, endpoint)) })
			}
		})
	}
}

var (
	bankDate = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	today    = "2026-11-30"
	noon     = bankDate.Add(12 * time.Hour)
)

// smallBank is one customer with one current account (limit 100.00) holding 500.00 over
// seven bookings, and one pending card payment of 20.00.
func smallBank() sandboxbank.Bank {
	acc := sandboxbank.Account{ResourceID: "acc-1", CustomerID: "cust-1", Kind: sandboxbank.Current, IBAN: "BE68539007547034",
		Currency: "EUR", Product: "Current Account", Name: "Main", OwnerName: "Test Person", Usage: "PRIV", Status: "enabled", CreditLimit: 10000}
	bank := sandboxbank.Bank{Seed: 7, Date: today,
		Customers: []sandboxbank.Customer{{ID: "cust-1", Login: "test.person", DisplayName: "Test Person", Kind: sandboxbank.Private,
			Password: sandboxbank.SandboxPassword, OTP: sandboxbank.SandboxOTP}},
		Accounts: []sandboxbank.Account{acc}}
	ledger := sandboxbank.Ledger{AccountID: "acc-1", Currency: "EUR", CreditLimit: 10000}
	for i, d := range []string{"2026-09-01", "2026-09-15", "2026-10-01", "2026-10-01", "2026-10-20", "2026-11-02", "2026-11-29"} {
		amount := []int64{20000, -5000, 20000, -5000, 20000, -5000, 5000}[i]
		tx := sandboxbank.Transaction{ID: "tx-" + string(rune('a'+i)), AccountID: "acc-1", Status: sandboxbank.Booked,
			EntryReference: sandboxbank.EntryReference(int64(i + 1)), BookingDate: d, ValueDate: d,
			Amount: sandboxbank.Money{Minor: amount, Currency: "EUR"}, Counterparty: sandboxbank.Party{Name: "Someone"},
			Remittance: "Entry", BankTransactionCode: "PMNT-RCDT-ESCT"}
		ledger.Post(tx, time.Date(2026, 11, 29, 17, 0, 0, 0, time.UTC))
		bank.Transactions = append(bank.Transactions, tx)
	}
	pending := sandboxbank.Transaction{ID: "tx-pending", AccountID: "acc-1", Status: sandboxbank.Pending, ValueDate: "2026-12-01",
		Amount: sandboxbank.Money{Minor: -2000, Currency: "EUR"}, Counterparty: sandboxbank.Party{Name: "Shop"}, Remittance: "Card", BankTransactionCode: "PMNT-CCRD-POSD"}
	ledger.Post(pending, time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC))
	bank.Transactions = append(bank.Transactions, pending)
	bank.Ledgers = []sandboxbank.Ledger{ledger}
	return bank
}

func load(t *testing.T, s *bankstore.Store, bank sandboxbank.Bank) {
	t.Helper()
	if _, err := s.Load(context.Background(), bank, false); err != nil {
		t.Fatalf("load: %v", err)
	}
}

func wantErr(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error = %v, want %v", err, want)
	}
}

// allBooked pages through an account's booked transactions between two dates.
func allBooked(t *testing.T, s *bankstore.Store, account, from, to string, limit int) ([]sandboxbank.Transaction, int) {
	t.Helper()
	var all []sandboxbank.Transaction
	pages := 0
	q := sandboxbank.TransactionQuery{AccountID: account, Status: sandboxbank.Booked, From: from, To: to, Limit: limit}
	for {
		page, err := s.Transactions(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		all = append(all, page.Transactions...)
		if page.Next == "" {
			return all, pages
		}
		if len(page.Transactions) != limit {
			t.Fatalf("page %d has %d transactions and a next page", pages, len(page.Transactions))
		}
		q.Cursor = page.Next
	}
}

func debit(id string, minor int64, date string) sandboxbank.Booking {
	return sandboxbank.Booking{ID: id, AccountID: "acc-1", Amount: sandboxbank.Money{Minor: minor, Currency: "EUR"},
		BookingDate: date, ValueDate: date, Counterparty: sandboxbank.Party{Name: "Payee", IBAN: "DE89370400440532013000"},
		Remittance: "Payment", BankTransactionCode: "PMNT-ICDT-ESCT", At: noon}
}

var contract = []struct {
	name string
	run  func(t *testing.T, s *bankstore.Store)
}{
	{"the generated bank loads once and reads back as generated", func(t *testing.T, s *bankstore.Store) {
		ctx := context.Background()
		bank := sandboxbank.Generate(1, bankDate)
		res, err := s.Load(ctx, bank, false)
		if err != nil || res.Skipped || res.Items != len(bank.Customers)+len(bank.Accounts)+len(bank.Ledgers)+len(bank.Transactions) {
			t.Fatalf("load = %+v, %v", res, err)
		}
		t.Logf("loaded %d items in %d requests in %v", res.Items, res.Requests, res.Duration)
		again, err := s.Load(ctx, bank, false)
		if err != nil || !again.Skipped {
			t.Fatalf("second load = %+v, %v; want skipped", again, err)
		}
		_, err = s.Load(ctx, sandboxbank.Generate(2, bankDate), false)
		wantErr(t, err, sandboxbank.ErrOtherBankLoaded)

		for _, c := range bank.Customers {
			got, err := s.CustomerByLogin(ctx, c.Login)
			if err != nil || !reflect.DeepEqual(got, c) {
				t.Fatalf("customer %s = %+v, %v", c.Login, got, err)
			}
			accounts, err := s.Accounts(ctx, c.ID)
			var want []sandboxbank.Account
			for _, a := range bank.Accounts {
				if a.CustomerID == c.ID {
					want = append(want, a)
				}
			}
			if err != nil || !reflect.DeepEqual(accounts, want) {
				t.Fatalf("accounts of %s = %d, %v; want %d", c.Login, len(accounts), err, len(want))
			}
		}
		_, err = s.CustomerByLogin(ctx, "nobody.here")
		wantErr(t, err, sandboxbank.ErrCustomerUnknown)

		a := bank.Accounts[0]
		if got, err := s.Account(ctx, a.ResourceID); err != nil || !reflect.DeepEqual(got, a) {
			t.Fatalf("account = %+v, %v", got, err)
		}
		if got, err := s.Ledger(ctx, a.ResourceID); err != nil || !reflect.DeepEqual(got, bank.Ledgers[0]) {
			t.Fatalf("ledger = %+v, %v; want %+v", got, err, bank.Ledgers[0])
		}
		var want []sandboxbank.Transaction
		for _, tx := range bank.Transactions {
			if tx.AccountID == a.ResourceID && tx.Status == sandboxbank.Booked && tx.BookingDate >= "2026-03-01" && tx.BookingDate <= "2026-05-31" {
				want = append(want, tx)
			}
		}
		got, pages := allBooked(t, s, a.ResourceID, "2026-03-01", "2026-05-31", 20)
		if !reflect.DeepEqual(got, want) || pages != len(want)/20+1 {
			t.Fatalf("March to May: %d transactions in %d pages, want %d", len(got), pages, len(want))
		}
	}},
	{"transactions page by booking date, then entry", func(t *testing.T, s *bankstore.Store) {
		ctx := context.Background()
		bank := smallBank()
		load(t, s, bank)
		booked := bank.Transactions[:7]
		cases := []struct {
			from, to string
			limit    int
			want     []sandboxbank.Transaction
			pages    int
		}{
			{"", "", 3, booked, 3},
			{"", "", 7, booked, 1},
			{"", "", 0, booked, 1},
			{"2026-10-01", "2026-10-01", 1, booked[2:4], 2},
			{"2026-09-15", "2026-11-02", 2, booked[1:6], 3},
			{"2026-11-03", "", 5, booked[6:], 1},
			{"2026-12-01", "", 5, nil, 1},
		}
		for _, c := range cases {
			got, pages := allBooked(t, s, "acc-1", c.from, c.to, c.limit)
			if !reflect.DeepEqual(got, c.want) || pages != c.pages {
				t.Errorf("%s..%s by %d: %d transactions in %d pages, want %d in %d", c.from, c.to, c.limit, len(got), pages, len(c.want), c.pages)
			}
		}
		pending, err := s.Transactions(ctx, sandboxbank.TransactionQuery{AccountID: "acc-1", Status: sandboxbank.Pending})
		if err != nil || !reflect.DeepEqual(pending.Transactions, bank.Transactions[7:]) || pending.Next != "" {
			t.Fatalf("pending = %+v, %v", pending, err)
		}
		first, err := s.Transactions(ctx, sandboxbank.TransactionQuery{AccountID: "acc-1", Status: sandboxbank.Booked, Limit: 2})
		if err != nil || first.Next == "" {
			t.Fatalf("first page = %+v, %v", first, err)
		}
		for _, q := range []sandboxbank.TransactionQuery{
			{AccountID: "acc-1", Status: sandboxbank.Booked, Cursor: "not base64!"},
			{AccountID: "acc-1", Status: sandboxbank.Booked, From: "2026-11-01", Cursor: first.Next},
			{AccountID: "acc-1", Status: sandboxbank.Pending, Cursor: first.Next},
		} {
			_, err := s.Transactions(ctx, q)
			wantErr(t, err, sandboxbank.ErrCursorInvalid)
		}
		for _, q := range []sandboxbank.TransactionQuery{
			{AccountID: "acc-1", Status: sandboxbank.Booked, From: "2026-11-02", To: "2026-11-01"},
			{AccountID: "acc-1", Status: sandboxbank.Booked, From: "~~"},
			{AccountID: "acc-1", Status: sandboxbank.Booked, To: "2026-13-01"},
			{AccountID: "acc-1", Status: sandboxbank.Pending, From: "2026-11-01"},
		} {
			_, err := s.Transactions(ctx, q)
			wantErr(t, err, sandboxbank.ErrPeriodInvalid)
		}
		none, err := s.Transactions(ctx, sandboxbank.TransactionQuery{AccountID: "no-such", Status: sandboxbank.Booked})
		if err != nil || len(none.Transactions) != 0 {
			t.Fatalf("unknown account's transactions = %+v, %v", none, err)
		}
		_, err = s.Account(ctx, "no-such")
		wantErr(t, err, sandboxbank.ErrAccountUnknown)
		_, err = s.Ledger(ctx, "no-such")
		wantErr(t, err, sandboxbank.ErrAccountUnknown)
	}},
	{"pages link to the next, previous and last page, and each link is stable", func(t *testing.T, s *bankstore.Store) {
		ctx := context.Background()
		bank := smallBank()
		load(t, s, bank)
		booked := bank.Transactions[:7]
		q := sandboxbank.TransactionQuery{AccountID: "acc-1", Status: sandboxbank.Booked, Limit: 3}
		at := func(cursor string) sandboxbank.TransactionPage {
			t.Helper()
			q := q
			q.Cursor = cursor
			page, err := s.Transactions(ctx, q)
			if err != nil {
				t.Fatalf("page at %q: %v", cursor, err)
			}
			return page
		}
		type shape struct {
			txs                  []sandboxbank.Transaction
			next, previous, last bool
		}
		expect := func(name string, p sandboxbank.TransactionPage, want shape) {
			t.Helper()
			if !reflect.DeepEqual(p.Transactions, want.txs) || (p.Next != "") != want.next || (p.Previous != "") != want.previous || (p.Last != "") != want.last {
				t.Fatalf("%s: %d transactions, next %q, previous %q, last %q; want %d, %v %v %v", name, len(p.Transactions), p.Next, p.Previous, p.Last,
					len(want.txs), want.next, want.previous, want.last)
			}
		}
		// Forwards from the first page: 3, 3, 1.
		first := at("")
		expect("first", first, shape{booked[0:3], true, false, true})
		second := at(first.Next)
		expect("second", second, shape{booked[3:6], true, true, true})
		third := at(second.Next)
		expect("third", third, shape{booked[6:7], false, true, false})
		// Backwards from the last page: 3, 3, 1, each page ending where the next begins.
		last := at(first.Last)
		expect("last", last, shape{booked[4:7], false, true, false})
		before := at(last.Previous)
		expect("before the last", before, shape{booked[1:4], true, true, true})
		earliest := at(before.Previous)
		expect("earliest", earliest, shape{booked[0:1], true, false, true})
		expect("after the earliest", at(earliest.Next), shape{booked[1:4], true, true, true})
		expect("before the second", at(second.Previous), shape{booked[0:3], true, false, true})
		// The same cursor gives the same page again.
		expect("second again", at(first.Next), shape{booked[3:6], true, true, true})
		// A cursor of another query is refused.
		for _, c := range []string{first.Next, last.Previous} {
			_, err := s.Transactions(ctx, sandboxbank.TransactionQuery{AccountID: "acc-1", Status: sandboxbank.Pending, Cursor: c})
			wantErr(t, err, sandboxbank.ErrCursorInvalid)
		}
	}},
	{"a transaction is found by its ID within its account only", func(t *testing.T, s *bankstore.Store) {
		ctx := context.Background()
		bank := smallBank()
		load(t, s, bank)
		for _, want := range []sandboxbank.Transaction{bank.Transactions[2], bank.Transactions[7]} {
			got, err := s.Transaction(ctx, "acc-1", want.ID)
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("transaction %s = %+v, %v", want.ID, got, err)
			}
		}
		for _, c := range []struct{ account, id string }{{"acc-2", "tx-c"}, {"acc-1", "tx-none"}, {"acc-1", ""}} {
			_, err := s.Transaction(ctx, c.account, c.id)
			wantErr(t, err, sandboxbank.ErrTransactionUnknown)
		}
	}},
	{"a booking changes the transactions and the ledger together", func(t *testing.T, s *bankstore.Store) {
		ctx := context.Background()
		load(t, s, smallBank())
		tx, err := s.Book(ctx, debit("pay-1", -12345, today))
		if err != nil || tx.EntryReference != sandboxbank.EntryReference(8) || tx.Status != sandboxbank.Booked {
			t.Fatalf("book = %+v, %v", tx, err)
		}
		if _, err := s.Book(ctx, debit("pay-2", 5000, today)); err != nil {
			t.Fatal(err)
		}
		l, err := s.Ledger(ctx, "acc-1")
		if err != nil || l.Booked != 50000-12345+5000 || l.BookedBefore != 50000 || l.LastBookingDate != today || l.Entries != 9 ||
			l.LastEntryReference != sandboxbank.EntryReference(9) || !l.LastChange.Equal(noon) || l.PendingDebits != -2000 {
			t.Fatalf("ledger = %+v, %v", l, err)
		}
		bal := map[string]string{}
		for _, b := range l.Balances(bankDate) {
			bal[b.BalanceType+b.ReferenceDate] = b.BalanceAmount.Amount
		}
		if bal["closingBooked2026-11-29"] != "500.00" || bal["interimBooked2026-11-30"] != "426.55" || bal["expected2026-11-30"] != "406.55" {
			t.Fatalf("balances = %v", bal)
		}
		got, _ := allBooked(t, s, "acc-1", today, today, 10)
		if len(got) != 2 || got[0].ID != "pay-1" || got[1].ID != "pay-2" || got[0].Amount.Minor != -12345 {
			t.Fatalf("today's transactions = %+v", got)
		}
	}},
	{"a booking that would overdraw is refused and changes nothing", func(t *testing.T, s *bankstore.Store) {
		ctx := context.Background()
		load(t, s, smallBank())
		before, _ := s.Ledger(ctx, "acc-1")
		// Available: 500.00 booked - 20.00 pending + 100.00 limit = 580.00.
		_, err := s.Book(ctx, debit("pay-1", -58001, today))
		wantErr(t, err, sandboxbank.ErrOverdraft)
		after, err := s.Ledger(ctx, "acc-1")
		if err != nil || !reflect.DeepEqual(after, before) {
			t.Fatalf("ledger after the refusal = %+v, want %+v", after, before)
		}
		if got, _ := allBooked(t, s, "acc-1", "", "", 100); len(got) != 7 {
			t.Fatalf("%d booked transactions after the refusal, want 7", len(got))
		}
		// The refused ID was not used up: the last cent that is allowed books under it.
		if _, err := s.Book(ctx, debit("pay-1", -58000, today)); err != nil {
			t.Fatalf("booking to the limit: %v", err)
		}
		_, err = s.Book(ctx, debit("pay-3", -1, today))
		wantErr(t, err, sandboxbank.ErrOverdraft)
		if l, _ := s.Ledger(ctx, "acc-1"); l.Booked != -8000 || l.Booked+l.PendingDebits != -l.CreditLimit {
			t.Fatalf("ledger at the limit = %+v", l)
		}
	}},
	{"concurrent debits never overdraw together", func(t *testing.T, s *bankstore.Store) {
		ctx := context.Background()
		load(t, s, smallBank())
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Go(func() { _, errs[i] = s.Book(ctx, debit("pay-"+string(rune('a'+i)), -25000, today)) })
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, sandboxbank.ErrOverdraft):
				t.Fatalf("error = %v, want none or %v", err, sandboxbank.ErrOverdraft)
			}
		}
		l, _ := s.Ledger(ctx, "acc-1")
		got, _ := allBooked(t, s, "acc-1", "", "", 100)
		if ok != 2 || l.Booked != 0 || l.Entries != 9 || len(got) != 9 {
			t.Fatalf("%d of 4 debits of 250.00 from 580.00 available booked; ledger %+v, %d transactions", ok, l, len(got))
		}
	}},
	{"bookings that cannot be made are refused", func(t *testing.T, s *bankstore.Store) {
		ctx := context.Background()
		load(t, s, smallBank())
		if _, err := s.Book(ctx, debit("pay-1", -100, today)); err != nil {
			t.Fatal(err)
		}
		usd := debit("pay-2", -100, today)
		usd.Amount.Currency = "USD"
		unknown := debit("pay-2", -100, today)
		unknown.AccountID = "no-such"
		cases := []struct {
			name string
			b    sandboxbank.Booking
			want error
		}{
			{"the same ID again", debit("pay-1", -100, today), sandboxbank.ErrBookingExists},
			{"another currency", usd, sandboxbank.ErrBookingInvalid},
			{"no amount", debit("pay-2", 0, today), sandboxbank.ErrBookingInvalid},
			{"no ID", debit("", -100, today), sandboxbank.ErrBookingInvalid},
			{"no date", debit("pay-2", -100, ""), sandboxbank.ErrBookingInvalid},
			{"before the last booking", debit("pay-2", -100, "2026-11-29"), sandboxbank.ErrBookingBackdated},
			{"an unknown account", unknown, sandboxbank.ErrAccountUnknown},
		}
		for _, c := range cases {
			_, err := s.Book(ctx, c.b)
			if !errors.Is(err, c.want) {
				t.Errorf("%s: error = %v, want %v", c.name, err, c.want)
			}
		}
		if l, _ := s.Ledger(ctx, "acc-1"); l.Booked != 49900 || l.Entries != 8 {
			t.Fatalf("ledger after the refusals = %+v", l)
		}
	}},
	{"an account is found by its IBAN and currency", func(t *testing.T, s *bankstore.Store) {
		ctx := context.Background()
		load(t, s, smallBank())
		for _, c := range []struct {
			iban, currency, id string
			err                error
		}{
			{"BE68539007547034", "EUR", "acc-1", nil},
			{"BE68539007547034", "USD", "", sandboxbank.ErrAccountUnknown},
			{"DE89370400440532013000", "EUR", "", sandboxbank.ErrAccountUnknown},
			{"", "EUR", "", sandboxbank.ErrAccountUnknown},
		} {
			id, err := s.AccountByIBAN(ctx, c.iban, c.currency)
			if id != c.id || !errors.Is(err, c.err) {
				t.Errorf("%s %s: %q %v, want %q %v", c.iban, c.currency, id, err, c.id, c.err)
			}
		}
	}},
	{"a settlement books every booking and the caller's item together, or nothing", func(t *testing.T, s *bankstore.Store) {
		ctx := context.Background()
		load(t, s, smallBank())
		marker := func(cond string) []types.TransactWriteItem {
			return []types.TransactWriteItem{{Put: &types.Put{TableName: aws.String(s.Table()), ConditionExpression: aws.String(cond),
				Item: map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "MARKER"}, "SK": &types.AttributeValueMemberS{Value: "MARKER"}}}}}
		}
		// The caller's item fails its condition: nothing is booked.
		err := s.Settle(ctx, []sandboxbank.Booking{debit("set-1", -100, today)}, marker("attribute_exists(PK)"))
		wantErr(t, err, bankstore.ErrExtraFailed)
		// Two debits of one account change its ledger once, by both.
		if err := s.Settle(ctx, []sandboxbank.Booking{debit("set-1", -100, today), debit("set-2", -200, today)}, marker("attribute_not_exists(PK)")); err != nil {
			t.Fatal(err)
		}
		if l, _ := s.Ledger(ctx, "acc-1"); l.Booked != 49700 || l.Entries != 9 {
			t.Fatalf("ledger after the settlement = %+v", l)
		}
		// Debits that together pass the credit limit are refused, though each fits.
		err = s.Settle(ctx, []sandboxbank.Booking{debit("set-3", -30000, today), debit("set-4", -30000, today)}, nil)
		wantErr(t, err, sandboxbank.ErrOverdraft)
		err = s.Settle(ctx, []sandboxbank.Booking{debit("set-1", -100, today)}, nil)
		wantErr(t, err, sandboxbank.ErrBookingExists)
		if l, _ := s.Ledger(ctx, "acc-1"); l.Booked != 49700 || l.Entries != 9 {
			t.Fatalf("ledger after the refusals = %+v", l)
		}
	}},
}
