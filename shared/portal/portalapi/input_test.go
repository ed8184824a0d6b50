package portalapi_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/bank/devportal/shared/platform/httpapi"
	"github.com/bank/devportal/shared/portal/portalapi"
)

// raw sends body exactly as written (the SPA's JSON encoder could not write a key twice),
// with the CSRF header and the given request ID, and returns the status and raw body.
func (h *harness) raw(c *http.Client, method, path, body, requestID string) (int, string) {
	h.t.Helper()
	h.call(c, "GET", "/api/auth/password-policy", nil) // the CSRF cookie
	req, _ := http.NewRequest(method, h.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(portalapi.CSRFHeader, h.cookie(c, portalapi.CSRFCookie))
	req.Header.Set(httpapi.RequestIDHeader, requestID)
	resp, err := c.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestDuplicateAndCaseVariantKeysChangeNothing proves, through the API, that a body whose
// keys could be read two ways is refused with the key and the rule named, and that
// nothing changed: the member keeps their role, the user their name, and the audit trail
// records no change.
func TestDuplicateAndCaseVariantKeysChangeNothing(t *testing.T) {
	h := newHarness(t)
	owner := h.person("owner")
	orgID, code := h.activeOrg(owner.client)
	member := h.person("member")
	h.call(member.client, "POST", "/api/organizations/join", map[string]any{"code": code}).expect(t, 200, "")
	memberPath := "/api/organizations/" + orgID + "/members/" + member.id

	const failed = `{"code":"VALIDATION_FAILED","message":"Some fields need your attention.","fields":[`
	keyCase := func(key, name string) string {
		return `{"field":"` + key + `","rule":"keyCase","message":"Field names are case-sensitive: write this key as \"` + name + `\"."}`
	}
	duplicate := func(key string) string {
		return `{"field":"` + key + `","rule":"duplicateKey","message":"This key appears more than once in its object; send it once."}`
	}
	cases := []struct {
		name, path, body, field string
		client                  *http.Client
	}{
		{"role, then the same key in another case", memberPath, `{"role":"VIEWER","Role":"ADMIN"}`, keyCase("Role", "role"), owner.client},
		{"role in another case alone", memberPath, `{"Role":"ADMIN"}`, keyCase("Role", "role"), owner.client},
		{"role twice", memberPath, `{"role":"VIEWER","role":"ADMIN"}`, duplicate("role"), owner.client},
		{"role twice, once escaped", memberPath, `{"role":"VIEWER","r\u006fle":"ADMIN"}`, duplicate("role"), owner.client},
		{"full name twice", "/api/account", `{"fullName":"Ann Dev","fullName":"Eve Admin"}`, duplicate("fullName"), member.client},
		{"full name in another case", "/api/account", `{"FullName":"Eve Admin"}`, keyCase("FullName", "fullName"), member.client},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id := "req-input-" + string(rune('a'+i)) + "-0001"
			status, body := h.raw(c.client, "PATCH", c.path, c.body, id)
			want := failed + c.field + `],"requestId":"` + id + `"}` + "\n"
			if status != 400 || body != want {
				t.Fatalf("got %d %s\nwant 400 %s", status, body, want)
			}
		})
	}

	r := h.call(owner.client, "GET", "/api/organizations/"+orgID+"/members", nil).expect(t, 200, "")
	for _, m := range r.body["members"].([]any) {
		if m := m.(map[string]any); m["userId"] == member.id && m["role"] != "DEVELOPER" {
			t.Fatalf("the member's role changed: %s", r.raw)
		}
	}
	for _, action := range h.auditOf(orgID) {
		if action == "member.role_changed" {
			t.Fatalf("the audit trail records a role change: %v", h.auditOf(orgID))
		}
	}
	if r := h.call(member.client, "GET", "/api/account", nil).expect(t, 200, ""); r.body["fullName"] != "Ann Dev" {
		t.Fatalf("the name changed: %s", r.raw)
	}
	// The same change, written once and exactly, goes through.
	h.call(owner.client, "PATCH", memberPath, map[string]any{"role": "VIEWER"}).expect(t, 200, "")
}

// TestNamesThroughTheAPI proves that names arrive stored in NFC, whichever route sets
// them, and that a name with a direction-changing or invisible character is refused with
// the exact error and changes nothing.
func TestNamesThroughTheAPI(t *testing.T) {
	h := newHarness(t)
	owner := h.person("owner")
	orgID, _ := h.activeOrg(owner.client)

	r := h.call(owner.client, "PATCH", "/api/account", map[string]any{"fullName": " Zoe\u0308 Mu\u0308ller "}).expect(t, 200, "")
	if r.body["fullName"] != "Zoë Müller" {
		t.Fatalf("account name = %s", r.raw)
	}
	r = h.call(owner.client, "POST", "/api/organizations/"+orgID+"/apps", map[string]any{"name": "Cafe\u0301 Pay"}).expect(t, 201, "")
	if r.body["app"].(map[string]any)["name"] != "Café Pay" {
		t.Fatalf("app name = %s", r.raw)
	}
	r = h.call(owner.client, "POST", "/api/organizations/"+orgID+"/rename", map[string]any{"name": "Acme Paiements Fe\u0301de\u0301re\u0301s", "reason": "Merger."}).expect(t, 202, "")
	if r.body["summary"] != "Rename to Acme Paiements Fédérés" {
		t.Fatalf("rename request = %s", r.raw)
	}

	refused := func(field, what, code string) string {
		return `{"code":"VALIDATION_FAILED","message":"Some fields need your attention.","fields":[{"field":"` + field + `","rule":"singleline","message":"Contains ` +
			what + ` (U+` + code + `); use one line of plain text without control, invisible or direction-changing characters."}],"requestId":"req-names-0001"}` + "\n"
	}
	cases := []struct {
		name, method, path, body, want string
	}{
		{"account name with a right-to-left override", "PATCH", "/api/account", `{"fullName":"Zo\u00eb \u202eredlüM"}`, refused("fullName", "a direction-changing character", "202E")},
		{"account name with a zero-width space", "PATCH", "/api/account", `{"fullName":"Zo\u00eb\u200bM\u00fcller"}`, refused("fullName", "a zero-width character", "200B")},
		{"app name with a line separator", "POST", "/api/organizations/" + orgID + "/apps", `{"name":"Caf\u00e9\u2028Pay"}`, refused("name", "a line or paragraph separator", "2028")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := h.raw(owner.client, c.method, c.path, c.body, "req-names-0001")
			if status != 400 || body != c.want {
				t.Fatalf("got %d %s\nwant 400 %s", status, body, c.want)
			}
		})
	}
	if r := h.call(owner.client, "GET", "/api/account", nil).expect(t, 200, ""); r.body["fullName"] != "Zoë Müller" {
		t.Fatalf("a refused name was stored: %s", r.raw)
	}
	if r := h.call(owner.client, "GET", "/api/organizations/"+orgID+"/apps", nil).expect(t, 200, ""); len(r.body["apps"].([]any)) != 1 {
		t.Fatalf("a refused app was created: %s", r.raw)
	}
}
