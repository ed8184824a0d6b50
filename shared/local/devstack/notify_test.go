package devstack_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"golang.org/x/oauth2"

	"github.com/bank/devportal/shared/local/devstack"
	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/platform/notifylog/notifylogdb"
	"github.com/bank/devportal/shared/portal/org"
	"github.com/bank/devportal/shared/portal/store"
	"github.com/bank/devportal/shared/tpp/bankpages"
	"github.com/bank/devportal/shared/tpp/bgspec"
	"github.com/bank/devportal/shared/tpp/sandboxbank"
)

// TestPaymentNotification is a TPP's payment with status notifications on the local
// stack, over mutual TLS: a TPP-Notification-URI on a host the app did not register is
// refused and creates nothing; one on the host of its redirect URI (the TPP's own TLS
// endpoint) is accepted with the support headers, and once the customer approves the
// payment at the sandbox bank, the in-process delivery job posts the end of the
// authorisation and each new transaction status to it, each once, as the delivery log
// records.
func TestPaymentNotification(t *testing.T) {
	var mu sync.Mutex
	var received []map[string]any
	endpoint := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var body map[string]any
		if r.URL.Path != "/psd2/notify" || json.Unmarshal(b, &body) != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		mu.Lock()
		received = append(received, body)
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer endpoint.Close()
	notifyURI := endpoint.URL + "/psd2/notify"

	s, w := startTPPStack(t, devstack.Options{NotifyClient: endpoint.Client(), JobInterval: 200 * time.Millisecond}, time.Now().UTC())
	w.Organization(t, "nt", org.Sandbox, org.StatusActive, "PIS")
	w.Certificate(t, s.CA, "nt-cert", w.App(t, "nt", "nt-app", org.Sandbox, []string{"oauth2", "pis"}, "nt"), true)
	const secret = "the-secret-of-nt-app-0123456789abcdef"
	w.OAuthClient(t, "nt-app", secret, "https://tpp.example/cb")
	// The app registered a redirect URI on the host of its notification endpoint too.
	w.SetAttribute(t, store.AppKey("nt", "nt-app"), "redirectUris", &types.AttributeValueMemberSS{Value: []string{"https://tpp.example/cb", "https://127.0.0.1/cb"}})
	roots := x509.NewCertPool()
	roots.AddCert(s.CA.Cert)
	tpp := w.MTLSClient(roots, "nt-cert", "nt")
	n := 0
	call := func(method, path string, body any, headers map[string]string) (*http.Response, map[string]any) {
		t.Helper()
		raw, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, s.TPPURL+path, bytes.NewReader(raw))
		n++
		req.Header.Set("X-Request-ID", fmt.Sprintf("9a1f5a4c-2d1e-4f6a-8b9c-%012d", n))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("PSU-IP-Address", "192.0.2.44")
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		resp, err := tpp.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]any
		_ = json.Unmarshal(bgspec.CheckResponse(t, bgspec.NextGenPSD2, req, resp), &out)
		return resp, out
	}
	payer := currentAccount(t, s)
	var payee sandboxbank.Account
	for _, a := range s.Bank.Accounts {
		if a.CustomerID != payer.CustomerID && a.Kind == sandboxbank.Current && a.Currency == payer.Currency && a.ParentID == "" {
			payee = a
			break
		}
	}
	payment := map[string]any{
		"debtorAccount":    map[string]string{"iban": payer.IBAN},
		"instructedAmount": map[string]string{"currency": payer.Currency, "amount": "7.00"},
		"creditorAccount":  map[string]string{"iban": payee.IBAN}, "creditorName": "Payee"}

	resp, refused := call("POST", "/v1/payments/sepa-credit-transfers", payment, map[string]string{"TPP-Notification-URI": "https://elsewhere.example/psd2/notify"})
	if msgs, _ := refused["tppMessages"].([]any); resp.StatusCode != 400 || len(msgs) != 1 ||
		msgs[0].(map[string]any)["code"] != "FORMAT_ERROR" || msgs[0].(map[string]any)["path"] != "TPP-Notification-URI" {
		t.Fatalf("an unregistered host: %d %v", resp.StatusCode, refused)
	}
	log := notifylogdb.New(dynamodb.NewFromConfig(testenv.AWS(t, s.Config)), s.Config.TPPTable)
	if list, err := log.List(context.Background(), "nt-app", 10); err != nil || len(list) != 0 {
		t.Fatalf("log after the refusal: %+v %v", list, err)
	}

	resp, created := call("POST", "/v1/payments/sepa-credit-transfers", payment, map[string]string{
		"TPP-Notification-URI": notifyURI, "TPP-Notification-Content-Preferred": "status=SCA,PROCESS"})
	id, _ := created["paymentId"].(string)
	if resp.StatusCode != 201 || id == "" || resp.Header.Get("ASPSP-Notification-Support") != "true" ||
		resp.Header.Get("ASPSP-Notification-Content") != "status=SCA,PROCESS" {
		t.Fatalf("initiate: %d %v %v", resp.StatusCode, resp.Header, created)
	}

	var customer sandboxbank.Customer
	for _, c := range s.Bank.Customers {
		if c.ID == payer.CustomerID {
			customer = c
		}
	}
	conf := &oauth2.Config{ClientID: "client-nt-app", ClientSecret: secret, RedirectURL: "https://tpp.example/cb", Scopes: []string{"PIS:" + id},
		Endpoint: oauth2.Endpoint{AuthURL: s.Config.OAuthAuthorizeURL, TokenURL: s.TPPURL + "/oauth2/token", AuthStyle: oauth2.AuthStyleInHeader}}
	b := newBankBrowser(t, s.PortalURL)
	verifier := oauth2.GenerateVerifier()
	b.get(conf.AuthCodeURL("state-0123456789", oauth2.S256ChallengeOption(verifier)))
	b.post(bankpages.SignInPath, url.Values{"login": {customer.Login}, "password": {sandboxbank.SandboxPassword}, "otp": {sandboxbank.SandboxOTP}})
	if p := b.post(bankpages.ConsentPath, url.Values{"decision": {"approve"}}); p.redirect == nil || p.redirect.Query().Get("code") == "" {
		t.Fatalf("not redirected with a code: %d %v %s", p.status, p.redirect, p.body)
	}

	want := []string{"scaStatus=finalised", "transactionStatus=ACCC", "transactionStatus=ACTC"}
	var got []string
	deadline := time.Now().Add(20 * time.Second)
	for {
		mu.Lock()
		got = got[:0]
		for _, body := range received {
			res, _ := body["resource"].(map[string]any)
			if res["id"] != id || res["type"] != "payment" || res["href"] != "/v1/payments/sepa-credit-transfers/"+id || body["notificationId"] == "" {
				t.Errorf("notification %v", body)
			}
			for _, k := range []string{"scaStatus", "transactionStatus"} {
				if v, ok := body[k].(string); ok {
					got = append(got, k+"="+v)
				}
			}
		}
		mu.Unlock()
		sort.Strings(got)
		if len(got) >= len(want) || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("notifications %v, want %v", got, want)
	}
	list, err := log.List(context.Background(), "nt-app", 10)
	if err != nil || len(list) != 3 {
		t.Fatalf("log: %+v %v", list, err)
	}
	for _, d := range list {
		if d.Outcome != "delivered" || len(d.Attempts) != 1 || d.Attempts[0].HTTPStatus != 204 || d.URI != notifyURI || d.ResourceID != id {
			t.Errorf("delivery %+v", d)
		}
	}
	// Nothing is posted twice, however often the job runs.
	time.Sleep(time.Second)
	mu.Lock()
	defer mu.Unlock()
	if len(received) != 3 {
		t.Errorf("%d notifications posted, want 3", len(received))
	}
}
