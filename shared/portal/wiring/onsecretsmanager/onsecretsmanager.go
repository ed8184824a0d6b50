// Package onsecretsmanager is the portal's SandboxCA and SandboxCACert parts: the sandbox
// CA in its Secrets Manager secret, and its certificate alone in another.
package onsecretsmanager

import (
	"context"
	"crypto/x509"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/trust/sandboxca"
	"github.com/bank/devportal/shared/trust/sandboxca/casecret"
)

// SandboxCA loads, or on first use creates, the CA in cfg's CA secret, and keeps its
// certificate in cfg's certificate secret.
func SandboxCA(ctx context.Context, awsCfg aws.Config, cfg config.Config) (*sandboxca.CA, error) {
	return casecret.LoadOrCreate(ctx, secretsmanager.NewFromConfig(awsCfg), cfg.SandboxCASecretARN, cfg.SandboxCACertSecretARN)
}

// SandboxCACert reads the CA's certificate from cfg's certificate secret.
func SandboxCACert(ctx context.Context, awsCfg aws.Config, cfg config.Config) (*x509.Certificate, error) {
	return casecret.LoadCertificate(ctx, secretsmanager.NewFromConfig(awsCfg), cfg.SandboxCACertSecretARN)
}
