package pisapi_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/bank/devportal/shared/tpp/notify"
	"github.com/bank/devportal/shared/tpp/payments"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
	"github.com/bank/devportal/shared/tpp/sca"
)

// signedBank is smallBank with a debtor account that needs two signatures: psu-1 ("one")
// holds it and psu-3 ("three", who holds acc-cosigner) co-signs it; psu-2 ("two") is no
// signatory of it.
func signedBank() sandboxbank.Bank {
	b := smallBank()
	b.Accounts[0].Signatories, b.Accounts[0].RequiredSignatures = []string{"psu-1", "psu-3"}, 2
	b.Customers = append(b.Customers, sandboxbank.Customer{ID: "psu-3", Login: "three", Password: sandboxbank.SandboxPassword, OTP: sandboxbank.SandboxOTP})
	b.Accounts = append(b.Accounts, account("acc-cosigner", "psu-3", iban(3003)))
	b.Ledgers = append(b.Ledgers, sandboxbank.Ledger{AccountID: "acc-cosigner", Currency: "EUR", Booked: 100, LastBookingDate: "2026-12-01"})
	return b
}

// embeddedSignature runs an embedded authorisation of the payment at path by the customer
// login to its end: the final answer's status and scaStatus (or error code).
func (j *journey) embeddedSignature(path, login string) (int, string) {
	j.t.Helper()
	psu := map[string]string{"TPP-Redirect-Preferred": "false", "PSU-ID": login}
	status, out, _ := j.do("POST", path+"/authorisations", psu, password)
	if status != 201 {
		return status, messages(out)
	}
	self := path + "/authorisations/" + fmt.Sprint(out["authorisationId"])
	if status, out, _ := j.do("PUT", self, nil, `{"authenticationMethodId":"sms"}`); status != 200 || out["scaStatus"] != "scaMethodSelected" {
		j.t.Fatalf("select the method: %d %v", status, out)
	}
	status, out, _ = j.do("PUT", self, nil, code)
	if status != 200 {
		return status, messages(out)
	}
	return status, fmt.Sprint(out["scaStatus"])
}

// paymentStatus reads the status endpoint: the status, the message and the link names.
func (j *journey) paymentStatus(path string) string {
	j.t.Helper()
	status, out, _ := j.do("GET", path+"/status", nil, "")
	if status != 200 {
		j.t.Fatalf("status: %d %v", status, out)
	}
	start := ""
	if links, ok := out["_links"].(map[string]any); ok {
		start = href(links, "startAuthorisation")
	}
	msg, _ := out["psuMessage"].(string)
	return fmt.Sprintf("%s %q %s %s", out["transactionStatus"], msg, linkNames(out), start)
}

