// Package onsecretsmanager is the portal's SandboxCA part: the sandbox CA in its Secrets
// Manager secret.
package onsecretsmanager

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/bank/devportal/shared/trust/sandboxca"
	"github.com/bank/devportal/shared/trust/sandboxca/casecret"
)

// SandboxCA loads, or on first use creates, the CA in the secret secretID.
func SandboxCA(ctx context.Context, awsCfg aws.Config, secretID string) (*sandboxca.CA, error) {
	return casecret.LoadOrCreate(ctx, secretsmanager.NewFromConfig(awsCfg), secretID)
}
