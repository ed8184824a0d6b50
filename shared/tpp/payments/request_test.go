package payments_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bank/devportal/shared/tpp/bgerror"
	"github.com/bank/devportal/shared/tpp/payments"
)

var today = time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)

const (
	debtorIBAN   = "BE68539007547034"
	creditorIBAN = "DE89370400440532013000"
)

// refusal is a refusal's status and messages ("CODE path" each), or the error itself.
func refusal(err error) string {
	if err == nil {
		return "ok"
	}
	var e *bgerror.Error
	if !errors.As(err, &e) {
		return err.Error()
	}
	var parts []string
	for _, m := range e.Messages {
		parts = append(parts, strings.TrimSpace(m.Code+" "+m.Path))
	}
	return fmt.Sprintf("%d %s", e.Status, strings.Join(parts, "; "))
}

// single is a valid single payment body with element name replaced by value (raw JSON),
// or removed when value is "-".
func single(name, value string) string {
	fields := [][2]string{
		{"debtorAccount", `{"iban":"` + debtorIBAN + `"}`},
		{"instructedAmount", `{"currency":"EUR","amount":"123.45"}`},
		{"creditorAccount", `{"iban":"` + creditorIBAN + `"}`},
		{"creditorName", `"Merchant"`},
		{"remittanceInformationUnstructured", `"Invoice 42"`},
	}
	var out []string
	found := false
	for _, f := range fields {
		if f[0] == name {
			found = true
			if value == "-" {
				continue
			}
			f[1] = value
		}
		out = append(out, `"`+f[0]+`":`+f[1])
	}
	if !found && name != "" {
		out = append(out, `"`+name+`":`+value)
	}
	return "{" + strings.Join(out, ",") + "}"
}

func TestDecodeSingle(t *testing.T) {
	for _, c := range []struct {
		name, field, value, want string
	}{
		{"valid", "", "", "ok"},
		{"missing debtor account", "debtorAccount", "-", "400 FORMAT_ERROR debtorAccount"},
		{"missing creditor name", "creditorName", "-", "400 FORMAT_ERROR creditorName"},
		{"missing amount", "instructedAmount", "-", "400 FORMAT_ERROR instructedAmount"},
		{"IBAN check digits", "creditorAccount", `{"iban":"DE88370400440532013000"}`, "400 FORMAT_ERROR creditorAccount.iban"},
		{"IBAN with spaces", "debtorAccount", `{"iban":"BE68 5390 0754 7034"}`, "400 FORMAT_ERROR debtorAccount.iban"},
		{"BBAN instead of IBAN", "debtorAccount", `{"bban":"539007547034"}`, "400 FORMAT_ERROR debtorAccount.bban; FORMAT_ERROR debtorAccount.iban"},
		{"amount with comma", "instructedAmount", `{"currency":"EUR","amount":"12,50"}`, "400 FORMAT_ERROR instructedAmount.amount"},
		{"amount of 15 digits", "instructedAmount", `{"currency":"EUR","amount":"123456789012345"}`, "400 FORMAT_ERROR instructedAmount.amount"},
		{"negative amount", "instructedAmount", `{"currency":"EUR","amount":"-5.00"}`, "400 FORMAT_ERROR instructedAmount.amount"},
		{"zero amount", "instructedAmount", `{"currency":"EUR","amount":"0.00"}`, "400 FORMAT_ERROR instructedAmount.amount"},
		{"three decimals in EUR", "instructedAmount", `{"currency":"EUR","amount":"1.005"}`, "400 FORMAT_ERROR instructedAmount.amount"},
		{"three decimals in KWD", "instructedAmount", `{"currency":"KWD","amount":"1.005"}`, "ok"},
		{"unknown currency", "instructedAmount", `{"currency":"EUX","amount":"1.00"}`, "400 FORMAT_ERROR instructedAmount.currency"},
		{"lower-case currency", "instructedAmount", `{"currency":"eur","amount":"1.00"}`, "400 FORMAT_ERROR instructedAmount.currency"},
		{"amount as number", "instructedAmount", `{"currency":"EUR","amount":1.5}`, "400 FORMAT_ERROR instructedAmount.amount"},
		{"unknown element", "tip", `"5"`, "400 FORMAT_ERROR tip"},
		{"malformed date", "requestedExecutionDate", `"06.12.2026"`, "400 FORMAT_ERROR requestedExecutionDate"},
		{"past date", "requestedExecutionDate", `"2026-12-05"`, "400 EXECUTION_DATE_INVALID requestedExecutionDate"},
		{"today", "requestedExecutionDate", `"2026-12-06"`, "ok"},
		{"creditor name too long", "creditorName", `"` + strings.Repeat("n", 71) + `"`, "400 FORMAT_ERROR creditorName"},
		{"remittance too long", "remittanceInformationUnstructured", `"` + strings.Repeat("r", 141) + `"`, "400 FORMAT_ERROR remittanceInformationUnstructured"},
		{"BIC", "creditorAgent", `"COBADEFFXXX"`, "ok"},
		{"bad BIC", "creditorAgent", `"COBADE"`, "400 FORMAT_ERROR creditorAgent"},
		{"charge bearer", "chargeBearer", `"OURS"`, "400 FORMAT_ERROR chargeBearer"},
		{"an element not applicable to any product", "purposeCode", `"CASH"`, "400 FORMAT_ERROR purposeCode"},
		{"address without country", "creditorAddress", `{"townName":"Brussels"}`, "400 FORMAT_ERROR creditorAddress.country"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := payments.Decode(payments.Single, payments.SEPA, []byte(single(c.field, c.value)), today)
			if got := refusal(err); got != c.want {
				t.Fatalf("got %s, want %s", got, c.want)
			}
		})
	}
	for _, body := range []string{``, `[]`, `{"creditorName":"a"} {}`, `<Document/>`} {
		if _, err := payments.Decode(payments.Single, payments.SEPA, []byte(body), today); refusal(err) != "400 FORMAT_ERROR body" {
			t.Errorf("body %q: %s", body, refusal(err))
		}
	}
}

