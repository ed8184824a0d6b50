package oauth

import (
	"encoding/json"
	"fmt"
	"net/url"
	"time"

	"github.com/ory/fosite"
)

// Session is what a grant carries from the authorization to its tokens: the customer
// (PSU) who approved it, the resources they chose, and the client certificate the tokens
// are bound to (RFC 8705).
type Session struct {
	// Subject is the approving customer, or the client ID for client credentials.
	Subject string `json:"sub"`
	AppID   string `json:"appId"`
	// Resources are what the customer chose (accounts of an AIS consent, for example).
	Resources []string `json:"resources,omitempty"`
	// Thumbprint is the x5t#S256 of the certificate the tokens are bound to.
	Thumbprint string                         `json:"x5t,omitempty"`
	ExpiresAt  map[fosite.TokenType]time.Time `json:"exp"`
}

var (
	_ fosite.Session            = (*Session)(nil)
	_ fosite.ExtraClaimsSession = (*Session)(nil)
)

// SetExpiresAt sets when a token of the kind expires.
func (s *Session) SetExpiresAt(key fosite.TokenType, exp time.Time) {
	if s.ExpiresAt == nil {
		s.ExpiresAt = map[fosite.TokenType]time.Time{}
	}
	s.ExpiresAt[key] = exp
}

// GetExpiresAt is when a token of the kind expires (zero: never set).
func (s *Session) GetExpiresAt(key fosite.TokenType) time.Time { return s.ExpiresAt[key] }

// GetUsername is the subject.
func (s *Session) GetUsername() string { return s.Subject }

// GetSubject is the subject.
func (s *Session) GetSubject() string { return s.Subject }

// Clone copies the session.
func (s *Session) Clone() fosite.Session {
	c := *s
	c.ExpiresAt = map[fosite.TokenType]time.Time{}
	for k, v := range s.ExpiresAt {
		c.ExpiresAt[k] = v
	}
	c.Resources = append([]string(nil), s.Resources...)
	return &c
}

// GetExtraClaims are what introspection (RFC 7662) adds: the certificate binding as the
// confirmation claim (RFC 8705 section 3.2) and the chosen resources.
func (s *Session) GetExtraClaims() map[string]interface{} {
	claims := map[string]interface{}{}
	if s.Thumbprint != "" {
		claims["cnf"] = map[string]string{"x5t#S256": s.Thumbprint}
	}
	if len(s.Resources) > 0 {
		claims["resources"] = s.Resources
	}
	return claims
}

// storedRequest is a fosite request as the store keeps it: the client as a snapshot,
// the session as JSON.
type storedRequest struct {
	ID                  string     `json:"id"`
	RequestedAt         time.Time  `json:"requestedAt"`
	Client              *Client    `json:"client"`
	RequestedScope      []string   `json:"scopes"`
	GrantedScope        []string   `json:"grantedScopes"`
	RequestedAudience   []string   `json:"requestedAudience,omitempty"`
	GrantedAudience     []string   `json:"grantedAudience,omitempty"`
	Form                url.Values `json:"form"`
	Session             *Session   `json:"session"`
	ResponseTypes       []string   `json:"responseTypes,omitempty"`
	RedirectURI         string     `json:"redirectUri,omitempty"`
	State               string     `json:"state,omitempty"`
	ResponseMode        string     `json:"responseMode,omitempty"`
	DefaultResponseMode string     `json:"defaultResponseMode,omitempty"`
}

// EncodeRequest is the stored form of a fosite request of this server (its client a
// *Client, its session a *Session); an authorize request keeps its redirect URI, state
// and response types.
func EncodeRequest(r fosite.Requester) ([]byte, error) {
	client, ok := r.GetClient().(*Client)
	if !ok {
		return nil, fmt.Errorf("oauth: request of client %T", r.GetClient())
	}
	session, ok := r.GetSession().(*Session)
	if !ok {
		return nil, fmt.Errorf("oauth: request with session %T", r.GetSession())
	}
	s := storedRequest{ID: r.GetID(), RequestedAt: r.GetRequestedAt(), Client: client, RequestedScope: r.GetRequestedScopes(),
		GrantedScope: r.GetGrantedScopes(), RequestedAudience: r.GetRequestedAudience(), GrantedAudience: r.GetGrantedAudience(),
		Form: r.GetRequestForm(), Session: session}
	if ar, ok := r.(fosite.AuthorizeRequester); ok {
		s.ResponseTypes, s.State = ar.GetResponseTypes(), ar.GetState()
		s.ResponseMode, s.DefaultResponseMode = string(ar.GetResponseMode()), string(ar.GetDefaultResponseMode())
		if u := ar.GetRedirectURI(); u != nil {
			s.RedirectURI = u.String()
		}
	}
	return json.Marshal(s)
}

// DecodeRequest is EncodeRequest read back, as an authorize request (which is also a
// plain request).
func DecodeRequest(b []byte) (*fosite.AuthorizeRequest, error) {
	var s storedRequest
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("oauth: stored request: %w", err)
	}
	if s.Client == nil || s.Session == nil {
		return nil, fmt.Errorf("oauth: stored request %s lacks its client or session", s.ID)
	}
	ar := fosite.NewAuthorizeRequest()
	ar.ID, ar.RequestedAt, ar.Client, ar.Session = s.ID, s.RequestedAt, s.Client, s.Session
	ar.RequestedScope, ar.GrantedScope = fosite.Arguments(orEmpty(s.RequestedScope)), fosite.Arguments(orEmpty(s.GrantedScope))
	ar.RequestedAudience, ar.GrantedAudience = fosite.Arguments(orEmpty(s.RequestedAudience)), fosite.Arguments(orEmpty(s.GrantedAudience))
	if s.Form != nil {
		ar.Form = s.Form
	}
	ar.ResponseTypes, ar.State = fosite.Arguments(orEmpty(s.ResponseTypes)), s.State
	ar.ResponseMode, ar.DefaultResponseMode = fosite.ResponseModeType(s.ResponseMode), fosite.ResponseModeType(s.DefaultResponseMode)
	if s.RedirectURI != "" {
		u, err := url.Parse(s.RedirectURI)
		if err != nil {
			return nil, fmt.Errorf("oauth: stored request %s: %w", s.ID, err)
		}
		ar.RedirectURI = u
	}
	return ar, nil
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
