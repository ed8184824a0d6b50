package portalapi_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"path"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/trust/sandboxca"
)

// proofMethod is how possession of a certificate's key was proven, from a JSON object with
// a possession field; "" for unproven.
func proofMethod(v any) string {
	m, _ := v.(map[string]any)
	p, _ := m["possession"].(map[string]any)
	method, _ := p["method"].(string)
	return method
}

// signChallenge signs a challenge text as the openssl commands the portal shows do:
// SHA-256, then PKCS#1 v1.5 (crypto.SHA256 as opts), PSS (*rsa.PSSOptions) or ECDSA DER.
func signChallenge(t *testing.T, key crypto.Signer, text string, opts crypto.SignerOpts) string {
	t.Helper()
	digest := sha256.Sum256([]byte(text))
	sig, err := key.Sign(rand.Reader, digest[:], opts)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(sig)
}

// checkChallenge fails unless v is a challenge for the fingerprint, with the commands that
// sign it, and returns its text.
func (h *harness) checkChallenge(v any, fingerprint string) string {
	h.t.Helper()
	ch, _ := v.(map[string]any)
	text, _ := ch["challenge"].(string)
	cmds, _ := ch["commands"].(map[string]any)
	if ch["sha256Fingerprint"] != fingerprint || !strings.Contains(text, "sha256="+fingerprint) ||
		cmds["ec"] != "printf '%s' '"+text+"' | openssl dgst -sha256 -sign key.pem | base64 -w0" || cmds["rsa"] == nil || cmds["rsaPss"] == nil {
		h.t.Fatalf("challenge = %v", v)
	}
	return text
}

// certificateChallenge is the challenge the organization's certificate list shows with an
// uploaded, unproven certificate.
func (h *harness) certificateChallenge(c *http.Client, orgID, fp string) string {
	h.t.Helper()
	r := h.call(c, "GET", "/api/organizations/"+orgID+"/certificates", nil).expect(h.t, 200, "")
	for _, cert := range r.body["certificates"].([]any) {
		if cert.(map[string]any)["sha256Fingerprint"] == fp {
			return h.checkChallenge(cert.(map[string]any)["challenge"], fp)
		}
	}
	h.t.Fatalf("no certificate %s in %s", fp, r.raw)
	return ""
}

// onboardingChallenge is the challenge a draft onboarding's owner sees with its certificate
// of kind.
func (h *harness) onboardingChallenge(c *http.Client, orgID, kind string) (text, fp string) {
	h.t.Helper()
	r := h.call(c, "GET", "/api/organizations/"+orgID, nil).expect(h.t, 200, "")
	cert := certificateOf(r.body, kind)
	fp, _ = cert["sha256Fingerprint"].(string)
	return h.checkChallenge(cert["challenge"], fp), fp
}

// possessionPath is where a certificate's possession is proven.
func possessionPath(orgID, fp string) string {
	return "/api/organizations/" + orgID + "/certificates/" + fp + "/possession"
}

// proveCertificate proves possession of an uploaded certificate's key by signing its
// challenge with key.
func (h *harness) proveCertificate(c *http.Client, orgID, fp string, key crypto.Signer, opts crypto.SignerOpts) {
	h.t.Helper()
	text := h.certificateChallenge(c, orgID, fp)
	r := h.call(c, "POST", possessionPath(orgID, fp), map[string]any{"challenge": text, "signature": signChallenge(h.t, key, text, opts)}).expect(h.t, 200, "")
	if proofMethod(r.body) != "signature" || r.body["sha256Fingerprint"] != fp || r.body["request"] != nil {
		h.t.Fatalf("proven = %s", r.raw)
	}
}

// rsaClientCertificate is an mTLS client certificate with an RSA key, from the sandbox CA.
func (h *harness) rsaClientCertificate() (pemText, fingerprint string, key *rsa.PrivateKey) {
	h.t.Helper()
	ca, err := sandboxca.LoadOrCreate(h.caDir())
	if err != nil {
		h.t.Fatal(err)
	}
	key, err = rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		h.t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "tpp-rsa-" + testenv.Suffix(), Organization: []string{"Real TPP"}},
		NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(90 * 24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.Key)
	if err != nil {
		h.t.Fatal(err)
	}
	sum := sha256.Sum256(der)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), fmt.Sprintf("%x", sum), key
}

