package stacks_test

//lint:file-ignore SA1019 CDK v2.270's Go bindings expose synthesis messages only through the cxapi types marked deprecated.

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/bank/devportal/infra/stacks"
	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/portal/lookup/keyspace"
	"github.com/bank/devportal/shared/portal/org"
	tpproutes "github.com/bank/devportal/shared/tpp/routes"
)

// The budget every template of the app stays within, each area's function groups full or
// not: CloudFormation's limits are 500 resources and 200 outputs and parameters per
// template, and 1 MB for a template it reads from S3 (every one of ours: CDK uploads them).
// The margin is for what a change adds besides functions.
const (
	resourceBudget  = 400
	outputBudget    = 150
	parameterBudget = 150
	byteBudget      = 800_000
	// roomWanted is how many more functions each area (portal, TPP) must have room for:
	// with the payments' and consents' authorisation sub-resources and the registration
	// API in the TPP API's stack, the signing baskets' operations and dynamic client
	// registration need fewer than 20 more there, and the remaining room keeps a margin of
	// three times that.
	roomWanted = 60
)

// testTPPRoute is a TPP route of the layout tests in the domain tag, with a path of its
// own directly under /v1: one resource and one method, as most routes of the TPP API cost.
func testTPPRoute(name, tag string) route.Route {
	return route.Route{Name: name, Method: "GET", Path: "/v1/" + name, Auth: route.TPP, Needs: route.PortalTable,
		Keys: route.Keys{keyspace.Client}, Tag: tag, Summary: "A route of the layout tests"}
}

// domainWithRoom is the first domain of routes whose last function group has room for
// one more function, so that a route added at the table's end joins that group rather
// than opening a new one.
func domainWithRoom(t *testing.T, routes []route.Route) string {
	t.Helper()
	count := map[string]int{}
	var order []string
	for _, rt := range routes {
		if count[rt.Tag] == 0 {
			order = append(order, rt.Tag)
		}
		count[rt.Tag]++
	}
	for _, tag := range order {
		if count[tag]%stacks.FunctionsPerGroup != 0 {
			return tag
		}
	}
	t.Fatal("every TPP domain's last group is full")
	return ""
}

// layoutPlus are the app's route tables with a portal route added after the last route
// of the apps domain (at the table's end) and a TPP route added at the end of the TPP
// table in a domain with room in its last group.
func layoutPlus(t *testing.T) *stacks.RouteTables {
	tables := stacks.DefaultRouteTables()
	tables.Portal = append(tables.Portal, route.Route{Name: "app-layout-test", Method: "POST",
		Path: "/api/organizations/{orgId}/apps/{appId}/layout-test", Auth: route.Session, Tag: "apps", Summary: "A route of the layout tests"})
	tables.TPP = append(tables.TPP, testTPPRoute("tpp-test-added", domainWithRoom(t, tables.TPP)))
	return &tables
}

var (
	layoutOnce sync.Once
	layoutUp   synthesized
)

// layoutApps are the app as deployed (the production synthesis the other tests read) and
// the app synthesized with layoutPlus: one synthesis fewer than a base of its own, and
// every synthesis costs tens of seconds.
func layoutApps(t *testing.T) (base, plus *synthesized) {
	t.Helper()
	base = synth(t)
	tables := layoutPlus(t)
	layoutOnce.Do(func() {
		layoutUp = synthesizeTables(org.Production, filepath.Join(outdir, "layout-plus"), tables)
	})
	if layoutUp.err != nil {
		t.Fatal(layoutUp.err)
	}
	return base, &layoutUp
}

// size is what a template holds, against CloudFormation's limits.
type size struct {
	resources, outputs, parameters, bytes int
}

func sizeOf(tmpl map[string]interface{}) size {
	count := func(key string) int {
		m, _ := tmpl[key].(map[string]interface{})
		return len(m)
	}
	raw, _ := json.Marshal(tmpl)
	return size{count("Resources"), count("Outputs"), count("Parameters"), len(raw)}
}

func (a size) minus(b size) size {
	return size{a.resources - b.resources, a.outputs - b.outputs, a.parameters - b.parameters, a.bytes - b.bytes}
}

func (a size) plus(b size, times int) size {
	return size{a.resources + times*b.resources, a.outputs + times*b.outputs, a.parameters + times*b.parameters, a.bytes + times*b.bytes}
}

