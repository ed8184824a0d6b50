package e2e

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/bank/devportal/shared/local/testenv"
)

// What the organization pages must show, copied from the Go source (shared/portal/org,
// shared/portal/account, shared/portal/approval) and the SPA (frontend/src/pages, frontend/src/lib/orgs.ts).
const (
	msgOnboardSubmitted   = "Submitted: the bank's operations team will review it; you will get an email"
	msgNoCodeYet          = "The organization gets its code once the bank approves it."
	msgPreviewOK          = "Checked your certificates: no problems found."
	msgCertificatesIssued = "Your test QWAC and QSealC are issued and filled in below."
	msgActiveExplanation  = "Active: members can build and run apps against the bank's APIs."
	msgApplied            = "Status: Approved. The decision has been applied and the requester has been emailed."
	msgNotReady           = "This request is still being set up; try again in a moment."
	msgSecondApprover     = "You approved the previous step of this request; another member of the operations team has to approve this one."
	msgRenameSubmitted    = "Submitted: the bank's operations team will review the new name; you will get an email."
	msgOffboardSubmitted  = "Submitted: the bank's operations team will review the offboarding request; you will get an email."
	msgNoOrganization     = "There is no such organization, or you are not a member of it."
	msgNoOrganizations    = "You are not a member of any organization yet."

	// The certificate rules the onboarding page states for each environment
	// (frontend/src/components/CertificateRules.tsx).
	msgSandboxOnboardingRules    = "Sandbox rules: easier, for testing."
	msgProductionOnboardingRules = "Production rules: eIDAS qualified certificates (ETSI EN 319 412-5, TS 119 495)."

	subjectInvitation = "You are invited to join "
)

// decisionTimeout bounds the wait for the approval workflow to apply a decision (the
// operations request page itself polls for 20 s).
const decisionTimeout = 20 * time.Second

// Organization codes: 10 characters without look-alikes (shared/portal/org NewCode).
var (
	codePattern       = regexp.MustCompile(`^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{10}$`)
	identifierPattern = regexp.MustCompile(`^PSDBE-SBX-[0-9A-F]{10}$`)
	orgPathPattern    = regexp.MustCompile(`^/organizations/([0-9a-f]{16})$`)
)