// TestCertificateSquatting is the attack on mTLS certificates: certificates are public, so
// organization A uploads the real TPP B's certificate to take it. Without B's private key A
// cannot prove possession, so A cannot select it for an app and no fingerprint lookup
// answers A; B uploads it too, proves possession by signing a challenge, and selects it.
func TestCertificateSquatting(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	a := h.person("squatter")
	b := h.person("real-tpp")
	orgA, codeA := h.activeOrg(a.client)
	orgB, _ := h.activeOrg(b.client)
	appA, _, _ := h.newApp(a.client, orgA, "Copycat")
	appB, _, _ := h.newApp(b.client, orgB, "Budget Buddy")
	certPEM, fp, keyB := h.rsaClientCertificate()
	keyA, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)

	// A pastes B's certificate: it is uploaded, unproven, and cannot be used.
	r := h.call(a.client, "POST", "/api/organizations/"+orgA+"/certificates", map[string]any{"certificate": certPEM}).expect(t, 201, "")
	if r.body["sha256Fingerprint"] != fp || r.body["possession"] != nil {
		t.Fatalf("upload by A = %s", r.raw)
	}
	text := h.checkChallenge(r.body["challenge"], fp)
	if r.body["challenge"].(map[string]any)["keyAlgorithm"] != "RSA" {
		t.Fatalf("challenge = %s", r.raw)
	}
	r = h.call(a.client, "POST", appA+"/certificates", map[string]any{"sha256Fingerprint": fp}).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.body["fields"]) != "[map[field:sha256Fingerprint message:Prove that you hold this certificate's private key first: sign the challenge shown with it in the organization's certificates. rule:unproven]]" {
		t.Fatalf("attach by A = %s", r.raw)
	}
	// Whatever A signs with a key of its own does not verify; the challenge stays the same
	// while it lives.
	if again := h.certificateChallenge(a.client, orgA, fp); again != text {
		t.Fatalf("the challenge changed: %s, then %s", text, again)
	}
	r = h.call(a.client, "POST", possessionPath(orgA, fp), map[string]any{"challenge": text, "signature": signChallenge(t, keyA, text, crypto.SHA256)}).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.body["fields"]) != "[map[field:signature message:This signature was not made with this certificate's private key over this challenge. Sign the challenge exactly as shown, with the private key that belongs to the certificate. rule:mismatch]]" {
		t.Fatalf("wrong key = %s", r.raw)
	}
	r = h.call(a.client, "POST", possessionPath(orgA, fp), map[string]any{"challenge": text, "signature": "not base64!"}).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[signature:base64]" {
		t.Fatalf("not base64 = %s", r.raw)
	}
	r = h.call(a.client, "POST", possessionPath(orgA, fp), map[string]any{}).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[challenge:required signature:required]" {
		t.Fatalf("empty = %s", r.raw)
	}
	if _, err := h.api.Apps.CertificateOwner(ctx, fp); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("the fingerprint lookup answers for an unproven certificate: %v", err)
	}

	// B uploads the same certificate: A's upload blocks nothing.
	h.call(b.client, "POST", "/api/organizations/"+orgB+"/certificates", map[string]any{"certificate": certPEM}).expect(t, 201, "")
	h.call(b.client, "POST", appB+"/certificates", map[string]any{"sha256Fingerprint": fp}).expect(t, 400, "VALIDATION_FAILED")
	// A challenge signed too late is refused: it lasts 15 minutes. A new one is shown then.
	text = h.certificateChallenge(b.client, orgB, fp)
	later := time.Now().UTC().Add(15*time.Minute + time.Second)
	h.api.Apps.Now = func() time.Time { return later }
	r = h.call(b.client, "POST", possessionPath(orgB, fp), map[string]any{"challenge": text, "signature": signChallenge(t, keyB, text, crypto.SHA256)}).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[challenge:expired]" || !strings.Contains(r.raw, "a challenge is valid for 15 minutes. Sign the new challenge shown with the certificate.") {
		t.Fatalf("expired = %s", r.raw)
	}
	old := text
	text = h.certificateChallenge(b.client, orgB, fp)
	h.api.Apps.Now = func() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }
	if text == old {
		t.Fatal("an expired challenge is still shown")
	}
	r = h.call(b.client, "POST", possessionPath(orgB, fp), map[string]any{"challenge": old, "signature": signChallenge(t, keyB, old, crypto.SHA256)}).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[challenge:replaced]" {
		t.Fatalf("replaced = %s", r.raw)
	}
	// B signs the new one with its RSA key (PKCS#1 v1.5).
	signature := signChallenge(t, keyB, text, crypto.SHA256)
	r = h.call(b.client, "POST", possessionPath(orgB, fp), map[string]any{"challenge": text, "signature": signature}).expect(t, 200, "")
	if proofMethod(r.body) != "signature" || r.body["possession"].(map[string]any)["by"] != b.email || r.body["request"] != nil {
		t.Fatalf("proven = %s", r.raw)
	}
	// The challenge is spent: sending it again is refused, and a proven certificate shows
	// no challenge.
	r = h.call(b.client, "POST", possessionPath(orgB, fp), map[string]any{"challenge": text, "signature": signature}).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.body["fields"]) != "[map[field:challenge message:This challenge was already used: each challenge proves possession once. rule:used]]" {
		t.Fatalf("reused = %s", r.raw)
	}
	if r := h.call(b.client, "GET", "/api/organizations/"+orgB+"/certificates", nil).expect(t, 200, ""); strings.Contains(r.raw, `"challenge"`) || proofMethod(r.body["certificates"].([]any)[0]) != "signature" {
		t.Fatalf("B's certificates = %s", r.raw)
	}
	h.call(b.client, "POST", appB+"/certificates", map[string]any{"sha256Fingerprint": fp}).expect(t, 200, "")
	if owner, err := h.api.Apps.CertificateOwner(ctx, fp); err != nil || owner.OrgID != orgB || "/api/organizations/"+orgB+"/apps/"+owner.AppID != appB {
		t.Fatalf("lookup = %+v, %v", owner, err)
	}
	// A still cannot use it.
	r = h.call(a.client, "POST", appA+"/certificates", map[string]any{"sha256Fingerprint": fp}).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[sha256Fingerprint:unproven]" {
		t.Fatalf("attach by A after B = %v", r.fields())
	}
	// Only the key's holder could prove it in A too (here B, as a member of A, with RSA-PSS);
	// even then the certificate keeps identifying B's app.
	h.call(b.client, "POST", "/api/organizations/join", map[string]any{"code": codeA}).expect(t, 200, "")
	h.proveCertificate(b.client, orgA, fp, keyB, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA256})
	r = h.call(a.client, "POST", appA+"/certificates", map[string]any{"sha256Fingerprint": fp}).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[sha256Fingerprint:attachedElsewhere]" {
		t.Fatalf("attach by A once proven = %v", r.fields())
	}
	r = h.call(b.client, "POST", possessionPath(orgA, strings.Repeat("0", 64)), map[string]any{"challenge": "x", "signature": "eA=="}).expect(t, 404, "NOT_FOUND")
	if !strings.Contains(fmt.Sprint(h.auditOf(orgB)), "certificate.possession_proven") {
		t.Fatalf("audit of B = %v", h.auditOf(orgB))
	}
}

