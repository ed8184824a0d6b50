package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/platform/paging"
	"github.com/bank/devportal/shared/portal/approval"
	"github.com/bank/devportal/shared/portal/apps"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/portal/store"
)

// pageAll follows a list's cursors to its end and returns what each page held.
func pageAll[T any](t *testing.T, limit int, read func(paging.Page) ([]T, string, error), id func(T) string) [][]string {
	t.Helper()
	var pages [][]string
	page := paging.Page{Limit: limit}
	for range 20 {
		items, next, err := read(page)
		if err != nil {
			t.Fatalf("page %d: %v", len(pages)+1, err)
		}
		var ids []string
		for _, it := range items {
			ids = append(ids, id(it))
		}
		pages = append(pages, ids)
		if next == "" {
			return pages
		}
		page.Cursor = next
	}
	t.Fatal("the list did not end after 20 pages")
	return nil
}

// ids takes each item's ID.
func ids[T any](list []T, id func(T) string) []string {
	out := make([]string, len(list))
	for i, it := range list {
		out[i] = id(it)
	}
	return out
}

// TestPagingContract fills lists past one page on moto and DynamoDB Local and pages
// through them: every item once, in order, the last page says it is the last, and a
// cursor works only for the list that gave it out.
func TestPagingContract(t *testing.T) {
	ctx := context.Background()
	for _, b := range backends {
		t.Run(b.Name, func(t *testing.T) {
			endpoint := b.Endpoint(t)
			o, db := newOrgs(t, endpoint)
			requests := store.NewRequests(db, db.table)

			// Seven audit entries of o1, two of o2, a second apart.
			for i := range 9 {
				id := "o1"
				if i >= 7 {
					id = "o2"
				}
				e := audit(id, fmt.Sprintf("step.%d", i))
				e.At = t0.Add(time.Duration(i) * time.Second)
				w, err := o.AuditWrite(e)
				must(t, err)
				must(t, apply(ctx, db, w))
			}
			action := func(e org.AuditEntry) string { return e.Action }
			byOrg := func(orgID string) func(paging.Page) ([]org.AuditEntry, string, error) {
				return func(p paging.Page) ([]org.AuditEntry, string, error) {
					return o.Audit(ctx, org.AuditFilter{OrgID: orgID}, p)
				}
			}
			for _, tt := range []struct {
				orgID string
				limit int
				want  string
			}{
				{"o1", 3, "[[step.6 step.5 step.4] [step.3 step.2 step.1] [step.0]]"},
				{"o1", 7, "[[step.6 step.5 step.4 step.3 step.2 step.1 step.0]]"}, // full page, no empty one after
				{"o1", 100, "[[step.6 step.5 step.4 step.3 step.2 step.1 step.0]]"},
				{"", 4, "[[step.8 step.7 step.6 step.5] [step.4 step.3 step.2 step.1] [step.0]]"},
				{"o3", 5, "[[]]"},
			} {
				if got := fmt.Sprint(pageAll(t, tt.limit, byOrg(tt.orgID), action)); got != tt.want {
					t.Errorf("audit of %q by %d = %s, want %s", tt.orgID, tt.limit, got, tt.want)
				}
			}

			// Five requests of o1 waiting, oldest first for operations, newest first for o1.
			for i := range 5 {
				r := approval.Request{ID: fmt.Sprintf("r%d", i), Kind: "RENAME", OrgID: "o1", Status: approval.Pending, CreatedAt: t0.Add(time.Duration(i) * time.Minute)}
				must(t, requests.CreateRequest(ctx, r))
			}
			reqID := func(r approval.Request) string { return r.ID }
			pending := pageAll(t, 2, func(p paging.Page) ([]approval.Request, string, error) {
				return requests.RequestsPage(ctx, approval.Pending, p)
			}, reqID)
			if got := fmt.Sprint(pending); got != "[[r0 r1] [r2 r3] [r4]]" {
				t.Errorf("pending requests by 2 = %s", got)
			}
			mine := pageAll(t, 2, func(p paging.Page) ([]approval.Request, string, error) {
				return requests.OrganizationRequestsPage(ctx, "o1", p)
			}, reqID)
			if got := fmt.Sprint(mine); got != "[[r4 r3] [r2 r1] [r0]]" {
				t.Errorf("o1's requests by 2 = %s", got)
			}

			// Organizations, oldest first.
			for i := range 3 {
				id := fmt.Sprintf("g%d", i)
				g := org.Organization{ID: id, Name: "Org " + id, Environment: org.Sandbox, Status: org.StatusActive, OrganizationIdentifier: "PSDBE-NBB-" + id, CreatedAt: t0.Add(time.Duration(i) * time.Hour)}
				must(t, o.CreateOrganization(ctx, g, org.Member{OrgID: id, UserID: "u-" + id, Email: id + "@example.com", Role: org.Owner, JoinedAt: t0}, audit(id, "org.created")))
			}
			orgs := pageAll(t, 2, func(p paging.Page) ([]org.Organization, string, error) { return o.OrganizationsPage(ctx, p) }, func(g org.Organization) string { return g.ID })
			if got := fmt.Sprint(orgs); got != "[[g0 g1] [g2]]" {
				t.Errorf("organizations by 2 = %s", got)
			}

			// An organization's members, invitations, apps, certificates and an app's
			// subscriptions share its partition: five of each in p1, each list by its key.
			p1 := org.Organization{ID: "p1", Name: "Org p1", Environment: org.Sandbox, Status: org.StatusActive, OrganizationIdentifier: "PSDBE-NBB-p1", CreatedAt: t0}
			must(t, o.CreateOrganization(ctx, p1, org.Member{OrgID: "p1", UserID: "u0", Email: "u0@example.com", Role: org.Owner, JoinedAt: t0}, audit("p1", "org.created")))
			p2 := org.Organization{ID: "p2", Name: "Org p2", Environment: org.Sandbox, Status: org.StatusActive, OrganizationIdentifier: "PSDBE-NBB-p2", CreatedAt: t0}
			must(t, o.CreateOrganization(ctx, p2, org.Member{OrgID: "p2", UserID: "v0", Email: "v0@example.com", Role: org.Owner, JoinedAt: t0}, audit("p2", "org.created")))
			for i := range 5 {
				n := fmt.Sprint(i)
				if i > 0 {
					must(t, o.AddMember(ctx, org.Member{OrgID: "p1", UserID: "u" + n, Email: "u" + n + "@example.com", Role: org.Developer, JoinedAt: t0}, 10, audit("p1", "member.joined")))
				}
				must(t, o.CreateInvitation(ctx, org.Invitation{ID: "i" + n, OrgID: "p1", OrgName: "Org p1", Email: "i" + n + "@example.com", Role: org.Developer,
					Status: org.InvitePending, InvitedBy: "u0@example.com", InvitedByID: "u0", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour), TokenHash: "tok-" + n}, audit("p1", "invitation.sent")))
				sampleApp(t, o, "p1", "a"+n, "c"+n)
				must(t, o.PutCertificate(ctx, apps.Certificate{Fingerprint: "f" + n, OrgID: "p1", Subject: "CN=x", Issuer: "CN=ca", NotBefore: t0, NotAfter: t0.Add(48 * time.Hour), PEM: "pem", UploadedAt: t0},
					audit("p1", "certificate.uploaded")))
				if i > 0 { // a0 has the authorization server's subscription (product oauth2) already
					w, err := o.SubscriptionWrite(apps.Subscription{OrgID: "p1", AppID: "a0", ProductID: "prod" + n, ProductName: "Product " + n, PlanID: "sandbox",
						Status: apps.SubscriptionActive, CreatedAt: t0, UpdatedAt: t0})
					must(t, err)
					must(t, apply(ctx, db, w))
				}
			}
			sampleApp(t, o, "p2", "b0", "d0")
			lists := map[string]func(orgID string) func(paging.Page) ([]string, string, error){
				"members": func(id string) func(paging.Page) ([]string, string, error) {
					return func(p paging.Page) ([]string, string, error) {
						l, next, err := o.MembersPage(ctx, id, p)
						return ids(l, func(m org.Member) string { return m.UserID }), next, err
					}
				},
				"invitations": func(id string) func(paging.Page) ([]string, string, error) {
					return func(p paging.Page) ([]string, string, error) {
						l, next, err := o.InvitationsPage(ctx, id, p)
						return ids(l, func(i org.Invitation) string { return i.ID }), next, err
					}
				},
				"apps": func(id string) func(paging.Page) ([]string, string, error) {
					return func(p paging.Page) ([]string, string, error) {
						l, next, err := o.AppsPage(ctx, id, p)
						return ids(l, func(a apps.App) string { return a.ID }), next, err
					}
				},
				"certificates": func(id string) func(paging.Page) ([]string, string, error) {
					return func(p paging.Page) ([]string, string, error) {
						l, next, err := o.CertificatesPage(ctx, id, p)
						return ids(l, func(c apps.Certificate) string { return c.Fingerprint }), next, err
					}
				},
				"subscriptions": func(id string) func(paging.Page) ([]string, string, error) {
					app := map[string]string{"p1": "a0", "p2": "b0"}[id]
					return func(p paging.Page) ([]string, string, error) {
						l, next, err := o.SubscriptionsPage(ctx, id, app, p)
						return ids(l, func(s apps.Subscription) string { return s.ProductID }), next, err
					}
				},
			}
			self := func(s string) string { return s }
			for name, want := range map[string]string{
				"members":       "[[u0 u1] [u2 u3] [u4]]",
				"invitations":   "[[i0 i1] [i2 i3] [i4]]",
				"apps":          "[[a0 a1] [a2 a3] [a4]]",
				"certificates":  "[[f0 f1] [f2 f3] [f4]]",
				"subscriptions": "[[oauth2 prod1] [prod2 prod3] [prod4]]",
			} {
				if got := fmt.Sprint(pageAll(t, 2, lists[name]("p1"), self)); got != want {
					t.Errorf("p1's %s by 2 = %s, want %s", name, got, want)
				}
				if got := fmt.Sprint(pageAll(t, 5, lists[name]("p1"), self)); got != "["+strings.ReplaceAll(want[1:len(want)-1], "] [", " ")+"]" {
					t.Errorf("p1's %s by 5 = %s, want one full page of %s", name, got, want)
				}
			}
			// Each list's cursor is refused by every other list of the partition, and by
			// the same list of another organization.
			cursors := map[string]string{}
			for name, read := range lists {
				_, next, err := read("p1")(paging.Page{Limit: 1})
				must(t, err)
				if next == "" {
					t.Fatalf("p1's %s by 1 gave no cursor", name)
				}
				cursors[name] = next
			}
			for from, cursor := range cursors {
				for to, read := range lists {
					orgs := []string{"p2"}
					if to != from {
						orgs = append(orgs, "p1")
					}
					for _, id := range orgs {
						var e *apperr.Error
						if _, _, err := read(id)(paging.Page{Cursor: cursor, Limit: 2}); !errors.As(err, &e) || len(e.Fields) != 1 || e.Fields[0].Field != "cursor" {
							t.Errorf("%s's cursor on %s's %s: err = %v, want the cursor refused", from, id, to, err)
						}
					}
				}
			}

			// A cursor belongs to its list.
			_, o2Cursor, err := o.Audit(ctx, org.AuditFilter{}, paging.Page{Limit: 1})
			must(t, err)
			_, o1Cursor, err := o.Audit(ctx, org.AuditFilter{OrgID: "o1"}, paging.Page{Limit: 1})
			must(t, err)
			for name, read := range map[string]func() error{
				"garbage": func() error {
					_, _, err := o.Audit(ctx, org.AuditFilter{OrgID: "o1"}, paging.Page{Cursor: "not-a-cursor", Limit: 2})
					return err
				},
				"another list's cursor": func() error {
					_, _, err := o.Audit(ctx, org.AuditFilter{OrgID: "o1"}, paging.Page{Cursor: o2Cursor, Limit: 2})
					return err
				},
				"another partition's page": func() error {
					_, _, err := o.Audit(ctx, org.AuditFilter{OrgID: "o2"}, paging.Page{Cursor: o1Cursor, Limit: 2})
					return err
				},
				"a request list's cursor": func() error {
					_, _, err := requests.RequestsPage(ctx, approval.Approved, paging.Page{Cursor: o1Cursor, Limit: 2})
					return err
				},
			} {
				var e *apperr.Error
				if err := read(); !errors.As(err, &e) || len(e.Fields) != 1 || e.Fields[0].Field != "cursor" {
					t.Errorf("%s: err = %v, want the cursor refused", name, err)
				}
			}
		})
	}
}

