package sandboxbank

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/bank/devportal/shared/platform/config"
)

// HistoryMonths is how far back the generated transactions go from the bank's date.
const HistoryMonths = 13

// rng is the generator's randomness: PCG, whose output the Go project specifies, and
// helpers of our own on top of it, so that a seed gives the same bank on every Go version.
type rng struct{ p *rand.PCG }

func newRNG(seed int, stream uint64) *rng {
	return &rng{rand.NewPCG(uint64(seed), 0x5eed_ba4c_0000_0000+stream)}
}

func (r *rng) intn(n int) int { return int(r.p.Uint64() % uint64(n)) }

// between is a whole number in [lo, hi].
func (r *rng) between(lo, hi int) int { return lo + r.intn(hi-lo+1) }

// cents is an amount in [lo, hi] euros (or other units), in minor units.
func (r *rng) cents(lo, hi int) int64 { return int64(r.between(lo*100, hi*100)) }

func (r *rng) chance(percent int) bool { return r.intn(100) < percent }

func pick[T any](r *rng, list []T) T { return list[r.intn(len(list))] }

func (r *rng) digits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + r.intn(10))
	}
	return string(b)
}

func (r *rng) letters(n int) string {
	const alphabet = "ABCDEFGHIJKLMNPQRSTUVWXYZ" // no O, which BICs' location codes refuse
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.intn(len(alphabet))]
	}
	return string(b)
}

// uuid is a random (version 4) UUID drawn from r.
func (r *rng) uuid() string {
	hi, lo := r.p.Uint64(), r.p.Uint64()
	hi = hi&^0xf000 | 0x4000
	lo = lo&^(0xc<<60) | 0x8<<60
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", hi>>32, (hi>>16)&0xffff, hi&0xffff, lo>>48, lo&0xffffffffffff)
}

// id is a transaction's ID: 32 hexadecimal digits, which fits the cardTransactionId's 35
// characters.
func (r *rng) id() string { return fmt.Sprintf("%016x%016x", r.p.Uint64(), r.p.Uint64()) }

// foreignIBAN is an IBAN of another bank in a SEPA country, with valid check digits.
func (r *rng) foreignIBAN(country string) string {
	var bban string
	switch country {
	case "BE":
		code := BankCode
		for code == BankCode {
			code = r.between(1, 899)
		}
		bban = BelgianBBAN(code, r.between(0, 9_999_999))
	case "DE":
		bban = r.digits(18)
	case "NL", "GB", "IE":
		bban = r.letters(4) + r.digits(map[string]int{"NL": 10, "GB": 14, "IE": 14}[country])
	case "FR":
		bban = r.digits(23)
	case "LU":
		bban = r.digits(16)
	case "ES":
		bban = r.digits(20)
	case "IT":
		bban = r.letters(1) + r.digits(22)
	case "AT":
		bban = r.digits(16)
	default:
		panic("sandboxbank: no IBAN generator for " + country)
	}
	iban, err := NewIBAN(country, bban)
	if err != nil {
		panic(fmt.Sprintf("sandboxbank: generated BBAN %s %s: %v", country, bban, err))
	}
	return iban
}

func (r *rng) bic(country string) string { return r.letters(4) + country + r.letters(2) }

// party is a counterparty with an account at another bank in the country: the same name
// has the same account throughout the bank (drawn from the seed and the name alone).
func (b *builder) party(name, country string) Party {
	h := fnv.New64a()
	h.Write([]byte(country + " " + name))
	r := newRNG(b.seed, h.Sum64())
	return Party{Name: name, IBAN: r.foreignIBAN(country), BIC: r.bic(country)}
}

// accountPlan is one account a customer profile opens.
type accountPlan struct {
	kind     AccountKind
	name     string
	product  string
	currency string
	// limit is the credit limit in whole units.
	limit int
}

// profile is one sandbox customer as the generator knows it.
type profile struct {
	login, display string
	kind           CustomerKind
	representative string
	town           string
	// income is the monthly salary (private) or turnover (business) in whole euros.
	income   int
	accounts []accountPlan
}

var (
	current = func(name string, limit int) accountPlan {
		return accountPlan{Current, name, "Current Account", "EUR", limit}
	}
	business = func(name string, limit int) accountPlan {
		return accountPlan{Current, name, "Business Account", "EUR", limit}
	}
	savings = func(name string) accountPlan { return accountPlan{Savings, name, "Savings Account", "EUR", 0} }
	card    = func(name string, limit int) accountPlan { return accountPlan{Card, name, "Credit Card", "EUR", limit} }
	multi   = func(name string) accountPlan {
		return accountPlan{MultiCurrency, name, "Multi-Currency Account", MultiCurrencyCode, 0}
	}
)

