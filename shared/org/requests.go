package org

import (
	"context"
	"fmt"
	"html"

	"github.com/bank/devportal/shared/approval"
	"github.com/bank/devportal/shared/workflow"
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
	return k.effects([]workflow.Write{status, audit}, r, fmt.Sprintf("%s was not approved", r.OrgName),
		fmt.Sprintf("The bank did not approve the onboarding of %s. The reason given: %s", r.OrgName, d.Comment))
}

func (k onboardingKind) Expire(r approval.Request) (workflow.Effects, error) {
	reason := "Nobody decided the request in time. Submit it again."
	audit, err := k.s.store.AuditWrite(AuditEntry{OrgID: r.OrgID, At: r.ExpiresAt, ActorID: "system", Actor: "system", Action: "onboarding.expired", RequestID: r.ID})
	if err != nil {
		return workflow.Effects{}, err
	}
	status := k.s.store.StatusWrite(r.OrgID, []Status{StatusPending}, StatusRejected, map[string]string{"reason": reason})
	return k.effects([]workflow.Write{status, audit}, r, fmt.Sprintf("The onboarding request of %s expired", r.OrgName),
		fmt.Sprintf("The onboarding request of %s expired before the bank decided it. %s", r.OrgName, reason))
}

func (k onboardingKind) effects(writes []workflow.Write, r approval.Request, subject, text string) (workflow.Effects, error) {
	items, err := workflow.Transaction(writes...)
	if err != nil {
		return workflow.Effects{}, err
	}
	return workflow.Effects{TransactItems: items, Mail: requestMail(r.RequesterEmail, subject, text, k.s.portalURL+"/organizations/"+r.OrgID)}, nil
}

// requestMail is the email telling a requester what became of their request.
func requestMail(to, subject, text, link string) *workflow.Mail {
	return &workflow.Mail{
		To:      []string{to},
		Subject: subject,
		Text:    text + "\n\nSee your organization: " + link + "\n\nOpen Banking Developer Portal",
		HTML: fmt.Sprintf(`<p>%s</p><p><a href="%s">See your organization</a></p><p>Open Banking Developer Portal</p>`,
			html.EscapeString(text), html.EscapeString(link)),
	}
}
