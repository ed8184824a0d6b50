package portalapi

import (
	"context"
	"net/http"

	"github.com/bank/devportal/shared/tpp/apidoc"

	"github.com/bank/devportal/shared/platform/httpapi"
	"github.com/bank/devportal/shared/platform/paging"
	"github.com/bank/devportal/shared/portal/approval"
	"github.com/bank/devportal/shared/portal/apps"
	"github.com/bank/devportal/shared/portal/possession"
)

// appEndpoints are the endpoints of apps, credentials, redirect URIs, certificates,
// products, subscriptions and going live.
func appEndpoints() []endpoint {
	return []endpoint{
		noBody("app-list", 200, func(a *API, r *http.Request) (apps.AppsView, error) {
			return paged(r, func(ctx context.Context, p paging.Page) (apps.AppsView, error) {
				return a.Apps.List(ctx, actorOf(r), r.PathValue("orgId"), p)
			})
		}, 400, 404).withQuery(pageParams...),
		withBody("app-create", 201, func(a *API, r *http.Request, req apps.NameRequest) (apps.AppCreated, error) {
			return a.Apps.Create(r.Context(), actorOf(r), r.PathValue("orgId"), req)
		}, 404, 409),
		noBody("app-get", 200, func(a *API, r *http.Request) (apps.AppDetail, error) {
			return a.Apps.Get(r.Context(), actorOf(r), r.PathValue("orgId"), r.PathValue("appId"))
		}, 404),
		reviewable("app-rename", 200, func(a *API, r *http.Request, req apps.NameRequest) (apps.App, apps.Reviewed, error) {
			return a.Apps.Rename(r.Context(), actorOf(r), r.PathValue("orgId"), r.PathValue("appId"), req)
		}, 404, 409),
		noContent("app-delete", func(a *API, r *http.Request) error {
			return a.Apps.Delete(r.Context(), actorOf(r), r.PathValue("orgId"), r.PathValue("appId"))
		}),
		withBody("app-api-key-rotate", 200, func(a *API, r *http.Request, req apps.RotateAPIKeyRequest) (apps.APIKeyRotation, error) {
			return a.Apps.RotateAPIKey(r.Context(), actorOf(r), r.PathValue("orgId"), r.PathValue("appId"), req)
		}, 404, 409),
		reviewable("app-redirect-add", 201, func(a *API, r *http.Request, req apps.RedirectRequest) (apps.App, apps.Reviewed, error) {
			return a.Apps.AddRedirectURI(r.Context(), actorOf(r), r.PathValue("orgId"), r.PathValue("appId"), req)
		}, 404, 409),
		noContent("app-redirect-remove", func(a *API, r *http.Request) error {
			return a.Apps.RemoveRedirectURI(r.Context(), actorOf(r), r.PathValue("orgId"), r.PathValue("appId"), r.URL.Query().Get("uri"))
		}).withQuery(queryParam{name: "uri", required: true, description: "The redirect URI to remove, exactly as registered.",
			example: "https://budgetbuddy.example/callback"}),
		noBody("app-notifications", 200, func(a *API, r *http.Request) (apps.NotificationsView, error) {
			return paged(r, func(ctx context.Context, p paging.Page) (apps.NotificationsView, error) {
				return a.Apps.Notifications(ctx, actorOf(r), r.PathValue("orgId"), r.PathValue("appId"), p)
			})
		}, 400, 404).withQuery(pageParams...),
		withBody("app-oauth-settings", 200, func(a *API, r *http.Request, req apps.OAuthSettingsRequest) (apps.App, error) {
			return a.Apps.SetOAuthSettings(r.Context(), actorOf(r), r.PathValue("orgId"), r.PathValue("appId"), req)
		}, 404, 409),
		noBody("org-certificates", 200, func(a *API, r *http.Request) (apps.CertificatesView, error) {
			return paged(r, func(ctx context.Context, p paging.Page) (apps.CertificatesView, error) {
				return a.Apps.Certificates(ctx, actorOf(r), r.PathValue("orgId"), p)
			})
		}, 400, 404).withQuery(pageParams...),
		withBody("org-certificate-upload", 201, func(a *API, r *http.Request, req apps.UploadRequest) (apps.Certificate, error) {
			return a.Apps.Upload(r.Context(), actorOf(r), r.PathValue("orgId"), req)
		}, 404, 409),
		withBody("certificate-possession", 200, func(a *API, r *http.Request, req possession.ProofRequest) (possession.Result, error) {
			return a.Apps.ProvePossession(r.Context(), actorOf(r), r.PathValue("orgId"), r.PathValue("fingerprint"), req)
		}, 404, 409),
		withBody("certificate-check", 200, func(a *API, r *http.Request, req possession.HandshakeRequest) (possession.Result, error) {
			cert, err := httpapi.ClientCertificate(r)
			if err != nil {
				return possession.Result{}, err
			}
			return a.Apps.ProveByHandshake(r.Context(), cert, req)
		}, 401, 409, 415),
		withBody("app-certificate-attach", 200, func(a *API, r *http.Request, req apps.SelectRequest) (apps.Certificate, error) {
			return a.Apps.AttachCertificate(r.Context(), actorOf(r), r.PathValue("orgId"), r.PathValue("appId"), req)
		}, 404, 409),
		noContent("app-certificate-detach", func(a *API, r *http.Request) error {
			return a.Apps.DetachCertificate(r.Context(), actorOf(r), r.PathValue("orgId"), r.PathValue("appId"), r.PathValue("fingerprint"))
		}),
		noContent("org-certificate-delete", func(a *API, r *http.Request) error {
			return a.Apps.DeleteCertificate(r.Context(), actorOf(r), r.PathValue("orgId"), r.PathValue("fingerprint"))
		}),
		withBody("org-certificate-revoke", 200, func(a *API, r *http.Request, req apps.RevokeRequest) (apps.Certificate, error) {
			return a.Apps.RevokeCertificate(r.Context(), actorOf(r), r.PathValue("orgId"), r.PathValue("fingerprint"), req)
		}, 404, 409),
		noBody("app-certificate-issue", 201, func(a *API, r *http.Request) (apps.SandboxCertificate, error) {
			return a.Apps.IssueSandboxCertificate(r.Context(), actorOf(r), r.PathValue("orgId"), r.PathValue("appId"))
		}, 404, 409),
		noBody("product-catalog", 200, func(a *API, r *http.Request) (apps.CatalogView, error) {
			return a.Apps.Products(), nil
		}),
		noBody("tpp-api", 200, func(a *API, r *http.Request) (apps.TPPAPIInfo, error) {
			return a.Apps.TPPAPI(), nil
		}),
		// The TPP API's own description, with the addresses of this deployment, so that the
		// SPA's reference loads it from its own origin (the portal's CSP allows no other).
		noBody("tpp-api-openapi", 200, func(a *API, r *http.Request) (map[string]any, error) {
			info := a.Apps.TPPAPI()
			return apidoc.Document(apidoc.Origins{TPP: info.BaseURL, AuthorizeURL: info.AuthorizationEndpoint})
		}),
		noBody("subscription-list", 200, func(a *API, r *http.Request) (apps.SubscriptionsView, error) {
			return paged(r, func(ctx context.Context, p paging.Page) (apps.SubscriptionsView, error) {
				return a.Apps.Subscriptions(ctx, actorOf(r), r.PathValue("orgId"), r.PathValue("appId"), p)
			})
		}, 400, 404).withQuery(pageParams...),
		withBody("subscription-create", 201, func(a *API, r *http.Request, req apps.SubscribeRequest) (apps.Subscription, error) {
			return a.Apps.Subscribe(r.Context(), actorOf(r), r.PathValue("orgId"), r.PathValue("appId"), req)
		}, 404, 409),
		noContent("subscription-delete", func(a *API, r *http.Request) error {
			return a.Apps.Unsubscribe(r.Context(), actorOf(r), r.PathValue("orgId"), r.PathValue("appId"), r.PathValue("productId"))
		}),
		withBody("app-go-live", 202, func(a *API, r *http.Request, req apps.GoLiveRequest) (approval.Request, error) {
			return a.Apps.RequestGoLive(r.Context(), actorOf(r), r.PathValue("orgId"), r.PathValue("appId"), req)
		}, 404, 409),
		withBody("credential-add", 201, func(a *API, r *http.Request, req apps.NameRequest) (apps.NewCredential, error) {
			return a.Apps.AddCredential(r.Context(), actorOf(r), r.PathValue("orgId"), r.PathValue("appId"), req)
		}, 404, 409),
		withBody("credential-verify", 200, func(a *API, r *http.Request, req apps.VerifyRequest) (apps.VerifyResult, error) {
			return a.Apps.Verify(r.Context(), actorOf(r), r.PathValue("orgId"), r.PathValue("appId"), r.PathValue("clientId"), req)
		}, 404, 409),
		noBody("credential-reset", 200, func(a *API, r *http.Request) (apps.NewCredential, error) {
			return a.Apps.ResetSecret(r.Context(), actorOf(r), r.PathValue("orgId"), r.PathValue("appId"), r.PathValue("clientId"))
		}, 403, 404, 409),
		withBody("credential-rename", 200, func(a *API, r *http.Request, req apps.NameRequest) (apps.Credential, error) {
			return a.Apps.RenameCredential(r.Context(), actorOf(r), r.PathValue("orgId"), r.PathValue("appId"), r.PathValue("clientId"), req)
		}, 404, 409),
		noContent("credential-revoke", func(a *API, r *http.Request) error {
			return a.Apps.RevokeCredential(r.Context(), actorOf(r), r.PathValue("orgId"), r.PathValue("appId"), r.PathValue("clientId"))
		}),
	}
}
