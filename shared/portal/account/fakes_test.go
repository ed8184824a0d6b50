package account

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"regexp"
	"sync"
	"time"

	"github.com/bank/devportal/shared/platform/apperr"
)

// memStore keeps profiles, links and sessions in memory, with the conditions the DynamoDB
// store writes under: a link is spent only while it passes Link.Refusal, and a password
// change only from the credential version it was decided on.
type memStore struct {
	mu       sync.Mutex
	profiles map[string]Profile
	history  map[string][]string
	links    map[string]Link
	sessions map[string]Session
	// pauses are the ends of the mail pauses, by address and kind.
	pauses map[string]time.Time
}

var (
	_ Profiles = (*memStore)(nil)
	_ Links    = (*memStore)(nil)
	_ Sessions = (*memStore)(nil)
)

func newMemStore() *memStore {
	return &memStore{profiles: map[string]Profile{}, history: map[string][]string{}, links: map[string]Link{}, sessions: map[string]Session{}, pauses: map[string]time.Time{}}
}

var errNotFound = apperr.New(apperr.NotFound, "NOT_FOUND", "Not found.")

func (m *memStore) CreateProfile(_ context.Context, p Profile) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, q := range m.profiles {
		if q.Email == p.Email {
			return ErrEmailTaken
		}
	}
	m.profiles[p.UserID] = p
	return nil
}

func (m *memStore) GetProfile(_ context.Context, userID string) (Profile, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.profiles[userID]
	if !ok {
		return Profile{}, errNotFound
	}
	return p, nil
}

func (m *memStore) GetProfileByEmail(_ context.Context, email string) (Profile, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, p := range m.profiles {
		if p.Email == email {
			return p, nil
		}
	}
	return Profile{}, errNotFound
}

func (m *memStore) UpdateProfile(_ context.Context, userID string, change func(*Profile) error) (Profile, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.profiles[userID]
	if !ok {
		return Profile{}, errNotFound
	}
	email, credentials := p.Email, p.CredentialVersion
	if err := change(&p); err != nil {
		return Profile{}, err
	}
	p.Email, p.CredentialVersion = email, credentials
	m.profiles[userID] = p
	return p, nil
}

func (m *memStore) DeleteProfile(_ context.Context, userID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.profiles, userID)
	return nil
}

func (m *memStore) ListProfiles(context.Context, string, int) ([]Profile, string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Profile
	for _, p := range m.profiles {
		out = append(out, p)
	}
	return out, "", nil
}

func (m *memStore) PasswordHistory(_ context.Context, userID string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.history[userID], nil
}

func (m *memStore) PushPasswordHistory(_ context.Context, userID, hash string, keep int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	h := append([]string{hash}, m.history[userID]...)
	m.history[userID] = h[:min(len(h), keep)]
	return nil
}

func (m *memStore) RecordPasswordChange(_ context.Context, userID string, c PasswordChange) (Profile, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.profiles[userID]
	if !ok || p.CredentialVersion != c.From {
		return Profile{}, apperr.New(apperr.Conflict, "CONCURRENT_UPDATE", "changed meanwhile")
	}
	p.CredentialVersion, p.PasswordChangedAt, p.ExpiryWarnedDays = c.From+1, c.At, 0
	m.profiles[userID] = p
	if c.HistoryHash != "" && c.Keep > 0 {
		h := append([]string{c.HistoryHash}, m.history[userID]...)
		m.history[userID] = h[:min(len(h), c.Keep)]
	}
	return p, nil
}

func (m *memStore) PutLink(_ context.Context, l Link) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.links[l.TokenHash] = l
	return nil
}

// check is the store's rule: the link as stored, its owner as stored, Link.Refusal.
func (m *memStore) check(tokenHash string, kind LinkKind, now time.Time) (Link, error) {
	l, ok := m.links[tokenHash]
	if !ok {
		return Link{}, ErrLinkInvalid
	}
	var owner *Profile
	if p, ok := m.profiles[l.UserID]; ok {
		owner = &p
	}
	return l, l.Refusal(kind, owner, now)
}

func (m *memStore) GetLink(_ context.Context, tokenHash string, kind LinkKind, now time.Time) (Link, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l, err := m.check(tokenHash, kind, now)
	if err != nil {
		return Link{}, err
	}
	return l, nil
}

func (m *memStore) UseLink(_ context.Context, tokenHash string, kind LinkKind, now time.Time) (Link, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l, err := m.check(tokenHash, kind, now)
	if err != nil {
		return Link{}, err
	}
	l.UsedAt = now
	m.links[tokenHash] = l
	return l, nil
}

func (m *memStore) ReleaseLink(_ context.Context, tokenHash string, usedAt time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	l := m.links[tokenHash]
	if !l.UsedAt.Equal(usedAt) {
		return apperr.New(apperr.Conflict, "NOT_THIS_USE", "used again since")
	}
	l.UsedAt = time.Time{}
	m.links[tokenHash] = l
	return nil
}

func (m *memStore) PauseMail(_ context.Context, email string, kind LinkKind, now time.Time, pause time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	key := email + "|" + string(kind)
	if until, ok := m.pauses[key]; ok && now.Before(until) {
		return false, nil
	}
	m.pauses[key] = now.Add(pause)
	return true, nil
}

