package stacks

import (
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfrontorigins"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3deployment"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/bank/devportal/shared/platform/httpapi"
	"github.com/bank/devportal/shared/tpp/bankpages"
	tpproutes "github.com/bank/devportal/shared/tpp/routes"
)

// FrontendProps configure the frontend stack.
type FrontendProps struct {
	// Env is the stack's environment; nil for an environment-agnostic synthesis.
	Env *awscdk.Environment
	// PortalAPI is the API the distribution serves under /api/, on the SPA's own origin.
	PortalAPI *PortalAPIStack
	// Identity holds the origin secret the distribution sends the portal API.
	Identity *IdentityStack
	// WebACLArn is the distribution's web ACL (EdgeStack's, in EdgeRegion).
	WebACLArn *string
	// CRL serves the sandbox CA's CRL (a sandbox deployment) from a bucket of its own.
	CRL bool
	// AssetDir is the built SPA (`make frontend` writes frontend/dist), uploaded to the
	// bucket as it is. CDK hashes the directory at synthesis, so it must exist then; the
	// tests pass a small fixture (testdata/frontend) instead of building the SPA.
	AssetDir string
}

// FrontendStack serves the portal: the SPA from a private S3 bucket through CloudFront
// with origin access control, and the portal API under /api/* from the same distribution,
// so that the browser sees one origin (the session cookie is SameSite=Strict and the API
// has no CORS).
type FrontendStack struct {
	awscdk.Stack
	// Bucket holds the built SPA; only the distribution may read it.
	Bucket awss3.Bucket
	// Logs receives the bucket's server access logs and the distribution's standard logs.
	Logs awss3.Bucket
	// CRL holds the sandbox CA's CRL (CRLBucketName), served at config.CRLPath; nil
	// without a sandbox CA.
	CRL awss3.Bucket
	// Distribution is the CloudFront distribution in front of the bucket and the API.
	Distribution awscloudfront.Distribution
	// Headers is the security-headers policy of every response but the bank pages'.
	Headers awscloudfront.ResponseHeadersPolicy
	// BankPagesHeaders is the security-headers policy of the authorization endpoint's and
	// the bank pages' responses (BrowserPaths).
	BankPagesHeaders awscloudfront.ResponseHeadersPolicy
	// ReferenceHeaders is the security-headers policy of the TPP API reference's document
	// (ReferencePath).
	ReferenceHeaders awscloudfront.ResponseHeadersPolicy
	// SPAFallback rewrites the SPA's client-side routes to /index.html.
	SPAFallback awscloudfront.Function
	// URL is the portal's address (the distribution's domain), for PORTAL_URL.
	URL *string
}

// ContentSecurityPolicy is the portal's CSP: everything from the portal's own origin only.
// The SPA calls the API on that same origin (/api/* is a behavior of the distribution), so
// connect-src 'self' is the portal's own API and nothing else; the build has no inline
// script or style (Vite emits files), and nothing may frame the portal.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; " +
	"frame-ancestors 'none'; upgrade-insecure-requests"

// ReferencePath is the TPP API reference's own document (frontend/docs/reference.html),
// which the portal's /docs/tpp-api page frames.
const ReferencePath = "/docs/reference.html"

// ReferenceCSP is that document's policy: the portal's, but for two things. Redoc styles
// itself with styled-components, which inserts <style> elements at run time, so inline
// styles are allowed there (and only there: no portal page, session or secret runs in
// that document); and the portal itself may frame it. Scripts stay the build's files.
const ReferenceCSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'none'; " +
	"frame-ancestors 'self'; upgrade-insecure-requests"

// BrowserPaths are the distribution's behaviors for the TPP area's browser routes
// (tpproutes.Browser): the authorization endpoint and the sandbox bank's pages.
var BrowserPaths = []string{tpproutes.AuthorizePath, bankpages.CookiePath + "/*"}

