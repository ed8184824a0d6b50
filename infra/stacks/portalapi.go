package stacks

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/platform/httpapi"
	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/portal/portalapi"
	"github.com/bank/devportal/shared/tpp/callercheck"
)

// FunctionCode returns the deployment package of the named function (a routes.Portal or
// routes.Jobs name, or a TPP route's or authorizer's). The app passes BundledCode (built during synthesis); tests pass a placeholder.
type FunctionCode func(name string) awslambda.Code

// Settings of every function and of the API's default stage.
const (
	// logRetention keeps a month of logs: enough to investigate an incident reported late,
	// without keeping customer emails that appear in logs indefinitely.
	logRetention = awslogs.RetentionDays_ONE_MONTH
	// throttleBurst and throttleRate bound the whole API so a flood cannot run up Lambda
	// concurrency (and cost) for the account; the portal's real traffic is far below.
	throttleBurst = 100
	throttleRate  = 50
	// corsMaxAgeMinutes is how long a browser may cache a preflight answer.
	corsMaxAgeMinutes = 10
)

// PortalAPIProps configure the portal API stack.
type PortalAPIProps struct {
	// Config is the configuration the functions receive (see FunctionEnvironment).
	Config config.Config
	// Env is the stack's environment; nil for an environment-agnostic synthesis.
	Env *awscdk.Environment
	// Data and Identity are the stacks whose resources the functions use.
	Data     *DataStack
	Identity *IdentityStack
	// Workflows is the stack of the approval workflow the functions start and decide.
	Workflows *WorkflowsStack
	// FunctionCode gives each function's deployment package.
	FunctionCode FunctionCode
	// Tables are the route tables to deploy; nil is DefaultRouteTables. The stack deploys the
	// portal's routes and jobs and the TPP area's browser routes, and checks every
	// function's access and sizing.
	Tables *RouteTables
	// TPPEnvironment is the environment the TPP area's browser routes serve (the
	// "environment" context value): the authorization endpoint knows only its apps.
	TPPEnvironment org.Environment
	// Domain, when set, is the API's custom domain; its execute-api endpoint is then
	// disabled.
	Domain *PortalAPIDomain
}

// PortalAPIDomain is the portal API's custom domain: CloudFront's origin, with the
// execute-api endpoint disabled, so that no address of the API bypasses CloudFront (and
// its web ACL) at all. Without one the origin secret alone keeps direct calls out.
type PortalAPIDomain struct {
	// DomainName is the domain ("portalApiDomainName"), e.g. portal-api.bank.example; its
	// DNS names the PortalApiDomainTarget output.
	DomainName string
	// CertificateARN is an ACM certificate for DomainName in the stack's region
	// ("portalApiCertificateArn").
	CertificateARN string
}

// PortalAPIStack is the portal API: one Lambda function per deployed route behind an HTTP
// API, and one per scheduled job behind an EventBridge rule. It holds no data, so it can be
// replaced freely; the data and identity stacks it uses live apart. The functions are in
// nested stacks, one or more per domain (Groups; groups.go says why); the API, its stage
// and every route are in the stack's own template.
type PortalAPIStack struct {
	awscdk.Stack
	// API is the HTTP API; its $default stage is Stage.
	API   awsapigatewayv2.HttpApi
	Stage awsapigatewayv2.HttpStage
	// AccessLogs is the stage's access log group (one JSON object per request).
	AccessLogs awslogs.LogGroup
	// Functions are the functions by route or job name.
	Functions map[string]awslambda.Function
	// Groups are the nested stacks of the functions, in the order planGroups gives.
	Groups []*FunctionGroup
	// Routes are the routes by route name.
	Routes map[string]awsapigatewayv2.CfnRoute
	// Schedules are the jobs' EventBridge rules by job name.
	Schedules map[string]awsevents.Rule
	// URL is the API's invoke URL (the $default stage, so with no stage name in the path).
	URL *string
	// OriginHost is the host CloudFront sends the API's requests to: the custom domain,
	// or the execute-api endpoint's host.
	OriginHost *string
	// Domain is the API's custom domain; nil without one.
	Domain awsapigatewayv2.DomainName
	// ApprovalStateMachineARN is the approval workflow the functions start and decide.
	ApprovalStateMachineARN *string
	// originSecret is the value CloudFront sends in OriginVerifyHeader (a dynamic reference
	// to the identity stack's secret, which CloudFormation resolves at deployment).
	originSecret *string
	// UsagePlanIDs is USAGE_PLAN_IDS of the functions that keep usage keys (UseUsagePlans);
	// nil without a TPP API.
	UsagePlanIDs *string
}

