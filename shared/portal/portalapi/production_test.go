package portalapi_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/portal/apps"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/portal/possession"
	"github.com/bank/devportal/shared/trust/eidas"
	"github.com/bank/devportal/shared/trust/sandboxca"
)

// tableItems is every item of the portal table, rendered, sorted: what "nothing was
// written" compares.
func (h *harness) tableItems() []string {
	h.t.Helper()
	var out []string
	pages := dynamodb.NewScanPaginator(h.db, &dynamodb.ScanInput{TableName: &h.table})
	for pages.HasMorePages() {
		page, err := pages.NextPage(context.Background())
		if err != nil {
			h.t.Fatal(err)
		}
		for _, item := range page.Items {
			out = append(out, fmtItem(item))
		}
	}
	slices.Sort(out)
	return out
}

// refused sends a request production must refuse and checks that it is refused as a
// validation error with exactly fields (field:rule), and that the table is unchanged.
func (h *harness) refused(c *http.Client, method, path string, body any, fields string) response {
	h.t.Helper()
	before := h.tableItems()
	r := h.call(c, method, path, body).expect(h.t, 400, "VALIDATION_FAILED")
	if got := fmt.Sprint(r.fields()); got != fields {
		h.t.Fatalf("%s %s: fields = %s, want %s\n%s", method, path, got, fields, r.raw)
	}
	if after := h.tableItems(); !reflect.DeepEqual(before, after) {
		h.t.Fatalf("%s %s was refused but the table changed:\nbefore %d items\nafter  %d items", method, path, len(before), len(after))
	}
	return r
}

// message is the message of the response's field error with rule.
func (r response) message(rule string) string {
	for _, f := range r.body["fields"].([]any) {
		if m := f.(map[string]any); m["rule"] == rule {
			return m["message"].(string)
		}
	}
	return ""
}

// withoutQcType is a certificate of organizationIdentifier from ca that is qualified
// (QcCompliance) and carries a PSD2 statement but declares no QcType: neither a QWAC nor
// a QSealC in production, acceptable in the sandbox.
func withoutQcType(t *testing.T, ca *sandboxca.CA, organizationIdentifier string) string {
	t.Helper()
	qc, err := eidas.MarshalQCStatements("", &eidas.PSD2{Roles: []string{eidas.RoleAI, eidas.RolePI}, NCAName: "National Bank of Belgium", NCAID: "BE-NBB"})
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject: pkix.Name{CommonName: "tpp.example.com", Organization: []string{"Acme Payments"}, Country: []string{"BE"},
			ExtraNames: []pkix.AttributeTypeAndValue{{Type: eidas.OIDOrganizationIdentifier, Value: organizationIdentifier}}},
		NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().AddDate(1, 0, 0),
		KeyUsage:        x509.KeyUsageDigitalSignature,
		ExtraExtensions: []pkix.Extension{{Id: eidas.OIDQCStatements, Value: qc}},
	}, ca.Cert, &key.PublicKey, ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// TestProductionCertificateRules: production onboarding and a production organization's
