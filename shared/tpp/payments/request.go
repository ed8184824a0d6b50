package payments

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/bank/devportal/shared/tpp/bgerror"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
)

// AccountReference names an account; this bank takes IBANs (with a currency to pick one
// sub-account of a multi-currency account), as its consents do.
type AccountReference struct {
	IBAN     string `json:"iban,omitempty" dynamodbav:"iban,omitempty"`
	Currency string `json:"currency,omitempty" dynamodbav:"currency,omitempty"`
	// The other forms of the specification are decoded only to be refused by name.
	BBAN      string          `json:"bban,omitempty" dynamodbav:"-"`
	PAN       string          `json:"pan,omitempty" dynamodbav:"-"`
	MaskedPAN string          `json:"maskedPan,omitempty" dynamodbav:"-"`
	MSISDN    string          `json:"msisdn,omitempty" dynamodbav:"-"`
	Other     json.RawMessage `json:"other,omitempty" dynamodbav:"-"`
	// CashAccountType is accepted and ignored, as the specification allows.
	CashAccountType string `json:"cashAccountType,omitempty" dynamodbav:"-"`
}

// Amount is the Berlin Group amount: an ISO 4217 currency and a decimal string.
type Amount struct {
	Currency string `json:"currency" dynamodbav:"currency"`
	Amount   string `json:"amount" dynamodbav:"amount"`
}

// Address is the creditor's postal address.
type Address struct {
	StreetName     string `json:"streetName,omitempty" dynamodbav:"streetName,omitempty"`
	BuildingNumber string `json:"buildingNumber,omitempty" dynamodbav:"buildingNumber,omitempty"`
	TownName       string `json:"townName,omitempty" dynamodbav:"townName,omitempty"`
	PostCode       string `json:"postCode,omitempty" dynamodbav:"postCode,omitempty"`
	Country        string `json:"country" dynamodbav:"country"`
}

// Transfer is one credit transfer: the body of a single payment (paymentInitiation_json),
// the transfer of a periodic one, and an entry of a bulk (paymentInitiationBulkElement_json,
// without a debtor account or execution date of its own). It holds the elements the
// specification defines for every product and shows again when the payment is read; the
// elements it marks as not applicable to any product are refused as unknown.
type Transfer struct {
	EndToEndIdentification            string            `json:"endToEndIdentification,omitempty" dynamodbav:"endToEndIdentification,omitempty"`
	DebtorName                        string            `json:"debtorName,omitempty" dynamodbav:"debtorName,omitempty"`
	DebtorAccount                     *AccountReference `json:"debtorAccount,omitempty" dynamodbav:"debtorAccount,omitempty"`
	InstructedAmount                  *Amount           `json:"instructedAmount,omitempty" dynamodbav:"instructedAmount,omitempty"`
	CreditorAccount                   *AccountReference `json:"creditorAccount,omitempty" dynamodbav:"creditorAccount,omitempty"`
	CreditorAgent                     string            `json:"creditorAgent,omitempty" dynamodbav:"creditorAgent,omitempty"`
	CreditorName                      string            `json:"creditorName,omitempty" dynamodbav:"creditorName,omitempty"`
	CreditorAddress                   *Address          `json:"creditorAddress,omitempty" dynamodbav:"creditorAddress,omitempty"`
	ChargeBearer                      string            `json:"chargeBearer,omitempty" dynamodbav:"chargeBearer,omitempty"`
	RemittanceInformationUnstructured string            `json:"remittanceInformationUnstructured,omitempty" dynamodbav:"remittanceInformationUnstructured,omitempty"`
	RequestedExecutionDate            string            `json:"requestedExecutionDate,omitempty" dynamodbav:"requestedExecutionDate,omitempty"`
}

// Schedule is what a periodic payment adds to its transfer (periodicPaymentInitiation_json).
type Schedule struct {
	StartDate      string `json:"startDate,omitempty" dynamodbav:"startDate"`
	EndDate        string `json:"endDate,omitempty" dynamodbav:"endDate,omitempty"`
	ExecutionRule  string `json:"executionRule,omitempty" dynamodbav:"executionRule,omitempty"`
	Frequency      string `json:"frequency,omitempty" dynamodbav:"frequency"`
	DayOfExecution string `json:"dayOfExecution,omitempty" dynamodbav:"dayOfExecution,omitempty"`
}

