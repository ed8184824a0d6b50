package eidas

import (
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/bank/devportal/shared/platform/apperr"
)

// The rules production adds to the sandbox's. In production a QWAC or QSealC must be a
// qualified certificate of its kind (ETSI EN 319 412-5) with a well-formed PSD2 statement
// (ETSI TS 119 495), issued by a CA of the eIDAS truststore to an organizationIdentifier
// of the PSD form; an app's mTLS certificate is such a QWAC, of its own organization.
const (
	// RuleNoQcCompliance: no QcCompliance statement (0.4.0.1862.1.1), so not qualified.
	RuleNoQcCompliance = "noQcCompliance"
	// RuleNoQcType: no QcType statement (0.4.0.1862.1.6) saying web or eseal.
	RuleNoQcType = "noQcType"
	// RuleBothQcTypes: the certificate declares its own type and another one (web and
	// eseal): refused for either use.
	RuleBothQcTypes = "bothQcTypes"
	// RuleSameCertificate: one certificate submitted as both the QWAC and the QSealC.
	RuleSameCertificate = "sameCertificate"
	// RuleOrganizationIdentifierFormat: an organizationIdentifier not of the PSD form
	// PSDXX-YYYY-ZZZZ (ETSI TS 119 495, GEN-5.2.1-3).
	RuleOrganizationIdentifierFormat = "organizationIdentifierFormat"
	// RulePSD2NoRoles: a PSD2 statement without any role (GEN-5.2.2-1).
	RulePSD2NoRoles = "psd2NoRoles"
	// RulePSD2RoleName: a role whose name is not the one of its OID (GEN-5.2.2-3, REG-5.2.2-5).
	RulePSD2RoleName = "psd2RoleName"
	// RulePSD2NCAName: an NCA name that is empty, longer than 256 characters or not plain
	// Latin text (GEN-5.2.3-1).
	RulePSD2NCAName = "psd2NcaName"
	// RulePSD2NCAID: an NCA identifier not of the form CC-XXXX: a country code, a hyphen
	// and 2 to 8 capital letters (GEN-5.2.3-2).
	RulePSD2NCAID = "psd2NcaId"
)

// FieldCertificate is the field an uploaded mTLS certificate comes in.
const FieldCertificate = "certificate"

// MTLSCert is an app's mTLS client certificate, and what it is checked against.
type MTLSCert struct {
	// Field is the request field the errors name: FieldCertificate for an upload, the
	// fingerprint field where a stored certificate is selected.
	Field string
	// Certificate is the certificate, pasted as PEM or base64.
	Certificate string
	// Production applies the production rules; the sandbox checks only that it is a
	// certificate valid now.
	Production bool
	// Roots are the CAs a production certificate must chain to: the eIDAS truststore.
	// With nil roots every production certificate is untrusted.
	Roots *x509.CertPool
	// OrganizationIdentifier is the organization's, which a production certificate must
	// carry, for example PSDBE-NBB-0123456789.
	OrganizationIdentifier string
	// Now is the time of the check; zero means time.Now().
	Now time.Time
}

