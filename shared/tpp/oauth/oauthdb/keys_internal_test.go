package oauthdb

import (
	"testing"

	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/platform/tppkeys"
)

// TestKeysInFamilies: every partition key the store builds, on the table and on its
// index, belongs to the family of tppkeys that routes declare for it and IAM allows.
func TestKeysInFamilies(t *testing.T) {
	code, _ := codeKey("s")
	pkce, _ := pkceKey("s")
	par, _ := parKey("urn:r")
	pending, _ := pendingKey("p")
	access, _, _ := tokenKey("g~sig", accessPrefix)
	refresh, _, _ := tokenKey("g~sig", refreshPrefix)
	for pk, family := range map[string]string{
		code: tppkeys.OAuthCode, pkce: tppkeys.OAuthPKCE, par: tppkeys.OAuthPAR, pending: tppkeys.OAuthPending,
		grantPK("g"): tppkeys.OAuthGrant, access: tppkeys.OAuthGrant, refresh: tppkeys.OAuthGrant,
	} {
		if !(route.Keys{family}).Covers(pk) || !(tppkeys.All).Covers(family) {
			t.Errorf("partition %q is not in family %q of tppkeys", pk, family)
		}
	}
}
