package apps

import (
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"html"
	"log/slog"
	"slices"
	"time"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/portal/possession"
	"github.com/bank/devportal/shared/trust/eidas"
)

// ExpiryWarningDays are the days before expiry on which the organization is warned.
var ExpiryWarningDays = []int{30, 7, 1}

// ExpiryResult counts what a certificate expiry check did.
type ExpiryResult struct {
	Checked int `json:"checked"`
	Sent    int `json:"sent"`
	Failed  int `json:"failed"`
}

// warningDue is the warning a certificate with daysLeft is due for: the smallest warning
// day at or above daysLeft, unless that warning was sent already.
func warningDue(daysLeft int, warned []int) (int, bool) {
	for _, d := range slices.Backward(ExpiryWarningDays) {
		if daysLeft <= d {
			return d, !slices.Contains(warned, d)
		}
	}
	return 0, false
}

// RemindExpiringCertificates emails the owner, administrators and developers of each
// organization whose mTLS certificates expire within 30, 7 or 1 days, once per warning.
// It runs daily; in the local stack it can be triggered.
func (s *Service) RemindExpiringCertificates(ctx context.Context) (ExpiryResult, error) {
	var res ExpiryResult
	now := s.Now()
	certs, err := s.certs.ExpiringCertificates(ctx, now, now.Add(time.Duration(ExpiryWarningDays[0])*24*time.Hour))
	if err != nil {
		return res, err
	}
	for _, c := range certs {
		res.Checked++
		daysLeft := int(c.NotAfter.Sub(now).Hours()/24) + 1
		due, ok := warningDue(daysLeft, c.Warned)
		if !ok {
			continue
		}
		sent, err := s.warnExpiry(ctx, c, daysLeft)
		if err != nil {
			res.Failed++
			slog.ErrorContext(ctx, "certificate expiry warning not sent", "fingerprint", c.Fingerprint, "orgId", c.OrgID, "error", err.Error())
			continue
		}
		if !sent {
			continue // the organization is not active: nobody to warn
		}
		// Marked after sending: a failure to mark repeats the warning rather than losing it.
		if err := s.certs.MarkWarned(ctx, c, due); err != nil {
			slog.ErrorContext(ctx, "certificate expiry warning not recorded", "fingerprint", c.Fingerprint, "error", err.Error())
		}
		res.Sent++
	}
	return res, nil
}

// warnExpiry mails the warning; it sends nothing (false) for an organization that is not
// active.
func (s *Service) warnExpiry(ctx context.Context, c Certificate, daysLeft int) (bool, error) {
	g, err := s.dir.GetOrganization(ctx, c.OrgID)
	if err != nil || g.Status != org.StatusActive {
		return false, err
	}
	members, err := s.dir.ListMembers(ctx, c.OrgID)
	if err != nil {
		return false, err
	}
	when := fmt.Sprintf("in %d days", daysLeft)
	if daysLeft == 1 {
		when = "within a day"
	}
	use := "No app uses it."
	link := s.certificateLink(c.OrgID, c.AppID)
	if c.AppID != "" {
		use = "An app uses it: calls with it will fail once it expires. Upload the new certificate and select it for the app now; an app can have two certificates, so both work during the switch."
	}
	subject := fmt.Sprintf("An mTLS certificate of %s expires %s", g.Name, when)
	text := fmt.Sprintf("The certificate %s (SHA-256 %s) of %s expires on %s, %s. %s", c.Subject, c.Fingerprint, g.Name,
		c.NotAfter.Format("2 January 2006 15:04 MST"), when, use)
	body := fmt.Sprintf(`<p>%s</p><p><a href="%s">Manage the certificates</a></p><p>Open Banking Developer Portal</p>`, html.EscapeString(text), html.EscapeString(link))
	for _, m := range members {
		if m.Role == org.Viewer {
			continue
		}
		if err := s.mail.SendMail(ctx, m.Email, subject, text+"\n\nManage the certificates: "+link+"\n\nOpen Banking Developer Portal", body); err != nil {
			return false, err
		}
	}
	return true, nil
}

