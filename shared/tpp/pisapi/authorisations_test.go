package pisapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bank/devportal/shared/tpp/payments"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
	"github.com/bank/devportal/shared/tpp/sca"
)

// journey is one app's calls in a world, each with a new X-Request-ID.
type journey struct {
	t   *testing.T
	w   *world
	app string
	n   int
}

// do sends method path with the headers and body (JSON), checked against the official file.
func (j *journey) do(method, path string, headers map[string]string, body string) (int, map[string]any, http.Header) {
	j.t.Helper()
	j.n++
	r := call(method, path, j.app, fmt.Sprintf("6a1e0c2b-7d3f-4e8a-9b1c-%012d", j.n), "application/json", body)
	for k, v := range headers {
		r.Header.Set(k, v)
	}
	rec, out := j.w.send(j.t, r)
	return rec.Code, out, rec.Header()
}

// initiate initiates body under service with the headers: the payment's path and its
// initiation's links.
func (j *journey) initiate(service, body string, headers map[string]string) (string, map[string]any, string) {
	j.t.Helper()
	status, out, h := j.do("POST", "/v1/"+service+"/sepa-credit-transfers", headers, body)
	if status != 201 {
		j.t.Fatalf("initiate: %d %v", status, out)
	}
	return "/v1/" + service + "/sepa-credit-transfers/" + out["paymentId"].(string), out["_links"].(map[string]any), h.Get("ASPSP-SCA-Approach")
}

// href is the link name of links.
func href(links any, name string) string {
	l, _ := links.(map[string]any)[name].(map[string]any)
	s, _ := l["href"].(string)
	return s
}

// linkNames are the names of the answer's links, sorted.
func linkNames(out map[string]any) string {
	links, _ := out["_links"].(map[string]any)
	var names []string
	for k := range links {
		names = append(names, k)
	}
	return fmt.Sprint(sortStrings(names))
}

func sortStrings(s []string) []string {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s
}

var (
	embedded  = map[string]string{"TPP-Redirect-Preferred": "false"}
	decoupled = map[string]string{"TPP-Decoupled-Preferred": "true"}
	password  = `{"psuData":{"password":"` + sandboxbank.SandboxPassword + `"}}`
	code      = `{"scaAuthenticationData":"` + sandboxbank.SandboxOTP + `"}`
)

