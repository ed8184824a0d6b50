package sandboxbank

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/bank/devportal/shared/platform/apperr"
)

// The errors of the bank's storage and bookings.
var (
	ErrCustomerUnknown = apperr.New(apperr.NotFound, "CUSTOMER_UNKNOWN", "No sandbox customer has this sign-in name.")
	ErrAccountUnknown  = apperr.New(apperr.NotFound, "ACCOUNT_UNKNOWN", "The sandbox bank has no such account.")
	// ErrOverdraft: a booking never takes an account beyond its credit limit.
	ErrOverdraft          = apperr.New(apperr.Conflict, "FUNDS_INSUFFICIENT", "The booking would take the account beyond its credit limit.")
	ErrBookingExists      = apperr.New(apperr.Conflict, "BOOKING_EXISTS", "A booking with this ID has already been made.")
	ErrBookingInvalid     = apperr.New(apperr.Invalid, "BOOKING_INVALID", "A booking needs an ID, an account, a non-zero amount in the account's currency and its dates.")
	ErrBookingBackdated   = apperr.New(apperr.Invalid, "BOOKING_BACKDATED", "A booking cannot be dated before the account's last booking.")
	ErrTransactionUnknown = apperr.New(apperr.NotFound, "TRANSACTION_UNKNOWN", "The account has no transaction with this ID.")
	ErrCursorInvalid      = apperr.New(apperr.Invalid, "CURSOR_INVALID", "The page cursor does not belong to this query.")
	ErrPeriodInvalid      = apperr.New(apperr.Invalid, "PERIOD_INVALID", "The period is two dates (YYYY-MM-DD), the first not after the second, of booked transactions.")
	ErrOtherBankLoaded    = apperr.New(apperr.Conflict, "OTHER_BANK_LOADED", "The table holds a sandbox bank of another seed or date.")
)

// Store keeps the bank: what the sign-in, the account-information endpoints and the
// payments need of it.
type Store interface {
	// CustomerByLogin finds a customer by sign-in name (ErrCustomerUnknown).
	CustomerByLogin(ctx context.Context, login string) (Customer, error)
	// Accounts lists a customer's accounts in the bank's order (none is not an error).
	Accounts(ctx context.Context, customerID string) ([]Account, error)
	// Account finds an account by its resource ID (ErrAccountUnknown).
	Account(ctx context.Context, resourceID string) (Account, error)
	// Transactions pages through an account's booked transactions between two booking
	// dates, oldest first, or through its pending ones.
	Transactions(ctx context.Context, q TransactionQuery) (TransactionPage, error)
	// Transaction finds an account's transaction by its ID (ErrTransactionUnknown).
	Transaction(ctx context.Context, accountID, id string) (Transaction, error)
	// Ledger is an account's ledger, the source of its balances (ErrAccountUnknown).
	Ledger(ctx context.Context, accountID string) (Ledger, error)
	// Book moves money between an account and a counterparty: the transaction and the
	// ledger change together, or not at all (ErrOverdraft, ErrBookingExists, …).
	Book(ctx context.Context, b Booking) (Transaction, error)
}

// TransactionQuery selects a page of an account's transactions.
type TransactionQuery struct {
	AccountID string
	// Status is Booked (between From and To, inclusive, YYYY-MM-DD; either may be empty
	// for no bound) or Pending (every pending transaction).
	Status   BookingStatus
	From, To string
	// Limit is the page size (DefaultPageSize when 0, at most MaxPageSize).
	Limit int
	// Cursor is the Next, Previous or Last of another page of the same query; empty for
	// the first page.
	Cursor string
}

// Check refuses a query whose dates are not dates, run backwards, or come with pending
// transactions (which have no booking date).
func (q TransactionQuery) Check() error {
	for _, d := range []string{q.From, q.To} {
		if _, err := time.Parse(time.DateOnly, d); d != "" && err != nil {
			return ErrPeriodInvalid
		}
	}
	if (q.From != "" && q.To != "" && q.From > q.To) || (q.Status == Pending && (q.From != "" || q.To != "")) {
		return ErrPeriodInvalid
	}
	return nil
}

// Page sizes of Transactions.
const (
	DefaultPageSize = 100
	MaxPageSize     = 1000
)

// TransactionPage is one page of transactions, oldest first, and the cursors of the pages
// around it: Next of the page after (empty on the last page), Previous of the page before
// (empty on the first), Last of the last page (empty on it). Pages reached backwards end
// where the page after them begins, so that previous links never skip nor repeat.
type TransactionPage struct {
	Transactions         []Transaction
	Next, Previous, Last string
}

// Booking is money moving between an account and a counterparty: a debit (negative
// amount) pays the counterparty, a credit comes from it.
type Booking struct {
	// ID identifies the booking once: a second booking with the same ID is refused.
	ID                  string
	AccountID           string
	Amount              Money
	BookingDate         string
	ValueDate           string
	Counterparty        Party
	Remittance          string
	EndToEndID          string
	BankTransactionCode string
	// At is when the booking is made (the ledger's last change).
	At time.Time
}

// Transaction is the booked transaction b makes as the n-th entry of its account.
func (b Booking) Transaction(entry int64) Transaction {
	return Transaction{ID: b.ID, AccountID: b.AccountID, Status: Booked, EntryReference: EntryReference(entry),
		BookingDate: b.BookingDate, ValueDate: b.ValueDate, Amount: b.Amount, Counterparty: b.Counterparty,
		Remittance: b.Remittance, EndToEndID: b.EndToEndID, BankTransactionCode: b.BankTransactionCode}
}

// Check refuses a booking that cannot be made on ledger l: malformed, in another
// currency, dated before the last booking, or beyond the credit limit.
func (b Booking) Check(l Ledger) error {
	_, bookErr := time.Parse(time.DateOnly, b.BookingDate)
	_, valueErr := time.Parse(time.DateOnly, b.ValueDate)
	switch {
	case b.ID == "" || len(b.ID) > 35 || b.AccountID == "" || b.Amount.Minor == 0 || bookErr != nil || valueErr != nil || b.At.IsZero():
		return ErrBookingInvalid
	case b.Amount.Currency != l.Currency:
		return ErrBookingInvalid
	case b.BookingDate < l.LastBookingDate:
		return ErrBookingBackdated
	case !l.Allows(b.Amount.Minor):
		return ErrOverdraft
	}
	return nil
}

// Fingerprint is the SHA-256 of the bank marshalled: equal banks, equal fingerprints.
func (b Bank) Fingerprint() string {
	raw, err := json.Marshal(b)
	if err != nil {
		panic(err)
	}
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

// Ledgers is the part of the Store that AccountBalances reads.
type Ledgers interface {
	Ledger(ctx context.Context, accountID string) (Ledger, error)
}

// AccountBalances are an account's Berlin Group balances on the given day: its ledger's,
// or for a multi-currency account those of each sub-account, in the order of its
// currencies (the specification's aggregation level).
func AccountBalances(ctx context.Context, s Ledgers, a Account, today time.Time) ([]Balance, error) {
	ids := []string{a.ResourceID}
	if !a.HoldsMoney() {
		ids = a.SubAccountIDs
	}
	var out []Balance
	for _, id := range ids {
		l, err := s.Ledger(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, l.Balances(today)...)
	}
	return out, nil
}
