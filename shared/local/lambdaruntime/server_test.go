package lambdaruntime_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bank/devportal/shared/local/lambdaruntime"
)

const arn = "arn:aws:lambda:eu-west-1:123456789012:function:fake"

// post sends body to the Runtime API path and returns the status and answer.
func post(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func newPost(t *testing.T, url string, body io.Reader) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, body)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// next takes the next event as a runtime client does and checks the headers Lambda sets.
func next(t *testing.T, base string, timeout time.Duration) (id string, payload string) {
	t.Helper()
	resp, err := http.Get(base + "/2018-06-01/runtime/invocation/next")
	if err != nil {
		t.Error(err)
		return "", ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	h := resp.Header
	id = h.Get(lambdaruntime.HeaderRequestID)
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(id) {
		t.Errorf("request ID %q is no UUID", id)
	}
	if got := h.Get(lambdaruntime.HeaderInvokedFunctionARN); got != arn {
		t.Errorf("function ARN %q, want %q", got, arn)
	}
	if got := h.Get(lambdaruntime.HeaderTraceID); !regexp.MustCompile(`^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$`).MatchString(got) {
		t.Errorf("trace ID %q", got)
	}
	ms, err := strconv.ParseInt(h.Get(lambdaruntime.HeaderDeadlineMS), 10, 64)
	if left := time.Until(time.UnixMilli(ms)); err != nil || left <= 0 || left > timeout {
		t.Errorf("deadline %q is %s away, want within %s", h.Get(lambdaruntime.HeaderDeadlineMS), left, timeout)
	}
	return id, string(b)
}

// TestServer drives the Runtime API as a runtime client does and checks what Invoke
// returns for each way a function can answer.
func TestServer(t *testing.T) {
	errorDoc := `{"errorMessage":"no such user","errorType":"NotFound"}`
	cases := []struct {
		name string
		// answer posts the function's answer to the invocation id.
		answer  func(t *testing.T, base, id, payload string)
		want    lambdaruntime.Result
		wantErr error
	}{
		{
			name: "response",
			answer: func(t *testing.T, base, id, payload string) {
				status, body := post(t, newPost(t, base+"/2018-06-01/runtime/invocation/"+id+"/response", strings.NewReader(`{"echo":`+payload+`}`)))
				if status != http.StatusAccepted || body != `{"status":"OK"}` {
					t.Errorf("response post: %d %s", status, body)
				}
			},
			want: lambdaruntime.Result{Payload: []byte(`{"echo":{"n":1}}`)},
		},
		{
			name: "error document",
			answer: func(t *testing.T, base, id, _ string) {
				req := newPost(t, base+"/2018-06-01/runtime/invocation/"+id+"/error", strings.NewReader(errorDoc))
				req.Header.Set(lambdaruntime.HeaderFunctionErrorType, "NotFound")
				if status, body := post(t, req); status != http.StatusAccepted {
					t.Errorf("error post: %d %s", status, body)
				}
			},
			want: lambdaruntime.Result{Error: &lambdaruntime.FunctionError{Type: "NotFound", Message: "no such user"}},
		},
		{
			name: "error that is no JSON, its type in the header",
			answer: func(t *testing.T, base, id, _ string) {
				req := newPost(t, base+"/2018-06-01/runtime/invocation/"+id+"/error", strings.NewReader("segfault"))
				req.Header.Set(lambdaruntime.HeaderFunctionErrorType, "Runtime.Crash")
				post(t, req)
			},
			want: lambdaruntime.Result{Error: &lambdaruntime.FunctionError{Type: "Runtime.Crash", Message: "segfault"}},
		},
		{
			name: "error in the trailers of a response",
			answer: func(t *testing.T, base, id, _ string) {
				// A body of unknown length goes chunked, which is what carries trailers.
				req := newPost(t, base+"/2018-06-01/runtime/invocation/"+id+"/response", io.MultiReader(strings.NewReader(`{"partial`)))
				req.Trailer = http.Header{
					lambdaruntime.HeaderFunctionErrorType:  {"Runtime.TruncatedResponse"},
					lambdaruntime.TrailerFunctionErrorBody: {base64.StdEncoding.EncodeToString([]byte(`{"errorType":"Runtime.TruncatedResponse","errorMessage":"broken pipe"}`))},
				}
				post(t, req)
			},
			want: lambdaruntime.Result{Error: &lambdaruntime.FunctionError{Type: "Runtime.TruncatedResponse", Message: "broken pipe"}},
		},
		{
			name: "response over 6 MB",
			answer: func(t *testing.T, base, id, _ string) {
				status, _ := post(t, newPost(t, base+"/2018-06-01/runtime/invocation/"+id+"/response", bytes.NewReader(make([]byte, lambdaruntime.MaxResponseBytes+1))))
				if status != http.StatusRequestEntityTooLarge {
					t.Errorf("oversized response: status %d, want 413", status)
				}
			},
			want: lambdaruntime.Result{Error: &lambdaruntime.FunctionError{Type: "Function.ResponseSizeTooLarge",
				Message: "response payload size exceeded maximum allowed payload size (6291456 bytes)"}},
		},
		{
			name: "answer to an unknown request ID",
			answer: func(t *testing.T, base, id, _ string) {
				status, body := post(t, newPost(t, base+"/2018-06-01/runtime/invocation/not-"+id+"/response", strings.NewReader(`{}`)))
				if want := `{"errorType":"InvalidRequestID","errorMessage":"no invocation in progress with request ID \"not-` + id + `\""}` + "\n"; status != http.StatusBadRequest || body != want {
					t.Errorf("unknown ID: %d %s, want 400 %s", status, body, want)
				}
			},
			wantErr: lambdaruntime.ErrTimeout,
		},
		{
			name:    "no answer",
			answer:  func(*testing.T, string, string, string) {},
			wantErr: lambdaruntime.ErrTimeout,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// Long enough for a 6 MB post under the race detector; short where the
			// timeout is what the case waits for.
			timeout := 5 * time.Second
			if tc.wantErr == lambdaruntime.ErrTimeout {
				timeout = 300 * time.Millisecond
			}
			api := lambdaruntime.NewServer(lambdaruntime.ServerConfig{FunctionARN: arn, Timeout: timeout})
			srv := httptest.NewServer(api)
			defer srv.Close()
			defer api.Close()
			go func() {
				id, payload := next(t, srv.URL, timeout)
				if payload != `{"n":1}` {
					t.Errorf("event %q", payload)
				}
				tc.answer(t, srv.URL, id, payload)
			}()
			got, err := api.Invoke(context.Background(), []byte(`{"n":1}`))
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Invoke error %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			if got.RequestID == "" || got.Duration <= 0 {
				t.Errorf("request ID %q, duration %s", got.RequestID, got.Duration)
			}
			if string(got.Payload) != string(tc.want.Payload) || (got.Error == nil) != (tc.want.Error == nil) ||
				(got.Error != nil && *got.Error != *tc.want.Error) {
				t.Errorf("got payload %q error %v, want %q %v", got.Payload, got.Error, tc.want.Payload, tc.want.Error)
			}
		})
	}
}

