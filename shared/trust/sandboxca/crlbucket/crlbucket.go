// Package crlbucket publishes the sandbox CA's CRL to an S3 bucket, from where it is
// served: CloudFront in a deployment, the dev server locally (from moto's S3). It is its
// own package so that only the functions that publish the CRL link the S3 client.
package crlbucket

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// ContentType is the media type of a DER CRL (RFC 2585).
const ContentType = "application/pkix-crl"

// S3API is the part of the S3 client the bucket needs.
type S3API interface {
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// Bucket is where the CRL is published: a bucket and the object's key.
type Bucket struct {
	Client S3API
	Name   string
	Key    string
}

// PublishCRL stores the CRL (DER) as the object, replacing the previous one. Caches may
// keep it a minute: a revocation counts at once in the portal, which reads its own
// records, and in a minute everywhere else.
func (b Bucket) PublishCRL(ctx context.Context, der []byte) error {
	_, err := b.Client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b.Name), Key: aws.String(b.Key), Body: bytes.NewReader(der),
		ContentType: aws.String(ContentType), CacheControl: aws.String("max-age=60")})
	if err != nil {
		return fmt.Errorf("publish the CRL to s3://%s/%s: %w", b.Name, b.Key, err)
	}
	return nil
}

// CRL reads the published CRL (the local dev server serves it from here).
func (b Bucket) CRL(ctx context.Context) ([]byte, error) {
	out, err := b.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b.Name), Key: aws.String(b.Key)})
	if err != nil {
		return nil, fmt.Errorf("read the CRL from s3://%s/%s: %w", b.Name, b.Key, err)
	}
	defer out.Body.Close()
	return io.ReadAll(io.LimitReader(out.Body, 10<<20))
}
