package stacks_test

//lint:file-ignore SA1019 CDK v2.270's Go bindings expose synthesis messages only through the cxapi types marked deprecated.

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/jsii-runtime-go"

	"github.com/bank/devportal/infra/stacks"
	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/portal/resources"
	"github.com/bank/devportal/shared/portal/routes"
	"github.com/bank/devportal/shared/tpp/tppdata"
)

// outdir receives the cloud assemblies (a directory per app) and cdk-nag's reports;
// TestMain removes it, where
// CDK's own temporary directory would stay behind after every run.
var outdir string

// codeDir stands in for GoBundler's output: one placeholder bootstrap, which every
// function's asset points at, so the tests neither need nor wait for a Go cross-build.
var codeDir string

func TestMain(m *testing.M) {
	code, err := runTests(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	os.Exit(code)
}

// runTests makes the temporary directories, runs the tests and removes the directories
// again, apart from TestMain so that its deferred calls run before os.Exit.
func runTests(m *testing.M) (int, error) {
	defer jsii.Close()
	dir, err := os.MkdirTemp("", "devportal-infra-test-")
	if err != nil {
		return 1, err
	}
	defer os.RemoveAll(dir)
	outdir = dir
	codeDir, err = os.MkdirTemp("", "devportal-infra-code-")
	if err != nil {
		return 1, err
	}
	defer os.RemoveAll(codeDir)
	if err := os.WriteFile(filepath.Join(codeDir, "bootstrap"), []byte("placeholder\n"), 0o755); err != nil {
		return 1, err
	}
	return m.Run(), nil
}

// placeholderCode is the tests' stacks.FunctionCode.
func placeholderCode(string) awslambda.Code {
	return awslambda.Code_FromAsset(jsii.String(codeDir), nil)
}

// synthesized is one synthesis of the whole app, made once per test binary for each
// environment: jsii makes every synthesis cost seconds.
type synthesized struct {
	// env is the deployment's environment (the "environment" context value), which
	// decides the TPP API's usage plans, rate rule and the apps its authorizer admits.
	env org.Environment
	// outdir is the app's cloud assembly, with cdk-nag's reports.
	outdir     string
	tpp        stacks.TPPSettings
	cfg        config.Config
	stacks     stacks.Stacks
	data       assertions.Template
	identity   assertions.Template
	workflows  assertions.Template
	api        assertions.Template
	frontend   assertions.Template
	edge       assertions.Template
	monitoring assertions.Template
	truststore assertions.Template
	tppAPI     assertions.Template
	// apiGroups and tppGroups are the templates of the portal API's and the TPP API's
	// function groups, monitoringGroups those of the monitoring stack's alarm groups.
	apiGroups, tppGroups, monitoringGroups []nestedTemplate
	// annotations are each stack's synthesis messages, by stack ID.
	annotations map[string]assertions.Annotations
	err         error
}

var (
	productionOnce, sandboxOnce sync.Once
	productionApp, sandboxApp   synthesized
)

// testConfig is the default configuration with every name and the password length changed,
// so a stack that restated a default instead of reading the definition fails.
func testConfig() (config.Config, error) {
	cfg, err := config.FromEnv()
	if err != nil {
		return cfg, err
	}
	cfg.PortalTable = "test-portal-data"
	cfg.UserPoolName = "test-users"
	cfg.OpsGroup = "test-operations"
	cfg.MailFrom = "sender@test.example"
	cfg.PortalURL = testPortalURL
	cfg.Password.MinLength = cfg.Password.MinLength + 3
	return cfg, nil
}

// testPortalURL is the tests' PORTAL_URL: the portal's own origin, the only one the
// portal API's CORS configuration may allow.
const testPortalURL = "https://portal.test.example"

// testAlarmEmail is subscribed to the alarm topic in the tests.
const testAlarmEmail = "oncall@test.example"

// testDeployment are the deployment settings of the tests in env: the SPA is a two-file
// fixture (testdata/frontend) rather than frontend/dist, which exists only after `make
// frontend`, and the TPP API is deployed.
func testDeployment(env org.Environment) stacks.Deployment {
	set := testTPPSettings(env)
	return stacks.Deployment{FrontendDir: filepath.Join("testdata", "frontend"), AlarmEmail: testAlarmEmail, TPP: &set,
		SandboxCA: env == org.Sandbox}
}

// testTPP are the TPP API's settings in the production tests; the production plans
// differ from the sandbox's in every number.
var testTPP = stacks.TPPSettings{
	Environment:       org.Production,
	DomainName:        "api.test.example",
	CertificateARN:    "arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555",
	TruststoreKey:     "truststore/eidas-cas.pem",
	TruststoreVersion: "3sL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY",
}

// testTPPSettings are the TPP API's settings in env: testTPP, with the sandbox on a
// domain of its own, as a bank would run it.
func testTPPSettings(env org.Environment) stacks.TPPSettings {
	set := testTPP
	set.Environment = env
	if env == org.Sandbox {
		set.DomainName = "sandbox-api.test.example"
	}
	return set
}

// synth is the whole app in the production configuration, for the tests of what the
// environment cannot change (TestEnvironments proves which stacks it cannot).
func synth(t *testing.T) *synthesized {
	t.Helper()
	return synthEnv(t, org.Production)
}

// environments are the whole app in both configurations: production, then sandbox.
func environments(t *testing.T) []*synthesized {
	t.Helper()
	return []*synthesized{synthEnv(t, org.Production), synthEnv(t, org.Sandbox)}
}

// synthEnv is the whole app in env, synthesized on first use.
func synthEnv(t *testing.T, env org.Environment) *synthesized {
	t.Helper()
	once, app := &productionOnce, &productionApp
	if env == org.Sandbox {
		once, app = &sandboxOnce, &sandboxApp
	}
	once.Do(func() { *app = synthesize(env) })
	if app.err != nil {
		t.Fatal(app.err)
	}
	return app
}

// synthesize builds and synthesizes the whole app as infra/main.go does, in env.
func synthesize(env org.Environment) synthesized {
	return synthesizeTables(env, filepath.Join(outdir, string(env)), nil)
}

// synthesizeTables builds and synthesizes the whole app in env with the route tables
// routes (nil: the app's own) into dir.
func synthesizeTables(env org.Environment, dir string, routes *stacks.RouteTables) (out synthesized) {
	return synthesizeWith(env, dir, func(dep *stacks.Deployment) { dep.Routes = routes })
}

// synthesizeWith builds and synthesizes the whole app in env with the test deployment as
// change leaves it, into dir.
func synthesizeWith(env org.Environment, dir string, change func(*stacks.Deployment)) (out synthesized) {
	defer func() {
		if r := recover(); r != nil {
			out.err = fmt.Errorf("synthesis (%s): %v", env, r)
		}
	}()
	cfg, err := testConfig()
	if err != nil {
		return synthesized{err: err}
	}
	dep := testDeployment(env)
	change(&dep)
	a := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(dir)})
	s := stacks.NewApp(a, cfg, dep, &awscdk.Environment{Region: jsii.String(cfg.Region)}, placeholderCode)
	all := []awscdk.Stack{
		s.Data.Stack, s.Identity.Stack, s.Workflows.Stack, s.PortalAPI.Stack, s.Frontend.Stack,
		s.Monitoring.Stack, s.Truststore.Stack, s.TPPAPI.Stack, s.Edge.Stack,
	}
	annotations := map[string]assertions.Annotations{}
	for _, st := range all {
		annotations[*st.StackName()] = assertions.Annotations_FromStack(st)
	}
	return synthesized{
		env:              env,
		outdir:           dir,
		tpp:              *dep.TPP,
		cfg:              cfg,
		stacks:           s,
		data:             assertions.Template_FromStack(s.Data.Stack, nil),
		identity:         assertions.Template_FromStack(s.Identity.Stack, nil),
		workflows:        assertions.Template_FromStack(s.Workflows.Stack, nil),
		api:              assertions.Template_FromStack(s.PortalAPI.Stack, nil),
		frontend:         assertions.Template_FromStack(s.Frontend.Stack, nil),
		edge:             assertions.Template_FromStack(s.Edge.Stack, nil),
		monitoring:       assertions.Template_FromStack(s.Monitoring.Stack, nil),
		truststore:       assertions.Template_FromStack(s.Truststore.Stack, nil),
		tppAPI:           assertions.Template_FromStack(s.TPPAPI.Stack, nil),
		apiGroups:        groupTemplates(s.PortalAPI.Stack, s.PortalAPI.Groups),
		tppGroups:        groupTemplates(s.TPPAPI.Stack, s.TPPAPI.Groups),
		monitoringGroups: nestedTemplates(s.Monitoring.Stack, s.Monitoring.AlarmGroups),
		annotations:      annotations,
	}
}