// within is the first limit s exceeds, or "".
func (s size) within() string {
	switch {
	case s.resources > resourceBudget:
		return fmt.Sprintf("%d resources (budget %d)", s.resources, resourceBudget)
	case s.outputs > outputBudget:
		return fmt.Sprintf("%d outputs (budget %d)", s.outputs, outputBudget)
	case s.parameters > parameterBudget:
		return fmt.Sprintf("%d parameters (budget %d)", s.parameters, parameterBudget)
	case s.bytes > byteBudget:
		return fmt.Sprintf("%d bytes (budget %d)", s.bytes, byteBudget)
	}
	return ""
}

// allTemplates are every template of a synthesis, nested ones included, by file name.
func allTemplates(t *testing.T, dir string) map[string]map[string]interface{} {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.template.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("templates in %s: %v %v", dir, files, err)
	}
	out := map[string]map[string]interface{}{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var tmpl map[string]interface{}
		if err := json.Unmarshal(raw, &tmpl); err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = tmpl
	}
	return out
}

// TestTemplateBudget: every template of every synthesis of the tests, nested ones
// included, stays within the budget.
func TestTemplateBudget(t *testing.T) {
	_, plus := layoutApps(t)
	for _, s := range append(environments(t), plus) { // base is the production synthesis
		templates := allTemplates(t, s.outdir)
		var nested int
		for name, tmpl := range templates {
			if strings.HasSuffix(name, ".nested.template.json") {
				nested++
			}
			size := sizeOf(tmpl)
			if over := size.within(); over != "" {
				t.Errorf("%s: %s has %s", filepath.Base(s.outdir), name, over)
			}
			t.Logf("%s: %s: %d resources, %d outputs, %d parameters, %d bytes", filepath.Base(s.outdir), name,
				size.resources, size.outputs, size.parameters, size.bytes)
		}
		if want := len(s.apiGroups) + len(s.tppGroups) + len(s.monitoringGroups); nested != want {
			t.Errorf("%s: %d nested templates, want %d (every group's)", filepath.Base(s.outdir), nested, want)
		}
	}
}

// area is one of the app's API stacks, as the room test measures it.
type area struct {
	name string
	// parent is the API stack's template; groups its function groups'.
	parent func(s *synthesized) map[string]interface{}
	groups func(s *synthesized) []nestedTemplate
	// added is the function layoutPlus adds to the area.
	added string
	// alarms is the prefix of the area's alarm groups in the monitoring stack.
	alarms string
}

var areas = []area{
	{"portal", func(s *synthesized) map[string]interface{} { return *s.api.ToJSON() },
		func(s *synthesized) []nestedTemplate { return s.apiGroups }, "app-layout-test", "Portal"},
	{"TPP", func(s *synthesized) map[string]interface{} { return *s.tppAPI.ToJSON() },
		func(s *synthesized) []nestedTemplate { return s.tppGroups }, "tpp-test-added", "Tpp"},
}

// groupHolding is the group whose template defines the named function.
func groupHolding(t *testing.T, groups []nestedTemplate, name string) nestedTemplate {
	t.Helper()
	for _, g := range groups {
		if res, _ := g.json["Resources"].(map[string]interface{}); res[stacks.FunctionLogicalID(name)] != nil {
			return g
		}
	}
	t.Fatalf("no group defines %s", stacks.FunctionLogicalID(name))
	return nestedTemplate{}
}

// groupNamed is the nested template with that construct ID.
func groupNamed(t *testing.T, groups []nestedTemplate, id string) nestedTemplate {
	t.Helper()
	i := slices.IndexFunc(groups, func(g nestedTemplate) bool { return g.id == id })
	if i < 0 {
		t.Fatalf("no nested stack %s", id)
	}
	return groups[i]
}

// functionsIn counts the functions of a template.
func functionsIn(tmpl map[string]interface{}) int {
	var n int
	res, _ := tmpl["Resources"].(map[string]interface{})
	for _, r := range res {
		if r.(map[string]interface{})["Type"] == "AWS::Lambda::Function" {
			n++
		}
	}
	return n
}

