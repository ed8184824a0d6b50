package portalapi_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/portal/store"
	"github.com/bank/devportal/shared/trust/sandboxca"
)

// outsideCA is a CA that is not the portal's: it publishes its CRL on a local server, as a
// qualified trust service provider publishes its own.
type outsideCA struct {
	ca *sandboxca.CA
	mu sync.Mutex
	// revoked are the entries of its CRL; failing makes the CRL address answer 503.
	revoked []sandboxca.Revoked
	failing bool
}

func newOutsideCA(t *testing.T) *outsideCA {
	t.Helper()
	ca, err := sandboxca.LoadOrCreate(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	o := &outsideCA{ca: ca}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.mu.Lock()
		defer o.mu.Unlock()
		if o.failing {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		der, err := ca.CRL(sandboxca.CRLRequest{Number: big.NewInt(time.Now().UnixNano()), ThisUpdate: time.Now().Add(-time.Minute), Revoked: o.revoked})
		if err != nil {
			t.Error(err)
		}
		w.Write(der)
	}))
	t.Cleanup(srv.Close)
	ca.CRLURL = srv.URL + "/crl.der"
	return o
}

func (o *outsideCA) revoke(pemText string, reason int) {
	block, _ := pem.Decode([]byte(pemText))
	c, _ := x509.ParseCertificate(block.Bytes)
	o.mu.Lock()
	defer o.mu.Unlock()
	o.revoked = append(o.revoked, sandboxca.Revoked{Serial: c.SerialNumber, At: time.Now().Add(-time.Hour).Truncate(time.Second), Reason: reason})
}

func (o *outsideCA) fail(on bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.failing = on
}

// clientCertificate issues an mTLS client certificate, returning its PEM and key.
func (o *outsideCA) clientCertificate(t *testing.T) (string, crypto.Signer) {
	t.Helper()
	c, err := o.ca.ClientCertificate(pkix.Name{CommonName: "outside-" + testenv.Suffix(), Organization: []string{"Acme Payments"}}, 90*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Leaf.Raw})), c.PrivateKey.(crypto.Signer)
}

// trusting makes the harness trust outside's CA (and its own sandbox CA) as the live
// truststore, which the sandbox trusts too.
func trusting(outside *outsideCA) func(*config.Config) {
	return func(c *config.Config) {
		ca, err := sandboxca.LoadOrCreate(c.SandboxCADir)
		if err != nil {
			panic(err)
		}
		bundle := filepath.Join(filepath.Dir(c.SandboxCADir), "truststore.pem")
		if err := os.WriteFile(bundle, append(append([]byte{}, ca.PEM...), outside.ca.PEM...), 0o600); err != nil {
			panic(err)
		}
		c.TruststoreFile = bundle
	}
}

// uploadProven uploads a certificate to the organization and proves possession of its key.
func (h *harness) uploadProven(c *http.Client, orgID, pemText string, key crypto.Signer) string {
	h.t.Helper()
	r := h.call(c, "POST", "/api/organizations/"+orgID+"/certificates", map[string]any{"certificate": pemText}).expect(h.t, 201, "")
	fp := r.body["sha256Fingerprint"].(string)
	h.proveCertificate(c, orgID, fp, key, crypto.SHA256)
	return fp
}

// certificateItem reads the organization's certificate item as the TPP API's caller check
// does.
func (h *harness) certificateItem(orgID, fp string) map[string]types.AttributeValue {
	h.t.Helper()
	k := store.OrgCertificateKey(orgID, fp)
	out, err := h.db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: &h.table,
		Key: map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: k.PK}, "SK": &types.AttributeValueMemberS{Value: k.SK}}})
	if err != nil || out.Item == nil {
		h.t.Fatalf("certificate item %v: %v", k, err)
	}
	return out.Item
}

func str(item map[string]types.AttributeValue, name string) string {
	v, _ := item[name].(*types.AttributeValueMemberS)
	if v == nil {
		return ""
	}
	return v.Value
}

