// Package piis is confirmation of funds (Berlin Group confirmation-of-funds consent 2.0
// and NextGenPSD2 1.3.12 /v1/funds-confirmations): a card-issuing TPP (PIISP) gets the
// customer's consent for one account, then asks whether an amount is available on it, and
// the bank answers yes or no from the sandbox ledger, nothing more.
package piis

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bank/devportal/shared/platform/notifylog"
	"github.com/bank/devportal/shared/tpp/bgerror"
	"github.com/bank/devportal/shared/tpp/consents"
	"github.com/bank/devportal/shared/tpp/notify"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
)

// Request is the body of POST /v2/consents/confirmation-of-funds.
type Request struct {
	Account                 *consents.AccountReference `json:"account"`
	CardNumber              string                     `json:"cardNumber,omitempty"`
	CardExpiryDate          string                     `json:"cardExpiryDate,omitempty"`
	CardInformation         string                     `json:"cardInformation,omitempty"`
	RegistrationInformation string                     `json:"registrationInformation,omitempty"`
	// Notification is the subscription of the request's headers (TPP-Notification-URI),
	// nil for none: not part of the body.
	Notification *notify.Subscription `json:"-" dynamodbav:"-"`
}

// Consent is a confirmation-of-funds consent of one app.
type Consent struct {
	ID      string  `dynamodbav:"consentId"`
	AppID   string  `dynamodbav:"appId"`
	OrgID   string  `dynamodbav:"orgId"`
	Request Request `dynamodbav:"request"`
	// Status is received, then valid or rejected, and ends as revokedByPsu or
	// terminatedByTpp.
	Status    consents.Status `dynamodbav:"consentStatus"`
	CreatedAt time.Time       `dynamodbav:"createdAt"`
	// Subject and AccountID are the approving customer and their account, once approved.
	Subject   string `dynamodbav:"subject,omitempty"`
	AccountID string `dynamodbav:"accountId,omitempty"`
	// AuthorisedBy is how the customer approved, which decides whether the funds checks
	// present a token (consents.CheckToken).
	AuthorisedBy consents.Authorisation `dynamodbav:"authorisedBy,omitempty"`
	// Notification is where the TPP wants the consent's status changes sent, nil for
	// nowhere.
	Notification *notify.Subscription `dynamodbav:"notification,omitempty"`
}

// Store keeps confirmation-of-funds consents.
type Store interface {
	// Create stores a new consent.
	Create(ctx context.Context, c Consent) error
	// Get returns the consent, or consents.ErrNotFound.
	Get(ctx context.Context, id string) (Consent, error)
	// Replace stores c in place of the stored consent if its status is still from
	// (consents.ErrChanged otherwise), and queues the notifications of the change (notes)
	// in the same transaction.
	Replace(ctx context.Context, c Consent, from consents.Status, notes ...notifylog.Delivery) error
	// ConsentsOf returns the consents customer subject approved, newest first, limit at
	// most, as an index has them: possibly a moment behind the latest change.
	ConsentsOf(ctx context.Context, subject string, limit int) ([]Consent, error)
}

// Bank is what the funds check reads of the sandbox bank.
type Bank interface {
	Accounts(ctx context.Context, customerID string) ([]sandboxbank.Account, error)
	Ledger(ctx context.Context, accountID string) (sandboxbank.Ledger, error)
}

