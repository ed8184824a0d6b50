package stacks

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/bank/devportal/shared/platform/route"
)

// testRoutes are n routes of domain tag, named <tag>-<i>.
func testRoutes(tag string, n int) []appFunction {
	var out []appFunction
	for i := range n {
		name := fmt.Sprintf("%s-%d", tag, i)
		out = append(out, appFunction{name: name, kind: portalRoute, route: route.Route{Name: name, Tag: tag}})
	}
	return out
}

// groupsOf are the plan's groups as "ID: first..last (count)".
func groupsOf(plans []groupPlan) []string {
	var out []string
	for _, p := range plans {
		out = append(out, fmt.Sprintf("%s: %s..%s (%d)", p.id, p.fns[0].name, p.fns[len(p.fns)-1].name, len(p.fns)))
	}
	return out
}

// TestPlanGroups: groups by domain in order of the domain's first function (a domain's
// groups together), each domain in
// chunks of FunctionsPerGroup in table order; a function added after its domain's last
// leaves every other function where it was.
func TestPlanGroups(t *testing.T) {
	if maxFunctionNamesBytes > 4096 {
		t.Errorf("a group's names may take %d bytes, more than a CloudFormation parameter holds", maxFunctionNamesBytes)
	}
	n := FunctionsPerGroup
	fns := append(testRoutes("apps", n+2), testRoutes("auth", 3)...)
	fns = slices.Insert(fns, 1, testRoutes("platform", 1)...)
	got := groupsOf(planGroups(fns))
	want := []string{
		fmt.Sprintf("Apps1: apps-0..apps-%d (%d)", n-1, n),
		fmt.Sprintf("Apps2: apps-%d..apps-%d (2)", n, n+1),
		"Platform1: platform-0..platform-0 (1)",
		"Auth1: auth-0..auth-2 (3)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("groups %v, want %v", got, want)
	}
	where := func(plans []groupPlan) map[string]string {
		out := map[string]string{}
		for _, p := range plans {
			for _, f := range p.fns {
				out[f.name] = p.id
			}
		}
		return out
	}
	before := where(planGroups(fns))
	// A route of a domain added anywhere after the domain's last route: at the table's end.
	added := append(slices.Clone(fns), appFunction{name: "apps-new", kind: portalRoute, route: route.Route{Name: "apps-new", Tag: "apps"}})
	after := where(planGroups(added))
	for name, id := range before {
		if after[name] != id {
			t.Errorf("%s moved from %s to %s", name, id, after[name])
		}
	}
	if after["apps-new"] != "Apps2" {
		t.Errorf("apps-new is in %s, want Apps2", after["apps-new"])
	}
	// The app's own tables: every domain fits in one group today.
	tables := DefaultRouteTables()
	for _, p := range append(planGroups(tables.portalFunctions()), planGroups(tppRouteFunctions(tables))...) {
		if !strings.HasSuffix(p.id, "1") {
			t.Errorf("group %s: a domain of the app's tables needs more than one group", p.id)
		}
	}
}

func TestPlanGroupsNeedsATag(t *testing.T) {
	defer func() {
		if msg := fmt.Sprint(recover()); !strings.Contains(msg, "untagged has no Tag") {
			t.Errorf("panic %q", msg)
		}
	}()
	planGroups([]appFunction{{name: "untagged", kind: tppRoute, route: route.Route{Name: "untagged"}}})
}