// publishedCRL reads the sandbox CA's CRL where the portal published it (moto's S3).
func (h *harness) publishedCRL() *x509.RevocationList {
	h.t.Helper()
	client := s3.NewFromConfig(testenv.AWS(h.t, h.cfg), func(o *s3.Options) { o.UsePathStyle = true })
	out, err := client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: &h.cfg.CRLBucket, Key: aws.String(config.CRLObjectKey)})
	if err != nil {
		h.t.Fatal(err)
	}
	defer out.Body.Close()
	if ct := aws.ToString(out.ContentType); ct != "application/pkix-crl" {
		h.t.Fatalf("the CRL object's content type is %q", ct)
	}
	der, err := io.ReadAll(out.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	crl, err := x509.ParseRevocationList(der)
	if err != nil {
		h.t.Fatal(err)
	}
	ca, _ := sandboxca.LoadOrCreate(h.caDir())
	if err := crl.CheckSignatureFrom(ca.Cert); err != nil {
		h.t.Fatalf("the published CRL is not the sandbox CA's: %v", err)
	}
	return crl
}

func serialOf(t *testing.T, pemText string) *big.Int {
	block, _ := pem.Decode([]byte(pemText))
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c.SerialNumber
}

func listed(crl *x509.RevocationList, serial *big.Int) *x509.RevocationListEntry {
	for i, e := range crl.RevokedCertificateEntries {
		if e.SerialNumber.Cmp(serial) == 0 {
			return &crl.RevokedCertificateEntries[i]
		}
	}
	return nil
}

func fieldMessage(r response, field string) string {
	for _, f := range r.body["fields"].([]any) {
		if m := f.(map[string]any); m["field"] == field {
			return m["message"].(string)
		}
	}
	return ""
}

