package stacks

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3assets"
	"github.com/aws/jsii-runtime-go"
)

// GoBundler builds one function's deployment package with the local Go toolchain: CDK
// calls TryBundle (awscdk.ILocalBundling) while it stages the function's asset, so `cdk
// synth` and `cdk deploy` compile every function themselves, without Docker.
type GoBundler struct {
	// Root is the module root, where `go build` runs (the repository root).
	Root string
	// Function is the function's name: its package is ./functions/<Function>.
	Function string
	// Truststore, when set, is a file copied into the package as TruststoreName (the eIDAS
	// truststore the functions read from /var/task).
	Truststore string
}

// TruststoreName is the eIDAS truststore's file in every function's package.
const TruststoreName = "eidas-truststore.pem"

// Command is the build's arguments, run in Root: a linux/arm64 "bootstrap" for the
// provided.al2023 runtime, without the RPC mode the OS-only runtime does not use, with
// reproducible paths and without symbols (so an unchanged function keeps its asset hash).
func (b GoBundler) Command(outputDir string) []string {
	return []string{"go", "build", "-tags", "lambda.norpc,validator_novalidatefn", "-trimpath", "-ldflags", "-s -w",
		"-o", filepath.Join(outputDir, "bootstrap"), "./functions/" + b.Function}
}

// Env is what the build sets on top of the synthesizing process's environment.
func (b GoBundler) Env() []string {
	return []string{"GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0"}
}

// TryBundle builds the function into outputDir. It panics on a failed build rather than
// returning false, which would make CDK fall back to Docker (BundlingOptions.Image is
// there only because CDK requires one).
func (b GoBundler) TryBundle(outputDir *string, _ *awscdk.BundlingOptions) *bool {
	if err := b.Bundle(*outputDir); err != nil {
		panic(err)
	}
	return jsii.Bool(true)
}

// Bundle builds the function into outputDir and copies the truststore next to it.
func (b GoBundler) Bundle(outputDir string) error {
	args := b.Command(outputDir)
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = b.Root
	cmd.Env = append(os.Environ(), b.Env()...)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("building %s: %w", b.Function, err)
	}
	if b.Truststore != "" {
		pem, err := os.ReadFile(b.Truststore)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(outputDir, TruststoreName), pem, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// BundledCode is the deployed app's FunctionCode: each function's asset is the output
// of its GoBundler, built from root (the module root) with truststore ("" for none)
// packaged beside it. The asset is hashed by that output: the build is reproducible, so
// an unchanged function is not redeployed, and a change anywhere in the packages it
// imports is.
func BundledCode(root, truststore string) FunctionCode {
	return func(name string) awslambda.Code {
		return awslambda.Code_FromAsset(jsii.String(filepath.Join(root, "functions", name)), &awss3assets.AssetOptions{
			AssetHashType: awscdk.AssetHashType_OUTPUT,
			Bundling: &awscdk.BundlingOptions{
				// Required by CDK, never pulled: the local bundler always succeeds or fails
				// the synthesis.
				Image: awscdk.DockerImage_FromRegistry(jsii.String("public.ecr.aws/docker/library/golang:1")),
				Local: &GoBundler{Root: root, Function: name, Truststore: truststore},
			},
		})
	}
}
