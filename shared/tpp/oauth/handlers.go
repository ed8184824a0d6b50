package oauth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/ory/fosite"

	"github.com/bank/devportal/shared/platform/prefetch"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/tpp/callercheck"
)

// Metadata is the RFC 8414 authorization server metadata, with the RFC 8705 aliases of
// the endpoints a client must call with its certificate.
type Metadata struct {
	Issuer                             string            `json:"issuer"`
	AuthorizationEndpoint              string            `json:"authorization_endpoint"`
	TokenEndpoint                      string            `json:"token_endpoint"`
	PushedAuthorizationRequestEndpoint string            `json:"pushed_authorization_request_endpoint"`
	RevocationEndpoint                 string            `json:"revocation_endpoint"`
	IntrospectionEndpoint              string            `json:"introspection_endpoint"`
	MTLSEndpointAliases                map[string]string `json:"mtls_endpoint_aliases"`
	ResponseTypesSupported             []string          `json:"response_types_supported"`
	ResponseModesSupported             []string          `json:"response_modes_supported"`
	GrantTypesSupported                []string          `json:"grant_types_supported"`
	CodeChallengeMethodsSupported      []string          `json:"code_challenge_methods_supported"`
	TokenEndpointAuthMethodsSupported  []string          `json:"token_endpoint_auth_methods_supported"`
	RevocationEndpointAuthMethods      []string          `json:"revocation_endpoint_auth_methods_supported"`
	IntrospectionEndpointAuthMethods   []string          `json:"introspection_endpoint_auth_methods_supported"`
	ScopesSupported                    []string          `json:"scopes_supported"`
	TLSClientCertificateBoundTokens    bool              `json:"tls_client_certificate_bound_access_tokens"`
	AuthorizationResponseIssParameter  bool              `json:"authorization_response_iss_parameter_supported"`
	RequirePushedAuthorizationRequests bool              `json:"require_pushed_authorization_requests"`
	// RegistrationEndpoint is dynamic client registration's (RFC 7591), on the mTLS
	// origin: the registered certificate is its credential.
	RegistrationEndpoint string `json:"registration_endpoint"`
}

// Metadata describes this server.
func (s *Server) Metadata() Metadata {
	iss := s.opts.Issuer
	mtls := map[string]string{
		"token_endpoint": iss + TokenPath, "pushed_authorization_request_endpoint": iss + PARPath,
		"revocation_endpoint": iss + RevokePath, "introspection_endpoint": iss + IntrospectPath,
	}
	auth := []string{"tls_client_auth", "client_secret_basic", "client_secret_post"}
	return Metadata{Issuer: iss, AuthorizationEndpoint: s.opts.AuthorizeURL,
		TokenEndpoint: mtls["token_endpoint"], PushedAuthorizationRequestEndpoint: mtls["pushed_authorization_request_endpoint"],
		RevocationEndpoint: mtls["revocation_endpoint"], IntrospectionEndpoint: mtls["introspection_endpoint"],
		MTLSEndpointAliases: mtls, ResponseTypesSupported: []string{"code"}, ResponseModesSupported: []string{"query"},
		GrantTypesSupported: []string{"authorization_code", "refresh_token", "client_credentials"}, CodeChallengeMethodsSupported: []string{"S256"},
		TokenEndpointAuthMethodsSupported: auth, RevocationEndpointAuthMethods: auth, IntrospectionEndpointAuthMethods: []string{"client_secret_basic"},
		ScopesSupported:                 []string{"AIS:<consentId>", "PIS:<paymentId>", "PIIS:<consentId>", "SBS:<basketId>", "PAY_LATER"},
		TLSClientCertificateBoundTokens: true, AuthorizationResponseIssParameter: true, RegistrationEndpoint: iss + RegisterPath}
}

// MetadataHandler answers GET /.well-known/oauth-authorization-server; it needs no
// client certificate.
func (s *Server) MetadataHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "public, max-age=3600")
		_ = json.NewEncoder(w).Encode(s.Metadata())
	})
}

// Endpoints are the server's endpoints on the TPP API's mTLS origin by route name
// (routes.TPP): the metadata, and those that run behind the caller check, whose caller
// (callercheck.From) names the certificate presented.
func (s *Server) Endpoints() map[string]http.Handler {
	return map[string]http.Handler{
		"oauth2-metadata":   s.MetadataHandler(),
		"oauth2-token":      http.HandlerFunc(s.token),
		"oauth2-par":        http.HandlerFunc(s.par),
		"oauth2-revoke":     http.HandlerFunc(s.revoke),
		"oauth2-introspect": http.HandlerFunc(s.introspect),
	}
}

