package testenv

import (
	"encoding/base32"
	"testing"
	"time"
)

// The RFC 6238 appendix B vectors for SHA-1 (its 8-digit codes, last six digits).
func TestTOTP(t *testing.T) {
	secret := base32.StdEncoding.EncodeToString([]byte("12345678901234567890"))
	for _, c := range []struct {
		unix int64
		want string
	}{{59, "287082"}, {1111111109, "081804"}, {1111111111, "050471"}, {1234567890, "005924"}, {2000000000, "279037"}, {20000000000, "353130"}} {
		got, err := TOTP(secret, time.Unix(c.unix, 0))
		if err != nil || got != c.want {
			t.Errorf("TOTP at %d = %q, %v; want %q", c.unix, got, err, c.want)
		}
	}
	wrong, err := WrongTOTP(secret, time.Unix(59, 0))
	if err != nil || wrong == "287082" || len(wrong) != 6 {
		t.Errorf("WrongTOTP = %q, %v", wrong, err)
	}
}
