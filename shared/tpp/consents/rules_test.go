package consents

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bank/devportal/shared/tpp/bgerror"
)

// The IBANs of the tests: valid Belgian ones of the sandbox bank, and one whose check
// digits are wrong.
const (
	ibanA   = "BE71096123456769"
	ibanB   = "BE68539007547034"
	ibanBad = "BE71096123456760"
)

func ptr[T any](v T) *T { return &v }

// request is a valid recurring consent for account A's details, balances and
// transactions until validUntil; change adjusts it.
func request(change func(*Request)) Request {
	a := []AccountReference{{IBAN: ibanA}}
	r := Request{Access: &Access{Accounts: a, Balances: a, Transactions: a}, RecurringIndicator: ptr(true),
		ValidUntil: "2027-03-01", FrequencyPerDay: ptr(4), CombinedServiceIndicator: ptr(false)}
	if change != nil {
		change(&r)
	}
	return r
}

// summary is an error's status and messages as "status code path; code path".
func summary(err error) string {
	var e *bgerror.Error
	if !errors.As(err, &e) {
		return fmt.Sprint(err)
	}
	var parts []string
	for _, m := range e.Messages {
		parts = append(parts, strings.TrimSpace(m.Code+" "+m.Path))
	}
	return fmt.Sprintf("%d %s", e.Status, strings.Join(parts, "; "))
}