// eidasPair issues a QWAC and a QSealC for identifier straight from the sandbox CA, as a
// TPP's own certificates (not through the portal), with their private keys.
func (h *harness) eidasPair(identifier string) (qwac, qseal string, qwacKey, qsealKey crypto.Signer) {
	h.t.Helper()
	ca, err := sandboxca.LoadOrCreate(h.caDir())
	if err != nil {
		h.t.Fatal(err)
	}
	issue := func(kind string) (string, crypto.Signer) {
		certPEM, keyPEM, err := ca.IssueEIDAS(sandboxca.EIDASRequest{Kind: kind, CommonName: "Real TPP", Organization: "Real TPP", Country: "BE",
			OrganizationIdentifier: identifier, Roles: []string{"PSP_AI", "PSP_PI"}, NCAName: "National Bank of Belgium", NCAID: "BE-NBB"})
		if err != nil {
			h.t.Fatal(err)
		}
		block, _ := pem.Decode([]byte(keyPEM))
		key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			h.t.Fatal(err)
		}
		return certPEM, key.(crypto.Signer)
	}
	qwac, qwacKey = issue(sandboxca.KindQWAC)
	qseal, qsealKey = issue(sandboxca.KindQSealC)
	return qwac, qseal, qwacKey, qsealKey
}

