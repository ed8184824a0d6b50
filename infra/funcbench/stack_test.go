package main

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bank/devportal/shared/local/lambdaruntime"
)

// TestMeasureOne runs real functions on a bootstrapped moto the way run mode does: each
// initializes with the environment the stack gives it (the configuration, the sandbox
// CA's secret for org-onboard, the TPP environment for the authorizer, the OAuth key's
// secret for the token endpoint) and answers its
// sample event; a function whose configuration is incomplete is a failure that says why.
func TestMeasureOne(t *testing.T) {
	if testing.Short() {
		t.Skip("starts moto and builds five functions")
	}
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	names := []string{"healthz", "auth-login", "org-onboard", "tpp-authorizer", "oauth2-token"}
	// Built the way go test builds (no -trimpath, cgo as configured), not as run mode does,
	// so that the packages already compiled for the tests serve and only the links cost.
	args := []string{"build", "-tags", DefaultTags, "-o", filepath.Join(dir, "bin") + string(filepath.Separator)}
	for _, n := range names {
		args = append(args, "./functions/"+n)
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ctx := context.Background()
	st, err := startStack(ctx, dir, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer st.stop()
	if err := os.MkdirAll(filepath.Join(dir, "logs"), 0o755); err != nil {
		t.Fatal(err)
	}
	noUserPool := *st
	noUserPool.cfg.UserPoolID = ""

	quarter := lambdaruntime.CPULimit{VCPU: lambdaruntime.VCPUForMemory(256)}
	cases := []struct {
		name, function string
		stack          *stack
		limit          lambdaruntime.CPULimit
		wantStatus     int
		wantFailure    string
	}{
		{name: "HTTP function", function: "healthz", stack: st, wantStatus: 200},
		{name: "with the sandbox CA, at 256 MB's CPU share", function: "org-onboard", stack: st, limit: quarter, wantStatus: 401},
		{name: "authorizer", function: "tpp-authorizer", stack: st},
		// Reads the OAuth key's secret at init; its sample is the authorizer's refusal.
		{name: "with the OAuth key", function: "oauth2-token", stack: st, wantStatus: 401},
		{name: "failed init", function: "auth-login", stack: &noUserPool,
			wantFailure: `init: function process exited: exit status 1; its last output: {"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := measureOne(ctx, tc.function, filepath.Join(dir, "bin", tc.function), root, dir, tc.stack, tc.limit,
				runOptions{warm: 3, cold: 2, timeout: 20 * time.Second})
			if !strings.HasPrefix(r.Failure, tc.wantFailure) || (tc.wantFailure == "" && r.Failure != "") {
				t.Fatalf("failure %q, want one starting %q", r.Failure, tc.wantFailure)
			}
			if tc.wantFailure != "" {
				if !strings.Contains(r.Failure, "USER_POOL_ID and USER_POOL_CLIENT_ID must be set") {
					t.Errorf("failure %q does not say why", r.Failure)
				}
				return
			}
			if r.StatusCode != tc.wantStatus || r.Error != "" || r.Warm != 3 || r.ColdStarts != 2 || r.InitMS <= 0 || r.InitMaxMS < r.InitMS || r.FirstMS <= 0 || r.P50MS <= 0 || r.P99MS < r.P50MS {
				t.Errorf("result %+v, want status %d and every figure", r, tc.wantStatus)
			}
			wantMechanism := "none"
			if tc.limit.VCPU > 0 {
				// MechanismAuto: the cgroup where this machine allows one.
				wantMechanism = "SIGSTOP/SIGCONT duty cycle (runs 2.89429ms of every 20ms)"
				if _, err := os.Stat(filepath.Join(lambdaruntime.CgroupV1CPU, "cpu.cfs_quota_us")); err == nil && os.Geteuid() == 0 {
					wantMechanism = "cgroup v1 CFS quota (2.89429ms of CPU per 20ms, "
				}
			}
			if !strings.HasPrefix(r.CPUMechanism, wantMechanism) {
				t.Errorf("CPU mechanism %q, want %q", r.CPUMechanism, wantMechanism)
			}
		})
	}
}
