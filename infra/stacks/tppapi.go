package stacks

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awswafv2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/portal/apps"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/tpp/callercheck"
	tpproutes "github.com/bank/devportal/shared/tpp/routes"
)

// TPPSettings are the TPP API's deployment values, the CDK context values of the same
// names (infra/main.go reads them).
type TPPSettings struct {
	// Environment is the environment the API serves ("environment": sandbox or
	// production): its usage plans are the catalog's plans of that environment, and its
	// authorizer admits only that environment's apps.
	Environment org.Environment
	// DomainName is the API's custom domain ("tppDomainName"), e.g. api.bank.example.
	DomainName string
	// CertificateARN is an ACM certificate for DomainName in the stack's region
	// ("tppCertificateArn").
	CertificateARN string
	// TruststoreKey and TruststoreVersion name the truststore object in the truststore
	// stack's bucket ("tppTruststoreKey", "tppTruststoreVersion"). The version is
	// required: a new version with the same key changes nothing in the template, so
	// API Gateway would not reload it; naming the version does.
	TruststoreKey     string
	TruststoreVersion string
}

// Validate names the missing or wrong values, by their context names.
func (s TPPSettings) Validate() error {
	var problems []string
	if _, err := callercheck.ParseEnvironment(string(s.Environment)); err != nil {
		problems = append(problems, fmt.Sprintf("environment=%q must be %s or %s", s.Environment, org.Sandbox, org.Production))
	}
	for _, v := range []struct{ name, value string }{
		{"tppDomainName", s.DomainName},
		{"tppCertificateArn", s.CertificateARN},
		{"tppTruststoreKey", s.TruststoreKey},
		{"tppTruststoreVersion", s.TruststoreVersion},
	} {
		if strings.TrimSpace(v.value) == "" {
			problems = append(problems, v.name+" is not set")
		}
	}
	if s.CertificateARN != "" && !strings.HasPrefix(s.CertificateARN, "arn:") {
		problems = append(problems, fmt.Sprintf("tppCertificateArn=%q is not an ARN", s.CertificateARN))
	}
	if len(problems) > 0 {
		return fmt.Errorf("TPP API settings: %s", strings.Join(problems, "; "))
	}
	return nil
}

// TPPAPIProps configure the TPP API stack.
type TPPAPIProps struct {
	// Config is the configuration the authorizer function receives.
	Config config.Config
	// Env is the stack's environment; nil for an environment-agnostic synthesis.
	Env *awscdk.Environment
	// Settings are the domain, certificate, truststore and environment.
	Settings TPPSettings
	// Data is the stack of the portal table the authorizer reads and of the TPP table.
	Data *DataStack
	// Identity is the stack of the OAuth key's secret.
	Identity *IdentityStack
	// Workflows is the stack of the approval workflow the registration API's production
	// onboarding requests start; nil deploys no route that needs it.
	Workflows *WorkflowsStack
	// Truststore is the stack of the truststore bucket.
	Truststore *TruststoreStack
	// FunctionCode gives each function's deployment package.
	FunctionCode FunctionCode
	// Tables are the route tables to deploy; nil is DefaultRouteTables. The stack deploys
	// the TPP API's routes.
	Tables *RouteTables
}

