package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/bank/devportal/shared/platform/apperr"
)

type loggerKey struct{}
type requestIDKey struct{}

// RequestIDHeader carries the request ID in and out.
const RequestIDHeader = "X-Request-Id"

var safeRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

// RequestID returns the ID of the request the context belongs to.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// WithRequest wraps a handler with what every route gets: a request ID (the caller's if it
// is well formed, else Lambda's, else a fresh one), a logger carrying it, recovery from
// panics and one JSON log line per request.
func WithRequest(route string, base *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get(RequestIDHeader)
		if !safeRequestID.MatchString(id) {
			id = ""
		}
		if lc, ok := lambdacontext.FromContext(r.Context()); ok && id == "" {
			id = lc.AwsRequestID
		}
		if id == "" {
			id = newID()
		}
		log := base.With("requestId", id, "route", route)
		ctx := context.WithValue(context.WithValue(r.Context(), requestIDKey{}, id), loggerKey{}, log)
		r = r.WithContext(ctx)
		w.Header().Set(RequestIDHeader, id)
		rec := &StatusRecorder{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				log.Error("panic", "panic", fmt.Sprint(p))
				if rec.status == 0 {
					WriteError(rec, r, apperr.Wrap(fmt.Errorf("%v", p), "panic"))
				}
			}
			log.Info("request", "method", r.Method, "path", r.URL.Path, "status", rec.status, "durationMs", time.Since(start).Milliseconds())
		}()
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
	})
}

func newID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// StatusRecorder remembers the status a handler answered with (200 when it wrote a body
// without one), for the log lines written after it.
type StatusRecorder struct {
	http.ResponseWriter
	status int
}

// Status is the status answered, 0 before the handler wrote anything.
func (s *StatusRecorder) Status() int { return s.status }

func (s *StatusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *StatusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *StatusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
