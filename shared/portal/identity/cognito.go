// Package identity is the Cognito implementation of account.Identity.
package identity

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/portal/account"
)

// Client is the subset of the Cognito client the portal uses.
type Client interface {
	SignUp(context.Context, *cip.SignUpInput, ...func(*cip.Options)) (*cip.SignUpOutput, error)
	AdminConfirmSignUp(context.Context, *cip.AdminConfirmSignUpInput, ...func(*cip.Options)) (*cip.AdminConfirmSignUpOutput, error)
	AdminUpdateUserAttributes(context.Context, *cip.AdminUpdateUserAttributesInput, ...func(*cip.Options)) (*cip.AdminUpdateUserAttributesOutput, error)
	AdminDeleteUser(context.Context, *cip.AdminDeleteUserInput, ...func(*cip.Options)) (*cip.AdminDeleteUserOutput, error)
	InitiateAuth(context.Context, *cip.InitiateAuthInput, ...func(*cip.Options)) (*cip.InitiateAuthOutput, error)
	RevokeToken(context.Context, *cip.RevokeTokenInput, ...func(*cip.Options)) (*cip.RevokeTokenOutput, error)
	AdminUserGlobalSignOut(context.Context, *cip.AdminUserGlobalSignOutInput, ...func(*cip.Options)) (*cip.AdminUserGlobalSignOutOutput, error)
	AdminGetUser(context.Context, *cip.AdminGetUserInput, ...func(*cip.Options)) (*cip.AdminGetUserOutput, error)
	ChangePassword(context.Context, *cip.ChangePasswordInput, ...func(*cip.Options)) (*cip.ChangePasswordOutput, error)
	AdminSetUserPassword(context.Context, *cip.AdminSetUserPasswordInput, ...func(*cip.Options)) (*cip.AdminSetUserPasswordOutput, error)
	DescribeUserPool(context.Context, *cip.DescribeUserPoolInput, ...func(*cip.Options)) (*cip.DescribeUserPoolOutput, error)
	RespondToAuthChallenge(context.Context, *cip.RespondToAuthChallengeInput, ...func(*cip.Options)) (*cip.RespondToAuthChallengeOutput, error)
	AssociateSoftwareToken(context.Context, *cip.AssociateSoftwareTokenInput, ...func(*cip.Options)) (*cip.AssociateSoftwareTokenOutput, error)
	VerifySoftwareToken(context.Context, *cip.VerifySoftwareTokenInput, ...func(*cip.Options)) (*cip.VerifySoftwareTokenOutput, error)
	SetUserMFAPreference(context.Context, *cip.SetUserMFAPreferenceInput, ...func(*cip.Options)) (*cip.SetUserMFAPreferenceOutput, error)
	AdminSetUserMFAPreference(context.Context, *cip.AdminSetUserMFAPreferenceInput, ...func(*cip.Options)) (*cip.AdminSetUserMFAPreferenceOutput, error)
}

// Cognito signs users up and in against one user pool and app client.
type Cognito struct {
	client   Client
	poolID   string
	clientID string
}

var (
	_ account.Identity    = (*Cognito)(nil)
	_ account.TOTPFactors = (*Cognito)(nil)
)

// NewCognito returns the identity provider for the pool and its app client.
func NewCognito(client Client, poolID, clientID string) *Cognito {
	return &Cognito{client: client, poolID: poolID, clientID: clientID}
}

// Ping checks that the user pool exists, for the health check.
func (c *Cognito) Ping(ctx context.Context) error {
	_, err := c.client.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &c.poolID})
	return err
}

// SignUp registers an unconfirmed user and returns Cognito's subject ID.
func (c *Cognito) SignUp(ctx context.Context, email, password, fullName string) (string, error) {
	out, err := c.client.SignUp(ctx, &cip.SignUpInput{
		ClientId: &c.clientID,
		Username: &email,
		Password: &password,
		UserAttributes: []types.AttributeType{
			{Name: aws.String("email"), Value: &email},
			{Name: aws.String("name"), Value: &fullName},
		},
	})
	var exists *types.UsernameExistsException
	var weak *types.InvalidPasswordException
	switch {
	case errors.As(err, &exists):
		return "", account.ErrEmailTaken
	case errors.As(err, &weak):
		return "", apperr.Fields(apperr.Field("password", "policy", "The password does not meet the password policy."))
	case err != nil:
		return "", apperr.Wrap(err, "cognito sign-up")
	}
	return aws.ToString(out.UserSub), nil
}