// TPPAPIStack is the API TPP software calls: a REST API reachable only through its
// custom domain with mutual TLS, every method but the health check behind the Lambda
// authorizer, usage plans from the product catalog, and AWS WAF in front of the stage.
// Each route of the TPP route table is a Lambda function behind the authorizer (Lambda
// proxy integration; the OAuth2 metadata, public, without it), in a function group's
// nested stack (groups.go); its method and resource are in the stack's own template, with
// the API, its deployment and stage. So far the routes are the authorization server's
// token, PAR, revocation, introspection and metadata endpoints; every other path is a
// catch-all that answers a Berlin Group RESOURCE_UNKNOWN to authorized callers.
type TPPAPIStack struct {
	awscdk.Stack
	// API is the REST API; Stage its one stage.
	API   awsapigateway.RestApi
	Stage awsapigateway.Stage
	// Domain is the custom domain with mutual TLS.
	Domain awsapigateway.DomainName
	// Authorizer is the REQUEST authorizer; AuthorizerFunction its function.
	Authorizer         awsapigateway.RequestAuthorizer
	AuthorizerFunction awslambda.Function
	// Authorizers are the REQUEST authorizers by name (routes.Authorizers): the caller
	// check, and the caller check with the bearer token of the routes that take one.
	Authorizers map[string]awsapigateway.RequestAuthorizer
	// Functions are the stack's functions by name: the routes', the authorizers' and the
	// jobs'.
	Functions map[string]awslambda.Function
	// Schedules are the TPP area's jobs' EventBridge rules by job name.
	Schedules map[string]awsevents.Rule
	// Environment is the environment the API serves.
	Environment org.Environment
	// Groups are the nested stacks of the routes' functions (the authorizer is in the
	// stack's own template).
	Groups []*FunctionGroup
	// Methods are the routes' methods by route name.
	Methods map[string]awsapigateway.Method
	// UsagePlans are the usage plans by product ID.
	UsagePlans map[string]awsapigateway.UsagePlan
	// RefusalUsagePlan holds the refusal usage key (lookup.RefusalUsageKey).
	RefusalUsagePlan awsapigateway.UsagePlan
	// WebACL is the WAF web ACL associated with the stage.
	WebACL awswafv2.CfnWebACL
	// AccessLogs is the stage's access log group.
	AccessLogs awslogs.LogGroup
}

// Settings of the TPP API.
const (
	// TPPStageName is the REST API's stage. The custom domain maps its root to it, so
	// the name appears in no URL a TPP calls.
	TPPStageName = "tpp"
	// tppThrottleRate and tppThrottleBurst bound the whole stage, above the sum of the
	// production plans (usage plans throttle each app below it).
	tppThrottleRate  = 500
	tppThrottleBurst = 1000
	// wafWindowSeconds is the rate rule's evaluation window.
	wafWindowSeconds = 300
)

// TPPAccessLogFormat is one JSON object per request. It records the client
// certificate's serial number, subject, issuer and expiry, as API Gateway's mutual TLS
// saw them, the app the authorizer found, and the request IDs: a TPP's complaint about one
// call can be traced from its X-Request-ID to the certificate it used.
const TPPAccessLogFormat = `{"requestId":"$context.requestId","extendedRequestId":"$context.extendedRequestId",` +
	`"clientCertSerialNumber":"$context.identity.clientCert.serialNumber",` +
	`"clientCertSubjectDN":"$context.identity.clientCert.subjectDN",` +
	`"clientCertIssuerDN":"$context.identity.clientCert.issuerDN",` +
	`"clientCertNotAfter":"$context.identity.clientCert.validity.notAfter",` +
	`"appId":"$context.authorizer.appId","orgId":"$context.authorizer.orgId","authorizerError":"$context.authorizer.error",` +
	`"ip":"$context.identity.sourceIp","userAgent":"$context.identity.userAgent","requestTime":"$context.requestTime",` +
	`"method":"$context.httpMethod","resourcePath":"$context.resourcePath","path":"$context.path",` +
	`"status":"$context.status","protocol":"$context.protocol","responseLength":"$context.responseLength",` +
	`"latency":"$context.responseLatency","integrationLatency":"$context.integrationLatency",` +
	`"wafResponseCode":"$context.wafResponseCode","error":"$context.error.message","domainName":"$context.domainName"}`

// resourceUnknown is the catch-all's Berlin Group error body.
const resourceUnknown = `{"tppMessages":[{"category":"ERROR","code":"RESOURCE_UNKNOWN",` +
	`"text":"There is no endpoint $context.httpMethod $context.path."}]}`

