package pisapi

import (
	"io"
	"mime"
	"net/http"

	"github.com/bank/devportal/shared/tpp/baskets"
	"github.com/bank/devportal/shared/tpp/bgerror"
	"github.com/bank/devportal/shared/tpp/callercheck"
	"github.com/bank/devportal/shared/tpp/sca"
	"github.com/bank/devportal/shared/tpp/scaapi"
	"github.com/bank/devportal/shared/tpp/tppapi"
)

// basketsPath is the signing baskets' collection.
const basketsPath = "/v1/signing-baskets"

// basketHandlers adds the signing basket endpoints (sbs-basket-create, -get, -status,
// -delete) and their authorisation sub-resources (sbs-basket-authorisation-start,
// -authorisations, -sca-status, -authorisation-update).
func (a *API) basketHandlers(out map[string]http.Handler) {
	if a.Baskets == nil || a.Authorisations == nil {
		return
	}
	s := a.Authorisations
	out["sbs-basket-create"] = a.endpoint(a.createBasket)
	out["sbs-basket-get"] = a.endpoint(a.getBasket)
	out["sbs-basket-status"] = a.endpoint(a.basketStatus)
	out["sbs-basket-delete"] = a.endpoint(a.deleteBasket)
	out["sbs-basket-authorisation-start"] = a.endpoint(adapt(s.Start(sca.SigningBasket, scaapi.Authorisations, a.resolveBasket)))
	out["sbs-basket-authorisations"] = a.endpoint(adapt(s.List(sca.SigningBasket, a.resolveBasket)))
	out["sbs-basket-sca-status"] = a.endpoint(adapt(s.Status(sca.SigningBasket, a.resolveBasket)))
	out["sbs-basket-authorisation-update"] = a.endpoint(adapt(s.Update(sca.SigningBasket, scaapi.Authorisations, a.resolveBasket)))
}

// basketPath is a basket's resource path.
func basketPath(id string) string { return basketsPath + "/" + id }

// resolveBasket is the caller's basket the path names.
func (a *API) resolveBasket(r *http.Request, o sca.Owner) (string, string, error) {
	b, err := a.Baskets.Get(r.Context(), o, r.PathValue("basketId"))
	if err != nil {
		return "", "", err
	}
	return b.ID, basketPath(b.ID), nil
}

// basketCreated is the schema signingBasketResponse-201.
type basketCreated struct {
	TransactionStatus baskets.Status  `json:"transactionStatus"`
	BasketID          string          `json:"basketId"`
	Links             map[string]href `json:"_links"`
}

// createBasket is POST /v1/signing-baskets: the basket is received and waits for its
// authorisation, in the approach the request prefers: as for a payment, without a
// preference the OAuth2 flow with scope SBS:<basketId> (the scaOAuth link). The same
// X-Request-ID with the same members is answered as the first time, with the same basket.
func (a *API) createBasket(w http.ResponseWriter, r *http.Request, o sca.Owner) error {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		return bgerror.FormatError(bgerror.Field("body", "The body is larger than 64 KiB."))
	}
	prefs, err := sca.PreferencesOf(r.Header)
	if err != nil {
		return err
	}
	c, _ := callercheck.From(r.Context())
	ok, nok, err := sca.RedirectURIs(r.Header, c.RedirectURIs)
	if err != nil {
		return err
	}
	created, err := a.Baskets.Create(r.Context(), o, r.Header.Get(tppapi.RequestIDHeader), ct, body, ok, nok)
	if err != nil {
		return err
	}
	b := created.Basket
	p := basketPath(b.ID)
	approach := sca.ApproachOf(sca.SigningBasket, prefs)
	w.Header().Set("Location", p)
	w.Header().Set("ASPSP-SCA-Approach", approach.Header())
	writeJSON(w, http.StatusCreated, basketCreated{TransactionStatus: created.Status, BasketID: b.ID,
		Links: a.initiationLinks(approach, p)})
	return nil
}

// basketBody is the schema signingBasketResponse-200.
type basketBody struct {
	Payments          []string        `json:"payments,omitempty"`
	Consents          []string        `json:"consents,omitempty"`
	TransactionStatus baskets.Status  `json:"transactionStatus"`
	Links             map[string]href `json:"_links"`
}

// getBasket is GET /v1/signing-baskets/{basketId}: its members, its status, and while it
// waits the link to start its authorisation.
func (a *API) getBasket(w http.ResponseWriter, r *http.Request, o sca.Owner) error {
	b, err := a.Baskets.Get(r.Context(), o, r.PathValue("basketId"))
	if err != nil {
		return err
	}
	p := basketPath(b.ID)
	links := map[string]href{"self": {p}, "status": {p + "/status"}}
	if b.Status == baskets.Received {
		links["startAuthorisation"] = href{p + "/" + scaapi.Authorisations}
	}
	writeJSON(w, http.StatusOK, basketBody{Payments: b.PaymentIDs, Consents: b.ConsentIDs, TransactionStatus: b.Status, Links: links})
	return nil
}

// basketStatus is GET /v1/signing-baskets/{basketId}/status (signingBasketStatusResponse-200).
func (a *API) basketStatus(w http.ResponseWriter, r *http.Request, o sca.Owner) error {
	b, err := a.Baskets.Get(r.Context(), o, r.PathValue("basketId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]baskets.Status{"transactionStatus": b.Status})
	return nil
}

// deleteBasket is DELETE /v1/signing-baskets/{basketId}: a basket not yet authorised is
// cancelled and its members wait as before (204).
func (a *API) deleteBasket(w http.ResponseWriter, r *http.Request, o sca.Owner) error {
	if err := a.Baskets.Delete(r.Context(), o, r.PathValue("basketId")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
