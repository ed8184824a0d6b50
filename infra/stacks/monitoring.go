package stacks

import (
	"fmt"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawscloudwatch"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// MonitoringProps configure the monitoring stack.
type MonitoringProps struct {
	// Env is the stack's environment; nil for an environment-agnostic synthesis.
	Env *awscdk.Environment
	// PortalAPI is the portal's HTTP API and its functions.
	PortalAPI *PortalAPIStack
	// Workflows holds the approval state machine.
	Workflows *WorkflowsStack
	// TPPAPI is the TPP API and its authorizer; nil when it is not deployed.
	TPPAPI *TPPAPIStack
	// AlarmEmail, when set, is subscribed to the alarm topic (SNS mails a confirmation
	// link first). Other subscribers (a pager, a chat channel) subscribe to the topic.
	AlarmEmail string
}

// MonitoringStack watches the other stacks: alarms on every API's server errors and
// throttled requests, on every function's errors and on the approval workflow's failed and
// timed-out executions, all notifying one encrypted SNS topic, and a dashboard.
//
// It only observes, so it reads the other stacks' names and IDs through weak references
// (Fn::GetStackOutput): removing a route's function must not wait for its alarm to go
// first, and the monitoring stack can be deployed, replaced or removed on its own.
type MonitoringStack struct {
	awscdk.Stack
	// Topic receives every alarm's ALARM and OK notifications.
	Topic awssns.Topic
	// Key encrypts the topic; CloudWatch may use it to publish.
	Key awskms.Key
	// Alarms are the alarms by their short name (see AlarmName).
	Alarms map[string]awscloudwatch.Alarm
	// AlarmGroups are the nested stacks of the function groups' error alarms, one per
	// function group of the API stacks, in their order.
	AlarmGroups []awscdk.NestedStack
	// Dashboard shows traffic, errors and the state of every alarm.
	Dashboard awscloudwatch.Dashboard
}

// Alarm thresholds, each over one five-minute period.
const (
	alarmPeriodMinutes = 5
	// apiServerErrorThreshold: a handful of 5xx in five minutes is an outage of some
	// route, not a blip; a single one is logged and shown on the dashboard.
	apiServerErrorThreshold = 5
	// apiThrottleThreshold: throttling that many requests means a client is flooding the
	// API or the limits are too low for real traffic; either needs a person.
	apiThrottleThreshold = 10
	// apiRefusalThreshold: that many 401 or 403 answers in five minutes is someone trying
	// sessions, CSRF tokens, certificates or other tenants' resources, not a user who
	// mistyped; the refusals are logged with their codes for the investigation.
	apiRefusalThreshold = 50
	// functionErrorThreshold: a function error is a crash, a timeout or a panic (the
	// handlers answer 4xx/5xx themselves without failing the invocation), so one is enough.
	functionErrorThreshold = 1
	// workflowThreshold: every failed or timed-out approval execution is a request that
	// will not be decided without help.
	workflowThreshold = 1
)

// MetricNamespace holds the metrics the monitoring stack derives from access logs.
const MetricNamespace = "DevPortal"

// alarmsPerStatusWidget is CloudWatch's limit of alarms in one alarm status widget.
const alarmsPerStatusWidget = 100

// monitoredArea is an API stack's function groups.
type monitoredArea struct {
	// id prefixes the groups' alarm stacks ("Portal"); title names the API.
	id, title string
	groups    []*FunctionGroup
}

// monitoredAPI is what the monitoring stack needs of one API.
type monitoredAPI struct {
	// id names the API's constructs, alarms and metrics ("PortalApi").
	id, title                         string
	count, clientErrors, serverErrors awscloudwatch.IMetric
	latency                           awscloudwatch.IMetric
	accessLogs                        awslogs.ILogGroup
}

// NewMonitoringStack adds the monitoring stack to scope.
func NewMonitoringStack(scope constructs.Construct, id string, props MonitoringProps) *MonitoringStack {
	if props.PortalAPI == nil || props.Workflows == nil {
		panic("stacks: MonitoringProps needs the PortalAPI and Workflows stacks")
	}
	stack := awscdk.NewStack(scope, jsii.String(id), stackProps(props.Env, "Developer portal: alarms, alarm topic and dashboard"))
	awscdk.CrossStackReferences_Of(stack).Consume(awscdk.ReferenceStrength_WEAK)
	m := &MonitoringStack{Stack: stack, Alarms: map[string]awscloudwatch.Alarm{}}

	// A key of our own: the AWS-managed alias/aws/sns key's policy cannot be changed to
	// let CloudWatch publish, so alarms could not notify a topic encrypted with it.
	m.Key = awskms.NewKey(stack, jsii.String("AlarmTopicKey"), &awskms.KeyProps{
		Description:       jsii.String("Encrypts the developer portal's alarm topic"),
		EnableKeyRotation: jsii.Bool(true),
	})
	m.Key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("CloudWatchAlarmsPublish"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
		Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey*"),
		Resources:  jsii.Strings("*"), // in a key policy, "*" is this key
	}), nil)
	m.Topic = awssns.NewTopic(stack, jsii.String("AlarmTopic"), &awssns.TopicProps{
		DisplayName: jsii.String("Developer portal alarms"),
		MasterKey:   m.Key,
		EnforceSSL:  jsii.Bool(true),
	})
	if props.AlarmEmail != "" {
		m.Topic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(props.AlarmEmail), nil))
	}
	action := awscloudwatchactions.NewSnsAction(m.Topic)
	period := awscdk.Duration_Minutes(jsii.Number(alarmPeriodMinutes))
	sum := &awscloudwatch.MetricOptions{Statistic: jsii.String("Sum"), Period: period}

	alarmIn := func(scope constructs.Construct, name, description string, metric awscloudwatch.IMetric, threshold float64) awscloudwatch.Alarm {
		a := awscloudwatch.NewAlarm(scope, jsii.String(pascal(name)+"Alarm"), &awscloudwatch.AlarmProps{
			AlarmName:          jsii.String(AlarmName(*stack.StackName(), name)),
			AlarmDescription:   jsii.String(description),
			Metric:             metric,
			Threshold:          jsii.Number(threshold),
			EvaluationPeriods:  jsii.Number(1),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
			// No traffic is no error.
			TreatMissingData: awscloudwatch.TreatMissingData_NOT_BREACHING,
		})
		a.AddAlarmAction(action)
		a.AddOkAction(action)
		m.Alarms[name] = a
		return a
	}
	alarm := func(name, description string, metric awscloudwatch.IMetric, threshold float64) awscloudwatch.Alarm {
		return alarmIn(stack, name, description, metric, threshold)
	}

	portal := props.PortalAPI
	apis := []monitoredAPI{{
		id: "PortalApi", title: "Portal API",
		count:        portal.Stage.MetricCount(sum),
		clientErrors: portal.Stage.MetricClientError(sum),
		serverErrors: portal.Stage.MetricServerError(sum),
		latency:      portal.Stage.MetricLatency(&awscloudwatch.MetricOptions{Statistic: jsii.String("p99"), Period: period}),
		accessLogs:   portal.AccessLogs,
	}}
	// The functions in groups are watched group by group (below); the others (the TPP
	// API's authorizer) one by one.
	areas := []monitoredArea{{id: "Portal", title: "Portal API", groups: portal.Groups}}
	functions := map[string]awslambda.IFunction{}
	if t := props.TPPAPI; t != nil {
		apis = append(apis, monitoredAPI{
			id: "TppApi", title: "TPP API",
			count:        t.Stage.MetricCount(sum),
			clientErrors: t.Stage.MetricClientError(sum),
			serverErrors: t.Stage.MetricServerError(sum),
			latency:      t.Stage.MetricLatency(&awscloudwatch.MetricOptions{Statistic: jsii.String("p99"), Period: period}),
			accessLogs:   t.AccessLogs,
		})
		areas = append(areas, monitoredArea{id: "Tpp", title: "TPP API", groups: t.Groups})
		for name, fn := range t.Functions {
			if !slices.ContainsFunc(t.Groups, func(g *FunctionGroup) bool { return g.Functions[name] != nil }) {
				functions[name] = fn
			}
		}
	}

	var widgets []*[]awscloudwatch.IWidget
	for _, api := range apis {
		// API Gateway publishes no metric of throttled requests (they are part of 4xx), but
		// every one is in the access log with status 429: a metric filter counts them.
		throttled := awslogs.NewMetricFilter(stack, jsii.String(api.id+"Throttled"), &awslogs.MetricFilterProps{
			LogGroup:        api.accessLogs,
			FilterPattern:   awslogs.FilterPattern_StringValue(jsii.String("$.status"), jsii.String("="), jsii.String("429")),
			MetricNamespace: jsii.String(MetricNamespace),
			MetricName:      jsii.String(ThrottledMetricName(api.id)),
			MetricValue:     jsii.String("1"),
			DefaultValue:    jsii.Number(0),
		}).Metric(sum)
		name := kebab(api.id)
		for _, status := range []string{"401", "403"} {
			refused := awslogs.NewMetricFilter(stack, jsii.String(api.id+"Refused"+status), &awslogs.MetricFilterProps{
				LogGroup:        api.accessLogs,
				FilterPattern:   awslogs.FilterPattern_StringValue(jsii.String("$.status"), jsii.String("="), jsii.String(status)),
				MetricNamespace: jsii.String(MetricNamespace),
				MetricName:      jsii.String(RefusedMetricName(api.id, status)),
				MetricValue:     jsii.String("1"),
				DefaultValue:    jsii.Number(0),
			}).Metric(sum)
			alarm(name+"-"+status, fmt.Sprintf("%s: %d or more %s answers in %d minutes (probing sessions, CSRF tokens, certificates or other tenants)", api.title, apiRefusalThreshold, status, alarmPeriodMinutes),
				refused, apiRefusalThreshold)
			widgets = append(widgets, &[]awscloudwatch.IWidget{graph(api.title+": refused ("+status+")", refused)})
		}
		alarm(name+"-5xx", fmt.Sprintf("%s: %d or more 5xx answers in %d minutes", api.title, apiServerErrorThreshold, alarmPeriodMinutes),
			api.serverErrors, apiServerErrorThreshold)
		alarm(name+"-throttled", fmt.Sprintf("%s: %d or more requests throttled (429) in %d minutes", api.title, apiThrottleThreshold, alarmPeriodMinutes),
			throttled, apiThrottleThreshold)
		widgets = append(widgets, &[]awscloudwatch.IWidget{
			graph(api.title+": requests and errors", api.count, api.clientErrors, api.serverErrors),
			graph(api.title+": throttled (429)", throttled),
			graph(api.title+": latency p99", api.latency),
		})
	}

	// One error alarm per function. Those of a function group are in a nested stack of
	// their own (the group's alarms), which reads the group's physical function names as
	// one list, passed as a parameter: one weak reference per group, so neither the API
	// stacks' outputs nor this template's resources grow with each function (groups.go).
	// lambdaMetric is a function's metric, summed over the alarm period; label ("" for
	// none) names it on the dashboard.
	lambdaMetric := func(metric string, fnName *string, label string) awscloudwatch.IMetric {
		props := &awscloudwatch.MetricProps{
			Namespace: jsii.String("AWS/Lambda"), MetricName: jsii.String(metric),
			DimensionsMap: &map[string]*string{"FunctionName": fnName},
			Statistic:     jsii.String("Sum"), Period: period,
		}
		if label != "" {
			props.Label = jsii.String(label)
		}
		return awscloudwatch.NewMetric(props)
	}
	errorsOf := func(fnName *string, label string) awscloudwatch.IMetric { return lambdaMetric("Errors", fnName, label) }
	throttlesOf := func(fnName *string, label string) awscloudwatch.IMetric {
		return lambdaMetric("Throttles", fnName, label)
	}
	functionAlarm := func(scope constructs.Construct, name string, fnName *string) {
		alarmIn(scope, FunctionErrorsAlarm(name), fmt.Sprintf("Function %s failed (crash, panic or timeout) in the last %d minutes", name, alarmPeriodMinutes),
			errorsOf(fnName, ""), functionErrorThreshold)
	}
	for _, area := range areas {
		for _, g := range area.groups {
			alarms := awscdk.NewNestedStack(stack, jsii.String(area.id+g.ID+"Alarms"), &awscdk.NestedStackProps{
				Description: jsii.String("Developer portal: error alarms of the " + area.title + "'s functions in group " + g.ID),
				Parameters:  &map[string]*string{FunctionNamesOutput: g.PhysicalNames},
			})
			m.AlarmGroups = append(m.AlarmGroups, alarms)
			physical := awscdk.NewCfnParameter(alarms, jsii.String(FunctionNamesOutput), &awscdk.CfnParameterProps{
				Type:        jsii.String("CommaDelimitedList"),
				Description: jsii.String("Physical names of the group's functions, in the order the group lists them"),
			}).ValueAsList()
			for i, name := range g.Names {
				functionAlarm(alarms, name, awscdk.Fn_Select(jsii.Number(i), physical))
			}
			// The dashboard's graphs of the group, each within CloudWatch's 100 metrics a graph.
			names := awscdk.Fn_Split(jsii.String(","), g.PhysicalNames, jsii.Number(len(g.Names)))
			var errs, throttles []awscloudwatch.IMetric
			for i, name := range g.Names {
				errs = append(errs, errorsOf((*names)[i], name))
				throttles = append(throttles, throttlesOf((*names)[i], name))
			}
			widgets = append(widgets, &[]awscloudwatch.IWidget{
				graph(fmt.Sprintf("Function errors (%s, %s)", area.title, g.ID), errs...),
				graph(fmt.Sprintf("Function throttles (%s, %s)", area.title, g.ID), throttles...),
			})
		}
	}
	if len(functions) > 0 {
		var errs, throttles []awscloudwatch.IMetric
		for _, name := range sortedKeys(functions) {
			functionAlarm(stack, name, functions[name].FunctionName())
			errs = append(errs, errorsOf(functions[name].FunctionName(), name))
			throttles = append(throttles, throttlesOf(functions[name].FunctionName(), name))
		}
		widgets = append(widgets, &[]awscloudwatch.IWidget{
			graph("Function errors (authorizers)", errs...),
			graph("Function throttles (authorizers)", throttles...),
		})
	}

	sm := props.Workflows.Approval
	alarm("approval-failed", "Approval workflow executions failed: their requests wait for nobody",
		sm.MetricFailed(sum), workflowThreshold)
	alarm("approval-timed-out", "Approval workflow executions timed out: their requests were neither decided nor expired",
		sm.MetricTimedOut(sum), workflowThreshold)
	widgets = append(widgets, &[]awscloudwatch.IWidget{
		graph("Approval workflow executions", sm.MetricStarted(sum), sm.MetricSucceeded(sum), sm.MetricFailed(sum),
			sm.MetricTimedOut(sum), sm.MetricAborted(sum)),
	})

	// Alarm status widgets of at most 100 alarms each, CloudWatch's limit.
	var statusRows []*[]awscloudwatch.IWidget
	all := sortedKeys(m.Alarms)
	for start := 0; start < len(all); start += alarmsPerStatusWidget {
		chunk := all[start:min(start+alarmsPerStatusWidget, len(all))]
		alarms := make([]interfacesawscloudwatch.IAlarmRef, 0, len(chunk))
		for _, name := range chunk {
			alarms = append(alarms, m.Alarms[name])
		}
		title := "Alarms"
		if len(all) > alarmsPerStatusWidget {
			title = fmt.Sprintf("Alarms (%d of %d)", start/alarmsPerStatusWidget+1, (len(all)+alarmsPerStatusWidget-1)/alarmsPerStatusWidget)
		}
		statusRows = append(statusRows, &[]awscloudwatch.IWidget{awscloudwatch.NewAlarmStatusWidget(&awscloudwatch.AlarmStatusWidgetProps{
			Title:  jsii.String(title),
			Alarms: &alarms,
			SortBy: awscloudwatch.AlarmStatusWidgetSortBy_STATE_UPDATED_TIMESTAMP,
			Width:  jsii.Number(24),
			Height: jsii.Number(8),
		})})
	}
	widgets = append(statusRows, widgets...)
	m.Dashboard = awscloudwatch.NewDashboard(stack, jsii.String("Dashboard"), &awscloudwatch.DashboardProps{
		DashboardName:   jsii.String(*stack.StackName()),
		DefaultInterval: awscdk.Duration_Hours(jsii.Number(6)),
		Widgets:         &widgets,
	})

	awscdk.NewCfnOutput(stack, jsii.String("AlarmTopicArn"), &awscdk.CfnOutputProps{
		Value:       m.Topic.TopicArn(),
		Description: jsii.String("SNS topic of every alarm: subscribe the on-call channel to it"),
	})
	return m
}

