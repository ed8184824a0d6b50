package motoserver

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	agtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/platform/tabledef"
	"github.com/bank/devportal/shared/portal/account"
	"github.com/bank/devportal/shared/portal/apps"
	"github.com/bank/devportal/shared/portal/resources"
	"github.com/bank/devportal/shared/portal/store"
	"github.com/bank/devportal/shared/portal/workflow"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
	"github.com/bank/devportal/shared/tpp/sandboxbank/bankstore"
	"github.com/bank/devportal/shared/tpp/tppdata"
)

// OpsUser is the operations login the bootstrap guarantees.
type OpsUser struct {
	Email    string
	Password string
	Name     string
}

// Outputs are the identifiers the bootstrap found or created; the caller puts them into
// the configuration of the portal handlers.
type Outputs struct {
	UserPoolID              string
	UserPoolClientID        string
	ApprovalStateMachineARN string
	// UsagePlanIDs are the TPP API's usage plans by apps.UsagePlanKey (USAGE_PLAN_IDS).
	UsagePlanIDs map[string]string
	// RegistrationKeySecretARN is the registration API's response-signing key's secret
	// (REGISTRATION_KEY_SECRET_ARN).
	RegistrationKeySecretARN string
}

// Bootstrap creates, or finds as they are, every resource the portal needs. Running it
// twice changes nothing.
func Bootstrap(ctx context.Context, awsCfg aws.Config, c config.Config, ops ...OpsUser) (Outputs, error) {
	db := dynamodb.NewFromConfig(awsCfg)
	if err := CreateTables(ctx, db, c); err != nil {
		return Outputs{}, err
	}
	idp := cip.NewFromConfig(awsCfg)
	out, err := ensureUserPool(ctx, idp, resources.PortalUserPool(c))
	if err != nil {
		return Outputs{}, fmt.Errorf("user pool: %w", err)
	}
	if err := EnsureAccountKeys(ctx, kms.NewFromConfig(awsCfg), c); err != nil {
		return Outputs{}, err
	}
	if err := ensureSender(ctx, sesv2.NewFromConfig(awsCfg), c.MailFrom); err != nil {
		return Outputs{}, fmt.Errorf("SES sender %s: %w", c.MailFrom, err)
	}
	for _, o := range ops {
		if err := ensureOpsUser(ctx, idp, store.NewPortal(db, c.PortalTable), out.UserPoolID, c.OpsGroup, o); err != nil {
			return Outputs{}, fmt.Errorf("operations user %s: %w", o.Email, err)
		}
	}
	if out.ApprovalStateMachineARN, err = ensureStateMachine(ctx, sfn.NewFromConfig(awsCfg), c); err != nil {
		return Outputs{}, fmt.Errorf("approval state machine: %w", err)
	}
	if err := ensureBucket(ctx, s3.NewFromConfig(awsCfg, func(o *s3.Options) { o.UsePathStyle = true }), c); err != nil {
		return Outputs{}, fmt.Errorf("CRL bucket %s: %w", c.CRLBucket, err)
	}
	if out.UsagePlanIDs, err = EnsureUsagePlans(ctx, apigateway.NewFromConfig(awsCfg)); err != nil {
		return Outputs{}, fmt.Errorf("usage plans: %w", err)
	}
	if out.RegistrationKeySecretARN, err = EnsureRegistrationKey(ctx, secretsmanager.NewFromConfig(awsCfg), c); err != nil {
		return Outputs{}, err
	}
	return out, nil
}

// RegistrationKeyLength is the registration key's length, as the identity stack
// generates it: 64 letters and digits.
const RegistrationKeyLength = 64

// EnsureRegistrationKey creates the registration API's response-signing key's secret,
// named after the portal table (one per set of resources on one moto), with a random
// value as the identity stack's is generated, unless it exists; it answers its ARN.
func EnsureRegistrationKey(ctx context.Context, client *secretsmanager.Client, c config.Config) (string, error) {
	name := "devportal-registration-key-" + c.PortalTable
	got, err := client.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: &name})
	var missing *smtypes.ResourceNotFoundException
	switch {
	case err == nil:
		return aws.ToString(got.ARN), nil
	case !errors.As(err, &missing):
		return "", fmt.Errorf("registration key %s: %w", name, err)
	}
	value, err := client.GetRandomPassword(ctx, &secretsmanager.GetRandomPasswordInput{PasswordLength: aws.Int64(RegistrationKeyLength),
		ExcludePunctuation: aws.Bool(true), IncludeSpace: aws.Bool(false)})
	if err != nil {
		return "", fmt.Errorf("registration key %s: %w", name, err)
	}
	made, err := client.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: &name, SecretString: value.RandomPassword})
	var taken *smtypes.ResourceExistsException
	if errors.As(err, &taken) { // a bootstrap running beside this one made it
		return EnsureRegistrationKey(ctx, client, c)
	}
	if err != nil {
		return "", fmt.Errorf("registration key %s: %w", name, err)
	}
	return aws.ToString(made.ARN), nil
}

