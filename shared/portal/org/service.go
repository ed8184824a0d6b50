package org

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/platform/paging"
	"github.com/bank/devportal/shared/platform/validation"
	"github.com/bank/devportal/shared/portal/approval"
	"github.com/bank/devportal/shared/portal/possession"
	"github.com/bank/devportal/shared/trust/eidas"
)

// Request kinds this package registers with the approval service.
const (
	KindOnboarding  = "ONBOARDING"
	KindRename      = "RENAME"
	KindOffboarding = "OFFBOARDING"
)

// Actor is the signed-in user acting.
type Actor struct {
	UserID   string
	Email    string
	FullName string
	// Fresh says the actor confirmed their password in the last minutes
	// (account.Service.Fresh), as the most sensitive changes need.
	Fresh bool
	// Software says the TPP's registered software acts, through the registration API,
	// rather than a person through the portal.
	Software bool
}

// ErrNotFresh refuses a change that needs the password confirmed in the last minutes.
var ErrNotFresh = apperr.New(apperr.Forbidden, "REAUTHENTICATION_REQUIRED",
	"Confirm your password to do this: it needs your password entered in the last minutes.")

// Service applies the organization rules.
type Service struct {
	store     Store
	invites   InvitationStore
	mail      Mailer
	inviteTTL time.Duration
	approvals *approval.Service
	// Roots are the trusted CAs of eIDAS certificates (sandbox: the sandbox CA).
	roots      Trust
	maxMembers int
	portalURL  string
	// revocation checks certificates against their CAs' CRLs and OCSP responders; nil
	// checks nothing.
	revocation RevocationChecker
	// Apps are told when an offboarding is approved; nil tells nobody.
	Apps OffboardedApps
	// MFA resets a member's two-step sign-in for operations; nil refuses it.
	MFA MFAResets
	// Now is the clock; tests move it.
	Now func() time.Time
}

// OffboardedApps is what the organization rules need of the apps (the apps rules
// implement it; org cannot import them): an approved offboarding removes the apps' usage
// keys from the TPP API's usage plans, and operations see what a decision would affect.
type OffboardedApps interface {
	RemoveOrganizationUsageKeys(ctx context.Context, orgID string) error
	OrganizationApps(ctx context.Context, orgID string) ([]OpsApp, error)
}

// OpsApp is an app as operations weigh a decision about its organization: what it is
// and what it uses, never a secret.
type OpsApp struct {
	ID           string      `json:"id"`
	Name         string      `json:"name"`
	Environment  Environment `json:"environment" enum:"sandbox,production"`
	Certificates int         `json:"certificates"`
	RedirectURIs int         `json:"redirectUris"`
	// Products are the IDs of the products it is subscribed to, in order.
	Products []string `json:"products"`
}

// Trust is the eIDAS CAs an environment accepts: the sandbox trusts the sandbox CA (and
// the live truststore), production only the live truststore.
type Trust struct {
	Sandbox *x509.CertPool
	Live    *x509.CertPool
}

func (t Trust) of(env string) *x509.CertPool {
	if env == string(Production) {
		return t.Live
	}
	return t.Sandbox
}

// Deps are what the organization rules need besides their store.
type Deps struct {
	Store     Store
	Invites   InvitationStore
	Mail      Mailer
	Approvals *approval.Service
	// Roots are the CAs trusted for eIDAS certificates, per environment.
	Roots      Trust
	MaxMembers int
	InviteTTL  time.Duration
	PortalURL  string
	// Revocation checks onboarding certificates against their CAs' CRLs and OCSP
	// responders; nil checks nothing.
	Revocation RevocationChecker
}

// NewService wires the organization rules; it registers the request kinds with approvals.
func NewService(d Deps) *Service {
	s := &Service{store: d.Store, invites: d.Invites, mail: d.Mail, approvals: d.Approvals, roots: d.Roots,
		maxMembers: d.MaxMembers, inviteTTL: d.InviteTTL, portalURL: d.PortalURL, revocation: d.Revocation,
		Now: func() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }}
	d.Approvals.Register(KindOnboarding, onboardingKind{s})
	d.Approvals.Register(KindRename, renameKind(s))
	d.Approvals.Register(KindOffboarding, offboardingKind(s))
	d.Approvals.Register(KindCertificateRenewal, renewalKind{s})
	return s
}