// nestedTemplate is the template of a nested stack.
type nestedTemplate struct {
	// id is the nested stack's construct ID ("Apps1"); logicalID is the logical ID of its
	// AWS::CloudFormation::Stack in the parent's template.
	id, logicalID string
	template      assertions.Template
	// json is the template, decoded once (each jsii query costs).
	json map[string]interface{}
}

// nestedTemplates are the templates of parent's nested stacks.
func nestedTemplates(parent awscdk.Stack, nested []awscdk.NestedStack) []nestedTemplate {
	var out []nestedTemplate
	for _, n := range nested {
		tmpl := assertions.Template_FromStack(n, nil)
		out = append(out, nestedTemplate{
			id:        *n.Node().Id(),
			logicalID: parent.Resolve(parent.GetLogicalId(n.NestedStackResource())).(string),
			template:  tmpl,
			json:      (*tmpl.ToJSON()),
		})
	}
	return out
}

// groupTemplates are the templates of the function groups of parent.
func groupTemplates(parent awscdk.Stack, groups []*stacks.FunctionGroup) []nestedTemplate {
	nested := make([]awscdk.NestedStack, len(groups))
	for i, g := range groups {
		nested[i] = g.NestedStack
	}
	return nestedTemplates(parent, nested)
}

// resourcesOf are the resources of type typ of the parent template and its nested
// templates, by logical ID; a logical ID in two of them fails the test.
func resourcesOf(t *testing.T, parent assertions.Template, nested []nestedTemplate, typ string) map[string]map[string]interface{} {
	t.Helper()
	out := map[string]map[string]interface{}{}
	for id, r := range *parent.FindResources(jsii.String(typ), nil) {
		out[id] = *r
	}
	for _, n := range nested {
		res, _ := n.json["Resources"].(map[string]interface{})
		for id, raw := range res {
			r, _ := raw.(map[string]interface{})
			if r["Type"] != typ {
				continue
			}
			if _, dup := out[id]; dup {
				t.Fatalf("logical ID %s in two templates (%s)", id, n.id)
			}
			out[id] = r
		}
	}
	return out
}

