package account

import (
	"context"
	"fmt"
	"time"

	"github.com/bank/devportal/shared/platform/apperr"
)

// attemptRule is a limit on the attempts of one public form, counted by account or by
// client address in fixed windows. Cognito locks an account after failed sign-ins; these
// keep scripts from trying many accounts, or flooding the forms, from one place.
type attemptRule struct {
	name   string
	limit  int
	window time.Duration
	// what is what was tried too often, as the refusal says it.
	what string
}

var (
	signInPerAccount = attemptRule{"sign-in/account", 10, 15 * time.Minute, "sign-in attempts for this account"}
	signInPerAddress = attemptRule{"sign-in/address", 50, 15 * time.Minute, "sign-in attempts from your network"}
	signUpPerAddress = attemptRule{"sign-up/address", 20, time.Hour, "sign-ups from your network"}
	forgotPerAddress = attemptRule{"forgot/address", 20, time.Hour, "password reset requests from your network"}
	resendPerAddress = attemptRule{"resend/address", 20, time.Hour, "activation link requests from your network"}
)

type clientAddressKey struct{}

// WithClientAddress is ctx carrying the address of the client a request came from, which
// the per-address limits count by.
func WithClientAddress(ctx context.Context, address string) context.Context {
	return context.WithValue(ctx, clientAddressKey{}, address)
}

func clientAddress(ctx context.Context) string {
	a, _ := ctx.Value(clientAddressKey{}).(string)
	return a
}

// attempt counts an attempt under rule by what it is counted by ("" counts nothing), or
// refuses it with 429 and when to try again.
func (s *Service) attempt(ctx context.Context, rule attemptRule, by string) error {
	if s.Attempts == nil || by == "" {
		return nil
	}
	ok, wait, err := s.Attempts.Attempt(ctx, rule.name+"/"+by, rule.limit, rule.window, s.Now())
	if err != nil {
		return err
	}
	if ok {
		return nil
	}
	e := apperr.New(apperr.TooManyRequests, "TOO_MANY_ATTEMPTS",
		fmt.Sprintf("Too many %s. Try again in %s.", rule.what, lifetime((wait+time.Minute-1).Truncate(time.Minute))))
	e.RetryAfter = wait
	return e
}

// attemptByAddress counts an attempt of a public form by the client's address.
func (s *Service) attemptByAddress(ctx context.Context, rule attemptRule) error {
	return s.attempt(ctx, rule, clientAddress(ctx))
}
