// Package devstack starts the whole product on one machine: moto, the bootstrap, the
// portal (SPA + API) on one port and the TPP API with mutual TLS on another. `make dev`
// and the end-to-end tests both start it through Start.
package devstack

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/bank/devportal/shared/tpp/notify"
	"github.com/bank/devportal/shared/tpp/payments"

	"github.com/bank/devportal/shared/tpp/wiring/onnotify"

	"github.com/bank/devportal/shared/tpp/wiring/onapidoc"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/bank/devportal/shared/local/motoserver"
	"github.com/bank/devportal/shared/platform/awsclient"
	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/portal/portalapi"
	"github.com/bank/devportal/shared/portal/wiring"
	"github.com/bank/devportal/shared/portal/wiring/allparts"
	"github.com/bank/devportal/shared/tpp/aisapi"
	"github.com/bank/devportal/shared/tpp/consents"
	"github.com/bank/devportal/shared/tpp/consents/consentdb"
	"github.com/bank/devportal/shared/tpp/consents/consentscope"
	"github.com/bank/devportal/shared/tpp/oauth"
	"github.com/bank/devportal/shared/tpp/piis"
	"github.com/bank/devportal/shared/tpp/planmeter"
	tpproutes "github.com/bank/devportal/shared/tpp/routes"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
	"github.com/bank/devportal/shared/tpp/sandboxbank/bankstore"
	"github.com/bank/devportal/shared/tpp/sandboxcustomers"
	"github.com/bank/devportal/shared/tpp/sca"
	"github.com/bank/devportal/shared/tpp/sca/scatarget"
	"github.com/bank/devportal/shared/tpp/scaapi"
	"github.com/bank/devportal/shared/tpp/tppapi"
	tppwiring "github.com/bank/devportal/shared/tpp/wiring"
	"github.com/bank/devportal/shared/tpp/wiring/onbankpages"
	"github.com/bank/devportal/shared/tpp/wiring/onoauth"
	"github.com/bank/devportal/shared/tpp/wiring/onpis"
	"github.com/bank/devportal/shared/trust/sandboxca"
)

// Options say where the stack listens and keeps its files. Zero ports pick free ones.
type Options struct {
	// Dir is the ignored local folder (sandbox CA, moto launcher, logs).
	Dir string
	// FrontendDir holds the built SPA (index.html and assets).
	FrontendDir string
	PortalPort  int
	TPPPort     int
	MotoPort    int
	// Ops are the operations users to create: two, so that requests that need a second
	// approver can be decided locally.
	Ops []motoserver.OpsUser
	// Config is the configuration to start from; endpoint, pool IDs and URL are filled in.
	Config config.Config
	// Log receives the portal's JSON log lines; MotoLog moto's output.
	Log     io.Writer
	MotoLog io.Writer
	// Now is the TPP caller check's clock (its plans' buckets and days, API keys' grace
	// periods, the authorization server's pushed and pending requests); nil is time.Now.
	// Tests stop it to meter exactly.
	Now func() time.Time
	// Consent is the bank's sign-in and consent pages the authorization endpoint hands
	// the customer to; nil is the sandbox bank's own (package bankpages). Resources finds
	// what the Berlin Group scopes name.
	Consent   oauth.Consent
	Resources oauth.Resources
	// JobInterval is how often the TPP area's delivery job runs in-process (deployed, a
	// schedule starts it every minute); zero is DefaultJobInterval.
	JobInterval time.Duration
	// NotifyClient posts the status notifications; nil is the delivery job's own client.
	// Tests pass one that trusts their TLS endpoint.
	NotifyClient *http.Client
}

// DefaultJobInterval is how often the local stack runs the notification delivery job:
// shorter than the deployed schedule, so that a developer sees a notification arrive
// within moments of the change.
const DefaultJobInterval = 2 * time.Second

// Stack is a running local stack.
type Stack struct {
	PortalURL string
	TPPURL    string
	Moto      *motoserver.Moto
	CA        *sandboxca.CA
	Config    config.Config
	API       *portalapi.API
	// Meter enforces the apps' plans on the TPP listener and counts their calls.
	Meter *planmeter.Meter
	// OAuth is the authorization server: its endpoints on the TPP listener, the
	// authorization endpoint on the portal's.
	OAuth *oauth.Server
	// Bank is the sandbox bank loaded into the TPP table at start; BankLoad says how.
	Bank sandboxbank.Bank
	// Consents and Funds are the account-information and confirmation-of-funds consents
	// the authorization server's scopes name.
	Consents *consents.Service
	Funds    *piis.Service
	BankLoad bankstore.LoadResult
	// Deliverer is the status notification delivery job the stack runs in-process.
	Deliverer *notify.Deliverer
	servers   []*http.Server
	stopJobs  context.CancelFunc
	jobsDone  chan struct{}
}