func TestCheckProduct(t *testing.T) {
	for _, c := range []struct {
		service payments.PaymentService
		product payments.Product
		want    string
	}{
		{payments.Single, payments.SEPA, "ok"},
		{payments.Single, payments.InstantSEPA, "ok"},
		{payments.Single, payments.Target2, "ok"},
		{payments.Single, payments.CrossBorder, "ok"},
		{payments.Periodic, payments.SEPA, "ok"},
		{payments.Periodic, payments.InstantSEPA, "403 PRODUCT_INVALID"},
		{payments.Bulk, payments.InstantSEPA, "ok"},
		{payments.Bulk, payments.Target2, "403 PRODUCT_INVALID"},
		{payments.Bulk, payments.CrossBorder, "403 PRODUCT_INVALID"},
		{payments.Single, "pain.001-sepa-credit-transfers", "404 PRODUCT_UNKNOWN"},
		{payments.Single, "domestic-credit-transfers", "404 PRODUCT_UNKNOWN"},
		{"standing-orders", payments.SEPA, "405 SERVICE_INVALID"},
	} {
		if got := refusal(payments.CheckProduct(c.service, c.product)); got != c.want {
			t.Errorf("%s/%s: %s, want %s", c.service, c.product, got, c.want)
		}
	}
}

func TestDecodePeriodic(t *testing.T) {
	base := func(extra string) string {
		return strings.TrimSuffix(single("", ""), "}") + "," + extra + "}"
	}
	for _, c := range []struct {
		name, schedule, want string
	}{
		{"valid", `"startDate":"2027-01-01","frequency":"Monthly","executionRule":"following","dayOfExecution":"1","endDate":"2027-12-31"`, "ok"},
		{"no start", `"frequency":"Monthly"`, "400 FORMAT_ERROR startDate"},
		{"no frequency", `"startDate":"2027-01-01"`, "400 FORMAT_ERROR frequency"},
		{"unknown frequency", `"startDate":"2027-01-01","frequency":"Fortnightly"`, "400 FORMAT_ERROR frequency"},
		{"past start", `"startDate":"2026-01-01","frequency":"Weekly"`, "400 EXECUTION_DATE_INVALID startDate"},
		{"end before start", `"startDate":"2027-02-01","frequency":"Weekly","endDate":"2027-01-01"`, "400 EXECUTION_DATE_INVALID endDate"},
		{"execution rule", `"startDate":"2027-01-01","frequency":"Weekly","executionRule":"nearest"`, "400 FORMAT_ERROR executionRule"},
		{"day 32", `"startDate":"2027-01-01","frequency":"Monthly","dayOfExecution":"32"`, "400 FORMAT_ERROR dayOfExecution"},
		{"day 01", `"startDate":"2027-01-01","frequency":"Monthly","dayOfExecution":"01"`, "400 FORMAT_ERROR dayOfExecution"},
		{"execution date", `"startDate":"2027-01-01","frequency":"Monthly","requestedExecutionDate":"2027-01-01"`, "400 FORMAT_ERROR requestedExecutionDate"},
		{"charge bearer", `"startDate":"2027-01-01","frequency":"Monthly","chargeBearer":"SLEV"`, "400 FORMAT_ERROR chargeBearer"},
		{"months of execution", `"startDate":"2027-01-01","frequency":"MonthlyVariable","monthsOfExecution":["1"]`, "400 FORMAT_ERROR monthsOfExecution"},
	} {
		t.Run(c.name, func(t *testing.T) {
			req, err := payments.Decode(payments.Periodic, payments.SEPA, []byte(base(c.schedule)), today)
			if got := refusal(err); got != c.want {
				t.Fatalf("got %s, want %s", got, c.want)
			}
			if err == nil && (req.Standing == nil || req.Standing.StartDate != "2027-01-01" || req.Transfer.CreditorName != "Merchant") {
				t.Fatalf("decoded %+v", req)
			}
		})
	}
}

