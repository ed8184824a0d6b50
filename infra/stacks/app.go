// Package stacks is the portal's CDK app: one stack per lifecycle, each built from the
// definitions in shared/portal/resources so the deployed resources match the ones the local
// bootstrap creates on moto.
package stacks

import (
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/portal/org"
	tpproutes "github.com/bank/devportal/shared/tpp/routes"
)

// Stacks are the app's stacks, for later stacks to wire and for tests to inspect.
type Stacks struct {
	// Data holds the DynamoDB tables, the longest-lived resources.
	Data *DataStack
	// Identity holds the user pool and the SES sender.
	Identity *IdentityStack
	// Workflows holds the approval state machine.
	Workflows *WorkflowsStack
	// PortalAPI holds the portal's HTTP API, its functions and the scheduled jobs.
	PortalAPI *PortalAPIStack
	// Edge holds the distribution's web ACL, in EdgeRegion.
	Edge *EdgeStack
	// Frontend holds the SPA's bucket and the CloudFront distribution in front of it and
	// of the portal API.
	Frontend *FrontendStack
	// Truststore holds the bucket of the TPP API's mutual-TLS truststore.
	Truststore *TruststoreStack
	// TPPAPI is the TPP API; nil when Deployment.TPP is (the truststore comes first).
	TPPAPI *TPPAPIStack
	// Monitoring holds the alarms, their topic and the dashboard.
	Monitoring *MonitoringStack
}

// Deployment are the settings of a deployment beyond the functions' configuration: files
// and values only CDK needs (the CDK CLI's context values, read by infra/main.go).
type Deployment struct {
	// FrontendDir is the built SPA the frontend stack uploads (frontend/dist).
	FrontendDir string
	// AlarmEmail, when set, is subscribed to the alarm topic.
	AlarmEmail string
	// SandboxCA adds the sandbox CA's secret (a sandbox deployment: the "environment"
	// context value), which the functions that issue or trust test certificates read.
	SandboxCA bool
	// TPP are the TPP API's domain, certificate, truststore object and environment; nil
	// leaves the TPP API out (a first deployment, before the truststore is uploaded).
	TPP *TPPSettings
	// PortalAPIDomain, when set, serves the portal API on a custom domain, CloudFront's
	// origin, and disables its execute-api endpoint; nil keeps that endpoint as the origin.
	PortalAPIDomain *PortalAPIDomain
	// Routes are the route tables to deploy; nil is DefaultRouteTables, the tables of
	// shared/. Tests synthesize the app with other tables (a route more, TPP routes).
	Routes *RouteTables
}

// NewApp adds every stack to app, configured by cfg and dep, in env (nil for an
// environment-agnostic synthesis), with each function's deployment package from code, and applies cdk-nag's
// AwsSolutions checks to all of them: a finding is either fixed or suppressed next to the
// resource with a reason, and the tests and the synth command fail on anything else.
func NewApp(app awscdk.App, cfg config.Config, dep Deployment, env *awscdk.Environment, code FunctionCode) Stacks {
	cfg = deployedURLs(cfg, dep)
	s := Stacks{
		Data:     NewDataStack(app, "devportal-data", cfg, env),
		Identity: NewIdentityStack(app, "devportal-identity", cfg, env),
	}
	if dep.SandboxCA {
		s.Identity.AddSandboxCA()
	}
	s.Workflows = NewWorkflowsStack(app, "devportal-workflows", WorkflowsProps{
		Config:   cfg,
		Env:      env,
		Data:     s.Data,
		Identity: s.Identity,
	})
	s.PortalAPI = NewPortalAPIStack(app, "devportal-portal-api", PortalAPIProps{
		Config:         cfg,
		Env:            env,
		Data:           s.Data,
		Identity:       s.Identity,
		Workflows:      s.Workflows,
		FunctionCode:   code,
		Tables:         dep.Routes,
		TPPEnvironment: dep.Environment(),
		Domain:         dep.PortalAPIDomain,
	})
	s.Edge = NewEdgeStack(app, "devportal-edge", env)
	s.Frontend = NewFrontendStack(app, "devportal-frontend", FrontendProps{
		Env:       env,
		PortalAPI: s.PortalAPI,
		Identity:  s.Identity,
		WebACLArn: s.Edge.WebACL.AttrArn(),
		AssetDir:  dep.FrontendDir,
		CRL:       dep.SandboxCA,
	})
	s.Truststore = NewTruststoreStack(app, "devportal-tpp-truststore", env)
	if dep.TPP != nil {
		s.TPPAPI = NewTPPAPIStack(app, "devportal-tpp-api", TPPAPIProps{
			Config:       cfg,
			Env:          env,
			Settings:     *dep.TPP,
			Data:         s.Data,
			Identity:     s.Identity,
			Workflows:    s.Workflows,
			Truststore:   s.Truststore,
			FunctionCode: code,
			Tables:       dep.Routes,
		})
		s.PortalAPI.UseUsagePlans(s.TPPAPI)
	}
	s.Monitoring = NewMonitoringStack(app, "devportal-monitoring", MonitoringProps{
		Env:        env,
		PortalAPI:  s.PortalAPI,
		Workflows:  s.Workflows,
		TPPAPI:     s.TPPAPI,
		AlarmEmail: dep.AlarmEmail,
	})
	AddChecks(app)
	return s
}

// Environment is the TPP environment the deployment serves: the TPP API's, or without
// it the one SandboxCA stands for (both come from the "environment" context value).
func (d Deployment) Environment() org.Environment {
	switch {
	case d.TPP != nil:
		return d.TPP.Environment
	case d.SandboxCA:
		return org.Sandbox
	}
	return org.Production
}

// deployedURLs are cfg with the OAuth2 URLs of the deployment: the authorization endpoint
// on the portal's own domain (PORTAL_URL; CloudFront routes it to the portal's HTTP
// API), and the issuer, the TPP API's custom domain, unless TPP_URL names another.
func deployedURLs(cfg config.Config, dep Deployment) config.Config {
	cfg.OAuthAuthorizeURL = cfg.PortalURL + tpproutes.AuthorizePath
	if dep.TPP != nil && (cfg.TPPURL == "" || strings.HasPrefix(cfg.TPPURL, "https://127.0.0.1")) {
		cfg.TPPURL = "https://" + dep.TPP.DomainName
	}
	return cfg
}

// AddChecks applies cdk-nag's AwsSolutions checks to every stack under scope, verbose so
// that each finding explains itself.
func AddChecks(scope constructs.IConstruct) {
	awscdk.Aspects_Of(scope).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
}

// stackProps are the settings every stack shares. Termination protection is on because the
// stacks of this app hold data and identities that a mistaken `cdk destroy` must not touch.
func stackProps(env *awscdk.Environment, description string) *awscdk.StackProps {
	return &awscdk.StackProps{
		Env:                   env,
		Description:           jsii.String(description),
		TerminationProtection: jsii.Bool(true),
	}
}
