// Package wiring assembles the portal from configuration: AWS clients, stores, Cognito,
// SES, the workflow engine and the services. Each Lambda main (generated from the route
// table) names the parts its route needs, so a function links and creates only those; the
// local dev server and the tests give every part and let each route use only its own.
package wiring

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/platform/awsclient"
	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/portal/account"
	"github.com/bank/devportal/shared/portal/approval"
	"github.com/bank/devportal/shared/portal/apps"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/portal/portalapi"
	"github.com/bank/devportal/shared/portal/registration"
	"github.com/bank/devportal/shared/portal/routes"
	"github.com/bank/devportal/shared/portal/workflow"
	"github.com/bank/devportal/shared/trust/revocation"
	"github.com/bank/devportal/shared/trust/sandboxca"
)

// Stores are the portal table's stores as the services take them, and a data-plane
// health read of the table.
type Stores struct {
	Accounts interface {
		account.Profiles
		account.Links
		account.Sessions
		account.Attempts
	}
	Orgs interface {
		org.Store
		org.InvitationStore
		apps.Store
		apps.CertificateStore
		apps.SubscriptionStore
		apps.Directory
		registration.Store
	}
	Requests approval.Store
	// WorkflowKey is the key of an approval request's item, which the workflow updates.
	WorkflowKey func(requestID string) workflow.Request
	Ping        func(ctx context.Context) error
	// Notifications is the TPP API's delivery log of status notifications, in the TPP
	// table: read by the one route that declares route.TPPTable.
	Notifications apps.NotificationLog
}

// Mailer sends the portal's emails.
type Mailer interface {
	account.Mailer
	org.Mailer
}

// Parts are the constructors of what routes call outside their own code, one per kind of
// route.Need. Each lives in a package of its own (ondynamodb, oncognito, onses,
// onstepfunctions, onsecretsmanager, onapigateway), so a generated main that names only its route's
// parts links only their AWS clients; a nil part is never created.
type Parts struct {
	// Table builds the portal table's stores (route.PortalTable).
	Table func(aws.Config, config.Config) Stores
	// Identity is the Cognito user pool (route.UserPool).
	Identity func(aws.Config, config.Config) account.Identity
	// Mail is SES (route.Mail).
	Mail func(aws.Config, config.Config) Mailer
	// Workflow is the approval state machine (route.StartApproval, route.DecideApproval).
	Workflow func(aws.Config, config.Config) approval.Engine
	// SandboxCA loads, or on first use creates, the sandbox CA in its Secrets Manager
	// secret (route.SandboxCA, deployed; the local stack keeps it in a directory).
	SandboxCA func(ctx context.Context, awsCfg aws.Config, cfg config.Config) (*sandboxca.CA, error)
	// SandboxCACert reads the sandbox CA's certificate from its own secret, nil before the
	// CA exists (route.SandboxCACert, deployed).
	SandboxCACert func(ctx context.Context, awsCfg aws.Config, cfg config.Config) (*x509.Certificate, error)
	// CRL publishes the sandbox CA's CRL to its S3 bucket (route.PublishCRL).
	CRL func(aws.Config, config.Config) apps.CRLPublisher
	// UsagePlans are the TPP API's usage plans on API Gateway (route.UsagePlans).
	UsagePlans func(aws.Config, config.Config) UsagePlans
	// SessionKey seals the sessions' Cognito tokens (route.SessionKey).
	SessionKey func(aws.Config, config.Config) account.TokenVault
	// PasswordKey keys the password history (route.PasswordKey).
	PasswordKey func(aws.Config, config.Config) account.PasswordMAC
	// RegistrationKey reads the seed of the registration API's response-signing key from
	// its secret (route.RegistrationKey; without a secret configured the API has no key).
	RegistrationKey func(ctx context.Context, awsCfg aws.Config, cfg config.Config) ([]byte, error)
	// Meter, when set, counts apps' calls in place of UsagePlans' meter: the local
	// stack's TPP listener limits calls itself, where API Gateway sees none of them.
	Meter apps.UsageMeter
}

// UsagePlans keep the apps' usage keys in the TPP API's usage plans and read their use;
// either is nil where there is nothing to keep or read (no usage plans configured; no
// usage to read on moto).
type UsagePlans struct {
	Keys  apps.UsageKeys
	Meter apps.UsageMeter
}

