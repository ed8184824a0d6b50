package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bank/devportal/shared/local/lambdaruntime"
)

// runOptions are run mode's flags.
type runOptions struct {
	warm      int
	cold      int
	timeout   time.Duration
	quotaMB   int
	period    time.Duration
	mechanism lambdaruntime.Mechanism
}

// runResult is one function's line of run mode's report. Durations are in milliseconds.
type runResult struct {
	Name string `json:"name"`
	// InitMS and FirstMS are the medians over ColdStarts starts of the init and of the
	// first invocation; InitMaxMS is the slowest init.
	InitMS     float64 `json:"initMs"`
	InitMaxMS  float64 `json:"initMaxMs"`
	FirstMS    float64 `json:"firstMs"`
	ColdStarts int     `json:"coldStarts"`
	// P50MS and P99MS are over Warm invocations after the first, on one process.
	P50MS float64 `json:"warmP50Ms"`
	P99MS float64 `json:"warmP99Ms"`
	Warm  int     `json:"warmInvocations"`
	// StatusCode is the HTTP status of the first response, for HTTP functions.
	StatusCode int `json:"statusCode,omitempty"`
	// Error is the error the function answered the first event with, such as an
	// authorizer's "Unauthorized": an answer, not a failure.
	Error string `json:"error,omitempty"`
	// Failure is why the function could not be measured: no sample event, a failed init,
	// a crash or a timeout.
	Failure      string `json:"failure,omitempty"`
	CPUMechanism string `json:"cpuMechanism"`
	// Log is the file with the function's output.
	Log string `json:"log,omitempty"`
}

// runReport is run mode's whole report, in the order the functions ran.
type runReport struct {
	GOARCH string     `json:"goarch"`
	Tags   string     `json:"tags"`
	CPU    cpuSetting `json:"cpu"`
	// ColdStarts and Warm are what was asked for each function (-cold, -n).
	ColdStarts int         `json:"coldStarts"`
	Warm       int         `json:"warmInvocations"`
	Functions  []runResult `json:"functions"`
}

// cpuSetting is the CPU share every function ran with.
type cpuSetting struct {
	// MemoryMB is the Lambda memory size whose CPU share was applied; 0 for none.
	MemoryMB int     `json:"memoryMB"`
	VCPU     float64 `json:"vcpu"`
	PeriodMS float64 `json:"periodMs,omitempty"`
}

// failed says whether any function could not be measured.
func (r runReport) failed() bool {
	return slices.ContainsFunc(r.Functions, func(f runResult) bool { return f.Failure != "" })
}

// measureRuns builds the functions for this machine, starts and bootstraps moto, and runs
// each function in turn under the fake Runtime API with its sample event. Each function's
// output goes to dir/logs/<name>.log.
func measureRuns(ctx context.Context, b build, dir string, names []string, o runOptions, log *slog.Logger) (runReport, error) {
	log.Info("building the functions for this machine", "count", len(names), "goarch", runtime.GOARCH)
	paths, err := b.binaries(ctx, runtime.GOARCH, filepath.Join(dir, runtime.GOARCH), names)
	if err != nil {
		return runReport{}, err
	}
	motoLog, err := os.Create(filepath.Join(dir, "moto.log"))
	if err != nil {
		return runReport{}, err
	}
	defer motoLog.Close()
	log.Info("starting and bootstrapping moto", "log", motoLog.Name())
	st, err := startStack(ctx, dir, motoLog)
	if err != nil {
		return runReport{}, err
	}
	defer st.stop()
	if err := os.MkdirAll(filepath.Join(dir, "logs"), 0o755); err != nil {
		return runReport{}, err
	}
	rep := runReport{GOARCH: runtime.GOARCH, Tags: b.tags, ColdStarts: max(o.cold, 1), Warm: o.warm}
	limit := lambdaruntime.CPULimit{Period: o.period, Mechanism: o.mechanism}
	if o.quotaMB > 0 {
		limit.VCPU = lambdaruntime.VCPUForMemory(o.quotaMB)
		rep.CPU = cpuSetting{MemoryMB: o.quotaMB, VCPU: limit.VCPU, PeriodMS: ms(o.period)}
	}
	for i, n := range names {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		r := measureOne(ctx, n, paths[n], b.root, dir, st, limit, o)
		if i == 0 {
			log.Info("CPU limit", "mechanism", r.CPUMechanism)
		}
		log.Info("measured", "function", n, "initMs", r.InitMS, "warmP50Ms", r.P50MS, "failure", r.Failure)
		rep.Functions = append(rep.Functions, r)
	}
	return rep, nil
}

