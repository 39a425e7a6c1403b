//! Hand-computed classification cases and the degenerate ones, each value derived in a comment.

use fovea_metrics::{Average, BinaryConfusion, ConfusionMatrix, ZeroDivision};
use ndarray::array;

use super::helpers::assert_close;

#[test]
fn binary_rates_by_hand() {
    // TP 6, FP 2, TN 10, FN 2: recall 6/8, precision 6/8, FPR 2/12, TNR 10/12, FNR 2/8.
    let c = BinaryConfusion::new(6, 2, 10, 2).unwrap();
    let zd = ZeroDivision::Zero;
    assert_close(c.recall(zd), 0.75, "recall");
    assert_close(c.precision(zd), 0.75, "precision");
    assert_close(c.false_positive_rate(zd), 2.0 / 12.0, "fpr");
    assert_close(c.specificity(zd), 10.0 / 12.0, "tnr");
    assert_close(c.false_negative_rate(zd), 0.25, "fnr");
    assert_close(c.accuracy(), 16.0 / 20.0, "accuracy");
    assert_close(
        c.balanced_accuracy(),
        (0.75 + 10.0 / 12.0) / 2.0,
        "balanced",
    );
    // F1 = 2PR/(P+R) = 0.75 when P = R = 0.75.
    assert_close(c.f1(zd), 0.75, "f1");
    // F2 = 5·6 / (5·6 + 4·2 + 2) = 30/40.
    assert_close(c.f_beta(2.0, zd).unwrap(), 0.75, "f2");
}

#[test]
fn f1_is_the_harmonic_mean_of_precision_and_recall() {
    // TP 3, FP 1, FN 5: P = 3/4, R = 3/8, 2PR/(P+R) = (9/16)/(9/8) = 1/2.
    let c = BinaryConfusion::new(3, 1, 7, 5).unwrap();
    let (p, r) = (
        c.precision(ZeroDivision::Zero),
        c.recall(ZeroDivision::Zero),
    );
    assert_close(
        c.f1(ZeroDivision::Zero),
        2.0 * p * r / (p + r),
        "harmonic mean",
    );
    assert_close(c.f1(ZeroDivision::Zero), 0.5, "value");
}

#[test]
fn degenerate_binary_cases_have_documented_values() {
    // No predicted positive (TP = FP = 0) but positives exist: precision 0/0 → policy,
    // recall 0, F1 = 0/(0 + FN) = 0 whatever the policy.
    let c = BinaryConfusion::new(0, 0, 5, 3).unwrap();
    assert_eq!(c.precision(ZeroDivision::Zero), 0.0);
    assert_eq!(c.precision(ZeroDivision::One), 1.0);
    assert_eq!(c.recall(ZeroDivision::One), 0.0);
    assert_eq!(c.f1(ZeroDivision::One), 0.0);
    // No positive and none predicted: recall, precision, F1 all 0/0 → policy.
    let c = BinaryConfusion::new(0, 0, 4, 0).unwrap();
    for zd in [ZeroDivision::Zero, ZeroDivision::One] {
        assert_eq!(c.recall(zd), zd.value());
        assert_eq!(c.f1(zd), zd.value());
        assert_eq!(c.false_negative_rate(zd), zd.value());
    }
    assert_eq!(c.accuracy(), 1.0);
    assert_eq!(c.balanced_accuracy(), 1.0); // only the negative class: TNR
    // No negative: FPR and TNR are 0/0.
    let c = BinaryConfusion::new(2, 0, 0, 2).unwrap();
    assert_eq!(c.false_positive_rate(ZeroDivision::One), 1.0);
    assert_eq!(c.specificity(ZeroDivision::Zero), 0.0);
    assert_eq!(c.balanced_accuracy(), 0.5); // only the positive class: TPR 2/4
}

#[test]
fn scores_at_the_threshold_are_negative() {
    let c = BinaryConfusion::from_scores(&[0.5, 0.5000001, 0.4999999], &[true, true, false], 0.5)
        .unwrap();
    assert_eq!(
        (c.true_positives(), c.false_negatives(), c.true_negatives()),
        (1, 1, 1)
    );
}

#[test]
fn multiclass_by_hand() {
    // true  0 0 1 1 2 2
    // pred  0 1 1 1 0 2
    // class 0: TP 1, FP 1, FN 1 → P 1/2, R 1/2; class 1: TP 2, FP 1, FN 0 → P 2/3, R 1;
    // class 2: TP 1, FP 0, FN 1 → P 1, R 1/2.
    let cm = ConfusionMatrix::from_labels(&[0, 0, 1, 1, 2, 2], &[0, 1, 1, 1, 0, 2], 3).unwrap();
    assert_eq!(cm.counts(), array![[1u64, 1, 0], [0, 2, 0], [1, 0, 1]]);
    let zd = ZeroDivision::Zero;
    assert_close(
        cm.precision(Average::Macro, zd),
        (0.5 + 2.0 / 3.0 + 1.0) / 3.0,
        "macro P",
    );
    assert_close(cm.recall(Average::Macro, zd), 2.0 / 3.0, "macro R");
    assert_close(
        cm.precision(Average::Micro, zd),
        4.0 / 6.0,
        "micro P = accuracy",
    );
    // Supports are 2, 2, 2: weighted = macro here.
    assert_close(
        cm.f1(Average::Weighted, zd),
        cm.f1(Average::Macro, zd),
        "weighted F1",
    );
    assert_close(
        cm.balanced_accuracy(),
        cm.recall(Average::Macro, zd),
        "balanced = macro recall",
    );
    let c1 = cm.one_vs_rest(1).unwrap();
    assert_eq!(
        (
            c1.true_positives(),
            c1.false_positives(),
            c1.true_negatives(),
            c1.false_negatives()
        ),
        (2, 1, 3, 0)
    );
}

#[test]
fn one_class_only() {
    let cm = ConfusionMatrix::from_labels(&[0, 0, 0], &[0, 0, 0], 1).unwrap();
    assert_eq!(cm.accuracy(), 1.0);
    assert_eq!(cm.f1(Average::Macro, ZeroDivision::Zero), 1.0);
    // A second class never seen: macro counts it with the zero-division value.
    let cm = ConfusionMatrix::from_labels(&[0, 0, 0], &[0, 0, 0], 2).unwrap();
    assert_eq!(cm.f1(Average::Macro, ZeroDivision::Zero), 0.5);
    assert_eq!(cm.f1(Average::Macro, ZeroDivision::One), 1.0);
    assert_eq!(cm.f1(Average::Weighted, ZeroDivision::Zero), 1.0);
    assert_eq!(cm.balanced_accuracy(), 1.0);
}

#[test]
fn scores_argmax_matches_labels() {
    let scores = array![
        [0.2f32, 0.5, 0.3],
        [0.6, 0.1, 0.3],
        [0.1, 0.1, 0.8],
        [0.4, 0.4, 0.2]
    ];
    let from_scores = ConfusionMatrix::from_scores(scores.view(), &[1, 0, 1, 1]).unwrap();
    // Row 3 ties 0.4/0.4: the lowest index (0) wins, as numpy.argmax.
    let from_labels = ConfusionMatrix::from_labels(&[1, 0, 1, 1], &[1, 0, 2, 0], 3).unwrap();
    assert_eq!(from_scores, from_labels);
}
