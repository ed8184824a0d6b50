package apperr

import (
	"errors"
	"fmt"
	"testing"
)

func TestIs(t *testing.T) {
	taken := &Error{Kind: Conflict, Code: "EMAIL_TAKEN", Message: "taken"}
	wrapped := fmt.Errorf("sign-up: %w", taken)
	cases := []struct {
		err, target error
		want        bool
	}{
		{wrapped, ErrConflict, true},
		{wrapped, ErrNotFound, false},
		{wrapped, taken, true},
		{wrapped, &Error{Kind: Conflict, Code: "OTHER"}, false},
		{Wrap(errors.New("boom"), "x"), ErrConflict, false},
	}
	for i, c := range cases {
		if got := errors.Is(c.err, c.target); got != c.want {
			t.Errorf("case %d: errors.Is = %v, want %v", i, got, c.want)
		}
	}
}

func TestWrapKeepsCauseForLogsOnly(t *testing.T) {
	cause := errors.New("dynamodb: throttled")
	e := Wrap(cause, "put %s", "item")
	if e.Kind != Internal || e.Message != "Something went wrong on our side." || !errors.Is(e, cause) || e.Error() != "INTERNAL: Something went wrong on our side.: put item: dynamodb: throttled" {
		t.Fatalf("wrap = %#v / %s", e, e)
	}
}
