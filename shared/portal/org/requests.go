package org

import (
	"context"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net/url"
	"strings"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/platform/validation"
	"github.com/bank/devportal/shared/portal/approval"
	"github.com/bank/devportal/shared/portal/workflow"
)

// onboardingKind writes the outcome of an onboarding request: an active organization with
// a fresh code, or a rejected one with the reason; and tells the requester.
type onboardingKind struct{ s *Service }

func (k onboardingKind) Approve(_ context.Context, r approval.Request, d approval.Decision) (workflow.Effects, error) {
	code := NewCode()
	reserve, err := k.s.store.CodeReservation(r.OrgID, code)
	if err != nil {
		return workflow.Effects{}, err
	}
	audit, err := k.s.store.AuditWrite(AuditEntry{OrgID: r.OrgID, At: d.At, ActorID: d.ActorID, Actor: d.Actor, Action: "onboarding.approved", RequestID: r.ID})
	if err != nil {
		return workflow.Effects{}, err
	}
	// One write to the organization item: a transaction may touch each item once.
	activate := k.s.store.StatusWrite(r.OrgID, []Status{StatusPending}, StatusActive, map[string]string{"code": code})
	writes := []workflow.Write{activate, reserve, audit}
	if r.Form[FormRegisteredThrough] == RegisteredThroughAPI {
		return k.registrationApproval(r, code, writes)
	}
	return k.effects(writes, r, fmt.Sprintf("%s is approved", r.OrgName),
		fmt.Sprintf("The bank approved the onboarding of %s. Your organization code is %s: developers who sign up with it join your organization (up to %d members).", r.OrgName, code, k.s.maxMembers))
}

func (k onboardingKind) Reject(_ context.Context, r approval.Request, d approval.Decision) (workflow.Effects, error) {
	audit, err := k.s.store.AuditWrite(AuditEntry{OrgID: r.OrgID, At: d.At, ActorID: d.ActorID, Actor: d.Actor, Action: "onboarding.rejected", RequestID: r.ID,
		Details: map[string]string{"reason": d.Comment}})
	if err != nil {
		return workflow.Effects{}, err
	}
	status := k.s.store.StatusWrite(r.OrgID, []Status{StatusPending}, StatusRejected, map[string]string{"reason": d.Comment})
	release := k.s.store.IdentifierRelease(r.OrgID, r.Form["environment"], r.Form["organizationIdentifier"])
	return k.effects([]workflow.Write{status, audit, release}, r, fmt.Sprintf("%s was not approved", r.OrgName),
		fmt.Sprintf("The bank did not approve the onboarding of %s. The reason given: %s", r.OrgName, d.Comment))
}

func (k onboardingKind) Expire(r approval.Request) (workflow.Effects, error) {
	reason := "Nobody decided the request in time. Submit it again."
	audit, err := k.s.store.AuditWrite(AuditEntry{OrgID: r.OrgID, At: r.ExpiresAt, ActorID: "system", Actor: "system", Action: "onboarding.expired", RequestID: r.ID})
	if err != nil {
		return workflow.Effects{}, err
	}
	status := k.s.store.StatusWrite(r.OrgID, []Status{StatusPending}, StatusRejected, map[string]string{"reason": reason})
	release := k.s.store.IdentifierRelease(r.OrgID, r.Form["environment"], r.Form["organizationIdentifier"])
	return k.effects([]workflow.Write{status, audit, release}, r, fmt.Sprintf("The onboarding request of %s expired", r.OrgName),
		fmt.Sprintf("The onboarding request of %s expired before the bank decided it. %s", r.OrgName, reason))
}

func (k onboardingKind) Fail(r approval.Request) (workflow.Effects, error) {
	reason := "%s Submit the onboarding again."
	status := k.s.store.StatusWrite(r.OrgID, []Status{StatusPending}, StatusRejected, map[string]string{"reason": fmt.Sprintf(reason, errNotApplied)})
	release := k.s.store.IdentifierRelease(r.OrgID, r.Form["environment"], r.Form["organizationIdentifier"])
	return k.effects([]workflow.Write{status, release}, r, fmt.Sprintf("The onboarding of %s could not be completed", r.OrgName),
		fmt.Sprintf(reason, errNotApplied))
}

// errNotApplied is what a requester is told when a decision could not be applied.
const errNotApplied = "The bank's decision could not be applied, because something changed at the same time."

