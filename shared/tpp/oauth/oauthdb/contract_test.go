package oauthdb_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/ory/fosite"

	"github.com/bank/devportal/shared/local/motoserver"
	"github.com/bank/devportal/shared/local/testenv"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/tpp/oauth"
	"github.com/bank/devportal/shared/tpp/oauth/oauthdb"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// backends are the DynamoDB implementations the contract runs against.
var backends = testenv.Backends

var t0 = time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)

func newStore(t *testing.T, endpoint string) (*oauthdb.Store, *dynamodb.Client, string) {
	t.Helper()
	c := testenv.Config(t, endpoint)
	db := dynamodb.NewFromConfig(testenv.AWS(t, c))
	if err := motoserver.CreateTables(context.Background(), db, c); err != nil {
		t.Fatalf("create tables: %v", err)
	}
	s := oauthdb.New(db, c.TPPTable, c.PortalTable)
	s.Now = func() time.Time { return t0 }
	return s, db, c.PortalTable
}

var client = &oauth.Client{ClientID: "client-1", AppID: "app-1", OrgID: "org-1",
	Access: oauth.Access{AppName: "App", Environment: lookup.Sandbox, RedirectURIs: []string{"https://tpp.example/cb"}, Products: map[string]string{"oauth2": "sandbox"}}}

// request is a stored request of grant id whose tokens of every kind expire at exp.
func request(id string, exp time.Time) *fosite.AuthorizeRequest {
	ar := fosite.NewAuthorizeRequest()
	ar.ID, ar.RequestedAt, ar.Client = id, t0, client
	ar.RequestedScope = fosite.Arguments{"AIS:c1"}
	ar.Form.Set("redirect_uri", "https://tpp.example/cb")
	s := &oauth.Session{Subject: "psu-1", AppID: "app-1", Thumbprint: "x5t"}
	for _, k := range []fosite.TokenType{fosite.AuthorizeCode, fosite.AccessToken, fosite.RefreshToken, fosite.PushedAuthorizeRequestContext} {
		s.SetExpiresAt(k, exp)
	}
	ar.Session = s
	return ar
}

