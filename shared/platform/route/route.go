// Package route describes endpoints and scheduled functions as data: each area lists its
// own (the portal's in shared/portal/routes, the TPP API's in shared/tpp/routes), and the
// Lambda mains, the local dev server and the CDK stacks all read those lists, so deployed
// and local routes cannot drift.
package route

import (
	"context"
	"fmt"
	"strings"
)

// Auth says who may call a route.
type Auth string

// The access levels a route can require.
const (
	// Public routes need no session (sign-up, login, health).
	Public Auth = "public"
	// Session routes need a signed-in portal user.
	Session Auth = "session"
	// Operations routes need a signed-in member of the operations group.
	Operations Auth = "operations"
	// LocalOnly routes exist only in the local stack (dev mail, job triggers); they are
	// neither deployed nor mounted outside local mode.
	LocalOnly Auth = "local"
	// TPP routes are the TPP API's: mutual TLS and the caller check decide who may call.
	TPP Auth = "tpp"
	// ClientCertificate routes are portal routes served on the TPP API's mutual-TLS origin
	// without the caller check: the verified client certificate of the connection is what
	// the handler reads (a certificate's holder proving possession of its key by
	// connecting with it). They need neither a portal session nor an app.
	ClientCertificate Auth = "client-certificate"
)

// Need is an outside dependency a function's code calls. A function's main builds, and its
// role may call, exactly the needs of its route; everything else is neither linked nor
// created.
type Need uint16

// The dependencies a route can declare.
const (
	// PortalTable reads and writes the portal's DynamoDB table.
	PortalTable Need = 1 << iota
	// UserPool calls the portal's Cognito user pool.
	UserPool
	// Mail sends email through SES.
	Mail
	// StartApproval starts the approval workflow (Step Functions).
	StartApproval
	// DecideApproval delivers an operations decision to a waiting approval workflow.
	DecideApproval
	// SandboxCA reads the sandbox CA with its key (deployed: its Secrets Manager secret),
	// to issue certificates or sign its CRL; it includes SandboxCACert.
	SandboxCA
	// PublishCRL publishes the sandbox CA's CRL to its S3 bucket.
	PublishCRL
	// UsagePlans keeps the TPP API's usage keys in its usage plans and reads their usage
	// (API Gateway).
	UsagePlans
	// TPPTable reads and writes the TPP API's DynamoDB table (OAuth2 state, the sandbox
	// bank, consents, payments), apart from the portal's.
	TPPTable
	// OAuthKey reads the authorization server's key (deployed: its Secrets Manager
	// secret), which signs its codes and tokens and the sandbox bank's session cookies.
	OAuthKey
	// SessionKey seals and opens the portal sessions' Cognito tokens (a KMS key).
	SessionKey
	// PasswordKey computes the password history's MACs (a KMS HMAC key).
	PasswordKey
	// SandboxCACert reads the sandbox CA's certificate without its key (deployed: a secret
	// of its own), to trust what the CA issued.
	SandboxCACert
	// RegistrationKey reads the registration API's response-signing key (deployed: its
	// Secrets Manager secret), which signs every answer of that API.
	RegistrationKey
)

// Everything is every need: what the local dev server and the tests build, serving every
// route from one process.
const Everything = PortalTable | UserPool | Mail | StartApproval | DecideApproval | SandboxCA | PublishCRL | UsagePlans | TPPTable | OAuthKey | SessionKey | PasswordKey | SandboxCACert | RegistrationKey

var needNames = []struct {
	need Need
	name string
}{
	{PortalTable, "portal-table"}, {UserPool, "user-pool"}, {Mail, "mail"},
	{StartApproval, "start-approval"}, {DecideApproval, "decide-approval"}, {SandboxCA, "sandbox-ca"},
	{PublishCRL, "publish-crl"},
	{UsagePlans, "usage-plans"}, {TPPTable, "tpp-table"}, {OAuthKey, "oauth-key"},
	{SessionKey, "session-key"}, {PasswordKey, "password-key"}, {SandboxCACert, "sandbox-ca-certificate"}, {RegistrationKey, "registration-key"},
}

// Has says whether n includes every need of want.
func (n Need) Has(want Need) bool { return n&want == want }

