package apps

import (
	"context"
	"strconv"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/platform/validation"
	"github.com/bank/devportal/shared/portal/org"
)

// OAuthSettingsRequest sets how the authorization server treats the app's authorization
// requests.
type OAuthSettingsRequest struct {
	// FAPI true requires FAPI 2.0's pushed authorization requests (PAR) of the app;
	// false accepts authorization requests sent straight to the authorization endpoint.
	FAPI *bool `json:"fapi" validate:"required" example:"true"`
}

// errOAuthSettingsRole refuses App Developers: the switch decides how every customer's
// authorization through the app is protected, so it is the organization's managers' call,
// as deleting an app is.
var errOAuthSettingsRole = apperr.New(apperr.Forbidden, "FORBIDDEN", "Only the owner and administrators change an app's OAuth security profile.")

// SetOAuthSettings switches the app's FAPI 2.0 profile (owner and administrators). The
// app and the access copy on each of its credentials change in one transaction, so the
// authorization server sees the new setting from its next client lookup. Setting the
// value the app already has changes nothing and records nothing.
func (s *Service) SetOAuthSettings(ctx context.Context, a org.Actor, orgID, appID string, req OAuthSettingsRequest) (App, error) {
	app, m, err := s.app(ctx, a, orgID, appID, true)
	if err != nil {
		return App{}, err
	}
	if m.Role == org.Developer {
		return App{}, errOAuthSettingsRole
	}
	if errs := validation.Struct(req); len(errs) > 0 {
		return App{}, apperr.Fields(errs...)
	}
	if app.FAPI == *req.FAPI {
		return app, nil
	}
	return s.update(ctx, app, s.audit(a, orgID, "app.fapi_changed", map[string]string{"appId": appID, "fapi": strconv.FormatBool(*req.FAPI)}),
		func(x *App) { x.FAPI = *req.FAPI })
}
