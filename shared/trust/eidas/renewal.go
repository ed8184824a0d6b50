package eidas

import (
	"crypto/x509"
	"fmt"
	"time"

	"github.com/bank/devportal/shared/platform/apperr"
)

// The rules only a renewal reports.
const (
	// RuleIdentifierChanged is a renewed certificate naming another organizationIdentifier
	// than the organization's: a different one is a different TPP.
	RuleIdentifierChanged = "organizationIdentifierChanged"
	// RuleUnchanged is the certificate the organization already has, pasted as its renewal.
	RuleUnchanged = "unchanged"
	// RuleRoleAdded is a PSD2 role the certificate in force of the same kind lacks: the
	// roles grant the organization's products, and the bank approved those it has.
	RuleRoleAdded = "roleAdded"
)

// RenewalCerts is what an onboarded organization submits to renew its QWAC, its QSealC or
// both, and what they are checked against: the onboarding's certificate rules and the
// organization as it is.
type RenewalCerts struct {
	// QWAC and QSealC are the new certificates, pasted as PEM or base64; empty for the one
	// that is not renewed.
	QWAC   string
	QSealC string
	// OrganizationIdentifier is the organization's: each new certificate must carry it.
	OrganizationIdentifier string
	// Roles are the services the organization has (AIS, PIS, PIIS): each new certificate
	// must carry the PSD2 role of every one of them.
	Roles []string
	// CurrentQWAC and CurrentQSealC are the certificates in force (nil if unknown): a renewal
	// is none of them and adds no PSD2 role to its kind's.
	CurrentQWAC, CurrentQSealC *Certificate
	// Roots and Production as in OnboardingCerts.
	Roots      *x509.CertPool
	Production bool
	// Now is the time of the check; zero means time.Now().
	Now time.Time
}

// renewalRoles is the rule of a renewed certificate's roles, as its refusals state it.
const renewalRoles = "A renewed certificate carries every PSD2 role of your organization's services, and no role its current certificate lacks: " +
	"the roles decide which APIs the organization may use, and the bank approved those it has."

// plural is noun for n of them.
func plural(noun string, n int) string {
	if n == 1 {
		return noun
	}
	return noun + "s"
}

// CheckRenewal parses the new certificates and checks each against the onboarding's rules
// for its kind (checkCertificate: dates, trust, organizationIdentifier, PSD2 statement,
// production's qualified rules), then against the organization: organizationIdentifierChanged
// (another identifier than the organization's), roleMissing (a role of the organization's
// services it does not carry), roleAdded (a role the current certificate of its kind lacks:
// a renewal cannot widen what the bank approved), unchanged (a certificate already in force); and in production sameCertificate on qsealc. At least one
// certificate is required (required on qwac). fieldErrors is nil when the renewal passes;
// the certificates that parsed are returned even when there are errors.
func CheckRenewal(in RenewalCerts) (qwac, qseal *Certificate, fieldErrors []apperr.FieldError) {
	now := in.Now
	if now.IsZero() {
		now = time.Now()
	}
	if in.QWAC == "" && in.QSealC == "" {
		return nil, nil, []apperr.FieldError{apperr.Field(FieldQWAC, RuleRequired, "Paste the new QWAC, the new QSealC, or both.")}
	}
	rules := OnboardingCerts{Roots: in.Roots, Production: in.Production, Now: now}
	var errs []apperr.FieldError
	check := func(field string, k kind, text string) *Certificate {
		if text == "" {
			return nil
		}
		var c *Certificate
		c, errs = checkCertificate(errs, field, k, text, rules, now)
		if c == nil {
			return nil
		}
		current := in.CurrentQWAC
		if field == FieldQSealC {
			current = in.CurrentQSealC
		}
		for _, old := range []*Certificate{in.CurrentQWAC, in.CurrentQSealC} {
			if old != nil && c.SHA256Fingerprint == old.SHA256Fingerprint {
				errs = append(errs, apperr.Field(field, RuleUnchanged, fmt.Sprintf(
					"This is a certificate your organization already has. Paste the new %s your trust service provider issued.", k.label)))
			}
		}
		if c.OrganizationIdentifier != nil && c.OrganizationIdentifier.Value != in.OrganizationIdentifier {
			errs = append(errs, apperr.Field(field, RuleIdentifierChanged, fmt.Sprintf(
				"Your new %s belongs to the organization %s, but this organization is %s. A renewed certificate carries the same organizationIdentifier; "+
					"a certificate of another organization is onboarded as an organization of its own.", k.label, c.OrganizationIdentifier.Value, in.OrganizationIdentifier)))
		}
		if c.PSD2 != nil {
			var missing []string
			for _, s := range in.Roles {
				if role, ok := RoleForService(s); ok && !c.PSD2.HasRole(role) {
					missing = append(missing, fmt.Sprintf("%s (%s)", s, role))
				}
			}
			if len(missing) > 0 {
				errs = append(errs, apperr.Field(field, RuleRoleMissing, fmt.Sprintf(
					"Your new %s does not carry the %s %s. %s", k.label, plural("role", len(missing)), joinAnd(missing), renewalRoles)))
			}
			if current != nil && current.PSD2 != nil {
				var added []string
				for _, role := range c.PSD2.Roles {
					if !current.PSD2.HasRole(role) {
						added = append(added, role)
					}
				}
				if len(added) > 0 {
					errs = append(errs, apperr.Field(field, RuleRoleAdded, fmt.Sprintf(
						"Your new %s carries the %s %s, which your current %s does not. %s", k.label, plural("role", len(added)), joinAnd(added), k.label, renewalRoles)))
				}
			}
		}
		return c
	}
	qwac = check(FieldQWAC, kindQWAC, in.QWAC)
	qseal = check(FieldQSealC, kindQSealC, in.QSealC)
	if in.Production && qwac != nil && qseal != nil && qwac.SHA256Fingerprint == qseal.SHA256Fingerprint {
		errs = append(errs, sameCertificate)
	}
	return qwac, qseal, errs
}
