// Package etcdtest starts real etcd servers in-process, on loopback ports,
// for tests: one member or a cluster of several.
package etcdtest

import (
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
)

// Member is one running etcd member.
type Member struct {
	cfg *embed.Config
	e   *embed.Etcd
	// Endpoint is the member's client URL.
	Endpoint string
}

// Cluster is a set of members started together.
type Cluster struct {
	t       testing.TB
	Members []*Member
}

// Endpoints returns every member's client URL.
func (c *Cluster) Endpoints() []string {
	var out []string
	for _, m := range c.Members {
		out = append(out, m.Endpoint)
	}
	return out
}

// Hosts returns the members as host:port[,host:port…], for an etcd:// URL.
func (c *Cluster) Hosts() string {
	var out []string
	for _, m := range c.Members {
		out = append(out, strings.TrimPrefix(m.Endpoint, "http://"))
	}
	return strings.Join(out, ",")
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func mustURL(s string) url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic("etcdtest: " + err.Error())
	}
	return *u
}

// Start starts a cluster of n members in t.TempDir() and stops it when the
// test ends.
func Start(t testing.TB, n int) *Cluster {
	t.Helper()
	dir := t.TempDir()
	c := &Cluster{t: t}
	var initial []string
	for i := range n {
		cfg := embed.NewConfig()
		cfg.Name = fmt.Sprintf("m%d", i)
		cfg.Dir = filepath.Join(dir, cfg.Name)
		cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
		client := fmt.Sprintf("http://127.0.0.1:%d", freePort(t))
		peer := fmt.Sprintf("http://127.0.0.1:%d", freePort(t))
		cfg.ListenClientUrls = []url.URL{mustURL(client)}
		cfg.AdvertiseClientUrls = cfg.ListenClientUrls
		cfg.ListenPeerUrls = []url.URL{mustURL(peer)}
		cfg.AdvertisePeerUrls = cfg.ListenPeerUrls
		cfg.InitialClusterToken = "tune-test"
		initial = append(initial, cfg.Name+"="+peer)
		c.Members = append(c.Members, &Member{cfg: cfg, Endpoint: client})
	}
	for _, m := range c.Members {
		m.cfg.InitialCluster = strings.Join(initial, ",")
	}
	errc := make(chan error, n)
	for _, m := range c.Members {
		go func() { errc <- m.start() }()
	}
	for range n {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		for _, m := range c.Members {
			m.Stop()
		}
	})
	return c
}

func (m *Member) start() error {
	e, err := embed.StartEtcd(m.cfg)
	if err != nil {
		return fmt.Errorf("etcdtest: start %s: %w", m.cfg.Name, err)
	}
	select {
	case <-e.Server.ReadyNotify():
	case <-time.After(60 * time.Second):
		e.Close()
		return fmt.Errorf("etcdtest: %s not ready after 60 s", m.cfg.Name)
	}
	m.e = e
	return nil
}

// Stop stops the member; its data stay for Restart.
func (m *Member) Stop() {
	if m.e != nil {
		m.e.Close()
		m.e = nil
	}
}

// Restart starts a stopped member again on the same ports and data.
func (m *Member) Restart() error {
	m.cfg.ClusterState = embed.ClusterStateFlagExisting
	return m.start()
}

// Leader returns the member that leads the cluster, or nil.
func (c *Cluster) Leader() *Member {
	for _, m := range c.Members {
		if m.e != nil && m.e.Server.Leader() == m.e.Server.MemberID() {
			return m
		}
	}
	return nil
}