// certificateOf is the organization's eIDAS certificate of kind, from its view.
func certificateOf(org map[string]any, kind string) map[string]any {
	list, _ := org["certificates"].([]any)
	for _, c := range list {
		if c.(map[string]any)["kind"] == kind {
			return c.(map[string]any)
		}
	}
	return nil
}

// TestOnboardingHijack is the attack on onboarding: A submits the real TPP B's QWAC and
// QSealC, which are public, without their keys. A's organization stays a draft: nothing
// reaches operations and B's organizationIdentifier is not blocked. B onboards, proves
// possession of both keys by signing the challenges, and its request goes to operations.
func TestOnboardingHijack(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	a := h.person("hijacker")
	b := h.person("tpp-owner")
	identifier := "PSDBE-NBB-" + strings.ToUpper(testenv.Suffix())
	qwac, qseal, qwacKey, qsealKey := h.eidasPair(identifier)
	ops := h.ops()

	r := h.call(a.client, "POST", "/api/organizations", onboardingForm(qwac, qseal, "AIS")).expect(t, 202, "")
	draftA := r.body["organization"].(map[string]any)
	orgA := draftA["id"].(string)
	if draftA["status"] != "DRAFT" || r.body["request"] != nil || len(draftA["certificates"].([]any)) != 2 ||
		proofMethod(certificateOf(draftA, "qwac")) != "" || proofMethod(certificateOf(draftA, "qsealc")) != "" {
		t.Fatalf("A's onboarding = %s", r.raw)
	}
	fp := certificateOf(draftA, "qwac")["sha256Fingerprint"].(string)
	qsealFP := certificateOf(draftA, "qsealc")["sha256Fingerprint"].(string)
	// The draft comes with the challenges; A cannot sign them without the keys.
	text := h.checkChallenge(certificateOf(draftA, "qwac")["challenge"], fp)
	wrongKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	r = h.call(a.client, "POST", possessionPath(orgA, fp), map[string]any{"challenge": text, "signature": signChallenge(t, wrongKey, text, crypto.SHA256)}).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[signature:mismatch]" {
		t.Fatalf("A's proof = %s", r.raw)
	}
	h.call(a.client, "POST", possessionPath(orgA, strings.Repeat("0", 64)), map[string]any{"challenge": text, "signature": "eA=="}).expect(t, 404, "NOT_FOUND")
	// Nothing reached operations, and the identifier is free: A can even draft again.
	if _, err := h.orgStore.IdentifierHolder(ctx, "sandbox", identifier); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("a draft reserved the identifier: %v", err)
	}
	h.call(a.client, "POST", "/api/organizations", onboardingForm(qwac, qseal, "AIS")).expect(t, 202, "")
	if r := h.call(ops, "GET", "/api/ops/requests", nil).expect(t, 200, ""); strings.Contains(r.raw, orgA) {
		t.Fatalf("A's draft reached operations: %s", r.raw)
	}
	if r := h.call(ops, "GET", "/api/ops/organizations", nil).expect(t, 200, ""); strings.Contains(r.raw, orgA) {
		t.Fatalf("operations list A's draft: %s", r.raw)
	}

	// B onboards with the same certificates: not refused as a duplicate.
	r = h.call(b.client, "POST", "/api/organizations", onboardingForm(qwac, qseal, "AIS", "PIS")).expect(t, 202, "")
	orgB := r.body["organization"].(map[string]any)["id"].(string)
	if r.body["organization"].(map[string]any)["status"] != "DRAFT" || r.body["request"] != nil {
		t.Fatalf("B's onboarding = %s", r.raw)
	}
	// Only the draft's owner sees its challenges and proves it.
	if r := h.call(a.client, "GET", "/api/organizations/"+orgB, nil); r.status != 404 || strings.Contains(r.raw, "challenge") {
		t.Fatalf("A reads B's draft: %d %s", r.status, r.raw)
	}
	text, _ = h.onboardingChallenge(b.client, orgB, "qwac")
	h.call(a.client, "POST", possessionPath(orgB, fp), map[string]any{"challenge": text, "signature": signChallenge(t, qwacKey, text, crypto.SHA256)}).expect(t, 404, "NOT_FOUND")
	r = h.call(b.client, "POST", possessionPath(orgB, fp), map[string]any{"challenge": text, "signature": signChallenge(t, qwacKey, text, crypto.SHA256)}).expect(t, 200, "")
	if proofMethod(r.body) != "signature" || r.body["request"] != nil {
		t.Fatalf("B's first proof = %s", r.raw)
	}
	r = h.call(b.client, "GET", "/api/organizations/"+orgB, nil).expect(t, 200, "")
	if r.body["status"] != "DRAFT" || proofMethod(certificateOf(r.body, "qwac")) != "signature" || certificateOf(r.body, "qwac")["challenge"] != nil {
		t.Fatalf("B's draft after one proof = %s", r.raw)
	}
	// Its challenge is spent.
	r = h.call(b.client, "POST", possessionPath(orgB, fp), map[string]any{"challenge": text, "signature": signChallenge(t, qwacKey, text, crypto.SHA256)}).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[challenge:used]" {
		t.Fatalf("reused = %s", r.raw)
	}
	// The QSealC's challenge, signed too late, then its next one in time: the onboarding goes
	// to operations with the proof.
	text, _ = h.onboardingChallenge(b.client, orgB, "qsealc")
	later := time.Now().UTC().Add(16 * time.Minute)
	h.api.Orgs.Now = func() time.Time { return later }
	r = h.call(b.client, "POST", possessionPath(orgB, qsealFP), map[string]any{"challenge": text, "signature": signChallenge(t, qsealKey, text, crypto.SHA256)}).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[challenge:expired]" {
		t.Fatalf("expired = %s", r.raw)
	}
	text, _ = h.onboardingChallenge(b.client, orgB, "qsealc")
	h.api.Orgs.Now = func() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }
	r = h.call(b.client, "POST", possessionPath(orgB, qsealFP), map[string]any{"challenge": text, "signature": signChallenge(t, qsealKey, text, crypto.SHA256)}).expect(t, 200, "")
	request, _ := r.body["request"].(map[string]any)
	if proofMethod(r.body) != "signature" || request == nil || request["status"] != "PENDING" || request["kind"] != "ONBOARDING" {
		t.Fatalf("B's second proof = %s", r.raw)
	}
	requestID := request["id"].(string)
	if r := h.call(b.client, "GET", "/api/organizations/"+orgB, nil).expect(t, 200, ""); r.body["status"] != "PENDING_APPROVAL" {
		t.Fatalf("B's organization = %s", r.raw)
	}
	// Submitted, the onboarding takes no more proofs.
	h.call(b.client, "POST", possessionPath(orgB, qsealFP), map[string]any{"challenge": text, "signature": "eA=="}).expect(t, 409, "ORGANIZATION_NOT_ACTIVE")

	// Operations see how and when possession was proven, on the request and the organization.
	r = h.eventually(ops, "GET", "/api/ops/requests/"+requestID, nil, func(r response) bool { return r.status == 200 })
	form := r.body["request"].(map[string]any)["form"].(map[string]any)
	if form["qwacPossession"] != "signature" || form["qsealcPossession"] != "signature" || form["qwacPossessionAt"] == nil || form["qwacFingerprint"] != fp {
		t.Fatalf("request form = %v", form)
	}
	detail := r.body["organization"].(map[string]any)["organization"].(map[string]any)
	if proofMethod(certificateOf(detail, "qwac")) != "signature" || certificateOf(detail, "qsealc")["possession"].(map[string]any)["by"] != b.email {
		t.Fatalf("ops detail = %s", r.raw)
	}
	h.decide(ops, requestID, "approve", "Licence checked.").expect(t, 202, "")
	h.eventually(b.client, "GET", "/api/organizations/"+orgB, nil, func(r response) bool { return r.body["status"] == "ACTIVE" })

	// A's drafts stay drafts; A cannot take B's identifier.
	if r := h.call(a.client, "GET", "/api/organizations/"+orgA, nil).expect(t, 200, ""); r.body["status"] != "DRAFT" {
		t.Fatalf("A's draft = %s", r.raw)
	}
	r = h.call(a.client, "POST", "/api/organizations", onboardingForm(qwac, qseal, "AIS")).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[qwac:duplicate]" {
		t.Fatalf("A onboarding B's TPP after B = %v", r.fields())
	}
	if audit := fmt.Sprint(h.auditOf(orgB)); !strings.Contains(audit, "onboarding.possession_proven") || !strings.Contains(audit, "onboarding.drafted") || !strings.Contains(audit, "onboarding.submitted") {
		t.Fatalf("audit of B = %s", audit)
	}
}

