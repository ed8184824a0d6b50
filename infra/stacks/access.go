package stacks

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"

	"github.com/bank/devportal/shared/platform/route"
	tpproutes "github.com/bank/devportal/shared/tpp/routes"
)

// TableAccess is how much of the portal table a function may touch.
type TableAccess int

const (
	// NoTable is no access to portal data.
	NoTable TableAccess = iota
	// ReadTable is GetItem, Query and the other reads (table.GrantReadData).
	ReadTable
	// ReadWriteTable adds PutItem, UpdateItem and DeleteItem (table.GrantReadWriteData);
	// TransactWriteItems is authorized as the writes it holds.
	ReadWriteTable
	// GetItemTable is dynamodb:GetItem on the table itself, nothing else: no index, no
	// query or scan, for a function that reads one item by its key.
	GetItemTable
	// KeyReadTable is dynamodb:GetItem and dynamodb:BatchGetItem on the table itself: reads
	// of items by their keys, no index, no query or scan.
	KeyReadTable
)

// Access is what one function's role may do: the AWS calls its code makes, each scoped to
// its one resource, derived from its route's needs (route.Need) and accessExceptions. Table
// access is read, or read and write (or one of two key reads), on the partitions of the
// function's key families only.
type Access struct {
	// Table is the access to the portal table and its indexes.
	Table TableAccess
	// Keys are the portal table's partition-key families the function reaches (its
	// route's or job's Keys, those its Auth implies included): every statement on the
	// table and its indexes allows only them (dynamodb:LeadingKeys).
	Keys route.Keys
	// UserPool are the cognito-idp actions the function calls, on the portal pool only.
	UserPool []string
	// SendMail allows ses:SendEmail from the portal's sender identity only.
	SendMail bool
	// StartApproval allows states:StartExecution of the approval workflow.
	StartApproval bool
	// SandboxCA allows reading the sandbox CA's secret and storing its first value
	// (secretsmanager:GetSecretValue and PutSecretValue on that secret only), in a sandbox
	// deployment; the function is given SANDBOX_CA_SECRET_ARN.
	SandboxCA bool
	// SandboxCACert allows secretsmanager:GetSecretValue on the CA certificate's secret
	// (and, with SandboxCA, PutSecretValue, to store it once), in a sandbox deployment; the
	// function is given SANDBOX_CA_CERTIFICATE_SECRET_ARN.
	SandboxCACert bool
	// DecideApproval is the task-token call the function delivers a decision with:
	// "SendTaskSuccess" (approve) or "SendTaskFailure" (reject).
	DecideApproval string
	// PublishCRL allows s3:PutObject of the sandbox CA's CRL object (and nothing else of
	// its bucket), in a sandbox deployment; the function is given CRL_BUCKET.
	PublishCRL bool
	// UsagePlans are the API Gateway methods (GET, POST, DELETE) the function calls on API
	// keys and on the TPP API's usage plans, to keep the apps' usage keys and read their
	// use (UseUsagePlans grants them where there is a TPP API).
	UsagePlans []string
	// TPPTable is read and write access to the TPP table and its index (OAuth2 state, the
	// sandbox bank), on the partitions of TPPKeys only.
	TPPTable bool
	// TPPTableRead is read-only access to the TPP table and its index, on the partitions
	// of TPPKeys only: the bearer authorizer reads the access tokens it verifies, and
	// writes nothing.
	TPPTableRead bool
	// TPPKeys are the TPP table's partition-key families the function reaches (its
	// route's or job's TPPKeys): every statement on the table and its index allows only
	// them (dynamodb:LeadingKeys).
	TPPKeys route.Keys
	// OAuthKey allows secretsmanager:GetSecretValue on the OAuth key's secret only; the
	// function is given OAUTH_KEY_SECRET_ARN.
	OAuthKey bool
	// RegistrationKey allows secretsmanager:GetSecretValue on the registration key's
	// secret only; the function is given REGISTRATION_KEY_SECRET_ARN.
	RegistrationKey bool
	// SessionKey allows kms:GenerateDataKey and kms:Decrypt with the session key only:
	// sealing and opening the sessions' Cognito tokens.
	SessionKey bool
	// PasswordKey allows kms:GenerateMac with the password history's HMAC key only.
	PasswordKey bool
}