// EnsureAccountKeys creates the KMS keys of the portal's accounts under the aliases the
// configuration names, unless they exist: the symmetric key that seals sessions' Cognito
// tokens and the HMAC key of the password history.
func EnsureAccountKeys(ctx context.Context, client *kms.Client, c config.Config) error {
	for _, k := range []struct {
		alias string
		spec  kmstypes.KeySpec
		usage kmstypes.KeyUsageType
	}{
		{c.SessionKeyID, kmstypes.KeySpecSymmetricDefault, kmstypes.KeyUsageTypeEncryptDecrypt},
		{c.PasswordKeyID, kmstypes.KeySpecHmac256, kmstypes.KeyUsageTypeGenerateVerifyMac},
	} {
		_, err := client.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &k.alias})
		var missing *kmstypes.NotFoundException
		switch {
		case err == nil:
			continue
		case !errors.As(err, &missing):
			return fmt.Errorf("KMS key %s: %w", k.alias, err)
		}
		created, err := client.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: k.spec, KeyUsage: k.usage})
		if err != nil {
			return fmt.Errorf("KMS key %s: %w", k.alias, err)
		}
		_, err = client.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: &k.alias, TargetKeyId: created.KeyMetadata.KeyId})
		var taken *kmstypes.AlreadyExistsException
		if err != nil && !errors.As(err, &taken) { // taken: a bootstrap running beside this one made it
			return fmt.Errorf("KMS alias %s: %w", k.alias, err)
		}
	}
	return nil
}

// ensureBucket creates the bucket the sandbox CA's CRL is published to (deployed, the
// frontend stack's CRL bucket, served by CloudFront; locally the dev server serves it).
func ensureBucket(ctx context.Context, client *s3.Client, c config.Config) error {
	_, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(c.CRLBucket),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(c.Region)}})
	var owned *s3types.BucketAlreadyOwnedByYou
	var exists *s3types.BucketAlreadyExists
	if errors.As(err, &owned) || errors.As(err, &exists) {
		return nil
	}
	return err
}

// LoadSandboxBank generates the sandbox bank of the configured seed and date and loads it
// into the TPP table (which Bootstrap creates), unless the table holds it already.
func LoadSandboxBank(ctx context.Context, awsCfg aws.Config, c config.Config) (sandboxbank.Bank, bankstore.LoadResult, error) {
	bank, err := sandboxbank.FromConfig(c)
	if err != nil {
		return sandboxbank.Bank{}, bankstore.LoadResult{}, err
	}
	res, err := bankstore.New(dynamodb.NewFromConfig(awsCfg), c.TPPTable).Load(ctx, bank, false)
	return bank, res, err
}

// EnsureUsagePlans creates, or finds by name, one usage plan per catalog product and plan,
// with the plan's rate limit (burst the same) and daily quota, as the TPP API stack does:
// the portal keeps each subscription's usage key in them. The local stack has both
// environments, so it has the plans of both.
func EnsureUsagePlans(ctx context.Context, client *apigateway.Client) (map[string]string, error) {
	existing := map[string]string{}
	pages := apigateway.NewGetUsagePlansPaginator(client, &apigateway.GetUsagePlansInput{})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, p := range page.Items {
			existing[aws.ToString(p.Name)] = aws.ToString(p.Id)
		}
	}
	ids := map[string]string{}
	for _, p := range apps.Catalog {
		for _, plan := range p.Plans {
			name := apps.UsagePlanKey(p.ID, plan.ID)
			if id, ok := existing[name]; ok {
				ids[name] = id
				continue
			}
			created, err := client.CreateUsagePlan(ctx, &apigateway.CreateUsagePlanInput{
				Name:        aws.String(name),
				Description: aws.String(p.Name + ", " + plan.Name + " plan"),
				Throttle:    &agtypes.ThrottleSettings{RateLimit: float64(plan.RateLimitPerSecond), BurstLimit: int32(plan.RateLimitPerSecond)},
				Quota:       &agtypes.QuotaSettings{Limit: int32(plan.QuotaPerDay), Period: agtypes.QuotaPeriodTypeDay},
			})
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			ids[name] = aws.ToString(created.Id)
		}
	}
	return ids, nil
}

