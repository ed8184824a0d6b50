package devstack_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/bank/devportal/shared/local/devstack"
	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/local/testenv/tppworld"
	"github.com/bank/devportal/shared/portal/registration"
	"github.com/bank/devportal/shared/portal/routes"
	"github.com/bank/devportal/shared/trust/sandboxca"
)

// registrant is TPP software registering through the registration API alone: its
// installation key, its mutual-TLS client and the bank's response key.
type registrant struct {
	t      *testing.T
	base   string
	client *http.Client
	key    *ecdsa.PrivateKey
	pub    string
	server *ecdsa.PublicKey
}

// call sends a signed registration API request and checks the bank's signature of the
// answer.
func (g *registrant) call(method, path, token string, body any, want int) map[string]any {
	g.t.Helper()
	var raw []byte
	if body != nil {
		raw, _ = json.Marshal(body)
	}
	req, _ := http.NewRequest(method, g.base+routes.RegistrationPath+path, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set(registration.AuthHeader, token)
	}
	d := sha256.Sum256(registration.SignedText(method, req.URL.RequestURI(), raw))
	sig, _ := ecdsa.SignASN1(rand.Reader, g.key, d[:])
	req.Header.Set(registration.SignatureHeader, base64.StdEncoding.EncodeToString(sig))
	resp, err := g.client.Do(req)
	if err != nil {
		g.t.Fatal(err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != want {
		g.t.Fatalf("%s %s: %d %s, want %d", method, path, resp.StatusCode, answer, want)
	}
	if g.server != nil {
		sig, _ := base64.StdEncoding.DecodeString(resp.Header.Get(registration.ServerSignatureHeader))
		d := sha256.Sum256(answer)
		if !ecdsa.VerifyASN1(g.server, d[:], sig) {
			g.t.Fatalf("%s %s: the bank's signature does not verify", method, path)
		}
	}
	var out map[string]any
	_ = json.Unmarshal(answer, &out)
	return out
}

// TestRegistrationThroughTheAPIThenAccountInformation: on the local stack, over mutual
// TLS, TPP software that the portal has never seen registers its installation, its QWAC
// (proving it holds the key), a device and a session, creates an OAuth client with a
// callback URL, and then runs the authorization code flow through the sandbox bank with
// that client (golang.org/x/oauth2) and reads the customer's accounts.
func TestRegistrationThroughTheAPIThenAccountInformation(t *testing.T) {
	s, w := startTPPStack(t, devstack.Options{}, time.Now().UTC())
	certPEM, keyPEM, err := s.CA.IssueEIDAS(sandboxca.EIDASRequest{Kind: sandboxca.KindQWAC, CommonName: "registered-tpp.example", Organization: "Registered TPP",
		Country: "BE", OrganizationIdentifier: "PSDBE-NBB-" + strings.ToUpper(testenv.Suffix()), Roles: []string{"PSP_AI"}, NCAName: "National Bank of Belgium", NCAID: "BE-NBB"})
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.X509KeyPair([]byte(certPEM), []byte(keyPEM))
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(s.CA.Cert)
	transport := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, Certificates: []tls.Certificate{pair}}}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	g := &registrant{t: t, base: s.TPPURL, client: &http.Client{Transport: transport, Timeout: 10 * time.Second}, key: key,
		pub: string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))}

	inst := g.call("POST", "/installation", "", map[string]any{"clientPublicKey": g.pub}, 201)
	b, _ := pem.Decode([]byte(inst["serverPublicKey"].(string)))
	server, err := x509.ParsePKIXPublicKey(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	g.server = server.(*ecdsa.PublicKey)
	installation := inst["token"].(string)

	// The proof of possession: the installation key signed with the QWAC's key.
	d := sha256.Sum256([]byte(g.pub))
	proof, err := pair.PrivateKey.(*ecdsa.PrivateKey).Sign(rand.Reader, d[:], nil)
	if err != nil {
		t.Fatal(err)
	}
	reg := g.call("POST", "/certificate-registration", installation, map[string]any{"qwac": certPEM, "signature": base64.StdEncoding.EncodeToString(proof),
		"administratorEmail": "admin-" + testenv.Suffix() + "@example.com"}, 201)
	if reg["organization"].(map[string]any)["status"] != "ACTIVE" {
		t.Fatalf("registration %v", reg)
	}
	apiKey := reg["apiKey"].(string)
	g.call("POST", "/devices", installation, map[string]any{"apiKey": apiKey, "description": "test runner", "permittedIps": []string{"127.0.0.1", "::1"}}, 201)
	session := g.call("POST", "/sessions", installation, map[string]any{"apiKey": apiKey}, 201)["token"].(string)
	client := g.call("POST", "/oauth-clients", session, map[string]any{"name": "Registered Budget", "products": []string{"ais"}}, 201)
	id := client["id"].(string)
	g.call("POST", "/oauth-clients/"+id+"/callback-urls", session, map[string]any{"uri": "https://tpp.example/cb"}, 201)
	read := g.call("GET", "/oauth-clients/"+id, session, nil, 200)
	if read["clientId"] != client["clientId"] || read["clientSecret"] != nil {
		t.Fatalf("read client %v", read)
	}

	// The client as any OAuth2 client: the customer approves a consent at the sandbox
	// bank, the code is exchanged, the accounts are read (checked against the Berlin
	// Group file).
	tpp := &http.Client{Timeout: 10 * time.Second, Transport: tppworld.APIKeyTransport{Key: client["apiKey"].(string), Next: transport}}
	c := aisClient{tb: t, s: s, w: w, tpp: tpp, check: true}
	conf := &oauth2.Config{ClientID: client["clientId"].(string), ClientSecret: client["clientSecret"].(string), RedirectURL: "https://tpp.example/cb",
		Endpoint: oauth2.Endpoint{AuthURL: s.Config.OAuthAuthorizeURL, TokenURL: s.TPPURL + "/oauth2/token", AuthStyle: oauth2.AuthStyleInHeader}}
	account := currentAccount(t, s)
	consentID, token := c.approvedConsent(conf, account)
	status, body := c.call("GET", "/v1/accounts", consentID, token, nil)
	accounts, _ := body["accounts"].([]any)
	if status != 200 || len(accounts) != 1 || accounts[0].(map[string]any)["iban"] != account.IBAN {
		t.Fatalf("accounts: %d %v", status, body)
	}

	// Ending the session ends the software's management calls, not its app's.
	g.call("DELETE", "/sessions", session, nil, 204)
	g.call("GET", "/oauth-clients", session, nil, 401)
}
