// Package apps holds the rules of a TPP organization's apps and their credentials: a
// client ID and a secret that is shown once and stored only as a hash. The TPP API looks
// an app up by client ID in one read.
package apps

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"

	"github.com/bank/devportal/shared/apperr"
	"github.com/bank/devportal/shared/org"
	"github.com/bank/devportal/shared/validation"
)

// App is a TPP application in one environment.
type App struct {
	ID          string          `json:"id" dynamodbav:"id"`
	OrgID       string          `json:"organizationId" dynamodbav:"orgId"`
	Name        string          `json:"name" dynamodbav:"name"`
	Environment org.Environment `json:"environment" dynamodbav:"environment" enum:"sandbox,production"`
	CreatedAt   time.Time       `json:"createdAt" dynamodbav:"createdAt"`
	CreatedBy   string          `json:"createdBy" dynamodbav:"createdBy"`
	// RedirectURIs are the OAuth redirect URIs, matched exactly by the authorization server.
	RedirectURIs []string `json:"redirectUris" dynamodbav:"redirectUris,stringset,omitempty"`
}

// Credential is one client ID of an app. SecretHash is the SHA-256 of the secret, which
// is 256 random bits: a plain hash cannot be reversed by guessing.
type Credential struct {
	ClientID   string    `json:"clientId,omitempty" dynamodbav:"clientId"`
	AppID      string    `json:"appId" dynamodbav:"appId"`
	OrgID      string    `json:"-" dynamodbav:"orgId"`
	Name       string    `json:"name" dynamodbav:"name"`
	SecretHash string    `json:"-" dynamodbav:"secretHash"`
	CreatedAt  time.Time `json:"createdAt" dynamodbav:"createdAt"`
	ResetAt    time.Time `json:"secretResetAt" dynamodbav:"resetAt"`
}

// Store keeps apps and credentials; an app and its first credential are written together.
type Store interface {
	CreateApp(ctx context.Context, a App, c Credential, audit org.AuditEntry) error
	ListApps(ctx context.Context, orgID string) ([]App, error)
	GetApp(ctx context.Context, orgID, appID string) (App, error)
	RenameApp(ctx context.Context, orgID, appID, name string, audit org.AuditEntry) error
	// DeleteApp removes the app, revokes every credential and detaches every certificate
	// of it, all or nothing.
	DeleteApp(ctx context.Context, a App, creds []Credential, certs []Certificate, audit org.AuditEntry) error
	AddCredential(ctx context.Context, c Credential, audit org.AuditEntry) error
	ListCredentials(ctx context.Context, orgID, appID string) ([]Credential, error)
	// Credential finds a credential by client ID (the TPP API's one-read lookup).
	Credential(ctx context.Context, clientID string) (Credential, error)
	// SetSecret replaces the secret hash if the credential still has oldHash.
	SetSecret(ctx context.Context, c Credential, oldHash string, audit org.AuditEntry) error
	RenameCredential(ctx context.Context, c Credential, audit org.AuditEntry) error
	// AddRedirectURI adds a URI to the app's set.
	AddRedirectURI(ctx context.Context, orgID, appID, uri string, audit org.AuditEntry) error
	RemoveRedirectURI(ctx context.Context, orgID, appID, uri string, audit org.AuditEntry) error
	// RevokeCredential deletes a credential unless it is the app's last one.
	RevokeCredential(ctx context.Context, c Credential, audit org.AuditEntry) error
}

// Orgs is what apps need of organizations: the actor's membership.
type Orgs interface {
	Membership(ctx context.Context, a org.Actor, orgID string) (org.Organization, org.Member, error)
}

// Service applies the app rules.
type Service struct {
	store Store
	certs CertificateStore
	orgs  Orgs
	// Now is the clock; tests move it.
	Now func() time.Time
}

// NewService returns the app rules over a store and the organizations.
func NewService(store Store, certs CertificateStore, orgs Orgs) *Service {
	return &Service{store: store, certs: certs, orgs: orgs, Now: func() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }}
}

// access checks the actor's membership; with change, also that they may change apps
// (seed 002: everyone but Viewers) and that the organization is active.
func (s *Service) access(ctx context.Context, a org.Actor, orgID string, change bool) (org.Organization, org.Member, error) {
	g, m, err := s.orgs.Membership(ctx, a, orgID)
	if err != nil {
		return g, m, err
	}
	if change && m.Role == org.Viewer {
		return g, m, apperr.New(apperr.Forbidden, "FORBIDDEN", "Viewers cannot change apps or credentials.")
	}
	if change && g.Status != org.StatusActive {
		return g, m, apperr.New(apperr.Conflict, "ORGANIZATION_NOT_ACTIVE", "Apps can be changed only while the organization is active.")
	}
	return g, m, nil
}

func (s *Service) audit(a org.Actor, orgID, action string, details map[string]string) org.AuditEntry {
	return org.AuditEntry{OrgID: orgID, At: s.Now(), ActorID: a.UserID, Actor: a.Email, Action: action, Details: details}
}