// profiles are the bank's customers: persons and businesses, one with many accounts and
// one with none.
var profiles = []profile{
	{"anna.schmidt", "Anna Schmidt", Private, "", "Brussels", 3400,
		[]accountPlan{current("Everyday account", 1000), savings("Savings"), card("Visa Classic", 2500)}},
	{"luc.peeters", "Luc Peeters", Private, "", "Antwerp", 2900,
		[]accountPlan{current("Current account", 500), savings("Rainy day savings")}},
	{"sofia.rossi", "Sofia Rossi", Private, "", "Ghent", 4100,
		[]accountPlan{current("Main account", 1500), multi("Travel money"), card("Mastercard Gold", 5000)}},
	{"marc.dubois", "Marc Dubois", Private, "", "Liège", 5200,
		[]accountPlan{current("Main account", 2000), current("Household account", 500), savings("Savings"),
			savings("Holiday savings"), card("Visa Classic", 3000), card("Mastercard Travel", 4000)}},
	{"emma.devries", "Emma de Vries", Private, "", "Leuven", 0, nil},
	{"jonas.meyer", "Jonas Meyer", Private, "", "Namur", 900,
		[]accountPlan{current("Student account", 250)}},
	{"bakkerij.janssens", "Bakkerij Janssens BV", Business, "Pieter Janssens", "Mechelen", 38000,
		[]accountPlan{business("Business account", 10000), card("Business Visa", 8000)}},
	{"techstart.solutions", "TechStart Solutions NV", Business, "Lena Vermeulen", "Brussels", 95000,
		[]accountPlan{business("Operating account", 25000), savings("Treasury reserve"), multi("Currency account")}},
	{"greenleaf.logistics", "Greenleaf Logistics SRL", Business, "Hugo Lambert", "Charleroi", 140000,
		[]accountPlan{business("Operating account", 50000), card("Fleet card", 15000)}},
	// The customers below came later: they follow the others so that every earlier
	// customer's accounts, IBANs and transactions stay as they were.
	{"atelier.claes", "Atelier Claes BV", Business, "Sarah Claes", "Ghent", 52000,
		[]accountPlan{business("Operating account", 20000), savings("Tax reserve")}},
	{"tom.claes", "Tom Claes", Private, "", "Ghent", 3100,
		[]accountPlan{current("Current account", 500)}},
	{"vos.architecten", "Vos Architecten CV", Business, "Nadia Vos", "Leuven", 68000,
		[]accountPlan{business("Operating account", 15000), card("Business Mastercard", 6000)}},
	{"ruben.vos", "Ruben Vos", Private, "", "Leuven", 2700,
		[]accountPlan{current("Current account", 300)}},
}

// cosigners name, for a business customer (by sign-in name), the second customer who
// signs its payments: every account of the business with an IBAN needs both signatures
// (multi-level SCA), its owner's (the representative) and the co-signer's.
var cosigners = map[string]string{
	"atelier.claes":   "tom.claes",
	"vos.architecten": "ruben.vos",
}

// RequiredSignatures is how many distinct signatories authorise a payment from an
// account that has co-signers.
const RequiredSignatures = 2

// multiCurrencies are the currencies of every multi-currency account's sub-accounts.
var multiCurrencies = []string{"EUR", "USD", "GBP"}

// merchant is a shop a card is used at.
type merchant struct {
	name, mcc, town, country, currency string
}

var (
	everydayShops = []merchant{
		{"Delhaize", "5411", "", "BE", "EUR"}, {"Colruyt", "5411", "", "BE", "EUR"},
		{"Carrefour Market", "5411", "", "BE", "EUR"}, {"Aldi", "5411", "", "BE", "EUR"},
		{"Brasserie Le Central", "5812", "", "BE", "EUR"}, {"Pizzeria Napoli", "5812", "", "BE", "EUR"},
		{"TotalEnergies", "5541", "", "BE", "EUR"}, {"Pharmacie Centrale", "5912", "", "BE", "EUR"},
		{"SNCB/NMBS", "4112", "", "BE", "EUR"}, {"Kinepolis", "7832", "", "BE", "EUR"},
	}
	cardShops = []merchant{
		{"Bol.com", "5999", "Utrecht", "NL", "EUR"}, {"Zalando SE", "5651", "Berlin", "DE", "EUR"},
		{"Booking.com", "4722", "Amsterdam", "NL", "EUR"}, {"Fnac", "5732", "Paris", "FR", "EUR"},
		{"IKEA", "5712", "Zaventem", "BE", "EUR"}, {"Brussels Airlines", "3058", "Brussels", "BE", "EUR"},
		{"Tesco Metro", "5411", "London", "GB", "GBP"}, {"Whole Foods Market", "5411", "New York", "US", "USD"},
		{"Hotel Zürich Central", "7011", "Zürich", "CH", "CHF"}, {"Ristorante Da Mario", "5812", "Rome", "IT", "EUR"},
	}
	// rates are units of EUR per unit of a foreign currency.
	rates = map[string]float64{"GBP": 1.1712, "USD": 0.9235, "CHF": 1.0468}
)

