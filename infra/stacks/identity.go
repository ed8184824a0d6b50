package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsses"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/bank/devportal/infra/userpool"
	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/portal/resources"
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
	// SandboxCA is the secret that holds the sandbox CA (certificate and key), in a
	// sandbox deployment only (AddSandboxCA); nil otherwise.
	SandboxCA awssecretsmanager.CfnSecret
	// SandboxCACert is the secret that holds the sandbox CA's certificate without its key,
	// beside SandboxCA.
	SandboxCACert awssecretsmanager.CfnSecret
	// OAuthKey is the authorization server's master key (OAUTH_KEY_SECRET_ARN): the
	// functions that sign or check its codes and tokens or the bank pages' cookies read it
	// at cold start and derive their keys from it.
	OAuthKey awssecretsmanager.Secret
	// OriginSecret is the value CloudFront sends the portal API in OriginVerifyHeader and
	// the API's functions require (ORIGIN_VERIFY_SECRET): only CloudFront, behind its WAF,
	// gets in.
	OriginSecret awssecretsmanager.Secret
	// RegistrationKey is the seed of the registration API's response-signing key
	// (REGISTRATION_KEY_SECRET_ARN), read by that API's functions at cold start.
	RegistrationKey awssecretsmanager.Secret
	// SessionKey seals the portal sessions' Cognito tokens (SESSION_KEY_ID); PasswordKey
	// is the password history's HMAC key (PASSWORD_KEY_ID).
	SessionKey  awskms.Key
	PasswordKey awskms.Key
}

// AddSandboxCA adds the sandbox CA's secret to the stack: created empty, because the CA is
// made by the first function that needs it (sandboxca.LoadOrCreateSecret, with a
// conditional put so that racing cold starts store one CA), which keeps the key out of
// the template and of CDK's assets. The secret is retained on delete: certificates issued
// by the CA would not chain to a new one.
func (s *IdentityStack) AddSandboxCA() {
	// No SecretString and no GenerateSecretString: an empty secret (CDK's Secret would
	// generate a password).
	secret := awssecretsmanager.NewCfnSecret(s.Stack, jsii.String("SandboxCA"), &awssecretsmanager.CfnSecretProps{
		Description: jsii.String("Developer portal sandbox CA (certificate and PKCS #8 key, JSON); created on first use"),
	})
	secret.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN, nil)
	cdknag.NagSuppressions_AddResourceSuppressions(secret, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-SMG4"),
		Reason: jsii.String("The sandbox CA's key signs test certificates that TPPs hold for their validity; " +
			"rotating it would invalidate them, so it is replaced by hand, not rotated on a schedule."),
	}}, jsii.Bool(false))
	awscdk.NewCfnOutput(s.Stack, jsii.String("SandboxCaSecretArn"), &awscdk.CfnOutputProps{
		Value: secret.Ref(),
		Description: jsii.String("Secret of the sandbox CA: its certificate (the \"certificate\" field, once a " +
			"function has created it) belongs in the sandbox TPP API's truststore"),
	})
	s.SandboxCA = secret
	// The certificate alone, for the functions that only trust what the CA issued: they
	// never read the key. The functions that hold the CA write it.
	cert := awssecretsmanager.NewCfnSecret(s.Stack, jsii.String("SandboxCACertificate"), &awssecretsmanager.CfnSecretProps{
		Description: jsii.String("Developer portal sandbox CA's certificate (PEM), without its key; written on first use"),
	})
	cert.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN, nil)
	cdknag.NagSuppressions_AddResourceSuppressions(cert, &[]*cdknag.NagPackSuppression{{
		Id:     jsii.String("AwsSolutions-SMG4"),
		Reason: jsii.String("A public certificate, not a credential: it changes only when the CA is replaced by hand."),
	}}, jsii.Bool(false))
	awscdk.NewCfnOutput(s.Stack, jsii.String("SandboxCaCertificateSecretArn"), &awscdk.CfnOutputProps{
		Value:       cert.Ref(),
		Description: jsii.String("Secret of the sandbox CA's certificate (PEM), for the sandbox TPP API's truststore"),
	})
	s.SandboxCACert = cert
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
	s := &IdentityStack{
		Stack:            stack,
		UserPool:         pool.Pool,
		Client:           pool.Client,
		Sender:           sender,
		UserPoolID:       pool.Pool.UserPoolId(),
		UserPoolClientID: pool.Client.UserPoolClientId(),
	}
	s.addOAuthKey()
	s.addOriginSecret()
	s.addRegistrationKey()
	s.addAccountKeys()
	return s
}

// addAccountKeys adds the KMS keys of the portal's accounts: the symmetric key that seals
// sessions' Cognito tokens in the portal table (rotated yearly by KMS), and the HMAC key
// of the password history, which only the functions that set a password may use.
func (s *IdentityStack) addAccountKeys() {
	s.SessionKey = awskms.NewKey(s.Stack, jsii.String("SessionKey"), &awskms.KeyProps{
		Description:       jsii.String("Developer portal: seals the portal sessions' Cognito tokens"),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN,
	})
	s.PasswordKey = awskms.NewKey(s.Stack, jsii.String("PasswordKey"), &awskms.KeyProps{
		Description:   jsii.String("Developer portal: HMAC key of the password history"),
		KeySpec:       awskms.KeySpec_HMAC_256,
		KeyUsage:      awskms.KeyUsage_GENERATE_VERIFY_MAC,
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	cdknag.NagSuppressions_AddResourceSuppressions(s.PasswordKey, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-KMS5"),
		Reason: jsii.String("KMS cannot rotate HMAC keys, and a new key would make the kept MACs unmatchable: the " +
			"history would forget every old password at once. The key never leaves KMS."),
	}}, jsii.Bool(false))
}