func TestRevokeIssuedCertificate(t *testing.T) {
	h := newHarness(t)
	orgID, roles := h.team()
	owner := roles["OWNER"]
	appPath, _, _ := h.newApp(owner.client, orgID, "Budget Buddy")
	r := h.call(owner.client, "POST", appPath+"/certificates/sandbox", nil).expect(t, 201, "")
	fp := r.body["certificate"].(map[string]any)["sha256Fingerprint"].(string)
	certPEM := r.body["certificatePem"].(string)
	serial := serialOf(t, certPEM)
	certs := "/api/organizations/" + orgID + "/certificates/"
	revoke := certs + fp + "/revoke"
	reason := map[string]any{"reason": "keyCompromise", "comment": "The laptop with the key was stolen."}

	// Every certificate names the CRL; before any revocation it lists nothing of ours.
	block, _ := pem.Decode([]byte(certPEM))
	leaf, _ := x509.ParseCertificate(block.Bytes)
	if !slices.Equal(leaf.CRLDistributionPoints, []string{h.cfg.SandboxCACRLURL}) || !strings.HasSuffix(h.cfg.SandboxCACRLURL, "/sandbox-ca/crl.der") {
		t.Fatalf("CRL distribution points %v, want [%s]", leaf.CRLDistributionPoints, h.cfg.SandboxCACRLURL)
	}

	// Who may: the owner and administrators; developers and viewers may not, nor outsiders.
	h.call(roles["DEVELOPER"].client, "POST", revoke, reason).expect(t, 403, "FORBIDDEN")
	h.call(roles["VIEWER"].client, "POST", revoke, reason).expect(t, 403, "FORBIDDEN")
	h.call(roles["FOREIGN"].client, "POST", revoke, reason).expect(t, 404, "NOT_FOUND")
	if r := h.call(owner.client, "POST", revoke, map[string]any{"reason": "stolen"}).expect(t, 400, "VALIDATION_FAILED"); fmt.Sprint(r.fields()) != "[reason:oneof]" {
		t.Fatalf("fields = %v", r.fields())
	}
	if r := h.call(owner.client, "POST", revoke, map[string]any{}).expect(t, 400, "VALIDATION_FAILED"); fmt.Sprint(r.fields()) != "[reason:required]" {
		t.Fatalf("fields = %v", r.fields())
	}
	h.call(owner.client, "POST", certs+strings.Repeat("0", 64)+"/revoke", reason).expect(t, 404, "NOT_FOUND")
	if str(h.certificateItem(orgID, fp), lookup.AttrRevokedAt) != "" {
		t.Fatal("a refused revocation marked the certificate")
	}

	before := time.Now().UTC().Truncate(time.Second)
	r = h.call(roles["ADMIN"].client, "POST", revoke, reason).expect(t, 200, "")
	if r.body["sha256Fingerprint"] != fp || r.body["revocationReason"] != "keyCompromise" || r.body["revokedBy"] != roles["ADMIN"].email ||
		r.body["revocationComment"] != reason["comment"] || r.body["appId"] == nil {
		t.Fatalf("revoked = %s", r.raw)
	}
	h.call(owner.client, "POST", revoke, reason).expect(t, 409, "ALREADY_REVOKED")

	// The store item carries the mark the TPP API's caller check reads, in RFC 3339.
	item := h.certificateItem(orgID, fp)
	at, err := time.Parse(time.RFC3339, str(item, lookup.AttrRevokedAt))
	if err != nil || at.Before(before) || at.After(time.Now().Add(time.Second)) || str(item, "revocationReason") != "keyCompromise" {
		t.Fatalf("item: revokedAt %q (%v), revocationReason %q", str(item, lookup.AttrRevokedAt), err, str(item, "revocationReason"))
	}
	// The fingerprint lookup stays as it is: the caller check refuses on the mark.
	if _, err := h.api.Apps.CertificateOwner(context.Background(), fp); err != nil {
		t.Fatalf("the fingerprint lookup went: %v", err)
	}
	if !slices.Contains(h.auditOf(orgID), "certificate.revoked") {
		t.Fatalf("audit = %v", h.auditOf(orgID))
	}

	// The published CRL lists the serial number with the time and reason.
	e := listed(h.publishedCRL(), serial)
	if e == nil || !e.RevocationTime.Equal(at) || e.ReasonCode != sandboxca.ReasonKeyCompromise {
		t.Fatalf("CRL entry %+v, want serial %x at %s, keyCompromise", e, serial, at)
	}

	// The portal shows it revoked; no app can select it again.
	r = h.call(roles["VIEWER"].client, "GET", "/api/organizations/"+orgID+"/certificates", nil).expect(t, 200, "")
	if got := r.body["certificates"].([]any)[0].(map[string]any); got["revokedAt"] == nil || got["revocationReason"] != "keyCompromise" {
		t.Fatalf("listed = %s", r.raw)
	}
	h.call(owner.client, "DELETE", appPath+"/certificates/"+fp, nil).expect(t, 204, "")
	other, _, _ := h.newApp(owner.client, orgID, "Other app")
	r = h.call(owner.client, "POST", other+"/certificates", map[string]any{"sha256Fingerprint": fp}).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[sha256Fingerprint:revoked]" || !strings.Contains(fieldMessage(r, "sha256Fingerprint"), "was revoked on") {
		t.Fatalf("attach: %s", r.raw)
	}
	// Uploading it again elsewhere is refused: the sandbox CA revoked it.
	elsewhere, _ := h.activeOrg(roles["FOREIGN"].client)
	r = h.call(roles["FOREIGN"].client, "POST", "/api/organizations/"+elsewhere+"/certificates", map[string]any{"certificate": certPEM}).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[certificate:revoked]" || fieldMessage(r, "certificate") !=
		"This certificate was revoked by its certificate authority on "+at.Format(time.DateOnly)+" (UTC), reason: keyCompromise. Use a certificate that is not revoked." {
		t.Fatalf("upload: %s", r.raw)
	}

	// Only what the sandbox CA issued through the portal can be revoked here.
	uploaded := h.uploadCertificate(owner.client, orgID, 90*24*time.Hour)
	h.call(owner.client, "POST", certs+uploaded+"/revoke", reason).expect(t, 409, "NOT_REVOCABLE")
}

