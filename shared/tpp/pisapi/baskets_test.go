package pisapi_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bank/devportal/shared/tpp/baskets"
	"github.com/bank/devportal/shared/tpp/consents"
	"github.com/bank/devportal/shared/tpp/consents/consentdb"
	"github.com/bank/devportal/shared/tpp/piis"
	"github.com/bank/devportal/shared/tpp/sca"
	"github.com/bank/devportal/shared/tpp/sca/scatarget"
)

// consent makes a received account-information consent of app on the account iban.
func (w *world) consent(t *testing.T, app, iban string) string {
	t.Helper()
	svc := &consents.Service{Store: consentdb.New(w.db, w.tbl), Now: func() time.Time { return w.now }}
	yes, four := true, 4
	c, err := svc.Create(context.Background(), consents.Owner{AppID: app, OrgID: "org-" + app},
		consents.Request{Access: &consents.Access{Accounts: []consents.AccountReference{{IBAN: iban}}}, RecurringIndicator: &yes,
			ValidUntil: "2027-03-01", FrequencyPerDay: &four, CombinedServiceIndicator: new(bool)}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	return c.ID
}

// fundsConsent makes a received confirmation-of-funds consent of app on the account iban.
func (w *world) fundsConsent(t *testing.T, app, iban string) string {
	t.Helper()
	c, err := w.funds().Create(context.Background(), consents.Owner{AppID: app, OrgID: "org-" + app},
		piis.Request{Account: &consents.AccountReference{IBAN: iban}, CardNumber: "1234-5678"})
	if err != nil {
		t.Fatal(err)
	}
	return c.ID
}

func (w *world) funds() *piis.Service {
	return &piis.Service{Store: consentdb.NewPIIS(w.db, w.tbl), Bank: w.bank, Now: func() time.Time { return w.now }}
}

func (w *world) consentStatus(t *testing.T, id string) consents.Status {
	t.Helper()
	c, err := (&consents.Service{Store: consentdb.New(w.db, w.tbl)}).Find(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c.Status
}

func (w *world) basket(t *testing.T, id string) baskets.Basket {
	t.Helper()
	b, err := scatarget.BasketsOf(w.sca).Find(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// redirectPreferred asks for the bank's redirect page.
var redirectPreferred = map[string]string{"TPP-Redirect-Preferred": "true", "TPP-Redirect-URI": "https://tpp.example/callback"}

func basketBody(payments, consents []string) string {
	q := func(ids []string) string { return `["` + strings.Join(ids, `","`) + `"]` }
	switch {
	case consents == nil:
		return `{"paymentIds":` + q(payments) + `}`
	case payments == nil:
		return `{"consentIds":` + q(consents) + `}`
	}
	return `{"paymentIds":` + q(payments) + `,"consentIds":` + q(consents) + `}`
}

// createBasket creates a basket of the payment and consent IDs with the headers: its path.
func (j *journey) createBasket(payments, consents []string, headers map[string]string) string {
	j.t.Helper()
	status, out, _ := j.do("POST", "/v1/signing-baskets", headers, basketBody(payments, consents))
	if status != 201 {
		j.t.Fatalf("create basket: %d %v", status, out)
	}
	return "/v1/signing-baskets/" + out["basketId"].(string)
}

// TestSigningBasketEmbedded puts two payments and a consent in a basket and authorises it
// with one embedded SCA, each answer checked: both payments are executed once (the ledger
// moves once), the consent is valid, the basket ACTC, and nothing more can be done with it.
func TestSigningBasketEmbedded(t *testing.T) {
	w := newWorld(t)
	j := &journey{t: t, w: w, app: "app-1"}
	p1, _, _ := j.initiate("payments", single("12.00", creditorIBAN), nil)
	p2, _, _ := j.initiate("payments", single("3.00", creditorIBAN), nil)
	c := w.consent(t, "app-1", debtorIBAN)
	before, creditorBefore := w.booked(t, "acc-debtor"), w.booked(t, "acc-creditor")

	status, out, h := j.do("POST", "/v1/signing-baskets", embedded, basketBody([]string{idOf(p1), idOf(p2)}, []string{c}))
	path := "/v1/signing-baskets/" + fmt.Sprint(out["basketId"])
	if status != 201 || out["transactionStatus"] != "RCVD" || h.Get("Location") != path || h.Get("ASPSP-SCA-Approach") != "EMBEDDED" ||
		href(out["_links"], "startAuthorisationWithPsuAuthentication") != path+"/authorisations" || href(out["_links"], "self") != path ||
		href(out["_links"], "status") != path+"/status" || linkNames(out) != "[self startAuthorisationWithPsuAuthentication status]" {
		t.Fatalf("create: %d %v %v", status, out, h)
	}
	status, out, _ = j.do("GET", path, nil, "")
	if status != 200 || fmt.Sprint(out["payments"]) != fmt.Sprint([]string{idOf(p1), idOf(p2)}) || fmt.Sprint(out["consents"]) != "["+c+"]" ||
		out["transactionStatus"] != "RCVD" || href(out["_links"], "startAuthorisation") != path+"/authorisations" {
		t.Fatalf("get: %d %v", status, out)
	}
	if status, out, _ = j.do("GET", path+"/status", nil, ""); status != 200 || fmt.Sprint(out) != "map[transactionStatus:RCVD]" {
		t.Fatalf("status: %d %v", status, out)
	}

	status, out, h = j.do("POST", path+"/authorisations", map[string]string{"TPP-Redirect-Preferred": "false", "PSU-ID": "one"}, password)
	self := path + "/authorisations/" + fmt.Sprint(out["authorisationId"])
	if status != 201 || out["scaStatus"] != "psuAuthenticated" || h.Get("ASPSP-SCA-Approach") != "EMBEDDED" || h.Get("Location") != self ||
		href(out["_links"], "selectAuthenticationMethod") != self {
		t.Fatalf("start: %d %v %v", status, out, h)
	}
	for i, step := range []struct {
		body, scaStatus, links string
	}{
		{`{"authenticationMethodId":"sms"}`, "scaMethodSelected", "[authoriseTransaction scaStatus]"},
		{code, "finalised", "[scaStatus]"},
	} {
		status, out, _ := j.do("PUT", self, nil, step.body)
		if status != 200 || out["scaStatus"] != step.scaStatus || linkNames(out) != step.links {
			t.Fatalf("step %d: %d %v", i, status, out)
		}
	}
	if got := w.basket(t, idOf(path)); got.Status != baskets.Accepted || got.Subject != "psu-1" {
		t.Errorf("basket: %+v", got)
	}
	for _, p := range []string{p1, p2} {
		if got := w.status(t, idOf(p)); got.Status != "ACCC" || got.Subject != "psu-1" {
			t.Errorf("payment %s: %s by %q", p, got.Status, got.Subject)
		}
	}
	if got := w.consentStatus(t, c); got != consents.Valid {
		t.Errorf("consent: %s", got)
	}
	if got, want := w.booked(t, "acc-debtor"), before-1500; got != want {
		t.Errorf("debtor booked %d, want %d", got, want)
	}
	if got, want := w.booked(t, "acc-creditor"), creditorBefore+1500; got != want {
		t.Errorf("creditor booked %d, want %d", got, want)
	}

	// Authorised: read, listed, and nothing more to do.
	for _, c := range []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"GET", path + "/status", "", 200, "map[transactionStatus:ACTC]"},
		{"GET", self, "", 200, "map[scaStatus:finalised]"},
		{"GET", path + "/authorisations", "", 200, "map[authorisationIds:[" + idOf(self) + "]]"},
		{"POST", path + "/authorisations", "", 409, "STATUS_INVALID"},
		{"PUT", self, code, 409, "STATUS_INVALID"},
		{"DELETE", path, "", 409, "STATUS_INVALID"},
	} {
		status, out, _ := j.do(c.method, c.path, embedded, c.body)
		got := fmt.Sprint(out)
		if status >= 400 {
			got = messages(out)
		}
		if status != c.status || got != c.want {
			t.Errorf("%s %s: %d %s, want %d %s", c.method, c.path, status, got, c.status, c.want)
		}
	}
	if got := w.booked(t, "acc-debtor"); got != before-1500 {
		t.Errorf("debtor booked %d after the refusals, want %d", got, before-1500)
	}
	got, out, _ := j.do("GET", path, nil, "")
	if got != 200 || out["transactionStatus"] != "ACTC" || linkNames(out) != "[self status]" {
		t.Errorf("get after: %d %v", got, out)
	}
}

// TestSigningBasketRefusals: each refused creation and call answers its exact status and
// codes, and leaves the table as it was.
func TestSigningBasketRefusals(t *testing.T) {
	w := newWorld(t)
	j := &journey{t: t, w: w, app: "app-1"}
	p1, _, _ := j.initiate("payments", single("1.00", creditorIBAN), nil)
	p2, _, _ := j.initiate("payments", single("2.00", creditorIBAN), nil)
	taken, _, _ := j.initiate("payments", single("4.00", creditorIBAN), nil)
	rejected, _, _ := j.initiate("payments", single("5.00", creditorIBAN), nil)
	if err := w.svc.Reject(context.Background(), idOf(rejected)); err != nil {
		t.Fatal(err)
	}
	other := (&journey{t: t, w: w, app: "app-2"})
	theirs, _, _ := other.initiate("payments", single("6.00", creditorIBAN), nil)
	c := w.consent(t, "app-1", debtorIBAN)
	basket := j.createBasket([]string{idOf(taken)}, nil, nil)
	theirBasket := other.createBasket([]string{idOf(theirs)}, nil, nil)

	before := w.state(t)
	for _, c := range []struct {
		name, method, path, contentType, body string
		status                                int
		want                                  string
	}{
		{"empty", "POST", "/v1/signing-baskets", "application/json", `{}`, 400, "FORMAT_ERROR body"},
		{"empty list", "POST", "/v1/signing-baskets", "application/json", `{"paymentIds":[],"consentIds":["` + c + `"]}`, 400, "FORMAT_ERROR paymentIds"},
		{"twice", "POST", "/v1/signing-baskets", "application/json", basketBody([]string{idOf(p1), idOf(p1)}, nil), 400, "FORMAT_ERROR paymentIds[1]"},
		{"unknown field", "POST", "/v1/signing-baskets", "application/json", `{"payments":["` + idOf(p1) + `"]}`, 400, "FORMAT_ERROR body"},
		{"not JSON", "POST", "/v1/signing-baskets", "application/xml", `<basket/>`, 415, "FORMAT_ERROR"},
		{"unknown payment", "POST", "/v1/signing-baskets", "application/json", basketBody([]string{idOf(p1), "nothing"}, nil), 400, "RESOURCE_UNKNOWN"},
		{"another app's payment", "POST", "/v1/signing-baskets", "application/json", basketBody([]string{idOf(theirs)}, nil), 400, "RESOURCE_UNKNOWN"},
		{"a payment as a consent", "POST", "/v1/signing-baskets", "application/json", basketBody(nil, []string{idOf(p1)}), 400, "RESOURCE_UNKNOWN"},
		{"rejected payment", "POST", "/v1/signing-baskets", "application/json", basketBody([]string{idOf(p2), idOf(rejected)}, nil), 409, "REFERENCE_STATUS_INVALID"},
		{"in another basket", "POST", "/v1/signing-baskets", "application/json", basketBody([]string{idOf(p2), idOf(taken)}, []string{c}), 409, "REFERENCE_STATUS_INVALID"},
		{"another app's basket", "GET", theirBasket, "", "", 404, "RESOURCE_UNKNOWN"},
		{"another app's status", "GET", theirBasket + "/status", "", "", 404, "RESOURCE_UNKNOWN"},
		{"delete another app's", "DELETE", theirBasket, "", "", 404, "RESOURCE_UNKNOWN"},
		{"start another app's", "POST", theirBasket + "/authorisations", "", "", 404, "RESOURCE_UNKNOWN"},
		{"list another app's", "GET", theirBasket + "/authorisations", "", "", 404, "RESOURCE_UNKNOWN"},
		{"unknown basket", "GET", "/v1/signing-baskets/nothing", "", "", 404, "RESOURCE_UNKNOWN"},
		{"unknown authorisation", "GET", basket + "/authorisations/nothing", "", "", 404, "RESOURCE_UNKNOWN"},
		{"update unknown authorisation", "PUT", basket + "/authorisations/nothing", "application/json", code, 404, "RESOURCE_UNKNOWN"},
	} {
		t.Run(c.name, func(t *testing.T) {
			j.t = t
			j.n++
			r := call(c.method, c.path, "app-1", reqID(1000+j.n), c.contentType, c.body)
			rec, out := w.send(t, r)
			if rec.Code != c.status || messages(out) != c.want {
				t.Errorf("%d %s, want %d %s", rec.Code, messages(out), c.status, c.want)
			}
		})
	}
	j.t = t
	if after := w.state(t); after != before {
		t.Errorf("the refusals changed the table: %s, then %s", before, after)
	}
}

// TestSigningBasketDelete: a basket not yet authorised is deleted, then reads CANC and
// can be neither deleted again nor authorised; its members wait as before and may go in
// another basket; a deleted basket's authorisation fails.
func TestSigningBasketDelete(t *testing.T) {
	w := newWorld(t)
	j := &journey{t: t, w: w, app: "app-1"}
	p, _, _ := j.initiate("payments", single("1.00", creditorIBAN), nil)
	c := w.consent(t, "app-1", debtorIBAN)
	path := j.createBasket([]string{idOf(p)}, []string{c}, nil)
	status, out, _ := j.do("POST", path+"/authorisations", redirectPreferred, "")
	if status != 201 || out["scaStatus"] != "received" || !strings.Contains(href(out["_links"], "scaRedirect"), url.QueryEscape("SBS."+idOf(path)+".")) {
		t.Fatalf("start: %d %v", status, out)
	}
	self := path + "/authorisations/" + fmt.Sprint(out["authorisationId"])
	for _, c := range []struct {
		method, path string
		status       int
		want         string
	}{
		{"DELETE", path, 204, ""},
		{"GET", path, 200, ""},
		{"GET", path + "/status", 200, ""},
		{"DELETE", path, 409, "STATUS_INVALID"},
		{"POST", path + "/authorisations", 409, "STATUS_INVALID"},
		{"GET", self, 200, ""},
	} {
		status, out, _ := j.do(c.method, c.path, nil, "")
		if status != c.status || messages(out) != c.want {
			t.Errorf("%s %s: %d %s, want %d %s", c.method, c.path, status, messages(out), c.status, c.want)
		}
	}
	// The cancelled basket reads CANC, with no link to authorise it; its authorisation
	// that was under way failed with it.
	if status, out, _ := j.do("GET", path, nil, ""); status != 200 || out["transactionStatus"] != "CANC" || linkNames(out) != "[self status]" {
		t.Errorf("get cancelled: %d %v", status, out)
	}
	if status, out, _ := j.do("GET", path+"/status", nil, ""); status != 200 || fmt.Sprint(out) != "map[transactionStatus:CANC]" {
		t.Errorf("status cancelled: %d %v", status, out)
	}
	if status, out, _ := j.do("GET", self, nil, ""); status != 200 || out["scaStatus"] != "failed" {
		t.Errorf("sca status of the cancelled basket's authorisation: %d %v", status, out)
	}
	if got := w.basket(t, idOf(path)); got.Status != baskets.Cancelled {
		t.Errorf("deleted basket: %s", got.Status)
	}
	if _, err := w.sca.Open(context.Background(), sca.Ref{Kind: sca.SigningBasket, ResourceID: idOf(path), ID: idOf(self)}); err != sca.ErrNotOpen {
		t.Errorf("the deleted basket's authorisation at the bank: %v", err)
	}
	if got := w.status(t, idOf(p)); got.Status != "RCVD" {
		t.Errorf("payment: %s", got.Status)
	}
	if got := w.consentStatus(t, c); got != consents.Received {
		t.Errorf("consent: %s", got)
	}
	j.createBasket([]string{idOf(p)}, []string{c}, nil)
}

// TestSigningBasketApproaches authorises baskets at the bank (the redirect page, the
// decoupled app) as its pages decide: approved, every member is authorised; denied, the
// basket and its members are rejected; a customer who cannot authorise every member (a
// consent on another customer's account) has the basket rejected, and its members wait as
// before, free for another basket.
func TestSigningBasketApproaches(t *testing.T) {
	for _, c := range []struct {
		name          string
		headers       map[string]string
		approach      string
		approve       bool
		consentIBAN   string
		basket        baskets.Status
		payment       string
		consent       consents.Status
		scaStatus     string
		debit, credit int64
	}{
		{"redirect approved", redirectPreferred, "REDIRECT", true, debtorIBAN, baskets.Accepted, "ACCC", consents.Valid, "finalised", 700, 700},
		{"redirect denied", redirectPreferred, "REDIRECT", false, debtorIBAN, baskets.Rejected, "RJCT", consents.Rejected, "failed", 0, 0},
		{"decoupled approved", map[string]string{"TPP-Decoupled-Preferred": "true", "PSU-ID": "one"}, "DECOUPLED", true, debtorIBAN,
			baskets.Accepted, "ACCC", consents.Valid, "finalised", 700, 700},
		{"another customer's consent", redirectPreferred, "REDIRECT", true, creditorIBAN, baskets.Rejected, "RCVD", consents.Received, "failed", 0, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			j := &journey{t: t, w: w, app: "app-1"}
			p, _, _ := j.initiate("payments", single("7.00", creditorIBAN), nil)
			cid := w.consent(t, "app-1", c.consentIBAN)
			debtor, creditor := w.booked(t, "acc-debtor"), w.booked(t, "acc-creditor")
			path := j.createBasket([]string{idOf(p)}, []string{cid}, c.headers)
			status, out, h := j.do("POST", path+"/authorisations", c.headers, "")
			if status != 201 || h.Get("ASPSP-SCA-Approach") != c.approach {
				t.Fatalf("start: %d %v %v", status, out, h)
			}
			ref := sca.Ref{Kind: sca.SigningBasket, ResourceID: idOf(path), ID: out["authorisationId"].(string)}
			if _, err := w.sca.Decide(context.Background(), ref, "psu-1", c.approve); err != nil {
				t.Fatal(err)
			}
			status, out, _ = j.do("GET", path+"/authorisations/"+ref.ID, nil, "")
			if status != 200 || out["scaStatus"] != c.scaStatus {
				t.Errorf("scaStatus: %d %v", status, out)
			}
			if status, out, _ = j.do("GET", path+"/status", nil, ""); status != 200 || out["transactionStatus"] != string(c.basket) {
				t.Errorf("basket: %d %v, want %s", status, out, c.basket)
			}
			if got := w.status(t, idOf(p)); string(got.Status) != c.payment {
				t.Errorf("payment: %s, want %s", got.Status, c.payment)
			}
			if got := w.consentStatus(t, cid); got != c.consent {
				t.Errorf("consent: %s, want %s", got, c.consent)
			}
			if got := debtor - w.booked(t, "acc-debtor"); got != c.debit {
				t.Errorf("debited %d, want %d", got, c.debit)
			}
			if got := w.booked(t, "acc-creditor") - creditor; got != c.credit {
				t.Errorf("credited %d, want %d", got, c.credit)
			}
			if c.payment == "RCVD" {
				j.createBasket([]string{idOf(p)}, []string{cid}, nil)
			}
		})
	}
}

// TestSigningBasketReplay: the same X-Request-ID with the same members is answered as the
// first time (201, the same basket, status and links) and stores nothing more, even once
// the basket is authorised; with other members it is refused as the payments refuse it,
// and nothing changes.
func TestSigningBasketReplay(t *testing.T) {
	w := newWorld(t)
	j := &journey{t: t, w: w, app: "app-1"}
	p1, _, _ := j.initiate("payments", single("1.00", creditorIBAN), nil)
	p2, _, _ := j.initiate("payments", single("2.00", creditorIBAN), nil)
	body := basketBody([]string{idOf(p1)}, nil)
	send := func(body string) (int, map[string]any, string) {
		r := call("POST", "/v1/signing-baskets", "app-1", reqID(7001), "application/json", body)
		r.Header.Set("TPP-Redirect-Preferred", "false")
		rec, out := w.send(t, r)
		return rec.Code, out, rec.Header().Get("Location") + " " + rec.Header().Get("ASPSP-SCA-Approach")
	}
	status, first, headers := send(body)
	if status != 201 {
		t.Fatalf("create: %d %v", status, first)
	}
	before := w.state(t)
	for _, c := range []struct {
		name, body string
		status     int
		want       string
	}{
		{"the same request", body, 201, fmt.Sprint(first)},
		{"other spacing", " { \"paymentIds\" : [ \"" + idOf(p1) + "\" ] } ", 201, fmt.Sprint(first)},
		{"other members", basketBody([]string{idOf(p2)}, nil), 400, "FORMAT_ERROR X-Request-ID"},
		{"a member more", basketBody([]string{idOf(p1), idOf(p2)}, nil), 400, "FORMAT_ERROR X-Request-ID"},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, out, h := send(c.body)
			got := fmt.Sprint(out)
			if status >= 400 {
				got = messages(out)
			} else if h != headers {
				t.Errorf("headers %q, want %q", h, headers)
			}
			if status != c.status || got != c.want {
				t.Errorf("%d %s, want %d %s", status, got, c.status, c.want)
			}
		})
	}
	if after := w.state(t); after != before {
		t.Errorf("the repeated requests changed the table: %s, then %s", before, after)
	}
	path := "/v1/signing-baskets/" + fmt.Sprint(first["basketId"])
	ref := sca.Ref{Kind: sca.SigningBasket, ResourceID: idOf(path)}
	status, out, _ := j.do("POST", path+"/authorisations", map[string]string{"TPP-Decoupled-Preferred": "true", "PSU-ID": "one"}, "")
	if status != 201 {
		t.Fatalf("start: %d %v", status, out)
	}
	ref.ID = out["authorisationId"].(string)
	if _, err := w.sca.Decide(context.Background(), ref, "psu-1", true); err != nil {
		t.Fatal(err)
	}
	if status, out, _ := send(body); status != 201 || fmt.Sprint(out) != fmt.Sprint(first) {
		t.Errorf("after the authorisation: %d %v, want %v", status, out, first)
	}
	if got := w.basket(t, idOf(path)); got.Status != baskets.Accepted {
		t.Errorf("basket: %s", got.Status)
	}
}