// TestFunctionRoom: each area has room for roomWanted more functions at the per-function
// cost measured from the templates (the difference one more function makes to each
// template it touches) and the per-group cost (a group is one nested stack in its API
// stack and one in the monitoring stack, and one output of its API stack): its API stack
// and the monitoring stack stay within the budget with that many more, and a full group
// and its alarm group stay within it too.
func TestFunctionRoom(t *testing.T) {
	base, plus := layoutApps(t)
	monitoringDelta := sizeOf(*plus.monitoring.ToJSON()).minus(sizeOf(*base.monitoring.ToJSON()))
	for _, a := range areas {
		t.Run(a.name, func(t *testing.T) {
			parent, parentPlus := a.parent(base), a.parent(plus)
			perFunction := sizeOf(parentPlus).minus(sizeOf(parent))
			// The added function joined an existing group, so its group's difference is one
			// function's cost there, and its alarm group's one alarm's.
			g := groupHolding(t, a.groups(plus), a.added)
			gBase := groupNamed(t, a.groups(base), g.id)
			inGroup := sizeOf(g.json).minus(sizeOf(gBase.json))
			m := groupNamed(t, plus.monitoringGroups, a.alarms+g.id+"Alarms")
			mBase := groupNamed(t, base.monitoringGroups, a.alarms+g.id+"Alarms")
			inAlarms := sizeOf(m.json).minus(sizeOf(mBase.json))
			t.Logf("one more function costs: %+v in the API stack, %+v in its group, %+v in its alarm group, %+v in the monitoring stack",
				perFunction, inGroup, inAlarms, monitoringDelta)
			if inGroup.resources < 4 || inAlarms.resources != 1 {
				t.Fatalf("the function was not added to %s: %+v, %+v", g.id, inGroup, inAlarms)
			}

			// A full group and its alarm group stay within the budget.
			n := functionsIn(gBase.json)
			full := sizeOf(gBase.json).plus(inGroup, stacks.FunctionsPerGroup-n)
			fullAlarms := sizeOf(mBase.json).plus(inAlarms, stacks.FunctionsPerGroup-n)
			t.Logf("a full group (%d functions): %+v; its alarm group: %+v", stacks.FunctionsPerGroup, full, fullAlarms)
			for what, s := range map[string]size{"a full group": full, "a full alarm group": fullAlarms} {
				if over := s.within(); over != "" {
					t.Errorf("%s would have %s", what, over)
				}
			}

			// Per group: one nested stack in the API stack (and one output of its
			// functions' names, which the monitoring stack reads) and one in the monitoring
			// stack. Counted, not assumed.
			groups := len(a.groups(plus))
			if got := countType(parentPlus, "AWS::CloudFormation::Stack"); got != groups {
				t.Errorf("%d nested stacks in the API stack, %d groups", got, groups)
			}
			perGroup := size{resources: 1, outputs: 1}
			perMonitoringGroup := size{resources: 1}
			room := func(current, function, group size) int {
				best := math.MaxInt
				for _, c := range []struct{ have, per, budget int }{
					{current.resources, function.resources*stacks.FunctionsPerGroup + group.resources, resourceBudget},
					{current.outputs, function.outputs*stacks.FunctionsPerGroup + group.outputs, outputBudget},
					{current.parameters, function.parameters*stacks.FunctionsPerGroup + group.parameters, parameterBudget},
					{current.bytes, function.bytes*stacks.FunctionsPerGroup + group.bytes, byteBudget},
				} {
					// c.per is the cost of a group's worth of functions, rounded to whole functions.
					if c.per > 0 {
						best = min(best, (c.budget-c.have)*stacks.FunctionsPerGroup/c.per)
					}
				}
				return best
			}
			inAPI := room(sizeOf(parentPlus), perFunction, perGroup)
			inMonitoring := room(sizeOf(*plus.monitoring.ToJSON()), monitoringDelta, perMonitoringGroup)
			t.Logf("room: %d more functions in the API stack, %d in the monitoring stack", inAPI, inMonitoring)
			if got := min(inAPI, inMonitoring); got < roomWanted {
				t.Errorf("room for %d more functions, want at least %d", got, roomWanted)
			}
		})
	}
}

func countType(tmpl map[string]interface{}, typ string) int {
	var n int
	res, _ := tmpl["Resources"].(map[string]interface{})
	for _, r := range res {
		if r.(map[string]interface{})["Type"] == typ {
			n++
		}
	}
	return n
}

