package lambdaruntime_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bank/devportal/shared/local/lambdaruntime"
)

var (
	echoOnce sync.Once
	echoPath string
	echoErr  error
)

// echoFunction builds testdata/echo, a real aws-lambda-go function, once per test binary.
func echoFunction(t *testing.T) string {
	t.Helper()
	echoOnce.Do(func() {
		dir, err := os.MkdirTemp("", "lambdaruntime-echo-")
		if err != nil {
			echoErr = err
			return
		}
		echoPath = filepath.Join(dir, "echo-test", "bootstrap")
		cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", echoPath, "./testdata/echo")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			echoErr = errors.New("build testdata/echo: " + err.Error() + "\n" + string(out))
		}
	})
	if echoErr != nil {
		t.Fatal(echoErr)
	}
	return echoPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if echoPath != "" {
		os.RemoveAll(filepath.Dir(filepath.Dir(echoPath)))
	}
	os.Exit(code)
}

// TestFunction runs the real aws-lambda-go program under the fake Runtime API: Lambda's
// environment reaches it, its answers come back exactly, and a panic is an error result
// followed by a dead process.
func TestFunction(t *testing.T) {
	f, err := lambdaruntime.Start(lambdaruntime.Config{
		Path:      echoFunction(t),
		MemoryMB:  256,
		Region:    "eu-west-1",
		Timeout:   10 * time.Second,
		LogFormat: "JSON",
		Env:       []string{"ECHO_EXTRA=from-env"},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Stop()
	ctx := context.Background()
	init, err := f.WaitInit(ctx)
	if err != nil || init <= 0 {
		t.Fatalf("WaitInit = %s, %v", init, err)
	}
	if got := f.CPUMechanism(); got != "none" {
		t.Errorf("CPUMechanism = %q, want none", got)
	}
	cases := []struct {
		name      string
		event     string
		want      string
		wantError *lambdaruntime.FunctionError
	}{
		{
			name:  "response",
			event: `{"name":"ada"}`,
			want: `{"greeting":"hello ada","function":"echo-test","memoryMB":256,"region":"eu-west-1","extra":"from-env","logFormat":"JSON",` +
				`"arn":"arn:aws:lambda:eu-west-1:123456789012:function:echo-test","requestIdSet":true,"deadlineInFuture":true}`,
		},
		{
			name:      "handler error",
			event:     `{"do":"fail"}`,
			wantError: &lambdaruntime.FunctionError{Type: "errorString", Message: "asked to fail"},
		},
		{
			name:  "warm again after an error",
			event: `{"name":"grace"}`,
			want: `{"greeting":"hello grace","function":"echo-test","memoryMB":256,"region":"eu-west-1","extra":"from-env","logFormat":"JSON",` +
				`"arn":"arn:aws:lambda:eu-west-1:123456789012:function:echo-test","requestIdSet":true,"deadlineInFuture":true}`,
		},
		{
			name:      "panic",
			event:     `{"do":"panic"}`,
			wantError: &lambdaruntime.FunctionError{Type: "string", Message: "asked to panic"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := f.Invoke(ctx, []byte(tc.event))
			if err != nil {
				t.Fatal(err)
			}
			if string(res.Payload) != tc.want {
				t.Errorf("payload\n%s\nwant\n%s", res.Payload, tc.want)
			}
			if (res.Error == nil) != (tc.wantError == nil) || (res.Error != nil && *res.Error != *tc.wantError) {
				t.Errorf("error %v, want %v", res.Error, tc.wantError)
			}
		})
	}
	// aws-lambda-go exits after reporting a panic: the next invocation finds no process.
	_, err = f.Invoke(ctx, []byte(`{"name":"after"}`))
	var exit *lambdaruntime.ExitError
	if !errors.As(err, &exit) || !strings.Contains(exit.Output, "asked to panic") {
		t.Fatalf("invocation after the panic: %v, want an ExitError with the panic in its output", err)
	}
}

// TestFunctionInitFailure: a process that exits during init is reported with its exit
// status and its last words.
func TestFunctionInitFailure(t *testing.T) {
	var stderr bytes.Buffer
	f, err := lambdaruntime.Start(lambdaruntime.Config{
		Path:   echoFunction(t),
		Env:    []string{"ECHO_FAIL_INIT=USER_POOL_ID must be set"},
		Stderr: &stderr,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Stop()
	_, err = f.WaitInit(context.Background())
	want := "function process exited: exit status 3; its last output: cannot start: USER_POOL_ID must be set\n"
	var exit *lambdaruntime.ExitError
	if !errors.As(err, &exit) || err.Error() != want {
		t.Fatalf("WaitInit error %q, want %q", err, want)
	}
	if stderr.String() != "cannot start: USER_POOL_ID must be set\n" {
		t.Errorf("Stderr got %q", stderr.String())
	}
}

// TestMeasure: one init, one first invocation and the asked number of warm ones.
func TestMeasure(t *testing.T) {
	m, err := lambdaruntime.Measure(context.Background(), lambdaruntime.Config{Path: echoFunction(t)}, []byte(`{"name":"ada"}`), 5)
	if err != nil {
		t.Fatal(err)
	}
	if m.Init <= 0 || m.First.Duration <= 0 || len(m.Warm) != 5 || m.CPUMechanism != "none" {
		t.Fatalf("measurement %+v", m)
	}
	for _, r := range append([]lambdaruntime.Result{m.First}, m.Warm...) {
		if !strings.HasPrefix(string(r.Payload), `{"greeting":"hello ada","function":"echo-test"`) || r.Duration <= 0 {
			t.Errorf("result %+v", r)
		}
	}
}

// TestCPULimit: under a tenth of a CPU, 40 ms of CPU work takes several times as long in
// wall time, with either mechanism.
func TestCPULimit(t *testing.T) {
	cases := []struct {
		mechanism  lambdaruntime.Mechanism
		wantPrefix string
	}{
		{lambdaruntime.MechanismCgroup, "cgroup v1 CFS quota (2ms of CPU per 20ms, "},
		{lambdaruntime.MechanismSignals, "SIGSTOP/SIGCONT duty cycle (runs 2ms of every 20ms)"},
	}
	for _, tc := range cases {
		t.Run(string(tc.mechanism), func(t *testing.T) {
			if tc.mechanism == lambdaruntime.MechanismCgroup && !cgroupUsable() {
				t.Skip("needs root and a cgroup v1 cpu controller at " + lambdaruntime.CgroupV1CPU)
			}
			f, err := lambdaruntime.Start(lambdaruntime.Config{
				Path:    echoFunction(t),
				Timeout: 20 * time.Second,
				CPU:     lambdaruntime.CPULimit{VCPU: 0.1, Mechanism: tc.mechanism},
			})
			if err != nil {
				t.Fatal(err)
			}
			defer f.Stop()
			if got := f.CPUMechanism(); !strings.HasPrefix(got, tc.wantPrefix) {
				t.Fatalf("CPUMechanism = %q, want it to start %q", got, tc.wantPrefix)
			}
			if _, err := f.WaitInit(context.Background()); err != nil {
				t.Fatal(err)
			}
			res, err := f.Invoke(context.Background(), []byte(`{"do":"spin","spinMs":40}`))
			if err != nil || res.Error != nil {
				t.Fatalf("spin: %v %v", err, res.Error)
			}
			// 40 ms at a tenth of a CPU is 400 ms; unlimited it would be about 40.
			if res.Duration < 250*time.Millisecond {
				t.Errorf("40 ms of CPU took %s of wall time under a 0.1 CPU limit", res.Duration)
			}
			if tc.mechanism == lambdaruntime.MechanismCgroup {
				// The cgroup is named last in the description; Stop removes it.
				desc := f.CPUMechanism()
				dir := desc[strings.LastIndex(desc, ", ")+2 : len(desc)-1]
				if err := f.Stop(); err != nil {
					t.Fatal(err)
				}
				if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("cgroup %s still there after Stop: %v", dir, err)
				}
			}
		})
	}
}

// cgroupUsable says whether this machine lets MechanismCgroup work: root, and the cgroup
// v1 cpu controller where the package expects it.
func cgroupUsable() bool {
	_, err := os.Stat(filepath.Join(lambdaruntime.CgroupV1CPU, "cpu.cfs_quota_us"))
	return os.Geteuid() == 0 && err == nil
}
