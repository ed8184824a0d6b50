package httpapi

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestRequireOrigin: with a secret, only a request carrying it reaches the handler (without
// the header); without one, every request does.
func TestRequireOrigin(t *testing.T) {
	const secret = "s3cr3t-from-cloudfront"
	for _, c := range []struct {
		name, secret string
		header       *string
		wantStatus   int
		wantBody     string
	}{
		{"right value", secret, ptr(secret), 200, "reached"},
		{"no header", secret, nil, 403, `{"code":"DIRECT_ACCESS","message":"This API is reachable only through the portal's address.","requestId":""}` + "\n"},
		{"wrong value", secret, ptr("guess"), 403, `{"code":"DIRECT_ACCESS","message":"This API is reachable only through the portal's address.","requestId":""}` + "\n"},
		{"a prefix of the value", secret, ptr(secret[:5]), 403, `{"code":"DIRECT_ACCESS","message":"This API is reachable only through the portal's address.","requestId":""}` + "\n"},
		{"empty value", secret, ptr(""), 403, `{"code":"DIRECT_ACCESS","message":"This API is reachable only through the portal's address.","requestId":""}` + "\n"},
		{"check off, no header", "", nil, 200, "reached"},
		{"check off, any header", "", ptr("anything"), 200, "reached"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var seen *string
			h := RequireOrigin(c.secret, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				v := r.Header.Get(OriginVerifyHeader)
				seen = &v
				_, _ = w.Write([]byte("reached"))
			}))
			req := httptest.NewRequest("POST", "/api/auth/login", nil)
			if c.header != nil {
				req.Header.Set(OriginVerifyHeader, *c.header)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != c.wantStatus || rec.Body.String() != c.wantBody {
				t.Fatalf("answer %d %q, want %d %q", rec.Code, rec.Body.String(), c.wantStatus, c.wantBody)
			}
			if c.wantStatus == 403 && seen != nil {
				t.Fatal("the handler ran for a refused request")
			}
			if c.secret != "" && c.wantStatus == 200 && (seen == nil || *seen != "") {
				t.Fatalf("the handler saw the secret header %v", seen)
			}
		})
	}
}

func ptr(s string) *string { return &s }
