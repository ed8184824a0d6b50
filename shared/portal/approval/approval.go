// Package approval keeps the requests that wait for the bank's operations staff
// (onboarding, rename, offboarding; later subscriptions and production access) and
// delivers decisions to their workflow. Each request kind says, through a Kind, what its
// approval, rejection and expiry write; the workflow applies those writes itself.
package approval

import (
	"context"
	"time"

	"github.com/bank/devportal/shared/platform/paging"
	"github.com/bank/devportal/shared/portal/workflow"
)

// Status is where a request is.
type Status string

// Request states. DECIDING is the short moment between an operations decision being
// claimed and the workflow applying it.
const (
	Pending  Status = "PENDING"
	Deciding Status = "DECIDING"
	Approved Status = "APPROVED"
	Rejected Status = "REJECTED"
	Expired  Status = "EXPIRED"
	// Failed marks a request whose decision could not be applied (a condition of its
	// writes no longer held); the workflow sets it so nothing stays waiting forever.
	Failed Status = "FAILED"
)

// Event is one line of a request's history.
type Event struct {
	At      time.Time `json:"at" dynamodbav:"at"`
	Actor   string    `json:"actor" dynamodbav:"actor"`
	Action  string    `json:"action" dynamodbav:"action"`
	Comment string    `json:"comment,omitempty" dynamodbav:"comment,omitempty"`
}

// Request is one request for a decision.
type Request struct {
	ID      string `json:"id" dynamodbav:"id"`
	Kind    string `json:"kind" dynamodbav:"kind"`
	OrgID   string `json:"organizationId" dynamodbav:"orgId"`
	OrgName string `json:"organizationName" dynamodbav:"orgName"`
	// Environment is the organization's (sandbox or production): sandbox and production
	// organizations often share a name. Empty on requests made before it was recorded.
	Environment    string            `json:"environment,omitempty" dynamodbav:"environment,omitempty" enum:"sandbox,production"`
	RequesterID    string            `json:"requesterId" dynamodbav:"requesterId"`
	RequesterEmail string            `json:"requesterEmail" dynamodbav:"requesterEmail"`
	Status         Status            `json:"status" dynamodbav:"status" enum:"PENDING,DECIDING,APPROVED,REJECTED,EXPIRED,FAILED"`
	Summary        string            `json:"summary" dynamodbav:"summary"`
	Form           map[string]string `json:"form" dynamodbav:"form"`
	CreatedAt      time.Time         `json:"createdAt" dynamodbav:"createdAt"`
	ExpiresAt      time.Time         `json:"expiresAt" dynamodbav:"expiresAt"`
	History        []Event           `json:"history" dynamodbav:"history"`
	// Steps name the decisions a request needs when it needs more than one (go-live:
	// review, then contract signed); Step is the index of the one awaited.
	Steps []string `json:"steps,omitempty" dynamodbav:"steps,omitempty"`
	Step  int      `json:"step" dynamodbav:"step"`
	// SecondApproval marks a request whose kind needs one step but that needs two
	// approvers (Service.RequireSecondApprover): the service adds the first step itself,
	// and the kind's approval runs at the second.
	SecondApproval bool `json:"secondApproval,omitempty" dynamodbav:"secondApproval,omitempty"`
	// Approvers are the operations users (IDs) who approved its earlier steps.
	Approvers []string `json:"-" dynamodbav:"approvers,omitempty"`
	// TaskToken is set by the workflow while it waits; never sent to a client.
	TaskToken    string `json:"-" dynamodbav:"taskToken,omitempty"`
	ExecutionARN string `json:"-" dynamodbav:"executionArn,omitempty"`
}

// Decision is what an operations user decided.
type Decision struct {
	ActorID string
	Actor   string
	Comment string
	At      time.Time
}

// Kind is one type of request: what approving, rejecting and expiring it write.
type Kind interface {
	// Approve returns the effects of an approval (the request's own status change is added
	// by the service).
	Approve(ctx context.Context, r Request, d Decision) (workflow.Effects, error)
	Reject(ctx context.Context, r Request, d Decision) (workflow.Effects, error)
	Expire(r Request) (workflow.Effects, error)
	// Fail returns what a decision that could not be applied releases (what the pending
	// request held), with at least one write; the request itself is marked FAILED.
	Fail(r Request) (workflow.Effects, error)
}

// Store keeps requests.
type Store interface {
	// CreateRequest writes the request together with writes of the submitting domain (for
	// example the pending organization), all or nothing.
	CreateRequest(ctx context.Context, r Request, with ...workflow.Write) error
	GetRequest(ctx context.Context, id string) (Request, error)
	// ListRequests lists requests by status, oldest first.
	ListRequests(ctx context.Context, status Status) ([]Request, error)
	// RequestsPage reads one page of the requests in a status, oldest first.
	RequestsPage(ctx context.Context, status Status, page paging.Page) ([]Request, string, error)
	// OrganizationRequestsPage reads one page of an organization's requests, newest first.
	OrganizationRequestsPage(ctx context.Context, orgID string, page paging.Page) ([]Request, string, error)
	// ListForOrganization lists one organization's requests, newest first.
	ListForOrganization(ctx context.Context, orgID string) ([]Request, error)
	SetExecution(ctx context.Context, id, executionARN string) error
	// Claim moves a waiting request to DECIDING if it still waits with this task token.
	Claim(ctx context.Context, id, taskToken string, e Event) error
	// Unclaim moves a DECIDING request back to PENDING (the decision could not be sent).
	Unclaim(ctx context.Context, id string) error
	// Close is the write that ends a request with its final status and event; it joins
	// the workflow's transaction.
	Close(id string, from []Status, to Status, e Event) (workflow.Write, error)
	// Advance is the write that moves a DECIDING request to its next step: PENDING again,
	// without a task token until the workflow waits anew, expiring at expiresAt, with
	// approverID added to its approvers.
	Advance(id string, e Event, expiresAt time.Time, approverID string) (workflow.Write, error)
}

// MailSubject is subject as the requester's email states it: led by the environment, since
// sandbox and production organizations often share a name and their decisions would
// otherwise read the same. Requests made before the environment was recorded fall back
// to their form's, or keep the subject as it is.
func (r Request) MailSubject(subject string) string {
	env := r.Environment
	if env == "" {
		env = r.Form["environment"]
	}
	switch env {
	case "sandbox":
		return "Sandbox: " + subject
	case "production":
		return "Production: " + subject
	}
	return subject
}
