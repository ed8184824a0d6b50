package portal

import (
	"net/http"
	"time"

	"github.com/bank/devportal/shared/account"
	"github.com/bank/devportal/shared/apperr"
	"github.com/bank/devportal/shared/httpapi"
)

// endpoint is a route's handler and the shapes the API description documents.
type endpoint struct {
	handle func(a *API, w http.ResponseWriter, r *http.Request)
	// request is a zero value of the JSON body type, nil for none.
	request any
	// responses maps each success status to a zero value of its body (nil: no body).
	responses map[int]any
	// errors lists the error statuses the route can answer besides 400/401/403/500.
	errors []int
}

// ok writes a success body, or the error.
func ok(w http.ResponseWriter, r *http.Request, status int, v any, err error) {
	if err != nil {
		httpapi.WriteError(w, r, err)
		return
	}
	httpapi.WriteJSON(w, status, v)
}

// decodeThen decodes the body into a fresh Req and calls do with it.
func decodeThen[Req any](w http.ResponseWriter, r *http.Request, do func(Req) error) {
	var req Req
	if err := httpapi.DecodeJSON(r, &req); err != nil {
		httpapi.WriteError(w, r, err)
		return
	}
	if err := do(req); err != nil {
		httpapi.WriteError(w, r, err)
	}
}

