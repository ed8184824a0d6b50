// Package portalapi is the portal API: one http.Handler per route of the route table, each
// wrapped with the same request ID, logging, session and CSRF middleware. A Lambda main
// serves one of them; the local dev server serves all of them.
package portalapi

import (
	"context"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/platform/httpapi"
	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/portal/account"
	"github.com/bank/devportal/shared/portal/approval"
	"github.com/bank/devportal/shared/portal/apps"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/portal/registration"
	"github.com/bank/devportal/shared/portal/routes"
	"github.com/bank/devportal/shared/trust/sandboxca"
)

// Cookie and header names of the browser session.
const (
	SessionCookie = "devportal_session"
	CSRFCookie    = "devportal_csrf"
	CSRFHeader    = "X-CSRF-Token"
)

// Check is one dependency the health endpoint reports.
type Check struct {
	Name string
	Ping func(ctx context.Context) error
}

// Mailbox lists the emails sent so far (moto's SES store); local mode only.
type Mailbox interface {
	Messages(ctx context.Context) ([]SentMail, error)
}

// API holds what the handlers need.
type API struct {
	Accounts  *account.Service
	Orgs      *org.Service
	Apps      *apps.Service
	Approvals *approval.Service
	// Registration is the registration API's rules (the TPP's software registering
	// through the API alone).
	Registration *registration.Service
	// SandboxCA issues test certificates; nil where the deployment has none.
	SandboxCA *sandboxca.CA
	Checks    []Check
	// Support is the API support contact the help page shows.
	Support SupportInfo
	// Mailbox backs the local dev mail route; nil outside local mode.
	Mailbox Mailbox
	// Jobs are the scheduled functions by name; the local stack can run them on demand.
	Jobs  map[string]func(ctx context.Context) (any, error)
	Local bool
	Log   *slog.Logger
}

type sessionKey struct{}

// freshKey holds whether the session's user entered their password in the last minutes.
type freshKey struct{}

func sessionFrom(ctx context.Context) account.Session {
	s, _ := ctx.Value(sessionKey{}).(account.Session)
	return s
}

// Handler returns the complete handler of one route.
//
// Its AWS calls are checked against the route's needs (route.WithNeeds), so a handler that
// calls what its route does not declare fails wherever every part is built.
func (a *API) Handler(rt route.Route) http.Handler {
	ep, ok := a.endpoints()[rt.Name]
	if !ok {
		panic("portal: no endpoint for route " + rt.Name)
	}
	needs, scope := rt.AllNeeds(), rt.Scope()
	h := http.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = r.WithContext(account.WithClientAddress(route.WithScope(route.WithNeeds(r.Context(), needs), scope), clientAddress(r)))
		if rt.Auth != route.ClientCertificate {
			ensureCSRFCookie(w, r)
		}
		if rt.Auth == route.LocalOnly && !a.Local {
			httpapi.WriteError(w, r, apperr.New(apperr.NotFound, "NOT_FOUND", "This endpoint exists only in the local stack."))
			return
		}
		// A route on the TPP origin has no cookies to protect: its credential is the
		// client certificate, which a JSON body keeps other sites from using.
		check := checkCSRF
		if rt.Auth == route.ClientCertificate {
			check = func(r *http.Request) error {
				if r.Method != http.MethodPost && r.Method != http.MethodPut && r.Method != http.MethodPatch {
					return nil // no body to read
				}
				return httpapi.RequireJSON(r)
			}
		}
		if err := check(r); err != nil {
			httpapi.WriteError(w, r, err)
			return
		}
		if rt.Auth == route.Session || rt.Auth == route.Operations {
			// The page's periodic keep-alive is not the user's activity.
			sess, err := a.Accounts.Authenticate(r.Context(), cookieValue(r, SessionCookie), rt.Name != "auth-refresh")
			if err != nil {
				if errors.Is(err, account.ErrUnauthenticated) {
					clearSession(w, r)
				}
				httpapi.WriteError(w, r, err)
				return
			}
			if unsafeMethod(r.Method) && !equal(r.Header.Get(CSRFHeader), sess.CSRFToken) {
				httpapi.WriteError(w, r, errCSRF)
				return
			}
			// A browser that dropped the CSRF cookie (it restarted) but kept the session gets
			// the session's token back on its next read, instead of being stuck.
			if cookieValue(r, CSRFCookie) != sess.CSRFToken {
				setCSRFCookie(w, r, sess.CSRFToken, sess.ExpiresAt)
			}
			if rt.Auth == route.Operations && !slices.Contains(sess.Groups, a.Accounts.OpsGroup()) {
				httpapi.WriteError(w, r, apperr.New(apperr.Forbidden, "FORBIDDEN", "This page is for the bank's operations staff."))
				return
			}
			// Operations staff without a proven code reach only the set-up of their
			// authenticator app (and their account, refresh and sign-out).
			if a.Accounts.MFARequired(sess) && (rt.Auth == route.Operations || !mfaSetupRoutes[rt.Name]) {
				httpapi.WriteError(w, r, account.ErrMFARequired)
				return
			}
			fresh := a.Accounts.Fresh(sess)
			if rt.Fresh && !fresh {
				httpapi.WriteError(w, r, org.ErrNotFresh)
				return
			}
			r = r.WithContext(context.WithValue(context.WithValue(r.Context(), sessionKey{}, sess), freshKey{}, fresh))
		}
		if rt.Tag == registrationTag {
			a.serveSigned(ep, w, r)
			return
		}
		event, watched := securityEvents[rt.Name]
		if !watched {
			ep.handle(a, w, r)
			return
		}
		if rt.Name == "auth-login" || rt.Name == "auth-login-mfa" {
			r = r.WithContext(context.WithValue(r.Context(), signInEmailKey{}, new(string)))
		}
		rec := &httpapi.StatusRecorder{ResponseWriter: w}
		ep.handle(a, rec, r)
		logSecurityEvent(r, event, rec.Status())
	}))
	log := a.Log
	if log == nil {
		log = slog.Default()
	}
	// A mux of this one route parses the path parameters ({orgId}), which a Lambda
	// function serving the route alone would otherwise not see.
	one := http.NewServeMux()
	one.Handle(rt.Pattern(), h)
	return httpapi.WithRequest(rt.Name, log, one)
}

