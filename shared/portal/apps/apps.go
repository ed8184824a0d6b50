// Package apps holds the rules of a TPP organization's apps and their credentials: a
// client ID and a secret that is shown once and stored only as a hash. The TPP API looks
// an app up by client ID in one read.
package apps

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/platform/paging"
	"github.com/bank/devportal/shared/platform/validation"
	"github.com/bank/devportal/shared/portal/approval"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/portal/possession"
	"github.com/bank/devportal/shared/portal/workflow"
	"github.com/bank/devportal/shared/trust/sandboxca"
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
	// Fingerprints are the SHA-256 fingerprints of the app's mTLS certificates.
	Fingerprints []string `json:"certificateFingerprints" dynamodbav:"fingerprints,stringset,omitempty"`
	// Products maps each active subscription's product ID to its plan ID.
	Products map[string]string `json:"activeProducts" dynamodbav:"products"`
	// FAPI makes the authorization server require FAPI 2.0's pushed authorization requests
	// (PAR) of the app: an authorization request must be pushed first and name its
	// request_uri. Off until the team switches it on (OAuthSettings).
	FAPI bool `json:"fapi" dynamodbav:"fapi"`
	// GoLive is the app's request for production access, if any (sandbox apps).
	GoLive *GoLive `json:"goLive,omitempty" dynamodbav:"goLive,omitempty"`
	// SandboxAppID is the sandbox app a production app was created from.
	SandboxAppID string `json:"sandboxAppId,omitempty" dynamodbav:"sandboxAppId,omitempty"`
	// APIKeys are the hashes and lifetimes of the app's API keys (never the keys): the
	// current one, and after a rotation the previous one until its grace period ends.
	// The TPP API's caller check reads them from this item (lookup.AttrAPIKeys).
	APIKeys []lookup.APIKeyHash `json:"apiKeys" dynamodbav:"apiKeys,omitempty"`
	// RegisteredThroughAPI marks an app the TPP's software created through the
	// registration API (an OAuth client) rather than a person through the portal.
	RegisteredThroughAPI bool `json:"registeredThroughApi,omitempty" dynamodbav:"registeredThroughApi,omitempty"`
	// PendingChange is a change of a production app waiting for the bank's review.
	PendingChange *PendingChange `json:"pendingChange,omitempty" dynamodbav:"pendingChange,omitempty"`
	// Version counts changes; every write of the app and its lookup copies requires the
	// version it read, so no change is lost between them.
	Version int `json:"-" dynamodbav:"version"`
}

// Access is what the TPP API needs to know about an app; each credential's lookup item
// carries a copy, so one read answers who is calling and what they may call.
type Access struct {
	AppID        string            `json:"appId" dynamodbav:"appId"`
	OrgID        string            `json:"organizationId" dynamodbav:"orgId"`
	AppName      string            `json:"appName" dynamodbav:"appName"`
	Environment  org.Environment   `json:"environment" dynamodbav:"environment" enum:"sandbox,production"`
	RedirectURIs []string          `json:"redirectUris" dynamodbav:"redirectUris"`
	Fingerprints []string          `json:"certificateFingerprints" dynamodbav:"fingerprints"`
	Products     map[string]string `json:"activeProducts" dynamodbav:"products"`
	// FAPI is the app's FAPI 2.0 switch, which the authorization server reads as
	// oauth.Access.FAPI (the same dynamodbav name).
	FAPI bool `json:"fapi" dynamodbav:"fapi,omitempty"`
}

// Access is the app's current access, with non-nil lists.
func (a App) Access() Access {
	nonNil := func(s []string) []string {
		if s == nil {
			return []string{}
		}
		return slices.Sorted(slices.Values(s))
	}
	products := map[string]string{}
	maps.Copy(products, a.Products)
	return Access{AppID: a.ID, OrgID: a.OrgID, AppName: a.Name, Environment: a.Environment,
		RedirectURIs: nonNil(a.RedirectURIs), Fingerprints: nonNil(a.Fingerprints), Products: products, FAPI: a.FAPI}
}