// Errors of this server beyond fosite's (each an RFC 6749 error code).
var (
	ErrCertificateOfAnotherApp = fosite.ErrInvalidClient.WithHint("The client certificate is not one of this client's app.")
	ErrNoCertificate           = fosite.ErrInvalidClient.WithHint("Call this endpoint over mutual TLS with your app's certificate.")
	ErrPKCERequired            = fosite.ErrInvalidRequest.WithHint("Send a code_challenge with code_challenge_method S256 (PKCE).")
	ErrResponseType            = fosite.ErrUnsupportedResponseType.WithHint("The response_type must be code, in lower case.")
	ErrPKCEPlain               = fosite.ErrInvalidRequest.WithHint("The code_challenge_method must be S256; plain is refused.")
	ErrPARRequired             = fosite.ErrInvalidRequest.WithHint("This app must push its authorization request first (PAR) and send its request_uri.")
	ErrResourceScope           = fosite.ErrInvalidScope.WithHint("Client credentials cannot carry a scope that needs a customer's consent.")
	ErrUnknownResourceScope    = fosite.ErrInvalidScope.WithHint("A scope names a consent or payment your app did not create.")
	ErrInBasketScope           = fosite.ErrInvalidScope.WithHint("A scope names a payment or consent that waits in a signing basket: authorise the basket (scope SBS:<basketId>), or delete the basket first.")
	ErrConsentUnavailable      = fosite.ErrTemporarilyUnavailable.WithHint("The bank's sign-in pages are not available.")
)

type caller struct{}

// authenticateClient authenticates a client at the token, PAR and revocation endpoints:
// with its ID and secret (client_secret_basic or client_secret_post, through fosite), or
// with its ID alone and its certificate (tls_client_auth, RFC 8705). Either way the
// certificate of the call must be attached to the client's app.
func (s *Server) authenticateClient(f *fosite.Fosite) fosite.ClientAuthenticationStrategy {
	return func(ctx context.Context, r *http.Request, form url.Values) (fosite.Client, error) {
		c, ok := callercheck.From(ctx)
		if !ok || c.Fingerprint == "" {
			return nil, ErrNoCertificate
		}
		_, _, basic := r.BasicAuth()
		var client fosite.Client
		var err error
		if basic || form.Get("client_secret") != "" || form.Get("client_assertion_type") != "" {
			client, err = f.DefaultClientAuthenticationStrategy(ctx, r, form)
		} else {
			id := form.Get("client_id")
			if id == "" {
				return nil, fosite.ErrInvalidRequest.WithHint("Name the client: client_id, or HTTP Basic authentication.")
			}
			client, err = s.opts.Storage.GetClient(ctx, id)
			if err != nil {
				return nil, fosite.ErrInvalidClient.WithWrap(err).WithDebug(err.Error())
			}
		}
		if err != nil {
			return nil, err
		}
		cl, ok := client.(*Client)
		if !ok || cl.AppID != c.AppID || !cl.HasFingerprint(c.Fingerprint) {
			return nil, ErrCertificateOfAnotherApp
		}
		return cl, nil
	}
}

// token is the token endpoint. Every token it issues is bound to the certificate of the
// call (cnf x5t#S256).
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ar, err := s.provider.NewAccessRequest(ctx, r, &Session{})
	if err == nil && ar.GetGrantTypes().ExactOne("client_credentials") {
		if slices.ContainsFunc(ar.GetRequestedScopes(), func(sc string) bool { _, _, ok := ResourceScope(sc); return ok }) {
			err = ErrResourceScope
		}
	}
	if err != nil {
		s.provider.WriteAccessError(ctx, w, ar, err)
		return
	}
	c, _ := callercheck.From(ctx)
	session := ar.GetSession().(*Session)
	session.Thumbprint = callercheck.Thumbprint(c.Fingerprint)
	if ar.GetGrantTypes().ExactOne("client_credentials") {
		// fosite checked each scope against the app's subscriptions; the grant is ours.
		session.Subject, session.AppID = ar.GetClient().GetID(), c.AppID
		for _, scope := range ar.GetRequestedScopes() {
			ar.GrantScope(scope)
		}
	}
	resp, err := s.provider.NewAccessResponse(ctx, ar)
	if err != nil {
		s.provider.WriteAccessError(ctx, w, ar, err)
		return
	}
	s.provider.WriteAccessResponse(ctx, w, ar, resp)
}

