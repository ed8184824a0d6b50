package approval_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/portal/approval"
	"github.com/bank/devportal/shared/portal/store"
	"github.com/bank/devportal/shared/portal/workflow"
	"github.com/bank/devportal/shared/portal/workflow/sfnengine"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// markKind writes a mark item named after the outcome, so tests see what the workflow
// applied: in an organization's partition, one of the families the state machine writes
// (workflow.Keys).
type markKind struct{ table string }

func (k markKind) mark(id, outcome string) (workflow.Effects, error) {
	items, err := workflow.Transaction(workflow.Write{Put: &types.Put{TableName: &k.table, Item: map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: "ORG#mark-" + id}, "SK": &types.AttributeValueMemberS{Value: outcome}}}})
	return workflow.Effects{TransactItems: items}, err
}
func (k markKind) Approve(_ context.Context, r approval.Request, _ approval.Decision) (workflow.Effects, error) {
	return k.mark(r.ID, "approved")
}
func (k markKind) Reject(_ context.Context, r approval.Request, _ approval.Decision) (workflow.Effects, error) {
	return k.mark(r.ID, "rejected")
}
func (k markKind) Expire(r approval.Request) (workflow.Effects, error) {
	return k.mark(r.ID, "expired")
}
func (k markKind) Fail(r approval.Request) (workflow.Effects, error) {
	return k.mark(r.ID, "failed")
}

// brokenKind approves with a write whose condition cannot hold.
type brokenKind struct{ markKind }

func (k brokenKind) Approve(_ context.Context, r approval.Request, _ approval.Decision) (workflow.Effects, error) {
	items, err := workflow.Transaction(workflow.Write{Update: &types.Update{TableName: &k.table,
		Key:                       map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "ORG#missing-" + r.ID}, "SK": &types.AttributeValueMemberS{Value: "X"}},
		UpdateExpression:          aws.String("SET x = :x"),
		ConditionExpression:       aws.String("attribute_exists(PK)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":x": &types.AttributeValueMemberS{Value: "x"}}}})
	return workflow.Effects{TransactItems: items}, err
}

type fixture struct {
	t   *testing.T
	svc *approval.Service
	db  *dynamodb.Client
	cfg config.Config
}

func newFixture(t *testing.T, timeout time.Duration) *fixture {
	cfg := testenv.Bootstrapped(t, testenv.Ops, func(c *config.Config) { c.DecisionTimeout = timeout })
	awsCfg := testenv.AWS(t, cfg)
	db := dynamodb.NewFromConfig(awsCfg)
	svc := approval.NewService(store.NewRequests(db, cfg.PortalTable), sfnengine.NewEngine(sfn.NewFromConfig(awsCfg), cfg.ApprovalStateMachineARN), timeout, store.WorkflowKey)
	svc.Register("TEST", markKind{table: cfg.PortalTable})
	svc.Register("BROKEN", brokenKind{markKind{table: cfg.PortalTable}})
	svc.Register("FOUR_EYES", markKind{table: cfg.PortalTable})
	svc.RequireSecondApprover("FOUR_EYES")
	// ops9 belongs to org1, the organization of the tests' requests.
	svc.Members = func(_ context.Context, orgID, userID string) (bool, error) {
		return orgID == "org1" && userID == "ops9", nil
	}
	return &fixture{t: t, svc: svc, db: db, cfg: cfg}
}

func (f *fixture) submit() approval.Request { return f.submitKind("TEST") }

func (f *fixture) submitKind(kind string) approval.Request {
	return f.submitForm(kind, nil)
}

func (f *fixture) submitForm(kind string, form map[string]string) approval.Request {
	f.t.Helper()
	r, err := f.svc.Submit(context.Background(), approval.Request{ID: testenv.Suffix(), Kind: kind, OrgID: "org1", OrgName: "Acme", RequesterID: "owner1", RequesterEmail: "owner@example.com", Summary: "test", Form: form})
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

// waitStatus waits until the request has status and, for waiting, its task token.
func (f *fixture) waitStatus(id string, status approval.Status) approval.Request {
	f.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		r, err := f.svc.Get(context.Background(), id)
		if err != nil {
			f.t.Fatal(err)
		}
		if r.Status == status && (status != approval.Pending || r.TaskToken != "") {
			return r
		}
		time.Sleep(50 * time.Millisecond)
	}
	r, _ := f.svc.Get(context.Background(), id)
	f.t.Fatalf("request %s is %s, want %s", id, r.Status, status)
	return approval.Request{}
}

func (f *fixture) marked(id, outcome string) bool {
	out, err := f.db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: &f.cfg.PortalTable, ConsistentRead: aws.Bool(true), Key: map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: "ORG#mark-" + id}, "SK": &types.AttributeValueMemberS{Value: outcome}}})
	return err == nil && out.Item != nil
}

