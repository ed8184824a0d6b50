package apidoc_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"gopkg.in/yaml.v3"

	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/portal/registration"
	portalroutes "github.com/bank/devportal/shared/portal/routes"
	"github.com/bank/devportal/shared/tpp/apidoc"
	"github.com/bank/devportal/shared/tpp/routes"
)

// origins are a deployment's, unlike the document's placeholders.
var origins = apidoc.Origins{TPP: "https://tpp.example.test:8443", AuthorizeURL: "https://portal.example.test/oauth2/authorize"}

// load reads the served document with kin-openapi and validates it, examples included:
// every example must fit its own schema.
func load(t *testing.T) *openapi3.T {
	t.Helper()
	body, err := apidoc.JSON(origins)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(body)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		t.Fatalf("the document is not valid OpenAPI 3: %v", err)
	}
	return doc
}

// TestServedIsWritten: the JSON the functions serve (tpp-api.json.gz) is the YAML as
// written, converted: a change of one without go generate fails here.
func TestServedIsWritten(t *testing.T) {
	var written, served any
	src, err := os.ReadFile("tpp-api.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(src, &written); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(written)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &written); err != nil {
		t.Fatal(err)
	}
	js, err := apidoc.Source()
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(js, &served); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(written, served) {
		t.Fatal("tpp-api.json.gz is not tpp-api.yaml converted: run make generate")
	}
}

// TestDocumentIsValid: the written YAML and the served JSON are valid OpenAPI 3 with
// valid examples, and name the deployment's origins.
func TestDocumentIsValid(t *testing.T) {
	src, err := os.ReadFile("tpp-api.yaml")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := openapi3.NewLoader().LoadFromData(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := raw.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		t.Fatalf("tpp-api.yaml: %v", err)
	}
	doc := load(t)
	flow := doc.Components.SecuritySchemes["oauth2"].Value.Flows.AuthorizationCode
	for _, tc := range []struct{ what, got, want string }{
		{"server", doc.Servers[0].URL, "https://tpp.example.test:8443"},
		{"authorize server", doc.Paths.Find("/oauth2/authorize").Servers[0].URL, "https://portal.example.test"},
		{"authorizationUrl", flow.AuthorizationURL, "https://portal.example.test/oauth2/authorize"},
		{"tokenUrl", flow.TokenURL, "https://tpp.example.test:8443/oauth2/token"},
		{"refreshUrl", flow.RefreshURL, "https://tpp.example.test:8443/oauth2/token"},
		{"apiKey header", doc.Components.SecuritySchemes["apiKey"].Value.Name, "apiKey"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %q, want %q", tc.what, tc.got, tc.want)
		}
	}
}

func TestDocumentRefusesOrigins(t *testing.T) {
	for _, o := range []apidoc.Origins{
		{TPP: "", AuthorizeURL: "https://portal.example.test/oauth2/authorize"},
		{TPP: "https://tpp.example.test", AuthorizeURL: "/oauth2/authorize"},
		{TPP: "https://tpp.example.test", AuthorizeURL: "https://portal.example.test/authorize"},
	} {
		if _, err := apidoc.JSON(o); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
}

var param = regexp.MustCompile(`\{[^}]+\}`)

// shape is a path with its parameters unnamed: the route table's {accountId} is the
// document's {account-id}.
func shape(path string) string { return param.ReplaceAllString(path, "{}") }

// operation is one operation of the document.
type operation struct {
	method, path string
	op           *openapi3.Operation
}

func operations(doc *openapi3.T) map[string]operation {
	out := map[string]operation{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			out[op.OperationID] = operation{method, path, op}
		}
	}
	return out
}

