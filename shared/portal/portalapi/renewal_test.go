package portalapi_test

import (
	"crypto"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bank/devportal/shared/trust/sandboxca"
)

// renewalPath is where an organization renews its eIDAS certificates.
func renewalPath(orgID string) string {
	return "/api/organizations/" + orgID + "/eidas-certificates/renewal"
}

// auditActions are the organization's audit entries of certificate renewals as "action by
// actor", sorted (entries of one moment have no order).
func (h *harness) auditActions(owner person, orgID string) []string {
	h.t.Helper()
	r := h.call(owner.client, "GET", "/api/organizations/"+orgID+"/audit", nil).expect(h.t, 200, "")
	var out []string
	for _, e := range r.body["entries"].([]any) {
		m := e.(map[string]any)
		if strings.HasPrefix(m["action"].(string), "certificate_renewal.") {
			out = append(out, m["action"].(string)+" by "+m["actor"].(string))
		}
	}
	slices.Sort(out)
	return out
}

// TestCertificateRenewal: in the sandbox an owner renews the organization's certificates
// with new ones of the same organization, proving possession of each new key, and they
// are in force at once; refused renewals and refused proofs change nothing.
func TestCertificateRenewal(t *testing.T) {
	h := newHarness(t)
	owner := h.person("owner")
	orgID, code := h.activeOrg(owner.client) // certificates with PSP_AI and PSP_PI, service AIS
	g := h.call(owner.client, "GET", "/api/organizations/"+orgID, nil).expect(t, 200, "").body
	ident := g["organizationIdentifier"].(string)
	oldQWAC := certificateOf(g, "qwac")["sha256Fingerprint"].(string)
	oldQSeal := certificateOf(g, "qsealc")["sha256Fingerprint"].(string)
	path := renewalPath(orgID)

	dev := h.person("developer")
	h.call(dev.client, "POST", "/api/organizations/join", map[string]any{"code": code}).expect(t, 200, "")
	h.call(dev.client, "POST", path, map[string]any{"qwac": "x"}).expect(t, 403, "FORBIDDEN")

	otherOrg, _ := h.issueQWAC("PSDBE-NBB-9999999999", 90*24*time.Hour)
	r := h.refused(owner.client, "POST", path, map[string]any{"qwac": otherOrg}, "[qwac:organizationIdentifierChanged]")
	if got, want := r.message("organizationIdentifierChanged"), "Your new QWAC belongs to the organization PSDBE-NBB-9999999999, but this organization is "+ident+
		". A renewed certificate carries the same organizationIdentifier; a certificate of another organization is onboarded as an organization of its own."; got != want {
		t.Fatalf("message %q\nwant %q", got, want)
	}
	expiredAt := time.Now().AddDate(0, 0, -3).UTC().Truncate(time.Second)
	expired, _ := h.issueEIDAS(sandboxca.EIDASRequest{Kind: sandboxca.KindQWAC, CommonName: "tpp", Organization: "Real TPP", Country: "BE", OrganizationIdentifier: ident,
		Roles: []string{"PSP_AI"}, NCAName: "National Bank of Belgium", NCAID: "BE-NBB", NotBefore: expiredAt.AddDate(-1, 0, 0), NotAfter: expiredAt})
	r = h.refused(owner.client, "POST", path, map[string]any{"qwac": expired}, "[qwac:expired]")
	if got, want := r.message("expired"), "Your QWAC expired on "+expiredAt.Format("2006-01-02")+" (UTC). Upload a certificate that is valid today."; got != want {
		t.Fatalf("message %q\nwant %q", got, want)
	}
	h.refused(owner.client, "POST", path, map[string]any{}, "[qwac:required]")
	// A renewal adds no role: the QWAC's roles decide which products the organization may use.
	wider, _ := h.issueEIDAS(sandboxca.EIDASRequest{Kind: sandboxca.KindQWAC, CommonName: "tpp", Organization: "Real TPP", Country: "BE", OrganizationIdentifier: ident,
		Roles: []string{"PSP_AI", "PSP_PI", "PSP_IC"}, NCAName: "National Bank of Belgium", NCAID: "BE-NBB"})
	h.refused(owner.client, "POST", path, map[string]any{"qwac": wider}, "[qwac:roleAdded]")

	// The TPP's own new certificates (not the portal's): nothing changes in force until
	// both keys are proven.
	qwac, qseal, qwacKey, qsealKey := h.eidasPair(ident)
	r = h.call(owner.client, "POST", path, map[string]any{"qwac": qwac, "qsealc": qseal}).expect(t, 200, "")
	renewal := r.body["organization"].(map[string]any)["renewal"].(map[string]any)
	if r.body["applied"] != false || r.body["request"] != nil || len(renewal["certificates"].([]any)) != 2 {
		t.Fatalf("renewal = %s", r.raw)
	}
	newQWAC := certificateOf(renewal, "qwac")["sha256Fingerprint"].(string)
	newQSeal := certificateOf(renewal, "qsealc")["sha256Fingerprint"].(string)
	qwacChallenge := h.checkChallenge(certificateOf(renewal, "qwac")["challenge"], newQWAC)
	qsealChallenge := h.checkChallenge(certificateOf(renewal, "qsealc")["challenge"], newQSeal)
	inForce := func() (string, string) {
		g := h.call(owner.client, "GET", "/api/organizations/"+orgID, nil).expect(t, 200, "").body
		return certificateOf(g, "qwac")["sha256Fingerprint"].(string), certificateOf(g, "qsealc")["sha256Fingerprint"].(string)
	}
	if q, s := inForce(); q != oldQWAC || s != oldQSeal {
		t.Fatalf("unproven renewal put certificates in force: %s %s", q, s)
	}
	// A signature with the other key is refused, and nothing recorded.
	h.refused(owner.client, "POST", possessionPath(orgID, newQWAC), map[string]any{"challenge": qwacChallenge, "signature": signChallenge(t, qsealKey, qwacChallenge, crypto.SHA256)},
		"[signature:mismatch]")
	r = h.call(owner.client, "POST", possessionPath(orgID, newQWAC), map[string]any{"challenge": qwacChallenge, "signature": signChallenge(t, qwacKey, qwacChallenge, crypto.SHA256)}).expect(t, 200, "")
	if proofMethod(r.body) != "signature" || r.body["request"] != nil {
		t.Fatalf("first proof = %s", r.raw)
	}
	if q, s := inForce(); q != oldQWAC || s != oldQSeal {
		t.Fatalf("half-proven renewal put certificates in force: %s %s", q, s)
	}
	h.call(owner.client, "POST", possessionPath(orgID, newQSeal), map[string]any{"challenge": qsealChallenge, "signature": signChallenge(t, qsealKey, qsealChallenge, crypto.SHA256)}).expect(t, 200, "")
	g = h.call(owner.client, "GET", "/api/organizations/"+orgID, nil).expect(t, 200, "").body
	if certificateOf(g, "qwac")["sha256Fingerprint"] != newQWAC || certificateOf(g, "qsealc")["sha256Fingerprint"] != newQSeal ||
		proofMethod(certificateOf(g, "qwac")) != "signature" || g["renewal"] != nil {
		t.Fatalf("after both proofs = %v", g)
	}

	// A certificate the portal issued to the owner is proven by issuance: in force at once.
	issued, _ := h.certificates(owner.client, ident, "AIS")
	r = h.call(owner.client, "POST", path, map[string]any{"qwac": issued}).expect(t, 200, "")
	if r.body["applied"] != true || certificateOf(r.body["organization"].(map[string]any), "qwac")["sha256Fingerprint"] == newQWAC {
		t.Fatalf("renewal by issuance = %s", r.raw)
	}
	if q, s := inForce(); q == newQWAC || s != newQSeal {
		t.Fatalf("after renewal by issuance: %s %s", q, s)
	}
	want := []string{"certificate_renewal.applied by " + owner.email, "certificate_renewal.applied by " + owner.email,
		"certificate_renewal.possession_proven by " + owner.email, "certificate_renewal.possession_proven by " + owner.email, "certificate_renewal.started by " + owner.email}
	if got := h.auditActions(owner, orgID); !slices.Equal(got, want) {
		t.Fatalf("audit = %v\nwant %v", got, want)
	}
}

