// Package scaapi is the Berlin Group authorisation sub-resources over HTTP, for every
// resource that needs SCA (package sca): start (POST …/authorisations or
// …/cancellation-authorisations), list (GET), scaStatus (GET …/{authorisationId}) and
// update PSU data (PUT …/{authorisationId}), with the ASPSP-SCA-Approach header and the
// _links the specification gives each approach and step. The payment endpoints (pisapi)
// and the consent endpoints (aisapi) mount them for their resources.
package scaapi

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/bank/devportal/shared/tpp/bgerror"
	"github.com/bank/devportal/shared/tpp/callercheck"
	"github.com/bank/devportal/shared/tpp/routes"
	"github.com/bank/devportal/shared/tpp/sca"
)

// API serves the authorisation sub-resources.
type API struct {
	SCA *sca.Service
	// MetadataURL is the authorization server's metadata, the scaOAuth link.
	MetadataURL string
	// BankURL is the sandbox bank's browser-reachable origin, where the scaRedirect link
	// and the bank's app are (sca.RedirectPagePath, sca.AppPagePath).
	BankURL string
}

// BankURL is the sandbox bank's browser-reachable origin, where the customer is sent: the
// origin of the authorization endpoint authorizeURL (OAUTH_AUTHORIZE_URL less its path).
func BankURL(authorizeURL string) string {
	return strings.TrimSuffix(authorizeURL, routes.AuthorizePath)
}

// Resolve finds the resource a request's path names, as the caller's: its ID and its
// resource path (the authorisations are under it), or the resource's refusal.
type Resolve func(r *http.Request, o sca.Owner) (id, path string, err error)

// Handler is an endpoint of the API, run for the caller o.
type Handler func(w http.ResponseWriter, r *http.Request, o sca.Owner) error

// The sub-resources' segments under a resource.
const (
	Authorisations             = "authorisations"
	CancellationAuthorisations = "cancellation-authorisations"
)

// href is the Berlin Group hrefType.
type href struct {
	Href string `json:"href"`
}

// answer is the body of a start (startScaprocessResponse) or an update
// (updatePsuAuthenticationResponse, selectPsuAuthenticationMethodResponse,
// scaStatusResponse …): the step's scaStatus, what the TPP needs for the next step and the
// links to it.
type answer struct {
	ScaStatus       sca.Status      `json:"scaStatus"`
	AuthorisationID string          `json:"authorisationId,omitempty"`
	ScaMethods      []sca.Method    `json:"scaMethods,omitempty"`
	ChosenScaMethod *sca.Method     `json:"chosenScaMethod,omitempty"`
	ChallengeData   *sca.Challenge  `json:"challengeData,omitempty"`
	PSUMessage      string          `json:"psuMessage,omitempty"`
	Links           map[string]href `json:"_links"`
}

// links are the links of an authorisation at self after step: the next step's, and
// scaStatus.
func (a *API) links(step sca.Step, self string) map[string]href {
	out := map[string]href{"scaStatus": {self}}
	if step.Status.Final() {
		return out
	}
	switch step.Approach {
	case sca.OAuth:
		out["scaOAuth"] = href{a.MetadataURL}
	case sca.Redirect:
		out["scaRedirect"] = href{a.BankURL + sca.RedirectPagePath + "?" + url.Values{sca.RefParam: {step.Ref().String()}}.Encode()}
	case sca.Decoupled:
		if step.Status == sca.Received {
			out["updatePsuIdentification"] = href{self}
		}
	case sca.Embedded:
		switch step.Status {
		case sca.Received, sca.PSUIdentified:
			out["updatePsuAuthentication"] = href{self}
		case sca.PSUAuthenticated:
			out["selectAuthenticationMethod"] = href{self}
		case sca.MethodSelected:
			out["authoriseTransaction"] = href{self}
		}
	}
	return out
}

func (a *API) answerOf(step sca.Step, self string) answer {
	return answer{ScaStatus: step.Status, ScaMethods: step.Methods, ChosenScaMethod: step.Chosen, ChallengeData: step.Challenge,
		PSUMessage: step.Message, Links: a.links(step, self)}
}

// StartLink is the link of a resource's answer (its initiation, a cancellation's 202)
// that starts an authorisation in the approach the preferences choose: with the PSU's
// password (embedded), their PSU-ID (decoupled), or plain.
func StartLink(approach sca.Approach) string {
	switch approach {
	case sca.Embedded:
		return "startAuthorisationWithPsuAuthentication"
	case sca.Decoupled:
		return "startAuthorisationWithPsuIdentification"
	}
	return "startAuthorisation"
}