// TestSigningBasketOAuth: without a preference a basket is authorised through the OAuth2
// flow with the scope SBS:<basketId>, as a payment with PIS:<paymentId>: its creation
// links the authorization server's metadata (scaOAuth), an authorisation started
// explicitly is an OAuth2 one that reports the scope's approval, and the approval (the
// basket's target, as the authorization server's resources call it) authorises every
// member.
func TestSigningBasketOAuth(t *testing.T) {
	w := newWorld(t)
	j := &journey{t: t, w: w, app: "app-1"}
	p, _, _ := j.initiate("payments", single("6.00", creditorIBAN), nil)
	c := w.consent(t, "app-1", debtorIBAN)
	status, out, h := j.do("POST", "/v1/signing-baskets", nil, basketBody([]string{idOf(p)}, []string{c}))
	path := "/v1/signing-baskets/" + fmt.Sprint(out["basketId"])
	if status != 201 || h.Get("ASPSP-SCA-Approach") != "REDIRECT" || href(out["_links"], "scaOAuth") != metadataURL ||
		linkNames(out) != "[scaOAuth self status]" {
		t.Fatalf("create: %d %v %v", status, out, h)
	}
	status, out, h = j.do("POST", path+"/authorisations", nil, "")
	self := path + "/authorisations/" + fmt.Sprint(out["authorisationId"])
	if status != 201 || out["scaStatus"] != "received" || h.Get("ASPSP-SCA-Approach") != "REDIRECT" || href(out["_links"], "scaOAuth") != metadataURL {
		t.Fatalf("start: %d %v %v", status, out, h)
	}
	if err := w.sca.Targets[sca.SigningBasket].Authorise(context.Background(), idOf(path), "psu-1"); err != nil {
		t.Fatal(err)
	}
	if status, out, _ := j.do("GET", self, nil, ""); status != 200 || out["scaStatus"] != "finalised" {
		t.Errorf("after the approval: %d %v", status, out)
	}
	if got := w.basket(t, idOf(path)); got.Status != baskets.Accepted || got.Subject != "psu-1" {
		t.Errorf("basket: %+v", got)
	}
	if got := w.status(t, idOf(p)); got.Status != "ACCC" {
		t.Errorf("payment: %s", got.Status)
	}
	if got := w.consentStatus(t, c); got != consents.Valid {
		t.Errorf("consent: %s", got)
	}
}

