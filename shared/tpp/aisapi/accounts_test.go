package aisapi_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
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
	"github.com/bank/devportal/shared/tpp/routes"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
	"github.com/bank/devportal/shared/tpp/sandboxbank/bankstore"
	"github.com/bank/devportal/shared/tpp/tppapi"
)

// TestAccountEndpoints reads the sandbox bank under consents as a TPP does, and checks
// every answer against the official Berlin Group file: the list of accounts and card
// accounts, details, balances, the transactions of a period page by page through the next
// links, pending ones; and each refusal: no consent header, an account outside the
// consent, a consent for the list only, a bad period, the fifth unattended read.
func TestAccountEndpoints(t *testing.T) {
	ctx := context.Background()
	c, db, bank := testenv.SandboxBank(t)
	today, _ := time.Parse(time.DateOnly, bank.Date)
	// The clock stands at 09:00 of the bank's day; a test may move it (expired consents).
	var shift atomic.Int64
	now := func() time.Time { return today.Add(9*time.Hour + time.Duration(shift.Load())) }
	svc := &consents.Service{Store: consentdb.New(db, c.TPPTable), Now: now}
	api := &aisapi.API{Consents: svc, Bank: bankstore.New(db, c.TPPTable), Now: now, MetadataURL: "https://api.bank.example/.well-known/oauth-authorization-server"}
	h := api.Handlers()
	mux := http.NewServeMux()
	for _, rt := range routes.TPP {
		if rt.Tag == "AIS" && rt.Bearer {
			mux.Handle(rt.Pattern(), h[rt.Name])
		}
	}
	owner := consents.Owner{AppID: "bb-app", OrgID: "bb", Environment: "sandbox"}
	served := tppapi.WithRequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The caller check verified a token of the customer's authorisation of the
		// Consent-ID, unless the test says it was of another scope.
		scope := r.Header.Get("X-Test-Scope")
		if scope == "" {
			scope = "AIS:" + r.Header.Get("Consent-ID")
		}
		ctx := callercheck.WithCaller(r.Context(), callercheck.Caller{AppID: owner.AppID, OrgID: owner.OrgID, Environment: lookup.Sandbox, Product: "ais",
			Token: &callercheck.Token{Scopes: []string{scope}}})
		mux.ServeHTTP(w, r.WithContext(ctx))
	}))

	// The customer with the most accounts, a card account among them.
	var psu sandboxbank.Customer
	var theirs []sandboxbank.Account
	for _, cu := range bank.Customers {
		var accs []sandboxbank.Account
		for _, a := range bank.Accounts {
			if a.CustomerID == cu.ID && a.Kind != sandboxbank.MultiCurrency {
				accs = append(accs, a)
			}
		}
		if len(accs) > len(theirs) {
			psu, theirs = cu, accs
		}
	}
	var current, card sandboxbank.Account
	for _, a := range theirs {
		switch {
		case a.Kind == sandboxbank.Card && card.ResourceID == "":
			card = a
		case a.Kind == sandboxbank.Current && current.ResourceID == "":
			current = a
		}
	}
	if current.ResourceID == "" || card.ResourceID == "" {
		t.Fatalf("%s has no current and card account: %+v", psu.Login, theirs)
	}
	grantable := make([]consents.Account, len(theirs))
	for i, a := range theirs {
		grantable[i] = consents.Account{ID: a.ResourceID, IBAN: a.IBAN, Currency: a.Currency, Kind: string(a.Kind), MaskedPAN: a.MaskedPAN}
	}
	approved := func(access consents.Access, recurring bool, perDay int) string {
		t.Helper()
		req := consents.Request{Access: &access, RecurringIndicator: &recurring, ValidUntil: consents.LongestValidUntil, FrequencyPerDay: &perDay, CombinedServiceIndicator: new(bool)}
		made, err := svc.Create(ctx, owner, req, "", "")
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.Approve(ctx, made.ID, psu.ID, consents.ByOAuth, grantable, nil); err != nil {
			t.Fatal(err)
		}
		return made.ID
	}
	all := approved(consents.Access{AllPSD2: consents.AllAccountsWithOwnerName}, true, 4)
	listOnly := approved(consents.Access{AvailableAccounts: consents.AllAccounts}, false, 1)
	oneAccount := approved(consents.Access{Accounts: []consents.AccountReference{{IBAN: current.IBAN}}}, true, 4)
	// One the customer revoked at the bank, and one of another TPP's app.
	revoked := approved(consents.Access{AllPSD2: consents.AllAccounts}, true, 4)
	if err := svc.Revoke(ctx, revoked, psu.ID); err != nil {
		t.Fatal(err)
	}
	yes, four := true, 4
	others, err := svc.Create(ctx, consents.Owner{AppID: "other-app", OrgID: "other"}, consents.Request{Access: &consents.Access{AllPSD2: consents.AllAccounts},
		RecurringIndicator: &yes, ValidUntil: consents.LongestValidUntil, FrequencyPerDay: &four, CombinedServiceIndicator: new(bool)}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Approve(ctx, others.ID, psu.ID, consents.ByOAuth, grantable, nil); err != nil {
		t.Fatal(err)
	}
	// state is what a call could change: every item of the consents' partitions (the
	// consent, its authorisations, its reads of the day).
	state := func() string {
		t.Helper()
		var items []map[string]any
		for _, id := range []string{all, listOnly, oneAccount, revoked, others.ID} {
			out, err := db.Query(ctx, &dynamodb.QueryInput{TableName: &c.TPPTable, KeyConditionExpression: aws.String("PK = :pk"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: "CONSENT#" + id}}})
			if err != nil {
				t.Fatal(err)
			}
			var part []map[string]any
			if err := attributevalue.UnmarshalListOfMaps(out.Items, &part); err != nil {
				t.Fatal(err)
			}
			items = append(items, part...)
		}
		b, _ := json.Marshal(items)
		return fmt.Sprintf("%d items %x", len(items), sha256.Sum256(b))
	}

	get := func(path, consentID string, attended bool) *http.Request {
		r, _ := http.NewRequest("GET", path, nil)
		r.Header.Set("X-Request-ID", requestID)
		if consentID != "" {
			r.Header.Set("Consent-ID", consentID)
		}
		if attended {
			r.Header.Set("PSU-IP-Address", "192.0.2.44")
		}
		return r
	}
	check := func(path, consentID string, status int, code string) map[string]any {
		t.Helper()
		w := bgspec.Check(t, bgspec.NextGenPSD2, served, get(path, consentID, true))
		got, body := answer(w)
		if got != status || firstCode(body) != code {
			t.Fatalf("GET %s: %d %v, want %d %s", path, got, body, status, code)
		}
		return body
	}

	body := check("/v1/accounts?withBalance=true", all, 200, "")
	accounts := body["accounts"].([]any)
	var withOwner int
	for _, a := range accounts {
		m := a.(map[string]any)
		if m["ownerName"] != nil && m["balances"] != nil {
			withOwner++
		}
	}
	var cardCount int
	for _, a := range theirs {
		if a.Kind == sandboxbank.Card {
			cardCount++
		}
	}
	if len(accounts) != len(theirs)-cardCount || withOwner != len(accounts) {
		t.Fatalf("%d accounts (%d with owner and balances), want the %d non-card accounts of %s", len(accounts), withOwner, len(theirs)-cardCount, psu.Login)
	}
	if cards := check("/v1/card-accounts", all, 200, "")["cardAccounts"].([]any); len(cards) != cardCount {
		t.Fatalf("card accounts %v, want %d", cards, cardCount)
	}
	if acc := check("/v1/accounts/"+current.ResourceID, all, 200, "")["account"].(map[string]any); acc["iban"] != current.IBAN {
		t.Fatalf("account %v", acc)
	}
	check("/v1/card-accounts/"+card.ResourceID, all, 200, "")
	balances := check("/v1/accounts/"+current.ResourceID+"/balances", all, 200, "")["balances"].([]any)
	if len(balances) < 4 {
		t.Fatalf("balances %v", balances)
	}
	check("/v1/card-accounts/"+card.ResourceID+"/balances", all, 200, "")

	// The booked transactions of the 13 months, page by page: every one once, in order.
	var want int
	for _, tx := range bank.Transactions {
		if tx.AccountID == current.ResourceID && tx.Status == sandboxbank.Booked {
			want++
		}
	}
	const from = "2000-01-01"
	first0 := "/v1/accounts/" + current.ResourceID + "/transactions?bookingStatus=booked&dateFrom=" + from
	path := first0
	seen := map[string]bool{}
	pages := 0
	for path != "" {
		report := check(path, all, 200, "")["transactions"].(map[string]any)
		for _, tx := range report["booked"].([]any) {
			id := tx.(map[string]any)["transactionId"].(string)
			if seen[id] {
				t.Fatalf("transaction %s twice", id)
			}
			seen[id] = true
		}
		pages++
		path = ""
		if next, ok := report["_links"].(map[string]any)["next"]; ok {
			path = next.(map[string]any)["href"].(string)
		}
	}
	t.Logf("%d booked transactions of %s in %d pages", len(seen), current.ResourceID, pages)
	if len(seen) != want || want == 0 {
		t.Fatalf("%d booked transactions in %d pages, the bank has %d", len(seen), pages, want)
	}
	// Backwards from the last page through the previous links: the same transactions,
	// in as many pages, the first link leading back to the start.
	first := check(first0, all, 200, "")["transactions"].(map[string]any)["_links"].(map[string]any)
	path = first["last"].(map[string]any)["href"].(string)
	back := map[string]bool{}
	var backPages int
	var firstHref string
	for path != "" {
		report := check(path, all, 200, "")["transactions"].(map[string]any)
		for _, tx := range report["booked"].([]any) {
			back[tx.(map[string]any)["transactionId"].(string)] = true
		}
		backPages++
		links := report["_links"].(map[string]any)
		firstHref = links["first"].(map[string]any)["href"].(string)
		path = ""
		if prev, ok := links["previous"]; ok {
			path = prev.(map[string]any)["href"].(string)
		}
	}
	if !maps.Equal(back, seen) || backPages != pages {
		t.Fatalf("backwards: %d transactions in %d pages, forwards %d in %d", len(back), backPages, len(seen), pages)
	}
	if firstHref != first0 {
		t.Fatalf("first link %s, want %s", firstHref, first0)
	}
	// The details of each booked transaction of the first page and of a pending one.
	var details []string
	for _, tx := range bank.Transactions {
		if tx.AccountID == current.ResourceID && (len(details) < 3 || tx.Status == sandboxbank.Pending && len(details) == 3) {
			details = append(details, tx.ID)
		}
	}
	for _, id := range details {
		got := check("/v1/accounts/"+current.ResourceID+"/transactions/"+id, all, 200, "")["transactionsDetails"].(map[string]any)
		if got["transactionId"] != id {
			t.Fatalf("details of %s: %v", id, got)
		}
	}
	var cardTx string
	for _, tx := range bank.Transactions {
		if tx.AccountID == card.ResourceID {
			cardTx = tx.ID
			break
		}
	}
	check("/v1/accounts/"+current.ResourceID+"/transactions/no-such-transaction", all, 404, "RESOURCE_UNKNOWN")
	check("/v1/accounts/"+current.ResourceID+"/transactions/"+cardTx, all, 404, "RESOURCE_UNKNOWN")
	check("/v1/accounts/"+current.ResourceID+"/transactions/"+details[0], oneAccount, 401, "CONSENT_INVALID")
	check("/v1/accounts/"+current.ResourceID+"/transactions?bookingStatus=both&dateFrom="+bank.Date+"&withBalance=true", all, 200, "")
	check("/v1/card-accounts/"+card.ResourceID+"/transactions?bookingStatus=pending", all, 200, "")

	// Each refusal has its code, and changes nothing.
	before := state()
	for _, c := range []struct {
		name, path, consent string
		status              int
		code                string
	}{
		{"a revoked consent", "/v1/accounts", revoked, 401, "CONSENT_INVALID"},
		{"another TPP's consent", "/v1/accounts", others.ID, 403, "CONSENT_UNKNOWN"},
		{"no Consent-ID", "/v1/accounts", "", 400, "FORMAT_ERROR Consent-ID"},
		{"an unknown consent", "/v1/accounts", "nothing", 403, "CONSENT_UNKNOWN"},
		{"an account outside the consent", "/v1/accounts/" + card.ResourceID, oneAccount, 401, "CONSENT_INVALID"},
		{"balances the consent does not give", "/v1/accounts/" + current.ResourceID + "/balances", oneAccount, 401, "CONSENT_INVALID"},
		{"a consent for the list only", "/v1/accounts/" + current.ResourceID, listOnly, 401, "CONSENT_INVALID"},
		{"a card account under /v1/accounts", "/v1/accounts/" + card.ResourceID, all, 404, "RESOURCE_UNKNOWN"},
		{"no bookingStatus", "/v1/accounts/" + current.ResourceID + "/transactions?dateFrom=2026-01-01", all, 400, "FORMAT_ERROR bookingStatus"},
		{"standing orders", "/v1/accounts/" + current.ResourceID + "/transactions?bookingStatus=information", all, 400, "PARAMETER_NOT_SUPPORTED"},
		{"booked without dateFrom", "/v1/accounts/" + current.ResourceID + "/transactions?bookingStatus=booked", all, 400, "FORMAT_ERROR dateFrom"},
		{"a malformed date", "/v1/accounts/" + current.ResourceID + "/transactions?bookingStatus=booked&dateFrom=01.01.2026", all, 400, "FORMAT_ERROR dateFrom"},
		{"a period backwards", "/v1/accounts/" + current.ResourceID + "/transactions?bookingStatus=booked&dateFrom=2026-02-01&dateTo=2026-01-01", all, 400, "PERIOD_INVALID"},
		{"a delta list", "/v1/accounts/" + current.ResourceID + "/transactions?bookingStatus=booked&deltaList=true", all, 400, "PARAMETER_NOT_SUPPORTED"},
		{"a forged cursor", "/v1/accounts/" + current.ResourceID + "/transactions?bookingStatus=booked&dateFrom=2000-01-01&cursor=" + url.QueryEscape("forged"), all, 400, "FORMAT_ERROR cursor"},
	} {
		t.Run(c.name, func(t *testing.T) { check(c.path, c.consent, c.status, c.code) })
	}

	t.Run("a token of another consent", func(t *testing.T) {
		r := get("/v1/accounts/"+current.ResourceID, all, true)
		r.Header.Set("X-Test-Scope", "AIS:"+oneAccount)
		if status, body := answer(bgspec.Check(t, bgspec.NextGenPSD2, served, r)); status != 401 || firstCode(body) != "TOKEN_INVALID" {
			t.Fatalf("got %d %v", status, body)
		}
	})

	t.Run("an expired consent", func(t *testing.T) {
		// The day after its last one (validUntil, 180 days on).
		shift.Store(int64(181 * 24 * time.Hour))
		defer shift.Store(0)
		check("/v1/accounts", all, 401, "CONSENT_EXPIRED")
	})
	t.Run("no X-Request-ID", func(t *testing.T) {
		r := get("/v1/accounts", all, true)
		r.Header.Del("X-Request-ID")
		w := httptest.NewRecorder()
		served.ServeHTTP(w, r)
		if status, body := answer(w); status != 400 || firstCode(body) != "FORMAT_ERROR X-Request-ID" {
			t.Fatalf("got %d %v", status, body)
		}
	})
	if after := state(); after != before {
		t.Fatalf("the refusals changed the consents: %s, was %s", after, before)
	}

	// Four unattended reads of an account a day; the fifth waits for tomorrow and is not
	// counted.
	for i := 1; i <= 5; i++ {
		before := state()
		w := bgspec.Check(t, bgspec.NextGenPSD2, served, get("/v1/accounts/"+current.ResourceID, oneAccount, false))
		status, body := answer(w)
		if want := map[bool]int{true: 200, false: 429}[i <= 4]; status != want {
			t.Fatalf("unattended read %d: %d %v", i, status, body)
		}
		if i == 5 && !strings.HasPrefix(firstCode(body), "ACCESS_EXCEEDED") {
			t.Fatalf("fifth read: %v", body)
		}
		if i == 5 && state() != before {
			t.Fatal("the refused fifth read changed the consent's reads")
		}
	}
}
