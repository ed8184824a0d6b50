package eidas

import (
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bank/devportal/shared/platform/apperr"
)

// RoleForService maps a service the portal offers to the PSD2 role a certificate must
// carry for it: AIS → PSP_AI, PIS → PSP_PI, PIIS (or CBPII) → PSP_IC. PSP_AS, account
// servicing, is the bank's own role and no TPP can request it.
func RoleForService(s string) (string, bool) {
	switch s {
	case "AIS":
		return RoleAI, true
	case "PIS":
		return RolePI, true
	case "PIIS", "CBPII":
		return RoleIC, true
	}
	return "", false
}

// OnboardingCerts is what a TPP submits when it onboards, and what it is checked against.
type OnboardingCerts struct {
	// QWAC is the website authentication certificate, pasted as PEM or base64.
	QWAC string
	// QSealC is the electronic seal certificate, pasted as PEM or base64.
	QSealC string
	// Roles are the services requested: AIS, PIS, PIIS (or CBPII).
	Roles []string
	// Roots are the trusted CAs: the sandbox CA, or live the configured truststore. With
	// nil roots every certificate is untrusted.
	Roots *x509.CertPool
	// Production applies the production rules (see CheckOnboarding) on top of the
	// sandbox's.
	Production bool
	// Now is the time of the check; zero means time.Now().
	Now time.Time
}

// The field names and rule names CheckOnboarding reports.
const (
	FieldQWAC   = "qwac"
	FieldQSealC = "qsealc"
	FieldRoles  = "roles"

	RuleRequired = "required"
	RuleParse    = "parse"
	// RulePrivateKey: a private key was pasted where a certificate goes; it is refused
	// and not kept, and the user is told to replace it.
	RulePrivateKey               = "privateKey"
	RuleExpired                  = "expired"
	RuleNotYetValid              = "notYetValid"
	RuleUntrusted                = "untrusted"
	RuleNoOrganizationIdentifier = "noOrganizationIdentifier"
	RuleNoPSD2                   = "noPsd2"
	RuleWrongType                = "wrongType"
	RuleOrganizationMismatch     = "organizationMismatch"
	RuleOneOf                    = "oneof"
	RuleRoleMissing              = "roleMissing"
)

// CheckOnboarding parses both certificates and checks them against the onboarding rules,
// returning every failure, in the order qwac, qsealc, roles:
//
//   - qwac, qsealc: required (empty), parse, expired, notYetValid, untrusted,
//     noOrganizationIdentifier, noPsd2, wrongType (a QcType statement naming the other
//     kind of certificate); on qsealc also organizationMismatch (the two
//     organizationIdentifiers differ).
//   - roles: required (none requested), oneof on roles[i] (an unknown service), roleMissing
//     (requested roles that not both certificates carry, named in one message).
//
// Production adds, on qwac and qsealc: organizationIdentifierFormat (not of the PSD form,
// after noOrganizationIdentifier's place); psd2NoRoles, psd2RoleName, psd2NcaName,
// psd2NcaId (after noPsd2's place); noQcCompliance; noQcType or bothQcTypes (in
// wrongType's place, which then means a QcType of another kind and none of its own); and
// sameCertificate on qsealc (the QWAC pasted again). Roots are then the eIDAS truststore,
// which the untrusted message names.
//
// A rule that needs both certificates (organizationMismatch, roleMissing) is checked only
// when both have what it compares; otherwise the certificate's own error already says
// what is wrong. fieldErrors is nil when the pair passes. The certificates that parsed
// are returned even when there are errors, so the portal can show them.
func CheckOnboarding(in OnboardingCerts) (qwac, qseal *Certificate, fieldErrors []apperr.FieldError) {
	now := in.Now
	if now.IsZero() {
		now = time.Now()
	}
	var errs []apperr.FieldError
	qwac, errs = checkCertificate(errs, FieldQWAC, kindQWAC, in.QWAC, in, now)
	qseal, errs = checkCertificate(errs, FieldQSealC, kindQSealC, in.QSealC, in, now)
	if in.Production && qwac != nil && qseal != nil && qwac.SHA256Fingerprint == qseal.SHA256Fingerprint {
		errs = append(errs, sameCertificate)
	}
	if qwac != nil && qseal != nil && qwac.OrganizationIdentifier != nil && qseal.OrganizationIdentifier != nil &&
		qwac.OrganizationIdentifier.Value != qseal.OrganizationIdentifier.Value {
		errs = append(errs, apperr.Field(FieldQSealC, RuleOrganizationMismatch, fmt.Sprintf(
			"Your QSealC belongs to the organization %s but your QWAC to %s. Upload two certificates of the same organization.",
			qseal.OrganizationIdentifier.Value, qwac.OrganizationIdentifier.Value)))
	}
	errs = append(errs, checkRoles(in.Roles, qwac, qseal)...)
	return qwac, qseal, errs
}

// sameCertificate refuses, in production, one certificate pasted as both the QWAC and the
// QSealC.
var sameCertificate = apperr.Field(FieldQSealC, RuleSameCertificate,
	"This is the same certificate as your QWAC. A QWAC and a QSealC are two certificates, each with its own key: paste your QSealC here.")

// kind is one of the two certificates a TPP uploads.
type kind struct {
	label  string // as the portal names it: QWAC or QSealC
	qcType string // the QcType statement it should carry
}

var (
	kindQWAC   = kind{label: "QWAC", qcType: QCTypeWeb}
	kindQSealC = kind{label: "QSealC", qcType: QCTypeESeal}
)

