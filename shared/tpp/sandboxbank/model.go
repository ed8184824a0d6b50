// Package sandboxbank is the sandbox's fictitious bank: its customers (the PSUs a developer
// signs in as), their accounts and the ledger of those accounts, which the Berlin Group
// account-information endpoints read and the payment endpoints change.
//
// The bank is generated from a seed (Generate): the same seed and date give the same bank,
// byte for byte. Its money is a ledger: every account's balances are the sums of its
// transactions, and a booking never takes an account below its credit limit. Amounts are
// whole minor units (cents) of their currency; the Berlin Group shapes (berlingroup.go)
// write them as decimal strings.
package sandboxbank

import (
	"crypto/subtle"
	"fmt"
	"time"
)

// The sandbox bank: Belgian, with a fictitious bank code and BIC.
const (
	BankName    = "Sandbox Bank"
	BankCountry = "BE"
	// BankCode is the bank's three-digit Belgian bank code (the first digits of its BBANs).
	BankCode = 968
	BankBIC  = "SNDXBEBB"
)

// The sign-in values every sandbox customer shares; the bank's sign-in page shows them.
const (
	// SandboxPassword is every customer's password.
	SandboxPassword = "sandbox"
	// SandboxOTP is the fixed one-time code that completes every customer's sign-in (SCA).
	SandboxOTP = "123456"
)

// CustomerKind says whether a customer is a person or a business.
type CustomerKind string

// The kinds of customer.
const (
	Private  CustomerKind = "private"
	Business CustomerKind = "business"
)

// Customer is a sandbox customer: a PSU a developer signs in as.
type Customer struct {
	ID string `json:"id" dynamodbav:"id"`
	// Login is the sign-in name, e.g. anna.schmidt.
	Login       string       `json:"login" dynamodbav:"login"`
	DisplayName string       `json:"displayName" dynamodbav:"displayName"`
	Kind        CustomerKind `json:"kind" dynamodbav:"kind"`
	// Representative is the person who acts for a business (the Berlin Group psuName).
	Representative string `json:"representative,omitempty" dynamodbav:"representative,omitempty"`
	Password       string `json:"password" dynamodbav:"password"`
	OTP            string `json:"otp" dynamodbav:"otp"`
}

// CheckCredentials reports whether password and otp are the customer's, in constant time.
func (c Customer) CheckCredentials(password, otp string) bool {
	p := subtle.ConstantTimeCompare([]byte(password), []byte(c.Password))
	o := subtle.ConstantTimeCompare([]byte(otp), []byte(c.OTP))
	return p&o == 1
}

// AccountKind is what an account is for.
type AccountKind string

// The kinds of account. A multi-currency account aggregates one sub-account per currency
// (current accounts with its IBAN); it holds no money itself.
const (
	Current       AccountKind = "current"
	Savings       AccountKind = "savings"
	Card          AccountKind = "card"
	MultiCurrency AccountKind = "multicurrency"
)

// MultiCurrencyCode is the currency the Berlin Group gives a multi-currency account.
const MultiCurrencyCode = "XXX"

// Account is a customer's account.
type Account struct {
	// ResourceID is the account's ID in the Berlin Group paths (/v1/accounts/{account-id}).
	ResourceID string      `json:"resourceId" dynamodbav:"resourceId"`
	CustomerID string      `json:"customerId" dynamodbav:"customerId"`
	Kind       AccountKind `json:"kind" dynamodbav:"kind"`
	// Position orders a customer's accounts as the bank lists them.
	Position int `json:"position" dynamodbav:"position"`
	// IBAN is empty for a card account, which has a masked PAN instead.
	IBAN            string `json:"iban,omitempty" dynamodbav:"iban,omitempty"`
	BBAN            string `json:"bban,omitempty" dynamodbav:"bban,omitempty"`
	MaskedPAN       string `json:"maskedPan,omitempty" dynamodbav:"maskedPan,omitempty"`
	Currency        string `json:"currency" dynamodbav:"currency"`
	Product         string `json:"product" dynamodbav:"product"`
	Name            string `json:"name" dynamodbav:"name"`
	OwnerName       string `json:"ownerName" dynamodbav:"ownerName"`
	Usage           string `json:"usage" dynamodbav:"usage"`
	CashAccountType string `json:"cashAccountType,omitempty" dynamodbav:"cashAccountType,omitempty"`
	Status          string `json:"status" dynamodbav:"status"`
	// CreditLimit is how far below zero the account may go, in minor units (an overdraft
	// facility, or a card's limit).
	CreditLimit int64 `json:"creditLimit" dynamodbav:"creditLimit"`
	// ParentID is the multi-currency account a sub-account belongs to; SubAccountIDs are a
	// multi-currency account's sub-accounts.
	ParentID      string   `json:"parentId,omitempty" dynamodbav:"parentId,omitempty"`
	SubAccountIDs []string `json:"subAccountIds,omitempty" dynamodbav:"subAccountIds,omitempty"`
	// LinkedAccount is the IBAN of the current account a card account is settled from.
	LinkedAccount string `json:"linkedAccount,omitempty" dynamodbav:"linkedAccount,omitempty"`
	Details       string `json:"details,omitempty" dynamodbav:"details,omitempty"`
	// Signatories are the customers (IDs) who may sign payments from the account, its
	// owner first, and RequiredSignatures how many of them must (multi-level SCA). Empty
	// and 0 for an account whose owner alone signs.
	Signatories        []string `json:"signatories,omitempty" dynamodbav:"signatories,omitempty"`
	RequiredSignatures int      `json:"requiredSignatures,omitempty" dynamodbav:"requiredSignatures,omitempty"`
}

