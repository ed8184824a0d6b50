package stacks_test

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"

	"github.com/bank/devportal/infra/stacks"
	"github.com/bank/devportal/shared/tpp/callercheck"
	tpproutes "github.com/bank/devportal/shared/tpp/routes"
)

// TestEnvironments compares the whole app synthesized for the sandbox with the one for
// production (the "environment" context value). Every stack but the TPP API must be the
// same template, so what the other tests check in one environment holds in both; the TPP
// API must differ in exactly what the environment decides: the usage plans (the catalog's
// plans of that environment), the WAF rate limit derived from them, the environment its
// authorizer admits, its domain, and the descriptions and deployment that name them.
// Every function's TPP_URL is the TPP API's domain, and the TPP area's browser routes
// serve the deployment's environment (tppOriginDiff).
// The sandbox also has the sandbox CA's secret (identity) and the functions that use it
// its ARN and their grant on it (portal API); TestSandboxCASecret checks those.
func TestEnvironments(t *testing.T) {
	envs := environments(t)
	prod, sandbox := envs[0], envs[1]
	same := []struct {
		name string
		a, b assertions.Template
	}{
		{"data", prod.data, sandbox.data},
		{"identity", prod.identity, sandbox.identity},
		{"workflows", prod.workflows, sandbox.workflows},
		{"portal API", prod.api, sandbox.api},
		{"frontend", prod.frontend, sandbox.frontend},
		{"edge", prod.edge, sandbox.edge},
		{"truststore", prod.truststore, sandbox.truststore},
		{"monitoring", prod.monitoring, sandbox.monitoring},
	}
	type pair struct {
		name string
		a, b map[string]interface{}
	}
	var pairs []pair
	for _, tc := range same {
		pairs = append(pairs, pair{tc.name, *tc.a.ToJSON(), *tc.b.ToJSON()})
	}
	// The nested stacks' templates are compared one by one, so their parents' references to
	// them (the template's asset, which changes with its content) are left out.
	for _, g := range []struct {
		name string
		a, b []nestedTemplate
	}{{"portal API group", prod.apiGroups, sandbox.apiGroups}, {"monitoring group", prod.monitoringGroups, sandbox.monitoringGroups}} {
		if len(g.a) != len(g.b) {
			t.Errorf("%d %ss in production, %d in the sandbox", len(g.a), g.name, len(g.b))
			continue
		}
		for i := range g.a {
			if g.a[i].id != g.b[i].id || g.a[i].logicalID != g.b[i].logicalID {
				t.Errorf("%s %s (%s) in production is %s (%s) in the sandbox", g.name, g.a[i].id, g.a[i].logicalID, g.b[i].id, g.b[i].logicalID)
			}
			pairs = append(pairs, pair{g.name + " " + g.a[i].id, g.a[i].json, g.b[i].json})
		}
	}
	for _, tc := range pairs {
		t.Run(tc.name+" is the same in both", func(t *testing.T) {
			var diff []string
			for _, path := range jsonDiff("", tc.a, tc.b) {
				if !sandboxCADiff(path) && !nestedTemplateURL(path, tc.a) && !usagePlanNamesDiff(path) && !tppOriginDiff(path) {
					diff = append(diff, path)
				}
			}
			if len(diff) > 0 {
				t.Errorf("the template differs between production and the sandbox at %v", diff)
			}
		})
	}

	t.Run("TPP API groups differ only in the environment they serve", func(t *testing.T) {
		if len(prod.tppGroups) != len(sandbox.tppGroups) {
			t.Fatalf("%d TPP groups in production, %d in the sandbox", len(prod.tppGroups), len(sandbox.tppGroups))
		}
		for i, g := range prod.tppGroups {
			for _, path := range jsonDiff("", g.json, sandbox.tppGroups[i].json) {
				// The registration API's functions that take a certificate trust the sandbox
				// CA, which only a sandbox deployment has.
				sandboxCA := strings.HasSuffix(path, "/Environment/Variables/"+stacks.SandboxCAVariable) ||
					strings.HasSuffix(path, "/Environment/Variables/"+stacks.SandboxCACertVariable) || strings.Contains(path, "RoleDefaultPolicy")
				if !strings.HasSuffix(path, "/Environment/Variables/"+callercheck.EnvironmentVariable) && !strings.HasSuffix(path, "/Properties/Description") && !tppOriginDiff(path) && !sandboxCA {
					t.Errorf("TPP group %s differs between production and the sandbox at %s", g.id, path)
				}
			}
		}
	})

	t.Run("TPP API differs only where the environment decides", func(t *testing.T) {
		diff := jsonDiff("", *prod.tppAPI.ToJSON(), *sandbox.tppAPI.ToJSON())
		apiID, _ := only(t, prod.tppAPI, "AWS::ApiGateway::RestApi")
		domainID, _ := only(t, prod.tppAPI, "AWS::ApiGateway::DomainName")
		stageID, _ := only(t, prod.tppAPI, "AWS::ApiGateway::Stage")
		aclID, _ := only(t, prod.tppAPI, "AWS::WAFv2::WebACL")
		allowed := map[string]bool{
			"/Resources/" + apiID + "/Properties/Description":                                true,
			"/Resources/" + domainID + "/Properties/DomainName":                              true,
			"/Resources/" + stageID + "/Properties/DeploymentId/Ref":                         true,
			"/Resources/" + aclID + "/Properties/Rules/1/Statement/RateBasedStatement/Limit": true,
			"/Outputs/TppApiUrl/Value":                                                       true,
			"/Outputs/TppApiDomainTarget/Description":                                        true,
		}
		// Each authorizer's function says which environment it serves.
		for _, name := range tpproutes.Authorizers {
			authorizer := "/Resources/" + stacks.FunctionLogicalID(name) + "/Properties/"
			for _, p := range []string{"Description", "Environment/Variables/" + callercheck.EnvironmentVariable, "Environment/Variables/TPP_URL"} {
				allowed[authorizer+p] = true
			}
		}
		// So does each of the TPP area's jobs.
		for _, j := range tpproutes.Jobs {
			job := "/Resources/" + stacks.FunctionLogicalID(j.Name) + "/Properties/"
			for _, p := range []string{"Environment/Variables/" + callercheck.EnvironmentVariable, "Environment/Variables/TPP_URL"} {
				allowed[job+p] = true
			}
		}
		// The deployment's logical ID carries a hash of the API it deploys.
		for _, s := range envs {
			for id := range tmplResources(s.tppAPI, "AWS::ApiGateway::Deployment") {
				allowed["/Resources/"+id] = true
			}
		}
		var plans []string
		for id, up := range tmplResources(prod.tppAPI, "AWS::ApiGateway::UsagePlan") {
			for _, p := range []string{"Description", "UsagePlanName", "Quota/Limit", "Throttle/RateLimit", "Throttle/BurstLimit"} {
				allowed["/Resources/"+id+"/Properties/"+p] = true
			}
			// The refusals' plan has the stage's limits in both; the products' plans differ.
			if !strings.HasPrefix(str(props(up)["UsagePlanName"]), "refusals-") {
				plans = append(plans, "/Resources/"+id+"/Properties/Quota/Limit", "/Resources/"+id+"/Properties/Throttle/RateLimit")
			}
		}
		// The refusal usage key names its environment.
		for id := range tmplResources(prod.tppAPI, "AWS::ApiGateway::ApiKey") {
			allowed["/Resources/"+id+"/Properties/Name"] = true
			allowed["/Resources/"+id+"/Properties/Value"] = true
		}
		prodTPP := *prod.tppAPI.ToJSON()
		for _, path := range diff {
			// A nested stack's template URL is its template's hash: the groups' templates
			// are compared on their own.
			if !allowed[path] && !nestedTemplateURL(path, prodTPP) {
				t.Errorf("the TPP API differs between production and the sandbox at %s", path)
			}
		}
		// And the environment still decides each of these.
		must := append([]string{
			"/Resources/" + aclID + "/Properties/Rules/1/Statement/RateBasedStatement/Limit",
			"/Resources/" + domainID + "/Properties/DomainName",
		}, plans...)
		for _, name := range tpproutes.Authorizers {
			must = append(must, "/Resources/"+stacks.FunctionLogicalID(name)+"/Properties/Environment/Variables/"+callercheck.EnvironmentVariable)
		}
		for _, path := range must {
			if !slices.Contains(diff, path) {
				t.Errorf("%s is the same in production and the sandbox", path)
			}
		}
	})
}

