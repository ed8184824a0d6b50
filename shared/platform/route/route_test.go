package route_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/bank/devportal/shared/platform/route"
)

func TestNeeds(t *testing.T) {
	for _, tc := range []struct {
		rt   route.Route
		want string
	}{
		{route.Route{Auth: route.Public}, "none"},
		{route.Route{Auth: route.Public, Needs: route.PortalTable | route.Mail}, "portal-table+mail"},
		// A signed-in route reads its session and may refresh it at Cognito, opening and
		// sealing its tokens with the session key.
		{route.Route{Auth: route.Session}, "portal-table+user-pool+session-key"},
		{route.Route{Auth: route.Operations, Needs: route.DecideApproval}, "portal-table+user-pool+decide-approval+session-key"},
		// Whoever holds the CA's key has its certificate; the certificate alone is a need of its own.
		{route.Route{Auth: route.LocalOnly, Needs: route.SandboxCA}, "sandbox-ca+sandbox-ca-certificate"},
		{route.Route{Auth: route.Public, Needs: route.SandboxCACert}, "sandbox-ca-certificate"},
		// The authorization server's routes keep their state in the TPP table and sign
		// with the managed key.
		{route.Route{Auth: route.TPP, Needs: route.PortalTable | route.TPPTable | route.OAuthKey}, "portal-table+tpp-table+oauth-key"},
	} {
		if got := tc.rt.AllNeeds().String(); got != tc.want {
			t.Errorf("%+v: needs %s, want %s", tc.rt, got, tc.want)
		}
	}
	if !route.Everything.Has(route.SandboxCA|route.Mail) || route.Mail.Has(route.Mail|route.PortalTable) {
		t.Error("Has is not the subset test")
	}
	if n, ok := route.NeedsFrom(route.WithNeeds(context.Background(), route.Mail)); !ok || n != route.Mail {
		t.Errorf("NeedsFrom = %v, %v", n, ok)
	}
	if _, ok := route.NeedsFrom(context.Background()); ok {
		t.Error("a context without needs has some")
	}
}

func TestMatch(t *testing.T) {
	list := []route.Route{
		{Name: "list", Method: "GET", Path: "/v1/accounts"},
		{Name: "one", Method: "GET", Path: "/v1/accounts/{accountId}"},
		{Name: "balances", Method: "GET", Path: "/v1/accounts/{accountId}/balances"},
		{Name: "create", Method: "POST", Path: "/v1/consents"},
	}
	cases := []struct {
		method, path, want string
	}{
		{"GET", "/v1/accounts", "list"},
		{"GET", "/v1/accounts/", "list"},
		{"GET", "/v1/accounts/acc-1", "one"},
		{"GET", "/v1/accounts/acc-1/balances", "balances"},
		{"GET", "/v1/accounts//balances", ""},
		{"GET", "/v1/accounts/acc-1/statements", ""},
		{"POST", "/v1/accounts", ""},
		{"POST", "/v1/consents", "create"},
		{"GET", "/v1/consents", ""},
	}
	for _, c := range cases {
		got, ok := route.Match(list, c.method, c.path)
		if got.Name != c.want || ok != (c.want != "") {
			t.Errorf("Match(%s %s) = %q, %v; want %q", c.method, c.path, got.Name, ok, c.want)
		}
	}
}

func TestKeys(t *testing.T) {
	k := route.Keys{"ORG#", "ORGS", "CA#SANDBOX"}
	for pk, want := range map[string]bool{
		"ORG#o-1": true, "ORG#o-1#REQUESTS": true, "ORG#": true, "ORGS": true, "CA#SANDBOX": true,
		"ORGSX": false, "ORGCODE#c": false, "CA#SANDBOXX": false, "USER#u": false, "": false,
	} {
		if got := k.Covers(pk); got != want {
			t.Errorf("Covers(%q) = %v, want %v", pk, got, want)
		}
	}
	if got, want := fmt.Sprint(k.LeadingKeys()), "[CA#SANDBOX ORG#* ORGS]"; got != want {
		t.Errorf("LeadingKeys = %s, want %s", got, want)
	}
	for _, tc := range []struct {
		rt   route.Route
		want string
	}{
		// A signed-in route reads and rewrites its session and reads its user's profile.
		{route.Route{Auth: route.Session, Keys: route.Keys{"ORG#"}}, "[ORG# SESSION# USER#]"},
		{route.Route{Auth: route.Operations, Keys: route.Keys{"REQUESTS#", "USER#"}}, "[REQUESTS# SESSION# USER#]"},
		{route.Route{Auth: route.Public, Keys: route.Keys{"LINK#", "EMAIL#"}}, "[EMAIL# LINK#]"},
		{route.Route{Auth: route.Public}, "[]"},
	} {
		if got := fmt.Sprint(tc.rt.PortalKeys()); got != tc.want {
			t.Errorf("%+v: PortalKeys %s, want %s", tc.rt, got, tc.want)
		}
	}
	if s, ok := route.ScopeFrom(route.WithScope(context.Background(), route.Scope{Route: "r", Keys: k})); !ok || s.Route != "r" || len(s.Keys) != 3 {
		t.Errorf("ScopeFrom = %v, %v", s, ok)
	}
}
