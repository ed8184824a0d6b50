// Package baskets is the Berlin Group signing baskets (NextGenPSD2 1.3.12, SBS): a TPP
// puts payments, account-information consents and confirmation-of-funds consents (whose
// 2.0 file names the signing basket among the reasons to authorise one; the basket's
// consentIds are any consentIds) of one app that wait for their customer
// in a basket, and one authorisation of the basket (package sca, Kind SigningBasket)
// authorises every one of them, each as its own authorisation would.
//
// The rules:
//
//   - A basket holds at least one and at most MaxMembers payments and consents, each once,
//     each of the basket's app and still waiting for its customer (a payment RCVD, a
//     consent received).
//   - A payment or consent is in at most one open basket: a member is locked to its basket
//     in the transaction that creates it, and released when the basket is deleted or
//     rejected. While its basket waits for its authorisation, a member is authorised with
//     the basket only, never alone (sca refuses to start or finalise its own
//     authorisation, the authorization server its own scope); and a payment or consent
//     whose own authorisation is under way cannot go in a basket.
//   - The basket's transactionStatus is RCVD until its authorisation: ACTC once the
//     customer authorised it (every member is then authorised), RJCT when the authorisation
//     failed or the customer could not authorise every member. DELETE cancels a basket
//     that is still RCVD (CANC): the basket stays readable with that status, its members
//     are free again (to be authorised alone or put in another basket), and a basket
//     authorised or rejected cannot be deleted (STATUS_INVALID).
//   - The customer who authorises the basket must be able to authorise every member (the
//     payments from accounts of theirs, the consents for accounts of theirs): the basket
//     is the same customer's, or it is refused as a whole and its members wait as before.
//   - The basket and every member are authorised in one transaction, on condition that
//     the basket is still RCVD and each member still waits (the basket being RCVD, its
//     locks are still its own): a member changed meanwhile (cancelled, authorised,
//     rejected, gone) rejects the basket (RJCT) and changes no member. Payments due are
//     executed after, each in its own transaction, as an authorised payment is.
package baskets

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/bank/devportal/shared/platform/notifylog"
	"github.com/bank/devportal/shared/tpp/consents"
	"github.com/bank/devportal/shared/tpp/payments"
	"github.com/bank/devportal/shared/tpp/piis"
	"github.com/bank/devportal/shared/tpp/sca"
	"github.com/bank/devportal/shared/tpp/tppdata"
)

// Status is a basket's transactionStatus.
type Status string

// The statuses of a basket.
const (
	Received  Status = "RCVD"
	Accepted  Status = "ACTC"
	Rejected  Status = "RJCT"
	Cancelled Status = "CANC"
)

// Open says whether the basket still holds its members (locks them): until it is
// cancelled or rejected.
func (s Status) Open() bool { return s == Received || s == Accepted }

// MaxMembers bounds a basket's payments and consents: its authorisation writes the
// basket, every member and up to two notifications of each (two items each) in one
// transaction, which DynamoDB bounds at 100 items: 1 + 5 × 19 = 96.
const MaxMembers = 19

// Retention is how long a basket is kept after it was made, as its payments are.
const Retention = 90 * 24 * time.Hour

// Owner is the app a request speaks for (from the caller check).
type Owner = tppdata.Owner

// Basket is a signing basket of one app.
type Basket struct {
	ID          string `dynamodbav:"basketId"`
	AppID       string `dynamodbav:"appId"`
	OrgID       string `dynamodbav:"orgId"`
	Environment string `dynamodbav:"environment"`
	// PaymentIDs and ConsentIDs are the members, in the order the TPP named them.
	PaymentIDs []string `dynamodbav:"paymentIds"`
	ConsentIDs []string `dynamodbav:"consentIds"`
	// FundsConsentIDs are those of ConsentIDs that are confirmation-of-funds consents;
	// the others are account-information consents.
	FundsConsentIDs []string `dynamodbav:"fundsConsentIds,omitempty"`
	Status          Status   `dynamodbav:"transactionStatus"`
	// Subject is the customer who authorised the basket.
	Subject string `dynamodbav:"subject,omitempty"`
	// RequestID is the X-Request-ID the basket was created with.
	RequestID string `dynamodbav:"requestId"`
	// RedirectURI and NokRedirectURI are where the TPP wants the customer sent back.
	RedirectURI    string    `dynamodbav:"redirectUri,omitempty"`
	NokRedirectURI string    `dynamodbav:"nokRedirectUri,omitempty"`
	CreatedAt      time.Time `dynamodbav:"createdAt"`
	ChangedAt      time.Time `dynamodbav:"changedAt"`
}

