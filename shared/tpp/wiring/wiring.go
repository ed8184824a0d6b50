// Package wiring assembles the TPP API's functions from configuration. It reaches the
// portal only through the portal's one-read lookups.
package wiring

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/bank/devportal/shared/platform/awsclient"
	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/portal/lookup/lookupdb"
	"github.com/bank/devportal/shared/tpp/callercheck"
	"github.com/bank/devportal/shared/tpp/routes"
)

var _ callercheck.Lookups = (*lookupdb.Reader)(nil)

// Authorizer builds the TPP API's caller check for the environment env: the caller
// lookups on the portal table, and nothing else (deployed, API Gateway's usage plans
// meter; the local listener adds its own meter). It makes no network call.
func Authorizer(ctx context.Context, cfg config.Config, env lookup.Environment, log *slog.Logger) (*callercheck.Authorizer, error) {
	awsCfg, err := awsclient.Load(ctx, cfg)
	if err != nil {
		return nil, err
	}
	lookups := lookupdb.NewReader(dynamodb.NewFromConfig(awsCfg), cfg.PortalTable)
	return &callercheck.Authorizer{Lookups: lookups, Environment: env, Log: log}, nil
}

// Bearer builds what an authorizer of the routes that take a bearer token adds to the
// caller check (onoauth.Bearer); a main names it, so that only that authorizer links the
// authorization server.
type Bearer func(ctx context.Context, cfg config.Config, env lookup.Environment, log *slog.Logger) (callercheck.Bearer, error)

// StartAuthorizer is the whole main of a Lambda authorizer (routes.Authorizers): the TPP
// API's, for the environment named by TPP_ENVIRONMENT, verifying bearer tokens with what
// bearer builds (nil for the authorizer of the routes that take none).
func StartAuthorizer(name string, bearer Bearer) {
	log := slog.New(lambdacontext.NewLogHandler())
	slog.SetDefault(log)
	if !slices.Contains(routes.Authorizers, name) {
		fatal(log, fmt.Errorf("no authorizer %q", name))
	}
	cfg, err := config.FromEnv()
	if err != nil {
		fatal(log, err)
	}
	env, err := callercheck.ParseEnvironment(os.Getenv(callercheck.EnvironmentVariable))
	if err != nil {
		fatal(log, err)
	}
	a, err := Authorizer(context.Background(), cfg, env, log)
	if err != nil {
		fatal(log, err)
	}
	if bearer != nil {
		b, err := bearer(context.Background(), cfg, env, log)
		if err != nil {
			fatal(log, err)
		}
		a.Tokens, a.ConsentKey = b.Tokens, b.ConsentKey
	}
	// Each check is held to the authorizer's needs and key families, as the routes are.
	needs, scope := routes.AuthorizerScope(name)
	lambda.Start(func(ctx context.Context, req events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
		return a.Authorize(route.WithScope(route.WithNeeds(ctx, needs), scope), req)
	})
}

func fatal(log *slog.Logger, err error) {
	log.Error("cannot start", "error", err.Error())
	os.Exit(1)
}