// TestSigningBasketFunds: a confirmation-of-funds consent goes in a basket with a payment
// and an account-information consent, and one SCA authorises all three; one on another
// customer's account has the basket rejected, and every member waits as before.
func TestSigningBasketFunds(t *testing.T) {
	for _, c := range []struct {
		name, iban string
		basket     baskets.Status
		payment    string
		consent    consents.Status
	}{
		{"the customer's", debtorIBAN, baskets.Accepted, "ACCC", consents.Valid},
		{"another customer's", creditorIBAN, baskets.Rejected, "RCVD", consents.Received},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			j := &journey{t: t, w: w, app: "app-1"}
			p, _, _ := j.initiate("payments", single("2.00", creditorIBAN), nil)
			ais := w.consent(t, "app-1", debtorIBAN)
			funds := w.fundsConsent(t, "app-1", c.iban)
			status, out, _ := j.do("POST", "/v1/signing-baskets", embedded, basketBody([]string{idOf(p)}, []string{funds, ais}))
			path := "/v1/signing-baskets/" + fmt.Sprint(out["basketId"])
			if status != 201 {
				t.Fatalf("create: %d %v", status, out)
			}
			if status, out, _ := j.do("GET", path, nil, ""); status != 200 || fmt.Sprint(out["consents"]) != fmt.Sprint([]string{funds, ais}) {
				t.Fatalf("get: %d %v", status, out)
			}
			status, out, _ = j.do("POST", path+"/authorisations", map[string]string{"TPP-Redirect-Preferred": "false", "PSU-ID": "one"}, password)
			self := path + "/authorisations/" + fmt.Sprint(out["authorisationId"])
			if status != 201 {
				t.Fatalf("start: %d %v", status, out)
			}
			if status, out, _ := j.do("PUT", self, nil, `{"authenticationMethodId":"sms"}`); status != 200 {
				t.Fatalf("method: %d %v", status, out)
			}
			j.do("PUT", self, nil, code)
			if got := w.basket(t, idOf(path)); got.Status != c.basket {
				t.Errorf("basket: %s, want %s", got.Status, c.basket)
			}
			if got := w.status(t, idOf(p)); string(got.Status) != c.payment {
				t.Errorf("payment: %s, want %s", got.Status, c.payment)
			}
			for _, id := range []string{ais} {
				if got := w.consentStatus(t, id); got != c.consent {
					t.Errorf("consent: %s, want %s", got, c.consent)
				}
			}
			f, err := w.funds().Find(context.Background(), funds)
			if err != nil || f.Status != c.consent {
				t.Errorf("funds consent: %+v %v, want %s", f, err, c.consent)
			}
			if c.basket == baskets.Accepted && (f.Subject != "psu-1" || f.AccountID != "acc-debtor") {
				t.Errorf("funds consent approved by %q for %q", f.Subject, f.AccountID)
			}
			if c.basket == baskets.Rejected {
				j.createBasket(nil, []string{funds}, nil)
			}
		})
	}
}