// par is the pushed authorization request endpoint (RFC 9126).
func (s *Server) par(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ar, err := s.provider.NewPushedAuthorizeRequest(ctx, r)
	if err == nil {
		_, err = s.checkAuthorize(ctx, ar)
	}
	if err != nil {
		s.provider.WritePushedAuthorizeError(ctx, w, ar, err)
		return
	}
	resp, err := s.provider.NewPushedAuthorizeResponse(ctx, ar, &Session{AppID: ar.GetClient().(*Client).AppID})
	if err != nil {
		s.provider.WritePushedAuthorizeError(ctx, w, ar, err)
		return
	}
	s.provider.WritePushedAuthorizeResponse(ctx, w, ar, resp)
}

// revoke is the revocation endpoint (RFC 7009): a refresh token takes its grant's access
// tokens with it.
func (s *Server) revoke(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	s.provider.WriteRevocationResponse(ctx, w, s.provider.NewRevocationRequest(ctx, r))
}

// introspect is the introspection endpoint (RFC 7662), for clients with their secret.
func (s *Server) introspect(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ir, err := s.provider.NewIntrospectionRequest(ctx, r, &Session{})
	if err != nil {
		s.provider.WriteIntrospectionError(ctx, w, err)
		return
	}
	s.provider.WriteIntrospectionResponse(ctx, w, ir)
}

// ParseAuthorize validates an authorization request (directly, or through the
// request_uri of a pushed one) as the authorization endpoint does, without keeping it.
func (s *Server) ParseAuthorize(ctx context.Context, r *http.Request) (fosite.AuthorizeRequester, []Resource, error) {
	if err := r.ParseForm(); err != nil {
		return fosite.NewAuthorizeRequest(), nil, fosite.ErrInvalidRequest.WithWrap(err)
	}
	ctx = context.WithValue(ctx, redirectKey{}, r.Form.Get("redirect_uri"))
	pushed := len(r.Form.Get("request_uri")) > len(RequestURIPrefix) && r.Form.Get("request_uri")[:len(RequestURIPrefix)] == RequestURIPrefix
	ar, err := s.provider.NewAuthorizeRequest(ctx, r)
	if err != nil {
		return ar, nil, err
	}
	if ar.GetClient().(*Client).Access.FAPI && !pushed {
		return ar, nil, ErrPARRequired
	}
	resources, err := s.checkAuthorize(ctx, ar)
	return ar, resources, err
}

// checkAuthorize holds an authorization request to this server's rules before anyone is
// asked: PKCE with S256, and resource scopes that name resources of the app.
func (s *Server) checkAuthorize(ctx context.Context, ar fosite.AuthorizeRequester) ([]Resource, error) {
	form := ar.GetRequestForm()
	switch {
	// fosite compares response types without regard to case; RFC 6749 defines "code".
	case form.Get("response_type") != "code":
		return nil, ErrResponseType
	case form.Get("code_challenge") == "":
		return nil, ErrPKCERequired
	case form.Get("code_challenge_method") != "S256":
		return nil, ErrPKCEPlain
	}
	appID := ar.GetClient().(*Client).AppID
	var resources []Resource
	for _, scope := range ar.GetRequestedScopes() {
		kind, id, ok := ResourceScope(scope)
		if !ok {
			continue
		}
		if s.opts.Resources == nil {
			return nil, ErrUnknownResourceScope
		}
		res, err := s.opts.Resources.Find(ctx, kind, id)
		switch {
		case errors.Is(err, ErrUnknownResource) || err == nil && res.AppID != appID:
			return nil, ErrUnknownResourceScope
		case errors.Is(err, ErrInBasket):
			return nil, ErrInBasketScope
		case err != nil:
			return nil, fosite.ErrServerError.WithWrap(err).WithDebug(err.Error())
		}
		resources = append(resources, res)
	}
	return resources, nil
}