func (k onboardingKind) effects(writes []workflow.Write, r approval.Request, subject, text string) (workflow.Effects, error) {
	return k.s.effects(writes, r, subject, text)
}

// effects is a decision's writes and the email telling the requester, which links to the
// organization's requests tab, where the decision is.
func (s *Service) effects(writes []workflow.Write, r approval.Request, subject, text string) (workflow.Effects, error) {
	return s.effectsLinking(writes, r, subject, text, "See your organization's requests", OrganizationLink(s.portalURL, r.OrgID, TabRequests))
}

// effectsLinking is effects with the email's link and its label.
func (s *Service) effectsLinking(writes []workflow.Write, r approval.Request, subject, text, label, link string) (workflow.Effects, error) {
	items, err := workflow.Transaction(writes...)
	if err != nil {
		return workflow.Effects{}, err
	}
	return workflow.Effects{TransactItems: items, Mail: requestMail(r.RequesterEmail, r.MailSubject(subject), text, label, link)}, nil
}

// TabRequests is the tab of the portal's organization page (organizations/:orgId/:tab)
// that lists its requests and their decisions.
const TabRequests = "requests"

// OrganizationLink is the portal page of an organization's tab ("" for its overview).
func OrganizationLink(portalURL, orgID, tab string) string {
	link := portalURL + "/organizations/" + url.PathEscape(orgID)
	if tab != "" {
		link += "/" + tab
	}
	return link
}

// requestMail is the email telling a requester what became of their request.
func requestMail(to, subject, text, label, link string) *workflow.Mail {
	return &workflow.Mail{
		To:      []string{to},
		Subject: subject,
		Text:    text + "\n\n" + label + ": " + link + "\n\nOpen Banking Developer Portal",
		HTML: fmt.Sprintf(`<p>%s</p><p><a href="%s">%s</a></p><p>Open Banking Developer Portal</p>`,
			html.EscapeString(text), html.EscapeString(link), html.EscapeString(label)),
	}
}

// RenameRequest asks to change the organization's name.
type RenameRequest struct {
	Name   string `json:"name" validate:"required,max=200,singleline" example:"Example Payments Group Ltd"`
	Reason string `json:"reason" validate:"required,max=1000,text" example:"Company renamed after the merger."`
}

// OffboardingRequest asks to offboard the organization; confirm acknowledges that it
// cannot be undone.
type OffboardingRequest struct {
	Reason  string `json:"reason" validate:"required,max=1000,text" example:"We stop offering payment services."`
	Confirm bool   `json:"confirm" example:"true"`
}

// owned returns the organization if the actor owns it; authorization comes before the
// form is checked, so a non-owner learns nothing from validation errors.
func (s *Service) owned(ctx context.Context, a Actor, orgID string) (Organization, error) {
	g, m, err := s.member(ctx, a, orgID)
	if err != nil {
		return Organization{}, err
	}
	return g, allow(m, g, Owner)
}

// submitChange files a rename or offboarding request (one pending per kind).
func (s *Service) submitChange(ctx context.Context, a Actor, g Organization, kind, summary string, form map[string]string) (approval.Request, error) {
	orgID := g.ID
	if g.Status != StatusActive {
		return approval.Request{}, ErrNotActive
	}
	existing, err := s.approvals.ListForOrganization(ctx, orgID)
	if err != nil {
		return approval.Request{}, err
	}
	for _, r := range existing {
		if r.Status != approval.Pending && r.Status != approval.Deciding {
			continue
		}
		if r.Kind == kind {
			return approval.Request{}, apperr.New(apperr.Conflict, "REQUEST_PENDING", "A request of this kind is already waiting for the bank's decision.")
		}
		if r.Kind == KindOffboarding {
			return approval.Request{}, apperr.New(apperr.Conflict, "OFFBOARDING_PENDING", "An offboarding request is waiting for the bank's decision; no other change can be requested meanwhile.")
		}
	}
	id := newID()
	audit, err := s.store.AuditWrite(AuditEntry{OrgID: orgID, At: s.Now(), ActorID: a.UserID, Actor: a.Email, Action: strings.ToLower(kind) + ".submitted", RequestID: id, Details: form})
	if err != nil {
		return approval.Request{}, err
	}
	// The checks above give the clear message; the lock makes them hold when two
	// requests are submitted at the same moment.
	unless := KindOffboarding
	if kind == KindOffboarding {
		unless = ""
	}
	r, err := s.approvals.Submit(ctx, approval.Request{ID: id, Kind: kind, OrgID: orgID, OrgName: g.Name, Environment: string(g.Environment), RequesterID: a.UserID, RequesterEmail: a.Email,
		Summary: summary, Form: form}, append(s.store.PendingLock(orgID, kind, unless), audit)...)
	if errors.Is(err, apperr.ErrConflict) {
		return approval.Request{}, apperr.New(apperr.Conflict, "REQUEST_PENDING", "A request of this kind, or an offboarding, was submitted at the same time and waits for the bank's decision.")
	}
	return r, err
}

