package wiring_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/portal/wiring"
	"github.com/bank/devportal/shared/portal/wiring/allparts"
)

// TestSandboxCAFromSecret: deployed, the functions that issue or trust sandbox
// certificates find the sandbox CA in SANDBOX_CA_SECRET_ARN's secret; the first cold start
// creates it there, and every later one uses the same CA.
func TestSandboxCAFromSecret(t *testing.T) {
	ctx := context.Background()
	cfg := testenv.Config(t, testenv.MotoEndpoint(t))
	cfg.Local = false // as deployed
	cfg.UserPoolID, cfg.UserPoolClientID = "eu-west-1_test", "client"
	secret, err := secretsmanager.NewFromConfig(testenv.AWS(t, cfg)).CreateSecret(ctx,
		&secretsmanager.CreateSecretInput{Name: aws.String("sandbox-ca-" + testenv.Suffix())})
	if err != nil {
		t.Fatal(err)
	}
	cfg.SandboxCADir, cfg.SandboxCASecretARN = "", *secret.ARN
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	first, err := wiring.Portal(ctx, cfg, log, allparts.Parts(), route.Everything)
	if err != nil {
		t.Fatal(err)
	}
	second, err := wiring.Portal(ctx, cfg, log, allparts.Parts(), route.Everything)
	if err != nil {
		t.Fatal(err)
	}
	if first.SandboxCA == nil || second.SandboxCA == nil || !first.SandboxCA.Cert.Equal(second.SandboxCA.Cert) {
		t.Fatalf("sandbox CAs %v, %v: want one, the same for every cold start", first.SandboxCA, second.SandboxCA)
	}
	// Without either setting there is no sandbox CA; with both, the configuration is wrong.
	cfg.SandboxCASecretARN = ""
	if api, err := wiring.Portal(ctx, cfg, log, allparts.Parts(), route.Everything); err != nil || api.SandboxCA != nil {
		t.Errorf("without a sandbox CA: %v, %v", api, err)
	}
	cfg.SandboxCADir, cfg.SandboxCASecretARN = t.TempDir(), *secret.ARN
	if _, err := wiring.Portal(ctx, cfg, log, allparts.Parts(), route.Everything); err == nil || !strings.Contains(err.Error(), "both set") {
		t.Errorf("both set: %v", err)
	}
}
