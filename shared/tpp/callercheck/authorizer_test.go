package callercheck_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/tpp/callercheck"
)

// fakeOwners is a fingerprint table; err, when set, is what every lookup fails with.
type fakeOwners struct {
	owners map[string]lookup.CertificateOwner
	err    error
	asked  []string
}

func (f *fakeOwners) Certificate(_ context.Context, fingerprint string) (lookup.CertificateOwner, error) {
	f.asked = append(f.asked, fingerprint)
	if f.err != nil {
		return lookup.CertificateOwner{}, f.err
	}
	o, ok := f.owners[fingerprint]
	if !ok {
		return lookup.CertificateOwner{}, apperr.New(apperr.NotFound, "NOT_FOUND", "certificate not found")
	}
	return o, nil
}

// testCertificate is a self-signed certificate as PEM, with its fingerprint.
func testCertificate(t *testing.T, cn string) (string, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(42),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(der)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), hex.EncodeToString(sum[:])
}

const methodARN = "arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/tpp/GET/v1/accounts"

func request(certPEM string) events.APIGatewayCustomAuthorizerRequestTypeRequest {
	var req events.APIGatewayCustomAuthorizerRequestTypeRequest
	req.Type = "REQUEST"
	req.MethodArn = methodARN
	req.RequestContext.RequestID = "req-1"
	req.RequestContext.Identity.ClientCert.ClientCertPem = certPEM
	return req
}

func policy(effect string) events.APIGatewayCustomAuthorizerPolicy {
	return events.APIGatewayCustomAuthorizerPolicy{
		Version:   "2012-10-17",
		Statement: []events.IAMPolicyStatement{{Action: []string{"execute-api:Invoke"}, Effect: effect, Resource: []string{methodARN}}},
	}
}

func TestAuthorize(t *testing.T) {
	sandboxPEM, sandboxFP := testCertificate(t, "sandbox app")
	prodPEM, prodFP := testCertificate(t, "production app")
	strangerPEM, strangerFP := testCertificate(t, "unregistered")
	keyPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2, 3}}))
	badDER := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("not DER")}))
	owners := map[string]lookup.CertificateOwner{
		sandboxFP: {Fingerprint: sandboxFP, OrgID: "org-1", AppID: "app-1", Environment: lookup.Sandbox},
		prodFP:    {Fingerprint: prodFP, OrgID: "org-2", AppID: "app-2", Environment: lookup.Production},
	}
	deny := events.APIGatewayCustomAuthorizerResponse{PrincipalID: "unknown", PolicyDocument: policy("Deny")}
	outage := errors.New("dynamodb: throttled")

	cases := []struct {
		name      string
		env       lookup.Environment
		certPEM   string
		lookupErr error
		want      events.APIGatewayCustomAuthorizerResponse
		wantErr   error
		// wantAsked is the fingerprint looked up, "" for none.
		wantAsked string
	}{
		{name: "sandbox app on the sandbox API", env: lookup.Sandbox, certPEM: sandboxPEM, wantAsked: sandboxFP,
			want: events.APIGatewayCustomAuthorizerResponse{
				PrincipalID: "app-1", PolicyDocument: policy("Allow"),
				Context: map[string]interface{}{"appId": "app-1", "orgId": "org-1", "environment": "sandbox"},
			}},
		{name: "production app on the production API", env: lookup.Production, certPEM: prodPEM, wantAsked: prodFP,
			want: events.APIGatewayCustomAuthorizerResponse{
				PrincipalID: "app-2", PolicyDocument: policy("Allow"),
				Context: map[string]interface{}{"appId": "app-2", "orgId": "org-2", "environment": "production"},
			}},
		{name: "sandbox app on the production API", env: lookup.Production, certPEM: sandboxPEM, wantAsked: sandboxFP, want: deny},
		{name: "production app on the sandbox API", env: lookup.Sandbox, certPEM: prodPEM, wantAsked: prodFP, want: deny},
		{name: "certificate of no app", env: lookup.Sandbox, certPEM: strangerPEM, wantAsked: strangerFP, want: deny},
		{name: "no certificate", env: lookup.Sandbox, certPEM: "", want: deny},
		{name: "not PEM", env: lookup.Sandbox, certPEM: "MIIB...", want: deny},
		{name: "PEM of a key", env: lookup.Sandbox, certPEM: keyPEM, want: deny},
		{name: "PEM that is no certificate", env: lookup.Sandbox, certPEM: badDER, want: deny},
		{name: "lookup fails", env: lookup.Sandbox, certPEM: sandboxPEM, lookupErr: outage, wantErr: outage, wantAsked: sandboxFP},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := &fakeOwners{owners: owners, err: tc.lookupErr}
			a := &callercheck.Authorizer{Owners: fake, Environment: tc.env, Log: slog.New(slog.NewJSONHandler(io.Discard, nil))}
			got, err := a.Authorize(context.Background(), request(tc.certPEM))
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("error = %v, want %v", err, tc.wantErr)
			}
			if tc.wantErr != nil {
				if !reflect.DeepEqual(got, events.APIGatewayCustomAuthorizerResponse{}) {
					t.Errorf("an error with a response %+v: API Gateway must not use it", got)
				}
			} else if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("response =\n%+v\nwant\n%+v", got, tc.want)
			}
			var wantAsked []string
			if tc.wantAsked != "" {
				wantAsked = []string{tc.wantAsked}
			}
			if !reflect.DeepEqual(fake.asked, wantAsked) {
				t.Errorf("looked up %v, want %v", fake.asked, wantAsked)
			}
		})
	}
}

