package stacks

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"
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
)

// Access is what one function's role may do: the AWS calls its code makes (read from
// shared/portal/account, shared/portal/store, shared/portal/identity and shared/portal/wiring), each scoped to its one
// resource. Table access is as fine as CDK's table grants: read, or read and write.
type Access struct {
	// Table is the access to the portal table and its GSI1.
	Table TableAccess
	// DescribeTables allows dynamodb:DescribeTable on every table, for the health check.
	DescribeTables bool
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
	// DecideApproval is the task-token call the function delivers a decision with:
	// "SendTaskSuccess" (approve) or "SendTaskFailure" (reject).
	DecideApproval string
}

// sessionCalls is what the session middleware does before any session route's handler:
// it reads the session item and, when Cognito's access token has expired, refreshes it
// (InitiateAuth with REFRESH_TOKEN_AUTH) and rewrites the session item, or deletes it when
// the refresh is refused. Every Session and Operations route therefore needs table
// read/write and InitiateAuth, even one that only shows data (account-get).
var sessionCalls = []string{"InitiateAuth"}

// SignUp, InitiateAuth, GlobalSignOut and ChangePassword are authorized by Cognito through
// the app client ID or the user's access token rather than by IAM; they are granted all the
// same, scoped to the pool, so that this table lists every call a function makes and a
// function that must not sign anyone in has no such line.
var functionAccess = map[string]Access{
	// Pings every table (DescribeTable) and the user pool (DescribeUserPool); reads no data.
	"healthz": {DescribeTables: true, UserPool: []string{"DescribeUserPool"}},
	// Both answer from code and configuration alone.
	"openapi":         {},
	"password-policy": {},
	// Looks the email up, signs up at Cognito, writes profile, email reservation, password
	// history and activation link, mails the link; deletes the Cognito user again if the
	// profile cannot be written.
	"auth-signup": {Table: ReadWriteTable, UserPool: []string{"SignUp", "AdminDeleteUser", "AdminGetUser"}, SendMail: true},
	// Spends the link (UpdateItem), confirms the user and marks the email verified, updates
	// the profile.
	"auth-activate": {Table: ReadWriteTable, UserPool: []string{"AdminConfirmSignUp", "AdminUpdateUserAttributes"}},
	// Reads the profile, writes a new link, mails it.
	"auth-resend-activation": {Table: ReadWriteTable, SendMail: true},
	// Checks the password, reads the profile, writes the session; revokes an expired
	// password's refresh token again.
	"auth-login": {Table: ReadWriteTable, UserPool: []string{"InitiateAuth", "RevokeToken"}},
	// Session middleware, then another refresh and the session's new expiry.
	"auth-refresh": {Table: ReadWriteTable, UserPool: sessionCalls},
	// Session middleware, deletes the session, revokes the tokens.
	"auth-logout": {Table: ReadWriteTable, UserPool: append(slices.Clone(sessionCalls), "RevokeToken")},
	// Reads the profile, writes a reset link, mails it.
	"auth-forgot-password": {Table: ReadWriteTable, SendMail: true},
	// Reads and spends the link, checks and writes the password history, sets the password,
	// updates the profile, mails a notice; confirms a still-pending user (the emailed link
	// proved the address).
	"auth-reset-password": {Table: ReadWriteTable, UserPool: []string{"AdminSetUserPassword", "AdminConfirmSignUp", "AdminUpdateUserAttributes", "AdminUserGlobalSignOut"}, SendMail: true},
	// Session middleware, then reads the profile.
	"account-get": {Table: ReadWriteTable, UserPool: sessionCalls},
	// Session middleware, renames the user at Cognito and in the profile.
	"account-update": {Table: ReadWriteTable, UserPool: append(slices.Clone(sessionCalls), "AdminUpdateUserAttributes")},
	// Session middleware, updates the profile.
	"account-preferences": {Table: ReadWriteTable, UserPool: sessionCalls},
	// Session middleware, checks the history, changes the password with the user's access
	// token, writes history and profile, mails a notice.
	"account-change-password": {Table: ReadWriteTable, UserPool: append(slices.Clone(sessionCalls), "ChangePassword", "RevokeToken", "AdminUserGlobalSignOut"), SendMail: true},
	// Organization reads and member changes: session middleware, then the table only.
	"org-list":            {Table: ReadWriteTable, UserPool: sessionCalls},
	"org-get":             {Table: ReadWriteTable, UserPool: sessionCalls},
	"org-members":         {Table: ReadWriteTable, UserPool: sessionCalls},
	"org-requests":        {Table: ReadWriteTable, UserPool: sessionCalls},
	"org-audit":           {Table: ReadWriteTable, UserPool: sessionCalls},
	"org-join":            {Table: ReadWriteTable, UserPool: sessionCalls},
	"org-code-regenerate": {Table: ReadWriteTable, UserPool: sessionCalls},
	// Checks eIDAS certificates against the trusted CAs, in the sandbox also the sandbox CA.
	"org-certificates-preview": {Table: ReadWriteTable, UserPool: sessionCalls, SandboxCA: true},
	// Issues a test QWAC or QSealC from the sandbox CA.
	"sandbox-certificates": {Table: ReadWriteTable, UserPool: sessionCalls, SandboxCA: true},
	// Checks the certificates as the preview does, writes the pending organization with its
	// request, then starts its approval workflow.
	"org-onboard": {Table: ReadWriteTable, UserPool: sessionCalls, StartApproval: true, SandboxCA: true},
	// Member and invitation management: the table, and invitation emails.
	"org-member-role":       {Table: ReadWriteTable, UserPool: sessionCalls},
	"org-member-remove":     {Table: ReadWriteTable, UserPool: sessionCalls},
	"org-leave":             {Table: ReadWriteTable, UserPool: sessionCalls},
	"org-owner":             {Table: ReadWriteTable, UserPool: sessionCalls},
	"org-invitations":       {Table: ReadWriteTable, UserPool: sessionCalls},
	"org-invite":            {Table: ReadWriteTable, UserPool: sessionCalls, SendMail: true},
	"org-invitation-resend": {Table: ReadWriteTable, UserPool: sessionCalls, SendMail: true},
	"org-invitation-revoke": {Table: ReadWriteTable, UserPool: sessionCalls},
	"invitation-accept":     {Table: ReadWriteTable, UserPool: sessionCalls},
	// A public read of one invitation by its token.
	"invitation-get": {Table: ReadTable},
	// Apps and credentials: the table only (secrets are hashed in the function).
	"app-list":               {Table: ReadWriteTable, UserPool: sessionCalls},
	"app-create":             {Table: ReadWriteTable, UserPool: sessionCalls},
	"app-get":                {Table: ReadWriteTable, UserPool: sessionCalls},
	"app-rename":             {Table: ReadWriteTable, UserPool: sessionCalls},
	"app-delete":             {Table: ReadWriteTable, UserPool: sessionCalls},
	"credential-add":         {Table: ReadWriteTable, UserPool: sessionCalls},
	"app-redirect-add":       {Table: ReadWriteTable, UserPool: sessionCalls},
	"org-certificates":       {Table: ReadWriteTable, UserPool: sessionCalls},
	"org-certificate-upload": {Table: ReadWriteTable, UserPool: sessionCalls},
	"app-certificate-attach": {Table: ReadWriteTable, UserPool: sessionCalls},
	"app-certificate-detach": {Table: ReadWriteTable, UserPool: sessionCalls},
	"app-redirect-remove":    {Table: ReadWriteTable, UserPool: sessionCalls},
	"org-certificate-delete": {Table: ReadWriteTable, UserPool: sessionCalls},
	// Issues from the sandbox CA in the function (its key from the sandbox CA's secret),
	// then uploads and attaches like the two routes above.
	"app-certificate-issue": {Table: ReadWriteTable, UserPool: sessionCalls, SandboxCA: true},
	"product-catalog":       {Table: ReadWriteTable, UserPool: sessionCalls},
	"subscription-list":     {Table: ReadWriteTable, UserPool: sessionCalls},
	"subscription-delete":   {Table: ReadWriteTable, UserPool: sessionCalls},
	// Premium subscriptions and go-live requests start the approval workflow.
	"subscription-create": {Table: ReadWriteTable, UserPool: sessionCalls, StartApproval: true},
	"app-go-live":         {Table: ReadWriteTable, UserPool: sessionCalls, StartApproval: true},
	"credential-verify":   {Table: ReadWriteTable, UserPool: sessionCalls},
	"credential-reset":    {Table: ReadWriteTable, UserPool: sessionCalls},
	"credential-rename":   {Table: ReadWriteTable, UserPool: sessionCalls},
	"credential-revoke":   {Table: ReadWriteTable, UserPool: sessionCalls},
	// Rename and offboarding requests start the approval workflow.
	"org-rename":   {Table: ReadWriteTable, UserPool: sessionCalls, StartApproval: true},
	"org-offboard": {Table: ReadWriteTable, UserPool: sessionCalls, StartApproval: true},
	// The operations console: reads, and decisions delivered to the waiting workflow.
	"ops-requests":         {Table: ReadWriteTable, UserPool: sessionCalls},
	"ops-request-get":      {Table: ReadWriteTable, UserPool: sessionCalls},
	"ops-organizations":    {Table: ReadWriteTable, UserPool: sessionCalls},
	"ops-audit":            {Table: ReadWriteTable, UserPool: sessionCalls},
	"ops-organization-get": {Table: ReadWriteTable, UserPool: sessionCalls},
	"ops-request-approve":  {Table: ReadWriteTable, UserPool: sessionCalls, DecideApproval: "SendTaskSuccess"},
	"ops-request-reject":   {Table: ReadWriteTable, UserPool: sessionCalls, DecideApproval: "SendTaskFailure"},
	// Pages through GSI1's profile list (Query), updates each warned profile, mails it.
	"password-expiry-reminder": {Table: ReadWriteTable, SendMail: true},
	// Lists pending requests (GSI1) and starts the workflow of those that have none.
	"approval-reconciler": {Table: ReadWriteTable, StartApproval: true},
	// Queries GSI1's certificates by expiry, reads organizations and members, mails the
	// warnings and records them on each certificate.
	"certificate-expiry-reminder": {Table: ReadWriteTable, SendMail: true},
	// The TPP API's authorizer: one GetItem of the certificate's FPR# item per request.
	"tpp-authorizer": {Table: GetItemTable},
}

