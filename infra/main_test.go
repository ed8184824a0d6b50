package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bank/devportal/infra/stacks"
	"github.com/bank/devportal/shared/portal/org"
)

// TestCDKJSON checks the repository's cdk.json: the CLI runs this command, and its
// "context" lists every value the app reads with a default that leaves the TPP API out,
// so that CI's synthesis (and a first deployment, before the truststore is uploaded)
// needs no domain, certificate or truststore.
func TestCDKJSON(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "cdk.json"))
	if err != nil {
		t.Fatal(err)
	}
	var project struct {
		App     string                 `json:"app"`
		Output  string                 `json:"output"`
		Context map[string]interface{} `json:"context"`
	}
	if err := json.Unmarshal(raw, &project); err != nil {
		t.Fatal(err)
	}
	if project.App != "go run ./infra" || project.Output != "cdk.out" {
		t.Errorf("app %q, output %q", project.App, project.Output)
	}
	var keys []string
	for k := range project.Context {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := slices.Sorted(slices.Values(contextKeys))
	if !slices.Equal(keys, want) {
		t.Errorf("cdk.json context keys %v, want every key the app reads: %v", keys, want)
	}
	ctx, err := loadContext("..", nil)
	if err != nil {
		t.Fatal(err)
	}
	get := func(key string) string {
		if v, ok := ctx[key].(string); ok {
			return v
		}
		t.Errorf("cdk.json context %s = %v, want a string", key, ctx[key])
		return ""
	}
	if got := get(ctxEnvironment); got != string(org.Sandbox) {
		t.Errorf("default environment %q, want %s", got, org.Sandbox)
	}
	if got := get(ctxAlarmEmail); got != "" {
		t.Errorf("default alarmEmail %q, want none", got)
	}
	set, err := tppSettings(get)
	if set != nil || err != nil {
		t.Errorf("cdk.json's defaults give the TPP API %+v, %v; want it left out", set, err)
	}
}