// CheckMTLS parses an app's mTLS certificate and checks it, returning every failure
// under in.Field. Everywhere: parse (alone, when it is not a certificate), expired,
// notYetValid. In production also those of a QWAC of the organization: untrusted (not
// chained to the eIDAS truststore); noOrganizationIdentifier, organizationIdentifierFormat,
// organizationMismatch (not the organization's); noPsd2, psd2NoRoles, psd2RoleName,
// psd2NcaName, psd2NcaId; noQcCompliance; noQcType, bothQcTypes, wrongType. The
// certificate is returned when it parsed, even with errors.
func CheckMTLS(in MTLSCert) (*Certificate, []apperr.FieldError) {
	now := in.Now
	if now.IsZero() {
		now = time.Now()
	}
	c, err := Parse(in.Certificate)
	if errors.Is(err, ErrPrivateKey) {
		return nil, []apperr.FieldError{apperr.Field(in.Field, RulePrivateKey, privateKeyMessage("the certificate"))}
	}
	if err != nil {
		return nil, []apperr.FieldError{apperr.Field(in.Field, RuleParse, "This is not a certificate: paste it as PEM, or as base64 without the BEGIN/END lines.")}
	}
	f := &findings{field: in.Field}
	switch {
	case now.After(c.NotAfter):
		f.add(RuleExpired, "This certificate expired on %s; use a valid one.", c.NotAfter.Format("2 January 2006"))
	case now.Before(c.NotBefore):
		f.add(RuleNotYetValid, "This certificate is valid only from %s.", c.NotBefore.Format("2 January 2006"))
	}
	if !in.Production {
		return c, f.errs
	}
	t := target{who: "This certificate", kind: kindQWAC, mtls: true}
	if !trusted(c, in.Roots, now) {
		f.add(RuleUntrusted, "This certificate was not issued by a qualified trust service provider of the eIDAS truststore. In production an app presents its QWAC from a qualified trust service provider; certificates of the sandbox CA work only in the sandbox.")
	}
	switch {
	case c.OrganizationIdentifier == nil:
		f.add(RuleNoOrganizationIdentifier, "This certificate has no organizationIdentifier (OID 2.5.4.97) in its subject. In production an app presents a QWAC that names your organization there: %s.", in.OrganizationIdentifier)
	case !isPSDIdentifier(c.OrganizationIdentifier.Value):
		f.organizationIdentifierFormat(t, c.OrganizationIdentifier.Value)
	case c.OrganizationIdentifier.Value != in.OrganizationIdentifier:
		f.add(RuleOrganizationMismatch, "This certificate belongs to the organization %s, not to yours (%s). In production an app presents a QWAC of its own organization: upload one issued to %s.",
			c.OrganizationIdentifier.Value, in.OrganizationIdentifier, in.OrganizationIdentifier)
	}
	f.psd2(t, c, true)
	f.qualified(t, c, true)
	return c, f.errs
}

// target is what the messages call the certificate checked and what it should be.
type target struct {
	who  string // "Your QWAC", "This certificate"
	kind kind
	mtls bool // an app's mTLS certificate, not an onboarding one
}

// findings collects the field errors of one field.
type findings struct {
	field string
	errs  []apperr.FieldError
}

func (f *findings) add(rule, format string, args ...any) {
	f.errs = append(f.errs, apperr.Field(f.field, rule, fmt.Sprintf(format, args...)))
}

func (f *findings) organizationIdentifierFormat(t target, value string) {
	f.add(RuleOrganizationIdentifierFormat, "%s's organizationIdentifier %q is not a PSD2 authorisation number. In production it has the form PSD, the country of your competent authority, a hyphen, the authority's identifier, a hyphen and your authorisation number, for example PSDBE-NBB-0123456789.",
		t.who, value)
}

// psd2 checks the PSD2 statement: present everywhere, and in production well-formed
// (ETSI TS 119 495 clause 5.2).
func (f *findings) psd2(t target, c *Certificate, production bool) {
	p := c.PSD2
	if p == nil {
		f.add(RuleNoPSD2, "%s has no PSD2 statement (ETSI TS 119 495), so it does not say which PSD2 roles you hold. Ask your trust service provider for a PSD2 %s.", t.who, t.kind.label)
		return
	}
	if !production {
		return
	}
	const fix = "Ask your trust service provider for a corrected certificate."
	if len(p.Roles) == 0 {
		f.add(RulePSD2NoRoles, "%s's PSD2 statement lists no role. It must carry the roles your competent authority authorised: PSP_AI, PSP_PI or PSP_IC. %s", t.who, fix)
	}
	if len(p.misnamed) > 0 {
		f.add(RulePSD2RoleName, "%s's PSD2 statement gives a role a name that is not its own: %s. Each role must be named as ETSI TS 119 495 names its identifier. %s", t.who, joinAnd(p.misnamed), fix)
	}
	if msg := ncaNameProblem(p.NCAName); msg != "" {
		f.add(RulePSD2NCAName, "%s's PSD2 statement %s; it must be the name of your competent authority in Latin letters, for example National Bank of Belgium. %s", t.who, msg, fix)
	}
	if !isNCAID(p.NCAID) {
		f.add(RulePSD2NCAID, "%s's PSD2 statement identifies the competent authority as %q; it must be the authority's country code, a hyphen and its identifier of 2 to 8 capital letters, for example BE-NBB. %s", t.who, p.NCAID, fix)
	}
}

