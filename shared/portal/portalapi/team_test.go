package portalapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/platform/paging"
	"github.com/bank/devportal/shared/portal/org"
)

// activeOrg onboards an organization for owner and has operations approve it.
func (h *harness) activeOrg(owner *http.Client) (orgID, code string) {
	h.t.Helper()
	qwac, qseal := h.certificates(owner, "PSDBE-NBB-"+strings.ToUpper(testenv.Suffix()), "AIS", "PIS")
	r := h.call(owner, "POST", "/api/organizations", onboardingForm(qwac, qseal, "AIS")).expect(h.t, 202, "")
	orgID = r.body["organization"].(map[string]any)["id"].(string)
	h.decide(h.ops(), r.body["request"].(map[string]any)["id"].(string), "approve", "ok").expect(h.t, 202, "")
	r = h.eventually(owner, "GET", "/api/organizations/"+orgID, nil, func(r response) bool { return r.body["status"] == "ACTIVE" })
	return orgID, r.body["code"].(string)
}

type person struct {
	email  string
	client *http.Client
	id     string
}

func (h *harness) person(label string) person {
	email := label + "-" + testenv.Suffix() + "@example.com"
	c := h.activeUser(email)
	r := h.call(c, "GET", "/api/account", nil).expect(h.t, 200, "")
	return person{email: email, client: c, id: r.body["userId"].(string)}
}

func (h *harness) invitationLink(email string) string {
	return h.lastLink(email, "invited")
}