func code(err error) string {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return ae.Code
	}
	return ""
}

var ops = approval.Decision{ActorID: "ops1", Actor: "ops@test.example"}

func TestDecisions(t *testing.T) {
	f := newFixture(t, time.Hour)
	ctx := context.Background()

	t.Run("approve", func(t *testing.T) {
		r := f.submit()
		f.waitStatus(r.ID, approval.Pending)
		inbox, err := f.svc.List(ctx, approval.Pending)
		if err != nil || len(inbox) == 0 || inbox[len(inbox)-1].ID != r.ID {
			t.Fatalf("inbox = %v, %v", inbox, err)
		}
		d := ops
		d.Comment = "looks good"
		if _, err := f.svc.Approve(ctx, r.ID, d); err != nil {
			t.Fatal(err)
		}
		done := f.waitStatus(r.ID, approval.Approved)
		if !f.marked(r.ID, "approved") || len(done.History) != 3 || done.History[1].Action != "deciding" ||
			done.History[2].Action != "approved" || done.History[2].Comment != "looks good" {
			t.Fatalf("approved request: %+v", done)
		}
		if _, err := f.svc.Approve(ctx, r.ID, ops); code(err) != "REQUEST_DECIDED" {
			t.Fatalf("second approval: %v", err)
		}
		if _, err := f.svc.Reject(ctx, r.ID, approval.Decision{Comment: "no"}); code(err) != "REQUEST_DECIDED" {
			t.Fatalf("rejection after approval: %v", err)
		}
		if f.marked(r.ID, "rejected") {
			t.Fatal("a refused decision was applied")
		}
	})

	t.Run("reject needs a reason", func(t *testing.T) {
		r := f.submit()
		f.waitStatus(r.ID, approval.Pending)
		if _, err := f.svc.Reject(ctx, r.ID, ops); code(err) != "VALIDATION_FAILED" {
			t.Fatalf("rejection without reason: %v", err)
		}
		d := ops
		d.Comment = "certificates are for another company"
		if _, err := f.svc.Reject(ctx, r.ID, d); err != nil {
			t.Fatal(err)
		}
		done := f.waitStatus(r.ID, approval.Rejected)
		if !f.marked(r.ID, "rejected") || f.marked(r.ID, "approved") || done.History[len(done.History)-1].Comment != d.Comment {
			t.Fatalf("rejected request: %+v", done)
		}
	})

	t.Run("racing decisions: one wins", func(t *testing.T) {
		r := f.submit()
		f.waitStatus(r.ID, approval.Pending)
		approved, rejected := make(chan error, 1), make(chan error, 1)
		go func() { _, err := f.svc.Approve(ctx, r.ID, ops); approved <- err }()
		go func() {
			d := ops
			d.Comment = "no"
			_, err := f.svc.Reject(ctx, r.ID, d)
			rejected <- err
		}()
		a, b := <-approved, <-rejected
		if (a == nil) == (b == nil) {
			t.Fatalf("both or neither decision went through: %v / %v", a, b)
		}
		// The winner's effects land when its workflow step runs: wait for the request to
		// close, then exactly one outcome is there.
		want := approval.Approved
		if a != nil {
			want = approval.Rejected
		}
		f.waitStatus(r.ID, want)
		if f.marked(r.ID, "approved") == f.marked(r.ID, "rejected") {
			t.Fatal("not exactly one outcome applied")
		}
	})

	t.Run("a decision that cannot be applied closes the request as FAILED", func(t *testing.T) {
		r := f.submitKind("BROKEN")
		f.waitStatus(r.ID, approval.Pending)
		if _, err := f.svc.Approve(ctx, r.ID, ops); err != nil {
			t.Fatal(err)
		}
		f.waitStatus(r.ID, approval.Failed)
		// What the request held is released.
		deadline := time.Now().Add(10 * time.Second)
		for !f.marked(r.ID, "failed") {
			if time.Now().After(deadline) {
				t.Fatal("the failure writes were not applied")
			}
			time.Sleep(100 * time.Millisecond)
		}
		if _, err := f.svc.Reject(ctx, r.ID, approval.Decision{ActorID: "ops1", Comment: "no"}); code(err) != "REQUEST_FAILED" {
			t.Fatalf("decision on a failed request: %v", err)
		}
		failed, err := f.svc.List(ctx, approval.Failed)
		if err != nil || !slices.ContainsFunc(failed, func(x approval.Request) bool { return x.ID == r.ID }) {
			t.Fatalf("FAILED inbox = %v, %v", failed, err)
		}
	})

	t.Run("nobody decides their own request", func(t *testing.T) {
		r := f.submit()
		f.waitStatus(r.ID, approval.Pending)
		if _, err := f.svc.Approve(ctx, r.ID, approval.Decision{ActorID: "owner1", Actor: "owner@example.com"}); code(err) != "OWN_REQUEST" {
			t.Fatalf("own approval: %v", err)
		}
	})

	t.Run("nobody decides a request of an organization they belong to", func(t *testing.T) {
		r := f.submit()
		f.waitStatus(r.ID, approval.Pending)
		member := approval.Decision{ActorID: "ops9", Actor: "ops9@bank.example", Comment: "no"}
		if _, err := f.svc.Approve(ctx, r.ID, member); code(err) != "OWN_ORGANIZATION" {
			t.Fatalf("approval by a member: %v", err)
		}
		if _, err := f.svc.Reject(ctx, r.ID, member); code(err) != "OWN_ORGANIZATION" {
			t.Fatalf("rejection by a member: %v", err)
		}
		if got, _ := f.svc.Get(ctx, r.ID); got.Status != approval.Pending || len(got.History) != 1 || f.marked(r.ID, "approved") || f.marked(r.ID, "rejected") {
			t.Fatalf("a refused decision changed the request: %+v", got)
		}
	})

	t.Run("four eyes: a second person approves", func(t *testing.T) {
		r := f.submitForm("FOUR_EYES", map[string]string{"environment": "production"})
		if fmt.Sprint(r.Steps) != "[First approval Second approval]" || !r.SecondApproval {
			t.Fatalf("steps %v, second approval %v", r.Steps, r.SecondApproval)
		}
		f.waitStatus(r.ID, approval.Pending)
		if _, err := f.svc.Approve(ctx, r.ID, ops); err != nil {
			t.Fatal(err)
		}
		waiting := f.waitStatus(r.ID, approval.Pending)
		for waiting.Step != 1 || waiting.TaskToken == "" {
			time.Sleep(50 * time.Millisecond)
			waiting, _ = f.svc.Get(ctx, r.ID)
		}
		if !slices.Equal(waiting.Approvers, []string{"ops1"}) || f.marked(r.ID, "approved") {
			t.Fatalf("after the first approval: approvers %v, applied %v", waiting.Approvers, f.marked(r.ID, "approved"))
		}
		if _, err := f.svc.Approve(ctx, r.ID, ops); code(err) != "SECOND_APPROVER_REQUIRED" {
			t.Fatalf("second approval by the first approver: %v", err)
		}
		if f.marked(r.ID, "approved") {
			t.Fatal("the first approver's second approval was applied")
		}
		if _, err := f.svc.Approve(ctx, r.ID, approval.Decision{ActorID: "ops2", Actor: "ops2@bank.example"}); err != nil {
			t.Fatal(err)
		}
		done := f.waitStatus(r.ID, approval.Approved)
		if !f.marked(r.ID, "approved") || done.History[len(done.History)-1].Actor != "ops2@bank.example" {
			t.Fatalf("approved request: %+v", done)
		}
	})

	t.Run("four eyes: the first approver may still reject", func(t *testing.T) {
		r := f.submitForm("FOUR_EYES", map[string]string{"environment": "production"})
		f.waitStatus(r.ID, approval.Pending)
		if _, err := f.svc.Approve(ctx, r.ID, ops); err != nil {
			t.Fatal(err)
		}
		for w, _ := f.svc.Get(ctx, r.ID); w.Step != 1 || w.TaskToken == ""; w, _ = f.svc.Get(ctx, r.ID) {
			time.Sleep(50 * time.Millisecond)
		}
		d := ops
		d.Comment = "the contract came back unsigned"
		if _, err := f.svc.Reject(ctx, r.ID, d); err != nil {
			t.Fatal(err)
		}
		f.waitStatus(r.ID, approval.Rejected)
		if !f.marked(r.ID, "rejected") {
			t.Fatal("the rejection was not applied")
		}
	})

	t.Run("four eyes: a sandbox request needs one approver", func(t *testing.T) {
		r := f.submitForm("FOUR_EYES", map[string]string{"environment": "sandbox"})
		if r.Steps != nil || r.SecondApproval {
			t.Fatalf("steps %v, second approval %v", r.Steps, r.SecondApproval)
		}
		f.waitStatus(r.ID, approval.Pending)
		if _, err := f.svc.Approve(ctx, r.ID, ops); err != nil {
			t.Fatal(err)
		}
		f.waitStatus(r.ID, approval.Approved)
	})

	t.Run("unknown request", func(t *testing.T) {
		if _, err := f.svc.Approve(ctx, "nope", ops); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("err = %v", err)
		}
	})
}

