package wiring

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/platform/httpapi"
	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/portal/portalapi"
	"github.com/bank/devportal/shared/portal/routes"
)

// StartHTTP is the whole main of an HTTP function: it builds the portal with the route's
// parts once, at init, and serves the route's handler through the API Gateway (HTTP API
// v2) adapter, refusing a request that did not come through CloudFront (ORIGIN_VERIFY_SECRET).
func StartHTTP(routeName string, parts Parts) {
	rt, api, cfg := routeAtInit(routeName, parts)
	lambda.Start(httpadapter.NewV2(HTTPHandler(cfg, api.Handler(rt))).ProxyWithContext)
}

// HTTPHandler is what a function behind the portal's HTTP API serves: the route's handler
// h, refusing a request that did not come through CloudFront when cfg names the origin
// secret.
func HTTPHandler(cfg config.Config, h http.Handler) http.Handler {
	return httpapi.RequireOrigin(cfg.OriginSecret, h)
}

// routeAtInit is what a route's function builds once, at init: its logger, the route, the
// portal with the route's parts, and the configuration; any failure ends the function.
func routeAtInit(routeName string, parts Parts) (route.Route, *portalapi.API, config.Config) {
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
	api, err := ForRoute(context.Background(), cfg, log, parts, rt)
	if err != nil {
		fatal(log, err)
	}
	return rt, api, cfg
}

// StartJob is the whole main of a scheduled function.
func StartJob(jobName string, parts Parts) {
	log := slog.New(lambdacontext.NewLogHandler())
	slog.SetDefault(log)
	job, err := jobNamed(jobName)
	if err != nil {
		fatal(log, err)
	}
	cfg, err := config.FromEnv()
	if err != nil {
		fatal(log, err)
	}
	api, err := Portal(context.Background(), cfg, log, parts, job.Needs)
	if err != nil {
		fatal(log, err)
	}
	run, ok := api.Jobs[jobName]
	if !ok {
		fatal(log, os.ErrNotExist)
	}
	lambda.Start(func(ctx context.Context) (any, error) { return run(ctx) })
}

func jobNamed(name string) (route.Job, error) {
	for _, j := range routes.Jobs {
		if j.Name == name {
			return j, nil
		}
	}
	return route.Job{}, fmt.Errorf("no job named %q", name)
}

func fatal(log *slog.Logger, err error) {
	log.Error("cannot start", "error", err.Error())
	os.Exit(1)
}
