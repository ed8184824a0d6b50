package main

import (
	"bufio"
	"cmp"
	"context"
	"debug/elf"
	"debug/gosym"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// forbiddenSymbols are functions a deployed binary must not link by default. The linker
// drops exported methods nothing calls, unless the program may call a method by a name
// known only at run time: once reflect.Value.MethodByName is reachable (with a name that
// is not a constant), every exported method of every type that can reach an interface
// stays in, and the binary grows by megabytes.
const forbiddenSymbols = "reflect.Value.MethodByName"

// sizeOptions are size mode's flags.
type sizeOptions struct {
	budgetMiB float64
	forbid    []string
	why       bool
	// each builds every function's binary, instead of one of each shape (mainShape).
	each bool
}

// sizeResult is one function's line of size mode's report.
type sizeResult struct {
	Name  string  `json:"name"`
	Bytes int64   `json:"bytes"`
	MiB   float64 `json:"mib"`
	// OverBudget is true when the binary is larger than the budget.
	OverBudget bool `json:"overBudget"`
	// Links are the forbidden functions the binary links.
	Links []string `json:"links,omitempty"`
	// Allowance names the allowance the binary is measured under (allowances), if any.
	Allowance string `json:"allowance,omitempty"`
	// Why is, for each of Links, the chain of symbols through which the linker reached
	// it, from the entry point (with -why only).
	Why map[string][]string `json:"why,omitempty"`
	// SameAs is the function whose binary was measured for this one: their mains have the
	// same shape (mainShape), so they link the same code.
	SameAs string `json:"sameAs,omitempty"`
}

// sizeReport is size mode's whole report, sorted by size, largest first.
type sizeReport struct {
	GOARCH    string       `json:"goarch"`
	Tags      string       `json:"tags"`
	BudgetMiB float64      `json:"budgetMiB"`
	Forbidden []string     `json:"forbidden"`
	Functions []sizeResult `json:"functions"`
}

// allowance is a library whose binaries are measured against a budget of their own,
// with the reason: what no code of ours can trim.
type allowance struct {
	// name is the allowance's short name in the report.
	name string
	// marker is a function every binary that links the library links.
	marker string
	// budgetMiB is the budget of those binaries; mayLink what they may link.
	budgetMiB float64
	mayLink   []string
	reason    string
}

// allowances are the libraries measured apart. Only the authorization server's functions
// and the bearer authorizer, which verifies its tokens, link fosite (the plain authorizer,
// the account-information functions and the portal's do not: infra/funcbench's own run
// and the places of shared/tpp/wiring/onoauth and onais keep it so).
var allowances = []allowance{{
	name:      "fosite",
	marker:    "github.com/ory/fosite/compose.Compose",
	budgetMiB: 21,
	mayLink:   []string{"reflect.Value.MethodByName"},
	reason: "ory/fosite (v0.49) imports ory/x/otelx, whose OpenTelemetry exporters bring gRPC, Jaeger's remote " +
		"sampler and gogo/protobuf; their package initializers reach reflect.Value.MethodByName (x/net/trace's " +
		"html/template, gogo's unmarshal tables), so those binaries keep every exported method: about 18.5 MiB, " +
		"which build tags cannot trim (grpcnotrace removes only x/net/trace); the bank's pages, which also decide " +
		"SCA authorisations and queue status notifications, reach 20.3 MiB",
}}

// allow applies to r the allowance of the library it links, if any: linked are those of
// the allowances' markers the binary links.
func allow(r sizeResult, linked []string) sizeResult {
	for _, a := range allowances {
		if !slices.Contains(linked, a.marker) {
			continue
		}
		r.Allowance = a.name
		r.OverBudget = r.MiB > a.budgetMiB
		r.Links = slices.DeleteFunc(r.Links, func(l string) bool { return slices.Contains(a.mayLink, l) })
		if len(r.Links) == 0 {
			r.Links = nil
		}
		return r
	}
	return r
}

// failed says whether any function is over the budget or links a forbidden function.
func (r sizeReport) failed() bool {
	return slices.ContainsFunc(r.Functions, func(f sizeResult) bool { return f.OverBudget || len(f.Links) > 0 })
}

// measureSizes builds the functions for linux/arm64 exactly as `make build` does and
// measures each binary: its size, and which forbidden functions it links.
func measureSizes(ctx context.Context, b build, dir string, names []string, o sizeOptions) (sizeReport, error) {
	measured, sameAs := names, map[string]string{}
	if !o.each {
		var err error
		if measured, sameAs, err = byShape(b.root, names); err != nil {
			return sizeReport{}, err
		}
	}
	rep, err := measureBinaries(ctx, b, dir, measured, o)
	if err != nil {
		return rep, err
	}
	byName := map[string]sizeResult{}
	for _, r := range rep.Functions {
		byName[r.Name] = r
	}
	for n, like := range sameAs {
		r := byName[like]
		r.Name, r.SameAs = n, like
		rep.Functions = append(rep.Functions, r)
	}
	slices.SortStableFunc(rep.Functions, func(a, b sizeResult) int {
		return cmp.Or(cmp.Compare(b.Bytes, a.Bytes), strings.Compare(a.Name, b.Name))
	})
	return rep, nil
}

// mainShape is a function's main.go without its comments and with its own name taken
// out. The generated mains of one kind and parts differ only in those, so functions of one
// shape link exactly the same code, and one binary measures them all.
func mainShape(root, name string) (string, error) {
	src, err := os.ReadFile(filepath.Join(root, "functions", name, "main.go"))
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, line := range strings.Split(string(src), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "//") {
			continue
		}
		b.WriteString(strings.ReplaceAll(line, strconv.Quote(name), `"<name>"`))
		b.WriteByte('\n')
	}
	return b.String(), nil
}

