// Package onoauth builds the TPP area's authorization server (ory/fosite on the TPP
// table). It is a part of its own so that the functions that do not serve OAuth2, the
// authorizer first, do not link fosite.
package onoauth

import (
	"context"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/bank/devportal/shared/platform/awsclient"
	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/tpp/oauth"
	"github.com/bank/devportal/shared/tpp/oauth/oauthdb"
)

// Parts are what the authorization server takes besides configuration: the HMAC
// key of its codes and tokens, the bank's sign-in and consent pages, the resources its
// scopes name, and the clock of its stored items' expiry (nil: time.Now).
type Parts struct {
	Secret    []byte
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
	store := oauthdb.New(dynamodb.NewFromConfig(awsCfg), cfg.TPPTable, cfg.PortalTable)
	store.Now = parts.Now
	return oauth.New(oauth.Options{Issuer: cfg.TPPURL, AuthorizeURL: cfg.OAuthAuthorizeURL, Environment: env, Secret: parts.Secret,
		AccessTokenTTL: cfg.AccessTokenTTL, RefreshTokenTTL: cfg.RefreshTokenTTL, Storage: store,
		Consent: parts.Consent, Resources: parts.Resources, Log: log})
}
