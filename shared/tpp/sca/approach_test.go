package sca

import (
	"net/http"
	"testing"
)

// TestApproachOf: the approach each combination of the TPP's preferences gets, for a
// payment (and a consent, and a signing basket: scope SBS:<basketId>) and for a
// cancellation, which has no OAuth2 scope.
func TestApproachOf(t *testing.T) {
	for _, c := range []struct {
		redirect, decoupled string
		want, cancellation  Approach
		header              string
	}{
		{"", "", OAuth, Redirect, "REDIRECT"},
		{"true", "", Redirect, Redirect, "REDIRECT"},
		{"TRUE", "true", Redirect, Redirect, "REDIRECT"},
		{"false", "", Embedded, Embedded, "EMBEDDED"},
		{"false", "false", Embedded, Embedded, "EMBEDDED"},
		{"", "true", Decoupled, Decoupled, "DECOUPLED"},
		{"false", "true", Decoupled, Decoupled, "DECOUPLED"},
		{"", "false", OAuth, Redirect, "REDIRECT"},
	} {
		h := http.Header{}
		if c.redirect != "" {
			h.Set("TPP-Redirect-Preferred", c.redirect)
		}
		if c.decoupled != "" {
			h.Set("TPP-Decoupled-Preferred", c.decoupled)
		}
		p, err := PreferencesOf(h)
		if err != nil {
			t.Fatalf("%v: %v", h, err)
		}
		for _, k := range []Kind{Payment, AISConsent, PIISConsent, SigningBasket} {
			if got := ApproachOf(k, p); got != c.want || got.Header() != c.header {
				t.Errorf("%s, redirect %q decoupled %q: %s (%s), want %s (%s)", k, c.redirect, c.decoupled, got, got.Header(), c.want, c.header)
			}
		}
		if got := ApproachOf(PaymentCancellation, p); got != c.cancellation {
			t.Errorf("cancellation, redirect %q decoupled %q: %s, want %s", c.redirect, c.decoupled, got, c.cancellation)
		}
	}
	h := http.Header{}
	h.Set("TPP-Redirect-Preferred", "yes")
	h.Set("TPP-Decoupled-Preferred", "1")
	if _, err := PreferencesOf(h); err == nil || err.Error() != "FORMAT_ERROR TPP-Redirect-Preferred: Send true or false." {
		t.Errorf("not a boolean: %v", err)
	}
}

func TestRedirectURIs(t *testing.T) {
	for uri, ok := range map[string]bool{
		"":                              true,
		"https://tpp.example/cb?s=1":    true,
		"http://localhost:8000/cb":      true,
		"http://127.0.0.1/cb":           true,
		"http://tpp.example/cb":         false,
		"/cb":                           false,
		"javascript:alert(1)":           false,
		"https://user@tpp.example/cb":   false,
		"ftp://tpp.example/cb":          false,
		"https:///no-host":              false,
		"com.example.app:/oauth/return": false,
	} {
		if err := checkRedirectURI("TPP-Redirect-URI", uri); (err == nil) != ok {
			t.Errorf("%q: %v", uri, err)
		}
	}
}

func TestRef(t *testing.T) {
	r := Ref{Kind: PaymentCancellation, ResourceID: "p-1_x", ID: "a-2"}
	if got, ok := ParseRef(r.String()); !ok || got != r {
		t.Errorf("%s: %+v %v", r, got, ok)
	}
	for _, bad := range []string{"", "PIS.p", "PIS..a", "PIS.p.a.b", ".p.a"} {
		if _, ok := ParseRef(bad); ok {
			t.Errorf("%q parsed", bad)
		}
	}
}

// TestRedirectURIHosts: the redirect URIs a request sends are taken on the hosts of the
// app's registered redirect URIs only (any port, any case, no subdomain), each refusal
// naming its header.
func TestRedirectURIHosts(t *testing.T) {
	registered := []string{"https://tpp.example/cb", "http://localhost/cb"}
	for _, c := range []struct {
		ok, nok string
		wantOK  string
		wantNok string
		refusal string
	}{
		{"", "", "", "", ""},
		{"https://tpp.example/ok", "https://tpp.example/nok", "https://tpp.example/ok", "https://tpp.example/nok", ""},
		{"https://TPP.EXAMPLE:8443/ok", "", "https://TPP.EXAMPLE:8443/ok", "", ""},
		{"http://localhost:8000/ok", "", "http://localhost:8000/ok", "", ""},
		{"https://other.example/ok", "", "", "", "FORMAT_ERROR TPP-Redirect-URI: The host other.example is not one of your app's registered domains: register a redirect URI on that host in the developer portal first."},
		{"https://sub.tpp.example/ok", "", "", "", "FORMAT_ERROR TPP-Redirect-URI: The host sub.tpp.example is not one of your app's registered domains: register a redirect URI on that host in the developer portal first."},
		{"http://127.0.0.1/ok", "", "", "", "FORMAT_ERROR TPP-Redirect-URI: The host 127.0.0.1 is not one of your app's registered domains: register a redirect URI on that host in the developer portal first."},
		{"https://tpp.example/ok", "https://other.example/nok", "", "", "FORMAT_ERROR TPP-Nok-Redirect-URI: The host other.example is not one of your app's registered domains: register a redirect URI on that host in the developer portal first."},
		{"", "http://tpp.example/nok", "", "", "FORMAT_ERROR TPP-Nok-Redirect-URI: Send an https URI (http only on localhost)."},
	} {
		h := http.Header{}
		if c.ok != "" {
			h.Set("TPP-Redirect-URI", c.ok)
		}
		if c.nok != "" {
			h.Set("TPP-Nok-Redirect-URI", c.nok)
		}
		ok, nok, err := RedirectURIs(h, registered)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if ok != c.wantOK || nok != c.wantNok || got != c.refusal {
			t.Errorf("%q %q: %q %q %q, want %q %q %q", c.ok, c.nok, ok, nok, got, c.wantOK, c.wantNok, c.refusal)
		}
	}
	if _, _, err := RedirectURIs(http.Header{"Tpp-Redirect-Uri": {"https://tpp.example/ok"}}, nil); err == nil {
		t.Error("an app without a registered redirect URI: taken")
	}
}
