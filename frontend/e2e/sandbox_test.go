package e2e

import (
	"strings"
	"testing"
)

// formatIBAN is the page's IBAN in groups of four (frontend/src/lib/format.ts).
func formatIBAN(iban string) string {
	var b strings.Builder
	for i, r := range iban {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// TestSandboxCustomersJourney: a signed-in developer opens "Sandbox customers" from the
// documentation index and finds whom to sign in as at the bank: a customer of the bank the stack
// loaded, with the sign-in values and the IBAN of each account in groups of four, served
// by the TPP area's route on the portal's origin.
func TestSandboxCustomersJourney(t *testing.T) {
	t.Parallel()
	p := newPage(t)
	bank := suite.stack.Bank
	u := newUser("sandbox-customers")
	p.signUp(u)
	p.activate(u)
	p.signIn(u.email, u.password)
	p.expectAccountPage(u)

	const login = "anna.schmidt"
	var customerID string
	for _, c := range bank.Customers {
		if c.Login == login {
			customerID = c.ID
		}
	}
	var ibans []string
	for _, a := range bank.Accounts {
		if a.CustomerID == customerID && a.IBAN != "" {
			ibans = append(ibans, a.ResourceID+" "+a.IBAN)
		}
	}
	if customerID == "" || len(ibans) == 0 {
		t.Fatalf("the stack's bank has no customer %s with an IBAN", login)
	}

	p.click(`nav a[href="/docs"]`)
	p.waitPath("/docs")
	p.click(`#docs-index a[href="/sandbox/customers"]`)
	p.waitPath("/sandbox/customers")
	p.expectText("#customer-anna-schmidt-login", login)
	p.expectText("#customer-anna-schmidt-password", "sandbox")
	p.expectText("#customer-anna-schmidt-otp", "123456")
	for _, ri := range ibans {
		id, iban, _ := strings.Cut(ri, " ")
		p.expectText(`#customer-anna-schmidt-accounts tr[data-resource-id="`+id+`"] code.iban`, formatIBAN(iban))
	}
	// The seed's first customer, as generated from the default seed and date.
	if bank.Seed == 1 && bank.Date == "2026-11-30" {
		p.expectText(`#customer-anna-schmidt-accounts tbody tr:first-child code.iban`, "BE68 9681 0079 1934")
	}
	// Whom to sign in as for the second signature of a two-signatory business account.
	p.expectText("#customer-tom-claes-cosigner", "Co-signer of atelier.claes: signs in as tom.claes to give the second signature their payments need.")
}
