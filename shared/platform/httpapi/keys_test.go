package httpapi

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

type keyedContact struct {
	Name string `json:"name"`
	Role string `json:"role"`
}

type keyedNote struct {
	Note string `json:"note"`
}

type keyedForm struct {
	keyedNote
	Role     string            `json:"role"`
	Kind     string            `json:"kind"`
	Owner    *keyedContact     `json:"owner"`
	Contacts []keyedContact    `json:"contacts"`
	Labels   map[string]string `json:"labels"`
	Extra    json.RawMessage   `json:"extra"`
}

// TestDecodeJSONKeys proves that a body is decoded only when every key is written once and
// exactly as its field is named, in nested objects and lists too, and that the answer
// names each offending key with its rule.
func TestDecodeJSONKeys(t *testing.T) {
	const prefix = `{"code":"VALIDATION_FAILED","message":"Some fields need your attention.","fields":[`
	const suffix = `],"requestId":"req-keys-1"}` + "\n"
	caseOf := func(field, name string) string {
		return `{"field":"` + field + `","rule":"keyCase","message":"Field names are case-sensitive: write this key as \"` + name + `\"."}`
	}
	dup := func(field string) string {
		return `{"field":"` + field + `","rule":"duplicateKey","message":"This key appears more than once in its object; send it once."}`
	}
	cases := []struct {
		name, body string
		status     int
		want       string
	}{
		{"exact keys", `{"role":"VIEWER","kind":"a","note":"n","owner":{"name":"Sam","role":"x"},"contacts":[{"name":"A"}],"labels":{"a":"1","A":"2"},"extra":{"b":1,"B":2}}`,
			200, ""},
		{"duplicate key, the last would win", `{"role":"VIEWER","role":"ADMIN"}`, 400, prefix + dup("role") + suffix},
		{"duplicate key spelled with an escape", `{"role":"VIEWER","r\u006fle":"ADMIN"}`, 400, prefix + dup("role") + suffix},
		{"case variant after the field", `{"role":"VIEWER","Role":"ADMIN"}`, 400, prefix + caseOf("Role", "role") + suffix},
		{"case variant alone", `{"Role":"ADMIN"}`, 400, prefix + caseOf("Role", "role") + suffix},
		{"Unicode case folding (Kelvin sign)", `{"\u212Aind":"x"}`, 400, prefix + caseOf("\u212aind", "kind") + suffix},
		{"promoted field of an embedded struct", `{"NOTE":"x"}`, 400, prefix + caseOf("NOTE", "note") + suffix},
		{"nested object", `{"owner":{"name":"Sam","NAME":"Eve"}}`, 400, prefix + caseOf("owner.NAME", "name") + suffix},
		{"list of objects", `{"contacts":[{"name":"A"},{"name":"B","name":"C"}]}`, 400, prefix + dup("contacts[1].name") + suffix},
		{"map key twice", `{"labels":{"a":"1","a":"2"}}`, 400, prefix + dup("labels.a") + suffix},
		{"raw JSON keeps its keys once", `{"extra":{"b":1,"b":2}}`, 400, prefix + dup("extra.b") + suffix},
		{"every problem at once", `{"Role":"ADMIN","role":"VIEWER","role":"ADMIN","owner":{"Role":"x"}}`, 400,
			prefix + caseOf("Role", "role") + "," + dup("role") + "," + caseOf("owner.Role", "role") + suffix},
		{"unknown field still refused", `{"rolle":"ADMIN"}`, 400,
			prefix + `{"field":"rolle","rule":"unknown","message":"This field is not part of the request."}` + suffix},
		{"malformed JSON is named before keys", `{"role":"a","role":}`, 400,
			`{"code":"MALFORMED_JSON","message":"The request body is not valid JSON (at byte 20).","requestId":"req-keys-1"}` + "\n"},
		{"the report stops at ten problems", `{"labels":{` + strings.Repeat(`"a":"1",`, 2000) + `"a":"1"}}`, 400,
			prefix + strings.Repeat(dup("labels.a")+",", 9) + dup("labels.a") + suffix},
		{"nesting deeper than the decoder accepts", `{"extra":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`, 400,
			`{"code":"MALFORMED_JSON","message":"The request body is not valid JSON (at byte 10009).","requestId":"req-keys-1"}` + "\n"},
		{"size limit before keys", `{"role":"a","role":"` + strings.Repeat("x", 70<<10) + `"}`, 413,
			`{"code":"BODY_TOO_LARGE","message":"The request body is larger than 64 KiB.","requestId":"req-keys-1"}` + "\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got keyedForm
			h := WithRequest("test", slog.New(slog.NewJSONHandler(&bytes.Buffer{}, nil)), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if err := DecodeJSON(r, &got); err != nil {
					WriteError(w, r, err)
					return
				}
				w.WriteHeader(http.StatusOK)
			}))
			req := httptest.NewRequest("POST", "/", strings.NewReader(c.body))
			req.Header.Set(RequestIDHeader, "req-keys-1")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != c.status || rec.Body.String() != c.want {
				t.Fatalf("got %d %s\nwant %d %s", rec.Code, rec.Body, c.status, c.want)
			}
			if c.status != 200 && !reflect.DeepEqual(got, keyedForm{}) {
				t.Fatalf("a refused body was decoded: %+v", got)
			}
		})
	}
}
