// Package userpool builds the Cognito user pool of portal identities, its app client and its
// groups from the definition in shared/portal/resources, the same one the local bootstrap creates
// on moto.
package userpool

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/bank/devportal/shared/portal/resources"
)

// UserPool is the pool, the portal API's app client and the pool's groups.
type UserPool struct {
	// Pool holds the portal identities and their passwords.
	Pool awscognito.UserPool
	// Client is the app client the portal API (the BFF) signs users in through.
	Client awscognito.UserPoolClient
	// Groups are the pool's groups by name, the operations group among them.
	Groups map[string]awscognito.CfnUserPoolGroup
}

// New adds the pool def describes to scope under id.
func New(scope constructs.Construct, id string, def resources.UserPool) *UserPool {
	c := constructs.NewConstruct(scope, jsii.String(id))
	pool := awscognito.NewUserPool(c, jsii.String("Pool"), &awscognito.UserPoolProps{
		UserPoolName: jsii.String(def.Name),
		// The portal's sign-up page creates accounts through the BFF's SignUp call.
		SelfSignUpEnabled: jsii.Bool(true),
		// The username is the email address (UsernameAttributes), matched without case,
		// as people type their address.
		SignInAliases:       &awscognito.SignInAliases{Email: jsii.Bool(true)},
		SignInCaseSensitive: jsii.Bool(false),
		// The BFF sends its own activation and reset links (with lifetimes of its choosing,
		// which Cognito's codes cannot have, and dead once the password changes) through SES
		// and confirms the user itself. Cognito must therefore send nothing: no
		// auto-verification (CDK would verify email by default because email is a sign-in
		// alias) and no Cognito account recovery. Recovery NONE also stops anyone holding
		// the public client ID from making Cognito email our users.
		AutoVerify:      &awscognito.AutoVerifiedAttrs{Email: jsii.Bool(false), Phone: jsii.Bool(false)},
		AccountRecovery: awscognito.AccountRecovery_NONE,
		PasswordPolicy: &awscognito.PasswordPolicy{
			MinLength:        jsii.Number(def.MinLength),
			RequireUppercase: jsii.Bool(def.RequireUppercase),
			RequireLowercase: jsii.Bool(def.RequireLowercase),
			RequireDigits:    jsii.Bool(def.RequireNumbers),
			RequireSymbols:   jsii.Bool(def.RequireSymbols),
		},
		// Two-step sign-in with an authenticator app (TOTP), never SMS: optional at Cognito,
		// required by the portal for operations staff.
		Mfa:             awscognito.Mfa_OPTIONAL,
		MfaSecondFactor: &awscognito.MfaSecondFactor{Otp: jsii.Bool(true), Sms: jsii.Bool(false)},
		FeaturePlan:     awscognito.FeaturePlan_ESSENTIALS,
		// Identities outlive any deployment: a deleted pool cannot be restored and every
		// user would have to sign up again.
		DeletionProtection: jsii.Bool(true),
		RemovalPolicy:      awscdk.RemovalPolicy_RETAIN,
	})
	cdknag.NagSuppressions_AddResourceSuppressions(pool, &[]*cdknag.NagPackSuppression{
		{
			Id: jsii.String("AwsSolutions-COG2"),
			Reason: jsii.String("MFA is optional at Cognito: the portal's BFF requires an authenticator app (TOTP) " +
				"of operations staff (their every operations call is refused until they have one) and offers it " +
				"to every developer; developers of a sandbox may sign in with the password alone."),
		},
		{
			Id: jsii.String("AwsSolutions-COG8"),
			Reason: jsii.String("Essentials, not Plus: every sign-in reaches Cognito from the BFF's Lambda functions " +
				"through a public client without a secret, which cannot propagate the user's IP and device " +
				"(EnablePropagateAdditionalUserContextData needs a secret), so adaptive authentication would " +
				"score our Lambda egress and could block all users at once. Password history and expiry are " +
				"enforced by the portal itself."),
		},
	}, jsii.Bool(true))

	client := pool.AddClient(jsii.String("PortalClient"), &awscognito.UserPoolClientOptions{
		UserPoolClientName: jsii.String(def.ClientName),
		// The BFF calls InitiateAuth server side; no browser ever sees the client, and the
		// local stack's moto client has no secret either.
		GenerateSecret: jsii.Bool(false),
		AuthFlows:      &awscognito.AuthFlow{UserPassword: jsii.Bool(true)},
		// No hosted UI or OAuth flow uses this client; CDK would otherwise enable the
		// implicit and code grants with a placeholder callback URL.
		DisableOAuth: jsii.Bool(true),
		// The product deliberately tells a signing-up user that the email is registered.
		PreventUserExistenceErrors: jsii.Bool(false),
		// Logout revokes the refresh token (RevokeToken needs this).
		EnableTokenRevocation: jsii.Bool(true),
		AccessTokenValidity:   awscdk.Duration_Minutes(jsii.Number(def.AccessTokenMinutes)),
		// The ID token is read alongside the access token, so it lives as long.
		IdTokenValidity:      awscdk.Duration_Minutes(jsii.Number(def.AccessTokenMinutes)),
		RefreshTokenValidity: awscdk.Duration_Days(jsii.Number(def.RefreshTokenDays)),
		// A sign-in's code challenge lives this long (the shortest Cognito allows).
		AuthSessionValidity: awscdk.Duration_Minutes(jsii.Number(3)),
	})

	groups := make(map[string]awscognito.CfnUserPoolGroup, len(def.Groups))
	for _, name := range def.Groups {
		// The group name is the construct ID: Cognito cannot rename a group, so a new
		// name is a new group either way.
		groups[name] = awscognito.NewCfnUserPoolGroup(c, jsii.String("Group-"+name), &awscognito.CfnUserPoolGroupProps{
			UserPoolId: pool.UserPoolId(),
			GroupName:  jsii.String(name),
		})
	}
	return &UserPool{Pool: pool, Client: client, Groups: groups}
}
