package baskets

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/bank/devportal/shared/tpp/bgerror"
	"github.com/bank/devportal/shared/tpp/replay"
	"github.com/bank/devportal/shared/tpp/sca"
)

// Finder reads a payment or a consent as its authorisations see it (an sca.Target's
// Find): its app and whether it waits for its customer.
type Finder interface {
	Find(ctx context.Context, id string) (sca.Resource, error)
}

// Authorisations lists a resource's own authorisations (sca.Store's List).
type Authorisations interface {
	List(ctx context.Context, kind sca.Kind, resourceID string) ([]sca.Authorisation, error)
}

// Service applies the basket rules.
type Service struct {
	Store Store
	// Authorisations are the members' own authorisations, of which none may be under
	// way when a basket takes them (nil: none is looked at).
	Authorisations Authorisations
	// Payments and Consents find the members (the payments' and the account-information
	// consents' sca.Target), and Funds the confirmation-of-funds consents among the
	// consentIds (nil: none is taken).
	Payments, Consents, Funds Finder
	// Now is the clock; nil is time.Now.
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

// Refusals of the basket rules, with the codes and statuses the Berlin Group gives them.
var (
	// ErrUnknown answers a basket ID the app has no basket of (another app's, or none).
	ErrUnknown = bgerror.New(http.StatusNotFound, "RESOURCE_UNKNOWN", "The app has no signing basket with this ID.")
	// ErrConcurrent answers a change that lost to another one on the same basket.
	ErrConcurrent = bgerror.New(http.StatusConflict, "STATUS_INVALID", "The signing basket changed at the same time: read its status.")
	// errTaken refuses a basket with a member already in another open basket.
	errTaken = bgerror.New(http.StatusConflict, "REFERENCE_STATUS_INVALID", "A payment or consent of the basket is already in another signing basket: delete that one first.")
	// errEmpty refuses a basket of nothing.
	errEmpty = bgerror.FormatError(bgerror.Field("body", "Name at least one payment (paymentIds) or consent (consentIds)."))
	// ErrRequestIDReused answers an X-Request-ID the app already sent with another
	// request: a FORMAT_ERROR naming the header, as the payments answer it.
	ErrRequestIDReused = bgerror.FormatError(bgerror.Field("X-Request-ID", "Your app already sent this X-Request-ID with another request: send a new X-Request-ID for a new signing basket."))
	// errMediaType refuses a body that is not JSON.
	errMediaType = bgerror.New(http.StatusUnsupportedMediaType, "FORMAT_ERROR", "Send the basket as application/json.")
)

// errStatus refuses a change the basket's status no longer allows.
func errStatus(st Status) error {
	return bgerror.New(http.StatusConflict, "STATUS_INVALID", fmt.Sprintf("The signing basket is %s: it can no longer be changed.", st))
}

// request is the body of a basket's creation (the Berlin Group signingBasket).
type request struct {
	PaymentIDs []string `json:"paymentIds"`
	ConsentIDs []string `json:"consentIds"`
}

// Created is the answer to a basket's creation: the basket, the status the first answer
// gave, and whether this request repeated an earlier one.
type Created struct {
	Basket Basket
	Status Status
	Replay bool
}

// Create stores a new basket of o's payments and consents the body names (the JSON
// signingBasket), received and waiting for its authorisation, once every member passes
// the rules: FORMAT_ERROR for a body that is not one, RESOURCE_UNKNOWN (400) for a member
// that is not o's, REFERENCE_STATUS_INVALID for one that no longer waits or is in another
// open basket. A refusal stores nothing.
//
// The same X-Request-ID sent again by the same app with the same members is answered as
// the first time (the basket made then), even once its members no longer wait; with other
// members it is refused as the payments refuse it. The basket and the record of its
// X-Request-ID are stored together, on condition that the X-Request-ID is new, so
// concurrent duplicates make one basket.
func (s *Service) Create(ctx context.Context, o Owner, requestID, contentType string, body []byte, redirectURI, nokRedirectURI string) (Created, error) {
	req, err := parse(contentType, body)
	if err != nil {
		return Created{}, err
	}
	again := s.replayOf(o, requestID, replay.Hash(req))
	funds, refused := s.checkMembers(ctx, o, req)
	if refused != nil {
		return again.Refused(ctx, refused)
	}
	now := s.now()
	b := Basket{ID: newID(), AppID: o.AppID, OrgID: o.OrgID, Environment: o.Environment, PaymentIDs: req.PaymentIDs, ConsentIDs: req.ConsentIDs,
		FundsConsentIDs: funds, Status: Received, RequestID: requestID, RedirectURI: redirectURI, NokRedirectURI: nokRedirectURI, CreatedAt: now, ChangedAt: now}
	err = s.Store.Create(ctx, b, Replay{BasketID: b.ID, Hash: again.Hash, Status: b.Status})
	switch {
	case err == nil:
		return Created{Basket: b, Status: b.Status}, nil
	case errors.Is(err, ErrMemberTaken):
		return Created{}, errTaken
	case !errors.Is(err, ErrRequestIDTaken):
		return Created{}, err
	}
	return again.Taken(ctx)
}

// replayOf is the creation by o under requestID of the request of hash (its members as
// decoded, in their order: the basket's): the first answer is the basket o first made
// with that request under requestID, with the status that answer gave.
func (s *Service) replayOf(o Owner, requestID, hash string) replay.Creation[Created] {
	return replay.Creation[Created]{Hash: hash, Reused: ErrRequestIDReused,
		First: func(ctx context.Context) (string, func(context.Context) (Created, error), bool, error) {
			r, err := s.Store.Replay(ctx, o.AppID, requestID)
			switch {
			case errors.Is(err, ErrNotFound):
				return "", nil, false, nil
			case err != nil:
				return "", nil, false, err
			}
			return r.Hash, func(ctx context.Context) (Created, error) {
				b, err := s.Store.Get(ctx, r.BasketID)
				return Created{Basket: b, Status: r.Status, Replay: true}, err
			}, true, nil
		}}
}

// parse decodes and checks the body of a creation (a signingBasket of JSON type).
func parse(contentType string, body []byte) (request, error) {
	var req request
	if contentType != "application/json" {
		return req, errMediaType
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil || dec.More() {
		return req, bgerror.FormatError(bgerror.Field("body", "Send one JSON object with paymentIds and consentIds, each a list of IDs."))
	}
	n := len(req.PaymentIDs) + len(req.ConsentIDs)
	switch {
	case n == 0:
		return req, errEmpty
	case n > MaxMembers:
		return req, bgerror.FormatError(bgerror.Field("body", fmt.Sprintf("A signing basket holds at most %d payments and consents.", MaxMembers)))
	}
	var msgs []bgerror.TPPMessage
	for _, list := range []struct {
		name string
		ids  []string
	}{{"paymentIds", req.PaymentIDs}, {"consentIds", req.ConsentIDs}} {
		if list.ids != nil && len(list.ids) == 0 {
			msgs = append(msgs, bgerror.Field(list.name, "Name at least one ID, or leave the list out."))
		}
		seen := map[string]bool{}
		for i, id := range list.ids {
			switch {
			case id == "":
				msgs = append(msgs, bgerror.Field(fmt.Sprintf("%s[%d]", list.name, i), "Send an ID."))
			case seen[id]:
				msgs = append(msgs, bgerror.Field(fmt.Sprintf("%s[%d]", list.name, i), "The ID is named twice."))
			}
			seen[id] = true
		}
	}
	if len(msgs) > 0 {
		return req, bgerror.FormatError(msgs...)
	}
	return req, nil
}

// checkMembers refuses a member that is not o's, no longer waits for its customer, or
// whose own authorisation is under way (another basket's lock is the store's to refuse);
// funds are the consentIds that name confirmation-of-funds consents.
func (s *Service) checkMembers(ctx context.Context, o Owner, req request) (funds []string, err error) {
	for _, m := range []struct {
		name string
		ids  []string
		find Finder
		what string
	}{{"paymentIds", req.PaymentIDs, s.Payments, "payment"}, {"consentIds", req.ConsentIDs, s.Consents, "consent"}} {
		for i, id := range m.ids {
			res, err := m.find.Find(ctx, id)
			if errors.Is(err, sca.ErrNotFound) && m.name == "consentIds" && s.Funds != nil {
				// Not an account-information consent: a confirmation-of-funds one, or none.
				if res, err = s.Funds.Find(ctx, id); err == nil && res.AppID == o.AppID {
					funds = append(funds, id)
				}
			}
			switch {
			case errors.Is(err, sca.ErrNotFound) || err == nil && res.AppID != o.AppID:
				return nil, bgerror.New(http.StatusBadRequest, "RESOURCE_UNKNOWN", fmt.Sprintf("%s[%d]: the app has no %s with this ID.", m.name, i, m.what))
			case err != nil:
				return nil, err
			case res.MultiLevel:
				return nil, bgerror.New(http.StatusBadRequest, "REFERENCE_MIX_INVALID",
					fmt.Sprintf("%s[%d]: the %s needs several signatories, who each authorise it on its own (multi-level SCA); a signing basket does not take it.", m.name, i, m.what))
			case !res.Waiting:
				return nil, bgerror.New(http.StatusConflict, "REFERENCE_STATUS_INVALID",
					fmt.Sprintf("%s[%d]: the %s is %s; a signing basket takes only those that wait for their customer's authorisation.", m.name, i, m.what, res.Status))
			}
			kind := PaymentMember
			if m.name == "consentIds" {
				kind = ConsentMember
				if len(funds) > 0 && funds[len(funds)-1] == id {
					kind = FundsMember
				}
			}
			if err := s.underWay(ctx, kind, id, fmt.Sprintf("%s[%d]", m.name, i), m.what); err != nil {
				return nil, err
			}
		}
	}
	return funds, nil
}

// underWay refuses member id (named field in the request) while one of its own
// authorisations is under way: the customer is authorising it alone.
func (s *Service) underWay(ctx context.Context, kind MemberKind, id, field, what string) error {
	if s.Authorisations == nil {
		return nil
	}
	list, err := s.Authorisations.List(ctx, kind.SCAKind(), id)
	if err != nil {
		return err
	}
	now := s.now()
	for _, a := range list {
		if a.UnderWay(now) {
			return bgerror.New(http.StatusConflict, "REFERENCE_STATUS_INVALID", fmt.Sprintf(
				"%s: the %s's own authorisation %s is under way; let it finish or fail before putting the %s in a signing basket.", field, what, a.ID, what))
		}
	}
	return nil
}

// Get is o's basket id, whatever its status (a deleted one is CANC): ErrUnknown for
// another app's.
func (s *Service) Get(ctx context.Context, o Owner, id string) (Basket, error) {
	b, err := s.Store.Get(ctx, id)
	switch {
	case errors.Is(err, ErrNotFound):
		return Basket{}, ErrUnknown
	case err != nil:
		return Basket{}, err
	case b.AppID != o.AppID:
		return Basket{}, ErrUnknown
	}
	return b, nil
}

// Delete cancels o's basket id while it waits for its authorisation (RCVD): it becomes
// CANC and its members are released, as they were before; STATUS_INVALID once it is
// authorised, rejected or cancelled already.
func (s *Service) Delete(ctx context.Context, o Owner, id string) error {
	b, err := s.Get(ctx, o, id)
	if err != nil {
		return err
	}
	return s.change(ctx, b, Cancelled, "")
}

// change moves b to status to (authorised by subject, if any), on condition that
// nobody changed it since it was read.
func (s *Service) change(ctx context.Context, b Basket, to Status, subject string) error {
	if b.Status != Received {
		return errStatus(b.Status)
	}
	from := b.Status
	b.Status, b.ChangedAt = to, s.now()
	if subject != "" {
		b.Subject = subject
	}
	switch err := s.Store.Replace(ctx, b, from); {
	case errors.Is(err, ErrChanged):
		return ErrConcurrent
	case err != nil:
		return err
	}
	return nil
}

// Holding is the basket that holds member m and waits for its authorisation (RCVD), ""
// for none: m is then authorised with that basket only.
func (s *Service) Holding(ctx context.Context, m Member) (string, error) {
	id, err := s.Store.Holder(ctx, m)
	switch {
	case errors.Is(err, ErrNotFound):
		return "", nil
	case err != nil:
		return "", err
	}
	b, err := s.Store.Get(ctx, id)
	switch {
	case errors.Is(err, ErrNotFound):
		return "", nil
	case err != nil:
		return "", err
	case b.Status != Received:
		return "", nil
	}
	return b.ID, nil
}

// Find is basket id for its authorisations, whatever its app: they check the app
// themselves.
func (s *Service) Find(ctx context.Context, id string) (Basket, error) {
	return s.Store.Get(ctx, id)
}

// Accept records that customer subject authorised the received basket id (ACTC), with
// every member's approval a, in one transaction: STATUS_INVALID when the basket is no
// longer received, ErrConcurrent when it changed meanwhile, ErrMemberChanged when a
// member no longer waits; nothing changes then.
func (s *Service) Accept(ctx context.Context, id, subject string, a Approvals) error {
	b, err := s.Find(ctx, id)
	if err != nil {
		return err
	}
	if b.Status != Received {
		return errStatus(b.Status)
	}
	b.Status, b.Subject, b.ChangedAt = Accepted, subject, s.now()
	switch err := s.Store.Authorise(ctx, b, a); {
	case errors.Is(err, ErrChanged):
		return ErrConcurrent
	case err != nil:
		return err
	}
	return nil
}

// Reject records that the received basket id's authorisation failed, or that its
// customer could not authorise every member (RJCT): its members are released.
func (s *Service) Reject(ctx context.Context, id string) error {
	b, err := s.Find(ctx, id)
	if err != nil {
		return err
	}
	return s.change(ctx, b, Rejected, "")
}

// newID is a basket ID: 128 random bits, base64url.
func newID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
