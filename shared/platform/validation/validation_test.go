package validation

import (
	"fmt"
	"testing"
)

func TestPlainText(t *testing.T) {
	type form struct {
		Name   string `json:"name" validate:"singleline"`
		Reason string `json:"reason" validate:"text"`
	}
	cases := []struct {
		f    form
		want string
	}{
		{form{"Acme Payments", "Line one\nline two"}, "[]"},
		{form{"Acme\nPayments", "ok"}, "[name:singleline]"},
		{form{"Acme \u202eyap", "ok"}, "[name:singleline]"},
		{form{"Acme", "bell\a"}, "[reason:text]"},
	}
	for _, c := range cases {
		var got []string
		for _, e := range Struct(c.f) {
			got = append(got, e.Field+":"+e.Rule)
		}
		if fmt.Sprint(got) != c.want && !(got == nil && c.want == "[]") {
			t.Errorf("%q: %v, want %s", c.f, got, c.want)
		}
	}
}
