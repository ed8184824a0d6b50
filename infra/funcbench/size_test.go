package main

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
)

// TestMeasureSizes builds two tiny functions of a module of their own through size mode
// (linux/arm64, stripped): the one that calls a method by a name known only at run time
// is reported with the call chain, the other is not.
func TestMeasureSizes(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"go.mod": "module example.com/fb\n\ngo 1.22\n",
		"functions/plain/main.go": `package main

import "os"

func main() { os.Stdout.WriteString("plain\n") }
`,
		"functions/bymethod/main.go": `package main

import (
	"os"
	"reflect"
)

type greeter struct{}

func (greeter) Hello() { os.Stdout.WriteString("hello\n") }

func main() { reflect.ValueOf(greeter{}).MethodByName(os.Args[1]).Call(nil) }
`,
	}
	for name, body := range files {
		path := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("GOWORK", "off")
	b := build{root: root, tags: DefaultTags, parallel: 2}
	rep, err := measureSizes(context.Background(), b, filepath.Join(root, "out"), []string{"plain", "bymethod"},
		sizeOptions{budgetMiB: 64, forbid: []string{"reflect.Value.MethodByName"}, why: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Functions) != 2 || rep.Functions[0].Name != "bymethod" || rep.Functions[1].Name != "plain" {
		t.Fatalf("functions %+v, want bymethod (the larger) then plain", rep.Functions)
	}
	by, plain := rep.Functions[0], rep.Functions[1]
	if by.Bytes <= plain.Bytes || plain.Bytes == 0 || by.OverBudget || plain.OverBudget {
		t.Errorf("sizes %d and %d, over budget %v %v", by.Bytes, plain.Bytes, by.OverBudget, plain.OverBudget)
	}
	if !slices.Equal(by.Links, []string{"reflect.Value.MethodByName"}) || len(plain.Links) != 0 || plain.Why != nil {
		t.Errorf("links: bymethod %q, plain %q %q", by.Links, plain.Links, plain.Why)
	}
	why := by.Why["reflect.Value.MethodByName"]
	if len(why) < 2 || !slices.Contains(why, "main.main") || why[len(why)-1] != "reflect.Value.MethodByName" {
		t.Errorf("chain %q, want one through main.main to reflect.Value.MethodByName", why)
	}
	if !rep.failed() {
		t.Error("a report with a forbidden function has not failed")
	}
	for _, n := range []string{"plain", "bymethod"} {
		if _, err := os.Stat(filepath.Join(root, "out", n, "bootstrap")); err != nil {
			t.Errorf("no bootstrap for %s: %v", n, err)
		}
	}
}

// TestAllow: a binary that links an allowance's library is measured against its budget
// and may link what it allows, nothing more; any other binary keeps the common budget.
func TestAllow(t *testing.T) {
	fosite := allowances[0]
	cases := []struct {
		name   string
		in     sizeResult
		linked []string
		want   sizeResult
	}{
		{"no library", sizeResult{MiB: 18, OverBudget: true, Links: []string{"reflect.Value.MethodByName"}}, nil,
			sizeResult{MiB: 18, OverBudget: true, Links: []string{"reflect.Value.MethodByName"}}},
		{"fosite within its budget", sizeResult{MiB: 18.5, OverBudget: true, Links: []string{"reflect.Value.MethodByName"}}, []string{fosite.marker},
			sizeResult{MiB: 18.5, Allowance: "fosite"}},
		{"fosite over its budget", sizeResult{MiB: 21.5, OverBudget: true}, []string{fosite.marker},
			sizeResult{MiB: 21.5, OverBudget: true, Allowance: "fosite"}},
		{"fosite and another forbidden function", sizeResult{MiB: 18.5, Links: []string{"reflect.Value.MethodByName", "other.Func"}}, []string{fosite.marker},
			sizeResult{MiB: 18.5, Links: []string{"other.Func"}, Allowance: "fosite"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := allow(tc.in, tc.linked); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("allow = %+v, want %+v", got, tc.want)
			}
		})
	}
}
