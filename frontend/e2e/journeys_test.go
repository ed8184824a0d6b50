package e2e

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/platform/awsclient"
	"github.com/bank/devportal/shared/portal/account"
	"github.com/bank/devportal/shared/portal/store"
)

// What the pages must show, copied from the Go source (shared/portal/account, shared/portal/store,
// shared/platform/apperr) and the SPA (frontend/src/pages), so a changed wording fails here.
const (
	msgValidation      = "Some fields need your attention."
	msgBadCredentials  = "The email or password is not correct."
	msgNotActivated    = "Your account is not activated yet. Open the activation link we emailed you, or ask for a new one."
	msgNoMatch         = "The passwords do not match."
	msgTerms           = "Accept the terms and conditions to create an account."
	msgTermsActivation = "Accept the terms and conditions to activate the account with a new password."
	msgLinkUsed        = "This link has already been used. Each link works once."
	msgLinkExpired     = "This link has expired. Request a new one."
	msgActivated       = "Your account is active. You can sign in now."
	msgActivatedNew    = "Your account is active with the password you just chose. You can sign in now."
	msgWrongSignUpPwd  = "This is not the password chosen when the account was signed up. Enter it exactly, or choose a new password."
	msgForgot          = "If an account with this email exists, we sent a link to reset its password. It is valid for 1 hour."
	msgReset           = "Your password has been changed. Sign in with your new password."
	msgPasswordChange  = "Your password has been changed. It is valid for 730 days."
	msgSignedOut       = "You are signed out."

	subjectActivation = "Activate your developer portal account"
	subjectReset      = "Reset your developer portal password"
	subjectChanged    = "Your developer portal password was changed"
)

// Strong passwords: each meets the default policy (12+ characters, upper, lower, digit,
// special, no character more than 3 times in a row) and differs from the others.
const (
	passwordFirst  = "Sandbox#Key2026"
	passwordSecond = "Changed!Pass42x"
	passwordThird  = "Another$Secret9"
)

type user struct {
	name, email, password string
}

// newUser returns a user with an email no other test (or earlier run) uses.
func newUser(label string) user {
	return user{name: "Ada Lovelace", email: "e2e-" + label + "-" + testenv.Suffix() + "@example.com", password: passwordFirst}
}

// fillSignup opens /signup and fills the form; the caller submits.
func (p *page) fillSignup(u user, confirmation string, acceptTerms bool) {
	p.t.Helper()
	p.open("/signup")
	p.fill("signup-fullName", u.name)
	p.fill("signup-email", u.email)
	p.fill("signup-password", u.password)
	p.fill("signup-passwordConfirmation", confirmation)
	if acceptTerms {
		p.check("signup-acceptTerms")
	}
}

// signUp creates the account through the sign-up form.
func (p *page) signUp(u user) {
	p.t.Helper()
	p.fillSignup(u, u.password, true)
	p.submit("signup")
	p.expectText("#signup-success h1", "Check your email")
	p.expectText("#signup-success strong", u.email)
}

// activate opens the activation email of u in the dev mailbox, clicks its link and
// activates with u's password.
func (p *page) activate(u user) mail {
	p.t.Helper()
	m := p.findMail(u.email, subjectActivation)
	p.click(m.sel)
	p.confirmActivation(u.password)
	p.expectText("#activate-success strong", msgActivated)
	return m
}

// confirmActivation sends the password on an opened activation page, after checking that
// opening it activated nothing.
func (p *page) confirmActivation(password string) {
	p.t.Helper()
	p.waitPath("/activate")
	p.text("#activation-form") // waits until the form shows
	p.expectAbsent("#activate-success")
	p.fill("activation-password", password)
	p.submit("activation")
}

// signIn fills and submits the sign-in form on /login.
func (p *page) signIn(email, password string) {
	p.t.Helper()
	p.open("/login")
	p.fill("login-email", email)
	p.fill("login-password", password)
	p.submit("login")
	// An account with two-step sign-in is asked for its authenticator app's code next.
	if secret, ok := mfaSecrets.Load(email); ok {
		p.fill("login-code-code", totp(p.t, secret.(string)))
		p.submit("login-code")
	}
}

// expectAccountPage asserts the signed-in account page of u.
func (p *page) expectAccountPage(u user) {
	p.t.Helper()
	p.waitPath("/account")
	p.expectText("#account-email", u.email)
	p.expectText("#account-name", u.name)
	// A password set moments ago is far from expiry (730 days; warnings from 14 days).
	p.expectAbsent("#password-expiry-warning")
}

