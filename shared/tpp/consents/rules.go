package consents

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/bank/devportal/shared/tpp/bgerror"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
)

// Limits PSD2 sets on a consent.
const (
	// MaxDays is how long a consent can last: 180 days (RTS article 10 as amended).
	MaxDays = 180
	// MaxFrequencyPerDay is how often a day the TPP may read an account without the
	// customer asking (RTS article 36(5)).
	MaxFrequencyPerDay = 4
	// LongestValidUntil asks for the longest consent the bank gives.
	LongestValidUntil = "9999-12-31"
)

// checked is a request that passed the rules: the form of access and the last day.
type checked struct {
	kind       Kind
	validUntil string
}

// check holds a consent request to the rules on the day of now. Every element in error
// gets its message, so the TPP sees all at once.
func check(req Request, now time.Time) (checked, error) {
	var out checked
	var msgs []bgerror.TPPMessage
	bad := func(path, text string) { msgs = append(msgs, bgerror.Field(path, text)) }
	if req.Access == nil {
		bad("access", "The access is required: name the accounts, send empty lists to let the customer choose them at the bank, or use availableAccounts, availableAccountsWithBalance or allPsd2.")
	} else {
		out.kind = checkAccess(*req.Access, bad)
	}
	if req.RecurringIndicator == nil {
		bad("recurringIndicator", "The recurringIndicator is required: true for a consent used again and again, false for one use.")
	}
	today := day(now)
	last := now.UTC().AddDate(0, 0, MaxDays)
	switch d, err := time.Parse(time.DateOnly, req.ValidUntil); {
	case req.ValidUntil == "":
		bad("validUntil", "The validUntil date is required (YYYY-MM-DD); send "+LongestValidUntil+" for the longest consent the bank gives.")
	case err != nil:
		bad("validUntil", fmt.Sprintf("The validUntil %q is not a date of the form YYYY-MM-DD.", req.ValidUntil))
	case req.ValidUntil == LongestValidUntil:
		out.validUntil = day(last)
	case req.ValidUntil < today:
		bad("validUntil", fmt.Sprintf("The validUntil %s is in the past: today is %s.", req.ValidUntil, today))
	case d.After(last):
		bad("validUntil", fmt.Sprintf("A consent lasts at most %d days: its last day can be %s at the latest. Send %s for the longest.", MaxDays, day(last), LongestValidUntil))
	default:
		out.validUntil = req.ValidUntil
	}
	switch f := req.FrequencyPerDay; {
	case f == nil:
		bad("frequencyPerDay", "The frequencyPerDay is required: how often a day your software reads an account without the customer asking.")
	case *f < 1:
		bad("frequencyPerDay", "The frequencyPerDay must be at least 1.")
	case *f > MaxFrequencyPerDay:
		bad("frequencyPerDay", fmt.Sprintf("The frequencyPerDay can be at most %d: PSD2 allows %d reads a day without the customer.", MaxFrequencyPerDay, MaxFrequencyPerDay))
	case req.RecurringIndicator != nil && !*req.RecurringIndicator && *f != 1:
		bad("frequencyPerDay", "A one-off consent (recurringIndicator false) is used once: its frequencyPerDay must be 1.")
	}
	if (out.kind == AvailableAccounts || out.kind == AvailableAccountsWithBalance) && req.RecurringIndicator != nil && *req.RecurringIndicator {
		bad("recurringIndicator", "A consent for the list of available accounts is a one-off consent: send recurringIndicator false.")
	}
	if req.CombinedServiceIndicator == nil {
		bad("combinedServiceIndicator", "The combinedServiceIndicator is required: send false.")
	}
	if len(msgs) > 0 {
		return out, bgerror.FormatError(msgs...)
	}
	if *req.CombinedServiceIndicator {
		return out, bgerror.New(http.StatusBadRequest, "SERVICE_INVALID", "This bank does not offer account information and payment initiation in one session: send combinedServiceIndicator false.")
	}
	return out, nil
}

