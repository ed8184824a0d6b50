package registration

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/portal/apps"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/portal/workflow"
	"github.com/bank/devportal/shared/trust/eidas"
)

// Dynamic client registration (RFC 7591) and its management (RFC 7592) on the same OAuth
// clients as the registration API's: an app of the organization, marked as registered
// through the API. The caller is the software whose certificate a registration
// registered, on the mutual-TLS connection (no person, no session: the certificate is the
// credential the registration API proved); the client's management is authorized by its
// registration access token, kept only as a hash and replaced at every read and update
// (RFC 7592 lets the server issue a new one; only a hash is kept, so the old one cannot be
// answered again).

// DCRError is an RFC 7591 error: its code, a description, and the HTTP status it answers
// with (401 also carries WWW-Authenticate).
type DCRError struct {
	Status      int    `json:"-"`
	Code        string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

func (e *DCRError) Error() string { return e.Code + ": " + e.Description }

// The dynamic client registration's errors.
var (
	// ErrDCRNotRegistered refuses a certificate no registration registered.
	ErrDCRNotRegistered = &DCRError{Status: 401, Code: "invalid_client", Description: "Connect with the certificate your software registered through the registration API (its QWAC)."}
	// ErrDCRNotActive refuses an organization that is not active yet.
	ErrDCRNotActive = &DCRError{Status: 403, Code: "access_denied", Description: "The organization is not active: a production registration waits for the bank's approval."}
	// ErrDCRToken refuses a missing or wrong registration access token, or a client that
	// does not exist (RFC 7592 answers both alike).
	ErrDCRToken = &DCRError{Status: 401, Code: "invalid_token", Description: "Send the client's registration access token as a bearer token."}
)

func invalidMetadata(desc string) *DCRError {
	return &DCRError{Status: 400, Code: "invalid_client_metadata", Description: desc}
}

func invalidRedirect(desc string) *DCRError {
	return &DCRError{Status: 400, Code: "invalid_redirect_uri", Description: desc}
}

// certificateRevoked refuses the connection's certificate, which its CA revoked (or, in
// production, whose status cannot be found out): desc says which and when.
func certificateRevoked(desc string) *DCRError {
	return &DCRError{Status: 401, Code: "invalid_client", Description: desc}
}

func invalidStatement(desc string) *DCRError {
	return &DCRError{Status: 400, Code: "invalid_software_statement", Description: desc}
}

// What dynamic clients may ask for: the authorization server's grant types, response
// types and client authentication methods.
var (
	dcrGrantTypes    = []string{"authorization_code", "refresh_token", "client_credentials"}
	dcrResponseTypes = []string{"code"}
	dcrAuthMethods   = []string{"tls_client_auth", "client_secret_basic", "client_secret_post"}
	dcrScopes        = []string{"AIS", "PIS", "PIIS", "PAY_LATER"}
)

// MaxDCRRedirectURIs bounds a dynamic client's redirect URIs.
const MaxDCRRedirectURIs = 10

// ClientMetadata is a dynamic client's metadata (RFC 7591 section 2) as far as this
// server keeps it; other members are ignored, as the RFC allows.
type ClientMetadata struct {
	RedirectURIs            []string `json:"redirect_uris" dynamodbav:"redirectUris" example:"[\"https://budgetbuddy.example/callback\"]"`
	ClientName              string   `json:"client_name,omitempty" dynamodbav:"clientName" example:"Budget Buddy"`
	GrantTypes              []string `json:"grant_types,omitempty" dynamodbav:"grantTypes" example:"[\"authorization_code\",\"refresh_token\"]"`
	ResponseTypes           []string `json:"response_types,omitempty" dynamodbav:"responseTypes" example:"[\"code\"]"`
	TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method,omitempty" dynamodbav:"tokenEndpointAuthMethod" example:"tls_client_auth"`
	Scope                   string   `json:"scope,omitempty" dynamodbav:"scope,omitempty" example:"AIS PIS"`
	// SoftwareStatement is a JWS signed with the key of the organization's registered
	// QSealC; its claims take precedence over the same members sent beside it.
	SoftwareStatement string `json:"software_statement,omitempty" dynamodbav:"softwareStatement,omitempty" example:"eyJhbGciOiJQUzI1NiJ9.eyJjbGllbnRfbmFtZSI6IkJ1ZGdldCBCdWRkeSJ9.c2lnbmF0dXJl"`
}

// ClientUpdate is the body of a client update (RFC 7592 section 2.2): the full metadata
// with the client's ID; the server-issued members must not be sent.
type ClientUpdate struct {
	ClientMetadata
	ClientID                string `json:"client_id" example:"Zx3kP9aQm2s0"`
	ClientSecret            string `json:"client_secret,omitempty" example:"gX1f..."`
	RegistrationAccessToken string `json:"registration_access_token,omitempty" example:"rT9k..."`
	RegistrationClientURI   string `json:"registration_client_uri,omitempty" example:"https://api.bank.example/oauth2/register/Zx3kP9aQm2s0"`
	ClientIDIssuedAt        *int64 `json:"client_id_issued_at,omitempty" example:"1764547200"`
	ClientSecretExpiresAt   *int64 `json:"client_secret_expires_at,omitempty" example:"0"`
}

// ClientInformation is the client information response (RFC 7591 section 3.2.1, RFC
// 7592 section 3): the client's ID, its secret only when it is made, a new registration
// access token and where to manage the client, and its metadata.
type ClientInformation struct {
	ClientID         string `json:"client_id"`
	ClientSecret     string `json:"client_secret,omitempty"`
	ClientIDIssuedAt int64  `json:"client_id_issued_at"`
	// ClientSecretExpiresAt is 0: the secret does not expire.
	ClientSecretExpiresAt   int64  `json:"client_secret_expires_at"`
	RegistrationAccessToken string `json:"registration_access_token"`
	RegistrationClientURI   string `json:"registration_client_uri"`
	// APIKey is the client's app's API key, an extension member (RFC 7591 section 3.2.1
	// allows them) shown only at registration: the TPP API's caller check asks for it in
	// the apiKey header of every call, the token endpoint's included.
	APIKey string `json:"api_key,omitempty"`
	ClientMetadata
}

// DynamicClient is what is kept of a dynamic client beside its app: the hash of its
// registration access token and the metadata the app does not hold.
type DynamicClient struct {
	ClientID       string         `dynamodbav:"clientId"`
	AppID          string         `dynamodbav:"appId"`
	OrgID          string         `dynamodbav:"orgId"`
	RegistrationID string         `dynamodbav:"registrationId"`
	TokenHash      string         `dynamodbav:"tokenHash"`
	Metadata       ClientMetadata `dynamodbav:"metadata"`
	IssuedAt       time.Time      `dynamodbav:"issuedAt"`
}

// DynamicClientStore keeps the dynamic clients in the portal table.
type DynamicClientStore interface {
	// RegistrationByCertificate finds the registration of a certificate's fingerprint.
	RegistrationByCertificate(ctx context.Context, fingerprint string) (Registration, error)
	CreateDynamicClient(ctx context.Context, c DynamicClient) error
	DynamicClient(ctx context.Context, clientID string) (DynamicClient, error)
	// ReplaceDynamicClient stores c if its token hash is still previousHash.
	ReplaceDynamicClient(ctx context.Context, c DynamicClient, previousHash string) error
	// ReplaceDynamicClientWrite is ReplaceDynamicClient's write, for a transaction that
	// changes the client's app too.
	ReplaceDynamicClientWrite(c DynamicClient, previousHash string) (workflow.Write, error)
	DeleteDynamicClient(ctx context.Context, clientID string) error
}

// DCRCaller is who calls the registration endpoint: the registration of the connection's
// certificate.
type DCRCaller struct {
	Registration Registration
}

// AuthenticateCertificate answers the registration whose certificate the connection
// presented, of an active organization.
func (s *Service) AuthenticateCertificate(ctx context.Context, cert []byte) (DCRCaller, error) {
	sum := sha256.Sum256(cert)
	r, err := s.store.RegistrationByCertificate(ctx, hex.EncodeToString(sum[:]))
	if errors.Is(err, apperr.ErrNotFound) {
		return DCRCaller{}, ErrDCRNotRegistered
	}
	if err != nil {
		return DCRCaller{}, err
	}
	if err := s.active(ctx, r); errors.Is(err, ErrOrganizationNotActive) {
		return DCRCaller{}, ErrDCRNotActive
	} else if err != nil {
		return DCRCaller{}, err
	}
	return DCRCaller{Registration: r}, nil
}

// checkMetadata applies the software statement and the metadata rules, and fills the
// defaults (RFC 7591 section 2): authorization_code, code, client_secret_basic.
func (s *Service) checkMetadata(ctx context.Context, g org.Organization, m ClientMetadata) (ClientMetadata, error) {
	if m.SoftwareStatement != "" {
		claims, err := verifyStatement(g, m.SoftwareStatement, s.Now())
		if err != nil {
			return ClientMetadata{}, err
		}
		seal, _ := eidas.Parse(g.QSealCPEM)
		if errs, err := s.revoked(ctx, g.Environment, nil, seal); err != nil {
			return ClientMetadata{}, err
		} else if len(errs) > 0 {
			return ClientMetadata{}, invalidStatement("The software statement's key: " + errs[0].Message)
		}
		if m, err = applyStatement(m, claims); err != nil {
			return ClientMetadata{}, err
		}
	}
	if len(m.GrantTypes) == 0 {
		m.GrantTypes = []string{"authorization_code"}
	}
	if len(m.ResponseTypes) == 0 && slices.Contains(m.GrantTypes, "authorization_code") {
		m.ResponseTypes = []string{"code"}
	}
	if m.ResponseTypes == nil {
		m.ResponseTypes = []string{}
	}
	if m.TokenEndpointAuthMethod == "" {
		m.TokenEndpointAuthMethod = "client_secret_basic"
	}
	for _, g := range m.GrantTypes {
		if !slices.Contains(dcrGrantTypes, g) {
			return ClientMetadata{}, invalidMetadata("grant_types: " + g + " is not supported; use " + strings.Join(dcrGrantTypes, ", ") + ".")
		}
	}
	for _, r := range m.ResponseTypes {
		if !slices.Contains(dcrResponseTypes, r) {
			return ClientMetadata{}, invalidMetadata("response_types: " + r + " is not supported; use code.")
		}
	}
	if slices.Contains(m.GrantTypes, "authorization_code") != slices.Contains(m.ResponseTypes, "code") {
		return ClientMetadata{}, invalidMetadata("grant_types and response_types disagree: the authorization_code grant goes with the code response type, and only it.")
	}
	if !slices.Contains(dcrAuthMethods, m.TokenEndpointAuthMethod) {
		return ClientMetadata{}, invalidMetadata("token_endpoint_auth_method: use one of " + strings.Join(dcrAuthMethods, ", ") + ".")
	}
	for _, sc := range strings.Fields(m.Scope) {
		name, _, _ := strings.Cut(sc, ":")
		if !slices.Contains(dcrScopes, name) {
			return ClientMetadata{}, invalidMetadata("scope: " + sc + " is not a scope of this server (" + strings.Join(dcrScopes, ", ") + ").")
		}
	}
	m.Scope = strings.Join(strings.Fields(m.Scope), " ")
	m.ClientName = strings.TrimSpace(m.ClientName)
	if m.ClientName == "" {
		m.ClientName = "Registered client"
	}
	if len([]rune(m.ClientName)) > 100 || strings.ContainsAny(m.ClientName, "\r\n") {
		return ClientMetadata{}, invalidMetadata("client_name: one line of at most 100 characters.")
	}
	if m.RedirectURIs == nil {
		m.RedirectURIs = []string{}
	}
	if len(m.RedirectURIs) == 0 && slices.Contains(m.GrantTypes, "authorization_code") {
		return ClientMetadata{}, invalidRedirect("redirect_uris: the authorization_code grant needs at least one redirect URI.")
	}
	if len(m.RedirectURIs) > MaxDCRRedirectURIs {
		return ClientMetadata{}, invalidRedirect("redirect_uris: at most 10.")
	}
	for i, u := range m.RedirectURIs {
		if fe := apps.CheckRedirectURI(u, g.Environment); fe != nil {
			return ClientMetadata{}, invalidRedirect(fieldIndex("redirect_uris", i) + ": " + fe.Message)
		}
		if slices.Index(m.RedirectURIs, u) != i {
			return ClientMetadata{}, invalidRedirect(fieldIndex("redirect_uris", i) + ": listed twice.")
		}
	}
	return m, nil
}

// statementHeader is a software statement's JWS header.
type statementHeader struct {
	Alg string `json:"alg"`
}

// verifyStatement checks a software statement: a compact JWS (RS256, PS256 or ES256)
// signed with the key of the organization's registered QSealC, not expired; it answers
// its claims.
func verifyStatement(g org.Organization, jws string, now time.Time) (map[string]json.RawMessage, error) {
	seal, err := eidas.Parse(g.QSealCPEM)
	if g.QSealCPEM == "" || err != nil {
		return nil, invalidStatement("The organization has no registered QSealC to check the software statement with: register one with the certificate.")
	}
	parts := strings.Split(jws, ".")
	if len(parts) != 3 {
		return nil, invalidStatement("The software statement is not a compact JWS (three base64url parts).")
	}
	var h statementHeader
	rawHeader, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	payload, err2 := base64.RawURLEncoding.DecodeString(parts[1])
	sig, err3 := base64.RawURLEncoding.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil || json.Unmarshal(rawHeader, &h) != nil {
		return nil, invalidStatement("The software statement is not a compact JWS (three base64url parts).")
	}
	d := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	ok := false
	switch k := seal.X509.PublicKey.(type) {
	case *rsa.PublicKey:
		switch h.Alg {
		case "RS256":
			ok = rsa.VerifyPKCS1v15(k, crypto.SHA256, d[:], sig) == nil
		case "PS256":
			ok = rsa.VerifyPSS(k, crypto.SHA256, d[:], sig, nil) == nil
		}
	case *ecdsa.PublicKey:
		if h.Alg == "ES256" && len(sig) == 64 {
			ok = ecdsa.Verify(k, d[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:]))
		}
	}
	if !ok {
		return nil, invalidStatement("The software statement's signature does not verify with the registered QSealC's key (RS256, PS256 or ES256).")
	}
	var claims map[string]json.RawMessage
	if err := json.Unmarshal(payload, &claims); err != nil {
		return nil, invalidStatement("The software statement's payload is not a JSON object.")
	}
	if raw, ok := claims["exp"]; ok {
		var exp float64
		if json.Unmarshal(raw, &exp) != nil || !now.Before(time.Unix(int64(exp), 0)) {
			return nil, invalidStatement("The software statement has expired.")
		}
	}
	return claims, nil
}

