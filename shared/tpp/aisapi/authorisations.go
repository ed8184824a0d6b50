package aisapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"

	"github.com/bank/devportal/shared/tpp/bgerror"
	"github.com/bank/devportal/shared/tpp/consents"
)

// authorisations are the authorisation sub-resources of one kind of consent
// (consents.Service, piis.Service).
type authorisations interface {
	StartAuthorisation(ctx context.Context, o consents.Owner, id string) (consents.Authorisation, error)
	Authorisations(ctx context.Context, o consents.Owner, id string) ([]consents.Authorisation, error)
	ScaStatus(ctx context.Context, o consents.Owner, id, authID string) (consents.ScaStatus, error)
}

// errPSUData refuses PSU data in a start of authorisation: this bank authorises consents
// with the OAuth2 approach, where the customer signs in at the bank, never through the TPP.
var errPSUData = bgerror.FormatError(bgerror.Field("psuData", "This bank authorises consents with the OAuth2 approach: send no PSU data, send the customer through the scaOAuth link's authorization server."))

// startScaProcess is the schema startScaprocessResponse.
type startScaProcess struct {
	ScaStatus       consents.ScaStatus `json:"scaStatus"`
	AuthorisationID string             `json:"authorisationId"`
	Links           map[string]href    `json:"_links"`
}

// startAuthorisation is POST <consent>/authorisations: a new authorisation of a consent
// that waits for its customer, whom the TPP sends through the OAuth2 flow (scaOAuth).
func (a *API) startAuthorisation(kind authorisations, path func(string) string) func(http.ResponseWriter, *http.Request, consents.Owner) error {
	return func(w http.ResponseWriter, r *http.Request, o consents.Owner) error {
		if err := noPSUData(r); err != nil {
			return err
		}
		id := r.PathValue("consentId")
		auth, err := kind.StartAuthorisation(r.Context(), o, id)
		if err != nil {
			return err
		}
		self := path(id) + "/authorisations/" + auth.ID
		w.Header().Set("Location", self)
		w.Header().Set("ASPSP-SCA-Approach", "REDIRECT")
		writeJSON(w, http.StatusCreated, startScaProcess{ScaStatus: consents.ScaReceived, AuthorisationID: auth.ID,
			Links: map[string]href{"scaOAuth": {a.MetadataURL}, "scaStatus": {self}}})
		return nil
	}
}

// noPSUData takes an empty body or an empty JSON object, and refuses PSU data.
func noPSUData(r *http.Request) error {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		return bgerror.FormatError(bgerror.Field("body", "The body is larger than 64 KiB."))
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return bgerror.FormatError(bgerror.Field("body", "The body is not a JSON object: send none, or {}."))
	}
	if len(fields) > 0 {
		return errPSUData
	}
	return nil
}

// listAuthorisations is GET <consent>/authorisations: the IDs of the consent's
// authorisations, oldest first.
func (a *API) listAuthorisations(kind authorisations) func(http.ResponseWriter, *http.Request, consents.Owner) error {
	return func(w http.ResponseWriter, r *http.Request, o consents.Owner) error {
		list, err := kind.Authorisations(r.Context(), o, r.PathValue("consentId"))
		if err != nil {
			return err
		}
		ids := make([]string, len(list))
		for i, auth := range list {
			ids[i] = auth.ID
		}
		writeJSON(w, http.StatusOK, map[string][]string{"authorisationIds": ids})
		return nil
	}
}

// scaStatus is GET <consent>/authorisations/{authorisationId}: received until the
// customer decides, then finalised or failed.
func (a *API) scaStatus(kind authorisations) func(http.ResponseWriter, *http.Request, consents.Owner) error {
	return func(w http.ResponseWriter, r *http.Request, o consents.Owner) error {
		st, err := kind.ScaStatus(r.Context(), o, r.PathValue("consentId"), r.PathValue("authorisationId"))
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, map[string]consents.ScaStatus{"scaStatus": st})
		return nil
	}
}
