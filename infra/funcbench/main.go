// Command funcbench measures the Lambda functions under functions/ (`make bench-functions`).
//
//	go run ./infra/funcbench size [flags] [function ...]
//	go run ./infra/funcbench run [flags] [function ...]
//
// size builds every function for linux/arm64 exactly as `make build` does (with -tags),
// prints each binary's size, largest first, and fails when a binary is over the budget or
// links a function that defeats the linker's dead-code elimination (-forbid; by default
// reflect.Value.MethodByName). The check reads the deployed binary's own function table,
// so it needs no unstripped copy; -why links the offenders again with the linker's
// -dumpdep to print the chain of calls that pulls the function in.
//
// run builds every function for this machine, starts moto and bootstraps it as `make dev`
// does, then runs the functions one at a time as child processes under a fake Lambda
// Runtime API (shared/local/lambdaruntime), each with the configuration as environment
// variables and its sample event events/<name>.json: it reports the init (process start
// to its first request for an event) and the first invocation, each the median of -cold
// cold starts, and the median and 99th percentile of -n warm invocations. With -cpu-quota-mb each process gets the share of a
// CPU Lambda gives that memory size (one vCPU at 1,769 MB), through a cgroup v1 CFS quota
// when it can make one (root) or else by stopping and continuing the process; the report
// says which. An HTTP answer of any status counts (the sample events are not signed in);
// a failed init, a crash or a timeout is a failure.
//
// Both print a table, or JSON with -json, write their builds and logs under
// .local/funcbench/, and exit 1 when a check fails.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/bank/devportal/shared/local/lambdaruntime"
)

func main() {
	if len(os.Args) < 2 || (os.Args[1] != "size" && os.Args[1] != "run") {
		fmt.Fprintln(os.Stderr, "usage: funcbench size|run [flags] [function ...]; funcbench size -h or run -h for the flags")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	failed, err := run(ctx, os.Args[1], os.Args[2:], os.Stdout, log)
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case err != nil:
		log.Error("funcbench "+os.Args[1], "error", err.Error())
		os.Exit(2)
	case failed:
		os.Exit(1)
	}
}

// run runs mode with its arguments and says whether a check failed.
func run(ctx context.Context, mode string, args []string, out io.Writer, log *slog.Logger) (failed bool, err error) {
	fs := flag.NewFlagSet("funcbench "+mode, flag.ContinueOnError)
	tags := fs.String("tags", DefaultTags, "build tags, comma-separated")
	parallel := fs.Int("p", 2, "builds (compiles and links) run at once")
	dir := fs.String("dir", ".local/funcbench", "where builds and logs go, relative to the module root")
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	var so sizeOptions
	var ro runOptions
	var forbid, mechanism string
	if mode == "size" {
		// 13.5: the portal's functions share one package, and those that send mail and set a
		// password (Cognito, SES and KMS clients, two-step sign-in's challenge) reach 13 MiB
		// with the account rules; the budget still stops a library that grows a binary by a
		// megabyte (as reflect.Value.MethodByName does).
		fs.Float64Var(&so.budgetMiB, "budget-mib", 13.5, "largest binary size allowed, in MiB")
		fs.StringVar(&forbid, "forbid", forbiddenSymbols, "functions no binary may link, comma-separated (empty: no check)")
		fs.BoolVar(&so.why, "why", false, "show through which calls each binary links a forbidden function (links the offenders again)")
		fs.BoolVar(&so.each, "each", false, "build every function's binary (default: one of each main's shape, which links the same code)")
	} else {
		fs.IntVar(&ro.warm, "n", 50, "warm invocations per function")
		fs.IntVar(&ro.cold, "cold", 5, "cold starts per function (init and first invocation are their medians)")
		fs.DurationVar(&ro.timeout, "timeout", 10*time.Second, "function timeout: an invocation that takes longer is a failure")
		fs.IntVar(&ro.quotaMB, "cpu-quota-mb", 0, "give each function the CPU share of this Lambda memory size (0: no limit)")
		fs.DurationVar(&ro.period, "cpu-period", lambdaruntime.DefaultCPUPeriod, "period in which the CPU share is enforced")
		fs.StringVar(&mechanism, "cpu-mechanism", "auto", "how to enforce the CPU share: auto, cgroup or signals")
	}
	if err := fs.Parse(args); err != nil {
		return false, err
	}
	root, err := moduleRoot()
	if err != nil {
		return false, err
	}
	names, err := functionNames(root, fs.Args())
	if err != nil {
		return false, err
	}
	b := build{root: root, tags: *tags, parallel: *parallel}
	work := filepath.Join(root, *dir)

	if mode == "size" {
		so.forbid = splitList(forbid)
		log.Info("building the functions for linux/arm64", "count", len(names), "tags", *tags)
		rep, err := measureSizes(ctx, b, filepath.Join(work, "arm64"), names, so)
		if err != nil {
			return false, err
		}
		if *asJSON {
			return rep.failed(), writeJSON(out, rep)
		}
		printSizes(out, rep)
		return rep.failed(), nil
	}

	switch mechanism {
	case "auto":
		ro.mechanism = lambdaruntime.MechanismAuto
	case "cgroup", "signals":
		ro.mechanism = lambdaruntime.Mechanism(mechanism)
	default:
		return false, fmt.Errorf("-cpu-mechanism %q: want auto, cgroup or signals", mechanism)
	}
	rep, err := measureRuns(ctx, b, work, names, ro, log)
	if err != nil {
		return false, err
	}
	if *asJSON {
		return rep.failed(), writeJSON(out, rep)
	}
	printRuns(out, rep)
	return rep.failed(), nil
}