// TestRedirectURIHosts: a payment's initiation, a basket's creation and the start of an
// authorisation refuse a TPP-Redirect-URI or TPP-Nok-Redirect-URI whose host is not one of
// the app's registered redirect URIs' (400 FORMAT_ERROR naming the header) and store
// nothing; the registered host is taken.
func TestRedirectURIHosts(t *testing.T) {
	w := newWorld(t)
	j := &journey{t: t, w: w, app: "app-1"}
	p, _, _ := j.initiate("payments", single("1.00", creditorIBAN), nil)
	basket := j.createBasket([]string{idOf(p)}, nil, nil)
	before := w.state(t)
	for _, c := range []struct {
		name, path, body string
		headers          map[string]string
		want             string
	}{
		{"payment", "/v1/payments/sepa-credit-transfers", single("2.00", creditorIBAN),
			map[string]string{"TPP-Redirect-URI": "https://other.example/ok"}, "FORMAT_ERROR TPP-Redirect-URI"},
		{"payment's nok", "/v1/payments/sepa-credit-transfers", single("2.00", creditorIBAN),
			map[string]string{"TPP-Redirect-URI": "https://tpp.example/ok", "TPP-Nok-Redirect-URI": "https://other.example/nok"}, "FORMAT_ERROR TPP-Nok-Redirect-URI"},
		{"basket", "/v1/signing-baskets", basketBody([]string{"whatever"}, nil),
			map[string]string{"TPP-Redirect-URI": "https://tpp.example.other.example/ok"}, "FORMAT_ERROR TPP-Redirect-URI"},
		{"basket's authorisation", basket + "/authorisations", "",
			map[string]string{"TPP-Redirect-Preferred": "true", "TPP-Redirect-URI": "https://other.example/ok"}, "FORMAT_ERROR TPP-Redirect-URI"},
		{"payment's authorisation", p + "/authorisations", "",
			map[string]string{"TPP-Redirect-Preferred": "true", "TPP-Redirect-URI": "https://tpp.example/ok", "TPP-Nok-Redirect-URI": "https://evil.example/"}, "FORMAT_ERROR TPP-Nok-Redirect-URI"},
	} {
		t.Run(c.name, func(t *testing.T) {
			j.t = t
			status, out, _ := j.do("POST", c.path, c.headers, c.body)
			if status != 400 || messages(out) != c.want {
				t.Errorf("%d %s, want 400 %s", status, messages(out), c.want)
			}
		})
	}
	j.t = t
	if after := w.state(t); after != before {
		t.Errorf("the refusals changed the table: %s, then %s", before, after)
	}
	status, out, _ := j.do("POST", basket+"/authorisations", map[string]string{"TPP-Redirect-Preferred": "true", "TPP-Redirect-URI": "https://tpp.example:8443/ok"}, "")
	if status != 201 || !strings.Contains(href(out["_links"], "scaRedirect"), "/sandbox-bank/sca") {
		t.Errorf("the registered host: %d %v", status, out)
	}
}

