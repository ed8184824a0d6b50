package e2e

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/bank/devportal/shared/platform/awsclient"
	"github.com/bank/devportal/shared/tpp/bankpages"
	"github.com/bank/devportal/shared/tpp/bgspec"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
	"github.com/bank/devportal/shared/tpp/sandboxbank/bankstore"
)

// outsideIBAN is an account of another bank: a payment to it debits the payer only, and
// settles no further than the creditor's bank (ACSC).
const outsideIBAN = "DE89370400440532013000"

// ledgers reads the booked balance of the sandbox bank's accounts from the TPP table, as
// the bank's ledger keeps it.
type ledgers struct{ store *bankstore.Store }

func newLedgers(t *testing.T) ledgers {
	t.Helper()
	stack := env(t)
	awsCfg, err := awsclient.Load(context.Background(), stack.Config)
	if err != nil {
		t.Fatal(err)
	}
	return ledgers{store: bankstore.New(dynamodb.NewFromConfig(awsCfg), stack.Config.TPPTable)}
}

// booked is the account's booked balance, in minor units.
func (l ledgers) booked(t *testing.T, acc sandboxbank.Account) int64 {
	t.Helper()
	got, err := l.store.Ledger(context.Background(), acc.ResourceID)
	if err != nil {
		t.Fatal(err)
	}
	return got.Booked
}

// transfer is one credit transfer of a payment's body.
type transfer struct {
	amount, iban, name string
}

func (tr transfer) body(currency string) map[string]any {
	return map[string]any{"instructedAmount": map[string]string{"currency": currency, "amount": tr.amount},
		"creditorAccount": map[string]string{"iban": tr.iban}, "creditorName": tr.name}
}

// summary is how the bank's pages describe the transfer paid from the account from.
func (tr transfer) summary(currency, from string) string {
	return fmt.Sprintf("Pay %s %s to %s (%s) from account %s", tr.amount, currency, tr.name, tr.iban, from)
}

// standingStart is the first execution of the journeys' standing orders: far enough
// ahead that no execution job runs during the tests.
const standingStart = "2099-01-01"

// initiation is a payment the journey initiates: its service and product, its transfers
// and, once the customer has approved it, the status it reaches with the money it moves.
type initiation struct {
	service, product string
	transfers        []transfer
	status           string
	psuMessage       string
	// debit and credit are the payer's and the in-bank payee's booked change, minor units.
	debit, credit int64
}

// body is the initiation's JSON body from the account of payer.
func (in initiation) body(payer sandboxbank.Account) map[string]any {
	from := map[string]string{"iban": payer.IBAN}
	switch in.service {
	case "bulk-payments":
		var entries []any
		for _, tr := range in.transfers {
			entries = append(entries, tr.body(payer.Currency))
		}
		return map[string]any{"batchBookingPreferred": true, "debtorAccount": from, "payments": entries}
	case "periodic-payments":
		b := in.transfers[0].body(payer.Currency)
		b["debtorAccount"], b["startDate"], b["frequency"], b["dayOfExecution"] = from, standingStart, "Monthly", "1"
		return b
	}
	b := in.transfers[0].body(payer.Currency)
	b["debtorAccount"] = from
	return b
}

// asks is what the bank's consent page says the customer approves.
func (in initiation) asks(payer sandboxbank.Account) string {
	switch in.service {
	case "bulk-payments":
		return fmt.Sprintf("Pay %d payments (%d in %s) from account %s.", len(in.transfers), len(in.transfers), payer.Currency, payer.IBAN)
	case "periodic-payments":
		return in.transfers[0].summary(payer.Currency, payer.IBAN) + ", monthly from " + standingStart + "."
	}
	return in.transfers[0].summary(payer.Currency, payer.IBAN) + "."
}

// initiate sends the initiation and checks the answer: received, with its location, its
// self and status links and, in the OAuth approach, the scaOAuth link.
func (a *tppApp) initiate(t *testing.T, in initiation, payer sandboxbank.Account, headers map[string]string) (bgAnswer, string) {
	t.Helper()
	base := "/v1/" + in.service + "/" + in.product
	created := a.call(t, bgCall{method: "POST", path: base, body: in.body(payer), headers: headers}).want(t, "initiate "+base, 201)
	id, _ := created.body["paymentId"].(string)
	self := base + "/" + id
	if id == "" || created.body["transactionStatus"] != "RCVD" || created.header.Get("Location") != self ||
		linkOf(created, "self") != self || linkOf(created, "status") != self+"/status" {
		t.Fatalf("%s answered %v %v", base, created.header, created.body)
	}
	return created, self
}