// Start brings the stack up and returns once both listeners accept connections.
func Start(ctx context.Context, o Options) (*Stack, error) {
	// Port 0 lets the kernel pick; the listener then says which port it got.
	portalLn, err := listen(o.PortalPort, "PORTAL_PORT")
	if err != nil {
		return nil, err
	}
	tppLn, err := listen(o.TPPPort, "TPP_PORT")
	if err != nil {
		portalLn.Close()
		return nil, err
	}
	o.PortalPort, o.TPPPort = portalLn.Addr().(*net.TCPAddr).Port, tppLn.Addr().(*net.TCPAddr).Port
	s, err := start(ctx, o, portalLn, tppLn)
	if err != nil {
		portalLn.Close()
		tppLn.Close()
		if s != nil {
			s.Moto.Stop()
		}
		return nil, err
	}
	return s, nil
}

func listen(port int, env string) (net.Listener, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return nil, fmt.Errorf("listen on 127.0.0.1:%d (%s): %w", port, env, err)
	}
	return ln, nil
}

func start(ctx context.Context, o Options, portalLn, tppLn net.Listener) (*Stack, error) {
	motoLog := o.MotoLog
	if motoLog == nil {
		motoLog = io.Discard
	}
	moto, err := motoserver.StartMoto(ctx, o.Dir, o.MotoPort, motoLog)
	if err != nil {
		return nil, err
	}
	s := &Stack{Moto: moto}
	cfg := o.Config
	cfg.Local = true
	cfg.AWSEndpoint = moto.Endpoint
	s.PortalURL = fmt.Sprintf("http://127.0.0.1:%d", o.PortalPort)
	if cfg.PortalURL == "" || strings.HasPrefix(cfg.PortalURL, "http://127.0.0.1") {
		cfg.PortalURL = s.PortalURL
	}
	s.TPPURL = fmt.Sprintf("https://127.0.0.1:%d", o.TPPPort)
	if cfg.TPPURL == "" || strings.HasPrefix(cfg.TPPURL, "https://127.0.0.1") {
		cfg.TPPURL = s.TPPURL
	}
	if cfg.OAuthAuthorizeURL == "" || strings.HasPrefix(cfg.OAuthAuthorizeURL, "http://127.0.0.1") {
		cfg.OAuthAuthorizeURL = s.PortalURL + authorizePath
	}
	// The sandbox CA's certificates name the CRL this server serves, on its own port.
	if cfg.SandboxCACRLURL == "" || strings.HasPrefix(cfg.SandboxCACRLURL, "http://127.0.0.1") {
		cfg.SandboxCACRLURL = cfg.PortalURL + config.CRLPath
	}
	awsCfg, err := awsclient.Load(ctx, cfg)
	if err != nil {
		return s, err
	}
	out, err := motoserver.Bootstrap(ctx, awsCfg, cfg, o.Ops...)
	if err != nil {
		return s, fmt.Errorf("bootstrap: %w", err)
	}
	cfg.UserPoolID, cfg.UserPoolClientID, cfg.ApprovalStateMachineARN = out.UserPoolID, out.UserPoolClientID, out.ApprovalStateMachineARN
	if s.Bank, s.BankLoad, err = motoserver.LoadSandboxBank(ctx, awsCfg, cfg); err != nil {
		return s, fmt.Errorf("sandbox bank: %w", err)
	}
	cfg.UsagePlanIDs = out.UsagePlanIDs
	cfg.RegistrationKeySecretARN = out.RegistrationKeySecretARN
	cfg.SandboxCADir = filepath.Join(o.Dir, "sandbox-ca")
	if s.CA, err = sandboxca.LoadOrCreate(cfg.SandboxCADir); err != nil {
		return s, fmt.Errorf("sandbox CA: %w", err)
	}
	// Locally the sandbox CA also stands in for the live truststore, so the production
	// onboarding path can be tried with test certificates (unless a truststore is set).
	if cfg.TruststoreFile == "" {
		cfg.TruststoreFile = filepath.Join(cfg.SandboxCADir, "ca.pem")
	}
	s.Config = cfg
	serverCert, err := s.CA.ServerCertificate("127.0.0.1", "localhost")
	if err != nil {
		return s, fmt.Errorf("TLS server certificate: %w", err)
	}
	logw := o.Log
	if logw == nil {
		logw = os.Stdout
	}
	log := slog.New(slog.NewJSONHandler(logw, nil))
	// Deployed, API Gateway's usage plans enforce the plans; locally the listener does,
	// and the portal shows the apps' calls as its meter counts them.
	s.Meter = planmeter.New()
	now := o.Now
	if now == nil {
		now = time.Now
	}
	parts := allparts.Parts()
	parts.Meter = listenerMeter{meter: s.Meter, now: now}
	if s.API, err = wiring.Portal(ctx, cfg, log, parts, route.Everything); err != nil {
		return s, err
	}
	// The authorization server's key lives as long as moto's data: every start is a fresh
	// sandbox. A deployment keeps it in Secrets Manager; both derive the server's and the
	// bank pages' keys from it the same way (onoauth.DeriveKeys).
	master := make([]byte, onoauth.MinMasterKey)
	if _, err := rand.Read(master); err != nil {
		return s, err
	}
	keys, err := onoauth.DeriveKeys(master, nil)
	if err != nil {
		return s, err
	}
	logins := make([]string, 0, len(s.Bank.Customers))
	for _, c := range s.Bank.Customers {
		logins = append(logins, c.Login)
	}
	// The consents the TPP API's endpoints make are what the AIS: and PIIS: scopes name,
	// unless a test brings resources of its own.
	db := dynamodb.NewFromConfig(awsCfg)
	bank := bankstore.New(db, cfg.TPPTable)
	consentStore := consentdb.New(db, cfg.TPPTable)
	notifier := onnotify.Notifier(db, cfg, o.Now)
	s.Consents = &consents.Service{Store: consentStore, Now: o.Now, Notify: notifier}
	s.Funds = &piis.Service{Store: consentdb.NewPIIS(db, cfg.TPPTable), Bank: bank, Now: o.Now, Notify: notifier}
	pay := onpis.Service(db, cfg, o.Now)
	authorisations := scatarget.OnTable(db, cfg.TPPTable, o.Now, notifier)
	resources := o.Resources
	if resources == nil {
		resources = consentscope.Resources{Consents: s.Consents, Funds: s.Funds, Payments: pay, Bank: bank,
			Baskets: authorisations.Targets[sca.SigningBasket]}
	}
	area, err := onbankpages.Build(ctx, cfg, lookup.Sandbox, onoauth.Parts{Keys: keys, Consent: o.Consent, Resources: resources, Now: o.Now}, logins, log)
	if err != nil {
		return s, err
	}
	s.OAuth = area.Server
	// The CRL is published at once (moto starts empty), as the daily job keeps it in a
	// deployment, and served where the certificates' CRL distribution point says.
	if err := s.API.Apps.PublishCRL(ctx); err != nil {
		return s, fmt.Errorf("publish the sandbox CA's CRL: %w", err)
	}
	// The sandbox bank's customers are listed from the bank just loaded (sandboxcustomers
	// says why not from the table).
	customers, err := sandboxcustomers.Handler(s.Bank)
	if err != nil {
		return s, err
	}
	mux := http.NewServeMux()
	s.API.Mount(mux)
	// The browser-reachable origin of the TPP area: the authorization endpoint and the
	// sandbox bank's pages.
	browser := area.Handlers()
	browser["sandbox-customers"] = customers
	for _, rt := range tpproutes.Browser {
		h, ok := browser[rt.Name]
		if !ok {
			return s, fmt.Errorf("no handler for the browser route %s", rt.Name)
		}
		mux.Handle(rt.Pattern(), tppapi.Scoped(rt, h))
	}
	mux.Handle("GET "+config.CRLPath, crlHandler(log, s3.NewFromConfig(awsCfg, func(o *s3.Options) { o.UsePathStyle = true }), cfg.CRLBucket))
	mux.Handle("/api/", apiNotFound(log))
	mux.Handle("/", spa(o.FrontendDir))
	portalSrv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}

	// The local TPP API serves the sandbox, as a sandbox deployment's does.
	check, err := tppwiring.Authorizer(ctx, cfg, lookup.Sandbox, log)
	if err != nil {
		return s, err
	}
	check.Meter, check.Now, check.Tokens, check.ConsentKey = s.Meter, o.Now, s.OAuth, consentStore.ReadAheadKey
	// The TPP origin also serves the portal's routes of that origin (a certificate's
	// holder proving possession by connecting with it), outside the caller check.
	tppMux := http.NewServeMux()
	s.API.MountOnTPP(tppMux)
	// The TPP API's endpoints: the authorization server's, and account information and
	// confirmation of funds over the same consents and bank.
	endpoints := s.OAuth.Endpoints()
	ais := &aisapi.API{Consents: s.Consents, Funds: s.Funds, Bank: bank, Now: o.Now, MetadataURL: cfg.TPPURL + config.OAuthMetadataPath,
		Authorisations: &scaapi.API{SCA: authorisations, MetadataURL: cfg.TPPURL + config.OAuthMetadataPath, BankURL: scaapi.BankURL(cfg.OAuthAuthorizeURL)}}
	for name, h := range ais.Handlers() {
		endpoints[name] = h
	}
	maps.Copy(endpoints, onpis.API(pay, authorisations, cfg).Handlers())
	// The API's description, with this stack's addresses, built by the part its deployed
	// function builds it with.
	docRoute, err := route.Find(tpproutes.TPP, onapidoc.RouteName)
	if err != nil {
		return s, err
	}
	docs, err := onapidoc.ForRoute(ctx, cfg, lookup.Sandbox, docRoute, log)
	if err != nil {
		return s, err
	}
	maps.Copy(endpoints, docs)
	tppMux.Handle("/", tppapi.Listener(check, log, endpoints))
	tppSrv := &http.Server{
		Handler:           tppMux,
		ReadHeaderTimeout: 10 * time.Second,
		TLSConfig: &tls.Config{
			MinVersion:   tls.VersionTLS12,
			Certificates: []tls.Certificate{serverCert},
			// Request a certificate and verify it if given; the handler answers a request
			// without one with a JSON error instead of a bare handshake failure, and the
			// health check needs none.
			ClientAuth: tls.VerifyClientCertIfGiven,
			ClientCAs:  s.CA.Pool(),
		},
	}
	s.servers = []*http.Server{portalSrv, tppSrv}
	// The TPP area's delivery job runs here as its scheduled function runs deployed: the
	// same Run on the same log.
	s.Deliverer = onnotify.Deliverer(db, cfg, o.NotifyClient, o.Now)
	s.Deliverer.FirstRetry = 5 * time.Second
	interval := o.JobInterval
	if interval <= 0 {
		interval = DefaultJobInterval
	}
	jobCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	s.stopJobs, s.jobsDone = stop, make(chan struct{})
	go s.runJobs(jobCtx, log, interval, pay, now)
	go func() { serve(log, "portal", portalSrv.Serve(portalLn)) }()
	go func() { serve(log, "tpp", tppSrv.ServeTLS(tppLn, "", "")) }()
	return s, nil
}

