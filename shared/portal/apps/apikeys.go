package apps

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/portal/org"
)

// An app's API key ("<organization>.<app>.<secret>", lookup.NewAPIKey) goes with every
// TPP API call in the apiKey header. The portal shows it once and keeps only its hash on
// the app (App.APIKeys): the current key, and after a rotation the previous one until its
// grace period ends.

// Grace periods of a rotation, in hours.
const (
	DefaultGracePeriodHours = 24
	MaxGracePeriodHours     = 7 * 24
)

// apiKeyWarning is shown with a new key, as with client secrets.
const apiKeyWarning = "Copy the API key now and store it safely: it is shown only this once, and the bank keeps only its hash. If you lose it, rotate it."

// NewAPIKey is an API key shown this once.
type NewAPIKey struct {
	// Key is the whole key the TPP sends in Header.
	Key string `json:"key"`
	// Header is the request header TPP API calls carry the key in.
	Header    string    `json:"header"`
	CreatedAt time.Time `json:"createdAt"`
	// Warning reminds the user that the key is not shown again.
	Warning string `json:"warning"`
}

// RotateAPIKeyRequest chooses how long the replaced key keeps working.
type RotateAPIKeyRequest struct {
	// GracePeriodHours is how long the current key keeps working after the rotation
	// (0 to 168; 24 when absent). 0 stops it at once.
	GracePeriodHours *int `json:"gracePeriodHours,omitempty" example:"24"`
}

// APIKeyRotation is an app's new API key, shown once, and the app with its keys.
type APIKeyRotation struct {
	App    App       `json:"app"`
	APIKey NewAPIKey `json:"apiKey"`
	// PreviousExpiresAt is when the replaced key stops working; absent when the app had
	// no key before.
	PreviousExpiresAt *time.Time `json:"previousExpiresAt,omitempty"`
}

// newAPIKey makes a key for the app: 32 random bytes, base64url (never a dot), after the
// organization and app IDs; only its hash is kept.
func (s *Service) newAPIKey(orgID, appID string) (NewAPIKey, lookup.APIKeyHash) {
	key := lookup.NewAPIKey(orgID, appID, token(32))
	now := s.Now()
	return NewAPIKey{Key: key, Header: lookup.APIKeyHeader, CreatedAt: now, Warning: apiKeyWarning},
		lookup.APIKeyHash{Hash: lookup.HashAPIKey(key), CreatedAt: now}
}

// rotated is keys after a rotation at now: the new key first, then the current key
// expiring after grace. Any older key goes, so an app has at most two keys, and a key
// whose grace period ended is dropped here.
func rotated(keys []lookup.APIKeyHash, next lookup.APIKeyHash, now time.Time, grace time.Duration) ([]lookup.APIKeyHash, *time.Time) {
	out := []lookup.APIKeyHash{next}
	i := slices.IndexFunc(keys, func(k lookup.APIKeyHash) bool { return k.ExpiresAt == nil })
	if i < 0 {
		return out, nil
	}
	until := now.Add(grace)
	previous := keys[i]
	previous.ExpiresAt = &until
	return append(out, previous), &until
}

// gracePeriod reads the request's grace period, naming the field when it is out of range.
func (req RotateAPIKeyRequest) gracePeriod() (time.Duration, error) {
	hours := DefaultGracePeriodHours
	if req.GracePeriodHours != nil {
		hours = *req.GracePeriodHours
	}
	if hours < 0 || hours > MaxGracePeriodHours {
		return 0, apperr.Fields(apperr.Field("gracePeriodHours", "range",
			fmt.Sprintf("Choose a grace period from 0 to %d hours (7 days).", MaxGracePeriodHours)))
	}
	return time.Duration(hours) * time.Hour, nil
}

