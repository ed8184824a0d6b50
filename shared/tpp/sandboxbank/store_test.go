package sandboxbank

import (
	"context"
	"errors"
	"reflect"
	"testing"
)

// ledgerMap is a hand-written Ledgers over the generated bank.
type ledgerMap map[string]Ledger

func (m ledgerMap) Ledger(_ context.Context, id string) (Ledger, error) {
	l, ok := m[id]
	if !ok {
		return Ledger{}, ErrAccountUnknown
	}
	return l, nil
}

func TestAccountBalances(t *testing.T) {
	bank := Generate(1, bankDate)
	ledgers := ledgerMap{}
	for _, l := range bank.Ledgers {
		ledgers[l.AccountID] = l
	}
	for _, a := range bank.Accounts {
		got, err := AccountBalances(context.Background(), ledgers, a, bankDate)
		var want []Balance
		if a.Kind == MultiCurrency {
			for _, sub := range a.SubAccountIDs {
				want = append(want, ledgers[sub].Balances(bankDate)...)
			}
			currencies := map[string]bool{}
			for _, b := range got {
				currencies[b.BalanceAmount.Currency] = true
			}
			if len(currencies) != 3 {
				t.Errorf("%s: balances in %v, want EUR, USD and GBP", a.Name, currencies)
			}
		} else {
			want = ledgers[a.ResourceID].Balances(bankDate)
		}
		if err != nil || !reflect.DeepEqual(got, want) || len(got) < 4 {
			t.Errorf("%s: %d balances, %v; want %d", a.Name, len(got), err, len(want))
		}
	}
	_, err := AccountBalances(context.Background(), ledgers, Account{ResourceID: "no-such", Kind: Current}, bankDate)
	if !errors.Is(err, ErrAccountUnknown) {
		t.Fatalf("error = %v, want %v", err, ErrAccountUnknown)
	}
}

func TestTransactionQueryCheck(t *testing.T) {
	for _, c := range []struct {
		q    TransactionQuery
		want error
	}{
		{TransactionQuery{Status: Booked}, nil},
		{TransactionQuery{Status: Booked, From: "2026-01-01", To: "2026-01-01"}, nil},
		{TransactionQuery{Status: Booked, From: "2026-01-02", To: "2026-01-01"}, ErrPeriodInvalid},
		{TransactionQuery{Status: Booked, From: "2026-02-30"}, ErrPeriodInvalid},
		{TransactionQuery{Status: Pending, To: "2026-01-01"}, ErrPeriodInvalid},
	} {
		if err := c.q.Check(); !errors.Is(err, c.want) || (c.want == nil && err != nil) {
			t.Errorf("%+v: %v, want %v", c.q, err, c.want)
		}
	}
}