func TestDecodeBulk(t *testing.T) {
	entry := `{"instructedAmount":{"currency":"EUR","amount":"10.00"},"creditorAccount":{"iban":"` + creditorIBAN + `"},"creditorName":"A"}`
	many := strings.TrimSuffix(strings.Repeat(entry+",", payments.MaxBulk+1), ",")
	for _, c := range []struct {
		name, body, want string
	}{
		{"valid", `{"batchBookingPreferred":true,"debtorAccount":{"iban":"` + debtorIBAN + `"},"payments":[` + entry + `,` + entry + `]}`, "ok"},
		{"no debtor", `{"payments":[` + entry + `]}`, "400 FORMAT_ERROR debtorAccount"},
		{"no payments", `{"debtorAccount":{"iban":"` + debtorIBAN + `"}}`, "400 FORMAT_ERROR payments"},
		{"empty payments", `{"debtorAccount":{"iban":"` + debtorIBAN + `"},"payments":[]}`, "400 FORMAT_ERROR payments"},
		{"too many", `{"debtorAccount":{"iban":"` + debtorIBAN + `"},"payments":[` + many + `]}`, "400 FORMAT_ERROR payments"},
		{"entry errors named by position", `{"debtorAccount":{"iban":"` + debtorIBAN + `"},"payments":[` + entry + `,{"instructedAmount":{"currency":"EUR","amount":"1"},"creditorAccount":{"iban":"XX00"}}]}`,
			"400 FORMAT_ERROR payments[1].creditorAccount.iban; FORMAT_ERROR payments[1].creditorName"},
		{"entry with its own debtor", `{"debtorAccount":{"iban":"` + debtorIBAN + `"},"payments":[` + strings.TrimSuffix(entry, "}") + `,"debtorAccount":{"iban":"` + debtorIBAN + `"}}]}`,
			"400 FORMAT_ERROR payments[0].debtorAccount"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := payments.Decode(payments.Bulk, payments.SEPA, []byte(c.body), today)
			if got := refusal(err); got != c.want {
				t.Fatalf("got %s, want %s", got, c.want)
			}
		})
	}
}

func TestMinor(t *testing.T) {
	for _, c := range []struct {
		amount payments.Amount
		minor  int64
		ok     bool
	}{
		{payments.Amount{Currency: "EUR", Amount: "123.45"}, 12345, true},
		{payments.Amount{Currency: "EUR", Amount: "123.4"}, 12340, true},
		{payments.Amount{Currency: "EUR", Amount: "123"}, 12300, true},
		{payments.Amount{Currency: "JPY", Amount: "123"}, 0, false},
	} {
		if minor, ok := payments.Minor(c.amount); minor != c.minor || ok != c.ok {
			t.Errorf("%v: %d %v", c.amount, minor, ok)
		}
	}
}
