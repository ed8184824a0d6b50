package portalapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/portal/portalapi"
	"github.com/bank/devportal/shared/portal/routes"
	"github.com/bank/devportal/shared/portal/store"
	"github.com/bank/devportal/shared/portal/wiring"
	"github.com/bank/devportal/shared/portal/wiring/allparts"
)

func TestMain(m *testing.M) { testenv.MainThen(m, checkEveryRouteSeen) }

// checkEveryRouteSeen runs after all tests: each route must have answered successfully in
// at least one of them, so the schema check above covered every route.
func checkEveryRouteSeen() int {
	code := 0
	for _, rt := range routes.Portal {
		seen.Lock()
		statuses := seen.m[rt.Name]
		seen.Unlock()
		success := false
		for s := range statuses {
			success = success || s < 300
		}
		if !success {
			fmt.Printf("FAIL: no test saw route %s answer successfully (saw %v)\n", rt.Name, statuses)
			code = 1
		}
	}
	return code
}

// schemas compiles the response schemas of the OpenAPI document once.
var schemas = sync.OnceValues(func() (*jsonschema.Compiler, error) {
	raw, err := json.Marshal(portalapi.Document())
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	return c, c.AddResource("https://portal.test/openapi.json", doc)
})

func pointer(parts ...string) string {
	for i, p := range parts {
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(p, "~", "~0"), "/", "~1")
	}
	return "https://portal.test/openapi.json#/" + strings.Join(parts, "/")
}

// checkResponse fails the test when a response is not documented for its route or its
// body does not match the documented schema.
func checkResponse(t *testing.T, rt route.Route, status int, body []byte) {
	t.Helper()
	c, err := schemas()
	if err != nil {
		t.Fatalf("compile OpenAPI document: %v", err)
	}
	op := portalapi.Document()["paths"].(map[string]any)[rt.Path].(map[string]any)[strings.ToLower(rt.Method)].(map[string]any)
	resp, ok := op["responses"].(map[string]any)[strconv.Itoa(status)].(map[string]any)
	if !ok {
		t.Errorf("%s answered %d, which the OpenAPI document does not list (body %s)", rt.Name, status, body)
		return
	}
	if _, hasBody := resp["content"]; !hasBody {
		if len(body) != 0 {
			t.Errorf("%s %d: documented without a body, got %s", rt.Name, status, body)
		}
		return
	}
	sch, err := c.Compile(pointer("paths", rt.Path, strings.ToLower(rt.Method), "responses", strconv.Itoa(status), "content", "application/json", "schema"))
	if err != nil {
		t.Fatalf("compile schema of %s %d: %v", rt.Name, status, err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Errorf("%s %d: body is not JSON: %s", rt.Name, status, body)
		return
	}
	if err := sch.Validate(v); err != nil {
		t.Errorf("%s %d: body does not match the OpenAPI schema: %v\nbody: %s", rt.Name, status, err, body)
	}
}

// seen records which route answered which status, across the package's tests.
var seen = struct {
	sync.Mutex
	m map[string]map[int]bool
}{m: map[string]map[int]bool{}}

type teeWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (w *teeWriter) WriteHeader(s int) { w.status = s; w.ResponseWriter.WriteHeader(s) }
func (w *teeWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = 200
	}
	w.body.Write(b)
	return w.ResponseWriter.Write(b)
}

// harness is the portal API on moto behind an httptest server, with a browser-like client.
type harness struct {
	t   *testing.T
	srv *httptest.Server
	mux *http.ServeMux
	// tlsSrv serves mux over TLS, asking for a client certificate (tlsCall).
	tlsSrv   *httptest.Server
	api      *portalapi.API
	client   *http.Client
	logs     *bytes.Buffer
	orgStore *store.Orgs
	db       *dynamodb.Client
	table    string
	cfg      config.Config
	// secrets are the authenticator apps' secrets the test set up, by address.
	secrets map[string]string
}

// fmtItem renders an item, nested values included, as JSON for searching it.
func fmtItem(item map[string]types.AttributeValue) string {
	var plain map[string]any
	if err := attributevalue.UnmarshalMap(item, &plain); err != nil {
		return fmt.Sprint(err)
	}
	b, _ := json.Marshal(plain)
	return string(b)
}

func newHarness(t *testing.T, adjust ...func(*config.Config)) *harness {
	t.Helper()
	return newHarnessWith(t, allparts.Parts(), adjust...)
}

// newHarnessWith is newHarness with the given wiring parts.
func newHarnessWith(t *testing.T, parts wiring.Parts, adjust ...func(*config.Config)) *harness {
	t.Helper()
	cfg := testenv.Bootstrapped(t, testenv.Ops, adjust...)
	logs := &bytes.Buffer{}
	api, err := wiring.Portal(context.Background(), cfg, slog.New(slog.NewJSONHandler(logs, nil)), parts, route.Everything)
	if err != nil {
		t.Fatal(err)
	}
	// A failed test shows the API's errors, which its answers keep to a request ID.
	t.Cleanup(func() {
		if t.Failed() {
			for _, line := range strings.Split(logs.String(), "\n") {
				if strings.Contains(line, `"level":"ERROR"`) {
					t.Log(line)
				}
			}
		}
	})
	mux := http.NewServeMux()
	for _, rt := range routes.Portal {
		h := api.Handler(rt)
		mux.Handle(rt.Pattern(), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			tw := &teeWriter{ResponseWriter: w}
			h.ServeHTTP(tw, r)
			checkResponse(t, rt, tw.status, tw.body.Bytes())
			seen.Lock()
			if seen.m[rt.Name] == nil {
				seen.m[rt.Name] = map[int]bool{}
			}
			seen.m[rt.Name][tw.status] = true
			seen.Unlock()
		}))
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	db := dynamodb.NewFromConfig(testenv.AWS(t, cfg))
	h := &harness{t: t, srv: srv, mux: mux, api: api, logs: logs, orgStore: store.NewOrgs(db, cfg.PortalTable), db: db, table: cfg.PortalTable, cfg: cfg, secrets: map[string]string{}}
	h.client = h.newClient()
	return h
}

// awsConfig is the SDK configuration of the harness's moto.
func (h *harness) awsConfig() aws.Config { return testenv.AWS(h.t, h.cfg) }

