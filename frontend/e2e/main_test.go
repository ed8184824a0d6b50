package e2e

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/bank/devportal/shared/local/devstack"
	"github.com/bank/devportal/shared/local/motoserver"
	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/platform/config"
)

// chromiumPath is Debian's Chromium (`make chromium` installs it).
const chromiumPath = "/usr/bin/chromium"

// suite is the stack and the browser every test of this binary shares. It starts on first
// use, so `go test -list` or a -run that matches nothing starts nothing.
var suite struct {
	once    sync.Once
	err     error
	dir     string
	logPath string
	stack   *devstack.Stack
	// browser is the first chromedp context: each test opens its tab (in its own browser
	// context, so cookies are not shared) from it.
	browser       context.Context
	cancelBrowser context.CancelFunc
	cancelAlloc   context.CancelFunc
}

func TestMain(m *testing.M) {
	code := m.Run()
	// After a full run (not a -run of a few tests), the log must hold none of the secrets
	// the journeys handled.
	if code == 0 && suite.stack != nil && fullRun() {
		if err := scanLogForSecrets(suite.logPath, suite.stack.Moto.Endpoint); err != nil {
			fmt.Fprintln(os.Stderr, "FAIL: log scan:", err)
			code = 1
		}
	}
	if code != 0 && suite.logPath != "" {
		printLogTail(suite.logPath, 40)
	}
	teardown()
	os.Exit(code)
}

// frontendDir is the built SPA, resolved from this file: frontend/dist.
func frontendDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "dist")
}

// env returns the running stack and browser, starting them the first time.
func env(t *testing.T) *devstack.Stack {
	t.Helper()
	dist := frontendDir()
	if _, err := os.Stat(filepath.Join(dist, "index.html")); err != nil {
		t.Fatalf("the SPA is not built (%s/index.html missing): run make frontend", dist)
	}
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("Chromium not found at %s: run make chromium", chromiumPath)
	}
	suite.once.Do(func() { suite.err = start(dist) })
	if suite.err != nil {
		t.Fatalf("start the local stack and browser: %v", suite.err)
	}
	return suite.stack
}

// testConfig is the configuration of the stack under test: unique resource names (as
// testkit.Config gives) and the documented defaults pinned, so a developer's environment
// cannot change the messages and durations the tests assert.
func testConfig() (config.Config, error) {
	for _, k := range []string{"AWS_ENDPOINT_URL", "PORTAL_TABLE", "USER_POOL_NAME", "USER_POOL_ID", "USER_POOL_CLIENT_ID", "LOCAL_MODE", "PORTAL_URL"} {
		os.Unsetenv(k)
	}
	c, err := config.FromEnv()
	if err != nil {
		return c, err
	}
	s := testenv.Suffix()
	c.PortalTable = "portal-e2e-" + s
	c.UserPoolName = "users-e2e-" + s
	c.MailFrom = "no-reply-" + s + "@devportal.example"
	c.PortalURL = "" // devstack fills in the portal's own URL
	// Every test's users sign up and in from 127.0.0.1, the ops user in many tests: the
	// limits' own tests are Go tests of the portal API.
	c.LimitAttempts = false
	c.ActivationTTL, c.ResetTTL = 72*time.Hour, time.Hour
	c.Password = config.PasswordPolicy{
		MinLength: 12, MinUpper: 1, MinLower: 1, MinDigits: 1, MinSpecial: 1, MaxRepeated: 3,
		HistorySize: 5, MaxAgeDays: 730, ExpiryWarnDays: []int{14, 3, 1},
	}
	return c, nil
}

func start(dist string) error {
	dir, err := os.MkdirTemp("", "devportal-e2e-")
	if err != nil {
		return err
	}
	suite.dir = dir
	cfg, err := testConfig()
	if err != nil {
		return err
	}
	suite.logPath = filepath.Join(dir, "portal.log")
	logFile, err := os.Create(suite.logPath)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	stack, err := devstack.Start(ctx, devstack.Options{
		Dir: dir, FrontendDir: dist, Ops: []motoserver.OpsUser{testenv.Ops, testenv.SecondOps, newOps}, Config: cfg,
		Log: logFile, MotoLog: io.Discard,
	})
	if err != nil {
		return fmt.Errorf("devstack: %w", err)
	}
	suite.stack = stack
	// Operations staff reach nothing without an authenticator app: the journeys' operations
	// users set theirs up through the API, and signIn answers their code step.
	for _, o := range []motoserver.OpsUser{testenv.Ops, testenv.SecondOps} {
		secret, err := enrolThroughAPI(stack.PortalURL, o.Email, o.Password)
		if err != nil {
			return fmt.Errorf("set up two-step sign-in for %s: %w", o.Email, err)
		}
		mfaSecrets.Store(o.Email, secret)
	}

	profile := filepath.Join(dir, "chromium-profile")
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("mute-audio", true),
		chromedp.WindowSize(1280, 1024),
		chromedp.UserDataDir(profile),
	)
	suite.cancelAlloc = cancelAlloc
	browser, cancelBrowser := chromedp.NewContext(allocCtx)
	suite.browser, suite.cancelBrowser = browser, cancelBrowser
	// The first Run starts Chromium; it must not carry a deadline, or the browser would
	// close when the deadline passes.
	if err := chromedp.Run(browser); err != nil {
		return fmt.Errorf("start Chromium: %w", err)
	}
	return nil
}

// teardown closes the browser, stops the stack and removes the temporary folder.
func teardown() {
	if suite.browser != nil {
		ctx, cancel := context.WithTimeout(suite.browser, 10*time.Second)
		_ = chromedp.Cancel(ctx)
		cancel()
		suite.cancelBrowser()
	}
	if suite.cancelAlloc != nil {
		suite.cancelAlloc() // waits for the Chromium process to exit
	}
	if suite.stack != nil { // when devstack.Start fails it stops moto itself
		suite.stack.Stop()
	}
	if suite.dir != "" {
		os.RemoveAll(suite.dir)
	}
}

// printLogTail prints the last lines of the portal's log, to explain a failed test.
func printLogTail(path string, n int) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) > n {
			lines = lines[1:]
		}
	}
	fmt.Fprintf(os.Stderr, "\n--- last %d lines of the portal log ---\n", len(lines))
	for _, l := range lines {
		fmt.Fprintln(os.Stderr, l)
	}
}
