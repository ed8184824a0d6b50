// Package lambdaruntime runs a Lambda function binary on this machine the way Lambda runs
// it: a child process that finds an AWS Lambda Runtime API at AWS_LAMBDA_RUNTIME_API, asks
// it for the next event and posts back the response. It serves that API, starts the
// process with Lambda's environment, optionally under a CPU share like Lambda's at a given
// memory size, and measures the cold start (init), the first invocation and warm ones.
//
// It serves the part of the Runtime API (version 2018-06-01) that aws-lambda-go and the
// other runtime clients use: invocation/next, invocation/{id}/response and /error, and
// init/error. There are no extensions, no response streaming and no concurrency: one
// process handles one invocation at a time, as a Lambda execution environment does.
package lambdaruntime

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// The Runtime API's headers on the event it hands out and on an error a function posts.
const (
	// HeaderRequestID is the invocation's request ID, which the function's answer names.
	HeaderRequestID = "Lambda-Runtime-Aws-Request-Id"
	// HeaderDeadlineMS is when the invocation times out, in Unix milliseconds; the
	// runtime client makes it the handler's context deadline.
	HeaderDeadlineMS = "Lambda-Runtime-Deadline-Ms"
	// HeaderInvokedFunctionARN is the ARN the function was invoked by.
	HeaderInvokedFunctionARN = "Lambda-Runtime-Invoked-Function-Arn"
	// HeaderTraceID is the X-Ray trace header.
	HeaderTraceID = "Lambda-Runtime-Trace-Id"
	// HeaderFunctionErrorType is the type of an error a function posts.
	HeaderFunctionErrorType = "Lambda-Runtime-Function-Error-Type"
	// TrailerFunctionErrorBody carries a base64 error document when a runtime fails while
	// it is already sending a response body (HeaderFunctionErrorType then comes as a
	// trailer too).
	TrailerFunctionErrorBody = "Lambda-Runtime-Function-Error-Body"
)

// MaxResponseBytes is Lambda's limit on a synchronous invocation's response (6 MB).
const MaxResponseBytes = 6 * 1024 * 1024

// ErrTimeout is returned by Invoke when the function did not answer before its deadline.
var ErrTimeout = errors.New("lambdaruntime: the function did not answer before its deadline")

// ErrClosed is returned by Invoke after Close.
var ErrClosed = errors.New("lambdaruntime: the Runtime API is closed")

// FunctionError is an error a function reported instead of a response: from its handler
// (invocation/{id}/error) or from its initialization (init/error). Its JSON form is the
// error document the runtimes post.
type FunctionError struct {
	Type    string `json:"errorType"`
	Message string `json:"errorMessage"`
}

// Error is the error document's type and message.
func (e *FunctionError) Error() string { return e.Type + ": " + e.Message }

// Result is the outcome of one invocation.
type Result struct {
	// RequestID is the invocation's Lambda-Runtime-Aws-Request-Id.
	RequestID string
	// Payload is the response the function posted; nil when Error is set.
	Payload []byte
	// Error is the error the function posted instead of a response.
	Error *FunctionError
	// Duration runs from the call of Invoke until the function's response or error
	// arrived: what a caller of a warm function waits, less Lambda's own overhead.
	Duration time.Duration
}

// ServerConfig describes the function a Server hands events to.
type ServerConfig struct {
	// FunctionARN goes out in Lambda-Runtime-Invoked-Function-Arn.
	FunctionARN string
	// Timeout is the function's timeout: each event's deadline is its hand-over plus
	// Timeout, and Invoke gives up then. Zero means Lambda's default of 3 seconds.
	Timeout time.Duration
}

// Server is the Runtime API of one execution environment, as an http.Handler. Invoke
// queues an event for the function's next GET of invocation/next and waits for the
// function to post its response or error.
type Server struct {
	cfg ServerConfig
	// next hands one event to a waiting invocation/next request.
	next chan *invocation
	// invokeMu makes invocations one at a time, as in an execution environment.
	invokeMu sync.Mutex

	mu      sync.Mutex
	pending map[string]*invocation
	initErr *FunctionError

	ready     chan struct{}
	readyAt   time.Time
	readyOnce sync.Once
	initFail  chan struct{}
	failOnce  sync.Once
	closed    chan struct{}
	closeOnce sync.Once
	mux       *http.ServeMux
}

