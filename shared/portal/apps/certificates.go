package apps

import (
	"context"
	"crypto/x509"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/platform/paging"
	"github.com/bank/devportal/shared/platform/validation"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/portal/possession"
	"github.com/bank/devportal/shared/portal/workflow"
	"github.com/bank/devportal/shared/trust/eidas"
)

// MaxAppCertificates is how many certificates an app can have at once: two, so one can
// be rotated without downtime.
const MaxAppCertificates = 2

// Certificate is an mTLS client certificate uploaded to an organization.
type Certificate struct {
	Fingerprint string    `json:"sha256Fingerprint" dynamodbav:"fingerprint"`
	OrgID       string    `json:"-" dynamodbav:"orgId"`
	Subject     string    `json:"subject" dynamodbav:"subject"`
	Issuer      string    `json:"issuer" dynamodbav:"issuer"`
	NotBefore   time.Time `json:"notBefore" dynamodbav:"notBefore"`
	NotAfter    time.Time `json:"notAfter" dynamodbav:"notAfter"`
	PEM         string    `json:"pem" dynamodbav:"pem"`
	UploadedAt  time.Time `json:"uploadedAt" dynamodbav:"uploadedAt"`
	UploadedBy  string    `json:"uploadedBy" dynamodbav:"uploadedBy"`
	// AppID is the app the certificate is attached to, if any (one app per certificate,
	// so a presented certificate identifies its app).
	AppID string `json:"appId,omitempty" dynamodbav:"appId,omitempty"`
	// Warned are the expiry warnings already sent, in days before expiry.
	Warned []int `json:"-" dynamodbav:"warned,numberset,omitempty"`
	// Possession is the proof that the organization holds the private key; nil while
	// unproven. An unproven certificate cannot be selected for an app: anyone can paste a
	// certificate, only its holder can sign with it.
	Possession *possession.Proof `json:"possession,omitempty" dynamodbav:"possession,omitempty"`
	// Challenge is what a member who may change apps signs with the private key while it is
	// unproven.
	Challenge *possession.ChallengeView `json:"challenge,omitempty" dynamodbav:"-"`
	// RevokedAt marks a revoked certificate (RFC 3339; lookup.AttrRevokedAt): revoked
	// through the portal, or found revoked at its CA by the daily check. The TPP API
	// refuses it from the next call; no app can select it, no go-live can name it.
	RevokedAt *time.Time `json:"revokedAt,omitempty" dynamodbav:"revokedAt,omitempty"`
	// RevocationReason is why (the RFC 5280 reason, e.g. keyCompromise), RevokedBy who:
	// the member who revoked it, or the CRL or OCSP responder that said so.
	RevocationReason string `json:"revocationReason,omitempty" dynamodbav:"revocationReason,omitempty"`
	RevokedBy        string `json:"revokedBy,omitempty" dynamodbav:"revokedBy,omitempty"`
	// RevocationComment is what the member who revoked it added, if anything.
	RevocationComment string `json:"revocationComment,omitempty" dynamodbav:"revocationComment,omitempty"`
}

// revokedField refuses a revoked certificate where a usable one is needed.
func revokedField(field string, c Certificate) apperr.FieldError {
	return apperr.Field(field, "revoked", "This certificate was revoked on "+c.RevokedAt.UTC().Format("2 January 2006")+
		" ("+c.RevocationReason+"); use another one.")
}