// BulkTransfer is the body of a bulk payment (bulkPaymentInitiation_json).
type BulkTransfer struct {
	BatchBookingPreferred  *bool             `json:"batchBookingPreferred,omitempty" dynamodbav:"batchBookingPreferred,omitempty"`
	DebtorAccount          *AccountReference `json:"debtorAccount,omitempty" dynamodbav:"debtorAccount,omitempty"`
	RequestedExecutionDate string            `json:"requestedExecutionDate,omitempty" dynamodbav:"requestedExecutionDate,omitempty"`
	Payments               []Transfer        `json:"payments" dynamodbav:"payments"`
}

// periodicBody is the JSON of a periodic payment: the transfer and its schedule side by
// side.
type periodicBody struct {
	Transfer
	Schedule
}

// Request is a decoded initiation: the service, the product and the body's parts.
type Request struct {
	Service  PaymentService
	Product  Product
	Transfer *Transfer
	Standing *Schedule
	Batch    *BulkTransfer
}

// MaxBulk is the most payments a bulk may hold: its execution writes the bulk, each
// account's ledger and up to four items a payment (both sides, each with the reservation
// of its booking ID) in one DynamoDB transaction, which takes at most 100 items.
const MaxBulk = 15

// Refusals of the initiation rules, with the statuses the Berlin Group gives them.
var (
	// ErrProductUnknown answers a product this bank does not offer at all, the XML
	// (pain.001) products included: it takes JSON bodies only.
	ErrProductUnknown = bgerror.New(http.StatusNotFound, "PRODUCT_UNKNOWN", "This bank does not offer this payment product. It offers sepa-credit-transfers, instant-sepa-credit-transfers, target-2-payments and cross-border-credit-transfers, as JSON.")
	// ErrServiceInvalid answers a payment service that is not one of the specification's.
	ErrServiceInvalid = bgerror.New(http.StatusMethodNotAllowed, "SERVICE_INVALID", "The payment service is payments, bulk-payments or periodic-payments.")
	// ErrMediaType answers a body that is not JSON: this bank does not take pain.001 XML.
	ErrMediaType = bgerror.New(http.StatusUnsupportedMediaType, "FORMAT_ERROR", "This bank takes payment initiations as JSON (Content-Type application/json) only; it does not take pain.001 XML.")
)

// errProductInvalid refuses a product this bank offers, but not as service.
func errProductInvalid(s PaymentService, p Product) error {
	return bgerror.New(http.StatusForbidden, "PRODUCT_INVALID", fmt.Sprintf("This bank does not offer %s as %s.", p, s))
}

// offered are the products of each service. Instant transfers are not offered as
// standing orders (a schedule has no use for instant settlement), and TARGET2 and
// cross-border transfers are not offered in bulk.
var offered = map[PaymentService][]Product{
	Single:   {SEPA, InstantSEPA, Target2, CrossBorder},
	Periodic: {SEPA, Target2, CrossBorder},
	Bulk:     {SEPA, InstantSEPA},
}

// known are every product name of the specification's implementation guidelines: a
// known product that this bank does not offer under a service is PRODUCT_INVALID, any
// other PRODUCT_UNKNOWN.
func known(p Product) bool {
	switch p {
	case SEPA, InstantSEPA, Target2, CrossBorder:
		return true
	}
	return false
}

// CheckProduct refuses a service or product this bank does not offer.
func CheckProduct(s PaymentService, p Product) error {
	list, ok := offered[s]
	switch {
	case !ok:
		return ErrServiceInvalid
	case !known(p):
		return ErrProductUnknown
	}
	for _, o := range list {
		if o == p {
			return nil
		}
	}
	return errProductInvalid(s, p)
}