// sessionCalls is what the session middleware does before any session route's handler:
// it reads the session item and, when Cognito's access token has expired, refreshes it
// (InitiateAuth with REFRESH_TOKEN_AUTH) and rewrites the session item, or deletes it when
// the refresh is refused. Every Session and Operations route therefore needs table
// read/write and InitiateAuth, even one that only shows data (account-get).
var sessionCalls = []string{"InitiateAuth"}

// accessExceptions are the functions whose grants are not simply their route's needs:
// each need gives its grant (portal table: read and write; user pool: the session
// middleware's calls; mail, approvals, sandbox CA: theirs), and these say where a
// function needs less, or calls the user pool or a waiting workflow in its own way.
//
// SignUp, InitiateAuth, GlobalSignOut and ChangePassword are authorized by Cognito through
// the app client ID or the user's access token rather than by IAM; they are granted all the
// same, scoped to the pool, so that every call a function makes is listed and a function
// that must not sign anyone in has no such line.
var accessExceptions = map[string]func(*Access){
	// The portal reads an app's delivery log of status notifications in the TPP table,
	// and writes nothing there.
	"app-notifications": func(a *Access) { a.TPPTable, a.TPPTableRead = false, true },
	// One data-plane read of a key no item has proves the table answers (the user pool's
	// public keys are read without credentials).
	"healthz": func(a *Access) { a.Table = GetItemTable },
	// A public read of one invitation by its token.
	"invitation-lookup": func(a *Access) { a.Table = ReadTable },
	// The TPP API's authorizer: one BatchGetItem per request of the certificate's FPR#
	// item and the organization, app and certificate items its API key names.
	tpproutes.AuthorizerName: func(a *Access) { a.Table = KeyReadTable },
	// The authorizer of the routes that take a bearer token: the same reads, and the
	// token's session in the TPP table with the OAuth key that checks its signature.
	tpproutes.BearerAuthorizerName: func(a *Access) { a.Table, a.TPPTableRead, a.OAuthKey = KeyReadTable, true, true },
	// Signs up at Cognito, and deletes the Cognito user again if the profile cannot be
	// written.
	"auth-signup": func(a *Access) { a.UserPool = []string{"SignUp", "AdminDeleteUser", "AdminGetUser"} },
	// Confirms the user and marks the email verified; checks the password chosen at sign-up
	// (and revokes the check's refresh token) or sets a new one.
	"auth-activate": func(a *Access) {
		a.UserPool = []string{"AdminConfirmSignUp", "AdminUpdateUserAttributes", "InitiateAuth", "RevokeToken", "AdminSetUserPassword"}
	},
	// Checks the password; revokes an expired password's refresh token again.
	"auth-login": func(a *Access) { a.UserPool = []string{"InitiateAuth", "RevokeToken"} },
	// Answers the sign-in's code challenge; revokes the tokens of an account that may not
	// sign in (not active, password expired).
	"auth-login-mfa": func(a *Access) { a.UserPool = []string{"RespondToAuthChallenge", "RevokeToken"} },
	// Starts setting up an authenticator app with the user's access token.
	"auth-mfa-setup": func(a *Access) { a.UserPool = append(slices.Clone(sessionCalls), "AssociateSoftwareToken") },
	// Checks the app's code and turns the app on as the preferred second factor.
	"auth-mfa-verify": func(a *Access) {
		a.UserPool = append(slices.Clone(sessionCalls), "VerifySoftwareToken", "SetUserMFAPreference")
	},
	// Turns the authenticator app off.
	"auth-mfa-disable": func(a *Access) { a.UserPool = append(slices.Clone(sessionCalls), "SetUserMFAPreference") },
	// Checks the signed-in user's password (revoking the check's refresh token).
	"auth-confirm-password": func(a *Access) { a.UserPool = append(slices.Clone(sessionCalls), "RevokeToken") },
	// Revokes the session's tokens.
	"auth-logout": func(a *Access) { a.UserPool = append(slices.Clone(sessionCalls), "RevokeToken") },
	// Sets the password, confirms a still-pending user (the emailed link proved the
	// address) and signs the user out everywhere.
	"auth-reset-password": func(a *Access) {
		a.UserPool = []string{"AdminSetUserPassword", "AdminConfirmSignUp", "AdminUpdateUserAttributes", "AdminUserGlobalSignOut"}
	},
	// Renames the user at Cognito.
	"account-update": func(a *Access) { a.UserPool = append(slices.Clone(sessionCalls), "AdminUpdateUserAttributes") },
	// Changes the password with the user's access token and signs the other sessions out;
	// with two-step sign-in, answers the new password's code challenge.
	"account-change-password": func(a *Access) {
		a.UserPool = append(slices.Clone(sessionCalls), "ChangePassword", "RevokeToken", "AdminUserGlobalSignOut", "RespondToAuthChallenge")
	},
	// Reads the app's usage keys' use today (GetApiKeys, GetUsage).
	"app-get": func(a *Access) { a.UsagePlans = []string{"GET"} },
	// Deletes the app's usage keys (GetApiKeys, DeleteUsagePlanKey, DeleteApiKey).
	"app-delete": func(a *Access) { a.UsagePlans = []string{"GET", "DELETE"} },
	// Makes the usage keys the app's subscriptions lack (CreateApiKey, GetApiKeys,
	// CreateUsagePlanKey); a failed write leaves them, as they are needed anyway.
	"app-api-key-rotate": func(a *Access) { a.UsagePlans = []string{"GET", "POST"} },
	// Turns a member's authenticator app off as an administrator and signs them out
	// everywhere.
	"ops-member-mfa-reset": func(a *Access) {
		a.UserPool = append(slices.Clone(sessionCalls), "AdminSetUserMFAPreference", "AdminUserGlobalSignOut")
	},
	// Decisions are delivered to the waiting workflow with its task token.
	"ops-request-approve": func(a *Access) { a.DecideApproval = "SendTaskSuccess" },
	"ops-request-reject":  func(a *Access) { a.DecideApproval = "SendTaskFailure" },
}

