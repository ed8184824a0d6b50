package sandboxbank

import (
	"fmt"
	"strconv"

	"github.com/bank/devportal/shared/platform/apperr"
)

// The reasons an IBAN is refused, one code each, in the order ValidateIBAN checks them.
var (
	ErrIBANCharacters    = apperr.New(apperr.Invalid, "IBAN_CHARACTERS", "An IBAN is written in its electronic form: capital letters and digits only, no spaces.")
	ErrIBANCountry       = apperr.New(apperr.Invalid, "IBAN_COUNTRY", "The IBAN does not start with the code of a country that uses IBANs.")
	ErrIBANLength        = apperr.New(apperr.Invalid, "IBAN_LENGTH", "The IBAN does not have its country's length.")
	ErrIBANFormat        = apperr.New(apperr.Invalid, "IBAN_BBAN_FORMAT", "The account number inside the IBAN (BBAN) does not have its country's format.")
	ErrIBANCheckDigits   = apperr.New(apperr.Invalid, "IBAN_CHECK_DIGITS", "The IBAN's check digits are wrong (ISO 7064 MOD 97-10): it has a typing error.")
	ErrIBANNationalCheck = apperr.New(apperr.Invalid, "IBAN_NATIONAL_CHECK", "The national check digits of the account number inside the IBAN are wrong.")
)

// bbanFormats are the BBAN formats of the IBAN registry (SWIFT) for the countries of the
// SEPA area, as segments: a count and a class, 'n' digits, 'a' capital letters, 'c'
// capital letters or digits. An IBAN is its country code, two check digits and the BBAN.
var bbanFormats = map[string]string{
	"AD": "4n4n12c", "AT": "5n11n", "BE": "3n7n2n", "BG": "4a4n2n8c", "CH": "5n12c",
	"CY": "3n5n16c", "CZ": "4n6n10n", "DE": "8n10n", "DK": "4n9n1n", "EE": "2n2n11n1n",
	"ES": "4n4n1n1n10n", "FI": "3n11n", "FR": "5n5n11c2n", "GB": "4a6n8n", "GI": "4a15c",
	"GR": "3n4n16c", "HR": "7n10n", "HU": "3n4n1n15n1n", "IE": "4a6n8n", "IS": "4n2n6n10n",
	"IT": "1a5n5n12c", "LI": "5n12c", "LT": "5n11n", "LU": "3n13c", "LV": "4a13c",
	"MC": "5n5n11c2n", "MT": "4a5n18c", "NL": "4a10n", "NO": "4n6n1n", "PL": "8n16n",
	"PT": "4n4n11n2n", "RO": "4a16c", "SE": "3n16n1n", "SI": "5n8n2n", "SK": "4n6n10n",
	"SM": "1a5n5n12c",
}

// bbanLength is the length of a country's BBAN, from its format.
func bbanLength(format string) int {
	n, total := 0, 0
	for _, r := range format {
		if r >= '0' && r <= '9' {
			n = n*10 + int(r-'0')
			continue
		}
		total, n = total+n, 0
	}
	return total
}

// matchesFormat reports whether bban has the segments of format.
func matchesFormat(bban, format string) bool {
	i, n := 0, 0
	for _, r := range format {
		if r >= '0' && r <= '9' {
			n = n*10 + int(r-'0')
			continue
		}
		for ; n > 0; n-- {
			if i >= len(bban) {
				return false
			}
			c := bban[i]
			digit, letter := c >= '0' && c <= '9', c >= 'A' && c <= 'Z'
			if (r == 'n' && !digit) || (r == 'a' && !letter) || (r == 'c' && !digit && !letter) {
				return false
			}
			i++
		}
	}
	return i == len(bban)
}

// ValidateIBAN checks an IBAN in its electronic form: capital letters and digits, a country
// of the IBAN registry, that country's length and BBAN format, the ISO 7064 MOD 97-10
// check digits (02 to 98), and for Belgium the BBAN's own check digits. The error is one of the
// ErrIBAN… reasons.
func ValidateIBAN(iban string) error {
	for i := 0; i < len(iban); i++ {
		c := iban[i]
		if !(c >= '0' && c <= '9') && !(c >= 'A' && c <= 'Z') {
			return ErrIBANCharacters
		}
	}
	if len(iban) < 4 {
		return ErrIBANLength
	}
	format, ok := bbanFormats[iban[:2]]
	if !ok {
		return ErrIBANCountry
	}
	if len(iban) != 4+bbanLength(format) {
		return ErrIBANLength
	}
	if iban[2] < '0' || iban[2] > '9' || iban[3] < '0' || iban[3] > '9' || !matchesFormat(iban[4:], format) {
		return ErrIBANFormat
	}
	// Check digits 00, 01 and 99 never come out of the computation (98 minus a remainder
	// of 0 to 96), though 00 passes the remainder test wherever 97 is right.
	if cd := iban[2:4]; cd == "00" || cd == "01" || cd == "99" || mod97(iban[4:]+iban[:4]) != 1 {
		return ErrIBANCheckDigits
	}
	if iban[:2] == "BE" && !belgianCheckOK(iban[4:]) {
		return ErrIBANNationalCheck
	}
	return nil
}

// mod97 is s as an ISO 7064 number (letters count 10 to 35) modulo 97; s holds only
// capital letters and digits.
func mod97(s string) int {
	r := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			r = (r*100 + int(c-'A') + 10) % 97
		} else {
			r = (r*10 + int(c-'0')) % 97
		}
	}
	return r
}

// NewIBAN returns the IBAN of a BBAN of the country, with its check digits; the BBAN must
// have the country's format.
func NewIBAN(country, bban string) (string, error) {
	format, ok := bbanFormats[country]
	if !ok {
		return "", ErrIBANCountry
	}
	if !matchesFormat(bban, format) {
		return "", ErrIBANFormat
	}
	return fmt.Sprintf("%s%02d%s", country, 98-mod97(bban+country+"00"), bban), nil
}

// belgianCheckOK reports whether a Belgian BBAN (bank code, account number, check) ends
// in its check: the first ten digits modulo 97, 97 where that is 0.
func belgianCheckOK(bban string) bool {
	n, _ := strconv.ParseInt(bban[:10], 10, 64)
	check, _ := strconv.Atoi(bban[10:])
	return check == belgianCheck(n)
}

func belgianCheck(first10 int64) int {
	if c := int(first10 % 97); c != 0 {
		return c
	}
	return 97
}

// BelgianBBAN returns the Belgian BBAN of an account number at a bank code (three digits),
// with its national check digits.
func BelgianBBAN(bankCode, account int) string {
	n := int64(bankCode)*10_000_000 + int64(account)
	return fmt.Sprintf("%010d%02d", n, belgianCheck(n))
}

// CreditorReference returns the ISO 11649 structured creditor reference ("RF" with two
// check digits) of a reference of capital letters and digits, at most 21 characters.
func CreditorReference(ref string) string {
	return fmt.Sprintf("RF%02d%s", 98-mod97(ref+"RF00"), ref)
}

// ValidCreditorReference reports whether s is an ISO 11649 creditor reference.
func ValidCreditorReference(s string) bool {
	if len(s) < 5 || len(s) > 25 || s[:2] != "RF" {
		return false
	}
	for i := 2; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9') && !(c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return mod97(s[4:]+s[:4]) == 1
}
