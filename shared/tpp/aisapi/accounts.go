package aisapi

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/bank/devportal/shared/tpp/bgerror"
	"github.com/bank/devportal/shared/tpp/callercheck"
	"github.com/bank/devportal/shared/tpp/consents"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
)

// The refusals of the account endpoints that the consent rules do not give.
var (
	errNoConsentID     = bgerror.FormatError(bgerror.Field("Consent-ID", "Send the Consent-ID header: the consent under which your app reads the account."))
	errAccountUnknown  = bgerror.New(http.StatusNotFound, "RESOURCE_UNKNOWN", "The bank has no such account.")
	errInformation     = bgerror.New(http.StatusBadRequest, "PARAMETER_NOT_SUPPORTED", "This bank does not report standing orders (bookingStatus information).")
	errDeltaList       = bgerror.New(http.StatusBadRequest, "PARAMETER_NOT_SUPPORTED", "This bank does not support deltaList or entryReferenceFrom: page through the period with the next link.")
	errPeriod          = bgerror.New(http.StatusBadRequest, "PERIOD_INVALID", "dateTo is before dateFrom: the period runs from dateFrom to dateTo, both included.")
	errCursor          = bgerror.FormatError(bgerror.Field("cursor", "This cursor is not one of a next link of this query: follow the links as they are."))
	errBookingStatus   = bgerror.FormatError(bgerror.Field("bookingStatus", "The bookingStatus is required: booked, pending or both."))
	errDateFrom        = bgerror.FormatError(bgerror.Field("dateFrom", "The dateFrom (YYYY-MM-DD) is required for booked transactions."))
	errWrongKind       = bgerror.New(http.StatusNotFound, "RESOURCE_UNKNOWN", "This is not an account of this kind: card accounts are read under /v1/card-accounts, the others under /v1/accounts.")
	errWithBalanceBool = bgerror.FormatError(bgerror.Field("withBalance", "The withBalance parameter is true or false."))
)

func dateError(param string) error {
	return bgerror.FormatError(bgerror.Field(param, "The "+param+" must be a date of the form YYYY-MM-DD."))
}

// read checks the account-data call r of kind use against its consent (Consent-ID) and
// the access token it presents, if any, and counts it when the customer did not ask for
// it: no PSU-IP-Address.
func (a *API) read(r *http.Request, o consents.Owner, accountID string, use consents.Use) (consents.Consent, error) {
	id := r.Header.Get(callercheck.ConsentIDHeader)
	if id == "" {
		return consents.Consent{}, errNoConsentID
	}
	return a.Consents.Access(r.Context(), o, id, accountID, use, r.Header.Get("PSU-IP-Address") == "", presented(r))
}

// presented is the access token the call presents, as the caller check verified it; nil
// for a call without one, which the consent's rules allow only under a consent authorised
// at the bank (consents.CheckToken).
func presented(r *http.Request) *consents.Token {
	c, _ := callercheck.From(r.Context())
	if c.Token == nil {
		return nil
	}
	return &consents.Token{Scopes: c.Token.Scopes}
}

// withBalance reads the withBalance query parameter.
func withBalance(r *http.Request) (bool, error) {
	v := r.URL.Query().Get("withBalance")
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, errWithBalanceBool
	}
	return b, nil
}

func (a *API) today() time.Time {
	if a.Now == nil {
		return time.Now().UTC()
	}
	return a.Now().UTC()
}

// account is the account of the path under the consent, of the path's kind.
func (a *API) account(ctx context.Context, id string, card bool) (sandboxbank.Account, error) {
	acc, err := a.Bank.Account(ctx, id)
	switch {
	case errors.Is(err, sandboxbank.ErrAccountUnknown):
		return acc, errAccountUnknown
	case err != nil:
		return acc, err
	case (acc.Kind == sandboxbank.Card) != card:
		return acc, errWrongKind
	}
	return acc, nil
}

// granted is the account of the path as the consent's grant describes it (enough to write
// its transactions and balances), read from the bank only for a grant that does not.
func (a *API) granted(ctx context.Context, c consents.Consent, id string, card bool) (sandboxbank.Account, error) {
	k, ok := c.Grant.Account(id)
	if !ok {
		return a.account(ctx, id, card)
	}
	acc := sandboxbank.Account{ResourceID: k.ID, Kind: sandboxbank.AccountKind(k.Kind), IBAN: k.IBAN, Currency: k.Currency, MaskedPAN: k.MaskedPAN}
	if (acc.Kind == sandboxbank.Card) != card {
		return acc, errWrongKind
	}
	return acc, nil
}

// balances are the account's balances today.
func (a *API) balances(ctx context.Context, acc sandboxbank.Account) ([]sandboxbank.Balance, error) {
	l, err := a.Bank.Ledger(ctx, acc.ResourceID)
	if err != nil {
		return nil, err
	}
	return l.Balances(a.today()), nil
}

// ownerShown is the account with its owner's name only if the consent lets the TPP see it.
func ownerShown(c consents.Consent, acc sandboxbank.Account) sandboxbank.Account {
	if !slices.Contains(c.Grant.OwnerName, acc.ResourceID) {
		acc.OwnerName = ""
	}
	return acc
}

