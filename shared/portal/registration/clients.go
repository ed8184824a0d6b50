package registration

import (
	"context"
	"errors"
	"maps"
	"slices"
	"time"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/platform/paging"
	"github.com/bank/devportal/shared/platform/validation"
	"github.com/bank/devportal/shared/portal/apps"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/trust/eidas"
)

// ClientRequest names a new OAuth client (the name the bank's customers see when they
// consent) and the products to subscribe it to, each on its sandbox plan, by the
// portal's subscription rules.
type ClientRequest struct {
	Name     string   `json:"name" validate:"required,max=100,singleline" example:"Budget Buddy"`
	Products []string `json:"products,omitempty" validate:"max=10,unique,dive,max=40" example:"[\"ais\"]"`
}

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
	// CertificateFingerprints are the SHA-256 fingerprints of the mTLS certificates the
	// client calls the TPP API with.
	CertificateFingerprints []string `json:"certificateFingerprints"`
	// Products are the IDs of the products it is subscribed to.
	Products []string `json:"products"`
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
	// NextCursor asks for the next page; it is absent on the last.
	NextCursor string `json:"nextCursor,omitempty"`
}

// CallbacksView lists an OAuth client's callback URLs.
type CallbacksView struct {
	CallbackURLs []string `json:"callbackUrls"`
	// PendingReview is a callback URL of a production client waiting for the bank's
	// review before it is added.
	PendingReview *apps.PendingChange `json:"pendingReview,omitempty"`
}

func client(a apps.App, clientID string) Client {
	uris := slices.Clone(a.RedirectURIs)
	if uris == nil {
		uris = []string{}
	}
	fps := slices.Clone(a.Fingerprints)
	if fps == nil {
		fps = []string{}
	}
	return Client{ID: a.ID, Name: a.Name, Environment: a.Environment, ClientID: clientID, CallbackURLs: uris, CertificateFingerprints: fps,
		Products: slices.Sorted(maps.Keys(a.Products)), RegisteredThroughAPI: a.RegisteredThroughAPI, CreatedAt: a.CreatedAt}
}

// CreateClient creates an OAuth client: an app of the caller's organization, by the
// portal's rules (production apps come from going live), marked as registered through
// the API.
func (s *Service) CreateClient(ctx context.Context, c Caller, req ClientRequest) (ClientCreated, error) {
	if errs := validation.Struct(req); len(errs) > 0 {
		return ClientCreated{}, apperr.Fields(errs...)
	}
	a := actor(c.Registration)
	g, _, err := s.orgs.Membership(ctx, a, c.Registration.OrgID)
	if err != nil {
		return ClientCreated{}, err
	}
	if errs := checkProducts(g, req.Products); len(errs) > 0 {
		return ClientCreated{}, apperr.Fields(errs...)
	}
	out, err := s.apps.Create(ctx, a, c.Registration.OrgID, apps.NameRequest{Name: req.Name})
	if err != nil {
		return ClientCreated{}, err
	}
	if fp, err := s.attachRegistered(ctx, c, out.App.ID); err != nil {
		return ClientCreated{}, err
	} else if fp != "" {
		out.App.Fingerprints = append(out.App.Fingerprints, fp)
	}
	for _, p := range req.Products {
		sub, err := s.apps.Subscribe(ctx, a, c.Registration.OrgID, out.App.ID, apps.SubscribeRequest{ProductID: p, PlanID: "sandbox"})
		if err != nil {
			return ClientCreated{}, err
		}
		if sub.Status == apps.SubscriptionActive {
			out.App.Products[p] = sub.PlanID
		}
	}
	return ClientCreated{Client: client(out.App, out.Credential.ClientID), ClientSecret: out.Credential.Secret, APIKey: out.APIKey.Key,
		Warning: "Copy the client secret and the API key now: they are shown only this once."}, nil
}

// ListClients lists one page of the organization's OAuth clients.
func (s *Service) ListClients(ctx context.Context, c Caller, page paging.Page) (ClientsView, error) {
	v, err := s.apps.List(ctx, actor(c.Registration), c.Registration.OrgID, page)
	if err != nil {
		return ClientsView{}, err
	}
	out := ClientsView{Clients: []Client{}, NextCursor: v.NextCursor}
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
	a, _, err := s.apps.AddRedirectURI(ctx, actor(c.Registration), c.Registration.OrgID, id, req)
	if errors.Is(err, apperr.ErrNotFound) {
		return CallbacksView{}, errNoClient
	}
	if err != nil {
		return CallbacksView{}, err
	}
	return CallbacksView{CallbackURLs: client(a, "").CallbackURLs, PendingReview: a.PendingChange}, nil
}

// RemoveCallback removes a callback URL of an OAuth client.
func (s *Service) RemoveCallback(ctx context.Context, c Caller, id, uri string) error {
	return s.apps.RemoveRedirectURI(ctx, actor(c.Registration), c.Registration.OrgID, id, uri)
}

// attachRegistered gives the first OAuth client the certificate the software registered
// with, as the app's mTLS certificate: uploaded to the organization (proven by the
// registration, as onboarding's certificates are) and selected for the app. A
// certificate identifies one app, so a later client selects one of its own; then it
// answers "".
func (s *Service) attachRegistered(ctx context.Context, c Caller, appID string) (string, error) {
	a := actor(c.Registration)
	g, _, err := s.orgs.Membership(ctx, a, c.Registration.OrgID)
	if err != nil {
		return "", err
	}
	fp := c.Registration.CertFingerprint
	held, err := s.apps.Certificate(ctx, a, g.ID, fp)
	switch {
	case err == nil && held.AppID != "":
		return "", nil
	case err != nil && !errors.Is(err, apperr.ErrNotFound):
		return "", err
	}
	if err != nil {
		if _, err := s.apps.Upload(ctx, a, g.ID, apps.UploadRequest{Certificate: g.QWACPEM}); err != nil {
			return "", err
		}
	}
	if _, err := s.apps.AttachCertificate(ctx, a, g.ID, appID, apps.SelectRequest{Fingerprint: fp}); err != nil {
		return "", err
	}
	return fp, nil
}

// checkProducts refuses, before anything is created, the products a new client cannot
// be subscribed to at once: unknown ones, the mandatory one (every app has it), those
// that wait for the bank's decision (subscribe through the portal), and those whose PSD2
// role the organization's QWAC does not carry.
func checkProducts(g org.Organization, products []string) []apperr.FieldError {
	var roles []string
	if c, err := eidas.Parse(g.QWACPEM); err == nil && c.PSD2 != nil {
		roles = c.PSD2.Roles
	}
	var errs []apperr.FieldError
	for i, id := range products {
		field := fieldIndex("products", i)
		p, ok := apps.ProductByID(id)
		switch {
		case !ok:
			errs = append(errs, apperr.Field(field, "unknown", "There is no such product; choose one from the catalog."))
		case p.Mandatory:
			errs = append(errs, apperr.Field(field, "mandatory", "Every client is subscribed to this product already."))
		case p.Approval != apps.Automatic:
			errs = append(errs, apperr.Field(field, "approval", "This product waits for the bank's decision: subscribe to it through the portal."))
		case p.RequiredRole != "" && !slices.Contains(roles, p.RequiredRole):
			errs = append(errs, apperr.Field(field, "roleMissing", "This product needs the PSD2 role "+p.RequiredRole+", which the registered certificate does not carry."))
		}
	}
	return errs
}
