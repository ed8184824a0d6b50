package org

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/platform/paging"
	"github.com/bank/devportal/shared/platform/validation"
	"github.com/bank/devportal/shared/portal/approval"
	"github.com/bank/devportal/shared/portal/possession"
	"github.com/bank/devportal/shared/trust/eidas"
	"github.com/bank/devportal/shared/trust/sandboxca"
)

// Summary is one organization in the operations console's list.
type Summary struct {
	ID                     string      `json:"id"`
	Name                   string      `json:"name"`
	Environment            Environment `json:"environment" enum:"sandbox,production"`
	Status                 Status      `json:"status" enum:"PENDING_APPROVAL,ACTIVE,REJECTED,OFFBOARDED"`
	OrganizationIdentifier string      `json:"organizationIdentifier"`
	Members                int         `json:"members"`
	CreatedAt              string      `json:"createdAt"`
}

// SummariesView lists organizations for operations.
type SummariesView struct {
	Organizations []Summary `json:"organizations"`
	// NextCursor asks for the next page; it is absent on the last.
	NextCursor string `json:"nextCursor,omitempty"`
}

// OpsList lists one page of every organization for the operations console; drafts are
// left out (so a page may hold fewer than asked): they have not been submitted, and their
// certificates may be anyone's.
func (s *Service) OpsList(ctx context.Context, page paging.Page) (SummariesView, error) {
	gs, next, err := s.store.OrganizationsPage(ctx, page)
	out := SummariesView{Organizations: []Summary{}, NextCursor: next}
	for _, g := range gs {
		if g.Status == StatusDraft {
			continue
		}
		out.Organizations = append(out.Organizations, Summary{ID: g.ID, Name: g.Name, Environment: g.Environment, Status: g.Status,
			OrganizationIdentifier: g.OrganizationIdentifier, Members: g.Members, CreatedAt: g.CreatedAt.Format("2006-01-02T15:04:05Z")})
	}
	return out, err
}

// OpsDetail is an organization in full, for operations.
type OpsDetail struct {
	Organization OrganizationView   `json:"organization"`
	QWAC         *eidas.Certificate `json:"qwac,omitempty"`
	QSealC       *eidas.Certificate `json:"qsealc,omitempty"`
	// QWACTrust and QSealCTrust say whether each certificate chains to a CA the bank trusts.
	QWACTrust   *CertificateTrust `json:"qwacTrust,omitempty"`
	QSealCTrust *CertificateTrust `json:"qsealcTrust,omitempty"`
	Members     []Member          `json:"members"`
	// Requests are the first page of the organization's requests, newest first; the
	// operations route of its requests pages on from RequestsNextCursor.
	Requests           []approval.Request `json:"requests"`
	RequestsNextCursor string             `json:"requestsNextCursor,omitempty"`
	// Apps are the organization's apps, so that operations see what offboarding or a
	// go-live would affect.
	Apps []OpsApp `json:"apps"`
}

// CertificateTrust is whether a certificate chains to a CA the bank trusts, and to which.
type CertificateTrust struct {
	// Trusted is true when the certificate chains to a CA of one of the bank's truststores.
	Trusted bool `json:"trusted"`
	// Store is that truststore: "eidas", the qualified trust service providers production
	// accepts, or "sandbox", the portal's sandbox CA, which only the sandbox accepts.
	Store string `json:"store,omitempty" enum:"eidas,sandbox"`
}

// TrustOf judges c's chain apart from its validity dates, which operations see beside it;
// the eIDAS truststore first, since the sandbox's pool holds it too. Nil without c.
func (s *Service) TrustOf(c *eidas.Certificate) *CertificateTrust {
	if c == nil {
		return nil
	}
	now := s.Now()
	switch {
	case eidas.ChainsTo(c, s.roots.Live, now):
		return &CertificateTrust{Trusted: true, Store: "eidas"}
	case eidas.ChainsTo(c, s.roots.Sandbox, now):
		return &CertificateTrust{Trusted: true, Store: "sandbox"}
	}
	return &CertificateTrust{}
}

