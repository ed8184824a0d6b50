package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/bank/devportal/infra/datatable"
	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/platform/tabledef"
	"github.com/bank/devportal/shared/portal/resources"
	"github.com/bank/devportal/shared/tpp/tppdata"
)

// Tables are every table of both areas: the portal's (resources.Tables) and the TPP API's
// (tppdata.Table).
func Tables(cfg config.Config) []tabledef.Table {
	return append(resources.Tables(cfg), tppdata.Table(cfg))
}

// DataStack holds every table of Tables. Tables outlive every other resource, so
// they live apart: the stacks that change often can be replaced without touching them.
type DataStack struct {
	awscdk.Stack
	// Tables are the tables by their definition's name.
	Tables map[string]awsdynamodb.Table
	// Portal is the portal data table (resources.PortalTable).
	Portal awsdynamodb.Table
	// PortalTableName is the portal table's name, for the functions' PORTAL_TABLE.
	PortalTableName *string
	// TPP is the TPP API's table (tppdata.Table): OAuth2 state and the sandbox bank.
	TPP awsdynamodb.Table
}

// NewDataStack adds the data stack to scope.
func NewDataStack(scope constructs.Construct, id string, cfg config.Config, env *awscdk.Environment) *DataStack {
	stack := awscdk.NewStack(scope, jsii.String(id), stackProps(env, "Developer portal: DynamoDB tables"))
	ids := tableIDs(cfg)
	tables := make(map[string]awsdynamodb.Table)
	for _, def := range Tables(cfg) {
		tableID, ok := ids[def.Name]
		if !ok {
			panic(fmt.Sprintf("stacks: table %q has no construct ID; add it to tableIDs", def.Name))
		}
		table := datatable.New(stack, tableID, def)
		tables[def.Name] = table
		// An output, not an export: see NewIdentityStack.
		awscdk.NewCfnOutput(stack, jsii.String(tableID+"Name"), &awscdk.CfnOutputProps{
			Value:       table.TableName(),
			Description: jsii.String(fmt.Sprintf("Name of the %s DynamoDB table", def.Name)),
		})
	}
	portal := tables[resources.PortalTable(cfg).Name]
	return &DataStack{Stack: stack, Tables: tables, Portal: portal, PortalTableName: portal.TableName(), TPP: tables[tppdata.Table(cfg).Name]}
}

// tableIDs gives each table a construct ID that does not change with configuration: the
// names come from the environment, and a logical ID that moved with them would make a
// renamed table look like a new one beside a retained old one. A table added to
// Tables needs an entry here.
func tableIDs(cfg config.Config) map[string]string {
	return map[string]string{resources.PortalTable(cfg).Name: "PortalTable", tppdata.Table(cfg).Name: "TppTable"}
}
