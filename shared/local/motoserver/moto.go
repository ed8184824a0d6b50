// Package motoserver runs the platform on one machine: it starts moto server and
// bootstraps the AWS resources on it from the same definitions the CDK stacks use.
package motoserver

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

//go:embed moto_launcher.py
var motoLauncher []byte

// Moto is a running moto server.
type Moto struct {
	// Endpoint is its base URL, for AWS_ENDPOINT_URL.
	Endpoint string
	// Port is the port it listens on.
	Port int
	cmd  *exec.Cmd
	// exited is closed when the process has ended; waitErr is then its exit error.
	exited  chan struct{}
	waitErr error
}

// StartMoto starts moto server on 127.0.0.1:port (0 picks a free port), writing the
// launcher into dir, and waits until it answers. Its output goes to logw.
func StartMoto(ctx context.Context, dir string, port int, logw io.Writer) (*Moto, error) {
	if port != 0 {
		return startMoto(ctx, dir, port, logw)
	}
	// A free port can be taken by someone else before moto binds it: try a few.
	var err error
	for range 3 {
		var p int
		if p, err = FreePort(); err != nil {
			return nil, err
		}
		var m *Moto
		if m, err = startMoto(ctx, dir, p, logw); err == nil {
			return m, nil
		}
	}
	return nil, err
}

func startMoto(ctx context.Context, dir string, port int, logw io.Writer) (*Moto, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	launcher := filepath.Join(dir, "moto_launcher.py")
	if err := os.WriteFile(launcher, motoLauncher, 0o644); err != nil {
		return nil, err
	}
	if conn, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), 200*time.Millisecond); err == nil {
		conn.Close()
		return nil, fmt.Errorf("port %d is already in use: stop what listens there or set MOTO_PORT", port)
	}
	cmd := exec.Command("python3", launcher, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	// moto checks authenticator-app codes only when told to (it checks them against the
	// one secret it hands every user), so wrong codes fail locally as they do at Cognito.
	cmd.Env = append(os.Environ(), "MOTO_PORT="+strconv.Itoa(port), "MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP=true")
	cmd.Stdout, cmd.Stderr = logw, logw
	// Own process group, so Stop ends moto's children too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start moto (is python3 with moto[server] installed?): %w", err)
	}
	m := &Moto{Endpoint: fmt.Sprintf("http://127.0.0.1:%d", port), Port: port, cmd: cmd, exited: make(chan struct{})}
	go func() {
		m.waitErr = cmd.Wait()
		close(m.exited)
	}()
	if err := m.waitReady(ctx, 60*time.Second); err != nil {
		m.Stop()
		return nil, err
	}
	return m, nil
}

func (m *Moto) waitReady(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case <-m.exited:
			return fmt.Errorf("moto exited before it was ready (%v); see its log", m.waitErr)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		resp, err := http.Get(m.Endpoint + "/moto-api/data.json")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
	}
	return errors.New("moto did not answer within " + limit.String())
}

// Stop ends moto and waits for it.
func (m *Moto) Stop() {
	if m == nil || m.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-m.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-m.exited:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-m.cmd.Process.Pid, syscall.SIGKILL)
		<-m.exited
	}
}

// FreePort asks the kernel for a free TCP port on 127.0.0.1.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// TOTPSecret is the one authenticator-app secret moto 5.2.1's AssociateSoftwareToken
// gives every user (moto checks codes against it when started as StartMoto starts it).
const TOTPSecret = "asdfasdfasdf"
