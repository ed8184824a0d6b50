package portalapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/bank/devportal/shared/local/testenv"
)

func TestAppsAndCredentials(t *testing.T) {
	h := newHarness(t)
	owner := h.person("owner")
	orgID, code := h.activeOrg(owner.client)
	viewer := h.person("viewer")
	h.call(viewer.client, "POST", "/api/organizations/join", map[string]any{"code": code}).expect(t, 200, "")
	h.call(owner.client, "PATCH", "/api/organizations/"+orgID+"/members/"+viewer.id, map[string]any{"role": "VIEWER"}).expect(t, 200, "")
	dev := h.person("dev")
	h.call(dev.client, "POST", "/api/organizations/join", map[string]any{"code": code}).expect(t, 200, "")
	stranger := h.person("stranger")
	base := "/api/organizations/" + orgID + "/apps"

	r := h.call(dev.client, "POST", base, map[string]any{"name": ""}).expect(t, 400, "VALIDATION_FAILED")
	h.call(viewer.client, "POST", base, map[string]any{"name": "Nope"}).expect(t, 403, "FORBIDDEN")
	h.call(stranger.client, "POST", base, map[string]any{"name": "Nope"}).expect(t, 404, "NOT_FOUND")
	r = h.call(dev.client, "POST", base, map[string]any{"name": " Budget Buddy "}).expect(t, 201, "")
	appID := r.body["app"].(map[string]any)["id"].(string)
	cred := r.body["credential"].(map[string]any)
	clientID, secret := cred["clientId"].(string), cred["secret"].(string)
	if r.body["app"].(map[string]any)["name"] != "Budget Buddy" || r.body["app"].(map[string]any)["environment"] != "sandbox" || len(secret) != 43 || clientID == "" {
		t.Fatalf("created = %s", r.raw)
	}
	appPath := base + "/" + appID
	credPath := appPath + "/credentials/" + clientID

	// The secret is shown once: never again in any response.
	r = h.call(owner.client, "GET", appPath, nil).expect(t, 200, "")
	if strings.Contains(r.raw, secret) || !strings.Contains(r.raw, clientID) {
		t.Fatalf("detail = %s", r.raw)
	}
	r = h.call(viewer.client, "GET", appPath, nil).expect(t, 200, "")
	if strings.Contains(r.raw, clientID) {
		t.Fatalf("a Viewer sees the client ID: %s", r.raw)
	}
	h.call(viewer.client, "GET", base, nil).expect(t, 200, "")
	h.call(stranger.client, "GET", appPath, nil).expect(t, 404, "NOT_FOUND")

	// Verify: a clear yes or no; reset: the old secret stops working.
	if r := h.call(dev.client, "POST", credPath+"/verify", map[string]any{"secret": secret}).expect(t, 200, ""); r.body["valid"] != true {
		t.Fatalf("verify = %s", r.raw)
	}
	if r := h.call(dev.client, "POST", credPath+"/verify", map[string]any{"secret": "wrong"}).expect(t, 200, ""); r.body["valid"] != false {
		t.Fatalf("verify wrong = %s", r.raw)
	}
	h.call(viewer.client, "POST", credPath+"/verify", map[string]any{"secret": secret}).expect(t, 403, "FORBIDDEN")
	r = h.call(dev.client, "POST", credPath+"/reset", nil).expect(t, 200, "")
	newSecret := r.body["secret"].(string)
	if newSecret == secret {
		t.Fatal("reset kept the secret")
	}
	if r := h.call(dev.client, "POST", credPath+"/verify", map[string]any{"secret": secret}).expect(t, 200, ""); r.body["valid"] != false {
		t.Fatalf("the old secret still verifies: %s", r.raw)
	}
	if r := h.call(dev.client, "POST", credPath+"/verify", map[string]any{"secret": newSecret}).expect(t, 200, ""); r.body["valid"] != true {
		t.Fatalf("the new secret does not verify: %s", r.raw)
	}

	// Redirect URIs: validated, deduplicated, removable; Viewers cannot change them.
	r = h.call(dev.client, "POST", appPath+"/redirect-uris", map[string]any{"uri": "https://budget.example/cb#x"}).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[uri:fragment]" {
		t.Fatalf("fields = %v", r.fields())
	}
	// Too long: refused with the limit and the length, never cut and stored.
	long := "https://budget.example/" + strings.Repeat("a", 2026)
	r = h.call(dev.client, "POST", appPath+"/redirect-uris", map[string]any{"uri": long}).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[uri:max]" || r.message("max") != "Use at most 2048 characters; this has 2049." {
		t.Fatalf("too long: %s", r.raw)
	}
	r = h.call(dev.client, "POST", base, map[string]any{"name": strings.Repeat("n", 101)}).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[name:max]" || r.message("max") != "Use at most 100 characters; this has 101." {
		t.Fatalf("long app name: %s", r.raw)
	}
	r = h.call(dev.client, "PATCH", appPath, map[string]any{"name": strings.Repeat("n", 101)}).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[name:max]" || r.message("max") != "Use at most 100 characters; this has 101." {
		t.Fatalf("long rename: %s", r.raw)
	}
	h.call(dev.client, "POST", appPath+"/redirect-uris", map[string]any{"uri": "https://budget.example/cb"}).expect(t, 201, "")
	r = h.call(dev.client, "POST", appPath+"/redirect-uris", map[string]any{"uri": "http://localhost:3000/cb"}).expect(t, 201, "")
	if fmt.Sprint(r.body["redirectUris"]) != "[http://localhost:3000/cb https://budget.example/cb]" {
		t.Fatalf("redirect URIs = %s", r.raw)
	}
	// A host that browsers read as another (U+3002 is a dot to them) is refused with its
	// field error, and nothing changes: the same URIs, nothing stored or audited.
	r = h.call(dev.client, "POST", appPath+"/redirect-uris", map[string]any{"uri": "https://budget.example\u3002attacker-host/cb"}).expect(t, 400, "VALIDATION_FAILED")
	if id, _ := r.body["requestId"].(string); id == "" {
		t.Fatalf("no request ID: %s", r.raw)
	}
	delete(r.body, "requestId")
	if got, _ := json.Marshal(r.body); string(got) != `{"code":"VALIDATION_FAILED","fields":[{"field":"uri","message":"Browsers read this host as budget.example.attacker-host, which is not what it shows: write the host in plain ASCII.","rule":"confusable"}],"message":"Some fields need your attention."}` {
		t.Fatalf("refused = %s", got)
	}
	if r := h.call(dev.client, "GET", appPath, nil).expect(t, 200, ""); fmt.Sprint(r.body["app"].(map[string]any)["redirectUris"]) != "[http://localhost:3000/cb https://budget.example/cb]" {
		t.Fatalf("after the refusal = %s", r.raw)
	}
	if h.tableContains("attacker-host") {
		t.Fatal("the refused redirect URI reached the table")
	}
	r = h.call(dev.client, "POST", appPath+"/redirect-uris", map[string]any{"uri": "https://budget.example/cb"}).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[uri:duplicate]" {
		t.Fatalf("fields = %v", r.fields())
	}
	h.call(viewer.client, "POST", appPath+"/redirect-uris", map[string]any{"uri": "https://x.example/cb"}).expect(t, 403, "FORBIDDEN")
	h.call(dev.client, "DELETE", appPath+"/redirect-uris?uri="+url.QueryEscape("http://localhost:3000/cb"), nil).expect(t, 204, "")
	h.call(dev.client, "DELETE", appPath+"/redirect-uris?uri="+url.QueryEscape("http://localhost:3000/cb"), nil).expect(t, 404, "NOT_FOUND")
	r = h.call(viewer.client, "GET", appPath, nil).expect(t, 200, "")
	if fmt.Sprint(r.body["app"].(map[string]any)["redirectUris"]) != "[https://budget.example/cb]" {
		t.Fatalf("after removal = %s", r.raw)
	}

	// More credentials; the last one cannot be revoked.
	h.call(dev.client, "DELETE", credPath, nil).expect(t, 409, "LAST_CREDENTIAL")
	r = h.call(dev.client, "POST", appPath+"/credentials", map[string]any{"name": "Backend"}).expect(t, 201, "")
	second, secondSecret := r.body["clientId"].(string), r.body["secret"].(string)
	h.call(dev.client, "PATCH", appPath+"/credentials/"+second, map[string]any{"name": "Backend (blue)"}).expect(t, 200, "")
	h.call(dev.client, "PATCH", appPath, map[string]any{"name": "Budget Buddy Pro"}).expect(t, 200, "")
	h.call(dev.client, "DELETE", credPath, nil).expect(t, 204, "")
	h.call(dev.client, "POST", credPath+"/verify", map[string]any{"secret": newSecret}).expect(t, 404, "NOT_FOUND")
	r = h.call(owner.client, "GET", appPath, nil).expect(t, 200, "")
	if creds := r.body["credentials"].([]any); len(creds) != 1 || creds[0].(map[string]any)["name"] != "Backend (blue)" || r.body["app"].(map[string]any)["name"] != "Budget Buddy Pro" {
		t.Fatalf("after changes = %s", r.raw)
	}

	// No secret is stored or logged anywhere.
	for _, sec := range []string{secret, newSecret, secondSecret} {
		if strings.Contains(h.logs.String(), sec) {
			t.Fatal("a secret appears in the logs")
		}
		if h.tableContains(sec) {
			t.Fatal("a secret appears in the table")
		}
	}

	// mTLS certificates: upload to the organization, select for apps (two at most, one
	// app per certificate), remove; bad uploads are refused per field.
	certs := base[:strings.LastIndex(base, "/apps")] + "/certificates"
	r = h.call(dev.client, "POST", certs, map[string]any{"certificate": "not a certificate"}).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[certificate:parse]" {
		t.Fatalf("fields = %v", r.fields())
	}
	// A pasted private key is refused with the advice to replace it, and nothing is kept.
	r = h.call(dev.client, "POST", certs, map[string]any{"certificate": "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----"}).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[certificate:privateKey]" || !strings.Contains(r.message("privateKey"), "Treat the key as exposed") {
		t.Fatalf("private key: %s", r.raw)
	}
	if l := h.call(dev.client, "GET", certs, nil).expect(t, 200, ""); len(l.body["certificates"].([]any)) != 0 {
		t.Fatalf("something was kept: %s", l.raw)
	}
	var fingerprints []string
	for range 3 {
		qwac, _ := h.certificates(dev.client, "PSDBE-NBB-"+strings.ToUpper(testenv.Suffix()), "AIS")
		r = h.call(dev.client, "POST", certs, map[string]any{"certificate": qwac}).expect(t, 201, "")
		fingerprints = append(fingerprints, r.body["sha256Fingerprint"].(string))
		if len(fingerprints) == 1 {
			r = h.call(dev.client, "POST", certs, map[string]any{"certificate": qwac}).expect(t, 400, "VALIDATION_FAILED")
			if fmt.Sprint(r.fields()) != "[certificate:duplicate]" {
				t.Fatalf("fields = %v", r.fields())
			}
		}
	}
	if r := h.call(viewer.client, "GET", certs, nil).expect(t, 200, ""); len(r.body["certificates"].([]any)) != 3 {
		t.Fatalf("certificates = %s", r.raw)
	}
	h.call(dev.client, "POST", appPath+"/certificates", map[string]any{"sha256Fingerprint": fingerprints[0]}).expect(t, 200, "")
	h.call(dev.client, "POST", appPath+"/certificates", map[string]any{"sha256Fingerprint": fingerprints[1]}).expect(t, 200, "")
	r = h.call(dev.client, "POST", appPath+"/certificates", map[string]any{"sha256Fingerprint": fingerprints[2]}).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[sha256Fingerprint:max]" {
		t.Fatalf("fields = %v", r.fields())
	}
	r = h.call(dev.client, "POST", base, map[string]any{"name": "Second app"}).expect(t, 201, "")
	otherApp := base + "/" + r.body["app"].(map[string]any)["id"].(string)
	r = h.call(dev.client, "POST", otherApp+"/certificates", map[string]any{"sha256Fingerprint": fingerprints[0]}).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[sha256Fingerprint:attached]" {
		t.Fatalf("fields = %v", r.fields())
	}
	h.call(viewer.client, "DELETE", appPath+"/certificates/"+fingerprints[1], nil).expect(t, 403, "FORBIDDEN")
	h.call(dev.client, "DELETE", appPath+"/certificates/"+fingerprints[1], nil).expect(t, 204, "")
	h.call(dev.client, "POST", otherApp+"/certificates", map[string]any{"sha256Fingerprint": fingerprints[1]}).expect(t, 200, "")

	// Deleting: developers may not; the owner may, and the credentials go with it.
	h.call(dev.client, "DELETE", appPath, nil).expect(t, 403, "FORBIDDEN")
	h.call(owner.client, "DELETE", appPath, nil).expect(t, 204, "")
	h.call(owner.client, "GET", appPath, nil).expect(t, 404, "NOT_FOUND")
	if _, err := h.orgStore.Credential(context.Background(), second); err == nil {
		t.Fatal("a deleted app's credential can still be looked up by client ID")
	}
	// Its certificate is free again for another app.
	h.call(dev.client, "POST", otherApp+"/certificates", map[string]any{"sha256Fingerprint": fingerprints[0]}).expect(t, 200, "")
}

