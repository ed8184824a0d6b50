package account

import (
	"context"
	"encoding/base64"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/platform/config"
)

// fakeTOTP is Cognito's authenticator-app factor over fakeIdentity: the code of every app
// is "246810"; a user with the app on is answered a challenge "challenge-<email>" at
// sign-in instead of tokens.
type fakeTOTP struct {
	*fakeIdentity
	mu sync.Mutex
	// associated and on are by access token (the email).
	associated, on map[string]bool
}

const rightCode = "246810"

func newFakeTOTP() *fakeTOTP {
	return &fakeTOTP{fakeIdentity: newFakeIdentity(), associated: map[string]bool{}, on: map[string]bool{}}
}

func (f *fakeTOTP) Login(ctx context.Context, email, password string) (Tokens, error) {
	tok, err := f.fakeIdentity.Login(ctx, email, password)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err == nil && f.on[email] {
		return Tokens{Email: email, MFASession: "challenge-" + email}, nil
	}
	return tok, err
}

func (f *fakeTOTP) RespondTOTP(ctx context.Context, email, session, code string) (Tokens, error) {
	if session != "challenge-"+email {
		return Tokens{}, ErrMFAChallengeEnded
	}
	if code != rightCode {
		return Tokens{}, ErrMFACodeWrong
	}
	return Tokens{UserID: "id-" + email, Email: email, AccessToken: email, RefreshToken: "refresh-" + email, ExpiresAt: time.Now().Add(time.Hour)}, nil
}

func (f *fakeTOTP) AssociateTOTP(_ context.Context, accessToken string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.associated[accessToken] = true
	return "JBSWY3DPEHPK3PXP", nil
}

func (f *fakeTOTP) VerifyTOTP(_ context.Context, accessToken, code string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.associated[accessToken] || code != rightCode {
		return ErrMFACodeWrong
	}
	f.on[accessToken] = true
	return nil
}

func (f *fakeTOTP) SetTOTP(_ context.Context, accessToken string, enabled bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.on[accessToken] = enabled
	return nil
}

func (f *fakeTOTP) ResetTOTP(_ context.Context, email string) error { return nil }

var _ TOTPFactors = (*fakeTOTP)(nil)

// mfaWorld is an active account (and an operations one) over the fakes.
type mfaWorld struct {
	t     *testing.T
	svc   *Service
	store *memStore
	idp   *fakeTOTP
	mail  *outbox
}

func newMFAWorld(t *testing.T) *mfaWorld {
	w := newLinkWorld(t)
	w.activate()
	idp := newFakeTOTP()
	idp.fakeIdentity = w.idp
	w.svc.idp, w.svc.TOTP = idp, idp
	w.svc.cfg.OpsGroup = "ops"
	return &mfaWorld{t: t, svc: w.svc, store: w.store, idp: idp, mail: w.mail}
}

// session signs the account in with its password (and code, when asked) and returns the
// stored session.
func (w *mfaWorld) session(email string) Session {
	w.t.Helper()
	s, err := w.svc.Login(context.Background(), LoginRequest{Email: email, Password: first})
	if err == nil && s.Challenge != nil {
		s, err = w.svc.LoginMFA(context.Background(), LoginMFARequest{Email: email, Challenge: s.Challenge.Challenge, Code: rightCode})
	}
	if err != nil {
		w.t.Fatal(err)
	}
	sess, err := w.store.GetSession(context.Background(), HashToken(s.ID), w.svc.Now())
	if err != nil {
		w.t.Fatal(err)
	}
	return sess
}

func TestMFARequired(t *testing.T) {
	s := &Service{cfg: config.Config{OpsGroup: "ops"}}
	for _, c := range []struct {
		groups []string
		mfa    bool
		want   bool
	}{
		{nil, false, false},
		{nil, true, false},
		{[]string{"ops"}, false, true},
		{[]string{"ops"}, true, false},
		{[]string{"other"}, false, false},
	} {
		if got := s.MFARequired(Session{Groups: c.groups, MFA: c.mfa}); got != c.want {
			t.Errorf("MFARequired(groups %v, mfa %v) = %v, want %v", c.groups, c.mfa, got, c.want)
		}
	}
}

func TestOTPAuthURI(t *testing.T) {
	got := OTPAuthURI("Open Banking Developer Portal", "ann+test@example.com", "JBSWY3DPEHPK3PXP")
	want := "otpauth://totp/Open%20Banking%20Developer%20Portal:ann+test@example.com?algorithm=SHA1&digits=6&issuer=Open+Banking+Developer+Portal&period=30&secret=JBSWY3DPEHPK3PXP"
	if got != want {
		t.Errorf("OTPAuthURI = %s\nwant %s", got, want)
	}
}

