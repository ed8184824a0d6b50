package stacks

import (
	"github.com/bank/devportal/shared/platform/config"
)

// SandboxCAVariable names the sandbox CA's secret to the functions that use it
// (config.Config.SandboxCASecretARN), set per function rather than in FunctionEnvironment.
const SandboxCAVariable = "SANDBOX_CA_SECRET_ARN"

// SandboxCACertVariable names the sandbox CA certificate's secret to the functions that
// trust the CA or hold it (config.Config.SandboxCACertSecretARN), set per function.
const SandboxCACertVariable = "SANDBOX_CA_CERTIFICATE_SECRET_ARN"

// OAuthKeyVariable names the OAuth key's secret to the functions that read it
// (config.Config.OAuthKeySecretARN), set per function like SandboxCAVariable.
const OAuthKeyVariable = "OAUTH_KEY_SECRET_ARN"

// RegistrationKeyVariable names the registration key's secret to the registration API's
// functions (config.Config.RegistrationKeySecretARN), set per function like
// OAuthKeyVariable.
const RegistrationKeyVariable = "REGISTRATION_KEY_SECRET_ARN"

// OriginSecretVariable carries CloudFront's origin secret (config.Config.OriginSecret) to
// the functions behind the portal's HTTP API, set per function: the others are not
// reached through CloudFront.
const OriginSecretVariable = "ORIGIN_VERIFY_SECRET"

// FunctionEnvironment is the environment of every deployed function: each variable that
// config.FromEnv reads (config.Config.Environ, which writes each name once), set from cfg so
// that the function reads back cfg.
//
// Some variables are left out on purpose: AWS_REGION is set by Lambda itself (it is a
// reserved key that a function's configuration may not set, and Lambda's value is the
// stack's region); LOCAL_MODE, AWS_ENDPOINT_URL and SANDBOX_CA_DIR exist only for the local
// stack on moto, where unset means "on AWS"; and SANDBOX_CA_SECRET_ARN is set only on the
// functions that need the sandbox CA, OAUTH_KEY_SECRET_ARN only on those that read the
// OAuth key, REGISTRATION_KEY_SECRET_ARN only on the registration API's, USAGE_PLAN_IDS only on the functions that keep
// usage keys (UseUsagePlans), and ORIGIN_VERIFY_SECRET only on the HTTP API's. A cfg that asks for local mode panics instead of
// deploying functions that would talk to moto.
//
// Values may be CDK tokens (a table name from another stack): they are strings in Go and
// CDK resolves them when it synthesizes the template.
func FunctionEnvironment(cfg config.Config) map[string]string {
	if cfg.Local || cfg.AWSEndpoint != "" {
		panic("stacks: LOCAL_MODE and AWS_ENDPOINT_URL are for the local stack; unset them to synthesize the deployed stacks")
	}
	env := cfg.Environ()
	for _, name := range []string{"AWS_REGION", "LOCAL_MODE", "AWS_ENDPOINT_URL", "SANDBOX_CA_DIR", SandboxCAVariable, SandboxCACertVariable, OAuthKeyVariable, RegistrationKeyVariable, UsagePlansVariable, OriginSecretVariable} {
		delete(env, name)
	}
	return env
}
