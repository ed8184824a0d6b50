package stacks_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"

	"github.com/bank/devportal/infra/stacks"
	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/portal/apps"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/portal/routes"
	tpproutes "github.com/bank/devportal/shared/tpp/routes"
)

// apiResources are the API stack's resources of type typ, by logical ID, those of its
// function groups included.
func apiResources(t *testing.T, s *synthesized, typ string) map[string]map[string]interface{} {
	t.Helper()
	return resourcesOf(t, s.api, s.apiGroups, typ)
}

// props are a resource's Properties.
func props(r map[string]interface{}) map[string]interface{} {
	p, _ := r["Properties"].(map[string]interface{})
	return p
}

// function is the API stack's function of that route or job name, found by the logical ID
// samconfig and `sam local invoke` rely on.
func function(t *testing.T, s *synthesized, name string) map[string]interface{} {
	t.Helper()
	fns := apiResources(t, s, "AWS::Lambda::Function")
	fn, ok := fns[stacks.FunctionLogicalID(name)]
	if !ok {
		ids := make([]string, 0, len(fns))
		for id := range fns {
			ids = append(ids, id)
		}
		t.Fatalf("no function %s; functions are %v", stacks.FunctionLogicalID(name), ids)
	}
	return props(fn)
}

// groupOf is the function group that holds the named portal function.
func groupOf(t *testing.T, s *synthesized, name string) *stacks.FunctionGroup {
	t.Helper()
	for _, g := range s.stacks.PortalAPI.Groups {
		if _, ok := g.Functions[name]; ok {
			return g
		}
	}
	t.Fatalf("no function group holds %s", name)
	return nil
}

// getAtt is the logical ID an {"Fn::GetAtt": [id, attr]} names, or "".
func getAtt(v interface{}, attr string) string {
	m, _ := v.(map[string]interface{})
	ga, _ := m["Fn::GetAtt"].([]interface{})
	if len(ga) != 2 || ga[1] != attr {
		return ""
	}
	id, _ := ga[0].(string)
	return id
}

// ref is the logical ID a {"Ref": id} names, or "".
func ref(v interface{}) string {
	m, _ := v.(map[string]interface{})
	id, _ := m["Ref"].(string)
	return id
}

func TestFunctionLogicalID(t *testing.T) {
	cases := map[string]string{
		"auth-signup":              "AuthSignupFunction",
		"healthz":                  "HealthzFunction",
		"password-expiry-reminder": "PasswordExpiryReminderFunction",
	}
	for name, want := range cases {
		if got := stacks.FunctionLogicalID(name); got != want {
			t.Errorf("FunctionLogicalID(%q) = %q, want %q", name, got, want)
		}
	}
	seen := map[string]string{}
	for _, name := range stacks.AllFunctionNames() {
		id := stacks.FunctionLogicalID(name)
		if other, dup := seen[id]; dup {
			t.Errorf("%s and %s both map to %s", other, name, id)
		}
		seen[id] = name
	}
}

// TestAPIRoutes checks that the HTTP API has exactly the deployed routes, each with the
// route table's method and path, integrated with the function of the same name.
func TestAPIRoutes(t *testing.T) {
	for _, s := range environments(t) {
		t.Run(string(s.env), func(t *testing.T) { testAPIRoutes(t, s) })
	}
}

func testAPIRoutes(t *testing.T, s *synthesized) {
	integrations := apiResources(t, s, "AWS::ApiGatewayV2::Integration")
	got := map[string]string{} // route key -> function logical ID
	for id, r := range apiResources(t, s, "AWS::ApiGatewayV2::Route") {
		p := props(r)
		key, _ := p["RouteKey"].(string)
		if _, dup := got[key]; dup {
			t.Errorf("route key %q appears twice", key)
		}
		if p["AuthorizationType"] != "NONE" {
			t.Errorf("%s: authorization %v; the handlers authenticate (BFF)", key, p["AuthorizationType"])
		}
		checkRouteAuthorization(t, key, r)
		target, _ := p["Target"].(map[string]interface{})
		join, _ := target["Fn::Join"].([]interface{})
		if len(join) != 2 {
			t.Errorf("route %s (%s): target %v is not integrations/<id>", id, key, p["Target"])
			continue
		}
		parts, _ := join[1].([]interface{})
		if len(parts) != 2 || parts[0] != "integrations/" {
			t.Errorf("route %s (%s): target %v is not integrations/<id>", id, key, p["Target"])
			continue
		}
		// The route is in the API's template, its integration in the function's group.
		integID, _, ok := nestedOutput(s.apiGroups, parts[1])
		if !ok {
			t.Errorf("route %s (%s): target %v is not an integration of a function group", id, key, p["Target"])
			continue
		}
		integ := props(integrations[ref(integID)])
		if integ["IntegrationType"] != "AWS_PROXY" || integ["PayloadFormatVersion"] != "2.0" {
			t.Errorf("%s: integration %v, want AWS_PROXY with payload 2.0 (httpadapter.NewV2)", key, integ)
		}
		got[key] = getAtt(integ["IntegrationUri"], "Arn")
	}
	want := map[string]string{}
	for _, rt := range stacks.DeployedRoutes() {
		want[rt.Method+" "+rt.Path] = stacks.FunctionLogicalID(rt.Name)
	}
	// The TPP area's browser routes are the portal API's too.
	for _, rt := range tpproutes.Browser {
		want[rt.Method+" "+rt.Path] = stacks.FunctionLogicalID(rt.Name)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("routes (key -> function) =\n%v\nwant\n%v", got, want)
	}
	for _, rt := range routes.Portal {
		if rt.Auth == route.LocalOnly {
			if _, ok := got[rt.Method+" "+rt.Path]; ok {
				t.Errorf("local-only route %s is deployed", rt.Name)
			}
		}
	}
}

