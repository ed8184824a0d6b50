package portalapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/platform/config"
)

// eventually retries a call until check accepts the response, for results the approval
// workflow writes asynchronously.
func (h *harness) eventually(c *http.Client, method, path string, body any, check func(response) bool) response {
	h.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		r := h.call(c, method, path, body)
		if check(r) {
			return r
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("%s %s never gave the expected answer; last: %d %s", method, path, r.status, r.raw)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitMail waits for an email the workflow sends after it applied a decision.
func (h *harness) waitMail(match func(string) bool, what string) {
	h.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !slices.ContainsFunc(h.mails(), match) {
		if time.Now().After(deadline) {
			h.t.Fatalf("%s was not sent", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// ops signs in the operations user, with their authenticator app (set up at their first
// sign-in, as the portal requires of operations staff).
func (h *harness) ops() *http.Client { return h.signIn(testenv.Ops.Email, testenv.Ops.Password) }

// secondOps signs in the second operations user: a production request needs two approvers.
func (h *harness) secondOps() *http.Client {
	return h.signIn(testenv.SecondOps.Email, testenv.SecondOps.Password)
}

// approveTwice has operations approve a request that needs two approvers: the first
// approval, then, once the request waits again, the second operations user's.
func (h *harness) approveTwice(requestID, first, second string) {
	h.t.Helper()
	ops := h.ops()
	h.decide(ops, requestID, "approve", first).expect(h.t, 202, "")
	h.eventually(ops, "GET", "/api/ops/requests/"+requestID, nil, func(r response) bool {
		req := r.body["request"].(map[string]any)
		return req["status"] == "PENDING" && req["step"] == float64(1)
	})
	h.decide(h.secondOps(), requestID, "approve", second).expect(h.t, 202, "")
}

// certificates issues a QWAC and a QSealC from the sandbox CA for one organization.
func (h *harness) certificates(c *http.Client, orgID string, roles ...string) (qwac, qseal string) {
	h.t.Helper()
	for _, kind := range []string{"QWAC", "QSealC"} {
		r := h.call(c, "POST", "/api/sandbox/certificates", map[string]any{"kind": kind, "organizationName": "Acme Payments",
			"country": "BE", "organizationIdentifier": orgID, "roles": roles}).expect(h.t, 201, "")
		cert := r.body["certificate"].(map[string]any)
		if cert["organizationIdentifier"].(map[string]any)["value"] != orgID || !strings.Contains(r.body["privateKeyPem"].(string), "PRIVATE KEY") {
			h.t.Fatalf("issued %s: %s", kind, r.raw)
		}
		if kind == "QWAC" {
			qwac = r.body["certificatePem"].(string)
		} else {
			qseal = r.body["certificatePem"].(string)
		}
	}
	return qwac, qseal
}

func onboardingForm(qwac, qseal string, roles ...string) map[string]any {
	return map[string]any{"firstName": "Ann", "lastName": "Owner", "company": "Acme Payments", "email": "Compliance@Acme.example",
		"phone": "+32 2 555 01 23", "roles": roles, "environment": "sandbox", "qwac": qwac, "qsealc": qseal}
}

// decide approves or rejects a request once its workflow waits for the decision.
func (h *harness) decide(ops *http.Client, requestID, action, comment string) response {
	h.t.Helper()
	return h.eventually(ops, "POST", "/api/ops/requests/"+requestID+"/"+action, map[string]any{"comment": comment}, func(r response) bool {
		return r.body["code"] != "REQUEST_NOT_READY"
	})
}

func TestOrganizationLifecycle(t *testing.T) {
	h := newHarness(t, func(c *config.Config) { c.OrgMaxMembers = 2 })
	owner := h.activeUser("owner-" + testenv.Suffix() + "@example.com")
	orgIdent := "PSDBE-NBB-" + strings.ToUpper(testenv.Suffix())
	qwac, qseal := h.certificates(owner, orgIdent, "AIS", "PIS")

	r := h.call(owner, "POST", "/api/organizations/certificates/preview", map[string]any{"roles": []string{"AIS", "PIIS"}, "qwac": qwac, "qsealc": qseal}).expect(t, 200, "")
	if fmt.Sprint(r.body["qwac"].(map[string]any)["psd2"].(map[string]any)["roles"]) != "[PSP_AI PSP_PI]" || len(r.body["errors"].([]any)) != 1 ||
		r.body["errors"].([]any)[0].(map[string]any)["rule"] != "roleMissing" {
		t.Fatalf("preview = %s", r.raw)
	}
	r = h.call(owner, "POST", "/api/organizations", onboardingForm(qwac, qseal, "AIS", "PIIS")).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[roles:roleMissing]" {
		t.Fatalf("fields = %v", r.fields())
	}
	h.call(owner, "GET", "/api/organizations", nil).expect(t, 200, "")

	r = h.call(owner, "POST", "/api/organizations", onboardingForm(qwac, qseal, "AIS", "PIS")).expect(t, 202, "")
	orgID := r.body["organization"].(map[string]any)["id"].(string)
	requestID := r.body["request"].(map[string]any)["id"].(string)
	if r.body["organization"].(map[string]any)["status"] != "PENDING_APPROVAL" || r.body["organization"].(map[string]any)["role"] != "OWNER" ||
		r.body["organization"].(map[string]any)["organizationIdentifier"] != orgIdent {
		t.Fatalf("onboarding = %s", r.raw)
	}
	r = h.call(owner, "GET", "/api/organizations", nil).expect(t, 200, "")
	if list := r.body["organizations"].([]any); len(list) != 1 || list[0].(map[string]any)["id"] != orgID {
		t.Fatalf("my organizations = %s", r.raw)
	}

	ops := h.ops()
	h.call(owner, "GET", "/api/ops/requests", nil).expect(t, 403, "FORBIDDEN")
	r = h.eventually(ops, "GET", "/api/ops/requests", nil, func(r response) bool { return strings.Contains(r.raw, requestID) })
	r = h.call(ops, "GET", "/api/ops/requests/"+requestID, nil).expect(t, 200, "")
	detail := r.body["organization"].(map[string]any)
	// Operations see which environment the request is for: organizations share names.
	if env := r.body["request"].(map[string]any)["environment"]; env != "sandbox" {
		t.Fatalf("request environment = %v", env)
	}
	if r.body["request"].(map[string]any)["kind"] != "ONBOARDING" || detail["qsealc"].(map[string]any)["organizationIdentifier"].(map[string]any)["value"] != orgIdent {
		t.Fatalf("request detail = %s", r.raw)
	}
	// The sandbox CA issued both certificates to the owner through the portal: possession is
	// proven by issuance, and operations see it.
	if form := r.body["request"].(map[string]any)["form"].(map[string]any); form["qwacPossession"] != "issuance" || form["qsealcPossession"] != "issuance" {
		t.Fatalf("request form = %v", form)
	}
	if proofMethod(certificateOf(detail["organization"].(map[string]any), "qwac")) != "issuance" || proofMethod(certificateOf(detail["organization"].(map[string]any), "qsealc")) != "issuance" {
		t.Fatalf("ops detail = %s", r.raw)
	}
	h.call(ops, "GET", "/api/ops/requests?status=SOMETIMES", nil).expect(t, 400, "VALIDATION_FAILED")
	h.decide(ops, requestID, "approve", "Licence checked with the NBB register.").expect(t, 202, "")
	r = h.eventually(owner, "GET", "/api/organizations/"+orgID, nil, func(r response) bool { return r.body["status"] == "ACTIVE" })
	code, _ := r.body["code"].(string)
	if len(code) != 10 {
		t.Fatalf("active organization = %s", r.raw)
	}
	h.call(ops, "POST", "/api/ops/requests/"+requestID+"/approve", map[string]any{"comment": "again"}).expect(t, 409, "REQUEST_DECIDED")
	h.waitMail(func(m string) bool { return strings.Contains(m, "is approved") && strings.Contains(m, code) }, "the approval email with the code")

	// A developer joins with the code; the organization is then full (2 members).
	dev := h.activeUser("dev-" + testenv.Suffix() + "@example.com")
	h.call(dev, "POST", "/api/organizations/join", map[string]any{"code": "NOSUCHCODE"}).expect(t, 400, "VALIDATION_FAILED")
	r = h.call(dev, "POST", "/api/organizations/join", map[string]any{"code": strings.ToLower(code)}).expect(t, 200, "")
	if r.body["role"] != "DEVELOPER" || r.body["code"] != nil {
		t.Fatalf("joined = %s", r.raw)
	}
	h.call(dev, "POST", "/api/organizations/join", map[string]any{"code": code}).expect(t, 409, "ALREADY_MEMBER")
	third := h.activeUser("third-" + testenv.Suffix() + "@example.com")
	h.call(third, "POST", "/api/organizations/join", map[string]any{"code": code}).expect(t, 409, "ORGANIZATION_FULL")
	h.call(owner, "POST", "/api/organizations/"+orgID+"/invitations", map[string]any{"email": "more@example.com", "role": "VIEWER"}).expect(t, 409, "ORGANIZATION_FULL")
	r = h.call(owner, "GET", "/api/organizations/"+orgID+"/members", nil).expect(t, 200, "")
	if n := len(r.body["members"].([]any)); n != 2 {
		t.Fatalf("members = %s", r.raw)
	}
	if r := h.call(dev, "GET", "/api/organizations/"+orgID, nil).expect(t, 200, ""); r.body["code"] != nil {
		t.Fatalf("a developer sees the code: %s", r.raw)
	}

	// Roles: only the owner regenerates the code; developers see no audit trail.
	h.call(dev, "POST", "/api/organizations/"+orgID+"/code", nil).expect(t, 403, "FORBIDDEN")
	h.call(dev, "GET", "/api/organizations/"+orgID+"/audit", nil).expect(t, 403, "FORBIDDEN")
	r = h.call(owner, "POST", "/api/organizations/"+orgID+"/code", nil).expect(t, 200, "")
	if newCode := r.body["code"]; newCode == code || newCode == nil {
		t.Fatalf("regenerated = %s", r.raw)
	}
	h.call(third, "POST", "/api/organizations/join", map[string]any{"code": code}).expect(t, 400, "VALIDATION_FAILED")
	r = h.call(owner, "GET", "/api/organizations/"+orgID+"/audit", nil).expect(t, 200, "")
	var actions []string
	for _, e := range r.body["entries"].([]any) {
		actions = append(actions, e.(map[string]any)["action"].(string))
	}
	if fmt.Sprint(actions) != "[code.regenerated member.joined onboarding.approved onboarding.submitted]" {
		t.Fatalf("audit = %v", actions)
	}
	// The trail pages: three entries, then the last one with no cursor after it.
	r = h.call(owner, "GET", "/api/organizations/"+orgID+"/audit?limit=3", nil).expect(t, 200, "")
	cursor, _ := r.body["nextCursor"].(string)
	if n := len(r.body["entries"].([]any)); n != 3 || cursor == "" {
		t.Fatalf("first page of 3 = %s", r.raw)
	}
	r = h.call(owner, "GET", "/api/organizations/"+orgID+"/audit?limit=3&cursor="+url.QueryEscape(cursor), nil).expect(t, 200, "")
	if entries := r.body["entries"].([]any); len(entries) != 1 || entries[0].(map[string]any)["action"] != "onboarding.submitted" || r.body["nextCursor"] != nil {
		t.Fatalf("last page = %s", r.raw)
	}
	for _, tt := range []struct{ query, field string }{
		{"?limit=0", "[limit:range]"},
		{"?limit=101", "[limit:range]"},
		{"?cursor=bm90LWEtY3Vyc29y", "[cursor:invalid]"},
	} {
		r = h.call(owner, "GET", "/api/organizations/"+orgID+"/audit"+tt.query, nil).expect(t, 400, "VALIDATION_FAILED")
		if fmt.Sprint(r.fields()) != tt.field {
			t.Errorf("audit%s: fields %v, want %s", tt.query, r.fields(), tt.field)
		}
	}
	// Operations page through every organization the same way: pages of one add up to
	// the whole list.
	whole := h.call(ops, "GET", "/api/ops/organizations?limit=100", nil).expect(t, 200, "").body["organizations"].([]any)
	var paged []any
	for query := "?limit=1"; ; {
		r = h.call(ops, "GET", "/api/ops/organizations"+query, nil).expect(t, 200, "")
		paged = append(paged, r.body["organizations"].([]any)...)
		next, _ := r.body["nextCursor"].(string)
		if next == "" || len(paged) > len(whole) {
			break
		}
		query = "?limit=1&cursor=" + url.QueryEscape(next)
	}
	if fmt.Sprint(paged) != fmt.Sprint(whole) || len(whole) == 0 {
		t.Fatalf("pages of one = %v, the whole list = %v", paged, whole)
	}
	r = h.call(dev, "GET", "/api/organizations/"+orgID+"/requests", nil).expect(t, 200, "")
	if reqs := r.body["requests"].([]any); len(reqs) != 1 || reqs[0].(map[string]any)["status"] != "APPROVED" {
		t.Fatalf("requests = %s", r.raw)
	}
	// The bank's staff appear by role, never by name, to the TPP.
	if strings.Contains(r.raw, testenv.Ops.Email) || !strings.Contains(r.raw, "Bank operations") {
		t.Fatalf("requests show who decided: %s", r.raw)
	}
	if r := h.call(owner, "GET", "/api/organizations/"+orgID+"/audit", nil); strings.Contains(r.raw, testenv.Ops.Email) {
		t.Fatalf("audit shows who decided: %s", r.raw)
	}

	// Another tenant sees nothing.
	for _, path := range []string{"", "/members", "/requests", "/audit"} {
		h.call(third, "GET", "/api/organizations/"+orgID+path, nil).expect(t, 404, "NOT_FOUND")
	}
	h.call(third, "POST", "/api/organizations/"+orgID+"/code", nil).expect(t, 404, "NOT_FOUND")

	r = h.call(ops, "GET", "/api/ops/organizations", nil).expect(t, 200, "")
	if !strings.Contains(r.raw, orgID) {
		t.Fatalf("ops list = %s", r.raw)
	}
	r = h.call(ops, "GET", "/api/ops/organizations/"+orgID, nil).expect(t, 200, "")
	if len(r.body["members"].([]any)) != 2 || r.body["organization"].(map[string]any)["code"] == nil {
		t.Fatalf("ops detail = %s", r.raw)
	}
	// The sandbox CA issued both certificates; without a live truststore only the sandbox trusts it.
	for _, k := range []string{"qwacTrust", "qsealcTrust"} {
		if got, _ := json.Marshal(r.body[k]); string(got) != `{"store":"sandbox","trusted":true}` {
			t.Fatalf("ops detail %s = %s", k, got)
		}
	}
	h.call(ops, "GET", "/api/ops/organizations/nope", nil).expect(t, 404, "NOT_FOUND")
	r = h.call(ops, "GET", "/api/ops/audit", nil).expect(t, 200, "")
	if !strings.Contains(r.raw, "code.regenerated") || !strings.Contains(r.raw, orgID) {
		t.Fatalf("ops audit = %.300s", r.raw)
	}
	h.call(owner, "GET", "/api/ops/audit", nil).expect(t, 403, "FORBIDDEN")
}

func TestOnboardingRejected(t *testing.T) {
	h := newHarness(t)
	owner := h.activeUser("rej-" + testenv.Suffix() + "@example.com")
	qwac, qseal := h.certificates(owner, "PSDBE-NBB-"+strings.ToUpper(testenv.Suffix()), "AIS")
	r := h.call(owner, "POST", "/api/organizations", onboardingForm(qwac, qseal, "AIS")).expect(t, 202, "")
	orgID := r.body["organization"].(map[string]any)["id"].(string)
	requestID := r.body["request"].(map[string]any)["id"].(string)
	ops := h.ops()
	r = h.decide(ops, requestID, "reject", "")
	if r.status != 400 || fmt.Sprint(r.fields()) != "[comment:required]" {
		t.Fatalf("rejection without reason: %s", r.raw)
	}
	h.decide(ops, requestID, "reject", "The QSealC belongs to another company.").expect(t, 202, "")
	r = h.eventually(owner, "GET", "/api/organizations/"+orgID, nil, func(r response) bool { return r.body["status"] == "REJECTED" })
	if r.body["reason"] != "The QSealC belongs to another company." || r.body["code"] != nil {
		t.Fatalf("rejected organization = %s", r.raw)
	}
	h.call(ops, "POST", "/api/ops/requests/"+requestID+"/approve", map[string]any{}).expect(t, 409, "REQUEST_DECIDED")
	// The rejection freed the identifier: the TPP can onboard again with the same certificates.
	h.call(owner, "POST", "/api/organizations", onboardingForm(qwac, qseal, "AIS")).expect(t, 202, "")
	r = h.call(owner, "POST", "/api/organizations", onboardingForm(qwac, qseal, "AIS")).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[qwac:duplicate]" {
		t.Fatalf("second onboarding of one TPP: %v", r.fields())
	}
	h.waitMail(func(m string) bool {
		return strings.Contains(m, "was not approved") && strings.Contains(m, "another company")
	}, "the rejection email")
}

func TestSandboxCertificateValidation(t *testing.T) {
	h := newHarness(t)
	c := h.activeUser("cert-" + testenv.Suffix() + "@example.com")
	r := h.call(c, "POST", "/api/sandbox/certificates", map[string]any{"kind": "QWACX", "organizationName": "", "country": "Belgium", "roles": []string{"XIS"}}).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[kind:oneof organizationName:required country:len roles[0]:oneof]" {
		t.Fatalf("fields = %v", r.fields())
	}
	r = h.call(c, "POST", "/api/organizations", map[string]any{"roles": []string{}, "environment": "moon"}).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[firstName:required lastName:required company:required email:required phone:required roles:min environment:oneof qwac:required qsealc:required]" {
		t.Fatalf("fields = %v", r.fields())
	}
	// No service ticked: the message says to choose one, not to type characters.
	if got := r.message("min"); got != "Choose at least one service." {
		t.Fatalf("roles message = %q", got)
	}
	r = h.call(c, "POST", "/api/organizations", onboardingForm("garbage", "also garbage", "AIS")).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[qwac:parse qsealc:parse]" {
		t.Fatalf("fields = %v", r.fields())
	}
	// Sandbox certificates are not trusted for production (no live truststore here).
	qwac, qseal := h.certificates(c, "PSDBE-NBB-"+strings.ToUpper(testenv.Suffix()), "AIS")
	form := onboardingForm(qwac, qseal, "AIS")
	form["environment"] = "production"
	r = h.call(c, "POST", "/api/organizations", form).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[qwac:untrusted qsealc:untrusted]" {
		t.Fatalf("fields = %v", r.fields())
	}
	r = h.call(c, "GET", "/api/organizations", nil).expect(t, 200, "")
	if len(r.body["organizations"].([]any)) != 0 {
		t.Fatalf("a refused onboarding left an organization: %s", r.raw)
	}
}

