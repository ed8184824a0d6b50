// Package consents holds the Berlin Group account-information consents (NextGenPSD2
// 1.3.12, /v1/consents): what a TPP may ask for, how long a consent lives and how often it
// may be used, and its lifecycle from received through the customer's decision at the bank
// to its end. The HTTP handlers, the authorization server (through oauth.Resources) and
// the account endpoints all go through Service; storage is behind Store.
package consents

import (
	"context"
	"errors"
	"time"

	"github.com/bank/devportal/shared/platform/notifylog"
	"github.com/bank/devportal/shared/tpp/notify"
)

// Status is a consent's lifecycle status (the Berlin Group consentStatus).
type Status string

// The statuses a consent goes through. received waits for the customer; valid can be used
// until validUntil; the others are final.
const (
	Received        Status = "received"
	Rejected        Status = "rejected"
	Valid           Status = "valid"
	RevokedByPSU    Status = "revokedByPsu"
	Expired         Status = "expired"
	TerminatedByTPP Status = "terminatedByTpp"
)

// Final says whether nothing can change the status any more.
func (s Status) Final() bool { return s != Received && s != Valid }

// AccountReference names an account as the Berlin Group does; this bank takes IBANs,
// and a currency to pick one sub-account of a multi-currency account.
type AccountReference struct {
	IBAN     string `json:"iban,omitempty" dynamodbav:"iban,omitempty"`
	Currency string `json:"currency,omitempty" dynamodbav:"currency,omitempty"`
}

// AdditionalInformation asks for more than the account data: the owner's name.
type AdditionalInformation struct {
	OwnerName []AccountReference `json:"ownerName" dynamodbav:"ownerName"`
}

// Access is what a consent asks for (the Berlin Group accountAccess): detailed accounts,
// the bank-offered form (empty lists: the customer picks the accounts at the bank), or one
// of the global forms.
type Access struct {
	Accounts                     []AccountReference     `json:"accounts,omitempty" dynamodbav:"accounts,omitempty"`
	Balances                     []AccountReference     `json:"balances,omitempty" dynamodbav:"balances,omitempty"`
	Transactions                 []AccountReference     `json:"transactions,omitempty" dynamodbav:"transactions,omitempty"`
	AdditionalInformation        *AdditionalInformation `json:"additionalInformation,omitempty" dynamodbav:"additionalInformation,omitempty"`
	AvailableAccounts            string                 `json:"availableAccounts,omitempty" dynamodbav:"availableAccounts,omitempty"`
	AvailableAccountsWithBalance string                 `json:"availableAccountsWithBalance,omitempty" dynamodbav:"availableAccountsWithBalance,omitempty"`
	AllPSD2                      string                 `json:"allPsd2,omitempty" dynamodbav:"allPsd2,omitempty"`
}

// The values of the global forms (availableAccounts, availableAccountsWithBalance,
// allPsd2).
const (
	AllAccounts              = "allAccounts"
	AllAccountsWithOwnerName = "allAccountsWithOwnerName"
)

// Kind is which form of access a consent asks for.
type Kind string

// The forms of access.
const (
	// Detailed names the accounts and, for each, the access.
	Detailed Kind = "detailed"
	// BankOffered leaves the choice of accounts to the customer at the bank.
	BankOffered Kind = "bankOffered"
	// AvailableAccounts is the list of the customer's accounts, without or with balances.
	AvailableAccounts            Kind = "availableAccounts"
	AvailableAccountsWithBalance Kind = "availableAccountsWithBalance"
	// AllPSD2 is every access to every payment account of the customer.
	AllPSD2 Kind = "allPsd2"
)

// Request is the body of POST /v1/consents. The booleans and the frequency are pointers
// so that a missing one is told apart from false or zero: the specification requires
// them.
type Request struct {
	Access                   *Access `json:"access"`
	RecurringIndicator       *bool   `json:"recurringIndicator"`
	ValidUntil               string  `json:"validUntil"`
	FrequencyPerDay          *int    `json:"frequencyPerDay"`
	CombinedServiceIndicator *bool   `json:"combinedServiceIndicator"`
	// Notification is the subscription of the request's headers (TPP-Notification-URI),
	// nil for none: not part of the body.
	Notification *notify.Subscription `json:"-"`
}

