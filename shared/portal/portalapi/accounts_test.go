package portalapi_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bank/devportal/shared/local/testenv"
)

// TestPublicFormsAnswerAlikeOverHTTP: resend activation, forgot password and sign-up (last,
// since it creates the account) give an address without an account, one waiting for
// activation and an active one the same status and body (sign-up repeats the address it
// was given), and the address's owner an email saying which it is.
func TestPublicFormsAnswerAlikeOverHTTP(t *testing.T) {
	h := newHarness(t)
	suffix := testenv.Suffix()
	nobody, pending, active := "nobody-"+suffix+"@example.com", "pending-"+suffix+"@example.com", "active-"+suffix+"@example.com"
	h.call(nil, "POST", "/api/auth/signup", signUpBody(pending)).expect(t, 201, "")
	h.activeUser(active)

	cases := []struct {
		form, path string
		body       func(email string) map[string]any
		status     int
		mails      map[string]string // the subject of the email each address gets
	}{
		{"resend activation", "/api/auth/activation/resend", func(email string) map[string]any { return map[string]any{"email": email} },
			202, map[string]string{nobody: "No developer portal account uses this address", pending: "Activate your developer portal account", active: "You already have a developer portal account"}},
		{"forgot password", "/api/auth/password/forgot", func(email string) map[string]any { return map[string]any{"email": email} },
			202, map[string]string{nobody: "No developer portal account uses this address", pending: "Reset your developer portal password", active: "Reset your developer portal password"}},
		{"sign-up", "/api/auth/signup", func(email string) map[string]any {
			b := signUpBody(email)
			b["password"], b["passwordConfirmation"] = "Other!Passw0rd", "Other!Passw0rd"
			return b
		}, 201, map[string]string{nobody: "Activate your developer portal account", pending: "Activate your developer portal account", active: "You already have a developer portal account"}},
	}
	for i, c := range cases {
		t.Run(c.form, func(t *testing.T) {
			// Past the pause of the mails sent so far.
			later := h.api.Accounts.Now().Add(time.Duration(2*(i+1)) * time.Minute)
			h.api.Accounts.Now = func() time.Time { return later }
			var first string
			for _, email := range []string{nobody, pending, active} {
				r := h.call(nil, "POST", c.path, c.body(email)).expect(t, c.status, "")
				body := strings.ReplaceAll(r.raw, email, "ADDRESS")
				if first == "" {
					first = body
				} else if body != first {
					t.Fatalf("%s answers %s\nwant %s", email, body, first)
				}
				if got := h.mails()[0]; !strings.HasPrefix(got, email+"|"+c.mails[email]+"|") {
					t.Fatalf("%s: newest email %.120q, want %q", email, got, c.mails[email])
				}
			}
		})
	}
}

// TestActivationOverHTTP: the activation link's page posts the password chosen at sign-up
// or a new one; the link alone (a GET, or a POST without a password, as a mail scanner
// would send) activates nothing. Someone who signed up with another person's address loses
// the account to that address's owner, who chooses a new password.
func TestActivationOverHTTP(t *testing.T) {
	h := newHarness(t)
	victim := "victim-" + testenv.Suffix() + "@example.com"
	const strangers, owners = "Str4nger!Passw0rd", "0wner!Passw0rd"
	signUp := func(password string) string {
		b := signUpBody(victim)
		b["password"], b["passwordConfirmation"] = password, password
		return h.call(nil, "POST", "/api/auth/signup", b).expect(t, 201, "").raw
	}
	first := signUp(strangers)
	strangersLink := h.lastLink(victim, "Activate")
	later := h.api.Accounts.Now().Add(time.Duration(2) * time.Minute)
	h.api.Accounts.Now = func() time.Time { return later }
	if again := signUp(owners); again != first {
		t.Fatalf("the owner's sign-up = %s, want %s", again, first)
	}
	link := h.lastLink(victim, "Activate")
	if link == strangersLink {
		t.Fatal("the owner's sign-up mailed no new activation link")
	}

	if r := h.call(nil, "GET", "/api/auth/activate?token="+link, nil); r.status == 200 {
		t.Fatalf("GET activated: %s", r.raw)
	}
	refusals := []struct {
		name   string
		body   map[string]any
		fields string
	}{
		{"the link alone", map[string]any{"token": link}, "[password:required]"},
		{"the owner's own password", map[string]any{"token": link, "password": owners}, "[password:incorrect]"},
		{"a new password not confirmed", map[string]any{"token": link, "newPassword": owners, "newPasswordConfirmation": "0ther!Passw0rd", "acceptTerms": true}, "[newPasswordConfirmation:match]"},
		{"a new password without the terms", map[string]any{"token": link, "newPassword": owners, "newPasswordConfirmation": owners}, "[acceptTerms:accepted]"},
	}
	for _, c := range refusals {
		r := h.call(nil, "POST", "/api/auth/activate", c.body).expect(t, 400, "VALIDATION_FAILED")
		if got := fmt.Sprint(r.fields()); got != c.fields {
			t.Fatalf("%s: fields %s, want %s", c.name, got, c.fields)
		}
	}
	h.call(nil, "POST", "/api/auth/login", map[string]any{"email": victim, "password": strangers}).expect(t, 403, "NOT_ACTIVATED")

	r := h.call(nil, "POST", "/api/auth/activate", map[string]any{"token": link, "newPassword": owners, "newPasswordConfirmation": owners, "acceptTerms": true}).expect(t, 200, "")
	if want := `{"email":"` + victim + `","status":"ACTIVE","message":"Your account is active with the password you just chose. You can sign in now."}` + "\n"; r.raw != want {
		t.Fatalf("activation = %s, want %s", r.raw, want)
	}
	h.call(nil, "POST", "/api/auth/login", map[string]any{"email": victim, "password": strangers}).expect(t, 401, "BAD_CREDENTIALS")
	h.call(nil, "POST", "/api/auth/activate", map[string]any{"token": strangersLink, "password": strangers}).expect(t, 410, "LINK_EXPIRED")
	h.call(h.newClient(), "POST", "/api/auth/login", map[string]any{"email": victim, "password": owners}).expect(t, 200, "")
}
