// Package consentscope is what the authorization server's resource scopes name
// (oauth.Resources): "AIS:<consentId>" is an account-information consent waiting for its
// customer, which the customer's approval at the bank makes valid for the accounts of
// theirs it names or they chose.
package consentscope

import (
	"context"
	"errors"

	"github.com/bank/devportal/shared/tpp/consents"
	"github.com/bank/devportal/shared/tpp/oauth"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
)

// Resources finds consents for the authorization server.
type Resources struct {
	Consents *consents.Service
	// Bank lists the approving customer's accounts.
	Bank interface {
		Accounts(ctx context.Context, customerID string) ([]sandboxbank.Account, error)
	}
}

var _ oauth.Resources = Resources{}

// Find is the consent a scope names, while it waits for its customer: a consent that is
// already decided, or ended, cannot be authorised again.
func (r Resources) Find(ctx context.Context, kind, id string) (oauth.Resource, error) {
	if kind != "AIS" {
		return oauth.Resource{}, oauth.ErrUnknownResource
	}
	c, err := r.Consents.Find(ctx, id)
	switch {
	case errors.Is(err, consents.ErrNotFound):
		return oauth.Resource{}, oauth.ErrUnknownResource
	case err != nil:
		return oauth.Resource{}, err
	case c.Status != consents.Received:
		return oauth.Resource{}, oauth.ErrUnknownResource
	}
	return oauth.Resource{Kind: kind, ID: c.ID, AppID: c.AppID}, nil
}

// Approved records the customer's approval of the consent at the bank, for the accounts
// (resource IDs) they chose where the consent lets them choose.
func (r Resources) Approved(ctx context.Context, res oauth.Resource, subject string, chosen []string) error {
	if res.Kind != "AIS" {
		return oauth.ErrUnknownResource
	}
	accounts, err := r.Bank.Accounts(ctx, subject)
	if err != nil {
		return err
	}
	theirs := make([]consents.Account, 0, len(accounts))
	for _, a := range accounts {
		if a.Kind != sandboxbank.MultiCurrency {
			theirs = append(theirs, consents.Account{ID: a.ResourceID, IBAN: a.IBAN, Currency: a.Currency})
		}
	}
	return r.Consents.Approve(ctx, res.ID, subject, theirs, chosen)
}
