package aisapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/tpp/aisapi"
	"github.com/bank/devportal/shared/tpp/bgspec"
	"github.com/bank/devportal/shared/tpp/callercheck"
	"github.com/bank/devportal/shared/tpp/consents"
	"github.com/bank/devportal/shared/tpp/consents/consentdb"
	"github.com/bank/devportal/shared/tpp/consents/consentscope"
	"github.com/bank/devportal/shared/tpp/oauth"
	"github.com/bank/devportal/shared/tpp/piis"
	"github.com/bank/devportal/shared/tpp/routes"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
	"github.com/bank/devportal/shared/tpp/sandboxbank/bankstore"
	"github.com/bank/devportal/shared/tpp/sca/scatarget"
	"github.com/bank/devportal/shared/tpp/tppapi"
)

// withToken is a handler of the TPP routes behind a caller check that found the app of the
// X-Test-App header (bb-app when none) and verified a token of the scope of the
// X-Test-Scope header, or no token when there is none: the call sent no Authorization.
func withToken(mux http.Handler, product string) http.Handler {
	return tppapi.WithRequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		app := r.Header.Get("X-Test-App")
		if app == "" {
			app = "bb-app"
		}
		caller := callercheck.Caller{AppID: app, OrgID: "org-" + app, Environment: lookup.Sandbox, Product: product}
		if scope := r.Header.Get("X-Test-Scope"); scope != "" {
			caller.Token = &callercheck.Token{Scopes: []string{scope}}
		}
		mux.ServeHTTP(w, r.WithContext(callercheck.WithCaller(r.Context(), caller)))
	}))
}

