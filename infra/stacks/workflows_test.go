package stacks_test

//lint:file-ignore SA1019 CDK v2.270's Go bindings expose synthesis messages only through the cxapi types marked deprecated.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/bank/devportal/infra/stacks"
	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/portal/workflow"
)

// aslFile is the approval workflow's definition as the repository holds it.
const aslFile = "../../shared/portal/workflow/approval.asl.json"

// workflowApp is one synthesis of the workflows stack with the stacks it uses.
type workflowApp struct {
	name      string
	cfg       config.Config
	data      *stacks.DataStack
	identity  *stacks.IdentityStack
	workflows *stacks.WorkflowsStack
	template  assertions.Template
	nag       assertions.Annotations
}

var (
	otherOnce sync.Once
	otherApp  workflowApp
	otherErr  error
)

// otherConfig differs from testConfig in every value the workflows stack uses (table,
// sender, decision timeout, state machine name), so a stack that kept a value from one
// configuration fails in the other.
func otherConfig() (config.Config, error) {
	cfg, err := config.FromEnv()
	if err != nil {
		return cfg, err
	}
	cfg.PortalTable = "bank-portal-data"
	cfg.MailFrom = "no-reply@portal.bank.example"
	cfg.DecisionTimeout = 72 * time.Hour
	cfg.ApprovalStateMachineName = "bank-approval"
	return cfg, nil
}

// workflowApps are the workflows stack in three configurations: the whole app of the
// other tests (testConfig) in both environments, and an app of only the data, identity and
// workflows stacks (otherConfig), which synthesizes in a fraction of the time the portal
// API takes.
func workflowApps(t *testing.T) []workflowApp {
	t.Helper()
	otherOnce.Do(func() {
		defer func() {
			if r := recover(); r != nil {
				otherErr = fmt.Errorf("synthesis: %v", r)
			}
		}()
		cfg, err := otherConfig()
		if err != nil {
			otherErr = err
			return
		}
		a := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(filepath.Join(outdir, "other"))})
		env := &awscdk.Environment{Region: jsii.String(cfg.Region)}
		data := stacks.NewDataStack(a, "other-data", cfg, env)
		identity := stacks.NewIdentityStack(a, "other-identity", cfg, env)
		wf := stacks.NewWorkflowsStack(a, "other-workflows", stacks.WorkflowsProps{Config: cfg, Env: env, Data: data, Identity: identity})
		stacks.AddChecks(a)
		otherApp = workflowApp{
			name: "otherConfig", cfg: cfg, data: data, identity: identity, workflows: wf,
			template: assertions.Template_FromStack(wf.Stack, nil),
			nag:      assertions.Annotations_FromStack(wf.Stack),
		}
	})
	if otherErr != nil {
		t.Fatal(otherErr)
	}
	var out []workflowApp
	for _, s := range environments(t) {
		out = append(out, workflowApp{
			name: "testConfig/" + string(s.env), cfg: s.cfg, data: s.stacks.Data, identity: s.stacks.Identity,
			workflows: s.stacks.Workflows, template: s.workflows, nag: s.annotations[*s.stacks.Workflows.StackName()],
		})
	}
	return append(out, otherApp)
}

// only is the one resource of type typ in the template, with its logical ID.
func only(t *testing.T, tmpl assertions.Template, typ string) (string, map[string]interface{}) {
	t.Helper()
	found := *tmpl.FindResources(jsii.String(typ), nil)
	if len(found) != 1 {
		t.Fatalf("%d resources of type %s, want 1", len(found), typ)
	}
	for id, r := range found {
		return id, *r
	}
	return "", nil
}

// cfnSubstitute does what CloudFormation does with DefinitionSubstitutions: it replaces
// each ${key} by its value.
func cfnSubstitute(def string, subs map[string]string) string {
	for k, v := range subs {
		def = strings.ReplaceAll(def, "${"+k+"}", v)
	}
	return def
}

func parseJSON(t *testing.T, what, s string) map[string]interface{} {
	t.Helper()
	var v map[string]interface{}
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("%s is not JSON: %v\n%s", what, err, s)
	}
	return v
}