// NewPortalAPIStack adds the portal API stack to scope. It panics if a function has no
// entry in the access table (access.go), so that no function deploys with grants nobody
// decided on.
func NewPortalAPIStack(scope constructs.Construct, id string, props PortalAPIProps) *PortalAPIStack {
	tables := routeTablesOr(props.Tables)
	if err := checkAccess(tables.functions()); err != nil {
		panic(err)
	}
	if err := checkSizing(tables.functions()); err != nil {
		panic(err)
	}
	if props.FunctionCode == nil {
		panic("stacks: PortalAPIProps.FunctionCode is nil")
	}
	if props.Data == nil || props.Identity == nil || props.Workflows == nil {
		panic("stacks: PortalAPIProps needs the Data, Identity and Workflows stacks")
	}
	stack := awscdk.NewStack(scope, jsii.String(id), stackProps(props.Env, "Developer portal: HTTP API, Lambda functions and schedules"))
	// Strong references (CloudFormation exports) on purpose: the data, identity and
	// workflows stacks cannot then lose a table, pool or state machine while a deployed
	// function still uses it. Stated here
	// because CDK warns when the strength is left to its default. The function groups'
	// nested stacks inherit it.
	awscdk.CrossStackReferences_Of(stack).Consume(awscdk.ReferenceStrength_STRONG)
	s := &PortalAPIStack{
		Stack:     stack,
		Functions: map[string]awslambda.Function{},
		Routes:    map[string]awsapigatewayv2.CfnRoute{},
		Schedules: map[string]awsevents.Rule{},
	}

	// The functions read the deployed names and IDs: the other stacks' resources, wired
	// through their Go fields so CDK exports them, rather than the configured names.
	cfg := props.Config
	cfg.PortalTable = *props.Data.PortalTableName
	cfg.UserPoolID = *props.Identity.UserPoolID
	cfg.UserPoolClientID = *props.Identity.UserPoolClientID
	cfg.ApprovalStateMachineARN = *props.Workflows.ApprovalStateMachineARN
	cfg.CRLBucket = *CRLBucketName()
	cfg.SessionKeyID = *props.Identity.SessionKey.KeyArn()
	cfg.PasswordKeyID = *props.Identity.PasswordKey.KeyArn()
	s.ApprovalStateMachineARN = props.Workflows.ApprovalStateMachineARN
	s.originSecret = props.Identity.OriginSecret.SecretValue().UnsafeUnwrap()
	env := FunctionEnvironment(cfg)
	grants := grantResources{data: props.Data, identity: props.Identity, approvalARN: s.ApprovalStateMachineARN}

	fns := tables.portalFunctions()
	s.API = awsapigatewayv2.NewHttpApi(stack, jsii.String("Api"), &awsapigatewayv2.HttpApiProps{
		ApiName:     stack.StackName(),
		Description: jsii.String("Developer portal API (backend for frontend)"),
		// The stage is made below, with access logs and throttling, which HttpApi's own
		// default stage cannot have.
		CreateDefaultStage: jsii.Bool(false),
		CorsPreflight:      corsPreflight(cfg.PortalURL, fns),
		// With a custom domain, CloudFront calls that domain, and no other address of
		// the API answers.
		DisableExecuteApiEndpoint: jsii.Bool(props.Domain != nil),
	})
	s.Stage, s.AccessLogs = newStage(stack, s.API)
	if props.Domain == nil {
		s.URL = s.Stage.Url()
		// The HTTP API's endpoint is https://<id>.execute-api.<region>.<suffix>: its host.
		s.OriginHost = awscdk.Fn_Select(jsii.Number(2), awscdk.Fn_Split(jsii.String("/"), s.API.ApiEndpoint(), nil))
	} else {
		d := props.Domain
		s.Domain = awsapigatewayv2.NewDomainName(stack, jsii.String("ApiDomain"), &awsapigatewayv2.DomainNameProps{
			DomainName:     jsii.String(d.DomainName),
			Certificate:    awscertificatemanager.Certificate_FromCertificateArn(stack, jsii.String("ApiCertificate"), jsii.String(d.CertificateARN)),
			SecurityPolicy: awsapigatewayv2.SecurityPolicy_TLS_1_2,
		})
		mapping := awsapigatewayv2.NewApiMapping(stack, jsii.String("ApiMapping"), &awsapigatewayv2.ApiMappingProps{
			Api: s.API, DomainName: s.Domain, Stage: s.Stage,
		})
		// The mapping names the stage ($default), which must exist first.
		mapping.Node().AddDependency(s.Stage)
		s.OriginHost = s.Domain.Name()
		s.URL = jsii.String("https://" + d.DomainName + "/")
		awscdk.NewCfnOutput(stack, jsii.String("PortalApiDomainTarget"), &awscdk.CfnOutputProps{
			Value:       s.Domain.RegionalDomainName(),
			Description: jsii.String("Point the portal API's custom domain at this name (CNAME or Route 53 alias)"),
		})
	}

	for _, plan := range planGroups(fns) {
		g := newFunctionGroup(stack, plan, "Developer portal: portal API functions ("+plan.tag+")", func(group constructs.Construct, f appFunction) awslambda.Function {
			if f.kind == portalJob {
				return s.addJob(group, f.job, env, props.FunctionCode, grants)
			}
			if f.kind == tppBrowserRoute {
				browserEnv := maps.Clone(env)
				browserEnv[callercheck.EnvironmentVariable] = string(props.TPPEnvironment)
				return s.addRoute(group, f, browserEnv, props.FunctionCode, grants)
			}
			return s.addRoute(group, f, env, props.FunctionCode, grants)
		})
		s.Groups = append(s.Groups, g)
		for name, fn := range g.Functions {
			s.Functions[name] = fn
		}
	}

	awscdk.NewCfnOutput(stack, jsii.String("ApiUrl"), &awscdk.CfnOutputProps{
		Value:       s.URL,
		Description: jsii.String("Invoke URL of the portal HTTP API"),
	})
	return s
}