// OpsGet returns an organization in full: code, certificates, members, requests.
func (s *Service) OpsGet(ctx context.Context, orgID string) (OpsDetail, error) {
	g, err := s.store.GetOrganization(ctx, orgID)
	if err != nil {
		return OpsDetail{}, err
	}
	members, err := s.store.ListMembers(ctx, orgID)
	if err != nil {
		return OpsDetail{}, err
	}
	requests, next, err := s.approvals.PageForOrganization(ctx, orgID, paging.First())
	if err != nil {
		return OpsDetail{}, err
	}
	d := OpsDetail{Organization: s.view(g, Member{Role: Owner}, true), Members: members, Requests: requests, RequestsNextCursor: next}
	d.Organization.Role = ""
	// The stored PEMs parsed when onboarding was accepted; a failure now is not the user's.
	d.QWAC, _ = eidas.Parse(g.QWACPEM)
	d.QSealC, _ = eidas.Parse(g.QSealCPEM)
	d.QWACTrust, d.QSealCTrust = s.TrustOf(d.QWAC), s.TrustOf(d.QSealC)
	if d.Members == nil {
		d.Members = []Member{}
	}
	if d.Requests == nil {
		d.Requests = []approval.Request{}
	}
	d.Apps = []OpsApp{}
	if s.Apps != nil {
		if d.Apps, err = s.Apps.OrganizationApps(ctx, orgID); err != nil {
			return OpsDetail{}, err
		}
	}
	return d, nil
}

// SandboxCertificateRequest asks the sandbox CA for a test QWAC or QSealC.
type SandboxCertificateRequest struct {
	Kind                   string   `json:"kind" validate:"required,oneof=QWAC QSealC" example:"QWAC"`
	OrganizationName       string   `json:"organizationName" validate:"required,max=64,singleline" example:"Example Payments Ltd"`
	Country                string   `json:"country" validate:"required,len=2,alpha" example:"BE"`
	OrganizationIdentifier string   `json:"organizationIdentifier,omitempty" validate:"omitempty,max=64" example:"PSDBE-NBB-0123456789"`
	Roles                  []string `json:"roles" items:"service" validate:"required,min=1,dive,oneof=AIS PIS PIIS" example:"[\"AIS\",\"PIS\"]"`
}

// SandboxCertificate is an issued test certificate with its private key.
type SandboxCertificate struct {
	CertificatePEM string             `json:"certificatePem"`
	PrivateKeyPEM  string             `json:"privateKeyPem"`
	Certificate    *eidas.Certificate `json:"certificate"`
}

// ErrNoSandboxCA means this deployment cannot issue test certificates.
var ErrNoSandboxCA = apperr.New(apperr.NotFound, "SANDBOX_CA_UNAVAILABLE", "Test certificates are issued only in the sandbox.")

// IssueSandboxCertificateTo issues a test certificate to the actor (IssueSandboxCertificate)
// and records that the sandbox CA issued it to them: the key is theirs to keep, and the
// record proves their possession of it when they onboard with the certificate or upload it.
func (s *Service) IssueSandboxCertificateTo(ctx context.Context, a Actor, ca *sandboxca.CA, req SandboxCertificateRequest) (SandboxCertificate, error) {
	issued, err := s.IssueSandboxCertificate(ca, req)
	if err != nil {
		return SandboxCertificate{}, err
	}
	if err := s.store.RecordIssuance(ctx, possession.Issuance{Fingerprint: issued.Certificate.SHA256Fingerprint, UserID: a.UserID, Email: a.Email,
		IssuedAt: s.Now(), NotAfter: issued.Certificate.NotAfter}); err != nil {
		return SandboxCertificate{}, err
	}
	return issued, nil
}