// BankPagesCSP is the policy of the browser routes' responses that bring none of their
// own (the authorization endpoint's redirects and errors): nothing to load, frame or
// submit. The bank's pages send a stricter one of their own, which is kept.
const BankPagesCSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// newBankPagesHeaders is the headers policy of the browser routes: HSTS and nosniff
// always; the CSP, frame and referrer headers only where the response has none.
func newBankPagesHeaders(stack awscdk.Stack) awscloudfront.ResponseHeadersPolicy {
	return awscloudfront.NewResponseHeadersPolicy(stack, jsii.String("BankPagesHeaders"), &awscloudfront.ResponseHeadersPolicyProps{
		Comment: jsii.String("Sandbox bank and OAuth2 authorization endpoint: HSTS, nosniff; the pages' own CSP kept"),
		SecurityHeadersBehavior: &awscloudfront.ResponseSecurityHeadersBehavior{
			StrictTransportSecurity: &awscloudfront.ResponseHeadersStrictTransportSecurity{
				AccessControlMaxAge: awscdk.Duration_Days(jsii.Number(hstsMaxAgeDays)),
				IncludeSubdomains:   jsii.Bool(true),
				Override:            jsii.Bool(true),
			},
			ContentSecurityPolicy: &awscloudfront.ResponseHeadersContentSecurityPolicy{
				ContentSecurityPolicy: jsii.String(BankPagesCSP),
				Override:              jsii.Bool(false),
			},
			FrameOptions: &awscloudfront.ResponseHeadersFrameOptions{
				FrameOption: awscloudfront.HeadersFrameOption_DENY,
				Override:    jsii.Bool(false),
			},
			ContentTypeOptions: &awscloudfront.ResponseHeadersContentTypeOptions{Override: jsii.Bool(true)},
			ReferrerPolicy: &awscloudfront.ResponseHeadersReferrerPolicy{
				ReferrerPolicy: awscloudfront.HeadersReferrerPolicy_NO_REFERRER,
				Override:       jsii.Bool(false),
			},
		},
	})
}

// hstsMaxAgeDays is HSTS's max-age: two years, the preload list's minimum, as the
// portal is only ever served over HTTPS.
const hstsMaxAgeDays = 730

// SPAFallbackCode is the CloudFront Function (viewer request, default behavior only) that
// serves index.html for the SPA's routes: a path whose last segment has no file extension
// (/apps, /organizations/o-1/apps/a-1) is a client-side route, anything else (/assets/x.js,
// /favicon.ico) is a file. It stands in for the usual 403/404 → 200 /index.html error
// responses, which CloudFront applies to the whole distribution and so would turn the
// API's own 403 and 404 JSON answers under /api/* into 200 HTML pages.
const SPAFallbackCode = `function handler(event) {
  var request = event.request;
  var last = request.uri.substring(request.uri.lastIndexOf('/') + 1);
  if (last.indexOf('.') === -1) {
    request.uri = '/index.html';
  }
  return request;
}
`

