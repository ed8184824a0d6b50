// Package awsclient builds the AWS SDK configuration every client shares. In local mode it
// points all services at moto and uses fixed test credentials; on AWS it uses the
// function's role.
package awsclient

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/bank/devportal/shared/platform/config"
)

// Load returns the SDK configuration for c.
func Load(ctx context.Context, c config.Config) (aws.Config, error) {
	opts := []func(*awsconfig.LoadOptions) error{awsconfig.WithRegion(c.Region)}
	if c.AWSEndpoint != "" {
		opts = append(opts,
			awsconfig.WithBaseEndpoint(c.AWSEndpoint),
			awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("testing", "testing", "")),
		)
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS config: %w", err)
	}
	return cfg, nil
}
