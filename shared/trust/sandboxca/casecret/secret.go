// Package casecret keeps the sandbox CA in Secrets Manager, the deployed counterpart of
// its directory in the local stack: the CA with its key in one secret, which only the
// functions that issue certificates or sign its CRL may read, and its certificate alone
// in another, for the functions that only trust what it issued. It is its own package so
// that only those functions link the Secrets Manager client.
package casecret

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/bank/devportal/shared/trust/sandboxca"
)

// SecretsAPI is the part of the Secrets Manager client the CA's secret needs.
type SecretsAPI interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
	PutSecretValue(ctx context.Context, in *secretsmanager.PutSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.PutSecretValueOutput, error)
}

// secretValue is the CA as the secret holds it (JSON).
type secretValue struct {
	Certificate string `json:"certificate"`
	PrivateKey  string `json:"privateKey"`
}

// CreateToken is the ClientRequestToken of the CA's first version. Secrets Manager refuses
// a second version with the same token and a different value, so when two cold starts find
// the secret empty and each make a CA, only one is stored: the other reads it back.
const CreateToken = "devportal-sandbox-ca-first-version-v1"

// LoadOrCreate loads the CA from the Secrets Manager secret secretID (its ARN or
// name; the deployment creates it empty), or creates the CA and stores it there on first
// use; either way the secret certSecretID ends up holding the CA's certificate (when
// certSecretID is not empty).
func LoadOrCreate(ctx context.Context, client SecretsAPI, secretID, certSecretID string) (*sandboxca.CA, error) {
	ca, err := loadOrCreate(ctx, client, secretID)
	if err != nil || certSecretID == "" {
		return ca, err
	}
	return ca, publishCertificate(ctx, client, certSecretID, ca)
}

// publishCertificate stores ca's certificate in certSecretID unless it holds it already.
// Every cold start that finds the CA stores the same certificate, with the same token, so
// concurrent ones store one version.
func publishCertificate(ctx context.Context, client SecretsAPI, certSecretID string, ca *sandboxca.CA) error {
	out, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(certSecretID)})
	var notFound *types.ResourceNotFoundException
	switch {
	case err == nil && aws.ToString(out.SecretString) == string(ca.PEM):
		return nil
	case err != nil && !errors.As(err, &notFound):
		return fmt.Errorf("sandbox CA certificate secret: %w", err)
	}
	_, err = client.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
		SecretId:           aws.String(certSecretID),
		SecretString:       aws.String(string(ca.PEM)),
		ClientRequestToken: aws.String(CreateToken),
	})
	var exists *types.ResourceExistsException
	if err != nil && !errors.As(err, &exists) {
		return fmt.Errorf("sandbox CA certificate secret: %w", err)
	}
	return nil
}

// LoadCertificate reads the CA's certificate from certSecretID, without its key: nil, nil
// when no function has created the CA yet, so there is nothing it issued to trust.
func LoadCertificate(ctx context.Context, client SecretsAPI, certSecretID string) (*x509.Certificate, error) {
	out, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(certSecretID)})
	var notFound *types.ResourceNotFoundException
	if errors.As(err, &notFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sandbox CA certificate secret: %w", err)
	}
	return sandboxca.ParseCertificate([]byte(aws.ToString(out.SecretString)))
}

func loadOrCreate(ctx context.Context, client SecretsAPI, secretID string) (*sandboxca.CA, error) {
	ca, err := loadSecret(ctx, client, secretID)
	var notFound *types.ResourceNotFoundException
	if err == nil || !errors.As(err, &notFound) {
		return ca, err
	}
	// No value yet (Secrets Manager answers ResourceNotFound for a secret without an
	// AWSCURRENT version; for a missing secret the put below fails the same way).
	certPEM, keyPEM, err := sandboxca.Generate()
	if err != nil {
		return nil, err
	}
	value, err := json.Marshal(secretValue{Certificate: string(certPEM), PrivateKey: string(keyPEM)})
	if err != nil {
		return nil, err
	}
	_, err = client.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
		SecretId:           aws.String(secretID),
		SecretString:       aws.String(string(value)),
		ClientRequestToken: aws.String(CreateToken),
	})
	var exists *types.ResourceExistsException
	if err != nil && !errors.As(err, &exists) {
		return nil, fmt.Errorf("sandbox CA secret: %w", err)
	}
	// Stored, or another cold start stored its CA first: the secret's value is the CA.
	return loadSecret(ctx, client, secretID)
}

// loadSecret parses the secret's current value.
func loadSecret(ctx context.Context, client SecretsAPI, secretID string) (*sandboxca.CA, error) {
	out, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(secretID)})
	if err != nil {
		return nil, err
	}
	var v secretValue
	if out.SecretString == nil || json.Unmarshal([]byte(*out.SecretString), &v) != nil {
		return nil, errors.New("sandbox CA secret: the value is not the CA's JSON (certificate, privateKey)")
	}
	return sandboxca.Parse([]byte(v.Certificate), []byte(v.PrivateKey))
}
