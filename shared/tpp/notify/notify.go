// Package notify is the TPP API's status notifications (Berlin Group NextGenPSD2 1.3.12,
// the TPP-Notification-URI and TPP-Notification-Content-Preferred request headers): which
// URIs a TPP may subscribe, which changes it is told of, and their delivery.
//
// A payment initiation or consent creation may carry TPP-Notification-URI: an https URI
// whose host is one of the app's registered domains, the hosts of the redirect URIs the
// app registered in the developer portal (the caller check reads them with the app).
// Anything else is refused with FORMAT_ERROR naming the header, and nothing is created.
// The subscription is stored with the resource. For every status change of it the
// resource's service asks Notifier.Deliveries for the notifications, and its store
// writes them to the delivery log (notifylog) in the transaction of the change itself:
// a change that is stored is notified once, one that fails its condition not at all. The
// delivery job (Deliverer.Run: deployed a scheduled function, locally a loop of the dev
// server) posts them with retries.
//
// The notification's body (application/json):
//
//	{"notificationId": "<ID of the status change>",
//	 "resource": {"type": "payment", "id": "<paymentId>", "href": "/v1/payments/sepa-credit-transfers/<paymentId>"},
//	 "transactionStatus": "ACSC",
//	 "changedAt": "2026-12-06T09:00:00Z"}
//
// with consentStatus for a consent (type consent, or funds-confirmation-consent) and
// scaStatus for a change of the authorisation's status, in place of transactionStatus.
package notify

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/bank/devportal/shared/tpp/bgerror"
)

// The headers of the notification service.
const (
	URIHeader              = "TPP-Notification-URI"
	ContentPreferredHeader = "TPP-Notification-Content-Preferred"
	SupportHeader          = "ASPSP-Notification-Support"
	ContentHeader          = "ASPSP-Notification-Content"
)

// Content is what a TPP wants to be told of (the constants of
// TPP-Notification-Content-Preferred).
type Content string

// The notification contents of the specification.
const (
	// SCA: every change of an authorisation's scaStatus.
	SCA Content = "SCA"
	// PROCESS: every change of the transactionStatus or consentStatus.
	PROCESS Content = "PROCESS"
	// LAST: the last transactionStatus or consentStatus only (a final one).
	LAST Content = "LAST"
)

// Subscription is where and of what a resource's TPP wants to be told.
type Subscription struct {
	URI     string    `dynamodbav:"uri"`
	Content []Content `dynamodbav:"content"`
}

// Wants says whether the subscription asks for c.
func (s *Subscription) Wants(c Content) bool { return s != nil && slices.Contains(s.Content, c) }

// ContentValue is the header form of the contents: status=X1,...,Xn.
func (s *Subscription) ContentValue() string {
	parts := make([]string, len(s.Content))
	for i, c := range s.Content {
		parts[i] = string(c)
	}
	return "status=" + strings.Join(parts, ",")
}

// SetHeaders answers a request that subscribed: this bank delivers what it asked.
// Without a subscription it sets nothing.
func (s *Subscription) SetHeaders(h http.Header) {
	if s == nil {
		return
	}
	h.Set(SupportHeader, "true")
	h.Set(ContentHeader, s.ContentValue())
}

// Subscribe reads the subscription of a request's headers for an app with the registered
// redirect URIs redirects: nil when the request sends no TPP-Notification-URI. A URI that
// is not https, or whose host is not the host of one of the redirect URIs, and a malformed
// TPP-Notification-Content-Preferred are a FORMAT_ERROR naming the header. Without a
// preference the TPP is told of every status change (PROCESS).
func Subscribe(h http.Header, redirects []string) (*Subscription, error) {
	raw := strings.TrimSpace(h.Get(URIHeader))
	if raw == "" {
		return nil, nil
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Hostname() == "" {
		return nil, bgerror.FormatError(bgerror.Field(URIHeader, "Send an absolute https URI."))
	}
	if u.Scheme != "https" {
		return nil, bgerror.FormatError(bgerror.Field(URIHeader, "The URI must use https."))
	}
	if u.User != nil || u.Fragment != "" {
		return nil, bgerror.FormatError(bgerror.Field(URIHeader, "The URI must have neither user information nor a fragment."))
	}
	if !slices.Contains(Domains(redirects), strings.ToLower(u.Hostname())) {
		return nil, bgerror.FormatError(bgerror.Field(URIHeader, fmt.Sprintf(
			"The host %s is not one of your app's registered domains: register a redirect URI on that host in the developer portal first.", u.Hostname())))
	}
	content, err := parseContent(h.Get(ContentPreferredHeader))
	if err != nil {
		return nil, err
	}
	return &Subscription{URI: u.String(), Content: content}, nil
}

// Domains are an app's registered domains: the hosts of its redirect URIs, lower case.
func Domains(redirects []string) []string {
	var out []string
	for _, r := range redirects {
		u, err := url.Parse(r)
		if err != nil || u.Hostname() == "" {
			continue
		}
		if h := strings.ToLower(u.Hostname()); !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	return out
}

// parseContent reads "status=X1, ..., Xn", each X one of SCA, PROCESS, LAST, none twice.
func parseContent(v string) ([]Content, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return []Content{PROCESS}, nil
	}
	bad := func(why string) error {
		return bgerror.FormatError(bgerror.Field(ContentPreferredHeader, "Send status=X1,...,Xn with each X one of SCA, PROCESS, LAST: "+why))
	}
	rest, ok := strings.CutPrefix(v, "status=")
	if !ok {
		return nil, bad("the value must begin with status=.")
	}
	var out []Content
	for _, part := range strings.Split(rest, ",") {
		c := Content(strings.TrimSpace(part))
		switch {
		case c != SCA && c != PROCESS && c != LAST:
			return nil, bad(fmt.Sprintf("%q is none of them.", string(c)))
		case slices.Contains(out, c):
			return nil, bad(fmt.Sprintf("%s is repeated.", c))
		}
		out = append(out, c)
	}
	if slices.Contains(out, PROCESS) && slices.Contains(out, LAST) {
		return nil, bad("PROCESS already includes the last status; send one of PROCESS and LAST.")
	}
	return out, nil
}