// check refuses needs whose part is missing: a main out of step with the route table.
func (p Parts) check(needs route.Need, cfg config.Config) error {
	missing := []struct {
		need route.Need
		ok   bool
	}{
		{route.PortalTable, p.Table != nil}, {route.UserPool, p.Identity != nil}, {route.Mail, p.Mail != nil},
		{route.StartApproval, p.Workflow != nil}, {route.DecideApproval, p.Workflow != nil},
		{route.SandboxCA, p.SandboxCA != nil || cfg.SandboxCASecretARN == ""},
		{route.SandboxCACert, p.SandboxCACert != nil || cfg.SandboxCACertSecretARN == ""},
		{route.PublishCRL, p.CRL != nil},
		{route.UsagePlans, p.UsagePlans != nil},
		{route.SessionKey, p.SessionKey != nil}, {route.PasswordKey, p.PasswordKey != nil},
		{route.RegistrationKey, p.RegistrationKey != nil || cfg.RegistrationKeySecretARN == ""},
	}
	for _, m := range missing {
		if needs.Has(m.need) && !m.ok {
			return fmt.Errorf("the route needs %s but its main gives no part for it: run make generate", m.need)
		}
	}
	return nil
}

// Portal builds the portal API with what needs ask for. It makes no network call, so a
// Lambda's cold start pays only for client construction, except where the sandbox CA is
// needed and kept in Secrets Manager (the few functions that issue or trust sandbox
// certificates): those read it.
func Portal(ctx context.Context, cfg config.Config, log *slog.Logger, parts Parts, needs route.Need) (*portalapi.API, error) {
	if err := parts.check(needs, cfg); err != nil {
		return nil, err
	}
	if needs.Has(route.UserPool) && (cfg.UserPoolID == "" || cfg.UserPoolClientID == "") {
		return nil, fmt.Errorf("USER_POOL_ID and USER_POOL_CLIENT_ID must be set")
	}
	var awsCfg aws.Config
	secretNeeds := route.SandboxCA | route.SandboxCACert | route.RegistrationKey
	if needs&^secretNeeds != 0 || cfg.SandboxCASecretARN != "" && needs.Has(route.SandboxCA) || cfg.SandboxCACertSecretARN != "" && needs.Has(route.SandboxCACert) ||
		cfg.RegistrationKeySecretARN != "" && needs.Has(route.RegistrationKey) {
		var err error
		if awsCfg, err = awsclient.Load(ctx, cfg); err != nil {
			return nil, err
		}
	}
	var stores Stores
	if needs.Has(route.PortalTable) {
		stores = parts.Table(awsCfg, cfg)
	}
	var idp account.Identity
	if needs.Has(route.UserPool) {
		idp = parts.Identity(awsCfg, cfg)
	}
	var mailer Mailer
	if needs.Has(route.Mail) {
		mailer = parts.Mail(awsCfg, cfg)
	}
	var engine approval.Engine
	if needs.Has(route.StartApproval) || needs.Has(route.DecideApproval) {
		engine = parts.Workflow(awsCfg, cfg)
	}
	var usage UsagePlans
	if needs.Has(route.UsagePlans) {
		usage = parts.UsagePlans(awsCfg, cfg)
	}
	if parts.Meter != nil {
		usage.Meter = parts.Meter
	}
	var crl apps.CRLPublisher
	if needs.Has(route.PublishCRL) {
		crl = parts.CRL(awsCfg, cfg)
	}
	// The eIDAS truststore is a file in every function's package: every route reads it,
	// for onboarding and for production apps' mTLS certificates (upload, selection, going
	// live). Only the routes that need the sandbox CA load it. A pool is empty, never nil,
	// which x509 would read as the system's roots.
	roots, ca, caCert, err := trust(ctx, cfg, needs, parts, awsCfg)
	if err != nil {
		return nil, err
	}
	if ca != nil {
		ca.CRLURL = cfg.SandboxCACRLURL
	}
	checker := func(cache bool) org.RevocationChecker {
		return revocationChecker(cfg, caCert, stores, needs, cache)
	}
	accounts := account.NewService(cfg, stores.Accounts, stores.Accounts, stores.Accounts, idp, mailer)
	if cfg.LimitAttempts {
		accounts.Attempts = stores.Accounts
	}
	if needs.Has(route.SessionKey) {
		accounts.Vault = parts.SessionKey(awsCfg, cfg)
	}
	if needs.Has(route.PasswordKey) {
		accounts.HistoryMAC = parts.PasswordKey(awsCfg, cfg)
	}
	// The user pool's identity is also the authenticator-app second factor (Cognito's).
	if f, ok := idp.(account.TOTPFactors); ok {
		accounts.TOTP = f
	}
	api := &portalapi.API{Accounts: accounts, Local: cfg.Local, Log: log, SandboxCA: ca,
		Support: portalapi.SupportInfo{Email: cfg.SupportEmail, Hours: cfg.SupportHours}}
	api.Approvals = approval.NewService(stores.Requests, engine, cfg.DecisionTimeout, stores.WorkflowKey)
	api.Approvals.RequireSecondApprover(cfg.SecondApproverKinds...)
	api.Approvals.Members = func(ctx context.Context, orgID, userID string) (bool, error) {
		_, err := stores.Orgs.GetMember(ctx, orgID, userID)
		if errors.Is(err, apperr.ErrNotFound) {
			return false, nil
		}
		return err == nil, err
	}
	api.Orgs = org.NewService(org.Deps{Store: stores.Orgs, Invites: stores.Orgs, Mail: mailer, Approvals: api.Approvals, Roots: roots,
		MaxMembers: cfg.OrgMaxMembers, InviteTTL: cfg.InvitationTTL, PortalURL: cfg.PortalURL, Revocation: checker(false)})
	accounts.Orgs = api.Orgs
	api.Orgs.MFA = accounts
	api.Apps = apps.NewService(apps.Deps{Store: stores.Orgs, Certs: stores.Orgs, Subscriptions: stores.Orgs, Orgs: api.Orgs, Onboarding: api.Orgs,
		Directory: stores.Orgs, Approvals: api.Approvals, Mail: mailer, SandboxCA: ca, CRL: crl, Roots: roots, Truststore: roots.Live, PortalURL: cfg.PortalURL,
		CertificateCheckURL: cfg.TPPURL + routes.CertificateCheckPath, Revocation: checker(false), JobRevocation: func() org.RevocationChecker { return checker(true) },
		UsageKeys: usage.Keys, Meter: usage.Meter, TPPAPI: apps.TPPAPIOf(cfg), Notifications: stores.Notifications})
	api.Orgs.Apps = api.Apps
	var seed []byte
	if needs.Has(route.RegistrationKey) && cfg.RegistrationKeySecretARN != "" {
		if seed, err = parts.RegistrationKey(ctx, awsCfg, cfg); err != nil {
			return nil, err
		}
	}
	api.Registration = registration.NewService(registration.Deps{Store: stores.Orgs, Orgs: api.Orgs, Apps: api.Apps, Roots: roots, Revocation: checker(false),
		SigningSeed: seed, ConfigurationEndpoint: cfg.TPPURL + routes.DynamicClientPath})
	if needs.Has(route.PortalTable) {
		api.Checks = append(api.Checks, portalapi.Check{Name: "table:" + cfg.PortalTable, Ping: stores.Ping})
	}
	if cfg.UserPoolID != "" {
		api.Checks = append(api.Checks, portalapi.Check{Name: "userPool:" + cfg.UserPoolID, Ping: reachable(jwksURL(cfg))})
	}
	if cfg.Local {
		api.Checks = append([]portalapi.Check{{Name: "moto", Ping: reachable(cfg.AWSEndpoint + "/moto-api/")}}, api.Checks...)
		api.Mailbox = portalapi.MotoMailbox{Endpoint: cfg.AWSEndpoint}
	}
	api.Jobs = map[string]func(context.Context) (any, error){
		"password-expiry-reminder":     func(ctx context.Context) (any, error) { return accounts.RemindExpiringPasswords(ctx) },
		"approval-reconciler":          func(ctx context.Context) (any, error) { return reconcile(ctx, api) },
		"certificate-expiry-reminder":  func(ctx context.Context) (any, error) { return api.Apps.RemindExpiringCertificates(ctx) },
		"certificate-revocation-check": func(ctx context.Context) (any, error) { return api.Apps.CheckRevocations(ctx) },
	}
	return api, nil
}