// addRoute adds the route's function with its integration and invoke permission to group
// (in a function group's nested stack), and the route itself to the API's own template
// (groups.go says why it stays there).
func (s *PortalAPIStack) addRoute(group constructs.Construct, f appFunction, env map[string]string, code FunctionCode, grants grantResources) awslambda.Function {
	rt := f.route
	// Every route of the HTTP API is reached through CloudFront only.
	env = maps.Clone(env)
	env[OriginSecretVariable] = *s.originSecret
	fn := newFunction(group, f, functionSettings{
		description: rt.Method + " " + rt.Path + ": " + rt.Summary,
		env:         env,
		code:        code,
	}, grants)
	integration := awsapigatewayv2.NewHttpIntegration(group, jsii.String("Integration"), &awsapigatewayv2.HttpIntegrationProps{
		HttpApi:              s.API,
		IntegrationType:      awsapigatewayv2.HttpIntegrationType_AWS_PROXY,
		IntegrationUri:       fn.FunctionArn(),
		PayloadFormatVersion: awsapigatewayv2.PayloadFormatVersion_VERSION_2_0(),
	})
	// API Gateway may invoke the function for this route's path only (any stage and
	// method, as the HTTP API's own Lambda integration grants).
	fn.AddPermission(jsii.String("ApiPermission"), &awslambda.Permission{
		Principal: awsiam.NewServicePrincipal(jsii.String("apigateway.amazonaws.com"), nil),
		SourceArn: awscdk.Stack_Of(group).FormatArn(&awscdk.ArnComponents{
			Service:      jsii.String("execute-api"),
			Resource:     s.API.ApiId(),
			ResourceName: jsii.String("*/*" + rt.Path),
		}),
	})
	// The route keeps the construct path, and so the logical ID, it had before the
	// functions moved to nested stacks: <Name>/Route/Resource in the API's template. The
	// route key is the route table's method and path verbatim; API Gateway's {name}
	// parameters are written the same way as net/http's.
	route := awsapigatewayv2.NewCfnRoute(constructs.NewConstruct(constructs.NewConstruct(s.Stack, jsii.String(pascal(rt.Name))), jsii.String("Route")),
		jsii.String("Resource"), &awsapigatewayv2.CfnRouteProps{
			ApiId:             s.API.ApiId(),
			RouteKey:          jsii.String(rt.Method + " " + rt.Path),
			AuthorizationType: jsii.String("NONE"),
			Target:            awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String("integrations/"), integration.IntegrationId()}),
		})
	auth := routeAuthorization(rt)
	if f.kind == tppBrowserRoute {
		auth = browserRouteAuthorization(rt)
	}
	cdknag.NagSuppressions_AddResourceSuppressions(route, &[]*cdknag.NagPackSuppression{auth}, jsii.Bool(false))
	s.Routes[rt.Name] = route
	return fn
}

