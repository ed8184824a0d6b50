// Package org holds the rules of TPP organizations: onboarding with eIDAS certificates,
// the organization code, members and their roles, invitations, rename and offboarding
// requests, and the audit trail. Changes that need the bank's approval go through the
// approval workflow (shared/portal/workflow); the workflow itself writes the outcome.
package org

import (
	"context"
	"fmt"
	"time"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/platform/paging"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/portal/possession"
	"github.com/bank/devportal/shared/portal/workflow"
	"github.com/bank/devportal/shared/trust/eidas"
)

// Status is where an organization is in its life.
type Status string

// Organization states.
const (
	// StatusDraft is an onboarding whose certificates' private keys are not both proven yet:
	// it reserves nothing and has not reached operations.
	StatusDraft      Status = "DRAFT"
	StatusPending    Status = "PENDING_APPROVAL"
	StatusActive     Status = "ACTIVE"
	StatusRejected   Status = "REJECTED"
	StatusOffboarded Status = "OFFBOARDED"
)

// Environment is where an organization's apps run; the TPP API's lookups name it too.
type Environment = lookup.Environment

// Environments.
const (
	Sandbox    = lookup.Sandbox
	Production = lookup.Production
)

// Role is a member's role, as seed 002 defines them.
type Role string

// Member roles, most powerful first.
const (
	Owner     Role = "OWNER"
	Admin     Role = "ADMIN"
	Developer Role = "DEVELOPER"
	Viewer    Role = "VIEWER"
)

// Cleanup is an offboarding's cleanup the workflow could not finish.
type Cleanup struct {
	OrgID     string    `json:"organizationId" dynamodbav:"orgId"`
	RequestID string    `json:"requestId" dynamodbav:"requestId"`
	At        time.Time `json:"at" dynamodbav:"at"`
}

// Contact is the organization's contact person, from the onboarding form.
type Contact struct {
	FirstName string `json:"firstName" dynamodbav:"firstName"`
	LastName  string `json:"lastName" dynamodbav:"lastName"`
	Email     string `json:"email" dynamodbav:"email"`
	Phone     string `json:"phone" dynamodbav:"phone"`
}

// Organization is a TPP as the portal keeps it.
type Organization struct {
	ID          string      `dynamodbav:"id"`
	Name        string      `dynamodbav:"name"`
	Environment Environment `dynamodbav:"environment"`
	Status      Status      `dynamodbav:"status"`
	// Code lets developers join; set when onboarding is approved.
	Code string `dynamodbav:"code,omitempty"`
	// Reason is why onboarding was rejected or the organization offboarded.
	Reason  string  `dynamodbav:"reason,omitempty"`
	Contact Contact `dynamodbav:"contact"`
	// Services are the PSD2 services the TPP asked for: AIS, PIS, PIIS.
	Services []string `dynamodbav:"services"`
	// OrganizationIdentifier is the certificates' organizationIdentifier.
	OrganizationIdentifier string             `dynamodbav:"organizationIdentifier"`
	QWAC                   *eidas.Certificate `dynamodbav:"-"`
	QSealC                 *eidas.Certificate `dynamodbav:"-"`
	QWACPEM                string             `dynamodbav:"qwacPem"`
	QSealCPEM              string             `dynamodbav:"qsealcPem"`
	// QWACPossession and QSealCPossession record the proof that the onboarding's holder has
	// each certificate's private key; nil while unproven. Onboarding reaches operations only
	// with both.
	QWACPossession   *possession.Proof `dynamodbav:"qwacPossession,omitempty"`
	QSealCPossession *possession.Proof `dynamodbav:"qsealcPossession,omitempty"`
	Members          int               `dynamodbav:"members"`
	CreatedAt        time.Time         `dynamodbav:"createdAt"`
	OwnerID          string            `dynamodbav:"ownerId"`
	// Renewal is a renewal of its certificates under way: waiting for the proofs of
	// possession of the new keys, or (production) for the bank's decision. The certificates
	// above stay in force until it is applied.
	Renewal *Renewal `dynamodbav:"renewal,omitempty"`
}

// Member is a user's membership of an organization.
type Member struct {
	OrgID    string    `json:"-" dynamodbav:"orgId"`
	UserID   string    `json:"userId" dynamodbav:"userId"`
	Email    string    `json:"email" dynamodbav:"email"`
	FullName string    `json:"fullName" dynamodbav:"fullName"`
	Role     Role      `json:"role" dynamodbav:"role" enum:"OWNER,ADMIN,DEVELOPER,VIEWER"`
	JoinedAt time.Time `json:"joinedAt" dynamodbav:"joinedAt"`
}

