// Package consentscope is what the authorization server's resource scopes name
// (oauth.Resources): "AIS:<consentId>" is an account-information consent and
// "PIIS:<consentId>" a confirmation-of-funds consent, each waiting for its customer, whose
// approval at the bank makes it valid for the accounts of theirs it names or they chose;
// "PIS:<paymentId>" is a payment waiting for its customer, whose approval authorises (and,
// when it is due, executes) it, or for the next of its signatories (PATC), whose approval
// adds their signature; "SBS:<basketId>" is a signing basket waiting for its
// customer, whose approval authorises every payment and consent in it, as one
// authorisation of the basket does.
package consentscope

import (
	"context"
	"errors"
	"fmt"

	"github.com/bank/devportal/shared/tpp/baskets"
	"github.com/bank/devportal/shared/tpp/consents"
	"github.com/bank/devportal/shared/tpp/oauth"
	"github.com/bank/devportal/shared/tpp/payments"
	"github.com/bank/devportal/shared/tpp/piis"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
	"github.com/bank/devportal/shared/tpp/sca"
)

// Resources finds consents for the authorization server.
type Resources struct {
	Consents *consents.Service
	Funds    *piis.Service
	// Payments are the payment initiations; nil where the scopes name none.
	Payments *payments.Service
	// Baskets authorises signing baskets (scatarget.Baskets); nil where the scopes name
	// none.
	Baskets sca.Target
	// Bank lists the approving customer's accounts.
	Bank interface {
		Accounts(ctx context.Context, customerID string) ([]sandboxbank.Account, error)
	}
}

var _ oauth.Resources = Resources{}

// Holder finds the signing basket waiting for its authorisation that holds a payment or
// consent, "" for none (scatarget.Baskets has it).
type Holder interface {
	Holding(ctx context.Context, m baskets.Member) (string, error)
}

// inBasket refuses the scope of a payment or consent alone while a basket that waits for
// its authorisation holds it (oauth.ErrInBasket): Baskets tells, when it can.
func (r Resources) inBasket(ctx context.Context, kind, id string) error {
	h, ok := r.Baskets.(Holder)
	if !ok {
		return nil
	}
	member := baskets.Member{Kind: baskets.ConsentMember, ID: id}
	switch kind {
	case "PIS":
		member.Kind = baskets.PaymentMember
	case "PIIS":
		member.Kind = baskets.FundsMember
	case "SBS":
		return nil
	}
	basket, err := h.Holding(ctx, member)
	switch {
	case err != nil:
		return err
	case basket != "":
		return fmt.Errorf("%w: %s %s is in the signing basket %s", oauth.ErrInBasket, kind, id, basket)
	}
	return nil
}

// Find is the consent a scope names, while it waits for its customer: a consent that is
// already decided, or ended, cannot be authorised again; one a waiting signing basket
// holds is authorised with the basket only (oauth.ErrInBasket).
func (r Resources) Find(ctx context.Context, kind, id string) (oauth.Resource, error) {
	res, err := r.find(ctx, kind, id)
	if err != nil {
		return res, err
	}
	if err := r.inBasket(ctx, kind, id); err != nil {
		return oauth.Resource{}, err
	}
	return res, nil
}

func (r Resources) find(ctx context.Context, kind, id string) (oauth.Resource, error) {
	switch kind {
	case "AIS":
		c, err := r.Consents.Find(ctx, id)
		if err = waiting(err, c.Status); err != nil {
			return oauth.Resource{}, err
		}
		return oauth.Resource{Kind: kind, ID: c.ID, AppID: c.AppID, Summary: consents.Summary(c), ChoosesAccounts: c.Kind == consents.BankOffered}, nil
	case "PIIS":
		c, err := r.Funds.Find(ctx, id)
		if err = waiting(err, c.Status); err != nil {
			return oauth.Resource{}, err
		}
		return oauth.Resource{Kind: kind, ID: c.ID, AppID: c.AppID, Summary: piis.Summary(c)}, nil
	case "PIS":
		if r.Payments == nil {
			break
		}
		p, err := r.Payments.Find(ctx, id)
		switch {
		case errors.Is(err, payments.ErrNotFound):
			return oauth.Resource{}, oauth.ErrUnknownResource
		case err != nil:
			return oauth.Resource{}, err
		case p.Status != payments.Received && p.Status != payments.PartiallyAuthed:
			return oauth.Resource{}, oauth.ErrUnknownResource
		}
		return oauth.Resource{Kind: kind, ID: p.ID, AppID: p.AppID, Summary: payments.Summary(p)}, nil
	case "SBS":
		if r.Baskets == nil {
			break
		}
		b, err := r.Baskets.Find(ctx, id)
		switch {
		case errors.Is(err, sca.ErrNotFound):
			return oauth.Resource{}, oauth.ErrUnknownResource
		case err != nil:
			return oauth.Resource{}, err
		case !b.Waiting:
			return oauth.Resource{}, oauth.ErrUnknownResource
		}
		return oauth.Resource{Kind: kind, ID: b.ID, AppID: b.AppID, Summary: b.Summary}, nil
	}
	return oauth.Resource{}, oauth.ErrUnknownResource
}

