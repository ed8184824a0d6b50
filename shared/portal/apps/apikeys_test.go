package apps

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/portal/lookup"
)

func TestRotatedKeepsTheReplacedKeyForTheGracePeriodOnly(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	at := func(h int) *time.Time { x := t0.Add(time.Duration(h) * time.Hour); return &x }
	key := func(name string, created int, expires *time.Time) lookup.APIKeyHash {
		return lookup.APIKeyHash{Hash: name, CreatedAt: t0.Add(time.Duration(created) * time.Hour), ExpiresAt: expires}
	}
	show := func(keys []lookup.APIKeyHash) string {
		var out []string
		for _, k := range keys {
			s := k.Hash
			if k.ExpiresAt != nil {
				s += "@" + k.ExpiresAt.Sub(t0).String()
			}
			out = append(out, s)
		}
		return strings.Join(out, " ")
	}
	next := key("new", 48, nil)
	now := t0.Add(48 * time.Hour)
	cases := []struct {
		name     string
		keys     []lookup.APIKeyHash
		grace    time.Duration
		want     string
		previous string
	}{
		{"first key", nil, 24 * time.Hour, "new", ""},
		{"the current key expires after the grace period", []lookup.APIKeyHash{key("a", 0, nil)}, 24 * time.Hour, "new a@72h0m0s", "72h0m0s"},
		{"no grace: the current key stops now", []lookup.APIKeyHash{key("a", 0, nil)}, 0, "new a@48h0m0s", "48h0m0s"},
		{"an expired previous key is dropped", []lookup.APIKeyHash{key("b", 10, nil), key("a", 0, at(34))}, time.Hour, "new b@49h0m0s", "49h0m0s"},
		{"a previous key still in its grace period is dropped too: two keys at most",
			[]lookup.APIKeyHash{key("b", 40, nil), key("a", 0, at(64))}, 168 * time.Hour, "new b@216h0m0s", "216h0m0s"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, previous := rotated(c.keys, next, now, c.grace)
			p := ""
			if previous != nil {
				p = previous.Sub(t0).String()
			}
			if show(got) != c.want || p != c.previous {
				t.Fatalf("rotated = %q (previous expires %q), want %q (%q)", show(got), p, c.want, c.previous)
			}
			if !got[0].ValidAt(now.Add(1000*time.Hour)) || len(got) > 1 && got[1].ValidAt(*previous) {
				t.Fatalf("validity: %+v", got)
			}
		})
	}
}

func TestGracePeriod(t *testing.T) {
	n := func(h int) *int { return &h }
	cases := []struct {
		hours *int
		want  string
	}{
		{nil, "24h0m0s"},
		{n(0), "0s"},
		{n(168), "168h0m0s"},
		{n(169), "gracePeriodHours:range:Choose a grace period from 0 to 168 hours (7 days)."},
		{n(-1), "gracePeriodHours:range:Choose a grace period from 0 to 168 hours (7 days)."},
	}
	for _, c := range cases {
		d, err := RotateAPIKeyRequest{GracePeriodHours: c.hours}.gracePeriod()
		got := d.String()
		var e *apperr.Error
		if errors.As(err, &e) && e.Kind == apperr.Invalid && len(e.Fields) == 1 {
			got = e.Fields[0].Field + ":" + e.Fields[0].Rule + ":" + e.Fields[0].Message
		} else if err != nil {
			got = err.Error()
		}
		if got != c.want {
			t.Errorf("gracePeriod(%v) = %s, want %s", c.hours, got, c.want)
		}
	}
}