// Store keeps organizations and members. Writes that must not clobber are conditional;
// errors are apperr kinds (ErrNotFound, ErrConflict).
type Store interface {
	// Challenges and issuance records prove possession of the certificates' keys.
	possession.Store
	// OrganizationWrites are the writes creating an organization with its owner as first
	// member; a pending one also reserves its organizationIdentifier, a draft reserves
	// nothing. The onboarding request stores them in its own transaction.
	OrganizationWrites(o Organization, owner Member, audit AuditEntry) ([]workflow.Write, error)
	// CreateOrganization applies OrganizationWrites on their own (a draft).
	CreateOrganization(ctx context.Context, o Organization, owner Member, audit AuditEntry) error
	// RecordOnboardingPossession stores the proof for the first proven of a draft's two
	// certificates ("qwac" or "qsealc") with the write spending its challenge and the
	// audit entry; refused unless it is still a draft with neither proven.
	RecordOnboardingPossession(ctx context.Context, orgID, certificate string, p possession.Proof, spend workflow.Write, audit AuditEntry) error
	// OnboardingSubmitWrites record the proof for the second of a draft's certificates,
	// make it pending and reserve its organizationIdentifier (refused if taken); the
	// onboarding request stores them in its own transaction.
	OnboardingSubmitWrites(o Organization, certificate string, p possession.Proof) ([]workflow.Write, error)
	// IdentifierHolder returns the organization holding an organizationIdentifier.
	IdentifierHolder(ctx context.Context, env, identifier string) (string, error)
	// IdentifierRelease frees an organizationIdentifier the organization held.
	IdentifierRelease(orgID, env, identifier string) workflow.Write
	// PendingLock marks a request of kind as waiting for the organization, refused if one
	// already waits; unless (a kind) names a kind whose waiting request also refuses it.
	PendingLock(orgID, kind, unless string) []workflow.Write
	// PendingRelease ends the mark when the request is decided or expires.
	PendingRelease(orgID, kind string) workflow.Write
	// AccessCopies are the keys of the items through which the organization's apps are
	// called (credential and certificate lookup copies), to delete on offboarding.
	AccessCopies(ctx context.Context, orgID string) ([]workflow.Delete, error)
	// CleanupMarker records an offboarding cleanup as unfinished (the workflow writes it
	// when a delete fails); UnfinishedCleanups lists them; FinishCleanup deletes what is
	// left and then the marker.
	CleanupMarker(c Cleanup) (workflow.Write, error)
	UnfinishedCleanups(ctx context.Context) ([]Cleanup, error)
	FinishCleanup(ctx context.Context, c Cleanup, deletes []workflow.Delete) error
	// RenewalDraftWrite stores r as the organization's renewal waiting for proofs of
	// possession, replacing one not submitted; refused unless the organization is active
	// with no renewal submitted.
	RenewalDraftWrite(orgID string, r Renewal) (workflow.Write, error)
	// RenewalProofWrite records the proof for the certificate ("qwac" or "qsealc") of the
	// renewal renewalID; refused unless that is still the organization's renewal, not
	// submitted, with that certificate unproven.
	RenewalProofWrite(orgID, renewalID, certificate string, p possession.Proof) (workflow.Write, error)
	// RenewalSubmitWrite stores r, every certificate proven, as submitted in request
	// r.RequestID; refused unless the organization is active with no renewal submitted
	// and, with draftID, that draft still its renewal.
	RenewalSubmitWrite(orgID, draftID string, r Renewal) (workflow.Write, error)
	// RenewalApplyWrite puts r's certificates and their proofs in force and ends the
	// renewal; refused unless the organization is active and, for a submitted r, r is
	// still its renewal (else none is submitted and, with draftID, that draft is its renewal).
	RenewalApplyWrite(orgID, draftID string, r Renewal) (workflow.Write, error)
	// RenewalEndWrite ends the submitted renewal of request requestID without applying it.
	RenewalEndWrite(orgID, requestID string) workflow.Write
	// Commit runs writes in one transaction; a failed condition returns conflict.
	Commit(ctx context.Context, conflict error, writes ...workflow.Write) error
	// CodeReservation reserves a code for the organization; refused if the code is taken.
	CodeReservation(orgID, code string) (workflow.Write, error)
	// CodeWrites reserve newCode for the organization and retire oldCode ("" for none).
	CodeWrites(orgID, oldCode, newCode string) ([]workflow.Write, error)
	// StatusWrite moves the organization from one of from to to, setting attributes.
	StatusWrite(orgID string, from []Status, to Status, set map[string]string) workflow.Write
	AuditWrite(e AuditEntry) (workflow.Write, error)
	// RecordAudit stores one audit entry, for a change kept elsewhere (Cognito).
	RecordAudit(ctx context.Context, e AuditEntry) error
	GetOrganization(ctx context.Context, id string) (Organization, error)
	// OrganizationByCode finds the organization a code belongs to.
	OrganizationByCode(ctx context.Context, code string) (Organization, error)
	ListOrganizations(ctx context.Context) ([]Organization, error)
	// OrganizationsPage reads one page of every organization, oldest first.
	OrganizationsPage(ctx context.Context, page paging.Page) ([]Organization, string, error)
	GetMember(ctx context.Context, orgID, userID string) (Member, error)
	ListMembers(ctx context.Context, orgID string) ([]Member, error)
	// MembersPage reads one page of an organization's members.
	MembersPage(ctx context.Context, orgID string, page paging.Page) ([]Member, string, error)
	// Memberships lists a user's organizations.
	Memberships(ctx context.Context, userID string) ([]Member, error)
	// AddMember adds a member if the organization is active and has room (max members).
	AddMember(ctx context.Context, m Member, max int, audit AuditEntry) error
	SetRole(ctx context.Context, orgID, userID string, from, to Role, audit AuditEntry) error
	// RemoveMember removes a membership; block keeps the code from letting them back in.
	RemoveMember(ctx context.Context, orgID, userID string, block bool, audit AuditEntry) error
	// TransferOwnership makes newOwner the owner and the old owner an administrator.
	TransferOwnership(ctx context.Context, orgID, oldOwner, newOwner string, audit AuditEntry) error
	// ReplaceCode gives the organization a new code and retires the old one.
	ReplaceCode(ctx context.Context, orgID, oldCode, newCode string, audit AuditEntry) error
	// Audit reads one page of the audit entries f selects, newest first: a page holds
	// Limit entries that match unless the trail ends first.
	Audit(ctx context.Context, f AuditFilter, page paging.Page) ([]AuditEntry, string, error)
}

