// Package kmskeys keeps the portal's account secrets out of reach of whoever reads the
// portal table: a session's Cognito tokens are sealed with a KMS data key (envelope
// encryption, AES-256-GCM), and the password history holds KMS HMACs of old passwords
// instead of password hashes, so the table holds no verifier of anyone's password that a
// reader could attack offline.
package kmskeys

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/bank/devportal/shared/portal/account"
)

// KMS is the part of the KMS client the keys call.
type KMS interface {
	GenerateDataKey(ctx context.Context, in *kms.GenerateDataKeyInput, opts ...func(*kms.Options)) (*kms.GenerateDataKeyOutput, error)
	Decrypt(ctx context.Context, in *kms.DecryptInput, opts ...func(*kms.Options)) (*kms.DecryptOutput, error)
	GenerateMac(ctx context.Context, in *kms.GenerateMacInput, opts ...func(*kms.Options)) (*kms.GenerateMacOutput, error)
}

// Vault seals sessions' Cognito tokens with the symmetric KMS key KeyID.
type Vault struct {
	Client KMS
	KeyID  string
}

var _ account.TokenVault = Vault{}

// sealVersion is the first byte of a sealed value: the layout below, so that a later
// layout can be told apart.
const sealVersion = 1

// context binds a data key to its user and use: KMS refuses to decrypt it under any
// other, so sealed tokens copied to another user's session do not open.
func sealContext(userID string) map[string]string {
	return map[string]string{"purpose": "portal-session-tokens", "userId": userID}
}

// Seal encrypts t for userID's session: version, data key length and the KMS-encrypted
// data key, then the GCM nonce and ciphertext. One KMS call.
func (v Vault) Seal(ctx context.Context, userID string, t account.SessionTokens) ([]byte, error) {
	plain, err := json.Marshal(t)
	if err != nil {
		return nil, err
	}
	key, err := v.Client.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: &v.KeyID, KeySpec: types.DataKeySpecAes256,
		EncryptionContext: sealContext(userID)})
	if err != nil {
		return nil, fmt.Errorf("kmskeys: data key: %w", err)
	}
	gcm, err := newGCM(key.Plaintext)
	clear(key.Plaintext)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, 3+len(key.CiphertextBlob)+gcm.NonceSize()+len(plain)+gcm.Overhead())
	out = append(out, sealVersion)
	out = binary.BigEndian.AppendUint16(out, uint16(len(key.CiphertextBlob)))
	out = append(out, key.CiphertextBlob...)
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	out = append(out, nonce...)
	return gcm.Seal(out, nonce, plain, []byte(userID)), nil
}

// ErrSealed is a sealed value that does not open: damaged, or not sealed for this user.
var ErrSealed = errors.New("kmskeys: the sealed tokens do not open")

// Open decrypts what Seal made for userID. One KMS call.
func (v Vault) Open(ctx context.Context, userID string, sealed []byte) (account.SessionTokens, error) {
	if len(sealed) < 3 || sealed[0] != sealVersion {
		return account.SessionTokens{}, ErrSealed
	}
	n := int(binary.BigEndian.Uint16(sealed[1:3]))
	rest := sealed[3:]
	if len(rest) < n {
		return account.SessionTokens{}, ErrSealed
	}
	key, err := v.Client.Decrypt(ctx, &kms.DecryptInput{KeyId: &v.KeyID, CiphertextBlob: rest[:n], EncryptionContext: sealContext(userID)})
	if err != nil {
		var invalid *types.InvalidCiphertextException
		if errors.As(err, &invalid) {
			return account.SessionTokens{}, ErrSealed
		}
		return account.SessionTokens{}, fmt.Errorf("kmskeys: open data key: %w", err)
	}
	gcm, err := newGCM(key.Plaintext)
	clear(key.Plaintext)
	if err != nil {
		return account.SessionTokens{}, err
	}
	rest = rest[n:]
	if len(rest) < gcm.NonceSize() {
		return account.SessionTokens{}, ErrSealed
	}
	plain, err := gcm.Open(nil, rest[:gcm.NonceSize()], rest[gcm.NonceSize():], []byte(userID))
	if err != nil {
		return account.SessionTokens{}, ErrSealed
	}
	var t account.SessionTokens
	if err := json.Unmarshal(plain, &t); err != nil {
		return account.SessionTokens{}, ErrSealed
	}
	return t, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("kmskeys: data key: %w", err)
	}
	return cipher.NewGCM(block)
}

// PasswordMAC computes the password history's HMAC-SHA-256 with the KMS HMAC key KeyID.
// The key never leaves KMS: without a call KMS allows, a stored MAC cannot be tested
// against guesses.
type PasswordMAC struct {
	Client KMS
	KeyID  string
}

var _ account.PasswordMAC = PasswordMAC{}

// MAC is the HMAC of userID's password: the user's ID is part of the message, so one
// password gives different MACs for different users. One KMS call.
func (m PasswordMAC) MAC(ctx context.Context, userID, password string) ([]byte, error) {
	msg := make([]byte, 0, len(userID)+1+len(password))
	msg = append(append(append(msg, userID...), 0), password...)
	out, err := m.Client.GenerateMac(ctx, &kms.GenerateMacInput{KeyId: &m.KeyID, MacAlgorithm: types.MacAlgorithmSpecHmacSha256, Message: msg})
	clear(msg)
	if err != nil {
		return nil, fmt.Errorf("kmskeys: password MAC: %w", err)
	}
	return out.Mac, nil
}
