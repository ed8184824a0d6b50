// Command echo is a tiny aws-lambda-go function for the lambdaruntime tests: it answers
// with what it was given and what Lambda's environment told it, fails, panics or burns
// CPU on request, and fails its init when ECHO_FAIL_INIT is set.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// event is what the tests send.
type event struct {
	Name string `json:"name"`
	// Do is "", "fail", "panic", or "spin" (use SpinMS of CPU time).
	Do     string `json:"do,omitempty"`
	SpinMS int    `json:"spinMs,omitempty"`
}

// answer is what the function returns.
type answer struct {
	Greeting  string `json:"greeting"`
	Function  string `json:"function"`
	MemoryMB  int    `json:"memoryMB"`
	Region    string `json:"region"`
	Extra     string `json:"extra"`
	LogFormat string `json:"logFormat"`
	ARN       string `json:"arn"`
	RequestID bool   `json:"requestIdSet"`
	Deadline  bool   `json:"deadlineInFuture"`
}

func handle(ctx context.Context, e event) (answer, error) {
	lc, _ := lambdacontext.FromContext(ctx)
	deadline, _ := ctx.Deadline()
	switch e.Do {
	case "fail":
		return answer{}, errors.New("asked to fail")
	case "panic":
		panic("asked to panic")
	case "spin":
		spin(time.Duration(e.SpinMS) * time.Millisecond)
	}
	return answer{
		Greeting:  "hello " + e.Name,
		Function:  lambdacontext.FunctionName,
		MemoryMB:  lambdacontext.MemoryLimitInMB,
		Region:    os.Getenv("AWS_REGION"),
		Extra:     os.Getenv("ECHO_EXTRA"),
		LogFormat: os.Getenv("AWS_LAMBDA_LOG_FORMAT"),
		ARN:       lc.InvokedFunctionArn,
		RequestID: lc.AwsRequestID != "",
		Deadline:  time.Until(deadline) > 0,
	}, nil
}

// spin burns d of this process's CPU time (not wall time, which a CPU limit stretches).
func spin(d time.Duration) {
	start := cpuTime()
	for cpuTime()-start < d {
		for i := 0; i < 100000; i++ {
		}
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func main() {
	if msg := os.Getenv("ECHO_FAIL_INIT"); msg != "" {
		fmt.Fprintln(os.Stderr, "cannot start:", msg)
		os.Exit(3)
	}
	lambda.Start(handle)
}
