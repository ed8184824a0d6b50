package org

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bank/devportal/shared/platform/apperr"
	"github.com/bank/devportal/shared/trust/eidas"
	"github.com/bank/devportal/shared/trust/revocation"
)

// RevocationChecker finds out whether a certificate's CA revoked it (revocation.Checker).
type RevocationChecker interface {
	Check(ctx context.Context, cert, issuer *x509.Certificate) (revocation.Status, error)
}

// The rules a revocation check reports on a certificate's field.
const (
	// RuleRevoked is a certificate its CA revoked.
	RuleRevoked = "revoked"
	// RuleRevocationUnavailable is a production certificate whose revocation status could
	// not be found out: production fails closed.
	RuleRevocationUnavailable = "revocationUnavailable"
)

// For is the pool of CAs trusted in env.
func (t Trust) For(env Environment) *x509.CertPool { return t.of(string(env)) }

// RevocationField checks c against its CA's CRLs and OCSP responder and returns the field
// error that refuses it, or nil. label names the certificate in the message ("your
// QWAC", "this certificate"). A certificate whose status cannot be found out is refused in
// production (fail closed, and the message says so) and accepted in the sandbox, with a
// warning in the log; other failures are errors.
func RevocationField(ctx context.Context, checker RevocationChecker, field, label string, c *eidas.Certificate, issuer *x509.Certificate, env Environment) (*apperr.FieldError, error) {
	if checker == nil || c == nil || c.X509 == nil {
		return nil, nil
	}
	st, err := checker.Check(ctx, c.X509, issuer)
	var unavailable *revocation.Unavailable
	switch {
	case err == nil && st.Revoked:
		fe := apperr.Field(field, RuleRevoked, fmt.Sprintf("%s was revoked by its certificate authority on %s (UTC), reason: %s. Use a certificate that is not revoked.",
			capitalize(label), st.RevokedAt.UTC().Format(time.DateOnly), st.Reason))
		return &fe, nil
	case err == nil:
		return nil, nil
	case errors.As(err, &unavailable) && env != Production:
		slog.WarnContext(ctx, "certificate revocation status unavailable; accepted in the sandbox", "field", field,
			"fingerprint", c.SHA256Fingerprint, "error", err.Error())
		return nil, nil
	case errors.As(err, &unavailable):
		fe := apperr.Field(field, RuleRevocationUnavailable, fmt.Sprintf("We could not check whether %s is revoked: %s. "+
			"Production fails closed: a certificate whose revocation status cannot be checked is refused. Try again later; "+
			"if it keeps failing, ask the certificate authority why its CRL or OCSP responder cannot be reached.",
			label, unavailableDetail(unavailable)))
		return &fe, nil
	}
	return nil, apperr.Wrap(err, "check revocation")
}

// unavailableDetail says what went wrong with each source, for the user.
func unavailableDetail(u *revocation.Unavailable) string {
	parts := make([]string, len(u.Sources))
	for i := range u.Sources {
		parts[i] = "its CRL or OCSP responder at " + u.Sources[i] + " failed (" + u.Reasons[i] + ")"
	}
	return strings.Join(parts, "; ")
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// checkRevocations checks the onboarding certificates that passed every other rule, both
// at once (each check may wait for a CA), and appends the field errors of those revoked
// or, in production, of unknown status.
func (s *Service) checkRevocations(ctx context.Context, errs []apperr.FieldError, env Environment, certs map[string]*eidas.Certificate) ([]apperr.FieldError, error) {
	if s.revocation == nil {
		return errs, nil
	}
	failed := map[string]bool{}
	for _, e := range errs {
		failed[e.Field] = true
	}
	fields := []string{eidas.FieldQWAC, eidas.FieldQSealC}
	labels := map[string]string{eidas.FieldQWAC: "your QWAC", eidas.FieldQSealC: "your QSealC"}
	results := make([]*apperr.FieldError, len(fields))
	problems := make([]error, len(fields))
	var wg sync.WaitGroup
	for i, f := range fields {
		c := certs[f]
		if c == nil || failed[f] {
			continue
		}
		wg.Go(func() {
			results[i], problems[i] = RevocationField(ctx, s.revocation, f, labels[f], c, eidas.IssuerOf(c, s.roots.For(env), s.Now()), env)
		})
	}
	wg.Wait()
	if err := errors.Join(problems...); err != nil {
		return nil, err
	}
	for _, fe := range results {
		if fe != nil {
			errs = append(errs, *fe)
		}
	}
	return errs, nil
}
