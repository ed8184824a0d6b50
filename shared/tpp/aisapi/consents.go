// Package aisapi is the TPP API's account-information service (Berlin Group NextGenPSD2
// 1.3.12): the consent endpoints, and the account endpoints that read the sandbox bank
// under a consent; and confirmation of funds (its consents, confirmation-of-funds 2.0,
// and /v1/funds-confirmations), which reads the same accounts. The handlers run behind the caller check: the app they answer for is
// callercheck.From the request's context.
package aisapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/bank/devportal/shared/tpp/bgerror"
	"github.com/bank/devportal/shared/tpp/callercheck"
	"github.com/bank/devportal/shared/tpp/consents"
	"github.com/bank/devportal/shared/tpp/notify"
	"github.com/bank/devportal/shared/tpp/piis"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
	"github.com/bank/devportal/shared/tpp/sca"
	"github.com/bank/devportal/shared/tpp/scaapi"
	"github.com/bank/devportal/shared/tpp/tppapi"
)

// API serves the account-information endpoints.
type API struct {
	Consents *consents.Service
	// Funds are the confirmation-of-funds consents and checks.
	Funds *piis.Service
	// Bank is the sandbox bank whose accounts the endpoints read.
	Bank sandboxbank.Store
	// Now is the clock of the balances' reference day; nil is time.Now.
	Now func() time.Time
	// MetadataURL is the authorization server's metadata, the scaOAuth link: the
	// customer authorises a consent through the OAuth2 flow with scope AIS:<consentId>.
	MetadataURL string
	// Authorisations are the consents' authorisation sub-resources, in every SCA approach.
	Authorisations *scaapi.API
}

// Handlers are the endpoints by route name (shared/tpp/routes).
func (a *API) Handlers() map[string]http.Handler {
	return map[string]http.Handler{
		"ais-consent-create": a.endpoint(a.createConsent),
		"ais-consent-get":    a.endpoint(a.getConsent),
		"ais-consent-status": a.endpoint(a.consentStatus),
		"ais-consent-delete": a.endpoint(a.deleteConsent),

		"ais-consent-authorisation-start":  a.endpoint(a.Authorisations.Start(sca.AISConsent, scaapi.Authorisations, a.consent)),
		"ais-consent-authorisations":       a.endpoint(a.Authorisations.List(sca.AISConsent, a.consent)),
		"ais-consent-sca-status":           a.endpoint(a.Authorisations.Status(sca.AISConsent, a.consent)),
		"ais-consent-authorisation-update": a.endpoint(a.Authorisations.Update(sca.AISConsent, scaapi.Authorisations, a.consent)),

		"ais-accounts":                  a.endpoint(a.listAccounts(false)),
		"ais-account":                   a.endpoint(a.accountDetails(false)),
		"ais-account-balances":          a.endpoint(a.accountBalances(false)),
		"ais-account-transactions":      a.endpoint(a.accountTransactions(false)),
		"ais-transaction":               a.endpoint(a.transactionDetails),
		"ais-card-accounts":             a.endpoint(a.listAccounts(true)),
		"ais-card-account":              a.endpoint(a.accountDetails(true)),
		"ais-card-account-balances":     a.endpoint(a.accountBalances(true)),
		"ais-card-account-transactions": a.endpoint(a.accountTransactions(true)),

		"cof-consent-create": a.endpoint(a.createFundsConsent),
		"cof-consent-get":    a.endpoint(a.getFundsConsent),
		"cof-consent-status": a.endpoint(a.fundsConsentStatus),
		"cof-consent-delete": a.endpoint(a.deleteFundsConsent),

		"cof-consent-authorisation-start":  a.endpoint(a.Authorisations.Start(sca.PIISConsent, scaapi.Authorisations, a.fundsConsent)),
		"cof-consent-authorisations":       a.endpoint(a.Authorisations.List(sca.PIISConsent, a.fundsConsent)),
		"cof-consent-sca-status":           a.endpoint(a.Authorisations.Status(sca.PIISConsent, a.fundsConsent)),
		"cof-consent-authorisation-update": a.endpoint(a.Authorisations.Update(sca.PIISConsent, scaapi.Authorisations, a.fundsConsent)),
		"cof-confirm":                      a.endpoint(a.confirmFunds),
	}
}

// endpoint runs h for the caller, after the checks every Berlin Group call gets, and
// writes its refusals.
func (a *API) endpoint(h func(w http.ResponseWriter, r *http.Request, o consents.Owner) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := callercheck.From(r.Context())
		if !ok {
			bgerror.WriteError(w, errors.New("aisapi: no caller in the context"))
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

// maxBody is the largest request body an endpoint reads.
const maxBody = 64 << 10

// decode reads a JSON body into dst: malformed JSON, unknown fields and a second value are
// FORMAT_ERRORs.
func decode(r *http.Request, dst any) error {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		return bgerror.FormatError(bgerror.Field("body", "The body is larger than 64 KiB."))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return bgerror.FormatError(bgerror.Field(typeErr.Field, "This element has the wrong type: "+typeErr.Value+" where "+typeErr.Type.String()+" is needed."))
		}
		if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return bgerror.FormatError(bgerror.Field(strings.Trim(f, `"`), "This bank does not know this element."))
		}
		return bgerror.FormatError(bgerror.Field("body", "The body is not the JSON object this endpoint takes: "+err.Error()+"."))
	}
	if dec.More() {
		return bgerror.FormatError(bgerror.Field("body", "The body must be one JSON object and nothing after it."))
	}
	return nil
}

