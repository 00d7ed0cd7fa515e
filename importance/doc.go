// Package importance measures how much each hyperparameter matters to a
// study's objective.
//
// It implements PED-ANOVA (Watanabe, Bansal and Hutter, "PED-ANOVA:
// Efficiently Quantifying Hyperparameter Importance in Arbitrary
// Subspaces", IJCAI 2023). The importance of a hyperparameter is the
// Pearson divergence between two marginal densities of its values: the
// density among the best trials (the top Quantile, 10% by default) and the
// density among all of them. A hyperparameter whose good values are spread
// like all of its values does not matter; one whose good values gather in
// a narrow part of its range does. The divergences are reported as shares
// that sum to 1, and raw.
//
// Why PED-ANOVA and not fANOVA (Hutter, Hoos and Leyton-Brown 2014):
// fANOVA fits a random forest and integrates its trees over every subset
// of dimensions, which takes seconds to minutes on thousands of trials
// and needs a forest implementation; PED-ANOVA is closed form, costs
// O(trials × hyperparameters × grid) and answers a question users ask
// ("what do the good trials have in common?"), so the dashboard can
// recompute it after every trial of a 10,000-trial study.
//
// Rules of this implementation:
//
//   - Values are read on the space's unit-interval encoding (hp.Param.ToUnit),
//     so a log-sampled hyperparameter is measured in log space.
//   - A continuous range is estimated with a Gaussian kernel density
//     (Scott's bandwidth) evaluated on a grid of Options.Grid cells; a
//     stepped range with at most Grid values uses its own values as the
//     grid; a choice or boolean is a categorical distribution with a prior
//     of total weight 1 spread evenly over its values.
//   - A conditional hyperparameter has one more cell, "inactive", holding
//     the share of trials in which it had no value: a hyperparameter that
//     matters because the good trials leave it inactive is measured too.
//   - Fixed hyperparameters and ones with a single value are left out.
//   - Only trials with a finite score take part; the direction of the
//     objective decides which are best.
package importance