// Signs says whether customer customerID may sign payments from the account: its owner,
// or one of its signatories.
func (a Account) Signs(customerID string) bool {
	if customerID == "" {
		return false
	}
	if a.CustomerID == customerID {
		return true
	}
	for _, s := range a.Signatories {
		if s == customerID {
			return true
		}
	}
	return false
}

// Signatures is how many distinct signatories must authorise a payment from the account:
// at least one.
func (a Account) Signatures() int { return max(1, a.RequiredSignatures) }

// HoldsMoney reports whether the account has a ledger of its own (all but the aggregating
// multi-currency account).
func (a Account) HoldsMoney() bool { return a.Kind != MultiCurrency }

// BookingStatus says whether a transaction is booked or still pending.
type BookingStatus string

// The booking statuses.
const (
	Booked  BookingStatus = "booked"
	Pending BookingStatus = "pending"
)

// Money is an amount in minor units of a currency (all the bank's currencies have two
// decimals); negative is a debit.
type Money struct {
	Minor    int64  `json:"minor" dynamodbav:"minor"`
	Currency string `json:"currency" dynamodbav:"currency"`
}

// Decimal is the amount as the Berlin Group writes it: "-1.50", "1056.00".
func (m Money) Decimal() string {
	sign, v := "", m.Minor
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}

// Party is the other side of a transaction.
type Party struct {
	Name string `json:"name,omitempty" dynamodbav:"name,omitempty"`
	IBAN string `json:"iban,omitempty" dynamodbav:"iban,omitempty"`
	BIC  string `json:"bic,omitempty" dynamodbav:"bic,omitempty"`
}

// Reference is structured remittance information: an ISO 11649 creditor reference
// (type SCOR, issuer ISO) or a Belgian structured communication (type SCOR, issuer BBA).
type Reference struct {
	Reference string `json:"reference" dynamodbav:"reference"`
	Type      string `json:"type,omitempty" dynamodbav:"type,omitempty"`
	Issuer    string `json:"issuer,omitempty" dynamodbav:"issuer,omitempty"`
}

// CardPayment is what a card transaction adds: where and how the card was used.
type CardPayment struct {
	MaskedPAN    string `json:"maskedPan" dynamodbav:"maskedPan"`
	Merchant     string `json:"merchant" dynamodbav:"merchant"`
	MerchantCode string `json:"merchantCategoryCode" dynamodbav:"merchantCategoryCode"`
	AcceptorID   string `json:"acceptorId" dynamodbav:"acceptorId"`
	TerminalID   string `json:"terminalId" dynamodbav:"terminalId"`
	Town         string `json:"town" dynamodbav:"town"`
	Country      string `json:"country" dynamodbav:"country"`
	// Original is the amount in the merchant's currency when it is not the account's,
	// converted at ExchangeRate (units of the account's currency per unit of Original's).
	Original     *Money `json:"original,omitempty" dynamodbav:"original,omitempty"`
	ExchangeRate string `json:"exchangeRate,omitempty" dynamodbav:"exchangeRate,omitempty"`
	Invoiced     bool   `json:"invoiced" dynamodbav:"invoiced"`
}