// AlarmName is the CloudWatch name of an alarm of the stack: the stack name, then the
// alarm's short name ("devportal-monitoring-portal-api-5xx").
func AlarmName(stackName, name string) string {
	return stackName + "-" + name
}

// FunctionErrorsAlarm is the short name of a function's error alarm. Alarm names are
// unique in an account and region, and CloudFormation creates a new alarm before it
// deletes the old one, so an alarm cannot keep its name while it moves to another
// template: this name replaced "function-<name>-errors" when the alarms moved to the
// function groups' alarm stacks.
func FunctionErrorsAlarm(function string) string {
	return "function-errors-" + function
}

// RefusedMetricName is the name of the custom metric that counts an API's answers of
// status (401 or 403) in its access logs.
func RefusedMetricName(apiID, status string) string { return apiID + "Refused" + status }

// ThrottledMetricName is the metric counting an API's 429 answers, in MetricNamespace.
func ThrottledMetricName(apiID string) string {
	return apiID + "ThrottledRequests"
}

// graph is a dashboard graph of the metrics, a third of the dashboard wide.
func graph(title string, metrics ...awscloudwatch.IMetric) awscloudwatch.GraphWidget {
	return awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
		Title:  jsii.String(title),
		Left:   &metrics,
		Width:  jsii.Number(8),
		Height: jsii.Number(6),
	})
}

// kebab turns a construct ID ("PortalApi") into an alarm name part ("portal-api").
func kebab(id string) string {
	var out []rune
	for i, c := range id {
		if 'A' <= c && c <= 'Z' {
			if i > 0 {
				out = append(out, '-')
			}
			c += 'a' - 'A'
		}
		out = append(out, c)
	}
	return string(out)
}
