package apps

import "github.com/bank/devportal/shared/portal/lookup"

// The product catalog lives with the portal's lookups, which the TPP API reads too; these
// names keep the portal's code speaking of apps' products.
type (
	// ProductKind says how a product is granted.
	ProductKind = lookup.ProductKind
	// Approval says who grants a subscription.
	Approval = lookup.Approval
	// Plan is a product's terms in one environment.
	Plan = lookup.Plan
	// Product is an API product apps subscribe to.
	Product = lookup.Product
)

// Product kinds, approvals, plans and products of the catalog.
const (
	KindOAuth      = lookup.KindOAuth
	KindPSD2       = lookup.KindPSD2
	KindPremium    = lookup.KindPremium
	Automatic      = lookup.Automatic
	Operations     = lookup.Operations
	PlanSandbox    = lookup.PlanSandbox
	PlanProduction = lookup.PlanProduction
	OAuthProductID = lookup.OAuthProductID
)

// Catalog is every product the bank offers, in display order.
var Catalog = lookup.Catalog

// ProductByID returns a catalog product.
func ProductByID(id string) (Product, bool) { return lookup.ProductByID(id) }

// CatalogView lists the products.
type CatalogView struct {
	Products []Product `json:"products"`
}
