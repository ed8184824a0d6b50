// Package scatarget is what an authorisation (package sca) authorises: the payments,
// their cancellations, the consents of both kinds and the signing baskets of payments and
// consents, decided by the same code as their
// OAuth2 approval (consentscope), so that an authorisation finalised in any approach
// authorises a payment, and runs its execution, exactly as the scope PIS:<paymentId> does.
// It links neither fosite nor html/template.
package scatarget

import (
	"context"
	"errors"
	"time"

	"github.com/bank/devportal/shared/tpp/baskets"
	"github.com/bank/devportal/shared/tpp/baskets/basketdb"
	"github.com/bank/devportal/shared/tpp/bgerror"
	"github.com/bank/devportal/shared/tpp/consents"
	"github.com/bank/devportal/shared/tpp/consents/consentdb"
	"github.com/bank/devportal/shared/tpp/payments"
	"github.com/bank/devportal/shared/tpp/payments/paymentdb"
	"github.com/bank/devportal/shared/tpp/piis"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
	"github.com/bank/devportal/shared/tpp/sandboxbank/bankstore"
	"github.com/bank/devportal/shared/tpp/sca"
	"github.com/bank/devportal/shared/tpp/sca/scadb"
)

// Bank lists a customer's accounts (sandboxbank.Store).
type Bank interface {
	Accounts(ctx context.Context, customerID string) ([]sandboxbank.Account, error)
}

// decided maps a refusal of a step the resource's status no longer allows (its
// STATUS_INVALID) to sca.ErrDecided.
func decided(err error) error {
	var e *bgerror.Error
	if errors.As(err, &e) && e.Code() == "STATUS_INVALID" {
		return sca.ErrDecided
	}
	return err
}

// Holder finds the signing basket waiting for its authorisation that holds a payment or
// consent (baskets.Service's Holding): "" for none.
type Holder interface {
	Holding(ctx context.Context, m baskets.Member) (string, error)
}

// holding is the waiting basket that holds member m, "" for none or without h.
func holding(ctx context.Context, h Holder, kind baskets.MemberKind, id string) (string, error) {
	if h == nil {
		return "", nil
	}
	return h.Holding(ctx, baskets.Member{Kind: kind, ID: id})
}

// Payments authorises payments (sca.Payment).
type Payments struct {
	Payments *payments.Service
	Bank     Bank
	// Baskets tell which basket holds a payment (nil: none is looked at).
	Baskets Holder
}

var _ sca.Signatories = Payments{}

// Find is payment id, waiting while it is received.
func (t Payments) Find(ctx context.Context, id string) (sca.Resource, error) {
	p, err := t.Payments.Find(ctx, id)
	if errors.Is(err, payments.ErrNotFound) {
		return sca.Resource{}, sca.ErrNotFound
	}
	if err != nil {
		return sca.Resource{}, err
	}
	r := sca.Resource{ID: p.ID, AppID: p.AppID, OrgID: p.OrgID, Status: string(p.Status), Waiting: p.Status == payments.Received || p.Status == payments.PartiallyAuthed,
		Approved: p.Subject != "", Subject: p.Subject, Summary: payments.Summary(p), RedirectURI: p.RedirectURI, NokRedirectURI: p.NokRedirectURI,
		MultiLevel: p.MultiLevel()}
	if p.Status == payments.PartiallyAuthed {
		for _, sig := range p.Signatures {
			if sig.AuthorisationID == "" {
				r.OAuthApprovals++
			}
		}
	}
	if p.Status == payments.Received {
		r.Basket, err = holding(ctx, t.Baskets, baskets.PaymentMember, id)
	}
	return r, err
}

// signing maps the payment rules' refusals of a signatory to the authorisations'.
func signing(err error) error {
	switch {
	case errors.Is(err, payments.ErrAlreadySigned):
		return sca.ErrAlreadySigned
	case errors.Is(err, payments.ErrNotSignatory):
		return sca.ErrNotSignatory
	}
	return err
}