// Service applies the confirmation-of-funds rules.
type Service struct {
	Store Store
	Bank  Bank
	Now   func() time.Time
	// Notify is told of every stored status change; nil tells nobody.
	Notify consents.Notifier
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

// ErrUnknown answers a consent that does not exist or is another TPP's.
var ErrUnknown = bgerror.New(http.StatusForbidden, "CONSENT_UNKNOWN", "There is no confirmation-of-funds consent of your app with this ID.")

// check holds a consent request to the rules: an account by valid IBAN, a card's expiry a
// date, texts within their lengths.
func check(req Request) error {
	var msgs []bgerror.TPPMessage
	bad := func(path, text string) { msgs = append(msgs, bgerror.Field(path, text)) }
	switch {
	case req.Account == nil || req.Account.IBAN == "":
		bad("account.iban", "The account is required, by its IBAN.")
	case sandboxbank.ValidateIBAN(req.Account.IBAN) != nil:
		bad("account.iban", fmt.Sprintf("The IBAN %q is not valid: %v.", req.Account.IBAN, sandboxbank.ValidateIBAN(req.Account.IBAN)))
	}
	if _, err := time.Parse(time.DateOnly, req.CardExpiryDate); req.CardExpiryDate != "" && err != nil {
		bad("cardExpiryDate", "The cardExpiryDate must be a date of the form YYYY-MM-DD.")
	}
	for _, f := range []struct {
		path, value string
		max         int
	}{{"cardNumber", req.CardNumber, 35}, {"cardInformation", req.CardInformation, 140}, {"registrationInformation", req.RegistrationInformation, 140}} {
		if utf8.RuneCountInString(f.value) > f.max {
			bad(f.path, fmt.Sprintf("The %s is at most %d characters.", f.path, f.max))
		}
	}
	if len(msgs) > 0 {
		return bgerror.FormatError(msgs...)
	}
	return nil
}

// Create stores a new consent of o, received and waiting for the customer.
func (s *Service) Create(ctx context.Context, o consents.Owner, req Request) (Consent, error) {
	if err := check(req); err != nil {
		return Consent{}, err
	}
	c := Consent{ID: newID(), AppID: o.AppID, OrgID: o.OrgID, Request: req, Status: consents.Received, CreatedAt: s.now(), Notification: req.Notification}
	return c, s.Store.Create(ctx, c)
}

// Get is o's consent id.
func (s *Service) Get(ctx context.Context, o consents.Owner, id string) (Consent, error) {
	c, err := s.Store.Get(ctx, id)
	switch {
	case errors.Is(err, consents.ErrNotFound) || err == nil && c.AppID != o.AppID:
		return Consent{}, ErrUnknown
	case err != nil:
		return Consent{}, err
	}
	return c, nil
}

// Find is consent id for the bank's side, whatever app made it.
func (s *Service) Find(ctx context.Context, id string) (Consent, error) { return s.Store.Get(ctx, id) }

// change moves c to status to, if nobody changed it since it was read.
func (s *Service) change(ctx context.Context, c Consent, to consents.Status) error {
	if c.Status.Final() {
		return bgerror.New(http.StatusConflict, "STATUS_INVALID", fmt.Sprintf("The consent is %s: it can no longer change.", c.Status))
	}
	from := c.Status
	c, notes := s.changed(ctx, c, to)
	if err := s.Store.Replace(ctx, c, from, notes...); errors.Is(err, consents.ErrChanged) {
		return bgerror.New(http.StatusConflict, "STATUS_INVALID", "The consent changed at the same time: read it again.")
	} else if err != nil {
		return err
	}
	return nil
}

// changed is c moved to status to, and the notifications of the change.
func (s *Service) changed(ctx context.Context, c Consent, to consents.Status) (Consent, []notifylog.Delivery) {
	from := c.Status
	c.Status = to
	return c, consents.Notes(ctx, s.Notify, consents.StatusChange(c.Notification, c.AppID, c.OrgID, notify.FundsConsentResource, c.ID,
		"/v2/consents/confirmation-of-funds/"+c.ID, from, to))
}

// Terminate ends o's consent at the TPP's request.
func (s *Service) Terminate(ctx context.Context, o consents.Owner, id string) error {
	c, err := s.Get(ctx, o, id)
	if err != nil {
		return err
	}
	return s.change(ctx, c, consents.TerminatedByTPP)
}

// Approve records the customer's approval, given the way by: the consent's account must be
// theirs.
func (s *Service) Approve(ctx context.Context, id, subject string, by consents.Authorisation) error {
	c, notes, err := s.Approval(ctx, id, subject, by)
	if err != nil {
		return err
	}
	if err := s.Store.Replace(ctx, c, consents.Received, notes...); errors.Is(err, consents.ErrChanged) {
		return bgerror.New(http.StatusConflict, "STATUS_INVALID", "The consent changed at the same time: read it again.")
	} else if err != nil {
		return err
	}
	return nil
}

// Approval is Approve without its write, for a signing basket that writes every member's
// approval in one transaction: the consent as Approve would store it (over the stored
// one, received) and the notifications of the change.
func (s *Service) Approval(ctx context.Context, id, subject string, by consents.Authorisation) (Consent, []notifylog.Delivery, error) {
	c, err := s.Find(ctx, id)
	if err != nil {
		return Consent{}, nil, err
	}
	if c.Status != consents.Received {
		return Consent{}, nil, bgerror.New(http.StatusConflict, "STATUS_INVALID", fmt.Sprintf("The consent is %s: it can no longer change.", c.Status))
	}
	accounts, err := s.Bank.Accounts(ctx, subject)
	if err != nil {
		return Consent{}, nil, err
	}
	a, ok := AccountOf(c, accounts)
	if !ok {
		return Consent{}, nil, fmt.Errorf("%w: customer %s holds no account %s", consents.ErrNotGrantable, subject, c.Request.Account.IBAN)
	}
	c.Subject, c.AccountID, c.AuthorisedBy = subject, a.ResourceID, by
	c, notes := s.changed(ctx, c, consents.Valid)
	return c, notes, nil
}

// AccountOf is the account of theirs (a customer's accounts) that consent c names, if they
// hold it: only its holder can approve the consent.
func AccountOf(c Consent, theirs []sandboxbank.Account) (sandboxbank.Account, bool) {
	if c.Request.Account == nil {
		return sandboxbank.Account{}, false
	}
	for _, a := range theirs {
		if a.IBAN == c.Request.Account.IBAN && (c.Request.Account.Currency == "" || c.Request.Account.Currency == a.Currency) && a.Kind != sandboxbank.MultiCurrency {
			return a, true
		}
	}
	return sandboxbank.Account{}, false
}

// Revoke ends a valid consent at its customer's request (at the bank): revokedByPsu. A
// consent that is not theirs, or no longer valid, is ErrUnknown and does not change.
func (s *Service) Revoke(ctx context.Context, id, subject string) error {
	c, err := s.Find(ctx, id)
	switch {
	case errors.Is(err, consents.ErrNotFound):
		return ErrUnknown
	case err != nil:
		return err
	case c.Status != consents.Valid || c.Subject != subject:
		return ErrUnknown
	}
	return s.change(ctx, c, consents.RevokedByPSU)
}

// ConsentsOf lists the consents customer subject approved, newest first, limit at most.
func (s *Service) ConsentsOf(ctx context.Context, subject string, limit int) ([]Consent, error) {
	return s.Store.ConsentsOf(ctx, subject, limit)
}

// Reject records that the customer refused a received consent, or that its authorisation
// failed or could not be granted: rejected.
func (s *Service) Reject(ctx context.Context, id string) error {
	c, err := s.Find(ctx, id)
	if err != nil {
		return err
	}
	return s.change(ctx, c, consents.Rejected)
}

// FundsRequest is the body of POST /v1/funds-confirmations.
type FundsRequest struct {
	CardNumber       string                     `json:"cardNumber,omitempty"`
	Account          *consents.AccountReference `json:"account"`
	Payee            string                     `json:"payee,omitempty"`
	InstructedAmount *sandboxbank.Amount        `json:"instructedAmount"`
}

// Confirm answers whether the amount asked is available on the account of o's valid
// consent id, asked with the access token token (nil: none, consents.CheckToken): the
// available balance, credit limit included.
func (s *Service) Confirm(ctx context.Context, o consents.Owner, id string, req FundsRequest, token *consents.Token) (bool, error) {
	var msgs []bgerror.TPPMessage
	if req.Account == nil || req.Account.IBAN == "" {
		msgs = append(msgs, bgerror.Field("account.iban", "The account is required, by its IBAN."))
	}
	var minor int64
	if a := req.InstructedAmount; a == nil {
		msgs = append(msgs, bgerror.Field("instructedAmount", "The instructedAmount (currency and amount) is required."))
	} else if m, err := parseMinor(a.Amount); err != nil || m <= 0 {
		msgs = append(msgs, bgerror.Field("instructedAmount.amount", "The amount is a positive decimal with at most two decimals, like 125.50."))
	} else {
		minor = m
	}
	if len(msgs) > 0 {
		return false, bgerror.FormatError(msgs...)
	}
	if id == "" {
		return false, bgerror.FormatError(bgerror.Field("Consent-ID", "Send the Consent-ID header: this bank confirms funds only under a consent."))
	}
	c, err := s.Get(ctx, o, id)
	if err != nil {
		return false, err
	}
	if err := consents.CheckToken(c.AuthorisedBy, c.Subject != "", "PIIS:"+c.ID, token); err != nil {
		return false, err
	}
	switch {
	case c.Status == consents.Received:
		return false, bgerror.New(http.StatusUnauthorized, "CONSENT_INVALID", "The customer has not approved this consent (yet).")
	case c.Status != consents.Valid:
		return false, bgerror.New(http.StatusUnauthorized, "CONSENT_INVALID", fmt.Sprintf("The consent is %s.", c.Status))
	case req.Account.IBAN != c.Request.Account.IBAN:
		return false, bgerror.New(http.StatusUnauthorized, "CONSENT_INVALID", "The consent is for another account.")
	}
	l, err := s.Bank.Ledger(ctx, c.AccountID)
	if err != nil {
		return false, err
	}
	if req.InstructedAmount.Currency != l.Currency {
		return false, bgerror.FormatError(bgerror.Field("instructedAmount.currency", "The account is in "+l.Currency+": ask for an amount in that currency."))
	}
	return minor <= l.Booked+l.PendingDebits+l.CreditLimit, nil
}

// parseMinor reads a Berlin Group amount ("125.5", "-3", "0.01") as minor units.
func parseMinor(s string) (int64, error) {
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(frac) > 2 || strings.HasPrefix(whole, "+") {
		return 0, errors.New("not an amount")
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, err
	}
	f, err := strconv.ParseInt(frac, 10, 64)
	if err != nil || f < 0 {
		return 0, errors.New("not an amount")
	}
	if strings.HasPrefix(whole, "-") {
		return w*100 - f, nil
	}
	return w*100 + f, nil
}

func newID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Summary says in plain words what the customer approves with consent c.
func Summary(c Consent) string {
	s := "Let the card issuer check whether account " + c.Request.Account.IBAN + " holds enough money for a payment (yes or no, nothing more)"
	if c.Request.CardNumber != "" {
		s += ", for card " + c.Request.CardNumber
	}
	return s + "."
}
