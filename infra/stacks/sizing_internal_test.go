package stacks

import (
	"strings"
	"testing"

	tpproutes "github.com/bank/devportal/shared/tpp/routes"
)

// TestFunctionSizing: every function has a memory and timeout, from its entry or its
// kind's default, within Lambda's and API Gateway's limits; the heavy functions have
// their own entries, each with a reason.
func TestFunctionSizing(t *testing.T) {
	if err := checkSizing(DefaultRouteTables().functions()); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]Sizing{
		"healthz":                  httpSizing,
		"password-expiry-reminder": jobSizing,
	} {
		if got := FunctionSizing(name); got != want {
			t.Errorf("%s: %+v, want the default %+v", name, got, want)
		}
	}
	for _, name := range []string{"ops-request-approve", "app-go-live", "certificate-expiry-reminder", tpproutes.AuthorizerName} {
		s, ok := functionSizing[name]
		if !ok || s.Reason == "" {
			t.Errorf("%s has no sizing entry with a reason", name)
			continue
		}
		if s.MemoryMB <= httpSizing.MemoryMB {
			t.Errorf("%s: %d MB, want more than the default %d", name, s.MemoryMB, httpSizing.MemoryMB)
		}
	}
	defer func() {
		if msg := recover(); msg == nil || !strings.Contains(msg.(string), "no-such-function") {
			t.Errorf("FunctionSizing of an unknown name: panic %v", msg)
		}
	}()
	FunctionSizing("no-such-function")
}

func TestCheckSizingFails(t *testing.T) {
	healthz, _ := lookupFunction("healthz")
	if err := checkSizing([]appFunction{healthz}); err == nil || !strings.Contains(err.Error(), "which is no function") {
		t.Errorf("entries for undeployed functions: %v", err)
	}
	saved := functionSizing["ops-request-approve"]
	defer func() { functionSizing["ops-request-approve"] = saved }()
	functionSizing["ops-request-approve"] = Sizing{MemoryMB: 512, TimeoutSeconds: 60, Reason: "too slow"}
	if err := checkSizing(DefaultRouteTables().functions()); err == nil || !strings.Contains(err.Error(), "at most 29") {
		t.Errorf("an HTTP function beyond API Gateway's limit: %v", err)
	}
	functionSizing["ops-request-approve"] = Sizing{MemoryMB: 512, TimeoutSeconds: 20}
	if err := checkSizing(DefaultRouteTables().functions()); err == nil || !strings.Contains(err.Error(), "no reason") {
		t.Errorf("an entry without a reason: %v", err)
	}
}
