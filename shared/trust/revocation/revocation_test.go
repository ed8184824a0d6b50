package revocation_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/bank/devportal/shared/trust/revocation"
	"github.com/bank/devportal/shared/trust/sandboxca"
)

// testCA is a CA publishing its CRL (and answering OCSP) on a local server.
type testCA struct {
	ca      *sandboxca.CA
	srv     *httptest.Server
	revoked []sandboxca.Revoked
	// crlStatus, when set, is the status the CRL address answers instead of the CRL.
	crlStatus int
	delay     time.Duration
	next      time.Time
	fetches   atomic.Int32
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	ca, err := sandboxca.LoadOrCreate(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	tc := &testCA{ca: ca}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /crl.der", func(w http.ResponseWriter, r *http.Request) {
		tc.fetches.Add(1)
		time.Sleep(tc.delay)
		if tc.crlStatus != 0 {
			w.WriteHeader(tc.crlStatus)
			return
		}
		now := time.Now()
		this := now.Add(-time.Minute)
		if !tc.next.IsZero() {
			this = tc.next.Add(-time.Hour)
		}
		der, err := ca.CRL(sandboxca.CRLRequest{Number: big.NewInt(now.UnixNano()), ThisUpdate: this, NextUpdate: tc.next, Revoked: tc.revoked})
		if err != nil {
			t.Error(err)
		}
		w.Write(der)
	})
	mux.HandleFunc("POST /ocsp", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req, err := ocsp.ParseRequest(body)
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		tmpl := ocsp.Response{Status: ocsp.Good, SerialNumber: req.SerialNumber, ThisUpdate: time.Now().Add(-time.Minute), NextUpdate: time.Now().Add(time.Hour)}
		for _, rv := range tc.revoked {
			if rv.Serial.Cmp(req.SerialNumber) == 0 {
				tmpl.Status, tmpl.RevokedAt, tmpl.RevocationReason = ocsp.Revoked, rv.At, rv.Reason
			}
		}
		resp, err := ocsp.CreateResponse(ca.Cert, ca.Cert, tmpl, ca.Key)
		if err != nil {
			t.Error(err)
		}
		w.Write(resp)
	})
	tc.srv = httptest.NewServer(mux)
	t.Cleanup(tc.srv.Close)
	ca.CRLURL = tc.srv.URL + "/crl.der"
	return tc
}

// issue makes a client certificate of the CA, naming its CRL.
func (tc *testCA) issue(t *testing.T) *x509.Certificate {
	t.Helper()
	c, err := tc.ca.ClientCertificate(pkix.Name{CommonName: "tpp"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return c.Leaf
}

// issueOCSP makes a certificate naming only the CA's OCSP responder.
func (tc *testCA) issueOCSP(t *testing.T) *x509.Certificate {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "ocsp tpp"},
		NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(time.Hour), OCSPServer: []string{tc.srv.URL + "/ocsp"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tc.ca.Cert, &key.PublicKey, tc.ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c
}

func (tc *testCA) revoke(c *x509.Certificate, reason int) time.Time {
	at := time.Now().UTC().Truncate(time.Second).Add(-time.Minute)
	tc.revoked = append(tc.revoked, sandboxca.Revoked{Serial: c.SerialNumber, At: at, Reason: reason})
	return at
}

func checker(o revocation.Options) *revocation.Checker {
	o.AllowPrivate = true
	return revocation.New(o)
}

func TestCRL(t *testing.T) {
	tc := newTestCA(t)
	good, bad := tc.issue(t), tc.issue(t)
	at := tc.revoke(bad, sandboxca.ReasonKeyCompromise)
	c := checker(revocation.Options{})
	ctx := context.Background()

	st, err := c.Check(ctx, bad, tc.ca.Cert)
	if err != nil || !st.Revoked || !st.Checked || !st.RevokedAt.Equal(at) || st.Reason != "keyCompromise" || st.Source != tc.ca.CRLURL {
		t.Fatalf("revoked: %+v, %v", st, err)
	}
	st, err = c.Check(ctx, good, tc.ca.Cert)
	if err != nil || st.Revoked || !st.Checked || st.Source != tc.ca.CRLURL {
		t.Fatalf("good: %+v, %v", st, err)
	}
	// Without caching, every check fetches: a revocation counts at once.
	if n := tc.fetches.Load(); n != 2 {
		t.Fatalf("%d fetches for two checks", n)
	}
	cached := checker(revocation.Options{Cache: true})
	for range 3 {
		if _, err := cached.Check(ctx, good, tc.ca.Cert); err != nil {
			t.Fatal(err)
		}
	}
	if n := tc.fetches.Load(); n != 3 {
		t.Fatalf("a caching checker fetched %d times for three checks", n-2)
	}

	// No distribution point and no responder: nothing to check.
	tc.ca.CRLURL = ""
	if st, err := c.Check(ctx, tc.issue(t), tc.ca.Cert); err != nil || st.Checked {
		t.Fatalf("no sources: %+v, %v", st, err)
	}
}

func TestCRLFailures(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name   string
		setup  func(*testCA)
		issuer func(*testCA) *x509.Certificate
		opts   revocation.Options
		want   string
	}{
		{"server error", func(tc *testCA) { tc.crlStatus = 503 }, nil, revocation.Options{}, "answered HTTP 503"},
		{"not found", func(tc *testCA) { tc.crlStatus = 404 }, nil, revocation.Options{}, "answered HTTP 404"},
		{"timeout", func(tc *testCA) { tc.delay = 400 * time.Millisecond }, nil, revocation.Options{Timeout: 100 * time.Millisecond}, "no answer within the timeout"},
		{"stale", func(tc *testCA) { tc.next = time.Now().Add(-2 * time.Hour) }, nil, revocation.Options{}, "the CRL is out of date"},
		{"issuer unknown", nil, func(*testCA) *x509.Certificate { return nil }, revocation.Options{}, "the certificate's issuer is unknown"},
		{"another issuer", nil, func(*testCA) *x509.Certificate {
			certPEM, keyPEM, _ := sandboxca.Generate()
			other, _ := sandboxca.Parse(certPEM, keyPEM)
			// Same name, other key: only the signature tells them apart.
			return other.Cert
		}, revocation.Options{}, "does not verify"},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			tc := newTestCA(t)
			cert := tc.issue(t)
			tc.revoke(cert, sandboxca.ReasonKeyCompromise)
			if tt.setup != nil {
				tt.setup(tc)
			}
			issuer := tc.ca.Cert
			if tt.issuer != nil {
				issuer = tt.issuer(tc)
			}
			st, err := checker(tt.opts).Check(ctx, cert, issuer)
			var u *revocation.Unavailable
			if !errors.Is(err, revocation.ErrUnavailable) || !errors.As(err, &u) || st.Revoked {
				t.Fatalf("got %+v, %v; want unavailable", st, err)
			}
			if len(u.Sources) != 1 || u.Sources[0] != tc.ca.CRLURL || !strings.Contains(u.Reasons[0], tt.want) {
				t.Fatalf("unavailable %+v, want %q from %s", u, tt.want, tc.ca.CRLURL)
			}
		})
	}
}

