package apps

import (
	"net/url"

	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/portal/lookup"
)

// TPPAPIInfo is where an app calls the TPP API and its authorization server, and how long
// what the server issues lives: what the portal's getting-started panel and OAuth settings
// show. It is configuration, the same for every app and every visitor.
type TPPAPIInfo struct {
	// BaseURL is the TPP API's mutual-TLS origin (TPP_URL), also the OAuth2 issuer.
	BaseURL string `json:"baseUrl"`
	// MetadataURL is the authorization server's metadata (RFC 8414), which names every
	// endpoint below.
	MetadataURL string `json:"metadataUrl"`
	// AuthorizationEndpoint is on the browser-reachable origin: customers' browsers present
	// no client certificate.
	AuthorizationEndpoint string `json:"authorizationEndpoint"`
	TokenEndpoint         string `json:"tokenEndpoint"`
	PAREndpoint           string `json:"parEndpoint"`
	// APIKeyHeader is the header every TPP API call carries the app's API key in.
	APIKeyHeader string `json:"apiKeyHeader"`
	// SandboxCustomersURL lists the sandbox bank's customers, whom developers sign in as
	// on the bank's pages.
	SandboxCustomersURL string `json:"sandboxCustomersUrl"`
	// The lifetimes, in seconds, of access tokens, refresh tokens and authorization codes.
	AccessTokenSeconds       int `json:"accessTokenSeconds"`
	RefreshTokenSeconds      int `json:"refreshTokenSeconds"`
	AuthorizationCodeSeconds int `json:"authorizationCodeSeconds"`
}

// TPPAPIOf is the TPP API as the configuration places it. The sandbox customers are
// served on the authorization endpoint's origin, the TPP area's browser-reachable one.
func TPPAPIOf(c config.Config) TPPAPIInfo {
	browser := c.OAuthAuthorizeURL
	if u, err := url.Parse(c.OAuthAuthorizeURL); err == nil && u.Scheme != "" && u.Host != "" {
		browser = u.Scheme + "://" + u.Host
	}
	return TPPAPIInfo{
		BaseURL:                  c.TPPURL,
		MetadataURL:              c.TPPURL + config.OAuthMetadataPath,
		AuthorizationEndpoint:    c.OAuthAuthorizeURL,
		TokenEndpoint:            c.TPPURL + config.OAuthTokenPath,
		PAREndpoint:              c.TPPURL + config.OAuthPARPath,
		APIKeyHeader:             lookup.APIKeyHeader,
		SandboxCustomersURL:      browser + config.SandboxCustomersPath,
		AccessTokenSeconds:       int(c.AccessTokenTTL.Seconds()),
		RefreshTokenSeconds:      int(c.RefreshTokenTTL.Seconds()),
		AuthorizationCodeSeconds: int(config.AuthorizationCodeTTL.Seconds()),
	}
}

// TPPAPI is where and how apps call the TPP API.
func (s *Service) TPPAPI() TPPAPIInfo { return s.tppAPI }