// invocation is one event on its way to the function and back.
type invocation struct {
	id      string
	payload []byte
	timeout time.Duration
	// handed receives the deadline when the function takes the event.
	handed chan time.Time
	// done receives the function's answer exactly once.
	done chan Result
}

// NewServer returns the Runtime API for one function.
func NewServer(cfg ServerConfig) *Server {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 3 * time.Second
	}
	s := &Server{
		cfg:      cfg,
		next:     make(chan *invocation),
		pending:  map[string]*invocation{},
		ready:    make(chan struct{}),
		initFail: make(chan struct{}),
		closed:   make(chan struct{}),
		mux:      http.NewServeMux(),
	}
	s.mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", s.handleNext)
	s.mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", s.handleResponse)
	s.mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", s.handleError)
	s.mux.HandleFunc("POST /2018-06-01/runtime/init/error", s.handleInitError)
	return s
}

// ServeHTTP serves the Runtime API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// WaitInit waits until the function has finished its initialization, which it says by
// asking for its first event, and returns when that request arrived. It returns the
// *FunctionError the function posted to init/error instead, or ctx's cause.
func (s *Server) WaitInit(ctx context.Context) (time.Time, error) {
	select {
	case <-s.ready:
		return s.readyAt, nil
	case <-s.initFail:
		s.mu.Lock()
		defer s.mu.Unlock()
		return time.Time{}, s.initErr
	case <-ctx.Done():
		return time.Time{}, context.Cause(ctx)
	}
}

// Invoke hands payload to the function as its next event and waits for its answer: a
// Result with the response or the function's error. It fails with ErrTimeout when the
// function does not answer within the timeout, with ErrClosed after Close, and with ctx's
// cause when ctx ends first. One invocation runs at a time; concurrent calls queue.
func (s *Server) Invoke(ctx context.Context, payload []byte) (Result, error) {
	s.invokeMu.Lock()
	defer s.invokeMu.Unlock()
	start := time.Now()
	inv := &invocation{id: newRequestID(), payload: payload, timeout: s.cfg.Timeout,
		handed: make(chan time.Time, 1), done: make(chan Result, 1)}
	s.mu.Lock()
	s.pending[inv.id] = inv
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.pending, inv.id)
		s.mu.Unlock()
	}()
	// The deadline runs from the hand-over, as Lambda's does; the hand-over itself must
	// happen within the same timeout, or the function is not asking for events.
	timer := time.NewTimer(s.cfg.Timeout)
	defer timer.Stop()
	select {
	case s.next <- inv:
	case <-timer.C:
		return Result{RequestID: inv.id}, fmt.Errorf("%w: it did not ask for the event within %s", ErrTimeout, s.cfg.Timeout)
	case <-s.closed:
		return Result{RequestID: inv.id}, ErrClosed
	case <-ctx.Done():
		return Result{RequestID: inv.id}, context.Cause(ctx)
	}
	timer.Reset(time.Until(<-inv.handed))
	select {
	case res := <-inv.done:
		res.Duration = time.Since(start)
		return res, nil
	case <-timer.C:
		return Result{RequestID: inv.id}, fmt.Errorf("%w (%s)", ErrTimeout, s.cfg.Timeout)
	case <-s.closed:
		return Result{RequestID: inv.id}, ErrClosed
	case <-ctx.Done():
		return Result{RequestID: inv.id}, context.Cause(ctx)
	}
}

// Close ends every waiting invocation/next request with an error, which makes a runtime
// client exit, and fails pending and later Invoke calls with ErrClosed.
func (s *Server) Close() { s.closeOnce.Do(func() { close(s.closed) }) }