// Confirm activates the user and marks the email verified (the activation link proved it).
func (c *Cognito) Confirm(ctx context.Context, email string) error {
	if _, err := c.client.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: &c.poolID, Username: &email}); err != nil {
		var done *types.NotAuthorizedException
		if !errors.As(err, &done) { // already confirmed
			return apperr.Wrap(err, "cognito confirm")
		}
	}
	_, err := c.client.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{
		UserPoolId:     &c.poolID,
		Username:       &email,
		UserAttributes: []types.AttributeType{{Name: aws.String("email_verified"), Value: aws.String("true")}},
	})
	if err != nil {
		return apperr.Wrap(err, "cognito verify email")
	}
	return nil
}

// Delete removes the user; used to undo a sign-up whose profile could not be written.
func (c *Cognito) Delete(ctx context.Context, email string) error {
	_, err := c.client.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: &c.poolID, Username: &email})
	if err != nil {
		return apperr.Wrap(err, "cognito delete")
	}
	return nil
}

// Login checks the password and returns the user's tokens, or, for a user with an
// authenticator app, Cognito's session of the SOFTWARE_TOKEN_MFA challenge (the password
// was right; a code is needed).
func (c *Cognito) Login(ctx context.Context, email, password string) (account.Tokens, error) {
	out, err := c.client.InitiateAuth(ctx, &cip.InitiateAuthInput{
		ClientId:       &c.clientID,
		AuthFlow:       types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": email, "PASSWORD": password},
	})
	if err != nil {
		return account.Tokens{}, loginError(err)
	}
	if out.ChallengeName == types.ChallengeNameTypeSoftwareTokenMfa && out.Session != nil {
		return account.Tokens{Email: email, MFASession: *out.Session}, nil
	}
	if out.AuthenticationResult == nil {
		return account.Tokens{}, apperr.Wrap(fmt.Errorf("challenge %s", out.ChallengeName), "cognito login")
	}
	return tokens(out.AuthenticationResult, "")
}

// RespondTOTP answers the SOFTWARE_TOKEN_MFA challenge of session with a code from the
// user's authenticator app and returns the user's tokens. Cognito counts wrong codes:
// after too many the session is refused (ErrMFAChallengeEnded) and later sign-ins are
// slowed as for wrong passwords.
func (c *Cognito) RespondTOTP(ctx context.Context, email, session, code string) (account.Tokens, error) {
	out, err := c.client.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
		ClientId:           &c.clientID,
		ChallengeName:      types.ChallengeNameTypeSoftwareTokenMfa,
		Session:            &session,
		ChallengeResponses: map[string]string{"USERNAME": email, "SOFTWARE_TOKEN_MFA_CODE": code},
	})
	if err != nil {
		return account.Tokens{}, totpError(err, "cognito respond to challenge")
	}
	if out.AuthenticationResult == nil {
		return account.Tokens{}, apperr.Wrap(fmt.Errorf("challenge %s", out.ChallengeName), "cognito respond to challenge")
	}
	return tokens(out.AuthenticationResult, "")
}

// AssociateTOTP starts the enrolment of an authenticator app for the user of accessToken
// and returns the shared secret (base32). The secret is a credential: it is never logged.
func (c *Cognito) AssociateTOTP(ctx context.Context, accessToken string) (string, error) {
	out, err := c.client.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{AccessToken: &accessToken})
	if err != nil {
		return "", totpError(err, "cognito associate software token")
	}
	return aws.ToString(out.SecretCode), nil
}

// VerifyTOTP checks a code of the authenticator app being enrolled and, when it is right,
// turns the app on as the user's preferred second factor.
func (c *Cognito) VerifyTOTP(ctx context.Context, accessToken, code string) error {
	out, err := c.client.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{AccessToken: &accessToken, UserCode: &code,
		FriendlyDeviceName: aws.String("Authenticator app")})
	if err != nil {
		return totpError(err, "cognito verify software token")
	}
	if out.Status != types.VerifySoftwareTokenResponseTypeSuccess {
		return account.ErrMFACodeWrong
	}
	return c.SetTOTP(ctx, accessToken, true)
}

// SetTOTP turns the authenticator app on (as the preferred second factor) or off for the
// user of accessToken.
func (c *Cognito) SetTOTP(ctx context.Context, accessToken string, enabled bool) error {
	var opts []func(*cip.Options)
	if !enabled {
		opts = append(opts, func(o *cip.Options) { o.APIOptions = append(o.APIOptions, sayFalse) })
	}
	_, err := c.client.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: &accessToken,
		SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: enabled, PreferredMfa: enabled}}, opts...)
	if err != nil {
		return totpError(err, "cognito set MFA preference")
	}
	return nil
}

