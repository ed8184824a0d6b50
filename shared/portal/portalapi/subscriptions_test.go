package portalapi_test

import (
	"context"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/portal/lookup/lookupdb"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/portal/wiring"
	"github.com/bank/devportal/shared/portal/workflow"
	"github.com/bank/devportal/shared/tpp/callercheck"
	"github.com/bank/devportal/shared/trust/sandboxca"
)

// withLiveTruststore lets the harness onboard production organizations: the sandbox CA
// stands in for the live truststore, as in the local stack.
func withLiveTruststore(c *config.Config) {
	if _, err := sandboxca.LoadOrCreate(c.SandboxCADir); err != nil {
		panic(err)
	}
	c.TruststoreFile = filepath.Join(c.SandboxCADir, "ca.pem")
}

// productionOrg onboards an active production organization owned by owner.
func (h *harness) productionOrg(owner *http.Client, roles ...string) string {
	h.t.Helper()
	qwac, qseal := h.certificates(owner, "PSDBE-NBB-"+strings.ToUpper(testenv.Suffix()), roles...)
	form := onboardingForm(qwac, qseal, "AIS")
	form["environment"] = "production"
	r := h.call(owner, "POST", "/api/organizations", form).expect(h.t, 202, "")
	orgID := r.body["organization"].(map[string]any)["id"].(string)
	h.approveTwice(r.body["request"].(map[string]any)["id"].(string), "Licence checked.", "Checked again.")
	h.eventually(owner, "GET", "/api/organizations/"+orgID, nil, func(r response) bool { return r.body["status"] == "ACTIVE" })
	return orgID
}

// liveApp takes a new sandbox app live into prodOrg, operations approving both steps, and
// returns the production app's path. Its redirect URI is https://live.example/start.
func (h *harness) liveApp(c *http.Client, sandboxOrg, prodOrg string) string {
	h.t.Helper()
	appPath, _, _ := h.newApp(c, sandboxOrg, "Live app")
	cert := h.uploadCertificate(c, prodOrg, 90*24*time.Hour)
	r := h.call(c, "POST", appPath+"/go-live", map[string]any{"productionOrganizationId": prodOrg, "redirectUris": []string{"https://live.example/start"}, "certificate": cert}).expect(h.t, 202, "")
	h.approveTwice(r.body["id"].(string), "Reviewed.", "Contract signed.")
	r = h.eventually(c, "GET", appPath, nil, func(r response) bool {
		g, _ := r.body["app"].(map[string]any)["goLive"].(map[string]any)
		return g != nil && g["status"] == "APPROVED"
	})
	return "/api/organizations/" + prodOrg + "/apps/" + r.body["app"].(map[string]any)["goLive"].(map[string]any)["productionAppId"].(string)
}

// newApp registers a sandbox app and returns its path, client ID and secret.
func (h *harness) newApp(c *http.Client, orgID, name string) (path, clientID, secret string) {
	h.t.Helper()
	r := h.call(c, "POST", "/api/organizations/"+orgID+"/apps", map[string]any{"name": name}).expect(h.t, 201, "")
	cred := r.body["credential"].(map[string]any)
	return "/api/organizations/" + orgID + "/apps/" + r.body["app"].(map[string]any)["id"].(string), cred["clientId"].(string), cred["secret"].(string)
}

// uploadCertificate issues an mTLS client certificate valid for validity, uploads it and
// proves possession of its key (an EC key) by signing the challenge. For a production
// organization it is what production wants: a QWAC of the organization's
// organizationIdentifier from a CA of the eIDAS truststore (here the sandbox CA, see
// withLiveTruststore); in the sandbox a plain client certificate.
func (h *harness) uploadCertificate(c *http.Client, orgID string, validity time.Duration) string {
	h.t.Helper()
	pemText, key := h.clientCertificate(validity)
	if g := h.call(c, "GET", "/api/organizations/"+orgID, nil).expect(h.t, 200, ""); g.body["environment"] == "production" {
		pemText, key = h.issueQWAC(g.body["organizationIdentifier"].(string), validity)
	}
	r := h.call(c, "POST", "/api/organizations/"+orgID+"/certificates", map[string]any{"certificate": pemText}).expect(h.t, 201, "")
	fp := r.body["sha256Fingerprint"].(string)
	if r.body["possession"] != nil {
		h.t.Fatalf("a certificate the portal did not issue came proven: %s", r.raw)
	}
	h.proveCertificate(c, orgID, fp, key, crypto.SHA256)
	return fp
}

// sandboxCA is the harness's sandbox CA (also its eIDAS truststore with withLiveTruststore).
func (h *harness) sandboxCA() *sandboxca.CA {
	h.t.Helper()
	ca, err := sandboxca.LoadOrCreate(h.caDir())
	if err != nil {
		h.t.Fatal(err)
	}
	return ca
}

// clientCertificate is a plain mTLS client certificate of the sandbox CA: no
// organizationIdentifier, no qcStatements.
func (h *harness) clientCertificate(validity time.Duration) (string, crypto.Signer) {
	h.t.Helper()
	cert, err := h.sandboxCA().ClientCertificate(pkix.Name{CommonName: "tpp-client-" + testenv.Suffix(), Organization: []string{"Acme Payments"}}, validity)
	if err != nil {
		h.t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Leaf.Raw})), cert.PrivateKey.(crypto.Signer)
}

// issueQWAC is a QWAC of organizationIdentifier from the sandbox CA, valid for validity,
// issued outside the portal (so its possession is still to prove), with its key.
func (h *harness) issueQWAC(organizationIdentifier string, validity time.Duration) (string, crypto.Signer) {
	h.t.Helper()
	return h.issueEIDAS(sandboxca.EIDASRequest{Kind: sandboxca.KindQWAC, CommonName: "tpp-client-" + testenv.Suffix(), Organization: "Acme Payments", Country: "BE",
		OrganizationIdentifier: organizationIdentifier, Roles: []string{"PSP_AI", "PSP_PI"}, NCAName: "National Bank of Belgium", NCAID: "BE-NBB",
		NotAfter: time.Now().Add(validity)})
}