// clone copies an app deeply enough to change its lists and maps.
func (a App) clone() App {
	a.RedirectURIs = slices.Clone(a.RedirectURIs)
	a.Fingerprints = slices.Clone(a.Fingerprints)
	a.Products = maps.Clone(a.Products)
	a.APIKeys = slices.Clone(a.APIKeys)
	if a.Products == nil {
		a.Products = map[string]string{}
	}
	if a.GoLive != nil {
		g := *a.GoLive
		a.GoLive = &g
	}
	return a
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
	// SecretIssued is false for a production credential whose secret has not been
	// generated yet (the approval created it; the user generates the secret, shown once).
	SecretIssued bool `json:"secretIssued" dynamodbav:"-"`
}

// Store keeps apps and credentials. Every change of an app goes through UpdateApp (or
// AppWrites inside a larger transaction), which rewrites the app and the access copy on
// each of its credentials, guarded by the version it read.
type Store interface {
	// CreateApp writes the app, its first credential and the given writes together.
	CreateApp(ctx context.Context, a App, c Credential, audit org.AuditEntry, with ...workflow.Write) error
	// CreateAppWrites are CreateApp's writes (without audit), for the workflow.
	CreateAppWrites(a App, c Credential) ([]workflow.Write, error)
	// GoLiveWrite records a go-live request's state on the sandbox app.
	GoLiveWrite(orgID, appID string, g GoLive) (workflow.Write, error)
	ListApps(ctx context.Context, orgID string) ([]App, error)
	// AppsPage reads one page of an organization's apps.
	AppsPage(ctx context.Context, orgID string, page paging.Page) ([]App, string, error)
	GetApp(ctx context.Context, orgID, appID string) (App, error)
	// UpdateApp stores after in place of before (same version) with the given writes.
	UpdateApp(ctx context.Context, before, after App, creds []Credential, audit org.AuditEntry, with ...workflow.Write) error
	// AppWrites are UpdateApp's writes, for a transaction the workflow applies.
	AppWrites(before, after App, creds []Credential) ([]workflow.Write, error)
	// ProductWrites activate one product on the app and its credentials' access copies,
	// whatever else changed in the app (for the workflow); creds must be all of them.
	ProductWrites(app App, creds []Credential, productID, planID string) []workflow.Write
	// TouchWrite moves the app's version on if it is still app's.
	TouchWrite(app App) workflow.Write
	// PendingChangeWrite marks a change of the app as waiting for review, if the app is
	// still app and waits for no other.
	PendingChangeWrite(app App, c PendingChange) (workflow.Write, error)
	// ClearPendingChangeWrite ends the wait for the request's change, if it still waits.
	ClearPendingChangeWrite(orgID, appID, requestID string) workflow.Write
	// DeleteApp removes the app, revokes every credential, detaches every certificate and
	// ends every subscription of it, all or nothing.
	DeleteApp(ctx context.Context, a App, creds []Credential, certs []Certificate, subs []Subscription, audit org.AuditEntry) error
	// AddCredential adds a credential carrying the access of app (at its version), with
	// the given checks.
	AddCredential(ctx context.Context, app App, c Credential, audit org.AuditEntry, with ...workflow.Write) error
	ListCredentials(ctx context.Context, orgID, appID string) ([]Credential, error)
	// Credential finds a credential by client ID (the TPP API's one-read lookup).
	Credential(ctx context.Context, clientID string) (Credential, error)
	// Client finds a credential with its app's access by client ID in one read.
	Client(ctx context.Context, clientID string) (Client, error)
	// CredentialWrites create a credential of app (at its version) inside a transaction.
	CredentialWrites(app App, c Credential) ([]workflow.Write, error)
	// SetSecret replaces the secret hash if the credential still has oldHash.
	SetSecret(ctx context.Context, c Credential, oldHash string, audit org.AuditEntry) error
	RenameCredential(ctx context.Context, c Credential, audit org.AuditEntry) error
	// RevokeCredential deletes a credential unless it is the app's last one.
	RevokeCredential(ctx context.Context, c Credential, audit org.AuditEntry) error
}

