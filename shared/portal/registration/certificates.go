package registration

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/platform/validation"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/portal/possession"
	"github.com/bank/devportal/shared/trust/eidas"
	"github.com/bank/devportal/shared/trust/keyproof"
)

// CertificateRequest registers the software's certificate: its QWAC (and QSealC), each
// with a signature over the installation's public key (the PEM text exactly as sent)
// made with the certificate's private key, which proves the software holds it.
type CertificateRequest struct {
	QWAC            string `json:"qwac" validate:"required,max=20000" example:"-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----"`
	Signature       string `json:"signature" validate:"max=8000" example:"MEUCIQ..."`
	QSealC          string `json:"qsealc,omitempty" validate:"max=20000" example:"-----BEGIN CERTIFICATE-----\nMIIC...\n-----END CERTIFICATE-----"`
	QSealCSignature string `json:"qsealcSignature,omitempty" validate:"max=8000" example:"MEQCIB..."`
	// Environment is where the organization is registered; sandbox when empty.
	Environment string `json:"environment,omitempty" validate:"omitempty,oneof=sandbox production" example:"sandbox"`
	// Name is the organization's name; the certificate's organization (or common name)
	// when empty.
	Name string `json:"name,omitempty" validate:"max=200,singleline" example:"Example Payments Ltd"`
	// AdministratorEmail is the person invited to manage the organization on the portal.
	AdministratorEmail string `json:"administratorEmail" validate:"required,email,max=254" example:"admin@example.com"`
	// Roles are the PSD2 services asked for; every service the certificate allows when
	// empty.
	Roles []string `json:"roles,omitempty" validate:"omitempty,unique,dive,oneof=AIS PIS PIIS" example:"[\"AIS\"]"`
}

// Organization is an organization as the registration API shows it.
type Organization struct {
	ID          string          `json:"id"`
	Name        string          `json:"name"`
	Environment org.Environment `json:"environment" enum:"sandbox,production"`
	Status      org.Status      `json:"status" enum:"PENDING_APPROVAL,ACTIVE"`
	Services    []string        `json:"services"`
	// OrganizationIdentifier is the certificate's, or for a pseudo certificate one the
	// sandbox made from its fingerprint.
	OrganizationIdentifier string `json:"organizationIdentifier"`
}

// CertificateRegistered is the registration's API key, shown once, its organization
// and, in production, the onboarding request operations decide.
type CertificateRegistered struct {
	RegistrationID string       `json:"registrationId"`
	APIKey         string       `json:"apiKey"`
	Warning        string       `json:"warning"`
	Organization   Organization `json:"organization"`
	RequestID      string       `json:"requestId,omitempty"`
}

const apiKeyWarning = "Keep the API key safe: it is shown only this once, and with the installation's token it opens sessions."