func TestCheck(t *testing.T) {
	now := time.Date(2026, 12, 6, 15, 0, 0, 0, time.UTC)
	cases := []struct {
		name       string
		change     func(*Request)
		kind       Kind
		validUntil string
		refusal    string
	}{
		{"detailed accounts", nil, Detailed, "2027-03-01", ""},
		{"the longest consent is 180 days from today", func(r *Request) { r.ValidUntil = "9999-12-31" }, Detailed, "2027-06-04", ""},
		{"the 180th day", func(r *Request) { r.ValidUntil = "2027-06-04" }, Detailed, "2027-06-04", ""},
		{"today", func(r *Request) { r.ValidUntil = "2026-12-06" }, Detailed, "2026-12-06", ""},
		{"bank-offered", func(r *Request) {
			r.Access = &Access{Accounts: []AccountReference{}, Balances: []AccountReference{}, Transactions: []AccountReference{}}
		}, BankOffered, "2027-03-01", ""},
		{"bank-offered with the owner's name", func(r *Request) {
			r.Access = &Access{Accounts: []AccountReference{}, AdditionalInformation: &AdditionalInformation{OwnerName: []AccountReference{}}}
		}, BankOffered, "2027-03-01", ""},
		{"all accounts", func(r *Request) { r.Access = &Access{AllPSD2: AllAccounts} }, AllPSD2, "2027-03-01", ""},
		{"available accounts, one-off", func(r *Request) {
			r.Access, r.RecurringIndicator, r.FrequencyPerDay = &Access{AvailableAccounts: AllAccountsWithOwnerName}, ptr(false), ptr(1)
		}, AvailableAccounts, "2027-03-01", ""},
		{"available accounts with balance, one-off", func(r *Request) {
			r.Access, r.RecurringIndicator, r.FrequencyPerDay = &Access{AvailableAccountsWithBalance: AllAccounts}, ptr(false), ptr(1)
		}, AvailableAccountsWithBalance, "2027-03-01", ""},
		{"owner's name of a named account", func(r *Request) {
			r.Access.AdditionalInformation = &AdditionalInformation{OwnerName: []AccountReference{{IBAN: ibanA}}}
		}, Detailed, "2027-03-01", ""},

		{"nothing", func(r *Request) { *r = Request{} }, "", "",
			"400 FORMAT_ERROR access; FORMAT_ERROR recurringIndicator; FORMAT_ERROR validUntil; FORMAT_ERROR frequencyPerDay; FORMAT_ERROR combinedServiceIndicator"},
		{"the 181st day", func(r *Request) { r.ValidUntil = "2027-06-05" }, "", "", "400 FORMAT_ERROR validUntil"},
		{"yesterday", func(r *Request) { r.ValidUntil = "2026-12-05" }, "", "", "400 FORMAT_ERROR validUntil"},
		{"not a date", func(r *Request) { r.ValidUntil = "06.12.2026" }, "", "", "400 FORMAT_ERROR validUntil"},
		{"five reads a day", func(r *Request) { r.FrequencyPerDay = ptr(5) }, "", "", "400 FORMAT_ERROR frequencyPerDay"},
		{"no reads a day", func(r *Request) { r.FrequencyPerDay = ptr(0) }, "", "", "400 FORMAT_ERROR frequencyPerDay"},
		{"one-off read four times", func(r *Request) { r.RecurringIndicator = ptr(false) }, "", "", "400 FORMAT_ERROR frequencyPerDay"},
		{"a recurring list of accounts", func(r *Request) { r.Access = &Access{AvailableAccounts: AllAccounts} }, "", "", "400 FORMAT_ERROR recurringIndicator"},
		{"a combined service", func(r *Request) { r.CombinedServiceIndicator = ptr(true) }, "", "", "400 SERVICE_INVALID"},
		{"an invalid IBAN", func(r *Request) { r.Access.Transactions = []AccountReference{{IBAN: ibanB}, {IBAN: ibanBad}} }, "", "",
			"400 FORMAT_ERROR access.transactions[1].iban"},
		{"an account without IBAN", func(r *Request) { r.Access.Balances = []AccountReference{{Currency: "EUR"}} }, "", "",
			"400 FORMAT_ERROR access.balances[0].iban"},
		{"two forms", func(r *Request) { r.Access.AllPSD2 = AllAccounts }, "", "", "400 FORMAT_ERROR access"},
		{"no form", func(r *Request) { r.Access = &Access{} }, "", "", "400 FORMAT_ERROR access"},
		{"named and empty lists", func(r *Request) { r.Access.Balances = []AccountReference{} }, "", "", "400 FORMAT_ERROR access"},
		{"an unknown global value", func(r *Request) { r.Access = &Access{AllPSD2: "everything"} }, "", "", "400 FORMAT_ERROR access.allPsd2"},
		{"owner's name of an account not named", func(r *Request) {
			r.Access.AdditionalInformation = &AdditionalInformation{OwnerName: []AccountReference{{IBAN: ibanB}}}
		}, "", "", "400 FORMAT_ERROR access.additionalInformation.ownerName[0].iban"},
		{"owner's name besides allPsd2", func(r *Request) {
			r.Access = &Access{AllPSD2: AllAccounts, AdditionalInformation: &AdditionalInformation{}}
		}, "", "", "400 FORMAT_ERROR access.additionalInformation"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := check(request(c.change), now)
			if c.refusal != "" {
				if summary(err) != c.refusal {
					t.Fatalf("refusal %s, want %s", summary(err), c.refusal)
				}
				return
			}
			if err != nil || got.kind != c.kind || got.validUntil != c.validUntil {
				t.Fatalf("got %+v, %v; want %s until %s", got, err, c.kind, c.validUntil)
			}
		})
	}
	// The messages say what to do.
	_, err := check(request(func(r *Request) { r.ValidUntil = "2027-06-05" }), now)
	if want := "A consent lasts at most 180 days: its last day can be 2027-06-04 at the latest. Send 9999-12-31 for the longest."; err.(*bgerror.Error).Messages[0].Text != want {
		t.Errorf("text %q", err.(*bgerror.Error).Messages[0].Text)
	}
}

