// Package tabledef describes a DynamoDB table as data: string keys, on-demand billing,
// global secondary indexes projecting everything, an optional TTL attribute. Each area
// defines its tables with it, and the CDK data stack and the local bootstrap both build
// from those definitions, so a table created on moto has the shape of the deployed one.
package tabledef

// Table describes a DynamoDB table.
type Table struct {
	Name         string
	PartitionKey string
	SortKey      string
	GSIs         []GSI
	// TTLAttribute names the epoch-seconds attribute DynamoDB expires items by.
	TTLAttribute string
}

// GSI is a global secondary index projecting all attributes.
type GSI struct {
	Name         string
	PartitionKey string
	SortKey      string
}
