package lambdaruntime

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// AccountID is the AWS account in the function ARN a Function passes its handler; moto's
// default account, so that ARNs line up with the resources there.
const AccountID = "123456789012"

// Config says which function binary to run and how.
type Config struct {
	// Path is the function's executable (a "bootstrap" for the OS-only runtimes).
	Path string
	// Name is AWS_LAMBDA_FUNCTION_NAME; empty means the name of Path's directory.
	Name string
	// MemoryMB is AWS_LAMBDA_FUNCTION_MEMORY_SIZE; zero means Lambda's default, 128. It
	// limits nothing: CPU limits the CPU.
	MemoryMB int
	// Region is AWS_REGION and AWS_DEFAULT_REGION; empty means us-east-1.
	Region string
	// Timeout is the function's timeout; zero means Lambda's default, 3 seconds.
	Timeout time.Duration
	// LogFormat and LogLevel are the function's logging configuration ("JSON" and "INFO",
	// say), which Lambda passes as AWS_LAMBDA_LOG_FORMAT and AWS_LAMBDA_LOG_LEVEL and
	// aws-lambda-go's log handler follows; empty sets neither.
	LogFormat, LogLevel string
	// Env are further variables, KEY=VALUE, after Lambda's own: a key set here wins.
	Env []string
	// Stdout and Stderr receive the process's output; nil discards it.
	Stdout, Stderr io.Writer
	// CPU limits the process to a share of one CPU, as Lambda does by memory size.
	CPU CPULimit
}

// Function is a running function process and the Runtime API it talks to.
type Function struct {
	cfg     Config
	api     *Server
	http    *http.Server
	cmd     *exec.Cmd
	limit   limiter
	tail    *tailWriter
	started time.Time
	// alive ends, with the process's exit as its cause, when the process exits.
	alive    context.Context
	exited   chan struct{}
	stopOnce sync.Once
}

// ExitError reports that the function process ended while it was expected to run.
type ExitError struct {
	// Err is the process's exit status.
	Err error
	// Output is the end of what the process wrote, which usually says why.
	Output string
}

// Error names the exit status and the last output.
func (e *ExitError) Error() string {
	if e.Output == "" {
		return fmt.Sprintf("function process exited: %v", e.Err)
	}
	return fmt.Sprintf("function process exited: %v; its last output: %s", e.Err, e.Output)
}

// Unwrap returns the exit status.
func (e *ExitError) Unwrap() error { return e.Err }

// Start serves a Runtime API on a free port of 127.0.0.1 and starts the function process
// against it with Lambda's environment (and not this process's: Lambda passes none of its
// own). Stop ends both.
func Start(cfg Config) (*Function, error) {
	if cfg.Name == "" {
		cfg.Name = filepath.Base(filepath.Dir(cfg.Path))
	}
	if cfg.MemoryMB == 0 {
		cfg.MemoryMB = 128
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 3 * time.Second
	}
	limit, err := newLimiter(cfg.CPU)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		limit.release()
		return nil, err
	}
	api := NewServer(ServerConfig{
		FunctionARN: fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", cfg.Region, AccountID, cfg.Name),
		Timeout:     cfg.Timeout,
	})
	f := &Function{cfg: cfg, api: api, http: &http.Server{Handler: api}, limit: limit, tail: &tailWriter{max: 2048}, exited: make(chan struct{})}
	go func() { _ = f.http.Serve(ln) }()

	path, err := filepath.Abs(cfg.Path)
	if err != nil {
		f.closeAPI()
		limit.release()
		return nil, err
	}
	cmd := exec.Command(path)
	cmd.Dir = filepath.Dir(path)
	cmd.Env = append(lambdaEnv(cfg, ln.Addr().String(), path), cfg.Env...)
	cmd.Stdout = io.MultiWriter(orDiscard(cfg.Stdout), f.tail)
	cmd.Stderr = io.MultiWriter(orDiscard(cfg.Stderr), f.tail)
	// A group of its own keeps a Ctrl-C meant for the caller away from the function; the
	// caller stops it. Were the caller to die, the function's next request to the
	// Runtime API fails and aws-lambda-go exits.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	f.cmd = cmd
	alive, died := context.WithCancelCause(context.Background())
	f.alive = alive
	f.started = time.Now()
	if err := limit.start(cmd); err != nil {
		died(err)
		f.closeAPI()
		limit.release()
		return nil, fmt.Errorf("start %s: %w", cfg.Path, err)
	}
	go func() {
		err := cmd.Wait()
		if err == nil {
			err = errors.New("exit status 0")
		}
		died(&ExitError{Err: err, Output: f.tail.String()})
		close(f.exited)
	}()
	return f, nil
}

