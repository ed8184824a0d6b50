// Package onais builds the TPP API's account-information and funds-confirmation
// endpoints (aisapi) on the TPP table: the consents, the sandbox bank they read, and the
// authorization server's metadata as their scaOAuth link. A part of its own so that these
// functions link neither fosite nor the Secrets Manager client: the authorizer verified
// the bearer token before they run.
package onais

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
	"github.com/bank/devportal/shared/tpp/aisapi"
	"github.com/bank/devportal/shared/tpp/consents"
	"github.com/bank/devportal/shared/tpp/consents/consentdb"
	"github.com/bank/devportal/shared/tpp/piis"
	"github.com/bank/devportal/shared/tpp/sandboxbank/bankstore"
	"github.com/bank/devportal/shared/tpp/sca/scatarget"
	"github.com/bank/devportal/shared/tpp/scaapi"
)

// API is the endpoints on the TPP table of cfg, with the clock now (nil: time.Now).
func API(db *dynamodb.Client, cfg config.Config, now func() time.Time) *aisapi.API {
	bank := bankstore.New(db, cfg.TPPTable)
	notifier := onnotify.Notifier(db, cfg, now)
	return &aisapi.API{
		Consents:    &consents.Service{Store: consentdb.New(db, cfg.TPPTable), Now: now, Notify: notifier},
		Funds:       &piis.Service{Store: consentdb.NewPIIS(db, cfg.TPPTable), Bank: bank, Now: now, Notify: notifier},
		Bank:        bank,
		Now:         now,
		MetadataURL: cfg.TPPURL + config.OAuthMetadataPath,
		Authorisations: &scaapi.API{SCA: scatarget.OnTable(db, cfg.TPPTable, now, notifier), MetadataURL: cfg.TPPURL + config.OAuthMetadataPath,
			BankURL: scaapi.BankURL(cfg.OAuthAuthorizeURL)},
	}
}

// ForRoute builds what the deployed function of rt, an account-information or
// funds-confirmation route, serves (tpp/wiring.StartHTTP). It makes no network call.
func ForRoute(ctx context.Context, cfg config.Config, _ lookup.Environment, _ route.Route, _ *slog.Logger) (map[string]http.Handler, error) {
	awsCfg, err := awsclient.Load(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return API(dynamodb.NewFromConfig(awsCfg), cfg, nil).Handlers(), nil
}