func (a *API) endpoints() map[string]endpoint {
	return map[string]endpoint{
		"healthz": {handle: (*API).health, responses: map[int]any{200: HealthResponse{}, 503: HealthResponse{}}},
		"openapi": {handle: func(a *API, w http.ResponseWriter, r *http.Request) {
			httpapi.WriteJSON(w, http.StatusOK, Document())
		}, responses: map[int]any{200: map[string]any{}}},
		"password-policy": {handle: func(a *API, w http.ResponseWriter, r *http.Request) {
			httpapi.WriteJSON(w, http.StatusOK, a.Accounts.Policy())
		}, responses: map[int]any{200: account.PolicyView{}}},
		"auth-signup": {request: account.SignUpRequest{}, responses: map[int]any{201: account.SignUpResponse{}}, errors: []int{409},
			handle: func(a *API, w http.ResponseWriter, r *http.Request) {
				decodeThen(w, r, func(req account.SignUpRequest) error {
					resp, err := a.Accounts.SignUp(r.Context(), req)
					ok(w, r, http.StatusCreated, resp, err)
					return nil
				})
			}},
		"auth-activate": {request: account.TokenRequest{}, responses: map[int]any{200: account.ActivateResponse{}}, errors: []int{404, 410},
			handle: func(a *API, w http.ResponseWriter, r *http.Request) {
				decodeThen(w, r, func(req account.TokenRequest) error {
					resp, err := a.Accounts.Activate(r.Context(), req)
					ok(w, r, http.StatusOK, resp, err)
					return nil
				})
			}},
		"auth-resend-activation": {request: account.EmailRequest{}, responses: map[int]any{202: account.MessageResponse{}},
			handle: func(a *API, w http.ResponseWriter, r *http.Request) {
				decodeThen(w, r, func(req account.EmailRequest) error {
					resp, err := a.Accounts.ResendActivation(r.Context(), req)
					ok(w, r, http.StatusAccepted, resp, err)
					return nil
				})
			}},
		"auth-login": {request: account.LoginRequest{}, responses: map[int]any{200: account.LoginResponse{}}, errors: []int{401, 429},
			handle: func(a *API, w http.ResponseWriter, r *http.Request) {
				decodeThen(w, r, func(req account.LoginRequest) error {
					s, err := a.Accounts.Login(r.Context(), req)
					if err == nil {
						setSession(w, r, s)
					}
					ok(w, r, http.StatusOK, s.Response, err)
					return nil
				})
			}},
		"auth-refresh": {responses: map[int]any{200: account.LoginResponse{}},
			handle: func(a *API, w http.ResponseWriter, r *http.Request) {
				resp, expires, err := a.Accounts.Refresh(r.Context(), sessionFrom(r.Context()))
				if err == nil {
					extendSession(w, r, expires)
				}
				ok(w, r, http.StatusOK, resp, err)
			}},
		"auth-logout": {responses: map[int]any{204: nil},
			handle: func(a *API, w http.ResponseWriter, r *http.Request) {
				if err := a.Accounts.Logout(r.Context(), sessionFrom(r.Context())); err != nil {
					httpapi.WriteError(w, r, err)
					return
				}
				clearSession(w, r)
				setCSRFCookie(w, r, account.NewToken(), time.Time{})
				w.WriteHeader(http.StatusNoContent)
			}},
		"auth-forgot-password": {request: account.EmailRequest{}, responses: map[int]any{202: account.MessageResponse{}},
			handle: func(a *API, w http.ResponseWriter, r *http.Request) {
				decodeThen(w, r, func(req account.EmailRequest) error {
					resp, err := a.Accounts.ForgotPassword(r.Context(), req)
					ok(w, r, http.StatusAccepted, resp, err)
					return nil
				})
			}},
		"auth-reset-password": {request: account.ResetPasswordRequest{}, responses: map[int]any{200: account.MessageResponse{}}, errors: []int{404, 410},
			handle: func(a *API, w http.ResponseWriter, r *http.Request) {
				decodeThen(w, r, func(req account.ResetPasswordRequest) error {
					resp, err := a.Accounts.ResetPassword(r.Context(), req)
					ok(w, r, http.StatusOK, resp, err)
					return nil
				})
			}},
		"account-get": {responses: map[int]any{200: account.AccountView{}},
			handle: func(a *API, w http.ResponseWriter, r *http.Request) {
				resp, err := a.Accounts.Account(r.Context(), sessionFrom(r.Context()))
				ok(w, r, http.StatusOK, resp, err)
			}},
		"account-update": {request: account.UpdateAccountRequest{}, responses: map[int]any{200: account.AccountView{}}, errors: []int{409},
			handle: func(a *API, w http.ResponseWriter, r *http.Request) {
				decodeThen(w, r, func(req account.UpdateAccountRequest) error {
					resp, err := a.Accounts.UpdateAccount(r.Context(), sessionFrom(r.Context()), req)
					ok(w, r, http.StatusOK, resp, err)
					return nil
				})
			}},
		"account-preferences": {request: account.Preferences{}, responses: map[int]any{200: account.AccountView{}}, errors: []int{409},
			handle: func(a *API, w http.ResponseWriter, r *http.Request) {
				decodeThen(w, r, func(req account.Preferences) error {
					resp, err := a.Accounts.UpdatePreferences(r.Context(), sessionFrom(r.Context()), req)
					ok(w, r, http.StatusOK, resp, err)
					return nil
				})
			}},
		"account-change-password": {request: account.ChangePasswordRequest{}, responses: map[int]any{200: account.AccountView{}}, errors: []int{429},
			handle: func(a *API, w http.ResponseWriter, r *http.Request) {
				decodeThen(w, r, func(req account.ChangePasswordRequest) error {
					resp, err := a.Accounts.ChangePassword(r.Context(), sessionFrom(r.Context()), req)
					ok(w, r, http.StatusOK, resp, err)
					return nil
				})
			}},
		"dev-mail": {responses: map[int]any{200: MailboxResponse{}}, errors: []int{404},
			handle: func(a *API, w http.ResponseWriter, r *http.Request) {
				msgs, err := a.Mailbox.Messages(r.Context())
				ok(w, r, http.StatusOK, MailboxResponse{Messages: msgs}, err)
			}},
		"dev-run-job": {responses: map[int]any{200: JobResponse{}}, errors: []int{404},
			handle: func(a *API, w http.ResponseWriter, r *http.Request) {
				name := r.PathValue("job")
				job, found := a.Jobs[name]
				if !found {
					httpapi.WriteError(w, r, apperr.New(apperr.NotFound, "NO_SUCH_JOB", "There is no job named "+name+"."))
					return
				}
				res, err := job(r.Context())
				ok(w, r, http.StatusOK, JobResponse{Job: name, Result: res}, err)
			}},
	}
}

// JobResponse reports a job run on demand.
type JobResponse struct {
	Job    string `json:"job"`
	Result any    `json:"result"`
}
