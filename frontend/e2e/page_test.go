package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// stepTimeout bounds every browser step, so a missing element fails with a clear
// message instead of hanging the test. It leaves room for the dev mailbox, which reads
// moto's whole state and took over 20 s on 2 busy cores.
const stepTimeout = 45 * time.Second

// page is one browser tab in its own browser context (own cookies), driven like a person.
type page struct {
	t    *testing.T
	ctx  context.Context
	base string
	// contextID is the tab's browser context, for granting it permissions (the clipboard).
	contextID cdp.BrowserContextID
	// stepsChecked are the journey steps whose end already checks this tab with axe-core.
	stepsChecked map[*testing.T]bool
}

// newPage opens a fresh tab in a new browser context (cookies of its own, so parallel
// tests do not share sessions); both are closed when the test ends.
//
// chromedp's WithNewBrowserContext cannot be used: Chromium 156 answers its
// Target.createTarget with "no browser is open" unless the target gets a new window.
func newPage(t *testing.T) *page {
	t.Helper()
	stack := env(t)
	bctx, bcancel := context.WithTimeout(suite.browser, stepTimeout)
	defer bcancel()
	browser := cdp.WithExecutor(bctx, chromedp.FromContext(suite.browser).Browser)
	contextID, err := target.CreateBrowserContext().WithDisposeOnDetach(true).Do(browser)
	if err != nil {
		t.Fatalf("create a browser context: %v", err)
	}
	targetID, err := target.CreateTarget("about:blank").WithBrowserContextID(contextID).WithNewWindow(true).Do(browser)
	if err != nil {
		t.Fatalf("open a browser tab: %v", err)
	}
	ctx, cancel := chromedp.NewContext(suite.browser, chromedp.WithTargetID(targetID))
	// The first Run attaches to the tab; without a deadline, so the tab outlives each step.
	if err := chromedp.Run(ctx); err != nil {
		cancel()
		t.Fatalf("attach to the browser tab: %v", err)
	}
	t.Cleanup(func() {
		cctx, ccancel := context.WithTimeout(ctx, 10*time.Second)
		defer ccancel()
		_ = chromedp.Cancel(cctx) // closes the tab
		cancel()
		dctx, dcancel := context.WithTimeout(suite.browser, 10*time.Second)
		defer dcancel()
		_ = target.DisposeBrowserContext(contextID).Do(cdp.WithExecutor(dctx, chromedp.FromContext(suite.browser).Browser))
	})
	p := &page{t: t, ctx: ctx, base: stack.PortalURL, contextID: contextID, stepsChecked: map[*testing.T]bool{}}
	// Whatever the tab shows at the end of a passing test must pass axe-core too (this
	// cleanup runs before the one above closes the tab).
	t.Cleanup(func() {
		if !t.Failed() {
			p.checkAccessibility()
		}
	})
	return p
}

// do runs actions within stepTimeout, failing the test with the page's text if they fail.
func (p *page) do(what string, actions ...chromedp.Action) {
	p.t.Helper()
	p.doWithin(stepTimeout, what, actions...)
}

// doWithin is do with its own deadline, for actions whose time grows with their input.
func (p *page) doWithin(timeout time.Duration, what string, actions ...chromedp.Action) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, timeout)
	defer cancel()
	if err := chromedp.Run(ctx, actions...); err != nil {
		p.fatalf("%s: %v", what, err)
	}
}

// fatalf fails the test, adding the page's URL and visible text to the message.
func (p *page) fatalf(format string, args ...any) {
	p.t.Helper()
	loc, text := p.snapshot()
	p.t.Fatalf("%s\n--- page %s shows:\n%s\n---", fmt.Sprintf(format, args...), loc, text)
}

func (p *page) snapshot() (loc, text string) {
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	if err := chromedp.Run(ctx, chromedp.Location(&loc), chromedp.Evaluate(`document.body ? document.body.innerText : ""`, &text)); err != nil {
		return loc, "(could not read the page: " + err.Error() + ")"
	}
	return loc, text
}

// open loads a path of the portal as if typed into the address bar.
func (p *page) open(path string) {
	p.t.Helper()
	p.openURL(p.base + path)
}

// openURL loads an absolute URL and waits for the page's heading.
func (p *page) openURL(u string) {
	p.t.Helper()
	// A link that differs from the current address only in its fragment (an emailed link
	// opened twice) would only scroll the page: load it as a new document, as a click in
	// the mail client does.
	p.do("open "+u, chromedp.Navigate("about:blank"), chromedp.Navigate(u), chromedp.WaitVisible("main h1", chromedp.ByQuery))
}

// fill types value into the empty input with the given id and checks the input holds it.
func (p *page) fill(id, value string) {
	p.t.Helper()
	sel := "#" + id
	var got string
	// Typing is one key event at a time, each re-rendering the form: a pasted certificate
	// (about a thousand characters) on a busy machine needs more than one step's time.
	p.doWithin(stepTimeout+time.Duration(len(value))*50*time.Millisecond, "type into "+sel,
		chromedp.WaitVisible(sel, chromedp.ByQuery),
		chromedp.SendKeys(sel, value, chromedp.ByQuery),
		chromedp.Value(sel, &got, chromedp.ByQuery))
	if got != value {
		p.fatalf("input %s holds %q after typing %q", sel, got, value)
	}
}

