package devstack_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v3"
	hydra "github.com/ory/hydra-client-go/v2"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/bank/devportal/shared/local/devstack"
	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/local/testenv/tppworld"
	"github.com/bank/devportal/shared/portal/routes"
	"github.com/bank/devportal/shared/trust/sandboxca"
)

// hydraStatus is the HTTP status and RFC 7591 error code of a failed call of the Ory
// Hydra client, "" when the call did not fail.
func hydraStatus(resp *http.Response, err error) (int, string) {
	if err == nil {
		return resp.StatusCode, ""
	}
	var oe *hydra.GenericOpenAPIError
	if !errors.As(err, &oe) || resp == nil {
		return 0, err.Error()
	}
	var body struct {
		Error string `json:"error"`
	}
	_ = json.Unmarshal(oe.Body(), &body)
	return resp.StatusCode, body.Error
}

// hydraRefusal is hydraStatus of a call that answers a client.
func hydraRefusal(_ *hydra.OAuth2Client, resp *http.Response, err error) (int, string) {
	return hydraStatus(resp, err)
}

// TestDynamicClientRegistrationWithAStandardClient: on the local stack, over mutual TLS,
// software whose QWAC and QSealC the registration API registered manages an OAuth client
// with dynamic client registration (RFC 7591 and 7592) through someone else's client
// library, Ory Hydra's generated Go client, unchanged: register with a software statement
// signed with the QSealC's key (go-jose), read, update and delete it with the
// registration access token each answer returns (the server replaces it at every read and
// update, so the previous one is refused). Between the update and the deletion the client
// gets a token from the token endpoint with golang.org/x/oauth2; after the deletion it
// no longer can.
func TestDynamicClientRegistrationWithAStandardClient(t *testing.T) {
	s, _ := startTPPStack(t, devstack.Options{}, time.Now().UTC())
	ident := "PSDBE-NBB-" + strings.ToUpper(testenv.Suffix())
	issue := func(kind, cn string) (string, tls.Certificate) {
		certPEM, keyPEM, err := s.CA.IssueEIDAS(sandboxca.EIDASRequest{Kind: kind, CommonName: cn, Organization: "Registered TPP",
			Country: "BE", OrganizationIdentifier: ident, Roles: []string{"PSP_AI"}, NCAName: "National Bank of Belgium", NCAID: "BE-NBB"})
		if err != nil {
			t.Fatal(err)
		}
		pair, err := tls.X509KeyPair([]byte(certPEM), []byte(keyPEM))
		if err != nil {
			t.Fatal(err)
		}
		return certPEM, pair
	}
	qwacPEM, qwac := issue(sandboxca.KindQWAC, "dcr-tpp.example")
	sealPEM, seal := issue(sandboxca.KindQSealC, "dcr-tpp seal")
	roots := x509.NewCertPool()
	roots.AddCert(s.CA.Cert)
	transport := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, Certificates: []tls.Certificate{qwac}}}
	mtls := &http.Client{Transport: transport, Timeout: 10 * time.Second}

	// The registration API registers the certificates (proving both keys), so that the
	// QWAC is the credential of the registration endpoint and the QSealC the key of the
	// software statements.
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	g := &registrant{t: t, base: s.TPPURL, client: mtls, key: key, pub: string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))}
	installation := g.call("POST", "/installation", "", map[string]any{"clientPublicKey": g.pub}, 201)["token"].(string)
	prove := func(c tls.Certificate) string {
		d := sha256.Sum256([]byte(g.pub))
		sig, err := c.PrivateKey.(*ecdsa.PrivateKey).Sign(rand.Reader, d[:], nil)
		if err != nil {
			t.Fatal(err)
		}
		return base64.StdEncoding.EncodeToString(sig)
	}
	g.call("POST", "/certificate-registration", installation, map[string]any{"qwac": qwacPEM, "signature": prove(qwac), "qsealc": sealPEM,
		"qsealcSignature": prove(seal), "administratorEmail": "admin-" + testenv.Suffix() + "@example.com"}, 201)

	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: seal.PrivateKey}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	claims, _ := json.Marshal(map[string]any{"client_name": "Budget Buddy", "exp": time.Now().Add(time.Hour).Unix()})
	jws, err := signer.Sign(claims)
	if err != nil {
		t.Fatal(err)
	}
	statement, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}

	cfg := hydra.NewConfiguration()
	cfg.Servers = hydra.ServerConfigurations{{URL: s.TPPURL}}
	cfg.HTTPClient = mtls
	oidc := hydra.NewAPIClient(cfg).OidcAPI
	ctx := context.Background()
	bearer := func(token string) context.Context { return context.WithValue(ctx, hydra.ContextAccessToken, token) }
	clientURI := func(id string) string { return s.TPPURL + routes.DynamicClientPath + "/" + id }

	var clientID, secret, apiKey, token string
	t.Run("register", func(t *testing.T) {
		c := hydra.NewOAuth2Client()
		c.SetClientName("ignored: the statement's name wins")
		c.SetRedirectUris([]string{"https://budgetbuddy.example/callback"})
		c.SetGrantTypes([]string{"authorization_code", "refresh_token", "client_credentials"})
		c.SetResponseTypes([]string{"code"})
		c.SetTokenEndpointAuthMethod("client_secret_basic")
		c.SetScope("AIS")
		c.AdditionalProperties = map[string]any{"software_statement": statement}
		out, resp, err := oidc.CreateOidcDynamicClient(ctx).OAuth2Client(*c).Execute()
		if status, code := hydraStatus(resp, err); status != 201 {
			t.Fatalf("register: %d %s", status, code)
		}
		clientID, secret, token = out.GetClientId(), out.GetClientSecret(), out.GetRegistrationAccessToken()
		apiKey, _ = out.AdditionalProperties["api_key"].(string)
		if clientID == "" || len(secret) < 20 || len(token) < 20 || !strings.Contains(apiKey, ".") {
			t.Fatalf("registered %+v", out)
		}
		got := []any{out.GetClientName(), out.GetRedirectUris(), out.GetGrantTypes(), out.GetResponseTypes(), out.GetTokenEndpointAuthMethod(),
			out.GetScope(), out.GetClientSecretExpiresAt(), out.GetRegistrationClientUri(), out.AdditionalProperties["software_statement"]}
		want := []any{"Budget Buddy", []string{"https://budgetbuddy.example/callback"}, []string{"authorization_code", "refresh_token", "client_credentials"},
			[]string{"code"}, "client_secret_basic", "AIS", int64(0), clientURI(clientID), statement}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("registered\n got %v\nwant %v", got, want)
		}
	})
	if clientID == "" {
		t.FailNow()
	}

	t.Run("read, with the token each answer returns", func(t *testing.T) {
		out, resp, err := oidc.GetOidcDynamicClient(bearer(token), clientID).Execute()
		if status, code := hydraStatus(resp, err); status != 200 {
			t.Fatalf("read: %d %s", status, code)
		}
		next := out.GetRegistrationAccessToken()
		if out.GetClientId() != clientID || out.GetClientName() != "Budget Buddy" || out.HasClientSecret() || next == "" || next == token ||
			!reflect.DeepEqual(out.GetRedirectUris(), []string{"https://budgetbuddy.example/callback"}) {
			t.Fatalf("read %+v", out)
		}
		if status, code := hydraRefusal(oidc.GetOidcDynamicClient(bearer(token), clientID).Execute()); status != 401 || code != "invalid_token" {
			t.Fatalf("read with the replaced token: %d %s, want 401 invalid_token", status, code)
		}
		token = next
	})

	t.Run("update, with the token each answer returns", func(t *testing.T) {
		// A full replacement, as RFC 7592 section 2.2 has it: the client's ID and its
		// metadata, without the members the server issues.
		c := hydra.NewOAuth2Client()
		c.SetClientId(clientID)
		c.SetClientName("Budget Buddy 2")
		c.SetRedirectUris([]string{"https://budgetbuddy.example/v2/callback", "https://budgetbuddy.example/alt"})
		c.SetGrantTypes([]string{"authorization_code", "client_credentials"})
		c.SetResponseTypes([]string{"code"})
		c.SetTokenEndpointAuthMethod("client_secret_basic")
		out, resp, err := oidc.SetOidcDynamicClient(bearer(token), clientID).OAuth2Client(*c).Execute()
		if status, code := hydraStatus(resp, err); status != 200 {
			t.Fatalf("update: %d %s", status, code)
		}
		next := out.GetRegistrationAccessToken()
		got := []any{out.GetClientId(), out.GetClientName(), out.GetRedirectUris(), out.GetGrantTypes(), out.HasScope(), out.HasClientSecret(), out.GetRegistrationClientUri()}
		want := []any{clientID, "Budget Buddy 2", []string{"https://budgetbuddy.example/v2/callback", "https://budgetbuddy.example/alt"},
			[]string{"authorization_code", "client_credentials"}, false, false, clientURI(clientID)}
		if !reflect.DeepEqual(got, want) || next == "" || next == token {
			t.Fatalf("updated\n got %v\nwant %v (token %q)", got, want, next)
		}
		if status, code := hydraRefusal(oidc.SetOidcDynamicClient(bearer(token), clientID).OAuth2Client(*c).Execute()); status != 401 || code != "invalid_token" {
			t.Fatalf("update with the replaced token: %d %s, want 401 invalid_token", status, code)
		}
		token = next
		out, resp, err = oidc.GetOidcDynamicClient(bearer(token), clientID).Execute()
		if status, code := hydraStatus(resp, err); status != 200 || out.GetClientName() != "Budget Buddy 2" {
			t.Fatalf("read after the update: %d %s %+v", status, code, out)
		}
		token = out.GetRegistrationAccessToken()
	})

	tokenClient := &http.Client{Timeout: 10 * time.Second, Transport: tppworld.APIKeyTransport{Key: apiKey, Next: transport}}
	credentials := &clientcredentials.Config{ClientID: clientID, ClientSecret: secret, TokenURL: s.TPPURL + "/oauth2/token", AuthStyle: oauth2.AuthStyleInHeader}
	tokenCtx := context.WithValue(ctx, oauth2.HTTPClient, tokenClient)
	t.Run("the registered client gets a token", func(t *testing.T) {
		tk, err := credentials.Token(tokenCtx)
		if err != nil || tk.AccessToken == "" || !strings.EqualFold(tk.TokenType, "bearer") {
			t.Fatalf("client credentials: %+v %v", tk, err)
		}
	})

	t.Run("delete", func(t *testing.T) {
		if status, code := hydraStatus(oidc.DeleteOidcDynamicClient(bearer("not-the-token"), clientID).Execute()); status != 401 || code != "invalid_token" {
			t.Fatalf("delete with a wrong token: %d %s, want 401 invalid_token", status, code)
		}
		resp, err := oidc.DeleteOidcDynamicClient(bearer(token), clientID).Execute()
		if status, code := hydraStatus(resp, err); status != 204 {
			t.Fatalf("delete: %d %s", status, code)
		}
		// RFC 7592 answers a client that is gone as a wrong token: 401.
		if status, code := hydraRefusal(oidc.GetOidcDynamicClient(bearer(token), clientID).Execute()); status != 401 || code != "invalid_token" {
			t.Fatalf("read after the deletion: %d %s, want 401 invalid_token", status, code)
		}
		var re *oauth2.RetrieveError
		if _, err := credentials.Token(tokenCtx); !errors.As(err, &re) || re.Response.StatusCode != 401 || !strings.Contains(string(re.Body), `"code":"CERTIFICATE_INVALID"`) {
			t.Fatalf("a token for the deleted client: %v, want 401 CERTIFICATE_INVALID", err)
		}
	})
}