// OnboardingRequest is the TPP onboarding form.
type OnboardingRequest struct {
	FirstName   string   `json:"firstName" validate:"required,max=100,singleline" example:"Sam"`
	LastName    string   `json:"lastName" validate:"required,max=100,singleline" example:"Example"`
	Company     string   `json:"company" validate:"required,max=200,singleline" example:"Example Payments Ltd"`
	Email       string   `json:"email" validate:"required,email,max=254" example:"compliance@example.com"`
	Phone       string   `json:"phone" validate:"required,max=40,singleline" example:"+32 2 555 01 23"`
	Roles       []string `json:"roles" items:"service" validate:"required,min=1,unique,dive,oneof=AIS PIS PIIS" example:"[\"AIS\",\"PIS\"]"`
	Environment string   `json:"environment" validate:"required,oneof=sandbox production" example:"sandbox"`
	QWAC        string   `json:"qwac" validate:"required,max=20000" example:"-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----"`
	QSealC      string   `json:"qsealc" validate:"required,max=20000" example:"-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----"`
}

// CertificatesView shows what the uploaded certificates say.
type CertificatesView struct {
	QWAC   *eidas.Certificate  `json:"qwac,omitempty"`
	QSealC *eidas.Certificate  `json:"qsealc,omitempty"`
	Errors []apperr.FieldError `json:"errors"`
}

// PreviewRequest asks what a pair of certificates says before onboarding.
type PreviewRequest struct {
	Roles []string `json:"roles" validate:"dive,oneof=AIS PIS PIIS" example:"[\"AIS\"]"`
	// Environment chooses the trusted CAs; sandbox when empty.
	Environment string `json:"environment,omitempty" validate:"omitempty,oneof=sandbox production" example:"sandbox"`
	QWAC        string `json:"qwac" validate:"max=20000" example:"-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----"`
	QSealC      string `json:"qsealc" validate:"max=20000" example:""`
}

// Preview parses the certificates and lists what onboarding would refuse, so the user sees
// the details before submitting: revocation at their CAs included.
func (s *Service) Preview(ctx context.Context, req PreviewRequest) (CertificatesView, error) {
	if errs := validation.Struct(req); len(errs) > 0 {
		return CertificatesView{}, apperr.Fields(errs...)
	}
	qwac, qseal, errs := eidas.CheckOnboarding(s.onboardingCerts(req.Environment, req.QWAC, req.QSealC, req.Roles))
	env := Sandbox
	if req.Environment == string(Production) {
		env = Production
	}
	errs, err := s.checkRevocations(ctx, errs, env, map[string]*eidas.Certificate{eidas.FieldQWAC: qwac, eidas.FieldQSealC: qseal})
	if err != nil {
		return CertificatesView{}, err
	}
	if errs == nil {
		errs = []apperr.FieldError{}
	}
	return CertificatesView{QWAC: qwac, QSealC: qseal, Errors: errs}, nil
}

// onboardingCerts is what a pair of certificates is checked against in env: the sandbox
// trusts the sandbox CA and the eIDAS truststore, with the sandbox's rules; production
// only the eIDAS truststore, with the production rules (qualified QWAC and QSealC, ETSI
// TS 119 495).
func (s *Service) onboardingCerts(env, qwac, qseal string, roles []string) eidas.OnboardingCerts {
	return eidas.OnboardingCerts{QWAC: qwac, QSealC: qseal, Roles: roles, Roots: s.roots.of(env),
		Production: env == string(Production), Now: s.Now()}
}

// OnboardingResponse is the organization an onboarding created, and its request to
// operations once both certificates are proven (a draft has none yet).
type OnboardingResponse struct {
	Organization OrganizationView  `json:"organization"`
	Request      *approval.Request `json:"request,omitempty"`
}