func (h *harness) issueEIDAS(req sandboxca.EIDASRequest) (string, crypto.Signer) {
	h.t.Helper()
	certPEM, keyPEM, err := h.sandboxCA().IssueEIDAS(req)
	if err != nil {
		h.t.Fatal(err)
	}
	b, _ := pem.Decode([]byte(keyPEM))
	key, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		h.t.Fatal(err)
	}
	return certPEM, key.(crypto.Signer)
}

func (h *harness) caDir() string { return h.cfg.SandboxCADir }

func subscriptionStatus(r response, product string) string {
	for _, s := range r.body["subscriptions"].([]any) {
		if s.(map[string]any)["productId"] == product {
			return s.(map[string]any)["status"].(string)
		}
	}
	return ""
}

func TestSubscriptions(t *testing.T) {
	h := newHarness(t)
	owner := h.person("owner")
	orgID, code := h.activeOrg(owner.client) // QWAC roles PSP_AI and PSP_PI
	viewer := h.person("viewer")
	h.call(viewer.client, "POST", "/api/organizations/join", map[string]any{"code": code}).expect(t, 200, "")
	h.call(owner.client, "PATCH", "/api/organizations/"+orgID+"/members/"+viewer.id, map[string]any{"role": "VIEWER"}).expect(t, 200, "")
	appPath, clientID, _ := h.newApp(owner.client, orgID, "Budget Buddy")
	subs := appPath + "/subscriptions"

	r := h.call(viewer.client, "GET", "/api/products", nil).expect(t, 200, "")
	var ids []string
	for _, p := range r.body["products"].([]any) {
		ids = append(ids, p.(map[string]any)["id"].(string))
	}
	if fmt.Sprint(ids) != "[oauth2 ais pis cof pay-later]" {
		t.Fatalf("catalog = %v", ids)
	}

	// Every app starts subscribed to the authorization server, which stays.
	r = h.call(viewer.client, "GET", subs, nil).expect(t, 200, "")
	if len(r.body["subscriptions"].([]any)) != 1 || subscriptionStatus(r, "oauth2") != "ACTIVE" {
		t.Fatalf("initial subscriptions = %s", r.raw)
	}
	h.call(owner.client, "DELETE", subs+"/oauth2", nil).expect(t, 409, "MANDATORY_PRODUCT")

	// Bad input: a field error each, and nothing changes.
	for _, c := range []struct {
		body   map[string]any
		fields string
	}{
		{map[string]any{"productId": "", "planId": ""}, "[productId:required planId:required]"},
		{map[string]any{"productId": "crypto", "planId": "sandbox"}, "[productId:unknown]"},
		{map[string]any{"productId": "ais", "planId": "gold"}, "[planId:unknown]"},
		{map[string]any{"productId": "ais", "planId": "production"}, "[planId:environment]"},
		{map[string]any{"productId": "cof", "planId": "sandbox"}, "[productId:roleMissing]"},
		{map[string]any{"productId": "oauth2", "planId": "sandbox"}, "[productId:duplicate]"},
	} {
		r = h.call(owner.client, "POST", subs, c.body).expect(t, 400, "VALIDATION_FAILED")
		if fmt.Sprint(r.fields()) != c.fields {
			t.Errorf("%v: fields = %v", c.body, r.fields())
		}
	}
	if r := h.call(owner.client, "GET", subs, nil).expect(t, 200, ""); len(r.body["subscriptions"].([]any)) != 1 {
		t.Fatalf("refused subscriptions changed something: %s", r.raw)
	}
	r = h.call(owner.client, "POST", subs, map[string]any{"productId": "cof", "planId": "sandbox"}).expect(t, 400, "VALIDATION_FAILED")
	if msg := r.body["fields"].([]any)[0].(map[string]any)["message"].(string); !strings.Contains(msg, "PSP_IC") {
		t.Fatalf("the refusal does not name the missing role: %s", msg)
	}
	h.call(viewer.client, "POST", subs, map[string]any{"productId": "ais", "planId": "sandbox"}).expect(t, 403, "FORBIDDEN")

	// PSD2 products the roles cover are active at once; the premium one waits.
	r = h.call(owner.client, "POST", subs, map[string]any{"productId": "ais", "planId": "sandbox"}).expect(t, 201, "")
	if r.body["status"] != "ACTIVE" {
		t.Fatalf("AIS = %s", r.raw)
	}
	r = h.call(owner.client, "POST", subs, map[string]any{"productId": "pay-later", "planId": "sandbox"}).expect(t, 201, "")
	if r.body["status"] != "PENDING" || r.body["requestId"] == "" {
		t.Fatalf("premium = %s", r.raw)
	}
	premiumRequest := r.body["requestId"].(string)
	r = h.call(owner.client, "POST", subs, map[string]any{"productId": "pay-later", "planId": "sandbox"}).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[productId:duplicate]" {
		t.Fatalf("fields = %v", r.fields())
	}
	h.call(owner.client, "DELETE", subs+"/pay-later", nil).expect(t, 409, "SUBSCRIPTION_PENDING")
	h.call(owner.client, "DELETE", appPath, nil).expect(t, 409, "REQUEST_PENDING")

	// The TPP API's view, one read by client ID: AIS and the authorization server only.
	client, err := h.api.Apps.LookupClient(context.Background(), clientID)
	if err != nil || fmt.Sprint(client.Access.Products) != "map[ais:sandbox oauth2:sandbox]" || client.Access.OrgID != orgID || client.Access.Environment != "sandbox" {
		t.Fatalf("lookup = %+v, %v", client, err)
	}

	// Operations approve the premium subscription: active, with its history.
	ops := h.ops()
	r = h.call(ops, "GET", "/api/ops/requests/"+premiumRequest, nil).expect(t, 200, "")
	if r.body["request"].(map[string]any)["kind"] != "SUBSCRIPTION" {
		t.Fatalf("request = %s", r.raw)
	}
	h.decide(ops, premiumRequest, "approve", "Contract on file").expect(t, 202, "")
	r = h.eventually(owner.client, "GET", subs, nil, func(r response) bool { return subscriptionStatus(r, "pay-later") == "ACTIVE" })
	h.waitMail(func(m string) bool {
		return strings.Contains(m, owner.email) && strings.Contains(m, "Pay Later (premium) is active")
	}, "the approval email")
	for _, s := range r.body["subscriptions"].([]any) {
		if s := s.(map[string]any); s["productId"] == "pay-later" {
			var actions []string
			for _, e := range s["history"].([]any) {
				actions = append(actions, e.(map[string]any)["action"].(string))
			}
			if fmt.Sprint(actions) != "[requested approved]" {
				t.Fatalf("history = %v", actions)
			}
		}
	}
	client, _ = h.api.Apps.LookupClient(context.Background(), clientID)
	if fmt.Sprint(client.Access.Products) != "map[ais:sandbox oauth2:sandbox pay-later:sandbox]" {
		t.Fatalf("after approval the lookup says %v", client.Access.Products)
	}

	// Unsubscribe (the trash icon): gone from the list and from the lookup.
	h.call(viewer.client, "DELETE", subs+"/ais", nil).expect(t, 403, "FORBIDDEN")
	h.call(owner.client, "DELETE", subs+"/ais", nil).expect(t, 204, "")
	h.call(owner.client, "DELETE", subs+"/ais", nil).expect(t, 404, "NOT_FOUND")
	client, _ = h.api.Apps.LookupClient(context.Background(), clientID)
	if fmt.Sprint(client.Access.Products) != "map[oauth2:sandbox pay-later:sandbox]" {
		t.Fatalf("after unsubscribing the lookup says %v", client.Access.Products)
	}

	// A rejected premium subscription shows the reason and can be asked for again.
	app2, _, _ := h.newApp(owner.client, orgID, "Second app")
	r = h.call(owner.client, "POST", app2+"/subscriptions", map[string]any{"productId": "pay-later", "planId": "sandbox"}).expect(t, 201, "")
	h.decide(ops, r.body["requestId"].(string), "reject", "No merchant agreement yet").expect(t, 202, "")
	r = h.eventually(owner.client, "GET", app2+"/subscriptions", nil, func(r response) bool { return subscriptionStatus(r, "pay-later") == "REJECTED" })
	if !strings.Contains(r.raw, "No merchant agreement yet") {
		t.Fatalf("rejection = %s", r.raw)
	}
	r = h.call(owner.client, "POST", app2+"/subscriptions", map[string]any{"productId": "pay-later", "planId": "sandbox"}).expect(t, 201, "")
	if r.body["status"] != "PENDING" || len(r.body["history"].([]any)) != 1 {
		t.Fatalf("asked again = %s", r.raw)
	}
}