// Grant is what the customer granted at the bank: the accounts (the bank's account IDs)
// for each access. The account list alone allows the account details; balances and
// transactions need their own.
type Grant struct {
	// Subject is the customer (PSU) who approved.
	Subject      string   `json:"subject" dynamodbav:"subject"`
	Accounts     []string `json:"accounts" dynamodbav:"accounts,stringset,omitempty"`
	Balances     []string `json:"balances" dynamodbav:"balances,stringset,omitempty"`
	Transactions []string `json:"transactions" dynamodbav:"transactions,stringset,omitempty"`
	// OwnerName are the accounts whose owner's name the consent shows.
	OwnerName []string `json:"ownerName" dynamodbav:"ownerName,stringset,omitempty"`
	// ListOnly is a grant of the account list alone (availableAccounts): no account data
	// beyond the list.
	ListOnly bool `json:"listOnly,omitempty" dynamodbav:"listOnly,omitempty"`
	// WithBalance lets the account list carry balances (availableAccountsWithBalance).
	WithBalance bool `json:"withBalance,omitempty" dynamodbav:"withBalance,omitempty"`
	// Known are the granted accounts as the bank described them at the approval.
	Known []Account `json:"known,omitempty" dynamodbav:"known,omitempty"`
}

// Account is the granted account id as the bank described it at the approval.
func (g Grant) Account(id string) (Account, bool) {
	for _, a := range g.Known {
		if a.ID == id {
			return a, true
		}
	}
	return Account{}, false
}

// Consent is an account-information consent of one app.
type Consent struct {
	ID          string `dynamodbav:"consentId"`
	AppID       string `dynamodbav:"appId"`
	OrgID       string `dynamodbav:"orgId"`
	Environment string `dynamodbav:"environment"`
	Kind        Kind   `dynamodbav:"kind"`
	Access      Access `dynamodbav:"access"`
	Recurring   bool   `dynamodbav:"recurringIndicator"`
	// ValidUntil is the last day the consent can be used (a date, the bank's time zone
	// being UTC).
	ValidUntil      string    `dynamodbav:"validUntil"`
	FrequencyPerDay int       `dynamodbav:"frequencyPerDay"`
	Status          Status    `dynamodbav:"consentStatus"`
	CreatedAt       time.Time `dynamodbav:"createdAt"`
	// LastActionDate is the day of the last change of status (the Berlin Group
	// lastActionDate).
	LastActionDate string `dynamodbav:"lastActionDate"`
	// Grant is set once the customer approved.
	Grant *Grant `dynamodbav:"grant,omitempty"`
	// AuthorisedBy is how the customer approved, which decides whether reads present a
	// token (CheckToken).
	AuthorisedBy Authorisation `dynamodbav:"authorisedBy,omitempty"`
	// RedirectURI and NokRedirectURI are where the TPP wants the customer sent back
	// (TPP-Redirect-URI, TPP-Nok-Redirect-URI), as sent.
	RedirectURI    string `dynamodbav:"redirectUri,omitempty"`
	NokRedirectURI string `dynamodbav:"nokRedirectUri,omitempty"`
	// Notification is where the TPP wants the consent's status changes sent, nil for
	// nowhere.
	Notification *notify.Subscription `dynamodbav:"notification,omitempty"`
}

// Notifier builds the notifications of a consent's status change (notify.Notifier).
type Notifier interface {
	Deliveries(ctx context.Context, c notify.Change) []notifylog.Delivery
}

// Notes are the notifications n builds of the change c, which the store writes in the
// change's own transaction; nil n builds none.
func Notes(ctx context.Context, n Notifier, c notify.Change) []notifylog.Delivery {
	if n == nil || c.Subscription == nil || c.Status == "" {
		return nil
	}
	return n.Deliveries(ctx, c)
}

// StatusChange is the notification of a stored change of a consent (of resource type
// kind at href) from status from to status to: the customer's decision on a received
// consent also ends its authorisation (scaStatus finalised or failed).
func StatusChange(sub *notify.Subscription, appID, orgID, kind, id, href string, from, to Status) notify.Change {
	c := notify.Change{Subscription: sub, AppID: appID, OrgID: orgID, ResourceType: kind, ResourceID: id, Href: href,
		Attribute: notify.ConsentStatus, Status: string(to), Final: to.Final()}
	if from == Received {
		switch to {
		case Valid:
			c.SCAStatus = "finalised"
		case Rejected:
			c.SCAStatus = "failed"
		}
	}
	return c
}