// listAccounts is GET /v1/accounts (card is false) or /v1/card-accounts: the consent's
// accounts of that kind, with balances when asked and the consent allows.
func (a *API) listAccounts(card bool) func(http.ResponseWriter, *http.Request, consents.Owner) error {
	return func(w http.ResponseWriter, r *http.Request, o consents.Owner) error {
		wantBalances, err := withBalance(r)
		if err != nil {
			return err
		}
		c, err := a.read(r, o, "", consents.UseList)
		if err != nil {
			return err
		}
		var accounts []sandboxbank.AccountDetails
		var cards []sandboxbank.CardAccountDetails
		for _, id := range c.Grant.Accounts {
			acc, err := a.Bank.Account(r.Context(), id)
			if err != nil {
				return err
			}
			if (acc.Kind == sandboxbank.Card) != card {
				continue
			}
			var bal []sandboxbank.Balance
			if wantBalances && (c.Grant.WithBalance || !c.Grant.ListOnly && slices.Contains(c.Grant.Balances, id)) {
				if bal, err = a.balances(r.Context(), acc); err != nil {
					return err
				}
			}
			acc = ownerShown(c, acc)
			if card {
				cards = append(cards, acc.BerlinGroupCard(bal))
			} else {
				accounts = append(accounts, acc.BerlinGroup("", bal))
			}
		}
		if card {
			writeJSON(w, http.StatusOK, map[string]any{"cardAccounts": nonNil(cards)})
		} else {
			writeJSON(w, http.StatusOK, map[string]any{"accounts": nonNil(accounts)})
		}
		return nil
	}
}

// nonNil is list, or an empty list: the specification wants an array even of nothing.
func nonNil[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}

// accountDetails is GET /v1/accounts/{account-id} or /v1/card-accounts/{account-id}.
func (a *API) accountDetails(card bool) func(http.ResponseWriter, *http.Request, consents.Owner) error {
	return func(w http.ResponseWriter, r *http.Request, o consents.Owner) error {
		wantBalances, err := withBalance(r)
		if err != nil {
			return err
		}
		id := r.PathValue("accountId")
		c, err := a.read(r, o, id, consents.UseDetails)
		if err != nil {
			return err
		}
		acc, err := a.account(r.Context(), id, card)
		if err != nil {
			return err
		}
		var bal []sandboxbank.Balance
		if wantBalances && slices.Contains(c.Grant.Balances, id) {
			if bal, err = a.balances(r.Context(), acc); err != nil {
				return err
			}
		}
		acc = ownerShown(c, acc)
		if card {
			writeJSON(w, http.StatusOK, map[string]any{"cardAccount": acc.BerlinGroupCard(bal)})
		} else {
			writeJSON(w, http.StatusOK, map[string]any{"account": acc.BerlinGroup("", bal)})
		}
		return nil
	}
}

// accountBalances is GET /v1/accounts/{account-id}/balances (or the card account's).
func (a *API) accountBalances(card bool) func(http.ResponseWriter, *http.Request, consents.Owner) error {
	return func(w http.ResponseWriter, r *http.Request, o consents.Owner) error {
		id := r.PathValue("accountId")
		c, err := a.read(r, o, id, consents.UseBalances)
		if err != nil {
			return err
		}
		acc, err := a.granted(r.Context(), c, id, card)
		if err != nil {
			return err
		}
		bal, err := a.balances(r.Context(), acc)
		if err != nil {
			return err
		}
		if card {
			writeJSON(w, http.StatusOK, map[string]any{"cardAccount": map[string]string{"maskedPan": acc.MaskedPAN}, "balances": bal})
		} else {
			writeJSON(w, http.StatusOK, map[string]any{"account": map[string]string{"iban": acc.IBAN, "currency": acc.Currency}, "balances": bal})
		}
		return nil
	}
}

// transactionQuery reads the query of a transactions call: bookingStatus booked
// (dateFrom required, dateTo optional), pending, or both; a cursor of a next link.
func transactionQuery(r *http.Request) (status string, q sandboxbank.TransactionQuery, err error) {
	v := r.URL.Query()
	if v.Get("deltaList") != "" || v.Get("entryReferenceFrom") != "" {
		return "", q, errDeltaList
	}
	status = v.Get("bookingStatus")
	switch status {
	case "booked", "both":
		q.Status = sandboxbank.Booked
	case "pending":
		q.Status = sandboxbank.Pending
	case "information":
		return "", q, errInformation
	case "":
		return "", q, errBookingStatus
	default:
		return "", q, bgerror.FormatError(bgerror.Field("bookingStatus", "The bookingStatus "+strconv.Quote(status)+" is none of booked, pending and both."))
	}
	q.From, q.To, q.Cursor = v.Get("dateFrom"), v.Get("dateTo"), v.Get("cursor")
	for _, p := range []struct{ name, value string }{{"dateFrom", q.From}, {"dateTo", q.To}} {
		if _, err := time.Parse(time.DateOnly, p.value); p.value != "" && err != nil {
			return "", q, dateError(p.name)
		}
	}
	switch {
	case q.Status == sandboxbank.Booked && q.From == "":
		return "", q, errDateFrom
	case q.From != "" && q.To != "" && q.From > q.To:
		return "", q, errPeriod
	case q.Status == sandboxbank.Pending:
		q.From, q.To = "", ""
	}
	return status, q, nil
}

