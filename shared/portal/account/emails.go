package account

import (
	"fmt"
	"html"
	"time"
)

// emailLayout wraps a message in the portal's plain HTML frame.
// An empty name (an address without an account) greets with "Hello,".
func emailLayout(name, intro, actionURL, action, outro string) (text, htmlBody string) {
	greeting := "Hello"
	if name != "" {
		greeting += " " + name
	}
	text = fmt.Sprintf("%s,\n\n%s\n\n%s: %s\n\n%s\n\nOpen Banking Developer Portal", greeting, intro, action, actionURL, outro)
	htmlBody = fmt.Sprintf(`<p>%s,</p><p>%s</p><p><a href="%s">%s</a></p><p>%s</p><p>Open Banking Developer Portal</p>`,
		html.EscapeString(greeting), html.EscapeString(intro), html.EscapeString(actionURL), html.EscapeString(action), html.EscapeString(outro))
	return text, htmlBody
}

// lifetime words how long a link lasts in the largest unit that says it exactly: "1 hour",
// "72 hours", "30 minutes" (the lifetimes are configurable, so "0 hours" must not happen).
func lifetime(d time.Duration) string {
	count := func(n int64, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	switch {
	case d%time.Hour == 0:
		return count(int64(d/time.Hour), "hour")
	case d%time.Minute == 0:
		return count(int64(d/time.Minute), "minute")
	}
	return count(int64(d.Round(time.Second)/time.Second), "second")
}

// Intros of the activation email: after a sign-up, and when the address already had an
// account waiting for activation (someone, perhaps its owner, signed up again).
const (
	msgActivationNew   = "Thank you for signing up to the Open Banking Developer Portal. Activate your account to sign in: the page asks for the password you chose, or lets you choose a new one."
	msgActivationAgain = "Someone, perhaps you, asked to sign up or to activate an account with this address. It already has an account waiting for activation. Activate it with the password chosen at sign-up, or choose a new password on the activation page if you do not know that one: a new password replaces it."
)

func activationMail(to, name, intro, url string, ttl time.Duration) Mail {
	text, body := emailLayout(name, intro, url, "Activate account",
		"This link works once and expires in "+lifetime(ttl)+". If you did not sign up, ignore this email: without the link nobody can activate the account.")
	return Mail{To: to, Subject: "Activate your developer portal account", Text: text, HTML: body}
}

// accountExistsMail answers a sign-up or activation request for an address whose account
// is active: its owner learns of it, and nobody else learns anything.
func accountExistsMail(to, name, loginURL, forgotURL string) Mail {
	text, body := emailLayout(name,
		"Someone, perhaps you, asked to sign up or to activate an account with this address. You already have an active developer portal account with it, so nothing was created or changed.",
		loginURL, "Sign in",
		"Forgot your password? Reset it at "+forgotURL+". If you did not ask, you can ignore this email.")
	return Mail{To: to, Subject: "You already have a developer portal account", Text: text, HTML: body}
}

// noAccountMail answers a request for a link (what) to an address that has no account.
func noAccountMail(to, what, signUpURL string) Mail {
	text, body := emailLayout("",
		"Someone, perhaps you, asked for "+what+" for this address, but no developer portal account uses it.",
		signUpURL, "Sign up",
		"If you have an account under another address, ask with that one. If you did not ask, you can ignore this email.")
	return Mail{To: to, Subject: "No developer portal account uses this address", Text: text, HTML: body}
}

func resetMail(to, name, url string, ttl time.Duration) Mail {
	text, body := emailLayout(name,
		"Someone asked to reset the password of your developer portal account.",
		url, "Choose a new password",
		"This link works once. It expires in "+lifetime(ttl)+", or as soon as your password is changed. If you did not ask for it, ignore this email: your password stays as it is.")
	return Mail{To: to, Subject: "Reset your developer portal password", Text: text, HTML: body}
}

func passwordChangedMail(to, name, url string) Mail {
	text, body := emailLayout(name,
		"The password of your developer portal account was just changed.",
		url, "Sign in",
		"If you did not change it, reset your password now and contact the bank's developer support.")
	return Mail{To: to, Subject: "Your developer portal password was changed", Text: text, HTML: body}
}

func expiryWarningMail(to, name, url string, days int, expires time.Time) Mail {
	text, body := emailLayout(name,
		fmt.Sprintf("Your developer portal password expires in %s, on %s. Change it before then to keep signing in.", dayCount(days), expires.Format("2 January 2006")),
		url, "Change password",
		"You can turn these reminders off under My account, communication preferences.")
	return Mail{To: to, Subject: fmt.Sprintf("Your developer portal password expires in %s", dayCount(days)), Text: text, HTML: body}
}

// dayCount is "1 day" or "n days".
func dayCount(n int) string {
	if n == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}

// mfaDisabledMail tells the owner that two-step sign-in was turned off, a change an
// attacker holding the password would want.
func mfaResetMail(to, name, url string) Mail {
	text, body := emailLayout(name,
		"The bank's operations team turned two-step sign-in off for your developer portal account, as asked when your authenticator app was lost. You were signed out everywhere: sign in with your password, then set up two-step sign-in again with your new app.",
		url, "My account",
		"If you did not ask for this, change your password now and contact the bank's developer support.")
	return Mail{To: to, Subject: "Two-step sign-in was reset by the bank", Text: text, HTML: body}
}

func mfaDisabledMail(to, name, url string) Mail {
	text, body := emailLayout(name,
		"Two-step sign-in was just turned off for your developer portal account: signing in now needs only your password.",
		url, "My account",
		"If you did not turn it off, change your password now, turn two-step sign-in on again and contact the bank's developer support.")
	return Mail{To: to, Subject: "Two-step sign-in was turned off", Text: text, HTML: body}
}
