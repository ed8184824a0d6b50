package stacks

import (
	"fmt"
	"slices"
	"strings"

	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/portal/routes"
	tpproutes "github.com/bank/devportal/shared/tpp/routes"
)

// RouteTables are the route tables the app deploys: the portal's routes and jobs, and the TPP
// API's routes and authorizers. The app deploys DefaultRouteTables; the stack builders take the
// tables as a value so that a test can synthesize the app with a route more, or with
// TPP routes before the TPP area has any.
type RouteTables struct {
	// Portal is the portal's route table, local-only routes included (they are not
	// deployed).
	Portal []route.Route
	// Jobs are the portal's scheduled functions.
	Jobs []route.Job
	// TPP is the TPP API's route table.
	TPP []route.Route
	// Browser are the TPP area's routes of the browser-reachable origin (the authorization
	// endpoint, the sandbox bank's pages), which the portal's HTTP API serves behind the
	// portal's CloudFront distribution: a browser presents no client certificate.
	Browser []route.Route
	// Authorizers are the TPP API's Lambda authorizers.
	Authorizers []string
	// TPPJobs are the TPP area's scheduled functions.
	TPPJobs []route.Job
}

// DefaultRouteTables are the route tables of shared/portal/routes and shared/tpp/routes.
func DefaultRouteTables() RouteTables {
	return RouteTables{
		Portal:      slices.Clone(routes.Portal),
		Jobs:        slices.Clone(routes.Jobs),
		TPP:         tpproutes.Deployed(),
		Browser:     slices.Clone(tpproutes.Browser),
		Authorizers: slices.Clone(tpproutes.Authorizers),
		TPPJobs:     slices.Clone(tpproutes.Jobs),
	}
}

// routeTablesOr is *t, or DefaultRouteTables when t is nil.
func routeTablesOr(t *RouteTables) RouteTables {
	if t == nil {
		return DefaultRouteTables()
	}
	return *t
}

// functionKind is what starts a function, which decides its defaults.
type functionKind int

const (
	// portalRoute is a portal API route (HTTP API, payload 2.0).
	portalRoute functionKind = iota
	// portalJob is a scheduled portal function.
	portalJob
	// tppRoute is a TPP API route (REST API, behind the authorizer).
	tppRoute
	// tppAuthorizer is a Lambda authorizer of the TPP API.
	tppAuthorizer
	// tppBrowserRoute is a TPP area's route of the browser-reachable origin, on the
	// portal's HTTP API (payload 2.0).
	tppBrowserRoute
	// tppJob is a scheduled function of the TPP area.
	tppJob
)

// appFunction is one function of the app, with what the stacks derive its grants, sizing
// and stack from.
type appFunction struct {
	name  string
	kind  functionKind
	route route.Route // portalRoute and tppRoute
	job   route.Job   // portalJob and tppJob
}

// needs are the function's needs (with what its route's Auth implies) and its Auth.
func (f appFunction) needs() (route.Need, route.Auth) {
	switch f.kind {
	case portalRoute, tppRoute, tppBrowserRoute:
		return f.route.AllNeeds(), f.route.Auth
	case portalJob, tppJob:
		return f.job.Needs, ""
	default:
		return 0, route.TPP
	}
}

// portalKeys are the portal table's partition-key families the function reaches: its
// route's (with those its Auth implies) or job's, and for an authorizer the caller
// check's one BatchGetItem.
func (f appFunction) portalKeys() route.Keys {
	switch f.kind {
	case portalRoute, tppRoute, tppBrowserRoute:
		return f.route.PortalKeys()
	case portalJob, tppJob:
		return f.job.Keys.Union(nil)
	default:
		return tpproutes.AuthorizerKeys.Union(nil)
	}
}

// tppKeys are the TPP table's partition-key families the function reaches: its route's
// or job's, and for an authorizer what the caller check reads ahead (the bearer
// authorizer's token and consent).
func (f appFunction) tppKeys() route.Keys {
	switch f.kind {
	case portalRoute, tppRoute, tppBrowserRoute:
		return f.route.TPPKeys.Union(nil)
	case portalJob, tppJob:
		return f.job.TPPKeys.Union(nil)
	default:
		_, scope := tpproutes.AuthorizerScope(f.name)
		return scope.TPPKeys
	}
}

// jobsTag is the group tag of the scheduled functions (routes group by their own Tag).
const jobsTag = "jobs"

// browserTag is the group tag of the TPP area's browser routes in the portal API stack:
// one group of their own, apart from the portal's domains.
const browserTag = "tpp-browser"

