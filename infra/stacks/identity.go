package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsses"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/bank/devportal/infra/userpool"
	"github.com/bank/devportal/shared/config"
	"github.com/bank/devportal/shared/resources"
)

// IdentityStack holds the Cognito user pool of portal identities and the SES identity the
// portal sends mail from. Like the tables, identities outlive the API that uses them.
type IdentityStack struct {
	awscdk.Stack
	// UserPool holds portal identities and passwords.
	UserPool awscognito.UserPool
	// Client is the app client of the portal API.
	Client awscognito.UserPoolClient
	// Sender is the verified SES identity of cfg.MailFrom; grant senders through it.
	Sender awsses.EmailIdentity
	// UserPoolID and UserPoolClientID are for the functions' USER_POOL_ID and
	// USER_POOL_CLIENT_ID.
	UserPoolID       *string
	UserPoolClientID *string
}

// NewIdentityStack adds the identity stack to scope.
func NewIdentityStack(scope constructs.Construct, id string, cfg config.Config, env *awscdk.Environment) *IdentityStack {
	stack := awscdk.NewStack(scope, jsii.String(id), stackProps(env, "Developer portal: Cognito user pool and SES sender"))
	pool := userpool.New(stack, "Users", resources.PortalUserPool(cfg))
	// An email address identity: SES mails a verification link to the address on
	// creation, and the portal can send from it once someone has followed the link.
	sender := awsses.NewEmailIdentity(stack, jsii.String("Sender"), &awsses.EmailIdentityProps{
		Identity: awsses.Identity_Email(jsii.String(cfg.MailFrom)),
	})

	// Outputs are for people and scripts (samconfig, smoke tests). They are not exports:
	// stacks of this app reference the Go fields, and CDK exports what they use, whereas a
	// named export would pin the pool against replacement for no consumer.
	awscdk.NewCfnOutput(stack, jsii.String("UserPoolId"), &awscdk.CfnOutputProps{
		Value:       pool.Pool.UserPoolId(),
		Description: jsii.String("ID of the portal user pool"),
	})
	awscdk.NewCfnOutput(stack, jsii.String("UserPoolClientId"), &awscdk.CfnOutputProps{
		Value:       pool.Client.UserPoolClientId(),
		Description: jsii.String("ID of the portal API's app client"),
	})
	return &IdentityStack{
		Stack:            stack,
		UserPool:         pool.Pool,
		Client:           pool.Client,
		Sender:           sender,
		UserPoolID:       pool.Pool.UserPoolId(),
		UserPoolClientID: pool.Client.UserPoolClientId(),
	}
}
