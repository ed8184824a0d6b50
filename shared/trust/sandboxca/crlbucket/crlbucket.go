// Package crlbucket publishes the sandbox CA's CRL to an S3 bucket, from where it is
// served: CloudFront in a deployment, the dev server locally (from moto's S3).
package crlbucket

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/bank/devportal/shared/platform/awsclient"
)

// ContentType is the media type of a DER CRL (RFC 2585).
const ContentType = "application/pkix-crl"

// Bucket is where the CRL is published: a bucket and the object's key, written with the
// SDK configuration AWS.
type Bucket struct {
	AWS  aws.Config
	Name string
	Key  string
}

// PublishCRL stores the CRL (DER) as the object, replacing the previous one. Caches may
// keep it a minute: a revocation counts at once in the portal, which reads its own
// records, and within a minute everywhere else.
func (b Bucket) PublishCRL(ctx context.Context, der []byte) error {
	return awsclient.PutObject(ctx, b.AWS, awsclient.Object{Bucket: b.Name, Key: b.Key, Body: der, ContentType: ContentType, CacheControl: "max-age=60"})
}