// nestedOutput follows v, an {"Fn::GetAtt": [<nested stack>, "Outputs.<name>"]} of the
// parent's template, to the output's value in the nested template; ok is false for any
// other v.
func nestedOutput(nested []nestedTemplate, v interface{}) (value interface{}, in nestedTemplate, ok bool) {
	m, _ := v.(map[string]interface{})
	ga, _ := m["Fn::GetAtt"].([]interface{})
	if len(ga) != 2 {
		return nil, nestedTemplate{}, false
	}
	attr, _ := ga[1].(string)
	name, isOutput := strings.CutPrefix(attr, "Outputs.")
	for _, n := range nested {
		if n.logicalID == ga[0] && isOutput {
			outputs, _ := n.json["Outputs"].(map[string]interface{})
			o, found := outputs[name].(map[string]interface{})
			return o["Value"], n, found
		}
	}
	return nil, nestedTemplate{}, false
}

// check runs a jsii assertion, which panics with the matcher's explanation on a mismatch,
// and reports that explanation as a test error.
func check(t *testing.T, assert func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Error(r)
		}
	}()
	assert()
}

// keySchema is a KeySchema property: the partition key, then the sort key if any.
func keySchema(pk, sk string) []interface{} {
	keys := []interface{}{map[string]interface{}{"AttributeName": pk, "KeyType": "HASH"}}
	if sk != "" {
		keys = append(keys, map[string]interface{}{"AttributeName": sk, "KeyType": "RANGE"})
	}
	return keys
}

