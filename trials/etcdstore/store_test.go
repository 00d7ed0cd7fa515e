package etcdstore_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/tunekit/tune/trials"
	"github.com/tunekit/tune/trials/etcdstore"
	"github.com/tunekit/tune/trials/etcdstore/etcdtest"
	"github.com/tunekit/tune/trials/storetest"
)

var studies atomic.Int64

// open opens a worker on a new study (a new prefix) of cluster c.
func open(t *testing.T, c *etcdtest.Cluster, o etcdstore.Options) *etcdstore.Store {
	t.Helper()
	if o.Prefix == "" {
		o.Prefix = fmt.Sprintf("/tune/study%d", studies.Add(1))
	}
	o.Endpoints = c.Endpoints()
	s, err := etcdstore.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	c := etcdtest.Start(t, 1)
	storetest.Run(t, func(t *testing.T) trials.Store {
		return open(t, c, etcdstore.Options{})
	})
}
