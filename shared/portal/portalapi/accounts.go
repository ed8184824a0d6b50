package portalapi

import (
	"net/http"
	"time"

	"github.com/bank/devportal/shared/platform/httpapi"
	"github.com/bank/devportal/shared/platform/validation"
	"github.com/bank/devportal/shared/portal/account"
)

// accountEndpoints are the endpoints of the platform's own routes (health, this description,
// the password policy), sign-up, sign-in and the signed-in user's account.
func accountEndpoints() []endpoint {
	return []endpoint{
		{name: "healthz", handle: (*API).health, responses: map[int]any{200: HealthResponse{}, 503: HealthResponse{}}},
		noBody("openapi", 200, func(*API, *http.Request) (map[string]any, error) { return Document(), nil }),
		noBody("support", 200, func(a *API, _ *http.Request) (SupportInfo, error) { return a.Support, nil }),
		noBody("password-policy", 200, func(a *API, _ *http.Request) (account.PolicyView, error) { return a.Accounts.Policy(), nil }),
		withBody("auth-signup", 201, func(a *API, r *http.Request, req account.SignUpRequest) (account.SignUpResponse, error) {
			return a.Accounts.SignUp(r.Context(), req)
		}, 429),
		withBody("auth-activate", 200, func(a *API, r *http.Request, req account.ActivateRequest) (account.ActivateResponse, error) {
			return a.Accounts.Activate(r.Context(), req)
		}, 404, 410, 429),
		withBody("auth-resend-activation", 202, func(a *API, r *http.Request, req account.EmailRequest) (account.MessageResponse, error) {
			return a.Accounts.ResendActivation(r.Context(), req)
		}, 429),
		{name: "auth-login", request: account.LoginRequest{}, responses: map[int]any{200: account.LoginResponse{}, 202: account.MFAChallengeResponse{}}, errors: []int{401, 429},
			handle: func(a *API, w http.ResponseWriter, r *http.Request) {
				var req account.LoginRequest
				if err := httpapi.DecodeJSON(r, &req); err != nil {
					httpapi.WriteError(w, r, err)
					return
				}
				noteSignInEmail(r, req.Email)
				signedIn(w, r)(a.Accounts.Login(r.Context(), req))
			}},
		{name: "auth-login-mfa", request: account.LoginMFARequest{}, responses: map[int]any{200: account.LoginResponse{}}, errors: []int{401, 429},
			handle: func(a *API, w http.ResponseWriter, r *http.Request) {
				var req account.LoginMFARequest
				if err := httpapi.DecodeJSON(r, &req); err != nil {
					httpapi.WriteError(w, r, err)
					return
				}
				noteSignInEmail(r, req.Email)
				signedIn(w, r)(a.Accounts.LoginMFA(r.Context(), req))
			}},
		noBody("auth-mfa-setup", 200, func(a *API, r *http.Request) (account.MFASetupResponse, error) {
			return a.Accounts.StartMFA(r.Context(), session(r))
		}, 409),
		withBody("auth-mfa-verify", 200, func(a *API, r *http.Request, req account.MFACodeRequest) (account.AccountView, error) {
			return a.Accounts.ConfirmMFA(r.Context(), session(r), req)
		}, 429),
		noBody("auth-mfa-disable", 200, func(a *API, r *http.Request) (account.AccountView, error) {
			return a.Accounts.DisableMFA(r.Context(), session(r))
		}),
		{name: "auth-refresh", responses: map[int]any{200: account.LoginResponse{}},
			handle: func(a *API, w http.ResponseWriter, r *http.Request) {
				resp, expires, err := a.Accounts.Refresh(r.Context(), session(r))
				if err == nil {
					extendSession(w, r, session(r), expires)
				}
				ok(w, r, http.StatusOK, resp, err)
			}},
		{name: "auth-logout", responses: map[int]any{204: nil},
			handle: func(a *API, w http.ResponseWriter, r *http.Request) {
				if err := a.Accounts.Logout(r.Context(), session(r)); err != nil {
					httpapi.WriteError(w, r, err)
					return
				}
				clearSession(w, r)
				setCSRFCookie(w, r, account.NewToken(), time.Time{})
				w.WriteHeader(http.StatusNoContent)
			}},
		withBody("auth-confirm-password", 200, func(a *API, r *http.Request, req account.ConfirmPasswordRequest) (account.MessageResponse, error) {
			return a.Accounts.ConfirmPassword(r.Context(), session(r), req)
		}, 429),
		withBody("auth-forgot-password", 202, func(a *API, r *http.Request, req account.EmailRequest) (account.MessageResponse, error) {
			return a.Accounts.ForgotPassword(r.Context(), req)
		}, 429),
		withBody("auth-reset-password", 200, func(a *API, r *http.Request, req account.ResetPasswordRequest) (account.MessageResponse, error) {
			return a.Accounts.ResetPassword(r.Context(), req)
		}, 404, 410),
		noBody("account-get", 200, func(a *API, r *http.Request) (account.AccountView, error) {
			return a.Accounts.Account(r.Context(), session(r))
		}),
		withBody("account-update", 200, func(a *API, r *http.Request, req account.UpdateAccountRequest) (account.AccountView, error) {
			return a.Accounts.UpdateAccount(r.Context(), session(r), req)
		}, 409),
		withBody("account-preferences", 200, func(a *API, r *http.Request, req account.Preferences) (account.AccountView, error) {
			return a.Accounts.UpdatePreferences(r.Context(), session(r), req)
		}, 409),
		withBody("account-change-password", 200, func(a *API, r *http.Request, req account.ChangePasswordRequest) (account.AccountView, error) {
			return a.Accounts.ChangePassword(r.Context(), session(r), req)
		}, 429),
	}
}

// noteSignInEmail gives the sign-in's security event the address it was tried for.
func noteSignInEmail(r *http.Request, email string) {
	if e, ok := r.Context().Value(signInEmailKey{}).(*string); ok {
		*e = validation.NormalizeEmail(email)
	}
}

// signedIn answers a sign-in step: the session's cookies and 200, or 202 with the
// challenge when a code of the authenticator app is needed first.
func signedIn(w http.ResponseWriter, r *http.Request) func(account.NewSession, error) {
	return func(s account.NewSession, err error) {
		switch {
		case err != nil:
			httpapi.WriteError(w, r, err)
		case s.Challenge != nil:
			httpapi.WriteJSON(w, http.StatusAccepted, s.Challenge)
		default:
			setSession(w, r, s)
			httpapi.WriteJSON(w, http.StatusOK, s.Response)
		}
	}
}