// CertificateStore keeps an organization's certificates and their attachment to apps.
type CertificateStore interface {
	// Challenges and issuance records prove possession of the certificates' keys.
	possession.Store
	PutCertificate(ctx context.Context, c Certificate, audit org.AuditEntry) error
	// RecordPossession stores the proof for an unproven certificate with the write
	// spending its challenge.
	RecordPossession(ctx context.Context, c Certificate, p possession.Proof, spend workflow.Write, audit org.AuditEntry) error
	ListCertificates(ctx context.Context, orgID string) ([]Certificate, error)
	// CertificatesPage reads one page of an organization's uploaded certificates.
	CertificatesPage(ctx context.Context, orgID string, page paging.Page) ([]Certificate, string, error)
	GetCertificate(ctx context.Context, orgID, fingerprint string) (Certificate, error)
	// DeleteCertificate removes an uploaded certificate that no app uses.
	DeleteCertificate(ctx context.Context, c Certificate, audit org.AuditEntry) error
	// AttachWrites mark an unattached, proven certificate as app's and write its
	// fingerprint lookup.
	AttachWrites(c Certificate, app App) ([]workflow.Write, error)
	// TakeOverWrites attach the proven certificate c to app in place of from, an unproven
	// certificate of another organization whose app holds the fingerprint lookup.
	TakeOverWrites(c Certificate, app App, from Certificate) ([]workflow.Write, error)
	// UploadAttachedWrites store a new certificate already attached to app, with its
	// fingerprint lookup (a certificate the portal issued for the app).
	UploadAttachedWrites(c Certificate, app App) ([]workflow.Write, error)
	// RevocationStore marks revoked certificates and keeps the sandbox CA's revocations.
	RevocationStore
	// DetachWrites free an attached certificate and remove its fingerprint lookup.
	DetachWrites(c Certificate) []workflow.Write
	// ExpiringCertificates lists every organization's certificates expiring between from
	// and until.
	ExpiringCertificates(ctx context.Context, from, until time.Time) ([]Certificate, error)
	// MarkWarned records that the warning for daysLeft was sent (once per certificate).
	MarkWarned(ctx context.Context, c Certificate, daysLeft int) error
	// Fingerprint finds the app a presented certificate belongs to in one read.
	Fingerprint(ctx context.Context, fingerprint string) (FingerprintOwner, error)
}

// FingerprintOwner is the app a certificate fingerprint belongs to, as the TPP API's
// lookup reads it.
type FingerprintOwner = lookup.CertificateOwner

// expiredField is the field error for a certificate past its expiry.
func expiredField(field string, notAfter time.Time) apperr.FieldError {
	return apperr.Field(field, "expired", "This certificate expired on "+notAfter.Format("2 January 2006")+"; use a valid one.")
}

// presented says whether some app, in any organization, presents the certificate.
func (s *Service) presented(ctx context.Context, fingerprint string) bool {
	_, err := s.certs.Fingerprint(ctx, fingerprint)
	return err == nil
}

// UploadRequest carries a certificate as PEM or base64 DER.
type UploadRequest struct {
	Certificate string `json:"certificate" validate:"required,max=20000" example:"-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----"`
}

// CertificatesView lists certificates.
type CertificatesView struct {
	Certificates []Certificate `json:"certificates"`
	// NextCursor asks for the next page; it is absent on the last.
	NextCursor string `json:"nextCursor,omitempty"`
}

// checkMTLS checks an mTLS certificate of the organization g as its environment wants it,
// naming field in every error: in the sandbox a certificate valid at now; in production a
// qualified QWAC of g's organizationIdentifier from the eIDAS truststore (eidas.CheckMTLS).
func (s *Service) checkMTLS(g org.Organization, field, pemText string, now time.Time) (*eidas.Certificate, []apperr.FieldError) {
	return eidas.CheckMTLS(eidas.MTLSCert{Field: field, Certificate: pemText, Production: g.Environment == org.Production,
		Roots: s.truststore, OrganizationIdentifier: g.OrganizationIdentifier, Now: now})
}

