package aisapi_test

import (
	"context"
	"net/http"
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
	"github.com/bank/devportal/shared/tpp/sca"
	"github.com/bank/devportal/shared/tpp/sca/scatarget"
	"github.com/bank/devportal/shared/tpp/scaapi"
	"github.com/bank/devportal/shared/tpp/tppapi"
)

// TestConsentApproaches: an account-information consent authorised in the embedded
// approach (PUT …/authorisations/{authorisationId}, step by step) becomes valid for the
// accounts it names; a confirmation-of-funds consent authorised in the decoupled approach
// becomes valid once its customer approves in the bank's app; a wrong password is
// refused. Each answer is checked against its official file.
func TestConsentApproaches(t *testing.T) {
	ctx := context.Background()
	c, db, bank := testenv.SandboxBank(t)
	store := bankstore.New(db, c.TPPTable)
	svc := &consents.Service{Store: consentdb.New(db, c.TPPTable)}
	funds := &piis.Service{Store: consentdb.NewPIIS(db, c.TPPTable), Bank: store}
	authorisations := scatarget.OnTable(db, c.TPPTable, nil, nil)
	const metadata = "https://api.bank.example/.well-known/oauth-authorization-server"
	api := &aisapi.API{Consents: svc, Funds: funds, Bank: store, MetadataURL: metadata,
		Authorisations: &scaapi.API{SCA: authorisations, MetadataURL: metadata, BankURL: "https://portal.bank.example"}}
	h := api.Handlers()
	mux := http.NewServeMux()
	for _, rt := range routes.TPP {
		if (rt.Tag == "AIS" || rt.Tag == "CoF") && !rt.Bearer {
			mux.Handle(rt.Pattern(), h[rt.Name])
		}
	}
	served := tppapi.WithRequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		app := r.Header.Get("X-Test-App")
		mux.ServeHTTP(w, r.WithContext(callercheck.WithCaller(r.Context(), callercheck.Caller{AppID: app, OrgID: "org-" + app, Environment: lookup.Sandbox})))
	}))
	var account sandboxbank.Account
	for _, a := range bank.Accounts {
		if a.Kind == sandboxbank.Current && a.ParentID == "" {
			account = a
			break
		}
	}
	var customer sandboxbank.Customer
	for _, cu := range bank.Customers {
		if cu.ID == account.CustomerID {
			customer = cu
		}
	}
	send := func(doc, method, path string, headers map[string]string, body string, status int, code string) (map[string]any, http.Header) {
		t.Helper()
		r := call(method, path, "tpp", body)
		for k, v := range headers {
			r.Header.Set(k, v)
		}
		w := bgspec.Check(t, doc, served, r)
		got, out := answer(w)
		if got != status || firstCode(out) != code {
			t.Fatalf("%s %s: %d %v, want %d %s", method, path, got, out, status, code)
		}
		return out, w.Header()
	}
	link := func(out map[string]any, name string) string {
		l, _ := out["_links"].(map[string]any)[name].(map[string]any)
		s, _ := l["href"].(string)
		return s
	}

	// Embedded, account information.
	const psd2 = bgspec.NextGenPSD2
	out, hdr := send(psd2, "POST", "/v1/consents", map[string]string{"TPP-Redirect-Preferred": "false"},
		`{"access":{"accounts":[{"iban":"`+account.IBAN+`"}],"balances":[{"iban":"`+account.IBAN+`"}]},"recurringIndicator":true,"validUntil":"9999-12-31","frequencyPerDay":4,"combinedServiceIndicator":false}`, 201, "")
	path := "/v1/consents/" + out["consentId"].(string)
	if hdr.Get("ASPSP-SCA-Approach") != "EMBEDDED" || link(out, "startAuthorisationWithPsuAuthentication") != path+"/authorisations" || link(out, "scaOAuth") != "" {
		t.Fatalf("create: %v %v", out, hdr)
	}
	out, hdr = send(psd2, "POST", path+"/authorisations", map[string]string{"TPP-Redirect-Preferred": "false"}, "", 201, "")
	self := hdr.Get("Location")
	if out["scaStatus"] != "received" || link(out, "updatePsuAuthentication") != self {
		t.Fatalf("start: %v", out)
	}
	psu := map[string]string{"PSU-ID": customer.Login}
	send(psd2, "PUT", self, psu, `{"psuData":{"password":"not-it"}}`, 401, "PSU_CREDENTIALS_INVALID")
	if out, _ = send(psd2, "PUT", self, psu, `{"psuData":{"password":"`+sandboxbank.SandboxPassword+`"}}`, 200, ""); out["scaStatus"] != "psuAuthenticated" || link(out, "selectAuthenticationMethod") != self {
		t.Fatalf("password: %v", out)
	}
	if out, _ = send(psd2, "PUT", self, nil, `{"authenticationMethodId":"app"}`, 200, ""); out["scaStatus"] != "scaMethodSelected" || link(out, "authoriseTransaction") != self {
		t.Fatalf("method: %v", out)
	}
	if out, _ = send(psd2, "PUT", self, nil, `{"scaAuthenticationData":"`+sandboxbank.SandboxOTP+`"}`, 200, ""); out["scaStatus"] != "finalised" {
		t.Fatalf("code: %v", out)
	}
	if out, _ = send(psd2, "GET", path+"/status", nil, "", 200, ""); out["consentStatus"] != "valid" {
		t.Fatalf("the consent: %v", out)
	}
	got, err := svc.Find(ctx, out2id(path))
	if err != nil || got.Grant == nil || got.Grant.Subject != customer.ID || len(got.Grant.Balances) != 1 || got.Grant.Balances[0] != account.ResourceID {
		t.Fatalf("the grant: %+v %v", got.Grant, err)
	}

	// Decoupled, confirmation of funds.
	const cof = bgspec.FundsConfirmation
	out, hdr = send(cof, "POST", "/v2/consents/confirmation-of-funds", map[string]string{"TPP-Decoupled-Preferred": "true"}, `{"account":{"iban":"`+account.IBAN+`"}}`, 201, "")
	path = "/v2/consents/confirmation-of-funds/" + out["consentId"].(string)
	if hdr.Get("ASPSP-SCA-Approach") != "DECOUPLED" || link(out, "startAuthorisationWithPsuIdentification") != path+"/authorisations" {
		t.Fatalf("create: %v %v", out, hdr)
	}
	out, hdr = send(cof, "POST", path+"/authorisations", map[string]string{"TPP-Decoupled-Preferred": "true"}, "", 201, "")
	self = hdr.Get("Location")
	if out["scaStatus"] != "received" || link(out, "updatePsuIdentification") != self {
		t.Fatalf("start: %v", out)
	}
	if out, _ = send(cof, "PUT", self, psu, "{}", 200, ""); out["scaStatus"] != "started" {
		t.Fatalf("identified: %v", out)
	}
	waiting, err := authorisations.WaitingFor(ctx, customer.ID)
	if err != nil || len(waiting) != 1 || waiting[0].Kind != sca.PIISConsent {
		t.Fatalf("the customer's app: %+v %v", waiting, err)
	}
	if _, err := authorisations.Decide(ctx, waiting[0].Ref(), customer.ID, true); err != nil {
		t.Fatal(err)
	}
	if out, _ = send(cof, "GET", self, nil, "", 200, ""); out["scaStatus"] != "finalised" {
		t.Fatalf("polled: %v", out)
	}
	if out, _ = send(cof, "GET", path+"/status", nil, "", 200, ""); out["consentStatus"] != "valid" {
		t.Fatalf("the consent: %v", out)
	}
}

func out2id(path string) string { return path[len("/v1/consents/"):] }