func TestPrivateAddressesRefused(t *testing.T) {
	tc := newTestCA(t)
	_, err := revocation.New(revocation.Options{}).Check(context.Background(), tc.issue(t), tc.ca.Cert)
	var u *revocation.Unavailable
	if !errors.As(err, &u) || !strings.Contains(u.Reasons[0], "the address 127.0.0.1 is not public") {
		t.Fatalf("got %v", err)
	}
	if tc.fetches.Load() != 0 {
		t.Fatal("the CRL was fetched from a loopback address")
	}
}

func TestOCSP(t *testing.T) {
	tc := newTestCA(t)
	good, bad := tc.issueOCSP(t), tc.issueOCSP(t)
	at := tc.revoke(bad, sandboxca.ReasonSuperseded)
	c := checker(revocation.Options{})
	ctx := context.Background()
	st, err := c.Check(ctx, bad, tc.ca.Cert)
	if err != nil || !st.Revoked || st.Reason != "superseded" || !st.RevokedAt.Equal(at) || !strings.HasSuffix(st.Source, "/ocsp") {
		t.Fatalf("revoked: %+v, %v", st, err)
	}
	if st, err := c.Check(ctx, good, tc.ca.Cert); err != nil || st.Revoked || !st.Checked {
		t.Fatalf("good: %+v, %v", st, err)
	}
	if _, err := c.Check(ctx, good, nil); !errors.Is(err, revocation.ErrUnavailable) || !strings.Contains(err.Error(), "no OCSP request can be made") {
		t.Fatalf("without the issuer: %v", err)
	}
}

func TestLocalCA(t *testing.T) {
	tc := newTestCA(t)
	tc.crlStatus = 500 // never asked: the local CA answers
	cert, other := tc.issue(t), tc.issue(t)
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	c := checker(revocation.Options{Local: []revocation.LocalCA{{Cert: tc.ca.Cert, Name: "sandbox CA",
		Revoked: func(_ context.Context, serial *big.Int) (revocation.Status, bool, error) {
			if serial.Cmp(cert.SerialNumber) == 0 {
				return revocation.Status{RevokedAt: at, Reason: "keyCompromise"}, true, nil
			}
			return revocation.Status{}, false, nil
		}}}})
	st, err := c.Check(context.Background(), cert, nil)
	if err != nil || !st.Revoked || st.Source != "sandbox CA" || !st.RevokedAt.Equal(at) {
		t.Fatalf("revoked: %+v, %v", st, err)
	}
	if st, err := c.Check(context.Background(), other, nil); err != nil || st.Revoked || !st.Checked {
		t.Fatalf("good: %+v, %v", st, err)
	}
	if tc.fetches.Load() != 0 {
		t.Fatal("the local CA's CRL was fetched")
	}
}