// auditEntry is an audit entry for writes the test makes through the store.
func (h *harness) auditEntry(orgID, action string) org.AuditEntry {
	return org.AuditEntry{OrgID: orgID, At: time.Now().UTC(), ActorID: "test", Actor: "test", Action: action}
}

func (h *harness) newClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar}
}

func (h *harness) cookie(c *http.Client, name string) string {
	u, _ := url.Parse(h.srv.URL + "/api/")
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}

type response struct {
	status int
	body   map[string]any
	raw    string
	header http.Header
}

// call sends a request the way the SPA does: JSON body, CSRF header from the cookie.
func (h *harness) call(c *http.Client, method, path string, body any) response {
	h.t.Helper()
	if c == nil {
		c = h.client
	}
	if h.cookie(c, portalapi.CSRFCookie) == "" {
		resp, err := c.Get(h.srv.URL + "/api/auth/password-policy")
		if err != nil {
			h.t.Fatal(err)
		}
		resp.Body.Close()
	}
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, h.srv.URL+path, rd)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(portalapi.CSRFHeader, h.cookie(c, portalapi.CSRFCookie))
	resp, err := c.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	return readResponse(resp)
}

// readResponse reads and closes resp's body, decoding it when it is JSON.
func readResponse(resp *http.Response) response {
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := response{status: resp.StatusCode, raw: string(raw), header: resp.Header}
	_ = json.Unmarshal(raw, &out.body)
	return out
}

// expect fails unless the response has the status and, for errors, the code.
func (r response) expect(t *testing.T, status int, code string) response {
	t.Helper()
	if r.status != status || (code != "" && r.body["code"] != code) {
		t.Fatalf("got %d %s, want %d %s", r.status, r.raw, status, code)
	}
	return r
}

func (r response) fields() []string {
	var out []string
	list, _ := r.body["fields"].([]any)
	for _, f := range list {
		m := f.(map[string]any)
		out = append(out, m["field"].(string)+":"+m["rule"].(string))
	}
	return out
}

// Emailed links carry their token in the fragment, which no server or CDN log sees.
var tokenRE = regexp.MustCompile(`#token=([A-Za-z0-9_-]+)`)

