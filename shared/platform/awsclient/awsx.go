// Package awsclient builds the AWS SDK configuration every client shares. In local mode it
// points all services at moto and uses fixed test credentials; on AWS it uses the
// credentials Lambda gives the function's role in its environment.
package awsclient

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/bank/devportal/shared/platform/config"
)

// Load returns the SDK configuration for c. It reads no file and calls no credential
// endpoint: Lambda puts the role's temporary credentials in AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN for the life of the execution environment,
// which is all a function needs, so the SDK's default chain (shared files, SSO, IMDS,
// container endpoints) is neither linked nor run at a cold start.
func Load(_ context.Context, c config.Config) (aws.Config, error) {
	cfg := aws.Config{Region: c.Region}
	if c.AWSEndpoint != "" {
		cfg.BaseEndpoint = aws.String(c.AWSEndpoint)
		cfg.Credentials = credentials.NewStaticCredentialsProvider("testing", "testing", "")
	} else {
		id, secret := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
		if id == "" || secret == "" {
			return aws.Config{}, fmt.Errorf("no AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set (Lambda sets them for the function's role)")
		}
		cfg.Credentials = aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(id, secret, os.Getenv("AWS_SESSION_TOKEN")))
	}
	cfg.APIOptions = append(cfg.APIOptions, guardNeeds(c.TPPTable), guardKeys(c.PortalTable, c.TPPTable))
	return cfg, nil
}
