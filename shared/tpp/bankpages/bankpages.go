// Package bankpages is the sandbox bank's own sign-in and consent pages, where the
// authorization endpoint (oauth.Consent) hands the customer's browser: server-rendered
// forms that work without JavaScript, so that TPPs' automated tests can drive them, with
// a Content-Security-Policy that allows no script at all, the bank's own session cookie
// (never the portal's) and a CSRF token on every form.
//
// The customer signs in (sign-in name, password, one-time code), sees which app of which
// organization asks for what, chooses the accounts, and approves or denies. Developers
// may instead pick a scenario: approve at once, fail the SCA, or decide slowly (the
// request is let time out).
//
// A customer may also come to the bank directly, sign in and see the consents they gave
// apps, and revoke those still valid.
package bankpages

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/bank/devportal/shared/tpp/consents/consentscope"
	"github.com/bank/devportal/shared/tpp/oauth"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
	"github.com/bank/devportal/shared/tpp/sca"
)

// The pages' paths on the browser-reachable origin (routes.Browser names them).
const (
	CookiePath   = "/sandbox-bank"
	SignInPath   = "/sandbox-bank/sign-in"
	ConsentPath  = "/sandbox-bank/consent"
	ScenarioPath = "/sandbox-bank/scenario"
	ConsentsPath = "/sandbox-bank/consents"
	RevokePath   = "/sandbox-bank/consents/revoke"
	// SCAPath is an authorisation's redirect page (the scaRedirect link), AppPath the
	// bank's app where a customer decides their decoupled authorisations.
	SCAPath = sca.RedirectPagePath
	AppPath = sca.AppPagePath
)

// Decider is the authorization server's end of a pending request (oauth.Server): the
// pages end every request through it.
type Decider interface {
	Approve(ctx context.Context, w http.ResponseWriter, id string, d oauth.Decision) error
	Deny(ctx context.Context, w http.ResponseWriter, id string) error
	FailSCA(ctx context.Context, w http.ResponseWriter, id string) error
	Expire(ctx context.Context, id string) error
}

var _ Decider = (*oauth.Server)(nil)

// Customers is what the pages read of the bank (sandboxbank.Store).
type Customers interface {
	CustomerByLogin(ctx context.Context, login string) (sandboxbank.Customer, error)
	Accounts(ctx context.Context, customerID string) ([]sandboxbank.Account, error)
}

// Organizations names the organization an app belongs to, and the app (lookupdb.Reader).
type Organizations interface {
	OrganizationName(ctx context.Context, orgID string) (string, error)
	AppName(ctx context.Context, orgID, appID string) (string, error)
}

// Consents are the consents a customer approved, and their revocation
// (consentscope.Customer).
type Consents interface {
	Of(ctx context.Context, subject string, limit int) ([]consentscope.Held, error)
	Revoke(ctx context.Context, kind, id, subject string) error
}

var _ Consents = consentscope.Customer{}

// Options configure the pages.
type Options struct {
	// Secret keys the session cookie's signature and the CSRF tokens: at least 32 bytes.
	Secret        []byte
	Customers     Customers
	Organizations Organizations
	Consents      Consents
	// Authorisations are the authorisations the redirect page and the bank's app decide
	// (sca.Service); nil: those pages say the bank cannot show them.
	Authorisations Authorisations
	// Logins are the sandbox customers' sign-in names the sign-in page lists.
	Logins []string
	// Secure marks the cookie Secure: the pages are served over HTTPS.
	Secure bool
	// Now is the clock of the sessions; nil is time.Now.
	Now func() time.Time
	Log *slog.Logger
}

// Pages are the sandbox bank's pages.
type Pages struct {
	opts    Options
	keys    keys
	decider Decider
}

var _ oauth.Consent = (*Pages)(nil)