// checkRouteAuthorization checks the reason the route gives cdk-nag for having no API
// Gateway authorizer against the route table's Auth: the right authorization of a route
// is the handler's, and the reason must say which.
func checkRouteAuthorization(t *testing.T, key string, resource map[string]interface{}) {
	t.Helper()
	var rt *route.Route
	for _, r := range stacks.DeployedRoutes() {
		if r.Method+" "+r.Path == key {
			rt = &r
		}
	}
	if rt == nil {
		return // TestAPIRoutes reports the stray route
	}
	meta, _ := resource["Metadata"].(map[string]interface{})
	nag, _ := meta["cdk_nag"].(map[string]interface{})
	var reason string
	for _, raw := range list(nag["rules_to_suppress"]) {
		if rule, _ := raw.(map[string]interface{}); rule["id"] == "AwsSolutions-APIG4" {
			reason = str(rule["reason"])
		}
	}
	want := map[route.Auth][]string{
		route.Public:     {"public by design"},
		route.Session:    {"authenticates the session cookie", "CSRF"},
		route.Operations: {"authenticates the session cookie", "CSRF", "operations group"},
	}[rt.Auth]
	if len(want) == 0 {
		t.Errorf("%s: auth %q has no expected authorization", key, rt.Auth)
	}
	for _, w := range want {
		if !strings.Contains(reason, w) {
			t.Errorf("%s (%s): the APIG4 reason %q does not say %q", key, rt.Auth, reason, w)
		}
	}
	if rt.Auth != route.Public && strings.Contains(reason, "public by design") {
		t.Errorf("%s (%s) is described as public", key, rt.Auth)
	}
}

func TestAPIStage(t *testing.T) {
	for _, s := range environments(t) {
		t.Run(string(s.env), func(t *testing.T) { testAPIStage(t, s) })
	}
}

func testAPIStage(t *testing.T, s *synthesized) {
	apis := apiResources(t, s, "AWS::ApiGatewayV2::Api")
	if len(apis) != 1 {
		t.Fatalf("%d APIs, want 1", len(apis))
	}
	for _, api := range apis {
		p := props(api)
		if p["ProtocolType"] != "HTTP" {
			t.Errorf("protocol %v, want HTTP", p["ProtocolType"])
		}
		// CORS names the portal's own origin and nothing else; the SPA is served from that
		// origin and calls the API there through CloudFront.
		var methods []interface{}
		for _, m := range []string{"DELETE", "GET", "PATCH", "POST", "PUT"} {
			if slices.ContainsFunc(stacks.DeployedRoutes(), func(rt route.Route) bool { return rt.Method == m }) {
				methods = append(methods, m)
			}
		}
		wantCORS := map[string]interface{}{
			"AllowOrigins":     []interface{}{testPortalURL},
			"AllowCredentials": true,
			"AllowMethods":     methods,
			"AllowHeaders":     []interface{}{"content-type", "x-csrf-token", "x-request-id"},
			"ExposeHeaders":    []interface{}{"x-request-id"},
			"MaxAge":           600.0,
		}
		if !reflect.DeepEqual(p["CorsConfiguration"], wantCORS) {
			t.Errorf("CorsConfiguration =\n%v\nwant\n%v", p["CorsConfiguration"], wantCORS)
		}
		if len(methods) < 4 {
			t.Errorf("CORS methods %v: the route table has more", methods)
		}
	}
	// No route of its own answers OPTIONS: API Gateway answers preflights from the
	// configuration above.
	for _, rt := range stacks.DeployedRoutes() {
		if rt.Method == "OPTIONS" || rt.Method == "ANY" {
			t.Errorf("route %s (%s) would take preflights away from the CORS configuration", rt.Name, rt.Method)
		}
	}
	stages := apiResources(t, s, "AWS::ApiGatewayV2::Stage")
	if len(stages) != 1 {
		t.Fatalf("%d stages, want 1", len(stages))
	}
	logGroups := apiResources(t, s, "AWS::Logs::LogGroup")
	for _, stage := range stages {
		p := props(stage)
		if p["StageName"] != "$default" || p["AutoDeploy"] != true {
			t.Errorf("stage %v auto-deploy %v, want $default auto-deployed", p["StageName"], p["AutoDeploy"])
		}
		// Every route is throttled by the stage's default: 50 requests a second, bursts of 100.
		throttle, _ := p["DefaultRouteSettings"].(map[string]interface{})
		if throttle["ThrottlingBurstLimit"] != 100.0 || throttle["ThrottlingRateLimit"] != 50.0 {
			t.Errorf("default throttling %v, want a burst of 100 at 50 per second", p["DefaultRouteSettings"])
		}
		if rs, ok := p["RouteSettings"]; ok {
			t.Errorf("per-route settings %v would override the default throttle", rs)
		}
		logs, _ := p["AccessLogSettings"].(map[string]interface{})
		dest := getAtt(logs["DestinationArn"], "Arn")
		if group, ok := logGroups[dest]; !ok {
			t.Errorf("access logs go to %v, not a log group of the stack", logs["DestinationArn"])
		} else if got := props(group)["RetentionInDays"]; got != 30.0 {
			t.Errorf("access log retention %v days, want 30", got)
		}
		format, _ := logs["Format"].(string)
		for _, want := range []string{`"$context.requestId"`, `"$context.integration.requestId"`, `"status":"$context.status"`, `"$context.routeKey"`} {
			if !strings.Contains(format, want) {
				t.Errorf("access log format %q lacks %s", format, want)
			}
		}
		// Each line is a JSON object once API Gateway has filled in the variables.
		filled := regexp.MustCompile(`\$context\.[A-Za-z.]+`).ReplaceAllString(format, "x")
		if !json.Valid([]byte(filled)) {
			t.Errorf("access log lines are not JSON: %s", filled)
		}
	}
	outputs := *s.api.FindOutputs(jsii.String("ApiUrl"), nil)
	if len(outputs) != 1 {
		t.Errorf("ApiUrl output: %v", outputs)
	}
}