// FunctionAccess is the access of the named function of the app (DefaultRouteTables), derived
// from its needs and its exception, and whether it is a function of the app.
func FunctionAccess(name string) (Access, bool) {
	f, ok := lookupFunction(name)
	if !ok {
		return Access{}, false
	}
	return accessOf(f), true
}

// accessOf is the function's access, derived from its needs and its exception.
func accessOf(f appFunction) Access {
	needs, auth := f.needs()
	var a Access
	if needs.Has(route.PortalTable) {
		a.Table = ReadWriteTable
	}
	if needs.Has(route.UserPool) && (auth == route.Session || auth == route.Operations) {
		a.UserPool = slices.Clone(sessionCalls)
	}
	a.SendMail = needs.Has(route.Mail)
	a.StartApproval = needs.Has(route.StartApproval)
	a.SandboxCA = needs.Has(route.SandboxCA)
	a.SandboxCACert = needs.Has(route.SandboxCACert) || a.SandboxCA // whoever holds the CA stores its certificate
	a.PublishCRL = needs.Has(route.PublishCRL)
	if needs.Has(route.UsagePlans) {
		a.UsagePlans = slices.Clone(usagePlanMethods)
	}
	// The TPP area reads the portal only through its one-read lookups: one GetItem of a
	// credential's or an organization's copy by its key (lookupdb, oauthdb's clients).
	if needs.Has(route.PortalTable) && f.tppArea() {
		a.Table = GetItemTable
	}
	a.TPPTable = needs.Has(route.TPPTable)
	a.OAuthKey = needs.Has(route.OAuthKey)
	a.RegistrationKey = needs.Has(route.RegistrationKey)
	a.SessionKey = needs.Has(route.SessionKey)
	a.PasswordKey = needs.Has(route.PasswordKey)
	if except, ok := accessExceptions[f.name]; ok {
		except(&a)
	}
	// Whatever reaches the table (an authorizer by its exception) reaches its families only.
	if a.Table != NoTable {
		a.Keys = f.portalKeys()
	}
	if a.TPPTable || a.TPPTableRead {
		a.TPPKeys = f.tppKeys()
	}
	return a
}

