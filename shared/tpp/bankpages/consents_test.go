package bankpages_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/bank/devportal/shared/tpp/bankpages"
	"github.com/bank/devportal/shared/tpp/oauth"
)

const untouched = "psu-1:c-new=valid psu-1:f-1=valid psu-1:c-old=revokedByPsu psu-2:c-bart=valid; revoked "

// direct is a customer who came to the bank directly and signed in as login: they land
// on their consents.
func (b *browser) direct(login string) page {
	b.t.Helper()
	if p := b.get(bankpages.ConsentsPath); p.status != 200 || !strings.Contains(p.body, `<p id="direct">`) {
		b.t.Fatalf("their consents before signing in: %d %s", p.status, p.body)
	}
	p := b.signIn(login)
	if p.status != 200 || !strings.Contains(p.body, `<main id="page-consents">`) {
		b.t.Fatalf("signing in: %d %s", p.status, p.body)
	}
	return p
}

func TestYourConsents(t *testing.T) {
	w := newWorld(t)
	p := w.browser(t).direct("anna.peeters")
	for _, want := range []string{
		`You are signed in as <strong id="customer">Anna Peeters</strong> (anna.peeters).</p>`,
		// Newest first, each with its app and organization, what it gives, its status in
		// plain words, until when, and Revoke for the valid ones.
		`<section class="consent" id="consent-c-new">
<h2><span class="app-name">Budget Buddy</span>, an app of <span class="org-name">Budget Buddy Ltd</span></h2>
<p class="summary">See the transactions of BE71 9680 0000 0169, until 2027-06-04, up to 4 times a day without you.</p>
<p>Status: <strong class="status">Active</strong> (<code>valid</code>) · valid until <span class="valid-until">2027-06-04</span> · given on 2026-12-05</p>
<form method="post" action="/sandbox-bank/consents/revoke">`,
		`<input type="hidden" name="kind" value="AIS">
<input type="hidden" name="id" value="c-new">
<button type="submit" id="revoke-c-new">Revoke…</button>`,
		`<h2><span class="app-name">Buddy Card</span>, an app of <span class="org-name">Budget Buddy Ltd</span></h2>
<p class="summary">Let the card issuer check whether account BE71968000000169 holds enough money for a payment (yes or no, nothing more).</p>
<p>Status: <strong class="status">Active</strong> (<code>valid</code>) · until you or the app end it · given on 2026-12-04</p>`,
		`<input type="hidden" name="kind" value="PIIS">
<input type="hidden" name="id" value="f-1">`,
		`<section class="consent" id="consent-c-old">
<h2><span class="app-name">an app no longer registered</span>, an app of <span class="org-name">Budget Buddy Ltd</span></h2>
<p class="summary">See the list of your accounts, once, until 2026-12-31.</p>
<p>Status: <strong class="status">Revoked by you</strong> (<code>revokedByPsu</code>) · valid until <span class="valid-until">2026-12-31</span> · given on 2026-12-01</p>
</section>`,
	} {
		if !strings.Contains(p.body, want) {
			t.Errorf("the page lacks\n%s\nin\n%s", want, p.body)
		}
	}
	if i, j := strings.Index(p.body, `id="consent-c-new"`), strings.Index(p.body, `id="consent-f-1"`); i < 0 || j < i {
		t.Error("the newest consent is not first")
	}
	for _, absent := range []string{`id="revoke-c-old"`, `c-bart`, `id="notice"`, "<script"} {
		if strings.Contains(p.body, absent) {
			t.Errorf("the page has %s", absent)
		}
	}
	if got := w.held.statuses(); got != untouched {
		t.Errorf("listing changed %s", got)
	}
}

func TestNoConsents(t *testing.T) {
	w := newWorld(t)
	w.held.of["psu-2"] = nil
	p := w.browser(t).direct("bart.jacobs")
	if !strings.Contains(p.body, `<p id="none">You have not given any app access to your bank data.</p>`) {
		t.Fatalf("%s", p.body)
	}
}

