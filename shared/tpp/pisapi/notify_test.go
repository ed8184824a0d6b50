package pisapi_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/bank/devportal/shared/tpp/notify"
)

// TestNotificationHeaders subscribes a payment to status notifications on a host of the
// app's redirect URIs, answered with the support and content headers and stored with the
// payment; a URI on another host, without https, or a malformed preference is refused
// naming its header, and creates nothing.
func TestNotificationHeaders(t *testing.T) {
	w := newWorld(t)
	for i, tc := range []struct {
		uri, content string
		status       int
		want         string
	}{
		{"https://tpp.example/notify/1", "status=SCA,PROCESS", http.StatusCreated, "true status=SCA,PROCESS"},
		{"https://TPP.example:8443/notify", "", http.StatusCreated, "true status=PROCESS"},
		{"", "", http.StatusCreated, " "},
		{"https://other.example/notify", "", http.StatusBadRequest, "FORMAT_ERROR TPP-Notification-URI"},
		{"http://tpp.example/notify", "", http.StatusBadRequest, "FORMAT_ERROR TPP-Notification-URI"},
		{"https://tpp.example/notify", "status=EVERYTHING", http.StatusBadRequest, "FORMAT_ERROR TPP-Notification-Content-Preferred"},
	} {
		before := w.state(t)
		r := call("POST", "/v1/payments/sepa-credit-transfers", "app-1", reqID(900+i), "application/json", single("5.00", creditorIBAN))
		if tc.uri != "" {
			r.Header.Set(notify.URIHeader, tc.uri)
		}
		if tc.content != "" {
			r.Header.Set(notify.ContentPreferredHeader, tc.content)
		}
		rec, body := w.send(t, r)
		if rec.Code != tc.status {
			t.Fatalf("%s %s: %d %s", tc.uri, tc.content, rec.Code, rec.Body)
		}
		if tc.status != http.StatusCreated {
			if got := messages(body); got != tc.want {
				t.Errorf("%s %s: %s, want %s", tc.uri, tc.content, got, tc.want)
			}
			if after := w.state(t); after != before {
				t.Errorf("%s: a refusal changed the table: %s → %s", tc.uri, before, after)
			}
			continue
		}
		if got := rec.Header().Get(notify.SupportHeader) + " " + rec.Header().Get(notify.ContentHeader); got != tc.want {
			t.Errorf("%s %s: headers %q, want %q", tc.uri, tc.content, got, tc.want)
		}
		p, err := w.svc.Find(context.Background(), body["paymentId"].(string))
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case tc.uri == "" && p.Notification != nil:
			t.Errorf("stored a subscription nobody asked for: %+v", p.Notification)
		case tc.uri != "" && (p.Notification == nil || p.Notification.URI != tc.uri || "true "+p.Notification.ContentValue() != tc.want):
			t.Errorf("stored subscription %+v", p.Notification)
		}
	}
}