// lastLink returns the token of the newest email to addr whose subject contains subject.
func (h *harness) lastLink(addr, subject string) string {
	h.t.Helper()
	msgs, err := h.api.Mailbox.Messages(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	for _, m := range msgs {
		if len(m.To) == 1 && m.To[0] == addr && strings.Contains(m.Subject, subject) {
			if tok := tokenRE.FindStringSubmatch(m.Body); tok != nil {
				return tok[1]
			}
		}
	}
	h.t.Fatalf("no %q email to %s", subject, addr)
	return ""
}

// mails returns every email as "to|subject|body", newest first.
func (h *harness) mails() []string {
	msgs, err := h.api.Mailbox.Messages(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	var out []string
	for _, m := range msgs {
		out = append(out, strings.Join(m.To, ",")+"|"+m.Subject+"|"+m.Body)
	}
	return out
}

// lastMail returns the body of the newest email to addr whose subject contains subject.
func (h *harness) lastMail(addr, subject string) string {
	h.t.Helper()
	for _, m := range h.mails() {
		if to, rest, _ := strings.Cut(m, "|"); to == addr {
			if subj, body, _ := strings.Cut(rest, "|"); strings.Contains(subj, subject) {
				return body
			}
		}
	}
	h.t.Fatalf("no %q email to %s", subject, addr)
	return ""
}

// mailCount counts the distinct emails to addr whose subject has subject. The SDK retries a
// send whose answer was lost, so SES may record one message twice with the same body (and
// the same link); that is one email to the user.
func (h *harness) mailCount(addr, subject string) int {
	msgs, _ := h.api.Mailbox.Messages(context.Background())
	bodies := map[string]bool{}
	for _, m := range msgs {
		if len(m.To) == 1 && m.To[0] == addr && strings.Contains(m.Subject, subject) {
			bodies[m.Body] = true
		}
	}
	return len(bodies)
}

const strong = "Str0ng!Passw0rd"

func signUpBody(email string) map[string]any {
	return map[string]any{"fullName": "Ann Dev", "email": email, "password": strong, "passwordConfirmation": strong, "acceptTerms": true}
}

// activeUser signs up and activates a user and returns a signed-in client.
func (h *harness) activeUser(email string) *http.Client {
	h.t.Helper()
	h.call(nil, "POST", "/api/auth/signup", signUpBody(email)).expect(h.t, 201, "")
	h.call(nil, "POST", "/api/auth/activate", map[string]any{"token": h.lastLink(email, "Activate"), "password": strong}).expect(h.t, 200, "")
	c := h.newClient()
	h.call(c, "POST", "/api/auth/login", map[string]any{"email": email, "password": strong}).expect(h.t, 200, "")
	return c
}

func TestAccountJourney(t *testing.T) {
	h := newHarness(t)
	email := "ann-" + testenv.Suffix() + "@example.com"

	r := h.call(nil, "GET", "/api/auth/password-policy", nil).expect(t, 200, "")
	if r.body["minLength"] != 12.0 || r.body["maxAgeDays"] != 730.0 {
		t.Fatalf("policy = %s", r.raw)
	}
	r = h.call(nil, "POST", "/api/auth/signup", map[string]any{"fullName": " Ann Dev ", "email": " " + strings.ToUpper(email[:1]) + email[1:], "password": strong,
		"passwordConfirmation": strong, "acceptTerms": true}).expect(t, 201, "")
	if r.body["email"] != email || r.body["status"] != "PENDING_ACTIVATION" {
		t.Fatalf("signup = %s", r.raw)
	}
	// Signing up again is answered as the first time: the mail tells the address's owner.
	if again := h.call(nil, "POST", "/api/auth/signup", signUpBody(email)).expect(t, 201, ""); again.raw != r.raw {
		t.Fatalf("second sign-up = %s, want %s", again.raw, r.raw)
	}
	h.call(nil, "POST", "/api/auth/login", map[string]any{"email": email, "password": strong}).expect(t, 403, "NOT_ACTIVATED")

	// A resend right after the sign-up sends nothing (no mailbox flooding); a minute later it does.
	h.call(nil, "POST", "/api/auth/activation/resend", map[string]any{"email": email}).expect(t, 202, "")
	if n := h.mailCount(email, "Activate"); n != 1 {
		t.Fatalf("%d activation emails right after sign-up, want 1", n)
	}
	later := time.Now().UTC().Add(2 * time.Minute)
	h.api.Accounts.Now = func() time.Time { return later }
	h.call(nil, "POST", "/api/auth/activation/resend", map[string]any{"email": email}).expect(t, 202, "")
	if n := h.mailCount(email, "Activate"); n != 2 {
		t.Fatalf("%d activation emails, want 2", n)
	}
	token := h.lastLink(email, "Activate")
	h.call(nil, "POST", "/api/auth/activate", map[string]any{"token": token, "password": strong}).expect(t, 200, "")
	h.call(nil, "POST", "/api/auth/activate", map[string]any{"token": token, "password": strong}).expect(t, 410, "LINK_USED")
	h.call(nil, "POST", "/api/auth/activate", map[string]any{"token": "nope", "password": strong}).expect(t, 404, "LINK_INVALID")
	h.call(nil, "POST", "/api/auth/activation/resend", map[string]any{"email": email}).expect(t, 202, "")
	if n := h.mailCount(email, "Activate"); n != 2 {
		t.Fatalf("resend for an active account sent mail (%d)", n)
	}

	h.call(nil, "GET", "/api/account", nil).expect(t, 401, "UNAUTHENTICATED")
	h.call(nil, "POST", "/api/auth/login", map[string]any{"email": email, "password": "Wrong!Passw0rd"}).expect(t, 401, "BAD_CREDENTIALS")
	r = h.call(nil, "POST", "/api/auth/login", map[string]any{"email": strings.ToUpper(email), "password": strong}).expect(t, 200, "")
	acc := r.body["account"].(map[string]any)
	if acc["email"] != email || acc["fullName"] != "Ann Dev" || acc["organizationCode"] != nil || acc["operations"] != false ||
		acc["passwordExpiresInDays"] != 730.0 || r.body["passwordExpiryWarning"] != false {
		t.Fatalf("login = %s", r.raw)
	}

	r = h.call(nil, "PATCH", "/api/account", map[string]any{"fullName": "Ann Developer"}).expect(t, 200, "")
	if r.body["fullName"] != "Ann Developer" {
		t.Fatalf("update = %s", r.raw)
	}
	prefs := map[string]any{"passwordExpiry": false, "requestUpdates": true, "certificateExpiry": false, "productNews": true}
	r = h.call(nil, "PUT", "/api/account/preferences", prefs).expect(t, 200, "")
	if fmt.Sprint(r.body["preferences"]) != fmt.Sprint(prefs) {
		t.Fatalf("preferences = %v", r.body["preferences"])
	}
	r = h.call(nil, "GET", "/api/account", nil).expect(t, 200, "")
	if r.body["fullName"] != "Ann Developer" || fmt.Sprint(r.body["preferences"]) != fmt.Sprint(prefs) {
		t.Fatalf("account = %s", r.raw)
	}

	const next = "N3w!Password12"
	r = h.call(nil, "POST", "/api/account/password", map[string]any{"currentPassword": strong, "newPassword": strong, "newPasswordConfirmation": strong}).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[newPassword:history]" {
		t.Fatalf("fields = %v", r.fields())
	}
	r = h.call(nil, "POST", "/api/account/password", map[string]any{"currentPassword": "Wrong!Passw0rd", "newPassword": next, "newPasswordConfirmation": next}).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[currentPassword:incorrect]" {
		t.Fatalf("fields = %v", r.fields())
	}
	h.call(nil, "POST", "/api/account/password", map[string]any{"currentPassword": strong, "newPassword": next, "newPasswordConfirmation": next}).expect(t, 200, "")
	if h.mailCount(email, "password was changed") != 1 {
		t.Fatal("no password-changed notice")
	}
	h.call(nil, "POST", "/api/auth/refresh", nil).expect(t, 200, "")
	h.call(nil, "POST", "/api/auth/logout", nil).expect(t, 204, "")
	h.call(nil, "GET", "/api/account", nil).expect(t, 401, "UNAUTHENTICATED")
	h.call(nil, "POST", "/api/auth/refresh", nil).expect(t, 401, "UNAUTHENTICATED")
	h.call(nil, "POST", "/api/auth/login", map[string]any{"email": email, "password": strong}).expect(t, 401, "BAD_CREDENTIALS")
	h.call(nil, "POST", "/api/auth/login", map[string]any{"email": email, "password": next}).expect(t, 200, "")

	h.call(nil, "POST", "/api/auth/password/forgot", map[string]any{"email": "nobody@example.com"}).expect(t, 202, "")
	h.call(nil, "POST", "/api/auth/password/forgot", map[string]any{"email": email}).expect(t, 202, "")
	h.call(nil, "POST", "/api/auth/password/forgot", map[string]any{"email": email}).expect(t, 202, "")
	if n := h.mailCount(email, "Reset"); n != 1 {
		t.Fatalf("%d reset emails for two requests in a row, want 1", n)
	}
	reset := h.lastLink(email, "Reset")
	r = h.call(nil, "POST", "/api/auth/password/reset", map[string]any{"token": reset, "password": strong, "passwordConfirmation": strong}).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[password:history]" {
		t.Fatalf("fields = %v", r.fields())
	}
	const third = "Th1rd!Password"
	h.call(nil, "POST", "/api/auth/password/reset", map[string]any{"token": reset, "password": third, "passwordConfirmation": third}).expect(t, 200, "")
	h.call(nil, "POST", "/api/auth/password/reset", map[string]any{"token": reset, "password": "F0urth!Password", "passwordConfirmation": "F0urth!Password"}).expect(t, 410, "LINK_USED")
	h.call(h.newClient(), "POST", "/api/auth/login", map[string]any{"email": email, "password": third}).expect(t, 200, "")

	if tools := h.call(nil, "GET", "/api/dev", nil).expect(t, 200, ""); strings.TrimSpace(tools.raw) != `{"mailbox":true}` {
		t.Fatalf("GET /api/dev answered %s, want the mailbox offered", tools.raw)
	}
	h.call(nil, "GET", "/api/dev/mail", nil).expect(t, 200, "")
	h.call(nil, "POST", "/api/dev/jobs/password-expiry-reminder", nil).expect(t, 200, "")
	h.call(nil, "POST", "/api/dev/jobs/nope", nil).expect(t, 404, "NO_SUCH_JOB")
	h.call(nil, "GET", "/api/openapi.json", nil).expect(t, 200, "")
	h.call(nil, "GET", "/api/healthz", nil).expect(t, 200, "")

	for _, line := range []string{strong, next, third, "F0urth!Password"} {
		if strings.Contains(h.logs.String(), line) {
			t.Fatalf("a password appears in the logs")
		}
	}
}

