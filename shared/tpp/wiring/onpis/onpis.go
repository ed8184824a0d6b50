// Package onpis builds the TPP API's payment initiation endpoints (pisapi) on the TPP
// table: the payments, the sandbox bank their execution changes, and the authorization
// server's metadata as their scaOAuth link. A part of its own so that these functions link
// neither fosite nor the Secrets Manager client.
package onpis

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/bank/devportal/shared/tpp/wiring/onnotify"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/bank/devportal/shared/platform/awsclient"
	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/tpp/payments"
	"github.com/bank/devportal/shared/tpp/payments/paymentdb"
	"github.com/bank/devportal/shared/tpp/pisapi"
)

// Service is the payment rules on the TPP table of cfg, with the clock now (nil:
// time.Now): what the endpoints and the PIS: scopes of the authorization server share.
func Service(db *dynamodb.Client, cfg config.Config, now func() time.Time) *payments.Service {
	return &payments.Service{Store: paymentdb.New(db, cfg.TPPTable), Now: now, Notify: onnotify.Notifier(db, cfg, now)}
}

// API is the endpoints over svc, with the authorization server of cfg as their scaOAuth
// link.
func API(svc *payments.Service, cfg config.Config) *pisapi.API {
	return &pisapi.API{Payments: svc, MetadataURL: cfg.TPPURL + config.OAuthMetadataPath}
}

// ForRoute builds what the deployed function of rt, a payment route, serves
// (tpp/wiring.StartHTTP). It makes no network call.
func ForRoute(ctx context.Context, cfg config.Config, _ lookup.Environment, _ route.Route, _ *slog.Logger) (map[string]http.Handler, error) {
	awsCfg, err := awsclient.Load(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return API(Service(dynamodb.NewFromConfig(awsCfg), cfg, nil), cfg).Handlers(), nil
}

// ForJob builds the standing-order job of the deployed function (tpp/wiring.StartJob).
// It makes no network call.
func ForJob(ctx context.Context, cfg config.Config, _ string) (func(context.Context) (any, error), error) {
	awsCfg, err := awsclient.Load(ctx, cfg)
	if err != nil {
		return nil, err
	}
	svc := Service(dynamodb.NewFromConfig(awsCfg), cfg, nil)
	return func(ctx context.Context) (any, error) { return svc.RunStandingOrders(ctx) }, nil
}
