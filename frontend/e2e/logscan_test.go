package e2e

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/bank/devportal/shared/portal/portalapi"
)

// linkTokenRE finds an emailed link's token, which links carry in their fragment.
var linkTokenRE = regexp.MustCompile(`#token=([A-Za-z0-9_-]+)`)

// scanLogForSecrets reads the portal's log after every journey has run and refuses it if
// it holds a secret the journeys handled: a link token from any email the stack sent, or
// a password the journeys typed. A log (the access log deployed, the request log here) is
// read by more people than the mailbox, so a token in it would open accounts.
func scanLogForSecrets(logPath, motoEndpoint string) error {
	logged, err := os.ReadFile(logPath)
	if err != nil {
		return err
	}
	log := string(logged)
	// A scan of an empty log would prove nothing: the journeys' requests must be in it.
	if !strings.Contains(log, `"path":"/api/auth/activate"`) || !strings.Contains(log, `"path":"/api/invitations/lookup"`) {
		return errors.New("the portal log has no request lines for activation and invitation lookup: is request logging on?")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	mails, err := portalapi.MotoMailbox{Endpoint: motoEndpoint}.Messages(ctx)
	if err != nil {
		return err
	}
	secrets := map[string]string{
		passwordFirst: "a password", passwordSecond: "a password", passwordThird: "a password",
	}
	for _, m := range mails {
		if strings.Contains(m.Body, "?token=") {
			return fmt.Errorf("the email %q carries a token in a query string, which servers log", m.Subject)
		}
		for _, match := range linkTokenRE.FindAllStringSubmatch(m.Body, -1) {
			secrets[match[1]] = fmt.Sprintf("the token of the email %q", m.Subject)
		}
	}
	if len(secrets) < 10 {
		return fmt.Errorf("only %d secrets to look for: the journeys' emails are missing", len(secrets))
	}
	var found []string
	for secret, what := range secrets {
		if strings.Contains(log, secret) {
			found = append(found, what)
		}
	}
	if len(found) > 0 {
		return fmt.Errorf("the portal log holds %s", strings.Join(found, ", "))
	}
	fmt.Fprintf(os.Stderr, "log scan: %d tokens and passwords, none in %d bytes of log\n", len(secrets), len(logged))
	return nil
}

// fullRun is whether every test of the binary ran (no -run or -skip narrowed them).
func fullRun() bool {
	for _, name := range []string{"test.run", "test.skip"} {
		if f := flag.Lookup(name); f != nil && f.Value.String() != "" {
			return false
		}
	}
	return true
}
