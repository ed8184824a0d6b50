package awsclient

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/bank/devportal/shared/platform/route"
)

// Object is one object PutObject stores.
type Object struct {
	Bucket, Key  string
	Body         []byte
	ContentType  string
	CacheControl string
}

// PutObject stores an object in S3 with one SigV4-signed PUT: the one S3 call a function
// makes (publishing the sandbox CA's CRL), without the S3 client, whose size would take
// the function over its budget. The bucket is addressed virtual-hosted style on AWS and by
// path on cfg's BaseEndpoint (moto). The needs guard holds as for SDK calls: a route that
// did not declare route.PublishCRL cannot make it.
func PutObject(ctx context.Context, cfg aws.Config, o Object) error {
	if needs, ok := route.NeedsFrom(ctx); ok && !needs.Has(route.PublishCRL) {
		return &ErrUndeclared{ServiceID: "S3", Operation: "PutObject", Needs: needs}
	}
	target := "https://" + o.Bucket + ".s3." + cfg.Region + "." + dnsSuffix(cfg.Region) + "/" + escapeKey(o.Key)
	if cfg.BaseEndpoint != nil {
		target = strings.TrimRight(*cfg.BaseEndpoint, "/") + "/" + o.Bucket + "/" + escapeKey(o.Key)
	}
	sum := sha256.Sum256(o.Body)
	hash := hex.EncodeToString(sum[:])
	var lastErr error
	for attempt := range 3 {
		if attempt > 0 {
			time.Sleep(time.Duration(attempt) * 200 * time.Millisecond)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPut, target, bytes.NewReader(o.Body))
		if err != nil {
			return err
		}
		req.ContentLength = int64(len(o.Body))
		req.Header.Set("X-Amz-Content-Sha256", hash)
		if o.ContentType != "" {
			req.Header.Set("Content-Type", o.ContentType)
		}
		if o.CacheControl != "" {
			req.Header.Set("Cache-Control", o.CacheControl)
		}
		creds, err := cfg.Credentials.Retrieve(ctx)
		if err != nil {
			return fmt.Errorf("s3 PutObject: credentials: %w", err)
		}
		if err := v4.NewSigner().SignHTTP(ctx, creds, req, hash, "s3", cfg.Region, time.Now()); err != nil {
			return fmt.Errorf("s3 PutObject: sign: %w", err)
		}
		client := cfg.HTTPClient
		if client == nil {
			client = http.DefaultClient
		}
		resp, err := client.Do(req)
		if err != nil {
			lastErr = err
			continue
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
		if resp.StatusCode/100 == 2 {
			return nil
		}
		lastErr = fmt.Errorf("answered HTTP %d: %s", resp.StatusCode, strings.TrimSpace(string(body)))
		if resp.StatusCode < 500 && resp.StatusCode != http.StatusTooManyRequests {
			break
		}
	}
	return fmt.Errorf("s3 PutObject s3://%s/%s: %w", o.Bucket, o.Key, lastErr)
}

// dnsSuffix is the DNS suffix of the region's partition.
func dnsSuffix(region string) string {
	if strings.HasPrefix(region, "cn-") {
		return "amazonaws.com.cn"
	}
	return "amazonaws.com"
}

// escapeKey escapes each segment of an object key for the URL path.
func escapeKey(key string) string {
	parts := strings.Split(key, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}
