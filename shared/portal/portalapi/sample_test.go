package portalapi_test

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/platform/httpapi"
	"github.com/bank/devportal/shared/platform/validation"
	"github.com/bank/devportal/shared/portal/account"
	"github.com/bank/devportal/shared/portal/apps"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/portal/portalapi"
	"github.com/bank/devportal/shared/portal/routes"
)

// Base is embedded by composite: its fields belong to composite's object.
type Base struct {
	ID string `json:"id" example:"x-1"`
}

type level struct {
	Level int `json:"level" example:"3"`
}

type composite struct {
	Base
	Inner level    `json:"inner"`
	Tags  []string `json:"tags" example:"[ \"a\" , \"b\" ]"`
	Note  string   `json:"note,omitempty" example:"left out"`
	Skip  string   `json:"-"`
	HTML  string   `json:"html" example:"<b>&</b>"`
	Empty string   `json:"empty" example:""`
}

type untagged struct {
	A string `json:"a" example:"1"`
	B int    `json:"b"`
}

type nestedUntagged struct {
	Outer struct {
		Value bool `json:"value"`
	} `json:"outer"`
}

type badLiteral struct {
	On bool `json:"on" example:"yes"`
}

type wrongType struct {
	Roles []string `json:"roles" example:"\"AIS\""`
}

func TestSampleBody(t *testing.T) {
	cases := []struct {
		name    string
		typ     reflect.Type
		want    string
		wantErr string
	}{
		{"string field", reflect.TypeFor[apps.NameRequest](), `{"name":"Budget Buddy"}`, ""},
		{"pointer to the type", reflect.TypeFor[*apps.NameRequest](), `{"name":"Budget Buddy"}`, ""},
		{"booleans", reflect.TypeFor[account.Preferences](),
			`{"passwordExpiry":true,"requestUpdates":true,"certificateExpiry":true,"productNews":false}`, ""},
		{"optional field left out", reflect.TypeFor[account.SignUpRequest](),
			`{"fullName":"Sam Example","email":"sam@example.com","password":"Str0ng!Passw0rd","passwordConfirmation":"Str0ng!Passw0rd","acceptTerms":true}`, ""},
		{"named string type", reflect.TypeFor[org.InviteRequest](), `{"email":"new.developer@example.com","role":"DEVELOPER"}`, ""},
		{"array and newlines", reflect.TypeFor[org.OnboardingRequest](),
			`{"firstName":"Sam","lastName":"Example","company":"Example Payments Ltd","email":"compliance@example.com","phone":"+32 2 555 01 23",` +
				`"roles":["AIS","PIS"],"environment":"sandbox","qwac":"-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----",` +
				`"qsealc":"-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----"}`, ""},
		{"embedded, nested, canonical literal, no HTML escaping", reflect.TypeFor[composite](),
			`{"id":"x-1","inner":{"level":3},"tags":["a","b"],"html":"<b>&</b>","empty":""}`, ""},
		{"field without example", reflect.TypeFor[untagged](), "", "portalapi: portalapi_test.untagged field b has no example tag"},
		{"nested field without example", reflect.TypeFor[nestedUntagged](), "", "portalapi: portalapi_test.nestedUntagged field outer.value has no example tag"},
		{"not JSON", reflect.TypeFor[badLiteral](), "",
			`portalapi: portalapi_test.badLiteral field on: example "yes" is not a JSON literal of bool: invalid character 'y' looking for beginning of value`},
		{"JSON of another type", reflect.TypeFor[wrongType](), "",
			`portalapi: portalapi_test.wrongType field roles: example "\"AIS\"" is not a JSON literal of []string: json: cannot unmarshal string into Go value of type []string`},
		{"not an object", reflect.TypeFor[[]string](), "", "portalapi: sample body of []string: not a JSON object type"},
		{"nil", nil, "", "portalapi: sample body of a nil type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := portalapi.SampleBody(c.typ)
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if string(got) != c.want || gotErr != c.wantErr {
				t.Errorf("SampleBody = %s, %q\nwant %s, %q", got, gotErr, c.want, c.wantErr)
			}
		})
	}
}

func TestSampleBodyWithOptional(t *testing.T) {
	cases := []struct {
		typ  reflect.Type
		want string
	}{
		{reflect.TypeFor[account.SignUpRequest](),
			`{"fullName":"Sam Example","email":"sam@example.com","password":"Str0ng!Passw0rd","passwordConfirmation":"Str0ng!Passw0rd","organizationCode":"ABCDEFGH23","acceptTerms":true}`},
		{reflect.TypeFor[composite](), `{"id":"x-1","inner":{"level":3},"tags":["a","b"],"note":"left out","html":"<b>&</b>","empty":""}`},
	}
	for _, c := range cases {
		t.Run(c.typ.String(), func(t *testing.T) {
			got, err := portalapi.SampleBodyWithOptional(c.typ)
			if err != nil || string(got) != c.want {
				t.Errorf("got %s, %v\nwant %s", got, err, c.want)
			}
		})
	}
}

