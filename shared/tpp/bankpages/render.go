package bankpages

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/bank/devportal/shared/tpp/oauth"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
)

// view is what a page shows.
type view struct {
	// Name picks the page's template; Title is its heading.
	Name, Title string
	Session     session
	CSRF        string
	Message     string
	// Back is a page of the bank an error page links back to, if any.
	Back string
	// Errors are the form's errors by field name.
	Errors map[string]string
	// The sign-in page: the sign-in name typed, and the sandbox's sign-in values.
	Login, Password, OTP string
	Logins               []string
	// The consent page: what is asked in plain words, the customer's accounts and those
	// chosen.
	Asks     []string
	Accounts []sandboxbank.Account
	Chosen   []string
	// The customer's consents: the list (Limited when it shows only the newest), the one
	// to confirm a revocation of, and what was just done.
	Rows    []row
	Limited bool
	Row     row
	Notice  string
	// The bank's app: the decoupled authorisations waiting for the customer.
	Waiting []waitingRow
}

// AccountLabel names an account the way the customer knows it.
func (v view) AccountLabel(a sandboxbank.Account) string {
	id := a.IBAN
	if id == "" {
		id = a.MaskedPAN
	}
	return fmt.Sprintf("%s · %s · %s", a.Name, id, a.Currency)
}

// IsChosen says whether the account is ticked: all of them until the customer chose.
func (v view) IsChosen(id string) bool { return v.Chosen == nil || slices.Contains(v.Chosen, id) }

// css is the pages' only style, inline: the policy allows exactly this text by its hash,
// so the pages need no stylesheet route and allow no other style.
const css = `body{font-family:system-ui,sans-serif;margin:0;background:#f4f6f8;color:#1b2430}` +
	`header{background:#0b3d60;color:#fff;padding:.8rem 1.5rem}header .tag{background:#f2b705;color:#1b2430;border-radius:3px;padding:0 .4rem;margin-left:.5rem;font-size:.8rem}` +
	`main{max-width:40rem;margin:1.5rem auto;background:#fff;padding:1.5rem;border-radius:6px}` +
	`label{display:block;margin:.8rem 0 .2rem}input[type=text],input[type=password],select{width:100%;padding:.4rem;box-sizing:border-box}` +
	`button{margin:.8rem .5rem 0 0;padding:.5rem 1rem}.error{color:#a4000f;font-weight:600}.sandbox{border:2px dashed #f2b705;padding:.8rem;margin-top:1.5rem}` +
	`fieldset{margin-top:1rem}fieldset label{display:flex;gap:.5rem;margin:.3rem 0}code{background:#eef;padding:0 .2rem}` +
	`.notice{background:#e6f4ea;padding:.5rem;border-radius:3px}.consent{border-top:1px solid #d5dbe1;margin-top:1rem}`

// styleHash is the CSP source of css.
var styleHash = func() string {
	sum := sha256.Sum256([]byte(css))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}()

// CSP is the pages' Content-Security-Policy: no script, no frame around them, nothing
// loaded but the inline style, and forms that post to the bank itself or are redirected
// to formTarget (the app's redirect URI origin, "" for none), where a decision sends the
// browser.
func CSP(formTarget string) string {
	action := "'self'"
	if formTarget != "" {
		action += " " + formTarget
	}
	return "default-src 'none'; style-src " + styleHash + "; form-action " + action + "; frame-ancestors 'none'; base-uri 'none'"
}

var (
	safeHost   = regexp.MustCompile(`^[A-Za-z0-9.\-\[\]:]+$`)
	safeScheme = regexp.MustCompile(`^[a-z][a-z0-9+.\-]*$`)
)

// RedirectSource is the CSP source that allows a redirect to uri: its origin for http(s),
// its scheme for an app's private-use scheme (RFC 8252), or "" for anything that could not
// be written into the policy safely (the browser then blocks the redirect: fail closed).
func RedirectSource(uri string) string {
	u, err := url.Parse(uri)
	switch {
	case err != nil || !safeScheme.MatchString(u.Scheme):
		return ""
	case u.Scheme == "http" || u.Scheme == "https":
		if !safeHost.MatchString(u.Host) {
			return ""
		}
		return u.Scheme + "://" + u.Host
	default:
		return u.Scheme + ":"
	}
}

