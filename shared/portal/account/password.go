package account

import (
	"crypto/subtle"
	"fmt"
	"strings"
	"unicode"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/platform/validation"
)

// specialChars are the characters Cognito counts as symbols; using its set keeps our
// check and Cognito's from disagreeing.
const specialChars = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- "

// MaxPasswordLength bounds passwords, which Cognito takes up to 256 characters; a
// passphrase longer than 64 adds nothing a policy can check.
const MaxPasswordLength = 64

// CheckPassword returns one field error per policy rule the password breaks.
func CheckPassword(field, password string, p config.PasswordPolicy) []apperr.FieldError {
	var upper, lower, digits, special, other int
	for _, r := range password {
		switch {
		case unicode.IsUpper(r) && r < unicode.MaxASCII:
			upper++
		case unicode.IsLower(r) && r < unicode.MaxASCII:
			lower++
		case unicode.IsDigit(r) && r < unicode.MaxASCII:
			digits++
		case strings.ContainsRune(specialChars, r):
			special++
		default:
			other++
		}
	}
	var errs []apperr.FieldError
	add := func(rule, msg string, args ...any) {
		errs = append(errs, apperr.Field(field, rule, fmt.Sprintf(msg, args...)))
	}
	if n := len([]rune(password)); n < p.MinLength {
		add("minLength", "Use at least %s.", validation.Count(p.MinLength, "character"))
	} else if n > MaxPasswordLength {
		add("maxLength", "Use at most %s.", validation.Count(MaxPasswordLength, "character"))
	}
	if upper < p.MinUpper {
		add("minUpper", "Use at least %s (A–Z).", validation.Count(p.MinUpper, "upper-case letter"))
	}
	if lower < p.MinLower {
		add("minLower", "Use at least %s (a–z).", validation.Count(p.MinLower, "lower-case letter"))
	}
	if digits < p.MinDigits {
		add("minDigits", "Use at least %s (0–9).", validation.Count(p.MinDigits, "digit"))
	}
	if special < p.MinSpecial {
		add("minSpecial", "Use at least %s, such as ! @ # $ %% & *.", validation.Count(p.MinSpecial, "special character"))
	}
	if p.MaxRepeated > 0 && longestRun(password) > p.MaxRepeated {
		add("maxRepeated", "Do not repeat the same character more than %s in a row.", times(p.MaxRepeated))
	}
	if other > 0 {
		add("characters", "Use letters A–Z, digits and the special characters %s only.", strings.TrimSpace(specialChars))
	}
	return errs
}

// times is "once", "twice" or "n times".
func times(n int) string {
	switch n {
	case 1:
		return "once"
	case 2:
		return "twice"
	}
	return fmt.Sprintf("%d times", n)
}

func longestRun(s string) int {
	best, run := 0, 0
	var prev rune = -1
	for _, r := range s {
		if r == prev {
			run++
		} else {
			run = 1
		}
		prev = r
		best = max(best, run)
	}
	return best
}

// inHistory reports whether the history keeps h, comparing in constant time.
func inHistory(h string, kept []string) bool {
	found := 0
	for _, k := range kept {
		found |= subtle.ConstantTimeCompare([]byte(h), []byte(k))
	}
	return found == 1
}
