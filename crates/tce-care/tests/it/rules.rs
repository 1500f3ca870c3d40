//! The opening rule, brand replies, routing and priority.

use crate::{complaint, enriched, signal, small, template, Says};
use expect_test::{expect, Expect};
use tce_care::rules::{decide, priority, route};
use tce_care::{triage, Action, CaseKind, Skip};
use tce_model::{templates::TEMPLATES, Intent, Rating, RatingScale};

#[test]
fn every_touchpoint_of_every_template_routes_to_its_owner_department() {
    for t in TEMPLATES {
        let model = template(t.name);
        let own = model.own_brand().unwrap().id.clone();
        let own: &'static str = Box::leak(own.into_boxed_str());
        for tp in &model.touchpoints {
            let id: &'static str = Box::leak(tp.id.clone().into_boxed_str());
            let says = Says {
                brand: Some(own),
                sentiment: -0.5,
                intents: vec![(Intent::Complaint, 0.8)],
                touchpoints: vec![(id, 0.9)],
            };
            let s = enriched(
                &model,
                signal("x", "1", "cust", "2027-01-04T10:00:00Z"),
                &says,
            );
            let opening = decide(&model, &s)
                .unwrap_or_else(|e| panic!("{}: {id} opens nothing: {e:?}", t.name));
            assert_eq!(opening.kind, CaseKind::Care);
            assert_eq!(
                opening.routing.department, tp.department,
                "{}: touchpoint {id}",
                t.name
            );
            let dept = model.department(&tp.department).unwrap();
            assert_eq!(
                opening.routing.reason,
                format!("touchpoint {id} → {}", dept.name),
                "{}",
                t.name
            );
        }
        // And every template has a triage and a lead department of its own.
        assert!(model.department(&model.care.triage_department).is_some());
        assert!(model.department(&model.care.lead_department).is_some());
    }
}

#[test]
fn the_top_touchpoint_wins_and_no_touchpoint_goes_to_triage() {
    let m = small();
    let e = |tps| {
        enriched(
            &m,
            signal("x", "1", "a", "2027-01-04T10:00:00Z"),
            &complaint(tps),
        )
    };
    let r = route(
        &m,
        CaseKind::Care,
        &e(vec![("refund", 0.4), ("delay", 0.7)]).enrichment,
    );
    assert_eq!(
        (r.department.as_str(), r.reason.as_str()),
        ("ops", "touchpoint delay → Operations")
    );
    let r = route(&m, CaseKind::Care, &e(vec![]).enrichment);
    assert_eq!(
        (r.department.as_str(), r.touchpoint, r.reason.as_str()),
        ("care", None, "no touchpoint → triage: Customer care")
    );
}

