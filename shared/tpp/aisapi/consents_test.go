package aisapi_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/bank/devportal/shared/local/motoserver"
	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/tpp/aisapi"
	"github.com/bank/devportal/shared/tpp/bgspec"
	"github.com/bank/devportal/shared/tpp/callercheck"
	"github.com/bank/devportal/shared/tpp/consents"
	"github.com/bank/devportal/shared/tpp/consents/consentdb"
	"github.com/bank/devportal/shared/tpp/routes"
	"github.com/bank/devportal/shared/tpp/sca"
	"github.com/bank/devportal/shared/tpp/sca/scatarget"
	"github.com/bank/devportal/shared/tpp/scaapi"
	"github.com/bank/devportal/shared/tpp/tppapi"
)

// TestMain runs the tests, then fails if an answer of one of the account-information and confirmation-of-funds
// operations was never checked against the Berlin Group files.
func TestMain(m *testing.M) {
	testenv.MainThen(m, bgspec.Gate(routes.Tagged("AIS", "CoF")))
}

// served is the consent endpoints on their paths, behind a caller check that names the
// app of the X-Test-App header (the caller check itself has its own tests), with the
// consents' service and the TPP table's state (its items, hashed).
// authorisations are the authorisations of the last world served.
var authorisations *sca.Service

func served(t *testing.T) (http.Handler, *consents.Service, func() string) {
	t.Helper()
	c := testenv.Config(t, testenv.MotoEndpoint(t))
	db := dynamodb.NewFromConfig(testenv.AWS(t, c))
	if err := motoserver.CreateTables(context.Background(), db, c); err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC) }
	svc := &consents.Service{Store: consentdb.New(db, c.TPPTable), Now: clock}
	authorisations = scatarget.OnTable(db, c.TPPTable, clock, nil)
	api := &aisapi.API{Consents: svc, MetadataURL: "https://api.bank.example/.well-known/oauth-authorization-server",
		Authorisations: &scaapi.API{SCA: authorisations, MetadataURL: "https://api.bank.example/.well-known/oauth-authorization-server", BankURL: "https://portal.bank.example"}}
	h := api.Handlers()
	mux := http.NewServeMux()
	for _, rt := range routes.TPP {
		if rt.Tag == "AIS" && !rt.Bearer {
			mux.Handle(rt.Pattern(), h[rt.Name])
		}
	}
	// As the TPP listener and the REST adapter serve them: every answer repeats the
	// request's X-Request-ID.
	return tppapi.WithRequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			app := r.Header.Get("X-Test-App")
			ctx := callercheck.WithCaller(r.Context(), callercheck.Caller{AppID: app, OrgID: "org-" + app, Environment: lookup.Sandbox, Product: "ais",
				RedirectURIs: []string{"https://tpp.example/cb"}})
			mux.ServeHTTP(w, r.WithContext(ctx))
		})), svc, func() string {
			out, err := db.Scan(context.Background(), &dynamodb.ScanInput{TableName: &c.TPPTable})
			if err != nil {
				t.Fatal(err)
			}
			var items []map[string]any
			if err := attributevalue.UnmarshalListOfMaps(out.Items, &items); err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(items)
			return fmt.Sprintf("%d items %x", len(items), sha256.Sum256(b))
		}
}

const requestID = "99391c7e-ad88-49ec-a2ad-99ddcb1f7721"