func TestRequestType(t *testing.T) {
	cases := []struct {
		route string
		want  reflect.Type
	}{
		{"app-create", reflect.TypeFor[apps.NameRequest]()},
		{"auth-login", reflect.TypeFor[account.LoginRequest]()},
		{"account-preferences", reflect.TypeFor[account.Preferences]()},
		{"app-get", nil},
		{"auth-logout", nil},
		{"no-such-route", nil},
	}
	for _, c := range cases {
		if got := portalapi.RequestType(c.route); got != c.want {
			t.Errorf("RequestType(%q) = %v, want %v", c.route, got, c.want)
		}
	}
}

// TestSampleBodiesAreValidRequests checks every route's sample body, with and without its
// optional fields: every JSON field has an example, the body decodes the way the API
// decodes it, passes the type's validation rules and the documented request schema, and
// encodes back to the same bytes, so no example is lost or altered on the way.
func TestSampleBodiesAreValidRequests(t *testing.T) {
	c, err := schemas()
	if err != nil {
		t.Fatalf("compile OpenAPI document: %v", err)
	}
	paths := portalapi.Document()["paths"].(map[string]any)
	withBody := 0
	for _, rt := range routes.Portal {
		typ := portalapi.RequestType(rt.Name)
		op := paths[rt.Path].(map[string]any)[strings.ToLower(rt.Method)].(map[string]any)
		if _, documented := op["requestBody"]; documented != (typ != nil) {
			t.Errorf("%s: request type %v, but the document has requestBody %v", rt.Name, typ, documented)
		}
		if typ == nil {
			continue
		}
		withBody++
		schema, err := c.Compile(pointer("paths", rt.Path, strings.ToLower(rt.Method), "requestBody", "content", "application/json", "schema"))
		if err != nil {
			t.Fatalf("compile request schema of %s: %v", rt.Name, err)
		}
		for _, variant := range []struct {
			name   string
			sample func(reflect.Type) ([]byte, error)
		}{{"sample", portalapi.SampleBody}, {"with optional fields", portalapi.SampleBodyWithOptional}} {
			t.Run(rt.Name+"/"+variant.name, func(t *testing.T) {
				body, err := variant.sample(typ)
				if err != nil {
					t.Fatal(err)
				}
				dst := reflect.New(typ)
				if err := httpapi.DecodeJSON(httptest.NewRequest("POST", rt.Path, bytes.NewReader(body)), dst.Interface()); err != nil {
					t.Fatalf("DecodeJSON(%s): %v", body, err)
				}
				if fields := validation.Struct(dst.Elem().Interface()); len(fields) > 0 {
					t.Errorf("%s breaks the rules: %+v", body, fields)
				}
				doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				if err := schema.Validate(doc); err != nil {
					t.Errorf("%s does not match the documented request schema: %v", body, err)
				}
				var again bytes.Buffer
				enc := json.NewEncoder(&again)
				enc.SetEscapeHTML(false)
				if err := enc.Encode(dst.Interface()); err != nil {
					t.Fatal(err)
				}
				if got := bytes.TrimSuffix(again.Bytes(), []byte("\n")); !bytes.Equal(got, body) {
					t.Errorf("decoded and encoded again:\n%s\nsample:\n%s", got, body)
				}
			})
		}
	}
	if withBody != 49 {
		t.Errorf("%d routes take a body, want 49", withBody)
	}
}