// TestApprovalDefinition checks that the deployed definition, once CloudFormation has
// filled it, is the repository's ASL file with the configuration's values.
func TestApprovalDefinition(t *testing.T) {
	raw, err := os.ReadFile(aslFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range workflowApps(t) {
		t.Run(a.name, func(t *testing.T) {
			_, sm := only(t, a.template, "AWS::StepFunctions::StateMachine")
			p := props(sm)
			def, ok := p["DefinitionString"].(string)
			if !ok {
				t.Fatalf("DefinitionString is %v, want the file's text", p["DefinitionString"])
			}
			rawSubs, _ := p["DefinitionSubstitutions"].(map[string]interface{})

			// The table is the data stack's, imported; the rest are literals.
			tableMarker := "<deployed portal table>"
			seconds := strconv.Itoa(int(a.cfg.DecisionTimeout / time.Second))
			wantSubs := map[string]interface{}{
				"PortalTable":            a.workflows.Resolve(a.data.PortalTableName),
				"MailFrom":               a.cfg.MailFrom,
				"DecisionTimeoutSeconds": seconds,
			}
			if !reflect.DeepEqual(rawSubs, wantSubs) {
				t.Fatalf("DefinitionSubstitutions =\n%v\nwant\n%v", rawSubs, wantSubs)
			}
			if _, ok := wantSubs["PortalTable"].(map[string]interface{})["Fn::ImportValue"]; !ok {
				t.Errorf("PortalTable = %v, want an import from the data stack", wantSubs["PortalTable"])
			}
			keys := make([]string, 0, len(rawSubs))
			for k := range rawSubs {
				keys = append(keys, k)
			}
			placeholders := workflow.Placeholders()
			slices.Sort(keys)
			slices.Sort(placeholders)
			if !slices.Equal(keys, placeholders) {
				t.Errorf("substitution keys %v, the file's placeholders %v", keys, placeholders)
			}

			got := cfnSubstitute(def, map[string]string{"PortalTable": tableMarker, "MailFrom": a.cfg.MailFrom, "DecisionTimeoutSeconds": seconds})
			if strings.Contains(got, "${") {
				t.Errorf("a placeholder is left after substitution:\n%s", got)
			}
			want := strings.NewReplacer("${PortalTable}", tableMarker, "${MailFrom}", a.cfg.MailFrom, "${DecisionTimeoutSeconds}", seconds).Replace(string(raw))
			gotJSON, wantJSON := parseJSON(t, "the deployed definition", got), parseJSON(t, aslFile, want)
			if !reflect.DeepEqual(gotJSON, wantJSON) {
				t.Errorf("deployed definition =\n%s\nwant %s filled:\n%s", got, aslFile, want)
			}

			// Spot checks in the filled definition, in case the file itself lost a placeholder.
			states, _ := gotJSON["States"].(map[string]interface{})
			wait, _ := states["WaitForDecision"].(map[string]interface{})
			if wait["TimeoutSeconds"] != float64(a.cfg.DecisionTimeout/time.Second) {
				t.Errorf("WaitForDecision.TimeoutSeconds = %v, want %v", wait["TimeoutSeconds"], seconds)
			}
			params, _ := wait["Parameters"].(map[string]interface{})
			if params["TableName"] != tableMarker {
				t.Errorf("WaitForDecision.Parameters.TableName = %v, want the deployed table", params["TableName"])
			}
			mail, _ := states["MailDecision"].(map[string]interface{})
			mailParams, _ := mail["Parameters"].(map[string]interface{})
			if mailParams["FromEmailAddress"] != a.cfg.MailFrom {
				t.Errorf("MailDecision.Parameters.FromEmailAddress = %v, want %s", mailParams["FromEmailAddress"], a.cfg.MailFrom)
			}
		})
	}
}

func TestApprovalStateMachine(t *testing.T) {
	for _, a := range workflowApps(t) {
		t.Run(a.name, func(t *testing.T) {
			_, sm := only(t, a.template, "AWS::StepFunctions::StateMachine")
			logsID, logs := only(t, a.template, "AWS::Logs::LogGroup")
			roleID, _ := only(t, a.template, "AWS::IAM::Role")
			p := props(sm)
			cases := []struct {
				name string
				key  string
				want interface{}
			}{
				{"named for the portal's ARN", "StateMachineName", a.cfg.ApprovalStateMachineName},
				{"standard", "StateMachineType", "STANDARD"},
				{"tracing", "TracingConfiguration", map[string]interface{}{"Enabled": true}},
				{"its own role", "RoleArn", map[string]interface{}{"Fn::GetAtt": []interface{}{roleID, "Arn"}}},
				{"logs every event to its group", "LoggingConfiguration", map[string]interface{}{
					"Level":                "ALL",
					"IncludeExecutionData": false,
					"Destinations": []interface{}{map[string]interface{}{
						"CloudWatchLogsLogGroup": map[string]interface{}{
							"LogGroupArn": map[string]interface{}{"Fn::GetAtt": []interface{}{logsID, "Arn"}},
						},
					}},
				}},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					if !reflect.DeepEqual(p[tc.key], tc.want) {
						t.Errorf("%s = %v, want %v", tc.key, p[tc.key], tc.want)
					}
				})
			}
			t.Run("log retention", func(t *testing.T) {
				if got := props(logs)["RetentionInDays"]; got != float64(30) {
					t.Errorf("RetentionInDays = %v, want 30", got)
				}
			})
			t.Run("ARN field", func(t *testing.T) {
				got := a.workflows.Resolve(a.workflows.ApprovalStateMachineARN)
				want := map[string]interface{}{"Ref": *a.template.GetResourceId(jsii.String("AWS::StepFunctions::StateMachine"), nil)}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("ApprovalStateMachineARN resolves to %v, want %v", got, want)
				}
			})
		})
	}
}

