package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/bank/devportal/shared/local/motoserver"
	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/platform/paging"
	"github.com/bank/devportal/shared/portal/account"
	"github.com/bank/devportal/shared/portal/possession"
	"github.com/bank/devportal/shared/portal/store"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// backends are the DynamoDB implementations the contract runs against.
var backends = testenv.Backends

func newStore(t *testing.T, endpoint string) *store.Portal {
	t.Helper()
	c := testenv.Config(t, endpoint)
	db := dynamodb.NewFromConfig(testenv.AWS(t, c))
	if err := motoserver.CreateTables(context.Background(), db, c); err != nil {
		t.Fatalf("create tables: %v", err)
	}
	return store.NewPortal(db, c.PortalTable)
}

func TestPortalStoreContract(t *testing.T) {
	for _, b := range backends {
		t.Run(b.Name, func(t *testing.T) {
			endpoint := b.Endpoint(t)
			for _, c := range contract {
				t.Run(c.name, func(t *testing.T) { c.run(t, newStore(t, endpoint)) })
			}
		})
	}
}

var t0 = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

func profile(id, email string) account.Profile {
	return account.Profile{UserID: id, Email: email, FullName: "Test " + id, Status: account.StatusPending,
		CreatedAt: t0, TermsAcceptedAt: t0, PasswordChangedAt: t0, Preferences: account.DefaultPreferences}
}

// owner stores profile u1, the owner of the links the link cases store.
func owner(t *testing.T, s *store.Portal) {
	t.Helper()
	if err := s.CreateProfile(context.Background(), profile("u1", "ann@example.com")); err != nil {
		t.Fatal(err)
	}
}

// reset returns a reset link of u1 at credential version v, valid for an hour from t0.
func reset(hash string, v int64) account.Link {
	return account.Link{TokenHash: hash, Kind: account.LinkReset, UserID: "u1", Email: "ann@example.com", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour), CredentialVersion: v}
}

func wantKind(t *testing.T, err error, kind *apperr.Error, code string) {
	t.Helper()
	var ae *apperr.Error
	if !errors.Is(err, kind) || !errors.As(err, &ae) || (code != "" && ae.Code != code) {
		t.Fatalf("error = %v, want kind %v code %q", err, kind.Kind, code)
	}
}

// interleave creates profile u1 and runs two updates so that fast commits while slow is
// between its read and its write; it returns slow's error.
func interleave(t *testing.T, s *store.Portal, slow, fast func(*account.Profile)) error {
	t.Helper()
	ctx := context.Background()
	if err := s.CreateProfile(ctx, profile("u1", "ann@example.com")); err != nil {
		t.Fatal(err)
	}
	inside, release := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	var slowErr error
	wg.Go(func() {
		_, slowErr = s.UpdateProfile(ctx, "u1", func(p *account.Profile) error {
			close(inside)
			<-release
			slow(p)
			return nil
		})
	})
	<-inside
	if _, err := s.UpdateProfile(ctx, "u1", func(p *account.Profile) error { fast(p); return nil }); err != nil {
		t.Fatal(err)
	}
	close(release)
	wg.Wait()
	return slowErr
}