// checkAccess finds the form of access asked for, reporting what breaks the rules.
func checkAccess(a Access, bad func(path, text string)) Kind {
	var forms []Kind
	for _, g := range []struct {
		kind  Kind
		value string
	}{{AvailableAccounts, a.AvailableAccounts}, {AvailableAccountsWithBalance, a.AvailableAccountsWithBalance}, {AllPSD2, a.AllPSD2}} {
		if g.value == "" {
			continue
		}
		forms = append(forms, g.kind)
		if g.value != AllAccounts && g.value != AllAccountsWithOwnerName {
			bad("access."+string(g.kind), fmt.Sprintf("The %s must be %s or %s.", g.kind, AllAccounts, AllAccountsWithOwnerName))
		}
	}
	lists := []struct {
		name string
		refs []AccountReference
	}{{"accounts", a.Accounts}, {"balances", a.Balances}, {"transactions", a.Transactions}}
	var present, filled int
	for _, l := range lists {
		if l.refs != nil {
			present++
		}
		if len(l.refs) > 0 {
			filled++
		}
	}
	switch {
	case filled > 0:
		forms = append(forms, Detailed)
	case present > 0:
		forms = append(forms, BankOffered)
	}
	if len(forms) != 1 {
		bad("access", "Ask for one form of access: accounts, balances and transactions by IBAN; the same lists empty for the bank-offered consent; or one of availableAccounts, availableAccountsWithBalance and allPsd2.")
		return ""
	}
	kind := forms[0]
	if kind == Detailed && filled != present {
		bad("access", "Name the accounts of every list you send: an empty list asks the customer to choose at the bank, which a consent naming accounts does not do.")
	}
	named := map[string]bool{}
	for _, l := range lists {
		for i, r := range l.refs {
			path := fmt.Sprintf("access.%s[%d].iban", l.name, i)
			switch err := sandboxbank.ValidateIBAN(r.IBAN); {
			case r.IBAN == "":
				bad(path, "This bank names accounts by IBAN: give the account's iban.")
			case err != nil:
				bad(path, fmt.Sprintf("The IBAN %q is not valid: %v.", r.IBAN, err))
			default:
				named[r.IBAN] = true
			}
		}
	}
	if info := a.AdditionalInformation; info != nil {
		switch kind {
		case Detailed:
			for i, r := range info.OwnerName {
				if !named[r.IBAN] {
					bad(fmt.Sprintf("access.additionalInformation.ownerName[%d].iban", i), "The owner's name can be asked only for an account the consent names in accounts, balances or transactions.")
				}
			}
		case BankOffered:
			if len(info.OwnerName) > 0 {
				bad("access.additionalInformation.ownerName", "In a bank-offered consent the customer chooses the accounts: send an empty ownerName list.")
			}
		default:
			bad("access.additionalInformation", "Ask for the owner's name with "+AllAccountsWithOwnerName+" in this form of access.")
		}
	}
	return kind
}

// Account is one of the customer's accounts as a grant names it: its resource ID and
// what the account endpoints write of it besides its data, so that reading transactions
// needs no read of the account.
type Account struct {
	ID        string `dynamodbav:"id"`
	IBAN      string `dynamodbav:"iban,omitempty"`
	Currency  string `dynamodbav:"currency"`
	Kind      string `dynamodbav:"kind,omitempty"`
	MaskedPAN string `dynamodbav:"maskedPan,omitempty"`
}