// TestReadsWithoutToken reads accounts under consents authorised at the bank (an
// authorisation's redirect, decoupled or embedded approach, as scatarget finalises it)
// without a token, as the Berlin Group sends none after an SCA that was not OAuth2's;
// and holds the reads that must still present one, or present the right one, to the
// same 401 as before, each answer checked against the official file and no refused read
// counted.
func TestReadsWithoutToken(t *testing.T) {
	ctx := context.Background()
	c, db, bank := testenv.SandboxBank(t)
	today, _ := time.Parse(time.DateOnly, bank.Date)
	now := func() time.Time { return today.Add(9 * time.Hour) }
	svc := &consents.Service{Store: consentdb.New(db, c.TPPTable), Now: now}
	store := bankstore.New(db, c.TPPTable)
	api := &aisapi.API{Consents: svc, Bank: store, Now: now, MetadataURL: "https://api.bank.example/.well-known/oauth-authorization-server"}
	h := api.Handlers()
	mux := http.NewServeMux()
	for _, rt := range routes.TPP {
		if rt.Tag == "AIS" && rt.Bearer {
			mux.Handle(rt.Pattern(), h[rt.Name])
		}
	}
	served := withToken(mux, "ais")

	var account sandboxbank.Account
	for _, a := range bank.Accounts {
		if a.Kind == sandboxbank.Current {
			account = a
			break
		}
	}
	var ledger sandboxbank.Ledger
	for _, l := range bank.Ledgers {
		if l.AccountID == account.ResourceID {
			ledger = l
		}
	}
	// The balances as JSON with its keys in order, as a decoded answer writes them.
	var asDecoded any
	b, _ := json.Marshal(ledger.Balances(today))
	_ = json.Unmarshal(b, &asDecoded)
	wantBalances, _ := json.Marshal(asDecoded)

	atBank := scatarget.Consents{Consents: svc, Bank: store}
	byOAuth := consentscope.Resources{Consents: svc, Bank: store}
	// consent makes a consent of app for the account and its balances, authorised as
	// authorise says ("" leaves it waiting).
	consent := func(app, authorise string) string {
		t.Helper()
		yes, four := true, 4
		ref := []consents.AccountReference{{IBAN: account.IBAN}}
		made, err := svc.Create(ctx, consents.Owner{AppID: app, OrgID: "org-" + app, Environment: "sandbox"},
			consents.Request{Access: &consents.Access{Accounts: ref, Balances: ref}, RecurringIndicator: &yes, ValidUntil: consents.LongestValidUntil,
				FrequencyPerDay: &four, CombinedServiceIndicator: new(bool)}, "https://tpp.example/ok", "")
		if err != nil {
			t.Fatal(err)
		}
		switch authorise {
		case "bank":
			err = atBank.Authorise(ctx, made.ID, account.CustomerID)
		case "oauth":
			err = byOAuth.Approved(ctx, oauth.Resource{Kind: "AIS", ID: made.ID, AppID: app}, account.CustomerID, nil)
		}
		if err != nil {
			t.Fatal(err)
		}
		return made.ID
	}
	redirected, oauthed, waiting := consent("bb-app", "bank"), consent("bb-app", "oauth"), consent("bb-app", "")
	others := consent("other-app", "bank")
	// reads sums the unattended reads counted of every consent: a refused read counts none.
	reads := func() int {
		t.Helper()
		n := 0
		for _, id := range []string{redirected, oauthed, waiting, others} {
			out, err := db.Query(ctx, &dynamodb.QueryInput{TableName: &c.TPPTable, KeyConditionExpression: aws.String("PK = :pk AND begins_with(SK, :use)"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: "CONSENT#" + id}, ":use": &types.AttributeValueMemberS{Value: "USE#"}}})
			if err != nil {
				t.Fatal(err)
			}
			for _, item := range out.Items {
				var use struct {
					Reads int `dynamodbav:"reads"`
				}
				if err := attributevalue.UnmarshalMap(item, &use); err != nil {
					t.Fatal(err)
				}
				n += use.Reads
			}
		}
		return n
	}

	accounts, balances, cards := "/v1/accounts", "/v1/accounts/"+account.ResourceID+"/balances", "/v1/card-accounts"
	for _, tc := range []struct {
		name, path, consent, app, scope string
		status                          int
		code, text                      string
	}{
		{name: "redirect-authorised, no token: the accounts", path: accounts, consent: redirected, status: 200},
		{name: "redirect-authorised, no token: the balances", path: balances, consent: redirected, status: 200},
		{name: "redirect-authorised, no token: the card accounts (none granted)", path: cards, consent: redirected, status: 200},
		{name: "OAuth-authorised with its token", path: balances, consent: oauthed, scope: "AIS:" + oauthed, status: 200},
		{name: "OAuth-authorised, no token", path: accounts, consent: oauthed, status: 401, code: "TOKEN_INVALID",
			text: "This consent was authorised through OAuth2: send the access token of that authorisation in the Authorization header (Bearer) with the Consent-ID."},
		{name: "OAuth-authorised, no token: the balances", path: balances, consent: oauthed, status: 401, code: "TOKEN_INVALID"},
		{name: "OAuth-authorised, a token of another consent", path: accounts, consent: oauthed, scope: "AIS:" + redirected, status: 401, code: "TOKEN_INVALID"},
		{name: "redirect-authorised, a token of another consent", path: accounts, consent: redirected, scope: "AIS:" + oauthed, status: 401, code: "TOKEN_INVALID",
			text: "The access token was not issued for this consent: use the token the customer's OAuth2 authorisation of the Consent-ID gave, or none for a consent authorised at the bank."},
		{name: "redirect-authorised, a basket's token", path: accounts, consent: redirected, scope: "SBS:basket-1", status: 401, code: "TOKEN_INVALID"},
		{name: "another app's consent, no token", path: accounts, consent: others, status: 403, code: "CONSENT_UNKNOWN"},
		{name: "another app's consent, as its app", path: accounts, consent: others, app: "other-app", status: 200},
		{name: "a consent waiting for its customer, no token", path: accounts, consent: waiting, status: 401, code: "CONSENT_INVALID"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := reads()
			r := call("GET", tc.path, tc.app, "")
			r.Header.Set("Consent-ID", tc.consent)
			if tc.scope != "" {
				r.Header.Set("X-Test-Scope", tc.scope)
			}
			status, body := answer(bgspec.Check(t, bgspec.NextGenPSD2, served, r))
			if status != tc.status || firstCode(body) != tc.code {
				t.Fatalf("%d %v, want %d %s", status, body, tc.status, tc.code)
			}
			counted := reads() - before
			if tc.status != 200 {
				if tc.text != "" && body["tppMessages"].([]any)[0].(map[string]any)["text"] != tc.text {
					t.Fatalf("text %v, want %q", body["tppMessages"], tc.text)
				}
				if counted != 0 {
					t.Fatalf("the refused read counted %d reads", counted)
				}
				return
			}
			if counted != 1 {
				t.Fatalf("the read counted %d reads, want 1", counted)
			}
			if tc.path == cards {
				if list, ok := body["cardAccounts"].([]any); !ok || len(list) != 0 {
					t.Fatalf("card accounts %v, want none", body)
				}
				return
			}
			if tc.path == accounts {
				list := body["accounts"].([]any)
				if len(list) != 1 || list[0].(map[string]any)["iban"] != account.IBAN || list[0].(map[string]any)["resourceId"] != account.ResourceID {
					t.Fatalf("accounts %v, want %s (%s)", list, account.IBAN, account.ResourceID)
				}
				return
			}
			got, _ := json.Marshal(body["balances"])
			if string(got) != string(wantBalances) || body["account"].(map[string]any)["iban"] != account.IBAN {
				t.Fatalf("balances of %v: %s, want %s", body["account"], got, wantBalances)
			}
		})
	}
}