var contract = []struct {
	name string
	run  func(t *testing.T, s *store.Portal)
}{
	{"profile round trip and lookup by email", func(t *testing.T, s *store.Portal) {
		ctx := context.Background()
		p := profile("u1", "Ann@Example.com")
		p.OrganizationCode = "ORG42"
		if err := s.CreateProfile(ctx, p); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetProfile(ctx, "u1")
		if err != nil {
			t.Fatal(err)
		}
		p.Email = "ann@example.com"
		if fmt.Sprint(got) != fmt.Sprint(p) {
			t.Fatalf("GetProfile = %+v, want %+v", got, p)
		}
		byEmail, err := s.GetProfileByEmail(ctx, "ANN@example.com ")
		if err != nil || byEmail.UserID != "u1" {
			t.Fatalf("GetProfileByEmail = %+v, %v", byEmail, err)
		}
	}},
	{"missing profile is ErrNotFound", func(t *testing.T, s *store.Portal) {
		_, err := s.GetProfile(context.Background(), "nobody")
		wantKind(t, err, apperr.ErrNotFound, "")
		_, err = s.GetProfileByEmail(context.Background(), "nobody@example.com")
		wantKind(t, err, apperr.ErrNotFound, "")
	}},
	{"second profile with the same email conflicts and writes nothing", func(t *testing.T, s *store.Portal) {
		ctx := context.Background()
		if err := s.CreateProfile(ctx, profile("u1", "ann@example.com")); err != nil {
			t.Fatal(err)
		}
		wantKind(t, s.CreateProfile(ctx, profile("u2", "ANN@example.com")), apperr.ErrConflict, "EMAIL_TAKEN")
		_, err := s.GetProfile(ctx, "u2")
		wantKind(t, err, apperr.ErrNotFound, "")
	}},
	{"update applies the change and keeps the email", func(t *testing.T, s *store.Portal) {
		ctx := context.Background()
		if err := s.CreateProfile(ctx, profile("u1", "ann@example.com")); err != nil {
			t.Fatal(err)
		}
		got, err := s.UpdateProfile(ctx, "u1", func(p *account.Profile) error {
			p.FullName, p.Email, p.Status = "Ann B", "evil@example.com", account.StatusActive
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		again, _ := s.GetProfile(ctx, "u1")
		if got.FullName != "Ann B" || got.Email != "ann@example.com" || again.FullName != "Ann B" || again.Status != account.StatusActive {
			t.Fatalf("after update: returned %+v, stored %+v", got, again)
		}
	}},
	{"update failing in the change function writes nothing", func(t *testing.T, s *store.Portal) {
		ctx := context.Background()
		if err := s.CreateProfile(ctx, profile("u1", "ann@example.com")); err != nil {
			t.Fatal(err)
		}
		boom := apperr.New(apperr.Invalid, "NO", "no")
		_, err := s.UpdateProfile(ctx, "u1", func(p *account.Profile) error { p.FullName = "X"; return boom })
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v", err)
		}
		if got, _ := s.GetProfile(ctx, "u1"); got.FullName != "Test u1" {
			t.Fatalf("name changed to %q", got.FullName)
		}
	}},
	{"concurrent updates: one wins, the other conflicts", func(t *testing.T, s *store.Portal) {
		slowErr := interleave(t, s, func(p *account.Profile) { p.FullName = "slow" }, func(p *account.Profile) { p.FullName = "fast" })
		wantKind(t, slowErr, apperr.ErrConflict, "CONCURRENT_UPDATE")
		if got, _ := s.GetProfile(context.Background(), "u1"); got.FullName != "fast" {
			t.Fatalf("name = %q, want fast", got.FullName)
		}
	}},
	{"delete removes profile and frees the email", func(t *testing.T, s *store.Portal) {
		ctx := context.Background()
		if err := s.CreateProfile(ctx, profile("u1", "ann@example.com")); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteProfile(ctx, "u1"); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateProfile(ctx, profile("u2", "ann@example.com")); err != nil {
			t.Fatalf("email not freed: %v", err)
		}
	}},
	{"list pages through every profile", func(t *testing.T, s *store.Portal) {
		ctx := context.Background()
		for i := range 5 {
			if err := s.CreateProfile(ctx, profile(fmt.Sprintf("u%d", i), fmt.Sprintf("u%d@example.com", i))); err != nil {
				t.Fatal(err)
			}
		}
		seen := map[string]bool{}
		cursor, pages := "", 0
		for {
			ps, next, err := s.ListProfiles(ctx, cursor, 2)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, p := range ps {
				seen[p.UserID] = true
			}
			if next == "" {
				break
			}
			cursor = next
		}
		if len(seen) != 5 || pages < 3 {
			t.Fatalf("saw %d profiles in %d pages", len(seen), pages)
		}
		if _, _, err := s.ListProfiles(ctx, "not-a-cursor", 2); !errors.Is(err, paging.ErrCursor) {
			t.Fatalf("a made-up cursor: %v, want the cursor refused", err)
		}
	}},
	{"password history keeps the newest N", func(t *testing.T, s *store.Portal) {
		ctx := context.Background()
		if h, err := s.PasswordHistory(ctx, "u1"); err != nil || len(h) != 0 {
			t.Fatalf("empty history = %v, %v", h, err)
		}
		for _, h := range []string{"a", "b", "c", "d"} {
			if err := s.PushPasswordHistory(ctx, "u1", h, 3); err != nil {
				t.Fatal(err)
			}
		}
		h, err := s.PasswordHistory(ctx, "u1")
		if err != nil || fmt.Sprint(h) != "[d c b]" {
			t.Fatalf("history = %v, %v", h, err)
		}
	}},
	{"a link is used once, before it expires, for its kind only", func(t *testing.T, s *store.Portal) {
		ctx := context.Background()
		owner(t, s)
		l := account.Link{TokenHash: "h1", Kind: account.LinkActivation, UserID: "u1", Email: "ann@example.com", CreatedAt: t0, ExpiresAt: t0.Add(72 * time.Hour)}
		if err := s.PutLink(ctx, l); err != nil {
			t.Fatal(err)
		}
		other := l
		other.UserID = "u2"
		if err := s.PutLink(ctx, other); err == nil {
			t.Fatal("a second link with the same hash was stored")
		}
		_, err := s.UseLink(ctx, "h1", account.LinkReset, t0)
		wantKind(t, err, apperr.ErrNotFound, "LINK_INVALID")
		if _, err := s.GetLink(ctx, "h1", account.LinkActivation, t0); err != nil {
			t.Fatalf("GetLink: %v", err)
		}
		got, err := s.UseLink(ctx, "h1", account.LinkActivation, t0.Add(time.Hour))
		if err != nil || got.UserID != "u1" || got.Email != "ann@example.com" {
			t.Fatalf("UseLink = %+v, %v", got, err)
		}
		_, err = s.UseLink(ctx, "h1", account.LinkActivation, t0.Add(2*time.Hour))
		wantKind(t, err, apperr.ErrGone, "LINK_USED")
		_, err = s.GetLink(ctx, "h1", account.LinkActivation, t0.Add(2*time.Hour))
		wantKind(t, err, apperr.ErrGone, "LINK_USED")
		_, err = s.UseLink(ctx, "unknown", account.LinkActivation, t0)
		wantKind(t, err, apperr.ErrNotFound, "LINK_INVALID")
	}},
	{"a mail pause holds per address and kind, with or without an account, until it ends", func(t *testing.T, s *store.Portal) {
		ctx := context.Background()
		owner(t, s)
		steps := []struct {
			name, email string
			kind        account.LinkKind
			at          time.Time
			want        bool
		}{
			{"first reset mail to an account", "ann@example.com", account.LinkReset, t0, true},
			{"the same, a second later", "ann@example.com", account.LinkReset, t0.Add(time.Second), false},
			{"the same address written otherwise", " Ann@Example.com", account.LinkReset, t0.Add(59 * time.Second), false},
			{"another kind to the same address", "ann@example.com", account.LinkActivation, t0.Add(time.Second), true},
			{"an address without an account", "nobody@example.com", account.LinkReset, t0.Add(time.Second), true},
			{"the same, within its pause", "nobody@example.com", account.LinkReset, t0.Add(time.Minute), false},
			{"the first address, as its pause ends", "ann@example.com", account.LinkReset, t0.Add(time.Minute), true},
			{"again at once", "ann@example.com", account.LinkReset, t0.Add(time.Minute + time.Millisecond), false},
			{"again in the same instant", "ann@example.com", account.LinkReset, t0.Add(time.Minute), false},
		}
		for _, st := range steps {
			got, err := s.PauseMail(ctx, st.email, st.kind, st.at, time.Minute)
			if err != nil || got != st.want {
				t.Fatalf("%s: PauseMail = %v, %v; want %v", st.name, got, err, st.want)
			}
		}
	}},
	{"attempts are counted per key in fixed windows, up to the limit, racing ones too", func(t *testing.T, s *store.Portal) {
		ctx := context.Background()
		start := t0.Truncate(15 * time.Minute)
		steps := []struct {
			name, key string
			at        time.Time
			want      bool
			wait      time.Duration
		}{
			{"first", "sign-in/ann", start, true, 0},
			{"second", "sign-in/ann", start.Add(time.Minute), true, 0},
			{"third, the limit", "sign-in/ann", start.Add(2 * time.Minute), true, 0},
			{"fourth: refused until the window ends", "sign-in/ann", start.Add(5 * time.Minute), false, 10 * time.Minute},
			{"another key has its own count", "sign-in/bob", start.Add(5 * time.Minute), true, 0},
			{"the last instant of the window", "sign-in/ann", start.Add(15*time.Minute - time.Millisecond), false, time.Millisecond},
			{"the next window starts afresh", "sign-in/ann", start.Add(15 * time.Minute), true, 0},
		}
		for _, st := range steps {
			ok, wait, err := s.Attempt(ctx, st.key, 3, 15*time.Minute, st.at)
			if err != nil || ok != st.want || wait != st.wait {
				t.Fatalf("%s: Attempt = %v, %v, %v; want %v, %v", st.name, ok, wait, err, st.want, st.wait)
			}
		}
		var allowed atomic.Int64
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() {
				if ok, _, err := s.Attempt(ctx, "forgot/192.0.2.7", 3, time.Hour, t0); err == nil && ok {
					allowed.Add(1)
				}
			})
		}
		wg.Wait()
		if n := allowed.Load(); n != 3 {
			t.Fatalf("%d of 10 racing attempts went on, want the limit, 3", n)
		}
	}},
	{"an expired link is refused", func(t *testing.T, s *store.Portal) {
		ctx := context.Background()
		owner(t, s)
		l := account.Link{TokenHash: "h2", Kind: account.LinkReset, UserID: "u1", Email: "a@example.com", CreatedAt: t0, ExpiresAt: t0.Add(72 * time.Hour)}
		if err := s.PutLink(ctx, l); err != nil {
			t.Fatal(err)
		}
		_, err := s.UseLink(ctx, "h2", account.LinkReset, t0.Add(72*time.Hour))
		wantKind(t, err, apperr.ErrGone, "LINK_EXPIRED")
		_, err = s.GetLink(ctx, "h2", account.LinkReset, t0.Add(73*time.Hour))
		wantKind(t, err, apperr.ErrGone, "LINK_EXPIRED")
	}},
	{"racing uses of one link: exactly one succeeds, the others are told it was used", func(t *testing.T, s *store.Portal) {
		ctx := context.Background()
		owner(t, s)
		if err := s.PutLink(ctx, account.Link{TokenHash: "h3", Kind: account.LinkReset, UserID: "u1", Email: "a@example.com", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		var losses []error
		for range 8 {
			wg.Go(func() {
				_, err := s.UseLink(ctx, "h3", account.LinkReset, t0)
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					wins++
				} else {
					losses = append(losses, err)
				}
			})
		}
		wg.Wait()
		if wins != 1 {
			t.Fatalf("%d uses succeeded, want 1", wins)
		}
		for _, err := range losses {
			wantKind(t, err, apperr.ErrGone, "LINK_USED")
		}
	}},
	{"two writers with the same result: the second still conflicts", func(t *testing.T, s *store.Portal) {
		same := func(p *account.Profile) { p.ExpiryWarnedDays = 14 }
		wantKind(t, interleave(t, s, same, same), apperr.ErrConflict, "CONCURRENT_UPDATE")
	}},
	{"a released link can be used again, once", func(t *testing.T, s *store.Portal) {
		ctx := context.Background()
		owner(t, s)
		if err := s.PutLink(ctx, account.Link{TokenHash: "h4", Kind: account.LinkReset, UserID: "u1", Email: "a@example.com", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		used := t0.Add(time.Minute)
		if _, err := s.UseLink(ctx, "h4", account.LinkReset, used); err != nil {
			t.Fatal(err)
		}
		if err := s.ReleaseLink(ctx, "h4", used.Add(time.Hour)); err == nil {
			t.Fatal("released a use that was not this one")
		}
		if err := s.ReleaseLink(ctx, "h4", used); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UseLink(ctx, "h4", account.LinkReset, used.Add(time.Second)); err != nil {
			t.Fatalf("released link: %v", err)
		}
		_, err := s.UseLink(ctx, "h4", account.LinkReset, used.Add(2*time.Second))
		wantKind(t, err, apperr.ErrGone, "LINK_USED")
	}},
	{"a password change kills the links issued before it; a dead link answers as an expired one, on every try", func(t *testing.T, s *store.Portal) {
		ctx := context.Background()
		owner(t, s)
		activation := reset("a0", 0)
		activation.Kind = account.LinkActivation
		for _, l := range []account.Link{reset("r0", 0), reset("r0b", 0), activation} {
			if err := s.PutLink(ctx, l); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.UseLink(ctx, "r0b", account.LinkReset, t0); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RecordPasswordChange(ctx, "u1", account.PasswordChange{From: 0, At: t0}); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			_, err := s.GetLink(ctx, "r0", account.LinkReset, t0)
			wantKind(t, err, account.ErrLinkExpired, "LINK_EXPIRED")
			_, err = s.UseLink(ctx, "r0", account.LinkReset, t0)
			wantKind(t, err, account.ErrLinkExpired, "LINK_EXPIRED")
			_, err = s.UseLink(ctx, "a0", account.LinkActivation, t0)
			wantKind(t, err, account.ErrLinkExpired, "LINK_EXPIRED")
			// A link used before the change still says it was used.
			_, err = s.UseLink(ctx, "r0b", account.LinkReset, t0)
			wantKind(t, err, account.ErrLinkUsed, "LINK_USED")
		}
		if err := s.PutLink(ctx, reset("r1", 1)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetLink(ctx, "r1", account.LinkReset, t0); err != nil {
			t.Fatalf("GetLink of a link issued after the change: %v", err)
		}
		got, err := s.UseLink(ctx, "r1", account.LinkReset, t0)
		if err != nil || got.UserID != "u1" || got.CredentialVersion != 1 || !got.UsedAt.Equal(t0) {
			t.Fatalf("UseLink of a link issued after the change = %+v, %v", got, err)
		}
	}},
	{"a link whose owner's profile is gone answers as an expired one", func(t *testing.T, s *store.Portal) {
		ctx := context.Background()
		if err := s.PutLink(ctx, reset("r0", 0)); err != nil {
			t.Fatal(err)
		}
		_, err := s.GetLink(ctx, "r0", account.LinkReset, t0)
		wantKind(t, err, account.ErrLinkExpired, "LINK_EXPIRED")
		_, err = s.UseLink(ctx, "r0", account.LinkReset, t0)
		wantKind(t, err, account.ErrLinkExpired, "LINK_EXPIRED")
	}},
	{"a password change moves the version, date, warning and history in one write", func(t *testing.T, s *store.Portal) {
		ctx := context.Background()
		owner(t, s)
		if _, err := s.UpdateProfile(ctx, "u1", func(p *account.Profile) error { p.ExpiryWarnedDays = 14; return nil }); err != nil {
			t.Fatal(err)
		}
		if err := s.PushPasswordHistory(ctx, "u1", "a", 2); err != nil {
			t.Fatal(err)
		}
		t1 := t0.Add(time.Hour)
		got, err := s.RecordPasswordChange(ctx, "u1", account.PasswordChange{From: 0, At: t1, HistoryHash: "b", Keep: 2})
		if err != nil || got.CredentialVersion != 1 || !got.PasswordChangedAt.Equal(t1) || got.ExpiryWarnedDays != 0 || got.FullName != "Test u1" {
			t.Fatalf("RecordPasswordChange = %+v, %v", got, err)
		}
		// A change decided on the old version conflicts and writes nothing.
		_, err = s.RecordPasswordChange(ctx, "u1", account.PasswordChange{From: 0, At: t1.Add(time.Hour), HistoryHash: "x", Keep: 2})
		wantKind(t, err, apperr.ErrConflict, "CONCURRENT_UPDATE")
		if p, _ := s.GetProfile(ctx, "u1"); p.CredentialVersion != 1 || !p.PasswordChangedAt.Equal(t1) {
			t.Fatalf("after a conflict: %+v", p)
		}
		if h, err := s.PasswordHistory(ctx, "u1"); err != nil || fmt.Sprint(h) != "[b a]" {
			t.Fatalf("history after a conflict = %v, %v", h, err)
		}
		if _, err := s.RecordPasswordChange(ctx, "u1", account.PasswordChange{From: 1, At: t1, HistoryHash: "c", Keep: 2}); err != nil {
			t.Fatal(err)
		}
		if h, err := s.PasswordHistory(ctx, "u1"); err != nil || fmt.Sprint(h) != "[c b]" {
			t.Fatalf("history = %v, %v", h, err)
		}
		// Without history the version still moves.
		got, err = s.RecordPasswordChange(ctx, "u1", account.PasswordChange{From: 2, At: t1})
		if err != nil || got.CredentialVersion != 3 {
			t.Fatalf("RecordPasswordChange without history = %+v, %v", got, err)
		}
		if h, err := s.PasswordHistory(ctx, "u1"); err != nil || fmt.Sprint(h) != "[c b]" {
			t.Fatalf("history = %v, %v", h, err)
		}
		_, err = s.RecordPasswordChange(ctx, "nobody", account.PasswordChange{From: 0, At: t1})
		wantKind(t, err, apperr.ErrConflict, "CONCURRENT_UPDATE")
		if _, err := s.GetProfile(ctx, "nobody"); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("a change for nobody made a profile: %v", err)
		}
	}},
	{"a profile update neither moves the credential version nor writes back an old one", func(t *testing.T, s *store.Portal) {
		ctx := context.Background()
		owner(t, s)
		got, err := s.UpdateProfile(ctx, "u1", func(p *account.Profile) error { p.CredentialVersion = 7; return nil })
		if err != nil || got.CredentialVersion != 0 {
			t.Fatalf("UpdateProfile = %+v, %v", got, err)
		}
		// A password change between an update's read and its write makes the update conflict.
		_, err = s.UpdateProfile(ctx, "u1", func(p *account.Profile) error {
			if _, err := s.RecordPasswordChange(ctx, "u1", account.PasswordChange{From: 0, At: t0}); err != nil {
				t.Fatal(err)
			}
			p.FullName = "stale"
			return nil
		})
		wantKind(t, err, apperr.ErrConflict, "CONCURRENT_UPDATE")
		if p, _ := s.GetProfile(ctx, "u1"); p.CredentialVersion != 1 || p.FullName != "Test u1" {
			t.Fatalf("after the conflict: %+v", p)
		}
	}},
	{"a deleted session cannot be saved back; a user's sessions end together", func(t *testing.T, s *store.Portal) {
		ctx := context.Background()
		mk := func(hash, user string) account.Session {
			return account.Session{IDHash: hash, UserID: user, Email: user + "@example.com", Tokens: []byte("sealed"),
				AccessExpiresAt: t0.Add(time.Hour), CSRFToken: "c", CreatedAt: t0, ExpiresAt: t0.Add(12 * time.Hour)}
		}
		for _, sess := range []account.Session{mk("a1", "ann"), mk("a2", "ann"), mk("a3", "ann"), mk("b1", "bob")} {
			if err := s.PutSession(ctx, sess); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.DeleteSession(ctx, "a3"); err != nil {
			t.Fatal(err)
		}
		wantKind(t, s.SaveSession(ctx, mk("a3", "ann")), apperr.ErrNotFound, "")
		if err := s.SaveSession(ctx, mk("a2", "ann")); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteUserSessions(ctx, "ann", "a2"); err != nil {
			t.Fatal(err)
		}
		for hash, alive := range map[string]bool{"a1": false, "a2": true, "a3": false, "b1": true} {
			_, err := s.GetSession(ctx, hash, t0)
			if (err == nil) != alive {
				t.Errorf("session %s: err %v, want alive %v", hash, err, alive)
			}
		}
	}},
	{"sessions: put, get, expire, delete", func(t *testing.T, s *store.Portal) {
		ctx := context.Background()
		sess := account.Session{IDHash: "s1", UserID: "u1", Email: "a@example.com", Groups: []string{"operations"},
			Tokens: []byte("sealed"), AccessExpiresAt: t0.Add(time.Hour), CSRFToken: "c", CreatedAt: t0, ExpiresAt: t0.Add(12 * time.Hour)}
		if err := s.PutSession(ctx, sess); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetSession(ctx, "s1", t0.Add(time.Hour))
		if err != nil || fmt.Sprint(got) != fmt.Sprint(sess) {
			t.Fatalf("GetSession = %+v, %v", got, err)
		}
		_, err = s.GetSession(ctx, "s1", t0.Add(12*time.Hour))
		wantKind(t, err, apperr.ErrNotFound, "")
		if err := s.DeleteSession(ctx, "s1"); err != nil {
			t.Fatal(err)
		}
		_, err = s.GetSession(ctx, "s1", t0)
		wantKind(t, err, apperr.ErrNotFound, "")
		if err := s.DeleteSession(ctx, "s1"); err != nil {
			t.Fatalf("deleting an absent session: %v", err)
		}
	}},
}

// TestRetriedWritesAreIdempotent replays a conditional write after it succeeded, as the
// SDK does when a response is lost: the retry must not turn into a conflict.
func TestRetriedWritesAreIdempotent(t *testing.T) {
	for _, b := range backends {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			c := testenv.Config(t, b.Endpoint(t))
			db := &replayingDB{DynamoDB: dynamodb.NewFromConfig(testenv.AWS(t, c))}
			if err := motoserver.CreateTables(ctx, db.DynamoDB.(*dynamodb.Client), c); err != nil {
				t.Fatal(err)
			}
			s := store.NewPortal(db, c.PortalTable)
			if err := s.CreateProfile(ctx, profile("u1", "ann@example.com")); err != nil {
				t.Fatal(err)
			}
			db.replay = true
			if _, err := s.UpdateProfile(ctx, "u1", func(p *account.Profile) error { p.FullName = "Ann B"; return nil }); err != nil {
				t.Fatalf("replayed update: %v", err)
			}
			if err := s.PutLink(ctx, account.Link{TokenHash: "h", Kind: account.LinkReset, UserID: "u1", Email: "ann@example.com", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}); err != nil {
				t.Fatalf("replayed link: %v", err)
			}
			// A replayed mail pause is the same request's, so the mail may still go.
			if ok, err := s.PauseMail(ctx, "ann@example.com", account.LinkReset, t0, time.Minute); err != nil || !ok {
				t.Fatalf("replayed mail pause: %v, %v; want true", ok, err)
			}
			// A replayed issuance record is the same issuance; another user's is not.
			issuance := possession.Issuance{Fingerprint: "ab12", UserID: "u1", Email: "ann@example.com", IssuedAt: t0, NotAfter: t0.Add(24 * time.Hour)}
			orgs := store.NewOrgs(db, c.PortalTable)
			if err := orgs.RecordIssuance(ctx, issuance); err != nil {
				t.Fatalf("replayed issuance: %v", err)
			}
			other := issuance
			other.UserID = "u2"
			wantKind(t, orgs.RecordIssuance(ctx, other), apperr.ErrConflict, "CONFLICT")
			db.replay = false
			// Another request within the pause is refused.
			if ok, err := s.PauseMail(ctx, "ann@example.com", account.LinkReset, t0, time.Minute); err != nil || ok {
				t.Fatalf("second mail pause: %v, %v; want false", ok, err)
			}
			// A real conflict is still one.
			_, err := s.UpdateProfile(ctx, "u1", func(p *account.Profile) error {
				_, _ = s.UpdateProfile(ctx, "u1", func(p *account.Profile) error { p.FullName = "other"; return nil })
				p.FullName = "mine"
				return nil
			})
			wantKind(t, err, apperr.ErrConflict, "CONCURRENT_UPDATE")
		})
	}
}

// replayingDB sends every PutItem twice when replay is on and returns the second answer.
type replayingDB struct {
	store.DynamoDB
	replay bool
}

func (r *replayingDB) PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	if r.replay {
		if _, err := r.DynamoDB.PutItem(ctx, in, opts...); err != nil {
			return nil, err
		}
	}
	return r.DynamoDB.PutItem(ctx, in, opts...)
}

