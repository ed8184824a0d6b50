// Package payments holds the Berlin Group payment initiations (NextGenPSD2 1.3.12,
// /v1/{payment-service}/{payment-product}): which services and products this bank offers,
// what a valid initiation body is, a payment's status from received through the
// customer's authorisation to its execution in the sandbox ledger, and when it can be
// cancelled. The HTTP handlers (pisapi) and the authorization server (through a scope
// PIS:<paymentId>) go through Service; storage is behind Store.
package payments

import (
	"context"
	"errors"
	"time"

	"github.com/bank/devportal/shared/platform/notifylog"
	"github.com/bank/devportal/shared/tpp/notify"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
)

// PaymentService is the first path segment of an initiation: one payment, a bulk of
// them, or a standing order.
type PaymentService string

// The payment services of the specification.
const (
	Single   PaymentService = "payments"
	Bulk     PaymentService = "bulk-payments"
	Periodic PaymentService = "periodic-payments"
)

// Product is a payment product (the second path segment).
type Product string

// The JSON payment products this bank offers.
const (
	SEPA        Product = "sepa-credit-transfers"
	InstantSEPA Product = "instant-sepa-credit-transfers"
	Target2     Product = "target-2-payments"
	CrossBorder Product = "cross-border-credit-transfers"
)

// Status is a payment's transaction status (the Berlin Group transactionStatus, ISO
// 20022 codes).
type Status string

// The statuses a payment goes through. RCVD waits for the customer; ACTC is authorised
// and waits for its execution; the execution ends in ACCC, ACSC or ACSP, or in RJCT; a
// bulk whose payments were partly rejected ends in PART; CANC is cancelled. PATC is a
// payment from an account that needs several signatories (multi-level SCA) that some but
// not yet all of them authorised: cancellable, not executable; the last signature takes
// it on as one signature takes any other payment.
const (
	Received        Status = "RCVD"
	PartiallyAuthed Status = "PATC"
	Accepted        Status = "ACTC"
	InProcess       Status = "ACSP"
	Settled         Status = "ACSC"
	CreditorSettled Status = "ACCC"
	PartAccepted    Status = "PART"
	Rejected        Status = "RJCT"
	Cancelled       Status = "CANC"
)

// Executed says whether the bank executed (or began to execute) the payment: from then
// on it cannot be cancelled.
func (s Status) Executed() bool {
	return s == InProcess || s == Settled || s == CreditorSettled || s == PartAccepted
}

// Final says whether nothing can change the status any more. ACSP is not final in
// general, but this sandbox never settles a payment it left in process.
func (s Status) Final() bool { return s.Executed() || s == Rejected || s == Cancelled }

// Cancellable says whether a TPP may still cancel a payment of status s: before its
// execution, and while it is not rejected or cancelled already.
func (s Status) Cancellable() bool { return s == Received || s == PartiallyAuthed || s == Accepted }

// Reason codes (ISO 20022 ExternalStatusReason1Code) the sandbox rejects payments with.
const (
	// ReasonInsufficientFunds (AM04): the debtor account cannot cover the amount.
	ReasonInsufficientFunds = "AM04"
	// ReasonCurrency (AM03): the debtor account does not hold the payment's currency.
	ReasonCurrency = "AM03"
	// ReasonBank (MS03): the bank rejected the payment for a reason of its own.
	ReasonBank = "MS03"
	// ReasonCustomer (MS02): the customer refused the payment, or their authorisation failed.
	ReasonCustomer = "MS02"
)

