package portalapi

import (
	"net/http"
	"time"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/platform/httpapi"
	"github.com/bank/devportal/shared/portal/account"
	"github.com/bank/devportal/shared/portal/approval"
	"github.com/bank/devportal/shared/portal/apps"
	"github.com/bank/devportal/shared/portal/org"
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

// noContent is an endpoint of a signed-in actor that answers 204.
func noContent(do func(a *API, r *http.Request, act org.Actor) error) endpoint {
	return endpoint{responses: map[int]any{204: nil}, errors: []int{404, 409},
		handle: func(a *API, w http.ResponseWriter, r *http.Request) {
			act, err := a.actor(r)
			if err == nil {
				err = do(a, r, act)
			}
			if err != nil {
				httpapi.WriteError(w, r, err)
				return
			}
			w.WriteHeader(http.StatusNoContent)
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
		"org-list": noBody(200, func(a *API, r *http.Request) (OrganizationsResponse, error) {
			act, err := a.actor(r)
			if err != nil {
				return OrganizationsResponse{}, err
			}
			list, err := a.Orgs.Mine(r.Context(), act)
			return OrganizationsResponse{Organizations: list}, err
		}),
		"org-onboard": withBody(202, func(a *API, r *http.Request, req org.OnboardingRequest) (org.OnboardingResponse, error) {
			act, err := a.actor(r)
			if err != nil {
				return org.OnboardingResponse{}, err
			}
			return a.Orgs.Onboard(r.Context(), act, req)
		}),
		"org-certificates-preview": withBody(200, func(a *API, r *http.Request, req org.PreviewRequest) (org.CertificatesView, error) {
			return a.Orgs.Preview(req)
		}),
		"sandbox-certificates": withBody(201, func(a *API, r *http.Request, req org.SandboxCertificateRequest) (org.SandboxCertificate, error) {
			return a.Orgs.IssueSandboxCertificate(a.SandboxCA, req)
		}, 404),
		"org-join": withBody(200, func(a *API, r *http.Request, req org.JoinRequest) (org.OrganizationView, error) {
			act, err := a.actor(r)
			if err != nil {
				return org.OrganizationView{}, err
			}
			return a.Orgs.Join(r.Context(), act, req)
		}, 409),
		"org-get": noBody(200, func(a *API, r *http.Request) (org.OrganizationView, error) {
			act, err := a.actor(r)
			if err != nil {
				return org.OrganizationView{}, err
			}
			return a.Orgs.Get(r.Context(), act, r.PathValue("orgId"))
		}, 404),
		"org-members": noBody(200, func(a *API, r *http.Request) (org.MembersView, error) {
			act, err := a.actor(r)
			if err != nil {
				return org.MembersView{}, err
			}
			return a.Orgs.Members(r.Context(), act, r.PathValue("orgId"))
		}, 404),
		"org-code-regenerate": noBody(200, func(a *API, r *http.Request) (org.OrganizationView, error) {
			act, err := a.actor(r)
			if err != nil {
				return org.OrganizationView{}, err
			}
			return a.Orgs.RegenerateCode(r.Context(), act, r.PathValue("orgId"))
		}, 404, 409),
		"org-requests": noBody(200, func(a *API, r *http.Request) (org.RequestsView, error) {
			act, err := a.actor(r)
			if err != nil {
				return org.RequestsView{}, err
			}
			return a.Orgs.Requests(r.Context(), act, r.PathValue("orgId"))
		}, 404),
		"org-audit": noBody(200, func(a *API, r *http.Request) (org.AuditView, error) {
			act, err := a.actor(r)
			if err != nil {
				return org.AuditView{}, err
			}
			return a.Orgs.Audit(r.Context(), act, r.PathValue("orgId"))
		}, 404),
		"org-member-role": withBody(200, func(a *API, r *http.Request, req org.RoleRequest) (org.Member, error) {
			act, err := a.actor(r)
			if err != nil {
				return org.Member{}, err
			}
			return a.Orgs.ChangeRole(r.Context(), act, r.PathValue("orgId"), r.PathValue("userId"), req)
		}, 404, 409),
		"org-member-remove": noContent(func(a *API, r *http.Request, act org.Actor) error {
			return a.Orgs.RemoveMember(r.Context(), act, r.PathValue("orgId"), r.PathValue("userId"))
		}),
		"org-leave": noContent(func(a *API, r *http.Request, act org.Actor) error {
			return a.Orgs.Leave(r.Context(), act, r.PathValue("orgId"))
		}),
		"org-owner": withBody(200, func(a *API, r *http.Request, req org.OwnerRequest) (org.OrganizationView, error) {
			act, err := a.actor(r)
			if err != nil {
				return org.OrganizationView{}, err
			}
			return a.Orgs.ChangeOwner(r.Context(), act, r.PathValue("orgId"), req)
		}, 404, 409),
		"org-invitations": noBody(200, func(a *API, r *http.Request) (org.InvitationsView, error) {
			act, err := a.actor(r)
			if err != nil {
				return org.InvitationsView{}, err
			}
			return a.Orgs.Invitations(r.Context(), act, r.PathValue("orgId"))
		}, 404),
		"org-invite": withBody(201, func(a *API, r *http.Request, req org.InviteRequest) (org.Invitation, error) {
			act, err := a.actor(r)
			if err != nil {
				return org.Invitation{}, err
			}
			return a.Orgs.Invite(r.Context(), act, r.PathValue("orgId"), req)
		}, 404, 409),
		"org-invitation-resend": noBody(200, func(a *API, r *http.Request) (org.Invitation, error) {
			act, err := a.actor(r)
			if err != nil {
				return org.Invitation{}, err
			}
			return a.Orgs.ResendInvitation(r.Context(), act, r.PathValue("orgId"), r.PathValue("invitationId"))
		}, 404, 409, 429),
		"org-invitation-revoke": noContent(func(a *API, r *http.Request, act org.Actor) error {
			return a.Orgs.RevokeInvitation(r.Context(), act, r.PathValue("orgId"), r.PathValue("invitationId"))
		}),
		"invitation-get": noBody(200, func(a *API, r *http.Request) (org.InvitationInfo, error) {
			return a.Orgs.InvitationInfo(r.Context(), r.PathValue("token"))
		}, 404),
		"invitation-accept": withBody(200, func(a *API, r *http.Request, req org.AcceptRequest) (org.OrganizationView, error) {
			act, err := a.actor(r)
			if err != nil {
				return org.OrganizationView{}, err
			}
			return a.Orgs.AcceptInvitation(r.Context(), act, req)
		}, 404, 409, 410),
		"org-rename": withBody(202, func(a *API, r *http.Request, req org.RenameRequest) (approval.Request, error) {
			act, err := a.actor(r)
			if err != nil {
				return approval.Request{}, err
			}
			return a.Orgs.Rename(r.Context(), act, r.PathValue("orgId"), req)
		}, 404, 409),
		"org-offboard": withBody(202, func(a *API, r *http.Request, req org.OffboardingRequest) (approval.Request, error) {
			act, err := a.actor(r)
			if err != nil {
				return approval.Request{}, err
			}
			return a.Orgs.Offboard(r.Context(), act, r.PathValue("orgId"), req)
		}, 404, 409),
		"app-list": noBody(200, func(a *API, r *http.Request) (apps.AppsView, error) {
			act, err := a.actor(r)
			if err != nil {
				return apps.AppsView{}, err
			}
			return a.Apps.List(r.Context(), act, r.PathValue("orgId"))
		}, 404),
		"app-create": withBody(201, func(a *API, r *http.Request, req apps.NameRequest) (apps.AppCreated, error) {
			act, err := a.actor(r)
			if err != nil {
				return apps.AppCreated{}, err
			}
			return a.Apps.Create(r.Context(), act, r.PathValue("orgId"), req)
		}, 404, 409),
		"app-get": noBody(200, func(a *API, r *http.Request) (apps.AppDetail, error) {
			act, err := a.actor(r)
			if err != nil {
				return apps.AppDetail{}, err
			}
			return a.Apps.Get(r.Context(), act, r.PathValue("orgId"), r.PathValue("appId"))
		}, 404),
		"app-rename": withBody(200, func(a *API, r *http.Request, req apps.NameRequest) (apps.App, error) {
			act, err := a.actor(r)
			if err != nil {
				return apps.App{}, err
			}
			return a.Apps.Rename(r.Context(), act, r.PathValue("orgId"), r.PathValue("appId"), req)
		}, 404, 409),
		"app-delete": noContent(func(a *API, r *http.Request, act org.Actor) error {
			return a.Apps.Delete(r.Context(), act, r.PathValue("orgId"), r.PathValue("appId"))
		}),
		"app-redirect-add": withBody(201, func(a *API, r *http.Request, req apps.RedirectRequest) (apps.App, error) {
			act, err := a.actor(r)
			if err != nil {
				return apps.App{}, err
			}
			return a.Apps.AddRedirectURI(r.Context(), act, r.PathValue("orgId"), r.PathValue("appId"), req)
		}, 404, 409),
		"app-redirect-remove": noContent(func(a *API, r *http.Request, act org.Actor) error {
			return a.Apps.RemoveRedirectURI(r.Context(), act, r.PathValue("orgId"), r.PathValue("appId"), r.URL.Query().Get("uri"))
		}),
		"org-certificates": noBody(200, func(a *API, r *http.Request) (apps.CertificatesView, error) {
			act, err := a.actor(r)
			if err != nil {
				return apps.CertificatesView{}, err
			}
			return a.Apps.Certificates(r.Context(), act, r.PathValue("orgId"))
		}, 404),
		"org-certificate-upload": withBody(201, func(a *API, r *http.Request, req apps.UploadRequest) (apps.Certificate, error) {
			act, err := a.actor(r)
			if err != nil {
				return apps.Certificate{}, err
			}
			return a.Apps.Upload(r.Context(), act, r.PathValue("orgId"), req)
		}, 404, 409),
		"app-certificate-attach": withBody(200, func(a *API, r *http.Request, req apps.SelectRequest) (apps.Certificate, error) {
			act, err := a.actor(r)
			if err != nil {
				return apps.Certificate{}, err
			}
			return a.Apps.AttachCertificate(r.Context(), act, r.PathValue("orgId"), r.PathValue("appId"), req)
		}, 404, 409),
		"app-certificate-detach": noContent(func(a *API, r *http.Request, act org.Actor) error {
			return a.Apps.DetachCertificate(r.Context(), act, r.PathValue("orgId"), r.PathValue("appId"), r.PathValue("fingerprint"))
		}),
		"credential-add": withBody(201, func(a *API, r *http.Request, req apps.NameRequest) (apps.NewCredential, error) {
			act, err := a.actor(r)
			if err != nil {
				return apps.NewCredential{}, err
			}
			return a.Apps.AddCredential(r.Context(), act, r.PathValue("orgId"), r.PathValue("appId"), req)
		}, 404, 409),
		"credential-verify": withBody(200, func(a *API, r *http.Request, req apps.VerifyRequest) (apps.VerifyResult, error) {
			act, err := a.actor(r)
			if err != nil {
				return apps.VerifyResult{}, err
			}
			return a.Apps.Verify(r.Context(), act, r.PathValue("orgId"), r.PathValue("appId"), r.PathValue("clientId"), req)
		}, 404, 409),
		"credential-reset": noBody(200, func(a *API, r *http.Request) (apps.NewCredential, error) {
			act, err := a.actor(r)
			if err != nil {
				return apps.NewCredential{}, err
			}
			return a.Apps.ResetSecret(r.Context(), act, r.PathValue("orgId"), r.PathValue("appId"), r.PathValue("clientId"))
		}, 404, 409),
		"credential-rename": withBody(200, func(a *API, r *http.Request, req apps.NameRequest) (apps.Credential, error) {
			act, err := a.actor(r)
			if err != nil {
				return apps.Credential{}, err
			}
			return a.Apps.RenameCredential(r.Context(), act, r.PathValue("orgId"), r.PathValue("appId"), r.PathValue("clientId"), req)
		}, 404, 409),
		"credential-revoke": noContent(func(a *API, r *http.Request, act org.Actor) error {
			return a.Apps.RevokeCredential(r.Context(), act, r.PathValue("orgId"), r.PathValue("appId"), r.PathValue("clientId"))
		}),
		"org-certificate-delete": noContent(func(a *API, r *http.Request, act org.Actor) error {
			return a.Apps.DeleteCertificate(r.Context(), act, r.PathValue("orgId"), r.PathValue("fingerprint"))
		}),
		"app-certificate-issue": noBody(201, func(a *API, r *http.Request) (apps.SandboxCertificate, error) {
			act, err := a.actor(r)
			if err != nil {
				return apps.SandboxCertificate{}, err
			}
			return a.Apps.IssueSandboxCertificate(r.Context(), act, r.PathValue("orgId"), r.PathValue("appId"))
		}, 404, 409),
		"product-catalog": noBody(200, func(a *API, r *http.Request) (apps.CatalogView, error) {
			return a.Apps.Products(), nil
		}),
		"subscription-list": noBody(200, func(a *API, r *http.Request) (apps.SubscriptionsView, error) {
			act, err := a.actor(r)
			if err != nil {
				return apps.SubscriptionsView{}, err
			}
			return a.Apps.Subscriptions(r.Context(), act, r.PathValue("orgId"), r.PathValue("appId"))
		}, 404),
		"subscription-create": withBody(201, func(a *API, r *http.Request, req apps.SubscribeRequest) (apps.Subscription, error) {
			act, err := a.actor(r)
			if err != nil {
				return apps.Subscription{}, err
			}
			return a.Apps.Subscribe(r.Context(), act, r.PathValue("orgId"), r.PathValue("appId"), req)
		}, 404, 409),
		"subscription-delete": noContent(func(a *API, r *http.Request, act org.Actor) error {
			return a.Apps.Unsubscribe(r.Context(), act, r.PathValue("orgId"), r.PathValue("appId"), r.PathValue("productId"))
		}),
		"app-go-live": withBody(202, func(a *API, r *http.Request, req apps.GoLiveRequest) (approval.Request, error) {
			act, err := a.actor(r)
			if err != nil {
				return approval.Request{}, err
			}
			return a.Apps.RequestGoLive(r.Context(), act, r.PathValue("orgId"), r.PathValue("appId"), req)
		}, 404, 409),
		"ops-requests": noBody(200, func(a *API, r *http.Request) (RequestsResponse, error) {
			status := approval.Status(r.URL.Query().Get("status"))
			if status == "" {
				status = approval.Pending
			}
			switch status {
			case approval.Pending, approval.Deciding, approval.Approved, approval.Rejected, approval.Expired, approval.Failed:
			default:
				return RequestsResponse{}, apperr.Fields(apperr.Field("status", "oneof", "Must be one of: PENDING, DECIDING, APPROVED, REJECTED, EXPIRED, FAILED."))
			}
			list, err := a.Approvals.List(r.Context(), status)
			if list == nil {
				list = []approval.Request{}
			}
			return RequestsResponse{Requests: list}, err
		}, 400),
		"ops-request-get": noBody(200, func(a *API, r *http.Request) (RequestDetail, error) {
			return a.requestDetail(r)
		}, 404),
		"ops-request-approve": withBody(202, func(a *API, r *http.Request, req approval.DecisionRequest) (approval.Request, error) {
			return a.Approvals.Approve(r.Context(), r.PathValue("requestId"), a.decision(r, req))
		}, 404, 409, 410),
		"ops-request-reject": withBody(202, func(a *API, r *http.Request, req approval.DecisionRequest) (approval.Request, error) {
			return a.Approvals.Reject(r.Context(), r.PathValue("requestId"), a.decision(r, req))
		}, 404, 409, 410),
		"ops-organizations": noBody(200, func(a *API, r *http.Request) (org.SummariesView, error) {
			return a.Orgs.OpsList(r.Context())
		}),
		"ops-organization-get": noBody(200, func(a *API, r *http.Request) (org.OpsDetail, error) {
			return a.Orgs.OpsGet(r.Context(), r.PathValue("orgId"))
		}, 404),
		"ops-audit": noBody(200, func(a *API, r *http.Request) (org.AuditView, error) {
			return a.Orgs.OpsAudit(r.Context())
		}),
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

// OrganizationsResponse lists the user's organizations.
type OrganizationsResponse struct {
	Organizations []org.OrganizationView `json:"organizations"`
}

// RequestsResponse lists requests for operations.
type RequestsResponse struct {
	Requests []approval.Request `json:"requests"`
}

// RequestDetail is a request with the organization it concerns, for a decision.
type RequestDetail struct {
	Request      approval.Request `json:"request"`
	Organization org.OpsDetail    `json:"organization"`
}

func (a *API) requestDetail(r *http.Request) (RequestDetail, error) {
	req, err := a.Approvals.Get(r.Context(), r.PathValue("requestId"))
	if err != nil {
		return RequestDetail{}, err
	}
	o, err := a.Orgs.OpsGet(r.Context(), req.OrgID)
	return RequestDetail{Request: req, Organization: o}, err
}

// actor is the signed-in user with the name members see.
func (a *API) actor(r *http.Request) (org.Actor, error) {
	sess := sessionFrom(r.Context())
	acc, err := a.Accounts.Account(r.Context(), sess)
	if err != nil {
		return org.Actor{}, err
	}
	return org.Actor{UserID: sess.UserID, Email: sess.Email, FullName: acc.FullName}, nil
}

func (a *API) decision(r *http.Request, req approval.DecisionRequest) approval.Decision {
	sess := sessionFrom(r.Context())
	return approval.Decision{ActorID: sess.UserID, Actor: sess.Email, Comment: req.Comment}
}

// JobResponse reports a job run on demand.
type JobResponse struct {
	Job    string `json:"job"`
	Result any    `json:"result"`
}
