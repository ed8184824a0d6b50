package apidoc_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/bank/devportal/shared/tpp/bgspec"
)

// The agreement between our document and the Berlin Group's files, operation by
// operation: every operation of ours that a file also defines (same method, same path
// once the parameters are unnamed) must agree with it.
//
//   - Parameters: each of ours is one of the file's (same name and place), of the same
//     type and format, with no value the file does not allow; each the file requires is
//     required by us too. The exceptions are the bank's documented choices below.
//   - Bodies and answers: our schema must be a restriction of the file's (structural
//     check: every property we declare exists there, at the same place, with a
//     compatible type and values; in an answer, what the file promises we promise), and
//     every example we give must validate against the file's schema with kin-openapi:
//     a developer who trusts our document builds requests and reads answers the
//     framework allows. Every JSON answer of success carries an example, so the check
//     never runs on nothing.
//   - Status codes: every status we document is one the file has for the operation.
//
// The handlers' real answers are held to the same files by their own tests (bgspec.Check
// in aisapi); this test holds the document, which is what developers read.

// extensions are parameters of ours the files do not have, by operation and name.
var extensions = map[string]string{
	"ais-account-transactions query cursor":                          "paging: the next link's cursor instead of pageIndex/itemsPerPage",
	"ais-card-account-transactions query cursor":                     "paging: the next link's cursor instead of pageIndex/itemsPerPage",
	"ais-card-accounts query withBalance":                            "the bank adds card accounts' balances as it does payment accounts'",
	"ais-card-account query withBalance":                             "the bank adds card accounts' balances as it does payment accounts'",
	"ais-card-account-transactions query withBalance":                "the bank adds card accounts' balances as it does payment accounts'",
	"cof-consent-create header TPP-Decoupled-Preferred":              "the confirmation-of-funds file predates the header; the bank takes it as NextGenPSD2 1.3.12 defines it",
	"cof-consent-authorisation-start header TPP-Decoupled-Preferred": "the confirmation-of-funds file predates the header; the bank takes it as NextGenPSD2 1.3.12 defines it",
	// The confirmation-of-funds file of 2019 predates the notification headers that
	// NextGenPSD2 1.3.12 gives every other consent and initiation.
	"cof-consent-create header TPP-Notification-URI":               "status notifications as NextGenPSD2 1.3.12 defines them for the other consents",
	"cof-consent-create header TPP-Notification-Content-Preferred": "status notifications as NextGenPSD2 1.3.12 defines them for the other consents",
}

// relaxed are parameters the file requires and this bank does not, by operation and name.
var relaxed = map[string]string{
	"ais-consent-create header PSU-IP-Address":             "the bank does not require the customer's IP address to create a consent",
	"pis-payments-initiate header PSU-IP-Address":          "the bank does not require the customer's IP address to initiate a payment",
	"pis-bulk-payments-initiate header PSU-IP-Address":     "the bank does not require the customer's IP address to initiate a payment",
	"pis-periodic-payments-initiate header PSU-IP-Address": "the bank does not require the customer's IP address to initiate a payment",
	"sbs-basket-create header PSU-IP-Address":              "the bank does not require the customer's IP address to create a signing basket",
}

// paymentServices are the framework's payment services, which our paths write out (one
// route each) where the file has the parameter {payment-service}.
var paymentServices = []string{"payments", "bulk-payments", "periodic-payments"}

// official finds the operation method path (our path, parameters named ours) in the files:
// a payment path under the file's /v1/{payment-service}/… path.
func official(t *testing.T, method, path string) (*openapi3.Operation, *openapi3.PathItem, string) {
	for _, svc := range paymentServices {
		if rest, ok := strings.CutPrefix(path, "/v1/"+svc+"/"); ok {
			path = "/v1/{payment-service}/" + rest
		}
	}
	for _, file := range []string{bgspec.NextGenPSD2, bgspec.FundsConfirmation} {
		doc, _ := bgspec.Load(t, file)
		for p, item := range doc.Paths.Map() {
			if shape(p) != shape(path) {
				continue
			}
			if op := item.GetOperation(method); op != nil {
				return op, item, file
			}
		}
	}
	return nil, nil, ""
}

func TestAgreesWithBerlinGroup(t *testing.T) {
	doc := load(t)
	ops := operations(doc)
	names := make([]string, 0, len(ops))
	for name := range ops {
		names = append(names, name)
	}
	sort.Strings(names)
	checked := 0
	for _, name := range names {
		o := ops[name]
		theirs, item, file := official(t, o.method, o.path)
		if theirs == nil {
			continue // the OAuth2 server, the description: no Berlin Group operation
		}
		checked++
		t.Run(name, func(t *testing.T) {
			for _, problem := range agree(name, o, theirs, item) {
				t.Errorf("%s %s against %s %s: %s", o.method, o.path, file, theirs.OperationID, problem)
			}
		})
	}
	// The AIS, CoF, PIS and SBS operations of the route table.
	if want := 70; checked != want {
		t.Errorf("%d operations are checked against the files, want %d: did a path stop matching?", checked, want)
	}
}