// proveOnboarding proves possession of a draft onboarding's certificate of kind with key
// and returns the answer, whatever its status.
func (h *harness) proveOnboarding(c *http.Client, orgID, kind string, key crypto.Signer) response {
	h.t.Helper()
	text, fp := h.onboardingChallenge(c, orgID, kind)
	return h.call(c, "POST", possessionPath(orgID, fp), map[string]any{"challenge": text, "signature": signChallenge(h.t, key, text, crypto.SHA256)})
}

// TestOnboardingLastProofWhileIdentifierTaken: the proof of a draft's last certificate is
// refused, and nothing recorded, while another organization (with proven certificates of its
// own) holds the TPP's identifier; once that organization's onboarding is rejected, the
// proof goes through and submits the draft.
func TestOnboardingLastProofWhileIdentifierTaken(t *testing.T) {
	h := newHarness(t)
	b := h.person("draft-owner")
	c := h.person("first-comer")
	identifier := "PSDBE-NBB-" + strings.ToUpper(testenv.Suffix())
	qwac, qseal, qwacKey, qsealKey := h.eidasPair(identifier)
	r := h.call(b.client, "POST", "/api/organizations", onboardingForm(qwac, qseal, "AIS")).expect(t, 202, "")
	orgB := r.body["organization"].(map[string]any)["id"].(string)

	// C's certificates for the same identifier come from the portal: proven by issuance,
	// its onboarding goes to operations at once and holds the identifier.
	cQWAC, cQSeal := h.certificates(c.client, identifier, "AIS")
	r = h.call(c.client, "POST", "/api/organizations", onboardingForm(cQWAC, cQSeal, "AIS")).expect(t, 202, "")
	requestC := r.body["request"].(map[string]any)["id"].(string)

	h.proveOnboarding(b.client, orgB, "qwac", qwacKey).expect(t, 200, "")
	r = h.proveOnboarding(b.client, orgB, "qsealc", qsealKey).expect(t, 409, "IDENTIFIER_TAKEN")
	if r.body["message"] != "An organization with the identifier "+identifier+" is already onboarded, or waiting for approval, in the sandbox environment. Ask its owner to invite you instead." {
		t.Fatalf("refused last proof = %s", r.raw)
	}
	r = h.call(b.client, "GET", "/api/organizations/"+orgB, nil).expect(t, 200, "")
	if r.body["status"] != "DRAFT" || proofMethod(certificateOf(r.body, "qwac")) != "signature" || proofMethod(certificateOf(r.body, "qsealc")) != "" {
		t.Fatalf("draft after the refusal = %s", r.raw)
	}

	h.decide(h.ops(), requestC, "reject", "Not this company's licence.").expect(t, 202, "")
	// The workflow applies the rejection, which frees the identifier, a moment later.
	h.eventually(b.client, "GET", "/api/organizations/"+orgB, nil, func(response) bool {
		_, err := h.orgStore.IdentifierHolder(context.Background(), "sandbox", identifier)
		return errors.Is(err, apperr.ErrNotFound)
	})
	r = h.proveOnboarding(b.client, orgB, "qsealc", qsealKey).expect(t, 200, "")
	if r.body["request"].(map[string]any)["status"] != "PENDING" {
		t.Fatalf("last proof = %s", r.raw)
	}
	if holder, err := h.orgStore.IdentifierHolder(context.Background(), "sandbox", identifier); err != nil || holder != orgB {
		t.Fatalf("holder = %q, %v", holder, err)
	}
}