func TestOnboardingRefusesRevokedCertificates(t *testing.T) {
	outside := newOutsideCA(t)
	h := newHarness(t, trusting(outside))
	owner := h.person("owner")
	orgID, _ := h.activeOrg(owner.client)

	// A test QWAC issued through the portal, uploaded (proven by issuance) and revoked.
	ident := "PSDBE-NBB-" + strings.ToUpper(testenv.Suffix())
	qwac, qseal := h.certificates(owner.client, ident, "AIS")
	r := h.call(owner.client, "POST", "/api/organizations/"+orgID+"/certificates", map[string]any{"certificate": qwac}).expect(t, 201, "")
	if proofMethod(r.body) != "issuance" {
		t.Fatalf("upload = %s", r.raw)
	}
	h.call(owner.client, "POST", "/api/organizations/"+orgID+"/certificates/"+r.body["sha256Fingerprint"].(string)+"/revoke",
		map[string]any{"reason": "superseded"}).expect(t, 200, "")
	r = h.call(owner.client, "POST", "/api/organizations", onboardingForm(qwac, qseal, "AIS")).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[qwac:revoked]" || !strings.HasPrefix(fieldMessage(r, "qwac"), "Your QWAC was revoked by its certificate authority on ") ||
		!strings.HasSuffix(fieldMessage(r, "qwac"), "reason: superseded. Use a certificate that is not revoked.") {
		t.Fatalf("onboarding = %s", r.raw)
	}
	r = h.call(owner.client, "POST", "/api/organizations/certificates/preview", map[string]any{"roles": []string{"AIS"}, "qwac": qwac, "qsealc": qseal}).expect(t, 200, "")
	if errs := r.body["errors"].([]any); len(errs) != 1 || errs[0].(map[string]any)["field"] != "qwac" || errs[0].(map[string]any)["rule"] != "revoked" {
		t.Fatalf("preview = %s", r.raw)
	}

	// A QSealC its own (outside) CA revoked, named on its CRL.
	ident = "PSDBE-NBB-" + strings.ToUpper(testenv.Suffix())
	issue := func(kind string) string {
		certPEM, _, err := outside.ca.IssueEIDAS(sandboxca.EIDASRequest{Kind: kind, CommonName: "Outside TPP", Organization: "Outside TPP", Country: "BE",
			OrganizationIdentifier: ident, Roles: []string{"PSP_AI"}, NCAName: "National Bank of Belgium", NCAID: "BE-NBB"})
		if err != nil {
			t.Fatal(err)
		}
		return certPEM
	}
	oQWAC, oQSealC := issue(sandboxca.KindQWAC), issue(sandboxca.KindQSealC)
	outside.revoke(oQSealC, sandboxca.ReasonCessationOfOperation)
	r = h.call(owner.client, "POST", "/api/organizations", onboardingForm(oQWAC, oQSealC, "AIS")).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[qsealc:revoked]" || !strings.Contains(fieldMessage(r, "qsealc"), "Your QSealC was revoked") ||
		!strings.Contains(fieldMessage(r, "qsealc"), "reason: cessationOfOperation") {
		t.Fatalf("onboarding = %s", r.raw)
	}

	// A CRL that cannot be fetched: production fails closed and says so; the sandbox goes on.
	outside.fail(true)
	form := onboardingForm(oQWAC, issue(sandboxca.KindQSealC), "AIS")
	form["environment"] = "production"
	r = h.call(owner.client, "POST", "/api/organizations", form).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[qwac:revocationUnavailable qsealc:revocationUnavailable]" {
		t.Fatalf("production onboarding = %s", r.raw)
	}
	if msg := fieldMessage(r, "qwac"); !strings.HasPrefix(msg, "We could not check whether your QWAC is revoked: its CRL or OCSP responder at "+outside.ca.CRLURL+" failed (answered HTTP 503). ") ||
		!strings.Contains(msg, "Production fails closed") {
		t.Fatalf("message = %s", msg)
	}
	form["environment"] = "sandbox"
	h.call(owner.client, "POST", "/api/organizations", form).expect(t, 202, "")

	// Uploads: a sandbox organization accepts a certificate whose CRL cannot be fetched. (A
	// production organization refuses this plain certificate before any revocation check:
	// production wants its organization's QWAC, which the production rules' tests cover.)
	prodOrg := h.productionOrg(owner.client, "AIS")
	mtls, _ := outside.clientCertificate(t)
	r = h.call(owner.client, "POST", "/api/organizations/"+prodOrg+"/certificates", map[string]any{"certificate": mtls}).expect(t, 400, "VALIDATION_FAILED")
	if !strings.Contains(fmt.Sprint(r.fields()), "certificate:noOrganizationIdentifier") {
		t.Fatalf("production upload = %s", r.raw)
	}
	h.call(owner.client, "POST", "/api/organizations/"+orgID+"/certificates", map[string]any{"certificate": mtls}).expect(t, 201, "")
}