// New builds the pages; Attach gives them the authorization server before they serve.
func New(o Options) (*Pages, error) {
	switch {
	case len(o.Secret) < 32:
		return nil, fmt.Errorf("bankpages: the secret has %d bytes, at least 32 are needed", len(o.Secret))
	case o.Customers == nil || o.Organizations == nil || o.Consents == nil:
		return nil, errors.New("bankpages: customers, organizations and consents are required")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &Pages{opts: o, keys: deriveKeys(o.Secret)}, nil
}

// Attach gives the pages the authorization server they decide through. The server is
// built with the pages as its Consent, so it can only be given afterwards.
func (p *Pages) Attach(d Decider) { p.decider = d }

func (p *Pages) now() time.Time { return p.opts.Now() }

// Handlers are the pages by route name (routes.Browser).
func (p *Pages) Handlers() map[string]http.Handler {
	return map[string]http.Handler{
		"sandbox-bank-sign-in":        http.HandlerFunc(p.signInPage),
		"sandbox-bank-sign-in-submit": http.HandlerFunc(p.signIn),
		"sandbox-bank-consent":        http.HandlerFunc(p.consentPage),
		"sandbox-bank-decide":         http.HandlerFunc(p.decide),
		"sandbox-bank-scenario":       http.HandlerFunc(p.scenario),
		"sandbox-bank-consents":       http.HandlerFunc(p.consentsPage),
		"sandbox-bank-revoke":         http.HandlerFunc(p.revoke),
		"sandbox-bank-sca":            http.HandlerFunc(p.scaPage),
		"sandbox-bank-sca-decide":     http.HandlerFunc(p.scaDecide),
		"sandbox-bank-app":            http.HandlerFunc(p.appPage),
		"sandbox-bank-app-decide":     http.HandlerFunc(p.appDecide),
	}
}

// Begin takes over the customer's browser for a validated authorization request: it
// opens the bank's session and sends the browser to the sign-in page, so that a reload
// does not validate the request again.
func (p *Pages) Begin(w http.ResponseWriter, r *http.Request, pending oauth.Pending) {
	ctx := r.Context()
	name, err := p.opts.Organizations.OrganizationName(ctx, pending.OrgID)
	if err != nil {
		// The customer must know who asks: without the organization's name there is no page.
		p.opts.Log.ErrorContext(ctx, "sandbox bank: name the organization", "orgId", pending.OrgID, "error", err.Error())
		p.render(w, http.StatusServiceUnavailable, view{Name: "error", Title: "The bank cannot show this request",
			Message: "The bank cannot show who is asking right now. Go back to the app and try again in a moment."})
		return
	}
	s := session{Pending: pending, OrgName: name, Nonce: newNonce(), Expires: p.now().Add(oauth.PendingLifespan).Unix()}
	p.setCookie(w, s)
	http.Redirect(w, r, SignInPath, http.StatusSeeOther)
}

// Field errors of the sign-in form.
const (
	msgLoginUnknown  = "No sandbox customer has this sign-in name."
	msgPasswordWrong = "The password is wrong."
	msgOTPWrong      = "The one-time code is wrong."
	msgRequired      = "Fill this in."
)

// signInPage shows the sign-in form, or sends a customer already signed in on. A browser
// without a session (or whose direct session ended) came to the bank directly: it gets
// a session of its own, to sign in and see the customer's consents.
func (p *Pages) signInPage(w http.ResponseWriter, r *http.Request) {
	if s, err := p.readSession(r); errors.Is(err, errNoSession) || errors.Is(err, errSessionExpired) && s.direct() {
		p.render(w, http.StatusOK, p.signInView(p.directSession(w), "", nil))
		return
	}
	s, ok := p.session(w, r)
	if !ok {
		return
	}
	if s.CustomerID != "" {
		http.Redirect(w, r, p.home(s), http.StatusSeeOther)
		return
	}
	p.render(w, http.StatusOK, p.signInView(s, "", nil))
}

// directLifespan is how long a customer who came to the bank directly stays signed in:
// as long as an app's request waits for them.
const directLifespan = oauth.PendingLifespan

// directSession opens the session of a customer who came to the bank directly, without
// an app's request.
func (p *Pages) directSession(w http.ResponseWriter) session {
	s := session{Nonce: newNonce(), Expires: p.now().Add(directLifespan).Unix()}
	p.setCookie(w, s)
	return s
}

// home is where a customer signed in goes: the request of the app that sent them, or
// their consents when they came directly.
func (p *Pages) home(s session) string {
	switch {
	case s.SCA != "":
		return SCAPath
	case s.Next != "":
		return s.Next
	}
	if s.direct() {
		return ConsentsPath
	}
	return ConsentPath
}

func (p *Pages) signInView(s session, login string, errs map[string]string) view {
	return view{Name: "sign-in", Title: "Sign in", Session: s, CSRF: p.keys.csrfToken(s), Login: login, Errors: errs,
		Logins: p.opts.Logins, Password: sandboxbank.SandboxPassword, OTP: sandboxbank.SandboxOTP}
}

// signIn checks the customer's sign-in name, password and one-time code. A wrong one
// shows the form again naming the field, and signs nobody in.
func (p *Pages) signIn(w http.ResponseWriter, r *http.Request) {
	s, ok := p.postedSession(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	login, password, otp := r.PostForm.Get("login"), r.PostForm.Get("password"), r.PostForm.Get("otp")
	errs := map[string]string{}
	for field, v := range map[string]string{"login": login, "password": password, "otp": otp} {
		if v == "" {
			errs[field] = msgRequired
		}
	}
	var c sandboxbank.Customer
	if len(errs) == 0 {
		var err error
		c, err = p.opts.Customers.CustomerByLogin(ctx, login)
		switch {
		case errors.Is(err, sandboxbank.ErrCustomerUnknown):
			errs["login"] = msgLoginUnknown
		case err != nil:
			p.unavailable(w, r, "find the customer", err)
			return
		case !c.CheckCredentials(password, c.OTP):
			errs["password"] = msgPasswordWrong
		case !c.CheckCredentials(c.Password, otp):
			errs["otp"] = msgOTPWrong
		}
	}
	if len(errs) > 0 {
		p.opts.Log.InfoContext(ctx, "sandbox bank sign-in refused", "pending", s.Pending.ID, "fields", fieldNames(errs))
		p.render(w, http.StatusUnprocessableEntity, p.signInView(s, login, errs))
		return
	}
	s = p.signedIn(w, r, s, c)
	http.Redirect(w, r, p.home(s), http.StatusSeeOther)
}

// signedIn records the customer in the session, with a new nonce: the forms of the page
// before signing in no longer count.
func (p *Pages) signedIn(w http.ResponseWriter, r *http.Request, s session, c sandboxbank.Customer) session {
	s.CustomerID, s.Login, s.Name, s.Nonce = c.ID, c.Login, c.DisplayName, newNonce()
	p.setCookie(w, s)
	p.opts.Log.InfoContext(r.Context(), "sandbox bank sign-in", "pending", s.Pending.ID, "customer", c.ID)
	return s
}

// consentPage shows what the app asks, with the customer's accounts to choose from.
func (p *Pages) consentPage(w http.ResponseWriter, r *http.Request) {
	s, ok := p.session(w, r)
	if !ok {
		return
	}
	if s.CustomerID == "" || s.direct() {
		http.Redirect(w, r, p.signInOr(s), http.StatusSeeOther)
		return
	}
	v, err := p.consentView(r.Context(), s)
	if err != nil {
		p.unavailable(w, r, "list the customer's accounts", err)
		return
	}
	p.render(w, http.StatusOK, v)
}

func (p *Pages) consentView(ctx context.Context, s session) (view, error) {
	v := view{Name: "consent", Title: "Approve access", Session: s, CSRF: p.keys.csrfToken(s), Asks: describe(s.Pending.Scopes, s.Pending.Resources)}
	if choosesAccounts(s.Pending.Scopes, s.Pending.Resources) {
		accounts, err := p.grantable(ctx, s.CustomerID)
		if err != nil {
			return v, err
		}
		v.Accounts = accounts
	}
	return v, nil
}

// Decisions a form posts.
const (
	decisionApprove = "approve"
	decisionDeny    = "deny"
)

// decide ends the request with the customer's approval of the accounts chosen, or their
// refusal. Denying needs no sign-in (the sign-in page's cancel); approving does.
func (p *Pages) decide(w http.ResponseWriter, r *http.Request) {
	s, ok := p.postedSession(w, r)
	if !ok || p.refuseDirect(w, s) {
		return
	}
	switch decision := r.PostForm.Get("decision"); {
	case decision == decisionDeny:
		p.finish(w, r, s, "deny", func() error { return p.decider.Deny(r.Context(), w, s.Pending.ID) })
	case decision != decisionApprove:
		p.render(w, http.StatusBadRequest, view{Name: "error", Title: "Choose approve or deny", Session: s,
			Message: "The form said neither approve nor deny. Go back and choose one."})
	case s.CustomerID == "":
		http.Redirect(w, r, SignInPath, http.StatusSeeOther)
	case s.TimedOut:
		p.expired(w, r, s)
	default:
		chosen := r.PostForm["account"]
		if choosesAccounts(s.Pending.Scopes, s.Pending.Resources) {
			accounts, err := p.grantable(r.Context(), s.CustomerID)
			if err != nil {
				p.unavailable(w, r, "list the customer's accounts", err)
				return
			}
			if msg := checkChosen(chosen, accounts); msg != "" {
				v, _ := p.consentView(r.Context(), s)
				v.Accounts, v.Chosen, v.Errors = accounts, chosen, map[string]string{"account": msg}
				p.render(w, http.StatusUnprocessableEntity, v)
				return
			}
		} else {
			chosen = nil
		}
		d := oauth.Decision{Subject: s.CustomerID, Scopes: s.Pending.Scopes, Chosen: chosen}
		p.finish(w, r, s, "approve", func() error { return p.decider.Approve(r.Context(), w, s.Pending.ID, d) })
	}
}

// grantable are the customer's accounts a consent can give access to: those that hold
// money. A multi-currency account is the frame of its sub-accounts, which are listed (and
// chosen) one by one.
func (p *Pages) grantable(ctx context.Context, customerID string) ([]sandboxbank.Account, error) {
	accounts, err := p.opts.Customers.Accounts(ctx, customerID)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(accounts, func(a sandboxbank.Account) bool { return !a.HoldsMoney() }), nil
}

// checkChosen refuses a choice of no account, or of an account that is not the
// customer's: the message for the form, or "".
func checkChosen(chosen []string, accounts []sandboxbank.Account) string {
	if len(chosen) == 0 {
		return "Choose at least one account."
	}
	for _, id := range chosen {
		if !slices.ContainsFunc(accounts, func(a sandboxbank.Account) bool { return a.ResourceID == id }) {
			return "Choose among your own accounts."
		}
	}
	return ""
}

// Scenarios a developer may pick on the sign-in page.
const (
	scenarioApprove = "approve"
	scenarioFailSCA = "fail-sca"
	scenarioSlow    = "slow"
)

// scenario signs in the customer picked without their password and plays what the
// developer chose: approve everything asked (every account of theirs, where accounts are
// chosen), fail the SCA (access_denied saying so), or decide slowly (the request is let
// time out: the app gets no answer, and a later approval is refused).
func (p *Pages) scenario(w http.ResponseWriter, r *http.Request) {
	s, ok := p.postedSession(w, r)
	if !ok || p.refuseDirect(w, s) {
		return
	}
	ctx := r.Context()
	which := r.PostForm.Get("scenario")
	if !slices.Contains([]string{scenarioApprove, scenarioFailSCA, scenarioSlow}, which) {
		p.render(w, http.StatusBadRequest, view{Name: "error", Title: "Choose a scenario", Session: s,
			Message: "The form named no scenario the bank plays. Go back and choose one."})
		return
	}
	c, err := p.opts.Customers.CustomerByLogin(ctx, r.PostForm.Get("login"))
	switch {
	case errors.Is(err, sandboxbank.ErrCustomerUnknown):
		p.render(w, http.StatusUnprocessableEntity, p.signInView(s, "", map[string]string{"scenario-login": msgLoginUnknown}))
		return
	case err != nil:
		p.unavailable(w, r, "find the customer", err)
		return
	}
	s = p.signedIn(w, r, s, c)
	p.opts.Log.InfoContext(ctx, "sandbox bank scenario", "pending", s.Pending.ID, "scenario", which)
	switch which {
	case scenarioFailSCA:
		p.finish(w, r, s, "fail SCA", func() error { return p.decider.FailSCA(ctx, w, s.Pending.ID) })
	case scenarioSlow:
		if err := p.decider.Expire(ctx, s.Pending.ID); err != nil && !errors.Is(err, oauth.ErrUnknownPending) {
			p.unavailable(w, r, "let the request time out", err)
			return
		}
		s.TimedOut = true
		p.setCookie(w, s)
		p.render(w, http.StatusOK, view{Name: "slow", Title: "The request timed out", Session: s, CSRF: p.keys.csrfToken(s)})
	default:
		var chosen []string
		if choosesAccounts(s.Pending.Scopes, s.Pending.Resources) {
			accounts, err := p.grantable(ctx, c.ID)
			if err != nil {
				p.unavailable(w, r, "list the customer's accounts", err)
				return
			}
			for _, a := range accounts {
				chosen = append(chosen, a.ResourceID)
			}
		}
		d := oauth.Decision{Subject: c.ID, Scopes: s.Pending.Scopes, Chosen: chosen}
		p.finish(w, r, s, "approve", func() error { return p.decider.Approve(ctx, w, s.Pending.ID, d) })
	}
}

// finish ends the session and the request: the decider redirects the browser to the app,
// or the request is no longer waiting and the customer is told it expired.
func (p *Pages) finish(w http.ResponseWriter, r *http.Request, s session, what string, end func() error) {
	// The cookie goes before the decider writes its redirect.
	p.clearCookie(w)
	err := end()
	switch {
	case errors.Is(err, oauth.ErrUnknownPending):
		p.expired(w, r, s)
	case err != nil:
		p.unavailable(w, r, what, err)
	default:
		p.opts.Log.InfoContext(r.Context(), "sandbox bank decision", "pending", s.Pending.ID, "decision", what, "customer", s.CustomerID)
	}
}

// signInOr is where the consent page sends a browser that cannot decide there: to sign in
// first, or, for a customer who came directly, to their consents.
func (p *Pages) signInOr(s session) string {
	if s.CustomerID == "" {
		return SignInPath
	}
	return ConsentsPath
}

// refuseDirect refuses, and says so, a decision or scenario posted in a session of no
// app's request: there is nothing to decide.
func (p *Pages) refuseDirect(w http.ResponseWriter, s session) bool {
	if !s.direct() {
		return false
	}
	p.render(w, http.StatusBadRequest, view{Name: "error", Title: "No app's request to decide", Session: s, Back: ConsentsPath,
		Message: "You came to the bank directly: no app asked you for anything. Nothing was changed."})
	return true
}

func (p *Pages) expired(w http.ResponseWriter, r *http.Request, s session) {
	p.opts.Log.InfoContext(r.Context(), "sandbox bank: the request expired", "pending", s.Pending.ID)
	p.clearCookie(w)
	p.render(w, http.StatusGone, view{Name: "expired", Title: "This request has expired", Session: s})
}

func (p *Pages) unavailable(w http.ResponseWriter, r *http.Request, what string, err error) {
	p.opts.Log.ErrorContext(r.Context(), "sandbox bank: "+what, "error", err.Error())
	p.render(w, http.StatusServiceUnavailable, view{Name: "error", Title: "The bank is not available",
		Message: "The bank could not finish this step. Try again in a moment."})
}

// session is the request's session, or false once a page saying why there is none has
// been written.
func (p *Pages) session(w http.ResponseWriter, r *http.Request) (session, bool) {
	s, err := p.readSession(r)
	switch {
	case errors.Is(err, errSessionExpired) && s.direct():
		// A customer who came directly and stayed away too long signs in again.
		http.Redirect(w, r, SignInPath, http.StatusSeeOther)
		return s, false
	case errors.Is(err, errSessionExpired) || err == nil && s.TimedOut:
		p.expired(w, r, s)
		return s, false
	case err != nil:
		p.render(w, http.StatusBadRequest, view{Name: "error", Title: "No sign-in in progress",
			Message: "This browser has no sign-in to the bank in progress. Go back to the app and start again."})
		return s, false
	case p.decider == nil:
		p.render(w, http.StatusServiceUnavailable, view{Name: "error", Title: "The bank is not available",
			Message: "The bank's pages are not connected to its authorization server."})
		return s, false
	}
	return s, true
}

// maxForm bounds a posted form: the bank's forms are a few fields.
const maxForm = 64 << 10

// postedSession is the session of a posted form whose CSRF token is the session's.
func (p *Pages) postedSession(w http.ResponseWriter, r *http.Request) (session, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		p.render(w, http.StatusBadRequest, view{Name: "error", Title: "The form could not be read", Message: "Go back and send the form again."})
		return session{}, false
	}
	s, err := p.readSession(r)
	if err == nil && !p.keys.checkCSRF(s, r.PostForm.Get("csrf")) {
		p.opts.Log.WarnContext(r.Context(), "sandbox bank: form without this session's CSRF token", "path", r.URL.Path)
		p.render(w, http.StatusForbidden, view{Name: "error", Title: "This form was refused", Session: s,
			Message: "The form did not come from this bank page, or the page is out of date. Nothing was changed: go back, reload the page and try again."})
		return s, false
	}
	// A form of a request that timed out still reaches decide, which says it expired.
	if err == nil && s.TimedOut {
		return s, true
	}
	return p.session(w, r)
}

func fieldNames(errs map[string]string) []string {
	var out []string
	for f := range errs {
		out = append(out, f)
	}
	slices.Sort(out)
	return out
}