// ResetTOTP turns the authenticator app off for the user with email, as an administrator:
// the user has lost it, so there is no token of theirs to do it with.
func (c *Cognito) ResetTOTP(ctx context.Context, email string) error {
	_, err := c.client.AdminSetUserMFAPreference(ctx, &cip.AdminSetUserMFAPreferenceInput{UserPoolId: &c.poolID, Username: &email,
		SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{}}, func(o *cip.Options) { o.APIOptions = append(o.APIOptions, sayFalse) })
	var missing *types.UserNotFoundException
	if errors.As(err, &missing) {
		return apperr.ErrNotFound
	}
	if err != nil {
		return apperr.Wrap(err, "cognito admin set MFA preference")
	}
	return nil
}

// totpError maps Cognito's answers to a code: a wrong code names the field, a challenge
// Cognito no longer accepts (expired, or too many wrong codes) ends the sign-in attempt.
func totpError(err error, what string) error {
	var mismatch *types.CodeMismatchException
	var enable *types.EnableSoftwareTokenMFAException
	var expiredCode *types.ExpiredCodeException
	var notAuth *types.NotAuthorizedException
	var missing *types.ResourceNotFoundException
	var tooMany *types.TooManyRequestsException
	var tooManyFailed *types.TooManyFailedAttemptsException
	switch {
	case errors.As(err, &mismatch), errors.As(err, &enable), errors.As(err, &expiredCode):
		return account.ErrMFACodeWrong
	case errors.As(err, &notAuth), errors.As(err, &missing):
		return account.ErrMFAChallengeEnded
	case errors.As(err, &tooMany), errors.As(err, &tooManyFailed):
		return apperr.New(apperr.TooManyRequests, "TOO_MANY_ATTEMPTS", "Too many attempts. Wait a few minutes and try again.")
	default:
		return apperr.Wrap(err, what)
	}
}

func loginError(err error) error {
	var notConfirmed *types.UserNotConfirmedException
	var notAuth *types.NotAuthorizedException
	var notFound *types.UserNotFoundException
	var tooMany *types.TooManyRequestsException
	var reset *types.PasswordResetRequiredException
	switch {
	case errors.As(err, &notConfirmed):
		return account.ErrNotActivated
	case errors.As(err, &notAuth), errors.As(err, &notFound):
		return account.ErrBadCredentials
	case errors.As(err, &reset):
		return account.ErrPasswordExpired
	case errors.As(err, &tooMany):
		return apperr.New(apperr.TooManyRequests, "TOO_MANY_ATTEMPTS", "Too many attempts. Wait a few minutes and try again.")
	default:
		return apperr.Wrap(err, "cognito login")
	}
}

// Refresh exchanges the refresh token for new access tokens.
func (c *Cognito) Refresh(ctx context.Context, refreshToken string) (account.Tokens, error) {
	out, err := c.client.InitiateAuth(ctx, &cip.InitiateAuthInput{
		ClientId:       &c.clientID,
		AuthFlow:       types.AuthFlowTypeRefreshTokenAuth,
		AuthParameters: map[string]string{"REFRESH_TOKEN": refreshToken},
	})
	var notAuth *types.NotAuthorizedException
	if errors.As(err, &notAuth) {
		return account.Tokens{}, account.ErrUnauthenticated
	}
	if err != nil {
		return account.Tokens{}, apperr.Wrap(err, "cognito refresh")
	}
	if out.AuthenticationResult == nil {
		return account.Tokens{}, account.ErrUnauthenticated
	}
	return tokens(out.AuthenticationResult, refreshToken)
}

// RevokeToken revokes one refresh token and the access tokens issued from it.
func (c *Cognito) RevokeToken(ctx context.Context, refreshToken string) error {
	// No retries: revocation is best effort and must not hold up a sign-out.
	_, err := c.client.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: &c.clientID, Token: &refreshToken}, func(o *cip.Options) { o.RetryMaxAttempts = 1 })
	if err != nil {
		return apperr.Wrap(err, "cognito revoke token")
	}
	return nil
}

// SignOutEverywhere revokes all of a user's tokens, for a changed or reset password.
func (c *Cognito) SignOutEverywhere(ctx context.Context, email string) error {
	_, err := c.client.AdminUserGlobalSignOut(ctx, &cip.AdminUserGlobalSignOutInput{UserPoolId: &c.poolID, Username: &email})
	if err != nil {
		return apperr.Wrap(err, "cognito global sign-out")
	}
	return nil
}

// DeleteIfUnconfirmed removes a user who never confirmed, such as one left behind by a
// sign-up whose profile could not be written.
func (c *Cognito) DeleteIfUnconfirmed(ctx context.Context, email string) (bool, error) {
	u, err := c.client.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &c.poolID, Username: &email})
	var missing *types.UserNotFoundException
	if errors.As(err, &missing) {
		return false, nil
	}
	if err != nil {
		return false, apperr.Wrap(err, "cognito get user")
	}
	if u.UserStatus != types.UserStatusTypeUnconfirmed {
		return false, nil
	}
	return true, c.Delete(ctx, email)
}