// Upload stores a certificate in the organization (not Viewers); it must parse and be
// valid now, and in production be a QWAC of the organization (checkMTLS). It is proven at
// once if the sandbox CA issued it to the actor through the portal, or if it is the
// organization's QWAC or QSealC, whose keys onboarding proved; otherwise the actor proves
// possession of its key with a signed challenge before any app can use it.
func (s *Service) Upload(ctx context.Context, a org.Actor, orgID string, req UploadRequest) (Certificate, error) {
	g, _, err := s.access(ctx, a, orgID, true)
	if err != nil {
		return Certificate{}, err
	}
	if errs := validation.Struct(req); len(errs) > 0 {
		return Certificate{}, apperr.Fields(errs...)
	}
	now := s.Now()
	parsed, errs := s.checkMTLS(g, "certificate", req.Certificate, now)
	if len(errs) > 0 {
		return Certificate{}, apperr.Fields(errs...)
	}
	if err := s.checkUploadRevocation(ctx, g, parsed); err != nil {
		return Certificate{}, err
	}
	c := Certificate{Fingerprint: parsed.SHA256Fingerprint, OrgID: orgID, Subject: parsed.Subject.DN, Issuer: parsed.Issuer.DN,
		NotBefore: parsed.NotBefore, NotAfter: parsed.NotAfter, PEM: parsed.PEM(), UploadedAt: now, UploadedBy: a.Email}
	if c.Possession, err = s.provenAlready(ctx, a, g, c.Fingerprint); err != nil {
		return Certificate{}, err
	}
	if err := s.certs.PutCertificate(ctx, c, s.audit(a, orgID, "certificate.uploaded", map[string]string{"fingerprint": c.Fingerprint, "subject": c.Subject})); err != nil {
		if errors.Is(err, apperr.ErrConflict) {
			return Certificate{}, apperr.Fields(apperr.Field("certificate", "duplicate", "This certificate is already uploaded; select it instead."))
		}
		return Certificate{}, err
	}
	return c, s.withChallenge(ctx, a, &c)
}

// Certificates lists one page of the organization's certificates, by fingerprint (each
// shows its expiry); a member who may change apps gets each unproven one's challenge.
func (s *Service) Certificates(ctx context.Context, a org.Actor, orgID string, page paging.Page) (CertificatesView, error) {
	g, m, err := s.access(ctx, a, orgID, false)
	if err != nil {
		return CertificatesView{}, err
	}
	list, next, err := s.certs.CertificatesPage(ctx, orgID, page)
	if err != nil {
		return CertificatesView{}, err
	}
	if list == nil {
		list = []Certificate{}
	}
	if m.Role != org.Viewer && g.Status == org.StatusActive {
		for i := range list {
			if err := s.withChallenge(ctx, a, &list[i]); err != nil {
				return CertificatesView{}, err
			}
		}
	}
	return CertificatesView{Certificates: list, NextCursor: next}, nil
}

// SelectRequest names an uploaded certificate by fingerprint.
type SelectRequest struct {
	Fingerprint string `json:"sha256Fingerprint" validate:"required,len=64,hexadecimal" example:"47c9a554cc63faecc4e1af6d33922a3fe5157c007da65b574d2f2574d307dabc"`
}

// AttachCertificate gives an app an uploaded certificate (at most two per app). A
// production app's is checked again against the production rules: it may have been
// uploaded before them, or its CA may have left the eIDAS truststore since.
func (s *Service) AttachCertificate(ctx context.Context, a org.Actor, orgID, appID string, req SelectRequest) (Certificate, error) {
	g, _, err := s.access(ctx, a, orgID, true)
	if err != nil {
		return Certificate{}, err
	}
	app, err := s.store.GetApp(ctx, orgID, appID)
	if err != nil {
		return Certificate{}, err
	}
	req.Fingerprint = strings.ToLower(req.Fingerprint)
	if errs := validation.Struct(req); len(errs) > 0 {
		return Certificate{}, apperr.Fields(errs...)
	}
	c, err := s.certs.GetCertificate(ctx, orgID, req.Fingerprint)
	if err != nil {
		return Certificate{}, apperr.Fields(apperr.Field("sha256Fingerprint", "unknown", "Upload this certificate to the organization first."))
	}
	if c.AppID != "" {
		return Certificate{}, apperr.Fields(apperr.Field("sha256Fingerprint", "attached", "This certificate belongs to another app; a certificate identifies one app."))
	}
	if c.RevokedAt != nil {
		return Certificate{}, apperr.Fields(revokedField("sha256Fingerprint", c))
	}
	if c.Possession == nil {
		return Certificate{}, apperr.Fields(errUnprovenField("sha256Fingerprint"))
	}
	var from *FingerprintOwner
	if holder, err := s.certs.Fingerprint(ctx, c.Fingerprint); err == nil {
		from = &holder
	}
	if s.Now().After(c.NotAfter) {
		return Certificate{}, apperr.Fields(expiredField("sha256Fingerprint", c.NotAfter))
	}
	if _, errs := s.checkMTLS(g, "sha256Fingerprint", c.PEM, s.Now()); len(errs) > 0 {
		return Certificate{}, apperr.Fields(errs...)
	}
	if len(app.Fingerprints) >= MaxAppCertificates {
		return Certificate{}, apperr.Fields(apperr.Field("sha256Fingerprint", "max", "An app has at most two certificates; remove one first."))
	}
	var writes []workflow.Write
	if from == nil {
		writes, err = s.certs.AttachWrites(c, app)
	} else {
		writes, err = s.takeOver(ctx, c, app, *from)
	}
	if err != nil {
		return Certificate{}, err
	}
	checks, err := s.open(ctx, orgID)
	if err != nil {
		return Certificate{}, err
	}
	writes = append(writes, checks...)
	if _, err := s.update(ctx, app, s.audit(a, orgID, "certificate.attached", map[string]string{"appId": appID, "fingerprint": c.Fingerprint}),
		func(x *App) { x.Fingerprints = append(x.Fingerprints, c.Fingerprint) }, writes...); err != nil {
		return Certificate{}, err
	}
	c.AppID = appID
	return c, nil
}

