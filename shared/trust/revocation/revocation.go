// Package revocation finds out whether a certificate's issuer revoked it: from the CRLs
// its CRL distribution points name (X.509 v2 CRLs, signature and issuer checked) and from
// the OCSP responder its authority information access names, each fetched over HTTP with
// a tight timeout. A CA the portal runs itself (the sandbox CA) is asked directly, without
// a fetch. A certificate that names neither has nothing to check.
package revocation

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/crypto/ocsp"
)

// DefaultTimeout bounds one CRL or OCSP request: a portal request that checks a
// certificate must still answer within its function's timeout.
const DefaultTimeout = 3 * time.Second

// maxCRL bounds a downloaded CRL; a CA's CRL is kilobytes to a few megabytes.
const maxCRL = 10 << 20

// staleGrace is how long after its nextUpdate a CRL is still taken: clocks differ and a
// CA publishes its next CRL a little late now and then.
const staleGrace = time.Hour

// ErrUnavailable is a revocation status that could not be found out: no distribution
// point or responder answered with a usable, verified answer. *Unavailable matches it.
var ErrUnavailable = errors.New("revocation: status unavailable")

// Unavailable says why a certificate's revocation status could not be found out: each
// source tried and what went wrong with it.
type Unavailable struct {
	// Sources are the CRL and OCSP addresses tried, in order.
	Sources []string
	// Reasons are what went wrong with each source, in the same order.
	Reasons []string
}

func (u *Unavailable) Error() string {
	parts := make([]string, len(u.Sources))
	for i := range u.Sources {
		parts[i] = u.Sources[i] + ": " + u.Reasons[i]
	}
	return "the revocation status could not be checked (" + strings.Join(parts, "; ") + ")"
}

// Is makes errors.Is(err, ErrUnavailable) true.
func (u *Unavailable) Is(target error) bool { return target == ErrUnavailable }

// Status is a certificate's revocation status as its issuer publishes it.
type Status struct {
	// Checked is false for a certificate that names no CRL and no OCSP responder (and that
	// no CA of Local issued): there is nothing to check.
	Checked bool `json:"checked"`
	// Revoked is true when the issuer revoked it.
	Revoked bool `json:"revoked"`
	// RevokedAt is when, as the issuer says.
	RevokedAt time.Time `json:"revokedAt,omitzero"`
	// Reason is the RFC 5280 reason the issuer gave ("keyCompromise", "unspecified").
	Reason string `json:"reason,omitempty"`
	// Source is the CRL or responder address that answered, or "sandbox CA".
	Source string `json:"source,omitempty"`
}

// LocalCA is a CA the portal runs itself: its revocations are read where the portal keeps
// them, not fetched from where it publishes them.
type LocalCA struct {
	// Cert is the CA's certificate; a certificate whose signature it verifies is its.
	Cert *x509.Certificate
	// Name names it in a Status' Source.
	Name string
	// Revoked returns the CA's revocation of a serial number, and whether there is one.
	Revoked func(ctx context.Context, serial *big.Int) (Status, bool, error)
}

// Checker checks certificates' revocation status. Its zero value is not usable: use New.
type Checker struct {
	// Client makes the CRL and OCSP requests.
	client *http.Client
	// Local are the CAs the portal runs.
	local []LocalCA
	// Now is the clock CRLs' nextUpdate is judged by.
	Now func() time.Time

	mu    sync.Mutex
	cache map[string]*x509.RevocationList
}

// Options configure a Checker.
type Options struct {
	// Timeout bounds each CRL or OCSP request; zero is DefaultTimeout.
	Timeout time.Duration
	// AllowPrivate lets the checker fetch from loopback and private addresses. Without it
	// a certificate cannot make the portal fetch from inside its own network (a CRL
	// address is whatever the uploaded certificate says); the local stack and the tests
	// set it, their CAs listening on 127.0.0.1.
	AllowPrivate bool
	// Local are the CAs the portal runs (the sandbox CA).
	Local []LocalCA
	// Cache keeps each fetched CRL for the checker's life: for a job that checks many
	// certificates of one CA in a run. A checker serving requests must not cache, so that
	// a revocation counts at once.
	Cache bool
}

