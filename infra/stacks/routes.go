package stacks

import (
	"fmt"
	"slices"
	"strings"

	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/portal/routes"
	tpproutes "github.com/bank/devportal/shared/tpp/routes"
)

// DeployedRoutes are the portal routes the API stack will deploy as functions: all but the
// local-only ones (dev mail, job triggers), which exist only in the local stack.
func DeployedRoutes() []route.Route {
	var out []route.Route
	for _, r := range routes.Portal {
		if r.Auth != route.LocalOnly {
			out = append(out, r)
		}
	}
	return out
}

// FunctionNames are the names of every deployed function: the deployed routes, then the
// jobs. Each is a directory functions/<name>, built by GoBundler.
func FunctionNames() []string {
	var out []string
	for _, r := range DeployedRoutes() {
		out = append(out, r.Name)
	}
	for _, j := range routes.Jobs {
		out = append(out, j.Name)
	}
	return out
}

// AuthorizerNames are the Lambda authorizers (the TPP route table's Authorizers), deployed by the TPP API
// stack. Each is a directory functions/<name>, built by GoBundler.
func AuthorizerNames() []string {
	return slices.Clone(tpproutes.Authorizers)
}

// AllFunctionNames are every function of the app: FunctionNames, then AuthorizerNames.
func AllFunctionNames() []string {
	return append(FunctionNames(), AuthorizerNames()...)
}

// FunctionLogicalID is the CloudFormation logical ID of the named function in its stack
// (the portal API's, or the TPP API's for an authorizer): the kebab-case name in PascalCase followed by "Function" ("auth-signup" is
// AuthSignupFunction). CDK's own logical IDs end in a hash of the construct path, which
// moves whenever a construct is renamed; this one only moves with the route name, so
// `sam local invoke AuthSignupFunction` and scripts can rely on it.
func FunctionLogicalID(name string) string {
	return pascal(name) + "Function"
}

// pascal turns a kebab-case function name into PascalCase, panicking on a name that would
// not make a valid logical ID (CloudFormation allows only ASCII letters and digits).
func pascal(name string) string {
	var b strings.Builder
	for _, part := range strings.Split(name, "-") {
		if part == "" {
			panic(fmt.Sprintf("stacks: function name %q is not kebab-case", name))
		}
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	id := b.String()
	for _, c := range id {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			panic(fmt.Sprintf("stacks: function name %q has %q, which a logical ID cannot hold", name, c))
		}
	}
	if id[0] >= '0' && id[0] <= '9' {
		panic(fmt.Sprintf("stacks: function name %q starts with a digit, which a logical ID cannot", name))
	}
	return id
}