// addJob adds the job's function and its schedule to group.
func (s *PortalAPIStack) addJob(group constructs.Construct, job route.Job, env map[string]string, code FunctionCode, grants grantResources) awslambda.Function {
	fn := newFunction(group, appFunction{name: job.Name, kind: portalJob, job: job}, functionSettings{
		description: "Scheduled " + job.Schedule + ": " + job.Summary,
		env:         env,
		code:        code,
	}, grants)
	s.Schedules[job.Name] = awsevents.NewRule(group, jsii.String("Schedule"), &awsevents.RuleProps{
		Description: jsii.String(job.Summary),
		Schedule:    awsevents.Schedule_Expression(jsii.String(job.Schedule)),
		// A rerun sends no email twice (the reminder job records each warning on the
		// profile before mailing it), so EventBridge may retry a failed invocation.
		Targets: &[]awsevents.IRuleTarget{awseventstargets.NewLambdaFunction(fn, &awseventstargets.LambdaFunctionProps{
			RetryAttempts: jsii.Number(2),
		})},
	})
	return fn
}

// corsPreflight is the API's CORS configuration: the portal's own origin (PORTAL_URL's
// scheme, host and port) and no other, with credentials, for the methods of the deployed
// routes and the headers the SPA sends. The SPA calls the API on that same origin through
// CloudFront, so a browser needs no CORS to use the portal; the configuration makes the
// allowed origin explicit and keeps it so, because API Gateway answers preflights itself
// and drops any CORS header a function returns. It panics on a PORTAL_URL that is not an
// absolute http(s) URL.
func corsPreflight(portalURL string, fns []appFunction) *awsapigatewayv2.CorsPreflightOptions {
	origin, err := PortalOrigin(portalURL)
	if err != nil {
		panic(err)
	}
	var methods []awsapigatewayv2.CorsHttpMethod
	for _, f := range fns {
		if f.kind != portalRoute {
			continue
		}
		if m := awsapigatewayv2.CorsHttpMethod(f.route.Method); !slices.Contains(methods, m) {
			methods = append(methods, m)
		}
	}
	slices.Sort(methods)
	return &awsapigatewayv2.CorsPreflightOptions{
		AllowOrigins:     jsii.Strings(origin),
		AllowCredentials: jsii.Bool(true),
		AllowMethods:     &methods,
		AllowHeaders:     jsii.Strings("content-type", strings.ToLower(portalapi.CSRFHeader), strings.ToLower(httpapi.RequestIDHeader)),
		ExposeHeaders:    jsii.Strings(strings.ToLower(httpapi.RequestIDHeader)),
		MaxAge:           awscdk.Duration_Minutes(jsii.Number(corsMaxAgeMinutes)),
	}
}

// PortalOrigin is the origin (scheme://host[:port]) of the portal's URL, the only origin
// the portal API's CORS configuration allows.
func PortalOrigin(portalURL string) (string, error) {
	u, err := url.Parse(portalURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return "", fmt.Errorf("stacks: PORTAL_URL=%q is not an absolute http(s) URL", portalURL)
	}
	return u.Scheme + "://" + strings.ToLower(u.Host), nil
}

