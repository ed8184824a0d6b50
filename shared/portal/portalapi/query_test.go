package portalapi

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestDocumentedQueryParameters reads the package's source: every query parameter a
// handler reads (r.URL.Query().Get("name")) is one its endpoint documents (withQuery), and
// every documented one is read, so the API description, and the SPA's types generated
// from it, know each one.
func TestDocumentedQueryParameters(t *testing.T) {
	fset := token.NewFileSet()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	read := map[string][]string{}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, e.Name(), nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		// Query reads inside an endpoint's declaration are that route's; any other is a
		// read no endpoint can document.
		inEndpoint := map[*ast.CallExpr]string{}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			fn, ok := call.Fun.(*ast.Ident)
			if !ok || (fn.Name != "withBody" && fn.Name != "noBody" && fn.Name != "noContent") {
				return true
			}
			if lit, ok := call.Args[0].(*ast.BasicLit); ok {
				name, _ := strconv.Unquote(lit.Value)
				if _, seen := read[name]; !seen {
					read[name] = nil // an endpoint that reads no query parameter
				}
				ast.Inspect(call, func(m ast.Node) bool {
					if q, ok := queryGet(m); ok {
						read[name] = append(read[name], q)
						inEndpoint[m.(*ast.CallExpr)] = name
					}
					if readsPage(m) {
						read[name] = append(read[name], "cursor", "limit")
					}
					return true
				})
			}
			return true
		})
		ast.Inspect(f, func(n ast.Node) bool {
			if q, ok := queryGet(n); ok && inEndpoint[n.(*ast.CallExpr)] == "" {
				t.Errorf("%s reads the query parameter %q outside an endpoint's declaration", fset.Position(n.Pos()), q)
			}
			return true
		})
	}
	if len(read) < 60 {
		t.Fatalf("found %d endpoint declarations; the test does not see the handlers", len(read))
	}
	for name, ep := range (&API{}).endpoints() {
		var documented []string
		for _, q := range ep.query {
			documented = append(documented, q.name)
		}
		got := slices.Sorted(slices.Values(read[name]))
		slices.Sort(documented)
		if !slices.Equal(got, documented) {
			t.Errorf("%s reads query parameters %q and documents %q", name, got, documented)
		}
	}
}

// readsPage matches paged(…) and paging.FromQuery(…), which read the cursor and limit.
func readsPage(n ast.Node) bool {
	call, ok := n.(*ast.CallExpr)
	if !ok {
		return false
	}
	switch fn := call.Fun.(type) {
	case *ast.Ident:
		return fn.Name == "paged"
	case *ast.SelectorExpr:
		pkg, ok := fn.X.(*ast.Ident)
		return ok && pkg.Name == "paging" && fn.Sel.Name == "FromQuery"
	}
	return false
}

// queryGet matches X.Query().Get("name"), returning the name.
func queryGet(n ast.Node) (string, bool) {
	call, ok := n.(*ast.CallExpr)
	if !ok || len(call.Args) != 1 {
		return "", false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "Get" {
		return "", false
	}
	inner, ok := sel.X.(*ast.CallExpr)
	if !ok {
		return "", false
	}
	if isel, ok := inner.Fun.(*ast.SelectorExpr); !ok || isel.Sel.Name != "Query" {
		return "", false
	}
	lit, ok := call.Args[0].(*ast.BasicLit)
	if !ok {
		return "", false
	}
	name, err := strconv.Unquote(lit.Value)
	return name, err == nil
}
