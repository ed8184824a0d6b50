package org

import (
	"context"
	"errors"
	"fmt"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/portal/possession"
	"github.com/bank/devportal/shared/trust/eidas"
)

// The onboarding's certificates, as the onboarding form's fields name them.
const (
	CertQWAC   = "qwac"
	CertQSealC = "qsealc"
)

// errIdentifierTaken refuses to submit a draft whose TPP another organization has onboarded,
// or is onboarding, with proven certificates.
func errIdentifierTaken(identifier string, env Environment) error {
	return apperr.New(apperr.Conflict, "IDENTIFIER_TAKEN", fmt.Sprintf("An organization with the identifier %s is already onboarded, or waiting for approval, in the %s environment. Ask its owner to invite you instead.", identifier, env))
}

// ErrNotDraftCertificate refuses a proof for a fingerprint that is none of a draft
// onboarding's certificates.
var ErrNotDraftCertificate = apperr.New(apperr.NotFound, "NOT_FOUND", "This onboarding has no such certificate.")

// withChallenges gives the owner of a draft onboarding the current challenge of each
// certificate whose key is not proven yet: what they sign to prove it.
func (s *Service) withChallenges(ctx context.Context, a Actor, g Organization, m Member, v *OrganizationView) error {
	if err := s.withRenewalChallenges(ctx, a, g, m, v); err != nil {
		return err
	}
	if g.Status != StatusDraft || m.Role != Owner {
		return nil
	}
	qwac, qseal := g.certificates()
	for i, c := range v.Certificates {
		cert := qwac
		if c.Kind == CertQSealC {
			cert = qseal
		}
		if c.Possession != nil || cert == nil {
			continue
		}
		ch, err := possession.Current(ctx, s.store, g.ID, cert.X509, a.Email, s.Now())
		if err != nil {
			return err
		}
		v.Certificates[i].Challenge = ch
	}
	return nil
}

// withRenewalChallenges gives the owner and administrators the current challenge of each
// unproven certificate of a renewal not yet submitted.
func (s *Service) withRenewalChallenges(ctx context.Context, a Actor, g Organization, m Member, v *OrganizationView) error {
	if v.Renewal == nil || g.Renewal.RequestID != "" || g.Status != StatusActive {
		return nil
	}
	for i, c := range g.Renewal.certificates() {
		if c.proof != nil {
			continue
		}
		ch, err := possession.Current(ctx, s.store, g.ID, c.cert.X509, a.Email, s.Now())
		if err != nil {
			return err
		}
		v.Renewal.Certificates[i].Challenge = ch
	}
	return nil
}

// draftCertificate is the draft's certificate with the fingerprint: its kind, the parsed
// certificate and its proof (nil while unproven).
func (g Organization) draftCertificate(fingerprint string) (string, *eidas.Certificate, *possession.Proof, error) {
	qwac, qseal := g.certificates()
	switch {
	case qwac != nil && qwac.SHA256Fingerprint == fingerprint:
		return CertQWAC, qwac, g.QWACPossession, nil
	case qseal != nil && qseal.SHA256Fingerprint == fingerprint:
		return CertQSealC, qseal, g.QSealCPossession, nil
	}
	return "", nil, nil, ErrNotDraftCertificate
}

// ProveOnboarding records that the owner of a draft onboarding holds the private key of its
// QWAC or QSealC (by fingerprint), from the certificate's challenge signed with it; in an
// active organization, that its owner or an administrator holds the key of a renewal's
// certificate (proveRenewal). The
// proof of the second certificate also submits the onboarding to operations, in the same
// transaction: the result then carries the request. If another organization holds the
// TPP's identifier, nothing is recorded and the owner can prove it again once it is free.
func (s *Service) ProveOnboarding(ctx context.Context, a Actor, orgID, fingerprint string, req possession.ProofRequest) (possession.Result, error) {
	g, m, err := s.member(ctx, a, orgID)
	if err != nil {
		return possession.Result{}, err
	}
	if g.Status == StatusActive && g.Renewal.Has(fingerprint) {
		return s.proveRenewal(ctx, a, g, m, fingerprint, req)
	}
	if g.Status != StatusDraft || m.Role != Owner {
		// Only the owner completes a draft; to anyone else it has no such certificate.
		return possession.Result{}, ErrNotDraftCertificate
	}
	kind, cert, proven, err := g.draftCertificate(fingerprint)
	if err != nil {
		return possession.Result{}, err
	}
	now := s.Now()
	proof, spend, err := possession.Prove(ctx, s.store, g.ID, cert.X509, a.Email, req, now)
	if err != nil {
		return possession.Result{}, err
	}
	if proven != nil {
		return possession.Result{}, possession.ErrProven
	}
	audit := AuditEntry{OrgID: g.ID, At: now, ActorID: a.UserID, Actor: a.Email, Action: "onboarding.possession_proven",
		Details: map[string]string{"certificate": kind, "fingerprint": cert.SHA256Fingerprint, "method": string(proof.Method)}}
	result := possession.Result{SHA256Fingerprint: cert.SHA256Fingerprint, Possession: proof}
	if kind == CertQWAC {
		g.QWACPossession = &proof
	} else {
		g.QSealCPossession = &proof
	}
	if !g.proven() {
		return result, s.store.RecordOnboardingPossession(ctx, g.ID, kind, proof, spend, audit)
	}
	// The last proof: recorded together with the submission, or not at all.
	if holder, err := s.store.IdentifierHolder(ctx, string(g.Environment), g.OrganizationIdentifier); err == nil && holder != "" {
		return possession.Result{}, errIdentifierTaken(g.OrganizationIdentifier, g.Environment)
	}
	writes, err := s.store.OnboardingSubmitWrites(g, kind, proof)
	if err != nil {
		return possession.Result{}, err
	}
	reqID := newID()
	provenAudit, err := s.store.AuditWrite(audit)
	if err != nil {
		return possession.Result{}, err
	}
	submitted, err := s.store.AuditWrite(AuditEntry{OrgID: g.ID, At: now, ActorID: a.UserID, Actor: a.Email, Action: "onboarding.submitted", RequestID: reqID,
		Details: map[string]string{"name": g.Name, "environment": string(g.Environment)}})
	if err != nil {
		return possession.Result{}, err
	}
	r, err := s.approvals.Submit(ctx, s.onboardingRequest(g, a, reqID), append(writes, spend, provenAudit, submitted)...)
	if errors.Is(err, apperr.ErrConflict) {
		// Another organization reserved the identifier at the same moment, or the challenge
		// was spent, or the draft changed, meanwhile.
		if holder, herr := s.store.IdentifierHolder(ctx, string(g.Environment), g.OrganizationIdentifier); herr == nil && holder != "" && holder != g.ID {
			return possession.Result{}, errIdentifierTaken(g.OrganizationIdentifier, g.Environment)
		}
		return possession.Result{}, possession.ErrSpent
	}
	if err != nil {
		return possession.Result{}, err
	}
	result.Request = &r
	return result, nil
}
