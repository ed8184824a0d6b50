package org

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
	"github.com/bank/devportal/shared/portal/possession"
	"github.com/bank/devportal/shared/portal/workflow"
	"github.com/bank/devportal/shared/trust/eidas"
)

// KindCertificateRenewal is the request operations decide a production organization's
// certificate renewal with.
const KindCertificateRenewal = "CERTIFICATE_RENEWAL"

// Renewal is a renewal of an organization's QWAC, QSealC or both: the new certificates
// and the proofs of possession of their keys. It is applied once every new key is proven,
// in production once operations approve it; until then the certificates in force stay.
type Renewal struct {
	ID               string            `dynamodbav:"id"`
	QWACPEM          string            `dynamodbav:"qwacPem,omitempty"`
	QSealCPEM        string            `dynamodbav:"qsealcPem,omitempty"`
	QWACPossession   *possession.Proof `dynamodbav:"qwacPossession,omitempty"`
	QSealCPossession *possession.Proof `dynamodbav:"qsealcPossession,omitempty"`
	// RequestID is the operations request a production renewal waits for; empty while
	// its keys are being proven.
	RequestID string    `dynamodbav:"requestId,omitempty"`
	At        time.Time `dynamodbav:"at"`
	By        string    `dynamodbav:"by"`
}

// renewed is one certificate of a renewal.
type renewed struct {
	kind  string
	cert  *eidas.Certificate
	proof *possession.Proof
}

// certificates are the renewal's new certificates, QWAC first; they parsed when the
// renewal was accepted, so one that no longer parses is left out.
func (r *Renewal) certificates() []renewed {
	if r == nil {
		return nil
	}
	var out []renewed
	for _, c := range []renewed{{kind: CertQWAC, proof: r.QWACPossession}, {kind: CertQSealC, proof: r.QSealCPossession}} {
		text := r.QWACPEM
		if c.kind == CertQSealC {
			text = r.QSealCPEM
		}
		if text == "" {
			continue
		}
		if cert, err := eidas.Parse(text); err == nil {
			c.cert = cert
			out = append(out, c)
		}
	}
	return out
}

// proven says whether possession of every new certificate's key is proven.
func (r *Renewal) proven() bool {
	for _, c := range r.certificates() {
		if c.proof == nil {
			return false
		}
	}
	return true
}

// Has says whether a renewal still being proven has a certificate with the fingerprint:
// its proof goes through the certificates' proof endpoint, as onboarding's do.
func (r *Renewal) Has(fingerprint string) bool {
	if r == nil || r.RequestID != "" {
		return false
	}
	return slices.ContainsFunc(r.certificates(), func(c renewed) bool { return c.cert.SHA256Fingerprint == fingerprint })
}

// setProof records p for the certificate of kind.
func (r *Renewal) setProof(kind string, p possession.Proof) {
	if kind == CertQWAC {
		r.QWACPossession = &p
	} else {
		r.QSealCPossession = &p
	}
}

// RenewalRequest carries the new certificates; either may be left out.
type RenewalRequest struct {
	QWAC   string `json:"qwac,omitempty" validate:"max=20000" example:"-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----"`
	QSealC string `json:"qsealc,omitempty" validate:"max=20000" example:"-----BEGIN CERTIFICATE-----\nMIIC...\n-----END CERTIFICATE-----"`
}

// RenewalView is a renewal as owners and administrators see it.
type RenewalView struct {
	// Certificates are the new certificates, each with its proof of possession or, while
	// unproven, the challenge to sign.
	Certificates []EIDASCertificate `json:"certificates"`
	// RequestID is the operations request a production renewal waits for.
	RequestID string    `json:"requestId,omitempty"`
	At        time.Time `json:"at"`
	By        string    `json:"by"`
}

// RenewalResponse is the organization after a renewal step, and the request to
// operations a production renewal made once every new key was proven.
type RenewalResponse struct {
	Organization OrganizationView  `json:"organization"`
	Request      *approval.Request `json:"request,omitempty"`
	// Applied says the new certificates are in force (the sandbox applies them at once).
	Applied bool `json:"applied"`
}

// Errors a renewal is refused with.
var (
	errRenewalPending = apperr.New(apperr.Conflict, "REQUEST_PENDING", "A certificate renewal is waiting for the bank's decision; the next one can start once it is decided.")
	errRenewalChanged = apperr.New(apperr.Conflict, "RENEWAL_CHANGED", "The renewal changed at the same time (another one was started or submitted). Reload the organization and try again.")
	// ErrRenewalNotActive refuses to renew the certificates of an organization that is not active.
	ErrRenewalNotActive = apperr.New(apperr.Conflict, "ORGANIZATION_NOT_ACTIVE", "Only an active organization renews its certificates.")
)