var qcTypeDescriptions = map[string]string{
	QCTypeWeb:   "a QWAC (a website authentication certificate)",
	QCTypeESeal: "a QSealC (an electronic seal certificate)",
	QCTypeESign: "an electronic signature certificate",
}

func checkCertificate(errs []apperr.FieldError, field string, k kind, text string, in OnboardingCerts, now time.Time) (*Certificate, []apperr.FieldError) {
	c, err := Parse(text)
	if err != nil {
		return nil, append(errs, parseError(field, k, err))
	}
	f := &findings{field: field, errs: errs}
	t := target{who: "Your " + k.label, kind: k}
	if now.After(c.NotAfter) {
		f.add(RuleExpired, "Your %s expired on %s (UTC). Upload a certificate that is valid today.", k.label, c.NotAfter.UTC().Format(time.DateOnly))
	}
	if now.Before(c.NotBefore) {
		f.add(RuleNotYetValid, "Your %s is valid only from %s (UTC). Upload a certificate that is valid today.", k.label, c.NotBefore.UTC().Format(time.DateOnly))
	}
	if !trusted(c, in.Roots, now) {
		if in.Production {
			f.add(RuleUntrusted, "Your %s was not issued by a qualified trust service provider of the eIDAS truststore. In production, use the %s your qualified trust service provider issued; test certificates of the sandbox CA work only in the sandbox.", k.label, k.label)
		} else {
			f.add(RuleUntrusted, "Your %s was not issued by a certificate authority the sandbox trusts. Use a test %s of the sandbox CA (issue one on this page) or one from a qualified trust service provider.", k.label, k.label)
		}
	}
	switch {
	case c.OrganizationIdentifier == nil:
		f.add(RuleNoOrganizationIdentifier, "Your %s has no organizationIdentifier (OID 2.5.4.97) in its subject. A PSD2 certificate names your authorization there, for example PSDBE-NBB-0123456789.", k.label)
	case in.Production && !isPSDIdentifier(c.OrganizationIdentifier.Value):
		f.organizationIdentifierFormat(t, c.OrganizationIdentifier.Value)
	}
	f.psd2(t, c, in.Production)
	f.qualified(t, c, in.Production)
	return c, f.errs
}

// trusted verifies c at now as if c itself were valid then, so that an expired or not yet
// valid certificate from a trusted CA is reported for its dates only. crypto/x509 checks
// the signature over the raw TBSCertificate, so widening the parsed dates on a copy does
// not change what is verified, only that the leaf's own dates are not.
func trusted(c *Certificate, roots *x509.CertPool, now time.Time) bool {
	leaf := *c.X509
	leaf.NotBefore, leaf.NotAfter = now, now
	cc := *c
	cc.X509 = &leaf
	return Verify(&cc, roots, now) == nil
}

func otherKind(k kind) kind {
	if k == kindQWAC {
		return kindQSealC
	}
	return kindQWAC
}

// privateKeyMessage refuses a pasted private key and says what to do about it: a key that
// was pasted into a web page may have been seen, so it is replaced, not reused.
func privateKeyMessage(what string) string {
	return fmt.Sprintf("This is a private key, not a certificate: it was refused and not kept. Treat the key as exposed: "+
		"make a new key pair and have a new certificate issued for it. Paste only %s.", what)
}

func parseError(field string, k kind, err error) apperr.FieldError {
	switch {
	case errors.Is(err, ErrEmpty):
		return apperr.Field(field, RuleRequired, fmt.Sprintf("Paste your %s, as PEM or as base64.", k.label))
	case errors.Is(err, ErrPrivateKey):
		return apperr.Field(field, RulePrivateKey, privateKeyMessage("your "+k.label))
	case errors.Is(err, ErrCertificateRequest):
		return apperr.Field(field, RuleParse, fmt.Sprintf("This is a certificate signing request, not a certificate. Paste the %s your trust service provider issued for it.", k.label))
	}
	return apperr.Field(field, RuleParse, fmt.Sprintf("This is not a certificate. Paste your %s as PEM (with its BEGIN CERTIFICATE and END CERTIFICATE lines) or as base64.", k.label))
}

func checkRoles(services []string, qwac, qseal *Certificate) []apperr.FieldError {
	if len(services) == 0 {
		return []apperr.FieldError{apperr.Field(FieldRoles, RuleRequired, "Choose at least one service: AIS, PIS or PIIS.")}
	}
	var errs []apperr.FieldError
	var missing []string // "PIS (PSP_PI)"
	seen := map[string]bool{}
	comparable := qwac != nil && qseal != nil && qwac.PSD2 != nil && qseal.PSD2 != nil
	for i, s := range services {
		role, ok := RoleForService(s)
		if !ok {
			errs = append(errs, apperr.Field(fmt.Sprintf("%s[%d]", FieldRoles, i), RuleOneOf, fmt.Sprintf("%q is not a service you can request. Choose AIS, PIS or PIIS.", s)))
			continue
		}
		if seen[role] {
			continue
		}
		seen[role] = true
		if comparable && !(qwac.PSD2.HasRole(role) && qseal.PSD2.HasRole(role)) {
			missing = append(missing, fmt.Sprintf("%s (%s)", s, role))
		}
	}
	if len(missing) == 0 {
		return errs
	}
	noun := "role"
	if len(missing) > 1 {
		noun = "roles"
	}
	return append(errs, apperr.Field(FieldRoles, RuleRoleMissing, fmt.Sprintf(
		"Your certificates do not carry the %s %s. Both your QWAC and your QSealC must carry each role you request.", noun, joinAnd(missing))))
}

// joinAnd writes a, b and c.
func joinAnd(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}