// TestEveryRouteIsDocumented holds the document to the route table, both ways: every
// route of the TPP API (and the authorization endpoint of the browser origin) is an
// operation with its name, method and path, public exactly when the route is, offering a
// bearer token exactly when the route takes one (and the way without, for a consent
// authorised at the bank); and every operation is a route.
func TestEveryRouteIsDocumented(t *testing.T) {
	doc := load(t)
	ops := operations(doc)
	authorize, err := route.Find(routes.Browser, "oauth2-authorize")
	if err != nil {
		t.Fatal(err)
	}
	documented := append(slices.Clone(routes.TPP), authorize)
	// The registration API is the portal's, served on the TPP API's origin: described
	// here, where TPP software reads the API it calls.
	for _, rt := range portalroutes.Portal {
		if rt.Tag == "registration" || rt.Tag == "dcr" {
			documented = append(documented, rt)
		}
	}
	seen := map[string]bool{}
	for _, rt := range documented {
		seen[rt.Name] = true
		o, ok := ops[rt.Name]
		if !ok {
			t.Errorf("the route %s (%s %s) is not in tpp-api.yaml: document it", rt.Name, rt.Method, rt.Path)
			continue
		}
		if o.method != rt.Method || shape(o.path) != shape(rt.Path) {
			t.Errorf("%s is %s %s in the document, %s %s in the route table", rt.Name, o.method, o.path, rt.Method, rt.Path)
		}
		if o.op.Security == nil {
			t.Errorf("%s: the operation must say its security (security: [] when public)", rt.Name)
			continue
		}
		public := len(*o.op.Security) == 0
		if rt.Tag == "dcr" {
			// The registered certificate is the credential; managing a client also takes
			// its registration access token.
			wantToken := rt.Name != "dcr-register"
			if public == wantToken || wantToken && (*o.op.Security)[0]["registrationAccessToken"] == nil {
				t.Errorf("%s: security %v, want the registration access token: %v", rt.Name, *o.op.Security, wantToken)
			}
			continue
		}
		if rt.Tag == "registration" {
			// Its credential is the installation or session token (none for the
			// installation itself), not an app's API key.
			for _, req := range *o.op.Security {
				if _, ok := req["clientAuthentication"]; !ok {
					t.Errorf("%s: the registration API's scheme is clientAuthentication: %v", rt.Name, req)
				}
			}
			if public != (rt.Name == "registration-installation") {
				t.Errorf("%s: public in the document %v", rt.Name, public)
			}
			if n := len(param.FindAllString(rt.Path, -1)); n != countIn(o.op, "path")+countPathLevel(doc, o.path) {
				t.Errorf("%s: %d path parameters in the route", rt.Name, n)
			}
			checkSigned(t, rt.Name, o.op)
			continue
		}
		if public != (rt.Auth == route.Public) {
			t.Errorf("%s: public in the document %v, in the route table %v", rt.Name, public, rt.Auth == route.Public)
		}
		// A route that takes a bearer token offers two ways: the token of the consent's
		// OAuth2 authorisation, or none, for a consent authorised at the bank.
		var bearers int
		if !public && rt.Bearer && len(*o.op.Security) != 2 {
			t.Errorf("%s: security %v, want apiKey with the token, and apiKey alone", rt.Name, *o.op.Security)
		}
		for _, req := range *o.op.Security {
			_, key := req["apiKey"]
			_, bearer := req["oauth2"]
			if !key {
				t.Errorf("%s: a call behind the caller check needs the apiKey scheme: %v", rt.Name, req)
			}
			if bearer {
				bearers++
			}
			if bearer {
				scope := "AIS:<consentId>"
				if rt.Tag == "CoF" {
					scope = "PIIS:<consentId>"
				}
				if !slices.Equal(req["oauth2"], []string{scope}) {
					t.Errorf("%s: scopes %v, want [%s]", rt.Name, req["oauth2"], scope)
				}
			}
		}
		if want := map[bool]int{true: 1}[rt.Bearer]; !public && bearers != want {
			t.Errorf("%s: %d ways with a bearer token in the document, want %d (route table: bearer %v)", rt.Name, bearers, want, rt.Bearer)
		}
		// Every parameter of the route's path is a path parameter of the operation.
		if n := len(param.FindAllString(rt.Path, -1)); n != countIn(o.op, "path") {
			t.Errorf("%s: %d path parameters in the route, %d in the document", rt.Name, n, countIn(o.op, "path"))
		}
	}
	for name, o := range ops {
		if !seen[name] {
			t.Errorf("the operation %s (%s %s) is no route of routes.TPP: remove it or add the route", name, o.method, o.path)
		}
	}
}