// replace selects what the input holds, deletes it and types value.
func (p *page) replace(id, value string) {
	p.t.Helper()
	sel := "#" + id
	var got string
	p.do("clear "+sel,
		chromedp.WaitVisible(sel, chromedp.ByQuery),
		chromedp.Focus(sel, chromedp.ByQuery),
		chromedp.Evaluate(fmt.Sprintf(`document.querySelector(%s).select()`, js(sel)), nil),
		chromedp.KeyEvent(kb.Backspace),
		chromedp.Value(sel, &got, chromedp.ByQuery))
	if got != "" {
		p.fatalf("input %s still holds %q after deleting its text", sel, got)
	}
	p.fill(id, value)
}

// click clicks the visible element sel (a CSS selector) with the mouse.
func (p *page) click(sel string) {
	p.t.Helper()
	p.do("click "+sel, chromedp.WaitVisible(sel, chromedp.ByQuery), chromedp.Click(sel, chromedp.ByQuery))
}

// check ticks a checkbox by clicking its label, as a person would.
func (p *page) check(id string) {
	p.t.Helper()
	p.click(fmt.Sprintf(`label[for=%q]`, id))
	var checked bool
	p.do("read #"+id, chromedp.Evaluate(fmt.Sprintf(`document.getElementById(%s).checked`, js(id)), &checked))
	if !checked {
		p.fatalf("checkbox #%s is not ticked after clicking its label", id)
	}
}

// submit clicks the submit button of the form <name>-form.
func (p *page) submit(form string) {
	p.t.Helper()
	p.click(fmt.Sprintf(`#%s-form button[type="submit"]`, form))
}

// text waits for sel to be visible and returns its visible text, trimmed.
func (p *page) text(sel string) string {
	p.t.Helper()
	var s string
	p.do("read "+sel, chromedp.WaitVisible(sel, chromedp.ByQuery), chromedp.Text(sel, &s, chromedp.ByQuery))
	return strings.TrimSpace(s)
}

// expectText asserts the visible text of sel.
func (p *page) expectText(sel, want string) {
	p.t.Helper()
	if got := p.text(sel); got != want {
		p.fatalf("%s shows %q, want %q", sel, got, want)
	}
}

// fieldErrors waits for the error element of an input and returns its messages.
func (p *page) fieldErrors(inputID string) []string {
	p.t.Helper()
	sel := "#" + inputID + "-error"
	var msgs []string
	p.do("read "+sel, chromedp.WaitVisible(sel, chromedp.ByQuery), chromedp.Evaluate(fmt.Sprintf(
		`Array.from(document.querySelectorAll(%s)).map(e => e.textContent.trim())`, js(sel+" .field-error-message")), &msgs))
	return msgs
}

// expectFieldErrors asserts the exact messages shown under an input, in order.
func (p *page) expectFieldErrors(inputID string, want ...string) {
	p.t.Helper()
	if got := p.fieldErrors(inputID); !slices.Equal(got, want) {
		p.fatalf("#%s-error shows %q, want %q", inputID, got, want)
	}
}

// expectAbsent asserts that no element matches sel now.
func (p *page) expectAbsent(sel string) {
	p.t.Helper()
	var absent bool
	p.do("look for "+sel, chromedp.Evaluate(fmt.Sprintf(`document.querySelector(%s) === null`, js(sel)), &absent))
	if !absent {
		p.fatalf("%s is shown but should not be (text %q)", sel, p.text(sel))
	}
}

