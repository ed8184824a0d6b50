// Package pisapi is the TPP API's payment initiation service (Berlin Group NextGenPSD2
// 1.3.12): initiation of payments, bulk payments and periodic payments, their reading,
// their status and their cancellation, and the authorisation sub-resources of payments and
// cancellations, and the signing baskets that authorise several payments and consents
// with one SCA. The customer authorises a payment through the OAuth2 flow with scope
// PIS:<paymentId>, and a basket with scope SBS:<basketId> (the scaOAuth link), unless the
// TPP prefers another SCA approach (package sca). The handlers run behind the caller check: the app they answer for is
// callercheck.From the request's context.
package pisapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/bank/devportal/shared/tpp/baskets"
	"github.com/bank/devportal/shared/tpp/bgerror"
	"github.com/bank/devportal/shared/tpp/callercheck"
	"github.com/bank/devportal/shared/tpp/notify"
	"github.com/bank/devportal/shared/tpp/payments"
	"github.com/bank/devportal/shared/tpp/sca"
	"github.com/bank/devportal/shared/tpp/scaapi"
	"github.com/bank/devportal/shared/tpp/tppapi"
)

// API serves the payment endpoints.
type API struct {
	Payments *payments.Service
	// MetadataURL is the authorization server's metadata, the scaOAuth link: the
	// customer authorises a payment through the OAuth2 flow with scope PIS:<paymentId>.
	MetadataURL string
	// Authorisations are the payments' authorisation sub-resources, in every SCA approach
	// (authorisations.go), and the signing baskets'.
	Authorisations *scaapi.API
	// Baskets are the signing baskets of payments and consents (baskets.go); nil serves
	// none.
	Baskets *baskets.Service
}

// Handlers are the endpoints by route name (shared/tpp/routes): pis-<service>-initiate,
// -get, -status and -cancel for each payment service, and the sbs-basket- endpoints of the
// signing baskets. The handlers serve every service:
// the service is the path's segment after /v1/.
func (a *API) Handlers() map[string]http.Handler {
	out := map[string]http.Handler{}
	for _, s := range []payments.PaymentService{payments.Single, payments.Bulk, payments.Periodic} {
		prefix := "pis-" + string(s) + "-"
		out[prefix+"initiate"] = a.endpoint(a.initiate)
		out[prefix+"get"] = a.endpoint(a.get)
		out[prefix+"status"] = a.endpoint(a.status)
		out[prefix+"cancel"] = a.endpoint(a.cancel)
		a.authorisationHandlers(out, prefix)
	}
	a.basketHandlers(out)
	return out
}

// endpoint runs h for the caller, after the checks every Berlin Group call gets, and
// writes its refusals.
func (a *API) endpoint(h func(w http.ResponseWriter, r *http.Request, o payments.Owner) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := callercheck.From(r.Context())
		if !ok {
			bgerror.WriteError(w, errors.New("pisapi: no caller in the context"))
			return
		}
		if err := tppapi.CheckRequestID(r); err != nil {
			bgerror.WriteError(w, err)
			return
		}
		if err := h(w, r, c.Owner()); err != nil {
			bgerror.WriteError(w, err)
		}
	})
}

// maxBody is the largest request body the initiation reads: a bulk of payments.MaxBulk
// payments fits many times over.
const maxBody = 64 << 10

// service is the payment service the request addresses: the path's segment after /v1/.
func service(r *http.Request) payments.PaymentService {
	rest, _ := strings.CutPrefix(r.URL.Path, "/v1/")
	s, _, _ := strings.Cut(rest, "/")
	return payments.PaymentService(s)
}

// path is a payment's resource path.
func path(p payments.Payment) string {
	return "/v1/" + string(p.Service) + "/" + string(p.Product) + "/" + p.ID
}

// href is the Berlin Group hrefType.
type href struct {
	Href string `json:"href"`
}

// initiated is the schema paymentInitiationRequestResponse-201.
type initiated struct {
	TransactionStatus payments.Status `json:"transactionStatus"`
	PaymentID         string          `json:"paymentId"`
	Links             map[string]href `json:"_links"`
}

// initiate is POST /v1/{payment-service}/{payment-product}: the payment is received and
// waits for the customer. The same X-Request-ID with the same request is answered as the
// first time, with the same payment.
func (a *API) initiate(w http.ResponseWriter, r *http.Request, o payments.Owner) error {
	svc, product := service(r), payments.Product(r.PathValue("paymentProduct"))
	if err := payments.CheckProduct(svc, product); err != nil {
		return err
	}
	if ct, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || ct != "application/json" {
		return payments.ErrMediaType
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		return bgerror.FormatError(bgerror.Field("body", "The body is larger than 64 KiB."))
	}
	prefs, err := sca.PreferencesOf(r.Header)
	if err != nil {
		return err
	}
	c, _ := callercheck.From(r.Context())
	sub, err := notify.Subscribe(r.Header, c.RedirectURIs)
	if err != nil {
		return err
	}
	ok, nok, err := sca.RedirectURIs(r.Header, c.RedirectURIs)
	if err != nil {
		return err
	}
	in, err := a.Payments.InitiateNotified(r.Context(), o, r.Header.Get(tppapi.RequestIDHeader), svc, product, body, ok, nok, sub)
	if err != nil {
		return err
	}
	// A repeated request is answered with what the first one subscribed.
	in.Payment.Notification.SetHeaders(w.Header())
	p := path(in.Payment)
	approach := sca.ApproachOf(sca.Payment, prefs)
	w.Header().Set("Location", p)
	w.Header().Set("ASPSP-SCA-Approach", approach.Header())
	links := a.initiationLinks(approach, p)
	if in.Payment.MultiLevel() {
		links = multiLevelLinks(p)
	}
	writeJSON(w, http.StatusCreated, initiated{TransactionStatus: in.Status, PaymentID: in.Payment.ID, Links: links})
	return nil
}

