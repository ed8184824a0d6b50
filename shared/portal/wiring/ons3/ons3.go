// Package ons3 is the portal's CRL part: the sandbox CA's CRL in its S3 bucket.
package ons3

import (
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/portal/apps"
	"github.com/bank/devportal/shared/trust/sandboxca/crlbucket"
)

// CRL publishes to cfg's CRL bucket.
func CRL(awsCfg aws.Config, cfg config.Config) apps.CRLPublisher {
	return crlbucket.Bucket{AWS: awsCfg, Name: cfg.CRLBucket, Key: config.CRLObjectKey}
}
