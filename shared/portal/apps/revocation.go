package apps

import (
	"context"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/platform/validation"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/trust/eidas"
	"github.com/bank/devportal/shared/trust/sandboxca"
)

// CARevocation is the sandbox CA's record of a certificate it revoked: one entry of its
// CRL.
type CARevocation struct {
	// Serial is the certificate's serial number, lowercase hex.
	Serial      string    `dynamodbav:"serial"`
	Fingerprint string    `dynamodbav:"fingerprint"`
	OrgID       string    `dynamodbav:"orgId"`
	RevokedAt   time.Time `dynamodbav:"revokedAt"`
	// Reason is the RFC 5280 CRLReason code.
	Reason int `dynamodbav:"reason"`
}

// RevocationStore keeps revocations: the mark on an organization's certificate and the
// sandbox CA's records its CRL is made from.
type RevocationStore interface {
	// RevokeCertificate marks c revoked (c.RevokedAt, RevocationReason, RevokedBy,
	// RevocationComment) with the audit entry, and stores the sandbox CA's record when ca
	// is set, in one transaction; a certificate revoked meanwhile (or gone) refuses it.
	RevokeCertificate(ctx context.Context, c Certificate, ca *CARevocation, audit org.AuditEntry) error
	// SandboxRevocations are every revocation of the sandbox CA.
	SandboxRevocations(ctx context.Context) ([]CARevocation, error)
	// SandboxRevocation is the sandbox CA's revocation of a serial number (hex), or
	// apperr.ErrNotFound.
	SandboxRevocation(ctx context.Context, serial string) (CARevocation, error)
	// NextCRLNumber moves the sandbox CA's CRL number on and returns it.
	NextCRLNumber(ctx context.Context) (int64, error)
}

// CRLPublisher publishes the sandbox CA's CRL where its certificates' CRL distribution
// point finds it.
type CRLPublisher interface {
	PublishCRL(ctx context.Context, der []byte) error
}

// RevokeRequest says why a certificate is revoked: one of the RFC 5280 reasons a
// certificate's holder can give.
type RevokeRequest struct {
	// Reason is the RFC 5280 reason the CRL carries.
	Reason string `json:"reason" validate:"required,oneof=unspecified keyCompromise affiliationChanged superseded cessationOfOperation" enum:"unspecified,keyCompromise,affiliationChanged,superseded,cessationOfOperation" example:"keyCompromise"`
	// Comment is for the organization's audit trail.
	Comment string `json:"comment,omitempty" validate:"max=500,singleline" example:"The key was on a laptop that was stolen."`
}

// Errors of revocation.
var (
	errRevokeRole = apperr.New(apperr.Forbidden, "FORBIDDEN", "Only the organization's owner and administrators can revoke certificates.")
	// ErrAlreadyRevoked refuses to revoke a revoked certificate.
	ErrAlreadyRevoked = apperr.New(apperr.Conflict, "ALREADY_REVOKED", "This certificate is already revoked.")
	errNotRevocable   = apperr.New(apperr.Conflict, "NOT_REVOCABLE", "The portal revokes only certificates its sandbox CA issued through the portal, whose private key this organization holds; ask the certificate authority that issued this one to revoke it.")
	errNoSandboxCA    = errors.New("apps: no sandbox CA or no CRL publisher")
)