// TestStoreContract: the authorization server's state behaves the same on moto and on
// DynamoDB Local: codes and pending requests work once, pushed requests expire, a grant's
// tokens go together, rotated refresh tokens stay to be recognised.
func TestStoreContract(t *testing.T) {
	ctx := context.Background()
	for _, b := range backends {
		t.Run(b.Name, func(t *testing.T) {
			endpoint := b.Endpoint(t)
			t.Run("client from the portal's credential copy", func(t *testing.T) {
				s, db, portal := newStore(t, endpoint)
				item, _ := attributevalue.MarshalMap(struct {
					lookup.Key
					oauth.Client
					Secret string `dynamodbav:"secretHash"`
				}{Key: lookup.ClientKey("client-1"), Client: *client, Secret: "abc"})
				if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &portal, Item: item}); err != nil {
					t.Fatal(err)
				}
				got, err := s.GetClient(ctx, "client-1")
				if err != nil {
					t.Fatal(err)
				}
				c := got.(*oauth.Client)
				if c.AppID != "app-1" || c.SecretHash != "abc" || c.Access.RedirectURIs[0] != "https://tpp.example/cb" || c.Access.Environment != lookup.Sandbox {
					t.Fatalf("client %+v", c)
				}
				if _, err := s.GetClient(ctx, "nobody"); !errors.Is(err, fosite.ErrNotFound) {
					t.Fatalf("unknown client: %v", err)
				}
			})
			t.Run("a code works once, and says so with its request", func(t *testing.T) {
				s, _, _ := newStore(t, endpoint)
				if err := s.CreateAuthorizeCodeSession(ctx, "sig", request("g1", t0.Add(time.Minute))); err != nil {
					t.Fatal(err)
				}
				if err := s.CreateAuthorizeCodeSession(ctx, "sig", request("g2", t0.Add(time.Minute))); err == nil {
					t.Fatal("a second code with the same signature was stored")
				}
				r, err := s.GetAuthorizeCodeSession(ctx, "sig", nil)
				if err != nil || r.GetID() != "g1" || r.GetSession().(*oauth.Session).Subject != "psu-1" || r.GetClient().GetID() != "client-1" {
					t.Fatalf("%+v %v", r, err)
				}
				if err := s.InvalidateAuthorizeCodeSession(ctx, "sig"); err != nil {
					t.Fatal(err)
				}
				if err := s.InvalidateAuthorizeCodeSession(ctx, "sig"); !errors.Is(err, fosite.ErrInvalidatedAuthorizeCode) {
					t.Fatalf("second use: %v", err)
				}
				if r, err := s.GetAuthorizeCodeSession(ctx, "sig", nil); !errors.Is(err, fosite.ErrInvalidatedAuthorizeCode) || r == nil || r.GetID() != "g1" {
					t.Fatalf("used code: %v %v", r, err)
				}
			})
			t.Run("a pushed request expires and is deleted", func(t *testing.T) {
				s, _, _ := newStore(t, endpoint)
				if err := s.CreatePARSession(ctx, "urn:1", request("g1", t0.Add(time.Minute))); err != nil {
					t.Fatal(err)
				}
				if r, err := s.GetPARSession(ctx, "urn:1"); err != nil || r.GetRequestForm().Get("redirect_uri") != "https://tpp.example/cb" {
					t.Fatalf("%v %v", r, err)
				}
				s.Now = func() time.Time { return t0.Add(time.Minute) }
				if _, err := s.GetPARSession(ctx, "urn:1"); !errors.Is(err, fosite.ErrNotFound) {
					t.Fatalf("expired: %v", err)
				}
				if err := s.DeletePARSession(ctx, "urn:1"); err != nil {
					t.Fatal(err)
				}
			})
			t.Run("a pending request is taken once", func(t *testing.T) {
				s, _, _ := newStore(t, endpoint)
				if err := s.CreatePending(ctx, "p1", request("g1", t0.Add(time.Hour)), t0.Add(time.Minute)); err != nil {
					t.Fatal(err)
				}
				if r, err := s.TakePending(ctx, "p1"); err != nil || r.GetID() != "g1" || r.GetRequestedScopes()[0] != "AIS:c1" {
					t.Fatalf("%v %v", r, err)
				}
				if _, err := s.TakePending(ctx, "p1"); !errors.Is(err, fosite.ErrNotFound) {
					t.Fatalf("taken twice: %v", err)
				}
			})
			t.Run("a grant's tokens are revoked together; a rotated refresh token stays, inactive", func(t *testing.T) {
				s, _, _ := newStore(t, endpoint)
				exp := t0.Add(time.Hour)
				for _, sig := range []string{"g1~a1", "g1~a2", "g2~a1"} {
					if err := s.CreateAccessTokenSession(ctx, sig, request(sig[:2], exp)); err != nil {
						t.Fatal(err)
					}
				}
				if err := s.CreateRefreshTokenSession(ctx, "g1~r1", "g1~a1", request("g1", exp)); err != nil {
					t.Fatal(err)
				}
				if err := s.RotateRefreshToken(ctx, "g1", "g1~r1"); err != nil {
					t.Fatal(err)
				}
				if err := s.RotateRefreshToken(ctx, "g1", "g1~r1"); !errors.Is(err, fosite.ErrInactiveToken) {
					t.Fatalf("rotated twice: %v", err)
				}
				for _, sig := range []string{"g1~a1", "g1~a2"} {
					if _, err := s.GetAccessTokenSession(ctx, sig, nil); !errors.Is(err, fosite.ErrNotFound) {
						t.Fatalf("%s after rotation: %v", sig, err)
					}
				}
				if r, err := s.GetAccessTokenSession(ctx, "g2~a1", nil); err != nil || r.GetID() != "g2" {
					t.Fatalf("another grant's token: %v %v", r, err)
				}
				if r, err := s.GetRefreshTokenSession(ctx, "g1~r1", nil); !errors.Is(err, fosite.ErrInactiveToken) || r.GetID() != "g1" {
					t.Fatalf("rotated refresh token: %v %v", r, err)
				}
				if err := s.CreateRefreshTokenSession(ctx, "g1~r2", "", request("g1", exp)); err != nil {
					t.Fatal(err)
				}
				if err := s.RevokeRefreshToken(ctx, "g1"); err != nil {
					t.Fatal(err)
				}
				if _, err := s.GetRefreshTokenSession(ctx, "g1~r2", nil); !errors.Is(err, fosite.ErrInactiveToken) {
					t.Fatalf("revoked refresh token: %v", err)
				}
				if _, err := s.GetAccessTokenSession(ctx, "no-grant", nil); !errors.Is(err, fosite.ErrNotFound) {
					t.Fatalf("a signature without a grant: %v", err)
				}
			})
		})
	}
}