// linkOf is the href of the answer's link name, "" without one.
func linkOf(b bgAnswer, name string) string {
	links, _ := b.body["_links"].(map[string]any)
	l, _ := links[name].(map[string]any)
	h, _ := l["href"].(string)
	return h
}

// expectPaymentStatus reads the payment's status and fails unless it is want, with the
// message psuMessage ("" for none).
func (a *tppApp) expectPaymentStatus(t *testing.T, self, want, psuMessage string) {
	t.Helper()
	got := a.call(t, bgCall{method: "GET", path: self + "/status"}).want(t, "the status of "+self, 200)
	msg, _ := got.body["psuMessage"].(string)
	if got.body["transactionStatus"] != want || msg != psuMessage {
		t.Fatalf("%s is %v with %q, want %s with %q", self, got.body["transactionStatus"], msg, want, psuMessage)
	}
}

// signInAtBank signs the customer in on the bank's sign-in page the browser shows.
func signInAtBank(p *page, who customer) {
	p.t.Helper()
	p.expectText("main h1", "Sign in")
	p.fill("login", who.Login)
	p.fill("password", sandboxbank.SandboxPassword)
	p.fill("otp", sandboxbank.SandboxOTP)
	p.click("#sign-in")
}

// TestPaymentJourney is a TPP's payment-initiation software against the local stack:
// over mutual TLS with its app's certificate and API key it initiates every payment
// service and product the bank offers, sends the customer (greenleaf.logistics, whom no
// other journey pays from) to the sandbox bank in Chromium to approve each through the
// OAuth2 approach with the scope PIS:<paymentId> and golang.org/x/oauth2, and follows the
// status to its end while the sandbox ledger moves exactly once. The documented amounts
// walk each status path; a standing order is cancelled on the bank's redirect page; two
// payments and a consent are signed at once in a signing basket; the redirect, decoupled
// and embedded approaches each authorise a payment. Every answer is checked against the
// official Berlin Group file.
func TestPaymentJourney(t *testing.T) {
	t.Parallel()
	env(t)
	bgspec.Load(t, bgspec.NextGenPSD2) // without the official files there is nothing to check against
	app := newRecordedTPPApp(t, tppAppSpec{org: "payjourney", roles: []string{"AIS", "PIS"}, products: []string{"oauth2", "ais", "pis"}})
	payerCustomer := customerOf(t, "greenleaf.logistics")
	payer := payerCustomer.of(t, sandboxbank.Current)
	payee := customerOf(t, "techstart.solutions").of(t, sandboxbank.Current)
	if payer.Currency != payee.Currency {
		t.Fatalf("the payer's account is in %s, the payee's in %s", payer.Currency, payee.Currency)
	}
	books := newLedgers(t)
	inBank := func(amount string) transfer { return transfer{amount, payee.IBAN, "TechStart Solutions"} }
	outside := func(amount string) transfer { return transfer{amount, outsideIBAN, "Outside Supplier GmbH"} }

	// approve walks the customer through the OAuth2 approach in Chromium and checks what
	// the payment reached and what the ledgers moved.
	approve := func(t *testing.T, in initiation) string {
		t.Helper()
		p := newPage(t)
		payerBefore, payeeBefore := books.booked(t, payer), books.booked(t, payee)
		created, self := app.initiate(t, in, payer, nil)
		if created.header.Get("ASPSP-SCA-Approach") != "REDIRECT" {
			t.Fatalf("the OAuth2 approach answered ASPSP-SCA-Approach %q, want REDIRECT", created.header.Get("ASPSP-SCA-Approach"))
		}
		md := app.metadataOf(t, created)
		app.expectPaymentStatus(t, self, "RCVD", "")
		app.authorize(t, p, md, payerCustomer, authorization{scope: "PIS:" + path.Base(self), asks: in.asks(payer)})
		app.expectPaymentStatus(t, self, in.status, in.psuMessage)
		if d, c := books.booked(t, payer)-payerBefore, books.booked(t, payee)-payeeBefore; d != -in.debit || c != in.credit {
			t.Fatalf("%s moved %d from the payer and %d to the payee, want %d and %d", self, d, c, -in.debit, in.credit)
		}
		return self
	}

	t.Run("every service and product, authorised through OAuth2 at the bank", func(t *testing.T) {
		for _, in := range []initiation{
			{service: "payments", product: "sepa-credit-transfers", transfers: []transfer{inBank("1.01")}, status: "ACCC", debit: 101, credit: 101},
			{service: "payments", product: "instant-sepa-credit-transfers", transfers: []transfer{inBank("1.02")}, status: "ACCC", debit: 102, credit: 102},
			{service: "payments", product: "target-2-payments", transfers: []transfer{inBank("1.03")}, status: "ACCC", debit: 103, credit: 103},
			{service: "payments", product: "cross-border-credit-transfers", transfers: []transfer{outside("1.04")}, status: "ACSC", debit: 104},
			{service: "bulk-payments", product: "sepa-credit-transfers", transfers: []transfer{inBank("2.01"), outside("2.02")}, status: "ACSC", debit: 403, credit: 201},
			{service: "bulk-payments", product: "instant-sepa-credit-transfers", transfers: []transfer{inBank("2.03"), inBank("2.04")}, status: "ACCC", debit: 407, credit: 407},
			{service: "periodic-payments", product: "sepa-credit-transfers", transfers: []transfer{inBank("3.01")}, status: "ACTC"},
			{service: "periodic-payments", product: "target-2-payments", transfers: []transfer{inBank("3.02")}, status: "ACTC"},
			{service: "periodic-payments", product: "cross-border-credit-transfers", transfers: []transfer{outside("3.03")}, status: "ACTC"},
		} {
			t.Run(in.service+"/"+in.product, func(t *testing.T) {
				self := approve(t, in)
				if in.status == "ACCC" || in.status == "ACSC" {
					// Executed is final: nothing is left to cancel.
					app.expectRefused(t, bgCall{method: "DELETE", path: self}, 405, "CANCELLATION_INVALID")
				}
			})
		}
		// What the bank does not offer is refused before anything is stored.
		for _, c := range []struct {
			service, product string
			status           int
			code             string
		}{
			{"periodic-payments", "instant-sepa-credit-transfers", 403, "PRODUCT_INVALID"},
			{"bulk-payments", "target-2-payments", 403, "PRODUCT_INVALID"},
			{"bulk-payments", "cross-border-credit-transfers", 403, "PRODUCT_INVALID"},
			{"payments", "pain.001-sepa-credit-transfers", 404, "PRODUCT_UNKNOWN"},
		} {
			in := initiation{service: c.service, product: c.product, transfers: []transfer{inBank("1.00")}}
			app.expectRefused(t, bgCall{method: "POST", path: "/v1/" + c.service + "/" + c.product, body: in.body(payer)}, c.status, c.code)
		}
	})

	t.Run("each status path of the documented amounts", func(t *testing.T) {
		for _, in := range []initiation{
			{service: "payments", product: "sepa-credit-transfers", transfers: []transfer{inBank("13.13")}, status: "RJCT",
				psuMessage: "Rejected, reason MS03: rejected by the bank."},
			{service: "payments", product: "sepa-credit-transfers", transfers: []transfer{inBank("14.14")}, status: "RJCT",
				psuMessage: "Rejected, reason AM04: insufficient funds."},
			{service: "payments", product: "sepa-credit-transfers", transfers: []transfer{inBank("15.15")}, status: "ACSP"},
			{service: "bulk-payments", product: "sepa-credit-transfers", transfers: []transfer{inBank("4.01"), inBank("13.13")}, status: "PART",
				psuMessage: "Some payments of the bulk were rejected, reason MS03: rejected by the bank.", debit: 401, credit: 401},
		} {
			var amounts []string
			for _, tr := range in.transfers {
				amounts = append(amounts, tr.amount)
			}
			t.Run(in.service+" of "+strings.Join(amounts, " and "), func(t *testing.T) { approve(t, in) })
		}
	})

	// redirected is the TPP's redirect URI for the bank's own pages: the app's callback.
	redirected := map[string]string{"TPP-Redirect-Preferred": "true", "TPP-Redirect-URI": app.conf.RedirectURL}

	// onBankPage authorises at scaRedirect, the bank's redirect page, in Chromium: the
	// customer signs in, reads what is asked and approves, and comes back to the app.
	onBankPage := func(t *testing.T, scaRedirect, asks string) {
		t.Helper()
		onBankPageAs(t, app, payerCustomer, scaRedirect, asks)
	}

	// startAuthorisation starts the authorisation at link and returns its location.
	startAuthorisation := func(t *testing.T, link, wantStatus string, headers map[string]string) (bgAnswer, string) {
		t.Helper()
		started := app.call(t, bgCall{method: "POST", path: link, headers: headers}).want(t, "start the authorisation "+link, 201)
		loc := started.header.Get("Location")
		if !strings.HasPrefix(loc, link+"/") || started.body["scaStatus"] != wantStatus {
			t.Fatalf("the authorisation started at %s answered %v %v", link, started.header, started.body)
		}
		return started, loc
	}

	t.Run("a standing order cancelled on the bank's redirect page", func(t *testing.T) {
		in := initiation{service: "periodic-payments", product: "sepa-credit-transfers", transfers: []transfer{inBank("5.55")}, status: "ACTC"}
		self := approve(t, in)
		cancelled := app.call(t, bgCall{method: "DELETE", path: self, headers: redirected}).want(t, "cancel the standing order", 202)
		if cancelled.body["transactionStatus"] != "ACTC" || linkOf(cancelled, "startAuthorisation") != self+"/cancellation-authorisations" {
			t.Fatalf("the cancellation answered %v", cancelled.body)
		}
		started, loc := startAuthorisation(t, self+"/cancellation-authorisations", "received", redirected)
		onBankPage(t, linkOf(started, "scaRedirect"), "Cancel this payment: "+in.asks(payer))
		got := app.call(t, bgCall{method: "GET", path: loc}).want(t, "the cancellation's scaStatus", 200)
		if got.body["scaStatus"] != "finalised" {
			t.Fatalf("the cancellation's authorisation is %v", got.body)
		}
		app.expectPaymentStatus(t, self, "CANC", "")
	})

	t.Run("two payments and a consent signed at once in a basket", func(t *testing.T) {
		payerBefore, payeeBefore := books.booked(t, payer), books.booked(t, payee)
		first := initiation{service: "payments", product: "sepa-credit-transfers", transfers: []transfer{inBank("6.01")}, status: "ACCC"}
		second := initiation{service: "payments", product: "instant-sepa-credit-transfers", transfers: []transfer{inBank("6.02")}, status: "ACCC"}
		_, firstSelf := app.initiate(t, first, payer, nil)
		_, secondSelf := app.initiate(t, second, payer, nil)
		validUntil := time.Now().UTC().AddDate(0, 1, 0).Format(time.DateOnly)
		consent := app.call(t, bgCall{method: "POST", path: "/v1/consents", body: map[string]any{
			"access": map[string]any{"accounts": []any{map[string]string{"iban": payer.IBAN}}}, "recurringIndicator": true,
			"validUntil": validUntil, "frequencyPerDay": 4, "combinedServiceIndicator": false}}).want(t, "create the consent", 201)
		consentID, _ := consent.body["consentId"].(string)

		basket := app.call(t, bgCall{method: "POST", path: "/v1/signing-baskets", headers: redirected, body: map[string]any{
			"paymentIds": []string{path.Base(firstSelf), path.Base(secondSelf)}, "consentIds": []string{consentID}}}).want(t, "create the basket", 201)
		basketID, _ := basket.body["basketId"].(string)
		basketSelf := "/v1/signing-baskets/" + basketID
		if basketID == "" || basket.body["transactionStatus"] != "RCVD" || linkOf(basket, "startAuthorisation") != basketSelf+"/authorisations" {
			t.Fatalf("the basket answered %v %v", basket.header, basket.body)
		}
		started, loc := startAuthorisation(t, basketSelf+"/authorisations", "received", redirected)
		onBankPage(t, linkOf(started, "scaRedirect"), "Sign 2 payment(s) and 1 consent(s) at once: "+first.asks(payer)+" "+second.asks(payer)+
			" See the details of "+formatIBAN(payer.IBAN)+", until "+validUntil+", up to 4 times a day without you.")
		if got := app.call(t, bgCall{method: "GET", path: loc}).want(t, "the basket's scaStatus", 200); got.body["scaStatus"] != "finalised" {
			t.Fatalf("the basket's authorisation is %v", got.body)
		}
		if got := app.call(t, bgCall{method: "GET", path: basketSelf + "/status"}).want(t, "the basket's status", 200); got.body["transactionStatus"] != "ACTC" {
			t.Fatalf("the basket's status is %v", got.body)
		}
		app.expectPaymentStatus(t, firstSelf, "ACCC", "")
		app.expectPaymentStatus(t, secondSelf, "ACCC", "")
		app.expectConsentStatus(t, "/v1/consents/"+consentID, "valid")
		if d, c := books.booked(t, payer)-payerBefore, books.booked(t, payee)-payeeBefore; d != -1203 || c != 1203 {
			t.Fatalf("the basket moved %d from the payer and %d to the payee, want -1203 and 1203", d, c)
		}
	})

	t.Run("a business account that needs two signatories: PATC, then the co-signer", func(t *testing.T) {
		business, cosigner := customerOf(t, "vos.architecten"), customerOf(t, "ruben.vos")
		from := business.of(t, sandboxbank.Current)
		if from.RequiredSignatures != 2 || !slices.Contains(from.Signatories, cosigner.ID) {
			t.Fatalf("%s's current account needs %d signatures from %v, want 2 with %s", business.Login, from.RequiredSignatures, from.Signatories, cosigner.Login)
		}
		in := initiation{service: "payments", product: "sepa-credit-transfers", transfers: []transfer{inBank("16.16")}}
		fromBefore, payeeBefore := books.booked(t, from), books.booked(t, payee)
		created, self := app.initiate(t, in, from, redirected)
		if linkOf(created, "startAuthorisation") != self+"/authorisations" || linkOf(created, "scaOAuth") != "" {
			t.Fatalf("a payment that needs two signatories answered the links %v, want startAuthorisation and no scaOAuth", created.body["_links"])
		}
		sign := func(who customer) {
			started, _ := startAuthorisation(t, self+"/authorisations", "received", redirected)
			onBankPageAs(t, app, who, linkOf(started, "scaRedirect"), in.asks(from))
		}
		sign(business)
		app.expectPaymentStatus(t, self, "PATC", "Authorised by 1 of the 2 signatories the debtor account needs: the next signatory authorises it in an authorisation of their own (startAuthorisation).")
		if d := books.booked(t, from) - fromBefore; d != 0 {
			t.Fatalf("one signature of two moved %d from the business account, want nothing", d)
		}
		sign(cosigner)
		app.expectPaymentStatus(t, self, "ACCC", "")
		if d, c := books.booked(t, from)-fromBefore, books.booked(t, payee)-payeeBefore; d != -1616 || c != 1616 {
			t.Fatalf("the two signatures moved %d from the business and %d to the payee, want -1616 and 1616", d, c)
		}
	})

	t.Run("the decoupled approach: the customer approves in the bank's app", func(t *testing.T) {
		payerBefore := books.booked(t, payer)
		in := initiation{service: "payments", product: "sepa-credit-transfers", transfers: []transfer{inBank("7.07")}}
		decoupled := map[string]string{"TPP-Decoupled-Preferred": "true", "PSU-ID": payerCustomer.Login}
		created, self := app.initiate(t, in, payer, decoupled)
		if created.header.Get("ASPSP-SCA-Approach") != "DECOUPLED" || linkOf(created, "startAuthorisationWithPsuIdentification") != self+"/authorisations" {
			t.Fatalf("the decoupled initiation answered %v %v", created.header, created.body)
		}
		_, loc := startAuthorisation(t, self+"/authorisations", "started", decoupled)
		p := newPage(t)
		p.openURL(suite.stack.PortalURL + bankpages.AppPath)
		signInAtBank(p, payerCustomer)
		p.waitText("main h1", "Sandbox Bank app", stepTimeout)
		row := "#authorisation-" + path.Base(loc)
		p.expectText(row+" .summary", in.asks(payer))
		p.expectText(row+" .app-name", "App payjourney-app")
		if got := app.call(t, bgCall{method: "GET", path: loc}).want(t, "poll the scaStatus", 200); got.body["scaStatus"] != "started" {
			t.Fatalf("before the customer decides the authorisation is %v", got.body)
		}
		p.click("#approve-" + path.Base(loc))
		p.waitText("#notice", "You approved it: the app learns it when it next asks the bank.", stepTimeout)
		p.expectAbsent(row)
		if got := app.call(t, bgCall{method: "GET", path: loc}).want(t, "poll the scaStatus", 200); got.body["scaStatus"] != "finalised" {
			t.Fatalf("after the approval the authorisation is %v", got.body)
		}
		app.expectPaymentStatus(t, self, "ACCC", "")
		if d := books.booked(t, payer) - payerBefore; d != -707 {
			t.Fatalf("the decoupled payment moved %d from the payer, want -707", d)
		}
	})

	t.Run("the embedded approach: credentials and code through the app", func(t *testing.T) {
		payerBefore := books.booked(t, payer)
		in := initiation{service: "payments", product: "sepa-credit-transfers", transfers: []transfer{inBank("8.08")}}
		embedded := map[string]string{"TPP-Redirect-Preferred": "false", "PSU-ID": payerCustomer.Login}
		created, self := app.initiate(t, in, payer, embedded)
		if created.header.Get("ASPSP-SCA-Approach") != "EMBEDDED" || linkOf(created, "startAuthorisationWithPsuAuthentication") != self+"/authorisations" {
			t.Fatalf("the embedded initiation answered %v %v", created.header, created.body)
		}
		started := app.call(t, bgCall{method: "POST", path: self + "/authorisations", headers: embedded,
			body: map[string]any{"psuData": map[string]string{"password": sandboxbank.SandboxPassword}}}).want(t, "authenticate the customer", 201)
		loc := started.header.Get("Location")
		if started.body["scaStatus"] != "psuAuthenticated" || linkOf(started, "selectAuthenticationMethod") != loc {
			t.Fatalf("the embedded authentication answered %v %v", started.header, started.body)
		}
		// A wrong code is refused, and the payment waits.
		if got := app.call(t, bgCall{method: "PUT", path: loc, body: map[string]string{"authenticationMethodId": "sms"}}).want(t, "choose the method", 200); got.body["scaStatus"] != "scaMethodSelected" {
			t.Fatalf("the method choice answered %v", got.body)
		}
		app.expectRefused(t, bgCall{method: "PUT", path: loc, body: map[string]string{"scaAuthenticationData": "000000"}}, 401, "PSU_CREDENTIALS_INVALID")
		app.expectPaymentStatus(t, self, "RCVD", "")
		if got := app.call(t, bgCall{method: "PUT", path: loc, body: map[string]string{"scaAuthenticationData": sandboxbank.SandboxOTP}}).want(t, "send the code", 200); got.body["scaStatus"] != "finalised" {
			t.Fatalf("the code answered %v", got.body)
		}
		app.expectPaymentStatus(t, self, "ACCC", "")
		if d := books.booked(t, payer) - payerBefore; d != -808 {
			t.Fatalf("the embedded payment moved %d from the payer, want -808", d)
		}
	})
}

// onBankPageAs authorises at scaRedirect, the bank's redirect page, in Chromium as the
// customer who: they sign in, read what is asked and approve, and come back to the app.
func onBankPageAs(t *testing.T, app *tppApp, who customer, scaRedirect, asks string) {
	t.Helper()
	if !strings.HasPrefix(scaRedirect, suite.stack.PortalURL+bankpages.SCAPath+"?") {
		t.Fatalf("the scaRedirect link is %q, want the bank's redirect page", scaRedirect)
	}
	p := newPage(t)
	p.openURL(scaRedirect)
	signInAtBank(p, who)
	p.waitText("main h1", "Authorise", stepTimeout)
	p.expectText("#customer", who.DisplayName)
	p.expectText("#asks", asks)
	p.click("#approve")
	if q := app.next(t); len(q) != 0 {
		t.Fatalf("the bank sent the customer back to the app with %v, want the redirect URI as given", q)
	}
	p.waitText("main h1", "Back at the app", stepTimeout)
}