// The payment as GET shows it: the body it was initiated with and its status
// (paymentInitiationWithStatusResponse, periodicPaymentInitiationWithStatusResponse,
// bulkPaymentInitiationWithStatusResponse). One type each, since a single transfer and a
// bulk share element names that one type could not carry both of.
type (
	singleWithStatus struct {
		*payments.Transfer
		TransactionStatus payments.Status `json:"transactionStatus"`
	}
	periodicWithStatus struct {
		*payments.Transfer
		*payments.Schedule
		TransactionStatus payments.Status `json:"transactionStatus"`
	}
	bulkWithStatus struct {
		*payments.BulkTransfer
		TransactionStatus payments.Status `json:"transactionStatus"`
	}
)

// get is GET /v1/{payment-service}/{payment-product}/{paymentId}.
func (a *API) get(w http.ResponseWriter, r *http.Request, o payments.Owner) error {
	p, err := a.Payments.Get(r.Context(), o, service(r), payments.Product(r.PathValue("paymentProduct")), r.PathValue("paymentId"))
	if err != nil {
		return err
	}
	switch {
	case p.Batch != nil:
		writeJSON(w, http.StatusOK, bulkWithStatus{BulkTransfer: p.Batch, TransactionStatus: p.Status})
	case p.Standing != nil:
		writeJSON(w, http.StatusOK, periodicWithStatus{Transfer: p.Transfer, Schedule: p.Standing, TransactionStatus: p.Status})
	default:
		writeJSON(w, http.StatusOK, singleWithStatus{Transfer: p.Transfer, TransactionStatus: p.Status})
	}
	return nil
}

// statusBody is the schema paymentInitiationStatusResponse-200_json.
type statusBody struct {
	TransactionStatus payments.Status `json:"transactionStatus"`
	PSUMessage        string          `json:"psuMessage,omitempty"`
	Links             map[string]href `json:"_links,omitempty"`
}

// reasons are the texts of the reasons the sandbox gives.
var reasons = map[string]string{
	payments.ReasonInsufficientFunds: "insufficient funds",
	payments.ReasonCurrency:          "the debtor account does not hold the payment's currency",
	payments.ReasonBank:              "rejected by the bank",
	payments.ReasonCustomer:          "refused by the customer, or the authorisation failed",
}

// status is GET /v1/{payment-service}/{payment-product}/{paymentId}/status: the status,
// and for a rejection its ISO 20022 reason in the message.
func (a *API) status(w http.ResponseWriter, r *http.Request, o payments.Owner) error {
	p, err := a.Payments.Get(r.Context(), o, service(r), payments.Product(r.PathValue("paymentProduct")), r.PathValue("paymentId"))
	if err != nil {
		return err
	}
	out := statusBody{TransactionStatus: p.Status}
	switch {
	case p.Status == payments.Rejected && p.Reason != "":
		out.PSUMessage = "Rejected, reason " + p.Reason + ": " + reasons[p.Reason] + "."
	case p.Status == payments.PartAccepted:
		out.PSUMessage = "Some payments of the bulk were rejected, reason " + p.Reason + ": " + reasons[p.Reason] + "."
	case p.Status == payments.PartiallyAuthed:
		out.PSUMessage = fmt.Sprintf("Authorised by %d of the %d signatories the debtor account needs: the next signatory authorises it in an authorisation of their own (startAuthorisation).",
			len(p.Signatures), p.RequiredSignatures)
		out.Links = map[string]href{"startAuthorisation": {path(p) + "/" + scaapi.Authorisations}}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// cancel is DELETE /v1/{payment-service}/{payment-product}/{paymentId}: a payment that
// waits for its customer is cancelled at once (204); an authorised one not yet executed
// needs its customer to authorise the cancellation (202, with the link to start it, in
// the approach the request prefers); an executed one refuses with CANCELLATION_INVALID.
func (a *API) cancel(w http.ResponseWriter, r *http.Request, o payments.Owner) error {
	prefs, err := sca.PreferencesOf(r.Header)
	if err != nil {
		return err
	}
	p, needsAuthorisation, err := a.Payments.RequestCancellation(r.Context(), o, service(r), payments.Product(r.PathValue("paymentProduct")), r.PathValue("paymentId"))
	if err != nil {
		return err
	}
	if !needsAuthorisation {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	writeJSON(w, http.StatusAccepted, a.cancellationAccepted(p, sca.ApproachOf(sca.PaymentCancellation, prefs)))
	return nil
}

// writeJSON answers status with v.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
