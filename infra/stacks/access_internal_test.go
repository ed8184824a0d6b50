package stacks

import (
	"fmt"
	"strings"
	"testing"
)

// TestMissingAccessPanics proves that a function without an access entry stops the stack
// before any construct exists, with a message that says what to do.
func TestMissingAccessPanics(t *testing.T) {
	const name = "healthz"
	saved := functionAccess[name]
	delete(functionAccess, name)
	defer func() { functionAccess[name] = saved }()
	defer func() {
		msg := fmt.Sprint(recover())
		if !strings.Contains(msg, name) || !strings.Contains(msg, "functionAccess") {
			t.Errorf("panic %q does not name the function and the table", msg)
		}
	}()
	// checkAccess runs before the scope is touched, so no jsii app is needed.
	NewPortalAPIStack(nil, "test", PortalAPIProps{})
	t.Error("no panic")
}

func TestStaleAccessFails(t *testing.T) {
	err := checkAccess([]string{"healthz"})
	if err == nil || !strings.Contains(err.Error(), "auth-signup") {
		t.Errorf("checkAccess with entries for undeployed functions = %v, want an error naming them", err)
	}
}
