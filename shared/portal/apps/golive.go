package apps

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/platform/validation"
	"github.com/bank/devportal/shared/portal/approval"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/portal/workflow"
)

// KindGoLive is the approval request kind of a production access request.
const KindGoLive = "GO_LIVE"

// GoLiveSteps are the operations decisions a production access request needs, in order.
var GoLiveSteps = []string{"Review", "Contract signed"}

// GoLive is where a sandbox app's request for production access is.
type GoLive struct {
	RequestID       string          `json:"requestId" dynamodbav:"requestId"`
	Status          approval.Status `json:"status" dynamodbav:"status" enum:"PENDING,DECIDING,APPROVED,REJECTED,EXPIRED,FAILED"`
	ProductionOrgID string          `json:"productionOrganizationId" dynamodbav:"productionOrgId"`
	// ProductionAppID is the app created on approval.
	ProductionAppID string    `json:"productionAppId,omitempty" dynamodbav:"productionAppId,omitempty"`
	RequestedAt     time.Time `json:"requestedAt" dynamodbav:"requestedAt"`
	Reason          string    `json:"reason,omitempty" dynamodbav:"reason,omitempty"`
	// Step is the index in GoLiveSteps of the decision awaited, so the requester sees
	// progress without belonging to the production organization.
	Step int `json:"step" dynamodbav:"step"`
	// ProductionOffboarded is set, when the app is read, once the production organization
	// of an approved go-live has been offboarded: the production app is gone, and the app
	// may ask for production access again. Never stored.
	ProductionOffboarded bool `json:"productionOffboarded,omitempty" dynamodbav:"-"`
}

// GoLiveRequest asks for production access for a sandbox app: the production
// organization it will belong to, its production redirect URIs and the mTLS certificate
// (uploaded to the production organization) it will present.
type GoLiveRequest struct {
	ProductionOrganizationID string   `json:"productionOrganizationId" validate:"required,max=64" example:"fedcba9876543210"`
	RedirectURIs             []string `json:"redirectUris" validate:"max=10" example:"[\"https://budget.example/callback\"]"`
	Certificate              string   `json:"certificate" validate:"max=64" example:"47c9a554cc63faecc4e1af6d33922a3fe5157c007da65b574d2f2574d307dabc"`
}

// goLiveForm checks a go-live request and returns the production organization and the
// certificate; every problem is a field error.
func (s *Service) goLiveForm(ctx context.Context, a org.Actor, req GoLiveRequest) (org.Organization, Certificate, error) {
	req.ProductionOrganizationID = strings.TrimSpace(req.ProductionOrganizationID)
	errs := validation.Struct(req)
	var prod org.Organization
	if req.ProductionOrganizationID != "" && len(errs) == 0 {
		g, m, err := s.orgs.Membership(ctx, a, req.ProductionOrganizationID)
		switch {
		case err != nil:
			errs = append(errs, apperr.Field("productionOrganizationId", "unknown", "Choose a production organization you belong to."))
		case g.Environment != org.Production:
			errs = append(errs, apperr.Field("productionOrganizationId", "environment", g.Name+" is a sandbox organization; choose your production organization."))
		case g.Status != org.StatusActive:
			errs = append(errs, apperr.Field("productionOrganizationId", "notActive", "The onboarding of "+g.Name+" is not approved; it has to be before an app can go live."))
		case m.Role == org.Viewer:
			errs = append(errs, apperr.Field("productionOrganizationId", "role", "Viewers of "+g.Name+" cannot request production access."))
		default:
			prod = g
		}
	}
	if len(req.RedirectURIs) == 0 {
		errs = append(errs, apperr.Field("redirectUris", "required", "Register at least one https redirect URI for production."))
	}
	for i, uri := range req.RedirectURIs {
		if fe := CheckRedirectURI(uri, org.Production); fe != nil {
			fe.Field = fmt.Sprintf("redirectUris[%d]", i)
			errs = append(errs, *fe)
		} else if slices.Index(req.RedirectURIs, uri) != i {
			errs = append(errs, apperr.Field(fmt.Sprintf("redirectUris[%d]", i), "duplicate", "This redirect URI is listed twice."))
		}
	}
	var cert Certificate
	switch fp := strings.ToLower(strings.TrimSpace(req.Certificate)); {
	case fp == "":
		errs = append(errs, apperr.Field("certificate", "required", "Choose the mTLS certificate the production app will present."))
	case prod.ID == "":
		// The certificate is looked up in the production organization, once it is valid.
	default:
		c, err := s.certs.GetCertificate(ctx, prod.ID, fp)
		switch {
		case err != nil:
			errs = append(errs, apperr.Field("certificate", "unknown", "Upload this certificate to "+prod.Name+" first."))
		case c.AppID != "":
			errs = append(errs, apperr.Field("certificate", "attached", "Another app uses this certificate; a certificate identifies one app."))
		case c.RevokedAt != nil:
			errs = append(errs, revokedField("certificate", c))
		case c.Possession == nil:
			errs = append(errs, errUnprovenField("certificate"))
		case s.presented(ctx, fp):
			errs = append(errs, s.presentedField(ctx, a, fp))
		case s.Now().After(c.NotAfter):
			errs = append(errs, expiredField("certificate", c.NotAfter))
		default:
			// Uploaded under the production rules, unless before them; checked again,
			// also because its CA may have left the eIDAS truststore since.
			if _, certErrs := s.checkMTLS(prod, "certificate", c.PEM, s.Now()); len(certErrs) > 0 {
				errs = append(errs, certErrs...)
			} else {
				cert = c
			}
		}
	}
	if len(errs) > 0 {
		return org.Organization{}, Certificate{}, apperr.Fields(errs...)
	}
	return prod, cert, nil
}