// Rename asks operations to rename the organization.
func (s *Service) Rename(ctx context.Context, a Actor, orgID string, req RenameRequest) (approval.Request, error) {
	g, err := s.owned(ctx, a, orgID)
	if err != nil {
		return approval.Request{}, err
	}
	validation.Normalize(&req)
	req.Reason = strings.TrimSpace(req.Reason)
	if errs := validation.Struct(req); len(errs) > 0 {
		return approval.Request{}, apperr.Fields(errs...)
	}
	return s.submitChange(ctx, a, g, KindRename, "Rename to "+req.Name, map[string]string{"name": req.Name, "reason": req.Reason})
}

// Offboard asks operations to offboard the organization.
func (s *Service) Offboard(ctx context.Context, a Actor, orgID string, req OffboardingRequest) (approval.Request, error) {
	g, err := s.owned(ctx, a, orgID)
	if err != nil {
		return approval.Request{}, err
	}
	req.Reason = strings.TrimSpace(req.Reason)
	errs := validation.Struct(req)
	if !req.Confirm {
		errs = append(errs, apperr.Field("confirm", "accepted", "Confirm that you understand offboarding cannot be undone."))
	}
	if len(errs) > 0 {
		return approval.Request{}, apperr.Fields(errs...)
	}
	return s.submitChange(ctx, a, g, KindOffboarding, "Offboard the organization", map[string]string{"reason": req.Reason,
		"environment": string(g.Environment), "organizationIdentifier": g.OrganizationIdentifier})
}

// changeKind is the shared shape of rename and offboarding: on approval one write to the
// organization, and the requester is told in every case.
type changeKind struct {
	s      *Service
	action string
	// apply is the organization write of an approval.
	apply func(r approval.Request) workflow.Write
	// done is the sentence for an approval.
	done func(r approval.Request) string
}

func (k changeKind) Approve(ctx context.Context, r approval.Request, d approval.Decision) (workflow.Effects, error) {
	audit, err := k.s.store.AuditWrite(AuditEntry{OrgID: r.OrgID, At: d.At, ActorID: d.ActorID, Actor: d.Actor, Action: k.action + ".approved", RequestID: r.ID, Details: r.Form})
	if err != nil {
		return workflow.Effects{}, err
	}
	writes := []workflow.Write{k.apply(r), audit, k.s.store.PendingRelease(r.OrgID, r.Kind)}
	if k.action != "offboarding" {
		return k.s.effects(writes, r, r.Summary+": approved", k.done(r))
	}
	// The TPP may onboard again later. Its members no longer see the organization: the
	// email links to their organizations instead.
	writes = append(writes, k.s.store.IdentifierRelease(r.OrgID, r.Form["environment"], r.Form["organizationIdentifier"]))
	effects, err := k.s.effectsLinking(writes, r, r.Summary+": approved", k.done(r), "See your organizations", k.s.portalURL+"/organizations")
	if err != nil {
		return workflow.Effects{}, err
	}
	// Its apps can no longer be called: the TPP API reads the status itself, and their
	// lookup copies go once it is set. If a delete fails, the marker lets the reconciler
	// finish them.
	cleanup, err := k.s.store.AccessCopies(ctx, r.OrgID)
	if err != nil {
		return workflow.Effects{}, err
	}
	marker, err := k.s.store.CleanupMarker(Cleanup{OrgID: r.OrgID, RequestID: r.ID, At: d.At})
	if err != nil {
		return workflow.Effects{}, err
	}
	// And API Gateway no longer meters them: their usage keys go with the decision.
	if k.s.Apps != nil {
		if err := k.s.Apps.RemoveOrganizationUsageKeys(ctx, r.OrgID); err != nil {
			return workflow.Effects{}, err
		}
	}
	return effects.WithCleanup(cleanup, marker)
}

