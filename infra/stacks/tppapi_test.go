package stacks_test

import (
	"encoding/json"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/bank/devportal/infra/stacks"
	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/portal/apps"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/portal/routes"
	"github.com/bank/devportal/shared/tpp/callercheck"
	tpproutes "github.com/bank/devportal/shared/tpp/routes"
)

// tppApp is the TPP API stack of one synthesis, with the stacks it uses.
type tppApp struct {
	settings stacks.TPPSettings
	stacks   struct {
		data       *stacks.DataStack
		truststore *stacks.TruststoreStack
		tpp        *stacks.TPPAPIStack
	}
	template assertions.Template
}

// tppApps are the TPP API in both environments, from the whole app of each.
func tppApps(t *testing.T) []tppApp {
	t.Helper()
	var out []tppApp
	for _, s := range environments(t) {
		a := tppApp{settings: s.tpp, template: s.tppAPI}
		a.stacks.data, a.stacks.truststore, a.stacks.tpp = s.stacks.Data, s.stacks.Truststore, s.stacks.TPPAPI
		out = append(out, a)
	}
	return out
}

// fullPath is the path of the REST API resource id of tmpl ("/" for the root).
func fullPath(tmpl assertions.Template, id string) string {
	resources := tmplResources(tmpl, "AWS::ApiGateway::Resource")
	var parts []string
	for {
		r, ok := resources[id]
		if !ok {
			break
		}
		parts = append([]string{str(props(r)["PathPart"])}, parts...)
		id = ref(props(r)["ParentId"])
	}
	return "/" + strings.Join(parts, "/")
}

// authorizerOf is the REQUEST authorizer of tmpl whose function is the named one.
func authorizerOf(t *testing.T, tmpl assertions.Template, name string) map[string]interface{} {
	t.Helper()
	id := authorizerIDOf(t, tmpl, name)
	return tmplResources(tmpl, "AWS::ApiGateway::Authorizer")[id]
}