// newStage is the API's $default stage, with JSON access logs (in the log group it also
// returns) and a default throttle.
func newStage(stack awscdk.Stack, api awsapigatewayv2.HttpApi) (awsapigatewayv2.HttpStage, awslogs.LogGroup) {
	logs := awslogs.NewLogGroup(stack, jsii.String("ApiAccessLogs"), &awslogs.LogGroupProps{
		Retention: logRetention,
	})
	stage := awsapigatewayv2.NewHttpStage(stack, jsii.String("DefaultStage"), &awsapigatewayv2.HttpStageProps{
		HttpApi:    api,
		StageName:  jsii.String("$default"),
		AutoDeploy: jsii.Bool(true),
		Throttle: &awsapigatewayv2.ThrottleSettings{
			BurstLimit: jsii.Number(throttleBurst),
			RateLimit:  jsii.Number(throttleRate),
		},
	})
	// Set on the L1 stage: the L2's AccessLogSettings is an interface a Go struct would have
	// to implement through jsii callbacks, for the same two properties.
	stage.Node().DefaultChild().(awsapigatewayv2.CfnStage).SetAccessLogSettings(&awsapigatewayv2.CfnStage_AccessLogSettingsProperty{
		DestinationArn: logs.LogGroupArn(),
		Format:         jsii.String(accessLogFormat),
	})
	return stage, logs
}

// accessLogFormat is one JSON object per request. integrationRequestId is Lambda's request
// ID, which the handlers log as requestId when the caller sent no X-Request-Id, so a
// request can be followed from the access log into its function's log. HTTP APIs know
// only the $context variables listed in their own documentation.
const accessLogFormat = `{"requestId":"$context.requestId","integrationRequestId":"$context.integration.requestId",` +
	`"ip":"$context.identity.sourceIp","requestTime":"$context.requestTime","method":"$context.httpMethod",` +
	`"routeKey":"$context.routeKey","path":"$context.path","status":"$context.status","protocol":"$context.protocol",` +
	`"responseLength":"$context.responseLength","latency":"$context.responseLatency",` +
	`"integrationLatency":"$context.integrationLatency","integrationError":"$context.integrationErrorMessage",` +
	`"userAgent":"$context.identity.userAgent"}`

// functionSettings are what differs between an HTTP function and a job.
type functionSettings struct {
	description string
	env         map[string]string
	code        FunctionCode
}

