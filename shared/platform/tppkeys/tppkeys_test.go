package tppkeys_test

import (
	"testing"

	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/platform/tppkeys"
)

// TestFamiliesApart: no family covers another's partitions, so that declaring one never
// grants another (OAUTH#GRANT# is not OAUTH#CODE#, BASKET# not BASKETMEMBER#, NOTIFY# not
// NOTIFYLOG#, SCA#PIS# not SCA#PISCANC#), and no family holds IAM's pattern characters.
func TestFamiliesApart(t *testing.T) {
	for _, a := range tppkeys.All {
		for _, b := range tppkeys.All {
			if a != b && (route.Keys{a}).Covers(b) {
				t.Errorf("family %q covers family %q", a, b)
			}
		}
	}
	if got, want := len(tppkeys.All.LeadingKeys()), 30; got != want {
		t.Errorf("%d families, want %d", got, want)
	}
}
