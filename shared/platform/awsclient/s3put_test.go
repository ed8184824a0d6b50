package awsclient_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bank/devportal/shared/platform/awsclient"
	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/platform/route"
)

func TestPutObject(t *testing.T) {
	var got struct {
		method, path, ctype, cache, hash, auth string
		body                                   string
	}
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls == 1 {
			w.WriteHeader(http.StatusServiceUnavailable) // retried
			return
		}
		b, _ := io.ReadAll(r.Body)
		got.method, got.path, got.ctype, got.cache = r.Method, r.URL.Path, r.Header.Get("Content-Type"), r.Header.Get("Cache-Control")
		got.hash, got.auth, got.body = r.Header.Get("X-Amz-Content-Sha256"), r.Header.Get("Authorization"), string(b)
	}))
	defer srv.Close()
	cfg, err := awsclient.Load(context.Background(), config.Config{Region: "eu-west-1", AWSEndpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	ctx := route.WithNeeds(context.Background(), route.PublishCRL)
	obj := awsclient.Object{Bucket: "crls", Key: "sandbox-ca/crl.der", Body: []byte("der"), ContentType: "application/pkix-crl", CacheControl: "max-age=60"}
	if err := awsclient.PutObject(ctx, cfg, obj); err != nil {
		t.Fatal(err)
	}
	if calls != 2 || got.method != "PUT" || got.path != "/crls/sandbox-ca/crl.der" || got.ctype != "application/pkix-crl" || got.cache != "max-age=60" || got.body != "der" ||
		got.hash != sha256Hex("der") || !strings.HasPrefix(got.auth, "AWS4-HMAC-SHA256 Credential=testing/") ||
		!strings.Contains(got.auth, "/eu-west-1/s3/aws4_request") {
		t.Fatalf("calls %d, request %+v", calls, got)
	}

	// A route that did not declare the need cannot make the call.
	err = awsclient.PutObject(route.WithNeeds(context.Background(), route.PortalTable), cfg, obj)
	var undeclared *awsclient.ErrUndeclared
	if !errors.As(err, &undeclared) || undeclared.ServiceID != "S3" {
		t.Fatalf("undeclared call: %v", err)
	}
	// A refusal is an error that says what S3 answered.
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "<Error><Code>AccessDenied</Code></Error>", http.StatusForbidden)
	})
	if err := awsclient.PutObject(ctx, cfg, obj); err == nil || !strings.Contains(err.Error(), "answered HTTP 403") || !strings.Contains(err.Error(), "AccessDenied") {
		t.Fatalf("refused: %v", err)
	}
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