func TestSubscriptionExpires(t *testing.T) {
	h := newHarness(t, func(c *config.Config) { c.DecisionTimeout = 2 * time.Second })
	owner := h.activeUser("owner-" + testenv.Suffix() + "@example.com")
	// The organization's own onboarding must be approved within the short timeout too.
	orgID, _ := h.activeOrg(owner)
	appPath, _, _ := h.newApp(owner, orgID, "Slow app")
	h.call(owner, "POST", appPath+"/subscriptions", map[string]any{"productId": "pay-later", "planId": "sandbox"}).expect(t, 201, "")
	r := h.eventually(owner, "GET", appPath+"/subscriptions", nil, func(r response) bool { return subscriptionStatus(r, "pay-later") == "REJECTED" })
	if !strings.Contains(r.raw, "Nobody decided the request in time") {
		t.Fatalf("expired = %s", r.raw)
	}
}

func TestGoLive(t *testing.T) {
	h := newHarness(t, withLiveTruststore)
	owner := h.person("owner")
	sandboxOrg, _ := h.activeOrg(owner.client)
	prodOrg := h.productionOrg(owner.client, "AIS", "PIS")
	appPath, _, _ := h.newApp(owner.client, sandboxOrg, "Budget Buddy")
	h.call(owner.client, "POST", appPath+"/subscriptions", map[string]any{"productId": "ais", "planId": "sandbox"}).expect(t, 201, "")
	prodCert := h.uploadCertificate(owner.client, prodOrg, 90*24*time.Hour)
	sandboxCert := h.uploadCertificate(owner.client, sandboxOrg, 90*24*time.Hour)
	goLive := appPath + "/go-live"

	for _, c := range []struct {
		body   map[string]any
		fields string
	}{
		{map[string]any{"productionOrganizationId": prodOrg}, "[redirectUris:required certificate:required]"},
		{map[string]any{"productionOrganizationId": prodOrg, "redirectUris": []string{"http://budget.example/cb", "https://budget.example/cb#x", "https://*.budget.example/cb", "http://localhost/cb"}, "certificate": prodCert},
			"[redirectUris[0]:https redirectUris[1]:fragment redirectUris[2]:wildcard redirectUris[3]:https]"},
		{map[string]any{"productionOrganizationId": prodOrg, "redirectUris": []string{"https://budget.example/cb", "https://budget.example\u3002evil/cb", "https://192.168.0.10/cb", "https://budget.example:0/cb", "https://0x7f.1/cb", "https://b\u00fccher.example/cb"}, "certificate": prodCert},
			"[redirectUris[1]:confusable redirectUris[2]:public_host redirectUris[3]:port redirectUris[4]:confusable redirectUris[5]:idna]"},
		{map[string]any{"productionOrganizationId": sandboxOrg, "redirectUris": []string{"https://budget.example/cb"}, "certificate": prodCert}, "[productionOrganizationId:environment]"},
		{map[string]any{"productionOrganizationId": "nope", "redirectUris": []string{"https://budget.example/cb"}, "certificate": prodCert}, "[productionOrganizationId:unknown]"},
		{map[string]any{"productionOrganizationId": prodOrg, "redirectUris": []string{"https://budget.example/cb"}, "certificate": sandboxCert}, "[certificate:unknown]"},
	} {
		r := h.call(owner.client, "POST", goLive, c.body).expect(t, 400, "VALIDATION_FAILED")
		if fmt.Sprint(r.fields()) != c.fields {
			t.Errorf("%v: fields = %v", c.body, r.fields())
		}
	}
	if r := h.call(owner.client, "GET", appPath, nil).expect(t, 200, ""); r.body["app"].(map[string]any)["goLive"] != nil {
		t.Fatalf("a refused request changed the app: %s", r.raw)
	}

	// The sandbox app was tried with FAPI 2.0: the production app keeps it.
	h.call(owner.client, "PUT", appPath+"/oauth-settings", map[string]any{"fapi": true}).expect(t, 200, "")

	form := map[string]any{"productionOrganizationId": prodOrg, "redirectUris": []string{"https://budget.example/cb"}, "certificate": prodCert}
	r := h.call(owner.client, "POST", goLive, form).expect(t, 202, "")
	requestID := r.body["id"].(string)
	if fmt.Sprint(r.body["steps"]) != "[Review Contract signed]" || r.body["step"] != float64(0) {
		t.Fatalf("request = %s", r.raw)
	}
	h.call(owner.client, "POST", goLive, form).expect(t, 409, "REQUEST_PENDING")

	// Two operations decisions: the review, then the signed contract.
	ops := h.ops()
	r = h.decide(ops, requestID, "approve", "Documents complete").expect(t, 202, "")
	if r.body["status"] != "PENDING" || r.body["step"] != float64(1) {
		t.Fatalf("after the review = %s", r.raw)
	}
	r = h.eventually(ops, "GET", "/api/ops/requests/"+requestID, nil, func(r response) bool {
		return r.body["request"].(map[string]any)["status"] == "PENDING"
	})
	// The requester sees the progress on the sandbox app.
	h.eventually(owner.client, "GET", appPath, nil, func(r response) bool {
		g, _ := r.body["app"].(map[string]any)["goLive"].(map[string]any)
		return g != nil && g["status"] == "PENDING" && g["step"] == float64(1)
	})
	// Whoever approved the review may not confirm the contract: a second person does.
	h.decide(ops, requestID, "approve", "Contract signed on 21 November").expect(t, 403, "SECOND_APPROVER_REQUIRED")
	h.decide(h.secondOps(), requestID, "approve", "Contract signed on 21 November").expect(t, 202, "")
	r = h.eventually(owner.client, "GET", appPath, nil, func(r response) bool {
		g, _ := r.body["app"].(map[string]any)["goLive"].(map[string]any)
		return g != nil && g["status"] == "APPROVED"
	})
	prodAppID := r.body["app"].(map[string]any)["goLive"].(map[string]any)["productionAppId"].(string)
	h.waitMail(func(m string) bool {
		return strings.Contains(m, owner.email) && strings.Contains(m, "Budget Buddy is live")
	}, "the go-live email")

	// The production app: its own credential, whose secret is generated once, on demand.
	prodPath := "/api/organizations/" + prodOrg + "/apps/" + prodAppID
	r = h.call(owner.client, "GET", prodPath, nil).expect(t, 200, "")
	app := r.body["app"].(map[string]any)
	cred := r.body["credentials"].([]any)[0].(map[string]any)
	if app["environment"] != "production" || fmt.Sprint(app["redirectUris"]) != "[https://budget.example/cb]" || fmt.Sprint(app["certificateFingerprints"]) != "["+prodCert+"]" ||
		fmt.Sprint(app["activeProducts"]) != "map[ais:production oauth2:production]" || cred["secretIssued"] != false || app["fapi"] != true {
		t.Fatalf("production app = %s", r.raw)
	}
	prodClient := cred["clientId"].(string)
	if _, err := h.api.Apps.Authenticate(context.Background(), prodClient, ""); err == nil {
		t.Fatal("a credential without a secret authenticates")
	}
	r = h.call(owner.client, "POST", prodPath+"/credentials/"+prodClient+"/reset", nil).expect(t, 200, "")
	secret := r.body["secret"].(string)
	if c, err := h.api.Apps.Authenticate(context.Background(), prodClient, secret); err != nil || c.Access.Environment != "production" || c.Access.AppID != prodAppID || !c.Access.FAPI {
		t.Fatalf("production credentials: %+v, %v", c, err)
	}
	if owner, err := h.api.Apps.CertificateOwner(context.Background(), prodCert); err != nil || owner.AppID != prodAppID || owner.Environment != "production" {
		t.Fatalf("certificate owner = %+v, %v", owner, err)
	}
	if h.tableContains(secret) || strings.Contains(h.logs.String(), secret) {
		t.Fatal("the production secret was stored or logged")
	}
	// The sandbox app keeps working and cannot go live twice.
	h.call(owner.client, "GET", appPath+"/subscriptions", nil).expect(t, 200, "")
	h.call(owner.client, "POST", goLive, form).expect(t, 409, "ALREADY_LIVE")

	// A rejection is recorded on the app with its reason.
	other, _, _ := h.newApp(owner.client, sandboxOrg, "Other app")
	cert2 := h.uploadCertificate(owner.client, prodOrg, 90*24*time.Hour)
	r = h.call(owner.client, "POST", other+"/go-live", map[string]any{"productionOrganizationId": prodOrg, "redirectUris": []string{"https://other.example/cb"}, "certificate": cert2}).expect(t, 202, "")
	h.decide(ops, r.body["id"].(string), "reject", "The contract was not signed").expect(t, 202, "")
	r = h.eventually(owner.client, "GET", other, nil, func(r response) bool {
		g, _ := r.body["app"].(map[string]any)["goLive"].(map[string]any)
		return g != nil && g["status"] == "REJECTED"
	})
	if !strings.Contains(r.raw, "The contract was not signed") {
		t.Fatalf("rejected = %s", r.raw)
	}
	if r := h.call(owner.client, "GET", "/api/organizations/"+prodOrg+"/apps", nil).expect(t, 200, ""); len(r.body["apps"].([]any)) != 1 {
		t.Fatalf("production apps = %s", r.raw)
	}

	// A certificate taken by another app before the last step: operations are told at once.
	third, _, _ := h.newApp(owner.client, sandboxOrg, "Third app")
	cert3 := h.uploadCertificate(owner.client, prodOrg, 90*24*time.Hour)
	r = h.call(owner.client, "POST", third+"/go-live", map[string]any{"productionOrganizationId": prodOrg, "redirectUris": []string{"https://third.example/cb"}, "certificate": cert3}).expect(t, 202, "")
	thirdRequest := r.body["id"].(string)
	h.decide(ops, thirdRequest, "approve", "Reviewed.").expect(t, 202, "")
	h.eventually(ops, "GET", "/api/ops/requests/"+thirdRequest, nil, func(r response) bool { return r.body["request"].(map[string]any)["status"] == "PENDING" })
	h.call(owner.client, "POST", prodPath+"/certificates", map[string]any{"sha256Fingerprint": cert3}).expect(t, 200, "")
	h.decide(h.secondOps(), thirdRequest, "approve", "Contract signed.").expect(t, 409, "CERTIFICATE_TAKEN")
	h.decide(ops, thirdRequest, "reject", "Choose a certificate no other app uses.").expect(t, 202, "")
}

