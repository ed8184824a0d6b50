package sandboxbank

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

func TestDump(t *testing.T) {
	b := Generate(1, time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC))
	js, _ := json.Marshal(b)
	fmt.Println(len(b.Customers), len(b.Accounts), len(b.Transactions), len(js))
	per := map[string]int{}
	for _, tx := range b.Transactions {
		per[tx.AccountID]++
	}
	for _, a := range b.Accounts {
		fmt.Println(a.CustomerID[:8], a.Kind, a.Name, a.Currency, a.IBAN, a.MaskedPAN, per[a.ResourceID])
	}
	for _, l := range b.Ledgers {
		fmt.Println(l.AccountID[:8], Money{l.Booked, l.Currency}.Decimal(), l.PendingDebits, l.Entries)
	}
	x, _ := json.MarshalIndent(b.Transactions[:3], "", " ")
	fmt.Println(string(x))
}