// NewFrontendStack adds the frontend stack to scope.
func NewFrontendStack(scope constructs.Construct, id string, props FrontendProps) *FrontendStack {
	if props.PortalAPI == nil {
		panic("stacks: FrontendProps needs the PortalAPI stack")
	}
	if props.AssetDir == "" {
		panic("stacks: FrontendProps.AssetDir is empty")
	}
	if props.Identity == nil || props.WebACLArn == nil {
		panic("stacks: FrontendProps needs the Identity stack and the web ACL")
	}
	sp := stackProps(props.Env, "Developer portal: SPA on S3 behind CloudFront")
	// The web ACL lives in EdgeRegion: CDK carries its ARN across regions (an SSM
	// parameter its edge stack writes here, and a reader this stack resolves it with).
	sp.CrossRegionReferences = jsii.Bool(true)
	stack := awscdk.NewStack(scope, jsii.String(id), sp)
	// Strong, as elsewhere: the API cannot go while the distribution still routes to it.
	awscdk.CrossStackReferences_Of(stack).Consume(awscdk.ReferenceStrength_STRONG)
	s := &FrontendStack{Stack: stack}

	s.Logs = awss3.NewBucket(stack, jsii.String("AccessLogs"), &awss3.BucketProps{
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		EnforceSSL:        jsii.Bool(true),
		// CloudFront's standard logs are delivered with an ACL, which needs ACLs enabled.
		ObjectOwnership: awss3.ObjectOwnership_BUCKET_OWNER_PREFERRED,
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Expiration: awscdk.Duration_Days(jsii.Number(logBucketDays)),
		}},
	})

	s.Bucket = awss3.NewBucket(stack, jsii.String("Site"), &awss3.BucketProps{
		BlockPublicAccess:      awss3.BlockPublicAccess_BLOCK_ALL(),
		Encryption:             awss3.BucketEncryption_S3_MANAGED,
		EnforceSSL:             jsii.Bool(true),
		Versioned:              jsii.Bool(true),
		ServerAccessLogsBucket: s.Logs,
		ServerAccessLogsPrefix: jsii.String("site/"),
		// Old versions of replaced files are only for rolling back a bad deployment.
		LifecycleRules: &[]*awss3.LifecycleRule{{
			NoncurrentVersionExpiration: awscdk.Duration_Days(jsii.Number(30)),
		}},
	})

	s.Headers = awscloudfront.NewResponseHeadersPolicy(stack, jsii.String("SecurityHeaders"), &awscloudfront.ResponseHeadersPolicyProps{
		Comment: jsii.String("Developer portal: HSTS, CSP, frame and content-type protection, referrer policy"),
		SecurityHeadersBehavior: &awscloudfront.ResponseSecurityHeadersBehavior{
			StrictTransportSecurity: &awscloudfront.ResponseHeadersStrictTransportSecurity{
				AccessControlMaxAge: awscdk.Duration_Days(jsii.Number(hstsMaxAgeDays)),
				IncludeSubdomains:   jsii.Bool(true),
				Override:            jsii.Bool(true),
			},
			ContentSecurityPolicy: &awscloudfront.ResponseHeadersContentSecurityPolicy{
				ContentSecurityPolicy: jsii.String(ContentSecurityPolicy),
				Override:              jsii.Bool(true),
			},
			FrameOptions: &awscloudfront.ResponseHeadersFrameOptions{
				FrameOption: awscloudfront.HeadersFrameOption_DENY,
				Override:    jsii.Bool(true),
			},
			ContentTypeOptions: &awscloudfront.ResponseHeadersContentTypeOptions{Override: jsii.Bool(true)},
			ReferrerPolicy: &awscloudfront.ResponseHeadersReferrerPolicy{
				ReferrerPolicy: awscloudfront.HeadersReferrerPolicy_STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
				Override:       jsii.Bool(true),
			},
		},
	})

	// The reference's document: the portal's headers, but its own CSP (ReferenceCSP) and
	// framing by the portal's own pages only.
	s.ReferenceHeaders = awscloudfront.NewResponseHeadersPolicy(stack, jsii.String("ReferenceHeaders"), &awscloudfront.ResponseHeadersPolicyProps{
		Comment: jsii.String("TPP API reference document: the portal's headers, inline styles allowed, framed by the portal"),
		SecurityHeadersBehavior: &awscloudfront.ResponseSecurityHeadersBehavior{
			StrictTransportSecurity: &awscloudfront.ResponseHeadersStrictTransportSecurity{
				AccessControlMaxAge: awscdk.Duration_Days(jsii.Number(hstsMaxAgeDays)),
				IncludeSubdomains:   jsii.Bool(true),
				Override:            jsii.Bool(true),
			},
			ContentSecurityPolicy: &awscloudfront.ResponseHeadersContentSecurityPolicy{
				ContentSecurityPolicy: jsii.String(ReferenceCSP),
				Override:              jsii.Bool(true),
			},
			FrameOptions: &awscloudfront.ResponseHeadersFrameOptions{
				FrameOption: awscloudfront.HeadersFrameOption_SAMEORIGIN,
				Override:    jsii.Bool(true),
			},
			ContentTypeOptions: &awscloudfront.ResponseHeadersContentTypeOptions{Override: jsii.Bool(true)},
			ReferrerPolicy: &awscloudfront.ResponseHeadersReferrerPolicy{
				ReferrerPolicy: awscloudfront.HeadersReferrerPolicy_STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
				Override:       jsii.Bool(true),
			},
		},
	})

	s.SPAFallback = awscloudfront.NewFunction(stack, jsii.String("SpaFallback"), &awscloudfront.FunctionProps{
		Comment: jsii.String("Serves /index.html for the SPA's client-side routes"),
		Code:    awscloudfront.FunctionCode_FromInline(jsii.String(SPAFallbackCode)),
		Runtime: awscloudfront.FunctionRuntime_JS_2_0(),
	})

	// The API's custom domain, or its execute-api endpoint's host.
	apiHost := props.PortalAPI.OriginHost
	// The headers the API reads, and the viewer's address as CloudFront sets it (the
	// public forms' limits count by it; a client cannot set it). Not the Host header:
	// API Gateway routes by its own host name.
	apiRequests := awscloudfront.NewOriginRequestPolicy(stack, jsii.String("ApiOriginRequest"), &awscloudfront.OriginRequestPolicyProps{
		Comment:             jsii.String("The portal API's headers, cookies and query strings, with the viewer's address"),
		HeaderBehavior:      awscloudfront.OriginRequestHeaderBehavior_AllowList(*jsii.Strings(APIOriginHeaders...)...),
		CookieBehavior:      awscloudfront.OriginRequestCookieBehavior_All(),
		QueryStringBehavior: awscloudfront.OriginRequestQueryStringBehavior_All(),
	})
	api := &awscloudfront.BehaviorOptions{
		Origin: awscloudfrontorigins.NewHttpOrigin(apiHost, &awscloudfrontorigins.HttpOriginProps{
			ProtocolPolicy:     awscloudfront.OriginProtocolPolicy_HTTPS_ONLY,
			OriginSslProtocols: &[]awscloudfront.OriginSslPolicy{awscloudfront.OriginSslPolicy_TLS_V1_2},
			// The API's functions refuse a request without it (httpapi.RequireOrigin):
			// CloudFront, behind its web ACL, is the only way in. CloudFormation resolves
			// the secret when it deploys the distribution; a viewer's header of that name
			// is replaced.
			CustomHeaders: &map[string]*string{
				httpapi.OriginVerifyHeader: props.Identity.OriginSecret.SecretValue().UnsafeUnwrap(),
			},
		}),
		ViewerProtocolPolicy: awscloudfront.ViewerProtocolPolicy_HTTPS_ONLY,
		AllowedMethods:       awscloudfront.AllowedMethods_ALLOW_ALL(),
		// Every answer is per session: nothing is cached, and cookies, query strings and
		// the headers the API reads (the CSRF header) reach it.
		CachePolicy:           awscloudfront.CachePolicy_CACHING_DISABLED(),
		OriginRequestPolicy:   apiRequests,
		ResponseHeadersPolicy: s.Headers,
	}
	behaviors := map[string]*awscloudfront.BehaviorOptions{"/api/*": api}
	// The TPP area's browser-reachable origin is the portal's own domain: the
	// authorization endpoint and the sandbox bank's pages, served by the same HTTP API,
	// uncached, with cookies (the bank's session) and query strings (the authorization
	// request) passed on. The bank's pages send their own Content-Security-Policy, which
	// must let a decision's form go on to the app's redirect URI, so their responses get
	// the headers policy that does not replace it.
	s.BankPagesHeaders = newBankPagesHeaders(stack)
	for _, path := range BrowserPaths {
		b := *api
		b.ResponseHeadersPolicy = s.BankPagesHeaders
		behaviors[path] = &b
	}
	// The SPA's files, the reference's document among them, come from the bucket: one
	// origin for both behaviors.
	site := awscloudfrontorigins.S3BucketOrigin_WithOriginAccessControl(s.Bucket, nil)
	behaviors[ReferencePath] = &awscloudfront.BehaviorOptions{
		Origin:                site,
		ViewerProtocolPolicy:  awscloudfront.ViewerProtocolPolicy_REDIRECT_TO_HTTPS,
		CachePolicy:           awscloudfront.CachePolicy_CACHING_OPTIMIZED(),
		ResponseHeadersPolicy: s.ReferenceHeaders,
	}
	if props.CRL {
		path, crl := s.addCRL()
		behaviors[path] = crl
	}
	s.Distribution = awscloudfront.NewDistribution(stack, jsii.String("Distribution"), &awscloudfront.DistributionProps{
		Comment:           jsii.String("Developer portal"),
		DefaultRootObject: jsii.String("index.html"),
		DefaultBehavior: &awscloudfront.BehaviorOptions{
			Origin:                site,
			ViewerProtocolPolicy:  awscloudfront.ViewerProtocolPolicy_REDIRECT_TO_HTTPS,
			CachePolicy:           awscloudfront.CachePolicy_CACHING_OPTIMIZED(),
			ResponseHeadersPolicy: s.Headers,
			FunctionAssociations: &[]*awscloudfront.FunctionAssociation{{
				EventType: awscloudfront.FunctionEventType_VIEWER_REQUEST,
				Function:  s.SPAFallback,
			}},
		},
		AdditionalBehaviors: &behaviors,
		HttpVersion:         awscloudfront.HttpVersion_HTTP2_AND_3,
		// Europe and North America: the bank's TPPs are in the EEA.
		PriceClass:    awscloudfront.PriceClass_PRICE_CLASS_100,
		EnableLogging: jsii.Bool(true),
		LogBucket:     s.Logs,
		LogFilePrefix: jsii.String("cloudfront/"),
		// Cookies are the session: they stay out of the logs.
		LogIncludesCookies: jsii.Bool(false),
		WebAclId:           props.WebACLArn,
	})
	cdknag.NagSuppressions_AddResourceSuppressions(s.Distribution, &[]*cdknag.NagPackSuppression{
		{
			Id: jsii.String("AwsSolutions-CFR1"),
			Reason: jsii.String("No geo restriction: the portal is for TPPs across the EEA and beyond; sign-up, " +
				"onboarding with eIDAS certificates and operations approval decide who gets in."),
		},
		{
			Id: jsii.String("AwsSolutions-CFR4"),
			Reason: jsii.String("The distribution uses CloudFront's default *.cloudfront.net certificate, whose " +
				"security policy CloudFront fixes (CDK ignores a minimum protocol version without a certificate); " +
				"a custom domain with its ACM certificate should set TLSv1.2_2021."),
		},
	}, jsii.Bool(false))

	deployment := awss3deployment.NewBucketDeployment(stack, jsii.String("Deploy"), &awss3deployment.BucketDeploymentProps{
		Sources:           &[]awss3deployment.ISource{awss3deployment.Source_Asset(jsii.String(props.AssetDir), nil)},
		DestinationBucket: s.Bucket,
		// Files of an older build are removed; their versions stay for a rollback.
		Prune: jsii.Bool(true),
		// index.html names the hashed asset files of its build, so every path is
		// invalidated after an upload.
		Distribution:      s.Distribution,
		DistributionPaths: jsii.Strings("/*"),
		MemoryLimit:       jsii.Number(512),
	})
	suppressBucketDeployment(stack, deployment)

	s.URL = jsii.String("https://" + *s.Distribution.DistributionDomainName())
	awscdk.NewCfnOutput(stack, jsii.String("PortalUrl"), &awscdk.CfnOutputProps{
		Value:       s.URL,
		Description: jsii.String("Address of the portal (CloudFront); set PORTAL_URL to it or to the custom domain in front of it"),
	})
	awscdk.NewCfnOutput(stack, jsii.String("DistributionId"), &awscdk.CfnOutputProps{
		Value:       s.Distribution.DistributionId(),
		Description: jsii.String("ID of the portal's CloudFront distribution"),
	})
	return s
}