func TestGrantFor(t *testing.T) {
	theirs := []Account{{ID: "a", IBAN: ibanA, Currency: "EUR"}, {ID: "b", IBAN: ibanB, Currency: "EUR"}, {ID: "c", IBAN: ibanB, Currency: "USD"}}
	cases := []struct {
		name   string
		c      Consent
		chosen []string
		want   Grant
		err    bool
	}{
		{"detailed: balances and transactions bring their accounts", Consent{Kind: Detailed, Access: Access{Accounts: []AccountReference{{IBAN: ibanA}},
			Transactions: []AccountReference{{IBAN: ibanB, Currency: "USD"}}, AdditionalInformation: &AdditionalInformation{OwnerName: []AccountReference{{IBAN: ibanA}}}}},
			nil, Grant{Subject: "psu", Accounts: []string{"a", "c"}, Transactions: []string{"c"}, OwnerName: []string{"a"}, Known: []Account{theirs[0], theirs[2]}}, false},
		{"detailed: an account the customer does not hold", Consent{Kind: Detailed, Access: Access{Accounts: []AccountReference{{IBAN: ibanBad}}}}, nil, Grant{}, true},
		{"bank-offered: the chosen accounts for the lists sent", Consent{Kind: BankOffered, Access: Access{Accounts: []AccountReference{}, Balances: []AccountReference{}}},
			[]string{"b"}, Grant{Subject: "psu", Accounts: []string{"b"}, Balances: []string{"b"}, Known: []Account{theirs[1]}}, false},
		{"bank-offered: nothing chosen", Consent{Kind: BankOffered, Access: Access{Accounts: []AccountReference{}}}, nil, Grant{}, true},
		{"bank-offered: another customer's account", Consent{Kind: BankOffered, Access: Access{Accounts: []AccountReference{}}}, []string{"z"}, Grant{}, true},
		{"all accounts with the owner's name", Consent{Kind: AllPSD2, Access: Access{AllPSD2: AllAccountsWithOwnerName}}, nil,
			Grant{Subject: "psu", Accounts: []string{"a", "b", "c"}, Balances: []string{"a", "b", "c"}, Transactions: []string{"a", "b", "c"}, OwnerName: []string{"a", "b", "c"}, Known: theirs}, false},
		{"the list of accounts with balances", Consent{Kind: AvailableAccountsWithBalance, Access: Access{AvailableAccountsWithBalance: AllAccounts}}, nil,
			Grant{Subject: "psu", Accounts: []string{"a", "b", "c"}, ListOnly: true, WithBalance: true, Known: theirs}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := grantFor(c.c, "psu", theirs, c.chosen)
			if c.err {
				if err == nil {
					t.Fatalf("granted %+v", got)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got %+v, %v; want %+v", got, err, c.want)
			}
		})
	}
}

// TestShown: a consent shows its access as asked; a bank-offered one shows its empty
// lists until the customer chooses, then the accounts chosen, a card by its masked PAN.
func TestShown(t *testing.T) {
	theirs := []Account{{ID: "acc-a", IBAN: "BE71096123456769", Currency: "EUR"}, {ID: "card", MaskedPAN: "5555 55** **** 4444", Currency: "EUR", Kind: "card"},
		{ID: "acc-b", IBAN: "BE68539007547034", Currency: "EUR"}}
	empty := []AccountReference{}
	offered := Consent{Kind: BankOffered, Access: Access{Accounts: empty, Transactions: empty}}
	detailed := Consent{Kind: Detailed, Access: Access{Accounts: []AccountReference{{IBAN: "BE71096123456769"}}}}
	approved := offered
	approved.Grant = &Grant{Accounts: []string{"acc-a", "card"}, Transactions: []string{"acc-a", "card"}, Known: theirs[:2]}
	cases := []struct {
		name string
		c    Consent
		want string
	}{
		{"bank-offered, waiting", offered, `{"accounts":[],"transactions":[]}`},
		{"bank-offered, approved", approved, `{"accounts":[{"iban":"BE71096123456769","currency":"EUR"},{"maskedPan":"5555 55** **** 4444","currency":"EUR"}],` +
			`"transactions":[{"iban":"BE71096123456769","currency":"EUR"},{"maskedPan":"5555 55** **** 4444","currency":"EUR"}]}`},
		{"detailed", detailed, `{"accounts":[{"iban":"BE71096123456769"}]}`},
		{"all accounts", Consent{Kind: AllPSD2, Access: Access{AllPSD2: AllAccounts}}, `{"allPsd2":"allAccounts"}`},
	}
	for _, c := range cases {
		got, err := json.Marshal(c.c.Shown())
		if err != nil || string(got) != c.want {
			t.Errorf("%s: %s %v, want %s", c.name, got, err, c.want)
		}
	}
}
