package validation

import (
	"reflect"
	"testing"

	"github.com/bank/devportal/shared/platform/apperr"
)

// TestPlainText pins the singleline and text rules: which characters each refuses and the
// exact field error a person sees.
func TestPlainText(t *testing.T) {
	type form struct {
		Name   string `json:"name" validate:"singleline"`
		Reason string `json:"reason" validate:"text"`
	}
	line := func(what, code string) []apperr.FieldError {
		return []apperr.FieldError{{Field: "name", Rule: "singleline",
			Message: "Contains " + what + " (U+" + code + "); use one line of plain text without control, invisible or direction-changing characters."}}
	}
	text := func(what, code string) []apperr.FieldError {
		return []apperr.FieldError{{Field: "reason", Rule: "text",
			Message: "Contains " + what + " (U+" + code + "); use plain text without control, invisible or direction-changing characters."}}
	}
	cases := []struct {
		name string
		f    form
		want []apperr.FieldError
	}{
		{"plain", form{"Acme Payments", "Line one\nline two\twith a tab\r\n"}, nil},
		{"letters of any script", form{"Zoë Šťastná 山田 محمد", "ok"}, nil},
		{"no-break space", form{"Acme\u00a0Payments", "ok"}, nil},
		{"newline", form{"Acme\nPayments", "ok"}, line("a line break", "000A")},
		{"carriage return", form{"Acme\rPayments", "ok"}, line("a line break", "000D")},
		{"tab", form{"Acme\tPayments", "ok"}, line("a control character", "0009")},
		{"bell", form{"Acme\a", "ok"}, line("a control character", "0007")},
		{"next line (C1)", form{"Acme\u0085", "ok"}, line("a control character", "0085")},
		{"line separator", form{"Acme\u2028Payments", "ok"}, line("a line or paragraph separator", "2028")},
		{"paragraph separator", form{"Acme\u2029Payments", "ok"}, line("a line or paragraph separator", "2029")},
		{"right-to-left override", form{"Acme \u202eyap", "ok"}, line("a direction-changing character", "202E")},
		{"left-to-right embedding", form{"\u202aAcme", "ok"}, line("a direction-changing character", "202A")},
		{"first strong isolate", form{"Acme\u2068", "ok"}, line("a direction-changing character", "2068")},
		{"pop directional isolate", form{"Acme\u2069", "ok"}, line("a direction-changing character", "2069")},
		{"left-to-right mark", form{"Acme\u200e", "ok"}, line("a direction-changing character", "200E")},
		{"right-to-left mark", form{"Acme\u200f", "ok"}, line("a direction-changing character", "200F")},
		{"Arabic letter mark", form{"Acme\u061c", "ok"}, line("a direction-changing character", "061C")},
		{"zero-width space", form{"Ac\u200bme", "ok"}, line("a zero-width character", "200B")},
		{"zero-width non-joiner", form{"Ac\u200cme", "ok"}, line("a zero-width character", "200C")},
		{"zero-width joiner", form{"Ac\u200dme", "ok"}, line("a zero-width character", "200D")},
		{"word joiner", form{"Ac\u2060me", "ok"}, line("a zero-width character", "2060")},
		{"byte order mark", form{"\ufeffAcme", "ok"}, line("a zero-width character", "FEFF")},
		{"soft hyphen", form{"Ac\u00adme", "ok"}, line("an invisible formatting character", "00AD")},
		{"tag character", form{"Acme\U000E0041", "ok"}, line("an invisible formatting character", "E0041")},
		{"decomposed (not NFC)", form{"Zoe\u0308", "ok"}, []apperr.FieldError{{Field: "name", Rule: "singleline", Message: "Send this text in Unicode NFC (composed) form."}}},
		{"text: bell", form{"Acme", "bell\a"}, text("a control character", "0007")},
		{"text: right-to-left override", form{"Acme", "ok \u202e"}, text("a direction-changing character", "202E")},
		{"text: zero-width space", form{"Acme", "o\u200bk"}, text("a zero-width character", "200B")},
		{"text: line separator", form{"Acme", "one\u2028two"}, text("a line or paragraph separator", "2028")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Struct(c.f); !reflect.DeepEqual(got, c.want) {
				t.Fatalf("%+q:\n got %+v\nwant %+v", c.f, got, c.want)
			}
		})
	}
}

// TestName pins the one form names are kept in.
func TestName(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Sam Example", "Sam Example"},
		{"  Sam Example \u00a0", "Sam Example"},
		{"Zoe\u0308", "Zoë"},
		{"Zoë", "Zoë"},
		{"A\u030angstro\u0308m", "Ångström"},
		{"\ufb01 ligature", "\ufb01 ligature"}, // NFC, not NFKC: compatibility characters stay
		{"Sam\n", "Sam\n"},                     // kept for the rule to refuse
		{" Sam\u2028 ", "Sam\u2028"},
		{"\u202eSam", "\u202eSam"},
	}
	for _, c := range cases {
		if got := Name(c.in); got != c.want {
			t.Errorf("Name(%+q) = %+q, want %+q", c.in, got, c.want)
		}
	}
}

