// Package onses is the portal's Mail part: SES.
package onses

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/portal/mail"
	"github.com/bank/devportal/shared/portal/wiring"
)

// Mailer sends from cfg's sender identity.
func Mailer(awsCfg aws.Config, cfg config.Config) wiring.Mailer {
	return mail.NewSES(sesv2.NewFromConfig(awsCfg), cfg.MailFrom)
}
