// Package onoauth builds the TPP area's authorization server (ory/fosite on the TPP
// table) and the sandbox bank's pages it hands the customer to. It is a part of its own
// so that the functions that do not serve OAuth2, the authorizer first, link neither
// fosite nor the Secrets Manager client that reads the server's key.
package onoauth

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/bank/devportal/shared/platform/awsclient"
	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/portal/lookup/lookupdb"
	"github.com/bank/devportal/shared/tpp/bankpages"
	"github.com/bank/devportal/shared/tpp/oauth"
	"github.com/bank/devportal/shared/tpp/oauth/oauthdb"
	"github.com/bank/devportal/shared/tpp/routes"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
	"github.com/bank/devportal/shared/tpp/sandboxbank/bankstore"
)

// Parts are what the authorization server takes besides configuration: its keys, the
// bank's sign-in and consent pages (nil: the sandbox bank's own), the resources its
// scopes name, the clock of its stored items' expiry and the bank's sessions (nil:
// time.Now), and the sandbox customers' sign-in names the sign-in page lists.
type Parts struct {
	Keys      Keys
	Consent   oauth.Consent
	Resources oauth.Resources
	Now       func() time.Time
	Logins    []string
}

// Area is the authorization server with the sandbox bank's pages attached to it.
type Area struct {
	Server *oauth.Server
	Pages  *bankpages.Pages
}

// Server builds the authorization server for the environment env on the TPP table (and
// the portal table's client lookups). It makes no network call.
func Server(ctx context.Context, cfg config.Config, env lookup.Environment, parts Parts, log *slog.Logger) (*oauth.Server, error) {
	awsCfg, err := awsclient.Load(ctx, cfg)
	if err != nil {
		return nil, err
	}
	store := oauthdb.New(dynamodb.NewFromConfig(awsCfg), cfg.TPPTable, cfg.PortalTable)
	store.Now = parts.Now
	return oauth.New(oauth.Options{Issuer: cfg.TPPURL, AuthorizeURL: cfg.OAuthAuthorizeURL, Environment: env,
		Secret: parts.Keys.Token, RotatedSecrets: parts.Keys.PreviousToken,
		AccessTokenTTL: cfg.AccessTokenTTL, RefreshTokenTTL: cfg.RefreshTokenTTL, Storage: store,
		Consent: parts.Consent, Resources: parts.Resources, Log: log})
}

// Build builds the authorization server and the sandbox bank's pages, the server's
// Consent unless parts name another. It makes no network call.
func Build(ctx context.Context, cfg config.Config, env lookup.Environment, parts Parts, log *slog.Logger) (Area, error) {
	awsCfg, err := awsclient.Load(ctx, cfg)
	if err != nil {
		return Area{}, err
	}
	db := dynamodb.NewFromConfig(awsCfg)
	pages, err := bankpages.New(bankpages.Options{Secret: parts.Keys.Pages, Customers: bankstore.New(db, cfg.TPPTable),
		Organizations: lookupdb.NewReader(db, cfg.PortalTable), Logins: parts.Logins,
		Secure: strings.HasPrefix(cfg.OAuthAuthorizeURL, "https://"), Now: parts.Now, Log: log})
	if err != nil {
		return Area{}, err
	}
	if parts.Consent == nil {
		parts.Consent = pages
	}
	server, err := Server(ctx, cfg, env, parts, log)
	if err != nil {
		return Area{}, err
	}
	pages.Attach(server)
	return Area{Server: server, Pages: pages}, nil
}

// Handlers are the area's handlers by route name: the server's endpoints of routes.TPP,
// and the authorization endpoint and the bank's pages of routes.Browser.
func (a Area) Handlers() map[string]http.Handler {
	out := a.Server.Endpoints()
	for name, h := range a.Pages.Handlers() {
		out[name] = h
	}
	out["oauth2-authorize"] = a.Server.AuthorizeHandler()
	return out
}

// ForRoute builds what the deployed function of rt serves (tpp/wiring.StartHTTP): the
// area, keyed by the managed key in OAUTH_KEY_SECRET_ARN, read once here, at cold start.
// A route that does not declare route.OAuthKey (the metadata) signs and checks nothing
// and its role may not read the secret: it gets a random key of its own. Only the
// browser's routes list the sandbox customers (generated from the configured seed).
func ForRoute(ctx context.Context, cfg config.Config, env lookup.Environment, rt route.Route, log *slog.Logger) (map[string]http.Handler, error) {
	master := make([]byte, MinMasterKey)
	var previous []byte
	if rt.AllNeeds().Has(route.OAuthKey) {
		if cfg.OAuthKeySecretARN == "" {
			return nil, fmt.Errorf("the route %s needs the OAuth key but OAUTH_KEY_SECRET_ARN is not set", rt.Name)
		}
		awsCfg, err := awsclient.Load(ctx, cfg)
		if err != nil {
			return nil, err
		}
		if master, previous, err = SecretKey(ctx, secretsmanager.NewFromConfig(awsCfg), cfg.OAuthKeySecretARN); err != nil {
			return nil, err
		}
	} else if _, err := rand.Read(master); err != nil {
		return nil, err
	}
	keys, err := DeriveKeys(master, previous)
	if err != nil {
		return nil, err
	}
	parts := Parts{Keys: keys}
	if slices.ContainsFunc(routes.Browser, func(b route.Route) bool { return b.Name == rt.Name }) {
		bank, err := sandboxbank.FromConfig(cfg)
		if err != nil {
			return nil, err
		}
		for _, c := range bank.Customers {
			parts.Logins = append(parts.Logins, c.Login)
		}
	}
	area, err := Build(ctx, cfg, env, parts, log)
	if err != nil {
		return nil, err
	}
	return area.Handlers(), nil
}
