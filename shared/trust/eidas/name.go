package eidas

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"strings"
)

// Name is a certificate subject or issuer as the portal shows it.
type Name struct {
	// CommonName is the first CN, for example "tpp.example.com".
	CommonName string `json:"commonName"`
	// Organization is the first O.
	Organization string `json:"organization"`
	// Country is the first C, for example "BE".
	Country string `json:"country"`
	// DN is the whole distinguished name as an RFC 4514 string, for example
	// "organizationIdentifier=PSDBE-NBB-0123456789,CN=tpp.example.com,O=Example TPP,C=BE".
	DN string `json:"dn"`
}

func newName(n pkix.Name, raw []byte) Name {
	return Name{CommonName: n.CommonName, Organization: first(n.Organization), Country: first(n.Country), DN: formatDN(raw, n)}
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// OrganizationIdentifier is the subject's organizationIdentifier and its parts as ETSI
// EN 319 412-1 (5.1.4) and, for the PSD scheme, ETSI TS 119 495 (5.2.1) define them.
type OrganizationIdentifier struct {
	// Value is the attribute as written, for example "PSDBE-NBB-0123456789".
	Value string `json:"value"`
	// Scheme is the three-letter identity type: "PSD", "VAT", "NTR", "LEI", ...; empty
	// when Value does not follow EN 319 412-1.
	Scheme string `json:"scheme,omitempty"`
	// Country is the ISO 3166 country code, for example "BE".
	Country string `json:"country,omitempty"`
	// NCAID is the competent authority's identifier, for example "NBB"; PSD scheme only.
	NCAID string `json:"ncaId,omitempty"`
	// NationalID is the identifier proper: for PSD the authorisation number the NCA gave,
	// for example "0123456789"; for VAT or NTR the registration number.
	NationalID string `json:"nationalId,omitempty"`
}

// ParseOrganizationIdentifier splits an organizationIdentifier value into its parts.
// A value that does not follow EN 319 412-1 keeps only Value.
func ParseOrganizationIdentifier(v string) OrganizationIdentifier {
	o := OrganizationIdentifier{Value: v}
	if len(v) < 7 || !upper(v[:5], 5, 5) || v[5] != '-' {
		return o
	}
	o.Scheme, o.Country, o.NationalID = v[:3], v[3:5], v[6:]
	if o.Scheme == "PSD" {
		if nca, id, ok := strings.Cut(o.NationalID, "-"); ok && upper(nca, 2, 8) && id != "" {
			o.NCAID, o.NationalID = nca, id
		}
	}
	return o
}

// upper reports whether s is lo to hi ASCII capital letters.
func upper(s string, lo, hi int) bool {
	if len(s) < lo || len(s) > hi {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// attributeNames are the RFC 4514 short names, plus the LDAP names of the attributes
// eIDAS certificates use.
var attributeNames = map[string]string{
	"2.5.4.3":                    "CN",
	"2.5.4.4":                    "SN",
	"2.5.4.5":                    "serialNumber",
	"2.5.4.6":                    "C",
	"2.5.4.7":                    "L",
	"2.5.4.8":                    "ST",
	"2.5.4.9":                    "STREET",
	"2.5.4.10":                   "O",
	"2.5.4.11":                   "OU",
	"2.5.4.12":                   "title",
	"2.5.4.17":                   "postalCode",
	"2.5.4.42":                   "givenName",
	"2.5.4.97":                   "organizationIdentifier",
	"0.9.2342.19200300.100.1.1":  "UID",
	"0.9.2342.19200300.100.1.25": "DC",
	"1.2.840.113549.1.9.1":       "emailAddress",
}

type attributeTypeAndValue struct {
	Type  asn1.ObjectIdentifier
	Value asn1.RawValue
}

// rdnSET is one relative distinguished name; the suffix makes encoding/asn1 read a SET.
type rdnSET []attributeTypeAndValue

// formatDN writes raw, a DER Name, as RFC 4514 does: last RDN first, values escaped,
// attributes without a name as OID=#hex. If raw does not decode, it falls back to
// what crypto/x509 parsed.
func formatDN(raw []byte, parsed pkix.Name) string {
	var rdns []rdnSET
	if rest, err := asn1.Unmarshal(raw, &rdns); err != nil || len(rest) > 0 {
		return parsed.String()
	}
	var b strings.Builder
	for i := len(rdns) - 1; i >= 0; i-- {
		if i < len(rdns)-1 {
			b.WriteByte(',')
		}
		for j, atv := range rdns[i] {
			if j > 0 {
				b.WriteByte('+')
			}
			oid := atv.Type.String()
			name, known := attributeNames[oid]
			if !known {
				name = oid
			}
			b.WriteString(name)
			b.WriteByte('=')
			var s string
			if rest, err := asn1.Unmarshal(atv.Value.FullBytes, &s); known && err == nil && len(rest) == 0 {
				b.WriteString(escapeDNValue(s))
			} else {
				b.WriteByte('#')
				b.WriteString(hex.EncodeToString(atv.Value.FullBytes))
			}
		}
	}
	return b.String()
}

// escapeDNValue escapes a string value as RFC 4514 section 2.4 requires.
func escapeDNValue(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case strings.ContainsRune(`,+"\<>;`, r),
			r == ' ' && (i == 0 || i == len(s)-1),
			r == '#' && i == 0:
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == 0:
			b.WriteString(`\00`)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
