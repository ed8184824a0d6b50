package main

// This file is the only one of the command that knows the local stack's packages
// (localstack, config); the moto launcher is imported under the neutral name local, so
// that moving either package is an edit of its import line alone.

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	local "github.com/bank/devportal/shared/local/motoserver"
	"github.com/bank/devportal/shared/platform/awsclient"
	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/portal/routes"
	"github.com/bank/devportal/shared/tpp/callercheck"
	tpproutes "github.com/bank/devportal/shared/tpp/routes"
	"github.com/bank/devportal/shared/trust/sandboxca/casecret"
)

// portalConfig and passwordPolicy are the configuration the functions read, and
// readConfig reads it from this process's environment, named here so that the tests need
// not import the package either.
type (
	portalConfig   = config.Config
	passwordPolicy = config.PasswordPolicy
)

var readConfig = config.FromEnv

// sandboxCAFunctions are the functions a deployment gives the sandbox CA's secret: the
// routes and jobs that need the sandbox CA. Only they read it at init, so only they get it
// here.
var sandboxCAFunctions = functionsNeeding(route.SandboxCA)

// sandboxCACertFunctions are those a deployment gives the CA certificate's secret: the
// ones above and those that only trust the CA's certificates.
var sandboxCACertFunctions = functionsNeeding(route.SandboxCACert)

// registrationKeyFunctions are those a deployment gives the registration key's secret:
// the registration API's.
var registrationKeyFunctions = functionsNeeding(route.RegistrationKey)

// functionsNeeding are the portal's deployed routes and jobs whose needs include need.
func functionsNeeding(need route.Need) []string {
	var names []string
	for _, rt := range routes.Portal {
		if rt.AllNeeds().Has(need) && rt.Auth != route.LocalOnly {
			names = append(names, rt.Name)
		}
	}
	for _, j := range routes.Jobs {
		if j.Needs.Has(need) || need == route.SandboxCACert && j.Needs.Has(route.SandboxCA) {
			names = append(names, j.Name)
		}
	}
	slices.Sort(names)
	return names
}

// oauthKeyFunctions are the functions a deployment gives the OAuth key's secret, and
// tppFunctions those it tells the TPP environment: the TPP area's routes (the authorizer
// gets the environment too).
var oauthKeyFunctions, tppFunctions = func() ([]string, []string) {
	var key, tpp []string
	for _, rt := range append(tpproutes.Deployed(), tpproutes.Browser...) {
		tpp = append(tpp, rt.Name)
		if rt.AllNeeds().Has(route.OAuthKey) {
			key = append(key, rt.Name)
		}
	}
	return key, append(tpp, tpproutes.Authorizers...)
}()

// benchOps is the operations user the bootstrap creates.
var benchOps = local.OpsUser{Email: "ops@funcbench.example", Password: "Operations#2026", Name: "Operations"}

// stack is moto with the portal's resources bootstrapped on it, as `make dev` has it.
type stack struct {
	moto *local.Moto
	cfg  portalConfig
	// caSecretARN is the sandbox CA's secret on moto, holding a CA already, and
	// caCertSecretARN the secret of its certificate.
	caSecretARN, caCertSecretARN string
	// oauthKeyARN is the OAuth key's secret on moto, as the identity stack generates it.
	oauthKeyARN string
	// registrationKeyARN is the registration key's secret on moto, as the identity stack
	// generates it.
	registrationKeyARN string
}

// startStack starts moto (its launcher in dir, its output to logw) and bootstraps it.
func startStack(ctx context.Context, dir string, logw io.Writer) (*stack, error) {
	cfg, err := readConfig()
	if err != nil {
		return nil, err
	}
	moto, err := local.StartMoto(ctx, dir, 0, logw)
	if err != nil {
		return nil, err
	}
	s := &stack{moto: moto}
	if err := s.bootstrap(ctx, cfg); err != nil {
		moto.Stop()
		return nil, err
	}
	return s, nil
}