// accountTransactions is GET /v1/accounts/{account-id}/transactions (or the card
// account's): a page of the booked transactions of the period, oldest first, with a next
// link while there are more; the pending ones with status pending or both (on the first
// page).
func (a *API) accountTransactions(card bool) func(http.ResponseWriter, *http.Request, consents.Owner) error {
	return func(w http.ResponseWriter, r *http.Request, o consents.Owner) error {
		status, q, err := transactionQuery(r)
		if err != nil {
			return err
		}
		wantBalances, err := withBalance(r)
		if err != nil {
			return err
		}
		id := r.PathValue("accountId")
		c, err := a.read(r, o, id, consents.UseTransactions)
		if err != nil {
			return err
		}
		acc, err := a.granted(r.Context(), c, id, card)
		if err != nil {
			return err
		}
		q.AccountID = acc.ResourceID
		page, err := a.Bank.Transactions(r.Context(), q)
		switch {
		case errors.Is(err, sandboxbank.ErrCursorInvalid):
			return errCursor
		case errors.Is(err, sandboxbank.ErrPeriodInvalid):
			return errPeriod
		case err != nil:
			return err
		}
		var booked, pending []sandboxbank.Transaction
		if q.Status == sandboxbank.Booked {
			booked = page.Transactions
		} else {
			pending = page.Transactions
		}
		if status == "both" && q.Cursor == "" {
			more, err := a.Bank.Transactions(r.Context(), sandboxbank.TransactionQuery{AccountID: acc.ResourceID, Status: sandboxbank.Pending, Limit: sandboxbank.MaxPageSize})
			if err != nil {
				return err
			}
			pending = more.Transactions
		}
		self := r.URL.Query()
		links := sandboxbank.Links{"account": {Href: sandboxbank.AccountPath(acc)}}
		first := cloneQuery(self)
		first.Del("cursor")
		links["first"] = sandboxbank.Href{Href: sandboxbank.AccountPath(acc) + "/transactions?" + first.Encode()}
		for rel, cursor := range map[string]string{"next": page.Next, "previous": page.Previous, "last": page.Last} {
			if cursor != "" {
				at := cloneQuery(self)
				at.Set("cursor", cursor)
				links[rel] = sandboxbank.Href{Href: sandboxbank.AccountPath(acc) + "/transactions?" + at.Encode()}
			}
		}
		out := map[string]any{}
		if card {
			report := sandboxbank.CardAccountReport{Links: links}
			for _, t := range booked {
				report.Booked = append(report.Booked, t.BerlinGroupCard())
			}
			for _, t := range pending {
				report.Pending = append(report.Pending, t.BerlinGroupCard())
			}
			out["cardAccount"], out["cardTransactions"] = map[string]string{"maskedPan": acc.MaskedPAN}, report
		} else {
			report := sandboxbank.AccountReport{Links: links}
			for _, t := range booked {
				report.Booked = append(report.Booked, t.BerlinGroup(acc))
			}
			for _, t := range pending {
				report.Pending = append(report.Pending, t.BerlinGroup(acc))
			}
			out["account"], out["transactions"] = map[string]string{"iban": acc.IBAN, "currency": acc.Currency}, report
		}
		if wantBalances && slices.Contains(c.Grant.Balances, id) {
			if out["balances"], err = a.balances(r.Context(), acc); err != nil {
				return err
			}
		}
		writeJSON(w, http.StatusOK, out)
		return nil
	}
}

func cloneQuery(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// errTransactionUnknown answers a transaction ID the account does not have.
var errTransactionUnknown = bgerror.New(http.StatusNotFound, "RESOURCE_UNKNOWN", "The account has no transaction with this ID.")

// transactionDetails is GET /v1/accounts/{account-id}/transactions/{transactionId}: one
// transaction, booked or pending, of an account whose transactions the consent grants.
func (a *API) transactionDetails(w http.ResponseWriter, r *http.Request, o consents.Owner) error {
	id := r.PathValue("accountId")
	c, err := a.read(r, o, id, consents.UseTransactions)
	if err != nil {
		return err
	}
	acc, err := a.granted(r.Context(), c, id, false)
	if err != nil {
		return err
	}
	t, err := a.Bank.Transaction(r.Context(), acc.ResourceID, r.PathValue("transactionId"))
	switch {
	case errors.Is(err, sandboxbank.ErrTransactionUnknown):
		return errTransactionUnknown
	case err != nil:
		return err
	}
	// The element is transactionsDetails, as the specification's response names it.
	writeJSON(w, http.StatusOK, map[string]any{"transactionsDetails": t.BerlinGroup(acc)})
	return nil
}
