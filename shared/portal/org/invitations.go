package org

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/platform/paging"
	"github.com/bank/devportal/shared/platform/validation"
	"github.com/bank/devportal/shared/portal/workflow"
)

// InvitationStatus is where an invitation is.
type InvitationStatus string

// Invitation states. EXPIRED is derived on read from ExpiresAt.
const (
	InvitePending  InvitationStatus = "PENDING"
	InviteAccepted InvitationStatus = "ACCEPTED"
	InviteRevoked  InvitationStatus = "REVOKED"
	InviteExpired  InvitationStatus = "EXPIRED"
)

// Invitation asks someone, by email, to join an organization with a role.
type Invitation struct {
	ID        string           `json:"id" dynamodbav:"id"`
	OrgID     string           `json:"-" dynamodbav:"orgId"`
	OrgName   string           `json:"-" dynamodbav:"orgName"`
	Email     string           `json:"email" dynamodbav:"email"`
	Role      Role             `json:"role" dynamodbav:"role" enum:"ADMIN,DEVELOPER,VIEWER"`
	Status    InvitationStatus `json:"status" dynamodbav:"status" enum:"PENDING,ACCEPTED,REVOKED,EXPIRED"`
	InvitedBy string           `json:"invitedBy" dynamodbav:"invitedBy"`
	// InvitedByID is the inviter's user ID: an invitation is honoured only while its
	// inviter may still invite.
	InvitedByID string    `json:"-" dynamodbav:"invitedById"`
	CreatedAt   time.Time `json:"createdAt" dynamodbav:"createdAt"`
	ExpiresAt   time.Time `json:"expiresAt" dynamodbav:"expiresAt"`
	// TokenHash is the SHA-256 of the emailed token; the token itself is never stored.
	TokenHash string `json:"-" dynamodbav:"tokenHash"`
}

// InvitationStore keeps invitations; every change is conditional on the invitation's state.
type InvitationStore interface {
	CreateInvitation(ctx context.Context, inv Invitation, audit AuditEntry) error
	// InvitationWrites are CreateInvitation's writes (without audit), for a larger
	// transaction.
	InvitationWrites(inv Invitation) ([]workflow.Write, error)
	ListInvitations(ctx context.Context, orgID string) ([]Invitation, error)
	// InvitationsPage reads one page of an organization's invitations, closed ones too.
	InvitationsPage(ctx context.Context, orgID string, page paging.Page) ([]Invitation, string, error)
	GetInvitation(ctx context.Context, orgID, id string) (Invitation, error)
	InvitationByToken(ctx context.Context, tokenHash string) (Invitation, error)
	// RenewInvitation gives a pending or expired invitation a new token and expiry.
	RenewInvitation(ctx context.Context, inv Invitation, oldHash string, audit AuditEntry) error
	RevokeInvitation(ctx context.Context, inv Invitation, audit AuditEntry) error
	// AcceptInvitation adds the member and closes the invitation, if it is still pending
	// and unexpired at now and the organization has room.
	AcceptInvitation(ctx context.Context, inv Invitation, m Member, max int, now time.Time, audit AuditEntry) error
}

// Mailer sends an email (SES).
type Mailer interface {
	SendMail(ctx context.Context, to, subject, text, htmlBody string) error
}

// withExpiry shows a pending invitation past its expiry as EXPIRED (expiry is not stored).
func (s *Service) withExpiry(inv Invitation) Invitation {
	if inv.Status == InvitePending && !s.Now().Before(inv.ExpiresAt) {
		inv.Status = InviteExpired
	}
	return inv
}

// InviteRequest invites someone by email with a role.
type InviteRequest struct {
	Email string `json:"email" validate:"required,email,max=254" example:"new.developer@example.com"`
	Role  Role   `json:"role" validate:"required,oneof=ADMIN DEVELOPER VIEWER" example:"DEVELOPER"`
}

