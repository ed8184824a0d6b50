// Package ons3 is the portal's CRL part: the sandbox CA's CRL in its S3 bucket.
package ons3

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/portal/apps"
	"github.com/bank/devportal/shared/trust/sandboxca/crlbucket"
)

// CRL publishes to cfg's CRL bucket. Locally (moto) the bucket is addressed by path, which
// needs no DNS name per bucket.
func CRL(awsCfg aws.Config, cfg config.Config) apps.CRLPublisher {
	client := s3.NewFromConfig(awsCfg, func(o *s3.Options) { o.UsePathStyle = cfg.AWSEndpoint != "" })
	return crlbucket.Bucket{Client: client, Name: cfg.CRLBucket, Key: config.CRLObjectKey}
}
