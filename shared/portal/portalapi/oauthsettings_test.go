package portalapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/tpp/apidoc"
)

// TestAppOAuthSettings switches an app's FAPI 2.0 profile: only the owner and
// administrators may, bad bodies are refused per field with nothing changed, and the
// switch reaches the access copy of every credential, where the authorization server
// reads it.
func TestAppOAuthSettings(t *testing.T) {
	h := newHarness(t)
	orgID, roles := h.team()
	owner, admin, dev, viewer := roles["OWNER"].client, roles["ADMIN"].client, roles["DEVELOPER"].client, roles["VIEWER"].client
	app, clientID, _ := h.newApp(dev, orgID, "Budget Buddy")
	second := h.call(dev, "POST", app+"/credentials", map[string]any{"name": "Backend"}).expect(t, 201, "").body["clientId"].(string)
	settings := app + "/oauth-settings"
	before := h.call(owner, "GET", app, nil).expect(t, 200, "").body["app"].(map[string]any)
	if before["fapi"] != false {
		t.Fatalf("a new sandbox app has fapi %v, want false", before["fapi"])
	}

	// copyFAPI is the fapi attribute of a credential's access copy as the authorization
	// server reads it (oauth.Access, dynamodbav "fapi"): "absent", "true" or "false".
	copyFAPI := func(t *testing.T, clientID string) string {
		t.Helper()
		k := lookup.ClientKey(clientID)
		out, err := h.db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: &h.table, ConsistentRead: awsBool(true),
			Key: map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: k.PK}, "SK": &types.AttributeValueMemberS{Value: k.SK}}})
		if err != nil || out.Item == nil {
			t.Fatalf("credential copy of %s: %v", clientID, err)
		}
		access := out.Item["access"].(*types.AttributeValueMemberM).Value
		v, ok := access["fapi"]
		if !ok {
			return "absent"
		}
		return fmt.Sprint(v.(*types.AttributeValueMemberBOOL).Value)
	}
	exact := func(t *testing.T, r response, want string) {
		t.Helper()
		delete(r.body, "requestId")
		if got, _ := json.Marshal(r.body); string(got) != want {
			t.Fatalf("got %s\nwant %s", got, want)
		}
	}

	t.Run("refusals change nothing", func(t *testing.T) {
		cases := []struct {
			name   string
			client string
			body   any
			status int
			want   string
		}{
			{"a developer", "DEVELOPER", map[string]any{"fapi": true}, 403,
				`{"code":"FORBIDDEN","message":"Only the owner and administrators change an app's OAuth security profile."}`},
			{"a viewer", "VIEWER", map[string]any{"fapi": true}, 403,
				`{"code":"FORBIDDEN","message":"Viewers cannot change apps or credentials."}`},
			{"another organization", "FOREIGN", map[string]any{"fapi": true}, 404, ""},
			{"no fapi", "ADMIN", map[string]any{}, 400,
				`{"code":"VALIDATION_FAILED","fields":[{"field":"fapi","message":"This field is required.","rule":"required"}],"message":"Some fields need your attention."}`},
			{"null fapi", "ADMIN", map[string]any{"fapi": nil}, 400,
				`{"code":"VALIDATION_FAILED","fields":[{"field":"fapi","message":"This field is required.","rule":"required"}],"message":"Some fields need your attention."}`},
			{"fapi as text", "OWNER", map[string]any{"fapi": "yes"}, 400,
				`{"code":"VALIDATION_FAILED","fields":[{"field":"fapi","message":"Must be a boolean.","rule":"type"}],"message":"Some fields need your attention."}`},
			{"an unknown field", "OWNER", map[string]any{"fapi": true, "par": true}, 400,
				`{"code":"VALIDATION_FAILED","fields":[{"field":"par","message":"This field is not part of the request.","rule":"unknown"}],"message":"Some fields need your attention."}`},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := h.call(roles[c.client].client, "PUT", settings, c.body)
				if r.status != c.status {
					t.Fatalf("got %d %s, want %d", r.status, r.raw, c.status)
				}
				if c.want != "" {
					exact(t, r, c.want)
				}
				if strings.Contains(r.raw, "Budget Buddy") && c.client == "FOREIGN" {
					t.Fatalf("another tenant's app leaked: %s", r.raw)
				}
			})
		}
		now := h.call(owner, "GET", app, nil).expect(t, 200, "").body["app"].(map[string]any)
		if !reflect.DeepEqual(now, before) {
			t.Fatalf("a refusal changed the app:\n%v\nwas\n%v", now, before)
		}
		for _, id := range []string{clientID, second} {
			if got := copyFAPI(t, id); got != "absent" {
				t.Fatalf("a refusal reached the copy of %s: fapi %s", id, got)
			}
		}
	})

	t.Run("an administrator switches it on: the app and every credential copy", func(t *testing.T) {
		r := h.call(admin, "PUT", settings, map[string]any{"fapi": true}).expect(t, 200, "")
		want := map[string]any{}
		for k, v := range before {
			want[k] = v
		}
		want["fapi"] = true
		if !reflect.DeepEqual(r.body, want) {
			t.Fatalf("answer %s, want the app with fapi true: %v", r.raw, want)
		}
		if got := h.call(viewer, "GET", app, nil).expect(t, 200, "").body["app"].(map[string]any)["fapi"]; got != true {
			t.Fatalf("the app reads fapi %v", got)
		}
		for _, id := range []string{clientID, second} {
			if got := copyFAPI(t, id); got != "true" {
				t.Fatalf("the copy of %s has fapi %s, want true", id, got)
			}
		}
		// A credential added later copies the app's access, the switch with it.
		third := h.call(dev, "POST", app+"/credentials", map[string]any{"name": "Later"}).expect(t, 201, "").body["clientId"].(string)
		if got := copyFAPI(t, third); got != "true" {
			t.Fatalf("a later credential's copy has fapi %s, want true", got)
		}
		audit := h.call(owner, "GET", "/api/organizations/"+orgID+"/audit", nil).expect(t, 200, "").raw
		if n := strings.Count(audit, `"app.fapi_changed"`); n != 1 {
			t.Fatalf("%d app.fapi_changed audit entries, want 1: %s", n, audit)
		}
	})

	t.Run("the same value again records nothing", func(t *testing.T) {
		r := h.call(owner, "PUT", settings, map[string]any{"fapi": true}).expect(t, 200, "")
		if r.body["fapi"] != true {
			t.Fatalf("answer %s", r.raw)
		}
		audit := h.call(owner, "GET", "/api/organizations/"+orgID+"/audit", nil).expect(t, 200, "").raw
		if n := strings.Count(audit, `"app.fapi_changed"`); n != 1 {
			t.Fatalf("%d app.fapi_changed audit entries, want 1", n)
		}
	})

	t.Run("the owner switches it off", func(t *testing.T) {
		r := h.call(owner, "PUT", settings, map[string]any{"fapi": false}).expect(t, 200, "")
		if r.body["fapi"] != false {
			t.Fatalf("answer %s", r.raw)
		}
		// The copy drops the attribute, as it was before anyone switched it on.
		if got := copyFAPI(t, clientID); got != "absent" {
			t.Fatalf("the copy has fapi %s after switching off", got)
		}
	})
}