// presentedField says which app already presents the certificate fp: when it is an app
// of one of the actor's own organizations (often the sandbox app that goes live, with the
// organization's QWAC), it names the app, so the user knows the certificate is theirs and
// what to do; only a stranger's app stays unnamed.
func (s *Service) presentedField(ctx context.Context, a org.Actor, fp string) apperr.FieldError {
	owner, err := s.certs.Fingerprint(ctx, fp)
	if err == nil {
		if g, _, err := s.orgs.Membership(ctx, a, owner.OrgID); err == nil {
			if app, err := s.store.GetApp(ctx, owner.OrgID, owner.AppID); err == nil {
				return apperr.Field("certificate", "presentedByOwnApp", fmt.Sprintf(
					"Your app %s of %s (%s) presents this certificate, and a certificate identifies one app. "+
						"Remove it from %s first, or choose another certificate for the production app.",
					app.Name, g.Name, g.Environment, app.Name))
			}
		}
	}
	return apperr.Field("certificate", "attachedElsewhere", "An app of another organization presents this certificate; use your own certificate.")
}

// RequestGoLive asks the bank for production access for a sandbox app (not Viewers).
// Operations decide in two steps; on approval a production app with new credentials is
// created in the production organization, and the sandbox app keeps working.
func (s *Service) RequestGoLive(ctx context.Context, a org.Actor, orgID, appID string, req GoLiveRequest) (approval.Request, error) {
	app, _, err := s.app(ctx, a, orgID, appID, true)
	if err != nil {
		return approval.Request{}, err
	}
	// A production organization offboarded since ended the earlier go-live.
	s.markOffboardedGoLive(ctx, &app)
	switch {
	case app.Environment != org.Sandbox:
		return approval.Request{}, apperr.New(apperr.Conflict, "ALREADY_PRODUCTION", "This app is already a production app.")
	case app.GoLive != nil && (app.GoLive.Status == approval.Pending || app.GoLive.Status == approval.Deciding):
		return approval.Request{}, apperr.New(apperr.Conflict, "REQUEST_PENDING", "This app's request for production access is waiting for the bank's decision.")
	case app.GoLive != nil && app.GoLive.Status == approval.Approved && !app.GoLive.ProductionOffboarded:
		return approval.Request{}, apperr.New(apperr.Conflict, "ALREADY_LIVE", "This app already has a production app.")
	}
	prod, cert, err := s.goLiveForm(ctx, a, req)
	if err != nil {
		return approval.Request{}, err
	}
	creds, err := s.store.ListCredentials(ctx, orgID, appID)
	if err != nil {
		return approval.Request{}, err
	}
	id := token(12)
	after := app.clone()
	after.GoLive = &GoLive{RequestID: id, Status: approval.Pending, ProductionOrgID: prod.ID, RequestedAt: s.Now()}
	writes, err := s.store.AppWrites(app, after, creds)
	if err != nil {
		return approval.Request{}, err
	}
	for _, g := range []string{orgID, prod.ID} {
		entry := s.audit(a, g, "golive.requested", map[string]string{"appId": appID, "appName": app.Name, "productionOrganizationId": prod.ID})
		entry.RequestID = id
		w, err := s.dir.AuditWrite(entry)
		if err != nil {
			return approval.Request{}, err
		}
		writes = append(writes, w)
	}
	products := make([]string, 0, len(app.Products))
	for p := range app.Products {
		products = append(products, p)
	}
	slices.Sort(products)
	form := map[string]string{"appId": appID, "appName": app.Name, "sandboxOrganizationId": orgID, "redirectUris": strings.Join(req.RedirectURIs, " "),
		"certificate": cert.Fingerprint, "certificateSubject": cert.Subject, "sandboxProducts": strings.Join(products, " ")}
	cert.Possession.Form("certificate", form)
	r, err := s.approvals.Submit(ctx, approval.Request{ID: id, Kind: KindGoLive, OrgID: prod.ID, OrgName: prod.Name, Environment: string(prod.Environment), RequesterID: a.UserID, RequesterEmail: a.Email,
		Summary: "Take " + app.Name + " live", Steps: GoLiveSteps, Form: form}, writes...)
	if errors.Is(err, apperr.ErrConflict) {
		return approval.Request{}, apperr.New(apperr.Conflict, "CONFLICT", "The app changed at the same time; reload and try again.")
	}
	return r, err
}