// grantFor is what the customer subject grants with consent c, having chosen the
// accounts chosen (account IDs) among theirs where the consent lets them choose. A
// consent that names an account the customer does not hold cannot be granted.
func grantFor(c Consent, subject string, theirs []Account, chosen []string) (Grant, error) {
	g := Grant{Subject: subject}
	ids := func(refs []AccountReference) ([]string, error) {
		var out []string
		for _, r := range refs {
			i := slices.IndexFunc(theirs, func(a Account) bool { return a.IBAN == r.IBAN && (r.Currency == "" || r.Currency == a.Currency) })
			if i < 0 {
				return nil, fmt.Errorf("%w: they hold no account %s %s", ErrNotGrantable, r.IBAN, r.Currency)
			}
			out = append(out, theirs[i].ID)
		}
		return out, nil
	}
	all := make([]string, len(theirs))
	for i, a := range theirs {
		all[i] = a.ID
	}
	withOwner := func(v string) {
		if v == AllAccountsWithOwnerName {
			g.OwnerName = g.Accounts
		}
	}
	var err error
	switch c.Kind {
	case Detailed:
		if g.Balances, err = ids(c.Access.Balances); err != nil {
			return g, err
		}
		if g.Transactions, err = ids(c.Access.Transactions); err != nil {
			return g, err
		}
		if g.Accounts, err = ids(c.Access.Accounts); err != nil {
			return g, err
		}
		// An account with balances or transactions is an account of the consent.
		for _, id := range append(slices.Clone(g.Balances), g.Transactions...) {
			if !slices.Contains(g.Accounts, id) {
				g.Accounts = append(g.Accounts, id)
			}
		}
		if info := c.Access.AdditionalInformation; info != nil {
			if g.OwnerName, err = ids(info.OwnerName); err != nil {
				return g, err
			}
		}
	case BankOffered:
		for _, id := range chosen {
			if !slices.Contains(all, id) {
				return g, fmt.Errorf("%w: they hold no account %s", ErrNotGrantable, id)
			}
		}
		if len(chosen) == 0 {
			return g, fmt.Errorf("%w: no account chosen", ErrNotGrantable)
		}
		g.Accounts = slices.Clone(chosen)
		if c.Access.Balances != nil {
			g.Balances = slices.Clone(chosen)
		}
		if c.Access.Transactions != nil {
			g.Transactions = slices.Clone(chosen)
		}
		if c.Access.AdditionalInformation != nil {
			g.OwnerName = slices.Clone(chosen)
		}
	case AllPSD2:
		g.Accounts, g.Balances, g.Transactions = all, all, all
		withOwner(c.Access.AllPSD2)
	case AvailableAccounts, AvailableAccountsWithBalance:
		g.Accounts, g.ListOnly = all, true
		g.WithBalance = c.Kind == AvailableAccountsWithBalance
		withOwner(c.Access.AvailableAccounts + c.Access.AvailableAccountsWithBalance)
	}
	for _, a := range theirs {
		if slices.Contains(g.Accounts, a.ID) {
			g.Known = append(g.Known, a)
		}
	}
	return g, nil
}

// Summary says in plain words what the customer approves with consent c, for the bank's
// consent page.
func Summary(c Consent) string {
	var what string
	switch c.Kind {
	case Detailed:
		var parts []string
		for _, l := range []struct {
			name string
			refs []AccountReference
		}{{"the details", c.Access.Accounts}, {"the balances", c.Access.Balances}, {"the transactions", c.Access.Transactions}} {
			if len(l.refs) == 0 {
				continue
			}
			var ibans []string
			for _, r := range l.refs {
				ibans = append(ibans, groupIBAN(r.IBAN))
			}
			parts = append(parts, l.name+" of "+strings.Join(ibans, ", "))
		}
		what = "See " + strings.Join(parts, "; ")
	case BankOffered:
		var parts []string
		for _, l := range []struct {
			name string
			refs []AccountReference
		}{{"details", c.Access.Accounts}, {"balances", c.Access.Balances}, {"transactions", c.Access.Transactions}} {
			if l.refs != nil {
				parts = append(parts, l.name)
			}
		}
		what = "See the " + strings.Join(parts, ", ") + " of the accounts you choose below"
	case AllPSD2:
		what = "See the details, balances and transactions of all your payment accounts"
	case AvailableAccounts:
		what = "See the list of your accounts"
	case AvailableAccountsWithBalance:
		what = "See the list of your accounts with their balances"
	}
	if c.Access.AllPSD2 == AllAccountsWithOwnerName || c.Access.AvailableAccounts == AllAccountsWithOwnerName ||
		c.Access.AvailableAccountsWithBalance == AllAccountsWithOwnerName || c.Access.AdditionalInformation != nil {
		what += ", with the owner's name"
	}
	if c.Recurring {
		return fmt.Sprintf("%s, until %s, up to %d times a day without you.", what, c.ValidUntil, c.FrequencyPerDay)
	}
	return fmt.Sprintf("%s, once, until %s.", what, c.ValidUntil)
}

// groupIBAN writes an IBAN in groups of four, as people read it.
func groupIBAN(iban string) string {
	var b strings.Builder
	for i, r := range iban {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// CanGrant says whether customer subject, who holds theirs and chose chosen, can grant c,
// as Approve decides: it names no account they do not hold.
func CanGrant(c Consent, subject string, theirs []Account, chosen []string) bool {
	_, err := grantFor(c, subject, theirs, chosen)
	return err == nil
}