// IssueSandboxCertificate issues a test certificate with the chosen PSD2 roles. Nothing is
// stored: the key is the user's to keep.
func (s *Service) IssueSandboxCertificate(ca *sandboxca.CA, req SandboxCertificateRequest) (SandboxCertificate, error) {
	if ca == nil {
		return SandboxCertificate{}, ErrNoSandboxCA
	}
	req.Country = strings.ToUpper(req.Country)
	validation.Normalize(&req)
	if errs := validation.Struct(req); len(errs) > 0 {
		return SandboxCertificate{}, apperr.Fields(errs...)
	}
	if req.OrganizationIdentifier == "" {
		req.OrganizationIdentifier = "PSD" + req.Country + "-SBX-" + strings.ToUpper(newID()[:10])
	}
	var roles []string
	for _, r := range req.Roles {
		role, _ := eidas.RoleForService(r)
		roles = append(roles, role)
	}
	certPEM, keyPEM, err := ca.IssueEIDAS(sandboxca.EIDASRequest{
		Kind: req.Kind, CommonName: req.OrganizationName, Organization: req.OrganizationName, Country: req.Country,
		OrganizationIdentifier: req.OrganizationIdentifier, Roles: roles,
		NCAName: "Sandbox Competent Authority", NCAID: req.Country + "-SBX",
	})
	if err != nil {
		return SandboxCertificate{}, apperr.Fields(apperr.Field("organizationIdentifier", "invalid", err.Error()))
	}
	parsed, err := eidas.Parse(certPEM)
	if err != nil {
		return SandboxCertificate{}, apperr.Wrap(err, "parse issued certificate")
	}
	return SandboxCertificate{CertificatePEM: certPEM, PrivateKeyPEM: keyPEM, Certificate: parsed}, nil
}

// OpsAudit returns one page of the trail of every organization, or of the one f names,
// newest first (operations): the entries f selects, the page full unless the trail ends.
func (s *Service) OpsAudit(ctx context.Context, f AuditFilter, page paging.Page) (AuditView, error) {
	es, next, err := s.store.Audit(ctx, f, page)
	if es == nil {
		es = []AuditEntry{}
	}
	return AuditView{Entries: es, NextCursor: next}, err
}

// MFAResets turns a user's two-step sign-in off (the accounts rules implement it; org
// cannot import them): the authenticator app is forgotten, the user's sessions end and
// the user is told.
type MFAResets interface {
	ResetMFA(ctx context.Context, userID string) error
}

// MFAReset is what operations see once a member's two-step sign-in is reset.
type MFAReset struct {
	UserID string    `json:"userId"`
	Email  string    `json:"email"`
	At     time.Time `json:"at"`
}

// Errors of resetting two-step sign-in.
var (
	ErrOwnMFAReset = apperr.New(apperr.Forbidden, "OWN_MFA_RESET", "You cannot reset your own two-step sign-in: ask another member of the operations team.")
	ErrNoMember    = apperr.New(apperr.NotFound, "NOT_FOUND", "This organization has no such member.")
)

// OpsResetMFA turns off the two-step sign-in of a member of the organization who lost
// their authenticator app, on an operations user's decision (a, whose password the route
// confirmed moments ago), never their own; the organization's audit trail names a.
func (s *Service) OpsResetMFA(ctx context.Context, a Actor, orgID, userID string) (MFAReset, error) {
	if a.UserID == userID {
		return MFAReset{}, ErrOwnMFAReset
	}
	if s.MFA == nil {
		return MFAReset{}, apperr.Wrap(errors.New("two-step sign-in resets are not wired"), "reset MFA")
	}
	m, err := s.store.GetMember(ctx, orgID, userID)
	if errors.Is(err, apperr.ErrNotFound) {
		return MFAReset{}, ErrNoMember
	}
	if err != nil {
		return MFAReset{}, err
	}
	if err := s.MFA.ResetMFA(ctx, userID); err != nil {
		return MFAReset{}, err
	}
	now := s.Now()
	if err := s.store.RecordAudit(ctx, AuditEntry{OrgID: orgID, At: now, ActorID: a.UserID, Actor: a.Email, Action: "member.mfa_reset",
		Details: map[string]string{"userId": userID, "email": m.Email}}); err != nil {
		return MFAReset{}, err
	}
	return MFAReset{UserID: userID, Email: m.Email, At: now}, nil
}

// OpsRequests lists one page of an organization's requests, newest first, for operations.
func (s *Service) OpsRequests(ctx context.Context, orgID string, page paging.Page) (RequestsView, error) {
	if _, err := s.store.GetOrganization(ctx, orgID); err != nil {
		return RequestsView{}, err
	}
	rs, next, err := s.approvals.PageForOrganization(ctx, orgID, page)
	if rs == nil {
		rs = []approval.Request{}
	}
	return RequestsView{Requests: rs, NextCursor: next}, err
}