// waiting is the answer to a consent read with err and found in status: unknown unless
// it exists and waits for its customer.
func waiting(err error, status consents.Status) error {
	switch {
	case errors.Is(err, consents.ErrNotFound):
		return oauth.ErrUnknownResource
	case err != nil:
		return err
	case status != consents.Received:
		return oauth.ErrUnknownResource
	}
	return nil
}

// Approved records the customer's approval of the consent at the bank, for the accounts
// (resource IDs) they chose where the consent lets them choose. A consent they cannot
// grant is rejected, and answers oauth.ErrCannotGrant.
func (r Resources) Approved(ctx context.Context, res oauth.Resource, subject string, chosen []string) error {
	// A basket that took the resource since the request was made holds it now: the
	// approval grants nothing, and the resource waits with its basket.
	if err := r.inBasket(ctx, res.Kind, res.ID); errors.Is(err, oauth.ErrInBasket) {
		return fmt.Errorf("%w: %w", oauth.ErrCannotGrant, err)
	} else if err != nil {
		return err
	}
	var err error
	switch res.Kind {
	case "SBS":
		if r.Baskets == nil {
			return oauth.ErrUnknownResource
		}
		// A basket the customer cannot authorise as a whole is rejected by its target, and
		// its members wait as before; one decided meanwhile cannot be approved either.
		switch err := r.Baskets.Authorise(ctx, res.ID, subject); {
		case errors.Is(err, sca.ErrNotGrantable) || errors.Is(err, sca.ErrDecided):
			return fmt.Errorf("%w: %w", oauth.ErrCannotGrant, err)
		default:
			return err
		}
	case "PIS":
		if r.Payments == nil {
			return oauth.ErrUnknownResource
		}
		var accounts []sandboxbank.Account
		if accounts, err = r.Bank.Accounts(ctx, subject); err != nil {
			return err
		}
		_, err = r.Payments.Authorise(ctx, res.ID, subject, accounts)
		switch {
		case errors.Is(err, payments.ErrNotGrantable):
			if rerr := r.Refused(ctx, res); rerr != nil {
				return rerr
			}
			return fmt.Errorf("%w: %w", oauth.ErrCannotGrant, err)
		case errors.Is(err, payments.ErrAlreadySigned) || errors.Is(err, payments.ErrNotSignatory):
			// A payment that needs several signatories waits for them as before.
			return fmt.Errorf("%w: %w", oauth.ErrCannotGrant, err)
		}
		return err
	case "PIIS":
		err = r.Funds.Approve(ctx, res.ID, subject, consents.ByOAuth)
	case "AIS":
		var accounts []sandboxbank.Account
		if accounts, err = r.Bank.Accounts(ctx, subject); err != nil {
			return err
		}
		theirs := make([]consents.Account, 0, len(accounts))
		for _, a := range accounts {
			if a.Kind != sandboxbank.MultiCurrency {
				theirs = append(theirs, consents.Account{ID: a.ResourceID, IBAN: a.IBAN, Currency: a.Currency, Kind: string(a.Kind), MaskedPAN: a.MaskedPAN})
			}
		}
		err = r.Consents.Approve(ctx, res.ID, subject, consents.ByOAuth, theirs, chosen)
	default:
		return oauth.ErrUnknownResource
	}
	if errors.Is(err, consents.ErrNotGrantable) {
		if rerr := r.Refused(ctx, res); rerr != nil {
			return rerr
		}
		return fmt.Errorf("%w: %w", oauth.ErrCannotGrant, err)
	}
	return err
}

// Refused records that the customer did not approve the consent: it is rejected.
func (r Resources) Refused(ctx context.Context, res oauth.Resource) error {
	switch res.Kind {
	case "SBS":
		if r.Baskets != nil {
			if err := r.Baskets.Fail(ctx, res.ID); !errors.Is(err, sca.ErrDecided) {
				return err
			}
			return nil
		}
	case "AIS":
		return r.Consents.Reject(ctx, res.ID)
	case "PIIS":
		return r.Funds.Reject(ctx, res.ID)
	case "PIS":
		if r.Payments != nil {
			return r.Payments.Reject(ctx, res.ID)
		}
	}
	return oauth.ErrUnknownResource
}