// Onboard creates an organization owned by the actor. Nothing is stored unless every field
// is valid. Certificates the sandbox CA issued to the actor through the portal are proven
// by issuance: with both, the organization is pending and operations are asked to approve
// it at once. Otherwise it is a draft, which reserves nothing (certificates are public:
// pasting another TPP's must not block it), shown with the challenges that prove its
// certificates, until the actor proves possession of both private keys (ProveOnboarding),
// which submits it.
func (s *Service) Onboard(ctx context.Context, a Actor, req OnboardingRequest) (OnboardingResponse, error) {
	req.Email = validation.NormalizeEmail(req.Email)
	validation.Normalize(&req)
	errs := validation.Struct(req)
	var qwac, qseal *eidas.Certificate
	if req.QWAC != "" && req.QSealC != "" && len(errs) == 0 {
		var certErrs []apperr.FieldError
		qwac, qseal, certErrs = eidas.CheckOnboarding(s.onboardingCerts(req.Environment, req.QWAC, req.QSealC, req.Roles))
		var err error
		if certErrs, err = s.checkRevocations(ctx, certErrs, Environment(req.Environment), map[string]*eidas.Certificate{eidas.FieldQWAC: qwac, eidas.FieldQSealC: qseal}); err != nil {
			return OnboardingResponse{}, err
		}
		errs = append(errs, certErrs...)
	}
	if len(errs) > 0 {
		return OnboardingResponse{}, apperr.Fields(errs...)
	}
	now := s.Now()
	g := Organization{
		ID: newID(), Name: req.Company, Environment: Environment(req.Environment), Status: StatusDraft,
		Contact:  Contact{FirstName: req.FirstName, LastName: req.LastName, Email: req.Email, Phone: req.Phone},
		Services: req.Roles, OrganizationIdentifier: qwac.OrganizationIdentifier.Value,
		QWACPEM: qwac.PEM(), QSealCPEM: qseal.PEM(), CreatedAt: now, OwnerID: a.UserID,
	}
	owner := Member{OrgID: g.ID, UserID: a.UserID, Email: a.Email, FullName: a.FullName, Role: Owner, JoinedAt: now}
	if holder, err := s.store.IdentifierHolder(ctx, req.Environment, g.OrganizationIdentifier); err == nil && holder != "" {
		return OnboardingResponse{}, errDuplicateIdentifier(g.OrganizationIdentifier, req.Environment)
	}
	var err error
	if g.QWACPossession, err = possession.IssuedTo(ctx, s.store, qwac.SHA256Fingerprint, a.UserID); err != nil {
		return OnboardingResponse{}, err
	}
	if g.QSealCPossession, err = possession.IssuedTo(ctx, s.store, qseal.SHA256Fingerprint, a.UserID); err != nil {
		return OnboardingResponse{}, err
	}
	g.Members = 1
	if !g.proven() {
		err := s.store.CreateOrganization(ctx, g, owner, AuditEntry{OrgID: g.ID, At: now, ActorID: a.UserID, Actor: a.Email,
			Action: "onboarding.drafted", Details: map[string]string{"name": g.Name, "environment": req.Environment}})
		if err != nil {
			return OnboardingResponse{}, err
		}
		v := s.view(g, owner, false)
		return OnboardingResponse{Organization: v}, s.withChallenges(ctx, a, g, owner, &v)
	}
	g.Status = StatusPending
	reqID := newID()
	writes, err := s.store.OrganizationWrites(g, owner, AuditEntry{OrgID: g.ID, At: now, ActorID: a.UserID, Actor: a.Email,
		Action: "onboarding.submitted", RequestID: reqID, Details: map[string]string{"name": g.Name, "environment": req.Environment}})
	if err != nil {
		return OnboardingResponse{}, err
	}
	r, err := s.approvals.Submit(ctx, s.onboardingRequest(g, a, reqID), writes...)
	if errors.Is(err, apperr.ErrConflict) {
		// Lost a race with another onboarding of the same TPP.
		return OnboardingResponse{}, errDuplicateIdentifier(g.OrganizationIdentifier, req.Environment)
	}
	if err != nil {
		return OnboardingResponse{}, err
	}
	return OnboardingResponse{Organization: s.view(g, owner, false), Request: &r}, nil
}