// lambdaEnv is the environment Lambda gives a function on an OS-only runtime
// (provided.al2023), less the credentials, which a local run does not have.
func lambdaEnv(cfg Config, api, path string) []string {
	var stream [16]byte
	_, _ = rand.Read(stream[:])
	env := []string{
		"AWS_LAMBDA_RUNTIME_API=" + api,
		"AWS_LAMBDA_FUNCTION_NAME=" + cfg.Name,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=" + strconv.Itoa(cfg.MemoryMB),
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/" + cfg.Name,
		"AWS_LAMBDA_LOG_STREAM_NAME=" + time.Now().UTC().Format("2006/01/02") + "/[$LATEST]" + hex.EncodeToString(stream[:]),
		"AWS_REGION=" + cfg.Region,
		"AWS_DEFAULT_REGION=" + cfg.Region,
		"_HANDLER=" + filepath.Base(path),
		"LAMBDA_TASK_ROOT=" + filepath.Dir(path),
		"LAMBDA_RUNTIME_DIR=" + filepath.Dir(path),
		"LANG=en_US.UTF-8",
		"TZ=:UTC",
		"PATH=/usr/local/bin:/usr/bin/:/bin:/opt/bin",
	}
	if cfg.LogFormat != "" {
		env = append(env, "AWS_LAMBDA_LOG_FORMAT="+cfg.LogFormat)
	}
	if cfg.LogLevel != "" {
		env = append(env, "AWS_LAMBDA_LOG_LEVEL="+cfg.LogLevel)
	}
	return env
}

// CPUMechanism says how the process's CPU is limited: "none", or the mechanism in force
// and its settings (and, for a fallback, why the cgroup was not used).
func (f *Function) CPUMechanism() string { return f.limit.describe() }

// WaitInit waits until the process has initialized, which it says by asking for its first
// event, and returns how long that took from the process's start: Lambda's Init Duration,
// less the time Lambda takes to start the process. It fails with an *ExitError when the
// process exits first, with the *FunctionError it posted to init/error, or when ctx ends.
func (f *Function) WaitInit(ctx context.Context) (time.Duration, error) {
	ctx, cancel := f.bind(ctx)
	defer cancel()
	at, err := f.api.WaitInit(ctx)
	if err != nil {
		return 0, err
	}
	return at.Sub(f.started), nil
}

// Invoke hands payload to the function and waits for its answer: a Result with its
// response or the error it posted. It fails with an *ExitError when the process exits
// (crashes) first and with ErrTimeout when it does not answer within the timeout; the
// process is then not worth invoking again, and the caller should Stop it.
func (f *Function) Invoke(ctx context.Context, payload []byte) (Result, error) {
	ctx, cancel := f.bind(ctx)
	defer cancel()
	return f.api.Invoke(ctx, payload)
}

// bind derives from ctx a context that also ends, with the exit as its cause, when the
// process exits.
func (f *Function) bind(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(ctx)
	stop := context.AfterFunc(f.alive, func() { cancel(context.Cause(f.alive)) })
	return ctx, func() {
		stop()
		cancel(context.Canceled)
	}
}

// Stop kills the process, waits for it and closes the Runtime API. It returns how the
// process ended if that was before Stop, and nil if Stop ended it.
func (f *Function) Stop() error {
	var exitErr error
	f.stopOnce.Do(func() {
		select {
		case <-f.exited:
			exitErr = context.Cause(f.alive)
		default:
			if s, ok := f.limit.(*signalLimiter); ok {
				s.resume()
			}
			_ = f.cmd.Process.Kill()
			<-f.exited
		}
		f.closeAPI()
		f.limit.release()
	})
	return exitErr
}

func (f *Function) closeAPI() {
	f.api.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = f.http.Shutdown(ctx)
}

// Measurement is what Measure observed.
type Measurement struct {
	// Init is the process's initialization (WaitInit).
	Init time.Duration
	// First is the first invocation, on the freshly initialized process.
	First Result
	// Warm are the later invocations, in order.
	Warm []Result
	// CPUMechanism is the function's CPUMechanism.
	CPUMechanism string
}

// Measure starts the function of cfg, waits for its init, invokes it once and then warm
// more times with payload, and stops it. It returns what it measured up to a failure: an
// init that fails, a crash or a timeout. A response that is the function's error is a
// result, not a failure.
func Measure(ctx context.Context, cfg Config, payload []byte, warm int) (Measurement, error) {
	f, err := Start(cfg)
	if err != nil {
		return Measurement{}, err
	}
	defer f.Stop()
	m := Measurement{CPUMechanism: f.CPUMechanism()}
	if m.Init, err = f.WaitInit(ctx); err != nil {
		return m, fmt.Errorf("init: %w", err)
	}
	if m.First, err = f.Invoke(ctx, payload); err != nil {
		return m, fmt.Errorf("first invocation: %w", err)
	}
	for i := range warm {
		res, err := f.Invoke(ctx, payload)
		if err != nil {
			return m, fmt.Errorf("warm invocation %d: %w", i+1, err)
		}
		m.Warm = append(m.Warm, res)
	}
	return m, nil
}

func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}

// tailWriter keeps the last max bytes written to it.
type tailWriter struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tailWriter) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailWriter) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
