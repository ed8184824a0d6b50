package sandboxbank

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"reflect"
	"regexp"
	"testing"
	"time"
)

var bankDate = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)

// defaultBankSHA256 is the SHA-256 of the bank of seed 1 on 2026-11-30, marshalled. It
// changes only when the generator does, on purpose: then update it here and say so.
const defaultBankSHA256 = "b8c8b8667c0f8d3a7617e9bb2653da824846e7a5937790db5d3f61184606c704"

// firstCustomersSHA256 is the SHA-256 of the same bank cut to its first nine customers,
// their accounts, transactions and ledgers: the bank as it was before customers were
// added at the end, which must not change (other tests assert their exact balances).
const firstCustomersSHA256 = "dd701e3c47809add55627d203e2b2d1a2654cd538b457ee2fb218174b5701d6e"

// firstCustomers is b cut to its first n customers and what is theirs.
func firstCustomers(b Bank, n int) Bank {
	out := Bank{Seed: b.Seed, Date: b.Date, Customers: b.Customers[:n]}
	ids, accounts := map[string]bool{}, map[string]bool{}
	for _, c := range out.Customers {
		ids[c.ID] = true
	}
	for _, a := range b.Accounts {
		if ids[a.CustomerID] {
			out.Accounts, accounts[a.ResourceID] = append(out.Accounts, a), true
		}
	}
	for _, t := range b.Transactions {
		if accounts[t.AccountID] {
			out.Transactions = append(out.Transactions, t)
		}
	}
	for _, l := range b.Ledgers {
		if accounts[l.AccountID] {
			out.Ledgers = append(out.Ledgers, l)
		}
	}
	return out
}

func TestEarlierCustomersUnchanged(t *testing.T) {
	if got := bankHash(t, firstCustomers(Generate(1, bankDate), 9)); got != firstCustomersSHA256 {
		t.Fatalf("the first nine customers of seed 1 hash to %s, want %s: a new customer changed an earlier one", got, firstCustomersSHA256)
	}
}

func TestCosigners(t *testing.T) {
	bank := Generate(1, bankDate)
	byLogin := map[string]Customer{}
	for _, c := range bank.Customers {
		byLogin[c.Login] = c
	}
	got := map[string][]string{}
	for _, a := range bank.Accounts {
		if len(a.Signatories) == 0 {
			if a.RequiredSignatures != 0 {
				t.Errorf("account %s needs %d signatures without signatories", a.ResourceID, a.RequiredSignatures)
			}
			continue
		}
		if a.RequiredSignatures != 2 || len(a.Signatories) != 2 || a.Signatories[0] != a.CustomerID || a.IBAN == "" {
			t.Errorf("account %s: signatories %v, %d required, IBAN %q", a.ResourceID, a.Signatories, a.RequiredSignatures, a.IBAN)
		}
		for _, s := range a.Signatories {
			if !a.Signs(s) {
				t.Errorf("account %s: signatory %s does not sign", a.ResourceID, s)
			}
		}
		if a.Signs(byLogin["anna.schmidt"].ID) || a.Signs("") {
			t.Errorf("account %s: signed by a customer who is not its signatory", a.ResourceID)
		}
		got[a.CustomerID] = append(got[a.CustomerID], a.Name+" with "+a.Signatories[1])
	}
	want := map[string][]string{
		byLogin["atelier.claes"].ID:   {"Operating account with " + byLogin["tom.claes"].ID, "Tax reserve with " + byLogin["tom.claes"].ID},
		byLogin["vos.architecten"].ID: {"Operating account with " + byLogin["ruben.vos"].ID},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("accounts with co-signers: %v, want %v", got, want)
	}
}

