package sandboxbank

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// The Berlin Group specification, read where the project keeps it (next to the
// repository), never copied into it.
var (
	specOnce sync.Once
	specDoc  *openapi3.T
	specErr  error
)

func spec(t *testing.T) *openapi3.T {
	t.Helper()
	specOnce.Do(func() {
		_, file, _, _ := runtime.Caller(0)
		path := filepath.Join(filepath.Dir(file), "..", "..", "..", "..", "shared", "specs", "psd2-api_v1.3.12-2022-07-06.yaml")
		specDoc, specErr = openapi3.NewLoader().LoadFromFile(path)
	})
	if specErr != nil {
		t.Fatalf("load the Berlin Group specification: %v", specErr)
	}
	return specDoc
}

// conforms checks v, marshalled, against the named schema of the specification: its
// rules (types, required fields, patterns, enums, lengths, formats), and that every
// object key is one the schema declares, which the specification's open objects would
// otherwise let a misspelt field through.
func conforms(t *testing.T, schemaName string, v any) error {
	t.Helper()
	ref, ok := spec(t).Components.Schemas[schemaName]
	if !ok {
		t.Fatalf("no schema %s in the specification", schemaName)
	}
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var value any
	if err := json.Unmarshal(raw, &value); err != nil {
		t.Fatal(err)
	}
	if err := ref.Value.VisitJSON(value, openapi3.MultiErrors(), openapi3.EnableFormatValidation()); err != nil {
		return err
	}
	if extra := undeclared(ref.Value, value, schemaName); len(extra) > 0 {
		return fmt.Errorf("keys the schema does not declare: %s", strings.Join(extra, ", "))
	}
	return nil
}

func undeclared(s *openapi3.Schema, v any, path string) []string {
	var out []string
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if p, ok := s.Properties[k]; ok {
				out = append(out, undeclared(p.Value, v[k], path+"."+k)...)
			} else if s.AdditionalProperties.Schema != nil {
				out = append(out, undeclared(s.AdditionalProperties.Schema.Value, v[k], path+"."+k)...)
			} else {
				out = append(out, path+"."+k)
			}
		}
	case []any:
		for i, e := range v {
			if s.Items != nil {
				out = append(out, undeclared(s.Items.Value, e, fmt.Sprintf("%s[%d]", path, i))...)
			}
		}
	}
	return out
}

// TestBerlinGroupShapes marshals every account, balance list and transaction of the
// generated bank and validates each against its schema in psd2-api 1.3.12.
func TestBerlinGroupShapes(t *testing.T) {
	bank := Generate(1, bankDate)
	ledgers := map[string]Ledger{}
	for _, l := range bank.Ledgers {
		ledgers[l.AccountID] = l
	}
	txs := map[string][]Transaction{}
	for _, tx := range bank.Transactions {
		txs[tx.AccountID] = append(txs[tx.AccountID], tx)
	}
	byID := map[string]Account{}
	for _, a := range bank.Accounts {
		byID[a.ResourceID] = a
	}
	reps := map[string]string{}
	for _, c := range bank.Customers {
		reps[c.ID] = c.Representative
	}
	checked := map[string]int{}
	check := func(schema, what string, v any) {
		t.Helper()
		checked[schema]++
		if err := conforms(t, schema, v); err != nil {
			t.Errorf("%s as %s: %v", what, schema, err)
		}
	}
	for _, a := range bank.Accounts {
		var balances []Balance
		if a.HoldsMoney() {
			balances = ledgers[a.ResourceID].Balances(bankDate)
		} else {
			for _, sub := range a.SubAccountIDs {
				balances = append(balances, ledgers[sub].Balances(bankDate)...)
			}
		}
		for _, b := range balances {
			check("balance", a.Name, b)
		}
		report := AccountReport{Links: Links{"account": {AccountPath(a)}}}
		card := CardAccountReport{Links: Links{"cardAccount": {AccountPath(a)}}}
		for _, tx := range txs[a.ResourceID] {
			if a.Kind == Card {
				ct := tx.BerlinGroupCard()
				check("cardTransaction", tx.ID, ct)
				card.Booked = append(card.Booked, ct)
				continue
			}
			d := tx.BerlinGroup(a)
			check("transactions", tx.ID, d)
			if tx.Status == Pending {
				report.Pending = append(report.Pending, d)
			} else {
				report.Booked = append(report.Booked, d)
			}
		}
		if a.Kind == Card {
			check("cardAccountDetails", a.Name, a.BerlinGroupCard(balances))
			check("cardAccountReport", a.Name, card)
			continue
		}
		check("accountDetails", a.Name, a.BerlinGroup(reps[a.CustomerID], balances))
		if a.HoldsMoney() {
			check("accountReport", a.Name, report)
		}
	}
	for _, schema := range []string{"accountDetails", "cardAccountDetails", "balance", "transactions", "cardTransaction", "accountReport", "cardAccountReport"} {
		if checked[schema] == 0 {
			t.Errorf("nothing was checked against %s", schema)
		}
	}
	t.Logf("validated: %v", checked)
}

// TestShapeCheckRefuses: the check above finds a wrong value and an undeclared key.
func TestShapeCheckRefuses(t *testing.T) {
	cases := []struct {
		schema, want string
		v            any
	}{
		{"balance", "balanceType", Balance{BalanceAmount: Amount{"EUR", "1.00"}, BalanceType: "current"}},
		{"balance", "amount", Balance{BalanceAmount: Amount{"EUR", "one"}, BalanceType: "expected"}},
		{"balance", "referenceDate", Balance{BalanceAmount: Amount{"EUR", "1.00"}, BalanceType: "expected", ReferenceDate: "30.11.2026"}},
		{"transactions", "transactions.counterparty", map[string]any{"transactionAmount": Amount{"EUR", "1.00"}, "counterparty": "x"}},
		{"accountDetails", "currency", AccountDetails{IBAN: "BE68539007547034"}},
		{"cardAccountDetails", "maskedPan", struct {
			Currency string `json:"currency"`
		}{"EUR"}},
	}
	for _, c := range cases {
		t.Run(c.schema+" "+c.want, func(t *testing.T) {
			err := conforms(t, c.schema, c.v)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error = %v, want one naming %s", err, c.want)
			}
		})
	}
}
