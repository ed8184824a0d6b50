// Package onoauth builds the TPP area's authorization server (ory/fosite on the TPP
// table) and reads its managed key. It is a part of its own so that the functions that do
// not serve OAuth2, the authorizer first, link neither fosite nor the Secrets Manager
// client; the sandbox bank's pages are another (onbankpages), so that the mTLS origin's
// endpoints do not link html/template.
package onoauth

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/bank/devportal/shared/tpp/wiring/onnotify"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/bank/devportal/shared/platform/awsclient"
	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/tpp/callercheck"
	"github.com/bank/devportal/shared/tpp/consents"
	"github.com/bank/devportal/shared/tpp/consents/consentdb"
	"github.com/bank/devportal/shared/tpp/consents/consentscope"
	"github.com/bank/devportal/shared/tpp/oauth"
	"github.com/bank/devportal/shared/tpp/oauth/oauthdb"
	"github.com/bank/devportal/shared/tpp/payments"
	"github.com/bank/devportal/shared/tpp/payments/paymentdb"
	"github.com/bank/devportal/shared/tpp/piis"
	"github.com/bank/devportal/shared/tpp/sandboxbank/bankstore"
	"github.com/bank/devportal/shared/tpp/sca"
	"github.com/bank/devportal/shared/tpp/sca/scatarget"
)

// Parts are what the authorization server takes besides configuration: its keys, the
// bank's sign-in and consent pages, the resources its scopes name (nil: the consents in
// the TPP table), and the clock of its stored items' expiry (nil: time.Now).
type Parts struct {
	Keys      Keys
	Consent   oauth.Consent
	Resources oauth.Resources
	Now       func() time.Time
}

// Server builds the authorization server for the environment env on the TPP table (and
// the portal table's client lookups). It makes no network call.
func Server(ctx context.Context, cfg config.Config, env lookup.Environment, parts Parts, log *slog.Logger) (*oauth.Server, error) {
	awsCfg, err := awsclient.Load(ctx, cfg)
	if err != nil {
		return nil, err
	}
	db := dynamodb.NewFromConfig(awsCfg)
	store := oauthdb.New(db, cfg.TPPTable, cfg.PortalTable)
	store.Now = parts.Now
	if parts.Resources == nil {
		// What the AIS:, PIIS:, PIS: and SBS: scopes name: the consents, payments and
		// signing baskets the TPP API's endpoints keep in the TPP table, as the local stack
		// has them.
		bank := bankstore.New(db, cfg.TPPTable)
		notifier := onnotify.Notifier(db, cfg, parts.Now)
		parts.Resources = consentscope.Resources{Bank: bank,
			Consents: &consents.Service{Store: consentdb.New(db, cfg.TPPTable), Now: parts.Now, Notify: notifier},
			Funds:    &piis.Service{Store: consentdb.NewPIIS(db, cfg.TPPTable), Bank: bank, Now: parts.Now, Notify: notifier},
			Payments: &payments.Service{Store: paymentdb.New(db, cfg.TPPTable), Now: parts.Now, Notify: notifier},
			Baskets:  scatarget.OnTable(db, cfg.TPPTable, parts.Now, notifier).Targets[sca.SigningBasket]}
	}
	return oauth.New(oauth.Options{Issuer: cfg.TPPURL, AuthorizeURL: cfg.OAuthAuthorizeURL, Environment: env,
		Secret: parts.Keys.Token, RotatedSecrets: parts.Keys.PreviousToken,
		AccessTokenTTL: cfg.AccessTokenTTL, RefreshTokenTTL: cfg.RefreshTokenTTL, Storage: store,
		Consent: parts.Consent, Resources: parts.Resources, Log: log})
}

// RouteKeys are the keys of a deployed function of rt: derived from the managed key in
// OAUTH_KEY_SECRET_ARN, read here, once, at cold start. A route that does not declare
// route.OAuthKey (the metadata) signs and checks nothing, and its role may not read the
// secret: its keys come from a random master key of its own.
func RouteKeys(ctx context.Context, cfg config.Config, rt route.Route) (Keys, error) {
	if !rt.AllNeeds().Has(route.OAuthKey) {
		master := make([]byte, MinMasterKey)
		if _, err := rand.Read(master); err != nil {
			return Keys{}, err
		}
		return DeriveKeys(master, nil)
	}
	return managedKeys(ctx, cfg, "the route "+rt.Name)
}

// managedKeys are the keys derived from the managed key in OAUTH_KEY_SECRET_ARN, its
// current value and the one before the last rotation; who names the function in the
// error of a missing variable.
func managedKeys(ctx context.Context, cfg config.Config, who string) (Keys, error) {
	if cfg.OAuthKeySecretARN == "" {
		return Keys{}, fmt.Errorf("%s needs the OAuth key but OAUTH_KEY_SECRET_ARN is not set", who)
	}
	awsCfg, err := awsclient.Load(ctx, cfg)
	if err != nil {
		return Keys{}, err
	}
	master, previous, err := SecretKey(ctx, secretsmanager.NewFromConfig(awsCfg), cfg.OAuthKeySecretARN)
	if err != nil {
		return Keys{}, err
	}
	return DeriveKeys(master, previous)
}

// Bearer is what the bearer authorizer adds to the caller check (tpp/wiring.Bearer): the
// authorization server as its token verifier, keyed from the managed key in
// OAUTH_KEY_SECRET_ARN, read once at cold start (a token verifies under the key that
// signed it, current or previous), and the consents' keys in the TPP table.
func Bearer(ctx context.Context, cfg config.Config, env lookup.Environment, log *slog.Logger) (callercheck.Bearer, error) {
	keys, err := managedKeys(ctx, cfg, "the bearer authorizer")
	if err != nil {
		return callercheck.Bearer{}, err
	}
	server, err := Server(ctx, cfg, env, Parts{Keys: keys}, log)
	if err != nil {
		return callercheck.Bearer{}, err
	}
	return callercheck.Bearer{Tokens: server, ConsentKey: consentdb.New(nil, cfg.TPPTable).ReadAheadKey}, nil
}

// ForRoute builds what the deployed function of rt, a route of the TPP API's mTLS
// origin, serves (tpp/wiring.StartHTTP): the authorization server's endpoints by route
// name. Its Consent is not needed there: only the authorization endpoint, on the
// browser's origin, hands a customer to the bank's pages.
func ForRoute(ctx context.Context, cfg config.Config, env lookup.Environment, rt route.Route, log *slog.Logger) (map[string]http.Handler, error) {
	keys, err := RouteKeys(ctx, cfg, rt)
	if err != nil {
		return nil, err
	}
	server, err := Server(ctx, cfg, env, Parts{Keys: keys}, log)
	if err != nil {
		return nil, err
	}
	return server.Endpoints(), nil
}