func TestTeamAndOrganizationChanges(t *testing.T) {
	h := newHarness(t)
	owner := h.person("owner")
	orgID, code := h.activeOrg(owner.client)
	base := "/api/organizations/" + orgID

	// Invitations: send, refuse duplicates, resend (old link dead), wrong account, accept.
	adminEmail := "admin-" + testenv.Suffix() + "@example.com"
	r := h.call(owner.client, "POST", base+"/invitations", map[string]any{"email": adminEmail, "role": "ADMIN"}).expect(t, 201, "")
	invID := r.body["id"].(string)
	r = h.call(owner.client, "POST", base+"/invitations", map[string]any{"email": adminEmail, "role": "VIEWER"}).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[email:invited]" {
		t.Fatalf("fields = %v", r.fields())
	}
	r = h.call(owner.client, "POST", base+"/invitations", map[string]any{"email": owner.email, "role": "VIEWER"}).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[email:member]" {
		t.Fatalf("fields = %v", r.fields())
	}
	first := h.invitationLink(adminEmail)
	h.call(owner.client, "POST", base+"/invitations/"+invID+"/resend", nil).expect(t, 429, "TOO_SOON")
	h.api.Orgs.Now = func() time.Time { return time.Now().UTC().Add(2 * time.Minute) }
	h.call(owner.client, "POST", base+"/invitations/"+invID+"/resend", nil).expect(t, 200, "")
	h.api.Orgs.Now = func() time.Time { return time.Now().UTC() }
	second := h.invitationLink(adminEmail)
	h.call(nil, "POST", "/api/invitations/lookup", map[string]any{"token": first}).expect(t, 404, "INVITATION_INVALID")
	r = h.call(nil, "POST", "/api/invitations/lookup", map[string]any{"token": second}).expect(t, 200, "")
	if r.body["organizationName"] != "Acme Payments" || r.body["role"] != "ADMIN" || r.body["status"] != "PENDING" {
		t.Fatalf("invitation info = %s", r.raw)
	}
	stranger := h.person("stranger")
	h.call(stranger.client, "POST", "/api/invitations/accept", map[string]any{"token": second}).expect(t, 403, "INVITATION_FOR_OTHER")
	adminClient := h.activeUser(adminEmail)
	r = h.call(adminClient, "POST", "/api/invitations/accept", map[string]any{"token": second}).expect(t, 200, "")
	if r.body["role"] != "ADMIN" || r.body["code"] != code {
		t.Fatalf("accepted = %s", r.raw)
	}
	h.call(adminClient, "POST", "/api/invitations/accept", map[string]any{"token": second}).expect(t, 410, "INVITATION_CLOSED")
	admin := person{email: adminEmail, client: adminClient, id: h.call(adminClient, "GET", "/api/account", nil).body["userId"].(string)}

	// A revoked invitation and an expired one cannot be accepted.
	viewerEmail := "viewer-" + testenv.Suffix() + "@example.com"
	r = h.call(admin.client, "POST", base+"/invitations", map[string]any{"email": viewerEmail, "role": "VIEWER"}).expect(t, 201, "")
	h.call(admin.client, "DELETE", base+"/invitations/"+r.body["id"].(string), nil).expect(t, 204, "")
	viewerClient := h.activeUser(viewerEmail)
	h.call(viewerClient, "POST", "/api/invitations/accept", map[string]any{"token": h.invitationLink(viewerEmail)}).expect(t, 404, "INVITATION_INVALID")
	r = h.call(admin.client, "POST", base+"/invitations", map[string]any{"email": viewerEmail, "role": "VIEWER"}).expect(t, 201, "")
	late := h.invitationLink(viewerEmail)
	h.api.Orgs.Now = func() time.Time { return time.Now().UTC().Add(8 * 24 * time.Hour) }
	h.call(viewerClient, "POST", "/api/invitations/accept", map[string]any{"token": late}).expect(t, 410, "INVITATION_EXPIRED")
	r = h.call(admin.client, "GET", base+"/invitations", nil).expect(t, 200, "")
	var statuses []string
	for _, inv := range r.body["invitations"].([]any) {
		statuses = append(statuses, inv.(map[string]any)["status"].(string))
	}
	if len(statuses) != 3 || !strings.Contains(fmt.Sprint(statuses), "ACCEPTED") || !strings.Contains(fmt.Sprint(statuses), "REVOKED") || !strings.Contains(fmt.Sprint(statuses), "EXPIRED") {
		t.Fatalf("invitations = %v", statuses)
	}
	viewerInv := ""
	for _, inv := range r.body["invitations"].([]any) {
		if inv.(map[string]any)["email"] == viewerEmail && inv.(map[string]any)["status"] == "EXPIRED" {
			viewerInv = inv.(map[string]any)["id"].(string)
		}
	}
	// An expired invitation can be sent again at once, with a new expiry.
	h.call(admin.client, "POST", base+"/invitations/"+viewerInv+"/resend", nil).expect(t, 200, "")
	h.api.Orgs.Now = func() time.Time { return time.Now().UTC() }
	h.call(viewerClient, "POST", "/api/invitations/accept", map[string]any{"token": h.invitationLink(viewerEmail)}).expect(t, 200, "")
	viewer := person{email: viewerEmail, client: viewerClient, id: h.call(viewerClient, "GET", "/api/account", nil).body["userId"].(string)}

	// An invitation from an administrator who is demoted before it is accepted is void.
	late2 := "late-" + testenv.Suffix() + "@example.com"
	h.call(admin.client, "POST", base+"/invitations", map[string]any{"email": late2, "role": "VIEWER"}).expect(t, 201, "")
	h.call(owner.client, "PATCH", base+"/members/"+admin.id, map[string]any{"role": "DEVELOPER"}).expect(t, 200, "")
	late2Client := h.activeUser(late2)
	h.call(late2Client, "POST", "/api/invitations/accept", map[string]any{"token": h.invitationLink(late2)}).expect(t, 410, "INVITATION_CLOSED")
	h.call(owner.client, "PATCH", base+"/members/"+admin.id, map[string]any{"role": "ADMIN"}).expect(t, 200, "")

	// Roles: the admin changes the viewer's role, cannot touch the owner or hand ownership.
	dev := h.person("dev")
	h.call(dev.client, "POST", "/api/organizations/join", map[string]any{"code": code}).expect(t, 200, "")
	r = h.call(admin.client, "PATCH", base+"/members/"+viewer.id, map[string]any{"role": "DEVELOPER"}).expect(t, 200, "")
	if r.body["role"] != "DEVELOPER" {
		t.Fatalf("role change = %s", r.raw)
	}
	h.call(admin.client, "PATCH", base+"/members/"+owner.id, map[string]any{"role": "VIEWER"}).expect(t, 403, "OWNER_PROTECTED")
	h.call(admin.client, "DELETE", base+"/members/"+owner.id, nil).expect(t, 403, "OWNER_PROTECTED")
	h.call(admin.client, "POST", base+"/owner", map[string]any{"userId": admin.id}).expect(t, 403, "FORBIDDEN")
	h.call(dev.client, "PATCH", base+"/members/"+viewer.id, map[string]any{"role": "ADMIN"}).expect(t, 403, "FORBIDDEN")
	h.call(admin.client, "DELETE", base+"/members/"+viewer.id, nil).expect(t, 204, "")
	h.call(viewer.client, "GET", base, nil).expect(t, 404, "NOT_FOUND")
	// A removed member cannot walk back in with the code.
	h.call(viewer.client, "POST", "/api/organizations/join", map[string]any{"code": code}).expect(t, 403, "REMOVED_MEMBER")
	h.call(dev.client, "POST", base+"/leave", nil).expect(t, 204, "")
	h.call(dev.client, "GET", base, nil).expect(t, 404, "NOT_FOUND")
	// Someone who left may come back with the code.
	h.call(dev.client, "POST", "/api/organizations/join", map[string]any{"code": code}).expect(t, 200, "")
	h.call(dev.client, "POST", base+"/leave", nil).expect(t, 204, "")
	h.call(owner.client, "POST", base+"/leave", nil).expect(t, 409, "OWNER_CANNOT_LEAVE")

	// Ownership moves to the admin; the old owner becomes an administrator.
	h.call(owner.client, "POST", base+"/owner", map[string]any{"userId": admin.id}).expect(t, 200, "")
	r = h.call(admin.client, "GET", base+"/members", nil).expect(t, 200, "")
	roles := map[string]string{}
	for _, m := range r.body["members"].([]any) {
		roles[m.(map[string]any)["email"].(string)] = m.(map[string]any)["role"].(string)
	}
	if roles[admin.email] != "OWNER" || roles[owner.email] != "ADMIN" || len(roles) != 2 {
		t.Fatalf("after the hand-over: %v", roles)
	}
	newOwner := admin

	// Rename through the approval workflow.
	h.call(owner.client, "POST", base+"/rename", map[string]any{"name": "Acme Group", "reason": "merger"}).expect(t, 403, "FORBIDDEN")
	r = h.call(newOwner.client, "POST", base+"/rename", map[string]any{"name": "Acme Group", "reason": "Renamed after the merger."}).expect(t, 202, "")
	h.call(newOwner.client, "POST", base+"/rename", map[string]any{"name": "Acme Other", "reason": "again"}).expect(t, 409, "REQUEST_PENDING")
	ops := h.ops()
	h.decide(ops, r.body["id"].(string), "approve", "Register extract checked.").expect(t, 202, "")
	h.eventually(owner.client, "GET", base, nil, func(r response) bool { return r.body["name"] == "Acme Group" })

	// While offboarding waits, no other change can be requested (it would fail later).
	r = h.call(newOwner.client, "POST", base+"/offboarding", map[string]any{"reason": "Maybe closing.", "confirm": true}).expect(t, 202, "")
	h.call(newOwner.client, "POST", base+"/rename", map[string]any{"name": "Acme Later", "reason": "r"}).expect(t, 409, "OFFBOARDING_PENDING")
	h.decide(ops, r.body["id"].(string), "reject", "Please confirm by phone first.").expect(t, 202, "")
	h.eventually(newOwner.client, "GET", base+"/requests", nil, func(r response) bool { return strings.Contains(r.raw, "Please confirm by phone first.") })

	// Offboarding: confirmed, approved, and then nobody has access.
	r = h.call(newOwner.client, "POST", base+"/offboarding", map[string]any{"reason": "Closing the business.", "confirm": false}).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[confirm:accepted]" {
		t.Fatalf("fields = %v", r.fields())
	}
	r = h.call(newOwner.client, "POST", base+"/offboarding", map[string]any{"reason": "Closing the business.", "confirm": true}).expect(t, 202, "")
	h.decide(ops, r.body["id"].(string), "approve", "Confirmed with the customer.").expect(t, 202, "")
	h.eventually(newOwner.client, "GET", base, nil, func(r response) bool { return r.status == 404 })
	h.call(owner.client, "GET", base+"/members", nil).expect(t, 404, "NOT_FOUND")
	if r := h.call(newOwner.client, "GET", "/api/organizations", nil); len(r.body["organizations"].([]any)) != 0 {
		t.Fatalf("an offboarded organization is still listed: %s", r.raw)
	}
	r = h.call(ops, "GET", "/api/ops/organizations/"+orgID, nil).expect(t, 200, "")
	if r.body["organization"].(map[string]any)["status"] != "OFFBOARDED" {
		t.Fatalf("ops detail = %s", r.raw)
	}
	actions := h.auditOf(orgID)
	for _, want := range []string{"invitation.sent", "invitation.resent", "invitation.revoked", "member.joined", "member.role_changed", "member.removed", "member.left", "owner.changed", "rename.approved", "offboarding.approved"} {
		if !strings.Contains(strings.Join(actions, " "), want) {
			t.Errorf("audit trail lacks %s: %v", want, actions)
		}
	}
}

