package scatarget

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/bank/devportal/shared/tpp/baskets"
	"github.com/bank/devportal/shared/tpp/sca"
)

// Member is the target of a kind of resource a signing basket holds: it also prepares,
// without writing, a resource's approval by a customer, which the basket writes with
// every other member's in one transaction.
type Member interface {
	sca.Target
	// Approval adds customerID's approval of resource id to a, as Authorise would store
	// it: sca.ErrNotGrantable when Authorise would refuse the customer, sca.ErrDecided
	// when the resource no longer waits; due says that the approved resource (a payment)
	// is to be executed once the approval is stored.
	Approval(ctx context.Context, id, customerID string, a *baskets.Approvals) (due bool, err error)
}

var (
	_ Member = Payments{}
	_ Member = Consents{}
	_ Member = Funds{}
)

// Baskets authorises signing baskets (sca.SigningBasket): one authorisation authorises
// every payment and consent of the basket through their own targets, so each payment is
// accepted and executed exactly as its own authorisation would, and each consent (of
// account information or confirmation of funds) becomes valid. The customer must be able
// to authorise every member, or the basket is rejected and its members wait as before.
type Baskets struct {
	Baskets                   *baskets.Service
	Payments, Consents, Funds Member
}

func (t Baskets) member(k baskets.MemberKind) Member {
	switch k {
	case baskets.PaymentMember:
		return t.Payments
	case baskets.FundsMember:
		return t.Funds
	}
	return t.Consents
}

// Find is basket id, waiting while it is received, with its members' summaries.
func (t Baskets) Find(ctx context.Context, id string) (sca.Resource, error) {
	b, err := t.Baskets.Find(ctx, id)
	if errors.Is(err, baskets.ErrNotFound) {
		return sca.Resource{}, sca.ErrNotFound
	}
	if err != nil {
		return sca.Resource{}, err
	}
	summaries := make([]string, 0, len(b.PaymentIDs)+len(b.ConsentIDs))
	for _, m := range b.Members() {
		res, err := t.member(m.Kind).Find(ctx, m.ID)
		if err != nil {
			return sca.Resource{}, err
		}
		summaries = append(summaries, res.Summary)
	}
	return sca.Resource{ID: b.ID, AppID: b.AppID, OrgID: b.OrgID, Status: string(b.Status), Waiting: b.Status == baskets.Received,
		Approved: b.Status == baskets.Accepted, Subject: b.Subject, RedirectURI: b.RedirectURI, NokRedirectURI: b.NokRedirectURI,
		Summary: fmt.Sprintf("Sign %d payment(s) and %d consent(s) at once: %s", len(b.PaymentIDs), len(b.ConsentIDs), strings.Join(summaries, " "))}, nil
}

// Authorise is the customer's authorisation of the basket and every member, in one
// transaction (baskets.Service.Accept): each member must still wait and be the
// customer's to authorise, or the basket is rejected (sca.ErrNotGrantable) and no member
// changes; a member that changed between its reading and the transaction rejects it the
// same way. The payments due are executed after, each as its own authorisation executes
// it.
func (t Baskets) Authorise(ctx context.Context, id, customerID string) error {
	b, err := t.Baskets.Find(ctx, id)
	if err != nil {
		return err
	}
	if b.Status != baskets.Received {
		return sca.ErrDecided
	}
	var a baskets.Approvals
	var due []string
	for _, m := range b.Members() {
		now, err := t.member(m.Kind).Approval(ctx, m.ID, customerID, &a)
		switch {
		case errors.Is(err, sca.ErrNotGrantable) || errors.Is(err, sca.ErrDecided):
			return t.refuse(ctx, id)
		case err != nil:
			return err
		case now:
			due = append(due, m.ID)
		}
	}
	switch err := t.Baskets.Accept(ctx, id, customerID, a); {
	case errors.Is(err, baskets.ErrMemberChanged):
		return t.refuse(ctx, id)
	case err != nil:
		return decided(err)
	}
	if len(due) == 0 {
		return nil
	}
	ex, ok := t.Payments.(interface {
		execute(ctx context.Context, id string) error
	})
	if !ok {
		return fmt.Errorf("scatarget: the payments target %T cannot execute the basket's due payments", t.Payments)
	}
	for _, pid := range due {
		// Executed once however often this runs: a second execution is STATUS_INVALID.
		if err := decided(ex.execute(ctx, pid)); err != nil && !errors.Is(err, sca.ErrDecided) {
			return err
		}
	}
	return nil
}

// refuse rejects basket id, whose customer cannot authorise every member.
func (t Baskets) refuse(ctx context.Context, id string) error {
	if err := t.Baskets.Reject(ctx, id); err != nil {
		return decided(err)
	}
	return sca.ErrNotGrantable
}

// Fail rejects the basket and every member that still waits: the customer refused them
// all, or did not authorise them in time.
func (t Baskets) Fail(ctx context.Context, id string) error {
	b, err := t.Baskets.Find(ctx, id)
	if err != nil {
		return err
	}
	if err := t.Baskets.Reject(ctx, id); err != nil {
		return decided(err)
	}
	for _, m := range b.Members() {
		if err := t.member(m.Kind).Fail(ctx, m.ID); err != nil && !errors.Is(err, sca.ErrDecided) {
			return err
		}
	}
	return nil
}

// Holding is the basket waiting for its authorisation that holds m, "" for none: the
// authorization server refuses the scope of such a member alone.
func (t Baskets) Holding(ctx context.Context, m baskets.Member) (string, error) {
	return t.Baskets.Holding(ctx, m)
}

// BasketsOf is the signing baskets whose authorisations s decides (OnTable's), nil for
// none.
func BasketsOf(s *sca.Service) *baskets.Service {
	t, _ := s.Targets[sca.SigningBasket].(Baskets)
	return t.Baskets
}