// TestTables checks every table in both environments.
func TestTables(t *testing.T) {
	for _, s := range environments(t) {
		t.Run(string(s.env), func(t *testing.T) { testTables(t, s) })
	}
}

func testTables(t *testing.T, s *synthesized) {
	defs := stacks.Tables(s.cfg)
	check(t, func() { s.data.ResourceCountIs(jsii.String("AWS::DynamoDB::Table"), jsii.Number(len(defs))) })
	for _, def := range defs {
		var gsis []interface{}
		for _, g := range def.GSIs {
			gsis = append(gsis, map[string]interface{}{
				"IndexName":  g.Name,
				"KeySchema":  keySchema(g.PartitionKey, g.SortKey),
				"Projection": map[string]interface{}{"ProjectionType": "ALL"},
			})
		}
		cases := []struct {
			name  string
			key   string
			value interface{}
		}{
			{"key schema", "KeySchema", assertions.Match_Exact(keySchema(def.PartitionKey, def.SortKey))},
			{"global secondary indexes", "GlobalSecondaryIndexes", assertions.Match_Exact(gsis)},
			{"billing mode", "BillingMode", "PAY_PER_REQUEST"},
			{"point-in-time recovery", "PointInTimeRecoverySpecification", assertions.Match_ObjectEquals(&map[string]interface{}{"PointInTimeRecoveryEnabled": true})},
			{"AWS-managed encryption", "SSESpecification", assertions.Match_ObjectEquals(&map[string]interface{}{"SSEEnabled": true})},
			{"TTL", "TimeToLiveSpecification", assertions.Match_ObjectEquals(&map[string]interface{}{"AttributeName": def.TTLAttribute, "Enabled": true})},
			{"deletion protection", "DeletionProtectionEnabled", true},
		}
		for _, tc := range cases {
			t.Run(def.Name+"/"+tc.name, func(t *testing.T) {
				check(t, func() {
					s.data.HasResourceProperties(jsii.String("AWS::DynamoDB::Table"), map[string]interface{}{
						"TableName": def.Name,
						tc.key:      tc.value,
					})
				})
			})
		}
		t.Run(def.Name+"/retained", func(t *testing.T) {
			check(t, func() {
				s.data.HasResource(jsii.String("AWS::DynamoDB::Table"), map[string]interface{}{
					"Properties":          map[string]interface{}{"TableName": def.Name},
					"DeletionPolicy":      "Retain",
					"UpdateReplacePolicy": "Retain",
				})
			})
		})
		t.Run(def.Name+"/attribute definitions", func(t *testing.T) {
			want := []string{def.PartitionKey}
			if def.SortKey != "" {
				want = append(want, def.SortKey)
			}
			for _, g := range def.GSIs {
				want = append(want, g.PartitionKey)
				if g.SortKey != "" {
					want = append(want, g.SortKey)
				}
			}
			slices.Sort(want)
			want = slices.Compact(want)
			props := tableProps(t, s, def.Name)
			var got []string
			for _, a := range props["AttributeDefinitions"].([]interface{}) {
				a := a.(map[string]interface{})
				if a["AttributeType"] != "S" {
					t.Errorf("attribute %v has type %v, want S", a["AttributeName"], a["AttributeType"])
				}
				got = append(got, a["AttributeName"].(string))
			}
			slices.Sort(got)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("attribute definitions = %v, want %v", got, want)
			}
		})
	}
}

