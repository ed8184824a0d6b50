package sandboxbank

import (
	"time"
)

// The Berlin Group NextGenPSD2 1.3.12 shapes of the bank's data, named after the schemas
// of psd2-api_v1.3.12 they marshal to (a test validates them against the specification).

// Amount is the schema amount.
type Amount struct {
	Currency string `json:"currency"`
	Amount   string `json:"amount"`
}

// AmountOf is m as the schema amount.
func AmountOf(m Money) Amount { return Amount{Currency: m.Currency, Amount: m.Decimal()} }

// Href is the schema hrefType.
type Href struct {
	Href string `json:"href"`
}

// Links are the schemas _links…: link names to hrefs.
type Links map[string]Href

// Balance is the schema balance.
type Balance struct {
	BalanceAmount            Amount `json:"balanceAmount"`
	BalanceType              string `json:"balanceType"`
	CreditLimitIncluded      *bool  `json:"creditLimitIncluded,omitempty"`
	LastChangeDateTime       string `json:"lastChangeDateTime,omitempty"`
	ReferenceDate            string `json:"referenceDate,omitempty"`
	LastCommittedTransaction string `json:"lastCommittedTransaction,omitempty"`
}

// AccountDetails is the schema accountDetails.
type AccountDetails struct {
	ResourceID      string    `json:"resourceId,omitempty"`
	IBAN            string    `json:"iban,omitempty"`
	BBAN            string    `json:"bban,omitempty"`
	Currency        string    `json:"currency"`
	OwnerName       string    `json:"ownerName,omitempty"`
	PSUName         string    `json:"psuName,omitempty"`
	Name            string    `json:"name,omitempty"`
	Product         string    `json:"product,omitempty"`
	CashAccountType string    `json:"cashAccountType,omitempty"`
	Status          string    `json:"status,omitempty"`
	BIC             string    `json:"bic,omitempty"`
	Usage           string    `json:"usage,omitempty"`
	Details         string    `json:"details,omitempty"`
	Balances        []Balance `json:"balances,omitempty"`
	Links           Links     `json:"_links,omitempty"`
}

// CardAccountDetails is the schema cardAccountDetails.
type CardAccountDetails struct {
	ResourceID      string    `json:"resourceId,omitempty"`
	MaskedPAN       string    `json:"maskedPan"`
	Currency        string    `json:"currency"`
	OwnerName       string    `json:"ownerName,omitempty"`
	Name            string    `json:"name,omitempty"`
	Product         string    `json:"product,omitempty"`
	DebitAccounting *bool     `json:"debitAccounting,omitempty"`
	Status          string    `json:"status,omitempty"`
	Usage           string    `json:"usage,omitempty"`
	Details         string    `json:"details,omitempty"`
	CreditLimit     *Amount   `json:"creditLimit,omitempty"`
	Balances        []Balance `json:"balances,omitempty"`
	Links           Links     `json:"_links,omitempty"`
}

// AccountReference is the schema accountReference.
type AccountReference struct {
	IBAN      string `json:"iban,omitempty"`
	MaskedPAN string `json:"maskedPan,omitempty"`
	Currency  string `json:"currency,omitempty"`
}

// StructuredRemittance is the schema remittanceInformationStructuredMax140.
type StructuredRemittance struct {
	Reference       string `json:"reference"`
	ReferenceType   string `json:"referenceType,omitempty"`
	ReferenceIssuer string `json:"referenceIssuer,omitempty"`
}

// TransactionDetails is the schema transactions (one entry of an account report).
type TransactionDetails struct {
	TransactionID                     string                `json:"transactionId,omitempty"`
	EntryReference                    string                `json:"entryReference,omitempty"`
	EndToEndID                        string                `json:"endToEndId,omitempty"`
	BatchIndicator                    *bool                 `json:"batchIndicator,omitempty"`
	BatchNumberOfTransactions         int                   `json:"batchNumberOfTransactions,omitempty"`
	MandateID                         string                `json:"mandateId,omitempty"`
	CreditorID                        string                `json:"creditorId,omitempty"`
	BookingDate                       string                `json:"bookingDate,omitempty"`
	ValueDate                         string                `json:"valueDate,omitempty"`
	TransactionAmount                 Amount                `json:"transactionAmount"`
	CreditorName                      string                `json:"creditorName,omitempty"`
	CreditorAccount                   *AccountReference     `json:"creditorAccount,omitempty"`
	CreditorAgent                     string                `json:"creditorAgent,omitempty"`
	DebtorName                        string                `json:"debtorName,omitempty"`
	DebtorAccount                     *AccountReference     `json:"debtorAccount,omitempty"`
	DebtorAgent                       string                `json:"debtorAgent,omitempty"`
	RemittanceInformationUnstructured string                `json:"remittanceInformationUnstructured,omitempty"`
	RemittanceInformationStructured   *StructuredRemittance `json:"remittanceInformationStructured,omitempty"`
	PurposeCode                       string                `json:"purposeCode,omitempty"`
	BankTransactionCode               string                `json:"bankTransactionCode,omitempty"`
	Links                             Links                 `json:"_links,omitempty"`
}

