package sandboxcustomers_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/bank/devportal/shared/platform/config"
	platformroute "github.com/bank/devportal/shared/platform/route"
	tpproutes "github.com/bank/devportal/shared/tpp/routes"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
	"github.com/bank/devportal/shared/tpp/sandboxcustomers"
)

// bank is a small bank written out by hand, so that its list can be read off exactly: a
// business customer with an overdrawn-able current account and a card, and a customer
// without accounts.
func bank() sandboxbank.Bank {
	changed := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	return sandboxbank.Bank{Seed: 7, Date: "2026-11-30",
		Customers: []sandboxbank.Customer{
			{ID: "c-1", Login: "bakkerij.janssens", DisplayName: "Bakkerij Janssens BV", Kind: sandboxbank.Business, Representative: "Pieter Janssens", Password: "sandbox", OTP: "123456"},
			{ID: "c-2", Login: "emma.devries", DisplayName: "Emma de Vries", Kind: sandboxbank.Private, Password: "sandbox", OTP: "123456"},
		},
		Accounts: []sandboxbank.Account{
			{ResourceID: "acc-1", CustomerID: "c-1", Kind: sandboxbank.Current, IBAN: "BE35968109502837", BBAN: "968109502837", Currency: "EUR", Product: "Business Account", Name: "Business account", CreditLimit: 50000},
			{ResourceID: "card-1", CustomerID: "c-1", Kind: sandboxbank.Card, Position: 1, MaskedPAN: "428358******8152", Currency: "EUR", Product: "Credit Card", Name: "Business Visa", LinkedAccount: "BE35968109502837"},
		},
		Ledgers: []sandboxbank.Ledger{
			{AccountID: "acc-1", Currency: "EUR", Booked: 125050, LastBookingDate: "2026-11-28", BookedBefore: 100000, PendingDebits: -2500, CreditLimit: 50000,
				Entries: 12, LastEntryReference: "0000000012", LastChange: changed},
			{AccountID: "card-1", Currency: "EUR", Booked: -4000, LastBookingDate: "2026-11-30", BookedBefore: -1000, Entries: 3, LastEntryReference: "0000000003", LastChange: changed},
		},
	}
}

