package account

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/platform/config"
)

func TestLinkRefusal(t *testing.T) {
	t0 := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	link := Link{TokenHash: "h", Kind: LinkReset, UserID: "u1", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour), CredentialVersion: 2}
	used := link
	used.UsedAt = t0.Add(time.Minute)
	legacy := link
	legacy.CredentialVersion = 0
	at := func(v int64) *Profile { return &Profile{UserID: "u1", CredentialVersion: v} }
	cases := []struct {
		name  string
		link  Link
		kind  LinkKind
		owner *Profile
		now   time.Time
		want  error
	}{
		{"unused, unexpired, current version", link, LinkReset, at(2), t0, nil},
		{"a second before it expires", link, LinkReset, at(2), t0.Add(time.Hour - time.Second), nil},
		{"stored before credential versions, no change since", legacy, LinkReset, at(0), t0, nil},
		{"another kind's link", link, LinkActivation, at(2), t0, ErrLinkInvalid},
		{"used", used, LinkReset, at(2), t0, ErrLinkUsed},
		{"used, and the password changed since", used, LinkReset, at(3), t0, ErrLinkUsed},
		{"at its expiry", link, LinkReset, at(2), t0.Add(time.Hour), ErrLinkExpired},
		{"past its expiry, within the second of it", link, LinkReset, at(2), t0.Add(time.Hour + 999*time.Millisecond), ErrLinkExpired},
		{"the password changed since it was emailed", link, LinkReset, at(3), t0, ErrLinkExpired},
		{"stored before credential versions, the password changed since", legacy, LinkReset, at(1), t0, ErrLinkExpired},
		{"an older version than the profile's is not the current one either", link, LinkReset, at(1), t0, ErrLinkExpired},
		{"the owner's profile is gone", link, LinkReset, nil, t0, ErrLinkExpired},
		{"an activation link, the password changed since", Link{Kind: LinkActivation, ExpiresAt: t0.Add(72 * time.Hour)}, LinkActivation, at(1), t0, ErrLinkExpired},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.link.Refusal(c.kind, c.owner, c.now); got != c.want {
				t.Fatalf("Refusal = %v, want %v", got, c.want)
			}
		})
	}
}

func TestLifetime(t *testing.T) {
	cases := map[time.Duration]string{
		time.Hour:                     "1 hour",
		72 * time.Hour:                "72 hours",
		30 * time.Minute:              "30 minutes",
		time.Minute:                   "1 minute",
		90 * time.Minute:              "90 minutes",
		45 * time.Second:              "45 seconds",
		time.Second + time.Nanosecond: "1 second",
	}
	for d, want := range cases {
		if got := lifetime(d); got != want {
			t.Errorf("lifetime(%v) = %q, want %q", d, got, want)
		}
	}
}

const (
	subjectReset      = "Reset your developer portal password"
	subjectActivation = "Activate your developer portal account"
	first             = "Str0ng!Passw0rd"
	second            = "Sec0nd!Password"
	third             = "Th1rd!Password"
	stolen            = "St0len!Password"
)

// linkWorld is the account service over memory: a user, their mailbox and a clock.
type linkWorld struct {
	t     testing.TB
	svc   *Service
	store *memStore
	idp   *fakeIdentity
	mail  *outbox
	clock time.Time
	email string
}

func newLinkWorld(t testing.TB) *linkWorld {
	cfg := config.Config{PortalURL: "https://portal.example", ActivationTTL: 72 * time.Hour, ResetTTL: time.Hour,
		SessionTTL: 12 * time.Hour, SessionMaxAge: 7 * 24 * time.Hour,
		Password: config.PasswordPolicy{MinLength: 12, MinUpper: 1, MinLower: 1, MinDigits: 1, MinSpecial: 1, MaxRepeated: 3,
			HistorySize: 5, MaxAgeDays: 730, ExpiryWarnDays: []int{14, 3, 1}}}
	w := &linkWorld{t: t, store: newMemStore(), idp: newFakeIdentity(), mail: &outbox{},
		clock: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC), email: "ann@example.com"}
	w.svc = NewService(cfg, w.store, w.store, w.store, w.idp, w.mail)
	w.svc.Vault, w.svc.HistoryMAC = testKeys{}, testKeys{}
	w.svc.Now = func() time.Time { return w.clock }
	if _, err := w.svc.SignUp(context.Background(), SignUpRequest{FullName: "Ann", Email: w.email, Password: first, PasswordConfirmation: first, AcceptTerms: true}); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *linkWorld) activate() {
	w.t.Helper()
	if _, err := w.svc.Activate(context.Background(), ActivateRequest{Token: w.mail.lastToken(subjectActivation), Password: first}); err != nil {
		w.t.Fatal(err)
	}
}

// forgot asks for a reset link and returns its token, past the pause between two links.
func (w *linkWorld) forgot() string {
	w.t.Helper()
	w.clock = w.clock.Add(2 * time.Minute)
	if _, err := w.svc.ForgotPassword(context.Background(), EmailRequest{Email: w.email}); err != nil {
		w.t.Fatal(err)
	}
	return w.mail.lastToken(subjectReset)
}

func (w *linkWorld) reset(token, password string) error {
	_, err := w.svc.ResetPassword(context.Background(), ResetPasswordRequest{Token: token, Password: password, PasswordConfirmation: password})
	return err
}

