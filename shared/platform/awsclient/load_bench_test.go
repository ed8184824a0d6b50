package awsclient_test

import (
	"context"
	"testing"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/bank/devportal/shared/platform/awsclient"
	"github.com/bank/devportal/shared/platform/config"
)

// BenchmarkLoad compares what a function's cold start pays for its SDK configuration:
// awsclient.Load (Lambda's credentials from the environment) against the SDK's
// LoadDefaultConfig, which it replaced, with the environment Lambda gives a function.
func BenchmarkLoad(b *testing.B) {
	b.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	b.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	b.Setenv("AWS_SESSION_TOKEN", "token")
	b.Setenv("AWS_REGION", "eu-west-1")
	ctx := context.Background()
	b.Run("awsclient.Load", func(b *testing.B) {
		for b.Loop() {
			if _, err := awsclient.Load(ctx, config.Config{Region: "eu-west-1"}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("LoadDefaultConfig", func(b *testing.B) {
		for b.Loop() {
			if _, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion("eu-west-1")); err != nil {
				b.Fatal(err)
			}
		}
	})
}
