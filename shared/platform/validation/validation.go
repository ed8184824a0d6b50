// Package validation checks request structs by their `validate` tags and reports each
// failure by JSON field name and rule, with a message a person can act on. It also holds
// the one form names and email addresses are kept in (Normalize, Name, NormalizeEmail),
// next to the rules that check them.
package validation

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/go-playground/validator/v10"
	"golang.org/x/text/unicode/norm"

	"github.com/bank/devportal/shared/platform/apperr"
)

var validate = newValidator()

func newValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	// Free text ends up in emails, certificates and the operations console: no control
	// characters, no bidirectional controls and no invisible characters, which can make a
	// name read differently than it is, or two names look alike that are not.
	_ = v.RegisterValidation("singleline", func(fl validator.FieldLevel) bool { return singleLineProblem(fl.Field().String()) == "" })
	_ = v.RegisterValidation("text", func(fl validator.FieldLevel) bool { return textProblem(fl.Field().String()) == "" })
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			return ""
		}
		return name
	})
	return v
}

// Struct checks v's `validate` tags and returns every failure by JSON field name. A
// struct the validator cannot read is a programming error and panics.
func Struct(v any) []apperr.FieldError {
	err := validate.Struct(v)
	if err == nil {
		return nil
	}
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		panic(fmt.Sprintf("validation: %T: %v", v, err))
	}
	fields := make([]apperr.FieldError, 0, len(verrs))
	for _, fe := range verrs {
		fields = append(fields, apperr.Field(fieldPath(fe.Namespace()), fe.Tag(), ruleMessage(fe, itemNoun(v, fe))))
	}
	return fields
}

// fieldPath drops the struct name validator puts first: "SignUp.email" → "email".
func fieldPath(namespace string) string {
	if _, rest, ok := strings.Cut(namespace, "."); ok {
		return rest
	}
	return namespace
}

// itemNoun is what a list field of v holds, in words, from its `items` tag ("service"),
// for the messages of its rules; "item" when the field is not a top-level list or has
// no such tag.
func itemNoun(v any, fe validator.FieldError) string {
	t := reflect.TypeOf(v)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct || strings.Count(fe.StructNamespace(), ".") != 1 {
		return "item"
	}
	if f, ok := t.FieldByName(fe.StructField()); ok && f.Tag.Get("items") != "" {
		return f.Tag.Get("items")
	}
	return "item"
}

// Count is n and noun, plural-aware: "1 character", "12 characters". The noun must
// take an "s" in the plural (character, service, letter, digit).
func Count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func isList(k reflect.Kind) bool {
	return k == reflect.Slice || k == reflect.Array || k == reflect.Map
}

func ruleMessage(fe validator.FieldError, item string) string {
	limit, _ := strconv.Atoi(fe.Param())
	list := isList(fe.Kind())
	switch fe.Tag() {
	case "required":
		if list {
			return "Choose at least one " + item + "."
		}
		return "This field is required."
	case "email":
		return "Enter a valid email address."
	case "max":
		if list {
			return fmt.Sprintf("Choose at most %s.", Count(limit, item))
		}
		// Saying how long the text is tells the user how much to cut, and that nothing
		// was cut for them.
		return fmt.Sprintf("Use at most %s; this has %d.", Count(limit, "character"), utf8.RuneCountInString(fmt.Sprint(fe.Value())))
	case "min":
		if list {
			if limit == 1 {
				return "Choose at least one " + item + "."
			}
			return fmt.Sprintf("Choose at least %s.", Count(limit, item))
		}
		return fmt.Sprintf("Use at least %s.", Count(limit, "character"))
	case "len":
		if list {
			return fmt.Sprintf("Choose exactly %s.", Count(limit, item))
		}
		return fmt.Sprintf("Use exactly %s; this has %d.", Count(limit, "character"), utf8.RuneCountInString(fmt.Sprint(fe.Value())))
	case "eq":
		if fe.Kind() == reflect.Bool {
			return "This must be accepted."
		}
		return fmt.Sprintf("Must be %s.", fe.Param())
	case "eqfield":
		return "Does not match."
	case "oneof":
		return fmt.Sprintf("Must be one of: %s.", fe.Param())
	case "singleline":
		return singleLineProblem(fmt.Sprint(fe.Value()))
	case "text":
		return textProblem(fmt.Sprint(fe.Value()))
	case "alphanum":
		return "Use letters and digits only."
	default:
		return fmt.Sprintf("Breaks the rule %q.", fe.Tag())
	}
}

// singleLineProblem says why s breaks the singleline rule, or "" when it keeps it.
func singleLineProblem(s string) string {
	if r, what := refusedRune(s, false); what != "" {
		return fmt.Sprintf("Contains %s (U+%04X); use one line of plain text without control, invisible or direction-changing characters.", what, r)
	}
	// Reached only when a caller validates without Normalize first: refusing keeps
	// decomposed text out of storage even then.
	if !norm.NFC.IsNormalString(s) {
		return "Send this text in Unicode NFC (composed) form."
	}
	return ""
}

// textProblem says why s breaks the text rule (free text over several lines), or "" when
// it keeps it.
func textProblem(s string) string {
	if r, what := refusedRune(s, true); what != "" {
		return fmt.Sprintf("Contains %s (U+%04X); use plain text without control, invisible or direction-changing characters.", what, r)
	}
	return ""
}

// refusedRune finds the first character of s that plain text may not hold and says what
// it is; newlines and tabs are allowed when multiline.
func refusedRune(s string, multiline bool) (rune, string) {
	for _, r := range s {
		if what := refused(r, multiline); what != "" {
			return r, what
		}
	}
	return 0, ""
}

// refused says what r is when plain text may not hold it, or "".
func refused(r rune, multiline bool) string {
	switch {
	case multiline && (r == '\n' || r == '\r' || r == '\t'):
		return ""
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0x200E, r == 0x200F, r == 0x061C:
		return "a direction-changing character"
	case r >= 0x200B && r <= 0x200D, r == 0x2060, r == 0xFEFF:
		return "a zero-width character"
	case r == 0x2028, r == 0x2029:
		return "a line or paragraph separator"
	case r == '\n', r == '\r':
		return "a line break"
	case unicode.IsControl(r):
		return "a control character"
	case unicode.Is(unicode.Cf, r):
		// The rest of Unicode's format characters (soft hyphen, tag characters, invisible
		// operators, ...) are invisible too.
		return "an invisible formatting character"
	}
	return ""
}
