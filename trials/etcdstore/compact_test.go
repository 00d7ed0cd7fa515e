package etcdstore_test

import (
	"context"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/tunekit/tune/trials"
	"github.com/tunekit/tune/trials/etcdstore"
	"github.com/tunekit/tune/trials/etcdstore/etcdtest"
)

// A watch resuming from a compacted revision (etcd answers ErrCompacted)
// rescans everything, requeueing the trial whose claim vanished in the
// compacted history, and watches again: the next dead worker's trial is
// requeued by the new watch, without another scan.
func TestWatchSurvivesCompaction(t *testing.T) {
	c := etcdtest.Start(t, 1)
	admin, err := clientv3.New(clientv3.Config{Endpoints: c.Endpoints()})
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	ctx := context.Background()
	o := etcdstore.Options{Endpoints: c.Endpoints(), Prefix: "/tune/compacted", TTL: time.Second}
	reaper, err := etcdstore.NewUnwatched(o)
	if err != nil {
		t.Fatal(err)
	}
	defer reaper.Close()
	head, err := admin.Get(ctx, "/tune/compacted/none")
	if err != nil {
		t.Fatal(err)
	}
	from := head.Header.Revision

	// A worker dies running trial 1; its claim goes with its lease.
	dead := open(t, c, o)
	if _, err := dead.Create(&trials.Trial{}); err != nil {
		t.Fatal(err)
	}
	dead.Crash()
	waitNoClaims(t, admin)
	// The history of that is compacted away.
	now, err := admin.Get(ctx, "/tune/compacted/none")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Compact(ctx, now.Header.Revision); err != nil {
		t.Fatal(err)
	}
	if tr, err := reaper.Trial(1); err != nil || tr.Status != trials.Running {
		t.Fatalf("before the watch: %+v, %v", tr, err)
	}
	scans := reaper.Scans()
	reaper.WatchFrom(from)
	waitStatus(t, reaper, 1, trials.Pending, 5*time.Second)
	if n := reaper.Scans() - scans; n != 1 {
		t.Errorf("%d scans after the compacted watch, want 1", n)
	}

	// The watch runs again: the next death is seen as an event.
	dead = open(t, c, o)
	if _, err := dead.Create(&trials.Trial{}); err != nil {
		t.Fatal(err)
	}
	dead.Crash()
	waitStatus(t, reaper, 2, trials.Pending, 10*time.Second)
	if n := reaper.Scans() - scans; n != 1 {
		t.Errorf("%d scans in all, want the 1 after the compaction: trial 2 was not requeued by the watch", n)
	}
}

// waitNoClaims waits until no claim is left under the test's prefix.
func waitNoClaims(t *testing.T, cli *clientv3.Client) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := cli.Get(context.Background(), "/tune/compacted/claim/", clientv3.WithPrefix(), clientv3.WithCountOnly())
		if err == nil && resp.Count == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("claims left 10 s after their worker died")
}
