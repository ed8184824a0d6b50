package apps

import (
	"errors"
	"fmt"
	"testing"

	"github.com/bank/devportal/shared/portal/org"
)

func TestAccessReady(t *testing.T) {
	uris, certs := []string{"https://a.example/cb"}, []string{"ab12"}
	for _, c := range []struct {
		env          org.Environment
		uris, prints []string
		ready        bool
	}{
		{org.Sandbox, nil, nil, true},
		{org.Production, nil, nil, false},
		{org.Production, uris, nil, false},
		{org.Production, nil, certs, false},
		{org.Production, uris, certs, true},
	} {
		err := Access{Environment: c.env, RedirectURIs: c.uris, Fingerprints: c.prints}.Ready()
		if (err == nil) != c.ready || (err != nil && !errors.Is(err, ErrNotReady)) {
			t.Errorf("%s with %d URIs and %d certificates: %v", c.env, len(c.uris), len(c.prints), err)
		}
	}
}

func TestWarningDue(t *testing.T) {
	for _, c := range []struct {
		daysLeft int
		warned   []int
		want     string
	}{
		{45, nil, "0 false"},
		{30, nil, "30 true"},
		{20, nil, "30 true"},
		{20, []int{30}, "30 false"},
		{7, []int{30}, "7 true"},
		{5, []int{30, 7}, "7 false"},
		{1, []int{30, 7}, "1 true"},
		{1, []int{30, 7, 1}, "1 false"},
		{3, nil, "7 true"}, // uploaded late: only the next warning, not the missed ones
	} {
		d, ok := warningDue(c.daysLeft, c.warned)
		if got := fmt.Sprint(d, ok); got != c.want {
			t.Errorf("%d days left, warned %v: %s, want %s", c.daysLeft, c.warned, got, c.want)
		}
	}
}
