package bankpages

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/bank/devportal/shared/tpp/oauth"
)

// The bank keeps its state (the pending request it serves and the customer signed in) in
// an HMAC-signed cookie rather than in the TPP table. Every page then reads nothing but
// the bank's customers, and nothing needs cleaning up; what a signed cookie cannot do by
// itself, the authorization server does: a pending request is decided once (TakePending
// removes it), so a replayed cookie cannot decide twice, and it lives no longer than the
// pending request (oauth.PendingLifespan). The cookie is signed, not encrypted: it holds
// nothing the customer may not see (the app, its scopes, the customer's own ID).

// CookieName is the bank's session cookie; it is not the portal's. A browser holds one
// request at a time: a second authorization started in the same browser takes the cookie
// over, and the first one's forms are then refused for their CSRF token, never decided for
// the wrong request.
const CookieName = "sandbox_bank_session"

// cookieGrace keeps the cookie past its session's end, so that a customer who comes back
// late is told the request expired rather than that nothing is in progress.
const cookieGrace = time.Hour

// session is what the cookie holds: the app's pending request the browser came with, or
// none for a customer who came to the bank directly (to see their consents).
type session struct {
	Pending oauth.Pending `json:"pending"`
	OrgName string        `json:"orgName"`
	// CustomerID, Login and Name are the customer signed in, empty before.
	CustomerID string `json:"customerId,omitempty"`
	Login      string `json:"login,omitempty"`
	Name       string `json:"name,omitempty"`
	// TimedOut is set once the customer chose to decide slowly and the request was let
	// time out.
	TimedOut bool `json:"timedOut,omitempty"`
	// Revoked is the consent ("<kind>:<id>") the customer just revoked, which the list of
	// their consents confirms once: the bank's own word, not a link's.
	Revoked string `json:"revoked,omitempty"`
	// SCA is the authorisation (sca.Ref) of the bank's redirect page the browser came
	// with, "" for none; SCAApp names its app, SCARedirect and SCANok are where the page
	// sends the customer after their decision.
	SCA         string `json:"sca,omitempty"`
	SCAApp      string `json:"scaApp,omitempty"`
	SCARedirect string `json:"scaRedirect,omitempty"`
	SCANok      string `json:"scaNok,omitempty"`
	// Next is where a customer who came directly goes once signed in ("" for their
	// consents): the bank's app, for one who opened it.
	Next string `json:"next,omitempty"`
	// Nonce binds the CSRF token to this session; it changes when a customer signs in.
	Nonce   string `json:"nonce"`
	Expires int64  `json:"expires"`
}

// Reasons a request carries no usable session.
var (
	errNoSession      = errors.New("bankpages: no session cookie, or one not signed by this bank")
	errSessionExpired = errors.New("bankpages: the session ended with its pending request")
)

// keys are the bank's HMAC keys, derived from its one secret so that a CSRF token can
// never stand in for a cookie's signature.
type keys struct{ cookie, csrf []byte }

func deriveKeys(secret []byte) keys {
	derive := func(label string) []byte {
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(label))
		return m.Sum(nil)
	}
	return keys{cookie: derive("sandbox-bank cookie"), csrf: derive("sandbox-bank csrf")}
}

func mac(key []byte, parts ...string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(strings.Join(parts, "\x00")))
	return m.Sum(nil)
}

func newNonce() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// encode is the cookie value: the session's JSON and its signature, each base64url.
func (k keys) encode(s session) string {
	b, _ := json.Marshal(s)
	body := base64.RawURLEncoding.EncodeToString(b)
	return body + "." + base64.RawURLEncoding.EncodeToString(mac(k.cookie, body))
}

// decode verifies a cookie value and returns its session: errNoSession when it is not
// one this bank signed, errSessionExpired (with the session) when its time is over.
func (k keys) decode(value string, now time.Time) (session, error) {
	var s session
	body, sig, ok := strings.Cut(value, ".")
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if !ok || err != nil || !hmac.Equal(got, mac(k.cookie, body)) {
		return s, errNoSession
	}
	b, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil || json.Unmarshal(b, &s) != nil || s.Nonce == "" {
		return session{}, errNoSession
	}
	if !now.Before(time.Unix(s.Expires, 0)) {
		return s, errSessionExpired
	}
	return s, nil
}

// direct says whether the session is of a customer who came to the bank directly, with no
// app's request (an authorisation's redirect page is no OAuth2 request either).
func (s session) direct() bool { return s.Pending.ID == "" }

// csrfToken is the token every form of the session carries: bound to its pending request
// and its nonce, so a token of another browser, request or sign-in is refused.
func (k keys) csrfToken(s session) string {
	return base64.RawURLEncoding.EncodeToString(mac(k.csrf, s.Pending.ID, s.Nonce))
}

func (k keys) checkCSRF(s session, token string) bool {
	got, err := base64.RawURLEncoding.DecodeString(token)
	return err == nil && token != "" && hmac.Equal(got, mac(k.csrf, s.Pending.ID, s.Nonce))
}

// setCookie writes the session. The cookie is HttpOnly (no script reads it, and the
// pages run none), SameSite=Lax (a top-level navigation from the app carries it; another
// site's form post does not) and limited to the bank's pages.
func (p *Pages) setCookie(w http.ResponseWriter, s session) {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: p.keys.encode(s), Path: CookiePath, HttpOnly: true, Secure: p.opts.Secure,
		SameSite: http.SameSiteLaxMode, MaxAge: int(s.Expires - p.now().Unix() + int64(cookieGrace/time.Second))})
}

// clearCookie ends the session once its request is decided.
func (p *Pages) clearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: CookiePath, HttpOnly: true, Secure: p.opts.Secure,
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// readSession is the request's session.
func (p *Pages) readSession(r *http.Request) (session, error) {
	c, err := r.Cookie(CookieName)
	if err != nil {
		return session{}, errNoSession
	}
	return p.keys.decode(c.Value, p.now())
}