func TestSignUpWithOrganizationCode(t *testing.T) {
	h := newHarness(t)
	owner := h.activeUser("o-" + testenv.Suffix() + "@example.com")
	orgID, code := h.activeOrg(owner)

	body := signUpBody("c-" + testenv.Suffix() + "@example.com")
	body["organizationCode"] = "WRONGCODE1"
	r := h.call(nil, "POST", "/api/auth/signup", body).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[organizationCode:unknown]" {
		t.Fatalf("fields = %v", r.fields())
	}
	email := body["email"].(string)
	body["organizationCode"] = strings.ToLower(code)
	h.call(nil, "POST", "/api/auth/signup", body).expect(t, 201, "")
	r = h.call(nil, "POST", "/api/auth/activate", map[string]any{"token": h.lastLink(email, "Activate"), "password": strong}).expect(t, 200, "")
	if r.body["organization"] != "Acme Payments" {
		t.Fatalf("activation = %s", r.raw)
	}
	c := h.newClient()
	h.call(c, "POST", "/api/auth/login", map[string]any{"email": email, "password": strong}).expect(t, 200, "")
	r = h.call(c, "GET", "/api/organizations/"+orgID, nil).expect(t, 200, "")
	if r.body["role"] != "DEVELOPER" {
		t.Fatalf("joined with the code = %s", r.raw)
	}
}