// noResourceActions are the calls that have no resource-level permissions, the only ones
// the role may make on "*": Step Functions' log delivery and X-Ray tracing.
var noResourceActions = []string{
	"logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
	"logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups",
	"xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets",
}

// TestApprovalRole checks the state machine's role against its tasks: UpdateItem and the
// transaction's item actions on the portal table, SendEmail from the sender identity, and
// "*" only for what AWS offers no resource for.
func TestApprovalRole(t *testing.T) {
	for _, a := range workflowApps(t) {
		t.Run(a.name, func(t *testing.T) {
			roleID, role := only(t, a.template, "AWS::IAM::Role")
			rp := props(role)
			for _, key := range []string{"ManagedPolicyArns", "Policies"} {
				if v, ok := rp[key]; ok {
					t.Errorf("role has %s %v; its grants belong in its one policy", key, v)
				}
			}
			trust, _ := json.Marshal(rp["AssumeRolePolicyDocument"])
			if want := `{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":"states.amazonaws.com"}}],"Version":"2012-10-17"}`; string(trust) != want {
				t.Errorf("trust policy %s, want %s", trust, want)
			}

			table := a.workflows.Resolve(a.data.Portal.TableArn())
			sender := a.workflows.Resolve(a.identity.Sender.EmailIdentityArn())
			got := map[string][]interface{}{} // action -> resources
			for id, policy := range *a.template.FindResources(jsii.String("AWS::IAM::Policy"), nil) {
				p := props(*policy)
				roles, _ := p["Roles"].([]interface{})
				if len(roles) != 1 || ref(roles[0]) != roleID {
					t.Errorf("policy %s is attached to %v, want the state machine's role only", id, roles)
				}
				doc, _ := p["PolicyDocument"].(map[string]interface{})
				for _, raw := range doc["Statement"].([]interface{}) {
					st := raw.(map[string]interface{})
					if st["Effect"] != "Allow" {
						t.Errorf("statement %v: effect %v", st, st["Effect"])
					}
					if _, ok := st["NotAction"]; ok {
						t.Errorf("statement %v uses NotAction", st)
					}
					if _, ok := st["NotResource"]; ok {
						t.Errorf("statement %v uses NotResource", st)
					}
					for _, action := range stringList(st["Action"]) {
						if strings.Contains(action, "*") {
							t.Errorf("action wildcard %q", action)
						}
						got[action] = append(got[action], list(st["Resource"])...)
					}
					// Every statement on the table allows only the partitions of the
					// families the tasks write.
					if mustJSON(t, st["Resource"]) == mustJSON(t, []interface{}{table}) {
						keys, ok := leadingKeys(st)
						if !ok || !slices.Equal(keys, workflow.Keys.LeadingKeys()) {
							t.Errorf("%v on the portal table with condition %v, want LeadingKeys %v", st["Action"], st["Condition"], workflow.Keys.LeadingKeys())
						}
						for _, forbidden := range []string{"USER#*", "SESSION#*", "EMAIL#*", "LINK#*", "HEALTH#*"} {
							if slices.Contains(keys, forbidden) {
								t.Errorf("the state machine may write %s, which no task writes", forbidden)
							}
						}
					}
				}
			}
			want := map[string][]interface{}{
				"dynamodb:PutItem":            {table},
				"dynamodb:UpdateItem":         {table},
				"dynamodb:DeleteItem":         {table},
				"dynamodb:ConditionCheckItem": {table},
				"ses:SendEmail":               {sender},
			}
			for _, action := range noResourceActions {
				want[action] = []interface{}{"*"}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("role allows (action -> resources)\n%v\nwant\n%v", got, want)
			}
			if m, _ := table.(map[string]interface{}); m["Fn::ImportValue"] == nil {
				t.Errorf("table ARN %v is not the data stack's table", table)
			}
		})
	}
}

