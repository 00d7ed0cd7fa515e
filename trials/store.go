package trials

import (
	"encoding/json"
	"time"

	"github.com/tunekit/tune/goal"
	"github.com/tunekit/tune/hp"
)

// SchemaVersion is the version of the on-disk format this package writes.
// A store with another version is refused with ErrSchema.
const SchemaVersion = 2

// StudyRecord is the definition of a study, stored once and updated on resume.
type StudyRecord struct {
	Objective goal.Objective `json:"objective"`
	// Objectives, in a multi-objective study, are every objective, the
	// first equal to Objective.
	Objectives []goal.Objective `json:"objectives,omitempty"`
	// Oracle names the search algorithm; OracleConfig holds its settings as
	// the oracle package encodes them.
	Oracle       string          `json:"oracle"`
	OracleConfig json.RawMessage `json:"oracle_config,omitempty"`
	Seed         int64           `json:"seed"`
	Space        *hp.Space       `json:"space"`
	// Entries, when set, predefine hyperparameters for every build of the
	// study (Keras Tuner's hyperparameters=, tune_new_entries and
	// allow_new_entries); rebuilding a trial's model applies them too.
	Entries *hp.Entries `json:"entries,omitempty"`
	// Config is free-form: the CLI keeps its study file here.
	Config json.RawMessage `json:"config,omitempty"`
	// WarmStart, when set, holds the trials of other studies that seed
	// the oracle: not this study's trials, read once when it was created.
	WarmStart *WarmStart `json:"warm_start,omitempty"`
	Created   time.Time  `json:"created"`
}

// Result is how a trial ended.
type Result struct {
	Status    Status
	Score     *float64
	BestEpoch int
	Metrics   map[string]float64
	Error     string
	// Values, when not nil, replace the trial's values: a trial that
	// reached hyperparameters unknown when it was created ran with their
	// defaults, and the record must say so.
	Values hp.Values
	// DropCheckpoints are trials (this one among them, or not) whose
	// checkpoints are deleted in the same transaction: checkpoint
	// retention, deciding as the trial ends which checkpoints are no
	// longer needed. Ids without a checkpoint are skipped.
	DropCheckpoints []int
}

// Store keeps a study and its trials. Every method that changes something
// is atomic. Implementations are safe for concurrent use.
type Store interface {
	// Study returns the stored definition, or ErrNoStudy.
	Study() (*StudyRecord, error)
	// PutStudy stores the definition, replacing any previous one; it does
	// not touch trials.
	PutStudy(s *StudyRecord) error
	// Reset deletes every trial and checkpoint and stores s. It starts a
	// new study: trial ids start again at 1.
	Reset(s *StudyRecord) error

	// Create stores t as a new Running trial with the next id and the
	// current time as Started, and returns the stored copy.
	Create(t *Trial) (*Trial, error)
	// Propose calls propose with every trial and creates, as Create does,
	// the trial it returns, such that no trial was created by anyone
	// between the read and the create: proposals made from the same
	// history never both land. propose may be called more than once (after
	// losing a race) and must not have side effects; when it returns nil,
	// or an error, nothing is created and Propose returns the same.
	// history may be the store's own: propose must not change it or its
	// trials, nor keep the slice.
	Propose(propose func(history []*Trial) (*Trial, error)) (*Trial, error)
	// Enqueue adds v to the queue of user-given values. The next fresh
	// trial (no Parent, InitialEpoch 0) that Propose creates takes the
	// oldest queued values instead of the proposed ones, with Enqueued
	// set, and the same transaction removes them from the queue: each
	// queued set runs exactly once, however many workers propose. Create
	// does not read the queue; Reset empties it.
	Enqueue(v hp.Values) error
	// Queued returns the queued values, oldest first.
	Queued() ([]hp.Values, error)
	// Claim moves the lowest-id Pending trial to Running, with Attempt
	// incremented, its history, score and error cleared, its checkpoint
	// (from the interrupted attempt) deleted and Started reset.
	// ok is false when no trial is pending.
	Claim() (t *Trial, ok bool, err error)
	// AppendEpoch adds one epoch's metrics to a Running trial.
	AppendEpoch(id int, e Epoch) error
	// Finish records the end of a Running trial. Status must be final.
	Finish(id int, r Result) error
	// Requeue moves a Running trial back to Pending (to run again with the
	// same values), keeping reason as its Error.
	Requeue(id int, reason string) error
	// RequeueRunning requeues every Running trial: after a crash, those
	// were interrupted. It returns how many.
	RequeueRunning() (int, error)

	// Trial returns one trial, or an error wrapping ErrNoTrial.
	Trial(id int) (*Trial, error)
	// Trials returns every trial in id order.
	Trials() ([]*Trial, error)

	// PutCheckpoint stores the best-epoch weights of a trial.
	PutCheckpoint(id int, data []byte) error
	// Checkpoint returns them, or an error wrapping ErrNoCheckpoint.
	Checkpoint(id int) ([]byte, error)

	Close() error
}
