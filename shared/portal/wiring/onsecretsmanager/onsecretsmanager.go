// Package onsecretsmanager is the portal's SandboxCA, SandboxCACert and RegistrationKey
// parts: the sandbox CA in its Secrets Manager secret, its certificate alone in another,
// and the registration API's response-signing key in a third.
package onsecretsmanager

import (
	"context"
	"crypto/x509"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/portal/registration"
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

// RegistrationKey reads the registration API's response-signing seed from cfg's
// registration key secret (its current value), which registration.ResponseKey turns
// into the signing key.
func RegistrationKey(ctx context.Context, awsCfg aws.Config, cfg config.Config) ([]byte, error) {
	out, err := secretsmanager.NewFromConfig(awsCfg).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(cfg.RegistrationKeySecretARN)})
	if err != nil {
		return nil, fmt.Errorf("the registration key %s: %w", cfg.RegistrationKeySecretARN, err)
	}
	seed := []byte(aws.ToString(out.SecretString))
	if len(seed) < registration.MinKeySeed {
		return nil, fmt.Errorf("the registration key %s has %d bytes, at least %d are needed", cfg.RegistrationKeySecretARN, len(seed), registration.MinKeySeed)
	}
	return seed, nil
}