// auditOf reads an organization's trail through the store (its members no longer can).
func (h *harness) auditOf(orgID string) []string {
	entries, _, err := h.orgStore.Audit(context.Background(), org.AuditFilter{OrgID: orgID}, paging.Page{Limit: paging.MaxLimit})
	if err != nil {
		h.t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Action)
	}
	return out
}

// team is an active organization with a member in each role (OWNER, ADMIN, DEVELOPER,
// VIEWER), and FOREIGN: a member of another organization.
func (h *harness) team() (orgID string, roles map[string]person) {
	h.t.Helper()
	owner := h.person("owner")
	orgID, code := h.activeOrg(owner.client)
	roles = map[string]person{"OWNER": owner}
	for _, role := range []string{"ADMIN", "DEVELOPER", "VIEWER"} {
		p := h.person(strings.ToLower(role))
		h.call(p.client, "POST", "/api/organizations/join", map[string]any{"code": code}).expect(h.t, 200, "")
		if role != "DEVELOPER" {
			h.call(owner.client, "PATCH", "/api/organizations/"+orgID+"/members/"+p.id, map[string]any{"role": role}).expect(h.t, 200, "")
		}
		roles[role] = p
	}
	stranger := h.person("stranger")
	h.activeOrg(stranger.client) // a member elsewhere
	roles["FOREIGN"] = stranger
	return orgID, roles
}

