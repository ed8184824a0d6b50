package portalapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"sync"
)

// ExampleTag is the struct tag that gives a request body field its sample value. The
// OpenAPI document shows it as the property's `examples`, and SampleBody writes it into
// the sample request, so documentation and sample events come from the body type itself.
//
// The tag's value (after Go's usual unquoting of struct tags) is read by the field's type:
//
//   - A string field (any type whose kind is string, such as org.Role, or a pointer to one)
//     takes the text as it stands, without JSON quotes: `example:"Budget Buddy"`. An empty
//     tag, `example:""`, is the empty string.
//   - Every other field takes a JSON literal that must decode into its Go type:
//     `example:"true"`, `example:"42"`, `example:"[\"AIS\",\"PIS\"]"`.
//   - A struct field (or pointer to one) may go without a tag instead: its sample is then
//     built from its own fields' tags. An embedded struct's fields are the outer object's,
//     as encoding/json flattens them.
//
// Every JSON field of a request body type has an example, optional ones included: the
// document shows them all.
const ExampleTag = "example"

// SampleBody returns the sample JSON body of the request body type t (a struct, or a
// pointer to one), built from its example tags: compact, with the fields in struct order,
// so the bytes are the same on every run. Optional fields (`omitempty`) are left out: a
// sample is the smallest valid request, and an optional value such as a sign-up's
// organization code would only be valid if it named something that exists. The error
// names the first field without a usable example.
func SampleBody(t reflect.Type) ([]byte, error) {
	return sampleBody(t, false)
}

// sampleBody is SampleBody, with the optional fields too when withOptional is set.
func sampleBody(t reflect.Type, withOptional bool) ([]byte, error) {
	if t == nil {
		return nil, errors.New("portalapi: sample body of a nil type")
	}
	root := t
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || t == timeType {
		return nil, fmt.Errorf("portalapi: sample body of %s: not a JSON object type", root)
	}
	s := sampler{root: t.String(), withOptional: withOptional}
	var b bytes.Buffer
	if err := s.object(&b, t, ""); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// sampler writes the sample JSON object of one request body type.
type sampler struct {
	root         string
	withOptional bool
}

func (s sampler) object(b *bytes.Buffer, t reflect.Type, path string) error {
	b.WriteByte('{')
	first := true
	for _, f := range jsonFields(t) {
		if f.optional && !s.withOptional {
			continue
		}
		field := f.name
		if path != "" {
			field = path + "." + f.name
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		name, _ := jsonBytes(f.name)
		b.Write(name)
		b.WriteByte(':')
		raw, ok, err := fieldExample(f.StructField)
		inner := f.Type
		for inner.Kind() == reflect.Pointer {
			inner = inner.Elem()
		}
		switch {
		case err != nil:
			return fmt.Errorf("portalapi: %s field %s: %w", s.root, field, err)
		case ok:
			b.Write(raw)
		case inner.Kind() == reflect.Struct && inner != timeType:
			if err := s.object(b, inner, field); err != nil {
				return err
			}
		default:
			return fmt.Errorf("portalapi: %s field %s has no %s tag", s.root, field, ExampleTag)
		}
	}
	b.WriteByte('}')
	return nil
}

// fieldExample returns the compact JSON of f's example tag, and whether f has one. A
// non-string example is decoded into f's type and encoded again, which both proves it
// fits the type and makes its bytes canonical.
func fieldExample(f reflect.StructField) (json.RawMessage, bool, error) {
	text, ok := f.Tag.Lookup(ExampleTag)
	if !ok {
		return nil, false, nil
	}
	t := f.Type
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.String {
		raw, err := jsonBytes(text)
		return raw, true, err
	}
	v := reflect.New(f.Type)
	dec := json.NewDecoder(strings.NewReader(text))
	dec.DisallowUnknownFields()
	err := dec.Decode(v.Interface())
	if err == nil && !errors.Is(dec.Decode(&struct{}{}), io.EOF) {
		err = errors.New("text after the JSON value")
	}
	if err != nil {
		return nil, true, fmt.Errorf("%s %q is not a JSON literal of %s: %w", ExampleTag, text, f.Type, err)
	}
	raw, err := jsonBytes(v.Elem().Interface())
	return raw, true, err
}

// jsonBytes encodes v compactly, leaving <, > and & as they are: a sample is read by
// people and tools, never embedded in HTML.
func jsonBytes(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// requestTypes maps each route name to its request body type (nil for none).
var requestTypes = sync.OnceValue(func() map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for name, ep := range (&API{}).endpoints() {
		if ep.request != nil {
			out[name] = reflect.TypeOf(ep.request)
		}
	}
	return out
})

// RequestType returns the Go type of the JSON request body of the route named routeName,
// as its endpoint decodes it, or nil when the route takes no body or there is no such
// route. With SampleBody it gives each route's sample request.
func RequestType(routeName string) reflect.Type {
	return requestTypes()[routeName]
}
