package account

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/bank/devportal/shared/platform/apperr"
)

// TestIdleTimeout: a session ends after its idle timeout without the user's activity; the
// page's keep-alive is no activity, and activity is written at most once a minute.
func TestIdleTimeout(t *testing.T) {
	w := newLinkWorld(t)
	w.activate()
	w.svc.cfg.IdleTimeout, w.svc.cfg.OpsIdleTimeout, w.svc.cfg.OpsGroup = 30*time.Minute, 10*time.Minute, "operations"
	ctx := context.Background()
	signedIn := w.clock
	ns, err := w.svc.Login(ctx, LoginRequest{Email: w.email, Password: first})
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name     string
		after    time.Duration // since sign-in
		activity bool
		wantErr  string        // "" for a live session
		wantLast time.Duration // the stored LastActiveAt, since sign-in
	}{
		{"the keep-alive 20 minutes in is no activity", 20 * time.Minute, false, "", 0},
		{"a page read 29 minutes in is", 29 * time.Minute, true, "", 29 * time.Minute},
		{"half a minute later nothing is written", 29*time.Minute + 30*time.Second, true, "", 29 * time.Minute},
		{"29 minutes after the last activity the session lives", 58 * time.Minute, true, "", 58 * time.Minute},
		{"the keep-alive 30 minutes and a second after the last activity finds it ended", 88*time.Minute + time.Second, false,
			"UNAUTHENTICATED: You were signed out after 30 minutes without activity. Sign in again.", -1},
		{"and then it is gone", 89 * time.Minute, true, "UNAUTHENTICATED: You are not signed in, or your session has ended. Sign in again.", -1},
	}
	for _, s := range steps {
		w.clock = signedIn.Add(s.after)
		_, err := w.svc.Authenticate(ctx, ns.ID, s.activity)
		got := ""
		if err != nil {
			got = err.Error()
			if !errors.Is(err, ErrUnauthenticated) {
				t.Fatalf("%s: %v is not an ended session", s.name, err)
			}
		}
		if got != s.wantErr {
			t.Fatalf("%s: err %q, want %q", s.name, got, s.wantErr)
		}
		stored, err := w.store.GetSession(ctx, HashToken(ns.ID), w.clock)
		switch {
		case s.wantLast < 0:
			if !errors.Is(err, apperr.ErrNotFound) {
				t.Fatalf("%s: the ended session is still stored (%v)", s.name, err)
			}
		case err != nil || !stored.LastActiveAt.Equal(signedIn.Add(s.wantLast)):
			t.Fatalf("%s: stored activity %v (%v), want %v", s.name, stored.LastActiveAt, err, signedIn.Add(s.wantLast))
		}
	}
	if got := w.svc.IdleTimeout([]string{"developers", "operations"}); got != 10*time.Minute {
		t.Errorf("an operations user's idle timeout is %v, want 10m", got)
	}
	if got := w.svc.IdleTimeout(nil); got != 30*time.Minute {
		t.Errorf("a developer's idle timeout is %v, want 30m", got)
	}
}