// New returns a checker.
func New(o Options) *Checker {
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	dialer := &net.Dialer{Timeout: timeout}
	if !o.AllowPrivate {
		dialer.Control = refusePrivate
	}
	transport := &http.Transport{DialContext: dialer.DialContext, TLSHandshakeTimeout: timeout, ResponseHeaderTimeout: timeout,
		MaxIdleConnsPerHost: 2, IdleConnTimeout: 30 * time.Second}
	c := &Checker{
		client: &http.Client{Transport: transport, Timeout: timeout, CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 3 {
				return errors.New("too many redirects")
			}
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return fmt.Errorf("redirected to a %s address", req.URL.Scheme)
			}
			return nil
		}},
		local: o.Local,
		Now:   time.Now,
	}
	if o.Cache {
		c.cache = map[string]*x509.RevocationList{}
	}
	return c
}

// refusePrivate refuses connections to loopback, private, link-local and unspecified
// addresses, after DNS resolution (so a name pointing inside is refused too).
func refusePrivate(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	ip := net.ParseIP(host)
	if ip == nil || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsUnspecified() || ip.IsMulticast() {
		return fmt.Errorf("the address %s is not public", host)
	}
	return nil
}

// Check finds out whether cert was revoked. issuer is the certificate of the CA that
// issued it, if known (from its verified chain, the intermediates pasted with it, or a
// truststore): CRLs are accepted only with a signature it verifies, and OCSP needs it.
//
// Every CRL distribution point (http or https) and OCSP responder the certificate names is
// a source; the first CRL that answers settles the CRLs, the responder is asked besides.
// Revoked by any source is revoked. When sources exist but none could answer, the error
// is an *Unavailable naming each; a certificate without sources is Status{Checked: false}.
func (c *Checker) Check(ctx context.Context, cert, issuer *x509.Certificate) (Status, error) {
	for _, l := range c.local {
		if l.Cert != nil && cert.CheckSignatureFrom(l.Cert) == nil {
			st, revoked, err := l.Revoked(ctx, cert.SerialNumber)
			if err != nil {
				return Status{}, fmt.Errorf("revocation: %s: %w", l.Name, err)
			}
			if !revoked {
				st = Status{}
			}
			st.Checked, st.Revoked, st.Source = true, revoked, l.Name
			return st, nil
		}
	}
	if issuer == nil && isSelfSigned(cert) {
		issuer = cert
	}
	u := &Unavailable{}
	fail := func(source string, err error) {
		u.Sources = append(u.Sources, source)
		u.Reasons = append(u.Reasons, err.Error())
	}
	var answered *Status
	for _, dp := range cert.CRLDistributionPoints {
		if !httpURL(dp) {
			continue // an LDAP distribution point: the portal fetches over HTTP only
		}
		st, err := c.fromCRL(ctx, dp, cert, issuer)
		if err != nil {
			fail(dp, err)
			continue
		}
		answered = &st
		break
	}
	if answered != nil && answered.Revoked {
		return *answered, nil
	}
	for _, responder := range cert.OCSPServer {
		if !httpURL(responder) {
			continue
		}
		st, err := c.fromOCSP(ctx, responder, cert, issuer)
		if err != nil {
			fail(responder, err)
			continue
		}
		if st.Revoked || answered == nil {
			answered = &st
		}
		break
	}
	if answered != nil {
		return *answered, nil
	}
	if len(u.Sources) > 0 {
		return Status{}, u
	}
	return Status{}, nil
}

func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func isSelfSigned(cert *x509.Certificate) bool {
	return bytes.Equal(cert.RawIssuer, cert.RawSubject) && cert.CheckSignatureFrom(cert) == nil
}

// fromCRL reads cert's status from the CRL at dp.
func (c *Checker) fromCRL(ctx context.Context, dp string, cert, issuer *x509.Certificate) (Status, error) {
	crl, err := c.crl(ctx, dp)
	if err != nil {
		return Status{}, err
	}
	if !bytes.Equal(crl.RawIssuer, cert.RawIssuer) {
		return Status{}, errors.New("the CRL is not of the certificate's issuer")
	}
	if issuer == nil {
		return Status{}, errors.New("the certificate's issuer is unknown, so the CRL's signature cannot be checked (paste the issuing CA's certificate after it)")
	}
	if err := crl.CheckSignatureFrom(issuer); err != nil {
		return Status{}, fmt.Errorf("the CRL's signature does not verify with the issuer's key: %w", err)
	}
	if now := c.Now(); !crl.NextUpdate.IsZero() && now.After(crl.NextUpdate.Add(staleGrace)) {
		return Status{}, fmt.Errorf("the CRL is out of date (its nextUpdate was %s)", crl.NextUpdate.UTC().Format(time.RFC3339))
	}
	for _, e := range crl.RevokedCertificateEntries {
		if e.SerialNumber.Cmp(cert.SerialNumber) == 0 {
			return Status{Checked: true, Revoked: true, RevokedAt: e.RevocationTime.UTC(), Reason: reasonName(e.ReasonCode), Source: dp}, nil
		}
	}
	return Status{Checked: true, Source: dp}, nil
}