// Decode reads the JSON body of an initiation of product under service, refusing what the
// specification's schemas refuse (with the path of each element in error) and what this
// bank does not offer. today is the bank's day, before which no execution may be asked.
func Decode(service PaymentService, product Product, body []byte, today time.Time) (Request, error) {
	req, err := parse(service, product, body)
	if err != nil {
		return Request{}, err
	}
	if err := req.check(today); err != nil {
		return Request{}, err
	}
	return req, nil
}

// parse reads the body of an initiation of product under service into its parts,
// refusing a product this bank does not offer and JSON that is not the service's body;
// the rules on the values are check's.
func parse(service PaymentService, product Product, body []byte) (Request, error) {
	if err := CheckProduct(service, product); err != nil {
		return Request{}, err
	}
	req := Request{Service: service, Product: product}
	switch service {
	case Single:
		var t Transfer
		if err := decodeStrict(body, &t); err != nil {
			return Request{}, err
		}
		req.Transfer = &t
	case Periodic:
		var b periodicBody
		if err := decodeStrict(body, &b); err != nil {
			return Request{}, err
		}
		req.Transfer, req.Standing = &b.Transfer, &b.Schedule
	case Bulk:
		var b BulkTransfer
		if err := decodeStrict(body, &b); err != nil {
			return Request{}, err
		}
		req.Batch = &b
	}
	return req, nil
}

// check applies the schemas' rules and the bank's to a parsed request on the day today:
// one FORMAT_ERROR (or EXECUTION_DATE_INVALID) message per element in error.
func (req Request) check(today time.Time) error {
	var v validator
	v.today = today.UTC().Format(time.DateOnly)
	switch req.Service {
	case Single:
		v.transfer("", req.Transfer, true)
		v.date("requestedExecutionDate", req.Transfer.RequestedExecutionDate, true)
	case Periodic:
		v.transfer("", req.Transfer, true)
		if req.Transfer.RequestedExecutionDate != "" {
			v.add("requestedExecutionDate", "A periodic payment is executed from its startDate on; it has no requestedExecutionDate.")
		}
		if req.Transfer.ChargeBearer != "" {
			v.add("chargeBearer", "A periodic payment has no chargeBearer.")
		}
		v.schedule(req.Standing)
	case Bulk:
		v.bulk(req.Batch)
	}
	if len(v.msgs) > 0 {
		return bgerror.FormatError(v.msgs...)
	}
	return nil
}

// decodeStrict reads one JSON object into dst: malformed JSON, unknown elements, a wrong
// type and anything after the object are FORMAT_ERRORs naming the element.
func decodeStrict(body []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return bgerror.FormatError(bgerror.Field(typeErr.Field, "This element has the wrong type: "+typeErr.Value+" where "+typeErr.Type.String()+" is needed."))
		}
		if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return bgerror.FormatError(bgerror.Field(strings.Trim(f, `"`), "This bank does not know this element."))
		}
		return bgerror.FormatError(bgerror.Field("body", "The body is not the JSON object this endpoint takes."))
	}
	if dec.More() {
		return bgerror.FormatError(bgerror.Field("body", "The body must be one JSON object and nothing after it."))
	}
	return nil
}

// validator gathers the messages of every element in error, so that a TPP learns all of
// them at once.
type validator struct {
	msgs  []bgerror.TPPMessage
	today string
}

func (v *validator) add(path, text string) { v.msgs = append(v.msgs, bgerror.Field(path, text)) }