// proven says whether possession of both certificates' keys is proven.
func (g Organization) proven() bool { return g.QWACPossession != nil && g.QSealCPossession != nil }

// certificates parses the stored certificates; they parsed when the onboarding was
// accepted, so a failure now leaves them nil rather than failing the caller.
func (g Organization) certificates() (qwac, qseal *eidas.Certificate) {
	qwac, _ = eidas.Parse(g.QWACPEM)
	qseal, _ = eidas.Parse(g.QSealCPEM)
	return qwac, qseal
}

// onboardingRequest is the approval request operations decide an onboarding with; its form
// says how and when possession of each certificate's key was proven.
func (s *Service) onboardingRequest(g Organization, a Actor, id string) approval.Request {
	form := map[string]string{
		"firstName": g.Contact.FirstName, "lastName": g.Contact.LastName, "company": g.Name, "email": g.Contact.Email, "phone": g.Contact.Phone,
		"roles": strings.Join(g.Services, ","), "environment": string(g.Environment), "organizationIdentifier": g.OrganizationIdentifier,
	}
	if qwac, qseal := g.certificates(); qwac != nil && qseal != nil {
		form["qwacFingerprint"], form["qsealcFingerprint"] = qwac.SHA256Fingerprint, qseal.SHA256Fingerprint
	}
	g.QWACPossession.Form("qwac", form)
	g.QSealCPossession.Form("qsealc", form)
	return approval.Request{
		ID: id, Kind: KindOnboarding, OrgID: g.ID, OrgName: g.Name, Environment: string(g.Environment), RequesterID: a.UserID, RequesterEmail: a.Email,
		Summary: fmt.Sprintf("Onboard %s (%s) for %s", g.Name, g.OrganizationIdentifier, strings.Join(g.Services, ", ")),
		Form:    form,
	}
}

// OrganizationView is an organization as one member sees it.
type OrganizationView struct {
	ID                     string      `json:"id"`
	Name                   string      `json:"name"`
	Environment            Environment `json:"environment" enum:"sandbox,production"`
	Status                 Status      `json:"status" enum:"DRAFT,PENDING_APPROVAL,ACTIVE,REJECTED,OFFBOARDED"`
	Reason                 string      `json:"reason,omitempty"`
	Role                   Role        `json:"role,omitempty" enum:"OWNER,ADMIN,DEVELOPER,VIEWER"`
	Code                   string      `json:"code,omitempty"`
	Contact                Contact     `json:"contact"`
	Services               []string    `json:"services"`
	OrganizationIdentifier string      `json:"organizationIdentifier"`
	Members                int         `json:"members"`
	MaxMembers             int         `json:"maxMembers"`
	CreatedAt              time.Time   `json:"createdAt"`
	// Certificates are the onboarding's QWAC and QSealC, each with the proof that its
	// holder has the private key (none while unproven).
	Certificates []EIDASCertificate `json:"certificates"`
	// Renewal is a renewal of the certificates under way, for the owner and administrators.
	Renewal *RenewalView `json:"renewal,omitempty"`
}

// EIDASCertificate is one of an organization's eIDAS certificates and whether possession
// of its private key is proven.
type EIDASCertificate struct {
	// Kind is the request field the certificate came in: qwac or qsealc.
	Kind              string            `json:"kind" enum:"qwac,qsealc"`
	SHA256Fingerprint string            `json:"sha256Fingerprint"`
	Subject           string            `json:"subject"`
	Possession        *possession.Proof `json:"possession,omitempty"`
	// Challenge is what the draft's owner signs with the private key while it is unproven.
	Challenge *possession.ChallengeView `json:"challenge,omitempty"`
}

