//! Golden values from scikit-learn (scripts/gen_sklearn_fixtures.py → tests/fixtures/*.json),
//! compared with a relative 1e-9 + absolute 1e-12 tolerance; reports compared as strings.

use fovea_metrics::{
    Average, BinaryConfusion, ClassificationReport, ConfusionMatrix, ReportOptions, RocOptions,
    ZeroDivision, average_precision, precision_recall_curve, roc_auc_score, roc_curve,
};
use serde_json::Value;

use super::helpers::{assert_all_close, assert_close, f64s, fixture};

const POLICIES: [(&str, ZeroDivision); 2] =
    [("zero", ZeroDivision::Zero), ("one", ZeroDivision::One)];

fn cases(name: &str) -> Vec<Value> {
    let doc = fixture(name);
    let cases = doc["cases"].as_array().expect("cases").clone();
    assert!(!cases.is_empty());
    cases
}

fn num(v: &Value) -> f64 {
    v.as_f64().expect("number")
}

#[test]
fn binary_confusion_and_rates_match_sklearn() {
    for case in cases("sklearn_binary.json") {
        let name = case["name"].as_str().unwrap();
        let y_true: Vec<bool> = case["y_true"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_bool().unwrap())
            .collect();
        let scores: Vec<f32> = f64s(&case["scores"]).iter().map(|&v| v as f32).collect();
        let c =
            BinaryConfusion::from_scores(&scores, &y_true, num(&case["threshold"]) as f32).unwrap();
        assert_eq!(
            [
                c.true_positives(),
                c.false_positives(),
                c.true_negatives(),
                c.false_negatives()
            ],
            ["tp", "fp", "tn", "fn"].map(|k| case[k].as_u64().unwrap()),
            "{name}: counts"
        );
        assert_close(
            c.accuracy(),
            num(&case["accuracy"]),
            &format!("{name}: accuracy"),
        );
        assert_close(
            c.balanced_accuracy(),
            num(&case["balanced_accuracy"]),
            &format!("{name}: balanced"),
        );
        for (key, zd) in POLICIES {
            let r = &case[format!("rates_{key}")];
            let got = [
                ("recall", c.recall(zd)),
                ("precision", c.precision(zd)),
                ("specificity", c.specificity(zd)),
                ("false_positive_rate", c.false_positive_rate(zd)),
                ("false_negative_rate", c.false_negative_rate(zd)),
                ("f1", c.f1(zd)),
                ("f_beta_0_5", c.f_beta(0.5, zd).unwrap()),
                ("f_beta_2", c.f_beta(2.0, zd).unwrap()),
            ];
            for (metric, value) in got {
                assert!(!value.is_nan(), "{name}: {metric} is NaN");
                assert_close(value, num(&r[metric]), &format!("{name}: {metric} ({key})"));
            }
        }
    }
}

#[test]
fn curves_match_sklearn() {
    for case in cases("sklearn_binary.json") {
        let name = case["name"].as_str().unwrap();
        let y_true: Vec<bool> = case["y_true"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_bool().unwrap())
            .collect();
        let scores: Vec<f32> = f64s(&case["scores"]).iter().map(|&v| v as f32).collect();
        if case["roc_auc"].is_null() {
            // scikit-learn returns NaN with a warning for a single class: fovea refuses.
            assert!(roc_auc_score(&scores, &y_true).is_err(), "{name}");
            assert!(
                roc_curve(&scores, &y_true, &RocOptions::default()).is_err(),
                "{name}"
            );
        } else {
            assert_close(
                roc_auc_score(&scores, &y_true).unwrap(),
                num(&case["roc_auc"]),
                name,
            );
            for (key, drop) in [("roc_drop", true), ("roc_full", false)] {
                let options = RocOptions::default().with_drop_intermediate(drop);
                let roc = roc_curve(&scores, &y_true, &options).unwrap();
                let expected = &case[key];
                assert_all_close(
                    &roc.fpr,
                    &f64s(&expected["fpr"]),
                    &format!("{name}: {key} fpr"),
                );
                assert_all_close(
                    &roc.tpr,
                    &f64s(&expected["tpr"]),
                    &format!("{name}: {key} tpr"),
                );
                assert_eq!(roc.thresholds[0], f32::INFINITY);
                let thresholds: Vec<f64> = roc.thresholds[1..].iter().map(|&t| t as f64).collect();
                assert_all_close(&thresholds, &f64s(&expected["thresholds_after_inf"]), name);
                assert_close(
                    roc.auc(),
                    num(&case["roc_auc"]),
                    &format!("{name}: {key} auc"),
                );
            }
        }
        let pr = precision_recall_curve(&scores, &y_true).unwrap();
        assert_all_close(
            &pr.precision,
            &f64s(&case["pr"]["precision"]),
            &format!("{name}: precision"),
        );
        assert_all_close(
            &pr.recall,
            &f64s(&case["pr"]["recall"]),
            &format!("{name}: recall"),
        );
        let thresholds: Vec<f64> = pr.thresholds.iter().map(|&t| t as f64).collect();
        assert_all_close(
            &thresholds,
            &f64s(&case["pr"]["thresholds"]),
            &format!("{name}: pr thresholds"),
        );
        let ap = average_precision(&scores, &y_true).unwrap();
        assert_close(
            ap,
            num(&case["average_precision"]),
            &format!("{name}: average precision"),
        );
    }
}