type counterpartyName struct{ name, country string }

var (
	employers   = []counterpartyName{{"Solvay SA", "BE"}, {"Proximus NV", "BE"}, {"UCB SA", "BE"}, {"KBC Group", "BE"}, {"Siemens AG", "DE"}}
	landlords   = []counterpartyName{{"Immo Louise SRL", "BE"}, {"Residentie Schelde NV", "BE"}, {"Jan Claes", "BE"}, {"Gestion Meuse SA", "BE"}}
	friends     = []counterpartyName{{"Thomas Maes", "BE"}, {"Julie Lambert", "BE"}, {"Lukas Becker", "DE"}, {"Chloé Martin", "FR"}, {"Sanne Visser", "NL"}}
	clients     = []counterpartyName{{"Horeca Groep Vlaanderen", "BE"}, {"Maison Dupont SA", "FR"}, {"Stadtwerke Aachen", "DE"}, {"De Graaf Retail BV", "NL"}, {"Lux Distribution SARL", "LU"}, {"Comune Services SpA", "IT"}}
	suppliers   = []counterpartyName{{"Meelfabriek Dossche", "BE"}, {"Metro Cash & Carry", "BE"}, {"Engie Electrabel", "BE"}, {"DHL Express", "DE"}, {"Office Depot", "NL"}, {"AWS EMEA SARL", "LU"}}
	usdClients  = []string{"Acme Corp", "Northwind Traders Inc", "Globex LLC"}
	gbpClients  = []string{"Albion Digital Ltd", "Thames Analytics Ltd"}
	directDebit = []struct {
		name, country, creditorID, what string
		lo, hi                          int
	}{
		{"Engie Electrabel", "BE", "BE76ZZZ0403170701", "Electricity and gas", 70, 190},
		{"Proximus NV", "BE", "BE85ZZZ0202239951", "Mobile and internet", 45, 95},
		{"AG Insurance", "BE", "BE12ZZZ0404494849", "Home insurance", 30, 60},
		{"Water-link", "BE", "BE29ZZZ0222174181", "Water", 20, 45},
	}
)

// taxOffice is where businesses pay VAT.
var taxOffice = Party{Name: "FOD Financiën - BTW", IBAN: mustIBAN("BE", BelgianBBAN(679, 2002993)), BIC: "PCHQBEBB"}

func mustIBAN(country, bban string) string {
	iban, err := NewIBAN(country, bban)
	if err != nil {
		panic(err)
	}
	return iban
}

// event is one happening in a customer's money: the legs it posts to the customer's
// accounts (one, or two for a transfer between them), in order of date, credits first.
type event struct {
	date  string
	order int
	legs  []leg
}

type leg struct {
	account int
	tx      Transaction
}

// builder generates one customer's accounts and transactions.
type builder struct {
	seed     int
	r        *rng
	p        profile
	cust     Customer
	start    time.Time
	date     time.Time
	accounts []Account
	ledgers  []Ledger
	events   []event
	txs      [][]Transaction
	seq      int
}

// Generate builds the bank of a seed as of a date: the customers of profiles, their
// accounts, HistoryMonths of booked transactions up to date, some pending ones, and each
// account's ledger, which is the sum of its transactions. The same seed and date give the
// same bank, byte for byte.
func Generate(seed int, date time.Time) Bank {
	date = time.Date(date.Year(), date.Month(), date.Day(), 0, 0, 0, 0, time.UTC)
	bank := Bank{Seed: seed, Date: date.Format(time.DateOnly)}
	next := 1
	for i, p := range profiles {
		b := &builder{seed: seed, r: newRNG(seed, uint64(i)), p: p, date: date,
			start: date.AddDate(0, -HistoryMonths, 1)}
		b.customer()
		b.open(&next)
		b.plan()
		b.post()
		b.pending()
		bank.Customers = append(bank.Customers, b.cust)
		bank.Accounts = append(bank.Accounts, b.accounts...)
		for j := range b.accounts {
			if b.accounts[j].HoldsMoney() {
				bank.Transactions = append(bank.Transactions, b.txs[j]...)
				bank.Ledgers = append(bank.Ledgers, b.ledgers[j])
			}
		}
	}
	cosign(&bank)
	return bank
}

