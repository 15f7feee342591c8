import NoiseScopeStatistics

/// What each command of `noisescope` does, what it writes and how to call it:
/// the prose of its `--help`, beside the workflows it describes so that a change
/// to what a workflow writes and to its description land in one place. A notebook
/// user can print the same text.
package enum CommandGuide {
    /// `noisescope bench`.
    package static let bench = """
        fraction_of_sgemm = model GFLOP/s ÷ the best large square sgemm rate measured in \
        the same run (before and after the models), so the figure is stable on a noisy \
        machine. Model FLOPs for tinygpt: 6·N + 6·L·T·d per token (N = parameters without \
        position embeddings). background_load says how many cores other processes used \
        while measuring.
        """

    /// `noisescope calibrate`.
    package static let calibrate = """
        The battery (docs/check.md, "The verdict"): power laws at α from 0.8 to 4 (Pareto, |SαS|, |Student t|, \
        Fréchet, Burr, inverse gamma, generalised Pareto, log-gamma), tails with no power law (lognormal, \
        Weibull, gamma, exponential, half-normal, χ norms), a light body with a 5 % power-law tail, and \
        norms of many α-stable coordinates. Each case is drawn with GSL at each --sizes n for --seeds \
        seeds (same seed, same table) and given to the verdict alone (no goodness-of-fit bootstrap).
        That is the battery the rule was tuned on. --battery held-out runs the families of its first \
        held-out test (AR(1) and GARCH series, power laws with cutoffs, shifted and mixed power laws, \
        heavier lognormals, Student-t norms, an outlier cluster), which the rule was re-tuned on \
        after that test; --battery held-out-2 (log-logistic, Pareto × |Gaussian|, stochastic-volatility \
        and max-autoregressive series, uniform, |logistic|, new cutoffs, shifts, mixtures, norms) was \
        the second test, --battery held-out-3 (Dagum, Lévy, Exp × Pareto, MA(1) series, |Gumbel|, \
        beta, new cutoffs, shifts, mixtures, norms) the third, and --battery held-out-4 (new \
        parameters of every kind) is the newest: the error rates to expect on unseen tails.
        Each table also scores the verdicts against the truth within the reach of n draws: a thin \
        power law above a light body, or a cutoff, that fewer than 3.5 of the n draws are expected \
        to show is judged by what the draws show (docs/check.md).
        A benchmark of correctness, not a timed test: n = 10⁵ takes minutes.
        Examples:
          noisescope calibrate --sizes 1000,10000 --seeds 8
          noisescope calibrate --battery held-out-4 --sizes 10000,100000 --seeds 12
          noisescope calibrate --json > calibration.json
        """

    /// `noisescope check`.
    package static let check = """
        Reads positive samples (e.g. gradient-noise norms ‖g_B − ∇f‖ logged from a \
        training run) and gives a verdict on the tail index α of P(X > x) ~ x^-α:
        \(TailVerdict.allCases.map { "- \($0.rawValue): \($0.meaning())." }.joined(separator: "\n"))
        The verdict reads the reduced-bias Hill estimate (Caeiro, Gomes & Pestana
        2005) at the largest k where it is stable, an interval that allows for its
        bias, and peaks over threshold (a generalised Pareto fit to the exceedances,
        which does not move when an offset is added). Its error rates on a battery of
        known tails are in docs/check.md and from `noisescope calibrate`.
        Also reported: Hill (exact Gamma interval under a Pareto tail), Dekkers–
        Einmahl–de Haan moments, Pickands, the kernel-type estimator at that k, and
        the Clauset–Shalizi–Newman power-law fit (goodness of fit by bootstrap,
        likelihood-ratio tests against lognormal and exponential tails).
        --dependent: the samples come from one training run, in order (an
        interval by moving-block bootstrap and by 1/√θ̂ for the extremal index θ̂,
        the size floors on θ̂·n; the verdict never reads --seed). --signed: per-coordinate noise, for
        the α-stable index instead. --discrete: the samples are counts; CSN's
        discrete power law is fitted too (a note suggests it for integer data).

        Formats: plain text (one number a line), CSV/TSV (pick --column), NumPy
        .npy (1-D, or 2-D with --column), JSON lines (pick --field); inferred from
        the extension or set with --format. Several files are concatenated; "-"
        reads standard input (plain text unless --format says otherwise), streamed
        through a bounded-memory sketch so that 10⁸ values fit (see --stream).
        Examples:
          noisescope check noise_norms.npy
          noisescope check log.csv --column noise_norm --json > verdict.json
          python train.py | noisescope check - --format jsonl --field noise
        """

    /// `noisescope figure`.
    package static let figure = """
        fig1  Zhang et al. (2020) Fig. 1: tinygpt (attention) against tinygpt-noattn (the \
        ResNet stand-in) on the bundled novel: noise-norm histogram, the synthetic Gaussian \
        reference of the same dimension, variance against sample size.
        fig2  Fig. 2/5: noise-norm histograms at four points of an Adam run (steps 0, S/3, 2S/3, S) \
        for tinygpt and tinygpt-noattn: is the noise stationary over training?
        fig3  Fig. 3: SGD (momentum), GClip, CClip, Adam and ACClip on tinygpt; each at its \
        own learning rate, tuned on seed 0 over a grid that extends itself off an edge, then \
        trained on --seeds fresh seeds: final validation loss with 95 % intervals. GClip's τ \
        is the median norm of the momentum (an average of minibatch gradients) at \
        initialisation, CClip's the 0.99 quantile of its coordinates; the runs go to \
        DIR/fig3/ (as `sweep` writes them).
        fig4  Fig. 4: attention vs no attention × text vs Gaussian input: four histograms.
        fig6  Simsekli et al. (2019) Fig. 6c / appendix H: the per-coordinate noise g_B − ∇f of \
        one minibatch of tinygpt, its histogram and the log–log tail of |coordinate|.
        Each run of a model × data pair is written in full (as `measure` writes it) to \
        DIR/<model>-<data>/; the multi-panel figure goes to DIR/<figure>.svg (and .pdf, .png \
        with --figure-format svg,pdf,png, for every figure written). A pair a figure already measured \
        there with the same data, --batch, --samples, --seed and verdict rule (its figure-run.json) \
        is read back, not measured again (fig1, fig4 and fig6 share tinygpt on text); \
        --remeasure measures it anyway (do so after upgrading noisescope). Work over a minute \
        is forecast before it starts; off a terminal, progress is one stderr line every few seconds.
        """

    /// `noisescope generate`.
    package static let generate = """
        Distributions and their true tail index α:
          pareto         P(X > x) = (x/xmin)^-α           α = --alpha
          stable         symmetric α-stable, signed       for check --signed
          abs-stable     |symmetric α-stable|             α = --alpha (< 2)
          abs-student-t  |Student t|                      α = --nu
          gaussian-norm  norm of a --dimension Gaussian   light (no power law)
          exponential    mean 1                           light
          lognormal      exp(N(0, --sigma²))              all moments finite
                                                          (the hard case)
        Example:
          noisescope generate abs-student-t --nu 3 --count 100000 --seed 1 > t3.txt
        """

    /// `noisescope measure`.
    package static let measure = """
        Fixes the model (at initialisation, from --seed), computes the full gradient ∇f \
        (exactly, over every example, unless --full-batches M asks for the mean of M \
        minibatch gradients), then for N minibatches (random order, without replacement \
        within an epoch) the noise norm ‖g_B − ∇f‖, the running empirical variance \
        Var_n = (1/n) Σ ‖g_j − mean_n‖², and for the first minibatch the per-coordinate \
        noise. The noise norms go through `noisescope check`, and are compared with a \
        synthetic reference of the same dimension (√ of the mean of D squared Gaussians), \
        a Gaussian matched to their effective dimension, a Gaussian with the noise \
        covariance's sketched top eigenvalues (with --spectrum-rank r > 0), and an α-stable one.

        Writes into --out (each file atomically; Ctrl-C writes nothing):
          noise_norms.csv / .npy   one noise norm per minibatch
          variance.csv             samples, variance at log-spaced n
          coordinates.csv          g_B − ∇f of the first minibatch, one
                                   coordinate a row
          attribution.csv          the 10 largest norms example by example:
                                   each example's own noise norm and
                                   leave-one-out influence, and its text
          noise_norms_by_group.csv one column of noise norms per layer group
          summary.json             sizes, seed, the check result and
                                   verdict, the reference comparisons,
                                   the sketched covariance spectrum,
                                   grads_per_second, wall time
          measurement.svg          histogram vs reference, variance vs
                                   sample size
          histogram.svg, tail_ccdf.svg, hill_plot.svg, summary.svg,
          threshold_stability.svg  as check --plot
          (each figure also as .pdf and .png with --figure-format svg,pdf,png)
        Examples:
          noisescope measure          # tinygpt on the bundled novel
          noisescope measure --model tinygpt-noattn --data gaussian --samples 2000
          noisescope measure --data my_corpus.txt --out runs/mine
          noisescope measure --model resmlp --data digits --batch 32
        """

    /// `noisescope ` (the overview).
    package static let overview = """
          noisescope measure      the noise ‖g_B − ∇f‖ of a bundled model
                                  (tinygpt on a novel by default), its
                                  variance against sample size, the verdict
          noisescope check FILE   the same verdict on noise norms (or any
                                  positive samples) logged from your own
                                  training run

        The verdict on the tail index α of P(X > x) ~ x^-α: infinite-variance (α < 2 at 95%), \
        heavy (a power-law tail with α ≥ 2), light (no power-law tail) or inconclusive \
        (the data cannot tell; the reason says why). noisescope calibrate measures how \
        often each verdict is right on samples of known tail.

        Try check on a sample with a known answer:
          noisescope generate pareto --alpha 1.5 --count 10000 > pareto.txt
          noisescope check pareto.txt
        Every command explains itself: noisescope help <command>.
        noisescope --version [--json] names the release, the commit, the
        native libraries and the BLAS kernels (paste it into bug reports).
        Shell completion: noisescope --generate-completion-script bash|zsh|fish
        (scripts/install puts the scripts where each shell looks).
        """

    /// `noisescope reference`.
    package static let reference = """
        Zhang et al. (2020, Fig. 1c,g) set each noise histogram beside a synthetic one: \
        a normalised sum of D squared Gaussians (finite variance, concentrated) or of D \
        squared symmetric α-stable variables (heavy-tailed: tail index α/2 for the sum, \
        α for its square root). One sample a line; --squared writes (1/D) Σ X_i² itself.
        Example: noisescope reference --kind stable --alpha 1.5 --dim 1000 --samples 5000 | noisescope check -
        """

    /// `noisescope report`.
    package static let report = """
        DIR is the output of `noisescope measure` (summary.json, noise_norms.npy, variance.csv), \
        a log directory written by the PyTorch companion noisescope_torch (manifest.json, \
        schema noisescope-log/1, and noise_norms.npy; the check is then run on the noise norms, \
        per layer group where recorded, and per window of training steps), or a directory \
        written by `noisescope train` (loss.csv and noise snapshots). \
        The page is drawn from those numbers alone: figures found in DIR are not copied in, \
        only regular files inside DIR are read (symbolic links are refused), and the page \
        cannot run anything (no scripts; a Content-Security-Policy forbids them). It reads offline.
        Example: noisescope report runs/noise && chromium runs/noise/report.html
        Several directories (2 to 8 measure runs or torch logs) make one page that compares \
        them: each run's verdict, interval and quantiles in one table, their tails on one pair \
        of axes (each scaled by its median), α̂ and B_simple over training on shared axes.
        Example: noisescope report runs/sgd runs/adam -o compare.html
        """

    /// `noisescope simulate`.
    package static let simulate = """
        f(x) = ½x², gradient x + ξ with ξ symmetric α-stable (GSL), x₀ = 10. R independent \
        replicates of T steps per method, all methods sharing each replicate's noise. Reports \
        the (1 − δ)-quantiles of the final error |x_T| for δ ∈ {0.5, 0.1, 0.01, 0.001}: under \
        heavy tails the unclipped methods' upper quantiles grow polynomially in 1/δ, the clipped \
        ones slowly (Clipping improves Adam-Norm and AdaGrad-Norm…, ICML 2025). The δ = 0.001 \
        quantile rests on R·δ replicates. Step sizes follow one rule (docs/training.md), never tuned per figure.
        Each quantile comes with a distribution-free 95 % interval from the replicates' order \
        statistics (exact binomial; an end is left out where R replicates cannot give it).
        Writes into --out:
          simulation.json   the settings and each quantile with lower95, upper95
          quantiles.csv     method, delta, quantile_level, final_error,
                            lower_95, upper_95
          quantiles.svg     the quantiles against 1/δ (log–log), with their
                            intervals as error bars (and .pdf/.png with
                            --figure-format)
        """

    /// `noisescope sweep`.
    package static let sweep = """
        For every batch size and optimizer: tune the learning rate on seed 0 over a log-spaced grid \
        (the default rate and its neighbours, a factor --grid-factor apart, extended past an edge \
        while the best rate is there, within --lr-min and --lr-max), then train seeds 1…--seeds at \
        the best rate and report the mean final validation loss with a 95 % t-interval. Every run \
        has --steps steps and is validated on all held-out windows. If heavy-tailed noise caused \
        the gap between Adam and SGD, it would shrink as the batch grows (Kunstner et al. 2023).
        A batch size "full" is every training example at every step: full-batch descent with each \
        optimizer, where there is no minibatch noise. --train-examples N trains on the first N \
        examples of the training split only (validation stays on the same held-out examples), so \
        that the full batch is affordable; a few examples seen many times are fitted differently \
        from the whole split, so that is a different problem from a sweep without it.
        Writes into --out:
          runs.csv      every run: batch, optimizer, lr, seed, tune or
                        evaluate, final losses (per frequency bucket of
                        the target token for text models), seconds;
                        with --train-examples or a full batch also
                        full_batch and training_examples
          summary.csv   per batch × optimizer: best lr, edge (the best
                        lr is on a bound), the grid, mean, 95 % interval
                        (and full_batch, training_examples likewise)
          summary.md    the same as a table (also printed)
          sweep.svg     final validation loss against batch size
        Example (about 3 minutes on 2 cores):
          noisescope sweep --batches 8,64 --steps 150 --seeds 2 --out runs/sweep
        Up to the full batch on 512 training windows (about 20 minutes):
          noisescope sweep --train-examples 512 --batches 8,64,full --out runs/full
        """

    /// `noisescope train`.
    package static let train = """
        Holds out the last 10% of the examples for validation. --train-examples N trains on the \
        first N examples of the rest only (the held-out ones stay the same); --batch N with it is \
        full-batch descent. Writes into --out:
          loss.csv             step, train_loss (mean since the last row),
                               validation_loss
          checkpoints/         step-NNNNNN.ckpt every --checkpoint-every
                               steps, and final.ckpt at the end
          noise/step-NNNNNN.csv
                               noise norms ‖g_B − ∇f‖ at each snapshot
                               (--noise-every)
          noise/groups-NNNNNN.csv
                               the same minibatches' noise per layer
                               group, one column a group
          noise/snapshots.csv  one row per snapshot: median, kurtosis,
                               q99/median, Hill α̂, verdict
          loss_by_frequency.csv
                               with --loss-by-frequency (text models):
                               train and validation loss per bucket of
                               target tokens by frequency rank in the
                               training split (1-8, 9-40, 41-256, and
                               257-4096 with --data words)
        A checkpoint (format in docs/training.md) resumes training with --resume, or is measured with \
        `noisescope measure --checkpoint FILE`. Same seed, same data order, same numbers.
        Examples:
          noisescope train --optimizer adam --lr 1e-3 --steps 600 \\
              --noise-every 200 --out runs/adam
          noisescope train --optimizer acclip --steps 600 --out runs/acclip \\
              --resume runs/acclip/checkpoints/step-000300.ckpt
        """
}