// MaxCredentials bounds an app's credentials, which keeps every app change inside one
// DynamoDB transaction.
const MaxCredentials = 10

// Orgs is what apps need of organizations: the actor's membership.
type Orgs interface {
	Membership(ctx context.Context, a org.Actor, orgID string) (org.Organization, org.Member, error)
}

// OnboardingProofs prove a draft onboarding's certificates, which share the certificates'
// proof endpoint (ProvePossession) with the uploaded ones.
type OnboardingProofs interface {
	ProveOnboarding(ctx context.Context, a org.Actor, orgID, fingerprint string, req possession.ProofRequest) (possession.Result, error)
}

// Directory reads organizations and members without an actor (scheduled jobs and
// workflow decisions).
type Directory interface {
	GetOrganization(ctx context.Context, id string) (org.Organization, error)
	ListMembers(ctx context.Context, orgID string) ([]org.Member, error)
	AuditWrite(e org.AuditEntry) (workflow.Write, error)
	// OpenChecks hold a transaction to the organization being active with no offboarding
	// waiting.
	OpenChecks(orgID string) []workflow.Write
	// OffboardingPending says whether an offboarding request of the organization waits.
	OffboardingPending(ctx context.Context, orgID string) (bool, error)
}

// Approvals files requests for an operations decision.
type Approvals interface {
	Submit(ctx context.Context, r approval.Request, with ...workflow.Write) (approval.Request, error)
	Register(name string, k approval.Kind)
}

// Mailer sends the certificate expiry warnings.
type Mailer interface {
	SendMail(ctx context.Context, to, subject, text, htmlBody string) error
}

// Deps are what the app rules need.
type Deps struct {
	Store         Store
	Certs         CertificateStore
	Subscriptions SubscriptionStore
	Orgs          Orgs
	// Onboarding proves a draft onboarding's certificates.
	Onboarding OnboardingProofs
	Directory  Directory
	Approvals  Approvals
	Mail       Mailer
	// SandboxCA issues sandbox mTLS certificates; nil where there is none.
	SandboxCA *sandboxca.CA
	// CRL publishes the sandbox CA's CRL; nil where nothing publishes it.
	CRL CRLPublisher
	// Roots are the CAs trusted per environment, where a certificate's issuer is looked
	// for (its CRL's signature and OCSP need it).
	Roots org.Trust
	// Revocation checks certificates at their CAs (uploads); nil checks nothing.
	Revocation org.RevocationChecker
	// JobRevocation gives the daily check a checker of its own (one that may keep each CRL
	// for the run); nil uses Revocation.
	JobRevocation func() org.RevocationChecker
	// Truststore is the eIDAS truststore: the CAs a production app's mTLS certificate
	// must chain to (the production roots onboarding trusts). Nil trusts none.
	Truststore *x509.CertPool
	PortalURL  string
	// CertificateCheckURL is the TPP API's certificate-check endpoint, where an mTLS
	// certificate's holder can prove possession by connecting with it; empty offers only
	// the signature.
	CertificateCheckURL string
	// UsageKeys keep API Gateway's usage keys in step with subscriptions; nil where no
	// usage plans are configured (no TPP API deployed).
	UsageKeys UsageKeys
	// Meter counts the apps' calls; nil shows usage as not available.
	Meter UsageMeter
	// TPPAPI is where apps call the TPP API (TPPAPIOf the configuration).
	TPPAPI TPPAPIInfo
	// Notifications is the TPP API's delivery log of status notifications; nil where
	// the route does not read it.
	Notifications NotificationLog
}

// Service applies the app rules.
type Service struct {
	store      Store
	certs      CertificateStore
	subs       SubscriptionStore
	orgs       Orgs
	onboarding OnboardingProofs
	dir        Directory
	approvals  Approvals
	mail       Mailer
	ca         *sandboxca.CA
	crl        CRLPublisher
	roots      org.Trust
	revocation org.RevocationChecker
	jobChecker func() org.RevocationChecker
	truststore *x509.CertPool
	portalURL  string
	checkURL   string
	usage      UsageKeys
	meter      UsageMeter
	tppAPI     TPPAPIInfo
	notifyLog  NotificationLog
	// Now is the clock; tests move it.
	Now func() time.Time
}

