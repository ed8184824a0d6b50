package stacks_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"

	"github.com/bank/devportal/infra/stacks"
	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/tpp/callercheck"
	tpproutes "github.com/bank/devportal/shared/tpp/routes"
)

// TestOAuthFunctions checks the functions of the authorization server (the TPP API's
// methods) and of the sandbox bank's pages (the portal API's routes) in both
// environments: each role may do exactly what the route's needs say, each scoped to its
// resource (GetItem on the portal table, the TPP table's read and write grant with its
// index, GetSecretValue on the OAuth key's secret), and nothing for the metadata; each
// function knows the key's secret only if it may read it, the environment it serves, the
// issuer and the authorization endpoint on the portal's domain.
func TestOAuthFunctions(t *testing.T) {
	for _, s := range environments(t) {
		t.Run(string(s.env), func(t *testing.T) {
			var fns []route.Route
			fns = append(fns, tpproutes.Deployed()...)
			fns = append(fns, tpproutes.Browser...)
			for _, rt := range fns {
				t.Run(rt.Name, func(t *testing.T) {
					parent, groups := s.tppAPI, s.tppGroups
					if slices.ContainsFunc(tpproutes.Browser, func(b route.Route) bool { return b.Name == rt.Name }) {
						parent, groups = s.api, s.apiGroups
					}
					fn, ok := resourcesOf(t, parent, groups, "AWS::Lambda::Function")[stacks.FunctionLogicalID(rt.Name)]
					if !ok {
						t.Fatalf("no function %s", stacks.FunctionLogicalID(rt.Name))
					}
					p := props(fn)
					vars, _ := p["Environment"].(map[string]interface{})["Variables"].(map[string]interface{})
					signs := rt.AllNeeds().Has(route.OAuthKey)
					if _, has := vars[stacks.OAuthKeyVariable]; has != signs || signs && !strings.Contains(mustJSON(t, vars[stacks.OAuthKeyVariable]), "OAuthKey") {
						t.Errorf("%s = %v, want it iff the route needs the key (%v)", stacks.OAuthKeyVariable, vars[stacks.OAuthKeyVariable], signs)
					}
					for k, want := range map[string]string{
						callercheck.EnvironmentVariable: string(s.env),
						"OAUTH_AUTHORIZE_URL":           testPortalURL + tpproutes.AuthorizePath,
						"TPP_URL":                       "https://" + s.tpp.DomainName,
					} {
						if vars[k] != want {
							t.Errorf("%s = %v, want %s", k, vars[k], want)
						}
					}

					role := getAtt(p["Role"], "Arn")
					got := map[string][]string{} // resource ("portal", "tpp", "tpp-index", "key", "*", "log") -> actions
					for _, pol := range resourcesOf(t, parent, groups, "AWS::IAM::Policy") {
						pp := props(pol)
						if !slices.ContainsFunc(list(pp["Roles"]), func(r interface{}) bool { return ref(r) == role }) {
							continue
						}
						for _, raw := range list(pp["PolicyDocument"].(map[string]interface{})["Statement"]) {
							st := raw.(map[string]interface{})
							for _, res := range list(st["Resource"]) {
								j := mustJSON(t, res)
								var what string
								switch {
								case res == "*":
									what = "*"
								case strings.Contains(j, "Logs"):
									what = "log"
								case strings.Contains(j, "TppTable") && strings.Contains(j, "/index/*"):
									what = "tpp-index"
								case strings.Contains(j, "TppTable"):
									what = "tpp"
								case strings.Contains(j, "PortalTable"):
									what = "portal"
								case strings.Contains(j, "OAuthKey"):
									what = "key"
								default:
									t.Errorf("%v allowed on %s", st["Action"], j)
								}
								got[what] = append(got[what], stringList(st["Action"])...)
							}
						}
					}
					// Reads and writes of items, no scan (TestTPPTableLeadingKeys holds them
					// to the function's families).
					tppGrant := []string{"dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem", "dynamodb:DeleteItem",
						"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"}
					want := map[string][]string{
						"*":   {"xray:PutTelemetryRecords", "xray:PutTraceSegments"},
						"log": {"logs:CreateLogStream", "logs:PutLogEvents"},
					}
					if signs {
						want["key"] = []string{"secretsmanager:GetSecretValue"}
					}
					// The portal's one-read lookups where the route reads them; the TPP table
					// where it reaches it (the account-information and payment functions
					// reach nothing of the portal: the authorizer found the app).
					if rt.AllNeeds().Has(route.PortalTable) {
						want["portal"] = []string{"dynamodb:GetItem"}
					}
					if rt.AllNeeds().Has(route.TPPTable) {
						want["tpp"], want["tpp-index"] = tppGrant, tppGrant
					}
					for what := range got {
						slices.Sort(got[what])
						got[what] = slices.Compact(got[what])
					}
					for _, what := range []string{"*", "log", "portal", "tpp", "tpp-index", "key"} {
						if !slices.Equal(got[what], want[what]) {
							t.Errorf("on %s: %v, want %v", what, got[what], want[what])
						}
					}
				})
			}
		})
	}
}

// TestOAuthKeySecret: in both environments the identity stack has the OAuth key's secret,
// generated by Secrets Manager (64 letters and digits, so no value in the template), its
// missing rotation schedule suppressed with its reason, and its ARN as an output.
func TestOAuthKeySecret(t *testing.T) {
	for _, s := range environments(t) {
		t.Run(string(s.env), func(t *testing.T) {
			id := s.stacks.Identity.Resolve(s.stacks.Identity.OAuthKey.SecretArn()).(map[string]interface{})["Ref"].(string)
			secret, ok := tmplResources(s.identity, "AWS::SecretsManager::Secret")[id]
			if !ok {
				t.Fatalf("no secret %s", id)
			}
			want := `{"ExcludePunctuation":true,"IncludeSpace":false,"PasswordLength":64}`
			if got := mustJSON(t, props(secret)["GenerateSecretString"]); got != want {
				t.Errorf("GenerateSecretString = %s, want %s", got, want)
			}
			if _, ok := props(secret)["SecretString"]; ok {
				t.Error("the key is in the template")
			}
			if !strings.Contains(mustJSON(t, secret["Metadata"]), `"id":"AwsSolutions-SMG4","reason":"Rotated by hand`) {
				t.Errorf("SMG4 is not suppressed with its reason: %v", secret["Metadata"])
			}
			outputs := *s.identity.FindOutputs(jsii.String("OAuthKeySecretArn"), nil)
			if o, ok := outputs["OAuthKeySecretArn"]; !ok || o == nil || ref((*o)["Value"]) != id {
				t.Errorf("OAuthKeySecretArn output = %v", outputs)
			}
			if report := nagReport(t, s.outdir, *s.stacks.Identity.StackName()); report["AwsSolutions-SMG4"] != "Suppressed" {
				t.Errorf("AwsSolutions-SMG4 is %q", report["AwsSolutions-SMG4"])
			}
		})
	}
}