// NewTPPAPIStack adds the TPP API stack to scope. It panics on invalid settings.
func NewTPPAPIStack(scope constructs.Construct, id string, props TPPAPIProps) *TPPAPIStack {
	if err := props.Settings.Validate(); err != nil {
		panic(err)
	}
	if props.Data == nil || props.Identity == nil || props.Truststore == nil || props.FunctionCode == nil {
		panic("stacks: TPPAPIProps needs the Data, Identity and Truststore stacks and FunctionCode")
	}
	set := props.Settings
	stack := awscdk.NewStack(scope, jsii.String(id), stackProps(props.Env, "Developer portal: TPP API (mutual TLS, Lambda authorizer, usage plans, WAF)"))
	// Strong: the table and the truststore bucket cannot go while the API uses them.
	awscdk.CrossStackReferences_Of(stack).Consume(awscdk.ReferenceStrength_STRONG)
	s := &TPPAPIStack{Stack: stack, Environment: set.Environment, Functions: map[string]awslambda.Function{}, Methods: map[string]awsapigateway.Method{},
		UsagePlans: map[string]awsapigateway.UsagePlan{}}
	tables := routeTablesOr(props.Tables)
	for _, f := range tables.tppFunctions() {
		// The TPP API's functions are granted the tables and the OAuth key; the portal's
		// routes of its origin (the registration API) also the sandbox CA, mail and the
		// approval workflow. Not yet the usage plans: their IDs would make the functions'
		// nested stacks depend on the API's deployment, which depends on their methods (a
		// cycle), so these functions keep no usage keys so far.
		a := accessOf(f)
		portal := f.route.Auth == route.ClientCertificate
		if len(a.UserPool) > 0 || a.DecideApproval != "" || a.PublishCRL || !portal && (a.SendMail || a.StartApproval || a.SandboxCA || len(a.UsagePlans) > 0) {
			panic(fmt.Sprintf("stacks: TPP function %s needs %+v, which the TPP API stack does not grant", f.name, a))
		}
	}

	cfg := props.Config
	cfg.PortalTable = *props.Data.PortalTableName
	env := FunctionEnvironment(cfg)
	env[callercheck.EnvironmentVariable] = string(set.Environment)
	authorizerFunctions := map[string]awslambda.Function{}
	for _, name := range tables.Authorizers {
		description := "TPP API authorizer (" + string(set.Environment) + "): the client certificate must belong to an app"
		if name == tpproutes.BearerAuthorizerName {
			description += ", and the bearer access token be the app's, bound to the certificate"
		}
		group := constructs.NewConstruct(stack, jsii.String(pascal(name)))
		authorizerFunctions[name] = newFunction(group, appFunction{name: name, kind: tppAuthorizer}, functionSettings{
			description: description,
			env:         env,
			code:        props.FunctionCode,
		}, grantResources{data: props.Data, identity: props.Identity})
		s.Functions[name] = authorizerFunctions[name]
	}
	s.AuthorizerFunction = authorizerFunctions[tpproutes.AuthorizerName]
	for _, job := range tables.TPPJobs {
		s.addJob(stack, job, env, props.FunctionCode, grantResources{data: props.Data, identity: props.Identity})
	}

	s.AccessLogs = awslogs.NewLogGroup(stack, jsii.String("ApiAccessLogs"), &awslogs.LogGroupProps{Retention: logRetention})
	s.API = awsapigateway.NewRestApi(stack, jsii.String("Api"), &awsapigateway.RestApiProps{
		RestApiName: stack.StackName(),
		Description: jsii.String("TPP API (" + string(set.Environment) + "), reachable only through " + set.DomainName + " with mutual TLS"),
		// The execute-api endpoint would take requests without a client certificate: off,
		// so that the custom domain's mutual TLS cannot be bypassed.
		DisableExecuteApiEndpoint: jsii.Bool(true),
		EndpointTypes:             &[]awsapigateway.EndpointType{awsapigateway.EndpointType_REGIONAL},
		// The authorizer names the caller's API key (its usage plan) when the TPP
		// endpoints require keys; TPPs send no x-api-key of their own.
		ApiKeySourceType: awsapigateway.ApiKeySourceType_AUTHORIZER,
		// Execution logs (errors only) need API Gateway's account-level CloudWatch role.
		CloudWatchRole: jsii.Bool(true),
		DeployOptions: &awsapigateway.StageOptions{
			StageName:            jsii.String(TPPStageName),
			AccessLogDestination: awsapigateway.NewLogGroupLogDestination(s.AccessLogs),
			AccessLogFormat:      awsapigateway.AccessLogFormat_Custom(jsii.String(TPPAccessLogFormat)),
			// Errors only and no data trace: request bodies carry account data.
			LoggingLevel:         awsapigateway.MethodLoggingLevel_ERROR,
			DataTraceEnabled:     jsii.Bool(false),
			MetricsEnabled:       jsii.Bool(true),
			TracingEnabled:       jsii.Bool(true),
			ThrottlingRateLimit:  jsii.Number(tppThrottleRate),
			ThrottlingBurstLimit: jsii.Number(tppThrottleBurst),
		},
	})
	s.Stage = s.API.DeploymentStage()

	// REQUEST, uncached: every request is authorized by its own certificate lookup. The
	// identity source is X-Request-ID, which Berlin Group requires on every request, so a
	// request without one is refused (401) before the function runs.
	s.Authorizers = map[string]awsapigateway.RequestAuthorizer{}
	for _, name := range tables.Authorizers {
		// The first keeps the construct ID it always had, so that its resources stay.
		id := "Authorizer"
		if name == tpproutes.BearerAuthorizerName {
			id = "BearerAuthorizer"
		}
		s.Authorizers[name] = awsapigateway.NewRequestAuthorizer(stack, jsii.String(id), &awsapigateway.RequestAuthorizerProps{
			AuthorizerName:  jsii.String(name),
			Handler:         authorizerFunctions[name],
			IdentitySources: &[]*string{awsapigateway.IdentitySource_Header(jsii.String("X-Request-ID"))},
			ResultsCacheTtl: awscdk.Duration_Seconds(jsii.Number(0)),
		})
	}
	s.Authorizer = s.Authorizers[tpproutes.AuthorizerName]
	validator := s.API.AddRequestValidator(jsii.String("Validator"), &awsapigateway.RequestValidatorOptions{
		ValidateRequestParameters: jsii.Bool(true),
		ValidateRequestBody:       jsii.Bool(true),
	})

	health := s.API.Root().AddResource(jsii.String("healthz"), nil)
	healthGet := health.AddMethod(jsii.String("GET"), mockJSON("200", `{"status":"UP"}`), &awsapigateway.MethodOptions{
		AuthorizationType: awsapigateway.AuthorizationType_NONE,
		RequestValidator:  validator,
		MethodResponses:   &[]*awsapigateway.MethodResponse{{StatusCode: jsii.String("200")}},
	})
	cdknag.NagSuppressions_AddResourceSuppressions(healthGet, &[]*cdknag.NagPackSuppression{
		{Id: jsii.String("AwsSolutions-APIG4"), Reason: jsii.String("The health check answers from API Gateway itself " +
			"(mock integration) and reveals nothing; it still needs a client certificate from the truststore, since " +
			"the API is reachable only through the mutual-TLS domain.")},
		{Id: jsii.String("AwsSolutions-COG4"), Reason: jsii.String("TPPs authenticate with their eIDAS certificate " +
			"(mutual TLS) and OAuth2 tokens of the portal's own authorization server, not with Cognito.")},
	}, jsii.Bool(false))

	// Until the TPP endpoints exist, every other path is answered by the catch-all behind
	// the authorizer, so the authorizer guards a real method from the first deployment.
	proxy := s.API.Root().AddResource(jsii.String("{proxy+}"), nil)
	proxyAny := proxy.AddMethod(jsii.String("ANY"), mockJSON("404", resourceUnknown), &awsapigateway.MethodOptions{
		AuthorizationType: awsapigateway.AuthorizationType_CUSTOM,
		Authorizer:        s.Authorizer,
		// The authorizer names the usage key (ApiKeySourceType AUTHORIZER): a call is
		// metered against its app's plan for the product, or counted as a refusal.
		ApiKeyRequired:   jsii.Bool(true),
		RequestValidator: validator,
		MethodResponses:  &[]*awsapigateway.MethodResponse{{StatusCode: jsii.String("404")}},
	})
	cdknag.NagSuppressions_AddResourceSuppressions(proxyAny, &[]*cdknag.NagPackSuppression{
		{Id: jsii.String("AwsSolutions-COG4"), Reason: jsii.String("TPPs authenticate with their eIDAS certificate " +
			"(mutual TLS, checked by the Lambda authorizer against the app's registered certificate), not with Cognito.")},
	}, jsii.Bool(false))

	// The registration API's onboarding requests start the approval workflow.
	var approvalARN *string
	if props.Workflows != nil {
		approvalARN = props.Workflows.ApprovalStateMachineARN
	}
	for _, plan := range planGroups(tppRouteFunctions(tables)) {
		g := newFunctionGroup(stack, plan, "Developer portal: TPP API functions ("+plan.tag+")", func(group constructs.Construct, f appFunction) awslambda.Function {
			return s.addRoute(group, f, env, props.FunctionCode, grantResources{data: props.Data, identity: props.Identity, approvalARN: approvalARN}, validator)
		})
		s.Groups = append(s.Groups, g)
		for name, fn := range g.Functions {
			s.Functions[name] = fn
		}
	}

	// The portal puts each app's usage key of a product (lookup.UsageKey) in the usage
	// plan of the product's plan when the app subscribes, and takes it out again.
	for _, p := range apps.Catalog {
		plan := p.PlanFor(set.Environment)
		s.UsagePlans[p.ID] = s.API.AddUsagePlan(jsii.String(pascal(p.ID)+"UsagePlan"), &awsapigateway.UsagePlanProps{
			Name:        jsii.String(UsagePlanName(p.ID, plan.ID)),
			Description: jsii.String(p.Name + ", " + plan.Name + " plan"),
			Throttle: &awsapigateway.ThrottleSettings{
				RateLimit: jsii.Number(plan.RateLimitPerSecond),
				// Burst equal to the rate, as the local TPP listener meters: a second's
				// worth of calls at once, no more.
				BurstLimit: jsii.Number(plan.RateLimitPerSecond),
			},
			Quota: &awsapigateway.QuotaSettings{
				Limit:  jsii.Number(plan.QuotaPerDay),
				Period: awsapigateway.Period_DAY,
			},
			ApiStages: &[]*awsapigateway.UsagePlanPerApiStage{{Api: s.API, Stage: s.Stage}},
		})
	}

	// Refused calls carry the refusal usage key, so that they reach the integration, which
	// answers them with their Berlin Group error; their plan is the stage's own limits.
	s.RefusalUsagePlan = s.API.AddUsagePlan(jsii.String("RefusalsUsagePlan"), &awsapigateway.UsagePlanProps{
		Name:        jsii.String("refusals-" + string(set.Environment)),
		Description: jsii.String("Calls the authorizer refused, on their way to their error answer"),
		Throttle:    &awsapigateway.ThrottleSettings{RateLimit: jsii.Number(tppThrottleRate), BurstLimit: jsii.Number(tppThrottleBurst)},
		ApiStages:   &[]*awsapigateway.UsagePlanPerApiStage{{Api: s.API, Stage: s.Stage}},
	})
	s.RefusalUsagePlan.AddApiKey(awsapigateway.NewApiKey(stack, jsii.String("RefusalsApiKey"), &awsapigateway.ApiKeyProps{
		ApiKeyName:  jsii.String(lookup.RefusalUsageKey(lookup.Environment(set.Environment))),
		Value:       jsii.String(lookup.RefusalUsageKey(lookup.Environment(set.Environment))),
		Description: jsii.String("The usage key the authorizer names for a refused call"),
	}), nil)

	s.WebACL = newWebACL(stack, set.Environment)
	awswafv2.NewCfnWebACLAssociation(stack, jsii.String("WebAclAssociation"), &awswafv2.CfnWebACLAssociationProps{
		ResourceArn: s.Stage.StageArn(),
		WebAclArn:   s.WebACL.AttrArn(),
	})

	s.Domain = awsapigateway.NewDomainName(stack, jsii.String("Domain"), &awsapigateway.DomainNameProps{
		DomainName:     jsii.String(set.DomainName),
		Certificate:    awscertificatemanager.Certificate_FromCertificateArn(stack, jsii.String("Certificate"), jsii.String(set.CertificateARN)),
		EndpointType:   awsapigateway.EndpointType_REGIONAL,
		SecurityPolicy: awsapigateway.SecurityPolicy_TLS_1_2,
		Mtls: &awsapigateway.MTLSConfig{
			Bucket:  props.Truststore.Bucket,
			Key:     jsii.String(set.TruststoreKey),
			Version: jsii.String(set.TruststoreVersion),
		},
	})
	s.Domain.AddBasePathMapping(s.API, &awsapigateway.BasePathMappingOptions{Stage: s.Stage})

	cdknag.NagSuppressions_AddResourceSuppressions(s.API, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-IAM4"),
		Reason: jsii.String("API Gateway's account-level CloudWatch role (for execution logs) uses the AWS-managed " +
			"AmazonAPIGatewayPushToCloudWatchLogs policy, which AWS keeps in step with what API Gateway writes."),
		AppliesTo: &[]interface{}{"Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"},
	}}, jsii.Bool(true))

	awscdk.NewCfnOutput(stack, jsii.String("TppApiDomainTarget"), &awscdk.CfnOutputProps{
		Value:       s.Domain.DomainNameAliasDomainName(),
		Description: jsii.String("Point " + set.DomainName + " here (a CNAME, or an alias record in Route 53)"),
	})
	awscdk.NewCfnOutput(stack, jsii.String("TppApiUrl"), &awscdk.CfnOutputProps{
		Value:       jsii.String("https://" + set.DomainName + "/"),
		Description: jsii.String("Base URL of the TPP API (mutual TLS)"),
	})
	return s
}

