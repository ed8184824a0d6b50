package stacks_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/bank/devportal/infra/stacks"
	"github.com/bank/devportal/shared/portal/org"
)

// TestSandboxCASecret: a sandbox deployment has the sandbox CA's secret, empty (the first
// function that needs the CA creates it) and retained; only the functions that issue or
// trust sandbox certificates are given its ARN and may read it and store its first value.
// Production has neither.
func TestSandboxCASecret(t *testing.T) {
	for _, s := range environments(t) {
		t.Run(string(s.env), func(t *testing.T) {
			sandbox := s.env == org.Sandbox
			secrets := tmplResources(s.identity, "AWS::SecretsManager::Secret")
			// The OAuth key's secret is in both environments (TestOAuthKeySecret).
			for id := range secrets {
				if strings.HasPrefix(id, "OAuthKey") {
					delete(secrets, id)
				}
			}
			if !sandbox {
				if len(secrets) != 0 || s.stacks.Identity.SandboxCA != nil {
					t.Fatalf("production has sandbox CA secrets %v", secrets)
				}
			} else {
				if len(secrets) != 1 {
					t.Fatalf("secrets %v, want the sandbox CA's", secrets)
				}
				for _, r := range secrets {
					p := props(r)
					if _, ok := p["SecretString"]; ok {
						t.Error("the secret has a value in the template")
					}
					if _, ok := p["GenerateSecretString"]; ok {
						t.Error("the secret is generated: the CA would not parse")
					}
					if r["DeletionPolicy"] != "Retain" || r["UpdateReplacePolicy"] != "Retain" {
						t.Errorf("policies %v/%v, want Retain", r["DeletionPolicy"], r["UpdateReplacePolicy"])
					}
				}
			}
			// One read of the functions and policies: each jsii query of the template costs.
			fns := apiResources(t, s, "AWS::Lambda::Function")
			policies := apiResources(t, s, "AWS::IAM::Policy")
			for _, name := range stacks.FunctionNames() {
				access, _ := stacks.FunctionAccess(name)
				want := sandbox && access.SandboxCA
				fn := props(fns[stacks.FunctionLogicalID(name)])
				vars, _ := fn["Environment"].(map[string]interface{})["Variables"].(map[string]interface{})
				if _, got := vars[stacks.SandboxCAVariable]; got != want {
					t.Errorf("%s: %s set %v, want %v", name, stacks.SandboxCAVariable, got, want)
				}
				role := getAtt(fn["Role"], "Arn")
				var secretStatements []statement
				for _, policy := range policies {
					p := props(policy)
					roles, _ := p["Roles"].([]interface{})
					if !slices.ContainsFunc(roles, func(r interface{}) bool { return ref(r) == role }) {
						continue
					}
					doc, _ := p["PolicyDocument"].(map[string]interface{})
					for _, raw := range doc["Statement"].([]interface{}) {
						st := raw.(map[string]interface{})
						actions := stringList(st["Action"])
						// The OAuth key's secret is another's (TestOAuthFunctions).
						if slices.ContainsFunc(actions, func(a string) bool { return strings.HasPrefix(a, "secretsmanager:") }) &&
							!strings.Contains(mustJSON(t, st["Resource"]), "OAuthKey") {
							secretStatements = append(secretStatements, statement{actions: actions, resources: list(st["Resource"])})
						}
					}
				}
				if !want {
					if len(secretStatements) != 0 {
						t.Errorf("%s may use secrets: %v", name, secretStatements)
					}
					continue
				}
				if len(secretStatements) != 1 || !reflect.DeepEqual(secretStatements[0].actions,
					[]string{"secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"}) ||
					len(secretStatements[0].resources) != 1 || secretStatements[0].resources[0] == "*" {
					t.Errorf("%s: secret statements %+v, want Get and PutSecretValue on the CA's secret", name, secretStatements)
				}
			}
		})
	}
	// The functions that use the CA are the ones marked.
	var marked []string
	for _, name := range stacks.FunctionNames() {
		if a, _ := stacks.FunctionAccess(name); a.SandboxCA {
			marked = append(marked, name)
		}
	}
	slices.Sort(marked)
	if want := []string{"app-certificate-issue", "certificate-revocation-check", "org-certificate-revoke", "org-certificate-upload", "org-certificates-preview", "org-onboard", "sandbox-certificates"}; !slices.Equal(marked, want) {
		t.Errorf("functions with the sandbox CA %v, want %v", marked, want)
	}
}