// AuditEntry records one change: who, what, when, from which request.
type AuditEntry struct {
	OrgID     string            `json:"orgId" dynamodbav:"orgId"`
	At        time.Time         `json:"at" dynamodbav:"at"`
	ActorID   string            `json:"actorId" dynamodbav:"actorId"`
	Actor     string            `json:"actor" dynamodbav:"actor"`
	Action    string            `json:"action" dynamodbav:"action"`
	Details   map[string]string `json:"details,omitempty" dynamodbav:"details,omitempty"`
	RequestID string            `json:"requestId,omitempty" dynamodbav:"requestId,omitempty"`
}

// AuditFilter selects audit entries; the zero filter selects every organization's.
type AuditFilter struct {
	// OrgID is the organization's ID ("" for every organization).
	OrgID string
	// Actor is part of the actor's address, in lowercase (addresses are kept in lowercase).
	Actor string
	// Action is one action exactly, for example "member.joined".
	Action string
	// From and To bound the time: from From on, before To; zero for no bound.
	From, To time.Time
}

// Errors the organization rules return.
var (
	ErrAlreadyMember = apperr.New(apperr.Conflict, "ALREADY_MEMBER", "You are already a member of this organization.")
	ErrNotActive     = apperr.New(apperr.Conflict, "ORGANIZATION_NOT_ACTIVE", "This organization is not active, so nobody can join it.")
	ErrRemoved       = apperr.New(apperr.Forbidden, "REMOVED_MEMBER", "You were removed from this organization; only an invitation from its owner or an administrator lets you back in.")
)

// ErrFull refuses a new member of an organization that has max members.
func ErrFull(max int) error {
	return apperr.New(apperr.Conflict, "ORGANIZATION_FULL", fmt.Sprintf("This organization already has the maximum of %d members. Ask its owner to remove someone first.", max))
}
