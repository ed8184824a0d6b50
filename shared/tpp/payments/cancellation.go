package payments

import (
	"context"
	"errors"
)

// RequestCancellation is the TPP's request to cancel o's payment id (DELETE): one that
// waits for its customer (RCVD) is cancelled at once, on condition that it still waits;
// an authorised one not yet executed (ACTC, PATC: a future-dated payment, a standing
// order) needs the customer's authorisation of the cancellation, which needsAuthorisation
// says, and is left as it is until then (CancelAuthorised); any other refuses with
// CANCELLATION_INVALID.
func (s *Service) RequestCancellation(ctx context.Context, o Owner, service PaymentService, product Product, id string) (p Payment, needsAuthorisation bool, err error) {
	for attempt := 0; attempt < 3; attempt++ {
		p, err := s.Get(ctx, o, service, product, id)
		switch {
		case err != nil:
			return Payment{}, false, err
		case p.Status == Accepted || p.Status == PartiallyAuthed:
			return p, true, nil
		case p.Status != Received:
			return Payment{}, false, ErrCancellationInvalid
		}
		p.Status, p.ChangedAt = Cancelled, s.now()
		switch err := s.Store.Replace(ctx, p, Received, s.notes(ctx, p, Received)...); {
		case err == nil:
			return p, false, nil
		case !errors.Is(err, ErrChanged):
			return Payment{}, false, err
		}
	}
	return Payment{}, false, ErrConcurrent
}

// ErrNotTheirs is an authorisation of a cancellation by a customer other than the one who
// authorised the payment.
var ErrNotTheirs = errors.New("payments: the customer did not authorise this payment")

// CancelAuthorised cancels payment id once its customer authorised the cancellation: the
// payment must be authorised and not yet executed, by the same customer, or by one of its
// signatories for a payment that needs several (ErrNotTheirs otherwise, and nothing
// changes). The change is conditional on the status read, so a
// cancellation never undoes an execution that came first.
func (s *Service) CancelAuthorised(ctx context.Context, id, subject string) (Payment, error) {
	p, err := s.Find(ctx, id)
	switch {
	case err != nil:
		return Payment{}, err
	case p.Status != Accepted && p.Status != PartiallyAuthed:
		return Payment{}, errStatus(p.Status)
	case !p.SignedBy(subject):
		return Payment{}, ErrNotTheirs
	}
	from := p.Status
	p.Status, p.ChangedAt = Cancelled, s.now()
	if err := s.Store.Replace(ctx, p, from, s.notes(ctx, p, from)...); errors.Is(err, ErrChanged) {
		return Payment{}, ErrConcurrent
	} else if err != nil {
		return Payment{}, err
	}
	return p, nil
}
