// Package dashboard serves a live web view of one study: an overview, a
// trials table, a page per trial and charts (optimization history,
// parallel coordinates, slices, learning curves, intermediate values,
// hyperparameter importance and, for several objectives, the Pareto
// front).
//
// Rules:
//
//   - Read-only. The server reads a Source (the read half of a
//     trials.Store) and has no route that changes anything: every route is
//     GET, and any other method is refused.
//   - Nothing waits for the source on a request. A background loop reads
//     the whole source when it changed (Versioned.Version moved, or
//     Server.Notify was called), at most once per Options.Reload, into an
//     immutable snapshot; requests answer from the newest snapshot, and
//     what is derived from it (history, points, importance) is computed
//     once per snapshot. So 10,000 trials cost one read per change, not
//     one per request, and a page never slows a search.
//   - Offline and self-contained: pages are html/template files, and
//     scripts, styles and the chart library (Apache ECharts, vendored from
//     its npm package with its licence) are embedded; static files are
//     served only from that embedded set.
//   - Every user string (hyperparameter names and values, errors, file
//     names) reaches a page through html/template, the DOM's textContent,
//     or an escaping tooltip formatter; the Content-Security-Policy allows
//     only the embedded scripts.
//
// # JSON API
//
// Every answer is JSON; errors are {"error": "..."} with a 4xx status.
//
//	GET /api/study            overview: objective, objectives, oracle, pruner, seed,
//	                          params [{name, kind, log, min, max, categories, condition}],
//	                          metrics, counts by status, total, max_trials, best (a row),
//	                          started, elapsed_seconds, eta_seconds, running,
//	                          study_file, version, read, stale (why data may be old)
//	GET /api/trials           one page of the trials table:
//	                          ?sort=COLUMN&order=asc|desc&status=completed,pruned
//	                          &range=COLUMN:LOW:HIGH (repeatable; a bound may be empty)
//	                          &offset=0&limit=50 (at most 1000); COLUMN is id, status,
//	                          score, best_epoch, epochs, seconds, started, param:NAME or
//	                          metric:NAME; rows without a value sort last.
//	                          → {total, matched, offset, limit, rows: [{id, status, score,
//	                          best_epoch, epochs, seconds, started, error, values, metrics}]}
//	GET /api/trials/{id}      one trial as stored, without its raw history, plus
//	                          seconds, children (trials continuing it), metric_names,
//	                          best_metrics and curve {epochs (1-based), values: {metric: [...]}}
//	GET /api/trials/{id}/checkpoint   the checkpoint bytes, or 404
//	GET /api/history          [{id, score, best}] for completed trials, best so far included
//	GET /api/points           {objective, objectives, params, trials: [{id, score, values
//	                          (in params order, null where inactive), objectives, front}]}
//	GET /api/curves?ids=1,2&metrics=loss,val_loss   {metrics, trials: [curve]}
//	GET /api/intermediate     {metric, trials: [curve]}: running, pruned and stopped trials
//	                          (the newest 300)
//	GET /api/importance       {method: "PED-ANOVA", importances: [{name, importance,
//	                          divergence}], reason (why none)}
//	GET /api/version          {version, stale}
//	GET /api/events           text/event-stream: "version" events, at once and after
//	                          every change
//
// Numbers that are NaN or infinite are null.
//
// # Multi-objective studies
//
// A study with several objectives names them in Options.Objectives (the
// study's own objective among them), or leaves it empty to take the
// study record's Objectives; the points then carry each trial's
// objective values, read from its score and its metrics at the best epoch,
// and the Pareto page draws the front of the first two.
package dashboard
