package portalapi

import (
	"context"
	"errors"
	"net/http"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/platform/paging"
	"github.com/bank/devportal/shared/portal/approval"
	"github.com/bank/devportal/shared/portal/apps"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/trust/eidas"
)

// operationsEndpoints are the endpoints of the operations console: requests and their
// decisions, organizations, audit.
func operationsEndpoints() []endpoint {
	return []endpoint{
		noBody("ops-requests", 200, func(a *API, r *http.Request) (RequestsResponse, error) {
			status := approval.Status(r.URL.Query().Get("status"))
			if status == "" {
				status = approval.Pending
			}
			switch status {
			case approval.Pending, approval.Deciding, approval.Approved, approval.Rejected, approval.Expired, approval.Failed:
			default:
				return RequestsResponse{}, apperr.Fields(apperr.Field("status", "oneof", "Must be one of: PENDING, DECIDING, APPROVED, REJECTED, EXPIRED, FAILED."))
			}
			page, err := paging.FromQuery(r.URL.Query())
			if err != nil {
				return RequestsResponse{}, err
			}
			list, next, err := a.Approvals.Page(r.Context(), status, page)
			if list == nil {
				list = []approval.Request{}
			}
			return RequestsResponse{Requests: list, NextCursor: next}, err
		}, 400).withQuery(append([]queryParam{{name: "status", description: "The requests' status; PENDING when left out.",
			enum: []string{string(approval.Pending), string(approval.Deciding), string(approval.Approved), string(approval.Rejected), string(approval.Expired), string(approval.Failed)}}},
			pageParams...)...),
		noBody("ops-request-get", 200, func(a *API, r *http.Request) (RequestDetail, error) {
			return a.requestDetail(r)
		}, 404),
		withBody("ops-request-approve", 202, func(a *API, r *http.Request, req approval.DecisionRequest) (approval.Request, error) {
			return a.Approvals.Approve(r.Context(), r.PathValue("requestId"), a.decision(r, req))
		}, 403, 404, 409, 410),
		withBody("ops-request-reject", 202, func(a *API, r *http.Request, req approval.DecisionRequest) (approval.Request, error) {
			return a.Approvals.Reject(r.Context(), r.PathValue("requestId"), a.decision(r, req))
		}, 403, 404, 409, 410),
		noBody("ops-organizations", 200, func(a *API, r *http.Request) (org.SummariesView, error) {
			return paged(r, a.Orgs.OpsList)
		}, 400).withQuery(pageParams...),
		noBody("ops-organization-get", 200, func(a *API, r *http.Request) (org.OpsDetail, error) {
			return a.Orgs.OpsGet(r.Context(), r.PathValue("orgId"))
		}, 404),
		noBody("ops-organization-requests", 200, func(a *API, r *http.Request) (org.RequestsView, error) {
			return paged(r, func(ctx context.Context, p paging.Page) (org.RequestsView, error) {
				return a.Orgs.OpsRequests(ctx, r.PathValue("orgId"), p)
			})
		}, 400, 404).withQuery(pageParams...),
		noBody("ops-member-mfa-reset", 200, func(a *API, r *http.Request) (org.MFAReset, error) {
			return a.Orgs.OpsResetMFA(r.Context(), actorOf(r), r.PathValue("orgId"), r.PathValue("userId"))
		}, 403, 404),
		noBody("ops-audit", 200, func(a *API, r *http.Request) (org.AuditView, error) {
			f, err := org.AuditQuery{OrganizationID: r.URL.Query().Get("organizationId"), Actor: r.URL.Query().Get("actor"), Action: r.URL.Query().Get("action"),
				From: r.URL.Query().Get("from"), To: r.URL.Query().Get("to")}.Filter()
			if err != nil {
				return org.AuditView{}, err
			}
			return paged(r, func(ctx context.Context, p paging.Page) (org.AuditView, error) { return a.Orgs.OpsAudit(ctx, f, p) })
		}, 400).withQuery(append(auditParams, pageParams...)...),
	}
}

// RequestsResponse lists requests for operations.
type RequestsResponse struct {
	Requests []approval.Request `json:"requests"`
	// NextCursor asks for the next page; it is absent on the last.
	NextCursor string `json:"nextCursor,omitempty"`
}