// Payment is a payment initiation of one app.
type Payment struct {
	ID          string         `dynamodbav:"paymentId"`
	AppID       string         `dynamodbav:"appId"`
	OrgID       string         `dynamodbav:"orgId"`
	Environment string         `dynamodbav:"environment"`
	Service     PaymentService `dynamodbav:"paymentService"`
	Product     Product        `dynamodbav:"paymentProduct"`
	// Transfer is the credit transfer of a single or periodic payment; Standing the
	// schedule of a periodic one; Batch the payments of a bulk.
	Transfer *Transfer     `dynamodbav:"transfer,omitempty"`
	Standing *Schedule     `dynamodbav:"schedule,omitempty"`
	Batch    *BulkTransfer `dynamodbav:"bulk,omitempty"`
	Status   Status        `dynamodbav:"transactionStatus"`
	// Reason is the ISO 20022 reason of a rejection (or of a bulk's rejected payments).
	Reason string `dynamodbav:"statusReason,omitempty"`
	// RejectedEntries are the positions of a bulk's payments the bank rejected (PART).
	RejectedEntries []int     `dynamodbav:"rejectedEntries,omitempty"`
	CreatedAt       time.Time `dynamodbav:"createdAt"`
	ChangedAt       time.Time `dynamodbav:"changedAt"`
	// RequestID is the X-Request-ID the payment was initiated with.
	RequestID string `dynamodbav:"requestId"`
	// RedirectURI and NokRedirectURI are where the TPP wants the customer sent back.
	RedirectURI    string `dynamodbav:"redirectUri,omitempty"`
	NokRedirectURI string `dynamodbav:"nokRedirectUri,omitempty"`
	// Subject is the customer who authorised the payment, and DebtorAccountID their
	// account (the bank's resource ID) it is paid from.
	Subject         string `dynamodbav:"subject,omitempty"`
	DebtorAccountID string `dynamodbav:"debtorAccountId,omitempty"`
	// DebtorCurrency is the currency of the debtor account.
	DebtorCurrency string `dynamodbav:"debtorCurrency,omitempty"`
	// Notification is where the TPP wants the payment's status changes sent
	// (TPP-Notification-URI), nil when it asked for none.
	Notification *notify.Subscription `dynamodbav:"notification,omitempty"`
	// RequiredSignatures is how many distinct signatories of the debtor account must
	// authorise the payment (multi-level SCA), fixed at the initiation; 0 for one.
	RequiredSignatures int `dynamodbav:"requiredSignatures,omitempty"`
	// Signatures are the authorisations given so far to a payment that needs several,
	// oldest first; the Subject is the last one's customer.
	Signatures []Signature `dynamodbav:"signatures,omitempty"`
}

// Signature is one signatory's authorisation of a payment that needs several.
type Signature struct {
	CustomerID string `dynamodbav:"customerId"`
	// AuthorisationID is the authorisation sub-resource it was given through; "" for an
	// approval of the OAuth2 flow (scope PIS:<paymentId>).
	AuthorisationID string    `dynamodbav:"authorisationId,omitempty"`
	At              time.Time `dynamodbav:"at"`
}

// MultiLevel says whether the payment needs more than one signatory's authorisation.
func (p Payment) MultiLevel() bool { return p.RequiredSignatures > 1 }

// SignedBy says whether customer customerID authorised the payment: its subject, or one
// of its signatures.
func (p Payment) SignedBy(customerID string) bool {
	if customerID != "" && p.Subject == customerID {
		return true
	}
	for _, sig := range p.Signatures {
		if sig.CustomerID == customerID {
			return true
		}
	}
	return false
}

// Transfers are the payment's credit transfers, each with the debtor account it is paid
// from: one, or a bulk's.
func (p Payment) Transfers() []Transfer {
	if p.Batch != nil {
		out := make([]Transfer, len(p.Batch.Payments))
		for i, t := range p.Batch.Payments {
			t.DebtorAccount = p.Batch.DebtorAccount
			out[i] = t
		}
		return out
	}
	if p.Transfer == nil {
		return nil
	}
	return []Transfer{*p.Transfer}
}

// DebtorAccount is the account the payment is paid from.
func (p Payment) DebtorAccount() AccountReference {
	if p.Batch != nil && p.Batch.DebtorAccount != nil {
		return *p.Batch.DebtorAccount
	}
	if p.Transfer != nil && p.Transfer.DebtorAccount != nil {
		return *p.Transfer.DebtorAccount
	}
	return AccountReference{}
}