// ChangePassword changes the password, checking the current one.
func (c *Cognito) ChangePassword(ctx context.Context, accessToken, current, next string) error {
	_, err := c.client.ChangePassword(ctx, &cip.ChangePasswordInput{AccessToken: &accessToken, PreviousPassword: &current, ProposedPassword: &next})
	var notAuth *types.NotAuthorizedException
	var weak *types.InvalidPasswordException
	var limit *types.LimitExceededException
	switch {
	case errors.As(err, &notAuth):
		return apperr.Fields(apperr.Field("currentPassword", "incorrect", "The current password is not correct."))
	case errors.As(err, &weak):
		return apperr.Fields(apperr.Field("newPassword", "policy", "The password does not meet the password policy."))
	case errors.As(err, &limit):
		return apperr.New(apperr.TooManyRequests, "TOO_MANY_ATTEMPTS", "Too many attempts. Wait a few minutes and try again.")
	case err != nil:
		return apperr.Wrap(err, "cognito change password")
	}
	return nil
}

// SetPassword sets a new permanent password (the reset link proved the user's email).
func (c *Cognito) SetPassword(ctx context.Context, email, password string) error {
	_, err := c.client.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: &c.poolID, Username: &email, Password: &password, Permanent: true})
	var weak *types.InvalidPasswordException
	if errors.As(err, &weak) {
		return apperr.Fields(apperr.Field("password", "policy", "The password does not meet the password policy."))
	}
	if err != nil {
		return apperr.Wrap(err, "cognito set password")
	}
	return nil
}

// UpdateName keeps Cognito's name attribute in step with the profile.
func (c *Cognito) UpdateName(ctx context.Context, email, fullName string) error {
	_, err := c.client.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{
		UserPoolId:     &c.poolID,
		Username:       &email,
		UserAttributes: []types.AttributeType{{Name: aws.String("name"), Value: &fullName}},
	})
	if err != nil {
		return apperr.Wrap(err, "cognito update name")
	}
	return nil
}

// claims are the ID token fields the portal reads. The token comes straight from Cognito
// over TLS in this same call, so its payload is read without verifying the signature.
type claims struct {
	Sub    string   `json:"sub"`
	Email  string   `json:"email"`
	Groups []string `json:"cognito:groups"`
	Exp    int64    `json:"exp"`
}

func tokens(res *types.AuthenticationResultType, refreshToken string) (account.Tokens, error) {
	var cl claims
	if err := decodeClaims(aws.ToString(res.IdToken), &cl); err != nil {
		return account.Tokens{}, apperr.Wrap(err, "read id token")
	}
	if res.RefreshToken != nil {
		refreshToken = *res.RefreshToken
	}
	expires := time.Now().Add(time.Duration(res.ExpiresIn) * time.Second)
	if res.ExpiresIn == 0 && cl.Exp > 0 {
		expires = time.Unix(cl.Exp, 0)
	}
	return account.Tokens{
		UserID:       cl.Sub,
		Email:        cl.Email,
		Groups:       cl.Groups,
		AccessToken:  aws.ToString(res.AccessToken),
		RefreshToken: refreshToken,
		ExpiresAt:    expires.UTC(),
	}, nil
}

func decodeClaims(jwt string, dst *claims) error {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return errors.New("not a JWT")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return err
	}
	return json.Unmarshal(payload, dst)
}

// sayFalse writes "turn the app off" explicitly. The SDK leaves false booleans out, so
// the settings go as {}; Cognito reads that as false, but moto (the local stack) reads an
// empty object as "no change". Sending {"Enabled":false,"PreferredMfa":false} means the
// same to both.
func sayFalse(stack *middleware.Stack) error {
	return stack.Build.Add(middleware.BuildMiddlewareFunc("SayMFAOff", func(ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
		req, ok := in.Request.(*smithyhttp.Request)
		if !ok {
			return next.HandleBuild(ctx, in)
		}
		body, err := io.ReadAll(req.GetStream())
		if err != nil {
			return middleware.BuildOutput{}, middleware.Metadata{}, err
		}
		body = bytes.Replace(body, []byte(`"SoftwareTokenMfaSettings":{}`), []byte(`"SoftwareTokenMfaSettings":{"Enabled":false,"PreferredMfa":false}`), 1)
		if req, err = req.SetStream(bytes.NewReader(body)); err != nil {
			return middleware.BuildOutput{}, middleware.Metadata{}, err
		}
		req.ContentLength = int64(len(body))
		in.Request = req
		return next.HandleBuild(ctx, in)
	}), middleware.After)
}