// TestOrganizationJourney follows one organization through its life: onboarding with
// sandbox certificates, approval in the operations console, a developer joining with the
// code, an administrator joining by invitation, a role change, a rename and offboarding.
// The steps share their state and run in order; a failed step stops the journey.
func TestOrganizationJourney(t *testing.T) {
	t.Parallel()
	suffix := testenv.Suffix()
	orgName := "Acme Payments " + suffix
	newName := "Acme Pay Group " + suffix
	owner, dev, admin := newUser("org-owner"), newUser("org-dev"), newUser("org-admin")
	owner.name, dev.name, admin.name = "Olivia Owner", "Devon Developer", "Adele Admin"

	// One browser context each: the owner, operations, the developer and the administrator.
	ownerTab, opsTab, devTab, adminTab := newPage(t), newPage(t), newPage(t), newPage(t)
	var orgID, orgPath, identifier, code string

	step := func(name string, run func(t *testing.T)) {
		t.Helper()
		if !t.Run(name, run) {
			t.FailNow()
		}
	}

	step("owner onboards with sandbox certificates", func(t *testing.T) {
		p := ownerTab.as(t)
		p.signUp(owner)
		p.activate(owner)
		p.signIn(owner.email, owner.password)
		p.expectAccountPage(owner)

		p.open("/organizations/onboard")
		p.waitText("main h1", "Onboard your organization", 10*time.Second)
		// Test certificates from the sandbox CA: all three roles are proposed while the
		// onboarding form has no services; this organization wants AIS and PIS.
		p.fill("sandboxcert-organizationName", orgName)
		p.fill("sandboxcert-country", "BE")
		p.expectChecked("sandboxcert-roles-AIS", true)
		p.expectChecked("sandboxcert-roles-PIS", true)
		p.uncheck("sandboxcert-roles-PIIS")
		p.click("#issue-test-certificates")
		p.waitText("#sandboxcert-result p[role=status]", msgCertificatesIssued, stepTimeout)

		// The certificates fill the onboarding form, with the company and the services.
		if qwac := p.value("onboard-qwac"); !strings.HasPrefix(qwac, "-----BEGIN CERTIFICATE-----") {
			p.fatalf("the QWAC field holds %q, want a PEM certificate", qwac)
		}
		if qseal := p.value("onboard-qsealc"); !strings.HasPrefix(qseal, "-----BEGIN CERTIFICATE-----") || qseal == p.value("onboard-qwac") {
			p.fatalf("the QSealC field holds %q, want a second PEM certificate", qseal)
		}
		if got := p.value("onboard-company"); got != orgName {
			p.fatalf("the company field holds %q, want %q", got, orgName)
		}
		p.expectChecked("onboard-roles-AIS", true)
		p.expectChecked("onboard-roles-PIS", true)
		p.expectChecked("onboard-roles-PIIS", false)

		// What the certificates say, parsed by the server.
		p.waitVisible("#qsealc-details")
		p.waitText("#onboard-preview-status", msgPreviewOK, stepTimeout)
		identifier = p.text("#qwac-details-organizationIdentifier code")
		if !identifierPattern.MatchString(identifier) {
			p.fatalf("the QWAC's organizationIdentifier is %q, want PSDBE-SBX- and 10 hexadecimal digits", identifier)
		}
		parts := fmt.Sprintf("%s (Scheme PSD · Country BE · Authority SBX · Authorisation number %s)", identifier, strings.TrimPrefix(identifier, "PSDBE-SBX-"))
		for _, c := range []struct{ id, qualified string }{{"qwac", "website authentication (QWAC)"}, {"qsealc", "electronic seal (QSealC)"}} {
			p.expectText("#"+c.id+"-details-roles", "PSP_AI (account information), PSP_PI (payment initiation)")
			p.expectText("#"+c.id+"-details-organizationIdentifier", parts)
			p.expectText("#"+c.id+"-details-subject", fmt.Sprintf("CN=%s, O=%s, C=BE", orgName, orgName))
			p.expectText("#"+c.id+"-details-qualified", "Qualified, "+c.qualified)
			p.expectText("#"+c.id+"-details-authority", "Sandbox Competent Authority (BE-SBX)")
		}
		p.expectTexts("#sandboxcert-result .download-row code", identifier, identifier)

		// The page says which certificate rules apply in the environment chosen.
		p.expectText("#onboard-rules-title", msgSandboxOnboardingRules)
		p.check("onboard-environment-production")
		p.expectText("#onboard-rules-title", msgProductionOnboardingRules)
		p.expectText("#onboard-rules-items li:nth-of-type(1)", "Both certificates are valid today and issued by a qualified trust service provider of the bank's eIDAS truststore: test certificates of the sandbox CA are refused.")

		p.fill("onboard-firstName", "Olivia")
		p.fill("onboard-lastName", "Owner")
		p.fill("onboard-email", "compliance-"+suffix+"@acme.example")
		p.fill("onboard-phone", "+32 2 555 01 23")
		p.check("onboard-environment-sandbox")
		p.expectText("#onboard-rules-title", msgSandboxOnboardingRules)
		p.submit("onboard")

		orgID = p.waitOrganizationPath()
		orgPath = "/organizations/" + orgID
		p.expectText("#org-notice p", msgOnboardSubmitted)
		p.expectText("#org-name", orgName)
		p.expectText("#org-status", "Pending approval")
		p.expectText("#org-code-none", msgNoCodeYet)
		p.expectAbsent("#org-code")
		p.expectText("#org-role", "Owner")
		p.expectText("#org-environment", "Sandbox")
		p.expectText("#org-services", "Account information (AIS), Payment initiation (PIS)")
		p.expectText("#org-organizationIdentifier", identifier)
	})

	var onboardingID string
	step("operations approve the onboarding", func(t *testing.T) {
		onboardingID = ownerTab.as(t).requestOf("Onboarding", "Pending")

		p := opsTab.as(t)
		p.signIn(testenv.Ops.Email, testenv.Ops.Password)
		p.waitPath("/ops")
		p.openRequest(onboardingID, orgName, owner.email)
		p.waitText("main h1", "Onboarding request: "+orgName, 10*time.Second)
		p.expectText("#request-summary", fmt.Sprintf("Onboard %s (%s) for AIS, PIS", orgName, identifier))
		p.expectText("#request-form-company", orgName)
		p.expectText("#request-form-roles", "AIS, PIS")
		p.expectText("#request-form-environment", "sandbox")
		p.expectText("#request-form-organizationIdentifier", identifier)
		p.expectText("#ops-org-status .badge", "Pending approval")
		// The certificates as operations see them, parsed from what onboarding stored.
		for _, c := range []string{"qwac", "qsealc"} {
			p.expectText("#"+c+"-details-roles", "PSP_AI (account information), PSP_PI (payment initiation)")
			p.expectText("#"+c+"-details-organizationIdentifier code", identifier)
			p.expectText("#request-form-"+c+"Fingerprint", p.text("#"+c+"-details-fingerprint"))
			// Locally the sandbox CA stands in for the eIDAS truststore (devstack), so the
			// test certificates chain to it; valid for a year, they carry no validity mark.
			p.expectText("#"+c+"-details-trust .badge", "eIDAS truststore")
			p.expectText("#"+c+"-details-issuer", sandboxCAIssuerDN)
			p.expectAbsent("#" + c + "-details-validity-state")
		}

		comment := "Certificates and authorisation checked."
		p.approve("Approve the onboarding of "+orgName+"?", comment)
		p.expectText("#ops-org-status .badge", "Active")
		p.expectLastHistoryComment(comment)
	})

	step("owner sees the active organization and its code", func(t *testing.T) {
		p := ownerTab.as(t)
		p.reloadUntil(orgPath, "#org-status", "Active")
		p.expectText("#org-status-explanation", msgActiveExplanation)
		code = p.text("#org-code")
		if !codePattern.MatchString(code) {
			p.fatalf("the organization code is %q, want 10 characters of %s", code, codePattern)
		}
		p.expectAbsent("#org-code-none")
		p.openTab("org", "requests")
		p.expectText("#request-"+onboardingID+"-status", "Approved")

		// The decision was emailed, with the code and a link to the organization's requests,
		// where the decision is.
		m := p.findMail(owner.email, "Sandbox: "+orgName+" is approved")
		if want := p.base + orgPath + "/requests"; m.link != want {
			t.Errorf("the approval email links to %q, want %q", m.link, want)
		}
		if body := p.text(strings.TrimSuffix(m.sel, " a")); !strings.Contains(body, "Your organization code is "+code+":") {
			t.Errorf("the approval email says %q, want it to give the code %s", body, code)
		}
	})

	step("a developer signs up with the organization code", func(t *testing.T) {
		p := devTab.as(t)
		p.fillSignup(dev, dev.password, true)
		p.fill("signup-organizationCode", code)
		p.submit("signup")
		p.expectText("#signup-success h1", "Check your email")
		m := p.findMail(dev.email, subjectActivation)
		p.click(m.sel)
		p.confirmActivation(dev.password)
		p.expectText("#activate-success strong", "Your account is active and you joined "+orgName+" as App Developer. You can sign in now.")

		p.signIn(dev.email, dev.password)
		p.expectAccountPage(dev)
		p.open(orgPath)
		p.expectText("#org-name", orgName)
		p.expectText("#org-status", "Active")
		p.expectText("#org-role", "App Developer")
		p.expectAbsent("#org-code")
		p.expectAbsent("#code-heading")
		// A developer has no invitations, audit or settings tab.
		p.expectTexts("#org-tabs a", "Overview", "Members", "Requests")
	})

	step("owner invites an administrator who accepts", func(t *testing.T) {
		p := ownerTab.as(t)
		p.open(orgPath)
		p.expectText("#org-members", "2 of at most 10")
		p.openTab("org", "invitations")
		p.fill("invite-email", admin.email)
		p.choose("invite-role", "ADMIN")
		p.submit("invite")
		p.expectText("#invite-sent", "Invitation sent to "+admin.email+".")
		invitationID := p.waitFor("the invitation to "+admin.email+" in the table", fmt.Sprintf(`(() => {
			for (const tr of document.querySelectorAll("#invitations-table tbody tr[data-invitation-id]")) {
				if (tr.querySelector("th").textContent.trim() === %s) return tr.dataset.invitationId;
			}
			return "";
		})()`, js(admin.email)), stepTimeout)
		row := fmt.Sprintf(`#invitations-table tr[data-invitation-id=%q]`, invitationID)
		p.expectText(row+" td:nth-of-type(1)", "Administrator")
		p.expectText("#invitation-status-"+invitationID, "Pending")
		p.expectText(row+" td:nth-of-type(3)", owner.email)

		a := adminTab.as(t)
		a.signUp(admin)
		a.activate(admin)
		m := a.findMail(admin.email, subjectInvitation+orgName)
		if prefix := a.base + "/invitations/accept#token="; !strings.HasPrefix(m.link, prefix) {
			t.Fatalf("the invitation email links to %q, want %s…", m.link, prefix)
		}
		a.click(m.sel)
		a.waitPath("/invitations/accept")
		a.expectText("#invitation-organization", orgName)
		a.waitText("main h1", "Join "+orgName, 10*time.Second)
		a.expectText("#invitation-role", "Administrator (Invites and removes members and changes their roles)")
		a.expectText("#invitation-email", admin.email)
		a.expectText("#invitation-status", "Pending")
		// Not signed in yet: sign in from the invitation and come back to it.
		a.click("#invitation-login")
		a.waitPath("/login")
		a.fill("login-email", admin.email)
		a.fill("login-password", admin.password)
		a.submit("login")
		a.waitPath("/invitations/accept")
		a.expectText("#invitation-organization", orgName)
		a.click("#accept-invitation")
		a.waitPath(orgPath)
		a.expectText("#org-notice p", "You joined "+orgName+" as Administrator.")
		a.expectText("#org-role", "Administrator")
		a.expectText("#org-code", code)

		p.open(orgPath)
		p.expectText("#org-members", "3 of at most 10")
		p.openTab("org", "invitations")
		p.expectText("#invitation-status-"+invitationID, "Accepted")
		// Back returns to the overview and forward to the tab; the tab's own address
		// opens it too.
		p.do("go back", chromedp.Evaluate(`history.back()`, nil))
		p.waitPath(orgPath)
		p.expectText("#org-members", "3 of at most 10")
		p.do("go forward", chromedp.Evaluate(`history.forward()`, nil))
		p.waitPath(orgPath + "/invitations")
		p.expectText("#invitation-status-"+invitationID, "Accepted")
		p.open(orgPath + "/invitations")
		p.expectText("#invitation-status-"+invitationID, "Accepted")
	})

	step("owner makes the developer a viewer", func(t *testing.T) {
		p := ownerTab.as(t)
		p.open(orgPath + "/members")
		devID := p.memberID(dev.email)
		p.choose("member-role-"+devID, "VIEWER")
		p.click("#member-role-save-" + devID)
		p.waitText("#members-status", dev.name+" is now Viewer.", stepTimeout)

		d := devTab.as(t)
		d.open(orgPath)
		d.expectText("#org-role", "Viewer")
	})

	step("operations approve a rename", func(t *testing.T) {
		p := ownerTab.as(t)
		p.open(orgPath)
		p.openTab("org", "settings")
		p.fill("rename-name", newName)
		p.fill("rename-reason", "Our legal name changed after the merger.")
		p.submit("rename")
		p.expectText("#rename-submitted p", msgRenameSubmitted)
		p.expectText("#org-name", orgName) // until the bank approves
		renameID := p.requestOf("Rename", "Pending")

		o := opsTab.as(t)
		o.openRequest(renameID, orgName, owner.email)
		o.waitText("main h1", "Rename request: "+orgName, 10*time.Second)
		o.expectText("#request-summary", "Rename to "+newName)
		o.expectText("#request-form-name", newName)
		o.expectText("#request-form-reason", "Our legal name changed after the merger.")
		o.approve("Approve the rename of "+orgName+"?", "Matches the commercial register.")
		o.expectText("#ops-org-name", newName)

		p.reloadUntil(orgPath, "#org-name", newName)
		p.openTab("org", "requests")
		p.expectText("#request-"+renameID+"-status", "Approved")
	})

	step("operations approve offboarding", func(t *testing.T) {
		p := ownerTab.as(t)
		p.open(orgPath + "/settings")
		p.fill("offboard-reason", "We are closing the business.")
		p.check("offboard-confirm")
		p.submit("offboard")
		p.expectText("#offboard-dialog-title", "Request offboarding of "+newName+"?")
		p.click("#offboard-dialog-confirm")
		p.expectText("#offboard-submitted p", msgOffboardSubmitted)
		offboardingID := p.requestOf("Offboarding", "Pending")

		o := opsTab.as(t)
		o.openRequest(offboardingID, newName, owner.email)
		o.waitText("main h1", "Offboarding request: "+newName, 10*time.Second)
		o.expectText("#request-summary", "Offboard the organization")
		o.expectText("#request-form-reason", "We are closing the business.")
		o.approve("Approve the offboarding of "+newName+"?", "Confirmed with the owner.")
		o.expectText("#ops-org-status .badge", "Offboarded")

		// Offboarding ends every member's access: the API answers 404 and the page says so.
		p.reloadUntil(orgPath, "main h1", "Organization not found")
		p.expectText("#org-error strong", msgNoOrganization)
		a := adminTab.as(t)
		a.open(orgPath)
		a.waitText("main h1", "Organization not found", 10*time.Second)
		a.expectText("#org-error strong", msgNoOrganization)
		for _, q := range []*page{p, a, devTab.as(t)} {
			q.open("/organizations")
			q.expectText("#orgs-empty", msgNoOrganizations)
			q.expectAbsent(fmt.Sprintf(`[data-org-id=%q]`, orgID))
		}

		// Operations still see the organization, offboarded, and nothing of it waits.
		o.open("/ops")
		o.waitVisible("#ops-requests-table, #ops-requests-empty")
		o.expectAbsent("#ops-request-" + offboardingID)
		o.click("#ops-tab-organizations")
		o.waitPath("/ops/organizations")
		row := fmt.Sprintf(`#ops-organizations-table tr[data-org-id=%q]`, orgID)
		o.expectText(row+" th", newName)
		o.expectText(row+" td:nth-of-type(1)", identifier)
		o.expectText(row+" td:nth-of-type(3)", "Offboarded")
		o.expectText(row+" td:nth-of-type(4)", "3")
		o.click(row + " th a")
		o.waitPath("/ops/organizations/" + orgID)
		o.waitText("main h1", newName, 10*time.Second)
		o.expectText("#ops-org-status", "Offboarded Reason: We are closing the business.")
		o.expectText("#ops-org-code", code)

		// The operations audit trail, filtered to the organization and one action, shows who
		// changed the developer's role; a filter that matches nothing says so.
		o.click("#ops-tab-audit")
		o.waitPath("/ops/audit")
		o.waitOption("ops-audit-org", orgID)
		o.choose("ops-audit-org", orgID)
		o.waitOption("ops-audit-action", "member.role_changed")
		o.choose("ops-audit-action", "member.role_changed")
		// The server filters: the page shows its answer a moment later.
		o.waitText("#ops-audit-count", "1 event matches the filters.", 10*time.Second)
		o.expectTexts("#ops-audit-table tbody td:nth-of-type(3)", owner.email)
		o.expectText("#ops-audit-table tbody td:nth-of-type(2)", newName)
		o.fill("ops-audit-actor", "nobody-"+testenv.Suffix())
		o.waitText("#ops-audit-empty", "No event matches these filters.", 10*time.Second)
	})
}