func TestGoLiveExpires(t *testing.T) {
	h := newHarness(t, withLiveTruststore, func(c *config.Config) { c.DecisionTimeout = 3 * time.Second })
	owner := h.activeUser("owner-" + testenv.Suffix() + "@example.com")
	sandboxOrg, _ := h.activeOrg(owner)
	prodOrg := h.productionOrg(owner, "AIS")
	appPath, _, _ := h.newApp(owner, sandboxOrg, "Slow app")
	cert := h.uploadCertificate(owner, prodOrg, 90*24*time.Hour)
	r := h.call(owner, "POST", appPath+"/go-live", map[string]any{"productionOrganizationId": prodOrg, "redirectUris": []string{"https://slow.example/cb"}, "certificate": cert}).expect(t, 202, "")
	// The review passes; nobody confirms the contract in time.
	h.decide(h.ops(), r.body["id"].(string), "approve", "Reviewed").expect(t, 202, "")
	r = h.eventually(owner, "GET", appPath, nil, func(r response) bool {
		g, _ := r.body["app"].(map[string]any)["goLive"].(map[string]any)
		return g != nil && g["status"] == "EXPIRED"
	})
	if r := h.call(owner, "GET", "/api/organizations/"+prodOrg+"/apps", nil).expect(t, 200, ""); len(r.body["apps"].([]any)) != 0 {
		t.Fatalf("an expired request created an app: %s", r.raw)
	}
}

