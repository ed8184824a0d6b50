package wiring

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/platform/httpapi"
	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/tpp/callercheck"
	"github.com/bank/devportal/shared/tpp/restapi"
	"github.com/bank/devportal/shared/tpp/routes"
)

// Build builds the handlers a TPP function serves, by route name, for its route rt
// (onoauth.ForRoute: the authorization server and the sandbox bank's pages). A main
// names it, so that only the functions that serve OAuth2 link what it links.
type Build func(ctx context.Context, cfg config.Config, env lookup.Environment, rt route.Route, log *slog.Logger) (map[string]http.Handler, error)

// Route is the TPP area's route named name: of the mTLS origin (routes.TPP) or of the
// browser-reachable one (routes.Browser), and which.
func Route(name string) (rt route.Route, browser bool, err error) {
	if rt, err := route.Find(routes.TPP, name); err == nil {
		return rt, false, nil
	}
	rt, err = route.Find(routes.Browser, name)
	return rt, true, err
}

// Handler is the complete handler of the route: the built one, its AWS calls checked
// against the route's needs (route.WithNeeds) and one JSON log line per request.
func Handler(rt route.Route, handlers map[string]http.Handler, log *slog.Logger) (http.Handler, error) {
	h, ok := handlers[rt.Name]
	if !ok {
		return nil, fmt.Errorf("no handler for the route %s", rt.Name)
	}
	needs, scope := rt.AllNeeds(), rt.Scope()
	return logRequests(rt.Name, log, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(route.WithScope(route.WithNeeds(r.Context(), needs), scope)))
	})), nil
}

// StartHTTP is the whole main of a TPP area's HTTP function: it builds the route's
// handler once, at init, for the environment named by TPP_ENVIRONMENT, and serves it
// through the REST API adapter (payload 1.0) on the TPP API, where the caller is the
// authorizer's (the public metadata has none), or through the HTTP API adapter (payload
// 2.0) on the browser-reachable origin.
func StartHTTP(name string, build Build) {
	log := slog.New(lambdacontext.NewLogHandler())
	slog.SetDefault(log)
	rt, browser, err := Route(name)
	if err != nil {
		fatal(log, err)
	}
	cfg, err := config.FromEnv()
	if err != nil {
		fatal(log, err)
	}
	env, err := callercheck.ParseEnvironment(os.Getenv(callercheck.EnvironmentVariable))
	if err != nil {
		fatal(log, err)
	}
	handlers, err := build(context.Background(), cfg, env, rt, log)
	if err != nil {
		fatal(log, err)
	}
	h, err := Handler(rt, handlers, log)
	if err != nil {
		fatal(log, err)
	}
	switch {
	case browser:
		// Served by the portal's HTTP API behind CloudFront: only through CloudFront.
		lambda.Start(httpadapter.NewV2(httpapi.RequireOrigin(cfg.OriginSecret, h)).ProxyWithContext)
	case rt.Auth == route.Public:
		lambda.Start(restapi.Public(h))
	default:
		lambda.Start(restapi.Handler(h))
	}
}

// logRequests writes one JSON line per request: route, method, status and duration.
func logRequests(name string, log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &httpapi.StatusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		status := rec.Status()
		if status == 0 {
			status = http.StatusOK
		}
		attrs := []any{"route", name, "method", r.Method, "status", status, "durationMs", time.Since(start).Milliseconds()}
		if lc, ok := lambdacontext.FromContext(r.Context()); ok {
			attrs = append(attrs, "requestId", lc.AwsRequestID)
		}
		log.InfoContext(r.Context(), "request", attrs...)
	})
}

// JobBuild builds what a scheduled function of the TPP area runs (a part's ForJob).
type JobBuild func(ctx context.Context, cfg config.Config, name string) (func(context.Context) (any, error), error)

// StartJob is the whole main of a TPP area's scheduled function (routes.Jobs): it builds
// the job once, at init, and runs it at each EventBridge event.
func StartJob(name string, build JobBuild) {
	log := slog.New(lambdacontext.NewLogHandler())
	slog.SetDefault(log)
	if !slices.ContainsFunc(routes.Jobs, func(j route.Job) bool { return j.Name == name }) {
		fatal(log, fmt.Errorf("no job %q", name))
	}
	cfg, err := config.FromEnv()
	if err != nil {
		fatal(log, err)
	}
	run, err := build(context.Background(), cfg, name)
	if err != nil {
		fatal(log, err)
	}
	// Each run is held to the job's needs and key families, as the routes' requests are.
	i := slices.IndexFunc(routes.Jobs, func(j route.Job) bool { return j.Name == name })
	needs, scope := routes.Jobs[i].Needs, routes.Jobs[i].Scope()
	lambda.Start(func(ctx context.Context) (any, error) {
		return run(route.WithScope(route.WithNeeds(ctx, needs), scope))
	})
}