// goLiveKind writes the outcome of a production access request.
type goLiveKind struct{ s *Service }

// status is the write recording the request's outcome on the sandbox app.
func (k goLiveKind) status(r approval.Request, to approval.Status, prodAppID, reason string) (workflow.Write, error) {
	return k.s.store.GoLiveWrite(r.Form["sandboxOrganizationId"], r.Form["appId"], GoLive{RequestID: r.ID, Status: to, ProductionOrgID: r.OrgID,
		ProductionAppID: prodAppID, RequestedAt: r.CreatedAt, Reason: reason, Step: r.Step})
}

func (k goLiveKind) Approve(ctx context.Context, r approval.Request, d approval.Decision) (workflow.Effects, error) {
	if r.Step+1 < len(GoLiveSteps) {
		audit, err := k.s.dir.AuditWrite(org.AuditEntry{OrgID: r.OrgID, At: d.At, ActorID: d.ActorID, Actor: d.Actor, Action: "golive.step.approved", RequestID: r.ID,
			Details: map[string]string{"appId": r.Form["appId"], "step": GoLiveSteps[r.Step]}})
		if err != nil {
			return workflow.Effects{}, err
		}
		next := r
		next.Step++
		progress, err := k.status(next, approval.Pending, "", "")
		if err != nil {
			return workflow.Effects{}, err
		}
		items, err := workflow.Transaction(audit, progress)
		return workflow.Effects{Outcome: workflow.NextStep, TransactItems: items}, err
	}
	prodOrg, err := k.s.dir.GetOrganization(ctx, r.OrgID)
	if err != nil {
		return workflow.Effects{}, err
	}
	sandbox, err := k.s.store.GetApp(ctx, r.Form["sandboxOrganizationId"], r.Form["appId"])
	if err != nil {
		return workflow.Effects{}, err
	}
	// Told to operations now rather than failing in the workflow a moment later.
	cert, err := k.s.certs.GetCertificate(ctx, r.OrgID, r.Form["certificate"])
	switch {
	case err != nil:
		return workflow.Effects{}, apperr.New(apperr.Conflict, "CERTIFICATE_GONE", "The certificate of this request was removed from the production organization: reject the request so the requester can ask again.")
	case cert.RevokedAt != nil:
		return workflow.Effects{}, apperr.New(apperr.Conflict, "CERTIFICATE_REVOKED", "The certificate of this request was revoked: reject the request so the requester can ask again with a valid one.")
	case cert.AppID != "":
		return workflow.Effects{}, apperr.New(apperr.Conflict, "CERTIFICATE_TAKEN", "Another app now uses the certificate of this request: reject the request so the requester can ask again with another one.")
	case cert.Possession == nil:
		return workflow.Effects{}, apperr.New(apperr.Conflict, "CERTIFICATE_UNPROVEN", "Nobody proved possession of the private key of this request's certificate: reject the request so the requester can ask again with a proven one.")
	case d.At.After(cert.NotAfter):
		return workflow.Effects{}, apperr.New(apperr.Conflict, "CERTIFICATE_EXPIRED", "The certificate of this request has expired: reject the request so the requester can ask again with a valid one.")
	}
	app := App{ID: token(8), OrgID: r.OrgID, Name: sandbox.Name, Environment: org.Production, CreatedAt: d.At, CreatedBy: r.RequesterEmail,
		RedirectURIs: strings.Fields(r.Form["redirectUris"]), Fingerprints: []string{cert.Fingerprint}, SandboxAppID: sandbox.ID,
		// The production app keeps the authorization flow its sandbox app was tested with.
		FAPI: sandbox.FAPI}
	subWrites, err := k.s.mandatorySubscription(&app, "Bank operations")
	if err != nil {
		return workflow.Effects{}, err
	}
	// The production app keeps the sandbox app's PSD2 products the production
	// organization's roles allow; premium products are asked for again in production.
	held := roles(prodOrg)
	for _, id := range strings.Fields(r.Form["sandboxProducts"]) {
		p, ok := ProductByID(id)
		if !ok || p.Kind != KindPSD2 || !slices.Contains(held, p.RequiredRole) {
			continue
		}
		plan := p.PlanFor(org.Production)
		app.Products[p.ID] = plan.ID
		w, err := k.s.subs.SubscriptionWrite(Subscription{OrgID: app.OrgID, AppID: app.ID, ProductID: p.ID, ProductName: p.Name, PlanID: plan.ID,
			Status: SubscriptionActive, CreatedAt: d.At, UpdatedAt: d.At, History: []approval.Event{{At: d.At, Actor: "Bank operations", Action: "subscribed at go-live"}}})
		if err != nil {
			return workflow.Effects{}, err
		}
		subWrites = append(subWrites, w)
	}
	// The production app's usage keys exist before the workflow creates the app. Should
	// the decision fail to apply, they belong to no app and meter nothing.
	if _, err := k.s.addUsageKeys(ctx, usageKeysOf(app)); err != nil {
		return workflow.Effects{}, err
	}
	// The production secret and API key are made when the user first asks for them, so
	// they are shown to them once and never travel through the workflow.
	cred := Credential{ClientID: token(16), AppID: app.ID, OrgID: app.OrgID, Name: "Production", CreatedAt: d.At, ResetAt: d.At}
	writes, err := k.s.store.CreateAppWrites(app, cred)
	if err != nil {
		return workflow.Effects{}, err
	}
	attach, err := k.s.certs.AttachWrites(cert, app)
	if err != nil {
		return workflow.Effects{}, err
	}
	status, err := k.status(r, approval.Approved, app.ID, "")
	if err != nil {
		return workflow.Effects{}, err
	}
	// An organization offboarded meanwhile gets no app that could be called.
	writes = append(append(append(append(writes, subWrites...), attach...), status), k.s.dir.OpenChecks(r.OrgID)...)
	// The link opens the production app on its credentials, where its secret is generated.
	return k.s.decisionEffects(writes, r, d, "golive.approved", sandbox.Name+" is live",
		fmt.Sprintf("The bank approved production access for %s. Its production app is ready in %s: open it to generate the production client secret, which is shown once.", sandbox.Name, prodOrg.Name),
		k.s.appLink(app.OrgID, app.ID, ""))
}