func TestSignUpValidation(t *testing.T) {
	h := newHarness(t)
	cases := []struct {
		name   string
		change func(map[string]any)
		fields string
	}{
		{"empty form", func(b map[string]any) { clear(b) }, "[fullName:required email:required password:required passwordConfirmation:required acceptTerms:accepted]"},
		{"bad email", func(b map[string]any) { b["email"] = "not-an-email" }, "[email:email]"},
		{"too short", func(b map[string]any) { b["password"], b["passwordConfirmation"] = "Sh0rt!pass", "Sh0rt!pass" }, "[password:minLength]"},
		{"no upper case", func(b map[string]any) {
			b["password"], b["passwordConfirmation"] = "str0ng!passw0rd", "str0ng!passw0rd"
		}, "[password:minUpper]"},
		{"no lower case", func(b map[string]any) {
			b["password"], b["passwordConfirmation"] = "STR0NG!PASSW0RD", "STR0NG!PASSW0RD"
		}, "[password:minLower]"},
		{"no digit", func(b map[string]any) {
			b["password"], b["passwordConfirmation"] = "Strong!Password", "Strong!Password"
		}, "[password:minDigits]"},
		{"no special", func(b map[string]any) { b["password"], b["passwordConfirmation"] = "Str0ngPassw0rd", "Str0ngPassw0rd" }, "[password:minSpecial]"},
		{"repeated", func(b map[string]any) { b["password"], b["passwordConfirmation"] = "Str0ng!Paaaass", "Str0ng!Paaaass" }, "[password:maxRepeated]"},
		{"mismatch", func(b map[string]any) { b["passwordConfirmation"] = "Other!Passw0rd" }, "[passwordConfirmation:match]"},
		{"terms", func(b map[string]any) { b["acceptTerms"] = false }, "[acceptTerms:accepted]"},
		{"organization code", func(b map[string]any) { b["organizationCode"] = "no spaces!" }, "[organizationCode:alphanum]"},
		{"unknown field", func(b map[string]any) { b["admin"] = true }, "[admin:unknown]"},
		{"wrong type", func(b map[string]any) { b["acceptTerms"] = "yes" }, "[acceptTerms:type]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := signUpBody("v-" + testenv.Suffix() + "@example.com")
			c.change(body)
			r := h.call(nil, "POST", "/api/auth/signup", body).expect(t, 400, "VALIDATION_FAILED")
			if got := fmt.Sprint(r.fields()); got != c.fields {
				t.Fatalf("fields = %s, want %s", got, c.fields)
			}
			// Nothing was created: the same email signs up normally afterwards.
			if email, _ := body["email"].(string); strings.HasPrefix(email, "v-") {
				h.call(nil, "POST", "/api/auth/signup", signUpBody(email)).expect(t, 201, "")
			}
		})
	}
}

func TestMalformedRequests(t *testing.T) {
	h := newHarness(t)
	h.call(nil, "GET", "/api/healthz", nil)
	csrf := h.cookie(h.client, portalapi.CSRFCookie)
	cases := []struct {
		name, body, csrf string
		status           int
		code             string
	}{
		{"not JSON", "{", csrf, 400, "MALFORMED_JSON"},
		{"empty body", "", csrf, 400, "MALFORMED_JSON"},
		{"two objects", `{"email":"a@b.co"}{}`, csrf, 400, "MALFORMED_JSON"},
		{"no CSRF header", `{"email":"a@b.co"}`, "", 403, "CSRF_FAILED"},
		{"wrong CSRF header", `{"email":"a@b.co"}`, "forged", 403, "CSRF_FAILED"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", h.srv.URL+"/api/auth/password/forgot", strings.NewReader(c.body))
			if c.csrf != "" {
				req.Header.Set(portalapi.CSRFHeader, c.csrf)
			}
			resp, err := h.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body map[string]any
			_ = json.NewDecoder(resp.Body).Decode(&body)
			if id, _ := body["requestId"].(string); resp.StatusCode != c.status || body["code"] != c.code || id == "" {
				t.Fatalf("got %d %v, want %d %s", resp.StatusCode, body, c.status, c.code)
			}
		})
	}
}

func TestSessionCSRFBoundToSession(t *testing.T) {
	h := newHarness(t)
	ann := h.activeUser("ann-" + testenv.Suffix() + "@example.com")
	bob := h.activeUser("bob-" + testenv.Suffix() + "@example.com")
	// Bob's CSRF token with Ann's session: the double-submit matches (Ann's cookie jar gets
	// Bob's value) but the session's own token does not.
	u, _ := url.Parse(h.srv.URL + "/api/")
	ann.Jar.SetCookies(u, []*http.Cookie{{Name: portalapi.CSRFCookie, Value: h.cookie(bob, portalapi.CSRFCookie), Path: "/"}})
	h.call(ann, "PATCH", "/api/account", map[string]any{"fullName": "Mallory"}).expect(t, 403, "CSRF_FAILED")
	h.call(bob, "PATCH", "/api/account", map[string]any{"fullName": "Bob"}).expect(t, 200, "")
}