// NewService returns the app rules; it registers the subscription and go-live request
// kinds with approvals.
func NewService(d Deps) *Service {
	s := &Service{store: d.Store, certs: d.Certs, subs: d.Subscriptions, orgs: d.Orgs, onboarding: d.Onboarding, dir: d.Directory, approvals: d.Approvals,
		mail: d.Mail, ca: d.SandboxCA, crl: d.CRL, roots: d.Roots, revocation: d.Revocation, jobChecker: d.JobRevocation, truststore: d.Truststore, portalURL: d.PortalURL, checkURL: d.CertificateCheckURL, usage: d.UsageKeys, meter: d.Meter, tppAPI: d.TPPAPI, notifyLog: d.Notifications,
		Now: func() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }}
	d.Approvals.Register(KindSubscription, subscriptionKind{s})
	d.Approvals.Register(KindGoLive, goLiveKind{s})
	d.Approvals.Register(KindAppChange, appChangeKind{s})
	return s
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

// errOffboarding refuses what would let an app be called while offboarding waits.
var errOffboarding = apperr.New(apperr.Conflict, "OFFBOARDING_PENDING", "An offboarding request waits for the bank's decision: no new apps, credentials or certificates meanwhile.")

// open refuses, clearly, a change that creates a way to call the organization's apps
// while its offboarding waits; the transaction's OpenChecks make it hold under races.
func (s *Service) open(ctx context.Context, orgID string) ([]workflow.Write, error) {
	pending, err := s.dir.OffboardingPending(ctx, orgID)
	if err != nil {
		return nil, err
	}
	if pending {
		return nil, errOffboarding
	}
	return s.dir.OpenChecks(orgID), nil
}

func (s *Service) audit(a org.Actor, orgID, action string, details map[string]string) org.AuditEntry {
	return org.AuditEntry{OrgID: orgID, At: s.Now(), ActorID: a.UserID, Actor: a.Email, Action: action, Details: details}
}

// NameRequest names an app or a credential.
type NameRequest struct {
	Name string `json:"name" validate:"required,max=100,singleline" example:"Budget Buddy"`
}

// NewCredential is a credential with its secret, shown this once.
type NewCredential struct {
	Credential
	Secret string `json:"secret"`
	// Warning reminds the user that the secret is not shown again.
	Warning string `json:"warning"`
}

// AppCreated is a new app with its first credential and its API key, both shown once.
type AppCreated struct {
	App        App           `json:"app"`
	Credential NewCredential `json:"credential"`
	APIKey     NewAPIKey     `json:"apiKey"`
}

const secretWarning = "Copy the secret now and keep it safe: it is shown only this once. If you lose it, reset it."

func (s *Service) newCredential(orgID, appID, name string) (Credential, string) {
	secret := token(32)
	now := s.Now()
	return Credential{ClientID: token(16), AppID: appID, OrgID: orgID, Name: name, SecretHash: hashSecret(secret), CreatedAt: now, ResetAt: now}, secret
}

// errProductionByGoLive keeps production apps to the reviewed path (seeds 001, 002).
var errProductionByGoLive = apperr.New(apperr.Conflict, "PRODUCTION_BY_GO_LIVE", "Production apps are created by going live: build and test the app in your sandbox organization, then ask for production access there.")

