// Package sandboxcustomers lists the sandbox bank's customers for developers: whom to
// sign in as on the bank's pages (sign-in name, password, one-time code) and which
// accounts each holds. It is a TPP-area route on the browser-reachable origin, since the
// portal may not read the TPP area; the portal's SPA fetches it.
//
// The list is built once from the generated bank (sandboxbank.Generate of the configured
// seed and date, the bank the loader put in the TPP table), not read from the table: the
// route is public and unauthenticated, so a request must cost no table reads and its
// answer must be the same for everyone, cacheable by browsers and CDNs. Its balances are
// therefore the bank's as generated, on its date; payments made in the sandbox change the
// ledger after that, and the account-information API reads the current balances.
package sandboxcustomers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/bank/devportal/shared/tpp/sandboxbank"
)

// View is the sandbox bank and its customers.
type View struct {
	Bank string `json:"bank"`
	BIC  string `json:"bic"`
	// Date is the bank's "today" (YYYY-MM-DD), the day its balances are as of.
	Date      string     `json:"date"`
	Customers []Customer `json:"customers"`
}

// Customer is one customer a developer can sign in as.
type Customer struct {
	// Login is the sign-in name on the bank's pages.
	Login string                   `json:"login"`
	Name  string                   `json:"name"`
	Kind  sandboxbank.CustomerKind `json:"kind"`
	// Representative is the person who acts for a business customer.
	Representative string `json:"representative,omitempty"`
	// Password and OTP complete the sign-in (the one-time code is the SCA step).
	Password string    `json:"password"`
	OTP      string    `json:"otp"`
	Accounts []Account `json:"accounts"`
	// CosignerFor are the customers (sign-in names) whose payments this customer signs
	// too: their accounts need a second signatory (multi-level SCA).
	CosignerFor []string `json:"cosignerFor,omitempty"`
}

// Account is one of a customer's accounts, in the bank's order.
type Account struct {
	// ResourceID is the account's ID in the Berlin Group paths.
	ResourceID string                  `json:"resourceId"`
	Kind       sandboxbank.AccountKind `json:"kind"`
	Name       string                  `json:"name"`
	Product    string                  `json:"product"`
	Currency   string                  `json:"currency"`
	// IBAN is unformatted, as the API takes it; a card account has a MaskedPAN instead.
	IBAN      string `json:"iban,omitempty"`
	MaskedPAN string `json:"maskedPan,omitempty"`
	// ParentID is the multi-currency account a sub-account belongs to.
	ParentID string `json:"parentId,omitempty"`
	// Balances are the Berlin Group balances on the bank's date (a multi-currency
	// account's are its sub-accounts').
	Balances []sandboxbank.Balance `json:"balances"`
	// Signatories are the customers (sign-in names) who sign the account's payments, and
	// RequiredSignatures how many of them must: a payment is PATC after the first
	// signature. None for an account whose owner alone signs.
	Signatories        []string `json:"signatories,omitempty"`
	RequiredSignatures int      `json:"requiredSignatures,omitempty"`
}

// ledgers answers the generated bank's ledgers, as sandboxbank.AccountBalances reads them.
type ledgers map[string]sandboxbank.Ledger

func (l ledgers) Ledger(_ context.Context, accountID string) (sandboxbank.Ledger, error) {
	led, ok := l[accountID]
	if !ok {
		return sandboxbank.Ledger{}, sandboxbank.ErrAccountUnknown
	}
	return led, nil
}

// Of lists the customers of a generated bank, in the bank's order.
func Of(bank sandboxbank.Bank) (View, error) {
	today, err := time.Parse(time.DateOnly, bank.Date)
	if err != nil {
		return View{}, fmt.Errorf("sandbox customers: the bank's date %q: %w", bank.Date, err)
	}
	byID := ledgers{}
	for _, l := range bank.Ledgers {
		byID[l.AccountID] = l
	}
	logins := map[string]string{}
	for _, c := range bank.Customers {
		logins[c.ID] = c.Login
	}
	cosigns := map[string][]string{}
	for _, a := range bank.Accounts {
		for _, s := range a.Signatories {
			if s != a.CustomerID && !slices.Contains(cosigns[s], logins[a.CustomerID]) {
				cosigns[s] = append(cosigns[s], logins[a.CustomerID])
			}
		}
	}
	view := View{Bank: sandboxbank.BankName, BIC: sandboxbank.BankBIC, Date: bank.Date, Customers: []Customer{}}
	for _, c := range bank.Customers {
		out := Customer{Login: c.Login, Name: c.DisplayName, Kind: c.Kind, Representative: c.Representative, Password: c.Password, OTP: c.OTP, Accounts: []Account{},
			CosignerFor: cosigns[c.ID]}
		for _, a := range bank.Accounts {
			if a.CustomerID != c.ID {
				continue
			}
			balances, err := sandboxbank.AccountBalances(context.Background(), byID, a, today)
			if err != nil {
				return View{}, fmt.Errorf("sandbox customers: balances of %s: %w", a.ResourceID, err)
			}
			if balances == nil {
				balances = []sandboxbank.Balance{}
			}
			var signatories []string
			for _, s := range a.Signatories {
				signatories = append(signatories, logins[s])
			}
			out.Accounts = append(out.Accounts, Account{ResourceID: a.ResourceID, Kind: a.Kind, Name: a.Name, Product: a.Product, Currency: a.Currency,
				IBAN: a.IBAN, MaskedPAN: a.MaskedPAN, ParentID: a.ParentID, Balances: balances,
				Signatories: signatories, RequiredSignatures: a.RequiredSignatures})
		}
		view.Customers = append(view.Customers, out)
	}
	return view, nil
}

// MaxAge is how long browsers and CDNs may keep the list: it changes only with the bank's
// configuration, and the ETag lets them revalidate after.
const MaxAge = 5 * time.Minute

// Handler answers GET with the list of the bank's customers: JSON built once, with an
// ETag and a public cache lifetime, readable from any origin (it is public and carries no
// credentials, and the portal's SPA may be served from another origin than this one).
func Handler(bank sandboxbank.Bank) (http.Handler, error) {
	view, err := Of(bank)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(view)
	if err != nil {
		return nil, fmt.Errorf("sandbox customers: %w", err)
	}
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	cache := fmt.Sprintf("public, max-age=%d", int(MaxAge.Seconds()))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", cache)
		h.Set("ETag", etag)
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("X-Content-Type-Options", "nosniff")
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		h.Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}), nil
}