// applyStatement gives the statement's claims precedence over the members sent beside it
// (RFC 7591 section 2.3).
func applyStatement(m ClientMetadata, claims map[string]json.RawMessage) (ClientMetadata, error) {
	for name, dst := range map[string]any{"redirect_uris": &m.RedirectURIs, "client_name": &m.ClientName, "grant_types": &m.GrantTypes,
		"response_types": &m.ResponseTypes, "token_endpoint_auth_method": &m.TokenEndpointAuthMethod, "scope": &m.Scope} {
		if raw, ok := claims[name]; ok {
			if err := json.Unmarshal(raw, dst); err != nil {
				return ClientMetadata{}, invalidStatement("The software statement's " + name + " is not of its type.")
			}
		}
	}
	return m, nil
}

// RegisterClient registers a dynamic client (RFC 7591): an app of the caller's
// organization with the certificate registered, its redirect URIs and name, and its
// metadata; uri is the client configuration endpoint's prefix, which the client ID ends.
func (s *Service) RegisterClient(ctx context.Context, c DCRCaller, m ClientMetadata, uri string) (ClientInformation, error) {
	a := actor(c.Registration)
	g, _, err := s.orgs.Membership(ctx, a, c.Registration.OrgID)
	if err != nil {
		return ClientInformation{}, err
	}
	if qwac, err := eidas.Parse(g.QWACPEM); err == nil {
		// The connection's certificate is the credential: one its CA revoked since it was
		// registered registers nothing.
		if errs, err := s.revoked(ctx, g.Environment, qwac, nil); err != nil {
			return ClientInformation{}, err
		} else if len(errs) > 0 {
			return ClientInformation{}, certificateRevoked(errs[0].Message)
		}
	}
	if m, err = s.checkMetadata(ctx, g, m); err != nil {
		return ClientInformation{}, err
	}
	out, err := s.apps.Create(ctx, a, g.ID, apps.NameRequest{Name: m.ClientName})
	if err != nil {
		return ClientInformation{}, err
	}
	// The app exists from here: a failure deletes it again, so that a refusal leaves
	// nothing behind.
	undo := func(err error) (ClientInformation, error) {
		_ = s.apps.Delete(context.WithoutCancel(ctx), a, g.ID, out.App.ID)
		return ClientInformation{}, err
	}
	if _, err := s.attachRegistered(ctx, Caller{Registration: c.Registration}, out.App.ID); err != nil {
		return undo(err)
	}
	for _, u := range m.RedirectURIs {
		if _, _, err := s.apps.AddRedirectURI(ctx, a, g.ID, out.App.ID, apps.RedirectRequest{URI: u}); err != nil {
			return undo(err)
		}
	}
	token := newToken()
	dc := DynamicClient{ClientID: out.Credential.ClientID, AppID: out.App.ID, OrgID: g.ID, RegistrationID: c.Registration.ID,
		TokenHash: Hash(token), Metadata: m, IssuedAt: s.Now()}
	if err := s.store.CreateDynamicClient(ctx, dc); err != nil {
		return undo(err)
	}
	info := information(dc, token, uri)
	info.ClientSecret, info.APIKey = out.Credential.Secret, out.APIKey.Key
	return info, nil
}