// NameRequest names an app or a credential.
type NameRequest struct {
	Name string `json:"name" validate:"required,max=100,singleline"`
}

// NewCredential is a credential with its secret, shown this once.
type NewCredential struct {
	Credential
	Secret string `json:"secret"`
	// Warning reminds the user that the secret is not shown again.
	Warning string `json:"warning"`
}

// AppCreated is a new app with its first credential.
type AppCreated struct {
	App        App           `json:"app"`
	Credential NewCredential `json:"credential"`
}

const secretWarning = "Copy the secret now and keep it safe: it is shown only this once. If you lose it, reset it."

func (s *Service) newCredential(orgID, appID, name string) (Credential, string) {
	secret := token(32)
	now := s.Now()
	return Credential{ClientID: token(16), AppID: appID, OrgID: orgID, Name: name, SecretHash: hashSecret(secret), CreatedAt: now, ResetAt: now}, secret
}

// Create registers an app with a first credential (owners, administrators, developers).
// Its name is what the bank's customers see on the consent page.
func (s *Service) Create(ctx context.Context, a org.Actor, orgID string, req NameRequest) (AppCreated, error) {
	g, _, err := s.access(ctx, a, orgID, true)
	if err != nil {
		return AppCreated{}, err
	}
	req.Name = strings.TrimSpace(req.Name)
	if errs := validation.Struct(req); len(errs) > 0 {
		return AppCreated{}, apperr.Fields(errs...)
	}
	app := App{ID: token(8), OrgID: orgID, Name: req.Name, Environment: g.Environment, CreatedAt: s.Now(), CreatedBy: a.Email}
	cred, secret := s.newCredential(orgID, app.ID, "Default")
	if err := s.store.CreateApp(ctx, app, cred, s.audit(a, orgID, "app.created", map[string]string{"appId": app.ID, "name": app.Name})); err != nil {
		return AppCreated{}, err
	}
	app.RedirectURIs = []string{} // stored as an absent set; shown as an empty list
	return AppCreated{App: app, Credential: NewCredential{Credential: cred, Secret: secret, Warning: secretWarning}}, nil
}

// AppsView lists an organization's apps.
type AppsView struct {
	Apps []App `json:"apps"`
}

// List lists the apps of an organization the actor belongs to.
func (s *Service) List(ctx context.Context, a org.Actor, orgID string) (AppsView, error) {
	if _, _, err := s.access(ctx, a, orgID, false); err != nil {
		return AppsView{}, err
	}
	list, err := s.store.ListApps(ctx, orgID)
	if list == nil {
		list = []App{}
	}
	return AppsView{Apps: list}, err
}

// AppDetail is an app with its credentials; Viewers get no client IDs.
type AppDetail struct {
	App         App          `json:"app"`
	Credentials []Credential `json:"credentials"`
}

func (s *Service) app(ctx context.Context, a org.Actor, orgID, appID string, change bool) (App, org.Member, error) {
	_, m, err := s.access(ctx, a, orgID, change)
	if err != nil {
		return App{}, m, err
	}
	app, err := s.store.GetApp(ctx, orgID, appID)
	return app, m, err
}

// Get returns an app and its credentials.
func (s *Service) Get(ctx context.Context, a org.Actor, orgID, appID string) (AppDetail, error) {
	app, m, err := s.app(ctx, a, orgID, appID, false)
	if err != nil {
		return AppDetail{}, err
	}
	creds, err := s.store.ListCredentials(ctx, orgID, appID)
	if err != nil {
		return AppDetail{}, err
	}
	out := AppDetail{App: app, Credentials: []Credential{}}
	for _, c := range creds {
		if m.Role == org.Viewer {
			c.ClientID = "" // seed 002: Viewers never see client IDs
		}
		out.Credentials = append(out.Credentials, c)
	}
	return out, nil
}

// Rename renames an app.
func (s *Service) Rename(ctx context.Context, a org.Actor, orgID, appID string, req NameRequest) (App, error) {
	app, _, err := s.app(ctx, a, orgID, appID, true)
	if err != nil {
		return App{}, err
	}
	req.Name = strings.TrimSpace(req.Name)
	if errs := validation.Struct(req); len(errs) > 0 {
		return App{}, apperr.Fields(errs...)
	}
	if err := s.store.RenameApp(ctx, orgID, appID, req.Name, s.audit(a, orgID, "app.renamed", map[string]string{"appId": appID, "from": app.Name, "to": req.Name})); err != nil {
		return App{}, err
	}
	app.Name = req.Name
	return app, nil
}