// measureOne runs one function and sums up what lambdaruntime measured.
func measureOne(ctx context.Context, name, path, root, dir string, st *stack, limit lambdaruntime.CPULimit, o runOptions) runResult {
	r := runResult{Name: name}
	event, err := os.ReadFile(filepath.Join(root, "events", name+".json"))
	if err != nil {
		r.Failure = err.Error()
		return r
	}
	logFile, err := os.Create(filepath.Join(dir, "logs", name+".log"))
	if err != nil {
		r.Failure = err.Error()
		return r
	}
	r.Log = logFile.Name()
	defer logFile.Close()
	memory := o.quotaMB
	if memory == 0 {
		memory = 128
	}
	cfg := lambdaruntime.Config{
		Path:     path,
		Name:     name,
		MemoryMB: memory,
		Region:   st.region(),
		Timeout:  o.timeout,
		// As deployed (infra/stacks: LoggingFormat JSON, application log level INFO).
		LogFormat: "JSON",
		LogLevel:  "INFO",
		Env:       st.env(name),
		Stdout:    logFile,
		Stderr:    logFile,
		CPU:       limit,
	}
	// One cold start is one sample, and a noisy one: each further start measures init
	// and the first invocation again; the warm invocations run on the first start only.
	var inits, firsts []time.Duration
	for i := range max(o.cold, 1) {
		warmN := 0
		if i == 0 {
			warmN = o.warm
		}
		m, err := lambdaruntime.Measure(ctx, cfg, event, warmN)
		r.CPUMechanism = m.CPUMechanism
		if err != nil {
			r.Failure = err.Error()
			return r
		}
		inits, firsts = append(inits, m.Init), append(firsts, m.First.Duration)
		if i == 0 {
			warm := make([]time.Duration, len(m.Warm))
			for j, w := range m.Warm {
				warm[j] = w.Duration
			}
			r.Warm = len(warm)
			r.P50MS, r.P99MS = ms(percentile(warm, 50)), ms(percentile(warm, 99))
			r.StatusCode, r.Error = answer(m.First)
		}
	}
	r.ColdStarts = len(inits)
	r.InitMS, r.InitMaxMS, r.FirstMS = ms(percentile(inits, 50)), ms(slices.Max(inits)), ms(percentile(firsts, 50))
	return r
}

// answer is the HTTP status of a response in API Gateway's proxy format, or the error the
// function answered with.
func answer(res lambdaruntime.Result) (status int, errText string) {
	if res.Error != nil {
		return 0, res.Error.Error()
	}
	var proxy struct {
		StatusCode int `json:"statusCode"`
	}
	_ = json.Unmarshal(res.Payload, &proxy)
	return proxy.StatusCode, ""
}

// firstWords is s on one line, cut to about n bytes.
func firstWords(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// percentile is the nearest-rank p-th percentile of ds: the smallest value that at least
// p percent of ds are at most (so the 99th of 50 values is the largest). Zero for none.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := int(float64(len(s))*p/100 + 0.999999999)
	return s[min(max(rank, 1), len(s))-1]
}

// ms is d in milliseconds, to a tenth.
func ms(d time.Duration) float64 {
	return math.Round(float64(d)/float64(time.Millisecond)*10) / 10
}

// printRuns writes the report as a table, slowest init first.
func printRuns(w io.Writer, rep runReport) {
	cpu := "no CPU limit"
	if rep.CPU.MemoryMB > 0 {
		cpu = fmt.Sprintf("CPU share of %d MB: %.3f vCPU", rep.CPU.MemoryMB, rep.CPU.VCPU)
	}
	fmt.Fprintf(w, "%d functions on linux/%s, tags %s, %s\n", len(rep.Functions), rep.GOARCH, rep.Tags, cpu)
	// Every function gets the same mechanism unless the cgroup fails half-way; the first
	// one started tells.
	for _, r := range rep.Functions {
		if r.CPUMechanism != "" {
			fmt.Fprintf(w, "CPU limit: %s\n", r.CPUMechanism)
			break
		}
	}
	rows := slices.Clone(rep.Functions)
	slices.SortStableFunc(rows, func(a, b runResult) int {
		switch {
		case a.InitMS > b.InitMS:
			return -1
		case a.InitMS < b.InitMS:
			return 1
		}
		return 0
	})
	fmt.Fprintf(w, "milliseconds; init and first: median of %d cold starts; p50 and p99 of %d warm invocations\n", rep.ColdStarts, rep.Warm)
	fmt.Fprintf(w, "\n%-30s %9s %9s %9s %9s %9s  %s\n", "function", "init", "init max", "first", "warm p50", "warm p99", "answer")
	var inits []time.Duration
	for _, r := range rows {
		outcome := "ok"
		switch {
		case r.Failure != "":
			outcome = "FAILED: " + firstWords(r.Failure, 160)
			if r.Log != "" {
				outcome += " (log: " + r.Log + ")"
			}
		case r.Error != "":
			outcome = "error " + r.Error
		case r.StatusCode != 0:
			outcome = strconv.Itoa(r.StatusCode)
		}
		fmt.Fprintf(w, "%-30s %9.1f %9.1f %9.1f %9.1f %9.1f  %s\n", r.Name, r.InitMS, r.InitMaxMS, r.FirstMS, r.P50MS, r.P99MS, outcome)
		if r.Failure == "" {
			inits = append(inits, time.Duration(r.InitMS*float64(time.Millisecond)))
		}
	}
	if len(inits) > 0 {
		fmt.Fprintf(w, "\ninit (each function's median) over the functions: p50 %.1f ms, p99 %.1f ms\n", ms(percentile(inits, 50)), ms(percentile(inits, 99)))
	}
}
