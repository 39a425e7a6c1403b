#!/usr/bin/env python3
"""Generate the scikit-learn golden values read by crates/fovea-metrics/tests/metrics/sklearn_golden.rs.

Usage (from the repository root, any Python with numpy and scikit-learn):

    python crates/fovea-metrics/scripts/gen_sklearn_fixtures.py

Writes tests/fixtures/sklearn_binary.json and tests/fixtures/sklearn_multiclass.json next to this
script's crate. The tests never run Python; rerun this script only to refresh the fixtures.
Scores are float32 (fovea's dtype) so thresholds compare exactly.
"""

import json
import sys
import warnings
from pathlib import Path

import numpy as np
import sklearn
from sklearn import metrics as m

warnings.simplefilter("ignore")  # degenerate cases warn by design; the values are what we want

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
ZERO_DIVISIONS = {"zero": 0.0, "one": 1.0}


def floats(a):
    return [float(v) for v in np.asarray(a, dtype=np.float64)]


def div(num, den, zd):
    return float(num) / float(den) if den != 0 else zd


def binary_case(name, y_true, scores, threshold=0.5):
    y_true = np.asarray(y_true, dtype=bool)
    scores = np.asarray(scores, dtype=np.float32)
    # Positive iff score > threshold (fovea's and torchmetrics' convention).
    y_pred = scores > np.float32(threshold)
    tn, fp, fn, tp = (int(v) for v in m.confusion_matrix(y_true, y_pred, labels=[False, True]).ravel())
    case = {
        "name": name,
        "y_true": [bool(v) for v in y_true],
        "scores": floats(scores),
        "threshold": threshold,
        "tp": tp, "fp": fp, "tn": tn, "fn": fn,
        "accuracy": m.accuracy_score(y_true, y_pred),
        "balanced_accuracy": m.balanced_accuracy_score(y_true, y_pred),
    }
    for key, zd in ZERO_DIVISIONS.items():
        case[f"rates_{key}"] = {
            "recall": m.recall_score(y_true, y_pred, zero_division=zd),
            "precision": m.precision_score(y_true, y_pred, zero_division=zd),
            "specificity": m.recall_score(y_true, y_pred, pos_label=False, zero_division=zd),
            # scikit-learn has no FPR / FNR scorer: derived from its confusion matrix.
            "false_positive_rate": div(fp, fp + tn, zd),
            "false_negative_rate": div(fn, fn + tp, zd),
            "f1": m.f1_score(y_true, y_pred, zero_division=zd),
            "f_beta_0_5": m.fbeta_score(y_true, y_pred, beta=0.5, zero_division=zd),
            "f_beta_2": m.fbeta_score(y_true, y_pred, beta=2.0, zero_division=zd),
        }
    if len(np.unique(y_true)) == 2:
        for drop in (True, False):
            fpr, tpr, thr = m.roc_curve(y_true, scores, drop_intermediate=drop)
            case["roc_drop" if drop else "roc_full"] = {
                "fpr": floats(fpr), "tpr": floats(tpr),
                # JSON has no infinity: the first threshold (inf) is left out.
                "thresholds_after_inf": floats(thr[1:]),
            }
        case["roc_auc"] = m.roc_auc_score(y_true, scores)
    else:
        # scikit-learn 1.9 returns NaN with an UndefinedMetricWarning: fovea returns an error.
        assert np.isnan(m.roc_auc_score(y_true, scores))
        case["roc_auc"] = None
    p, r, thr = m.precision_recall_curve(y_true, scores)
    case["pr"] = {"precision": floats(p), "recall": floats(r), "thresholds": floats(thr)}
    case["average_precision"] = m.average_precision_score(y_true, scores)
    return case


