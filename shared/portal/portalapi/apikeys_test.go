package portalapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"

	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/portal/wiring/allparts"
)

const apiKeyWarning = "Copy the API key now and store it safely: it is shown only this once, and the bank keeps only its hash. If you lose it, rotate it."

// usageKeys are the usage keys of the organization's apps in moto's API Gateway, each as
// "<product>@<usage plan>" of the plan that holds it ("-" for none).
func (h *harness) usageKeys(orgID string) []string {
	h.t.Helper()
	ctx := context.Background()
	client := apigateway.NewFromConfig(h.awsConfig())
	keys, err := client.GetApiKeys(ctx, &apigateway.GetApiKeysInput{NameQuery: aws.String("usage." + orgID + "."), Limit: aws.Int32(500)})
	if err != nil {
		h.t.Fatal(err)
	}
	inPlan := map[string]string{}
	for name, id := range h.cfg.UsagePlanIDs {
		members, err := client.GetUsagePlanKeys(ctx, &apigateway.GetUsagePlanKeysInput{UsagePlanId: aws.String(id)})
		if err != nil {
			h.t.Fatal(err)
		}
		for _, m := range members.Items {
			inPlan[aws.ToString(m.Id)] = name
		}
	}
	var out []string
	for _, k := range keys.Items {
		plan := inPlan[aws.ToString(k.Id)]
		if plan == "" {
			plan = "-"
		}
		out = append(out, strings.TrimPrefix(aws.ToString(k.Name), "usage."+orgID+".")+"@"+plan)
	}
	slices.Sort(out)
	return out
}

// storedKeys are the app's API keys as the store holds them.
func (h *harness) storedKeys(orgID, appID string) ([]lookup.APIKeyHash, int) {
	h.t.Helper()
	app, err := h.orgStore.GetApp(context.Background(), orgID, appID)
	if err != nil {
		h.t.Fatal(err)
	}
	return app.APIKeys, app.Version
}

var apiKeyPattern = regexp.MustCompile(`^([0-9a-f]{16})\.([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]{43}$`)

