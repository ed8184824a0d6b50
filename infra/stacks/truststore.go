package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// TruststoreStack holds the bucket of the TPP API's mutual-TLS truststore: the PEM bundle
// of the CAs whose client certificates API Gateway accepts (the eIDAS QWAC issuers, and
// the sandbox CA in the sandbox). It lives apart from the TPP API because the truststore
// object must exist before the API's custom domain can be created: deploy this stack,
// upload the bundle, then deploy the TPP API with the object's key and version.
type TruststoreStack struct {
	awscdk.Stack
	// Bucket holds the truststore objects; versioned, so that every truststore the API
	// ever used can be named by its version and restored.
	Bucket awss3.Bucket
	// Logs receives the bucket's server access logs.
	Logs awss3.Bucket
}

// NewTruststoreStack adds the truststore stack to scope.
func NewTruststoreStack(scope constructs.Construct, id string, env *awscdk.Environment) *TruststoreStack {
	stack := awscdk.NewStack(scope, jsii.String(id), stackProps(env, "Developer portal: TPP API mutual-TLS truststore bucket"))
	logs := awss3.NewBucket(stack, jsii.String("AccessLogs"), &awss3.BucketProps{
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		EnforceSSL:        jsii.Bool(true),
		LifecycleRules:    &[]*awss3.LifecycleRule{{Expiration: awscdk.Duration_Days(jsii.Number(logBucketDays))}},
	})
	bucket := awss3.NewBucket(stack, jsii.String("Truststore"), &awss3.BucketProps{
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		// SSE-S3: API Gateway reads the truststore with the deploying principal's
		// permissions, which a customer-managed key would also have to grant.
		Encryption:             awss3.BucketEncryption_S3_MANAGED,
		EnforceSSL:             jsii.Bool(true),
		Versioned:              jsii.Bool(true),
		ServerAccessLogsBucket: logs,
		ServerAccessLogsPrefix: jsii.String("truststore/"),
		// Which CA the bank trusted, and when, is audit evidence: the bucket and its old
		// versions stay when the stack goes.
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	awscdk.NewCfnOutput(stack, jsii.String("TruststoreBucketName"), &awscdk.CfnOutputProps{
		Value:       bucket.BucketName(),
		Description: jsii.String("Bucket of the TPP API's truststore: upload the PEM bundle here, then set tppTruststoreKey and tppTruststoreVersion"),
	})
	return &TruststoreStack{Stack: stack, Bucket: bucket, Logs: logs}
}
