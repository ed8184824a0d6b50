package stacks_test

import (
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/bank/devportal/infra/stacks"
	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/platform/httpapi"
	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/portal/org"
)

// webACL is the edge stack's one web ACL's properties.
func webACL(t *testing.T, s *synthesized) (string, map[string]interface{}) {
	t.Helper()
	acls := tmplResources(s.edge, "AWS::WAFv2::WebACL")
	if len(acls) != 1 {
		t.Fatalf("%d web ACLs in the edge stack, want 1", len(acls))
	}
	for id, a := range acls {
		return id, props(a)
	}
	return "", nil
}

// TestPortalWebACL: CloudFront's web ACL, in us-east-1 as CloudFront requires, runs AWS's
// common rule set, then a per-IP rate rule over the sign-in, sign-up, forgot-password and
// resend-activation paths, then one over everything, both answering 429 with the API's
// error shape.
func TestPortalWebACL(t *testing.T) {
	s := synth(t)
	if got := *s.stacks.Edge.Region(); got != "us-east-1" {
		t.Errorf("edge stack in %s, want us-east-1", got)
	}
	if got := *s.stacks.Frontend.Region(); got != s.cfg.Region {
		t.Errorf("frontend stack in %s, want %s", got, s.cfg.Region)
	}
	_, acl := webACL(t, s)
	if acl["Scope"] != "CLOUDFRONT" || mustJSON(t, acl["DefaultAction"]) != `{"Allow":{}}` {
		t.Errorf("scope %v, default action %v", acl["Scope"], acl["DefaultAction"])
	}
	if got, want := mustJSON(t, acl["CustomResponseBodies"]),
		`{"rate-limited":{"Content":"{\"code\":\"RATE_LIMITED\",\"message\":\"Too many requests from your network. Try again in a few minutes.\"}","ContentType":"APPLICATION_JSON"}}`; got != want {
		t.Errorf("custom response bodies %s, want %s", got, want)
	}
	rules := list(acl["Rules"])
	if len(rules) != 3 {
		t.Fatalf("%d rules, want 3: %s", len(rules), mustJSON(t, rules))
	}
	tooMany := `{"Block":{"CustomResponse":{"CustomResponseBodyKey":"rate-limited","ResponseCode":429,"ResponseHeaders":[{"Name":"Retry-After","Value":"300"}]}}}`
	common := rules[0].(map[string]interface{})
	if common["Name"] != "AWSManagedRulesCommonRuleSet" || common["Priority"] != 0.0 ||
		mustJSON(t, common["Statement"]) != `{"ManagedRuleGroupStatement":{"Name":"AWSManagedRulesCommonRuleSet","RuleActionOverrides":[{"ActionToUse":{"Count":{}},"Name":"SizeRestrictions_BODY"}],"VendorName":"AWS"}}` ||
		mustJSON(t, common["OverrideAction"]) != `{"None":{}}` {
		t.Errorf("common rule set %s", mustJSON(t, common))
	}
	auth := rules[1].(map[string]interface{})
	var paths []string
	for _, p := range []string{"/api/auth/login", "/api/auth/login/mfa", "/api/auth/signup", "/api/auth/password/forgot", "/api/auth/activation/resend"} {
		paths = append(paths, `{"ByteMatchStatement":{"FieldToMatch":{"UriPath":{}},"PositionalConstraint":"EXACTLY","SearchString":"`+p+`","TextTransformations":[{"Priority":0,"Type":"NONE"}]}}`)
	}
	wantAuth := `{"RateBasedStatement":{"AggregateKeyType":"IP","EvaluationWindowSec":300,"Limit":100,"ScopeDownStatement":{"OrStatement":{"Statements":[` +
		strings.Join(paths, ",") + `]}}}}`
	if auth["Name"] != "AuthFormsRatePerIP" || auth["Priority"] != 1.0 || mustJSON(t, auth["Statement"]) != wantAuth || mustJSON(t, auth["Action"]) != tooMany {
		t.Errorf("account forms' rate rule\n%s\nwant statement\n%s\nand action %s", mustJSON(t, auth), wantAuth, tooMany)
	}
	all := rules[2].(map[string]interface{})
	if all["Name"] != "RatePerIP" || all["Priority"] != 2.0 ||
		mustJSON(t, all["Statement"]) != `{"RateBasedStatement":{"AggregateKeyType":"IP","EvaluationWindowSec":300,"Limit":2000}}` || mustJSON(t, all["Action"]) != tooMany {
		t.Errorf("overall rate rule %s", mustJSON(t, all))
	}
	// The scope-down paths are the route table's: a moved route moves its rule.
	if got := stacks.PortalWAFAuthPaths(); len(got) != 5 {
		t.Errorf("auth paths %v", got)
	}
}

