package org

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/portal/approval"
	"github.com/bank/devportal/shared/portal/possession"
	"github.com/bank/devportal/shared/portal/workflow"
	"github.com/bank/devportal/shared/trust/eidas"
)

// Form keys an onboarding request carries when the TPP's software registered the
// organization through the registration API rather than a person through the portal.
const (
	FormRegisteredThrough  = "registeredThrough"
	FormAdministratorEmail = "administratorEmail"
	// RegisteredThroughAPI is FormRegisteredThrough's value for the registration API.
	RegisteredThroughAPI = "api"
)

// SoftwareName is how the registered software appears as the organization's owner and
// in its audit trail: it acts without a person behind each call.
const SoftwareName = "TPP software (registration API)"

// APIRegistration is an organization the TPP's software registers through the
// registration API: its certificates (the QSealC may be missing in the sandbox), the
// proof that it holds the QWAC's key, and the administrator who is invited to the portal.
type APIRegistration struct {
	Company            string
	AdministratorEmail string
	Services           []string
	Environment        Environment
	QWAC, QSealC       *eidas.Certificate
	Identifier         string
	Proof              possession.Proof
	// SoftwareID is the member ID the software owns the organization under.
	SoftwareID string
}

// ErrIdentifierRegistered refuses a registration whose certificate another organization
// of the environment already holds (it proved possession first).
var ErrIdentifierRegistered = apperr.New(apperr.Conflict, "CERTIFICATE_REGISTERED",
	"Another organization of this environment already registered a certificate of this organization identifier. Ask its administrators to add you instead.")

// Registered is what RegistrationWrites decided: the organization, the writes creating
// it, and for an active one the invitation of its administrator with the token its mail
// carries (sent once the writes are stored, MailInvitation).
type Registered struct {
	Organization Organization
	Writes       []workflow.Write
	Invitation   *Invitation
	token        string
}

// RegistrationWrites are the writes of an organization the software registers: in the
// sandbox active at once, with its code and an invitation of the administrator (as
// ADMIN, from the software, which owns it); in production pending, to be submitted to
// operations with SubmitRegistration, the invitation following approval. The same
// organization, member, audit and identifier items as a portal onboarding; the
// identifier's reservation refuses a second holder at write time too.
func (s *Service) RegistrationWrites(ctx context.Context, r APIRegistration) (Registered, error) {
	if holder, err := s.store.IdentifierHolder(ctx, string(r.Environment), r.Identifier); err == nil && holder != "" {
		return Registered{}, ErrIdentifierRegistered
	}
	now := s.Now()
	g := Organization{ID: newID(), Name: r.Company, Environment: r.Environment, Status: StatusPending,
		Contact: Contact{FirstName: "Administrator", LastName: r.Company, Email: r.AdministratorEmail, Phone: "-"}, Services: r.Services,
		OrganizationIdentifier: r.Identifier, QWACPEM: r.QWAC.PEM(), CreatedAt: now, OwnerID: r.SoftwareID, Members: 1}
	proof := r.Proof
	g.QWACPossession = &proof
	if r.QSealC != nil {
		g.QSealCPEM = r.QSealC.PEM()
		g.QSealCPossession = &proof
	}
	action := "onboarding.submitted"
	if r.Environment == Sandbox {
		g.Status, g.Code, action = StatusActive, NewCode(), "onboarding.registered"
	}
	owner := Member{OrgID: g.ID, UserID: r.SoftwareID, Email: r.AdministratorEmail, FullName: SoftwareName, Role: Owner, JoinedAt: now}
	writes, err := s.store.OrganizationWrites(g, owner, AuditEntry{OrgID: g.ID, At: now, ActorID: r.SoftwareID, Actor: SoftwareName,
		Action: action, Details: map[string]string{"name": g.Name, "environment": string(g.Environment), FormRegisteredThrough: RegisteredThroughAPI}})
	if err != nil {
		return Registered{}, err
	}
	out := Registered{Organization: g, Writes: writes}
	if g.Status != StatusActive {
		return out, nil
	}
	code, err := s.store.CodeReservation(g.ID, g.Code)
	if err != nil {
		return Registered{}, err
	}
	inv, token, invWrites, err := s.administratorInvitation(g.ID, g.Name, r.AdministratorEmail, r.SoftwareID)
	if err != nil {
		return Registered{}, err
	}
	out.Writes = append(append(out.Writes, code), invWrites...)
	out.Invitation, out.token = &inv, token
	return out, nil
}