// logBucketDays is how long access logs are kept: a quarter, for incident investigation.
const logBucketDays = 90

// suppressBucketDeployment explains the findings on the CDK-provided function that copies
// the SPA into the bucket: a singleton whose construct ID starts with
// Custom::CDKBucketDeployment, with a role CDK writes.
func suppressBucketDeployment(stack awscdk.Stack, deployment awss3deployment.BucketDeployment) {
	suppressions := &[]*cdknag.NagPackSuppression{
		{
			Id: jsii.String("AwsSolutions-IAM4"),
			Reason: jsii.String("CDK's BucketDeployment handler runs only during deployment and comes with the " +
				"AWS-managed AWSLambdaBasicExecutionRole for its logs; the role is CDK's own."),
			AppliesTo: &[]interface{}{"Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"},
		},
		{
			Id: jsii.String("AwsSolutions-IAM5"),
			Reason: jsii.String("CDK's BucketDeployment grants its handler s3:GetObject*/List*/DeleteObject*/Abort* " +
				"on the CDK asset bucket and the site bucket (object wildcards: it copies and prunes every " +
				"file of the build) and cloudfront:CreateInvalidation, which has no resource-level scoping " +
				"beyond the distribution."),
		},
		{
			Id: jsii.String("AwsSolutions-L1"),
			Reason: jsii.String("The BucketDeployment handler's runtime is the one CDK pins and tests with its " +
				"bundled AWS CLI layer; it runs only while a deployment copies files."),
		},
	}
	cdknag.NagSuppressions_AddResourceSuppressions(deployment, suppressions, jsii.Bool(true))
	for _, child := range *stack.Node().Children() {
		if strings.HasPrefix(*child.Node().Id(), "Custom::CDKBucketDeployment") {
			cdknag.NagSuppressions_AddResourceSuppressions(child, suppressions, jsii.Bool(true))
		}
	}
}

// APIOriginHeaders are the viewer's headers CloudFront passes to the portal API (and the
// sandbox bank's pages), with CloudFront's own CloudFront-Viewer-Address.
var APIOriginHeaders = []string{"Accept", "Accept-Language", "Content-Type", "Origin", "Referer", "User-Agent",
	"X-CSRF-Token", "X-Request-ID", "CloudFront-Viewer-Address"}
