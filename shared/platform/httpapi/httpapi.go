// Package httpapi holds what every portal handler shares: decoding and validating a JSON
// body, writing JSON, the one error writer, and the request middleware.
package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/platform/validation"
)

// maxBody bounds every request body; portal requests are small forms.
const maxBody = 64 << 10

// Decode reads a JSON body into dst, normalises its names and validates it with its
// `validate` tags, for a body no domain service checks. Unknown fields, malformed JSON
// and broken rules come back as an apperr naming the field.
func Decode(r *http.Request, dst any) error {
	if err := DecodeJSON(r, dst); err != nil {
		return err
	}
	validation.Normalize(dst)
	if fields := validation.Struct(dst); len(fields) > 0 {
		return apperr.Fields(fields...)
	}
	return nil
}

// DecodeJSON reads a JSON body into dst without validating it, for services that check
// tag rules and domain rules together so the user sees every problem at once. Besides
// malformed JSON, unknown fields and values of the wrong type, it refuses keys that
// appear twice in an object and keys that name a field in another case (checkKeys),
// before anything is decoded.
func DecodeJSON(r *http.Request, dst any) error {
	// The body is read whole (it is at most maxBody) because it is read twice: once for
	// its keys, once into dst.
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		return decodeError(err)
	}
	if problems := checkKeys(body, reflect.TypeOf(dst)); len(problems) > 0 {
		return apperr.Fields(problems...)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		return apperr.New(apperr.Invalid, "MALFORMED_JSON", "The request body must hold a single JSON object and nothing after it.")
	}
	return nil
}

func decodeError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return apperr.New(apperr.TooLarge, "BODY_TOO_LARGE", fmt.Sprintf("The request body is larger than %d KiB.", maxBody>>10))
	case errors.Is(err, io.EOF):
		return apperr.New(apperr.Invalid, "MALFORMED_JSON", "The request body is empty; send a JSON object.")
	case errors.As(err, &syn):
		return apperr.New(apperr.Invalid, "MALFORMED_JSON", fmt.Sprintf("The request body is not valid JSON (at byte %d).", syn.Offset))
	case errors.As(err, &typ) && typ.Field == "":
		return apperr.New(apperr.Invalid, "MALFORMED_JSON", "The request body must be a JSON object.")
	case errors.As(err, &typ):
		return apperr.Fields(apperr.Field(typ.Field, "type", fmt.Sprintf("Must be a %s.", jsonType(typ.Type))))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return apperr.Fields(apperr.Field(name, "unknown", "This field is not part of the request."))
	default:
		return apperr.New(apperr.Invalid, "MALFORMED_JSON", "The request body could not be read as JSON.")
	}
}

func jsonType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Float64:
		return "number"
	case reflect.Slice:
		return "list"
	default:
		return "object"
	}
}

// WriteJSON writes v as the JSON body with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if v != nil {
		_ = json.NewEncoder(w).Encode(v)
	}
}

// ErrorBody is the JSON body of every error response.
type ErrorBody struct {
	// Code is stable and machine-readable, for example "EMAIL_TAKEN".
	Code string `json:"code"`
	// Message is a sentence for the person using the client.
	Message string `json:"message"`
	// Fields lists per-field problems of a rejected request.
	Fields []apperr.FieldError `json:"fields,omitempty"`
	// RequestID ties the response to the server's log line.
	RequestID string `json:"requestId"`
}

// Status maps an error kind to its HTTP status.
func Status(k apperr.Kind) int {
	switch k {
	case apperr.Invalid:
		return http.StatusBadRequest
	case apperr.Unauthorized:
		return http.StatusUnauthorized
	case apperr.Forbidden:
		return http.StatusForbidden
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.Conflict:
		return http.StatusConflict
	case apperr.Gone:
		return http.StatusGone
	case apperr.TooLarge:
		return http.StatusRequestEntityTooLarge
	case apperr.TooManyRequests:
		return http.StatusTooManyRequests
	case apperr.Unavailable:
		return http.StatusServiceUnavailable
	case apperr.UnsupportedMediaType:
		return http.StatusUnsupportedMediaType
	default:
		return http.StatusInternalServerError
	}
}

// WriteError is the one error writer: it maps err to a status and body and logs internal
// causes, which never reach the client.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		ae = apperr.Wrap(err, "unclassified")
	}
	status := Status(ae.Kind)
	switch {
	case ae.Cause != nil || status >= 500:
		Logger(r.Context()).Error("request failed", "code", ae.Code, "error", err.Error())
	case status == http.StatusUnauthorized || status == http.StatusForbidden || status == http.StatusTooManyRequests:
		// Refusals are what probing looks like: each names its code (CSRF_FAILED,
		// UNAUTHENTICATED, FORBIDDEN, TOO_MANY_ATTEMPTS …) for the log's metric filters.
		Logger(r.Context()).Warn("request refused", "code", ae.Code, "status", status)
	}
	body := ErrorBody{Code: ae.Code, Message: ae.Message, Fields: ae.Fields, RequestID: RequestID(r.Context())}
	if body.Code == "" {
		body.Code = "ERROR"
	}
	if ae.RetryAfter > 0 {
		// Whole seconds, rounded up: a client waiting that long is not refused again.
		w.Header().Set("Retry-After", strconv.FormatInt(int64((ae.RetryAfter+time.Second-1)/time.Second), 10))
	}
	WriteJSON(w, status, body)
}

// SecurityEvent logs an event a bank's security team follows (sign-in and its failure,
// password changes, role changes, operations decisions, secret resets) as one JSON line
// with "securityEvent" set to event, the request's ID, and attrs naming the actor and the
// subject; never a password, token or secret.
func SecurityEvent(ctx context.Context, event string, attrs ...any) {
	Logger(ctx).Info("security event", append([]any{"securityEvent", event}, attrs...)...)
}

// Logger returns the request's logger (with its request ID), or the default one.
func Logger(ctx interface{ Value(any) any }) *slog.Logger {
	if l, ok := ctx.Value(loggerKey{}).(*slog.Logger); ok {
		return l
	}
	return slog.Default()
}
