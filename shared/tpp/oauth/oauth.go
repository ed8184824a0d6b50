// Package oauth is the bank's OAuth2 authorization server, on ory/fosite: the
// authorization code flow with PKCE (S256 only) and pushed authorization requests,
// refresh tokens rotated with reuse detection, client credentials, revocation,
// introspection and RFC 8414 metadata. Tokens are opaque (fosite's HMAC tokens, stored
// in the TPP table by oauthdb) and bound to the client certificate of the call that got
// them (RFC 8705). Clients authenticate with their certificate (tls_client_auth) or with
// their client ID and secret; the certificate must always be one of the app's.
//
// The authorization endpoint sits on the browser-reachable origin and hands the customer
// to the bank's sign-in and consent pages (Consent), which finish the request with
// Server.Approve or Server.Deny. Scopes that name a resource (Berlin Group OAuth SCA:
// "AIS:<consentId>", "PIS:<paymentId>", "PIIS:<consentId>", "SBS:<basketId>") are looked
// up through Resources.
package oauth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/compose"
	"github.com/ory/fosite/handler/oauth2"
	"github.com/ory/fosite/handler/pkce"

	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/platform/prefetch"
	"github.com/bank/devportal/shared/portal/lookup"
)

// Lifetimes the protocol fixes here.
const (
	// CodeLifespan is how long an authorization code can be exchanged.
	CodeLifespan = config.AuthorizationCodeTTL
	// PARLifespan is how long a pushed request's request_uri can be used.
	PARLifespan = 60 * time.Second
	// PendingLifespan is how long the customer has to sign in and decide.
	PendingLifespan = 15 * time.Minute
	// RequestURIPrefix starts every request_uri PAR hands out (RFC 9126).
	RequestURIPrefix = "urn:ietf:params:oauth:request_uri:"
)

// Paths of the endpoints on the TPP API's mTLS origin, and of the metadata.
const (
	TokenPath      = config.OAuthTokenPath
	PARPath        = config.OAuthPARPath
	RevokePath     = "/oauth2/revoke"
	IntrospectPath = "/oauth2/introspect"
	RegisterPath   = config.OAuthRegisterPath
	MetadataPath   = config.OAuthMetadataPath
)

// Storage is everything fosite keeps, plus the authorizations waiting for the
// customer's decision. oauthdb implements it on the TPP table (and the client lookup on
// the portal's).
type Storage interface {
	fosite.ClientManager
	oauth2.CoreStorage
	oauth2.TokenRevocationStorage
	pkce.PKCERequestStorage
	fosite.PARStorage
	// CreatePending keeps a validated authorization request under id until expiresAt.
	CreatePending(ctx context.Context, id string, r fosite.AuthorizeRequester, expiresAt time.Time) error
	// TakePending returns and removes it, once: fosite.ErrNotFound when it is gone or
	// expired.
	TakePending(ctx context.Context, id string) (fosite.AuthorizeRequester, error)
	// AccessTokenKey is the item that holds the session of the access token whose storage
	// signature is signature, for the caller check to read it ahead (prefetch); ok is
	// false for a signature no token of this store has.
	AccessTokenKey(signature string) (key prefetch.Key, ok bool)
}

// Pending is an authorization request the authorization endpoint validated, waiting for
// the customer to sign in and decide.
type Pending struct {
	// ID names it for Approve and Deny.
	ID       string
	ClientID string
	AppID    string
	AppName  string
	// OrgID is the organization the app belongs to, so the pages can name it.
	OrgID string
	// RedirectURI is where the decision sends the customer: the pages must let their
	// forms be redirected there (CSP form-action).
	RedirectURI string
	// Scopes are the scopes requested; Resources the resources they name.
	Scopes    []string
	Resources []Resource
}

// Decision is the customer's approval of a pending request.
type Decision struct {
	// Subject identifies the customer (PSU) who approved.
	Subject string
	// Scopes are the approved scopes, a subset of those requested.
	Scopes []string
	// Chosen are the resources the customer chose, such as the accounts of a consent.
	Chosen []string
}

// Consent is the bank's sign-in and consent pages (the sandbox bank's, in the sandbox):
// Begin takes over the customer's browser for a validated request, and the pages end it
// with Server.Approve, Server.Deny, Server.FailSCA or Server.Expire.
type Consent interface {
	Begin(w http.ResponseWriter, r *http.Request, p Pending)
}

// Resource is what a resource scope names.
type Resource struct {
	// Kind is AIS, PIS, PIIS or SBS; ID the consent's, payment's or signing basket's ID.
	Kind string
	ID   string
	// AppID is the app that created it: no other app may ask for it.
	AppID string
	// Summary says in plain words what the customer approves with it, for the bank's
	// consent page ("" lets the page describe the scope).
	Summary string `json:",omitempty"`
	// ChoosesAccounts says whether the customer picks the accounts it covers (a
	// bank-offered consent), rather than the resource naming them.
	ChoosesAccounts bool `json:",omitempty"`
}

