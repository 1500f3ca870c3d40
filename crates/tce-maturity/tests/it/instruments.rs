//! Shipped instruments parse and round-trip through their template; a
//! user's instrument loads from a path; malformed instrument files are
//! refused with file, line and field.

use crate::{catalog, day};
use expect_test::{expect, Expect};
use std::path::Path;
use tce_maturity::{assess, template, template_all, Answers, Catalog, Facts, Instrument, BUILTIN};

#[test]
fn every_shipped_instrument_parses_and_credits_its_source() {
    let c = catalog();
    let ids: Vec<&str> = c.instruments().iter().map(|i| i.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "orientation",
            "disciplines",
            "readiness",
            "framework",
            "transformation"
        ]
    );
    for i in c.instruments() {
        assert!(!i.source.is_empty(), "{} credits no source", i.id);
        for (_, item) in i.items() {
            let levels: Vec<usize> = item.choices.iter().map(|c| c.level).collect();
            assert!(
                levels.windows(2).all(|w| w[0] <= w[1]),
                "{}.{}",
                i.id,
                item.id
            );
            assert_eq!(
                levels.last(),
                Some(&i.top()),
                "{}.{} cannot reach the top",
                i.id,
                item.id
            );
        }
    }
    let names = |id: &str| -> Vec<String> {
        c.get(id)
            .unwrap()
            .levels
            .iter()
            .map(|l| l.name.clone())
            .collect()
    };
    assert_eq!(
        names("orientation"),
        ["Naive", "Transactional", "Enlightened", "Natural"]
    );
    assert_eq!(
        names("disciplines"),
        ["undeveloped", "ad hoc", "repeatable", "systematic"]
    );
    let areas = |id: &str| -> Vec<String> {
        c.get(id)
            .unwrap()
            .areas
            .iter()
            .map(|a| a.name.clone())
            .collect()
    };
    assert_eq!(
        areas("orientation"),
        [
            "People",
            "Customer strategy",
            "Systems",
            "Measurement",
            "Channel approach",
            "Expectations",
            "Marketing & brand",
            "Process",
            "Culture & leadership"
        ]
    );
    assert_eq!(
        areas("disciplines"),
        [
            "Strategy",
            "Customer understanding",
            "Design",
            "Measurement",
            "Governance",
            "Culture"
        ]
    );
    assert_eq!(areas("readiness").len(), 6);
    assert_eq!(
        areas("framework"),
        [
            "Business objectives",
            "Social media assessment",
            "Strategy development",
            "Execution plan",
            "Budgets, resources and ROI",
            "Measure model and tune results"
        ]
    );
    assert_eq!(
        names("transformation"),
        [
            "Viewing the data",
            "Managing outcomes",
            "Integrating changes",
            "Engineering the brand"
        ]
    );
}

/// Sets every `answer` of a template to the last (highest) of its choices.
fn fill_highest(template: &str) -> String {
    let mut doc: toml::Table = toml::from_str(template).unwrap();
    for (_, items) in doc.iter_mut() {
        for (_, item) in items.as_table_mut().unwrap().iter_mut() {
            let item = item.as_table_mut().unwrap();
            assert_eq!(item.get("answer").and_then(|a| a.as_str()), Some(""));
            let last = item["choices"].as_array().unwrap().last().unwrap().clone();
            item.insert("answer".into(), last);
        }
    }
    toml::to_string(&doc).unwrap()
}

#[test]
fn every_template_round_trips_to_the_top_level() {
    let c = catalog();
    for i in c.instruments() {
        let filled = fill_highest(&template(i));
        let answers = Answers::parse(&filled, Path::new("filled.toml"), &c)
            .unwrap_or_else(|e| panic!("{}: {e}", i.id));
        let a = assess(&c, &answers, &Facts::new(), day("2026-12-01"));
        assert_eq!(a.instruments.len(), 1);
        let r = &a.instruments[0];
        assert_eq!(r.overall.index, i.top(), "{}", i.id);
        assert_eq!(r.areas.len(), i.areas.len());
        for area in &r.areas {
            assert_eq!(area.level.index, i.top(), "{}.{}", i.id, area.id);
            assert!(area.gaps.is_empty() && area.next.is_none());
        }
        // Nothing measured: no contradictions, so nothing on the roadmap.
        assert!(a.roadmap.is_empty(), "{}: {:?}", i.id, a.roadmap);
    }
    // The all-instruments template parses as answers once filled.
    let filled = fill_highest(&template_all(&c));
    let answers = Answers::parse(&filled, Path::new("all.toml"), &c).unwrap();
    assert_eq!(answers.instruments().count(), 5);
}