// TestSampleBodiesMeetServiceRules applies the rules the services check beyond the tags,
// where they need no stored state, to the samples of the routes they guard.
func TestSampleBodiesMeetServiceRules(t *testing.T) {
	cfg, err := config.FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	newPassword := func(field, password, confirmation string) []string {
		var broken []string
		for _, fe := range account.CheckPassword(field, password, cfg.Password) {
			broken = append(broken, fe.Field+":"+fe.Rule)
		}
		if confirmation != password {
			broken = append(broken, "confirmation:match")
		}
		return broken
	}
	redirects := func(env org.Environment, uris ...string) []string {
		var broken []string
		for _, uri := range uris {
			if fe := apps.CheckRedirectURI(uri, env); fe != nil {
				broken = append(broken, uri+":"+fe.Rule)
			}
		}
		return broken
	}
	cases := []struct {
		route string
		// broken lists the rules the decoded sample breaks.
		broken func(req any) []string
	}{
		{"auth-signup", func(req any) []string {
			r := req.(*account.SignUpRequest)
			broken := newPassword("password", r.Password, r.PasswordConfirmation)
			if !r.AcceptTerms {
				broken = append(broken, "acceptTerms:accepted")
			}
			return broken
		}},
		{"auth-activate", func(req any) []string {
			if r := req.(*account.ActivateRequest); r.Password == "" && r.NewPassword == "" {
				return []string{"password:required"}
			}
			return nil
		}},
		{"auth-reset-password", func(req any) []string {
			r := req.(*account.ResetPasswordRequest)
			return newPassword("password", r.Password, r.PasswordConfirmation)
		}},
		{"account-change-password", func(req any) []string {
			r := req.(*account.ChangePasswordRequest)
			broken := newPassword("newPassword", r.NewPassword, r.NewPasswordConfirmation)
			if r.CurrentPassword == r.NewPassword {
				broken = append(broken, "newPassword:unchanged")
			}
			return broken
		}},
		{"org-offboard", func(req any) []string {
			if !req.(*org.OffboardingRequest).Confirm {
				return []string{"confirm:accepted"}
			}
			return nil
		}},
		{"app-redirect-add", func(req any) []string {
			return redirects(org.Production, req.(*apps.RedirectRequest).URI)
		}},
		{"app-go-live", func(req any) []string {
			r := req.(*apps.GoLiveRequest)
			if len(r.RedirectURIs) == 0 {
				return []string{"redirectUris:required"}
			}
			return redirects(org.Production, r.RedirectURIs...)
		}},
		{"subscription-create", func(req any) []string {
			r := req.(*apps.SubscribeRequest)
			p, ok := apps.ProductByID(r.ProductID)
			if !ok {
				return []string{"productId:unknown"}
			}
			if _, ok := p.PlanByID(r.PlanID); !ok {
				return []string{"planId:unknown"}
			}
			return nil
		}},
	}
	for _, c := range cases {
		t.Run(c.route, func(t *testing.T) {
			typ := portalapi.RequestType(c.route)
			body, err := portalapi.SampleBody(typ)
			if err != nil {
				t.Fatal(err)
			}
			req := reflect.New(typ)
			if err := json.Unmarshal(body, req.Interface()); err != nil {
				t.Fatal(err)
			}
			if broken := c.broken(req.Interface()); len(broken) > 0 {
				t.Errorf("%s breaks %v", body, broken)
			}
		})
	}
}

// TestOpenAPIExamples checks examples reach the document as JSON of their own type, only
// where a field has one, and that each obeys the schema of its property.
func TestOpenAPIExamples(t *testing.T) {
	components := portalapi.Document()["components"].(map[string]any)["schemas"].(map[string]any)
	cases := []struct {
		component, property string
		// want is the JSON of the property's examples; empty for none.
		want string
	}{
		{"NameRequest", "name", `["Budget Buddy"]`},
		{"Preferences", "productNews", `[false]`},
		{"SignUpRequest", "acceptTerms", `[true]`},
		{"SignUpRequest", "organizationCode", `["ABCDEFGH23"]`},
		{"OnboardingRequest", "roles", `[["AIS","PIS"]]`},
		{"UploadRequest", "certificate", `["-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----"]`},
		{"PreviewRequest", "qsealc", `[""]`},
		{"InviteRequest", "role", `["DEVELOPER"]`},
		{"RotateAPIKeyRequest", "gracePeriodHours", `[24]`},
		{"OAuthSettingsRequest", "fapi", `[true]`},
		{"AccountView", "fullName", ``},
		{"ErrorBody", "code", ``},
	}
	for _, c := range cases {
		t.Run(c.component+"."+c.property, func(t *testing.T) {
			prop := components[c.component].(map[string]any)["properties"].(map[string]any)[c.property].(map[string]any)
			got := ""
			if ex, ok := prop["examples"]; ok {
				raw, err := json.Marshal(ex)
				if err != nil {
					t.Fatal(err)
				}
				got = string(raw)
			}
			if got != c.want {
				t.Errorf("examples = %s, want %s", got, c.want)
			}
		})
	}

	c, err := schemas()
	if err != nil {
		t.Fatalf("compile OpenAPI document: %v", err)
	}
	names := make([]string, 0, len(components))
	for name := range components {
		names = append(names, name)
	}
	slices.Sort(names)
	checked := 0
	for _, name := range names {
		for prop, s := range components[name].(map[string]any)["properties"].(map[string]any) {
			examples, ok := s.(map[string]any)["examples"].([]any)
			if !ok {
				continue
			}
			schema, err := c.Compile(pointer("components", "schemas", name, "properties", prop))
			if err != nil {
				t.Fatalf("compile %s.%s: %v", name, prop, err)
			}
			for _, ex := range examples {
				raw, _ := json.Marshal(ex)
				v, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
				if err != nil {
					t.Fatal(err)
				}
				if err := schema.Validate(v); err != nil {
					t.Errorf("%s.%s: example %s breaks its schema: %v", name, prop, raw, err)
				}
				checked++
			}
		}
	}
	if checked != 121 {
		t.Errorf("checked %d examples, want one per tagged request field (121)", checked)
	}
}
