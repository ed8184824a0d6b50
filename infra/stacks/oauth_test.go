package stacks_test

import (
	"slices"
	"strings"
	"testing"

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
					tppGrant := []string{"dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem", "dynamodb:DeleteItem",
						"dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:PutItem",
						"dynamodb:Query", "dynamodb:Scan", "dynamodb:UpdateItem"}
					want := map[string][]string{
						"*":   {"xray:PutTelemetryRecords", "xray:PutTraceSegments"},
						"log": {"logs:CreateLogStream", "logs:PutLogEvents"},
					}
					if signs {
						want["portal"] = []string{"dynamodb:GetItem"}
						want["tpp"], want["tpp-index"] = tppGrant, tppGrant
						want["key"] = []string{"secretsmanager:GetSecretValue"}
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
