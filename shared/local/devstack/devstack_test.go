package devstack_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/bank/devportal/shared/local/devstack"
	"github.com/bank/devportal/shared/local/motoserver"
	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/local/testenv/tppworld"
	"github.com/bank/devportal/shared/platform/awsclient"
	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
	"github.com/bank/devportal/shared/tpp/sandboxbank/bankstore"
	"github.com/bank/devportal/shared/trust/sandboxca"
)

func startStack(t *testing.T) *devstack.Stack {
	t.Helper()
	dir := t.TempDir()
	fe := filepath.Join(dir, "dist")
	if err := os.MkdirAll(filepath.Join(fe, "assets"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(fe, "index.html"), []byte("<!doctype html><title>portal</title>"), 0o644)
	os.WriteFile(filepath.Join(fe, "assets", "app.js"), []byte("console.log(1)"), 0o644)
	cfg := testenv.Config(t, "")
	cfg.PortalURL = ""
	s, err := devstack.Start(context.Background(), devstack.Options{Dir: dir, FrontendDir: fe, Ops: []motoserver.OpsUser{testenv.Ops, testenv.SecondOps}, Config: cfg, Log: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

func get(t *testing.T, c *http.Client, url string) (int, string, http.Header) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func TestLocalStack(t *testing.T) {
	s := startStack(t)
	c := &http.Client{Timeout: 10 * time.Second}

	t.Run("the sandbox bank is in the TPP table, loaded once", func(t *testing.T) {
		ctx := context.Background()
		awsCfg, err := awsclient.Load(ctx, s.Config)
		if err != nil {
			t.Fatal(err)
		}
		want, err := sandboxbank.FromConfig(s.Config)
		if err != nil || want.Fingerprint() != s.Bank.Fingerprint() || s.BankLoad.Skipped {
			t.Fatalf("the stack loaded seed %d of %s (skipped %v), want the configured bank (%v)", s.Bank.Seed, s.Bank.Date, s.BankLoad.Skipped, err)
		}
		t.Logf("sandbox bank: %d items in %d requests in %v", s.BankLoad.Items, s.BankLoad.Requests, s.BankLoad.Duration)
		bank := bankstore.New(dynamodb.NewFromConfig(awsCfg), s.Config.TPPTable)
		anna, err := bank.CustomerByLogin(ctx, "anna.schmidt")
		if err != nil || anna != want.Customers[0] {
			t.Fatalf("anna.schmidt = %+v, %v", anna, err)
		}
		accounts, err := bank.Accounts(ctx, anna.ID)
		if err != nil || len(accounts) != 3 || !reflect.DeepEqual(accounts, want.Accounts[:3]) {
			t.Fatalf("anna's accounts = %+v, %v", accounts, err)
		}
		if l, err := bank.Ledger(ctx, accounts[0].ResourceID); err != nil || l != want.Ledgers[0] {
			t.Fatalf("ledger = %+v, %v; want %+v", l, err, want.Ledgers[0])
		}
		_, again, err := motoserver.LoadSandboxBank(ctx, awsCfg, s.Config)
		if err != nil || !again.Skipped {
			t.Fatalf("loading again = %+v, %v; want skipped", again, err)
		}
	})

	t.Run("health reports every dependency up", func(t *testing.T) {
		status, body, _ := get(t, c, s.PortalURL+"/api/healthz")
		var h struct {
			Status string
			Checks []struct{ Name, Status string }
		}
		_ = json.Unmarshal([]byte(body), &h)
		if status != 200 || h.Status != "ok" || len(h.Checks) != 3 || h.Checks[0].Name != "moto" {
			t.Fatalf("%d %s", status, body)
		}
	})
	t.Run("SPA routes fall back to index.html, assets are served as files", func(t *testing.T) {
		for _, path := range []string{"/", "/account", "/activate?token=x"} {
			if status, body, _ := get(t, c, s.PortalURL+path); status != 200 || !strings.Contains(body, "<title>portal</title>") {
				t.Fatalf("%s: %d %s", path, status, body)
			}
		}
		status, body, hdr := get(t, c, s.PortalURL+"/assets/app.js")
		if status != 200 || body != "console.log(1)" || !strings.Contains(hdr.Get("Cache-Control"), "immutable") {
			t.Fatalf("asset: %d %s %v", status, body, hdr)
		}
	})
	t.Run("unknown API paths get a JSON 404, not the SPA", func(t *testing.T) {
		status, body, _ := get(t, c, s.PortalURL+"/api/nope")
		if status != 404 || !strings.Contains(body, `"code":"NOT_FOUND"`) {
			t.Fatalf("%d %s", status, body)
		}
	})
	t.Run("the sandbox CA's CRL is served where its certificates say", func(t *testing.T) {
		if want := s.PortalURL + "/sandbox-ca/crl.der"; s.Config.SandboxCACRLURL != want {
			t.Fatalf("SandboxCACRLURL = %s, want %s", s.Config.SandboxCACRLURL, want)
		}
		status, body, hdr := get(t, c, s.Config.SandboxCACRLURL)
		if status != 200 || hdr.Get("Content-Type") != "application/pkix-crl" {
			t.Fatalf("%d %v", status, hdr)
		}
		crl, err := x509.ParseRevocationList([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		if err := crl.CheckSignatureFrom(s.CA.Cert); err != nil || !crl.NextUpdate.After(time.Now()) {
			t.Fatalf("CRL: signature %v, nextUpdate %s", err, crl.NextUpdate)
		}
	})
	t.Run("emailed links point at the running portal", func(t *testing.T) {
		if s.Config.PortalURL != s.PortalURL {
			t.Fatalf("PortalURL = %s, want %s", s.Config.PortalURL, s.PortalURL)
		}
	})

	roots := x509.NewCertPool()
	roots.AddCert(s.CA.Cert)
	tppClient := func(certs ...tls.Certificate) *http.Client {
		return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, Certificates: certs}}}
	}
	good, err := s.CA.ClientCertificate(pkix.Name{CommonName: "tpp.example", Organization: []string{"Example TPP"}}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	otherCA, err := sandboxca.LoadOrCreate(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	foreign, _ := otherCA.ClientCertificate(pkix.Name{CommonName: "intruder.example"}, time.Hour)

	const requestID = "3f2c7a1e-8b4d-4e6f-9a0b-1c2d3e4f5a6b"
	tpp := []struct {
		name      string
		client    *http.Client
		path      string
		requestID string
		status    int
		code      string
		tlsErr    bool
	}{
		{"health needs no certificate", tppClient(), "/healthz", "", 200, "", false},
		{"no client certificate: JSON error", tppClient(), "/v1/accounts", requestID, 401, "CERTIFICATE_MISSING", false},
		{"certificate of no app: refused", tppClient(good), "/v1/accounts", "not-a-uuid", 401, "CERTIFICATE_INVALID", false},
		{"path of no product: unknown", tppClient(good), "/v1/nothing", requestID, 404, "RESOURCE_UNKNOWN", false},
		{"certificate from another CA: handshake refused", tppClient(foreign), "/v1/accounts", "", 0, "", true},
	}
	for _, c := range tpp {
		t.Run("TPP "+c.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", s.TPPURL+c.path, nil)
			if c.requestID != "" {
				req.Header.Set("X-Request-ID", c.requestID)
			}
			resp, err := c.client.Do(req)
			if c.tlsErr {
				if err == nil {
					resp.Body.Close()
					t.Fatalf("request with a foreign certificate succeeded: %d", resp.StatusCode)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			// Every answer carries the caller's request ID when it is a UUID, else a new one.
			gotID := resp.Header.Get("X-Request-ID")
			if c.requestID == requestID && gotID != requestID || c.requestID != requestID && (len(gotID) != 36 || gotID == c.requestID) {
				t.Fatalf("X-Request-ID %q for a request with %q", gotID, c.requestID)
			}
			var body struct {
				Status      string                            `json:"status"`
				TPPMessages []struct{ Category, Code string } `json:"tppMessages"`
			}
			_ = json.NewDecoder(resp.Body).Decode(&body)
			if c.code == "" {
				if resp.StatusCode != c.status || body.Status != "ok" {
					t.Fatalf("got %d %+v", resp.StatusCode, body)
				}
				return
			}
			if resp.StatusCode != c.status || len(body.TPPMessages) != 1 || body.TPPMessages[0].Code != c.code || body.TPPMessages[0].Category != "ERROR" {
				t.Fatalf("got %d %+v", resp.StatusCode, body)
			}
		})
	}
}

func TestStartRefusesBusyPort(t *testing.T) {
	s := startStack(t)
	port := s.PortalURL[strings.LastIndex(s.PortalURL, ":")+1:]
	var p int
	for _, ch := range port {
		p = p*10 + int(ch-'0')
	}
	_, err := devstack.Start(context.Background(), devstack.Options{Dir: t.TempDir(), PortalPort: p, Config: config.Config{}})
	if err == nil || !strings.Contains(err.Error(), "PORTAL_PORT") {
		t.Fatalf("err = %v", err)
	}
}

// startTPPStack starts the local stack with o's clock, consent and resources (the rest
// of o is filled in: a minimal SPA, the test configuration) and returns it with a TPP
// world in its portal table, written at now.
func startTPPStack(t testing.TB, o devstack.Options, now time.Time) (*devstack.Stack, *tppworld.World) {
	t.Helper()
	o.Dir = t.TempDir()
	o.FrontendDir = filepath.Join(o.Dir, "dist")
	os.MkdirAll(o.FrontendDir, 0o755)
	os.WriteFile(filepath.Join(o.FrontendDir, "index.html"), []byte("<!doctype html>"), 0o644)
	o.Config = testenv.Config(t, "")
	o.Config.PortalURL = ""
	o.Ops, o.Log = []motoserver.OpsUser{testenv.Ops, testenv.SecondOps}, io.Discard
	s, err := devstack.Start(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	awsCfg, err := awsclient.Load(context.Background(), s.Config)
	if err != nil {
		t.Fatal(err)
	}
	return s, tppworld.New(dynamodb.NewFromConfig(awsCfg), s.Config.PortalTable, now)
}