// TestAPIKeys: an app's API key is shown once at creation; rotating it (not Viewers)
// shows the new one once, keeps the old one for the grace period and drops it at the next
// rotation; only hashes are stored, and usage keys follow the subscriptions in API
// Gateway's usage plans.
func TestAPIKeys(t *testing.T) {
	h := newHarness(t)
	owner := h.person("owner")
	orgID, code := h.activeOrg(owner.client)
	dev, viewer := h.person("dev"), h.person("viewer")
	for _, p := range []person{dev, viewer} {
		h.call(p.client, "POST", "/api/organizations/join", map[string]any{"code": code}).expect(t, 200, "")
	}
	h.call(owner.client, "PATCH", "/api/organizations/"+orgID+"/members/"+viewer.id, map[string]any{"role": "VIEWER"}).expect(t, 200, "")
	t0 := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	h.api.Apps.Now = func() time.Time { return t0 }

	// Created with its key, shown once.
	r := h.call(dev.client, "POST", "/api/organizations/"+orgID+"/apps", map[string]any{"name": "Keyed app"}).expect(t, 201, "")
	app := r.body["app"].(map[string]any)
	appID := app["id"].(string)
	shown := r.body["apiKey"].(map[string]any)
	first := shown["key"].(string)
	if m := apiKeyPattern.FindStringSubmatch(first); m == nil || m[1] != orgID || m[2] != appID ||
		shown["header"] != "apiKey" || shown["warning"] != apiKeyWarning || shown["createdAt"] != "2026-12-06T09:00:00Z" {
		t.Fatalf("created key = %v", shown)
	}
	if got, _ := json.Marshal(app["apiKeys"]); string(got) != `[{"createdAt":"2026-12-06T09:00:00Z"}]` {
		t.Fatalf("the new app's keys = %s", got)
	}
	appPath := "/api/organizations/" + orgID + "/apps/" + appID
	r = h.call(viewer.client, "GET", appPath, nil).expect(t, 200, "")
	if strings.Contains(r.raw, first) || strings.Contains(r.raw, lookup.HashAPIKey(first)) {
		t.Fatalf("the detail shows the key or its hash: %s", r.raw)
	}
	if got, _ := json.Marshal(r.body["app"].(map[string]any)["apiKeys"]); string(got) != `[{"createdAt":"2026-12-06T09:00:00Z"}]` {
		t.Fatalf("detail keys = %s", got)
	}
	// No meter in the local stack: usage is not available, the plan's figures are.
	if got, _ := json.Marshal(r.body["usage"]); string(got) != `[{"available":false,"planId":"sandbox","productId":"oauth2","productName":"OAuth2 authorization server","quotaPerDay":20000,"rateLimitPerSecond":20}]` {
		t.Fatalf("usage = %s", got)
	}
	keys, version := h.storedKeys(orgID, appID)
	if len(keys) != 1 || keys[0].Hash != lookup.HashAPIKey(first) || keys[0].ExpiresAt != nil {
		t.Fatalf("stored keys = %+v", keys)
	}
	if fmt.Sprint(h.usageKeys(orgID)) != "["+appID+".oauth2@oauth2-sandbox]" {
		t.Fatalf("usage keys = %v", h.usageKeys(orgID))
	}

	// Bad grace periods are refused by field; Viewers cannot rotate; nothing changes.
	rotate := appPath + "/api-key/rotate"
	for _, body := range []map[string]any{{"gracePeriodHours": 169}, {"gracePeriodHours": -1}} {
		r = h.call(dev.client, "POST", rotate, body).expect(t, 400, "VALIDATION_FAILED")
		delete(r.body, "requestId")
		if got, _ := json.Marshal(r.body); string(got) != `{"code":"VALIDATION_FAILED","fields":[{"field":"gracePeriodHours","message":"Choose a grace period from 0 to 168 hours (7 days).","rule":"range"}],"message":"Some fields need your attention."}` {
			t.Fatalf("refused = %s", got)
		}
	}
	r = h.call(dev.client, "POST", rotate, map[string]any{"gracePeriodHours": "24"}).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[gracePeriodHours:type]" {
		t.Fatalf("fields = %v", r.fields())
	}
	h.call(viewer.client, "POST", rotate, map[string]any{}).expect(t, 403, "FORBIDDEN")
	h.call(dev.client, "POST", "/api/organizations/"+orgID+"/apps/nope/api-key/rotate", map[string]any{}).expect(t, 404, "NOT_FOUND")
	if after, v := h.storedKeys(orgID, appID); v != version || len(after) != 1 || after[0].Hash != keys[0].Hash {
		t.Fatalf("a refused rotation changed the app: %+v (version %d → %d)", after, version, v)
	}

	// Rotation with the default grace period: both keys work for 24 hours.
	t1 := t0.Add(2 * time.Hour)
	h.api.Apps.Now = func() time.Time { return t1 }
	r = h.call(dev.client, "POST", rotate, map[string]any{}).expect(t, 200, "")
	second := r.body["apiKey"].(map[string]any)["key"].(string)
	if m := apiKeyPattern.FindStringSubmatch(second); m == nil || second == first || r.body["previousExpiresAt"] != "2026-12-07T11:00:00Z" ||
		r.body["apiKey"].(map[string]any)["warning"] != apiKeyWarning {
		t.Fatalf("rotated = %s", r.raw)
	}
	if got, _ := json.Marshal(r.body["app"].(map[string]any)["apiKeys"]); string(got) != `[{"createdAt":"2026-12-06T11:00:00Z"},{"createdAt":"2026-12-06T09:00:00Z","expiresAt":"2026-12-07T11:00:00Z"}]` {
		t.Fatalf("keys after the rotation = %s", got)
	}
	keys, _ = h.storedKeys(orgID, appID)
	valid := func(keys []lookup.APIKeyHash, key string, at time.Time) bool {
		i := slices.IndexFunc(keys, func(k lookup.APIKeyHash) bool { return k.Hash == lookup.HashAPIKey(key) })
		return i >= 0 && keys[i].ValidAt(at)
	}
	graceEnd := t1.Add(24 * time.Hour)
	if len(keys) != 2 || !valid(keys, first, graceEnd.Add(-time.Second)) || valid(keys, first, graceEnd) ||
		!valid(keys, second, graceEnd.Add(365*24*time.Hour)) {
		t.Fatalf("stored keys after the rotation = %+v", keys)
	}

	// The next rotation (no grace) drops the first key and stops the second now.
	t2 := t1.Add(time.Hour)
	h.api.Apps.Now = func() time.Time { return t2 }
	r = h.call(owner.client, "POST", rotate, map[string]any{"gracePeriodHours": 0}).expect(t, 200, "")
	third := r.body["apiKey"].(map[string]any)["key"].(string)
	keys, _ = h.storedKeys(orgID, appID)
	if len(keys) != 2 || valid(keys, first, t2.Add(-time.Hour)) || slices.ContainsFunc(keys, func(k lookup.APIKeyHash) bool { return k.Hash == lookup.HashAPIKey(first) }) ||
		valid(keys, second, t2) || !valid(keys, third, t2) || r.body["previousExpiresAt"] != "2026-12-06T12:00:00Z" {
		t.Fatalf("stored keys after the second rotation = %+v (%s)", keys, r.raw)
	}
	for _, key := range []string{first, second, third} {
		if h.tableContains(key) || strings.Contains(h.logs.String(), key) {
			t.Fatal("an API key is stored or logged")
		}
	}
	if trail := strings.Join(h.auditOf(orgID), " "); strings.Count(trail, "app.api_key.rotated") != 2 || strings.Contains(trail, "app.api_key.created") {
		t.Fatalf("audit trail = %s", trail)
	}

	// Subscriptions bring and take their usage keys; deleting the app takes the rest.
	h.call(dev.client, "POST", appPath+"/subscriptions", map[string]any{"productId": "ais", "planId": "sandbox"}).expect(t, 201, "")
	if got := fmt.Sprint(h.usageKeys(orgID)); got != "["+appID+".ais@ais-sandbox "+appID+".oauth2@oauth2-sandbox]" {
		t.Fatalf("usage keys after subscribing = %s", got)
	}
	h.call(dev.client, "DELETE", appPath+"/subscriptions/ais", nil).expect(t, 204, "")
	if got := fmt.Sprint(h.usageKeys(orgID)); got != "["+appID+".oauth2@oauth2-sandbox]" {
		t.Fatalf("usage keys after unsubscribing = %s", got)
	}
	h.call(owner.client, "DELETE", appPath, nil).expect(t, 204, "")
	if got := h.usageKeys(orgID); len(got) != 0 {
		t.Fatalf("usage keys after deleting the app = %v", got)
	}
}