// Delete removes an app and revokes its credentials (owners and administrators).
func (s *Service) Delete(ctx context.Context, a org.Actor, orgID, appID string) error {
	app, m, err := s.app(ctx, a, orgID, appID, true)
	if err != nil {
		return err
	}
	if m.Role == org.Developer {
		return apperr.New(apperr.Forbidden, "FORBIDDEN", "Only the owner and administrators delete apps.")
	}
	creds, err := s.store.ListCredentials(ctx, orgID, appID)
	if err != nil {
		return err
	}
	certs, err := s.appCertificates(ctx, orgID, appID)
	if err != nil {
		return err
	}
	return s.store.DeleteApp(ctx, app, creds, certs, s.audit(a, orgID, "app.deleted", map[string]string{"appId": appID, "name": app.Name}))
}

// AddCredential adds a credential to an app; its secret is shown once.
func (s *Service) AddCredential(ctx context.Context, a org.Actor, orgID, appID string, req NameRequest) (NewCredential, error) {
	if _, _, err := s.app(ctx, a, orgID, appID, true); err != nil {
		return NewCredential{}, err
	}
	req.Name = strings.TrimSpace(req.Name)
	if errs := validation.Struct(req); len(errs) > 0 {
		return NewCredential{}, apperr.Fields(errs...)
	}
	cred, secret := s.newCredential(orgID, appID, req.Name)
	if err := s.store.AddCredential(ctx, cred, s.audit(a, orgID, "credential.added", map[string]string{"appId": appID, "clientId": cred.ClientID})); err != nil {
		return NewCredential{}, err
	}
	return NewCredential{Credential: cred, Secret: secret, Warning: secretWarning}, nil
}

var errNoCredential = apperr.New(apperr.NotFound, "NOT_FOUND", "There is no such credential in this app.")

func (s *Service) credential(ctx context.Context, a org.Actor, orgID, appID, clientID string, change bool) (Credential, error) {
	if _, _, err := s.app(ctx, a, orgID, appID, change); err != nil {
		return Credential{}, err
	}
	c, err := s.store.Credential(ctx, clientID)
	if err != nil || c.AppID != appID || c.OrgID != orgID {
		return Credential{}, errNoCredential
	}
	return c, nil
}

// VerifyRequest carries a secret to check.
type VerifyRequest struct {
	Secret string `json:"secret" validate:"required,max=200"`
}

// VerifyResult says whether a secret belongs to the credential.
type VerifyResult struct {
	Valid   bool   `json:"valid"`
	Message string `json:"message"`
}

// Verify checks a secret against the credential in constant time (not Viewers).
func (s *Service) Verify(ctx context.Context, a org.Actor, orgID, appID, clientID string, req VerifyRequest) (VerifyResult, error) {
	c, err := s.credential(ctx, a, orgID, appID, clientID, true)
	if err != nil {
		return VerifyResult{}, err
	}
	if errs := validation.Struct(req); len(errs) > 0 {
		return VerifyResult{}, apperr.Fields(errs...)
	}
	if subtle.ConstantTimeCompare([]byte(hashSecret(strings.TrimSpace(req.Secret))), []byte(c.SecretHash)) == 1 {
		return VerifyResult{Valid: true, Message: "This secret belongs to the credential."}, nil
	}
	return VerifyResult{Valid: false, Message: "This secret does not belong to the credential. If you lost the secret, reset it."}, nil
}

// ResetSecret gives the credential a new secret, shown once; the old one stops working.
func (s *Service) ResetSecret(ctx context.Context, a org.Actor, orgID, appID, clientID string) (NewCredential, error) {
	c, err := s.credential(ctx, a, orgID, appID, clientID, true)
	if err != nil {
		return NewCredential{}, err
	}
	secret, old := token(32), c.SecretHash
	c.SecretHash, c.ResetAt = hashSecret(secret), s.Now()
	if err := s.store.SetSecret(ctx, c, old, s.audit(a, orgID, "credential.secret_reset", map[string]string{"appId": appID, "clientId": clientID})); err != nil {
		return NewCredential{}, err
	}
	return NewCredential{Credential: c, Secret: secret, Warning: secretWarning}, nil
}

// RenameCredential renames a credential.
func (s *Service) RenameCredential(ctx context.Context, a org.Actor, orgID, appID, clientID string, req NameRequest) (Credential, error) {
	c, err := s.credential(ctx, a, orgID, appID, clientID, true)
	if err != nil {
		return Credential{}, err
	}
	req.Name = strings.TrimSpace(req.Name)
	if errs := validation.Struct(req); len(errs) > 0 {
		return Credential{}, apperr.Fields(errs...)
	}
	c.Name = req.Name
	return c, s.store.RenameCredential(ctx, c, s.audit(a, orgID, "credential.renamed", map[string]string{"appId": appID, "clientId": clientID, "name": req.Name}))
}

// RevokeCredential deletes a credential; an app keeps at least one.
func (s *Service) RevokeCredential(ctx context.Context, a org.Actor, orgID, appID, clientID string) error {
	c, err := s.credential(ctx, a, orgID, appID, clientID, true)
	if err != nil {
		return err
	}
	return s.store.RevokeCredential(ctx, c, s.audit(a, orgID, "credential.revoked", map[string]string{"appId": appID, "clientId": clientID}))
}

func token(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
