package sandboxbank

import (
	"errors"
	"testing"
)

// ibanCases are published IBANs (the registry's and banks' examples) and broken copies of
// them, each with the reason it is refused.
var ibanCases = []struct {
	iban string
	want error
}{
	{"DE89370400440532013000", nil},
	{"GB82WEST12345698765432", nil},
	{"FR1420041010050500013M02606", nil},
	{"NL91ABNA0417164300", nil},
	{"BE68539007547034", nil},
	{"AT611904300234573201", nil},
	{"CH9300762011623852957", nil},
	{"IT60X0542811101000000123456", nil},
	{"ES9121000418450200051332", nil},
	{"LU280019400644750000", nil},
	{"NO9386011117947", nil},
	{"MT84MALT011000012345MTLCAST001S", nil},
	{"DE89 3704 0044 0532 0130 00", ErrIBANCharacters},
	{"de89370400440532013000", ErrIBANCharacters},
	{"DE89-370400440532013000", ErrIBANCharacters},
	{"DE89370400440532013000\n", ErrIBANCharacters},
	{"", ErrIBANLength},
	{"DE8", ErrIBANLength},
	{"XX89370400440532013000", ErrIBANCountry},
	{"US89370400440532013000", ErrIBANCountry},
	{"DE8937040044053201300", ErrIBANLength},
	{"DE893704004405320130000", ErrIBANLength},
	{"BE6853900754703", ErrIBANLength},
	{"NL91ABNA041716430A", ErrIBANFormat},
	{"NL9112340417164300", ErrIBANFormat},
	{"GB82WES312345698765432", ErrIBANFormat},
	{"DEAB370400440532013000", ErrIBANFormat},
	{"DE88370400440532013000", ErrIBANCheckDigits},
	{"DE89370400440532013001", ErrIBANCheckDigits},
	{"GB82WEST12345698765423", ErrIBANCheckDigits},
	{"BE86539007547034", ErrIBANCheckDigits},
	// 00 passes the remainder test where 97 is right, but is never a check digit.
	{"GB00AAAA01345698765432", ErrIBANCheckDigits},
	{"GB97AAAA01345698765432", nil},
	// Right IBAN check digits around a Belgian account number whose own check is wrong.
	{"BE41539007547035", ErrIBANNationalCheck},
}

func TestValidateIBAN(t *testing.T) {
	for _, c := range ibanCases {
		t.Run(c.iban, func(t *testing.T) {
			err := ValidateIBAN(c.iban)
			if c.want == nil && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if c.want != nil && !errors.Is(err, c.want) {
				t.Fatalf("error = %v, want %v", err, c.want)
			}
		})
	}
}

func TestNewIBANAndReferences(t *testing.T) {
	cases := []struct{ country, bban, want string }{
		{"DE", "370400440532013000", "DE89370400440532013000"},
		{"BE", "539007547034", "BE68539007547034"},
		{"GB", "WEST12345698765432", "GB82WEST12345698765432"},
		{"BE", BelgianBBAN(539, 75470), "BE68539007547034"},
	}
	for _, c := range cases {
		if got, err := NewIBAN(c.country, c.bban); got != c.want || err != nil {
			t.Errorf("NewIBAN(%s, %s) = %s, %v; want %s", c.country, c.bban, got, err, c.want)
		}
	}
	if _, err := NewIBAN("DE", "37040044053201300"); !errors.Is(err, ErrIBANFormat) {
		t.Errorf("NewIBAN of a short BBAN: %v, want %v", err, ErrIBANFormat)
	}
	if _, err := NewIBAN("US", "123"); !errors.Is(err, ErrIBANCountry) {
		t.Errorf("NewIBAN of US: %v, want %v", err, ErrIBANCountry)
	}
	// ISO 11649's own example, and the Belgian structured communication's rule.
	if got := CreditorReference("539007547034"); got != "RF18539007547034" {
		t.Errorf("CreditorReference = %s, want RF18539007547034", got)
	}
	for ref, ok := range map[string]bool{"RF18539007547034": true, "RF18539007547035": false, "RF1": false, "XX18539007547034": false, "RF18 5390": false} {
		if ValidCreditorReference(ref) != ok {
			t.Errorf("ValidCreditorReference(%q) = %v", ref, !ok)
		}
	}
	if got := belgianStructured("0100000000"); got != "+++010/0000/00081+++" {
		t.Errorf("belgianStructured = %s", got)
	}
}

// FuzzValidateIBAN: ValidateIBAN never panics, accepts exactly the IBANs NewIBAN would
// write for their country and BBAN, and refuses every single changed digit of a valid one
// (what ISO 7064 MOD 97-10 guarantees).
func FuzzValidateIBAN(f *testing.F) {
	for _, c := range ibanCases {
		f.Add(c.iban)
	}
	f.Fuzz(func(t *testing.T, iban string) {
		err := ValidateIBAN(iban)
		if err == nil {
			again, nerr := NewIBAN(iban[:2], iban[4:])
			if nerr != nil || again != iban {
				t.Fatalf("valid %q, but NewIBAN gives %q, %v", iban, again, nerr)
			}
			for i := 4; i < len(iban); i++ {
				if iban[i] < '0' || iban[i] > '9' {
					continue
				}
				b := []byte(iban)
				b[i] = '0' + (iban[i]-'0'+1)%10
				if ValidateIBAN(string(b)) == nil {
					t.Fatalf("valid %q and valid %q, one digit apart", iban, b)
				}
			}
			return
		}
		var known bool
		for _, want := range []error{ErrIBANCharacters, ErrIBANCountry, ErrIBANLength, ErrIBANFormat, ErrIBANCheckDigits, ErrIBANNationalCheck} {
			known = known || errors.Is(err, want)
		}
		if !known {
			t.Fatalf("%q refused for an unknown reason: %v", iban, err)
		}
	})
}
