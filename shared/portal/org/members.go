package org

import (
	"context"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/platform/validation"
)

// RoleRequest changes a member's role.
type RoleRequest struct {
	Role Role `json:"role" validate:"required,oneof=ADMIN DEVELOPER VIEWER" example:"ADMIN"`
}

var errOwnerUntouchable = apperr.New(apperr.Forbidden, "OWNER_PROTECTED", "The owner's role cannot be changed and the owner cannot be removed; the owner can hand ownership to another member first.")

// target loads the member an owner or administrator acts on.
func (s *Service) target(ctx context.Context, a Actor, orgID, userID string) (Organization, Member, error) {
	g, m, err := s.member(ctx, a, orgID)
	if err != nil {
		return Organization{}, Member{}, err
	}
	if err := allow(m, g, Owner, Admin); err != nil {
		return Organization{}, Member{}, err
	}
	t, err := s.store.GetMember(ctx, orgID, userID)
	if err != nil {
		return Organization{}, Member{}, apperr.New(apperr.NotFound, "NOT_FOUND", "This person is not a member of the organization.")
	}
	if t.Role == Owner {
		return Organization{}, Member{}, errOwnerUntouchable
	}
	return g, t, nil
}

// ChangeRole gives a member another role (owner and administrators; never the owner's).
func (s *Service) ChangeRole(ctx context.Context, a Actor, orgID, userID string, req RoleRequest) (Member, error) {
	_, t, err := s.target(ctx, a, orgID, userID)
	if err != nil {
		return Member{}, err
	}
	if errs := validation.Struct(req); len(errs) > 0 {
		return Member{}, apperr.Fields(errs...)
	}
	if err := s.store.SetRole(ctx, orgID, userID, t.Role, req.Role, AuditEntry{OrgID: orgID, At: s.Now(), ActorID: a.UserID, Actor: a.Email,
		Action: "member.role_changed", Details: map[string]string{"userId": userID, "email": t.Email, "from": string(t.Role), "to": string(req.Role)}}); err != nil {
		return Member{}, err
	}
	t.Role = req.Role
	return t, nil
}

// RemoveMember removes a member (owner and administrators; never the owner).
func (s *Service) RemoveMember(ctx context.Context, a Actor, orgID, userID string) error {
	if userID == a.UserID {
		return apperr.New(apperr.Conflict, "USE_LEAVE", "To remove yourself, leave the organization.")
	}
	_, t, err := s.target(ctx, a, orgID, userID)
	if err != nil {
		return err
	}
	return s.store.RemoveMember(ctx, orgID, userID, true, AuditEntry{OrgID: orgID, At: s.Now(), ActorID: a.UserID, Actor: a.Email,
		Action: "member.removed", Details: map[string]string{"userId": userID, "email": t.Email}})
}

// Leave removes the actor from the organization; the owner hands ownership over first.
func (s *Service) Leave(ctx context.Context, a Actor, orgID string) error {
	_, m, err := s.member(ctx, a, orgID)
	if err != nil {
		return err
	}
	if m.Role == Owner {
		return apperr.New(apperr.Conflict, "OWNER_CANNOT_LEAVE", "As the owner, hand ownership to another member before you leave.")
	}
	return s.store.RemoveMember(ctx, orgID, a.UserID, false, AuditEntry{OrgID: orgID, At: s.Now(), ActorID: a.UserID, Actor: a.Email,
		Action: "member.left", Details: map[string]string{"userId": a.UserID, "email": a.Email}})
}

// OwnerRequest names the member who becomes owner.
type OwnerRequest struct {
	UserID string `json:"userId" validate:"required,max=64" example:"7c9e6679-7425-40de-944b-e07fc1f90ae7"`
}

// ChangeOwner hands ownership to another member (owner only); the old owner becomes an
// administrator.
func (s *Service) ChangeOwner(ctx context.Context, a Actor, orgID string, req OwnerRequest) (OrganizationView, error) {
	g, m, err := s.member(ctx, a, orgID)
	if err != nil {
		return OrganizationView{}, err
	}
	if err := allow(m, g, Owner); err != nil {
		return OrganizationView{}, err
	}
	if errs := validation.Struct(req); len(errs) > 0 {
		return OrganizationView{}, apperr.Fields(errs...)
	}
	if req.UserID == a.UserID {
		return OrganizationView{}, apperr.Fields(apperr.Field("userId", "self", "You are already the owner."))
	}
	t, err := s.store.GetMember(ctx, orgID, req.UserID)
	if err != nil {
		return OrganizationView{}, apperr.Fields(apperr.Field("userId", "member", "Choose a member of the organization."))
	}
	if err := s.store.TransferOwnership(ctx, orgID, a.UserID, req.UserID, AuditEntry{OrgID: orgID, At: s.Now(), ActorID: a.UserID, Actor: a.Email,
		Action: "owner.changed", Details: map[string]string{"from": a.Email, "to": t.Email}}); err != nil {
		return OrganizationView{}, err
	}
	m.Role = Admin
	return s.view(g, m, true), nil
}