// TestAddingARouteMovesNothing: with a route added after its domain's last route in each
// area, every resource of the app keeps its template and logical ID (so no function,
// role, log group, route, method or alarm is replaced), every function its function
// group, and the added functions are there.
func TestAddingARouteMovesNothing(t *testing.T) {
	base, plus := layoutApps(t)
	// Templates by stack: a top-level stack's name, or its name and a group's ID.
	templates := func(s *synthesized) map[string]map[string]interface{} {
		out := map[string]map[string]interface{}{}
		top := map[string]map[string]interface{}{
			"data": *s.data.ToJSON(), "identity": *s.identity.ToJSON(), "workflows": *s.workflows.ToJSON(),
			"portal-api": *s.api.ToJSON(), "frontend": *s.frontend.ToJSON(), "monitoring": *s.monitoring.ToJSON(),
			"truststore": *s.truststore.ToJSON(), "tpp-api": *s.tppAPI.ToJSON(),
		}
		for k, v := range top {
			out[k] = v
		}
		for prefix, groups := range map[string][]nestedTemplate{"portal-api/": s.apiGroups, "tpp-api/": s.tppGroups, "monitoring/": s.monitoringGroups} {
			for _, g := range groups {
				out[prefix+g.id+" ("+g.logicalID+")"] = g.json
			}
		}
		return out
	}
	before, after := templates(base), templates(plus)
	locate := func(all map[string]map[string]interface{}) map[string]string {
		out := map[string]string{} // resource "stack/logical ID" -> type
		for stack, tmpl := range all {
			res, _ := tmpl["Resources"].(map[string]interface{})
			for id, r := range res {
				out[stack+" "+id] = fmt.Sprint(r.(map[string]interface{})["Type"])
			}
		}
		return out
	}
	was, is := locate(before), locate(after)
	var kept int
	for key, typ := range was {
		if typ == "AWS::ApiGateway::Deployment" {
			// The REST API's deployment is replaced by design: CDK puts a hash of every
			// method in its logical ID, so that a new method reaches the stage.
			if _, ok := is[key]; ok {
				t.Errorf("%s was not replaced: the stage would not serve the added method", key)
			}
			continue
		}
		if is[key] != typ {
			t.Errorf("%s (%s) is gone or moved", key, typ)
			continue
		}
		kept++
	}
	t.Logf("%d resources kept their template and logical ID", kept)
	// Every function of the base app is in the same group, found by its own logical ID.
	for _, a := range areas {
		for _, g := range a.groups(base) {
			res, _ := g.json["Resources"].(map[string]interface{})
			for id, r := range res {
				if r.(map[string]interface{})["Type"] == "AWS::Lambda::Function" {
					if p := groupNamed(t, a.groups(plus), g.id); p.logicalID != g.logicalID {
						t.Errorf("%s: group %s is %s, was %s", id, g.id, p.logicalID, g.logicalID)
					}
				}
			}
		}
		g := groupHolding(t, a.groups(plus), a.added)
		t.Logf("%s: the added function %s is in group %s", a.name, a.added, g.id)
	}
	// The authorizer stays in the TPP API's own template.
	if _, ok := is["tpp-api "+stacks.FunctionLogicalID("tpp-authorizer")]; !ok {
		t.Error("the authorizer left the TPP API's template")
	}
}

// TestNagWithTPPRoutes: the app with a route more in each area has no AwsSolutions finding without a suppression either, in the TPP API's
// function groups and methods included.
func TestNagWithTPPRoutes(t *testing.T) {
	_, plus := layoutApps(t)
	rule := assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*"))
	for stack, a := range plus.annotations {
		for _, m := range *a.FindError(jsii.String("*"), rule) {
			t.Errorf("%s: error %s: %v", stack, *m.Id, m.Entry.Data)
		}
		for _, m := range *a.FindWarning(jsii.String("*"), rule) {
			t.Errorf("%s: warning %s: %v", stack, *m.Id, m.Entry.Data)
		}
	}
	report := nagReport(t, plus.outdir, *plus.stacks.TPPAPI.StackName())
	for rule, want := range map[string]string{"AwsSolutions-IAM5": "Suppressed", "AwsSolutions-COG4": "Suppressed", "AwsSolutions-APIG4": "Suppressed"} {
		if report[rule] != want {
			t.Errorf("%s is %q in the TPP API and its groups, want %q", rule, report[rule], want)
		}
	}
}