func TestRevoke(t *testing.T) {
	w := newWorld(t)
	b := w.browser(t)
	b.direct("anna.peeters")

	// Revoke asks first, and changes nothing until the customer confirms.
	p := b.post(bankpages.RevokePath, url.Values{"kind": {"AIS"}, "id": {"c-new"}})
	for _, want := range []string{
		`<h1>Revoke this consent?</h1>`,
		`<p id="question">Do you want to revoke the access of <strong class="app-name">Budget Buddy</strong>, an app of <strong class="org-name">Budget Buddy Ltd</strong>?</p>`,
		`<p>It will no longer be able to: <span class="summary">See the transactions of BE71 9680 0000 0169, until 2027-06-04, up to 4 times a day without you.</span></p>`,
		`<input type="hidden" name="confirm" value="yes">
<button type="submit" id="confirm-revoke">Yes, revoke this consent</button>`,
		`<a id="keep" href="/sandbox-bank/consents">No, keep it</a>`,
	} {
		if p.status != 200 || !strings.Contains(p.body, want) {
			t.Errorf("%d: the confirmation lacks\n%s\nin\n%s", p.status, want, p.body)
		}
	}
	if got := w.held.statuses(); got != untouched {
		t.Fatalf("asking changed %s", got)
	}

	// Confirmed, it is revoked, and the list says so once.
	p = b.post(bankpages.RevokePath, url.Values{"kind": {"AIS"}, "id": {"c-new"}, "confirm": {"yes"}})
	for _, want := range []string{
		`<p class="notice" id="notice" role="status">You revoked the access of Budget Buddy. It can no longer use this consent.</p>`,
		`<p>Status: <strong class="status">Revoked by you</strong> (<code>revokedByPsu</code>) · valid until <span class="valid-until">2027-06-04</span> · given on 2026-12-05</p>`,
	} {
		if p.status != 200 || !strings.Contains(p.body, want) {
			t.Errorf("%d: the list lacks\n%s\nin\n%s", p.status, want, p.body)
		}
	}
	if strings.Contains(p.body, `id="revoke-c-new"`) {
		t.Error("a revoked consent can be revoked")
	}
	if got, want := w.held.statuses(), "psu-1:c-new=revokedByPsu psu-1:f-1=valid psu-1:c-old=revokedByPsu psu-2:c-bart=valid; revoked AIS c-new psu-1"; got != want {
		t.Fatalf("after revoking: %s, want %s", got, want)
	}
	if again := b.get(bankpages.ConsentsPath); strings.Contains(again.body, `id="notice"`) {
		t.Error("the notice shows twice")
	}

	// A confirmation-of-funds consent is revoked the same way.
	b.post(bankpages.RevokePath, url.Values{"kind": {"PIIS"}, "id": {"f-1"}, "confirm": {"yes"}})
	if got, want := w.held.statuses(), "psu-1:c-new=revokedByPsu psu-1:f-1=revokedByPsu psu-1:c-old=revokedByPsu psu-2:c-bart=valid; revoked AIS c-new psu-1, PIIS f-1 psu-1"; got != want {
		t.Fatalf("after revoking the funds consent: %s, want %s", got, want)
	}
}

// TestRevokeRefused: a consent the customer does not hold valid, or a form not of this
// session, is refused, and nothing changes.
func TestRevokeRefused(t *testing.T) {
	notTheirs := `<p id="message">You hold no active consent with this ID: it is not yours, or it has already ended. Nothing was changed.</p><p><a id="back" href="/sandbox-bank/consents">Back to your consents</a></p>`
	cases := []struct {
		name   string
		form   url.Values
		status int
		want   string
	}{
		{"another customer's consent", url.Values{"kind": {"AIS"}, "id": {"c-bart"}, "confirm": {"yes"}}, 404, notTheirs},
		{"another customer's consent, unconfirmed", url.Values{"kind": {"AIS"}, "id": {"c-bart"}}, 404, notTheirs},
		{"one already revoked", url.Values{"kind": {"AIS"}, "id": {"c-old"}, "confirm": {"yes"}}, 404, notTheirs},
		{"one that does not exist", url.Values{"kind": {"AIS"}, "id": {"c-none"}, "confirm": {"yes"}}, 404, notTheirs},
		{"the wrong kind", url.Values{"kind": {"PIIS"}, "id": {"c-new"}, "confirm": {"yes"}}, 404, notTheirs},
		{"no CSRF token", url.Values{"kind": {"AIS"}, "id": {"c-new"}, "confirm": {"yes"}, "csrf": {""}}, 403,
			`<p id="message">The form did not come from this bank page, or the page is out of date. Nothing was changed`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			b := w.browser(t)
			b.direct("anna.peeters")
			p := b.post(bankpages.RevokePath, c.form)
			if p.status != c.status || !strings.Contains(p.body, c.want) {
				t.Fatalf("%d, want %d with %s:\n%s", p.status, c.status, c.want, p.body)
			}
			if got := w.held.statuses(); got != untouched {
				t.Fatalf("the refusal changed %s", got)
			}
		})
	}
	t.Run("not signed in", func(t *testing.T) {
		w := newWorld(t)
		b := w.browser(t)
		b.get(bankpages.ConsentsPath)
		p := b.post(bankpages.RevokePath, url.Values{"kind": {"AIS"}, "id": {"c-new"}, "confirm": {"yes"}})
		if p.status != 200 || !strings.Contains(p.body, `<p id="direct">`) {
			t.Fatalf("%d %s", p.status, p.body)
		}
		if got := w.held.statuses(); got != untouched {
			t.Fatalf("the refusal changed %s", got)
		}
	})
}

