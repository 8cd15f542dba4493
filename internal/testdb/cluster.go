package testdb

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// Cluster is a throwaway PostgreSQL server of a test's own, for tests that
// stop or restart the database. It never touches the shared server.
type Cluster struct {
	t    testing.TB
	dir  string
	port int
	bin  string
	as   []string // run as this user (initdb refuses root)
}

// StartCluster initialises and starts a cluster in a temporary directory on
// a free port, stopped and removed when the test ends.
func StartCluster(t testing.TB) *Cluster {
	t.Helper()
	initdb, err := exec.LookPath("initdb")
	if err != nil {
		matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
		if len(matches) == 0 {
			t.Fatal("initdb not found: install the PostgreSQL server (see README)")
		}
		initdb = matches[len(matches)-1]
	}
	if real, err := filepath.EvalSymlinks(initdb); err == nil {
		initdb = real
	}
	c := &Cluster{t: t, bin: filepath.Dir(initdb)}
	dir, err := os.MkdirTemp("", "scouter-pg-")
	if err != nil {
		t.Fatal(err)
	}
	c.dir = dir
	t.Cleanup(func() { os.RemoveAll(dir) })
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatal("running as root needs a postgres user for initdb")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		os.Chown(dir, uid, gid)
		c.as = []string{"runuser", "-u", "postgres", "--"}
	}
	c.port = freePort(t)
	c.run("initdb", "-D", c.data(), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
	c.Start()
	t.Cleanup(func() { c.run("pg_ctl", "-D", c.data(), "-m", "immediate", "-w", "stop") })
	return c
}

func (c *Cluster) data() string { return filepath.Join(c.dir, "data") }

// DSN is the URL of the cluster's postgres database.
func (c *Cluster) DSN() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

// Start starts the server and waits until it accepts connections.
func (c *Cluster) Start() {
	c.run("pg_ctl", "-D", c.data(), "-l", filepath.Join(c.dir, "server.log"), "-w",
		"-o", fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off", c.port, c.dir), "start")
}

// Stop stops the server, disconnecting every client.
func (c *Cluster) Stop() { c.run("pg_ctl", "-D", c.data(), "-m", "fast", "-w", "stop") }

func (c *Cluster) run(name string, args ...string) {
	c.t.Helper()
	argv := append(append(append([]string(nil), c.as...), filepath.Join(c.bin, name)), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = c.dir
	if out, err := cmd.CombinedOutput(); err != nil {
		c.t.Fatalf("%s: %v\n%s", name, err, out)
	}
}

func freePort(t testing.TB) int {
	for range 20 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		time.Sleep(10 * time.Millisecond)
		return port
	}
	t.Fatal("no free port")
	return 0
}