func TestTwoStepSignInRules(t *testing.T) {
	w := newMFAWorld(t)
	ctx := context.Background()
	email := "ann@example.com"
	sess := w.session(email)
	if sess.MFA {
		t.Fatal("a password-only sign-in counts as two-step")
	}

	setup, err := w.svc.StartMFA(ctx, sess)
	if err != nil || setup.Secret != "JBSWY3DPEHPK3PXP" || setup.Account != email || setup.Issuer != TOTPIssuer {
		t.Fatalf("StartMFA = %+v, %v", setup, err)
	}
	for _, c := range []struct {
		code string
		want error
	}{
		{"12345", apperr.Fields(apperr.Field("code", "len", ""))},
		{"135791", ErrMFACodeWrong},
	} {
		_, err := w.svc.ConfirmMFA(ctx, sess, MFACodeRequest{Code: c.code})
		if !sameFields(err, c.want) {
			t.Errorf("ConfirmMFA(%q) = %v, want %v", c.code, err, c.want)
		}
	}
	view, err := w.svc.ConfirmMFA(ctx, sess, MFACodeRequest{Code: rightCode})
	if err != nil || !view.MFAEnabled || view.MFASetupRequired {
		t.Fatalf("ConfirmMFA = %+v, %v", view, err)
	}
	if _, err := w.svc.StartMFA(ctx, sess); !errors.Is(err, ErrMFAAlreadyEnabled) {
		t.Errorf("StartMFA with an app on = %v", err)
	}

	// The password now answers a challenge, and no session starts.
	started, err := w.svc.Login(ctx, LoginRequest{Email: email, Password: first})
	if err != nil || started.Challenge == nil || started.ID != "" {
		t.Fatalf("Login with the app on = %+v, %v", started, err)
	}
	challenge := started.Challenge.Challenge
	for _, c := range []struct {
		name string
		req  LoginMFARequest
		want error
	}{
		{"wrong code", LoginMFARequest{Email: email, Challenge: challenge, Code: "135791"}, ErrMFACodeWrong},
		{"another address", LoginMFARequest{Email: "bob@example.com", Challenge: challenge, Code: rightCode}, ErrMFAChallengeEnded},
		{"not base64", LoginMFARequest{Email: email, Challenge: "%%%", Code: rightCode}, ErrMFAChallengeEnded},
		{"sealed for another", LoginMFARequest{Email: email, Challenge: sealedFor(t, w.svc, "bob@example.com"), Code: rightCode}, ErrMFAChallengeEnded},
		{"no code", LoginMFARequest{Email: email, Challenge: challenge}, apperr.Fields(apperr.Field("code", "required", ""))},
	} {
		if _, err := w.svc.LoginMFA(ctx, c.req); !sameFields(err, c.want) {
			t.Errorf("%s: LoginMFA = %v, want %v", c.name, err, c.want)
		}
	}
	two := w.session(email)
	if !two.MFA {
		t.Fatal("a sign-in with the code does not count as two-step")
	}

	// Turning it off; operations staff may not.
	off, err := w.svc.DisableMFA(ctx, two)
	if err != nil || off.MFAEnabled {
		t.Fatalf("DisableMFA = %+v, %v", off, err)
	}
	if got := w.mail.sent[len(w.mail.sent)-1]; got.Subject != "Two-step sign-in was turned off" || got.To != email {
		t.Errorf("last mail = %q to %s", got.Subject, got.To)
	}
	two.Groups = []string{"ops"}
	if _, err := w.svc.DisableMFA(ctx, two); !errors.Is(err, ErrMFAKeptForOperations) {
		t.Errorf("DisableMFA of operations staff = %v", err)
	}
}

// sealedFor is a challenge handle sealed for another address.
func sealedFor(t *testing.T, s *Service, email string) string {
	t.Helper()
	ns, err := s.challenge(context.Background(), email, "challenge-"+email)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := base64.RawURLEncoding.DecodeString(ns.Challenge.Challenge); err != nil {
		t.Fatal(err)
	}
	return ns.Challenge.Challenge
}

// sameFields says whether err is want: the same code and kind and, for a field error, the
// same fields and rules.
func sameFields(err, want error) bool {
	var a, b *apperr.Error
	if !errors.As(err, &a) || !errors.As(want, &b) || a.Kind != b.Kind || a.Code != b.Code || len(a.Fields) != len(b.Fields) {
		return false
	}
	for i := range a.Fields {
		if a.Fields[i].Field != b.Fields[i].Field || a.Fields[i].Rule != b.Fields[i].Rule {
			return false
		}
	}
	return true
}
