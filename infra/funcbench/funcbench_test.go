package main

import (
	"bytes"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bank/devportal/infra/stacks"
)

func TestPercentile(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		var ds []time.Duration
		for _, n := range ns {
			ds = append(ds, time.Duration(n)*time.Millisecond)
		}
		return ds
	}
	fifty := make([]int, 50)
	for i := range fifty {
		fifty[i] = 50 - i
	}
	cases := []struct {
		name string
		ds   []time.Duration
		p    float64
		want time.Duration
	}{
		{"none", nil, 50, 0},
		{"one", ms(7), 99, 7 * time.Millisecond},
		{"median of an odd count", ms(5, 1, 3), 50, 3 * time.Millisecond},
		{"median of an even count is the lower middle", ms(4, 1, 3, 2), 50, 2 * time.Millisecond},
		{"p50 of 50", ms(fifty...), 50, 25 * time.Millisecond},
		{"p99 of 50 is the largest", ms(fifty...), 99, 50 * time.Millisecond},
		{"p98 of 50", ms(fifty...), 98, 49 * time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := percentile(tc.ds, tc.p); got != tc.want {
				t.Errorf("percentile(%v, %v) = %v, want %v", tc.ds, tc.p, got, tc.want)
			}
		})
	}
}

// TestReachedFrom reads the linker's -dumpdep lines, attributes and type names with
// spaces included, and follows the first parent of each symbol.
func TestReachedFrom(t *testing.T) {
	dump := `# example.com/fb/functions/bymethod
_ -> _rt0_arm64_linux
_ -> main.main
main.main -> main.call
main.call <ReflectMethod> -> reflect.Value.MethodByName
type:func(int, string) (bool, error) <UsedInIface> -> reflect.Value.MethodByName
reflect.Value.MethodByName -> reflect.(*rtype).MethodByName
main.main -> type:func(int, string) (bool, error)
`
	parents, err := reachedFrom(strings.NewReader(dump))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		sym  string
		want []string
	}{
		{"reflect.(*rtype).MethodByName", []string{"main.main", "main.call", "reflect.Value.MethodByName", "reflect.(*rtype).MethodByName"}},
		{"type:func(int, string) (bool, error)", []string{"main.main", "type:func(int, string) (bool, error)"}},
		{"main.main", []string{"main.main"}},
		{"reflect.Value.Method", nil},
	}
	for _, tc := range cases {
		if got := chain(parents, tc.sym); !slices.Equal(got, tc.want) {
			t.Errorf("chain to %s = %q, want %q", tc.sym, got, tc.want)
		}
	}
}

