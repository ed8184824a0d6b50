package account

import (
	"fmt"
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

func TestPasswordHistoryHashes(t *testing.T) {
	h, err := hashForHistory("Str0ng!Passw0rd")
	if err != nil {
		t.Fatal(err)
	}
	if h == "Str0ng!Passw0rd" || !inHistory("Str0ng!Passw0rd", []string{"junk", h}) || inHistory("Other!Passw0rd1", []string{h}) {
		t.Fatalf("history check wrong for hash %q", h)
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