// TestNormalize proves that exactly the singleline fields are put in their Name form, in
// nested structs and lists too, and that Struct then accepts what it would refuse before.
func TestNormalize(t *testing.T) {
	type contact struct {
		Name  string `json:"name" validate:"required,max=4,singleline"`
		Email string `json:"email"`
	}
	type form struct {
		Company  string    `json:"company" validate:"required,singleline"`
		Reason   string    `json:"reason" validate:"text"`
		Code     string    `json:"code"`
		Tags     []string  `json:"tags" validate:"dive,singleline"`
		Owner    *contact  `json:"owner"`
		Contacts []contact `json:"contacts" validate:"dive"`
	}
	in := form{Company: " Cafe\u0301 ", Reason: " Cafe\u0301 ", Code: " x ", Tags: []string{" t "},
		Owner: &contact{Name: "Zoe\u0308 ", Email: " A@B.CO "}, Contacts: []contact{{Name: "\tZoe\u0308"}}}
	// Before, the decomposed names are five characters long, over their limit of four.
	tab := apperr.FieldError{Field: "contacts[0].name", Rule: "singleline",
		Message: "Contains a control character (U+0009); use one line of plain text without control, invisible or direction-changing characters."}
	before := []apperr.FieldError{{Field: "company", Rule: "singleline", Message: "Send this text in Unicode NFC (composed) form."},
		{Field: "owner.name", Rule: "max", Message: "Use at most 4 characters; this has 5."},
		{Field: "contacts[0].name", Rule: "max", Message: "Use at most 4 characters; this has 5."}}
	if errs := Struct(in); !reflect.DeepEqual(errs, before) {
		t.Fatalf("before Normalize: %+v", errs)
	}
	Normalize(&in)
	want := form{Company: "Café", Reason: " Cafe\u0301 ", Code: " x ", Tags: []string{" t "},
		Owner: &contact{Name: "Zoë", Email: " A@B.CO "}, Contacts: []contact{{Name: "\tZoë"}}}
	if !reflect.DeepEqual(in, want) {
		t.Fatalf("Normalize:\n got %#v %#v\nwant %#v %#v", in, *in.Owner, want, *want.Owner)
	}
	if errs := Struct(in); !reflect.DeepEqual(errs, []apperr.FieldError{tab}) {
		t.Fatalf("after Normalize: %+v", errs)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("Normalize of a copy did not panic")
		}
	}()
	Normalize(in)
}

// TestNormalizeEmail pins the form email addresses are compared and stored in: the key
// that reserves an address depends on it.
// TestLimitMessages: length and count limits say the limit in words that agree with it,
// how long the text is, and for lists what to choose (from the field's items tag).
func TestLimitMessages(t *testing.T) {
	type form struct {
		Name     string   `json:"name" validate:"max=5"`
		Code     string   `json:"code" validate:"min=1"`
		Long     string   `json:"long" validate:"omitempty,min=3"`
		Services []string `json:"services" items:"service" validate:"required,min=1,max=2"`
		Tags     []string `json:"tags" validate:"omitempty,min=2"`
		Country  string   `json:"country" validate:"omitempty,len=2"`
	}
	cases := []struct {
		name string
		in   form
		want []apperr.FieldError
	}{
		{"too long, counted in characters", form{Name: "Zoë Ltd", Code: "x", Services: []string{"AIS"}},
			[]apperr.FieldError{{Field: "name", Rule: "max", Message: "Use at most 5 characters; this has 7."}}},
		{"one character is singular", form{Services: []string{"AIS"}},
			[]apperr.FieldError{{Field: "code", Rule: "min", Message: "Use at least 1 character."}}},
		{"several characters", form{Code: "x", Long: "ab", Services: []string{"AIS"}},
			[]apperr.FieldError{{Field: "long", Rule: "min", Message: "Use at least 3 characters."}}},
		{"an empty list names what to choose", form{Code: "x", Services: []string{}},
			[]apperr.FieldError{{Field: "services", Rule: "min", Message: "Choose at least one service."}}},
		{"a missing list too", form{Code: "x"},
			[]apperr.FieldError{{Field: "services", Rule: "required", Message: "Choose at least one service."}}},
		{"too many", form{Code: "x", Services: []string{"AIS", "PIS", "PIIS"}},
			[]apperr.FieldError{{Field: "services", Rule: "max", Message: "Choose at most 2 services."}}},
		{"an exact length", form{Code: "x", Services: []string{"AIS"}, Country: "BEL"},
			[]apperr.FieldError{{Field: "country", Rule: "len", Message: "Use exactly 2 characters; this has 3."}}},
		{"a list without a noun", form{Code: "x", Services: []string{"AIS"}, Tags: []string{"a"}},
			[]apperr.FieldError{{Field: "tags", Rule: "min", Message: "Choose at least 2 items."}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Struct(c.in); !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got %+v\nwant %+v", got, c.want)
			}
		})
	}
}

func TestNormalizeEmail(t *testing.T) {
	cases := []struct{ in, want string }{
		{"sam@example.com", "sam@example.com"},
		{"  Sam.Example@Example.COM\t", "sam.example@example.com"},
		{"ZOË@EXAMPLE.COM", "zoë@example.com"},
	}
	for _, c := range cases {
		if got := NormalizeEmail(c.in); got != c.want {
			t.Errorf("NormalizeEmail(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