func TestCookies(t *testing.T) {
	h := newHarness(t)
	email := "c-" + testenv.Suffix() + "@example.com"
	h.activeUser(email)
	c := h.newClient()
	h.call(c, "GET", "/api/healthz", nil)
	body, _ := json.Marshal(map[string]any{"email": email, "password": strong})
	req, _ := http.NewRequest("POST", h.srv.URL+"/api/auth/login", bytes.NewReader(body))
	req.Header.Set(portalapi.CSRFHeader, h.cookie(c, portalapi.CSRFCookie))
	req.AddCookie(&http.Cookie{Name: portalapi.CSRFCookie, Value: h.cookie(c, portalapi.CSRFCookie)})
	for _, host := range []string{"", "portal.bank.example"} {
		if host != "" {
			req, _ = http.NewRequest("POST", h.srv.URL+"/api/auth/login", bytes.NewReader(body))
			req.Header.Set(portalapi.CSRFHeader, h.cookie(c, portalapi.CSRFCookie))
			req.Host = host
			// A cookie jar keys on the host, so send the CSRF cookie by hand.
			req.AddCookie(&http.Cookie{Name: portalapi.CSRFCookie, Value: h.cookie(c, portalapi.CSRFCookie)})
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("host %q: login answered %d %s", host, resp.StatusCode, b)
		}
		var session *http.Cookie
		for _, ck := range resp.Cookies() {
			if ck.Name == portalapi.SessionCookie {
				session = ck
			}
		}
		if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.Secure != (host != "") {
			t.Fatalf("host %q: session cookie = %+v", host, session)
		}
	}
}

func TestTimeRules(t *testing.T) {
	h := newHarness(t)
	base := time.Now().UTC()
	clock := base
	h.api.Accounts.Now = func() time.Time { return clock }
	email := "t-" + testenv.Suffix() + "@example.com"

	h.call(nil, "POST", "/api/auth/signup", signUpBody(email)).expect(t, 201, "")
	token := h.lastLink(email, "Activate")
	clock = base.Add(72*time.Hour + time.Second)
	h.call(nil, "POST", "/api/auth/activate", map[string]any{"token": token, "password": strong}).expect(t, 410, "LINK_EXPIRED")
	h.call(nil, "POST", "/api/auth/activation/resend", map[string]any{"email": email}).expect(t, 202, "")
	h.call(nil, "POST", "/api/auth/activate", map[string]any{"token": h.lastLink(email, "Activate"), "password": strong}).expect(t, 200, "")

	// The password was set at base; it expires after 730 days.
	day := 24 * time.Hour
	clock = base.Add(700 * day)
	r := h.call(h.newClient(), "POST", "/api/auth/login", map[string]any{"email": email, "password": strong}).expect(t, 200, "")
	if r.body["passwordExpiryWarning"] != false || r.body["account"].(map[string]any)["passwordExpiresInDays"] != 30.0 {
		t.Fatalf("30 days before expiry: %s", r.raw)
	}
	clock = base.Add(720 * day)
	r = h.call(h.newClient(), "POST", "/api/auth/login", map[string]any{"email": email, "password": strong}).expect(t, 200, "")
	if r.body["passwordExpiryWarning"] != true || r.body["account"].(map[string]any)["passwordExpiresInDays"] != 10.0 {
		t.Fatalf("10 days before expiry: %s", r.raw)
	}
	clock = base.Add(730*day + time.Minute)
	h.call(h.newClient(), "POST", "/api/auth/login", map[string]any{"email": email, "password": strong}).expect(t, 403, "PASSWORD_EXPIRED")

	// A reset link an hour old no longer works; a fresh one does, and restarts the clock.
	r = h.call(nil, "POST", "/api/auth/password/forgot", map[string]any{"email": email}).expect(t, 202, "")
	if r.body["message"] != "If an account with this email exists, we sent a link to reset its password. It is valid for 1 hour." {
		t.Fatalf("forgot = %s", r.raw)
	}
	if m := h.lastMail(email, "Reset"); !strings.Contains(m, "This link works once. It expires in 1 hour, or as soon as your password is changed.") {
		t.Fatalf("reset email = %s", m)
	}
	old := h.lastLink(email, "Reset")
	clock = clock.Add(time.Hour)
	h.call(nil, "POST", "/api/auth/password/reset", map[string]any{"token": old, "password": "Fr3sh!Password", "passwordConfirmation": "Fr3sh!Password"}).expect(t, 410, "LINK_EXPIRED")
	h.call(nil, "POST", "/api/auth/password/forgot", map[string]any{"email": email}).expect(t, 202, "")
	h.call(nil, "POST", "/api/auth/password/reset", map[string]any{"token": h.lastLink(email, "Reset"), "password": "Fr3sh!Password", "passwordConfirmation": "Fr3sh!Password"}).expect(t, 200, "")
	r = h.call(h.newClient(), "POST", "/api/auth/login", map[string]any{"email": email, "password": "Fr3sh!Password"}).expect(t, 200, "")
	if r.body["account"].(map[string]any)["passwordExpiresInDays"] != 730.0 {
		t.Fatalf("after reset: %s", r.raw)
	}
}