// render writes a page with the pages' security headers.
func (p *Pages) render(w http.ResponseWriter, status int, v view) {
	var b bytes.Buffer
	if err := pages.ExecuteTemplate(&b, "page", v); err != nil {
		p.opts.Log.Error("sandbox bank: render", "page", v.Name, "error", err.Error())
		status, b = http.StatusInternalServerError, *bytes.NewBufferString("The bank could not show this page.")
	}
	h := w.Header()
	targets := []string{RedirectSource(v.Session.Pending.RedirectURI), RedirectSource(v.Session.SCARedirect), RedirectSource(v.Session.SCANok)}
	h.Set("Content-Security-Policy", CSP(strings.Join(slices.Compact(slices.DeleteFunc(targets, func(t string) bool { return t == "" })), " ")))
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// resourceOf is the resource a scope names among those of the request, if any.
func resourceOf(scope string, resources []oauth.Resource) (oauth.Resource, bool) {
	kind, id, ok := oauth.ResourceScope(scope)
	if !ok {
		return oauth.Resource{}, false
	}
	i := slices.IndexFunc(resources, func(r oauth.Resource) bool { return r.Kind == kind && r.ID == id })
	if i < 0 {
		return oauth.Resource{}, false
	}
	return resources[i], true
}

// describe says in plain words what each scope asks of the customer: a resource's own
// summary where it has one (what a consent covers, and until when).
func describe(scopes []string, resources []oauth.Resource) []string {
	var out []string
	for _, sc := range scopes {
		if r, ok := resourceOf(sc, resources); ok && r.Summary != "" {
			out = append(out, r.Summary)
			continue
		}
		kind, id, ok := oauth.ResourceScope(sc)
		if !ok {
			kind = sc
		}
		var s string
		switch kind {
		case "AIS":
			s = "See the accounts you choose below: their details, balances and transactions"
		case "PIIS":
			s = "Check whether the accounts you choose below hold enough money for a payment (confirmation of funds)"
		case "PIS":
			s = "Make a payment from your account"
		case "SBS":
			s = "Authorise several payments and consents at once"
		case "openid":
			s = "Know who you are at the bank"
		default:
			s = "Use the bank's " + strings.ReplaceAll(strings.ToLower(sc), "_", " ") + " service"
		}
		switch {
		case ok && kind == "PIS":
			s += " (payment " + id + ")"
		case ok && kind == "SBS":
			s += " (signing basket " + id + ")"
		case ok:
			s += " (consent " + id + ")"
		}
		out = append(out, s+".")
	}
	return out
}

// choosesAccounts says whether the customer picks the accounts the scopes give access to:
// for account information and confirmation of funds they do, unless the consent names its
// accounts (its resource says so); a payment names its own.
func choosesAccounts(scopes []string, resources []oauth.Resource) bool {
	return slices.ContainsFunc(scopes, func(sc string) bool {
		if r, ok := resourceOf(sc, resources); ok && r.Summary != "" {
			return r.ChoosesAccounts
		}
		kind, _, ok := oauth.ResourceScope(sc)
		if !ok {
			kind = sc
		}
		return kind == "AIS" || kind == "PIIS"
	})
}

var pages = template.Must(template.New("page").Funcs(template.FuncMap{
	"minutes": func() int { return int(oauth.PendingLifespan.Minutes()) },
}).Parse(strings.Replace(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} · Sandbox Bank</title><style>/*CSS*/</style></head>
<body><header><strong>Sandbox Bank</strong><span class="tag">sandbox</span></header>
<main id="page-{{.Name}}">
<h1>{{.Title}}</h1>
{{- if eq .Name "sign-in"}}{{template "sign-in" .}}
{{- else if eq .Name "consent"}}{{template "consent" .}}
{{- else if eq .Name "slow"}}{{template "slow" .}}
{{- else if eq .Name "expired"}}{{template "expired" .}}
{{- else if eq .Name "consents"}}{{template "consents" .}}
{{- else if eq .Name "revoke"}}{{template "revoke" .}}
{{- else if eq .Name "sca"}}{{template "sca" .}}
{{- else if eq .Name "app"}}{{template "app" .}}
{{- else}}<p id="message">{{.Message}}</p>{{with .Back}}<p><a id="back" href="{{.}}">{{if eq . "/sandbox-bank/app"}}Back to the bank's app{{else}}Back to your consents{{end}}</a></p>{{end}}{{end}}
</main></body></html>
{{define "asker"}}<strong id="app-name">{{.Session.Pending.AppName}}</strong>, an app of <strong id="org-name">{{.Session.OrgName}}</strong>{{end}}
{{define "sign-in"}}
{{if .Session.Pending.ID}}<p>{{template "asker" .}}, sent you here to sign in to your bank.</p>
{{else if .Session.SCA}}<p>{{template "sca-asker" .}}, sent you here to authorise with your bank.</p>
{{else if .Session.Next}}<p id="direct">Sign in to the Sandbox Bank app to approve or deny what apps ask you.</p>
{{else}}<p id="direct">Sign in to see the consents you gave apps, and revoke those you no longer want.</p>{{end}}
{{with .Errors}}<p class="error" id="error" role="alert">{{range $f, $m := .}}{{$m}} {{end}}</p>{{end}}
<form method="post" action="/sandbox-bank/sign-in">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<label for="login">Sign-in name</label>
<input type="text" id="login" name="login" value="{{.Login}}" autocomplete="username" required>
{{with index .Errors "login"}}<p class="error" id="login-error">{{.}}</p>{{end}}
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
{{with index .Errors "password"}}<p class="error" id="password-error">{{.}}</p>{{end}}
<label for="otp">One-time code</label>
<input type="text" id="otp" name="otp" inputmode="numeric" autocomplete="one-time-code" required>
{{with index .Errors "otp"}}<p class="error" id="otp-error">{{.}}</p>{{end}}
<button type="submit" id="sign-in">Sign in</button>
</form>
{{if .Session.Pending.ID}}<form method="post" action="/sandbox-bank/consent">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<button type="submit" name="decision" value="deny" id="cancel">Cancel and go back to the app</button>
</form>{{end}}
<section class="sandbox" id="sandbox">
<h2>Sandbox</h2>
<p>Every sandbox customer's password is <code id="sandbox-password">{{.Password}}</code> and their one-time code is <code id="sandbox-otp">{{.OTP}}</code>.</p>
<p>Sign-in names:</p>
<ul id="sandbox-logins">{{range .Logins}}<li><code>{{.}}</code></li>{{end}}</ul>
{{if .Session.Pending.ID}}<h3>Scenarios</h3>
<p>Skip the forms: sign in as a customer and let the bank play what your app must handle.</p>
<form method="post" action="/sandbox-bank/scenario">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<label for="scenario-login">Customer</label>
<select id="scenario-login" name="login">{{range .Logins}}<option value="{{.}}">{{.}}</option>{{end}}</select>
{{with index .Errors "scenario-login"}}<p class="error" id="scenario-login-error">{{.}}</p>{{end}}
<button type="submit" name="scenario" value="approve" id="scenario-approve">Approve everything asked</button>
<button type="submit" name="scenario" value="fail-sca" id="scenario-fail-sca">Fail SCA</button>
<button type="submit" name="scenario" value="slow" id="scenario-slow">Decide slowly (time out)</button>
</form>{{end}}
</section>
{{end}}
{{define "consent"}}
<p>{{template "asker" .}}, asks you to let it:</p>
<ul id="asks">{{range .Asks}}<li>{{.}}</li>{{end}}</ul>
<p>Scopes asked: {{range .Session.Pending.Scopes}}<code class="scope">{{.}}</code> {{end}}</p>
<form method="post" action="/sandbox-bank/consent">
<input type="hidden" name="csrf" value="{{.CSRF}}">
{{if .Accounts}}<fieldset id="accounts"><legend>Choose the accounts {{.Session.Pending.AppName}} may use</legend>
{{range .Accounts}}<label for="account-{{.ResourceID}}"><input type="checkbox" id="account-{{.ResourceID}}" name="account" value="{{.ResourceID}}"{{if $.IsChosen .ResourceID}} checked{{end}}> {{$.AccountLabel .}}</label>
{{end}}{{with index .Errors "account"}}<p class="error" id="account-error" role="alert">{{.}}</p>{{end}}</fieldset>{{end}}
<p>You are signed in as <strong id="customer">{{.Session.Name}}</strong> ({{.Session.Login}}).</p>
<button type="submit" name="decision" value="approve" id="approve">Approve</button>
<button type="submit" name="decision" value="deny" id="deny">Deny</button>
</form>
<p>See and revoke the consents you already gave: <a id="your-consents" href="/sandbox-bank/consents">Your consents</a>.</p>
{{end}}
{{define "slow"}}
<p id="message">You chose to decide slowly. The bank let this request run out of time, as it does when a customer takes longer than {{minutes}} minutes: {{template "asker" .}}, gets no answer from the bank, and an approval from now on is refused because the request expired.</p>
<form method="post" action="/sandbox-bank/consent">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<button type="submit" name="decision" value="approve" id="approve-late">Approve anyway</button>
</form>
<p>See and revoke the consents you already gave: <a id="your-consents" href="/sandbox-bank/consents">Your consents</a>.</p>
{{end}}
{{define "expired"}}
<p id="message">The bank no longer holds this request: it expired, or it was already decided. Nothing was approved. Go back to {{with .Session.Pending.AppName}}{{.}}{{else}}the app{{end}} and start again.</p>
<p>See and revoke the consents you already gave: <a id="your-consents" href="/sandbox-bank/consents">Your consents</a>.</p>
{{end}}
{{define "consents"}}
<p>You are signed in as <strong id="customer">{{.Session.Name}}</strong> ({{.Session.Login}}).{{if .Session.Pending.ID}} <a id="back-to-request" href="/sandbox-bank/consent">Back to the request of {{.Session.Pending.AppName}}</a>{{end}}</p>
{{with .Notice}}<p class="notice" id="notice" role="status">{{.}}</p>{{end}}
{{if .Rows}}<p>These apps may use your bank data because you approved it. Revoke a consent when you no longer want an app to use it: the app loses that access at once.</p>
{{if .Limited}}<p id="limited">Only your {{len .Rows}} most recent consents are shown.</p>{{end}}
{{range .Rows}}<section class="consent" id="consent-{{.ID}}">
<h2><span class="app-name">{{.AppName}}</span>, an app of <span class="org-name">{{.OrgName}}</span></h2>
<p class="summary">{{.Summary}}</p>
<p>Status: <strong class="status">{{.StatusText}}</strong> (<code>{{.Status}}</code>){{if .ValidUntil}} · valid until <span class="valid-until">{{.ValidUntil}}</span>{{else}} · until you or the app end it{{end}} · given on {{.CreatedAt.Format "2006-01-02"}}</p>{{if .Revocable}}
<form method="post" action="/sandbox-bank/consents/revoke">
<input type="hidden" name="csrf" value="{{$.CSRF}}">
<input type="hidden" name="kind" value="{{.Kind}}">
<input type="hidden" name="id" value="{{.ID}}">
<button type="submit" id="revoke-{{.ID}}">Revoke…</button>
</form>{{end}}
</section>
{{end}}{{else}}<p id="none">You have not given any app access to your bank data.</p>{{end}}
{{end}}
{{define "sca-asker"}}<strong id="app-name">{{.Session.SCAApp}}</strong>, an app of <strong id="org-name">{{.Session.OrgName}}</strong>{{end}}
{{define "sca"}}
<p>{{template "sca-asker" .}}, asks you to authorise:</p>
<ul id="asks">{{range .Asks}}<li>{{.}}</li>{{end}}</ul>
<p>You are signed in as <strong id="customer">{{.Session.Name}}</strong> ({{.Session.Login}}).</p>
<form method="post" action="/sandbox-bank/sca">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<button type="submit" name="decision" value="approve" id="approve">Approve</button>
<button type="submit" name="decision" value="deny" id="deny">Deny</button>
</form>
{{end}}
{{define "app"}}
<p>You are signed in as <strong id="customer">{{.Session.Name}}</strong> ({{.Session.Login}}).</p>
{{with .Notice}}<p class="notice" id="notice" role="status">{{.}}</p>{{end}}
{{if .Waiting}}<p>These apps wait for you to approve or deny, in the bank's app:</p>
{{range .Waiting}}<section class="consent" id="authorisation-{{.ID}}">
<h2><span class="app-name">{{.AppName}}</span>, an app of <span class="org-name">{{.OrgName}}</span></h2>
<p class="summary">{{.Resource.Summary}}</p>
<form method="post" action="/sandbox-bank/app">
<input type="hidden" name="csrf" value="{{$.CSRF}}">
<input type="hidden" name="authorisation" value="{{.Key}}">
<button type="submit" name="decision" value="approve" id="approve-{{.ID}}">Approve</button>
<button type="submit" name="decision" value="deny" id="deny-{{.ID}}">Deny</button>
</form>
</section>
{{end}}{{else}}<p id="none">Nothing waits for your approval.</p>{{end}}
<p><a id="refresh" href="/sandbox-bank/app">Refresh</a></p>
{{end}}
{{define "revoke"}}
<p id="question">Do you want to revoke the access of <strong class="app-name">{{.Row.AppName}}</strong>, an app of <strong class="org-name">{{.Row.OrgName}}</strong>?</p>
<p>It will no longer be able to: <span class="summary">{{.Row.Summary}}</span></p>
<p>This cannot be undone: to use your data again, the app must ask you for a new consent.</p>
<form method="post" action="/sandbox-bank/consents/revoke">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<input type="hidden" name="kind" value="{{.Row.Kind}}">
<input type="hidden" name="id" value="{{.Row.ID}}">
<input type="hidden" name="confirm" value="yes">
<button type="submit" id="confirm-revoke">Yes, revoke this consent</button>
</form>
<p><a id="keep" href="/sandbox-bank/consents">No, keep it</a></p>
{{end}}`, "/*CSS*/", css, 1)))