func information(dc DynamicClient, token, uri string) ClientInformation {
	return ClientInformation{ClientID: dc.ClientID, ClientIDIssuedAt: dc.IssuedAt.Unix(), RegistrationAccessToken: token,
		RegistrationClientURI: strings.TrimSuffix(uri, "/") + "/" + dc.ClientID, ClientMetadata: dc.Metadata}
}

// managed is the dynamic client clientID of the caller's organization whose
// registration access token was sent, its app still there.
func (s *Service) managed(ctx context.Context, c DCRCaller, clientID, token string) (DynamicClient, error) {
	if token == "" || len(token) > 200 || clientID == "" || len(clientID) > 200 {
		return DynamicClient{}, ErrDCRToken
	}
	dc, err := s.store.DynamicClient(ctx, clientID)
	if errors.Is(err, apperr.ErrNotFound) {
		return DynamicClient{}, ErrDCRToken
	}
	if err != nil {
		return DynamicClient{}, err
	}
	if subtle.ConstantTimeCompare([]byte(dc.TokenHash), []byte(Hash(token))) != 1 || dc.OrgID != c.Registration.OrgID {
		return DynamicClient{}, ErrDCRToken
	}
	if _, err := s.apps.Get(ctx, actor(c.Registration), dc.OrgID, dc.AppID); errors.Is(err, apperr.ErrNotFound) {
		return DynamicClient{}, ErrDCRToken // deleted through the portal or the registration API
	} else if err != nil {
		return DynamicClient{}, err
	}
	return dc, nil
}