func get(t *testing.T, h http.Handler, header http.Header) *http.Response {
	t.Helper()
	req := httptest.NewRequest("GET", config.SandboxCustomersPath, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func TestHandler(t *testing.T) {
	h, err := sandboxcustomers.Handler(bank())
	if err != nil {
		t.Fatal(err)
	}
	resp := get(t, h, nil)
	body, _ := io.ReadAll(resp.Body)
	const want = `{"bank":"Sandbox Bank","bic":"SNDXBEBB","date":"2026-11-30","customers":[` +
		`{"login":"bakkerij.janssens","name":"Bakkerij Janssens BV","kind":"business","representative":"Pieter Janssens","password":"sandbox","otp":"123456","accounts":[` +
		`{"resourceId":"acc-1","kind":"current","name":"Business account","product":"Business Account","currency":"EUR","iban":"BE35968109502837","balances":[` +
		`{"balanceAmount":{"currency":"EUR","amount":"1250.50"},"balanceType":"closingBooked","referenceDate":"2026-11-29"},` +
		`{"balanceAmount":{"currency":"EUR","amount":"1250.50"},"balanceType":"interimBooked","lastChangeDateTime":"2026-11-28T09:00:00Z","referenceDate":"2026-11-30","lastCommittedTransaction":"0000000012"},` +
		`{"balanceAmount":{"currency":"EUR","amount":"1225.50"},"balanceType":"expected","lastChangeDateTime":"2026-11-28T09:00:00Z","referenceDate":"2026-11-30"},` +
		`{"balanceAmount":{"currency":"EUR","amount":"1225.50"},"balanceType":"interimAvailable","creditLimitIncluded":false,"referenceDate":"2026-11-30"},` +
		`{"balanceAmount":{"currency":"EUR","amount":"1725.50"},"balanceType":"interimAvailable","creditLimitIncluded":true,"referenceDate":"2026-11-30"}]},` +
		`{"resourceId":"card-1","kind":"card","name":"Business Visa","product":"Credit Card","currency":"EUR","maskedPan":"428358******8152","balances":[` +
		`{"balanceAmount":{"currency":"EUR","amount":"-10.00"},"balanceType":"closingBooked","referenceDate":"2026-11-29"},` +
		`{"balanceAmount":{"currency":"EUR","amount":"-40.00"},"balanceType":"interimBooked","lastChangeDateTime":"2026-11-28T09:00:00Z","referenceDate":"2026-11-30","lastCommittedTransaction":"0000000003"},` +
		`{"balanceAmount":{"currency":"EUR","amount":"-40.00"},"balanceType":"expected","lastChangeDateTime":"2026-11-28T09:00:00Z","referenceDate":"2026-11-30"},` +
		`{"balanceAmount":{"currency":"EUR","amount":"-40.00"},"balanceType":"interimAvailable","creditLimitIncluded":false,"referenceDate":"2026-11-30"}]}]},` +
		`{"login":"emma.devries","name":"Emma de Vries","kind":"private","password":"sandbox","otp":"123456","accounts":[]}]}`
	if resp.StatusCode != 200 || string(body) != want {
		t.Fatalf("got %d %s\nwant %s", resp.StatusCode, body, want)
	}
	etag := resp.Header.Get("ETag")
	for name, value := range map[string]string{"Content-Type": "application/json", "Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*", "X-Content-Type-Options": "nosniff"} {
		if got := resp.Header.Get(name); got != value {
			t.Errorf("%s: %q, want %q", name, got, value)
		}
	}
	if len(etag) != 34 || etag[0] != '"' {
		t.Fatalf("ETag %q", etag)
	}

	t.Run("revalidation with the ETag answers 304 without a body", func(t *testing.T) {
		resp := get(t, h, http.Header{"If-None-Match": {etag}})
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 304 || len(body) != 0 || resp.Header.Get("ETag") != etag {
			t.Fatalf("got %d %q etag %q", resp.StatusCode, body, resp.Header.Get("ETag"))
		}
		if resp := get(t, h, http.Header{"If-None-Match": {`"other"`}}); resp.StatusCode != 200 {
			t.Fatalf("another ETag: %d", resp.StatusCode)
		}
	})

	t.Run("a bank without a valid date is refused at start", func(t *testing.T) {
		b := bank()
		b.Date = "30/11/2026"
		if _, err := sandboxcustomers.Handler(b); err == nil {
			t.Fatal("no error")
		}
	})
}

// TestGeneratedBank: every customer of the configured bank is listed with each of their
// accounts once, in the bank's order, and a multi-currency account shows its
// sub-accounts' balances.
func TestGeneratedBank(t *testing.T) {
	b := sandboxbank.Generate(1, time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC))
	view, err := sandboxcustomers.Of(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(view.Customers) != len(b.Customers) {
		t.Fatalf("%d customers, want %d", len(view.Customers), len(b.Customers))
	}
	var listed []string
	for i, c := range view.Customers {
		if c.Login != b.Customers[i].Login || c.Password != sandboxbank.SandboxPassword || c.OTP != sandboxbank.SandboxOTP {
			t.Fatalf("customer %d: %+v", i, c)
		}
		for _, a := range c.Accounts {
			listed = append(listed, a.ResourceID)
			if a.Kind == sandboxbank.MultiCurrency {
				// Four or five balances per sub-account's ledger, one ledger per sub-account.
				subs := 0
				for _, s := range c.Accounts {
					if s.ParentID == a.ResourceID {
						subs++
					}
				}
				if subs == 0 || len(a.Balances) < 4*subs {
					t.Fatalf("multi-currency %s: %d sub-accounts, %d balances", a.ResourceID, subs, len(a.Balances))
				}
			}
		}
	}
	var want []string
	for _, a := range b.Accounts {
		want = append(want, a.ResourceID)
	}
	cosigned := map[string]string{}
	for _, c := range view.Customers {
		for _, a := range c.Accounts {
			if len(a.Signatories) > 0 {
				cosigned[c.Login+" "+a.Name] = fmt.Sprint(a.Signatories, a.RequiredSignatures)
			}
		}
		if len(c.CosignerFor) > 0 {
			cosigned[c.Login] = fmt.Sprint("co-signs ", c.CosignerFor)
		}
	}
	wantCosigned := map[string]string{
		"atelier.claes Operating account":   "[atelier.claes tom.claes] 2",
		"atelier.claes Tax reserve":         "[atelier.claes tom.claes] 2",
		"tom.claes":                         "co-signs [atelier.claes]",
		"vos.architecten Operating account": "[vos.architecten ruben.vos] 2",
		"ruben.vos":                         "co-signs [vos.architecten]",
	}
	if !reflect.DeepEqual(cosigned, wantCosigned) {
		t.Errorf("signatories %v\nwant %v", cosigned, wantCosigned)
	}
	slices.Sort(listed)
	slices.Sort(want)
	if !slices.Equal(listed, want) {
		t.Fatalf("listed accounts %v\nwant %v", listed, want)
	}
}

// TestRoute: the route is the browser origin's, at the path the portal links to.
func TestRoute(t *testing.T) {
	i := slices.IndexFunc(tpproutes.Browser, func(r platformroute.Route) bool { return r.Name == "sandbox-customers" })
	if i < 0 || tpproutes.Browser[i].Path != config.SandboxCustomersPath || tpproutes.Browser[i].Method != "GET" {
		t.Fatalf("route %+v, want GET %s", tpproutes.Browser, config.SandboxCustomersPath)
	}
}
