// Package onapidoc builds the TPP API's description route (tpp-api-description): a
// wiring part of its own, so that its function links the embedded document and none of
// the authorization server's clients, keys or AWS SDK.
package onapidoc

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/tpp/apidoc"
)

// RouteName is the route this part builds.
const RouteName = "tpp-api-description"

// ForRoute builds the description's handler for the deployment's origins (wiring.Build).
func ForRoute(_ context.Context, cfg config.Config, _ lookup.Environment, rt route.Route, _ *slog.Logger) (map[string]http.Handler, error) {
	if rt.Name != RouteName {
		return nil, fmt.Errorf("onapidoc builds %s, not %s", RouteName, rt.Name)
	}
	h, err := apidoc.Handler(apidoc.OriginsOf(cfg))
	if err != nil {
		return nil, err
	}
	return map[string]http.Handler{RouteName: h}, nil
}