// RevokeCertificate revokes a certificate of the organization that the sandbox CA issued
// through the portal (owner and administrators; the organization must hold its key). The
// certificate is marked revoked with the CA's record and the audit entry in one
// transaction, so the TPP API refuses it from the next call, and the CA's CRL, which then
// lists its serial number, is published again.
func (s *Service) RevokeCertificate(ctx context.Context, a org.Actor, orgID, fingerprint string, req RevokeRequest) (Certificate, error) {
	_, m, err := s.access(ctx, a, orgID, true)
	if err != nil {
		return Certificate{}, err
	}
	if m.Role != org.Owner && m.Role != org.Admin {
		return Certificate{}, errRevokeRole
	}
	validation.Normalize(&req)
	if errs := validation.Struct(req); len(errs) > 0 {
		return Certificate{}, apperr.Fields(errs...)
	}
	c, err := s.certs.GetCertificate(ctx, orgID, strings.ToLower(fingerprint))
	if err != nil {
		return Certificate{}, apperr.New(apperr.NotFound, "NOT_FOUND", "This organization has no such certificate.")
	}
	if c.RevokedAt != nil {
		return Certificate{}, ErrAlreadyRevoked
	}
	parsed, err := eidas.Parse(c.PEM)
	if err != nil {
		return Certificate{}, apperr.Wrap(err, "stored certificate does not parse")
	}
	if s.ca == nil || !s.ca.IssuedBy(parsed.X509) || c.Possession == nil {
		return Certificate{}, errNotRevocable
	}
	if _, err := s.certs.Issuance(ctx, c.Fingerprint); err != nil {
		if errors.Is(err, apperr.ErrNotFound) {
			return Certificate{}, errNotRevocable
		}
		return Certificate{}, err
	}
	now := s.Now()
	code, _ := sandboxca.ReasonCode(req.Reason)
	rec := &CARevocation{Serial: parsed.X509.SerialNumber.Text(16), Fingerprint: c.Fingerprint, OrgID: orgID, RevokedAt: now, Reason: code}
	if prior, err := s.certs.SandboxRevocation(ctx, rec.Serial); err == nil {
		// Revoked at the CA already (another organization's copy): its CRL entry stands.
		rec, now, req.Reason = nil, prior.RevokedAt, sandboxca.ReasonName(prior.Reason)
	} else if !errors.Is(err, apperr.ErrNotFound) {
		return Certificate{}, err
	}
	c.RevokedAt, c.RevocationReason, c.RevokedBy, c.RevocationComment = &now, req.Reason, a.Email, req.Comment
	details := map[string]string{"fingerprint": c.Fingerprint, "subject": c.Subject, "serial": parsed.Serial, "reason": req.Reason}
	if c.AppID != "" {
		details["appId"] = c.AppID
	}
	if req.Comment != "" {
		details["comment"] = req.Comment
	}
	if err := s.certs.RevokeCertificate(ctx, c, rec, s.audit(a, orgID, "certificate.revoked", details)); err != nil {
		if errors.Is(err, apperr.ErrConflict) {
			return Certificate{}, ErrAlreadyRevoked
		}
		return Certificate{}, err
	}
	// The revocation holds from here (the TPP API reads the mark); a CRL that could not
	// be published now is published by the daily revocation check.
	if err := s.PublishCRL(ctx); err != nil {
		slog.ErrorContext(ctx, "sandbox CA CRL not published after a revocation; the daily revocation check publishes it",
			"fingerprint", c.Fingerprint, "error", err.Error())
	}
	return c, nil
}

// PublishCRL makes the sandbox CA's CRL from every revocation it recorded, with the next
// CRL number and a nextUpdate a week ahead, and publishes it.
func (s *Service) PublishCRL(ctx context.Context) error {
	if s.ca == nil || s.crl == nil {
		return errNoSandboxCA
	}
	recs, err := s.certs.SandboxRevocations(ctx)
	if err != nil {
		return err
	}
	n, err := s.certs.NextCRLNumber(ctx)
	if err != nil {
		return err
	}
	entries := make([]sandboxca.Revoked, 0, len(recs))
	for _, r := range recs {
		serial, ok := new(big.Int).SetString(r.Serial, 16)
		if !ok {
			return fmt.Errorf("apps: sandbox CA revocation of %s has a bad serial %q", r.Fingerprint, r.Serial)
		}
		entries = append(entries, sandboxca.Revoked{Serial: serial, At: r.RevokedAt, Reason: r.Reason})
	}
	der, err := s.ca.CRL(sandboxca.CRLRequest{Number: big.NewInt(n), ThisUpdate: s.Now(), Revoked: entries})
	if err != nil {
		return err
	}
	return s.crl.PublishCRL(ctx, der)
}

// checkUploadRevocation refuses an uploaded certificate its CA revoked (and, in
// production, one whose status cannot be found out).
func (s *Service) checkUploadRevocation(ctx context.Context, g org.Organization, parsed *eidas.Certificate) error {
	fe, err := org.RevocationField(ctx, s.revocation, "certificate", "this certificate", parsed, eidas.IssuerOf(parsed, s.roots.For(g.Environment), s.Now()), g.Environment)
	if err != nil {
		return err
	}
	if fe != nil {
		return apperr.Fields(*fe)
	}
	return nil
}

// RevocationResult counts what a revocation check did.
type RevocationResult struct {
	// Checked certificates had a CRL or OCSP answer; Unchecked name neither.
	Checked   int `json:"checked"`
	Unchecked int `json:"unchecked"`
	// Revoked were found revoked and disabled now; AlreadyRevoked were marked before.
	Revoked        int `json:"revoked"`
	AlreadyRevoked int `json:"alreadyRevoked"`
	// Failed could not be checked, disabled or their organization told.
	Failed int `json:"failed"`
	// CRLPublished is true when the sandbox CA's CRL was published again.
	CRLPublished bool `json:"crlPublished"`
}