#[test]
fn no_competitor_signal_opens_a_case() {
    let ratings = [
        None,
        Some(Rating::new(1.0, RatingScale::Stars5).unwrap()),
        Some(Rating::new(0.0, RatingScale::Nps10).unwrap()),
    ];
    for t in TEMPLATES {
        let model = template(t.name);
        for brand in model.brands.iter().filter(|b| !b.own) {
            let brand_id: &'static str = Box::leak(brand.id.clone().into_boxed_str());
            for channel in &model.channels {
                for intent in Intent::ALL {
                    for rating in ratings {
                        let mut s = signal(&channel.id, "9", "cust", "2027-01-04T10:00:00Z");
                        s.rating = rating;
                        let says = Says {
                            brand: Some(brand_id),
                            sentiment: -0.9,
                            intents: vec![(intent, 0.95), (Intent::ChurnRisk, 0.9)],
                            touchpoints: vec![],
                        };
                        let s = enriched(&model, s, &says);
                        assert_eq!(
                            triage(&model, &s, &[]),
                            Action::Skip(Skip::Competitor {
                                brand: brand.id.clone()
                            }),
                            "{}: {} on {}",
                            t.name,
                            brand.id,
                            channel.id
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn purchase_intent_opens_a_lead_for_the_lead_department() {
    for t in TEMPLATES {
        let model = template(t.name);
        let own: &'static str = Box::leak(model.own_brand().unwrap().id.clone().into_boxed_str());
        let says = Says {
            brand: Some(own),
            sentiment: 0.4,
            intents: vec![(Intent::PurchaseIntent, 0.8)],
            touchpoints: vec![],
        };
        let s = enriched(&model, signal("x", "1", "a", "2027-01-04T10:00:00Z"), &says);
        let o = decide(&model, &s).unwrap();
        assert_eq!(o.kind, CaseKind::Lead, "{}", t.name);
        assert_eq!(o.routing.department, model.care.lead_department);
    }
    // The templates with a sales department send leads there.
    for name in ["airline", "b2b_it", "mobile_telecom"] {
        assert_eq!(template(name).care.lead_department, "sales");
    }
}

/// Renders what one signal does under [`small`].
fn check(channel: &str, rating: Option<(f64, RatingScale)>, says: Says, expect: Expect) {
    let m = small();
    let mut s = signal(channel, "1", "cust", "2027-01-04T10:00:00Z");
    s.rating = rating.map(|(v, sc)| Rating::new(v, sc).unwrap());
    let actual = match triage(&m, &enriched(&m, s, &says), &[]) {
        Action::Open(o) => format!(
            "open {} → {} ({}) {} score {:.1}",
            o.kind, o.routing.department, o.routing.reason, o.priority.priority, o.priority.score
        ),
        other => format!("{other:?}"),
    };
    expect.assert_eq(&actual);
}

fn says(intents: &[(Intent, f32)], sentiment: f64) -> Says {
    Says {
        brand: Some("acme"),
        sentiment,
        intents: intents.to_vec(),
        touchpoints: vec![("delay", 0.8)],
    }
}

#[test]
fn the_opening_rule() {
    use Intent::*;
    check(
        "x",
        None,
        says(&[(Complaint, 0.8)], -0.6),
        expect!["open care → ops (touchpoint delay → Operations) p3 score 39.0"],
    );
    check(
        "x",
        None,
        says(&[(Question, 0.85)], 0.0),
        expect!["open care → ops (touchpoint delay → Operations) p4 score 6.0"],
    );
    check(
        "x",
        None,
        says(&[(Complaint, 0.8), (ChurnRisk, 0.85)], -0.8),
        expect!["open care → ops (touchpoint delay → Operations) p1 score 64.0"],
    );
    // Complaint and purchase intent together: the complaint comes first.
    check(
        "x",
        None,
        says(&[(Complaint, 0.6), (PurchaseIntent, 0.8)], -0.3),
        expect!["open care → ops (touchpoint delay → Operations) p3 score 27.0"],
    );
    check(
        "x",
        None,
        says(&[(PurchaseIntent, 0.8)], 0.3),
        expect!["open lead → sales (purchase intent → leads: Sales) p4 score 9.0"],
    );
    // A bottom rating opens a case without any intent; one star up does not.
    check(
        "email",
        Some((1.0, RatingScale::Stars5)),
        says(&[], 0.0),
        expect!["open care → ops (touchpoint delay → Operations) p4 score 10.0"],
    );
    check(
        "email",
        Some((2.0, RatingScale::Stars5)),
        says(&[], 0.0),
        expect!["Skip(NothingToAct)"],
    );
    check(
        "x",
        None,
        says(&[(Praise, 0.9)], 0.8),
        expect!["Skip(NothingToAct)"],
    );
    // Below `min_intent_confidence` an intent does not count.
    check(
        "x",
        None,
        says(&[(Complaint, 0.3)], -0.1),
        expect!["Skip(NothingToAct)"],
    );
    // Surveys are not care channels by default.
    check(
        "survey",
        Some((1.0, RatingScale::Csat5)),
        says(&[(Complaint, 0.9)], -0.9),
        expect![[r#"Skip(NotCareChannel { channel: "survey" })"#]],
    );
    check(
        "x",
        None,
        Says {
            brand: None,
            ..says(&[(Complaint, 0.9)], -0.9)
        },
        expect!["Skip(NoBrand)"],
    );
}

#[test]
fn priority_shows_every_factor_contribution() {
    let m = small();
    let mut s = signal("x", "1", "cust", "2027-01-04T10:00:00Z");
    s.author_followers = Some(9_999);
    s.rating = Some(Rating::new(1.0, RatingScale::Stars5).unwrap());
    let says = Says {
        brand: Some("acme"),
        sentiment: -0.75,
        intents: vec![(Intent::Complaint, 0.8), (Intent::ChurnRisk, 0.85)],
        touchpoints: vec![],
    };
    let p = priority(&m, &enriched(&m, s, &says));
    let lines: Vec<String> = p
        .factors
        .iter()
        .map(|f| {
            format!(
                "{:<10} {:>5.2} × {:>4} = {:>5.2}  {}",
                f.factor.as_str(),
                f.value,
                f.weight,
                f.points,
                f.detail
            )
        })
        .collect();
    let actual = format!("{}\n{} score {:.2}", lines.join("\n"), p.priority, p.score);
    expect![[r#"
        severity    0.75 ×   40 = 30.00  sentiment -0.75
        churn_risk  0.85 ×   20 = 17.00  churn risk 0.85
        reach       0.80 ×   15 = 12.00  9999 followers
        intent      1.00 ×   15 = 15.00  complaint
        rating      1.00 ×   10 = 10.00  1 on stars5
        p1 score 84.00"#]]
    .assert_eq(&actual);
    let sum: f64 = p.factors.iter().map(|f| f.points).sum();
    assert!((sum - p.score).abs() < 1e-9);
}

#[test]
fn brand_replies_are_responses_not_customer_signals() {
    let m = small();
    let s = enriched(
        &m,
        signal("x", "c1", "cust", "2027-01-04T10:00:00Z"),
        &complaint(vec![]),
    );
    let case = crate::open(&m, 7, &s);

    let mut reply = signal("x", "b1", "@AcmeHelp", "2027-01-04T10:20:00Z");
    reply.in_reply_to = Some("c1".into());
    // Brand replies read positive and would open nothing or be scored as
    // praise; they are recognised by their author before anything else.
    let says = Says {
        brand: Some("acme"),
        sentiment: 0.7,
        intents: vec![(Intent::Question, 0.9)],
        touchpoints: vec![],
    };
    let reply = enriched(&m, reply, &says);
    let action = triage(&m, &reply, std::slice::from_ref(&case));
    match &action {
        Action::Respond {
            case: id, brand, ..
        } => {
            assert_eq!((id.0, brand.as_str()), (7, "acme"))
        }
        other => panic!("{other:?}"),
    }
    // Recorded as the first response at the reply's own time, however late
    // the file is ingested: reply time minus the customer's message time.
    let (id, change) = action.change().unwrap();
    assert_eq!(id, case.id);
    let mut case = case;
    let events = tce_care::workflow::apply(
        &mut case,
        1,
        tce_care::Actor::System,
        change,
        &m,
        crate::t("2027-03-01T00:00:00Z"),
    )
    .unwrap();
    let kinds: Vec<(&str, String)> = events
        .iter()
        .map(|e| (e.kind.as_str(), e.at.to_rfc3339()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("response", "2027-01-04T10:20:00+00:00".to_string()),
            ("first_response", "2027-01-04T10:20:00+00:00".to_string())
        ]
    );
    assert!(matches!(
        events[1].kind,
        tce_care::CaseEventKind::FirstResponse {
            wall_secs: 1200,
            ..
        }
    ));
    assert_eq!(case.thread.len(), 2);
    assert_eq!(case.thread[1].party, tce_care::Party::Brand);
    // Re-ingesting the reply adds no duplicate response.
    assert_eq!(
        triage(&m, &reply, std::slice::from_ref(&case)),
        Action::Skip(Skip::AlreadyRecorded { case: case.id })
    );
    // Without a case to answer, it is still not a customer signal.
    assert_eq!(
        triage(&m, &reply, &[]),
        Action::Skip(Skip::BrandPost {
            brand: "acme".into()
        })
    );
    // Handles match without '@' and in any case.
    let mut other = signal("x", "b2", "acmehelp", "2027-01-04T10:20:00Z");
    other.in_reply_to = Some("c1".into());
    assert!(matches!(
        triage(&m, &enriched(&m, other, &says), std::slice::from_ref(&case)),
        Action::Respond { .. }
    ));
    // A competitor's handle is a brand post too, never a case.
    let rival = signal("x", "r1", "@Rival", "2027-01-04T10:20:00Z");
    assert_eq!(
        triage(&m, &enriched(&m, rival, &complaint(vec![])), &[]),
        Action::Skip(Skip::BrandPost {
            brand: "rival".into()
        })
    );
    // Re-ingesting the customer's message adds nothing.
    assert_eq!(
        triage(&m, &s, std::slice::from_ref(&case)),
        Action::Skip(Skip::AlreadyRecorded { case: case.id })
    );
}
