package approval

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/platform/paging"
	"github.com/bank/devportal/shared/platform/validation"
	"github.com/bank/devportal/shared/portal/workflow"
)

// Engine is the workflow engine the service drives.
type Engine interface {
	Start(ctx context.Context, name string, in workflow.Input) (string, error)
	Approve(ctx context.Context, taskToken string, decision workflow.Effects) error
	Reject(ctx context.Context, taskToken string, effects workflow.Effects) error
}

// Service submits requests and delivers operations decisions.
type Service struct {
	store   Store
	engine  Engine
	kinds   map[string]Kind
	timeout time.Duration
	keyOf   func(id string) workflow.Request
	// secondApprover are the kinds whose requests need two approvers.
	secondApprover map[string]bool
	// Members says whether a user is a member of an organization: nobody decides a
	// request of an organization they belong to. Nil checks nothing.
	Members func(ctx context.Context, orgID, userID string) (bool, error)
	// Now is the clock; tests move it.
	Now func() time.Time
}

// NewService returns the service; keyOf locates a request item for the workflow.
func NewService(store Store, engine Engine, timeout time.Duration, keyOf func(id string) workflow.Request) *Service {
	return &Service{store: store, engine: engine, kinds: map[string]Kind{}, timeout: timeout, keyOf: keyOf,
		Now: func() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }}
}

// Register makes a request kind known.
func (s *Service) Register(name string, k Kind) { s.kinds[name] = k }

// RequireSecondApprover makes the requests of kinds about production need two approvers
// (four eyes): whoever approved a step may not approve the next. A kind of one step gets
// a first approval step of its own. A request about a sandbox organization (its form's
// environment says so) needs one approver, as sandbox access risks no customer's money.
func (s *Service) RequireSecondApprover(kinds ...string) {
	s.secondApprover = map[string]bool{}
	for _, k := range kinds {
		s.secondApprover[k] = true
	}
}

// needsSecondApprover says whether r needs two approvers.
func (s *Service) needsSecondApprover(r Request) bool {
	return s.secondApprover[r.Kind] && r.Form["environment"] != "sandbox"
}

// SecondApprovalSteps name the steps of a request of one step that needs two approvers.
var SecondApprovalSteps = []string{"First approval", "Second approval"}

// Submit stores a new request with the submitting domain's writes and starts its workflow.
// If the start fails the request is stored all the same and StartStalled starts it later:
// the submitter is never told "failed" about a request that exists.
func (s *Service) Submit(ctx context.Context, r Request, with ...workflow.Write) (Request, error) {
	if _, ok := s.kinds[r.Kind]; !ok {
		return Request{}, apperr.Wrap(errors.New(r.Kind), "unknown request kind")
	}
	now := s.Now()
	r.Status, r.CreatedAt, r.ExpiresAt = Pending, now, now.Add(s.timeout)
	if s.needsSecondApprover(r) && len(r.Steps) == 0 {
		r.Steps, r.SecondApproval = SecondApprovalSteps, true
	}
	r.History = append(r.History, Event{At: now, Actor: r.RequesterEmail, Action: "submitted"})
	if err := s.store.CreateRequest(ctx, r, with...); err != nil {
		return Request{}, err
	}
	if err := s.start(ctx, r); err != nil {
		slog.ErrorContext(ctx, "approval workflow not started; the reconciler will start it", "requestId", r.ID, "error", err.Error())
	}
	return r, nil
}

// start begins a request's workflow with what to do if nobody decides in time. Starting
// twice is harmless: the execution is named after the request.
func (s *Service) start(ctx context.Context, r Request) error {
	kind, ok := s.kinds[r.Kind]
	if !ok {
		return apperr.Wrap(errors.New(r.Kind), "unknown request kind")
	}
	expiry, err := kind.Expire(r)
	if err != nil {
		return err
	}
	closeW, err := s.store.Close(r.ID, []Status{Pending, Deciding}, Expired, Event{At: r.ExpiresAt, Actor: "system", Action: "expired"})
	if err != nil {
		return err
	}
	if expiry.TransactItems, err = prepend(closeW, expiry.TransactItems); err != nil {
		return err
	}
	failure, err := kind.Fail(r)
	if err != nil {
		return err
	}
	arn, err := s.engine.Start(ctx, r.ID, workflow.Input{Request: s.keyOf(r.ID), OnTimeout: expiry, OnFailure: failure})
	if errors.Is(err, workflow.ErrAlreadyStarted) {
		return nil
	}
	if err != nil {
		return err
	}
	// The execution ARN is only for diagnosis: the request works without it.
	if err := s.store.SetExecution(ctx, r.ID, arn); err != nil {
		slog.ErrorContext(ctx, "execution not recorded on the request", "requestId", r.ID, "error", err.Error())
	}
	return nil
}

