package account

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/platform/config"
)

// Hand-written fakes: each embeds its interface (nil), so a call a test did not expect
// panics instead of passing unnoticed.
type fakeProfiles struct {
	Profiles
	stored map[string]Profile
}

func (f *fakeProfiles) GetProfileByEmail(_ context.Context, email string) (Profile, error) {
	for _, p := range f.stored {
		if p.Email == email {
			return p, nil
		}
	}
	return Profile{}, apperr.ErrNotFound
}

func (f *fakeProfiles) CreateProfile(_ context.Context, p Profile) error {
	f.stored[p.UserID] = p
	return nil
}

func (f *fakeProfiles) UpdateProfile(_ context.Context, userID string, change func(*Profile) error) (Profile, error) {
	p := f.stored[userID]
	if err := change(&p); err != nil {
		return Profile{}, err
	}
	f.stored[userID] = p
	return p, nil
}

type fakeLinks struct{ Links }

func (fakeLinks) PutLink(context.Context, Link) error { return nil }

func (fakeLinks) PauseMail(context.Context, string, LinkKind, time.Time, time.Duration) (bool, error) {
	return true, nil
}

type fakeSessions struct{ Sessions }

func (fakeSessions) SaveSession(context.Context, Session) error { return nil }

type fakeMailer struct{ sent []Mail }

func (f *fakeMailer) Send(_ context.Context, m Mail) error {
	f.sent = append(f.sent, m)
	return nil
}

func newTestService(profiles ...Profile) (*Service, *fakeProfiles, *fakeIdentity) {
	p := &fakeProfiles{stored: map[string]Profile{}}
	for _, x := range profiles {
		p.stored[x.UserID] = x
	}
	idp := newFakeIdentity()
	cfg := config.Config{PortalURL: "https://portal.example", ActivationTTL: 72 * time.Hour, Password: config.PasswordPolicy{MinLength: 12, MaxAgeDays: 730}}
	s := NewService(cfg, p, fakeLinks{}, fakeSessions{}, idp, &fakeMailer{})
	s.Vault, s.HistoryMAC = testKeys{}, testKeys{}
	s.Now = func() time.Time { return time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC) }
	return s, p, idp
}

// fullNameRefused is the exact error of a refused full name.
func fullNameRefused(message string) error {
	return apperr.Fields(apperr.Field("fullName", "singleline", message))
}

func refusedCharacter(what, code string) string {
	return "Contains " + what + " (U+" + code + "); use one line of plain text without control, invisible or direction-changing characters."
}

// nameCases are the full names both sign-up and the name form are tried with: what is
// stored, or the exact error (and then nothing changes).
var nameCases = []struct {
	name, in, stored string
	err              error
}{
	{"plain", "Sam Example", "Sam Example", nil},
	{"spaces around", "  Sam Example\u00a0", "Sam Example", nil},
	{"decomposed accent becomes composed", "Zoe\u0308 Mu\u0308ller", "Zoë Müller", nil},
	{"length counts composed characters", strings.Repeat("e\u0301", 100), strings.Repeat("é", 100), nil},
	{"too long once composed", strings.Repeat("e\u0301", 101), "", apperr.Fields(apperr.Field("fullName", "max", "Use at most 100 characters; this has 101."))},
	{"right-to-left override", "Sam \u202eelpmaxE", "", fullNameRefused(refusedCharacter("a direction-changing character", "202E"))},
	{"right-to-left isolate", "Sam \u2067Example", "", fullNameRefused(refusedCharacter("a direction-changing character", "2067"))},
	{"zero-width space", "Sam\u200bExample", "", fullNameRefused(refusedCharacter("a zero-width character", "200B"))},
	{"byte order mark", "\ufeffSam Example", "", fullNameRefused(refusedCharacter("a zero-width character", "FEFF"))},
	{"line separator", "Sam\u2028Example", "", fullNameRefused(refusedCharacter("a line or paragraph separator", "2028"))},
	{"trailing newline is refused, not trimmed", "Sam Example\n", "", fullNameRefused(refusedCharacter("a line break", "000A"))},
	{"escape character", "Sam \x1b[31mExample", "", fullNameRefused(refusedCharacter("a control character", "001B"))},
	{"empty once trimmed", " \u3000 ", "", apperr.Fields(apperr.Field("fullName", "required", "This field is required."))},
}

// TestSignUpNormalisesName proves a sign-up stores (and gives Cognito) the name in NFC
// and the email in its one normal form, or refuses it with the exact error and creates
// nothing.
func TestSignUpNormalisesName(t *testing.T) {
	for _, c := range nameCases {
		t.Run(c.name, func(t *testing.T) {
			s, profiles, idp := newTestService()
			_, err := s.SignUp(context.Background(), SignUpRequest{FullName: c.in, Email: "  Sam.Example@Example.COM ",
				Password: "Str0ng!Passw0rd", PasswordConfirmation: "Str0ng!Passw0rd", AcceptTerms: true})
			if !reflect.DeepEqual(err, c.err) {
				t.Fatalf("err = %#v\nwant %#v", err, c.err)
			}
			if c.err != nil {
				if len(profiles.stored) != 0 || len(idp.names) != 0 {
					t.Fatalf("a refused sign-up left %v at Cognito and %v stored", idp.names, profiles.stored)
				}
				return
			}
			const email = "sam.example@example.com"
			p := profiles.stored["id-"+email]
			if p.FullName != c.stored || p.Email != email || idp.names[email] != c.stored {
				t.Fatalf("stored %q <%s>, Cognito %q; want %q <%s>", p.FullName, p.Email, idp.names[email], c.stored, email)
			}
		})
	}
}

// TestUpdateAccountNormalisesName proves the name form stores the name in NFC, in the
// profile and at Cognito, or refuses it with the exact error and changes nothing.
func TestUpdateAccountNormalisesName(t *testing.T) {
	const before = "Sam Before"
	for _, c := range nameCases {
		t.Run(c.name, func(t *testing.T) {
			s, profiles, idp := newTestService(Profile{UserID: "u1", Email: "sam@example.com", FullName: before, Status: StatusActive})
			view, err := s.UpdateAccount(context.Background(), Session{UserID: "u1", Email: "sam@example.com"}, UpdateAccountRequest{FullName: c.in})
			if !reflect.DeepEqual(err, c.err) {
				t.Fatalf("err = %#v\nwant %#v", err, c.err)
			}
			want, cognito := c.stored, c.stored
			if c.err != nil {
				want, cognito = before, ""
			}
			if got := profiles.stored["u1"].FullName; got != want || idp.names["sam@example.com"] != cognito || (c.err == nil && view.FullName != want) {
				t.Fatalf("stored %q, Cognito %q, shown %q; want %q", got, idp.names["sam@example.com"], view.FullName, want)
			}
		})
	}
}