// tableProps are the properties of the table named name.
func tableProps(t *testing.T, s *synthesized, name string) map[string]interface{} {
	t.Helper()
	found := *s.data.FindResources(jsii.String("AWS::DynamoDB::Table"), map[string]interface{}{
		"Properties": map[string]interface{}{"TableName": name},
	})
	if len(found) != 1 {
		t.Fatalf("%d tables named %q, want 1", len(found), name)
	}
	for _, r := range found {
		return (*r)["Properties"].(map[string]interface{})
	}
	return nil
}

func TestUserPool(t *testing.T) {
	s := synth(t)
	def := resources.PortalUserPool(s.cfg)
	cases := []struct {
		name  string
		key   string
		value interface{}
	}{
		{"password policy", "Policies", assertions.Match_ObjectEquals(&map[string]interface{}{
			"PasswordPolicy": assertions.Match_ObjectEquals(&map[string]interface{}{
				"MinimumLength":    def.MinLength,
				"RequireUppercase": def.RequireUppercase,
				"RequireLowercase": def.RequireLowercase,
				"RequireNumbers":   def.RequireNumbers,
				"RequireSymbols":   def.RequireSymbols,
			}),
		})},
		{"username is the email address", "UsernameAttributes", assertions.Match_Exact([]interface{}{"email"})},
		{"email matched without case", "UsernameConfiguration", assertions.Match_ObjectEquals(&map[string]interface{}{"CaseSensitive": false})},
		{"self sign-up", "AdminCreateUserConfig", assertions.Match_ObjectLike(&map[string]interface{}{"AllowAdminCreateUserOnly": false})},
		// The BFF sends activation and reset links itself; Cognito sends neither.
		{"no Cognito verification", "AutoVerifiedAttributes", assertions.Match_Exact([]interface{}{})},
		{"no Cognito recovery", "AccountRecoverySetting", assertions.Match_ObjectEquals(&map[string]interface{}{
			"RecoveryMechanisms": []interface{}{map[string]interface{}{"Name": "admin_only", "Priority": 1}},
		})},
		{"deletion protection", "DeletionProtection", "ACTIVE"},
		{"feature plan", "UserPoolTier", "ESSENTIALS"},
		// Two-step sign-in: optional at Cognito (the portal requires it of operations
		// staff), with an authenticator app only, never SMS.
		{"MFA", "MfaConfiguration", "OPTIONAL"},
		{"MFA factors", "EnabledMfas", assertions.Match_Exact([]interface{}{"SOFTWARE_TOKEN_MFA"})},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			check(t, func() {
				s.identity.HasResourceProperties(jsii.String("AWS::Cognito::UserPool"), map[string]interface{}{
					"UserPoolName": def.Name,
					tc.key:         tc.value,
				})
			})
		})
	}
	t.Run("retained", func(t *testing.T) {
		check(t, func() {
			s.identity.HasResource(jsii.String("AWS::Cognito::UserPool"), map[string]interface{}{
				"DeletionPolicy":      "Retain",
				"UpdateReplacePolicy": "Retain",
			})
		})
	})
	t.Run("one pool", func(t *testing.T) {
		check(t, func() { s.identity.ResourceCountIs(jsii.String("AWS::Cognito::UserPool"), jsii.Number(1)) })
	})
}