// checkAccess fails unless every function's needs turn into grants: a public route or a
// job that calls the user pool, or a route that decides approvals, must say which calls
// in accessExceptions; and every exception must belong to a function, so that a removed
// one leaves no grants behind for the next route to inherit by name.
func checkAccess(fns []appFunction) error {
	var problems []string
	for _, f := range fns {
		needs, _ := f.needs()
		a := accessOf(f)
		if needs.Has(route.UserPool) && len(a.UserPool) == 0 {
			problems = append(problems, f.name+" needs the user pool but no exception lists its calls")
		}
		if needs.Has(route.DecideApproval) && a.DecideApproval == "" {
			problems = append(problems, f.name+" decides approvals but no exception names the task-token call")
		}
		if a.Table != NoTable && len(a.Keys) == 0 {
			problems = append(problems, f.name+" reaches the portal table but declares no key families (Keys in its route table line)")
		}
		if (a.TPPTable || a.TPPTableRead) && len(a.TPPKeys) == 0 {
			problems = append(problems, f.name+" reaches the TPP table but declares no key families (TPPKeys in its route table line)")
		}
		if !a.TPPTable && !a.TPPTableRead && len(f.tppKeys()) > 0 {
			problems = append(problems, f.name+" declares TPP key families but does not need the TPP table")
		}
	}
	for name := range accessExceptions {
		if !slices.Contains(names(fns), name) {
			problems = append(problems, "accessExceptions names "+name+", which is not a deployed function")
		}
	}
	slices.Sort(problems)
	if len(problems) > 0 {
		return fmt.Errorf("stacks: function access (infra/stacks/access.go): %s", strings.Join(problems, "; "))
	}
	return nil
}

// grantResources are the resources a function's access is scoped to.
type grantResources struct {
	data     *DataStack
	identity *IdentityStack
	// approvalARN is the approval state machine's ARN (deployed by the workflow stack).
	approvalARN *string
}