// tableContains scans every item of the portal table for text.
func (h *harness) tableContains(text string) bool {
	h.t.Helper()
	pages := dynamodb.NewScanPaginator(h.db, &dynamodb.ScanInput{TableName: &h.table})
	for pages.HasMorePages() {
		page, err := pages.NextPage(context.Background())
		if err != nil {
			h.t.Fatal(err)
		}
		for _, item := range page.Items {
			if strings.Contains(fmtItem(item), text) {
				return true
			}
		}
	}
	return false
}

// TestAppsAuthorizationMatrix calls every endpoint of apps, credentials, certificates,
// subscriptions and going live as each role and as a member of another organization,
// with input that changes nothing: the roles allowed get the input's error, the others
// 403, and the other organization 404.
func TestAppsAuthorizationMatrix(t *testing.T) {
	h := newHarness(t)
	orgID, roles := h.team()
	owner := roles["OWNER"]
	base := "/api/organizations/" + orgID
	app, clientID, _ := h.newApp(owner.client, orgID, "Acme app")
	// A pending request keeps the app from being deleted while the matrix runs.
	h.call(owner.client, "POST", app+"/subscriptions", map[string]any{"productId": "pay-later", "planId": "sandbox"}).expect(t, 201, "")
	cred := app + "/credentials/" + clientID

	all := func(s int) map[string]int { return map[string]int{"OWNER": s, "ADMIN": s, "DEVELOPER": s, "VIEWER": s} }
	changers := func(s int) map[string]int {
		return map[string]int{"OWNER": s, "ADMIN": s, "DEVELOPER": s, "VIEWER": 403}
	}
	managers := func(s int) map[string]int {
		return map[string]int{"OWNER": s, "ADMIN": s, "DEVELOPER": 403, "VIEWER": 403}
	}
	rows := []matrixRow{
		{"GET", base + "/apps", nil, all(200)},
		{"POST", base + "/apps", map[string]any{"name": ""}, changers(400)},
		{"GET", app, nil, all(200)},
		{"PATCH", app, map[string]any{"name": ""}, changers(400)},
		{"DELETE", app, nil, managers(409)},
		{"POST", app + "/redirect-uris", map[string]any{"uri": "ftp://acme.example/cb"}, changers(400)},
		{"DELETE", app + "/redirect-uris?uri=https%3A%2F%2Fnone.example", nil, changers(404)},
		{"PUT", app + "/oauth-settings", map[string]any{}, managers(400)},
		{"GET", base + "/certificates", nil, all(200)},
		{"POST", base + "/certificates", map[string]any{"certificate": "not a certificate"}, changers(400)},
		{"DELETE", base + "/certificates/" + strings.Repeat("0", 64), nil, changers(404)},
		{"POST", base + "/certificates/" + strings.Repeat("0", 64) + "/possession", map[string]any{"challenge": "x", "signature": "eA=="}, changers(404)},
		{"POST", app + "/certificates", map[string]any{"sha256Fingerprint": "zz"}, changers(400)},
		{"DELETE", app + "/certificates/" + strings.Repeat("0", 64), nil, changers(404)},
		{"POST", base + "/apps/nope/certificates/sandbox", nil, changers(404)},
		{"POST", app + "/credentials", map[string]any{"name": ""}, changers(400)},
		{"POST", cred + "/verify", map[string]any{"secret": ""}, changers(400)},
		{"POST", app + "/credentials/nope/reset", nil, changers(404)},
		{"PATCH", cred, map[string]any{"name": ""}, changers(400)},
		{"DELETE", app + "/credentials/nope", nil, changers(404)},
		{"GET", app + "/subscriptions", nil, all(200)},
		{"POST", app + "/subscriptions", map[string]any{"productId": "", "planId": ""}, changers(400)},
		{"DELETE", app + "/subscriptions/oauth2", nil, changers(409)},
		{"POST", app + "/go-live", map[string]any{"productionOrganizationId": ""}, changers(400)},
	}
	h.runMatrix(t, base, roles, rows, func(raw string) bool { return strings.Contains(raw, "Acme") || strings.Contains(raw, clientID) })
	// Nothing changed: one app, one credential, two subscriptions, no certificates.
	r := h.call(owner.client, "GET", app, nil).expect(t, 200, "")
	if len(r.body["credentials"].([]any)) != 1 || r.body["app"].(map[string]any)["name"] != "Acme app" || len(r.body["app"].(map[string]any)["redirectUris"].([]any)) != 0 {
		t.Fatalf("the matrix changed the app: %s", r.raw)
	}
	if r := h.call(owner.client, "GET", base+"/apps", nil).expect(t, 200, ""); len(r.body["apps"].([]any)) != 1 {
		t.Fatalf("apps = %s", r.raw)
	}
	if r := h.call(owner.client, "GET", app+"/subscriptions", nil).expect(t, 200, ""); len(r.body["subscriptions"].([]any)) != 2 {
		t.Fatalf("subscriptions = %s", r.raw)
	}
}