func TestCertificateExpiryWarnings(t *testing.T) {
	h := newHarness(t)
	owner := h.person("owner")
	orgID, _ := h.activeOrg(owner.client)
	appPath, _, _ := h.newApp(owner.client, orgID, "Budget Buddy")
	fp := h.uploadCertificate(owner.client, orgID, 20*24*time.Hour)
	h.uploadCertificate(owner.client, orgID, 200*24*time.Hour) // not due
	h.call(owner.client, "POST", appPath+"/certificates", map[string]any{"sha256Fingerprint": fp}).expect(t, 200, "")
	subject := "expires in 20 days"
	run := func() {
		h.call(nil, "POST", "/api/dev/jobs/certificate-expiry-reminder", nil).expect(t, 200, "")
	}
	run()
	if n := h.mailCount(owner.email, subject); n != 1 {
		t.Fatalf("%d warnings for 20 days left", n)
	}
	run()
	if n := h.mailCount(owner.email, subject); n != 1 {
		t.Fatalf("the warning was sent again: %d", n)
	}
	// Thirteen days on: the 7-day warning, once.
	now := time.Now()
	h.api.Apps.Now = func() time.Time { return now.Add(13*24*time.Hour + time.Hour) }
	run()
	run()
	if n := h.mailCount(owner.email, "expires in 7 days"); n != 1 {
		t.Fatalf("%d seven-day warnings", n)
	}
}

