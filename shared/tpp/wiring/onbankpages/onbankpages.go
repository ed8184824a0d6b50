// Package onbankpages builds the TPP area's routes of the browser-reachable origin: the
// sandbox bank's sign-in and consent pages and the customer's list of consents, with the
// authorization server they hand the customer back to. A part of its own because the pages render with html/template, which
// the mTLS origin's functions need not link (infra/funcbench).
package onbankpages

import (
	"context"
	"log/slog"
	"net/http"
	"strings"

	"github.com/bank/devportal/shared/tpp/wiring/onnotify"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/bank/devportal/shared/platform/awsclient"
	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/portal/lookup/lookupdb"
	"github.com/bank/devportal/shared/tpp/bankpages"
	"github.com/bank/devportal/shared/tpp/consents"
	"github.com/bank/devportal/shared/tpp/consents/consentdb"
	"github.com/bank/devportal/shared/tpp/consents/consentscope"
	"github.com/bank/devportal/shared/tpp/oauth"
	"github.com/bank/devportal/shared/tpp/piis"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
	"github.com/bank/devportal/shared/tpp/sandboxbank/bankstore"
	"github.com/bank/devportal/shared/tpp/sandboxcustomers"
	"github.com/bank/devportal/shared/tpp/sca/scatarget"
	"github.com/bank/devportal/shared/tpp/wiring/onoauth"
)

// Area is the authorization server with the sandbox bank's pages attached to it.
type Area struct {
	Server *oauth.Server
	Pages  *bankpages.Pages
}

// Build builds the authorization server and the sandbox bank's pages, which are the
// server's Consent unless parts name another; logins are the sandbox customers' sign-in
// names the sign-in page lists. It makes no network call.
func Build(ctx context.Context, cfg config.Config, env lookup.Environment, parts onoauth.Parts, logins []string, log *slog.Logger) (Area, error) {
	awsCfg, err := awsclient.Load(ctx, cfg)
	if err != nil {
		return Area{}, err
	}
	db := dynamodb.NewFromConfig(awsCfg)
	bank := bankstore.New(db, cfg.TPPTable)
	// The customer's consents are those the TPP API's endpoints keep in the TPP table,
	// whatever resources the authorization server is given.
	notifier := onnotify.Notifier(db, cfg, parts.Now)
	held := consentscope.Customer{Consents: &consents.Service{Store: consentdb.New(db, cfg.TPPTable), Now: parts.Now, Notify: notifier},
		Funds: &piis.Service{Store: consentdb.NewPIIS(db, cfg.TPPTable), Bank: bank, Now: parts.Now, Notify: notifier}}
	pages, err := bankpages.New(bankpages.Options{Secret: parts.Keys.Pages, Customers: bank,
		Organizations: lookupdb.NewReader(db, cfg.PortalTable), Consents: held, Logins: logins,
		Authorisations: scatarget.OnTable(db, cfg.TPPTable, parts.Now, notifier),
		Secure:         strings.HasPrefix(cfg.OAuthAuthorizeURL, "https://"), Now: parts.Now, Log: log})
	if err != nil {
		return Area{}, err
	}
	if parts.Consent == nil {
		parts.Consent = pages
	}
	server, err := onoauth.Server(ctx, cfg, env, parts, log)
	if err != nil {
		return Area{}, err
	}
	pages.Attach(server)
	return Area{Server: server, Pages: pages}, nil
}

// Handlers are the handlers of routes.Browser by route name: the authorization endpoint
// and the bank's pages (ForRoute adds the customers' list).
func (a Area) Handlers() map[string]http.Handler {
	out := a.Pages.Handlers()
	out["oauth2-authorize"] = a.Server.AuthorizeHandler()
	return out
}

// ForRoute builds what the deployed function of rt, a route of routes.Browser, serves
// (tpp/wiring.StartHTTP), keyed as onoauth.RouteKeys says. The sign-in page and the
// customers' list show the sandbox customers, generated from the configured seed
// (SANDBOX_BANK_SEED and _DATE, as the bank was loaded).
func ForRoute(ctx context.Context, cfg config.Config, env lookup.Environment, rt route.Route, log *slog.Logger) (map[string]http.Handler, error) {
	keys, err := onoauth.RouteKeys(ctx, cfg, rt)
	if err != nil {
		return nil, err
	}
	bank, err := sandboxbank.FromConfig(cfg)
	if err != nil {
		return nil, err
	}
	logins := make([]string, 0, len(bank.Customers))
	for _, c := range bank.Customers {
		logins = append(logins, c.Login)
	}
	area, err := Build(ctx, cfg, env, onoauth.Parts{Keys: keys}, logins, log)
	if err != nil {
		return nil, err
	}
	handlers := area.Handlers()
	// The customers' list is made from the same generated bank (sandboxcustomers says
	// why not from the table).
	if handlers["sandbox-customers"], err = sandboxcustomers.Handler(bank); err != nil {
		return nil, err
	}
	return handlers, nil
}
