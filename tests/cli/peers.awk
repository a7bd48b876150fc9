# peers.awk - the peers' formulas from confusion counts, shared by the metric tests
# (test_metrics.sh, test_metrics_german.sh), which prepend it to their awk programs.

function abs(x) { return x < 0 ? -x : x }

# Rate m of the counts tp, fp, tn, fn: AIF360 v0.6.1 classification_metric.py:278-284
# (sr selection, br base, tpr, fpr, fnr, tnr, ppv, npv, fdr, for, acc), error_rate 1 - ACC
# (:499); smclarify 0.5 common.py:284 ca = n(1)/n^(1), :281 rr = n(0)/n^(0),
# posttraining.py:311 te = FN/FP; n the rows.
function rate(tp, fp, tn, fn, m,   n) {
    n = tp + fp + tn + fn
    if (m == "sr") return (tp + fp) / n; if (m == "br") return (tp + fn) / n
    if (m == "tpr") return tp / (tp + fn); if (m == "fpr") return fp / (fp + tn)
    if (m == "fnr") return fn / (tp + fn); if (m == "tnr") return tn / (fp + tn)
    if (m == "ppv") return tp / (tp + fp); if (m == "npv") return tn / (tn + fn)
    if (m == "fdr") return fp / (tp + fp); if (m == "for") return fn / (tn + fn)
    if (m == "acc") return (tp + tn) / n; if (m == "err") return 1 - (tp + tn) / n
    if (m == "ca") return (tp + fn) / (tp + fp); if (m == "rr") return (tn + fp) / (tn + fn)
    if (m == "te") return fn / fp; if (m == "n") return n
}

# Clarify's pre-training label distances (pretraining.py KL :92, JS :115, LP :142, TVD :159,
# KS :175) of a (base rate qa) and d (qd), P = (1 - q, q) over the label values both have
# (util/__init__.py:51).
function label_dist(qa, qd, which,   i, pa, pd, gap, mid, kl, js, l2, l1, linf) {
    pa[0] = 1 - qa; pa[1] = qa; pd[0] = 1 - qd; pd[1] = qd
    kl = js = l2 = l1 = linf = 0
    for (i = 0; i < 2; i++) {
        if (pa[i] == 0 || pd[i] == 0) continue
        mid = (pa[i] + pd[i]) / 2; gap = abs(pa[i] - pd[i])
        kl += pa[i] * log(pa[i] / pd[i]); js += (pa[i] * log(pa[i] / mid) + pd[i] * log(pd[i] / mid)) / 2
        l2 += gap * gap; l1 += gap; if (gap > linf) linf = gap
    }
    return which == "KL" ? kl : which == "JS" ? js : which == "LP" ? sqrt(l2) : which == "TVD" ? l1 / 2 : linf
}

# Smoothed empirical differential fairness (Foulds et al. 2020) of k groups, pos[i] positives
# of n[i] rows: AIF360 v0.6.1 binary_label_dataset_metric.py:159 _smoothed_base_rates, p =
# (pos + c/2) / (n + c) with concentration c = 1.0 (:167, :188), over the groups present
# (np.unique, :170); :221-:232 the largest |ln p_i - ln p_j| or |ln(1 - p_i) - ln(1 - p_j)|
# over pairs i != j; "null" without a pair (AIF360: max() of nothing raises). Bias
# amplification (classification_metric.py:841-:864) is edf of the predictions minus edf of
# the labels.
function edf(pos, n, k,   i, j, p, best, found, x) {
    found = 0
    for (i = 1; i <= k; i++) p[i] = (pos[i] + 0.5) / (n[i] + 1)
    for (i = 1; i <= k; i++)
        for (j = 1; j <= k; j++) {
            if (i == j) continue
            x = abs(log(p[i]) - log(p[j])); if (!found || x > best) best = x
            x = abs(log(1 - p[i]) - log(1 - p[j])); if (x > best) best = x
            found = 1
        }
    return found ? best : "null"
}
