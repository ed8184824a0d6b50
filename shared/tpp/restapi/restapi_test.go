package restapi_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/bank/devportal/shared/tpp/callercheck"
	"github.com/bank/devportal/shared/tpp/restapi"
)

// TestCallerThroughTheAdapter pushes REST API proxy events through the adapter: the
// handler sees the authorizer's context as the caller, and a request without one has no
// caller.
func TestCallerThroughTheAdapter(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := restapi.CallerOf(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		_, _ = w.Write([]byte(c.AppID + "/" + c.OrgID + "/" + string(c.Environment) + " " + r.Method + " " + r.URL.Path))
	})
	for _, tc := range []struct {
		name       string
		authorizer map[string]interface{}
		status     int
		body       string
	}{
		{"authorized", map[string]interface{}{callercheck.ContextAppID: "app1", callercheck.ContextOrgID: "org1", callercheck.ContextEnvironment: "sandbox"},
			200, "app1/org1/sandbox GET /v1/accounts"},
		{"no app", map[string]interface{}{callercheck.ContextOrgID: "org1"}, 401, "restapi: the authorizer's context names no app\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := events.APIGatewayProxyRequest{HTTPMethod: "GET", Path: "/v1/accounts", Resource: "/v1/accounts",
				RequestContext: events.APIGatewayProxyRequestContext{Authorizer: tc.authorizer, Stage: "v1"}}
			resp, err := restapi.Handler(h)(context.Background(), ev)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.status || resp.Body != tc.body {
				t.Fatalf("got %d %q, want %d %q", resp.StatusCode, resp.Body, tc.status, tc.body)
			}
		})
	}
}