// RegisterCertificate registers the software's certificate for the installation whose
// token is sent: the sandbox takes sandbox-CA and eIDAS certificates and pseudo
// certificates (PseudoRoles), production only eIDAS ones from the trusted CAs. Nothing is
// stored unless every check passes; then the organization, the registration and its
// API key are written together (production: with the onboarding request).
func (s *Service) RegisterCertificate(ctx context.Context, call Call, req CertificateRequest) (CertificateRegistered, error) {
	in, err := s.signedInstallation(ctx, call)
	if err != nil {
		return CertificateRegistered{}, err
	}
	req.AdministratorEmail = validation.NormalizeEmail(req.AdministratorEmail)
	validation.Normalize(&req)
	if errs := validation.Struct(req); len(errs) > 0 {
		return CertificateRegistered{}, apperr.Fields(errs...)
	}
	if in.RegistrationID != "" {
		return CertificateRegistered{}, ErrInstallationRegistered
	}
	env := org.Sandbox
	if req.Environment == string(org.Production) {
		env = org.Production
	}
	qwac, qseal, services, identifier, errs := s.checkCertificates(env, req)
	if len(errs) > 0 {
		return CertificateRegistered{}, apperr.Fields(errs...)
	}
	if errs := proveKeys(in, req, qwac, qseal); len(errs) > 0 {
		return CertificateRegistered{}, apperr.Fields(errs...)
	}
	if errs, err := s.revoked(ctx, env, qwac, qseal); err != nil {
		return CertificateRegistered{}, err
	} else if len(errs) > 0 {
		return CertificateRegistered{}, apperr.Fields(errs...)
	}
	name := req.Name
	if name == "" {
		name = qwac.Subject.Organization
	}
	if name == "" {
		name = qwac.Subject.CommonName
	}
	reg := Registration{ID: newID(), InstallationID: in.ID, InstallationTokenHash: in.TokenHash, PublicKeyPEM: in.PublicKeyPEM, Environment: env, CertFingerprint: qwac.SHA256Fingerprint, CreatedAt: s.Now()}
	apiKey := newToken()
	reg.APIKeyHash = Hash(apiKey)
	registered, err := s.orgs.RegistrationWrites(ctx, org.APIRegistration{Company: name, AdministratorEmail: req.AdministratorEmail, Services: services,
		Environment: env, QWAC: qwac, QSealC: qseal, Identifier: identifier, SoftwareID: SoftwareID(reg.ID),
		Proof: possession.Proof{Method: possession.BySignature, At: reg.CreatedAt, By: org.SoftwareName}})
	if errors.Is(err, org.ErrIdentifierRegistered) {
		return CertificateRegistered{}, ErrCertificateRegistered
	}
	if err != nil {
		return CertificateRegistered{}, err
	}
	g := registered.Organization
	reg.OrgID = g.ID
	out := CertificateRegistered{RegistrationID: reg.ID, APIKey: apiKey, Warning: apiKeyWarning,
		Organization: Organization{ID: g.ID, Name: g.Name, Environment: g.Environment, Status: g.Status, Services: g.Services, OrganizationIdentifier: identifier}}
	if env == org.Production {
		writes, err := s.store.RegistrationWrites(reg)
		if err != nil {
			return CertificateRegistered{}, err
		}
		r, err := s.orgs.SubmitRegistration(ctx, registered, writes...)
		if err != nil {
			return CertificateRegistered{}, s.conflict(err)
		}
		out.RequestID = r.ID
		return out, nil
	}
	if err := s.store.CreateRegistration(ctx, reg, registered.Writes...); err != nil {
		return CertificateRegistered{}, s.conflict(err)
	}
	return out, s.orgs.MailInvitation(ctx, registered)
}

// conflict names what a refused registration transaction collided with: the
// installation registered meanwhile, or the certificate taken.
func (s *Service) conflict(err error) error {
	if errors.Is(err, ErrInstallationRegistered) || !errors.Is(err, apperr.ErrConflict) {
		return err
	}
	return ErrCertificateRegistered
}

// checkCertificates applies the environment's certificate rules and says which services
// the organization gets and its identifier.
func (s *Service) checkCertificates(env org.Environment, req CertificateRequest) (qwac, qseal *eidas.Certificate, services []string, identifier string, errs []apperr.FieldError) {
	if c, err := eidas.Parse(req.QWAC); err == nil && isPseudo(c) {
		if env == org.Production {
			return nil, nil, nil, "", []apperr.FieldError{apperr.Field(eidas.FieldQWAC, eidas.RuleUntrusted, errProductionPseudo)}
		}
		roles, fe := PseudoRoles(c.X509.Subject.CommonName)
		if fe != nil {
			return nil, nil, nil, "", []apperr.FieldError{*fe}
		}
		if req.QSealC != "" {
			return nil, nil, nil, "", []apperr.FieldError{apperr.Field(eidas.FieldQSealC, "pseudo", "A pseudo certificate comes alone: leave the QSealC out.")}
		}
		if len(req.Roles) > 0 {
			if missing := slices.DeleteFunc(slices.Clone(req.Roles), func(r string) bool { return slices.Contains(roles, r) }); len(missing) > 0 {
				return nil, nil, nil, "", []apperr.FieldError{apperr.Field(eidas.FieldRoles, eidas.RuleRoleMissing,
					fmt.Sprintf("The certificate's name does not end with the role of %s.", strings.Join(missing, ", ")))}
			}
			roles = req.Roles
		}
		return c, nil, roles, "PSEUDO-" + strings.ToUpper(c.SHA256Fingerprint[:16]), nil
	}
	roots := s.roots.Sandbox
	if env == org.Production {
		roots = s.roots.Live
	}
	roles := req.Roles
	qsealText := req.QSealC
	if len(roles) == 0 {
		roles = servicesOf(req.QWAC)
	}
	qwac, qseal, errs = eidas.CheckOnboarding(eidas.OnboardingCerts{QWAC: req.QWAC, QSealC: qsealText, Roles: roles, Roots: roots,
		Production: env == org.Production, Now: s.Now()})
	if qsealText == "" && env == org.Sandbox {
		// The sandbox takes a QWAC alone: what CheckOnboarding says of the missing QSealC
		// does not apply.
		errs = slices.DeleteFunc(errs, func(e apperr.FieldError) bool { return e.Field == eidas.FieldQSealC })
		qseal = nil
	}
	if len(errs) > 0 {
		return nil, nil, nil, "", errs
	}
	return qwac, qseal, roles, qwac.OrganizationIdentifier.Value, nil
}

