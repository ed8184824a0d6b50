package portalapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/bank/devportal/shared/portal/org"
)

// TestAuditFiltersOnTheServer: the operations audit trail and an organization's own are
// filtered by the server across pages: each page holds the limit of matching entries, the
// cursor leads on; a filter it cannot read is refused with the parameter named.
func TestAuditFiltersOnTheServer(t *testing.T) {
	h := newHarness(t)
	owner := h.person("owner")
	orgID, _ := h.activeOrg(owner.client)
	base := time.Now().UTC().Add(-time.Hour).Truncate(time.Millisecond)
	for i := range 7 {
		e := org.AuditEntry{OrgID: orgID, At: base.Add(time.Duration(i) * time.Minute), ActorID: "u", Actor: "bob@example.com", Action: "test.other", Details: map[string]string{"i": fmt.Sprint(i)}}
		if i%2 == 0 {
			e.Actor, e.Action = "ann@example.com", "test.even"
		}
		w, err := h.orgStore.AuditWrite(e)
		if err != nil {
			t.Fatal(err)
		}
		if err := h.orgStore.Commit(context.Background(), nil, w); err != nil {
			t.Fatal(err)
		}
	}
	pages := func(c *http.Client, path string, q url.Values) string {
		var out [][]string
		q.Set("limit", "2")
		for range 10 {
			r := h.call(c, "GET", path+"?"+q.Encode(), nil).expect(t, 200, "")
			var page []string
			for _, e := range r.body["entries"].([]any) {
				d, _ := e.(map[string]any)["details"].(map[string]any)
				page = append(page, fmt.Sprint(d["i"]))
			}
			out = append(out, page)
			next, _ := r.body["nextCursor"].(string)
			if next == "" {
				return fmt.Sprint(out)
			}
			q.Set("cursor", next)
		}
		t.Fatalf("%s did not end", path)
		return ""
	}
	ops := h.ops()
	mine := owner.client
	at := func(m int) string { return base.Add(time.Duration(m) * time.Minute).Format(time.RFC3339Nano) }
	for _, tc := range []struct {
		name string
		c    *http.Client
		path string
		q    url.Values
		want string
	}{
		{"operations, by organization and actor", ops, "/api/ops/audit", url.Values{"organizationId": {orgID}, "actor": {"ANN@example"}}, "[[6 4] [2 0]]"},
		{"operations, by organization, action and time", ops, "/api/ops/audit", url.Values{"organizationId": {orgID}, "action": {"test.other"}, "from": {at(1)}, "to": {at(5)}}, "[[3 1]]"},
		{"operations, by actor across organizations", ops, "/api/ops/audit", url.Values{"actor": {"bob@example.com"}, "from": {at(0)}, "to": {at(7)}}, "[[5 3] [1]]"},
		{"the organization's own, by action", mine, "/api/organizations/" + orgID + "/audit", url.Values{"action": {"test.even"}}, "[[6 4] [2 0]]"},
	} {
		if got := pages(tc.c, tc.path, tc.q); got != tc.want {
			t.Errorf("%s: pages = %s, want %s", tc.name, got, tc.want)
		}
	}
	for _, tc := range []struct {
		path, fields string
	}{
		{"/api/ops/audit?from=yesterday", "[from:datetime]"},
		{"/api/ops/audit?from=" + url.QueryEscape(at(5)) + "&to=" + url.QueryEscape(at(1)), "[to:range]"},
		{"/api/organizations/" + orgID + "/audit?to=2026-13-01", "[to:datetime]"},
	} {
		c := ops
		if tc.path[:9] == "/api/orga" {
			c = owner.client
		}
		if r := h.call(c, "GET", tc.path, nil).expect(t, 400, "VALIDATION_FAILED"); fmt.Sprint(r.fields()) != tc.fields {
			t.Errorf("%s: fields = %v, want %s", tc.path, r.fields(), tc.fields)
		}
	}
}