// TestServerInit: WaitInit returns when the function first asks for an event, or the error
// it posted to init/error.
func TestServerInit(t *testing.T) {
	cases := []struct {
		name    string
		runtime func(base string)
		wantErr string
	}{
		{
			name:    "asks for an event",
			runtime: func(base string) { _, _ = http.Get(base + "/2018-06-01/runtime/invocation/next") },
		},
		{
			name: "init error",
			runtime: func(base string) {
				req, _ := http.NewRequest(http.MethodPost, base+"/2018-06-01/runtime/init/error",
					strings.NewReader(`{"errorMessage":"USER_POOL_ID must be set","errorType":"Runtime.InitError"}`))
				resp, err := http.DefaultClient.Do(req)
				if err == nil {
					resp.Body.Close()
				}
			},
			wantErr: "Runtime.InitError: USER_POOL_ID must be set",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			api := lambdaruntime.NewServer(lambdaruntime.ServerConfig{FunctionARN: arn})
			srv := httptest.NewServer(api)
			defer srv.Close()
			defer api.Close()
			before := time.Now()
			go tc.runtime(srv.URL)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			at, err := api.WaitInit(ctx)
			if tc.wantErr != "" {
				var fe *lambdaruntime.FunctionError
				if !errors.As(err, &fe) || err.Error() != tc.wantErr {
					t.Fatalf("WaitInit error %v, want %s", err, tc.wantErr)
				}
				return
			}
			if err != nil || at.Before(before) || time.Since(at) < 0 {
				t.Fatalf("WaitInit = %v, %v", at, err)
			}
		})
	}
}

// TestServerClosed: Close fails a waiting Invoke and ends a waiting invocation/next with
// an error status, which makes a runtime client exit.
func TestServerClosed(t *testing.T) {
	api := lambdaruntime.NewServer(lambdaruntime.ServerConfig{FunctionARN: arn, Timeout: 5 * time.Second})
	srv := httptest.NewServer(api)
	defer srv.Close()
	status := make(chan int, 1)
	go func() {
		resp, err := http.Get(srv.URL + "/2018-06-01/runtime/invocation/next")
		if err != nil {
			status <- 0
			return
		}
		resp.Body.Close()
		status <- resp.StatusCode
	}()
	if _, err := api.WaitInit(context.Background()); err != nil {
		t.Fatal(err)
	}
	api.Close()
	if got := <-status; got != http.StatusInternalServerError {
		t.Errorf("invocation/next after Close: status %d, want 500", got)
	}
	if _, err := api.Invoke(context.Background(), []byte(`{}`)); !errors.Is(err, lambdaruntime.ErrClosed) {
		t.Errorf("Invoke after Close: %v, want ErrClosed", err)
	}
}
