package pisapi_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/bank/devportal/shared/local/motoserver"
	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/tpp/bgspec"
	"github.com/bank/devportal/shared/tpp/callercheck"
	"github.com/bank/devportal/shared/tpp/payments"
	"github.com/bank/devportal/shared/tpp/payments/paymentdb"
	"github.com/bank/devportal/shared/tpp/pisapi"
	"github.com/bank/devportal/shared/tpp/routes"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
	"github.com/bank/devportal/shared/tpp/sandboxbank/bankstore"
	"github.com/bank/devportal/shared/tpp/sca"
	"github.com/bank/devportal/shared/tpp/sca/scatarget"
	"github.com/bank/devportal/shared/tpp/scaapi"
	"github.com/bank/devportal/shared/tpp/tppapi"
)

// TestMain runs the tests, then fails if an answer of one of the payment and signing basket
// operations was never checked against the Berlin Group files.
func TestMain(m *testing.M) {
	testenv.MainThen(m, bgspec.Gate(routes.Tagged("PIS", "SBS")))
}

const metadataURL = "https://api.bank.example/.well-known/oauth-authorization-server"

func iban(account int) string {
	i, err := sandboxbank.NewIBAN("BE", sandboxbank.BelgianBBAN(sandboxbank.BankCode, account))
	if err != nil {
		panic(err)
	}
	return i
}

var (
	debtorIBAN   = iban(1001)
	creditorIBAN = iban(2002)
)

// world is the payment and signing basket endpoints on their paths, behind a caller check
// that names the app of the X-Test-App header (the caller check has its own tests), over a
// fresh TPP table with a small bank: psu-1 holds acc-debtor (1000.00), psu-2 acc-creditor (50.00).
type world struct {
	h    http.Handler
	svc  *payments.Service
	sca  *sca.Service
	bank *bankstore.Store
	db   *dynamodb.Client
	tbl  string
	// now is the clock of the payments and their authorisations.
	now time.Time
}

// bankURL is the sandbox bank's origin in the scaRedirect links.
const bankURL = "https://portal.bank.example"

func newWorld(t *testing.T) *world {
	t.Helper()
	return newWorldOf(t, smallBank())
}

// account is a current account of customer in euros.
func account(id, customer, iban string) sandboxbank.Account {
	return sandboxbank.Account{ResourceID: id, CustomerID: customer, Kind: sandboxbank.Current, IBAN: iban, Currency: "EUR",
		Product: "Current Account", Name: "Main", OwnerName: customer, Usage: "PRIV", Status: "enabled"}
}

// smallBank is the bank of newWorld.
func smallBank() sandboxbank.Bank {
	return sandboxbank.Bank{Seed: 1, Date: "2026-12-01",
		Customers: []sandboxbank.Customer{{ID: "psu-1", Login: "one", Password: sandboxbank.SandboxPassword, OTP: sandboxbank.SandboxOTP},
			{ID: "psu-2", Login: "two", Password: sandboxbank.SandboxPassword, OTP: sandboxbank.SandboxOTP}},
		Accounts: []sandboxbank.Account{account("acc-debtor", "psu-1", debtorIBAN), account("acc-creditor", "psu-2", creditorIBAN)},
		Ledgers: []sandboxbank.Ledger{{AccountID: "acc-debtor", Currency: "EUR", Booked: 100000, LastBookingDate: "2026-12-01"},
			{AccountID: "acc-creditor", Currency: "EUR", Booked: 5000, LastBookingDate: "2026-12-01"}}}
}

