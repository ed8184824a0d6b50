// Package resources defines the AWS resources the portal needs, once. The CDK stacks and
// the local bootstrap both build from these definitions, so a table or pool created on
// moto has the same shape as the deployed one.
package resources

import (
	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/platform/tabledef"
	"github.com/bank/devportal/shared/portal/store"
)

// Table describes a DynamoDB table (tabledef.Table).
type Table = tabledef.Table

// GSI is a global secondary index (tabledef.GSI).
type GSI = tabledef.GSI

// PortalTable is the single table of portal data.
func PortalTable(c config.Config) Table {
	return Table{
		Name:         c.PortalTable,
		PartitionKey: store.AttrPK,
		SortKey:      store.AttrSK,
		GSIs: []GSI{
			{Name: store.IndexGSI1, PartitionKey: store.AttrGSI1PK, SortKey: store.AttrGSI1SK},
			{Name: store.IndexGSI2, PartitionKey: store.AttrGSI2PK, SortKey: store.AttrGSI2SK},
		},
		TTLAttribute: store.AttrTTL,
	}
}

// Tables is every table of the portal; the TPP area defines its own (tppdata.Table).
func Tables(c config.Config) []Table { return []Table{PortalTable(c)} }

// UserPool describes the Cognito user pool of portal identities.
type UserPool struct {
	Name string
	// ClientName is the app client the portal API uses (no secret: the BFF calls
	// USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH server side).
	ClientName string
	// Groups are created in the pool; OpsGroup among them.
	Groups []string
	// Password policy as Cognito can express it; counts above 1 are enforced by the portal.
	MinLength        int
	RequireUppercase bool
	RequireLowercase bool
	RequireNumbers   bool
	RequireSymbols   bool
	// AccessTokenMinutes and RefreshTokenDays are the app client's token validity.
	AccessTokenMinutes int
	RefreshTokenDays   int
}

// PortalUserPool is the user pool, with its password policy taken from configuration.
func PortalUserPool(c config.Config) UserPool {
	p := c.Password
	return UserPool{
		Name:               c.UserPoolName,
		ClientName:         c.UserPoolName + "-portal",
		Groups:             []string{c.OpsGroup},
		MinLength:          p.MinLength,
		RequireUppercase:   p.MinUpper > 0,
		RequireLowercase:   p.MinLower > 0,
		RequireNumbers:     p.MinDigits > 0,
		RequireSymbols:     p.MinSpecial > 0,
		AccessTokenMinutes: 60,
		RefreshTokenDays:   30,
	}
}