// authorizePath is the authorization endpoint's path on the portal listener.
const authorizePath = "/oauth2/authorize"

// serve logs why a listener stopped, unless it was told to.
func serve(log *slog.Logger, name string, err error) {
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("listener stopped", "listener", name, "error", err.Error())
	}
}

// Stop shuts the listeners down and ends moto.
func (s *Stack) Stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if s.stopJobs != nil {
		s.stopJobs()
		<-s.jobsDone
	}
	for _, srv := range s.servers {
		_ = srv.Shutdown(ctx)
	}
	s.Moto.Stop()
}

// runJobs runs the TPP area's jobs in-process until ctx ends, as their schedules run
// them deployed: the delivery job every interval, and the standing-order job once each
// UTC day (at the first tick of the day; it books each instalment once anyway).
func (s *Stack) runJobs(ctx context.Context, log *slog.Logger, interval time.Duration, standing *payments.Service, now func() time.Time) {
	defer close(s.jobsDone)
	t := time.NewTicker(interval)
	defer t.Stop()
	lastDay := ""
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if day := now().UTC().Format(time.DateOnly); day != lastDay {
			if run, err := standing.RunStandingOrders(jobScope(ctx, tpproutes.StandingOrderJob)); err != nil && ctx.Err() == nil {
				log.Error("standing-order job", "error", err.Error())
			} else if err == nil {
				lastDay = day
				log.Info("standing-order job", "day", day, "booked", run.Booked, "rejected", run.Rejected, "finished", run.Finished)
			}
		}
		if run, err := s.Deliverer.Run(jobScope(ctx, tpproutes.NotificationJob)); err != nil && ctx.Err() == nil {
			log.Error("notification delivery job", "error", err.Error())
		} else if run != (notify.Run{}) {
			log.Info("notification delivery job", "delivered", run.Delivered, "retrying", run.Retrying, "failed", run.Failed)
		}
	}
}

// jobScope is ctx held to the needs and key families of the TPP area's job named name, as
// its scheduled function is.
func jobScope(ctx context.Context, name string) context.Context {
	for _, j := range tpproutes.Jobs {
		if j.Name == name {
			return route.WithScope(route.WithNeeds(ctx, j.Needs), j.Scope())
		}
	}
	return ctx
}

// listenerMeter is the TPP listener's meter as the portal reads usage: calls of an app's
// usage key for a product on today's UTC day.
type listenerMeter struct {
	meter *planmeter.Meter
	now   func() time.Time
}

func (m listenerMeter) CallsToday(_ context.Context, orgID, appID, productID string) (int, error) {
	return m.meter.CallsToday(lookup.UsageKey(orgID, appID, productID), m.now()), nil
}
