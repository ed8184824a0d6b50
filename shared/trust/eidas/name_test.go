package eidas

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"testing"
)

func TestParseOrganizationIdentifier(t *testing.T) {
	tests := []struct {
		in   string
		want OrganizationIdentifier
	}{
		{"PSDBE-NBB-0123456789", OrganizationIdentifier{Value: "PSDBE-NBB-0123456789", Scheme: "PSD", Country: "BE", NCAID: "NBB", NationalID: "0123456789"}},
		{"PSDDE-BAFIN-123456", OrganizationIdentifier{Value: "PSDDE-BAFIN-123456", Scheme: "PSD", Country: "DE", NCAID: "BAFIN", NationalID: "123456"}},
		{"PSDFR-ACPR-12345-ABC", OrganizationIdentifier{Value: "PSDFR-ACPR-12345-ABC", Scheme: "PSD", Country: "FR", NCAID: "ACPR", NationalID: "12345-ABC"}},
		{"PSDBE-nbb-1", OrganizationIdentifier{Value: "PSDBE-nbb-1", Scheme: "PSD", Country: "BE", NationalID: "nbb-1"}},
		{"PSDBE-NBB", OrganizationIdentifier{Value: "PSDBE-NBB", Scheme: "PSD", Country: "BE", NationalID: "NBB"}},
		{"PSDBE-ABCDEFGHI-1", OrganizationIdentifier{Value: "PSDBE-ABCDEFGHI-1", Scheme: "PSD", Country: "BE", NationalID: "ABCDEFGHI-1"}},
		{"VATBE-0123456789", OrganizationIdentifier{Value: "VATBE-0123456789", Scheme: "VAT", Country: "BE", NationalID: "0123456789"}},
		{"NTRGB-12345678", OrganizationIdentifier{Value: "NTRGB-12345678", Scheme: "NTR", Country: "GB", NationalID: "12345678"}},
		{"LEIXG-5493001KJTIIGC8Y1R12", OrganizationIdentifier{Value: "LEIXG-5493001KJTIIGC8Y1R12", Scheme: "LEI", Country: "XG", NationalID: "5493001KJTIIGC8Y1R12"}},
		{"PSDBE-", OrganizationIdentifier{Value: "PSDBE-"}},
		{"psdbe-NBB-1", OrganizationIdentifier{Value: "psdbe-NBB-1"}},
		{"PSDBE_NBB_1", OrganizationIdentifier{Value: "PSDBE_NBB_1"}},
		{"Example TPP", OrganizationIdentifier{Value: "Example TPP"}},
		{"", OrganizationIdentifier{}},
	}
	for _, tt := range tests {
		if got := ParseOrganizationIdentifier(tt.in); got != tt.want {
			t.Errorf("ParseOrganizationIdentifier(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestFormatDN(t *testing.T) {
	tests := []struct {
		name string
		rdns pkix.RDNSequence
		want string
	}{
		{"order is reversed", pkix.RDNSequence{
			{{Type: oid(2, 5, 4, 6), Value: "BE"}},
			{{Type: oid(2, 5, 4, 10), Value: "Example TPP"}},
			{{Type: oid(2, 5, 4, 3), Value: "tpp.example.com"}},
			{{Type: oid(2, 5, 4, 97), Value: "PSDBE-NBB-0123456789"}},
		}, "organizationIdentifier=PSDBE-NBB-0123456789,CN=tpp.example.com,O=Example TPP,C=BE"},
		{"special characters are escaped", pkix.RDNSequence{
			{{Type: oid(2, 5, 4, 10), Value: `Smith, "Jones" + Co; <ltd>\`}},
			{{Type: oid(2, 5, 4, 3), Value: " #lead and trail "}},
			{{Type: oid(2, 5, 4, 11), Value: "a#b"}},
			{{Type: oid(2, 5, 4, 7), Value: "#1"}},
		}, `L=\#1,OU=a#b,CN=\ #lead and trail\ ,O=Smith\, \"Jones\" \+ Co\; \<ltd\>\\`},
		{"multi-valued RDN joined with +", pkix.RDNSequence{
			{{Type: oid(2, 5, 4, 3), Value: "a"}, {Type: oid(2, 5, 4, 5), Value: "123"}},
		}, "CN=a+serialNumber=123"},
		{"unknown attribute as hex", pkix.RDNSequence{
			{{Type: oid(1, 2, 3, 4), Value: "x"}},
		}, "1.2.3.4=#130178"},
		{"UTF-8 kept", pkix.RDNSequence{
			{{Type: oid(2, 5, 4, 10), Value: "Société Générale"}},
		}, "O=Société Générale"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := asn1.Marshal(tt.rdns)
			if err != nil {
				t.Fatal(err)
			}
			if got := formatDN(raw, pkix.Name{}); got != tt.want {
				t.Fatalf("formatDN = %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("undecodable falls back to crypto/x509", func(t *testing.T) {
		if got := formatDN([]byte{0x01}, pkix.Name{CommonName: "x"}); got != "CN=x" {
			t.Fatalf("formatDN = %q", got)
		}
	})
}

func TestParseQCStatements(t *testing.T) {
	psd2 := &PSD2{Roles: []string{RolePI, RoleAI, RolePI}, NCAName: "NBB", NCAID: "BE-NBB"}
	der, err := MarshalQCStatements(QCTypeWeb, psd2)
	if err != nil {
		t.Fatal(err)
	}
	got := parseQCStatements(der)
	if !got.compliance || len(got.qcTypes) != 1 || got.qcTypes[0] != "web" || got.psd2.misnamed != nil || got.psd2 == nil || len(got.psd2.Roles) != 2 || got.psd2.Roles[0] != "PSP_AI" || got.psd2.Roles[1] != "PSP_PI" || got.psd2.NCAName != "NBB" || got.psd2.NCAID != "BE-NBB" {
		t.Fatalf("round trip: %+v %+v", got, got.psd2)
	}

	t.Run("role named by OID, not by the name beside it; unknown OID in dotted form", func(t *testing.T) {
		info, _ := asn1.Marshal(psd2QcTypeOut{Roles: []roleOfPSPOut{{OID: oidRolePI, Name: "PSP_AI"}, {OID: oid(0, 4, 0, 19495, 1, 9), Name: "PSP_XX"}}, NCAName: "n", NCAID: "i"})
		der, _ := asn1.Marshal([]qcStatement{{ID: oidPSD2, Info: asn1.RawValue{FullBytes: info}}})
		got := parseQCStatements(der)
		if got.psd2 == nil || len(got.psd2.Roles) != 2 || got.psd2.Roles[0] != "0.4.0.19495.1.9" || got.psd2.Roles[1] != "PSP_PI" || got.compliance {
			t.Fatalf("%+v %+v", got, got.psd2)
		}
		// The name that does not fit its OID is kept for the production rules; an unknown
		// OID has no name to compare with.
		if len(got.psd2.misnamed) != 1 || got.psd2.misnamed[0] != `PSP_PI (0.4.0.19495.1.2) named "PSP_AI"` {
			t.Fatalf("misnamed = %q", got.psd2.misnamed)
		}
	})
	t.Run("every QcType of every QcType statement, each once, in order", func(t *testing.T) {
		both, _ := asn1.Marshal([]asn1.ObjectIdentifier{oidQcTypeWeb, oid(1, 2, 3), oidQcTypeESeal})
		again, _ := asn1.Marshal([]asn1.ObjectIdentifier{oidQcTypeESeal, oidQcTypeESign})
		der, _ := asn1.Marshal([]qcStatement{{ID: oidQcType, Info: asn1.RawValue{FullBytes: both}}, {ID: oidQcType, Info: asn1.RawValue{FullBytes: again}}})
		if got := parseQCStatements(der); fmt.Sprint(got.qcTypes) != "[web eseal esign]" {
			t.Fatalf("qcTypes = %q", got.qcTypes)
		}
	})
	t.Run("PrintableString NCA name is read too", func(t *testing.T) {
		info, _ := asn1.Marshal(psd2QcType{Roles: []roleOfPSP{{OID: oidRoleAI, Name: "PSP_AI"}}, NCAName: "NBB", NCAID: "BE-NBB"})
		der, _ := asn1.Marshal([]qcStatement{{ID: oidPSD2, Info: asn1.RawValue{FullBytes: info}}})
		if got := parseQCStatements(der); got.psd2 == nil || got.psd2.NCAName != "NBB" {
			t.Fatalf("%+v", got)
		}
	})
	t.Run("broken PSD2 statement reads as none", func(t *testing.T) {
		der, _ := asn1.Marshal([]qcStatement{{ID: oidQcCompliance}, {ID: oidPSD2, Info: asn1.RawValue{FullBytes: []byte{0x0c, 0x01, 'x'}}}})
		if got := parseQCStatements(der); got.psd2 != nil || !got.compliance {
			t.Fatalf("%+v", got)
		}
	})
	t.Run("unknown role or qcType is refused when marshalling", func(t *testing.T) {
		if _, err := MarshalQCStatements("", &PSD2{Roles: []string{"AIS"}}); err == nil {
			t.Fatal("role AIS accepted")
		}
		if _, err := MarshalQCStatements("qwac", nil); err == nil {
			t.Fatal("qcType qwac accepted")
		}
	})
}

func oid(s ...int) asn1.ObjectIdentifier { return s }