func TestExpiryReminders(t *testing.T) {
	h := newHarness(t)
	base := time.Now().UTC()
	clock := base
	h.api.Accounts.Now = func() time.Time { return clock }
	wants := "w-" + testenv.Suffix() + "@example.com"
	optedOut := "o-" + testenv.Suffix() + "@example.com"
	h.activeUser(wants)
	h.call(h.activeUser(optedOut), "PUT", "/api/account/preferences", map[string]any{"passwordExpiry": false, "requestUpdates": true, "certificateExpiry": true, "productNews": false}).expect(t, 200, "")

	day := 24 * time.Hour
	steps := []struct {
		at     time.Duration
		emails int
	}{
		{700 * day, 0},             // 30 days left: nothing yet
		{716*day + time.Hour, 1},   // 14 days left: first warning
		{717 * day, 1},             // 13 days left: already warned
		{727*day + time.Hour, 2},   // 3 days left
		{727*day + 2*time.Hour, 2}, // same day again: no duplicate
		{729*day + time.Hour, 3},   // 1 day left
		{731 * day, 3},             // expired: no more reminders
	}
	for _, s := range steps {
		clock = base.Add(s.at)
		if _, err := h.api.Jobs["password-expiry-reminder"](context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := h.mailCount(wants, "expires in"); got != s.emails {
			t.Fatalf("at day %.1f: %d reminders, want %d", s.at.Hours()/24, got, s.emails)
		}
		if got := h.mailCount(optedOut, "expires in"); got != 0 {
			t.Fatalf("opted-out user got %d reminders", got)
		}
	}
}

func TestOperationsFlag(t *testing.T) {
	h := newHarness(t)
	r := h.call(nil, "POST", "/api/auth/login", map[string]any{"email": testenv.Ops.Email, "password": testenv.Ops.Password}).expect(t, 200, "")
	if r.body["account"].(map[string]any)["operations"] != true {
		t.Fatalf("ops login = %s", r.raw)
	}
}

func TestHealthDegraded(t *testing.T) {
	api := &portalapi.API{Log: slog.New(slog.NewJSONHandler(io.Discard, nil)), Checks: []portalapi.Check{
		{Name: "good", Ping: func(context.Context) error { return nil }},
		{Name: "bad", Ping: func(context.Context) error { return fmt.Errorf("connection refused") }},
	}}
	rt, _ := routes.ByName("healthz")
	rec := httptest.NewRecorder()
	api.Handler(rt).ServeHTTP(rec, httptest.NewRequest("GET", "/api/healthz", nil))
	checkResponse(t, rt, rec.Code, rec.Body.Bytes())
	var body portalapi.HealthResponse
	_ = json.Unmarshal(rec.Body.Bytes(), &body)
	if rec.Code != 503 || body.Status != "degraded" || len(body.Checks) != 2 || body.Checks[0].Status != "up" ||
		body.Checks[1].Status != "down" || body.Checks[1].Error != "unavailable" {
		t.Fatalf("got %d %s", rec.Code, rec.Body)
	}
}

func TestLocalRoutesAbsentOutsideLocalMode(t *testing.T) {
	api := &portalapi.API{Local: false, Log: slog.New(slog.NewJSONHandler(io.Discard, nil))}
	mux := http.NewServeMux()
	api.Mount(mux)
	for _, rt := range routes.Portal {
		if rt.Auth != route.LocalOnly {
			continue
		}
		_, pattern := mux.Handler(httptest.NewRequest(rt.Method, strings.ReplaceAll(rt.Path, "{job}", "x"), nil))
		if pattern != "" {
			t.Errorf("%s is mounted outside local mode", rt.Name)
		}
		rec := httptest.NewRecorder()
		api.Handler(rt).ServeHTTP(rec, httptest.NewRequest(rt.Method, rt.Path, nil))
		if rec.Code != 404 {
			t.Errorf("%s outside local mode answered %d", rt.Name, rec.Code)
		}
	}
}

// TestOpenAPIDescribesEveryRoute checks the document lists exactly the route table; that
// every route answered as documented is checked after all tests (checkEveryRouteSeen).
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	paths := portalapi.Document()["paths"].(map[string]any)
	documented := 0
	for _, item := range paths {
		documented += len(item.(map[string]any))
	}
	if documented != len(routes.Portal) {
		t.Errorf("document has %d operations, route table %d", documented, len(routes.Portal))
	}
	for _, rt := range routes.Portal {
		op, ok := paths[rt.Path].(map[string]any)[strings.ToLower(rt.Method)].(map[string]any)
		if !ok {
			t.Errorf("route %s (%s) is missing from the OpenAPI document", rt.Name, rt.Pattern())
			continue
		}
		if op["operationId"] == "" || op["summary"] != rt.Summary {
			t.Errorf("route %s: operation %v", rt.Name, op)
		}
	}
}

func TestSessionsAcrossDevices(t *testing.T) {
	h := newHarness(t)
	email := "d-" + testenv.Suffix() + "@example.com"
	laptop := h.activeUser(email)
	phone := h.newClient()
	h.call(phone, "POST", "/api/auth/login", map[string]any{"email": email, "password": strong}).expect(t, 200, "")

	// Signing out on one device leaves the other signed in.
	tablet := h.newClient()
	h.call(tablet, "POST", "/api/auth/login", map[string]any{"email": email, "password": strong}).expect(t, 200, "")
	h.call(tablet, "POST", "/api/auth/logout", nil).expect(t, 204, "")
	h.call(tablet, "GET", "/api/account", nil).expect(t, 401, "UNAUTHENTICATED")
	h.call(phone, "GET", "/api/account", nil).expect(t, 200, "")

	// A browser restart drops the CSRF cookie but not the session: the next read restores it.
	u, _ := url.Parse(h.srv.URL + "/api/")
	phone.Jar.SetCookies(u, []*http.Cookie{{Name: portalapi.CSRFCookie, Value: "", Path: "/", MaxAge: -1}})
	h.call(phone, "GET", "/api/account", nil).expect(t, 200, "")
	h.call(phone, "PATCH", "/api/account", map[string]any{"fullName": "Ann Phone"}).expect(t, 200, "")

	// The current password is checked before the history, so guesses learn nothing.
	r := h.call(laptop, "POST", "/api/account/password", map[string]any{"currentPassword": "Wrong!Passw0rd", "newPassword": strong, "newPasswordConfirmation": strong}).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[currentPassword:incorrect]" {
		t.Fatalf("fields = %v", r.fields())
	}
	r = h.call(laptop, "POST", "/api/account/password", map[string]any{"currentPassword": strong, "newPassword": strings.Repeat("Ab1!", 17), "newPasswordConfirmation": strings.Repeat("Ab1!", 17)}).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[newPassword:maxLength]" {
		t.Fatalf("fields = %v", r.fields())
	}

	// Changing the password ends the other devices' sessions, not this one.
	const next = "N3w!Password12"
	h.call(laptop, "POST", "/api/account/password", map[string]any{"currentPassword": strong, "newPassword": next, "newPasswordConfirmation": next}).expect(t, 200, "")
	h.call(laptop, "GET", "/api/account", nil).expect(t, 200, "")
	h.call(laptop, "POST", "/api/auth/refresh", nil).expect(t, 200, "")
	h.call(phone, "GET", "/api/account", nil).expect(t, 401, "UNAUTHENTICATED")

	// A reset ends every session.
	h.call(nil, "POST", "/api/auth/password/forgot", map[string]any{"email": email}).expect(t, 202, "")
	h.call(nil, "POST", "/api/auth/password/reset", map[string]any{"token": h.lastLink(email, "Reset"), "password": "Th1rd!Password", "passwordConfirmation": "Th1rd!Password"}).expect(t, 200, "")
	h.call(laptop, "GET", "/api/account", nil).expect(t, 401, "UNAUTHENTICATED")
}