// jsonDiff lists the paths (slash-separated keys and indexes under path) at which the
// decoded JSON values a and b differ, sorted.
func jsonDiff(path string, a, b interface{}) []string {
	var out []string
	switch av := a.(type) {
	case map[string]interface{}:
		bv, ok := b.(map[string]interface{})
		if !ok {
			return []string{path}
		}
		for k, v := range av {
			out = append(out, jsonDiff(path+"/"+k, v, bv[k])...)
		}
		for k, v := range bv {
			if _, ok := av[k]; !ok {
				out = append(out, jsonDiff(path+"/"+k, nil, v)...)
			}
		}
	case []interface{}:
		bv, ok := b.([]interface{})
		if !ok || len(av) != len(bv) {
			return []string{path}
		}
		for i := range av {
			out = append(out, jsonDiff(fmt.Sprintf("%s/%d", path, i), av[i], bv[i])...)
		}
	default:
		if !reflect.DeepEqual(a, b) {
			return []string{path}
		}
	}
	slices.SortFunc(out, strings.Compare)
	return out
}

func TestJSONDiff(t *testing.T) {
	a := map[string]interface{}{"x": 1.0, "y": []interface{}{"a", "b"}, "z": map[string]interface{}{"k": true}}
	b := map[string]interface{}{"x": 2.0, "y": []interface{}{"a", "c"}, "w": "new", "z": map[string]interface{}{"k": true}}
	if got, want := jsonDiff("", a, b), []string{"/w", "/x", "/y/1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("jsonDiff = %v, want %v", got, want)
	}
	if got := jsonDiff("", a, a); len(got) != 0 {
		t.Errorf("jsonDiff of equal values = %v", got)
	}
}

