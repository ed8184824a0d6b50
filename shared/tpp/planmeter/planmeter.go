// Package planmeter enforces apps' plans on the local TPP listener as API Gateway's usage
// plans do deployed: per usage key (one app's use of one product), a token bucket of the
// plan's rate (burst equal to the rate) and a quota of calls per UTC day. Only allowed
// calls count. It keeps its counts in memory: the local stack is one process.
package planmeter

import (
	"context"
	"sync"
	"time"

	"github.com/bank/devportal/shared/portal/lookup"
)

// Meter counts calls per usage key.
type Meter struct {
	mu   sync.Mutex
	keys map[string]*usage
}

type usage struct {
	tokens float64
	filled time.Time
	day    string
	calls  int
}

// New is an empty meter.
func New() *Meter { return &Meter{keys: map[string]*usage{}} }

// Take counts one call of usageKey under plan at now, or answers how long to wait: until
// the bucket holds a token, or until the next UTC day when the quota is spent. A rate or
// quota of zero does not limit.
func (m *Meter) Take(_ context.Context, usageKey string, plan lookup.Plan, now time.Time) (time.Duration, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	rate := float64(plan.RateLimitPerSecond)
	u, ok := m.keys[usageKey]
	if !ok {
		u = &usage{tokens: rate, filled: now}
		m.keys[usageKey] = u
	}
	day := dayOf(now)
	if u.day != day {
		u.day, u.calls = day, 0
	}
	if elapsed := now.Sub(u.filled).Seconds(); elapsed > 0 {
		u.tokens = min(rate, u.tokens+elapsed*rate)
		u.filled = now
	}
	if plan.QuotaPerDay > 0 && u.calls >= plan.QuotaPerDay {
		return nextDay(now).Sub(now), false, nil
	}
	if rate > 0 && u.tokens < 1 {
		return time.Duration((1 - u.tokens) / rate * float64(time.Second)), false, nil
	}
	u.tokens--
	u.calls++
	return 0, true, nil
}

// CallsToday is how many calls of usageKey were allowed on now's UTC day.
func (m *Meter) CallsToday(usageKey string, now time.Time) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	u, ok := m.keys[usageKey]
	if !ok || u.day != dayOf(now) {
		return 0
	}
	return u.calls
}

func dayOf(t time.Time) string { return t.UTC().Format(time.DateOnly) }

func nextDay(t time.Time) time.Time {
	y, mo, d := t.UTC().Date()
	return time.Date(y, mo, d+1, 0, 0, 0, 0, time.UTC)
}
