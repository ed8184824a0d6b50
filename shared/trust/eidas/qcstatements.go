package eidas

import (
	"encoding/asn1"
	"fmt"
	"slices"
)

// Object identifiers of the eIDAS and PSD2 certificate profiles.
var (
	// OIDOrganizationIdentifier is the subject attribute organizationIdentifier (X.520),
	// which ETSI EN 319 412-1 fills with, for example, PSDBE-NBB-0123456789.
	OIDOrganizationIdentifier = asn1.ObjectIdentifier{2, 5, 4, 97}
	// OIDQCStatements is the qcStatements certificate extension (RFC 3739).
	OIDQCStatements = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 1, 3}
)

var (
	oidQcCompliance = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 1}
	oidQcType       = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 6}
	oidQcTypeESign  = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 6, 1}
	oidQcTypeESeal  = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 6, 2}
	oidQcTypeWeb    = asn1.ObjectIdentifier{0, 4, 0, 1862, 1, 6, 3}
	oidPSD2         = asn1.ObjectIdentifier{0, 4, 0, 19495, 2}
	oidRoleAS       = asn1.ObjectIdentifier{0, 4, 0, 19495, 1, 1}
	oidRolePI       = asn1.ObjectIdentifier{0, 4, 0, 19495, 1, 2}
	oidRoleAI       = asn1.ObjectIdentifier{0, 4, 0, 19495, 1, 3}
	oidRoleIC       = asn1.ObjectIdentifier{0, 4, 0, 19495, 1, 4}
)

// The PSD2 roles of a payment service provider (ETSI TS 119 495), as certificates name them.
const (
	// RoleAS is account servicing: the bank itself; no TPP can request it.
	RoleAS = "PSP_AS"
	// RolePI is payment initiation (the portal's PIS).
	RolePI = "PSP_PI"
	// RoleAI is account information (the portal's AIS).
	RoleAI = "PSP_AI"
	// RoleIC is issuing of card-based payment instruments (the portal's PIIS, also called CBPII).
	RoleIC = "PSP_IC"
)

// The qualified certificate types of the QcType statement (ETSI EN 319 412-5).
const (
	// QCTypeWeb is a website authentication certificate: a QWAC.
	QCTypeWeb = "web"
	// QCTypeESeal is an electronic seal certificate: a QSealC.
	QCTypeESeal = "eseal"
	// QCTypeESign is an electronic signature certificate (natural persons).
	QCTypeESign = "esign"
)

// named pairs a name with its OID.
type named struct {
	name string
	oid  asn1.ObjectIdentifier
}

func nameOf(list []named, oid asn1.ObjectIdentifier) string {
	for _, n := range list {
		if n.oid.Equal(oid) {
			return n.name
		}
	}
	return ""
}

func oidOf(list []named, name string) asn1.ObjectIdentifier {
	for _, n := range list {
		if n.name == name {
			return n.oid
		}
	}
	return nil
}

var roleOIDs = []named{{RoleAS, oidRoleAS}, {RolePI, oidRolePI}, {RoleAI, oidRoleAI}, {RoleIC, oidRoleIC}}

var qcTypeOIDs = []named{{QCTypeESign, oidQcTypeESign}, {QCTypeESeal, oidQcTypeESeal}, {QCTypeWeb, oidQcTypeWeb}}

// PSD2 is the PSD2 QCStatement (ETSI TS 119 495): the roles the national competent
// authority (NCA) authorised the certificate holder for.
type PSD2 struct {
	// Roles are the role names, sorted, for example ["PSP_AI", "PSP_PI"]. A role OID this
	// package does not know appears in dotted form.
	Roles []string `json:"roles"`
	// NCAName is the competent authority's name, for example "National Bank of Belgium".
	NCAName string `json:"ncaName"`
	// NCAID is the competent authority's identifier, for example "BE-NBB".
	NCAID string `json:"ncaId"`
	// misnamed are the roles whose roleOfPspName is not the name ETSI TS 119 495 gives
	// their OID, as `PSP_AI (0.4.0.19495.1.3) named "PSP_PI"`; nil when every name fits.
	misnamed []string
}

// HasRole reports whether the statement carries role, for example RoleAI.
func (p *PSD2) HasRole(role string) bool {
	return p != nil && slices.Contains(p.Roles, role)
}

type qcStatement struct {
	ID   asn1.ObjectIdentifier
	Info asn1.RawValue `asn1:"optional"`
}

// psd2QcType and roleOfPSP read any string type; the *Out twins write UTF8String as the
// standard requires.
type psd2QcType struct {
	Roles   []roleOfPSP
	NCAName string
	NCAID   string
}