// cosign gives the accounts of the businesses in cosigners their signatories: the
// business itself, then its co-signer. Card accounts are paid by card, not by transfer, so
// they keep one signatory.
func cosign(bank *Bank) {
	byLogin := map[string]string{}
	for _, c := range bank.Customers {
		byLogin[c.Login] = c.ID
	}
	for i, a := range bank.Accounts {
		for owner, cosigner := range cosigners {
			if a.CustomerID != byLogin[owner] || a.IBAN == "" {
				continue
			}
			bank.Accounts[i].Signatories = []string{a.CustomerID, byLogin[cosigner]}
			bank.Accounts[i].RequiredSignatures = RequiredSignatures
		}
	}
}

func (b *builder) customer() {
	b.cust = Customer{ID: b.r.uuid(), Login: b.p.login, DisplayName: b.p.display, Kind: b.p.kind,
		Representative: b.p.representative, Password: SandboxPassword, OTP: SandboxOTP}
}

// open creates the profile's accounts; next numbers the bank's Belgian account numbers.
func (b *builder) open(next *int) {
	usage := "PRIV"
	if b.p.kind == Business {
		usage = "ORGA"
	}
	add := func(a Account) int {
		a.CustomerID, a.OwnerName, a.Usage, a.Status, a.Position = b.cust.ID, b.p.display, usage, "enabled", len(b.accounts)
		b.accounts = append(b.accounts, a)
		b.ledgers = append(b.ledgers, Ledger{AccountID: a.ResourceID, Currency: a.Currency, CreditLimit: a.CreditLimit})
		b.txs = append(b.txs, nil)
		return len(b.accounts) - 1
	}
	newIBAN := func() (string, string) {
		bban := BelgianBBAN(BankCode, 1_000_000+*next*7919%8_000_000)
		*next++
		return mustIBAN(BankCountry, bban), bban
	}
	for _, plan := range b.p.accounts {
		a := Account{ResourceID: b.r.uuid(), Kind: plan.kind, Currency: plan.currency, Product: plan.product,
			Name: plan.name, CreditLimit: int64(plan.limit) * 100}
		switch plan.kind {
		case Current:
			a.IBAN, a.BBAN = newIBAN()
			a.CashAccountType = "CACC"
			if a.CreditLimit > 0 {
				a.Details = fmt.Sprintf("Overdraft facility of %s EUR", Money{a.CreditLimit, "EUR"}.Decimal())
			}
		case Savings:
			a.IBAN, a.BBAN = newIBAN()
			a.CashAccountType = "SVGS"
			a.Details = "Regulated savings account: base rate 1.00%, loyalty premium 0.50%"
		case Card:
			a.MaskedPAN = pick(b.r, []string{"4" + b.r.digits(5), "5" + b.r.digits(5)}) + "******" + b.r.digits(4)
			a.Details = fmt.Sprintf("Credit card, monthly statement, settled in full from the current account; limit %s EUR", Money{a.CreditLimit, "EUR"}.Decimal())
			for _, c := range b.accounts {
				if c.Kind == Current && a.LinkedAccount == "" {
					a.LinkedAccount = c.IBAN
				}
			}
		case MultiCurrency:
			a.IBAN, a.BBAN = newIBAN()
			a.CashAccountType = "CACC"
			a.Details = "Aggregates one sub-account per currency: " + strings.Join(multiCurrencies, ", ")
		}
		parent := add(a)
		if plan.kind == MultiCurrency {
			for _, cur := range multiCurrencies {
				sub := Account{ResourceID: b.r.uuid(), Kind: Current, IBAN: a.IBAN, BBAN: a.BBAN, Currency: cur,
					Product: "Multi-Currency Account", Name: a.Name + " " + cur, CashAccountType: "CACC", ParentID: a.ResourceID}
				b.accounts[parent].SubAccountIDs = append(b.accounts[parent].SubAccountIDs, sub.ResourceID)
				add(sub)
			}
		}
	}
}

// day is the date of day d of the month m months after the history's first month, and
// whether it lies within the history.
func (b *builder) day(m, d int) (string, bool) {
	first := time.Date(b.start.Year(), b.start.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, m, 0)
	last := first.AddDate(0, 1, -1).Day()
	if d > last {
		d = last
	}
	t := first.AddDate(0, 0, d-1)
	return t.Format(time.DateOnly), !t.Before(b.start) && !t.After(b.date)
}

// months is how many calendar months the history touches.
func (b *builder) months() int {
	return (b.date.Year()-b.start.Year())*12 + int(b.date.Month()-b.start.Month()) + 1
}

