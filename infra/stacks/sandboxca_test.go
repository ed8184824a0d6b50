package stacks_test

import (
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/bank/devportal/infra/stacks"
	"github.com/bank/devportal/shared/portal/org"
)

// TestSandboxCASecret: a sandbox deployment has the sandbox CA's secret and its
// certificate's, both empty (the first function that needs the CA creates it) and
// retained. Only the functions that issue certificates or sign the CRL may read the CA's
// key and store its first value; those that only trust what the CA issued may read its
// certificate and nothing else. Production has neither.
func TestSandboxCASecret(t *testing.T) {
	for _, s := range environments(t) {
		t.Run(string(s.env), func(t *testing.T) {
			sandbox := s.env == org.Sandbox
			secrets := tmplResources(s.identity, "AWS::SecretsManager::Secret")
			// The OAuth key's, the registration key's and CloudFront's origin secrets are in
			// both environments (TestOAuthKeySecret, TestRegistrationKeySecret,
			// TestPortalAPIOriginSecret).
			for id := range secrets {
				if strings.HasPrefix(id, "OAuthKey") || strings.HasPrefix(id, "RegistrationKey") || strings.HasPrefix(id, "OriginSecret") {
					delete(secrets, id)
				}
			}
			if !sandbox {
				if len(secrets) != 0 || s.stacks.Identity.SandboxCA != nil || s.stacks.Identity.SandboxCACert != nil {
					t.Fatalf("production has sandbox CA secrets %v", secrets)
				}
			} else {
				if len(secrets) != 2 {
					t.Fatalf("secrets %v, want the sandbox CA's and its certificate's", secrets)
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
			// The portal API's functions, and the portal's routes of the TPP API's origin.
			fns := apiResources(t, s, "AWS::Lambda::Function")
			policies := apiResources(t, s, "AWS::IAM::Policy")
			maps.Copy(fns, resourcesOf(t, s.tppAPI, s.tppGroups, "AWS::Lambda::Function"))
			maps.Copy(policies, resourcesOf(t, s.tppAPI, s.tppGroups, "AWS::IAM::Policy"))
			for _, name := range slices.Concat(stacks.FunctionNames(), stacks.TPPFunctionNames()) {
				access, _ := stacks.FunctionAccess(name)
				holds, trusts := sandbox && access.SandboxCA, sandbox && access.SandboxCACert
				fn := props(fns[stacks.FunctionLogicalID(name)])
				vars, _ := fn["Environment"].(map[string]interface{})["Variables"].(map[string]interface{})
				if _, got := vars[stacks.SandboxCAVariable]; got != holds {
					t.Errorf("%s: %s set %v, want %v", name, stacks.SandboxCAVariable, got, holds)
				}
				if _, got := vars[stacks.SandboxCACertVariable]; got != trusts {
					t.Errorf("%s: %s set %v, want %v", name, stacks.SandboxCACertVariable, got, trusts)
				}
				role := getAtt(fn["Role"], "Arn")
				got := map[string][]string{} // "key" or "certificate" -> actions
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
						res := mustJSON(t, st["Resource"])
						// The OAuth key's and the registration key's secrets are others'
						// (TestOAuthFunctions, TestRegistrationKeySecret).
						if !slices.ContainsFunc(actions, func(a string) bool { return strings.HasPrefix(a, "secretsmanager:") }) || strings.Contains(res, "OAuthKey") ||
							strings.Contains(res, "RegistrationKey") {
							continue
						}
						switch {
						case len(list(st["Resource"])) != 1 || strings.Contains(res, `"*"`):
							t.Errorf("%s may use secrets %v on %s", name, actions, res)
						case strings.Contains(res, "SandboxCACertificate"):
							got["certificate"] = append(got["certificate"], actions...)
						case strings.Contains(res, "SandboxCA"):
							got["key"] = append(got["key"], actions...)
						default:
							t.Errorf("%s may use secrets %v on %s", name, actions, res)
						}
					}
				}
				want := map[string][]string{}
				if holds {
					want["key"] = []string{"secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"}
					want["certificate"] = []string{"secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"}
				} else if trusts {
					want["certificate"] = []string{"secretsmanager:GetSecretValue"}
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s: secret grants %v, want %v", name, got, want)
				}
			}
		})
	}
	// The functions that hold the CA's key are the short list that issues certificates
	// and signs the CRL; the trusting ones read its certificate alone.
	var holders, trusters []string
	for _, name := range slices.Concat(stacks.FunctionNames(), stacks.TPPFunctionNames()) {
		a, _ := stacks.FunctionAccess(name)
		if a.SandboxCA {
			holders = append(holders, name)
		} else if a.SandboxCACert {
			trusters = append(trusters, name)
		}
	}
	slices.Sort(holders)
	slices.Sort(trusters)
	// The registration API signs its answers with a key of its own (TestRegistrationKeySecret):
	// none of its functions holds the CA; those that take a certificate (registering it,
	// and uploading it for a new client) trust it.
	if want := []string{"app-certificate-issue", "certificate-revocation-check", "org-certificate-revoke", "sandbox-certificates"}; !slices.Equal(holders, want) {
		t.Errorf("functions with the sandbox CA's key %v, want %v", holders, want)
	}
	if want := []string{"dcr-register", "ops-organization-get", "ops-request-get", "org-certificate-upload", "org-certificates-preview", "org-certificates-renew", "org-onboard", "registration-certificate", "registration-client-create"}; !slices.Equal(trusters, want) {
		t.Errorf("functions with the sandbox CA's certificate alone %v, want %v", trusters, want)
	}
}