// TestFundsWithoutToken: a confirmation-of-funds consent authorised at the bank answers
// without a token; one authorised through OAuth2 still needs its token.
func TestFundsWithoutToken(t *testing.T) {
	ctx := context.Background()
	c, db, bank := testenv.SandboxBank(t)
	store := bankstore.New(db, c.TPPTable)
	funds := &piis.Service{Store: consentdb.NewPIIS(db, c.TPPTable), Bank: store}
	api := &aisapi.API{Funds: funds, Bank: store, MetadataURL: "https://api.bank.example/.well-known/oauth-authorization-server"}
	mux := http.NewServeMux()
	mux.Handle("POST /v1/funds-confirmations", api.Handlers()["cof-confirm"])
	served := withToken(mux, "cof")
	var account sandboxbank.Account
	for _, a := range bank.Accounts {
		if a.Kind == sandboxbank.Current {
			account = a
			break
		}
	}
	consent := func(by consents.Authorisation) string {
		t.Helper()
		made, err := funds.Create(ctx, consents.Owner{AppID: "bb-app", OrgID: "org-bb-app"}, piis.Request{Account: &consents.AccountReference{IBAN: account.IBAN}})
		if err != nil {
			t.Fatal(err)
		}
		if by == consents.ByBank {
			err = scatarget.Funds{Funds: funds}.Authorise(ctx, made.ID, account.CustomerID)
		} else {
			err = consentscope.Resources{Funds: funds}.Approved(ctx, oauth.Resource{Kind: "PIIS", ID: made.ID, AppID: "bb-app"}, account.CustomerID, nil)
		}
		if err != nil {
			t.Fatal(err)
		}
		return made.ID
	}
	atBank, oauthed := consent(consents.ByBank), consent(consents.ByOAuth)
	body := fmt.Sprintf(`{"account":{"iban":"%s"},"instructedAmount":{"currency":"%s","amount":"0.01"}}`, account.IBAN, account.Currency)
	for _, tc := range []struct {
		name, consent, scope string
		status               int
		code                 string
	}{
		{"authorised at the bank, no token", atBank, "", 200, ""},
		{"authorised at the bank, a token of another consent", atBank, "PIIS:" + oauthed, 401, "TOKEN_INVALID"},
		{"authorised through OAuth2, no token", oauthed, "", 401, "TOKEN_INVALID"},
		{"authorised through OAuth2, its token", oauthed, "PIIS:" + oauthed, 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := call("POST", "/v1/funds-confirmations", "", body)
			r.Header.Set("Consent-ID", tc.consent)
			if tc.scope != "" {
				r.Header.Set("X-Test-Scope", tc.scope)
			}
			status, out := answer(bgspec.Check(t, bgspec.NextGenPSD2, served, r))
			if status != tc.status || firstCode(out) != tc.code || status == 200 && out["fundsAvailable"] != true {
				t.Fatalf("%d %v, want %d %s", status, out, tc.status, tc.code)
			}
		})
	}
}
