// Package restapi adapts the TPP API's handlers to API Gateway REST API proxy events: the
// TPP API is a REST API (mutual TLS on a custom domain, Lambda authorizer, usage plans),
// where the portal's is an HTTP API, so its functions speak the version 1 payload.
package restapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/core"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/bank/devportal/shared/platform/prefetch"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/tpp/bgerror"
	"github.com/bank/devportal/shared/tpp/callercheck"
	"github.com/bank/devportal/shared/tpp/tppapi"
)

// Handler is a Lambda handler serving h for REST API proxy events. Every response
// carries X-Request-ID; a call the authorizer refused is answered with its Berlin Group
// error without running h; h finds the caller with callercheck.From.
func Handler(h http.Handler) func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	return httpadapter.New(tppapi.WithRequestID(withCaller(h))).ProxyWithContext
}

// Public is a Lambda handler serving h, a route that runs without the caller check (the
// authorization server's metadata), for REST API proxy events: every response carries
// X-Request-ID.
func Public(h http.Handler) func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	return httpadapter.New(tppapi.WithRequestID(h)).ProxyWithContext
}

func withCaller(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := CallerOf(r)
		var refused *callercheck.Refusal
		switch {
		case errors.As(err, &refused):
			tppapi.WriteRefusal(w, refused)
		case err != nil:
			slog.ErrorContext(r.Context(), "no caller", "error", err.Error(), "requestId", w.Header().Get(tppapi.RequestIDHeader))
			bgerror.Write(w, http.StatusInternalServerError, "INTERNAL_SERVER_ERROR", "The request could not be checked; try again.")
		default:
			next.ServeHTTP(w, r.WithContext(prefetch.With(callercheck.WithCaller(r.Context(), c), c.Ahead)))
		}
	})
}

// CallerOf is the app behind the request r: on AWS from the authorizer's context, which
// the adapter carries; behind the local TPP listener from the caller check it ran. A call
// the authorizer refused is its *callercheck.Refusal; a request with neither (not through
// API Gateway, or not authorized) is an error, never an anonymous caller.
func CallerOf(r *http.Request) (callercheck.Caller, error) {
	if c, ok := callercheck.From(r.Context()); ok {
		return c, nil
	}
	rc, ok := core.GetAPIGatewayContextFromContext(r.Context())
	if !ok {
		return callercheck.Caller{}, fmt.Errorf("restapi: the request carries no API Gateway context")
	}
	if refused, ok := callercheck.RefusalFromContext(rc.Authorizer); ok {
		return callercheck.Caller{}, refused
	}
	str := func(key string) string { v, _ := rc.Authorizer[key].(string); return v }
	c := callercheck.Caller{AppID: str(callercheck.ContextAppID), OrgID: str(callercheck.ContextOrgID),
		Environment: lookup.Environment(str(callercheck.ContextEnvironment)), Product: str(callercheck.ContextProduct),
		Token: callercheck.TokenFromContext(rc.Authorizer), RedirectURIs: strings.Fields(str(callercheck.ContextRedirectURIs))}
	if c.AppID == "" || c.OrgID == "" || c.Environment == "" {
		return callercheck.Caller{}, fmt.Errorf("restapi: the authorizer's context names no app")
	}
	ahead, err := callercheck.AheadFromContext(rc.Authorizer)
	if err != nil {
		return callercheck.Caller{}, fmt.Errorf("restapi: the authorizer's context: %w", err)
	}
	c.Ahead = ahead
	return c, nil
}
