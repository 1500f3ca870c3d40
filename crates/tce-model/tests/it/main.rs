//! Integration tests of the TCE model: templates and model-file errors.

mod care;

use expect_test::{expect, Expect};
use std::path::Path;
use tce_model::{templates::TEMPLATES, Model, DEFAULT_STAGES};

#[test]
fn every_template_validates_with_six_stages_and_twelve_touchpoints() {
    for t in TEMPLATES {
        let model = Model::parse(t.toml, Path::new(t.name))
            .unwrap_or_else(|e| panic!("template {} is invalid:\n{e}", t.name));
        let stages: Vec<&str> = model.stages.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(stages, DEFAULT_STAGES, "template {}", t.name);
        assert!(
            model.touchpoints.len() >= 12,
            "template {} has {} touchpoints",
            t.name,
            model.touchpoints.len()
        );
        for stage in DEFAULT_STAGES {
            assert!(
                model.touchpoints_of(stage).next().is_some(),
                "template {} has no touchpoint in {stage}",
                t.name
            );
        }
        assert!(
            model.brands.len() >= 4,
            "template {} needs 4+ brands for the demo",
            t.name
        );
        assert!(model.own_brand().is_some());
        assert!(
            model.channels.iter().any(|c| c.social) && model.channels.iter().any(|c| !c.social)
        );
        assert_eq!(model.template.as_deref(), Some(t.name));
    }
}

/// Two phrases recognise the same thing when equal or when one is the other
/// plus a common inflection (the touchpoint matcher folds these).
fn same_phrase(a: &str, b: &str) -> bool {
    let inflected = |base: &str, word: &str| {
        word.strip_prefix(base)
            .is_some_and(|rest| ["s", "es", "d", "ed", "ing"].contains(&rest))
    };
    a == b || inflected(a, b) || inflected(b, a)
}

#[test]
fn every_template_is_a_complete_journey_with_distinct_touchpoints() {
    for t in TEMPLATES {
        let model = Model::parse(t.toml, Path::new(t.name)).unwrap();
        let name = t.name;
        assert!(model.touchpoints.len() >= 12, "template {name}");
        for stage in DEFAULT_STAGES {
            let n = model.touchpoints_of(stage).count();
            assert!(n >= 2, "template {name} has {n} touchpoint(s) in {stage}");
        }
        let weights: f64 = model.stages.iter().map(|s| s.weight).sum();
        assert!(
            (weights - 1.0).abs() < 1e-9,
            "template {name}: stage weights sum to {weights}"
        );
        for d in &model.departments {
            assert!(
                model.touchpoints.iter().any(|tp| tp.department == d.id),
                "template {name}: department {} owns no touchpoint",
                d.id
            );
        }

        assert_eq!(
            model.brands.len(),
            5,
            "template {name}: 1 own brand + 4 competitors"
        );
        let own: Vec<&str> = model
            .brands
            .iter()
            .filter(|b| b.own)
            .map(|b| b.id.as_str())
            .collect();
        assert_eq!(own.len(), 1, "template {name}: own brands {own:?}");
        for b in &model.brands {
            assert!(
                !b.handles.is_empty(),
                "template {name}: brand {} has no handle",
                b.id
            );
        }

        for (i, a) in model.touchpoints.iter().enumerate() {
            for p in &a.phrases {
                assert_eq!(
                    p,
                    &p.to_lowercase(),
                    "template {name}: {} phrase {p:?}",
                    a.id
                );
            }
            for b in &model.touchpoints[i + 1..] {
                for p in &a.phrases {
                    for q in &b.phrases {
                        assert!(
                            !same_phrase(p, q),
                            "template {name}: {p:?} ({}) and {q:?} ({}) recognise the same text",
                            a.id,
                            b.id
                        );
                    }
                }
            }
        }
    }
}

/// Parses `src` and renders the error (or "ok").
fn check(src: &str, expect: Expect) {
    let actual = match Model::parse(src, Path::new("tce.toml")) {
        Ok(_) => "ok".to_string(),
        Err(e) => e.to_string(),
    };
    expect.assert_eq(&actual);
}

const MINIMAL: &str = r#"
[[stages]]
id = "operations"

[[departments]]
id = "ops"

[[touchpoints]]
id = "delay"
stage = "operations"
department = "ops"
phrases = ["delay"]

[[channels]]
id = "x"
social = true

[[brands]]
id = "acme"
own = true
"#;

#[test]
fn minimal_model_is_valid() {
    check(MINIMAL, expect!["ok"]);
}

