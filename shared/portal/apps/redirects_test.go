package apps

import (
	"testing"

	"github.com/bank/devportal/shared/portal/org"
)

func TestCheckRedirectURI(t *testing.T) {
	cases := []struct {
		uri  string
		env  org.Environment
		rule string
	}{
		{"https://app.example/callback", org.Production, ""},
		{"https://app.example/callback?x=1", org.Sandbox, ""},
		{"http://localhost:3000/callback", org.Sandbox, ""},
		{"http://127.0.0.1/callback", org.Sandbox, ""},
		{"http://localhost:3000/callback", org.Production, "https"},
		{"http://app.example/callback", org.Sandbox, "https"},
		{"https://app.example/callback#top", org.Sandbox, "fragment"},
		{"https://*.app.example/callback", org.Sandbox, "wildcard"},
		{"/callback", org.Sandbox, "absolute"},
		{"app.example/callback", org.Sandbox, "absolute"},
		{"", org.Sandbox, "required"},
		{"ftp://app.example/x", org.Sandbox, "https"},
		{"https://app.example/cb x", org.Production, "whitespace"},
		{"https://app.example/cb\n", org.Sandbox, "whitespace"},
		{"https://app.example/cb\x00", org.Sandbox, "whitespace"},
		{"https://user:secret@app.example/cb", org.Production, "userinfo"},
	}
	for _, c := range cases {
		t.Run(string(c.env)+" "+c.uri, func(t *testing.T) {
			fe := CheckRedirectURI(c.uri, c.env)
			got := ""
			if fe != nil {
				got = fe.Rule
				if fe.Field != "uri" || fe.Message == "" {
					t.Fatalf("field error %+v", fe)
				}
			}
			if got != c.rule {
				t.Fatalf("rule %q, want %q", got, c.rule)
			}
		})
	}
}
