package aisapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/tpp/aisapi"
	"github.com/bank/devportal/shared/tpp/bgspec"
	"github.com/bank/devportal/shared/tpp/callercheck"
	"github.com/bank/devportal/shared/tpp/consents"
	"github.com/bank/devportal/shared/tpp/consents/consentdb"
	"github.com/bank/devportal/shared/tpp/piis"
	"github.com/bank/devportal/shared/tpp/routes"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
	"github.com/bank/devportal/shared/tpp/sandboxbank/bankstore"
	"github.com/bank/devportal/shared/tpp/sca/scatarget"
	"github.com/bank/devportal/shared/tpp/scaapi"
	"github.com/bank/devportal/shared/tpp/tppapi"
)

// TestFundsConfirmation: a card issuer's consent for one account, approved by its
// customer, answers whether an amount is available, from the sandbox ledger; each answer
// checked against the official files (the consent's against confirmation-of-funds 2.0,
// the check's against NextGenPSD2 1.3.12).
func TestFundsConfirmation(t *testing.T) {
	ctx := context.Background()
	c, db, bank := testenv.SandboxBank(t)
	store := bankstore.New(db, c.TPPTable)
	funds := &piis.Service{Store: consentdb.NewPIIS(db, c.TPPTable), Bank: store}
	api := &aisapi.API{Funds: funds, Bank: store, MetadataURL: "https://api.bank.example/.well-known/oauth-authorization-server",
		Authorisations: &scaapi.API{SCA: scatarget.OnTable(db, c.TPPTable, nil, nil), MetadataURL: "https://api.bank.example/.well-known/oauth-authorization-server"}}
	h := api.Handlers()
	mux := http.NewServeMux()
	for _, rt := range routes.TPP {
		if rt.Tag == "CoF" {
			mux.Handle(rt.Pattern(), h[rt.Name])
		}
	}
	served := tppapi.WithRequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		app := r.Header.Get("X-Test-App")
		ctx := callercheck.WithCaller(r.Context(), callercheck.Caller{AppID: app, OrgID: "org-" + app, Environment: lookup.Sandbox, Product: "cof",
			Token: &callercheck.Token{Scopes: []string{"PIIS:" + r.Header.Get("Consent-ID")}}})
		mux.ServeHTTP(w, r.WithContext(ctx))
	}))
	var account sandboxbank.Account
	var ledger sandboxbank.Ledger
	for _, a := range bank.Accounts {
		if a.Kind == sandboxbank.Current {
			account = a
			break
		}
	}
	for _, l := range bank.Ledgers {
		if l.AccountID == account.ResourceID {
			ledger = l
		}
	}
	available := ledger.Booked + ledger.PendingDebits + ledger.CreditLimit

	send := func(doc, app, method, path, consent, body string, status int, code string) map[string]any {
		t.Helper()
		r := call(method, path, app, body)
		if consent != "" {
			r.Header.Set("Consent-ID", consent)
		}
		got, out := answer(bgspec.Check(t, doc, served, r))
		if got != status || firstCode(out) != code {
			t.Fatalf("%s %s: %d %v, want %d %s", method, path, got, out, status, code)
		}
		return out
	}
	const cof = bgspec.FundsConfirmation
	created := send(cof, "card", "POST", "/v2/consents/confirmation-of-funds", "",
		`{"account":{"iban":"`+account.IBAN+`"},"cardNumber":"1234567890123456","cardExpiryDate":"2028-12-31","cardInformation":"Sandbox card"}`, 201, "")
	id := created["consentId"].(string)
	if created["consentStatus"] != "received" {
		t.Fatalf("created %v", created)
	}
	send(cof, "card", "POST", "/v2/consents/confirmation-of-funds", "", `{"account":{"iban":"BE00"}}`, 400, "FORMAT_ERROR account.iban")
	send(cof, "other", "GET", "/v2/consents/confirmation-of-funds/"+id, "", "", 403, "CONSENT_UNKNOWN")
	if got := send(cof, "card", "GET", "/v2/consents/confirmation-of-funds/"+id, "", "", 200, ""); got["cardNumber"] != "1234567890123456" || got["consentStatus"] != "received" {
		t.Fatalf("content %v", got)
	}

	amount := func(minor int64) string {
		return fmt.Sprintf(`{"account":{"iban":"%s"},"instructedAmount":{"currency":"%s","amount":"%s"}}`, account.IBAN, account.Currency,
			sandboxbank.Money{Minor: minor, Currency: account.Currency}.Decimal())
	}
	const psd2 = bgspec.NextGenPSD2
	send(psd2, "card", "POST", "/v1/funds-confirmations", id, amount(100), 401, "CONSENT_INVALID")
	// An authorisation started while the consent waits is finalised by the approval.
	authPath := "/v2/consents/confirmation-of-funds/" + id + "/authorisations"
	auth := send(cof, "card", "POST", authPath, "", "", 201, "")["authorisationId"].(string)
	if ids := send(cof, "card", "GET", authPath, "", "", 200, "")["authorisationIds"].([]any); len(ids) != 1 || ids[0] != auth {
		t.Fatalf("authorisations %v", ids)
	}
	if got := send(cof, "card", "GET", authPath+"/"+auth, "", "", 200, ""); got["scaStatus"] != "received" {
		t.Fatalf("before the approval: %v", got)
	}
	send(cof, "other", "GET", authPath+"/"+auth, "", "", 403, "CONSENT_UNKNOWN")
	if err := funds.Approve(ctx, id, "someone-else", consents.ByOAuth); err == nil {
		t.Fatal("a customer who does not hold the account approved")
	}
	if err := funds.Approve(ctx, id, account.CustomerID, consents.ByOAuth); err != nil {
		t.Fatal(err)
	}
	send(cof, "card", "GET", "/v2/consents/confirmation-of-funds/"+id+"/status", "", "", 200, "")
	if got := send(cof, "card", "GET", authPath+"/"+auth, "", "", 200, ""); got["scaStatus"] != "finalised" {
		t.Fatalf("after the approval: %v", got)
	}
	send(cof, "card", "POST", authPath, "", "", 409, "STATUS_INVALID")
	for _, c := range []struct {
		name  string
		minor int64
		want  bool
	}{{"all that is available", available, true}, {"a cent more", available + 1, false}} {
		t.Run(c.name, func(t *testing.T) {
			if got := send(psd2, "card", "POST", "/v1/funds-confirmations", id, amount(c.minor), 200, ""); got["fundsAvailable"] != c.want {
				t.Fatalf("fundsAvailable %v, want %v", got["fundsAvailable"], c.want)
			}
		})
	}
	send(psd2, "card", "POST", "/v1/funds-confirmations", "", amount(100), 400, "FORMAT_ERROR Consent-ID")
	send(psd2, "other", "POST", "/v1/funds-confirmations", id, amount(100), 403, "CONSENT_UNKNOWN")
	send(psd2, "card", "POST", "/v1/funds-confirmations", id, strings.Replace(amount(100), `"amount":"1.00"`, `"amount":"1,00"`, 1), 400, "FORMAT_ERROR instructedAmount.amount")
	send(psd2, "card", "POST", "/v1/funds-confirmations", id, strings.Replace(amount(100), account.Currency, "JPY", 1), 400, "FORMAT_ERROR instructedAmount.currency")

	send(cof, "card", "DELETE", "/v2/consents/confirmation-of-funds/"+id, "", "", 204, "")
	send(psd2, "card", "POST", "/v1/funds-confirmations", id, amount(100), 401, "CONSENT_INVALID")
}