// AuthorizeHandler is the authorization endpoint on the browser-reachable origin: it
// validates the request, keeps it, and hands the customer to the bank's pages (Consent).
// A request it cannot trust the redirect URI of is answered here, never redirected.
func (s *Server) AuthorizeHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		ar, resources, err := s.ParseAuthorize(ctx, r)
		if err == nil && s.opts.Consent == nil {
			err = ErrConsentUnavailable
		}
		if err != nil {
			s.writeAuthorizeError(ctx, w, ar, err)
			return
		}
		client := ar.GetClient().(*Client)
		if ar.GetSession() == nil {
			ar.SetSession(&Session{AppID: client.AppID})
		}
		id := randomID()
		if err := s.opts.Storage.CreatePending(ctx, id, ar, time.Now().Add(PendingLifespan)); err != nil {
			s.opts.Log.ErrorContext(ctx, "keep authorization request", "error", err.Error())
			s.writeAuthorizeError(ctx, w, ar, fosite.ErrServerError)
			return
		}
		var redirect string
		if u := ar.GetRedirectURI(); u != nil {
			redirect = u.String()
		}
		s.opts.Consent.Begin(w, r, Pending{ID: id, ClientID: client.ClientID, AppID: client.AppID, AppName: client.Access.AppName,
			OrgID: client.OrgID, RedirectURI: redirect, Scopes: ar.GetRequestedScopes(), Resources: resources})
	})
}

// ErrUnknownPending is a decision on a request that is not waiting (decided, expired or
// never made): there is nowhere safe to send the customer.
var ErrUnknownPending = errors.New("oauth: no such authorization request is waiting")

// Approve ends a pending request with the customer's approval: the client's redirect
// URI gets the code, the state and the issuer (RFC 9207).
func (s *Server) Approve(ctx context.Context, w http.ResponseWriter, id string, d Decision) error {
	ar, err := s.opts.Storage.TakePending(ctx, id)
	if err != nil {
		return ErrUnknownPending
	}
	session := ar.GetSession().(*Session)
	session.Subject, session.Resources = d.Subject, d.Chosen
	for _, scope := range d.Scopes {
		if !slices.Contains(ar.GetRequestedScopes(), scope) {
			s.writeAuthorizeError(ctx, w, ar, fosite.ErrInvalidScope.WithHint("The approval grants a scope that was not requested."))
			return nil
		}
		ar.GrantScope(scope)
	}
	if d.Subject == "" {
		s.writeAuthorizeError(ctx, w, ar, fosite.ErrAccessDenied.WithHint("No customer approved the request."))
		return nil
	}
	// The resources learn of the approval before a code exists: one the customer cannot
	// grant ends the request with access_denied, and no code is issued for it.
	for _, res := range s.resources(ar, d.Scopes) {
		err := s.opts.Resources.Approved(ctx, res, d.Subject, d.Chosen)
		switch {
		case errors.Is(err, ErrCannotGrant):
			s.opts.Log.InfoContext(ctx, "the customer cannot grant a resource", "kind", res.Kind, "id", res.ID, "reason", err.Error())
			s.writeAuthorizeError(ctx, w, ar, ErrNotGrantable)
			return nil
		case err != nil:
			return err
		}
	}
	resp, err := s.provider.NewAuthorizeResponse(ctx, ar, session)
	if err != nil {
		s.writeAuthorizeError(ctx, w, ar, err)
		return nil
	}
	resp.AddParameter("iss", s.opts.Issuer)
	s.provider.WriteAuthorizeResponse(ctx, w, ar, resp)
	return nil
}

// Deny ends a pending request with access_denied: the customer said no.
func (s *Server) Deny(ctx context.Context, w http.ResponseWriter, id string) error {
	return s.refuse(ctx, w, id, ErrCustomerDenied)
}

// FailSCA ends a pending request with access_denied because the customer's strong
// authentication failed, so that a client can tell it from a refusal.
func (s *Server) FailSCA(ctx context.Context, w http.ResponseWriter, id string) error {
	return s.refuse(ctx, w, id, ErrSCAFailed)
}

// Expire ends a pending request as running out of time does: the client gets no answer
// (there is no redirect for a customer who never comes back), and a later Approve, Deny
// or FailSCA answers ErrUnknownPending.
func (s *Server) Expire(ctx context.Context, id string) error {
	if _, err := s.opts.Storage.TakePending(ctx, id); err != nil {
		return ErrUnknownPending
	}
	return nil
}

// Refusals of a pending request, each sent to the client's redirect URI.
var (
	ErrCustomerDenied = fosite.ErrAccessDenied.WithHint("The customer did not approve the request.")
	ErrSCAFailed      = fosite.ErrAccessDenied.WithHint("The customer's strong authentication (SCA) failed.")
	ErrNotGrantable   = fosite.ErrAccessDenied.WithHint("The customer cannot grant what the request asks, such as an account they do not hold.")
)