func TestUserPoolClient(t *testing.T) {
	s := synth(t)
	def := resources.PortalUserPool(s.cfg)
	poolID := s.identity.GetResourceId(jsii.String("AWS::Cognito::UserPool"), nil)
	cases := []struct {
		name  string
		key   string
		value interface{}
	}{
		{"in the pool", "UserPoolId", map[string]interface{}{"Ref": *poolID}},
		{"auth flows", "ExplicitAuthFlows", assertions.Match_Exact([]interface{}{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"})},
		{"no secret", "GenerateSecret", false},
		{"no OAuth", "AllowedOAuthFlowsUserPoolClient", false},
		{"user existence errors", "PreventUserExistenceErrors", "LEGACY"},
		{"token revocation", "EnableTokenRevocation", true},
		{"sign-in challenge lifetime", "AuthSessionValidity", 3},
		{"access token validity", "AccessTokenValidity", def.AccessTokenMinutes},
		{"ID token validity", "IdTokenValidity", def.AccessTokenMinutes},
		{"refresh token validity", "RefreshTokenValidity", def.RefreshTokenDays * 24 * 60},
		{"token validity units", "TokenValidityUnits", assertions.Match_ObjectEquals(&map[string]interface{}{
			"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "minutes",
		})},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			check(t, func() {
				s.identity.HasResourceProperties(jsii.String("AWS::Cognito::UserPoolClient"), map[string]interface{}{
					"ClientName": def.ClientName,
					tc.key:       tc.value,
				})
			})
		})
	}
}

func TestGroups(t *testing.T) {
	s := synth(t)
	def := resources.PortalUserPool(s.cfg)
	if !slices.Contains(def.Groups, s.cfg.OpsGroup) {
		t.Fatalf("definition groups %v lack the operations group %q", def.Groups, s.cfg.OpsGroup)
	}
	check(t, func() {
		s.identity.ResourceCountIs(jsii.String("AWS::Cognito::UserPoolGroup"), jsii.Number(len(def.Groups)))
	})
	poolID := s.identity.GetResourceId(jsii.String("AWS::Cognito::UserPool"), nil)
	for _, g := range def.Groups {
		t.Run(g, func(t *testing.T) {
			check(t, func() {
				s.identity.HasResourceProperties(jsii.String("AWS::Cognito::UserPoolGroup"), map[string]interface{}{
					"GroupName":  g,
					"UserPoolId": map[string]interface{}{"Ref": *poolID},
				})
			})
		})
	}
}

func TestSender(t *testing.T) {
	s := synth(t)
	check(t, func() {
		s.identity.HasResourceProperties(jsii.String("AWS::SES::EmailIdentity"), map[string]interface{}{
			"EmailIdentity": s.cfg.MailFrom,
		})
	})
}

func TestOutputs(t *testing.T) {
	s := synth(t)
	poolID := s.identity.GetResourceId(jsii.String("AWS::Cognito::UserPool"), nil)
	clientID := s.identity.GetResourceId(jsii.String("AWS::Cognito::UserPoolClient"), nil)
	portalID := s.data.GetResourceId(jsii.String("AWS::DynamoDB::Table"), map[string]interface{}{
		"Properties": map[string]interface{}{"TableName": resources.PortalTable(s.cfg).Name},
	})
	tppID := s.data.GetResourceId(jsii.String("AWS::DynamoDB::Table"), map[string]interface{}{
		"Properties": map[string]interface{}{"TableName": tppdata.Table(s.cfg).Name},
	})
	cases := []struct {
		name     string
		template assertions.Template
		output   string
		ref      *string
	}{
		{"portal table name", s.data, "PortalTableName", portalID},
		{"TPP table name", s.data, "TppTableName", tppID},
		{"user pool ID", s.identity, "UserPoolId", poolID},
		{"client ID", s.identity, "UserPoolClientId", clientID},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			check(t, func() {
				tc.template.HasOutput(jsii.String(tc.output), map[string]interface{}{
					"Value": map[string]interface{}{"Ref": *tc.ref},
				})
			})
		})
	}
}