#[test]
fn multiclass_scores_match_sklearn() {
    for case in cases("sklearn_multiclass.json") {
        let name = case["name"].as_str().unwrap();
        let labels = |k: &str| -> Vec<usize> {
            case[k]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap() as usize)
                .collect()
        };
        let n = case["num_classes"].as_u64().unwrap() as usize;
        let cm = ConfusionMatrix::from_labels(&labels("y_true"), &labels("y_pred"), n).unwrap();
        let expected: Vec<Vec<u64>> = case["confusion"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| {
                row.as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_u64().unwrap())
                    .collect()
            })
            .collect();
        for (t, row) in expected.iter().enumerate() {
            for (p, &count) in row.iter().enumerate() {
                assert_eq!(cm.counts()[[t, p]], count, "{name}: confusion[{t}][{p}]");
            }
        }
        assert_close(
            cm.accuracy(),
            num(&case["accuracy"]),
            &format!("{name}: accuracy"),
        );
        assert_close(
            cm.balanced_accuracy(),
            num(&case["balanced_accuracy"]),
            &format!("{name}: balanced"),
        );
        for (key, zd) in POLICIES {
            let scores = &case[format!("scores_{key}")];
            let per_class = &scores["per_class"];
            assert_all_close(
                &cm.precision_per_class(zd),
                &f64s(&per_class["precision"]),
                name,
            );
            assert_all_close(&cm.recall_per_class(zd), &f64s(&per_class["recall"]), name);
            assert_all_close(
                &cm.f_beta_per_class(1.0, zd).unwrap(),
                &f64s(&per_class["f1"]),
                name,
            );
            assert_all_close(
                &cm.f_beta_per_class(2.0, zd).unwrap(),
                &f64s(&per_class["f_beta_2"]),
                name,
            );
            for (tag, average) in [
                ("macro", Average::Macro),
                ("micro", Average::Micro),
                ("weighted", Average::Weighted),
            ] {
                let e = &scores[tag];
                let what = format!("{name}: {tag} ({key})");
                assert_close(
                    cm.precision(average, zd),
                    f64s(&e["precision"])[0],
                    &format!("{what} precision"),
                );
                assert_close(
                    cm.recall(average, zd),
                    f64s(&e["recall"])[0],
                    &format!("{what} recall"),
                );
                assert_close(cm.f1(average, zd), f64s(&e["f1"])[0], &format!("{what} f1"));
                assert_close(
                    cm.f_beta(2.0, average, zd).unwrap(),
                    f64s(&e["f_beta_2"])[0],
                    &format!("{what} f2"),
                );
            }
        }
    }
}

#[test]
fn classification_report_matches_sklearn_text() {
    for case in cases("sklearn_multiclass.json") {
        let name = case["name"].as_str().unwrap();
        let labels = |k: &str| -> Vec<usize> {
            case[k]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap() as usize)
                .collect()
        };
        let n = case["num_classes"].as_u64().unwrap() as usize;
        let cm = ConfusionMatrix::from_labels(&labels("y_true"), &labels("y_pred"), n).unwrap();
        let names: Option<Vec<String>> = case["target_names"]
            .as_array()
            .map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect());
        for (key, zd) in POLICIES {
            for digits in [2, 4] {
                let options = ReportOptions {
                    target_names: names.clone(),
                    digits,
                    zero_division: zd,
                };
                let report = ClassificationReport::new(&cm, &options)
                    .unwrap()
                    .to_string();
                let expected = case[format!("report_{key}_digits{digits}")]
                    .as_str()
                    .unwrap();
                assert_eq!(report, expected, "{name}: report ({key}, {digits} digits)");
            }
        }
    }
}
