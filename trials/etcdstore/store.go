package etcdstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/tunekit/tune/hp"
	"github.com/tunekit/tune/trials"
)

// DefaultTTL is the lease of a worker when Options.TTL is zero: a worker
// that stops renewing it for that long loses its trials to the others.
const DefaultTTL = 10 * time.Second

// DefaultEpochInterval is Options.EpochInterval's default: what a reader
// elsewhere (the dashboard, tune show) waits at most for a running trial's
// epochs, and at most one write a second for a trial of quick epochs.
const DefaultEpochInterval = time.Second

// opTimeout bounds one store call, so that a lost cluster fails a call
// instead of hanging the worker.
const opTimeout = 30 * time.Second

// Options configure New.
type Options struct {
	// Endpoints are the etcd members' client URLs.
	Endpoints []string
	// Prefix is the key prefix of the study, such as "/tune/mnist".
	Prefix string
	// TTL is this worker's lease; zero means DefaultTTL. etcd rounds it
	// up to whole seconds.
	TTL time.Duration
	// Worker names this worker in its claims and its trials
	// (Trial.Worker); empty means trials.DefaultWorker, host-pid.
	Worker string
	// MaxTrials, when positive, is enforced inside Create's transaction:
	// racing workers never make more trials than that.
	MaxTrials int
	// MaxAttempts, when positive, fails instead of requeueing a trial
	// whose worker died during its MaxAttempts-th attempt.
	MaxAttempts int
	// DialTimeout bounds connecting to the cluster; zero means 5 s.
	DialTimeout time.Duration
	// EpochInterval is how long a reported epoch may wait to be written
	// with the trial's next write (see AppendEpoch); zero means
	// DefaultEpochInterval, negative writes every epoch at once.
	EpochInterval time.Duration
	// ReadOnly opens the study for reading: no lease is taken, no trial
	// is requeued, and every change fails with trials.ErrReadOnly.
	ReadOnly bool
}

// Store is a trials.Store kept in etcd. Each Store is one worker with its
// own lease; it is safe for concurrent use.
type Store struct {
	cli    *clientv3.Client
	p      string
	o      Options
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	closed sync.Once

	scans atomic.Int64 // full loads of the view
	v     view

	mu    sync.Mutex
	lease clientv3.LeaseID
	// The sequence key as this worker last saw it, for Create.
	seq      int
	seqRev   int64
	seqKnown bool
	claims   map[int]*claim // the trials this worker runs
	// lastWrite is the revision of this worker's last write in the
	// view's range: it decides from a view that holds it.
	lastWrite int64
}

var _ trials.Store = (*Store)(nil)

// OpenURL opens the study named by etcd://host:port[,host:port…]/prefix;
// opts may be nil, and its Endpoints and Prefix are taken from the URL.
func OpenURL(u string, opts *Options) (*Store, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	var err error
	if o.Endpoints, o.Prefix, err = ParseURL(u); err != nil {
		return nil, err
	}
	return New(o)
}

// New connects to the cluster, checks the study's format version (writing
// it for a new study), takes a lease and starts watching for trials whose
// worker died.
func New(o Options) (*Store, error) {
	return newStore(o, true)
}

