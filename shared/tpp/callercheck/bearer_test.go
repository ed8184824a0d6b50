package callercheck_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/bank/devportal/shared/platform/prefetch"
	"github.com/bank/devportal/shared/portal/lookup"
	"github.com/bank/devportal/shared/tpp/callercheck"
)

// tokens is the authorization server's tokens as the check sees them.
type tokens map[string]callercheck.Token

// tokenKey is where the fake verifier keeps a token's session.
func tokenKey(token string) prefetch.Key {
	return prefetch.Key{Table: "tpp", PK: "GRANT#" + token, SK: "ACCESS"}
}

func (ts tokens) AccessTokenKey(token string) (prefetch.Key, bool) {
	return tokenKey(token), token != ""
}

func (ts tokens) AccessToken(ctx context.Context, token string) (callercheck.Token, error) {
	// The real verifier's store takes the session read ahead instead of reading it.
	if _, ahead := prefetch.Take(ctx, "tpp", tokenKey(token).AttributeValues()); !ahead && token == "good" {
		return callercheck.Token{}, errors.New("the session of a known token was not read ahead")
	}
	switch token {
	case "expired":
		return callercheck.Token{}, callercheck.ErrTokenExpired
	case "outage":
		return callercheck.Token{}, errors.New("read failed")
	}
	t, ok := ts[token]
	if !ok {
		return callercheck.Token{}, callercheck.ErrTokenInvalid
	}
	return t, nil
}

// TestBearerToken: a call that takes a token passes only with a token of its app, bound
// to the very certificate it presents, or with none when it names a consent (whose rules
// then decide); every other token is refused with its Berlin Group code, whether or not
// the call names a consent, and a failed read is an outage, not a refusal.
func TestBearerToken(t *testing.T) {
	f, fresh := newFixture(t)
	_, otherFP := testCertificate(t, "other")
	bound := callercheck.Token{ClientID: "client-1", AppID: "app-1", Subject: "psu-1", Scopes: []string{"AIS:c1"}, Thumbprint: callercheck.Thumbprint(f.fp), ExpiresAt: now.Add(time.Hour)}
	ts := tokens{
		"good":       bound,
		"other-cert": {ClientID: "client-1", AppID: "app-1", Thumbprint: callercheck.Thumbprint(otherFP)},
		"unbound":    {ClientID: "client-1", AppID: "app-1"},
		"other-app":  {ClientID: "client-2", AppID: "app-2", Thumbprint: callercheck.Thumbprint(f.fp)},
	}
	cases := []struct {
		name, auth, consent string
		require             bool
		code                string // "" accepted
		outage              bool
	}{
		{name: "not required: no token needed", require: false},
		{name: "token bound to the certificate", auth: "Bearer good", require: true},
		{name: "scheme in lower case", auth: "bearer good", require: true},
		{name: "no token", require: true, code: "TOKEN_INVALID"},
		{name: "another scheme", auth: "Basic Z29vZA==", require: true, code: "TOKEN_INVALID"},
		{name: "unknown or revoked token", auth: "Bearer forged", require: true, code: "TOKEN_INVALID"},
		{name: "expired token", auth: "Bearer expired", require: true, code: "TOKEN_EXPIRED"},
		{name: "token of another certificate", auth: "Bearer other-cert", require: true, code: "TOKEN_INVALID"},
		{name: "token bound to no certificate", auth: "Bearer unbound", require: true, code: "TOKEN_INVALID"},
		{name: "token of another app", auth: "Bearer other-app", require: true, code: "TOKEN_INVALID"},
		{name: "the verifier cannot read", auth: "Bearer outage", require: true, outage: true},
		{name: "naming a consent, no token: for its rules to decide", consent: "c1", require: true},
		{name: "naming a consent, a token bound to the certificate", auth: "Bearer good", consent: "c1", require: true},
		{name: "naming a consent, another scheme", auth: "Basic Z29vZA==", consent: "c1", require: true, code: "TOKEN_INVALID"},
		{name: "naming a consent, an unknown token", auth: "Bearer forged", consent: "c1", require: true, code: "TOKEN_INVALID"},
		{name: "naming a consent, an expired token", auth: "Bearer expired", consent: "c1", require: true, code: "TOKEN_EXPIRED"},
		{name: "naming a consent, a token of another certificate", auth: "Bearer other-cert", consent: "c1", require: true, code: "TOKEN_INVALID"},
		{name: "naming a consent, a token of another app", auth: "Bearer other-app", consent: "c1", require: true, code: "TOKEN_INVALID"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			check := &callercheck.Authorizer{Lookups: fresh(), Environment: lookup.Sandbox, Now: func() time.Time { return now }, Tokens: ts}
			got, err := check.Check(context.Background(), callercheck.Call{CertDER: derOf(f.certPEM), APIKey: f.key, Product: "ais", Authorization: tc.auth, TakesToken: tc.require, ConsentID: tc.consent})
			var refusal *callercheck.Refusal
			switch {
			case tc.outage:
				if err == nil || errors.As(err, &refusal) {
					t.Fatalf("err = %v, want a failed read", err)
				}
			case tc.code != "":
				if !errors.As(err, &refusal) || refusal.Code != tc.code || refusal.Status != 401 {
					t.Fatalf("err = %v, want 401 %s", err, tc.code)
				}
			default:
				if err != nil || got.AppID != "app-1" {
					t.Fatalf("Check = %+v, %v", got, err)
				}
				if tc.auth != "" && (got.Token == nil || got.Token.Subject != "psu-1") {
					t.Fatalf("token %+v, want the verified token", got.Token)
				}
				if tc.auth == "" && got.Token != nil {
					t.Fatalf("token %+v on a call that presented none", got.Token)
				}
			}
		})
	}
	t.Run("required without a verifier: an outage", func(t *testing.T) {
		check := &callercheck.Authorizer{Lookups: fresh(), Environment: lookup.Sandbox, Now: func() time.Time { return now }}
		_, err := check.Check(context.Background(), callercheck.Call{CertDER: derOf(f.certPEM), APIKey: f.key, Product: "ais", Authorization: "Bearer good", TakesToken: true})
		var refusal *callercheck.Refusal
		if err == nil || errors.As(err, &refusal) {
			t.Fatalf("err = %v", err)
		}
	})
}