// auditParams filter an audit trail; an organization's own takes the last three.
var auditParams = []queryParam{
	{name: "organizationId", description: "Only this organization's entries."},
	{name: "actor", description: "Only the entries whose actor's address contains this text (any case)."},
	{name: "action", description: "Only the entries of this action, for example member.joined."},
	{name: "from", description: "Only the entries from this time on (RFC 3339, included)."},
	{name: "to", description: "Only the entries before this time (RFC 3339, excluded)."},
}

// pageParams are the query parameters of every paged list.
var pageParams = []queryParam{
	{name: "cursor", description: "Where the page starts: the nextCursor of the page before, unchanged; the first page when left out."},
	{name: "limit", description: "The most items on the page: " + paging.MsgLimit},
}

// paged runs a list of one page, the page the request asks for.
func paged[T any](r *http.Request, list func(context.Context, paging.Page) (T, error)) (T, error) {
	page, err := paging.FromQuery(r.URL.Query())
	if err != nil {
		var zero T
		return zero, err
	}
	return list(r.Context(), page)
}

// RequestDetail is a request with the organization it concerns, for a decision.
type RequestDetail struct {
	Request      approval.Request `json:"request"`
	Organization org.OpsDetail    `json:"organization"`
	// Certificate is the mTLS certificate a go-live request names, as uploaded to the
	// production organization; nil for other requests, or once the certificate is gone.
	Certificate *RequestCertificate `json:"certificate,omitempty"`
	// Renewal is what a certificate renewal replaces, certificate by certificate, while it
	// waits for the decision; absent for other requests and once decided.
	Renewal []RenewedCertificate `json:"renewal,omitempty"`
}

// RenewedCertificate is one certificate a renewal replaces: the one in force and the new one.
type RenewedCertificate struct {
	Kind    string              `json:"kind" enum:"qwac,qsealc"`
	Current *RequestCertificate `json:"current,omitempty"`
	Renewal *RequestCertificate `json:"renewal"`
}

// RequestCertificate is a certificate a request names: what it says, and whether it chains
// to a CA the bank trusts.
type RequestCertificate struct {
	Certificate *eidas.Certificate    `json:"certificate"`
	Trust       *org.CertificateTrust `json:"trust"`
}

func (a *API) requestDetail(r *http.Request) (RequestDetail, error) {
	req, err := a.Approvals.Get(r.Context(), r.PathValue("requestId"))
	if err != nil {
		return RequestDetail{}, err
	}
	o, err := a.Orgs.OpsGet(r.Context(), req.OrgID)
	if err != nil {
		return RequestDetail{}, err
	}
	d := RequestDetail{Request: req, Organization: o}
	if fp := req.Form["certificate"]; req.Kind == apps.KindGoLive && fp != "" && a.Apps != nil {
		c, err := a.Apps.UploadedCertificate(r.Context(), req.OrgID, fp)
		switch {
		case errors.Is(err, apperr.ErrNotFound):
		case err != nil:
			return RequestDetail{}, err
		default:
			d.Certificate = &RequestCertificate{Certificate: c, Trust: a.Orgs.TrustOf(c)}
		}
	}
	if req.Kind == org.KindCertificateRenewal {
		pairs, err := a.Orgs.RenewalOf(r.Context(), req.OrgID, req.ID)
		if err != nil {
			return RequestDetail{}, err
		}
		for _, p := range pairs {
			rc := RenewedCertificate{Kind: p.Kind, Renewal: &RequestCertificate{Certificate: p.Renewal, Trust: a.Orgs.TrustOf(p.Renewal)}}
			if p.Current != nil {
				rc.Current = &RequestCertificate{Certificate: p.Current, Trust: a.Orgs.TrustOf(p.Current)}
			}
			d.Renewal = append(d.Renewal, rc)
		}
	}
	return d, nil
}

func (a *API) decision(r *http.Request, req approval.DecisionRequest) approval.Decision {
	sess := sessionFrom(r.Context())
	return approval.Decision{ActorID: sess.UserID, Actor: sess.Email, Comment: req.Comment}
}