// TestDistributionWebACL: the distribution is associated with the edge stack's web ACL,
// which CDK carries across regions.
func TestDistributionWebACL(t *testing.T) {
	s := synth(t)
	dist := distributionConfig(t, s)
	want := s.stacks.Frontend.Resolve(s.stacks.Edge.WebACL.AttrArn())
	if dist["WebACLId"] == nil || !reflect.DeepEqual(dist["WebACLId"], want) {
		t.Fatalf("WebACLId = %s, want the edge stack's web ACL %s", mustJSON(t, dist["WebACLId"]), mustJSON(t, want))
	}
	id, _ := webACL(t, s)
	if !strings.Contains(mustJSON(t, s.edge.ToJSON()), `{"Fn::GetAtt":["`+id+`","Arn"]}`) {
		t.Errorf("the edge stack does not export its web ACL's ARN")
	}
}

// TestPortalAPIOriginSecret: CloudFront sends the portal API the identity stack's origin
// secret in OriginVerifyHeader, every function behind the HTTP API (and none other) gets
// the same secret in ORIGIN_VERIFY_SECRET, and the functions read it as the value
// httpapi.RequireOrigin checks.
func TestPortalAPIOriginSecret(t *testing.T) {
	s := synth(t)
	secret := mustJSON(t, s.stacks.Identity.Resolve(s.stacks.Identity.OriginSecret.SecretArn()))
	dist := distributionConfig(t, s)
	var api map[string]interface{}
	for _, b := range dist["CacheBehaviors"].([]interface{}) {
		if b := b.(map[string]interface{}); b["PathPattern"] == "/api/*" {
			api = b
		}
	}
	found := false
	for _, o := range dist["Origins"].([]interface{}) {
		origin := o.(map[string]interface{})
		headers := list(origin["OriginCustomHeaders"])
		if origin["Id"] != api["TargetOriginId"] {
			if origin["OriginCustomHeaders"] != nil {
				t.Errorf("origin %v has custom headers %s", origin["Id"], mustJSON(t, headers))
			}
			continue
		}
		found = true
		if len(headers) != 1 {
			t.Fatalf("API origin's custom headers %s, want the origin secret only", mustJSON(t, headers))
		}
		h := headers[0].(map[string]interface{})
		value := mustJSON(t, h["HeaderValue"])
		if h["HeaderName"] != httpapi.OriginVerifyHeader || !strings.Contains(value, `{{resolve:secretsmanager:`) ||
			!strings.Contains(value, `:SecretString:::}}`) || !strings.Contains(value, "OriginSecret") {
			t.Errorf("API origin header %s, want %s from the origin secret %s", mustJSON(t, h), httpapi.OriginVerifyHeader, secret)
		}
	}
	if !found {
		t.Fatal("no API origin")
	}
	tables := stacks.DefaultRouteTables()
	http := map[string]bool{}
	for _, r := range append(slices.Clone(tables.Portal), tables.Browser...) {
		if r.Auth != route.LocalOnly && r.Auth != route.ClientCertificate {
			http[r.Name] = true
		}
	}
	for _, name := range stacks.FunctionNames() {
		env, _ := function(t, s, name)["Environment"].(map[string]interface{})
		vars, _ := env["Variables"].(map[string]interface{})
		v, ok := vars[stacks.OriginSecretVariable]
		if !http[name] {
			if ok {
				t.Errorf("%s is not behind the HTTP API but has %s", name, stacks.OriginSecretVariable)
			}
			continue
		}
		j := mustJSON(t, v)
		if !strings.Contains(j, `{{resolve:secretsmanager:`) || !strings.Contains(j, `:SecretString:::}}`) || !strings.Contains(j, "OriginSecret") {
			t.Errorf("%s: %s = %s, want the origin secret", name, stacks.OriginSecretVariable, j)
		}
	}
	// The TPP API's functions are not behind CloudFront: none has the secret.
	for id, fn := range resourcesOf(t, s.tppAPI, s.tppGroups, "AWS::Lambda::Function") {
		if strings.Contains(mustJSON(t, props(fn)["Environment"]), stacks.OriginSecretVariable) {
			t.Errorf("TPP API function %s has %s", id, stacks.OriginSecretVariable)
		}
	}
	// The function reads the variable as the secret RequireOrigin checks.
	t.Setenv(stacks.OriginSecretVariable, "value-from-cloudfront")
	if cfg, err := config.FromEnv(); err != nil || cfg.OriginSecret != "value-from-cloudfront" {
		t.Errorf("OriginSecret = %q, %v", cfg.OriginSecret, err)
	}
}