func (s *Service) view(g Organization, m Member, withCode bool) OrganizationView {
	v := OrganizationView{ID: g.ID, Name: g.Name, Environment: g.Environment, Status: g.Status, Reason: g.Reason, Role: m.Role,
		Contact: g.Contact, Services: g.Services, OrganizationIdentifier: g.OrganizationIdentifier,
		Members: g.Members, MaxMembers: s.maxMembers, CreatedAt: g.CreatedAt}
	if withCode && (m.Role == Owner || m.Role == Admin) {
		v.Code = g.Code
	}
	if v.Services == nil {
		v.Services = []string{}
	}
	v.Certificates = []EIDASCertificate{}
	qwac, qseal := g.certificates()
	for _, c := range []struct {
		kind  string
		cert  *eidas.Certificate
		proof *possession.Proof
	}{{CertQWAC, qwac, g.QWACPossession}, {CertQSealC, qseal, g.QSealCPossession}} {
		if c.cert != nil {
			v.Certificates = append(v.Certificates, EIDASCertificate{Kind: c.kind, SHA256Fingerprint: c.cert.SHA256Fingerprint, Subject: c.cert.Subject.DN, Possession: c.proof})
		}
	}
	if g.Renewal != nil && (m.Role == Owner || m.Role == Admin) {
		v.Renewal = &RenewalView{Certificates: []EIDASCertificate{}, RequestID: g.Renewal.RequestID, At: g.Renewal.At, By: g.Renewal.By}
		for _, c := range g.Renewal.certificates() {
			v.Renewal.Certificates = append(v.Renewal.Certificates, EIDASCertificate{Kind: c.kind, SHA256Fingerprint: c.cert.SHA256Fingerprint, Subject: c.cert.Subject.DN, Possession: c.proof})
		}
	}
	return v
}

// member returns the actor's membership, or ErrNotFound for anyone else: another
// tenant's organization does not exist for them.
func (s *Service) member(ctx context.Context, a Actor, orgID string) (Organization, Member, error) {
	m, err := s.store.GetMember(ctx, orgID, a.UserID)
	if errors.Is(err, apperr.ErrNotFound) {
		return Organization{}, Member{}, errNoOrganization
	}
	if err != nil {
		return Organization{}, Member{}, err
	}
	g, err := s.store.GetOrganization(ctx, orgID)
	if err == nil && g.Status == StatusOffboarded {
		return Organization{}, Member{}, errNoOrganization // offboarding ended every member's access
	}
	return g, m, err
}

func errDuplicateIdentifier(identifier, env string) error {
	return apperr.Fields(apperr.Field("qwac", "duplicate", fmt.Sprintf("An organization with the identifier %s is already onboarded, or waiting for approval, in the %s environment. Ask its owner to invite you instead.", identifier, env)))
}

var errNoOrganization = apperr.New(apperr.NotFound, "NOT_FOUND", "There is no such organization, or you are not a member of it.")

// allow refuses unless the member's role is one of roles; offboarded organizations are
// read-only for everyone.
func allow(m Member, g Organization, roles ...Role) error {
	if !slices.Contains(roles, m.Role) {
		return apperr.New(apperr.Forbidden, "FORBIDDEN", "Your role in this organization does not allow this.")
	}
	if g.Status == StatusOffboarded {
		return apperr.New(apperr.Conflict, "ORGANIZATION_OFFBOARDED", "This organization has been offboarded; nothing can be changed.")
	}
	return nil
}

// Mine lists the actor's organizations, for the switcher.
func (s *Service) Mine(ctx context.Context, a Actor) ([]OrganizationView, error) {
	ms, err := s.store.Memberships(ctx, a.UserID)
	if err != nil {
		return nil, err
	}
	out := []OrganizationView{}
	for _, m := range ms {
		g, err := s.store.GetOrganization(ctx, m.OrgID)
		if err != nil {
			return nil, err
		}
		if g.Status == StatusOffboarded {
			continue
		}
		out = append(out, s.view(g, m, false))
	}
	return out, nil
}