// as returns the page driven by the (sub)test t; the tab and its cookies stay the same.
// When t, a journey's step, ends without failing, the page the tab shows then is checked
// with axe-core, once per step and tab.
func (p *page) as(t *testing.T) *page {
	q := *p
	q.t = t
	if !q.stepsChecked[t] {
		q.stepsChecked[t] = true
		t.Cleanup(func() {
			if !t.Failed() {
				q.checkAccessibility()
			}
		})
	}
	return &q
}

// value returns what the input or textarea with the given id holds.
func (p *page) value(id string) string {
	p.t.Helper()
	var v string
	p.do("read #"+id, chromedp.WaitReady("#"+id, chromedp.ByQuery), chromedp.Value("#"+id, &v, chromedp.ByQuery))
	return v
}

// waitVisible waits until sel is visible.
func (p *page) waitVisible(sel string) {
	p.t.Helper()
	p.do("wait for "+sel, chromedp.WaitVisible(sel, chromedp.ByQuery))
}

// expectChecked asserts the state of a checkbox or radio button.
func (p *page) expectChecked(id string, want bool) {
	p.t.Helper()
	var checked bool
	p.do("read #"+id, chromedp.WaitReady("#"+id, chromedp.ByQuery),
		chromedp.Evaluate(fmt.Sprintf(`document.getElementById(%s).checked`, js(id)), &checked))
	if checked != want {
		p.fatalf("checkbox #%s is ticked: %v, want %v", id, checked, want)
	}
}