func (m *memStore) PutSession(_ context.Context, s Session) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sessions[s.IDHash] = s
	return nil
}

func (m *memStore) SaveSession(_ context.Context, s Session) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.sessions[s.IDHash]; !ok {
		return errNotFound
	}
	m.sessions[s.IDHash] = s
	return nil
}

func (m *memStore) GetSession(_ context.Context, idHash string, now time.Time) (Session, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.sessions[idHash]
	if !ok || !now.Before(s.ExpiresAt) {
		return Session{}, errNotFound
	}
	return s, nil
}

func (m *memStore) DeleteSession(_ context.Context, idHash string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.sessions, idHash)
	return nil
}

func (m *memStore) DeleteUserSessions(_ context.Context, userID, exceptHash string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for h, s := range m.sessions {
		if s.UserID == userID && h != exceptHash {
			delete(m.sessions, h)
		}
	}
	return nil
}

// fakeIdentity is Cognito: users by email with their password; an access token is the
// email it was issued to. setPasswordErr makes the next SetPassword fail.
type fakeIdentity struct {
	mu             sync.Mutex
	passwords      map[string]string
	confirmed      map[string]bool
	setPasswordErr error
	// names are the names Cognito was given, by email.
	names map[string]string
}

var _ Identity = (*fakeIdentity)(nil)

func newFakeIdentity() *fakeIdentity {
	return &fakeIdentity{passwords: map[string]string{}, confirmed: map[string]bool{}, names: map[string]string{}}
}

func (f *fakeIdentity) SignUp(_ context.Context, email, password, fullName string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.passwords[email]; ok {
		return "", ErrEmailTaken
	}
	f.passwords[email] = password
	f.names[email] = fullName
	return "id-" + email, nil
}

func (f *fakeIdentity) Confirm(_ context.Context, email string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.confirmed[email] = true
	return nil
}

func (f *fakeIdentity) Delete(_ context.Context, email string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.passwords, email)
	return nil
}

func (f *fakeIdentity) Login(_ context.Context, email, password string) (Tokens, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if p, ok := f.passwords[email]; !ok || p != password {
		return Tokens{}, ErrBadCredentials
	}
	if !f.confirmed[email] {
		return Tokens{}, ErrNotActivated
	}
	return Tokens{UserID: "id-" + email, Email: email, AccessToken: email, RefreshToken: "refresh-" + email, ExpiresAt: time.Now().Add(time.Hour)}, nil
}

func (f *fakeIdentity) Refresh(context.Context, string) (Tokens, error) {
	return Tokens{}, ErrUnauthenticated
}

func (f *fakeIdentity) RevokeToken(context.Context, string) error { return nil }

func (f *fakeIdentity) SignOutEverywhere(context.Context, string) error { return nil }

func (f *fakeIdentity) DeleteIfUnconfirmed(context.Context, string) (bool, error) { return false, nil }

func (f *fakeIdentity) ChangePassword(_ context.Context, accessToken, current, next string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.passwords[accessToken] != current {
		return ErrBadCredentials
	}
	f.passwords[accessToken] = next
	return nil
}

func (f *fakeIdentity) SetPassword(_ context.Context, email, password string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.setPasswordErr; err != nil {
		f.setPasswordErr = nil
		return err
	}
	f.passwords[email] = password
	return nil
}

func (f *fakeIdentity) UpdateName(_ context.Context, email, fullName string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.names[email] = fullName
	return nil
}

// outbox keeps the mails sent.
type outbox struct {
	mu   sync.Mutex
	sent []Mail
}

func (o *outbox) Send(_ context.Context, m Mail) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sent = append(o.sent, m)
	return nil
}

var tokenInMail = regexp.MustCompile(`token=([A-Za-z0-9_-]+)`)

// lastToken returns the token of the newest mail whose subject is subject.
func (o *outbox) lastToken(subject string) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	for i := len(o.sent) - 1; i >= 0; i-- {
		if m := o.sent[i]; m.Subject == subject {
			if t := tokenInMail.FindStringSubmatch(m.Text); t != nil {
				return t[1]
			}
		}
	}
	return ""
}

// testKeys stand in for the KMS account keys in the unit tests (the kmskeys tests run the
// real ones on moto): an HMAC under a fixed key, and tokens "sealed" as JSON bound to
// their user, which a test of another user's session can tell apart.
type testKeys struct{}

func (testKeys) MAC(_ context.Context, userID, password string) ([]byte, error) {
	m := hmac.New(sha256.New, []byte("unit-test-key"))
	m.Write([]byte(userID + "\x00" + password))
	return m.Sum(nil), nil
}

func (testKeys) Seal(_ context.Context, userID string, t SessionTokens) ([]byte, error) {
	return json.Marshal(struct {
		User string
		T    SessionTokens
	}{userID, t})
}

func (testKeys) Open(_ context.Context, userID string, sealed []byte) (SessionTokens, error) {
	var v struct {
		User string
		T    SessionTokens
	}
	if err := json.Unmarshal(sealed, &v); err != nil || v.User != userID {
		return SessionTokens{}, errors.New("sealed for another user")
	}
	return v.T, nil
}