// newWorldOf is the world of newWorld over bank.
func newWorldOf(t *testing.T, bank sandboxbank.Bank) *world {
	t.Helper()
	ctx := context.Background()
	c := testenv.Config(t, testenv.MotoEndpoint(t))
	c.TPPTable = "tpp-" + testenv.Suffix()
	db := dynamodb.NewFromConfig(testenv.AWS(t, c))
	if err := motoserver.CreateTables(ctx, db, c); err != nil {
		t.Fatal(err)
	}
	bs := bankstore.New(db, c.TPPTable)
	if _, err := bs.Load(ctx, bank, false); err != nil {
		t.Fatal(err)
	}
	w := world{bank: bs, db: db, tbl: c.TPPTable, now: time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)}
	clock := func() time.Time { return w.now }
	svc := &payments.Service{Store: paymentdb.New(db, c.TPPTable), Now: clock}
	w.svc = svc
	w.sca = scatarget.OnTable(db, c.TPPTable, clock, nil)
	h := (&pisapi.API{Payments: svc, MetadataURL: metadataURL, Baskets: scatarget.BasketsOf(w.sca),
		Authorisations: &scaapi.API{SCA: w.sca, MetadataURL: metadataURL, BankURL: bankURL}}).Handlers()
	mux := http.NewServeMux()
	mounted := 0
	for _, rt := range routes.TPP {
		if rt.Tag == "PIS" || rt.Tag == "SBS" {
			if h[rt.Name] == nil {
				t.Fatalf("no handler of the route %s", rt.Name)
			}
			mux.Handle(rt.Pattern(), h[rt.Name])
			mounted++
		}
	}
	if mounted != len(h) {
		t.Fatalf("%d PIS and SBS routes, %d handlers", mounted, len(h))
	}
	served := tppapi.WithRequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		app := r.Header.Get("X-Test-App")
		ctx := callercheck.WithCaller(r.Context(), callercheck.Caller{AppID: app, OrgID: "org-" + app, Environment: lookup.Sandbox, Product: "pis",
			RedirectURIs: []string{"https://tpp.example/callback"}})
		mux.ServeHTTP(w, r.WithContext(ctx))
	}))
	w.h = served
	return &w
}

// state is the TPP table's items, hashed: a refusal leaves it as it was.
func (w *world) state(t *testing.T) string {
	t.Helper()
	out, err := w.db.Scan(context.Background(), &dynamodb.ScanInput{TableName: &w.tbl})
	if err != nil {
		t.Fatal(err)
	}
	var items []map[string]any
	if err := attributevalue.UnmarshalListOfMaps(out.Items, &items); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(items)
	return fmt.Sprintf("%d items %x", len(items), sha256.Sum256(b))
}

const requestID = "5f0c8b8e-6a1f-4b7e-9a55-3d2f1c0e7b10"

func reqID(i int) string { return fmt.Sprintf("5f0c8b8e-6a1f-4b7e-9a55-%012d", i) }

func call(method, path, app, id, contentType, body string) *http.Request {
	var r *http.Request
	if body == "" {
		r = httptest.NewRequest(method, path, nil)
	} else {
		r = httptest.NewRequest(method, path, strings.NewReader(body))
		r.Header.Set("Content-Type", contentType)
	}
	if id != "" {
		r.Header.Set("X-Request-ID", id)
	}
	r.Header.Set("PSU-IP-Address", "192.0.2.10")
	r.Header.Set("X-Test-App", app)
	return r
}

// send calls the handler and checks the answer against the official file.
func (w *world) send(t *testing.T, r *http.Request) (*httptest.ResponseRecorder, map[string]any) {
	t.Helper()
	rec := bgspec.Check(t, bgspec.NextGenPSD2, w.h, r)
	var out map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return rec, out
}

// messages are a Berlin Group error's messages, "CODE path" each.
func messages(body map[string]any) string {
	msgs, _ := body["tppMessages"].([]any)
	var out []string
	for _, m := range msgs {
		m := m.(map[string]any)
		s := m["code"].(string)
		if p, _ := m["path"].(string); p != "" {
			s += " " + p
		}
		out = append(out, s)
	}
	return strings.Join(out, "; ")
}

func single(amount, creditor string) string {
	return `{"debtorAccount":{"iban":"` + debtorIBAN + `"},"instructedAmount":{"currency":"EUR","amount":"` + amount +
		`"},"creditorAccount":{"iban":"` + creditor + `"},"creditorName":"Creditor","remittanceInformationUnstructured":"Invoice 7"}`
}

func periodic(amount string) string {
	return strings.TrimSuffix(single(amount, creditorIBAN), "}") + `,"startDate":"2027-01-01","frequency":"Monthly","dayOfExecution":"1","executionRule":"following"}`
}

func bulk(amounts ...string) string {
	var entries []string
	for _, a := range amounts {
		entries = append(entries, `{"instructedAmount":{"currency":"EUR","amount":"`+a+`"},"creditorAccount":{"iban":"`+creditorIBAN+`"},"creditorName":"C"}`)
	}
	return `{"batchBookingPreferred":true,"debtorAccount":{"iban":"` + debtorIBAN + `"},"payments":[` + strings.Join(entries, ",") + `]}`
}