func call(method, path, app, body string) *http.Request {
	var r *http.Request
	if body == "" {
		r = httptest.NewRequest(method, path, nil)
	} else {
		r = httptest.NewRequest(method, path, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
	}
	r.Header.Set("X-Request-ID", requestID)
	r.Header.Set("X-Test-App", app)
	return r
}

// answer is a recorded answer's status and first Berlin Group code, or its body.
func answer(w *httptest.ResponseRecorder) (int, map[string]any) {
	var out map[string]any
	_ = json.Unmarshal(w.Body.Bytes(), &out)
	return w.Code, out
}

func firstCode(body map[string]any) string {
	msgs, _ := body["tppMessages"].([]any)
	if len(msgs) == 0 {
		return ""
	}
	m := msgs[0].(map[string]any)
	if p, _ := m["path"].(string); p != "" {
		return m["code"].(string) + " " + p
	}
	return m["code"].(string)
}

// TestConsentEndpoints drives the consent endpoints as a TPP does and checks each answer
// against the official Berlin Group file: create, read, status, delete; each refusal with
// its code and status, another app's consent unknown.
func TestConsentEndpoints(t *testing.T) {
	h, _, items := served(t)
	const valid = `{"access":{"accounts":[{"iban":"BE71096123456769"}],"transactions":[{"iban":"BE71096123456769"}]},` +
		`"recurringIndicator":true,"validUntil":"9999-12-31","frequencyPerDay":4,"combinedServiceIndicator":false}`
	w := bgspec.Check(t, bgspec.NextGenPSD2, h, call("POST", "/v1/consents", "bb", valid))
	status, body := answer(w)
	id, _ := body["consentId"].(string)
	links, _ := body["_links"].(map[string]any)
	if status != 201 || body["consentStatus"] != "received" || id == "" || w.Header().Get("Location") != "/v1/consents/"+id ||
		w.Header().Get("ASPSP-SCA-Approach") != "REDIRECT" || links["scaOAuth"].(map[string]any)["href"] != "https://api.bank.example/.well-known/oauth-authorization-server" {
		t.Fatalf("create: %d %v %v", status, body, w.Header())
	}

	w = bgspec.Check(t, bgspec.NextGenPSD2, h, call("GET", "/v1/consents/"+id, "bb", ""))
	status, body = answer(w)
	if status != 200 || body["validUntil"] != "2027-06-04" || body["frequencyPerDay"] != 4.0 || body["consentStatus"] != "received" || body["lastActionDate"] != "2026-12-06" {
		t.Fatalf("get: %d %v", status, body)
	}
	w = bgspec.Check(t, bgspec.NextGenPSD2, h, call("GET", "/v1/consents/"+id+"/status", "bb", ""))
	if status, body = answer(w); status != 200 || body["consentStatus"] != "received" {
		t.Fatalf("status: %d %v", status, body)
	}

	// Each refusal has its code and stores nothing.
	stored := items()
	refusals := []struct {
		name   string
		req    *http.Request
		status int
		code   string
	}{
		{"another app's consent", call("GET", "/v1/consents/"+id, "other", ""), 403, "CONSENT_UNKNOWN"},
		{"no such consent", call("GET", "/v1/consents/nothing/status", "bb", ""), 403, "CONSENT_UNKNOWN"},
		{"another app deletes it", call("DELETE", "/v1/consents/"+id, "other", ""), 403, "CONSENT_UNKNOWN"},
		{"malformed JSON", call("POST", "/v1/consents", "bb", `{"access":`), 400, "FORMAT_ERROR body"},
		{"an element of the wrong type", call("POST", "/v1/consents", "bb", strings.Replace(valid, `"frequencyPerDay":4`, `"frequencyPerDay":"4"`, 1)), 400, "FORMAT_ERROR frequencyPerDay"},
		{"an unknown element", call("POST", "/v1/consents", "bb", strings.Replace(valid, `"access"`, `"acces"`, 1)), 400, "FORMAT_ERROR acces"},
		{"beyond 180 days", call("POST", "/v1/consents", "bb", strings.Replace(valid, "9999-12-31", "2027-06-05", 1)), 400, "FORMAT_ERROR validUntil"},
		{"five reads a day", call("POST", "/v1/consents", "bb", strings.Replace(valid, `"frequencyPerDay":4`, `"frequencyPerDay":5`, 1)), 400, "FORMAT_ERROR frequencyPerDay"},
		{"a combined service", call("POST", "/v1/consents", "bb", strings.Replace(valid, `"combinedServiceIndicator":false`, `"combinedServiceIndicator":true`, 1)), 400, "SERVICE_INVALID"},
	}
	for _, c := range refusals {
		t.Run(c.name, func(t *testing.T) {
			w := bgspec.Check(t, bgspec.NextGenPSD2, h, c.req)
			if status, body := answer(w); status != c.status || firstCode(body) != c.code {
				t.Fatalf("got %d %v, want %d %s", status, body, c.status, c.code)
			}
		})
	}
	t.Run("no X-Request-ID", func(t *testing.T) {
		r := call("GET", "/v1/consents/"+id, "bb", "")
		r.Header.Del("X-Request-ID")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if status, body := answer(w); status != 400 || firstCode(body) != "FORMAT_ERROR X-Request-ID" {
			t.Fatalf("got %d %v", status, body)
		}
	})

	if now := items(); now != stored {
		t.Fatalf("the refusals changed the table: %s, was %s", now, stored)
	}

	w = bgspec.Check(t, bgspec.NextGenPSD2, h, call("DELETE", "/v1/consents/"+id, "bb", ""))
	if w.Code != 204 {
		t.Fatalf("delete: %d %s", w.Code, w.Body)
	}
	_, body = answer(bgspec.Check(t, bgspec.NextGenPSD2, h, call("GET", "/v1/consents/"+id+"/status", "bb", "")))
	if body["consentStatus"] != "terminatedByTpp" {
		t.Fatalf("after delete: %v", body)
	}
	w = bgspec.Check(t, bgspec.NextGenPSD2, h, call("DELETE", "/v1/consents/"+id, "bb", ""))
	if status, body := answer(w); status != 409 || firstCode(body) != "STATUS_INVALID" {
		t.Fatalf("second delete: %d %v", status, body)
	}
}

// TestConsentAuthorisations drives the authorisation sub-resources of a consent as a TPP
// that prefers to start the authorisation itself, each answer checked against the
// official file: started while the consent waits, listed, its status following the
// customer's decision; PSU data, another app, an unknown authorisation and a start after
// the decision are refused.
func TestConsentAuthorisations(t *testing.T) {
	h, svc, _ := served(t)
	const valid = `{"access":{"accounts":[{"iban":"BE71096123456769"}]},` +
		`"recurringIndicator":false,"validUntil":"2026-12-31","frequencyPerDay":1,"combinedServiceIndicator":false}`
	create := call("POST", "/v1/consents", "bb", valid)
	create.Header.Set("TPP-Explicit-Authorisation-Preferred", "true")
	status, body := answer(bgspec.Check(t, bgspec.NextGenPSD2, h, create))
	id, _ := body["consentId"].(string)
	links, _ := body["_links"].(map[string]any)
	if status != 201 || links["startAuthorisation"].(map[string]any)["href"] != "/v1/consents/"+id+"/authorisations" || links["scaOAuth"] != nil {
		t.Fatalf("create: %d %v", status, body)
	}
	base := "/v1/consents/" + id + "/authorisations"
	start := func(body string) (*httptest.ResponseRecorder, int, map[string]any) {
		w := bgspec.Check(t, bgspec.NextGenPSD2, h, call("POST", base, "bb", body))
		status, out := answer(w)
		return w, status, out
	}
	w, status, body := start("")
	auth, _ := body["authorisationId"].(string)
	links, _ = body["_links"].(map[string]any)
	if status != 201 || body["scaStatus"] != "received" || auth == "" || w.Header().Get("Location") != base+"/"+auth ||
		links["scaOAuth"].(map[string]any)["href"] != "https://api.bank.example/.well-known/oauth-authorization-server" ||
		links["scaStatus"].(map[string]any)["href"] != base+"/"+auth {
		t.Fatalf("start: %d %v %v", status, body, w.Header())
	}
	_, status, body = start("{}")
	second, _ := body["authorisationId"].(string)
	if status != 201 || second == "" || second == auth {
		t.Fatalf("second start: %d %v", status, body)
	}
	status, body = answer(bgspec.Check(t, bgspec.NextGenPSD2, h, call("GET", base, "bb", "")))
	// Both, in the order of their start, which the test's standing clock leaves open.
	if ids, _ := body["authorisationIds"].([]any); status != 200 || len(ids) != 2 || !slices.Contains(ids, any(auth)) || !slices.Contains(ids, any(second)) {
		t.Fatalf("list: %d %v", status, body)
	}
	scaStatus := func(want string) {
		t.Helper()
		status, body := answer(bgspec.Check(t, bgspec.NextGenPSD2, h, call("GET", base+"/"+auth, "bb", "")))
		if status != 200 || body["scaStatus"] != want {
			t.Fatalf("scaStatus: %d %v, want %s", status, body, want)
		}
	}
	scaStatus("received")

	for _, c := range []struct {
		name   string
		req    *http.Request
		status int
		code   string
	}{
		{"PSU data through the TPP", call("POST", base, "bb", `{"psuData":{"password":"sandbox"}}`), 400, "FORMAT_ERROR psuData"},
		{"a body that is not an object", call("POST", base, "bb", `[]`), 400, "FORMAT_ERROR body"},
		{"another app starts one", call("POST", base, "other", ""), 403, "CONSENT_UNKNOWN"},
		{"another app lists them", call("GET", base, "other", ""), 403, "CONSENT_UNKNOWN"},
		{"another app reads one", call("GET", base+"/"+auth, "other", ""), 403, "CONSENT_UNKNOWN"},
		{"an unknown authorisation", call("GET", base+"/nothing", "bb", ""), 404, "RESOURCE_UNKNOWN"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if status, body := answer(bgspec.Check(t, bgspec.NextGenPSD2, h, c.req)); status != c.status || firstCode(body) != c.code {
				t.Fatalf("got %d %v, want %d %s", status, body, c.status, c.code)
			}
		})
	}
	if list, _ := authorisations.List(context.Background(), consents.Owner{AppID: "bb"}, sca.AISConsent, id); len(list) != 2 {
		t.Fatalf("%d authorisations after the refusals, want 2", len(list))
	}

	if err := svc.Approve(context.Background(), id, "psu-1", consents.ByOAuth, []consents.Account{{ID: "acc-a", IBAN: "BE71096123456769", Currency: "EUR"}}, nil); err != nil {
		t.Fatal(err)
	}
	scaStatus("finalised")
	if _, status, body := start(""); status != 409 || firstCode(body) != "STATUS_INVALID" {
		t.Fatalf("start after the approval: %d %v", status, body)
	}
}