func (w *world) status(t *testing.T, id string) payments.Payment {
	t.Helper()
	p, err := w.svc.Find(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (w *world) booked(t *testing.T, account string) int64 {
	t.Helper()
	l, err := w.bank.Ledger(context.Background(), account)
	if err != nil {
		t.Fatal(err)
	}
	return l.Booked
}

func idOf(path string) string { return path[strings.LastIndex(path, "/")+1:] }

// TestEmbeddedApproach walks a payment of each service through the embedded approach, step
// by step, each step's answer (status, ASPSP-SCA-Approach, scaStatus, links) checked, a
// wrong password and a wrong code on the way: the finalised authorisation executes the
// payment once, and a second authorisation is refused.
func TestEmbeddedApproach(t *testing.T) {
	w := newWorld(t)
	j := &journey{t: t, w: w, app: "app-1"}
	for _, c := range []struct {
		service, body, after string
		debit                int64
	}{
		{"payments", single("12.00", creditorIBAN), "ACCC", 1200},
		{"bulk-payments", bulk("1.00", "2.00"), "ACCC", 300},
		{"periodic-payments", periodic("5.00"), "ACTC", 0},
	} {
		t.Run(c.service, func(t *testing.T) {
			j.t = t
			path, links, approach := j.initiate(c.service, c.body, embedded)
			if approach != "EMBEDDED" || href(links, "startAuthorisationWithPsuAuthentication") != path+"/authorisations" || href(links, "scaOAuth") != "" {
				t.Fatalf("initiation: %s %v", approach, links)
			}
			before := w.booked(t, "acc-debtor")
			status, out, h := j.do("POST", path+"/authorisations", embedded, "")
			self := path + "/authorisations/" + fmt.Sprint(out["authorisationId"])
			if status != 201 || out["scaStatus"] != "received" || h.Get("ASPSP-SCA-Approach") != "EMBEDDED" || h.Get("Location") != self ||
				href(out["_links"], "updatePsuAuthentication") != self || href(out["_links"], "scaStatus") != self {
				t.Fatalf("start: %d %v %v", status, out, h)
			}
			for i, step := range []struct {
				headers          map[string]string
				body             string
				status           int
				scaStatus, links string
			}{
				{map[string]string{"PSU-ID": "one"}, `{"psuData":{"password":"wrong"}}`, 401, "PSU_CREDENTIALS_INVALID", ""},
				{map[string]string{"PSU-ID": "one"}, `{"authenticationMethodId":"sms"}`, 409, "STATUS_INVALID", ""},
				{map[string]string{"PSU-ID": "one"}, password, 200, "psuAuthenticated", "[scaStatus selectAuthenticationMethod]"},
				{nil, `{"authenticationMethodId":"fax"}`, 400, "SCA_METHOD_UNKNOWN", ""},
				{nil, `{"authenticationMethodId":"sms"}`, 200, "scaMethodSelected", "[authoriseTransaction scaStatus]"},
				{nil, `{"scaAuthenticationData":"654321"}`, 401, "PSU_CREDENTIALS_INVALID", ""},
				{nil, code, 200, "finalised", "[scaStatus]"},
				{nil, code, 409, "STATUS_INVALID", ""},
			} {
				status, out, h := j.do("PUT", self, step.headers, step.body)
				got := fmt.Sprint(out["scaStatus"])
				if status >= 400 {
					got = messages(out)
				} else if h.Get("ASPSP-SCA-Approach") != "EMBEDDED" || linkNames(out) != step.links {
					t.Fatalf("step %d: %v %v", i, out, h)
				}
				if status != step.status || got != step.scaStatus {
					t.Fatalf("step %d: %d %v, want %d %s", i, status, out, step.status, step.scaStatus)
				}
				switch got {
				case "psuAuthenticated":
					if methods := fmt.Sprint(out["scaMethods"]); !strings.Contains(methods, "authenticationMethodId:sms") || !strings.Contains(methods, "authenticationMethodId:app") {
						t.Fatalf("methods: %s", methods)
					}
				case "scaMethodSelected":
					chosen, _ := out["chosenScaMethod"].(map[string]any)
					challenge, _ := out["challengeData"].(map[string]any)
					if chosen["authenticationType"] != "SMS_OTP" || challenge["otpMaxLength"] != 6.0 || challenge["otpFormat"] != "integer" {
						t.Fatalf("the chosen method: %v", out)
					}
				}
			}
			if p := w.status(t, idOf(path)); string(p.Status) != c.after || p.Subject != "psu-1" {
				t.Fatalf("the payment: %s %s", p.Status, p.Subject)
			}
			if after := w.booked(t, "acc-debtor"); after != before-c.debit {
				t.Fatalf("debtor %d, was %d, want %d less", after, before, c.debit)
			}
			if status, out, _ := j.do("GET", self, nil, ""); status != 200 || out["scaStatus"] != "finalised" {
				t.Fatalf("scaStatus: %d %v", status, out)
			}
			if status, out, _ := j.do("GET", path+"/authorisations", nil, ""); status != 200 || fmt.Sprint(out["authorisationIds"]) != "["+idOf(self)+"]" {
				t.Fatalf("list: %d %v", status, out)
			}
			if status, out, _ := j.do("POST", path+"/authorisations", embedded, ""); status != 409 || messages(out) != "STATUS_INVALID" {
				t.Fatalf("a second authorisation: %d %v", status, out)
			}
		})
	}
}

// TestDecoupledApproach: the customer named by PSU-ID (at the start, or by an update)
// approves in the bank's app while the TPP reads scaStatus; the payment is executed once.
func TestDecoupledApproach(t *testing.T) {
	w := newWorld(t)
	j := &journey{t: t, w: w, app: "app-1"}
	path, links, approach := j.initiate("payments", single("7.00", creditorIBAN), decoupled)
	if approach != "DECOUPLED" || href(links, "startAuthorisationWithPsuIdentification") != path+"/authorisations" {
		t.Fatalf("initiation: %s %v", approach, links)
	}
	status, out, h := j.do("POST", path+"/authorisations", decoupled, "")
	self := path + "/authorisations/" + fmt.Sprint(out["authorisationId"])
	if status != 201 || out["scaStatus"] != "received" || h.Get("ASPSP-SCA-Approach") != "DECOUPLED" || linkNames(out) != "[scaStatus updatePsuIdentification]" {
		t.Fatalf("start without PSU-ID: %d %v", status, out)
	}
	if status, out, _ := j.do("PUT", self, map[string]string{"PSU-ID": "nobody"}, "{}"); status != 401 || messages(out) != "PSU_CREDENTIALS_INVALID" {
		t.Fatalf("an unknown PSU-ID: %d %v", status, out)
	}
	status, out, _ = j.do("PUT", self, map[string]string{"PSU-ID": "one"}, "{}")
	if status != 200 || out["scaStatus"] != "started" || out["psuMessage"] == nil || linkNames(out) != "[scaStatus]" {
		t.Fatalf("identified: %d %v", status, out)
	}
	if status, out, _ := j.do("GET", self, nil, ""); status != 200 || out["scaStatus"] != "started" {
		t.Fatalf("polled: %d %v", status, out)
	}
	if status, out, _ := j.do("PUT", self, nil, code); status != 409 || messages(out) != "STATUS_INVALID" {
		t.Fatalf("a code sent to a decoupled authorisation: %d %v", status, out)
	}
	ref := sca.Ref{Kind: sca.Payment, ResourceID: idOf(path), ID: idOf(self)}
	waiting, err := w.sca.WaitingFor(context.Background(), "psu-1")
	if err != nil || len(waiting) != 1 || waiting[0].Ref() != ref {
		t.Fatalf("the customer's app: %+v %v", waiting, err)
	}
	if _, err := w.sca.Decide(context.Background(), ref, "psu-1", true); err != nil {
		t.Fatal(err)
	}
	if status, out, _ := j.do("GET", self, nil, ""); status != 200 || out["scaStatus"] != "finalised" {
		t.Fatalf("polled after the approval: %d %v", status, out)
	}
	if p := w.status(t, idOf(path)); p.Status != payments.CreditorSettled {
		t.Fatalf("the payment: %s", p.Status)
	}

	// With PSU-ID at the start, the customer is asked at once; their denial rejects the payment.
	path, _, _ = j.initiate("payments", single("8.00", creditorIBAN), decoupled)
	status, out, _ = j.do("POST", path+"/authorisations", map[string]string{"TPP-Decoupled-Preferred": "true", "PSU-ID": "one"}, "")
	if status != 201 || out["scaStatus"] != "started" || out["psuMessage"] == nil {
		t.Fatalf("start with PSU-ID: %d %v", status, out)
	}
	ref = sca.Ref{Kind: sca.Payment, ResourceID: idOf(path), ID: out["authorisationId"].(string)}
	if _, err := w.sca.Decide(context.Background(), ref, "psu-2", true); err != sca.ErrNotTheirs {
		t.Fatalf("decided by another customer: %v", err)
	}
	if _, err := w.sca.Decide(context.Background(), ref, "psu-1", false); err != nil {
		t.Fatal(err)
	}
	if p := w.status(t, idOf(path)); p.Status != payments.Rejected || p.Reason != payments.ReasonCustomer {
		t.Fatalf("the denied payment: %s %s", p.Status, p.Reason)
	}
}

// TestRedirectAndOAuth: the bank's redirect page (TPP-Redirect-Preferred: true) and the
// OAuth2 approach (no preference) as authorisations: their links and headers, and the
// status each reports.
func TestRedirectAndOAuth(t *testing.T) {
	w := newWorld(t)
	j := &journey{t: t, w: w, app: "app-1"}
	redirect := map[string]string{"TPP-Redirect-Preferred": "true", "TPP-Redirect-URI": "https://tpp.example/ok?state=1", "TPP-Nok-Redirect-URI": "https://tpp.example/nok"}
	path, links, approach := j.initiate("payments", single("3.00", creditorIBAN), redirect)
	if approach != "REDIRECT" || href(links, "startAuthorisation") != path+"/authorisations" {
		t.Fatalf("initiation: %s %v", approach, links)
	}
	if status, out, _ := j.do("POST", path+"/authorisations", map[string]string{"TPP-Redirect-Preferred": "true", "TPP-Redirect-URI": "http://tpp.example/cb"}, ""); status != 400 || messages(out) != "FORMAT_ERROR TPP-Redirect-URI" {
		t.Fatalf("a plain-http redirect URI: %d %v", status, out)
	}
	status, out, h := j.do("POST", path+"/authorisations", map[string]string{"TPP-Redirect-Preferred": "true"}, "")
	id, _ := out["authorisationId"].(string)
	ref := sca.Ref{Kind: sca.Payment, ResourceID: idOf(path), ID: id}
	want := bankURL + sca.RedirectPagePath + "?" + url.Values{sca.RefParam: {ref.String()}}.Encode()
	if status != 201 || out["scaStatus"] != "received" || h.Get("ASPSP-SCA-Approach") != "REDIRECT" || href(out["_links"], "scaRedirect") != want {
		t.Fatalf("start: %d %v", status, out)
	}
	if o, err := w.sca.Open(context.Background(), ref); err != nil || o.RedirectURI != redirect["TPP-Redirect-URI"] || o.NokRedirectURI != redirect["TPP-Nok-Redirect-URI"] {
		t.Fatalf("the bank's page: %+v %v", o, err)
	}
	if status, out, _ := j.do("PUT", path+"/authorisations/"+id, map[string]string{"PSU-ID": "one"}, password); status != 409 || messages(out) != "STATUS_INVALID" {
		t.Fatalf("a password sent to a redirect authorisation: %d %v", status, out)
	}
	// Without TPP-Redirect-URI the redirect approach asked for is refused.
	other, _, _ := j.initiate("payments", single("3.00", creditorIBAN), nil)
	if status, out, _ := j.do("POST", other+"/authorisations", map[string]string{"TPP-Redirect-Preferred": "true"}, ""); status != 400 || messages(out) != "FORMAT_ERROR TPP-Redirect-URI" {
		t.Fatalf("redirect without a URI: %d %v", status, out)
	}

	// OAuth2, as the initiation links it: an authorisation reports the scope's approval.
	path, links, approach = j.initiate("payments", single("4.00", creditorIBAN), nil)
	if approach != "REDIRECT" || href(links, "scaOAuth") != metadataURL {
		t.Fatalf("initiation: %s %v", approach, links)
	}
	status, out, h = j.do("POST", path+"/authorisations", nil, "")
	self := path + "/authorisations/" + fmt.Sprint(out["authorisationId"])
	if status != 201 || out["scaStatus"] != "received" || h.Get("ASPSP-SCA-Approach") != "REDIRECT" || href(out["_links"], "scaOAuth") != metadataURL || href(out["_links"], "scaStatus") != self {
		t.Fatalf("start: %d %v", status, out)
	}
	if status, out, _ := j.do("POST", path+"/authorisations", nil, password); status != 400 || messages(out) != "FORMAT_ERROR psuData" {
		t.Fatalf("a password to the OAuth2 approach: %d %v", status, out)
	}
	theirs, _ := w.bank.Accounts(context.Background(), "psu-1")
	if _, err := w.svc.Authorise(context.Background(), idOf(path), "psu-1", theirs); err != nil {
		t.Fatal(err)
	}
	if status, out, _ := j.do("GET", self, nil, ""); status != 200 || out["scaStatus"] != "finalised" {
		t.Fatalf("after the approval: %d %v", status, out)
	}
}

// TestAuthorisationRefusals: each refusal with its status and code, checked against the
// official file; three wrong codes and a time-out fail the authorisation and reject the
// payment, and nothing is executed.
func TestAuthorisationRefusals(t *testing.T) {
	w := newWorld(t)
	j := &journey{t: t, w: w, app: "app-1"}
	other := &journey{t: t, w: w, app: "app-2"}
	ready := func() (string, string) {
		t.Helper()
		path, _, _ := j.initiate("payments", single("9.00", creditorIBAN), embedded)
		_, out, _ := j.do("POST", path+"/authorisations", embedded, "")
		self := path + "/authorisations/" + out["authorisationId"].(string)
		for _, step := range []struct {
			h    map[string]string
			body string
		}{{map[string]string{"PSU-ID": "one"}, password}, {nil, `{"authenticationMethodId":"app"}`}} {
			if status, out, _ := j.do("PUT", self, step.h, step.body); status != 200 {
				t.Fatalf("%d %v", status, out)
			}
		}
		return path, self
	}
	before := w.booked(t, "acc-debtor")

	// Three wrong codes.
	path, self := ready()
	for i := 1; i <= 3; i++ {
		if status, out, _ := j.do("PUT", self, nil, `{"scaAuthenticationData":"000000"}`); status != 401 || messages(out) != "PSU_CREDENTIALS_INVALID" {
			t.Fatalf("wrong code %d: %d %v", i, status, out)
		}
	}
	if status, out, _ := j.do("GET", self, nil, ""); status != 200 || out["scaStatus"] != "failed" {
		t.Fatalf("after three wrong codes: %d %v", status, out)
	}
	if p := w.status(t, idOf(path)); p.Status != payments.Rejected || p.Reason != payments.ReasonCustomer {
		t.Fatalf("the payment after three wrong codes: %s %s", p.Status, p.Reason)
	}
	if status, out, _ := j.do("PUT", self, nil, code); status != 409 || messages(out) != "STATUS_INVALID" {
		t.Fatalf("the right code after: %d %v", status, out)
	}

	// A time-out.
	path, self = ready()
	w.now = w.now.Add(sca.Lifespan + time.Second)
	if status, out, _ := j.do("GET", self, nil, ""); status != 200 || out["scaStatus"] != "failed" {
		t.Fatalf("timed out: %d %v", status, out)
	}
	if status, out, _ := j.do("PUT", self, nil, code); status != 403 || messages(out) != "RESOURCE_EXPIRED" {
		t.Fatalf("a code after the time-out: %d %v", status, out)
	}
	if p := w.status(t, idOf(path)); p.Status != payments.Rejected {
		t.Fatalf("the payment after the time-out: %s", p.Status)
	}
	if after := w.booked(t, "acc-debtor"); after != before {
		t.Fatalf("money moved: %d, was %d", after, before)
	}

	// Another customer's credentials: the payment is refused, as the OAuth2 flow refuses it.
	path, _, _ = j.initiate("payments", single("9.00", creditorIBAN), embedded)
	_, out, _ := j.do("POST", path+"/authorisations", map[string]string{"TPP-Redirect-Preferred": "false", "PSU-ID": "two"}, password)
	self = path + "/authorisations/" + out["authorisationId"].(string)
	j.do("PUT", self, nil, `{"authenticationMethodId":"sms"}`)
	if status, out, _ := j.do("PUT", self, nil, code); status != 200 || out["scaStatus"] != "failed" || out["psuMessage"] == nil {
		t.Fatalf("another customer's code: %d %v", status, out)
	}
	if p := w.status(t, idOf(path)); p.Status != payments.Rejected {
		t.Fatalf("the payment authorised by another customer: %s", p.Status)
	}

	path, self = ready()
	executed, _, _ := j.initiate("payments", single("1.00", creditorIBAN), nil)
	theirs, _ := w.bank.Accounts(context.Background(), "psu-1")
	if _, err := w.svc.Authorise(context.Background(), idOf(executed), "psu-1", theirs); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, method, path string
		j                  *journey
		headers            map[string]string
		body               string
		status             int
		want               string
	}{
		{"another app's payment", "POST", path + "/authorisations", other, embedded, "", 403, "RESOURCE_UNKNOWN"},
		{"another app's authorisation", "GET", self, other, nil, "", 403, "RESOURCE_UNKNOWN"},
		{"another app's step", "PUT", self, other, nil, code, 403, "RESOURCE_UNKNOWN"},
		{"an unknown authorisation", "GET", path + "/authorisations/nothing", j, nil, "", 404, "RESOURCE_UNKNOWN"},
		{"a step of an unknown authorisation", "PUT", path + "/authorisations/nothing", j, nil, code, 404, "RESOURCE_UNKNOWN"},
		{"under another product", "GET", strings.Replace(self, "sepa-credit", "instant-sepa-credit", 1), j, nil, "", 403, "RESOURCE_UNKNOWN"},
		{"an executed payment", "POST", executed + "/authorisations", j, embedded, "", 409, "STATUS_INVALID"},
		{"a preference that is not a boolean", "POST", path + "/authorisations", j, map[string]string{"TPP-Decoupled-Preferred": "maybe"}, "", 400, "FORMAT_ERROR TPP-Decoupled-Preferred"},
		{"an unknown element", "PUT", self, j, nil, `{"otp":"123456"}`, 400, "FORMAT_ERROR body"},
		{"two steps at once", "PUT", self, j, nil, `{"authenticationMethodId":"sms","scaAuthenticationData":"123456"}`, 400, "FORMAT_ERROR body"},
		{"an encrypted password", "POST", path + "/authorisations", j, map[string]string{"TPP-Redirect-Preferred": "false", "PSU-ID": "one"}, `{"psuData":{"encryptedPassword":"x"}}`, 400, "FORMAT_ERROR psuData"},
		{"a password without PSU-ID", "POST", path + "/authorisations", j, embedded, password, 400, "FORMAT_ERROR PSU-ID"},
		{"a wrong password at the start", "POST", path + "/authorisations", j, map[string]string{"TPP-Redirect-Preferred": "false", "PSU-ID": "one"}, `{"psuData":{"password":"x"}}`, 401, "PSU_CREDENTIALS_INVALID"},
		{"the code at the start", "POST", path + "/authorisations", j, embedded, code, 400, "FORMAT_ERROR body"},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.j.t = t
			before := w.state(t)
			status, out, _ := c.j.do(c.method, c.path, c.headers, c.body)
			if status != c.status || messages(out) != c.want {
				t.Fatalf("%d %v, want %d %s", status, out, c.status, c.want)
			}
			if w.state(t) != before {
				t.Fatal("the refusal changed the table")
			}
		})
	}
}