func TestSandboxCertificateForApp(t *testing.T) {
	h := newHarness(t, withLiveTruststore)
	owner := h.person("owner")
	orgID, _ := h.activeOrg(owner.client)
	appPath, _, _ := h.newApp(owner.client, orgID, "Budget Buddy")
	r := h.call(owner.client, "POST", appPath+"/certificates/sandbox", nil).expect(t, 201, "")
	fp := r.body["certificate"].(map[string]any)["sha256Fingerprint"].(string)
	if !strings.Contains(r.body["privateKeyPem"].(string), "PRIVATE KEY") || r.body["certificate"].(map[string]any)["appId"] == "" || proofMethod(r.body["certificate"]) != "issuance" {
		t.Fatalf("issued = %s", r.raw)
	}
	if owner, err := h.api.Apps.CertificateOwner(context.Background(), fp); err != nil || "/api/organizations/"+orgID+"/apps/"+owner.AppID != appPath {
		t.Fatalf("owner = %+v, %v", owner, err)
	}
	// Another organization can upload the public certificate but not present it too.
	other := h.person("other")
	otherOrg, _ := h.activeOrg(other.client)
	otherApp, _, _ := h.newApp(other.client, otherOrg, "Copycat")
	if r := h.call(other.client, "POST", "/api/organizations/"+otherOrg+"/certificates", map[string]any{"certificate": r.body["certificatePem"]}).expect(t, 201, ""); r.body["possession"] != nil {
		t.Fatalf("a certificate issued to someone else came proven: %s", r.raw)
	}
	if r := h.call(other.client, "POST", otherApp+"/certificates", map[string]any{"sha256Fingerprint": fp}).expect(t, 400, "VALIDATION_FAILED"); fmt.Sprint(r.fields()) != "[sha256Fingerprint:unproven]" {
		t.Fatalf("fields = %v", r.fields())
	}
	h.call(owner.client, "POST", appPath+"/certificates/sandbox", nil).expect(t, 201, "")
	h.call(owner.client, "POST", appPath+"/certificates/sandbox", nil).expect(t, 409, "MAX_CERTIFICATES")
	// An uploaded certificate in use cannot be deleted; a free one can.
	certs := "/api/organizations/" + orgID + "/certificates/"
	h.call(owner.client, "DELETE", certs+fp, nil).expect(t, 409, "CERTIFICATE_IN_USE")
	h.call(owner.client, "DELETE", appPath+"/certificates/"+fp, nil).expect(t, 204, "")
	h.call(owner.client, "DELETE", certs+fp, nil).expect(t, 204, "")
	h.call(owner.client, "DELETE", certs+fp, nil).expect(t, 404, "NOT_FOUND")

	// Production apps get no sandbox certificates.
	prodOrg := h.productionOrg(owner.client, "AIS")
	h.call(owner.client, "POST", "/api/organizations/"+prodOrg+"/apps", map[string]any{"name": "Live app"}).expect(t, 409, "PRODUCTION_BY_GO_LIVE")
	prodApp := h.liveApp(owner.client, orgID, prodOrg)
	h.call(owner.client, "POST", prodApp+"/certificates/sandbox", nil).expect(t, 409, "SANDBOX_ONLY")
	// Without its redirect URI and certificate a production app cannot use PSD2 products.
	h.call(owner.client, "DELETE", prodApp+"/redirect-uris?uri="+url.QueryEscape("https://live.example/start"), nil).expect(t, 204, "")
	// In production, PSD2 products need the redirect URI and the certificate first.
	r = h.call(owner.client, "POST", prodApp+"/subscriptions", map[string]any{"productId": "ais", "planId": "production"}).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[productId:notReady]" {
		t.Fatalf("fields = %v", r.fields())
	}
	for uri, fields := range map[string]string{"http://localhost:3000/cb": "[uri:https]", "http://live.example/cb": "[uri:https]",
		"https://*.live.example/cb": "[uri:wildcard]", "https://live.example/cb#top": "[uri:fragment]", "/cb": "[uri:absolute]",
		"https://10.0.0.1/cb": "[uri:public_host]", "https://[::ffff:127.0.0.1]/cb": "[uri:public_host]", "https://live.example:99999/cb": "[uri:port]"} {
		r = h.call(owner.client, "POST", prodApp+"/redirect-uris", map[string]any{"uri": uri}).expect(t, 400, "VALIDATION_FAILED")
		if fmt.Sprint(r.fields()) != fields {
			t.Errorf("%s on production: fields = %v, want %s", uri, r.fields(), fields)
		}
	}
	// A live app's new redirect URI and new name wait for the bank's review, one change at
	// a time; removing a URI needed none.
	r = h.call(owner.client, "POST", prodApp+"/redirect-uris", map[string]any{"uri": "https://live.example/cb"}).expect(t, 202, "")
	pending, _ := r.body["pendingChange"].(map[string]any)
	if pending == nil || pending["redirectUri"] != "https://live.example/cb" || fmt.Sprint(r.body["redirectUris"]) != "[]" {
		t.Fatalf("redirect URI for review = %s", r.raw)
	}
	changeRequest := pending["requestId"].(string)
	h.call(owner.client, "PATCH", prodApp, map[string]any{"name": "Live app 2"}).expect(t, 409, "CHANGE_PENDING")
	h.call(owner.client, "POST", prodApp+"/redirect-uris", map[string]any{"uri": "https://live.example/other"}).expect(t, 409, "CHANGE_PENDING")
	r = h.call(h.ops(), "GET", "/api/ops/requests/"+changeRequest, nil).expect(t, 200, "")
	if req := r.body["request"].(map[string]any); req["kind"] != "APP_CHANGE" || req["summary"] != "Add the redirect URI https://live.example/cb to Live app" {
		t.Fatalf("change request = %s", r.raw)
	}
	h.decide(h.ops(), changeRequest, "approve", "Domain checked.").expect(t, 202, "")
	r = h.eventually(owner.client, "GET", prodApp, nil, func(r response) bool { return r.body["app"].(map[string]any)["pendingChange"] == nil })
	if fmt.Sprint(r.body["app"].(map[string]any)["redirectUris"]) != "[https://live.example/cb]" {
		t.Fatalf("after approval = %s", r.raw)
	}
	// A rename refused by the bank leaves the name as it was.
	r = h.call(owner.client, "PATCH", prodApp, map[string]any{"name": "Live app 2"}).expect(t, 202, "")
	h.decide(h.ops(), r.body["pendingChange"].(map[string]any)["requestId"].(string), "reject", "Use the registered trading name.").expect(t, 202, "")
	r = h.eventually(owner.client, "GET", prodApp, nil, func(r response) bool { return r.body["app"].(map[string]any)["pendingChange"] == nil })
	if name := r.body["app"].(map[string]any)["name"]; name != "Live app" {
		t.Fatalf("name after a refused rename = %v", name)
	}
	if r := h.call(owner.client, "POST", prodApp+"/subscriptions", map[string]any{"productId": "ais", "planId": "production"}).expect(t, 201, ""); r.body["status"] != "ACTIVE" {
		t.Fatalf("production AIS = %s", r.raw)
	}
}

// TestOffboardingEndsAppAccess offboards an organization with apps: afterwards neither its
// client IDs nor its certificates find an app.
func TestOffboardingEndsAppAccess(t *testing.T) {
	h := newHarness(t)
	owner := h.person("owner")
	orgID, _ := h.activeOrg(owner.client)
	var clients []string
	for _, name := range []string{"First app", "Second app"} {
		appPath, clientID, _ := h.newApp(owner.client, orgID, name)
		r := h.call(owner.client, "POST", appPath+"/credentials", map[string]any{"name": "Backend"}).expect(t, 201, "")
		clients = append(clients, clientID, r.body["clientId"].(string))
	}
	appPath, _, _ := h.newApp(owner.client, orgID, "Third app")
	r := h.call(owner.client, "POST", appPath+"/certificates/sandbox", nil).expect(t, 201, "")
	fp := r.body["certificate"].(map[string]any)["sha256Fingerprint"].(string)
	ctx := context.Background()
	if _, err := h.api.Apps.CertificateOwner(ctx, fp); err != nil {
		t.Fatal(err)
	}

	if got := h.usageKeys(orgID); len(got) != 3 {
		t.Fatalf("usage keys before offboarding = %v", got)
	}
	r = h.call(owner.client, "POST", "/api/organizations/"+orgID+"/offboarding", map[string]any{"reason": "Closing.", "confirm": true}).expect(t, 202, "")
	// While it waits, nothing new can call the organization's apps (the cleanup could miss it).
	h.call(owner.client, "POST", "/api/organizations/"+orgID+"/apps", map[string]any{"name": "Late app"}).expect(t, 409, "OFFBOARDING_PENDING")
	h.call(owner.client, "POST", appPath+"/credentials", map[string]any{"name": "Late"}).expect(t, 409, "OFFBOARDING_PENDING")
	h.call(owner.client, "POST", appPath+"/certificates/sandbox", nil).expect(t, 409, "OFFBOARDING_PENDING")
	h.call(owner.client, "POST", appPath+"/api-key/rotate", map[string]any{}).expect(t, 409, "OFFBOARDING_PENDING")
	h.decide(h.ops(), r.body["id"].(string), "approve", "Confirmed.").expect(t, 202, "")
	// The approval takes the apps' usage keys out of the usage plans.
	if got := h.usageKeys(orgID); len(got) != 0 {
		t.Fatalf("usage keys after offboarding = %v", got)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, certErr := h.api.Apps.CertificateOwner(ctx, fp)
		live := 0
		for _, id := range clients {
			if _, err := h.api.Apps.LookupClient(ctx, id); err == nil {
				live++
			}
		}
		if live == 0 && certErr != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after offboarding %d of %d credentials and the certificate (%v) still find their apps", live, len(clients), certErr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// brokenCleanup is the portal's store with an offboarding cleanup that cannot finish: one
// more lookup copy, in a table nobody may write.
type brokenCleanup struct {
	org.Store
	table string
}

func (b brokenCleanup) AccessCopies(ctx context.Context, orgID string) ([]workflow.Delete, error) {
	copies, err := b.Store.AccessCopies(ctx, orgID)
	return append(copies, workflow.Delete{Table: b.table + "-gone", PK: "FPR#nowhere", SK: "FPR"}), err
}

// TestOffboardingFailsClosed breaks an offboarding's cleanup on purpose: the TPP API
// refuses the organization's certificate all the same (it reads the organization itself),
// the workflow execution fails (so the alarm fires) after telling the requester, and the
// reconciler finishes the cleanup.
func TestOffboardingFailsClosed(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	owner := h.person("owner")
	orgID, _ := h.activeOrg(owner.client)
	appPath, clientID, _ := h.newApp(owner.client, orgID, "Budget app")
	r := h.call(owner.client, "POST", appPath+"/certificates/sandbox", nil).expect(t, 201, "")
	certPEM := r.body["certificate"].(map[string]any)["pem"].(string)
	fp := r.body["certificate"].(map[string]any)["sha256Fingerprint"].(string)
	block, _ := pem.Decode([]byte(certPEM))
	check := &callercheck.Authorizer{Lookups: lookupdb.NewReader(h.db, h.table), Environment: lookup.Sandbox}
	call := callercheck.Call{CertDER: block.Bytes, Product: "ais"}
	// Before: the certificate names its app (the call then lacks only its API key).
	if _, err := check.Check(ctx, call); err != callercheck.ErrAPIKeyMissing {
		t.Fatalf("before offboarding: %v", err)
	}

	broken := org.NewService(org.Deps{Store: brokenCleanup{Store: h.orgStore, table: h.table}, Invites: h.orgStore, Approvals: h.api.Approvals})
	r = h.call(owner.client, "POST", "/api/organizations/"+orgID+"/offboarding", map[string]any{"reason": "Closing.", "confirm": true}).expect(t, 202, "")
	requestID := r.body["id"].(string)
	h.decide(h.ops(), requestID, "approve", "Confirmed.").expect(t, 202, "")

	req, err := h.api.Approvals.Get(ctx, requestID)
	if err != nil || req.ExecutionARN == "" {
		t.Fatalf("request %+v, %v", req, err)
	}
	states := sfn.NewFromConfig(testenv.AWS(t, h.cfg))
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := states.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: &req.ExecutionARN})
		if err != nil {
			t.Fatal(err)
		}
		if out.Status == sfntypes.ExecutionStatusFailed && aws.ToString(out.Error) == "CleanupFailed" {
			break
		}
		if out.Status != sfntypes.ExecutionStatusRunning || time.Now().After(deadline) {
			t.Fatalf("execution %s (%s), want FAILED with CleanupFailed", out.Status, aws.ToString(out.Error))
		}
		time.Sleep(100 * time.Millisecond)
	}
	if n := h.mailCount(owner.email, "Offboard the organization: approved"); n != 1 {
		t.Fatalf("%d approval emails: the requester is told even when the cleanup fails", n)
	}
	// The copies the workflow could delete are gone; the TPP API refuses the certificate
	// whatever is left, because it reads the organization's status with it.
	if _, err := check.Check(ctx, call); err != callercheck.ErrCertificateUnknown && err != callercheck.ErrOrganizationBlocked {
		t.Fatalf("after a broken offboarding the certificate gets %v", err)
	}
	pending, err := h.orgStore.UnfinishedCleanups(ctx)
	if err != nil || len(pending) != 1 || pending[0].OrgID != orgID || pending[0].RequestID != requestID {
		t.Fatalf("unfinished cleanups %+v, %v", pending, err)
	}

	// While the cause lasts, the reconciler fails loudly and keeps the marker.
	if res, err := broken.FinishCleanups(ctx); err == nil || res.Failed != 1 {
		t.Fatalf("reconciler with the cause still there = %+v, %v", res, err)
	}
	// Once it is gone, the scheduled job finishes the cleanup.
	out, err := h.api.Jobs["approval-reconciler"](ctx)
	if err != nil {
		t.Fatalf("reconciler: %v", err)
	}
	if res := out.(wiring.Reconciled).Cleanups; res != (org.CleanupResult{Checked: 1, Finished: 1}) {
		t.Fatalf("reconciler = %+v", res)
	}
	if pending, _ := h.orgStore.UnfinishedCleanups(ctx); len(pending) != 0 {
		t.Fatalf("still unfinished: %+v", pending)
	}
	if _, err := h.api.Apps.CertificateOwner(ctx, fp); err == nil {
		t.Fatal("the certificate's lookup survived the reconciler")
	}
	if _, err := h.api.Apps.LookupClient(ctx, clientID); err == nil {
		t.Fatal("the credential's lookup survived the reconciler")
	}
	if _, err := check.Check(ctx, call); err != callercheck.ErrCertificateUnknown {
		t.Fatalf("after the reconciler the certificate gets %v", err)
	}
}

// TestRevokedCertificateClosesTheDoor revokes, through the portal, a certificate the
// sandbox CA issued for an app: the TPP API's caller check, which accepted it a moment
// before, refuses the very next call with CERTIFICATE_REVOKED.
func TestRevokedCertificateClosesTheDoor(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	owner := h.person("owner")
	orgID, _ := h.activeOrg(owner.client)
	r := h.call(owner.client, "POST", "/api/organizations/"+orgID+"/apps", map[string]any{"name": "Budget app"}).expect(t, 201, "")
	appPath := "/api/organizations/" + orgID + "/apps/" + r.body["app"].(map[string]any)["id"].(string)
	apiKey := r.body["apiKey"].(map[string]any)["key"].(string)
	r = h.call(owner.client, "POST", appPath+"/certificates/sandbox", nil).expect(t, 201, "")
	cert := r.body["certificate"].(map[string]any)
	block, _ := pem.Decode([]byte(cert["pem"].(string)))
	check := &callercheck.Authorizer{Lookups: lookupdb.NewReader(h.db, h.table), Environment: lookup.Sandbox}
	call := callercheck.Call{CertDER: block.Bytes, APIKey: apiKey, Product: "oauth2"}
	if _, err := check.Check(ctx, call); err != nil {
		t.Fatalf("before the revocation: %v", err)
	}
	h.call(owner.client, "POST", "/api/organizations/"+orgID+"/certificates/"+cert["sha256Fingerprint"].(string)+"/revoke",
		map[string]any{"reason": "keyCompromise", "comment": "The laptop was stolen."}).expect(t, 200, "")
	if _, err := check.Check(ctx, call); err != callercheck.ErrCertificateRevoked {
		t.Fatalf("the next call after the revocation gets %v, want CERTIFICATE_REVOKED", err)
	}
}

// TestOffboardedProductionShownOnSandboxApp: once the production organization of a live
// app is offboarded, its sandbox app says so instead of pointing at a production app that
// is gone.
func TestOffboardedProductionShownOnSandboxApp(t *testing.T) {
	h := newHarness(t, withLiveTruststore)
	owner := h.person("owner")
	sandboxOrg, _ := h.activeOrg(owner.client)
	prodOrg := h.productionOrg(owner.client, "AIS", "PIS")
	h.liveApp(owner.client, sandboxOrg, prodOrg)
	r := h.call(owner.client, "GET", "/api/organizations/"+sandboxOrg+"/apps", nil).expect(t, 200, "")
	appPath := "/api/organizations/" + sandboxOrg + "/apps/" + r.body["apps"].([]any)[0].(map[string]any)["id"].(string)
	goLive := func() map[string]any {
		return h.call(owner.client, "GET", appPath, nil).expect(t, 200, "").body["app"].(map[string]any)["goLive"].(map[string]any)
	}
	if g := goLive(); g["status"] != "APPROVED" || g["productionOffboarded"] != nil {
		t.Fatalf("before offboarding: %v", g)
	}
	r = h.call(owner.client, "POST", "/api/organizations/"+prodOrg+"/offboarding", map[string]any{"reason": "Closing.", "confirm": true}).expect(t, 202, "")
	h.decide(h.ops(), r.body["id"].(string), "approve", "Confirmed.").expect(t, 202, "")
	h.eventually(owner.client, "GET", appPath, nil, func(r response) bool {
		g, _ := r.body["app"].(map[string]any)["goLive"].(map[string]any)
		return g != nil && g["productionOffboarded"] == true && g["status"] == "APPROVED"
	})
	// The app may ask again: the request is checked (here it names no production
	// organization), not refused as already live.
	h.call(owner.client, "POST", appPath+"/go-live", map[string]any{"productionOrganizationId": "", "redirectUris": []string{}, "certificate": ""}).expect(t, 400, "VALIDATION_FAILED")
}