// ensureStateMachine creates the approval workflow from the same ASL file CDK deploys, or
// brings an existing one up to date with it.
func ensureStateMachine(ctx context.Context, client *sfn.Client, c config.Config) (string, error) {
	def, err := workflow.Definition(workflow.Substitutions(c))
	if err != nil {
		return "", err
	}
	name := c.ApprovalStateMachineName
	pages := sfn.NewListStateMachinesPaginator(client, &sfn.ListStateMachinesInput{})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return "", err
		}
		for _, sm := range page.StateMachines {
			if aws.ToString(sm.Name) == name {
				_, err := client.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: sm.StateMachineArn, Definition: &def})
				return aws.ToString(sm.StateMachineArn), err
			}
		}
	}
	created, err := client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name:       &name,
		Definition: &def,
		RoleArn:    aws.String("arn:aws:iam::123456789012:role/" + name),
		Type:       sfntypes.StateMachineTypeStandard,
	})
	if err != nil {
		return "", err
	}
	return aws.ToString(created.StateMachineArn), nil
}

// CreateTables creates every table of both areas (resources.Tables, tppdata.Table) that
// does not exist yet.
func CreateTables(ctx context.Context, db *dynamodb.Client, c config.Config) error {
	for _, t := range append(resources.Tables(c), tppdata.Table(c)) {
		if err := ensureTable(ctx, db, t); err != nil {
			return fmt.Errorf("table %s: %w", t.Name, err)
		}
	}
	return nil
}

func ensureTable(ctx context.Context, db *dynamodb.Client, t tabledef.Table) error {
	_, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &t.Name})
	var missing *ddbtypes.ResourceNotFoundException
	if err == nil {
		return nil
	}
	if !errors.As(err, &missing) {
		return err
	}
	attrs := map[string]bool{t.PartitionKey: true}
	keys := []ddbtypes.KeySchemaElement{{AttributeName: &t.PartitionKey, KeyType: ddbtypes.KeyTypeHash}}
	if t.SortKey != "" {
		attrs[t.SortKey] = true
		keys = append(keys, ddbtypes.KeySchemaElement{AttributeName: &t.SortKey, KeyType: ddbtypes.KeyTypeRange})
	}
	var gsis []ddbtypes.GlobalSecondaryIndex
	for _, g := range t.GSIs {
		attrs[g.PartitionKey], attrs[g.SortKey] = true, true
		gsis = append(gsis, ddbtypes.GlobalSecondaryIndex{
			IndexName: aws.String(g.Name),
			KeySchema: []ddbtypes.KeySchemaElement{
				{AttributeName: aws.String(g.PartitionKey), KeyType: ddbtypes.KeyTypeHash},
				{AttributeName: aws.String(g.SortKey), KeyType: ddbtypes.KeyTypeRange},
			},
			Projection: &ddbtypes.Projection{ProjectionType: ddbtypes.ProjectionTypeAll},
		})
	}
	var defs []ddbtypes.AttributeDefinition
	for name := range attrs {
		defs = append(defs, ddbtypes.AttributeDefinition{AttributeName: aws.String(name), AttributeType: ddbtypes.ScalarAttributeTypeS})
	}
	_, err = db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:              &t.Name,
		KeySchema:              keys,
		AttributeDefinitions:   defs,
		GlobalSecondaryIndexes: gsis,
		BillingMode:            ddbtypes.BillingModePayPerRequest,
	})
	var inUse *ddbtypes.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) {
		return err
	}
	if err := dynamodb.NewTableExistsWaiter(db).Wait(ctx, &dynamodb.DescribeTableInput{TableName: &t.Name}, time.Minute); err != nil {
		return err
	}
	if t.TTLAttribute != "" {
		_, err = db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
			TableName:               &t.Name,
			TimeToLiveSpecification: &ddbtypes.TimeToLiveSpecification{AttributeName: &t.TTLAttribute, Enabled: aws.Bool(true)},
		})
	}
	return err
}

