package consents

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/bank/devportal/shared/platform/notifylog"
	"github.com/bank/devportal/shared/tpp/bgerror"
	"github.com/bank/devportal/shared/tpp/notify"
	"github.com/bank/devportal/shared/tpp/tppdata"
)

// Owner is the app a request speaks for (from the caller check): only it sees its
// consents.
type Owner = tppdata.Owner

// Service applies the consent rules.
type Service struct {
	Store Store
	// Now is the clock; nil is time.Now.
	Now func() time.Time
	// Notify builds the notifications of every status change (the TPP's status
	// notifications), stored with the change; nil tells nobody.
	Notify Notifier
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

// Refusals of the consent rules, with the statuses the Berlin Group gives them.
var (
	// ErrUnknown answers a consent that does not exist or is another TPP's: both look the
	// same, so no TPP learns of another's consents.
	ErrUnknown = bgerror.New(http.StatusForbidden, "CONSENT_UNKNOWN", "There is no consent of your app with this ID.")
	// ErrNotAuthorised answers the use of a consent the customer has not approved.
	ErrNotAuthorised = bgerror.New(http.StatusUnauthorized, "CONSENT_INVALID", "The customer has not approved this consent (yet): send them through its authorisation first.")
	// ErrConcurrent answers a change that lost to another one.
	ErrConcurrent = bgerror.New(http.StatusConflict, "STATUS_INVALID", "The consent changed at the same time: read it again.")
)

// errFinal refuses a change of a consent whose status is final.
func errFinal(st Status) error {
	return bgerror.New(http.StatusConflict, "STATUS_INVALID", fmt.Sprintf("The consent is %s: it can no longer change.", st))
}

// errEnded refuses the use of a consent that ended.
func errEnded(st Status) error {
	if st == Expired {
		return bgerror.New(http.StatusUnauthorized, "CONSENT_EXPIRED", "The consent expired: its validUntil day has passed. Ask the customer for a new one.")
	}
	return bgerror.New(http.StatusUnauthorized, "CONSENT_INVALID", fmt.Sprintf("The consent is %s: ask the customer for a new one.", st))
}

// Create stores a new consent of o, received and waiting for the customer, once the
// request passes the rules.
func (s *Service) Create(ctx context.Context, o Owner, req Request, redirectURI, nokRedirectURI string) (Consent, error) {
	now := s.now()
	ok, err := check(req, now)
	if err != nil {
		return Consent{}, err
	}
	c := Consent{ID: newID(), AppID: o.AppID, OrgID: o.OrgID, Environment: o.Environment, Kind: ok.kind, Access: *req.Access,
		Recurring: *req.RecurringIndicator, ValidUntil: ok.validUntil, FrequencyPerDay: *req.FrequencyPerDay, Status: Received,
		CreatedAt: now, LastActionDate: day(now), RedirectURI: redirectURI, NokRedirectURI: nokRedirectURI, Notification: req.Notification}
	if err := s.Store.Create(ctx, c); err != nil {
		return Consent{}, err
	}
	return c, nil
}

// Get is o's consent id with its status of today.
func (s *Service) Get(ctx context.Context, o Owner, id string) (Consent, error) {
	c, err := s.Store.Get(ctx, id)
	switch {
	case errors.Is(err, ErrNotFound):
		return Consent{}, ErrUnknown
	case err != nil:
		return Consent{}, err
	case c.AppID != o.AppID:
		return Consent{}, ErrUnknown
	}
	c.Status = c.StatusAt(s.now())
	return c, nil
}

// Terminate ends o's consent id at the TPP's request (DELETE): terminatedByTpp.
func (s *Service) Terminate(ctx context.Context, o Owner, id string) error {
	c, err := s.Get(ctx, o, id)
	if err != nil {
		return err
	}
	return s.change(ctx, c, TerminatedByTPP, nil)
}

// change moves c to status to (with the grant g, if any), on condition that nobody
// changed it since it was read.
func (s *Service) change(ctx context.Context, c Consent, to Status, g *Grant) error {
	if c.Status.Final() {
		return errFinal(c.Status)
	}
	from := c.Status
	c, notes := s.changed(ctx, c, to, g)
	err := s.Store.Replace(ctx, c, from, notes...)
	if errors.Is(err, ErrChanged) {
		return ErrConcurrent
	}
	return err
}

// changed is c moved to status to (with the grant g, if any), and the notifications of
// the change.
func (s *Service) changed(ctx context.Context, c Consent, to Status, g *Grant) (Consent, []notifylog.Delivery) {
	from := c.Status
	c.Status, c.LastActionDate = to, day(s.now())
	if g != nil {
		c.Grant = g
	}
	return c, Notes(ctx, s.Notify, StatusChange(c.Notification, c.AppID, c.OrgID, notify.ConsentResource, c.ID, "/v1/consents/"+c.ID, from, to))
}

// Approval is Approve without its write, for a signing basket that writes every member's
// approval in one transaction: the consent as Approve would store it (over the stored
// one, received) and the notifications of the change.
func (s *Service) Approval(ctx context.Context, id, subject string, by Authorisation, theirs []Account, chosen []string) (Consent, []notifylog.Delivery, error) {
	c, err := s.Find(ctx, id)
	if err != nil {
		return Consent{}, nil, err
	}
	if c.Status != Received {
		return Consent{}, nil, errFinal(c.Status)
	}
	g, err := grantFor(c, subject, theirs, chosen)
	if err != nil {
		return Consent{}, nil, err
	}
	c.AuthorisedBy = by
	c, notes := s.changed(ctx, c, Valid, &g)
	return c, notes, nil
}

// Find is consent id for the bank's side (the authorization server, the sandbox bank's
// pages), whatever app made it: they check the app themselves.
func (s *Service) Find(ctx context.Context, id string) (Consent, error) {
	c, err := s.Store.Get(ctx, id)
	if err != nil {
		return Consent{}, err
	}
	c.Status = c.StatusAt(s.now())
	return c, nil
}

// Approve records the customer's approval of a received consent, given the way by: it
// becomes valid, for the accounts of theirs it names or they chose.
func (s *Service) Approve(ctx context.Context, id, subject string, by Authorisation, theirs []Account, chosen []string) error {
	c, notes, err := s.Approval(ctx, id, subject, by, theirs, chosen)
	if err != nil {
		return err
	}
	if err := s.Store.Replace(ctx, c, Received, notes...); errors.Is(err, ErrChanged) {
		return ErrConcurrent
	} else if err != nil {
		return err
	}
	return nil
}

// Reject records that the customer refused a received consent, or that its
// authorisation failed: rejected.
func (s *Service) Reject(ctx context.Context, id string) error {
	c, err := s.Find(ctx, id)
	if err != nil {
		return err
	}
	if c.Status != Received {
		return errFinal(c.Status)
	}
	return s.change(ctx, c, Rejected, nil)
}

// Revoke ends a valid consent at its customer's request (at the bank): revokedByPsu.
func (s *Service) Revoke(ctx context.Context, id, subject string) error {
	c, err := s.Find(ctx, id)
	if err != nil {
		return err
	}
	if c.Status != Valid || c.Grant == nil || c.Grant.Subject != subject {
		return ErrUnknown
	}
	return s.change(ctx, c, RevokedByPSU, nil)
}

// ConsentsOf lists the consents customer subject approved, newest first, limit at most,
// each with its status of today.
func (s *Service) ConsentsOf(ctx context.Context, subject string, limit int) ([]Consent, error) {
	list, err := s.Store.ConsentsOf(ctx, subject, limit)
	if err != nil {
		return nil, err
	}
	now := s.now()
	for i := range list {
		list[i].Status = list[i].StatusAt(now)
	}
	return list, nil
}

// Use is the kind of account data a read asks for.
type Use string

// The kinds of account data.
const (
	UseList         Use = "list"
	UseDetails      Use = "details"
	UseBalances     Use = "balances"
	UseTransactions Use = "transactions"
)

// Access checks that o's consent id allows reading the account's data of kind use today
// with the access token the read presents (nil: none, CheckToken), and counts the read
// when the customer did not ask for it (no PSU-IP-Address): a recurring consent allows
// frequencyPerDay such reads of an account a day. accountID is empty for the account
// list. A refused read is not counted.
func (s *Service) Access(ctx context.Context, o Owner, id, accountID string, use Use, unattended bool, token *Token) (Consent, error) {
	c, err := s.Get(ctx, o, id)
	if err != nil {
		return c, err
	}
	if err := CheckToken(c.AuthorisedBy, c.Grant != nil, "AIS:"+c.ID, token); err != nil {
		return c, err
	}
	switch {
	case c.Status == Received:
		return c, ErrNotAuthorised
	case c.Status != Valid:
		return c, errEnded(c.Status)
	case !allows(*c.Grant, accountID, use):
		return c, bgerror.New(http.StatusUnauthorized, "CONSENT_INVALID", fmt.Sprintf("The consent does not give access to %s of this account.", use))
	}
	if !unattended {
		return c, nil
	}
	account := accountID
	if account == "" {
		account = "list"
	}
	switch err := s.Store.CountAccess(ctx, c.ID, account, day(s.now()), c.FrequencyPerDay); {
	case errors.Is(err, ErrLimit):
		return c, bgerror.New(http.StatusTooManyRequests, "ACCESS_EXCEEDED", fmt.Sprintf("The consent allows %d reads of this account a day without the customer: the next is possible tomorrow (UTC).", c.FrequencyPerDay))
	case err != nil:
		return c, err
	}
	return c, nil
}

// allows says whether grant g lets a TPP read the data of kind use of the account.
func allows(g Grant, accountID string, use Use) bool {
	switch use {
	case UseList:
		return len(g.Accounts) > 0
	case UseDetails:
		return !g.ListOnly && slices.Contains(g.Accounts, accountID)
	case UseBalances:
		return !g.ListOnly && slices.Contains(g.Balances, accountID)
	case UseTransactions:
		return !g.ListOnly && slices.Contains(g.Transactions, accountID)
	}
	return false
}

// newID is a consent ID: 128 random bits, base64url.
func newID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