// CanSign refuses customerID where payment id needs several signatories and they cannot
// add theirs: they signed it already, or do not sign for its debtor account.
func (t Payments) CanSign(ctx context.Context, id, customerID string) error {
	p, err := t.Payments.Find(ctx, id)
	if err != nil || !p.MultiLevel() {
		return err
	}
	accounts, err := t.Bank.Accounts(ctx, customerID)
	if err != nil {
		return err
	}
	return signing(t.Payments.CanSign(ctx, p, customerID, accounts))
}

// Authorise is the customer's approval, as the OAuth2 approval records it
// (consentscope.Resources.Approved): the payment is accepted from their account and, when
// due, executed; a customer who does not hold the debtor account rejects it. A payment
// that needs several signatories takes the customer's signature (PATC until the last):
// the same signatory twice or a customer who signs nothing for the account is refused
// (sca.ErrAlreadySigned, sca.ErrNotSignatory) and nothing changes.
func (t Payments) Authorise(ctx context.Context, id, customerID string) error {
	accounts, err := t.Bank.Accounts(ctx, customerID)
	if err != nil {
		return err
	}
	_, err = t.Payments.Authorise(ctx, id, customerID, accounts)
	if errors.Is(err, payments.ErrNotGrantable) {
		if err := t.Payments.Reject(ctx, id); err != nil {
			return decided(err)
		}
		return sca.ErrNotGrantable
	}
	return signing(decided(err))
}

// Approval adds customerID's approval of payment id to a (accepted from their account,
// as Authorise stores it); due says that it is to be executed once stored. A payment that
// needs several signatories is not signed in a basket: the basket's customer cannot
// grant it.
func (t Payments) Approval(ctx context.Context, id, customerID string, a *baskets.Approvals) (bool, error) {
	accounts, err := t.Bank.Accounts(ctx, customerID)
	if err != nil {
		return false, err
	}
	p, notes, due, err := t.Payments.Approval(ctx, id, customerID, accounts)
	switch {
	case errors.Is(err, payments.ErrNotGrantable), errors.Is(err, payments.ErrMultiLevelInBasket):
		return false, sca.ErrNotGrantable
	case err != nil:
		return false, decided(err)
	}
	a.Payments, a.Notes = append(a.Payments, p), append(a.Notes, notes...)
	return due, nil
}

// execute executes payment id, approved and due.
func (t Payments) execute(ctx context.Context, id string) error {
	_, err := t.Payments.Execute(ctx, id)
	return err
}

// Fail rejects the payment (MS02).
func (t Payments) Fail(ctx context.Context, id string) error {
	return decided(t.Payments.Reject(ctx, id))
}

// Cancellations authorises the cancellation of authorised payments
// (sca.PaymentCancellation).
type Cancellations struct {
	Payments *payments.Service
}

// Find is payment id, whose cancellation waits while it is authorised and not executed.
func (t Cancellations) Find(ctx context.Context, id string) (sca.Resource, error) {
	p, err := t.Payments.Find(ctx, id)
	if errors.Is(err, payments.ErrNotFound) {
		return sca.Resource{}, sca.ErrNotFound
	}
	if err != nil {
		return sca.Resource{}, err
	}
	r := sca.Resource{ID: p.ID, AppID: p.AppID, OrgID: p.OrgID, Status: string(p.Status),
		Waiting: p.Status == payments.Accepted || p.Status == payments.PartiallyAuthed, Summary: "Cancel this payment: " + payments.Summary(p),
		RedirectURI: p.RedirectURI, NokRedirectURI: p.NokRedirectURI}
	if p.Status == payments.Cancelled {
		r.Approved, r.Subject = true, p.Subject
	}
	return r, nil
}

// Authorise cancels the payment, if customerID authorised it.
func (t Cancellations) Authorise(ctx context.Context, id, customerID string) error {
	_, err := t.Payments.CancelAuthorised(ctx, id, customerID)
	if errors.Is(err, payments.ErrNotTheirs) {
		return sca.ErrNotGrantable
	}
	return decided(err)
}

// Fail leaves the payment as it is: only its cancellation failed.
func (t Cancellations) Fail(context.Context, string) error { return nil }