// linkExpired is the whole body of the answer to an expired link, request ID aside: a
// link that died with a password change answers exactly so, telling its holder nothing
// more.
const linkExpired = `{"code":"LINK_EXPIRED","message":"This link has expired. Request a new one."}`

// errorBody is an error answer without its request ID, for comparing whole bodies.
func (r response) errorBody() string {
	body := map[string]any{}
	for k, v := range r.body {
		if k != "requestId" {
			body[k] = v
		}
	}
	b, _ := json.Marshal(body)
	return string(b)
}

// TestOldLinksDieWithThePassword: every link emailed to a user before their password was
// reset or changed stops working, and answers as an expired link does.
func TestOldLinksDieWithThePassword(t *testing.T) {
	h := newHarness(t)
	clock := time.Now().UTC()
	h.api.Accounts.Now = func() time.Time { return clock }
	// forgot asks for a reset link and returns its token; the clock moves past the pause
	// between two links of one kind first, so every call emails one.
	forgot := func(email string) string {
		t.Helper()
		clock = clock.Add(2 * time.Minute)
		h.call(nil, "POST", "/api/auth/password/forgot", map[string]any{"email": email}).expect(t, 202, "")
		return h.lastLink(email, "Reset")
	}
	reset := func(token, password string) response {
		return h.call(nil, "POST", "/api/auth/password/reset", map[string]any{"token": token, "password": password, "passwordConfirmation": password})
	}
	login := func(email, password string) (*http.Client, response) {
		c := h.newClient()
		return c, h.call(c, "POST", "/api/auth/login", map[string]any{"email": email, "password": password})
	}
	const second, third, stolen = "Sec0nd!Password", "Th1rd!Password", "St0len!Password"

	cases := []struct {
		name string
		// run does what happens between the links being emailed and the old one's use,
		// and returns the old link and the password the user holds after it.
		run func(t *testing.T, email string) (old, password string)
	}{
		{"reset with a newer link, then a change of password", func(t *testing.T, email string) (string, string) {
			link1 := forgot(email)
			link2 := forgot(email)
			reset(link2, second).expect(t, 200, "")
			c, _ := login(email, second)
			h.call(c, "POST", "/api/account/password", map[string]any{"currentPassword": second, "newPassword": third, "newPasswordConfirmation": third}).expect(t, 200, "")
			return link1, third
		}},
		{"reset with a newer link", func(t *testing.T, email string) (string, string) {
			link1 := forgot(email)
			link2 := forgot(email)
			reset(link2, second).expect(t, 200, "")
			return link1, second
		}},
		{"change of password", func(t *testing.T, email string) (string, string) {
			link1 := forgot(email)
			c, _ := login(email, strong)
			h.call(c, "POST", "/api/account/password", map[string]any{"currentPassword": strong, "newPassword": second, "newPasswordConfirmation": second}).expect(t, 200, "")
			return link1, second
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			email := "old-" + testenv.Suffix() + "@example.com"
			h.activeUser(email)
			old, password := c.run(t, email)
			if got := reset(old, stolen).expect(t, 410, "LINK_EXPIRED").errorBody(); got != linkExpired {
				t.Fatalf("old link: %s, want %s", got, linkExpired)
			}
			_, r := login(email, stolen)
			r.expect(t, 401, "BAD_CREDENTIALS")
			_, r = login(email, password)
			r.expect(t, 200, "")
		})
	}

	// An activation link dies too: a reset already activated the account, and the
	// sign-up's intents (its organization code) were its first password's holder's.
	t.Run("activation link after a reset", func(t *testing.T) {
		email := "pending-" + testenv.Suffix() + "@example.com"
		h.call(nil, "POST", "/api/auth/signup", signUpBody(email)).expect(t, 201, "")
		activation := h.lastLink(email, "Activate")
		reset(forgot(email), second).expect(t, 200, "")
		r := h.call(nil, "POST", "/api/auth/activate", map[string]any{"token": activation, "password": second}).expect(t, 410, "LINK_EXPIRED")
		if got := r.errorBody(); got != linkExpired {
			t.Fatalf("activation link: %s, want %s", got, linkExpired)
		}
		_, r = login(email, second)
		r.expect(t, 200, "")
	})
}

// TestAttemptLimits: the public forms count attempts by account and by client address in
// fixed windows and refuse those beyond the limit with 429, the wait in Retry-After and in
// words; an account that does not exist is limited alike, so the limit tells nothing; the
// next window starts afresh.
func TestAttemptLimits(t *testing.T) {
	h := newHarness(t, func(c *config.Config) { c.LimitAttempts = true })
	window := 15 * time.Minute
	start := time.Now().UTC().Truncate(window)
	clock := start.Add(3 * time.Minute)
	h.api.Accounts.Now = func() time.Time { return clock }
	email := "limited-" + testenv.Suffix() + "@example.com"
	h.activeUser(email)
	login := func(who, password string) response {
		return h.call(h.newClient(), "POST", "/api/auth/login", map[string]any{"email": who, "password": password})
	}
	// activeUser signed in once already.
	for i := 2; i <= 10; i++ {
		login(email, "Wr0ng!Password").expect(t, 401, "BAD_CREDENTIALS")
	}
	r := login(email, strong).expect(t, 429, "TOO_MANY_ATTEMPTS")
	if r.body["message"] != "Too many sign-in attempts for this account. Try again in 12 minutes." || r.header.Get("Retry-After") != "720" {
		t.Fatalf("the eleventh sign-in: %s, Retry-After %q", r.raw, r.header.Get("Retry-After"))
	}
	nobody := "nobody-" + testenv.Suffix() + "@example.com"
	for range 10 {
		login(nobody, "Wr0ng!Password").expect(t, 401, "BAD_CREDENTIALS")
	}
	login(nobody, "Wr0ng!Password").expect(t, 429, "TOO_MANY_ATTEMPTS")

	// Reset links, by the client's address: twenty an hour, whatever the addresses asked for.
	clock = start.Truncate(time.Hour).Add(time.Hour + 30*time.Minute)
	for i := range 20 {
		h.call(nil, "POST", "/api/auth/password/forgot", map[string]any{"email": fmt.Sprintf("someone-%d@example.com", i)}).expect(t, 202, "")
	}
	r = h.call(nil, "POST", "/api/auth/password/forgot", map[string]any{"email": email}).expect(t, 429, "TOO_MANY_ATTEMPTS")
	if r.body["message"] != "Too many password reset requests from your network. Try again in 30 minutes." || r.header.Get("Retry-After") != "1800" {
		t.Fatalf("the 21st reset request: %s, Retry-After %q", r.raw, r.header.Get("Retry-After"))
	}
	for _, m := range h.mails() {
		if to, rest, _ := strings.Cut(m, "|"); to == email && strings.Contains(rest, "Reset") {
			t.Fatalf("a refused request sent a reset mail: %s", m)
		}
	}

	// A new window: the account signs in again.
	clock = start.Add(window)
	login(email, strong).expect(t, 200, "")
}