// String lists the needs by name ("portal-table+user-pool"), "none" for none.
func (n Need) String() string {
	var parts []string
	for _, nn := range needNames {
		if n.Has(nn.need) {
			parts = append(parts, nn.name)
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "+")
}

// Route is one endpoint: a Lambda function on AWS, a mux entry locally.
type Route struct {
	// Name is the function's name, kebab-case: functions/<Name>/main.go.
	Name string
	// Method and Path are the HTTP method and the path pattern ({name} for parameters).
	Method string
	Path   string
	// Auth is the access the route requires.
	Auth Auth
	// Needs are what the route's handler calls besides what its Auth implies (Needs).
	Needs Need
	// Summary is a one-line description used by the API description.
	Summary string
	// Tag groups routes in the API description.
	Tag string
	// Bearer says that a TPP route's call carries a bearer access token of the
	// authorization server, bound to the call's certificate (the caller check verifies
	// it): the customer's authorisation of the consent the call reads under, when it was
	// authorised through OAuth2. A consent authorised at the bank's interface is read
	// without one (consents.CheckToken).
	Bearer bool
	// Fresh says that a portal route changes something that needs the user's password
	// confirmed moments ago (an operations decision), not only a live session.
	Fresh bool
	// Keys are the portal table's partition-key families (its indexes' included) the
	// route's calls reach, besides those its Auth implies (PortalKeys). The awsclient
	// guard holds every call to them in the tests and the local stack, and the function's
	// role allows no other partition (dynamodb:LeadingKeys).
	Keys Keys
	// TPPKeys are the TPP table's partition-key families (its index's included) the
	// route's calls reach (package tppkeys), held like Keys.
	TPPKeys Keys
}

// Pattern is the route as a net/http ServeMux pattern.
func (r Route) Pattern() string { return r.Method + " " + r.Path }

// AllNeeds are the route's declared needs and those its Auth implies: a signed-in portal
// route reads its session from the portal table and may refresh it at Cognito, opening
// and sealing its tokens with the session key, before any handler runs.
func (r Route) AllNeeds() Need {
	n := r.Needs
	if r.Auth == Session || r.Auth == Operations {
		n |= PortalTable | UserPool | SessionKey
	}
	if n.Has(SandboxCA) {
		n |= SandboxCACert
	}
	return n
}

// sessionKeys are what the session middleware reaches before any signed-in route's
// handler: the session by its cookie's hash, the user's profile, and the user's other
// sessions when a refresh is refused.
var sessionKeys = Keys{"SESSION#", "USER#"}

// PortalKeys are the route's Keys and those its Auth implies: a signed-in route reads
// and rewrites its session and reads its user's profile.
func (r Route) PortalKeys() Keys {
	if r.Auth == Session || r.Auth == Operations {
		return r.Keys.Union(sessionKeys)
	}
	return r.Keys.Union(nil)
}

// Scope is what the route's calls may reach of both tables (WithScope).
func (r Route) Scope() Scope {
	return Scope{Route: r.Name, Keys: r.PortalKeys(), TPPKeys: r.TPPKeys.Union(nil)}
}

// Job is a function started by a schedule rather than by HTTP.
type Job struct {
	// Name is the function's name: functions/<Name>/main.go.
	Name string
	// Schedule is the EventBridge schedule expression.
	Schedule string
	// Needs are what the job calls.
	Needs Need
	// Summary says what the job does.
	Summary string
	// Keys are the portal table's partition-key families the job reaches (Route.Keys).
	Keys Keys
	// TPPKeys are the TPP table's partition-key families the job reaches (Route.TPPKeys).
	TPPKeys Keys
}

// Scope is what the job's calls may reach of both tables (WithScope).
func (j Job) Scope() Scope {
	return Scope{Route: j.Name, Keys: j.Keys.Union(nil), TPPKeys: j.TPPKeys.Union(nil)}
}

// Find returns the route with that name from list.
func Find(list []Route, name string) (Route, error) {
	for _, r := range list {
		if r.Name == name {
			return r, nil
		}
	}
	return Route{}, fmt.Errorf("route: no route named %q", name)
}

type needsKey struct{}

type keysKey struct{}

// Scope is what a route's calls may reach of the portal table and of the TPP table: the
// route's name, for the guard's messages, and its partition-key families of each.
type Scope struct {
	Route   string
	Keys    Keys
	TPPKeys Keys
}

// WithScope marks ctx as a call of the route s names: awsclient's guard refuses a call to
// the portal table outside s.Keys, or to the TPP table outside s.TPPKeys, as the deployed
// function's role does.
func WithScope(ctx context.Context, s Scope) context.Context {
	return context.WithValue(ctx, keysKey{}, s)
}

// ScopeFrom returns the scope WithScope put in ctx, and whether there is one.
func ScopeFrom(ctx context.Context) (Scope, bool) {
	s, ok := ctx.Value(keysKey{}).(Scope)
	return s, ok
}

// WithNeeds marks ctx as a call of a route with needs n; AWS calls made with it are checked
// against them (awsclient's guard), so a route that calls what it did not declare fails in
// the tests and the local stack, not first in a deployment whose role lacks the grant.
func WithNeeds(ctx context.Context, n Need) context.Context {
	return context.WithValue(ctx, needsKey{}, n)
}

// NeedsFrom returns the needs WithNeeds put in ctx, and whether there are any.
func NeedsFrom(ctx context.Context) (Need, bool) {
	n, ok := ctx.Value(needsKey{}).(Need)
	return n, ok
}

// Match is the route of list that serves method on path: a route's {name} segment
// matches any one non-empty segment, as net/http's patterns do.
func Match(list []Route, method, path string) (Route, bool) {
	got := strings.Split(strings.Trim(path, "/"), "/")
	for _, r := range list {
		if r.Method != method {
			continue
		}
		want := strings.Split(strings.Trim(r.Path, "/"), "/")
		if len(want) != len(got) {
			continue
		}
		ok := true
		for i, seg := range want {
			if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
				ok = got[i] != ""
			} else {
				ok = seg == got[i]
			}
			if !ok {
				break
			}
		}
		if ok {
			return r, true
		}
	}
	return Route{}, false
}
