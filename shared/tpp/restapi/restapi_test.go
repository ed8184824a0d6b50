package restapi_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/bank/devportal/shared/platform/prefetch"
	"github.com/bank/devportal/shared/tpp/callercheck"
	"github.com/bank/devportal/shared/tpp/restapi"
)

// TestCallerThroughTheAdapter pushes REST API proxy events through the adapter: the
// handler sees the authorizer's context as the caller; a refusal is answered with its
// Berlin Group error and status without running the handler; a request without an app is
// a server error, never an anonymous caller. Every answer repeats the request ID.
func TestCallerThroughTheAdapter(t *testing.T) {
	consentKey := prefetch.Key{Table: "tpp", PK: "CONSENT#c1", SK: "CONSENT"}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := callercheck.From(r.Context())
		if !ok {
			t.Error("the handler ran without a caller")
		}
		body := c.AppID + "/" + c.OrgID + "/" + string(c.Environment) + "/" + c.Product + " " + r.Method + " " + r.URL.Path
		// The consent the authorizer read ahead reaches the handler's stores.
		if item, ok := prefetch.Take(r.Context(), "tpp", consentKey.AttributeValues()); ok {
			body += " consent " + item["status"].(*types.AttributeValueMemberS).Value
		}
		_, _ = w.Write([]byte(body))
	})
	ahead := prefetch.NewItems()
	ahead.Put(consentKey, map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: consentKey.PK}, "SK": &types.AttributeValueMemberS{Value: "CONSENT"},
		"status": &types.AttributeValueMemberS{Value: "valid"}})
	aheadContext, err := ahead.Encode()
	if err != nil {
		t.Fatal(err)
	}
	const requestID = "99391c7e-ad88-49ec-a2ad-99ddcb1f7721"
	for _, tc := range []struct {
		name       string
		authorizer map[string]interface{}
		status     int
		retryAfter string
		body       string
	}{
		{"authorized", map[string]interface{}{callercheck.ContextAppID: "app1", callercheck.ContextOrgID: "org1", callercheck.ContextEnvironment: "sandbox", callercheck.ContextProduct: "ais"},
			200, "", "app1/org1/sandbox/ais GET /v1/accounts"},
		{"authorized, with the consent read ahead", map[string]interface{}{callercheck.ContextAppID: "app1", callercheck.ContextOrgID: "org1", callercheck.ContextEnvironment: "sandbox", callercheck.ContextProduct: "ais",
			callercheck.ContextAhead: aheadContext},
			200, "", "app1/org1/sandbox/ais GET /v1/accounts consent valid"},
		{"authorized, with items ahead that do not decode", map[string]interface{}{callercheck.ContextAppID: "app1", callercheck.ContextOrgID: "org1", callercheck.ContextEnvironment: "sandbox", callercheck.ContextProduct: "ais",
			callercheck.ContextAhead: "{"},
			500, "", `{"tppMessages":[{"category":"ERROR","code":"INTERNAL_SERVER_ERROR","text":"The request could not be checked; try again."}]}` + "\n"},
		{"refused", map[string]interface{}{"refusalStatus": "403", "refusalCode": "SERVICE_BLOCKED", "refusalText": "Not subscribed.", "refusalRetryAfter": "0"},
			403, "", `{"tppMessages":[{"category":"ERROR","code":"SERVICE_BLOCKED","text":"Not subscribed."}]}` + "\n"},
		{"over the plan", map[string]interface{}{"refusalStatus": "429", "refusalCode": "ACCESS_EXCEEDED", "refusalText": "Slow down.", "refusalRetryAfter": "7"},
			429, "7", `{"tppMessages":[{"category":"ERROR","code":"ACCESS_EXCEEDED","text":"Slow down."}]}` + "\n"},
		{"no app", map[string]interface{}{callercheck.ContextOrgID: "org1"},
			500, "", `{"tppMessages":[{"category":"ERROR","code":"INTERNAL_SERVER_ERROR","text":"The request could not be checked; try again."}]}` + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := events.APIGatewayProxyRequest{HTTPMethod: "GET", Path: "/v1/accounts", Resource: "/v1/accounts",
				Headers:        map[string]string{"X-Request-ID": requestID},
				RequestContext: events.APIGatewayProxyRequestContext{Authorizer: tc.authorizer, Stage: "v1"}}
			resp, err := restapi.Handler(h)(context.Background(), ev)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.status || resp.Body != tc.body {
				t.Fatalf("got %d %q, want %d %q", resp.StatusCode, resp.Body, tc.status, tc.body)
			}
			header := func(name string) string { return http.Header(resp.MultiValueHeaders).Get(name) }
			if got := header("X-Request-ID"); got != requestID {
				t.Errorf("X-Request-ID = %q, want %q (headers %v)", got, requestID, resp.MultiValueHeaders)
			}
			if got := header("Retry-After"); got != tc.retryAfter {
				t.Errorf("Retry-After = %q, want %q", got, tc.retryAfter)
			}
		})
	}
}