// TestMultiLevelSCA: a payment from an account with two signatories is PATC after the
// first signatory's authorisation, in every approach, and executed once after the second
// one's; the same signatory twice and a customer who is no signatory are refused and
// change nothing; the initiation and the status answer link the explicit start of the
// next authorisation, as the Berlin Group asks of multi-level SCA. Every answer is checked
// against the official file.
func TestMultiLevelSCA(t *testing.T) {
	w := newWorldOf(t, signedBank())
	j := &journey{t: t, w: w, app: "app-1"}
	ctx := context.Background()

	t.Run("embedded", func(t *testing.T) {
		j.t = t
		path, links, approach := j.initiate("payments", single("12.00", creditorIBAN), embedded)
		if approach != "EMBEDDED" || fmt.Sprint(sortStrings(keys(links))) != "[self startAuthorisation status]" || href(links, "startAuthorisation") != path+"/authorisations" {
			t.Fatalf("initiation: %s %v", approach, links)
		}
		before, creditor := w.booked(t, "acc-debtor"), w.booked(t, "acc-creditor")
		state := w.state(t)
		// A customer who is no signatory is refused as soon as the TPP names them.
		if status, msg := j.embeddedSignature(path, "two"); status != 401 || msg != "PSU_CREDENTIALS_INVALID" {
			t.Fatalf("no signatory: %d %s", status, msg)
		}
		if got := w.state(t); got != state {
			t.Fatalf("the refusal changed the table: %s, was %s", got, state)
		}
		if status, msg := j.embeddedSignature(path, "one"); status != 200 || msg != "finalised" {
			t.Fatalf("first signature: %d %s", status, msg)
		}
		want := fmt.Sprintf("PATC %q [startAuthorisation] %s/authorisations",
			"Authorised by 1 of the 2 signatories the debtor account needs: the next signatory authorises it in an authorisation of their own (startAuthorisation).", path)
		if got := j.paymentStatus(path); got != want || w.booked(t, "acc-debtor") != before {
			t.Fatalf("after the first signature: %s, want %s; booked %d", got, want, w.booked(t, "acc-debtor"))
		}
		state = w.state(t)
		if status, msg := j.embeddedSignature(path, "one"); status != 409 || msg != "STATUS_INVALID" {
			t.Fatalf("the same signatory twice: %d %s", status, msg)
		}
		if got := w.state(t); got != state {
			t.Fatal("the second signature of the same signatory changed the table")
		}
		if status, msg := j.embeddedSignature(path, "three"); status != 200 || msg != "finalised" {
			t.Fatalf("second signature: %d %s", status, msg)
		}
		if got := j.paymentStatus(path); got != `ACCC "" [] ` {
			t.Fatalf("after the second signature: %s", got)
		}
		if d, c := before-w.booked(t, "acc-debtor"), w.booked(t, "acc-creditor")-creditor; d != 1200 || c != 1200 {
			t.Fatalf("debited %d, credited %d, want 1200 each", d, c)
		}
		// Both authorisations are listed and finalised.
		status, out, _ := j.do("GET", path+"/authorisations", nil, "")
		ids, _ := out["authorisationIds"].([]any)
		if status != 200 || len(ids) != 2 {
			t.Fatalf("authorisations: %d %v", status, out)
		}
		for _, id := range ids {
			if status, out, _ := j.do("GET", fmt.Sprint(path, "/authorisations/", id), nil, ""); status != 200 || out["scaStatus"] != "finalised" {
				t.Fatalf("authorisation %v: %d %v", id, status, out)
			}
		}
		if status, out, _ := j.do("POST", path+"/authorisations", embedded, ""); status != 409 || messages(out) != "STATUS_INVALID" {
			t.Fatalf("a third authorisation: %d %v", status, out)
		}
	})

	t.Run("OAuth2", func(t *testing.T) {
		j.t = t
		path, links, approach := j.initiate("payments", single("7.00", creditorIBAN), nil)
		if approach != "REDIRECT" || href(links, "scaOAuth") != "" || href(links, "startAuthorisation") != path+"/authorisations" {
			t.Fatalf("initiation: %s %v", approach, links)
		}
		start := func() string {
			status, out, _ := j.do("POST", path+"/authorisations", nil, "")
			if status != 201 || out["scaStatus"] != "received" || href(out["_links"], "scaOAuth") != metadataURL {
				t.Fatalf("start: %d %v", status, out)
			}
			return path + "/authorisations/" + fmt.Sprint(out["authorisationId"])
		}
		scaStatus := func(self string) any {
			_, out, _ := j.do("GET", self, nil, "")
			return out["scaStatus"]
		}
		first := start()
		// The co-signer approves at the authorization server (scope PIS:<paymentId>).
		approve := func(customer string) error {
			theirs, _ := w.bank.Accounts(ctx, customer)
			_, err := w.svc.Authorise(ctx, idOf(path), customer, theirs)
			return err
		}
		if err := approve("psu-3"); err != nil {
			t.Fatal(err)
		}
		// The OAuth2 approvals finalise the oldest authorisations first: the second starts later.
		w.now = w.now.Add(time.Second)
		second := start()
		if got := fmt.Sprint(scaStatus(first), " ", scaStatus(second), " ", w.status(t, idOf(path)).Status); got != "finalised received PATC" {
			t.Fatalf("after the first approval: %s", got)
		}
		if err := approve("psu-3"); !errors.Is(err, payments.ErrAlreadySigned) {
			t.Fatalf("the same signatory twice: %v", err)
		}
		if err := approve("psu-2"); !errors.Is(err, payments.ErrNotSignatory) {
			t.Fatalf("no signatory: %v", err)
		}
		before := w.booked(t, "acc-debtor")
		if err := approve("psu-1"); err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(scaStatus(first), " ", scaStatus(second), " ", w.status(t, idOf(path)).Status, " ", before-w.booked(t, "acc-debtor")); got != "finalised finalised ACCC 700" {
			t.Fatalf("after the second approval: %s", got)
		}
	})

	t.Run("the bank's redirect page", func(t *testing.T) {
		j.t = t
		redirect := map[string]string{"TPP-Redirect-Preferred": "true", "TPP-Redirect-URI": "https://tpp.example/ok"}
		path, _, _ := j.initiate("payments", single("3.00", creditorIBAN), redirect)
		start := func() sca.Ref {
			status, out, _ := j.do("POST", path+"/authorisations", redirect, "")
			if status != 201 || href(out["_links"], "scaRedirect") == "" {
				t.Fatalf("start: %d %v", status, out)
			}
			return sca.Ref{Kind: sca.Payment, ResourceID: idOf(path), ID: fmt.Sprint(out["authorisationId"])}
		}
		first := start()
		// Whoever signs in on the page decides: one who is no signatory is refused, and
		// the page stays open for a signatory.
		if _, err := w.sca.Decide(ctx, first, "psu-2", true); !errors.Is(err, sca.ErrNotSignatory) {
			t.Fatalf("no signatory: %v", err)
		}
		if _, err := w.sca.Open(ctx, first); err != nil || w.status(t, idOf(path)).Status != payments.Received {
			t.Fatalf("after the refusal: %v %s", err, w.status(t, idOf(path)).Status)
		}
		if a, err := w.sca.Decide(ctx, first, "psu-1", true); err != nil || a.Status != sca.Finalised || w.status(t, idOf(path)).Status != payments.PartiallyAuthed {
			t.Fatalf("first signature: %+v %v", a, err)
		}
		second := start()
		if _, err := w.sca.Decide(ctx, second, "psu-1", true); !errors.Is(err, sca.ErrAlreadySigned) {
			t.Fatalf("the same signatory twice: %v", err)
		}
		before := w.booked(t, "acc-debtor")
		if a, err := w.sca.Decide(ctx, second, "psu-3", true); err != nil || a.Status != sca.Finalised {
			t.Fatalf("second signature: %+v %v", a, err)
		}
		if p := w.status(t, idOf(path)); p.Status != payments.CreditorSettled || before-w.booked(t, "acc-debtor") != 300 || p.Subject != "psu-3" {
			t.Fatalf("after the second signature: %s %d", p.Status, before-w.booked(t, "acc-debtor"))
		}
	})

	t.Run("decoupled", func(t *testing.T) {
		j.t = t
		path, _, _ := j.initiate("payments", single("2.00", creditorIBAN), decoupled)
		state := w.state(t)
		if status, out, _ := j.do("POST", path+"/authorisations", map[string]string{"TPP-Decoupled-Preferred": "true", "PSU-ID": "two"}, ""); status != 401 || messages(out) != "PSU_CREDENTIALS_INVALID" {
			t.Fatalf("no signatory: %d %v", status, out)
		}
		if w.state(t) != state {
			t.Fatal("the refusal changed the table")
		}
		sign := func(login, customer string) {
			status, out, _ := j.do("POST", path+"/authorisations", map[string]string{"TPP-Decoupled-Preferred": "true", "PSU-ID": login}, "")
			if status != 201 || out["scaStatus"] != "started" {
				t.Fatalf("start for %s: %d %v", login, status, out)
			}
			ref := sca.Ref{Kind: sca.Payment, ResourceID: idOf(path), ID: fmt.Sprint(out["authorisationId"])}
			if a, err := w.sca.Decide(notify.WithAuthorisation(ctx, ref.ID), ref, customer, true); err != nil || a.Status != sca.Finalised {
				t.Fatalf("%s approves: %+v %v", login, a, err)
			}
		}
		sign("three", "psu-3")
		if p := w.status(t, idOf(path)); p.Status != payments.PartiallyAuthed {
			t.Fatalf("after the co-signer: %s", p.Status)
		}
		if status, out, _ := j.do("POST", path+"/authorisations", map[string]string{"TPP-Decoupled-Preferred": "true", "PSU-ID": "three"}, ""); status != 409 || messages(out) != "STATUS_INVALID" {
			t.Fatalf("the same signatory twice: %d %v", status, out)
		}
		sign("one", "psu-1")
		if p := w.status(t, idOf(path)); p.Status != payments.CreditorSettled || len(p.Signatures) != 2 {
			t.Fatalf("after the owner: %+v", p)
		}
	})
}

// keys are the keys of links.
func keys(links map[string]any) []string {
	var out []string
	for k := range links {
		out = append(out, k)
	}
	return out
}
