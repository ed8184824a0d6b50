package aisapi

import (
	"net/http"

	"github.com/bank/devportal/shared/tpp/consents"
	"github.com/bank/devportal/shared/tpp/piis"
	"github.com/bank/devportal/shared/tpp/sca"
)

// fundsConsentPath is a confirmation-of-funds consent's resource path.
func fundsConsentPath(id string) string { return "/v2/consents/confirmation-of-funds/" + id }

// createFundsConsent is POST /v2/consents/confirmation-of-funds: received, waiting for
// the customer, who authorises it through the OAuth2 flow (scope PIIS:<consentId>).
func (a *API) createFundsConsent(w http.ResponseWriter, r *http.Request, o consents.Owner) error {
	var req piis.Request
	if err := decode(r, &req); err != nil {
		return err
	}
	prefs, err := sca.PreferencesOf(r.Header)
	if err != nil {
		return err
	}
	sub, err := subscription(r)
	if err != nil {
		return err
	}
	req.Notification = sub
	c, err := a.Funds.Create(r.Context(), o, req)
	if err != nil {
		return err
	}
	approach := sca.ApproachOf(sca.PIISConsent, prefs)
	sub.SetHeaders(w.Header())
	w.Header().Set("Location", fundsConsentPath(c.ID))
	w.Header().Set("ASPSP-SCA-Approach", approach.Header())
	writeJSON(w, http.StatusCreated, consentCreated{ConsentStatus: c.Status, ConsentID: c.ID, Links: createdLinks(r, approach, fundsConsentPath(c.ID), a.MetadataURL)})
	return nil
}

// fundsConsentContent is the schema ConsentConfirmationOfFundsContentResponse.
type fundsConsentContent struct {
	Account                 consents.AccountReference `json:"account"`
	CardNumber              string                    `json:"cardNumber,omitempty"`
	CardExpiryDate          string                    `json:"cardExpiryDate,omitempty"`
	CardInformation         string                    `json:"cardInformation,omitempty"`
	RegistrationInformation string                    `json:"registrationInformation,omitempty"`
	ConsentStatus           consents.Status           `json:"consentStatus"`
}

// getFundsConsent is GET /v2/consents/confirmation-of-funds/{consentId}.
func (a *API) getFundsConsent(w http.ResponseWriter, r *http.Request, o consents.Owner) error {
	c, err := a.Funds.Get(r.Context(), o, r.PathValue("consentId"))
	if err != nil {
		return err
	}
	q := c.Request
	writeJSON(w, http.StatusOK, fundsConsentContent{Account: *q.Account, CardNumber: q.CardNumber, CardExpiryDate: q.CardExpiryDate,
		CardInformation: q.CardInformation, RegistrationInformation: q.RegistrationInformation, ConsentStatus: c.Status})
	return nil
}

// fundsConsentStatus is GET /v2/consents/confirmation-of-funds/{consentId}/status.
func (a *API) fundsConsentStatus(w http.ResponseWriter, r *http.Request, o consents.Owner) error {
	c, err := a.Funds.Get(r.Context(), o, r.PathValue("consentId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]consents.Status{"consentStatus": c.Status})
	return nil
}

// deleteFundsConsent is DELETE /v2/consents/confirmation-of-funds/{consentId}.
func (a *API) deleteFundsConsent(w http.ResponseWriter, r *http.Request, o consents.Owner) error {
	if err := a.Funds.Terminate(r.Context(), o, r.PathValue("consentId")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// confirmFunds is POST /v1/funds-confirmations: whether the amount is available on the
// account of the consent (Consent-ID), yes or no, asked with the token of the consent's
// OAuth2 authorisation or, for one authorised at the bank, without a token.
func (a *API) confirmFunds(w http.ResponseWriter, r *http.Request, o consents.Owner) error {
	var req piis.FundsRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	ok, err := a.Funds.Confirm(r.Context(), o, r.Header.Get("Consent-ID"), req, presented(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]bool{"fundsAvailable": ok})
	return nil
}