// CheckRevocations is the daily revocation check. It publishes the sandbox CA's CRL again
// (so it never passes its nextUpdate), then asks the CA of every stored certificate that
// has not expired whether it revoked it. A revoked one is disabled (marked revoked, with
// an audit entry; the TPP API refuses it from the next call), and the owner and
// administrators of its organization are emailed, naming the app that uses it. Every
// certificate is tried; any failure (a CRL that cannot be fetched, a mark or an email
// that fails) is logged as an error and fails the run, so the function's alarm fires.
func (s *Service) CheckRevocations(ctx context.Context) (RevocationResult, error) {
	var res RevocationResult
	var problems []string
	if s.ca != nil && s.crl != nil {
		if err := s.PublishCRL(ctx); err != nil {
			slog.ErrorContext(ctx, "sandbox CA CRL not published", "error", err.Error())
			problems = append(problems, "the sandbox CA's CRL was not published: "+err.Error())
		} else {
			res.CRLPublished = true
		}
	}
	checker := s.revocation
	if s.jobChecker != nil {
		checker = s.jobChecker()
	}
	now := s.Now()
	certs, err := s.certs.ExpiringCertificates(ctx, now, now.AddDate(100, 0, 0))
	if err != nil {
		return res, err
	}
	orgs := map[string]org.Organization{}
	for _, c := range certs {
		if c.RevokedAt != nil {
			res.AlreadyRevoked++
			continue
		}
		fail := func(what string, err error) {
			res.Failed++
			slog.ErrorContext(ctx, what, "fingerprint", c.Fingerprint, "orgId", c.OrgID, "error", err.Error())
			problems = append(problems, c.OrgID+"/"+c.Fingerprint+": "+what+": "+err.Error())
		}
		g, ok := orgs[c.OrgID]
		if !ok {
			if g, err = s.dir.GetOrganization(ctx, c.OrgID); err != nil {
				fail("organization not read", err)
				continue
			}
			orgs[c.OrgID] = g
		}
		parsed, err := eidas.Parse(c.PEM)
		if err != nil {
			fail("stored certificate does not parse", err)
			continue
		}
		if checker == nil {
			fail("certificate revocation not checked", errors.New("no revocation checker"))
			continue
		}
		st, err := checker.Check(ctx, parsed.X509, eidas.IssuerOf(parsed, s.roots.For(g.Environment), now))
		if err != nil {
			fail("certificate revocation status unavailable", err)
			continue
		}
		if !st.Checked {
			res.Unchecked++
			continue
		}
		res.Checked++
		if !st.Revoked {
			continue
		}
		at := st.RevokedAt
		if at.IsZero() {
			at = now
		}
		c.RevokedAt, c.RevocationReason, c.RevokedBy = &at, st.Reason, "its certificate authority ("+st.Source+")"
		details := map[string]string{"fingerprint": c.Fingerprint, "subject": c.Subject, "serial": parsed.Serial, "reason": st.Reason, "source": st.Source}
		if c.AppID != "" {
			details["appId"] = c.AppID
		}
		err = s.certs.RevokeCertificate(ctx, c, nil, org.AuditEntry{OrgID: c.OrgID, At: now, ActorID: "system", Actor: "system",
			Action: "certificate.revoked", Details: details})
		if errors.Is(err, apperr.ErrConflict) {
			res.AlreadyRevoked++ // marked meanwhile
			continue
		}
		if err != nil {
			fail("revoked certificate not disabled", err)
			continue
		}
		res.Revoked++
		slog.InfoContext(ctx, "revoked certificate disabled", "fingerprint", c.Fingerprint, "orgId", c.OrgID, "appId", c.AppID, "source", st.Source)
		if err := s.tellRevoked(ctx, g, c); err != nil {
			fail("revoked certificate disabled, but its organization was not told", err)
		}
	}
	if len(problems) > 0 {
		return res, fmt.Errorf("revocation check: %d problems: %s", len(problems), strings.Join(problems, "; "))
	}
	return res, nil
}

// tellRevoked emails the owner and administrators of an active organization that one of
// its certificates was revoked at its CA and disabled, naming the app that used it.
func (s *Service) tellRevoked(ctx context.Context, g org.Organization, c Certificate) error {
	if g.Status != org.StatusActive {
		return nil
	}
	members, err := s.dir.ListMembers(ctx, c.OrgID)
	if err != nil {
		return err
	}
	use := "No app uses it."
	link := s.certificateLink(c.OrgID, c.AppID)
	if c.AppID != "" {
		app, err := s.store.GetApp(ctx, c.OrgID, c.AppID)
		if err != nil {
			return err
		}
		use = fmt.Sprintf("The app %s uses it: its calls with this certificate are refused from now on. Upload a new certificate and select it for %s.", app.Name, app.Name)
	}
	subject := fmt.Sprintf("An mTLS certificate of %s was revoked", g.Name)
	text := fmt.Sprintf("The certificate %s (SHA-256 %s) of %s was revoked by its certificate authority on %s (reason: %s), "+
		"so the portal disabled it. %s", c.Subject, c.Fingerprint, g.Name, c.RevokedAt.UTC().Format("2 January 2006 15:04 MST"), c.RevocationReason, use)
	body := fmt.Sprintf(`<p>%s</p><p><a href="%s">Manage the certificates</a></p><p>Open Banking Developer Portal</p>`, html.EscapeString(text), html.EscapeString(link))
	slices.SortFunc(members, func(a, b org.Member) int { return strings.Compare(a.Email, b.Email) })
	for _, m := range members {
		if m.Role != org.Owner && m.Role != org.Admin {
			continue
		}
		if err := s.mail.SendMail(ctx, m.Email, subject, text+"\n\nManage the certificates: "+link+"\n\nOpen Banking Developer Portal", body); err != nil {
			return err
		}
	}
	return nil
}