// RotateAPIKey gives the app a new API key, shown once (not Viewers). The current key
// keeps working for the grace period; an app without a key (from before API keys, or a
// production app made by going live) gets its first one.
func (s *Service) RotateAPIKey(ctx context.Context, a org.Actor, orgID, appID string, req RotateAPIKeyRequest) (APIKeyRotation, error) {
	app, _, err := s.app(ctx, a, orgID, appID, true)
	if err != nil {
		return APIKeyRotation{}, err
	}
	grace, err := req.gracePeriod()
	if err != nil {
		return APIKeyRotation{}, err
	}
	checks, err := s.open(ctx, orgID)
	if err != nil {
		return APIKeyRotation{}, err
	}
	// The keys the app's subscriptions meter with, made where missing (an app from before
	// API keys, or one whose key was lost): a rotation also repairs them. Those that
	// exist are kept, so there is nothing to undo if the write fails.
	if _, err := s.addUsageKeys(ctx, usageKeysOf(app)); err != nil {
		return APIKeyRotation{}, err
	}
	shown, stored := s.newAPIKey(orgID, appID)
	keys, previous := rotated(app.APIKeys, stored, shown.CreatedAt, grace)
	action, details := "app.api_key.created", map[string]string{"appId": appID}
	if previous != nil {
		action = "app.api_key.rotated"
		details["gracePeriodHours"] = strconv.Itoa(int(grace / time.Hour))
		details["previousExpiresAt"] = previous.Format(time.RFC3339)
	}
	after, err := s.update(ctx, app, s.audit(a, orgID, action, details), func(x *App) { x.APIKeys = keys }, checks...)
	if err != nil {
		return APIKeyRotation{}, err
	}
	return APIKeyRotation{App: after, APIKey: shown, PreviousExpiresAt: previous}, nil
}

// UsageKey names the API Gateway API key that meters one app's use of one product, in
// the usage plan of the product's plan.
type UsageKey struct {
	OrgID, AppID, ProductID, PlanID string
}

// Value is the API key's value (and name): lookup.UsageKey.
func (u UsageKey) Value() string { return lookup.UsageKey(u.OrgID, u.AppID, u.ProductID) }

// Plan is the usage plan's key in the configuration (UsagePlanKey).
func (u UsageKey) Plan() string { return UsagePlanKey(u.ProductID, u.PlanID) }

// UsagePlanKey names the usage plan of one product's plan ("ais-sandbox"): the CDK
// stack names the usage plans so, and USAGE_PLAN_IDS maps these names to their IDs.
func UsagePlanKey(productID, planID string) string { return productID + "-" + planID }

// UsageKeys keep API Gateway's metering keys in step with subscriptions: one API key per
// app and subscribed product, valued UsageKey.Value, in the usage plan of the product's
// plan. The TPP API's authorizer names that key for each call, so API Gateway applies the
// plan's rate limit and daily quota; a call whose key is missing is refused by API
// Gateway. Both methods are idempotent.
type UsageKeys interface {
	// Add creates the key if it does not exist and puts it in its plan's usage plan.
	Add(ctx context.Context, k UsageKey) error
	// Remove takes the key out of its usage plan and deletes it; a missing key is no
	// error.
	Remove(ctx context.Context, k UsageKey) error
}

// UsageMeter counts an app's calls of one product since midnight UTC (the plans' daily
// quotas are counted per UTC day).
type UsageMeter interface {
	CallsToday(ctx context.Context, orgID, appID, productID string) (int, error)
}

// errUsagePlans refuses a change whose usage key could not be made: nothing was written.
var errUsagePlans = apperr.New(apperr.Unavailable, "USAGE_PLANS_UNAVAILABLE", "The TPP API's usage plans could not be updated, so nothing was changed. Try again in a moment.")

// usageKeysOf are the usage keys of the app's active products.
func usageKeysOf(app App) []UsageKey {
	out := make([]UsageKey, 0, len(app.Products))
	for _, p := range Catalog {
		if plan, ok := app.Products[p.ID]; ok {
			out = append(out, UsageKey{OrgID: app.OrgID, AppID: app.ID, ProductID: p.ID, PlanID: plan})
		}
	}
	return out
}

// everyUsageKey is every usage key the app could have: one per catalog product, with the
// plan of the app's environment. Deleting them all also sweeps a key made for a
// subscription whose approval could not be applied.
func everyUsageKey(app App) []UsageKey {
	out := make([]UsageKey, 0, len(Catalog))
	for _, p := range Catalog {
		out = append(out, UsageKey{OrgID: app.OrgID, AppID: app.ID, ProductID: p.ID, PlanID: p.PlanFor(app.Environment).ID})
	}
	return out
}

// addUsageKeys makes the usage keys a write is about to need, before the write: a key
// that exists a moment too early meters nothing, while a subscription without its key
// would be refused by API Gateway. If one fails, those made are removed again and the
// change is refused. undo removes them after a failed write.
func (s *Service) addUsageKeys(ctx context.Context, keys []UsageKey) (undo func(), err error) {
	if s.usage == nil || len(keys) == 0 {
		return func() {}, nil
	}
	var made []UsageKey
	undo = func() { s.removeUsageKeys(context.WithoutCancel(ctx), made, "the write they were made for failed") }
	for _, k := range keys {
		if err := s.usage.Add(ctx, k); err != nil {
			slog.ErrorContext(ctx, "usage key not created: the change is refused", "usageKey", k.Value(), "usagePlan", k.Plan(), "error", err.Error())
			undo()
			return nil, errUsagePlans
		}
		made = append(made, k)
	}
	return undo, nil
}

