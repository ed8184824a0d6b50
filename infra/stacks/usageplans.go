package stacks

import (
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/bank/devportal/shared/portal/apps"
)

// UsagePlansVariable names the TPP API's usage plans to the portal functions that keep
// the apps' usage keys in them (config.Config.UsagePlanIDs: a JSON object from
// apps.UsagePlanKey to the usage plan's ID), set per function rather than in
// FunctionEnvironment.
const UsagePlansVariable = "USAGE_PLAN_IDS"

// usagePlanMethods are the API Gateway calls of keeping usage keys (route.UsagePlans),
// as IAM names them (apigateway:<HTTP method>): GetApiKeys and GetUsage; CreateApiKey and
// CreateUsagePlanKey; DeleteApiKey and DeleteUsagePlanKey.
var usagePlanMethods = []string{"GET", "POST", "DELETE"}

// UseUsagePlans gives the portal functions whose routes keep usage keys the TPP API's
// usage plans: their IDs in USAGE_PLAN_IDS and the API Gateway calls their code makes
// (Access.UsagePlans), each on the API keys and on those usage plans only. Without a TPP
// API the functions have neither, and keep no usage keys.
func (s *PortalAPIStack) UseUsagePlans(tpp *TPPAPIStack) {
	ids := map[string]interface{}{}
	for _, name := range sortedKeys(tpp.UsagePlans) {
		ids[UsagePlanKeyOf(tpp, name)] = tpp.UsagePlans[name].UsagePlanId()
	}
	s.UsagePlanIDs = s.ToJsonString(ids, nil)
	grantUsagePlans(tpp, s.Functions, s.UsagePlanIDs)
}

// grantUsagePlans gives each of fns whose route keeps usage keys the usage plans' IDs
// and the API Gateway calls it makes, on the API keys and those usage plans only.
func grantUsagePlans(tpp *TPPAPIStack, fns map[string]awslambda.Function, usagePlanIDs *string) {
	arn := func(path ...*string) *string {
		return awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String("arn:"), awscdk.Aws_PARTITION(), jsii.String(":apigateway:"), awscdk.Aws_REGION(),
			awscdk.Fn_Join(jsii.String(""), &path)})
	}
	resources := map[string][]*string{
		"GET":    {arn(jsii.String("::/apikeys"))},
		"POST":   {arn(jsii.String("::/apikeys"))},
		"DELETE": {arn(jsii.String("::/apikeys/*"))},
	}
	for _, name := range sortedKeys(tpp.UsagePlans) {
		id := tpp.UsagePlans[name].UsagePlanId()
		plan := func(suffix string) *string { return arn(jsii.String("::/usageplans/"), id, jsii.String(suffix)) }
		resources["GET"] = append(resources["GET"], plan("/usage"))
		resources["POST"] = append(resources["POST"], plan("/keys"))
		resources["DELETE"] = append(resources["DELETE"], plan("/keys/*"))
	}
	for _, name := range sortedKeys(fns) {
		access, _ := FunctionAccess(name)
		if len(access.UsagePlans) == 0 {
			continue
		}
		fn := fns[name]
		fn.AddEnvironment(jsii.String(UsagePlansVariable), usagePlanIDs, nil)
		for _, method := range usagePlanMethods {
			if !slices.Contains(access.UsagePlans, method) {
				continue
			}
			res := resources[method]
			fn.Role().AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Actions:   jsii.Strings("apigateway:" + method),
				Resources: &res,
			}))
		}
		cdknag.NagSuppressions_AddResourceSuppressions(fn.Role(), &[]*cdknag.NagPackSuppression{{
			Id: jsii.String("AwsSolutions-IAM5"),
			Reason: jsii.String("API Gateway names an API key by an ID it makes when the key is created, so deleting the " +
				"apps' usage keys (and their usage-plan memberships) cannot name them in advance; the statement allows " +
				"only DELETE, on API keys and on the TPP API's own usage plans."),
			AppliesTo: &[]interface{}{&cdknag.RegexAppliesTo{Regex: jsii.String(`/^Resource::arn:<AWS::Partition>:apigateway:<AWS::Region>::\/(apikeys|usageplans\/.*\/keys)\/\*$/g`)}},
		}}, jsii.Bool(true))
	}
}

// UsagePlanKeyOf is the USAGE_PLAN_IDS name of the TPP API's usage plan of productID:
// the plan of the API's environment (apps.UsagePlanKey).
func UsagePlanKeyOf(tpp *TPPAPIStack, productID string) string {
	p, _ := apps.ProductByID(productID)
	return apps.UsagePlanKey(productID, p.PlanFor(tpp.Environment).ID)
}
