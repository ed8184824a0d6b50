package onoauth

import (
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
)

// MinMasterKey is the least master key, in bytes: a generated secret of 64 letters and
// digits has about 381 bits.
const MinMasterKey = 32

// The labels (HKDF info) of the keys derived from the master key: each use has its own,
// so that what one key signed never verifies under the other.
const (
	tokenLabel = "devportal oauth2 codes and tokens v1"
	pagesLabel = "devportal sandbox-bank sessions v1"
)

// Keys are the area's signing keys, derived from one master key (HKDF-SHA256, one label
// each): a bank session cookie can then never pass for a code or token, nor the other
// way round, although one secret holds them.
type Keys struct {
	// Token keys the authorization server's codes and tokens (HMAC).
	Token []byte
	// PreviousToken are the token keys of the master key before the last rotation: they
	// still verify what they signed, so a rotation ends no token early.
	PreviousToken [][]byte
	// Pages keys the sandbox bank's session cookies and CSRF tokens. A rotation ends the
	// bank sessions open at the time (at most PendingLifespan long).
	Pages []byte
}

// DeriveKeys derives the keys from the master key and, if there is one, the master key
// before the last rotation.
func DeriveKeys(master, previous []byte) (Keys, error) {
	if len(master) < MinMasterKey {
		return Keys{}, fmt.Errorf("onoauth: the master key has %d bytes, at least %d are needed", len(master), MinMasterKey)
	}
	var k Keys
	var err error
	if k.Token, err = hkdf.Key(sha256.New, master, nil, tokenLabel, 32); err != nil {
		return Keys{}, err
	}
	if k.Pages, err = hkdf.Key(sha256.New, master, nil, pagesLabel, 32); err != nil {
		return Keys{}, err
	}
	if len(previous) >= MinMasterKey {
		old, err := hkdf.Key(sha256.New, previous, nil, tokenLabel, 32)
		if err != nil {
			return Keys{}, err
		}
		k.PreviousToken = [][]byte{old}
	}
	return k, nil
}

// SecretReader is the Secrets Manager call SecretKey makes.
type SecretReader interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

var _ SecretReader = (*secretsmanager.Client)(nil)

// SecretKey reads the master key from the secret secretID: its current value and, once
// it has been rotated, its previous one (nil before). The secret string is the key
// itself (the identity stack generates 64 letters and digits).
func SecretKey(ctx context.Context, client SecretReader, secretID string) (current, previous []byte, err error) {
	read := func(stage string) ([]byte, error) {
		out, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(secretID), VersionStage: aws.String(stage)})
		if err != nil {
			return nil, err
		}
		return []byte(aws.ToString(out.SecretString)), nil
	}
	if current, err = read("AWSCURRENT"); err != nil {
		return nil, nil, fmt.Errorf("the OAuth key %s: %w", secretID, err)
	}
	if len(current) < MinMasterKey {
		return nil, nil, fmt.Errorf("the OAuth key %s has %d bytes, at least %d are needed", secretID, len(current), MinMasterKey)
	}
	previous, err = read("AWSPREVIOUS")
	var notFound *types.ResourceNotFoundException
	if errors.As(err, &notFound) {
		// Never rotated: no version has the label.
		return current, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("the OAuth key %s (previous): %w", secretID, err)
	}
	return current, previous, nil
}
