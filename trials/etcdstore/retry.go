package etcdstore

import (
	"context"
	"errors"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// transientErrors are what a cluster answers while it elects a leader or
// a member is down: another try, a moment later, may succeed.
var transientErrors = []error{
	rpctypes.ErrNoLeader, rpctypes.ErrLeaderChanged, rpctypes.ErrTimeout, rpctypes.ErrTimeoutDueToLeaderFail,
	rpctypes.ErrTimeoutDueToConnectionLost, rpctypes.ErrTimeoutWaitAppliedIndex,
}

// transient reports whether err may go away if the call is made again.
func transient(err error) bool {
	for _, e := range transientErrors {
		if errors.Is(err, e) {
			return true
		}
	}
	return status.Code(err) == codes.Unavailable
}

// pause waits before try n+1 of a call that failed transiently (50 ms,
// doubling to 1 s); it returns ctx's error once the call's time is up.
func pause(ctx context.Context, n int) error {
	d := min(50*time.Millisecond<<min(n, 5), time.Second)
	select {
	case <-time.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// retry calls fn until it succeeds, fails for good or ctx ends. fn must be
// safe to repeat: a read, or a write whose second application changes
// nothing.
func retry(ctx context.Context, fn func() error) error {
	for n := 0; ; n++ {
		err := fn()
		if err == nil || !transient(err) || pause(ctx, n) != nil {
			return err
		}
	}
}