func countIn(op *openapi3.Operation, in string) int {
	n := 0
	for _, p := range op.Parameters {
		if p.Value.In == in {
			n++
		}
	}
	return n
}

// TestSandboxRules: the rules developers rely on are in the document as numbers a
// client can check, not only in prose.
func TestSandboxRules(t *testing.T) {
	doc := load(t)
	req := doc.Components.Schemas["ConsentRequest"].Value.Properties
	freq := req["frequencyPerDay"].Value
	if freq.Min == nil || *freq.Min != 1 || freq.Max == nil || *freq.Max != 4 {
		t.Errorf("frequencyPerDay: min %v max %v, want 1 and 4", freq.Min, freq.Max)
	}
	if !strings.Contains(req["validUntil"].Value.Description, "180 days") || !strings.Contains(doc.Info.Description, "at most 180 days") {
		t.Error("the 180-day limit is not stated")
	}
	status := doc.Components.Parameters["BookingStatus"].Value.Schema.Value.Enum
	if got := []any{"booked", "pending", "both"}; !slices.Equal(status, got) {
		t.Errorf("bookingStatus %v, want %v", status, got)
	}
	tx := operations(doc)["ais-account-transactions"].op
	if tx.Parameters.GetByInAndName("query", "cursor") == nil {
		t.Error("the transactions carry no cursor parameter")
	}
	for _, refused := range []string{"deltaList", "entryReferenceFrom"} {
		if tx.Parameters.GetByInAndName("query", refused) != nil {
			t.Errorf("%s is documented as a parameter, but the bank refuses it", refused)
		}
	}
}

func TestHandler(t *testing.T) {
	h, err := apidoc.Handler(origins)
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", routes.DescriptionPath, nil))
	if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "application/json" || w.Header().Get("Cache-Control") != "public, max-age=300" {
		t.Fatalf("answered %d %v", w.Code, w.Header())
	}
	var doc struct {
		OpenAPI string `json:"openapi"`
		Servers []struct {
			URL string `json:"url"`
		} `json:"servers"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil || doc.OpenAPI != "3.0.3" || len(doc.Servers) != 1 || doc.Servers[0].URL != origins.TPP {
		t.Errorf("body %+v, %v", doc, err)
	}
}

// countPathLevel counts the path parameters declared for every operation of path.
func countPathLevel(doc *openapi3.T, path string) int {
	n := 0
	for _, p := range doc.Paths.Value(path).Parameters {
		if p.Value.In == "path" {
			n++
		}
	}
	return n
}

// checkSigned holds a registration API operation to its signatures: every request but
// the installation's carries the software's X-Client-Signature (a required header), and
// every answer, refusals included, the bank's X-Server-Signature.
func checkSigned(t *testing.T, name string, op *openapi3.Operation) {
	t.Helper()
	p := op.Parameters.GetByInAndName("header", registration.SignatureHeader)
	if signed := name != "registration-installation"; (p != nil) != signed || p != nil && !p.Required {
		t.Errorf("%s: header parameter %s %+v, want it required: %v", name, registration.SignatureHeader, p, signed)
	}
	if op.Responses.Len() == 0 {
		t.Errorf("%s: no answers", name)
	}
	for status, r := range op.Responses.Map() {
		h := r.Value.Headers[registration.ServerSignatureHeader]
		if h == nil || !h.Value.Required {
			t.Errorf("%s: the %s answer does not declare the required %s header", name, status, registration.ServerSignatureHeader)
		}
	}
}