func TestFunctions(t *testing.T) {
	s := synth(t)
	names := stacks.FunctionNames()
	if got := len(apiResources(t, s, "AWS::Lambda::Function")); got != len(names) {
		t.Errorf("%d functions, want %d", got, len(names))
	}
	logGroups := apiResources(t, s, "AWS::Logs::LogGroup")
	jobs := map[string]bool{}
	for _, j := range routes.Jobs {
		jobs[j.Name] = true
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			p := function(t, s, name)
			size := stacks.FunctionSizing(name)
			want := map[string]interface{}{
				"Runtime":       "provided.al2023",
				"Architectures": []interface{}{"arm64"},
				"Handler":       "bootstrap",
				"MemorySize":    float64(size.MemoryMB),
				"Timeout":       float64(size.TimeoutSeconds),
				"TracingConfig": map[string]interface{}{"Mode": "Active"},
			}
			for k, v := range want {
				if !reflect.DeepEqual(p[k], v) {
					t.Errorf("%s = %#v, want %#v", k, p[k], v)
				}
			}
			if _, named := p["FunctionName"]; named {
				t.Error("FunctionName is set; names stay CDK-generated, the logical ID is the stable handle")
			}
			logging, _ := p["LoggingConfig"].(map[string]interface{})
			if logging["LogFormat"] != "JSON" || logging["ApplicationLogLevel"] != "INFO" {
				t.Errorf("LoggingConfig = %v, want JSON at INFO", logging)
			}
			group, ok := logGroups[ref(logging["LogGroup"])]
			if !ok {
				t.Fatalf("log group %v is not in the stack", logging["LogGroup"])
			}
			if got := props(group)["RetentionInDays"]; got != 30.0 {
				t.Errorf("log retention %v days, want 30", got)
			}
		})
	}
}

