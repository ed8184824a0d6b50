package payments

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bank/devportal/shared/tpp/sandboxbank"
)

// StandingRun is what a run of the standing-order job did.
type StandingRun struct {
	// Booked instalments moved money; Pending ones were accepted without (the documented
	// amount that stays in process); Rejected standing orders ended RJCT; Finished ones
	// ended ACSC; Skipped instalments were booked by an earlier or concurrent run.
	Booked   int `json:"booked"`
	Pending  int `json:"pending"`
	Rejected int `json:"rejected"`
	Finished int `json:"finished"`
	Skipped  int `json:"skipped"`
}

// RunStandingOrders executes each running standing order's instalment due today (the
// bank's day, UTC), each instalment once however often it runs: the record of the
// instalment is written in the transaction that books it, on condition that it is new. A
// standing order is ACSP while it runs and ACSC once its last instalment is booked or its
// end has passed; an instalment the debtor account cannot cover rejects it (RJCT, AM04),
// as the documented amounts reject it with their reasons.
func (s *Service) RunStandingOrders(ctx context.Context) (StandingRun, error) {
	var run StandingRun
	list, err := s.Store.Standing(ctx)
	if err != nil {
		return run, err
	}
	var errs []error
	for _, p := range list {
		if err := s.instalment(ctx, p, &run); err != nil {
			errs = append(errs, fmt.Errorf("standing order %s: %w", p.ID, err))
		}
	}
	return run, errors.Join(errs...)
}

// instalment executes p's instalment of today, if one is due.
func (s *Service) instalment(ctx context.Context, p Payment, run *StandingRun) error {
	if p.Service != Periodic || p.Standing == nil || (p.Status != Accepted && p.Status != InProcess) {
		return nil
	}
	now := s.now()
	today := now.Format(time.DateOnly)
	in, due := p.Standing.Due(today)
	if !due {
		if p.Status == InProcess && p.Standing.Ended(today) {
			return s.settle(ctx, p, Settled, "", run)
		}
		return nil
	}
	ex, err := Plan(p, now, func(iban, currency string) (string, error) {
		id, err := s.Store.BankAccount(ctx, iban, currency)
		if errors.Is(err, ErrNotFound) {
			return "", nil
		}
		return id, err
	})
	if err != nil {
		return err
	}
	switch ex.Status {
	case Rejected:
		return s.settle(ctx, p, Rejected, ex.Reason, run)
	case InProcess:
		run.Pending++
		if p.Status == InProcess {
			return nil
		}
		return s.settle(ctx, p, InProcess, "", nil)
	}
	done := p
	done.Status, done.ChangedAt = InProcess, now
	if p.Standing.Ended(today) {
		done.Status = Settled
	}
	bookings := make([]sandboxbank.Booking, len(ex.Bookings))
	for i, b := range ex.Bookings {
		b.ID = instalmentBookingID(p.ID, in.Key, b.ID)
		bookings[i] = b
	}
	switch err := s.Store.ExecuteInstalment(ctx, done, p.Status, in.Key, bookings, s.notes(ctx, done, p.Status)...); {
	case err == nil:
		run.Booked++
		if done.Status == Settled {
			run.Finished++
		}
		return nil
	case errors.Is(err, ErrChanged), errors.Is(err, sandboxbank.ErrBookingExists):
		run.Skipped++
		return nil
	case errors.Is(err, sandboxbank.ErrOverdraft):
		return s.settle(ctx, p, Rejected, ReasonInsufficientFunds, run)
	default:
		return err
	}
}

// settle moves a standing order to status to (with a rejection's reason), counting it
// in run when run is given.
func (s *Service) settle(ctx context.Context, p Payment, to Status, reason string, run *StandingRun) error {
	from := p.Status
	p.Status, p.Reason, p.ChangedAt = to, reason, s.now()
	switch err := s.Store.Replace(ctx, p, from, s.notes(ctx, p, from)...); {
	case errors.Is(err, ErrChanged):
		return nil
	case err != nil:
		return err
	}
	if run != nil {
		switch to {
		case Rejected:
			run.Rejected++
		case Settled:
			run.Finished++
		}
	}
	return nil
}

// instalmentBookingID names the side of a booking (the last letter of Plan's ID) of the
// instalment key of payment id: at most 35 characters.
func instalmentBookingID(id, key, planned string) string {
	return fmt.Sprintf("%s-%s-%s", id, strings.ReplaceAll(key, "-", ""), planned[len(planned)-1:])
}
