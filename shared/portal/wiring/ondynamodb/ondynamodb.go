// Package ondynamodb is the portal's Table part: its stores on DynamoDB.
package ondynamodb

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/platform/notifylog/notifylogdb"
	"github.com/bank/devportal/shared/portal/store"
	"github.com/bank/devportal/shared/portal/wiring"
)

// Stores are the portal table's stores on DynamoDB.
func Stores(awsCfg aws.Config, cfg config.Config) wiring.Stores {
	db := dynamodb.NewFromConfig(awsCfg)
	accounts := store.NewPortal(db, cfg.PortalTable)
	return wiring.Stores{Accounts: accounts, Orgs: store.NewOrgs(db, cfg.PortalTable),
		Requests: store.NewRequests(db, cfg.PortalTable), WorkflowKey: store.WorkflowKey, Ping: accounts.Ping,
		Notifications: notifylogdb.New(db, cfg.TPPTable)}
}
