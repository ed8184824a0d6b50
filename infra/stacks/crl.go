package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfrontorigins"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/bank/devportal/shared/platform/config"
)

// CRLBucketName is the name of the bucket the sandbox CA's CRL is published to:
// devportal-crl-<account>-<region>. It is derived rather than referenced, because the
// frontend stack that serves it through CloudFront comes after the portal API stack whose
// functions publish it; each stack resolves the same pseudo parameters to the same name.
func CRLBucketName() *string {
	return awscdk.Fn_Join(jsii.String("-"), &[]*string{jsii.String("devportal-crl"), awscdk.Aws_ACCOUNT_ID(), awscdk.Aws_REGION()})
}

// CRLObjectARN is the CRL object's ARN: the only object the publishing functions may put.
func CRLObjectARN() *string {
	return awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String("arn:"), awscdk.Aws_PARTITION(), jsii.String(":s3:::"), CRLBucketName(),
		jsii.String("/" + config.CRLObjectKey)})
}

// addCRL adds the CRL bucket to the frontend stack and serves its one object at
// config.CRLPath through the distribution: the bucket stays private (blocked public
// access, TLS only), CloudFront reads it with origin access control, and nothing is
// cached, so a revocation is served the moment it is published.
func (s *FrontendStack) addCRL() (string, *awscloudfront.BehaviorOptions) {
	s.CRL = awss3.NewBucket(s.Stack, jsii.String("Crl"), &awss3.BucketProps{
		BucketName:             CRLBucketName(),
		BlockPublicAccess:      awss3.BlockPublicAccess_BLOCK_ALL(),
		Encryption:             awss3.BucketEncryption_S3_MANAGED,
		EnforceSSL:             jsii.Bool(true),
		Versioned:              jsii.Bool(true),
		ServerAccessLogsBucket: s.Logs,
		ServerAccessLogsPrefix: jsii.String("crl/"),
		// Earlier CRLs are kept a while as evidence of what was published when.
		LifecycleRules: &[]*awss3.LifecycleRule{{NoncurrentVersionExpiration: awscdk.Duration_Days(jsii.Number(90))}},
	})
	return config.CRLPath, &awscloudfront.BehaviorOptions{
		Origin:                awscloudfrontorigins.S3BucketOrigin_WithOriginAccessControl(s.CRL, nil),
		ViewerProtocolPolicy:  awscloudfront.ViewerProtocolPolicy_REDIRECT_TO_HTTPS,
		AllowedMethods:        awscloudfront.AllowedMethods_ALLOW_GET_HEAD(),
		CachePolicy:           awscloudfront.CachePolicy_CACHING_DISABLED(),
		ResponseHeadersPolicy: s.Headers,
	}
}