// StatusAt is the consent's status on the day of now: a valid consent whose last day
// has passed is expired, whatever is stored.
func (c Consent) StatusAt(now time.Time) Status {
	if c.Status == Valid && day(now) > c.ValidUntil {
		return Expired
	}
	return c.Status
}

// day is the date of t in the bank's time zone (UTC), as the Berlin Group writes dates.
func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// Store keeps consents and counts their use.
type Store interface {
	// Create stores a new consent; an ID taken is an error.
	Create(ctx context.Context, c Consent) error
	// Get returns the consent, or ErrNotFound.
	Get(ctx context.Context, id string) (Consent, error)
	// Replace stores c in place of the stored consent on condition that the stored one
	// still has status from, and queues the notifications of the change (notes) in the
	// same transaction: ErrChanged when another change came first, and then nothing is
	// queued.
	Replace(ctx context.Context, c Consent, from Status, notes ...notifylog.Delivery) error
	// CountAccess counts one access to an account under a consent on a day, unless limit
	// accesses were counted already: then ErrLimit.
	CountAccess(ctx context.Context, consentID, accountID, day string, limit int) error
	// ConsentsOf returns the consents customer subject approved, newest first, limit at
	// most, as an index has them: possibly a moment behind the latest change.
	ConsentsOf(ctx context.Context, subject string, limit int) ([]Consent, error)
}

// Errors of the stores.
var (
	ErrNotFound = errors.New("consents: no such consent")
	ErrChanged  = errors.New("consents: the consent changed meanwhile")
	ErrLimit    = errors.New("consents: the day's accesses are used up")
	// ErrNotGrantable is an approval by a customer who cannot grant the consent: it names
	// an account they do not hold, or they chose none or another's.
	ErrNotGrantable = errors.New("consents: the customer cannot grant this consent")
)

// ShownReference is an account as a consent shows it: by IBAN, or by masked PAN for a
// card account, with its currency.
type ShownReference struct {
	IBAN      string `json:"iban,omitempty"`
	MaskedPAN string `json:"maskedPan,omitempty"`
	Currency  string `json:"currency,omitempty"`
}

// ShownAccess is a consent's access as GET /v1/consents/{consentId} shows it. The lists
// are pointers so that a bank-offered consent shows the empty lists it was asked with
// until the customer chooses.
type ShownAccess struct {
	Accounts                     *[]ShownReference      `json:"accounts,omitempty"`
	Balances                     *[]ShownReference      `json:"balances,omitempty"`
	Transactions                 *[]ShownReference      `json:"transactions,omitempty"`
	AdditionalInformation        *AdditionalInformation `json:"additionalInformation,omitempty"`
	AvailableAccounts            string                 `json:"availableAccounts,omitempty"`
	AvailableAccountsWithBalance string                 `json:"availableAccountsWithBalance,omitempty"`
	AllPSD2                      string                 `json:"allPsd2,omitempty"`
}

// Shown is the access of c to show its TPP: as asked, except that a bank-offered consent
// the customer approved names the accounts they chose, list by list, as the bank's
// redirect SCA fills in the consent the customer and the bank agreed.
func (c Consent) Shown() ShownAccess {
	a := c.Access
	out := ShownAccess{AdditionalInformation: a.AdditionalInformation, AvailableAccounts: a.AvailableAccounts,
		AvailableAccountsWithBalance: a.AvailableAccountsWithBalance, AllPSD2: a.AllPSD2}
	asked := func(refs []AccountReference) *[]ShownReference {
		if refs == nil {
			return nil
		}
		list := make([]ShownReference, len(refs))
		for i, r := range refs {
			list[i] = ShownReference{IBAN: r.IBAN, Currency: r.Currency}
		}
		return &list
	}
	out.Accounts, out.Balances, out.Transactions = asked(a.Accounts), asked(a.Balances), asked(a.Transactions)
	if c.Kind != BankOffered || c.Grant == nil {
		return out
	}
	granted := func(list *[]ShownReference, ids []string) *[]ShownReference {
		if list == nil {
			return nil
		}
		refs := []ShownReference{}
		for _, id := range ids {
			if k, ok := c.Grant.Account(id); ok {
				refs = append(refs, ShownReference{IBAN: k.IBAN, MaskedPAN: k.MaskedPAN, Currency: k.Currency})
			}
		}
		return &refs
	}
	out.Accounts, out.Balances, out.Transactions = granted(out.Accounts, c.Grant.Accounts), granted(out.Balances, c.Grant.Balances), granted(out.Transactions, c.Grant.Transactions)
	return out
}
