package oauth_test

import (
	"context"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/storage"

	"github.com/bank/devportal/shared/platform/prefetch"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/tpp/oauth"
)

// memory is fosite's reference in-memory store with this server's clients and pending
// requests: enough to parse authorization requests without DynamoDB.
type memory struct {
	*storage.MemoryStore
	clients map[string]oauth.Client
	pending map[string]fosite.AuthorizeRequester
}

func (m *memory) GetClient(_ context.Context, id string) (fosite.Client, error) {
	c, ok := m.clients[id]
	if !ok {
		return nil, fosite.ErrNotFound
	}
	return &c, nil
}

// AccessTokenKey names no item: nothing is read ahead of this store.
func (m *memory) AccessTokenKey(string) (prefetch.Key, bool) { return prefetch.Key{}, false }

func (m *memory) CreatePending(_ context.Context, id string, r fosite.AuthorizeRequester, _ time.Time) error {
	m.pending[id] = r
	return nil
}

func (m *memory) TakePending(_ context.Context, id string) (fosite.AuthorizeRequester, error) {
	r, ok := m.pending[id]
	if !ok {
		return nil, fosite.ErrNotFound
	}
	delete(m.pending, id)
	return r, nil
}

type noResources struct{}

func (noResources) Find(_ context.Context, kind, id string) (oauth.Resource, error) {
	if kind == "AIS" && id == "c1" {
		return oauth.Resource{Kind: kind, ID: id, AppID: "app-1"}, nil
	}
	return oauth.Resource{}, oauth.ErrUnknownResource
}

func (noResources) Approved(context.Context, oauth.Resource, string, []string) error { return nil }

func (noResources) Refused(context.Context, oauth.Resource) error { return nil }

func newServer(t testing.TB) *oauth.Server {
	m := &memory{MemoryStore: storage.NewMemoryStore(), pending: map[string]fosite.AuthorizeRequester{}, clients: map[string]oauth.Client{
		"client-1": {ClientID: "client-1", AppID: "app-1", OrgID: "org-1", Access: oauth.Access{Environment: lookup.Sandbox,
			RedirectURIs: []string{"https://tpp.example/cb", "http://localhost/cb"}, Products: map[string]string{"oauth2": "sandbox", "ais": "sandbox"}}},
		"client-prod": {ClientID: "client-prod", AppID: "app-2", OrgID: "org-1", Access: oauth.Access{Environment: lookup.Production,
			RedirectURIs: []string{"https://tpp.example/cb"}, Products: map[string]string{"oauth2": "production"}}},
	}}
	s, err := oauth.New(oauth.Options{Issuer: "https://api.bank.example", AuthorizeURL: "https://login.bank.example/oauth2/authorize",
		Environment: lookup.Sandbox, Secret: []byte("0123456789abcdef0123456789abcdef"), AccessTokenTTL: time.Hour, RefreshTokenTTL: time.Hour,
		Storage: m, Resources: noResources{}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// FuzzParseAuthorize: no authorization request, however malformed, makes the parser
// panic, and every request it accepts holds the server's rules: a known sandbox client,
// one of its redirect URIs, response type code, PKCE with S256, resource scopes of the
// app's own resources.
func FuzzParseAuthorize(f *testing.F) {
	for _, seed := range []string{
		"response_type=code&client_id=client-1&redirect_uri=https%3A%2F%2Ftpp.example%2Fcb&scope=AIS%3Ac1&state=abcdefghij&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256",
		"response_type=code&client_id=client-1&redirect_uri=http%3A%2F%2Flocalhost%3A5000%2Fcb&state=abcdefghij&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256",
		"response_type=code&client_id=client-1&redirect_uri=https%3A%2F%2Ftpp.example%2Fcb&state=abcdefghij&code_challenge=abc&code_challenge_method=plain",
		"response_type=token&client_id=client-1",
		"client_id=client-prod&response_type=code",
		"request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3Ax&client_id=client-1",
		"scope=PIS%3A&client_id=client-1&response_type=code&redirect_uri=%zz",
		"",
	} {
		f.Add(seed)
	}
	s := newServer(f)
	f.Fuzz(func(t *testing.T, query string) {
		r := httptest.NewRequest("GET", "/oauth2/authorize", nil)
		r.URL.RawQuery = query
		ar, _, err := s.ParseAuthorize(context.Background(), r)
		if err != nil {
			return
		}
		form := ar.GetRequestForm()
		c, ok := ar.GetClient().(*oauth.Client)
		switch {
		case !ok || c.ClientID != "client-1":
			t.Fatalf("accepted for client %v", ar.GetClient())
		case !ar.GetResponseTypes().ExactOne("code"):
			t.Fatalf("accepted response types %v", ar.GetResponseTypes())
		case form.Get("code_challenge") == "" || form.Get("code_challenge_method") != "S256":
			t.Fatalf("accepted without S256 PKCE: %v", form)
		case ar.GetRedirectURI() == nil:
			t.Fatal("accepted without a redirect URI")
		}
		for _, scope := range ar.GetRequestedScopes() {
			if kind, id, ok := oauth.ResourceScope(scope); ok && (kind != "AIS" || id != "c1") {
				t.Fatalf("accepted scope %q", scope)
			}
			if !slices.Contains([]string{"openid", "AIS", "AIS:c1"}, scope) {
				t.Fatalf("accepted scope %q beyond the subscriptions", scope)
			}
		}
	})
}