func TestFingerprint(t *testing.T) {
	certPEM, want := testCertificate(t, "x")
	got, err := callercheck.Fingerprint(certPEM)
	if err != nil || got != want {
		t.Errorf("Fingerprint = %q, %v; want %q", got, err, want)
	}
	// API Gateway passes the PEM as the client sent it: surrounding text is ignored.
	if got, err := callercheck.Fingerprint("\n" + certPEM + "\n"); err != nil || got != want {
		t.Errorf("Fingerprint with blank lines = %q, %v", got, err)
	}
}

func TestParseEnvironment(t *testing.T) {
	cases := []struct {
		in   string
		want lookup.Environment
		ok   bool
	}{
		{"sandbox", lookup.Sandbox, true},
		{"production", lookup.Production, true},
		{"", "", false},
		{"Production", "", false},
		{"live", "", false},
	}
	for _, tc := range cases {
		got, err := callercheck.ParseEnvironment(tc.in)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("ParseEnvironment(%q) = %q, %v; want %q, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

// TestCheck: each certificate gets its own answer, the one the TPP listener writes as a
// Berlin Group error and the authorizer logs with its Deny; a failed lookup is no refusal.
func TestCheck(t *testing.T) {
	sandboxPEM, sandboxFP := testCertificate(t, "sandbox-app")
	prodPEM, prodFP := testCertificate(t, "production-app")
	unknownPEM, unknownFP := testCertificate(t, "nobody")
	der := func(p string) []byte { b, _ := pem.Decode([]byte(p)); return b.Bytes }
	owners := &fakeOwners{owners: map[string]lookup.CertificateOwner{
		sandboxFP: {Fingerprint: sandboxFP, OrgID: "org-1", AppID: "app-1", Environment: lookup.Sandbox},
		prodFP:    {Fingerprint: prodFP, OrgID: "org-2", AppID: "app-2", Environment: lookup.Production},
	}}
	check := &callercheck.Authorizer{Owners: owners, Environment: lookup.Sandbox}
	for _, tc := range []struct {
		name    string
		der     []byte
		want    callercheck.Caller
		refusal *callercheck.Refusal
	}{
		{"app of this environment", der(sandboxPEM), callercheck.Caller{AppID: "app-1", OrgID: "org-1", Environment: lookup.Sandbox, Fingerprint: sandboxFP}, nil},
		{"no certificate", nil, callercheck.Caller{}, callercheck.ErrCertificateMissing},
		{"not a certificate", []byte("garbage"), callercheck.Caller{}, callercheck.ErrCertificateInvalid},
		{"attached to no app", der(unknownPEM), callercheck.Caller{Fingerprint: unknownFP}, callercheck.ErrCertificateUnknown},
		{"app of the other environment", der(prodPEM), callercheck.Caller{Fingerprint: prodFP}, callercheck.ErrOtherEnvironment},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := check.Check(context.Background(), tc.der)
			var refusal *callercheck.Refusal
			if errors.As(err, &refusal) != (tc.refusal != nil) || refusal != tc.refusal || got != tc.want {
				t.Fatalf("Check = %+v, %v; want %+v, %v", got, err, tc.want, tc.refusal)
			}
			if tc.refusal != nil && (tc.refusal.Status != 401 || !strings.HasPrefix(tc.refusal.Code, "CERTIFICATE_")) {
				t.Fatalf("refusal %+v is not a Berlin Group 401 certificate error", tc.refusal)
			}
		})
	}
	outage := &callercheck.Authorizer{Owners: &fakeOwners{err: errors.New("throttled")}, Environment: lookup.Sandbox}
	_, err := outage.Check(context.Background(), der(sandboxPEM))
	var refusal *callercheck.Refusal
	if err == nil || errors.As(err, &refusal) || err.Error() != "certificate lookup: throttled" {
		t.Fatalf("a failed lookup = %v, want the lookup's error and no refusal", err)
	}
}