// tppRouteFunctions are the TPP API's route functions, without the authorizers.
func tppRouteFunctions(t RouteTables) []appFunction {
	var out []appFunction
	for _, f := range t.tppFunctions() {
		if f.kind == tppRoute {
			out = append(out, f)
		}
	}
	return out
}

// addRoute adds the route's function with its invoke permission to group (in a function
// group's nested stack), and its method behind the authorizer, with the resources of its
// path, to the API's own template (groups.go says why it stays there).
func (s *TPPAPIStack) addRoute(group constructs.Construct, f appFunction, env map[string]string, code FunctionCode, grants grantResources,
	validator awsapigateway.IRequestValidator) awslambda.Function {
	rt := f.route
	fn := newFunction(group, f, functionSettings{
		description: rt.Method + " " + rt.Path + ": " + rt.Summary,
		env:         env,
		code:        code,
	}, grants)
	// API Gateway may invoke the function for this method and path only, on any stage.
	// Made here rather than by LambdaIntegration, which would put it in the API's
	// template, beside the method.
	fn.AddPermission(jsii.String("ApiPermission"), &awslambda.Permission{
		Principal: awsiam.NewServicePrincipal(jsii.String("apigateway.amazonaws.com"), nil),
		SourceArn: s.API.ArnForExecuteApi(jsii.String(rt.Method), jsii.String(rt.Path), jsii.String("*")),
	})
	// A Lambda proxy integration, as LambdaIntegration makes it, without its permissions.
	integration := awsapigateway.NewAwsIntegration(&awsapigateway.AwsIntegrationProps{
		Proxy:   jsii.Bool(true),
		Service: jsii.String("lambda"),
		Path:    jsii.String("2015-03-31/functions/" + *fn.FunctionArn() + "/invocations"),
	})
	resource := s.API.Root().ResourceForPath(jsii.String(rt.Path))
	if rt.Auth == route.Public {
		// The authorization server's metadata (RFC 8414): public by definition, and
		// nobody's call to meter.
		method := resource.AddMethod(jsii.String(rt.Method), integration, &awsapigateway.MethodOptions{
			AuthorizationType: awsapigateway.AuthorizationType_NONE,
			RequestValidator:  validator,
		})
		cdknag.NagSuppressions_AddResourceSuppressions(method, &[]*cdknag.NagPackSuppression{
			{Id: jsii.String("AwsSolutions-APIG4"), Reason: jsii.String("Public by design (" + rt.Summary + "): clients read it " +
				"before they have a token; it still needs a client certificate from the truststore, since the API is " +
				"reachable only through the mutual-TLS domain, and it reveals only the server's public endpoints.")},
			{Id: jsii.String("AwsSolutions-COG4"), Reason: jsii.String("The metadata is for any OAuth2 client, not for portal users.")},
		}, jsii.Bool(false))
		s.Methods[rt.Name] = method
		return fn
	}
	if rt.Auth == route.ClientCertificate {
		// A certificate's holder proving possession by connecting with it: the certificate
		// is not an app's yet, so neither the caller check nor an API key applies.
		method := resource.AddMethod(jsii.String(rt.Method), integration, &awsapigateway.MethodOptions{
			AuthorizationType: awsapigateway.AuthorizationType_NONE,
			RequestValidator:  validator,
		})
		cdknag.NagSuppressions_AddResourceSuppressions(method, &[]*cdknag.NagPackSuppression{
			{Id: jsii.String("AwsSolutions-APIG4"), Reason: jsii.String("The credential is the client certificate itself: API Gateway's " +
				"mutual TLS verifies the handshake against the truststore, and the function checks the certificate against the challenge it sends.")},
			{Id: jsii.String("AwsSolutions-COG4"), Reason: jsii.String("The caller proves it holds a certificate's key; it is not a portal user.")},
		}, jsii.Bool(false))
		s.Methods[rt.Name] = method
		return fn
	}
	method := resource.AddMethod(jsii.String(rt.Method), integration, &awsapigateway.MethodOptions{
		AuthorizationType: awsapigateway.AuthorizationType_CUSTOM,
		// The route's authorizer: the one that verifies the bearer token where it takes one.
		Authorizer:       s.Authorizers[tpproutes.AuthorizerOf(rt)],
		RequestValidator: validator,
		// Metered by the usage key the authorizer names, as every call behind it.
		ApiKeyRequired: jsii.Bool(true),
	})
	cdknag.NagSuppressions_AddResourceSuppressions(method, &[]*cdknag.NagPackSuppression{
		{Id: jsii.String("AwsSolutions-COG4"), Reason: jsii.String("TPPs authenticate with their eIDAS certificate " +
			"(mutual TLS, checked by the Lambda authorizer against the app's registered certificate), not with Cognito.")},
	}, jsii.Bool(false))
	s.Methods[rt.Name] = method
	return fn
}