// downEngine fails every start, as Step Functions would when it is unreachable.
type downEngine struct{ approval.Engine }

func (downEngine) Start(context.Context, string, workflow.Input) (string, error) {
	return "", errors.New("states: connection refused")
}

func TestStalledStartsAreStartedLater(t *testing.T) {
	f := newFixture(t, time.Hour)
	ctx := context.Background()
	awsCfg := testenv.AWS(t, f.cfg)
	requests := store.NewRequests(f.db, f.cfg.PortalTable)
	engine := sfnengine.NewEngine(sfn.NewFromConfig(awsCfg), f.cfg.ApprovalStateMachineARN)
	down := approval.NewService(requests, downEngine{engine}, time.Hour, store.WorkflowKey)
	down.Register("TEST", markKind{table: f.cfg.PortalTable})

	r, err := down.Submit(ctx, approval.Request{ID: testenv.Suffix(), Kind: "TEST", OrgID: "org1", OrgName: "Acme", RequesterEmail: "owner@example.com"})
	if err != nil {
		t.Fatalf("a request whose workflow did not start must still be accepted: %v", err)
	}
	stored, err := f.svc.Get(ctx, r.ID)
	if err != nil || stored.Status != approval.Pending || stored.TaskToken != "" {
		t.Fatalf("stored = %+v, %v", stored, err)
	}
	// A minute later the reconciler starts it; a second run changes nothing.
	f.svc.Now = func() time.Time { return time.Now().UTC().Add(2 * time.Minute) }
	res, err := f.svc.StartStalled(ctx)
	if err != nil || res.Started < 1 || res.Failed != 0 {
		t.Fatalf("reconciler = %+v, %v", res, err)
	}
	f.waitStatus(r.ID, approval.Pending)
	again, err := f.svc.StartStalled(ctx)
	if err != nil || again.Failed != 0 {
		t.Fatalf("second run = %+v, %v", again, err)
	}
	if _, err := f.svc.Approve(ctx, r.ID, ops); err != nil {
		t.Fatal(err)
	}
	f.waitStatus(r.ID, approval.Approved)
}

