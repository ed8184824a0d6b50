package account

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bank/devportal/shared/platform/apperr"
)

// fieldsOf returns an error's field errors as "field:rule", or the error itself.
func fieldsOf(err error) string {
	var ae *apperr.Error
	if !errors.As(err, &ae) || len(ae.Fields) == 0 {
		return fmt.Sprint(err)
	}
	out := ""
	for _, f := range ae.Fields {
		out += f.Field + ":" + f.Rule + " "
	}
	return out
}

// TestActivationNeedsThePassword: an activation link alone activates nothing (a mail
// scanner that opens it, or anyone who holds it, cannot); a refused form leaves the account
// pending and the link usable.
func TestActivationNeedsThePassword(t *testing.T) {
	cases := []struct {
		name string
		req  ActivateRequest
		want string
	}{
		{"the link alone", ActivateRequest{}, "password:required "},
		{"a wrong password", ActivateRequest{Password: stolen}, "password:incorrect "},
		{"both the password and a new one", ActivateRequest{Password: first, NewPassword: second, NewPasswordConfirmation: second, AcceptTerms: true}, "newPassword:exclusive "},
		{"a new password that breaks the policy", ActivateRequest{NewPassword: "short", NewPasswordConfirmation: "short", AcceptTerms: true}, "newPassword:minLength newPassword:minUpper newPassword:minDigits newPassword:minSpecial "},
		{"a new password not confirmed", ActivateRequest{NewPassword: second, NewPasswordConfirmation: third, AcceptTerms: true}, "newPasswordConfirmation:match "},
		{"a new password that is the sign-up's", ActivateRequest{NewPassword: first, NewPasswordConfirmation: first, AcceptTerms: true}, "newPassword:history "},
		{"a new password without accepting the terms", ActivateRequest{NewPassword: second, NewPasswordConfirmation: second}, "acceptTerms:accepted "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newLinkWorld(t)
			token := w.mail.lastToken(subjectActivation)
			c.req.Token = token
			if _, err := w.svc.Activate(context.Background(), c.req); fieldsOf(err) != c.want {
				t.Fatalf("Activate: %s, want %s", fieldsOf(err), c.want)
			}
			if s := w.profile().Status; s != StatusPending {
				t.Fatalf("status %s after a refused activation", s)
			}
			if got := w.idp.passwords[w.email]; got != first {
				t.Fatalf("password = %q, want the sign-up's", got)
			}
			r, err := w.svc.Activate(context.Background(), ActivateRequest{Token: token, Password: first})
			if err != nil || r.Message != msgActivated || r.Status != StatusActive {
				t.Fatalf("the link after a refused activation: %+v, %v", r, err)
			}
		})
	}
}

// TestPreAccountTakeover: someone signs up with another person's address and a password
// of their own. The address's owner signs up too and is answered as any new account is;
// with the link from their mailbox they cannot activate the account with their own
// password, but can with a new one; then the stranger's password signs nobody in, every
// link emailed before is dead, and the organization code the stranger chose is not joined.
func TestPreAccountTakeover(t *testing.T) {
	w := newLinkWorld(t) // the stranger signed up as ann@example.com with "first"
	ctx := context.Background()
	if _, err := w.store.UpdateProfile(ctx, w.profile().UserID, func(p *Profile) error { p.OrganizationCode = "ABCDEFGH23"; return nil }); err != nil {
		t.Fatal(err)
	}
	strangersLink := w.mail.lastToken(subjectActivation)

	// The owner signs up with their own password: the answer is a new account's, and the
	// mail says the address already has an account waiting and how to take it.
	w.clock = w.clock.Add(2 * linkMailPause)
	r, err := w.svc.SignUp(ctx, SignUpRequest{FullName: "Ann", Email: w.email, Password: second, PasswordConfirmation: second, AcceptTerms: true})
	if want := (SignUpResponse{Email: w.email, Status: StatusPending, Message: w.svc.signUpMessage()}); err != nil || r != want {
		t.Fatalf("the owner's sign-up: %+v, %v; want %+v", r, err, want)
	}
	if m := w.mail.sent[len(w.mail.sent)-1]; m.Subject != subjectActivation || !strings.Contains(m.Text, msgActivationAgain) {
		t.Fatalf("the owner's mail: %+v", m)
	}
	ownersLink := w.mail.lastToken(subjectActivation)
	if ownersLink == strangersLink {
		t.Fatal("no new activation link")
	}
	if _, err := w.svc.Activate(ctx, ActivateRequest{Token: ownersLink, Password: second}); fieldsOf(err) != "password:incorrect " {
		t.Fatalf("the owner's own password: %s", fieldsOf(err))
	}
	takenAt := w.clock.Add(time.Minute)
	w.clock = takenAt
	a, err := w.svc.Activate(ctx, ActivateRequest{Token: ownersLink, NewPassword: second, NewPasswordConfirmation: second, AcceptTerms: true})
	if err != nil {
		t.Fatal(err)
	}
	want := ActivateResponse{Email: w.email, Status: StatusActive, Message: msgActivatedNewPassword + msgCodeNotUsed}
	if a != want {
		t.Fatalf("activation = %+v\nwant %+v", a, want)
	}
	if _, err := w.svc.Login(ctx, LoginRequest{Email: w.email, Password: first}); err != ErrBadCredentials {
		t.Fatalf("the stranger's password: %v, want %v", err, ErrBadCredentials)
	}
	if _, err := w.svc.Login(ctx, LoginRequest{Email: w.email, Password: second}); err != nil {
		t.Fatalf("the owner's password: %v", err)
	}
	if _, err := w.svc.Activate(ctx, ActivateRequest{Token: strangersLink, Password: first}); err != ErrLinkExpired {
		t.Fatalf("the first activation link: %v, want %v", err, ErrLinkExpired)
	}
	if p := w.profile(); p.CredentialVersion != 1 || p.OrganizationCode != "" || p.Status != StatusActive || !p.TermsAcceptedAt.Equal(takenAt) {
		t.Fatalf("profile: credential version %d, organization code %q, status %s, terms accepted %v; want 1, none, %s, %v",
			p.CredentialVersion, p.OrganizationCode, p.Status, p.TermsAcceptedAt, StatusActive, takenAt)
	}
	for _, m := range w.mail.sent {
		if m.Subject == "Your developer portal password was changed" {
			t.Fatal("a password-changed notice for the password just chosen at activation")
		}
	}
}
