package account

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/bank/devportal/shared/platform/config"
)

func TestCheckPassword(t *testing.T) {
	policy := config.PasswordPolicy{MinLength: 12, MinUpper: 2, MinLower: 1, MinDigits: 2, MinSpecial: 1, MaxRepeated: 3}
	cases := []struct {
		password string
		rules    string
	}{
		{"ABcdef12!xyz", "[]"},
		{"ABcdef12!xy", "[minLength]"},
		{"Abcdef12!xyz", "[minUpper]"},
		{"ABCDEF12!XYZ", "[minLower]"},
		{"ABcdef1!xyzw", "[minDigits]"},
		{"ABcdef12xyzw", "[minSpecial]"},
		{"ABcdef12!xxxx", "[maxRepeated]"},
		{"ABcdef12!xxx", "[]"},
		{"ABcdéf12!xyz", "[characters]"},
		{"", "[minLength minUpper minLower minDigits minSpecial]"},
	}
	for _, c := range cases {
		t.Run(c.password, func(t *testing.T) {
			var rules []string
			for _, e := range CheckPassword("pw", c.password, policy) {
				if e.Field != "pw" || e.Message == "" {
					t.Fatalf("bad field error %+v", e)
				}
				rules = append(rules, e.Rule)
			}
			if got := fmt.Sprint(rules); got != c.rules && !(got == "[]" && c.rules == "[]") {
				t.Fatalf("rules = %s, want %s", got, c.rules)
			}
		})
	}
}

// TestPasswordMessages: each rule's message counts in words that agree with the number.
func TestPasswordMessages(t *testing.T) {
	cases := []struct {
		name   string
		policy config.PasswordPolicy
		want   []string
	}{
		{"ones", config.PasswordPolicy{MinLength: 1, MinUpper: 1, MinLower: 1, MinDigits: 1, MinSpecial: 1}, []string{
			"Use at least 1 character.", "Use at least 1 upper-case letter (A–Z).", "Use at least 1 lower-case letter (a–z).",
			"Use at least 1 digit (0–9).", "Use at least 1 special character, such as ! @ # $ % & *."}},
		{"several", config.PasswordPolicy{MinLength: 12, MinUpper: 2, MinLower: 3, MinDigits: 4, MinSpecial: 5}, []string{
			"Use at least 12 characters.", "Use at least 2 upper-case letters (A–Z).", "Use at least 3 lower-case letters (a–z).",
			"Use at least 4 digits (0–9).", "Use at least 5 special characters, such as ! @ # $ % & *."}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, e := range CheckPassword("pw", "", c.policy) {
				got = append(got, e.Message)
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Fatalf("messages\n got %q\nwant %q", got, c.want)
			}
		})
	}
	for n, want := range map[int]string{1: "once", 2: "twice", 3: "3 times"} {
		p := config.PasswordPolicy{MaxRepeated: n}
		errs := CheckPassword("pw", "aaaaa", p)
		if len(errs) != 1 || errs[0].Message != "Do not repeat the same character more than "+want+" in a row." {
			t.Fatalf("max repeated %d: %+v", n, errs)
		}
	}
}

func TestPasswordHistoryHashes(t *testing.T) {
	s := &Service{cfg: config.Config{Password: config.PasswordPolicy{HistorySize: 5}}, HistoryMAC: testKeys{}}
	ctx := context.Background()
	h, err := s.historyHash(ctx, "u1", "Str0ng!Passw0rd")
	if err != nil {
		t.Fatal(err)
	}
	other, _ := s.historyHash(ctx, "u2", "Str0ng!Passw0rd")
	again, _ := s.historyHash(ctx, "u1", "Str0ng!Passw0rd")
	if h == "" || h == other || h != again || strings.Contains(h, "Str0ng") {
		t.Fatalf("MACs: %q for u1, %q again, %q for u2", h, again, other)
	}
	if !inHistory(h, []string{"junk", h}) || inHistory(h, []string{other, "junk"}) || inHistory(h, nil) {
		t.Fatalf("history check wrong for %q", h)
	}
	if _, err := (&Service{cfg: s.cfg}).historyHash(ctx, "u1", "Str0ng!Passw0rd"); err == nil {
		t.Fatal("a history without a MAC key must refuse, not keep passwords another way")
	}
}

func TestHashTokenAndNewToken(t *testing.T) {
	a, b := NewToken(), NewToken()
	if a == b || len(a) != 43 {
		t.Fatalf("tokens %q %q", a, b)
	}
	if HashToken("abc") != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Fatalf("HashToken is not SHA-256 hex")
	}
}
