package onoauth_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/tpp/routes"
	"github.com/bank/devportal/shared/tpp/wiring/onoauth"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestDeriveKeys(t *testing.T) {
	master, other := bytes.Repeat([]byte("m"), 32), bytes.Repeat([]byte("o"), 64)
	k, err := onoauth.DeriveKeys(master, nil)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := onoauth.DeriveKeys(master, nil)
	rotated, _ := onoauth.DeriveKeys(other, master)
	cases := []struct {
		name string
		ok   bool
	}{
		{"32-byte keys", len(k.Token) == 32 && len(k.Pages) == 32},
		{"the token key is not the cookie key", !bytes.Equal(k.Token, k.Pages)},
		{"neither is the master key", !bytes.Equal(k.Token, master[:32]) && !bytes.Equal(k.Pages, master[:32])},
		{"every instance derives the same keys", bytes.Equal(k.Token, again.Token) && bytes.Equal(k.Pages, again.Pages)},
		{"no previous key before a rotation", k.PreviousToken == nil},
		{"after a rotation, the old token key still verifies", len(rotated.PreviousToken) == 1 && bytes.Equal(rotated.PreviousToken[0], k.Token)},
		{"after a rotation, new keys sign", !bytes.Equal(rotated.Token, k.Token) && !bytes.Equal(rotated.Pages, k.Pages)},
	}
	for _, tc := range cases {
		if !tc.ok {
			t.Error(tc.name)
		}
	}
	if _, err := onoauth.DeriveKeys(master[:31], nil); err == nil || !strings.Contains(err.Error(), "31 bytes, at least 32") {
		t.Errorf("a 31-byte master key: %v", err)
	}
}

// TestSecretKey reads the key as the deployed functions do, from a secret on moto: its
// current value, and after a rotation (a new value put) the previous one too.
func TestSecretKey(t *testing.T) {
	cfg := testenv.Bootstrapped(t, testenv.Ops)
	sm := secretsmanager.NewFromConfig(testenv.AWS(t, cfg))
	ctx := context.Background()
	first, second := strings.Repeat("a1", 32), strings.Repeat("b2", 32)
	out, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("oauth-key-test-" + testenv.Suffix()), SecretString: aws.String(first)})
	if err != nil {
		t.Fatal(err)
	}
	current, previous, err := onoauth.SecretKey(ctx, sm, aws.ToString(out.ARN))
	if err != nil || string(current) != first || previous != nil {
		t.Fatalf("before a rotation: %q, %q, %v", current, previous, err)
	}
	if _, err := sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: out.ARN, SecretString: aws.String(second)}); err != nil {
		t.Fatal(err)
	}
	current, previous, err = onoauth.SecretKey(ctx, sm, aws.ToString(out.ARN))
	if err != nil || string(current) != second || string(previous) != first {
		t.Fatalf("after a rotation: %q, %q, %v", current, previous, err)
	}

	short, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("oauth-key-short-" + testenv.Suffix()), SecretString: aws.String("too-short")})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := onoauth.SecretKey(ctx, sm, aws.ToString(short.ARN)); err == nil || !strings.Contains(err.Error(), "has 9 bytes, at least 32") {
		t.Errorf("a short key: %v", err)
	}

	// A route that signs needs the secret named; the metadata, which signs nothing, does not.
	token, _ := route.Find(routes.TPP, "oauth2-token")
	metadata, _ := route.Find(routes.TPP, "oauth2-metadata")
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	cfg.OAuthKeySecretARN = ""
	if _, err := onoauth.ForRoute(ctx, cfg, lookup.Sandbox, token, log); err == nil || !strings.Contains(err.Error(), "OAUTH_KEY_SECRET_ARN is not set") {
		t.Errorf("oauth2-token without the secret: %v", err)
	}
	if _, err := onoauth.ForRoute(ctx, cfg, lookup.Sandbox, metadata, log); err != nil {
		t.Errorf("oauth2-metadata without the secret: %v", err)
	}
}
