package apps

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/platform/validation"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/portal/workflow"
)

// MaxRedirectURIs bounds an app's redirect URIs.
const MaxRedirectURIs = 10

// maxRedirectURI is the longest redirect URI, in characters, as RedirectRequest's tag says.
const maxRedirectURI = 2048

// RedirectRequest carries one redirect URI.
type RedirectRequest struct {
	URI string `json:"uri" validate:"required,max=2048" example:"https://budgetbuddy.example/callback"`
}

// CheckRedirectURI applies the redirect URI rules: absolute https without a fragment or
// wildcard; plain http only for localhost, and only in the sandbox; a valid port; a host in
// its one canonical spelling that hides no other host; in production, a public host (the
// host rules are explained in redirecthost.go). It returns the first rule broken, as a
// field error on "uri".
func CheckRedirectURI(raw string, env org.Environment) *apperr.FieldError {
	fail := func(rule, msg string) *apperr.FieldError { f := apperr.Field("uri", rule, msg); return &f }
	if strings.TrimSpace(raw) == "" {
		return fail("required", "This field is required.")
	}
	if n := utf8.RuneCountInString(raw); n > maxRedirectURI {
		return fail("max", fmt.Sprintf("Use at most %d characters; this has %d.", maxRedirectURI, n))
	}
	if strings.IndexFunc(raw, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return fail("whitespace", "Remove the spaces and control characters: a redirect URI has none.")
	}
	if strings.Contains(raw, "*") {
		return fail("wildcard", "Wildcards are not allowed: register each redirect URI exactly.")
	}
	authority, hasAuthority := rawAuthority(raw)
	u, err := url.Parse(raw)
	if err != nil && hasAuthority && portProblem(authority) {
		// net/url refuses a port that is not a number; say so rather than "absolute".
		return fail("port", msgPort)
	}
	if err != nil || !u.IsAbs() || u.Hostname() == "" {
		return fail("absolute", "Enter an absolute URI such as https://app.example/callback.")
	}
	if u.User != nil {
		return fail("userinfo", "Remove the user name and password (user:password@): redirect URIs cannot carry them.")
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return fail("fragment", "Remove the fragment (#…): redirect URIs cannot have one.")
	}
	local := u.Hostname() == "localhost" || u.Hostname() == "127.0.0.1"
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && local && env == org.Sandbox:
	case u.Scheme == "http" && local:
		return fail("https", "Production apps need https redirect URIs; http://localhost works only in the sandbox.")
	default:
		return fail("https", "Use https (http://localhost is allowed in the sandbox).")
	}
	if portProblem(u.Host) {
		return fail("port", msgPort)
	}
	if rule, msg := hostProblem(authority, u.Hostname(), env); rule != "" {
		return fail(rule, msg)
	}
	return nil
}

// msgPort is the message of the port rule, which net/url's parse and the range check share.
const msgPort = "Write the port as a number from 1 to 65535 without leading zeros, or leave it out."

// AddRedirectURI registers a redirect URI (not Viewers). A production app's new redirect
// URI would receive its customers' authorization codes, so it waits for the bank's review
// (Reviewed says so).
func (s *Service) AddRedirectURI(ctx context.Context, a org.Actor, orgID, appID string, req RedirectRequest) (App, Reviewed, error) {
	app, _, err := s.app(ctx, a, orgID, appID, true)
	if err != nil {
		return App{}, false, err
	}
	if fe := CheckRedirectURI(req.URI, app.Environment); fe != nil {
		return App{}, false, apperr.Fields(*fe)
	}
	if slices.Contains(app.RedirectURIs, req.URI) {
		return App{}, false, apperr.Fields(apperr.Field("uri", "duplicate", "This redirect URI is already registered."))
	}
	if len(app.RedirectURIs) >= MaxRedirectURIs {
		return App{}, false, apperr.Fields(apperr.Field("uri", "max", fmt.Sprintf("An app can have at most %d redirect URIs; remove one first.", MaxRedirectURIs)))
	}
	if reviewed(app) {
		out, err := s.requestChange(ctx, a, app, PendingChange{RedirectURI: req.URI}, "Add the redirect URI "+req.URI+" to "+app.Name)
		return out, err == nil, err
	}
	out, err := s.update(ctx, app, s.audit(a, orgID, "app.redirect_added", map[string]string{"appId": appID, "uri": req.URI}),
		func(x *App) { x.RedirectURIs = append(x.RedirectURIs, req.URI); slices.Sort(x.RedirectURIs) })
	return out, false, err
}