func TestHappyPath(t *testing.T) {
	t.Parallel()
	p := newPage(t)
	u := newUser("happy")

	p.signUp(u)
	p.activate(u)

	p.signIn(u.email, u.password)
	p.expectAccountPage(u)
	p.expectText("#account-status", "Active")

	// Change the password from the account page.
	p.click(`#account-passwordExpires a[href="/account/password"]`)
	p.waitPath("/account/password")
	p.fill("password-currentPassword", u.password)
	p.fill("password-newPassword", passwordSecond)
	p.fill("password-newPasswordConfirmation", passwordSecond)
	p.submit("password")
	p.expectText("#change-password-success p", msgPasswordChange)

	p.click("#signout")
	p.waitPath("/login")
	p.expectText("#signed-out-notice", msgSignedOut)

	// The old password no longer works, the new one does.
	p.fill("login-email", u.email)
	p.fill("login-password", u.password)
	p.submit("login")
	p.expectText("#login-error .alert-message", msgBadCredentials)
	p.replace("login-password", passwordSecond)
	p.submit("login")
	p.expectAccountPage(u)

	// The change was announced by email, with a link to sign in.
	notice := p.findMail(u.email, subjectChanged)
	if want := p.base + "/login"; notice.link != want {
		t.Errorf("the password-changed email links to %q, want %q", notice.link, want)
	}
}

func TestSignupErrors(t *testing.T) {
	t.Parallel()
	// Each password breaks exactly one rule of the default policy.
	weak := []struct{ rule, password, message string }{
		{"minLength", "Ab1!efgh", "Use at least 12 characters."},
		{"minUpper", "abcdefgh1!xy", "Use at least 1 upper-case letter (A–Z)."},
		{"minLower", "ABCDEFGH1!XY", "Use at least 1 lower-case letter (a–z)."},
		{"minDigits", "Abcdefgh!xyz", "Use at least 1 digit (0–9)."},
		{"minSpecial", "Abcdefgh1xyz", "Use at least 1 special character, such as ! @ # $ % & *."},
		{"maxRepeated", "Aaaaa1!bcdef", "Do not repeat the same character more than 3 times in a row."},
	}
	for _, tc := range weak {
		t.Run("weak password/"+tc.rule, func(t *testing.T) {
			t.Parallel()
			p := newPage(t)
			u := newUser("weak")
			u.password = tc.password
			p.fillSignup(u, tc.password, true)
			p.submit("signup")
			p.expectFieldErrors("signup-password", tc.message)
			p.expectText("#signup-error .alert-message", msgValidation)
			p.expectAbsent("#signup-passwordConfirmation-error")
			p.expectAbsent("#signup-success")
		})
	}

	t.Run("mismatched confirmation", func(t *testing.T) {
		t.Parallel()
		p := newPage(t)
		u := newUser("mismatch")
		p.fillSignup(u, passwordSecond, true)
		p.submit("signup")
		p.expectFieldErrors("signup-passwordConfirmation", msgNoMatch)
		p.expectText("#signup-error .alert-message", msgValidation)
		p.expectAbsent("#signup-password-error")
		p.expectAbsent("#signup-success")
	})

	t.Run("terms not accepted", func(t *testing.T) {
		t.Parallel()
		p := newPage(t)
		u := newUser("terms")
		p.fillSignup(u, u.password, false)
		p.submit("signup")
		p.expectFieldErrors("signup-acceptTerms", msgTerms)
		p.expectText("#signup-error .alert-message", msgValidation)
		p.expectAbsent("#signup-password-error")
		p.expectAbsent("#signup-success")
	})

	t.Run("address with an account: the same answer as a new one", func(t *testing.T) {
		t.Parallel()
		p := newPage(t)
		u := newUser("duplicate")
		p.signUp(u)
		first := p.text("#signup-success")
		again := u
		again.name = "Grace Hopper"
		again.password = passwordSecond
		p.fillSignup(again, again.password, true)
		p.submit("signup")
		p.expectText("#signup-success", first)
		p.expectAbsent("#signup-error")
	})
}

func TestLoginErrors(t *testing.T) {
	t.Parallel()
	t.Run("before activation", func(t *testing.T) {
		t.Parallel()
		p := newPage(t)
		u := newUser("pending")
		p.signUp(u)
		p.signIn(u.email, u.password)
		p.expectText("#login-error .alert-message", msgNotActivated)
		p.expectText(`#login-error a[href="/activation/resend"]`, "Resend the activation email")
		p.expectAbsent("#signout")
	})

	t.Run("wrong password", func(t *testing.T) {
		t.Parallel()
		p := newPage(t)
		u := newUser("wrongpw")
		p.signUp(u)
		p.activate(u)
		p.signIn(u.email, passwordSecond)
		p.expectText("#login-error .alert-message", msgBadCredentials)
		p.expectAbsent("#login-password-error")
		p.expectAbsent("#signout")
	})
}