// TestReadAhead: a call that takes a bearer token costs the check one read, which takes
// the token's session and the consent the call names along with the caller's items; only
// the consent goes on to the handler.
func TestReadAhead(t *testing.T) {
	f, fresh := newFixture(t)
	good := callercheck.Token{ClientID: "client-1", AppID: "app-1", Subject: "psu-1", Thumbprint: callercheck.Thumbprint(f.fp)}
	consentKey := func(id string) prefetch.Key { return prefetch.Key{Table: "tpp", PK: "CONSENT#" + id, SK: "CONSENT"} }
	consent := map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "CONSENT#c1"}, "SK": &types.AttributeValueMemberS{Value: "CONSENT"}}
	cases := []struct {
		name      string
		call      callercheck.Call
		keys      func(string) prefetch.Key
		wantAsked []prefetch.Key
		// wantAhead is what the handler gets: the consent item, nil for none, or absent.
		wantAhead map[string]types.AttributeValue
		wantHeld  bool
	}{
		{name: "token and consent", call: callercheck.Call{Authorization: "Bearer good", TakesToken: true, ConsentID: "c1"}, keys: consentKey,
			wantAsked: []prefetch.Key{tokenKey("good"), consentKey("c1")}, wantAhead: consent, wantHeld: true},
		{name: "a consent the table lacks is an answer too", call: callercheck.Call{Authorization: "Bearer good", TakesToken: true, ConsentID: "gone"}, keys: consentKey,
			wantAsked: []prefetch.Key{tokenKey("good"), consentKey("gone")}, wantHeld: true},
		{name: "no Consent-ID: the token alone", call: callercheck.Call{Authorization: "Bearer good", TakesToken: true}, keys: consentKey,
			wantAsked: []prefetch.Key{tokenKey("good")}},
		{name: "no consent key: the token alone", call: callercheck.Call{Authorization: "Bearer good", TakesToken: true, ConsentID: "c1"},
			wantAsked: []prefetch.Key{tokenKey("good")}},
		{name: "no token, a consent: the consent alone, for the handler", call: callercheck.Call{TakesToken: true, ConsentID: "c1"}, keys: consentKey,
			wantAsked: []prefetch.Key{consentKey("c1")}, wantAhead: consent, wantHeld: true},
		{name: "no token required: nothing ahead", call: callercheck.Call{ConsentID: "c1"}, keys: consentKey},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := fresh()
			w.tpp = map[prefetch.Key]map[string]types.AttributeValue{tokenKey("good"): {"active": &types.AttributeValueMemberBOOL{Value: true}}, consentKey("c1"): consent}
			check := &callercheck.Authorizer{Lookups: w, Environment: lookup.Sandbox, Now: func() time.Time { return now }, Tokens: tokens{"good": good}, ConsentKey: tc.keys}
			tc.call.CertDER, tc.call.APIKey, tc.call.Product = derOf(f.certPEM), f.key, "ais"
			got, err := check.Check(context.Background(), tc.call)
			if err != nil {
				t.Fatal(err)
			}
			if w.reads != 1 || !reflect.DeepEqual(w.asked[0], tc.wantAsked) {
				t.Fatalf("%d reads asking %v, want one asking %v", w.reads, w.asked, tc.wantAsked)
			}
			if n := got.Ahead.Len(); n != map[bool]int{true: 1}[tc.wantHeld] {
				t.Fatalf("the handler gets %d items", n)
			}
			if tc.wantHeld {
				item, ok := got.Ahead.Take(consentKey(tc.call.ConsentID))
				if !ok || !reflect.DeepEqual(item, tc.wantAhead) {
					t.Fatalf("the handler's consent %v %v, want %v", item, ok, tc.wantAhead)
				}
			}
		})
	}
}

func TestThumbprint(t *testing.T) {
	// SHA-256 of "abc": its x5t#S256 is the base64url of the same 32 bytes.
	if got := callercheck.Thumbprint("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"); got != "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0" {
		t.Fatalf("Thumbprint = %q", got)
	}
	if got := callercheck.Thumbprint("not hex"); got != "" {
		t.Fatalf("Thumbprint of garbage = %q", got)
	}
}