// DetachCertificate removes a certificate from an app (it stays uploaded).
func (s *Service) DetachCertificate(ctx context.Context, a org.Actor, orgID, appID, fingerprint string) error {
	app, _, err := s.app(ctx, a, orgID, appID, true)
	if err != nil {
		return err
	}
	c, err := s.certs.GetCertificate(ctx, orgID, strings.ToLower(fingerprint))
	if err != nil || c.AppID != appID {
		return apperr.New(apperr.NotFound, "NOT_FOUND", "This app has no such certificate.")
	}
	_, err = s.update(ctx, app, s.audit(a, orgID, "certificate.detached", map[string]string{"appId": appID, "fingerprint": c.Fingerprint}),
		func(x *App) {
			x.Fingerprints = slices.DeleteFunc(x.Fingerprints, func(f string) bool { return f == c.Fingerprint })
		},
		s.certs.DetachWrites(c)...)
	return err
}

// DeleteCertificate removes an uploaded certificate no app uses (not Viewers).
func (s *Service) DeleteCertificate(ctx context.Context, a org.Actor, orgID, fingerprint string) error {
	if _, _, err := s.access(ctx, a, orgID, true); err != nil {
		return err
	}
	c, err := s.certs.GetCertificate(ctx, orgID, strings.ToLower(fingerprint))
	if err != nil {
		return apperr.New(apperr.NotFound, "NOT_FOUND", "This organization has no such certificate.")
	}
	if c.AppID != "" {
		return apperr.New(apperr.Conflict, "CERTIFICATE_IN_USE", "An app uses this certificate; remove it from the app first.")
	}
	return s.certs.DeleteCertificate(ctx, c, s.audit(a, orgID, "certificate.deleted", map[string]string{"fingerprint": c.Fingerprint, "subject": c.Subject}))
}

// errAttachedElsewhere refuses a certificate whose fingerprint lookup names an app of
// another organization that proved possession of its key.
var errAttachedElsewhere = apperr.Fields(apperr.Field("sha256Fingerprint", "attachedElsewhere", "An app of another organization presents this certificate; a certificate identifies one app. Use your own certificate."))

// takeOver are the writes attaching the proven certificate c to app while the fingerprint
// lookup names holder's app. Only an unproven attachment, made before possession had to be
// proven, gives way: it is detached from its app (and the app's access copies) in the same
// transaction, and its organization's audit trail says why. A proven one stays.
func (s *Service) takeOver(ctx context.Context, c Certificate, app App, holder FingerprintOwner) ([]workflow.Write, error) {
	held, err := s.certs.GetCertificate(ctx, holder.OrgID, c.Fingerprint)
	if holder.OrgID == c.OrgID || err != nil || held.Possession != nil || held.AppID != holder.AppID {
		return nil, errAttachedElsewhere
	}
	heldApp, err := s.store.GetApp(ctx, holder.OrgID, holder.AppID)
	if err != nil {
		return nil, err
	}
	creds, err := s.store.ListCredentials(ctx, holder.OrgID, holder.AppID)
	if err != nil {
		return nil, err
	}
	after := heldApp.clone()
	after.Fingerprints = slices.DeleteFunc(after.Fingerprints, func(f string) bool { return f == c.Fingerprint })
	writes, err := s.store.AppWrites(heldApp, after, creds)
	if err != nil {
		return nil, err
	}
	take, err := s.certs.TakeOverWrites(c, app, held)
	if err != nil {
		return nil, err
	}
	audit, err := s.dir.AuditWrite(org.AuditEntry{OrgID: holder.OrgID, At: s.Now(), ActorID: "system", Actor: "system", Action: "certificate.displaced",
		Details: map[string]string{"appId": holder.AppID, "fingerprint": c.Fingerprint,
			"reason": "Another organization proved possession of this certificate's private key; nobody had for this organization."}})
	if err != nil {
		return nil, err
	}
	return append(append(take, writes...), audit), nil
}