// TestInitiation initiates each payment service × product this bank offers, and sends
// each refusal: the exact status and messages, checked against the official file, and
// a table unchanged by every refusal.
func TestInitiation(t *testing.T) {
	w := newWorld(t)
	products := []string{"sepa-credit-transfers", "instant-sepa-credit-transfers", "target-2-payments", "cross-border-credit-transfers"}
	n := 0
	for _, c := range []struct {
		service string
		body    string
		offered []string
	}{
		{"payments", single("12.00", creditorIBAN), products},
		{"periodic-payments", periodic("12.00"), []string{"sepa-credit-transfers", "target-2-payments", "cross-border-credit-transfers"}},
		{"bulk-payments", bulk("1.00", "2.00"), []string{"sepa-credit-transfers", "instant-sepa-credit-transfers"}},
	} {
		for _, product := range products {
			n++
			offered := strings.Contains(strings.Join(c.offered, " "), product)
			t.Run(c.service+"/"+product, func(t *testing.T) {
				before := w.state(t)
				rec, body := w.send(t, call("POST", "/v1/"+c.service+"/"+product, "app-1", reqID(n), "application/json", c.body))
				if !offered {
					if rec.Code != 403 || messages(body) != "PRODUCT_INVALID" || w.state(t) != before {
						t.Fatalf("%d %s", rec.Code, rec.Body)
					}
					return
				}
				id, _ := body["paymentId"].(string)
				links, _ := body["_links"].(map[string]any)
				self := "/v1/" + c.service + "/" + product + "/" + id
				if rec.Code != 201 || body["transactionStatus"] != "RCVD" || id == "" || rec.Header().Get("Location") != self ||
					rec.Header().Get("ASPSP-SCA-Approach") != "REDIRECT" || rec.Header().Get("X-Request-ID") != reqID(n) ||
					fmt.Sprint(links) != fmt.Sprintf("map[scaOAuth:map[href:%s] self:map[href:%s] status:map[href:%s/status]]", metadataURL, self, self) {
					t.Fatalf("%d %v %v", rec.Code, body, rec.Header())
				}
				rec, got := w.send(t, call("GET", self, "app-1", reqID(1000+n), "", ""))
				if rec.Code != 200 || got["transactionStatus"] != "RCVD" || got["debtorAccount"].(map[string]any)["iban"] != debtorIBAN {
					t.Fatalf("read back: %d %v", rec.Code, got)
				}
			})
		}
	}

	valid := single("12.00", creditorIBAN)
	for _, c := range []struct {
		name, path, id, contentType, body string
		status                            int
		want                              string
	}{
		{"malformed IBAN", "/v1/payments/sepa-credit-transfers", reqID(100), "application/json", single("12.00", "BE68539007547035"), 400, "FORMAT_ERROR creditorAccount.iban"},
		{"malformed amount", "/v1/payments/sepa-credit-transfers", reqID(101), "application/json", single("12.005", creditorIBAN), 400, "FORMAT_ERROR instructedAmount.amount"},
		{"unknown currency", "/v1/payments/sepa-credit-transfers", reqID(102), "application/json", strings.Replace(valid, `"EUR"`, `"EURO"`, 1), 400, "FORMAT_ERROR instructedAmount.currency"},
		{"past execution date", "/v1/payments/sepa-credit-transfers", reqID(103), "application/json", strings.Replace(valid, "{", `{"requestedExecutionDate":"2026-12-01",`, 1), 400, "EXECUTION_DATE_INVALID requestedExecutionDate"},
		{"malformed date", "/v1/periodic-payments/sepa-credit-transfers", reqID(104), "application/json", strings.Replace(periodic("1.00"), "2027-01-01", "2027-13-01", 1), 400, "FORMAT_ERROR startDate"},
		{"unknown product", "/v1/payments/sepa-transfers", reqID(105), "application/json", valid, 404, "PRODUCT_UNKNOWN"},
		{"pain.001", "/v1/payments/pain.001-sepa-credit-transfers", reqID(106), "application/xml", "<Document/>", 404, "PRODUCT_UNKNOWN"},
		{"XML to a JSON product", "/v1/payments/sepa-credit-transfers", reqID(107), "application/xml", "<Document/>", 415, "FORMAT_ERROR"},
		{"product not offered as standing order", "/v1/periodic-payments/instant-sepa-credit-transfers", reqID(108), "application/json", periodic("1.00"), 403, "PRODUCT_INVALID"},
		{"no X-Request-ID", "/v1/payments/sepa-credit-transfers", "", "application/json", valid, 400, "FORMAT_ERROR X-Request-ID"},
		{"unknown element", "/v1/payments/sepa-credit-transfers", reqID(109), "application/json", strings.Replace(valid, "{", `{"tip":"1.00",`, 1), 400, "FORMAT_ERROR tip"},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := w.state(t)
			rec, body := w.send(t, call("POST", c.path, "app-1", c.id, c.contentType, c.body))
			if rec.Code != c.status || messages(body) != c.want {
				t.Fatalf("%d %s, want %d %s", rec.Code, rec.Body, c.status, c.want)
			}
			if after := w.state(t); after != before {
				t.Fatalf("the refusal changed the table: %s, was %s", after, before)
			}
		})
	}
}