func TestRevocationCheckJob(t *testing.T) {
	outside := newOutsideCA(t)
	h := newHarness(t, trusting(outside))
	orgID, roles := h.team()
	owner := roles["OWNER"]
	appPath, _, _ := h.newApp(owner.client, orgID, "Budget Buddy")
	revokedPEM, revokedKey := outside.clientCertificate(t)
	keptPEM, keptKey := outside.clientCertificate(t)
	revoked := h.uploadProven(owner.client, orgID, revokedPEM, revokedKey)
	kept := h.uploadProven(owner.client, orgID, keptPEM, keptKey)
	h.call(owner.client, "POST", appPath+"/certificates", map[string]any{"sha256Fingerprint": revoked}).expect(t, 200, "")
	h.call(owner.client, "POST", appPath+"/certificates/sandbox", nil).expect(t, 201, "") // the sandbox CA's, not revoked

	run := func() response { return h.call(nil, "POST", "/api/dev/jobs/certificate-revocation-check", nil) }
	r := run().expect(t, 200, "")
	if res := fmt.Sprint(r.body["result"]); res != "map[alreadyRevoked:0 checked:3 crlPublished:true failed:0 revoked:0 unchecked:0]" {
		t.Fatalf("nothing revoked yet: %s", res)
	}

	outside.revoke(revokedPEM, sandboxca.ReasonKeyCompromise)
	r = run().expect(t, 200, "")
	if res := fmt.Sprint(r.body["result"]); res != "map[alreadyRevoked:0 checked:3 crlPublished:true failed:0 revoked:1 unchecked:0]" {
		t.Fatalf("after the revocation: %s", res)
	}
	item := h.certificateItem(orgID, revoked)
	if str(item, lookup.AttrRevokedAt) == "" || str(item, "revocationReason") != "keyCompromise" || !strings.Contains(str(item, "revokedBy"), outside.ca.CRLURL) {
		t.Fatalf("revoked item = %s", fmtItem(item))
	}
	if item := h.certificateItem(orgID, kept); str(item, lookup.AttrRevokedAt) != "" || str(item, "revocationReason") != "" {
		t.Fatalf("an unrevoked certificate was marked: %s", fmtItem(item))
	}
	if !slices.Contains(h.auditOf(orgID), "certificate.revoked") {
		t.Fatalf("audit = %v", h.auditOf(orgID))
	}
	// The owner and the administrator are told, naming the app; nobody else.
	subject := "was revoked"
	for role, want := range map[string]int{"OWNER": 1, "ADMIN": 1, "DEVELOPER": 0, "VIEWER": 0, "FOREIGN": 0} {
		if n := h.mailCount(roles[role].email, subject); n != want {
			t.Errorf("%s got %d revocation emails, want %d", role, n, want)
		}
	}
	if body := h.lastMail(owner.email, subject); !strings.Contains(body, revoked) || !strings.Contains(body, "The app Budget Buddy uses it") ||
		!strings.Contains(body, "reason: keyCompromise") {
		t.Fatalf("email = %s", body)
	}
	// A second run finds it marked and tells nobody again.
	r = run().expect(t, 200, "")
	if res := fmt.Sprint(r.body["result"]); res != "map[alreadyRevoked:1 checked:2 crlPublished:true failed:0 revoked:0 unchecked:0]" {
		t.Fatalf("second run: %s", res)
	}
	if n := h.mailCount(owner.email, subject); n != 1 {
		t.Fatalf("%d revocation emails after two runs", n)
	}

	// A CRL that cannot be fetched fails the run, loudly: an error, logged as one.
	var logged bytes.Buffer
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.NewJSONHandler(&logged, nil)))
	outside.fail(true)
	run().expect(t, 500, "INTERNAL")
	_, err := h.api.Apps.CheckRevocations(context.Background())
	if err == nil || !strings.Contains(err.Error(), "answered HTTP 503") || !strings.Contains(err.Error(), kept) {
		t.Fatalf("job error = %v", err)
	}
	if !strings.Contains(logged.String(), `"level":"ERROR","msg":"certificate revocation status unavailable"`) || !strings.Contains(logged.String(), kept) {
		t.Fatalf("no error log line:\n%s", logged.String())
	}
	if item := h.certificateItem(orgID, kept); str(item, lookup.AttrRevokedAt) != "" {
		t.Fatal("a certificate whose CRL failed was marked revoked")
	}
}