// UsagePlanName names the usage plan of a catalog product's plan ("ais-sandbox"), as
// USAGE_PLAN_IDS names it to the portal (apps.UsagePlanKey).
func UsagePlanName(productID, planID string) string {
	return apps.UsagePlanKey(productID, planID)
}

// mockJSON is an integration that answers status with body, without a backend.
func mockJSON(status, body string) awsapigateway.MockIntegration {
	return awsapigateway.NewMockIntegration(&awsapigateway.IntegrationOptions{
		RequestTemplates:    &map[string]*string{"application/json": jsii.String(`{"statusCode": ` + status + `}`)},
		PassthroughBehavior: awsapigateway.PassthroughBehavior_WHEN_NO_TEMPLATES,
		IntegrationResponses: &[]*awsapigateway.IntegrationResponse{{
			StatusCode:        jsii.String(status),
			ResponseTemplates: &map[string]*string{"application/json": jsii.String(body)},
		}},
	})
}

// WAFRateLimit is the rate rule's limit for env: requests per client IP address in five
// minutes. One client calling every product at its plan's full rate for the whole window
// stays under it; more than that from one address is not an app within its plans.
func WAFRateLimit(env org.Environment) int {
	perSecond := 0
	for _, p := range apps.Catalog {
		perSecond += p.PlanFor(env).RateLimitPerSecond
	}
	return perSecond * wafWindowSeconds
}