func ensureUserPool(ctx context.Context, idp *cip.Client, p resources.UserPool) (Outputs, error) {
	var poolID string
	pages := cip.NewListUserPoolsPaginator(idp, &cip.ListUserPoolsInput{MaxResults: aws.Int32(60)})
	for pages.HasMorePages() && poolID == "" {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return Outputs{}, err
		}
		for _, up := range page.UserPools {
			if aws.ToString(up.Name) == p.Name {
				poolID = aws.ToString(up.Id)
			}
		}
	}
	if poolID == "" {
		created, err := idp.CreateUserPool(ctx, &cip.CreateUserPoolInput{
			PoolName:           &p.Name,
			UsernameAttributes: []ciptypes.UsernameAttributeType{ciptypes.UsernameAttributeTypeEmail},
			Policies: &ciptypes.UserPoolPolicyType{PasswordPolicy: &ciptypes.PasswordPolicyType{
				MinimumLength:    aws.Int32(int32(p.MinLength)),
				RequireUppercase: p.RequireUppercase,
				RequireLowercase: p.RequireLowercase,
				RequireNumbers:   p.RequireNumbers,
				RequireSymbols:   p.RequireSymbols,
			}},
			AdminCreateUserConfig: &ciptypes.AdminCreateUserConfigType{AllowAdminCreateUserOnly: false},
		})
		if err != nil {
			return Outputs{}, err
		}
		poolID = aws.ToString(created.UserPool.Id)
	}
	// Two-step sign-in with an authenticator app, optional, as the deployed pool has it.
	if _, err := idp.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: &poolID,
		MfaConfiguration:              ciptypes.UserPoolMfaTypeOptional,
		SoftwareTokenMfaConfiguration: &ciptypes.SoftwareTokenMfaConfigType{Enabled: true}}); err != nil {
		return Outputs{}, err
	}
	clientID, err := ensureClient(ctx, idp, poolID, p)
	if err != nil {
		return Outputs{}, err
	}
	for _, g := range p.Groups {
		_, err := idp.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: &poolID, GroupName: aws.String(g)})
		var exists *ciptypes.GroupExistsException
		if err != nil && !errors.As(err, &exists) {
			return Outputs{}, err
		}
	}
	return Outputs{UserPoolID: poolID, UserPoolClientID: clientID}, nil
}

func ensureClient(ctx context.Context, idp *cip.Client, poolID string, p resources.UserPool) (string, error) {
	list, err := idp.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: &poolID, MaxResults: aws.Int32(60)})
	if err != nil {
		return "", err
	}
	for _, c := range list.UserPoolClients {
		if aws.ToString(c.ClientName) == p.ClientName {
			return aws.ToString(c.ClientId), nil
		}
	}
	created, err := idp.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: &poolID,
		ClientName: &p.ClientName,
		ExplicitAuthFlows: []ciptypes.ExplicitAuthFlowsType{
			ciptypes.ExplicitAuthFlowsTypeAllowUserPasswordAuth,
			ciptypes.ExplicitAuthFlowsTypeAllowRefreshTokenAuth,
		},
		AccessTokenValidity:  aws.Int32(int32(p.AccessTokenMinutes)),
		RefreshTokenValidity: int32(p.RefreshTokenDays),
		TokenValidityUnits: &ciptypes.TokenValidityUnitsType{
			AccessToken:  ciptypes.TimeUnitsTypeMinutes,
			IdToken:      ciptypes.TimeUnitsTypeMinutes,
			RefreshToken: ciptypes.TimeUnitsTypeDays,
		},
	})
	if err != nil {
		return "", err
	}
	return aws.ToString(created.UserPoolClient.ClientId), nil
}

func ensureSender(ctx context.Context, ses *sesv2.Client, from string) error {
	_, err := ses.GetEmailIdentity(ctx, &sesv2.GetEmailIdentityInput{EmailIdentity: &from})
	if err == nil {
		return nil
	}
	_, err = ses.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: &from})
	return err
}

func ensureOpsUser(ctx context.Context, idp *cip.Client, profiles account.Profiles, poolID, group string, ops OpsUser) error {
	var sub string
	got, err := idp.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: &ops.Email})
	var missing *ciptypes.UserNotFoundException
	switch {
	case err == nil:
		sub = attr(got.UserAttributes, "sub")
	case errors.As(err, &missing):
		created, err := idp.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
			UserPoolId:    &poolID,
			Username:      &ops.Email,
			MessageAction: ciptypes.MessageActionTypeSuppress,
			UserAttributes: []ciptypes.AttributeType{
				{Name: aws.String("email"), Value: &ops.Email},
				{Name: aws.String("email_verified"), Value: aws.String("true")},
				{Name: aws.String("name"), Value: &ops.Name},
			},
		})
		if err != nil {
			return err
		}
		sub = attr(created.User.Attributes, "sub")
		if _, err := idp.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: &poolID, Username: &ops.Email, Password: &ops.Password, Permanent: true}); err != nil {
			return fmt.Errorf("set password (does OPS_PASSWORD meet the password policy?): %w", err)
		}
	default:
		return err
	}
	if _, err := idp.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: &poolID, Username: &ops.Email, GroupName: &group}); err != nil {
		return err
	}
	now := time.Now().UTC()
	err = profiles.CreateProfile(ctx, account.Profile{
		UserID: sub, Email: ops.Email, FullName: ops.Name, Status: account.StatusActive,
		CreatedAt: now, ActivatedAt: now, TermsAcceptedAt: now, PasswordChangedAt: now,
		Preferences: account.DefaultPreferences,
	})
	if errors.Is(err, apperr.ErrConflict) {
		return nil
	}
	return err
}

func attr(attrs []ciptypes.AttributeType, name string) string {
	for _, a := range attrs {
		if aws.ToString(a.Name) == name {
			return aws.ToString(a.Value)
		}
	}
	return ""
}
