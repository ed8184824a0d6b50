package consents

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/bank/devportal/shared/tpp/bgerror"
)

// Authorisation is an authorisation sub-resource of a consent: the TPP starts one to
// follow the customer's SCA of the consent. This bank authorises with the OAuth2
// approach, where the customer approves the consent itself (scope AIS:<consentId> or
// PIIS:<consentId>), so every authorisation of a consent reports the outcome of that one
// approval.
type Authorisation struct {
	ID        string    `dynamodbav:"authorisationId"`
	CreatedAt time.Time `dynamodbav:"createdAt"`
}

// ScaStatus is an authorisation's status (the Berlin Group scaStatus).
type ScaStatus string

// The statuses of an OAuth2 authorisation: received until the customer decides, then
// finalised when they approved, failed when they refused or the consent ended first.
const (
	ScaReceived  ScaStatus = "received"
	ScaFinalised ScaStatus = "finalised"
	ScaFailed    ScaStatus = "failed"
)

// ScaStatusOf is the status of the authorisations of a consent in status st, approved
// or not: an approval stays finalised whatever ends the consent later.
func ScaStatusOf(st Status, approved bool) ScaStatus {
	switch {
	case approved:
		return ScaFinalised
	case st == Received:
		return ScaReceived
	}
	return ScaFailed
}

// AuthorisationStore keeps the authorisations of one kind of consent.
type AuthorisationStore interface {
	// AddAuthorisation stores a new authorisation of consent consentID, on condition
	// that the consent is still received: ErrChanged otherwise, so that no authorisation
	// starts after the customer decided.
	AddAuthorisation(ctx context.Context, consentID string, a Authorisation) error
	// Authorisations lists the consent's authorisations, oldest first.
	Authorisations(ctx context.Context, consentID string) ([]Authorisation, error)
}

// ErrAuthorisationUnknown answers an authorisation ID the consent does not have.
var ErrAuthorisationUnknown = bgerror.New(http.StatusNotFound, "RESOURCE_UNKNOWN", "The consent has no authorisation with this ID.")

// errAuthorised refuses a new authorisation of a consent the customer already decided on.
func errAuthorised(st Status) error {
	return bgerror.New(http.StatusConflict, "STATUS_INVALID", fmt.Sprintf("The consent is %s: the customer has decided, there is nothing left to authorise.", st))
}

// StartAuthorisation adds an authorisation to consent id, in status st (as its owner
// just read it), if the customer has not decided yet.
func StartAuthorisation(ctx context.Context, store AuthorisationStore, id string, st Status, now time.Time) (Authorisation, error) {
	if st != Received {
		return Authorisation{}, errAuthorised(st)
	}
	a := Authorisation{ID: newID(), CreatedAt: now}
	switch err := store.AddAuthorisation(ctx, id, a); {
	case errors.Is(err, ErrChanged):
		return Authorisation{}, bgerror.New(http.StatusConflict, "STATUS_INVALID", "The customer decided on the consent at the same time: read its status.")
	case err != nil:
		return Authorisation{}, err
	}
	return a, nil
}

// AuthorisationStatus is the status of authorisation authID of consent id, in status st
// and approved or not, or ErrAuthorisationUnknown.
func AuthorisationStatus(ctx context.Context, store AuthorisationStore, id, authID string, st Status, approved bool) (ScaStatus, error) {
	list, err := store.Authorisations(ctx, id)
	if err != nil {
		return "", err
	}
	for _, a := range list {
		if a.ID == authID {
			return ScaStatusOf(st, approved), nil
		}
	}
	return "", ErrAuthorisationUnknown
}

// StartAuthorisation starts an authorisation of o's consent id.
func (s *Service) StartAuthorisation(ctx context.Context, o Owner, id string) (Authorisation, error) {
	c, err := s.Get(ctx, o, id)
	if err != nil {
		return Authorisation{}, err
	}
	return StartAuthorisation(ctx, s.Store, id, c.Status, s.now())
}

// Authorisations lists the authorisations of o's consent id.
func (s *Service) Authorisations(ctx context.Context, o Owner, id string) ([]Authorisation, error) {
	if _, err := s.Get(ctx, o, id); err != nil {
		return nil, err
	}
	return s.Store.Authorisations(ctx, id)
}

// ScaStatus is the status of authorisation authID of o's consent id.
func (s *Service) ScaStatus(ctx context.Context, o Owner, id, authID string) (ScaStatus, error) {
	c, err := s.Get(ctx, o, id)
	if err != nil {
		return "", err
	}
	return AuthorisationStatus(ctx, s.Store, id, authID, c.Status, c.Grant != nil)
}