// rotate stores a new registration access token for dc, if no other call replaced the
// one sent, and answers the client's information with it.
func (s *Service) rotate(ctx context.Context, dc DynamicClient, uri string) (ClientInformation, error) {
	previous := dc.TokenHash
	token := newToken()
	dc.TokenHash = Hash(token)
	if err := s.store.ReplaceDynamicClient(ctx, dc, previous); err != nil {
		return ClientInformation{}, err
	}
	return information(dc, token, uri), nil
}

// ReadClient answers a dynamic client's information (RFC 7592 section 2.1), with a new
// registration access token that replaces the one sent.
func (s *Service) ReadClient(ctx context.Context, c DCRCaller, clientID, token, uri string) (ClientInformation, error) {
	dc, err := s.managed(ctx, c, clientID, token)
	if err != nil {
		return ClientInformation{}, err
	}
	return s.rotate(ctx, dc, uri)
}

// UpdateClient replaces a dynamic client's metadata (RFC 7592 section 2.2) under the
// same rules as its registration: its name, redirect URIs and the rest; the client ID and
// secret stay. Every check comes before the first change, and the app's name and redirect
// URIs, the metadata and the new registration access token are one transaction: all of
// them change or none.
func (s *Service) UpdateClient(ctx context.Context, c DCRCaller, clientID, token, uri string, u ClientUpdate) (ClientInformation, error) {
	dc, err := s.managed(ctx, c, clientID, token)
	if err != nil {
		return ClientInformation{}, err
	}
	switch {
	case u.ClientID != clientID:
		return ClientInformation{}, invalidMetadata("client_id: send the client's ID, the one in the address.")
	case u.RegistrationAccessToken != "" || u.RegistrationClientURI != "" || u.ClientIDIssuedAt != nil || u.ClientSecretExpiresAt != nil:
		return ClientInformation{}, invalidMetadata("Leave out registration_access_token, registration_client_uri, client_id_issued_at and client_secret_expires_at: the server issues them.")
	}
	a := actor(c.Registration)
	g, _, err := s.orgs.Membership(ctx, a, dc.OrgID)
	if err != nil {
		return ClientInformation{}, err
	}
	m, err := s.checkMetadata(ctx, g, u.ClientMetadata)
	if err != nil {
		return ClientInformation{}, err
	}
	d, err := s.apps.Get(ctx, a, dc.OrgID, dc.AppID)
	if err != nil {
		return ClientInformation{}, err
	}
	if u.ClientSecret != "" {
		// RFC 7592 section 2.2: a secret sent must be the current one; it is never chosen.
		v, err := s.apps.Verify(ctx, a, dc.OrgID, dc.AppID, clientID, apps.VerifyRequest{Secret: u.ClientSecret})
		if err != nil {
			return ClientInformation{}, err
		}
		if !v.Valid {
			return ClientInformation{}, invalidMetadata("client_secret: send the client's current secret, or leave it out; a client cannot choose its secret.")
		}
	}
	previous := dc.TokenHash
	next := newToken()
	dc.TokenHash, dc.Metadata = Hash(next), m
	if m.ClientName == d.App.Name && sameSet(m.RedirectURIs, d.App.RedirectURIs) {
		if err := s.store.ReplaceDynamicClient(ctx, dc, previous); err != nil {
			return ClientInformation{}, err
		}
		return information(dc, next, uri), nil
	}
	w, err := s.store.ReplaceDynamicClientWrite(dc, previous)
	if err != nil {
		return ClientInformation{}, err
	}
	if _, err := s.apps.ReplaceClientSettings(ctx, a, dc.OrgID, dc.AppID, apps.ClientSettings{Name: m.ClientName, RedirectURIs: m.RedirectURIs}, w); err != nil {
		if errors.Is(err, apperr.ErrConflict) {
			// Either the token was used at the same time (the other call won) or the
			// app changed; nothing was written either way.
			if now, rerr := s.store.DynamicClient(ctx, clientID); rerr == nil && now.TokenHash != previous {
				return ClientInformation{}, ErrDCRToken
			}
		}
		return ClientInformation{}, err
	}
	return information(dc, next, uri), nil
}

// sameSet reports whether a and b hold the same strings, in any order.
func sameSet(a, b []string) bool {
	return len(a) == len(b) && !slices.ContainsFunc(a, func(x string) bool { return !slices.Contains(b, x) })
}

// DeleteDynamicClient deletes a dynamic client (RFC 7592 section 2.3): its app, with its
// credentials revoked, and its registration.
func (s *Service) DeleteDynamicClient(ctx context.Context, c DCRCaller, clientID, token string) error {
	dc, err := s.managed(ctx, c, clientID, token)
	if err != nil {
		return err
	}
	if err := s.apps.Delete(ctx, actor(c.Registration), dc.OrgID, dc.AppID); err != nil && !errors.Is(err, apperr.ErrNotFound) {
		return err
	}
	return s.store.DeleteDynamicClient(ctx, clientID)
}