func TestActivationLinks(t *testing.T) {
	t.Parallel()
	t.Run("reused", func(t *testing.T) {
		t.Parallel()
		p := newPage(t)
		u := newUser("reused")
		p.signUp(u)
		m := p.activate(u)
		p.openURL(m.link)
		p.confirmActivation(u.password)
		p.expectText("#activate-error strong", msgLinkUsed)
		p.expectAbsent("#activate-success")
	})

	t.Run("expired", func(t *testing.T) {
		t.Parallel()
		p := newPage(t)
		u := newUser("expired")
		p.signUp(u)
		m := p.findMail(u.email, subjectActivation)
		expireLink(t, tokenOf(t, m.link))
		p.click(m.sel)
		p.confirmActivation(u.password)
		p.expectText("#activate-error strong", msgLinkExpired)
		p.expectAbsent("#activate-success")
	})

	// Someone signs up with another person's address and a password of their own. The
	// address's owner signs up and is answered as anyone is; the activation link in their
	// mailbox does not take their own password, but lets them choose a new one, after which
	// the stranger's password signs nobody in.
	t.Run("someone else signed up with the address", func(t *testing.T) {
		t.Parallel()
		p := newPage(t)
		stranger := newUser("taken")
		stranger.password = passwordThird
		p.signUp(stranger)
		owner := stranger
		owner.password = passwordFirst
		p.signUp(owner)

		m := p.findMail(owner.email, subjectActivation)
		p.click(m.sel)
		p.confirmActivation(owner.password)
		p.expectFieldErrors("activation-password", msgWrongSignUpPwd)
		p.expectAbsent("#activate-success")
		p.click("#activation-toggle")
		p.fill("activation-newPassword", passwordSecond)
		p.fill("activation-newPasswordConfirmation", passwordSecond)
		p.submit("activation")
		p.expectFieldErrors("activation-acceptTerms", msgTermsActivation)
		p.check("activation-acceptTerms")
		p.submit("activation")
		p.expectText("#activate-success strong", msgActivatedNew)

		p.signIn(owner.email, stranger.password)
		p.expectText("#login-error .alert-message", msgBadCredentials)
		owner.password = passwordSecond
		p.signIn(owner.email, owner.password)
		p.expectAccountPage(owner)
	})
}

func TestForgotPassword(t *testing.T) {
	t.Parallel()
	p := newPage(t)
	u := newUser("forgot")
	p.signUp(u)
	p.activate(u)

	p.open("/login")
	p.click(`#login-form a[href="/forgot-password"]`)
	p.waitPath("/forgot-password")
	p.fill("forgot-email", u.email)
	p.submit("forgot")
	p.expectText("#forgot-success p", msgForgot)

	m := p.findMail(u.email, subjectReset)
	p.click(m.sel)
	p.waitPath("/reset-password")
	p.fill("reset-password", passwordSecond)
	p.fill("reset-passwordConfirmation", passwordSecond)
	p.submit("reset")
	p.expectText("#reset-success p", msgReset)

	p.click(`#reset-success a[href="/login"]`)
	p.waitPath("/login")
	p.fill("login-email", u.email)
	p.fill("login-password", passwordSecond)
	p.submit("login")
	u.password = passwordSecond
	p.expectAccountPage(u)

	// The reset link works once.
	p.openURL(m.link)
	p.fill("reset-password", passwordThird)
	p.fill("reset-passwordConfirmation", passwordThird)
	p.submit("reset")
	p.expectText("#reset-error .alert-message", msgLinkUsed)
	p.expectAbsent("#reset-success")
}

// expireLink moves the expiry of the emailed link with this token into the past, in the
// portal table, the way time passing would.
func expireLink(t *testing.T, token string) {
	t.Helper()
	stack := env(t)
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	cfg, err := awsclient.Load(ctx, stack.Config)
	if err != nil {
		t.Fatal(err)
	}
	key := store.LinkKey(account.HashToken(token))
	past := time.Now().Add(-time.Hour).Unix()
	_, err = dynamodb.NewFromConfig(cfg).UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(stack.Config.PortalTable),
		Key: map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: key.PK},
			"SK": &types.AttributeValueMemberS{Value: key.SK},
		},
		UpdateExpression:          aws.String("SET expiresEpoch = :past"),
		ConditionExpression:       aws.String("attribute_exists(PK)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":past": &types.AttributeValueMemberN{Value: strconv.FormatInt(past, 10)}},
	})
	if err != nil {
		t.Fatalf("expire the activation link %s in %s: %v", key.PK, stack.Config.PortalTable, err)
	}
}
