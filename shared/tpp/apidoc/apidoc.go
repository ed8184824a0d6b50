// Package apidoc is the OpenAPI 3 description of this bank's TPP API: what it serves of
// the Berlin Group NextGenPSD2 framework and the choices it makes (mutual TLS with the
// apiKey header, the OAuth2 redirect approach with scopes AIS:<consentId> and
// PIIS:<consentId>, at most 180 days and 4 unattended reads a day, paging by cursor), and
// its OAuth2 authorization server.
//
// The document is hand-written YAML (tpp-api.yaml), served from its compressed JSON form
// (tpp-api.json.gz, written by go generate, so that no YAML parser is linked), rather than
// generated from the route table as the portal's is: its substance is the bank's rules
// (which parameters, which values, what a refusal means), which the route table does not
// hold and Go types would not say better. What could drift is checked instead: the tests
// hold every operation to its route (operation ID = route name, method, path, public or
// not, bearer token or not), so a route without documentation fails, and hold every
// operation the Berlin Group files also define to those files (agreement_test.go).
//
// The document is served twice, from the same bytes: on the TPP API (the route
// tpp-api-description, public like the authorization server's metadata) and by the
// portal (GET /api/tpp-api/openapi.json), whose API reference renders it.
package apidoc

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/bank/devportal/shared/platform/config"
)

//go:generate go run ./gen

// compressed is tpp-api.yaml as gzipped JSON, with its placeholder origins (a test
// checks it is up to date).
//
//go:embed tpp-api.json.gz
var compressed []byte

// Source is the document as JSON, with its placeholder origins.
func Source() ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(compressed))
	if err != nil {
		return nil, fmt.Errorf("apidoc: %w", err)
	}
	return io.ReadAll(zr)
}

// Origins are where a deployment's TPP API is: the document names them, so that the
// reference shows the addresses a developer calls.
type Origins struct {
	// TPP is the mutual-TLS origin (config TPPURL), also the OAuth2 issuer.
	TPP string
	// AuthorizeURL is the authorization endpoint on the browser-reachable origin
	// (config OAuthAuthorizeURL).
	AuthorizeURL string
}

// OriginsOf are the origins cfg configures.
func OriginsOf(cfg config.Config) Origins {
	return Origins{TPP: cfg.TPPURL, AuthorizeURL: cfg.OAuthAuthorizeURL}
}

// Document is the document as a JSON value with the origins o: the servers, the
// authorization endpoint's own server and the OAuth2 flow's URLs.
func Document(o Origins) (map[string]any, error) {
	source, err := Source()
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(source, &doc); err != nil {
		return nil, fmt.Errorf("apidoc: %w", err)
	}
	tpp := strings.TrimRight(o.TPP, "/")
	authorizeOrigin, authorizePath, ok := cutPath(o.AuthorizeURL)
	if tpp == "" || !ok {
		return nil, fmt.Errorf("apidoc: the TPP origin %q and the authorization endpoint %q must be absolute URLs", o.TPP, o.AuthorizeURL)
	}
	doc["servers"] = []any{map[string]any{"url": tpp, "description": "The TPP API (mutual TLS)"}}
	paths := doc["paths"].(map[string]any)
	authorize, ok := paths["/oauth2/authorize"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("apidoc: the document has no /oauth2/authorize")
	}
	// The path is the route table's; a deployment whose endpoint lives elsewhere keeps
	// the path and names its origin.
	if authorizePath != "/oauth2/authorize" {
		return nil, fmt.Errorf("apidoc: the authorization endpoint %q is not at /oauth2/authorize", o.AuthorizeURL)
	}
	authorize["servers"] = []any{map[string]any{"url": authorizeOrigin, "description": "The browser-reachable origin (no client certificate)"}}
	flow := doc["components"].(map[string]any)["securitySchemes"].(map[string]any)["oauth2"].(map[string]any)["flows"].(map[string]any)["authorizationCode"].(map[string]any)
	flow["authorizationUrl"] = o.AuthorizeURL
	flow["tokenUrl"] = tpp + "/oauth2/token"
	flow["refreshUrl"] = tpp + "/oauth2/token"
	return doc, nil
}

// cutPath splits an absolute URL into its origin and path.
func cutPath(u string) (origin, path string, ok bool) {
	scheme, rest, found := strings.Cut(u, "://")
	if !found || scheme == "" || rest == "" {
		return "", "", false
	}
	host, p, _ := strings.Cut(rest, "/")
	if host == "" {
		return "", "", false
	}
	return scheme + "://" + host, "/" + p, true
}

// JSON is Document(o) as JSON.
func JSON(o Origins) ([]byte, error) {
	doc, err := Document(o)
	if err != nil {
		return nil, err
	}
	return json.Marshal(doc)
}

// Handler answers with the document for the origins o (built once): public, cacheable
// for five minutes, as the document changes only with a deployment.
func Handler(o Origins) (http.Handler, error) {
	body, err := JSON(o)
	if err != nil {
		return nil, err
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "public, max-age=300")
		_, _ = w.Write(body)
	}), nil
}
