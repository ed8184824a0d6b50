// Package validation checks request structs by their `validate` tags and reports each
// failure by JSON field name and rule, with a message a person can act on.
package validation

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"unicode"

	"github.com/go-playground/validator/v10"

	"github.com/bank/devportal/shared/platform/apperr"
)

var validate = newValidator()

func newValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	// Free text ends up in emails and the operations console: no control characters and no
	// bidirectional overrides, which can make a name read differently than it is.
	_ = v.RegisterValidation("singleline", func(fl validator.FieldLevel) bool { return plainText(fl.Field().String(), false) })
	_ = v.RegisterValidation("text", func(fl validator.FieldLevel) bool { return plainText(fl.Field().String(), true) })
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
		fields = append(fields, apperr.Field(fieldPath(fe.Namespace()), fe.Tag(), ruleMessage(fe)))
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

func ruleMessage(fe validator.FieldError) string {
	switch fe.Tag() {
	case "required":
		return "This field is required."
	case "email":
		return "Enter a valid email address."
	case "max":
		return fmt.Sprintf("Use at most %s characters.", fe.Param())
	case "min":
		return fmt.Sprintf("Use at least %s characters.", fe.Param())
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
		return "Use one line of plain text, without control or direction-changing characters."
	case "text":
		return "Use plain text, without control or direction-changing characters."
	case "alphanum":
		return "Use letters and digits only."
	default:
		return fmt.Sprintf("Breaks the rule %q.", fe.Tag())
	}
}

// plainText reports whether s has no control characters (but newlines and tabs when
// multiline) and no Unicode bidirectional controls.
func plainText(s string, multiline bool) bool {
	for _, r := range s {
		switch {
		case multiline && (r == '\n' || r == '\r' || r == '\t'):
		case unicode.IsControl(r):
			return false
		case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0x200E, r == 0x200F, r == 0x061C:
			return false
		}
	}
	return true
}