// StalledResult counts what a reconciler run did.
type StalledResult struct {
	Checked int `json:"checked"`
	Started int `json:"started"`
	Failed  int `json:"failed"`
}

// StartStalled starts the workflow of every pending request that has none a minute after
// its submission (its first start failed). It runs on a schedule.
func (s *Service) StartStalled(ctx context.Context) (StalledResult, error) {
	var res StalledResult
	pending, err := s.store.ListRequests(ctx, Pending)
	if err != nil {
		return res, err
	}
	cutoff := s.Now().Add(-time.Minute)
	for _, r := range pending {
		res.Checked++
		if r.TaskToken != "" || r.ExecutionARN != "" || r.CreatedAt.After(cutoff) {
			continue
		}
		if err := s.start(ctx, r); err != nil {
			res.Failed++
			slog.ErrorContext(ctx, "approval workflow still not started", "requestId", r.ID, "error", err.Error())
			continue
		}
		res.Started++
	}
	return res, nil
}

func prepend(w workflow.Write, items []map[string]any) ([]map[string]any, error) {
	first, err := workflow.Transaction(w)
	if err != nil {
		return nil, apperr.Wrap(err, "build transaction")
	}
	return append(first, items...), nil
}

// DecisionRequest is an operations decision with its comment.
type DecisionRequest struct {
	Comment string `json:"comment" validate:"max=1000,text" example:"Certificates and licence checked."`
}

// Approve delivers an approval; the workflow then applies it.
func (s *Service) Approve(ctx context.Context, id string, d Decision) (Request, error) {
	return s.decide(ctx, id, d, "approved", Approved)
}

// Reject delivers a rejection; a comment (the reason the requester reads) is required.
func (s *Service) Reject(ctx context.Context, id string, d Decision) (Request, error) {
	if strings.TrimSpace(d.Comment) == "" {
		return Request{}, apperr.Fields(apperr.Field("comment", "required", "Give the reason for the rejection: the requester will read it."))
	}
	return s.decide(ctx, id, d, "rejected", Rejected)
}