// authorizerIDOf is the logical ID of the REQUEST authorizer of tmpl whose function is
// the named one.
func authorizerIDOf(t *testing.T, tmpl assertions.Template, name string) string {
	t.Helper()
	var found []string
	for id, a := range tmplResources(tmpl, "AWS::ApiGateway::Authorizer") {
		if strings.Contains(mustJSON(t, props(a)["AuthorizerUri"]), `{"Fn::GetAtt":["`+stacks.FunctionLogicalID(name)+`","Arn"]}`) {
			found = append(found, id)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d authorizers call %s, want 1", len(found), name)
	}
	return found[0]
}

// tmplResources are the template's resources of type typ, by logical ID.
func tmplResources(tmpl assertions.Template, typ string) map[string]map[string]interface{} {
	out := map[string]map[string]interface{}{}
	for id, r := range *tmpl.FindResources(jsii.String(typ), nil) {
		out[id] = *r
	}
	return out
}

func TestTPPDomainMutualTLS(t *testing.T) {
	for _, a := range tppApps(t) {
		t.Run(string(a.settings.Environment), func(t *testing.T) {
			_, domain := only(t, a.template, "AWS::ApiGateway::DomainName")
			p := props(domain)
			bucket := a.stacks.tpp.Resolve(a.stacks.truststore.Bucket.BucketName())
			want := map[string]interface{}{
				"DomainName": a.settings.DomainName,
				"MutualTlsAuthentication": map[string]interface{}{
					"TruststoreUri":     map[string]interface{}{"Fn::Join": []interface{}{"", []interface{}{"s3://", bucket, "/" + a.settings.TruststoreKey}}},
					"TruststoreVersion": a.settings.TruststoreVersion,
				},
				"RegionalCertificateArn": a.settings.CertificateARN,
				"SecurityPolicy":         "TLS_1_2",
				"EndpointConfiguration":  map[string]interface{}{"Types": []interface{}{"REGIONAL"}},
			}
			for k, v := range want {
				if got, _ := json.Marshal(p[k]); string(got) != mustJSON(t, v) {
					t.Errorf("%s = %s, want %s", k, got, mustJSON(t, v))
				}
			}
			apiID, _ := only(t, a.template, "AWS::ApiGateway::RestApi")
			stageID, _ := only(t, a.template, "AWS::ApiGateway::Stage")
			domainID, _ := only(t, a.template, "AWS::ApiGateway::DomainName")
			check(t, func() {
				a.template.HasResourceProperties(jsii.String("AWS::ApiGateway::BasePathMapping"), map[string]interface{}{
					"DomainName": map[string]interface{}{"Ref": domainID},
					"RestApiId":  map[string]interface{}{"Ref": apiID},
					"Stage":      map[string]interface{}{"Ref": stageID},
				})
			})
		})
	}
}

func mustJSON(t *testing.T, v interface{}) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestTPPTruststoreBucket(t *testing.T) {
	for _, s := range environments(t) {
		t.Run(string(s.env), func(t *testing.T) { testTPPTruststoreBucket(t, s) })
	}
}

func testTPPTruststoreBucket(t *testing.T, s *synthesized) {
	buckets := tmplResources(s.truststore, "AWS::S3::Bucket")
	id := s.stacks.Truststore.Resolve(s.stacks.Truststore.Bucket.BucketName()).(map[string]interface{})["Ref"].(string)
	b := buckets[id]
	p := props(b)
	if v, _ := p["VersioningConfiguration"].(map[string]interface{}); v["Status"] != "Enabled" {
		t.Errorf("truststore bucket versioning = %v", p["VersioningConfiguration"])
	}
	if !strings.Contains(mustJSON(t, p["BucketEncryption"]), `"SSEAlgorithm":"AES256"`) {
		t.Errorf("truststore bucket encryption = %v", p["BucketEncryption"])
	}
	blockAll := map[string]interface{}{"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true}
	if !reflect.DeepEqual(p["PublicAccessBlockConfiguration"], blockAll) {
		t.Errorf("truststore bucket public access = %v", p["PublicAccessBlockConfiguration"])
	}
	if logging, _ := p["LoggingConfiguration"].(map[string]interface{}); buckets[ref(logging["DestinationBucketName"])] == nil {
		t.Errorf("truststore bucket access logs = %v", p["LoggingConfiguration"])
	}
	if b["DeletionPolicy"] != "Retain" {
		t.Errorf("truststore bucket DeletionPolicy = %v, want Retain", b["DeletionPolicy"])
	}
	var ssl bool
	for _, pol := range tmplResources(s.truststore, "AWS::S3::BucketPolicy") {
		ssl = ssl || (ref(props(pol)["Bucket"]) == id && strings.Contains(mustJSON(t, props(pol)), `"aws:SecureTransport":"false"`))
	}
	if !ssl {
		t.Error("truststore bucket allows requests without TLS")
	}
	check(t, func() { s.truststore.HasOutput(jsii.String("TruststoreBucketName"), map[string]interface{}{}) })
}

func TestTPPExecuteAPIEndpointDisabled(t *testing.T) {
	for _, a := range tppApps(t) {
		_, api := only(t, a.template, "AWS::ApiGateway::RestApi")
		p := props(api)
		if p["DisableExecuteApiEndpoint"] != true {
			t.Errorf("%s: DisableExecuteApiEndpoint = %v: mutual TLS could be bypassed", a.settings.Environment, p["DisableExecuteApiEndpoint"])
		}
		if p["ApiKeySourceType"] != "AUTHORIZER" {
			t.Errorf("%s: ApiKeySourceType = %v", a.settings.Environment, p["ApiKeySourceType"])
		}
	}
}

// TestTPPAuthorizerOnMethods: every method but the health check is behind a REQUEST
// authorizer: the tpp-bearer-authorizer for the routes that take a bearer token, the
// tpp-authorizer for the others and the catch-all.
func TestTPPAuthorizerOnMethods(t *testing.T) {
	for _, s := range environments(t) {
		t.Run(string(s.env), func(t *testing.T) { testTPPAuthorizerOnMethods(t, s) })
	}
}

func testTPPAuthorizerOnMethods(t *testing.T, s *synthesized) {
	if n := len(tmplResources(s.tppAPI, "AWS::ApiGateway::Authorizer")); n != len(tpproutes.Authorizers) {
		t.Fatalf("%d authorizers, want %d", n, len(tpproutes.Authorizers))
	}
	ids := map[string]string{} // authorizer function name -> authorizer logical ID
	for _, name := range tpproutes.Authorizers {
		ids[name] = authorizerIDOf(t, s.tppAPI, name)
		ap := props(authorizerOf(t, s.tppAPI, name))
		if ap["Type"] != "REQUEST" || ap["AuthorizerResultTtlInSeconds"] != 0.0 || ap["IdentitySource"] != "method.request.header.X-Request-ID" {
			t.Errorf("%s = %v %v s %v, want REQUEST, uncached, on X-Request-ID", name, ap["Type"], ap["AuthorizerResultTtlInSeconds"], ap["IdentitySource"])
		}
	}
	methods := tmplResources(s.tppAPI, "AWS::ApiGateway::Method")
	if len(methods) < 2 {
		t.Fatalf("%d methods, want the health check and at least one authorized method", len(methods))
	}
	// The health check, and the portal's routes of this origin, whose credential is the
	// client certificate itself, run without the authorizer.
	ownCredential := map[string]bool{}
	for _, rt := range routes.Portal {
		if rt.Auth == route.ClientCertificate {
			ownCredential[rt.Method+" "+rt.Path] = true
		}
	}
	// So does the authorization server's metadata, public by definition.
	for _, rt := range tpproutes.Deployed() {
		if rt.Auth == route.Public {
			ownCredential[rt.Method+" "+rt.Path] = true
		}
	}
	var bearer int
	for id, m := range methods {
		p := props(m)
		key := str(p["HttpMethod"]) + " " + fullPath(s.tppAPI, ref(p["ResourceId"]))
		if key == "GET /healthz" || ownCredential[key] {
			delete(ownCredential, key)
			if p["AuthorizationType"] != "NONE" {
				t.Errorf("%s: authorization %v", key, p["AuthorizationType"])
			}
			continue
		}
		want := tpproutes.AuthorizerName
		if rt, ok := route.Match(tpproutes.TPP, str(p["HttpMethod"]), fullPath(s.tppAPI, ref(p["ResourceId"]))); ok && rt.Path == fullPath(s.tppAPI, ref(p["ResourceId"])) {
			want = tpproutes.AuthorizerOf(rt)
		}
		if want == tpproutes.BearerAuthorizerName {
			bearer++
		}
		if p["AuthorizationType"] != "CUSTOM" || ref(p["AuthorizerId"]) != ids[want] {
			t.Errorf("%s (%s) is not behind the %s: %v %v", key, id, want, p["AuthorizationType"], p["AuthorizerId"])
		}
	}
	var wantBearer int
	for _, rt := range tpproutes.Deployed() {
		if rt.Bearer {
			wantBearer++
		}
	}
	if bearer != wantBearer || bearer == 0 {
		t.Errorf("%d methods behind the bearer authorizer, want the %d routes that take a token", bearer, wantBearer)
	}
	for key := range ownCredential {
		t.Errorf("no method %s", key)
	}
	// API Gateway may invoke each authorizer's function for that authorizer only.
	perm := mustJSON(t, tmplResources(s.tppAPI, "AWS::Lambda::Permission"))
	for _, name := range tpproutes.Authorizers {
		check(t, func() {
			s.tppAPI.HasResourceProperties(jsii.String("AWS::Lambda::Permission"), map[string]interface{}{
				"Action":       "lambda:InvokeFunction",
				"Principal":    "apigateway.amazonaws.com",
				"FunctionName": map[string]interface{}{"Fn::GetAtt": []interface{}{stacks.FunctionLogicalID(name), "Arn"}},
				"SourceArn":    assertions.Match_AnyValue(),
			})
		})
		if !strings.Contains(perm, `"/authorizers/",{"Ref":"`+ids[name]+`"}`) {
			t.Errorf("invoke permission is not scoped to the %s: %s", name, perm)
		}
	}
}

// TestTPPAuthorizerFunction checks the authorizers' functions' settings and that their
// roles may do exactly this: the tpp-authorizer dynamodb:GetItem and BatchGetItem on the
// portal table, nothing else on data; the tpp-bearer-authorizer the same, and reading the
// TPP table (the tokens' sessions) and the OAuth key's secret.
func TestTPPAuthorizerFunction(t *testing.T) {
	tppRead := []string{"dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "dynamodb:GetItem", "dynamodb:Query"}
	for _, a := range tppApps(t) {
		for _, name := range tpproutes.Authorizers {
			t.Run(string(a.settings.Environment)+"/"+name, func(t *testing.T) {
				fns := tmplResources(a.template, "AWS::Lambda::Function")
				fn, ok := fns[stacks.FunctionLogicalID(name)]
				if !ok || len(fns) != len(tpproutes.Authorizers)+len(tpproutes.Jobs) {
					t.Fatalf("functions %v, want the authorizers %v and the jobs", slices.Collect(maps.Keys(fns)), tpproutes.Authorizers)
				}
				p := props(fn)
				for k, v := range map[string]interface{}{
					"Runtime": "provided.al2023", "Architectures": []interface{}{"arm64"}, "Handler": "bootstrap",
					"MemorySize": 512.0, "Timeout": 5.0, "TracingConfig": map[string]interface{}{"Mode": "Active"},
				} {
					if !reflect.DeepEqual(p[k], v) {
						t.Errorf("%s = %v, want %v", k, p[k], v)
					}
				}
				vars := p["Environment"].(map[string]interface{})["Variables"].(map[string]interface{})
				if vars[callercheck.EnvironmentVariable] != string(a.settings.Environment) {
					t.Errorf("%s = %v", callercheck.EnvironmentVariable, vars[callercheck.EnvironmentVariable])
				}
				if !reflect.DeepEqual(vars["PORTAL_TABLE"], a.stacks.tpp.Resolve(a.stacks.data.PortalTableName)) {
					t.Errorf("PORTAL_TABLE = %v", vars["PORTAL_TABLE"])
				}
				bearer := name == tpproutes.BearerAuthorizerName
				if _, has := vars[stacks.OAuthKeyVariable]; has != bearer {
					t.Errorf("%s = %v, want it only for the bearer authorizer", stacks.OAuthKeyVariable, vars[stacks.OAuthKeyVariable])
				}

				portal := mustJSON(t, a.stacks.tpp.Resolve(a.stacks.data.Portal.TableArn()))
				role := getAtt(p["Role"], "Arn")
				got := map[string][]string{} // "portal", "tpp", "tpp-index", "key" -> actions
				for _, pol := range tmplResources(a.template, "AWS::IAM::Policy") {
					pp := props(pol)
					if !slices.ContainsFunc(pp["Roles"].([]interface{}), func(r interface{}) bool { return ref(r) == role }) {
						continue
					}
					for _, raw := range pp["PolicyDocument"].(map[string]interface{})["Statement"].([]interface{}) {
						st := raw.(map[string]interface{})
						for _, action := range stringList(st["Action"]) {
							if slices.Contains([]string{"logs:CreateLogStream", "logs:PutLogEvents", "xray:PutTraceSegments", "xray:PutTelemetryRecords"}, action) {
								continue
							}
							for _, res := range list(st["Resource"]) {
								j := mustJSON(t, res)
								switch {
								case j == portal:
									got["portal"] = append(got["portal"], action)
								case strings.Contains(j, "TppTable") && strings.Contains(j, "/index/*"):
									got["tpp-index"] = append(got["tpp-index"], action)
								case strings.Contains(j, "TppTable"):
									got["tpp"] = append(got["tpp"], action)
								case strings.Contains(j, "OAuthKey"):
									got["key"] = append(got["key"], action)
								default:
									t.Errorf("%s allowed on %s", action, j)
								}
							}
						}
					}
				}
				want := map[string][]string{"portal": {"dynamodb:BatchGetItem", "dynamodb:GetItem"}}
				if bearer {
					want["tpp"], want["tpp-index"], want["key"] = tppRead, tppRead, []string{"secretsmanager:GetSecretValue"}
				}
				for what := range got {
					slices.Sort(got[what])
					got[what] = slices.Compact(got[what])
				}
				for _, what := range []string{"portal", "tpp", "tpp-index", "key"} {
					if !slices.Equal(got[what], want[what]) {
						t.Errorf("on %s: %v, want %v", what, got[what], want[what])
					}
				}
				for id, r := range tmplResources(a.template, "AWS::IAM::Role") {
					if id == role {
						if pols, ok := props(r)["ManagedPolicyArns"]; ok {
							t.Errorf("authorizer role has managed policies %v", pols)
						}
					}
				}
			})
		}
	}
}

// TestTPPUsagePlans: one usage plan per catalog product with the product's plan of the
// API's environment, on the API's stage.
func TestTPPUsagePlans(t *testing.T) {
	for _, a := range tppApps(t) {
		t.Run(string(a.settings.Environment), func(t *testing.T) {
			apiID, _ := only(t, a.template, "AWS::ApiGateway::RestApi")
			stageID, _ := only(t, a.template, "AWS::ApiGateway::Stage")
			got := map[string]map[string]interface{}{}
			for _, up := range tmplResources(a.template, "AWS::ApiGateway::UsagePlan") {
				p := props(up)
				got[str(p["UsagePlanName"])] = p
			}
			if len(got) != len(apps.Catalog)+1 {
				t.Errorf("%d usage plans, want one per product (%d) and the refusals'", len(got), len(apps.Catalog))
			}
			for _, product := range apps.Catalog {
				plan := product.PlanFor(a.settings.Environment)
				name := stacks.UsagePlanName(product.ID, plan.ID)
				p, ok := got[name]
				if !ok {
					t.Errorf("no usage plan %s", name)
					continue
				}
				want := map[string]interface{}{
					"Throttle": map[string]interface{}{"RateLimit": float64(plan.RateLimitPerSecond), "BurstLimit": float64(plan.RateLimitPerSecond)},
					"Quota":    map[string]interface{}{"Limit": float64(plan.QuotaPerDay), "Period": "DAY"},
				}
				for k, v := range want {
					if !reflect.DeepEqual(p[k], v) {
						t.Errorf("%s %s = %v, want %v", name, k, p[k], v)
					}
				}
				stages, _ := p["ApiStages"].([]interface{})
				if len(stages) != 1 || ref(stages[0].(map[string]interface{})["ApiId"]) != apiID || ref(stages[0].(map[string]interface{})["Stage"]) != stageID {
					t.Errorf("%s applies to %v, want the API's stage", name, p["ApiStages"])
				}
			}
		})
	}
}

// TestTPPAPIKeys: every method behind the authorizer requires the API key the authorizer
// names; refused calls have their own usage key and plan (the stage's limits); and the
// portal functions that keep usage keys get every product's usage plan of the API's
// environment in USAGE_PLAN_IDS.
func TestTPPAPIKeys(t *testing.T) {
	for _, s := range environments(t) {
		t.Run(string(s.env), func(t *testing.T) {
			for id, m := range tmplResources(s.tppAPI, "AWS::ApiGateway::Method") {
				p := props(m)
				if required := p["ApiKeyRequired"] == true; required != (p["AuthorizationType"] == "CUSTOM") {
					t.Errorf("method %s (%v): ApiKeyRequired %v", id, p["AuthorizationType"], p["ApiKeyRequired"])
				}
			}
			stageID, _ := only(t, s.tppAPI, "AWS::ApiGateway::Stage")
			var refusals string
			for id, up := range tmplResources(s.tppAPI, "AWS::ApiGateway::UsagePlan") {
				p := props(up)
				if p["UsagePlanName"] != "refusals-"+string(s.env) {
					continue
				}
				refusals = id
				stages, _ := p["ApiStages"].([]interface{})
				if _, quota := p["Quota"]; quota || len(stages) != 1 || ref(stages[0].(map[string]interface{})["Stage"]) != stageID ||
					mustJSON(t, p["Throttle"]) != `{"BurstLimit":1000,"RateLimit":500}` {
					t.Errorf("refusals plan = %v", p)
				}
			}
			keyID, key := only(t, s.tppAPI, "AWS::ApiGateway::ApiKey")
			if v := props(key)["Value"]; v != lookup.RefusalUsageKey(lookup.Environment(s.env)) || props(key)["Enabled"] != true {
				t.Errorf("refusal key = %v", props(key))
			}
			_, member := only(t, s.tppAPI, "AWS::ApiGateway::UsagePlanKey")
			if p := props(member); refusals == "" || ref(p["UsagePlanId"]) != refusals || ref(p["KeyId"]) != keyID || p["KeyType"] != "API_KEY" {
				t.Errorf("refusal key's plan = %v (refusals plan %q)", p, refusals)
			}

			env, _ := function(t, s, "app-create")["Environment"].(map[string]interface{})
			vars, _ := env["Variables"].(map[string]interface{})
			checkUsagePlanIDs(t, s, vars[stacks.UsagePlansVariable])
		})
	}
}

func TestTPPWAF(t *testing.T) {
	for _, a := range tppApps(t) {
		t.Run(string(a.settings.Environment), func(t *testing.T) {
			aclID, acl := only(t, a.template, "AWS::WAFv2::WebACL")
			p := props(acl)
			if p["Scope"] != "REGIONAL" || !reflect.DeepEqual(p["DefaultAction"], map[string]interface{}{"Allow": map[string]interface{}{}}) {
				t.Errorf("web ACL scope %v, default %v", p["Scope"], p["DefaultAction"])
			}
			var common, rate bool
			for _, raw := range p["Rules"].([]interface{}) {
				r := raw.(map[string]interface{})
				st := r["Statement"].(map[string]interface{})
				if m, ok := st["ManagedRuleGroupStatement"].(map[string]interface{}); ok {
					common = m["VendorName"] == "AWS" && m["Name"] == "AWSManagedRulesCommonRuleSet" &&
						reflect.DeepEqual(r["OverrideAction"], map[string]interface{}{"None": map[string]interface{}{}})
				}
				if rb, ok := st["RateBasedStatement"].(map[string]interface{}); ok {
					rate = rb["AggregateKeyType"] == "IP" && rb["Limit"] == float64(stacks.WAFRateLimit(a.settings.Environment)) &&
						reflect.DeepEqual(r["Action"], map[string]interface{}{"Block": map[string]interface{}{}})
				}
			}
			if !common {
				t.Error("no blocking AWS common rule set")
			}
			if !rate {
				t.Errorf("no per-IP rate rule blocking above %d", stacks.WAFRateLimit(a.settings.Environment))
			}
			_, assoc := only(t, a.template, "AWS::WAFv2::WebACLAssociation")
			ap := props(assoc)
			stageID, _ := only(t, a.template, "AWS::ApiGateway::Stage")
			if getAtt(ap["WebACLArn"], "Arn") != aclID || !strings.Contains(mustJSON(t, ap["ResourceArn"]), `"/stages/",{"Ref":"`+stageID+`"}`) {
				t.Errorf("association %v does not put the web ACL on the stage", ap)
			}
		})
	}
	// Production's plans are higher than the sandbox's, so is its rate limit.
	if sb, pr := stacks.WAFRateLimit(org.Sandbox), stacks.WAFRateLimit(org.Production); sb >= pr || sb <= 0 {
		t.Errorf("rate limits: sandbox %d, production %d", sb, pr)
	}
}

func TestTPPAccessLogs(t *testing.T) {
	for _, s := range environments(t) {
		t.Run(string(s.env), func(t *testing.T) { testTPPAccessLogs(t, s) })
	}
}

func testTPPAccessLogs(t *testing.T, s *synthesized) {
	_, stage := only(t, s.tppAPI, "AWS::ApiGateway::Stage")
	p := props(stage)
	logs := p["AccessLogSetting"].(map[string]interface{})
	format := str(logs["Format"])
	for _, want := range []string{`"$context.identity.clientCert.serialNumber"`, `"$context.requestId"`, `"$context.authorizer.appId"`} {
		if !strings.Contains(format, want) {
			t.Errorf("access log format lacks %s", want)
		}
	}
	// Each line is a JSON object once API Gateway has filled in the variables.
	filled := regexp.MustCompile(`\$context\.[A-Za-z.]+`).ReplaceAllString(format, "x")
	var line map[string]string
	if err := json.Unmarshal([]byte(filled), &line); err != nil {
		t.Errorf("access log lines are not JSON: %v (%s)", err, filled)
	}
	groups := tmplResources(s.tppAPI, "AWS::Logs::LogGroup")
	if g, ok := groups[getAtt(logs["DestinationArn"], "Arn")]; !ok || props(g)["RetentionInDays"] != 30.0 {
		t.Errorf("access logs go to %v", logs["DestinationArn"])
	}
	// Execution logs are errors only, without request data.
	settings := mustJSON(t, p["MethodSettings"])
	if !strings.Contains(settings, `"LoggingLevel":"ERROR"`) || !strings.Contains(settings, `"DataTraceEnabled":false`) {
		t.Errorf("method settings %s", settings)
	}
	if p["TracingEnabled"] != true {
		t.Error("X-Ray tracing is off")
	}
}

func TestTPPSettingsValidate(t *testing.T) {
	cases := []struct {
		name   string
		change func(*stacks.TPPSettings)
		want   string // "" for valid
	}{
		{"valid", func(*stacks.TPPSettings) {}, ""},
		{"sandbox", func(s *stacks.TPPSettings) { s.Environment = org.Sandbox }, ""},
		{"unknown environment", func(s *stacks.TPPSettings) { s.Environment = "live" }, `environment="live"`},
		{"no domain", func(s *stacks.TPPSettings) { s.DomainName = "" }, "tppDomainName is not set"},
		{"no certificate", func(s *stacks.TPPSettings) { s.CertificateARN = "" }, "tppCertificateArn is not set"},
		{"certificate not an ARN", func(s *stacks.TPPSettings) { s.CertificateARN = "my-cert" }, "is not an ARN"},
		{"no truststore key", func(s *stacks.TPPSettings) { s.TruststoreKey = " " }, "tppTruststoreKey is not set"},
		{"no truststore version", func(s *stacks.TPPSettings) { s.TruststoreVersion = "" }, "tppTruststoreVersion is not set"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			set := testTPP
			tc.change(&set)
			err := set.Validate()
			if tc.want == "" {
				if err != nil {
					t.Errorf("Validate() = %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate() = %v, want an error with %q", err, tc.want)
			}
		})
	}
}

// TestTPPJobs checks the TPP area's scheduled functions: one EventBridge rule each, on
// the job's schedule, targeting its function, whose role reads and writes the TPP table
// and does not touch the portal table.
func TestTPPJobs(t *testing.T) {
	for _, a := range tppApps(t) {
		rules := tmplResources(a.template, "AWS::Events::Rule")
		if len(rules) != len(tpproutes.Jobs) {
			t.Errorf("%s: %d rules, want one per job (%d)", a.settings.Environment, len(rules), len(tpproutes.Jobs))
		}
		for _, job := range tpproutes.Jobs {
			t.Run(string(a.settings.Environment)+"/"+job.Name, func(t *testing.T) {
				found := false
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
					if p["ScheduleExpression"] != job.Schedule || p["State"] != "ENABLED" {
						t.Errorf("rule %v %v, want %q ENABLED", p["ScheduleExpression"], p["State"], job.Schedule)
					}
				}
				if !found {
					t.Errorf("no rule targets %s", stacks.FunctionLogicalID(job.Name))
				}
				access, ok := stacks.FunctionAccess(job.Name)
				if !ok || !access.TPPTable || access.Table != stacks.NoTable || access.SendMail || access.OAuthKey {
					t.Errorf("access %+v, want the TPP table only", access)
				}
			})
		}
	}
}
