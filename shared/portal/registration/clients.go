package registration

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/portal/apps"
	"github.com/bank/devportal/shared/portal/org"
)

// ClientRequest names a new OAuth client: the name the bank's customers see when they
// consent.
type ClientRequest = apps.NameRequest

// CallbackRequest is one callback URL (an OAuth redirect URI), under the portal's
// redirect-URI rules.
type CallbackRequest = apps.RedirectRequest

// Client is an OAuth client: an app of the organization and its client ID.
type Client struct {
	ID           string          `json:"id"`
	Name         string          `json:"name"`
	Environment  org.Environment `json:"environment" enum:"sandbox,production"`
	ClientID     string          `json:"clientId"`
	CallbackURLs []string        `json:"callbackUrls"`
	// RegisteredThroughAPI is false for an app a person created in the portal.
	RegisteredThroughAPI bool      `json:"registeredThroughApi"`
	CreatedAt            time.Time `json:"createdAt"`
}

// ClientCreated is a new OAuth client with its secret and its API key (the TPP API's
// apiKey header), both shown only this once.
type ClientCreated struct {
	Client
	ClientSecret string `json:"clientSecret"`
	APIKey       string `json:"apiKey"`
	Warning      string `json:"warning"`
}

// ClientsView lists the organization's OAuth clients.
type ClientsView struct {
	Clients []Client `json:"clients"`
}

// CallbacksView lists an OAuth client's callback URLs.
type CallbacksView struct {
	CallbackURLs []string `json:"callbackUrls"`
}

func client(a apps.App, clientID string) Client {
	uris := slices.Clone(a.RedirectURIs)
	if uris == nil {
		uris = []string{}
	}
	return Client{ID: a.ID, Name: a.Name, Environment: a.Environment, ClientID: clientID, CallbackURLs: uris,
		RegisteredThroughAPI: a.RegisteredThroughAPI, CreatedAt: a.CreatedAt}
}

// CreateClient creates an OAuth client: an app of the caller's organization, by the
// portal's rules (production apps come from going live), marked as registered through
// the API.
func (s *Service) CreateClient(ctx context.Context, c Caller, req ClientRequest) (ClientCreated, error) {
	out, err := s.apps.Create(ctx, actor(c.Registration), c.Registration.OrgID, req)
	if err != nil {
		return ClientCreated{}, err
	}
	return ClientCreated{Client: client(out.App, out.Credential.ClientID), ClientSecret: out.Credential.Secret, APIKey: out.APIKey.Key,
		Warning: "Copy the client secret and the API key now: they are shown only this once."}, nil
}

// ListClients lists the organization's OAuth clients.
func (s *Service) ListClients(ctx context.Context, c Caller) (ClientsView, error) {
	v, err := s.apps.List(ctx, actor(c.Registration), c.Registration.OrgID)
	if err != nil {
		return ClientsView{}, err
	}
	out := ClientsView{Clients: []Client{}}
	for _, a := range v.Apps {
		d, err := s.apps.Get(ctx, actor(c.Registration), c.Registration.OrgID, a.ID)
		if err != nil {
			return ClientsView{}, err
		}
		out.Clients = append(out.Clients, client(d.App, firstClientID(d)))
	}
	return out, nil
}

func firstClientID(d apps.AppDetail) string {
	if len(d.Credentials) == 0 {
		return ""
	}
	return d.Credentials[0].ClientID
}

// GetClient reads one OAuth client (its secret is never shown again).
func (s *Service) GetClient(ctx context.Context, c Caller, id string) (Client, error) {
	d, err := s.apps.Get(ctx, actor(c.Registration), c.Registration.OrgID, id)
	if errors.Is(err, apperr.ErrNotFound) {
		return Client{}, errNoClient
	}
	if err != nil {
		return Client{}, err
	}
	return client(d.App, firstClientID(d)), nil
}

// DeleteClient deletes an OAuth client and revokes its credentials.
func (s *Service) DeleteClient(ctx context.Context, c Caller, id string) error {
	err := s.apps.Delete(ctx, actor(c.Registration), c.Registration.OrgID, id)
	if errors.Is(err, apperr.ErrNotFound) {
		return errNoClient
	}
	return err
}

// AddCallback registers a callback URL of an OAuth client.
func (s *Service) AddCallback(ctx context.Context, c Caller, id string, req CallbackRequest) (CallbacksView, error) {
	a, err := s.apps.AddRedirectURI(ctx, actor(c.Registration), c.Registration.OrgID, id, req)
	if errors.Is(err, apperr.ErrNotFound) {
		return CallbacksView{}, errNoClient
	}
	if err != nil {
		return CallbacksView{}, err
	}
	return CallbacksView{CallbackURLs: client(a, "").CallbackURLs}, nil
}

// Callbacks lists an OAuth client's callback URLs.
func (s *Service) Callbacks(ctx context.Context, c Caller, id string) (CallbacksView, error) {
	cl, err := s.GetClient(ctx, c, id)
	return CallbacksView{CallbackURLs: cl.CallbackURLs}, err
}

// RemoveCallback removes a callback URL of an OAuth client.
func (s *Service) RemoveCallback(ctx context.Context, c Caller, id, uri string) error {
	return s.apps.RemoveRedirectURI(ctx, actor(c.Registration), c.Registration.OrgID, id, uri)
}