// Renew starts a renewal of the organization's QWAC, QSealC or both (owner and
// administrators). Each new certificate passes the onboarding's rules for its kind in the
// organization's environment and keeps the organization's identifier and roles: those of
// its services, none its current certificate lacks (eidas.CheckRenewal); if any fails, nothing changes. Certificates the sandbox CA issued
// to the actor are proven by issuance; once every new key is proven the renewal is applied
// in the sandbox, or submitted to operations in production. Otherwise it waits, with the
// challenges that prove it (ProveOnboarding), replacing a renewal not yet submitted.
func (s *Service) Renew(ctx context.Context, a Actor, orgID string, req RenewalRequest) (RenewalResponse, error) {
	g, m, err := s.member(ctx, a, orgID)
	if err != nil {
		return RenewalResponse{}, err
	}
	if err := allow(m, g, Owner, Admin); err != nil {
		return RenewalResponse{}, err
	}
	switch {
	case g.Status != StatusActive:
		return RenewalResponse{}, ErrRenewalNotActive
	case g.Renewal != nil && g.Renewal.RequestID != "":
		return RenewalResponse{}, errRenewalPending
	}
	req.QWAC, req.QSealC = strings.TrimSpace(req.QWAC), strings.TrimSpace(req.QSealC)
	if errs := validation.Struct(req); len(errs) > 0 {
		return RenewalResponse{}, apperr.Fields(errs...)
	}
	currentQWAC, currentQSeal := g.certificates()
	qwac, qseal, errs := eidas.CheckRenewal(eidas.RenewalCerts{QWAC: req.QWAC, QSealC: req.QSealC, OrganizationIdentifier: g.OrganizationIdentifier,
		Roles: g.Services, CurrentQWAC: currentQWAC, CurrentQSealC: currentQSeal, Roots: s.roots.For(g.Environment), Production: g.Environment == Production, Now: s.Now()})
	if errs, err = s.checkRevocations(ctx, errs, g.Environment, map[string]*eidas.Certificate{eidas.FieldQWAC: qwac, eidas.FieldQSealC: qseal}); err != nil {
		return RenewalResponse{}, err
	}
	if len(errs) > 0 {
		return RenewalResponse{}, apperr.Fields(errs...)
	}
	now := s.Now()
	r := Renewal{ID: newID(), At: now, By: a.Email}
	if qwac != nil {
		r.QWACPEM = qwac.PEM()
		if r.QWACPossession, err = possession.IssuedTo(ctx, s.store, qwac.SHA256Fingerprint, a.UserID); err != nil {
			return RenewalResponse{}, err
		}
	}
	if qseal != nil {
		r.QSealCPEM = qseal.PEM()
		if r.QSealCPossession, err = possession.IssuedTo(ctx, s.store, qseal.SHA256Fingerprint, a.UserID); err != nil {
			return RenewalResponse{}, err
		}
	}
	if r.proven() {
		return s.finishRenewal(ctx, a, g, m, "", r)
	}
	draft, err := s.store.RenewalDraftWrite(g.ID, r)
	if err != nil {
		return RenewalResponse{}, err
	}
	audit, err := s.store.AuditWrite(s.renewalAudit(a, g.ID, now, "certificate_renewal.started", "", r))
	if err != nil {
		return RenewalResponse{}, err
	}
	if err := s.store.Commit(ctx, errRenewalChanged, draft, audit); err != nil {
		return RenewalResponse{}, err
	}
	g.Renewal = &r
	v := s.view(g, m, true)
	return RenewalResponse{Organization: v}, s.withChallenges(ctx, a, g, m, &v)
}

// renewalAudit is the audit entry of a renewal step: the new certificates' fingerprints
// by kind.
func (s *Service) renewalAudit(a Actor, orgID string, at time.Time, action, requestID string, r Renewal) AuditEntry {
	details := map[string]string{}
	for _, c := range r.certificates() {
		details[c.kind+"Fingerprint"] = c.cert.SHA256Fingerprint
	}
	return AuditEntry{OrgID: orgID, At: at, ActorID: a.UserID, Actor: a.Email, Action: action, RequestID: requestID, Details: details}
}

