package wiring

import (
	"context"
	"errors"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/bank/devportal/shared/platform/awsclient"
	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/portal/approval"
	"github.com/bank/devportal/shared/portal/apps"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/portal/store"
	"github.com/bank/devportal/shared/portal/workflow"
	"github.com/bank/devportal/shared/tpp"
)

// Authorizers are the Lambda authorizers: each is a functions/<name> with an
// events/<name>.json, like the routes and jobs.
var Authorizers = []string{tpp.AuthorizerName}

// TPPAuthorizer builds the TPP API's authorizer for the environment env: the apps
// service's certificate lookup on the portal table, and nothing else, so the function
// needs no user pool, mailer or workflow. It makes no network call.
func TPPAuthorizer(ctx context.Context, cfg config.Config, env org.Environment, log *slog.Logger) (*tpp.Authorizer, error) {
	awsCfg, err := awsclient.Load(ctx, cfg)
	if err != nil {
		return nil, err
	}
	certs := store.NewOrgs(dynamodb.NewFromConfig(awsCfg), cfg.PortalTable)
	owners := apps.NewService(apps.Deps{Certs: certs, Approvals: noApprovals{}})
	return &tpp.Authorizer{Owners: owners, Environment: env, Log: log}, nil
}

// noApprovals stands in for the approval service where apps are only looked up.
type noApprovals struct{}

func (noApprovals) Register(string, approval.Kind) {}

func (noApprovals) Submit(context.Context, approval.Request, ...workflow.Write) (approval.Request, error) {
	return approval.Request{}, errors.New("app: the TPP authorizer submits no approval requests")
}