type roleOfPSP struct {
	OID  asn1.ObjectIdentifier
	Name string
}

type psd2QcTypeOut struct {
	Roles   []roleOfPSPOut
	NCAName string `asn1:"utf8"`
	NCAID   string `asn1:"utf8"`
}

type roleOfPSPOut struct {
	OID  asn1.ObjectIdentifier
	Name string `asn1:"utf8"`
}

// qcStatements is what the qcStatements extension says, as far as this package reads it.
type qcStatements struct {
	compliance bool
	// qcTypes are the known QcTypes declared, in the order the certificate lists them.
	qcTypes []string
	psd2    *PSD2
}

// parseQCStatements reads the extension value. A statement that does not decode is
// skipped, so a certificate with a broken PSD2 statement reads as one without.
func parseQCStatements(der []byte) qcStatements {
	var out qcStatements
	var stmts []qcStatement
	if _, err := asn1.Unmarshal(der, &stmts); err != nil {
		return out
	}
	for _, s := range stmts {
		switch {
		case s.ID.Equal(oidQcCompliance):
			out.compliance = true
		case s.ID.Equal(oidQcType):
			// Every QcType is kept, also from a second QcType statement: a certificate
			// that declares two types must not read as the first one only.
			var types []asn1.ObjectIdentifier
			if _, err := asn1.Unmarshal(s.Info.FullBytes, &types); err != nil {
				continue
			}
			for _, t := range types {
				if name := nameOf(qcTypeOIDs, t); name != "" && !slices.Contains(out.qcTypes, name) {
					out.qcTypes = append(out.qcTypes, name)
				}
			}
		case s.ID.Equal(oidPSD2) && out.psd2 == nil:
			var p psd2QcType
			if _, err := asn1.Unmarshal(s.Info.FullBytes, &p); err != nil {
				continue
			}
			roles := make([]string, 0, len(p.Roles))
			var misnamed []string
			for _, r := range p.Roles {
				name := roleName(r.OID)
				if !slices.Contains(roles, name) {
					roles = append(roles, name)
				}
				if known := nameOf(roleOIDs, r.OID); known != "" && r.Name != known {
					misnamed = append(misnamed, fmt.Sprintf("%s (%s) named %q", known, r.OID, r.Name))
				}
			}
			slices.Sort(roles)
			out.psd2 = &PSD2{Roles: roles, NCAName: p.NCAName, NCAID: p.NCAID, misnamed: misnamed}
		}
	}
	return out
}

// roleName names a role by its OID, never by the name the certificate writes next to it.
func roleName(oid asn1.ObjectIdentifier) string {
	if name := nameOf(roleOIDs, oid); name != "" {
		return name
	}
	return oid.String()
}

// MarshalQCStatements encodes the value of a qcStatements extension: QcCompliance, then
// the QcType statement for qcType (QCTypeWeb, QCTypeESeal, QCTypeESign; "" leaves it
// out), then the PSD2 statement (nil leaves it out). It is what the sandbox CA and tests
// put in the certificates they issue.
func MarshalQCStatements(qcType string, psd2 *PSD2) ([]byte, error) {
	stmts := []qcStatement{{ID: oidQcCompliance}}
	if qcType != "" {
		oid := oidOf(qcTypeOIDs, qcType)
		if oid == nil {
			return nil, fmt.Errorf("eidas: unknown qcType %q, want %q, %q or %q", qcType, QCTypeWeb, QCTypeESeal, QCTypeESign)
		}
		info, err := asn1.Marshal([]asn1.ObjectIdentifier{oid})
		if err != nil {
			return nil, err
		}
		stmts = append(stmts, qcStatement{ID: oidQcType, Info: asn1.RawValue{FullBytes: info}})
	}
	if psd2 != nil {
		p := psd2QcTypeOut{Roles: []roleOfPSPOut{}, NCAName: psd2.NCAName, NCAID: psd2.NCAID}
		for _, name := range psd2.Roles {
			oid := oidOf(roleOIDs, name)
			if oid == nil {
				return nil, fmt.Errorf("eidas: unknown PSD2 role %q, want %s, %s, %s or %s", name, RoleAI, RolePI, RoleIC, RoleAS)
			}
			p.Roles = append(p.Roles, roleOfPSPOut{OID: oid, Name: name})
		}
		info, err := asn1.Marshal(p)
		if err != nil {
			return nil, err
		}
		stmts = append(stmts, qcStatement{ID: oidPSD2, Info: asn1.RawValue{FullBytes: info}})
	}
	return asn1.Marshal(stmts)
}