func (b *builder) add(date string, legs ...leg) {
	order := 1
	for _, l := range legs {
		if l.tx.Amount.Minor < 0 {
			order = 2
		}
	}
	b.seq++
	b.events = append(b.events, event{date: date, order: order*1_000_000 + b.seq, legs: legs})
}

// tx is a transaction of account i on a date; amount in minor units, negative a debit.
func (b *builder) tx(i int, date string, amount int64, code string, cp Party, remittance string) Transaction {
	return Transaction{ID: b.r.id(), AccountID: b.accounts[i].ResourceID, Status: Booked, BookingDate: date,
		ValueDate: date, Amount: Money{amount, b.accounts[i].Currency}, Counterparty: cp, Remittance: remittance,
		BankTransactionCode: code}
}

func (b *builder) own(i int) Party {
	return Party{Name: b.p.display, IBAN: b.accounts[i].IBAN, BIC: BankBIC}
}

func (b *builder) find(kind AccountKind) []int {
	var out []int
	for i, a := range b.accounts {
		if a.Kind == kind && a.ParentID == "" {
			out = append(out, i)
		}
	}
	return out
}

// plan lays out the customer's events over the history.
func (b *builder) plan() {
	for i, a := range b.accounts {
		if !a.HoldsMoney() {
			continue
		}
		// Every account starts with money brought from elsewhere (an account switch).
		if a.Kind != Card {
			d, _ := b.day(0, b.start.Day())
			amt := b.r.cents(800, 4000)
			if b.p.kind == Business {
				amt *= 10
			}
			if a.Kind == Savings {
				amt *= 3
			}
			t := b.tx(i, d, amt, "PMNT-RCDT-ESCT", b.party(b.p.display, pick(b.r, []string{"BE", "NL", "DE"})), "Account switch: balance transferred from previous bank")
			b.add(d, leg{i, t})
		}
	}
	currents, savingsAccts, cards := b.find(Current), b.find(Savings), b.find(Card)
	for m := 0; m < b.months(); m++ {
		for _, i := range currents {
			if b.p.kind == Business {
				b.businessMonth(m, i, i == currents[0])
			} else {
				b.privateMonth(m, i, i == currents[0])
			}
		}
		if len(currents) > 0 {
			for _, h := range currents[1:] {
				b.householdMonth(m, currents[0], h)
			}
			for n, s := range savingsAccts {
				b.savingsMonth(m, currents[0], s, n)
			}
			for n, c := range cards {
				b.cardMonth(m, currents[0], c, n)
			}
		}
		for i, a := range b.accounts {
			if a.ParentID != "" {
				b.subAccountMonth(m, i)
			}
		}
	}
}

func (b *builder) privateMonth(m, i int, main bool) {
	r := b.r
	if main {
		if d, ok := b.day(m, 25); ok {
			emp := employers[(len(b.p.login)+3)%len(employers)]
			if b.p.income < 1500 {
				emp = counterpartyName{"Studentenjob Interim NV", "BE"}
			}
			pay := int64(b.p.income)*100 + r.cents(0, 60)
			month := d[:7]
			b.add(d, leg{i, withE2E(b.tx(i, d, pay, "PMNT-RCDT-ESCT", b.party(emp.name, emp.country), "Salary "+month), "SAL"+strings.ReplaceAll(month, "-", "")+r.digits(6))})
		}
		if d, ok := b.day(m, 1); ok && b.p.income >= 1500 {
			ll := landlords[len(b.p.display)%len(landlords)]
			rent := int64(b.p.income) * 100 * 30 / 100
			b.add(d, leg{i, b.tx(i, d, -rent, "PMNT-ICDT-STDO", b.party(ll.name, ll.country), "Rent "+d[:7])})
		}
		for k, dd := range directDebit {
			if b.p.income < 1500 && k > 1 {
				break
			}
			if d, ok := b.day(m, 5+k*3); ok {
				t := b.tx(i, d, -r.cents(dd.lo, dd.hi), "PMNT-RDDT-ESDD", b.party(dd.name, dd.country), dd.what+" "+d[:7])
				t.CreditorID, t.MandateID = dd.creditorID, fmt.Sprintf("MND-%s-%03d", strings.ToUpper(b.p.login[:3]), k+1)
				ref := CreditorReference(fmt.Sprintf("%s%d", strings.ReplaceAll(d[:7], "-", ""), 1000+k*37+len(b.p.login)))
				t.Structured = &Reference{Reference: ref, Type: "SCOR", Issuer: "ISO"}
				b.add(d, leg{i, t})
			}
		}
	}
	shops := 6
	if !main {
		shops = 3
	}
	for k := 0; k < shops+r.intn(5); k++ {
		d, ok := b.day(m, r.between(1, 28))
		s := pick(r, everydayShops)
		amount := r.cents(8, 95)
		if !ok {
			continue
		}
		t := b.tx(i, d, -amount, "PMNT-CCRD-POSD", Party{Name: s.name}, fmt.Sprintf("Card payment %s %s", s.name, d))
		b.add(d, leg{i, t})
	}
	if d, ok := b.day(m, r.between(2, 27)); ok {
		b.add(d, leg{i, b.tx(i, d, -int64(pick(r, []int{40, 50, 100, 150, 200}))*100, "PMNT-CCRD-CWDL", Party{Name: "ATM " + b.p.town}, "Cash withdrawal "+b.p.town)})
	}
	if r.chance(60) {
		if d, ok := b.day(m, r.between(1, 28)); ok {
			f := pick(r, friends)
			b.add(d, leg{i, b.tx(i, d, r.cents(10, 120), "PMNT-RCDT-ESCT", b.party(f.name, f.country), pick(r, []string{"Dinner", "Concert tickets", "Birthday present", "Weekend trip", "Thanks!"}))})
		}
	}
	if r.chance(40) {
		if d, ok := b.day(m, r.between(1, 28)); ok {
			f := pick(r, friends)
			b.add(d, leg{i, b.tx(i, d, -r.cents(15, 150), "PMNT-IRCT-ESCT", b.party(f.name, f.country), pick(r, []string{"Share of the rent of the holiday house", "Football club fee", "Gift", "Back for the tickets"}))})
		}
	}
}

