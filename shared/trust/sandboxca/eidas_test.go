package sandboxca_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bank/devportal/shared/trust/eidas"
	"github.com/bank/devportal/shared/trust/sandboxca"
)

func loadCA(t *testing.T) *sandboxca.CA {
	t.Helper()
	ca, err := sandboxca.LoadOrCreate(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

func request(kind string) sandboxca.EIDASRequest {
	return sandboxca.EIDASRequest{
		Kind:                   kind,
		CommonName:             "tpp.example.com",
		Organization:           "Example TPP",
		Country:                "BE",
		OrganizationIdentifier: "PSDBE-NBB-0123456789",
		Roles:                  []string{eidas.RolePI, eidas.RoleAI, eidas.RoleIC},
		NCAName:                "National Bank of Belgium",
		NCAID:                  "BE-NBB",
	}
}

func TestIssueEIDAS(t *testing.T) {
	ca := loadCA(t)
	tests := []struct {
		kind        string
		qcType      string
		keyUsage    []string
		extKeyUsage []string
	}{
		{sandboxca.KindQWAC, "web", []string{"digitalSignature"}, []string{"serverAuth", "clientAuth"}},
		{sandboxca.KindQSealC, "eseal", []string{"digitalSignature", "nonRepudiation"}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			before := time.Now()
			certPEM, keyPEM, err := ca.IssueEIDAS(request(tt.kind))
			if err != nil {
				t.Fatal(err)
			}
			c, err := eidas.Parse(certPEM)
			if err != nil {
				t.Fatal(err)
			}
			wantPSD2 := &eidas.PSD2{Roles: []string{"PSP_AI", "PSP_IC", "PSP_PI"}, NCAName: "National Bank of Belgium", NCAID: "BE-NBB"}
			wantOrg := &eidas.OrganizationIdentifier{Value: "PSDBE-NBB-0123456789", Scheme: "PSD", Country: "BE", NCAID: "NBB", NationalID: "0123456789"}
			if !reflect.DeepEqual(c.PSD2, wantPSD2) || !reflect.DeepEqual(c.OrganizationIdentifier, wantOrg) {
				t.Fatalf("psd2 %+v org %+v", c.PSD2, c.OrganizationIdentifier)
			}
			if c.QCType != tt.qcType || !c.QCCompliance || !reflect.DeepEqual(c.KeyUsage, tt.keyUsage) || !reflect.DeepEqual(c.ExtKeyUsage, tt.extKeyUsage) {
				t.Fatalf("qcType %q compliance %v keyUsage %v extKeyUsage %v", c.QCType, c.QCCompliance, c.KeyUsage, c.ExtKeyUsage)
			}
			if c.Subject.DN != "organizationIdentifier=PSDBE-NBB-0123456789,CN=tpp.example.com,O=Example TPP,C=BE" || c.Issuer.CommonName != ca.Cert.Subject.CommonName {
				t.Fatalf("subject %q issuer %q", c.Subject.DN, c.Issuer.DN)
			}
			if d := c.NotBefore.Sub(before); d < -2*time.Minute || d > 0 {
				t.Fatalf("NotBefore %v is not about a minute before %v", c.NotBefore, before)
			}
			if want := before.AddDate(1, 0, 0); c.NotAfter.Sub(want).Abs() > time.Minute {
				t.Fatalf("NotAfter %v, want about %v", c.NotAfter, want)
			}
			if err := eidas.Verify(c, ca.Pool(), time.Now()); err != nil {
				t.Fatalf("does not verify against the CA: %v", err)
			}
			pair, err := tls.X509KeyPair([]byte(certPEM), []byte(keyPEM))
			if err != nil {
				t.Fatalf("certificate and key do not match: %v", err)
			}
			if _, ok := pair.PrivateKey.(*ecdsa.PrivateKey); !ok || pair.PrivateKey.(*ecdsa.PrivateKey).Curve != elliptic.P256() {
				t.Fatalf("key is %T, want ECDSA P-256", pair.PrivateKey)
			}
		})
	}

	t.Run("validity as requested", func(t *testing.T) {
		req := request(sandboxca.KindQSealC)
		req.NotBefore = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
		req.NotAfter = time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
		certPEM, _, err := ca.IssueEIDAS(req)
		if err != nil {
			t.Fatal(err)
		}
		c, err := eidas.Parse(certPEM)
		if err != nil {
			t.Fatal(err)
		}
		if !c.NotBefore.Equal(req.NotBefore) || !c.NotAfter.Equal(req.NotAfter) {
			t.Fatalf("validity %v .. %v", c.NotBefore, c.NotAfter)
		}
	})
}

func TestIssueEIDASRefusesBadRequests(t *testing.T) {
	ca := loadCA(t)
	tests := []struct {
		name  string
		edit  func(*sandboxca.EIDASRequest)
		wants []string
	}{
		{"unknown kind", func(r *sandboxca.EIDASRequest) { r.Kind = "QSCD" }, []string{`kind is "QSCD", want "QWAC" or "QSealC"`}},
		{"no organization identifier", func(r *sandboxca.EIDASRequest) { r.OrganizationIdentifier = "" }, []string{"the organization identifier is required"}},
		{"portal service instead of role", func(r *sandboxca.EIDASRequest) { r.Roles = []string{"AIS"} }, []string{`unknown PSD2 role "AIS"`}},
		{"no NCA", func(r *sandboxca.EIDASRequest) { r.NCAID = "" }, []string{"the NCA name and NCA ID are required"}},
		{"validity backwards", func(r *sandboxca.EIDASRequest) {
			r.NotBefore, r.NotAfter = time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
		}, []string{"NotAfter 2020-01-01T00:00:00Z is not after NotBefore 2021-01-01T00:00:00Z"}},
		{"all at once", func(r *sandboxca.EIDASRequest) {
			r.Kind, r.OrganizationIdentifier, r.Roles = "", "", []string{"PSP_XX"}
		}, []string{`kind is ""`, "the organization identifier is required", `unknown PSD2 role "PSP_XX"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := request(sandboxca.KindQWAC)
			tt.edit(&req)
			certPEM, keyPEM, err := ca.IssueEIDAS(req)
			if certPEM != "" || keyPEM != "" || !errors.Is(err, sandboxca.ErrInvalidEIDASRequest) {
				t.Fatalf("IssueEIDAS = %q, %q, %v", certPEM, keyPEM, err)
			}
			if n := strings.Count(err.Error(), "\n") + 1; n != len(tt.wants) {
				t.Errorf("%d problems reported, want %d: %v", n, len(tt.wants), err)
			}
			for _, w := range tt.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

// TestQWACAsTLSClientCertificate is the mutual TLS the TPP API will require: a server
// that trusts the sandbox CA accepts the QWAC and sees its organizationIdentifier.
func TestQWACAsTLSClientCertificate(t *testing.T) {
	ca := loadCA(t)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := eidas.Parse(string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: r.TLS.PeerCertificates[0].Raw})))
		if err != nil || c.OrganizationIdentifier == nil {
			http.Error(w, "no organizationIdentifier", http.StatusBadRequest)
			return
		}
		io.WriteString(w, c.OrganizationIdentifier.Value+" "+strings.Join(c.PSD2.Roles, ","))
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are expected
	srv.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: ca.Pool()}
	srv.StartTLS()
	t.Cleanup(srv.Close)

	issue := func(ca *sandboxca.CA) []tls.Certificate {
		certPEM, keyPEM, err := ca.IssueEIDAS(request(sandboxca.KindQWAC))
		if err != nil {
			t.Fatal(err)
		}
		pair, err := tls.X509KeyPair([]byte(certPEM), []byte(keyPEM))
		if err != nil {
			t.Fatal(err)
		}
		return []tls.Certificate{pair}
	}
	tests := []struct {
		name     string
		certs    []tls.Certificate
		wantBody string // empty: the handshake must fail
	}{
		{"QWAC of the sandbox CA", issue(ca), "PSDBE-NBB-0123456789 PSP_AI,PSP_IC,PSP_PI"},
		{"no client certificate", nil, ""},
		{"QWAC of another CA", issue(loadCA(t)), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			roots := x509.NewCertPool()
			roots.AddCert(srv.Certificate())
			client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
				TLSClientConfig: &tls.Config{RootCAs: roots, Certificates: tt.certs},
			}}
			resp, err := client.Get(srv.URL)
			if tt.wantBody == "" {
				if err == nil {
					resp.Body.Close()
					t.Fatalf("the server accepted it: %s", resp.Status)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK || string(body) != tt.wantBody {
				t.Fatalf("%s %q, want 200 %q", resp.Status, body, tt.wantBody)
			}
		})
	}
}