// TestFields checks the Go fields later stacks wire: each must resolve to the resource the
// output names.
func TestFields(t *testing.T) {
	s := synth(t)
	cases := []struct {
		name  string
		stack awscdk.Stack
		field *string
		want  *string
	}{
		{"Data.PortalTableName", s.stacks.Data.Stack, s.stacks.Data.PortalTableName,
			s.data.GetResourceId(jsii.String("AWS::DynamoDB::Table"), map[string]interface{}{
				"Properties": map[string]interface{}{"TableName": resources.PortalTable(s.cfg).Name},
			})},
		{"Identity.UserPoolID", s.stacks.Identity.Stack, s.stacks.Identity.UserPoolID,
			s.identity.GetResourceId(jsii.String("AWS::Cognito::UserPool"), nil)},
		{"Identity.UserPoolClientID", s.stacks.Identity.Stack, s.stacks.Identity.UserPoolClientID,
			s.identity.GetResourceId(jsii.String("AWS::Cognito::UserPoolClient"), nil)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.field == nil {
				t.Fatal("field is nil")
			}
			got := tc.stack.Resolve(tc.field)
			want := map[string]interface{}{"Ref": *tc.want}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("resolves to %v, want %v", got, want)
			}
		})
	}
	if got := len(s.stacks.Data.Tables); got != len(stacks.Tables(s.cfg)) {
		t.Errorf("Data.Tables has %d tables, want %d", got, len(stacks.Tables(s.cfg)))
	}
}

// TestNag fails on any AwsSolutions finding that has no suppression, at any level, in
// both environments: a finding is fixed, or suppressed next to its resource with the reason.
func TestNag(t *testing.T) {
	rule := assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*"))
	for _, s := range environments(t) {
		if len(s.annotations) != 9 {
			t.Errorf("%s: annotations of %d stacks, want all 9", s.env, len(s.annotations))
		}
		for stack, a := range s.annotations {
			levels := []struct {
				name string
				find func() *[]*cxapi.SynthesisMessage
			}{
				{"error", func() *[]*cxapi.SynthesisMessage { return a.FindError(jsii.String("*"), rule) }},
				{"warning", func() *[]*cxapi.SynthesisMessage { return a.FindWarning(jsii.String("*"), rule) }},
			}
			for _, level := range levels {
				t.Run(string(s.env)+"/"+stack+"/"+level.name, func(t *testing.T) {
					for _, m := range *level.find() {
						t.Errorf("%s: %v", *m.Id, m.Entry.Data)
					}
				})
			}
		}
	}
}