// Mount registers every route of the portal's origin on mux (local-only ones only in
// local mode); MountOnTPP registers those of the TPP API's origin.
func (a *API) Mount(mux *http.ServeMux) {
	for _, rt := range routes.Portal {
		if rt.Auth == route.LocalOnly && !a.Local || rt.Auth == route.ClientCertificate {
			continue
		}
		mux.Handle(rt.Pattern(), a.Handler(rt))
	}
}

// MountOnTPP registers on mux the portal's routes served on the TPP API's mutual-TLS
// origin (route.ClientCertificate).
func (a *API) MountOnTPP(mux *http.ServeMux) {
	for _, rt := range routes.Portal {
		if rt.Auth == route.ClientCertificate {
			mux.Handle(rt.Pattern(), a.Handler(rt))
		}
	}
}

// mfaSetupRoutes are the session routes an operations user without a proven code may
// call: what it takes to see the account, set up the authenticator app and leave.
var mfaSetupRoutes = map[string]bool{
	"account-get": true, "auth-refresh": true, "auth-logout": true, "auth-confirm-password": true,
	"auth-mfa-setup": true, "auth-mfa-verify": true,
}

var errCSRF = apperr.New(apperr.Forbidden, "CSRF_FAILED", "The request is missing its security token. Reload the page and try again.")

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

// checkCSRF applies the double-submit rule to every state-changing request: the header
// must repeat the CSRF cookie, which only our own pages can read.
func checkCSRF(r *http.Request) error {
	if !unsafeMethod(r.Method) {
		return nil
	}
	c := cookieValue(r, CSRFCookie)
	if c == "" || !equal(r.Header.Get(CSRFHeader), c) {
		return errCSRF
	}
	return nil
}

func equal(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

func cookieValue(r *http.Request, name string) string {
	c, err := r.Cookie(name)
	if err != nil {
		return ""
	}
	return c.Value
}

// clientAddress is the address of the client: behind CloudFront, which the portal's API
// is reachable only through, the viewer's as CloudFront sets it (a client cannot set
// this header itself); else the connection's. Both come with the port, which goes.
func clientAddress(r *http.Request) string {
	addr := r.Header.Get("CloudFront-Viewer-Address")
	if addr == "" {
		addr = r.RemoteAddr
	}
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	// CloudFront writes an IPv6 address without brackets, its port after the last colon.
	if i := strings.LastIndexByte(addr, ':'); i > 0 && strings.Count(addr, ":") > 1 {
		return addr[:i]
	}
	return addr
}

// secureCookies is true except on localhost, where the portal is served over plain HTTP.
func secureCookies(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.Host)
	if err != nil {
		host = r.Host
	}
	return host != "localhost" && host != "127.0.0.1" && host != "::1"
}

func ensureCSRFCookie(w http.ResponseWriter, r *http.Request) {
	if cookieValue(r, CSRFCookie) == "" {
		setCSRFCookie(w, r, account.NewToken(), time.Time{})
	}
}

func setCSRFCookie(w http.ResponseWriter, r *http.Request, token string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{Name: CSRFCookie, Value: token, Path: "/", Expires: expires,
		Secure: secureCookies(r), SameSite: http.SameSiteStrictMode})
}

func setSession(w http.ResponseWriter, r *http.Request, s account.NewSession) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: s.ID, Path: "/api/", Expires: s.ExpiresAt,
		HttpOnly: true, Secure: secureCookies(r), SameSite: http.SameSiteStrictMode})
	setCSRFCookie(w, r, s.CSRFToken, s.ExpiresAt)
}

func extendSession(w http.ResponseWriter, r *http.Request, sess account.Session, expires time.Time) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: cookieValue(r, SessionCookie), Path: "/api/", Expires: expires,
		HttpOnly: true, Secure: secureCookies(r), SameSite: http.SameSiteStrictMode})
	setCSRFCookie(w, r, sess.CSRFToken, expires)
}

func clearSession(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/api/", MaxAge: -1,
		HttpOnly: true, Secure: secureCookies(r), SameSite: http.SameSiteStrictMode})
}
