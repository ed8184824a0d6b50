package httpapi

import (
	"crypto/x509"
	"mime"
	"net/http"

	"github.com/bank/devportal/shared/platform/apperr"
)

// ErrNoClientCertificate refuses a request that must be made with a client certificate.
var ErrNoClientCertificate = apperr.New(apperr.Unauthorized, "CERTIFICATE_MISSING",
	"Connect with the certificate: this endpoint reads the client certificate of the TLS connection, and this connection presented none.")

// ClientCertificate is the certificate the client presented on a TLS connection whose
// handshake the server verified, so the client holds its key: locally the TPP listener's
// connection, deployed API Gateway's mutual TLS, whose certificate the REST adapter puts
// in r.TLS.
func ClientCertificate(r *http.Request) (*x509.Certificate, error) {
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		return nil, ErrNoClientCertificate
	}
	return r.TLS.PeerCertificates[0], nil
}

// RequireJSON refuses a body that is not declared application/json. A browser sends a
// cross-site request with that type only after a CORS preflight, so an endpoint that
// takes a client certificate as its credential cannot be driven by another site through a
// browser that holds one.
func RequireJSON(r *http.Request) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return apperr.New(apperr.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", "Send the body as JSON, with the header Content-Type: application/json.")
	}
	return nil
}
