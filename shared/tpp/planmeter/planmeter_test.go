package planmeter_test

import (
	"context"
	"testing"
	"time"

	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/tpp/planmeter"
)

// TestTake walks one usage key through a plan of 2 calls a second and 5 a day: a burst
// up to the rate, refill with time, the quota to the end of the UTC day, and a fresh day.
func TestTake(t *testing.T) {
	plan := lookup.Plan{ID: "small", RateLimitPerSecond: 2, QuotaPerDay: 5}
	start := time.Date(2026, 12, 6, 23, 59, 50, 0, time.UTC)
	steps := []struct {
		at      time.Duration
		allowed bool
		wait    time.Duration
		today   int
	}{
		{0, true, 0, 1},
		{0, true, 0, 2},
		{0, false, 500 * time.Millisecond, 2}, // the bucket is empty; refused calls do not count
		{250 * time.Millisecond, false, 250 * time.Millisecond, 2}, // half a token back
		{500 * time.Millisecond, true, 0, 3},
		{2 * time.Second, true, 0, 4},
		{2 * time.Second, true, 0, 5},
		{5 * time.Second, false, 5 * time.Second, 5}, // quota spent: wait for the next UTC day
		{10 * time.Second, true, 0, 1},               // a new day
	}
	m := planmeter.New()
	for i, s := range steps {
		now := start.Add(s.at)
		wait, allowed, err := m.Take(context.Background(), "usage.o1.a1.ais", plan, now)
		if err != nil || allowed != s.allowed || wait != s.wait {
			t.Fatalf("step %d: Take = %v, %v, %v; want %v, %v", i, wait, allowed, err, s.wait, s.allowed)
		}
		if got := m.CallsToday("usage.o1.a1.ais", now); got != s.today {
			t.Fatalf("step %d: %d calls today, want %d", i, got, s.today)
		}
	}
	// Keys are metered apart.
	if _, allowed, _ := m.Take(context.Background(), "usage.o1.a1.pis", plan, start); !allowed {
		t.Fatal("another product's key was refused")
	}
	if got := m.CallsToday("usage.o1.a2.ais", start); got != 0 {
		t.Fatalf("an unused key has %d calls", got)
	}
}

// TestNoLimits: a plan of rate and quota zero limits nothing.
func TestNoLimits(t *testing.T) {
	m := planmeter.New()
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	for i := range 100 {
		if _, allowed, _ := m.Take(context.Background(), "k", lookup.Plan{}, now); !allowed {
			t.Fatalf("call %d refused", i)
		}
	}
}

func BenchmarkTake(b *testing.B) {
	m := planmeter.New()
	plan := lookup.Plan{RateLimitPerSecond: 1 << 30, QuotaPerDay: 0}
	now := time.Now()
	for b.Loop() {
		_, _, _ = m.Take(context.Background(), "usage.o1.a1.ais", plan, now)
	}
}
