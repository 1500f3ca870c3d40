//! An answers file gives the expected level per area (the lower median of
//! its answers), the overall level and the gaps; malformed answers files are
//! refused with file, line and field.

use crate::{answers_file, assess_text, catalog};
use expect_test::{expect, Expect};
use std::fmt::Write as _;
use std::path::Path;
use tce_maturity::{Answers, Assessment, Facts};

/// Levels, scores and gaps of every area, one line each.
fn levels(a: &Assessment) -> String {
    let mut out = String::new();
    for i in &a.instruments {
        writeln!(out, "{}: overall {} ({:.2})", i.id, i.overall.name, i.score).unwrap();
        for area in &i.areas {
            let answers: Vec<&str> = area.answers.iter().map(|x| x.level.name.as_str()).collect();
            write!(
                out,
                "  {} = {} [{}]",
                area.id,
                area.level.name,
                answers.join(", ")
            )
            .unwrap();
            if let Some(next) = &area.next {
                let gaps: Vec<&str> = area.gaps.iter().map(|g| g.item.as_str()).collect();
                write!(out, " → {next}: {}", gaps.join(", "), next = next.name).unwrap();
            }
            out.push('\n');
        }
    }
    out
}

fn check(src: &str, expect: Expect) {
    let a = assess_text(&catalog(), src, &Facts::new());
    expect.assert_eq(&levels(&a));
}

