package consents

import "testing"

// TestCheckToken: the way a consent was authorised × whether the customer approved it ×
// the token a read presents → the read passes, or the token's refusal.
func TestCheckToken(t *testing.T) {
	const scope = "AIS:c1"
	own, other, basket := &Token{Scopes: []string{"PIS:p1", scope}}, &Token{Scopes: []string{"AIS:c2"}}, &Token{Scopes: []string{"SBS:b1"}}
	for _, tc := range []struct {
		name     string
		by       Authorisation
		approved bool
		token    *Token
		want     error
	}{
		{"at the bank, no token", ByBank, true, nil, nil},
		{"at the bank, a token of the consent", ByBank, true, own, nil},
		{"at the bank, a token of another consent", ByBank, true, other, ErrTokenScope},
		{"at the bank, the basket's token", ByBank, true, basket, ErrTokenScope},
		{"OAuth2, its token", ByOAuth, true, own, nil},
		{"OAuth2, no token", ByOAuth, true, nil, ErrTokenRequired},
		{"OAuth2, a token of another consent", ByOAuth, true, other, ErrTokenScope},
		{"stored before the way was recorded, no token", "", true, nil, ErrTokenRequired},
		{"stored before the way was recorded, its token", "", true, own, nil},
		{"not approved, no token: its status refuses", "", false, nil, nil},
		{"not approved, a token of another consent", "", false, other, ErrTokenScope},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := CheckToken(tc.by, tc.approved, scope, tc.token); got != tc.want {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}