// ForRoute builds the portal API for one route, with only the route's needs (and those its
// Auth implies): what a Lambda main builds. The dev server and most tests build every need
// instead and serve every route from one API; the needs guard (awsclient) then refuses a
// call a route did not declare, so the mistake fails there before it fails deployed.
func ForRoute(ctx context.Context, cfg config.Config, log *slog.Logger, parts Parts, rt route.Route) (*portalapi.API, error) {
	return Portal(ctx, cfg, log, parts, rt.AllNeeds())
}

// trust returns the CAs trusted for eIDAS certificates: the live truststore file if
// configured, and in the sandbox also the sandbox CA's certificate, as needs allow: a
// route that issues certificates or signs the CRL (route.SandboxCA) gets the CA with its
// key, one that only trusts what the CA issued (route.SandboxCACert) its certificate
// alone, from the CA's directory (the local stack) or its secrets (a deployment, through
// parts). Other routes leave the sandbox CA out.
func trust(ctx context.Context, cfg config.Config, needs route.Need, parts Parts, awsCfg aws.Config) (org.Trust, *sandboxca.CA, *x509.Certificate, error) {
	t := org.Trust{Sandbox: x509.NewCertPool(), Live: x509.NewCertPool()}
	var ca *sandboxca.CA
	var caCert *x509.Certificate
	var err error
	if cfg.SandboxCADir != "" && cfg.SandboxCASecretARN != "" {
		return org.Trust{}, nil, nil, fmt.Errorf("SANDBOX_CA_DIR and SANDBOX_CA_SECRET_ARN are both set: the sandbox CA is in one of them")
	}
	switch {
	case needs.Has(route.SandboxCA) && cfg.SandboxCADir != "":
		ca, err = sandboxca.LoadOrCreate(cfg.SandboxCADir)
	case needs.Has(route.SandboxCA) && cfg.SandboxCASecretARN != "":
		ca, err = parts.SandboxCA(ctx, awsCfg, cfg)
	case needs.Has(route.SandboxCACert) && cfg.SandboxCADir != "":
		caCert, err = sandboxca.LoadCertificate(cfg.SandboxCADir)
	case needs.Has(route.SandboxCACert) && cfg.SandboxCACertSecretARN != "":
		caCert, err = parts.SandboxCACert(ctx, awsCfg, cfg)
	}
	if err != nil {
		return org.Trust{}, nil, nil, fmt.Errorf("sandbox CA: %w", err)
	}
	if ca != nil {
		caCert = ca.Cert
	}
	if caCert != nil {
		t.Sandbox.AddCert(caCert)
	}
	if cfg.TruststoreFile != "" {
		pemBytes, err := os.ReadFile(cfg.TruststoreFile)
		if err != nil {
			return org.Trust{}, nil, nil, fmt.Errorf("EIDAS_TRUSTSTORE_FILE: %w", err)
		}
		if !t.Live.AppendCertsFromPEM(pemBytes) || !t.Sandbox.AppendCertsFromPEM(pemBytes) {
			return org.Trust{}, nil, nil, fmt.Errorf("EIDAS_TRUSTSTORE_FILE %s holds no PEM certificate", cfg.TruststoreFile)
		}
	}
	return t, ca, caCert, nil
}