// TestRequestIDOnce: an X-Request-ID repeated with the same request is answered as the
// first time, with the same payment; with another body it is refused and nothing changes.
func TestRequestIDOnce(t *testing.T) {
	w := newWorld(t)
	first, _ := w.send(t, call("POST", "/v1/payments/sepa-credit-transfers", "app-1", requestID, "application/json", single("12.00", creditorIBAN)))
	if first.Code != 201 {
		t.Fatalf("first: %d %s", first.Code, first.Body)
	}
	before := w.state(t)
	again, _ := w.send(t, call("POST", "/v1/payments/sepa-credit-transfers", "app-1", requestID, "application/json", " "+single("12.00", creditorIBAN)+"\n"))
	if again.Code != 201 || again.Body.String() != first.Body.String() || again.Header().Get("Location") != first.Header().Get("Location") || w.state(t) != before {
		t.Fatalf("again: %d %s, first %s", again.Code, again.Body, first.Body)
	}
	rec, body := w.send(t, call("POST", "/v1/payments/sepa-credit-transfers", "app-1", requestID, "application/json", single("12.01", creditorIBAN)))
	if rec.Code != 400 || messages(body) != "FORMAT_ERROR X-Request-ID" || w.state(t) != before {
		t.Fatalf("another body: %d %s", rec.Code, rec.Body)
	}
}

