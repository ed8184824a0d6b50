package apidoc_test

import (
	"slices"
	"testing"

	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/tpp/bgspec"
	"github.com/bank/devportal/shared/tpp/routes"
)

// gatedTags are the tags of the routes whose handler tests check every answer against the
// official files and fail when an operation was never checked (bgspec.Gate in their
// TestMain), by the package whose tests those are.
var gatedTags = map[string]string{"AIS": "aisapi", "CoF": "aisapi", "PIS": "pisapi", "SBS": "pisapi"}

// TestEveryOperationIsRouted lists every operation of the two Berlin Group files and
// fails for one that has no route in the TPP route table (a payment operation needs one
// per payment service, as the table writes {payment-service} out), or whose route is not
// of a tag whose handler tests are gated on checking it.
func TestEveryOperationIsRouted(t *testing.T) {
	bgspec.Load(t, bgspec.NextGenPSD2)
	bgspec.Load(t, bgspec.FundsConfirmation)
	ops, err := bgspec.Operations()
	if err != nil {
		t.Fatal(err)
	}
	if want := 46; len(ops) != want {
		t.Errorf("the files have %d operations, want %d: were they replaced?", len(ops), want)
	}
	routed := 0
	for _, o := range ops {
		for _, p := range o.Paths {
			i := slices.IndexFunc(routes.TPP, func(rt route.Route) bool {
				return rt.Method == o.Method && bgspec.Shape(rt.Path) == bgspec.Shape(p)
			})
			if i < 0 {
				t.Errorf("%s %s (%s %s) has no route", o.Method, p, o.File, o.ID)
				continue
			}
			routed++
			if rt := routes.TPP[i]; gatedTags[rt.Tag] == "" {
				t.Errorf("the route %s of %s %s is tagged %q, whose handler tests are not gated on the files", rt.Name, o.File, o.ID, rt.Tag)
			}
		}
	}
	// 12 payment operations written out for 3 services, and the 34 others.
	if want := 12*3 + 34; routed != want {
		t.Errorf("%d routes serve the files' operations, want %d", routed, want)
	}
}