#[test]
fn the_template_looks_as_documented() {
    let c = catalog();
    let t = template(c.get("disciplines").unwrap());
    let head: String = t.lines().take(26).collect::<Vec<_>>().join("\n");
    expect![[r##"
        # tce maturity assessment: answers.
        # Set each `answer` to one of its `choices`, which go from the lowest level to
        # the highest, then run `tce assess --answers FILE`.

        ##############################################################################
        # Customer experience disciplines (disciplines)
        # Levels, lowest first: undeveloped → ad hoc → repeatable → systematic
        # Source: Forrester Research, the six customer experience disciplines (strategy, customer understanding, design, measurement, governance, culture), as summarised in 'Is Social Media Key to Customer Experience?' (2013)
        ##############################################################################

        # ── Strategy ──

        [disciplines.strategy_intended_experience]
        # The experience we intend to give customers is written down and tied to the company's strategy and brand promises.
        choices = [
            "undeveloped", # undeveloped
            "ad hoc", # ad hoc
            "repeatable", # repeatable
            "systematic", # systematic
        ]
        answer = ""

        [disciplines.strategy_shared]
        # People across departments know the intended experience and use it to decide what comes first.
        choices = [
            "undeveloped", # undeveloped"##]]
    .assert_eq(&head);
}

#[test]
fn a_users_instrument_loads_from_a_path_and_is_assessed() {
    let dir = std::env::temp_dir().join(format!("tce-maturity-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("listening.toml");
    std::fs::write(
        &path,
        r#"
id = "listening"
name = "Listening"
source = "our own"

[[levels]]
id = "deaf"
[[levels]]
id = "hearing"
[[levels]]
id = "listening"

[[areas]]
id = "social"
name = "Social listening"
phase = "support"
action = "Listen."
metric = "stages_covered_share"
target = 1.0

[[areas.items]]
id = "social_all"
text = "We hear every stage on social media."

[[areas.items.evidence]]
metric = "stages_covered_share"
below = 0.5
contradicts = ["listening"]
message = "only {count} of {total} stages are covered"
"#,
    )
    .unwrap();
    let mut c = catalog();
    assert_eq!(c.load(&path).unwrap(), "listening");
    let t = template(c.get("listening").unwrap());
    assert!(t.contains("[listening.social_all]"), "{t}");
    let answers = Answers::parse(
        "[listening.social_all]\nanswer = \"listening\"\n",
        Path::new("a.toml"),
        &c,
    )
    .unwrap();
    let facts = Facts::new().with(
        tce_maturity::Metric::StagesCoveredShare,
        tce_maturity::Fact::share(1, 6),
    );
    let a = assess(&c, &answers, &facts, day("2026-12-01"));
    let area = a.area("listening", "social").unwrap();
    assert_eq!(area.level.id, "listening");
    assert_eq!(
        area.contradictions[0].text,
        "answered 'listening' for social listening, but only 1 of 6 stages are covered"
    );
    // Its id is taken now.
    let again = c.load(&path).unwrap_err().to_string();
    assert!(again.contains("already used"), "{again}");
    std::fs::remove_dir_all(&dir).unwrap();
}

fn check_instrument(src: &str, expect: Expect) {
    let err = Instrument::parse(src, Path::new("mine.toml")).unwrap_err();
    expect.assert_eq(&err.to_string());
}

const GOOD_HEAD: &str = r#"id = "mine"
name = "Mine"
source = "us"

[[levels]]
id = "low"
[[levels]]
id = "high"
"#;

#[test]
fn malformed_instruments_are_refused_with_file_line_and_field() {
    check_instrument(
        &format!(
            "{GOOD_HEAD}
[[areas]]
id = \"a\"
name = \"A\"
phase = \"marketing\"
action = \"do\"
metric = \"nps\"

[[areas.items]]
id = \"i\"
text = 3
choices = [
  {{ level = \"high\", text = \"yes\" }},
  {{ level = \"low\", text = \"no\" }},
  {{ level = \"medium\", text = \"maybe\" }},
]

[[areas.items.evidence]]
metric = \"data_age_days\"
above = \"30\"
contradicts = [\"hgh\"]
mesage = \"{{value}}\"
"
        ),
        expect![[r#"
            mine.toml:13: areas[0].phase: unknown phase "marketing" (phases, in order: support, product_development, logistics_procurement, sales_marketing)
            mine.toml:15: areas[0].metric: unknown metric "nps" (known: touchpoints_owned_share, first_response_p90_sla_ratio, sla_breach_rate, cases_routed_outside_service_share, alerts_acknowledged_share, alert_ack_hours, stage_weights_derived_share, outcomes_imported, elasticity_significant, advocates_identified, moment_of_truth_conversion, ideas_decided_share, stages_covered_share, data_age_days)
            mine.toml:15: areas[0].target: an area that names a metric needs a target
            mine.toml:19: areas[0].items[0].text: expected a string, found an integer
            mine.toml:22: areas[0].items[0].choices[1].level: choices go from the lowest level to the highest: "low" comes after "high"
            mine.toml:23: areas[0].items[0].choices[2].level: unknown level "medium" (levels: low, high)
            mine.toml:26: areas[0].items[0].evidence[0].at_least: an evidence rule needs a threshold: at_least, above, at_most or below
            mine.toml:26: areas[0].items[0].evidence[0].message: missing field
            mine.toml:28: areas[0].items[0].evidence[0].above: expected a number, found a string
            mine.toml:29: areas[0].items[0].evidence[0].contradicts[0]: unknown level "hgh": did you mean "high"? (levels: low, high)
            mine.toml:30: areas[0].items[0].evidence[0].mesage: unknown field: did you mean "message"? (known: metric, at_least, above, at_most, below, supports, contradicts, message)"#]],
    );
    check_instrument(
        "id = \"Mine\"\nname = \"\"\n[[levels]]\nid = \"only\"\n\n[[levels]]\nid = \"only\"\n",
        expect![[r#"
            mine.toml:1: id: invalid id "Mine": use lowercase letters, digits, '_' or '-'
            mine.toml:1: source: missing field
            mine.toml:1: areas: missing field
            mine.toml:2: name: must not be empty
            mine.toml:7: levels[1].id: duplicate level "only""#]],
    );
    check_instrument(
        "id = \"mine\"\nname = \"x\"\nsource = \"y\"\nlevels = 3\n[[areas]\n",
        expect![[r#"
            mine.toml:5:8: invalid table header
            expected `.`, `]]`"#]],
    );
}

#[test]
fn builtin_list_is_the_files_shipped() {
    for (path, src) in BUILTIN {
        let i = Instrument::parse(src, Path::new(path)).unwrap();
        assert_eq!(path, format!("instruments/{}.toml", i.id));
    }
    let mut c = Catalog::new();
    assert!(c.get("orientation").is_none());
    c.add(
        Instrument::parse(BUILTIN[0].1, Path::new(BUILTIN[0].0)).unwrap(),
        Path::new(BUILTIN[0].0),
    )
    .unwrap();
    assert_eq!(c.suggest("orientaton"), Some("orientation"));
}

#[test]
fn the_documented_example_instrument_is_valid() {
    let doc = include_str!("../../../../docs/maturity.md");
    let example = doc
        .split("A complete example:\n\n```toml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("docs/maturity.md has the example");
    let i = Instrument::parse(example, Path::new("docs/maturity.md")).unwrap();
    assert_eq!(i.id, "listening");
    assert_eq!(i.areas[0].items[0].choices.len(), 3);
    assert_eq!(i.areas[0].items[0].evidence.len(), 1);
}