// waitPath waits until the browser shows path, after a client-side or a full navigation.
// A full navigation destroys the page's JavaScript context while it is being read, so
// failed reads are retried until the step's time is up.
func (p *page) waitPath(path string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	var got struct {
		Path  string `json:"path"`
		Ready bool   `json:"ready"`
	}
	var err error
	for {
		err = chromedp.Run(ctx, chromedp.Evaluate(`({path: location.pathname, ready: document.readyState !== "loading"})`, &got))
		if err == nil && got.Path == path && got.Ready {
			return
		}
		select {
		case <-ctx.Done():
			p.fatalf("the browser did not reach %s (it shows %s, last error %v)", path, got.Path, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// mail is an email found in the dev mailbox page.
type mail struct {
	// sel selects the email's link in the open /dev/mail page.
	sel string
	// link is the link's address.
	link string
}

// findMail opens /dev/mail and returns the newest email to the address with the subject,
// refreshing the list a few times if it has not arrived yet.
func (p *page) findMail(to, subject string) mail {
	p.t.Helper()
	p.open("/dev/mail")
	find := fmt.Sprintf(`(() => {
		for (const li of document.querySelectorAll("#mail-list > li.mail")) {
			const to = li.querySelector(".mail-to"), subject = li.querySelector(".mail-subject");
			if (to && subject && to.textContent.trim() === %s && subject.textContent.trim() === %s) return li.id;
		}
		return "";
	})()`, js(to), js(subject))
	deadline := time.Now().Add(stepTimeout)
	for {
		var id string
		p.do("wait for the mailbox to load",
			chromedp.WaitVisible(`#mail-list, #mail-empty, #mail-error`, chromedp.ByQuery),
			chromedp.Poll(`!document.getElementById("mail-refresh").disabled`, nil, chromedp.WithPollingInterval(50*time.Millisecond)),
			chromedp.Evaluate(find, &id))
		if id != "" {
			m := mail{sel: fmt.Sprintf(`[id=%q] article.mail-body a`, id)}
			var ok bool
			p.do("read the link of "+id, chromedp.AttributeValue(m.sel, "href", &m.link, &ok, chromedp.ByQuery))
			if !ok || m.link == "" {
				p.fatalf("email %q to %s has no link", subject, to)
			}
			return m
		}
		if time.Now().After(deadline) {
			p.fatalf("no email %q to %s in the dev mailbox", subject, to)
		}
		time.Sleep(250 * time.Millisecond)
		p.click("#mail-refresh")
	}
}

// js quotes s as a JavaScript string literal.
func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// tokenOf returns the token of an emailed link, which it carries in its fragment so that
// no server or CDN log ever sees it.
func tokenOf(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatalf("emailed link %q: %v", link, err)
	}
	if u.RawQuery != "" {
		t.Fatalf("emailed link %q has a query string: its token belongs in the fragment", link)
	}
	frag, err := url.ParseQuery(u.Fragment)
	if err != nil {
		t.Fatalf("emailed link %q: fragment: %v", link, err)
	}
	tok := frag.Get("token")
	if tok == "" {
		t.Fatalf("emailed link %q has no token", link)
	}
	return tok
}

// openTab clicks the tab id in the open page's tab bar (prefix "app" or "org", as the
// tabs' ids start) and waits until the browser is at the tab's address with the tab
// marked as the current one.
func (p *page) openTab(prefix, id string) {
	p.t.Helper()
	tab := prefix + "-tab-" + id
	p.click("#" + tab)
	p.waitFor("the tab "+id, fmt.Sprintf(`(() => {
		const a = document.getElementById(%s);
		return a && a.getAttribute("aria-current") === "page" && location.pathname === a.getAttribute("href") ? "open" : "";
	})()`, js(tab)), stepTimeout)
	p.checkAccessibility()
}

// axeSource is axe-core's script, read once from the SPA's node_modules (a dev
// dependency: make frontend installs it).
var axeSource = sync.OnceValues(func() (string, error) {
	b, err := os.ReadFile(filepath.Join(frontendDir(), "..", "node_modules", "axe-core", "axe.min.js"))
	return string(b), err
})

// axeViolation is one rule axe-core found broken, with the elements that break it.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any  `json:"target"`
		HTML   string `json:"html"`
	} `json:"nodes"`
}

// axeRun runs axe-core's default rules on the document and keeps the violations a person
// using assistive technology is blocked or seriously hindered by.
const axeRun = `axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations
	.filter(v => v.impact === "serious" || v.impact === "critical")
	.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => ({target: n.target, html: n.html.slice(0, 200)}))})))`

// checkAccessibility runs axe-core on the page as it is now, once its sections have
// loaded, and fails the test for every violation of impact serious or critical, naming
// the rule, the elements and what to do.
func (p *page) checkAccessibility() {
	p.t.Helper()
	src, err := axeSource()
	if err != nil {
		p.t.Errorf("read axe-core (make frontend installs it): %v", err)
		return
	}
	// A section still loading is checked as it ends up, not as its placeholder.
	deadline := time.Now().Add(10 * time.Second)
	for {
		var loading bool
		if p.evalStep(`document.readyState !== "complete" || document.querySelector("main .loading") !== null`, &loading) == nil && !loading || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	var loc string
	var present bool
	var violations []axeViolation
	err = chromedp.Run(ctx,
		chromedp.Location(&loc),
		chromedp.Evaluate(`typeof window.axe !== "undefined"`, &present),
		chromedp.ActionFunc(func(ctx context.Context) error {
			if present {
				return nil
			}
			return chromedp.Evaluate(src, nil).Do(ctx)
		}),
		chromedp.Evaluate(axeRun, &violations, func(e *cdpruntime.EvaluateParams) *cdpruntime.EvaluateParams { return e.WithAwaitPromise(true) }))
	if err != nil {
		p.t.Errorf("run axe-core on %s: %v", loc, err)
		return
	}
	for _, v := range violations {
		var nodes []string
		for _, n := range v.Nodes {
			nodes = append(nodes, fmt.Sprintf("%v %s", n.Target, n.HTML))
		}
		p.t.Errorf("accessibility: %s (%s) on %s: %s\n\t%s", v.ID, v.Impact, loc, v.Help, strings.Join(nodes, "\n\t"))
	}
}