// TestAuditFilterContract pages through filtered audit trails on moto and DynamoDB Local:
// each page holds the limit of matching entries unless the trail ends, however many
// entries that do not match lie between them (here more than one query reads), newest
// first, every match once.
func TestAuditFilterContract(t *testing.T) {
	ctx := context.Background()
	for _, b := range backends {
		t.Run(b.Name, func(t *testing.T) {
			o, db := newOrgs(t, b.Endpoint(t))
			// Twelve entries a minute apart: of o2 every third, by ann every second, of
			// action a.even every fourth.
			for i := range 12 {
				e := org.AuditEntry{OrgID: "o1", At: t0.Add(time.Duration(i) * time.Minute), ActorID: "u", Actor: "bob@example.com", Action: "a.other",
					Details: map[string]string{"i": fmt.Sprint(i)}}
				if i%3 == 2 {
					e.OrgID = "o2"
				}
				if i%2 == 0 {
					e.Actor = "ann@example.com"
				}
				if i%4 == 0 {
					e.Action = "a.even"
				}
				w, err := o.AuditWrite(e)
				must(t, err)
				must(t, apply(ctx, db, w))
			}
			// Newer than all of them, more entries that match nothing than one query reads.
			for i := range paging.MaxLimit + 10 {
				w, err := o.AuditWrite(org.AuditEntry{OrgID: "o3", At: t0.Add(time.Hour + time.Duration(i)*time.Second), ActorID: "n", Actor: "noise@example.com", Action: "noise"})
				must(t, err)
				must(t, apply(ctx, db, w))
			}
			at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
			index := func(e org.AuditEntry) string { return e.Details["i"] }
			for _, tt := range []struct {
				name string
				f    org.AuditFilter
				want string
			}{
				{"by actor, any case", org.AuditFilter{Actor: "ANN@"}, "[[10 8] [6 4] [2 0]]"},
				{"by organization and actor", org.AuditFilter{OrgID: "o1", Actor: "bob"}, "[[9 7] [3 1]]"},
				{"by action", org.AuditFilter{Action: "a.even"}, "[[8 4] [0]]"},
				{"by time, from included, to excluded", org.AuditFilter{From: at(3), To: at(9)}, "[[8 7] [6 5] [4 3]]"},
				{"by organization from a time", org.AuditFilter{OrgID: "o2", From: at(5)}, "[[11 8] [5]]"},
				{"by every filter", org.AuditFilter{OrgID: "o1", Actor: "ann", Action: "a.even", To: at(8)}, "[[4 0]]"},
				{"nothing matches", org.AuditFilter{Actor: "nobody"}, "[[]]"},
			} {
				if got := fmt.Sprint(pageAll(t, 2, func(p paging.Page) ([]org.AuditEntry, string, error) { return o.Audit(ctx, tt.f, p) }, index)); got != tt.want {
					t.Errorf("%s: pages = %s, want %s", tt.name, got, tt.want)
				}
			}
		})
	}
}