// Address is the schema address.
type Address struct {
	TownName string `json:"townName,omitempty"`
	Country  string `json:"country"`
}

// ExchangeRate is the schema reportExchangeRate.
type ExchangeRate struct {
	SourceCurrency string `json:"sourceCurrency"`
	ExchangeRate   string `json:"exchangeRate"`
	UnitCurrency   string `json:"unitCurrency"`
	TargetCurrency string `json:"targetCurrency"`
	QuotationDate  string `json:"quotationDate"`
}

// CardTransaction is the schema cardTransaction.
type CardTransaction struct {
	CardTransactionID              string         `json:"cardTransactionId,omitempty"`
	TerminalID                     string         `json:"terminalId,omitempty"`
	TransactionDate                string         `json:"transactionDate,omitempty"`
	BookingDate                    string         `json:"bookingDate,omitempty"`
	ValueDate                      string         `json:"valueDate,omitempty"`
	TransactionAmount              Amount         `json:"transactionAmount"`
	CurrencyExchange               []ExchangeRate `json:"currencyExchange,omitempty"`
	OriginalAmount                 *Amount        `json:"originalAmount,omitempty"`
	CardAcceptorID                 string         `json:"cardAcceptorId,omitempty"`
	CardAcceptorAddress            *Address       `json:"cardAcceptorAddress,omitempty"`
	MerchantCategoryCode           string         `json:"merchantCategoryCode,omitempty"`
	MaskedPAN                      string         `json:"maskedPAN,omitempty"`
	TransactionDetails             string         `json:"transactionDetails,omitempty"`
	Invoiced                       *bool          `json:"invoiced,omitempty"`
	ProprietaryBankTransactionCode string         `json:"proprietaryBankTransactionCode,omitempty"`
}

// AccountReport is the schema accountReport.
type AccountReport struct {
	Booked  []TransactionDetails `json:"booked,omitempty"`
	Pending []TransactionDetails `json:"pending,omitempty"`
	Links   Links                `json:"_links"`
}

// CardAccountReport is the schema cardAccountReport.
type CardAccountReport struct {
	Booked  []CardTransaction `json:"booked,omitempty"`
	Pending []CardTransaction `json:"pending,omitempty"`
	Links   Links             `json:"_links"`
}

// AccountPath is an account's path in the Berlin Group API (a card account's under
// /v1/card-accounts).
func AccountPath(a Account) string {
	if a.Kind == Card {
		return "/v1/card-accounts/" + a.ResourceID
	}
	return "/v1/accounts/" + a.ResourceID
}

func accountLinks(a Account) Links {
	p := AccountPath(a)
	return Links{"balances": {p + "/balances"}, "transactions": {p + "/transactions"}}
}

func truth(b bool) *bool { return &b }

// BerlinGroup is an account (not a card account) as the schema accountDetails, with its
// balances when given; psuName is the person acting for a business, if any.
func (a Account) BerlinGroup(psuName string, balances []Balance) AccountDetails {
	return AccountDetails{
		ResourceID: a.ResourceID, IBAN: a.IBAN, BBAN: a.BBAN, Currency: a.Currency, OwnerName: a.OwnerName,
		PSUName: psuName, Name: a.Name, Product: a.Product, CashAccountType: a.CashAccountType,
		Status: a.Status, BIC: BankBIC, Usage: a.Usage, Details: a.Details, Balances: balances, Links: accountLinks(a),
	}
}

// BerlinGroupCard is a card account as the schema cardAccountDetails, with its balances when
// given. Debits are quoted negative (debitAccounting false).
func (a Account) BerlinGroupCard(balances []Balance) CardAccountDetails {
	limit := AmountOf(Money{a.CreditLimit, a.Currency})
	return CardAccountDetails{
		ResourceID: a.ResourceID, MaskedPAN: a.MaskedPAN, Currency: a.Currency, OwnerName: a.OwnerName,
		Name: a.Name, Product: a.Product, DebitAccounting: truth(false), Status: a.Status, Usage: a.Usage,
		Details: a.Details, CreditLimit: &limit, Balances: balances, Links: accountLinks(a),
	}
}

