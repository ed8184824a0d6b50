// Command local runs the whole product on this machine (`make dev`): moto as the AWS
// endpoint, the portal SPA and API on :8080, the TPP API with mutual TLS on :8443.
//
//	go run ./infra/local          start the stack until Ctrl-C or SIGTERM
//	go run ./infra/local openapi  print the portal API's OpenAPI document
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/bank/devportal/shared/local/devstack"
	"github.com/bank/devportal/shared/local/motoserver"
	"github.com/bank/devportal/shared/platform/config"
	"github.com/bank/devportal/shared/portal/portalapi"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
)

// Defaults of the operations login in local mode (documented in the README).
const (
	defaultOpsEmail = "ops@devportal.example"
	// defaultSecondOpsEmail is the second operations user: production requests need two
	// approvers.
	defaultSecondOpsEmail = "ops2@devportal.example"
	defaultOpsPassword    = "Operations#2026"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "openapi" {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(portalapi.Document()); err != nil {
			fail(err)
		}
		return
	}
	if err := run(); err != nil {
		fail(err)
	}
}

func run() error {
	started := time.Now()
	// `make dev` runs this binary as make's child, and make does not pass SIGTERM on: ask
	// the kernel to send it when the parent dies, so stopping make stops the whole stack.
	parent := os.Getppid()
	if err := unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(syscall.SIGTERM), 0, 0, 0); err != nil {
		return fmt.Errorf("set parent-death signal: %w", err)
	}
	if os.Getppid() != parent {
		return fmt.Errorf("the process that started the local stack has already exited")
	}
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	ports := map[string]int{"PORTAL_PORT": 8080, "TPP_PORT": 8443, "MOTO_PORT": 5000}
	for name := range ports {
		if v := os.Getenv(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 || n > 65535 {
				return fmt.Errorf("%s=%q: must be a port number", name, v)
			}
			ports[name] = n
		}
	}
	dir := env("LOCAL_DIR", ".local")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	motoLog, err := os.Create(filepath.Join(dir, "moto.log"))
	if err != nil {
		return err
	}
	defer motoLog.Close()
	ops := []motoserver.OpsUser{
		{Email: env("OPS_EMAIL", defaultOpsEmail), Password: env("OPS_PASSWORD", defaultOpsPassword), Name: "Operations"},
		{Email: env("SECOND_OPS_EMAIL", defaultSecondOpsEmail), Password: env("OPS_PASSWORD", defaultOpsPassword), Name: "Second Approver"},
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	stack, err := devstack.Start(ctx, devstack.Options{
		Dir: dir, FrontendDir: env("FRONTEND_DIR", filepath.Join("frontend", "dist")),
		PortalPort: ports["PORTAL_PORT"], TPPPort: ports["TPP_PORT"], MotoPort: ports["MOTO_PORT"],
		Ops: ops, Config: cfg, Log: logOutput(dir), MotoLog: motoLog,
	})
	if err != nil {
		return err
	}
	defer stack.Stop()
	fmt.Printf(`
Open Banking Developer Portal: local stack is up (%.1fs)

  Portal (SPA + API)   %s
  Health               %s/api/healthz
  Dev mailbox          %s/dev/mail
  TPP API (mTLS)       %s   (client certificates from %s)
  OAuth2 authorize     %s   (the sandbox bank's sign-in and consent pages under /sandbox-bank/)
  AWS endpoint (moto)  %s

  Operations logins    %s and %s, password %s (a production request needs both)
                       first sign-in: set up two-step sign-in; moto gives every app the key
                       %s (any RFC 6238 authenticator app or oathtool --totp -b makes its codes)
  Sandbox bank         %d customers, %d accounts, %d transactions (seed %d, %s), loaded in %.1fs
                       sign in as %s, password %s, one-time code %s

Press Ctrl-C to stop.
`, time.Since(started).Seconds(), stack.PortalURL, stack.PortalURL, stack.PortalURL, stack.TPPURL,
		filepath.Join(dir, "sandbox-ca", "ca.pem"), stack.Config.OAuthAuthorizeURL, stack.Moto.Endpoint, ops[0].Email, ops[1].Email, ops[0].Password, motoserver.TOTPSecret,
		len(stack.Bank.Customers), len(stack.Bank.Accounts), len(stack.Bank.Transactions), stack.Bank.Seed, stack.Bank.Date,
		stack.BankLoad.Duration.Seconds(), stack.Bank.Customers[0].Login, sandboxbank.SandboxPassword, sandboxbank.SandboxOTP)
	<-ctx.Done()
	stop() // a second Ctrl-C now ends the process at once
	fmt.Println("\nStopping the local stack…")
	return nil
}

// logOutput sends the portal's JSON log lines to .local/portal.log, and to the terminal
// as well when DEV_LOG=stdout.
func logOutput(dir string) io.Writer {
	f, err := os.OpenFile(filepath.Join(dir, "portal.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return os.Stdout
	}
	if os.Getenv("DEV_LOG") == "stdout" {
		return io.MultiWriter(f, os.Stdout)
	}
	return f
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "local stack:", err)
	os.Exit(1)
}
