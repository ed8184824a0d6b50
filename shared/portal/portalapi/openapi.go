package portalapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bank/devportal/shared/platform/httpapi"
	"github.com/bank/devportal/shared/platform/route"
	"github.com/bank/devportal/shared/portal/routes"
)

var (
	docOnce sync.Once
	doc     map[string]any
)

// Document returns the OpenAPI 3.1 description of every portal route, built from the
// route table and the Go types of each endpoint's bodies, so it cannot fall behind them.
func Document() map[string]any {
	docOnce.Do(func() { doc = buildDocument() })
	return doc
}

var pathParam = regexp.MustCompile(`\{([a-zA-Z]+)\}`)

func buildDocument() map[string]any {
	g := &schemaGen{components: map[string]any{}}
	errRef := g.schema(reflect.TypeOf(httpapi.ErrorBody{}))
	eps := (&API{}).endpoints()
	paths := map[string]any{}
	for _, rt := range routes.Portal {
		ep := eps[rt.Name]
		op := map[string]any{
			"operationId": operationID(rt.Name),
			"summary":     rt.Summary,
			"tags":        []string{rt.Tag},
			"x-auth":      string(rt.Auth),
		}
		if sec := security(rt); len(sec) > 0 {
			op["security"] = []any{sec}
		}
		if rt.Auth == route.ClientCertificate {
			op["servers"] = []any{map[string]any{"url": "{tppOrigin}", "description": "The TPP API's mutual-TLS origin (TPP_URL), not the portal's",
				"variables": map[string]any{"tppOrigin": map[string]any{"default": "https://127.0.0.1:8443"}}}}
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(rt.Path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		for _, q := range ep.query {
			schema := map[string]any{"type": "string"}
			if len(q.enum) > 0 {
				schema["enum"] = q.enum
			}
			param := map[string]any{"name": q.name, "in": "query", "required": q.required,
				"description": q.description, "schema": schema}
			if q.example != "" {
				param["example"] = q.example
			}
			params = append(params, param)
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		if ep.request != nil {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(ep.request))}}}
		}
		responses := map[string]any{}
		for status, body := range ep.responses {
			resp := map[string]any{"description": http.StatusText(status)}
			if body != nil {
				resp["content"] = map[string]any{"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(body))}}
			}
			responses[strconv.Itoa(status)] = resp
		}
		for _, status := range errorStatuses(rt, ep) {
			if _, own := ep.responses[status]; own {
				continue // the endpoint documents its own body for this status (healthz's 503)
			}
			responses[strconv.Itoa(status)] = map[string]any{"description": http.StatusText(status),
				"content": map[string]any{"application/json": map[string]any{"schema": errRef}}}
		}
		op["responses"] = responses
		item, _ := paths[rt.Path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[rt.Path] = item
		}
		item[strings.ToLower(rt.Method)] = op
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":       "Open Banking Developer Portal API",
			"version":     "1.0.0",
			"description": "The portal's backend-for-frontend: accounts and sessions today; organizations, apps and approvals as they are built. State-changing calls need the CSRF header.",
		},
		"servers": []any{map[string]any{"url": "/"}},
		"paths":   paths,
		"components": map[string]any{
			"schemas": g.components,
			"securitySchemes": map[string]any{
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": SessionCookie,
					"description": "httpOnly session cookie set by POST /api/auth/login."},
				"csrf": map[string]any{"type": "apiKey", "in": "header", "name": CSRFHeader,
					"description": "State-changing calls repeat the value of the " + CSRFCookie + " cookie (double-submit CSRF protection)."},
				"clientCertificate": map[string]any{"type": "mutualTLS",
					"description": "The client certificate of the TLS connection, verified in the handshake."},
			},
		},
	}
}

// security lists what a route requires: the session cookie, the CSRF header, or both.
func security(rt route.Route) map[string]any {
	sec := map[string]any{}
	if rt.Auth == route.ClientCertificate {
		sec["clientCertificate"] = []string{}
		return sec
	}
	if rt.Auth == route.Session || rt.Auth == route.Operations {
		sec["session"] = []string{}
	}
	if unsafeMethod(rt.Method) {
		sec["csrf"] = []string{}
	}
	return sec
}

