package wiring

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/portal/routes"
	"github.com/bank/devportal/shared/tpp"
)

// StartHTTP is the whole main of an HTTP function: it builds the portal once, at init,
// and serves the named route's handler through the API Gateway (HTTP API v2) adapter.
func StartHTTP(routeName string) {
	log := slog.New(lambdacontext.NewLogHandler())
	slog.SetDefault(log)
	rt, err := routes.ByName(routeName)
	if err != nil {
		fatal(log, err)
	}
	cfg, err := config.FromEnv()
	if err != nil {
		fatal(log, err)
	}
	api, err := Portal(context.Background(), cfg, log)
	if err != nil {
		fatal(log, err)
	}
	lambda.Start(httpadapter.NewV2(api.Handler(rt)).ProxyWithContext)
}

// StartJob is the whole main of a scheduled function.
func StartJob(jobName string) {
	log := slog.New(lambdacontext.NewLogHandler())
	slog.SetDefault(log)
	cfg, err := config.FromEnv()
	if err != nil {
		fatal(log, err)
	}
	api, err := Portal(context.Background(), cfg, log)
	if err != nil {
		fatal(log, err)
	}
	job, ok := api.Jobs[jobName]
	if !ok {
		fatal(log, os.ErrNotExist)
	}
	lambda.Start(func(ctx context.Context) (any, error) { return job(ctx) })
}

// StartAuthorizer is the whole main of a Lambda authorizer (Authorizers): the TPP API's,
// for the environment named by TPP_ENVIRONMENT.
func StartAuthorizer(name string) {
	log := slog.New(lambdacontext.NewLogHandler())
	slog.SetDefault(log)
	if !slices.Contains(Authorizers, name) {
		fatal(log, fmt.Errorf("no authorizer %q", name))
	}
	cfg, err := config.FromEnv()
	if err != nil {
		fatal(log, err)
	}
	env, err := tpp.ParseEnvironment(os.Getenv(tpp.EnvironmentVariable))
	if err != nil {
		fatal(log, err)
	}
	a, err := TPPAuthorizer(context.Background(), cfg, env, log)
	if err != nil {
		fatal(log, err)
	}
	lambda.Start(a.Authorize)
}

func fatal(log *slog.Logger, err error) {
	log.Error("cannot start", "error", err.Error())
	os.Exit(1)
}
