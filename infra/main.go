// Command infra is the portal's CDK app. `cdk synth` runs it through cdk.json; run on its own
// (`go run ./infra`) it writes the templates to cdk.out/ and exits non-zero when a stack has
// an error annotation, such as an unsuppressed cdk-nag finding.
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/jsii-runtime-go"

	"github.com/bank/devportal/infra/stacks"
	"github.com/bank/devportal/shared/config"
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
	props := &awscdk.AppProps{}
	// The CDK CLI names the output directory; without it CDK would pick a temporary one.
	if os.Getenv("CDK_OUTDIR") == "" {
		props.Outdir = jsii.String("cdk.out")
	}
	app := awscdk.NewApp(props)
	stacks.NewApp(app, cfg, environment(cfg))
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