// Get returns one organization as the actor sees it (the code for owners and admins; for
// the owner of a draft, the challenges that prove its certificates).
func (s *Service) Get(ctx context.Context, a Actor, orgID string) (OrganizationView, error) {
	g, m, err := s.member(ctx, a, orgID)
	if err != nil {
		return OrganizationView{}, err
	}
	v := s.view(g, m, true)
	return v, s.withChallenges(ctx, a, g, m, &v)
}

// MembersView is one page of an organization's members.
type MembersView struct {
	Members []Member `json:"members"`
	// NextCursor asks for the next page; it is absent on the last.
	NextCursor string `json:"nextCursor,omitempty"`
}

// Members lists one page of the members of an organization the actor belongs to.
func (s *Service) Members(ctx context.Context, a Actor, orgID string, page paging.Page) (MembersView, error) {
	if _, _, err := s.member(ctx, a, orgID); err != nil {
		return MembersView{}, err
	}
	ms, next, err := s.store.MembersPage(ctx, orgID, page)
	if ms == nil {
		ms = []Member{}
	}
	return MembersView{Members: ms, NextCursor: next}, err
}

// JoinRequest carries an organization code.
type JoinRequest struct {
	Code string `json:"code" validate:"required,alphanum,max=32" example:"ABCDEFGH23"`
}

// Join makes the actor an App Developer of the organization the code belongs to.
func (s *Service) Join(ctx context.Context, a Actor, req JoinRequest) (OrganizationView, error) {
	req.Code = strings.ToUpper(strings.TrimSpace(req.Code))
	if errs := validation.Struct(req); len(errs) > 0 {
		return OrganizationView{}, apperr.Fields(errs...)
	}
	g, err := s.store.OrganizationByCode(ctx, req.Code)
	if errors.Is(err, apperr.ErrNotFound) {
		return OrganizationView{}, apperr.Fields(apperr.Field("code", "unknown", "No organization has this code. Check it with your organization's owner."))
	}
	if err != nil {
		return OrganizationView{}, err
	}
	m := Member{OrgID: g.ID, UserID: a.UserID, Email: a.Email, FullName: a.FullName, Role: Developer, JoinedAt: s.Now()}
	if err := s.store.AddMember(ctx, m, s.maxMembers, AuditEntry{OrgID: g.ID, At: m.JoinedAt, ActorID: a.UserID, Actor: a.Email,
		Action: "member.joined", Details: map[string]string{"userId": a.UserID, "email": a.Email, "role": string(Developer), "via": "code"}}); err != nil {
		return OrganizationView{}, err
	}
	g.Members++
	return s.view(g, m, false), nil
}

// JoinWithCode joins the code's organization at account activation.
func (s *Service) JoinWithCode(ctx context.Context, userID, email, fullName, code string) (string, error) {
	v, err := s.Join(ctx, Actor{UserID: userID, Email: email, FullName: fullName}, JoinRequest{Code: code})
	return v.Name, err
}

// CheckCode says whether a code can be joined now, for the sign-up form.
func (s *Service) CheckCode(ctx context.Context, code string) error {
	g, err := s.store.OrganizationByCode(ctx, strings.ToUpper(strings.TrimSpace(code)))
	if errors.Is(err, apperr.ErrNotFound) {
		return apperr.Fields(apperr.Field("organizationCode", "unknown", "No organization has this code. Check it with your organization's owner, or leave it empty."))
	}
	if err != nil {
		return err
	}
	if g.Status != StatusActive {
		return apperr.Fields(apperr.Field("organizationCode", "inactive", "This organization is not active, so nobody can join it."))
	}
	if g.Members >= s.maxMembers {
		return apperr.Fields(apperr.Field("organizationCode", "full", fmt.Sprintf("This organization already has the maximum of %d members.", s.maxMembers)))
	}
	return nil
}