def multiclass_case(name, y_true, y_pred, num_classes, target_names=None):
    labels = list(range(num_classes))
    case = {
        "name": name,
        "y_true": [int(v) for v in y_true],
        "y_pred": [int(v) for v in y_pred],
        "num_classes": num_classes,
        "confusion": m.confusion_matrix(y_true, y_pred, labels=labels).tolist(),
        "accuracy": m.accuracy_score(y_true, y_pred),
        "balanced_accuracy": m.balanced_accuracy_score(y_true, y_pred),
        "target_names": target_names,
    }
    for key, zd in ZERO_DIVISIONS.items():
        scores = {}
        for avg in (None, "macro", "micro", "weighted"):
            tag = avg or "per_class"
            kw = dict(labels=labels, average=avg, zero_division=zd)
            scores[tag] = {
                "precision": floats(np.atleast_1d(m.precision_score(y_true, y_pred, **kw))),
                "recall": floats(np.atleast_1d(m.recall_score(y_true, y_pred, **kw))),
                "f1": floats(np.atleast_1d(m.f1_score(y_true, y_pred, **kw))),
                "f_beta_2": floats(np.atleast_1d(m.fbeta_score(y_true, y_pred, beta=2.0, **kw))),
            }
        case[f"scores_{key}"] = scores
        for digits in (2, 4):
            case[f"report_{key}_digits{digits}"] = m.classification_report(
                y_true, y_pred, labels=labels, target_names=target_names,
                digits=digits, zero_division=zd,
            )
    return case


def main():
    rng = np.random.default_rng(20240601)
    binary = []
    y = rng.random(40) < 0.4
    s = np.clip(0.35 * y + 0.65 * rng.random(40), 0.0, 1.0)
    binary.append(binary_case("random_40", y, s))
    # Scores rounded to one decimal: many ties, exercises threshold grouping.
    y = rng.random(30) < 0.5
    s = np.round(0.3 * y + 0.7 * rng.random(30), 1)
    binary.append(binary_case("ties_30", y, s))
    binary.append(binary_case("exactly_at_threshold", [True, False, True, False], [0.5, 0.5, 0.9, 0.1]))
    binary.append(binary_case("sklearn_doc_example", [False, False, True, True], [0.1, 0.4, 0.35, 0.8]))
    # Degenerate cases.
    binary.append(binary_case("no_positives", [False] * 6, [0.1, 0.7, 0.3, 0.9, 0.2, 0.6]))
    binary.append(binary_case("all_positives", [True] * 5, [0.1, 0.7, 0.3, 0.9, 0.6]))
    binary.append(binary_case("no_predicted_positives", [True, False, True, False, False], [0.1, 0.2, 0.3, 0.4, 0.5]))
    binary.append(binary_case("all_negative_predicted_negative", [False] * 4, [0.1, 0.2, 0.3, 0.4]))

    multiclass = []
    yt = rng.integers(0, 4, 60)
    yp = np.where(rng.random(60) < 0.6, yt, rng.integers(0, 4, 60))
    multiclass.append(multiclass_case("random_4_classes", yt, yp, 4))
    multiclass.append(multiclass_case("sklearn_doc_example", [0, 1, 2, 2, 2], [0, 0, 2, 2, 1], 3,
                                      ["class 0", "class 1", "class 2"]))
    # Class 3 absent from both sides; class 2 never predicted; class 1 predicted but absent.
    multiclass.append(multiclass_case("absent_classes", [0, 0, 2, 2, 0, 2], [0, 1, 0, 0, 0, 1], 4))
    multiclass.append(multiclass_case("one_class", [0, 0, 0], [0, 0, 0], 1))
    multiclass.append(multiclass_case("perfect", [0, 1, 2, 1], [0, 1, 2, 1], 3))
    yt = rng.integers(0, 2, 25)
    yp = np.where(rng.random(25) < 0.7, yt, 1 - yt)
    multiclass.append(multiclass_case("binary_as_multiclass", yt, yp, 2, ["negative", "positive"]))

    meta = {"sklearn": sklearn.__version__, "numpy": np.__version__, "python": sys.version.split()[0]}
    OUT.mkdir(parents=True, exist_ok=True)
    for fname, cases in (("sklearn_binary.json", binary), ("sklearn_multiclass.json", multiclass)):
        with open(OUT / fname, "w") as f:
            json.dump({"generated_by": "scripts/gen_sklearn_fixtures.py", "versions": meta, "cases": cases},
                      f, indent=1)
            f.write("\n")
        print(f"wrote {OUT / fname} ({len(cases)} cases)")


if __name__ == "__main__":
    main()