// CleanupResult counts what a run of FinishCleanups did.
type CleanupResult struct {
	Checked  int `json:"checked"`
	Finished int `json:"finished"`
	Failed   int `json:"failed"`
}

// FinishCleanups finishes the offboarding cleanups the workflow could not: it deletes the
// organization's remaining lookup copies, then the marker. It runs on a schedule; a
// cleanup that fails again stays for the next run, and is logged as an error.
func (s *Service) FinishCleanups(ctx context.Context) (CleanupResult, error) {
	var res CleanupResult
	pending, err := s.store.UnfinishedCleanups(ctx)
	if err != nil {
		return res, err
	}
	for _, c := range pending {
		res.Checked++
		deletes, err := s.store.AccessCopies(ctx, c.OrgID)
		if err == nil {
			err = s.store.FinishCleanup(ctx, c, deletes)
		}
		if err != nil {
			res.Failed++
			slog.ErrorContext(ctx, "offboarding cleanup still unfinished", "orgId", c.OrgID, "requestId", c.RequestID, "error", err.Error())
			continue
		}
		slog.InfoContext(ctx, "offboarding cleanup finished", "orgId", c.OrgID, "requestId", c.RequestID, "deleted", len(deletes))
		res.Finished++
	}
	if res.Failed > 0 {
		return res, fmt.Errorf("%d of %d offboarding cleanups still unfinished", res.Failed, res.Checked)
	}
	return res, nil
}

func (k changeKind) Reject(_ context.Context, r approval.Request, d approval.Decision) (workflow.Effects, error) {
	audit, err := k.s.store.AuditWrite(AuditEntry{OrgID: r.OrgID, At: d.At, ActorID: d.ActorID, Actor: d.Actor, Action: k.action + ".rejected", RequestID: r.ID,
		Details: map[string]string{"reason": d.Comment}})
	if err != nil {
		return workflow.Effects{}, err
	}
	return k.s.effects([]workflow.Write{audit, k.s.store.PendingRelease(r.OrgID, r.Kind)}, r, r.Summary+": not approved",
		fmt.Sprintf("The bank did not approve your request for %s (%s). The reason given: %s", r.OrgName, r.Summary, d.Comment))
}

func (k changeKind) Expire(r approval.Request) (workflow.Effects, error) {
	audit, err := k.s.store.AuditWrite(AuditEntry{OrgID: r.OrgID, At: r.ExpiresAt, ActorID: "system", Actor: "system", Action: k.action + ".expired", RequestID: r.ID})
	if err != nil {
		return workflow.Effects{}, err
	}
	return k.s.effects([]workflow.Write{audit, k.s.store.PendingRelease(r.OrgID, r.Kind)}, r, r.Summary+": expired",
		fmt.Sprintf("Your request for %s (%s) expired before the bank decided it. Submit it again if it still applies.", r.OrgName, r.Summary))
}

func (k changeKind) Fail(r approval.Request) (workflow.Effects, error) {
	return k.s.effects([]workflow.Write{k.s.store.PendingRelease(r.OrgID, r.Kind)}, r, r.Summary+": not completed",
		fmt.Sprintf("Your request for %s (%s) could not be completed. %s Submit it again if it still applies.", r.OrgName, r.Summary, errNotApplied))
}

func renameKind(s *Service) changeKind {
	return changeKind{s: s, action: "rename",
		apply: func(r approval.Request) workflow.Write {
			return s.store.StatusWrite(r.OrgID, []Status{StatusActive}, StatusActive, map[string]string{"name": r.Form["name"]})
		},
		done: func(r approval.Request) string {
			return fmt.Sprintf("The bank approved renaming %s to %s.", r.OrgName, r.Form["name"])
		}}
}

func offboardingKind(s *Service) changeKind {
	return changeKind{s: s, action: "offboarding",
		apply: func(r approval.Request) workflow.Write {
			return s.store.StatusWrite(r.OrgID, []Status{StatusActive}, StatusOffboarded, map[string]string{"reason": r.Form["reason"]})
		},
		done: func(r approval.Request) string {
			return fmt.Sprintf("The bank approved offboarding %s. Its members no longer have access, and its apps and credentials are disabled.", r.OrgName)
		}}
}