// qualified checks, in production, that c is a qualified certificate of its kind (ETSI EN
// 319 412-5): QcCompliance, and a QcType naming its kind and no other. In the sandbox it
// only refuses a certificate whose (first) QcType names another kind.
func (f *findings) qualified(t target, c *Certificate, production bool) {
	k := t.kind
	if production && !c.QCCompliance {
		f.add(RuleNoQcCompliance, "%s is not a qualified certificate: it has no QcCompliance statement (0.4.0.1862.1.1). In production, use a qualified %s from a qualified trust service provider.", t.who, k.label)
	}
	declares := slices.Contains(c.QCTypes, k.qcType)
	switch {
	case production && declares && len(c.QCTypes) > 1:
		f.add(RuleBothQcTypes, "%s declares %s at once (QcType %s). A certificate is one or the other, never both: use a %s that declares only the type %s (%s).",
			t.who, joinAnd(typeLabels(c.QCTypes)), joinAnd(c.QCTypes), k.label, k.qcType, oidOf(qcTypeOIDs, k.qcType))
	case production && len(c.QCTypes) == 0:
		f.add(RuleNoQcType, "%s does not say which kind of qualified certificate it is: it has no QcType statement. A %s declares the type %s (%s); ask your trust service provider for one that does.",
			t.who, k.label, k.qcType, oidOf(qcTypeOIDs, k.qcType))
	case production && !declares, !production && c.QCType != "" && c.QCType != k.qcType:
		msg := fmt.Sprintf("This is %s, not a %s.", qcTypeDescriptions[c.QCType], k.label)
		switch other := otherKind(k); {
		case t.mtls:
			msg += " In production an app presents its QWAC."
		case c.QCType == other.qcType:
			msg += fmt.Sprintf(" Did you swap them? Upload it as your %s and your %s here.", other.label, k.label)
		}
		f.add(RuleWrongType, "%s", msg)
	}
}

// typeLabels names QcTypes as the portal does: QWAC, QSealC, electronic signature certificate.
func typeLabels(types []string) []string {
	out := make([]string, 0, len(types))
	for _, t := range types {
		switch t {
		case QCTypeWeb:
			out = append(out, "a QWAC")
		case QCTypeESeal:
			out = append(out, "a QSealC")
		default:
			out = append(out, "an electronic signature certificate")
		}
	}
	return out
}

// isPSDIdentifier reports whether v is an organizationIdentifier of the PSD form:
// "PSD", a two-letter country code, "-", the NCA's 2 to 8 capital letters, "-", and the
// authorisation number (ETSI TS 119 495, GEN-5.2.1-3).
func isPSDIdentifier(v string) bool {
	o := ParseOrganizationIdentifier(v)
	return o.Scheme == "PSD" && o.NCAID != "" && o.NationalID != ""
}

// isNCAID reports whether id is an NCA identifier: a two-letter country code, "-" and 2
// to 8 capital letters, for example BE-NBB (ETSI TS 119 495, GEN-5.2.3-2).
func isNCAID(id string) bool {
	country, nca, ok := strings.Cut(id, "-")
	return ok && upper(country, 2, 2) && upper(nca, 2, 8)
}

// ncaNameProblem says what is wrong with an NCA name, as the end of "the PSD2 statement
// ...": "" when it is plain Latin text of 1 to 256 characters (GEN-5.2.3-1).
func ncaNameProblem(name string) string {
	switch {
	case strings.TrimSpace(name) == "":
		return "has no competent authority name (NCAName)"
	case len([]rune(name)) > 256:
		return "has a competent authority name (NCAName) longer than 256 characters"
	}
	for _, r := range name {
		if !unicode.IsPrint(r) || unicode.IsLetter(r) && r > unicode.MaxASCII && !unicode.Is(unicode.Latin, r) {
			return fmt.Sprintf("names the competent authority %q, which is not plain text in Latin letters", name)
		}
	}
	return ""
}