#[test]
fn an_answers_file_gives_the_level_of_every_area() {
    let c = catalog();
    check(
        &answers_file(
            &c,
            "orientation",
            &[
                ("people_frontline", "enlightened"),
                ("people_hiring", "natural"),
                ("strategy_place", "naive"),
                ("strategy_social", "natural"),
                ("systems_view", "natural"),
                ("systems_warning", "natural"),
                ("measurement_what", "transactional"),
                ("measurement_money", "naive"),
                ("leaders_board", "natural"),
                ("leaders_ideas", "enlightened"),
            ],
            "transactional",
        ),
        expect![[r#"
            orientation: overall Transactional (0.52)
              people = Enlightened [Enlightened, Natural] → Natural: people_frontline
              customer_strategy = Naive [Naive, Natural] → Transactional: strategy_place
              systems = Natural [Natural, Natural]
              measurement = Naive [Transactional, Naive] → Transactional: measurement_money
              channel_approach = Transactional [Transactional, Transactional] → Enlightened: channels_managed, channels_social_role
              expectations = Transactional [Transactional, Transactional] → Enlightened: expectations_known, expectations_kept
              marketing_brand = Transactional [Transactional, Transactional] → Enlightened: brand_made_by, brand_advocates
              process = Transactional [Transactional, Transactional] → Enlightened: process_design, process_complaints
              culture_leadership = Enlightened [Natural, Enlightened] → Natural: leaders_ideas
        "#]],
    );
    check(
        &answers_file(
            &c,
            "disciplines",
            &[
                ("measurement_drivers", "systematic"),
                ("measurement_money", "systematic"),
                ("governance_ownership", "undeveloped"),
                ("culture_everyone", "repeatable"),
            ],
            "ad_hoc",
        ),
        expect![[r#"
            disciplines: overall ad hoc (0.44)
              strategy = ad hoc [ad hoc, ad hoc] → repeatable: strategy_intended_experience, strategy_shared
              customer_understanding = ad hoc [ad hoc, ad hoc] → repeatable: understanding_channels, understanding_current
              design = ad hoc [ad hoc, ad hoc] → repeatable: design_from_feedback, design_whole_journey
              measurement = systematic [systematic, systematic]
              governance = undeveloped [undeveloped, ad hoc] → ad hoc: governance_ownership
              culture = ad hoc [repeatable, ad hoc] → repeatable: culture_openness
        "#]],
    );
    check(
        &answers_file(
            &c,
            "readiness",
            &[("advocacy", "solid"), ("moments_of_truth", "not_yet")],
            "partly",
        ),
        expect![[r#"
            readiness: overall partly (0.50)
              experience_everywhere = partly [partly] → solid: experience_everywhere
              employees_engaged = partly [partly] → solid: employees_engaged
              moments_of_truth = not yet [not yet] → partly: moments_of_truth
              standing_out = partly [partly] → solid: standing_out
              daily_decisions = partly [partly] → solid: daily_decisions
              advocacy = solid [solid]
        "#]],
    );
    check(
        &answers_file(
            &c,
            "transformation",
            &[
                ("path_data", "engineering_brand"),
                ("path_money", "viewing_data"),
            ],
            "managing_outcomes",
        ),
        expect![[r#"
            transformation: overall Managing outcomes (0.42)
              path = Managing outcomes [Engineering the brand, Managing outcomes, Managing outcomes, Viewing the data] → Integrating changes: path_actions, path_integration, path_money
        "#]],
    );
}

#[test]
fn answers_match_their_choice_whatever_the_case_and_spaces() {
    let c = catalog();
    let src = answers_file(&c, "readiness", &[], "partly").replace("\"partly\"", "\"  Partly \"");
    let answers = Answers::parse(&src, Path::new("a.toml"), &c).unwrap();
    assert_eq!(answers.get("readiness", "advocacy"), Some("partly"));
}

fn check_refused(src: &str, expect: Expect) {
    let err = Answers::parse(src, Path::new("answers.toml"), &catalog()).unwrap_err();
    expect.assert_eq(&err.to_string());
}

#[test]
fn malformed_answers_are_refused_with_file_line_and_field() {
    let c = catalog();
    let good = answers_file(&c, "readiness", &[], "partly");
    // Unknown item, answer not among the choices, missing answer, wrong type.
    let bad = good
        .replace(
            "[readiness.advocacy]\nanswer = \"partly\"",
            "[readiness.advocacy]\nanswer = 3",
        )
        .replace(
            "[readiness.standing_out]\nanswer = \"partly\"",
            "[readiness.standing_out]\nanswer = \"mostly\"",
        )
        .replace(
            "[readiness.daily_decisions]\nanswer = \"partly\"",
            "[readiness.daily_decisions]\nchoices = [\"not yet\", \"partly\", \"solid\"]\nanswer = \"\"",
        )
        .replace(
            "[readiness.moments_of_truth]\nanswer = \"partly\"",
            "[readiness.moments_of_truth]\nchoices = \"partly\"\nanwser = \"partly\"",
        )
        + "[readiness.moment_of_truth]\nanswer = \"solid\"\n";
    check_refused(
        &bad,
        expect![[r#"
        answers.toml:7: readiness.moments_of_truth.answer: missing answer
        answers.toml:8: readiness.moments_of_truth.choices: expected an array of strings, found a string
        answers.toml:9: readiness.moments_of_truth.anwser: unknown field: did you mean "answer"? (known: choices, answer)
        answers.toml:12: readiness.standing_out.answer: "mostly" is not one of the choices (choices: "not yet", "partly", "solid")
        answers.toml:16: readiness.daily_decisions.answer: missing answer: set it to one of the choices
        answers.toml:19: readiness.advocacy.answer: expected a string (one of the choices), found an integer
        answers.toml:21: readiness.moment_of_truth: unknown item of instrument "readiness": did you mean "moments_of_truth"?"#]],
    );
    check_refused(
        "[orientaton.people_frontline]\nanswer = \"x\"\n",
        expect![[
            r#"answers.toml:1: orientaton: unknown instrument: did you mean "orientation"? (known: orientation, disciplines, readiness, framework, transformation)"#
        ]],
    );
    check_refused(
        "[readiness.advocacy]\nanswer = \"solid\"\n",
        expect![[r#"
            answers.toml:1: readiness.experience_everywhere: missing answer: the item is not in the file
            answers.toml:1: readiness.employees_engaged: missing answer: the item is not in the file
            answers.toml:1: readiness.moments_of_truth: missing answer: the item is not in the file
            answers.toml:1: readiness.standing_out: missing answer: the item is not in the file
            answers.toml:1: readiness.daily_decisions: missing answer: the item is not in the file"#]],
    );
    check_refused(
        "readiness = 3\n",
        expect!["answers.toml:1: readiness: expected a table, found an integer"],
    );
    check_refused("", expect!["answers.toml:1: answers: no instrument is answered: write the template with `tce assess template`"]);
    check_refused(
        "[readiness.advocacy\nanswer = 1",
        expect![[r#"
        answers.toml:1:20: invalid table header
        expected `.`, `]`"#]],
    );
}

#[test]
fn answers_may_use_any_toml_form() {
    let c = catalog();
    let src = r#"
readiness.experience_everywhere.answer = "solid"

[readiness]
employees_engaged = { answer = "partly" }
moments_of_truth = { answer = "not yet", choices = ["not yet", "partly", "solid"] }
standing_out.answer = "solid"
daily_decisions.answer = "solid"
advocacy.answer = "partly"
"#;
    let answers = Answers::parse(src, Path::new("a.toml"), &c);
    // TOML forbids reopening [readiness] after the dotted key above; the
    // parser says where.
    let err = answers.unwrap_err().to_string();
    assert!(err.starts_with("a.toml:4:"), "{err}");
    let src = src.replace("readiness.experience_everywhere.answer = \"solid\"\n", "")
        + "experience_everywhere.answer = \"solid\"\n";
    let answers = Answers::parse(&src, Path::new("a.toml"), &c).unwrap();
    assert_eq!(
        answers.get("readiness", "moments_of_truth"),
        Some("not yet")
    );
    assert_eq!(
        answers.get("readiness", "experience_everywhere"),
        Some("solid")
    );
}