// InvitationsView is one page of an organization's invitations, accepted, revoked and
// expired ones included.
type InvitationsView struct {
	Invitations []Invitation `json:"invitations"`
	// NextCursor asks for the next page; it is absent on the last.
	NextCursor string `json:"nextCursor,omitempty"`
}

// Invite emails an invitation link (owner and administrators).
func (s *Service) Invite(ctx context.Context, a Actor, orgID string, req InviteRequest) (Invitation, error) {
	req.Email = validation.NormalizeEmail(req.Email)
	g, m, err := s.member(ctx, a, orgID)
	if err != nil {
		return Invitation{}, err
	}
	if err := allow(m, g, Owner, Admin); err != nil {
		return Invitation{}, err
	}
	if errs := validation.Struct(req); len(errs) > 0 {
		return Invitation{}, apperr.Fields(errs...)
	}
	if g.Status != StatusActive {
		return Invitation{}, ErrNotActive
	}
	members, err := s.store.ListMembers(ctx, orgID)
	if err != nil {
		return Invitation{}, err
	}
	if slices.ContainsFunc(members, func(x Member) bool { return x.Email == req.Email }) {
		return Invitation{}, apperr.Fields(apperr.Field("email", "member", "This person is already a member."))
	}
	invs, err := s.invites.ListInvitations(ctx, orgID)
	if err != nil {
		return Invitation{}, err
	}
	if slices.ContainsFunc(invs, func(x Invitation) bool { return x.Email == req.Email && s.withExpiry(x).Status == InvitePending }) {
		return Invitation{}, apperr.Fields(apperr.Field("email", "invited", "This person already has a pending invitation; resend it instead."))
	}
	// Pending invitations count against the member limit: the bank's mail is not for
	// inviting more people than the organization can hold.
	pending := 0
	for _, x := range invs {
		if s.withExpiry(x).Status == InvitePending {
			pending++
		}
	}
	if len(members)+pending >= s.maxMembers {
		return Invitation{}, apperr.New(apperr.Conflict, "ORGANIZATION_FULL", fmt.Sprintf("Members and pending invitations already reach the maximum of %d. Revoke an invitation or remove a member first.", s.maxMembers))
	}
	token := newToken()
	now := s.Now()
	inv := Invitation{ID: newID(), OrgID: orgID, OrgName: g.Name, Email: req.Email, Role: req.Role, Status: InvitePending,
		InvitedBy: a.Email, InvitedByID: a.UserID, CreatedAt: now, ExpiresAt: now.Add(s.inviteTTL), TokenHash: hashToken(token)}
	if err := s.invites.CreateInvitation(ctx, inv, AuditEntry{OrgID: orgID, At: now, ActorID: a.UserID, Actor: a.Email, Action: "invitation.sent",
		Details: map[string]string{"email": inv.Email, "role": string(inv.Role)}}); err != nil {
		return Invitation{}, err
	}
	return inv, s.mailInvitation(ctx, inv, token)
}

// resendPause is the least time between two emails of one invitation.
const resendPause = time.Minute

func (s *Service) mailInvitation(ctx context.Context, inv Invitation, token string) error {
	link := s.portalURL + "/invitations/accept#token=" + url.QueryEscape(token)
	text := fmt.Sprintf("%s invited you to join %s on the Open Banking Developer Portal as %s. The invitation is valid until %s.",
		inv.InvitedBy, inv.OrgName, roleName(inv.Role), inv.ExpiresAt.Format("2 January 2006 15:04 MST"))
	return s.mail.SendMail(ctx, inv.Email, "You are invited to join "+inv.OrgName,
		text+"\n\nAccept the invitation: "+link+"\n\nNo account yet? Sign up with this email address first.\n\nOpen Banking Developer Portal",
		fmt.Sprintf(`<p>%s</p><p><a href="%s">Accept the invitation</a></p><p>No account yet? Sign up with this email address first.</p><p>Open Banking Developer Portal</p>`,
			html.EscapeString(text), html.EscapeString(link)))
}