// TestWorkflowsNag fails on any AwsSolutions finding in the workflows stack without a
// suppression, in every configuration (TestNag covers the whole app in both environments).
func TestWorkflowsNag(t *testing.T) {
	rule := assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*"))
	for _, a := range workflowApps(t) {
		t.Run(a.name, func(t *testing.T) {
			for _, m := range *a.nag.FindError(jsii.String("*"), rule) {
				t.Errorf("error %s: %v", *m.Id, m.Entry.Data)
			}
			for _, m := range *a.nag.FindWarning(jsii.String("*"), rule) {
				t.Errorf("warning %s: %v", *m.Id, m.Entry.Data)
			}
		})
	}
	report := nagReport(t, filepath.Join(outdir, "other"), "other-workflows")
	for rule, want := range map[string]string{"AwsSolutions-SF1": "Compliant", "AwsSolutions-SF2": "Compliant", "AwsSolutions-IAM5": "Suppressed"} {
		if report[rule] != want {
			t.Errorf("otherConfig: %s is %q, want %q", rule, report[rule], want)
		}
	}
}

// TestPortalStartsTheDeployedWorkflow checks that the functions are given the workflows
// stack's state machine: its ARN imported from that stack, and its name.
func TestPortalStartsTheDeployedWorkflow(t *testing.T) {
	s := synth(t)
	api := s.stacks.PortalAPI
	// The functions are in the function groups' nested stacks, which import the ARN.
	group := groupOf(t, s, "org-onboard")
	arn, _ := group.Resolve(api.ApprovalStateMachineARN).(map[string]interface{})
	export, _ := arn["Fn::ImportValue"].(string)
	if export == "" {
		t.Fatalf("APPROVAL_STATE_MACHINE_ARN resolves to %v, want an import", arn)
	}
	smID := s.workflows.GetResourceId(jsii.String("AWS::StepFunctions::StateMachine"), nil)
	check(t, func() {
		s.workflows.HasOutput(jsii.String("*"), map[string]interface{}{
			"Export": map[string]interface{}{"Name": export},
			"Value":  map[string]interface{}{"Ref": *smID},
		})
	})
	for _, name := range []string{"org-onboard", "ops-request-approve"} {
		envProp, _ := function(t, s, name)["Environment"].(map[string]interface{})
		vars, _ := envProp["Variables"].(map[string]interface{})
		if !reflect.DeepEqual(vars["APPROVAL_STATE_MACHINE_ARN"], groupOf(t, s, name).Resolve(api.ApprovalStateMachineARN)) {
			t.Errorf("%s: APPROVAL_STATE_MACHINE_ARN = %v, want %v", name, vars["APPROVAL_STATE_MACHINE_ARN"], arn)
		}
		if vars["APPROVAL_STATE_MACHINE_NAME"] != s.cfg.ApprovalStateMachineName {
			t.Errorf("%s: APPROVAL_STATE_MACHINE_NAME = %v, want %s", name, vars["APPROVAL_STATE_MACHINE_NAME"], s.cfg.ApprovalStateMachineName)
		}
	}
	_, sm := only(t, s.workflows, "AWS::StepFunctions::StateMachine")
	if got := props(sm)["StateMachineName"]; got != s.cfg.ApprovalStateMachineName {
		t.Errorf("state machine %v, functions told %s", got, s.cfg.ApprovalStateMachineName)
	}
	var starts bool
	for _, st := range roleStatements(t, s, "org-onboard") {
		if slices.Contains(st.actions, "states:StartExecution") {
			starts = true
			if !reflect.DeepEqual(st.resources, []interface{}{arn}) {
				t.Errorf("org-onboard may start %v, want %v", st.resources, arn)
			}
		}
	}
	if !starts {
		t.Error("org-onboard may not start the workflow")
	}
}