// removeUsageKeys deletes usage keys after the write that ended their subscriptions. A
// failure cannot undo that write, so it is logged as an error naming each key left
// behind (it meters nothing; deleting the app removes it again).
func (s *Service) removeUsageKeys(ctx context.Context, keys []UsageKey, why string) {
	if s.usage == nil {
		return
	}
	for _, k := range keys {
		if err := s.usage.Remove(ctx, k); err != nil {
			slog.ErrorContext(ctx, "usage key left in API Gateway: remove it by hand", "usageKey", k.Value(), "usagePlan", k.Plan(), "why", why, "error", err.Error())
		}
	}
}

// settleUsageKey removes k after a write that ended its subscription, or that failed to
// start it, unless the app (read again) holds the product after all: a subscription made
// at the same moment keeps its key. Failures are logged as errors, naming the key.
func (s *Service) settleUsageKey(ctx context.Context, k UsageKey, why string) {
	if s.usage == nil {
		return
	}
	ctx = context.WithoutCancel(ctx)
	s.removeUsageKeys(ctx, []UsageKey{k}, why)
	app, err := s.store.GetApp(ctx, k.OrgID, k.AppID)
	if err != nil {
		return // the app is gone: so is its need for the key
	}
	if plan, ok := app.Products[k.ProductID]; ok {
		k.PlanID = plan
		if err := s.usage.Add(ctx, k); err != nil {
			slog.ErrorContext(ctx, "usage key missing for an active subscription: rotate the app's API key to make it again", "usageKey", k.Value(), "usagePlan", k.Plan(), "error", err.Error())
		}
	}
}

// OrganizationApps lists an organization's apps as operations weigh a decision about it:
// name, environment, how many certificates and redirect URIs, and the products it uses.
func (s *Service) OrganizationApps(ctx context.Context, orgID string) ([]org.OpsApp, error) {
	list, err := s.store.ListApps(ctx, orgID)
	if err != nil {
		return nil, err
	}
	out := make([]org.OpsApp, 0, len(list))
	for _, a := range list {
		products := slices.Sorted(maps.Keys(a.Products))
		if products == nil {
			products = []string{}
		}
		out = append(out, org.OpsApp{ID: a.ID, Name: a.Name, Environment: a.Environment, Certificates: len(a.Fingerprints),
			RedirectURIs: len(a.RedirectURIs), Products: products})
	}
	return out, nil
}

// RemoveOrganizationUsageKeys deletes the usage keys of every app of an offboarded
// organization (the offboarding approval calls it); failures are logged per key.
func (s *Service) RemoveOrganizationUsageKeys(ctx context.Context, orgID string) error {
	if s.usage == nil {
		return nil
	}
	list, err := s.store.ListApps(ctx, orgID)
	if err != nil {
		return err
	}
	for _, app := range list {
		s.removeUsageKeys(ctx, everyUsageKey(app), "the organization is offboarded")
	}
	return nil
}

// ProductUsage is one subscribed product's calls today against its plan.
type ProductUsage struct {
	ProductID   string `json:"productId"`
	ProductName string `json:"productName"`
	PlanID      string `json:"planId"`
	// CallsToday are the calls since midnight UTC; absent when no meter is configured
	// or it did not answer (Available is false then).
	CallsToday         *int `json:"callsToday,omitempty"`
	Available          bool `json:"available"`
	QuotaPerDay        int  `json:"quotaPerDay"`
	RateLimitPerSecond int  `json:"rateLimitPerSecond"`
}

// usage reads today's calls of each active product of the app. A meter that fails
// leaves that product "not available" rather than failing the page.
func (s *Service) usageOf(ctx context.Context, app App) []ProductUsage {
	out := []ProductUsage{}
	for _, p := range Catalog {
		planID, ok := app.Products[p.ID]
		if !ok {
			continue
		}
		plan, _ := p.PlanByID(planID)
		u := ProductUsage{ProductID: p.ID, ProductName: p.Name, PlanID: planID, QuotaPerDay: plan.QuotaPerDay, RateLimitPerSecond: plan.RateLimitPerSecond}
		if s.meter != nil {
			n, err := s.meter.CallsToday(ctx, app.OrgID, app.ID, p.ID)
			if err != nil {
				slog.WarnContext(ctx, "usage not available", "appId", app.ID, "productId", p.ID, "error", err.Error())
			} else {
				u.CallsToday, u.Available = &n, true
			}
		}
		out = append(out, u)
	}
	return out
}