// TestReadStatusCancel follows payments to their ends: read, status, cancellation before
// execution, its refusal after; another app's payment is unknown.
func TestReadStatusCancel(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	initiate := func(i int, path, body string) string {
		t.Helper()
		rec, out := w.send(t, call("POST", path, "app-1", reqID(i), "application/json", body))
		if rec.Code != 201 {
			t.Fatalf("initiate: %d %s", rec.Code, rec.Body)
		}
		return out["paymentId"].(string)
	}
	theirs, err := w.bank.Accounts(ctx, "psu-1")
	if err != nil {
		t.Fatal(err)
	}
	base := "/v1/payments/sepa-credit-transfers/"
	executed := initiate(1, "/v1/payments/sepa-credit-transfers", single("12.00", creditorIBAN))
	if _, err := w.svc.Authorise(ctx, executed, "psu-1", theirs); err != nil {
		t.Fatal(err)
	}
	rejected := initiate(2, "/v1/payments/sepa-credit-transfers", single("14.14", creditorIBAN))
	if _, err := w.svc.Authorise(ctx, rejected, "psu-1", theirs); err != nil {
		t.Fatal(err)
	}
	waiting := initiate(3, "/v1/payments/sepa-credit-transfers", single("3.00", creditorIBAN))
	standing := initiate(4, "/v1/periodic-payments/sepa-credit-transfers", periodic("5.00"))
	batch := initiate(5, "/v1/bulk-payments/sepa-credit-transfers", bulk("1.00", "13.13"))
	if _, err := w.svc.Authorise(ctx, batch, "psu-1", theirs); err != nil {
		t.Fatal(err)
	}

	for i, c := range []struct {
		name, method, path, app string
		status                  int
		body                    string
	}{
		{"status of an executed payment", "GET", base + executed + "/status", "app-1", 200, `{"transactionStatus":"ACCC"}`},
		{"status of a rejected payment", "GET", base + rejected + "/status", "app-1", 200, `{"transactionStatus":"RJCT","psuMessage":"Rejected, reason AM04: insufficient funds."}`},
		{"status of a partly executed bulk", "GET", "/v1/bulk-payments/sepa-credit-transfers/" + batch + "/status", "app-1", 200,
			`{"transactionStatus":"PART","psuMessage":"Some payments of the bulk were rejected, reason MS03: rejected by the bank."}`},
		{"read a payment", "GET", base + executed, "app-1", 200, `{"debtorAccount":{"iban":"` + debtorIBAN + `"},"instructedAmount":{"currency":"EUR","amount":"12.00"},` +
			`"creditorAccount":{"iban":"` + creditorIBAN + `"},"creditorName":"Creditor","remittanceInformationUnstructured":"Invoice 7","transactionStatus":"ACCC"}`},
		{"read a standing order", "GET", "/v1/periodic-payments/sepa-credit-transfers/" + standing, "app-1", 200, `{"debtorAccount":{"iban":"` + debtorIBAN + `"},"instructedAmount":{"currency":"EUR","amount":"5.00"},` +
			`"creditorAccount":{"iban":"` + creditorIBAN + `"},"creditorName":"Creditor","remittanceInformationUnstructured":"Invoice 7",` +
			`"startDate":"2027-01-01","executionRule":"following","frequency":"Monthly","dayOfExecution":"1","transactionStatus":"RCVD"}`},
		{"read a bulk", "GET", "/v1/bulk-payments/sepa-credit-transfers/" + batch, "app-1", 200, `{"batchBookingPreferred":true,"debtorAccount":{"iban":"` + debtorIBAN + `"},"payments":[` +
			`{"instructedAmount":{"currency":"EUR","amount":"1.00"},"creditorAccount":{"iban":"` + creditorIBAN + `"},"creditorName":"C"},` +
			`{"instructedAmount":{"currency":"EUR","amount":"13.13"},"creditorAccount":{"iban":"` + creditorIBAN + `"},"creditorName":"C"}],"transactionStatus":"PART"}`},
		{"another app's payment", "GET", base + waiting, "app-2", 403, "RESOURCE_UNKNOWN"},
		{"under another product", "GET", "/v1/payments/instant-sepa-credit-transfers/" + waiting + "/status", "app-1", 403, "RESOURCE_UNKNOWN"},
		{"cancel another app's payment", "DELETE", base + waiting, "app-2", 403, "RESOURCE_UNKNOWN"},
		{"cancel an executed payment", "DELETE", base + executed, "app-1", 405, "CANCELLATION_INVALID"},
		{"cancel a rejected payment", "DELETE", base + rejected, "app-1", 405, "CANCELLATION_INVALID"},
		{"cancel a partly executed bulk", "DELETE", "/v1/bulk-payments/sepa-credit-transfers/" + batch, "app-1", 405, "CANCELLATION_INVALID"},
		{"cancel a waiting payment", "DELETE", base + waiting, "app-1", 204, ""},
		{"cancel it again", "DELETE", base + waiting, "app-1", 405, "CANCELLATION_INVALID"},
		{"status of the cancelled payment", "GET", base + waiting + "/status", "app-1", 200, `{"transactionStatus":"CANC"}`},
		{"cancel a standing order", "DELETE", "/v1/periodic-payments/sepa-credit-transfers/" + standing, "app-1", 204, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := w.state(t)
			rec, body := w.send(t, call(c.method, c.path, c.app, reqID(100+i), "", ""))
			got := strings.TrimSpace(rec.Body.String())
			if c.status >= 400 {
				got = messages(body)
			}
			if rec.Code != c.status || got != c.body {
				t.Fatalf("%d %s, want %d %s", rec.Code, got, c.status, c.body)
			}
			if changed := w.state(t) != before; changed != (c.status == 204) {
				t.Fatalf("table changed: %v", changed)
			}
		})
	}
	if l, err := w.bank.Ledger(ctx, "acc-debtor"); err != nil || l.Booked != 100000-1200-100 || l.Entries != 2 {
		t.Fatalf("debtor ledger: %+v %v", l, err)
	}
}