// newWebACL is the stage's web ACL: AWS's common rule set, and a rate rule per client IP.
func newWebACL(stack awscdk.Stack, env org.Environment) awswafv2.CfnWebACL {
	return awswafv2.NewCfnWebACL(stack, jsii.String("WebAcl"), &awswafv2.CfnWebACLProps{
		Description:      jsii.String("TPP API: AWS common rule set and a per-IP rate limit"),
		Scope:            jsii.String("REGIONAL"),
		DefaultAction:    &awswafv2.CfnWebACL_DefaultActionProperty{Allow: &awswafv2.CfnWebACL_AllowActionProperty{}},
		VisibilityConfig: wafVisibility("TppApiWebAcl"),
		Rules: &[]interface{}{
			// TPP software is a server, identified by its certificate; many HTTP
			// clients send no User-Agent, which must not block a bank's partner.
			commonRuleSet("TppApiCommonRuleSet", "NoUserAgent_HEADER"),
			&awswafv2.CfnWebACL_RuleProperty{
				Name:     jsii.String("RatePerIP"),
				Priority: jsii.Number(1),
				Statement: &awswafv2.CfnWebACL_StatementProperty{
					RateBasedStatement: &awswafv2.CfnWebACL_RateBasedStatementProperty{
						Limit:               jsii.Number(WAFRateLimit(env)),
						AggregateKeyType:    jsii.String("IP"),
						EvaluationWindowSec: jsii.Number(wafWindowSeconds),
					},
				},
				Action:           &awswafv2.CfnWebACL_RuleActionProperty{Block: &awswafv2.CfnWebACL_BlockActionProperty{}},
				VisibilityConfig: wafVisibility("TppApiRatePerIP"),
			},
		},
	})
}