// newFunction adds the function to group with its own log group and role, grants the
// role the function's access, and gives the function a stable logical ID.
func newFunction(group constructs.Construct, f appFunction, set functionSettings, grants grantResources) awslambda.Function {
	name := f.name
	access := accessOf(f)
	logs := awslogs.NewLogGroup(group, jsii.String("Logs"), &awslogs.LogGroupProps{
		Retention: logRetention,
	})
	// A role of our own instead of CDK's default, which carries the AWS-managed
	// AWSLambdaBasicExecutionRole (logs:* on every log group): this one may write to its
	// function's log group only.
	role := awsiam.NewRole(group, jsii.String("Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("Execution role of the " + name + " function"),
	})
	logs.GrantWrite(role)
	grants.grant(role, access)

	sizing := sizingOf(f)
	vars := make(map[string]*string, len(set.env)+1)
	for k, v := range set.env {
		vars[k] = jsii.String(v)
	}
	// Only the functions that issue or trust sandbox certificates read the sandbox CA.
	if access.SandboxCA && grants.identity != nil && grants.identity.SandboxCA != nil {
		vars[SandboxCAVariable] = grants.identity.SandboxCA.Ref()
	}
	if access.SandboxCACert && grants.identity != nil && grants.identity.SandboxCACert != nil {
		vars[SandboxCACertVariable] = grants.identity.SandboxCACert.Ref()
	}
	// The functions that start the approval workflow name it (the portal's have it in
	// their environment already; the TPP API's routes of the portal do not).
	if access.StartApproval && grants.approvalARN != nil {
		vars["APPROVAL_STATE_MACHINE_ARN"] = grants.approvalARN
	}
	// Only the functions that sign or check the authorization server's codes, tokens and
	// cookies read its key.
	if access.OAuthKey {
		vars[OAuthKeyVariable] = grants.identity.OAuthKey.SecretArn()
	}
	// Only the registration API's functions sign with its response-signing key.
	if access.RegistrationKey {
		vars[RegistrationKeyVariable] = grants.identity.RegistrationKey.SecretArn()
	}
	fn := awslambda.NewFunction(group, jsii.String("Function"), &awslambda.FunctionProps{
		Description: jsii.String(truncate(set.description, 256)),
		// The Go binaries are built as "bootstrap" for the OS-only runtime, on Graviton
		// (cheaper per millisecond, and GoBundler builds for linux/arm64). cdk-nag's L1
		// (latest runtime) does not apply to provided.al2023, which has no language version;
		// the Go version is go.mod's.
		Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
		Architecture: awslambda.Architecture_ARM_64(),
		Handler:      jsii.String("bootstrap"),
		Code:         set.code(name),
		// Memory (and with it CPU) and timeout by function: FunctionSizing.
		MemorySize:  jsii.Number(sizing.MemoryMB),
		Timeout:     awscdk.Duration_Seconds(jsii.Number(sizing.TimeoutSeconds)),
		Environment: &vars,
		Role:        role,
		LogGroup:    logs,
		// JSON lines that CloudWatch Logs Insights can query by field; the handlers log
		// through slog with Lambda's request ID attached.
		LoggingFormat:         awslambda.LoggingFormat_JSON,
		ApplicationLogLevelV2: awslambda.ApplicationLogLevel_INFO,
		SystemLogLevelV2:      awslambda.SystemLogLevel_INFO,
		Tracing:               awslambda.Tracing_ACTIVE,
	})
	fn.Node().DefaultChild().(awslambda.CfnFunction).OverrideLogicalId(jsii.String(FunctionLogicalID(name)))

	cdknag.NagSuppressions_AddResourceSuppressions(role, &[]*cdknag.NagPackSuppression{
		{
			Id: jsii.String("AwsSolutions-IAM5"),
			Reason: jsii.String("X-Ray's PutTraceSegments and PutTelemetryRecords support no resource-level " +
				"permissions, so active tracing needs Resource *."),
			AppliesTo: &[]interface{}{"Resource::*"},
		},
		{
			Id: jsii.String("AwsSolutions-IAM5"),
			Reason: jsii.String("The table statements add <table ARN>/index/* so that queries on the table's indexes " +
				"(the portal table's, or the TPP table's) are allowed; the wildcard covers only that table's indexes, " +
				"and on the portal table its LeadingKeys condition still holds each query to the function's partitions."),
			AppliesTo: &[]interface{}{&cdknag.RegexAppliesTo{Regex: jsii.String(`/^Resource::.*\/index\/\*$/g`)}},
		},
	}, jsii.Bool(true))
	return fn
}

// routeAuthorization is why the route has no API Gateway authorizer.
func routeAuthorization(rt route.Route) *cdknag.NagPackSuppression {
	reason := "The portal API is a backend for frontend: the browser holds only an httpOnly session cookie, " +
		"never a Cognito token an API Gateway authorizer could check. "
	if rt.Auth == route.Public {
		reason += "This route is public by design (" + rt.Summary + ") and must answer without a session."
	} else {
		reason += "The handler authenticates the session cookie against the session item in the portal table, " +
			"refreshes Cognito's tokens and checks the CSRF header (shared/portal/portalapi API.Handler) before it runs."
	}
	if rt.Auth == route.Operations {
		reason += " It also refuses a session whose Cognito groups lack the operations group (OPS_GROUP)."
	}
	return &cdknag.NagPackSuppression{Id: jsii.String("AwsSolutions-APIG4"), Reason: jsii.String(reason)}
}

// browserRouteAuthorization is why a TPP area's browser route has no API Gateway
// authorizer: its caller is a bank customer, who has no portal identity.
func browserRouteAuthorization(rt route.Route) *cdknag.NagPackSuppression {
	return &cdknag.NagPackSuppression{Id: jsii.String("AwsSolutions-APIG4"), Reason: jsii.String(
		"A bank customer's browser reaches this route (" + rt.Summary + ") without any portal or AWS identity: " +
			"the authorization endpoint checks the OAuth2 client, its redirect URI and PKCE (fosite), and the sandbox " +
			"bank's pages authenticate the customer themselves, with their own signed session cookie and CSRF tokens " +
			"(shared/tpp/bankpages).")}
}

// truncate keeps a description within Lambda's limit of 256 characters.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-3]) + "..."
}
