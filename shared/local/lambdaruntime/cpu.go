package lambdaruntime

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// VCPUPerMB is Lambda's CPU share per MB of memory: one vCPU at 1,769 MB, in proportion
// below that (256 MB gets about 0.145 of a vCPU).
const VCPUPerMB = 1.0 / 1769

// VCPUForMemory is the share of one CPU Lambda gives a function of memoryMB.
func VCPUForMemory(memoryMB int) float64 { return float64(memoryMB) * VCPUPerMB }

// Mechanism names how a CPU limit is enforced.
type Mechanism string

// The mechanisms, from the most faithful.
const (
	// MechanismAuto tries MechanismCgroup and falls back to MechanismSignals.
	MechanismAuto Mechanism = ""
	// MechanismCgroup puts the process in a cgroup (v1 cpu controller) of its own with a
	// CFS quota, the kernel's own CPU bandwidth control: the process runs at full speed
	// until it has used its share of a period, then waits for the next period. Waiting
	// on the network costs it nothing. Needs root and a cgroup v1 cpu hierarchy.
	MechanismCgroup Mechanism = "cgroup"
	// MechanismSignals duty-cycles the process with SIGSTOP and SIGCONT: it may run for
	// its share of each period and is stopped for the rest, whether it wanted the CPU or
	// was waiting for a reply. It is harsher than a quota for a process that mostly
	// waits, and works anywhere signals do.
	MechanismSignals Mechanism = "signals"
)

// CgroupV1CPU is where the cgroup v1 cpu controller is mounted.
const CgroupV1CPU = "/sys/fs/cgroup/cpu"

// DefaultCPUPeriod is the enforcement period when CPULimit.Period is zero. Lambda does not
// publish its own; a short period makes a quota act like a slower CPU rather than a burst
// followed by a long pause (with the kernel's default of 100 ms, an init needing 14 ms of
// CPU would run at full speed at 256 MB's share).
const DefaultCPUPeriod = 20 * time.Millisecond

// CPULimit is a share of one CPU for a function process.
type CPULimit struct {
	// VCPU is the share of one CPU, such as VCPUForMemory(256); zero means no limit.
	VCPU float64
	// Period is the window in which the share is enforced; zero means DefaultCPUPeriod.
	Period time.Duration
	// Mechanism chooses how; MechanismAuto takes the first that works.
	Mechanism Mechanism
}

// limiter starts a process under a CPU limit and undoes what it set up.
type limiter interface {
	// start starts cmd under the limit.
	start(cmd *exec.Cmd) error
	// release is called once the process has been reaped.
	release()
	// describe says which mechanism is in force and how it is set.
	describe() string
}

// newLimiter prepares the limit l for one process.
func newLimiter(l CPULimit) (limiter, error) {
	if l.VCPU <= 0 {
		return noLimit{}, nil
	}
	if l.Period <= 0 {
		l.Period = DefaultCPUPeriod
	}
	switch l.Mechanism {
	case MechanismCgroup:
		return newCgroupLimiter(l)
	case MechanismSignals:
		return newSignalLimiter(l, ""), nil
	case MechanismAuto:
		cg, err := newCgroupLimiter(l)
		if err == nil {
			return cg, nil
		}
		return newSignalLimiter(l, err.Error()), nil
	}
	return nil, fmt.Errorf("lambdaruntime: unknown CPU limit mechanism %q", l.Mechanism)
}

// noLimit starts the process as it is.
type noLimit struct{}

func (noLimit) start(cmd *exec.Cmd) error { return cmd.Start() }
func (noLimit) release()                  {}
func (noLimit) describe() string          { return "none" }

// cgroupSeq tells apart the cgroups of one parent process.
var cgroupSeq atomic.Int64

// cgroupLimiter is MechanismCgroup: a cgroup of its own per process.
type cgroupLimiter struct {
	// parent is this process's own cgroup, dir the new one inside it.
	parent, dir   string
	quota, period time.Duration
}

func newCgroupLimiter(l CPULimit) (*cgroupLimiter, error) {
	parent, err := ownCgroup(CgroupV1CPU)
	if err != nil {
		return nil, err
	}
	removeStaleOnce.Do(func() { removeStale(parent) })
	dir := filepath.Join(parent, fmt.Sprintf("lambdaruntime-%d-%d", os.Getpid(), cgroupSeq.Add(1)))
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, fmt.Errorf("cgroup v1 cpu: %w", err)
	}
	// The kernel refuses a quota under 1 ms.
	quota := max(time.Duration(float64(l.Period)*l.VCPU), time.Millisecond)
	c := &cgroupLimiter{parent: parent, dir: dir, quota: quota, period: l.Period}
	if err := c.write("cpu.cfs_period_us", l.Period); err != nil {
		c.release()
		return nil, err
	}
	if err := c.write("cpu.cfs_quota_us", quota); err != nil {
		c.release()
		return nil, err
	}
	return c, nil
}

// removeStaleOnce runs removeStale once per process.
var removeStaleOnce sync.Once

// removeStale removes the cgroups that processes no longer running left in parent (killed
// before they could remove them). The kernel refuses to remove a cgroup with a task in it,
// so a cgroup still in use stays whatever this finds.
func removeStale(parent string) {
	dirs, _ := filepath.Glob(filepath.Join(parent, "lambdaruntime-*-*"))
	for _, d := range dirs {
		pid := strings.Split(filepath.Base(d), "-")[1]
		if _, err := os.Stat(filepath.Join("/proc", pid)); errors.Is(err, os.ErrNotExist) {
			_ = os.Remove(d)
		}
	}
}