// newStore is New, with the watch on claims or without (for tests that
// start their own).
func newStore(o Options, watch bool) (*Store, error) {
	if o.TTL == 0 {
		o.TTL = DefaultTTL
	}
	if o.DialTimeout == 0 {
		o.DialTimeout = 5 * time.Second
	}
	if o.Worker == "" {
		o.Worker = trials.DefaultWorker()
	}
	if len(o.Endpoints) == 0 || o.Prefix == "" {
		return nil, fmt.Errorf("%w: no endpoints or no prefix", ErrURL)
	}
	// The client's own log would repeat, on stderr, what the errors
	// returned say.
	cli, err := clientv3.New(clientv3.Config{Endpoints: o.Endpoints, DialTimeout: o.DialTimeout, Logger: zap.NewNop()})
	if err != nil {
		return nil, fmt.Errorf("etcd %v: %w", o.Endpoints, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Store{cli: cli, p: o.Prefix, o: o, ctx: ctx, cancel: cancel, claims: map[int]*claim{}}
	if err := s.init(); err != nil {
		cancel()
		_ = cli.Close()
		return nil, err
	}
	if o.ReadOnly {
		return s, nil
	}
	s.wg.Add(1)
	go s.keepAlive()
	rev, err := s.load()
	if err != nil {
		_ = s.Close()
		return nil, err
	}
	if watch {
		s.wg.Add(1)
		go s.follow(rev)
	}
	return s, nil
}

func (s *Store) op() (context.Context, context.CancelFunc) {
	return context.WithTimeout(s.ctx, opTimeout)
}

func (s *Store) etcdErr(what string, err error) error {
	return fmt.Errorf("etcd %s%s: %s: %w", s.o.Endpoints[0], s.p, what, err)
}

func (s *Store) corrupt(what string, err error) error {
	return fmt.Errorf("etcd %s: %s: %w: %w", s.p, what, trials.ErrCorrupt, err)
}

// init writes the format version of a new study or checks an existing
// one's, then grants the lease (unless read-only).
func (s *Store) init() error {
	ctx, cancel := s.op()
	defer cancel()
	k := s.p + "/schema"
	write := clientv3.OpPut(k, strconv.Itoa(trials.SchemaVersion))
	if s.o.ReadOnly {
		write = clientv3.OpGet(k, clientv3.WithKeysOnly())
	}
	resp, err := s.cli.Txn(ctx).
		If(clientv3.Compare(clientv3.CreateRevision(k), "=", 0)).
		Then(write).
		Else(clientv3.OpGet(k)).Commit()
	if err != nil {
		return s.etcdErr("open", err)
	}
	if !resp.Succeeded {
		v := string(resp.Responses[0].GetResponseRange().Kvs[0].Value)
		n, err := strconv.Atoi(v)
		if err != nil {
			return s.corrupt("format version", err)
		}
		if n != trials.SchemaVersion {
			return fmt.Errorf("etcd %s: store format version %d, this version of tune reads version %d: %w",
				s.p, n, trials.SchemaVersion, trials.ErrSchema)
		}
	}
	if s.o.ReadOnly {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.grant()
}

// writable fails with trials.ErrReadOnly on a read-only store.
func (s *Store) writable() error {
	if s.o.ReadOnly {
		return fmt.Errorf("etcd %s: %w", s.p, trials.ErrReadOnly)
	}
	return nil
}

// grant takes a new lease; s.mu is held.
func (s *Store) grant() error {
	ctx, cancel := s.op()
	defer cancel()
	secs := int64((s.o.TTL + time.Second - 1) / time.Second)
	l, err := s.cli.Grant(ctx, secs)
	if err != nil {
		return s.etcdErr("lease", err)
	}
	s.lease = l.ID
	return nil
}

// renew replaces lease old, found lost, by a new one, unless that was done
// already.
func (s *Store) renew(old clientv3.LeaseID) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lease != old {
		return nil
	}
	return s.grant()
}

// keepAlive renews the lease until Close. When the lease is lost (this
// process was stopped past its TTL, or the cluster was unreachable that
// long), the trials it claimed are gone to other workers, and a new lease
// is granted for the next claims.
func (s *Store) keepAlive() {
	defer s.wg.Done()
	for s.ctx.Err() == nil {
		l := s.currentLease()
		if ch, err := s.cli.KeepAlive(s.ctx, l); err == nil {
			for range ch {
			}
		}
		// The stream also ends when a member goes down or a leader
		// changes; the lease, and the claims under it, may well live on.
		if live, err := s.alive(l); err != nil || live {
			select {
			case <-time.After(100 * time.Millisecond):
			case <-s.ctx.Done():
			}
			continue
		}
		for s.ctx.Err() == nil && s.renew(l) != nil {
			select {
			case <-time.After(time.Second):
			case <-s.ctx.Done():
			}
		}
	}
}

// alive reports whether lease l still runs.
func (s *Store) alive(l clientv3.LeaseID) (bool, error) {
	if s.ctx.Err() != nil {
		return false, s.ctx.Err()
	}
	ctx, cancel := context.WithTimeout(s.ctx, s.o.TTL)
	defer cancel()
	var resp *clientv3.LeaseTimeToLiveResponse
	err := retry(ctx, func() (err error) {
		resp, err = s.cli.TimeToLive(ctx, l)
		return err
	})
	if err != nil {
		return false, err
	}
	return resp.TTL > 0, nil
}

// Worker returns the name this worker gives its claims.
func (s *Store) Worker() string { return s.o.Worker }

// Close stops the watch, revokes the lease, so that the trials this worker
// still runs go back to the queue at once, and disconnects.
func (s *Store) Close() error {
	var err error
	s.closed.Do(func() { err = s.close() })
	return err
}

func (s *Store) close() error {
	s.mu.Lock()
	l := s.lease
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
	if !s.o.ReadOnly {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		// A failed revoke costs only time: the lease expires by itself,
		// and its trials requeue then.
		_, _ = s.cli.Revoke(ctx, l)
	}
	if err := s.cli.Close(); err != nil {
		return s.etcdErr("close", err)
	}
	return nil
}

func (s *Store) studyKey() string          { return s.p + "/study" }
func (s *Store) seqKey() string            { return s.p + "/seq" }
func (s *Store) trialPrefix() string       { return s.p + "/trial/" }
func (s *Store) claimPrefix() string       { return s.p + "/claim/" }
func (s *Store) ckptPrefix() string        { return s.p + "/ckpt/" }
func (s *Store) chunkPrefix() string       { return s.p + "/chunk/" }
func (s *Store) trialKey(id int) string    { return fmt.Sprintf("%s%010d", s.trialPrefix(), id) }
func (s *Store) claimKey(id int) string    { return fmt.Sprintf("%s%010d", s.claimPrefix(), id) }
func (s *Store) ckptKey(id int) string     { return fmt.Sprintf("%s%010d", s.ckptPrefix(), id) }
func (s *Store) chunksOf(id int) string    { return fmt.Sprintf("%s%010d/", s.chunkPrefix(), id) }
func noTrial(id int) error                 { return fmt.Errorf("trial %d: %w", id, trials.ErrNoTrial) }
func claimLost(id int) error               { return fmt.Errorf("trial %d: %w", id, ErrClaimLost) }
func now() time.Time                       { return time.Now().UTC() }
func idOf(key, prefix string) (int, error) { return strconv.Atoi(key[len(prefix):]) }

// Study returns the stored definition, or an error wrapping ErrNoStudy.
func (s *Store) Study() (*trials.StudyRecord, error) {
	ctx, cancel := s.op()
	defer cancel()
	resp, err := s.get(ctx, s.studyKey())
	if err != nil {
		return nil, s.etcdErr("study", err)
	}
	if len(resp.Kvs) == 0 {
		return nil, fmt.Errorf("etcd %s: %w", s.p, trials.ErrNoStudy)
	}
	st, err := trials.DecodeStudy(resp.Kvs[0].Value)
	if err != nil {
		return nil, s.corrupt("study", err)
	}
	return st, nil
}

// PutStudy stores st, replacing any previous definition; trials stay.
// The hyperparameters of the stored space that st lacks are kept: workers
// sharing the study grow its space each from what it has seen, and one
// that read the study before another grew it must not drop what the other
// found. The write is a compare on the study's revision, retried on a
// concurrent one.
func (s *Store) PutStudy(st *trials.StudyRecord) error {
	if err := s.writable(); err != nil {
		return err
	}
	if st == nil {
		return errors.New("etcdstore: PutStudy: nil study")
	}
	key := s.studyKey()
	for {
		ctx, cancel := s.op()
		err := s.putStudyOnce(ctx, key, st)
		cancel()
		if !errors.Is(err, errStudyChanged) {
			return err
		}
	}
}

// errStudyChanged tells PutStudy that another writer stored the study
// between its read and its write.
var errStudyChanged = errors.New("etcdstore: study changed concurrently")

// putStudyOnce is one read and compared write of PutStudy.
func (s *Store) putStudyOnce(ctx context.Context, key string, st *trials.StudyRecord) error {
	resp, err := s.get(ctx, key)
	if err != nil {
		return s.etcdErr("study", err)
	}
	cond := clientv3.Compare(clientv3.CreateRevision(key), "=", 0)
	next := st
	if len(resp.Kvs) > 0 {
		cond = clientv3.Compare(clientv3.ModRevision(key), "=", resp.Kvs[0].ModRevision)
		if stored, err := trials.DecodeStudy(resp.Kvs[0].Value); err == nil && stored.Space != nil {
			merged := *st
			if merged.Space, err = keepStoredParams(st.Space, stored.Space); err != nil {
				return err
			}
			next = &merged
		}
	}
	data, err := json.Marshal(next)
	if err != nil {
		return fmt.Errorf("encoding study: %w", err)
	}
	tr, err := s.cli.Txn(ctx).If(cond).Then(clientv3.OpPut(key, string(data))).Commit()
	if err != nil {
		return s.etcdErr("study", err)
	}
	if !tr.Succeeded {
		return errStudyChanged
	}
	s.noteWrite(tr.Header.Revision)
	return nil
}

// keepStoredParams returns space with the hyperparameters of stored that
// it lacks added after its own.
func keepStoredParams(space, stored *hp.Space) (*hp.Space, error) {
	out := &hp.Space{}
	if space != nil {
		out = space.Clone()
	}
	for _, p := range stored.Params() {
		if _, ok := out.Param(p.Name); ok {
			continue
		}
		if err := out.Add(p); err != nil {
			return nil, fmt.Errorf("etcdstore: study space: %w", err)
		}
	}
	return out, nil
}

// Reset deletes every trial, claim, checkpoint and queued value set and stores st, in one
// transaction; ids start again at 1. Workers still running trials of the
// old study lose their claims.
func (s *Store) Reset(st *trials.StudyRecord) error {
	if err := s.writable(); err != nil {
		return err
	}
	if st == nil {
		return errors.New("etcdstore: Reset: nil study")
	}
	data, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("encoding study: %w", err)
	}
	ctx, cancel := s.op()
	defer cancel()
	ops := []clientv3.Op{clientv3.OpDelete(s.seqKey()), clientv3.OpPut(s.studyKey(), string(data))}
	for _, p := range []string{s.trialPrefix(), s.claimPrefix(), s.ckptPrefix(), s.chunkPrefix(), s.queuePrefix()} {
		ops = append(ops, clientv3.OpDelete(p, clientv3.WithPrefix()))
	}
	resp, err := s.cli.Txn(ctx).Then(ops...).Commit()
	if err != nil {
		return s.etcdErr("reset", err)
	}
	s.noteWrite(resp.Header.Revision)
	s.mu.Lock()
	gone := slices.Collect(maps.Values(s.claims))
	clear(s.claims)
	s.mu.Unlock()
	for _, c := range gone {
		c.mu.Lock()
		c.drop()
		c.mu.Unlock()
	}
	return nil
}