func (b *builder) businessMonth(m, i int, main bool) {
	r := b.r
	turnover := int64(b.p.income) * 100
	for k := 0; k < 4+r.intn(4); k++ {
		d, ok := b.day(m, r.between(1, 28))
		c := pick(r, clients)
		amount := turnover/6 + r.cents(0, b.p.income/10)
		inv := fmt.Sprintf("%s%04d", strings.ReplaceAll(d[:7], "-", ""), r.intn(10000))
		if !ok {
			continue
		}
		t := b.tx(i, d, amount, "PMNT-RCDT-ESCT", b.party(c.name, c.country), "")
		if c.country == "BE" {
			t.Structured = &Reference{Reference: belgianStructured(inv), Type: "SCOR", Issuer: "BBA"}
		} else {
			t.Structured = &Reference{Reference: CreditorReference("INV" + inv), Type: "SCOR", Issuer: "ISO"}
		}
		t.EndToEndID = "E2E" + inv
		b.add(d, leg{i, t})
	}
	for k := 0; k < 3+r.intn(3); k++ {
		d, ok := b.day(m, r.between(1, 28))
		s := pick(r, suppliers)
		amount := turnover/12 + r.cents(0, b.p.income/20)
		ref := r.digits(8)
		if !ok {
			continue
		}
		t := b.tx(i, d, -amount, "PMNT-ICDT-ESCT", b.party(s.name, s.country), "Invoice "+ref)
		if r.chance(50) {
			t.Structured = &Reference{Reference: CreditorReference(ref), Type: "SCOR", Issuer: "ISO"}
			t.Remittance = ""
		}
		b.add(d, leg{i, t})
	}
	if d, ok := b.day(m, 28); ok {
		staff := 3 + len(b.p.login)%9
		t := b.tx(i, d, -turnover*35/100, "PMNT-ICDT-ESCT", Party{Name: b.p.display + " payroll"}, fmt.Sprintf("Salaries %s (%d employees)", d[:7], staff))
		t.BatchCount, t.PurposeCode = staff, "SALA"
		b.add(d, leg{i, t})
	}
	if d, ok := b.day(m, 20); ok && (m%3 == 0) {
		t := b.tx(i, d, -turnover*9/100, "PMNT-ICDT-ESCT", taxOffice, "")
		t.Structured = &Reference{Reference: belgianStructured(fmt.Sprintf("%010d", 4_000_000_000+len(b.p.login)*1001+m)), Type: "SCOR", Issuer: "BBA"}
		t.PurposeCode = "TAXS"
		b.add(d, leg{i, t})
	}
	if d, ok := b.day(m, 31); ok && main {
		b.add(d, leg{i, b.tx(i, d, -r.cents(12, 35), "ACMT-MDOP-CHRG", Party{Name: BankName, BIC: BankBIC}, "Account fees "+d[:7])})
	}
}