// TestCertificateRenewalInProduction: a production renewal waits for operations, who see
// the old and new certificates; the old ones stay in force until the approval, and a
// rejection leaves them.
func TestCertificateRenewalInProduction(t *testing.T) {
	h := newHarness(t, withLiveTruststore)
	owner := h.person("owner")
	orgID := h.productionOrg(owner.client, "AIS", "PIS")
	g := h.call(owner.client, "GET", "/api/organizations/"+orgID, nil).expect(t, 200, "").body
	ident := g["organizationIdentifier"].(string)
	oldQWAC := certificateOf(g, "qwac")["sha256Fingerprint"].(string)
	path := renewalPath(orgID)

	qwac, _ := h.certificates(owner.client, ident, "AIS", "PIS")
	r := h.call(owner.client, "POST", path, map[string]any{"qwac": qwac}).expect(t, 200, "")
	req, _ := r.body["request"].(map[string]any)
	if r.body["applied"] != false || req == nil || req["kind"] != "CERTIFICATE_RENEWAL" || req["status"] != "PENDING" ||
		req["summary"] != "Renew the QWAC of Acme Payments ("+ident+")" {
		t.Fatalf("production renewal = %s", r.raw)
	}
	requestID := req["id"].(string)
	newQWAC := certificateOf(r.body["organization"].(map[string]any)["renewal"].(map[string]any), "qwac")["sha256Fingerprint"].(string)
	h.call(owner.client, "POST", path, map[string]any{"qwac": qwac}).expect(t, 409, "REQUEST_PENDING")

	r = h.call(h.ops(), "GET", "/api/ops/requests/"+requestID, nil).expect(t, 200, "")
	var renewal []struct {
		Kind    string
		Current struct {
			Certificate struct{ SHA256Fingerprint string }
			Trust       map[string]any
		}
		Renewal struct {
			Certificate struct{ SHA256Fingerprint string }
			Trust       map[string]any
		}
	}
	raw, _ := json.Marshal(r.body["renewal"])
	if err := json.Unmarshal(raw, &renewal); err != nil || len(renewal) != 1 || renewal[0].Kind != "qwac" ||
		renewal[0].Current.Certificate.SHA256Fingerprint != oldQWAC || renewal[0].Renewal.Certificate.SHA256Fingerprint != newQWAC ||
		renewal[0].Renewal.Trust["store"] != "eidas" || renewal[0].Current.Trust["trusted"] != true {
		t.Fatalf("ops request renewal = %s", raw)
	}
	if got := certificateOf(h.call(owner.client, "GET", "/api/organizations/"+orgID, nil).body, "qwac")["sha256Fingerprint"]; got != oldQWAC {
		t.Fatalf("waiting renewal put the QWAC in force: %v", got)
	}
	h.approveTwice(requestID, "Certificate checked.", "Checked again.")
	h.eventually(owner.client, "GET", "/api/organizations/"+orgID, nil, func(r response) bool {
		return certificateOf(r.body, "qwac")["sha256Fingerprint"] == newQWAC && r.body["renewal"] == nil
	})

	// Rejected: the certificate approved stays.
	again, _ := h.certificates(owner.client, ident, "AIS", "PIS")
	r = h.call(owner.client, "POST", path, map[string]any{"qwac": again}).expect(t, 200, "")
	h.decide(h.ops(), r.body["request"].(map[string]any)["id"].(string), "reject", "Wrong certificate.").expect(t, 202, "")
	g = h.eventually(owner.client, "GET", "/api/organizations/"+orgID, nil, func(r response) bool { return r.body["renewal"] == nil }).body
	if certificateOf(g, "qwac")["sha256Fingerprint"] != newQWAC {
		t.Fatalf("rejected renewal changed the QWAC: %v", g)
	}
	got := h.auditActions(owner, orgID)
	want := []string{"certificate_renewal.approved by Bank operations", "certificate_renewal.rejected by Bank operations",
		"certificate_renewal.submitted by " + owner.email, "certificate_renewal.submitted by " + owner.email}
	if !slices.Equal(got, want) {
		t.Fatalf("audit = %v\nwant %v", got, want)
	}
}