// printSizes writes the size report as a table, and for -why each distinct chain once.
func printSizes(w io.Writer, rep sizeReport) {
	fmt.Fprintf(w, "%d functions for linux/%s, tags %s\n\n", len(rep.Functions), rep.GOARCH, rep.Tags)
	fmt.Fprintf(w, "%-30s %8s\n", "function", "MiB")
	over, linking := 0, map[string]int{}
	for _, r := range rep.Functions {
		var notes []string
		if r.OverBudget {
			over++
			notes = append(notes, "over budget")
		}
		for _, l := range r.Links {
			linking[l]++
			notes = append(notes, "links "+l)
		}
		if r.Allowance != "" {
			notes = append(notes, "allowance "+r.Allowance)
		}
		if r.SameAs != "" {
			notes = append(notes, "as "+r.SameAs)
		}
		fmt.Fprintln(w, strings.TrimRight(fmt.Sprintf("%-30s %8.2f  %s", r.Name, r.MiB, strings.Join(notes, "; ")), " "))
	}
	measured := len(rep.Functions)
	for _, r := range rep.Functions {
		if r.SameAs != "" {
			measured--
		}
	}
	fmt.Fprintf(w, "\n%d binaries built: a function marked \"as\" another has a main of the same shape, which links the same code (-each builds every one)\n", measured)
	fmt.Fprintf(w, "budget %.1f MiB: %d over it\n", rep.BudgetMiB, over)
	for _, a := range allowances {
		if !slices.ContainsFunc(rep.Functions, func(r sizeResult) bool { return r.Allowance == a.name }) {
			continue
		}
		fmt.Fprintf(w, "allowance %s (budget %.1f MiB, may link %s): %s\n", a.name, a.budgetMiB, strings.Join(a.mayLink, ", "), a.reason)
	}
	for _, f := range rep.Forbidden {
		fmt.Fprintf(w, "%s: linked by %d\n", f, linking[f])
	}
	// The functions share most of their code, so most share a chain: print each once.
	type chainKey struct{ sym, path string }
	var order []chainKey
	users := map[chainKey][]string{}
	for _, r := range rep.Functions {
		for sym, c := range r.Why {
			k := chainKey{sym, strings.Join(c, "\n")}
			if _, ok := users[k]; !ok {
				order = append(order, k)
			}
			users[k] = append(users[k], r.Name)
		}
	}
	for _, k := range order {
		fmt.Fprintf(w, "\n%s is reached in %s through:\n    %s\n", k.sym, strings.Join(users[k], ", "), strings.ReplaceAll(k.path, "\n", "\n    "))
	}
	if len(order) == 0 && len(linking) > 0 {
		fmt.Fprintln(w, "(run with -why to see through which calls)")
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// splitList splits a comma-separated flag, dropping empty entries.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