// MemberKind is the kind of a basket's member.
type MemberKind string

// The kinds of member.
const (
	PaymentMember MemberKind = "PAYMENT"
	ConsentMember MemberKind = "CONSENT"
	FundsMember   MemberKind = "FUNDS"
)

// Member is one payment or consent of a basket.
type Member struct {
	Kind MemberKind
	ID   string
}

// SCAKind is the kind of the member's own authorisations.
func (k MemberKind) SCAKind() sca.Kind {
	switch k {
	case PaymentMember:
		return sca.Payment
	case FundsMember:
		return sca.PIISConsent
	}
	return sca.AISConsent
}

// Members are the basket's payments, then its consents.
func (b Basket) Members() []Member {
	out := make([]Member, 0, len(b.PaymentIDs)+len(b.ConsentIDs))
	for _, id := range b.PaymentIDs {
		out = append(out, Member{PaymentMember, id})
	}
	for _, id := range b.ConsentIDs {
		kind := ConsentMember
		if slices.Contains(b.FundsConsentIDs, id) {
			kind = FundsMember
		}
		out = append(out, Member{kind, id})
	}
	return out
}

// Replay is what a basket's creation stored of its request, so that the same
// X-Request-ID sent again by the same app is answered as the first time.
type Replay struct {
	BasketID string `dynamodbav:"basketId"`
	// Hash is the SHA-256 of the request (its members, canonical JSON).
	Hash string `dynamodbav:"requestHash"`
	// Status is the status the first answer gave.
	Status Status `dynamodbav:"initialStatus"`
}

// Approvals are a basket's members as its authorisation stores them: each replaces the
// stored member, which must still wait for its customer (RCVD, received); Notes are the
// notifications of their changes.
type Approvals struct {
	Payments []payments.Payment
	Consents []consents.Consent
	Funds    []piis.Consent
	Notes    []notifylog.Delivery
}

// Store keeps baskets and their members' locks.
type Store interface {
	// Create stores a new basket, the replay record of its app's X-Request-ID and a lock
	// of each of its members to it, in one transaction: ErrRequestIDTaken when the app
	// already used the X-Request-ID, else ErrMemberTaken when a member is in another open
	// basket; either way nothing is stored.
	Create(ctx context.Context, b Basket, r Replay) error
	// Replay is the record of an app's X-Request-ID, or ErrNotFound.
	Replay(ctx context.Context, appID, requestID string) (Replay, error)
	// Get is basket id, or ErrNotFound.
	Get(ctx context.Context, id string) (Basket, error)
	// Replace stores b in place of the stored basket on condition that the stored one
	// still has the status from (ErrChanged otherwise); a basket no longer Open releases
	// its members' locks in the same transaction.
	Replace(ctx context.Context, b Basket, from Status) error
	// Holder is the ID of the open basket whose lock holds m, or ErrNotFound.
	Holder(ctx context.Context, m Member) (string, error)
	// Authorise stores b (authorised) over the stored basket on condition that it is
	// still RCVD, every member's approval on condition that the stored member still
	// waits, and their notifications, in one transaction: ErrChanged when the basket
	// changed, else ErrMemberChanged when a member did; either way nothing is stored.
	Authorise(ctx context.Context, b Basket, a Approvals) error
}

// Errors of the stores.
var (
	ErrNotFound    = errors.New("baskets: no such basket")
	ErrChanged     = errors.New("baskets: the basket changed meanwhile")
	ErrMemberTaken = errors.New("baskets: a member is in another open basket")
	// ErrMemberChanged is an authorisation of a basket whose member no longer waits.
	ErrMemberChanged = errors.New("baskets: a member changed meanwhile")
	// ErrRequestIDTaken is a creation whose app already used its X-Request-ID.
	ErrRequestIDTaken = errors.New("baskets: the app already used this X-Request-ID")
)