func (s *Server) handleNext(w http.ResponseWriter, r *http.Request) {
	s.readyOnce.Do(func() {
		s.readyAt = time.Now()
		close(s.ready)
	})
	select {
	case inv := <-s.next:
		// The deadline counts from the moment the function has the event.
		deadline := time.Now().Add(inv.timeout)
		inv.handed <- deadline
		h := w.Header()
		h.Set(HeaderRequestID, inv.id)
		h.Set(HeaderDeadlineMS, strconv.FormatInt(deadline.UnixMilli(), 10))
		h.Set(HeaderInvokedFunctionARN, s.cfg.FunctionARN)
		h.Set(HeaderTraceID, newTraceID())
		h.Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(inv.payload)
	case <-s.closed:
		writeAPIError(w, http.StatusInternalServerError, "Runtime.Closed", "the execution environment is shutting down")
	case <-r.Context().Done():
	}
}

func (s *Server) handleResponse(w http.ResponseWriter, r *http.Request) {
	inv, ok := s.take(w, r.PathValue("id"))
	if !ok {
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxResponseBytes+1))
	switch {
	case err != nil:
		inv.done <- Result{RequestID: inv.id, Error: &FunctionError{Type: "Runtime.ResponseReadError", Message: err.Error()}}
		writeAPIError(w, http.StatusBadRequest, "Runtime.ResponseReadError", err.Error())
		return
	case len(body) > MaxResponseBytes:
		inv.done <- Result{RequestID: inv.id, Error: &FunctionError{Type: "Function.ResponseSizeTooLarge",
			Message: fmt.Sprintf("response payload size exceeded maximum allowed payload size (%d bytes)", MaxResponseBytes)}}
		writeAPIError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "response too large")
		return
	}
	// A runtime that fails half-way through a body says so in trailers, which are
	// readable only now that the body has been read to its end.
	if typ := r.Trailer.Get(HeaderFunctionErrorType); typ != "" {
		fe := &FunctionError{Type: typ}
		if raw, err := base64.StdEncoding.DecodeString(r.Trailer.Get(TrailerFunctionErrorBody)); err == nil {
			_ = json.Unmarshal(raw, fe)
		}
		inv.done <- Result{RequestID: inv.id, Error: fe}
	} else {
		inv.done <- Result{RequestID: inv.id, Payload: body}
	}
	writeAccepted(w)
}

func (s *Server) handleError(w http.ResponseWriter, r *http.Request) {
	inv, ok := s.take(w, r.PathValue("id"))
	if !ok {
		return
	}
	inv.done <- Result{RequestID: inv.id, Error: readFunctionError(r)}
	writeAccepted(w)
}

func (s *Server) handleInitError(w http.ResponseWriter, r *http.Request) {
	fe := readFunctionError(r)
	s.failOnce.Do(func() {
		s.mu.Lock()
		s.initErr = fe
		s.mu.Unlock()
		close(s.initFail)
	})
	writeAccepted(w)
}

// take removes the pending invocation id, answering 400 as Lambda does when there is none
// (unknown, or already answered).
func (s *Server) take(w http.ResponseWriter, id string) (*invocation, bool) {
	s.mu.Lock()
	inv, ok := s.pending[id]
	delete(s.pending, id)
	s.mu.Unlock()
	if !ok {
		writeAPIError(w, http.StatusBadRequest, "InvalidRequestID", "no invocation in progress with request ID "+strconv.Quote(id))
	}
	return inv, ok
}

// readFunctionError reads the error document of an error post. A body that is not one
// still reports an error: its text becomes the message.
func readFunctionError(r *http.Request) *FunctionError {
	body, _ := io.ReadAll(io.LimitReader(r.Body, MaxResponseBytes))
	fe := &FunctionError{}
	if json.Unmarshal(body, fe) != nil {
		fe.Message = string(body)
	}
	if fe.Type == "" {
		fe.Type = r.Header.Get(HeaderFunctionErrorType)
	}
	if fe.Type == "" {
		fe.Type = "Unhandled"
	}
	return fe
}

func writeAccepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`)
}

func writeAPIError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(FunctionError{Type: typ, Message: msg})
}

// newRequestID is a random UUID (version 4), the form of Lambda's request IDs.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// newTraceID is an X-Ray trace header of the form Lambda passes, not sampled.
func newTraceID() string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0", time.Now().Unix(), hex.EncodeToString(b[:12]), hex.EncodeToString(b[12:]))
}