// grant gives role the access a allows, each statement scoped to its resource: the portal
// table (with its indexes, on its key families' partitions only), the user pool's ARN and
// the SES sender identity's ARN.
func (g grantResources) grant(role awsiam.IRole, a Access) {
	if a.Table != NoTable {
		role.AddToPrincipalPolicy(g.tableStatement(a))
	}
	if len(a.UserPool) > 0 {
		var actions []*string
		for _, action := range a.UserPool {
			actions = append(actions, jsii.String("cognito-idp:"+action))
		}
		role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   &actions,
			Resources: &[]*string{g.identity.UserPool.UserPoolArn()},
		}))
	}
	if a.StartApproval {
		role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings("states:StartExecution"),
			Resources: &[]*string{g.approvalARN},
		}))
	}
	if a.DecideApproval != "" {
		// Task tokens are not resources: the task-token calls take no resource but "*".
		role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings("states:" + a.DecideApproval),
			Resources: jsii.Strings("*"),
		}))
	}
	if a.SandboxCA && g.identity.SandboxCA != nil {
		role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings("secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"),
			Resources: &[]*string{g.identity.SandboxCA.Ref()},
		}))
	}
	if a.SandboxCACert && g.identity.SandboxCACert != nil {
		actions := []string{"secretsmanager:GetSecretValue"}
		if a.SandboxCA {
			actions = append(actions, "secretsmanager:PutSecretValue")
		}
		role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings(actions...),
			Resources: &[]*string{g.identity.SandboxCACert.Ref()},
		}))
	}
	if a.PublishCRL && g.identity.SandboxCA != nil {
		role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings("s3:PutObject"),
			Resources: &[]*string{CRLObjectARN()},
		}))
	}
	if a.TPPTable || a.TPPTableRead {
		role.AddToPrincipalPolicy(g.tppTableStatement(a))
	}
	if a.OAuthKey {
		// Reading only (no DescribeSecret, no PutSecretValue): rotation is an operator's
		// call, not a function's.
		role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings("secretsmanager:GetSecretValue"),
			Resources: &[]*string{g.identity.OAuthKey.SecretArn()},
		}))
	}
	if a.RegistrationKey {
		// Reading only, as the OAuth key: a new key is an operator's call.
		role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings("secretsmanager:GetSecretValue"),
			Resources: &[]*string{g.identity.RegistrationKey.SecretArn()},
		}))
	}
	if a.SessionKey {
		role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings("kms:GenerateDataKey", "kms:Decrypt"),
			Resources: &[]*string{g.identity.SessionKey.KeyArn()},
		}))
	}
	if a.PasswordKey {
		role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings("kms:GenerateMac"),
			Resources: &[]*string{g.identity.PasswordKey.KeyArn()},
		}))
	}
	if a.SendMail {
		// SES authorizes SendEmail against the identity of the From address; no other
		// identity in the account can be sent from.
		role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings("ses:SendEmail"),
			Resources: &[]*string{g.identity.Sender.EmailIdentityArn()},
		}))
	}
}

// Table actions by access: no Scan (a scan has no partition key, so a LeadingKeys
// condition would not hold it) and no stream reads, which nothing calls.
var (
	tableReads  = []string{"dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "dynamodb:GetItem", "dynamodb:Query"}
	tableWrites = []string{"dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}
)

// tableStatement is a's one statement on the portal table: its actions, on the table
// (and its indexes where it may query), only on the partitions of its key families. A
// query on an index is authorized by the index's partition key, so the families of the
// indexes' partitions are among the table's.
func (g grantResources) tableStatement(a Access) awsiam.PolicyStatement {
	table := g.data.Portal.TableArn()
	resources := []*string{table, awscdk.Fn_Join(jsii.String(""), &[]*string{table, jsii.String("/index/*")})}
	var actions []string
	switch a.Table {
	case ReadTable:
		actions = tableReads
	case ReadWriteTable:
		actions = append(slices.Clone(tableReads), tableWrites...)
	case GetItemTable:
		actions, resources = []string{"dynamodb:GetItem"}, resources[:1]
	case KeyReadTable:
		actions, resources = []string{"dynamodb:BatchGetItem", "dynamodb:GetItem"}, resources[:1]
	}
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings(actions...),
		Resources: &resources,
		// ForAllValues: every partition a request names must match one pattern.
		Conditions: &map[string]interface{}{
			"ForAllValues:StringLike": map[string]interface{}{
				"dynamodb:LeadingKeys": a.Keys.LeadingKeys(),
			},
		},
	})
}

// tppTableStatement is a's one statement on the TPP table: reads, and writes unless it
// only reads, on the table and its index, only on the partitions of its TPP key families
// (a query on the index is authorized by the index's partition key, whose families are
// among them).
func (g grantResources) tppTableStatement(a Access) awsiam.PolicyStatement {
	table := g.data.TPP.TableArn()
	actions := slices.Clone(tableReads)
	if a.TPPTable {
		actions = append(actions, tableWrites...)
	}
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings(actions...),
		Resources: &[]*string{table, awscdk.Fn_Join(jsii.String(""), &[]*string{table, jsii.String("/index/*")})},
		Conditions: &map[string]interface{}{
			"ForAllValues:StringLike": map[string]interface{}{
				"dynamodb:LeadingKeys": a.TPPKeys.LeadingKeys(),
			},
		},
	})
}

// sortedKeys keeps the template stable: a map's order would reorder resources each run.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