// tag is the domain the function is grouped by: its route's Tag, jobsTag or browserTag.
func (f appFunction) tag() string {
	switch f.kind {
	case portalJob, tppJob:
		return jobsTag
	case tppBrowserRoute:
		return browserTag
	}
	return f.route.Tag
}

// tppArea says whether the function is the TPP area's, which reads the portal only
// through its one-read lookups (the portal's routes of the TPP API's origin are not).
func (f appFunction) tppArea() bool {
	return f.kind == tppBrowserRoute || f.kind == tppAuthorizer || f.kind == tppJob || f.kind == tppRoute && f.route.Auth != route.ClientCertificate
}

// portalFunctions are the portal API stack's functions: the deployed routes in table
// order, then the jobs, then the TPP area's browser routes (after the jobs, so that none
// of the portal's functions moved when they arrived).
func (t RouteTables) portalFunctions() []appFunction {
	var out []appFunction
	for _, r := range t.Portal {
		if r.Auth != route.LocalOnly && r.Auth != route.ClientCertificate {
			out = append(out, appFunction{name: r.Name, kind: portalRoute, route: r})
		}
	}
	for _, j := range t.Jobs {
		out = append(out, appFunction{name: j.Name, kind: portalJob, job: j})
	}
	for _, r := range t.Browser {
		out = append(out, appFunction{name: r.Name, kind: tppBrowserRoute, route: r})
	}
	return out
}

// tppFunctions are the TPP API stack's functions: the portal's routes of its origin, its
// routes in table order, then the authorizers.
func (t RouteTables) tppFunctions() []appFunction {
	var out []appFunction
	// The portal's routes of the TPP API's origin are methods of its REST API.
	for _, r := range t.Portal {
		if r.Auth == route.ClientCertificate {
			out = append(out, appFunction{name: r.Name, kind: tppRoute, route: r})
		}
	}
	for _, r := range t.TPP {
		out = append(out, appFunction{name: r.Name, kind: tppRoute, route: r})
	}
	for _, a := range t.Authorizers {
		out = append(out, appFunction{name: a, kind: tppAuthorizer})
	}
	for _, j := range t.TPPJobs {
		out = append(out, appFunction{name: j.Name, kind: tppJob, job: j})
	}
	return out
}

// functions are every function of the tables: the portal's, then the TPP API's.
func (t RouteTables) functions() []appFunction {
	return append(t.portalFunctions(), t.tppFunctions()...)
}

// names are the functions' names.
func names(fns []appFunction) []string {
	out := make([]string, len(fns))
	for i, f := range fns {
		out[i] = f.name
	}
	return out
}

// lookupFunction is the named function of DefaultRouteTables.
func lookupFunction(name string) (appFunction, bool) {
	fns := DefaultRouteTables().functions()
	i := slices.IndexFunc(fns, func(f appFunction) bool { return f.name == name })
	if i < 0 {
		return appFunction{}, false
	}
	return fns[i], true
}

// DeployedRoutes are the portal routes the portal API stack will deploy as functions: all
// but the local-only ones (dev mail, job triggers), which exist only in the local stack,
// and those of the TPP API's origin (route.ClientCertificate), which the TPP API deploys.
func DeployedRoutes() []route.Route {
	var out []route.Route
	for _, r := range routes.Portal {
		if r.Auth != route.LocalOnly && r.Auth != route.ClientCertificate {
			out = append(out, r)
		}
	}
	return out
}

// FunctionNames are the names of every function of the portal API stack: the deployed
// routes, then the jobs, then the TPP area's browser routes. Each is a directory
// functions/<name>, built by GoBundler.
func FunctionNames() []string {
	return names(DefaultRouteTables().portalFunctions())
}

// TPPFunctionNames are the TPP API's route functions (not its authorizers): the portal's
// routes of its origin, then its own.
func TPPFunctionNames() []string {
	return names(tppRouteFunctions(DefaultRouteTables()))
}

// AuthorizerNames are the Lambda authorizers (the TPP route table's Authorizers), deployed by the TPP API
// stack. Each is a directory functions/<name>, built by GoBundler.
func AuthorizerNames() []string {
	return slices.Clone(tpproutes.Authorizers)
}

// AllFunctionNames are every function of the app: FunctionNames, then TPPFunctionNames,
// then AuthorizerNames.
func AllFunctionNames() []string {
	return names(DefaultRouteTables().functions())
}

// FunctionLogicalID is the CloudFormation logical ID of the named function in the template
// that defines it (its function group's nested stack, or the TPP API's own template for an
// authorizer): the kebab-case name in PascalCase followed by "Function" ("auth-signup" is
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
