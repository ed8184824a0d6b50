package account

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// trace records the calls the account service makes on its stores, Cognito and SES, in
// order, so a test can compare the work done for one address with another's.
type trace struct{ calls []string }

type tracedStore struct {
	*memStore
	t *trace
}

func (s tracedStore) GetProfileByEmail(ctx context.Context, email string) (Profile, error) {
	s.t.calls = append(s.t.calls, "GetProfileByEmail")
	return s.memStore.GetProfileByEmail(ctx, email)
}

func (s tracedStore) CreateProfile(ctx context.Context, p Profile) error {
	s.t.calls = append(s.t.calls, "CreateProfile")
	return s.memStore.CreateProfile(ctx, p)
}

func (s tracedStore) PushPasswordHistory(ctx context.Context, userID, hash string, keep int) error {
	s.t.calls = append(s.t.calls, "PushPasswordHistory")
	return s.memStore.PushPasswordHistory(ctx, userID, hash, keep)
}

func (s tracedStore) PauseMail(ctx context.Context, email string, kind LinkKind, now time.Time, pause time.Duration) (bool, error) {
	s.t.calls = append(s.t.calls, "PauseMail")
	return s.memStore.PauseMail(ctx, email, kind, now, pause)
}

func (s tracedStore) PutLink(ctx context.Context, l Link) error {
	s.t.calls = append(s.t.calls, "PutLink")
	return s.memStore.PutLink(ctx, l)
}

type tracedIdentity struct {
	*fakeIdentity
	t *trace
}

func (f tracedIdentity) SignUp(ctx context.Context, email, password, fullName string) (string, error) {
	f.t.calls = append(f.t.calls, "Cognito.SignUp")
	return f.fakeIdentity.SignUp(ctx, email, password, fullName)
}

type tracedMail struct {
	*outbox
	t *trace
}

func (m tracedMail) Send(ctx context.Context, mail Mail) error {
	m.t.calls = append(m.t.calls, "Send")
	return m.outbox.Send(ctx, mail)
}

const (
	subjectExists    = "You already have a developer portal account"
	subjectNoAccount = "No developer portal account uses this address"
)

// TestPublicFormsAnswerAlike: sign-up, resend activation and forgot password answer an
// address without an account, one waiting for activation and an active one exactly alike;
// each address gets the one email that tells its owner what there is, through the same
// steps (the differences are the ones listed: a link stored for an account to use, and
// creating a new account). A second request within the pause answers alike again and
// mails nothing.
func TestPublicFormsAnswerAlike(t *testing.T) {
	const (
		nobody  = "nobody@example.com"
		pending = "pending@example.com"
		active  = "ann@example.com"
	)
	// signUp, resend and forgot call a form for an address and return its answer.
	signUp := func(s *Service, email string) (any, error) {
		return s.SignUp(context.Background(), SignUpRequest{FullName: "Eve", Email: email, Password: stolen, PasswordConfirmation: stolen, AcceptTerms: true})
	}
	resend := func(s *Service, email string) (any, error) {
		return s.ResendActivation(context.Background(), EmailRequest{Email: email})
	}
	forgot := func(s *Service, email string) (any, error) {
		return s.ForgotPassword(context.Background(), EmailRequest{Email: email})
	}
	type outcome struct {
		subject string
		calls   []string
	}
	lookupPauseSend := []string{"GetProfileByEmail", "PauseMail", "Send"}
	withLink := []string{"GetProfileByEmail", "PauseMail", "PutLink", "Send"}
	cases := []struct {
		form string
		call func(*Service, string) (any, error)
		want map[string]outcome
	}{
		{"sign-up", signUp, map[string]outcome{
			nobody:  {subjectActivation, []string{"GetProfileByEmail", "Cognito.SignUp", "CreateProfile", "PushPasswordHistory", "PauseMail", "PutLink", "Send"}},
			pending: {subjectActivation, withLink},
			active:  {subjectExists, lookupPauseSend},
		}},
		{"resend activation", resend, map[string]outcome{
			nobody:  {subjectNoAccount, lookupPauseSend},
			pending: {subjectActivation, withLink},
			active:  {subjectExists, lookupPauseSend},
		}},
		{"forgot password", forgot, map[string]outcome{
			nobody:  {subjectNoAccount, lookupPauseSend},
			pending: {subjectReset, withLink},
			active:  {subjectReset, withLink},
		}},
	}
	for _, c := range cases {
		t.Run(c.form, func(t *testing.T) {
			w := newLinkWorld(t) // active: ann@example.com
			w.activate()
			ctx := context.Background()
			if _, err := w.svc.SignUp(ctx, SignUpRequest{FullName: "Pat", Email: pending, Password: first, PasswordConfirmation: first, AcceptTerms: true}); err != nil {
				t.Fatal(err)
			}
			w.clock = w.clock.Add(2 * linkMailPause)
			tr := &trace{}
			traced := NewService(w.svc.cfg, tracedStore{w.store, tr}, tracedStore{w.store, tr}, w.store, tracedIdentity{w.idp, tr}, tracedMail{w.mail, tr})
			traced.Now = w.svc.Now
			traced.Vault, traced.HistoryMAC = w.svc.Vault, w.svc.HistoryMAC
			var answers []string
			for _, email := range []string{nobody, pending, active} {
				tr.calls = nil
				sent := len(w.mail.sent)
				resp, err := c.call(traced, email)
				if err != nil {
					t.Fatalf("%s: %v", email, err)
				}
				answers = append(answers, fmt.Sprintf("%+v", resp))
				want := c.want[email]
				if !slices.Equal(tr.calls, want.calls) {
					t.Fatalf("%s: calls %v, want %v", email, tr.calls, want.calls)
				}
				if got := w.mail.sent[sent:]; len(got) != 1 || got[0].To != email || got[0].Subject != want.subject {
					t.Fatalf("%s: mails %+v, want one %q", email, got, want.subject)
				}
				// Within the pause: the same answer, no mail.
				again, err := c.call(traced, email)
				if err != nil || fmt.Sprintf("%+v", again) != answers[len(answers)-1] {
					t.Fatalf("%s again: %+v, %v", email, again, err)
				}
				if n := len(w.mail.sent) - sent; n != 1 {
					t.Fatalf("%s: %d mails after a second request within the pause, want 1", email, n)
				}
			}
			// The answers differ only by the address they repeat (sign-up names it).
			for i, email := range []string{nobody, pending, active} {
				if want := strings.ReplaceAll(answers[0], nobody, email); answers[i] != want {
					t.Fatalf("answer for %s:\n%s\nwant\n%s", email, answers[i], want)
				}
			}
		})
	}
}

// BenchmarkSignUpAnswer times a sign-up's answer for a new address and for one that has
// an account, over in-memory stores: both pay the bcrypt of the password, which is nearly
// all of the service's own time, so the two are comparable (the stores and Cognito, here
// instant, add a new account's sign-up and profile write).
func BenchmarkSignUpAnswer(b *testing.B) {
	w := newLinkWorld(b)
	ctx := context.Background()
	signUp := func(email string) {
		if _, err := w.svc.SignUp(ctx, SignUpRequest{FullName: "Eve", Email: email, Password: stolen, PasswordConfirmation: stolen, AcceptTerms: true}); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("new address", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			signUp(fmt.Sprintf("new-%d@example.com", i))
		}
	})
	b.Run("address with an account", func(b *testing.B) {
		for b.Loop() {
			signUp(w.email)
		}
	})
}
