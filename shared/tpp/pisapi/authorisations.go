package pisapi

import (
	"net/http"

	"github.com/bank/devportal/shared/tpp/payments"
	"github.com/bank/devportal/shared/tpp/sca"
	"github.com/bank/devportal/shared/tpp/scaapi"
)

// authorisationHandlers adds the authorisation sub-resources of the payment service whose
// routes begin with prefix: of its payments (pis-<service>-authorisation-start,
// -authorisations, -sca-status, -authorisation-update) and of their cancellations
// (-cancellation-start, -cancellation-authorisations, -cancellation-sca-status,
// -cancellation-update).
func (a *API) authorisationHandlers(out map[string]http.Handler, prefix string) {
	s := a.Authorisations
	if s == nil {
		return
	}
	for _, sub := range []struct {
		kind                               sca.Kind
		segment                            string
		start, list, status, updatePSUData string
	}{
		{sca.Payment, scaapi.Authorisations, "authorisation-start", "authorisations", "sca-status", "authorisation-update"},
		{sca.PaymentCancellation, scaapi.CancellationAuthorisations, "cancellation-start", "cancellation-authorisations", "cancellation-sca-status", "cancellation-update"},
	} {
		out[prefix+sub.start] = a.endpoint(adapt(s.Start(sub.kind, sub.segment, a.resolve)))
		out[prefix+sub.list] = a.endpoint(adapt(s.List(sub.kind, a.resolve)))
		out[prefix+sub.status] = a.endpoint(adapt(s.Status(sub.kind, a.resolve)))
		out[prefix+sub.updatePSUData] = a.endpoint(adapt(s.Update(sub.kind, sub.segment, a.resolve)))
	}
}

// adapt runs an authorisation endpoint for a payment's owner.
func adapt(h scaapi.Handler) func(http.ResponseWriter, *http.Request, payments.Owner) error {
	return func(w http.ResponseWriter, r *http.Request, o payments.Owner) error { return h(w, r, o) }
}

// resolve is the caller's payment the path names, under its service and product.
func (a *API) resolve(r *http.Request, o sca.Owner) (string, string, error) {
	p, err := a.Payments.Get(r.Context(), o, service(r), payments.Product(r.PathValue("paymentProduct")), r.PathValue("paymentId"))
	if err != nil {
		return "", "", err
	}
	return p.ID, path(p), nil
}

// initiationLinks are the links of an initiation's answer at p, for approach: the
// authorization server's metadata (OAuth2), or the authorisation to start explicitly in
// the bank's redirect page, the decoupled or the embedded approach.
func (a *API) initiationLinks(approach sca.Approach, p string) map[string]href {
	links := map[string]href{"self": {p}, "status": {p + "/status"}}
	if approach == sca.OAuth {
		links["scaOAuth"] = href{a.MetadataURL}
	} else {
		links[scaapi.StartLink(approach)] = href{p + "/" + scaapi.Authorisations}
	}
	return links
}

// multiLevelLinks are the links of an initiation's answer at p for a payment that needs
// several signatories: the Berlin Group asks an explicit start of each signatory's
// authorisation there, so the answer links neither scaOAuth nor scaRedirect, and only
// startAuthorisation, whatever the approach (each start is the same).
func multiLevelLinks(p string) map[string]href {
	return map[string]href{"self": {p}, "status": {p + "/status"}, "startAuthorisation": {p + "/" + scaapi.Authorisations}}
}

// cancellationAccepted is the 202 answer to the cancellation of an authorised payment p
// (paymentInitiationCancelResponse-202): the cancellation waits for its authorisation,
// to start in approach.
func (a *API) cancellationAccepted(p payments.Payment, approach sca.Approach) cancelAccepted {
	self := path(p)
	return cancelAccepted{TransactionStatus: p.Status, Links: map[string]href{"self": {self}, "status": {self + "/status"},
		scaapi.StartLink(approach): {self + "/" + scaapi.CancellationAuthorisations}}}
}

// cancelAccepted is the schema paymentInitiationCancelResponse-202.
type cancelAccepted struct {
	TransactionStatus payments.Status `json:"transactionStatus"`
	Links             map[string]href `json:"_links"`
}