// TestUnprovenAttachmentGivesWay: a certificate attached before possession had to be
// proven (here organization A's copy of B's certificate, attached without a proof as the
// portal once allowed) gives way when B, having proven possession, selects it: A's app loses
// it, with its client lookup copies, the fingerprint lookup answers B, and A's audit trail
// says why.
func TestUnprovenAttachmentGivesWay(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	a := h.person("early-squatter")
	b := h.person("real-tpp")
	orgA, _ := h.activeOrg(a.client)
	orgB, _ := h.activeOrg(b.client)
	appA, clientA, _ := h.newApp(a.client, orgA, "Copycat")
	appB, _, _ := h.newApp(b.client, orgB, "Budget Buddy")
	certPEM, fp, keyB := h.rsaClientCertificate()

	// A's attachment, made as the portal made them before proofs: the attach writes
	// without their possession condition.
	h.call(a.client, "POST", "/api/organizations/"+orgA+"/certificates", map[string]any{"certificate": certPEM}).expect(t, 201, "")
	appIDA := path.Base(appA)
	app, err := h.orgStore.GetApp(ctx, orgA, appIDA)
	if err != nil {
		t.Fatal(err)
	}
	creds, _ := h.orgStore.ListCredentials(ctx, orgA, appIDA)
	cert, _ := h.orgStore.GetCertificate(ctx, orgA, fp)
	legacy, _ := h.orgStore.AttachWrites(cert, app)
	legacy[0].Update.ConditionExpression = aws.String("attribute_exists(PK) AND attribute_not_exists(appId)")
	after := app
	after.Fingerprints = []string{fp}
	if err := h.orgStore.UpdateApp(ctx, app, after, creds, org.AuditEntry{OrgID: orgA, At: time.Now().UTC(), ActorID: "x", Actor: a.email, Action: "certificate.attached"}, legacy...); err != nil {
		t.Fatal(err)
	}
	if owner, err := h.api.Apps.CertificateOwner(ctx, fp); err != nil || owner.OrgID != orgA {
		t.Fatalf("the legacy attachment = %+v, %v", owner, err)
	}

	// B uploads, proves and selects it: A's unproven attachment gives way.
	h.call(b.client, "POST", "/api/organizations/"+orgB+"/certificates", map[string]any{"certificate": certPEM}).expect(t, 201, "")
	h.proveCertificate(b.client, orgB, fp, keyB, crypto.SHA256)
	r := h.call(b.client, "POST", appB+"/certificates", map[string]any{"sha256Fingerprint": fp}).expect(t, 200, "")
	if r.body["appId"] != path.Base(appB) {
		t.Fatalf("attached = %s", r.raw)
	}
	if owner, err := h.api.Apps.CertificateOwner(ctx, fp); err != nil || owner.OrgID != orgB || owner.AppID != path.Base(appB) {
		t.Fatalf("lookup = %+v, %v", owner, err)
	}
	if r := h.call(a.client, "GET", appA, nil).expect(t, 200, ""); fmt.Sprint(r.body["app"].(map[string]any)["certificateFingerprints"]) != "[]" {
		t.Fatalf("A's app = %s", r.raw)
	}
	if client, err := h.orgStore.Client(ctx, clientA); err != nil || len(client.Access.Fingerprints) != 0 {
		t.Fatalf("A's client lookup = %+v, %v", client.Access, err)
	}
	if r := h.call(a.client, "GET", "/api/organizations/"+orgA+"/certificates", nil).expect(t, 200, ""); r.body["certificates"].([]any)[0].(map[string]any)["appId"] != nil {
		t.Fatalf("A's certificate = %s", r.raw)
	}
	if audit := fmt.Sprint(h.auditOf(orgA)); !strings.Contains(audit, "certificate.displaced") {
		t.Fatalf("audit of A = %s", audit)
	}
	// A, still without the key, cannot take it back.
	r = h.call(a.client, "POST", appA+"/certificates", map[string]any{"sha256Fingerprint": fp}).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[sha256Fingerprint:unproven]" {
		t.Fatalf("A again = %v", r.fields())
	}
}