// BerlinGroup is the transaction as the schema transactions: the counterparty is the creditor
// of a debit and the debtor of a credit; the account itself is the other side.
func (t Transaction) BerlinGroup(a Account) TransactionDetails {
	d := TransactionDetails{
		TransactionID: t.ID, EntryReference: t.EntryReference, EndToEndID: t.EndToEndID,
		MandateID: t.MandateID, CreditorID: t.CreditorID, BookingDate: t.BookingDate, ValueDate: t.ValueDate,
		TransactionAmount: AmountOf(t.Amount), RemittanceInformationUnstructured: t.Remittance,
		PurposeCode: t.PurposeCode, BankTransactionCode: t.BankTransactionCode,
		Links: Links{"transactionDetails": {AccountPath(a) + "/transactions/" + t.ID}},
	}
	if t.Structured != nil {
		d.RemittanceInformationStructured = &StructuredRemittance{t.Structured.Reference, t.Structured.Type, t.Structured.Issuer}
	}
	if t.BatchCount > 0 {
		d.BatchIndicator, d.BatchNumberOfTransactions = truth(true), t.BatchCount
	}
	var other *AccountReference
	if t.Counterparty.IBAN != "" {
		other = &AccountReference{IBAN: t.Counterparty.IBAN}
	}
	if t.Amount.Minor < 0 {
		d.CreditorName, d.CreditorAccount, d.CreditorAgent = t.Counterparty.Name, other, t.Counterparty.BIC
	} else {
		d.DebtorName, d.DebtorAccount, d.DebtorAgent = t.Counterparty.Name, other, t.Counterparty.BIC
	}
	return d
}

// BerlinGroupCard is a card account's transaction as the schema cardTransaction.
func (t Transaction) BerlinGroupCard() CardTransaction {
	ct := CardTransaction{
		CardTransactionID: t.ID, TransactionDate: t.TransactionDate, BookingDate: t.BookingDate,
		ValueDate: t.ValueDate, TransactionAmount: AmountOf(t.Amount), TransactionDetails: t.Remittance,
		ProprietaryBankTransactionCode: t.BankTransactionCode,
	}
	c := t.Card
	if c == nil {
		return ct
	}
	ct.TerminalID, ct.CardAcceptorID, ct.MerchantCategoryCode, ct.MaskedPAN = c.TerminalID, c.AcceptorID, c.MerchantCode, c.MaskedPAN
	ct.CardAcceptorAddress = &Address{TownName: c.Town, Country: c.Country}
	ct.TransactionDetails = c.Merchant
	ct.Invoiced = truth(c.Invoiced)
	if c.Original != nil {
		orig := AmountOf(*c.Original)
		ct.OriginalAmount = &orig
		ct.CurrencyExchange = []ExchangeRate{{
			SourceCurrency: c.Original.Currency, ExchangeRate: c.ExchangeRate, UnitCurrency: c.Original.Currency,
			TargetCurrency: t.Amount.Currency, QuotationDate: t.TransactionDate,
		}}
	}
	return ct
}

// Balances are the Berlin Group balances of a ledger on the given day (the bank's
// "today"): closingBooked at the end of the day before, interimBooked now, expected with
// the pending transactions, and interimAvailable, what can be spent: booked less pending
// debits, and for an account with a credit limit also with the limit included.
func (l Ledger) Balances(today time.Time) []Balance {
	day := today.Format(time.DateOnly)
	yesterday := today.AddDate(0, 0, -1).Format(time.DateOnly)
	closing := l.Booked
	if l.LastBookingDate >= day {
		closing = l.BookedBefore
	}
	amount := func(v int64) Amount { return AmountOf(Money{v, l.Currency}) }
	changed := ""
	if !l.LastChange.IsZero() {
		changed = l.LastChange.UTC().Format(time.RFC3339)
	}
	available := l.Booked + l.PendingDebits
	out := []Balance{
		{BalanceAmount: amount(closing), BalanceType: "closingBooked", ReferenceDate: yesterday},
		{BalanceAmount: amount(l.Booked), BalanceType: "interimBooked", ReferenceDate: day, LastChangeDateTime: changed, LastCommittedTransaction: l.LastEntryReference},
		{BalanceAmount: amount(l.Booked + l.PendingDebits + l.PendingCredits), BalanceType: "expected", ReferenceDate: day, LastChangeDateTime: changed},
		{BalanceAmount: amount(available), BalanceType: "interimAvailable", CreditLimitIncluded: truth(false), ReferenceDate: day},
	}
	if l.CreditLimit > 0 {
		out = append(out, Balance{BalanceAmount: amount(available + l.CreditLimit), BalanceType: "interimAvailable", CreditLimitIncluded: truth(true), ReferenceDate: day})
	}
	return out
}
