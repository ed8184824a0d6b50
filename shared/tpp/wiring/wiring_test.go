package wiring_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/tpp/callercheck"
	"github.com/bank/devportal/shared/tpp/routes"
	"github.com/bank/devportal/shared/tpp/wiring"
	"github.com/bank/devportal/shared/tpp/wiring/onoauth"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// TestAuthorizerSampleEvent pushes each authorizer's sample event through the authorizer
// its main builds (the bearer one with the authorization server keyed from a Secrets
// Manager secret on moto, as deployed). The sample is a REQUEST event with the client
// certificate API Gateway's mutual TLS passes on; that certificate is attached to no app,
// so the real lookup on moto refuses it before any token is looked at: allowed through to
// the integration, for exactly the method of the event, with the refusal the integration
// answers.
func TestAuthorizerSampleEvent(t *testing.T) {
	cfg := testenv.Bootstrapped(t, testenv.Ops)
	cfg.Local = false // as deployed
	sm := secretsmanager.NewFromConfig(testenv.AWS(t, cfg))
	secret, err := sm.CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{Name: aws.String("oauth-key-" + testenv.Suffix()),
		SecretString: aws.String(strings.Repeat("k3Y", 22))})
	if err != nil {
		t.Fatal(err)
	}
	cfg.OAuthKeySecretARN = aws.ToString(secret.ARN)
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	for _, name := range routes.Authorizers {
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("..", "..", "..", "events", name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			var ev events.APIGatewayCustomAuthorizerRequestTypeRequest
			if err := json.Unmarshal(raw, &ev); err != nil {
				t.Fatalf("event does not parse: %v", err)
			}
			if ev.Type != "REQUEST" || ev.RequestContext.Identity.ClientCert.ClientCertPem == "" || ev.RequestContext.Identity.ClientCert.SerialNumber == "" {
				t.Fatalf("event is not a REQUEST authorization with a client certificate: %+v", ev.RequestContext.Identity)
			}
			if _, err := callercheck.Fingerprint(ev.RequestContext.Identity.ClientCert.ClientCertPem); err != nil {
				t.Fatalf("sample certificate: %v", err)
			}
			a, err := wiring.Authorizer(context.Background(), cfg, lookup.Sandbox, log)
			if err != nil {
				t.Fatal(err)
			}
			if name == routes.BearerAuthorizerName {
				b, err := onoauth.Bearer(context.Background(), cfg, lookup.Sandbox, log)
				if err != nil {
					t.Fatal(err)
				}
				a.Tokens, a.ConsentKey = b.Tokens, b.ConsentKey
			}
			resp, err := a.Authorize(context.Background(), ev)
			if err != nil {
				t.Fatal(err)
			}
			st := resp.PolicyDocument.Statement
			if len(st) != 1 || st[0].Effect != "Allow" || len(st[0].Resource) != 1 || st[0].Resource[0] != ev.MethodArn {
				t.Fatalf("policy = %+v, want Allow on %s", resp.PolicyDocument, ev.MethodArn)
			}
			want := map[string]interface{}{"refusalStatus": 401, "refusalCode": "CERTIFICATE_INVALID", "refusalRetryAfter": 0,
				"refusalText": "The client certificate is not registered for an app of this environment: attach it to your app in the developer portal."}
			if resp.UsageIdentifierKey != "usage.refusals.sandbox" || !reflect.DeepEqual(resp.Context, want) {
				t.Fatalf("usage key %q, context %v; want the refusal %v", resp.UsageIdentifierKey, resp.Context, want)
			}
		})
	}
}
