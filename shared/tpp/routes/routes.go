// Package routes is the TPP API's route table: its endpoints (Berlin Group, OAuth2,
// registration) and its Lambda authorizers, as data, read like the portal's by the
// generated mains, the local TPP listener and the CDK stacks. The endpoints arrive with
// the TPP API's features; until then every path answers RESOURCE_UNKNOWN.
package routes

import "github.com/bank/devportal/shared/platform/route"

// AuthorizerName is the TPP API's Lambda authorizer, the caller check:
// functions/<AuthorizerName> and events/<AuthorizerName>.json.
const AuthorizerName = "tpp-authorizer"

// TPP is every TPP API route.
var TPP = []route.Route{}

// Authorizers are the TPP API's Lambda authorizers: each is a functions/<name> with an
// events/<name>.json, like the routes and jobs.
var Authorizers = []string{AuthorizerName}
