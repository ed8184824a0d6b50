package payments

import (
	"fmt"
	"strings"
)

// Summary says in plain words what the customer approves with payment p, for the bank's
// consent page: the amount, the creditor and the account it is paid from.
func Summary(p Payment) string {
	from := p.DebtorAccount().IBAN
	switch {
	case p.Batch != nil:
		totals := map[string][]string{}
		var currencies []string
		for _, t := range p.Batch.Payments {
			c := t.InstructedAmount.Currency
			if _, ok := totals[c]; !ok {
				currencies = append(currencies, c)
			}
			totals[c] = append(totals[c], t.InstructedAmount.Amount)
		}
		var parts []string
		for _, c := range currencies {
			parts = append(parts, fmt.Sprintf("%d in %s", len(totals[c]), c))
		}
		return fmt.Sprintf("Pay %d payments (%s) from account %s.", len(p.Batch.Payments), strings.Join(parts, ", "), from)
	case p.Transfer == nil:
		return ""
	}
	t := p.Transfer
	what := fmt.Sprintf("Pay %s %s to %s (%s) from account %s", t.InstructedAmount.Amount, t.InstructedAmount.Currency, t.CreditorName, t.CreditorAccount.IBAN, from)
	if s := p.Standing; s != nil {
		what += ", " + strings.ToLower(s.Frequency) + " from " + s.StartDate
		if s.EndDate != "" {
			what += " until " + s.EndDate
		}
	}
	return what + "."
}