// Consents authorises account-information consents (sca.AISConsent).
type Consents struct {
	Consents *consents.Service
	Bank     Bank
	// Baskets tell which basket holds a consent (nil: none is looked at).
	Baskets Holder
}

// Find is consent id, waiting while it is received.
func (t Consents) Find(ctx context.Context, id string) (sca.Resource, error) {
	c, err := t.Consents.Find(ctx, id)
	if errors.Is(err, consents.ErrNotFound) {
		return sca.Resource{}, sca.ErrNotFound
	}
	if err != nil {
		return sca.Resource{}, err
	}
	r := sca.Resource{ID: c.ID, AppID: c.AppID, OrgID: c.OrgID, Status: string(c.Status), Waiting: c.Status == consents.Received,
		Approved: c.Grant != nil, Summary: consents.Summary(c), RedirectURI: c.RedirectURI, NokRedirectURI: c.NokRedirectURI}
	if c.Grant != nil {
		r.Subject = c.Grant.Subject
	}
	if r.Waiting {
		r.Basket, err = holding(ctx, t.Baskets, baskets.ConsentMember, id)
	}
	return r, err
}

// Authorise is the customer's approval, as the OAuth2 approval records it, for the
// accounts the consent names, authorised at the bank (consents.ByBank: no token names it,
// so the TPP reads it without one); a bank-offered consent, whose accounts the customer picks
// at the bank's consent page, gets every account of theirs (as the developers' "approve
// everything" scenario): the TPP's approaches have no page to pick them on.
func (t Consents) Authorise(ctx context.Context, id, customerID string) error {
	theirs, chosen, err := t.accounts(ctx, customerID)
	if err != nil {
		return err
	}
	err = t.Consents.Approve(ctx, id, customerID, consents.ByBank, theirs, chosen)
	if errors.Is(err, consents.ErrNotGrantable) {
		if err := t.Consents.Reject(ctx, id); err != nil {
			return decided(err)
		}
		return sca.ErrNotGrantable
	}
	return decided(err)
}

// accounts are the customer's accounts a consent may name, and those a bank-offered one
// gets (every one that holds money).
func (t Consents) accounts(ctx context.Context, customerID string) ([]consents.Account, []string, error) {
	accounts, err := t.Bank.Accounts(ctx, customerID)
	if err != nil {
		return nil, nil, err
	}
	theirs := make([]consents.Account, 0, len(accounts))
	var chosen []string
	for _, a := range accounts {
		if a.Kind == sandboxbank.MultiCurrency {
			continue
		}
		theirs = append(theirs, consents.Account{ID: a.ResourceID, IBAN: a.IBAN, Currency: a.Currency, Kind: string(a.Kind), MaskedPAN: a.MaskedPAN})
		if a.HoldsMoney() {
			chosen = append(chosen, a.ResourceID)
		}
	}
	return theirs, chosen, nil
}

// Approval adds customerID's approval of consent id to a (valid for the accounts of
// theirs, as Authorise stores it).
func (t Consents) Approval(ctx context.Context, id, customerID string, a *baskets.Approvals) (bool, error) {
	theirs, chosen, err := t.accounts(ctx, customerID)
	if err != nil {
		return false, err
	}
	c, notes, err := t.Consents.Approval(ctx, id, customerID, consents.ByBank, theirs, chosen)
	switch {
	case errors.Is(err, consents.ErrNotGrantable):
		return false, sca.ErrNotGrantable
	case err != nil:
		return false, decided(err)
	}
	a.Consents, a.Notes = append(a.Consents, c), append(a.Notes, notes...)
	return false, nil
}

// Fail rejects the consent.
func (t Consents) Fail(ctx context.Context, id string) error {
	return decided(t.Consents.Reject(ctx, id))
}

// Funds authorises confirmation-of-funds consents (sca.PIISConsent).
type Funds struct {
	Funds *piis.Service
	// Baskets tell which basket holds a consent (nil: none is looked at).
	Baskets Holder
}

