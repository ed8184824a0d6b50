package org

import (
	"fmt"
	"testing"
	"time"

	"github.com/bank/devportal/shared/platform/apperr"
)

func TestAuditQueryFilter(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	long := func(n int) string { return fmt.Sprintf("%0*d", n, 0) }
	for _, tc := range []struct {
		name   string
		q      AuditQuery
		want   AuditFilter
		fields string
	}{
		{name: "none", q: AuditQuery{}, want: AuditFilter{}},
		{name: "trimmed, the actor in lowercase", q: AuditQuery{OrganizationID: " org-1 ", Actor: " Ann@Example.com ", Action: " member.joined "},
			want: AuditFilter{OrgID: "org-1", Actor: "ann@example.com", Action: "member.joined"}},
		{name: "times with offsets", q: AuditQuery{From: "2026-12-01T00:00:00+01:00", To: "2026-12-02T00:00:00Z"},
			want: AuditFilter{From: at("2026-12-01T00:00:00+01:00"), To: at("2026-12-02T00:00:00Z")}},
		{name: "a date is not a time", q: AuditQuery{From: "2026-12-01"}, fields: "[from:datetime]"},
		{name: "the end not after the start", q: AuditQuery{From: "2026-12-02T00:00:00Z", To: "2026-12-02T00:00:00Z"}, fields: "[to:range]"},
		{name: "too long", q: AuditQuery{OrganizationID: long(65), Actor: long(255), Action: long(101)}, fields: "[organizationId:max actor:max action:max]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := tc.q.Filter()
			if tc.fields != "" {
				e, ok := err.(*apperr.Error)
				var got []string
				if ok {
					for _, fe := range e.Fields {
						got = append(got, fe.Field+":"+fe.Rule)
					}
				}
				if fmt.Sprint(got) != tc.fields {
					t.Fatalf("err = %v, want fields %s", err, tc.fields)
				}
				return
			}
			if err != nil || f.OrgID != tc.want.OrgID || f.Actor != tc.want.Actor || f.Action != tc.want.Action || !f.From.Equal(tc.want.From) || !f.To.Equal(tc.want.To) {
				t.Fatalf("filter = %+v, %v; want %+v", f, err, tc.want)
			}
		})
	}
}