func roleName(r Role) string {
	switch r {
	case Admin:
		return "Administrator"
	case Developer:
		return "App Developer"
	case Viewer:
		return "Viewer"
	}
	return "Owner"
}

// Invitations lists the organization's invitations (owner and administrators).
func (s *Service) Invitations(ctx context.Context, a Actor, orgID string, page paging.Page) (InvitationsView, error) {
	_, m, err := s.member(ctx, a, orgID)
	if err != nil {
		return InvitationsView{}, err
	}
	if m.Role != Owner && m.Role != Admin {
		return InvitationsView{}, apperr.New(apperr.Forbidden, "FORBIDDEN", "Only the owner and administrators manage invitations.")
	}
	invs, next, err := s.invites.InvitationsPage(ctx, orgID, page)
	out := InvitationsView{Invitations: []Invitation{}, NextCursor: next}
	for _, inv := range invs {
		out.Invitations = append(out.Invitations, s.withExpiry(inv))
	}
	return out, err
}

func (s *Service) manageInvitation(ctx context.Context, a Actor, orgID, id string) (Organization, Invitation, error) {
	g, m, err := s.member(ctx, a, orgID)
	if err != nil {
		return Organization{}, Invitation{}, err
	}
	if err := allow(m, g, Owner, Admin); err != nil {
		return Organization{}, Invitation{}, err
	}
	inv, err := s.invites.GetInvitation(ctx, orgID, id)
	return g, inv, err
}

// ResendInvitation sends a pending or expired invitation again, with a new link and expiry.
func (s *Service) ResendInvitation(ctx context.Context, a Actor, orgID, id string) (Invitation, error) {
	_, inv, err := s.manageInvitation(ctx, a, orgID, id)
	if err != nil {
		return Invitation{}, err
	}
	if inv.Status != InvitePending {
		return Invitation{}, apperr.New(apperr.Conflict, "INVITATION_CLOSED", "This invitation was accepted or revoked; send a new one if needed.")
	}
	now := s.Now()
	if lastSent := inv.ExpiresAt.Add(-s.inviteTTL); now.Before(inv.ExpiresAt) && now.Sub(lastSent) < resendPause {
		return Invitation{}, apperr.New(apperr.TooManyRequests, "TOO_SOON", "This invitation was just sent. Wait a minute before sending it again.")
	}
	oldHash, token := inv.TokenHash, newToken()
	inv.TokenHash, inv.ExpiresAt = hashToken(token), now.Add(s.inviteTTL)
	if err := s.invites.RenewInvitation(ctx, inv, oldHash, AuditEntry{OrgID: orgID, At: now, ActorID: a.UserID, Actor: a.Email, Action: "invitation.resent",
		Details: map[string]string{"email": inv.Email}}); err != nil {
		return Invitation{}, err
	}
	return s.withExpiry(inv), s.mailInvitation(ctx, inv, token)
}

// RevokeInvitation withdraws a pending invitation; its link stops working.
func (s *Service) RevokeInvitation(ctx context.Context, a Actor, orgID, id string) error {
	_, inv, err := s.manageInvitation(ctx, a, orgID, id)
	if err != nil {
		return err
	}
	if inv.Status != InvitePending {
		return apperr.New(apperr.Conflict, "INVITATION_CLOSED", "This invitation was already accepted or revoked.")
	}
	return s.invites.RevokeInvitation(ctx, inv, AuditEntry{OrgID: orgID, At: s.Now(), ActorID: a.UserID, Actor: a.Email, Action: "invitation.revoked",
		Details: map[string]string{"email": inv.Email}})
}

// InvitationInfo is what an invitation link shows before it is accepted.
type InvitationInfo struct {
	OrganizationName string           `json:"organizationName"`
	Email            string           `json:"email"`
	Role             Role             `json:"role" enum:"ADMIN,DEVELOPER,VIEWER"`
	Status           InvitationStatus `json:"status" enum:"PENDING,ACCEPTED,REVOKED,EXPIRED"`
	ExpiresAt        time.Time        `json:"expiresAt"`
}