func (k goLiveKind) Reject(_ context.Context, r approval.Request, d approval.Decision) (workflow.Effects, error) {
	status, err := k.status(r, approval.Rejected, "", d.Comment)
	if err != nil {
		return workflow.Effects{}, err
	}
	return k.s.decisionEffects([]workflow.Write{status}, r, d, "golive.rejected", r.Form["appName"]+" was not approved for production",
		fmt.Sprintf("The bank did not approve production access for %s. The reason given: %s", r.Form["appName"], d.Comment),
		k.s.appLink(r.Form["sandboxOrganizationId"], r.Form["appId"], TabGoLive))
}

func (k goLiveKind) Fail(r approval.Request) (workflow.Effects, error) {
	const reason = "The bank's decision could not be applied, because something it needed changed at the same time (for example the certificate). Ask again."
	status, err := k.status(r, approval.Failed, "", reason)
	if err != nil {
		return workflow.Effects{}, err
	}
	return k.s.failureEffects([]workflow.Write{status}, r, "Production access for "+r.Form["appName"]+" could not be completed", reason,
		k.s.appLink(r.Form["sandboxOrganizationId"], r.Form["appId"], TabGoLive))
}

func (k goLiveKind) Expire(r approval.Request) (workflow.Effects, error) {
	const reason = "Nobody decided the request in time. Ask again."
	status, err := k.status(r, approval.Expired, "", reason)
	if err != nil {
		return workflow.Effects{}, err
	}
	return k.s.decisionEffects([]workflow.Write{status}, r, approval.Decision{ActorID: "system", Actor: "system", At: r.ExpiresAt}, "golive.expired",
		"The production access request for "+r.Form["appName"]+" expired",
		fmt.Sprintf("The request for production access for %s expired before the bank decided it. %s", r.Form["appName"], reason),
		k.s.appLink(r.Form["sandboxOrganizationId"], r.Form["appId"], TabGoLive))
}
