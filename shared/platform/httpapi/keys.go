package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/bank/devportal/shared/platform/apperr"
)

// encoding/json keeps the last of two equal keys and matches a key to a field without
// regard to case, so {"role":"VIEWER","Role":"ADMIN"} decodes as ADMIN while a proxy, a
// WAF rule or a log reader that keeps the first key, or compares names exactly, saw
// VIEWER. A body is therefore read the one way everyone reads it, or refused: checkKeys
// walks it before it is decoded and reports every key that appears twice in its object and
// every key that names a field in another case.

// The rules of a body's keys, as field errors report them.
const (
	ruleDuplicateKey = "duplicateKey"
	ruleKeyCase      = "keyCase"
)

const msgDuplicateKey = "This key appears more than once in its object; send it once."

// checkKeys reports the duplicate and case-variant keys of body, read as the JSON of a
// value of type t, by their path ("role", "contacts[0].name"); the first maxKeyProblems
// of them, which is enough to fix a request. A body that is not one well-formed JSON
// value at its start, or is nested deeper than the decoder accepts, gets no report here:
// the decoder that runs next names its error, which is the first thing to fix.
func checkKeys(body []byte, t reflect.Type) []apperr.FieldError {
	c := keyChecker{dec: json.NewDecoder(bytes.NewReader(body))}
	if err := c.value(t); err != nil {
		return nil
	}
	return c.problems
}

const (
	// maxKeyProblems bounds the report, so a body of many duplicates gets a short answer.
	maxKeyProblems = 10
	// maxKeyDepth is encoding/json's own nesting limit: deeper bodies are refused by the
	// decoder anyway.
	maxKeyDepth = 10000
)

var errTooDeep = errors.New("nested too deeply")

type keyChecker struct {
	dec *json.Decoder
	// path holds the segments of the current value's path ("contacts", "[0]", ".name"),
	// joined only for a report: building every path as the walk goes would cost time
	// quadratic in the depth.
	path     []string
	problems []apperr.FieldError
}

func (c *keyChecker) report(rule, message string) {
	if len(c.problems) < maxKeyProblems {
		c.problems = append(c.problems, apperr.Field(strings.Join(c.path, ""), rule, message))
	}
}

// value reads one JSON value that decodes into a t (nil when it decodes into any, a map's
// unknown shape or a field the decoder refuses anyway) and checks the keys of its objects.
func (c *keyChecker) value(t reflect.Type) error {
	tok, err := c.dec.Token()
	if err != nil {
		return err
	}
	if tok != json.Delim('{') && tok != json.Delim('[') {
		return nil
	}
	if len(c.path) >= maxKeyDepth {
		return errTooDeep
	}
	if tok == json.Delim('{') {
		return c.object(shape(t))
	}
	elem := shape(t)
	if elem != nil && (elem.Kind() == reflect.Slice || elem.Kind() == reflect.Array) {
		elem = elem.Elem()
	} else {
		elem = nil
	}
	for i := 0; c.dec.More(); i++ {
		c.path = append(c.path, "["+strconv.Itoa(i)+"]")
		err := c.value(elem)
		c.path = c.path[:len(c.path)-1]
		if err != nil {
			return err
		}
	}
	_, err = c.dec.Token()
	return err
}

// object checks the keys of an object whose opening brace has been read.
func (c *keyChecker) object(t reflect.Type) error {
	var fields map[string]reflect.Type
	var elem reflect.Type
	switch {
	case t != nil && t.Kind() == reflect.Struct:
		fields = jsonFields(t)
	case t != nil && t.Kind() == reflect.Map:
		elem = t.Elem()
	}
	seen := map[string]bool{}
	for c.dec.More() {
		tok, err := c.dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		if len(c.path) == 0 {
			c.path = append(c.path, key)
		} else {
			c.path = append(c.path, "."+key)
		}
		if seen[key] {
			c.report(ruleDuplicateKey, msgDuplicateKey)
		}
		seen[key] = true
		next := elem
		if fields != nil {
			ft, exact := fields[key]
			if !exact {
				for _, name := range slices.Sorted(maps.Keys(fields)) {
					// strings.EqualFold is the folding encoding/json matches keys with.
					if strings.EqualFold(name, key) {
						c.report(ruleKeyCase, fmt.Sprintf("Field names are case-sensitive: write this key as %q.", name))
						ft = fields[name]
						break
					}
				}
			}
			next = ft
		}
		err = c.value(next)
		c.path = c.path[:len(c.path)-1]
		if err != nil {
			return err
		}
	}
	_, err := c.dec.Token()
	return err
}

// shape is the type whose JSON form a value of type t has: t without its pointers, or nil
// when t decodes itself (json.Unmarshaler) or is an interface, whose keys are checked for
// duplicates only.
func shape(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() == reflect.Interface || reflect.PointerTo(t).Implements(unmarshalerType) {
		return nil
	}
	return t
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// jsonFields maps the JSON names of struct type t's fields to their types, as
// encoding/json names them: the tag's name, else the Go name; fields of embedded structs
// without a name of their own are promoted.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" && f.Tag.Get("json") == "-" {
			continue
		}
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
			for n, typ := range jsonFields(ft) {
				if _, own := out[n]; !own {
					out[n] = typ
				}
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}