// crl downloads and parses the CRL at dp (DER, or PEM as some CAs serve it).
func (c *Checker) crl(ctx context.Context, dp string) (*x509.RevocationList, error) {
	if c.cache != nil {
		c.mu.Lock()
		crl, ok := c.cache[dp]
		c.mu.Unlock()
		if ok {
			return crl, nil
		}
	}
	body, err := c.get(ctx, http.MethodGet, dp, "", nil)
	if err != nil {
		return nil, err
	}
	if bytes.HasPrefix(bytes.TrimSpace(body), []byte("-----BEGIN")) {
		if der, ok := pemBody(body, "X509 CRL"); ok {
			body = der
		}
	}
	crl, err := x509.ParseRevocationList(body)
	if err != nil {
		return nil, fmt.Errorf("the answer is not a CRL: %w", err)
	}
	if c.cache != nil {
		c.mu.Lock()
		c.cache[dp] = crl
		c.mu.Unlock()
	}
	return crl, nil
}

// fromOCSP asks the responder for cert's status.
func (c *Checker) fromOCSP(ctx context.Context, responder string, cert, issuer *x509.Certificate) (Status, error) {
	if issuer == nil {
		return Status{}, errors.New("the certificate's issuer is unknown, so no OCSP request can be made (paste the issuing CA's certificate after it)")
	}
	req, err := ocsp.CreateRequest(cert, issuer, &ocsp.RequestOptions{Hash: crypto.SHA256})
	if err != nil {
		return Status{}, fmt.Errorf("make the OCSP request: %w", err)
	}
	body, err := c.get(ctx, http.MethodPost, responder, "application/ocsp-request", req)
	if err != nil {
		return Status{}, err
	}
	resp, err := ocsp.ParseResponseForCert(body, cert, issuer)
	if err != nil {
		return Status{}, fmt.Errorf("the OCSP answer does not verify: %w", err)
	}
	if now := c.Now(); !resp.NextUpdate.IsZero() && now.After(resp.NextUpdate.Add(staleGrace)) {
		return Status{}, errors.New("the OCSP answer is out of date")
	}
	switch resp.Status {
	case ocsp.Good:
		return Status{Checked: true, Source: responder}, nil
	case ocsp.Revoked:
		return Status{Checked: true, Revoked: true, RevokedAt: resp.RevokedAt.UTC(), Reason: reasonName(resp.RevocationReason), Source: responder}, nil
	}
	return Status{}, errors.New("the OCSP responder does not know the certificate")
}

// get fetches url and returns the body of a 200 answer.
func (c *Checker) get(ctx context.Context, method, target, contentType string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) && ue.Timeout() {
			return nil, errors.New("no answer within the timeout")
		}
		if errors.As(err, &ue) {
			return nil, ue.Err
		}
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("answered HTTP %d", resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxCRL+1))
	if err != nil {
		return nil, fmt.Errorf("read the answer: %w", err)
	}
	if len(data) > maxCRL {
		return nil, fmt.Errorf("the answer is over %d MiB", maxCRL>>20)
	}
	return data, nil
}

// reasonNames are the RFC 5280 names of the CRLReason codes.
var reasonNames = map[int]string{
	0: "unspecified", 1: "keyCompromise", 2: "cACompromise", 3: "affiliationChanged", 4: "superseded",
	5: "cessationOfOperation", 6: "certificateHold", 8: "removeFromCRL", 9: "privilegeWithdrawn", 10: "aACompromise",
}

// ReasonName is the RFC 5280 name of a CRLReason code ("keyCompromise"), or "reason N".
func ReasonName(code int) string { return reasonName(code) }

func reasonName(code int) string {
	if n, ok := reasonNames[code]; ok {
		return n
	}
	return fmt.Sprintf("reason %d", code)
}

// ReasonCode is the CRLReason code of an RFC 5280 name, and whether the name is one.
func ReasonCode(name string) (int, bool) {
	for code, n := range reasonNames {
		if n == name {
			return code, true
		}
	}
	return 0, false
}

// pemBody is the DER of the first PEM block of type typ in data.
func pemBody(data []byte, typ string) ([]byte, bool) {
	for rest := data; ; {
		block, next := pem.Decode(rest)
		if block == nil {
			return nil, false
		}
		if block.Type == typ {
			return block.Bytes, true
		}
		rest = next
	}
}
