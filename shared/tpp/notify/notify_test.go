package notify_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/bank/devportal/shared/tpp/bgerror"
	"github.com/bank/devportal/shared/tpp/notify"
)

// outcome is a subscription's URI and content, or the refusal's status, code, path and
// text.
func outcome(s *notify.Subscription, err error) string {
	var e *bgerror.Error
	switch {
	case errors.As(err, &e):
		m := e.Messages[0]
		return fmt.Sprintf("%d %s %s: %s", e.Status, m.Code, m.Path, m.Text)
	case err != nil:
		return err.Error()
	case s == nil:
		return "none"
	}
	return s.URI + " " + s.ContentValue()
}

// TestSubscribe holds the subscription headers to the rules: an https URI on a host of
// the app's redirect URIs (any port, any case), the contents of the specification once
// each, PROCESS without a preference; everything else refused naming the header.
func TestSubscribe(t *testing.T) {
	redirects := []string{"https://App.Example/callback", "http://127.0.0.1/cb", "not a uri"}
	for _, tc := range []struct {
		uri, content, want string
	}{
		{"", "status=SCA", "none"},
		{"https://app.example/notify/1", "", "https://app.example/notify/1 status=PROCESS"},
		{"https://APP.example:8443/n", "status=SCA, LAST", "https://APP.example:8443/n status=SCA,LAST"},
		{"https://127.0.0.1:9999/n", "status=SCA,PROCESS", "https://127.0.0.1:9999/n status=SCA,PROCESS"},
		{"http://app.example/n", "", "400 FORMAT_ERROR TPP-Notification-URI: The URI must use https."},
		{"https://evil.example/n", "", "400 FORMAT_ERROR TPP-Notification-URI: The host evil.example is not one of your app's registered domains: register a redirect URI on that host in the developer portal first."},
		{"https://sub.app.example/n", "", "400 FORMAT_ERROR TPP-Notification-URI: The host sub.app.example is not one of your app's registered domains: register a redirect URI on that host in the developer portal first."},
		{"/relative", "", "400 FORMAT_ERROR TPP-Notification-URI: Send an absolute https URI."},
		{"https://user@app.example/n", "", "400 FORMAT_ERROR TPP-Notification-URI: The URI must have neither user information nor a fragment."},
		{"https://app.example/n", "SCA", "400 FORMAT_ERROR TPP-Notification-Content-Preferred: Send status=X1,...,Xn with each X one of SCA, PROCESS, LAST: the value must begin with status=."},
		{"https://app.example/n", "status=SCA,FOO", `400 FORMAT_ERROR TPP-Notification-Content-Preferred: Send status=X1,...,Xn with each X one of SCA, PROCESS, LAST: "FOO" is none of them.`},
		{"https://app.example/n", "status=SCA,SCA", "400 FORMAT_ERROR TPP-Notification-Content-Preferred: Send status=X1,...,Xn with each X one of SCA, PROCESS, LAST: SCA is repeated."},
		{"https://app.example/n", "status=PROCESS,LAST", "400 FORMAT_ERROR TPP-Notification-Content-Preferred: Send status=X1,...,Xn with each X one of SCA, PROCESS, LAST: PROCESS already includes the last status; send one of PROCESS and LAST."},
	} {
		h := http.Header{}
		if tc.uri != "" {
			h.Set(notify.URIHeader, tc.uri)
		}
		if tc.content != "" {
			h.Set(notify.ContentPreferredHeader, tc.content)
		}
		if got := outcome(notify.Subscribe(h, redirects)); got != tc.want {
			t.Errorf("%q %q:\n got %s\nwant %s", tc.uri, tc.content, got, tc.want)
		}
	}
	// An app without redirect URIs has no domain to send to.
	h := http.Header{}
	h.Set(notify.URIHeader, "https://app.example/n")
	if got := outcome(notify.Subscribe(h, nil)); got != "400 FORMAT_ERROR TPP-Notification-URI: The host app.example is not one of your app's registered domains: register a redirect URI on that host in the developer portal first." {
		t.Errorf("no redirect URIs: %s", got)
	}
}

// TestSetHeaders answers a subscription with the support and content headers, and no
// subscription with neither.
func TestSetHeaders(t *testing.T) {
	h := http.Header{}
	(&notify.Subscription{URI: "https://app.example/n", Content: []notify.Content{notify.SCA, notify.LAST}}).SetHeaders(h)
	if got := fmt.Sprint(h); got != "map[Aspsp-Notification-Content:[status=SCA,LAST] Aspsp-Notification-Support:[true]]" {
		t.Errorf("headers: %s", got)
	}
	h = http.Header{}
	var none *notify.Subscription
	none.SetHeaders(h)
	if len(h) != 0 {
		t.Errorf("headers without a subscription: %v", h)
	}
}