// wantCalls are the AWS calls each function's code makes, read from shared/portal/account,
// shared/portal/store, shared/portal/identity and shared/portal/wiring (written out here, apart from the access
// table, so that the test checks the table instead of restating it). Session routes all
// make the session middleware's calls: GetItem of the session and, on a token refresh,
// cognito-idp:InitiateAuth and PutItem or DeleteItem of the session.
var wantCalls = map[string][]string{
	"healthz":                     {"dynamodb:GetItem"},
	"openapi":                     {},
	"password-policy":             {},
	"support":                     {},
	"tpp-api":                     {},
	"tpp-api-openapi":             {},
	"auth-signup":                 {"dynamodb:UpdateItem", "dynamodb:GetItem", "dynamodb:PutItem", "cognito-idp:SignUp", "cognito-idp:AdminDeleteUser", "cognito-idp:AdminGetUser", "ses:SendEmail"},
	"auth-activate":               {"dynamodb:UpdateItem", "dynamodb:GetItem", "dynamodb:PutItem", "cognito-idp:AdminConfirmSignUp", "cognito-idp:AdminUpdateUserAttributes", "cognito-idp:InitiateAuth", "cognito-idp:RevokeToken", "cognito-idp:AdminSetUserPassword"},
	"auth-resend-activation":      {"dynamodb:UpdateItem", "dynamodb:GetItem", "dynamodb:PutItem", "ses:SendEmail"},
	"auth-login":                  {"dynamodb:UpdateItem", "dynamodb:GetItem", "dynamodb:PutItem", "cognito-idp:InitiateAuth", "cognito-idp:RevokeToken"},
	"auth-login-mfa":              {"dynamodb:UpdateItem", "dynamodb:GetItem", "dynamodb:PutItem", "cognito-idp:RespondToAuthChallenge", "cognito-idp:RevokeToken"},
	"auth-mfa-setup":              {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth", "cognito-idp:AssociateSoftwareToken"},
	"auth-mfa-verify":             {"dynamodb:UpdateItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth", "cognito-idp:VerifySoftwareToken", "cognito-idp:SetUserMFAPreference"},
	"auth-mfa-disable":            {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth", "cognito-idp:SetUserMFAPreference", "ses:SendEmail"},
	"auth-confirm-password":       {"dynamodb:UpdateItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth", "cognito-idp:RevokeToken"},
	"auth-refresh":                {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth"},
	"auth-logout":                 {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth", "cognito-idp:RevokeToken"},
	"auth-forgot-password":        {"dynamodb:UpdateItem", "dynamodb:GetItem", "dynamodb:PutItem", "ses:SendEmail"},
	"auth-reset-password":         {"dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:DeleteItem", "cognito-idp:AdminSetUserPassword", "cognito-idp:AdminConfirmSignUp", "cognito-idp:AdminUpdateUserAttributes", "cognito-idp:AdminUserGlobalSignOut", "ses:SendEmail"},
	"account-get":                 {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth"},
	"account-update":              {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth", "cognito-idp:AdminUpdateUserAttributes"},
	"account-preferences":         {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth"},
	"account-change-password":     {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Query", "cognito-idp:InitiateAuth", "cognito-idp:ChangePassword", "cognito-idp:RevokeToken", "cognito-idp:AdminUserGlobalSignOut", "cognito-idp:RespondToAuthChallenge", "ses:SendEmail"},
	"org-list":                    {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Query", "cognito-idp:InitiateAuth"},
	"org-get":                     {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth"},
	"org-members":                 {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Query", "cognito-idp:InitiateAuth"},
	"org-requests":                {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Query", "cognito-idp:InitiateAuth"},
	"org-audit":                   {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Query", "cognito-idp:InitiateAuth"},
	"org-join":                    {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:UpdateItem", "cognito-idp:InitiateAuth"},
	"org-code-regenerate":         {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth"},
	"org-certificates-preview":    {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth"},
	"org-certificates-renew":      {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:UpdateItem", "cognito-idp:InitiateAuth", "states:StartExecution"},
	"sandbox-certificates":        {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth"},
	"org-member-role":             {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth", "dynamodb:UpdateItem"},
	"org-member-remove":           {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth"},
	"org-leave":                   {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth"},
	"org-owner":                   {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth", "dynamodb:UpdateItem"},
	"org-invitations":             {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth", "dynamodb:Query"},
	"org-invite":                  {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth", "dynamodb:Query", "ses:SendEmail"},
	"org-invitation-resend":       {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth", "ses:SendEmail"},
	"org-invitation-revoke":       {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth", "dynamodb:UpdateItem"},
	"invitation-accept":           {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth", "dynamodb:UpdateItem"},
	"invitation-lookup":           {"dynamodb:GetItem"},
	"org-rename":                  {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth", "dynamodb:Query", "states:StartExecution"},
	"org-offboard":                {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth", "dynamodb:Query", "states:StartExecution"},
	"app-list":                    {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth", "dynamodb:Query", "dynamodb:UpdateItem"},
	"app-create":                  {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth", "dynamodb:Query", "dynamodb:UpdateItem", "apigateway:GET", "apigateway:POST", "apigateway:DELETE"},
	"app-get":                     {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth", "dynamodb:Query", "dynamodb:UpdateItem", "apigateway:GET"},
	"app-api-key-rotate":          {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth", "dynamodb:Query", "dynamodb:UpdateItem", "apigateway:GET", "apigateway:POST"},
	"app-rename":                  {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth", "dynamodb:Query", "dynamodb:UpdateItem", "states:StartExecution"},
	"app-notifications":           {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth", "dynamodb:Query", "dynamodb:UpdateItem"},
	"app-oauth-settings":          {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth", "dynamodb:Query", "dynamodb:UpdateItem"},
	"app-delete":                  {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth", "dynamodb:Query", "dynamodb:UpdateItem", "apigateway:GET", "apigateway:DELETE"},
	"credential-add":              {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth", "dynamodb:Query", "dynamodb:UpdateItem"},
	"credential-verify":           {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth", "dynamodb:Query", "dynamodb:UpdateItem"},
	"credential-reset":            {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth", "dynamodb:Query", "dynamodb:UpdateItem"},
	"credential-rename":           {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth", "dynamodb:Query", "dynamodb:UpdateItem"},
	"credential-revoke":           {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth", "dynamodb:Query", "dynamodb:UpdateItem"},
	"app-redirect-add":            {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth", "dynamodb:UpdateItem", "states:StartExecution"},
	"app-redirect-remove":         {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth", "dynamodb:UpdateItem"},
	"org-certificates":            {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth", "dynamodb:Query", "dynamodb:UpdateItem"},
	"org-certificate-upload":      {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth", "dynamodb:Query", "dynamodb:UpdateItem"},
	"certificate-possession":      {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:UpdateItem", "cognito-idp:InitiateAuth", "states:StartExecution"},
	"app-certificate-attach":      {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth", "dynamodb:Query", "dynamodb:UpdateItem"},
	"org-certificate-delete":      {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth", "dynamodb:Query"},
	"app-certificate-issue":       {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth", "dynamodb:Query", "dynamodb:UpdateItem"},
	"product-catalog":             {},
	"subscription-list":           {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth", "dynamodb:Query"},
	"subscription-create":         {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth", "dynamodb:Query", "dynamodb:UpdateItem", "states:StartExecution", "apigateway:GET", "apigateway:POST", "apigateway:DELETE"},
	"subscription-delete":         {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth", "dynamodb:Query", "dynamodb:UpdateItem", "apigateway:GET", "apigateway:POST", "apigateway:DELETE"},
	"app-go-live":                 {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth", "dynamodb:Query", "dynamodb:UpdateItem", "states:StartExecution"},
	"app-certificate-detach":      {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "cognito-idp:InitiateAuth", "dynamodb:Query", "dynamodb:UpdateItem"},
	"org-onboard":                 {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:UpdateItem", "cognito-idp:InitiateAuth", "states:StartExecution"},
	"ops-requests":                {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Query", "cognito-idp:InitiateAuth"},
	"ops-request-get":             {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Query", "cognito-idp:InitiateAuth"},
	"ops-audit":                   {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Query", "cognito-idp:InitiateAuth"},
	"ops-organization-requests":   {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Query", "cognito-idp:InitiateAuth"},
	"ops-member-mfa-reset":        {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Query", "cognito-idp:InitiateAuth", "cognito-idp:AdminSetUserMFAPreference", "cognito-idp:AdminUserGlobalSignOut", "ses:SendEmail"},
	"ops-organizations":           {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Query", "cognito-idp:InitiateAuth"},
	"ops-organization-get":        {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Query", "cognito-idp:InitiateAuth"},
	"ops-request-approve":         {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:UpdateItem", "dynamodb:Query", "cognito-idp:InitiateAuth", "states:SendTaskSuccess", "apigateway:GET", "apigateway:POST", "apigateway:DELETE"},
	"ops-request-reject":          {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:UpdateItem", "cognito-idp:InitiateAuth", "states:SendTaskFailure"},
	"password-expiry-reminder":    {"dynamodb:Query", "dynamodb:GetItem", "dynamodb:PutItem", "ses:SendEmail"},
	"approval-reconciler":         {"dynamodb:Query", "dynamodb:UpdateItem", "states:StartExecution"},
	"certificate-expiry-reminder": {"dynamodb:Query", "dynamodb:GetItem", "dynamodb:UpdateItem", "ses:SendEmail"},
	// The mark, the CA's record and the audit line in one transaction; the CRL number; the
	// CA's records for the CRL; the CRL object (s3:PutObject, sandbox only).
	"org-certificate-revoke":       {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:UpdateItem", "dynamodb:Query", "cognito-idp:InitiateAuth"},
	"certificate-revocation-check": {"dynamodb:Query", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "ses:SendEmail"},
	// The TPP area's browser routes (shared/tpp/oauth/oauthdb, shared/tpp/sandboxbank/
	// bankstore, shared/portal/lookup/lookupdb): the pending request and the codes in the
	// TPP table, the customers and their accounts, the client and the organization's name
	// by GetItem of the portal table; the OAuth key read at cold start.
	"oauth2-authorize":            {"dynamodb:GetItem", "dynamodb:PutItem", "secretsmanager:GetSecretValue"},
	"sandbox-bank-sign-in":        {"secretsmanager:GetSecretValue"}, // its session cookie only
	"sandbox-bank-sign-in-submit": {"dynamodb:GetItem", "dynamodb:Query", "secretsmanager:GetSecretValue"},
	"sandbox-bank-consent":        {"dynamodb:GetItem", "dynamodb:Query", "secretsmanager:GetSecretValue"},
	"sandbox-bank-decide":         {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query", "secretsmanager:GetSecretValue"},
	"sandbox-bank-scenario":       {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query", "secretsmanager:GetSecretValue"},
	// The customer's consents by the index, the names of their apps and organizations by
	// GetItem of the portal table; revoking reads the consent and replaces it.
	"sandbox-bank-consents": {"dynamodb:GetItem", "dynamodb:Query", "secretsmanager:GetSecretValue"},
	"sandbox-bank-revoke":   {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "secretsmanager:GetSecretValue"},
	// An authorisation's redirect page reads it and its resource (a time-out fails both:
	// PutItem); the bank's app lists the customer's by the index; a decision authorises the
	// payment (and executes it in the ledger) or the consent, or cancels the payment, as
	// the approval of the OAuth2 flow does.
	"sandbox-bank-sca":        {"dynamodb:GetItem", "dynamodb:PutItem", "secretsmanager:GetSecretValue"},
	"sandbox-bank-sca-decide": {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query", "secretsmanager:GetSecretValue"},
	"sandbox-bank-app":        {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "secretsmanager:GetSecretValue"},
	"sandbox-bank-app-decide": {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query", "secretsmanager:GetSecretValue"},
	// Lists the customers of the generated bank: no AWS call.
	"sandbox-customers": {},
}

// readsData is true of a DynamoDB call on items, not on the table's description.
func readsData(call string) bool {
	return strings.HasPrefix(call, "dynamodb:") && call != "dynamodb:DescribeTable"
}

// dataWrites are the DynamoDB actions that change data; a function that makes none of
// them must not be allowed any.
var dataWrites = []string{"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}

// statement is one Allow statement of a role's policies.
type statement struct {
	actions   []string
	resources []interface{}
}

// roleStatements are the statements of every policy attached to the function's role.
func roleStatements(t *testing.T, s *synthesized, name string) []statement {
	t.Helper()
	role := getAtt(function(t, s, name)["Role"], "Arn")
	if role == "" {
		t.Fatalf("role is not a role of the stack")
	}
	var out []statement
	for _, policy := range apiResources(t, s, "AWS::IAM::Policy") {
		p := props(policy)
		roles, _ := p["Roles"].([]interface{})
		if !slices.ContainsFunc(roles, func(r interface{}) bool { return ref(r) == role }) {
			continue
		}
		doc, _ := p["PolicyDocument"].(map[string]interface{})
		for _, raw := range doc["Statement"].([]interface{}) {
			st := raw.(map[string]interface{})
			if st["Effect"] != "Allow" {
				continue
			}
			out = append(out, statement{actions: stringList(st["Action"]), resources: list(st["Resource"])})
		}
	}
	return out
}

func list(v interface{}) []interface{} {
	if l, ok := v.([]interface{}); ok {
		return l
	}
	return []interface{}{v}
}

func stringList(v interface{}) []string {
	var out []string
	for _, x := range list(v) {
		out = append(out, fmt.Sprint(x))
	}
	return out
}

// TestFunctionPermissions checks every function's role against the calls its code makes:
// each call is allowed, services it does not call are not, a function that writes nothing
// cannot write, nothing is allowed through an action wildcard, and only X-Ray (which has
// no resource-level permissions) is allowed on every resource.
func TestFunctionPermissions(t *testing.T) {
	for _, s := range environments(t) {
		t.Run(string(s.env), func(t *testing.T) { testFunctionPermissions(t, s) })
	}
}

func testFunctionPermissions(t *testing.T, s *synthesized) {
	for id, r := range apiResources(t, s, "AWS::IAM::Role") {
		if pols, ok := props(r)["ManagedPolicyArns"]; ok {
			t.Errorf("role %s has managed policies %v; every grant belongs in the function's own policy", id, pols)
		}
	}
	if len(wantCalls) != len(stacks.FunctionNames()) {
		t.Errorf("wantCalls has %d functions, the stack %d: keep the test's list complete", len(wantCalls), len(stacks.FunctionNames()))
	}
	for _, name := range stacks.FunctionNames() {
		t.Run(name, func(t *testing.T) {
			want, ok := wantCalls[name]
			if !ok {
				t.Fatalf("wantCalls has no entry for %s", name)
			}
			// In the sandbox, the functions that issue test certificates also read the
			// sandbox CA's secret and store its first value; those that only trust them
			// read the CA's certificate.
			a, _ := stacks.FunctionAccess(name)
			if a.SandboxCA && s.env == org.Sandbox {
				want = append(slices.Clone(want), "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue")
			} else if a.SandboxCACert && s.env == org.Sandbox {
				want = append(slices.Clone(want), "secretsmanager:GetSecretValue")
			}
			// Sign-in and the signed-in routes seal and open the session's tokens; the
			// routes that set a password compute its history's MAC (TestAccountKeysGrantedNarrowly).
			if a.SessionKey {
				want = append(slices.Clone(want), "kms:GenerateDataKey", "kms:Decrypt")
			}
			if a.PasswordKey {
				want = append(slices.Clone(want), "kms:GenerateMac")
			}
			// In the sandbox, those that publish the sandbox CA's CRL put its one object.
			if a, _ := stacks.FunctionAccess(name); a.PublishCRL && s.env == org.Sandbox {
				want = append(slices.Clone(want), "s3:PutObject")
			}
			allowed := map[string]bool{}
			for _, st := range roleStatements(t, s, name) {
				for _, action := range st.actions {
					allowed[action] = true
					if strings.Contains(action, "*") {
						t.Errorf("action wildcard %q", action)
					}
					service, _, _ := strings.Cut(action, ":")
					for _, r := range st.resources {
						// X-Ray and task-token calls have no resource to scope them to.
						if r == "*" && service != "xray" && action != "states:SendTaskSuccess" && action != "states:SendTaskFailure" {
							t.Errorf("%s is allowed on every resource", action)
						}
					}
				}
			}
			for _, action := range want {
				if !allowed[action] {
					t.Errorf("role lacks %s, which the function calls", action)
				}
			}
			// Logs to its own group; traces to X-Ray.
			for _, action := range []string{"logs:CreateLogStream", "logs:PutLogEvents", "xray:PutTraceSegments"} {
				if !allowed[action] {
					t.Errorf("role lacks %s", action)
				}
			}
			calls := func(pred func(string) bool) bool { return slices.ContainsFunc(want, pred) }
			for action := range allowed {
				service, _, _ := strings.Cut(action, ":")
				switch {
				case service == "logs" || service == "xray":
				case service == "dynamodb" && (action != "dynamodb:DescribeTable" || !slices.Contains(want, action)):
					// CDK's table grants come with the table's other reads (Scan,
					// BatchGetItem, DescribeTable): fine where the function reads data.
					if !calls(readsData) {
						t.Errorf("%s allowed, but the function reads no portal data", action)
					}
					// The TPP table's grant is read and write by its need (TestOAuthFunctions
					// checks those roles table by table).
					if a, _ := stacks.FunctionAccess(name); a.TPPTable {
						continue
					}
					if slices.Contains(dataWrites, action) && !calls(func(c string) bool { return slices.Contains(dataWrites, c) }) {
						t.Errorf("%s allowed, but the function writes no portal data", action)
					}
				case service == "dynamodb" || service == "cognito-idp" || service == "ses" || service == "states" || service == "secretsmanager" || service == "s3" || service == "apigateway" || service == "kms":
					// Explicit statements: exactly the calls, no more.
					if !slices.Contains(want, action) {
						t.Errorf("%s allowed, but the function does not call it", action)
					}
				default:
					t.Errorf("%s allowed: unexpected service", action)
				}
			}
		})
	}
}

// TestFunctionAccessComplete is the promise NewPortalAPIStack's panic keeps: every deployed
// function has an entry in the access table.
func TestFunctionAccessComplete(t *testing.T) {
	for _, name := range stacks.AllFunctionNames() {
		if _, ok := stacks.FunctionAccess(name); !ok {
			t.Errorf("%s has no access entry", name)
		}
	}
}

// setFunctionEnv sets the process environment a deployed function would have: env, the
// AWS_REGION Lambda adds, and nothing of the local stack's.
func setFunctionEnv(t *testing.T, env map[string]string, region string) {
	t.Helper()
	for k, v := range env {
		t.Setenv(k, v)
	}
	t.Setenv("AWS_REGION", region)
	t.Setenv("LOCAL_MODE", "")
	t.Setenv("AWS_ENDPOINT_URL", "")
}

// TestFunctionEnvironmentRoundTrip proves the variable names match config.FromEnv's: the
// environment made from a configuration reads back as that configuration.
func TestFunctionEnvironmentRoundTrip(t *testing.T) {
	cfg, err := testConfig()
	if err != nil {
		t.Fatal(err)
	}
	// Every field away from its default, so a variable FromEnv does not read (and so
	// falls back to the default) shows up as a difference.
	cfg.UserPoolID = "eu-west-1_TestPool"
	cfg.UserPoolClientID = "test-client"
	cfg.PortalURL = "https://portal.test.example"
	cfg.ActivationTTL += 1
	cfg.ResetTTL += 2
	cfg.SessionTTL += 3
	cfg.Password.MinUpper += 1
	cfg.Password.MinLower += 2
	cfg.Password.MinDigits += 3
	cfg.Password.MinSpecial += 4
	cfg.Password.MaxRepeated += 5
	cfg.Password.HistorySize += 6
	cfg.Password.MaxAgeDays += 7
	cfg.Password.ExpiryWarnDays = []int{30, 7}
	setFunctionEnv(t, stacks.FunctionEnvironment(cfg), cfg.Region)
	got, err := config.FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, cfg) {
		t.Errorf("config.FromEnv() =\n%+v\nwant\n%+v", got, cfg)
	}
}

func TestPortalOrigin(t *testing.T) {
	cases := []struct {
		url, want string
	}{
		{"https://portal.bank.example", "https://portal.bank.example"},
		{"https://Portal.Bank.Example/devportal", "https://portal.bank.example"},
		{"https://portal.bank.example:8443/", "https://portal.bank.example:8443"},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"portal.bank.example", ""},
		{"ftp://portal.bank.example", ""},
		{"https://user@portal.bank.example", ""},
		{"", ""},
	}
	for _, tc := range cases {
		got, err := stacks.PortalOrigin(tc.url)
		if tc.want == "" {
			if err == nil {
				t.Errorf("PortalOrigin(%q) = %q, want an error", tc.url, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("PortalOrigin(%q) = %q, %v, want %q", tc.url, got, err, tc.want)
		}
	}
}

func TestFunctionEnvironmentRefusesLocal(t *testing.T) {
	cfg, err := testConfig()
	if err != nil {
		t.Fatal(err)
	}
	cfg.AWSEndpoint = "http://127.0.0.1:5000"
	defer func() {
		if recover() == nil {
			t.Error("no panic for a configuration with AWS_ENDPOINT_URL")
		}
	}()
	stacks.FunctionEnvironment(cfg)
}

// TestDeployedEnvironment reads each deployed function's environment back through
// config.FromEnv. The table name and pool IDs are references to the other stacks: each
// must import the right stack's value, and reads back as a marker.
func TestDeployedEnvironment(t *testing.T) {
	s := synth(t)
	api := s.stacks.PortalAPI
	// The references as the function groups' nested stacks resolve them: the same import
	// in every group.
	group := api.Groups[0]
	refs := map[string]interface{}{
		"PORTAL_TABLE":               group.Resolve(s.stacks.Data.PortalTableName),
		"USER_POOL_ID":               group.Resolve(s.stacks.Identity.UserPoolID),
		"USER_POOL_CLIENT_ID":        group.Resolve(s.stacks.Identity.UserPoolClientID),
		"APPROVAL_STATE_MACHINE_ARN": group.Resolve(api.ApprovalStateMachineARN),
		"SESSION_KEY_ID":             group.Resolve(s.stacks.Identity.SessionKey.KeyArn()),
		"PASSWORD_KEY_ID":            group.Resolve(s.stacks.Identity.PasswordKey.KeyArn()),
	}
	for k, v := range refs {
		if m, _ := v.(map[string]interface{}); m["Fn::ImportValue"] == nil {
			t.Errorf("%s resolves to %v in a function group, want an import", k, v)
		}
	}
	// The CRL bucket's name is made of the account and region, not imported.
	refs["CRL_BUCKET"] = group.Resolve(stacks.CRLBucketName())
	want := s.cfg
	want.CRLBucket = "<CRL_BUCKET>"
	want.PortalTable = "<PORTAL_TABLE>"
	want.UserPoolID = "<USER_POOL_ID>"
	want.UserPoolClientID = "<USER_POOL_CLIENT_ID>"
	want.ApprovalStateMachineARN = "<APPROVAL_STATE_MACHINE_ARN>"
	want.SessionKeyID = "<SESSION_KEY_ID>"
	want.PasswordKeyID = "<PASSWORD_KEY_ID>"
	// The issuer is the TPP API's domain, the authorization endpoint on the portal's.
	want.TPPURL = "https://" + s.tpp.DomainName
	want.OAuthAuthorizeURL = testPortalURL + tpproutes.AuthorizePath
	for _, name := range stacks.FunctionNames() {
		t.Run(name, func(t *testing.T) {
			envProp, _ := function(t, s, name)["Environment"].(map[string]interface{})
			vars, _ := envProp["Variables"].(map[string]interface{})
			env := map[string]string{}
			want := want
			// The usage plans are named only to the functions that keep usage keys.
			access, _ := stacks.FunctionAccess(name)
			if v, ok := vars[stacks.UsagePlansVariable]; ok || len(access.UsagePlans) > 0 {
				checkUsagePlanIDs(t, s, v)
				env[stacks.UsagePlansVariable] = `{"<USAGE_PLAN_IDS>":"<USAGE_PLAN_IDS>"}`
				want.UsagePlanIDs = map[string]string{"<USAGE_PLAN_IDS>": "<USAGE_PLAN_IDS>"}
			}
			// The OAuth key's secret is named only to the functions that read it.
			if v, ok := vars[stacks.OAuthKeyVariable]; ok || access.OAuthKey {
				if wantRef := groupOf(t, s, name).Resolve(s.stacks.Identity.OAuthKey.SecretArn()); !reflect.DeepEqual(v, wantRef) || !access.OAuthKey {
					t.Errorf("%s = %v, want %v (the function reads the key: %v)", stacks.OAuthKeyVariable, v, wantRef, access.OAuthKey)
				}
				env[stacks.OAuthKeyVariable] = "<" + stacks.OAuthKeyVariable + ">"
				want.OAuthKeySecretARN = "<" + stacks.OAuthKeyVariable + ">"
			}
			// The registration key's secret is named only to the registration API's functions.
			if v, ok := vars[stacks.RegistrationKeyVariable]; ok || access.RegistrationKey {
				if wantRef := groupOf(t, s, name).Resolve(s.stacks.Identity.RegistrationKey.SecretArn()); !reflect.DeepEqual(v, wantRef) || !access.RegistrationKey {
					t.Errorf("%s = %v, want %v (the function reads the key: %v)", stacks.RegistrationKeyVariable, v, wantRef, access.RegistrationKey)
				}
				env[stacks.RegistrationKeyVariable] = "<" + stacks.RegistrationKeyVariable + ">"
				want.RegistrationKeySecretARN = "<" + stacks.RegistrationKeyVariable + ">"
			}
			// CloudFront's origin secret is given to the functions behind the HTTP API, all of
			// them (TestPortalAPIOriginSecret says which).
			if v, ok := vars[stacks.OriginSecretVariable]; ok {
				if wantRef := groupOf(t, s, name).Resolve(s.stacks.Identity.OriginSecret.SecretValue().UnsafeUnwrap()); !reflect.DeepEqual(v, wantRef) {
					t.Errorf("%s = %v, want %v", stacks.OriginSecretVariable, v, wantRef)
				}
				env[stacks.OriginSecretVariable] = "<" + stacks.OriginSecretVariable + ">"
				want.OriginSecret = "<" + stacks.OriginSecretVariable + ">"
			}
			for k, v := range vars {
				if k == stacks.UsagePlansVariable || k == stacks.OAuthKeyVariable || k == stacks.RegistrationKeyVariable || k == stacks.OriginSecretVariable {
					continue // checked above
				}
				if str, ok := v.(string); ok {
					env[k] = str
					continue
				}
				wantRef, ok := refs[k]
				if !ok {
					t.Errorf("%s = %v: a reference where a literal was expected", k, v)
					continue
				}
				if !reflect.DeepEqual(v, wantRef) {
					t.Errorf("%s = %v, want %v", k, v, wantRef)
				}
				env[k] = "<" + k + ">"
			}
			for k := range refs {
				if _, ok := env[k]; !ok {
					t.Errorf("%s is not set", k)
				}
			}
			setFunctionEnv(t, env, s.cfg.Region)
			got, err := config.FromEnv()
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("config.FromEnv() =\n%+v\nwant\n%+v", got, want)
			}
		})
	}
}

// checkUsagePlanIDs checks a USAGE_PLAN_IDS value: a JSON object naming the usage plan of
// each product's plan of the environment, each the ID the TPP API stack exports.
func checkUsagePlanIDs(t *testing.T, s *synthesized, v interface{}) {
	t.Helper()
	got := mustJSON(t, v)
	if n := strings.Count(got, `{"Fn::ImportValue":"devportal-tpp-api:ExportsOutputRefApi`); n != len(apps.Catalog) {
		t.Errorf("%s imports %d of the TPP API's usage plans, want %d: %s", stacks.UsagePlansVariable, n, len(apps.Catalog), got)
	}
	for _, p := range apps.Catalog {
		name := stacks.UsagePlanName(p.ID, p.PlanFor(s.env).ID)
		if !strings.Contains(got, `\"`+name+`\":\"",{"Fn::ImportValue":"devportal-tpp-api:ExportsOutputRefApi`+pascalID(p.ID)+`UsagePlan`) {
			t.Errorf("%s does not name %s with its usage plan: %s", stacks.UsagePlansVariable, name, got)
		}
	}
}

// pascalID is a product ID as the usage plans' logical IDs spell it ("pay-later": PayLater).
func pascalID(id string) string {
	var b strings.Builder
	for _, part := range strings.Split(id, "-") {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

func TestSchedules(t *testing.T) {
	s := synth(t)
	rules := apiResources(t, s, "AWS::Events::Rule")
	if len(rules) != len(routes.Jobs) {
		t.Errorf("%d rules, want one per job (%d)", len(rules), len(routes.Jobs))
	}
	for _, job := range routes.Jobs {
		t.Run(job.Name, func(t *testing.T) {
			var found bool
			for _, r := range rules {
				p := props(r)
				targets, _ := p["Targets"].([]interface{})
				if len(targets) != 1 {
					continue
				}
				target, _ := targets[0].(map[string]interface{})
				if getAtt(target["Arn"], "Arn") != stacks.FunctionLogicalID(job.Name) {
					continue
				}
				found = true
				if p["ScheduleExpression"] != job.Schedule {
					t.Errorf("schedule %v, want %q", p["ScheduleExpression"], job.Schedule)
				}
				if p["State"] != "ENABLED" {
					t.Errorf("state %v, want ENABLED", p["State"])
				}
			}
			if !found {
				t.Errorf("no rule targets %s", stacks.FunctionLogicalID(job.Name))
			}
		})
	}
}
