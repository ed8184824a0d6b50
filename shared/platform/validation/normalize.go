package validation

import (
	"fmt"
	"reflect"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Where input is normalised: in the domain service, by Normalize, right before it calls
// Struct, and nowhere else (httpapi.Decode does the same for a body no service checks).
// The service is the one path to storage (the HTTP handlers, the
// approval workflow and the tests all go through it), so normalising there means the rule
// checks exactly what is stored, the length limits count the characters that are stored,
// and nothing is normalised twice. The JSON decoder does not normalise: it only reads, and
// a service called without it must hold the same rule. As a safety net the singleline
// rule refuses text that is not in NFC, so a service that forgot Normalize fails loudly
// instead of storing decomposed names.

// Name is the one form a name (of a person, organization, app or credential: any field
// with the singleline rule) is validated and stored in: Unicode NFC, so that "é" typed
// as one character or as "e" and a combining accent is the same name, without the spaces
// around it. Only spaces are trimmed: a line break or control character at either end is
// kept, for the rule to refuse rather than to be quietly dropped.
func Name(s string) string {
	return strings.TrimFunc(norm.NFC.String(s), func(r rune) bool { return unicode.IsSpace(r) && refused(r, false) == "" })
}

// Normalize puts every string field of the struct v points to whose `validate` tag holds
// the singleline rule into its Name form, in nested structs and lists too. Services call
// it right before Struct (see above). v must be a pointer: a copy would be normalised in
// vain, so anything else panics, as a programming error.
func Normalize(v any) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		panic(fmt.Sprintf("validation: Normalize needs a non-nil pointer, not %T", v))
	}
	normalize(rv.Elem())
}

func normalize(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			normalize(v.Elem())
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			normalize(v.Index(i))
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f, fv := t.Field(i), v.Field(i)
			if !fv.CanSet() {
				continue
			}
			if fv.Kind() == reflect.String && hasRule(f.Tag.Get("validate"), "singleline") {
				fv.SetString(Name(fv.String()))
				continue
			}
			normalize(fv)
		}
	}
}

// hasRule reports whether a `validate` tag applies rule to the field itself (not, after
// "dive", to its elements).
func hasRule(tag, rule string) bool {
	for r := range strings.SplitSeq(tag, ",") {
		if r == "dive" {
			return false
		}
		if r == rule {
			return true
		}
	}
	return false
}

// NormalizeEmail is the one form an email address is compared, looked up and stored in:
// without surrounding spaces, in lower case. Profiles, the key that reserves an address
// (store.EmailKey), invitations and onboarding contacts all use it; changing it changes
// stored keys, and existing items would no longer be found.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }
