package e2e

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/trust/sandboxca"
)

// What the apps pages must show, copied from the Go source (shared/portal/apps) and the SPA
// (frontend/src/pages/AppsPage.tsx, frontend/src/pages/app, frontend/src/components).
const (
	msgAppNameHint         = "The bank's customers see this name on the consent page when they allow your app to access their accounts or make payments. Use the name they know your product by."
	msgSecretWarning       = "Copy the secret now and keep it safe: it is shown only this once. If you lose it, reset it."
	msgSecretCopied        = "Secret copied to the clipboard."
	msgSecretValid         = "Yes, this is the secret. This secret belongs to the credential."
	msgSecretInvalid       = "No, this is not the secret. This secret does not belong to the credential. If you lost the secret, reset it."
	msgRedirectHTTPS       = "Use https (http://localhost is allowed in the sandbox)."
	msgAppCertsFull        = "This app has two certificates: remove one to select another."
	msgAppCertsExpiry      = "A certificate of this app expires within 30 days or has expired: upload its replacement and select it, then remove the old one."
	msgMandatoryProduct    = "Included with every app; it cannot be removed."
	msgSubscriptionPending = "Waiting for the bank's operations team; you will get an email when it is decided."
	msgCoFRoleMissing      = "Confirmation of Funds (CoF) needs the PSD2 role PSP_IC, and your organization's eIDAS certificate (QWAC) does not carry it."
	msgProductionLocalhost = "Production apps need https redirect URIs; http://localhost works only in the sandbox."
	msgSignatureMismatch   = "This signature was not made with this certificate's private key over this challenge. Sign the challenge exactly as shown, with the private key that belongs to the certificate."
	sandboxCAIssuerDN      = "CN=Developer Portal Sandbox CA, O=Developer Portal Sandbox, C=BE"
	// The rules the certificate upload form states (frontend/src/components/CertificateRules.tsx)
	// and production's refusals of a plain client certificate (shared/trust/eidas).
	msgSandboxUploadRules    = "Sandbox rules: easier, for testing."
	msgProductionUploadRules = "Production rules: the certificate is your organization's QWAC."
	msgNoPSD2                = "This certificate has no PSD2 statement (ETSI TS 119 495), so it does not say which PSD2 roles you hold. Ask your trust service provider for a PSD2 QWAC."
	msgNoQcCompliance        = "This certificate is not a qualified certificate: it has no QcCompliance statement (0.4.0.1862.1.1). In production, use a qualified QWAC from a qualified trust service provider."
	msgNoQcType              = "This certificate does not say which kind of qualified certificate it is: it has no QcType statement. A QWAC declares the type web (0.4.0.1862.1.6.3); ask your trust service provider for one that does."
	headingRegistered        = "Your app is registered: here is its first secret"
	headingReset             = "New secret"
	headingNewCredential     = "New credential: here is its secret"
	msgAPIKeyWarning         = "Copy the API key now and store it safely: it is shown only this once, and the bank keeps only its hash. If you lose it, rotate it."
	msgAPIKeyCopied          = "API key copied to the clipboard."
	msgGraceRange            = "Choose a grace period from 0 to 168 hours (7 days)."
	headingAPIKey            = "Your app's API key"
	headingNewAPIKey         = "Your new API key"
)

var (
	// Client IDs are 16 random bytes and secrets 32, base64url without padding (shared/portal/apps).
	clientIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{22}$`)
	secretPattern   = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)
	appPathPattern  = regexp.MustCompile(`^/organizations/[0-9a-f]{16}/apps/([A-Za-z0-9_-]+)$`)
	// An API key is "<organization ID>.<app ID>.<32 random bytes, base64url>" (shared/portal/lookup).
	apiKeyPattern = regexp.MustCompile(`^([0-9a-f]{16})\.([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]{43}$`)
)

// TestAppsJourney follows an app from registration to production: its secret shown once,
// copied, verified and reset; a second credential; mTLS certificates issued by the
// sandbox CA, uploaded and selected; redirect URIs; subscriptions to AIS (active at once)
// and to the premium product (approved by operations); production access approved by
// operations in two steps, and the production secret generated and shown once. The steps
// share their state and run in order; a failed step stops the journey.
func TestAppsJourney(t *testing.T) {
	t.Parallel()
	suffix := testenv.Suffix()
	orgName := "Budget Apps " + suffix
	appName := "Budget Buddy " + suffix
	prodOrgName := "Budget Apps Live " + suffix
	owner := newUser("apps-owner")
	owner.name = "Abel Apps"
	// A production request needs two approvers: the second operations user has a tab too.
	ownerTab, opsTab, secondOpsTab := newPage(t), newPage(t), newPage(t)
	ownerTab.grantClipboard()
	var orgID, appPath, clientID, secret, secondClientID, apiKey string

	step := func(name string, run func(t *testing.T)) {
		t.Helper()
		if !t.Run(name, run) {
			t.FailNow()
		}
	}

	step("owner onboards a sandbox organization that operations approve", func(t *testing.T) {
		p := ownerTab.as(t)
		p.signUp(owner)
		p.activate(owner)
		p.signIn(owner.email, owner.password)
		p.expectAccountPage(owner)
		orgID = p.onboardWithSandboxCertificates(orgName, "sandbox")
		opsTab.as(t).signIn(testenv.Ops.Email, testenv.Ops.Password)
		opsTab.as(t).waitPath("/ops")
		approveOnboarding(p, opsTab.as(t), orgID, orgName, owner.email)
	})

	step("owner registers an app and copies its secret, shown once", func(t *testing.T) {
		p := ownerTab.as(t)
		p.open("/organizations/" + orgID)
		p.click("#org-apps-link")
		p.waitPath("/organizations/" + orgID + "/apps")
		p.waitText("main h1", "Apps", 10*time.Second)
		p.expectText("#apps-empty", "No apps yet.")
		p.expectText("#register-app-name-hint", msgAppNameHint)

		p.fill("register-app-name", appName)
		p.submit("register-app")
		path := p.waitFor("the new app's page", `(() => /^\/organizations\/[0-9a-f]{16}\/apps\/[A-Za-z0-9_-]+$/.test(location.pathname) ? location.pathname : "")()`, stepTimeout)
		if !appPathPattern.MatchString(path) {
			p.fatalf("the app's page is %s", path)
		}
		appPath = path
		p.waitText("main h1", appName, 10*time.Second)
		p.expectText("#app-environment", "Sandbox")
		p.expectText("#app-organization", orgName)

		p.expectText("#secret-panel-title", headingRegistered)
		p.expectText("#secret-warning", msgSecretWarning)
		p.expectText("#secret-name", "Default")
		clientID, secret = p.text("#secret-clientId"), p.text("#secret-value")
		if !clientIDPattern.MatchString(clientID) || !secretPattern.MatchString(secret) {
			p.fatalf("the new credential shows client ID %q and secret %q, want 22 and 43 base64url characters", clientID, secret)
		}
		p.click("#secret-copy")
		p.waitText("#secret-copy-status", msgSecretCopied, stepTimeout)
		if got := p.clipboard(); got != secret {
			p.fatalf("the clipboard holds %q after copying, want the secret %q", got, secret)
		}
		credential := "#credential-" + clientID
		p.expectText(credential+" .credential-name", "Default")
		p.expectText(credential+" .client-id", clientID)

		// The API key is shown once too, with the header it goes in.
		p.expectText("#apikey-panel-title", headingAPIKey)
		p.expectText("#apikey-warning", msgAPIKeyWarning)
		p.expectText("#apikey-header", "apiKey")
		apiKey = p.text("#apikey-value")
		if m := apiKeyPattern.FindStringSubmatch(apiKey); m == nil || m[1] != orgID || m[2] != appPathPattern.FindStringSubmatch(appPath)[1] {
			p.fatalf("the new app's API key is %q, want <organization>.<app>.<43 base64url characters>", apiKey)
		}
		p.click("#apikey-done")
		p.expectAbsent("#apikey-panel")

		// Once stored, the secret is gone: from the panel, and from the page after a reload.
		p.click("#secret-done")
		p.expectAbsent("#secret-panel")
		p.open(appPath)
		p.waitVisible(credential)
		p.expectAbsent("#secret-panel")
		p.expectAbsent("#apikey-panel")
		p.expectPageLacks(secret)
		p.expectPageLacks(apiKey)

		// The app is in the organization's list.
		p.click("#app-apps-link")
		p.waitPath("/organizations/" + orgID + "/apps")
		appID := appPathPattern.FindStringSubmatch(appPath)[1]
		row := fmt.Sprintf(`#apps-table tr[data-app-id=%q]`, appID)
		p.expectText(row+" th", appName)
		p.expectText(row+" td:nth-of-type(1)", "sandbox")
		p.expectText(row+" td:nth-of-type(2)", "0")
		p.expectText(row+" td:nth-of-type(4)", owner.email)
	})

	step("the copied secret verifies; after a reset only the new one does", func(t *testing.T) {
		p := ownerTab.as(t)
		p.open(appPath)
		p.verifySecret(clientID, p.clipboard(), msgSecretValid)

		p.click("#credential-reset-" + clientID)
		p.expectText("#reset-dialog-title", "Reset the secret of Default?")
		p.click("#reset-dialog-confirm")
		p.waitText("#secret-panel-title", headingReset, stepTimeout)
		p.expectText("#secret-clientId", clientID)
		p.expectText("#secret-warning", msgSecretWarning)
		newSecret := p.text("#secret-value")
		if !secretPattern.MatchString(newSecret) || newSecret == secret {
			p.fatalf("the reset secret is %q, want a new 43-character secret (the old one was %q)", newSecret, secret)
		}
		p.click("#secret-copy")
		p.waitText("#secret-copy-status", msgSecretCopied, stepTimeout)
		if got := p.clipboard(); got != newSecret {
			p.fatalf("the clipboard holds %q after copying the new secret %q", got, newSecret)
		}
		p.click("#secret-done")

		p.verifySecret(clientID, secret, msgSecretInvalid)
		p.verifySecret(clientID, newSecret, msgSecretValid)
		secret = newSecret
	})

	step("owner adds a second credential", func(t *testing.T) {
		p := ownerTab.as(t)
		p.open(appPath)
		p.fill("add-credential-name", "Rotation")
		p.submit("add-credential")
		p.waitText("#secret-panel-title", headingNewCredential, stepTimeout)
		p.expectText("#secret-name", "Rotation")
		secondClientID = p.text("#secret-clientId")
		second := p.text("#secret-value")
		if !clientIDPattern.MatchString(secondClientID) || secondClientID == clientID || !secretPattern.MatchString(second) || second == secret {
			p.fatalf("the second credential shows client ID %q and secret %q, want new ones", secondClientID, second)
		}
		p.click("#secret-done")
		p.expectTexts("#credentials-list .credential-name", "Default", "Rotation")
		p.verifySecret(secondClientID, second, msgSecretValid)
		// Each secret belongs to its own credential only.
		p.verifySecret(clientID, second, msgSecretInvalid)
	})

	step("owner rotates the API key through the page, confirming what happens to the old one, and copies the new one", func(t *testing.T) {
		p := ownerTab.as(t)
		p.open(appPath)
		p.expectTexts("#apikey-list .apikey-state", "Current")
		// The local TPP listener's meter counts the calls: none yet.
		p.expectText(`#usage-table tr[data-product="oauth2"] .usage-calls`, "0 of 20,000")
		p.expectText(`#usage-table tr[data-product="oauth2"] .usage-rate`, "20 calls a second")

		// Out of range: the server's rule under the field, and nothing rotated.
		p.replace("apikey-gracePeriodHours", "200")
		p.click("#apikey-rotate")
		p.expectText("#apikey-rotate-dialog-title", "Rotate the API key?")
		p.click("#apikey-rotate-dialog-confirm")
		p.expectFieldErrors("apikey-gracePeriodHours", msgGraceRange)
		p.expectTexts("#apikey-list .apikey-state", "Current")

		p.replace("apikey-gracePeriodHours", "48")
		p.click("#apikey-rotate")
		p.waitText("#apikey-rotate-dialog-title", "Rotate the API key?", stepTimeout)
		if got := p.text("#apikey-rotate-consequence"); !strings.HasPrefix(got, "The current API key keeps working for 48 hours, until about ") {
			p.fatalf("the dialog says %q about the current key", got)
		}
		p.click("#apikey-rotate-dialog-confirm")
		p.waitText("#apikey-panel-title", headingNewAPIKey, stepTimeout)
		p.expectText("#apikey-warning", msgAPIKeyWarning)
		rotated := p.text("#apikey-value")
		if !apiKeyPattern.MatchString(rotated) || rotated == apiKey {
			p.fatalf("the rotated API key is %q, want a new key (the old one was %q)", rotated, apiKey)
		}
		if got := p.text("#apikey-previous"); !strings.HasPrefix(got, "The previous API key keeps working until ") {
			p.fatalf("the panel says %q about the previous key", got)
		}
		p.click("#apikey-copy")
		p.waitText("#apikey-copy-status", msgAPIKeyCopied, stepTimeout)
		if got := p.clipboard(); got != rotated {
			p.fatalf("the clipboard holds %q after copying, want the API key %q", got, rotated)
		}
		p.click("#apikey-done")
		p.expectAbsent("#apikey-panel")
		p.open(appPath)
		p.waitVisible("#apikey-list")
		if got := p.text("#apikey-list"); !strings.Contains(got, "Current") || !strings.Contains(got, "Replaced: works until") {
			p.fatalf("the keys list shows %q, want the current key and the replaced one with its end", got)
		}
		p.expectPageLacks(rotated)
		p.expectPageLacks(apiKey)
		apiKey = rotated
	})

	step("owner uploads certificates from the sandbox CA, proves possession of their keys and selects them for the app", func(t *testing.T) {
		p := ownerTab.as(t)
		p.open(appPath)
		p.openTab("app", "certificates")
		p.expectText("#app-certificates-empty", "No certificate selected for this app yet.")
		p.expectText("#certificate-upload-rules-title", msgSandboxUploadRules)
		current := issueClientCertificate(t, "budget-"+suffix+".example", orgName, 365*24*time.Hour)
		next := issueClientCertificate(t, "budget-next-"+suffix+".example", orgName, 20*24*time.Hour)

		// One as PEM, the other as base64 DER: the form takes both. Neither came from the
		// portal, so each waits for a challenge signed with its key before an app can use it;
		// a signature made with another key is refused next to the field.
		p.fill("certificate-upload-certificate", current.pem)
		p.submit("certificate-upload")
		p.waitText("#certificate-upload-status", "Uploaded the certificate of "+current.subject+".", stepTimeout)
		p.expectAbsent("#attach-certificate-form")
		p.expectText("#attach-certificate-unproven", "One uploaded certificate waits for proof that you hold its private key before an app can use it: prove it in the certificates of "+orgName+".")
		other := issueClientCertificate(t, "other-"+suffix+".example", orgName, time.Hour)
		p.proveUploaded(current, other.key, msgSignatureMismatch)
		p.proveUploaded(current, current.key, "")
		p.fill("certificate-upload-certificate", next.base64)
		p.submit("certificate-upload")
		p.waitText("#certificate-upload-status", "Uploaded the certificate of "+next.subject+".", stepTimeout)
		p.proveUploaded(next, next.key, "")
		// Uploading the same certificate twice is refused next to the field.
		p.fill("certificate-upload-certificate", next.base64)
		p.submit("certificate-upload")
		p.expectFieldErrors("certificate-upload-certificate", "This certificate is already uploaded; select it instead.")

		for _, c := range []testCertificate{current, next} {
			p.waitOption("attach-certificate-sha256Fingerprint", c.fingerprint)
			p.choose("attach-certificate-sha256Fingerprint", c.fingerprint)
			p.submit("attach-certificate")
			p.waitText("#certificates-status", "Selected the certificate of "+c.subject+" for "+appName+".", stepTimeout)
			row := fmt.Sprintf(`#app-certificates-table tr[data-fingerprint=%q]`, c.fingerprint)
			p.waitVisible(row)
			p.expectText(row+" th", c.subject)
			p.expectText(row+" td:nth-of-type(1)", sandboxCAIssuerDN)
			p.expectText(row+" td:nth-of-type(2)", c.fingerprint)
			p.expectText(row+" td:nth-of-type(4)", "Proven")
		}
		far := fmt.Sprintf(`#app-certificates-table tr[data-fingerprint=%q] td:nth-of-type(3)`, current.fingerprint)
		p.expectText(far+" time", current.notAfter.Local().Format("2 January 2006"))
		p.expectAbsent(far + " .badge")
		soon := fmt.Sprintf(`#app-certificates-table tr[data-fingerprint=%q] td:nth-of-type(3)`, next.fingerprint)
		p.expectText(soon+" time", next.notAfter.Local().Format("2 January 2006"))
		p.expectText(soon+" .badge", "Expires in 20 days")
		p.expectText("#app-certificates-expiry", msgAppCertsExpiry)
		p.expectText("#attach-certificate-full", msgAppCertsFull)

		// Rotation: the current certificate goes, the next one stays.
		p.click("#certificate-remove-" + current.fingerprint)
		p.expectText("#certificate-remove-dialog-title", "Remove this certificate from "+appName+"?")
		p.click("#certificate-remove-dialog-confirm")
		p.waitText("#certificates-status", "Removed the certificate of "+current.subject+" from "+appName+"; it stays uploaded.", stepTimeout)
		p.expectAbsent(fmt.Sprintf(`#app-certificates-table tr[data-fingerprint=%q]`, current.fingerprint))
		p.waitOption("attach-certificate-sha256Fingerprint", current.fingerprint)

		// A test certificate from the portal's sandbox CA takes the free place at once.
		appID := appPathPattern.FindStringSubmatch(appPath)[1]
		issuedSubject := fmt.Sprintf("CN=%s, OU=Sandbox app %s, O=%s", appName, appID, orgName)
		p.click("#issue-certificate")
		p.waitText("#issued-certificate p strong", "Issued and selected for "+appName+": "+issuedSubject+".", stepTimeout)
		p.expectTexts("#app-certificates-table tbody th", next.subject, issuedSubject)
		p.expectText("#attach-certificate-full", msgAppCertsFull)
		// The app is full: issuing is not offered, and the page says why.
		p.expectAbsent("#issue-certificate")
		p.expectText("#issue-certificate-full", "This app has two certificates, the most it can have: remove one to issue a test certificate.")
		p.click("#issued-certificate-done")
		p.expectAbsent("#issued-certificate")

		// The owner revokes the test certificate, after confirming with a reason: the page
		// shows it revoked, when and why, and offers it nowhere.
		issuedFP := p.waitFor("the issued certificate's row", fmt.Sprintf(`(() => { for (const tr of document.querySelectorAll("#app-certificates-table tbody tr")) { if (tr.querySelector("th").textContent === %q) return tr.dataset.fingerprint; } return ""; })()`, issuedSubject), stepTimeout)
		p.expectAbsent("#certificate-revoke-" + next.fingerprint) // uploaded, not issued by the portal
		p.click("#certificate-revoke-" + issuedFP)
		p.expectText("#certificate-revoke-dialog-title", "Revoke this certificate?")
		p.click("#certificate-revoke-dialog-cancel")
		p.expectAbsent("#certificate-revoke-dialog")
		p.expectAbsent("#certificate-revoked-" + issuedFP)
		p.click("#certificate-revoke-" + issuedFP)
		p.choose("revoke-certificate-reason", "keyCompromise")
		p.click("#certificate-revoke-dialog-confirm")
		p.waitText("#certificates-status", "Revoked the certificate of "+issuedSubject+": the TPP API refuses it from now on, and the sandbox CA's revocation list names it.", stepTimeout)
		p.waitText("#certificate-revoked-"+issuedFP+" .badge", "Revoked", stepTimeout)
		if got := p.text("#certificate-revoked-" + issuedFP + " .hint"); !strings.HasSuffix(got, "(keyCompromise): apps cannot use it") {
			p.fatalf("the revoked mark says %q", got)
		}
		p.expectAbsent("#certificate-revoke-" + issuedFP)

		// The organization's list says which app uses which; only an unused one can be deleted.
		p.open("/organizations/" + orgID + "/apps")
		row := func(fp string) string { return fmt.Sprintf(`#org-certificates-table tr[data-fingerprint=%q]`, fp) }
		p.waitText(row(next.fingerprint)+" td:nth-of-type(4)", appName, stepTimeout)
		p.expectText(row(current.fingerprint)+" td:nth-of-type(4)", "No app")
		p.expectAbsent("#certificate-delete-" + next.fingerprint)
		p.click("#certificate-delete-" + current.fingerprint)
		p.expectText("#certificate-delete-dialog-title", "Delete this certificate?")
		p.click("#certificate-delete-dialog-confirm")
		p.waitText("#org-certificates-status", "Deleted the certificate of "+current.subject+".", stepTimeout)
		p.expectAbsent(row(current.fingerprint))
		p.expectTexts("#org-certificates-table tbody td:nth-of-type(4)", appName, appName)
	})

	step("owner adds redirect URIs", func(t *testing.T) {
		p := ownerTab.as(t)
		p.open(appPath)
		p.openTab("app", "settings")
		p.expectText("#redirect-uris-empty", "No redirect URIs yet.")
		p.fill("redirect-uri", "http://budget.example.com/callback")
		p.submit("redirect")
		p.expectFieldErrors("redirect-uri", msgRedirectHTTPS)
		p.replace("redirect-uri", "https://budget.example.com/callback")
		p.submit("redirect")
		p.waitText("#redirect-uris-status", "Added https://budget.example.com/callback.", stepTimeout)
		p.fill("redirect-uri", "http://localhost:3000/callback")
		p.submit("redirect")
		p.waitText("#redirect-uris-status", "Added http://localhost:3000/callback.", stepTimeout)
		p.expectTexts("#redirect-uris-list code", "http://localhost:3000/callback", "https://budget.example.com/callback")
	})

	step("the app and organization pages fit a phone 390 px wide: their tabs wrap, nothing scrolls sideways", func(t *testing.T) {
		p := ownerTab.as(t)
		p.do("narrow the window", chromedp.EmulateViewport(390, 844))
		defer p.do("widen the window again", emulation.ClearDeviceMetricsOverride())
		for _, path := range []string{appPath, appPath + "/settings", "/organizations/" + orgID, "/organizations/" + orgID + "/members"} {
			p.open(path)
			p.waitSettled()
			var size struct {
				Page   int `json:"page"`
				Window int `json:"window"`
				Tabs   int `json:"tabs"`
			}
			p.do("measure "+path, chromedp.Evaluate(`({page: document.documentElement.scrollWidth, window: window.innerWidth,
				tabs: document.querySelector("nav.tabs--page").getBoundingClientRect().right})`, &size))
			if size.Page > size.Window || size.Tabs > size.Window {
				p.fatalf("%s is %d px wide with its tab bar ending at %d px, in a window of %d px", path, size.Page, size.Tabs, size.Window)
			}
		}
	})

	step("the developer's main pages, photographed at 1280 and 390 px, do not scroll sideways", func(t *testing.T) {
		p := ownerTab.as(t)
		org := "/organizations/" + orgID
		p.photographAtEachWidth(shot{"organizations", "/organizations"}, shot{"organization", org}, shot{"organization-members", org + "/members"},
			shot{"app-credentials", appPath}, shot{"app-certificates", appPath + "/certificates"},
			shot{"app-subscriptions", appPath + "/subscriptions"}, shot{"app-go-live", appPath + "/go-live"})
	})

	var premiumRequestID string
	step("owner subscribes to AIS, active at once, and to the premium product, pending", func(t *testing.T) {
		p := ownerTab.as(t)
		p.open(appPath)
		p.openTab("app", "subscriptions")
		p.expectText("#subscription-oauth2-status", "Active")
		p.expectText("#subscription-oauth2-explanation", msgMandatoryProduct)
		p.expectAbsent("#unsubscribe-oauth2")
		p.expectAbsent("#subscribe-productId-oauth2")

		// The organization's QWAC carries PSP_AI and PSP_PI, not PSP_IC.
		p.check("subscribe-productId-cof")
		p.submit("subscribe")
		p.expectFieldErrors("subscribe-productId", msgCoFRoleMissing)
		p.expectAbsent("#subscription-cof")

		p.check("subscribe-productId-ais")
		p.submit("subscribe")
		p.waitText("#subscription-ais-status", "Active", stepTimeout)
		p.expectText("#subscriptions-status", appName+" is subscribed to Account Information (AIS): it can call it now.")
		p.expectText("#subscription-ais td:nth-of-type(1)", "Sandbox: 10 requests a second, 10,000 a day")

		p.check("subscribe-productId-pay-later")
		p.submit("subscribe")
		p.waitText("#subscription-pay-later-status", "Pending approval", stepTimeout)
		p.expectText("#subscriptions-status", "Pay Later (premium) is requested and pending the bank's approval; you will get an email.")
		p.expectText("#subscription-pay-later-explanation", msgSubscriptionPending)
		p.expectAbsent("#unsubscribe-pay-later")

		p.open("/organizations/" + orgID)
		premiumRequestID = p.requestOf("Subscription", "Pending")
	})

	step("operations approve the premium subscription, which becomes active", func(t *testing.T) {
		o := opsTab.as(t)
		o.openRequest(premiumRequestID, orgName, owner.email)
		o.waitText("main h1", "Subscription request: "+orgName, 10*time.Second)
		o.expectText("#request-summary", "Subscribe "+appName+" to Pay Later (premium) (Sandbox plan)")
		o.expectText("#request-form-appName", appName)
		o.expectText("#request-form-productName", "Pay Later (premium)")
		o.expectAbsent("#request-step")
		o.expectText("#approve-request", "Approve")
		o.approve("Approve the subscription of "+orgName+"?", "Merchant agreement on file.")

		p := ownerTab.as(t)
		p.reloadUntil(appPath+"/subscriptions", "#subscription-pay-later-status", "Active")
		p.expectText("#subscription-pay-later-explanation", "The app can call this API.")
		p.click("#subscription-pay-later details summary")
		p.expectTexts("#subscription-pay-later-history .history-action", "requested", "approved")
		p.expectTexts("#subscriptions-table tbody th", "OAuth2 authorization server · scopes openid", "Account Information (AIS) · scopes AIS", "Pay Later (premium) · scopes PAY_LATER")
	})

	var prodOrgID, goLiveRequestID string
	var liveCert testCertificate
	step("owner onboards a production organization and uploads its certificate", func(t *testing.T) {
		p := ownerTab.as(t)
		prodOrgID = p.onboardWithSandboxCertificates(prodOrgName, "production")
		p.expectText("#org-environment", "Production")
		identifier := p.text("#org-organizationIdentifier code")
		o := opsTab.as(t)
		approveFirstStep(p, o, prodOrgID, prodOrgName, owner.email)
		// The first approver cannot give the second approval too.
		o.fill("decision-comment", "Checked twice.")
		o.click("#approve-request")
		o.click("#decision-dialog-confirm")
		o.waitText("#decision-error .alert-message", msgSecondApprover, stepTimeout)
		second := secondOpsTab.as(t)
		second.signIn(testenv.SecondOps.Email, testenv.SecondOps.Password)
		second.waitPath("/ops")
		second.openRequest(p.requestOf("Onboarding", "Pending"), prodOrgName, owner.email)
		second.expectText("#request-step", "Step 2 of 2: Second approval")
		second.approve("Approve the onboarding of "+prodOrgName+"?", "Licence confirmed with the register.")
		p.reloadUntil("/organizations/"+prodOrgID, "#org-status", "Active")

		p.open("/organizations/" + prodOrgID + "/apps")
		p.expectText("#apps-empty", "No apps yet.")
		// Production wants the organization's QWAC, and says so: a plain client certificate
		// is refused, each rule next to the field.
		p.expectText("#certificate-upload-rules-title", msgProductionUploadRules)
		p.expectText("#certificate-upload-rules-items li:nth-of-type(2)", "Its organizationIdentifier is "+identifier+", your organization's.")
		plain := issueClientCertificate(t, "budget-plain-"+suffix+".example", prodOrgName, 365*24*time.Hour)
		p.fill("certificate-upload-certificate", plain.pem)
		p.submit("certificate-upload")
		p.expectFieldErrors("certificate-upload-certificate",
			"This certificate has no organizationIdentifier (OID 2.5.4.97) in its subject. In production an app presents a QWAC that names your organization there: "+identifier+".",
			msgNoPSD2, msgNoQcCompliance, msgNoQcType)

		liveCert = issueQWAC(t, "budget-live-"+suffix+".example", prodOrgName, identifier, 365*24*time.Hour)
		p.replace("certificate-upload-certificate", liveCert.pem)
		p.submit("certificate-upload")
		p.waitText("#certificate-upload-status", "Uploaded the certificate of "+liveCert.subject+".", stepTimeout)
		row := fmt.Sprintf(`#org-certificates-table tr[data-fingerprint=%q]`, liveCert.fingerprint)
		p.waitText(row+" td:nth-of-type(5)", "Not proven", stepTimeout)
		p.proveUploaded(liveCert, liveCert.key, "")
		p.expectText(row+" td:nth-of-type(4)", "No app")
		p.waitText(row+" td:nth-of-type(5)", "Proven", stepTimeout)
	})

	step("owner asks for production access", func(t *testing.T) {
		p := ownerTab.as(t)
		p.open(appPath)
		p.openTab("app", "go-live")
		p.expectAbsent("#go-live-status")
		// The organizations load apart from the app; on a busy machine, after it.
		p.waitOption("go-live-productionOrganizationId", prodOrgID)
		p.choose("go-live-productionOrganizationId", prodOrgID)
		p.waitOption("go-live-certificate", liveCert.fingerprint)
		p.choose("go-live-certificate", liveCert.fingerprint)
		// Only the https redirect URIs are proposed; localhost is refused for production.
		if got := p.value("go-live-redirectUris"); got != "https://budget.example.com/callback" {
			p.fatalf("the production redirect URIs hold %q", got)
		}
		p.replace("go-live-redirectUris", "https://budget.example.com/callback\nhttp://localhost:3000/callback")
		p.submit("go-live")
		p.expectFieldErrors("go-live-redirectUris", "http://localhost:3000/callback: "+msgProductionLocalhost)
		p.expectAbsent("#go-live-status")

		p.replace("go-live-redirectUris", "https://budget.example.com/callback")
		p.submit("go-live")
		p.waitText("#go-live-badge", "Waiting for the bank", stepTimeout)
		p.waitText("#go-live-step", "Waiting for the bank: Step 1 of 2: Review", stepTimeout)
		p.expectAbsent("#go-live-form")

		p.open("/organizations/" + prodOrgID)
		goLiveRequestID = p.requestOf("Go-live", "Pending")
		p.expectText("#request-"+goLiveRequestID+"-step", "Waiting for the bank: Step 1 of 2: Review")
	})

	var prodAppPath string
	step("operations approve the review, then the signed contract", func(t *testing.T) {
		o := opsTab.as(t)
		o.openRequest(goLiveRequestID, prodOrgName, owner.email)
		o.waitText("main h1", "Go-live request: "+prodOrgName, 10*time.Second)
		o.expectText("#request-summary", "Take "+appName+" live")
		o.expectText("#request-step", "Step 1 of 2: Review")
		o.expectText("#request-form-appName", appName)
		o.expectText("#request-form-redirectUris", "https://budget.example.com/callback")
		o.expectText("#request-form-certificate", liveCert.fingerprint)
		o.expectText("#request-form-certificateSubject", strings.ReplaceAll(liveCert.subject, ", ", ","))
		o.expectText("#request-form-certificatePossession", "Possession proven by signing a challenge")
		// The certificate as uploaded: who issued it, its validity (a year: no mark) and its
		// trust (locally the sandbox CA stands in for the eIDAS truststore).
		o.expectText("#golive-certificate-fingerprint", liveCert.fingerprint)
		o.expectText("#golive-certificate-issuer", sandboxCAIssuerDN)
		o.expectText("#golive-certificate-trust .badge", "eIDAS truststore")
		o.expectAbsent("#golive-certificate-validity-state")
		o.expectText("#approve-request", "Approve step 1: Review")
		o.approveStep("Approve the go-live of "+prodOrgName+"?", "Documents complete.",
			"Approved: Step 1 of 2: Review. The request now waits for the next decision: Contract signed.")
		o.expectText("#request-step", "Step 2 of 2: Contract signed")
		o.expectText("#approve-request", "Approve step 2: Contract signed")
		o.expectText("#request-status", "Pending")

		p := ownerTab.as(t)
		p.reloadUntil(appPath+"/go-live", "#go-live-step", "Waiting for the bank: Step 2 of 2: Contract signed")

		// The reviewer may not confirm the contract: a second person does.
		second := secondOpsTab.as(t)
		second.openRequest(goLiveRequestID, prodOrgName, owner.email)
		second.expectText("#request-step", "Step 2 of 2: Contract signed")
		second.approve("Approve the go-live of "+prodOrgName+"?", "Contract signed on file.")
		second.expectTexts("#request-history .history-action", "submitted", "deciding", "approved: Review", "deciding", "approved")

		p.reloadUntil(appPath+"/go-live", "#go-live-badge", "Live")
		// Sections above the link load on their own: wait until they have, so it stays put.
		p.waitSettled()
		p.waitVisible("#go-live-history")
		p.click("#go-live-production-link")
		prodAppPath = p.waitFor("the production app's page", fmt.Sprintf(`(() => location.pathname.startsWith(%s) ? location.pathname : "")()`, js("/organizations/"+prodOrgID+"/apps/")), stepTimeout)
	})

	step("the production credential's secret is generated and shown once", func(t *testing.T) {
		p := ownerTab.as(t)
		// The sandbox app has the same name: the production app's page is there once it
		// says production.
		p.waitText("#app-environment", "Production", 10*time.Second)
		p.expectText("main h1", appName)
		p.expectText("#app-organization", prodOrgName)
		// A production app does not go live again: it has no such tab.
		p.expectAbsent("#app-tab-go-live")
		p.openTab("app", "settings")
		p.expectTexts("#redirect-uris-list code", "https://budget.example.com/callback")
		p.openTab("app", "certificates")
		p.expectText(fmt.Sprintf(`#app-certificates-table tr[data-fingerprint=%q] td:nth-of-type(2)`, liveCert.fingerprint), liveCert.fingerprint)
		p.openTab("app", "subscriptions")
		p.waitText("#subscription-ais-status", "Active", stepTimeout)
		p.expectText("#subscription-ais td:nth-of-type(1)", "Production: 50 requests a second, 500,000 a day")
		p.expectAbsent("#subscription-pay-later")
		p.openTab("app", "credentials")
		p.waitSettled()

		prodClientID := p.waitFor("the production credential", `(() => { const li = document.querySelector("#credentials-list li[data-client-id]"); return li ? li.dataset.clientId : ""; })()`, stepTimeout)
		credential := "#credential-" + prodClientID
		p.expectText(credential+" .credential-name", "Production")
		p.expectText(credential+" .credential-secret", "Not generated yet")
		p.expectAbsent("#credential-verify-" + prodClientID)

		p.click("#credential-generate-" + prodClientID)
		p.waitText("#secret-panel-title", "Your production secret", stepTimeout)
		p.expectText("#secret-clientId", prodClientID)
		p.expectText("#secret-warning", msgSecretWarning)
		prodSecret := p.text("#secret-value")
		if !secretPattern.MatchString(prodSecret) {
			p.fatalf("the production secret is %q, want 43 base64url characters", prodSecret)
		}
		p.click("#secret-copy")
		p.waitText("#secret-copy-status", msgSecretCopied, stepTimeout)
		if got := p.clipboard(); got != prodSecret {
			p.fatalf("the clipboard holds %q, want the production secret", got)
		}
		p.click("#secret-done")
		p.expectAbsent("#secret-panel")
		p.expectAbsent("#credential-generate-" + prodClientID)

		// Never shown again: the page after a reload has no secret and no generate button.
		p.open(prodAppPath)
		p.waitVisible(credential)
		p.expectPageLacks(prodSecret)
		p.expectAbsent("#credential-generate-" + prodClientID)
		if got := p.text(credential + " .credential-secret"); !strings.HasPrefix(got, "Set ") {
			p.fatalf("the production credential's secret shows %q, want it set", got)
		}
		p.verifySecret(prodClientID, p.clipboard(), msgSecretValid)
		// The sandbox credentials are not production credentials.
		p.verifySecret(prodClientID, secret, msgSecretInvalid)
	})
}

// grantClipboard lets the tab's pages write and read the clipboard without asking.
func (p *page) grantClipboard() {
	p.t.Helper()
	p.do("grant the clipboard", chromedp.ActionFunc(func(ctx context.Context) error {
		return browser.GrantPermissions([]browser.PermissionType{browser.PermissionTypeClipboardReadWrite, browser.PermissionTypeClipboardSanitizedWrite}).
			WithOrigin(p.base).WithBrowserContextID(p.contextID).Do(ctx)
	}))
}

// clipboard reads the text on the clipboard, as pasting would.
func (p *page) clipboard() string {
	p.t.Helper()
	var s string
	p.do("read the clipboard", chromedp.Evaluate(`navigator.clipboard.readText()`, &s, func(e *runtime.EvaluateParams) *runtime.EvaluateParams {
		return e.WithAwaitPromise(true).WithUserGesture(true)
	}))
	return s
}

// waitOption waits until the select with the given id offers value.
func (p *page) waitOption(id, value string) {
	p.t.Helper()
	p.waitFor("option "+value+" in #"+id, fmt.Sprintf(`(() => Array.from(document.querySelectorAll(%s)).some(o => o.value === %s) ? "yes" : "")()`, js("#"+id+" option"), js(value)), stepTimeout)
}

// untick unticks a ticked checkbox by clicking its label, clicking again if the page moved
// under the first click.
func (p *page) untick(id string) {
	p.t.Helper()
	p.expectChecked(id, true)
	for try := 0; ; try++ {
		p.click(fmt.Sprintf(`label[for=%q]`, id))
		var checked bool
		ok := p.evalStep(fmt.Sprintf(`document.getElementById(%s).checked`, js(id)), &checked) == nil && !checked
		if ok {
			return
		}
		if try == 2 {
			p.fatalf("checkbox #%s is still ticked after clicking its label %d times", id, try+1)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// waitSettled waits until no section of the page is still loading.
func (p *page) waitSettled() {
	p.t.Helper()
	p.waitFor("the page to finish loading", `document.querySelector("main .loading") ? "" : "settled"`, stepTimeout)
}

// expectPageLacks asserts that the page's text does not contain s anywhere.
func (p *page) expectPageLacks(s string) {
	p.t.Helper()
	if _, text := p.snapshot(); strings.Contains(text, s) {
		p.fatalf("the page shows %q, which must not be shown again", s)
	}
}

// verifySecret checks secret against the credential with the app page's verify form.
func (p *page) verifySecret(clientID, secret, want string) {
	p.t.Helper()
	form := "verify-" + clientID
	var open bool
	p.do("is the verify form open", chromedp.Evaluate(fmt.Sprintf(`document.getElementById(%s) !== null`, js(form+"-form")), &open))
	if !open {
		p.click("#credential-verify-" + clientID)
	}
	p.replace(form+"-secret", secret)
	p.submit(form)
	p.waitText("#"+form+"-result", want, stepTimeout)
}

// testCertificate is a client certificate issued by the sandbox CA for a test, with its
// private key.
type testCertificate struct {
	pem, base64, fingerprint, subject string
	notAfter                          time.Time
	key                               crypto.Signer
}

// proveUploaded proves possession of an uploaded certificate's key through the upload
// form's panel, as a TPP does: it reads the challenge the page shows, checks the command it
// offers for an EC key, signs the challenge as that command does (SHA-256, ECDSA, base64)
// with key and pastes the signature. With refusal, the signature is expected to be refused
// with that message next to the field; without, the page to say the key is proven.
func (p *page) proveUploaded(c testCertificate, key crypto.Signer, refusal string) {
	p.t.Helper()
	p.waitVisible(fmt.Sprintf(`#certificate-possession-panel[data-fingerprint=%q]`, c.fingerprint))
	p.expectText("#certificate-possession-heading", "Prove that you hold the private key of "+c.subject)
	challenge := p.text("#certificate-possession-text")
	if !strings.HasPrefix(challenge, "devportal-possession org=") || !strings.Contains(challenge, " sha256="+c.fingerprint+" ") {
		p.fatalf("the challenge %q is not bound to the organization and the certificate", challenge)
	}
	p.expectText("#certificate-possession-algorithm", "EC")
	p.expectText("#certificate-possession-command-ec", "printf '%s' '"+challenge+"' | openssl dgst -sha256 -sign key.pem | base64 -w0")
	digest := sha256.Sum256([]byte(challenge))
	sig, err := key.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		p.fatalf("sign the challenge: %v", err)
	}
	p.replace("certificate-possession-signature", base64.StdEncoding.EncodeToString(sig))
	p.submit("certificate-possession")
	if refusal != "" {
		p.expectFieldErrors("certificate-possession-signature", refusal)
		return
	}
	p.waitText("#certificate-upload-status", "Proved possession of the private key of "+c.subject+": apps can use the certificate now.", stepTimeout)
	p.expectAbsent("#certificate-possession-panel")
}

// issueClientCertificate issues an mTLS client certificate from the running stack's
// sandbox CA, valid for validity from now.
func issueClientCertificate(t *testing.T, commonName, organization string, validity time.Duration) testCertificate {
	t.Helper()
	c, err := env(t).CA.ClientCertificate(pkix.Name{CommonName: commonName, Organization: []string{organization}, Country: []string{"BE"}}, validity)
	if err != nil {
		t.Fatalf("issue a client certificate: %v", err)
	}
	der := c.Leaf.Raw
	sum := sha256.Sum256(der)
	return testCertificate{
		pem:         string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		base64:      base64.StdEncoding.EncodeToString(der),
		fingerprint: hex.EncodeToString(sum[:]),
		subject:     fmt.Sprintf("CN=%s, O=%s, C=BE", commonName, organization),
		notAfter:    c.Leaf.NotAfter,
		key:         c.PrivateKey.(crypto.Signer),
	}
}

// issueQWAC issues a QWAC of organizationIdentifier from the running stack's sandbox CA,
// which the local stack's eIDAS truststore holds, valid for validity from now: a
// certificate a production organization accepts.
func issueQWAC(t *testing.T, commonName, organization, organizationIdentifier string, validity time.Duration) testCertificate {
	t.Helper()
	certPEM, keyPEM, err := env(t).CA.IssueEIDAS(sandboxca.EIDASRequest{Kind: sandboxca.KindQWAC, CommonName: commonName, Organization: organization, Country: "BE",
		OrganizationIdentifier: organizationIdentifier, Roles: []string{"PSP_AI", "PSP_PI"}, NCAName: "Sandbox Competent Authority", NCAID: "BE-SBX",
		NotAfter: time.Now().Add(validity)})
	if err != nil {
		t.Fatalf("issue a QWAC: %v", err)
	}
	b, _ := pem.Decode([]byte(certPEM))
	cert, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		t.Fatalf("parse the QWAC: %v", err)
	}
	k, _ := pem.Decode([]byte(keyPEM))
	key, err := x509.ParsePKCS8PrivateKey(k.Bytes)
	if err != nil {
		t.Fatalf("parse the QWAC's key: %v", err)
	}
	sum := sha256.Sum256(b.Bytes)
	return testCertificate{
		pem:         certPEM,
		base64:      base64.StdEncoding.EncodeToString(b.Bytes),
		fingerprint: hex.EncodeToString(sum[:]),
		subject:     fmt.Sprintf("organizationIdentifier=%s, CN=%s, O=%s, C=BE", organizationIdentifier, commonName, organization),
		notAfter:    cert.NotAfter,
		key:         key.(crypto.Signer),
	}
}

// onboardWithSandboxCertificates onboards an organization in environment with test
// certificates from the sandbox CA for AIS and PIS, and returns its id.
func (p *page) onboardWithSandboxCertificates(orgName, environment string) string {
	p.t.Helper()
	p.open("/organizations/onboard")
	p.waitText("main h1", "Onboard your organization", 10*time.Second)
	p.fill("sandboxcert-organizationName", orgName)
	p.fill("sandboxcert-country", "BE")
	p.waitSettled()
	p.untick("sandboxcert-roles-PIIS")
	p.click("#issue-test-certificates")
	p.waitText("#sandboxcert-result p[role=status]", msgCertificatesIssued, stepTimeout)
	p.waitText("#onboard-preview-status", msgPreviewOK, stepTimeout)
	p.fill("onboard-firstName", "Abel")
	p.fill("onboard-lastName", "Apps")
	p.fill("onboard-email", "compliance-"+testenv.Suffix()+"@budget.example")
	p.fill("onboard-phone", "+32 2 555 01 99")
	p.check("onboard-environment-" + environment)
	p.submit("onboard")
	orgID := p.waitOrganizationPath()
	p.expectText("#org-notice p", msgOnboardSubmitted)
	p.expectText("#org-status", "Pending approval")
	return orgID
}

// approveStep approves the open request's current step (of several) with a comment,
// confirming in the dialog, and waits until the page says which step comes next. A
// request whose workflow is not waiting yet is refused as not ready: then it tries again.
func (p *page) approveStep(dialogTitle, comment, want string) {
	p.t.Helper()
	p.approveUntilAnswered(dialogTitle, comment, "step-result")
	p.expectText("#step-result", want)
	p.expectLastHistoryComment(comment)
}

// approveFirstStep has operations give the first of the two approvals a production
// organization's onboarding needs, and leaves the request page open.
func approveFirstStep(owner, ops *page, orgID, orgName, ownerEmail string) {
	owner.t.Helper()
	owner.open("/organizations/" + orgID)
	id := owner.requestOf("Onboarding", "Pending")
	ops.openRequest(id, orgName, ownerEmail)
	ops.expectText("#request-step", "Step 1 of 2: First approval")
	ops.approveStep("Approve the onboarding of "+orgName+"?", "Certificates checked.",
		"Approved: Step 1 of 2: First approval. The request now waits for the next decision: Second approval.")
}

// approveOnboarding has operations approve the organization's onboarding request and
// waits until its owner sees it active.
func approveOnboarding(owner, ops *page, orgID, orgName, ownerEmail string) {
	owner.t.Helper()
	path := "/organizations/" + orgID
	owner.open(path)
	id := owner.requestOf("Onboarding", "Pending")
	ops.openRequest(id, orgName, ownerEmail)
	// The sandbox CA issued both certificates to the owner through the portal.
	ops.expectText("#request-form-qwacPossession", "Possession proven by issuance (the sandbox CA issued it with its key)")
	ops.expectText("#request-form-qsealcPossession", "Possession proven by issuance (the sandbox CA issued it with its key)")
	ops.approve("Approve the onboarding of "+orgName+"?", "Certificates checked.")
	owner.reloadUntil(path, "#org-status", "Active")
}