// belgianStructured is the Belgian structured communication +++123/4567/89002+++ of ten
// digits, the last two digits their check (modulo 97, 97 for 0).
func belgianStructured(ten string) string {
	var n int64
	for _, c := range ten[len(ten)-10:] {
		n = n*10 + int64(c-'0')
	}
	s := fmt.Sprintf("%010d%02d", n, belgianCheck(n))
	return "+++" + s[:3] + "/" + s[3:7] + "/" + s[7:] + "+++"
}

func withE2E(t Transaction, id string) Transaction { t.EndToEndID = id; return t }

// householdMonth feeds a second current account from the first on the 2nd of the month.
func (b *builder) householdMonth(m, from, to int) {
	if d, ok := b.day(m, 2); ok {
		amount := b.r.cents(500, 700)
		text := "Household budget " + d[:7]
		b.add(d, leg{from, b.tx(from, d, -amount, "PMNT-ICDT-STDO", b.own(to), text)},
			leg{to, b.tx(to, d, amount, "PMNT-RCDT-ESCT", b.own(from), text)})
	}
}

// savingsMonth moves money from the current account to a savings account every month,
// and pays the year's interest at the end of December.
func (b *builder) savingsMonth(m, from, to, n int) {
	r := b.r
	if d, ok := b.day(m, 26+n); ok {
		amount := r.cents(100, 400)
		if b.p.kind == Business {
			amount *= 20
		}
		text := "Monthly savings " + d[:7]
		b.add(d, leg{from, b.tx(from, d, -amount, "PMNT-ICDT-STDO", b.own(to), text)},
			leg{to, b.tx(to, d, amount, "PMNT-RCDT-ESCT", b.own(from), text)})
	}
	if d, ok := b.day(m, 31); ok && d[5:7] == "12" {
		b.add(d, leg{to, b.tx(to, d, r.cents(20, 150), "ACMT-MCOP-INTR", Party{Name: BankName, BIC: BankBIC}, "Interest "+d[:4])})
	}
}

// cardMonth spends on a credit card and settles the previous month in full from the
// current account on the 5th.
func (b *builder) cardMonth(m, from, c, n int) {
	r := b.r
	a := b.accounts[c]
	for k := 0; k < 5+r.intn(8); k++ {
		d, ok := b.day(m, r.between(1, 28))
		s := pick(r, cardShops)
		amount := r.cents(12, 180)
		if !ok {
			continue
		}
		cp := &CardPayment{MaskedPAN: a.MaskedPAN, Merchant: s.name, MerchantCode: s.mcc, AcceptorID: "ACQ" + r.digits(9),
			TerminalID: "T" + r.digits(7), Town: s.town, Country: s.country, Invoiced: true}
		if rate, ok := rates[s.currency]; ok {
			orig := r.cents(10, 150)
			cp.Original, cp.ExchangeRate = &Money{orig, s.currency}, fmt.Sprintf("%.4f", rate)
			amount = int64(float64(orig)*rate + 0.5)
		}
		t := b.tx(c, d, -amount, "PMNT-CCRD-POSD", Party{Name: s.name}, s.name+" "+s.town)
		posted, _ := time.Parse(time.DateOnly, d)
		t.TransactionDate = posted.AddDate(0, 0, -1-r.intn(2)).Format(time.DateOnly)
		t.Card = cp
		b.add(d, leg{c, t})
	}
	if d, ok := b.day(m, 5+n); ok {
		// The settlement is the card's whole booked debt at the time (set when posted).
		text := fmt.Sprintf("Card statement %s %s", a.MaskedPAN, d[:7])
		b.add(d, leg{from, b.tx(from, d, 0, "PMNT-ICDT-ESCT", Party{Name: BankName + " Card Services", IBAN: "", BIC: BankBIC}, text)},
			leg{c, b.tx(c, d, 0, "PMNT-RCDT-ESCT", b.own(from), text)})
	}
}

// subAccountMonth: a multi-currency sub-account receives and spends in its currency.
func (b *builder) subAccountMonth(m, i int) {
	r := b.r
	a := b.accounts[i]
	scale := int64(1)
	if b.p.kind == Business {
		scale = 15
	}
	var in Party
	switch a.Currency {
	case "USD":
		in = b.party(pick(r, usdClients), "GB")
	case "GBP":
		in = b.party(pick(r, gbpClients), "GB")
	default:
		c := pick(r, clients)
		in = b.party(c.name, c.country)
	}
	if d, ok := b.day(m, r.between(2, 12)); ok {
		t := b.tx(i, d, scale*r.cents(150, 900), "PMNT-RCDT-XBCT", in, "Payment "+r.digits(6))
		if b.p.kind == Business {
			t.Structured = &Reference{Reference: CreditorReference("INV" + r.digits(8)), Type: "SCOR", Issuer: "ISO"}
			t.Remittance = ""
		}
		b.add(d, leg{i, t})
	}
	for k := 0; k < 1+r.intn(3); k++ {
		if d, ok := b.day(m, r.between(13, 28)); ok {
			s := pick(r, suppliers)
			b.add(d, leg{i, b.tx(i, d, -scale*r.cents(20, 250), "PMNT-ICDT-XBCT", b.party(s.name, s.country), "Order "+r.digits(7))})
		}
	}
}