// ExecutionDate is the day the payment is to be executed: the requested day, a standing
// order's start, or "" for as soon as it is authorised.
func (p Payment) ExecutionDate() string {
	switch {
	case p.Standing != nil:
		return p.Standing.StartDate
	case p.Batch != nil:
		return p.Batch.RequestedExecutionDate
	case p.Transfer != nil:
		return p.Transfer.RequestedExecutionDate
	}
	return ""
}

// Replay is what an initiation stored of its request, so that the same X-Request-ID
// sent again by the same app is answered as the first time.
type Replay struct {
	PaymentID string `dynamodbav:"paymentId"`
	// Hash is the SHA-256 of the request (service, product and body, canonical JSON).
	Hash string `dynamodbav:"requestHash"`
	// Status is the status the first answer gave.
	Status Status `dynamodbav:"initialStatus"`
}

// Store keeps payments. Every change that must happen once is conditional.
type Store interface {
	// Create stores a new payment together with the replay record of its app's
	// X-Request-ID, both or neither: ErrRequestIDTaken when the app already used it.
	Create(ctx context.Context, p Payment, r Replay) error
	// Replay is the record of an app's X-Request-ID, or ErrNotFound.
	Replay(ctx context.Context, appID, requestID string) (Replay, error)
	// Get returns the payment, or ErrNotFound.
	Get(ctx context.Context, id string) (Payment, error)
	// Replace stores p in place of the stored payment on condition that the stored one
	// still has status from, and queues the notifications of the change (notes) in the
	// same transaction: ErrChanged when another change came first, and then nothing is
	// queued.
	Replace(ctx context.Context, p Payment, from Status, notes ...notifylog.Delivery) error
	// Execute stores p (executed) on condition that the stored payment still has status
	// from, books the bookings in the sandbox ledger and queues the notes, in one
	// transaction: ErrChanged when the payment changed first, sandboxbank.ErrOverdraft
	// when a debit does not fit.
	Execute(ctx context.Context, p Payment, from Status, bookings []sandboxbank.Booking, notes ...notifylog.Delivery) error
	// BankAccount is the resource ID of this bank's account of iban in currency, or
	// ErrNotFound when the bank holds none.
	BankAccount(ctx context.Context, iban, currency string) (string, error)
	// Account is this bank's account of iban in currency, with its signatories, or
	// ErrNotFound when the bank holds none.
	Account(ctx context.Context, iban, currency string) (sandboxbank.Account, error)
	// Sign stores p, which carries one signature more than the stored payment, on
	// condition that the stored payment still has status from and one signature fewer, and
	// books the bookings (none: nothing is booked), in one transaction: ErrChanged when
	// another change came first, sandboxbank.ErrOverdraft when a debit does not fit.
	Sign(ctx context.Context, p Payment, from Status, bookings []sandboxbank.Booking, notes ...notifylog.Delivery) error
	// Standing lists the standing orders that run: periodic payments authorised (ACTC)
	// or in process (ACSP).
	Standing(ctx context.Context) ([]Payment, error)
	// ExecuteInstalment stores p on condition that the stored payment still has status
	// from, records its instalment key as booked on condition that it was not, books the
	// bookings and queues the notes, in one transaction: ErrChanged when the payment
	// changed or the instalment was booked first, sandboxbank.ErrOverdraft when a debit
	// does not fit.
	ExecuteInstalment(ctx context.Context, p Payment, from Status, key string, bookings []sandboxbank.Booking, notes ...notifylog.Delivery) error
}

// Errors of the stores.
var (
	ErrNotFound       = errors.New("payments: not found")
	ErrChanged        = errors.New("payments: the payment changed meanwhile")
	ErrRequestIDTaken = errors.New("payments: the app already used this X-Request-ID")
)

// Retention is how long a payment (and its X-Request-ID) stays after it was made, so a TPP
// asking about it gets its final status and a repeated request its first answer.
const Retention = 90 * 24 * time.Hour