// TestSigningBasketMemberAlone: a payment in a basket that waits for its authorisation
// cannot start or finish an authorisation of its own (409 STATUS_INVALID, nothing
// changes) until the basket is deleted; a payment whose own authorisation is under way
// cannot go in a basket.
func TestSigningBasketMemberAlone(t *testing.T) {
	w := newWorld(t)
	j := &journey{t: t, w: w, app: "app-1"}
	ctx := context.Background()
	p, _, _ := j.initiate("payments", single("1.00", creditorIBAN), nil)
	busy, _, _ := j.initiate("payments", single("2.00", creditorIBAN), nil)
	status, out, _ := j.do("POST", busy+"/authorisations", map[string]string{"TPP-Redirect-Preferred": "false", "PSU-ID": "one"}, password)
	if status != 201 || out["scaStatus"] != "psuAuthenticated" {
		t.Fatalf("start the busy payment's authorisation: %d %v", status, out)
	}
	busySelf := busy + "/authorisations/" + fmt.Sprint(out["authorisationId"])
	status, out, _ = j.do("POST", "/v1/signing-baskets", nil, basketBody([]string{idOf(p), idOf(busy)}, nil))
	if want := "paymentIds[1]: the payment's own authorisation " + idOf(busySelf) + " is under way; let it finish or fail before putting the payment in a signing basket."; status != 409 ||
		messages(out) != "REFERENCE_STATUS_INVALID" || text(out) != want {
		t.Fatalf("a payment under authorisation in a basket: %d %v", status, out)
	}

	path := j.createBasket([]string{idOf(p)}, nil, nil)
	before := w.state(t)
	want := "The payment is in the signing basket " + idOf(path) + ", which waits for its authorisation: authorise the basket, or delete it to authorise this one alone."
	for _, h := range []map[string]string{nil, embedded, redirectPreferred} {
		status, out, _ := j.do("POST", p+"/authorisations", h, "")
		if status != 409 || messages(out) != "STATUS_INVALID" || text(out) != want {
			t.Errorf("start %v: %d %v", h, status, out)
		}
	}
	if after := w.state(t); after != before {
		t.Errorf("the refusals changed the table: %s, then %s", before, after)
	}

	// An authorisation that raced its payment into a basket cannot finish: the basket
	// holds the payment, which waits with it.
	created, err := scatarget.BasketsOf(w.sca).Store.Holder(ctx, baskets.Member{Kind: baskets.PaymentMember, ID: idOf(busy)})
	if err != baskets.ErrNotFound || created != "" {
		t.Fatalf("the busy payment's holder: %q %v", created, err)
	}
	raced := baskets.Basket{ID: "raced", AppID: "app-1", OrgID: "org-app-1", PaymentIDs: []string{idOf(busy)}, Status: baskets.Received, RequestID: "raced",
		CreatedAt: w.now, ChangedAt: w.now}
	if err := scatarget.BasketsOf(w.sca).Store.Create(ctx, raced, baskets.Replay{BasketID: "raced", Status: baskets.Received}); err != nil {
		t.Fatal(err)
	}
	if status, out, _ := j.do("PUT", busySelf, nil, `{"authenticationMethodId":"sms"}`); status != 200 || out["scaStatus"] != "scaMethodSelected" {
		t.Fatalf("select a method: %d %v", status, out)
	}
	status, out, _ = j.do("PUT", busySelf, nil, code)
	if status != 409 || text(out) != "The payment is in the signing basket raced, which waits for its authorisation: authorise the basket, or delete it to authorise this one alone." {
		t.Errorf("finish the raced authorisation: %d %v", status, out)
	}
	if got := w.status(t, idOf(busy)); got.Status != "RCVD" {
		t.Errorf("the raced payment: %s", got.Status)
	}
	if status, out, _ := j.do("GET", busySelf, nil, ""); status != 200 || out["scaStatus"] != "scaMethodSelected" {
		t.Errorf("the raced authorisation: %d %v", status, out)
	}

	// Deleted, the basket frees its payment, which is authorised alone.
	if status, out, _ := j.do("DELETE", path, nil, ""); status != 204 {
		t.Fatalf("delete: %d %v", status, out)
	}
	if status, out, _ := j.do("POST", p+"/authorisations", embedded, ""); status != 201 || out["scaStatus"] != "received" {
		t.Errorf("start once the basket is deleted: %d %v", status, out)
	}
}

