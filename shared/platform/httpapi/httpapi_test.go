package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bank/devportal/shared/platform/apperr"
)

type form struct {
	Name  string   `json:"name" validate:"required,max=5"`
	Email string   `json:"email" validate:"required,email"`
	URIs  []string `json:"redirectUris" validate:"dive,url"`
}

func TestDecode(t *testing.T) {
	cases := []struct {
		body, code, fields string
	}{
		{`{"name":"ann","email":"a@b.co"}`, "", "[]"},
		{`{"name":"","email":"x"}`, "VALIDATION_FAILED", "[name:required email:email]"},
		{`{"name":"toolong","email":"a@b.co"}`, "VALIDATION_FAILED", "[name:max]"},
		{`{"name":"ann","email":"a@b.co","redirectUris":["https://ok.example","nope"]}`, "VALIDATION_FAILED", "[redirectUris[1]:url]"},
		{`{"name":"ann","email":"a@b.co","role":"admin"}`, "VALIDATION_FAILED", "[role:unknown]"},
		{`{"name":5}`, "VALIDATION_FAILED", "[name:type]"},
		{`{"name":`, "MALFORMED_JSON", "[]"},
		{``, "MALFORMED_JSON", "[]"},
		{`[]`, "MALFORMED_JSON", "[]"},
		{`{"name":"ann","email":"a@b.co"}}`, "MALFORMED_JSON", "[]"},
		{`{"name":"ann","email":"a@b.co"} {}`, "MALFORMED_JSON", "[]"},
		{`{"name":"` + strings.Repeat("x", 70<<10) + `"}`, "BODY_TOO_LARGE", "[]"},
	}
	for _, c := range cases {
		t.Run(c.body, func(t *testing.T) {
			var f form
			err := Decode(httptest.NewRequest("POST", "/", strings.NewReader(c.body)), &f)
			var ae *apperr.Error
			if c.code == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if !errors.As(err, &ae) || ae.Code != c.code {
				t.Fatalf("err = %v, want code %s", err, c.code)
			}
			var got []string
			for _, fe := range ae.Fields {
				got = append(got, fe.Field+":"+fe.Rule)
			}
			if fmt.Sprint(got) != c.fields && !(got == nil && c.fields == "[]") {
				t.Fatalf("fields = %v, want %s", got, c.fields)
			}
		})
	}
}

func TestWriteErrorHidesInternals(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	h := WithRequest("test", log, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, r, errors.New("dynamodb: table devportal-portal: AccessDenied"))
	}))
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set(RequestIDHeader, "req-12345678")
	h.ServeHTTP(rec, req)
	var body ErrorBody
	_ = json.Unmarshal(rec.Body.Bytes(), &body)
	if rec.Code != 500 || body.Code != "INTERNAL" || strings.Contains(rec.Body.String(), "AccessDenied") || body.RequestID != "req-12345678" ||
		rec.Header().Get(RequestIDHeader) != "req-12345678" {
		t.Fatalf("response %d %s", rec.Code, rec.Body)
	}
	if !strings.Contains(logs.String(), "AccessDenied") || !strings.Contains(logs.String(), `"requestId":"req-12345678"`) || !strings.Contains(logs.String(), `"status":500`) {
		t.Fatalf("log does not carry the cause, request ID and status: %s", logs.String())
	}
}

func TestStatusMapping(t *testing.T) {
	want := map[apperr.Kind]int{apperr.TooLarge: 413, apperr.Invalid: 400, apperr.Unauthorized: 401, apperr.Forbidden: 403, apperr.NotFound: 404,
		apperr.Conflict: 409, apperr.Gone: 410, apperr.TooManyRequests: 429, apperr.Unavailable: 503, apperr.Internal: 500}
	for k, s := range want {
		if Status(k) != s {
			t.Errorf("Status(%v) = %d, want %d", k, Status(k), s)
		}
	}
}

func TestPanicBecomes500(t *testing.T) {
	h := WithRequest("test", slog.New(slog.NewJSONHandler(&bytes.Buffer{}, nil)), http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("nil map") }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != 500 || !strings.Contains(rec.Body.String(), `"code":"INTERNAL"`) {
		t.Fatalf("got %d %s", rec.Code, rec.Body)
	}
}