// writeJSON answers status with v.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// href is the Berlin Group hrefType.
type href struct {
	Href string `json:"href"`
}

// consentCreated is the schema consentsResponse-201.
type consentCreated struct {
	ConsentStatus consents.Status `json:"consentStatus"`
	ConsentID     string          `json:"consentId"`
	Links         map[string]href `json:"_links"`
}

// consentPath is a consent's resource path.
func consentPath(id string) string { return "/v1/consents/" + id }

// createConsent is POST /v1/consents: the consent is received and waits for the customer,
// whom the TPP sends through the OAuth2 flow with scope AIS:<consentId> (the scaOAuth
// link: the authorization server's metadata).
func (a *API) createConsent(w http.ResponseWriter, r *http.Request, o consents.Owner) error {
	var req consents.Request
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
	caller, _ := callercheck.From(r.Context())
	ok, nok, err := sca.RedirectURIs(r.Header, caller.RedirectURIs)
	if err != nil {
		return err
	}
	c, err := a.Consents.Create(r.Context(), o, req, ok, nok)
	if err != nil {
		return err
	}
	approach := sca.ApproachOf(sca.AISConsent, prefs)
	sub.SetHeaders(w.Header())
	w.Header().Set("Location", consentPath(c.ID))
	w.Header().Set("ASPSP-SCA-Approach", approach.Header())
	writeJSON(w, http.StatusCreated, consentCreated{ConsentStatus: c.Status, ConsentID: c.ID, Links: createdLinks(r, approach, consentPath(c.ID), a.MetadataURL)})
	return nil
}

// consent is the caller's consent the path names, for its authorisations.
func (a *API) consent(r *http.Request, o sca.Owner) (string, string, error) {
	c, err := a.Consents.Get(r.Context(), o, r.PathValue("consentId"))
	if err != nil {
		return "", "", err
	}
	return c.ID, consentPath(c.ID), nil
}

// fundsConsent is the caller's confirmation-of-funds consent the path names, for its
// authorisations.
func (a *API) fundsConsent(r *http.Request, o sca.Owner) (string, string, error) {
	c, err := a.Funds.Get(r.Context(), o, r.PathValue("consentId"))
	if err != nil {
		return "", "", err
	}
	return c.ID, fundsConsentPath(c.ID), nil
}

// createdLinks are the links of a new consent at path: its status, and the authorization
// server's metadata (scaOAuth), or, when the TPP prefers to start the authorisation
// itself (TPP-Explicit-Authorisation-Preferred) or prefers another approach than OAuth2,
// the authorisations to start one at (with the customer's password for the embedded
// approach, their PSU-ID for the decoupled one).
func createdLinks(r *http.Request, approach sca.Approach, path, metadataURL string) map[string]href {
	links := map[string]href{"self": {path}, "status": {path + "/status"}}
	if approach == sca.OAuth && !strings.EqualFold(r.Header.Get("TPP-Explicit-Authorisation-Preferred"), "true") {
		links["scaOAuth"] = href{metadataURL}
	} else {
		links[scaapi.StartLink(approach)] = href{path + "/" + scaapi.Authorisations}
	}
	return links
}

// consentInformation is the schema consentInformationResponse-200_json.
type consentInformation struct {
	Access             consents.ShownAccess `json:"access"`
	RecurringIndicator bool                 `json:"recurringIndicator"`
	ValidUntil         string               `json:"validUntil"`
	FrequencyPerDay    int                  `json:"frequencyPerDay"`
	LastActionDate     string               `json:"lastActionDate"`
	ConsentStatus      consents.Status      `json:"consentStatus"`
	Links              map[string]href      `json:"_links,omitempty"`
}

// getConsent is GET /v1/consents/{consentId}: what was asked, and its status today.
func (a *API) getConsent(w http.ResponseWriter, r *http.Request, o consents.Owner) error {
	c, err := a.Consents.Get(r.Context(), o, r.PathValue("consentId"))
	if err != nil {
		return err
	}
	links := map[string]href{"self": {consentPath(c.ID)}, "status": {consentPath(c.ID) + "/status"}}
	if c.Status == consents.Valid {
		links["account"] = href{"/v1/accounts"}
	}
	writeJSON(w, http.StatusOK, consentInformation{Access: c.Shown(), RecurringIndicator: c.Recurring, ValidUntil: c.ValidUntil,
		FrequencyPerDay: c.FrequencyPerDay, LastActionDate: c.LastActionDate, ConsentStatus: c.Status, Links: links})
	return nil
}

// consentStatus is GET /v1/consents/{consentId}/status.
func (a *API) consentStatus(w http.ResponseWriter, r *http.Request, o consents.Owner) error {
	c, err := a.Consents.Get(r.Context(), o, r.PathValue("consentId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]consents.Status{"consentStatus": c.Status})
	return nil
}

// deleteConsent is DELETE /v1/consents/{consentId}: the TPP ends the consent.
func (a *API) deleteConsent(w http.ResponseWriter, r *http.Request, o consents.Owner) error {
	if err := a.Consents.Terminate(r.Context(), o, r.PathValue("consentId")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// subscription is the status notification subscription of the request's headers, for the
// calling app's registered domains (notify.Subscribe).
func subscription(r *http.Request) (*notify.Subscription, error) {
	c, _ := callercheck.From(r.Context())
	return notify.Subscribe(r.Header, c.RedirectURIs)
}
