// Package tppapi is the TPP API's HTTP layer: the handlers of the TPP route table behind
// the caller check, which the local TPP listener serves and each TPP function serves one
// of through the REST API adapter.
package tppapi

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"

	"github.com/bank/devportal/shared/platform/prefetch"
	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/tpp/bgerror"
	"github.com/bank/devportal/shared/tpp/callercheck"
	"github.com/bank/devportal/shared/tpp/routes"
)

// RequestIDHeader is the Berlin Group request identifier: every request carries one and
// every response, refusals included, repeats it.
const RequestIDHeader = "X-Request-ID"

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// NewRequestID is a random (version 4) UUID.
func NewRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// WithRequestID answers every request with an X-Request-ID: the caller's when it is a
// UUID, as the specification requires of it, else a new one, so that even a refusal can be
// traced. (The endpoints themselves refuse a missing or malformed one with FORMAT_ERROR.)
func WithRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(RequestIDHeader)
		if !uuidPattern.MatchString(id) {
			id = NewRequestID()
		}
		w.Header().Set(RequestIDHeader, id)
		next.ServeHTTP(w, r)
	})
}

// Checker is the caller check (callercheck.Authorizer.Check).
type Checker interface {
	Check(ctx context.Context, call callercheck.Call) (callercheck.Caller, error)
}

// WriteRefusal answers a refused call with its Berlin Group error; a call over its plan
// learns when to try again (Retry-After).
func WriteRefusal(w http.ResponseWriter, refused *callercheck.Refusal) {
	if refused.Status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", callercheck.RetryAfterSeconds(refused.RetryAfter))
	}
	bgerror.Write(w, refused.Status, refused.Code, refused.Text)
}

// RequireCaller runs the caller check on a call to product (the TLS client certificate and
// the apiKey header) and passes the caller on (callercheck.From), or answers the refusal.
// The TLS layer has already refused certificates that do not chain to a trusted CA, as API
// Gateway's mutual TLS does on AWS; a lookup that fails is a 500, never a refusal.
func RequireCaller(check Checker, product string, log *slog.Logger, next http.Handler) http.Handler {
	return requireCaller(check, product, false, log, next)
}

// requireCaller is RequireCaller, verifying the call's bearer token too when bearer
// (callercheck.Call.TakesToken).
func requireCaller(check Checker, product string, bearer bool, log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		call := callercheck.Call{APIKey: r.Header.Get(lookup.APIKeyHeader), Product: product, TakesToken: bearer, Authorization: r.Header.Get("Authorization")}
		if bearer {
			call.ConsentID = r.Header.Get(callercheck.ConsentIDHeader)
		}
		if r.TLS != nil && len(r.TLS.VerifiedChains) > 0 && len(r.TLS.PeerCertificates) > 0 {
			call.CertDER = r.TLS.PeerCertificates[0].Raw
		}
		caller, err := check.Check(r.Context(), call)
		var refused *callercheck.Refusal
		switch {
		case errors.As(err, &refused):
			log.WarnContext(r.Context(), "caller refused", "reason", refused.Error(), "fingerprint", caller.Fingerprint,
				"appId", caller.AppID, "product", product, "requestId", w.Header().Get(RequestIDHeader))
			WriteRefusal(w, refused)
		case err != nil:
			log.ErrorContext(r.Context(), "caller check failed", "error", err.Error(), "requestId", w.Header().Get(RequestIDHeader))
			bgerror.Write(w, http.StatusInternalServerError, "INTERNAL_SERVER_ERROR", "The request could not be checked; try again.")
		default:
			next.ServeHTTP(w, r.WithContext(prefetch.With(callercheck.WithCaller(r.Context(), caller), caller.Ahead)))
		}
	})
}

// NotFound answers paths the TPP API does not serve.
func NotFound() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bgerror.Write(w, http.StatusNotFound, "RESOURCE_UNKNOWN", "There is no endpoint "+r.Method+" "+r.URL.Path+".")
	})
}

// Listener is the local TPP listener's handler: a health check that needs no
// certificate; the routes of routes.TPP with their endpoints (by route name), public ones
// without a certificate and the others behind the caller check of their path's product;
// every other path of a product behind the caller check too, as API Gateway puts every
// method behind the authorizer; and RESOURCE_UNKNOWN for the rest.
func Listener(check Checker, log *slog.Logger, endpoints map[string]http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}` + "\n"))
	})
	for _, rt := range routes.TPP {
		h, ok := endpoints[rt.Name]
		if !ok {
			continue
		}
		h = Scoped(rt, h)
		if rt.Auth != route.Public {
			product, _ := routes.ProductOf(rt.Path)
			h = authorizerScoped(routes.AuthorizerOf(rt), requireCaller(check, product, rt.Bearer, log, h))
		}
		mux.Handle(rt.Pattern(), h)
	}
	for _, prefix := range routes.ProductPrefixes() {
		product, _ := routes.ProductOf(prefix)
		h := authorizerScoped(routes.AuthorizerName, RequireCaller(check, product, log, NotFound()))
		mux.Handle(prefix, h)
		mux.Handle(prefix+"/", h)
	}
	mux.Handle("/", NotFound())
	return WithRequestID(mux)
}

// Scoped is h held to the route rt's needs and key families (route.WithNeeds,
// route.WithScope), as its deployed function is: the local listeners serve every route
// from one process, so the AWS guard is what makes an undeclared call fail there.
func Scoped(rt route.Route, h http.Handler) http.Handler {
	needs, scope := rt.AllNeeds(), rt.Scope()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(route.WithScope(route.WithNeeds(r.Context(), needs), scope)))
	})
}

// authorizerScoped is h, the caller check and what follows it, held to what the
// authorizer named name may reach; the route's own handler is held to its route's
// (Scoped) once the check let the call through.
func authorizerScoped(name string, h http.Handler) http.Handler {
	needs, scope := routes.AuthorizerScope(name)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(route.WithScope(route.WithNeeds(r.Context(), needs), scope)))
	})
}

// CheckRequestID refuses a request whose X-Request-ID is missing or not a UUID: the
// specification requires one of every call.
func CheckRequestID(r *http.Request) error {
	if id := r.Header.Get(RequestIDHeader); !uuidPattern.MatchString(id) {
		return bgerror.FormatError(bgerror.Field(RequestIDHeader, "Send an X-Request-ID header with a UUID that identifies this request."))
	}
	return nil
}
