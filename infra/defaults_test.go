package main

//lint:file-ignore SA1019 CDK v2.270's Go bindings expose synthesis messages only through the cxapi types marked deprecated.

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/jsii-runtime-go"

	"github.com/bank/devportal/infra/stacks"
	"github.com/bank/devportal/shared/platform/config"
)

func TestMain(m *testing.M) {
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}

// TestSynthDefaults synthesizes the app as `cdk synth` does with cdk.json's context
// (CI's synthesis and every first deployment): every stack but the TPP API, with no
// error or warning, so no unsuppressed cdk-nag finding either. The stacks' own tests
// cover the configurations with the TPP API; this is the one without. It runs in this
// test binary, beside theirs, and with placeholder code instead of 70 builds.
func TestSynthDefaults(t *testing.T) {
	if testing.Short() {
		t.Skip("synthesizes the whole app")
	}
	t.Setenv("FRONTEND_DIR", filepath.Join("stacks", "testdata", "frontend"))
	ctx, err := loadContext("..", nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	code := t.TempDir()
	if err := os.WriteFile(filepath.Join(code, "bootstrap"), []byte("placeholder\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	app := awscdk.NewApp(&awscdk.AppProps{Context: &ctx, Outdir: jsii.String(t.TempDir())})
	dep, err := deployment(func(key string) string { return contextString(app, key) })
	if err != nil {
		t.Fatal(err)
	}
	if dep.TPP != nil {
		t.Fatalf("cdk.json's defaults give the TPP API %+v", dep.TPP)
	}
	s := stacks.NewApp(app, cfg, dep, environment(cfg), func(string) awslambda.Code {
		return awslambda.Code_FromAsset(jsii.String(code), nil)
	})
	if s.TPPAPI != nil {
		t.Error("the TPP API stack exists without its context values")
	}
	if !dep.SandboxCA || s.Identity.SandboxCA == nil {
		t.Error("the default environment (sandbox) has no sandbox CA secret")
	}
	assembly := app.Synth(nil)
	var names []string
	for _, st := range *assembly.Stacks() {
		names = append(names, *st.StackName())
		for _, m := range *st.Messages() {
			if m.Level != cxapi.SynthesisMessageLevel_INFO {
				t.Errorf("%s %s: %v", m.Level, *m.Id, m.Entry.Data)
			}
		}
	}
	slices.Sort(names)
	want := []string{"devportal-data", "devportal-edge", "devportal-frontend", "devportal-identity", "devportal-monitoring",
		"devportal-portal-api", "devportal-tpp-truststore", "devportal-workflows"}
	if !slices.Equal(names, want) {
		t.Errorf("stacks %v, want %v", names, want)
	}
	// The functions and their routes are all there: the portal API does not depend on the
	// TPP API.
	// The functions are in the portal API's function groups, nested stacks whose templates
	// are files of the assembly.
	resources := map[string]interface{}{}
	for _, g := range s.PortalAPI.Groups {
		raw, err := os.ReadFile(filepath.Join(*assembly.Directory(), *g.TemplateFile()))
		if err != nil {
			t.Fatal(err)
		}
		var tmpl struct{ Resources map[string]interface{} }
		if err := json.Unmarshal(raw, &tmpl); err != nil {
			t.Fatal(err)
		}
		for id, r := range tmpl.Resources {
			resources[id] = r
		}
	}
	for _, name := range stacks.FunctionNames() {
		if _, ok := resources[stacks.FunctionLogicalID(name)]; !ok {
			t.Errorf("no function %s", name)
		}
	}
}

// TestDeploymentSandboxCA: only production goes without the sandbox CA.
func TestDeploymentSandboxCA(t *testing.T) {
	for env, want := range map[string]bool{"": true, "sandbox": true, "production": false} {
		dep, err := deployment(func(key string) string {
			if key == ctxEnvironment {
				return env
			}
			return ""
		})
		if err != nil || dep.SandboxCA != want {
			t.Errorf("environment %q: SandboxCA %v, %v; want %v", env, dep.SandboxCA, err, want)
		}
	}
}