// uncheck unticks a ticked checkbox by clicking its label.
func (p *page) uncheck(id string) {
	p.t.Helper()
	p.expectChecked(id, true)
	p.click(fmt.Sprintf(`label[for=%q]`, id))
	p.expectChecked(id, false)
}

// choose picks the option with value in the select with the given id. Chromium draws a
// select's options outside the page, where a click cannot reach them, so the choice is
// made as the keyboard would: set the value and fire the change event React listens to.
func (p *page) choose(id, value string) {
	p.t.Helper()
	sel := "#" + id
	var got string
	p.do("choose "+value+" in "+sel,
		chromedp.WaitVisible(sel, chromedp.ByQuery),
		chromedp.Focus(sel, chromedp.ByQuery),
		chromedp.Evaluate(fmt.Sprintf(`(() => {
			const el = document.querySelector(%s);
			Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, "value").set.call(el, %s);
			el.dispatchEvent(new Event("change", {bubbles: true}));
			return el.value;
		})()`, js(sel), js(value)), &got))
	if got != value {
		p.fatalf("select %s has no option %q (it holds %q)", sel, value, got)
	}
}

// expectTexts asserts the visible texts of every element sel matches, in order.
func (p *page) expectTexts(sel string, want ...string) {
	p.t.Helper()
	var got []string
	p.do("read "+sel, chromedp.WaitVisible(sel, chromedp.ByQuery), chromedp.Evaluate(fmt.Sprintf(
		`Array.from(document.querySelectorAll(%s)).map(e => e.innerText.trim())`, js(sel)), &got))
	if strings.Join(got, "\n") != strings.Join(want, "\n") || len(got) != len(want) {
		p.fatalf("%s show %q, want %q", sel, got, want)
	}
}

