package stacks

import (
	"fmt"
	"strings"
	"testing"
)

// TestAccessProblemsPanic proves that a function whose needs cannot become grants stops
// the stack before any construct exists, with a message that says what to do.
func TestAccessProblemsPanic(t *testing.T) {
	const name = "auth-signup"
	saved := accessExceptions[name]
	delete(accessExceptions, name)
	defer func() { accessExceptions[name] = saved }()
	defer func() {
		msg := fmt.Sprint(recover())
		if !strings.Contains(msg, name+" needs the user pool but no exception lists its calls") {
			t.Errorf("panic %q does not name the function and what it lacks", msg)
		}
	}()
	// checkAccess runs before the scope is touched, so no jsii app is needed.
	NewPortalAPIStack(nil, "test", PortalAPIProps{})
	t.Error("no panic")
}

func TestAccessChecks(t *testing.T) {
	for _, tc := range []struct {
		names []string
		want  string
	}{
		{[]string{"healthz", "no-such-function"}, "no-such-function is no route, job or authorizer"},
		{[]string{"healthz"}, "accessExceptions names auth-signup, which is not a deployed function"},
	} {
		err := checkAccess(tc.names)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("checkAccess(%v) = %v, want an error with %q", tc.names, err, tc.want)
		}
	}
	if err := checkAccess(AllFunctionNames()); err != nil {
		t.Errorf("checkAccess of the app's functions = %v", err)
	}
}

// TestDerivedAccess pins what a few needs turn into.
func TestDerivedAccess(t *testing.T) {
	for _, tc := range []struct {
		name string
		want string
	}{
		{"healthz", "{Table:3 UserPool:[] SendMail:false StartApproval:false SandboxCA:false DecideApproval: PublishCRL:false}"},
		{"openapi", "{Table:0 UserPool:[] SendMail:false StartApproval:false SandboxCA:false DecideApproval: PublishCRL:false}"},
		{"org-invite", "{Table:2 UserPool:[InitiateAuth] SendMail:true StartApproval:false SandboxCA:false DecideApproval: PublishCRL:false}"},
		{"org-onboard", "{Table:2 UserPool:[InitiateAuth] SendMail:false StartApproval:true SandboxCA:true DecideApproval: PublishCRL:false}"},
		{"ops-request-reject", "{Table:2 UserPool:[InitiateAuth] SendMail:false StartApproval:false SandboxCA:false DecideApproval:SendTaskFailure PublishCRL:false}"},
		{"auth-forgot-password", "{Table:2 UserPool:[] SendMail:true StartApproval:false SandboxCA:false DecideApproval: PublishCRL:false}"},
		{"approval-reconciler", "{Table:2 UserPool:[] SendMail:false StartApproval:true SandboxCA:false DecideApproval: PublishCRL:false}"},
		{"tpp-authorizer", "{Table:3 UserPool:[] SendMail:false StartApproval:false SandboxCA:false DecideApproval: PublishCRL:false}"},
	} {
		a, ok := FunctionAccess(tc.name)
		if got := fmt.Sprintf("%+v", a); !ok || got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}
