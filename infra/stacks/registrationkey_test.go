package stacks_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"

	"github.com/bank/devportal/infra/stacks"
)

// TestRegistrationKeySecret: in both environments the identity stack has the registration
// API's response-signing key as a generated secret of its own; exactly the registration
// API's functions are told its ARN and may read it (GetSecretValue, nothing else), and no
// other function may touch it.
func TestRegistrationKeySecret(t *testing.T) {
	for _, s := range environments(t) {
		t.Run(string(s.env), func(t *testing.T) {
			id := s.stacks.Identity.Resolve(s.stacks.Identity.RegistrationKey.SecretArn()).(map[string]interface{})["Ref"].(string)
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
			if !strings.Contains(mustJSON(t, secret["Metadata"]), `"id":"AwsSolutions-SMG4","reason":"Its public key is handed to every installation`) {
				t.Errorf("SMG4 is not suppressed with its reason: %v", secret["Metadata"])
			}
			outputs := *s.identity.FindOutputs(jsii.String("RegistrationKeySecretArn"), nil)
			if o, ok := outputs["RegistrationKeySecretArn"]; !ok || o == nil || ref((*o)["Value"]) != id {
				t.Errorf("RegistrationKeySecretArn output = %v", outputs)
			}

			fns := apiResources(t, s, "AWS::Lambda::Function")
			policies := apiResources(t, s, "AWS::IAM::Policy")
			maps.Copy(fns, resourcesOf(t, s.tppAPI, s.tppGroups, "AWS::Lambda::Function"))
			maps.Copy(policies, resourcesOf(t, s.tppAPI, s.tppGroups, "AWS::IAM::Policy"))
			var readers []string
			for _, name := range slices.Concat(stacks.FunctionNames(), stacks.TPPFunctionNames()) {
				access, _ := stacks.FunctionAccess(name)
				fn := props(fns[stacks.FunctionLogicalID(name)])
				vars, _ := fn["Environment"].(map[string]interface{})["Variables"].(map[string]interface{})
				v, named := vars[stacks.RegistrationKeyVariable]
				if named != access.RegistrationKey || named && !strings.Contains(mustJSON(t, v), "RegistrationKey") {
					t.Errorf("%s: %s = %v, want it iff the function reads the key (%v)", name, stacks.RegistrationKeyVariable, v, access.RegistrationKey)
				}
				role := getAtt(fn["Role"], "Arn")
				var got []string
				for _, policy := range policies {
					p := props(policy)
					if !slices.ContainsFunc(list(p["Roles"]), func(r interface{}) bool { return ref(r) == role }) {
						continue
					}
					for _, raw := range list(p["PolicyDocument"].(map[string]interface{})["Statement"]) {
						st := raw.(map[string]interface{})
						if res := mustJSON(t, st["Resource"]); strings.Contains(res, "RegistrationKey") {
							if len(list(st["Resource"])) != 1 {
								t.Errorf("%s: %v on %s", name, st["Action"], res)
							}
							got = append(got, stringList(st["Action"])...)
						}
					}
				}
				want := []string(nil)
				if access.RegistrationKey {
					want = []string{"secretsmanager:GetSecretValue"}
					readers = append(readers, name)
				}
				if !slices.Equal(got, want) {
					t.Errorf("%s: on the registration key %v, want %v", name, got, want)
				}
			}
			var registration []string
			for _, name := range stacks.TPPFunctionNames() {
				if strings.HasPrefix(name, "registration-") {
					registration = append(registration, name)
				}
			}
			slices.Sort(registration)
			if slices.Sort(readers); len(registration) == 0 || !slices.Equal(readers, registration) {
				t.Errorf("functions reading the registration key %v, want the registration API's %v", readers, registration)
			}
		})
	}
}