// RemoveRedirectURI removes a redirect URI (not Viewers).
func (s *Service) RemoveRedirectURI(ctx context.Context, a org.Actor, orgID, appID, uri string) error {
	app, _, err := s.app(ctx, a, orgID, appID, true)
	if err != nil {
		return err
	}
	if !slices.Contains(app.RedirectURIs, uri) {
		return apperr.New(apperr.NotFound, "NOT_FOUND", "This app has no such redirect URI.")
	}
	_, err = s.update(ctx, app, s.audit(a, orgID, "app.redirect_removed", map[string]string{"appId": appID, "uri": uri}),
		func(x *App) {
			x.RedirectURIs = slices.DeleteFunc(x.RedirectURIs, func(u string) bool { return u == uri })
		})
	return err
}

// ClientSettings are an OAuth client's name and redirect URIs, which dynamic client
// registration (RFC 7592) replaces together.
type ClientSettings struct {
	Name         string
	RedirectURIs []string
}

// errClientReviewed refuses to replace a reviewed production app's settings at once:
// its name and redirect URIs change through the bank's review, one at a time.
var errClientReviewed = apperr.New(apperr.Conflict, "REVIEW_REQUIRED", "A production app's name and redirect URIs change through the bank's review: change them in the developer portal.")

// ReplaceClientSettings gives an app the name and redirect URIs of c (not Viewers), under
// the rules of Rename and AddRedirectURI, in one transaction with the writes given: every
// change or none, so that a refusal or a concurrent change leaves the app as it was. Each
// change is audited as the single changes are.
func (s *Service) ReplaceClientSettings(ctx context.Context, a org.Actor, orgID, appID string, c ClientSettings, with ...workflow.Write) (App, error) {
	app, _, err := s.app(ctx, a, orgID, appID, true)
	if err != nil {
		return App{}, err
	}
	req := NameRequest{Name: c.Name}
	validation.Normalize(&req)
	if errs := validation.Struct(req); len(errs) > 0 {
		return App{}, apperr.Fields(errs...)
	}
	if len(c.RedirectURIs) > MaxRedirectURIs {
		return App{}, apperr.Fields(apperr.Field("redirectUris", "max", fmt.Sprintf("An app can have at most %d redirect URIs.", MaxRedirectURIs)))
	}
	for i, u := range c.RedirectURIs {
		field := fmt.Sprintf("redirectUris[%d]", i)
		if fe := CheckRedirectURI(u, app.Environment); fe != nil {
			fe.Field = field
			return App{}, apperr.Fields(*fe)
		}
		if slices.Index(c.RedirectURIs, u) != i {
			return App{}, apperr.Fields(apperr.Field(field, "duplicate", "This redirect URI is listed twice."))
		}
	}
	var audits []org.AuditEntry
	if req.Name != app.Name {
		audits = append(audits, s.audit(a, orgID, "app.renamed", map[string]string{"appId": appID, "from": app.Name, "to": req.Name}))
	}
	for _, u := range c.RedirectURIs {
		if !slices.Contains(app.RedirectURIs, u) {
			audits = append(audits, s.audit(a, orgID, "app.redirect_added", map[string]string{"appId": appID, "uri": u}))
		}
	}
	for _, u := range app.RedirectURIs {
		if !slices.Contains(c.RedirectURIs, u) {
			audits = append(audits, s.audit(a, orgID, "app.redirect_removed", map[string]string{"appId": appID, "uri": u}))
		}
	}
	if len(audits) == 0 {
		return App{}, apperr.Fields(apperr.Field("name", "unchanged", "These are the app's name and redirect URIs already."))
	}
	if reviewed(app) {
		return App{}, errClientReviewed
	}
	for _, e := range audits[1:] {
		w, err := s.dir.AuditWrite(e)
		if err != nil {
			return App{}, err
		}
		with = append(with, w)
	}
	uris := slices.Sorted(slices.Values(c.RedirectURIs))
	return s.update(ctx, app, audits[0], func(x *App) { x.Name, x.RedirectURIs = req.Name, uris }, with...)
}
