package aisapi_test

import (
	"context"
	"testing"

	"github.com/bank/devportal/shared/tpp/bgspec"
)

// TestConsentRedirectHosts: a consent's TPP-Redirect-URI and TPP-Nok-Redirect-URI must be
// on the host of one of the app's registered redirect URIs; another host is refused
// naming the header, and creates nothing.
func TestConsentRedirectHosts(t *testing.T) {
	h, svc, state := served(t)
	const valid = `{"access":{"balances":[{"iban":"BE68539007547034"}]},` +
		`"recurringIndicator":true,"validUntil":"2026-12-31","frequencyPerDay":4,"combinedServiceIndicator":false}`
	before := state()
	for _, c := range []struct{ ok, nok, want string }{
		{"https://other.example/cb", "", "FORMAT_ERROR TPP-Redirect-URI"},
		{"https://tpp.example.evil.example/cb", "", "FORMAT_ERROR TPP-Redirect-URI"},
		{"https://tpp.example/cb", "https://other.example/no", "FORMAT_ERROR TPP-Nok-Redirect-URI"},
		{"http://tpp.example/cb", "", "FORMAT_ERROR TPP-Redirect-URI"},
	} {
		r := call("POST", "/v1/consents", "rr", valid)
		r.Header.Set("TPP-Redirect-URI", c.ok)
		if c.nok != "" {
			r.Header.Set("TPP-Nok-Redirect-URI", c.nok)
		}
		w := bgspec.Check(t, bgspec.NextGenPSD2, h, r)
		if status, body := answer(w); status != 400 || firstCode(body) != c.want || state() != before {
			t.Errorf("%s %s: %d %v, want 400 %s", c.ok, c.nok, status, body, c.want)
		}
	}
	r := call("POST", "/v1/consents", "rr", valid)
	r.Header.Set("TPP-Redirect-URI", "https://TPP.example:8443/back")
	r.Header.Set("TPP-Nok-Redirect-URI", "https://tpp.example/no")
	w := bgspec.Check(t, bgspec.NextGenPSD2, h, r)
	status, body := answer(w)
	if status != 201 {
		t.Fatalf("a registered host: %d %v", status, body)
	}
	c, err := svc.Find(context.Background(), body["consentId"].(string))
	if err != nil || c.RedirectURI != "https://TPP.example:8443/back" || c.NokRedirectURI != "https://tpp.example/no" {
		t.Fatalf("stored: %q %q %v", c.RedirectURI, c.NokRedirectURI, err)
	}
}
