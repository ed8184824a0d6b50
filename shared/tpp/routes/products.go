package routes

import "strings"

// productPaths maps the TPP API's path prefixes to the catalog product (lookup.Catalog)
// each belongs to: the caller check refuses a call whose app is not subscribed to it, or
// whose organization lacks its PSD2 role. Longer prefixes come first.
var productPaths = []struct{ prefix, product string }{
	{"/v2/consents/confirmation-of-funds", "cof"},
	{"/v1/funds-confirmations", "cof"},
	{"/v2/funds-confirmations", "cof"},
	{"/v1/consents", "ais"},
	{"/v1/accounts", "ais"},
	{"/v1/card-accounts", "ais"},
	{"/v1/payments", "pis"},
	{"/v1/bulk-payments", "pis"},
	{"/v1/periodic-payments", "pis"},
	{"/v1/signing-baskets", "pis"},
	{"/oauth2", "oauth2"},
}

// ProductOf is the product a TPP API path belongs to; ok is false for a path outside
// every product.
func ProductOf(path string) (product string, ok bool) {
	for _, p := range productPaths {
		if path == p.prefix || strings.HasPrefix(path, p.prefix+"/") {
			return p.product, true
		}
	}
	return "", false
}

// ProductPrefixes are the path prefixes of the TPP API's products, longest first.
func ProductPrefixes() []string {
	out := make([]string, len(productPaths))
	for i, p := range productPaths {
		out[i] = p.prefix
	}
	return out
}
