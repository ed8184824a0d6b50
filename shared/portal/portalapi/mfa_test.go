package portalapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bank/devportal/shared/local/testenv"
)

// code is the authenticator app's code of secret now.
func code(t *testing.T, secret string) string {
	t.Helper()
	c, err := testenv.TOTPFor(secret, 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// wrongCode is a code the app of secret does not show now.
func wrongCode(t *testing.T, secret string) string {
	t.Helper()
	c, err := testenv.WrongTOTP(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// setUpMFA sets up an authenticator app for the signed-in user of c and returns its secret.
func (h *harness) setUpMFA(c *http.Client, email string) string {
	h.t.Helper()
	r := h.call(c, "POST", "/api/auth/mfa/setup", nil).expect(h.t, 200, "")
	secret, _ := r.body["secret"].(string)
	if secret == "" {
		h.t.Fatalf("set-up without a secret: %s", r.raw)
	}
	h.call(c, "POST", "/api/auth/mfa/verify", map[string]any{"code": code(h.t, secret)}).expect(h.t, 200, "")
	h.secrets[email] = secret
	return secret
}

// signIn signs email in as a person with their authenticator app does: the password,
// then the code when the account has two-step sign-in; operations staff without an app
// set one up first, as the portal leads them to.
func (h *harness) signIn(email, password string) *http.Client {
	h.t.Helper()
	c := h.newClient()
	r := h.call(c, "POST", "/api/auth/login", map[string]any{"email": email, "password": password})
	switch r.status {
	case 202:
		secret := h.secrets[email]
		if secret == "" {
			h.t.Fatalf("%s needs a code but the test set up no app for it", email)
		}
		h.call(c, "POST", "/api/auth/login/mfa", map[string]any{"email": email, "challenge": r.body["challenge"], "code": code(h.t, secret)}).expect(h.t, 200, "")
	case 200:
		if r.body["account"].(map[string]any)["mfaSetupRequired"] == true {
			h.setUpMFA(c, email)
		}
	default:
		h.t.Fatalf("sign-in of %s: %d %s", email, r.status, r.raw)
	}
	return c
}

func TestTwoStepSignIn(t *testing.T) {
	h := newHarness(t)
	email := "mfa-" + testenv.Suffix() + "@example.com"
	c := h.activeUser(email)
	if r := h.call(c, "GET", "/api/account", nil).expect(t, 200, ""); r.body["mfaEnabled"] != false || r.body["mfaSetupRequired"] != false {
		t.Fatalf("account before set-up: %s", r.raw)
	}

	setup := h.call(c, "POST", "/api/auth/mfa/setup", nil).expect(t, 200, "")
	secret := setup.body["secret"].(string)
	wantURI := "otpauth://totp/Open%20Banking%20Developer%20Portal:" + url.PathEscape(email) + "?algorithm=SHA1&digits=6&issuer=Open+Banking+Developer+Portal&period=30&secret=" + url.QueryEscape(secret)
	if setup.body["otpauthUri"] != wantURI || setup.body["issuer"] != "Open Banking Developer Portal" || setup.body["account"] != email {
		t.Fatalf("set-up = %s\nwant URI %s", setup.raw, wantURI)
	}
	for _, bad := range []struct{ code, field string }{{wrongCode(t, secret), "[code:incorrect]"}, {"12ab56", "[code:numeric]"}, {"", "[code:required]"}} {
		if r := h.call(c, "POST", "/api/auth/mfa/verify", map[string]any{"code": bad.code}).expect(t, 400, "VALIDATION_FAILED"); fmt.Sprint(r.fields()) != bad.field {
			t.Errorf("verify %q: %s, want %s", bad.code, r.raw, bad.field)
		}
	}
	if r := h.call(c, "GET", "/api/account", nil).expect(t, 200, ""); r.body["mfaEnabled"] != false {
		t.Fatalf("wrong codes turned two-step sign-in on: %s", r.raw)
	}
	if r := h.call(c, "POST", "/api/auth/mfa/verify", map[string]any{"code": code(t, secret)}).expect(t, 200, ""); r.body["mfaEnabled"] != true {
		t.Fatalf("verify: %s", r.raw)
	}
	h.call(c, "POST", "/api/auth/mfa/setup", nil).expect(t, 409, "MFA_ALREADY_ENABLED")
	h.call(c, "POST", "/api/auth/logout", nil).expect(t, 204, "")

	// The password alone starts no session: the answer is a challenge for the code.
	b := h.newClient()
	first := h.call(b, "POST", "/api/auth/login", map[string]any{"email": email, "password": strong}).expect(t, 202, "")
	challenge, _ := first.body["challenge"].(string)
	if challenge == "" || strings.Contains(first.raw, "account") {
		t.Fatalf("sign-in with two-step: %s", first.raw)
	}
	h.call(b, "GET", "/api/account", nil).expect(t, 401, "UNAUTHENTICATED")
	for _, bad := range []struct {
		name   string
		body   map[string]any
		status int
		code   string
	}{
		{"wrong code", map[string]any{"email": email, "challenge": challenge, "code": wrongCode(t, secret)}, 400, "VALIDATION_FAILED"},
		{"another address", map[string]any{"email": "other-" + email, "challenge": challenge, "code": code(t, secret)}, 401, "MFA_CHALLENGE_ENDED"},
		{"damaged challenge", map[string]any{"email": email, "challenge": "x" + challenge[1:], "code": code(t, secret)}, 401, "MFA_CHALLENGE_ENDED"},
	} {
		r := h.call(b, "POST", "/api/auth/login/mfa", bad.body).expect(t, bad.status, bad.code)
		if bad.status == 400 && fmt.Sprint(r.fields()) != "[code:incorrect]" {
			t.Errorf("%s: %s", bad.name, r.raw)
		}
	}
	h.call(b, "GET", "/api/account", nil).expect(t, 401, "UNAUTHENTICATED")
	done := h.call(b, "POST", "/api/auth/login/mfa", map[string]any{"email": email, "challenge": challenge, "code": code(t, secret)}).expect(t, 200, "")
	if acc := done.body["account"].(map[string]any); acc["email"] != email || acc["mfaEnabled"] != true {
		t.Fatalf("signed in with the code: %s", done.raw)
	}

	// Changing the password needs the code too, asked before anything changes.
	next := "An0ther!Passw0rd"
	change := map[string]any{"currentPassword": strong, "newPassword": next, "newPasswordConfirmation": next}
	if r := h.call(b, "POST", "/api/account/password", change).expect(t, 400, "VALIDATION_FAILED"); fmt.Sprint(r.fields()) != "[code:required]" {
		t.Fatalf("change without a code: %s", r.raw)
	}
	change["code"] = code(t, secret)
	h.call(b, "POST", "/api/account/password", change).expect(t, 200, "")
	h.call(b, "GET", "/api/account", nil).expect(t, 200, "")

	// Turning it off needs the password confirmed in the last minutes.
	h.api.Accounts.Now = func() time.Time { return time.Now().UTC().Add(h.cfg.FreshAuthWindow + time.Minute) }
	h.call(b, "DELETE", "/api/auth/mfa", nil).expect(t, 403, "REAUTHENTICATION_REQUIRED")
	h.call(b, "POST", "/api/auth/confirm-password", map[string]any{"password": next}).expect(t, 200, "")
	if r := h.call(b, "DELETE", "/api/auth/mfa", nil).expect(t, 200, ""); r.body["mfaEnabled"] != false {
		t.Fatalf("disable: %s", r.raw)
	}
	if got := h.lastMail(email, "Two-step sign-in was turned off"); !strings.Contains(got, "signing in now needs only your password") {
		t.Fatalf("notice: %q", got)
	}
	h.call(h.newClient(), "POST", "/api/auth/login", map[string]any{"email": email, "password": next}).expect(t, 200, "")

	var events []string
	for _, raw := range strings.Split(h.logs.String(), "\n") {
		if strings.Contains(raw, secret) {
			t.Errorf("a log line holds the secret: %s", raw)
		}
		var l struct{ Msg, SecurityEvent, Outcome, Email, ActorEmail string }
		if json.Unmarshal([]byte(raw), &l) != nil || l.Msg != "security event" || (l.Email != email && l.ActorEmail != email) ||
			!strings.Contains(l.SecurityEvent, "mfa") && l.SecurityEvent != "sign-in" {
			continue
		}
		events = append(events, l.SecurityEvent+":"+l.Outcome)
	}
	want := []string{"sign-in:success", "mfa-enrolment-start:success", "mfa-enrolment:failure", "mfa-enrolment:failure", "mfa-enrolment:failure",
		"mfa-enrolment:success", "mfa-enrolment-start:failure", "sign-in:code-needed",
		"sign-in-mfa:failure", "sign-in-mfa:failure", "sign-in-mfa:success", // the try for another address names that one
		"mfa-disable:success", "sign-in:success"} // the refusal for want of a fresh password is the middleware's (logged as a refusal)
	if fmt.Sprint(events) != fmt.Sprint(want) {
		t.Errorf("security events:\n got %v\nwant %v", events, want)
	}
}

func TestOperationsNeedTwoStepSignIn(t *testing.T) {
	h := newHarness(t)
	c := h.newClient()
	r := h.call(c, "POST", "/api/auth/login", map[string]any{"email": testenv.Ops.Email, "password": testenv.Ops.Password}).expect(t, 200, "")
	if acc := r.body["account"].(map[string]any); acc["operations"] != true || acc["mfaSetupRequired"] != true || acc["mfaEnabled"] != false {
		t.Fatalf("ops sign-in without an app: %s", r.raw)
	}
	// Until the app is set up only the account and the set-up answer.
	for _, path := range []string{"/api/ops/requests", "/api/ops/organizations", "/api/ops/audit", "/api/organizations"} {
		h.call(c, "GET", path, nil).expect(t, 403, "MFA_REQUIRED")
	}
	if r := h.call(c, "GET", "/api/account", nil).expect(t, 200, ""); r.body["mfaSetupRequired"] != true {
		t.Fatalf("account: %s", r.raw)
	}
	h.setUpMFA(c, testenv.Ops.Email)
	if r := h.call(c, "GET", "/api/account", nil).expect(t, 200, ""); r.body["mfaSetupRequired"] != false || r.body["mfaEnabled"] != true {
		t.Fatalf("account after set-up: %s", r.raw)
	}
	h.call(c, "GET", "/api/ops/requests", nil).expect(t, 200, "")
	// Operations staff keep it, even with the password just confirmed.
	h.call(c, "POST", "/api/auth/confirm-password", map[string]any{"password": testenv.Ops.Password}).expect(t, 200, "")
	h.call(c, "DELETE", "/api/auth/mfa", nil).expect(t, 403, "MFA_REQUIRED_FOR_OPERATIONS")

	// The next sign-in asks for the code, and its session reaches the operations pages.
	d := h.signIn(testenv.Ops.Email, testenv.Ops.Password)
	h.call(d, "GET", "/api/ops/requests", nil).expect(t, 200, "")
}

// TestOperationsResetMFA: a member who lost their authenticator app is let back in by
// operations, with the password confirmed moments ago, never for themselves: the app is
// off at Cognito, every session of the member ended, the member told, the trail names who.
func TestOperationsResetMFA(t *testing.T) {
	h := newHarness(t)
	clock := time.Now().UTC()
	h.api.Accounts.Now = func() time.Time { return clock }
	owner := h.person("owner")
	orgID, code := h.activeOrg(owner.client)
	dev := h.person("lost-app")
	h.call(dev.client, "POST", "/api/organizations/join", map[string]any{"code": code}).expect(t, 200, "")
	h.setUpMFA(dev.client, dev.email)
	other := h.signIn(dev.email, strong) // a second device of the member, signed in with the code
	base := "/api/ops/organizations/" + orgID + "/members/"

	ops := h.ops()
	opsID := h.call(ops, "GET", "/api/account", nil).expect(t, 200, "").body["userId"].(string)
	clock = clock.Add(10*time.Minute + time.Second) // the sign-in's password is no longer fresh
	h.call(ops, "POST", base+dev.id+"/mfa-reset", nil).expect(t, 403, "REAUTHENTICATION_REQUIRED")
	h.call(owner.client, "POST", base+dev.id+"/mfa-reset", nil).expect(t, 403, "FORBIDDEN")
	h.call(ops, "POST", "/api/auth/confirm-password", map[string]any{"password": testenv.Ops.Password}).expect(t, 200, "")
	r := h.call(ops, "POST", base+opsID+"/mfa-reset", nil).expect(t, 403, "OWN_MFA_RESET")
	if r.errorBody() != `{"code":"OWN_MFA_RESET","message":"You cannot reset your own two-step sign-in: ask another member of the operations team."}` {
		t.Fatalf("own reset: %s", r.raw)
	}
	h.call(ops, "POST", base+"no-such-user/mfa-reset", nil).expect(t, 404, "NOT_FOUND")
	// The refusals changed nothing: the member still signs in with the code.
	if r := h.call(h.newClient(), "POST", "/api/auth/login", map[string]any{"email": dev.email, "password": strong}); r.status != 202 {
		t.Fatalf("sign-in before the reset: %d %s", r.status, r.raw)
	}

	r = h.call(ops, "POST", base+dev.id+"/mfa-reset", nil).expect(t, 200, "")
	if r.body["userId"] != dev.id || r.body["email"] != dev.email {
		t.Fatalf("reset = %s", r.raw)
	}
	for _, c := range []*http.Client{dev.client, other} {
		h.call(c, "GET", "/api/account", nil).expect(t, 401, "UNAUTHENTICATED")
	}
	c := h.newClient()
	r = h.call(c, "POST", "/api/auth/login", map[string]any{"email": dev.email, "password": strong}).expect(t, 200, "")
	if acc := r.body["account"].(map[string]any); acc["mfaEnabled"] != false {
		t.Fatalf("sign-in after the reset: %s", r.raw)
	}
	if n := h.mailCount(dev.email, "Two-step sign-in was reset by the bank"); n != 1 {
		t.Fatalf("reset emails = %d", n)
	}
	if body := h.lastMail(dev.email, "reset by the bank"); !strings.Contains(body, "operations team turned two-step sign-in off") {
		t.Fatalf("reset email: %s", body)
	}
	r = h.call(owner.client, "GET", "/api/organizations/"+orgID+"/audit", nil).expect(t, 200, "")
	first := r.body["entries"].([]any)[0].(map[string]any)
	if first["action"] != "member.mfa_reset" || first["actor"] != testenv.Ops.Email || first["actorId"] != opsID ||
		fmt.Sprint(first["details"]) != fmt.Sprintf("map[email:%s userId:%s]", dev.email, dev.id) {
		t.Fatalf("audit entry = %v", first)
	}
}