// finishRenewal applies a renewal whose keys are all proven (sandbox) or submits it to
// operations (production), with extra writes (the spent challenge of the last proof) in
// the same transaction. draftID names the stored renewal it completes, if any.
func (s *Service) finishRenewal(ctx context.Context, a Actor, g Organization, m Member, draftID string, r Renewal, with ...workflow.Write) (RenewalResponse, error) {
	now := s.Now()
	if g.Environment != Production {
		apply, err := s.store.RenewalApplyWrite(g.ID, draftID, r)
		if err != nil {
			return RenewalResponse{}, err
		}
		audit, err := s.store.AuditWrite(s.renewalAudit(a, g.ID, now, "certificate_renewal.applied", "", r))
		if err != nil {
			return RenewalResponse{}, err
		}
		if err := s.store.Commit(ctx, errRenewalChanged, append(with, apply, audit)...); err != nil {
			return RenewalResponse{}, err
		}
		g = r.appliedTo(g)
		return RenewalResponse{Organization: s.view(g, m, true), Applied: true}, nil
	}
	r.RequestID = newID()
	submit, err := s.store.RenewalSubmitWrite(g.ID, draftID, r)
	if err != nil {
		return RenewalResponse{}, err
	}
	audit, err := s.store.AuditWrite(s.renewalAudit(a, g.ID, now, "certificate_renewal.submitted", r.RequestID, r))
	if err != nil {
		return RenewalResponse{}, err
	}
	writes := append(with, submit, audit)
	writes = append(writes, s.store.PendingLock(g.ID, KindCertificateRenewal, KindOffboarding)...)
	req, err := s.approvals.Submit(ctx, s.renewalRequest(g, a, r), writes...)
	if errors.Is(err, apperr.ErrConflict) {
		return RenewalResponse{}, errRenewalChanged
	}
	if err != nil {
		return RenewalResponse{}, err
	}
	g.Renewal = &r
	return RenewalResponse{Organization: s.view(g, m, true), Request: &req}, nil
}

// appliedTo is g with the renewal's certificates and proofs in force.
func (r Renewal) appliedTo(g Organization) Organization {
	if r.QWACPEM != "" {
		g.QWACPEM, g.QWACPossession = r.QWACPEM, r.QWACPossession
	}
	if r.QSealCPEM != "" {
		g.QSealCPEM, g.QSealCPossession = r.QSealCPEM, r.QSealCPossession
	}
	g.Renewal = nil
	return g
}

// renewalRequest is the request operations decide a production renewal with: the old and
// new fingerprints and how each new key was proven.
func (s *Service) renewalRequest(g Organization, a Actor, r Renewal) approval.Request {
	form := map[string]string{"environment": string(g.Environment), "organizationIdentifier": g.OrganizationIdentifier, "renewalId": r.ID}
	qwac, qseal := g.certificates()
	var labels []string
	for _, c := range r.certificates() {
		old := qwac
		if c.kind == CertQSealC {
			old = qseal
		}
		if old != nil {
			form["current"+certificateLabel[c.kind]+"Fingerprint"] = old.SHA256Fingerprint
		}
		form[c.kind+"Fingerprint"] = c.cert.SHA256Fingerprint
		c.proof.Form(c.kind, form)
		labels = append(labels, certificateLabel[c.kind])
	}
	return approval.Request{ID: r.RequestID, Kind: KindCertificateRenewal, OrgID: g.ID, OrgName: g.Name, Environment: string(g.Environment),
		RequesterID: a.UserID, RequesterEmail: a.Email,
		Summary: fmt.Sprintf("Renew the %s of %s (%s)", strings.Join(labels, " and "), g.Name, g.OrganizationIdentifier), Form: form}
}

// certificateLabel is how the portal names each eIDAS certificate.
var certificateLabel = map[string]string{CertQWAC: "QWAC", CertQSealC: "QSealC"}

// proveRenewal records that the actor (owner or administrator) holds the private key of
// one of the renewal's new certificates; the last proof applies or submits the renewal in
// the same transaction.
func (s *Service) proveRenewal(ctx context.Context, a Actor, g Organization, m Member, fingerprint string, req possession.ProofRequest) (possession.Result, error) {
	if err := allow(m, g, Owner, Admin); err != nil {
		return possession.Result{}, err
	}
	r := *g.Renewal
	var c renewed
	for _, rc := range r.certificates() {
		if rc.cert.SHA256Fingerprint == fingerprint {
			c = rc
		}
	}
	now := s.Now()
	proof, spend, err := possession.Prove(ctx, s.store, g.ID, c.cert.X509, a.Email, req, now)
	if err != nil {
		return possession.Result{}, err
	}
	if c.proof != nil {
		return possession.Result{}, possession.ErrProven
	}
	result := possession.Result{SHA256Fingerprint: fingerprint, Possession: proof}
	details := map[string]string{"certificate": c.kind, "fingerprint": fingerprint, "method": string(proof.Method)}
	proven, err := s.store.AuditWrite(AuditEntry{OrgID: g.ID, At: now, ActorID: a.UserID, Actor: a.Email, Action: "certificate_renewal.possession_proven", Details: details})
	if err != nil {
		return possession.Result{}, err
	}
	r.setProof(c.kind, proof)
	if !r.proven() {
		set, err := s.store.RenewalProofWrite(g.ID, r.ID, c.kind, proof)
		if err != nil {
			return possession.Result{}, err
		}
		return result, s.store.Commit(ctx, possession.ErrSpent, set, spend, proven)
	}
	done, err := s.finishRenewal(ctx, a, g, m, r.ID, r, spend, proven)
	if err != nil {
		return possession.Result{}, err
	}
	result.Request = done.Request
	return result, nil
}

