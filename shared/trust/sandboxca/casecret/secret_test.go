package casecret_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/trust/sandboxca"
	"github.com/bank/devportal/shared/trust/sandboxca/casecret"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// emptySecret is a secret without a value on moto, as the identity stack creates it.
func emptySecret(t *testing.T) (*secretsmanager.Client, string) {
	t.Helper()
	client := secretsmanager.NewFromConfig(testenv.AWS(t, testenv.Config(t, testenv.MotoEndpoint(t))))
	out, err := client.CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{Name: aws.String("sandbox-ca-" + testenv.Suffix())})
	if err != nil {
		t.Fatal(err)
	}
	return client, *out.ARN
}

// TestLoadOrCreateSecret: the first cold start creates the CA in the empty secret, later
// ones load the same CA, and the CA issues certificates its pool verifies.
func TestLoadOrCreateSecret(t *testing.T) {
	ctx := context.Background()
	client, arn := emptySecret(t)
	_, certARN := emptySecret(t)
	if cert, err := casecret.LoadCertificate(ctx, client, certARN); cert != nil || err != nil {
		t.Fatalf("before the CA exists: certificate %v, %v; want none", cert, err)
	}
	first, err := casecret.LoadOrCreate(ctx, client, arn, certARN)
	if err != nil {
		t.Fatal(err)
	}
	again, err := casecret.LoadOrCreate(ctx, client, arn, certARN)
	if err != nil {
		t.Fatal(err)
	}
	if !first.Cert.Equal(again.Cert) {
		t.Error("a second load made another CA")
	}
	if !first.Cert.IsCA || first.Cert.Subject.CommonName != "Developer Portal Sandbox CA" {
		t.Errorf("CA certificate %v", first.Cert.Subject)
	}
	if _, err := again.ServerCertificate("localhost"); err != nil {
		t.Errorf("the loaded CA cannot sign: %v", err)
	}
	// The certificate's own secret holds the certificate, and nothing of the key.
	cert, err := casecret.LoadCertificate(ctx, client, certARN)
	if err != nil || cert == nil || !cert.Equal(first.Cert) {
		t.Fatalf("certificate secret: %v, %v; want the CA's certificate", cert, err)
	}
	raw, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(certARN)})
	if err != nil || strings.Contains(aws.ToString(raw.SecretString), "PRIVATE KEY") {
		t.Fatalf("certificate secret holds %q (%v)", aws.ToString(raw.SecretString), err)
	}
	if _, err := casecret.LoadOrCreate(ctx, client, arn+"-missing", ""); err == nil {
		t.Error("a missing secret: no error")
	}
}

// TestLoadOrCreateSecretRace: cold starts that all find the secret empty end up with one
// CA, because only the first version with CreateToken is stored.
func TestLoadOrCreateSecretRace(t *testing.T) {
	client, arn := emptySecret(t)
	const n = 5
	cas := make([]*sandboxca.CA, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cas[i], errs[i] = casecret.LoadOrCreate(context.Background(), client, arn, "")
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("cold start %d: %v", i, errs[i])
		}
		if !cas[i].Cert.Equal(cas[0].Cert) {
			t.Errorf("cold start %d has another CA", i)
		}
	}
}

// TestLoadOrCreateSecretNotCA: a secret holding something else is an error, not a new CA.
func TestLoadOrCreateSecretNotCA(t *testing.T) {
	client, arn := emptySecret(t)
	if _, err := client.PutSecretValue(context.Background(), &secretsmanager.PutSecretValueInput{SecretId: aws.String(arn), SecretString: aws.String("hunter2")}); err != nil {
		t.Fatal(err)
	}
	if _, err := casecret.LoadOrCreate(context.Background(), client, arn, ""); err == nil {
		t.Error("no error")
	}
}