// SandboxCertificate is an mTLS certificate the sandbox CA issued for an app, with its
// private key, which the portal does not keep.
type SandboxCertificate struct {
	Certificate    Certificate `json:"certificate"`
	CertificatePEM string      `json:"certificatePem"`
	PrivateKeyPEM  string      `json:"privateKeyPem"`
}

// SandboxValidity is how long a sandbox-issued mTLS certificate is valid.
const SandboxValidity = 365 * 24 * time.Hour

// IssueSandboxCertificate issues an mTLS client certificate from the sandbox CA for a
// sandbox app, uploads it to the organization and selects it for the app (not Viewers).
func (s *Service) IssueSandboxCertificate(ctx context.Context, a org.Actor, orgID, appID string) (SandboxCertificate, error) {
	g, _, err := s.access(ctx, a, orgID, true)
	if err != nil {
		return SandboxCertificate{}, err
	}
	app, err := s.store.GetApp(ctx, orgID, appID)
	if err != nil {
		return SandboxCertificate{}, err
	}
	switch {
	case s.ca == nil || app.Environment != org.Sandbox:
		return SandboxCertificate{}, apperr.New(apperr.Conflict, "SANDBOX_ONLY", "The portal issues certificates for sandbox apps only; production apps use a QWAC from a qualified trust service provider.")
	case len(app.Fingerprints) >= MaxAppCertificates:
		return SandboxCertificate{}, apperr.New(apperr.Conflict, "MAX_CERTIFICATES", "An app has at most two certificates; remove one first.")
	}
	issued, err := s.ca.ClientCertificate(pkix.Name{CommonName: app.Name, Organization: []string{g.Name}, OrganizationalUnit: []string{"Sandbox app " + app.ID}}, SandboxValidity)
	if err != nil {
		return SandboxCertificate{}, apperr.Wrap(err, "issue sandbox certificate")
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(issued.PrivateKey)
	if err != nil {
		return SandboxCertificate{}, apperr.Wrap(err, "marshal key")
	}
	certPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: issued.Leaf.Raw}))
	parsed, err := eidas.Parse(certPEM)
	if err != nil {
		return SandboxCertificate{}, apperr.Wrap(err, "parse issued certificate")
	}
	now := s.Now()
	// The user gets the key with the certificate: possession is proven by issuance.
	c := Certificate{Fingerprint: parsed.SHA256Fingerprint, OrgID: orgID, Subject: parsed.Subject.DN, Issuer: parsed.Issuer.DN,
		NotBefore: parsed.NotBefore, NotAfter: parsed.NotAfter, PEM: parsed.PEM(), UploadedAt: now, UploadedBy: a.Email, AppID: appID,
		Possession: &possession.Proof{Method: possession.ByIssuance, At: now, By: a.Email}}
	// Stored and selected in one transaction: a certificate whose key the user never got
	// must not be left behind.
	writes, err := s.certs.UploadAttachedWrites(c, app)
	if err != nil {
		return SandboxCertificate{}, err
	}
	issuance, err := s.certs.IssuanceWrite(possession.Issuance{Fingerprint: c.Fingerprint, UserID: a.UserID, Email: a.Email, IssuedAt: now, NotAfter: c.NotAfter})
	if err != nil {
		return SandboxCertificate{}, err
	}
	writes = append(writes, issuance)
	checks, err := s.open(ctx, orgID)
	if err != nil {
		return SandboxCertificate{}, err
	}
	writes = append(writes, checks...)
	if _, err := s.update(ctx, app, s.audit(a, orgID, "certificate.issued", map[string]string{"appId": appID, "fingerprint": c.Fingerprint, "subject": c.Subject}),
		func(x *App) { x.Fingerprints = append(x.Fingerprints, c.Fingerprint) }, writes...); err != nil {
		return SandboxCertificate{}, err
	}
	return SandboxCertificate{Certificate: c, CertificatePEM: certPEM, PrivateKeyPEM: string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))}, nil
}