#[test]
fn unknown_stage_names_line_and_field() {
    check(
        &MINIMAL.replace(r#"stage = "operations""#, r#"stage = "opertions""#),
        expect![[
            r#"tce.toml:10: touchpoints[0].stage: unknown stage "opertions": did you mean "operations"? (known: operations)"#
        ]],
    );
}

#[test]
fn duplicate_touchpoint_names_line_and_field() {
    let src = format!(
        "{MINIMAL}\n[[touchpoints]]\nid = \"delay\"\nstage = \"operations\"\ndepartment = \"ops\"\nphrases = [\"late\"]\n"
    );
    check(
        &src,
        expect![[r#"tce.toml:23: touchpoints[1].id: duplicate id "delay""#]],
    );
}

#[test]
fn bad_toml_names_line_and_column() {
    check(
        &MINIMAL.replace(r#"id = "x""#, r#"id = "x"#),
        expect!["tce.toml:15:8: invalid basic string"],
    );
}

#[test]
fn misspelt_field_names_line() {
    check(
        &MINIMAL.replace("social = true", "socail = true"),
        expect![
            "tce.toml:16:1: unknown field `socail`, expected one of `id`, `name`, `social`, `care`"
        ],
    );
}

#[test]
fn several_problems_are_all_reported() {
    let src = MINIMAL
        .replace(r#"department = "ops""#, r#"department = "opz""#)
        .replace("own = true", "own = false")
        .replace(r#"phrases = ["delay"]"#, "phrases = []");
    check(
        &src,
        expect![[r#"
            tce.toml:11: touchpoints[0].department: unknown department "opz": did you mean "ops"? (known: ops)
            tce.toml:12: touchpoints[0].phrases: a touchpoint needs at least one recognising phrase
            tce.toml:19: brands: no brand is marked `own = true`"#]],
    );
}

#[test]
fn brands_resolve_from_handles_and_aliases() {
    let t = tce_model::templates::template("airline").unwrap();
    let m = Model::parse(t.toml, Path::new("airline")).unwrap();
    assert_eq!(m.resolve_brand("@skywayair"), Some("skyway"));
    assert_eq!(m.resolve_brand("Blue Jet"), Some("bluejet"));
    assert_eq!(m.resolve_brand("nobody"), None);
    assert!(m
        .finance
        .defaulted
        .contains(&"customers_lost_per_negative_post".to_string()));
}

#[test]
fn privacy_is_off_unless_asked_and_misspellings_are_errors() {
    let t = tce_model::templates::template("airline").unwrap();
    let m = Model::parse(t.toml, Path::new("tce.toml")).unwrap();
    assert!(!m.privacy.pseudonymize_authors);
    let on = format!("{}\n[privacy]\npseudonymize_authors = true\n", t.toml);
    assert!(
        Model::parse(&on, Path::new("tce.toml"))
            .unwrap()
            .privacy
            .pseudonymize_authors
    );
    let typo = format!("{}\n[privacy]\npseudonymise_authors = true\n", t.toml);
    let err = Model::parse(&typo, Path::new("tce.toml"))
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("tce.toml:") && err.contains("pseudonymise_authors"),
        "{err}"
    );
}

#[test]
fn intent_classifiers_are_named_by_intent_and_misspellings_are_errors() {
    let src = format!(
        "{MINIMAL}\n[classifiers]\nsentiment = \"s.model\"\nchurn_risk = \"churn.model\"\nsuggestion = \"suggestion.model\"\n"
    );
    let m = Model::parse(&src, Path::new("tce.toml")).unwrap();
    assert_eq!(m.classifiers.sentiment.as_deref(), Some("s.model"));
    assert_eq!(
        m.classifiers.intents,
        [
            (
                tce_model::Intent::Suggestion,
                "suggestion.model".to_string()
            ),
            (tce_model::Intent::ChurnRisk, "churn.model".to_string()),
        ]
    );
    check(
        &format!("{MINIMAL}\n[classifiers]\nsugestion = \"s.model\"\n"),
        expect!["tce.toml:23:1: unknown field `sugestion`, expected one of `sentiment`, `touchpoint`, `complaint`, `praise`, `question`, `suggestion`, `churn_risk`, `purchase_intent`"],
    );
}

mod edits {
    //! Property tests: a model file edited by hand in any small way is
    //! either valid or refused with an error that names the file and line —
    //! never a panic.

    use proptest::prelude::*;
    use std::path::Path;
    use tce_model::{templates::TEMPLATES, Model};

    /// One edit of a template's lines: delete a line, duplicate it, replace
    /// it with junk, or cut it short.
    #[derive(Debug, Clone)]
    enum Edit {
        Delete(usize),
        Duplicate(usize),
        Replace(usize, String),
        Truncate(usize, usize),
    }

    fn edit() -> impl Strategy<Value = Edit> {
        prop_oneof![
            any::<usize>().prop_map(Edit::Delete),
            any::<usize>().prop_map(Edit::Duplicate),
            (
                any::<usize>(),
                "[a-z_]{1,8} = [\\[\\]\"'0-9a-z.,{} -]{0,12}"
            )
                .prop_map(|(i, s)| Edit::Replace(i, s)),
            (any::<usize>(), any::<usize>()).prop_map(|(i, n)| Edit::Truncate(i, n)),
        ]
    }

    fn apply(toml: &str, edits: &[Edit]) -> String {
        let mut lines: Vec<String> = toml.lines().map(str::to_string).collect();
        for e in edits {
            if lines.is_empty() {
                break;
            }
            let at = |i: &usize| i % lines.len();
            match e {
                Edit::Delete(i) => {
                    let i = at(i);
                    lines.remove(i);
                }
                Edit::Duplicate(i) => {
                    let i = at(i);
                    let l = lines[i].clone();
                    lines.insert(i, l);
                }
                Edit::Replace(i, s) => {
                    let i = at(i);
                    lines[i] = s.clone();
                }
                Edit::Truncate(i, n) => {
                    let i = at(i);
                    let cut: String = lines[i]
                        .chars()
                        .take(n % (lines[i].chars().count() + 1))
                        .collect();
                    lines[i] = cut;
                }
            }
        }
        lines.join("\n")
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 512,
            // The same cases on every run: CI must not pass or fail by luck.
            rng_seed: proptest::test_runner::RngSeed::Fixed(0x7ce),
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        #[test]
        fn edited_templates_parse_or_say_where(template in 0..TEMPLATES.len(),
                                               edits in proptest::collection::vec(edit(), 1..4)) {
            let t = &TEMPLATES[template];
            let text = apply(t.toml, &edits);
            if let Err(e) = Model::parse(&text, Path::new("tce.toml")) {
                let msg = e.to_string();
                prop_assert!(msg.starts_with("tce.toml"), "error without the file: {msg}");
                let line: Option<usize> = msg
                    .strip_prefix("tce.toml:")
                    .and_then(|rest| rest.split(':').next())
                    .and_then(|n| n.trim().parse().ok());
                if let Some(line) = line {
                    prop_assert!(line >= 1 && line <= text.lines().count().max(1) + 1,
                        "line {line} outside the file: {msg}");
                }
            }
        }
    }
}

#[test]
fn evidence_rules_are_optional_and_checked() {
    let m = Model::parse(MINIMAL, Path::new("tce.toml")).unwrap();
    assert_eq!(m.evidence, tce_model::Evidence::default());
    let src =
        format!("{MINIMAL}\n[evidence]\nmin_touchpoint_signals = 25\nfar_below_points = 10.0\n");
    let m = Model::parse(&src, Path::new("tce.toml")).unwrap();
    assert_eq!(m.evidence.min_touchpoint_signals, 25);
    assert_eq!(m.evidence.far_below_points, 10.0);
    assert_eq!(m.evidence.min_cell_signals, 10);
    check(
        &format!("{MINIMAL}\n[evidence]\nmin_cell_signals = -1\nsignificance_level = 5.0\n"),
        expect![[r#"
            tce.toml:23: evidence.min_cell_signals: must be a whole number ≥ 0, got -1
            tce.toml:24: evidence.significance_level: must be between 0 and 1 (e.g. 0.05), got 5"#]],
    );
}

#[test]
fn advocacy_invitation_and_share_links_are_checked() {
    let m = Model::parse(MINIMAL, Path::new("tce.toml")).unwrap();
    assert_eq!(m.advocacy.invitation, tce_model::DEFAULT_INVITATION);
    assert_eq!(m.brands[0].share_link, None);

    let ok = MINIMAL.replace(
        "own = true",
        "own = true\nshare_link = \"https://acme.example/share\"",
    )
        + "\n[advocacy]\ninvitation = \"Thanks {author}! Tell others about {brand}: {link}\"\n";
    let m = Model::parse(&ok, Path::new("tce.toml")).unwrap();
    assert_eq!(
        m.brands[0].share_link.as_deref(),
        Some("https://acme.example/share")
    );
    assert_eq!(
        m.advocacy.invitation,
        "Thanks {author}! Tell others about {brand}: {link}"
    );

    check(
        &(MINIMAL.replace("own = true", "own = true\nshare_link = \"acme.example\"")
            + "\n[advocacy]\ninvitation = \"Hi {name}, share {brand}\"\n"),
        expect![[r#"
            tce.toml:21: brands[0].share_link: "acme.example": must be an http:// or https:// link without spaces
            tce.toml:24: advocacy.invitation: unknown placeholder {name} (placeholders: {author}, {brand}, {link})"#]],
    );
    check(
        &(MINIMAL.to_string() + "\n[advocacy]\ninvitation = \"Hi {author\"\n"),
        expect!["tce.toml:23: advocacy.invitation: a `{` without its `}` (placeholders: {author}, {brand}, {link})"],
    );
    check(
        &(MINIMAL.to_string() + "\n[advocacy]\ninvtation = \"Hi\"\n"),
        expect!["tce.toml:23:1: unknown field `invtation`, expected `invitation`"],
    );
}
