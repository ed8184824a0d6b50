package workflow_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/portal/portalapi"
	"github.com/bank/devportal/shared/portal/workflow"
	"github.com/bank/devportal/shared/portal/workflow/sfnengine"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestDefinitionPlaceholders(t *testing.T) {
	if got := strings.Join(workflow.Placeholders(), ","); got != "PortalTable,DecisionTimeoutSeconds,MailFrom" {
		t.Fatalf("placeholders = %s", got)
	}
	if _, err := workflow.Definition(map[string]string{"PortalTable": "t"}); err == nil || !strings.Contains(err.Error(), "DecisionTimeoutSeconds, MailFrom") {
		t.Fatalf("missing values not reported: %v", err)
	}
	c := config.Config{PortalTable: "tbl", MailFrom: "a@b.example", DecisionTimeout: 90 * time.Second}
	def, err := workflow.Definition(workflow.Substitutions(c))
	if err != nil || strings.Contains(def, "${") || !strings.Contains(def, `"TimeoutSeconds": 90,`) || !strings.Contains(def, `"TableName": "tbl"`) {
		t.Fatalf("definition: %v\n%s", err, def)
	}
}

// fixture is one bootstrapped stack: its table, engine and clients.
type fixture struct {
	t      *testing.T
	cfg    config.Config
	db     *dynamodb.Client
	sfn    *sfn.Client
	engine *sfnengine.Engine
}

func newFixture(t *testing.T, timeout time.Duration) *fixture {
	cfg := testenv.Bootstrapped(t, testenv.Ops, func(c *config.Config) { c.DecisionTimeout = timeout })
	awsCfg := testenv.AWS(t, cfg)
	client := sfn.NewFromConfig(awsCfg)
	return &fixture{t: t, cfg: cfg, db: dynamodb.NewFromConfig(awsCfg), sfn: client, engine: sfnengine.NewEngine(client, cfg.ApprovalStateMachineARN)}
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func key(pk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"PK": s(pk), "SK": s("ITEM")}
}

// setStatus is a transaction write moving the request from one status to another.
func (f *fixture) setStatus(pk, from, to string) workflow.Write {
	return workflow.Write{Update: &types.Update{
		TableName: &f.cfg.PortalTable, Key: key(pk),
		UpdateExpression:          aws.String("SET #s = :to"),
		ConditionExpression:       aws.String("#s = :from"),
		ExpressionAttributeNames:  map[string]string{"#s": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":to": s(to), ":from": s(from)},
	}}
}

func (f *fixture) effects(mailSubject string, writes ...workflow.Write) workflow.Effects {
	items, err := workflow.Transaction(writes...)
	if err != nil {
		f.t.Fatal(err)
	}
	e := workflow.Effects{TransactItems: items}
	if mailSubject != "" {
		e.Mail = &workflow.Mail{To: []string{"owner@example.com"}, Subject: mailSubject, Text: "text", HTML: "<p>html</p>"}
	}
	return e
}

// start creates a PENDING request item and its workflow, and waits for the task token.
func (f *fixture) start() (pk, execARN, token string) {
	f.t.Helper()
	pk = "REQUEST#" + testenv.Suffix()
	item := key(pk)
	item["status"] = s("PENDING")
	if _, err := f.db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: &f.cfg.PortalTable, Item: item}); err != nil {
		f.t.Fatal(err)
	}
	in := workflow.Input{Request: workflow.Request{PK: pk, SK: "ITEM"}, OnTimeout: f.effects("Request expired "+pk, f.setStatus(pk, "PENDING", "EXPIRED"))}
	arn, err := f.engine.Start(context.Background(), strings.TrimPrefix(pk, "REQUEST#"), in)
	if err != nil {
		f.t.Fatal(err)
	}
	return pk, arn, f.waitToken(pk, "")
}

func (f *fixture) item(pk string) map[string]types.AttributeValue {
	out, err := f.db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: &f.cfg.PortalTable, Key: key(pk), ConsistentRead: aws.Bool(true)})
	if err != nil {
		f.t.Fatal(err)
	}
	return out.Item
}

func str(item map[string]types.AttributeValue, name string) string {
	if v, ok := item[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

// waitToken waits until the workflow stored a task token other than previous.
func (f *fixture) waitToken(pk, previous string) string {
	f.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if tok := str(f.item(pk), "taskToken"); tok != "" && tok != previous {
			return tok
		}
		time.Sleep(50 * time.Millisecond)
	}
	f.t.Fatalf("no task token on %s", pk)
	return ""
}

func (f *fixture) waitDone(arn string) sfntypes.ExecutionStatus {
	f.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		status, err := f.engine.Status(context.Background(), arn)
		if err != nil {
			f.t.Fatal(err)
		}
		if status != sfntypes.ExecutionStatusRunning {
			return status
		}
		time.Sleep(100 * time.Millisecond)
	}
	f.t.Fatalf("execution %s still running", arn)
	return ""
}