func (w *linkWorld) change(current, next string) {
	w.t.Helper()
	ctx := context.Background()
	ns, err := w.svc.Login(ctx, LoginRequest{Email: w.email, Password: current})
	if err != nil {
		w.t.Fatal(err)
	}
	sess, err := w.svc.Authenticate(ctx, ns.ID, true)
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.svc.ChangePassword(ctx, sess, ChangePasswordRequest{CurrentPassword: current, NewPassword: next, NewPasswordConfirmation: next}); err != nil {
		w.t.Fatal(err)
	}
}

func (w *linkWorld) profile() Profile {
	w.t.Helper()
	p, err := w.store.GetProfile(context.Background(), "id-"+w.email)
	if err != nil {
		w.t.Fatal(err)
	}
	return p
}

// TestLinksDieWithThePassword: a link emailed before a password reset or change is refused
// as an expired one, and sets nothing.
func TestLinksDieWithThePassword(t *testing.T) {
	cases := []struct {
		name string
		// run does what happens between the old link being emailed and its use; it
		// returns the old link's token and kind, and the password the user holds.
		run func(t *testing.T, w *linkWorld) (old string, kind LinkKind, password string)
	}{
		{"reset with a newer link, then a change of password", func(t *testing.T, w *linkWorld) (string, LinkKind, string) {
			w.activate()
			link1, link2 := w.forgot(), w.forgot()
			if err := w.reset(link2, second); err != nil {
				t.Fatal(err)
			}
			w.change(second, third)
			return link1, LinkReset, third
		}},
		{"reset with a newer link", func(t *testing.T, w *linkWorld) (string, LinkKind, string) {
			w.activate()
			link1, link2 := w.forgot(), w.forgot()
			if err := w.reset(link2, second); err != nil {
				t.Fatal(err)
			}
			return link1, LinkReset, second
		}},
		{"change of password", func(t *testing.T, w *linkWorld) (string, LinkKind, string) {
			w.activate()
			link1 := w.forgot()
			w.change(first, second)
			return link1, LinkReset, second
		}},
		{"activation link, after a reset of the pending account", func(t *testing.T, w *linkWorld) (string, LinkKind, string) {
			activation := w.mail.lastToken(subjectActivation)
			if err := w.reset(w.forgot(), second); err != nil {
				t.Fatal(err)
			}
			return activation, LinkActivation, second
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newLinkWorld(t)
			old, kind, password := c.run(t, w)
			var err error
			switch kind {
			case LinkReset:
				// The first password is in the history: the dead link is refused before the
				// history is checked, so it cannot test guesses of old passwords.
				for _, p := range []string{stolen, first} {
					if err = w.reset(old, p); err != ErrLinkExpired {
						t.Fatalf("old reset link with %q: %v, want %v", p, err, ErrLinkExpired)
					}
				}
			case LinkActivation:
				if _, err = w.svc.Activate(context.Background(), ActivateRequest{Token: old, Password: second}); err != ErrLinkExpired {
					t.Fatalf("old activation link: %v, want %v", err, ErrLinkExpired)
				}
			}
			if got := w.idp.passwords[w.email]; got != password {
				t.Fatalf("password = %q, want %q", got, password)
			}
		})
	}
}

// TestLinksRecordTheCredentialVersion: each reset and change moves the version on by one,
// and a link emailed after it records the new version and works.
func TestLinksRecordTheCredentialVersion(t *testing.T) {
	w := newLinkWorld(t)
	w.activate()
	steps := []struct {
		name string
		do   func()
		want int64
	}{
		{"sign-up and activation", func() {}, 0},
		{"reset", func() {
			if err := w.reset(w.forgot(), second); err != nil {
				t.Fatal(err)
			}
		}, 1},
		{"change", func() { w.change(second, third) }, 2},
	}
	for _, s := range steps {
		s.do()
		if v := w.profile().CredentialVersion; v != s.want {
			t.Fatalf("after %s: credential version %d, want %d", s.name, v, s.want)
		}
		token := w.forgot()
		if l := w.store.links[HashToken(token)]; l.CredentialVersion != s.want {
			t.Fatalf("after %s: link records version %d, want %d", s.name, l.CredentialVersion, s.want)
		}
	}
	if err := w.reset(w.mail.lastToken(subjectReset), "F0urth!Password"); err != nil {
		t.Fatalf("link emailed after the last change: %v", err)
	}
}

// TestFailedResetKillsNothing: when Cognito refuses the new password nothing changed, so
// the link is given back and the user's other links stay alive.
func TestFailedResetKillsNothing(t *testing.T) {
	w := newLinkWorld(t)
	w.activate()
	link1, link2 := w.forgot(), w.forgot()
	boom := apperr.New(apperr.Unavailable, "COGNITO_DOWN", "try later")
	w.idp.setPasswordErr = boom
	if err := w.reset(link2, second); !errors.Is(err, boom) {
		t.Fatalf("reset while Cognito fails: %v", err)
	}
	if v := w.profile().CredentialVersion; v != 0 {
		t.Fatalf("credential version %d after a failed reset, want 0", v)
	}
	if err := w.reset(link1, second); err != nil {
		t.Fatalf("link 1 after link 2's failed reset: %v", err)
	}
	if err := w.reset(link2, third); err != ErrLinkExpired {
		t.Fatalf("link 2, given back, after link 1's reset: %v, want %v", err, ErrLinkExpired)
	}
}