var errNoInvitation = apperr.New(apperr.NotFound, "INVITATION_INVALID", "This invitation link is not valid. Check that you copied the whole link from the email.")

func (s *Service) invitationByToken(ctx context.Context, token string) (Invitation, error) {
	if token == "" || len(token) > 200 {
		return Invitation{}, errNoInvitation
	}
	inv, err := s.invites.InvitationByToken(ctx, hashToken(token))
	if errors.Is(err, apperr.ErrNotFound) {
		return Invitation{}, errNoInvitation
	}
	return s.withExpiry(inv), err
}

// InvitationInfo describes the invitation a link carries.
func (s *Service) InvitationInfo(ctx context.Context, req InvitationToken) (InvitationInfo, error) {
	if errs := validation.Struct(req); len(errs) > 0 {
		return InvitationInfo{}, apperr.Fields(errs...)
	}
	inv, err := s.invitationByToken(ctx, req.Token)
	if err != nil {
		return InvitationInfo{}, err
	}
	return InvitationInfo{OrganizationName: inv.OrgName, Email: inv.Email, Role: inv.Role, Status: inv.Status, ExpiresAt: inv.ExpiresAt}, nil
}

// InvitationToken carries an invitation link's token. The token travels in a body, never
// in a URL, so that no access log holds it.
type InvitationToken struct {
	Token string `json:"token" validate:"required,max=200" example:"sample-token-from-the-invitation-email"`
}

// AcceptRequest carries the token of the invitation to accept.
type AcceptRequest = InvitationToken

// AcceptInvitation makes the signed-in user a member with the invited role. The invitation
// is for one email address: another account cannot use it.
func (s *Service) AcceptInvitation(ctx context.Context, a Actor, req AcceptRequest) (OrganizationView, error) {
	if errs := validation.Struct(req); len(errs) > 0 {
		return OrganizationView{}, apperr.Fields(errs...)
	}
	inv, err := s.invitationByToken(ctx, req.Token)
	if err != nil {
		return OrganizationView{}, err
	}
	switch inv.Status {
	case InviteExpired:
		return OrganizationView{}, apperr.New(apperr.Gone, "INVITATION_EXPIRED", "This invitation has expired. Ask for a new one.")
	case InviteAccepted, InviteRevoked:
		return OrganizationView{}, apperr.New(apperr.Gone, "INVITATION_CLOSED", "This invitation was already accepted or has been withdrawn.")
	}
	if !strings.EqualFold(inv.Email, a.Email) {
		return OrganizationView{}, apperr.New(apperr.Forbidden, "INVITATION_FOR_OTHER", "This invitation is for "+inv.Email+". Sign in with that address to accept it.")
	}
	// An invitation from someone who was since removed or lost the right to invite is void.
	if inviter, err := s.store.GetMember(ctx, inv.OrgID, inv.InvitedByID); err != nil || (inviter.Role != Owner && inviter.Role != Admin) {
		return OrganizationView{}, apperr.New(apperr.Gone, "INVITATION_CLOSED", "The person who invited you can no longer invite members; ask the organization for a new invitation.")
	}
	now := s.Now()
	m := Member{OrgID: inv.OrgID, UserID: a.UserID, Email: a.Email, FullName: a.FullName, Role: inv.Role, JoinedAt: now}
	if err := s.invites.AcceptInvitation(ctx, inv, m, s.maxMembers, now, AuditEntry{OrgID: inv.OrgID, At: now, ActorID: a.UserID, Actor: a.Email,
		Action: "member.joined", Details: map[string]string{"userId": a.UserID, "email": a.Email, "role": string(inv.Role), "via": "invitation"}}); err != nil {
		return OrganizationView{}, err
	}
	g, err := s.store.GetOrganization(ctx, inv.OrgID)
	return s.view(g, m, true), err
}

func newToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(t string) string {
	sum := sha256.Sum256([]byte(t))
	return hex.EncodeToString(sum[:])
}