// TestAPIKeyForAnAppWithoutOne: an app from before API keys has none; its first one is
// created through the rotation route (no previous key), which also makes the usage keys
// its subscriptions lack.
func TestAPIKeyForAnAppWithoutOne(t *testing.T) {
	h := newHarness(t)
	owner := h.person("owner")
	orgID, _ := h.activeOrg(owner.client)
	appPath, _, _ := h.newApp(owner.client, orgID, "Old app")
	appID := appPath[strings.LastIndex(appPath, "/")+1:]
	ctx := context.Background()
	before, err := h.orgStore.GetApp(ctx, orgID, appID)
	if err != nil {
		t.Fatal(err)
	}
	creds, _ := h.orgStore.ListCredentials(ctx, orgID, appID)
	old := before
	old.APIKeys = nil
	if err := h.orgStore.UpdateApp(ctx, before, old, creds, h.auditEntry(orgID, "test.legacy")); err != nil {
		t.Fatal(err)
	}
	client := apigateway.NewFromConfig(h.awsConfig())
	keys, _ := client.GetApiKeys(ctx, &apigateway.GetApiKeysInput{NameQuery: aws.String("usage." + orgID + "." + appID + ".oauth2")})
	for _, k := range keys.Items {
		if _, err := client.DeleteApiKey(ctx, &apigateway.DeleteApiKeyInput{ApiKey: k.Id}); err != nil {
			t.Fatal(err)
		}
		if _, err := client.DeleteUsagePlanKey(ctx, &apigateway.DeleteUsagePlanKeyInput{UsagePlanId: aws.String(h.cfg.UsagePlanIDs["oauth2-sandbox"]), KeyId: k.Id}); err != nil {
			t.Fatal(err)
		}
	}
	if got := h.usageKeys(orgID); len(got) != 0 {
		t.Fatalf("usage keys = %v", got)
	}
	r := h.call(owner.client, "GET", appPath, nil).expect(t, 200, "")
	if got, _ := json.Marshal(r.body["app"].(map[string]any)["apiKeys"]); string(got) != "[]" {
		t.Fatalf("keys of an app without one = %s", got)
	}
	r = h.call(owner.client, "POST", appPath+"/api-key/rotate", map[string]any{}).expect(t, 200, "")
	if _, has := r.body["previousExpiresAt"]; has || apiKeyPattern.FindString(r.body["apiKey"].(map[string]any)["key"].(string)) == "" {
		t.Fatalf("first key = %s", r.raw)
	}
	if keys, _ := h.storedKeys(orgID, appID); len(keys) != 1 || keys[0].ExpiresAt != nil {
		t.Fatalf("stored = %+v", keys)
	}
	if got := fmt.Sprint(h.usageKeys(orgID)); got != "["+appID+".oauth2@oauth2-sandbox]" {
		t.Fatalf("usage keys = %s", got)
	}
	if trail := strings.Join(h.auditOf(orgID), " "); !strings.Contains(trail, "app.api_key.created") {
		t.Fatalf("audit trail = %s", trail)
	}
}

// meter is a usage meter with fixed counts; a product it does not know fails.
type meter map[string]int

func (m meter) CallsToday(_ context.Context, _, _, productID string) (int, error) {
	n, ok := m[productID]
	if !ok {
		return 0, errors.New("no such product")
	}
	return n, nil
}

// TestUsageWithAMeter: the app shows each product's calls today from the configured meter
// (the local stack's TPP listener plugs its own in), and "not available" where it fails.
func TestUsageWithAMeter(t *testing.T) {
	parts := allparts.Parts()
	parts.Meter = meter{"oauth2": 42}
	h := newHarnessWith(t, parts)
	owner := h.person("owner")
	orgID, _ := h.activeOrg(owner.client)
	appPath, _, _ := h.newApp(owner.client, orgID, "Metered app")
	h.call(owner.client, "POST", appPath+"/subscriptions", map[string]any{"productId": "ais", "planId": "sandbox"}).expect(t, 201, "")
	r := h.call(owner.client, "GET", appPath, nil).expect(t, 200, "")
	if got, _ := json.Marshal(r.body["usage"]); string(got) != `[{"available":true,"callsToday":42,"planId":"sandbox","productId":"oauth2","productName":"OAuth2 authorization server","quotaPerDay":20000,"rateLimitPerSecond":20},`+
		`{"available":false,"planId":"sandbox","productId":"ais","productName":"Account Information (AIS)","quotaPerDay":10000,"rateLimitPerSecond":10}]` {
		t.Fatalf("usage = %s", got)
	}
}
