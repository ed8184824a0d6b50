package testenv

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"strings"
	"time"
)

// TOTP is the code an authenticator app shows at t for the base32 secret Cognito gave at
// enrolment (RFC 6238: HMAC-SHA-1, 30-second steps, six digits), so that tests sign in
// as a person with the app would, against moto or a real user pool alike.
func TOTP(secret string, t time.Time) (string, error) {
	s := strings.ToUpper(strings.ReplaceAll(secret, " ", ""))
	if pad := len(s) % 8; pad != 0 {
		s += strings.Repeat("=", 8-pad)
	}
	key, err := base32.StdEncoding.DecodeString(s)
	if err != nil {
		return "", fmt.Errorf("testenv: TOTP secret: %w", err)
	}
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(t.Unix()/30))
	mac := hmac.New(sha1.New, key)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	n := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", n%1_000_000), nil
}

// TOTPFor is the code of secret now, for a step that lasts at least use more: when the
// current 30-second step ends sooner, it waits for the next one. moto checks a code
// against the current step only (Cognito also takes the steps next to it), so a code must
// not change between the test computing it and moto checking it.
func TOTPFor(secret string, use time.Duration) (string, error) {
	now := time.Now()
	left := 30*time.Second - time.Duration(now.UnixNano()%int64(30*time.Second))
	if left < use {
		time.Sleep(left + 100*time.Millisecond)
		now = time.Now()
	}
	return TOTP(secret, now)
}

// WrongTOTP is a six-digit code that is not the code of secret at t, nor of the steps
// next to it (which Cognito may accept for clock drift).
func WrongTOTP(secret string, t time.Time) (string, error) {
	taken := map[string]bool{}
	for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
		c, err := TOTP(secret, t.Add(d))
		if err != nil {
			return "", err
		}
		taken[c] = true
	}
	for _, c := range []string{"000000", "111111", "222222", "333333"} {
		if !taken[c] {
			return c, nil
		}
	}
	return "444444", nil
}