// revoked asks the CAs of the registration's certificates whether they revoked them (the
// portal's onboarding check, org.RevocationField) and answers the field errors of those
// revoked or, in production, of unknown status. A pseudo certificate has no CA to ask.
func (s *Service) revoked(ctx context.Context, env org.Environment, qwac, qseal *eidas.Certificate) ([]apperr.FieldError, error) {
	var errs []apperr.FieldError
	for _, c := range []struct {
		field, label string
		cert         *eidas.Certificate
	}{{eidas.FieldQWAC, "your QWAC", qwac}, {eidas.FieldQSealC, "your QSealC", qseal}} {
		if c.cert == nil || isPseudo(c.cert) {
			continue
		}
		fe, err := org.RevocationField(ctx, s.revocation, c.field, c.label, c.cert, eidas.IssuerOf(c.cert, s.roots.For(env), s.Now()), env)
		if err != nil {
			return nil, err
		}
		if fe != nil {
			errs = append(errs, *fe)
		}
	}
	return errs, nil
}

// servicesOf are the services a certificate's PSD2 roles allow, in the portal's order.
func servicesOf(text string) []string {
	c, err := eidas.Parse(text)
	if err != nil {
		return nil
	}
	var out []string
	for _, svc := range []string{"AIS", "PIS", "PIIS"} {
		if role, _ := eidas.RoleForService(svc); c.PSD2.HasRole(role) {
			out = append(out, svc)
		}
	}
	return out
}

// proveKeys checks each certificate's signature over the installation's public key.
func proveKeys(in Installation, req CertificateRequest, qwac, qseal *eidas.Certificate) []apperr.FieldError {
	var errs []apperr.FieldError
	check := func(field, signature string, c *eidas.Certificate) {
		if strings.TrimSpace(signature) == "" {
			errs = append(errs, apperr.Field(field, "required", errNoPossession))
			return
		}
		if err := keyproof.Verify(c.X509, []byte(in.PublicKeyPEM), signature); err != nil {
			errs = append(errs, apperr.Field(field, "possession", errPossessionMismatch))
		}
	}
	check("signature", req.Signature, qwac)
	if qseal != nil {
		check("qsealcSignature", req.QSealCSignature, qseal)
	}
	return errs
}

// isPseudo says whether a certificate is a pseudo certificate: self-signed, without an
// organization identifier.
func isPseudo(c *eidas.Certificate) bool {
	return c.OrganizationIdentifier == nil && c.PSD2 == nil && c.X509.CheckSignature(c.X509.SignatureAlgorithm, c.X509.RawTBSCertificate, c.X509.Signature) == nil &&
		slices.Equal(c.X509.RawIssuer, c.X509.RawSubject)
}

// MaxPseudoName bounds a pseudo certificate's common name.
const MaxPseudoName = 64

// PseudoRoles reads the roles a pseudo certificate's common name ends with: at most
// MaxPseudoName characters, ending with AISP and/or PISP ("Example TPP AISP PISP").
func PseudoRoles(cn string) ([]string, *apperr.FieldError) {
	if len(cn) == 0 || len(cn) > MaxPseudoName {
		fe := apperr.Field(eidas.FieldQWAC, "pseudoName", fmt.Sprintf("A pseudo certificate's common name has 1 to %d characters.", MaxPseudoName))
		return nil, &fe
	}
	words := strings.Fields(cn)
	var roles []string
	for i := len(words) - 1; i > 0; i-- {
		svc := map[string]string{"AISP": "AIS", "PISP": "PIS"}[strings.ToUpper(words[i])]
		if svc == "" || slices.Contains(roles, svc) {
			break
		}
		roles = append([]string{svc}, roles...)
	}
	if len(roles) == 0 {
		fe := apperr.Field(eidas.FieldQWAC, "pseudoRoles", "A pseudo certificate's common name ends with its roles, AISP and/or PISP, after the name: \"Example TPP AISP PISP\".")
		return nil, &fe
	}
	slices.Sort(roles)
	return roles, nil
}