// TestTPPRouteMethods: each TPP route is a method of its path behind the authorizer (a
// public one, the OAuth2 metadata, without it), in
// the TPP API's template, integrated (Lambda proxy) with its function in a function
// group, which API Gateway may invoke for that method and path; and the REST API's
// deployment depends on the method.
func TestTPPRouteMethods(t *testing.T) {
	_, plus := layoutApps(t)
	resources := tmplResources(plus.tppAPI, "AWS::ApiGateway::Resource")
	pathOf := func(id string) string {
		var parts []string
		for id != "" {
			r, ok := resources[id]
			if !ok {
				break
			}
			parts = append([]string{str(props(r)["PathPart"])}, parts...)
			id = ref(props(r)["ParentId"])
		}
		return "/" + strings.Join(parts, "/")
	}
	methods := map[string]string{} // "GET /path" -> method logical ID
	for id, m := range tmplResources(plus.tppAPI, "AWS::ApiGateway::Method") {
		methods[str(props(m)["HttpMethod"])+" "+pathOf(ref(props(m)["ResourceId"]))] = id
	}
	_, deployment := only(t, plus.tppAPI, "AWS::ApiGateway::Deployment")
	dependsOn, _ := deployment["DependsOn"].([]interface{})
	permissions := resourcesOf(t, plus.tppAPI, plus.tppGroups, "AWS::Lambda::Permission")
	for _, rt := range layoutPlus(t).TPP {
		t.Run(rt.Name, func(t *testing.T) {
			id, ok := methods[rt.Method+" "+rt.Path]
			if !ok {
				t.Fatalf("no method %s %s in the TPP API's template; methods %v", rt.Method, rt.Path, methods)
			}
			p := props(tmplResources(plus.tppAPI, "AWS::ApiGateway::Method")[id])
			// Public routes (the OAuth2 metadata) run without the authorizer and its key.
			if rt.Auth == route.Public {
				if p["AuthorizationType"] != "NONE" || p["AuthorizerId"] != nil || p["ApiKeyRequired"] == true {
					t.Errorf("%s %s, public, is behind the authorizer: %v %v %v", rt.Method, rt.Path, p["AuthorizationType"], p["AuthorizerId"], p["ApiKeyRequired"])
				}
			} else if p["AuthorizationType"] != "CUSTOM" || ref(p["AuthorizerId"]) != authorizerIDOf(t, plus.tppAPI, tpproutes.AuthorizerOf(rt)) {
				t.Errorf("%s %s is not behind the %s: %v %v", rt.Method, rt.Path, tpproutes.AuthorizerOf(rt), p["AuthorizationType"], p["AuthorizerId"])
			}
			integ, _ := p["Integration"].(map[string]interface{})
			if integ["Type"] != "AWS_PROXY" || integ["IntegrationHttpMethod"] != "POST" {
				t.Errorf("integration %v %v, want a Lambda proxy integration", integ["Type"], integ["IntegrationHttpMethod"])
			}
			var arn interface{}
			join, _ := integ["Uri"].(map[string]interface{})["Fn::Join"].([]interface{})
			if len(join) == 2 {
				for _, part := range join[1].([]interface{}) {
					if v, _, ok := nestedOutput(plus.tppGroups, part); ok {
						arn = v
					}
				}
			}
			if getAtt(arn, "Arn") != stacks.FunctionLogicalID(rt.Name) {
				t.Errorf("the integration calls %v, not %s of a function group", integ["Uri"], stacks.FunctionLogicalID(rt.Name))
			}
			if !slices.Contains(dependsOn, interface{}(id)) {
				t.Errorf("the deployment does not depend on %s", id)
			}
			var allowed bool
			for _, perm := range permissions {
				pp := props(perm)
				if getAtt(pp["FunctionName"], "Arn") != stacks.FunctionLogicalID(rt.Name) {
					continue
				}
				source, _ := json.Marshal(pp["SourceArn"])
				// arn:...:execute-api:<region>:<account>:<API ID, a parameter>/*/<method><path>
				allowed = pp["Principal"] == "apigateway.amazonaws.com" &&
					strings.Contains(string(source), "/*/"+rt.Method+rt.Path+`"`) && strings.Contains(string(source), `{"Ref":"referencetodevportaltppapiApi`)
			}
			if !allowed {
				t.Errorf("API Gateway may not invoke %s for %s %s alone", rt.Name, rt.Method, rt.Path)
			}
		})
	}
}
