package tuner

import (
	"path/filepath"
	"testing"

	"github.com/tunekit/tune/oracle"
	"github.com/tunekit/tune/trials/etcdstore"
	"github.com/tunekit/tune/trials/etcdstore/etcdtest"
)

// TestWarmStartEtcd: an etcd study is a source by its URL, and a study kept
// in etcd stores its seeds, which a worker joining it reads from there.
func TestWarmStartEtcd(t *testing.T) {
	c := etcdtest.Start(t, 1)
	open := func(prefix string) *etcdstore.Store {
		s, err := etcdstore.New(etcdstore.Options{Endpoints: c.Endpoints(), Prefix: prefix})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	dir := t.TempDir()
	search(t, bowl, Options{Objective: "loss", MaxTrials: 5, ParallelTrials: 1, Seed: 1, Store: open("/tune/src")})
	opts := func(store *etcdstore.Store, project string, warm ...string) Options {
		o := Options{Objective: "loss", Oracle: &oracle.TPE{}, MaxTrials: 2, ParallelTrials: 1, Seed: 2,
			Directory: dir, ProjectName: project, HyperParameters: braninSpace(t), WarmStart: warm}
		if store != nil {
			o.Store = store
		}
		return o
	}
	fromEtcd := search(t, bowl, opts(nil, "from_etcd", "etcd://"+c.Hosts()+"/tune/src"))
	if n := fromEtcd.WarmStart().Len(); n != 5 {
		t.Errorf("warm start from etcd: %d trials, want 5", n)
	}
	fromEtcd.Close()

	// from_etcd's own 2 trials are the source here, not its seeds.
	inEtcd := search(t, bowl, opts(open("/tune/warm"), "", filepath.Join(dir, "from_etcd")))
	if n := inEtcd.WarmStart().Len(); n != 2 {
		t.Errorf("a study in etcd warm-started from a project: %d seeds, want its 2 trials", n)
	}
	// A worker joining the study reads the seeds from the study in etcd.
	worker, err := New(ObjectiveFunc(bowl), opts(open("/tune/warm"), ""))
	if err != nil {
		t.Fatal(err)
	}
	defer worker.Close()
	if got, want := worker.WarmStart(), inEtcd.WarmStart(); got.Len() != 2 || got.Prior()[1].Values.Key() != want.Prior()[1].Values.Key() {
		t.Errorf("the worker's warm start %+v, want the study's %+v", got, want)
	}
	if len(worker.prior) != 2 {
		t.Errorf("the worker's oracle gets %d prior trials, want 2", len(worker.prior))
	}
}
