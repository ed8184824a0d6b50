package lookup

import "slices"

// ProductKind says how a product is granted.
type ProductKind string

// Product kinds.
const (
	// KindOAuth is the authorization server every app is subscribed to.
	KindOAuth ProductKind = "oauth"
	// KindPSD2 products are granted at once when the organization's eIDAS roles cover them.
	KindPSD2 ProductKind = "psd2"
	// KindPremium products are granted by an operations decision.
	KindPremium ProductKind = "premium"
)

// Approval says who grants a subscription.
type Approval string

// Ways a subscription is granted.
const (
	Automatic  Approval = "automatic"
	Operations Approval = "operations"
)

// Plan is a product's terms in one environment.
type Plan struct {
	ID                 string      `json:"id"`
	Name               string      `json:"name"`
	Environment        Environment `json:"environment" enum:"sandbox,production"`
	RateLimitPerSecond int         `json:"rateLimitPerSecond"`
	QuotaPerDay        int         `json:"quotaPerDay"`
}

// Product is an API product apps subscribe to.
type Product struct {
	ID          string      `json:"id"`
	Name        string      `json:"name"`
	Description string      `json:"description"`
	Kind        ProductKind `json:"kind" enum:"oauth,psd2,premium"`
	// RequiredRole is the PSD2 role (ETSI TS 119 495) the organization's QWAC must carry.
	RequiredRole string `json:"requiredRole,omitempty"`
	// Scopes are the OAuth scopes the product grants.
	Scopes   []string `json:"scopes"`
	Approval Approval `json:"approval" enum:"automatic,operations"`
	// Mandatory products are subscribed at app creation and cannot be removed.
	Mandatory bool   `json:"mandatory"`
	Plans     []Plan `json:"plans"`
}

// Plan IDs: one plan per environment.
const (
	PlanSandbox    = "sandbox"
	PlanProduction = "production"
)

// OAuthProductID is the authorization server every app is subscribed to.
const OAuthProductID = "oauth2"

func plans(sandboxRate, sandboxQuota, prodRate, prodQuota int) []Plan {
	return []Plan{
		{ID: PlanSandbox, Name: "Sandbox", Environment: Sandbox, RateLimitPerSecond: sandboxRate, QuotaPerDay: sandboxQuota},
		{ID: PlanProduction, Name: "Production", Environment: Production, RateLimitPerSecond: prodRate, QuotaPerDay: prodQuota},
	}
}

// Catalog is every product the bank offers, in display order.
var Catalog = []Product{
	{ID: OAuthProductID, Name: "OAuth2 authorization server", Kind: KindOAuth, Approval: Automatic, Mandatory: true,
		Description: "Customer consent, authorization codes and tokens. Every app is subscribed to it.",
		Scopes:      []string{"openid"}, Plans: plans(20, 20000, 100, 1000000)},
	{ID: "ais", Name: "Account Information (AIS)", Kind: KindPSD2, RequiredRole: "PSP_AI", Approval: Automatic,
		Description: "Berlin Group NextGenPSD2 accounts, balances and transactions with the customer's consent.",
		Scopes:      []string{"AIS"}, Plans: plans(10, 10000, 50, 500000)},
	{ID: "pis", Name: "Payment Initiation (PIS)", Kind: KindPSD2, RequiredRole: "PSP_PI", Approval: Automatic,
		Description: "Berlin Group NextGenPSD2 payment initiation and status.",
		Scopes:      []string{"PIS"}, Plans: plans(10, 10000, 50, 500000)},
	{ID: "cof", Name: "Confirmation of Funds (CoF)", Kind: KindPSD2, RequiredRole: "PSP_IC", Approval: Automatic,
		Description: "Berlin Group confirmation of funds 2.0 for card-based payment instrument issuers.",
		Scopes:      []string{"PIIS"}, Plans: plans(10, 10000, 50, 500000)},
	{ID: "pay-later", Name: "Pay Later (premium)", Kind: KindPremium, Approval: Operations,
		Description: "Offer the bank's instalment payments at checkout. Client credentials with the PAY_LATER scope; the bank approves each subscription.",
		Scopes:      []string{"PAY_LATER"}, Plans: plans(5, 5000, 20, 100000)},
}

// ProductByID returns a catalog product.
func ProductByID(id string) (Product, bool) {
	i := slices.IndexFunc(Catalog, func(p Product) bool { return p.ID == id })
	if i < 0 {
		return Product{}, false
	}
	return Catalog[i], true
}

// PlanByID returns one of the product's plans.
func (p Product) PlanByID(id string) (Plan, bool) {
	i := slices.IndexFunc(p.Plans, func(pl Plan) bool { return pl.ID == id })
	if i < 0 {
		return Plan{}, false
	}
	return p.Plans[i], true
}

// PlanFor is the product's plan for an environment.
func (p Product) PlanFor(env Environment) Plan {
	i := slices.IndexFunc(p.Plans, func(pl Plan) bool { return pl.Environment == env })
	return p.Plans[i]
}