// text is the text of the answer's first tppMessage.
func text(body map[string]any) string {
	msgs, _ := body["tppMessages"].([]any)
	if len(msgs) == 0 {
		return ""
	}
	s, _ := msgs[0].(map[string]any)["text"].(string)
	return s
}

// TestSigningBasketMemberChangedBeforeFinalising: a payment of the basket cancelled
// between the start of the basket's authorisation and its last step fails the
// authorisation as a whole: the basket is RJCT, no other member changes, no money moves,
// and the members left wait, free for another basket.
func TestSigningBasketMemberChangedBeforeFinalising(t *testing.T) {
	w := newWorld(t)
	j := &journey{t: t, w: w, app: "app-1"}
	p1, _, _ := j.initiate("payments", single("4.00", creditorIBAN), nil)
	p2, _, _ := j.initiate("payments", single("5.00", creditorIBAN), nil)
	c := w.consent(t, "app-1", debtorIBAN)
	before := w.booked(t, "acc-debtor")
	path := j.createBasket([]string{idOf(p1), idOf(p2)}, []string{c}, nil)
	status, out, _ := j.do("POST", path+"/authorisations", map[string]string{"TPP-Redirect-Preferred": "false", "PSU-ID": "one"}, password)
	if status != 201 || out["scaStatus"] != "psuAuthenticated" {
		t.Fatalf("start: %d %v", status, out)
	}
	self := path + "/authorisations/" + fmt.Sprint(out["authorisationId"])
	if status, out, _ := j.do("PUT", self, nil, `{"authenticationMethodId":"sms"}`); status != 200 || out["scaStatus"] != "scaMethodSelected" {
		t.Fatalf("select: %d %v", status, out)
	}
	if status, out, _ := j.do("DELETE", p2, nil, ""); status != 204 {
		t.Fatalf("cancel a member: %d %v", status, out)
	}
	if status, out, _ := j.do("PUT", self, nil, code); status != 200 || out["scaStatus"] != "failed" {
		t.Errorf("finalise: %d %v", status, out)
	}
	if got := w.basket(t, idOf(path)); got.Status != baskets.Rejected || got.Subject != "" {
		t.Errorf("basket: %s by %q", got.Status, got.Subject)
	}
	for p, want := range map[string]string{p1: "RCVD", p2: "CANC"} {
		if got := w.status(t, idOf(p)); string(got.Status) != want || got.Subject != "" {
			t.Errorf("payment %s: %s by %q, want %s", p, got.Status, got.Subject, want)
		}
	}
	if got := w.consentStatus(t, c); got != consents.Received {
		t.Errorf("consent: %s", got)
	}
	if after := w.booked(t, "acc-debtor"); after != before {
		t.Errorf("the debtor's ledger moved: %d, then %d", before, after)
	}
	if status, out, _ := j.do("GET", path+"/status", nil, ""); status != 200 || fmt.Sprint(out) != "map[transactionStatus:RJCT]" {
		t.Errorf("status: %d %v", status, out)
	}
	j.createBasket([]string{idOf(p1)}, []string{c}, nil)
}