func TestTPPSettings(t *testing.T) {
	all := map[string]string{
		ctxTPPDomainName:        "api.bank.example",
		ctxTPPCertificateARN:    "arn:aws:acm:eu-west-1:123456789012:certificate/abc",
		ctxTPPTruststoreKey:     "truststore.pem",
		ctxTPPTruststoreVersion: "v1",
	}
	with := func(change map[string]string) func(string) string {
		m := map[string]string{}
		for k, v := range all {
			m[k] = v
		}
		for k, v := range change {
			m[k] = v
		}
		return func(key string) string { return m[key] }
	}
	none := func(string) string { return "" }
	if set, err := tppSettings(none); set != nil || err != nil {
		t.Errorf("no values: %+v, %v; want no TPP API", set, err)
	}
	set, err := tppSettings(with(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := stacks.TPPSettings{Environment: org.Sandbox, DomainName: "api.bank.example",
		CertificateARN: all[ctxTPPCertificateARN], TruststoreKey: "truststore.pem", TruststoreVersion: "v1"}
	if !reflect.DeepEqual(*set, want) {
		t.Errorf("settings %+v, want %+v (the sandbox by default)", *set, want)
	}
	if set, err := tppSettings(with(map[string]string{ctxEnvironment: "production"})); err != nil || set.Environment != org.Production {
		t.Errorf("environment=production: %+v, %v", set, err)
	}
	if _, err := tppSettings(with(map[string]string{ctxEnvironment: "live"})); err == nil || !strings.Contains(err.Error(), `environment="live"`) {
		t.Errorf("environment=live: %v", err)
	}
	_, err = tppSettings(with(map[string]string{ctxTPPTruststoreVersion: "", ctxTPPCertificateARN: ""}))
	if err == nil || !strings.Contains(err.Error(), "tppTruststoreVersion is not set") || !strings.Contains(err.Error(), "tppCertificateArn is not set") {
		t.Errorf("two values missing: %v, want both named", err)
	}
}

// TestPortalAPIDomain: the portal API's custom domain needs its certificate, and the
// certificate its domain; neither leaves the execute-api endpoint as CloudFront's origin.
func TestPortalAPIDomain(t *testing.T) {
	for _, tc := range []struct {
		name, domain, cert string
		want               *stacks.PortalAPIDomain
		err                string
	}{
		{"neither", "", "", nil, ""},
		{"both", "portal-api.bank.example", "arn:aws:acm:eu-west-1:123456789012:certificate/p", &stacks.PortalAPIDomain{DomainName: "portal-api.bank.example", CertificateARN: "arn:aws:acm:eu-west-1:123456789012:certificate/p"}, ""},
		{"domain only", "portal-api.bank.example", "", nil, "set both portalApiDomainName and portalApiCertificateArn, or neither"},
		{"certificate only", "", "arn:aws:acm:eu-west-1:123456789012:certificate/p", nil, "set both portalApiDomainName and portalApiCertificateArn, or neither"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			values := map[string]string{ctxPortalAPIDomainName: tc.domain, ctxPortalAPICertificateARN: tc.cert}
			dep, err := deployment(func(k string) string { return values[k] })
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("err = %v, want %s", err, tc.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(dep.PortalAPIDomain, tc.want) {
				t.Fatalf("domain %+v, %v; want %+v", dep.PortalAPIDomain, err, tc.want)
			}
		})
	}
}

func TestLoadContext(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := loadContext(dir, nil); err != nil || len(got) != 0 {
		t.Errorf("no files: %v, %v", got, err)
	}
	write("cdk.json", `{"app": "go run ./infra", "context": {"environment": "sandbox", "tppDomainName": "", "alarmEmail": "ops@bank.example"}}`)
	write("cdk.context.json", `{"environment": "production", "tppTruststoreKey": "truststore.pem"}`)
	got, err := loadContext(dir, []string{"-c", "tppDomainName=api.bank.example", "--context=tppTruststoreVersion=a=b", "--context", "alarmEmail=x@bank.example"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]interface{}{
		"environment":          "sandbox",          // cdk.json over cdk.context.json
		"tppTruststoreKey":     "truststore.pem",   // only in cdk.context.json
		"tppDomainName":        "api.bank.example", // -c over cdk.json
		"tppTruststoreVersion": "a=b",              // the first = splits
		"alarmEmail":           "x@bank.example",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("context %v, want %v", got, want)
	}
	for _, args := range [][]string{{"-c"}, {"-c", "novalue"}, {"-c", "=x"}, {"--verbose"}, {"tppDomainName=x"}} {
		if _, err := loadContext(dir, args); err == nil {
			t.Errorf("arguments %q: no error", args)
		}
	}
	write("cdk.json", `{"context": [`)
	if _, err := loadContext(dir, nil); err == nil || !strings.Contains(err.Error(), "cdk.json") {
		t.Errorf("broken cdk.json: %v", err)
	}
}

func TestCheckTruststore(t *testing.T) {
	file := filepath.Join(t.TempDir(), "eidas.pem")
	if err := os.WriteFile(file, selfSignedPEM(t), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := checkTruststore(file); err != nil || got != "/var/task/eidas-truststore.pem" {
		t.Fatalf("checkTruststore = %q, %v", got, err)
	}
	// Unset: the functions get no file.
	if got, err := checkTruststore(""); err != nil || got != "" {
		t.Fatalf("checkTruststore without a file = %q, %v", got, err)
	}
	notPEM := filepath.Join(t.TempDir(), "x.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := checkTruststore(notPEM); err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Errorf("not PEM: %v", err)
	}
	if _, err := checkTruststore(filepath.Join(t.TempDir(), "missing.pem")); err == nil {
		t.Error("missing file: no error")
	}
}

// selfSignedPEM is a CA certificate in PEM, as a truststore bundle holds.
func selfSignedPEM(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "Test eIDAS CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func TestRemoveStaleTemplates(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"devportal-data.template.json":    "{}",
		"devportal-tpp-api.template.json": "{}",
		"manifest.json":                   "{}",
		// The portal API's two function groups: one named in its template's asset
		// metadata, one in its assets manifest; and a group of an earlier synthesis.
		"devportal-portal-api.template.json":            `{"Resources": {"A": {"Metadata": {"aws:asset:path": "devportalportalapiApps1.nested.template.json"}}}}`,
		"devportal-portal-api.assets.json":              `{"files": {"h": {"source": {"path": "devportalportalapiAuth1.nested.template.json"}}}}`,
		"devportalportalapiApps1.nested.template.json":  "{}",
		"devportalportalapiAuth1.nested.template.json":  "{}",
		"devportalportalapiStale1.nested.template.json": "{}",
	}
	for f, content := range files {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := removeStaleTemplates(dir, []string{"devportal-data.template.json", "devportal-portal-api.template.json"}); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if want := []string{"devportal-data.template.json", "devportal-portal-api.assets.json", "devportal-portal-api.template.json",
		"devportalportalapiApps1.nested.template.json", "devportalportalapiAuth1.nested.template.json", "manifest.json"}; !reflect.DeepEqual(got, want) {
		t.Errorf("left %v, want %v", got, want)
	}
}