// revocationChecker checks certificates at their CAs with cfg's timeout. The sandbox CA
// is asked directly, from the portal table, where there is one (its CRL is built from the
// same records). Certificate addresses are fetched only from public addresses, except
// locally, where the CAs of the tests and the dev stack listen on 127.0.0.1. cache keeps
// each CRL for the checker's life (the daily job).
func revocationChecker(cfg config.Config, caCert *x509.Certificate, stores Stores, needs route.Need, cache bool) org.RevocationChecker {
	o := revocation.Options{Timeout: cfg.RevocationTimeout, AllowPrivate: cfg.Local, Cache: cache}
	if caCert != nil && needs.Has(route.PortalTable) && stores.Orgs != nil {
		o.Local = []revocation.LocalCA{{Cert: caCert, Name: "sandbox CA", Revoked: func(ctx context.Context, serial *big.Int) (revocation.Status, bool, error) {
			r, err := stores.Orgs.SandboxRevocation(ctx, serial.Text(16))
			if errors.Is(err, apperr.ErrNotFound) {
				return revocation.Status{}, false, nil
			}
			if err != nil {
				return revocation.Status{}, false, err
			}
			return revocation.Status{RevokedAt: r.RevokedAt, Reason: sandboxca.ReasonName(r.Reason)}, true, nil
		}}}
	}
	return revocation.New(o)
}

// jwksURL is the user pool's public signing keys: a data-plane read that proves the pool
// exists without a control-plane call (DescribeUserPool is throttled at a few calls a
// second per account, too few for a public health check).
func jwksURL(cfg config.Config) string {
	if cfg.AWSEndpoint != "" {
		return cfg.AWSEndpoint + "/" + cfg.UserPoolID + "/.well-known/jwks.json"
	}
	return "https://cognito-idp." + cfg.Region + ".amazonaws.com/" + cfg.UserPoolID + "/.well-known/jwks.json"
}

// reachable checks that url answers 200 to a GET.
func reachable(url string) func(context.Context) error {
	client := &http.Client{Timeout: 2 * time.Second}
	return func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s answered %d", url, resp.StatusCode)
		}
		return nil
	}
}

// Reconciled is what a run of the approval reconciler did.
type Reconciled struct {
	Stalled  approval.StalledResult `json:"stalled"`
	Cleanups org.CleanupResult      `json:"cleanups"`
}

// reconcile finishes what the approval workflow could not: it starts the workflows whose
// first start failed, and finishes offboarding cleanups whose deletes failed. Either
// failing fails the run, so that the function's error alarm fires.
func reconcile(ctx context.Context, api *portalapi.API) (Reconciled, error) {
	var out Reconciled
	var errs []error
	var err error
	if out.Stalled, err = api.Approvals.StartStalled(ctx); err != nil {
		errs = append(errs, err)
	}
	if out.Cleanups, err = api.Orgs.FinishCleanups(ctx); err != nil {
		errs = append(errs, err)
	}
	return out, errors.Join(errs...)
}
