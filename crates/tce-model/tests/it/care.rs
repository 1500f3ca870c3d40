//! `[care]`: defaults in every template, and errors that name line and field.

use expect_test::{expect, Expect};
use std::path::Path;
use tce_model::{templates::TEMPLATES, Intent, Model};

#[test]
fn every_template_has_a_complete_care_section() {
    for t in TEMPLATES {
        let m = Model::parse(t.toml, Path::new(t.name)).unwrap();
        let name = t.name;
        let care = &m.care;
        assert!(
            !care.defaulted.iter().any(|d| d == "care"),
            "template {name} has no [care] section"
        );
        assert_eq!(
            care.open_intents,
            [Intent::Complaint, Intent::Question, Intent::ChurnRisk],
            "{name}"
        );
        assert!(m.department(&care.triage_department).is_some(), "{name}");
        assert!(m.department(&care.lead_department).is_some(), "{name}");
        // Every department has a policy, with targets tighter for higher priority.
        for d in &m.departments {
            let p = care
                .department(&d.id)
                .unwrap_or_else(|| panic!("{name}: {} has no care policy", d.id));
            for w in p.targets.windows(2) {
                assert!(
                    w[0].first_response_hours <= w[1].first_response_hours
                        && w[0].resolution_hours <= w[1].resolution_hours,
                    "{name}: {} targets {:?}",
                    d.id,
                    p.targets
                );
            }
            if let Some(h) = &p.business_hours {
                assert!(care.business_hours.contains_key(h), "{name}: {h}");
            }
        }
        // Care-able channels: every social one, never surveys.
        for c in &m.channels {
            if c.social {
                assert!(c.care, "{name}: social channel {} is not care-able", c.id);
            }
            if c.id == "survey" {
                assert!(!c.care, "{name}: surveys open cases");
            }
        }
        for id in ["email", "chat", "call_center"] {
            assert!(m.channel(id).is_some_and(|c| c.care), "{name}: {id}");
        }
        // Costs per contact are given for channels of the model only, and
        // social care costs less per contact than the call centre.
        assert!(!care.defaulted.iter().any(|d| d == "cost_per_contact"));
        assert!(
            care.contact_cost("x") < care.contact_cost("call_center"),
            "{name}"
        );
        assert!(care.at_risk_share > 0.0 && care.at_risk_share < 1.0);
    }
}

#[test]
fn care_is_defaulted_when_absent() {
    let m = Model::parse(super::MINIMAL, Path::new("tce.toml")).unwrap();
    assert_eq!(m.care.triage_department, "ops");
    assert_eq!(m.care.lead_department, "ops");
    assert!(m.care.defaulted.contains(&"care".to_string()));
    assert!(m.care.defaulted.contains(&"triage_department".to_string()));
    let ops = m.care.department("ops").unwrap();
    // P3 is the department's own target (4 h / 48 h by default).
    assert_eq!(ops.targets[2].first_response_hours, 4.0);
    assert_eq!(ops.targets[0].first_response_hours, 1.0);
    assert_eq!(ops.business_hours, None);
    assert!(m.channel("x").unwrap().care);
}

fn check(care: &str, expect: Expect) {
    let src = format!("{}\n{care}", super::MINIMAL);
    let actual = match Model::parse(&src, Path::new("tce.toml")) {
        Ok(_) => "ok".to_string(),
        Err(e) => e.to_string(),
    };
    expect.assert_eq(&actual);
}

#[test]
fn care_errors_name_line_and_field() {
    check(
        r#"
[care]
triage_department = "opz"
open_intents = ["complaint", "purchase_intent", "rant"]
at_risk_share = 1.5
"#,
        expect![[r#"
            tce.toml:24: care.triage_department: unknown department "opz": did you mean "ops"? (known: ops)
            tce.toml:25: care.open_intents[1]: purchase_intent opens a lead (see `open_leads`), not a care case
            tce.toml:25: care.open_intents[2]: unknown intent "rant"
            tce.toml:26: care.at_risk_share: must be a share 0 ≤ x < 1, got 1.5"#]],
    );
    check(
        r#"
[care.business_hours.office]
time_zone = "Europe/Londn"
mon = ["09:00-17:00", "16:00-18:00"]
tue = ["9-5"]
holidays = ["2027-13-01"]

[care.departments.ops]
business_hours = "offfice"

[care.departments.nope]
business_hours = "office"
"#,
        expect![[r#"
            tce.toml:24: care.business_hours.office.time_zone: unknown time zone "Europe/Londn": use an IANA name such as "Europe/London"
            tce.toml:25: care.business_hours.office.mon: opening hours overlap
            tce.toml:26: care.business_hours.office.tue: invalid opening hours "9-5": use "HH:MM-HH:MM", e.g. "09:00-17:30"
            tce.toml:27: care.business_hours.office.holidays[0]: invalid date "2027-13-01": use YYYY-MM-DD
            tce.toml:30: care.departments.ops.business_hours: unknown business hours "offfice" (known: office)
            tce.toml:33: care.departments.nope: unknown department "nope" (known: ops)"#]],
    );
    check(
        r#"
[care.priority]
p1 = 20
p2 = 40

[care.cost_per_contact]
fax = 3.0

[care.departments.ops.first_response_hours]
p1 = 0
"#,
        expect![[r#"
            tce.toml:24: care.priority: thresholds must descend p1 > p2 > p3, got 20 > 40 > 20
            tce.toml:28: care.cost_per_contact.fax: unknown channel "fax"
            tce.toml:31: care.departments.ops.first_response_hours.p1: must be a number > 0, got 0"#]],
    );
    check(
        "[care]\nthread_window_hours = 24\nclose_after_days = 3\n",
        expect!["ok"],
    );
}

#[test]
fn a_channel_care_flag_overrides_its_kind() {
    let src = super::MINIMAL.replace("social = true", "social = true\ncare = false");
    let m = Model::parse(&src, Path::new("tce.toml")).unwrap();
    assert!(!m.channel("x").unwrap().care);
    let t = tce_model::templates::template("credit_card").unwrap();
    let m = Model::parse(t.toml, Path::new("credit_card")).unwrap();
    assert!(m.channel("regulator").unwrap().care);
    assert!(!m.channel("branch").unwrap().care);
}
