// Package tpp is the TPP-facing API (Berlin Group NextGenPSD2). So far it holds the
// listener's guard: every request must present a client certificate the sandbox CA (or,
// live, the truststore) issued; API Gateway's mutual TLS does the same on AWS.
package tpp

import (
	"encoding/json"
	"net/http"
)

// TPPMessage is one entry of a Berlin Group error response.
type TPPMessage struct {
	Category string `json:"category"`
	Code     string `json:"code"`
	Text     string `json:"text"`
}

// ErrorResponse is the Berlin Group error body.
type ErrorResponse struct {
	TPPMessages []TPPMessage `json:"tppMessages"`
}

func writeError(w http.ResponseWriter, status int, code, text string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(ErrorResponse{TPPMessages: []TPPMessage{{Category: "ERROR", Code: code, Text: text}}})
}

// RequireClientCertificate refuses requests without a verified client certificate. The
// TLS layer has already rejected certificates that do not chain to a trusted CA.
func RequireClientCertificate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS == nil || len(r.TLS.VerifiedChains) == 0 {
			writeError(w, http.StatusUnauthorized, "CERTIFICATE_MISSING", "Present your QWAC as the TLS client certificate.")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// NotFound answers paths the TPP API does not serve.
func NotFound() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "RESOURCE_UNKNOWN", "There is no endpoint "+r.Method+" "+r.URL.Path+".")
	})
}