// Find is consent id, waiting while it is received.
func (t Funds) Find(ctx context.Context, id string) (sca.Resource, error) {
	c, err := t.Funds.Find(ctx, id)
	if errors.Is(err, consents.ErrNotFound) {
		return sca.Resource{}, sca.ErrNotFound
	}
	if err != nil {
		return sca.Resource{}, err
	}
	r := sca.Resource{ID: c.ID, AppID: c.AppID, OrgID: c.OrgID, Status: string(c.Status), Waiting: c.Status == consents.Received,
		Approved: c.Subject != "", Subject: c.Subject, Summary: piis.Summary(c)}
	if r.Waiting {
		r.Basket, err = holding(ctx, t.Baskets, baskets.FundsMember, id)
	}
	return r, err
}

// Authorise is the customer's approval, as the OAuth2 approval records it, authorised at
// the bank (consents.ByBank: the funds checks present no token).
func (t Funds) Authorise(ctx context.Context, id, customerID string) error {
	err := t.Funds.Approve(ctx, id, customerID, consents.ByBank)
	if errors.Is(err, consents.ErrNotGrantable) {
		if err := t.Funds.Reject(ctx, id); err != nil {
			return decided(err)
		}
		return sca.ErrNotGrantable
	}
	return decided(err)
}

// Approval adds customerID's approval of consent id to a (valid for their account, as
// Authorise stores it).
func (t Funds) Approval(ctx context.Context, id, customerID string, a *baskets.Approvals) (bool, error) {
	c, notes, err := t.Funds.Approval(ctx, id, customerID, consents.ByBank)
	switch {
	case errors.Is(err, consents.ErrNotGrantable):
		return false, sca.ErrNotGrantable
	case err != nil:
		return false, decided(err)
	}
	a.Funds, a.Notes = append(a.Funds, c), append(a.Notes, notes...)
	return false, nil
}

// Fail rejects the consent.
func (t Funds) Fail(ctx context.Context, id string) error { return decided(t.Funds.Reject(ctx, id)) }

// DynamoDB is what the stores on the TPP table call.
type DynamoDB interface {
	bankstore.DynamoDB
	consentdb.DynamoDBAPI
}

// Notifier is told of the status changes of the resources the authorisations decide (the
// TPP's status notifications, notify.Notifier).
type Notifier interface {
	payments.Notifier
}

// OnTable is the authorisation service over the TPP table named table: the
// authorisations and every resource they authorise, with the clock now (nil: time.Now),
// each resource's status changes told to notifier (nil: to nobody).
func OnTable(db DynamoDB, table string, now func() time.Time, notifier Notifier) *sca.Service {
	bank := bankstore.New(db, table)
	pay := &payments.Service{Store: paymentdb.New(db, table), Now: now}
	var consentsNotifier consents.Notifier
	if notifier != nil {
		pay.Notify, consentsNotifier = notifier, notifier
	}
	authorisations := scadb.New(db, table)
	// The members' targets ask the baskets which one holds them; the baskets find their
	// members through those targets.
	basketSvc := &baskets.Service{Store: basketdb.New(db, table), Authorisations: authorisations, Now: now}
	payTarget := Payments{Payments: pay, Bank: bank, Baskets: basketSvc}
	consentTarget := Consents{Consents: &consents.Service{Store: consentdb.New(db, table), Now: now, Notify: consentsNotifier}, Bank: bank, Baskets: basketSvc}
	fundsTarget := Funds{Funds: &piis.Service{Store: consentdb.NewPIIS(db, table), Bank: bank, Now: now, Notify: consentsNotifier}, Baskets: basketSvc}
	basketSvc.Payments, basketSvc.Consents, basketSvc.Funds = payTarget, consentTarget, fundsTarget
	return &sca.Service{Store: authorisations, Customers: bank, Now: now, Targets: map[sca.Kind]sca.Target{
		sca.Payment:             payTarget,
		sca.PaymentCancellation: Cancellations{Payments: pay},
		sca.AISConsent:          consentTarget,
		sca.PIISConsent:         fundsTarget,
		sca.SigningBasket:       Baskets{Baskets: basketSvc, Payments: payTarget, Consents: consentTarget, Funds: fundsTarget},
	}}
}