func (f *fixture) mailed(subject string) bool {
	msgs, err := portalapi.MotoMailbox{Endpoint: f.cfg.AWSEndpoint}.Messages(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	for _, m := range msgs {
		if m.Subject == subject && m.From == f.cfg.MailFrom && len(m.To) == 1 && m.To[0] == "owner@example.com" {
			return true
		}
	}
	return false
}

func TestApprovalPaths(t *testing.T) {
	f := newFixture(t, time.Hour)
	ctx := context.Background()

	t.Run("approve applies the writes and emails", func(t *testing.T) {
		pk, arn, token := f.start()
		org := "ORG#" + testenv.Suffix()
		put := workflow.Write{Put: &types.Put{TableName: &f.cfg.PortalTable, Item: map[string]types.AttributeValue{"PK": s(org), "SK": s("ITEM"), "status": s("ACTIVE")},
			ConditionExpression: aws.String("attribute_not_exists(PK)")}}
		if err := f.engine.Approve(ctx, token, f.effects("Approved "+pk, f.setStatus(pk, "PENDING", "APPROVED"), put)); err != nil {
			t.Fatal(err)
		}
		if st := f.waitDone(arn); st != sfntypes.ExecutionStatusSucceeded {
			t.Fatalf("execution %s", st)
		}
		if got := str(f.item(pk), "status"); got != "APPROVED" {
			t.Fatalf("request status %s", got)
		}
		if got := str(f.item(org), "status"); got != "ACTIVE" {
			t.Fatalf("organization status %q", got)
		}
		if !f.mailed("Approved " + pk) {
			t.Fatal("no approval email")
		}
		// Deciding again is refused and changes nothing.
		err := f.engine.Approve(ctx, token, f.effects("Again "+pk, f.setStatus(pk, "APPROVED", "CHANGED")))
		if !errors.Is(err, workflow.ErrDecided) {
			t.Fatalf("second decision: %v", err)
		}
		// AWS refuses a spent token; moto 5.2.1 accepts SendTaskFailure silently. Either way
		// nothing may change, which the portal also guards by the request's status.
		if err := f.engine.Reject(ctx, token, f.effects("", f.setStatus(pk, "APPROVED", "CHANGED"))); err != nil && !errors.Is(err, workflow.ErrDecided) {
			t.Fatalf("rejection after approval: %v", err)
		}
		if got := str(f.item(pk), "status"); got != "APPROVED" || f.mailed("Again "+pk) {
			t.Fatalf("a refused decision changed the request (%s)", got)
		}
	})

	t.Run("reject applies its writes and emails", func(t *testing.T) {
		pk, arn, token := f.start()
		if err := f.engine.Reject(ctx, token, f.effects("Rejected "+pk, f.setStatus(pk, "PENDING", "REJECTED"))); err != nil {
			t.Fatal(err)
		}
		if st := f.waitDone(arn); st != sfntypes.ExecutionStatusSucceeded {
			t.Fatalf("execution %s", st)
		}
		if got := str(f.item(pk), "status"); got != "REJECTED" || !f.mailed("Rejected "+pk) {
			t.Fatalf("status %s, mailed %v", got, f.mailed("Rejected "+pk))
		}
	})

	t.Run("two steps: the first applies and waits again", func(t *testing.T) {
		pk, arn, first := f.start()
		step := f.effects("", f.setStatus(pk, "PENDING", "REVIEWED"))
		step.Outcome = workflow.NextStep
		if err := f.engine.Approve(ctx, first, step); err != nil {
			t.Fatal(err)
		}
		second := f.waitToken(pk, first)
		if got := str(f.item(pk), "status"); got != "REVIEWED" {
			t.Fatalf("after step 1: %s", got)
		}
		if st, _ := f.engine.Status(ctx, arn); st != sfntypes.ExecutionStatusRunning {
			t.Fatalf("after step 1 the execution is %s", st)
		}
		if err := f.engine.Approve(ctx, second, f.effects("Live "+pk, f.setStatus(pk, "REVIEWED", "APPROVED"))); err != nil {
			t.Fatal(err)
		}
		if st := f.waitDone(arn); st != sfntypes.ExecutionStatusSucceeded || str(f.item(pk), "status") != "APPROVED" {
			t.Fatalf("execution %s, status %s", st, str(f.item(pk), "status"))
		}
	})

	t.Run("a decision whose writes conflict changes nothing", func(t *testing.T) {
		pk, arn, token := f.start()
		org := "ORG#" + testenv.Suffix()
		// The second write's condition fails (the request is not REVIEWED): all-or-nothing.
		put := workflow.Write{Put: &types.Put{TableName: &f.cfg.PortalTable, Item: map[string]types.AttributeValue{"PK": s(org), "SK": s("ITEM")}}}
		if err := f.engine.Approve(ctx, token, f.effects("Never "+pk, put, f.setStatus(pk, "REVIEWED", "APPROVED"))); err != nil {
			t.Fatal(err)
		}
		if st := f.waitDone(arn); st != sfntypes.ExecutionStatusFailed {
			t.Fatalf("execution %s, want FAILED", st)
		}
		// Nothing of the decision was written, and the request says so instead of waiting.
		if got := str(f.item(pk), "status"); got != "FAILED" || f.item(org) != nil || f.mailed("Never "+pk) {
			t.Fatalf("request %s; a failed transaction must leave no writes and send no mail", got)
		}
		if str(f.item(pk), "GSI1PK") != "REQUESTS#FAILED" || str(f.item(pk), "taskToken") != "" {
			t.Fatal("the failed request is not in the FAILED inbox, or still holds its task token")
		}
	})
}

func TestExpiry(t *testing.T) {
	f := newFixture(t, 2*time.Second)
	pk, arn, token := f.start()
	if st := f.waitDone(arn); st != sfntypes.ExecutionStatusSucceeded {
		t.Fatalf("execution %s", st)
	}
	if got := str(f.item(pk), "status"); got != "EXPIRED" || !f.mailed("Request expired "+pk) {
		t.Fatalf("status %s, mailed %v", got, f.mailed("Request expired "+pk))
	}
	err := f.engine.Approve(context.Background(), token, f.effects("Late "+pk, f.setStatus(pk, "EXPIRED", "APPROVED")))
	if !errors.Is(err, workflow.ErrDecided) {
		t.Fatalf("decision after expiry: %v", err)
	}
	if str(f.item(pk), "status") != "EXPIRED" || f.mailed("Late "+pk) {
		t.Fatal("a decision after expiry changed the request")
	}
}

// TestCleanup: a decision's deletes follow its transaction; if one fails, the others still
// run, the requester is still told, the cleanup marker is written for the reconciler and
// the execution fails, so that the failed-executions alarm fires.
func TestCleanup(t *testing.T) {
	f := newFixture(t, time.Hour)
	ctx := context.Background()
	copyItem := func() string {
		pk := "FPR#" + testenv.Suffix()
		if _, err := f.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &f.cfg.PortalTable, Item: map[string]types.AttributeValue{"PK": s(pk), "SK": s("ITEM")}}); err != nil {
			t.Fatal(err)
		}
		return pk
	}
	for _, tc := range []struct {
		name   string
		broken bool
		want   sfntypes.ExecutionStatus
	}{
		{"every delete succeeds", false, sfntypes.ExecutionStatusSucceeded},
		{"a delete fails", true, sfntypes.ExecutionStatusFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pk, arn, token := f.start()
			first, second := copyItem(), copyItem()
			table := f.cfg.PortalTable
			deletes := []workflow.Delete{{Table: table, PK: first, SK: "ITEM"}, {Table: table, PK: second, SK: "ITEM"}}
			if tc.broken {
				// A table that does not exist (deployed, one the role may not write): a
				// delete that cannot succeed, however often it is tried.
				deletes = append(deletes, workflow.Delete{Table: table + "-gone", PK: first, SK: "ITEM"})
			}
			marker := "CLEANUP#" + testenv.Suffix()
			e, err := f.effects("Offboarded "+pk, f.setStatus(pk, "PENDING", "APPROVED")).WithCleanup(deletes,
				workflow.Write{Put: &types.Put{TableName: &f.cfg.PortalTable, Item: map[string]types.AttributeValue{"PK": s(marker), "SK": s("ITEM"), "request": s(pk)}}})
			if err != nil {
				t.Fatal(err)
			}
			if err := f.engine.Approve(ctx, token, e); err != nil {
				t.Fatal(err)
			}
			if st := f.waitDone(arn); st != tc.want {
				t.Fatalf("execution %s, want %s", st, tc.want)
			}
			if got := str(f.item(pk), "status"); got != "APPROVED" || !f.mailed("Offboarded "+pk) {
				t.Fatalf("request %s, mailed %v: the decision stands and is told either way", got, f.mailed("Offboarded "+pk))
			}
			if f.item(first) != nil || f.item(second) != nil {
				t.Fatal("the deletes that could run did not")
			}
			if got := str(f.item(marker), "request"); (got == pk) != tc.broken {
				t.Fatalf("cleanup marker %q with broken=%v", got, tc.broken)
			}
		})
	}
	if _, err := (workflow.Effects{}).WithCleanup([]workflow.Delete{{Table: "t", PK: "a", SK: "b"}}, workflow.Write{}); err == nil {
		t.Fatal("a cleanup without a marker was accepted")
	}
}