func bankHash(t *testing.T, b Bank) string {
	t.Helper()
	raw, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

func TestSameSeedSameBank(t *testing.T) {
	first, second := Generate(1, bankDate), Generate(1, bankDate)
	if !reflect.DeepEqual(first, second) {
		t.Fatal("two generations of seed 1 differ")
	}
	if got := bankHash(t, first); got != defaultBankSHA256 {
		t.Fatalf("bank of seed 1 hashes to %s, want %s", got, defaultBankSHA256)
	}
	if bankHash(t, Generate(2, bankDate)) == defaultBankSHA256 {
		t.Fatal("seed 2 gives the bank of seed 1")
	}
	if bankHash(t, Generate(1, bankDate.AddDate(0, 0, 1))) == defaultBankSHA256 {
		t.Fatal("another date gives the same bank")
	}
}

func TestCustomersAndAccounts(t *testing.T) {
	bank := Generate(1, bankDate)
	if len(bank.Customers) < 8 {
		t.Fatalf("%d customers, want at least 8", len(bank.Customers))
	}
	login := regexp.MustCompile(`^[a-z]+\.[a-z]+$`)
	maskedPAN := regexp.MustCompile(`^[0-9]{6}\*{6}[0-9]{4}$`)
	kinds := map[CustomerKind]int{}
	logins := map[string]bool{}
	accountsOf := map[string][]Account{}
	for _, a := range bank.Accounts {
		accountsOf[a.CustomerID] = append(accountsOf[a.CustomerID], a)
	}
	most, none := 0, 0
	for _, c := range bank.Customers {
		kinds[c.Kind]++
		if !login.MatchString(c.Login) || logins[c.Login] {
			t.Errorf("sign-in name %q: not first.last or taken twice", c.Login)
		}
		logins[c.Login] = true
		if c.Password != SandboxPassword || c.OTP != SandboxOTP || !c.CheckCredentials(SandboxPassword, SandboxOTP) ||
			c.CheckCredentials(SandboxPassword, "000000") || c.CheckCredentials("Sandbox", SandboxOTP) {
			t.Errorf("%s: credentials are not the documented ones", c.Login)
		}
		if (c.Kind == Business) != (c.Representative != "") {
			t.Errorf("%s: a business, and only a business, has a representative", c.Login)
		}
		most = max(most, len(accountsOf[c.ID]))
		if len(accountsOf[c.ID]) == 0 {
			none++
		}
	}
	if kinds[Private] < 4 || kinds[Business] < 2 || most < 5 || none != 1 {
		t.Errorf("variety: %d private, %d business, most accounts %d, customers without accounts %d", kinds[Private], kinds[Business], most, none)
	}
	accountKinds := map[AccountKind]int{}
	ids := map[string]bool{}
	for _, a := range bank.Accounts {
		accountKinds[a.Kind]++
		if ids[a.ResourceID] {
			t.Errorf("resource ID %s twice", a.ResourceID)
		}
		ids[a.ResourceID] = true
		switch {
		case a.Kind == Card:
			if !maskedPAN.MatchString(a.MaskedPAN) || a.IBAN != "" || a.LinkedAccount == "" || a.CreditLimit <= 0 {
				t.Errorf("card account %s: masked PAN %q, IBAN %q, linked %q, limit %d", a.Name, a.MaskedPAN, a.IBAN, a.LinkedAccount, a.CreditLimit)
			}
		default:
			if err := ValidateIBAN(a.IBAN); err != nil || a.IBAN[:2] != BankCountry || a.IBAN[4:7] != "968" || a.BBAN != a.IBAN[4:] {
				t.Errorf("account %s: IBAN %q (%v), BBAN %q", a.Name, a.IBAN, err, a.BBAN)
			}
		}
		if a.Kind == MultiCurrency {
			var currencies []string
			for _, sub := range a.SubAccountIDs {
				for _, s := range bank.Accounts {
					if s.ResourceID == sub {
						currencies = append(currencies, s.Currency)
						if s.IBAN != a.IBAN || s.ParentID != a.ResourceID {
							t.Errorf("sub-account %s: IBAN %s, parent %s", s.Name, s.IBAN, s.ParentID)
						}
					}
				}
			}
			if a.Currency != "XXX" || !reflect.DeepEqual(currencies, []string{"EUR", "USD", "GBP"}) {
				t.Errorf("multi-currency account %s: currency %s, sub-accounts in %v", a.Name, a.Currency, currencies)
			}
		}
	}
	for _, k := range []AccountKind{Current, Savings, Card, MultiCurrency} {
		if accountKinds[k] == 0 {
			t.Errorf("no %s account", k)
		}
	}
}

// TestTransactions: realistic entries over 13 months, every IBAN in them valid, every
// structured creditor reference valid, dates within the history.
func TestTransactions(t *testing.T) {
	bank := Generate(1, bankDate)
	first := bankDate.AddDate(0, -HistoryMonths, 1).Format(time.DateOnly)
	last := bankDate.Format(time.DateOnly)
	codes := map[string]int{}
	months := map[string]map[string]bool{}
	structured, batches, foreign := 0, 0, 0
	customers := map[string]bool{}
	for _, c := range bank.Customers {
		customers[c.DisplayName] = true
	}
	ibanOf := map[string]string{}
	for _, tx := range bank.Transactions {
		if cp := tx.Counterparty; cp.IBAN != "" && !customers[cp.Name] {
			if known, ok := ibanOf[cp.Name]; ok && known != cp.IBAN {
				t.Errorf("counterparty %s has two IBANs: %s and %s", cp.Name, known, cp.IBAN)
			}
			ibanOf[cp.Name] = cp.IBAN
		}
		codes[tx.BankTransactionCode]++
		if tx.Counterparty.IBAN != "" {
			if err := ValidateIBAN(tx.Counterparty.IBAN); err != nil {
				t.Errorf("transaction %s: counterparty IBAN %s: %v", tx.ID, tx.Counterparty.IBAN, err)
			}
		}
		if tx.Counterparty.Name == "" || (tx.Remittance == "" && tx.Structured == nil) {
			t.Errorf("transaction %s has no counterparty name or no remittance information", tx.ID)
		}
		if r := tx.Structured; r != nil {
			structured++
			if r.Issuer == "ISO" && !ValidCreditorReference(r.Reference) {
				t.Errorf("transaction %s: creditor reference %s is not valid", tx.ID, r.Reference)
			}
		}
		if tx.BatchCount > 0 {
			batches++
		}
		if tx.Card != nil && tx.Card.Original != nil {
			foreign++
		}
		switch tx.Status {
		case Booked:
			if tx.BookingDate < first || tx.BookingDate > last || tx.ValueDate == "" || tx.EntryReference == "" {
				t.Errorf("booked transaction %s on %s (value %s, entry %q): outside %s..%s", tx.ID, tx.BookingDate, tx.ValueDate, tx.EntryReference, first, last)
			}
			if months[tx.AccountID] == nil {
				months[tx.AccountID] = map[string]bool{}
			}
			months[tx.AccountID][tx.BookingDate[:7]] = true
		case Pending:
			if tx.BookingDate != "" || tx.ValueDate <= last || tx.EntryReference != "" {
				t.Errorf("pending transaction %s: booking date %q, value date %s, entry %q", tx.ID, tx.BookingDate, tx.ValueDate, tx.EntryReference)
			}
		}
	}
	for _, code := range []string{"PMNT-RCDT-ESCT", "PMNT-ICDT-ESCT", "PMNT-ICDT-STDO", "PMNT-RDDT-ESDD", "PMNT-CCRD-POSD", "PMNT-CCRD-CWDL", "ACMT-MCOP-INTR", "ACMT-MDOP-CHRG"} {
		if codes[code] == 0 {
			t.Errorf("no transaction with bank transaction code %s", code)
		}
	}
	if structured < 100 || batches == 0 || foreign == 0 {
		t.Errorf("%d structured references, %d batch entries, %d foreign card payments", structured, batches, foreign)
	}
	for _, a := range bank.Accounts {
		if a.HoldsMoney() && len(months[a.ResourceID]) < HistoryMonths {
			t.Errorf("account %s has bookings in %d calendar months, want at least %d (from %s to %s)", a.Name, len(months[a.ResourceID]), HistoryMonths, first, last)
		}
	}
}

// TestLedgersAreTheSums: every account's ledger and balances are the sums of its
// transactions, and replaying them never takes an account beyond its credit limit.
func TestLedgersAreTheSums(t *testing.T) {
	bank := Generate(1, bankDate)
	limits := map[string]int64{}
	for _, a := range bank.Accounts {
		limits[a.ResourceID] = a.CreditLimit
	}
	byAccount := map[string][]Transaction{}
	for _, tx := range bank.Transactions {
		byAccount[tx.AccountID] = append(byAccount[tx.AccountID], tx)
	}
	today := bankDate.Format(time.DateOnly)
	for _, l := range bank.Ledgers {
		var booked, before, pendingDebits, pendingCredits, running, entries int64
		lastEntry := ""
		for _, tx := range byAccount[l.AccountID] {
			if tx.Amount.Currency != l.Currency {
				t.Errorf("%s: transaction in %s on a %s ledger", tx.ID, tx.Amount.Currency, l.Currency)
			}
			if tx.Status == Pending {
				if tx.Amount.Minor < 0 {
					pendingDebits += tx.Amount.Minor
				} else {
					pendingCredits += tx.Amount.Minor
				}
				continue
			}
			booked += tx.Amount.Minor
			if tx.BookingDate < today {
				before += tx.Amount.Minor
			}
			running += tx.Amount.Minor
			if running < -limits[l.AccountID] {
				t.Errorf("account %s is at %d after %s, beyond its limit %d", l.AccountID, running, tx.ID, limits[l.AccountID])
			}
			entries++
			lastEntry = tx.EntryReference
		}
		if l.Booked != booked || l.PendingDebits != pendingDebits || l.PendingCredits != pendingCredits || l.Entries != entries || l.LastEntryReference != lastEntry {
			t.Errorf("ledger %s = %+v; transactions sum to booked %d, pending %d/%d, %d entries, last %s", l.AccountID, l, booked, pendingDebits, pendingCredits, entries, lastEntry)
		}
		if l.CreditLimit != limits[l.AccountID] {
			t.Errorf("ledger %s: limit %d, account's %d", l.AccountID, l.CreditLimit, limits[l.AccountID])
		}
		want := map[string]int64{"closingBooked": before, "interimBooked": booked, "expected": booked + pendingDebits + pendingCredits}
		got := map[string]int64{}
		for _, b := range l.Balances(bankDate) {
			wantDate := today
			if b.BalanceType == "closingBooked" {
				wantDate = bankDate.AddDate(0, 0, -1).Format(time.DateOnly)
			}
			if b.ReferenceDate != wantDate || b.BalanceAmount.Currency != l.Currency {
				t.Errorf("ledger %s: %s dated %s in %s", l.AccountID, b.BalanceType, b.ReferenceDate, b.BalanceAmount.Currency)
			}
			name := b.BalanceType
			if b.CreditLimitIncluded != nil && *b.CreditLimitIncluded {
				name += "+limit"
			}
			got[name] = parseMinor(t, b.BalanceAmount.Amount)
		}
		want["interimAvailable"] = booked + pendingDebits
		if l.CreditLimit > 0 {
			want["interimAvailable+limit"] = booked + pendingDebits + l.CreditLimit
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("ledger %s: balances %v, want %v", l.AccountID, got, want)
		}
	}
}

// parseMinor reads a Berlin Group amount with two decimals back into minor units.
func parseMinor(t *testing.T, s string) int64 {
	t.Helper()
	neg := s != "" && s[0] == '-'
	if neg {
		s = s[1:]
	}
	var whole, cents int64
	n := 0
	for i, c := range s {
		if c == '.' {
			if len(s)-i-1 != 2 {
				t.Fatalf("amount %q has not two decimals", s)
			}
			n = i
			break
		}
		whole = whole*10 + int64(c-'0')
	}
	cents = int64(s[n+1]-'0')*10 + int64(s[n+2]-'0')
	v := whole*100 + cents
	if neg {
		v = -v
	}
	return v
}

func TestMoneyDecimal(t *testing.T) {
	for minor, want := range map[int64]string{0: "0.00", 5: "0.05", -150: "-1.50", 105600: "1056.00", -1: "-0.01", 123456789: "1234567.89"} {
		if got := (Money{minor, "EUR"}).Decimal(); got != want {
			t.Errorf("Decimal(%d) = %s, want %s", minor, got, want)
		}
	}
}