// matrixRow is one call of an authorization matrix and the status each role gets.
type matrixRow struct {
	method, path string
	body         any
	want         map[string]int // OWNER, ADMIN, DEVELOPER, VIEWER; FOREIGN is always 404
}

// runMatrix makes every call as each role and as a member of another organization
// (FOREIGN), whose answers must not leak the organization's data.
func (h *harness) runMatrix(t *testing.T, base string, roles map[string]person, rows []matrixRow, leaked func(raw string) bool) {
	for _, rw := range rows {
		for _, role := range []string{"OWNER", "ADMIN", "DEVELOPER", "VIEWER", "FOREIGN"} {
			want := 404
			if role != "FOREIGN" {
				want = rw.want[role]
			}
			t.Run(rw.method+" "+strings.TrimPrefix(rw.path, base)+" as "+role, func(t *testing.T) {
				r := h.call(roles[role].client, rw.method, rw.path, rw.body)
				if r.status != want {
					t.Fatalf("got %d %s, want %d", r.status, r.raw, want)
				}
				if role == "FOREIGN" && leaked(r.raw) {
					t.Fatalf("another tenant's data leaked: %s", r.raw)
				}
			})
		}
	}
}

// TestAuthorizationMatrix calls every organization endpoint as each role and as a member
// of another organization. Bodies are invalid on purpose: an allowed role gets the
// validation error (400) or a not-found target, a refused one 403, a stranger always 404.
func TestAuthorizationMatrix(t *testing.T) {
	h := newHarness(t)
	orgID, roles := h.team()
	base := "/api/organizations/" + orgID
	dev := roles["DEVELOPER"].id

	all := func(s int) map[string]int { return map[string]int{"OWNER": s, "ADMIN": s, "DEVELOPER": s, "VIEWER": s} }
	managers := func(ok int) map[string]int {
		return map[string]int{"OWNER": ok, "ADMIN": ok, "DEVELOPER": 403, "VIEWER": 403}
	}
	ownerOnly := func(ok int) map[string]int {
		return map[string]int{"OWNER": ok, "ADMIN": 403, "DEVELOPER": 403, "VIEWER": 403}
	}
	rows := []matrixRow{
		{"GET", base, nil, all(200)},
		{"GET", base + "/members", nil, all(200)},
		{"GET", base + "/requests", nil, all(200)},
		{"GET", base + "/audit", nil, managers(200)},
		{"GET", base + "/invitations", nil, managers(200)},
		{"POST", base + "/invitations", map[string]any{"email": "not-an-email", "role": "OWNER"}, managers(400)},
		{"POST", base + "/invitations/nope/resend", nil, managers(404)},
		{"DELETE", base + "/invitations/nope", nil, managers(404)},
		{"PATCH", base + "/members/" + dev, map[string]any{"role": "OWNER"}, managers(400)},
		{"DELETE", base + "/members/nobody", nil, managers(404)},
		{"POST", base + "/owner", map[string]any{"userId": ""}, ownerOnly(400)},
		{"POST", base + "/rename", map[string]any{"name": "", "reason": ""}, ownerOnly(400)},
		{"POST", base + "/offboarding", map[string]any{"reason": "", "confirm": false}, ownerOnly(400)},
		{"POST", base + "/code", nil, ownerOnly(200)},
	}
	h.runMatrix(t, base, roles, rows, func(raw string) bool { return strings.Contains(raw, "Acme") })
	for _, p := range roles {
		h.call(p.client, "GET", "/api/ops/requests", nil).expect(t, 403, "FORBIDDEN")
		h.call(p.client, "GET", "/api/ops/organizations/"+orgID, nil).expect(t, 403, "FORBIDDEN")
	}
}