// FunctionAccess is the access of the named function, and whether the table has it.
func FunctionAccess(name string) (Access, bool) {
	a, ok := functionAccess[name]
	return a, ok
}

// checkAccess fails unless every function has an access entry and every entry belongs to a
// function: a new route must say what it calls before it can deploy, and a removed one
// must not leave grants behind for the next route to inherit by name.
func checkAccess(names []string) error {
	var missing, stale []string
	for _, name := range names {
		if _, ok := functionAccess[name]; !ok {
			missing = append(missing, name)
		}
	}
	for name := range functionAccess {
		if !slices.Contains(names, name) {
			stale = append(stale, name)
		}
	}
	slices.Sort(stale)
	switch {
	case len(missing) > 0:
		return fmt.Errorf("stacks: function(s) %s have no entry in functionAccess (infra/stacks/access.go): "+
			"add one listing the AWS calls the function makes", strings.Join(missing, ", "))
	case len(stale) > 0:
		return fmt.Errorf("stacks: functionAccess has entries for %s, which are not deployed functions: remove them",
			strings.Join(stale, ", "))
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
// table (with its indexes, through CDK's table grants), the user pool's ARN and the SES
// sender identity's ARN.
func (g grantResources) grant(role awsiam.IRole, a Access) {
	switch a.Table {
	case ReadTable:
		g.data.Portal.GrantReadData(role)
	case ReadWriteTable:
		g.data.Portal.GrantReadWriteData(role)
	case GetItemTable:
		role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings("dynamodb:GetItem"),
			Resources: &[]*string{g.data.Portal.TableArn()},
		}))
	}
	if a.DescribeTables {
		var arns []*string
		for _, name := range sortedKeys(g.data.Tables) {
			arns = append(arns, g.data.Tables[name].TableArn())
		}
		role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings("dynamodb:DescribeTable"),
			Resources: &arns,
		}))
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
	if a.SendMail {
		// SES authorizes SendEmail against the identity of the From address; no other
		// identity in the account can be sent from.
		role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings("ses:SendEmail"),
			Resources: &[]*string{g.identity.Sender.EmailIdentityArn()},
		}))
	}
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