// Create registers a sandbox app with a first credential (owners, administrators,
// developers), subscribed to the authorization server; production apps come from going
// live. Its name is what the bank's customers see on
// the consent page.
func (s *Service) Create(ctx context.Context, a org.Actor, orgID string, req NameRequest) (AppCreated, error) {
	g, _, err := s.access(ctx, a, orgID, true)
	if err != nil {
		return AppCreated{}, err
	}
	if g.Environment == org.Production {
		return AppCreated{}, errProductionByGoLive
	}
	validation.Normalize(&req)
	if errs := validation.Struct(req); len(errs) > 0 {
		return AppCreated{}, apperr.Fields(errs...)
	}
	app := App{ID: token(8), OrgID: orgID, Name: req.Name, Environment: g.Environment, CreatedAt: s.Now(), CreatedBy: a.Email, RegisteredThroughAPI: a.Software}
	cred, secret := s.newCredential(orgID, app.ID, "Default")
	key, keyHash := s.newAPIKey(orgID, app.ID)
	app.APIKeys = []lookup.APIKeyHash{keyHash}
	sub, err := s.mandatorySubscription(&app, a.Email)
	if err != nil {
		return AppCreated{}, err
	}
	checks, err := s.open(ctx, orgID)
	if err != nil {
		return AppCreated{}, err
	}
	undo, err := s.addUsageKeys(ctx, usageKeysOf(app))
	if err != nil {
		return AppCreated{}, err
	}
	if err := s.store.CreateApp(ctx, app, cred, s.audit(a, orgID, "app.created", map[string]string{"appId": app.ID, "name": app.Name}), append(sub, checks...)...); err != nil {
		undo()
		return AppCreated{}, err
	}
	app.RedirectURIs, app.Fingerprints = []string{}, []string{} // stored as absent sets
	return AppCreated{App: app, Credential: NewCredential{Credential: cred, Secret: secret, Warning: secretWarning}, APIKey: key}, nil
}

// AppsView lists an organization's apps.
type AppsView struct {
	Apps []App `json:"apps"`
	// NextCursor asks for the next page; it is absent on the last.
	NextCursor string `json:"nextCursor,omitempty"`
}

// List lists one page of the apps of an organization the actor belongs to.
func (s *Service) List(ctx context.Context, a org.Actor, orgID string, page paging.Page) (AppsView, error) {
	if _, _, err := s.access(ctx, a, orgID, false); err != nil {
		return AppsView{}, err
	}
	list, next, err := s.store.AppsPage(ctx, orgID, page)
	if list == nil {
		list = []App{}
	}
	return AppsView{Apps: list, NextCursor: next}, err
}

// AppDetail is an app with its credentials and today's use of its products; Viewers
// get no client IDs.
type AppDetail struct {
	App         App          `json:"app"`
	Credentials []Credential `json:"credentials"`
	// Usage is each active product's calls today against its plan.
	Usage []ProductUsage `json:"usage"`
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
	s.markOffboardedGoLive(ctx, &app)
	out := AppDetail{App: app, Credentials: []Credential{}, Usage: s.usageOf(ctx, app)}
	slices.SortStableFunc(creds, func(a, b Credential) int { return a.CreatedAt.Compare(b.CreatedAt) })
	for _, c := range creds {
		if m.Role == org.Viewer {
			c.ClientID = "" // seed 002: Viewers never see client IDs
		}
		out.Credentials = append(out.Credentials, c)
	}
	return out, nil
}

// markOffboardedGoLive notes on an approved go-live whether its production organization
// has since been offboarded, so the page does not link to a production app that is gone.
// A failed read leaves the go-live as stored: the link then shows what it shows.
func (s *Service) markOffboardedGoLive(ctx context.Context, app *App) {
	if app.GoLive == nil || app.GoLive.Status != approval.Approved || s.dir == nil {
		return
	}
	if g, err := s.dir.GetOrganization(ctx, app.GoLive.ProductionOrgID); err == nil && g.Status == org.StatusOffboarded {
		live := *app.GoLive
		live.ProductionOffboarded = true
		app.GoLive = &live
	}
}