// errUnprovenField refuses a certificate whose key's possession is not proven.
func errUnprovenField(field string) apperr.FieldError {
	return apperr.Field(field, "unproven", "Prove that you hold this certificate's private key first: sign the challenge shown with it in the organization's certificates.")
}

// provenAlready is the proof an upload comes with, if any: the sandbox CA issued the
// certificate to the actor through the portal, or it is one of the organization's eIDAS
// certificates whose key its onboarding proved.
func (s *Service) provenAlready(ctx context.Context, a org.Actor, g org.Organization, fingerprint string) (*possession.Proof, error) {
	p, err := possession.IssuedTo(ctx, s.certs, fingerprint, a.UserID)
	if err != nil || p != nil {
		return p, err
	}
	for _, c := range []struct {
		pem   string
		proof *possession.Proof
	}{{g.QWACPEM, g.QWACPossession}, {g.QSealCPEM, g.QSealCPossession}} {
		if parsed, err := eidas.Parse(c.pem); err == nil && parsed.SHA256Fingerprint == fingerprint && c.proof != nil {
			return c.proof, nil
		}
	}
	return nil, nil
}

// withChallenge gives an unproven certificate its current challenge: what the organization
// signs with the private key to prove it holds it.
func (s *Service) withChallenge(ctx context.Context, a org.Actor, c *Certificate) error {
	if c.Possession != nil {
		return nil
	}
	parsed, err := eidas.Parse(c.PEM)
	if err != nil {
		return apperr.Wrap(err, "stored certificate does not parse")
	}
	c.Challenge, err = possession.Current(ctx, s.certs, c.OrgID, parsed.X509, a.Email, s.Now())
	if c.Challenge != nil && s.checkURL != "" {
		c.Challenge.Handshake = possession.HandshakeFor(s.checkURL, c.Challenge.Challenge)
	}
	return err
}

// ProveByHandshake records that the holder of an uploaded mTLS certificate proved
// possession of its key by a TLS connection made with it (cert, which the TLS server
// verified) that sent the certificate's challenge. The challenge names the organization;
// the proof is credited to the member it was shown to.
func (s *Service) ProveByHandshake(ctx context.Context, cert *x509.Certificate, req possession.HandshakeRequest) (possession.Result, error) {
	now := s.Now()
	orgID, proof, spend, err := possession.ProveByHandshake(ctx, s.certs, cert, req, now)
	if err != nil {
		return possession.Result{}, err
	}
	c, err := s.certs.GetCertificate(ctx, orgID, possession.Fingerprint(cert))
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		return possession.Result{}, errNotUploaded
	case err != nil:
		return possession.Result{}, err
	case c.Possession != nil:
		return possession.Result{}, possession.ErrProven
	case c.RevokedAt != nil:
		return possession.Result{}, apperr.Fields(revokedField("challenge", c))
	}
	audit := org.AuditEntry{OrgID: orgID, At: now, ActorID: "certificate-holder", Actor: proof.By, Action: "certificate.possession_proven",
		Details: map[string]string{"fingerprint": c.Fingerprint, "subject": c.Subject, "method": string(proof.Method)}}
	if err := s.certs.RecordPossession(ctx, c, proof, spend, audit); err != nil {
		return possession.Result{}, err
	}
	return possession.Result{SHA256Fingerprint: c.Fingerprint, Possession: proof}, nil
}

