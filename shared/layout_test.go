// Package shared_test holds the rules of the code's layout: which area may import which.
package shared_test

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/bank/devportal/"

// imports lists every package of the module with the module packages it imports (not
// counting its tests).
func imports(t *testing.T) map[string][]string {
	t.Helper()
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, module+"...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(fields[0], module)
		deps[pkg] = nil
		for _, imp := range fields[1:] {
			if strings.HasPrefix(imp, module) {
				deps[pkg] = append(deps[pkg], strings.TrimPrefix(imp, module))
			}
		}
	}
	return deps
}

func under(pkg, dir string) bool { return pkg == dir || strings.HasPrefix(pkg, dir+"/") }

// TestImportRules keeps the layout honest: the platform serves both areas and knows
// neither; the TPP area reaches the portal only through its one-read lookups; only local
// tooling and tests use local tooling; no deployment code imports what assembles a
// Lambda function, and every function's main imports nothing but an area's wiring.
func TestImportRules(t *testing.T) {
	rules := []struct {
		name  string
		from  func(pkg string) bool
		allow func(imp string) bool
	}{
		{"the platform imports no area", func(p string) bool { return under(p, "shared/platform") },
			func(i string) bool { return under(i, "shared/platform") || under(i, "shared/portal/lookup") }},
		{"trust (eIDAS, sandbox CA) imports only the platform", func(p string) bool { return under(p, "shared/trust") },
			func(i string) bool { return under(i, "shared/platform") || under(i, "shared/trust") }},
		{"the portal lookups import nothing else of the portal", func(p string) bool { return under(p, "shared/portal/lookup") },
			func(i string) bool { return under(i, "shared/platform") || under(i, "shared/portal/lookup") }},
		// The portal serves the TPP API's description for its reference page: a document,
		// which imports nothing of the TPP area (the next rule).
		{"the portal imports neither the TPP area (but its description) nor local tooling", func(p string) bool { return under(p, "shared/portal") },
			func(i string) bool {
				return (!under(i, "shared/tpp") || i == "shared/tpp/apidoc") && !under(i, "shared/local")
			}},
		{"the TPP API's description imports only the platform", func(p string) bool { return p == "shared/tpp/apidoc" },
			func(i string) bool { return under(i, "shared/platform") }},
		{"the TPP area reaches the portal only through its lookups", func(p string) bool { return under(p, "shared/tpp") },
			func(i string) bool {
				return !under(i, "shared/local") && (!under(i, "shared/portal") || under(i, "shared/portal/lookup"))
			}},
		{"deployment code imports no Lambda composition root and no local tooling",
			func(p string) bool {
				return under(p, "infra") && !under(p, "infra/local") && !under(p, "infra/funcbench")
			},
			func(i string) bool {
				return !under(i, "shared/portal/wiring") && !under(i, "shared/tpp/wiring") && !under(i, "shared/local")
			}},
		{"a function's main imports only an area's wiring and the parts it names", func(p string) bool { return under(p, "functions") },
			func(i string) bool {
				return (under(i, "shared/portal/wiring") && !under(i, "shared/portal/wiring/allparts")) || under(i, "shared/tpp/wiring")
			}},
		{"the wiring imports no AWS-client part: only the mains that need a part import it", func(p string) bool { return p == "shared/portal/wiring" },
			func(i string) bool {
				return !under(i, "shared/portal/identity") && !under(i, "shared/portal/mail") && !under(i, "shared/portal/workflow/sfnengine") && !under(i, "shared/trust/sandboxca/casecret")
			}},
	}
	deps := imports(t)
	if len(deps) < 50 {
		t.Fatalf("go list found %d packages: the test does not see the module", len(deps))
	}
	for _, rule := range rules {
		t.Run(rule.name, func(t *testing.T) {
			checked := 0
			for pkg, imps := range deps {
				if !rule.from(pkg) {
					continue
				}
				checked++
				for _, imp := range imps {
					if !rule.allow(imp) {
						t.Errorf("%s imports %s", pkg, imp)
					}
				}
			}
			if checked == 0 {
				t.Errorf("no package is subject to the rule")
			}
		})
	}
}
