// Command infra is the portal's CDK app. `cdk synth` runs it through cdk.json; run on its own
// (`go run ./infra`, which `make synth` does) it writes the templates to cdk.out/ and exits
// non-zero when a stack has an error annotation, such as an unsuppressed cdk-nag finding.
//
// Run `make frontend` first: the frontend stack uploads the SPA built into frontend/dist
// (or FRONTEND_DIR). Each function is built during synthesis by the local Go toolchain
// (stacks.GoBundler: linux/arm64, -tags lambda.norpc, -trimpath, stripped; no Docker)
// into its asset in cdk.out/. Both commands run from the repository root, where cdk.json
// is.
//
// The deployment's context values (contextKeys) come, as the CDK CLI reads them, from
// `-c key=value` arguments, then the "context" of cdk.json (which holds every key with its
// default), then cdk.context.json. Under the CLI, the CLI passes them; run on its own, the
// command reads the same files and takes the same -c arguments (`make synth CONTEXT='-c
// key=value ...'`), so that both write the same templates.
package main

//lint:file-ignore SA1019 CDK v2.270's Go bindings expose synthesis messages only through the cxapi types marked deprecated.

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/jsii-runtime-go"

	"github.com/bank/devportal/infra/stacks"
	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/portal/org"
)

func main() {
	os.Exit(run())
}

// run synthesizes the app and returns the exit code; it is apart from main so that
// jsii.Close runs before the process exits.
func run() int {
	defer jsii.Close()
	cfg, err := config.FromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, "infra:", err)
		return 2
	}
	// The functions read the eIDAS truststore from their own package, where each
	// function's bundler copies the file.
	truststore := cfg.TruststoreFile
	if cfg.TruststoreFile, err = checkTruststore(truststore); err != nil {
		fmt.Fprintln(os.Stderr, "infra:", err)
		return 2
	}
	if _, err := os.Stat(filepath.Join(frontendDir(), "index.html")); err != nil {
		fmt.Fprintf(os.Stderr, "infra: no %s/index.html: run `make frontend` first (FRONTEND_DIR names another build)\n", frontendDir())
		return 2
	}
	context := map[string]interface{}{
		// What the CDK CLI turns on by default, so that `go run ./infra` writes the same
		// templates as `cdk synth`: SAM local finds a function's code through its
		// aws:asset:path metadata (the function's bundled asset in cdk.out/)
		// and recognizes a CDK template by aws:cdk:path. The CLI's own context wins.
		"aws:cdk:enable-asset-metadata": true,
		"aws:cdk:enable-path-metadata":  true,
	}
	props := &awscdk.AppProps{Context: &context}
	// Run by the CDK CLI, the CLI names the output directory and passes the context;
	// on its own, the command reads the context as the CLI would and writes to cdk.out
	// (CDK would otherwise pick a temporary directory).
	if os.Getenv("CDK_OUTDIR") == "" {
		props.Outdir = jsii.String("cdk.out")
		values, err := loadContext(".", os.Args[1:])
		if err != nil {
			fmt.Fprintln(os.Stderr, "infra:", err)
			return 2
		}
		for k, v := range values {
			context[k] = v
		}
	} else if len(os.Args) > 1 {
		fmt.Fprintln(os.Stderr, "infra: arguments are for `go run ./infra`; under the CDK CLI pass `cdk -c key=value`")
		return 2
	}
	app := awscdk.NewApp(props)
	get := func(key string) string { return contextString(app, key) }
	dep, err := deployment(get)
	if err != nil {
		fmt.Fprintln(os.Stderr, "infra:", err)
		return 2
	}
	if tpp := dep.TPP; tpp == nil {
		fmt.Fprintln(os.Stderr, "infra: no TPP API stack: set the context values tppDomainName, tppCertificateArn, "+
			"tppTruststoreKey and tppTruststoreVersion once the truststore is uploaded (README, Deploying)")
	} else {
		fmt.Fprintf(os.Stderr, "infra: TPP API stack (environment %s) on %s\n", tpp.Environment, tpp.DomainName)
	}
	if !strings.HasPrefix(cfg.PortalURL, "https://") {
		fmt.Fprintf(os.Stderr, "infra: PORTAL_URL is %s: emailed links and the portal API's CORS origin use it; "+
			"set it to the frontend stack's PortalUrl (or the portal's domain) for a deployment (README, Deploying)\n", cfg.PortalURL)
	}
	// Each function is built by the local Go toolchain while CDK stages its asset.
	stacks.NewApp(app, cfg, dep, environment(cfg), stacks.BundledCode(".", truststore))
	assembly := app.Synth(nil)

	failures := 0
	for _, stack := range *assembly.Stacks() {
		for _, m := range *stack.Messages() {
			if m.Level == cxapi.SynthesisMessageLevel_INFO {
				continue
			}
			fmt.Fprintf(os.Stderr, "%s %s: %v\n", m.Level, *m.Id, m.Entry.Data)
			if m.Level == cxapi.SynthesisMessageLevel_ERROR {
				failures++
			}
		}
	}
	if failures > 0 {
		fmt.Fprintf(os.Stderr, "infra: %d error(s); templates in %s are not deployable\n", failures, *assembly.Directory())
		return 1
	}
	if props.Outdir != nil {
		// A stack left out of this synthesis (the TPP API without its context values)
		// keeps its template of an earlier one, where SAM would still find it; so would
		// a function group's nested template that no stack uses any more.
		var current []string
		for _, stack := range *assembly.Stacks() {
			current = append(current, *stack.TemplateFile())
		}
		if err := removeStaleTemplates(*assembly.Directory(), current); err != nil {
			fmt.Fprintln(os.Stderr, "infra:", err)
			return 1
		}
	}
	fmt.Printf("infra: templates in %s\n", *assembly.Directory())
	return 0
}

