package portalapi

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"

	"github.com/bank/devportal/shared/platform/httpapi"
	"github.com/bank/devportal/shared/platform/paging"
	"github.com/bank/devportal/shared/portal/registration"
)

// registrationEndpoints are the registration API's endpoints, served on the TPP API's
// mutual-TLS origin: each needs a client certificate on the connection; the credential is
// the token in registration.AuthHeader.
func registrationEndpoints() []endpoint {
	return []endpoint{
		withBody("registration-installation", 201, func(a *API, r *http.Request, req registration.InstallationRequest) (registration.InstallationCreated, error) {
			if err := connected(r); err != nil {
				return registration.InstallationCreated{}, err
			}
			return a.Registration.Install(r.Context(), req)
		}, 401, 403, 415),
		withBody("registration-certificate", 201, func(a *API, r *http.Request, req registration.CertificateRequest) (registration.CertificateRegistered, error) {
			if err := connected(r); err != nil {
				return registration.CertificateRegistered{}, err
			}
			return a.Registration.RegisterCertificate(r.Context(), call(r), req)
		}, 401, 403, 409, 415),
		withBody("registration-device", 201, func(a *API, r *http.Request, req registration.DeviceRequest) (registration.Device, error) {
			if err := connected(r); err != nil {
				return registration.Device{}, err
			}
			return a.Registration.AddDevice(r.Context(), call(r), req)
		}, 401, 403, 409, 415),
		withBody("registration-session-start", 201, func(a *API, r *http.Request, req registration.SessionRequest) (registration.SessionStarted, error) {
			if err := connected(r); err != nil {
				return registration.SessionStarted{}, err
			}
			return a.Registration.StartSession(r.Context(), call(r), req)
		}, 401, 403, 409, 415),
		withErrors(noContent("registration-session-end", func(a *API, r *http.Request) error {
			if err := connected(r); err != nil {
				return err
			}
			return a.Registration.EndSession(r.Context(), call(r))
		}), 401, 403),
		withBody("registration-client-create", 201, func(a *API, r *http.Request, req registration.ClientRequest) (registration.ClientCreated, error) {
			c, err := a.registrationCaller(r)
			if err != nil {
				return registration.ClientCreated{}, err
			}
			return a.Registration.CreateClient(r.Context(), c, req)
		}, 401, 403, 409, 415),
		noBody("registration-client-list", 200, func(a *API, r *http.Request) (registration.ClientsView, error) {
			c, err := a.registrationCaller(r)
			if err != nil {
				return registration.ClientsView{}, err
			}
			return paged(r, func(ctx context.Context, p paging.Page) (registration.ClientsView, error) {
				return a.Registration.ListClients(ctx, c, p)
			})
		}, 400, 401, 403).withQuery(pageParams...),
		noBody("registration-client-get", 200, func(a *API, r *http.Request) (registration.Client, error) {
			c, err := a.registrationCaller(r)
			if err != nil {
				return registration.Client{}, err
			}
			return a.Registration.GetClient(r.Context(), c, r.PathValue("clientId"))
		}, 401, 403, 404),
		withErrors(noContent("registration-client-delete", func(a *API, r *http.Request) error {
			c, err := a.registrationCaller(r)
			if err != nil {
				return err
			}
			return a.Registration.DeleteClient(r.Context(), c, r.PathValue("clientId"))
		}), 401, 403),
		withBody("registration-callback-add", 201, func(a *API, r *http.Request, req registration.CallbackRequest) (registration.CallbacksView, error) {
			c, err := a.registrationCaller(r)
			if err != nil {
				return registration.CallbacksView{}, err
			}
			return a.Registration.AddCallback(r.Context(), c, r.PathValue("clientId"), req)
		}, 401, 403, 404, 409, 415),
		withErrors(noContent("registration-callback-remove", func(a *API, r *http.Request) error {
			c, err := a.registrationCaller(r)
			if err != nil {
				return err
			}
			return a.Registration.RemoveCallback(r.Context(), c, r.PathValue("clientId"), r.URL.Query().Get("uri"))
		}).withQuery(queryParam{name: "uri", required: true, description: "The callback URL to remove, exactly as registered.",
			example: "https://budgetbuddy.example/callback"}), 401, 403),
	}
}

// connected refuses a call made without a client certificate: the registration API is
// the TPP API's, which only mutual TLS reaches.
func connected(r *http.Request) error {
	_, err := httpapi.ClientCertificate(r)
	return err
}

// registrationCaller is the registered software of the session token sent.
func (a *API) registrationCaller(r *http.Request) (registration.Caller, error) {
	if err := connected(r); err != nil {
		return registration.Caller{}, err
	}
	return a.Registration.Authenticate(r.Context(), call(r))
}

// withErrors adds error statuses an endpoint can answer.
func withErrors(ep endpoint, statuses ...int) endpoint {
	ep.errors = append(ep.errors, statuses...)
	return ep
}

// registrationTag is the route table's tag of the registration API's routes.
const registrationTag = "registration"

type bodyKey struct{}

// call is the registration API call of r: its token, address and signed parts.
func call(r *http.Request) registration.Call {
	body, _ := r.Context().Value(bodyKey{}).([]byte)
	return registration.Call{Token: r.Header.Get(registration.AuthHeader), Address: clientAddress(r), Method: r.Method,
		Target: r.URL.RequestURI(), Body: body, Signature: r.Header.Get(registration.SignatureHeader)}
}

// maxRegistrationBody bounds what serveSigned reads of a request (certificates with
// their chains are the largest bodies).
const maxRegistrationBody = 1 << 20

// serveSigned serves a registration API endpoint: the body is kept as sent, for its
// signature, and the response is signed by the bank (registration.ServerSignatureHeader).
func (a *API) serveSigned(ep endpoint, w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRegistrationBody))
	if err != nil {
		httpapi.WriteError(w, r, err)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r = r.WithContext(context.WithValue(r.Context(), bodyKey{}, body))
	rec := &bufferedResponse{header: http.Header{}, status: http.StatusOK}
	ep.handle(a, rec, r)
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	if sig, err := a.Registration.SignResponse(rec.body.Bytes()); err == nil {
		w.Header().Set(registration.ServerSignatureHeader, sig)
	}
	w.Header().Set("Content-Length", strconv.Itoa(rec.body.Len()))
	w.WriteHeader(rec.status)
	_, _ = w.Write(rec.body.Bytes())
}

// bufferedResponse keeps a response until it is signed.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header         { return b.header }
func (b *bufferedResponse) Write(p []byte) (int, error) { return b.body.Write(p) }
func (b *bufferedResponse) WriteHeader(status int)      { b.status = status }