// RegenerateCode gives the organization a new code (owner only); the old one stops working.
func (s *Service) RegenerateCode(ctx context.Context, a Actor, orgID string) (OrganizationView, error) {
	g, m, err := s.member(ctx, a, orgID)
	if err != nil {
		return OrganizationView{}, err
	}
	if err := allow(m, g, Owner); err != nil {
		return OrganizationView{}, err
	}
	if g.Status != StatusActive {
		return OrganizationView{}, ErrNotActive
	}
	code := NewCode()
	if err := s.store.ReplaceCode(ctx, orgID, g.Code, code, AuditEntry{OrgID: orgID, At: s.Now(), ActorID: a.UserID, Actor: a.Email, Action: "code.regenerated"}); err != nil {
		return OrganizationView{}, err
	}
	g.Code = code
	return s.view(g, m, true), nil
}

// RequestsView lists an organization's requests.
type RequestsView struct {
	Requests []approval.Request `json:"requests"`
	// NextCursor asks for the next page; it is absent on the last.
	NextCursor string `json:"nextCursor,omitempty"`
}

// Requests lists one page of the requests of an organization the actor belongs to,
// newest first.
func (s *Service) Requests(ctx context.Context, a Actor, orgID string, page paging.Page) (RequestsView, error) {
	if _, _, err := s.member(ctx, a, orgID); err != nil {
		return RequestsView{}, err
	}
	rs, next, err := s.approvals.PageForOrganization(ctx, orgID, page)
	out := RequestsView{Requests: []approval.Request{}, NextCursor: next}
	for _, r := range rs {
		out.Requests = append(out.Requests, tppView(r))
	}
	return out, err
}

// bankActor is how the bank's staff appear to TPP users: by role, not by name.
const bankActor = "Bank operations"

// tppView hides who at the bank handled a request; the decision and comment stay.
func tppView(r approval.Request) approval.Request {
	history := make([]approval.Event, len(r.History))
	for i, e := range r.History {
		if e.Actor != r.RequesterEmail && e.Actor != "system" {
			e.Actor = bankActor
		}
		history[i] = e
	}
	r.History = history
	return r
}

// AuditView lists audit entries, newest first.
type AuditView struct {
	Entries []AuditEntry `json:"entries"`
	// NextCursor asks for the next page; it is absent on the last.
	NextCursor string `json:"nextCursor,omitempty"`
}

// Audit returns one page of an organization's trail to its owner and administrators: the
// entries f selects (its action and times; the organization is orgID).
func (s *Service) Audit(ctx context.Context, a Actor, orgID string, f AuditFilter, page paging.Page) (AuditView, error) {
	_, m, err := s.member(ctx, a, orgID)
	if err != nil {
		return AuditView{}, err
	}
	if !slices.Contains([]Role{Owner, Admin}, m.Role) {
		return AuditView{}, apperr.New(apperr.Forbidden, "FORBIDDEN", "Only the owner and administrators see the audit trail.")
	}
	es, next, err := s.store.Audit(ctx, AuditFilter{OrgID: orgID, Action: f.Action, From: f.From, To: f.To}, page)
	out := AuditView{Entries: []AuditEntry{}, NextCursor: next}
	for _, e := range es {
		if strings.HasSuffix(e.Action, ".approved") || strings.HasSuffix(e.Action, ".rejected") {
			e.Actor, e.ActorID = bankActor, "" // decided by the bank's staff
		}
		out.Entries = append(out.Entries, e)
	}
	return out, err
}

// codeAlphabet leaves out look-alikes (0/O, 1/I/L) so codes survive being read aloud.
const codeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// NewCode returns a fresh organization code: 10 characters, about 50 bits.
func NewCode() string {
	b := make([]byte, 10)
	for i := range b {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(codeAlphabet))))
		if err != nil {
			panic("crypto/rand: " + err.Error())
		}
		b[i] = codeAlphabet[n.Int64()]
	}
	return string(b)
}

func newID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%x", b)
}

// Membership returns the organization and the actor's membership of it; ErrNotFound for
// anyone else, and for everyone once the organization is offboarded.
func (s *Service) Membership(ctx context.Context, a Actor, orgID string) (Organization, Member, error) {
	return s.member(ctx, a, orgID)
}
