package aisapi_test

import (
	"context"
	"testing"

	"github.com/bank/devportal/shared/tpp/bgspec"
	"github.com/bank/devportal/shared/tpp/notify"
)

// TestConsentNotificationHeaders subscribes a consent to status notifications on the
// host of the app's redirect URI: answered with the support and content headers, stored
// with the consent; a host the app did not register is refused naming the header, and
// creates nothing.
func TestConsentNotificationHeaders(t *testing.T) {
	h, svc, state := served(t)
	const valid = `{"access":{"balances":[{"iban":"BE68539007547034"}]},` +
		`"recurringIndicator":true,"validUntil":"2026-12-31","frequencyPerDay":4,"combinedServiceIndicator":false}`
	before := state()
	r := call("POST", "/v1/consents", "nn", valid)
	r.Header.Set(notify.URIHeader, "https://other.example/n")
	w := bgspec.Check(t, bgspec.NextGenPSD2, h, r)
	if status, body := answer(w); status != 400 || firstCode(body) != "FORMAT_ERROR TPP-Notification-URI" || state() != before {
		t.Fatalf("an unregistered host: %d %v", status, body)
	}
	r = call("POST", "/v1/consents", "nn", valid)
	r.Header.Set(notify.URIHeader, "https://tpp.example/psd2/notify")
	r.Header.Set(notify.ContentPreferredHeader, "status=SCA,LAST")
	w = bgspec.Check(t, bgspec.NextGenPSD2, h, r)
	status, body := answer(w)
	if status != 201 || w.Header().Get(notify.SupportHeader) != "true" || w.Header().Get(notify.ContentHeader) != "status=SCA,LAST" {
		t.Fatalf("subscribed: %d %v %v", status, w.Header(), body)
	}
	c, err := svc.Find(context.Background(), body["consentId"].(string))
	if err != nil || c.Notification == nil || c.Notification.URI != "https://tpp.example/psd2/notify" || c.Notification.ContentValue() != "status=SCA,LAST" {
		t.Fatalf("stored: %+v %v", c.Notification, err)
	}
	// Without the header nothing is subscribed, and the answer says nothing of it.
	w = bgspec.Check(t, bgspec.NextGenPSD2, h, call("POST", "/v1/consents", "nn", valid))
	if w.Code != 201 || w.Header().Get(notify.SupportHeader) != "" {
		t.Fatalf("not subscribed: %d %v", w.Code, w.Header())
	}
}