// agree lists what in our operation o the file's operation theirs does not allow.
func agree(name string, o operation, theirs *openapi3.Operation, item *openapi3.PathItem) []string {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	// Parameters.
	theirParams := slices.Clone(theirs.Parameters)
	theirParams = append(theirParams, item.Parameters...)
	find := func(in, pname string) *openapi3.Parameter {
		for _, p := range theirParams {
			if p.Value.In == in && (p.Value.Name == pname || in == "header" && strings.EqualFold(p.Value.Name, pname)) {
				return p.Value
			}
		}
		return nil
	}
	ours := map[string]bool{}
	for _, pr := range o.op.Parameters {
		p := pr.Value
		key := name + " " + p.In + " " + p.Name
		ours[p.In+" "+strings.ToLower(p.Name)] = true
		tp := find(p.In, p.Name)
		if tp == nil {
			if _, ok := extensions[key]; !ok {
				bad("the parameter %s %s is not the framework's (list it in extensions with the reason)", p.In, p.Name)
			}
			continue
		}
		if tp.Required && !p.Required {
			if _, ok := relaxed[key]; !ok {
				bad("the framework requires %s %s; we do not (list it in relaxed with the reason)", p.In, p.Name)
			}
		}
		for _, pb := range schemaProblems(p.Schema, tp.Schema, false, map[[2]*openapi3.Schema]bool{}) {
			bad("parameter %s %s: %s", p.In, p.Name, pb)
		}
	}
	for _, tp := range theirParams {
		p := tp.Value
		if p.In == "path" && p.Name == "payment-service" && slices.ContainsFunc(paymentServices, func(svc string) bool { return strings.HasPrefix(o.path, "/v1/"+svc+"/") }) {
			continue // a literal segment of our path, one route per service
		}
		if p.Required && !ours[p.In+" "+strings.ToLower(p.Name)] {
			if _, ok := relaxed[name+" "+p.In+" "+p.Name]; !ok {
				bad("the framework requires %s %s, which we do not document", p.In, p.Name)
			}
		}
	}

	// The request body.
	var ourBody, theirBody *openapi3.MediaType
	if o.op.RequestBody != nil {
		ourBody = o.op.RequestBody.Value.Content.Get("application/json")
	}
	if theirs.RequestBody != nil {
		theirBody = theirs.RequestBody.Value.Content.Get("application/json")
	}
	switch {
	case ourBody != nil && theirBody == nil:
		bad("we take a JSON body; the framework does not")
	case ourBody == nil && theirBody != nil && theirs.RequestBody.Value.Required:
		bad("the framework requires a JSON body; we do not document one")
	case ourBody != nil:
		problems = append(problems, bodyProblems("request", ourBody, theirBody, false)...)
	}

	// The answers.
	for status, ref := range o.op.Responses.Map() {
		code, err := strconv.Atoi(status)
		if err != nil {
			bad("status %q is not a code", status)
			continue
		}
		tr := theirs.Responses.Status(code)
		if tr == nil {
			bad("the framework has no %d for this operation", code)
			continue
		}
		if code >= 300 {
			continue // errors: their codes per status are the prose's, checked by the handlers' tests
		}
		ourJSON := ref.Value.Content.Get("application/json")
		theirJSON := tr.Value.Content.Get("application/json")
		switch {
		case ourJSON == nil && theirJSON == nil:
		case ourJSON == nil || theirJSON == nil:
			bad("answer %d: JSON in ours %v, in the framework's %v", code, ourJSON != nil, theirJSON != nil)
		default:
			problems = append(problems, bodyProblems("answer "+status, ourJSON, theirJSON, true)...)
		}
	}
	return problems
}

// bodyProblems compares a body of ours with the file's: the structure, and every
// example (at least one) against the file's schema.
func bodyProblems(what string, ours, theirs *openapi3.MediaType, answer bool) []string {
	var problems []string
	for _, pb := range schemaProblems(ours.Schema, theirs.Schema, answer, map[[2]*openapi3.Schema]bool{}) {
		problems = append(problems, what+": "+pb)
	}
	examples := map[string]any{}
	if ours.Example != nil {
		examples["example"] = ours.Example
	}
	for name, ex := range ours.Examples {
		examples[name] = ex.Value.Value
	}
	if len(examples) == 0 {
		problems = append(problems, what+": give an example, so that it can be checked against the framework")
	}
	for name, ex := range examples {
		// A JSON round trip gives the value the types a decoded body has.
		raw, err := json.Marshal(ex)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s example %s: %v", what, name, err))
			continue
		}
		var v any
		_ = json.Unmarshal(raw, &v)
		if err := theirs.Schema.Value.VisitJSON(v, openapi3.MultiErrors()); err != nil {
			problems = append(problems, fmt.Sprintf("%s example %s does not fit the framework's schema: %v", what, name, err))
		}
		if err := ours.Schema.Value.VisitJSON(v, openapi3.MultiErrors()); err != nil {
			problems = append(problems, fmt.Sprintf("%s example %s does not fit our own schema: %v", what, name, err))
		}
	}
	return problems
}