// byShape are the first function of each shape among names, and the others with the
// function of their shape that is measured for them.
func byShape(root string, names []string) (measured []string, sameAs map[string]string, err error) {
	first := map[string]string{}
	sameAs = map[string]string{}
	for _, n := range names {
		shape, err := mainShape(root, n)
		if err != nil {
			return nil, nil, err
		}
		if like, ok := first[shape]; ok {
			sameAs[n] = like
			continue
		}
		first[shape] = n
		measured = append(measured, n)
	}
	return measured, sameAs, nil
}

// measureBinaries builds the named functions and measures each binary.
func measureBinaries(ctx context.Context, b build, dir string, names []string, o sizeOptions) (sizeReport, error) {
	paths, err := b.binaries(ctx, "arm64", dir, names)
	if err != nil {
		return sizeReport{}, err
	}
	rep := sizeReport{GOARCH: "arm64", Tags: b.tags, BudgetMiB: o.budgetMiB, Forbidden: o.forbid}
	for _, n := range names {
		st, err := os.Stat(paths[n])
		if err != nil {
			return sizeReport{}, err
		}
		r := sizeResult{Name: n, Bytes: st.Size(), MiB: float64(st.Size()) / (1 << 20)}
		r.OverBudget = r.MiB > o.budgetMiB
		if r.Links, err = linkedFunctions(paths[n], o.forbid); err != nil {
			return sizeReport{}, fmt.Errorf("%s: %w", n, err)
		}
		var markers []string
		for _, a := range allowances {
			markers = append(markers, a.marker)
		}
		linked, err := linkedFunctions(paths[n], markers)
		if err != nil {
			return sizeReport{}, fmt.Errorf("%s: %w", n, err)
		}
		r = allow(r, linked)
		if o.why && len(r.Links) > 0 {
			if r.Why, err = whyLinked(ctx, b, n, r.Links); err != nil {
				return sizeReport{}, fmt.Errorf("%s: %w", n, err)
			}
		}
		rep.Functions = append(rep.Functions, r)
	}
	slices.SortStableFunc(rep.Functions, func(a, b sizeResult) int {
		return cmp.Or(cmp.Compare(b.Bytes, a.Bytes), strings.Compare(a.Name, b.Name))
	})
	return rep, nil
}

// linkedFunctions returns those of funcs that the Go executable at path contains. It
// reads the function table the Go runtime itself needs (.gopclntab), which stripping
// (-s -w) keeps, so it checks the very binary that is deployed rather than a copy built
// differently, with any Go version's table format that debug/gosym reads.
func linkedFunctions(path string, funcs []string) ([]string, error) {
	if len(funcs) == 0 {
		return nil, nil
	}
	f, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	pcln, text := f.Section(".gopclntab"), f.Section(".text")
	if pcln == nil || text == nil {
		return nil, fmt.Errorf("%s has no Go function table (.gopclntab)", path)
	}
	data, err := pcln.Data()
	if err != nil {
		return nil, err
	}
	table, err := gosym.NewTable(nil, gosym.NewLineTable(data, text.Addr))
	if err != nil {
		return nil, fmt.Errorf("read %s's function table: %w", path, err)
	}
	var found []string
	for _, fn := range funcs {
		if table.LookupFunc(fn) != nil {
			found = append(found, fn)
		}
	}
	return found, nil
}

// whyLinked links the function again with the linker's -dumpdep, which prints each symbol
// the first time the dead-code pass reaches it along with the symbol it came from, and
// follows that back from each of syms to the entry point.
func whyLinked(ctx context.Context, b build, name string, syms []string) (map[string][]string, error) {
	dir, err := os.MkdirTemp("", "funcbench-why-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	cmd := exec.CommandContext(ctx, "go", b.args(dir, "-dumpdep", "./functions/"+name)...)
	cmd.Dir = b.root
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
	// go build passes the linker's output on to its own.
	out, err := os.Create(filepath.Join(dir, "dumpdep.txt"))
	if err != nil {
		return nil, err
	}
	defer out.Close()
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go build -ldflags=-dumpdep: %w", err)
	}
	if _, err := out.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	parents, err := reachedFrom(out)
	if err != nil {
		return nil, err
	}
	why := map[string][]string{}
	for _, s := range syms {
		why[s] = chain(parents, s)
	}
	return why, nil
}

// depFlag is the attribute -dumpdep appends to a symbol's name, such as <ReflectMethod>.
var depFlag = regexp.MustCompile(` <[A-Za-z]+>$`)

// reachedFrom reads -dumpdep's "from -> to" lines into a map from each symbol to the one
// it was first reached from ("_" for the roots).
func reachedFrom(r io.Reader) (map[string]string, error) {
	parents := map[string]string{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		from, to, ok := strings.Cut(sc.Text(), " -> ")
		if !ok {
			continue
		}
		from, to = depFlag.ReplaceAllString(from, ""), depFlag.ReplaceAllString(to, "")
		if _, seen := parents[to]; !seen {
			parents[to] = from
		}
	}
	return parents, sc.Err()
}

// chain is the path from a root to sym, root first; empty when sym was not reached.
func chain(parents map[string]string, sym string) []string {
	if _, ok := parents[sym]; !ok {
		return nil
	}
	var path []string
	for s := sym; s != "_" && s != "" && len(path) <= len(parents); s = parents[s] {
		path = append(path, s)
	}
	slices.Reverse(path)
	return path
}