// OAuthKeyLength is the generated key's length: 64 letters and digits, about 381 bits,
// from which the functions derive 32-byte keys (onoauth.DeriveKeys).
const OAuthKeyLength = 64

// addOAuthKey adds the authorization server's master key: a secret Secrets Manager
// generates at creation, so that it is in no template, asset or log, and every instance
// of every function reads the same one.
func (s *IdentityStack) addOAuthKey() {
	s.OAuthKey = awssecretsmanager.NewSecret(s.Stack, jsii.String("OAuthKey"), &awssecretsmanager.SecretProps{
		Description: jsii.String("Developer portal: the OAuth2 server's master key (codes, tokens, the sandbox bank's session cookies)"),
		GenerateSecretString: &awssecretsmanager.SecretStringGenerator{
			PasswordLength:     jsii.Number(OAuthKeyLength),
			ExcludePunctuation: jsii.Bool(true),
			IncludeSpace:       jsii.Bool(false),
		},
	})
	cdknag.NagSuppressions_AddResourceSuppressions(s.OAuthKey, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-SMG4"),
		Reason: jsii.String("Rotated by hand (README: Rotating the OAuth key), not on a schedule: the functions read the " +
			"key once, at cold start, so after a rotation warm instances still sign with the old key, and tokens they " +
			"issue would be refused by fresh ones until every instance is replaced. The runbook puts a new value and " +
			"then redeploys the functions; the previous value (AWSPREVIOUS) keeps verifying, so no token ends early."),
	}}, jsii.Bool(false))
	awscdk.NewCfnOutput(s.Stack, jsii.String("OAuthKeySecretArn"), &awscdk.CfnOutputProps{
		Value:       s.OAuthKey.SecretArn(),
		Description: jsii.String("Secret of the OAuth2 server's master key (rotate it by hand, see the README)"),
	})
}

// OriginSecretLength is the origin secret's generated length: 48 letters and digits.
const OriginSecretLength = 48

// addOriginSecret adds the secret CloudFront proves itself to the portal API with,
// generated by Secrets Manager at creation: no value in a template or in the repository.
func (s *IdentityStack) addOriginSecret() {
	s.OriginSecret = awssecretsmanager.NewSecret(s.Stack, jsii.String("OriginSecret"), &awssecretsmanager.SecretProps{
		Description: jsii.String("Developer portal: the header value CloudFront sends the portal API, which refuses requests without it"),
		GenerateSecretString: &awssecretsmanager.SecretStringGenerator{
			PasswordLength:     jsii.Number(OriginSecretLength),
			ExcludePunctuation: jsii.Bool(true),
			IncludeSpace:       jsii.Bool(false),
		},
	})
	cdknag.NagSuppressions_AddResourceSuppressions(s.OriginSecret, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-SMG4"),
		Reason: jsii.String("Not rotated on a schedule: CloudFormation reads the value into the distribution's origin header " +
			"and the functions' environment when it deploys them, so a rotation takes effect only with a deployment of " +
			"both; the value only proves a request came through CloudFront and grants nothing by itself."),
	}}, jsii.Bool(false))
}

// RegistrationKeyLength is the registration key's generated length: 64 letters and
// digits, from which registration.ResponseKey derives the ECDSA P-256 key.
const RegistrationKeyLength = 64

// addRegistrationKey adds the registration API's response-signing key: a secret of its
// own, generated by Secrets Manager at creation like the OAuth key, so that signing the
// API's answers needs neither the sandbox CA's key nor any other function's secret.
func (s *IdentityStack) addRegistrationKey() {
	s.RegistrationKey = awssecretsmanager.NewSecret(s.Stack, jsii.String("RegistrationKey"), &awssecretsmanager.SecretProps{
		Description: jsii.String("Developer portal: the registration API's response-signing key (its seed)"),
		GenerateSecretString: &awssecretsmanager.SecretStringGenerator{
			PasswordLength:     jsii.Number(RegistrationKeyLength),
			ExcludePunctuation: jsii.Bool(true),
			IncludeSpace:       jsii.Bool(false),
		},
	})
	cdknag.NagSuppressions_AddResourceSuppressions(s.RegistrationKey, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-SMG4"),
		Reason: jsii.String("Its public key is handed to every installation, which checks the answers with it: a new " +
			"key is a planned change announced to the TPPs (who register a new installation), not a scheduled rotation."),
	}}, jsii.Bool(false))
	awscdk.NewCfnOutput(s.Stack, jsii.String("RegistrationKeySecretArn"), &awscdk.CfnOutputProps{
		Value:       s.RegistrationKey.SecretArn(),
		Description: jsii.String("Secret of the registration API's response-signing key"),
	})
}
