//! Statuses, transitions, versions, re-opening and auto-close.

use crate::{complaint, enriched, open, signal, small, t};
use expect_test::expect;
use tce_care::workflow::{allowed, apply, check_transition, close_if_quiet, Change};
use tce_care::{Actor, CareError, Case, CaseEventKind, Party, SignalRef, Status, ThreadEntry};
use tce_model::Model;

fn new_case(m: &Model) -> Case {
    let s = enriched(
        m,
        signal("x", "c1", "cust", "2027-01-04T10:00:00Z"),
        &complaint(vec![("refund", 0.9)]),
    );
    open(m, 3, &s)
}

fn ana() -> Actor {
    Actor::Agent("ana".into())
}

#[test]
fn the_transition_table_and_its_refusals() {
    let mut lines = Vec::new();
    for from in Status::ALL {
        for to in Status::ALL {
            if let Err(e) = check_transition(from, to) {
                lines.push(e.to_string());
            }
        }
        let ok: Vec<&str> = allowed(from).iter().map(|s| s.as_str()).collect();
        lines.push(format!("{from} → {}", ok.join(" ")));
    }
    expect![[r#"
        cannot move a case from new to new (allowed: open, pending, resolved)
        cannot move a case from new to closed (allowed: open, pending, resolved)
        new → open pending resolved
        cannot move a case from open to new (allowed: pending, resolved)
        cannot move a case from open to open (allowed: pending, resolved)
        cannot move a case from open to closed (allowed: pending, resolved)
        open → pending resolved
        cannot move a case from pending to new (allowed: open, resolved)
        cannot move a case from pending to pending (allowed: open, resolved)
        cannot move a case from pending to closed (allowed: open, resolved)
        pending → open resolved
        cannot move a case from resolved to new (allowed: open, closed)
        cannot move a case from resolved to pending (allowed: open, closed)
        cannot move a case from resolved to resolved (allowed: open, closed)
        resolved → open closed
        cannot move a case from closed to new (allowed: none, it is final)
        cannot move a case from closed to open (allowed: none, it is final)
        cannot move a case from closed to pending (allowed: none, it is final)
        cannot move a case from closed to resolved (allowed: none, it is final)
        cannot move a case from closed to closed (allowed: none, it is final)
        closed → "#]]
    .assert_eq(&lines.join("\n"));
}

#[test]
fn stable_ids_round_trip() {
    for s in Status::ALL {
        assert_eq!(s.as_str().parse::<Status>(), Ok(s));
    }
    for p in tce_care::Priority::ALL {
        assert_eq!(
            p.as_str().to_uppercase().parse::<tce_care::Priority>(),
            Ok(p)
        );
    }
    for f in tce_care::Factor::ALL {
        assert_eq!(f.as_str().parse::<tce_care::Factor>(), Ok(f));
    }
    for k in [tce_care::CaseKind::Care, tce_care::CaseKind::Lead] {
        assert_eq!(k.as_str().parse::<tce_care::CaseKind>(), Ok(k));
    }
    for p in [Party::Customer, Party::Brand] {
        assert_eq!(p.as_str().parse::<Party>(), Ok(p));
    }
    assert!("urgent".parse::<tce_care::Priority>().is_err());
    assert!("done".parse::<Status>().is_err());
}

#[test]
fn an_invalid_transition_changes_nothing() {
    let m = small();
    let mut c = new_case(&m);
    let before = c.clone();
    let err = apply(
        &mut c,
        1,
        ana(),
        Change::SetStatus(Status::Closed),
        &m,
        t("2027-01-04T11:00:00Z"),
    )
    .unwrap_err();
    assert!(matches!(err, CareError::InvalidTransition { .. }));
    assert_eq!(c, before);
}

#[test]
fn a_stale_version_is_refused_with_the_current_one() {
    let m = small();
    let mut c = new_case(&m);
    let now = t("2027-01-04T10:10:00Z");
    // Two agents load version 1; the first assigns …
    apply(
        &mut c,
        1,
        ana(),
        Change::Assign {
            agent: Some("ana".into()),
        },
        &m,
        now,
    )
    .unwrap();
    assert_eq!((c.version, c.status), (2, Status::Open));
    // … the second's change against version 1 is refused, and changes nothing.
    let before = c.clone();
    let err = apply(
        &mut c,
        1,
        Actor::Agent("bo".into()),
        Change::Assign {
            agent: Some("bo".into()),
        },
        &m,
        now,
    )
    .unwrap_err();
    assert_eq!(
        err,
        CareError::Stale {
            case: c.id,
            expected: 1,
            current: 2
        }
    );
    assert_eq!(
        err.to_string(),
        "case 3 has changed: version 2 is current, the change was made against 1"
    );
    assert_eq!(c, before);
}

#[test]
fn every_change_is_an_event_with_who_and_when() {
    let m = small();
    let mut c = new_case(&m);
    let mut log = Vec::new();
    let mut step = |c: &mut Case, actor: Actor, change: Change, at: &str| {
        let v = c.version;
        log.extend(apply(c, v, actor, change, &m, t(at)).unwrap());
    };
    step(
        &mut c,
        ana(),
        Change::Assign {
            agent: Some("ana".into()),
        },
        "2027-01-04T10:05:00Z",
    );
    step(
        &mut c,
        ana(),
        Change::Respond {
            text: "Refund on its way".into(),
            channel: "x".into(),
            agent: Some("ana".into()),
            reply: None,
        },
        "2027-01-04T10:20:00Z",
    );
    step(
        &mut c,
        ana(),
        Change::Note {
            text: "checked booking".into(),
        },
        "2027-01-04T10:21:00Z",
    );
    step(
        &mut c,
        Actor::Agent("lead".into()),
        Change::Route {
            department: "ops".into(),
            reason: "it was the delay".into(),
        },
        "2027-01-04T10:22:00Z",
    );
    step(
        &mut c,
        ana(),
        Change::Prioritise(tce_care::Priority::P1),
        "2027-01-04T10:23:00Z",
    );
    step(
        &mut c,
        ana(),
        Change::SetStatus(Status::Resolved),
        "2027-01-04T12:00:00Z",
    );
    let lines: Vec<String> = log
        .iter()
        .map(|e| format!("{} {} {}", e.at.format("%H:%M"), e.actor, e.kind.as_str()))
        .collect();
    expect![[r#"
        10:05 ana assignee
        10:05 ana status
        10:20 ana response
        10:20 ana first_response
        10:21 ana note
        10:22 lead department
        10:23 ana priority
        12:00 ana status
        12:00 ana resolved"#]]
    .assert_eq(&lines.join("\n"));
    assert_eq!(c.version, 7);
    assert_eq!(c.department(), "ops");
    assert!(log.iter().any(|e| matches!(
        &e.kind,
        CaseEventKind::Resolved {
            wall_secs: 7200,
            within_sla: true,
            ..
        }
    )));
    // Unknown departments are refused.
    let v = c.version;
    assert_eq!(
        apply(
            &mut c,
            v,
            ana(),
            Change::Route {
                department: "nowhere".into(),
                reason: String::new()
            },
            &m,
            t("2027-01-04T12:01:00Z")
        ),
        Err(CareError::UnknownDepartment("nowhere".into()))
    );
}

#[test]
fn a_follow_up_reopens_a_resolved_case_and_quiet_ones_close() {
    let m = small();
    let mut c = new_case(&m);
    apply(
        &mut c,
        1,
        ana(),
        Change::SetStatus(Status::Resolved),
        &m,
        t("2027-01-04T11:00:00Z"),
    )
    .unwrap();
    let entry = ThreadEntry {
        signal: SignalRef {
            channel: "x".into(),
            external_id: "c2".into(),
        },
        party: Party::Customer,
        author: Some("cust".into()),
        at: t("2027-01-05T09:00:00Z"),
        sentiment: Some(-0.6),
        needs_action: true,
    };
    let events = apply(
        &mut c,
        2,
        Actor::Customer,
        Change::CustomerMessage(entry),
        &m,
        t("2027-01-05T09:00:00Z"),
    )
    .unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["customer_message", "status", "reopened"]);
    assert_eq!((c.status, c.reopened, c.thread.len()), (Status::Open, 1, 2));
    // The resolution clock went on from where it stood: 1 h used before,
    // 23 h left from the re-opening; the 22 h while resolved do not count.
    assert_eq!(c.sla.resolution_due, t("2027-01-06T08:00:00Z"));

    apply(
        &mut c,
        3,
        ana(),
        Change::SetStatus(Status::Resolved),
        &m,
        t("2027-01-05T10:00:00Z"),
    )
    .unwrap();
    // Not yet quiet for 7 days …
    assert!(close_if_quiet(&mut c, &m, t("2027-01-12T09:59:00Z"))
        .unwrap()
        .is_empty());
    assert_eq!(c.status, Status::Resolved);
    // … then closed by the system.
    let events = close_if_quiet(&mut c, &m, t("2027-01-12T10:00:00Z")).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].actor, Actor::System);
    assert_eq!(c.status, Status::Closed);
    // A closed case takes no response (a new message opens a new case).
    let v = c.version;
    let err = apply(
        &mut c,
        v,
        ana(),
        Change::Respond {
            text: "late".into(),
            channel: "x".into(),
            agent: None,
            reply: None,
        },
        &m,
        t("2027-01-13T10:00:00Z"),
    )
    .unwrap_err();
    assert_eq!(err, CareError::Closed(c.id));
}