// TestPortalAPICustomDomain: with a custom domain, the HTTP API's execute-api endpoint is
// disabled, the domain maps to its stage and CloudFront's API origin is the domain; without
// one, the endpoint stays CloudFront's origin (and the origin secret keeps direct calls out).
func TestPortalAPICustomDomain(t *testing.T) {
	api := func(s *synthesized) map[string]interface{} {
		apis := tmplResources(s.api, "AWS::ApiGatewayV2::Api")
		if len(apis) != 1 {
			t.Fatalf("%d HTTP APIs", len(apis))
		}
		for _, a := range apis {
			return props(a)
		}
		return nil
	}
	if got := api(synth(t))["DisableExecuteApiEndpoint"]; got != false {
		t.Errorf("without a custom domain, DisableExecuteApiEndpoint = %v, want false", got)
	}
	const domain = "portal-api.test.example"
	const cert = "arn:aws:acm:eu-west-1:123456789012:certificate/99999999-2222-3333-4444-555555555555"
	s := synthesizeWith(org.Production, filepath.Join(outdir, "domain"), func(dep *stacks.Deployment) {
		dep.PortalAPIDomain = &stacks.PortalAPIDomain{DomainName: domain, CertificateARN: cert}
	})
	if s.err != nil {
		t.Fatal(s.err)
	}
	if got := api(&s)["DisableExecuteApiEndpoint"]; got != true {
		t.Errorf("DisableExecuteApiEndpoint = %v, want true", got)
	}
	names := tmplResources(s.api, "AWS::ApiGatewayV2::DomainName")
	if len(names) != 1 {
		t.Fatalf("%d domain names, want 1", len(names))
	}
	for id, n := range names {
		if got := mustJSON(t, props(n)); got != `{"DomainName":"`+domain+`","DomainNameConfigurations":[{"CertificateArn":"`+cert+`","EndpointType":"REGIONAL","SecurityPolicy":"TLS_1_2"}]}` {
			t.Errorf("domain name %s", got)
		}
		mappings := tmplResources(s.api, "AWS::ApiGatewayV2::ApiMapping")
		if len(mappings) != 1 {
			t.Fatalf("%d API mappings, want 1", len(mappings))
		}
		stages := tmplResources(s.api, "AWS::ApiGatewayV2::Stage")
		for _, m := range mappings {
			p := props(m)
			if ref(p["DomainName"]) != id || p["Stage"] != "$default" || ref(p["ApiId"]) == "" {
				t.Errorf("mapping %s, want the API's $default stage on %s", mustJSON(t, p), id)
			}
			// The mapping names the stage, which CloudFormation must create first.
			after := false
			for _, dep := range list(m["DependsOn"]) {
				if _, ok := stages[fmt.Sprint(dep)]; ok {
					after = true
				}
			}
			if !after {
				t.Errorf("the mapping does not wait for the stage: DependsOn %v", m["DependsOn"])
			}
		}
	}
	dist := distributionConfig(t, &s)
	var originID interface{}
	for _, b := range dist["CacheBehaviors"].([]interface{}) {
		if b := b.(map[string]interface{}); b["PathPattern"] == "/api/*" {
			originID = b["TargetOriginId"]
		}
	}
	for _, o := range dist["Origins"].([]interface{}) {
		origin := o.(map[string]interface{})
		if origin["Id"] == originID {
			if got := mustJSON(t, origin["DomainName"]); !strings.Contains(got, "ApiDomain") {
				t.Errorf("API origin %s, want the custom domain", got)
			}
		}
	}
}
