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

// withBody is an endpoint that decodes a Req, calls do and answers status with its Resp.
func withBody[Req, Resp any](status int, do func(a *API, r *http.Request, req Req) (Resp, error), errors ...int) endpoint {
	var req Req
	var resp Resp
	return endpoint{request: req, responses: map[int]any{status: resp}, errors: errors,
		handle: func(a *API, w http.ResponseWriter, r *http.Request) {
			var in Req
			if err := httpapi.DecodeJSON(r, &in); err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			out, err := do(a, r, in)
			ok(w, r, status, out, err)
		}}
}

// noBody is an endpoint without a request body that answers status with a Resp.
func noBody[Resp any](status int, do func(a *API, r *http.Request) (Resp, error), errors ...int) endpoint {
	var resp Resp
	return endpoint{responses: map[int]any{status: resp}, errors: errors,
		handle: func(a *API, w http.ResponseWriter, r *http.Request) {
			out, err := do(a, r)
			ok(w, r, status, out, err)
		}}
}

func (a *API) endpoints() map[string]endpoint {
	session := func(r *http.Request) account.Session { return sessionFrom(r.Context()) }
	return map[string]endpoint{
		"healthz":         {handle: (*API).health, responses: map[int]any{200: HealthResponse{}, 503: HealthResponse{}}},
		"openapi":         noBody(200, func(*API, *http.Request) (map[string]any, error) { return Document(), nil }),
		"password-policy": noBody(200, func(a *API, _ *http.Request) (account.PolicyView, error) { return a.Accounts.Policy(), nil }),
		"auth-signup": withBody(201, func(a *API, r *http.Request, req account.SignUpRequest) (account.SignUpResponse, error) {
			return a.Accounts.SignUp(r.Context(), req)
		}, 409),
		"auth-activate": withBody(200, func(a *API, r *http.Request, req account.TokenRequest) (account.ActivateResponse, error) {
			return a.Accounts.Activate(r.Context(), req)
		}, 404, 410),
		"auth-resend-activation": withBody(202, func(a *API, r *http.Request, req account.EmailRequest) (account.MessageResponse, error) {
			return a.Accounts.ResendActivation(r.Context(), req)
		}),
		"auth-login": {request: account.LoginRequest{}, responses: map[int]any{200: account.LoginResponse{}}, errors: []int{401, 429},
			handle: func(a *API, w http.ResponseWriter, r *http.Request) {
				var req account.LoginRequest
				if err := httpapi.DecodeJSON(r, &req); err != nil {
					httpapi.WriteError(w, r, err)
					return
				}
				s, err := a.Accounts.Login(r.Context(), req)
				if err == nil {
					setSession(w, r, s)
				}
				ok(w, r, http.StatusOK, s.Response, err)
			}},
		"auth-refresh": {responses: map[int]any{200: account.LoginResponse{}},
			handle: func(a *API, w http.ResponseWriter, r *http.Request) {
				resp, expires, err := a.Accounts.Refresh(r.Context(), session(r))
				if err == nil {
					extendSession(w, r, session(r), expires)
				}
				ok(w, r, http.StatusOK, resp, err)
			}},
		"auth-logout": {responses: map[int]any{204: nil},
			handle: func(a *API, w http.ResponseWriter, r *http.Request) {
				if err := a.Accounts.Logout(r.Context(), session(r)); err != nil {
					httpapi.WriteError(w, r, err)
					return
				}
				clearSession(w, r)
				setCSRFCookie(w, r, account.NewToken(), time.Time{})
				w.WriteHeader(http.StatusNoContent)
			}},
		"auth-forgot-password": withBody(202, func(a *API, r *http.Request, req account.EmailRequest) (account.MessageResponse, error) {
			return a.Accounts.ForgotPassword(r.Context(), req)
		}),
		"auth-reset-password": withBody(200, func(a *API, r *http.Request, req account.ResetPasswordRequest) (account.MessageResponse, error) {
			return a.Accounts.ResetPassword(r.Context(), req)
		}, 404, 410),
		"account-get": noBody(200, func(a *API, r *http.Request) (account.AccountView, error) {
			return a.Accounts.Account(r.Context(), session(r))
		}),
		"account-update": withBody(200, func(a *API, r *http.Request, req account.UpdateAccountRequest) (account.AccountView, error) {
			return a.Accounts.UpdateAccount(r.Context(), session(r), req)
		}, 409),
		"account-preferences": withBody(200, func(a *API, r *http.Request, req account.Preferences) (account.AccountView, error) {
			return a.Accounts.UpdatePreferences(r.Context(), session(r), req)
		}, 409),
		"account-change-password": withBody(200, func(a *API, r *http.Request, req account.ChangePasswordRequest) (account.AccountView, error) {
			return a.Accounts.ChangePassword(r.Context(), session(r), req)
		}, 429),
		"dev-mail": noBody(200, func(a *API, r *http.Request) (MailboxResponse, error) {
			msgs, err := a.Mailbox.Messages(r.Context())
			return MailboxResponse{Messages: msgs}, err
		}, 404),
		"dev-run-job": noBody(200, func(a *API, r *http.Request) (JobResponse, error) {
			name := r.PathValue("job")
			job, found := a.Jobs[name]
			if !found {
				return JobResponse{}, apperr.New(apperr.NotFound, "NO_SUCH_JOB", "There is no job named "+name+".")
			}
			res, err := job(r.Context())
			return JobResponse{Job: name, Result: res}, err
		}, 404),
	}
}

// JobResponse reports a job run on demand.
type JobResponse struct {
	Job    string `json:"job"`
	Result any    `json:"result"`
}