// RenewalPair is one certificate of a renewal: the one in force and its replacement.
type RenewalPair struct {
	Kind    string
	Current *eidas.Certificate
	Renewal *eidas.Certificate
}

// RenewalOf is what the renewal of request requestID replaces, while it waits for the
// decision; nil once decided.
func (s *Service) RenewalOf(ctx context.Context, orgID, requestID string) ([]RenewalPair, error) {
	g, err := s.store.GetOrganization(ctx, orgID)
	if err != nil {
		return nil, err
	}
	if g.Renewal == nil || g.Renewal.RequestID != requestID {
		return nil, nil
	}
	qwac, qseal := g.certificates()
	var out []RenewalPair
	for _, c := range g.Renewal.certificates() {
		old := qwac
		if c.kind == CertQSealC {
			old = qseal
		}
		out = append(out, RenewalPair{Kind: c.kind, Current: old, Renewal: c.cert})
	}
	return out, nil
}

// renewalKind applies a production renewal when operations approve it; a rejection, an
// expiry or a failure ends it and the certificates in force stay.
type renewalKind struct{ s *Service }

func (k renewalKind) Approve(ctx context.Context, r approval.Request, d approval.Decision) (workflow.Effects, error) {
	g, err := k.s.store.GetOrganization(ctx, r.OrgID)
	if err != nil {
		return workflow.Effects{}, err
	}
	if g.Renewal == nil || g.Renewal.RequestID != r.ID {
		return workflow.Effects{}, errRenewalChanged
	}
	apply, err := k.s.store.RenewalApplyWrite(r.OrgID, "", *g.Renewal)
	if err != nil {
		return workflow.Effects{}, err
	}
	audit, err := k.s.store.AuditWrite(AuditEntry{OrgID: r.OrgID, At: d.At, ActorID: d.ActorID, Actor: d.Actor, Action: "certificate_renewal.approved", RequestID: r.ID})
	if err != nil {
		return workflow.Effects{}, err
	}
	return k.s.effects([]workflow.Write{apply, audit, k.s.store.PendingRelease(r.OrgID, r.Kind)}, r, r.Summary+": approved",
		fmt.Sprintf("The bank approved the renewal of the certificates of %s. The new certificates are in force from now.", r.OrgName))
}

func (k renewalKind) Reject(_ context.Context, r approval.Request, d approval.Decision) (workflow.Effects, error) {
	audit, err := k.s.store.AuditWrite(AuditEntry{OrgID: r.OrgID, At: d.At, ActorID: d.ActorID, Actor: d.Actor, Action: "certificate_renewal.rejected", RequestID: r.ID,
		Details: map[string]string{"reason": d.Comment}})
	if err != nil {
		return workflow.Effects{}, err
	}
	return k.s.effects([]workflow.Write{k.s.store.RenewalEndWrite(r.OrgID, r.ID), audit, k.s.store.PendingRelease(r.OrgID, r.Kind)}, r, r.Summary+": not approved",
		fmt.Sprintf("The bank did not approve the renewal of the certificates of %s; the certificates in force stay. The reason given: %s", r.OrgName, d.Comment))
}

func (k renewalKind) Expire(r approval.Request) (workflow.Effects, error) {
	audit, err := k.s.store.AuditWrite(AuditEntry{OrgID: r.OrgID, At: r.ExpiresAt, ActorID: "system", Actor: "system", Action: "certificate_renewal.expired", RequestID: r.ID})
	if err != nil {
		return workflow.Effects{}, err
	}
	return k.s.effects([]workflow.Write{k.s.store.RenewalEndWrite(r.OrgID, r.ID), audit, k.s.store.PendingRelease(r.OrgID, r.Kind)}, r, r.Summary+": expired",
		fmt.Sprintf("The renewal of the certificates of %s expired before the bank decided it; the certificates in force stay. Start the renewal again if it still applies.", r.OrgName))
}

func (k renewalKind) Fail(r approval.Request) (workflow.Effects, error) {
	return k.s.effects([]workflow.Write{k.s.store.RenewalEndWrite(r.OrgID, r.ID), k.s.store.PendingRelease(r.OrgID, r.Kind)}, r, r.Summary+": not completed",
		fmt.Sprintf("The renewal of the certificates of %s could not be completed; the certificates in force stay. %s Start the renewal again if it still applies.", r.OrgName, errNotApplied))
}
