package sca

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/bank/devportal/shared/tpp/bgerror"
	"github.com/bank/devportal/shared/tpp/notify"
)

// Preferences are the TPP's SCA preferences, from the request's headers: nil where a
// header is absent.
type Preferences struct {
	Redirect  *bool
	Decoupled *bool
}

// PreferencesOf reads TPP-Redirect-Preferred and TPP-Decoupled-Preferred: "true",
// "false" or absent; any other value is a FORMAT_ERROR naming the header.
func PreferencesOf(h http.Header) (Preferences, error) {
	var p Preferences
	var msgs []bgerror.TPPMessage
	for _, c := range []struct {
		name string
		dst  **bool
	}{{"TPP-Redirect-Preferred", &p.Redirect}, {"TPP-Decoupled-Preferred", &p.Decoupled}} {
		v := h.Get(c.name)
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "":
		case "true":
			t := true
			*c.dst = &t
		case "false":
			f := false
			*c.dst = &f
		default:
			msgs = append(msgs, bgerror.Field(c.name, "Send true or false."))
		}
	}
	if len(msgs) > 0 {
		return p, bgerror.FormatError(msgs...)
	}
	return p, nil
}

// ApproachOf is the approach this bank takes for the preferences p, for a resource of
// kind:
//
//	TPP-Decoupled-Preferred  TPP-Redirect-Preferred   approach
//	true                     absent or false          DECOUPLED
//	any                      true                     REDIRECT (the bank's page)
//	absent or false          false                    EMBEDDED
//	absent or false          absent                   OAuth2 (REDIRECT, scaOAuth)
//
// A cancellation has no OAuth2 scope, so where a payment would take the OAuth2 approach
// it takes the bank's redirect page; a signing basket has one (SBS:<basketId>).
func ApproachOf(kind Kind, p Preferences) Approach {
	is := func(b *bool, v bool) bool { return b != nil && *b == v }
	var a Approach
	switch {
	case is(p.Redirect, true):
		a = Redirect
	case is(p.Decoupled, true):
		a = Decoupled
	case is(p.Redirect, false):
		a = Embedded
	default:
		a = OAuth
	}
	if a == OAuth && kind == PaymentCancellation {
		a = Redirect
	}
	return a
}

// RedirectRequired says whether the TPP must name where the customer goes back
// (TPP-Redirect-URI): when it asked for the redirect approach itself.
func (p Preferences) RedirectRequired() bool { return p.Redirect != nil && *p.Redirect }

// RedirectURIs reads TPP-Redirect-URI and TPP-Nok-Redirect-URI of a request by an app
// whose registered OAuth redirect URIs are registered: each one sent must be an absolute
// https URI (http on the loopback) on the host of one of them, as a status notification's
// URI must, so that the bank's page sends the customer back only to the app's own
// domains. Anything else is a FORMAT_ERROR naming the header.
func RedirectURIs(h http.Header, registered []string) (ok, nok string, err error) {
	domains := notify.Domains(registered)
	for _, c := range []struct {
		header string
		dst    *string
	}{{"TPP-Redirect-URI", &ok}, {"TPP-Nok-Redirect-URI", &nok}} {
		v := strings.TrimSpace(h.Get(c.header))
		if v == "" {
			continue
		}
		if err := checkRedirectURI(c.header, v); err != nil {
			return "", "", err
		}
		u, _ := url.Parse(v)
		if !slices.Contains(domains, strings.ToLower(u.Hostname())) {
			return "", "", bgerror.FormatError(bgerror.Field(c.header, fmt.Sprintf(
				"The host %s is not one of your app's registered domains: register a redirect URI on that host in the developer portal first.", u.Hostname())))
		}
		*c.dst = v
	}
	return ok, nok, nil
}

// checkRedirectURI refuses a redirect URI the bank's page could not send the customer to
// safely: it must be absolute, https, or http on the loopback (a developer's machine).
func checkRedirectURI(header, uri string) error {
	u, err := url.Parse(uri)
	switch {
	case uri == "":
		return nil
	case err != nil || !u.IsAbs() || u.Host == "" || u.User != nil:
		return bgerror.FormatError(bgerror.Field(header, "Send an absolute https URI."))
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && (u.Hostname() == "localhost" || u.Hostname() == "127.0.0.1" || u.Hostname() == "::1"):
		return nil
	}
	return bgerror.FormatError(bgerror.Field(header, "Send an https URI (http only on localhost)."))
}