// evalStep runs expr in the page within a short time; errors (say, a navigation under
// way) are the caller's to retry.
func (p *page) evalStep(expr string, out any) error {
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate(expr, out))
}

// waitFor polls expr, a JavaScript expression giving a string, until it is not empty and
// returns it.
func (p *page) waitFor(what, expr string, within time.Duration) string {
	p.t.Helper()
	deadline := time.Now().Add(within)
	for {
		var s string
		err := p.evalStep(expr, &s)
		if err == nil && s != "" {
			return s
		}
		if time.Now().After(deadline) {
			p.fatalf("%s did not appear within %s (last error %v)", what, within, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// textNow returns the visible text of sel, and whether it is there.
func (p *page) textNow(sel string) (string, bool, error) {
	var got struct {
		Found bool   `json:"found"`
		Text  string `json:"text"`
	}
	err := p.evalStep(fmt.Sprintf(`(() => { const e = document.querySelector(%s); return e ? {found: true, text: e.innerText.trim()} : {found: false, text: ""}; })()`, js(sel)), &got)
	return got.Text, got.Found, err
}

// waitText waits until sel shows want, for texts that change after an answer arrives.
func (p *page) waitText(sel, want string, within time.Duration) {
	p.t.Helper()
	if got, ok := p.pollText(sel, want, within); !ok {
		p.fatalf("%s shows %q after %s, want %q", sel, got, within, want)
	}
}

// pollText polls sel until it shows want or the time is up; it returns the last text.
func (p *page) pollText(sel, want string, within time.Duration) (string, bool) {
	deadline := time.Now().Add(within)
	for {
		got, found, err := p.textNow(sel)
		if err == nil && found && got == want {
			return got, true
		}
		if !found {
			got = "(nothing)"
		}
		if time.Now().After(deadline) {
			return got, false
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// reloadUntil opens path again and again until sel shows want: for what the approval
// workflow writes in the background.
func (p *page) reloadUntil(path, sel, want string) {
	p.t.Helper()
	deadline := time.Now().Add(decisionTimeout)
	for {
		p.open(path)
		got, ok := p.pollText(sel, want, time.Second)
		if ok {
			return
		}
		if time.Now().After(deadline) {
			p.fatalf("%s still shows %q after reloading %s for %s, want %q", sel, got, path, decisionTimeout, want)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// waitOrganizationPath waits for an organization's page and returns its id.
func (p *page) waitOrganizationPath() string {
	p.t.Helper()
	path := p.waitFor("an organization's page", `(() => /^\/organizations\/[0-9a-f]{16}$/.test(location.pathname) ? location.pathname : "")()`, stepTimeout)
	return orgPathPattern.FindStringSubmatch(path)[1]
}

// requestOf opens the Requests tab of the open organization page and returns the id of
// the newest request of a kind ("Onboarding", "Rename", "Offboarding"), once it shows status.
func (p *page) requestOf(kind, status string) string {
	p.t.Helper()
	p.openTab("org", "requests")
	return p.waitFor(kind+" request with status "+status, fmt.Sprintf(`(() => {
		for (const li of document.querySelectorAll("#requests-list li[data-request-id]")) {
			const h = li.querySelector("h3"), badge = li.querySelector(".badge");
			if (h && h.firstChild && h.firstChild.textContent.trim() === %s && badge && badge.textContent.trim() === %s) return li.dataset.requestId;
		}
		return "";
	})()`, js(kind), js(status)), stepTimeout)
}

// memberID returns the user id of the member with this email in the members table.
func (p *page) memberID(email string) string {
	p.t.Helper()
	return p.waitFor("member "+email, fmt.Sprintf(`(() => {
		for (const tr of document.querySelectorAll("#members-table tbody tr[data-user-id]")) {
			const td = tr.querySelector("td");
			if (td && td.textContent.trim() === %s) return tr.dataset.userId;
		}
		return "";
	})()`, js(email)), stepTimeout)
}

// openRequest opens a request from the operations inbox, after checking its row.
func (p *page) openRequest(id, orgName, requester string) {
	p.t.Helper()
	p.open("/ops")
	p.waitText("main h1", "Requests", 10*time.Second)
	link := "#ops-request-" + id
	// The inbox pages, oldest first: a new request may be on a later page, or not loaded
	// yet (the next refresh starts from the first page again).
	p.waitFor("request "+id+" in the inbox", fmt.Sprintf(`(() => {
		if (document.querySelector(%s)) return "found";
		const more = document.getElementById("ops-requests-more");
		if (more && !more.disabled) { more.click(); return ""; }
		const refresh = document.getElementById("ops-refresh");
		if (refresh && !refresh.disabled && !more) refresh.click();
		return "";
	})()`, js(link)), stepTimeout)
	row := fmt.Sprintf(`#ops-requests-table tr[data-request-id=%q]`, id)
	p.expectText(row+" td:nth-of-type(1)", orgName)
	// td 2 is the environment.
	p.expectText(row+" td:nth-of-type(3)", requester)
	p.expectText(row+" .badge[data-status]", "Pending") // the status badge, not the environment one
	p.click(link)
	p.waitPath("/ops/requests/" + id)
	p.expectText("#request-status", "Pending")
}

// approveUntilAnswered approves the open request with a comment, confirming in the
// dialog, until the element resultID appears. A request whose workflow has not started
// waiting yet is refused as not ready: then the decision is sent again.
func (p *page) approveUntilAnswered(dialogTitle, comment, resultID string) {
	p.t.Helper()
	p.fill("decision-comment", comment)
	deadline := time.Now().Add(decisionTimeout)
	for {
		p.click("#approve-request")
		p.expectText("#decision-dialog-title", dialogTitle)
		p.click("#decision-dialog-confirm")
		outcome := p.waitFor("the answer to the decision", fmt.Sprintf(`(() => {
			if (document.querySelector("#approve-request[aria-busy]")) return "";
			if (document.getElementById(%s)) return "result";
			return document.getElementById("decision-error") ? "error" : "";
		})()`, js(resultID)), stepTimeout)
		if outcome == "result" {
			return
		}
		msg := p.text("#decision-error .alert-message")
		if msg != msgNotReady || time.Now().After(deadline) {
			p.fatalf("approving was refused: %q", msg)
		}
		p.t.Logf("the request is not ready for a decision yet; approving again")
		time.Sleep(300 * time.Millisecond)
	}
}

// approve approves the open request with a comment, confirming in the dialog, and waits
// until the page shows the workflow applied it. A request whose workflow has not started
// waiting yet is refused as not ready: then the decision is sent again.
func (p *page) approve(dialogTitle, comment string) {
	p.t.Helper()
	p.approveUntilAnswered(dialogTitle, comment, "decision-result")
	p.waitText("#request-status", "Approved", decisionTimeout)
	p.expectText("#decision-result", msgApplied)
	p.expectAbsent("#decision-form")
}

// expectLastHistoryComment asserts the comment of the request history's newest event.
func (p *page) expectLastHistoryComment(want string) {
	p.t.Helper()
	got := p.waitFor("the decision in the history", `(() => {
		const cs = document.querySelectorAll("#request-history .history-comment");
		return cs.length ? cs[cs.length - 1].textContent.trim() : "";
	})()`, stepTimeout)
	if got != want {
		p.fatalf("the request history ends with the comment %q, want %q", got, want)
	}
}