// TestNoSecretsInTheTable: whoever reads the portal table finds neither a session's
// Cognito tokens nor a verifier of anyone's password. Sessions hold their tokens sealed
// with the session key, and still refresh, change the password and sign out with them;
// the password history holds KMS HMACs, of which a reused password is still found.
func TestNoSecretsInTheTable(t *testing.T) {
	h := newHarness(t)
	email := "sealed-" + testenv.Suffix() + "@example.com"
	c := h.activeUser(email)
	h.call(c, "POST", "/api/auth/refresh", nil).expect(t, 200, "")
	next := "An0ther!Passw0rd"
	h.call(c, "POST", "/api/account/password", map[string]any{"currentPassword": strong, "newPassword": next, "newPasswordConfirmation": next}).expect(t, 200, "")
	r := h.call(c, "POST", "/api/account/password", map[string]any{"currentPassword": next, "newPassword": strong, "newPasswordConfirmation": strong}).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[newPassword:history]" {
		t.Fatalf("reusing a password: fields = %v", r.fields())
	}
	h.call(c, "GET", "/api/account", nil).expect(t, 200, "")

	var sessions, histories int
	pages := dynamodb.NewScanPaginator(h.db, &dynamodb.ScanInput{TableName: &h.table})
	for pages.HasMorePages() {
		page, err := pages.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, item := range page.Items {
			pk := item[store.AttrPK].(*types.AttributeValueMemberS).Value
			for name, v := range item {
				if s := fmt.Sprint(v); strings.Contains(s, "eyJ") || strings.Contains(s, "$2a$") || strings.Contains(s, "$2b$") {
					t.Errorf("item %s holds a token or a password hash in %s: %.60s", pk, name, s)
				}
			}
			switch {
			case strings.HasPrefix(pk, "SESSION#"):
				sessions++
				if _, ok := item["tokens"].(*types.AttributeValueMemberB); !ok || item["accessToken"] != nil || item["refreshToken"] != nil {
					t.Errorf("session %s: want sealed tokens only, got attributes %v", pk, slices.Collect(maps.Keys(item)))
				}
			case item["hashes"] != nil:
				histories++
				var kept []string
				if err := attributevalue.Unmarshal(item["hashes"], &kept); err != nil {
					t.Fatal(err)
				}
				for _, k := range kept {
					if len(k) != 44 { // base64 of an HMAC-SHA-256
						t.Errorf("history of %s keeps %q, not a MAC", pk, k)
					}
				}
			}
		}
	}
	if sessions == 0 || histories == 0 {
		t.Fatalf("found %d sessions and %d password histories: the scan saw nothing to check", sessions, histories)
	}
	h.call(c, "POST", "/api/auth/logout", nil).expect(t, 204, "")
}

// TestSecurityEvents: sign-ins that fail and succeed, a password change and a refused
// request each leave one JSON log line naming the event, its outcome and the actor, with
// the request's ID; none holds the password.
func TestSecurityEvents(t *testing.T) {
	h := newHarness(t)
	email := "events-" + testenv.Suffix() + "@example.com"
	c := h.activeUser(email)
	h.call(nil, "POST", "/api/auth/login", map[string]any{"email": email, "password": "Wrong!Passw0rd1"}).expect(t, 401, "BAD_CREDENTIALS")
	next := "An0ther!Passw0rd"
	h.call(c, "POST", "/api/account/password", map[string]any{"currentPassword": strong, "newPassword": next, "newPasswordConfirmation": next}).expect(t, 200, "")
	// A state change without the CSRF header is refused, and the refusal logged with its code.
	req, _ := http.NewRequest("POST", h.srv.URL+"/api/auth/logout", nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Fatalf("logout without the CSRF header: %d", resp.StatusCode)
	}
	userID := h.call(c, "GET", "/api/account", nil).expect(t, 200, "").body["userId"].(string)

	type line struct {
		Msg, SecurityEvent, Outcome, Email, ActorUserID, RequestID, Code string
		Status                                                           int
	}
	var events, refusals []line
	for _, raw := range strings.Split(h.logs.String(), "\n") {
		var l struct {
			Msg           string `json:"msg"`
			SecurityEvent string `json:"securityEvent"`
			Outcome       string `json:"outcome"`
			Email         string `json:"email"`
			ActorUserID   string `json:"actorUserId"`
			RequestID     string `json:"requestId"`
			Code          string `json:"code"`
			Status        int    `json:"status"`
		}
		if json.Unmarshal([]byte(raw), &l) != nil {
			continue
		}
		if strings.Contains(raw, strong) || strings.Contains(raw, next) || strings.Contains(raw, "Wrong!Passw0rd1") {
			t.Errorf("a log line holds a password: %s", raw)
		}
		switch {
		case l.Msg == "security event" && (l.Email == email || l.ActorUserID == userID):
			events = append(events, line(l))
		case l.Msg == "request refused" && l.Code == "CSRF_FAILED":
			refusals = append(refusals, line(l))
		}
	}
	var got []string
	for _, e := range events {
		if e.RequestID == "" {
			t.Errorf("event %+v has no request ID", e)
		}
		got = append(got, e.SecurityEvent+":"+e.Outcome+":"+strconv.Itoa(e.Status))
	}
	want := []string{"sign-in:success:200", "sign-in:failure:401", "password-change:success:200"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("security events of the user: %v\nwant %v", got, want)
	}
	if len(refusals) != 1 || refusals[0].Status != 403 {
		t.Errorf("CSRF refusals logged: %+v, want one 403", refusals)
	}
}
