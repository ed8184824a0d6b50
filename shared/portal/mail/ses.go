// Package mail sends the portal's emails through SES and holds their texts.
package mail

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/portal/account"
)

// Sender is the subset of the SES v2 client the mailer uses.
type Sender interface {
	SendEmail(context.Context, *sesv2.SendEmailInput, ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

// SES sends mail from one verified sender.
type SES struct {
	client Sender
	from   string
}

var _ account.Mailer = (*SES)(nil)

// NewSES returns a mailer sending from the verified address from.
func NewSES(client Sender, from string) *SES { return &SES{client: client, from: from} }

// Send sends one message with a text and an HTML part.
func (s *SES) Send(ctx context.Context, m account.Mail) error {
	_, err := s.client.SendEmail(ctx, &sesv2.SendEmailInput{
		FromEmailAddress: &s.from,
		Destination:      &types.Destination{ToAddresses: []string{m.To}},
		Content: &types.EmailContent{Simple: &types.Message{
			Subject: &types.Content{Data: &m.Subject, Charset: aws.String("UTF-8")},
			Body: &types.Body{
				Text: &types.Content{Data: &m.Text, Charset: aws.String("UTF-8")},
				Html: &types.Content{Data: &m.HTML, Charset: aws.String("UTF-8")},
			},
		}},
	})
	if err != nil {
		return apperr.Wrap(err, "ses send to %s", m.To)
	}
	return nil
}

// SendMail sends one message; it is Send for callers that do not use account.Mail.
func (s *SES) SendMail(ctx context.Context, to, subject, text, html string) error {
	return s.Send(ctx, account.Mail{To: to, Subject: subject, Text: text, HTML: html})
}