// view is a schema of the file with its allOf merged: the properties and requirements
// of all its parts.
type view struct {
	types      []string
	format     string
	enum       []any
	properties map[string]*openapi3.SchemaRef
	required   []string
	items      *openapi3.SchemaRef
	additional *openapi3.SchemaRef
	anyOf      []*openapi3.SchemaRef
}

func merged(s *openapi3.Schema) view {
	v := view{properties: map[string]*openapi3.SchemaRef{}}
	var add func(s *openapi3.Schema)
	add = func(s *openapi3.Schema) {
		if s.Type != nil && len(v.types) == 0 {
			v.types = s.Type.Slice()
		}
		if v.format == "" {
			v.format = s.Format
		}
		if len(v.enum) == 0 {
			v.enum = s.Enum
		}
		for k, p := range s.Properties {
			v.properties[k] = p
		}
		v.required = append(v.required, s.Required...)
		if s.Items != nil {
			v.items = s.Items
		}
		if s.AdditionalProperties.Schema != nil {
			v.additional = s.AdditionalProperties.Schema
		}
		v.anyOf = append(v.anyOf, s.OneOf...)
		v.anyOf = append(v.anyOf, s.AnyOf...)
		for _, part := range s.AllOf {
			add(part.Value)
		}
	}
	add(s)
	return v
}

// schemaProblems says where our schema allows what the file's does not, or, in an
// answer, promises less than the file's.
func schemaProblems(oursRef, theirsRef *openapi3.SchemaRef, answer bool, seen map[[2]*openapi3.Schema]bool) []string {
	if oursRef == nil || theirsRef == nil {
		return nil
	}
	o, th := oursRef.Value, theirsRef.Value
	if seen[[2]*openapi3.Schema{o, th}] {
		return nil
	}
	seen[[2]*openapi3.Schema{o, th}] = true
	if alts := append(slices.Clone(o.OneOf), o.AnyOf...); len(o.Properties) == 0 && len(alts) > 0 {
		// A body of ours that is one of several (an authorisation's steps) agrees when each
		// of them does.
		var problems []string
		for i, alt := range alts {
			for _, pb := range schemaProblems(alt, theirsRef, answer, seen) {
				problems = append(problems, fmt.Sprintf("alternative %d: %s", i, pb))
			}
		}
		return problems
	}
	tv := merged(th)
	if len(tv.anyOf) > 0 && len(tv.properties) == 0 {
		// One of the alternatives must take ours; report the closest one's problems.
		var best []string
		for i, alt := range tv.anyOf {
			pbs := schemaProblems(oursRef, alt, answer, map[[2]*openapi3.Schema]bool{})
			if len(pbs) == 0 {
				return nil
			}
			if i == 0 || len(pbs) < len(best) {
				best = pbs
			}
		}
		return best
	}
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if o.Type != nil && len(tv.types) > 0 {
		for _, typ := range o.Type.Slice() {
			if !slices.Contains(tv.types, typ) && !(typ == "integer" && slices.Contains(tv.types, "number")) {
				bad("type %s where the framework has %v", typ, tv.types)
			}
		}
	}
	if o.Format != "" && tv.format != "" && o.Format != tv.format {
		bad("format %s where the framework has %s", o.Format, tv.format)
	}
	if len(tv.enum) > 0 {
		if len(o.Enum) == 0 {
			bad("any value where the framework allows only %v", tv.enum)
		}
		for _, e := range o.Enum {
			if !slices.Contains(tv.enum, e) {
				bad("the value %v, which the framework does not allow (%v)", e, tv.enum)
			}
		}
	}
	names := make([]string, 0, len(o.Properties))
	for k := range o.Properties {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		tp, ok := tv.properties[k]
		if !ok {
			tp = tv.additional
		}
		if tp == nil {
			bad("the property %s is not the framework's", k)
			continue
		}
		for _, pb := range schemaProblems(o.Properties[k], tp, answer, seen) {
			bad("%s: %s", k, pb)
		}
	}
	if answer && len(o.Properties) > 0 {
		for _, req := range tv.required {
			if !slices.Contains(o.Required, req) {
				bad("the framework promises %s in every answer; we do not", req)
			}
		}
	}
	if o.Items != nil {
		for _, pb := range schemaProblems(o.Items, tv.items, answer, seen) {
			bad("items: %s", pb)
		}
	}
	return problems
}