// Transaction is one entry of an account: booked, or pending (then without a booking date).
type Transaction struct {
	ID        string        `json:"id" dynamodbav:"id"`
	AccountID string        `json:"accountId" dynamodbav:"accountId"`
	Status    BookingStatus `json:"status" dynamodbav:"status"`
	// EntryReference is the account's sequence number of the entry (booked entries only).
	EntryReference string `json:"entryReference,omitempty" dynamodbav:"entryReference,omitempty"`
	// BookingDate and ValueDate are YYYY-MM-DD; TransactionDate is a card payment's day.
	BookingDate     string `json:"bookingDate,omitempty" dynamodbav:"bookingDate,omitempty"`
	ValueDate       string `json:"valueDate" dynamodbav:"valueDate"`
	TransactionDate string `json:"transactionDate,omitempty" dynamodbav:"transactionDate,omitempty"`
	Amount          Money  `json:"amount" dynamodbav:"amount"`
	// Counterparty is the creditor of a debit and the debtor of a credit.
	Counterparty Party  `json:"counterparty" dynamodbav:"counterparty"`
	EndToEndID   string `json:"endToEndId,omitempty" dynamodbav:"endToEndId,omitempty"`
	MandateID    string `json:"mandateId,omitempty" dynamodbav:"mandateId,omitempty"`
	CreditorID   string `json:"creditorId,omitempty" dynamodbav:"creditorId,omitempty"`
	// Remittance is unstructured remittance information; Structured a reference.
	Remittance string     `json:"remittance,omitempty" dynamodbav:"remittance,omitempty"`
	Structured *Reference `json:"structured,omitempty" dynamodbav:"structured,omitempty"`
	// BankTransactionCode is ISO 20022's Domain-Family-SubFamily, e.g. PMNT-ICDT-ESCT.
	BankTransactionCode string `json:"bankTransactionCode" dynamodbav:"bankTransactionCode"`
	PurposeCode         string `json:"purposeCode,omitempty" dynamodbav:"purposeCode,omitempty"`
	// BatchCount is the number of payments a batch entry stands for (0: not a batch).
	BatchCount int          `json:"batchCount,omitempty" dynamodbav:"batchCount,omitempty"`
	Card       *CardPayment `json:"card,omitempty" dynamodbav:"card,omitempty"`
}

// Ledger is an account's money as the bank keeps it: what is booked, what is pending and
// how far the account may go below zero. Its balances are computed from it (Balances).
type Ledger struct {
	AccountID string `json:"accountId" dynamodbav:"accountId"`
	Currency  string `json:"currency" dynamodbav:"currency"`
	// Booked is the sum of every booked transaction.
	Booked int64 `json:"booked" dynamodbav:"booked"`
	// LastBookingDate is the latest booking date (YYYY-MM-DD); BookedBefore the sum of the
	// transactions booked before it.
	LastBookingDate string `json:"lastBookingDate" dynamodbav:"lastBookingDate"`
	BookedBefore    int64  `json:"bookedBefore" dynamodbav:"bookedBefore"`
	// PendingDebits (≤ 0) and PendingCredits (≥ 0) sum the pending transactions.
	PendingDebits  int64 `json:"pendingDebits" dynamodbav:"pendingDebits"`
	PendingCredits int64 `json:"pendingCredits" dynamodbav:"pendingCredits"`
	CreditLimit    int64 `json:"creditLimit" dynamodbav:"creditLimit"`
	// Entries counts the booked entries; the next booking's entry reference follows it.
	Entries int64 `json:"entries" dynamodbav:"entries"`
	// LastEntryReference is the entry reference of the last booked transaction.
	LastEntryReference string    `json:"lastEntryReference" dynamodbav:"lastEntryReference"`
	LastChange         time.Time `json:"lastChange" dynamodbav:"lastChange"`
}

// EntryReference is the entry reference of an account's n-th booked entry.
func EntryReference(n int64) string { return fmt.Sprintf("%010d", n) }

// Post adds a transaction to the ledger, booked on or after its last booking date.
func (l *Ledger) Post(t Transaction, at time.Time) {
	switch {
	case t.Status == Pending && t.Amount.Minor < 0:
		l.PendingDebits += t.Amount.Minor
	case t.Status == Pending:
		l.PendingCredits += t.Amount.Minor
	default:
		if t.BookingDate != l.LastBookingDate {
			l.BookedBefore, l.LastBookingDate = l.Booked, t.BookingDate
		}
		l.Booked += t.Amount.Minor
		l.Entries++
		l.LastEntryReference = t.EntryReference
	}
	if at.After(l.LastChange) {
		l.LastChange = at
	}
}

// Allows reports whether booking amount keeps the account within its credit limit. A
// credit is always allowed.
func (l Ledger) Allows(amount int64) bool {
	return amount >= 0 || l.Booked+l.PendingDebits+amount >= -l.CreditLimit
}

// Bank is the whole generated bank.
type Bank struct {
	Seed         int           `json:"seed"`
	Date         string        `json:"date"`
	Customers    []Customer    `json:"customers"`
	Accounts     []Account     `json:"accounts"`
	Transactions []Transaction `json:"transactions"`
	Ledgers      []Ledger      `json:"ledgers"`
}
