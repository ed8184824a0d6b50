package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awswafv2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/bank/devportal/shared/portal/routes"
)

// EdgeRegion is where CloudFront's web ACLs must live, whatever the region of the app.
const EdgeRegion = "us-east-1"

// Portal web ACL's rate rules: requests per client IP in a window of PortalWAFWindowSeconds.
const (
	// PortalWAFWindowSeconds is the rate rules' evaluation window.
	PortalWAFWindowSeconds = 300
	// PortalWAFRateLimit bounds everything one address sends the portal: far above a
	// person's browsing (the SPA's files are cached in the browser), low enough that a
	// flood from one address stops at the edge.
	PortalWAFRateLimit = 2000
	// PortalWAFAuthRateLimit bounds one address's sign-in, sign-up, forgot-password and
	// resend-activation requests. It backs up the portal's own limits (account.Attempts:
	// 50 sign-ins per address in 15 minutes, 20 of each mail form per address an hour),
	// which answer 429 themselves: above them, so that a person never meets it first, it
	// stops a flood before each request costs a function run and a table write.
	PortalWAFAuthRateLimit = 100
)

// PortalWAFAuthRoutes are the routes the tighter rate rule counts, by the route table's
// names: sign-in (both steps), sign-up, forgot-password and resend-activation.
var PortalWAFAuthRoutes = []string{"auth-login", "auth-login-mfa", "auth-signup", "auth-forgot-password", "auth-resend-activation"}

// PortalWAFAuthPaths are those routes' paths, from the route table.
func PortalWAFAuthPaths() []string {
	var paths []string
	for _, name := range PortalWAFAuthRoutes {
		rt, err := routes.ByName(name)
		if err != nil {
			panic(err)
		}
		paths = append(paths, rt.Path)
	}
	return paths
}

// RateLimitedBody is the JSON body of the rate rules' 429: the API's error shape.
const RateLimitedBody = `{"code":"RATE_LIMITED","message":"Too many requests from your network. Try again in a few minutes."}`

// EdgeStack holds what the portal's CloudFront distribution needs from EdgeRegion: its web
// ACL. The frontend stack reads the ACL's ARN through CDK's cross-region references.
type EdgeStack struct {
	awscdk.Stack
	// WebACL is the distribution's web ACL (scope CLOUDFRONT).
	WebACL awswafv2.CfnWebACL
}

// NewEdgeStack adds the edge stack to scope, in EdgeRegion of env's account.
func NewEdgeStack(scope constructs.Construct, id string, env *awscdk.Environment) *EdgeStack {
	edgeEnv := &awscdk.Environment{Region: jsii.String(EdgeRegion)}
	if env != nil {
		edgeEnv.Account = env.Account
	}
	stack := awscdk.NewStack(scope, jsii.String(id), stackProps(edgeEnv, "Developer portal: the web ACL of CloudFront, in us-east-1"))
	return &EdgeStack{Stack: stack, WebACL: newPortalWebACL(stack)}
}

// newPortalWebACL is the distribution's web ACL: AWS's common rule set, a rate rule per
// client IP over everything, and a tighter one over the public account forms, both
// answering 429.
func newPortalWebACL(stack awscdk.Stack) awswafv2.CfnWebACL {
	tooMany := &awswafv2.CfnWebACL_RuleActionProperty{Block: &awswafv2.CfnWebACL_BlockActionProperty{
		CustomResponse: &awswafv2.CfnWebACL_CustomResponseProperty{
			ResponseCode:          jsii.Number(429),
			CustomResponseBodyKey: jsii.String("rate-limited"),
			ResponseHeaders: &[]interface{}{&awswafv2.CfnWebACL_CustomHTTPHeaderProperty{
				Name: jsii.String("Retry-After"), Value: jsii.String("300"),
			}},
		},
	}}
	var authPaths []interface{}
	for _, path := range PortalWAFAuthPaths() {
		authPaths = append(authPaths, &awswafv2.CfnWebACL_StatementProperty{
			ByteMatchStatement: &awswafv2.CfnWebACL_ByteMatchStatementProperty{
				FieldToMatch:         &awswafv2.CfnWebACL_FieldToMatchProperty{UriPath: map[string]interface{}{}},
				PositionalConstraint: jsii.String("EXACTLY"),
				SearchString:         jsii.String(path),
				TextTransformations: &[]interface{}{&awswafv2.CfnWebACL_TextTransformationProperty{
					Priority: jsii.Number(0), Type: jsii.String("NONE"),
				}},
			},
		})
	}
	return awswafv2.NewCfnWebACL(stack, jsii.String("PortalWebAcl"), &awswafv2.CfnWebACLProps{
		Description:      jsii.String("Developer portal on CloudFront: AWS common rule set, per-IP rate limits"),
		Scope:            jsii.String("CLOUDFRONT"),
		DefaultAction:    &awswafv2.CfnWebACL_DefaultActionProperty{Allow: &awswafv2.CfnWebACL_AllowActionProperty{}},
		VisibilityConfig: wafVisibility("PortalWebAcl"),
		CustomResponseBodies: map[string]interface{}{
			"rate-limited": &awswafv2.CfnWebACL_CustomResponseBodyProperty{
				ContentType: jsii.String("APPLICATION_JSON"),
				Content:     jsii.String(RateLimitedBody),
			},
		},
		Rules: &[]interface{}{
			// Onboarding and certificate uploads send PEM certificates (with
			// their chains) in JSON bodies that can exceed the rule's 8 KB; the
			// API bounds and validates every body itself.
			commonRuleSet("PortalCommonRuleSet", "SizeRestrictions_BODY"),
			&awswafv2.CfnWebACL_RuleProperty{
				Name:     jsii.String("AuthFormsRatePerIP"),
				Priority: jsii.Number(1),
				Statement: &awswafv2.CfnWebACL_StatementProperty{
					RateBasedStatement: &awswafv2.CfnWebACL_RateBasedStatementProperty{
						Limit:               jsii.Number(PortalWAFAuthRateLimit),
						AggregateKeyType:    jsii.String("IP"),
						EvaluationWindowSec: jsii.Number(PortalWAFWindowSeconds),
						ScopeDownStatement: &awswafv2.CfnWebACL_StatementProperty{
							OrStatement: &awswafv2.CfnWebACL_OrStatementProperty{Statements: &authPaths},
						},
					},
				},
				Action:           tooMany,
				VisibilityConfig: wafVisibility("PortalAuthFormsRatePerIP"),
			},
			&awswafv2.CfnWebACL_RuleProperty{
				Name:     jsii.String("RatePerIP"),
				Priority: jsii.Number(2),
				Statement: &awswafv2.CfnWebACL_StatementProperty{
					RateBasedStatement: &awswafv2.CfnWebACL_RateBasedStatementProperty{
						Limit:               jsii.Number(PortalWAFRateLimit),
						AggregateKeyType:    jsii.String("IP"),
						EvaluationWindowSec: jsii.Number(PortalWAFWindowSeconds),
					},
				},
				Action:           tooMany,
				VisibilityConfig: wafVisibility("PortalRatePerIP"),
			},
		},
	})
}
