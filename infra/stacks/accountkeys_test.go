package stacks_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/bank/devportal/infra/stacks"
	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/portal/routes"
)

// TestAccountKeysGrantedNarrowly reads every role's policies in the synthesized portal and
// TPP API stacks: the password history's HMAC key may be used (kms:GenerateMac, nothing
// else) only by the four routes that set a password, and the session key (GenerateDataKey
// and Decrypt) only by sign-in and the signed-in routes, which renew their session's
// tokens. No public form, job or TPP function may use either, and no policy grants KMS on
// any other resource.
func TestAccountKeysGrantedNarrowly(t *testing.T) {
	wantPassword := []string{"account-change-password", "auth-activate", "auth-reset-password", "auth-signup"}
	var wantSession []string
	for _, rt := range routes.Portal {
		if rt.Auth == route.Session || rt.Auth == route.Operations || rt.Name == "auth-login" || rt.Name == "auth-login-mfa" {
			wantSession = append(wantSession, rt.Name)
		}
	}
	for _, s := range environments(t) {
		t.Run(string(s.env), func(t *testing.T) {
			roleOf := map[string]string{}                                              // role logical ID -> function name
			got := map[string]map[string][]string{"SessionKey": {}, "PasswordKey": {}} // key -> function -> actions
			for _, set := range []struct {
				name   string
				fns    map[string]map[string]interface{}
				policy map[string]map[string]interface{}
			}{
				{"portal API", resourcesOf(t, s.api, s.apiGroups, "AWS::Lambda::Function"), resourcesOf(t, s.api, s.apiGroups, "AWS::IAM::Policy")},
				{"TPP API", resourcesOf(t, s.tppAPI, s.tppGroups, "AWS::Lambda::Function"), resourcesOf(t, s.tppAPI, s.tppGroups, "AWS::IAM::Policy")},
			} {
				for _, name := range stacks.AllFunctionNames() {
					if fn, ok := set.fns[stacks.FunctionLogicalID(name)]; ok {
						roleOf[getAtt(props(fn)["Role"], "Arn")] = name
					}
				}
				for id, pol := range set.policy {
					pp := props(pol)
					for _, raw := range list(pp["PolicyDocument"].(map[string]interface{})["Statement"]) {
						st := raw.(map[string]interface{})
						actions := fmt.Sprint(list(st["Action"]))
						kms := strings.Contains(actions, "kms:")
						for _, res := range list(st["Resource"]) {
							j := mustJSON(t, res)
							key := ""
							switch {
							case strings.Contains(j, "SessionKey"):
								key = "SessionKey"
							case strings.Contains(j, "PasswordKey"):
								key = "PasswordKey"
							}
							if key == "" {
								if kms {
									t.Errorf("%s policy %s grants %s on %s, which is not an account key", set.name, id, actions, j)
								}
								continue
							}
							for _, r := range list(pp["Roles"]) {
								fn, ok := roleOf[ref(r)]
								if !ok {
									t.Errorf("%s policy %s grants %s on the %s to role %s, which is no function's", set.name, id, actions, key, ref(r))
									continue
								}
								got[key][fn] = append(got[key][fn], actions)
							}
						}
					}
				}
			}
			for key, want := range map[string]struct {
				fns     []string
				actions string
			}{
				"PasswordKey": {wantPassword, "[kms:GenerateMac]"},
				"SessionKey":  {wantSession, "[kms:GenerateDataKey kms:Decrypt]"},
			} {
				var fns []string
				for fn, actions := range got[key] {
					fns = append(fns, fn)
					if len(actions) != 1 || actions[0] != want.actions {
						t.Errorf("%s: %s may %v, want %s only", fn, key, actions, want.actions)
					}
				}
				slices.Sort(fns)
				slices.Sort(want.fns)
				if !slices.Equal(fns, want.fns) {
					t.Errorf("%s is granted to %v\nwant exactly %v", key, fns, want.fns)
				}
			}
		})
	}
}