// TestTPPAPIInfo: anyone may read where the TPP API is, exactly as configured.
func TestTPPAPIInfo(t *testing.T) {
	h := newHarness(t)
	r := h.call(h.newClient(), "GET", "/api/tpp-api", nil).expect(t, 200, "")
	tpp := h.cfg.TPPURL
	want := fmt.Sprintf(`{"accessTokenSeconds":%d,"apiKeyHeader":"apiKey","authorizationCodeSeconds":60,"authorizationEndpoint":%q,"baseUrl":%q,`+
		`"metadataUrl":%q,"parEndpoint":%q,"refreshTokenSeconds":%d,"sandboxCustomersUrl":%q,"tokenEndpoint":%q}`,
		int(h.cfg.AccessTokenTTL.Seconds()), h.cfg.OAuthAuthorizeURL, tpp, tpp+"/.well-known/oauth-authorization-server", tpp+"/oauth2/par",
		int(h.cfg.RefreshTokenTTL.Seconds()), strings.TrimSuffix(h.cfg.OAuthAuthorizeURL, "/oauth2/authorize")+"/sandbox-bank/customers", tpp+"/oauth2/token")
	if got, _ := json.Marshal(r.body); string(got) != want {
		t.Fatalf("got %s\nwant %s", got, want)
	}
}

// TestTPPAPIDescription: anyone may read the TPP API's description, naming this
// deployment's TPP origin and authorization endpoint, as the TPP API serves it.
func TestTPPAPIDescription(t *testing.T) {
	h := newHarness(t)
	r := h.call(h.newClient(), "GET", "/api/tpp-api/openapi.json", nil).expect(t, 200, "")
	got, _ := json.Marshal(r.body)
	want, err := apidoc.JSON(apidoc.OriginsOf(h.cfg))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Fatalf("got %.300s\nwant %.300s", got, want)
	}
	var doc struct {
		Servers []struct{ URL string } `json:"servers"`
	}
	if err := json.Unmarshal(got, &doc); err != nil || len(doc.Servers) != 1 || doc.Servers[0].URL != h.cfg.TPPURL {
		t.Errorf("servers %+v (%v), want %s", doc.Servers, err, h.cfg.TPPURL)
	}
}

func awsBool(b bool) *bool { return &b }

// TestPublicCatalogAndSupport: a visitor without a session reads the catalog (each
// product's plans, the PSD2 role it needs and who approves it) and the support contact
// as configured.
func TestPublicCatalogAndSupport(t *testing.T) {
	h := newHarness(t, func(c *config.Config) {
		c.SupportEmail, c.SupportHours = "developers@bank.example", "Around the clock"
	})
	visitor := h.newClient()
	r := h.call(visitor, "GET", "/api/products", nil).expect(t, 200, "")
	var got []string
	for _, p := range r.body["products"].([]any) {
		p := p.(map[string]any)
		var plans []string
		for _, pl := range p["plans"].([]any) {
			plans = append(plans, pl.(map[string]any)["environment"].(string))
		}
		got = append(got, fmt.Sprintf("%s role=%v approval=%s plans=%s", p["id"], p["requiredRole"], p["approval"], strings.Join(plans, ",")))
	}
	want := []string{
		"oauth2 role=<nil> approval=automatic plans=sandbox,production",
		"ais role=PSP_AI approval=automatic plans=sandbox,production",
		"pis role=PSP_PI approval=automatic plans=sandbox,production",
		"cof role=PSP_IC approval=automatic plans=sandbox,production",
		"pay-later role=<nil> approval=operations plans=sandbox,production",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("catalog:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	r = h.call(visitor, "GET", "/api/support", nil).expect(t, 200, "")
	if b, _ := json.Marshal(r.body); string(b) != `{"email":"developers@bank.example","hours":"Around the clock"}` {
		t.Fatalf("support = %s", b)
	}
}