// addCode adds a message of another code than FORMAT_ERROR.
func (v *validator) addCode(code, path, text string) {
	v.msgs = append(v.msgs, bgerror.TPPMessage{Category: "ERROR", Code: code, Path: path, Text: text})
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

var (
	amountPattern = regexp.MustCompile(`^-?[0-9]{1,14}(\.[0-9]{1,3})?$`)
	bicPattern    = regexp.MustCompile(`^[A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?$`)
	countryCode   = regexp.MustCompile(`^[A-Z]{2}$`)
)

// maxLen checks the length of a text element, in characters.
func (v *validator) maxLen(path, s string, n int) {
	if len([]rune(s)) > n {
		v.add(path, fmt.Sprintf("This element has at most %d characters.", n))
	}
}

// transfer checks one credit transfer at prefix; withDebtor for a single or periodic
// payment, whose debtor account is its own (a bulk's entries share the bulk's).
func (v *validator) transfer(prefix string, t *Transfer, withDebtor bool) {
	if withDebtor {
		v.account(join(prefix, "debtorAccount"), t.DebtorAccount, true)
	} else {
		if t.DebtorAccount != nil {
			v.add(join(prefix, "debtorAccount"), "A bulk's payments are paid from the bulk's debtorAccount; an entry has none of its own.")
		}
		if t.RequestedExecutionDate != "" {
			v.add(join(prefix, "requestedExecutionDate"), "A bulk's payments are executed on the bulk's requestedExecutionDate; an entry has none of its own.")
		}
	}
	v.amount(join(prefix, "instructedAmount"), t.InstructedAmount)
	v.account(join(prefix, "creditorAccount"), t.CreditorAccount, true)
	if strings.TrimSpace(t.CreditorName) == "" {
		v.add(join(prefix, "creditorName"), "The creditorName is required.")
	}
	v.maxLen(join(prefix, "creditorName"), t.CreditorName, 70)
	v.maxLen(join(prefix, "debtorName"), t.DebtorName, 70)
	v.maxLen(join(prefix, "endToEndIdentification"), t.EndToEndIdentification, 35)
	v.maxLen(join(prefix, "remittanceInformationUnstructured"), t.RemittanceInformationUnstructured, 140)
	if t.CreditorAgent != "" && !bicPattern.MatchString(t.CreditorAgent) {
		v.add(join(prefix, "creditorAgent"), "The creditorAgent is a BIC (ISO 9362): 8 or 11 capital letters and digits.")
	}
	switch t.ChargeBearer {
	case "", "DEBT", "CRED", "SHAR", "SLEV":
	default:
		v.add(join(prefix, "chargeBearer"), "The chargeBearer is DEBT, CRED, SHAR or SLEV.")
	}
	if a := t.CreditorAddress; a != nil {
		p := join(prefix, "creditorAddress")
		if !countryCode.MatchString(a.Country) {
			v.add(p+".country", "The country is an ISO 3166 code of two capital letters, and is required.")
		}
		v.maxLen(p+".streetName", a.StreetName, 70)
	}
}

// account checks an account reference: an IBAN (this bank takes no other form), with an
// optional ISO 4217 currency.
func (v *validator) account(path string, a *AccountReference, required bool) {
	if a == nil {
		if required {
			v.add(path, "The "+path[strings.LastIndex(path, ".")+1:]+" is required.")
		}
		return
	}
	for _, f := range []struct {
		name string
		set  bool
	}{{"bban", a.BBAN != ""}, {"pan", a.PAN != ""}, {"maskedPan", a.MaskedPAN != ""}, {"msisdn", a.MSISDN != ""}, {"other", len(a.Other) > 0}} {
		if f.set {
			v.add(path+"."+f.name, "This bank identifies the accounts of payments by IBAN only.")
		}
	}
	switch err := sandboxbank.ValidateIBAN(a.IBAN); {
	case a.IBAN == "":
		v.add(path+".iban", "The account's IBAN is required.")
	case err != nil:
		v.add(path+".iban", ibanText(err))
	}
	if a.Currency != "" && !KnownCurrency(a.Currency) {
		v.add(path+".currency", "The currency is an ISO 4217 code of three capital letters.")
	}
}

// ibanText is the text of an IBAN refusal of sandboxbank.ValidateIBAN.
func ibanText(err error) string {
	switch {
	case errors.Is(err, sandboxbank.ErrIBANCharacters):
		return "An IBAN is written in its electronic form: capital letters and digits only, no spaces."
	case errors.Is(err, sandboxbank.ErrIBANCountry):
		return "The IBAN does not start with the code of a country that uses IBANs."
	case errors.Is(err, sandboxbank.ErrIBANLength):
		return "The IBAN does not have its country's length."
	case errors.Is(err, sandboxbank.ErrIBANFormat):
		return "The account number inside the IBAN does not have its country's format."
	case errors.Is(err, sandboxbank.ErrIBANCheckDigits):
		return "The IBAN's check digits are wrong: it has a typing error."
	case errors.Is(err, sandboxbank.ErrIBANNationalCheck):
		return "The national check digits of the account number inside the IBAN are wrong."
	}
	return "The IBAN is not valid."
}

// amount checks an instructed amount: an ISO 4217 currency and a positive decimal of at
// most 14 digits and as many decimals as the currency has.
func (v *validator) amount(path string, a *Amount) {
	if a == nil {
		v.add(path, "The instructedAmount is required.")
		return
	}
	if !KnownCurrency(a.Currency) {
		v.add(path+".currency", "The currency is an ISO 4217 code of three capital letters.")
	}
	if !amountPattern.MatchString(a.Amount) {
		v.add(path+".amount", "The amount is a decimal number with a dot and at most 14 digits before it and 3 after it, e.g. \"123.45\".")
		return
	}
	if strings.HasPrefix(a.Amount, "-") || strings.Trim(strings.ReplaceAll(a.Amount, ".", ""), "0") == "" {
		v.add(path+".amount", "A payment's amount is greater than zero.")
		return
	}
	if d, ok := currencyDecimals[a.Currency]; ok {
		if _, frac, _ := strings.Cut(a.Amount, "."); len(frac) > d {
			v.add(path+".amount", fmt.Sprintf("%s has %d decimals.", a.Currency, d))
		}
	}
}

// date checks a date element: YYYY-MM-DD, and not before today.
func (v *validator) date(path, s string, notPast bool) bool {
	if s == "" {
		return false
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		v.add(path, "A date is written YYYY-MM-DD.")
		return false
	}
	if notPast && s < v.today {
		v.addCode("EXECUTION_DATE_INVALID", path, "The date has passed: the bank's day is "+v.today+" (UTC).")
		return false
	}
	return true
}

// frequencies are the specification's frequencyCode values.
var frequencies = []string{"Daily", "Weekly", "EveryTwoWeeks", "Monthly", "EveryTwoMonths", "Quarterly", "SemiAnnual", "Annual", "MonthlyVariable"}

// schedule checks a standing order: a start today or later, a known frequency, an end
// not before the start, an execution rule and a day of execution (1 to 31).
func (v *validator) schedule(s *Schedule) {
	start := false
	if s.StartDate == "" {
		v.add("startDate", "The startDate is required.")
	} else {
		start = v.date("startDate", s.StartDate, true)
	}
	switch {
	case s.Frequency == "":
		v.add("frequency", "The frequency is required.")
	case !contains(frequencies, s.Frequency):
		v.add("frequency", "The frequency is one of "+strings.Join(frequencies, ", ")+".")
	}
	if end := v.date("endDate", s.EndDate, false); end && start && s.EndDate < s.StartDate {
		v.addCode("EXECUTION_DATE_INVALID", "endDate", "The endDate is before the startDate.")
	}
	switch s.ExecutionRule {
	case "", "following", "preceding":
	default:
		v.add("executionRule", "The executionRule is following or preceding.")
	}
	if s.DayOfExecution != "" {
		if n, err := strconv.Atoi(s.DayOfExecution); err != nil || n < 1 || n > 31 || strconv.Itoa(n) != s.DayOfExecution {
			v.add("dayOfExecution", "The dayOfExecution is a day of the month, 1 to 31, without a leading zero.")
		}
	}
}

// bulk checks a bulk: its debtor account, its execution day and each payment.
func (v *validator) bulk(b *BulkTransfer) {
	v.account("debtorAccount", b.DebtorAccount, true)
	v.date("requestedExecutionDate", b.RequestedExecutionDate, true)
	switch {
	case b.Payments == nil:
		v.add("payments", "The payments are required.")
	case len(b.Payments) == 0:
		v.add("payments", "A bulk holds at least one payment.")
	case len(b.Payments) > MaxBulk:
		v.add("payments", fmt.Sprintf("A bulk holds at most %d payments.", MaxBulk))
	}
	for i := range b.Payments {
		v.transfer(fmt.Sprintf("payments[%d]", i), &b.Payments[i], false)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
