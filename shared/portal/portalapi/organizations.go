package portalapi

import (
	"context"
	"net/http"

	"github.com/bank/devportal/shared/platform/paging"
	"github.com/bank/devportal/shared/portal/approval"
	"github.com/bank/devportal/shared/portal/org"
)

// organizationEndpoints are the endpoints of organizations: onboarding, members, invitations,
// requests and audit.
func organizationEndpoints() []endpoint {
	return []endpoint{
		noBody("org-list", 200, func(a *API, r *http.Request) (OrganizationsResponse, error) {
			list, err := a.Orgs.Mine(r.Context(), actorOf(r))
			return OrganizationsResponse{Organizations: list}, err
		}),
		withBody("org-onboard", 202, func(a *API, r *http.Request, req org.OnboardingRequest) (org.OnboardingResponse, error) {
			return a.Orgs.Onboard(r.Context(), actorOf(r), req)
		}),
		withBody("org-certificates-preview", 200, func(a *API, r *http.Request, req org.PreviewRequest) (org.CertificatesView, error) {
			return a.Orgs.Preview(r.Context(), req)
		}),
		withBody("sandbox-certificates", 201, func(a *API, r *http.Request, req org.SandboxCertificateRequest) (org.SandboxCertificate, error) {
			return a.Orgs.IssueSandboxCertificateTo(r.Context(), actorOf(r), a.SandboxCA, req)
		}, 404),
		withBody("org-join", 200, func(a *API, r *http.Request, req org.JoinRequest) (org.OrganizationView, error) {
			return a.Orgs.Join(r.Context(), actorOf(r), req)
		}, 409),
		noBody("org-get", 200, func(a *API, r *http.Request) (org.OrganizationView, error) {
			return a.Orgs.Get(r.Context(), actorOf(r), r.PathValue("orgId"))
		}, 404),
		noBody("org-members", 200, func(a *API, r *http.Request) (org.MembersView, error) {
			return paged(r, func(ctx context.Context, p paging.Page) (org.MembersView, error) {
				return a.Orgs.Members(ctx, actorOf(r), r.PathValue("orgId"), p)
			})
		}, 400, 404).withQuery(pageParams...),
		noBody("org-code-regenerate", 200, func(a *API, r *http.Request) (org.OrganizationView, error) {
			return a.Orgs.RegenerateCode(r.Context(), actorOf(r), r.PathValue("orgId"))
		}, 404, 409),
		noBody("org-requests", 200, func(a *API, r *http.Request) (org.RequestsView, error) {
			return paged(r, func(ctx context.Context, p paging.Page) (org.RequestsView, error) {
				return a.Orgs.Requests(ctx, actorOf(r), r.PathValue("orgId"), p)
			})
		}, 400, 404).withQuery(pageParams...),
		noBody("org-audit", 200, func(a *API, r *http.Request) (org.AuditView, error) {
			f, err := org.AuditQuery{Action: r.URL.Query().Get("action"), From: r.URL.Query().Get("from"), To: r.URL.Query().Get("to")}.Filter()
			if err != nil {
				return org.AuditView{}, err
			}
			return paged(r, func(ctx context.Context, p paging.Page) (org.AuditView, error) {
				return a.Orgs.Audit(ctx, actorOf(r), r.PathValue("orgId"), f, p)
			})
		}, 400, 404).withQuery(append(auditParams[2:], pageParams...)...),
		withBody("org-member-role", 200, func(a *API, r *http.Request, req org.RoleRequest) (org.Member, error) {
			return a.Orgs.ChangeRole(r.Context(), actorOf(r), r.PathValue("orgId"), r.PathValue("userId"), req)
		}, 404, 409),
		noContent("org-member-remove", func(a *API, r *http.Request) error {
			return a.Orgs.RemoveMember(r.Context(), actorOf(r), r.PathValue("orgId"), r.PathValue("userId"))
		}),
		noContent("org-leave", func(a *API, r *http.Request) error {
			return a.Orgs.Leave(r.Context(), actorOf(r), r.PathValue("orgId"))
		}),
		withBody("org-owner", 200, func(a *API, r *http.Request, req org.OwnerRequest) (org.OrganizationView, error) {
			return a.Orgs.ChangeOwner(r.Context(), actorOf(r), r.PathValue("orgId"), req)
		}, 404, 409),
		noBody("org-invitations", 200, func(a *API, r *http.Request) (org.InvitationsView, error) {
			return paged(r, func(ctx context.Context, p paging.Page) (org.InvitationsView, error) {
				return a.Orgs.Invitations(ctx, actorOf(r), r.PathValue("orgId"), p)
			})
		}, 400, 404).withQuery(pageParams...),
		withBody("org-invite", 201, func(a *API, r *http.Request, req org.InviteRequest) (org.Invitation, error) {
			return a.Orgs.Invite(r.Context(), actorOf(r), r.PathValue("orgId"), req)
		}, 404, 409),
		noBody("org-invitation-resend", 200, func(a *API, r *http.Request) (org.Invitation, error) {
			return a.Orgs.ResendInvitation(r.Context(), actorOf(r), r.PathValue("orgId"), r.PathValue("invitationId"))
		}, 404, 409, 429),
		noContent("org-invitation-revoke", func(a *API, r *http.Request) error {
			return a.Orgs.RevokeInvitation(r.Context(), actorOf(r), r.PathValue("orgId"), r.PathValue("invitationId"))
		}),
		withBody("invitation-lookup", 200, func(a *API, r *http.Request, req org.InvitationToken) (org.InvitationInfo, error) {
			return a.Orgs.InvitationInfo(r.Context(), req)
		}, 404),
		withBody("invitation-accept", 200, func(a *API, r *http.Request, req org.AcceptRequest) (org.OrganizationView, error) {
			return a.Orgs.AcceptInvitation(r.Context(), actorOf(r), req)
		}, 404, 409, 410),
		withBody("org-certificates-renew", 200, func(a *API, r *http.Request, req org.RenewalRequest) (org.RenewalResponse, error) {
			return a.Orgs.Renew(r.Context(), actorOf(r), r.PathValue("orgId"), req)
		}, 404, 409),
		withBody("org-rename", 202, func(a *API, r *http.Request, req org.RenameRequest) (approval.Request, error) {
			return a.Orgs.Rename(r.Context(), actorOf(r), r.PathValue("orgId"), req)
		}, 404, 409),
		withBody("org-offboard", 202, func(a *API, r *http.Request, req org.OffboardingRequest) (approval.Request, error) {
			return a.Orgs.Offboard(r.Context(), actorOf(r), r.PathValue("orgId"), req)
		}, 404, 409),
	}
}

// OrganizationsResponse lists the user's organizations.
type OrganizationsResponse struct {
	Organizations []org.OrganizationView `json:"organizations"`
}