func errorStatuses(rt route.Route, ep endpoint) []int {
	statuses := []int{500, 503}
	if ep.request != nil || unsafeMethod(rt.Method) {
		statuses = append(statuses, 400)
	}
	if ep.request != nil {
		statuses = append(statuses, 413)
	}
	if unsafeMethod(rt.Method) && rt.Auth != route.ClientCertificate {
		statuses = append(statuses, 403)
	}
	if rt.Auth == route.Session || rt.Auth == route.Operations {
		statuses = append(statuses, 401, 403)
	}
	statuses = append(statuses, ep.errors...)
	slices.Sort(statuses)
	return slices.Compact(statuses)
}

func operationID(name string) string {
	parts := strings.Split(name, "-")
	for i := 1; i < len(parts); i++ {
		parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
	}
	return strings.Join(parts, "")
}

// schemaGen turns Go types into JSON Schema 2020-12, named structs into components.
type schemaGen struct {
	components map[string]any
	// types remembers which Go type owns each component name.
	types map[string]reflect.Type
}

// componentName is the type's name, prefixed with its package's when another package's
// type took the name first (eidas.Certificate and apps.Certificate).
func (g *schemaGen) componentName(t reflect.Type) string {
	if g.types == nil {
		g.types = map[string]reflect.Type{}
	}
	name := t.Name()
	if owner, taken := g.types[name]; taken && owner != t {
		pkg := t.PkgPath()[strings.LastIndex(t.PkgPath(), "/")+1:]
		name = strings.ToUpper(pkg[:1]) + pkg[1:] + name
	}
	g.types[name] = t
	return name
}

var timeType = reflect.TypeOf(time.Time{})

func (g *schemaGen) schema(t reflect.Type) map[string]any {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t.Kind() == reflect.Pointer:
		return g.schema(t.Elem())
	case t.Kind() == reflect.Struct:
		name := g.componentName(t)
		if _, done := g.components[name]; !done {
			g.components[name] = map[string]any{} // placeholder against recursion
			g.components[name] = g.object(t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	case t.Kind() == reflect.Slice:
		return map[string]any{"type": "array", "items": g.schema(t.Elem())}
	case t.Kind() == reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem())}
	case t.Kind() == reflect.String:
		return map[string]any{"type": "string"}
	case t.Kind() == reflect.Bool:
		return map[string]any{"type": "boolean"}
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		return map[string]any{"type": "integer"}
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		return map[string]any{"type": "number"}
	default: // interface: any JSON value
		return map[string]any{}
	}
}

func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	required := []string{}
	for _, f := range jsonFields(t) {
		s := g.schema(f.Type)
		if f.Type.Kind() == reflect.String {
			s = stringRules(f.StructField)
		}
		raw, ok, err := fieldExample(f.StructField)
		if err != nil {
			panic(fmt.Sprintf("portalapi: %s field %s: %v", t, f.name, err)) // a broken tag is a programming error
		}
		if ok {
			s["examples"] = []any{jsonValue(raw)}
		}
		props[f.name] = s
		if !f.optional {
			required = append(required, f.name)
		}
	}
	return map[string]any{"type": "object", "properties": props, "required": required, "additionalProperties": false}
}

// jsonField is a struct field as encoding/json sees it.
type jsonField struct {
	reflect.StructField
	// name is the field's key in the JSON object.
	name string
	// optional is set by omitempty: the field may be left out.
	optional bool
}

// jsonFields lists the fields of t's JSON object in struct order, an embedded struct's
// fields in its place, as encoding/json flattens them. The schema and the sample body
// both read a type through it, so they cannot disagree on its fields.
func jsonFields(t reflect.Type) []jsonField {
	var out []jsonField
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			out = append(out, jsonFields(f.Type)...)
			continue
		}
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, jsonField{StructField: f, name: name, optional: strings.Contains(opts, "omitempty")})
	}
	return out
}

// jsonValue decodes an example's JSON into the document's plain values; numbers keep
// their digits as written.
func jsonValue(raw []byte) any {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		panic("portalapi: example JSON: " + err.Error()) // fieldExample produced it
	}
	return v
}

// stringRules copies what the validate and enum tags say into the schema.
func stringRules(f reflect.StructField) map[string]any {
	out := map[string]any{"type": "string"}
	for _, rule := range strings.Split(f.Tag.Get("validate"), ",") {
		key, val, _ := strings.Cut(rule, "=")
		switch key {
		case "email":
			out["format"] = "email"
		case "max":
			n, _ := strconv.Atoi(val)
			out["maxLength"] = n
		case "required":
			out["minLength"] = 1
		}
	}
	if enum := f.Tag.Get("enum"); enum != "" {
		out["enum"] = strings.Split(enum, ",")
	}
	return out
}