// mTLS certificates follow the production rules, each refusal a field error naming its
// field and rule, with nothing written; the sandbox accepts the same certificates.
func TestProductionCertificateRules(t *testing.T) {
	h := newHarness(t, withLiveTruststore)
	owner := h.person("owner")
	ca := h.sandboxCA() // stands in for the eIDAS truststore too (withLiveTruststore)

	// Onboarding: one certificate without QcType pasted as QWAC and QSealC.
	ident := "PSDBE-NBB-" + strings.ToUpper(testenv.Suffix())
	untyped := withoutQcType(t, ca, ident)
	form := onboardingForm(untyped, untyped, "AIS")
	form["environment"] = "production"
	const onboardingFields = "[qwac:noQcType qsealc:noQcType qsealc:sameCertificate]"
	r := h.refused(owner.client, "POST", "/api/organizations", form, onboardingFields)
	if got, want := r.message("sameCertificate"), "This is the same certificate as your QWAC. A QWAC and a QSealC are two certificates, each with its own key: paste your QSealC here."; got != want {
		t.Fatalf("sameCertificate message %q, want %q", got, want)
	}
	if got, want := r.message("noQcType"), "Your QWAC does not say which kind of qualified certificate it is: it has no QcType statement. A QWAC declares the type web (0.4.0.1862.1.6.3); ask your trust service provider for one that does."; got != want {
		t.Fatalf("noQcType message %q, want %q", got, want)
	}
	// The preview says the same before submitting.
	r = h.call(owner.client, "POST", "/api/organizations/certificates/preview", map[string]any{"roles": []string{"AIS"}, "environment": "production", "qwac": untyped, "qsealc": untyped}).expect(t, 200, "")
	var previewed []string
	for _, e := range r.body["errors"].([]any) {
		previewed = append(previewed, e.(map[string]any)["field"].(string)+":"+e.(map[string]any)["rule"].(string))
	}
	if fmt.Sprint(previewed) != onboardingFields {
		t.Fatalf("preview = %s", r.raw)
	}
	if r := h.call(owner.client, "GET", "/api/organizations", nil).expect(t, 200, ""); len(r.body["organizations"].([]any)) != 0 {
		t.Fatalf("a refused onboarding left an organization: %s", r.raw)
	}
	// The sandbox keeps its easier rules: the same pair onboards there.
	form["environment"] = "sandbox"
	h.call(owner.client, "POST", "/api/organizations", form).expect(t, 202, "")

	// A production organization's mTLS certificate is a QWAC of the organization.
	prodOrg := h.productionOrg(owner.client, "AIS", "PIS")
	prodIdent := h.call(owner.client, "GET", "/api/organizations/"+prodOrg, nil).expect(t, 200, "").body["organizationIdentifier"].(string)
	upload := "/api/organizations/" + prodOrg + "/certificates"
	plain, _ := h.clientCertificate(90 * 24 * time.Hour)
	otherOrgs, _ := h.issueQWAC("PSDBE-NBB-9999999999", 90*24*time.Hour)
	qseal, _ := h.issueEIDAS(sandboxca.EIDASRequest{Kind: sandboxca.KindQSealC, CommonName: "seal", OrganizationIdentifier: prodIdent, Roles: []string{"PSP_AI"}, NCAName: "National Bank of Belgium", NCAID: "BE-NBB"})
	stranger, err := sandboxca.LoadOrCreate(t.TempDir()) // a CA outside the eIDAS truststore
	if err != nil {
		t.Fatal(err)
	}
	untrusted, _, err := stranger.IssueEIDAS(sandboxca.EIDASRequest{Kind: sandboxca.KindQWAC, CommonName: "tpp", OrganizationIdentifier: prodIdent, Roles: []string{"PSP_AI"}, NCAName: "National Bank of Belgium", NCAID: "BE-NBB"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, pem, fields, rule, message string
	}{
		{name: "a plain client certificate", pem: plain, fields: "[certificate:noOrganizationIdentifier certificate:noPsd2 certificate:noQcCompliance certificate:noQcType]",
			rule: "noOrganizationIdentifier", message: "This certificate has no organizationIdentifier (OID 2.5.4.97) in its subject. In production an app presents a QWAC that names your organization there: " + prodIdent + "."},
		{name: "another organization's QWAC", pem: otherOrgs, fields: "[certificate:organizationMismatch]",
			rule: "organizationMismatch", message: "This certificate belongs to the organization PSDBE-NBB-9999999999, not to yours (" + prodIdent + "). In production an app presents a QWAC of its own organization: upload one issued to " + prodIdent + "."},
		{name: "the organization's QSealC", pem: qseal, fields: "[certificate:wrongType]",
			rule: "wrongType", message: "This is a QSealC (an electronic seal certificate), not a QWAC. In production an app presents its QWAC."},
		{name: "a QWAC from a CA outside the eIDAS truststore", pem: untrusted, fields: "[certificate:untrusted]"},
		{name: "a certificate without QcType", pem: withoutQcType(t, ca, prodIdent), fields: "[certificate:noQcType]"},
	} {
		r := h.refused(owner.client, "POST", upload, map[string]any{"certificate": c.pem}, c.fields)
		if c.rule != "" && r.message(c.rule) != c.message {
			t.Errorf("%s: message %q, want %q", c.name, r.message(c.rule), c.message)
		}
	}
	if r := h.call(owner.client, "GET", upload, nil).expect(t, 200, ""); len(r.body["certificates"].([]any)) != 0 {
		t.Fatalf("refused uploads left certificates: %s", r.raw)
	}
	// The sandbox takes the plain client certificate; production the organization's QWAC.
	sandboxOrg, _ := h.activeOrg(owner.client)
	h.call(owner.client, "POST", "/api/organizations/"+sandboxOrg+"/certificates", map[string]any{"certificate": plain}).expect(t, 201, "")
	h.uploadCertificate(owner.client, prodOrg, 90*24*time.Hour)

	// A certificate stored before the production rules (written here straight to the
	// store, possession proven) is refused when going live and when selected.
	legacy, err := eidas.Parse(plain)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	if err := h.orgStore.PutCertificate(context.Background(), apps.Certificate{Fingerprint: legacy.SHA256Fingerprint, OrgID: prodOrg, Subject: legacy.Subject.DN, Issuer: legacy.Issuer.DN,
		NotBefore: legacy.NotBefore, NotAfter: legacy.NotAfter, PEM: legacy.PEM(), UploadedAt: now, UploadedBy: owner.email,
		Possession: &possession.Proof{Method: possession.BySignature, At: now, By: owner.email}},
		org.AuditEntry{OrgID: prodOrg, At: now, ActorID: owner.id, Actor: owner.email, Action: "certificate.uploaded"}); err != nil {
		t.Fatal(err)
	}
	legacyFields := func(field string) string {
		return fmt.Sprintf("[%[1]s:noOrganizationIdentifier %[1]s:noPsd2 %[1]s:noQcCompliance %[1]s:noQcType]", field)
	}
	appPath, _, _ := h.newApp(owner.client, sandboxOrg, "Budget Buddy")
	h.refused(owner.client, "POST", appPath+"/go-live", map[string]any{"productionOrganizationId": prodOrg, "redirectUris": []string{"https://budget.example/cb"}, "certificate": legacy.SHA256Fingerprint},
		legacyFields("certificate"))
	if r := h.call(owner.client, "GET", appPath, nil).expect(t, 200, ""); r.body["app"].(map[string]any)["goLive"] != nil {
		t.Fatalf("a refused go-live changed the app: %s", r.raw)
	}
	prodApp := h.liveApp(owner.client, sandboxOrg, prodOrg)
	h.refused(owner.client, "POST", prodApp+"/certificates", map[string]any{"sha256Fingerprint": legacy.SHA256Fingerprint},
		legacyFields("sha256Fingerprint"))
	if r := h.call(owner.client, "GET", prodApp, nil).expect(t, 200, ""); len(r.body["app"].(map[string]any)["certificateFingerprints"].([]any)) != 1 {
		t.Fatalf("a refused selection changed the app: %s", r.raw)
	}
}

// TestGoLiveWithOwnPresentedCertificate: going live with a certificate that the user's
// own sandbox app already presents is refused with the app named, not as another
// organization's certificate.
func TestGoLiveWithOwnPresentedCertificate(t *testing.T) {
	h := newHarness(t, withLiveTruststore)
	owner := h.person("owner")
	prodOrg := h.productionOrg(owner.client, "AIS", "PIS")
	prodIdent := h.call(owner.client, "GET", "/api/organizations/"+prodOrg, nil).expect(t, 200, "").body["organizationIdentifier"].(string)
	sandboxOrg, _ := h.activeOrg(owner.client)
	sandboxName := h.call(owner.client, "GET", "/api/organizations/"+sandboxOrg, nil).expect(t, 200, "").body["name"].(string)

	qwac, key := h.issueQWAC(prodIdent, 90*24*time.Hour)
	var fp string
	for _, orgID := range []string{sandboxOrg, prodOrg} {
		r := h.call(owner.client, "POST", "/api/organizations/"+orgID+"/certificates", map[string]any{"certificate": qwac}).expect(t, 201, "")
		fp = r.body["sha256Fingerprint"].(string)
		h.proveCertificate(owner.client, orgID, fp, key, crypto.SHA256)
	}
	appPath, _, _ := h.newApp(owner.client, sandboxOrg, "Budget Buddy")
	h.call(owner.client, "POST", appPath+"/certificates", map[string]any{"sha256Fingerprint": fp}).expect(t, 200, "")

	r := h.refused(owner.client, "POST", appPath+"/go-live", map[string]any{"productionOrganizationId": prodOrg, "redirectUris": []string{"https://budget.example/cb"}, "certificate": fp},
		"[certificate:presentedByOwnApp]")
	want := "Your app Budget Buddy of " + sandboxName + " (sandbox) presents this certificate, and a certificate identifies one app. " +
		"Remove it from Budget Buddy first, or choose another certificate for the production app."
	if got := r.message("presentedByOwnApp"); got != want {
		t.Fatalf("message %q\nwant %q", got, want)
	}

	// Operations see the organization's apps, to weigh what a decision affects.
	r = h.call(h.ops(), "GET", "/api/ops/organizations/"+sandboxOrg, nil).expect(t, 200, "")
	apps, _ := json.Marshal(r.body["apps"])
	appID := appPath[strings.LastIndex(appPath, "/")+1:]
	if wantApps := `[{"certificates":1,"environment":"sandbox","id":"` + appID + `","name":"Budget Buddy","products":["oauth2"],"redirectUris":0}]`; string(apps) != wantApps {
		t.Fatalf("ops apps = %s\nwant %s", apps, wantApps)
	}

	// Once the sandbox app lets it go, the go-live names the certificate; operations see it
	// as uploaded to the production organization, chaining to the eIDAS truststore.
	h.call(owner.client, "DELETE", appPath+"/certificates/"+fp, nil).expect(t, 204, "")
	r = h.call(owner.client, "POST", appPath+"/go-live", map[string]any{"productionOrganizationId": prodOrg, "redirectUris": []string{"https://budget.example/cb"}, "certificate": fp}).expect(t, 202, "")
	r = h.call(h.ops(), "GET", "/api/ops/requests/"+r.body["id"].(string), nil).expect(t, 200, "")
	cert, _ := r.body["certificate"].(map[string]any)
	if trust, _ := json.Marshal(cert["trust"]); string(trust) != `{"store":"eidas","trusted":true}` {
		t.Fatalf("go-live certificate trust = %s", trust)
	}
	if got := cert["certificate"].(map[string]any)["sha256Fingerprint"]; got != fp {
		t.Fatalf("go-live certificate = %s, want fingerprint %s", r.raw, fp)
	}
}
