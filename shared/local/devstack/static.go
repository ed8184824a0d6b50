package devstack

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/platform/httpapi"
	"github.com/bank/devportal/shared/trust/sandboxca/crlbucket"
)

// spa serves the built SPA: files as they are, any other path as index.html so the
// router in the page can resolve it (CloudFront does the same on AWS).
func spa(dir string) http.Handler {
	files := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		clean := filepath.Clean("/" + r.URL.Path)
		if info, err := os.Stat(filepath.Join(dir, clean)); err == nil && !info.IsDir() {
			if strings.HasPrefix(clean, "/assets/") {
				w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
			}
			files.ServeHTTP(w, r)
			return
		}
		index := filepath.Join(dir, "index.html")
		if _, err := os.Stat(index); err != nil {
			http.Error(w, "The portal SPA is not built: run `make dev` (or `make frontend`).", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Cache-Control", "no-cache")
		http.ServeFile(w, r, index)
	})
}

// apiNotFound answers unknown /api/ paths with the API's JSON error, not the SPA.
func apiNotFound(log *slog.Logger) http.Handler {
	return httpapi.WithRequest("not-found", log, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpapi.WriteError(w, r, apperr.New(apperr.NotFound, "NOT_FOUND", "There is no API endpoint "+r.Method+" "+r.URL.Path+"."))
	}))
}

// crlHandler serves the sandbox CA's CRL from its bucket on moto, as CloudFront serves it
// from S3 in a deployment: DER, application/pkix-crl.
func crlHandler(log *slog.Logger, client *s3.Client, bucket string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		der, err := ReadCRL(r.Context(), client, bucket)
		if err != nil {
			log.ErrorContext(r.Context(), "sandbox CA CRL not served", "error", err.Error())
			http.Error(w, "The CRL is not available.", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", crlbucket.ContentType)
		w.Header().Set("Cache-Control", "max-age=60")
		w.Write(der)
	})
}

// ReadCRL reads the sandbox CA's published CRL from bucket (moto's S3).
func ReadCRL(ctx context.Context, client *s3.Client, bucket string) ([]byte, error) {
	out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(config.CRLObjectKey)})
	if err != nil {
		return nil, fmt.Errorf("read the CRL from s3://%s/%s: %w", bucket, config.CRLObjectKey, err)
	}
	defer out.Body.Close()
	return io.ReadAll(io.LimitReader(out.Body, 10<<20))
}
