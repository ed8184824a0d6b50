package account

import "github.com/bank/devportal/shared/platform/apperr"

// Errors the account rules return; each carries the message the user sees.
var (
	ErrEmailTaken = &apperr.Error{Kind: apperr.Conflict, Code: "EMAIL_TAKEN",
		Message: "An account with this email already exists. Sign in, or reset your password if you forgot it.",
		Fields:  []apperr.FieldError{apperr.Field("email", "unique", "This email is already registered.")}}
	ErrNotActivated = apperr.New(apperr.Forbidden, "NOT_ACTIVATED",
		"Your account is not activated yet. Open the activation link we emailed you, or ask for a new one.")
	ErrBadCredentials = apperr.New(apperr.Unauthorized, "BAD_CREDENTIALS",
		"The email or password is not correct.")
	ErrPasswordExpired = apperr.New(apperr.Forbidden, "PASSWORD_EXPIRED",
		"Your password has expired. Use \"Forgot password?\" to set a new one.")
	ErrUnauthenticated = apperr.New(apperr.Unauthorized, "UNAUTHENTICATED",
		"You are not signed in, or your session has ended. Sign in again.")
)
