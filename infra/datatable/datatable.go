// Package datatable builds a DynamoDB table from its definition in shared/portal/resources, so the
// deployed table and the one the local bootstrap creates on moto cannot differ in keys,
// indexes or TTL.
package datatable

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/bank/devportal/shared/portal/resources"
)

// New adds the table def describes to scope under id. The id, not def.Name, decides the
// CloudFormation logical ID, so renaming a table through configuration does not also move
// it to a new place in the template.
//
// Every portal table holds customer data, so the settings below are not options: on-demand
// billing (traffic is spiky and small), point-in-time recovery, encryption under the
// AWS-managed key (auditable in CloudTrail, no key of ours to rotate), deletion protection,
// and RETAIN so that neither a stack deletion nor a replacement drops the data.
func New(scope constructs.Construct, id string, def resources.Table) awsdynamodb.Table {
	props := &awsdynamodb.TableProps{
		TableName:    jsii.String(def.Name),
		PartitionKey: stringKey(def.PartitionKey),
		BillingMode:  awsdynamodb.BillingMode_PAY_PER_REQUEST,
		PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
			PointInTimeRecoveryEnabled: jsii.Bool(true),
		},
		Encryption:         awsdynamodb.TableEncryption_AWS_MANAGED,
		DeletionProtection: jsii.Bool(true),
		RemovalPolicy:      awscdk.RemovalPolicy_RETAIN,
	}
	if def.SortKey != "" {
		props.SortKey = stringKey(def.SortKey)
	}
	if def.TTLAttribute != "" {
		props.TimeToLiveAttribute = jsii.String(def.TTLAttribute)
	}
	table := awsdynamodb.NewTable(scope, jsii.String(id), props)
	for _, g := range def.GSIs {
		gsi := &awsdynamodb.GlobalSecondaryIndexProps{
			IndexName:      jsii.String(g.Name),
			PartitionKey:   stringKey(g.PartitionKey),
			ProjectionType: awsdynamodb.ProjectionType_ALL,
		}
		if g.SortKey != "" {
			gsi.SortKey = stringKey(g.SortKey)
		}
		table.AddGlobalSecondaryIndex(gsi)
	}
	return table
}

// stringKey is a key attribute; every key of the definitions is a string (resources.Table).
func stringKey(name string) *awsdynamodb.Attribute {
	return &awsdynamodb.Attribute{Name: jsii.String(name), Type: awsdynamodb.AttributeType_STRING}
}