// removeStaleTemplates deletes the *.template.json files in dir that are not named in
// current (file names relative to dir), nor the template of a nested stack of one of them
// (a *.nested.template.json that a current template or its assets manifest names).
func removeStaleTemplates(dir string, current []string) error {
	var referenced []byte
	for _, name := range current {
		for _, f := range []string{name, strings.TrimSuffix(name, ".template.json") + ".assets.json"} {
			raw, err := os.ReadFile(filepath.Join(dir, f))
			if err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
			referenced = append(referenced, raw...)
		}
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.template.json"))
	if err != nil {
		return err
	}
	for _, f := range files {
		name := filepath.Base(f)
		if slices.Contains(current, name) ||
			(strings.HasSuffix(name, ".nested.template.json") && bytes.Contains(referenced, []byte(`"`+name+`"`))) {
			continue
		}
		if err := os.Remove(f); err != nil {
			return err
		}
	}
	return nil
}

// environment pins the stacks to the configured region (the one the functions' clients use)
// and, when the CDK CLI knows it, the account. Without an account the templates stay
// account-agnostic, which is what CI's synth needs.
func environment(cfg config.Config) *awscdk.Environment {
	env := &awscdk.Environment{Region: jsii.String(cfg.Region)}
	if account := os.Getenv("CDK_DEFAULT_ACCOUNT"); account != "" {
		env.Account = jsii.String(account)
	}
	return env
}

// contextString is a CDK context value (`cdk deploy -c key=value`, or the "context" of
// cdk.json or cdk.context.json), or "" when it is not set.
func contextString(app awscdk.App, key string) string {
	v := app.Node().TryGetContext(jsii.String(key))
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// The context values the app reads. cdk.json's "context" holds each with its default; a
// test keeps that list and this one the same.
const (
	// ctxEnvironment is sandbox (the default) or production: the TPP API's usage plans,
	// WAF rate limit and the apps its authorizer admits.
	ctxEnvironment = "environment"
	// ctxTPPDomainName is the TPP API's custom domain, e.g. api.bank.example.
	ctxTPPDomainName = "tppDomainName"
	// ctxTPPCertificateARN is an ACM certificate for that domain, in the stacks' region.
	ctxTPPCertificateARN = "tppCertificateArn"
	// ctxTPPTruststoreKey and ctxTPPTruststoreVersion name the truststore object (a PEM
	// bundle) in the truststore stack's bucket and its S3 version ID.
	ctxTPPTruststoreKey     = "tppTruststoreKey"
	ctxTPPTruststoreVersion = "tppTruststoreVersion"
	// ctxAlarmEmail, when set, is subscribed to the alarm topic.
	ctxAlarmEmail = "alarmEmail"
	// ctxPortalAPIDomainName and ctxPortalAPICertificateARN are the portal API's custom
	// domain and its ACM certificate in the stacks' region: CloudFront's origin, with the
	// API's execute-api endpoint disabled. Both or neither.
	ctxPortalAPIDomainName     = "portalApiDomainName"
	ctxPortalAPICertificateARN = "portalApiCertificateArn"
)

// contextKeys are every context value the app reads.
var contextKeys = []string{ctxEnvironment, ctxTPPDomainName, ctxTPPCertificateARN, ctxTPPTruststoreKey, ctxTPPTruststoreVersion, ctxAlarmEmail,
	ctxPortalAPIDomainName, ctxPortalAPICertificateARN}

// deployment are the deployment's settings from the context values, read through get,
// with the SPA from frontendDir.
func deployment(get func(key string) string) (stacks.Deployment, error) {
	tpp, err := tppSettings(get)
	if err != nil {
		return stacks.Deployment{}, err
	}
	var domain *stacks.PortalAPIDomain
	switch name, cert := get(ctxPortalAPIDomainName), get(ctxPortalAPICertificateARN); {
	case name != "" && cert != "":
		domain = &stacks.PortalAPIDomain{DomainName: name, CertificateARN: cert}
	case name != "" || cert != "":
		return stacks.Deployment{}, fmt.Errorf("set both %s and %s, or neither", ctxPortalAPIDomainName, ctxPortalAPICertificateARN)
	}
	return stacks.Deployment{
		PortalAPIDomain: domain,
		FrontendDir:     frontendDir(),
		AlarmEmail:      get(ctxAlarmEmail),
		// A sandbox deployment issues test certificates; production has no sandbox CA.
		SandboxCA: org.Environment(get(ctxEnvironment)) != org.Production,
		TPP:       tpp,
	}, nil
}

// tppSettings are the TPP API's context values, read through get: nil when none of the
// tpp* values is set (empty, as in cdk.json), an error naming what is missing when only
// some are.
func tppSettings(get func(key string) string) (*stacks.TPPSettings, error) {
	set := stacks.TPPSettings{
		Environment:       org.Environment(get(ctxEnvironment)),
		DomainName:        get(ctxTPPDomainName),
		CertificateARN:    get(ctxTPPCertificateARN),
		TruststoreKey:     get(ctxTPPTruststoreKey),
		TruststoreVersion: get(ctxTPPTruststoreVersion),
	}
	if set.DomainName == "" && set.CertificateARN == "" && set.TruststoreKey == "" && set.TruststoreVersion == "" {
		return nil, nil
	}
	if set.Environment == "" {
		set.Environment = org.Sandbox
	}
	if err := set.Validate(); err != nil {
		return nil, err
	}
	return &set, nil
}

// loadContext reads the context the way the CDK CLI does when it runs the app: -c
// key=value (or --context) arguments win over the "context" of dir/cdk.json, which wins
// over dir/cdk.context.json. A missing file is no context.
func loadContext(dir string, args []string) (map[string]interface{}, error) {
	out := map[string]interface{}{}
	for _, file := range []string{"cdk.context.json", "cdk.json"} {
		raw, err := os.ReadFile(filepath.Join(dir, file))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		values := map[string]interface{}{}
		if file == "cdk.json" {
			var project struct {
				Context map[string]interface{} `json:"context"`
			}
			err = json.Unmarshal(raw, &project)
			values = project.Context
		} else {
			err = json.Unmarshal(raw, &values)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		for k, v := range values {
			out[k] = v
		}
	}
	flags, err := contextArgs(args)
	if err != nil {
		return nil, err
	}
	for k, v := range flags {
		out[k] = v
	}
	return out, nil
}

// contextArgs parses the CDK CLI's context flags: -c key=value, --context key=value and
// --context=key=value. Anything else is an error, so a mistyped flag is not ignored.
func contextArgs(args []string) (map[string]string, error) {
	out := map[string]string{}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		var pair string
		switch {
		case arg == "-c" || arg == "--context":
			if i+1 == len(args) {
				return nil, fmt.Errorf("%s needs key=value", arg)
			}
			i++
			pair = args[i]
		case strings.HasPrefix(arg, "--context="):
			pair = strings.TrimPrefix(arg, "--context=")
		default:
			return nil, fmt.Errorf("argument %q: only -c key=value (or --context key=value) is understood", arg)
		}
		key, value, ok := strings.Cut(pair, "=")
		if !ok || key == "" {
			return nil, fmt.Errorf("context %q is not key=value", pair)
		}
		out[key] = value
	}
	return out, nil
}

// frontendDir is the built SPA: FRONTEND_DIR, as for the local stack, or frontend/dist.
func frontendDir() string {
	if dir := os.Getenv("FRONTEND_DIR"); dir != "" {
		return dir
	}
	return filepath.Join("frontend", "dist")
}

// packagedTruststore is the path a function reads the eIDAS truststore from: each
// function's bundler (stacks.GoBundler) copies it into the package, and Lambda unpacks a
// package into /var/task (LAMBDA_TASK_ROOT), for the OS-only runtime as for the others.
const packagedTruststore = "/var/task/" + stacks.TruststoreName

// checkTruststore checks the eIDAS truststore (EIDAS_TRUSTSTORE_FILE on the synthesizing
// machine: the PEM bundle of the CAs trusted for onboarding) and returns the
// EIDAS_TRUSTSTORE_FILE the deployed functions are given: "" without a file.
func checkTruststore(file string) (string, error) {
	if file == "" {
		return "", nil
	}
	bundle, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("EIDAS_TRUSTSTORE_FILE: %w", err)
	}
	if !x509.NewCertPool().AppendCertsFromPEM(bundle) {
		return "", fmt.Errorf("EIDAS_TRUSTSTORE_FILE %s holds no PEM certificate", file)
	}
	return packagedTruststore, nil
}
