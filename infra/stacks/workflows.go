package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/portal/workflow"
)

// WorkflowsProps configure the workflows stack.
type WorkflowsProps struct {
	// Config names the state machine and gives the decision timeout and the sender.
	Config config.Config
	// Env is the stack's environment; nil for an environment-agnostic synthesis.
	Env *awscdk.Environment
	// Data and Identity are the stacks whose table and sender the workflow uses.
	Data     *DataStack
	Identity *IdentityStack
}

// WorkflowsStack holds the approval workflow (shared/portal/workflow): the Step Functions state
// machine every request waits in for an operations decision. It holds no data of its own
// beyond running executions, and lives apart from the portal API so that replacing the API
// leaves waiting requests alone.
type WorkflowsStack struct {
	awscdk.Stack
	// Approval is the approval state machine, named cfg.ApprovalStateMachineName.
	Approval awsstepfunctions.StateMachine
	// Role is the approval state machine's execution role.
	Role awsiam.Role
	// Logs is the log group the state machine logs every execution event to.
	Logs awslogs.LogGroup
	// ApprovalStateMachineARN is for the functions' APPROVAL_STATE_MACHINE_ARN and their
	// StartExecution grants.
	ApprovalStateMachineARN *string
}

// transactWriteActions are what IAM authorizes a TransactWriteItems call by: each action
// it contains, on its table. The decisions' transactions put, update, delete and
// condition-check portal items.
var transactWriteActions = []string{"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem"}

// NewWorkflowsStack adds the workflows stack to scope. The state machine's definition is
// shared/portal/workflow's ASL file verbatim; CloudFormation fills its placeholders from
// DefinitionSubstitutions with the same values the local bootstrap uses (the deployed table
// name in place of the configured one). It panics if the file has a placeholder without a
// value, so that no definition deploys with one left in.
func NewWorkflowsStack(scope constructs.Construct, id string, props WorkflowsProps) *WorkflowsStack {
	if props.Data == nil || props.Identity == nil {
		panic("stacks: WorkflowsProps needs the Data and Identity stacks")
	}
	stack := awscdk.NewStack(scope, jsii.String(id), stackProps(props.Env, "Developer portal: approval workflow (Step Functions)"))
	// Strong references, as in the portal API stack: the table and sender cannot go while
	// the workflow still writes to and sends from them.
	awscdk.CrossStackReferences_Of(stack).Consume(awscdk.ReferenceStrength_STRONG)

	cfg := props.Config
	cfg.PortalTable = *props.Data.PortalTableName
	subs := workflow.Substitutions(cfg)
	if _, err := workflow.Definition(subs); err != nil {
		panic(err)
	}
	substitutions := make(map[string]*string, len(subs))
	for k, v := range subs {
		substitutions[k] = jsii.String(v)
	}

	logs := awslogs.NewLogGroup(stack, jsii.String("ApprovalLogs"), &awslogs.LogGroupProps{
		Retention: logRetention,
	})
	role := awsiam.NewRole(stack, jsii.String("ApprovalRole"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("states.amazonaws.com"), nil),
		Description: jsii.String("Execution role of the " + props.Config.ApprovalStateMachineName + " state machine"),
	})
	// The definition's tasks, each on the portal table or the sender only: WaitForDecision
	// and MarkFailed update the request item; ApplyStep, ApplyDecision and ApplyExpiry run
	// the decision's transaction; MailDecision and MailExpiry send from the sender identity.
	// The table's ARN without /index/*: no task reads an index. Only the partitions of the
	// families the tasks write (workflow.Keys), which the portal's engine holds every
	// execution's input and decision to before sending it.
	table := props.Data.Portal.TableArn()
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("RequestItemAndDecisionTransactions"),
		Actions:   jsii.Strings(transactWriteActions...),
		Resources: &[]*string{table},
		Conditions: &map[string]interface{}{
			"ForAllValues:StringLike": map[string]interface{}{
				"dynamodb:LeadingKeys": workflow.Keys.LeadingKeys(),
			},
		},
	}))
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("DecisionMail"),
		Actions:   jsii.Strings("ses:SendEmail"),
		Resources: &[]*string{props.Identity.Sender.EmailIdentityArn()},
	}))

	sm := awsstepfunctions.NewStateMachine(stack, jsii.String("Approval"), &awsstepfunctions.StateMachineProps{
		StateMachineName:        jsii.String(props.Config.ApprovalStateMachineName),
		StateMachineType:        awsstepfunctions.StateMachineType_STANDARD,
		DefinitionBody:          awsstepfunctions.DefinitionBody_FromString(jsii.String(workflow.ASL())),
		DefinitionSubstitutions: &substitutions,
		Role:                    role,
		Logs: &awsstepfunctions.LogOptions{
			Destination: logs,
			Level:       awsstepfunctions.LogLevel_ALL,
			// Every event, but not the states' input and output: those carry requesters'
			// email addresses and mail, and the task token that decides the request.
			IncludeExecutionData: jsii.Bool(false),
		},
		TracingEnabled: jsii.Bool(true),
	})

	cdknag.NagSuppressions_AddResourceSuppressions(role, &[]*cdknag.NagPackSuppression{
		{
			Id: jsii.String("AwsSolutions-IAM5"),
			Reason: jsii.String("Resource * only for what has no resource-level permissions: CloudWatch Logs' " +
				"log delivery calls (CreateLogDelivery and the rest, which Step Functions needs to log to its " +
				"group) and X-Ray's PutTraceSegments, PutTelemetryRecords and sampling calls for tracing. Data " +
				"and mail actions are scoped to the portal table and the sender identity."),
			AppliesTo: &[]interface{}{"Resource::*"},
		},
	}, jsii.Bool(true))

	// An output, not an export: see NewIdentityStack.
	awscdk.NewCfnOutput(stack, jsii.String("ApprovalStateMachineArn"), &awscdk.CfnOutputProps{
		Value:       sm.StateMachineArn(),
		Description: jsii.String("ARN of the approval state machine"),
	})
	return &WorkflowsStack{
		Stack:                   stack,
		Approval:                sm,
		Role:                    role,
		Logs:                    logs,
		ApprovalStateMachineARN: sm.StateMachineArn(),
	}
}