// TestNagRan proves the checks ran in both environments, so TestNag cannot pass for want
// of checking: cdk-nag's report lists the rules it evaluated with their outcome.
func TestNagRan(t *testing.T) {
	for _, s := range environments(t) {
		cases := []struct {
			stack, rule, compliance string
		}{
			{*s.stacks.Data.StackName(), "AwsSolutions-DDB3", "Compliant"},
			{*s.stacks.Identity.StackName(), "AwsSolutions-COG1", "Compliant"},
			{*s.stacks.Identity.StackName(), "AwsSolutions-COG2", "Suppressed"},
			{*s.stacks.Identity.StackName(), "AwsSolutions-COG8", "Suppressed"},
			{*s.stacks.Workflows.StackName(), "AwsSolutions-SF1", "Compliant"},
			{*s.stacks.Workflows.StackName(), "AwsSolutions-SF2", "Compliant"},
			{*s.stacks.Workflows.StackName(), "AwsSolutions-IAM5", "Suppressed"},
			{*s.stacks.PortalAPI.StackName(), "AwsSolutions-APIG1", "Compliant"},
			{*s.stacks.PortalAPI.StackName(), "AwsSolutions-APIG4", "Suppressed"},
			{*s.stacks.PortalAPI.StackName(), "AwsSolutions-IAM4", "Compliant"},
			{*s.stacks.PortalAPI.StackName(), "AwsSolutions-IAM5", "Suppressed"},
			{*s.stacks.Frontend.StackName(), "AwsSolutions-CFR7", "Compliant"},
			{*s.stacks.Frontend.StackName(), "AwsSolutions-CFR3", "Compliant"},
			{*s.stacks.Frontend.StackName(), "AwsSolutions-CFR4", "Suppressed"},
			// The distribution has its web ACL (the edge stack's).
			{*s.stacks.Frontend.StackName(), "AwsSolutions-CFR2", "Compliant"},
			{*s.stacks.Frontend.StackName(), "AwsSolutions-S1", "Compliant"},
			{*s.stacks.Frontend.StackName(), "AwsSolutions-S2", "Compliant"},
			{*s.stacks.Frontend.StackName(), "AwsSolutions-S10", "Compliant"},
			{*s.stacks.Monitoring.StackName(), "AwsSolutions-SNS3", "Compliant"},
			{*s.stacks.Monitoring.StackName(), "AwsSolutions-KMS5", "Compliant"},
			{*s.stacks.Truststore.StackName(), "AwsSolutions-S1", "Compliant"},
			{*s.stacks.Truststore.StackName(), "AwsSolutions-S10", "Compliant"},
			{*s.stacks.TPPAPI.StackName(), "AwsSolutions-APIG1", "Compliant"},
			{*s.stacks.TPPAPI.StackName(), "AwsSolutions-APIG2", "Compliant"},
			{*s.stacks.TPPAPI.StackName(), "AwsSolutions-APIG3", "Compliant"},
			{*s.stacks.TPPAPI.StackName(), "AwsSolutions-APIG6", "Compliant"},
		}
		for _, tc := range cases {
			t.Run(string(s.env)+"/"+tc.stack+"/"+tc.rule, func(t *testing.T) {
				report := nagReport(t, s.outdir, tc.stack)
				got, ok := report[tc.rule]
				if !ok {
					t.Fatalf("rule not in the report; report has %v", report)
				}
				if got != tc.compliance {
					t.Errorf("compliance = %q, want %q", got, tc.compliance)
				}
			})
		}
	}
}

// nagReport reads cdk-nag's CSV reports of stack and of its nested stacks: the compliance of
// each rule, the worst of its findings (Non-Compliant, then Suppressed, then Compliant).
func nagReport(t *testing.T, outdir, stack string) map[string]string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(outdir, "AwsSolutions-*"+stack+"-NagReport.csv"))
	if err != nil || len(paths) != 1 {
		t.Fatalf("report of %s in %s: found %v (%v)", stack, outdir, paths, err)
	}
	// A nested stack's report is named by its artifact ID, the parent's name without
	// dashes followed by the nested stack's.
	nested, _ := filepath.Glob(filepath.Join(outdir, "AwsSolutions-*"+strings.ReplaceAll(stack, "-", "")+"*-NagReport.csv"))
	rank := map[string]int{"Non-Compliant": 3, "Suppressed": 2, "Compliant": 1}
	out := map[string]string{}
	for _, path := range append(paths, nested...) {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range rows[1:] {
			if rank[row[2]] >= rank[out[row[0]]] {
				out[row[0]] = row[2]
			}
		}
	}
	return out
}

func TestDeployedRoutes(t *testing.T) {
	got := stacks.DeployedRoutes()
	deployed := map[string]bool{}
	for _, r := range got {
		deployed[r.Name] = true
	}
	for _, r := range routes.Portal {
		t.Run(r.Name, func(t *testing.T) {
			// Local-only routes are not deployed; the TPP API deploys those of its origin.
			if want := r.Auth != route.LocalOnly && r.Auth != route.ClientCertificate; deployed[r.Name] != want {
				t.Errorf("deployed = %v, want %v (auth %s)", deployed[r.Name], want, r.Auth)
			}
		})
	}
}
