package eidas_test

import (
	"crypto/x509"
	"reflect"
	"testing"
	"time"

	"github.com/bank/devportal/shared/trust/eidas"
	"github.com/bank/devportal/shared/trust/sandboxca"
)

func TestCheckRenewal(t *testing.T) {
	f := newFixture(t)
	now := time.Now()
	expiredAt := now.AddDate(0, 0, -10).UTC().Truncate(time.Second)
	cert := func(kind string, edits ...func(*sandboxca.EIDASRequest)) string {
		c, _ := issue(t, f.ca, request(kind, edits...))
		return c
	}
	expired := func(r *sandboxca.EIDASRequest) { r.NotBefore, r.NotAfter = expiredAt.AddDate(-1, 0, 0), expiredAt }
	otherOrg := func(r *sandboxca.EIDASRequest) { r.OrganizationIdentifier = "PSDBE-NBB-9999999999" }
	aisOnly := func(r *sandboxca.EIDASRequest) { r.Roles = []string{eidas.RoleAI} }
	withIC := func(r *sandboxca.EIDASRequest) { r.Roles = []string{eidas.RoleAI, eidas.RolePI, eidas.RoleIC} }
	current, _ := eidas.Parse(f.qwac)
	currentSeal, _ := eidas.Parse(f.qseal)
	roots := x509.NewCertPool()
	roots.AddCert(f.ca.Cert)

	tests := []struct {
		name         string
		qwac, qseal  string
		want         []string
		wantMessages []string
	}{
		{name: "both renewed", qwac: cert("QWAC"), qseal: cert("QSealC"), want: []string{}},
		{name: "the QSealC alone", qseal: cert("QSealC"), want: []string{}},
		{
			name: "a role the current QWAC lacks", qwac: cert("QWAC", withIC),
			want: []string{"qwac/roleAdded"},
			wantMessages: []string{"Your new QWAC carries the role PSP_IC, which your current QWAC does not. A renewed certificate carries every PSD2 role of your organization's services, " +
				"and no role its current certificate lacks: the roles decide which APIs the organization may use, and the bank approved those it has."},
		},
		{name: "nothing to renew", want: []string{"qwac/required"}, wantMessages: []string{"Paste the new QWAC, the new QSealC, or both."}},
		{
			name: "another organization's identifier", qwac: cert("QWAC", otherOrg),
			want: []string{"qwac/organizationIdentifierChanged"},
			wantMessages: []string{"Your new QWAC belongs to the organization PSDBE-NBB-9999999999, but this organization is PSDBE-NBB-0123456789. " +
				"A renewed certificate carries the same organizationIdentifier; a certificate of another organization is onboarded as an organization of its own."},
		},
		{
			name: "a role of the organization missing", qseal: cert("QSealC", aisOnly),
			want: []string{"qsealc/roleMissing"},
			wantMessages: []string{"Your new QSealC does not carry the role PIS (PSP_PI). A renewed certificate carries every PSD2 role of your organization's services, " +
				"and no role its current certificate lacks: the roles decide which APIs the organization may use, and the bank approved those it has."},
		},
		{
			name: "expired", qwac: cert("QWAC", expired),
			want:         []string{"qwac/expired"},
			wantMessages: []string{"Your QWAC expired on " + expiredAt.Format("2006-01-02") + " (UTC). Upload a certificate that is valid today."},
		},
		{
			name: "the certificate in force", qwac: f.qwac,
			want:         []string{"qwac/unchanged"},
			wantMessages: []string{"This is a certificate your organization already has. Paste the new QWAC your trust service provider issued."},
		},
		{name: "swapped", qwac: cert("QSealC"), want: []string{"qwac/wrongType"}},
		{name: "not a certificate", qseal: "hello", want: []string{"qsealc/parse"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, errs := eidas.CheckRenewal(eidas.RenewalCerts{QWAC: tc.qwac, QSealC: tc.qseal, OrganizationIdentifier: orgID,
				Roles: []string{"AIS", "PIS"}, CurrentQWAC: current, CurrentQSealC: currentSeal, Roots: roots, Now: now})
			if got := rules(errs); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("rules = %v, want %v (%v)", got, tc.want, errs)
			}
			for i, m := range tc.wantMessages {
				if errs[i].Message != m {
					t.Errorf("message %d = %q\nwant %q", i, errs[i].Message, m)
				}
			}
		})
	}
}