func TestExpiry(t *testing.T) {
	f := newFixture(t, 2*time.Second)
	r := f.submit()
	f.waitStatus(r.ID, approval.Expired)
	if !f.marked(r.ID, "expired") {
		t.Fatal("expiry writes not applied")
	}
	if _, err := f.svc.Approve(context.Background(), r.ID, ops); code(err) != "REQUEST_EXPIRED" {
		t.Fatalf("approval after expiry: %v", err)
	}
	if f.marked(r.ID, "approved") {
		t.Fatal("a late approval was applied")
	}
}

// TestMailSubject: a decision's email names the environment first, from the request or,
// for requests made before it was recorded, from its form.
func TestMailSubject(t *testing.T) {
	for _, c := range []struct {
		name string
		r    approval.Request
		want string
	}{
		{"sandbox", approval.Request{Environment: "sandbox"}, "Sandbox: Example TPP is approved"},
		{"production", approval.Request{Environment: "production"}, "Production: Example TPP is approved"},
		{"from an older request's form", approval.Request{Form: map[string]string{"environment": "production"}}, "Production: Example TPP is approved"},
		{"unknown", approval.Request{}, "Example TPP is approved"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.r.MailSubject("Example TPP is approved"); got != c.want {
				t.Fatalf("got %q, want %q", got, c.want)
			}
		})
	}
}