// administratorInvitation is the invitation of a registered organization's administrator,
// from the software that owns it, and its writes.
func (s *Service) administratorInvitation(orgID, orgName, email, softwareID string) (Invitation, string, []workflow.Write, error) {
	token := newToken()
	now := s.Now()
	inv := Invitation{ID: newID(), OrgID: orgID, OrgName: orgName, Email: email, Role: Admin, Status: InvitePending,
		InvitedBy: SoftwareName, InvitedByID: softwareID, CreatedAt: now, ExpiresAt: now.Add(s.inviteTTL), TokenHash: hashToken(token)}
	writes, err := s.invites.InvitationWrites(inv)
	if err != nil {
		return Invitation{}, "", nil, err
	}
	audit, err := s.store.AuditWrite(AuditEntry{OrgID: orgID, At: now, ActorID: softwareID, Actor: SoftwareName, Action: "invitation.sent",
		Details: map[string]string{"email": email, "role": string(Admin)}})
	if err != nil {
		return Invitation{}, "", nil, err
	}
	return inv, token, append(writes, audit), nil
}

// MailInvitation sends the administrator's invitation of an active registration, once
// its writes are stored.
func (s *Service) MailInvitation(ctx context.Context, r Registered) error {
	if r.Invitation == nil {
		return nil
	}
	return s.mailInvitation(ctx, *r.Invitation, r.token)
}

// SubmitRegistration files a production registration's onboarding request with its
// writes and with: the same request, approval workflow and decision as a portal
// onboarding, which on approval also invites the administrator named in it.
func (s *Service) SubmitRegistration(ctx context.Context, r Registered, with ...workflow.Write) (approval.Request, error) {
	g := r.Organization
	req := s.onboardingRequest(g, Actor{UserID: g.OwnerID, Email: g.Contact.Email}, newID())
	req.Form[FormRegisteredThrough] = RegisteredThroughAPI
	req.Form[FormAdministratorEmail] = g.Contact.Email
	req.Summary += " (registered through the API)"
	out, err := s.approvals.Submit(ctx, req, append(r.Writes, with...)...)
	if errors.Is(err, apperr.ErrConflict) {
		return approval.Request{}, ErrIdentifierRegistered
	}
	return out, err
}

// registrationApproval adds, to the approval of an onboarding the software registered,
// the invitation of its administrator, and words the decision's mail (to the
// administrator, its requester) as that invitation.
func (k onboardingKind) registrationApproval(r approval.Request, code string, writes []workflow.Write) (workflow.Effects, error) {
	inv, token, invWrites, err := k.s.administratorInvitation(r.OrgID, r.OrgName, r.Form[FormAdministratorEmail], r.RequesterID)
	if err != nil {
		return workflow.Effects{}, err
	}
	effects, err := k.effects(append(writes, invWrites...), r, fmt.Sprintf("%s is approved", r.OrgName),
		fmt.Sprintf("The bank approved the onboarding of %s, which its software registered through the registration API. Its organization code is %s. You are invited to manage it on the portal as Administrator until %s.",
			r.OrgName, code, inv.ExpiresAt.Format("2 January 2006 15:04 MST")))
	if err != nil || effects.Mail == nil {
		return effects, err
	}
	link := k.s.portalURL + "/invitations/accept#token=" + url.QueryEscape(token)
	effects.Mail.Text = strings.Replace(effects.Mail.Text, "\n\nSee your organization's requests: ", "\n\nAccept the invitation: "+link+"\n\nNo account yet? Sign up with this email address first.\n\nThen see your organization's requests: ", 1)
	effects.Mail.HTML = strings.Replace(effects.Mail.HTML, "<p><a href=", fmt.Sprintf(`<p><a href="%s">Accept the invitation</a> (no account yet? Sign up with this email address first)</p><p><a href=`, link), 1)
	return effects, nil
}
