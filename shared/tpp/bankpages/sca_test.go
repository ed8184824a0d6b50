package bankpages_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bank/devportal/shared/tpp/bankpages"
	tpproutes "github.com/bank/devportal/shared/tpp/routes"
	"github.com/bank/devportal/shared/tpp/sca"
)

// auths are the authorisations the pages decide: each opens while undecided; a decoupled
// one is decided by its customer only. decided records "<ref> <customer> <approve>".
type auths struct {
	mu      sync.Mutex
	open    map[sca.Ref]sca.Opened
	decided []string
	// refuse is the refusal of a customer who may not sign, by "<authorisation> <customer>":
	// nothing is decided.
	refuse map[string]error
}

func (a *auths) Open(_ context.Context, ref sca.Ref) (sca.Opened, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	o, ok := a.open[ref]
	if !ok {
		return o, sca.ErrUnknown
	}
	if o.Status.Final() {
		return o, sca.ErrNotOpen
	}
	return o, nil
}

func (a *auths) Decide(ctx context.Context, ref sca.Ref, customer string, approve bool) (sca.Authorisation, error) {
	o, err := a.Open(ctx, ref)
	if err != nil {
		return o.Authorisation, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if o.Approach == sca.Decoupled && o.CustomerID != customer {
		return o.Authorisation, sca.ErrNotTheirs
	}
	if err := a.refuse[ref.ID+" "+customer]; err != nil && approve {
		return o.Authorisation, err
	}
	o.Status = sca.Failed
	if approve {
		o.Status = sca.Finalised
	}
	a.open[ref] = o
	a.decided = append(a.decided, ref.ID+" "+customer+" "+map[bool]string{true: "approve", false: "deny"}[approve])
	return o.Authorisation, nil
}

func (a *auths) WaitingFor(_ context.Context, customer string) ([]sca.Opened, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []sca.Opened
	for _, o := range a.open {
		if o.Approach == sca.Decoupled && o.CustomerID == customer && !o.Status.Final() {
			out = append(out, o)
		}
	}
	return out, nil
}

// scaWorld is the pages with authorisations: r1 and r2 redirect ones of app-1, d1 a
// decoupled one of Anna (psu-1), d2 one of Bart (psu-2).
func scaWorld(t *testing.T) (*world, *auths) {
	a := &auths{open: map[sca.Ref]sca.Opened{}}
	exp := time.Date(2026, 12, 6, 12, 15, 0, 0, time.UTC)
	for _, o := range []sca.Opened{
		{Authorisation: sca.Authorisation{ID: "r1", Kind: sca.Payment, ResourceID: "p1", AppID: "app-1", OrgID: "org-1", Approach: sca.Redirect, Status: sca.Received,
			RedirectURI: "https://tpp.example/ok", NokRedirectURI: "https://nok.example/no", ExpiresAt: exp}, Resource: sca.Resource{Summary: "Pay 12.00 EUR to Shop."}},
		{Authorisation: sca.Authorisation{ID: "r2", Kind: sca.Payment, ResourceID: "p2", AppID: "app-1", OrgID: "org-1", Approach: sca.Redirect, Status: sca.Received,
			ExpiresAt: exp}, Resource: sca.Resource{Summary: "Pay 1.00 EUR to Shop."}},
		{Authorisation: sca.Authorisation{ID: "d1", Kind: sca.AISConsent, ResourceID: "c1", AppID: "app-2", OrgID: "org-1", Approach: sca.Decoupled, Status: sca.Started,
			CustomerID: "psu-1", ExpiresAt: exp}, Resource: sca.Resource{Summary: "See your balances."}},
		{Authorisation: sca.Authorisation{ID: "d2", Kind: sca.Payment, ResourceID: "p3", AppID: "app-2", OrgID: "org-1", Approach: sca.Decoupled, Status: sca.Started,
			CustomerID: "psu-2", ExpiresAt: exp}, Resource: sca.Resource{Summary: "Pay 2.00 EUR to Bakery."}},
	} {
		a.open[o.Ref()] = o
	}
	w := &world{}
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	pages, err := bankpages.New(bankpages.Options{Secret: []byte(strings.Repeat("k", 32)), Customers: bank{}, Organizations: orgs{"org-1": "Budget Buddy Ltd", "org-1/app-1": "Budget Buddy", "org-1/app-2": "Buddy Card"},
		Consents: newHeld(), Authorisations: a, Logins: []string{"anna.peeters", "bart.jacobs"}, Now: func() time.Time { return now },
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	pages.Attach(&decider{waiting: map[string]string{}})
	mux := http.NewServeMux()
	handlers := pages.Handlers()
	for _, rt := range tpproutes.Browser {
		if h, ok := handlers[rt.Name]; ok {
			mux.Handle(rt.Pattern(), h)
		}
	}
	w.srv = httptest.NewServer(mux)
	t.Cleanup(w.srv.Close)
	return w, a
}

func refLink(id, resource string, kind sca.Kind) string {
	return sca.RedirectPagePath + "?" + url.Values{sca.RefParam: {sca.Ref{Kind: kind, ResourceID: resource, ID: id}.String()}}.Encode()
}

// TestRedirectPage: the scaRedirect link opens the bank's session, the customer signs in,
// sees what the app asks and decides; the browser goes back to TPP-Redirect-URI when
// approved, TPP-Nok-Redirect-URI when denied, with a form-action that allows them. A
// decided or unknown authorisation, and a form without the session's CSRF token, are
// refused and decide nothing.
func TestRedirectPage(t *testing.T) {
	w, a := scaWorld(t)
	b := w.browser(t)
	p := b.get(refLink("r1", "p1", sca.Payment))
	if p.status != 200 || !strings.Contains(p.body, `<main id="page-sign-in">`) || !strings.Contains(p.body, "Budget Buddy</strong>, an app of <strong id=\"org-name\">Budget Buddy Ltd</strong>, sent you here to authorise") {
		t.Fatalf("begin: %d %s", p.status, p.body)
	}
	p = b.signIn("anna.peeters")
	if p.status != 200 || !strings.Contains(p.body, `<main id="page-sca">`) || !strings.Contains(p.body, "Pay 12.00 EUR to Shop.") {
		t.Fatalf("after sign-in: %d %s", p.status, p.body)
	}
	if csp := p.header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' https://tpp.example https://nok.example;") {
		t.Fatalf("CSP %q", csp)
	}
	if p = b.post(bankpages.SCAPath, url.Values{"decision": {"approve"}, "csrf": {"forged"}}); p.status != 403 || len(a.decided) != 0 {
		t.Fatalf("a forged form: %d %v", p.status, a.decided)
	}
	p = b.post(bankpages.SCAPath, url.Values{"decision": {"approve"}})
	if p.status != 303 || p.location != "https://tpp.example/ok" || strings.Join(a.decided, ";") != "r1 psu-1 approve" {
		t.Fatalf("approve: %d %s %v", p.status, p.location, a.decided)
	}
	if p = w.browser(t).get(refLink("r1", "p1", sca.Payment)); p.status != 410 {
		t.Fatalf("a decided authorisation: %d %s", p.status, p.body)
	}
	if p = w.browser(t).get(refLink("nothing", "p1", sca.Payment)); p.status != 410 {
		t.Fatalf("an unknown authorisation: %d", p.status)
	}
	if p = w.browser(t).get(refLink("d1", "c1", sca.AISConsent)); p.status != 410 {
		t.Fatalf("a decoupled authorisation on the redirect page: %d", p.status)
	}
	// Denied without a Nok URI: the page says nothing was authorised.
	b = w.browser(t)
	b.get(refLink("r2", "p2", sca.Payment))
	b.signIn("bart.jacobs")
	p = b.post(bankpages.SCAPath, url.Values{"decision": {"deny"}})
	if p.status != 200 || !strings.Contains(p.body, "Nothing was authorised") || a.decided[1] != "r2 psu-2 deny" {
		t.Fatalf("deny: %d %s %v", p.status, p.body, a.decided)
	}
}

// TestBankApp: the bank's app asks the customer to sign in, lists their decoupled
// authorisations (not another's), and decides one; another customer's is refused and
// nothing is decided.
func TestBankApp(t *testing.T) {
	w, a := scaWorld(t)
	bart := w.browser(t)
	if p := bart.get(bankpages.AppPath); p.status != 200 || !strings.Contains(p.body, `<main id="page-sign-in">`) {
		t.Fatalf("before signing in: %d %s", p.status, p.body)
	}
	p := bart.signIn("bart.jacobs")
	if p.status != 200 || !strings.Contains(p.body, `<main id="page-app">`) || !strings.Contains(p.body, "Pay 2.00 EUR to Bakery.") || strings.Contains(p.body, "See your balances.") {
		t.Fatalf("Bart's app: %d %s", p.status, p.body)
	}
	ref := sca.Ref{Kind: sca.AISConsent, ResourceID: "c1", ID: "d1"}.String()
	if p = bart.post(bankpages.AppPath, url.Values{"authorisation": {ref}, "decision": {"approve"}}); p.status != 404 || len(a.decided) != 0 {
		t.Fatalf("another's authorisation: %d %v", p.status, a.decided)
	}
	anna := w.browser(t)
	anna.get(bankpages.AppPath)
	p = anna.signIn("anna.peeters")
	if p.status != 200 || !strings.Contains(p.body, "See your balances.") || !strings.Contains(p.body, "Buddy Card") {
		t.Fatalf("Anna's app: %d %s", p.status, p.body)
	}
	p = anna.post(bankpages.AppPath, url.Values{"authorisation": {ref}, "decision": {"approve"}})
	if p.status != 200 || !strings.Contains(p.body, `id="notice"`) || strings.Contains(p.body, "See your balances.") || strings.Join(a.decided, ";") != "d1 psu-1 approve" {
		t.Fatalf("approved: %d %s %v", p.status, p.body, a.decided)
	}
}

// TestSignatoryRefusedOnThePages: a customer who may not sign a payment that needs several
// signatories (another signatory's already, or none of the account's) is told so on the
// redirect page and in the bank's app; nothing is decided, and the redirect page stays
// open for a signatory.
func TestSignatoryRefusedOnThePages(t *testing.T) {
	w, a := scaWorld(t)
	a.refuse = map[string]error{"r1 psu-1": sca.ErrNotSignatory, "d2 psu-2": sca.ErrAlreadySigned}
	b := w.browser(t)
	b.get(refLink("r1", "p1", sca.Payment))
	b.signIn("anna.peeters")
	p := b.post(bankpages.SCAPath, url.Values{"decision": {"approve"}})
	if p.status != 403 || !strings.Contains(p.body, "You are not a signatory of the account this payment is paid from. One of its signatories signs in and approves it. Nothing was changed.") || len(a.decided) != 0 {
		t.Fatalf("no signatory: %d %s %v", p.status, p.body, a.decided)
	}
	if p := w.browser(t).get(refLink("r1", "p1", sca.Payment)); p.status != 200 || !strings.Contains(p.body, `<main id="page-sign-in">`) {
		t.Fatalf("the page after the refusal: %d %s", p.status, p.body)
	}
	bart := w.browser(t)
	bart.get(bankpages.AppPath)
	bart.signIn("bart.jacobs")
	ref := sca.Ref{Kind: sca.Payment, ResourceID: "p3", ID: "d2"}.String()
	p = bart.post(bankpages.AppPath, url.Values{"authorisation": {ref}, "decision": {"approve"}})
	if p.status != 403 || !strings.Contains(p.body, "You have signed this payment already. It needs the signature of another signatory of the account: they sign in and approve it. Nothing was changed.") || len(a.decided) != 0 {
		t.Fatalf("the same signatory twice: %d %s %v", p.status, p.body, a.decided)
	}
}