// Resources finds what resource scopes name. Find answers ErrUnknownResource for a
// resource that does not exist, or that another app created; Approved records the
// customer's approval of it (an AIS consent becomes valid, for example), or answers
// ErrCannotGrant when the customer cannot grant it (a consent names an account they do not
// hold); Find and Approved answer ErrInBasket for a payment or consent a waiting signing
// basket holds; Refused records that the customer did not approve it (denied, or failed SCA).
type Resources interface {
	Find(ctx context.Context, kind, id string) (Resource, error)
	Approved(ctx context.Context, r Resource, subject string, chosen []string) error
	Refused(ctx context.Context, r Resource) error
}

// Errors of Resources.
var (
	// ErrUnknownResource is a resource scope that names no resource of the app.
	ErrUnknownResource = errors.New("oauth: no such resource of the app")
	// ErrCannotGrant is an approval of a resource its customer cannot grant.
	ErrCannotGrant = errors.New("oauth: the customer cannot grant this resource")
	// ErrInBasket is a resource scope that names a payment or consent waiting in a signing
	// basket: it is authorised with the basket (its SBS: scope), never alone.
	ErrInBasket = errors.New("oauth: the resource waits in a signing basket")
)

// Options configure a Server.
type Options struct {
	// Issuer is the TPP API's mTLS origin (config TPP_URL).
	Issuer string
	// AuthorizeURL is the authorization endpoint on the browser-reachable origin.
	AuthorizeURL string
	// Environment is the environment this server serves: another environment's apps are
	// unknown clients.
	Environment lookup.Environment
	// Secret keys the HMAC of codes and tokens: at least 32 bytes.
	Secret []byte
	// RotatedSecrets are earlier secrets, which still verify what they signed (a key
	// rotation then ends no token early), but sign nothing new.
	RotatedSecrets  [][]byte
	AccessTokenTTL  time.Duration
	RefreshTokenTTL time.Duration
	Storage         Storage
	Consent         Consent
	Resources       Resources
	Log             *slog.Logger
}

// Server is the authorization server.
type Server struct {
	opts     Options
	provider fosite.OAuth2Provider
	core     oauth2.CoreStrategy
}

// New builds the server; it makes no network call.
func New(o Options) (*Server, error) {
	switch {
	case len(o.Secret) < 32:
		return nil, fmt.Errorf("oauth: the token secret has %d bytes, at least 32 are needed", len(o.Secret))
	case o.Issuer == "" || o.AuthorizeURL == "":
		return nil, errors.New("oauth: issuer and authorization endpoint are required")
	case o.Storage == nil:
		return nil, errors.New("oauth: no storage")
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	cfg := &fosite.Config{
		AccessTokenLifespan:             o.AccessTokenTTL,
		RefreshTokenLifespan:            o.RefreshTokenTTL,
		AuthorizeCodeLifespan:           CodeLifespan,
		PushedAuthorizeContextLifespan:  PARLifespan,
		PushedAuthorizeRequestURIPrefix: RequestURIPrefix,
		GlobalSecret:                    o.Secret,
		RotatedGlobalSecrets:            o.RotatedSecrets,
		EnforcePKCE:                     true,
		EnablePKCEPlainChallengeMethod:  false,
		ScopeStrategy:                   matchScope,
		AudienceMatchingStrategy:        fosite.DefaultAudienceMatchingStrategy,
		// Every authorization code grant gets a refresh token, whatever its scopes.
		RefreshTokenScopes:  []string{},
		AccessTokenIssuer:   o.Issuer,
		TokenURL:            o.Issuer + TokenPath,
		ClientSecretsHasher: SecretHasher{},
	}
	core := grantTokens{compose.NewOAuth2HMACStrategy(cfg)}
	o.Storage = gatedStorage{Storage: o.Storage, env: o.Environment}
	provider := compose.Compose(cfg, o.Storage, &compose.CommonStrategy{CoreStrategy: core},
		compose.OAuth2AuthorizeExplicitFactory,
		compose.OAuth2ClientCredentialsGrantFactory,
		compose.OAuth2RefreshTokenGrantFactory,
		compose.OAuth2TokenIntrospectionFactory,
		compose.OAuth2TokenRevocationFactory,
		compose.OAuth2PKCEFactory,
		compose.PushedAuthorizeHandlerFactory,
	)
	s := &Server{opts: o, provider: provider, core: core}
	f, ok := provider.(*fosite.Fosite)
	if !ok {
		return nil, fmt.Errorf("oauth: fosite composed a %T", provider)
	}
	cfg.ClientAuthenticationStrategy = s.authenticateClient(f)
	return s, nil
}