// Rename renames an app. A production app's new name is what its customers will see when
// they consent, so it waits for the bank's review (Reviewed says so).
func (s *Service) Rename(ctx context.Context, a org.Actor, orgID, appID string, req NameRequest) (App, Reviewed, error) {
	app, _, err := s.app(ctx, a, orgID, appID, true)
	if err != nil {
		return App{}, false, err
	}
	validation.Normalize(&req)
	if errs := validation.Struct(req); len(errs) > 0 {
		return App{}, false, apperr.Fields(errs...)
	}
	if reviewed(app) {
		if req.Name == app.Name {
			return App{}, false, apperr.Fields(apperr.Field("name", "unchanged", "This is the app's name already."))
		}
		out, err := s.requestChange(ctx, a, app, PendingChange{Name: req.Name}, "Rename "+app.Name+" to "+req.Name)
		return out, err == nil, err
	}
	out, err := s.update(ctx, app, s.audit(a, orgID, "app.renamed", map[string]string{"appId": appID, "from": app.Name, "to": req.Name}),
		func(x *App) { x.Name = req.Name })
	return out, false, err
}

// Delete removes an app, revokes its credentials and ends its subscriptions (owners and
// administrators). An app with a request waiting for the bank cannot be deleted.
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
	// The app's own list says which certificates it holds: no need to read them all.
	var certs []Certificate
	for _, fp := range app.Fingerprints {
		certs = append(certs, Certificate{Fingerprint: fp, OrgID: orgID, AppID: appID})
	}
	subs, err := s.subs.ListSubscriptions(ctx, orgID, appID)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(subs, func(x Subscription) bool { return x.Status == SubscriptionPending }) || (app.GoLive != nil && app.GoLive.Status == approval.Pending) {
		return apperr.New(apperr.Conflict, "REQUEST_PENDING", "A request for this app is waiting for the bank's decision; delete the app once it is decided.")
	}
	if err := s.store.DeleteApp(ctx, app, creds, certs, subs, s.audit(a, orgID, "app.deleted", map[string]string{"appId": appID, "name": app.Name})); err != nil {
		return err
	}
	s.removeUsageKeys(ctx, everyUsageKey(app), "the app is deleted")
	return nil
}

// AddCredential adds a credential to an app; its secret is shown once.
func (s *Service) AddCredential(ctx context.Context, a org.Actor, orgID, appID string, req NameRequest) (NewCredential, error) {
	app, _, err := s.app(ctx, a, orgID, appID, true)
	if err != nil {
		return NewCredential{}, err
	}
	validation.Normalize(&req)
	if errs := validation.Struct(req); len(errs) > 0 {
		return NewCredential{}, apperr.Fields(errs...)
	}
	creds, err := s.store.ListCredentials(ctx, orgID, appID)
	if err != nil {
		return NewCredential{}, err
	}
	if len(creds) >= MaxCredentials {
		return NewCredential{}, apperr.Fields(apperr.Field("name", "max", fmt.Sprintf("An app has at most %d credentials; revoke one first.", MaxCredentials)))
	}
	cred, secret := s.newCredential(orgID, appID, req.Name)
	checks, err := s.open(ctx, orgID)
	if err != nil {
		return NewCredential{}, err
	}
	if err := s.store.AddCredential(ctx, app, cred, s.audit(a, orgID, "credential.added", map[string]string{"appId": appID, "clientId": cred.ClientID}), checks...); err != nil {
		return NewCredential{}, err
	}
	return NewCredential{Credential: cred, Secret: secret, Warning: secretWarning}, nil
}

// update applies change to a fresh copy of the app and stores it with its access copies.
func (s *Service) update(ctx context.Context, before App, audit org.AuditEntry, change func(*App), with ...workflow.Write) (App, error) {
	creds, err := s.store.ListCredentials(ctx, before.OrgID, before.ID)
	if err != nil {
		return App{}, err
	}
	after := before.clone()
	change(&after)
	if err := s.store.UpdateApp(ctx, before, after, creds, audit, with...); err != nil {
		return App{}, err
	}
	after.Version++
	return after, nil
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
	Secret string `json:"secret" validate:"required,max=200" example:"the-secret-you-copied"`
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
	app, _, err := s.app(ctx, a, orgID, appID, true)
	if err != nil {
		return NewCredential{}, err
	}
	// A production secret opens real customers' data: resetting it takes the password
	// entered moments ago, not only a session someone may have left open.
	if app.Environment == org.Production && !a.Fresh {
		return NewCredential{}, org.ErrNotFresh
	}
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
	validation.Normalize(&req)
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
