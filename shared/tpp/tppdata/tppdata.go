// Package tppdata is the TPP API's DynamoDB table: OAuth2 state (codes, PAR requests,
// tokens, refresh-token families), consents, payments and the sandbox bank's ledger, apart
// from the portal's table so that neither area's functions can reach the other's data.
// Items expire through TTL where the protocol gives them a lifetime.
package tppdata

import (
	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/platform/tabledef"
)

// Attribute and index names of the TPP table.
const (
	AttrPK     = "PK"
	AttrSK     = "SK"
	AttrGSI1PK = "GSI1PK"
	AttrGSI1SK = "GSI1SK"
	IndexGSI1  = "GSI1"
	// AttrTTL holds an epoch-seconds expiry DynamoDB's TTL deletes after.
	AttrTTL = "ttl"
)

// Table is the TPP API's table, named by TPP_TABLE.
func Table(c config.Config) tabledef.Table {
	return tabledef.Table{
		Name:         c.TPPTable,
		PartitionKey: AttrPK,
		SortKey:      AttrSK,
		GSIs:         []tabledef.GSI{{Name: IndexGSI1, PartitionKey: AttrGSI1PK, SortKey: AttrGSI1SK}},
		TTLAttribute: AttrTTL,
	}
}

// Owner is the app a TPP resource (a consent, a payment) belongs to, as the caller check
// named it: only that app sees the resource.
type Owner struct {
	AppID       string
	OrgID       string
	Environment string
}
