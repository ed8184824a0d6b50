package payments_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/bank/devportal/shared/tpp/payments"
)

// bankCreditor is the one creditor account of this bank the tests know.
const bankCreditor = "BE71096123456769"

func creditors(iban, currency string) (string, error) {
	if iban == bankCreditor && currency == "EUR" {
		return "acc-creditor", nil
	}
	return "", nil
}

func transfer(amount, currency, creditor string) payments.Transfer {
	return payments.Transfer{InstructedAmount: &payments.Amount{Currency: currency, Amount: amount},
		CreditorAccount: &payments.AccountReference{IBAN: creditor}, CreditorName: "C"}
}

// bookings writes bookings as "account amount" each.
func bookings(list []any) string {
	var out []string
	for _, b := range list {
		out = append(out, fmt.Sprint(b))
	}
	return strings.Join(out, ", ")
}

func TestPlan(t *testing.T) {
	debtor := &payments.AccountReference{IBAN: debtorIBAN}
	authorised := func(ts ...payments.Transfer) payments.Payment {
		p := payments.Payment{ID: "pay-1", Service: payments.Single, Product: payments.SEPA, Status: payments.Accepted,
			DebtorAccountID: "acc-debtor", DebtorCurrency: "EUR"}
		if len(ts) == 1 {
			ts[0].DebtorAccount = debtor
			p.Transfer = &ts[0]
		} else {
			p.Service, p.Batch = payments.Bulk, &payments.BulkTransfer{DebtorAccount: debtor, Payments: ts}
		}
		return p
	}
	for _, c := range []struct {
		name     string
		p        payments.Payment
		status   payments.Status
		reason   string
		rejected []int
		bookings string
	}{
		{"to another bank", authorised(transfer("10.50", "EUR", creditorIBAN)), payments.Settled, "", nil, "acc-debtor -1050"},
		{"between two of the bank's accounts", authorised(transfer("10.50", "EUR", bankCreditor)), payments.CreditorSettled, "", nil, "acc-debtor -1050, acc-creditor 1050"},
		{"documented rejection", authorised(transfer("13.13", "EUR", bankCreditor)), payments.Rejected, "MS03", nil, ""},
		{"documented rejection, written longer", authorised(transfer("13.130", "EUR", bankCreditor)), payments.Rejected, "MS03", nil, ""},
		{"documented insufficient funds", authorised(transfer("14.14", "EUR", creditorIBAN)), payments.Rejected, "AM04", nil, ""},
		{"documented pending", authorised(transfer("15.15", "EUR", creditorIBAN)), payments.InProcess, "", nil, ""},
		{"amount close to a documented one", authorised(transfer("13.14", "EUR", creditorIBAN)), payments.Settled, "", nil, "acc-debtor -1314"},
		{"currency the account does not hold", authorised(transfer("10.00", "USD", creditorIBAN)), payments.Rejected, "AM03", nil, ""},
		{"bulk, all executed", authorised(transfer("1.00", "EUR", bankCreditor), transfer("2.00", "EUR", creditorIBAN)), payments.Settled, "", nil,
			"acc-debtor -100, acc-creditor 100, acc-debtor -200"},
		{"bulk, partly rejected", authorised(transfer("1.00", "EUR", bankCreditor), transfer("14.14", "EUR", creditorIBAN), transfer("13.13", "EUR", creditorIBAN)),
			payments.PartAccepted, "AM04", []int{1, 2}, "acc-debtor -100, acc-creditor 100"},
		{"bulk, all rejected", authorised(transfer("13.13", "EUR", bankCreditor), transfer("14.14", "EUR", creditorIBAN)), payments.Rejected, "MS03", []int{0, 1}, ""},
		{"bulk with a pending entry", authorised(transfer("1.00", "EUR", bankCreditor), transfer("15.15", "EUR", creditorIBAN)), payments.InProcess, "", nil, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			ex, err := payments.Plan(c.p, today, creditors)
			if err != nil {
				t.Fatal(err)
			}
			var list []any
			for _, b := range ex.Bookings {
				list = append(list, b.AccountID+" "+fmt.Sprint(b.Amount.Minor))
				if b.BookingDate != "2026-12-06" || len(b.ID) > 35 || b.Amount.Currency != "EUR" {
					t.Errorf("booking %+v", b)
				}
			}
			if ex.Status != c.status || ex.Reason != c.reason || !reflect.DeepEqual(ex.Rejected, c.rejected) || bookings(list) != c.bookings {
				t.Fatalf("got %s %q %v [%s], want %s %q %v [%s]", ex.Status, ex.Reason, ex.Rejected, bookings(list), c.status, c.reason, c.rejected, c.bookings)
			}
		})
	}
	t.Run("a failed lookup is an error", func(t *testing.T) {
		broken := errors.New("table unreachable")
		_, err := payments.Plan(authorised(transfer("1.00", "EUR", bankCreditor)), today, func(string, string) (string, error) { return "", broken })
		if !errors.Is(err, broken) {
			t.Fatalf("got %v", err)
		}
	})
}

func TestStatusRules(t *testing.T) {
	for _, c := range []struct {
		status                       payments.Status
		executed, final, cancellable bool
	}{
		{payments.Received, false, false, true},
		{payments.PartiallyAuthed, false, false, true},
		{payments.Accepted, false, false, true},
		{payments.InProcess, true, true, false},
		{payments.Settled, true, true, false},
		{payments.CreditorSettled, true, true, false},
		{payments.PartAccepted, true, true, false},
		{payments.Rejected, false, true, false},
		{payments.Cancelled, false, true, false},
	} {
		if c.status.Executed() != c.executed || c.status.Final() != c.final || c.status.Cancellable() != c.cancellable {
			t.Errorf("%s: executed %v final %v cancellable %v", c.status, c.status.Executed(), c.status.Final(), c.status.Cancellable())
		}
	}
}

func TestSummary(t *testing.T) {
	debtor := &payments.AccountReference{IBAN: debtorIBAN}
	one := transfer("12.50", "EUR", creditorIBAN)
	one.DebtorAccount = debtor
	for _, c := range []struct {
		p    payments.Payment
		want string
	}{
		{payments.Payment{Transfer: &one}, "Pay 12.50 EUR to C (" + creditorIBAN + ") from account " + debtorIBAN + "."},
		{payments.Payment{Transfer: &one, Standing: &payments.Schedule{StartDate: "2027-01-01", Frequency: "Monthly", EndDate: "2027-06-30"}},
			"Pay 12.50 EUR to C (" + creditorIBAN + ") from account " + debtorIBAN + ", monthly from 2027-01-01 until 2027-06-30."},
		{payments.Payment{Batch: &payments.BulkTransfer{DebtorAccount: debtor, Payments: []payments.Transfer{transfer("1", "EUR", creditorIBAN), transfer("2", "USD", creditorIBAN), transfer("3", "EUR", creditorIBAN)}}},
			"Pay 3 payments (2 in EUR, 1 in USD) from account " + debtorIBAN + "."},
	} {
		if got := payments.Summary(c.p); got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
}
