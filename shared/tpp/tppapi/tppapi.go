// Package tppapi is the TPP API's HTTP layer: the handlers of the TPP route table behind
// the listener's guard, which the local TPP listener serves and each TPP function serves
// one of through the REST API adapter.
package tppapi

import (
	"net/http"

	"github.com/bank/devportal/shared/tpp/bgerror"
)

// RequireClientCertificate refuses requests without a verified client certificate. The
// TLS layer has already rejected certificates that do not chain to a trusted CA; API
// Gateway's mutual TLS does the same on AWS.
func RequireClientCertificate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS == nil || len(r.TLS.VerifiedChains) == 0 {
			bgerror.Write(w, http.StatusUnauthorized, "CERTIFICATE_MISSING", "Present your QWAC as the TLS client certificate.")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// NotFound answers paths the TPP API does not serve.
func NotFound() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bgerror.Write(w, http.StatusNotFound, "RESOURCE_UNKNOWN", "There is no endpoint "+r.Method+" "+r.URL.Path+".")
	})
}
