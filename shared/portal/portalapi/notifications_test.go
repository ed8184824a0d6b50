package portalapi_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/bank/devportal/shared/platform/notifylog"
	"github.com/bank/devportal/shared/platform/notifylog/notifylogdb"
)

// TestAppNotifications reads an app's delivery log of status notifications as the TPP
// API's delivery job wrote it: every member of the organization sees the app's own
// deliveries, newest first, with their attempts; another app's stay out of the list,
// and a member of another organization is told the app does not exist.
func TestAppNotifications(t *testing.T) {
	h := newHarness(t)
	orgID, roles := h.team()
	app, _, _ := h.newApp(roles["DEVELOPER"].client, orgID, "Notified")
	appID := app[strings.LastIndex(app, "/")+1:]
	other, _, _ := h.newApp(roles["DEVELOPER"].client, orgID, "Other")
	otherID := other[strings.LastIndex(other, "/")+1:]

	log := notifylogdb.New(h.db, h.cfg.TPPTable)
	at := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	enqueue := func(id, app, status string, created time.Time) notifylog.Delivery {
		d := notifylog.Delivery{ID: id, AppID: app, OrgID: orgID, ResourceType: "payment", ResourceID: "pay-1",
			Href: "/v1/payments/sepa-credit-transfers/pay-1", StatusAttribute: "transactionStatus", Status: status,
			URI: "https://tpp.example/notify", CreatedAt: created, Outcome: notifylog.Pending, Attempts: []notifylog.Attempt{}, NextAttemptAt: &created}
		if err := log.Enqueue(context.Background(), d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	first := enqueue("n-1", appID, "ACTC", at)
	enqueue("n-2", appID, "ACSC", at.Add(time.Minute))
	enqueue("n-3", otherID, "RJCT", at)
	// The first was delivered at its second attempt.
	claimed, err := log.Claim(context.Background(), first, at.Add(2*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	next := at.Add(time.Minute)
	claimed.Attempts = append(claimed.Attempts, notifylog.Attempt{At: at, HTTPStatus: 500, Error: "answered 500", NextRetryAt: &next})
	if err := log.Record(context.Background(), claimed); err != nil {
		t.Fatal(err)
	}
	if claimed, err = log.Claim(context.Background(), claimed, at.Add(3*time.Minute)); err != nil {
		t.Fatal(err)
	}
	claimed.Outcome, claimed.NextAttemptAt = notifylog.Delivered, nil
	claimed.Attempts = append(claimed.Attempts, notifylog.Attempt{At: next, HTTPStatus: 204})
	if err := log.Record(context.Background(), claimed); err != nil {
		t.Fatal(err)
	}

	want := `{"deliveries":[` +
		`{"appId":"` + appID + `","attempts":[],"createdAt":"2026-12-06T09:01:00Z","href":"/v1/payments/sepa-credit-transfers/pay-1","id":"n-2","nextAttemptAt":"2026-12-06T09:01:00Z","orgId":"` + orgID + `","outcome":"pending","resourceId":"pay-1","resourceType":"payment","status":"ACSC","statusAttribute":"transactionStatus","uri":"https://tpp.example/notify"},` +
		`{"appId":"` + appID + `","attempts":[{"at":"2026-12-06T09:00:00Z","error":"answered 500","httpStatus":500,"nextRetryAt":"2026-12-06T09:01:00Z"},{"at":"2026-12-06T09:01:00Z","httpStatus":204}],"createdAt":"2026-12-06T09:00:00Z","href":"/v1/payments/sepa-credit-transfers/pay-1","id":"n-1","orgId":"` + orgID + `","outcome":"delivered","resourceId":"pay-1","resourceType":"payment","status":"ACTC","statusAttribute":"transactionStatus","uri":"https://tpp.example/notify"}]}`
	for _, role := range []string{"OWNER", "ADMIN", "DEVELOPER", "VIEWER"} {
		r := h.call(roles[role].client, "GET", app+"/notifications", nil).expect(t, 200, "")
		delete(r.body, "requestId")
		if got, _ := json.Marshal(r.body); string(got) != want {
			t.Fatalf("%s:\n got %s\nwant %s", role, got, want)
		}
	}
	r := h.call(roles["VIEWER"].client, "GET", other+"/notifications", nil).expect(t, 200, "")
	if list := r.body["deliveries"].([]any); len(list) != 1 || list[0].(map[string]any)["id"] != "n-3" {
		t.Fatalf("the other app's log: %s", r.raw)
	}
	h.call(roles["FOREIGN"].client, "GET", app+"/notifications", nil).expect(t, 404, "NOT_FOUND")
	h.call(roles["OWNER"].client, "GET", "/api/organizations/"+orgID+"/apps/no-such-app/notifications", nil).expect(t, 404, "NOT_FOUND")
}