// Start is POST <resource>/<sub>: a new authorisation of the resource of kind, in the
// approach the request's preferences choose, possibly with the PSU-ID and, embedded, the
// password.
func (a *API) Start(kind sca.Kind, sub string, resolve Resolve) Handler {
	return func(w http.ResponseWriter, r *http.Request, o sca.Owner) error {
		prefs, err := sca.PreferencesOf(r.Header)
		if err != nil {
			return err
		}
		b, err := readBody(r)
		if err != nil {
			return err
		}
		if b.AuthenticationMethodID != nil || b.ScaAuthenticationData != nil {
			return bgerror.FormatError(bgerror.Field("body", "Start the authorisation with no body, or with psuData (embedded); the method and the one-time code follow with PUT on the authorisation."))
		}
		c, _ := callercheck.From(r.Context())
		ok, nok, err := sca.RedirectURIs(r.Header, c.RedirectURIs)
		if err != nil {
			return err
		}
		id, path, err := resolve(r, o)
		if err != nil {
			return err
		}
		step, err := a.SCA.Start(r.Context(), sca.Start{Kind: kind, ResourceID: id, Owner: o, Preferences: prefs, PSUID: r.Header.Get("PSU-ID"),
			Password: b.password(), RedirectURI: ok, NokRedirectURI: nok})
		if err != nil {
			return err
		}
		self := path + "/" + sub + "/" + step.ID
		out := a.answerOf(step, self)
		out.AuthorisationID = step.ID
		w.Header().Set("Location", self)
		w.Header().Set("ASPSP-SCA-Approach", step.Approach.Header())
		writeJSON(w, http.StatusCreated, out)
		return nil
	}
}

// List is GET <resource>/<sub>: the IDs of the resource's authorisations, oldest first.
func (a *API) List(kind sca.Kind, resolve Resolve) Handler {
	return func(w http.ResponseWriter, r *http.Request, o sca.Owner) error {
		id, _, err := resolve(r, o)
		if err != nil {
			return err
		}
		list, err := a.SCA.List(r.Context(), o, kind, id)
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

// Status is GET <resource>/<sub>/{authorisationId}: the authorisation's scaStatus.
func (a *API) Status(kind sca.Kind, resolve Resolve) Handler {
	return func(w http.ResponseWriter, r *http.Request, o sca.Owner) error {
		id, _, err := resolve(r, o)
		if err != nil {
			return err
		}
		auth, err := a.SCA.Status(r.Context(), o, sca.Ref{Kind: kind, ResourceID: id, ID: r.PathValue("authorisationId")})
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, map[string]sca.Status{"scaStatus": auth.Status})
		return nil
	}
}

// Update is PUT <resource>/<sub>/{authorisationId}: the next step of an embedded
// authorisation (psuData.password with PSU-ID, authenticationMethodId,
// scaAuthenticationData) or a decoupled one's PSU-ID.
func (a *API) Update(kind sca.Kind, sub string, resolve Resolve) Handler {
	return func(w http.ResponseWriter, r *http.Request, o sca.Owner) error {
		b, err := readBody(r)
		if err != nil {
			return err
		}
		id, path, err := resolve(r, o)
		if err != nil {
			return err
		}
		step, err := a.SCA.Update(r.Context(), o, sca.Ref{Kind: kind, ResourceID: id, ID: r.PathValue("authorisationId")},
			sca.Update{PSUID: r.Header.Get("PSU-ID"), Password: b.password(), MethodID: b.AuthenticationMethodID, OTP: b.ScaAuthenticationData})
		if err != nil {
			return err
		}
		w.Header().Set("ASPSP-SCA-Approach", step.Approach.Header())
		writeJSON(w, http.StatusOK, a.answerOf(step, path+"/"+sub+"/"+step.ID))
		return nil
	}
}

// body is what a start or an update may carry (updatePsuAuthentication,
// selectPsuAuthenticationMethod, transactionAuthorisation), or nothing.
type body struct {
	PSUData *struct {
		Password                    *string `json:"password"`
		EncryptedPassword           *string `json:"encryptedPassword"`
		AdditionalPassword          *string `json:"additionalPassword"`
		AdditionalEncryptedPassword *string `json:"additionalEncryptedPassword"`
	} `json:"psuData"`
	AuthenticationMethodID *string `json:"authenticationMethodId"`
	ScaAuthenticationData  *string `json:"scaAuthenticationData"`
}

func (b body) password() *string {
	if b.PSUData == nil {
		return nil
	}
	return b.PSUData.Password
}

// maxBody bounds an authorisation's body: a few short fields.
const maxBody = 16 << 10

// readBody decodes an empty body, {} or one of the authorisation bodies: one of their
// elements at a time, strings where strings are due, no element of another body.
func readBody(r *http.Request) (body, error) {
	var b body
	raw, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		return b, bgerror.FormatError(bgerror.Field("body", "The body is larger than 16 KiB."))
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return b, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil || dec.More() {
		return b, bgerror.FormatError(bgerror.Field("body", "Send one JSON object: {}, {\"psuData\":{\"password\":…}}, {\"authenticationMethodId\":…} or {\"scaAuthenticationData\":…}."))
	}
	var msgs []bgerror.TPPMessage
	if p := b.PSUData; p != nil {
		switch {
		case p.EncryptedPassword != nil || p.AdditionalPassword != nil || p.AdditionalEncryptedPassword != nil:
			msgs = append(msgs, bgerror.Field("psuData", "Send the customer's password in psuData.password, over mutual TLS: the bank takes no encrypted or additional password."))
		case p.Password == nil || *p.Password == "":
			msgs = append(msgs, bgerror.Field("psuData.password", "Send the customer's password."))
		}
	}
	n := 0
	for _, set := range []bool{b.PSUData != nil, b.AuthenticationMethodID != nil, b.ScaAuthenticationData != nil} {
		if set {
			n++
		}
	}
	if n > 1 {
		msgs = append(msgs, bgerror.Field("body", "Send one step at a time: psuData, authenticationMethodId or scaAuthenticationData."))
	}
	if len(msgs) > 0 {
		return b, bgerror.FormatError(msgs...)
	}
	return b, nil
}

// writeJSON answers status with v.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