// TestCancellationAuthorisation: a payment waiting for its customer is cancelled at once;
// an authorised standing order's cancellation needs its customer: DELETE answers 202 with
// the link to start it, and the cancellation is executed once that authorisation is
// finalised, by the customer who authorised the payment only.
func TestCancellationAuthorisation(t *testing.T) {
	w := newWorld(t)
	j := &journey{t: t, w: w, app: "app-1"}
	ctx := context.Background()
	theirs, _ := w.bank.Accounts(ctx, "psu-1")
	standing := func() string {
		t.Helper()
		path, _, _ := j.initiate("periodic-payments", periodic("5.00"), nil)
		if p, err := w.svc.Authorise(ctx, idOf(path), "psu-1", theirs); err != nil || p.Status != payments.Accepted {
			t.Fatalf("authorise: %+v %v", p, err)
		}
		return path
	}
	path := standing()
	status, out, _ := j.do("DELETE", path, embedded, "")
	if status != 202 || out["transactionStatus"] != "ACTC" || href(out["_links"], "startAuthorisationWithPsuAuthentication") != path+"/cancellation-authorisations" {
		t.Fatalf("delete: %d %v", status, out)
	}
	if p := w.status(t, idOf(path)); p.Status != payments.Accepted {
		t.Fatalf("the payment after DELETE: %s", p.Status)
	}
	status, out, h := j.do("POST", path+"/cancellation-authorisations", map[string]string{"TPP-Redirect-Preferred": "false", "PSU-ID": "one"}, password)
	self := path + "/cancellation-authorisations/" + fmt.Sprint(out["authorisationId"])
	if status != 201 || out["scaStatus"] != "psuAuthenticated" || h.Get("Location") != self || href(out["_links"], "selectAuthenticationMethod") != self {
		t.Fatalf("start: %d %v", status, out)
	}
	for _, body := range []string{`{"authenticationMethodId":"sms"}`, code} {
		if status, out, _ := j.do("PUT", self, nil, body); status != 200 {
			t.Fatalf("%s: %d %v", body, status, out)
		}
	}
	if status, out, _ := j.do("GET", self, nil, ""); status != 200 || out["scaStatus"] != "finalised" {
		t.Fatalf("scaStatus: %d %v", status, out)
	}
	if status, out, _ := j.do("GET", path+"/cancellation-authorisations", nil, ""); status != 200 || fmt.Sprint(out["authorisationIds"]) != "["+idOf(self)+"]" {
		t.Fatalf("list: %d %v", status, out)
	}
	if status, out, _ := j.do("GET", path+"/authorisations", nil, ""); status != 200 || fmt.Sprint(out["authorisationIds"]) != "[]" {
		t.Fatalf("the payment's own authorisations: %d %v", status, out)
	}
	if p := w.status(t, idOf(path)); p.Status != payments.Cancelled {
		t.Fatalf("the payment after its cancellation: %s", p.Status)
	}
	if status, out, _ := j.do("POST", path+"/cancellation-authorisations", nil, ""); status != 409 || messages(out) != "STATUS_INVALID" {
		t.Fatalf("a cancellation of a cancelled payment: %d %v", status, out)
	}

	// Another customer cannot cancel it: the authorisation fails, the payment stays.
	path = standing()
	status, out, _ = j.do("POST", path+"/cancellation-authorisations", map[string]string{"TPP-Decoupled-Preferred": "true", "PSU-ID": "two"}, "")
	if status != 201 || out["scaStatus"] != "started" {
		t.Fatalf("start: %d %v", status, out)
	}
	ref := sca.Ref{Kind: sca.PaymentCancellation, ResourceID: idOf(path), ID: out["authorisationId"].(string)}
	if a, err := w.sca.Decide(ctx, ref, "psu-2", true); err != nil || a.Status != sca.Failed {
		t.Fatalf("decided by another customer: %+v %v", a, err)
	}
	if p := w.status(t, idOf(path)); p.Status != payments.Accepted {
		t.Fatalf("the payment: %s", p.Status)
	}
	// Without a preference the cancellation takes the bank's redirect page.
	status, out, h = j.do("POST", path+"/cancellation-authorisations", nil, "")
	if status != 201 || h.Get("ASPSP-SCA-Approach") != "REDIRECT" || !strings.HasPrefix(href(out["_links"], "scaRedirect"), bankURL+sca.RedirectPagePath+"?") {
		t.Fatalf("start without a preference: %d %v", status, out)
	}
	ref = sca.Ref{Kind: sca.PaymentCancellation, ResourceID: idOf(path), ID: out["authorisationId"].(string)}
	if a, err := w.sca.Decide(ctx, ref, "psu-1", true); err != nil || a.Status != sca.Finalised {
		t.Fatalf("decided at the bank: %+v %v", a, err)
	}
	if p := w.status(t, idOf(path)); p.Status != payments.Cancelled {
		t.Fatalf("the payment: %s", p.Status)
	}
}