// TestConcurrentChangeRequests submits two renames at the same moment: one waits, the
// other is refused, and the decision frees the organization for the next request.
func TestConcurrentChangeRequests(t *testing.T) {
	h := newHarness(t)
	owner := h.person("owner")
	orgID, _ := h.activeOrg(owner.client)
	path := "/api/organizations/" + orgID + "/rename"
	results := make(chan response, 2)
	for _, name := range []string{"Acme One", "Acme Two"} {
		go func() {
			results <- h.call(owner.client, "POST", path, map[string]any{"name": name, "reason": "Merger."})
		}()
	}
	a, b := <-results, <-results
	if a.status > b.status {
		a, b = b, a
	}
	if a.status != 202 || b.status != 409 || b.body["code"] != "REQUEST_PENDING" {
		t.Fatalf("concurrent renames answered %d %s and %d %s", a.status, a.raw, b.status, b.raw)
	}
	h.decide(h.ops(), a.body["id"].(string), "reject", "Send the register extract.").expect(t, 202, "")
	h.eventually(owner.client, "POST", path, map[string]any{"name": "Acme Three", "reason": "Merger, with the extract."}, func(r response) bool { return r.status == 202 })
}

// TestOperationsPageAnOrganizationsRequests: operations read an organization's requests a
// page at a time, newest first; the organization's view holds the first page and its
// cursor, and a cursor of another list is refused.
func TestOperationsPageAnOrganizationsRequests(t *testing.T) {
	h := newHarness(t)
	owner := h.person("owner")
	orgID, _ := h.activeOrg(owner.client)
	rename := h.call(owner.client, "POST", "/api/organizations/"+orgID+"/rename", map[string]any{"name": "Acme Group", "reason": "Renamed after the merger."}).expect(t, 202, "")
	ops := h.ops()
	base := "/api/ops/organizations/" + orgID + "/requests"

	first := h.call(ops, "GET", base+"?limit=1", nil).expect(t, 200, "")
	list := first.body["requests"].([]any)
	next, _ := first.body["nextCursor"].(string)
	if len(list) != 1 || list[0].(map[string]any)["id"] != rename.body["id"] || next == "" {
		t.Fatalf("first page = %s", first.raw)
	}
	second := h.call(ops, "GET", base+"?limit=1&cursor="+url.QueryEscape(next), nil).expect(t, 200, "")
	list = second.body["requests"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["kind"] != "ONBOARDING" || second.body["nextCursor"] != nil {
		t.Fatalf("second page = %s", second.raw)
	}
	audit := h.call(ops, "GET", "/api/ops/audit?limit=1", nil).expect(t, 200, "")
	r := h.call(ops, "GET", base+"?cursor="+url.QueryEscape(audit.body["nextCursor"].(string)), nil).expect(t, 400, "VALIDATION_FAILED")
	if fmt.Sprint(r.fields()) != "[cursor:invalid]" {
		t.Fatalf("another list's cursor: %s", r.raw)
	}
	h.call(ops, "GET", "/api/ops/organizations/no-such-org/requests", nil).expect(t, 404, "NOT_FOUND")
	h.call(owner.client, "GET", base, nil).expect(t, 403, "FORBIDDEN")

	d := h.call(ops, "GET", "/api/ops/organizations/"+orgID, nil).expect(t, 200, "")
	if n := len(d.body["requests"].([]any)); n != 2 || d.body["requestsNextCursor"] != nil {
		t.Fatalf("organization view: %d requests, cursor %v", n, d.body["requestsNextCursor"])
	}
}