func (s *Server) refuse(ctx context.Context, w http.ResponseWriter, id string, why error) error {
	ar, err := s.opts.Storage.TakePending(ctx, id)
	if err != nil {
		return ErrUnknownPending
	}
	// The resources learn of the refusal (a consent becomes rejected); the client gets its
	// answer whatever becomes of that.
	for _, res := range s.resources(ar, ar.GetRequestedScopes()) {
		if err := s.opts.Resources.Refused(ctx, res); err != nil {
			s.opts.Log.ErrorContext(ctx, "a refused resource was not told", "kind", res.Kind, "id", res.ID, "error", err.Error())
		}
	}
	s.writeAuthorizeError(ctx, w, ar, why)
	return nil
}

// resources are the resources the scopes of request ar name, as its client's app's.
func (s *Server) resources(ar fosite.AuthorizeRequester, scopes []string) []Resource {
	if s.opts.Resources == nil {
		return nil
	}
	appID := ar.GetClient().(*Client).AppID
	var out []Resource
	for _, scope := range scopes {
		if kind, id, ok := ResourceScope(scope); ok {
			out = append(out, Resource{Kind: kind, ID: id, AppID: appID})
		}
	}
	return out
}

// writeAuthorizeError answers an authorization request with its error: redirected with
// the issuer (RFC 9207) when the redirect URI is the client's, else shown here.
func (s *Server) writeAuthorizeError(ctx context.Context, w http.ResponseWriter, ar fosite.AuthorizeRequester, err error) {
	s.provider.WriteAuthorizeError(ctx, &issWriter{ResponseWriter: w, iss: s.opts.Issuer}, ar, err)
}

// issWriter adds iss to the query of an authorization error's redirect.
type issWriter struct {
	http.ResponseWriter
	iss string
}

func (i *issWriter) WriteHeader(status int) {
	if loc := i.Header().Get("Location"); loc != "" && status >= 300 && status < 400 {
		if u, err := url.Parse(loc); err == nil {
			q := u.Query()
			q.Set("iss", i.iss)
			u.RawQuery = q.Encode()
			i.Header().Set("Location", u.String())
		}
	}
	i.ResponseWriter.WriteHeader(status)
}

type redirectKey struct{}

// gatedStorage is the storage as fosite sees it: a client of another environment is
// unknown, and a sandbox app may use a port variant of a registered http://localhost
// redirect URI when the authorization request asks for one.
type gatedStorage struct {
	Storage
	env lookup.Environment
}

func (g gatedStorage) GetClient(ctx context.Context, id string) (fosite.Client, error) {
	c, err := g.Storage.GetClient(ctx, id)
	if err != nil {
		return nil, err
	}
	cl, ok := c.(*Client)
	if !ok || cl.Access.Environment != g.env {
		return nil, fosite.ErrNotFound
	}
	if requested, _ := ctx.Value(redirectKey{}).(string); requested != "" {
		cl.loopback = cl.sandboxLoopback(requested)
	}
	return cl, nil
}

func randomID() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

var _ callercheck.Tokens = (*Server)(nil)

// AccessTokenKey is the item AccessToken reads for token, for the caller check to read
// it ahead with the caller's items.
func (s *Server) AccessTokenKey(token string) (prefetch.Key, bool) {
	sig := s.core.AccessTokenSignature(context.Background(), token)
	if sig == "" {
		return prefetch.Key{}, false
	}
	return s.opts.Storage.AccessTokenKey(sig)
}

// AccessToken verifies a bearer access token for the caller check: what it grants, or
// callercheck.ErrTokenExpired / ErrTokenInvalid (unknown, revoked, not an access token).
func (s *Server) AccessToken(ctx context.Context, token string) (callercheck.Token, error) {
	_, ar, err := s.provider.IntrospectToken(ctx, token, fosite.AccessToken, &Session{})
	switch {
	case errors.Is(err, fosite.ErrTokenExpired):
		return callercheck.Token{}, callercheck.ErrTokenExpired
	case errors.Is(err, fosite.ErrServerError):
		return callercheck.Token{}, err
	case err != nil:
		return callercheck.Token{}, callercheck.ErrTokenInvalid
	}
	session, ok := ar.GetSession().(*Session)
	if !ok {
		return callercheck.Token{}, callercheck.ErrTokenInvalid
	}
	client, _ := ar.GetClient().(*Client)
	t := callercheck.Token{ClientID: ar.GetClient().GetID(), Subject: session.Subject, Scopes: ar.GetGrantedScopes(),
		Resources: session.Resources, Thumbprint: session.Thumbprint, ExpiresAt: session.GetExpiresAt(fosite.AccessToken)}
	if client != nil {
		t.AppID = client.AppID
	}
	return t, nil
}
