// Package oncognito is the portal's Identity part: the Cognito user pool.
package oncognito

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/portal/account"
	"github.com/bank/devportal/shared/portal/identity"
)

// Identity is the user pool of cfg.
func Identity(awsCfg aws.Config, cfg config.Config) account.Identity {
	return identity.NewCognito(cip.NewFromConfig(awsCfg), cfg.UserPoolID, cfg.UserPoolClientID)
}
