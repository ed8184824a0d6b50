// Package restapi adapts the TPP API's handlers to API Gateway REST API proxy events: the
// TPP API is a REST API (mutual TLS on a custom domain, Lambda authorizer, usage plans),
// where the portal's is an HTTP API, so its functions speak the version 1 payload.
package restapi

import (
	"context"
	"fmt"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/core"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
)

// Handler is a Lambda handler serving h for REST API proxy events.
func Handler(h http.Handler) func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	return httpadapter.New(h).ProxyWithContext
}

// Caller is who the authorizer found behind a request: the app, its organization and
// environment, from the authorizer's context.
type Caller struct {
	AppID       string
	OrgID       string
	Environment string
}

// Context keys the authorizer passes to the integration ($context.authorizer.<key>).
const (
	ContextAppID       = "appId"
	ContextOrgID       = "orgId"
	ContextEnvironment = "environment"
)

// CallerOf reads the authorizer's context of the request r, which the adapter carries;
// a request without one (not through API Gateway, or not authorized) is an error, never
// an anonymous caller.
func CallerOf(r *http.Request) (Caller, error) {
	rc, ok := core.GetAPIGatewayContextFromContext(r.Context())
	if !ok {
		return Caller{}, fmt.Errorf("restapi: the request carries no API Gateway context")
	}
	str := func(key string) string { v, _ := rc.Authorizer[key].(string); return v }
	c := Caller{AppID: str(ContextAppID), OrgID: str(ContextOrgID), Environment: str(ContextEnvironment)}
	if c.AppID == "" || c.OrgID == "" || c.Environment == "" {
		return Caller{}, fmt.Errorf("restapi: the authorizer's context names no app")
	}
	return c, nil
}