// addJob adds a scheduled function of the TPP area and its EventBridge rule, each job in a
// construct of its own.
func (s *TPPAPIStack) addJob(stack awscdk.Stack, job route.Job, env map[string]string, code FunctionCode, grants grantResources) {
	group := constructs.NewConstruct(stack, jsii.String(pascal(job.Name)))
	fn := newFunction(group, appFunction{name: job.Name, kind: tppJob, job: job}, functionSettings{
		description: "Scheduled " + job.Schedule + ": " + job.Summary,
		env:         env,
		code:        code,
	}, grants)
	s.Functions[job.Name] = fn
	if s.Schedules == nil {
		s.Schedules = map[string]awsevents.Rule{}
	}
	s.Schedules[job.Name] = awsevents.NewRule(group, jsii.String("Schedule"), &awsevents.RuleProps{
		Description: jsii.String(job.Summary),
		Schedule:    awsevents.Schedule_Expression(jsii.String(job.Schedule)),
		// Both jobs are safe to run again: a delivery is claimed before each attempt and a
		// standing order's instalment is booked once, so EventBridge may retry a failure.
		Targets: &[]awsevents.IRuleTarget{awseventstargets.NewLambdaFunction(fn, &awseventstargets.LambdaFunctionProps{
			RetryAttempts: jsii.Number(2),
		})},
	})
}
