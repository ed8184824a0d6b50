package devstack_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bank/devportal/shared/local/devstack"
	"github.com/bank/devportal/shared/local/testenv/tppworld"
	"github.com/bank/devportal/shared/platform/paging"
	"github.com/bank/devportal/shared/portal/apps"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/portal/possession"
	"github.com/bank/devportal/shared/portal/routes"
	"github.com/bank/devportal/shared/trust/sandboxca"
)

// TestHandshakeProvesPossession proves possession of uploaded mTLS certificates' keys by
// connecting with them to the TPP listener's certificate-check endpoint over real TLS:
// with Go's client, and with the curl command the portal shows. Every refusal names its
// rule and changes nothing; a certificate of a CA the TPP API does not trust cannot even
// connect.
func TestHandshakeProvesPossession(t *testing.T) {
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	s, w := startTPPStack(t, devstack.Options{}, now)
	w.Organization(t, "bb", org.Sandbox, org.StatusActive, "AIS")
	app := w.App(t, "bb", "bb-app", org.Sandbox, []string{"oauth2", "ais"}, "current")
	// Certificates of the TPP API's truststore CA (locally the sandbox CA), uploaded but
	// not issued through the portal: nothing proves their keys yet.
	for _, name := range []string{"mine", "other", "late"} {
		w.Certificate(t, s.CA, name, app, false)
	}
	member := org.Actor{UserID: "u1", Email: "dev@example.com"}
	challenge := func(name string) *possession.ChallengeView {
		t.Helper()
		view, err := s.API.Apps.Certificates(ctx, member, "bb", paging.First())
		w.Must(t, err)
		for _, c := range view.Certificates {
			if c.Fingerprint == tppworld.Fingerprint(w.Certs[name]) {
				if c.Challenge == nil {
					t.Fatalf("%s: no challenge with an unproven certificate", name)
				}
				return c.Challenge
			}
		}
		t.Fatalf("no certificate %s", name)
		return nil
	}
	mine := challenge("mine")
	checkURL := s.TPPURL + routes.CertificateCheckPath
	if want := possession.HandshakeFor(checkURL, mine.Challenge); mine.Handshake == nil || *mine.Handshake != *want {
		t.Fatalf("handshake = %+v, want %+v", mine.Handshake, want)
	}
	// A challenge whose time ran out, as a page shown 20 minutes ago left it (stored in
	// place of the live one the list made, as an hour later would allow).
	lateFP := tppworld.Fingerprint(w.Certs["late"])
	late := possession.Challenge{OrgID: "bb", Fingerprint: lateFP, CreatedBy: "dev@example.com", CreatedAt: now.Add(-20 * time.Minute), ExpiresAt: now.Add(-5 * time.Minute),
		Text: "devportal-possession org=bb sha256=" + lateFP + " expires=" + now.Add(-5*time.Minute).Format("2006-01-02T15:04:05Z") + " nonce=x"}
	_, err := w.Orgs.PutChallenge(ctx, late, now.Add(time.Hour))
	w.Must(t, err)

	roots := x509.NewCertPool()
	roots.AddCert(s.CA.Cert)
	send := func(cert string, contentType, body string) (int, map[string]any, error) {
		tc := &tls.Config{RootCAs: roots}
		if cert != "" {
			tc.Certificates = []tls.Certificate{w.Certs[cert]}
		}
		c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: tc}}
		resp, err := c.Post(checkURL, contentType, strings.NewReader(body))
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		var out map[string]any
		raw, _ := io.ReadAll(resp.Body)
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%d %s: %v", resp.StatusCode, raw, err)
		}
		return resp.StatusCode, out, nil
	}
	body := func(text string) string {
		b, _ := json.Marshal(possession.HandshakeRequest{Challenge: text})
		return string(b)
	}
	const jsonType = "application/json"
	cases := []struct {
		name, cert, contentType, body string
		status                        int
		code, rule                    string
	}{
		{"no client certificate", "", jsonType, body(mine.Challenge), 401, "CERTIFICATE_MISSING", ""},
		{"a form, as another site could make a browser send", "mine", "application/x-www-form-urlencoded", "challenge=" + mine.Challenge, 415, "UNSUPPORTED_MEDIA_TYPE", ""},
		{"another certificate's challenge", "other", jsonType, body(mine.Challenge), 400, "VALIDATION_FAILED", "otherCertificate"},
		{"not a challenge of the portal", "mine", jsonType, body("sign me"), 400, "VALIDATION_FAILED", "format"},
		{"no challenge", "mine", jsonType, `{}`, 400, "VALIDATION_FAILED", "required"},
		{"a challenge the portal replaced", "mine", jsonType, body(strings.Replace(mine.Challenge, "nonce=", "nonce=x", 1)), 400, "VALIDATION_FAILED", "replaced"},
		{"an expired challenge", "late", jsonType, body(late.Text), 400, "VALIDATION_FAILED", "expired"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := w.Snapshot(t)
			status, out, err := send(tc.cert, tc.contentType, tc.body)
			w.Must(t, err)
			rule := ""
			if fields, _ := out["fields"].([]any); len(fields) == 1 {
				rule, _ = fields[0].(map[string]any)["rule"].(string)
			}
			if status != tc.status || out["code"] != tc.code || rule != tc.rule {
				t.Errorf("got %d %v (rule %q), want %d %s %q", status, out, rule, tc.status, tc.code, tc.rule)
			}
			if after := w.Snapshot(t); after != before {
				t.Errorf("a refused proof changed the portal table")
			}
		})
	}
	t.Run("a certificate of a CA the TPP API does not trust cannot connect", func(t *testing.T) {
		otherCA, err := sandboxca.LoadOrCreate(t.TempDir())
		w.Must(t, err)
		w.Certs["foreign"], err = otherCA.ClientCertificate(pkix.Name{CommonName: "foreign.example"}, time.Hour)
		w.Must(t, err)
		if _, _, err := send("foreign", jsonType, body(mine.Challenge)); err == nil || !strings.Contains(err.Error(), "certificate") {
			t.Fatalf("err = %v, want the handshake refused", err)
		}
	})

	t.Run("the holder connects with its certificate", func(t *testing.T) {
		status, out, err := send("mine", jsonType, body(mine.Challenge))
		w.Must(t, err)
		p, _ := out["possession"].(map[string]any)
		if status != 200 || out["sha256Fingerprint"] != mine.SHA256Fingerprint || p["method"] != "handshake" || p["by"] != "dev@example.com" {
			t.Fatalf("got %d %v", status, out)
		}
		c, err := w.Orgs.GetCertificate(ctx, "bb", mine.SHA256Fingerprint)
		w.Must(t, err)
		if c.Possession == nil || c.Possession.Method != possession.ByHandshake {
			t.Fatalf("stored possession = %+v", c.Possession)
		}
		// The challenge proved possession once.
		if status, out, _ := send("mine", jsonType, body(mine.Challenge)); status != 400 || out["fields"].([]any)[0].(map[string]any)["rule"] != "used" {
			t.Fatalf("second use: %d %v", status, out)
		}
		// Proven, the certificate can now be attached to the app.
		if _, err := s.API.Apps.AttachCertificate(ctx, member, "bb", app.ID, apps.SelectRequest{Fingerprint: c.Fingerprint}); err != nil {
			t.Fatalf("attach the proven certificate: %v", err)
		}
	})

	t.Run("with the curl command the portal shows", func(t *testing.T) {
		if _, err := exec.LookPath("curl"); err != nil {
			t.Skip("curl is not installed")
		}
		ch := challenge("other")
		work := t.TempDir()
		cert := w.Certs["other"]
		keyDER, err := x509.MarshalECPrivateKey(cert.PrivateKey.(*ecdsa.PrivateKey))
		w.Must(t, err)
		w.Must(t, os.WriteFile(filepath.Join(work, "cert.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]}), 0o600))
		w.Must(t, os.WriteFile(filepath.Join(work, "key.pem"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600))
		w.Must(t, os.WriteFile(filepath.Join(work, "ca.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.CA.Cert.Raw}), 0o600))
		// The command as shown, trusting the local stack's CA as a deployment's public
		// certificate is trusted.
		cmd := exec.Command("sh", "-c", strings.Replace(ch.Handshake.Command, "curl ", "curl -sS --cacert ca.pem ", 1))
		cmd.Dir = work
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		w.Must(t, cmd.Run())
		var res possession.Result
		if err := json.Unmarshal(out.Bytes(), &res); err != nil || res.Possession.Method != possession.ByHandshake || res.SHA256Fingerprint != ch.SHA256Fingerprint {
			t.Fatalf("curl printed %s (%v)", out.String(), err)
		}
	})
}
