package etcdstore

import (
	"errors"

	"github.com/tunekit/tune/trials"
)

var (
	// ErrClaimLost is trials.ErrClaimLost: this worker no longer holds the
	// trial it writes to, because its lease expired (the trial went back
	// to the queue and may be running elsewhere) or the trial was
	// requeued.
	ErrClaimLost = trials.ErrClaimLost
	// ErrMaxTrials means Create was refused because the study already has
	// Options.MaxTrials trials.
	ErrMaxTrials = errors.New("study has reached its maximum number of trials")
	// ErrURL means a store URL is not etcd://host:port[,host:port…]/prefix.
	ErrURL = errors.New("invalid etcd store URL")
)
