package portalapi

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/platform/httpapi"
	"github.com/bank/devportal/shared/portal/registration"
)

// dcrTag is the route table's tag of dynamic client registration (RFC 7591 and 7592).
const dcrTag = "dcr"

// maxDCRBody bounds a client metadata document (a software statement is its largest part).
const maxDCRBody = 64 << 10

// dcrEndpoints are dynamic client registration's endpoints, served on the TPP API's
// mutual-TLS origin: the connection's certificate is a registered one; managing a client
// also takes its registration access token. Their errors are RFC 7591's.
func dcrEndpoints() []endpoint {
	refusals := map[int]any{400: registration.DCRError{}, 401: registration.DCRError{}, 403: registration.DCRError{}}
	with := func(status int, body any) map[int]any {
		m := map[int]any{status: body}
		for k, v := range refusals {
			m[k] = v
		}
		return m
	}
	return []endpoint{
		{name: "dcr-register", request: registration.ClientMetadata{}, responses: with(201, registration.ClientInformation{}),
			handle: func(a *API, w http.ResponseWriter, r *http.Request) {
				c, err := a.dcrCaller(r)
				var m registration.ClientMetadata
				if err == nil {
					err = decodeDCR(r, &m)
				}
				var out registration.ClientInformation
				if err == nil {
					out, err = a.Registration.RegisterClient(r.Context(), c, m, a.Registration.ConfigurationEndpoint)
				}
				writeDCR(w, r, http.StatusCreated, out, err)
			}},
		{name: "dcr-client-read", responses: with(200, registration.ClientInformation{}),
			handle: func(a *API, w http.ResponseWriter, r *http.Request) {
				c, err := a.dcrCaller(r)
				var out registration.ClientInformation
				if err == nil {
					out, err = a.Registration.ReadClient(r.Context(), c, r.PathValue("clientId"), bearer(r), a.Registration.ConfigurationEndpoint)
				}
				writeDCR(w, r, http.StatusOK, out, err)
			}},
		{name: "dcr-client-update", request: registration.ClientUpdate{}, responses: with(200, registration.ClientInformation{}),
			handle: func(a *API, w http.ResponseWriter, r *http.Request) {
				c, err := a.dcrCaller(r)
				var u registration.ClientUpdate
				if err == nil {
					err = decodeDCR(r, &u)
				}
				var out registration.ClientInformation
				if err == nil {
					out, err = a.Registration.UpdateClient(r.Context(), c, r.PathValue("clientId"), bearer(r), a.Registration.ConfigurationEndpoint, u)
				}
				writeDCR(w, r, http.StatusOK, out, err)
			}},
		{name: "dcr-client-delete", responses: with(204, nil),
			handle: func(a *API, w http.ResponseWriter, r *http.Request) {
				c, err := a.dcrCaller(r)
				if err == nil {
					err = a.Registration.DeleteDynamicClient(r.Context(), c, r.PathValue("clientId"), bearer(r))
				}
				writeDCR(w, r, http.StatusNoContent, nil, err)
			}},
	}
}

// dcrCaller is the registration of the connection's certificate.
func (a *API) dcrCaller(r *http.Request) (registration.DCRCaller, error) {
	cert, err := httpapi.ClientCertificate(r)
	if err != nil {
		return registration.DCRCaller{}, registration.ErrDCRNotRegistered
	}
	return a.Registration.AuthenticateCertificate(r.Context(), cert.Raw)
}

// bearer is the token of an Authorization: Bearer header, "" without one.
func bearer(r *http.Request) string {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// decodeDCR reads a JSON client metadata document; members this server does not keep are
// ignored, as RFC 7591 asks.
func decodeDCR(r *http.Request, v any) error {
	if err := httpapi.RequireJSON(r); err != nil {
		return &registration.DCRError{Status: http.StatusBadRequest, Code: "invalid_client_metadata", Description: "Send the client metadata as JSON, with the header Content-Type: application/json."}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxDCRBody+1))
	if err != nil || len(body) > maxDCRBody || json.Unmarshal(body, v) != nil {
		return &registration.DCRError{Status: http.StatusBadRequest, Code: "invalid_client_metadata", Description: "The body is not a JSON client metadata document of at most 64 KiB."}
	}
	return nil
}

// writeDCR answers RFC 7591's way: the body, or its error object (a token refused also
// with WWW-Authenticate); never cached. Errors of other rules go to the one writer.
func writeDCR(w http.ResponseWriter, r *http.Request, status int, v any, err error) {
	w.Header().Set("Pragma", "no-cache")
	var de *registration.DCRError
	switch {
	case errors.As(err, &de):
		if de.Status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer error="`+de.Code+`", error_description="`+de.Description+`"`)
		}
		httpapi.WriteJSON(w, de.Status, de)
	case errors.Is(err, apperr.ErrInvalid):
		var ae *apperr.Error
		errors.As(err, &ae)
		httpapi.WriteJSON(w, http.StatusBadRequest, registration.DCRError{Code: "invalid_client_metadata", Description: ae.Message})
	case err != nil:
		httpapi.WriteError(w, r, err)
	case status == http.StatusNoContent:
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
	default:
		httpapi.WriteJSON(w, status, v)
	}
}
