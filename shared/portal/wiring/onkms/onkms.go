// Package onkms is the portal's SessionKey and PasswordKey parts: the account keys in KMS.
package onkms

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/portal/account"
	"github.com/bank/devportal/shared/portal/identity/kmskeys"
)

// SessionKey seals the sessions' Cognito tokens with cfg's session key.
func SessionKey(awsCfg aws.Config, cfg config.Config) account.TokenVault {
	return kmskeys.Vault{Client: kms.NewFromConfig(awsCfg), KeyID: cfg.SessionKeyID}
}

// PasswordKey computes the password history's MACs with cfg's password key.
func PasswordKey(awsCfg aws.Config, cfg config.Config) account.PasswordMAC {
	return kmskeys.PasswordMAC{Client: kms.NewFromConfig(awsCfg), KeyID: cfg.PasswordKeyID}
}