// post books the events in order of date, credits first; a debit that would take an
// account beyond its credit limit is not made (with every leg of its event), as the bank
// would refuse it.
func (b *builder) post() {
	sort.SliceStable(b.events, func(x, y int) bool {
		if b.events[x].date != b.events[y].date {
			return b.events[x].date < b.events[y].date
		}
		return b.events[x].order < b.events[y].order
	})
	for _, e := range b.events {
		// A card settlement pays the card's booked debt.
		if len(e.legs) == 2 && e.legs[0].tx.Amount.Minor == 0 {
			debt := -b.ledgers[e.legs[1].account].Booked
			if debt <= 0 {
				continue
			}
			e.legs[0].tx.Amount.Minor, e.legs[1].tx.Amount.Minor = -debt, debt
			e.legs[0].tx.Counterparty.Name = b.accounts[e.legs[1].account].Name + " " + b.accounts[e.legs[1].account].MaskedPAN
		}
		allowed := true
		for _, l := range e.legs {
			allowed = allowed && b.ledgers[l.account].Allows(l.tx.Amount.Minor)
		}
		if !allowed {
			continue
		}
		for _, l := range e.legs {
			b.book(l.account, l.tx)
		}
	}
}

// closeOfDay is when the generated bookings of a day are made.
func closeOfDay(date string) time.Time {
	t, _ := time.Parse(time.DateOnly, date)
	return t.Add(17*time.Hour + 30*time.Minute)
}

func (b *builder) book(i int, t Transaction) {
	l := &b.ledgers[i]
	t.EntryReference = EntryReference(l.Entries + 1)
	l.Post(t, closeOfDay(t.BookingDate))
	b.txs[i] = append(b.txs[i], t)
}

// pending adds the transactions not booked yet: card payments authorised in the last days
// and an incoming transfer on its way.
func (b *builder) pending() {
	r := b.r
	today := b.date.Format(time.DateOnly)
	tomorrow := b.date.AddDate(0, 0, 1).Format(time.DateOnly)
	for i, a := range b.accounts {
		if !a.HoldsMoney() || a.ParentID != "" {
			continue
		}
		var ts []Transaction
		switch a.Kind {
		case Current:
			s := pick(r, everydayShops)
			ts = append(ts, b.tx(i, "", -r.cents(9, 70), "PMNT-CCRD-POSD", Party{Name: s.name}, "Card payment "+s.name+" "+today))
			if b.p.kind == Business {
				c := pick(r, clients)
				t := b.tx(i, "", r.cents(500, 3000), "PMNT-RCDT-ESCT", b.party(c.name, c.country), "")
				t.Structured = &Reference{Reference: CreditorReference("INV" + r.digits(8)), Type: "SCOR", Issuer: "ISO"}
				ts = append(ts, t)
			}
		case Card:
			s := pick(r, cardShops[:6])
			t := b.tx(i, "", -r.cents(15, 120), "PMNT-CCRD-POSD", Party{Name: s.name}, s.name+" "+s.town)
			t.TransactionDate = today
			t.Card = &CardPayment{MaskedPAN: a.MaskedPAN, Merchant: s.name, MerchantCode: s.mcc, AcceptorID: "ACQ" + r.digits(9),
				TerminalID: "T" + r.digits(7), Town: s.town, Country: s.country}
			ts = append(ts, t)
		}
		for _, t := range ts {
			t.Status, t.BookingDate, t.ValueDate = Pending, "", tomorrow
			if !b.ledgers[i].Allows(t.Amount.Minor) {
				continue
			}
			b.ledgers[i].Post(t, b.date.Add(9*time.Hour))
			b.txs[i] = append(b.txs[i], t)
		}
	}
}

// FromConfig is the bank of the configured seed and date (SANDBOX_BANK_SEED,
// SANDBOX_BANK_DATE).
func FromConfig(c config.Config) (Bank, error) {
	date, err := time.Parse(time.DateOnly, c.SandboxBankDate)
	if err != nil {
		return Bank{}, fmt.Errorf("SANDBOX_BANK_DATE=%q: must be a date such as 2026-11-30", c.SandboxBankDate)
	}
	return Generate(c.SandboxBankSeed, date), nil
}