func (s *Service) decide(ctx context.Context, id string, d Decision, action string, to Status) (Request, error) {
	if errs := validation.Struct(DecisionRequest{Comment: d.Comment}); len(errs) > 0 {
		return Request{}, apperr.Fields(errs...)
	}
	r, err := s.store.GetRequest(ctx, id)
	if err != nil {
		return Request{}, err
	}
	switch {
	case r.RequesterID != "" && r.RequesterID == d.ActorID:
		return Request{}, apperr.New(apperr.Forbidden, "OWN_REQUEST", "You submitted this request; another member of the operations team has to decide it.")
	case to == Approved && s.needsSecondApprover(r) && slices.Contains(r.Approvers, d.ActorID):
		return Request{}, apperr.New(apperr.Forbidden, "SECOND_APPROVER_REQUIRED", "You approved the previous step of this request; another member of the operations team has to approve this one.")
	case r.Status == Failed:
		return Request{}, apperr.New(apperr.Conflict, "REQUEST_FAILED", "This request could not be applied and is closed; the requester has to submit it again.")
	case r.Status == Expired:
		return Request{}, apperr.New(apperr.Gone, "REQUEST_EXPIRED", "This request expired before anyone decided it; the requester has to submit it again.")
	case r.Status != Pending:
		return Request{}, apperr.New(apperr.Conflict, "REQUEST_DECIDED", "This request has already been decided.")
	case r.TaskToken == "":
		return Request{}, apperr.New(apperr.Conflict, "REQUEST_NOT_READY", "This request is still being set up; try again in a moment.")
	}
	if s.Members != nil {
		member, err := s.Members(ctx, r.OrgID, d.ActorID)
		if err != nil {
			return Request{}, err
		}
		if member {
			return Request{}, apperr.New(apperr.Forbidden, "OWN_ORGANIZATION", "You are a member of this organization; another member of the operations team has to decide its requests.")
		}
	}
	kind, ok := s.kinds[r.Kind]
	if !ok {
		return Request{}, apperr.Wrap(errors.New(r.Kind), "unknown request kind")
	}
	d.At = s.Now()
	ev := Event{At: d.At, Actor: d.Actor, Action: action, Comment: d.Comment}
	var effects workflow.Effects
	switch {
	case to == Approved && r.SecondApproval && r.Step == 0:
		// The kind approves at the second step; the first only records its approver.
		effects = workflow.Effects{Outcome: workflow.NextStep}
	case to == Approved:
		effects, err = kind.Approve(ctx, r, d)
	default:
		effects, err = kind.Reject(ctx, r, d)
	}
	if err != nil {
		return Request{}, err
	}
	next := to == Approved && effects.Outcome == workflow.NextStep
	var closeW workflow.Write
	if next {
		if len(r.Steps) > 0 && r.Step < len(r.Steps) {
			ev.Action = "approved: " + r.Steps[r.Step]
		}
		closeW, err = s.store.Advance(r.ID, ev, d.At.Add(s.timeout), d.ActorID)
	} else {
		closeW, err = s.store.Close(r.ID, []Status{Deciding}, to, ev)
	}
	if err != nil {
		return Request{}, err
	}
	if effects.TransactItems, err = prepend(closeW, effects.TransactItems); err != nil {
		return Request{}, err
	}
	if err := s.store.Claim(ctx, r.ID, r.TaskToken, Event{At: d.At, Actor: d.Actor, Action: "deciding"}); err != nil {
		return Request{}, err
	}
	if to == Approved {
		err = s.engine.Approve(ctx, r.TaskToken, effects)
	} else {
		err = s.engine.Reject(ctx, r.TaskToken, effects)
	}
	if errors.Is(err, workflow.ErrDecided) {
		return Request{}, apperr.New(apperr.Gone, "REQUEST_EXPIRED", "This request expired before the decision reached it.")
	}
	if err != nil {
		// Not delivered: back to the inbox, even if this request's context has ended.
		if uerr := s.store.Unclaim(context.WithoutCancel(ctx), r.ID); uerr != nil {
			slog.ErrorContext(ctx, "request left in DECIDING", "requestId", r.ID, "error", uerr.Error())
		}
		return Request{}, err
	}
	r.Status = Deciding
	r.History = append(r.History, ev)
	if next {
		r.Status, r.Step, r.TaskToken, r.ExpiresAt = Pending, r.Step+1, "", d.At.Add(s.timeout)
		r.Approvers = append(r.Approvers, d.ActorID)
	}
	return r, nil
}

// Get returns one request.
func (s *Service) Get(ctx context.Context, id string) (Request, error) {
	return s.store.GetRequest(ctx, id)
}

// List returns requests with a status, oldest first.
func (s *Service) List(ctx context.Context, status Status) ([]Request, error) {
	return s.store.ListRequests(ctx, status)
}

// Page returns one page of the requests with a status, oldest first, and the next page's
// cursor ("" at the end).
func (s *Service) Page(ctx context.Context, status Status, page paging.Page) ([]Request, string, error) {
	return s.store.RequestsPage(ctx, status, page)
}

// PageForOrganization returns one page of an organization's requests, newest first.
func (s *Service) PageForOrganization(ctx context.Context, orgID string, page paging.Page) ([]Request, string, error) {
	return s.store.OrganizationRequestsPage(ctx, orgID, page)
}

// ListForOrganization returns an organization's requests, newest first.
func (s *Service) ListForOrganization(ctx context.Context, orgID string) ([]Request, error) {
	return s.store.ListForOrganization(ctx, orgID)
}