func (s *stack) bootstrap(ctx context.Context, cfg portalConfig) error {
	cfg.Local, cfg.AWSEndpoint = true, s.moto.Endpoint
	// The functions get the CA from a secret, as deployed, not from a directory.
	cfg.SandboxCADir, cfg.SandboxCASecretARN = "", ""
	awsCfg, err := awsclient.Load(ctx, cfg)
	if err != nil {
		return err
	}
	out, err := local.Bootstrap(ctx, awsCfg, cfg, benchOps)
	if err != nil {
		return fmt.Errorf("bootstrap moto: %w", err)
	}
	cfg.UserPoolID, cfg.UserPoolClientID, cfg.ApprovalStateMachineARN = out.UserPoolID, out.UserPoolClientID, out.ApprovalStateMachineARN
	cfg.UsagePlanIDs = out.UsagePlanIDs
	s.cfg = cfg

	// The identity stack creates the secret empty and the first cold start that needs the
	// CA generates it, once in a deployment's life: it is made here, so that no
	// function's init measures a key generation it would not repeat.
	sm := secretsmanager.NewFromConfig(awsCfg)
	secret, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("devportal-sandbox-ca")})
	if err != nil {
		return fmt.Errorf("sandbox CA secret: %w", err)
	}
	s.caSecretARN = aws.ToString(secret.ARN)
	certSecret, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("devportal-sandbox-ca-certificate")})
	if err != nil {
		return fmt.Errorf("sandbox CA certificate secret: %w", err)
	}
	s.caCertSecretARN = aws.ToString(certSecret.ARN)
	if _, err := casecret.LoadOrCreate(ctx, sm, s.caSecretARN, s.caCertSecretARN); err != nil {
		return err
	}
	key, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("devportal-oauth-key"),
		SecretString: aws.String(strings.Repeat("funcbenchKey0123", 4))})
	if err != nil {
		return fmt.Errorf("OAuth key secret: %w", err)
	}
	s.oauthKeyARN = aws.ToString(key.ARN)
	regKey, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("devportal-registration-key"),
		SecretString: aws.String(strings.Repeat("funcbenchReg0123", 4))})
	if err != nil {
		return fmt.Errorf("registration key secret: %w", err)
	}
	s.registrationKeyARN = aws.ToString(regKey.ARN)
	return nil
}

// region is every client's AWS region, which Lambda sets as AWS_REGION.
func (s *stack) region() string { return s.cfg.Region }

// env is the named function's environment: the configuration pointing at moto, and what
// a deployment adds for that function alone.
func (s *stack) env(name string) []string {
	env := functionEnv(s.cfg)
	if slices.Contains(sandboxCAFunctions, name) {
		env = append(env, "SANDBOX_CA_SECRET_ARN="+s.caSecretARN)
	}
	if slices.Contains(sandboxCACertFunctions, name) {
		env = append(env, "SANDBOX_CA_CERTIFICATE_SECRET_ARN="+s.caCertSecretARN)
	}
	if slices.Contains(oauthKeyFunctions, name) {
		env = append(env, "OAUTH_KEY_SECRET_ARN="+s.oauthKeyARN)
	}
	if slices.Contains(registrationKeyFunctions, name) {
		env = append(env, "REGISTRATION_KEY_SECRET_ARN="+s.registrationKeyARN)
	}
	if slices.Contains(tppFunctions, name) {
		env = append(env, callercheck.EnvironmentVariable+"="+string(lookup.Sandbox))
	}
	return env
}

func (s *stack) stop() { s.moto.Stop() }

// functionEnv is every variable readConfig (config.FromEnv) reads, set so that it reads back c, except
// AWS_REGION, which Lambda (here lambdaruntime) sets. A test round-trips it.
func functionEnv(c portalConfig) []string {
	vars := c.Environ()
	delete(vars, "AWS_REGION")
	env := make([]string, 0, len(vars))
	for k, v := range vars {
		// Unset and empty read the same; leaving them out keeps the environment short.
		if v != "" {
			env = append(env, k+"="+v)
		}
	}
	slices.Sort(env)
	return env
}