// errNotUploaded refuses a handshake proof for a certificate that is not an uploaded mTLS
// certificate of the organization its challenge names.
var errNotUploaded = apperr.Fields(apperr.Field("challenge", "notUploaded",
	"This challenge is not for an mTLS certificate uploaded to an organization: an onboarding's QWAC and QSealC are proven by signing their challenges in the portal."))

// ProvePossession records that the actor holds the private key of a certificate of the
// organization, from the certificate's challenge signed with it. In a draft organization
// the certificates are its onboarding's QWAC and QSealC, which its owner proves (the
// second proof submits the onboarding); a renewal's new QWAC and QSealC are proven the same
// way (org.Service.ProveOnboarding); otherwise they are the uploaded mTLS certificates
// (not Viewers), which no app can use until proven.
func (s *Service) ProvePossession(ctx context.Context, a org.Actor, orgID, fingerprint string, req possession.ProofRequest) (possession.Result, error) {
	g, _, err := s.orgs.Membership(ctx, a, orgID)
	if err != nil {
		return possession.Result{}, err
	}
	if g.Status == org.StatusDraft || g.Renewal.Has(strings.ToLower(fingerprint)) {
		return s.onboarding.ProveOnboarding(ctx, a, orgID, strings.ToLower(fingerprint), req)
	}
	c, parsed, err := s.uploaded(ctx, a, orgID, fingerprint)
	if err != nil {
		return possession.Result{}, err
	}
	now := s.Now()
	// The challenge is checked first, so a reused one is refused as used whatever became
	// of its certificate.
	proof, spend, err := possession.Prove(ctx, s.certs, c.OrgID, parsed.X509, a.Email, req, now)
	if err != nil {
		return possession.Result{}, err
	}
	if c.Possession != nil {
		return possession.Result{}, possession.ErrProven
	}
	if err := s.certs.RecordPossession(ctx, c, proof, spend, s.audit(a, orgID, "certificate.possession_proven",
		map[string]string{"fingerprint": c.Fingerprint, "subject": c.Subject, "method": string(proof.Method)})); err != nil {
		return possession.Result{}, err
	}
	return possession.Result{SHA256Fingerprint: c.Fingerprint, Possession: proof}, nil
}

// Certificate is one certificate uploaded to an organization the actor belongs to: what
// a check of one certificate asks, rather than a scan of a page of the list.
func (s *Service) Certificate(ctx context.Context, a org.Actor, orgID, fingerprint string) (Certificate, error) {
	if _, _, err := s.access(ctx, a, orgID, false); err != nil {
		return Certificate{}, err
	}
	return s.certs.GetCertificate(ctx, orgID, strings.ToLower(fingerprint))
}

// uploaded is a certificate uploaded to the organization, parsed, for a member who may
// change apps.
func (s *Service) uploaded(ctx context.Context, a org.Actor, orgID, fingerprint string) (Certificate, *eidas.Certificate, error) {
	if _, _, err := s.access(ctx, a, orgID, true); err != nil {
		return Certificate{}, nil, err
	}
	c, err := s.certs.GetCertificate(ctx, orgID, strings.ToLower(fingerprint))
	if err != nil {
		return Certificate{}, nil, apperr.New(apperr.NotFound, "NOT_FOUND", "This organization has no such certificate.")
	}
	parsed, err := eidas.Parse(c.PEM)
	if err != nil {
		return Certificate{}, nil, apperr.Wrap(err, "stored certificate does not parse")
	}
	return c, parsed, nil
}

// UploadedCertificate parses orgID's uploaded certificate with fingerprint, for operations
// weighing a request that names it; ErrNotFound when the organization has none such.
func (s *Service) UploadedCertificate(ctx context.Context, orgID, fingerprint string) (*eidas.Certificate, error) {
	c, err := s.certs.GetCertificate(ctx, orgID, strings.ToLower(fingerprint))
	if err != nil {
		return nil, err
	}
	parsed, err := eidas.Parse(c.PEM)
	if err != nil {
		return nil, apperr.Wrap(err, "parse stored certificate")
	}
	return parsed, nil
}
