// Command infra is the portal's CDK app. `cdk synth` runs it through cdk.json; run on its own
// (`go run ./infra`) it writes the templates to cdk.out/ and exits non-zero when a stack has
// an error annotation, such as an unsuppressed cdk-nag finding.
//
// Run `make build` and `make frontend` first: each function's code is its linux/arm64
// binary in .local/build/<name>/bootstrap, and the frontend stack uploads the SPA built
// into frontend/dist (or FRONTEND_DIR); CDK stages both into cdk.out/ as assets. Both
// commands run from the repository root, where cdk.json is.
package main

//lint:file-ignore SA1019 CDK v2.270's Go bindings expose synthesis messages only through the cxapi types marked deprecated.

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/jsii-runtime-go"

	"github.com/bank/devportal/infra/stacks"
	"github.com/bank/devportal/shared/config"
	"github.com/bank/devportal/shared/org"
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
	if err := checkBuilds(); err != nil {
		fmt.Fprintln(os.Stderr, "infra:", err)
		return 2
	}
	if _, err := os.Stat(filepath.Join(frontendDir(), "index.html")); err != nil {
		fmt.Fprintf(os.Stderr, "infra: no %s/index.html: run `make frontend` first (FRONTEND_DIR names another build)\n", frontendDir())
		return 2
	}
	props := &awscdk.AppProps{
		// What the CDK CLI turns on by default, so that `go run ./infra` writes the same
		// templates as `cdk synth`: SAM local finds a function's code through its
		// aws:asset:path metadata (the staged copy of .local/build/<name> in cdk.out/)
		// and recognizes a CDK template by aws:cdk:path. The CLI's own context wins.
		Context: &map[string]interface{}{
			"aws:cdk:enable-asset-metadata": true,
			"aws:cdk:enable-path-metadata":  true,
		},
	}
	// The CDK CLI names the output directory; without it CDK would pick a temporary one.
	if os.Getenv("CDK_OUTDIR") == "" {
		props.Outdir = jsii.String("cdk.out")
	}
	app := awscdk.NewApp(props)
	dep := stacks.Deployment{
		FrontendDir: frontendDir(),
		AlarmEmail:  contextString(app, "alarmEmail"),
	}
	tpp, err := tppSettings(app)
	if err != nil {
		fmt.Fprintln(os.Stderr, "infra:", err)
		return 2
	}
	if tpp == nil {
		fmt.Fprintln(os.Stderr, "infra: no TPP API stack: set the context values tppDomainName, tppCertificateArn, "+
			"tppTruststoreKey and tppTruststoreVersion once the truststore is uploaded (README, Deploying)")
	}
	dep.TPP = tpp
	stacks.NewApp(app, cfg, dep, environment(cfg), functionCode)
	assembly := app.Synth(nil)

	errors := 0
	for _, stack := range *assembly.Stacks() {
		for _, m := range *stack.Messages() {
			if m.Level == cxapi.SynthesisMessageLevel_INFO {
				continue
			}
			fmt.Fprintf(os.Stderr, "%s %s: %v\n", m.Level, *m.Id, m.Entry.Data)
			if m.Level == cxapi.SynthesisMessageLevel_ERROR {
				errors++
			}
		}
	}
	if errors > 0 {
		fmt.Fprintf(os.Stderr, "infra: %d error(s); templates in %s are not deployable\n", errors, *assembly.Directory())
		return 1
	}
	fmt.Printf("infra: templates in %s\n", *assembly.Directory())
	return 0
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

// tppSettings are the TPP API's context values: nil when none of the tpp* values is set,
// an error naming what is missing when only some are.
func tppSettings(app awscdk.App) (*stacks.TPPSettings, error) {
	set := stacks.TPPSettings{
		Environment:       org.Environment(contextString(app, "environment")),
		DomainName:        contextString(app, "tppDomainName"),
		CertificateARN:    contextString(app, "tppCertificateArn"),
		TruststoreKey:     contextString(app, "tppTruststoreKey"),
		TruststoreVersion: contextString(app, "tppTruststoreVersion"),
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

// frontendDir is the built SPA: FRONTEND_DIR, as for the local stack, or frontend/dist.
func frontendDir() string {
	if dir := os.Getenv("FRONTEND_DIR"); dir != "" {
		return dir
	}
	return filepath.Join("frontend", "dist")
}

// buildDir holds `make build`'s output: one directory per function with its bootstrap.
const buildDir = ".local/build"

// functionCode is the function's directory under buildDir, zipped by CDK as its package.
func functionCode(name string) awslambda.Code {
	return awslambda.Code_FromAsset(jsii.String(filepath.Join(buildDir, name)), nil)
}

// checkBuilds says which binaries are missing before CDK would fail on the first one with
// a bare "cannot find asset".
func checkBuilds() error {
	var missing []string
	for _, name := range stacks.AllFunctionNames() {
		if _, err := os.Stat(filepath.Join(buildDir, name, "bootstrap")); err != nil {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("no %s/<name>/bootstrap for %v: run `make build` first", buildDir, missing)
	}
	return nil
}
