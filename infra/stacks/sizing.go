package stacks

import (
	"fmt"
	"slices"

	tpproutes "github.com/bank/devportal/shared/tpp/routes"
)

// Sizing is one function's reserved memory and timeout. Lambda gives CPU in proportion
// to memory (a whole vCPU at 1,769 MB), so memory is also how much CPU a function gets.
type Sizing struct {
	// MemoryMB is the function's memory.
	MemoryMB int
	// TimeoutSeconds is how long one invocation may run.
	TimeoutSeconds int
	// Reason says why a function differs from its kind's default.
	Reason string
}

// The defaults by kind of function, chosen from `make bench-functions` (infra/funcbench:
// each function run under a fake Lambda Runtime API against moto, with the CPU share of
// its memory; figures of 6 December 2026 on a 2-core machine that was busy with other
// tests, so upper bounds). Across all functions the median cold-start init was 38 ms at
// 256 MB and 17 ms at 1,024 MB; warm invocations that answer from the session check take
// under 1 ms at either size.
var (
	// httpSizing: 256 MB. The binaries are 8.5–11.3 MiB and use a few tens of MB; a
	// fourfold price buys about 20 ms once per cold start, which API Gateway's users do not
	// notice beside the network. The timeout stays well under API Gateway's 30-second
	// integration limit, for handlers that make a handful of calls of tens of ms each.
	httpSizing = Sizing{MemoryMB: 256, TimeoutSeconds: 10}
	// jobSizing leaves a daily job room to page through every profile.
	jobSizing = Sizing{MemoryMB: 256, TimeoutSeconds: 5 * 60}
	// authorizerSizing: one GetItem, with room for a cold start; API Gateway waits for an
	// authorizer at most 29 seconds.
	authorizerSizing = Sizing{MemoryMB: 256, TimeoutSeconds: 5}
)

// functionSizing are the functions that differ from their kind's default, each with its
// reason. A name here must be a function of the app (a test checks).
var functionSizing = map[string]Sizing{
	// bcrypt (cost 10) hashes the new password and compares it with each of the last
	// passwords kept in the history: CPU-bound, and at 256 MB Lambda gives an eighth of a
	// vCPU (auth-signup's warm p99 was 556 ms at 256 MB, 18 ms at 1,024 MB).
	"auth-signup":             {MemoryMB: 512, TimeoutSeconds: 10, Reason: "bcrypt of the new password against the password history is CPU-bound"},
	"auth-reset-password":     {MemoryMB: 512, TimeoutSeconds: 10, Reason: "bcrypt of the new password against the password history is CPU-bound"},
	"auth-activate":           {MemoryMB: 512, TimeoutSeconds: 10, Reason: "bcrypt of a new password chosen at activation against the password history is CPU-bound"},
	"account-change-password": {MemoryMB: 512, TimeoutSeconds: 10, Reason: "bcrypt of the new password against the password history is CPU-bound"},
	// Key generation and signing by the sandbox CA.
	"sandbox-certificates":  {MemoryMB: 512, TimeoutSeconds: 10, Reason: "generates a key pair and signs a certificate with the sandbox CA"},
	"app-certificate-issue": {MemoryMB: 512, TimeoutSeconds: 10, Reason: "generates a key pair and signs a certificate with the sandbox CA"},
	// The heaviest decision: builds the decision's DynamoDB transaction (for a go-live,
	// the production app with new credentials) before handing it to the workflow.
	"ops-request-approve": {MemoryMB: 512, TimeoutSeconds: 20, Reason: "builds the decision's transaction (a go-live creates the production app and its credentials)"},
	// Reads the app, checks its certificates against every app's and starts the
	// workflow: more calls than any other app route.
	"app-go-live": {MemoryMB: 512, TimeoutSeconds: 20, Reason: "reads the app, checks its certificates against every app's and starts the workflow"},
	// Pages through every app certificate and mails each warning; with many apps this is
	// the longest job.
	"certificate-expiry-reminder": {MemoryMB: 512, TimeoutSeconds: 10 * 60, Reason: "pages through every certificate of every app and mails each warning"},
	// On the TPP API's request path: more CPU cuts the cold start (TLS to DynamoDB) that
	// every first request after scaling waits for (init 30–80 ms at 256 MB, 7 ms at
	// 1,024 MB; the binary is 7.4 MiB).
	tpproutes.AuthorizerName: {MemoryMB: 512, TimeoutSeconds: 5, Reason: "on every TPP request's path: more CPU shortens its cold start"},
	// On the path of every account-information call; it also reads the OAuth key at cold
	// start and the token's session per request.
	tpproutes.BearerAuthorizerName: {MemoryMB: 512, TimeoutSeconds: 5, Reason: "on every account-information request's path: more CPU shortens its cold start"},
}

// FunctionSizing is the named function's memory and timeout: its entry in functionSizing
// or its kind's default. It panics for a name that is no function of the app.
func FunctionSizing(name string) Sizing {
	f, ok := lookupFunction(name)
	if !ok {
		panic(fmt.Sprintf("stacks: %q is no function of the app", name))
	}
	return sizingOf(f)
}

// sizingOf is the function's memory and timeout: its entry in functionSizing or its kind's
// default.
func sizingOf(f appFunction) Sizing {
	if s, ok := functionSizing[f.name]; ok {
		return s
	}
	switch f.kind {
	case tppAuthorizer:
		return authorizerSizing
	case portalJob, tppJob:
		return jobSizing
	default:
		return httpSizing
	}
}

// checkSizing reports entries of functionSizing that name no function in fns, or that
// break Lambda's limits or the caller's: API Gateway waits for an HTTP integration at most
// 30 seconds and for an authorizer 29.
func checkSizing(fns []appFunction) error {
	for name, s := range functionSizing {
		if !slices.Contains(names(fns), name) {
			return fmt.Errorf("functionSizing names %q, which is no function", name)
		}
		if s.Reason == "" {
			return fmt.Errorf("functionSizing %q has no reason", name)
		}
	}
	for _, f := range fns {
		s := sizingOf(f)
		limit := 15 * 60
		if f.kind != portalJob && f.kind != tppJob {
			limit = 29
		}
		if s.MemoryMB < 128 || s.MemoryMB > 10240 || s.TimeoutSeconds < 1 || s.TimeoutSeconds > limit {
			return fmt.Errorf("function %q: %d MB, %d s is out of bounds (timeout at most %d s)", f.name, s.MemoryMB, s.TimeoutSeconds, limit)
		}
	}
	return nil
}