// TestStoredBeforeCredentialVersions: profiles and links written before credential
// versions existed have no such attribute; they count as version 0, so their links keep
// working until the first password change, which kills them.
func TestStoredBeforeCredentialVersions(t *testing.T) {
	for _, b := range backends {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			c := testenv.Config(t, b.Endpoint(t))
			db := dynamodb.NewFromConfig(testenv.AWS(t, c))
			if err := motoserver.CreateTables(ctx, db, c); err != nil {
				t.Fatal(err)
			}
			s := store.NewPortal(db, c.PortalTable)
			owner(t, s)
			for _, h := range []string{"old1", "old2"} {
				if err := s.PutLink(ctx, reset(h, 0)); err != nil {
					t.Fatal(err)
				}
			}
			forget := func(k store.Key) {
				t.Helper()
				_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &c.PortalTable,
					Key:              map[string]types.AttributeValue{store.AttrPK: &types.AttributeValueMemberS{Value: k.PK}, store.AttrSK: &types.AttributeValueMemberS{Value: k.SK}},
					UpdateExpression: aws.String("REMOVE credentialVersion")})
				if err != nil {
					t.Fatal(err)
				}
			}
			forget(store.UserKey("u1"))
			forget(store.LinkKey("old1"))
			forget(store.LinkKey("old2"))
			if _, err := s.UseLink(ctx, "old1", account.LinkReset, t0); err != nil {
				t.Fatalf("old link before any change: %v", err)
			}
			if _, err := s.RecordPasswordChange(ctx, "u1", account.PasswordChange{From: 0, At: t0}); err != nil {
				t.Fatal(err)
			}
			_, err := s.UseLink(ctx, "old2", account.LinkReset, t0)
			wantKind(t, err, account.ErrLinkExpired, "LINK_EXPIRED")
		})
	}
}
