package apps

import (
	"strings"
	"testing"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/portal/org"
)

func TestCheckRedirectURI(t *testing.T) {
	const (
		sb   = org.Sandbox
		prod = org.Production

		msgHTTPS      = "Use https (http://localhost is allowed in the sandbox)."
		msgAbsolute   = "Enter an absolute URI such as https://app.example/callback."
		msgWhitespace = "Remove the spaces and control characters: a redirect URI has none."
		msgName       = "Enter a valid host name: labels of letters, digits and hyphens (not first or last), at most 63 characters each; international names as their xn-- form."
		msgPercent    = "Write the host without percent-encoding (%…): browsers decode it, so the host shown is not the host used."
		msgBadIPv4    = "This host ends in a number, so browsers read it as an IPv4 address, but it is not a valid one: write the address as four numbers from 0 to 255, or use a host name."
		msgLoopback   = "Browsers read this host as the IP address 127.0.0.1: write the address that way."
		msgEvil       = "Browsers read this host as good.example.evil, which is not what it shows: write the host in plain ASCII."
	)
	field := func(rule, message string) *apperr.FieldError {
		f := apperr.Field("uri", rule, message)
		return &f
	}
	public := func(what string) *apperr.FieldError {
		return field("public_host", "Production apps need a public host: "+what+".")
	}
	cases := []struct {
		uri  string
		env  org.Environment
		want *apperr.FieldError
	}{
		// Accepted: https with or without a port, canonical A-labels (also all-Cyrillic and
		// Japanese ones, one script per label), public addresses; in the sandbox also http
		// on localhost and hosts of the developer's machine or network.
		{"https://app.example/callback", prod, nil},
		{"https://app.example/callback?x=1", sb, nil},
		{"https://app.example:8443/callback", prod, nil},
		{"https://app.example:1/cb", prod, nil},
		{"https://app.example:65535/cb", prod, nil},
		{"https://xn--bcher-kva.example/cb", prod, nil},
		{"https://xn--80ak6aa92e.com/cb", prod, nil},
		{"https://xn--wgv71a119e.jp/cb", prod, nil},
		{"https://api.budget-buddy.example.com/oauth/cb", prod, nil},
		{"https://8.8.8.8/cb", prod, nil},
		{"https://[2a00:1450:4001:80b::200e]:8443/cb", prod, nil},
		{"http://localhost:3000/callback", sb, nil},
		{"http://127.0.0.1/callback", sb, nil},
		{"https://localhost:8443/cb", sb, nil},
		{"https://192.168.1.20:8443/cb", sb, nil},
		{"https://[::1]/cb", sb, nil},
		{"https://devbox.local/cb", sb, nil},

		// The rules before the host.
		{"", sb, field("required", "This field is required.")},
		{"https://app.example/" + strings.Repeat("a", 2029), sb, field("max", "Use at most 2048 characters; this has 2049.")},
		{"https://app.example/cb x", prod, field("whitespace", msgWhitespace)},
		{"https://app.example/cb\n", sb, field("whitespace", msgWhitespace)},
		{"https://app.example/cb\x00", sb, field("whitespace", msgWhitespace)},
		{"https://good.example\u3000evil/cb", sb, field("whitespace", msgWhitespace)},
		{"https://*.app.example/callback", sb, field("wildcard", "Wildcards are not allowed: register each redirect URI exactly.")},
		{"/callback", sb, field("absolute", msgAbsolute)},
		{"app.example/callback", sb, field("absolute", msgAbsolute)},
		{"https://:443/cb", sb, field("absolute", msgAbsolute)},
		{`https://good.example\evil.example/cb`, prod, field("absolute", msgAbsolute)},
		{"https://user:secret@app.example/cb", prod, field("userinfo", "Remove the user name and password (user:password@): redirect URIs cannot carry them.")},
		{"https://app.example/callback#top", sb, field("fragment", "Remove the fragment (#…): redirect URIs cannot have one.")},
		{"http://localhost:3000/callback", prod, field("https", "Production apps need https redirect URIs; http://localhost works only in the sandbox.")},
		{"http://app.example/callback", sb, field("https", msgHTTPS)},
		{"ftp://app.example/x", sb, field("https", msgHTTPS)},
		{"http://192.168.1.20/cb", sb, field("https", msgHTTPS)},

		// port: 1-65535, digits only, no leading zero; in the sandbox too.
		{"https://app.example:99999/cb", prod, field("port", msgPort)},
		{"https://app.example:65536/cb", prod, field("port", msgPort)},
		{"https://app.example:0/cb", sb, field("port", msgPort)},
		{"https://app.example:0443/cb", prod, field("port", msgPort)},
		{"https://app.example:/cb", prod, field("port", msgPort)},
		{"https://app.example:abc/cb", prod, field("port", msgPort)},
		{"https://app.example:+443/cb", prod, field("port", msgPort)},
		{"https://[2a00:1450::1]:70000/cb", prod, field("port", msgPort)},
		{"http://localhost:99999/cb", sb, field("port", msgPort)},

		// confusable: dots that browsers map, fullwidth forms, invisible characters,
		// percent-encoding, dot look-alikes, mixed scripts, numeric IPv4 forms.
		{"https://good.example\u3002evil/cb", prod, field("confusable", msgEvil)},
		{"https://good.example\u3002evil/cb", sb, field("confusable", msgEvil)},
		{"https://good.example\uFF0Eevil/cb", prod, field("confusable", msgEvil)},
		{"https://good.example\uFF61evil/cb", prod, field("confusable", msgEvil)},
		{"https://\uFF47\uFF4F\uFF4F\uFF44.example/cb", prod, field("confusable", "Browsers read this host as good.example, which is not what it shows: write the host in plain ASCII.")},
		{"https://\uFF11\uFF12\uFF17.0.0.1/cb", sb, field("confusable", "Browsers read this host as 127.0.0.1, which is not what it shows: write the host in plain ASCII.")},
		{"https://goo\u00ADd.example/cb", prod, field("confusable", "Browsers read this host as good.example, which is not what it shows: write the host in plain ASCII.")},
		{"https://good.example%E3%80%82evil/cb", prod, field("confusable", msgPercent)},
		{"https://[fe80::1%25eth0]/cb", sb, field("confusable", msgPercent)},
		{"https://good.example\u2024evil/cb", prod, field("confusable", "This host contains '․' (U+2024), which looks like a dot but is not one: write the host in plain ASCII with plain dots.")},
		{"https://good\u00B7example.com/cb", sb, field("confusable", "This host contains '·' (U+00B7), which looks like a dot but is not one: write the host in plain ASCII with plain dots.")},
		{"https://xn--goodexample-8sa.com/cb", prod, field("confusable", "The label xn--goodexample-8sa stands for good·example, whose '·' (U+00B7) looks like a dot: use a host without it.")},
		{"https://p\u0430ypal.com/cb", prod, field("confusable", "This host mixes Cyrillic and Latin letters in one label: it can imitate another host.")},
		{"https://xn--pypal-4ve.com/cb", sb, field("confusable", "This host stands for p\u0430ypal.com, which mixes Cyrillic and Latin letters in one label: it can imitate another host.")},
		{"https://2130706433/cb", prod, field("confusable", msgLoopback)},
		{"https://0x7f.1/cb", prod, field("confusable", msgLoopback)},
		{"https://127.1/cb", sb, field("confusable", msgLoopback)},
		{"https://0177.0.0.1/cb", prod, field("confusable", msgLoopback)},
		{"https://0x08080808/cb", prod, field("confusable", "Browsers read this host as the IP address 8.8.8.8: write the address that way.")},

		// ip: ends in a number but is no address.
		{"https://999.1.1.1/cb", prod, field("ip", msgBadIPv4)},
		{"https://1.2.3.4.5/cb", sb, field("ip", msgBadIPv4)},
		{"https://09.1.1.1/cb", prod, field("ip", msgBadIPv4)},
		{"https://app.example.1/cb", prod, field("ip", msgBadIPv4)},

		// idna: U-labels, upper case, invalid names, a final dot.
		{"https://b\u00FCcher.example/cb", prod, field("idna", "Write the host in its ASCII (xn--) form: xn--bcher-kva.example.")},
		{"https://B\u00FCcher.example/cb", sb, field("idna", "Write the host in its ASCII (xn--) form: xn--bcher-kva.example.")},
		{"https://\u65E5\u672C\u8A9E.jp/cb", prod, field("idna", "Write the host in its ASCII (xn--) form: xn--wgv71a119e.jp.")},
		{"https://App.Example/cb", prod, field("idna", "Write the host in lower case: app.example.")},
		{"https://XN--BCHER-KVA.example/cb", prod, field("idna", "Write the host in lower case: xn--bcher-kva.example.")},
		{"https://xn--zz.example/cb", prod, field("idna", msgName)},
		{"https://-app.example/cb", prod, field("idna", msgName)},
		{"https://ab--cd.example/cb", prod, field("idna", msgName)},
		{"https://a..example/cb", prod, field("idna", msgName)},
		{"https://a_b.example/cb", sb, field("idna", msgName)},
		{"https://" + strings.Repeat("a", 64) + ".example/cb", prod, field("idna", msgName)},
		{"https://ex\u200Dample.com/cb", prod, field("idna", msgName)},
		{"https://app.example./cb", prod, field("idna", "Remove the dot at the end of the host: browsers treat app.example. and app.example as different sites.")},

		// public_host: production only.
		{"https://localhost/cb", prod, public("localhost is a loopback name")},
		{"https://app.localhost/cb", prod, public("app.localhost is a loopback name")},
		{"https://printer.local/cb", prod, public("printer.local is a name under .local, which only a local network resolves")},
		{"https://api.internal/cb", prod, public("api.internal is a name under .internal, which only a local network resolves")},
		{"https://router.home.arpa/cb", prod, public("router.home.arpa is a name under .home.arpa, which only a local network resolves")},
		{"https://box.localdomain/cb", prod, public("box.localdomain is a name under .localdomain, which only a local network resolves")},
		{"https://intranet/cb", prod, public("intranet is a single-label name, which only a local network resolves")},
		{"https://127.0.0.1/cb", prod, public("127.0.0.1 is a loopback address")},
		{"https://127.8.9.10:8443/cb", prod, public("127.8.9.10 is a loopback address")},
		{"https://10.1.2.3/cb", prod, public("10.1.2.3 is a private address")},
		{"https://172.16.0.1/cb", prod, public("172.16.0.1 is a private address")},
		{"https://192.168.1.20/cb", prod, public("192.168.1.20 is a private address")},
		{"https://169.254.169.254/cb", prod, public("169.254.169.254 is a link-local address")},
		{"https://0.0.0.0/cb", prod, public("0.0.0.0 is an unspecified address")},
		{"https://0.1.2.3/cb", prod, public("0.1.2.3 is a reserved address")},
		{"https://100.64.0.1/cb", prod, public("100.64.0.1 is a shared (carrier-grade NAT) address")},
		{"https://192.0.2.1/cb", prod, public("192.0.2.1 is a documentation address")},
		{"https://224.0.0.1/cb", prod, public("224.0.0.1 is a multicast address")},
		{"https://255.255.255.255/cb", prod, public("255.255.255.255 is a reserved address")},
		{"https://[::1]/cb", prod, public("::1 is a loopback address")},
		{"https://[::]/cb", prod, public(":: is an unspecified address")},
		{"https://[::ffff:127.0.0.1]/cb", prod, public("::ffff:127.0.0.1 is a loopback address")},
		{"https://[::ffff:a00:1]/cb", prod, public("::ffff:a00:1 is a private address")},
		{"https://[fe80::1]/cb", prod, public("fe80::1 is a link-local address")},
		{"https://[fd12:3456::1]/cb", prod, public("fd12:3456::1 is a unique-local address")},
		{"https://[ff02::1]/cb", prod, public("ff02::1 is a multicast address")},
		{"https://[64:ff9b::7f00:1]/cb", prod, public("64:ff9b::7f00:1 is a reserved address")},
		{"https://[2002:7f00:1::1]/cb", prod, public("2002:7f00:1::1 is a reserved address")},
		{"https://[2001:db8::1]/cb", prod, public("2001:db8::1 is a documentation address")},
	}
	for _, c := range cases {
		t.Run(string(c.env)+" "+c.uri, func(t *testing.T) {
			got := CheckRedirectURI(c.uri, c.env)
			switch {
			case got == nil && c.want == nil:
			case got == nil || c.want == nil || *got != *c.want:
				t.Fatalf("got %+v\nwant %+v", got, c.want)
			}
		})
	}
}
