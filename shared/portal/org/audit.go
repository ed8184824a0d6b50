package org

import (
	"strings"
	"time"

	"github.com/bank/devportal/shared/platform/apperr"
)

// AuditQuery is an audit list's filters as its query parameters give them: organizationId
// and actor (operations only: an organization's own trail is its own, and its members do
// not search the bank's staff), action, from and to.
type AuditQuery struct {
	OrganizationID, Actor, Action, From, To string
}

// Filter checks the query's filters: an organization ID and an action of at most 64 and
// 100 characters, part of an address (any case), RFC 3339 times with from before to (from
// included, to excluded). Each refusal names its query parameter.
func (q AuditQuery) Filter() (AuditFilter, error) {
	f := AuditFilter{OrgID: strings.TrimSpace(q.OrganizationID), Actor: strings.ToLower(strings.TrimSpace(q.Actor)), Action: strings.TrimSpace(q.Action)}
	var errs []apperr.FieldError
	if len(f.OrgID) > 64 {
		errs = append(errs, apperr.Field("organizationId", "max", "An organization ID has at most 64 characters."))
	}
	if len(f.Actor) > 254 {
		errs = append(errs, apperr.Field("actor", "max", "Use at most 254 characters: part of an email address."))
	}
	if len(f.Action) > 100 {
		errs = append(errs, apperr.Field("action", "max", "An action has at most 100 characters, for example member.joined."))
	}
	for _, p := range []struct {
		name, raw string
		at        *time.Time
	}{{"from", q.From, &f.From}, {"to", q.To, &f.To}} {
		raw := strings.TrimSpace(p.raw)
		if raw == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, raw)
		if err != nil {
			errs = append(errs, apperr.Field(p.name, "datetime", "Use an RFC 3339 time, for example 2026-12-01T00:00:00Z or 2026-12-01T00:00:00+01:00."))
			continue
		}
		*p.at = t
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		errs = append(errs, apperr.Field("to", "range", "Choose an end after the start."))
	}
	if len(errs) > 0 {
		return AuditFilter{}, apperr.Fields(errs...)
	}
	return f, nil
}