// TestSigningBasketConcurrentApprovals: the same basket approved at once by several
// authorisations (its target, as each approach finalises): one authorises it, the others
// find it decided, and each payment is executed once.
func TestSigningBasketConcurrentApprovals(t *testing.T) {
	w := newWorld(t)
	j := &journey{t: t, w: w, app: "app-1"}
	ctx := context.Background()
	p1, _, _ := j.initiate("payments", single("6.00", creditorIBAN), nil)
	p2, _, _ := j.initiate("payments", single("7.00", creditorIBAN), nil)
	before := w.booked(t, "acc-debtor")
	path := j.createBasket([]string{idOf(p1), idOf(p2)}, nil, nil)
	target := w.sca.Targets[sca.SigningBasket]
	const n = 4
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = target.Authorise(ctx, idOf(path), "psu-1") })
	}
	wg.Wait()
	ok := 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, sca.ErrDecided):
			t.Errorf("approval %d: %v", i, err)
		}
	}
	if ok != 1 {
		t.Errorf("%d approvals succeeded, want 1: %v", ok, errs)
	}
	if got := w.basket(t, idOf(path)); got.Status != baskets.Accepted {
		t.Errorf("basket: %s", got.Status)
	}
	for _, p := range []string{p1, p2} {
		if got := w.status(t, idOf(p)); got.Status != "ACCC" {
			t.Errorf("payment %s: %s", p, got.Status)
		}
	}
	if after := w.booked(t, "acc-debtor"); after != before-1300 {
		t.Errorf("the debtor's ledger: %d, then %d (want 13.00 less)", before, after)
	}
}
