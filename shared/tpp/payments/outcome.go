package payments

import (
	"fmt"
	"strings"
	"time"

	"github.com/bank/devportal/shared/tpp/sandboxbank"
)

// Documented amounts: the sandbox decides a payment's execution by its amount, so that a
// developer can walk each path of the status model on purpose. Any currency; "13.13",
// "13.130" and "13.1300" are the same amount.
//
//	amount  single or periodic payment                 entry of a bulk
//	13.13   RJCT, reason MS03 (the bank rejects it)    the entry is rejected (MS03)
//	14.14   RJCT, reason AM04 (insufficient funds),     the entry is rejected (AM04)
//	        whatever the balance
//	15.15   ACSP: accepted, settlement stays in         the whole bulk stays ACSP,
//	        process; no money moves                     no money moves
//	other   executed: the debtor account is debited; ACCC when the creditor's account
//	        is this bank's too (and credited), ACSC otherwise. A debit beyond the
//	        account's credit limit is RJCT AM04, a currency the debtor account does not
//	        hold RJCT AM03.
//
// A bulk with rejected and executed entries is PART (its reason that of its first rejected
// entry); a bulk whose entries are all rejected is RJCT.
const (
	AmountRejected     = "13.13"
	AmountNoFunds      = "14.14"
	AmountStaysPending = "15.15"
)

// normalAmount is a decimal without the trailing zeros of its fraction.
func normalAmount(s string) string {
	whole, frac, ok := strings.Cut(s, ".")
	if !ok {
		return whole
	}
	frac = strings.TrimRight(frac, "0")
	if frac == "" {
		return whole
	}
	return whole + "." + frac
}

// documented is the reason of a documented amount that rejects a payment ("" for none).
func documented(a *Amount) string {
	if a == nil {
		return ""
	}
	switch normalAmount(a.Amount) {
	case AmountRejected:
		return ReasonBank
	case AmountNoFunds:
		return ReasonInsufficientFunds
	}
	return ""
}

func staysPending(a *Amount) bool { return a != nil && normalAmount(a.Amount) == AmountStaysPending }

// Creditors finds the accounts of this bank that creditors hold: the resource ID of the
// account of iban in currency, "" for an account of another bank.
type Creditors func(iban, currency string) (string, error)

// Execution is what executing an authorised payment does: its status after, the reason
// of a rejection, the bulk entries rejected, and the bookings (none when no money moves).
type Execution struct {
	Status   Status
	Reason   string
	Rejected []int
	Bookings []sandboxbank.Booking
}

// bankTransactionCodes are the ISO 20022 bank transaction codes of a product's debit;
// the credit of a payment between two of the bank's accounts is PMNT-RCDT-ESCT.
var bankTransactionCodes = map[Product]string{
	SEPA:        "PMNT-ICDT-ESCT",
	InstantSEPA: "PMNT-ICDT-ESCT",
	Target2:     "PMNT-ICDT-DMCT",
	CrossBorder: "PMNT-ICDT-XBCT",
}

// Plan decides the execution of authorised payment p on the day of now, as the
// documented amounts say, with creditors to find the creditor accounts this bank holds.
func Plan(p Payment, now time.Time, creditors Creditors) (Execution, error) {
	transfers := p.Transfers()
	for _, t := range transfers {
		if staysPending(t.InstructedAmount) {
			return Execution{Status: InProcess}, nil
		}
	}
	var ex Execution
	day := now.UTC().Format(time.DateOnly)
	allInBank := true
	for i, t := range transfers {
		if reason := documented(t.InstructedAmount); reason != "" {
			if ex.Reason == "" {
				ex.Reason = reason
			}
			ex.Rejected = append(ex.Rejected, i)
			continue
		}
		minor, ok := Minor(*t.InstructedAmount)
		if !ok || t.InstructedAmount.Currency != p.DebtorCurrency {
			return Execution{Status: Rejected, Reason: ReasonCurrency}, nil
		}
		currency := t.InstructedAmount.Currency
		if t.CreditorAccount.Currency != "" {
			currency = t.CreditorAccount.Currency
		}
		creditorID, err := creditors(t.CreditorAccount.IBAN, currency)
		if err != nil {
			return Execution{}, err
		}
		remittance := t.RemittanceInformationUnstructured
		money := sandboxbank.Money{Minor: minor, Currency: t.InstructedAmount.Currency}
		ex.Bookings = append(ex.Bookings, sandboxbank.Booking{ID: bookingID(p.ID, i, "D"), AccountID: p.DebtorAccountID,
			Amount: sandboxbank.Money{Minor: -money.Minor, Currency: money.Currency}, BookingDate: day, ValueDate: day,
			Counterparty: sandboxbank.Party{Name: t.CreditorName, IBAN: t.CreditorAccount.IBAN, BIC: t.CreditorAgent},
			Remittance:   remittance, EndToEndID: t.EndToEndIdentification, BankTransactionCode: bankTransactionCodes[p.Product], At: now})
		if creditorID == "" || currency != money.Currency {
			allInBank = false
			continue
		}
		ex.Bookings = append(ex.Bookings, sandboxbank.Booking{ID: bookingID(p.ID, i, "C"), AccountID: creditorID, Amount: money,
			BookingDate: day, ValueDate: day, Counterparty: sandboxbank.Party{Name: t.DebtorName, IBAN: p.DebtorAccount().IBAN},
			Remittance: remittance, EndToEndID: t.EndToEndIdentification, BankTransactionCode: "PMNT-RCDT-ESCT", At: now})
	}
	switch {
	case len(ex.Bookings) == 0:
		ex.Status = Rejected
		if p.Batch == nil {
			ex.Rejected = nil
		}
	case len(ex.Rejected) > 0:
		ex.Status = PartAccepted
	case allInBank:
		ex.Status = CreditorSettled
	default:
		ex.Status = Settled
	}
	return ex, nil
}

// bookingID is the ID of a side (D debit, C credit) of a payment's entry i: unique, and at
// most 35 characters as the ledger requires.
func bookingID(paymentID string, i int, side string) string {
	return fmt.Sprintf("%s-%02d-%s", paymentID, i, side)
}
