package bgspec

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/bank/devportal/shared/platform/route"
)

// Operation is an operation of an official file.
type Operation struct {
	File, ID, Method string
	// Path is the file's path; Paths are the paths the TPP API's route table writes for
	// it: the file's {payment-service} written out as each of PaymentServices.
	Path  string
	Paths []string
}

// PaymentServices are the framework's payment services, which the route table writes out
// (one route each) where the files have the path parameter {payment-service}.
var PaymentServices = []string{"payments", "bulk-payments", "periodic-payments"}

const paymentService = "{payment-service}"

// Operations are the operations of both official files, sorted by file, path and method.
func Operations() ([]Operation, error) {
	var out []Operation
	for _, name := range []string{NextGenPSD2, FundsConfirmation} {
		if _, err := os.Stat(filepath.Join(Dir(), name)); err != nil {
			return nil, err
		}
		l := load(name)
		if l.err != nil {
			return nil, l.err
		}
		for path, item := range l.doc.Paths.Map() {
			for method, op := range item.Operations() {
				o := Operation{File: name, ID: op.OperationID, Method: method, Path: path, Paths: []string{path}}
				if strings.Contains(path, paymentService) {
					o.Paths = nil
					for _, svc := range PaymentServices {
						o.Paths = append(o.Paths, strings.Replace(path, paymentService, svc, 1))
					}
				}
				out = append(out, o)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		return a.File+" "+a.Path+" "+a.Method < b.File+" "+b.Path+" "+b.Method
	})
	return out, nil
}

var param = regexp.MustCompile(`\{[^}]*\}`)

// Shape is a path with its parameters unnamed: /v1/consents/{} for /v1/consents/{consentId}.
func Shape(path string) string { return param.ReplaceAllString(path, "{}") }

// checked are the operations whose answers this test binary checked (Check,
// CheckResponse), as key names them.
var checked sync.Map

// key names an operation of file name as one route of the route table serves it: with the
// payment service written out where the file's path has one.
func key(name, operationID, service string) string {
	k := name + " " + operationID
	if service != "" {
		k += " " + service
	}
	return k
}

// record notes that an answer of the operation operationID of file name was checked,
// with the request's path parameters params.
func record(name, operationID string, params map[string]string) {
	checked.Store(key(name, operationID, params["payment-service"]), true)
}

// Unexercised are the routes (as "name: METHOD path") whose operation of the official
// files no answer of this test binary was checked against; a route of no operation is
// not one of them.
func Unexercised(routes []route.Route) ([]string, error) {
	ops, err := Operations()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, rt := range routes {
		for _, o := range ops {
			i := slices.IndexFunc(o.Paths, func(p string) bool { return o.Method == rt.Method && Shape(p) == Shape(rt.Path) })
			if i < 0 {
				continue
			}
			service := ""
			if len(o.Paths) > 1 {
				service = PaymentServices[i]
			}
			if _, ok := checked.Load(key(o.File, o.ID, service)); !ok {
				out = append(out, fmt.Sprintf("%s: %s %s (%s %s)", rt.Name, rt.Method, rt.Path, o.File, o.ID))
			}
		}
	}
	return out, nil
}

// Gate is the final check of a handler test binary (testenv.MainThen) that serves routes:
// it fails (1) when an answer of one of their Berlin Group operations was never checked
// against the official files, naming each. Without the files the tests skipped, and so
// does the gate, but under CI, where their absence fails.
func Gate(routes []route.Route) func() int {
	return func() int {
		missing, err := Unexercised(routes)
		switch {
		case errors.Is(err, os.ErrNotExist) && os.Getenv("CI") != "true":
			fmt.Fprintln(os.Stderr, "bgspec: the Berlin Group files are not here: no operation was checked")
			return 0
		case err != nil:
			fmt.Fprintln(os.Stderr, "bgspec:", err)
			return 1
		case len(missing) > 0:
			fmt.Fprintf(os.Stderr, "bgspec: no answer of these operations was checked against the Berlin Group files: test them\n\t%s\n", strings.Join(missing, "\n\t"))
			return 1
		}
		return 0
	}
}