// TestFreshAuthentication: an operations decision needs the password entered in the last
// minutes. Past that, the decision is refused and changes nothing; the password confirmed
// (a wrong one is a field error, not the end of the session) lets it through.
func TestFreshAuthentication(t *testing.T) {
	h := newHarness(t)
	base := time.Now().UTC()
	clock := base
	h.api.Accounts.Now = func() time.Time { return clock }
	owner := h.activeUser("fresh-" + testenv.Suffix() + "@example.com")
	qwac, qseal := h.certificates(owner, "PSDBE-NBB-"+strings.ToUpper(testenv.Suffix()), "AIS")
	r := h.call(owner, "POST", "/api/organizations", onboardingForm(qwac, qseal, "AIS")).expect(t, 202, "")
	requestID := r.body["request"].(map[string]any)["id"].(string)
	ops := h.ops()

	clock = base.Add(10*time.Minute + time.Second)
	h.call(ops, "POST", "/api/ops/requests/"+requestID+"/approve", map[string]any{"comment": "ok"}).expect(t, 403, "REAUTHENTICATION_REQUIRED")
	h.call(ops, "POST", "/api/ops/requests/"+requestID+"/reject", map[string]any{"comment": "no"}).expect(t, 403, "REAUTHENTICATION_REQUIRED")
	if got := h.call(ops, "GET", "/api/ops/requests/"+requestID, nil).expect(t, 200, ""); got.body["request"].(map[string]any)["status"] != "PENDING" ||
		len(got.body["request"].(map[string]any)["history"].([]any)) != 1 {
		t.Fatalf("a refused decision changed the request: %s", got.raw)
	}
	r = h.call(ops, "POST", "/api/auth/confirm-password", map[string]any{"password": "Not" + testenv.Ops.Password}).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[password:incorrect]" {
		t.Fatalf("wrong password: %s", r.raw)
	}
	h.call(ops, "POST", "/api/auth/confirm-password", map[string]any{"password": testenv.Ops.Password}).expect(t, 200, "")
	h.decide(ops, requestID, "approve", "Licence checked.").expect(t, 202, "")
}
