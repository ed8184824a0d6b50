// Package wiring assembles the portal from configuration: AWS clients, stores, Cognito,
// SES and the account service. Lambda mains and the local dev server both call it, so
// they run the same code.
package wiring

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"crypto/x509"
	"os"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"log/slog"

	"github.com/bank/devportal/shared/platform/awsclient"
	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/portal/account"
	"github.com/bank/devportal/shared/portal/approval"
	"github.com/bank/devportal/shared/portal/apps"
	"github.com/bank/devportal/shared/portal/identity"
	"github.com/bank/devportal/shared/portal/mail"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/portal/portalapi"
	"github.com/bank/devportal/shared/portal/resources"
	"github.com/bank/devportal/shared/portal/store"
	"github.com/bank/devportal/shared/portal/workflow"
	"github.com/bank/devportal/shared/trust/sandboxca"
)

// Portal builds the portal API for cfg. It makes no network call, so a Lambda's cold
// start pays only for client construction, except where SANDBOX_CA_SECRET_ARN is set (the
// few functions that issue or trust sandbox certificates): those read the sandbox CA.
func Portal(ctx context.Context, cfg config.Config, log *slog.Logger) (*portalapi.API, error) {
	if cfg.UserPoolID == "" || cfg.UserPoolClientID == "" {
		return nil, fmt.Errorf("USER_POOL_ID and USER_POOL_CLIENT_ID must be set")
	}
	awsCfg, err := awsclient.Load(ctx, cfg)
	if err != nil {
		return nil, err
	}
	db := dynamodb.NewFromConfig(awsCfg)
	idp := identity.NewCognito(cip.NewFromConfig(awsCfg), cfg.UserPoolID, cfg.UserPoolClientID)
	st := store.NewPortal(db, cfg.PortalTable)
	mailer := mail.NewSES(sesv2.NewFromConfig(awsCfg), cfg.MailFrom)
	accounts := account.NewService(cfg, st, st, st, idp, mailer)
	api := &portalapi.API{Accounts: accounts, Local: cfg.Local, Log: log}
	roots, ca, err := trust(ctx, cfg, func() sandboxca.SecretsAPI { return secretsmanager.NewFromConfig(awsCfg) })
	if err != nil {
		return nil, err
	}
	api.SandboxCA = ca
	api.Approvals = approval.NewService(store.NewRequests(db, cfg.PortalTable),
		workflow.NewEngine(sfn.NewFromConfig(awsCfg), cfg.ApprovalStateMachineARN), cfg.DecisionTimeout, store.WorkflowKey)
	orgs := store.NewOrgs(db, cfg.PortalTable)
	api.Orgs = org.NewService(org.Deps{Store: orgs, Invites: orgs, Mail: mailer, Approvals: api.Approvals, Roots: roots,
		MaxMembers: cfg.OrgMaxMembers, InviteTTL: cfg.InvitationTTL, PortalURL: cfg.PortalURL})
	accounts.Orgs = api.Orgs
	api.Apps = apps.NewService(apps.Deps{Store: orgs, Certs: orgs, Subscriptions: orgs, Orgs: api.Orgs, Directory: orgs, Approvals: api.Approvals,
		Mail: mailer, SandboxCA: ca, PortalURL: cfg.PortalURL})
	for _, t := range resources.Tables(cfg) {
		api.Checks = append(api.Checks, portalapi.Check{Name: "table:" + t.Name, Ping: tableActive(db, t.Name)})
	}
	api.Checks = append(api.Checks, portalapi.Check{Name: "userPool:" + cfg.UserPoolID, Ping: idp.Ping})
	if cfg.Local {
		api.Checks = append([]portalapi.Check{{Name: "moto", Ping: reachable(cfg.AWSEndpoint)}}, api.Checks...)
		api.Mailbox = portalapi.MotoMailbox{Endpoint: cfg.AWSEndpoint}
	}
	api.Jobs = map[string]func(context.Context) (any, error){
		"password-expiry-reminder":    func(ctx context.Context) (any, error) { return accounts.RemindExpiringPasswords(ctx) },
		"approval-reconciler":         func(ctx context.Context) (any, error) { return api.Approvals.StartStalled(ctx) },
		"certificate-expiry-reminder": func(ctx context.Context) (any, error) { return api.Apps.RemindExpiringCertificates(ctx) },
	}
	return api, nil
}

// trust returns the CAs trusted for eIDAS certificates: the live truststore file if
// configured, and in the sandbox also the sandbox CA, which issues test certificates: from
// its directory (the local stack) or its Secrets Manager secret (a deployment), through
// the client secrets returns.
func trust(ctx context.Context, cfg config.Config, secrets func() sandboxca.SecretsAPI) (org.Trust, *sandboxca.CA, error) {
	t := org.Trust{Sandbox: x509.NewCertPool(), Live: x509.NewCertPool()}
	var ca *sandboxca.CA
	var err error
	switch {
	case cfg.SandboxCADir != "" && cfg.SandboxCASecretARN != "":
		return org.Trust{}, nil, fmt.Errorf("SANDBOX_CA_DIR and SANDBOX_CA_SECRET_ARN are both set: the sandbox CA is in one of them")
	case cfg.SandboxCADir != "":
		ca, err = sandboxca.LoadOrCreate(cfg.SandboxCADir)
	case cfg.SandboxCASecretARN != "":
		ca, err = sandboxca.LoadOrCreateSecret(ctx, secrets(), cfg.SandboxCASecretARN)
	}
	if err != nil {
		return org.Trust{}, nil, fmt.Errorf("sandbox CA: %w", err)
	}
	if ca != nil {
		t.Sandbox.AddCert(ca.Cert)
	}
	if cfg.TruststoreFile != "" {
		pemBytes, err := os.ReadFile(cfg.TruststoreFile)
		if err != nil {
			return org.Trust{}, nil, fmt.Errorf("EIDAS_TRUSTSTORE_FILE: %w", err)
		}
		if !t.Live.AppendCertsFromPEM(pemBytes) || !t.Sandbox.AppendCertsFromPEM(pemBytes) {
			return org.Trust{}, nil, fmt.Errorf("EIDAS_TRUSTSTORE_FILE %s holds no PEM certificate", cfg.TruststoreFile)
		}
	}
	return t, ca, nil
}

func tableActive(db *dynamodb.Client, name string) func(context.Context) error {
	return func(ctx context.Context) error {
		out, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &name})
		if err != nil {
			return err
		}
		if out.Table.TableStatus != types.TableStatusActive {
			return fmt.Errorf("table is %s", out.Table.TableStatus)
		}
		return nil
	}
}

func reachable(endpoint string) func(context.Context) error {
	client := &http.Client{Timeout: 2 * time.Second}
	return func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint+"/moto-api/", nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("moto answered %d", resp.StatusCode)
		}
		return nil
	}
}
