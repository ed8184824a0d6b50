package stacks

import (
	"fmt"
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// How the functions are laid out across templates.
//
// CloudFormation takes at most 500 resources, 200 outputs and 200 parameters per template,
// and a function with its own role, policy and log group and its API wiring costs six or
// seven resources. The portal API stack alone reached 497 resources with 70 functions, and
// the TPP API will have about as many again. So each API stack puts its functions in
// nested stacks (awscdk.NestedStack), its "function groups": a group holds at most
// FunctionsPerGroup functions of one domain (the route's Tag; jobsTag for the scheduled
// functions), each with its role, policy, log group, invoke permission and, for the portal,
// its HTTP API integration or, for a job, its schedule. Least privilege is unchanged: every
// function keeps its own role, granted from its route's needs (access.go).
//
// Why nested stacks rather than sibling stacks: a nested stack is deployed, rolled back
// and protected with its parent, so `cdk deploy devportal-portal-api` still deploys the
// whole API, the stack names, outputs and the deployment procedure stay as they were, and
// CDK wires references between parent and nested templates with parameters and outputs
// (not exports, which would pin every function to its consumers). Sibling stacks would
// need an export per reference and their own ordering and termination protection.
//
// What stays in the API's own template: the API, its stage and access logs, and each
// route's AWS::ApiGatewayV2::Route (portal) or AWS::ApiGateway::Resource and Method (TPP),
// one resource or two per function. A route key (or a method of a resource) is unique in
// its API, and CloudFormation creates a stack's new resources before it deletes the old
// ones, so a route that moved from one template to another would fail to deploy
// (ConflictException); kept in the API's template under its unchanged logical ID, a route
// is updated in place when its function moves, as every function did when this layout was
// introduced. It also keeps the REST API's Deployment, which CDK makes depend on every
// method and re-create when any of them changes, correct without any help; methods in
// nested stacks would need both done by hand.
//
// Placement never moves an existing function: groups are keyed by domain and filled in
// route-table order, so a route added after its domain's last route (anywhere later in the
// table, e.g. at its end) joins the domain's last group or opens the next one, and every
// other function keeps its group, its nested stack and its logical ID. A function that
// moved to another group would be replaced (a new function and log group, and the route
// or method pointed at it); only inserting a route before a domain's last route when the
// domain spans several groups, or changing a route's Tag, does that.
//
// Asset bundling is unchanged: each function's code is its own asset, built by GoBundler
// while CDK stages it, whichever template the function is in. A group's template is itself
// a file asset of its parent, published with the functions' code; the default synthesizer
// names the assets' bucket and keys in the templates, so a group's parameters do not grow
// with its functions.
//
// Each group also outputs its functions' physical names as one comma-separated list
// (FunctionGroup.PhysicalNames), so that the monitoring stack, which alarms on every
// function, needs one reference per group rather than one output per function from the
// API stack.

// FunctionsPerGroup is the most functions one function group holds. At five or six
// resources a function, a full group stays under 300 resources and at 41 outputs
// (TestFunctionRoom projects it from the measured cost), and each domain of the current
// tables fits in one group with room to grow (apps, the largest, has 24 routes). It is
// also bounded by the group's list of physical names, which the monitoring stack passes to
// its alarm group as one parameter: a parameter value holds at most 4,096 bytes, and a
// function name at most 64 characters and a comma (maxFunctionNamesBytes).
const FunctionsPerGroup = 40

// maxFunctionNamesBytes is the longest a function group's list of physical names can be.
const maxFunctionNamesBytes = FunctionsPerGroup * (64 + 1)

// groupPlan is one function group: its construct ID, its domain and its functions in
// table order.
type groupPlan struct {
	id  string
	tag string
	fns []appFunction
}

// planGroups splits fns into function groups: by domain (appFunction.tag) in order of the
// domain's first function, each domain in chunks of FunctionsPerGroup in table order. The
// k-th group of domain "apps" is "Apps<k>". It panics on a function without a domain.
func planGroups(fns []appFunction) []groupPlan {
	var tags []string
	byTag := map[string][]appFunction{}
	for _, f := range fns {
		tag := f.tag()
		if tag == "" {
			panic(fmt.Sprintf("stacks: route %s has no Tag, which decides its function group (infra/stacks/groups.go)", f.name))
		}
		if _, ok := byTag[tag]; !ok {
			tags = append(tags, tag)
		}
		byTag[tag] = append(byTag[tag], f)
	}
	var out []groupPlan
	for _, tag := range tags {
		all := byTag[tag]
		for k := 0; k*FunctionsPerGroup < len(all); k++ {
			end := min((k+1)*FunctionsPerGroup, len(all))
			out = append(out, groupPlan{id: pascal(tag) + strconv.Itoa(k+1), tag: tag, fns: all[k*FunctionsPerGroup : end]})
		}
	}
	return out
}

// FunctionGroup is one nested stack of an API stack's functions.
type FunctionGroup struct {
	awscdk.NestedStack
	// ID is the group's construct ID in its API stack ("Apps1").
	ID string
	// Names are the group's functions, in route-table order.
	Names []string
	// Functions are the group's functions by name.
	Functions map[string]awslambda.Function
	// PhysicalNames is, in the API stack, the group's functions' physical names in the
	// order of Names, comma-separated: the nested stack's output FunctionNamesOutput.
	PhysicalNames *string
}

// FunctionNamesOutput is the output of every function group's template that lists its
// functions' physical names.
const FunctionNamesOutput = "FunctionNames"

// newFunctionGroup adds the nested stack of plan to stack, with build adding each function
// in a scope of its own (the function's name in PascalCase), and the output of their
// physical names.
func newFunctionGroup(stack awscdk.Stack, plan groupPlan, description string, build func(scope constructs.Construct, f appFunction) awslambda.Function) *FunctionGroup {
	nested := awscdk.NewNestedStack(stack, jsii.String(plan.id), &awscdk.NestedStackProps{
		Description: jsii.String(description),
	})
	g := &FunctionGroup{NestedStack: nested, ID: plan.id, Functions: map[string]awslambda.Function{}}
	physical := make([]*string, 0, len(plan.fns))
	for _, f := range plan.fns {
		fn := build(constructs.NewConstruct(nested, jsii.String(pascal(f.name))), f)
		g.Names = append(g.Names, f.name)
		g.Functions[f.name] = fn
		physical = append(physical, fn.FunctionName())
	}
	awscdk.NewCfnOutput(nested, jsii.String(FunctionNamesOutput), &awscdk.CfnOutputProps{
		Value:       awscdk.Fn_Join(jsii.String(","), &physical),
		Description: jsii.String("Physical names of the group's functions, comma-separated, in route-table order"),
	})
	g.PhysicalNames = awscdk.Token_AsString(nested.NestedStackResource().GetAtt(jsii.String("Outputs."+FunctionNamesOutput), awscdk.ResolutionTypeHint_STRING), nil)
	return g
}