func TestFunctionNames(t *testing.T) {
	root := t.TempDir()
	for _, f := range []string{"functions/b/main.go", "functions/a/main.go", "functions/notes/README.md"} {
		if err := os.MkdirAll(filepath.Join(root, filepath.Dir(f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, f), []byte("package main\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name    string
		only    []string
		want    []string
		wantErr string
	}{
		{"all, with a main.go", nil, []string{"a", "b"}, ""},
		{"named, each once, in the given order", []string{"b", "a", "b"}, []string{"b", "a"}, ""},
		{"unknown", []string{"a", "notes", "c"}, nil, "no function notes, c under functions/"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := functionNames(root, tc.only)
			if (err == nil) != (tc.wantErr == "") || (err != nil && err.Error() != tc.wantErr) {
				t.Fatalf("error %v, want %q", err, tc.wantErr)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("functionNames = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestFunctionEnv: the environment given to each function reads back, through the
// functions' own configuration reader, as the configuration it was made from. Every field is
// set, so a field added to the configuration fails here until functionEnv passes it on.
func TestFunctionEnv(t *testing.T) {
	c := portalConfig{
		Local: true, Region: "eu-central-1", AWSEndpoint: "http://127.0.0.1:5999",
		PortalTable: "t", TPPTable: "tpp", UserPoolName: "pool", UserPoolID: "eu-central-1_x", UserPoolClientID: "client",
		OpsGroup: "ops", MailFrom: "from@example.com", PortalURL: "https://portal.example",
		ActivationTTL: time.Hour, ResetTTL: 2 * time.Hour, SessionTTL: 3 * time.Hour, SessionMaxAge: 4 * time.Hour,
		Password:        passwordPolicy{MinLength: 13, MinUpper: 2, MinLower: 3, MinDigits: 4, MinSpecial: 5, MaxRepeated: 6, HistorySize: 7, MaxAgeDays: 8, ExpiryWarnDays: []int{9, 2}},
		DecisionTimeout: 5 * time.Hour, ApprovalStateMachineName: "sm", ApprovalStateMachineARN: "arn:sm",
		SecondApproverKinds: []string{"GO_LIVE"}, IdleTimeout: 7 * time.Hour, OpsIdleTimeout: 8 * time.Minute, FreshAuthWindow: 9 * time.Minute, LimitAttempts: true, SupportEmail: "help@bank.example", SupportHours: "Always",
		InvitationTTL: 6 * time.Hour, OrgMaxMembers: 11, SandboxCADir: "/ca", SandboxCASecretARN: "arn:secret", SandboxCACertSecretARN: "arn:ca-cert", OAuthKeySecretARN: "arn:oauth-key", RegistrationKeySecretARN: "arn:registration-key", SessionKeyID: "arn:session-key", PasswordKeyID: "arn:password-key",
		TruststoreFile: "/trust.pem", SandboxCACRLURL: "https://portal.example/ca.crl", CRLBucket: "crls", RevocationTimeout: 4 * time.Second,
		SandboxBankSeed: 3, SandboxBankDate: "2025-01-31",
		TPPURL: "https://api.bank.example", OAuthAuthorizeURL: "https://login.bank.example/oauth2/authorize", AccessTokenTTL: 9 * time.Minute, RefreshTokenTTL: 10 * time.Hour,
		UsagePlanIDs: map[string]string{"ais-sandbox": "plan1", "oauth2-sandbox": "plan2"}, OriginSecret: "the-origin-secret",
	}
	v := reflect.ValueOf(c)
	for i := range v.NumField() {
		if v.Field(i).IsZero() {
			t.Fatalf("the test sets no %s: give it a value that is not the default", v.Type().Field(i).Name)
		}
	}
	t.Setenv("AWS_REGION", c.Region)
	for _, kv := range functionEnv(c) {
		k, val, _ := strings.Cut(kv, "=")
		t.Setenv(k, val)
	}
	got, err := readConfig()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, c) {
		t.Errorf("read back\n%+v\nwant\n%+v", got, c)
	}
}

// TestSandboxCAFunctions: the functions that get the sandbox CA's secret here are those a
// deployment grants it.
func TestSandboxCAFunctions(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	names, err := functionNames(root, nil)
	if err != nil {
		t.Fatal(err)
	}
	var want, wantCert, wantKey []string
	for _, n := range names {
		a, ok := stacks.FunctionAccess(n)
		if ok && a.RegistrationKey {
			wantKey = append(wantKey, n)
		}
		if ok && a.SandboxCA {
			want = append(want, n)
		}
		if ok && (a.SandboxCA || a.SandboxCACert) {
			wantCert = append(wantCert, n)
		}
	}
	if !slices.Equal(sandboxCAFunctions, want) {
		t.Errorf("sandboxCAFunctions = %q; infra/stacks grants the sandbox CA to %q", sandboxCAFunctions, want)
	}
	if !slices.Equal(sandboxCACertFunctions, wantCert) {
		t.Errorf("sandboxCACertFunctions = %q; infra/stacks grants the CA's certificate to %q", sandboxCACertFunctions, wantCert)
	}
	if !slices.Equal(registrationKeyFunctions, wantKey) || len(wantKey) == 0 {
		t.Errorf("registrationKeyFunctions = %q; infra/stacks grants the registration key to %q", registrationKeyFunctions, wantKey)
	}
}

func TestPrintSizes(t *testing.T) {
	rep := sizeReport{
		GOARCH: "arm64", Tags: DefaultTags, BudgetMiB: 12, Forbidden: []string{"reflect.Value.MethodByName"},
		Functions: []sizeResult{
			{Name: "auth-login", MiB: 23.004, OverBudget: true, Links: []string{"reflect.Value.MethodByName"},
				Why: map[string][]string{"reflect.Value.MethodByName": {"main.main", "validator.New", "reflect.Value.MethodByName"}}},
			{Name: "healthz", MiB: 11.5, Links: []string{"reflect.Value.MethodByName"},
				Why: map[string][]string{"reflect.Value.MethodByName": {"main.main", "validator.New", "reflect.Value.MethodByName"}}},
			{Name: "openapi", MiB: 9.25},
			{Name: "openapi-copy", MiB: 9.25, SameAs: "openapi"},
		},
	}
	var buf bytes.Buffer
	printSizes(&buf, rep)
	want := `4 functions for linux/arm64, tags lambda.norpc,validator_novalidatefn

function                            MiB
auth-login                        23.00  over budget; links reflect.Value.MethodByName
healthz                           11.50  links reflect.Value.MethodByName
openapi                            9.25
openapi-copy                       9.25  as openapi

3 binaries built: a function marked "as" another has a main of the same shape, which links the same code (-each builds every one)
budget 12.0 MiB: 1 over it
reflect.Value.MethodByName: linked by 2

reflect.Value.MethodByName is reached in auth-login, healthz through:
    main.main
    validator.New
    reflect.Value.MethodByName
`
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
	if !rep.failed() {
		t.Error("a report with a function over budget has not failed")
	}
}

func TestPrintRuns(t *testing.T) {
	rep := runReport{
		GOARCH: "amd64", Tags: DefaultTags, CPU: cpuSetting{MemoryMB: 256, VCPU: 0.14471, PeriodMS: 20}, ColdStarts: 5, Warm: 50,
		Functions: []runResult{
			{Name: "openapi", Failure: "open events/openapi.json: no such file or directory"},
			{Name: "healthz", InitMS: 61.9, InitMaxMS: 80.5, FirstMS: 47.2, P50MS: 14.9, P99MS: 71.3, StatusCode: 200, CPUMechanism: "cgroup v1 CFS quota (2.89429ms of CPU per 20ms, /sys/fs/cgroup/cpu/x)"},
			{Name: "tpp-authorizer", InitMS: 58.1, InitMaxMS: 58.1, FirstMS: 59.7, P50MS: 6.2, P99MS: 35.5, Error: "Unauthorized: denied"},
			{Name: "approval-reconciler", InitMS: 67.2, InitMaxMS: 70, FirstMS: 37.1, P50MS: 3.7, P99MS: 40},
			{Name: "org-get", InitMS: 12, Failure: "init: function process exited: exit status 1; its last output: {\"message\":\"cannot start\",\n\"error\":\"USER_POOL_ID and USER_POOL_CLIENT_ID must be set\"}", Log: "/l/org-get.log"},
		},
	}
	var buf bytes.Buffer
	printRuns(&buf, rep)
	want := `5 functions on linux/amd64, tags lambda.norpc,validator_novalidatefn, CPU share of 256 MB: 0.145 vCPU
CPU limit: cgroup v1 CFS quota (2.89429ms of CPU per 20ms, /sys/fs/cgroup/cpu/x)
milliseconds; init and first: median of 5 cold starts; p50 and p99 of 50 warm invocations

function                            init  init max     first  warm p50  warm p99  answer
approval-reconciler                 67.2      70.0      37.1       3.7      40.0  ok
healthz                             61.9      80.5      47.2      14.9      71.3  200
tpp-authorizer                      58.1      58.1      59.7       6.2      35.5  error Unauthorized: denied
org-get                             12.0       0.0       0.0       0.0       0.0  FAILED: init: function process exited: exit status 1; its last output: {"message":"cannot start", "error":"USER_POOL_ID and USER_POOL_CLIENT_ID must be set"} (log: /l/org-get.log)
openapi                              0.0       0.0       0.0       0.0       0.0  FAILED: open events/openapi.json: no such file or directory

init (each function's median) over the functions: p50 61.9 ms, p99 67.2 ms
`
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
	if !rep.failed() {
		t.Error("a report with a failed function has not failed")
	}
}

// TestByShape: the generated mains of one kind and parts have one shape, measured once;
// a main that names another part is of another shape.
func TestByShape(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	measured, sameAs, err := byShape(root, []string{"ais-accounts", "ais-account", "cof-confirm", "oauth2-token", "oauth2-par", "tpp-authorizer", "tpp-bearer-authorizer"})
	if err != nil {
		t.Fatal(err)
	}
	wantMeasured := []string{"ais-accounts", "oauth2-token", "tpp-authorizer", "tpp-bearer-authorizer"}
	wantSame := map[string]string{"ais-account": "ais-accounts", "cof-confirm": "ais-accounts", "oauth2-par": "oauth2-token"}
	if !slices.Equal(measured, wantMeasured) || !maps.Equal(sameAs, wantSame) {
		t.Errorf("byShape = %v, %v; want %v, %v", measured, sameAs, wantMeasured, wantSame)
	}
}