// tlsCall posts body as JSON to path over a TLS connection made with cert, as a client of
// the TPP API's origin does: the harness's routes behind a TLS server that asks for a
// client certificate and checks the handshake's signature with its key.
func (h *harness) tlsCall(cert *tls.Certificate, path string, body any) response {
	h.t.Helper()
	if h.tlsSrv == nil {
		h.tlsSrv = httptest.NewUnstartedServer(h.mux)
		h.tlsSrv.TLS = &tls.Config{ClientAuth: tls.RequestClientCert}
		h.tlsSrv.StartTLS()
		h.t.Cleanup(h.tlsSrv.Close)
	}
	// A transport of its own per call: a connection is made with one certificate.
	tr := h.tlsSrv.Client().Transport.(*http.Transport).Clone()
	if cert != nil {
		tr.TLSClientConfig.Certificates = []tls.Certificate{*cert}
	}
	c := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	b, _ := json.Marshal(body)
	resp, err := c.Post(h.tlsSrv.URL+path, "application/json", bytes.NewReader(b))
	if err != nil {
		h.t.Fatal(err)
	}
	return readResponse(resp)
}

// TestCertificateSquattingByHandshake is the squatting attack against the other proof: A
// uploads B's public certificate, but can connect only with a certificate whose key it
// holds, which is not B's; B connects with its own and proves possession in its
// organization, credited to the member the challenge was shown to.
func TestCertificateSquattingByHandshake(t *testing.T) {
	h := newHarness(t)
	a := h.person("squatter")
	b := h.person("real-tpp")
	orgA, _ := h.activeOrg(a.client)
	orgB, _ := h.activeOrg(b.client)
	certPEM, fp, keyB := h.rsaClientCertificate()
	block, _ := pem.Decode([]byte(certPEM))
	real := tls.Certificate{Certificate: [][]byte{block.Bytes}, PrivateKey: keyB}
	ownPEM, _, keyA := h.rsaClientCertificate()
	block, _ = pem.Decode([]byte(ownPEM))
	own := tls.Certificate{Certificate: [][]byte{block.Bytes}, PrivateKey: keyA}

	r := h.call(a.client, "POST", "/api/organizations/"+orgA+"/certificates", map[string]any{"certificate": certPEM}).expect(t, 201, "")
	textA := h.checkChallenge(r.body["challenge"], fp)
	handshake, _ := r.body["challenge"].(map[string]any)["handshake"].(map[string]any)
	if want := h.cfg.TPPURL + "/certificate-check"; handshake["url"] != want || !strings.Contains(fmt.Sprint(handshake["command"]), `-d '{"challenge":"`+textA+`"}' `+want) {
		t.Fatalf("handshake = %v", handshake)
	}
	// A's own certificate is not the one its challenge is for; without one, nothing is read.
	r = h.tlsCall(&own, "/certificate-check", map[string]any{"challenge": textA}).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[challenge:otherCertificate]" {
		t.Fatalf("A's own certificate = %s", r.raw)
	}
	h.tlsCall(nil, "/certificate-check", map[string]any{"challenge": textA}).expect(t, 401, "CERTIFICATE_MISSING")
	// Nor is the route on the portal's origin.
	h.call(a.client, "POST", "/certificate-check", map[string]any{"challenge": textA}).expect(t, 401, "CERTIFICATE_MISSING")

	h.call(b.client, "POST", "/api/organizations/"+orgB+"/certificates", map[string]any{"certificate": certPEM}).expect(t, 201, "")
	textB := h.certificateChallenge(b.client, orgB, fp)
	// B connects with its certificate, sending its own organization's challenge.
	r = h.tlsCall(&real, "/certificate-check", map[string]any{"challenge": textB}).expect(t, 200, "")
	if proofMethod(r.body) != "handshake" || r.body["possession"].(map[string]any)["by"] != b.email || r.body["sha256Fingerprint"] != fp {
		t.Fatalf("B's proof = %s", r.raw)
	}
	if r := h.call(b.client, "GET", "/api/organizations/"+orgB+"/certificates", nil).expect(t, 200, ""); proofMethod(r.body["certificates"].([]any)[0]) != "handshake" {
		t.Fatalf("B's certificates = %s", r.raw)
	}
	if r := h.call(a.client, "GET", "/api/organizations/"+orgA+"/certificates", nil).expect(t, 200, ""); proofMethod(r.body["certificates"].([]any)[0]) != "" {
		t.Fatalf("A's certificates = %s", r.raw)
	}
	if !strings.Contains(fmt.Sprint(h.auditOf(orgB)), "certificate.possession_proven") {
		t.Fatalf("audit of B = %v", h.auditOf(orgB))
	}
}
