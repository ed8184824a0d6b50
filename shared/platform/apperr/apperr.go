// Package apperr is the platform's one error type. Domain code returns these; the HTTP
// writer in httpapi maps their Kind to a status code, so no handler chooses statuses.
package apperr

import (
	"fmt"
	"time"
)

// Kind classifies an error the way a client needs to react to it.
type Kind int

// The kinds of error, each mapped to one HTTP status by httpapi.
const (
	Internal Kind = iota
	Invalid
	Unauthorized
	Forbidden
	NotFound
	Conflict
	Gone
	TooLarge
	TooManyRequests
	Unavailable
	// UnsupportedMediaType is a body of a content type the endpoint does not take.
	UnsupportedMediaType
)

// FieldError names one request field and the rule it broke.
type FieldError struct {
	// Field is the JSON path of the field, for example "password" or "redirectUris[0]".
	Field string `json:"field"`
	// Rule is a machine-readable rule name, for example "required" or "minUpper".
	Rule string `json:"rule"`
	// Message is a sentence a person can act on.
	Message string `json:"message"`
}

// Error is an error a client may see: kind, stable code, message and per-field details.
type Error struct {
	Kind    Kind
	Code    string
	Message string
	Fields  []FieldError
	// Cause is the internal error behind it; it is logged, never sent.
	Cause error
	// RetryAfter is when a refused request may be tried again (TooManyRequests), sent as
	// the Retry-After header.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Cause)
	}
	return e.Code + ": " + e.Message
}

// Unwrap exposes the cause to errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.Cause }

// Is makes errors.Is(err, ErrNotFound) true for every error of the same kind, and
// errors.Is(err, someCodedError) true for every error with the same code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	if t.Code == "" {
		return t.Kind == e.Kind
	}
	return t.Kind == e.Kind && t.Code == e.Code
}

// Sentinels for errors.Is: they match any *Error of their kind.
var (
	ErrNotFound  = &Error{Kind: NotFound}
	ErrConflict  = &Error{Kind: Conflict}
	ErrForbidden = &Error{Kind: Forbidden}
	ErrInvalid   = &Error{Kind: Invalid}
	ErrGone      = &Error{Kind: Gone}
)

// New returns an error of the given kind with a stable code and a message for people.
func New(kind Kind, code, message string) *Error {
	return &Error{Kind: kind, Code: code, Message: message}
}

// Fields returns a validation error listing the fields at fault.
func Fields(fields ...FieldError) *Error {
	return &Error{Kind: Invalid, Code: "VALIDATION_FAILED", Message: "Some fields need your attention.", Fields: fields}
}

// Field is a short way to write one FieldError.
func Field(field, rule, message string) FieldError {
	return FieldError{Field: field, Rule: rule, Message: message}
}

// Wrap marks an unexpected failure: the client sees a generic message, the log the cause.
func Wrap(cause error, format string, args ...any) *Error {
	return &Error{Kind: Internal, Code: "INTERNAL", Message: "Something went wrong on our side.", Cause: fmt.Errorf(format+": %w", append(args, cause)...)}
}