// nestedTemplateURL says whether path is the TemplateURL of a nested stack of tmpl.
func nestedTemplateURL(path string, tmpl map[string]interface{}) bool {
	parts := strings.Split(path, "/")
	if len(parts) < 5 || parts[1] != "Resources" || parts[3] != "Properties" || parts[4] != "TemplateURL" {
		return false
	}
	id := parts[2]
	resources, _ := tmpl["Resources"].(map[string]interface{})
	r, _ := resources[id].(map[string]interface{})
	return r["Type"] == "AWS::CloudFormation::Stack"
}

// sandboxCADiff says whether path is one of the sandbox CA's differences between the
// environments: its secret and output in the identity stack (and the export CDK makes for
// the portal API's reference), and the ARN and policy statements of the functions that
// use it.
// usagePlanNamesDiff says whether path is a name in USAGE_PLAN_IDS: the functions that
// keep usage keys are given the TPP API's usage plans by the names of the environment's
// plans ("ais-sandbox", "ais-production"), the literal parts of the variable's Fn::Join.
func usagePlanNamesDiff(path string) bool {
	for _, name := range stacks.FunctionNames() {
		prefix := "/Resources/" + stacks.FunctionLogicalID(name) + "/Properties/Environment/Variables/" + stacks.UsagePlansVariable + "/Fn::Join/1/"
		if i, err := strconv.Atoi(strings.TrimPrefix(path, prefix)); strings.HasPrefix(path, prefix) && err == nil && i%2 == 0 {
			return true
		}
	}
	return false
}

// tppOriginDiff says whether path is what the TPP API's domain or environment decides in
// a function's environment: the issuer and the origin of the mTLS endpoints (TPP_URL, on
// its custom domain), and the environment the browser routes' authorization server serves.
func tppOriginDiff(path string) bool {
	return strings.HasSuffix(path, "/Environment/Variables/TPP_URL") ||
		strings.HasSuffix(path, "/Environment/Variables/"+callercheck.EnvironmentVariable)
}

func sandboxCADiff(path string) bool {
	if strings.HasPrefix(path, "/Resources/SandboxCA") || path == "/Outputs/SandboxCaSecretArn" || path == "/Outputs/SandboxCaCertificateSecretArn" ||
		strings.HasPrefix(path, "/Outputs/ExportsOutputRefSandboxCA") {
		return true
	}
	// The CRL's bucket, its origin and its behavior in the frontend stack.
	if strings.HasPrefix(path, "/Resources/Crl") || strings.HasPrefix(path, "/Resources/DistributionOrigin3S3OriginAccessControl") ||
		path == "/Resources/Distribution830FAC52/Properties/DistributionConfig/CacheBehaviors" ||
		path == "/Resources/Distribution830FAC52/Properties/DistributionConfig/Origins" {
		return true
	}
	for _, name := range stacks.FunctionNames() {
		if a, _ := stacks.FunctionAccess(name); !a.SandboxCA && !a.SandboxCACert && !a.PublishCRL {
			continue
		}
		fn := "/Resources/" + stacks.FunctionLogicalID(name)
		role := "/Resources/" + strings.TrimSuffix(stacks.FunctionLogicalID(name), "Function") + "RoleDefaultPolicy"
		if path == fn+"/Properties/Environment/Variables/"+stacks.SandboxCAVariable || path == fn+"/Properties/Environment/Variables/"+stacks.SandboxCACertVariable ||
			(strings.HasPrefix(path, role) && strings.HasSuffix(path, "/Properties/PolicyDocument/Statement")) {
			return true
		}
	}
	return false
}