// TestConsentsBesideARequest: a customer sent by an app finds their consents from the
// consent page, and goes back to the request from there; a customer who came directly
// has no request to decide.
func TestConsentsBesideARequest(t *testing.T) {
	w := newWorld(t)
	b := w.browser(t)
	b.begin("AIS:c1")
	p := b.signIn("anna.peeters")
	if !strings.Contains(p.body, `<a id="your-consents" href="/sandbox-bank/consents">Your consents</a>`) {
		t.Fatalf("the consent page has no link to the customer's consents:\n%s", p.body)
	}
	p = b.get(bankpages.ConsentsPath)
	if !strings.Contains(p.body, `<a id="back-to-request" href="/sandbox-bank/consent">Back to the request of Budget Buddy</a>`) || !strings.Contains(p.body, `id="consent-c-new"`) {
		t.Fatalf("the consents beside a request:\n%s", p.body)
	}
	if p := b.get(bankpages.ConsentPath); !strings.Contains(p.body, `<main id="page-consent">`) {
		t.Fatalf("back to the request: %d %s", p.status, p.body)
	}

	d := w.browser(t)
	d.direct("anna.peeters")
	for _, path := range []string{bankpages.ConsentPath, bankpages.ScenarioPath} {
		p := d.post(path, url.Values{"decision": {"approve"}, "scenario": {"approve"}, "login": {"anna.peeters"}})
		if p.status != 400 || !strings.Contains(p.body, `<p id="message">You came to the bank directly: no app asked you for anything. Nothing was changed.</p>`) {
			t.Fatalf("%s in a direct session: %d %s", path, p.status, p.body)
		}
	}
	// The consent page of a direct session is the customer's consents.
	if p := d.get(bankpages.ConsentPath); !strings.Contains(p.body, `<main id="page-consents">`) {
		t.Fatalf("the consent page of a direct session: %d %s", p.status, p.body)
	}
	if got := w.decider.endings(); got != "" {
		t.Errorf("the server saw %q", got)
	}
}

// TestDirectSessionEnds: a customer who came directly and stayed away longer than a
// session lasts signs in again; their forms of before are not taken.
func TestDirectSessionEnds(t *testing.T) {
	w := newWorld(t)
	b := w.browser(t)
	b.direct("anna.peeters")
	start := *w.clock.Load()
	later := start.Add(oauth.PendingLifespan)
	w.clock.Store(&later)
	defer w.clock.Store(&start)
	csrf := b.csrf
	if p := b.post(bankpages.RevokePath, url.Values{"kind": {"AIS"}, "id": {"c-new"}, "confirm": {"yes"}, "csrf": {csrf}}); p.status != 200 || !strings.Contains(p.body, `<p id="direct">`) {
		t.Fatalf("a revocation after the session ended: %d %s", p.status, p.body)
	}
	if p := b.get(bankpages.ConsentsPath); p.status != 200 || !strings.Contains(p.body, `<p id="direct">`) {
		t.Fatalf("the consents after the session ended: %d %s", p.status, p.body)
	}
	if got := w.held.statuses(); got != untouched {
		t.Fatalf("%s", got)
	}
}
