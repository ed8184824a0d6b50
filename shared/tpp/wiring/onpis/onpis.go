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
	"github.com/bank/devportal/shared/tpp/sca"
	"github.com/bank/devportal/shared/tpp/sca/scatarget"
	"github.com/bank/devportal/shared/tpp/scaapi"
)

// Service is the payment rules on the TPP table of cfg, with the clock now (nil:
// time.Now): what the endpoints and the PIS: scopes of the authorization server share.
func Service(db *dynamodb.Client, cfg config.Config, now func() time.Time) *payments.Service {
	return &payments.Service{Store: paymentdb.New(db, cfg.TPPTable), Now: now, Notify: onnotify.Notifier(db, cfg, now)}
}

// API is the endpoints over svc, with the authorization server of cfg as their scaOAuth
// link, and the authorisations of authorisations (scatarget.OnTable), whose scaRedirect
// links are the sandbox bank's pages on the origin of cfg's authorization endpoint, with
// the signing baskets they authorise.
func API(svc *payments.Service, authorisations *sca.Service, cfg config.Config) *pisapi.API {
	metadata := cfg.TPPURL + config.OAuthMetadataPath
	return &pisapi.API{Payments: svc, MetadataURL: metadata, Baskets: scatarget.BasketsOf(authorisations),
		Authorisations: &scaapi.API{SCA: authorisations, MetadataURL: metadata, BankURL: scaapi.BankURL(cfg.OAuthAuthorizeURL)}}
}

// ForRoute builds what the deployed function of rt, a payment route, serves
// (tpp/wiring.StartHTTP). It makes no network call.
func ForRoute(ctx context.Context, cfg config.Config, _ lookup.Environment, _ route.Route, _ *slog.Logger) (map[string]http.Handler, error) {
	awsCfg, err := awsclient.Load(ctx, cfg)
	if err != nil {
		return nil, err
	}
	db := dynamodb.NewFromConfig(awsCfg)
	return API(Service(db, cfg, nil), scatarget.OnTable(db, cfg.TPPTable, nil, onnotify.Notifier(db, cfg, nil)), cfg).Handlers(), nil
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
