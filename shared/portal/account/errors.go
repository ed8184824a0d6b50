package account

import "github.com/bank/devportal/shared/platform/apperr"

// Errors the account rules return; each carries the message the user sees.
var (
	// ErrEmailTaken is what Cognito and the store report for an address that already has
	// an account. Sign-up never answers it: its answer must not tell whether an address has
	// an account, so it mails the address instead.
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
	// ErrLinkInvalid answers a token no link of the kind has.
	ErrLinkInvalid = apperr.New(apperr.NotFound, "LINK_INVALID",
		"This link is not valid. Check that you copied the whole link from the email.")
	// ErrLinkUsed answers a link that was used.
	ErrLinkUsed = apperr.New(apperr.Gone, "LINK_USED",
		"This link has already been used. Each link works once.")
	// ErrLinkExpired answers a link past its lifetime, and one emailed before the user's
	// password last changed: its holder cannot tell the two apart.
	ErrLinkExpired = apperr.New(apperr.Gone, "LINK_EXPIRED",
		"This link has expired. Request a new one.")
	// ErrMFACodeWrong answers a code of the authenticator app that is not right now.
	ErrMFACodeWrong = apperr.Fields(apperr.Field("code", "incorrect", "This code is not correct. Enter the 6 digits your authenticator app shows now."))
	// ErrMFAChallengeEnded answers the code step of a sign-in that has ended: it took too
	// long, or too many wrong codes were entered.
	ErrMFAChallengeEnded = apperr.New(apperr.Unauthorized, "MFA_CHALLENGE_ENDED",
		"This sign-in has ended: it took too long or too many codes were wrong. Sign in again with your password.")
	// ErrMFARequired refuses operations staff who have not proved a code of an
	// authenticator app in this session: they set one up first.
	ErrMFARequired = apperr.New(apperr.Forbidden, "MFA_REQUIRED",
		"Operations staff sign in with a code from an authenticator app. Set up two-step sign-in under My account first.")
	// ErrMFAKeptForOperations refuses to turn two-step sign-in off for operations staff.
	ErrMFAKeptForOperations = apperr.New(apperr.Forbidden, "MFA_REQUIRED_FOR_OPERATIONS",
		"Operations staff must keep two-step sign-in on.")
	// ErrMFANotEnabled answers a request to turn off two-step sign-in that is not on.
	ErrMFANotEnabled = apperr.New(apperr.Conflict, "MFA_NOT_ENABLED",
		"Two-step sign-in is not on for this account.")
)