func (c *cgroupLimiter) write(file string, d time.Duration) error {
	if err := os.WriteFile(filepath.Join(c.dir, file), []byte(strconv.FormatInt(d.Microseconds(), 10)), 0); err != nil {
		return fmt.Errorf("cgroup v1 cpu: %w", err)
	}
	return nil
}

// start forks the process from a thread that has joined the cgroup first: in cgroup v1
// membership is per thread and a child starts in its forking thread's cgroup, so the
// quota holds from the process's first instruction (moving it in after the start would
// let the beginning of its init run unlimited). The thread then goes back to this
// process's cgroup before the Go scheduler may use it again; should that fail, it stays
// locked to its goroutine, which ends it (or, for the main thread, parks it for good).
// The same thread switch is why the process gets no Pdeathsig: it is tied to the thread
// that forked.
func (c *cgroupLimiter) start(cmd *exec.Cmd) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		tid := []byte(strconv.Itoa(syscall.Gettid()))
		if err := os.WriteFile(filepath.Join(c.dir, "tasks"), tid, 0); err != nil {
			errc <- fmt.Errorf("cgroup v1 cpu: join %s: %w", c.dir, err)
			return
		}
		err := cmd.Start()
		if os.WriteFile(filepath.Join(c.parent, "tasks"), tid, 0) == nil {
			runtime.UnlockOSThread()
		}
		errc <- err
	}()
	return <-errc
}

// release removes the cgroup, which the kernel allows once no task is left in it: the
// forking thread may take a moment to end.
func (c *cgroupLimiter) release() {
	for range 50 {
		if err := os.Remove(c.dir); err == nil || errors.Is(err, os.ErrNotExist) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (c *cgroupLimiter) describe() string {
	return fmt.Sprintf("cgroup v1 CFS quota (%s of CPU per %s, %s)", c.quota, c.period, c.dir)
}

// ownCgroup is the directory of this process's cgroup in the v1 hierarchy mounted at
// mount, which the new cgroups nest in so that whatever limits this process also limits
// them.
func ownCgroup(mount string) (string, error) {
	if _, err := os.Stat(filepath.Join(mount, "cpu.cfs_quota_us")); err != nil {
		return "", fmt.Errorf("cgroup v1 cpu controller not found at %s: %w", mount, err)
	}
	f, err := os.Open("/proc/self/cgroup")
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// hierarchy-ID:controller-list:path, e.g. "4:cpu,cpuacct:/user.slice".
		parts := strings.SplitN(sc.Text(), ":", 3)
		if len(parts) == 3 && slices.Contains(strings.Split(parts[1], ","), "cpu") {
			return filepath.Join(mount, parts[2]), nil
		}
	}
	return "", fmt.Errorf("cgroup v1 cpu: this process is in no cpu cgroup (/proc/self/cgroup)")
}

// signalLimiter is MechanismSignals.
type signalLimiter struct {
	run, period time.Duration
	// fallback says why the cgroup was not used, when it was MechanismAuto's choice.
	fallback string
	done     chan struct{}
	stopped  chan struct{}
	once     sync.Once
}

func newSignalLimiter(l CPULimit, fallback string) *signalLimiter {
	return &signalLimiter{
		run:      max(time.Duration(float64(l.Period)*min(l.VCPU, 1)), 100*time.Microsecond),
		period:   l.Period,
		fallback: fallback,
		done:     make(chan struct{}),
		stopped:  make(chan struct{}),
	}
}

func (s *signalLimiter) start(cmd *exec.Cmd) error {
	if err := cmd.Start(); err != nil {
		close(s.stopped)
		return err
	}
	go s.cycle(cmd.Process)
	return nil
}

// cycle lets the process run for its share of each period and stops it for the rest,
// until release. It always leaves the process running, so that it can be killed and
// reaped. os.Process signals through a pidfd, so a signal can never reach another
// process that got the PID after this one was reaped; it fails instead, and the cycle ends.
func (s *signalLimiter) cycle(p *os.Process) {
	defer close(s.stopped)
	if s.run >= s.period {
		<-s.done
		return
	}
	for {
		select {
		case <-s.done:
			return
		case <-time.After(s.run):
		}
		if p.Signal(syscall.SIGSTOP) != nil {
			return
		}
		select {
		case <-s.done:
			_ = p.Signal(syscall.SIGCONT)
			return
		case <-time.After(s.period - s.run):
		}
		if p.Signal(syscall.SIGCONT) != nil {
			return
		}
	}
}

// resume ends the duty cycle and leaves the process running; Function.Stop calls it
// before it kills the process, so that a stopped process can take the signal at once.
func (s *signalLimiter) resume() {
	s.once.Do(func() { close(s.done) })
	<-s.stopped
}

func (s *signalLimiter) release() { s.resume() }

func (s *signalLimiter) describe() string {
	d := fmt.Sprintf("SIGSTOP/SIGCONT duty cycle (runs %s of every %s)", s.run, s.period)
	if s.fallback != "" {
		d += "; cgroup not used: " + s.fallback
	}
	return d
}
