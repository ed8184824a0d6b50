package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awswafv2"
	"github.com/aws/jsii-runtime-go"
)

// wafVisibility is a web ACL's or rule's CloudWatch metric and sampled requests.
func wafVisibility(metric string) *awswafv2.CfnWebACL_VisibilityConfigProperty {
	return &awswafv2.CfnWebACL_VisibilityConfigProperty{
		CloudWatchMetricsEnabled: jsii.Bool(true),
		MetricName:               jsii.String(metric),
		SampledRequestsEnabled:   jsii.Bool(true),
	}
}

// commonRuleSet is AWS's common rule set as a web ACL's first rule, with the one of its
// rules that the API's legitimate callers would trip (counted, not blocked).
func commonRuleSet(metric, counted string) *awswafv2.CfnWebACL_RuleProperty {
	return &awswafv2.CfnWebACL_RuleProperty{
		Name:     jsii.String("AWSManagedRulesCommonRuleSet"),
		Priority: jsii.Number(0),
		Statement: &awswafv2.CfnWebACL_StatementProperty{
			ManagedRuleGroupStatement: &awswafv2.CfnWebACL_ManagedRuleGroupStatementProperty{
				VendorName: jsii.String("AWS"),
				Name:       jsii.String("AWSManagedRulesCommonRuleSet"),
				RuleActionOverrides: &[]interface{}{&awswafv2.CfnWebACL_RuleActionOverrideProperty{
					Name:        jsii.String(counted),
					ActionToUse: &awswafv2.CfnWebACL_RuleActionProperty{Count: &awswafv2.CfnWebACL_CountActionProperty{}},
				}},
			},
		},
		OverrideAction:   &awswafv2.CfnWebACL_OverrideActionProperty{None: map[string]interface{}{}},
		VisibilityConfig: wafVisibility(metric),
	}
}
