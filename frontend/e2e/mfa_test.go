package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/bank/devportal/shared/local/motoserver"
	"github.com/bank/devportal/shared/local/testenv"
)

// newOps is an operations user the suite does not set an authenticator app up for: the
// journey of operations staff led to the set-up at their first sign-in.
var newOps = motoserver.OpsUser{Email: "ops-new@test.example", Password: "Operations#2026", Name: "New Operations"}

// mfaSecrets are the authenticator apps' secrets of the accounts with two-step sign-in,
// by address: signIn answers the code step with them, as the account's owner would.
var mfaSecrets sync.Map

// totp is the code the app of secret shows now, still valid after the browser has typed
// and sent it.
func totp(t *testing.T, secret string) string {
	t.Helper()
	c, err := testenv.TOTPFor(secret, 6*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// enrolThroughAPI signs email in through the portal API and sets up an authenticator app
// for it, as the account page does, computing the app's code from the secret Cognito
// gave (RFC 6238). The suite does it for the operations users its journeys sign in as,
// since operations staff reach nothing without one.
func enrolThroughAPI(base, email, password string) (string, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	u, _ := url.Parse(base + "/api/")
	csrf := func() string {
		for _, ck := range jar.Cookies(u) {
			if ck.Name == "devportal_csrf" {
				return ck.Value
			}
		}
		return ""
	}
	call := func(method, path string, body any, want int) (map[string]any, error) {
		var rd *strings.Reader
		if body == nil {
			rd = strings.NewReader("")
		} else {
			b, _ := json.Marshal(body)
			rd = strings.NewReader(string(b))
		}
		req, _ := http.NewRequest(method, base+path, rd)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", csrf())
		resp, err := c.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		if resp.StatusCode != want {
			return nil, fmt.Errorf("%s %s: %d %v", method, path, resp.StatusCode, out)
		}
		return out, nil
	}
	if _, err := call("GET", "/api/auth/password-policy", nil, 200); err != nil {
		return "", err
	}
	if _, err := call("POST", "/api/auth/login", map[string]any{"email": email, "password": password}, 200); err != nil {
		return "", err
	}
	setup, err := call("POST", "/api/auth/mfa/setup", nil, 200)
	if err != nil {
		return "", err
	}
	secret, _ := setup["secret"].(string)
	code, err := testenv.TOTPFor(secret, 3*time.Second)
	if err != nil {
		return "", err
	}
	if _, err := call("POST", "/api/auth/mfa/verify", map[string]any{"code": code}, 200); err != nil {
		return "", err
	}
	_, err = call("POST", "/api/auth/logout", nil, 204)
	return secret, err
}

// fetchStatus is the status and error code the portal API answers the page's own fetch
// of path with (a GET, with the page's cookies).
func (p *page) fetchStatus(path string) (int, string) {
	p.t.Helper()
	var got struct {
		Status int    `json:"status"`
		Code   string `json:"code"`
	}
	p.do("fetch "+path, chromedp.Evaluate(fmt.Sprintf(`fetch(%s).then(async r => ({status: r.status, code: (await r.json()).code || ""}))`, js(path)), &got,
		func(e *runtime.EvaluateParams) *runtime.EvaluateParams { return e.WithAwaitPromise(true) }))
	return got.Status, got.Code
}

func TestTwoStepSignInJourney(t *testing.T) {
	t.Parallel()
	p := newPage(t)
	u := newUser("mfa")
	p.signUp(u)
	p.activate(u)
	p.signIn(u.email, u.password)
	p.expectAccountPage(u)
	if got := p.text("#mfa-status"); !strings.HasPrefix(got, "Off.") {
		p.fatalf("two-step sign-in before the set-up: %q", got)
	}

	p.click("#mfa-start")
	secret := strings.ReplaceAll(p.text("#mfa-secret"), " ", "")
	var modules bool
	p.do("read the QR code", chromedp.Evaluate(`(document.querySelector("#mfa-qr path")?.getAttribute("d") || "").startsWith("M")`, &modules))
	if !modules {
		p.fatalf("no QR code is drawn")
	}
	wrong, err := testenv.WrongTOTP(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	p.fill("mfa-verify-code", wrong)
	p.submit("mfa-verify")
	p.expectFieldErrors("mfa-verify-code", "This code is not correct. Enter the 6 digits your authenticator app shows now.")
	p.replace("mfa-verify-code", totp(t, secret))
	p.submit("mfa-verify")
	p.waitText("#mfa-status", "On. Signing in needs your password and a code from your authenticator app.", stepTimeout)
	mfaSecrets.Store(u.email, secret)

	p.click("#signout")
	p.waitPath("/login")
	// The password alone is not enough any more: signIn answers the code step.
	p.open("/login")
	p.fill("login-email", u.email)
	p.fill("login-password", u.password)
	p.submit("login")
	p.expectText("#login-code-intro", "Open the authenticator app you set up for this portal and enter the 6-digit code it shows for "+u.email+".")
	p.fill("login-code-code", wrong)
	p.submit("login-code")
	p.expectFieldErrors("login-code-code", "This code is not correct. Enter the 6 digits your authenticator app shows now.")
	p.replace("login-code-code", totp(t, secret))
	p.submit("login-code")
	p.expectAccountPage(u)
	p.expectText("#mfa-status", "On. Signing in needs your password and a code from your authenticator app.")
}

func TestOperationsLedToTwoStepSetUp(t *testing.T) {
	t.Parallel()
	p := newPage(t)
	p.signIn(newOps.Email, newOps.Password)
	p.waitPath("/account")
	p.text("#mfa-required")
	p.expectAbsent("#account-form")
	// The inbox does not open: the page goes back to the set-up and the API refuses.
	p.open("/ops")
	p.waitPath("/account")
	if status, code := p.fetchStatus("/api/ops/requests"); status != 403 || code != "MFA_REQUIRED" {
		p.fatalf("the inbox's API before the set-up answered %d %s, want 403 MFA_REQUIRED", status, code)
	}

	p.click("#mfa-start")
	secret := strings.ReplaceAll(p.text("#mfa-secret"), " ", "")
	p.fill("mfa-verify-code", totp(t, secret))
	p.submit("mfa-verify")
	p.waitText("#mfa-status", "On. Signing in needs your password and a code from your authenticator app.", stepTimeout)
	p.expectText("#mfa-kept", "Operations staff keep two-step sign-in on.")
	mfaSecrets.Store(newOps.Email, secret)
	p.open("/ops")
	p.waitPath("/ops")
	p.expectText("main h1", "Requests")
	if status, _ := p.fetchStatus("/api/ops/requests"); status != 200 {
		p.fatalf("the inbox's API after the set-up answered %d", status)
	}
}
